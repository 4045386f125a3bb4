/* tc_jobs: the timer runs each job first at start, then every interval,
 * one at a time, and stops promptly; registering is refused once started;
 * the photo queue refuses to start without the studio; the retention sweep
 * on a store with nothing to sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "jobs/tc_jobs.h"
#include "store_fixture.h"

typedef struct {
    atomic_int runs, inside, overlap;
} counter;

static void job_count(void *ctx)
{
    counter *c = ctx;
    if (atomic_fetch_add(&c->inside, 1) != 0)
        atomic_store(&c->overlap, 1);
    usleep(20000);
    atomic_fetch_sub(&c->inside, 1);
    atomic_fetch_add(&c->runs, 1);
}

static void test_timer(void **state)
{
    (void)state;
    tc_err e = {0};
    tc_jobs_timer *t = tc_jobs_timer_new(&e);
    assert_non_null(t);
    counter a = {0}, b = {0};
    assert_int_equal(tc_jobs_every(t, "a", 1, job_count, &a, &e), 0);
    assert_int_equal(tc_jobs_every(t, "b", 3600, job_count, &b, &e), 0);
    assert_int_equal(tc_jobs_every(t, "bad", 0, job_count, &b, &e), -1); /* an interval of 0 */
    assert_int_equal(tc_jobs_runs(t, "a"), 0);
    assert_int_equal(tc_jobs_timer_start(t, &e), 0);
    assert_int_equal(tc_jobs_every(t, "late", 1, job_count, &b, &e), -1); /* after the start */
    /* both run at once at start; a runs again a second later, b not */
    for (int i = 0; i < 300 && atomic_load(&a.runs) < 3; i++)
        usleep(10000);
    assert_true(atomic_load(&a.runs) >= 3);
    assert_int_equal(atomic_load(&b.runs), 1);
    assert_int_equal(tc_jobs_runs(t, "b"), 1);
    assert_int_equal(tc_jobs_runs(t, "nope"), -1);
    assert_int_equal(atomic_load(&a.overlap), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tc_jobs_timer_free(t); /* wakes the waiting thread: no second-long wait */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500);
    tc_jobs_timer_free(NULL);
    /* never started */
    t = tc_jobs_timer_new(&e);
    tc_jobs_timer_free(t);
}

static void test_photos_need_studio(void **state)
{
    (void)state;
    tc_err e = {0};
    tc_jobs_photo_env env = {0};
    assert_null(tc_jobs_photos_start(&env, 2, &e));
    assert_int_equal(e.status, 500);
    tc_jobs_photos_stop(NULL);
    tc_jobs_photos_drain(NULL);
}

static void test_sweep_empty(void **state)
{
    (void)state;
    tcx_tmp tmp;
    tc_store *s = tcx_store_open(&tmp, "jobs");
    assert_non_null(s);
    tc_err e = {0};
    char bdir[128];
    snprintf(bdir, sizeof bdir, "%s/blobs", tmp.dir);
    tc_blob_store *bs = tc_blob_open(bdir, &e);
    assert_non_null(bs);
    int photos = -1, files = -1;
    assert_int_equal(tc_jobs_sweep_once(s, bs, 3600, tc_now(), &photos, &files, &e), 0);
    assert_int_equal(photos, 0);
    assert_int_equal(files, 0);
    tc_blob_close(bs);
    tcx_store_remove(s, &tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer),
        cmocka_unit_test(test_photos_need_studio),
        cmocka_unit_test(test_sweep_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
