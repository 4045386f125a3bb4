/* Unit tests: the store's money (tc_store_money.c, and paying an order in
 * tc_store_journey.c) — a payment counted once however often the provider
 * calls back, a wrong amount refused, every order state change and each
 * refused out-of-order one, refunds once, cancelled batches, the print
 * queue, the address book's one default, and the reconciliation's day of
 * orders and its stored reports; one open order per fee, no order for a
 * cancelled batch, a payment for a closed order recorded once for refund,
 * commits at synchronous=FULL (issue 14).  A fresh SQLite file per test. */
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

enum { T0 = 1700000000 }; /* a fixed "now": the store takes time as an argument */

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
    int64_t school, batch, student, person; /* one verified student */
} fx;

/* A batch with one student who verified (so has a person); returns the
 * student id, *person its person. */
static int64_t make_student(fx *f, const char *code, const char *no, uint8_t idb, int64_t *batch, int64_t *person)
{
    tc_err e;
    tc_store_batch b = {.school_id = f->school, .name = "b"};
    snprintf(b.code, sizeof b.code, "%s", code);
    assert_int_equal(tc_store_batch_create(f->s, &b, &e), 0);
    tc_store_student rows[1] = {tcx_student_row(no, idb, idb)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, b.id, rows, 1, &bad, &ins, &upd, &e), 0);
    tc_store_student *list;
    size_t n;
    int64_t total;
    assert_int_equal(tc_store_student_list(f->s, &f->p, b.id, NULL, 10, 0, &list, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    uint8_t idh[32];
    memset(idh, idb, 32);
    assert_int_equal(tc_store_person_upsert(f->s, list[0].school_id, idh, "13800138000", person, &e), 0);
    assert_int_equal(tc_store_student_verify(f->s, list[0].id, *person, "13800138000", &e), 0);
    if (batch)
        *batch = b.id;
    return list[0].id;
}

static int setup(void **st)
{
    fx *f = calloc(1, sizeof *f);
    f->s = tcx_store_open(&f->t, "money");
    tc_err e;
    tc_pool_init(&f->p);
    *st = f;
    if (!f->s || tc_store_school_create(f->s, "钱大学", &f->school, &e) != 0)
        return -1;
    f->student = make_student(f, "mon001", "1", 7, &f->batch, &f->person);
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

static void order(fx *f, const char *no, const char *kind, int64_t person, int64_t student, int64_t fen,
                  const char *provider, int64_t at)
{
    tc_err e;
    int64_t id;
    tc_store_order o = {.out_trade_no = no, .person_id = person, .student_id = student, .kind = kind,
                        .amount_fen = fen, .provider = provider, .created_at = at};
    assert_int_equal(tc_store_order_create(f->s, &o, &id, &e), 0);
    assert_true(id > 0);
}

static tc_store_order get(fx *f, const char *no)
{
    tc_err e;
    tc_store_order o;
    assert_int_equal(tc_store_order_by_no(f->s, &f->p, no, &o, &e), 0);
    return o;
}

static void pay(fx *f, const char *no, int64_t fen, int64_t at)
{
    tc_err e;
    int already = -1;
    assert_int_equal(tc_store_order_paid(f->s, no, "TXN-1", fen, at, &already, &e), 0);
    assert_int_equal(already, 0);
}

/* A draft confirmed while the fee is unpaid: the submission waits. */
static int64_t pending_submission(fx *f)
{
    tc_err e;
    int64_t photo, sub;
    assert_int_equal(tc_store_photo_begin(f->s, f->student, "album", "blob-up", 5, T0, &photo, &e), 0);
    tc_store_photo_done d = {.state = TC_STORE_PHOTO_DRAFT, .checks = "{}", .report = "{}", .failed = "", .error = ""};
    assert_int_equal(tc_store_photo_finish(f->s, photo, &d, T0, &e), 0);
    assert_int_equal(tc_store_submission_create(f->s, f->student, photo, 1, T0, &sub, &e), 0);
    tc_store_submission cur;
    assert_int_equal(tc_store_submission_current(f->s, &f->p, f->student, &cur, &e), 0);
    assert_string_equal(cur.state, "pending_payment");
    return sub;
}

/* ---- paying ------------------------------------------------------------------------------------------------ */

static void test_paid_once(void **st)
{
    fx *f = *st;
    tc_err e;
    pending_submission(f);
    order(f, "T-PAY-1", "photo", f->person, f->student, 2500, "sandbox", T0);
    tc_store_order o = get(f, "T-PAY-1");
    assert_string_equal(o.state, "created");
    assert_int_equal(o.paid_at, 0);

    int already = -1;
    assert_int_equal(tc_store_order_paid(f->s, "T-PAY-1", "TXN-A", 2500, T0 + 10, &already, &e), 0);
    assert_int_equal(already, 0);
    o = get(f, "T-PAY-1");
    assert_string_equal(o.state, "paid");
    assert_string_equal(o.provider_txn, "TXN-A");
    assert_int_equal(o.paid_at, T0 + 10);
    assert_string_equal(o.ship_state, ""); /* a photo fee is never shipped */

    /* the fee moved the waiting submission on to review and marks the student paid */
    tc_store_submission cur;
    assert_int_equal(tc_store_submission_current(f->s, &f->p, f->student, &cur, &e), 0);
    assert_string_equal(cur.state, "submitted");
    assert_int_equal(cur.submitted_at, T0 + 10);
    tc_store_journey j;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &j, &e), 0);
    assert_int_equal(j.paid_order, o.id);
    tc_store_student stu;
    assert_int_equal(tc_store_student_get(f->s, &f->p, f->student, &stu, &e), 0);
    assert_string_equal(stu.state, "submitted");

    /* the provider repeats its callback (another txn, later, even another
     * amount): harmless, reported as already, nothing changes */
    already = 0;
    assert_int_equal(tc_store_order_paid(f->s, "T-PAY-1", "TXN-B", 2500, T0 + 99, &already, &e), 0);
    assert_int_equal(already, 1);
    already = 0;
    assert_int_equal(tc_store_order_paid(f->s, "T-PAY-1", "TXN-C", 1, T0 + 100, &already, &e), 0);
    assert_int_equal(already, 1);
    o = get(f, "T-PAY-1");
    assert_string_equal(o.state, "paid");
    assert_string_equal(o.provider_txn, "TXN-A");
    assert_int_equal(o.paid_at, T0 + 10);
    assert_int_equal(tc_store_submission_current(f->s, &f->p, f->student, &cur, &e), 0);
    assert_int_equal(cur.submitted_at, T0 + 10);

    /* one order in the list, paid once */
    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_order_list(f->s, &f->p, f->person, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].state, "paid");
}

static void test_wrong_amount_refused(void **st)
{
    fx *f = *st;
    tc_err e;
    pending_submission(f);
    order(f, "T-AMT-1", "photo", f->person, f->student, 2500, "sandbox", T0);
    int already = -1;
    for (int64_t fen = 2499; fen <= 2501; fen += 2) {
        assert_int_equal(tc_store_order_paid(f->s, "T-AMT-1", "TXN-X", fen, T0 + 1, &already, &e), -1);
        assert_string_equal(e.code, "pay.amount_mismatch");
        assert_int_equal(e.status, 400);
        assert_int_equal(already, 0);
    }
    /* nothing happened: still unpaid, the submission still waits */
    tc_store_order o = get(f, "T-AMT-1");
    assert_string_equal(o.state, "created");
    assert_int_equal(o.paid_at, 0);
    assert_string_equal(o.provider_txn, "");
    tc_store_submission cur;
    assert_int_equal(tc_store_submission_current(f->s, &f->p, f->student, &cur, &e), 0);
    assert_string_equal(cur.state, "pending_payment");
    tc_store_journey j;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &j, &e), 0);
    assert_int_equal(j.paid_order, 0);
    /* the right amount still pays it */
    pay(f, "T-AMT-1", 2500, T0 + 2);
    assert_string_equal(get(f, "T-AMT-1").state, "paid");
}

static void test_unknown_order(void **st)
{
    fx *f = *st;
    tc_err e;
    int already = -1;
    tc_store_order o;
    assert_int_equal(tc_store_order_by_no(f->s, &f->p, "NOPE", &o, &e), -1);
    assert_string_equal(e.code, "pay.order_not_found");
    assert_int_equal(e.status, 404);
    assert_int_equal(tc_store_order_paid(f->s, "NOPE", "TXN", 100, T0, &already, &e), -1);
    assert_string_equal(e.code, "pay.order_not_found");
    assert_int_equal(already, 0);
    /* an out_trade_no is unique */
    order(f, "T-DUP", "photo", f->person, f->student, 100, "sandbox", T0);
    int64_t id;
    tc_store_order dup = {.out_trade_no = "T-DUP", .person_id = f->person, .kind = "photo", .amount_fen = 1,
                          .provider = "sandbox", .created_at = T0};
    assert_int_equal(tc_store_order_create(f->s, &dup, &id, &e), -1);
    assert_int_equal(get(f, "T-DUP").amount_fen, 100);
}

/* A paid reprint is not a photo fee: the student is not marked paid. */
static void test_reprint_paid_goes_to_ship(void **st)
{
    fx *f = *st;
    tc_err e;
    order(f, "T-RP-1", "reprint", f->person, f->student, 1200, "sandbox", T0);
    assert_string_equal(get(f, "T-RP-1").ship_state, "");
    pay(f, "T-RP-1", 1200, T0 + 5);
    tc_store_order o = get(f, "T-RP-1");
    assert_string_equal(o.state, "paid");
    assert_string_equal(o.ship_state, "to_ship");
    tc_store_journey j;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &j, &e), 0);
    assert_int_equal(j.paid_order, 0);
}

/* ---- closing, shipping, receiving ----------------------------------------------------------------------- */

static void test_close(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t other;
    make_student(f, "mon002", "2", 8, NULL, &other);
    order(f, "T-CL-1", "photo", f->person, f->student, 2500, "sandbox", T0);
    /* another person cannot close it */
    assert_int_equal(tc_store_order_close(f->s, other, "T-CL-1", T0, &e), -1);
    assert_string_equal(e.code, "order.not_closable");
    assert_int_equal(e.status, 409);
    assert_string_equal(get(f, "T-CL-1").state, "created");
    /* the owner can, once */
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-CL-1", T0, &e), 0);
    assert_string_equal(get(f, "T-CL-1").state, "closed");
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-CL-1", T0, &e), -1);
    assert_string_equal(e.code, "order.not_closable");
    /* a paid order cannot be closed */
    order(f, "T-CL-2", "photo", f->person, f->student, 2500, "sandbox", T0);
    pay(f, "T-CL-2", 2500, T0);
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-CL-2", T0, &e), -1);
    assert_string_equal(e.code, "order.not_closable");
    assert_string_equal(get(f, "T-CL-2").state, "paid");
    /* nor an unknown one */
    assert_int_equal(tc_store_order_close(f->s, f->person, "NOPE", T0, &e), -1);
    assert_string_equal(e.code, "order.not_closable");
}

static void test_ship_and_done(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t other;
    make_student(f, "mon003", "3", 9, NULL, &other);
    order(f, "T-SH-1", "reprint", f->person, f->student, 1200, "sandbox", T0);
    order(f, "T-SH-FEE", "photo", f->person, f->student, 2500, "sandbox", T0);

    /* unpaid: not shipped, not received */
    assert_int_equal(tc_store_order_ship(f->s, "T-SH-1", "顺丰", "SF1", T0, &e), -1);
    assert_string_equal(e.code, "order.not_to_ship");
    assert_int_equal(e.status, 409);
    assert_int_equal(tc_store_order_done(f->s, f->person, "T-SH-1", &e), -1);
    assert_string_equal(e.code, "order.not_shipped");
    assert_int_equal(e.status, 409);

    pay(f, "T-SH-1", 1200, T0 + 1);
    pay(f, "T-SH-FEE", 2500, T0 + 1);
    /* a photo fee is never shipped */
    assert_int_equal(tc_store_order_ship(f->s, "T-SH-FEE", "顺丰", "SF0", T0, &e), -1);
    assert_string_equal(e.code, "order.not_to_ship");
    assert_int_equal(tc_store_order_done(f->s, 0, "T-SH-FEE", &e), -1);
    assert_string_equal(e.code, "order.not_shipped");
    /* paid but not yet shipped: not received */
    assert_int_equal(tc_store_order_done(f->s, f->person, "T-SH-1", &e), -1);
    assert_string_equal(e.code, "order.not_shipped");

    assert_int_equal(tc_store_order_ship(f->s, "T-SH-1", "顺丰", "SF123", T0 + 50, &e), 0);
    tc_store_order o = get(f, "T-SH-1");
    assert_string_equal(o.ship_state, "shipped");
    assert_string_equal(o.carrier, "顺丰");
    assert_string_equal(o.tracking, "SF123");
    assert_int_equal(o.shipped_at, T0 + 50);
    /* shipping twice is refused and keeps the first tracking number */
    assert_int_equal(tc_store_order_ship(f->s, "T-SH-1", "EMS", "E999", T0 + 60, &e), -1);
    assert_string_equal(e.code, "order.not_to_ship");
    o = get(f, "T-SH-1");
    assert_string_equal(o.tracking, "SF123");
    assert_int_equal(o.shipped_at, T0 + 50);

    /* only the owner (or staff, person 0) says it arrived */
    assert_int_equal(tc_store_order_done(f->s, other, "T-SH-1", &e), -1);
    assert_string_equal(e.code, "order.not_shipped");
    assert_string_equal(get(f, "T-SH-1").ship_state, "shipped");
    assert_int_equal(tc_store_order_done(f->s, f->person, "T-SH-1", &e), 0);
    assert_string_equal(get(f, "T-SH-1").ship_state, "done");
    assert_int_equal(tc_store_order_done(f->s, f->person, "T-SH-1", &e), -1);
    assert_string_equal(e.code, "order.not_shipped");
    assert_int_equal(tc_store_order_ship(f->s, "T-SH-1", "顺丰", "SF2", T0, &e), -1);
    assert_string_equal(e.code, "order.not_to_ship");

    /* staff may mark another one received */
    order(f, "T-SH-2", "reprint", f->person, f->student, 1200, "sandbox", T0);
    pay(f, "T-SH-2", 1200, T0 + 2);
    assert_int_equal(tc_store_order_ship(f->s, "T-SH-2", "EMS", "E1", T0 + 3, &e), 0);
    assert_int_equal(tc_store_order_done(f->s, 0, "T-SH-2", &e), 0);
    assert_string_equal(get(f, "T-SH-2").ship_state, "done");
}

/* ---- refunds -------------------------------------------------------------------------------------------- */

static void test_refund_once(void **st)
{
    fx *f = *st;
    tc_err e;
    int already = -1;
    order(f, "T-RF-1", "photo", f->person, f->student, 2500, "sandbox", T0);

    /* an unpaid order has nothing to refund: reported, not changed */
    assert_int_equal(tc_store_order_refunding(f->s, "T-RF-1", &already, &e), 0);
    assert_int_equal(already, 1);
    assert_int_equal(tc_store_order_refunded(f->s, "T-RF-1", T0, &already, &e), 0);
    assert_int_equal(already, 1);
    tc_store_order o = get(f, "T-RF-1");
    assert_string_equal(o.state, "created");
    assert_int_equal(o.refunded_at, 0);

    pay(f, "T-RF-1", 2500, T0 + 1);
    assert_int_equal(tc_store_order_refunding(f->s, "T-RF-1", &already, &e), 0);
    assert_int_equal(already, 0);
    assert_string_equal(get(f, "T-RF-1").state, "refunding");
    /* a second refund request while one is under way: already */
    assert_int_equal(tc_store_order_refunding(f->s, "T-RF-1", &already, &e), 0);
    assert_int_equal(already, 1);
    assert_string_equal(get(f, "T-RF-1").state, "refunding");

    assert_int_equal(tc_store_order_refunded(f->s, "T-RF-1", T0 + 20, &already, &e), 0);
    assert_int_equal(already, 0);
    o = get(f, "T-RF-1");
    assert_string_equal(o.state, "refunded");
    assert_int_equal(o.refunded_at, T0 + 20);
    /* the provider repeats the refund callback: once only */
    assert_int_equal(tc_store_order_refunded(f->s, "T-RF-1", T0 + 90, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_int_equal(tc_store_order_refunding(f->s, "T-RF-1", &already, &e), 0);
    assert_int_equal(already, 1);
    o = get(f, "T-RF-1");
    assert_string_equal(o.state, "refunded");
    assert_int_equal(o.refunded_at, T0 + 20);
    /* a late payment callback does not make a refunded order paid again */
    assert_int_equal(tc_store_order_paid(f->s, "T-RF-1", "TXN-LATE", 2500, T0 + 95, &already, &e), 0);
    assert_int_equal(already, 1);
    o = get(f, "T-RF-1");
    assert_string_equal(o.state, "refunded");
    assert_int_equal(o.paid_at, T0 + 1);
    /* nor can it be closed */
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-RF-1", T0, &e), -1);
    assert_string_equal(e.code, "order.not_closable");

    /* the refund callback may arrive before our refund call returned: paid -> refunded */
    order(f, "T-RF-2", "photo", f->person, f->student, 2500, "sandbox", T0);
    pay(f, "T-RF-2", 2500, T0 + 1);
    assert_int_equal(tc_store_order_refunded(f->s, "T-RF-2", T0 + 7, &already, &e), 0);
    assert_int_equal(already, 0);
    assert_string_equal(get(f, "T-RF-2").state, "refunded");
    /* a closed order is not refunded either */
    order(f, "T-RF-3", "photo", f->person, f->student, 2500, "sandbox", T0);
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-RF-3", T0, &e), 0);
    assert_int_equal(tc_store_order_refunded(f->s, "T-RF-3", T0, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_string_equal(get(f, "T-RF-3").state, "closed");
}

static void test_batch_cancel_and_refundable(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t batch2, person2;
    int64_t student2 = make_student(f, "mon004", "4", 10, &batch2, &person2);
    order(f, "T-BC-PAID", "photo", f->person, f->student, 2500, "sandbox", T0);
    order(f, "T-BC-RFING", "photo", f->person, f->student, 2500, "sandbox", T0 + 1);
    order(f, "T-BC-UNPAID", "photo", f->person, f->student, 2500, "sandbox", T0 + 2);
    order(f, "T-BC-DONE", "photo", f->person, f->student, 2500, "sandbox", T0 + 3);
    order(f, "T-BC-REPRINT", "reprint", f->person, f->student, 1200, "sandbox", T0 + 4);
    order(f, "T-BC-OTHER", "photo", person2, student2, 2500, "sandbox", T0 + 5);
    pay(f, "T-BC-PAID", 2500, T0 + 10);
    pay(f, "T-BC-RFING", 2500, T0 + 10);
    pay(f, "T-BC-DONE", 2500, T0 + 10);
    pay(f, "T-BC-REPRINT", 1200, T0 + 10);
    pay(f, "T-BC-OTHER", 2500, T0 + 10);
    int already;
    assert_int_equal(tc_store_order_refunding(f->s, "T-BC-RFING", &already, &e), 0);
    assert_int_equal(tc_store_order_refunded(f->s, "T-BC-DONE", T0 + 11, &already, &e), 0);

    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_batch_refundable(f->s, &f->p, f->batch, &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].out_trade_no, "T-BC-PAID");
    assert_string_equal(v[1].out_trade_no, "T-BC-RFING");
    assert_int_equal(tc_store_batch_refundable(f->s, &f->p, batch2, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].out_trade_no, "T-BC-OTHER");

    already = -1;
    assert_int_equal(tc_store_batch_cancel(f->s, f->batch, T0 + 100, &already, &e), 0);
    assert_int_equal(already, 0);
    assert_int_equal(tc_store_batch_cancel(f->s, f->batch, T0 + 200, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_int_equal(tc_store_batch_cancel(f->s, 999999, T0, &already, &e), -1);
    assert_string_equal(e.code, "batch.not_found");
    assert_int_equal(e.status, 404);
    /* the other batch is not cancelled by it */
    assert_int_equal(tc_store_batch_cancel(f->s, batch2, T0 + 100, &already, &e), 0);
    assert_int_equal(already, 0);
}

/* ---- the order page's tabs and the print queue ------------------------------------------------------------ */

static const char *nos(tc_pool *p, const tc_store_order *v, size_t n)
{
    char *s = tc_pool_printf(p, "%s", "");
    for (size_t i = 0; i < n; i++)
        s = tc_pool_printf(p, "%s%s%s", s, i ? "," : "", v[i].out_trade_no);
    return s;
}

static void test_tabs_and_print_queue(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t other;
    make_student(f, "mon005", "5", 11, NULL, &other);
    order(f, "A-UNPAID", "photo", f->person, f->student, 2500, "sandbox", T0);
    order(f, "B-FEE", "photo", f->person, f->student, 2500, "sandbox", T0);
    order(f, "C-RP-SHIP", "reprint", f->person, f->student, 1200, "sandbox", T0);
    order(f, "D-RP-SENT", "reprint", f->person, f->student, 1200, "sandbox", T0);
    order(f, "E-RP-DONE", "reprint", f->person, f->student, 1200, "sandbox", T0);
    order(f, "F-CLOSED", "photo", f->person, f->student, 2500, "sandbox", T0);
    order(f, "G-REFUNDED", "reprint", f->person, f->student, 1200, "sandbox", T0);
    order(f, "H-OTHERS", "reprint", other, 0, 1200, "sandbox", T0);
    pay(f, "B-FEE", 2500, T0 + 1);
    /* paid in this order: E first, then H, C, D */
    pay(f, "E-RP-DONE", 1200, T0 + 2);
    pay(f, "H-OTHERS", 1200, T0 + 3);
    pay(f, "C-RP-SHIP", 1200, T0 + 4);
    pay(f, "D-RP-SENT", 1200, T0 + 5);
    pay(f, "G-REFUNDED", 1200, T0 + 6);
    int already;
    assert_int_equal(tc_store_order_refunded(f->s, "G-REFUNDED", T0 + 7, &already, &e), 0);
    assert_int_equal(tc_store_order_close(f->s, f->person, "F-CLOSED", T0, &e), 0);
    assert_int_equal(tc_store_order_ship(f->s, "D-RP-SENT", "顺丰", "SF1", T0 + 8, &e), 0);
    assert_int_equal(tc_store_order_ship(f->s, "E-RP-DONE", "顺丰", "SF2", T0 + 8, &e), 0);
    assert_int_equal(tc_store_order_done(f->s, f->person, "E-RP-DONE", &e), 0);

    static const struct {
        const char *filter, *want;
    } tabs[] = {
        /* newest first; never another person's */
        {"all", "G-REFUNDED,F-CLOSED,E-RP-DONE,D-RP-SENT,C-RP-SHIP,B-FEE,A-UNPAID"},
        {"to_pay", "A-UNPAID"},
        {"to_ship", "C-RP-SHIP"},
        {"shipped", "D-RP-SENT"},
        {"done", "E-RP-DONE,B-FEE"},
    };
    tc_store_order *v;
    size_t n;
    for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++) {
        assert_int_equal(tc_store_order_list_by(f->s, &f->p, f->person, tabs[i].filter, &v, &n, &e), 0);
        assert_string_equal(nos(&f->p, v, n), tabs[i].want);
    }
    assert_int_equal(tc_store_order_list_by(f->s, &f->p, f->person, NULL, &v, &n, &e), 0);
    assert_int_equal(n, 7);
    assert_int_equal(tc_store_order_list_by(f->s, &f->p, f->person, "refunded", &v, &n, &e), -1);
    assert_string_equal(e.code, "order.bad_filter");
    assert_int_equal(e.status, 400);
    assert_non_null(strstr(e.zh, "refunded"));
    assert_non_null(strstr(e.en, "refunded"));
    assert_int_equal(tc_store_order_list_by(f->s, &f->p, f->person, "all' OR 1 --", &v, &n, &e), -1);
    assert_string_equal(e.code, "order.bad_filter");

    /* the print queue: paid reprints of everyone, oldest payment first */
    static const struct {
        const char *ship, *want;
    } q[] = {
        {"to_ship", "H-OTHERS,C-RP-SHIP"},
        {"shipped", "D-RP-SENT"},
        {"done", "E-RP-DONE"},
        {"", "E-RP-DONE,H-OTHERS,C-RP-SHIP,D-RP-SENT"},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        assert_int_equal(tc_store_print_queue(f->s, &f->p, q[i].ship, &v, &n, &e), 0);
        assert_string_equal(nos(&f->p, v, n), q[i].want);
    }
    assert_int_equal(tc_store_print_queue(f->s, &f->p, NULL, &v, &n, &e), 0);
    assert_int_equal(n, 4);
}

/* ---- reconciliation ------------------------------------------------------------------------------------------ */

static void test_activity_of_a_day(void **st)
{
    fx *f = *st;
    tc_err e;
    const int64_t from = T0, to = T0 + 86400; /* one day, [from, to) */
    order(f, "R-BEFORE", "photo", f->person, f->student, 100, "sandbox", from - 1);       /* untouched that day */
    order(f, "R-CREATED", "photo", f->person, f->student, 200, "sandbox", from);          /* created at the start */
    order(f, "R-PAID-IN", "photo", f->person, f->student, 300, "sandbox", from - 500);    /* created before, paid in */
    order(f, "R-REFUND-IN", "photo", f->person, f->student, 400, "sandbox", from - 900);  /* paid before, refunded in */
    order(f, "R-AT-END", "photo", f->person, f->student, 500, "sandbox", to);             /* the next day's */
    order(f, "R-PAID-AFTER", "photo", f->person, f->student, 600, "sandbox", from - 700); /* paid the next day */
    order(f, "R-WECHAT", "photo", f->person, f->student, 700, "wechat", from + 10);       /* another provider */
    order(f, "R-LAST", "reprint", f->person, f->student, 800, "sandbox", to - 1);          /* the last second */
    pay(f, "R-PAID-IN", 300, from + 3600);
    pay(f, "R-REFUND-IN", 400, from - 800);
    pay(f, "R-PAID-AFTER", 600, to);
    int already;
    assert_int_equal(tc_store_order_refunded(f->s, "R-REFUND-IN", to - 10, &already, &e), 0);

    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_order_activity(f->s, &f->p, "sandbox", from, to, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "R-CREATED,R-PAID-IN,R-REFUND-IN,R-LAST");
    /* the figures a report is made of */
    int64_t paid_fen = 0, refunded_fen = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].paid_at >= from && v[i].paid_at < to)
            paid_fen += v[i].amount_fen;
        if (v[i].refunded_at >= from && v[i].refunded_at < to)
            refunded_fen += v[i].amount_fen;
    }
    assert_int_equal(paid_fen, 300);
    assert_int_equal(refunded_fen, 400);
    assert_string_equal(v[1].state, "paid");
    assert_string_equal(v[2].state, "refunded");

    assert_int_equal(tc_store_order_activity(f->s, &f->p, "wechat", from, to, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "R-WECHAT");
    /* the next day sees the orders of its first second */
    assert_int_equal(tc_store_order_activity(f->s, &f->p, "sandbox", to, to + 86400, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "R-AT-END,R-PAID-AFTER");
    assert_int_equal(tc_store_order_activity(f->s, &f->p, "nobody", from, to, &v, &n, &e), 0);
    assert_int_equal(n, 0);
}

static void test_recon_reports(void **st)
{
    fx *f = *st;
    tc_err e;
    tc_store_recon *v;
    size_t n;
    assert_int_equal(tc_store_recon_list(f->s, &f->p, NULL, 10, &v, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tc_store_recon_put(f->s, "2024-06-01", "sandbox", T0, "{\"checked\":1}", &e), 0);
    assert_int_equal(tc_store_recon_put(f->s, "2024-06-02", "wechat", T0 + 1, "{\"checked\":2}", &e), 0);
    assert_int_equal(tc_store_recon_put(f->s, "2024-06-02", "sandbox", T0 + 2, "{\"checked\":3}", &e), 0);
    /* made again: the day's report is replaced, not doubled */
    assert_int_equal(tc_store_recon_put(f->s, "2024-06-01", "sandbox", T0 + 9, "{\"checked\":4}", &e), 0);

    assert_int_equal(tc_store_recon_list(f->s, &f->p, "", 10, &v, &n, &e), 0);
    assert_int_equal(n, 3);
    /* newest day first, then by provider */
    assert_string_equal(v[0].day, "2024-06-02");
    assert_string_equal(v[0].provider, "sandbox");
    assert_string_equal(v[0].report, "{\"checked\":3}");
    assert_string_equal(v[1].day, "2024-06-02");
    assert_string_equal(v[1].provider, "wechat");
    assert_string_equal(v[2].day, "2024-06-01");
    assert_string_equal(v[2].report, "{\"checked\":4}");
    assert_int_equal(v[2].created_at, T0 + 9);

    assert_int_equal(tc_store_recon_list(f->s, &f->p, "2024-06-01", 10, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].provider, "sandbox");
    assert_int_equal(tc_store_recon_list(f->s, &f->p, "", 2, &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(tc_store_recon_list(f->s, &f->p, "2024-06-03", 10, &v, &n, &e), 0);
    assert_int_equal(n, 0);
}

/* ---- the address book ------------------------------------------------------------------------------------------- */

static tc_store_address addr(int64_t person, const char *name, int is_default)
{
    return (tc_store_address){.person_id = person, .name = name, .phone = "13912345678", .region = "江苏省/南京市/鼓楼区",
                              .detail = "汉口路22号", .is_default = is_default, .created_at = T0};
}

/* The ids of a person's addresses, the default first, and which is default. */
static const char *book(fx *f, int64_t person)
{
    tc_err e;
    tc_store_address *v;
    size_t n;
    assert_int_equal(tc_store_address_list(f->s, &f->p, person, &v, &n, &e), 0);
    char *s = tc_pool_printf(&f->p, "%s", "");
    int defaults = 0;
    for (size_t i = 0; i < n; i++) {
        s = tc_pool_printf(&f->p, "%s%s%s%s", s, i ? "," : "", v[i].name, v[i].is_default ? "*" : "");
        defaults += v[i].is_default;
    }
    assert_int_equal(defaults, n ? 1 : 0); /* exactly one default while any exist */
    return s;
}

static void test_addresses(void **st)
{
    fx *f = *st;
    tc_err e;
    int64_t other;
    make_student(f, "mon006", "6", 12, NULL, &other);
    assert_string_equal(book(f, f->person), "");

    /* the first is the default even when not asked */
    tc_store_address a = addr(f->person, "甲", 0);
    assert_int_equal(tc_store_address_save(f->s, &a, 3, &e), 0);
    assert_true(a.id > 0);
    int64_t a_id = a.id;
    assert_string_equal(book(f, f->person), "甲*");
    tc_store_address b = addr(f->person, "乙", 0);
    assert_int_equal(tc_store_address_save(f->s, &b, 3, &e), 0);
    assert_string_equal(book(f, f->person), "甲*,乙");
    /* a new default clears the old */
    tc_store_address c = addr(f->person, "丙", 1);
    assert_int_equal(tc_store_address_save(f->s, &c, 3, &e), 0);
    assert_string_equal(book(f, f->person), "丙*,乙,甲");
    /* past the limit */
    tc_store_address d = addr(f->person, "丁", 1);
    assert_int_equal(tc_store_address_save(f->s, &d, 3, &e), -1);
    assert_string_equal(e.code, "address.too_many");
    assert_int_equal(e.status, 409);
    assert_non_null(strstr(e.zh, "3"));
    assert_non_null(strstr(e.en, "3"));
    assert_string_equal(book(f, f->person), "丙*,乙,甲"); /* the refused default did not clear the old one */

    /* edit: is_default 0 keeps it as it was; 1 makes it the default */
    tc_store_address ed = addr(f->person, "甲改", 0);
    ed.id = a_id;
    assert_int_equal(tc_store_address_save(f->s, &ed, 3, &e), 0);
    assert_string_equal(book(f, f->person), "丙*,乙,甲改");
    ed.is_default = 1;
    assert_int_equal(tc_store_address_save(f->s, &ed, 3, &e), 0);
    assert_string_equal(book(f, f->person), "甲改*,丙,乙");
    tc_store_address got;
    assert_int_equal(tc_store_address_get(f->s, &f->p, f->person, a_id, &got, &e), 0);
    assert_string_equal(got.name, "甲改");
    assert_string_equal(got.region, "江苏省/南京市/鼓楼区");
    assert_int_equal(got.is_default, 1);

    /* another person's address: not found, whatever is tried, and unchanged */
    tc_store_address mine = addr(other, "他", 0);
    assert_int_equal(tc_store_address_save(f->s, &mine, 3, &e), 0);
    assert_string_equal(book(f, other), "他*");
    assert_int_equal(tc_store_address_get(f->s, &f->p, f->person, mine.id, &got, &e), -1);
    assert_string_equal(e.code, "address.not_found");
    assert_int_equal(e.status, 404);
    tc_store_address steal = addr(f->person, "偷", 1);
    steal.id = mine.id;
    assert_int_equal(tc_store_address_save(f->s, &steal, 3, &e), -1);
    assert_string_equal(e.code, "address.not_found");
    assert_string_equal(book(f, other), "他*");
    assert_string_equal(book(f, f->person), "甲改*,丙,乙"); /* the refused edit cleared no default */
    assert_int_equal(tc_store_address_delete(f->s, f->person, mine.id, &e), -1);
    assert_string_equal(e.code, "address.not_found");
    assert_string_equal(book(f, other), "他*");

    /* deleting the default promotes the newest remaining one */
    assert_int_equal(tc_store_address_delete(f->s, f->person, a_id, &e), 0);
    assert_string_equal(book(f, f->person), "丙*,乙");
    assert_int_equal(tc_store_address_delete(f->s, f->person, a_id, &e), -1);
    assert_string_equal(e.code, "address.not_found");
    /* deleting a non-default keeps the default */
    assert_int_equal(tc_store_address_delete(f->s, f->person, b.id, &e), 0);
    assert_string_equal(book(f, f->person), "丙*");
    assert_int_equal(tc_store_address_delete(f->s, f->person, c.id, &e), 0);
    assert_string_equal(book(f, f->person), "");
    /* room again after deleting */
    tc_store_address again = addr(f->person, "戊", 0);
    assert_int_equal(tc_store_address_save(f->s, &again, 1, &e), 0);
    assert_string_equal(book(f, f->person), "戊*");
    tc_store_address more = addr(f->person, "己", 0);
    assert_int_equal(tc_store_address_save(f->s, &more, 1, &e), -1);
    assert_string_equal(e.code, "address.too_many");
}

/* ---- issue 14: one open order per fee, cancelled batches, late payments, durability ------------------------- */

static tc_store_order open_order(fx *f, const char *no, const char *kind, int64_t fen, int *reused)
{
    tc_err e;
    tc_store_order in = {.out_trade_no = no, .person_id = f->person, .student_id = f->student, .kind = kind,
                         .amount_fen = fen, .provider = "wechat", .created_at = T0},
                   out;
    assert_int_equal(tc_store_order_open(f->s, &f->p, &in, &out, reused, &e), 0);
    return out;
}

static void test_one_open_order_per_fee(void **st)
{
    fx *f = *st;
    tc_err e;
    int reused = -1;
    tc_store_order a = open_order(f, "T-OPEN-1", "photo", 1500, &reused);
    assert_int_equal(reused, 0);
    assert_string_equal(a.out_trade_no, "T-OPEN-1");
    assert_string_equal(a.state, "created");
    /* paying again: the open order comes back, no second one is made */
    tc_store_order b = open_order(f, "T-OPEN-2", "photo", 1500, &reused);
    assert_int_equal(reused, 1);
    assert_string_equal(b.out_trade_no, "T-OPEN-1");
    assert_int_equal(tc_store_order_by_no(f->s, &f->p, "T-OPEN-2", &b, &e), -1);
    assert_string_equal(e.code, "pay.order_not_found");
    /* reprints are each their own purchase */
    tc_store_order r1 = open_order(f, "T-OPEN-R1", "reprint", 800, &reused);
    assert_int_equal(reused, 0);
    tc_store_order r2 = open_order(f, "T-OPEN-R2", "reprint", 800, &reused);
    assert_int_equal(reused, 0);
    assert_string_not_equal(r1.out_trade_no, r2.out_trade_no);
    /* once closed, the next pay makes a new one: still one open */
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-OPEN-1", T0, &e), 0);
    tc_store_order c = open_order(f, "T-OPEN-3", "photo", 1500, &reused);
    assert_int_equal(reused, 0);
    assert_string_equal(c.out_trade_no, "T-OPEN-3");
    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_order_list_by(f->s, &f->p, f->person, "to_pay", &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "T-OPEN-3,T-OPEN-R2,T-OPEN-R1");
}

static void test_cancelled_batch_takes_no_order(void **st)
{
    fx *f = *st;
    tc_err e;
    int reused;
    int64_t at = -1;
    assert_int_equal(tc_store_student_cancelled(f->s, f->student, &at, &e), 0);
    assert_int_equal(at, 0);
    open_order(f, "T-CAN-OPEN", "photo", 1500, &reused);
    open_order(f, "T-CAN-RP", "reprint", 800, &reused);
    int already;
    assert_int_equal(tc_store_batch_cancel(f->s, f->batch, T0 + 50, &already, &e), 0);
    assert_int_equal(tc_store_student_cancelled(f->s, f->student, &at, &e), 0);
    assert_int_equal(at, T0 + 50);
    /* the open orders, for the cancel to close */
    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_batch_open_orders(f->s, &f->p, f->batch, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "T-CAN-OPEN,T-CAN-RP");
    /* no new order of either kind, and no reuse of the open one either */
    const char *kinds[] = {"photo", "reprint"};
    for (int i = 0; i < 2; i++) {
        tc_store_order in = {.out_trade_no = "T-CAN-NEW", .person_id = f->person, .student_id = f->student,
                             .kind = kinds[i], .amount_fen = 1500, .provider = "wechat", .created_at = T0},
                       out;
        assert_int_equal(tc_store_order_open(f->s, &f->p, &in, &out, &reused, &e), -1);
        assert_string_equal(e.code, "batch.cancelled");
        assert_int_equal(e.status, 409);
        assert_non_null(strstr(e.zh, "取消"));
        assert_non_null(strstr(e.en, "cancelled"));
    }
}

static void test_late_payment_recorded_once(void **st)
{
    fx *f = *st;
    tc_err e;
    int reused, already = -1;
    open_order(f, "T-LATE", "photo", 1500, &reused);
    assert_int_equal(tc_store_order_close(f->s, f->person, "T-LATE", T0 + 1, &e), 0);
    /* the ordinary path leaves a closed order alone ... */
    assert_int_equal(tc_store_order_paid(f->s, "T-LATE", "WX-1", 1500, T0 + 2, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_string_equal(get(f, "T-LATE").state, "closed");
    /* ... a wrong amount is refused here too ... */
    assert_int_equal(tc_store_order_paid_late(f->s, "T-LATE", "WX-1", 1, T0 + 2, &already, &e), -1);
    assert_string_equal(e.code, "pay.amount_mismatch");
    assert_string_equal(get(f, "T-LATE").state, "closed");
    /* ... and the late path records the money against it, to be refunded */
    assert_int_equal(tc_store_order_paid_late(f->s, "T-LATE", "WX-1", 1500, T0 + 3, &already, &e), 0);
    assert_int_equal(already, 0);
    tc_store_order o = get(f, "T-LATE");
    assert_string_equal(o.state, "refunding");
    assert_string_equal(o.provider_txn, "WX-1");
    assert_int_equal(o.late_paid_at, T0 + 3);
    assert_int_equal(o.paid_at, T0 + 3);
    /* however often the callback comes: once */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_store_order_paid(f->s, "T-LATE", "WX-1", 1500, T0 + 9, &already, &e), 0);
        assert_int_equal(already, 1);
        assert_int_equal(tc_store_order_paid_late(f->s, "T-LATE", "WX-1", 1500, T0 + 9, &already, &e), 0);
        assert_int_equal(already, 1);
    }
    o = get(f, "T-LATE");
    assert_int_equal(o.late_paid_at, T0 + 3);
    assert_string_equal(o.state, "refunding");
    /* a closed order pays nothing: the student is not marked paid */
    tc_store_journey sj;
    assert_int_equal(tc_store_journey_get(f->s, &f->p, f->student, &sj, &e), 0);
    assert_int_equal(sj.paid_order, 0);
    /* staff see it while the refund is not done, and on its day after */
    tc_store_order *v;
    size_t n;
    assert_int_equal(tc_store_order_late_list(f->s, &f->p, T0 + 1000, T0 + 2000, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "T-LATE");
    assert_int_equal(tc_store_order_refunded(f->s, "T-LATE", T0 + 20, &already, &e), 0);
    assert_int_equal(already, 0);
    assert_int_equal(tc_store_order_late_list(f->s, &f->p, T0 + 1000, T0 + 2000, &v, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(tc_store_order_late_list(f->s, &f->p, T0, T0 + 10, &v, &n, &e), 0);
    assert_string_equal(nos(&f->p, v, n), "T-LATE");
    assert_string_equal(v[0].state, "refunded");
    /* refunded: a repeat still changes nothing */
    assert_int_equal(tc_store_order_paid_late(f->s, "T-LATE", "WX-1", 1500, T0 + 30, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_string_equal(get(f, "T-LATE").state, "refunded");
}

static void test_paid_late_only_for_closed(void **st)
{
    fx *f = *st;
    tc_err e;
    int reused, already = -1;
    open_order(f, "T-NL-OPEN", "photo", 1500, &reused);
    assert_int_equal(tc_store_order_paid_late(f->s, "T-NL-OPEN", "WX", 1500, T0, &already, &e), 0);
    assert_int_equal(already, 1);
    assert_string_equal(get(f, "T-NL-OPEN").state, "created");
    pay(f, "T-NL-OPEN", 1500, T0 + 1);
    assert_int_equal(tc_store_order_paid_late(f->s, "T-NL-OPEN", "WX", 1500, T0 + 2, &already, &e), 0);
    assert_int_equal(already, 1);
    tc_store_order o = get(f, "T-NL-OPEN");
    assert_string_equal(o.state, "paid");
    assert_int_equal(o.late_paid_at, 0);
    assert_int_equal(tc_store_order_paid_late(f->s, "T-NOPE", "WX", 1500, T0, &already, &e), -1);
    assert_string_equal(e.code, "pay.order_not_found");
}

/* Item 17: every connection commits with synchronous=FULL, so a commit that
 * acknowledged money (a callback, a refund) is on disk before the answer
 * leaves: in WAL mode NORMAL can lose the last commits on a power cut. */
static void test_commits_are_durable(void **st)
{
    TCX_SQLITE_ONLY();
    fx *f = *st;
    assert_int_equal(tc_store_synchronous(f->s), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_paid_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_amount_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reprint_paid_goes_to_ship, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ship_and_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refund_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_cancel_and_refundable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tabs_and_print_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activity_of_a_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recon_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_open_order_per_fee, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_batch_takes_no_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_payment_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paid_late_only_for_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commits_are_durable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
