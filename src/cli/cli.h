/* cli.h - the corredor command-line tool: one file per subcommand.
 * Each subcommand gets argv starting at its own name (argv[0] = "run", ...),
 * prints its own messages (stderr for errors) and returns an exit code. */
#ifndef COR_CLI_H
#define COR_CLI_H

/* Exit codes (documented in README.md and `corredor --help`). */
enum {
    CLI_OK = 0,        /* success */
    CLI_FAIL = 1,      /* the run failed (internal error, out of memory) */
    CLI_USAGE = 2,     /* bad command line */
    CLI_INPUT = 3,     /* invalid scenario or data file (message names file, line, field) */
    CLI_IO = 4         /* an output could not be written */
};

int cli_cmd_run(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_demand(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_sensitivity(int argc, char **argv);

/* Map a library return code to an exit code. */
int cli_exit_code(int cor_rc);

#include "corredor.h"

/* Options shared by run, check, compare and sensitivity. */
typedef struct {
    const char *scenario, *out, *params;
    cor_options opt;
    int quiet;
} run_args;

/* Load a scenario (and a --params overlay) and set up a sim; prints errors
 * and returns an exit code (CLI_OK on success; free both either way). */
int cli_prepare(const char *scenario, const char *params, const cor_options *opt, const char *cmd,
                cor_scenario **psc, cor_sim **psim);
int cli_parse_u64(const char *s, uint64_t *v);
/* Option values for command CMD: an integer in [lo, hi], a positive finite
 * number, a 64-bit seed.  On a bad value they print "corredor CMD: --NAME:
 * 'ARG' is not ..." to stderr and return -1 (the caller exits CLI_USAGE). */
int cli_opt_int(const char *cmd, const char *name, const char *arg, int lo, int hi, int *v);
int cli_opt_positive(const char *cmd, const char *name, const char *arg, double *v);
int cli_opt_seed(const char *cmd, const char *arg, uint64_t *v);
void cli_warn_unused(const cor_sim *sim, const char *cmd);


#endif
