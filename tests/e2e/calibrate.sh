#!/bin/bash
# End-to-end tests of `corredor calibrate` on the small calibration fixture
# (tests/data/calibrate/): the overlay, its -demand/ CSVs and .json written
# and usable as a scenario, the same files whatever the threads, nothing left
# behind, and the exit codes and messages for bad input.  The observations
# tests/data/calibrate/obs.csv are the us_encounters of base.yaml run at
# scale 1 with seed 101 (cor_cal_obs_from_sim + cor_cal_obs_write_csv):
# synthetic test values.  Coarse settings (scale 10, one run per evaluation,
# 12 evaluations, one round) keep it to seconds.
# usage: calibrate.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root)
. "$(dirname "$0")/lib/harness.sh" "$@"
fix=tests/data/calibrate
common=(--obs "$fix/obs.csv" --until 2020-06 --scale 10 --reps 1 --max-evals 12 --rounds 1 -q)

"$bin" calibrate --help >"$tmp/help.txt"; expect_rc 0 $? "calibrate --help"
grep -q -- "--until YYYY-MM" "$tmp/help.txt" && grep -q "corredor run FILE" "$tmp/help.txt" && ok "help text" ||
  bad "help text"

# bad command lines and input
"$bin" calibrate "$fix/start.yaml" --obs "$fix/obs.csv" 2>"$tmp/err.txt"; expect_rc 2 $? "no --until"
grep -q -- "--until YYYY-MM is required" "$tmp/err.txt" && ok "its message" || bad "message: $(cat "$tmp/err.txt")"
"$bin" calibrate "$fix/start.yaml" --until 2020-6 2>"$tmp/err.txt"; expect_rc 2 $? "bad --until"
grep -q -- "--until: '2020-6' is not a month YYYY-MM" "$tmp/err.txt" && ok "its message" || bad "message: $(cat "$tmp/err.txt")"
"$bin" calibrate "$fix/start.yaml" --until 2020-06 --no-demand --no-params 2>/dev/null; expect_rc 2 $? "nothing to do"
printf 'month,group,people\n2019-01,mexico,12\n2019-02,mexico,x\n' >"$tmp/bad.csv"
"$bin" calibrate "$fix/start.yaml" --obs "$tmp/bad.csv" --until 2020-06 --out "$tmp/bad/x.yaml" 2>"$tmp/err.txt"
expect_rc 3 $? "bad observations"
grep -q "$tmp/bad.csv:3:16: bad count 'x' in column 'people'" "$tmp/err.txt" && ok "its message names file, line, column" ||
  bad "message: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/bad" ] && ok "nothing written" || bad "output written for bad input"
"$bin" calibrate "$fix/nonesuch.yaml" "${common[@]}" --out "$tmp/none/x.yaml" 2>"$tmp/err.txt"
expect_rc 3 $? "missing scenario"
grep -q "nonesuch.yaml" "$tmp/err.txt" && ok "its message names the file" || bad "message: $(cat "$tmp/err.txt")"

# a calibration on 2 threads, then on 1
"$bin" calibrate "$fix/start.yaml" "${common[@]}" --threads 2 --out "$tmp/a/cal.yaml" >"$tmp/a.txt"
expect_rc 0 $? "calibrate on 2 threads"
for f in cal.yaml cal.json cal-demand/mexico.csv cal-demand/guatemala.csv cal-demand/venezuela.csv; do
  [ -s "$tmp/a/$f" ] && ok "wrote $f" || bad "no $f"
done
left=$(find "$tmp/a" -name '*.tmp' -o -name '*.partial' -o -name '*.old' | wc -l)
[ "$left" = 0 ] && ok "no temporary file left" || bad "$left temporary files left"
grep -q "^base: " "$tmp/a/cal.yaml" && grep -q "inm_detect_per_agent:" "$tmp/a/cal.yaml" && ok "overlay: base and parameters" ||
  bad "overlay content"
grep -q "use it as the scenario" "$tmp/a.txt" && grep -q "corredor run $tmp/a/cal.yaml" "$tmp/a.txt" &&
  ok "final message says how to use the overlay" || bad "final message: $(cat "$tmp/a.txt")"
grep -q '"until":[[:space:]]*"2020-06"' "$tmp/a/cal.json" && ok "json: until" || bad "json: until"
"$bin" calibrate "$fix/start.yaml" "${common[@]}" --threads 1 --out "$tmp/b/cal.yaml" >/dev/null
expect_rc 0 $? "calibrate on 1 thread"
# (the comment header holds the runtime: compared without it)
cmp -s <(grep -v '^#' "$tmp/a/cal.yaml") <(grep -v '^#' "$tmp/b/cal.yaml") &&
  diff -r "$tmp/a/cal-demand" "$tmp/b/cal-demand" >/dev/null && ok "overlay and demand identical for 1 and 2 threads" ||
  bad "results differ by threads"
grep -q "^# Use this file as the scenario" "$tmp/a/cal.yaml" && ok "overlay header says how to use it" ||
  bad "overlay header"

# the overlay is a scenario of its own
"$bin" run "$tmp/a/cal.yaml" --scale 50 -o "$tmp/run" -q; expect_rc 0 $? "corredor run on the calibrated overlay"
[ -s "$tmp/run/series.csv" ] && ok "the run wrote series.csv" || bad "no series.csv"

finish "calibrate e2e tests"
