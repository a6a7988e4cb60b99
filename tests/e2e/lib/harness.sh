# harness.sh - shared by the end-to-end scripts (tests/e2e/*.sh, tests/mpi/*.sh).
# Source it with the script's arguments:  . "$(dirname "$0")/lib/harness.sh" "$@"
# Sets bin (the corredor binary) and tmp (an emptied scratch folder), and
# defines ok, bad, expect_rc EXPECTED ACTUAL WHAT, and finish WHAT (prints
# the tally; exits 1 if anything failed).  Scripts run with cwd = repo root.
set -u
bin=$1
tmp=$2
rm -rf "$tmp" && mkdir -p "$tmp"
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
expect_rc() { # expected actual what
  if [ "$1" = "$2" ]; then ok "$3 (exit $2)"; else bad "$3: exit $2, expected $1"; fi
}
finish() {
  if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)"
    exit 1
  fi
  echo "all $1 passed"
  exit 0
}
