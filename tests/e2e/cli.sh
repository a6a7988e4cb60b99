#!/bin/bash
# End-to-end tests of the corredor command: run, check, outputs, errors,
# exit codes, determinism across thread counts, the default scenario.
# usage: cli.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root)
. "$(dirname "$0")/lib/harness.sh" "$@"

"$bin" --version >"$tmp/v.txt"; expect_rc 0 $? "--version"
grep -q '^corredor [0-9]' "$tmp/v.txt" && ok "version text" || bad "version text"
"$bin" run --help >/dev/null; expect_rc 0 $? "run --help"
"$bin" check --help >/dev/null; expect_rc 0 $? "check --help"
"$bin" frobnicate 2>/dev/null; expect_rc 2 $? "unknown command"
"$bin" run --bogus tests/data/engine/small.yaml 2>/dev/null; expect_rc 2 $? "unknown option"
"$bin" run --threads 0 tests/data/engine/small.yaml 2>/dev/null; expect_rc 2 $? "bad --threads"
"$bin" run --scale -1 tests/data/engine/small.yaml 2>/dev/null; expect_rc 2 $? "bad --scale"

# a good run
"$bin" run tests/data/engine/small.yaml -o "$tmp/small" --threads 2 >"$tmp/run.txt"; expect_rc 0 $? "run small"
for f in monthly.csv encounters_by_sector.csv series.csv summary.json run.json; do
  [ -s "$tmp/small/$f" ] && ok "wrote $f" || bad "missing $f"
done
[ ! -e "$tmp/small.partial" ] && ok "no .partial left" || bad ".partial left behind"
[ "$(head -1 "$tmp/small/monthly.csv")" = "month,place,status,people" ] && ok "monthly header" || bad "monthly header"
[ "$(head -1 "$tmp/small/encounters_by_sector.csv")" = "month,sector,group,demographic,people" ] && ok "encounters header" || bad "encounters header"
sum=$(awk -F, 'NR>1 {s+=$5} END {print s+0}' "$tmp/small/encounters_by_sector.csv")
tot=$(sed -n 's/.*"us_encounters":[[:space:]]*\([0-9.e+]*\).*/\1/p' "$tmp/small/summary.json" | head -1)
[ "$sum" = "$tot" ] && [ "$sum" -gt 9000 ] && ok "encounters add up ($sum)" || bad "encounters: csv $sum, summary $tot"
grep -q "encounters by US sector" "$tmp/run.txt" && ok "summary printed" || bad "summary printed"
grep -q '"scenario_hash_xxh3_128"' "$tmp/small/run.json" && ok "run.json hash" || bad "run.json hash"

# the same run with 1 thread writes identical series
"$bin" run tests/data/engine/small.yaml -o "$tmp/small1" --threads 1 -q; expect_rc 0 $? "run small, 1 thread"
for f in monthly.csv encounters_by_sector.csv series.csv; do
  cmp -s "$tmp/small/$f" "$tmp/small1/$f" && ok "$f identical for 1 and 2 threads" || bad "$f differs between thread counts"
done
# a different seed gives a different run
"$bin" run tests/data/engine/small.yaml -o "$tmp/small_s" --seed 99 -q
cmp -s "$tmp/small/monthly.csv" "$tmp/small_s/monthly.csv" && bad "--seed changes nothing" || ok "--seed changes the run"

# running again replaces the folder
"$bin" run tests/data/engine/small.yaml -o "$tmp/small" -q; expect_rc 0 $? "rerun into the same folder"
[ ! -e "$tmp/small.old" ] && ok "old folder removed" || bad "old folder left"

# bad input: one message with file:line: field, exit 3, nothing written
"$bin" run tests/data/engine/bad_link.yaml -o "$tmp/badrun" 2>"$tmp/err.txt"; expect_rc 3 $? "bad scenario"
[ "$(wc -l <"$tmp/err.txt")" -eq 1 ] && ok "one error line" || bad "error lines: $(cat "$tmp/err.txt")"
grep -q "bad_link.yaml:4: links\[0\].to: .*tapachla" "$tmp/err.txt" && ok "message names file, line, field" || bad "message: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/badrun" ] && [ ! -e "$tmp/badrun.partial" ] && ok "nothing written" || bad "output written for a bad scenario"
"$bin" check tests/data/engine/bad_link.yaml 2>/dev/null; expect_rc 3 $? "check bad scenario"
"$bin" run tests/data/engine/no_such_file.yaml 2>/dev/null; expect_rc 3 $? "missing scenario file"

# compare: same seed, headline differences; longer waits leave people uncounted by the end
"$bin" compare tests/data/engine/small.yaml tests/data/engine/longer_waits.yaml >"$tmp/cmp.txt"; expect_rc 0 $? "compare"
awk '$1 == "us_encounters" && $4 < 0 {ok=1} END {exit !ok}' "$tmp/cmp.txt" && ok "compare shows fewer encounters" || bad "compare output: $(head -8 "$tmp/cmp.txt")"
"$bin" compare tests/data/engine/small.yaml 2>/dev/null; expect_rc 2 $? "compare needs two scenarios"
# sensitivity: one line per assumed parameter, CSV with both ends
"$bin" sensitivity tests/data/engine/small.yaml --scale 10 --threads 2 --only border_wait_days,transit_wait_days -o "$tmp/sens.csv" >"$tmp/sens.txt"; expect_rc 0 $? "sensitivity"
[ "$(head -1 "$tmp/sens.csv")" = "parameter,provenance,end,value,key,base,result,change_pct" ] && ok "sensitivity csv header" || bad "sensitivity csv header"
[ "$(grep -c '^border_wait_days,assumed,\(low\|high\),' "$tmp/sens.csv")" -gt 1 ] && ok "sensitivity runs both ends" || bad "sensitivity rows"
grep -q "^border_wait_days" "$tmp/sens.txt" && ok "sensitivity table" || bad "sensitivity table"

# the default scenario checks and runs (coarse scale to keep CI fast)
"$bin" check scenarios/corridor.yaml >/dev/null; expect_rc 0 $? "check default scenario"
"$bin" run scenarios/corridor.yaml -o "$tmp/corridor" --scale 500 --threads 2 >"$tmp/corridor.txt"; expect_rc 0 $? "run default scenario"
grep -q "Rio Grande Valley" "$tmp/corridor/encounters_by_sector.csv" && ok "default run reaches the border" || bad "no encounters in the default run"

# the historical scenario (every module on) runs end to end at a coarse scale,
# and every counterfactual checks
"$bin" check scenarios/mexico-2012-2024.yaml >/dev/null; expect_rc 0 $? "check historical scenario"
for w in scenarios/what-if/*.yaml scenarios/calibrated/*.yaml; do
  "$bin" check "$w" >/dev/null; expect_rc 0 $? "check $w"
done
"$bin" run scenarios/mexico-2012-2024.yaml -o "$tmp/hist" --scale 100 --threads 2 -q; expect_rc 0 $? "run historical scenario"
py=$(command -v python3 || true)
for key in us_encounters title42_expulsions mpp_returned inm_detentions deportations_land comar_applications tvrh_issued cbp_one_entries parole_arrivals crimes deaths closure_cost_usd; do
  v=$(sed -n "/\"totals\"/,/}/s/.*\"$key\":[[:space:]]*\([0-9.e+]*\).*/\1/p" "$tmp/hist/summary.json" | head -1)
  awk -v v="$v" 'BEGIN {exit !(v + 0 > 0)}' && ok "historical $key = $v" || bad "historical $key is '$v'"
done
grep -q '"2019"' "$tmp/hist/summary.json" && ok "summary by_year" || bad "no by_year in summary"
[ "$(head -1 "$tmp/hist/series.csv")" = "month,series,place,group,demographic,value" ] && ok "series.csv header" || bad "series.csv header"
grep -q "^2020-0[4-9],title42_expulsions," "$tmp/hist/series.csv" && ok "Title 42 expulsions in 2020" || bad "no Title 42 expulsions in 2020"
grep -q "^2019-0[1-2],title42_expulsions," "$tmp/hist/series.csv" && bad "Title 42 expulsions before March 2020" || ok "no Title 42 before 2020"

finish "CLI e2e tests"
