/* Unit tests: the store's side of issue 14's student-side limits
 * (tc_store_journey.c) — the storage quota and the cancelled batch checked
 * inside the upload's transaction, the retention sweep's choice of files
 * (never a draft's, a live or approved submission's, or one a kept photo or
 * a waiting e-mail shares), the daily e-mail count, and the e-mail
 * confirmation code.  A fresh SQLite file per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/tc_store.h"
#include "store_fixture.h"

enum { T0 = 1700000000 };

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
    int64_t school, batch, student, person, reviewer;
} fx;

static int setup(void **st)
{
    fx *f = calloc(1, sizeof *f);
    f->s = tcx_store_open(&f->t, "abuse");
    tc_pool_init(&f->p);
    *st = f;
    tc_err e;
    if (!f->s || tc_store_school_create(f->s, "限额大学", &f->school, &e) != 0)
        return -1;
    tc_store_batch b = {.school_id = f->school, .name = "b"};
    snprintf(b.code, sizeof b.code, "abu001");
    if (tc_store_batch_create(f->s, &b, &e) != 0)
        return -1;
    f->batch = b.id;
    tc_store_student rows[1] = {tcx_student_row("1", 7, 7)};
    size_t bad, ins, upd;
    tc_store_student *list;
    size_t n;
    int64_t total;
    uint8_t idh[32];
    memset(idh, 7, 32);
    if (tc_store_roster_import(f->s, b.id, rows, 1, &bad, &ins, &upd, &e) != 0 ||
        tc_store_student_list(f->s, &f->p, b.id, NULL, 10, 0, &list, &n, &total, &e) != 0 || n != 1 ||
        tc_store_person_upsert(f->s, f->school, idh, "13800138000", &f->person, &e) != 0 ||
        tc_store_student_verify(f->s, list[0].id, f->person, "13800138000", &e) != 0)
        return -1;
    f->student = list[0].id;
    tc_store_staff rv = {.username = "rv", .pwhash = "h", .role = "reviewer"};
    return tc_store_staff_create(f->s, &rv, &f->reviewer, &e);
}

static int teardown(void **st)
{
    fx *f = *st;
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
    return 0;
}

/* A blob id: 64 hex characters of c. */
static const char *bid(char c)
{
    static char ids[16][65];
    static int next;
    char *b = ids[next++ % 16];
    memset(b, c, 64);
    b[64] = 0;
    return b;
}

/* A photo made to state with these files; returns its id. */
static int64_t photo(fx *f, const char *state, const char *up, const char *std, int64_t bytes, int64_t at)
{
    tc_err e;
    int64_t id;
    assert_int_equal(tc_store_photo_begin_limited(f->s, f->student, "camera", up, bytes, 100, 0, at, &id, &e), 0);
    tc_store_photo_done d = {.state = strcmp(state, "deleted") && strcmp(state, "used")
                                          ? tc_store_state_of(TC_STORE_SM_PHOTO, state)
                                          : TC_STORE_PHOTO_DRAFT,
                             .standard_blob = std, .checks = "{}", .report = "{}", .failed = "", .error = ""};
    assert_int_equal(tc_store_photo_finish(f->s, id, &d, at, &e), 0);
    if (!strcmp(state, "deleted")) {
        int64_t when;
        assert_int_equal(tc_store_photo_delete(f->s, f->student, id, 0, at, &when, &e), 0);
    }
    return id;
}

typedef struct {
    char gone[16][65];
    int n;
} removed;

static int rm(void *ctx, const char *id)
{
    removed *r = ctx;
    assert_true(r->n < 16);
    snprintf(r->gone[r->n++], 65, "%s", id);
    return 0;
}

static int was_removed(const removed *r, const char *id)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->gone[i], id))
            return 1;
    return 0;
}

static void test_quota_is_checked_before_and_inside_the_upload(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t id;
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 900, 1000, &e), 0);
    assert_int_equal(tc_store_photo_begin_limited(f->s, f->student, "album", bid('a'), 600, 3, 1000, T0, &id, &e), 0);
    tc_store_photo_done d = {.state = TC_STORE_PHOTO_ERROR, .checks = "{}", .report = "{}", .failed = "", .error = "photo.corrupt"};
    assert_int_equal(tc_store_photo_finish(f->s, id, &d, T0, &e), 0);
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 600, 1000, &e), -1);
    assert_string_equal(e.code, "journey.storage_full");
    assert_int_equal(e.status, 413);
    assert_int_equal(tc_store_photo_begin_limited(f->s, f->student, "album", bid('b'), 600, 3, 1000, T0, &id, &e), -1);
    assert_string_equal(e.code, "journey.storage_full");
    /* no quota: anything goes; a small one still fits */
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 600, 0, &e), 0);
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 400, 1000, &e), 0);
    /* swept photos hold nothing */
    removed r = {0};
    int ph, fl;
    assert_int_equal(tc_store_photo_sweep(f->s, T0, 100, rm, &r, &ph, &fl, T0 + 10, &e), 0);
    assert_int_equal(ph, 1);
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 900, 1000, &e), 0);
}

static void test_a_cancelled_batch_takes_no_upload(void **st)
{
    fx *f = *st;
    tc_err e;
    int already;
    assert_int_equal(tc_store_batch_cancel(f->s, f->batch, T0, &already, &e), 0);
    tc_store_journey sj;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &sj, &e), 0);
    assert_int_equal(sj.batch_cancelled_at, T0);
    int64_t id;
    assert_int_equal(tc_store_photo_begin_limited(f->s, f->student, "camera", bid('a'), 10, 3, 0, T0, &id, &e), -1);
    assert_string_equal(e.code, "journey.batch_cancelled");
    assert_int_equal(e.status, 410);
    assert_int_equal(tc_store_photo_begin(f->s, f->student, "camera", bid('a'), 3, T0, &id, &e), -1);
    assert_string_equal(e.code, "journey.batch_cancelled");
}

static void test_the_sweep_removes_only_what_nobody_keeps(void **st)
{
    fx *f = *st;
    tc_err e;
    /* a failed photo whose upload a draft shares, and files of its own */
    int64_t failed = photo(f, "failed", bid('1'), bid('2'), 100, T0);
    int64_t draft = photo(f, "draft", bid('1'), bid('3'), 100, T0);
    int64_t deleted = photo(f, "deleted", bid('4'), bid('5'), 100, T0);
    /* an error photo whose file a waiting e-mail attaches */
    int64_t err = photo(f, "error", bid('6'), "", 100, T0);
    tc_store_outbox_msg m = {.channel = "email", .recipient = "a@example.com", .subject = "s", .body = "b",
                       .attachment = bid('6'), .attachment_name = "p.jpg"};
    int64_t mid;
    assert_int_equal(tc_store_outbox_add(f->s, &m, T0, &mid, &e), 0);
    /* an approved photo (its submission decided long ago) and a rejected one */
    int64_t approved = photo(f, "draft", bid('7'), bid('8'), 100, T0);
    int64_t sub;
    assert_int_equal(tc_store_submission_create(f->s, f->student, approved, 0, T0, &sub, &e), 0);
    assert_int_equal(tc_store_submission_decide(f->s, sub, f->reviewer, 1, NULL, NULL, T0, &e), 0);
    /* too recent for this cutoff */
    int64_t recent = photo(f, "failed", bid('9'), "", 100, T0 + 500);

    removed r = {0};
    int ph, fl;
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 100, 100, rm, &r, &ph, &fl, T0 + 1000, &e), 0);
    assert_int_equal(ph, 3); /* failed, deleted, error */
    assert_int_equal(fl, r.n);
    assert_true(was_removed(&r, bid('2')));
    assert_true(was_removed(&r, bid('4')));
    assert_true(was_removed(&r, bid('5')));
    assert_false(was_removed(&r, bid('1'))); /* the draft shares it */
    assert_false(was_removed(&r, bid('3')));
    assert_false(was_removed(&r, bid('6'))); /* a waiting e-mail attaches it */
    assert_false(was_removed(&r, bid('7')));
    assert_false(was_removed(&r, bid('8')));
    assert_false(was_removed(&r, bid('9')));
    assert_int_equal(r.n, 3);
    /* a second sweep finds nothing new */
    removed r2 = {0};
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 100, 100, rm, &r2, &ph, &fl, T0 + 1001, &e), 0);
    assert_int_equal(ph, 0);
    assert_int_equal(r2.n, 0);
    (void)failed, (void)draft, (void)deleted, (void)err, (void)recent;
}

static void test_a_rejected_photo_is_superseded_after_the_retention(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t p = photo(f, "draft", bid('a'), bid('b'), 100, T0);
    int64_t sub;
    assert_int_equal(tc_store_submission_create(f->s, f->student, p, 0, T0, &sub, &e), 0);
    removed r = {0};
    int ph, fl;
    /* waiting for review: kept however old */
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 5000, 100, rm, &r, &ph, &fl, T0 + 6000, &e), 0);
    assert_int_equal(ph, 0);
    assert_int_equal(tc_store_submission_decide(f->s, sub, f->reviewer, 0, "[]", "", T0 + 100, &e), 0);
    /* rejected at T0 + 100: kept until the cutoff passes the decision */
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 99, 100, rm, &r, &ph, &fl, T0 + 6001, &e), 0);
    assert_int_equal(ph, 0);
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 100, 100, rm, &r, &ph, &fl, T0 + 6002, &e), 0);
    assert_int_equal(ph, 1);
    assert_true(was_removed(&r, bid('a')) && was_removed(&r, bid('b')));
}

static int rm_fails(void *ctx, const char *id)
{
    (void)id;
    ++*(int *)ctx;
    return -1;
}

static void test_a_failing_removal_keeps_the_rows_unswept(void **st)
{
    fx *f = *st;
    tc_err e;
    photo(f, "failed", bid('c'), "", 100, T0);
    int ph = -1, fl = -1, calls = 0;
    /* the file cannot go: the round rolls back, the photo still counts */
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 1, 100, rm_fails, &calls, &ph, &fl, T0 + 2, &e), -1);
    assert_int_equal(calls, 1);
    assert_int_equal(ph, 0);
    assert_int_equal(tc_store_photo_quota_check(f->s, f->student, 950, 1000, &e), -1);
    /* the next round does it */
    removed r = {0};
    assert_int_equal(tc_store_photo_sweep(f->s, T0 + 1, 100, rm, &r, &ph, &fl, T0 + 3, &e), 0);
    assert_int_equal(ph, 1);
    assert_true(was_removed(&r, bid('c')));
}

static void test_emails_a_day(void **st)
{
    fx *f = *st;
    tc_err e;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tc_store_student_mail(f->s, f->student, i ? "result" : "code", T0, 3, T0 + i, &e), 0);
    assert_int_equal(tc_store_student_mail(f->s, f->student, "result", T0, 3, T0 + 9, &e), -1);
    assert_string_equal(e.code, "journey.email_limit");
    assert_int_equal(e.status, 429);
    /* the next day counts afresh */
    assert_int_equal(tc_store_student_mail(f->s, f->student, "result", T0 + 86400, 3, T0 + 86400, &e), 0);
}

static void test_the_email_code(void **st)
{
    fx *f = *st;
    tc_err e;
    assert_int_equal(tc_store_email_confirm(f->s, f->student, "h", 5, T0, &e), -1);
    assert_string_equal(e.code, "journey.no_email_code");
    assert_int_equal(tc_store_email_code_set(f->s, f->student, "me@example.com", "right", T0 + 600, &e), 0);
    tc_store_journey sj;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &sj, &e), 0);
    assert_string_equal(sj.email_pending, "me@example.com");
    assert_string_equal(sj.email_confirmed, "");
    /* wrong codes are counted (the count survives the refusal) */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(tc_store_email_confirm(f->s, f->student, "wrong", 2, T0, &e), -1);
        assert_string_equal(e.code, "journey.email_code_wrong");
    }
    assert_int_equal(tc_store_email_confirm(f->s, f->student, "right", 2, T0, &e), -1);
    assert_string_equal(e.code, "journey.email_code_tries");
    /* a new code, then too late */
    assert_int_equal(tc_store_email_code_set(f->s, f->student, "me@example.com", "right", T0 + 600, &e), 0);
    assert_int_equal(tc_store_email_confirm(f->s, f->student, "right", 2, T0 + 601, &e), -1);
    assert_string_equal(e.code, "journey.email_code_expired");
    /* in time: the address is confirmed and becomes the notification address */
    assert_int_equal(tc_store_email_code_set(f->s, f->student, "me@example.com", "right", T0 + 600, &e), 0);
    assert_int_equal(tc_store_email_confirm(f->s, f->student, "right", 2, T0 + 10, &e), 0);
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &sj, &e), 0);
    assert_string_equal(sj.email_confirmed, "me@example.com");
    assert_string_equal(sj.email, "me@example.com");
    assert_string_equal(sj.email_pending, "");
    /* the code is used up */
    assert_int_equal(tc_store_email_confirm(f->s, f->student, "right", 2, T0 + 11, &e), -1);
    assert_string_equal(e.code, "journey.no_email_code");
}

/* Issue 19 item 5: a batch's purge after its retention period keeps the
 * submitted photo's standard file (and a file another kept photo shares),
 * removes the originals and everything of the other photos; a second round
 * changes nothing. */
static void test_the_purge_after_the_season(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t failed = photo(f, "failed", bid('1'), "", 10, T0);
    int64_t draft = photo(f, "draft", bid('2'), bid('3'), 10, T0);
    int64_t kept = photo(f, "draft", bid('4'), bid('3'), 10, T0); /* same standard bytes as the draft */
    int64_t sub;
    assert_int_equal(tc_store_submission_create(f->s, f->student, kept, 0, T0, &sub, &e), 0);
    (void)failed;
    removed r = {0};
    int ph = 0, fl = 0;
    assert_int_equal(tc_store_batch_purge(f->s, f->batch, 200, rm, &r, &ph, &fl, T0 + 100, &e), 0);
    assert_int_equal(ph, 3); /* two swept, one kept with its original gone */
    assert_true(was_removed(&r, bid('1')));
    assert_true(was_removed(&r, bid('2')));
    assert_true(was_removed(&r, bid('4')));   /* the kept photo's upload */
    assert_false(was_removed(&r, bid('3'))); /* the kept photo's standard file */
    assert_int_equal(fl, r.n);
    tc_store_photo ph2;
    assert_int_equal(tc_store_photo_get(f->s, &f->p, draft, &ph2, &e), 0);
    assert_string_equal(ph2.state, "deleted");
    /* idempotent */
    removed r2 = {0};
    assert_int_equal(tc_store_batch_purge(f->s, f->batch, 200, rm, &r2, &ph, &fl, T0 + 200, &e), 0);
    assert_int_equal(ph, 0);
    assert_int_equal(r2.n, 0);
    /* closed batches: none before the close, this one after */
    tc_store_closed_batch *cb;
    size_t n;
    assert_int_equal(tc_store_batches_closed(f->s, &f->p, T0, &cb, &n, &e), 0);
    assert_int_equal(n, 0);
}

/* Erasure keeps the orders' record id and counts what went. */
static void test_erase_one_student(void **st)
{
    fx *f = *st;
    tc_err e;
    photo(f, "draft", bid('5'), bid('6'), 10, T0);
    assert_int_equal(tc_store_consent_add(f->s, f->student, 1, 1, "127.0.0.1", T0, &e), 0);
    removed r = {0};
    tc_store_erase_counts n;
    const uint8_t ph[] = "sealed";
    assert_int_equal(tc_store_student_erase(f->s, f->student, ph, 6, rm, &r, T0 + 1, &n, &e), 0);
    assert_int_equal(n.photos, 1);
    assert_int_equal(n.consents, 1);
    assert_int_equal(n.files, 2);
    assert_true(was_removed(&r, bid('5')) && was_removed(&r, bid('6')));
    tc_store_student s;
    assert_int_equal(tc_store_student_get(f->s, &f->p, f->student, &s, &e), 0);
    assert_string_equal(s.name, "");
    assert_true(s.erased_at == T0 + 1);
    assert_int_equal(tc_store_student_erase(f->s, f->student, ph, 6, rm, &r, T0 + 2, &n, &e), -1);
    assert_string_equal(e.code, "student.erased");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_quota_is_checked_before_and_inside_the_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_cancelled_batch_takes_no_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_sweep_removes_only_what_nobody_keeps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_rejected_photo_is_superseded_after_the_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_removal_keeps_the_rows_unswept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_emails_a_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_email_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_purge_after_the_season, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_one_student, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
