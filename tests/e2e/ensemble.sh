#!/bin/bash
# End-to-end tests of `corredor ensemble`: usage errors, a run killed part
# way and resumed (the store ends with exactly N runs, each once, each
# complete), nothing run twice, stores of another ensemble refused, run 0
# equal to `corredor run`, threads 1 and 2 identical, bands CSV, dump.
# usage: ensemble.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root)
. "$(dirname "$0")/lib/harness.sh" "$@"
short=tests/data/ensemble/short.yaml
long=tests/data/ensemble/long.yaml

# runs listed in a dump (first section), one line each: "run,n_records"
dump_runs() { awk -F, 'NR == 1 {next} /^run,month,/ {exit} {print $1 "," $NF}' "$1"; }
# rows of each run in the series section: "run,count"
dump_rows() { awk -F, '/^run,month,/ {s = 1; next} s {n[$1]++} END {for (r in n) print r "," n[r]}' "$1" | sort -t, -k1,1n; }

# ------------------------------------------------------------ usage
"$bin" ensemble --help >"$tmp/help.txt"; expect_rc 0 $? "ensemble --help"
grep -q -- "--vary NAME=LO:HI" "$tmp/help.txt" && ok "help names --vary" || bad "help text"
"$bin" ensemble $short -n 2 2>"$tmp/e.txt"; expect_rc 2 $? "no --db"
grep -q -- "--db FILE.sqlite is required" "$tmp/e.txt" && ok "message: --db required" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble $short --db "$tmp/x.sqlite" 2>/dev/null; expect_rc 2 $? "no -n"
"$bin" ensemble $short -n 2 --db "$tmp/x.sqlite" --vary foo=1 2>"$tmp/e.txt"; expect_rc 2 $? "bad --vary"
grep -qx "corredor ensemble: --vary 'foo=1': expected NAME=LO:HI" "$tmp/e.txt" && ok "message: --vary syntax" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble $short -n 2 --db "$tmp/x.sqlite" --vary no_such=0:1 2>"$tmp/e.txt"; expect_rc 2 $? "unknown --vary parameter"
grep -qx "corredor ensemble: --vary no_such: $short has no parameter of that name" "$tmp/e.txt" && ok "message: unknown parameter" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble $short -n 2 --db "$tmp/x.sqlite" --vary inm_detention_days=-5:3 2>"$tmp/e.txt"; expect_rc 3 $? "--vary outside what the module accepts"
grep -q "inm_detention_days = -5" "$tmp/e.txt" && ok "message names the bad end" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble tests/data/engine/bad_link.yaml -n 2 --db "$tmp/x.sqlite" 2>/dev/null; expect_rc 3 $? "bad scenario"
[ ! -e "$tmp/x.sqlite" ] && ok "no store made for bad input" || bad "store made for bad input"
"$bin" ensemble --db "$tmp/none.sqlite" --dump - 2>"$tmp/e.txt"; expect_rc 4 $? "dump of a missing store"

# ------------------------------------------------- killed part way, resumed
N=16
args=(ensemble $long -n $N --scale 500 --seed 3 --vary inm_detention_days=3:10 --threads 1)
t0=$(date +%s.%N)
"$bin" "${args[@]}" --db "$tmp/one.sqlite" -n 1 -q; expect_rc 0 $? "a 1-run ensemble"
t1=$(date +%s.%N)
per=$(echo "$t0 $t1" | awk '{print $2 - $1}')
k=0
for frac in 0.45 0.3 0.7 0.2 0.85; do # the kill must land part way; retry if it did not
  rm -f "$tmp/kill.sqlite" "$tmp/kill.sqlite-journal"
  limit=$(echo "$per $N $frac" | awk '{t = $1 * $2 * $3; if (t < 0.05) t = 0.05; printf "%.2f", t}')
  rc=$( { timeout -s KILL "$limit" "$bin" "${args[@]}" --db "$tmp/kill.sqlite" -q; echo $?; } 2>/dev/null)
  "$bin" ensemble --db "$tmp/kill.sqlite" --dump "$tmp/kill1.txt" 2>/dev/null
  k=$(dump_runs "$tmp/kill1.txt" | wc -l)
  [ "$rc" = 137 ] && [ "$k" -gt 0 ] && [ "$k" -lt $N ] && break
done
expect_rc 137 "$rc" "first invocation killed by timeout -s KILL after ${limit}s"
[ "$k" -gt 0 ] && [ "$k" -lt $N ] && ok "killed part way: $k of $N runs stored" || bad "killed part way: $k of $N runs stored"
"$bin" "${args[@]}" --db "$tmp/kill.sqlite" >"$tmp/resume.txt" 2>"$tmp/resume_err.txt"; expect_rc 0 $? "second invocation"
grep -q "$N runs of $long: $k in the store, $((N - k)) to run on 1 thread" "$tmp/resume.txt" && ok "resumes with the $k stored runs" || bad "resume: $(cat "$tmp/resume.txt")"
[ ! -s "$tmp/resume_err.txt" ] && ok "no progress bar when stderr is not a terminal" || bad "stderr: $(head -3 "$tmp/resume_err.txt")"
"$bin" ensemble --db "$tmp/kill.sqlite" --dump "$tmp/kill2.txt"; expect_rc 0 $? "dump"
[ "$(dump_runs "$tmp/kill2.txt" | cut -d, -f1 | tr '\n' ' ')" = "$(seq 0 $((N - 1)) | tr '\n' ' ')" ] && ok "runs 0..$((N - 1)), each once" || bad "runs: $(dump_runs "$tmp/kill2.txt" | cut -d, -f1 | tr '\n' ' ')"
if diff <(dump_runs "$tmp/kill2.txt") <(dump_rows "$tmp/kill2.txt") >/dev/null; then ok "every run complete (rows = n_records)"; else bad "a run is incomplete"; fi
"$bin" "${args[@]}" --db "$tmp/kill.sqlite" >"$tmp/again.txt"; expect_rc 0 $? "third invocation"
grep -q "$N in the store, 0 to run" "$tmp/again.txt" && ok "nothing run twice" || bad "third: $(cat "$tmp/again.txt")"
# an uninterrupted ensemble gives the same store
"$bin" "${args[@]}" --db "$tmp/whole.sqlite" --threads 2 -q; expect_rc 0 $? "uninterrupted ensemble, 2 threads"
"$bin" ensemble --db "$tmp/whole.sqlite" --dump "$tmp/whole.txt"
cmp -s "$tmp/kill2.txt" "$tmp/whole.txt" && ok "killed + resumed = uninterrupted (2 threads)" || bad "killed + resumed differs from uninterrupted"

# ------------------------------------------------- another ensemble: refused
"$bin" "${args[@]}" --db "$tmp/kill.sqlite" --scale 400 2>"$tmp/e.txt"; expect_rc 3 $? "other scale refused"
grep -q "the store was made for another ensemble: scale '500'" "$tmp/e.txt" && ok "message names the scale" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble $long -n $N --scale 500 --seed 3 --vary inm_detention_days=3:11 --db "$tmp/kill.sqlite" 2>"$tmp/e.txt"; expect_rc 3 $? "other --vary refused"
grep -q -- "--vary spec 'inm_detention_days=3:10'" "$tmp/e.txt" && ok "message names the vary spec" || bad "message: $(cat "$tmp/e.txt")"
"$bin" "${args[@]}" --db "$tmp/kill.sqlite" --params tests/data/ensemble/other_params.yaml 2>"$tmp/e.txt"; expect_rc 3 $? "other scenario (overlay) refused"
grep -q "scenario (hash of every file read)" "$tmp/e.txt" && ok "message names the scenario hash" || bad "message: $(cat "$tmp/e.txt")"
"$bin" ensemble --db "$tmp/kill.sqlite" --dump "$tmp/kill3.txt"
cmp -s "$tmp/kill2.txt" "$tmp/kill3.txt" && ok "refused commands left the store alone" || bad "store changed"

# ------------------------------------------------- bands
"$bin" ensemble --db "$tmp/kill.sqlite" --bands "$tmp/bands.csv" >"$tmp/b.txt"; expect_rc 0 $? "bands from a store"
[ "$(head -1 "$tmp/bands.csv")" = "month,series,place,group,demographic,n,q05,q50,q95" ] && ok "bands header" || bad "bands header: $(head -1 "$tmp/bands.csv")"
rows=$(($(wc -l <"$tmp/bands.csv") - 1))
[ "$rows" -gt 100 ] && ok "bands rows ($rows)" || bad "bands rows ($rows)"
awk -F, -v n=$N 'NR > 1 && ($6 != n || $7 > $8 || $8 > $9) {bad++} END {exit bad > 0}' "$tmp/bands.csv" && ok "n = $N and q05 <= q50 <= q95 on every row" || bad "bands values"
grep -q '^2019-06,us_encounters,usbp_' "$tmp/bands.csv" && ok "bands have sector encounters" || bad "no us_encounters rows"
[ ! -e "$tmp/bands.csv.partial" ] && ok "no bands .partial left" || bad "bands .partial left"
"$bin" ensemble --db "$tmp/kill.sqlite" --bands "$tmp/bt.csv" --bands-totals -q; expect_rc 0 $? "bands with totals"
# the total's median over runs is the median of the per-run sums
med=$(awk -F, '/^run,month,/ {s = 1; next} s && $2 == "2019-06" && $3 == "us_encounters" {t[$1] += $7} END {for (r in t) print t[r]}' "$tmp/kill2.txt" | sort -g | awk '{v[NR] = $1} END {h = (NR - 1) * 0.5; i = int(h); printf "%.15g", v[i + 1] + (h - i) * (v[i + 2] - v[i + 1])}')
got=$(awk -F, '$1 == "2019-06" && $2 == "us_encounters" && $3 == "*" {print $8}' "$tmp/bt.csv")
[ -n "$got" ] && [ "$got" = "$med" ] && ok "total band median = median of run totals ($got)" || bad "total median: bands '$got', dump '$med'"

# ------------------------------------------------- run 0 = corredor run
"$bin" ensemble $short -n 2 --seed 9 --scale 500 --db "$tmp/plain.sqlite" -q; expect_rc 0 $? "ensemble without --vary"
"$bin" run $short --seed 9 --scale 500 -o "$tmp/plain" -q; expect_rc 0 $? "corredor run"
"$bin" ensemble --db "$tmp/plain.sqlite" --dump "$tmp/plain.txt"
awk -F, '/^run,month,/ {s = 1; next} s && $1 == 0 {printf "%s,%s,%s,%s,%s,%.15g\n", $2, $3, $4, $5, $6, $7}' "$tmp/plain.txt" | sort >"$tmp/run0.csv"
tail -n +2 "$tmp/plain/series.csv" | sort >"$tmp/series.csv"
[ -s "$tmp/run0.csv" ] && cmp -s "$tmp/run0.csv" "$tmp/series.csv" && ok "run 0 = corredor run --seed 9 ($(wc -l <"$tmp/run0.csv") cells)" || bad "run 0 differs from corredor run"
awk -F, '/^run,month,/ {s = 1; next} s && $1 == 1 {printf "%s,%s,%s,%s,%s,%.15g\n", $2, $3, $4, $5, $6, $7}' "$tmp/plain.txt" | sort >"$tmp/run1.csv"
cmp -s "$tmp/run0.csv" "$tmp/run1.csv" && bad "runs 0 and 1 identical" || ok "run 1 differs from run 0"

# --threads 0 outside mpirun is a usage error
"$bin" ensemble $short -n 2 --threads 0 --db "$tmp/t0.sqlite" 2>/dev/null; expect_rc 2 $? "--threads 0 without mpirun"

finish "ensemble e2e tests"
