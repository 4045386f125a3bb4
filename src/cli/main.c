/* tucai — the one program: serve, migrate, demo, import-roster, version, ... */
#include <stdio.h>
#include <string.h>

#include "base/tc_base.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "version") == 0) {
        printf("tucai 0.1.0\n");
        return 0;
    }
    fprintf(stderr, "usage: tucai serve|migrate|demo|import-roster|version\n");
    return 2;
}
