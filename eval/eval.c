/*
 * tucai-eval — runs the real pipeline (tc_studio_make with every check) on
 * the labelled evaluation set and prints, per check: good photos wrongly
 * rejected (false rejects), bad photos missed (misses) and photos it could
 * not assess.
 *
 *   tucai-eval SET_DIR [--models DIR] [--spec chsi] [-v] [--check NAME]
 *              [--images DIR] [--config JSON]
 *
 * SET_DIR holds set.tsv written by tucai-evalgen (file, prior, prior is the
 * same student's, labels).  A prior is another image of the set; its face
 * hash is taken from its own run (each image runs once, priors first), as
 * the server keeps the hash of every accepted photo.
 *
 * --images DIR reads the images from DIR instead of SET_DIR (the real
 * photos of ../shared/testdata/real stay where they are: never copied);
 * --config JSON applies school settings (tc_check_config_json), e.g.
 * '{"glasses":"forbidden"}' as seed 004 asks for the real table.
 * -v prints every disagreement; --check NAME every image's score for one
 * check (for tuning).  Exit status 0 (the table is the result), 1 when the
 * set cannot be read, 2 usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/tc_base.h"
#include "check/tc_check.h"
#include "photo/tc_photo.h"
#include "studio/tc_studio.h"

typedef struct item {
    char file[128];
    char prior[128];
    int prior_same;
    int heldout; /* a held-out portrait or its variant: reported apart */
    signed char lab[TC_CHECK_N]; /* 1 pass, 0 fail, -1 not judged */
    int done, failed_run;
    int has_hash;
    tc_check_hash hash;
    tc_check_report rep;
} item;

typedef struct tally {
    int good, bad;       /* labelled pass / fail                     */
    int false_rej, miss; /* good that failed; bad that passed       */
    int unk_good, unk_bad;
} tally;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int parse_line(char *line, item *it)
{
    memset(it, 0, sizeof *it);
    for (int i = 0; i < TC_CHECK_N; i++)
        it->lab[i] = -1;
    char *f[5] = {0};
    char *save = NULL;
    for (int k = 0; k < 4; k++) {
        f[k] = strtok_r(k ? NULL : line, "\t", &save);
        if (!f[k])
            return k == 3 ? 0 : -1; /* an image with no labels at all */
    }
    f[4] = strtok_r(NULL, "\t", &save);
    it->heldout = f[4] && !strcmp(f[4], "heldout");
    if (strlen(f[0]) >= sizeof it->file || strlen(f[1]) >= sizeof it->prior)
        return -1;
    memcpy(it->file, f[0], strlen(f[0]) + 1);
    if (strcmp(f[1], "-"))
        memcpy(it->prior, f[1], strlen(f[1]) + 1);
    it->prior_same = atoi(f[2]);
    for (char *s2 = NULL, *t = strtok_r(f[3], " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
        char *eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = 0;
        int id = tc_check_by_name(t);
        if (id >= 0)
            it->lab[id] = (signed char)!strcmp(eq + 1, "pass");
    }
    return 0;
}

typedef struct run_env {
    const tc_studio *s;
    tc_studio_ctx *c;
    const char *images, *spec;
    const tc_check_config *cfg;
    item *items;
    int n;
    double ms_checks, ms_all;
    int n_runs;
} run_env;

static int run_item(run_env *env, int i, int depth)
{
    item *it = &env->items[i];
    if (it->done)
        return 0;
    it->done = 1;
    tc_check_prior pr = {0};
    size_t npr = 0;
    if (it->prior[0] && depth < 4) {
        for (int k = 0; k < env->n; k++)
            if (!strcmp(env->items[k].file, it->prior)) {
                run_item(env, k, depth + 1);
                if (env->items[k].has_hash) {
                    pr.hash = env->items[k].hash;
                    pr.ref = k + 1;
                    pr.same_student = it->prior_same;
                    npr = 1;
                }
                break;
            }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", env->images, it->file);
    char *data;
    size_t len;
    tc_err e = {0};
    if (tc_file_read(path, 64 << 20, &data, &len, &e) != 0) {
        fprintf(stderr, "eval: %s: %s\n", it->file, e.en);
        it->failed_run = 1;
        return -1;
    }
    tc_studio_req req = {.data = data, .len = len, .spec = env->spec, .run_checks = 1, .checks = env->cfg,
                         .prior = npr ? &pr : NULL, .n_prior = npr};
    tc_studio_result res;
    double t0 = now_ms();
    int rc = tc_studio_make(env->s, env->c, &req, &res, &e);
    double t1 = now_ms();
    free(data);
    if (rc != 0) {
        /* the upload itself was refused: every check counts as unknown */
        fprintf(stderr, "eval: %s: %s [%s]\n", it->file, e.en, e.code);
        it->failed_run = 1;
        return 0;
    }
    it->rep = res.checks;
    it->has_hash = res.checks.has_hash;
    it->hash = res.checks.hash;
    env->ms_checks += res.ms_checks;
    env->ms_all += t1 - t0;
    env->n_runs++;
    tc_studio_result_free(&res);
    return 0;
}

/* Tally and print the table over the items with heldout == held (-1: all);
 * -v lists the disagreements, --check one check's values. */
static void report(const item *items, int n, int held, int verbose, int one)
{
    tally t[TC_CHECK_N];
    memset(t, 0, sizeof t);
    for (int i = 0; i < n; i++) {
        const item *it = &items[i];
        if (held >= 0 && it->heldout != held)
            continue;
        for (int k = 0; k < TC_CHECK_N; k++) {
            if (it->lab[k] < 0)
                continue;
            int good = it->lab[k] == 1;
            good ? t[k].good++ : t[k].bad++;
            tc_check_verdict v = it->failed_run ? TC_CHECK_UNKNOWN : it->rep.r[k].verdict;
            if (v == TC_CHECK_UNKNOWN) {
                good ? t[k].unk_good++ : t[k].unk_bad++;
            } else if (good && v == TC_CHECK_FAIL) {
                t[k].false_rej++;
            } else if (!good && v == TC_CHECK_PASS) {
                t[k].miss++;
            } else
                continue;
            if (verbose)
                printf("  %-16s %-22s expected %s, got %s (score %d, value %.3g)\n", tc_check_name((tc_check_id)k),
                       it->file, good ? "pass" : "fail",
                       v == TC_CHECK_UNKNOWN ? "unknown" : (v == TC_CHECK_FAIL ? "fail" : "pass"),
                       it->failed_run ? -1 : it->rep.r[k].score, it->failed_run ? NAN : it->rep.r[k].value);
        }
        if (one >= 0)
            printf("  %-22s label %-4s score %4d value %.4g\n", it->file,
                   it->lab[one] < 0 ? "-" : (it->lab[one] ? "pass" : "fail"),
                   it->failed_run ? -1 : it->rep.r[one].score, it->failed_run ? NAN : it->rep.r[one].value);
    }
    printf("| check | good | false rejects | bad | misses | could not assess (good / bad) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    tally tot = {0};
    for (int k = 0; k < TC_CHECK_N; k++) {
        printf("| %s | %d | %d | %d | %d | %d / %d |\n", tc_check_name((tc_check_id)k), t[k].good, t[k].false_rej,
               t[k].bad, t[k].miss, t[k].unk_good, t[k].unk_bad);
        tot.good += t[k].good, tot.bad += t[k].bad, tot.false_rej += t[k].false_rej, tot.miss += t[k].miss;
        tot.unk_good += t[k].unk_good, tot.unk_bad += t[k].unk_bad;
    }
    printf("| **total** | %d | %d | %d | %d | %d / %d |\n", tot.good, tot.false_rej, tot.bad, tot.miss, tot.unk_good,
           tot.unk_bad);
}

/* The group a recapture-labelled image is reported in: the folder of its
 * path ("nuaa/print", "wider"), else the kind of a synthetic variant
 * ("v04_print_close.jpg" -> "print_close"; a base portrait -> "base"). */
static void live_group(const char *file, char *out, size_t cap)
{
    const char *sl = strrchr(file, '/');
    size_t len;
    if (sl) {
        len = (size_t)(sl - file);
    } else {
        const char *u = strchr(file, '_');
        file = (file[0] == 'v' && u) ? u + 1 : "base";
        const char *dot = strrchr(file, '.');
        len = dot ? (size_t)(dot - file) : strlen(file);
    }
    if (len >= cap)
        len = cap - 1;
    memcpy(out, file, len);
    out[len] = 0;
}

/* Liveness (issue 16, item 7): for the recapture check, per group of
 * attacks (labelled fail) and of bona fide photos (labelled pass), how many
 * failed, were flagged for review ("could not assess" with a measurement),
 * could not be assessed at all (no face), passed; APCER = attacks passed as
 * live, BPCER = bona fide photos failed (ISO/IEC 30107-3's terms). */
static void report_liveness(const item *items, int n, int held)
{
    enum { NG = 32 };
    struct {
        char name[64];
        int attack, n, fail, flag, noface, pass;
    } g[NG];
    int ng = 0;
    for (int i = 0; i < n; i++) {
        const item *it = &items[i];
        int lab = it->lab[TC_CHECK_RECAPTURE];
        if (lab < 0 || (held >= 0 && it->heldout != held))
            continue;
        char name[64];
        live_group(it->file, name, sizeof name);
        int k = 0;
        while (k < ng && (strcmp(g[k].name, name) || g[k].attack != !lab))
            k++;
        if (k == ng) {
            if (ng == NG)
                continue;
            memset(&g[k], 0, sizeof g[k]);
            memcpy(g[k].name, name, strlen(name) + 1);
            g[k].attack = !lab;
            ng++;
        }
        const tc_check_result *r = &it->rep.r[TC_CHECK_RECAPTURE];
        g[k].n++;
        if (it->failed_run || (r->verdict == TC_CHECK_UNKNOWN && !isfinite(r->value)))
            g[k].noface++;
        else if (r->verdict == TC_CHECK_UNKNOWN)
            g[k].flag++;
        else if (r->verdict == TC_CHECK_FAIL)
            g[k].fail++;
        else
            g[k].pass++;
    }
    if (ng == 0)
        return;
    printf("\n| liveness (recapture) | photos | failed | flagged for review | no face | passed | rate |\n");
    printf("|---|---:|---:|---:|---:|---:|---|\n");
    for (int pass = 1; pass >= 0; pass--)
        for (int k = 0; k < ng; k++) {
            if (g[k].attack != pass)
                continue;
            printf("| %s %s | %d | %d | %d | %d | %d | ", g[k].attack ? "attack" : "bona fide", g[k].name, g[k].n,
                   g[k].fail, g[k].flag, g[k].noface, g[k].pass);
            if (g[k].attack)
                printf("APCER %.0f %% (%.0f %% if a flag is not a catch) |\n", 100.0 * g[k].pass / g[k].n,
                       100.0 * (g[k].pass + g[k].flag + g[k].noface) / g[k].n);
            else
                printf("BPCER %.0f %%, %.0f %% flagged |\n", 100.0 * g[k].fail / g[k].n, 100.0 * g[k].flag / g[k].n);
        }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: tucai-eval SET_DIR [--models DIR] [--spec NAME] [-v] [--check NAME] [--images DIR] [--config JSON]\n");
        return 2;
    }
    const char *models = NULL, *spec = "chsi", *images = argv[1], *config = NULL;
    int verbose = 0, one = -1;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--spec") && i + 1 < argc)
            spec = argv[++i];
        else if (!strcmp(argv[i], "--images") && i + 1 < argc)
            images = argv[++i];
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--check") && i + 1 < argc) {
            one = tc_check_by_name(argv[++i]);
            if (one < 0) {
                fprintf(stderr, "eval: unknown check %s\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "eval: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    tc_check_config cfg;
    tc_check_config_default(&cfg);
    tc_err ce = {0};
    if (config && tc_check_config_json(&cfg, config, strlen(config), &ce) != 0) {
        fprintf(stderr, "eval: --config: %s\n", ce.en);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/set.tsv", argv[1]);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eval: cannot read %s (run tucai-evalgen first)\n", path);
        return 1;
    }
    int cap = 64, n = 0;
    item *items = malloc((size_t)cap * sizeof *items);
    char line[8192];
    while (items && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        if (n == cap) {
            item *ni = realloc(items, (size_t)cap * 2 * sizeof *items);
            if (!ni)
                break;
            items = ni, cap *= 2;
        }
        if (parse_line(line, &items[n]) == 0)
            n++;
    }
    fclose(f);
    if (!items || n == 0) {
        fprintf(stderr, "eval: no images in %s\n", path);
        free(items);
        return 1;
    }
    tc_err e = {0};
    if (tc_photo_startup(argv[0], &e) != 0) {
        fprintf(stderr, "eval: %s\n", e.en);
        return 1;
    }
    tc_studio *s = tc_studio_open(models, NULL, &e);
    tc_studio_ctx *c = s ? tc_studio_ctx_new(s, &e) : NULL;
    if (!c) {
        fprintf(stderr, "eval: %s [%s]\n", e.en, e.code);
        tc_studio_free(s);
        free(items);
        return 1;
    }
    run_env env = {s, c, images, spec, &cfg, items, n, 0, 0, 0};
    for (int i = 0; i < n; i++)
        run_item(&env, i, 0);

    printf("\n%d images (%d runs), spec %s; checks %.1f ms per photo on average, whole pipeline %.0f ms\n", n,
           env.n_runs, spec, env.n_runs ? env.ms_checks / env.n_runs : 0, env.n_runs ? env.ms_all / env.n_runs : 0);
    int n_held = 0;
    for (int i = 0; i < n; i++)
        n_held += items[i].heldout;
    if (n_held == 0) {
        printf("\n");
        report(items, n, -1, verbose, one);
        report_liveness(items, n, -1);
    } else {
        /* the portraits tuned on, then the held-out ones (their variants
         * included): a check that does much worse there is fitted to the
         * photos it was tuned on */
        printf("\ntuned on (%d images):\n\n", n - n_held);
        report(items, n, 0, verbose, one);
        report_liveness(items, n, 0);
        printf("\nheld out / set aside (%d images, marked heldout: no threshold was fitted on them):\n\n", n_held);
        report(items, n, 1, verbose, one);
        report_liveness(items, n, 1);
        printf("\nall:\n\n");
        report(items, n, -1, 0, -1);
        report_liveness(items, n, -1);
    }
    tc_studio_ctx_free(c);
    tc_studio_free(s);
    free(items);
    return 0;
}
