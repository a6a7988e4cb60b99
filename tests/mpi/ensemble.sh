#!/bin/bash
# Distributed ensembles: `mpirun -np K corredor ensemble ...` gives the same
# store (runs, draws, every series cell) as the threaded run with the same
# seed; workers alone (rank 0 computing nothing) too; a threaded store
# resumed under MPI; bands identical; a store of another ensemble refused.
# usage: ensemble.sh PATH/TO/corredor SCRATCH_DIR   (cwd = repository root;
# Release build with Open MPI only)
. "$(dirname "$0")/../e2e/lib/harness.sh" "$@"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_WAIT_POLICY=passive
dump() { "$bin" ensemble --db "$1" --dump "$2"; }

N=10
args=(ensemble tests/data/ensemble/long.yaml -n $N --scale 500 --seed 5 --vary inm_detention_days=3:10 --vary tvrh_apply_prob=0.3:0.9)

"$bin" "${args[@]}" --threads 2 --db "$tmp/threads.sqlite" -q --bands "$tmp/threads_bands.csv"; expect_rc 0 $? "threaded ensemble"
dump "$tmp/threads.sqlite" "$tmp/threads.txt"
[ "$(awk '/^run,month,/ {s = 1; next} s' "$tmp/threads.txt" | wc -l)" -gt 10000 ] && ok "threaded store has series" || bad "threaded store nearly empty"

mpirun -np 2 "$bin" "${args[@]}" --db "$tmp/mpi2.sqlite" --bands "$tmp/mpi2_bands.csv" >"$tmp/mpi2.txt"; expect_rc 0 $? "mpirun -np 2"
grep -q "$N runs of tests/data/ensemble/long.yaml: 0 in the store, $N to run on 2 MPI ranks" "$tmp/mpi2.txt" && ok "ran on 2 ranks" || bad "output: $(cat "$tmp/mpi2.txt")"
dump "$tmp/mpi2.sqlite" "$tmp/mpi2_dump.txt"
cmp -s "$tmp/threads.txt" "$tmp/mpi2_dump.txt" && ok "mpirun -np 2 store = threaded store (runs, draws, every cell)" || bad "mpirun -np 2 differs from threads"
cmp -s "$tmp/threads_bands.csv" "$tmp/mpi2_bands.csv" && ok "bands identical" || bad "bands differ"

# rank 0 only manages: every run comes from the workers
mpirun -np 3 "$bin" "${args[@]}" --threads 0 --db "$tmp/mpi3.sqlite" -q; expect_rc 0 $? "mpirun -np 3, rank 0 computing nothing"
dump "$tmp/mpi3.sqlite" "$tmp/mpi3_dump.txt"
cmp -s "$tmp/threads.txt" "$tmp/mpi3_dump.txt" && ok "workers-only store = threaded store" || bad "workers-only store differs"

# a threaded store of 4 runs resumed under MPI
"$bin" "${args[@]}" -n 4 --db "$tmp/resume.sqlite" -q; expect_rc 0 $? "4 runs threaded"
mpirun -np 2 "$bin" "${args[@]}" --db "$tmp/resume.sqlite" >"$tmp/resume.txt"; expect_rc 0 $? "resumed under mpirun"
grep -q "4 in the store, $((N - 4)) to run" "$tmp/resume.txt" && ok "MPI resume skips stored runs" || bad "resume: $(cat "$tmp/resume.txt")"
dump "$tmp/resume.sqlite" "$tmp/resume_dump.txt"
cmp -s "$tmp/threads.txt" "$tmp/resume_dump.txt" && ok "resumed store = threaded store" || bad "resumed store differs"

# another ensemble's store: refused on rank 0, every rank stops
mpirun -np 2 "$bin" "${args[@]}" --scale 400 --db "$tmp/mpi2.sqlite" >/dev/null 2>"$tmp/e.txt"
rc=$?
[ "$rc" != 0 ] && ok "other scale refused under mpirun (exit $rc)" || bad "other scale accepted under mpirun"
grep -q "the store was made for another ensemble: scale '500'" "$tmp/e.txt" && ok "message names the scale" || bad "message: $(head -3 "$tmp/e.txt")"
dump "$tmp/mpi2.sqlite" "$tmp/mpi2_after.txt"
cmp -s "$tmp/mpi2_dump.txt" "$tmp/mpi2_after.txt" && ok "refused store left alone" || bad "refused store changed"

finish "MPI ensemble tests"
