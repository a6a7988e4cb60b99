/* cmd_sensitivity.c - `corredor sensitivity SCENARIO`: run the scenario with
 * each assumed (and optionally calibrated) parameter at both ends of its
 * range, all else unchanged and the same seed, and report how far every
 * headline total moves against the base run. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli/cli.h"
#include "corredor.h"

static const char usage[] =
    "usage: corredor sensitivity SCENARIO [--scale K] [--seed N] [--threads N] [--calibrated]\n"
    "                            [--only NAME[,NAME...]] [-o FILE.csv] [-q]\n"
    "\n"
    "For every parameter marked `assumed` (with --calibrated, also `calibrated`), run the\n"
    "scenario with that parameter at the low and at the high end of its range, everything\n"
    "else as written and the same seed, and print how much the headline totals\n"
    "(summary.json keys) move against the base run.  Runs are spread over --threads\n"
    "(each run on one thread; results do not depend on it).\n"
    "\n"
    "  -o FILE.csv   also write parameter,provenance,end,value,key,base,result,change_pct\n"
    "\n"
    "exit codes: 0 ok, 1 a run failed, 2 bad command line, 3 invalid scenario, 4 FILE not written\n";

/* Headlines shown in the printed table (all go to the CSV). */
static const char *const shown[] = {"us_encounters",      "inm_detentions",    "deportations_land", "comar_applications",
                                    "mpp_stranded_peak", "title42_expulsions", "deaths"};
#define N_SHOWN (int)(sizeof shown / sizeof *shown)

typedef struct {
    int param;       /* index in the scenario, -1 for the base run */
    int end;         /* 0 low, 1 high */
    double value;
    double *totals;  /* one per headline key */
    int rc;
    char err[512];
} job;

static int run_job(const char *path, const cor_options *opt, job *j, int nk, const char *const *keys)
{
    cor_scenario *sc = NULL;
    cor_sim *sim = NULL;
    int rc = cor_scenario_load(path, &sc);
    if (rc == COR_OK && j->param >= 0)
        rc = cor_scenario_set_param(sc, cor_scenario_param(sc, j->param, NULL, NULL, NULL, NULL), j->value);
    if (rc == COR_OK && !(sim = cor_sim_new()))
        rc = COR_ENOMEM;
    if (rc == COR_OK && (rc = cor_sim_init(sim, sc, opt)) == COR_OK)
        rc = cor_sim_run(sim);
    if (rc == COR_OK) {
        for (int k = 0; k < nk; k++) {
            j->totals[k] = 0;
            cor_sim_summary(sim, keys[k], 0, &j->totals[k]);
        }
    } else {
        snprintf(j->err, sizeof j->err, "%s", sim ? cor_sim_errmsg(sim) : cor_scenario_errmsg(sc));
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
    return rc;
}

static int listed(const char *only, const char *name)
{
    if (!only)
        return 1;
    size_t n = strlen(name);
    for (const char *p = only; (p = strstr(p, name)); p += n)
        if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
            return 1;
    return 0;
}

static void pct(char *out, size_t n, double base, double v)
{
    if (base == 0)
        snprintf(out, n, "%s", v == 0 ? "0" : "n/a");
    else
        snprintf(out, n, "%+.1f%%", 100.0 * (v - base) / fabs(base));
}

int cli_cmd_sensitivity(int argc, char **argv)
{
    static const struct option opts[] = {{"seed", required_argument, 0, 's'},  {"scale", required_argument, 0, 'k'},
                                         {"threads", required_argument, 0, 't'}, {"calibrated", no_argument, 0, 'c'},
                                         {"only", required_argument, 0, 'n'},   {"out", required_argument, 0, 'o'},
                                         {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cor_options opt = {0};
    int threads = 1, calibrated = 0, quiet = 0, ch;
    const char *only = NULL, *out = NULL;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (ch) {
        case 'h': fputs(usage, stdout); return CLI_OK;
        case 'q': quiet = 1; break;
        case 'c': calibrated = 1; break;
        case 'n': only = optarg; break;
        case 'o': out = optarg; break;
        case 's':
            if (cli_opt_seed("sensitivity", optarg, &v))
                return CLI_USAGE;
            opt.seed = v, opt.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("sensitivity", "threads", optarg, 1, 1024, &threads))
                return CLI_USAGE;
            break;
        case 'k':
            if (cli_opt_positive("sensitivity", "scale", optarg, &opt.scale))
                return CLI_USAGE;
            break;
        default:
            fprintf(stderr, "corredor sensitivity: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "corredor sensitivity: expected exactly one SCENARIO file\n%s", usage);
        return CLI_USAGE;
    }
    const char *path = argv[optind];
    opt.threads = 1;

    /* validate the scenario once (modules included) and list the jobs */
    cor_scenario *sc = NULL;
    cor_sim *probe = NULL;
    int rc = cli_prepare(path, NULL, &opt, "sensitivity", &sc, &probe);
    cor_sim_free(probe);
    if (rc != CLI_OK) {
        cor_scenario_free(sc);
        return rc;
    }
    int np = cor_scenario_n_params(sc), nk, nj = 1;
    const char *const *keys = cor_headline_keys(&nk);
    job *jobs = calloc((size_t)(2 * np + 1), sizeof *jobs);
    double *totals = calloc((size_t)(2 * np + 1) * (size_t)nk, sizeof *totals);
    if (!jobs || !totals) {
        fprintf(stderr, "corredor sensitivity: out of memory\n");
        free(jobs), free(totals), cor_scenario_free(sc);
        return CLI_FAIL;
    }
    jobs[0].param = -1;
    for (int i = 0; i < np; i++) {
        double value, lo, hi;
        int prov;
        const char *name = cor_scenario_param(sc, i, &value, &prov, &lo, &hi);
        if (!(prov == COR_PARAM_ASSUMED || (calibrated && prov == COR_PARAM_CALIBRATED)) || !listed(only, name) ||
            lo == hi)
            continue;
        jobs[nj++] = (job){.param = i, .end = 0, .value = lo};
        jobs[nj++] = (job){.param = i, .end = 1, .value = hi};
    }
    for (int j = 0; j < nj; j++)
        jobs[j].totals = totals + (size_t)j * (size_t)nk;
    if (!quiet)
        printf("corredor sensitivity: %s, %d parameter ends to run (+1 base) on %d thread%s\n", path, nj - 1, threads,
               threads > 1 ? "s" : "");
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (int j = 0; j < nj; j++)
        jobs[j].rc = run_job(path, &opt, &jobs[j], nk, keys);
    rc = CLI_OK;
    for (int j = 0; j < nj; j++)
        if (jobs[j].rc != COR_OK) {
            fprintf(stderr, "corredor sensitivity: run %d failed: %s\n", j, jobs[j].err);
            rc = CLI_FAIL;
        }

    if (rc == CLI_OK) {
        const double *base = jobs[0].totals;
        printf("%-34s %11s %11s", "parameter [low, high]", "low", "high");
        for (int s = 0; s < N_SHOWN; s++)
            printf(" %18.18s", shown[s]);
        printf("\n");
        for (int j = 1; j + 1 < nj; j += 2) {
            const char *name = cor_scenario_param(sc, jobs[j].param, NULL, NULL, NULL, NULL);
            printf("%-34.34s %11.4g %11.4g", name, jobs[j].value, jobs[j + 1].value);
            for (int s = 0; s < N_SHOWN; s++) {
                int k = 0;
                while (k < nk && strcmp(keys[k], shown[s]) != 0)
                    k++;
                char a[24] = "", b[24] = "", cell[48];
                if (k < nk) {
                    pct(a, sizeof a, base[k], jobs[j].totals[k]);
                    pct(b, sizeof b, base[k], jobs[j + 1].totals[k]);
                }
                snprintf(cell, sizeof cell, "%s/%s", a, b);
                printf(" %18.18s", cell);
            }
            printf("\n");
        }
        printf("(each cell: change of the total against the base run with the parameter at its low/high end)\n");
    }
    if (rc == CLI_OK && out) {
        FILE *f = fopen(out, "w");
        if (!f) {
            fprintf(stderr, "corredor sensitivity: cannot write '%s': %s\n", out, strerror(errno));
            rc = CLI_IO;
        } else {
            fprintf(f, "parameter,provenance,end,value,key,base,result,change_pct\n");
            for (int j = 1; j < nj; j++) {
                int prov;
                const char *name = cor_scenario_param(sc, jobs[j].param, NULL, &prov, NULL, NULL);
                for (int k = 0; k < nk; k++) {
                    double b = jobs[0].totals[k], v = jobs[j].totals[k];
                    fprintf(f, "%s,%s,%s,%.10g,%s,%.10g,%.10g,", name, prov == COR_PARAM_ASSUMED ? "assumed" : "calibrated",
                            jobs[j].end ? "high" : "low", jobs[j].value, keys[k], b, v);
                    if (b != 0)
                        fprintf(f, "%.4f", 100.0 * (v - b) / fabs(b));
                    fprintf(f, "\n");
                }
            }
            if (fclose(f)) {
                fprintf(stderr, "corredor sensitivity: cannot write '%s': %s\n", out, strerror(errno));
                rc = CLI_IO;
            }
        }
    }
    free(jobs);
    free(totals);
    cor_scenario_free(sc);
    return rc;
}
