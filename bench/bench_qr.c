/* bench_qr: what one QR entry try costs in src/qr (issue 14, item 8).
 *
 *   build/release/bench/bench_qr [--runs N] IMAGE...
 *
 * Decodes each image with tc_qr_decode N times (default 5) after one
 * warm-up, as the server does (libvips started once, untrusted loaders
 * blocked, no operation cache), and prints the median and worst wall time
 * and what the decode answered (the text, or the error code).  Made for the
 * hostile case of the issue: a 49-megapixel PNG that holds no code, which
 * costs the whole decode and every retry scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

#include "qr/tc_qr.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (VIPS_INIT(argv[0]))
        return 1;
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    int runs = 5, first = 1;
    if (argc > 2 && !strcmp(argv[1], "--runs")) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (runs < 1 || runs > 1000 || first >= argc) {
        fprintf(stderr, "usage: bench_qr [--runs N] IMAGE...\n");
        return 2;
    }
    double *t = malloc(sizeof *t * (size_t)runs);
    if (!t)
        return 1;
    for (int i = first; i < argc; i++) {
        char *data;
        size_t len;
        tc_err e;
        if (tc_file_read(argv[i], 64 * 1024 * 1024, &data, &len, &e) != 0) {
            fprintf(stderr, "%s: %s\n", argv[i], e.en);
            return 1;
        }
        char out[TC_QR_MAX_TEXT + 1];
        int rc = tc_qr_decode(data, len, out, sizeof out, &e); /* warm-up */
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms();
            rc = tc_qr_decode(data, len, out, sizeof out, &e);
            t[r] = now_ms() - t0;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        printf("%-40s %9zu B  median %8.1f ms  worst %8.1f ms  -> %s\n", argv[i], len, t[runs / 2], t[runs - 1],
               rc == 0 ? out : e.code);
        free(data);
    }
    free(t);
    vips_shutdown();
    return 0;
}
