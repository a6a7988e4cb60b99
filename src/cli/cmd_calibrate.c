/* cmd_calibrate.c - `corredor calibrate SCENARIO --until YYYY-MM`: fit the
 * scenario's calibrated parameters and re-estimate its latent demand against
 * the USBP encounter record (src/analysis/calibrate.h, docs/CALIBRATION.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/calibrate.h"
#include "cli/cli.h"
#include "corredor.h"

int cli_cmd_calibrate(int argc, char **argv);

static const char usage[] =
    "usage: corredor calibrate SCENARIO --until YYYY-MM [--scale K] [--threads T] [--out FILE]\n"
    "                          [--max-evals N] [--seed N] [--reps R] [--rounds N]\n"
    "                          [--fix NAME[,PREFIX*,...]] [--data DIR | --obs FILE.csv]\n"
    "                          [--no-demand] [--no-params] [--no-interval] [-q]\n"
    "\n"
    "Fit the parameters marked `calibrated` in SCENARIO (within their ranges, NLopt BOBYQA)\n"
    "and re-estimate its latent departure demand by inverting the model, so that the model\n"
    "reproduces the monthly US Border Patrol southwest encounters of each group up to\n"
    "--until (no later data are read).  Every evaluation uses the same seed and run numbers\n"
    "(common random numbers).  The method and the objective: docs/CALIBRATION.md.\n"
    "\n"
    "  --until YYYY-MM   last month of the record used (required)\n"
    "  --scale K         people per agent (default 100)\n"
    "  --threads T       runs side by side (default 1; results do not depend on it)\n"
    "  --out FILE        the overlay to write (default out/<scenario name>-calibrated.yaml);\n"
    "                    also FILE's stem + '-demand/<group>.csv' and FILE's stem + '.json'\n"
    "  --max-evals N     optimiser evaluations per round (default 150)\n"
    "  --seed N          seed of every run (default: the scenario's meta.seed)\n"
    "  --reps R          runs per evaluation, averaged (run numbers 0..R-1; default 2)\n"
    "  --rounds N        parameter fit + demand inversion rounds at most (default 2)\n"
    "  --fix LIST        calibrated parameters kept at their values: names, or prefixes ending in *\n"
    "                    (default 'comar_*': COMAR's application parameters are for COMAR's own record,\n"
    "                    not the encounters; 'none' fits every calibrated parameter)\n"
    "  --data DIR        folder of the encounter files (default data)\n"
    "  --obs FILE.csv    observations month,group,people instead of --data\n"
    "  --no-demand       fit the parameters only (the demand is kept)\n"
    "  --no-params       re-estimate the demand only (the parameters are kept)\n"
    "  --no-interval     skip the curvature runs (no 90% intervals)\n"
    "  -q, --quiet       no progress on stderr\n"
    "\n"
    "The overlay written is a scenario of its own (base: SCENARIO, the fitted parameters, the\n"
    "re-estimated demand): run or validate it directly (corredor run FILE, corredor validate FILE),\n"
    "not through --params.\n"
    "\n"
    "exit codes: 0 ok, 1 a run failed, 2 bad command line, 3 invalid scenario or data, 4 FILE not written\n";

typedef struct {
    double t0;
} progress_state;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(void *ctx, const char *msg)
{
    const progress_state *p = ctx;
    fprintf(stderr, "corredor calibrate: [%6.0f s] %s\n", wall() - p->t0, msg);
}

static void print_result(const cor_calib *c, const char *out)
{
    char m1[8], m2[8];
    cor_cal_format_month(c->fit_first, m1);
    cor_cal_format_month(c->fit_last, m2);
    printf("corredor calibrate: %s, months %s .. %s, scale %g, %d runs per evaluation\n", c->scenario_path, m1, m2,
           c->opt.scale, c->opt.reps);
    printf("  %d round(s), %d evaluations, %d runs, %.0f s\n", c->rounds_done, c->evals, c->sims, c->runtime_s);
    if (c->round_evals[0] > 0) {
        printf("  objective by round (a later round's measures the demand correction its parameters need;\n"
               "  rounds are not comparable):");
        for (int r = 0; r < c->rounds_done; r++)
            if (c->round_evals[r] > 0)
                printf(" %d: %.4f -> %.4f;", r + 1, c->round_obj_start[r], c->round_obj_end[r]);
        printf("\n");
    }
    printf("  monthly SW encounters: MAPE %.1f%% corr %.3f (prior) -> %.1f%% / %.3f (fitted parameters, prior demand)"
           " -> %.1f%% / %.3f (re-estimated demand)\n",
           c->mape_start, c->corr_start, c->mape_params, c->corr_params, c->mape_end, c->corr_end);
    printf("  %-34s %12s %12s %25s  %s\n", "parameter", "prior", "value", "90% interval", "status");
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        char ci[64] = "";
        if (p->status == COR_CAL_FITTED && !isnan(p->ci_lo))
            snprintf(ci, sizeof ci, "[%.4g, %.4g]", p->ci_lo, p->ci_hi);
        printf("  %-34s %12.6g %12.6g %25s  %s\n", p->name, p->start, p->value, ci,
               p->status == COR_CAL_FITTED         ? (p->identified ? "fitted" : "fitted (weakly identified)")
               : p->status == COR_CAL_FIXED_SCREEN ? "kept: no visible effect on encounters"
               : p->status == COR_CAL_FIXED_GROUP  ? "kept: acts on one group"
                                                   : "kept: --fix (default comar_*)");
    }
    if (out) {
        printf("  wrote %s (and its -demand/ CSVs and .json)\n", out);
        printf("  use it as the scenario (it names its base itself): corredor validate %s; corredor run %s\n"
               "  (not as --params: an overlay given to --params may not have a base:)\n", out, out);
    }
}

int cli_cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"until", required_argument, 0, 'u'},   {"scale", required_argument, 0, 'k'},
        {"threads", required_argument, 0, 't'}, {"out", required_argument, 0, 'o'},
        {"max-evals", required_argument, 0, 'e'}, {"seed", required_argument, 0, 's'},
        {"reps", required_argument, 0, 'r'},    {"rounds", required_argument, 0, 'R'},
        {"fix", required_argument, 0, 'f'},     {"data", required_argument, 0, 'd'},
        {"obs", required_argument, 0, 'b'},     {"no-demand", no_argument, 0, 'D'},
        {"no-params", no_argument, 0, 'P'},     {"no-interval", no_argument, 0, 'I'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    cor_cal_options o = {.burn_in = -1, .fix = "comar_*"};
    const char *out = NULL, *data = "data", *obs_csv = NULL;
    int quiet = 0, ch, have_data = 0;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (ch) {
        case 'h': fputs(usage, stdout); return CLI_OK;
        case 'q': quiet = 1; break;
        case 'o': out = optarg; break;
        case 'f': o.fix = strcmp(optarg, "none") == 0 ? NULL : optarg; break;
        case 'd': data = optarg, have_data = 1; break;
        case 'b': obs_csv = optarg; break;
        case 'D': o.no_demand = 1; break;
        case 'P': o.no_params = 1; break;
        case 'I': o.no_interval = 1; break;
        case 'u':
            if (cor_cal_parse_month(optarg, &o.until)) {
                fprintf(stderr, "corredor calibrate: --until: '%s' is not a month YYYY-MM\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'k':
            if (cli_opt_positive("calibrate", "scale", optarg, &o.scale))
                return CLI_USAGE;
            break;
        case 's':
            if (cli_opt_seed("calibrate", optarg, &v))
                return CLI_USAGE;
            o.seed = v, o.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("calibrate", "threads", optarg, 1, 1024, &o.threads))
                return CLI_USAGE;
            break;
        case 'e':
            if (cli_opt_int("calibrate", "max-evals", optarg, 1, 1000000, &o.max_evals))
                return CLI_USAGE;
            break;
        case 'r':
            if (cli_opt_int("calibrate", "reps", optarg, 1, 64, &o.reps))
                return CLI_USAGE;
            break;
        case 'R':
            if (cli_opt_int("calibrate", "rounds", optarg, 1, COR_CAL_MAXROUNDS, &o.rounds))
                return CLI_USAGE;
            break;
        default:
            fprintf(stderr, "corredor calibrate: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "corredor calibrate: expected exactly one SCENARIO file\n%s", usage);
        return CLI_USAGE;
    }
    if (o.until <= 0) {
        fprintf(stderr, "corredor calibrate: --until YYYY-MM is required\n%s", usage);
        return CLI_USAGE;
    }
    if (obs_csv && have_data) {
        fprintf(stderr, "corredor calibrate: give --data or --obs, not both\n");
        return CLI_USAGE;
    }
    if (o.no_demand && o.no_params) {
        fprintf(stderr, "corredor calibrate: --no-demand and --no-params leave nothing to do\n");
        return CLI_USAGE;
    }
    const char *path = argv[optind];

    cor_cal_obs *obs = cor_cal_obs_new();
    if (!obs) {
        fprintf(stderr, "corredor calibrate: out of memory\n");
        return CLI_FAIL;
    }
    int rc = obs_csv ? cor_cal_obs_from_csv(obs, obs_csv, o.until) : cor_cal_obs_from_data(obs, data, o.until);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor calibrate: %s\n", obs->errmsg);
        cor_cal_obs_free(obs);
        return rc == COR_ENOMEM ? CLI_FAIL : rc == COR_EIO ? CLI_INPUT : cli_exit_code(rc);
    }
    progress_state ps = {wall()};
    if (!quiet) {
        o.progress = progress;
        o.progress_ctx = &ps;
    }
    cor_calib *c = NULL;
    rc = cor_calibrate(path, obs, &o, &c);
    cor_cal_obs_free(obs);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor calibrate: %s\n", c ? c->errmsg : "out of memory");
        cor_calib_free(c);
        return rc == COR_EIO ? CLI_INPUT : cli_exit_code(rc); /* cor_calibrate only reads: a file it cannot read is input */
    }
    char def[4200], date[11];
    if (!out) {
        snprintf(def, sizeof def, "out/%s-calibrated.yaml", c->scenario_name);
        out = def;
    }
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    rc = cor_calib_write(c, out, date);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor calibrate: %s\n", c->errmsg);
        cor_calib_free(c);
        return rc == COR_EIO ? CLI_IO : cli_exit_code(rc);
    }
    print_result(c, out);
    cor_calib_free(c);
    return CLI_OK;
}
