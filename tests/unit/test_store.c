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

#include <sqlite3.h>

#include "store/tc_store.h"
#include "store_fixture.h"

typedef tcx_fx fx;

static int setup(void **st)
{
    return tcx_fx_setup(st, "store");
}

static int teardown(void **st)
{
    return tcx_fx_teardown(st);
}

static int64_t make_batch(fx *f, const char *school, const char *code)
{
    tc_err e;
    int64_t sid;
    assert_int_equal(tc_store_school_create(f->s, school, &sid, &e), 0);
    tc_store_batch b = {.school_id = sid, .name = "b"};
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
    tc_store_batch b;
    assert_int_equal(tc_store_batch_by_code(f->s, &f->p, "abc123", &b, &e), 0);
    assert_int_equal(b.id, b1);
    assert_string_equal(b.settings, "{}");
    int64_t sid;
    assert_int_equal(tc_store_school_create(f->s, "甲大学", &sid, &e), -1);
    assert_string_equal(e.code, "school.name_taken");
    tc_store_batch dup = {.school_id = b.school_id, .name = "x"};
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
    tc_store_student rows[3] = {tcx_student_row("1", 1, 1), tcx_student_row("2", 2, 2), tcx_student_row("3", 3, 3)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, bid, rows, 3, &bad, &ins, &upd, &e), 0);
    assert_int_equal(ins, 3);
    assert_int_equal(upd, 0);
    /* a new roster where row 1 (0-based) takes the 采集码 of student "3" */
    tc_store_student again[2] = {tcx_student_row("1", 1, 1), tcx_student_row("4", 4, 3)};
    assert_int_equal(tc_store_roster_import(f->s, bid, again, 2, &bad, &ins, &upd, &e), -1);
    assert_string_equal(e.code, "roster.chsi_taken");
    assert_int_equal(bad, 1);
    tc_store_student *list;
    size_t n;
    int64_t total;
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, NULL, 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(total, 3); /* nothing of the failed import landed */
    /* a corrected roster updates by student number */
    tc_store_student fix[1] = {tcx_student_row("2", 2, 2)};
    fix[0].name = "改名";
    assert_int_equal(tc_store_roster_import(f->s, bid, fix, 1, &bad, &ins, &upd, &e), 0);
    assert_int_equal(upd, 1);
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, "改", 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].student_no, "2");
    uint8_t h[32];
    memset(h, 3, 32);
    tc_store_student s3;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h, &s3, &e), 0);
    assert_string_equal(s3.student_no, "3");
    assert_string_equal(s3.state, "not_started");
    memset(h, 9, 32);
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h, &s3, &e), -1);
    assert_string_equal(e.code, "entry.unknown_code");
}

/* issue 20: skip the rows the database refuses, a dry run that meets the
 * conflicts, and a row without a 采集码 that keeps the stored one; issue 19:
 * a new row without one is added without a code. */
static void test_roster_skip_and_keep_code(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t bid = make_batch(f, "丁大学", "jkl012");
    tc_store_student rows[2] = {tcx_student_row("1", 1, 1), tcx_student_row("2", 2, 2)};
    size_t bad, ins, upd, nskips;
    assert_int_equal(tc_store_roster_import(f->s, bid, rows, 2, &bad, &ins, &upd, &e), 0);
    /* "3" takes the code of "2"; "4" has no code (added without one); "1" keeps its code */
    tc_store_student more[4] = {tcx_student_row("3", 3, 2), tcx_student_row("4", 4, 0), tcx_student_row("1", 1, 0),
                          tcx_student_row("5", 5, 5)};
    more[2].name = "改名一";
    tc_store_roster_skip skips[4];
    /* a dry run: the same answer, nothing kept */
    assert_int_equal(tc_store_roster_import_ex(f->s, bid, more, 4, TC_STORE_ROSTER_SKIP | TC_STORE_ROSTER_ROLLBACK,
                                               skips, &nskips, &bad, &ins, &upd, &e),
                     0);
    assert_int_equal(nskips, 1);
    tc_store_student *list;
    size_t n;
    int64_t total;
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, NULL, 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(total, 2);
    assert_int_equal(tc_store_roster_import_ex(f->s, bid, more, 4, TC_STORE_ROSTER_SKIP, skips, &nskips, &bad, &ins,
                                               &upd, &e),
                     0);
    assert_int_equal(nskips, 1);
    assert_int_equal(skips[0].row, 0);
    assert_string_equal(skips[0].code, "roster.chsi_taken");
    assert_int_equal(ins, 2);
    assert_int_equal(upd, 1);
    assert_int_equal(tc_store_student_list(f->s, &f->p, bid, NULL, 50, 0, &list, &n, &total, &e), 0);
    assert_int_equal(total, 4);
    uint8_t h[32];
    memset(h, 1, 32);
    tc_store_student s1;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, bid, h, &s1, &e), 0);
    assert_string_equal(s1.name, "改名一"); /* updated, code kept */
    /* two rows without a code live side by side (NULLs never collide) */
    tc_store_student six = tcx_student_row("6", 6, 0);
    assert_int_equal(tc_store_roster_import(f->s, bid, &six, 1, &bad, &ins, &upd, &e), 0);
    assert_int_equal(ins, 1);
}

/* issue 19: a row without a code is found by name, binds one code once; a
 * code another row holds (any school) is refused; clear; seal a hash-only
 * code. */
static void test_chsi_bind(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t b1 = make_batch(f, "戊大学", "mno345"), b2 = make_batch(f, "己大学", "pqr678");
    tc_store_student r1[3] = {tcx_student_row("1", 1, 0), tcx_student_row("2", 2, 0), tcx_student_row("3", 3, 3)};
    r1[0].name = "同名";
    r1[1].name = "同名";
    r1[2].name = "同名"; /* its code came from the roster: never found by name */
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, b1, r1, 3, &bad, &ins, &upd, &e), 0);
    tc_store_student r2 = tcx_student_row("1", 9, 7); /* another school's row with code 7 */
    assert_int_equal(tc_store_roster_import(f->s, b2, &r2, 1, &bad, &ins, &upd, &e), 0);
    tc_store_student *rows;
    size_t n;
    assert_int_equal(tc_store_students_by_name(f->s, &f->p, b1, "同名", 16, &rows, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].student_no, "1");
    assert_string_equal(rows[1].student_no, "2");
    assert_int_equal(tc_store_students_by_name(f->s, &f->p, b2, "同名", 16, &rows, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tc_store_students_by_name(f->s, &f->p, b1, "同名", 1, &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    int64_t id1 = rows[0].id;
    tc_store_students_by_name(f->s, &f->p, b1, "同名", 16, &rows, &n, &e);
    int64_t id2 = rows[1].id;
    uint8_t h7[32], h8[32], h3[32];
    memset(h7, 7, 32);
    memset(h8, 8, 32);
    memset(h3, 3, 32);
    static const uint8_t sealed[3] = {9, 9, 9};
    /* another school's code, and the roster code of a row of this batch */
    assert_int_equal(tc_store_student_bind_chsi(f->s, id1, h7, sealed, 3, 100, &e), -1);
    assert_string_equal(e.code, "chsi.taken");
    assert_int_equal(tc_store_student_bind_chsi(f->s, id1, h3, sealed, 3, 100, &e), -1);
    assert_string_equal(e.code, "chsi.taken");
    assert_int_equal(tc_store_student_bind_chsi(f->s, id1, h8, sealed, 3, 100, &e), 0);
    tc_store_student got;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h8, &got, &e), 0);
    assert_int_equal(got.id, id1);
    assert_int_equal(got.chsi_bound_at, 100);
    assert_int_equal(got.chsi_sealed_len, 3);
    /* one code per row; one row per code */
    assert_int_equal(tc_store_student_bind_chsi(f->s, id1, h7, sealed, 3, 101, &e), -1);
    assert_string_equal(e.code, "chsi.already_bound");
    assert_int_equal(tc_store_student_bind_chsi(f->s, id2, h8, sealed, 3, 101, &e), -1);
    assert_string_equal(e.code, "chsi.taken");
    assert_int_equal(tc_store_student_bind_chsi(f->s, 999999, h7, sealed, 3, 101, &e), -1);
    assert_string_equal(e.code, "student.not_found");
    /* still found by name once bound by the student */
    assert_int_equal(tc_store_students_by_name(f->s, &f->p, b1, "同名", 16, &rows, &n, &e), 0);
    assert_int_equal(n, 2);
    /* cleared: no code, the code is free */
    assert_int_equal(tc_store_student_clear_chsi(f->s, id1, &e), 0);
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, 0, h8, &got, &e), -1);
    assert_int_equal(tc_store_student_get(f->s, &f->p, id1, &got, &e), 0);
    assert_null(got.chsi_sealed);
    assert_int_equal(got.chsi_bound_at, 0);
    assert_int_equal(tc_store_student_bind_chsi(f->s, id2, h8, sealed, 3, 102, &e), 0);
    assert_int_equal(tc_store_student_clear_chsi(f->s, 999999, &e), -1);
    /* seal: only a hash-only row, only with its own hash */
    tc_store_student row3;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, b1, h3, &row3, &e), 0);
    assert_null(row3.chsi_sealed);
    assert_int_equal(tc_store_student_seal_chsi(f->s, row3.id, h8, sealed, 3, &e), 0);
    assert_int_equal(tc_store_student_get(f->s, &f->p, row3.id, &got, &e), 0);
    assert_null(got.chsi_sealed);
    assert_int_equal(tc_store_student_seal_chsi(f->s, row3.id, h3, sealed, 2, &e), 0);
    assert_int_equal(tc_store_student_get(f->s, &f->p, row3.id, &got, &e), 0);
    assert_int_equal(got.chsi_sealed_len, 2);
}

static void test_person_and_sessions(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t bid = make_batch(f, "丙大学", "ghi789");
    tc_store_student rows[1] = {tcx_student_row("1", 7, 7)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, bid, rows, 1, &bad, &ins, &upd, &e), 0);
    tc_store_student *list;
    size_t n;
    int64_t total;
    tc_store_student_list(f->s, &f->p, bid, NULL, 10, 0, &list, &n, &total, &e);
    uint8_t idh[32];
    memset(idh, 7, 32);
    int64_t p1, p2;
    int64_t sc = list[0].school_id, p3;
    assert_int_equal(tc_store_person_upsert(f->s, sc, idh, "13800138000", &p1, &e), 0);
    assert_int_equal(tc_store_person_upsert(f->s, sc, idh, "13900139000", &p2, &e), 0);
    assert_int_equal(p1, p2); /* same school and ID hash, same person */
    /* the same ID number at another school is another person */
    assert_int_equal(tc_store_person_upsert(f->s, sc + 1000, idh, "13900139000", &p3, &e), 0);
    assert_true(p3 != p1);
    int64_t got_school;
    uint8_t got_hash[32];
    assert_int_equal(tc_store_person_get(f->s, p3, &got_school, got_hash, &e), 0);
    assert_int_equal(got_school, sc + 1000);
    assert_memory_equal(got_hash, idh, 32);
    char last[32] = "x";
    assert_int_equal(tc_store_person_last_phone(f->s, sc, idh, last, sizeof last, &e), 0);
    assert_string_equal(last, ""); /* nothing confirmed yet */
    assert_int_equal(tc_store_student_verify(f->s, list[0].id, p1, "13900139000", &e), 0);
    /* the number this person confirmed, for a re-entry's prefill; per school */
    assert_int_equal(tc_store_person_last_phone(f->s, sc, idh, last, sizeof last, &e), 0);
    assert_string_equal(last, "13900139000");
    assert_int_equal(tc_store_person_last_phone(f->s, sc + 1000, idh, last, sizeof last, &e), 0);
    assert_string_equal(last, "");
    tc_store_student_by_person(f->s, &f->p, p1, &list, &n, &e);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].state, "verified");

    tc_store_session s = {.kind = "student", .person_id = p1, .student_id = list[0].id, .expires_at = tc_now() + 60};
    snprintf(s.token_hash, sizeof s.token_hash, "%064d", 1);
    snprintf(s.csrf, sizeof s.csrf, "csrf-token-value-123456");
    assert_int_equal(tc_store_session_create(f->s, &s, &e), 0);
    tc_store_session got;
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

/* Staff sign-in throttle: free failures, then doubling delays up to a cap;
 * the count restarts only after a whole window. */
static void test_throttle(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t until, now = 2000000;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_store_throttle_fail(f->s, "t", now + i, 3600, 3, 30, 100, &until, &e), 0);
        assert_int_equal(until, 0);
    }
    assert_int_equal(tc_store_throttle_fail(f->s, "t", now + 3, 3600, 3, 30, 100, &until, &e), 0);
    assert_int_equal(until, now + 3 + 30);
    assert_int_equal(tc_store_throttle_fail(f->s, "t", now + 40, 3600, 3, 30, 100, &until, &e), 0);
    assert_int_equal(until, now + 40 + 60);
    assert_int_equal(tc_store_throttle_fail(f->s, "t", now + 200, 3600, 3, 30, 100, &until, &e), 0);
    assert_int_equal(until, now + 200 + 100); /* 120 capped at 100 */
    assert_int_equal(tc_store_lock_check(f->s, "t", now + 250, &until, &e), 0);
    assert_true(until > now + 250);
    /* a whole window later it starts again */
    assert_int_equal(tc_store_throttle_fail(f->s, "t", now + 4000, 3600, 3, 30, 100, &until, &e), 0);
    assert_int_equal(until, 0);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
}

/* A new SQLite database in a fresh directory made from tmpl, migrated to
 * version v only: what an older release left behind. */
static void db_at_version(tcx_tmp *t, const char *tmpl, int v)
{
    snprintf(t->dir, sizeof t->dir, "%s", tmpl);
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    tc_err e;
    assert_int_equal(tc_store_migrate_to(t->path, v, &e), 0);
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Migration 6 on data schema 5 made: one person (ID hash 0x07...) with a
 * record at school 1 and one at school 2 (the join the take-over used), and
 * two rows sharing a 采集码.  Afterwards the school-2 record, its order,
 * message and session belong to a new person of school 2; the address stays;
 * the newer row with the shared code is marked and not found by it. */
static void test_migration_6_splits_people(void **st)
{
    TCX_SQLITE_ONLY();
    (void)st;
    tcx_tmp t;
    tc_err e;
    db_at_version(&t, "/tmp/tc-m6-XXXXXX", 5);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    exec_ok(db, "PRAGMA foreign_keys=ON;"
                "INSERT INTO school(id, name, created_at) VALUES (1, 'A', 0), (2, 'B', 0);"
                "INSERT INTO batch(id, school_id, name, code, created_at) VALUES (1, 1, 'a', 'aaaaaa', 0),"
                " (2, 2, 'b', 'bbbbbb', 0);"
                "INSERT INTO person(id, id_hash, phone, created_at) VALUES (10, zeroblob(32), '13800000000', 0);"
                "INSERT INTO student(id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                " person_id, created_at) VALUES"
                " (100, 1, 1, 'v', 'A1', x'01', zeroblob(32), x'aa', 10, 0),"
                " (200, 2, 2, 'x', 'B1', x'01', zeroblob(32), x'bb', 10, 0),"
                " (300, 2, 2, 'y', 'B2', x'01', x'02', x'aa', NULL, 0);"
                "INSERT INTO session(token_hash, kind, person_id, student_id, csrf, created_at, expires_at)"
                " VALUES ('s200', 'student', 10, 200, 'c', 0, 9999999999);"
                "INSERT INTO pay_order(out_trade_no, person_id, student_id, kind, amount_fen, provider, state,"
                " created_at) VALUES ('o200', 10, 200, 'photo', 100, 'sandbox', 'created', 0);"
                "INSERT INTO message(person_id, student_id, at, kind, title_zh, title_en, body_zh, body_en)"
                " VALUES (10, 200, 0, 'k', 't', 't', 'b', 'b');"
                "INSERT INTO address(person_id, name, phone, region, detail, created_at)"
                " VALUES (10, 'n', '13800000000', 'r', 'd', 0);");
    sqlite3_close(db);
    tc_store *s = tc_store_open(t.path, &e);
    assert_non_null(s);
    tc_store_close(s);
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    assert_int_equal(one_int(db, "SELECT person_id FROM student WHERE id = 100"), 10);
    int64_t p2 = one_int(db, "SELECT person_id FROM student WHERE id = 200");
    assert_true(p2 > 0 && p2 != 10);
    assert_int_equal(one_int(db, "SELECT school_id FROM person WHERE id = 10"), 1);
    char q[160];
    snprintf(q, sizeof q, "SELECT school_id FROM person WHERE id = %lld", (long long)p2);
    assert_int_equal(one_int(db, q), 2);
    assert_int_equal(one_int(db, "SELECT person_id FROM pay_order WHERE out_trade_no = 'o200'"), p2);
    assert_int_equal(one_int(db, "SELECT person_id FROM message WHERE student_id = 200"), p2);
    assert_int_equal(one_int(db, "SELECT person_id FROM session WHERE token_hash = 's200'"), p2);
    assert_int_equal(one_int(db, "SELECT person_id FROM address"), 10);
    assert_int_equal(one_int(db, "SELECT chsi_dup FROM student WHERE id = 100"), 0);
    assert_int_equal(one_int(db, "SELECT chsi_dup FROM student WHERE id = 300"), 300);
    sqlite3_close(db);
    tcx_store_remove(NULL, &t);
}

/* Migration 15 rewords face_count's reason (it names the people behind the
 * student now) where the platform left the seed's words, and keeps a
 * reason the platform reworded. */
static void test_migration_15_reason(void **st)
{
    TCX_SQLITE_ONLY();
    (void)st;
    for (int edited = 0; edited < 2; edited++) {
        tcx_tmp t;
        tc_err e;
        db_at_version(&t, "/tmp/tc-m15-XXXXXX", 14);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
        if (edited)
            exec_ok(db, "UPDATE reason SET zh = '只能有本人' WHERE code = 'face_count';");
        sqlite3_close(db);
        tc_store *s = tc_store_open(t.path, &e);
        assert_non_null(s);
        tc_pool p;
        tc_pool_init(&p);
        tc_store_reason r;
        assert_int_equal(tc_store_reason_get(s, &p, "face_count", 1, &r, &e), 0);
        if (edited) {
            assert_string_equal(r.zh, "只能有本人");
            assert_string_equal(r.en, "Only your own face may be in the photo");
        } else {
            assert_string_equal(r.zh, "照片中只能有本人，背景中不要有其他人");
            assert_string_equal(r.en, "Only you may be in the photo, with no one else behind you");
        }
        tc_pool_clear(&p);
        tc_store_close(s);
        tcx_store_remove(NULL, &t);
    }
}

/* Migration 11 rebuilds student with a NULL-able code: rows, keys into it
 * and the global one-row-per-code index survive. */
static void test_migration_11_keeps_rows(void **st)
{
    TCX_SQLITE_ONLY();
    (void)st;
    tcx_tmp t;
    tc_err e;
    db_at_version(&t, "/tmp/tc-m11-XXXXXX", 10);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    exec_ok(db, "PRAGMA foreign_keys=ON;"
                "INSERT INTO school(id, name, created_at) VALUES (1, 'A', 0), (2, 'B', 0);"
                "INSERT INTO batch(id, school_id, name, code, created_at) VALUES (1, 1, 'a', 'aaaaaa', 0),"
                " (2, 2, 'b', 'bbbbbb', 0);"
                "INSERT INTO student(id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                " created_at, email, fails, wx_openid, chsi_dup) VALUES"
                " (100, 1, 1, 'v', 'A1', x'01', x'01', x'aa', 5, 'v@x.cn', 2, 'ox', 0),"
                " (300, 2, 2, 'y', 'B2', x'01', x'02', x'aa', 6, '', 0, '', 300);"
                "INSERT INTO session(token_hash, kind, student_id, csrf, created_at, expires_at)"
                " VALUES ('s100', 'entry', 100, 'c', 0, 9999999999);");
    sqlite3_close(db);
    tc_store *s = tc_store_open(t.path, &e);
    assert_non_null(s);
    tc_store_close(s);
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    assert_int_equal(one_int(db, "SELECT count(*) FROM student"), 2);
    assert_int_equal(one_int(db, "SELECT fails FROM student WHERE id = 100 AND email = 'v@x.cn' AND wx_openid = 'ox'"), 2);
    assert_int_equal(one_int(db, "SELECT chsi_dup FROM student WHERE id = 300"), 300);
    assert_int_equal(one_int(db, "SELECT count(*) FROM student WHERE chsi_sealed IS NULL AND chsi_bound_at = 0"), 2);
    assert_int_equal(one_int(db, "SELECT count(*) FROM session WHERE student_id = 100"), 1);
    assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                                 " ('student_chsi', 'student_person', 'student_school', 'student_batch_state',"
                                 " 'student_batch_class', 'student_chsi_one', 'student_batch_name')"),
                     7);
    /* the code stays one row's across schools; rows without a code coexist */
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash,"
                                  " chsi_hash, created_at) VALUES (2, 2, 'z', 'B3', x'01', x'03', x'aa', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    exec_ok(db, "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                " created_at) VALUES (2, 2, 'z', 'B3', x'01', x'03', NULL, 0), (2, 2, 'w', 'B4', x'01', x'04', NULL, 0);");
    sqlite3_close(db);
    tcx_store_remove(NULL, &t);
}

static void test_staff(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t id;
    tc_store_staff a = {.username = "u1", .pwhash = "h", .role = "platform_admin", .must_change_password = 1};
    assert_int_equal(tc_store_staff_create(f->s, &a, &id, &e), 0);
    assert_int_equal(tc_store_staff_create(f->s, &a, &id, &e), -1);
    assert_string_equal(e.code, "staff.username_taken");
    tc_store_staff bad = {.username = "u2", .pwhash = "h", .role = "school_admin"}; /* no school */
    assert_int_equal(tc_store_staff_create(f->s, &bad, &id, &e), -1);
    assert_string_equal(e.code, "staff.bad_role");
    tc_store_staff got;
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
        cmocka_unit_test_setup_teardown(test_roster_skip_and_keep_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chsi_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
        cmocka_unit_test(test_migration_6_splits_people),
        cmocka_unit_test(test_migration_11_keeps_rows),
        cmocka_unit_test(test_migration_15_reason),
        cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
