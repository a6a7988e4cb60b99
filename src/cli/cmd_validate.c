/* cmd_validate.c - `corredor validate SCENARIO`: run the scenario once and
 * compare it with the record (docs/VALIDATION.md); writes validation.json
 * and prints a table. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/observed.h"
#include "analysis/validate.h"
#include "cli/cli.h"
#include "corredor.h"

int cli_cmd_validate(int argc, char **argv);

static const char usage[] =
    "usage: corredor validate SCENARIO [--params FILE] [--from YYYY-MM] [--to YYYY-MM] [--scale K]\n"
    "                         [--seed N] [--threads T] [-o DIR] [--data DIR] [--facts FILE] [-q]\n"
    "\n"
    "Run SCENARIO once and compare it with the real record (docs/VALIDATION.md): the fit\n"
    "(monthly southwest encounters: MAPE, correlation), the held-out quantities (sector ARD,\n"
    "Title 42 share, COMAR applications, UPM events, deaths) and the facts of data/facts.csv.\n"
    "Writes DIR/validation.json and prints a table.\n"
    "\n"
    "  --params FILE   apply an overlay (e.g. calibrated parameters) on top of the scenario\n"
    "  --from YYYY-MM  first month compared (default 2013-01)\n"
    "  --to YYYY-MM    last month compared (default 2024-11, the end of the encounter record)\n"
    "  --scale K       people per agent (default: the scenario's meta.scale)\n"
    "  --seed N        random seed (default: the scenario's meta.seed)\n"
    "  --threads T     OpenMP threads for the run (default 1); results do not depend on it\n"
    "  -o, --out DIR   output folder (default out/<scenario name>-validation); validation.json\n"
    "                  is written to validation.json.partial and renamed when complete\n"
    "  --data DIR      folder of the record's data files (default data)\n"
    "  --facts FILE    facts file (default DATA/facts.csv)\n"
    "  -q, --quiet     print nothing but errors\n"
    "\n"
    "exit codes: 0 ok (whatever the figures), 1 run failed, 2 bad command line, 3 invalid\n"
    "scenario, data or facts file, 4 output not written\n";

typedef struct {
    const char *scenario, *params, *out, *data, *facts;
    int from, to, quiet;
    cor_options opt;
} vargs;

static int parse(int argc, char **argv, vargs *a)
{
    static const struct option opts[] = {{"params", required_argument, 0, 'p'}, {"from", required_argument, 0, 'f'},
                                         {"to", required_argument, 0, 'u'},     {"scale", required_argument, 0, 'k'},
                                         {"seed", required_argument, 0, 's'},   {"threads", required_argument, 0, 't'},
                                         {"out", required_argument, 0, 'o'},    {"data", required_argument, 0, 'd'},
                                         {"facts", required_argument, 0, 'F'},  {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->from = 2013 * 12, a->to = 2024 * 12 + 10, a->data = "data";
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (ch) {
        case 'h': fputs(usage, stdout); return -2;
        case 'p': a->params = optarg; break;
        case 'o': a->out = optarg; break;
        case 'd': a->data = optarg; break;
        case 'F': a->facts = optarg; break;
        case 'q': a->quiet = 1; break;
        case 'f':
        case 'u':
            if (cor_obs_parse_month(optarg, ch == 'f' ? &a->from : &a->to) != 0) {
                fprintf(stderr, "corredor validate: --%s: '%s' is not a month YYYY-MM\n", ch == 'f' ? "from" : "to",
                        optarg);
                return -1;
            }
            break;
        case 's':
            if (cli_opt_seed("validate", optarg, &v))
                return -1;
            a->opt.seed = v, a->opt.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("validate", "threads", optarg, 1, 1024, &a->opt.threads))
                return -1;
            break;
        case 'k':
            if (cli_opt_positive("validate", "scale", optarg, &a->opt.scale))
                return -1;
            break;
        default:
            fprintf(stderr, "corredor validate: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "corredor validate: expected exactly one SCENARIO file\n%s", usage);
        return -1;
    }
    if (a->from > a->to) {
        fprintf(stderr, "corredor validate: --from is after --to\n");
        return -1;
    }
    a->scenario = argv[optind];
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1;; p++) {
        const char c = *p;
        if (c == '/' || c == '\0') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = c;
        }
        if (!c)
            break;
    }
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int write_json(const char *dir, const char *text)
{
    char path[4200], tmp[4300];
    if (strlen(dir) > 4000) {
        fprintf(stderr, "corredor validate: output folder name too long\n");
        return CLI_IO;
    }
    snprintf(path, sizeof path, "%.4000s/validation.json", dir);
    snprintf(tmp, sizeof tmp, "%.4100s.partial", path);
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "corredor validate: cannot create '%s': %s\n", dir, strerror(errno));
        return CLI_IO;
    }
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "corredor validate: cannot write '%s': %s\n", path, strerror(errno));
        remove(tmp);
        return CLI_IO;
    }
    return CLI_OK;
}

static void pct(char *buf, size_t n, double x)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%+.1f%%", 100 * x);
}

/* counts as integers, changes and shares with three decimals */
static void num(char *buf, size_t n, double x)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else if (fabs(x) >= 1000)
        snprintf(buf, n, "%.0f", x);
    else
        snprintf(buf, n, "%.3f", x);
}

static void print_years(const char *title, const cor_vyear *y, int n)
{
    if (!n)
        return;
    printf("  %s\n    %-6s %14s %14s %9s\n", title, "year", "model", "record", "error");
    for (int i = 0; i < n; i++) {
        char e[24];
        pct(e, sizeof e, y[i].rel_error);
        printf("    %-6d %14.0f %14.0f %9s\n", y[i].year, y[i].sim, y[i].obs, e);
    }
}

static const char *yes(int met) { return met ? "yes" : "NO"; }

/* a metric as a fraction (3 decimals) or in per cent; "-" when undefined */
static const char *metric(char *buf, size_t n, double x, int percent)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, percent ? "%.1f%%" : "%.3f", percent ? 100 * x : x);
    return buf;
}

static void print_table(const cor_validation *r)
{
    char e[24], b[24];
    printf("fit (what calibration sees)\n");
    printf("  %-52s %10s  target <= %.0f%%  met: %s\n", "southwest encounters, monthly MAPE",
           metric(b, sizeof b, r->encounters_mape, 1), 100 * COR_TARGET_ENCOUNTERS_MAPE,
           yes(r->encounters_mape <= COR_TARGET_ENCOUNTERS_MAPE));
    printf("  %-52s %10s  target >= %.2f  met: %s\n", "southwest encounters, monthly correlation",
           metric(b, sizeof b, r->encounters_corr, 0), COR_TARGET_ENCOUNTERS_CORR,
           yes(r->encounters_corr >= COR_TARGET_ENCOUNTERS_CORR));
    printf("  %-52s %10s  (%d months)\n", "citizenship groups, averaged relative difference",
           metric(b, sizeof b, r->group_ard, 0), r->group_n);
    print_years("southwest encounters by year", r->enc_year, r->n_enc_year);
    printf("held out (not fitted)\n");
    printf("  %-52s %10s  target <= %.2f  met: %s  (%d months)\n", "nine sectors, averaged relative difference (Flee)",
           metric(b, sizeof b, r->sector_ard, 0), COR_TARGET_SECTOR_ARD, yes(r->sector_ard <= COR_TARGET_SECTOR_ARD),
           r->sector_n);
    printf("    %-20s %14s %14s %9s\n", "sector", "model", "record", "error");
    for (int s = 0; s < COR_OBS_N_SECTORS; s++) {
        pct(e, sizeof e, r->sector_obs[s] > 0 ? (r->sector_sim[s] - r->sector_obs[s]) / r->sector_obs[s] : NAN);
        printf("    %-20s %14.0f %14.0f %9s\n", cor_obs_sector_names[s], r->sector_sim[s], r->sector_obs[s], e);
    }
    printf("  %-52s %10s  (%d months, %d of them USBP-only)\n", "Title 42 share of encounters, mean absolute error",
           metric(b, sizeof b, r->title42_share_error, 0), r->title42_n, r->title42_usbp_n);
    if (r->has_comar)
        print_years("COMAR asylum applications", r->comar, r->n_comar);
    if (r->has_upm)
        print_years("UPM events (presented or channelled) vs INM handovers", r->upm, r->n_upm);
    if (r->n_deaths) {
        printf("  IOM dead and missing on the US-Mexico border vs model deaths\n    %-6s %10s %12s %10s %12s\n", "year",
               "record", "model border", "error", "model total");
        for (int i = 0; i < r->n_deaths; i++) {
            const cor_vdeaths *d = &r->deaths[i];
            pct(e, sizeof e, d->obs > 0 ? (d->sim_border - d->obs) / d->obs : NAN);
            printf("    %-6d %10.0f %12.0f %10s %12.0f\n", d->year, d->obs, d->sim_border, e, d->sim_total);
        }
    }
    printf("facts\n    %-26s %14s %14s %27s %5s\n", "name", "model", "record", "accepted", "pass");
    for (int i = 0; i < r->n_facts; i++) {
        const cor_fact_result *x = &r->facts[i];
        const cor_fact *f = x->fact;
        char acc[64], lo[24], hi[24], sv[24], ov[24];
        num(lo, sizeof lo, x->lower);
        num(hi, sizeof hi, x->upper);
        num(sv, sizeof sv, x->simulated);
        num(ov, sizeof ov, f->observed);
        if (f->kind == COR_FACT_COUNT_ABOVE || f->kind == COR_FACT_CHANGE_ABOVE)
            snprintf(acc, sizeof acc, "> %s", lo);
        else if (f->kind == COR_FACT_CHANGE_BELOW)
            snprintf(acc, sizeof acc, "< %s", hi);
        else
            snprintf(acc, sizeof acc, "%s .. %s", lo, hi);
        if (!x->evaluated)
            printf("    %-26s not evaluated: %s\n", f->name, x->why);
        else
            printf("    %-26s %14s %14s %27s %5s\n", f->name, sv, ov, acc, x->pass ? "yes" : "NO");
    }
    const double share = r->n_facts_evaluated ? (double)r->n_facts_pass / r->n_facts_evaluated : NAN;
    printf("  facts inside tolerance: %d of %d evaluated (%s)  target >= %.0f%%  met: %s\n", r->n_facts_pass,
           r->n_facts_evaluated, metric(b, sizeof b, share, 1), 100 * COR_TARGET_FACTS_SHARE,
           yes(share >= COR_TARGET_FACTS_SHARE));
}

int cli_cmd_validate(int argc, char **argv)
{
    vargs a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    char err[1200], facts_path[4200];
    snprintf(facts_path, sizeof facts_path, "%s/facts.csv", a.data);
    if (!a.facts)
        a.facts = facts_path;
    cor_fact *facts = NULL;
    int n_facts = 0;
    cor_observed *obs = NULL;
    cor_scenario *sc = NULL;
    cor_sim *sim = NULL;
    cor_vsim *vs = NULL;
    cor_validation val = {0};
    cJSON *root = NULL;
    if ((rc = cor_facts_load(a.facts, &facts, &n_facts, err, sizeof err)) ||
        (rc = cor_observed_load(a.data, 0, &obs, err, sizeof err))) {
        fprintf(stderr, "corredor validate: %s\n", err);
        rc = rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT;
        goto done;
    }
    if ((rc = cli_prepare(a.scenario, a.params, &a.opt, "validate", &sc, &sim)) != CLI_OK)
        goto done;
    if (!a.quiet)
        cli_warn_unused(sim, "validate");
    if (cor_sim_run(sim) != COR_OK) {
        fprintf(stderr, "corredor validate: %s: %s\n", a.scenario, cor_sim_errmsg(sim));
        rc = CLI_FAIL;
        goto done;
    }
    if (cor_vsim_from_sim(sim, &vs) != COR_OK) {
        fprintf(stderr, "corredor validate: out of memory\n");
        rc = CLI_FAIL;
        goto done;
    }
    if ((rc = cor_validate(vs, obs, facts, n_facts, a.from, a.to, &val, err, sizeof err)) != COR_OK) {
        fprintf(stderr, "corredor validate: %s\n", err);
        rc = rc == COR_EARG ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    root = cor_validation_json(&val);
    char seed[32], dir[4096];
    snprintf(seed, sizeof seed, "%llu",
             (unsigned long long)(a.opt.has_seed ? a.opt.seed : cor_scenario_seed(sc)));
    cJSON *meta = root ? cJSON_CreateObject() : NULL;
    if (meta) { /* the run's metadata first, then the validation */
        cJSON_AddStringToObject(meta, "corredor_version", cor_version());
        cJSON_AddStringToObject(meta, "scenario", a.scenario);
        cJSON_AddStringToObject(meta, "scenario_name", cor_scenario_name(sc));
        if (a.params)
            cJSON_AddStringToObject(meta, "params", a.params);
        else
            cJSON_AddNullToObject(meta, "params");
        cJSON_AddStringToObject(meta, "seed", seed);
        cJSON_AddNumberToObject(meta, "scale", cor_sim_scale(sim));
        cJSON_AddStringToObject(meta, "data", a.data);
        cJSON_AddStringToObject(meta, "facts", a.facts);
        cJSON *all = cJSON_CreateObject();
        if (all && cJSON_AddItemToObject(all, "run", meta)) {
            for (cJSON *it; (it = root->child) != NULL;) {
                cJSON_DetachItemViaPointer(root, it);
                cJSON_AddItemToObject(all, it->string, it); /* copies the key before freeing the old one */
            }
            cJSON_Delete(root);
            root = all;
        } else {
            cJSON_Delete(all);
            cJSON_Delete(meta);
            cJSON_Delete(root);
            root = NULL;
        }
    } else {
        cJSON_Delete(root);
        root = NULL;
    }
    char *text = root ? cJSON_Print(root) : NULL;
    if (!text) {
        fprintf(stderr, "corredor validate: out of memory\n");
        rc = CLI_FAIL;
        goto done;
    }
    if (a.out)
        snprintf(dir, sizeof dir, "%.4000s", a.out);
    else
        snprintf(dir, sizeof dir, "out/%s-validation", cor_scenario_name(sc));
    rc = write_json(dir, text);
    free(text);
    if (rc == CLI_OK && !a.quiet) {
        printf("corredor %s validate: %s%s%s, seed %s, %g people per agent, %04d-%02d..%04d-%02d\n", cor_version(),
               a.scenario, a.params ? " + " : "", a.params ? a.params : "", seed, cor_sim_scale(sim), val.from / 12,
               val.from % 12 + 1, val.to / 12, val.to % 12 + 1);
        print_table(&val);
        printf("wrote %s/validation.json\n", dir);
    }
done:
    cJSON_Delete(root);
    cor_validation_free(&val);
    cor_vsim_free(vs);
    cor_sim_free(sim);
    cor_scenario_free(sc);
    cor_observed_free(obs);
    cor_facts_free(facts);
    return rc;
}
