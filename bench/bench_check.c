/* bench_check: the automatic checks' cost beyond the vision models.
 *
 *   build/release/bench/bench_check [--values] [--runs N] [--worst K] [IMAGE...]
 *
 * Runs tc_studio_make with the checks on each image (default: every file in
 * $TC_TESTDATA/portraits, else ../shared/testdata/portraits) N times and
 * prints the median time of each check over all runs and photos, and of all
 * checks together (the budget is 30 ms per photo on one core).  Then the K
 * slowest photos (default 3), each by its median over the runs (a single run
 * on a shared machine is noise), with the checks that cost most on it: the
 * worst case is what the budget is about.  --values also
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
    int runs = 3, values = 0, worst = 3;
    tc_mem_keep_freed(); /* as main() does */
    char *files[256];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--values"))
            values = 1;
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--worst") && i + 1 < argc)
            worst = atoi(argv[++i]);
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
    double *per[TC_CHECK_N + 1], *total = calloc(cap, sizeof(double)), *vis = calloc(cap, sizeof(double));
    /* per[TC_CHECK_N]: outside the checks (shared context, the report's face hash) */
    for (int k = 0; k <= TC_CHECK_N; k++)
        per[k] = calloc(cap, sizeof(double));
    /* per photo: the median total over its runs, and each check's median */
    double *ph_total = calloc((size_t)nf, sizeof(double)), *ph_check = calloc((size_t)nf * (TC_CHECK_N + 1), sizeof(double));
    int n = 0;
    for (int f = 0; f < nf; f++) {
        int n0 = n;
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
            total[n] = res.checks.ms;
            per[TC_CHECK_N][n] = total[n];
            for (int k = 0; k < TC_CHECK_N; k++) {
                per[k][n] = res.checks.r[k].ms;
                per[TC_CHECK_N][n] -= per[k][n];
            }
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
        if (n > n0) {
            double tmp[1024];
            int m = n - n0 < 1024 ? n - n0 : 1024;
            memcpy(tmp, total + n0, (size_t)m * sizeof(double));
            ph_total[f] = median(tmp, m);
            for (int k = 0; k <= TC_CHECK_N; k++) {
                memcpy(tmp, per[k] + n0, (size_t)m * sizeof(double));
                ph_check[(size_t)f * (TC_CHECK_N + 1) + k] = median(tmp, m);
            }
        }
    }
    printf("bench_check: %d photos x %d runs; median ms per check (CPU time of the thread):\n", nf, runs);
    for (int k = 0; k < TC_CHECK_N; k++)
        printf("  %-16s %7.3f\n", tc_check_name((tc_check_id)k), median(per[k], n));
    printf("  %-16s %7.3f   (shared context, the report's face hash)\n", "outside checks", median(per[TC_CHECK_N], n));
    double vm = median(vis, n), tm = median(total, n); /* sorts total */
    printf("  %-16s %7.3f   (max of any run %.3f; vision models %.1f ms)\n", "all checks", tm, n ? total[n - 1] : NAN,
           vm);
    /* the slowest photos by their median, and where the time went on each */
    int *order = calloc((size_t)nf + 1, sizeof(int));
    for (int f = 0; order && f < nf; f++)
        order[f] = f;
    for (int a = 1; order && a < nf; a++)
        for (int b = a; b > 0 && ph_total[order[b - 1]] < ph_total[order[b]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int w = 0; order && w < worst && w < nf; w++) {
        int f = order[w];
        const char *b = strrchr(files[f], '/');
        printf("worst %d: %s  all checks %.3f ms (median of %d runs):", w + 1, b ? b + 1 : files[f], ph_total[f], runs);
        const double *pc = ph_check + (size_t)f * (TC_CHECK_N + 1);
        int used[TC_CHECK_N + 1] = {0};
        for (int t = 0; t < 4; t++) {
            int best = -1;
            for (int k = 0; k <= TC_CHECK_N; k++)
                if (!used[k] && (best < 0 || pc[k] > pc[best]))
                    best = k;
            used[best] = 1;
            printf(" %s %.2f", best < TC_CHECK_N ? tc_check_name((tc_check_id)best) : "outside", pc[best]);
        }
        printf("\n");
    }
    free(order);
    free(ph_total);
    free(ph_check);
    for (int k = 0; k <= TC_CHECK_N; k++)
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
