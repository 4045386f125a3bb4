/*
 * Inside tc_store: the PostgreSQL driver (libpq), the first half of the
 * second backend of issue 18.  Not part of the module's interface: only the
 * .c files of src/store include it.
 *
 * It offers the same primitives the SQLite half of store_int.h gives the
 * domain files — a pool of connections, transactions, statements prepared
 * with the same tiny argument format ('i' int64_t, 's' text or NULL, 'b'
 * pointer + size_t, 'h' 32-byte hash, 'H' a hash or NULL when all zeros), rows stepped one at a time, columns
 * read as integers, text or bytes, writes refused by a named constraint —
 * so that the domain files can run their SQL on either backend once they are
 * written on the neutral names (docs/ARCHITECTURE.md, "The store").
 *
 * SQL reaches it in the SQLite spelling the domain files use: '?' for each
 * argument, in order.  The driver numbers them ($1, $2, ...) once per text
 * and prepares each text once per connection (libpq's named prepared
 * statements), so a hot statement is parsed and planned once.
 *
 * Transactions keep SQLite's BEGIN IMMEDIATE meaning: one writing
 * transaction at a time in the whole cluster (a transaction-scoped advisory
 * lock taken right after BEGIN), so every "re-check the state, then write"
 * rule of the domain files holds unchanged under READ COMMITTED on any
 * number of nodes.  Waiting for it is bounded like SQLite's busy handler:
 * past STORE_BUSY_MS the caller gets store.busy (503, nothing done).
 */
#ifndef TC_STORE_PG_H
#define TC_STORE_PG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

typedef struct store_pg_pool store_pg_pool;
typedef struct store_pg_conn store_pg_conn;
typedef struct store_pg_stmt store_pg_stmt;

enum {
    /* statements kept prepared per connection; past it, a statement is
     * prepared unnamed (planned at every run) instead of growing the cache */
    STORE_PG_STMT_CACHE = 512,
    /* the longest SQL text the driver numbers (a programming limit: every
     * statement is a literal in src/store) */
    STORE_PG_SQL_MAX = 16384,
    /* how many '?' one statement may carry */
    STORE_PG_ARGS_MAX = 64,
};

/* Connect n connections (1..64) to url (postgres:// or postgresql://, libpq's
 * URI syntax; the password is never put into a message or a log line).  The
 * caller owns *out (store_pg_close). */
int store_pg_open(const char *url, int n, store_pg_pool **out, tc_err *e);
void store_pg_close(store_pg_pool *pool);

/* A connection of the pool, held until store_pg_release; waits when all are
 * in use.  A connection found broken is reset before it is handed out. */
store_pg_conn *store_pg_acquire(store_pg_pool *pool);
void store_pg_release(store_pg_pool *pool, store_pg_conn *c);

/* Connect again if the server dropped c (a restart, a failover); its
 * prepared statements are made afresh. */
void store_pg_check(store_pg_conn *c);
/* Roll back a transaction left open on c (before it is handed on). */
void store_pg_idle(store_pg_conn *c);

/* The listening side of NOTIFY: wait up to timeout_ms for the server to send
 * something on c (a connection that ran LISTEN), then call fn(ctx, channel,
 * payload) for every notification that arrived.  0 (also when nothing came),
 * or -1 when the connection broke: store_pg_check, then LISTEN again. */
typedef void (*store_pg_notify_fn)(void *ctx, const char *channel, const char *payload);
int store_pg_wait_notifies(store_pg_conn *c, int timeout_ms, store_pg_notify_fn fn, void *ctx);

/* Run SQL text without arguments or results (several statements allowed). */
int store_pg_exec(store_pg_conn *c, const char *sql, tc_err *e);

/* BEGIN and the cluster's writer lock (see above); store.busy after
 * STORE_BUSY_MS of waiting. */
int store_pg_tx_begin(store_pg_conn *c, tc_err *e);
/* ok == 0: COMMIT (0, or -1 with e set); otherwise ROLLBACK and -1, e keeping
 * the error that made ok fail. */
int store_pg_tx_end(store_pg_conn *c, int ok, tc_err *e);

/* Prepare sql ('?' arguments) and bind the arguments fmt names.  Runs
 * nothing yet: the first store_pg_step does.  NULL with e set on failure.
 * The statement belongs to the caller until store_pg_finalize, and to c's
 * holder: it must be finalised before c is released. */
store_pg_stmt *store_pg_prepare(store_pg_conn *c, tc_err *e, const char *sql, const char *fmt, ...);
store_pg_stmt *store_pg_vprepare(store_pg_conn *c, tc_err *e, const char *sql, const char *fmt, va_list ap);

/* The next row: 1 (a row is current), 0 (no more rows: the statement is
 * done), a refusal by a constraint (STORE_UNIQUE, STORE_FKEY or STORE_CHECK
 * of store_int.h, e untouched), or -1 with e set. */
int store_pg_step(store_pg_stmt *st, tc_err *e);

/* Columns of the current row.  NULL reads as 0 / "" / empty; a boolean as
 * 1 or 0.  Text and bytes stay valid until the next step or the finalise. */
int store_pg_col_null(store_pg_stmt *st, int i);
int64_t store_pg_col_int(store_pg_stmt *st, int i);
const char *store_pg_col_text(store_pg_stmt *st, int i);
const uint8_t *store_pg_col_blob(store_pg_stmt *st, int i, size_t *len);
int store_pg_col_count(store_pg_stmt *st);

/* After a step refused by a constraint: which one, for store_refused_by
 * (the key columns of PostgreSQL's detail and the constraint's name; never
 * the values) into out. */
void store_pg_refusal(store_pg_stmt *st, char *out, size_t cap);

/* Rows the statement inserted, updated or deleted (after its first step). */
int64_t store_pg_changes(store_pg_stmt *st);

void store_pg_finalize(store_pg_stmt *st);

/* ---- the schema (tc_store_pg_migrate.c) ---- */

/* The version a new PostgreSQL database starts at (written out whole). */
enum { STORE_PG_BASELINE = 13 };

/* Bring the database to version latest (-1: the newest this program knows,
 * which is always tc_store_schema_latest()), each version in its own
 * transaction; nodes starting at once take turns. */
int store_pg_migrate(store_pg_conn *c, int latest, tc_err *e);
/* The recorded version (0: none yet), -1 on error with e set. */
int store_pg_schema_version(store_pg_conn *c, tc_err *e);
int store_pg_schema_latest(void);

/* The text with '?' numbered as $1..$n into out (size cap; SQLite's ?NNN
 * becomes $NNN), quoted strings, quoted names and comments left alone: the
 * number of arguments (the highest number used), or -1 when
 * out is too small or the count passes STORE_PG_ARGS_MAX.  Exposed for its
 * unit test. */
int store_pg_number_args(const char *sql, char *out, size_t cap);

/* url with its password replaced by "***", for messages (into out, cap). */
void store_pg_redact(const char *url, char *out, size_t cap);

#endif
