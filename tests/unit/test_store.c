/* Unit tests: the SQLite store — migrations, batches, roster import
 * (all-or-nothing, upsert), sessions, lockouts, and a fresh reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/tc_store.h"
#include "store_fixture.h"

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
} fx;

static int setup(void **st)
{
    fx *f = calloc(1, sizeof *f);
    f->s = tcx_store_open(&f->t, "store");
    tc_pool_init(&f->p);
    *st = f;
    return f->s ? 0 : -1;
}

static int teardown(void **st)
{
    fx *f = *st;
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
    return 0;
}

static int64_t make_batch(fx *f, const char *school, const char *code)
{
    tc_err e;
    int64_t sid;
    assert_int_equal(tc_store_school_create(f->s, school, &sid, &e), 0);
    tc_batch b = {.school_id = sid, .name = "b"};
    snprintf(b.code, sizeof b.code, "%s", code);
    assert_int_equal(tc_store_batch_create(f->s, &b, &e), 0);
    return b.id;
}

static void test_migrated(void **st)
{
    fx *f = *st;
    tc_err e;
    assert_int_equal(tc_store_schema_version(f->s), tc_store_schema_latest());
    assert_int_equal(tc_store_is_empty(f->s, &e), 1);
    /* reopening an up-to-date database changes nothing */
    tc_store *again = tc_store_open(f->t.path, &e);
    assert_non_null(again);
    assert_int_equal(tc_store_schema_version(again), tc_store_schema_latest());
    tc_store_close(again);
}

static void test_batches(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t b1 = make_batch(f, "甲大学", "abc123");
    tc_batch b;
    assert_int_equal(tc_store_batch_by_code(f->s, &f->p, "abc123", &b, &e), 0);
    assert_int_equal(b.id, b1);
    assert_string_equal(b.settings, "{}");
    int64_t sid;
    assert_int_equal(tc_store_school_create(f->s, "甲大学", &sid, &e), -1);
    assert_string_equal(e.code, "school.name_taken");
    tc_batch dup = {.school_id = b.school_id, .name = "x"};
    snprintf(dup.code, sizeof dup.code, "abc123");
    assert_int_equal(tc_store_batch_create(f->s, &dup, &e), -1);
    assert_string_equal(e.code, "batch.code_taken");
    assert_int_equal(tc_store_batch_by_code(f->s, &f->p, "zzzzzz", &b, &e), -1);
    assert_string_equal(e.code, "batch.not_found");
}

static void test_roster_all_or_nothing(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t bid = make_batch(f, "乙大学", "def456");
    tc_student rows[3] = {tcx_student_row("1", 1, 1), tcx_student_row("2", 2, 2), tcx_student_row("3", 3, 3)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, bid, rows, 3, &bad, &ins, &upd, &e), 0);
    assert_int_equal(ins, 3);
    assert_int_equal(upd, 0);
    /* a new roster where row 1 (0-based) takes the 采集码 of student "3" */
    tc_student again[2] = {tcx_student_row("1", 1, 1), tcx_student_row("4", 4, 3)};
    assert_int_equal(tc_store_roster_import(f->s, bid, again, 2, &bad, &ins, &upd, &e), -1);
    assert_string_equal(e.code, "roster.conflict");
    assert_int_equal(bad, 1);
    tc_student *list;
    size_t n;
    int64_t total;
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, NULL, 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(total, 3); /* nothing of the failed import landed */
    /* a corrected roster updates by student number */
    tc_student fix[1] = {tcx_student_row("2", 2, 2)};
    fix[0].name = "改名";
    assert_int_equal(tc_store_roster_import(f->s, bid, fix, 1, &bad, &ins, &upd, &e), 0);
    assert_int_equal(upd, 1);
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, "改", 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].student_no, "2");
    uint8_t h[32];
    memset(h, 3, 32);
    tc_student s3;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h, &s3, &e), 0);
    assert_string_equal(s3.student_no, "3");
    assert_string_equal(s3.state, "not_started");
    memset(h, 9, 32);
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h, &s3, &e), -1);
    assert_string_equal(e.code, "entry.unknown_code");
}

static void test_person_and_sessions(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t bid = make_batch(f, "丙大学", "ghi789");
    tc_student rows[1] = {tcx_student_row("1", 7, 7)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, bid, rows, 1, &bad, &ins, &upd, &e), 0);
    tc_student *list;
    size_t n;
    int64_t total;
    tc_store_student_list(f->s, &f->p, bid, NULL, 10, 0, &list, &n, &total, &e);
    uint8_t idh[32];
    memset(idh, 7, 32);
    int64_t p1, p2;
    assert_int_equal(tc_store_person_upsert(f->s, idh, "13800138000", &p1, &e), 0);
    assert_int_equal(tc_store_person_upsert(f->s, idh, "13900139000", &p2, &e), 0);
    assert_int_equal(p1, p2); /* same ID hash, same person */
    assert_int_equal(tc_store_student_verify(f->s, list[0].id, p1, "13900139000", &e), 0);
    tc_store_student_by_person(f->s, &f->p, p1, &list, &n, &e);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].state, "verified");

    tc_session s = {.kind = "student", .person_id = p1, .student_id = list[0].id, .expires_at = tc_now() + 60};
    snprintf(s.token_hash, sizeof s.token_hash, "%064d", 1);
    snprintf(s.csrf, sizeof s.csrf, "csrf-token-value-123456");
    assert_int_equal(tc_store_session_create(f->s, &s, &e), 0);
    tc_session got;
    assert_int_equal(tc_store_session_get(f->s, &f->p, s.token_hash, tc_now(), &got, &e), 0);
    assert_string_equal(got.kind, "student");
    assert_int_equal(got.person_id, p1);
    assert_int_equal(tc_store_session_get(f->s, &f->p, s.token_hash, tc_now() + 120, &got, &e), -1); /* expired */
    assert_string_equal(e.code, "session.none");
    assert_int_equal(tc_store_session_delete(f->s, s.token_hash, &e), 0);
    assert_int_equal(tc_store_session_get(f->s, &f->p, s.token_hash, tc_now(), &got, &e), -1);
}

static void test_lockout(void **st)
{
    fx *f = *st;
    tc_err e;
    int fails;
    int64_t until, now = 1000000;
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(tc_store_lock_fail(f->s, "k", now + i, 60, 3, 300, &fails, &until, &e), 0);
        assert_int_equal(fails, i);
        assert_int_equal(until, 0);
    }
    assert_int_equal(tc_store_lock_fail(f->s, "k", now + 3, 60, 3, 300, &fails, &until, &e), 0);
    assert_int_equal(until, now + 3 + 300);
    assert_int_equal(tc_store_lock_check(f->s, "k", now + 10, &until, &e), 0);
    assert_true(until > now + 10);
    assert_int_equal(tc_store_lock_check(f->s, "k", now + 400, &until, &e), 0);
    assert_int_equal(until, 0); /* lock over */
    /* after the lock ran out, counting starts again */
    assert_int_equal(tc_store_lock_fail(f->s, "k", now + 401, 60, 3, 300, &fails, &until, &e), 0);
    assert_int_equal(fails, 1);
    /* failures outside the window do not add up */
    assert_int_equal(tc_store_lock_fail(f->s, "w", now, 60, 3, 300, &fails, &until, &e), 0);
    assert_int_equal(tc_store_lock_fail(f->s, "w", now + 100, 60, 3, 300, &fails, &until, &e), 0);
    assert_int_equal(fails, 1);
    assert_int_equal(tc_store_lock_clear(f->s, "w", &e), 0);
}

static void test_staff(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t id;
    tc_staff a = {.username = "u1", .pwhash = "h", .role = "platform_admin", .must_change_password = 1};
    assert_int_equal(tc_store_staff_create(f->s, &a, &id, &e), 0);
    assert_int_equal(tc_store_staff_create(f->s, &a, &id, &e), -1);
    assert_string_equal(e.code, "staff.username_taken");
    tc_staff bad = {.username = "u2", .pwhash = "h", .role = "school_admin"}; /* no school */
    assert_int_equal(tc_store_staff_create(f->s, &bad, &id, &e), -1);
    assert_string_equal(e.code, "staff.bad_role");
    tc_staff got;
    assert_int_equal(tc_store_staff_by_username(f->s, &f->p, "u1", &got, &e), 0);
    assert_int_equal(got.must_change_password, 1);
    assert_int_equal(tc_store_staff_set_password(f->s, got.id, "h2", 0, &e), 0);
    assert_int_equal(tc_store_staff_get(f->s, &f->p, got.id, &got, &e), 0);
    assert_string_equal(got.pwhash, "h2");
    assert_int_equal(got.must_change_password, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roster_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
