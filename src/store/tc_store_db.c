/* tc_store — the plumbing every domain file of the SQLite backend shares:
 * opening and closing, the connection pool, transactions, and the statement
 * helpers (prepare with bound arguments, step, read one row or a list).
 * Nothing here knows a table.  See store_int.h for the contract and
 * docs/ARCHITECTURE.md ("The store") for the seam a PostgreSQL backend
 * implements. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store_int.h"

static int lite_err(tc_err *e, sqlite3 *db, const char *what)
{
    return tc_err_internal(e, "sqlite %s: %s", what, sqlite3_errmsg(db));
}

/* ---- connections and the pool ------------------------------------------------------------------------ */

int store_open_conn(const char *path, int nomutex, sqlite3 **out, tc_err *e)
{
    sqlite3 *db;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | (nomutex ? SQLITE_OPEN_NOMUTEX : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        tc_err_set(e, TCE_STORE_OPEN, path,
                   sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, STORE_BUSY_MS);
    /* WAL: readers never block the writer.  synchronous=FULL: the WAL is
     * fsynced at every commit, so a commit that acknowledged money (a
     * payment callback answered 204, a refund) survives a power cut;
     * NORMAL would only sync at checkpoints and lose the last commits.
     * On every connection, not just money's: the cost measured in
     * docs/PERFORMANCE.md ("Durable commits") is a fraction of a
     * millisecond per commit, and one level for all means no money
     * function can forget to ask for it. */
    store_conn c = {.kind = STORE_SQLITE, .lite = db};
    if (store_exec(&c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", e) != 0) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

int tc_store_is_url(const char *where)
{
    return !strncmp(where, "postgres://", 11) || !strncmp(where, "postgresql://", 13);
}

/* PostgreSQL: the driver's pool, every connection of it held by the store
 * for its whole life (the store's own pool hands them out), the schema
 * brought to the newest version on the first. */
static int open_pg(tc_store *s, const char *url, tc_err *e)
{
    if (!(s->url = strdup(url)))
        return tc_err_internal(e, "out of memory");
    if (store_pg_open(url, STORE_POOL_SIZE, &s->pg, e) != 0)
        return -1;
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        s->conns[i].kind = STORE_PG;
        s->conns[i].pg = store_pg_acquire(s->pg);
    }
    return store_pg_migrate(s->conns[0].pg, -1, e);
}

tc_store *tc_store_open(const char *path, tc_err *e)
{
    /* the photo tokens and erased ID hashes come from libsodium's random
     * source (idempotent and thread-safe) */
    if (sodium_init() < 0) {
        tc_err_internal(e, "libsodium: no random source");
        return NULL;
    }
    tc_store *s = calloc(1, sizeof *s);
    if (!s) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    store_signal_init(s);
    if (tc_store_is_url(path)) {
        s->kind = STORE_PG;
        if (open_pg(s, path, e) != 0) {
            tc_store_close(s);
            return NULL;
        }
        return s;
    }
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        s->conns[i].kind = STORE_SQLITE;
        if (store_open_conn(path, 1, &s->conns[i].lite, e) != 0 ||
            (i == 0 && store_migrate(s->conns[0].lite, -1, e) != 0)) {
            tc_store_close(s);
            return NULL;
        }
    }
    return s;
}

void tc_store_close(tc_store *s)
{
    if (!s)
        return;
    store_signal_free(s); /* the listening thread first: it uses the URL */
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        if (s->conns[i].lite)
            sqlite3_close(s->conns[i].lite);
    store_pg_close(s->pg);
    tc_str_free_secret(s->url);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

store_conn *store_acquire(tc_store *s)
{
    store_conn *c = NULL;
    pthread_mutex_lock(&s->mu);
    while (!c) {
        for (int i = 0; i < STORE_POOL_SIZE && !c; i++)
            if (!s->conns[i].busy) {
                s->conns[i].busy = 1;
                c = &s->conns[i];
            }
        if (!c)
            pthread_cond_wait(&s->cv, &s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    if (c->kind == STORE_PG)
        store_pg_check(c->pg); /* a dropped connection: connect again */
    return c;
}

void store_release(tc_store *s, store_conn *db)
{
    if (db->kind == STORE_PG)
        store_pg_idle(db->pg); /* never hand on an open transaction */
    pthread_mutex_lock(&s->mu);
    db->busy = 0;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- transactions ---------------------------------------------------------------------------------------- */

int store_exec(store_conn *db, const char *sql, tc_err *e)
{
    if (db->kind == STORE_PG)
        return store_pg_exec(db->pg, sql, e);
    char *msg = NULL;
    if (sqlite3_exec(db->lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
        tc_err_internal(e, "sqlite: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_tx_begin(store_conn *db, tc_err *e)
{
    if (db->kind == STORE_PG)
        return store_pg_tx_begin(db->pg, e);
    int rc = sqlite3_exec(db->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    /* the busy handler waited STORE_BUSY_MS for the other writer: a person
     * may try again, nothing was done */
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return tc_err_set(e, TCE_STORE_BUSY);
    return lite_err(e, db->lite, "begin");
}

int store_tx_end(store_conn *db, int ok, tc_err *e)
{
    if (db->kind == STORE_PG)
        return store_pg_tx_end(db->pg, ok, e);
    if (ok == 0) {
        if (store_exec(db, "COMMIT", e) == 0)
            return 0;
        /* a failed COMMIT may leave the transaction open: never hand such a
         * connection back to the pool */
        if (sqlite3_get_autocommit(db->lite))
            return -1;
        e = NULL; /* keep COMMIT's message */
    }
    store_exec(db, "ROLLBACK", NULL);
    return -1;
}

int store_savepoint(store_conn *db, tc_err *e)
{
    return db->kind == STORE_PG ? store_pg_exec(db->pg, "SAVEPOINT tc_row", e) : 0;
}

int store_savepoint_end(store_conn *db, int ok, tc_err *e)
{
    if (db->kind != STORE_PG)
        return 0;
    return store_pg_exec(db->pg, ok == 0 ? "RELEASE SAVEPOINT tc_row" : "ROLLBACK TO SAVEPOINT tc_row", e);
}

store_conn *store_tx_open(tc_store *s, tc_err *e)
{
    store_conn *db = store_acquire(s);
    if (store_tx_begin(db, e) == 0)
        return db;
    store_release(s, db);
    return NULL;
}

int store_tx_close(tc_store *s, store_conn *db, int ok, tc_err *e)
{
    int rc = store_tx_end(db, ok, e);
    store_release(s, db);
    return rc;
}

/* ---- statements -------------------------------------------------------------------------------------------
 * q_prepare binds arguments from a tiny format string: 'i' int64, 's' text
 * (NULL binds NULL), 'b' blob (pointer + size_t length), 'h' 32-byte hash,
 * 'H' a hash or NULL when it is all zeros. */

static int hash_is_zero(const uint8_t *h)
{
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= h[i];
    return any == 0;
}

/* SQLite: prepare and bind. */
static sqlite3_stmt *lite_prepare(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        lite_err(e, db, "prepare");
        return NULL;
    }
    for (int i = 1; fmt && *fmt; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 's': {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        case 'b': {
            const void *v = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            sqlite3_bind_blob(st, i, v, (int)n, SQLITE_TRANSIENT);
            break;
        }
        case 'h':
        case 'H': {
            const uint8_t *h = va_arg(ap, const uint8_t *);
            if (*fmt == 'H' && hash_is_zero(h))
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_blob(st, i, h, 32, SQLITE_TRANSIENT);
            break;
        }
        default:
            abort(); /* a programming error in this file, not input */
        }
    }
    return st;
}

store_stmt *store_q_vprepare(store_conn *db, tc_err *e, const char *sql, const char *fmt, va_list ap)
{
    store_stmt *st = calloc(1, sizeof *st);
    if (!st) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    st->c = db;
    if (db->kind == STORE_PG)
        st->pg = store_pg_vprepare(db->pg, e, sql, fmt, ap);
    else
        st->lite = lite_prepare(db->lite, e, sql, fmt, ap);
    if (!st->pg && !st->lite) {
        free(st);
        return NULL;
    }
    return st;
}

store_stmt *store_q_prepare(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_stmt *st = store_q_vprepare(db, e, sql, fmt, ap);
    va_end(ap);
    return st;
}

void store_finalize(store_stmt *st)
{
    if (!st)
        return;
    if (st->pg)
        store_pg_finalize(st->pg);
    else
        sqlite3_finalize(st->lite);
    free(st);
}

int store_step(store_stmt *st, tc_err *e)
{
    store_conn *c = st->c;
    if (st->pg) {
        int r = store_pg_step(st->pg, e);
        if (r < -1)
            store_pg_refusal(st->pg, c->refused, sizeof c->refused);
        return r;
    }
    int r = sqlite3_step(st->lite);
    if (r == SQLITE_ROW)
        return 1;
    if (r == SQLITE_DONE)
        return 0;
    int x = sqlite3_extended_errcode(c->lite);
    if (x == SQLITE_CONSTRAINT_UNIQUE || x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_FOREIGNKEY ||
        x == SQLITE_CONSTRAINT_CHECK) {
        /* "UNIQUE constraint failed: student.chsi_hash": the columns */
        snprintf(c->refused, sizeof c->refused, "%s", sqlite3_errmsg(c->lite));
        return x == SQLITE_CONSTRAINT_FOREIGNKEY ? STORE_FKEY : x == SQLITE_CONSTRAINT_CHECK ? STORE_CHECK : STORE_UNIQUE;
    }
    return lite_err(e, c->lite, "step");
}

int64_t store_col_int(store_stmt *st, int i)
{
    return st->pg ? store_pg_col_int(st->pg, i) : sqlite3_column_int64(st->lite, i);
}

int store_col_count(store_stmt *st)
{
    return st->pg ? store_pg_col_count(st->pg) : sqlite3_column_count(st->lite);
}

const char *store_col_str(tc_pool *p, store_stmt *st, int i)
{
    if (st->pg)
        return tc_pool_strdup(p, store_pg_col_text(st->pg, i));
    const unsigned char *t = sqlite3_column_text(st->lite, i);
    return tc_pool_strdup(p, t ? (const char *)t : "");
}

/* Column i's bytes, borrowed until the next step. */
static const uint8_t *col_bytes(store_stmt *st, int i, size_t *len)
{
    if (st->pg)
        return store_pg_col_blob(st->pg, i, len);
    const uint8_t *b = sqlite3_column_blob(st->lite, i);
    *len = (size_t)sqlite3_column_bytes(st->lite, i);
    return b;
}

void store_col_hash(store_stmt *st, int i, uint8_t out[32])
{
    size_t n;
    const uint8_t *b = col_bytes(st, i, &n);
    if (b && n == 32)
        memcpy(out, b, 32);
    else
        memset(out, 0, 32);
}

const uint8_t *store_col_blob(tc_pool *p, store_stmt *st, int i, size_t *len)
{
    size_t n;
    const uint8_t *v = col_bytes(st, i, &n);
    uint8_t *b = tc_pool_alloc(p, n + 1);
    if (n)
        memcpy(b, v, n);
    b[n] = 0;
    *len = n;
    return b;
}

/* Rows the statement changed, read before it is finalised. */
static int64_t stmt_changes(store_stmt *st)
{
    return st->pg ? store_pg_changes(st->pg) : sqlite3_changes(st->c->lite);
}

/* Run a statement that returns no rows. */
int store_q_done(store_stmt *st, tc_err *e)
{
    if (!st)
        return -1;
    int rc = store_step(st, e);
    store_finalize(st);
    return rc < -1 ? store_refused(e, rc, "statement") : rc < 0 ? -1 : 0;
}

/* Grow a pool-allocated array by doubling (the old copy stays in the pool
 * until it is cleared; lists are short-lived and small). */
void *store_grow(tc_pool *p, void *arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 16;
    void *nw = tc_pool_alloc(p, *cap * elem);
    if (n)
        memcpy(nw, arr, n * elem);
    return nw;
}

/* Step a prepared SELECT to its end, reading each row with read() into a
 * pool array of elem-sized items.  Finalises st; a failing step is an error,
 * never a silently short list. */

int store_list_q(store_stmt *st, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n,
                 tc_err *e)
{
    *out = NULL;
    *n = 0;
    if (!st)
        return -1;
    size_t cap = 0;
    int r;
    while ((r = store_step(st, e)) == 1) {
        *out = store_grow(p, *out, *n, &cap, elem);
        read(p, st, (char *)*out + elem * (*n)++);
    }
    store_finalize(st);
    return r == 0 ? 0 : r < -1 ? store_refused(e, r, "select list") : -1;
}

void store_cols(tc_pool *p, store_stmt *st, int first, const char *fmt, ...)
{
    /* a reader longer than its column list: the two drifted apart */
    assert(first + (int)strlen(fmt) <= store_col_count(st));
    va_list ap;
    va_start(ap, fmt);
    for (int i = first; *fmt; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            *va_arg(ap, int64_t *) = store_col_int(st, i);
            break;
        case 'n':
            *va_arg(ap, int *) = (int)store_col_int(st, i);
            break;
        case 's':
            *va_arg(ap, const char **) = store_col_str(p, st, i);
            break;
        case 'h':
            store_col_hash(st, i, va_arg(ap, uint8_t *));
            break;
        case 'b':
        case 'B': {
            const uint8_t **v = va_arg(ap, const uint8_t **);
            size_t *len = va_arg(ap, size_t *);
            *v = store_col_blob(p, st, i, len);
            if (*fmt == 'B' && !*len)
                *v = NULL;
            break;
        }
        default:
            abort(); /* a programming error in a reader, not input */
        }
    }
    va_end(ap);
}

void store_read_text(tc_pool *p, store_stmt *st, void *out)
{
    *(const char **)out = store_col_str(p, st, 0);
}

void store_read_int(tc_pool *p, store_stmt *st, void *out)
{
    (void)p;
    *(int64_t *)out = store_col_int(st, 0);
}

/* The id of the row the last INSERT on db made: SQLite's rowid; on
 * PostgreSQL the value the identity column's sequence last gave in this
 * session (lastval()), the same row since a connection runs one statement
 * at a time and no trigger inserts elsewhere. */
static int64_t last_id(store_conn *db)
{
    if (db->kind == STORE_SQLITE)
        return sqlite3_last_insert_rowid(db->lite);
    int64_t id = 0;
    store_stmt *st = store_q_prepare(db, NULL, "SELECT lastval()", "");
    if (st && store_step(st, NULL) == 1)
        id = store_col_int(st, 0);
    store_finalize(st);
    return id;
}

int64_t store_q_write(store_stmt *st, int64_t *id, tc_err *e)
{
    if (!st)
        return -1;
    store_conn *db = st->c;
    int r = store_step(st, e);
    int64_t rc = r >= 0 ? stmt_changes(st) : r;
    store_finalize(st);
    if (id && rc > 0)
        *id = last_id(db);
    return rc;
}

int store_refused(tc_err *e, int64_t refusal, const char *what)
{
    return tc_err_internal(e, "%s: refused by a %s constraint", what,
                           refusal == STORE_UNIQUE ? "unique" : refusal == STORE_FKEY ? "foreign key" : "check");
}

int store_refused_by(store_conn *db, const char *column)
{
    /* SQLite names the columns in its message ("UNIQUE constraint failed:
     * student.chsi_hash"), the PostgreSQL driver the key of the detail
     * ("Key (batch_id, chsi_hash)") and the constraint's name */
    return strstr(db->refused, column) != NULL;
}

/* ---- one row ------------------------------------------------------------------------------------------- */

int store_q_ints(store_stmt *st, int64_t *out, int n, tc_err *e)
{
    for (int i = 0; i < n; i++)
        out[i] = 0;
    if (!st)
        return -1;
    int rc = store_step(st, e);
    if (rc == 1)
        for (int i = 0; i < n; i++)
            out[i] = store_col_int(st, i);
    store_finalize(st);
    return rc == 1 || rc == 0 ? 0 : rc < -1 ? store_refused(e, rc, "step") : -1;
}

int store_q_int(store_stmt *st, int64_t *out, tc_err *e)
{
    return store_q_ints(st, out, 1, e);
}

int64_t store_q_changes(store_stmt *st, tc_err *e)
{
    if (!st)
        return -1;
    int r = store_step(st, e);
    int64_t n = r >= 0 ? stmt_changes(st) : r < -1 ? store_refused(e, r, "statement") : -1;
    store_finalize(st);
    return n;
}

int store_q_row(store_stmt *st, tc_pool *p, row_reader read, void *out, tc_err *e)
{
    if (!st)
        return -1;
    int r = store_step(st, e), rc;
    if (r == 1) {
        read(p, st, out);
        rc = 0;
    } else if (r == 0)
        rc = 1;
    else
        rc = r < -1 ? store_refused(e, r, "select row") : -1;
    store_finalize(st);
    return rc;
}

/* ---- one statement on a connection of the pool ----------------------------------------------------------- */

/* The statement of sql with the arguments after fmt (consumed by the
 * prepare) on the connection db, and `call` on it into rc: the body of every
 * one-statement helper, on a held connection or (ONE_STATEMENT) one of the
 * pool's. */
#define STATEMENT_ON_DB(type, call)                                                                               \
    va_list ap;                                                                                                   \
    va_start(ap, fmt);                                                                                            \
    store_stmt *st = store_q_vprepare(db, e, sql, fmt, ap);                                                        \
    va_end(ap);                                                                                                   \
    type rc = (call)

#define ONE_STATEMENT(type, call)                                                                                 \
    store_conn *db = store_acquire(s);                                                                            \
    STATEMENT_ON_DB(type, call);                                                                                  \
    store_release(s, db);                                                                                         \
    return rc

int64_t store_run_changes(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int64_t, store_q_changes(st, e));
}

int64_t store_write(tc_store *s, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int64_t, store_q_write(st, id, e));
}

int store_run(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_done(st, e));
}

int store_get(tc_store *s, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_row(st, p, read, out, e));
}

int store_get_ints(tc_store *s, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_ints(st, out, n, e));
}

int store_list(tc_store *s, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
               const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_list_q(st, p, elem, read, out, n, e));
}

/* ---- one statement on a connection already held ------------------------------------------------------------ */

int store_db_run(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_q_done(st, e));
    return rc;
}

int64_t store_db_changes(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_changes(st, e));
    return rc;
}

int64_t store_db_write(store_conn *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_write(st, id, e));
    return rc;
}

int store_db_insert(store_conn *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_write(st, id, e));
    return rc >= 0 ? 0 : rc == -1 ? -1 : store_refused(e, rc, "insert");
}

int store_db_get(store_conn *db, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt,
                 ...)
{
    STATEMENT_ON_DB(int, store_q_row(st, p, read, out, e));
    return rc;
}

int store_db_ints(store_conn *db, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_q_ints(st, out, n, e));
    return rc;
}

int store_db_list(store_conn *db, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
                  const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_list_q(st, p, elem, read, out, n, e));
    return rc;
}
