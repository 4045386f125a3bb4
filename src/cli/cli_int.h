/* Shared by the subcommands' files of src/cli only (not part of tc_cli.h). */
#ifndef TC_CLI_INT_H
#define TC_CLI_INT_H

#include "../base/tc_base.h"

/* One option of a subcommand: "--name VALUE" sets *val; a flag ("--json")
 * has val NULL and sets *flag = 1. */
typedef struct cli_opt {
    const char *name;
    const char **val;
    int *flag;
} cli_opt;

/* Parse argv[1..argc) against opts (ended by a {NULL}); the one argument
 * that is not an option goes to *in.  -h/--help prints usage on stdout.
 * Returns -1 to go on, else the exit status to return at once: 0 after
 * --help, 2 for a missing value or an unexpected argument (said on stderr
 * as "tucai CMD: ...", then usage). */
int cli_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_opt *opts, const char **in);

/* Say why a subcommand failed ("tucai CMD: code: zh", then the en line) on
 * stderr; returns 1, the exit status of a failure. */
int cli_fail(const char *cmd, const tc_err *e);

#endif
