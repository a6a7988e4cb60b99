#!/bin/bash
# End-to-end tests of `corredor validate`: the historical scenario at a
# coarse scale (validation.json and its keys, one fact per row of
# data/facts.csv, the same file whatever the threads), a short overlay (the
# period clipped to the run), and the exit codes for bad input.
# usage: validate.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root)
. "$(dirname "$0")/lib/harness.sh" "$@"
hist=scenarios/mexico-2012-2024.yaml

"$bin" validate --help >"$tmp/help.txt"; expect_rc 0 $? "validate --help"
grep -q -- "--from YYYY-MM" "$tmp/help.txt" && ok "help text" || bad "help text"

# the historical scenario, coarse
"$bin" validate "$hist" --scale 500 -o "$tmp/v1" >"$tmp/table.txt"; expect_rc 0 $? "validate historical --scale 500"
j=$tmp/v1/validation.json
[ -s "$j" ] && ok "wrote validation.json" || bad "no validation.json"
[ ! -e "$j.partial" ] && ok "no .partial left" || bad ".partial left behind"
for k in '"run"' '"period"' '"fit"' '"encounters_mape"' '"encounters_corr"' '"held_out"' '"sector_ard"' \
  '"title42_share_error"' '"comar_by_year"' '"upm"' '"deaths"' '"facts"' '"targets"' '"facts_summary"'; do
  grep -q "$k:" "$j" && ok "key $k" || bad "key $k missing"
done
grep -q '"from":[[:space:]]*"2013-01"' "$j" && grep -q '"to":[[:space:]]*"2024-11"' "$j" && ok "default period 2013-01..2024-11" ||
  bad "default period"
nfacts=$(($(grep -c . data/facts.csv) - 1))
nout=$(grep -c '^[[:space:]]*"name":' "$j")
[ "$nout" = "$nfacts" ] && [ "$nfacts" -ge 7 ] && ok "one fact per row of data/facts.csv ($nout)" ||
  bad "facts: $nout in validation.json, $nfacts in data/facts.csv"
for k in source observed simulated tolerance pass; do
  [ "$(grep -c "^[[:space:]]*\"$k\":" "$j")" -ge "$nfacts" ] && ok "every fact has $k" || bad "fact key $k"
done
grep -q "nine sectors, averaged relative difference" "$tmp/table.txt" && grep -q "^facts" "$tmp/table.txt" &&
  grep -q "wrote $tmp/v1/validation.json" "$tmp/table.txt" && ok "table printed" || bad "table: $(head -3 "$tmp/table.txt")"
for s in "San Diego" "Rio Grande Valley" "El Paso"; do
  grep -q "\"$s\":" "$j" && ok "sector $s" || bad "sector $s"
done
# the same run on 2 threads writes the same file
"$bin" validate "$hist" --scale 500 --threads 2 -o "$tmp/v2" -q >"$tmp/quiet.txt"; expect_rc 0 $? "validate on 2 threads"
cmp -s "$j" "$tmp/v2/validation.json" && ok "validation.json identical for 1 and 2 threads" || bad "differs by threads"
[ ! -s "$tmp/quiet.txt" ] && ok "-q prints nothing" || bad "-q printed"

# a short run: the period is clipped to 2019, facts outside are not evaluated
"$bin" validate tests/data/validate/short.yaml --scale 500 -o "$tmp/short" -q; expect_rc 0 $? "short overlay"
grep -q '"from":[[:space:]]*"2019-01"' "$tmp/short/validation.json" &&
  grep -q '"to":[[:space:]]*"2019-12"' "$tmp/short/validation.json" && ok "period clipped to the run" || bad "clipping"
[ "$(grep -c '"why_not"' "$tmp/short/validation.json")" = "$((nfacts - 1))" ] && ok "facts outside 2019 not evaluated" ||
  bad "not-evaluated facts: $(grep -c '"why_not"' "$tmp/short/validation.json")"
"$bin" validate tests/data/validate/short.yaml --scale 500 --from 2021-01 -o "$tmp/none" 2>"$tmp/err.txt"
expect_rc 2 $? "period outside the run"
grep -q "the period 2021-01..2024-11 does not overlap the run (2019-01..2019-12)" "$tmp/err.txt" && ok "its message" ||
  bad "message: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/none" ] && ok "nothing written" || bad "output written for a bad period"

# bad command lines: exit 2
"$bin" validate 2>/dev/null; expect_rc 2 $? "no scenario"
"$bin" validate "$hist" --bogus 2>/dev/null; expect_rc 2 $? "unknown option"
"$bin" validate "$hist" --from 2019-13 2>"$tmp/err.txt"; expect_rc 2 $? "bad --from"
grep -q "'2019-13' is not a month YYYY-MM" "$tmp/err.txt" && ok "--from message" || bad "--from message: $(cat "$tmp/err.txt")"
"$bin" validate "$hist" --from 2020-01 --to 2019-01 2>/dev/null; expect_rc 2 $? "--from after --to"
"$bin" validate "$hist" --scale 0 2>/dev/null; expect_rc 2 $? "bad --scale"
"$bin" validate "$hist" --threads 0 2>/dev/null; expect_rc 2 $? "bad --threads"

# bad input: exit 3, a message naming file and line
"$bin" validate tests/data/validate/no_such.yaml --scale 500 -o "$tmp/x" 2>/dev/null; expect_rc 3 $? "missing scenario"
printf 'name,kind,series,place,period,period_b,observed,observed_hi,threshold,tolerance,source\na,count,deaths,,2020,,1,,,2,s\n' \
  >"$tmp/facts.csv"
"$bin" validate "$hist" --scale 500 --facts "$tmp/facts.csv" -o "$tmp/x" 2>"$tmp/err.txt"; expect_rc 3 $? "bad facts file"
grep -q "$tmp/facts.csv:2:27: tolerance 2 outside \[0, 1\]" "$tmp/err.txt" && ok "facts message names file:line:column" ||
  bad "facts message: $(cat "$tmp/err.txt")"
"$bin" validate "$hist" --scale 500 --data "$tmp/no_data" -o "$tmp/x" 2>"$tmp/err.txt"; expect_rc 3 $? "missing data folder"
grep -q "cannot read '$tmp/no_data/" "$tmp/err.txt" && ok "data message" || bad "data message: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/x" ] && ok "nothing written for bad input" || bad "output written for bad input"

# an output that cannot be written: exit 4
: >"$tmp/file"
"$bin" validate tests/data/validate/short.yaml --scale 500 -o "$tmp/file/sub" 2>/dev/null; expect_rc 4 $? "unwritable output"

finish "validate e2e tests"
