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

#include "store_int.h"

int store_db_err(tc_err *e, sqlite3 *db, const char *what)
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
    if (store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", e) != 0) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

tc_store *tc_store_open(const char *path, tc_err *e)
{
    tc_store *s = calloc(1, sizeof *s);
    if (!s) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        if (store_open_conn(path, 1, &s->conns[i], e) != 0 || (i == 0 && store_migrate(s->conns[0], -1, e) != 0)) {
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
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        sqlite3_close(s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

sqlite3 *store_acquire(tc_store *s)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (int i = 0; i < STORE_POOL_SIZE; i++)
            if (!s->busy[i]) {
                s->busy[i] = 1;
                pthread_mutex_unlock(&s->mu);
                return s->conns[i];
            }
        pthread_cond_wait(&s->cv, &s->mu);
    }
}

void store_release(tc_store *s, sqlite3 *db)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        if (s->conns[i] == db)
            s->busy[i] = 0;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- transactions ---------------------------------------------------------------------------------------- */

int store_exec(sqlite3 *db, const char *sql, tc_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        tc_err_internal(e, "sqlite: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_tx_begin(sqlite3 *db, tc_err *e)
{
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    /* the busy handler waited STORE_BUSY_MS for the other writer: a person
     * may try again, nothing was done */
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return tc_err_set(e, TCE_STORE_BUSY);
    return store_db_err(e, db, "begin");
}

int store_tx_end(sqlite3 *db, int ok, tc_err *e)
{
    if (ok == 0) {
        if (store_exec(db, "COMMIT", e) == 0)
            return 0;
        /* a failed COMMIT may leave the transaction open: never hand such a
         * connection back to the pool */
        if (sqlite3_get_autocommit(db))
            return -1;
        e = NULL; /* keep COMMIT's message */
    }
    store_exec(db, "ROLLBACK", NULL);
    return -1;
}

sqlite3 *store_tx_open(tc_store *s, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    if (store_tx_begin(db, e) == 0)
        return db;
    store_release(s, db);
    return NULL;
}

int store_tx_close(tc_store *s, sqlite3 *db, int ok, tc_err *e)
{
    int rc = store_tx_end(db, ok, e);
    store_release(s, db);
    return rc;
}

/* ---- statement helpers ------------------------------------------------------------
 * q_prepare binds arguments from a tiny format string: 'i' int64, 's' text
 * (NULL binds NULL), 'b' blob (pointer + size_t length), 'h' 32-byte hash. */

sqlite3_stmt *store_q_vprepare(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_db_err(e, db, "prepare");
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
            sqlite3_bind_blob(st, i, va_arg(ap, const uint8_t *), 32, SQLITE_TRANSIENT);
            break;
        default:
            abort(); /* a programming error in this file, not input */
        }
    }
    return st;
}

sqlite3_stmt *store_q_prepare(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = store_q_vprepare(db, e, sql, fmt, ap);
    va_end(ap);
    return st;
}

const char *store_col_str(tc_pool *p, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return tc_pool_strdup(p, t ? (const char *)t : "");
}

void store_col_hash(sqlite3_stmt *st, int i, uint8_t out[32])
{
    const void *b = sqlite3_column_blob(st, i);
    if (b && sqlite3_column_bytes(st, i) == 32)
        memcpy(out, b, 32);
    else
        memset(out, 0, 32);
}

const uint8_t *store_col_blob(tc_pool *p, sqlite3_stmt *st, int i, size_t *len)
{
    int n = sqlite3_column_bytes(st, i);
    uint8_t *b = tc_pool_alloc(p, (size_t)n + 1);
    if (n)
        memcpy(b, sqlite3_column_blob(st, i), (size_t)n);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

/* Run a statement that returns no rows. */
int store_q_done(sqlite3 *db, sqlite3_stmt *st, tc_err *e)
{
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_db_err(e, db, "step");
    return 0;
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

int store_list_q(sqlite3 *db, sqlite3_stmt *st, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n,
                  tc_err *e)
{
    *out = NULL;
    *n = 0;
    if (!st)
        return -1;
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        *out = store_grow(p, *out, *n, &cap, elem);
        read(p, st, (char *)*out + elem * (*n)++);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : store_db_err(e, db, "select list");
}


void store_cols(tc_pool *p, sqlite3_stmt *st, int first, const char *fmt, ...)
{
    /* a reader longer than its column list: the two drifted apart */
    assert(first + (int)strlen(fmt) <= sqlite3_column_count(st));
    va_list ap;
    va_start(ap, fmt);
    for (int i = first; *fmt; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            *va_arg(ap, int64_t *) = sqlite3_column_int64(st, i);
            break;
        case 'n':
            *va_arg(ap, int *) = sqlite3_column_int(st, i);
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

void store_read_text(tc_pool *p, sqlite3_stmt *st, void *out)
{
    *(const char **)out = store_col_str(p, st, 0);
}

void store_read_int(tc_pool *p, sqlite3_stmt *st, void *out)
{
    (void)p;
    *(int64_t *)out = sqlite3_column_int64(st, 0);
}

int64_t store_q_write(sqlite3 *db, sqlite3_stmt *st, int64_t *id, tc_err *e)
{
    if (!st)
        return -1;
    int r = sqlite3_step(st);
    int64_t rc;
    if (r == SQLITE_DONE || r == SQLITE_ROW) {
        rc = sqlite3_changes(db);
        if (id)
            *id = sqlite3_last_insert_rowid(db);
    } else {
        switch (sqlite3_extended_errcode(db)) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            rc = STORE_UNIQUE;
            break;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            rc = STORE_FKEY;
            break;
        case SQLITE_CONSTRAINT_CHECK:
            rc = STORE_CHECK;
            break;
        default:
            rc = store_db_err(e, db, "write");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int store_refused(tc_err *e, int64_t refusal, const char *what)
{
    return tc_err_internal(e, "%s: refused by a %s constraint", what,
                           refusal == STORE_UNIQUE ? "unique" : refusal == STORE_FKEY ? "foreign key" : "check");
}

int store_refused_by(sqlite3 *db, const char *column)
{
    /* SQLite names the index's columns in its message: "UNIQUE constraint
     * failed: student.chsi_hash" */
    return strstr(sqlite3_errmsg(db), column) != NULL;
}

/* ---- one row ------------------------------------------------------------------------------------------- */

int store_q_ints(sqlite3 *db, sqlite3_stmt *st, int64_t *out, int n, tc_err *e)
{
    for (int i = 0; i < n; i++)
        out[i] = 0;
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        for (int i = 0; i < n; i++)
            out[i] = sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_err(e, db, "step");
}

int store_q_int(sqlite3 *db, sqlite3_stmt *st, int64_t *out, tc_err *e)
{
    return store_q_ints(db, st, out, 1, e);
}

int64_t store_q_changes(sqlite3 *db, sqlite3_stmt *st, tc_err *e)
{
    if (store_q_done(db, st, e) != 0)
        return -1;
    return sqlite3_changes(db);
}

int store_q_row(sqlite3 *db, sqlite3_stmt *st, tc_pool *p, row_reader read, void *out, tc_err *e)
{
    if (!st)
        return -1;
    int r = sqlite3_step(st), rc;
    if (r == SQLITE_ROW) {
        read(p, st, out);
        rc = 0;
    } else if (r == SQLITE_DONE)
        rc = 1;
    else
        rc = store_db_err(e, db, "select row");
    sqlite3_finalize(st);
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
    sqlite3_stmt *st = store_q_vprepare(db, e, sql, fmt, ap);                                                     \
    va_end(ap);                                                                                                   \
    type rc = (call)

#define ONE_STATEMENT(type, call)                                                                                 \
    sqlite3 *db = store_acquire(s);                                                                               \
    STATEMENT_ON_DB(type, call);                                                                                  \
    store_release(s, db);                                                                                         \
    return rc

int64_t store_run_changes(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int64_t, store_q_changes(db, st, e));
}

int64_t store_write(tc_store *s, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int64_t, store_q_write(db, st, id, e));
}

int store_run(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_done(db, st, e));
}

int store_get(tc_store *s, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_row(db, st, p, read, out, e));
}

int store_get_ints(tc_store *s, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_q_ints(db, st, out, n, e));
}

int store_list(tc_store *s, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
               const char *sql, const char *fmt, ...)
{
    ONE_STATEMENT(int, store_list_q(db, st, p, elem, read, out, n, e));
}

/* ---- one statement on a connection already held ------------------------------------------------------------ */

int store_db_run(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_q_done(db, st, e));
    return rc;
}

int64_t store_db_changes(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_changes(db, st, e));
    return rc;
}

int64_t store_db_write(sqlite3 *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_write(db, st, id, e));
    return rc;
}

int store_db_insert(sqlite3 *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int64_t, store_q_write(db, st, id, e));
    return rc >= 0 ? 0 : rc == -1 ? -1 : store_refused(e, rc, "insert");
}

int store_db_get(sqlite3 *db, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt,
                 ...)
{
    STATEMENT_ON_DB(int, store_q_row(db, st, p, read, out, e));
    return rc;
}

int store_db_ints(sqlite3 *db, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_q_ints(db, st, out, n, e));
    return rc;
}

int store_db_list(sqlite3 *db, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
                  const char *sql, const char *fmt, ...)
{
    STATEMENT_ON_DB(int, store_list_q(db, st, p, elem, read, out, n, e));
    return rc;
}
