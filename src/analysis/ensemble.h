/* ensemble.h - ensembles: a run plan (N runs of one scenario, each with its
 * run number and, for --vary, its own parameter draws), a worker that runs
 * them one at a time, and an executor that spreads runs over threads (and,
 * through a hook, over MPI ranks: ensemble_mpi.c) and hands every finished
 * run to the result store (store.h), one run at a time.  docs/ENSEMBLES.md.
 *
 * Run r of an ensemble is cor_sim with options {seed, run = r, scale,
 * threads = 1}: its random streams are keyed by (seed, r, ...), so a run's
 * results depend on nothing but the scenario, the seed, r and its draws,
 * whatever thread or rank computes it.  Run 0 with no --vary is exactly
 * `corredor run --seed S`.
 *
 * Parameter draws (--vary NAME=LO:HI): run r's value of NAME is
 *     lo + u * (hi - lo),  u = (w >> 11) * 2^-53,
 * w the first word of Philox2x64-10 (Random123) with key {seed} and counter
 * {r << 32 | fnv1a32(NAME), 0xFFFF << 16}: independent uniform draws per run
 * and name, the same whatever else is varied or how many runs there are (so
 * an ensemble can be extended).  Purpose 0xFFFF on day 0 is never used by
 * the engine's streams (src/engine/rng.h).
 *
 * Ownership: results from cor_ens_worker_run / cor_ens_result_unpack belong
 * to the caller (cor_ens_result_free); a worker owns its loaded scenario.
 */
#ifndef COR_ENSEMBLE_H
#define COR_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "corredor.h"

#define COR_ENS_MAX_VARY 64
#define COR_ENS_NAME_MAX 128

typedef struct {
    char name[COR_ENS_NAME_MAX];
    double lo, hi;
} cor_ens_vary;

/* What to run.  vary[] is kept sorted by name (cor_ens_plan_add_vary). */
typedef struct {
    const char *scenario;   /* path */
    const char *params;     /* overlay applied after loading (--params), or NULL */
    uint64_t seed;          /* used when has_seed, else the scenario's meta.seed */
    int has_seed;
    double scale;           /* people per agent when > 0, else the scenario's */
    int n_vary;
    cor_ens_vary vary[COR_ENS_MAX_VARY];
} cor_ens_plan;

/* Parse "NAME=LO:HI" (finite numbers, LO <= HI) into the plan.  COR_EARG and
 * a message in err (e.g. "--vary 'x=1': expected NAME=LO:HI") on bad syntax,
 * a repeated name or too many. */
int cor_ens_plan_add_vary(cor_ens_plan *plan, const char *arg, char *err, size_t errlen);
/* The canonical --vary spec: "a=LO:HI,b=LO:HI" sorted by name, numbers %.17g
 * ("" when nothing varies).  Part of a store's identity. */
void cor_ens_vary_spec(const cor_ens_plan *plan, char *out, size_t n);

/* The draw rule above. */
uint32_t cor_ens_fnv1a32(const char *s);
double cor_ens_u01(uint64_t seed, uint32_t run, const char *name);
double cor_ens_draw(uint64_t seed, uint32_t run, const cor_ens_vary *v);

/* "%016llx%016llx" of the scenario's XXH3-128 (high, low): the hash of every
 * file read, as in run.json. */
void cor_ens_scenario_hash(const cor_scenario *sc, char out[33]);

/* ------------------------------------------------------------- results */

/* One series cell, indices into the result's name tables (-1: n/a). */
typedef struct {
    int32_t month;   /* year*12 + month-1 */
    int32_t series, place, group, demo;
    double value;
} cor_ens_rec;

typedef struct {
    uint32_t run;
    uint64_t seed;
    double scale;
    char scenario_hash[33];
    double runtime_s;                 /* wall time of init + run + collection */
    int64_t started, finished;        /* Unix time, seconds */
    int n_vary;
    char (*vary_names)[COR_ENS_NAME_MAX];
    double *vary_values;
    /* name tables: every series the loaded modules define (sim order), every
     * place id, every group id, every demographic; strings point into names */
    int n_series, n_places, n_groups, n_demos;
    const char **series_names, **place_ids, **group_ids, **demo_names;
    char *names;
    size_t names_len;
    int64_t n_rec;
    cor_ens_rec *rec;
} cor_ens_result;

void cor_ens_result_free(cor_ens_result *r);
/* Serialise a result into one malloc'd buffer (native byte order: ranks of
 * one MPI job are assumed to share the architecture) and back, bit for bit.
 * unpack: COR_EINPUT if the buffer is malformed. */
int cor_ens_result_pack(const cor_ens_result *r, unsigned char **buf, size_t *len);
int cor_ens_result_unpack(const unsigned char *buf, size_t len, cor_ens_result **out);

/* ------------------------------------------------------------- workers */

typedef struct cor_ens_worker cor_ens_worker;

/* Load the plan's scenario (and overlay) once and check that every varied
 * parameter exists.  *out is set (for the message) unless memory ran out;
 * free it either way.  The plan must outlive the worker. */
int cor_ens_worker_new(const cor_ens_plan *plan, cor_ens_worker **out);
const char *cor_ens_worker_errmsg(const cor_ens_worker *w);
const char *cor_ens_worker_hash(const cor_ens_worker *w);
uint64_t cor_ens_worker_seed(const cor_ens_worker *w);     /* effective seed */
/* Run one run: draws, a fresh single-threaded sim, every series cell. */
int cor_ens_worker_run(cor_ens_worker *w, uint32_t run, cor_ens_result **out);
void cor_ens_worker_free(cor_ens_worker *w);

/* ------------------------------------------------------------ executor */

struct cor_store;
typedef struct cor_ens_exec cor_ens_exec;

typedef struct {
    int threads;   /* runs computed at once in this process (>= 1; 0 only with remote) */
    /* called by the calling thread after each run is stored; done counts
     * runs stored by this call, of total */
    void (*progress)(void *ctx, int done, int total, double elapsed_s);
    void *progress_ctx;
    /* remote workers (MPI manager, ensemble_mpi.c): called by the calling
     * thread whenever it has nothing else to do; returns 1 if it handled
     * something, 0 if idle, and sets *active to the remote workers not yet
     * told to stop.  It takes runs with cor_ens_exec_next and hands results
     * to cor_ens_exec_deliver. */
    int (*remote)(void *ctx, cor_ens_exec *ex, int *active);
    void *remote_ctx;
} cor_ens_exec_opts;

/* Run the listed run numbers and store each in st as it finishes.  Only the
 * calling thread touches st.  After the first failure (a run, a worker or a
 * store write) no new run starts; runs under way are still stored.  Returns
 * COR_OK or the first failure's code with its message in err. */
int cor_ens_execute(const cor_ens_plan *plan, struct cor_store *st, const uint32_t *runs, int n_runs,
                    const cor_ens_exec_opts *opts, char *err, size_t errlen);

/* For remote hooks: the next run to hand out (1) or none left / stopping (0). */
int cor_ens_exec_next(cor_ens_exec *ex, uint32_t *run);
/* Store a result (takes ownership); COR_OK or the store's code (the
 * executor then stops). */
int cor_ens_exec_deliver(cor_ens_exec *ex, cor_ens_result *r);
/* Record a failure reported by a remote worker; the executor stops. */
void cor_ens_exec_fail(cor_ens_exec *ex, int code, const char *msg);

/* -------------------------------------------------------------- MPI */

/* The number of processes of the MPI job this process was started in by
 * mpirun/mpiexec, read from the environment (OMPI_COMM_WORLD_SIZE, or
 * PMI_SIZE / PMIX_SIZE): 0 when not launched by mpirun.  Works without MPI
 * support (so a binary without it can refuse). */
int cor_ens_mpi_env_size(void);

#ifdef COR_HAVE_MPI
/* MPI_Init_thread (funneled: only the calling thread uses MPI); rank and
 * size of MPI_COMM_WORLD.  COR_ESTATE if MPI cannot start. */
int cor_ens_mpi_init(int *rank, int *size);
/* Wait for every rank (without spinning) and MPI_Finalize. */
void cor_ens_mpi_finalize(void);
/* Rank 0 tells the others whether to go on (code COR_OK) or stop. */
int cor_ens_mpi_share_status(int code);
/* The manager's remote hook (opts.remote, ctx = a zeroed cor_ens_mpi_mgr):
 * answers workers' requests with run numbers and stores their results. */
typedef struct {
    int started, active;   /* workers not yet told to stop */
} cor_ens_mpi_mgr;
int cor_ens_mpi_manager(void *ctx, cor_ens_exec *ex, int *active);
/* A worker rank: ask rank 0 for runs, compute, send the results back, until
 * told to stop.  COR_OK, or the code of this rank's failure (also reported
 * to rank 0). */
int cor_ens_mpi_worker(const cor_ens_plan *plan, char *err, size_t errlen);
#endif

#endif
