/* The store's plumbing (tc_store_db.c): a transaction that cannot get the
 * write lock within the busy timeout is refused with 503 store.busy and its
 * zh + en message, nothing done; the connection goes back to the pool clean,
 * so the same call succeeds once the other writer is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>

#include "store_fixture.h"

static void test_a_writer_that_waits_too_long_is_told_busy(void **state)
{
    TCX_SQLITE_ONLY();
    (void)state;
    tcx_tmp t;
    tc_store *s = tcx_store_open(&t, "busy");
    assert_non_null(s);
    tc_err e;
    int64_t school;
    assert_int_equal(tc_store_school_create(s, "忙碌大学", &school, &e), 0);

    uint8_t idh[32];
    memset(idh, 9, sizeof idh);
    int64_t person;
    assert_int_equal(tc_store_person_upsert(s, school, idh, "13800138000", &person, &e), 0);
    tc_pool p;
    tc_pool_init(&p);
    tc_store_order o = {.out_trade_no = "BUSY1", .person_id = person, .kind = "reprint", .amount_fen = 100,
                        .provider = "sandbox", .created_at = 1};
    tc_store_order out;
    int reused;

    /* another process holds the write lock for longer than the busy timeout
     * (STORE_BUSY_MS, 10 s: this test waits that long once) */
    sqlite3 *other;
    assert_int_equal(sqlite3_open_v2(t.path, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    memset(&e, 0, sizeof e);
    assert_int_equal(tc_store_order_open(s, &p, &o, &out, &reused, &e), -1);
    assert_int_equal(e.status, 503);
    assert_string_equal(e.code, "store.busy");
    assert_non_null(strstr(e.zh, "繁忙"));
    assert_non_null(strstr(e.en, "busy"));

    /* the other writer goes: the connection that was refused (calls one
     * after another take the pool's first) works again, so it was not left
     * inside a transaction */
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    for (int i = 0; i < 10; i++) {
        char no[16];
        snprintf(no, sizeof no, "OK%d", i);
        o.out_trade_no = no;
        assert_int_equal(tc_store_order_open(s, &p, &o, &out, &reused, &e), 0);
        assert_int_equal(out.state_enum, TC_STORE_ORDER_CREATED);
    }
    tc_pool_clear(&p);
    tcx_store_remove(s, &t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_writer_that_waits_too_long_is_told_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
