/* tc_store — money on paper: orders by state, closing, the print queue and
 * shipping, refunds, cancelled batches, addresses, reconciliation reports.
 * See the "money" section of tc_store.h.  (Paying an order, which moves the
 * student's journey on, is in tc_store_journey.c.) */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ---- orders ------------------------------------------------------------------------------------------------ */

/* STORE_ORDER_COLS (store_int.h) */
void store_read_order(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_order *o = o_;
    store_cols(p, st, 0, "isiisisssssiiisssii", &o->id, &o->out_trade_no, &o->person_id, &o->student_id, &o->kind,
               &o->amount_fen, &o->description, &o->provider, &o->state, &o->provider_txn, &o->detail,
               &o->created_at, &o->paid_at, &o->refunded_at, &o->ship_state, &o->carrier, &o->tracking,
               &o->shipped_at, &o->late_paid_at);
    o->state_enum = tc_store_state_of(TC_STORE_SM_ORDER, o->state);
}

#define BY_NO "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE out_trade_no = ?"

store_conn *store_order_pay_open(tc_store *s, tc_pool *p, const char *out_trade_no, int from, int64_t amount_fen,
                                 tc_store_order *out, int *already, int *ok, tc_err *e)
{
    *already = 0;
    *ok = -1;
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return NULL;
    *ok = store_db_get(db, p, store_read_order, out, e, BY_NO, "s", out_trade_no);
    if (*ok == 1)
        *ok = tc_err_set(e, TCE_PAY_ORDER_NOT_FOUND);
    else if (*ok == 0 && out->state_enum != from)
        *already = 1;
    else if (*ok == 0 && out->amount_fen != amount_fen)
        *ok = tc_err_set(e, TCE_PAY_AMOUNT_MISMATCH);
    return db;
}

/* A new order in the created state. */
static int order_insert(store_conn *db, const tc_store_order *o, int64_t *id, tc_err *e)
{
    return store_db_insert(db, id, e,
                           "INSERT INTO pay_order (out_trade_no, person_id, student_id, kind,"
                           " amount_fen, description, provider, state, created_at, detail, ship_state)"
                           " VALUES (?, ?, nullif(?, 0), ?, ?, ?, ?, 'created', ?, ?, ?)",
                           "siisississ", o->out_trade_no, o->person_id, o->student_id, o->kind, o->amount_fen,
                           o->description ? o->description : "", o->provider, o->created_at,
                           o->detail ? o->detail : "{}", o->ship_state ? o->ship_state : "");
}

int tc_store_order_create(tc_store *s, const tc_store_order *o, int64_t *id, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_STATE_NEW, TC_STORE_ORDER_CREATED);
    store_conn *db = store_acquire(s);
    int rc = order_insert(db, o, id, e);
    store_release(s, db);
    return rc;
}

int tc_store_order_by_no(tc_store *s, tc_pool *p, const char *out_trade_no, tc_store_order *out, tc_err *e)
{
    int rc = store_get(s, p, store_read_order, out, e, BY_NO, "s", out_trade_no);
    return rc == 1 ? tc_err_set(e, TCE_PAY_ORDER_NOT_FOUND) : rc;
}

int tc_store_order_list(tc_store *s, tc_pool *p, int64_t person_id, tc_store_order **out, size_t *n, tc_err *e)
{
    return tc_store_order_list_by(s, p, person_id, "all", out, n, e);
}

/* The tabs of the order page as SQL conditions (constants: never input). */
static const char *filter_sql(const char *filter)
{
    if (!filter || !strcmp(filter, "all"))
        return "true";
    if (!strcmp(filter, "to_pay"))
        return "state = 'created'";
    if (!strcmp(filter, "to_ship"))
        return "state = 'paid' AND ship_state = 'to_ship'";
    if (!strcmp(filter, "shipped"))
        return "state = 'paid' AND ship_state = 'shipped'";
    if (!strcmp(filter, "done"))
        return "state = 'paid' AND ship_state IN ('', 'done')";
    return NULL;
}

int tc_store_order_list_by(tc_store *s, tc_pool *p, int64_t person_id, const char *filter, tc_store_order **out,
                           size_t *n, tc_err *e)
{
    const char *cond = filter_sql(filter);
    if (!cond)
        return tc_err_set(e, TCE_ORDER_BAD_FILTER_2, filter);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE person_id = ? AND %s ORDER BY id DESC",
             cond);
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e, sql, "i", person_id);
}

int tc_store_order_close(tc_store *s, int64_t person_id, const char *out_trade_no, int64_t now, tc_err *e)
{
    (void)now;
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_CREATED, TC_STORE_ORDER_CLOSED);
    int64_t ch = store_run_changes(s, e, "UPDATE pay_order SET state = 'closed' WHERE out_trade_no = ?"
                                   " AND person_id = ? AND state = 'created'",
                                   "si", out_trade_no, person_id);
    if (ch < 0)
        return -1;
    if (ch == 0)
        return tc_err_set(e, TCE_ORDER_NOT_CLOSABLE);
    return 0;
}

int tc_store_print_queue(tc_store *s, tc_pool *p, const char *ship_state, tc_store_order **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e,
                      "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE kind = 'reprint' AND state = 'paid'"
                      " AND (ship_state = ? OR (? = '' AND ship_state != '')) ORDER BY paid_at, id",
                      "ss", ship_state ? ship_state : "", ship_state ? ship_state : "");
}

int tc_store_order_ship(tc_store *s, const char *out_trade_no, const char *carrier, const char *tracking,
                        int64_t now, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE pay_order SET ship_state = 'shipped', carrier = ?, tracking = ?,"
                                   " shipped_at = ? WHERE out_trade_no = ? AND state = 'paid'"
                                   " AND ship_state = 'to_ship'",
                                   "ssis", carrier, tracking, now, out_trade_no);
    if (ch < 0)
        return -1;
    if (ch == 0)
        return tc_err_set(e, TCE_ORDER_NOT_TO_SHIP);
    return 0;
}

int tc_store_order_done(tc_store *s, int64_t person_id, const char *out_trade_no, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE pay_order SET ship_state = 'done' WHERE out_trade_no = ?"
                                   " AND (? = 0 OR person_id = ?) AND ship_state = 'shipped'",
                                   "sii", out_trade_no, person_id, person_id);
    if (ch < 0)
        return -1;
    if (ch == 0)
        return tc_err_set(e, TCE_ORDER_NOT_SHIPPED);
    return 0;
}

int tc_store_order_refunding(tc_store *s, const char *out_trade_no, int *already, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDING);
    *already = 0;
    int64_t ch = store_run_changes(s, e, "UPDATE pay_order SET state = 'refunding' WHERE out_trade_no = ?"
                                   " AND state = 'paid'",
                                   "s", out_trade_no);
    if (ch < 0)
        return -1;
    *already = ch == 0;
    return 0;
}

int tc_store_order_refunded(tc_store *s, const char *out_trade_no, int64_t now, int *already, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_PAID, TC_STORE_ORDER_REFUNDED);
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_REFUNDING, TC_STORE_ORDER_REFUNDED);
    *already = 0;
    /* a refund callback may arrive before our own refund call returns: from
     * paid as well as from refunding */
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE pay_order SET state = 'refunded', refunded_at = ? WHERE out_trade_no = ?"
                                   " AND state IN ('paid', 'refunding')",
                                   "is", now, out_trade_no);
    if (ch < 0)
        return -1;
    *already = ch == 0;
    return 0;
}

int tc_store_batch_cancel(tc_store *s, int64_t batch_id, int64_t now, int *already, tc_err *e)
{
    *already = 0;
    store_conn *db = store_acquire(s);
    int64_t ch = store_db_changes(db, e, "UPDATE batch SET cancelled_at = ? WHERE id = ? AND cancelled_at = 0", "ii",
                                  now, batch_id);
    int64_t exists = 0;
    if (ch == 0 && store_db_ints(db, &exists, 1, e, "SELECT count(*) FROM batch WHERE id = ?", "i", batch_id) != 0)
        ch = -1;
    store_release(s, db);
    if (ch < 0)
        return -1;
    if (ch == 0 && !exists)
        return tc_err_set(e, TCE_BATCH_NOT_FOUND);
    *already = ch == 0;
    return 0;
}

int tc_store_batch_refundable(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_order **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e,
                      "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE kind = 'photo'"
                      " AND state IN ('paid', 'refunding')"
                      " AND student_id IN (SELECT id FROM student WHERE batch_id = ?) ORDER BY id",
                      "i", batch_id);
}

int tc_store_order_activity(tc_store *s, tc_pool *p, const char *provider, int64_t from, int64_t to,
                            tc_store_order **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e,
                      "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE provider = ? AND"
                      " ((created_at >= ? AND created_at < ?) OR (paid_at >= ? AND paid_at < ?)"
                      " OR (refunded_at >= ? AND refunded_at < ?)) ORDER BY id",
                      "siiiiii", provider, from, to, from, to, from, to);
}

/* ---- reconciliation reports -------------------------------------------------------------------------------- */

int tc_store_recon_put(tc_store *s, const char *day, const char *provider, int64_t now, const char *report, tc_err *e)
{
    return store_run(s, e, "INSERT INTO recon_report (day, provider, created_at, report) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (day, provider) DO UPDATE SET created_at = excluded.created_at,"
                     " report = excluded.report",
                     "ssis", day, provider, now, report);
}

static void read_recon(tc_pool *p, store_stmt *st, void *r_)
{
    tc_store_recon *r = r_;
    store_cols(p, st, 0, "ssis", &r->day, &r->provider, &r->created_at, &r->report);
}

int tc_store_recon_list(tc_store *s, tc_pool *p, const char *day, int limit, tc_store_recon **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_recon, (void **)out, n, e,
                      "SELECT day, provider, created_at, report FROM recon_report"
                      " WHERE (? = '' OR day = ?) ORDER BY day DESC, provider LIMIT ?",
                      "ssi", day ? day : "", day ? day : "", (int64_t)limit);
}

/* ---- addresses ------------------------------------------------------------------------------------------------ */

#define ADDR_COLS "id, person_id, name, phone, region, detail, is_default, created_at"

static void read_addr(tc_pool *p, store_stmt *st, void *a_)
{
    tc_store_address *a = a_;
    store_cols(p, st, 0, "iissssni", &a->id, &a->person_id, &a->name, &a->phone, &a->region, &a->detail,
               &a->is_default, &a->created_at);
}

int tc_store_address_list(tc_store *s, tc_pool *p, int64_t person_id, tc_store_address **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_addr, (void **)out, n, e,
                      "SELECT " ADDR_COLS " FROM address WHERE person_id = ?"
                      " ORDER BY is_default DESC, id DESC",
                      "i", person_id);
}

int tc_store_address_get(tc_store *s, tc_pool *p, int64_t person_id, int64_t id, tc_store_address *out, tc_err *e)
{
    int rc = store_get(s, p, read_addr, out, e, "SELECT " ADDR_COLS " FROM address WHERE person_id = ? AND id = ?",
                       "ii", person_id, id);
    return rc == 1 ? tc_err_set(e, TCE_ADDRESS_NOT_FOUND) : rc;
}

/* The first address is the default; making one the default clears the
 * others in the same transaction, so there is never more than one. */
int tc_store_address_save(tc_store *s, tc_store_address *a, int max_per_person, tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t count = 0;
    int ok = store_db_ints(db, &count, 1, e, "SELECT count(*) FROM address WHERE person_id = ?", "i", a->person_id);
    if (ok == 0 && a->id == 0 && count >= max_per_person)
        ok = tc_err_set(e, TCE_ADDRESS_TOO_MANY, max_per_person);
    if (ok == 0 && a->id == 0 && count == 0)
        a->is_default = 1;
    if (ok == 0 && a->is_default)
        ok = store_db_run(db, e, "UPDATE address SET is_default = 0 WHERE person_id = ?", "i", a->person_id);
    if (ok == 0 && a->id == 0)
        ok = store_db_insert(db, &a->id, e,
                             "INSERT INTO address (person_id, name, phone, region, detail, is_default,"
                             " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             "issssii", a->person_id, a->name, a->phone, a->region, a->detail,
                             (int64_t)a->is_default, a->created_at);
    else if (ok == 0) {
        int64_t ch = store_db_changes(db, e,
                                      "UPDATE address SET name = ?, phone = ?, region = ?, detail = ?,"
                                      " is_default = max(is_default, ?) WHERE id = ? AND person_id = ?",
                                      "ssssiii", a->name, a->phone, a->region, a->detail, (int64_t)a->is_default,
                                      a->id, a->person_id);
        if (ch == 0)
            tc_err_set(e, TCE_ADDRESS_NOT_FOUND);
        ok = ch == 1 ? 0 : -1;
    }
    return store_tx_close(s, db, ok, e);
}

int tc_store_address_delete(tc_store *s, int64_t person_id, int64_t id, tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t ch = store_db_changes(db, e, "DELETE FROM address WHERE id = ? AND person_id = ?", "ii", id, person_id);
    int ok = ch < 0 ? -1 : ch == 0 ? tc_err_set(e, TCE_ADDRESS_NOT_FOUND) : 0;
    /* the default went away: the newest remaining one takes its place */
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE address SET is_default = 1 WHERE id = (SELECT id FROM address"
                          " WHERE person_id = ? ORDER BY id DESC LIMIT 1) AND NOT EXISTS"
                          " (SELECT 1 FROM address WHERE person_id = ? AND is_default = 1)",
                          "ii", person_id, person_id);
    return store_tx_close(s, db, ok, e);
}

/* ---- the outbox at start-up ------------------------------------------------------------------------------------ */

int tc_store_outbox_due_now(tc_store *s, int64_t now, int64_t *n, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE outbox SET next_at = ? WHERE state = 'pending' AND next_at > ?", "ii",
                                   now, now);
    if (n)
        *n = ch > 0 ? ch : 0;
    return ch < 0 ? -1 : 0;
}

/* ---- one open order per fee, cancelled batches, late payments (issue 14) -------------------------------------- */

/* The cancelled_at of a record's batch (0: not cancelled, or no record). */
static int batch_cancelled_at(store_conn *db, int64_t student_id, int64_t *at, tc_err *e)
{
    return store_db_ints(db, at, 1, e,
                         "SELECT b.cancelled_at FROM student s JOIN batch b ON b.id = s.batch_id WHERE s.id = ?", "i",
                         student_id);
}

static int cancelled_err(tc_err *e)
{
    /* the seeds' way: say what happened and whom to ask */
    return tc_err_set(e, TCE_BATCH_CANCELLED);
}

int tc_store_order_open(tc_store *s, tc_pool *p, const tc_store_order *o, tc_store_order *out, int *reused,
                        tc_err *e)
{
    *reused = 0;
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_STATE_NEW, TC_STORE_ORDER_CREATED);
    /* IMMEDIATE: the check and the insert are one write transaction, so two
     * pay requests at once see each other's order and a cancel cannot slip
     * between the check and the insert */
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t cancelled = 0, id = 0;
    int ok = o->student_id ? batch_cancelled_at(db, o->student_id, &cancelled, e) : 0;
    if (ok == 0 && cancelled)
        ok = cancelled_err(e);
    if (ok == 0 && !strcmp(o->kind, "photo")) {
        /* the student's open photo-fee order, if there is one (1: none) */
        int found = store_db_get(db, p, store_read_order, out, e,
                                 "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE student_id = ? AND kind = 'photo'"
                                 " AND state = 'created' ORDER BY id DESC LIMIT 1",
                                 "i", o->student_id);
        *reused = found == 0;
        ok = found < 0 ? -1 : 0;
    }
    if (ok == 0 && !*reused)
        ok = order_insert(db, o, &id, e);
    if (ok == 0 && !*reused) {
        ok = store_db_get(db, p, store_read_order, out, e, "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE id = ?",
                          "i", id);
        assert(ok != 1); /* inserted just now, in this transaction */
    }
    return store_tx_close(s, db, ok, e);
}

int tc_store_student_cancelled(tc_store *s, int64_t student_id, int64_t *cancelled_at, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int rc = batch_cancelled_at(db, student_id, cancelled_at, e);
    store_release(s, db);
    return rc;
}

int tc_store_batch_open_orders(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_order **out, size_t *n,
                               tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e,
                      "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE state = 'created'"
                      " AND student_id IN (SELECT id FROM student WHERE batch_id = ?) ORDER BY id",
                      "i", batch_id);
}

int tc_store_order_paid_late(tc_store *s, const char *out_trade_no, const char *txn, int64_t amount_fen, int64_t now,
                             int *already, tc_err *e)
{
    tc_pool pool;
    tc_pool_init(&pool);
    tc_store_order o;
    /* not closed: recorded already (refunding, refunded), or not a closed
     * order at all */
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_CLOSED, TC_STORE_ORDER_REFUNDING);
    int ok;
    store_conn *db = store_order_pay_open(s, &pool, out_trade_no, TC_STORE_ORDER_CLOSED, amount_fen, &o, already, &ok, e);
    if (db && ok == 0 && !*already) {
        /* the student's journey is not moved on: the order was closed, the
         * money goes back (the caller starts the refund) */
        int64_t ch = store_db_changes(db, e,
                                      "UPDATE pay_order SET state = 'refunding', provider_txn = ?, paid_at = ?,"
                                      " late_paid_at = ? WHERE id = ? AND state = 'closed'",
                                      "siii", txn ? txn : "", now, now, o.id);
        ok = ch == 1 ? 0 : -1;
    }
    tc_pool_clear(&pool);
    return db ? store_tx_close(s, db, ok, e) : -1;
}

int tc_store_order_late_list(tc_store *s, tc_pool *p, int64_t from, int64_t to, tc_store_order **out, size_t *n,
                             tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_order, (void **)out, n, e,
                      "SELECT " STORE_ORDER_COLS " FROM pay_order WHERE late_paid_at > 0 AND"
                      " ((late_paid_at >= ? AND late_paid_at < ?) OR state = 'refunding')"
                      " ORDER BY late_paid_at, id",
                      "ii", from, to);
}

/* ---- durability ---------------------------------------------------------------------------------------------------- */

int tc_store_synchronous(tc_store *s)
{
    /* synchronous is per connection: ask every one.  Holding them all at
     * once is how each is reached exactly once (so: one caller at a time,
     * as tests and the bench are; two would each wait for the other's). */
    store_conn *held[STORE_POOL_SIZE];
    int low = 99;
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        held[i] = store_acquire(s);
        int64_t v = -1;
        if (store_db_ints(held[i], &v, 1, NULL, "PRAGMA synchronous", NULL) != 0)
            v = -1;
        if (v < low)
            low = (int)v;
    }
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        store_release(s, held[i]);
    return low;
}

int tc_store_set_synchronous(tc_store *s, int level, tc_err *e)
{
    assert(level >= 0 && level <= 3);
    static const char *const SQL[] = {"PRAGMA synchronous=OFF", "PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL",
                                      "PRAGMA synchronous=EXTRA"};
    store_conn *held[STORE_POOL_SIZE];
    int rc = 0;
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        held[i] = store_acquire(s);
        if (rc == 0 && store_exec(held[i], SQL[level], e) != 0)
            rc = -1;
    }
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        store_release(s, held[i]);
    return rc;
}
