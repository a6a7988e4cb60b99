/* main.c - the corredor command: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "corredor.h"

static const char usage[] =
    "usage: corredor COMMAND [ARGS]\n"
    "\n"
    "Simulate the Central America-Mexico-US migration corridor.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     run a scenario and write its outputs (corredor run --help)\n"
    "  check SCENARIO   validate a scenario without running it\n"
    "  compare A B      run two scenarios with the same seed; print the headline differences\n"
    "  sensitivity S    run each assumed parameter at both ends of its range; print the moves\n"
    "  demand PARAMS    derive latent departure demand from the data files\n"
    "  ensemble S -n N --db FILE.sqlite\n"
    "                   N runs (own seeds, --vary draws) into a SQLite store; bands; resumable; MPI\n"
    "  calibrate S --until YYYY-MM\n"
    "                   fit the calibrated parameters and the latent demand to the record\n"
    "  validate S       compare a run with the record: fit, held-out quantities, dated facts\n"
    "  hindcast S --train-until YYYY-MM --horizon M\n"
    "                   calibrate on data up to a month, forecast M months, score against baselines\n"
    "\n"
    "options:\n"
    "  --help           this text (COMMAND --help: the command's own)\n"
    "  --version        print the version\n"
    "\n"
    "exit codes:\n"
    "  0  success\n"
    "  1  the run failed (internal error, out of memory)\n"
    "  2  bad command line\n"
    "  3  invalid scenario or data file (the message names file, line and field)\n"
    "  4  an output could not be written\n";

/* Analysis commands (issue 4), one file each. */
int cli_cmd_ensemble(int argc, char **argv);
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);
int cli_cmd_hindcast(int argc, char **argv);

int cli_exit_code(int rc)
{
    switch (rc) {
    case COR_OK: return CLI_OK;
    case COR_EINPUT: return CLI_INPUT;
    case COR_EIO: return CLI_IO;
    case COR_EARG: return CLI_USAGE;
    default: return CLI_FAIL;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("corredor %s\n", cor_version());
        return CLI_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cli_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cli_cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cli_cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0)
        return cli_cmd_sensitivity(argc - 1, argv + 1);
    struct {
        const char *name;
        int (*fn)(int, char **);
    } analysis[] = {{"ensemble", cli_cmd_ensemble},
                    {"validate", cli_cmd_validate},
                    {"calibrate", cli_cmd_calibrate},
                    {"hindcast", cli_cmd_hindcast}};
    for (size_t i = 0; i < sizeof analysis / sizeof *analysis; i++)
        if (strcmp(cmd, analysis[i].name) == 0)
            return analysis[i].fn(argc - 1, argv + 1);
    if (strcmp(cmd, "demand") == 0)
        return cli_cmd_demand(argc - 1, argv + 1);
    fprintf(stderr, "corredor: unknown command '%s' (try: corredor --help)\n", cmd);
    return CLI_USAGE;
}
