/* The photo, submission and order state machines (tc_store_states.c) as
 * tables: every step the store takes is allowed, every other pair (from any
 * state or from "new", to any state) is refused; the words are the schema's
 * CHECK lists, and a word goes to its state and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

#define NEW TC_STORE_STATE_NEW

typedef struct {
    int from, to;
} pair;

/* The expected tables, written out here apart from the code's own. */
static const pair PHOTO[] = {
    {NEW, TC_STORE_PHOTO_PROCESSING},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_DRAFT},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_FAILED},
    {TC_STORE_PHOTO_PROCESSING, TC_STORE_PHOTO_ERROR},
    {TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_DELETED},
    {TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_USED},
    {TC_STORE_PHOTO_USED, TC_STORE_PHOTO_DRAFT},
};

static const pair SUB[] = {
    {NEW, TC_STORE_SUB_PENDING_PAYMENT},
    {NEW, TC_STORE_SUB_SUBMITTED},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_SUBMITTED},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_WITHDRAWN},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_WITHDRAWN},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_APPROVED},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_REJECTED},
    {TC_STORE_SUB_APPROVED, TC_STORE_SUB_FINAL},
    {TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_RESET},
    {TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_RESET},
    {TC_STORE_SUB_APPROVED, TC_STORE_SUB_RESET},
    {TC_STORE_SUB_REJECTED, TC_STORE_SUB_RESET},
    {TC_STORE_SUB_FINAL, TC_STORE_SUB_RESET},
};

static const pair ORDER[] = {
    {NEW, TC_STORE_ORDER_CREATED},
    {TC_STORE_ORDER_CREATED, TC_STORE_ORDER_PAID},
    {TC_STORE_ORDER_CREATED, TC_STORE_ORDER_CLOSED},
    {TC_STORE_ORDER_CLOSED, TC_STORE_ORDER_REFUNDING},
    {TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDING},
    {TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDED},
    {TC_STORE_ORDER_REFUNDING, TC_STORE_ORDER_REFUNDED},
};

static int listed(const pair *t, size_t n, int from, int to)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].from == from && t[i].to == to)
            return 1;
    return 0;
}

/* Every (from, to) with from in NEW..count-1 and to in 0..count-1: allowed
 * exactly when the expected table lists it.  Returns the pairs checked. */
static int check_table(tc_store_machine m, const pair *t, size_t n, int count)
{
    assert_int_equal(tc_store_state_count(m), count);
    int checked = 0;
    for (int from = NEW; from < count; from++)
        for (int to = 0; to < count; to++) {
            int want = listed(t, n, from, to);
            if (tc_store_state_can(m, from, to) != want)
                fail_msg("machine %d: %s -> %s should be %s", (int)m,
                         from == NEW ? "(new)" : tc_store_state_name(m, from), tc_store_state_name(m, to),
                         want ? "allowed" : "refused");
            checked++;
        }
    /* nothing goes back to "new" */
    for (int from = NEW; from < count; from++)
        assert_false(tc_store_state_can(m, from, NEW));
    return checked;
}

static void test_photo_table(void **state)
{
    (void)state;
    assert_int_equal(check_table(TC_STORE_SM_PHOTO, PHOTO, TC_ARRAY_LEN(PHOTO), 6), 7 * 6);
}

static void test_submission_table(void **state)
{
    (void)state;
    assert_int_equal(check_table(TC_STORE_SM_SUBMISSION, SUB, TC_ARRAY_LEN(SUB), 7), 8 * 7);
}

static void test_order_table(void **state)
{
    (void)state;
    assert_int_equal(check_table(TC_STORE_SM_ORDER, ORDER, TC_ARRAY_LEN(ORDER), 5), 6 * 5);
}

static void test_words_round_trip(void **state)
{
    (void)state;
    for (int m = 0; m < TC_STORE_SM_COUNT; m++) {
        for (int i = 0; i < tc_store_state_count(m); i++)
            assert_int_equal(tc_store_state_of(m, tc_store_state_name(m, i)), i);
        assert_int_equal(tc_store_state_of(m, NULL), NEW);
        assert_int_equal(tc_store_state_of(m, ""), NEW);
        assert_int_equal(tc_store_state_of(m, "Draft"), NEW);
        assert_int_equal(tc_store_state_of(m, "final "), NEW);
    }
    assert_string_equal(tc_store_state_name(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_DRAFT), "draft");
    assert_string_equal(tc_store_state_name(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_PENDING_PAYMENT), "pending_payment");
    assert_string_equal(tc_store_state_name(TC_STORE_SM_ORDER, TC_STORE_ORDER_REFUNDING), "refunding");
}

/* The words of "<column> TEXT NOT NULL CHECK (<column> IN (...))" in the
 * CREATE TABLE text of table, as a list "a,b,c" in out. */
static void check_words(sqlite3 *db, const char *table, char *out, size_t cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                                        &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *sql = (const char *)sqlite3_column_text(st, 0);
    const char *p = strstr(sql, "CHECK (state IN");
    assert_non_null(p);
    p = strchr(p, '(') + 1;
    p = strchr(p, '(') + 1;
    size_t n = 0;
    out[0] = 0;
    for (; *p && *p != ')'; p++)
        if (*p == '\'') {
            const char *q = strchr(p + 1, '\'');
            assert_non_null(q);
            n += (size_t)snprintf(out + n, cap - n, "%s%.*s", n ? "," : "", (int)(q - p - 1), p + 1);
            assert_true(n < cap);
            p = q;
        }
    sqlite3_finalize(st);
}

static void test_words_are_the_schema(void **state)
{
    (void)state;
    tcx_tmp t;
    tc_store *s = tcx_store_open(&t, "states");
    assert_non_null(s);
    tc_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(t.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const struct {
        const char *table;
        tc_store_machine m;
    } T[] = {{"photo", TC_STORE_SM_PHOTO}, {"submission", TC_STORE_SM_SUBMISSION}, {"pay_order", TC_STORE_SM_ORDER}};
    for (size_t k = 0; k < TC_ARRAY_LEN(T); k++) {
        char got[256], want[256];
        check_words(db, T[k].table, got, sizeof got);
        size_t n = 0;
        want[0] = 0;
        for (int i = 0; i < tc_store_state_count(T[k].m); i++)
            n += (size_t)snprintf(want + n, sizeof want - n, "%s%s", i ? "," : "", tc_store_state_name(T[k].m, i));
        assert_string_equal(got, want);
    }
    sqlite3_close(db);
    tcx_store_remove(NULL, &t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_table),
        cmocka_unit_test(test_submission_table),
        cmocka_unit_test(test_order_table),
        cmocka_unit_test(test_words_round_trip),
        cmocka_unit_test(test_words_are_the_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
