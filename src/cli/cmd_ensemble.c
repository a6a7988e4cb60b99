/* cmd_ensemble.c - `corredor ensemble SCENARIO -n N ... --db FILE.sqlite`:
 * N runs of a scenario (each its own run number and --vary draws) into a
 * SQLite result store, resumable; quantile bands; a deterministic dump; the
 * same command under mpirun spreads runs over ranks.  docs/ENSEMBLES.md. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/bands.h"
#include "analysis/ensemble.h"
#include "analysis/store.h"
#include "cli/cli.h"
#include "corredor.h"

int cli_cmd_ensemble(int argc, char **argv);

static const char usage[] =
    "usage: corredor ensemble SCENARIO -n N --db FILE.sqlite [--vary NAME=LO:HI ...] [--scale K]\n"
    "                         [--threads T] [--seed S] [--params FILE] [--bands FILE.csv [--bands-totals]]\n"
    "                         [--dump FILE|-] [-q]\n"
    "       corredor ensemble --db FILE.sqlite [--bands FILE.csv [--bands-totals]] [--dump FILE|-]\n"
    "\n"
    "Run the scenario N times (run numbers 0..N-1; each run single-threaded, its random\n"
    "streams keyed by (seed, run)) and store every run's series, one transaction per run,\n"
    "in a SQLite file.  Running the same command again resumes: runs already stored are\n"
    "kept and not run again.  A store made by another scenario, scale, seed, --vary spec\n"
    "or corredor version is refused (exit 3).\n"
    "\n"
    "  -n, --runs N        runs 0..N-1 (with a store of fewer runs: the missing ones)\n"
    "  --db FILE           the result store (created if absent)\n"
    "  --vary NAME=LO:HI   draw parameter NAME uniformly in [LO, HI] for each run\n"
    "                      (deterministic from seed, run and NAME; repeatable)\n"
    "  --scale K           people per agent (default: the scenario's meta.scale)\n"
    "  --threads T         runs computed at once (default 1); results do not depend on it.\n"
    "                      Under mpirun: runs rank 0 computes besides managing (0: none)\n"
    "  --seed S            base seed (default: the scenario's meta.seed)\n"
    "  --params FILE       overlay applied to the scenario (part of the scenario hash)\n"
    "  --bands FILE.csv    then write 5/50/95% quantile bands of every series cell over\n"
    "                      the runs in the store: month,series,place,group,demographic,n,q05,q50,q95\n"
    "  --bands-totals      also a band for each series' total per month (place, group,\n"
    "                      demographic '*')\n"
    "  --dump FILE|-       then write the store as text (runs, then every cell; no times)\n"
    "  -q, --quiet         no summary, no progress bar\n"
    "\n"
    "Under `mpirun -np K corredor ensemble ...` (Open MPI) rank 0 hands out runs and is the\n"
    "only writer; the results are those of the threaded run with the same seed.\n"
    "A progress bar with ETA is drawn on stderr when it is a terminal.\n"
    "\n"
    "exit codes: 0 ok, 1 a run failed, 2 bad command line, 3 invalid scenario or a store\n"
    "of another ensemble, 4 store or output not written\n";

typedef struct {
    const char *scenario, *db, *bands, *dump;
    int n_runs, threads, threads_set, totals, quiet;
    cor_ens_plan plan;
} args;

static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"runs", required_argument, 0, 'n'},   {"db", required_argument, 0, 'd'},     {"vary", required_argument, 0, 'v'},
        {"scale", required_argument, 0, 'k'},  {"threads", required_argument, 0, 't'}, {"seed", required_argument, 0, 's'},
        {"params", required_argument, 0, 'p'}, {"bands", required_argument, 0, 'b'},  {"bands-totals", no_argument, 0, 'T'},
        {"dump", required_argument, 0, 'D'},   {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->n_runs = -1;
    a->threads = 1;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "n:qh", opts, NULL)) != -1) {
        uint64_t v;
        char err[512];
        switch (ch) {
        case 'h': fputs(usage, stdout); return -1;
        case 'q': a->quiet = 1; break;
        case 'd': a->db = optarg; break;
        case 'b': a->bands = optarg; break;
        case 'T': a->totals = 1; break;
        case 'D': a->dump = optarg; break;
        case 'p': a->plan.params = optarg; break;
        case 'n':
            if (cli_parse_u64(optarg, &v) || v < 1 || v > 100000000) {
                fprintf(stderr, "corredor ensemble: -n: '%s' is not a number from 1 to 100000000\n", optarg);
                return CLI_USAGE;
            }
            a->n_runs = (int)v;
            break;
        case 't':
            if (cli_opt_int("ensemble", "threads", optarg, 0, 1024, &a->threads))
                return CLI_USAGE;
            a->threads_set = 1;
            break;
        case 's':
            if (cli_opt_seed("ensemble", optarg, &v))
                return CLI_USAGE;
            a->plan.seed = v, a->plan.has_seed = 1;
            break;
        case 'k':
            if (cli_opt_positive("ensemble", "scale", optarg, &a->plan.scale))
                return CLI_USAGE;
            break;
        case 'v':
            if (cor_ens_plan_add_vary(&a->plan, optarg, err, sizeof err) != COR_OK) {
                fprintf(stderr, "corredor ensemble: %s\n", err);
                return CLI_USAGE;
            }
            break;
        default:
            fprintf(stderr, "corredor ensemble: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        a->scenario = a->plan.scenario = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "corredor ensemble: expected one SCENARIO, got also '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    if (!a->db) {
        fprintf(stderr, "corredor ensemble: --db FILE.sqlite is required\n");
        return CLI_USAGE;
    }
    if (a->scenario && a->n_runs < 0) {
        fprintf(stderr, "corredor ensemble: -n N (the number of runs) is required with a SCENARIO\n");
        return CLI_USAGE;
    }
    if (!a->scenario && (a->n_runs >= 0 || a->plan.n_vary || a->plan.params || a->plan.has_seed || a->plan.scale > 0)) {
        fprintf(stderr, "corredor ensemble: -n, --vary, --params, --seed and --scale need a SCENARIO\n");
        return CLI_USAGE;
    }
    if (!a->scenario && !a->bands && !a->dump) {
        fprintf(stderr, "corredor ensemble: nothing to do: give a SCENARIO and -n, or --bands / --dump\n%s", usage);
        return CLI_USAGE;
    }
    if (a->totals && !a->bands) {
        fprintf(stderr, "corredor ensemble: --bands-totals needs --bands FILE\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* ------------------------------------------------------------ progress */

typedef struct {
    int before;   /* runs already in the store */
    int n;        /* runs wanted */
} bar;

static void fmt_dur(double s, char *out, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60)
        snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(out, n, "%lds", t);
}

static void progress(void *ctx, int done, int total, double elapsed)
{
    const bar *b = ctx;
    int width = 30, have = b->before + done, fill = b->n ? (int)((double)width * have / b->n) : width;
    char bars[64], el[32], eta[32];
    for (int i = 0; i < width; i++)
        bars[i] = i < fill ? '#' : '.';
    bars[width] = 0;
    fmt_dur(elapsed, el, sizeof el);
    if (done < total)
        fmt_dur(elapsed / done * (total - done), eta, sizeof eta);
    else
        snprintf(eta, sizeof eta, "0s");
    fprintf(stderr, "\rensemble [%s] %d/%d runs  elapsed %s  ETA %s   ", bars, have, b->n, el, eta);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------ preparing */

/* Each varied parameter must exist; a warning when LO:HI leaves its
 * declared range; the scenario must initialise at both ends. */
static int check_vary(const args *a, cor_scenario *sc, const cor_options *opt)
{
    for (int i = 0; i < a->plan.n_vary; i++) {
        const cor_ens_vary *v = &a->plan.vary[i];
        int k = -1, np = cor_scenario_n_params(sc), prov;
        double value = 0, lo = 0, hi = 0;
        for (int j = 0; j < np && k < 0; j++)
            if (strcmp(cor_scenario_param(sc, j, &value, &prov, &lo, &hi), v->name) == 0)
                k = j;
        if (k < 0) {
            fprintf(stderr, "corredor ensemble: --vary %s: %s has no parameter of that name\n", v->name, a->scenario);
            return CLI_USAGE;
        }
        if (lo < hi && (v->lo < lo || v->hi > hi) && !a->quiet)
            fprintf(stderr, "corredor ensemble: warning: --vary %s=%g:%g leaves the range [%g, %g] the scenario gives\n",
                    v->name, v->lo, v->hi, lo, hi);
        for (int end = 0; end < 2; end++) {
            cor_scenario_set_param(sc, v->name, end ? v->hi : v->lo);
            cor_sim *sim = cor_sim_new();
            int rc = sim ? cor_sim_init(sim, sc, opt) : COR_ENOMEM;
            if (rc != COR_OK)
                fprintf(stderr, "corredor ensemble: --vary %s=%.17g:%.17g: with %s = %.17g: %s\n", v->name, v->lo,
                        v->hi, v->name, end ? v->hi : v->lo, sim ? cor_sim_errmsg(sim) : "out of memory");
            cor_sim_free(sim);
            if (rc != COR_OK) {
                cor_scenario_set_param(sc, v->name, value);
                return rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT;
            }
        }
        cor_scenario_set_param(sc, v->name, value);
    }
    return CLI_OK;
}

static int store_exit(int rc) { return rc == COR_EINPUT ? CLI_INPUT : rc == COR_ENOMEM ? CLI_FAIL : CLI_IO; }

/* Load and check the scenario, open (or create) the store with this
 * ensemble's identity and list the runs still to do. */
static int prepare(const args *a, cor_store **pst, uint32_t **todo, int *n_todo, int *before)
{
    cor_scenario *sc = NULL;
    cor_sim *probe = NULL;
    cor_options opt = {.seed = a->plan.seed, .has_seed = a->plan.has_seed, .scale = a->plan.scale, .threads = 1};
    int rc = cli_prepare(a->scenario, a->plan.params, &opt, "ensemble", &sc, &probe);
    if (rc == CLI_OK && !a->quiet)
        cli_warn_unused(probe, "ensemble");
    if (rc == CLI_OK)
        rc = check_vary(a, sc, &opt);
    if (rc != CLI_OK) {
        cor_sim_free(probe);
        cor_scenario_free(sc);
        return rc;
    }
    char hash[33], vary[COR_ENS_MAX_VARY * (COR_ENS_NAME_MAX + 64)];
    cor_ens_scenario_hash(sc, hash);
    cor_ens_vary_spec(&a->plan, vary, sizeof vary);
    cor_store_identity id = {.scenario_hash = hash,
                             .scale = cor_sim_scale(probe),
                             .seed = a->plan.has_seed ? a->plan.seed : cor_scenario_seed(sc),
                             .vary = vary,
                             .version = cor_version(),
                             .scenario = a->scenario};
    cor_sim_free(probe);
    cor_scenario_free(sc);
    int r = cor_store_open(a->db, &id, pst);
    if (r == COR_OK)
        r = cor_store_missing_runs(*pst, a->n_runs, todo, n_todo, before);
    if (r != COR_OK) {
        fprintf(stderr, "corredor ensemble: %s\n", cor_store_errmsg(*pst));
        return store_exit(r);
    }
    return CLI_OK;
}

/* ------------------------------------------------------------ outputs */

static int write_dump(cor_store *st, const char *path)
{
    if (strcmp(path, "-") == 0) {
        int rc = cor_store_dump(st, stdout);
        if (rc == COR_OK && fflush(stdout))
            rc = COR_EIO;
        if (rc != COR_OK)
            fprintf(stderr, "corredor ensemble: --dump: %s\n", cor_store_errmsg(st));
        return rc == COR_OK ? CLI_OK : store_exit(rc);
    }
    size_t n = strlen(path) + 9;
    char *tmp = malloc(n);
    if (!tmp)
        return CLI_FAIL;
    snprintf(tmp, n, "%s.partial", path);
    FILE *f = fopen(tmp, "w");
    int rc = f ? cor_store_dump(st, f) : COR_EIO;
    if (f && fclose(f) && rc == COR_OK)
        rc = COR_EIO;
    if (rc == COR_OK && rename(tmp, path))
        rc = COR_EIO;
    if (rc != COR_OK) {
        fprintf(stderr, "corredor ensemble: cannot write %s: %s\n", path,
                f ? cor_store_errmsg(st) : strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return rc == COR_OK ? CLI_OK : store_exit(rc == COR_EINPUT ? COR_EIO : rc);
}

static int finish_outputs(const args *a, cor_store *st)
{
    if (a->bands) {
        int64_t rows = 0;
        int rc = cor_bands_write(st, a->bands, a->totals, &rows);
        if (rc != COR_OK) {
            fprintf(stderr, "corredor ensemble: --bands: %s\n", cor_store_errmsg(st));
            return store_exit(rc);
        }
        if (!a->quiet)
            printf("bands: %s (%" PRId64 " rows)\n", a->bands, rows);
    }
    return a->dump ? write_dump(st, a->dump) : CLI_OK;
}

/* The runs, threaded or (mpi) as rank 0 of an MPI job. */
static int run_manager(const args *a, cor_store *st, const uint32_t *todo, int n_todo, int before, int mpi_size)
{
    bar b = {before, a->n_runs};
    cor_ens_exec_opts eo = {.threads = a->threads};
    if (!a->quiet && isatty(STDERR_FILENO))
        eo.progress = progress, eo.progress_ctx = &b;
#ifdef COR_HAVE_MPI
    cor_ens_mpi_mgr mgr = {0};
    if (mpi_size > 1)
        eo.remote = cor_ens_mpi_manager, eo.remote_ctx = &mgr;
#endif
    if (!a->quiet) {
        if (mpi_size > 1)
            printf("corredor ensemble: %d runs of %s: %d in the store, %d to run on %d MPI ranks (rank 0 computes %d "
                   "at a time besides managing)\n",
                   a->n_runs, a->scenario, before, n_todo, mpi_size, a->threads);
        else
            printf("corredor ensemble: %d runs of %s: %d in the store, %d to run on %d thread%s\n", a->n_runs,
                   a->scenario, before, n_todo, a->threads, a->threads > 1 ? "s" : "");
        fflush(stdout);
    }
    char err[1024] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = cor_ens_execute(&a->plan, st, todo, n_todo, &eo, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc != COR_OK) {
        if (eo.progress)
            fputc('\n', stderr);
        fprintf(stderr, "corredor ensemble: %s\n", err);
        fprintf(stderr, "corredor ensemble: stopped; the runs stored so far are kept (run the same command to resume)\n");
        return rc == COR_EIO ? CLI_IO : rc == COR_EINPUT ? CLI_INPUT : CLI_FAIL;
    }
    if (!a->quiet) {
        struct stat sb;
        double mb = stat(a->db, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
        printf("ran %d runs in %.1f s (%.2f s per run); %s: %d runs, %.1f MB\n", n_todo, secs,
               n_todo ? secs / n_todo : 0.0, a->db, before + n_todo, mb);
    }
    return CLI_OK;
}

int cli_cmd_ensemble(int argc, char **argv)
{
    args a;
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    int mpi_size = cor_ens_mpi_env_size();
#ifdef COR_HAVE_MPI
    int rank = 0;
    if (mpi_size > 1) {
        int want = mpi_size;
        if (cor_ens_mpi_init(&rank, &mpi_size) != COR_OK) {
            fprintf(stderr, "corredor ensemble: cannot start MPI\n");
            return CLI_FAIL;
        }
        if (mpi_size != want) { /* e.g. another MPI's launcher: each process would be a rank 0 */
            fprintf(stderr, "corredor ensemble: the launcher started %d processes but MPI sees %d; use Open MPI's "
                            "mpirun\n", want, mpi_size);
            cor_ens_mpi_finalize();
            return CLI_USAGE;
        }
    }
#else
    if (mpi_size > 1) {
        fprintf(stderr, "corredor ensemble: started by mpirun with %d processes, but this corredor was built without "
                        "MPI (each process would run the whole ensemble); run it without mpirun\n", mpi_size);
        return CLI_USAGE;
    }
#endif
    if (mpi_size <= 1 && a.threads < 1) {
        fprintf(stderr, "corredor ensemble: --threads: 0 is only allowed under mpirun\n");
        return CLI_USAGE;
    }
#ifdef COR_HAVE_MPI
    if (mpi_size > 1 && rank != 0) {
        int go = a.scenario ? cor_ens_mpi_share_status(CLI_OK) : CLI_OK;
        int wrc = CLI_OK;
        if (a.scenario && go == CLI_OK) {
            char err[1024];
            wrc = cor_ens_mpi_worker(&a.plan, err, sizeof err); /* rank 0 reports the failure */
            wrc = wrc == COR_OK ? CLI_OK : cli_exit_code(wrc);
        }
        cor_ens_mpi_finalize();
        return a.scenario && go != CLI_OK ? go : wrc;
    }
#endif
    cor_store *st = NULL;
    uint32_t *todo = NULL;
    int n_todo = 0, before = 0;
    if (a.scenario) {
        rc = prepare(&a, &st, &todo, &n_todo, &before);
#ifdef COR_HAVE_MPI
        if (mpi_size > 1)
            cor_ens_mpi_share_status(rc);
#endif
        if (rc == CLI_OK)
            rc = run_manager(&a, st, todo, n_todo, before, mpi_size);
    }
#ifdef COR_HAVE_MPI
    if (mpi_size > 1)
        cor_ens_mpi_finalize();
#endif
    if (rc == CLI_OK && !st) {
        int r = cor_store_open(a.db, NULL, &st);
        if (r != COR_OK) {
            fprintf(stderr, "corredor ensemble: %s\n", cor_store_errmsg(st));
            rc = store_exit(r);
        }
    }
    if (rc == CLI_OK)
        rc = finish_outputs(&a, st);
    free(todo);
    cor_store_close(st);
    return rc;
}
