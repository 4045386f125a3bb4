/* Unit tests: several 学历 in the store (tc_store_records.c) — which records
 * a person may see (same keyed ID hash; linked to the person, or of its
 * school and linked to nobody; never another school's unproved row, another
 * person's, or a row whose ID hash changed), and the session's current
 * record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/tc_store.h"
#include "store_fixture.h"

typedef tcx_fx fx;

static int setup(void **st)
{
    return tcx_fx_setup(st, "records");
}

static int teardown(void **st)
{
    return tcx_fx_teardown(st);
}

static int64_t make_batch(fx *f, int64_t school, const char *code)
{
    tc_err e;
    tc_store_batch b = {.school_id = school, .name = "b"};
    snprintf(b.code, sizeof b.code, "%s", code);
    assert_int_equal(tc_store_batch_create(f->s, &b, &e), 0);
    return b.id;
}

/* One row into batch: ID hash filled with idb, code with chsib; its id. */
static int64_t add_row(fx *f, int64_t batch, const char *no, uint8_t idb, uint8_t chsib)
{
    tc_err e;
    tc_store_student r = tcx_student_row(no, idb, chsib);
    size_t bad, ins, upd;
    int rc = tc_store_roster_import(f->s, batch, &r, 1, &bad, &ins, &upd, &e);
    if (rc != 0)
        fprintf(stderr, "import: %s %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    tc_store_student got;
    assert_int_equal(tc_store_student_by_chsi(f->s, &f->p, batch, r.chsi_hash, &got, &e), 0);
    return got.id;
}

/* The listed ids, as a sorted-by-the-store string "a,b,c". */
static void listed(fx *f, int64_t person, int64_t school, uint8_t idb, char *out, size_t cap)
{
    tc_err e;
    uint8_t h[32];
    memset(h, idb, 32);
    tc_store_student *rows;
    size_t n;
    assert_int_equal(tc_store_person_records(f->s, &f->p, person, school, h, 32, &rows, &n, &e), 0);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%lld", i ? "," : "", (long long)rows[i].id);
    }
}

static void test_which_records(void **st)
{
    TCX_SQLITE_ONLY();
    fx *f = *st;
    tc_err e;
    int64_t s1, s2;
    assert_int_equal(tc_store_school_create(f->s, "甲大学", &s1, &e), 0);
    assert_int_equal(tc_store_school_create(f->s, "乙学院", &s2, &e), 0);
    int64_t b1 = make_batch(f, s1, "AAAAA1"), b2 = make_batch(f, s1, "AAAAA2"), b3 = make_batch(f, s2, "BBBBB1");
    int64_t a = add_row(f, b1, "A1", 1, 11);   /* the person's 本科 */
    int64_t o = add_row(f, b1, "O1", 2, 12);   /* another person, same school */
    int64_t b = add_row(f, b2, "B1", 1, 13);   /* the person's 第二学位, nobody confirmed it */
    int64_t c = add_row(f, b3, "C1", 1, 14);   /* another school, same ID number */
    uint8_t h1[32];
    memset(h1, 1, 32);
    int64_t p;
    assert_int_equal(tc_store_person_upsert(f->s, s1, h1, "13800138000", &p, &e), 0);
    assert_int_equal(tc_store_student_verify(f->s, a, p, "13800138000", &e), 0);

    char got[128], want[128];
    listed(f, p, s1, 1, got, sizeof got);
    snprintf(want, sizeof want, "%lld,%lld", (long long)b, (long long)a);
    assert_string_equal(got, want); /* newest first; not o, not c */
    (void)o;

    /* the other school's row once proved (添加学历 links it) */
    assert_int_equal(tc_store_student_verify(f->s, c, p, "13800138000", &e), 0);
    listed(f, p, s1, 1, got, sizeof got);
    snprintf(want, sizeof want, "%lld,%lld,%lld", (long long)c, (long long)b, (long long)a);
    assert_string_equal(got, want);

    /* the other school's person with the same ID number: c is p's now */
    int64_t q;
    assert_int_equal(tc_store_person_upsert(f->s, s2, h1, "13900139000", &q, &e), 0);
    assert_true(q != p);
    listed(f, q, s2, 1, got, sizeof got);
    assert_string_equal(got, "");

    /* a row whose ID number the school corrected drops out, though linked */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->t.path, &db), SQLITE_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE student SET id_hash = zeroblob(32) WHERE id = %lld", (long long)c);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE student SET erased_at = 1 WHERE id = %lld", (long long)b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    listed(f, p, s1, 1, got, sizeof got);
    snprintf(want, sizeof want, "%lld", (long long)a); /* b erased, c no longer this ID number */
    assert_string_equal(got, want);

    /* at most max */
    tc_store_student *rows;
    size_t n;
    int64_t d = add_row(f, make_batch(f, s1, "AAAAA3"), "D1", 1, 15);
    assert_int_equal(tc_store_person_records(f->s, &f->p, p, s1, h1, 1, &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, d);
}

static void test_session_student(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t sc;
    assert_int_equal(tc_store_school_create(f->s, "丙大学", &sc, &e), 0);
    int64_t bt = make_batch(f, sc, "CCCCC1");
    int64_t r1 = add_row(f, bt, "S1", 3, 21), r2 = add_row(f, bt, "S2", 4, 22);
    uint8_t h3[32], h4[32];
    memset(h3, 3, 32);
    memset(h4, 4, 32);
    int64_t p1, p2;
    assert_int_equal(tc_store_person_upsert(f->s, sc, h3, "13800138000", &p1, &e), 0);
    assert_int_equal(tc_store_person_upsert(f->s, sc, h4, "13800138001", &p2, &e), 0);
    tc_store_session s;
    memset(&s, 0, sizeof s);
    snprintf(s.token_hash, sizeof s.token_hash, "%064d", 7);
    s.kind = "student";
    s.person_id = p1;
    s.student_id = r1;
    snprintf(s.csrf, sizeof s.csrf, "csrf");
    s.expires_at = tc_now() + 3600;
    assert_int_equal(tc_store_session_create(f->s, &s, &e), 0);
    assert_int_equal(tc_store_session_set_student(f->s, s.token_hash, p1, r2, &e), 0);
    tc_store_session got;
    assert_int_equal(tc_store_session_get(f->s, &f->p, s.token_hash, tc_now(), &got, &e), 0);
    assert_int_equal(got.student_id, r2);
    /* not this person's session, or no such session: session.none */
    assert_int_equal(tc_store_session_set_student(f->s, s.token_hash, p2, r1, &e), -1);
    assert_string_equal(e.code, "session.none");
    assert_int_equal(tc_store_session_set_student(f->s, "nope", p1, r1, &e), -1);
    /* an entry session is not moved */
    tc_store_session en = s;
    snprintf(en.token_hash, sizeof en.token_hash, "%064d", 8);
    en.kind = "entry";
    assert_int_equal(tc_store_session_create(f->s, &en, &e), 0);
    assert_int_equal(tc_store_session_set_student(f->s, en.token_hash, p1, r1, &e), -1);
    assert_int_equal(tc_store_session_get(f->s, &f->p, s.token_hash, tc_now(), &got, &e), 0);
    assert_int_equal(got.student_id, r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_which_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_student, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
