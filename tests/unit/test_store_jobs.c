/* Unit tests: the store between processes (issue 18 item 3) — photo jobs
 * claimed from the database (oldest first, never one photo to two workers,
 * a stale claim taken over, the result stored only under its claim, a dead
 * worker's photos given back), notifications (tc_store_notify/listen) and
 * the periodic jobs' leader (tc_store_lead).  Runs on SQLite and, in
 * `make test`'s second pass, on PostgreSQL (where the claims run with FOR
 * UPDATE SKIP LOCKED, the notifications through LISTEN/NOTIFY and the
 * leader is an advisory lock held by one of two stores), and the rules of
 * tucai fsck (tc_store_fsck). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/tc_store.h"
#include "store_fixture.h"

enum { T0 = 1700000000, NSTUDENTS = 24 };

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
    int64_t students[NSTUDENTS];
} fx;

static int setup(void **st)
{
    fx *f = calloc(1, sizeof *f);
    f->s = tcx_store_open(&f->t, "jobs");
    tc_pool_init(&f->p);
    *st = f;
    tc_err e;
    int64_t school;
    if (!f->s || tc_store_school_create(f->s, "作业大学", &school, &e) != 0)
        return -1;
    tc_store_batch b = {.school_id = school, .name = "b"};
    snprintf(b.code, sizeof b.code, "job001");
    if (tc_store_batch_create(f->s, &b, &e) != 0)
        return -1;
    tc_store_student rows[NSTUDENTS];
    char nos[NSTUDENTS][8];
    for (int i = 0; i < NSTUDENTS; i++) {
        snprintf(nos[i], sizeof nos[i], "%d", i + 1);
        rows[i] = tcx_student_row(nos[i], (uint8_t)(i + 1), (uint8_t)(i + 101));
    }
    size_t bad, ins, upd, n;
    tc_store_student *list;
    int64_t total;
    if (tc_store_roster_import(f->s, b.id, rows, NSTUDENTS, &bad, &ins, &upd, &e) != 0 ||
        tc_store_student_list(f->s, &f->p, b.id, NULL, 100, 0, &list, &n, &total, &e) != 0 || n != NSTUDENTS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint8_t idh[32];
        memset(idh, (int)(i + 1), 32);
        int64_t person;
        if (tc_store_person_upsert(f->s, school, idh, "13800138000", &person, &e) != 0 ||
            tc_store_student_verify(f->s, list[i].id, person, "13800138000", &e) != 0)
            return -1;
        f->students[i] = list[i].id;
    }
    return 0;
}

static int teardown(void **st)
{
    fx *f = *st;
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
    return 0;
}

/* One uploaded photo (state processing) of student i; its id. */
static int64_t upload(fx *f, int i)
{
    char blob[65];
    memset(blob, 'a' + i % 6, 64);
    blob[64] = 0;
    int64_t id;
    tc_err e;
    assert_int_equal(tc_store_photo_begin_limited(f->s, f->students[i], "camera", blob, 100, 10, 0, T0, &id, &e), 0);
    return id;
}

/* The result of a photo as worker (NULL: unchecked) would store it. */
static int finish(fx *f, int64_t id, const char *worker, tc_err *e)
{
    tc_store_photo_done d = {.state = TC_STORE_PHOTO_FAILED, .checks = "{}", .failed = "blur", .claimed_by = worker};
    return tc_store_photo_finish(f->s, id, &d, T0 + 5, e);
}

static void test_claim_oldest_once(void **st)
{
    fx *f = *st;
    int64_t a = upload(f, 0), b = upload(f, 1), c = upload(f, 2);
    int64_t got, n;
    int claims;
    tc_err e;
    assert_int_equal(tc_store_photo_pending(f->s, &n, &e), 0);
    assert_int_equal(n, 3);
    const int64_t want[3] = {a, b, c};
    const char *who[3] = {"w1", "w2", "w3"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_store_photo_claim(f->s, who[i], T0, T0 - 120, &got, &claims, &e), 0);
        assert_int_equal(got, want[i]);
        assert_int_equal(claims, 1);
    }
    /* all held, none stale: nothing to claim */
    assert_int_equal(tc_store_photo_claim(f->s, "w4", T0, T0 - 120, &got, &claims, &e), 0);
    assert_int_equal(got, 0);
    /* a result under someone else's claim changes nothing */
    assert_int_equal(finish(f, a, "w2", &e), -1);
    assert_string_equal(e.code, "photo.claim_lost");
    tc_store_photo ph;
    assert_int_equal(tc_store_photo_get(f->s, &f->p, a, &ph, &e), 0);
    assert_int_equal(ph.state_enum, TC_STORE_PHOTO_PROCESSING);
    assert_int_equal(finish(f, a, "w1", &e), 0);
    assert_int_equal(tc_store_photo_get(f->s, &f->p, a, &ph, &e), 0);
    assert_int_equal(ph.state_enum, TC_STORE_PHOTO_FAILED);
    /* stored once: a second result is refused */
    assert_int_equal(finish(f, a, "w1", &e), -1);
    assert_int_equal(tc_store_photo_pending(f->s, &n, &e), 0);
    assert_int_equal(n, 2);
}

static void test_stale_claim_taken_over(void **st)
{
    fx *f = *st;
    int64_t a = upload(f, 0), got;
    int claims;
    tc_err e;
    assert_int_equal(tc_store_photo_claim(f->s, "dead", T0, T0 - 120, &got, &claims, &e), 0);
    assert_int_equal(got, a);
    /* at T0 + 120 the claim made at T0 is not older than the timeout yet */
    assert_int_equal(tc_store_photo_claim(f->s, "alive", T0 + 120, T0, &got, &claims, &e), 0);
    assert_int_equal(got, 0);
    assert_int_equal(tc_store_photo_claim(f->s, "alive", T0 + 121, T0 + 1, &got, &claims, &e), 0);
    assert_int_equal(got, a);
    assert_int_equal(claims, 2);
    /* the old worker comes back with its result: too late */
    assert_int_equal(finish(f, a, "dead", &e), -1);
    assert_string_equal(e.code, "photo.claim_lost");
    assert_int_equal(finish(f, a, "alive", &e), 0);
}

static void test_unclaim_dead_worker(void **st)
{
    fx *f = *st;
    int64_t a = upload(f, 0), b = upload(f, 1), got;
    int claims;
    tc_err e;
    assert_int_equal(tc_store_photo_claim(f->s, "host:42:0", T0, T0 - 120, &got, &claims, &e), 0);
    assert_int_equal(tc_store_photo_claim(f->s, "host:43:0", T0, T0 - 120, &got, &claims, &e), 0);
    const char **who;
    size_t n;
    assert_int_equal(tc_store_photo_claimers(f->s, &f->p, &who, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(who[0], "host:42:0");
    assert_string_equal(who[1], "host:43:0");
    assert_int_equal(tc_store_photo_unclaim(f->s, "host:42:0", &e), 0);
    /* given back: claimed again at once, not after the timeout */
    assert_int_equal(tc_store_photo_claim(f->s, "host:44:0", T0 + 1, T0 - 119, &got, &claims, &e), 0);
    assert_int_equal(got, a);
    assert_int_equal(claims, 2);
    assert_int_equal(tc_store_photo_claim(f->s, "host:44:1", T0 + 1, T0 - 119, &got, &claims, &e), 0);
    assert_int_equal(got, 0); /* b is still 43's */
    (void)b;
}

/* tucai fsck's rules: sound records say nothing; a photo past three
 * claims still processing is named (the SQL of the rules runs on both
 * engines). */
static void test_fsck_rules(void **st)
{
    fx *f = *st;
    int64_t a = upload(f, 0), got;
    int claims;
    tc_err e;
    const char **problems;
    size_t n, more;
    assert_int_equal(tc_store_fsck(f->s, &f->p, &problems, &n, &more, &e), 0);
    assert_int_equal(n, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(tc_store_photo_claim(f->s, "w", T0 + 1000 * i, T0 + 1000 * i - 1, &got, &claims, &e), 0);
    assert_int_equal(got, a);
    assert_int_equal(claims, 4);
    assert_int_equal(tc_store_fsck(f->s, &f->p, &problems, &n, &more, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(more, 0);
    char want[96];
    snprintf(want, sizeof want, "photo %lld: processing after 4 claims", (long long)a);
    assert_non_null(strstr(problems[0], want));
    /* the files of kept photos, paged */
    tc_store_photo_files *files;
    assert_int_equal(tc_store_fsck_files(f->s, &f->p, 0, 10, &files, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(files[0].photo_id, a);
    assert_string_equal(files[0].state, "processing");
    assert_int_equal(strlen(files[0].blob[0]), 64);
    assert_string_equal(files[0].blob[2], "");
    assert_int_equal(tc_store_fsck_files(f->s, &f->p, a, 10, &files, &n, &e), 0);
    assert_int_equal(n, 0);
}

/* Four workers claim at once until nothing is left: every photo exactly
 * once (on PostgreSQL each claim skips the rows the others hold). */
typedef struct {
    fx *f;
    char name[8];
    int64_t got[NSTUDENTS];
    int n, errors;
} claimer;

static void *claim_all(void *arg)
{
    claimer *c = arg;
    for (;;) {
        int64_t id;
        int claims;
        tc_err e;
        if (tc_store_photo_claim(c->f->s, c->name, T0, T0 - 120, &id, &claims, &e) != 0) {
            c->errors++;
            continue;
        }
        if (!id)
            return NULL;
        c->got[c->n++] = id;
    }
}

static void test_concurrent_claims(void **st)
{
    fx *f = *st;
    int64_t ids[NSTUDENTS];
    for (int i = 0; i < NSTUDENTS; i++)
        ids[i] = upload(f, i);
    claimer c[4];
    pthread_t th[4];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 4; i++) {
        c[i].f = f;
        snprintf(c[i].name, sizeof c[i].name, "w%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, claim_all, &c[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int seen[NSTUDENTS] = {0}, total = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c[i].errors, 0);
        for (int k = 0; k < c[i].n; k++)
            for (int j = 0; j < NSTUDENTS; j++)
                if (ids[j] == c[i].got[k])
                    seen[j]++;
        total += c[i].n;
    }
    assert_int_equal(total, NSTUDENTS);
    for (int j = 0; j < NSTUDENTS; j++)
        assert_int_equal(seen[j], 1);
}

/* ---- notifications and the leader ---- */

typedef struct {
    pthread_mutex_t mu;
    int n;
    char last[64];
} heard;

static void on_heard(void *ctx, const char *channel, const char *payload)
{
    heard *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->n++;
    snprintf(h->last, sizeof h->last, "%s:%s", channel, payload);
    pthread_mutex_unlock(&h->mu);
}

/* Wait up to 5 s for h to have heard n notifications (PostgreSQL delivers
 * through the listening thread; SQLite before notify returns). */
static int heard_n(heard *h, int n)
{
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&h->mu);
        int k = h->n;
        pthread_mutex_unlock(&h->mu);
        if (k >= n)
            return k;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return h->n;
}

static void test_notify_listen(void **st)
{
    fx *f = *st;
    heard a = {.mu = PTHREAD_MUTEX_INITIALIZER}, b = {.mu = PTHREAD_MUTEX_INITIALIZER};
    tc_err e;
    assert_int_equal(tc_store_listen(f->s, "tucai_test_a", on_heard, &a, &e), 0);
    assert_int_equal(tc_store_listen(f->s, "tucai_test_b", on_heard, &b, &e), 0);
    assert_int_equal(tc_store_notify(f->s, "tucai_test_a", "42", &e), 0);
    assert_int_equal(heard_n(&a, 1), 1);
    assert_string_equal(a.last, "tucai_test_a:42");
    assert_int_equal(tc_store_notify(f->s, "tucai_test_b", "x\ty", &e), 0);
    assert_int_equal(heard_n(&b, 1), 1);
    assert_string_equal(b.last, "tucai_test_b:x\ty");
    assert_int_equal(a.n, 1); /* only its own channel */
    /* too long for a notification */
    char big[TC_STORE_NOTIFY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(tc_store_notify(f->s, "tucai_test_a", big, &e), -1);
    /* after unlisten: never called again */
    tc_store_unlisten(f->s, &a);
    assert_int_equal(tc_store_notify(f->s, "tucai_test_a", "43", &e), 0);
    assert_int_equal(tc_store_notify(f->s, "tucai_test_b", "44", &e), 0);
    assert_int_equal(heard_n(&b, 2), 2);
    assert_int_equal(a.n, 1);
    tc_store_unlisten(f->s, &b);
}

static void test_notify_between_stores(void **st)
{
    fx *f = *st;
    if (!tcx_pg()) {
        print_message("# SKIP on SQLite: notifications between processes need PostgreSQL (one process on SQLite)\n");
        skip();
    }
    tc_err e;
    tc_store *other = tc_store_open(f->t.path, &e);
    assert_non_null(other);
    heard h = {.mu = PTHREAD_MUTEX_INITIALIZER};
    assert_int_equal(tc_store_listen(other, "tucai_test_a", on_heard, &h, &e), 0);
    assert_int_equal(tc_store_notify(f->s, "tucai_test_a", "from the other node", &e), 0);
    assert_int_equal(heard_n(&h, 1), 1);
    assert_string_equal(h.last, "tucai_test_a:from the other node");
    tc_store_unlisten(other, &h);
    tc_store_close(other);
}

static void test_lead(void **st)
{
    fx *f = *st;
    assert_int_equal(tc_store_lead(f->s), 1);
    assert_int_equal(tc_store_lead(f->s), 1); /* stays leader */
    if (!tcx_pg())
        return; /* SQLite: one process, always its own leader */
    tc_err e;
    tc_store *other = tc_store_open(f->t.path, &e);
    assert_non_null(other);
    assert_int_equal(tc_store_lead(other), 0);
    /* the leader stops (its session ends): the other takes over */
    tc_store_close(f->s);
    f->s = NULL;
    int lead = 0;
    for (int i = 0; i < 200 && !lead; i++) {
        lead = tc_store_lead(other);
        if (!lead) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(lead, 1);
    f->s = other;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claim_oldest_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_claim_taken_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unclaim_dead_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_listen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_between_stores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lead, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
