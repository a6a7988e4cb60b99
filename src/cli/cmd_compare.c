/* cmd_compare.c - `corredor compare A B`: run two scenarios with the same
 * seed and scale and print the differences in the headline series. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "corredor.h"

static const char usage[] =
    "usage: corredor compare A B [--seed N] [--scale K] [--threads N] [-q]\n"
    "\n"
    "Run scenarios A and B with the same seed (A's meta.seed unless --seed) and the same\n"
    "scale (A's meta.scale unless --scale), and print the headline totals of both\n"
    "(summary.json keys, in people or their own unit) and B - A, overall and by year.\n"
    "Nothing is written.\n"
    "\n"
    "exit codes: 0 ok, 1 a run failed, 2 bad command line, 3 invalid scenario\n";

typedef struct {
    cor_scenario *sc;
    cor_sim *sim;
} side;

static int run_side(const char *path, const cor_options *opt, side *s)
{
    int rc = cli_prepare(path, NULL, opt, "compare", &s->sc, &s->sim);
    if (rc != CLI_OK)
        return rc;
    if (cor_sim_run(s->sim) != COR_OK) {
        fprintf(stderr, "corredor compare: %s: %s\n", path, cor_sim_errmsg(s->sim));
        return CLI_FAIL;
    }
    return CLI_OK;
}

static double value(const cor_sim *sim, const char *key, int year)
{
    double v = 0;
    cor_sim_summary(sim, key, year, &v);
    return v;
}

static void print_table(const side *a, const side *b, int first_year, int last_year)
{
    int nk;
    const char *const *keys = cor_headline_keys(&nk);
    printf("%-22s %16s %16s %16s %9s\n", "headline (totals)", "A", "B", "B - A", "change");
    for (int k = 0; k < nk; k++) {
        double x = value(a->sim, keys[k], 0), y = value(b->sim, keys[k], 0);
        char pct[32] = "";
        if (x != 0)
            snprintf(pct, sizeof pct, "%+.1f%%", 100.0 * (y - x) / fabs(x));
        printf("%-22s %16.0f %16.0f %+16.0f %9s\n", keys[k], x, y, y - x, pct);
    }
    printf("\nB - A by calendar year (headlines that differ):\n%-22s", "");
    for (int y = first_year; y <= last_year; y++)
        printf(" %10d", y);
    printf("\n");
    for (int k = 0; k < nk; k++) {
        int differs = 0;
        for (int y = first_year; y <= last_year; y++)
            differs |= value(a->sim, keys[k], y) != value(b->sim, keys[k], y);
        if (!differs)
            continue;
        printf("%-22s", keys[k]);
        for (int y = first_year; y <= last_year; y++)
            printf(" %+10.0f", value(b->sim, keys[k], y) - value(a->sim, keys[k], y));
        printf("\n");
    }
}

int cli_cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {{"seed", required_argument, 0, 's'},
                                         {"scale", required_argument, 0, 'k'},
                                         {"threads", required_argument, 0, 't'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cor_options opt = {0};
    int quiet = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (ch) {
        case 'h': fputs(usage, stdout); return CLI_OK;
        case 'q': quiet = 1; break;
        case 's':
            if (cli_opt_seed("compare", optarg, &v))
                return CLI_USAGE;
            opt.seed = v, opt.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("compare", "threads", optarg, 1, 1024, &opt.threads))
                return CLI_USAGE;
            break;
        case 'k':
            if (cli_opt_positive("compare", "scale", optarg, &opt.scale))
                return CLI_USAGE;
            break;
        default:
            fprintf(stderr, "corredor compare: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return CLI_USAGE;
        }
    }
    if (optind != argc - 2) {
        fprintf(stderr, "corredor compare: expected two scenario files A and B\n%s", usage);
        return CLI_USAGE;
    }
    const char *pa = argv[optind], *pb = argv[optind + 1];
    side a = {0}, b = {0};
    /* A's seed and scale serve both, unless given */
    cor_scenario *first = NULL;
    int rc = cor_scenario_load(pa, &first);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor compare: %s\n", first ? cor_scenario_errmsg(first) : "out of memory");
        cor_scenario_free(first);
        return rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT;
    }
    if (!opt.has_seed)
        opt.seed = cor_scenario_seed(first), opt.has_seed = 1;
    if (!(opt.scale > 0))
        opt.scale = cor_scenario_scale(first);
    cor_scenario_free(first);
    if (!quiet)
        printf("corredor %s compare: A = %s, B = %s\nboth with seed %llu and %g people per agent\n\n", cor_version(),
               pa, pb, (unsigned long long)opt.seed, opt.scale);
    rc = run_side(pa, &opt, &a);
    if (rc == CLI_OK)
        rc = run_side(pb, &opt, &b);
    if (rc == CLI_OK) {
        int m0 = cor_sim_first_month(a.sim), m1 = m0 + cor_sim_n_months(a.sim) - 1;
        print_table(&a, &b, m0 / 12, m1 / 12);
    }
    cor_sim_free(a.sim);
    cor_scenario_free(a.sc);
    cor_sim_free(b.sim);
    cor_scenario_free(b.sc);
    return rc;
}
