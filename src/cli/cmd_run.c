/* cmd_run.c - `corredor run` and `corredor check`. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "corredor.h"

static const char run_usage[] =
    "usage: corredor run SCENARIO [-o DIR] [--seed N] [--threads N] [--scale K] [--params FILE] [--quiet]\n"
    "\n"
    "Run a scenario from its start to its end date and write its outputs.\n"
    "\n"
    "  -o, --out DIR     output folder (default out/<scenario name>/); written to DIR.partial/\n"
    "                    and renamed when complete, replacing an earlier DIR\n"
    "  --seed N          random seed (unsigned 64-bit; default: the scenario's meta.seed)\n"
    "  --threads N       OpenMP threads (default 1); results do not depend on it\n"
    "  --scale K         people per agent (default: the scenario's meta.scale); fractional\n"
    "                    agents are rounded stochastically\n"
    "  --params FILE     apply an overlay (e.g. parameters only) on top of the scenario\n"
    "  -q, --quiet       print nothing but errors\n"
    "\n"
    "exit codes: 0 ok, 1 run failed, 2 bad command line, 3 invalid scenario, 4 output not written\n";

static const char check_usage[] =
    "usage: corredor check SCENARIO [--params FILE]\n"
    "\n"
    "Validate a scenario (and its base chain, CSV files and the modules' needs:\n"
    "parameters, levers) without running it.  Prints one line per error naming\n"
    "file, line and field.\n"
    "\n"
    "exit codes: 0 valid, 2 bad command line, 3 invalid scenario\n";


int cli_parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int cli_opt_int(const char *cmd, const char *name, const char *arg, int lo, int hi, int *v)
{
    uint64_t u;
    if (cli_parse_u64(arg, &u) || u < (uint64_t)lo || u > (uint64_t)hi) {
        fprintf(stderr, "corredor %s: --%s: '%s' is not a number from %d to %d\n", cmd, name, arg, lo, hi);
        return -1;
    }
    *v = (int)u;
    return 0;
}

int cli_opt_positive(const char *cmd, const char *name, const char *arg, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    if (errno || *end || end == arg || !(x > 0) || !isfinite(x)) {
        fprintf(stderr, "corredor %s: --%s: '%s' is not a positive number\n", cmd, name, arg);
        return -1;
    }
    *v = x;
    return 0;
}

int cli_opt_seed(const char *cmd, const char *arg, uint64_t *v)
{
    if (cli_parse_u64(arg, v)) {
        fprintf(stderr, "corredor %s: --seed: '%s' is not an unsigned 64-bit integer\n", cmd, arg);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, run_args *a, int is_run)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},    {"seed", required_argument, 0, 's'},
                                          {"threads", required_argument, 0, 't'}, {"scale", required_argument, 0, 'k'},
                                          {"params", required_argument, 0, 'p'}, {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *usage = is_run ? run_usage : check_usage;
    memset(a, 0, sizeof *a);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, is_run ? "o:qh" : "h", opts, NULL)) != -1) {
        uint64_t v;
        if (!is_run && ch != 'p' && ch != 'h')
            ch = '?';
        switch (ch) {
        case 'h': fputs(usage, stdout); return -2;
        case 'o': a->out = optarg; break;
        case 'p': a->params = optarg; break;
        case 'q': a->quiet = 1; break;
        case 's':
            if (cli_opt_seed("run", optarg, &v))
                return -1;
            a->opt.seed = v;
            a->opt.has_seed = 1;
            break;
        case 't':
            if (cli_opt_int("run", "threads", optarg, 1, 1024, &a->opt.threads))
                return -1;
            break;
        case 'k':
            if (cli_opt_positive("run", "scale", optarg, &a->opt.scale))
                return -1;
            break;
        default:
            fprintf(stderr, "corredor %s: unknown or incomplete option '%s'\n%s", argv[0], argv[optind - 1], usage);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "corredor %s: expected exactly one SCENARIO file\n%s", argv[0], usage);
        return -1;
    }
    a->scenario = argv[optind];
    return 0;
}

/* Load the scenario (+ overlay) and set up a sim; prints errors. */
int cli_prepare(const char *scenario, const char *params, const cor_options *opt, const char *cmd,
                cor_scenario **psc, cor_sim **psim)
{
    *psim = NULL;
    int rc = cor_scenario_load(scenario, psc);
    if (rc == COR_OK && params)
        rc = cor_scenario_overlay(*psc, params);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor %s: %s\n", cmd, *psc ? cor_scenario_errmsg(*psc) : "out of memory");
        return rc == COR_ENOMEM ? CLI_FAIL : CLI_INPUT; /* unreadable or invalid input */
    }
    *psim = cor_sim_new();
    if (!*psim) {
        fprintf(stderr, "corredor %s: out of memory\n", cmd);
        return CLI_FAIL;
    }
    rc = cor_sim_init(*psim, *psc, opt);
    if (rc != COR_OK) {
        fprintf(stderr, "corredor %s: %s\n", cmd, cor_sim_errmsg(*psim));
        return cli_exit_code(rc);
    }
    return CLI_OK;
}

/* Warn about parameters that nothing reads (typos, modules not loaded). */
void cli_warn_unused(const cor_sim *sim, const char *cmd)
{
    const char *name, *file;
    int line;
    for (int i = 0; cor_sim_unused_params(sim, i, &name, &file, &line); i++)
        fprintf(stderr, "corredor %s: warning: %s:%d: parameters.%s: not read by the rules or any loaded module\n", cmd,
                file, line, name);
}

static void print_people(const char *label, double v) { printf("  %-22s %14.0f\n", label, v); }

static void print_summary(const cor_sim *sim, const char *dir)
{
    double k = cor_sim_scale(sim);
    cor_perf pf;
    cor_sim_perf(sim, &pf);
    int first = cor_sim_first_month(sim), last = first + cor_sim_n_months(sim) - 1;
    printf("spawned: %.0f people (%" PRId64 " agents of %g people)\n", (double)cor_sim_agents_spawned(sim) * k,
           cor_sim_agents_spawned(sim), k);
    printf("where they are at the end, by status:\n");
    for (int s = 0; s < cor_sim_n_statuses(sim); s++)
        print_people(cor_sim_status_name(sim, s), (double)cor_sim_agents_in_status(sim, s) * k);
    printf("where they are at the end, by kind of place:\n");
    static const char *kinds[] = {"origin", "border_crossing", "transit", "shelter", "border_city", "us_sector",
                                  "destination"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        double n = 0;
        for (int p = 0; p < cor_sim_n_places(sim); p++)
            if (strcmp(cor_sim_place_kind(sim, p), kinds[i]) == 0)
                for (int s = 0; s < cor_sim_n_statuses(sim); s++)
                    n += (double)cor_sim_agents_at(sim, p, s) * k;
        if (n > 0)
            print_people(kinds[i], n);
    }
    int ev = cor_sim_series_id(sim, "us_encounters");
    int from = last - 11 > first ? last - 11 : first;
    printf("encounters by US sector, %04d-%02d to %04d-%02d:\n", from / 12, from % 12 + 1, last / 12, last % 12 + 1);
    double total = 0;
    for (int p = 0; ev >= 0 && p < cor_sim_n_places(sim); p++) {
        if (strcmp(cor_sim_place_kind(sim, p), "us_sector") != 0)
            continue;
        double n = 0;
        for (int m = from; m <= last; m++)
            n += cor_sim_series_value(sim, ev, p, m);
        print_people(cor_sim_place_name(sim, p), n);
        total += n;
    }
    print_people("total", total);
    printf("runtime %.2f s: %.1f million agent-days/s, %.1f million decisions/s\n", pf.runtime_s,
           pf.runtime_s > 0 ? (double)pf.agent_days / pf.runtime_s / 1e6 : 0.0,
           pf.runtime_s > 0 ? (double)pf.decisions / pf.runtime_s / 1e6 : 0.0);
    printf("outputs: %s/\n", dir);
}

int cli_cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_args(argc, argv, &a, 1);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    cor_scenario *sc = NULL;
    cor_sim *sim = NULL;
    rc = cli_prepare(a.scenario, a.params, &a.opt, "run", &sc, &sim);
    char dir[4096];
    if (rc == CLI_OK) {
        if (a.out)
            snprintf(dir, sizeof dir, "%s", a.out);
        else
            snprintf(dir, sizeof dir, "out/%s", cor_scenario_name(sc));
        if (!a.quiet) {
            cli_warn_unused(sim, "run");
            printf("corredor %s: running %s (threads %d)\n", cor_version(), a.scenario,
                   a.opt.threads > 0 ? a.opt.threads : 1);
        }
        int r = cor_sim_run(sim);
        if (r == COR_OK)
            r = cor_sim_write_outputs(sim, dir);
        if (r != COR_OK) {
            fprintf(stderr, "corredor run: %s\n", cor_sim_errmsg(sim));
            rc = cli_exit_code(r);
        } else if (!a.quiet) {
            print_summary(sim, dir);
        }
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
    return rc;
}

int cli_cmd_check(int argc, char **argv)
{
    run_args a;
    int rc = parse_args(argc, argv, &a, 0);
    if (rc)
        return rc == -2 ? CLI_OK : CLI_USAGE;
    cor_scenario *sc = NULL;
    cor_sim *sim = NULL;
    rc = cli_prepare(a.scenario, a.params, &a.opt, "check", &sc, &sim);
    if (rc == CLI_OK) {
        cli_warn_unused(sim, "check");
        printf("%s: ok (scenario '%s', %d places)\n", a.scenario, cor_scenario_name(sc), cor_sim_n_places(sim));
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
    return rc;
}
