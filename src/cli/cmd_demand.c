/* cmd_demand.c - `corredor demand`: derive the latent departure demand CSVs
 * from the data files and a parameter file (docs/DEMAND.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "corredor.h"
#include "data/demand.h"
#include "engine/calendar.h"
#include "scenario/scenario.h"

static const char demand_help[] =
    "usage: corredor demand PARAMS.yaml [--data DIR] [--out DIR] [--until YYYY-MM] [--totals]\n"
    "       corredor demand --estimate [--data DIR] [--until YYYY-MM]\n"
    "\n"
    "Derive the monthly latent departure demand by nationality group and\n"
    "demographic, 2012-10 .. 2024-12, from the US Border Patrol record, and write\n"
    "one CSV per group (month,single_adults,family_members,unaccompanied_children).\n"
    "The method and every parameter are described in docs/DEMAND.md.\n"
    "\n"
    "  PARAMS.yaml      parameter file (parameters: only), e.g.\n"
    "                   scenarios/corridor/derivation.yaml\n"
    "  --data DIR       folder with the data files (default: data)\n"
    "  --out DIR        output folder (default: <folder of PARAMS>/demand)\n"
    "  --until YYYY-MM  ignore every data row after this month, as if the files\n"
    "                   ended there; later months hold the last value\n"
    "  --totals         also print demand and encounters per group and year\n"
    "  --estimate       print the share stopped in Mexico estimated from the data\n"
    "                   (UPM events / (UPM events + USBP encounters)); writes nothing\n"
    "  -h, --help       this text\n"
    "\n"
    "Exit codes: 0 ok, 1 failure, 2 bad command line, 3 invalid parameter or\n"
    "data file (the message names file, line and column), 4 output not written.\n";

static int usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "corredor demand: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'corredor demand --help'.\n");
    va_end(ap);
    return CLI_USAGE;
}

/* "--name VALUE" or "--name=VALUE": the value, advancing *i; NULL if absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    const size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

static int print_estimate(cor_demand *d, const char *data, int until)
{
    cor_demand_stop_estimate est[COR_DG_N];
    double pooled = -1;
    int rc = cor_demand_estimate_stopped(d, data, until, est, &pooled);
    if (rc) {
        fprintf(stderr, "corredor demand: %s\n", d->errmsg);
        return rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT;
    }
    printf("# share stopped in Mexico = UPM events / (UPM events + USBP SW encounters),\n"
           "# same nationality and months; periods: year:first-last month UPM/USBP\n");
    for (int g = 0; g < COR_DG_N; g++) {
        printf("%-12s", cor_demand_group_ids[g]);
        for (int i = 0; i < est[g].n_periods; i++)
            printf(" %d:1-%d %.1f/%.0f", est[g].years[i], est[g].end_month[i], est[g].upm[i], est[g].usbp[i]);
        if (est[g].share >= 0)
            printf(" -> %.3f\n", est[g].share);
        else
            printf(" (no data)\n");
    }
    if (pooled >= 0)
        printf("pooled       -> %.3f\n", pooled);
    return CLI_OK;
}

static void print_totals(const cor_demand *d)
{
    const int y0 = d->month0 / 12, y1 = (d->month0 + d->n_months - 1) / 12;
    double all_dem = 0, all_enc = 0;
    printf("%-12s %-6s %14s %14s\n", "group", "year", "demand", "usbp_sw_enc");
    for (int g = 0; g < COR_DG_N; g++)
        for (int y = y0; y <= y1; y++) {
            double dem = 0, enc = 0;
            for (int m = 0; m < d->n_months; m++) {
                if ((d->month0 + m) / 12 != y)
                    continue;
                for (int k = 0; k < COR_N_DEMOS; k++)
                    dem += d->people[((size_t)g * (size_t)d->n_months + (size_t)m) * COR_N_DEMOS + (size_t)k];
                enc += d->encounters[(size_t)g * (size_t)d->n_months + (size_t)m];
            }
            printf("%-12s %-6d %14.0f %14.0f\n", cor_demand_group_ids[g], y, dem, enc);
            if (y >= 2013 && y <= 2024) {
                all_dem += dem;
                all_enc += enc;
            }
        }
    printf("%-12s %-6s %14.0f %14.0f\n", "all", "13-24", all_dem, all_enc);
}

int cli_cmd_demand(int argc, char **argv)
{
    const char *params = NULL, *data = "data", *out = NULL, *until_s = NULL, *v;
    int estimate = 0, totals = 0, until = 0;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(demand_help, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--estimate") == 0) {
            estimate = 1;
        } else if (strcmp(argv[i], "--totals") == 0) {
            totals = 1;
        } else if ((v = opt_value(argc, argv, &i, "--data", &missing)) != NULL) {
            data = v;
        } else if ((v = opt_value(argc, argv, &i, "--out", &missing)) != NULL) {
            out = v;
        } else if ((v = opt_value(argc, argv, &i, "--until", &missing)) != NULL) {
            until_s = v;
        } else if (missing) {
            return usage_error("option '%s' needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage_error("unknown option '%s'", argv[i]);
        } else if (!params) {
            params = argv[i];
        } else {
            return usage_error("unexpected argument '%s'", argv[i]);
        }
    }
    if (until_s && cor_parse_month(until_s, &until) != 0)
        return usage_error("bad --until '%s' (expected YYYY-MM)", until_s);
    if (!params && !estimate)
        return usage_error("%s", "missing PARAMS.yaml");

    cor_demand *d = cor_demand_new();
    if (!d) {
        fprintf(stderr, "corredor demand: out of memory\n");
        return CLI_FAIL;
    }
    if (estimate) {
        const int code = print_estimate(d, data, until);
        cor_demand_free(d);
        return code;
    }

    cor_scenario *sc = NULL;
    cor_demand_params p;
    char err[1024];
    int rc = cor_scenario_load_fragment(params, &sc);
    if (rc) {
        fprintf(stderr, "corredor demand: %s\n", sc ? cor_scenario_errmsg(sc) : "out of memory");
        cor_scenario_free(sc);
        cor_demand_free(d);
        return sc ? CLI_INPUT : CLI_FAIL;
    }
    rc = cor_demand_params_from_scenario(sc, &p, err, sizeof err);
    cor_scenario_free(sc);
    if (rc) {
        fprintf(stderr, "corredor demand: %s\n", err);
        cor_demand_free(d);
        return CLI_INPUT;
    }

    char outbuf[4096];
    if (!out) {
        const char *slash = strrchr(params, '/');
        if (slash)
            snprintf(outbuf, sizeof outbuf, "%.*s/demand", (int)(slash - params), params);
        else
            snprintf(outbuf, sizeof outbuf, "demand");
        out = outbuf;
    }
    cor_demand_options opt = {0, 0, until};
    rc = cor_demand_derive(d, data, &p, &opt);
    if (rc) {
        fprintf(stderr, "corredor demand: %s\n", d->errmsg);
        cor_demand_free(d);
        return rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT;
    }
    rc = cor_demand_write(d, out);
    if (rc) {
        fprintf(stderr, "corredor demand: %s\n", d->errmsg);
        cor_demand_free(d);
        return CLI_IO;
    }
    char a[8], b[8], c[8];
    cor_format_month(d->month0, a);
    cor_format_month(d->month0 + d->n_months - 1, b);
    cor_format_month(d->data_last, c);
    printf("wrote %d files to %s/ (%s .. %s; data to %s)\n", COR_DG_N, out, a, b, c);
    if (totals)
        print_totals(d);
    cor_demand_free(d);
    return CLI_OK;
}
