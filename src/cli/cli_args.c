/* The option loop and the failure message of `tucai photo` and `tucai check`. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

int cli_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_opt *opts, const char **in)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const cli_opt *o = opts;
        while (o->name && strcmp(o->name, a))
            o++;
        if (o->name && o->val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tucai %s: %s needs a value\n%s", cmd, a, usage);
                return 2;
            }
            *o->val = argv[++i];
        } else if (o->name)
            *o->flag = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (a[0] != '-' && !*in)
            *in = a;
        else {
            fprintf(stderr, "tucai %s: unexpected argument %s\n%s", cmd, a, usage);
            return 2;
        }
    }
    return -1;
}

int cli_fail(const char *cmd, const tc_err *e)
{
    fprintf(stderr, "tucai %s: %s: %s\n  %s\n", cmd, e->code, e->zh, e->en);
    return 1;
}
