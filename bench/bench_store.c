/* bench_store: what durable commits cost (docs/PERFORMANCE.md, "Durable
 * commits").
 *
 *   build/release/bench/bench_store [--n N] [--rounds R] [--dir DIR]
 *
 * SQLite in WAL mode with synchronous=NORMAL fsyncs only at checkpoints, so
 * a power cut can lose the last commits (a payment we acknowledged to WeChat
 * Pay among them); synchronous=FULL fsyncs the WAL at every commit.  This
 * times the same store transactions both ways in one run, on a database in
 * DIR (default: the current directory, i.e. the disk data/ lives on with
 * `make bench`; not /tmp, which may be memory): per round N money commits
 * (an order made, then paid: tc_store_order_create + tc_store_order_paid,
 * two transactions) at FULL, then N at NORMAL, R rounds alternating so that
 * a drifting VM disk treats both alike.  Prints the median and the 90th
 * percentile per commit of each level over all rounds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/tc_store.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    int n = 200, rounds = 3;
    const char *dir = ".";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_store [--n N] [--rounds R] [--dir DIR]\n");
            return 2;
        }
    }
    if (n < 1 || rounds < 1)
        return 2;
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/bench-store-XXXXXX", dir);
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/bench.db", tmpl);
    tc_err e;
    tc_store *s = tc_store_open(path, &e);
    if (!s) {
        fprintf(stderr, "bench_store: %s\n", e.en);
        return 1;
    }
    printf("store opened at synchronous=%d (0 off, 1 normal, 2 full)\n", tc_store_synchronous(s));
    uint8_t idh[32];
    memset(idh, 0x42, sizeof idh);
    int64_t person;
    if (tc_store_person_upsert(s, 0, idh, "13800138000", &person, &e) != 0) {
        fprintf(stderr, "bench_store: %s\n", e.en);
        return 1;
    }
    const int levels[2] = {2, 1};
    const char *names[2] = {"FULL", "NORMAL"};
    double *t[2];
    int cnt[2] = {0, 0};
    for (int l = 0; l < 2; l++)
        t[l] = malloc(sizeof(double) * (size_t)n * 2 * (size_t)rounds);
    int seq = 0, rc = 0;
    for (int r = 0; r < rounds && rc == 0; r++)
        for (int l = 0; l < 2 && rc == 0; l++) {
            if (tc_store_set_synchronous(s, levels[l], &e) != 0) {
                rc = 1;
                break;
            }
            for (int i = 0; i < n; i++) {
                char no[33];
                snprintf(no, sizeof no, "BENCH%08d", seq++);
                tc_store_order o = {.out_trade_no = no, .person_id = person, .kind = "reprint", .amount_fen = 100,
                                    .description = "bench", .provider = "sandbox", .created_at = 1};
                int64_t id;
                int already;
                double a = now_ms();
                if (tc_store_order_create(s, &o, &id, &e) != 0) {
                    rc = 1;
                    break;
                }
                double b = now_ms();
                if (tc_store_order_paid(s, no, "TXN", 100, 2, &already, &e) != 0) {
                    rc = 1;
                    break;
                }
                double c = now_ms();
                t[l][cnt[l]++] = b - a;
                t[l][cnt[l]++] = c - b;
            }
        }
    if (rc != 0)
        fprintf(stderr, "bench_store: %s\n", e.en);
    else {
        printf("%d commits per level (%d rounds x %d orders x 2 transactions), database in %s\n", cnt[0], rounds, n,
               dir);
        for (int l = 0; l < 2; l++) {
            double sum = 0;
            for (int i = 0; i < cnt[l]; i++)
                sum += t[l][i];
            printf("  synchronous=%-6s  median %.3f ms  p90 %.3f ms  mean %.3f ms per commit\n", names[l],
                   pct(t[l], cnt[l], 0.5), pct(t[l], cnt[l], 0.9), sum / cnt[l]);
        }
    }
    for (int l = 0; l < 2; l++)
        free(t[l]);
    tc_store_close(s);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_store: could not remove %s\n", tmpl);
    return rc;
}
