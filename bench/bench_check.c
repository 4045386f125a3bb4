/* bench_check: the automatic checks' cost beyond the vision models.
 *
 *   build/release/bench/bench_check [--values] [--runs N] [IMAGE...]
 *
 * Runs tc_studio_make with the checks on each image (default: every file in
 * $TC_TESTDATA/portraits, else ../shared/testdata/portraits) N times and
 * prints the median time of each check over all runs and photos, and of all
 * checks together (the budget is 30 ms per photo on one core).  --values also
 * prints every check's raw value and score per photo (for tuning the table in
 * src/check/tc_check.c).  Models from $TUCAI_MODELS or ./models. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "studio/tc_studio.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int is_image(const char *n)
{
    const char *d = strrchr(n, '.');
    return d && (!strcmp(d, ".jpg") || !strcmp(d, ".png") || !strcmp(d, ".webp") || !strcmp(d, ".jpeg"));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int runs = 3, values = 0;
    char *files[256];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--values"))
            values = 1;
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (nf < 256)
            files[nf++] = strdup(argv[i]);
    }
    if (runs < 1)
        runs = 1;
    if (nf == 0) {
        const char *td = getenv("TC_TESTDATA");
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/portraits", td && *td ? td : TC_SRCDIR "/../shared/testdata");
        DIR *d = opendir(dir);
        if (!d) {
            fprintf(stderr, "bench_check: no images given and %s is absent; skipped\n", dir);
            return 0;
        }
        struct dirent *de;
        while ((de = readdir(d)) && nf < 256)
            if (is_image(de->d_name)) {
                char p[2048];
                snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
                files[nf++] = strdup(p);
            }
        closedir(d);
        qsort(files, (size_t)nf, sizeof *files, by_name);
    }
    tc_err e = {0};
    if (tc_photo_startup(argv[0], &e) != 0) {
        fprintf(stderr, "%s\n", e.en);
        return 1;
    }
    tc_studio *s = tc_studio_open(NULL, NULL, &e);
    tc_studio_ctx *c = s ? tc_studio_ctx_new(s, &e) : NULL;
    if (!c) {
        fprintf(stderr, "bench_check: %s (%s); set TUCAI_MODELS\n", e.en, e.code);
        return 1;
    }
    size_t cap = (size_t)nf * runs;
    double *per[TC_CHECK_N], *total = calloc(cap, sizeof(double)), *vis = calloc(cap, sizeof(double));
    for (int k = 0; k < TC_CHECK_N; k++)
        per[k] = calloc(cap, sizeof(double));
    int n = 0;
    for (int f = 0; f < nf; f++) {
        char *data = NULL;
        size_t len = 0;
        if (tc_file_read(files[f], 64u << 20, &data, &len, &e) != 0) {
            fprintf(stderr, "%s: %s\n", files[f], e.en);
            continue;
        }
        for (int r = 0; r < runs; r++) {
            tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .run_checks = 1};
            tc_studio_result res;
            if (tc_studio_make(s, c, &req, &res, &e) != 0) {
                fprintf(stderr, "%s: %s (%s)\n", files[f], e.en, e.code);
                break;
            }
            for (int k = 0; k < TC_CHECK_N; k++)
                per[k][n] = res.checks.r[k].ms;
            total[n] = res.ms_checks;
            vis[n] = res.ms_vision;
            n++;
            if (values && r == 0) {
                const char *b = strrchr(files[f], '/');
                printf("%s  %s%s\n", b ? b + 1 : files[f], res.jpeg ? "photo" : "NO PHOTO ",
                       res.jpeg ? "" : res.problem);
                for (int k = 0; k < TC_CHECK_N; k++) {
                    const tc_check_result *cr = &res.checks.r[k];
                    printf("    %-16s %-4s %4d  %9.4f\n", tc_check_name(cr->id),
                           cr->verdict == TC_CHECK_PASS ? "ok" : cr->verdict == TC_CHECK_FAIL ? "FAIL" : "?",
                           cr->score, cr->value);
                }
            }
            tc_studio_result_free(&res);
        }
        free(data);
    }
    printf("bench_check: %d photos x %d runs; median ms per check:\n", nf, runs);
    for (int k = 0; k < TC_CHECK_N; k++)
        printf("  %-16s %7.3f\n", tc_check_name((tc_check_id)k), median(per[k], n));
    double vm = median(vis, n), tm = median(total, n); /* sorts total */
    printf("  %-16s %7.3f   (max %.3f; vision models %.1f ms)\n", "all checks", tm, n ? total[n - 1] : NAN, vm);
    for (int k = 0; k < TC_CHECK_N; k++)
        free(per[k]);
    free(total);
    free(vis);
    for (int f = 0; f < nf; f++)
        free(files[f]);
    tc_studio_ctx_free(c);
    tc_studio_free(s);
    vips_shutdown();
    return 0;
}
