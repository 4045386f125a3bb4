/* The photo, submission and order state machines (tc_store_states.c) as
 * tables: every step the store takes is allowed, every other pair (from any
 * state or from "new", to any state) is refused; the words are the schema's
 * CHECK lists, and a word goes to its state and back.  Then the same tables
 * against the store itself: every store function that moves a row is tried
 * on a row in every state, and moves it exactly from the states the table
 * allows (any other leaves the row as it was). */
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

/* The 成片 of a final submission and the student's 校对 (issue 19 item 6). */
static const pair FINAL[] = {
    {NEW, TC_STORE_FINAL_READY},
    {TC_STORE_FINAL_READY, TC_STORE_FINAL_CONFIRMED},
    {TC_STORE_FINAL_READY, TC_STORE_FINAL_CORRECTION},
    {TC_STORE_FINAL_CORRECTION, TC_STORE_FINAL_READY},
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

static void test_final_table(void **state)
{
    (void)state;
    assert_int_equal(check_table(TC_STORE_SM_FINAL, FINAL, TC_ARRAY_LEN(FINAL), 3), 4 * 3);
    assert_string_equal(tc_store_state_name(TC_STORE_SM_FINAL, TC_STORE_FINAL_CORRECTION), "correction");
    assert_int_equal(tc_store_state_of(TC_STORE_SM_FINAL, ""), NEW); /* not produced yet */
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
    TCX_SQLITE_ONLY();
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

/* ---- the store's functions against the tables ---------------------------------------------------------- */

enum { T0 = 1700000000 };

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
    int64_t school, batch, reviewer;
    int next; /* students made so far */
} fx;

static fx *fx_open(void)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->s = tcx_store_open(&f->t, "states");
    assert_non_null(f->s);
    tc_pool_init(&f->p);
    tc_err e;
    assert_int_equal(tc_store_school_create(f->s, "状态大学", &f->school, &e), 0);
    tc_store_batch b = {.school_id = f->school, .name = "b"};
    snprintf(b.code, sizeof b.code, "sta001");
    assert_int_equal(tc_store_batch_create(f->s, &b, &e), 0);
    f->batch = b.id;
    tc_store_staff rv = {.username = "rv", .pwhash = "h", .role = "reviewer"};
    assert_int_equal(tc_store_staff_create(f->s, &rv, &f->reviewer, &e), 0);
    return f;
}

static void fx_close(fx *f)
{
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
}

/* A fresh roster row, verified by a person of its own; *person may be NULL. */
static int64_t new_student(fx *f, int64_t *person)
{
    tc_err e;
    int k = ++f->next;
    assert_true(k < 250);
    char no[16];
    snprintf(no, sizeof no, "S%03d", k);
    tc_store_student rows[1] = {tcx_student_row(no, (uint8_t)k, (uint8_t)k)};
    size_t bad, ins, upd;
    assert_int_equal(tc_store_roster_import(f->s, f->batch, rows, 1, &bad, &ins, &upd, &e), 0);
    tc_store_student *list;
    size_t n;
    int64_t total, pid;
    assert_int_equal(tc_store_student_list(f->s, &f->p, f->batch, no, 10, 0, &list, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    uint8_t idh[32];
    memset(idh, k, 32);
    assert_int_equal(tc_store_person_upsert(f->s, f->school, idh, "13800138000", &pid, &e), 0);
    assert_int_equal(tc_store_student_verify(f->s, list[0].id, pid, "13800138000", &e), 0);
    if (person)
        *person = pid;
    return list[0].id;
}

/* ---- photos ---- */

static int64_t photo_begin(fx *f, int64_t student)
{
    tc_err e;
    int64_t id;
    assert_int_equal(tc_store_photo_begin_limited(f->s, student, "camera", "up", 0, 100, 0, T0, &id, &e), 0);
    return id;
}

static void photo_finish(fx *f, int64_t photo, tc_store_photo_state to)
{
    tc_err e;
    tc_store_photo_done d = {.state = to, .checks = "{}", .report = "{}", .failed = "", .error = ""};
    tc_store_photo_finish(f->s, photo, &d, T0, &e);
}

static int photo_state(fx *f, int64_t photo)
{
    tc_err e;
    tc_store_photo ph;
    assert_int_equal(tc_store_photo_get(f->s, &f->p, photo, &ph, &e), 0);
    return ph.state_enum;
}

/* A photo of a fresh student brought to state. */
static int64_t photo_in(fx *f, int state, int64_t *student)
{
    tc_err e;
    int64_t when, sub;
    *student = new_student(f, NULL);
    int64_t id = photo_begin(f, *student);
    if (state == TC_STORE_PHOTO_PROCESSING)
        return id;
    photo_finish(f, id, state == TC_STORE_PHOTO_DELETED || state == TC_STORE_PHOTO_USED ? TC_STORE_PHOTO_DRAFT
                                                                                      : (tc_store_photo_state)state);
    if (state == TC_STORE_PHOTO_DELETED)
        assert_int_equal(tc_store_photo_delete(f->s, *student, id, 0, T0, &when, &e), 0);
    if (state == TC_STORE_PHOTO_USED)
        assert_int_equal(tc_store_submission_create(f->s, *student, id, 0, T0, &sub, &e), 0);
    return id;
}

typedef struct {
    const char *name;
    int to;
    unsigned from; /* the states it moves a row from, one bit each */
} op;

#define BIT(x) (1u << (x))

/* Every op of a machine on a row in every state: the row ends in op.to when
 * its state is in op.from, else where it was; each op's steps are in the
 * table, and together the ops take every step of the table but "new". */
static void check_ops(tc_store_machine m, const op *ops, size_t nops, int (*in)(fx *, int, void *),
                      void (*apply)(fx *, int, void *), int (*state)(fx *, void *))
{
    fx *f = fx_open();
    unsigned taken[16] = {0}; /* [to]: the from states some op serves */
    int n = tc_store_state_count(m);
    for (size_t o = 0; o < nops; o++)
        for (int from = 0; from < n; from++) {
            if (ops[o].from & BIT(from)) {
                assert_true(tc_store_state_can(m, from, ops[o].to));
                taken[ops[o].to] |= BIT(from);
            }
            int64_t row[8]; /* a photo_row, sub_row or order_row */
            assert_int_equal(in(f, from, row), 0);
            assert_int_equal(state(f, row), from);
            apply(f, (int)o, row);
            int want = (ops[o].from & BIT(from)) ? ops[o].to : from;
            if (state(f, row) != want)
                fail_msg("%s on a row in %s: %s, should be %s", ops[o].name, tc_store_state_name(m, from),
                         tc_store_state_name(m, state(f, row)), tc_store_state_name(m, want));
        }
    for (int from = 0; from < n; from++)
        for (int to = 0; to < n; to++)
            if (tc_store_state_can(m, from, to) && !(taken[to] & BIT(from)))
                fail_msg("no store function takes %s -> %s", tc_store_state_name(m, from), tc_store_state_name(m, to));
    fx_close(f);
}

typedef struct {
    int64_t id, student;
} photo_row;

static const op PHOTO_OPS[] = {
    {"finish draft", TC_STORE_PHOTO_DRAFT, BIT(TC_STORE_PHOTO_PROCESSING)},
    {"finish failed", TC_STORE_PHOTO_FAILED, BIT(TC_STORE_PHOTO_PROCESSING)},
    {"finish error", TC_STORE_PHOTO_ERROR, BIT(TC_STORE_PHOTO_PROCESSING)},
    {"delete", TC_STORE_PHOTO_DELETED, BIT(TC_STORE_PHOTO_DRAFT)},
    {"submit", TC_STORE_PHOTO_USED, BIT(TC_STORE_PHOTO_DRAFT)},
    {"withdraw", TC_STORE_PHOTO_DRAFT, BIT(TC_STORE_PHOTO_USED)},
};

static int photo_row_in(fx *f, int state, void *r_)
{
    photo_row *r = r_;
    r->id = photo_in(f, state, &r->student);
    return 0;
}

static void photo_apply(fx *f, int o, void *r_)
{
    photo_row *r = r_;
    tc_err e;
    int64_t when, sub;
    switch (o) {
    case 0:
    case 1:
    case 2:
        photo_finish(f, r->id, PHOTO_OPS[o].to);
        break;
    case 3:
        tc_store_photo_delete(f->s, r->student, r->id, 0, T0, &when, &e);
        break;
    case 4:
        tc_store_submission_create(f->s, r->student, r->id, 0, T0, &sub, &e);
        break;
    case 5:
        tc_store_submission_withdraw(f->s, r->student, T0, &e);
        break;
    }
}

static int photo_row_state(fx *f, void *r_)
{
    return photo_state(f, ((photo_row *)r_)->id);
}

static void test_store_moves_photos_by_the_table(void **state)
{
    (void)state;
    check_ops(TC_STORE_SM_PHOTO, PHOTO_OPS, TC_ARRAY_LEN(PHOTO_OPS), photo_row_in, photo_apply, photo_row_state);
}

/* ---- submissions ---- */

typedef struct {
    int64_t id, student, person;
} sub_row;

static const op SUB_OPS[] = {
    {"pay", TC_STORE_SUB_SUBMITTED, BIT(TC_STORE_SUB_PENDING_PAYMENT)},
    {"withdraw", TC_STORE_SUB_WITHDRAWN, BIT(TC_STORE_SUB_PENDING_PAYMENT) | BIT(TC_STORE_SUB_SUBMITTED)},
    {"approve", TC_STORE_SUB_APPROVED, BIT(TC_STORE_SUB_SUBMITTED)},
    {"reject", TC_STORE_SUB_REJECTED, BIT(TC_STORE_SUB_SUBMITTED)},
    {"final", TC_STORE_SUB_FINAL, BIT(TC_STORE_SUB_APPROVED)},
    {"reset", TC_STORE_SUB_RESET,
     BIT(TC_STORE_SUB_PENDING_PAYMENT) | BIT(TC_STORE_SUB_SUBMITTED) | BIT(TC_STORE_SUB_APPROVED) |
         BIT(TC_STORE_SUB_REJECTED) | BIT(TC_STORE_SUB_FINAL)},
};

static void sub_apply(fx *f, int o, void *r_)
{
    sub_row *r = r_;
    tc_err e;
    int already;
    switch (o) {
    case 0: {
        char no[32];
        snprintf(no, sizeof no, "ST%lld", (long long)r->id);
        tc_store_order ord = {.out_trade_no = no, .person_id = r->person, .student_id = r->student, .kind = "photo",
                              .amount_fen = 100, .provider = "sandbox", .created_at = T0};
        int64_t oid;
        assert_int_equal(tc_store_order_create(f->s, &ord, &oid, &e), 0);
        assert_int_equal(tc_store_order_paid(f->s, no, "TXN", 100, T0, &already, &e), 0);
        break;
    }
    case 1:
        tc_store_submission_withdraw(f->s, r->student, T0, &e);
        break;
    case 2:
    case 3:
        tc_store_review_decide(f->s, r->id, f->reviewer, o == 2, "[]", "", T0, &e);
        break;
    case 4:
        tc_store_submission_final(f->s, r->id, "final", T0, &e);
        break;
    case 5:
        tc_store_submission_reset(f->s, r->student, "", T0, &e);
        break;
    }
}

static int sub_row_in(fx *f, int state, void *r_)
{
    sub_row *r = r_;
    tc_err e;
    r->student = new_student(f, &r->person);
    int64_t photo = photo_begin(f, r->student);
    photo_finish(f, photo, TC_STORE_PHOTO_DRAFT);
    assert_int_equal(
        tc_store_submission_create(f->s, r->student, photo, state == TC_STORE_SUB_PENDING_PAYMENT, T0, &r->id, &e), 0);
    switch (state) {
    case TC_STORE_SUB_WITHDRAWN:
        sub_apply(f, 1, r);
        break;
    case TC_STORE_SUB_APPROVED:
        sub_apply(f, 2, r);
        break;
    case TC_STORE_SUB_REJECTED:
        sub_apply(f, 3, r);
        break;
    case TC_STORE_SUB_FINAL:
        sub_apply(f, 2, r);
        sub_apply(f, 4, r);
        break;
    case TC_STORE_SUB_RESET:
        sub_apply(f, 5, r);
        break;
    default:
        break;
    }
    return 0;
}

static int sub_row_state(fx *f, void *r_)
{
    tc_err e;
    tc_store_submission sub;
    assert_int_equal(tc_store_submission_get(f->s, &f->p, ((sub_row *)r_)->id, &sub, &e), 0);
    return sub.state_enum;
}

static void test_store_moves_submissions_by_the_table(void **state)
{
    (void)state;
    check_ops(TC_STORE_SM_SUBMISSION, SUB_OPS, TC_ARRAY_LEN(SUB_OPS), sub_row_in, sub_apply, sub_row_state);
}

/* ---- orders ---- */

typedef struct {
    char no[32];
    int64_t person;
} order_row;

static const op ORDER_OPS[] = {
    {"paid", TC_STORE_ORDER_PAID, BIT(TC_STORE_ORDER_CREATED)},
    {"close", TC_STORE_ORDER_CLOSED, BIT(TC_STORE_ORDER_CREATED)},
    {"paid late", TC_STORE_ORDER_REFUNDING, BIT(TC_STORE_ORDER_CLOSED)},
    {"refunding", TC_STORE_ORDER_REFUNDING, BIT(TC_STORE_ORDER_PAID)},
    {"refunded", TC_STORE_ORDER_REFUNDED, BIT(TC_STORE_ORDER_PAID) | BIT(TC_STORE_ORDER_REFUNDING)},
};

static void order_apply(fx *f, int o, void *r_)
{
    order_row *r = r_;
    tc_err e;
    int already;
    switch (o) {
    case 0:
        tc_store_order_paid(f->s, r->no, "TXN", 100, T0, &already, &e);
        break;
    case 1:
        tc_store_order_close(f->s, r->person, r->no, T0, &e);
        break;
    case 2:
        tc_store_order_paid_late(f->s, r->no, "TXN", 100, T0, &already, &e);
        break;
    case 3:
        tc_store_order_refunding(f->s, r->no, &already, &e);
        break;
    case 4:
        tc_store_order_refunded(f->s, r->no, T0, &already, &e);
        break;
    }
}

static int order_row_in(fx *f, int state, void *r_)
{
    order_row *r = r_;
    tc_err e;
    static int seq;
    snprintf(r->no, sizeof r->no, "SO%04d", ++seq);
    if (!f->next)
        new_student(f, NULL);
    uint8_t idh[32];
    memset(idh, 0x55, 32);
    assert_int_equal(tc_store_person_upsert(f->s, f->school, idh, "13800138000", &r->person, &e), 0);
    tc_store_order ord = {.out_trade_no = r->no, .person_id = r->person, .kind = "reprint", .amount_fen = 100,
                          .provider = "sandbox", .created_at = T0};
    int64_t oid;
    assert_int_equal(tc_store_order_create(f->s, &ord, &oid, &e), 0);
    switch (state) {
    case TC_STORE_ORDER_PAID:
        order_apply(f, 0, r);
        break;
    case TC_STORE_ORDER_CLOSED:
        order_apply(f, 1, r);
        break;
    case TC_STORE_ORDER_REFUNDING:
        order_apply(f, 0, r);
        order_apply(f, 3, r);
        break;
    case TC_STORE_ORDER_REFUNDED:
        order_apply(f, 0, r);
        order_apply(f, 4, r);
        break;
    default:
        break;
    }
    return 0;
}

static int order_row_state(fx *f, void *r_)
{
    tc_err e;
    tc_store_order o;
    assert_int_equal(tc_store_order_by_no(f->s, &f->p, ((order_row *)r_)->no, &o, &e), 0);
    return o.state_enum;
}

static void test_store_moves_orders_by_the_table(void **state)
{
    (void)state;
    check_ops(TC_STORE_SM_ORDER, ORDER_OPS, TC_ARRAY_LEN(ORDER_OPS), order_row_in, order_apply, order_row_state);
}

/* ---- the 成片 (submission.final_state) ---- */

static int final_of(fx *f, int64_t sub)
{
    tc_err e;
    tc_store_submission s;
    assert_int_equal(tc_store_submission_get(f->s, &f->p, sub, &s, &e), 0);
    return s.final_state_enum;
}

/* Each function of the 成片 machine moves exactly the rows its table rows
 * name, and refuses (leaving the row as it was) from every other state. */
static void test_store_moves_finals_by_the_table(void **state)
{
    (void)state;
    fx *f = fx_open();
    tc_err e;
    int64_t student, sub;
    int64_t photo = photo_in(f, TC_STORE_PHOTO_DRAFT, &student);
    assert_int_equal(tc_store_submission_create(f->s, student, photo, 0, T0, &sub, &e), 0);
    /* submitted: nothing of the 成片 moves */
    assert_int_not_equal(tc_store_final_make(f->s, sub, "f1", f->reviewer, T0, &e), 0);
    assert_int_not_equal(tc_store_final_confirm(f->s, student, T0, &e), 0);
    assert_string_equal(e.code, "final.not_ready");
    assert_int_equal(tc_store_submission_decide(f->s, sub, f->reviewer, 1, "[]", "", T0, &e), 0);
    /* approved ("–"): only production makes it */
    assert_int_not_equal(tc_store_final_confirm(f->s, student, T0, &e), 0);
    assert_int_not_equal(tc_store_final_correct(f->s, student, "x", T0, &e), 0);
    assert_int_equal(final_of(f, sub), NEW);
    assert_int_equal(tc_store_final_make(f->s, sub, "f1", f->reviewer, T0, &e), 0);
    assert_int_equal(final_of(f, sub), TC_STORE_FINAL_READY);
    /* ready: the student's; production cannot make it again */
    assert_int_not_equal(tc_store_final_make(f->s, sub, "f2", f->reviewer, T0, &e), 0);
    assert_string_equal(e.code, "final.not_producible");
    assert_int_equal(tc_store_final_correct(f->s, student, "请修掉白边", T0, &e), 0);
    tc_store_submission s;
    assert_int_equal(tc_store_submission_get(f->s, &f->p, sub, &s, &e), 0);
    assert_int_equal(s.final_state_enum, TC_STORE_FINAL_CORRECTION);
    assert_string_equal(s.final_reason, "请修掉白边");
    assert_int_equal(s.final_by, f->reviewer);
    /* correction: production's again, not the student's */
    assert_int_not_equal(tc_store_final_confirm(f->s, student, T0, &e), 0);
    assert_int_not_equal(tc_store_final_correct(f->s, student, "y", T0, &e), 0);
    assert_int_equal(final_of(f, sub), TC_STORE_FINAL_CORRECTION);
    assert_int_equal(tc_store_final_make(f->s, sub, "f3", f->reviewer, T0, &e), 0);
    assert_int_equal(final_of(f, sub), TC_STORE_FINAL_READY);
    assert_int_equal(tc_store_final_confirm(f->s, student, T0, &e), 0);
    /* confirmed: the end */
    assert_int_equal(final_of(f, sub), TC_STORE_FINAL_CONFIRMED);
    assert_int_not_equal(tc_store_final_confirm(f->s, student, T0, &e), 0);
    assert_int_not_equal(tc_store_final_correct(f->s, student, "z", T0, &e), 0);
    assert_int_not_equal(tc_store_final_make(f->s, sub, "f4", f->reviewer, T0, &e), 0);
    assert_int_equal(final_of(f, sub), TC_STORE_FINAL_CONFIRMED);
    tc_store_photo ph;
    assert_int_equal(tc_store_photo_get(f->s, &f->p, photo, &ph, &e), 0);
    assert_string_equal(ph.final_blob, "f3");
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_table),
        cmocka_unit_test(test_submission_table),
        cmocka_unit_test(test_order_table),
        cmocka_unit_test(test_final_table),
        cmocka_unit_test(test_words_round_trip),
        cmocka_unit_test(test_words_are_the_schema),
        cmocka_unit_test(test_store_moves_photos_by_the_table),
        cmocka_unit_test(test_store_moves_submissions_by_the_table),
        cmocka_unit_test(test_store_moves_orders_by_the_table),
        cmocka_unit_test(test_store_moves_finals_by_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
