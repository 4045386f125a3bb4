/* tc_store — the PostgreSQL driver: libpq connections in a pool, the
 * cluster-wide writer lock, statements prepared once per connection, rows
 * and columns read the way the SQLite half reads them.  Nothing here knows a
 * table.  The contract is store_pg.h; why the writer lock and not
 * SERIALIZABLE is said there and in docs/ARCHITECTURE.md ("The store"). */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_int.h"
#include "store_pg.h"

/* The advisory lock every writing transaction holds: one number for the
 * whole database ("tc" in ASCII), so writers anywhere in the cluster take
 * turns as SQLite's writers do. */
#define STORE_PG_WRITER_LOCK "29795"

/* PostgreSQL's type numbers for the three kinds of argument (pg_type.oid;
 * fixed since the system catalogs began, listed in pg_type.dat). */
enum { PG_OID_INT8 = 20, PG_OID_TEXT = 25, PG_OID_BYTEA = 17 };

/* One prepared statement of a connection: its text and argument kinds are
 * the key (the same text bound with other kinds is another statement). */
typedef struct pg_cached {
    char *sql;         /* owned; NULL: free slot */
    char fmt[STORE_PG_ARGS_MAX + 1];
    char name[16];     /* "s<n>" */
    int nargs;
} pg_cached;

struct store_pg_conn {
    PGconn *pg;
    pg_cached cache[STORE_PG_STMT_CACHE]; /* open addressing on the key's hash */
    int ncached;
    unsigned next_name;
    /* the server answered "read only" (a primary turned standby after a
     * switchover): connect again, to whichever host is the primary now */
    int stale;
};

struct store_pg_pool {
    int n;
    store_pg_conn *conns; /* n of them, owned */
    int *busy;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct store_pg_stmt {
    store_pg_conn *c;
    const pg_cached *prep; /* NULL: run unnamed with text */
    char *text;            /* owned: the numbered text when unnamed */
    int nargs;
    Oid types[STORE_PG_ARGS_MAX];
    char *values[STORE_PG_ARGS_MAX]; /* owned copies */
    int lengths[STORE_PG_ARGS_MAX];
    int formats[STORE_PG_ARGS_MAX];
    PGresult *res;
    int row, nrows, ran;
    int64_t changes;
    uint8_t **blobs; /* per column, decoded bytea of the current row (owned) */
    int ncols;
};

/* ---- messages --------------------------------------------------------------------------------------------- */

void store_pg_redact(const char *url, char *out, size_t cap)
{
    if (cap == 0)
        return;
    const char *auth = strstr(url, "://");
    const char *at = auth ? strchr(auth + 3, '@') : NULL;
    const char *colon = auth ? strchr(auth + 3, ':') : NULL;
    /* a password is between the user's ':' and the '@' of the authority */
    if (auth && at && colon && colon < at && !memchr(auth + 3, '/', (size_t)(at - auth - 3)))
        snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
}

/* The first line of libpq's message (its messages carry newlines and a
 * caret under the statement; the first line says what went wrong). */
static void pg_first_line(char *line, size_t cap, const char *msg)
{
    snprintf(line, cap, "%s", msg && *msg ? msg : "no message from the server");
    line[strcspn(line, "\n")] = 0;
}

/* libpq's message as a one-line internal error. */
static int pg_fail(tc_err *e, const char *what, const char *msg)
{
    char line[400];
    pg_first_line(line, sizeof line, msg);
    return tc_err_internal(e, "postgres %s: %s", what, line);
}

/* Whether a failure means "no primary to talk to": the connection is gone
 * (a crash, a network cut: libpq then has no SQLSTATE), the server is
 * shutting down or starting (57P01-57P03), or it is read-only now (25006: a
 * standby after a switchover).  During a failover nothing a client can do
 * but try again shortly, so it is 503 store.unavailable, not an internal
 * error. */
static int pg_lost(store_pg_conn *c, const char *state)
{
    if (PQstatus(c->pg) != CONNECTION_OK)
        return 1;
    if (!state)
        return 0;
    if (!strcmp(state, "25006")) {
        c->stale = 1;
        return 1;
    }
    return !strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
           !strcmp(state, "57P03");
}

/* A failed result's SQLSTATE as one of the driver's answers: a named
 * refusal, store.busy for "waited too long / chosen as a deadlock victim",
 * store.unavailable for a lost primary (pg_lost), or -1 with PostgreSQL's
 * message.  r may be NULL (libpq could not even make a result). */
static int pg_result_err(store_pg_conn *c, const PGresult *r, tc_err *e, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state) {
        if (!strcmp(state, "23505"))
            return STORE_UNIQUE;
        if (!strcmp(state, "23503"))
            return STORE_FKEY;
        if (!strcmp(state, "23514"))
            return STORE_CHECK;
        /* lock_not_available (lock_timeout), deadlock_detected,
         * serialization_failure: nothing was done, the person may retry */
        if (!strcmp(state, "55P03") || !strcmp(state, "40P01") || !strcmp(state, "40001"))
            return tc_err_set(e, TCE_STORE_BUSY);
    }
    if (pg_lost(c, state)) {
        char line[400];
        pg_first_line(line, sizeof line, r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
        tc_log(TC_LOG_WARN, "store: postgres %s: the primary cannot be reached: %s", what, line);
        return tc_err_set(e, TCE_STORE_UNAVAILABLE);
    }
    return pg_fail(e, what, r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
}

/* ---- numbering the arguments ------------------------------------------------------------------------------ */

int store_pg_number_args(const char *sql, char *out, size_t cap)
{
    size_t o = 0;
    int n = 0;
    /* what the scanner is inside: code, a 'string', a "name", a -- line
     * comment, a block comment */
    enum { CODE, STR, NAME, LINE, BLOCK } in = CODE;
    const char *block_at = sql;
    for (const char *p = sql; *p; p++) {
        char ch = *p;
        char num[16];
        const char *emit = NULL;
        switch (in) {
        case CODE:
            if (ch == '\'')
                in = STR;
            else if (ch == '"')
                in = NAME;
            else if (ch == '-' && p[1] == '-')
                in = LINE;
            else if (ch == '/' && p[1] == '*') {
                in = BLOCK;
                block_at = p;
            }
            else if (ch == '?' && p[1] >= '1' && p[1] <= '9') {
                /* SQLite's ?NNN names an argument by number (used where one
                 * argument appears twice): PostgreSQL's $NNN is the same */
                char *end;
                long k = strtol(p + 1, &end, 10);
                if (k > STORE_PG_ARGS_MAX)
                    return -1;
                if (k > n)
                    n = (int)k;
                snprintf(num, sizeof num, "$%d", (int)k);
                emit = num;
                p = end - 1;
            } else if (ch == '?') {
                if (++n > STORE_PG_ARGS_MAX)
                    return -1;
                snprintf(num, sizeof num, "$%d", n);
                emit = num;
            }
            break;
        case STR: /* '' inside a string is a quote, and the scanner sees it
                   * as the string ending and a new one starting: same result */
            if (ch == '\'')
                in = CODE;
            break;
        case NAME:
            if (ch == '"')
                in = CODE;
            break;
        case LINE:
            if (ch == '\n')
                in = CODE;
            break;
        case BLOCK: /* ends at a star and a slash, the star not the opening one */
            if (ch == '/' && p[-1] == '*' && p - 1 > block_at + 1)
                in = CODE;
            break;
        }
        size_t len = emit ? strlen(emit) : 1;
        if (o + len >= cap)
            return -1;
        memcpy(out + o, emit ? emit : &ch, len);
        o += len;
    }
    out[o] = 0;
    return n;
}

/* ---- connections and the pool ------------------------------------------------------------------------------ */

static void conn_forget_statements(store_pg_conn *c)
{
    for (int i = 0; i < STORE_PG_STMT_CACHE; i++) {
        free(c->cache[i].sql);
        c->cache[i].sql = NULL;
    }
    c->ncached = 0;
}

/* Settings every connection starts with: UTF-8 both ways (the store's text
 * is UTF-8), and the writer lock's wait bounded like SQLite's busy handler. */
static int conn_setup(store_pg_conn *c, tc_err *e)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SET lock_timeout = %d; SET application_name = 'tucai';"
             " SET client_min_messages = warning",
             STORE_BUSY_MS);
    return store_pg_exec(c, sql, e);
}

int store_pg_open(const char *url, int n, store_pg_pool **out, tc_err *e)
{
    *out = NULL;
    char shown[512];
    store_pg_redact(url, shown, sizeof shown);
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0)
        return tc_err_set(e, TCE_STORE_OPEN, shown, "not a postgres:// URL");
    assert(n >= 1 && n <= 64);
    store_pg_pool *pool = calloc(1, sizeof *pool);
    if (!pool || !(pool->conns = calloc((size_t)n, sizeof *pool->conns)) ||
        !(pool->busy = calloc((size_t)n, sizeof *pool->busy))) {
        if (pool)
            free(pool->conns);
        free(pool);
        return tc_err_internal(e, "out of memory");
    }
    pool->n = n;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    for (int i = 0; i < n; i++) {
        store_pg_conn *c = &pool->conns[i];
        c->pg = PQconnectdb(url);
        if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
            /* libpq's connection messages name host and port, never the
             * password */
            char msg[300];
            const char *m = c->pg ? PQerrorMessage(c->pg) : "out of memory";
            snprintf(msg, sizeof msg, "%s", m);
            msg[strcspn(msg, "\n")] = 0;
            tc_err_set(e, TCE_STORE_OPEN, shown, msg);
            store_pg_close(pool);
            return -1;
        }
        if (conn_setup(c, e) != 0) {
            store_pg_close(pool);
            return -1;
        }
    }
    *out = pool;
    return 0;
}

void store_pg_close(store_pg_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->n; i++) {
        conn_forget_statements(&pool->conns[i]);
        if (pool->conns[i].pg)
            PQfinish(pool->conns[i].pg);
    }
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->conns);
    free(pool->busy);
    free(pool);
}

void store_pg_check(store_pg_conn *c)
{
    /* a server restart or a dropped link: connect again (its prepared
     * statements died with the old session); a failure shows at the next
     * statement (store.unavailable while no primary answers).  libpq learns
     * that an idle connection was closed only when it reads: a server that
     * went away (or said FATAL and hung up) has left the socket readable,
     * so look without waiting before the connection is used, rather than
     * fail the request that happens to pick it up. */
    for (int i = 0; i < 4 && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE; i++) {
        /* the server's FATAL message, then the end of the stream: a read
         * that meets the end fails and sets CONNECTION_BAD */
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0 || !PQconsumeInput(c->pg))
            break;
    }
    if (PQstatus(c->pg) != CONNECTION_OK || c->stale) {
        c->stale = 0;
        conn_forget_statements(c);
        PQreset(c->pg);
        if (PQstatus(c->pg) == CONNECTION_OK)
            conn_setup(c, NULL);
    }
}

void store_pg_idle(store_pg_conn *c)
{
    /* never hand on a connection inside a transaction (a caller's bug or a
     * failed COMMIT): end it here */
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE && PQstatus(c->pg) == CONNECTION_OK)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

store_pg_conn *store_pg_acquire(store_pg_pool *pool)
{
    store_pg_conn *c = NULL;
    pthread_mutex_lock(&pool->mu);
    while (!c) {
        for (int i = 0; i < pool->n && !c; i++)
            if (!pool->busy[i]) {
                pool->busy[i] = 1;
                c = &pool->conns[i];
            }
        if (!c)
            pthread_cond_wait(&pool->cv, &pool->mu);
    }
    pthread_mutex_unlock(&pool->mu);
    store_pg_check(c);
    return c;
}

void store_pg_release(store_pg_pool *pool, store_pg_conn *c)
{
    store_pg_idle(c);
    pthread_mutex_lock(&pool->mu);
    pool->busy[c - pool->conns] = 0;
    pthread_cond_signal(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
}

/* ---- notifications (the listening connection of tc_store_listen) ------------------------------------------- */

/* Hand every notification libpq has read to fn. */
static void pg_drain(store_pg_conn *c, store_pg_notify_fn fn, void *ctx)
{
    PGnotify *n;
    while ((n = PQnotifies(c->pg)) != NULL) {
        fn(ctx, n->relname, n->extra ? n->extra : "");
        PQfreemem(n);
    }
}

int store_pg_wait_notifies(store_pg_conn *c, int timeout_ms, store_pg_notify_fn fn, void *ctx)
{
    if (PQstatus(c->pg) != CONNECTION_OK)
        return -1;
    /* what a LISTEN or an earlier read left queued first: poll would not
     * see it (it is no longer on the socket) */
    pg_drain(c, fn, ctx);
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (pfd.fd < 0)
        return -1;
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0)
        return 0; /* EINTR: the caller comes back */
    if (r == 0)
        return 0;
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
        return -1;
    pg_drain(c, fn, ctx);
    return 0;
}

/* ---- plain SQL and transactions ---------------------------------------------------------------------------- */

int store_pg_exec(store_pg_conn *c, const char *sql, tc_err *e)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        rc = pg_result_err(c, r, e, "exec");
    PQclear(r);
    return rc < 0 && rc != -1 ? store_refused(e, rc, "exec") : rc;
}

int store_pg_tx_begin(store_pg_conn *c, tc_err *e)
{
    if (store_pg_exec(c, "BEGIN", e) != 0)
        return -1;
    if (store_pg_exec(c, "SELECT pg_advisory_xact_lock(" STORE_PG_WRITER_LOCK ")", e) != 0) {
        PQclear(PQexec(c->pg, "ROLLBACK"));
        return -1;
    }
    return 0;
}

int store_pg_tx_end(store_pg_conn *c, int ok, tc_err *e)
{
    if (ok == 0) {
        PGresult *r = PQexec(c->pg, "COMMIT");
        /* COMMIT of a transaction an error had aborted answers "ROLLBACK":
         * that is a failure, not a commit */
        int done = r && PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT");
        if (!done && r && PQresultStatus(r) == PGRES_COMMAND_OK)
            pg_fail(e, "commit", "the transaction had failed: rolled back");
        else if (!done)
            pg_result_err(c, r, e, "commit");
        PQclear(r);
        if (done)
            return 0;
    }
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
    return -1;
}

/* ---- statements ------------------------------------------------------------------------------------------------ */

static uint64_t key_hash(const char *sql, const char *fmt)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    h = (h ^ 0xff) * 1099511628211u;
    for (const char *p = fmt; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The text numbered into a new buffer (the caller frees it); NULL with e
 * set when it does not fit or its '?' do not match fmt. */
static char *number_text(const char *sql, int nargs, tc_err *e)
{
    char *out = malloc(STORE_PG_SQL_MAX);
    if (!out) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    int n = store_pg_number_args(sql, out, STORE_PG_SQL_MAX);
    /* every argument the text names must be bound: a programming error,
     * never input.  An argument bound and not named is allowed, as SQLite
     * allows it (a filter that leaves a condition out): its type is given
     * with the others, so PostgreSQL accepts it too. */
    assert(n >= 0 && n <= nargs);
    if (n < 0 || n > nargs) {
        free(out);
        tc_err_internal(e, "statement text and arguments disagree");
        return NULL;
    }
    return out;
}

/* The connection's prepared statement for (sql, fmt), preparing it on a
 * miss.  NULL with *full set: the cache is full (run unnamed); NULL without:
 * an error, e set. */
static const pg_cached *conn_prepared(store_pg_conn *c, const char *sql, const char *fmt, int nargs,
                                      const Oid *types, int *full, tc_err *e)
{
    *full = 0;
    uint64_t h = key_hash(sql, fmt);
    size_t slot = (size_t)(h % STORE_PG_STMT_CACHE);
    for (int probe = 0; probe < STORE_PG_STMT_CACHE; probe++, slot = (slot + 1) % STORE_PG_STMT_CACHE) {
        pg_cached *k = &c->cache[slot];
        if (!k->sql)
            break;
        if (!strcmp(k->sql, sql) && !strcmp(k->fmt, fmt))
            return k;
    }
    /* keep the table at most three quarters full, so probes stay short */
    if (c->ncached >= STORE_PG_STMT_CACHE * 3 / 4) {
        *full = 1;
        return NULL;
    }
    char *numbered = number_text(sql, nargs, e);
    if (!numbered)
        return NULL;
    pg_cached *k = &c->cache[slot];
    snprintf(k->name, sizeof k->name, "s%u", c->next_name++);
    PGresult *r = PQprepare(c->pg, k->name, numbered, nargs, types);
    free(numbered);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        /* the statement's start in the message: which of the store's
         * literals PostgreSQL refused (no argument values in it) */
        char what[128];
        snprintf(what, sizeof what, "prepare [%.80s]", sql);
        pg_result_err(c, r, e, what);
    }
    PQclear(r);
    if (!ok)
        return NULL;
    if (!(k->sql = strdup(sql))) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    snprintf(k->fmt, sizeof k->fmt, "%s", fmt);
    k->nargs = nargs;
    c->ncached++;
    return k;
}

static void stmt_free_blobs(store_pg_stmt *st)
{
    if (!st->blobs)
        return;
    for (int i = 0; i < st->ncols; i++) {
        free(st->blobs[i]);
        st->blobs[i] = NULL;
    }
}

void store_pg_finalize(store_pg_stmt *st)
{
    if (!st)
        return;
    stmt_free_blobs(st);
    free(st->blobs);
    for (int i = 0; i < st->nargs; i++)
        free(st->values[i]);
    PQclear(st->res);
    free(st->text);
    free(st);
}

/* One argument copied into st (the caller's buffers may change before the
 * statement runs, as SQLite's SQLITE_TRANSIENT allows): text as text, bytes
 * as binary bytea, integers in decimal. */
static int stmt_bind(store_pg_stmt *st, int i, char kind, va_list *ap)
{
    char buf[24];
    const void *v = NULL;
    size_t n = 0;
    switch (kind) {
    case 'i':
        snprintf(buf, sizeof buf, "%lld", (long long)va_arg(*ap, int64_t));
        v = buf;
        n = strlen(buf);
        st->types[i] = PG_OID_INT8;
        break;
    case 's':
        v = va_arg(*ap, const char *);
        n = v ? strlen(v) : 0;
        st->types[i] = PG_OID_TEXT;
        break;
    case 'b':
        v = va_arg(*ap, const void *);
        n = va_arg(*ap, size_t);
        st->types[i] = PG_OID_BYTEA;
        st->formats[i] = 1;
        break;
    case 'h':
    case 'H': {
        const uint8_t *h = va_arg(*ap, const uint8_t *);
        uint8_t any = 0;
        for (int k = 0; k < 32; k++)
            any |= h[k];
        st->types[i] = PG_OID_BYTEA;
        st->formats[i] = 1;
        if (kind == 'H' && !any)
            return 0; /* an absent code: NULL */
        v = h;
        n = 32;
        break;
    }
    default:
        abort(); /* a programming error in a domain file, not input */
    }
    /* a NULL text or a NULL pointer for bytes binds NULL, as SQLite binds
     * them (sqlite3_bind_blob of a NULL pointer is sqlite3_bind_null) */
    if (!v)
        return 0;
    if (n > INT_MAX)
        return -1;
    if (!(st->values[i] = malloc(n + 1)))
        return -1;
    if (n)
        memcpy(st->values[i], v, n);
    st->values[i][n] = 0;
    st->lengths[i] = (int)n;
    return 0;
}

store_pg_stmt *store_pg_vprepare(store_pg_conn *c, tc_err *e, const char *sql, const char *fmt, va_list ap)
{
    if (!fmt)
        fmt = "";
    size_t nfmt = strlen(fmt);
    assert(nfmt <= STORE_PG_ARGS_MAX);
    store_pg_stmt *st = calloc(1, sizeof *st);
    if (!st) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    st->c = c;
    st->row = -1;
    st->nargs = (int)nfmt;
    va_list aq;
    va_copy(aq, ap);
    for (int i = 0; i < st->nargs; i++)
        if (stmt_bind(st, i, fmt[i], &aq) != 0) {
            va_end(aq);
            store_pg_finalize(st);
            tc_err_internal(e, "out of memory");
            return NULL;
        }
    va_end(aq);
    int full;
    st->prep = conn_prepared(c, sql, fmt, st->nargs, st->types, &full, e);
    if (!st->prep && (!full || !(st->text = number_text(sql, st->nargs, e)))) {
        store_pg_finalize(st);
        return NULL;
    }
    return st;
}

store_pg_stmt *store_pg_prepare(store_pg_conn *c, tc_err *e, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_pg_stmt *st = store_pg_vprepare(c, e, sql, fmt, ap);
    va_end(ap);
    return st;
}

/* Run the statement (its first step): every row comes back at once, in
 * text form (libpq's default), read one at a time by later steps. */
static int stmt_run(store_pg_stmt *st, tc_err *e)
{
    st->ran = 1;
    const char *const *vals = (const char *const *)st->values;
    if (st->prep)
        st->res = PQexecPrepared(st->c->pg, st->prep->name, st->nargs, vals, st->lengths, st->formats, 0);
    else
        st->res = PQexecParams(st->c->pg, st->text, st->nargs, st->types, vals, st->lengths, st->formats, 0);
    ExecStatusType s = st->res ? PQresultStatus(st->res) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
        return pg_result_err(st->c, st->res, e, "statement");
    const char *ct = PQcmdTuples(st->res);
    st->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
    st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
    st->ncols = s == PGRES_TUPLES_OK ? PQnfields(st->res) : 0;
    if (st->ncols && !(st->blobs = calloc((size_t)st->ncols, sizeof *st->blobs)))
        return tc_err_internal(e, "out of memory");
    return 0;
}

int store_pg_step(store_pg_stmt *st, tc_err *e)
{
    if (!st->ran) {
        int rc = stmt_run(st, e);
        if (rc != 0)
            return rc;
    }
    stmt_free_blobs(st);
    if (st->row + 1 >= st->nrows) {
        st->row = st->nrows;
        return 0;
    }
    st->row++;
    return 1;
}

int store_pg_col_count(store_pg_stmt *st)
{
    return st->ncols;
}

static int col_ok(const store_pg_stmt *st, int i)
{
    return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < st->ncols;
}

int store_pg_col_null(store_pg_stmt *st, int i)
{
    return !col_ok(st, i) || PQgetisnull(st->res, st->row, i);
}

int64_t store_pg_col_int(store_pg_stmt *st, int i)
{
    if (store_pg_col_null(st, i))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    /* a comparison's boolean reads as SQLite's 1 or 0 */
    if (!strcmp(v, "t"))
        return 1;
    if (!strcmp(v, "f"))
        return 0;
    return strtoll(v, NULL, 10);
}

const char *store_pg_col_text(store_pg_stmt *st, int i)
{
    return store_pg_col_null(st, i) ? "" : PQgetvalue(st->res, st->row, i);
}

const uint8_t *store_pg_col_blob(store_pg_stmt *st, int i, size_t *len)
{
    static const uint8_t empty[1];
    *len = 0;
    if (store_pg_col_null(st, i))
        return empty;
    const char *v = PQgetvalue(st->res, st->row, i);
    size_t n = (size_t)PQgetlength(st->res, st->row, i);
    if (PQftype(st->res, i) != PG_OID_BYTEA || n < 2 || v[0] != '\\' || v[1] != 'x') {
        *len = n; /* not bytes: the text itself, as SQLite's blob of a text */
        return (const uint8_t *)v;
    }
    /* bytea's text output: \x and two hex digits a byte (the server's
     * default bytea_output since 9.0) */
    size_t m = (n - 2) / 2;
    free(st->blobs[i]);
    if (!(st->blobs[i] = malloc(m + 1)))
        return empty;
    for (size_t k = 0; k < m; k++) {
        int hi = tc_hexval(v[2 + 2 * k]), lo = tc_hexval(v[3 + 2 * k]);
        st->blobs[i][k] = (uint8_t)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
    }
    st->blobs[i][m] = 0;
    *len = m;
    return st->blobs[i];
}

void store_pg_refusal(store_pg_stmt *st, char *out, size_t cap)
{
    const char *detail = st->res ? PQresultErrorField(st->res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *name = st->res ? PQresultErrorField(st->res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    /* the detail's key names the columns ("Key (batch_id, chsi_hash)=(...)
     * already exists."): up to the '=', never the values */
    size_t n = detail ? strcspn(detail, "=") : 0;
    snprintf(out, cap, "%.*s %s", (int)(n > 150 ? 150 : n), detail ? detail : "", name ? name : "");
}

int64_t store_pg_changes(store_pg_stmt *st)
{
    return st->changes;
}
