/* cmd_hindcast.c - `corredor hindcast SCENARIO --train-until YYYY-MM
 * --horizon M`: fit on the record up to a month, forecast M months, score
 * against the record and two baselines (src/analysis/hindcast.h,
 * docs/VALIDATION.md "Hindcasts"). */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis/hindcast.h"
#include "cli/cli.h"
#include "corredor.h"

int cli_cmd_hindcast(int argc, char **argv);

static const char usage[] =
    "usage: corredor hindcast SCENARIO --train-until YYYY-MM [--horizon M] [--scale K] [--threads T]\n"
    "                         [--runs N] [--seed N] [--data DIR] [--derivation FILE] [-o DIR]\n"
    "                         [--max-evals N] [--reps R] [--rounds N] [--demand-iters N] [--no-interval]\n"
    "                         [--season pooled|group] [--level well|last] [-q]\n"
    "\n"
    "The honest test: re-derive the latent demand from the data files cut at --train-until,\n"
    "calibrate on the record up to it, extrapolate the demand by a fixed rule that sees no later\n"
    "data, run M months forward (the scenario's policy timeline as given) N times, and score the\n"
    "monthly USBP southwest encounters against the record and against persistence (the last\n"
    "month held) and seasonal naive (the same month a year earlier).  docs/VALIDATION.md.\n"
    "\n"
    "  --train-until YYYY-MM  last month of the record used (required)\n"
    "  --horizon M         months forecast (default 6)\n"
    "  --scale K           people per agent (default 100)\n"
    "  --threads T         simulations side by side (default 1; results do not depend on it)\n"
    "  --runs N            forecast runs for the 5-95% band (default 30)\n"
    "  --seed N            seed (default: the scenario's meta.seed)\n"
    "  --data DIR          data folder (default data)\n"
    "  --derivation FILE   demand derivation parameters (default scenarios/corridor/derivation.yaml)\n"
    "  -o, --out DIR       output folder (default out/hindcast-<train-until>): hindcast.json,\n"
    "                      forecast.csv, prior.yaml + prior-demand/, calibrated.yaml + its files\n"
    "  --max-evals N, --reps R, --rounds N, --demand-iters N, --no-interval\n"
    "                      passed to the calibration (defaults: corredor calibrate's)\n"
    "  --season RULE       seasonal index of the demand rule: pooled (all groups together, the\n"
    "                      default: rule B) or group (per group: rule A, kept for the record)\n"
    "  --level RULE        months the demand level is taken from: well (the last 3 well-estimated\n"
    "                      months, the default) or last (the last 3 training months: a diagnostic)\n"
    "  -q, --quiet         no progress on stderr\n"
    "\n"
    "exit codes: 0 ok, 1 a run failed, 2 bad command line (including a month outside the\n"
    "scenario or the record), 3 invalid scenario or data, 4 output not written\n";

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
    fprintf(stderr, "corredor hindcast: [%6.0f s] %s\n", wall() - p->t0, msg);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static int rmtree(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void pct(char *buf, size_t n, double v)
{
    if (isfinite(v))
        snprintf(buf, n, "%.1f%%", 100 * v);
    else
        snprintf(buf, n, "n/a");
}

static void print_table(const cor_hindcast *h, const char *dir)
{
    char mu[8], m[8];
    cor_cal_format_month(h->opt.train_until, mu);
    printf("corredor hindcast: %s, trained to %s, %d months ahead, scale %g, %d runs, %.0f s "
           "(derive %.0f, calibrate %.0f, forecast %.0f)\n",
           h->scenario_path, mu, h->n, h->opt.scale, h->n_runs, h->runtime_s, h->runtime_derive_s, h->runtime_calib_s,
           h->runtime_runs_s);
    printf("  %-7s %10s %10s %10s %10s %11s %10s\n", "month", "observed", "model", "p5", "p95", "persistence",
           "seasonal");
    for (int i = 0; i < h->n; i++) {
        cor_cal_format_month(h->month0 + i, m);
        printf("  %-7s %10.0f %10.0f %10.0f %10.0f %11.0f %10.0f%s\n", m, h->observed[i], h->median[i], h->p5[i],
               h->p95[i], h->persistence[i], h->seasonal[i],
               isfinite(h->observed[i]) && (h->observed[i] < h->p5[i] || h->observed[i] > h->p95[i]) ? "  (outside band)"
                                                                                                   : "");
    }
    char a[16], b[16], c[16], cov[16];
    pct(a, sizeof a, h->mape_model), pct(b, sizeof b, h->mape_persistence), pct(c, sizeof c, h->mape_seasonal);
    pct(cov, sizeof cov, h->coverage_5_95);
    printf("  MAE   model %.0f  persistence %.0f  seasonal %.0f\n", h->mae_model, h->mae_persistence, h->mae_seasonal);
    printf("  MAPE  model %s  persistence %s  seasonal %s\n", a, b, c);
    printf("  observed months inside the 5-95%% band: %s; model %s persistence\n", cov,
           h->mae_model < h->mae_persistence ? "beats" : "does not beat");
    printf("  wrote %s/hindcast.json and %s/forecast.csv\n", dir, dir);
}

int cli_cmd_hindcast(int argc, char **argv)
{
    static const struct option opts[] = {
        {"train-until", required_argument, 0, 'u'}, {"horizon", required_argument, 0, 'H'},
        {"scale", required_argument, 0, 'k'},       {"threads", required_argument, 0, 't'},
        {"runs", required_argument, 0, 'n'},        {"seed", required_argument, 0, 's'},
        {"data", required_argument, 0, 'd'},        {"derivation", required_argument, 0, 'D'},
        {"out", required_argument, 0, 'o'},         {"max-evals", required_argument, 0, 'e'},
        {"reps", required_argument, 0, 'r'},        {"rounds", required_argument, 0, 'R'},
        {"demand-iters", required_argument, 0, 'i'}, {"no-interval", no_argument, 0, 'I'},
        {"season", required_argument, 0, 'S'},      {"level", required_argument, 0, 'L'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    cor_hc_options o = {.horizon = 6};
    const char *out = NULL;
    int quiet = 0, ch, have_until = 0;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (ch) {
        case 'h': fputs(usage, stdout); return CLI_OK;
        case 'q': quiet = 1; break;
        case 'o': out = optarg; break;
        case 'd': o.data_dir = optarg; break;
        case 'D': o.derivation = optarg; break;
        case 'I': o.cal_no_interval = 1; break;
        case 'L':
            if (strcmp(optarg, "well") == 0)
                o.level_rule = COR_HC_LEVEL_WELL;
            else if (strcmp(optarg, "last") == 0)
                o.level_rule = COR_HC_LEVEL_LAST;
            else {
                fprintf(stderr, "corredor hindcast: --level: '%s' is not 'well' or 'last'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'S':
            if (strcmp(optarg, "pooled") == 0)
                o.season_rule = COR_HC_SEASON_POOLED;
            else if (strcmp(optarg, "group") == 0)
                o.season_rule = COR_HC_SEASON_GROUP;
            else {
                fprintf(stderr, "corredor hindcast: --season: '%s' is not 'pooled' or 'group'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'u':
            if (cor_cal_parse_month(optarg, &o.train_until)) {
                fprintf(stderr, "corredor hindcast: --train-until: '%s' is not a month YYYY-MM\n", optarg);
                return CLI_USAGE;
            }
            have_until = 1;
            break;
        case 'H':
            if (cli_opt_int("hindcast", "horizon", optarg, 1, COR_HC_MAX_HORIZON, &o.horizon))
                return CLI_USAGE;
            break;
        case 'k':
            if (cli_opt_positive("hindcast", "scale", optarg, &o.scale))
                return CLI_USAGE;
            break;
        case 's':
            if (cli_opt_seed("hindcast", optarg, &v))
                return CLI_USAGE;
            o.seed = v, o.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("hindcast", "threads", optarg, 1, 1024, &o.threads))
                return CLI_USAGE;
            break;
        case 'n':
            if (cli_opt_int("hindcast", "runs", optarg, 1, 10000, &o.runs))
                return CLI_USAGE;
            break;
        case 'e':
            if (cli_opt_int("hindcast", "max-evals", optarg, 1, 1000000, &o.cal_max_evals))
                return CLI_USAGE;
            break;
        case 'r':
            if (cli_opt_int("hindcast", "reps", optarg, 1, 64, &o.cal_reps))
                return CLI_USAGE;
            break;
        case 'R':
            if (cli_opt_int("hindcast", "rounds", optarg, 1, COR_CAL_MAXROUNDS, &o.cal_rounds))
                return CLI_USAGE;
            break;
        case 'i':
            if (cli_opt_int("hindcast", "demand-iters", optarg, 1, COR_CAL_MAXITER, &o.cal_demand_iters))
                return CLI_USAGE;
            break;
        default:
            fprintf(stderr, "corredor hindcast: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "corredor hindcast: expected exactly one SCENARIO file\n%s", usage);
        return CLI_USAGE;
    }
    if (!have_until) {
        fprintf(stderr, "corredor hindcast: --train-until YYYY-MM is required\n%s", usage);
        return CLI_USAGE;
    }
    char mu[8], def[64], partial[4200], cal[4300], date[11];
    cor_cal_format_month(o.train_until, mu);
    if (!out) {
        snprintf(def, sizeof def, "out/hindcast-%s", mu);
        out = def;
    }
    snprintf(partial, sizeof partial, "%s.partial", out);
    if (rmtree(partial) || cor_cal_mkdirs(partial)) {
        fprintf(stderr, "corredor hindcast: %s: cannot create: %s\n", partial, strerror(errno));
        return CLI_IO;
    }
    o.work_dir = partial;
    progress_state ps = {wall()};
    if (!quiet) {
        o.progress = progress;
        o.progress_ctx = &ps;
    }
    cor_hindcast *h = NULL;
    int rc = cor_hindcast_run(argv[optind], &o, &h);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor hindcast: %s\n", h ? h->errmsg : "out of memory");
        cor_hindcast_free(h);
        rmtree(partial);
        return rc == COR_EARG ? CLI_USAGE : rc == COR_EIO ? CLI_INPUT : cli_exit_code(rc);
    }
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    snprintf(cal, sizeof cal, "%s/calibrated.yaml", partial);
    rc = cor_calib_write(h->calib, cal, date);
    if (rc != COR_OK)
        fprintf(stderr, "corredor hindcast: %s\n", h->calib->errmsg);
    else if ((rc = cor_hindcast_write(h, partial)) != COR_OK)
        fprintf(stderr, "corredor hindcast: %s\n", h->errmsg);
    if (rc == COR_OK && (rmtree(out) || rename(partial, out))) {
        fprintf(stderr, "corredor hindcast: %s: cannot replace with %s: %s\n", out, partial, strerror(errno));
        rc = COR_EIO;
    }
    if (rc != COR_OK) {
        cor_hindcast_free(h);
        return rc == COR_EIO ? CLI_IO : cli_exit_code(rc);
    }
    print_table(h, out);
    cor_hindcast_free(h);
    return CLI_OK;
}
