/* Replays a fuzz target's corpus: every file named on the command line (or
 * every file in a directory named there) is fed to LLVMFuzzerTestOneInput.
 * Prints one TAP line per file, so `make test` counts each corpus entry. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s (cannot open)\n", ++n, path);
        return;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    size_t got = fread(buf, 1, (size_t)(len > 0 ? len : 0), f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, got); /* a crash aborts the whole run: counted as a failure */
    free(buf);
    printf("ok %d - %s\n", ++n, path);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int k = scandir(argv[i], &names, NULL, alphasort);
            for (int j = 0; j < k; j++) {
                if (names[j]->d_name[0] != '.') {
                    char p[4096];
                    snprintf(p, sizeof p, "%s/%s", argv[i], names[j]->d_name);
                    run_file(p);
                }
                free(names[j]);
            }
            free(names);
        } else {
            run_file(argv[i]);
        }
    }
    printf("1..%d\n", n);
    return 0;
}
