#!/bin/bash
# End-to-end tests of `corredor hindcast`: a small hindcast writes its files
# (and nothing is left under .partial), the JSON has the scores the issue
# names, the forecast CSV has one row per horizon month, and bad command
# lines exit 2 with a message and no output folder.
# usage: hindcast.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root)
. "$(dirname "$0")/lib/harness.sh" "$@"
export OMP_WAIT_POLICY=passive
sc=tests/data/hindcast/short.yaml
small=(--scale 1000 --runs 4 --max-evals 8 --rounds 1 --demand-iters 3 --no-interval -q)

"$bin" hindcast $sc --train-until 2019-03 --horizon 4 "${small[@]}" -o "$tmp/h" >"$tmp/out.txt" 2>"$tmp/err.txt"
expect_rc 0 $? "small hindcast"
[ -f "$tmp/h/hindcast.json" ] && [ -f "$tmp/h/forecast.csv" ] && ok "hindcast.json and forecast.csv written" || bad "files: $(ls "$tmp/h" 2>&1)"
[ ! -e "$tmp/h.partial" ] && ok "no .partial left" || bad ".partial left behind"
for k in mae_model mae_persistence mae_seasonal coverage_5_95; do
  grep -q "\"$k\"" "$tmp/h/hindcast.json" && ok "hindcast.json has $k" || bad "hindcast.json lacks $k"
done
[ "$(tail -n +2 "$tmp/h/forecast.csv" | wc -l)" = 4 ] && ok "forecast.csv: 4 months" || bad "forecast.csv: $(wc -l <"$tmp/h/forecast.csv") lines"
head -1 "$tmp/h/forecast.csv" | grep -q "^month,observed,model_median,model_p5,model_p95,persistence,seasonal" && ok "forecast.csv header" || bad "header: $(head -1 "$tmp/h/forecast.csv")"

"$bin" hindcast $sc --train-until 2019-13 "${small[@]}" -o "$tmp/b1" 2>"$tmp/e1.txt"; expect_rc 2 $? "bad month"
grep -q "2019-13" "$tmp/e1.txt" && ok "message names the month" || bad "message: $(cat "$tmp/e1.txt")"
"$bin" hindcast $sc --train-until 2017-05 "${small[@]}" -o "$tmp/b2" 2>"$tmp/e2.txt"; expect_rc 2 $? "month before the scenario's start"
grep -q "before the scenario's start (2017-10)" "$tmp/e2.txt" && ok "message names the start" || bad "message: $(cat "$tmp/e2.txt")"
"$bin" hindcast $sc --train-until 2019-10 --horizon 6 "${small[@]}" -o "$tmp/b3" 2>"$tmp/e3.txt"; expect_rc 2 $? "horizon past the scenario"
grep -q "after the scenario's last full month (2019-12)" "$tmp/e3.txt" && ok "message names the last month" || bad "message: $(cat "$tmp/e3.txt")"
"$bin" hindcast $sc "${small[@]}" -o "$tmp/b4" 2>"$tmp/e4.txt"; expect_rc 2 $? "no --train-until"
"$bin" hindcast tests/data/hindcast/missing.yaml --train-until 2019-03 "${small[@]}" -o "$tmp/b5" 2>"$tmp/e5.txt"; expect_rc 3 $? "missing scenario"
for d in b1 b2 b3 b4 b5; do
  [ ! -e "$tmp/$d" ] && [ ! -e "$tmp/$d.partial" ] || bad "output left for a failed command ($d)"
done
ok "no output left by failed commands"

finish "hindcast e2e tests"
