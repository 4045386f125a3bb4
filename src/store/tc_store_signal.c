/* tc_store — between processes: notifications (LISTEN/NOTIFY on
 * PostgreSQL, in-process calls on SQLite) and the periodic jobs' leader
 * (a session advisory lock).  See tc_store.h, "between processes".
 *
 * Why PostgreSQL's own mechanisms: issue 18 asks for no home-made queue or
 * election protocol.  NOTIFY is transactional and reaches every session that
 * LISTENs, on any node; a session-level advisory lock is released by the
 * server the moment its session ends, so a leader that dies (kill -9, a
 * lost link) gives way without any lease of ours to time out. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* The leader lock's key (pg_advisory_lock's one-bigint form), apart from
 * the writer lock (29795) and the migration lock (29805). */
#define STORE_LEAD_LOCK "29815"

void store_signal_init(tc_store *s)
{
    pthread_mutex_init(&s->lmu, NULL);
    pthread_mutex_init(&s->listen_mu, NULL);
    pthread_mutex_init(&s->lead_mu, NULL);
}

/* A channel name is the program's own: [a-z_], 1..32 bytes, so it needs
 * no quoting in LISTEN (a programming error otherwise). */
static int channel_ok(const char *ch)
{
    size_t n = strlen(ch);
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((ch[i] >= 'a' && ch[i] <= 'z') || ch[i] == '_'))
            return 0;
    return 1;
}

/* Call every listener of channel (under lmu: an unlisten waits for it). */
static void dispatch(void *ctx, const char *channel, const char *payload)
{
    tc_store *s = ctx;
    pthread_mutex_lock(&s->lmu);
    for (int i = 0; i < s->nlisteners; i++)
        if (!strcmp(s->listeners[i].channel, channel))
            s->listeners[i].fn(s->listeners[i].ctx, channel, payload);
    pthread_mutex_unlock(&s->lmu);
}

int tc_store_notify(tc_store *s, const char *channel, const char *payload, tc_err *e)
{
    assert(channel_ok(channel));
    if (strlen(payload) > TC_STORE_NOTIFY_MAX)
        return tc_err_internal(e, "a notification longer than TC_STORE_NOTIFY_MAX");
    if (s->kind == STORE_SQLITE) {
        dispatch(s, channel, payload);
        return 0;
    }
    /* outside a transaction: delivered at once */
    return store_run(s, e, "SELECT pg_notify(?, ?)", "ss", channel, payload);
}

/* LISTEN on every channel a listener names (after a reconnect too); under
 * listen_mu.  Listening twice on one channel is a no-op for PostgreSQL. */
static int listen_all(tc_store *s, tc_err *e)
{
    char chans[TC_STORE_LISTENERS][33];
    int n = 0;
    pthread_mutex_lock(&s->lmu);
    for (int i = 0; i < s->nlisteners; i++)
        snprintf(chans[n++], sizeof chans[0], "%s", s->listeners[i].channel);
    pthread_mutex_unlock(&s->lmu);
    for (int i = 0; i < n; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "LISTEN %s", chans[i]);
        if (store_pg_exec(s->listen_conn, sql, e) != 0)
            return -1;
    }
    return 0;
}

static int listen_stopping(tc_store *s)
{
    pthread_mutex_lock(&s->lmu);
    int stop = s->listen_stop;
    pthread_mutex_unlock(&s->lmu);
    return stop;
}

/* The listening thread: read notifications and hand them out; a dropped
 * connection is made again (every second) and LISTENs again.  Between reads
 * it waits at most 250 ms, so tc_store_close stops it quickly. */
static void *listen_main(void *arg)
{
    tc_store *s = arg;
    int broken = 0;
    while (!listen_stopping(s)) {
        pthread_mutex_lock(&s->listen_mu);
        if (broken) {
            store_pg_check(s->listen_conn);
            tc_err e = {0};
            broken = listen_all(s, &e) != 0;
            if (!broken)
                tc_log(TC_LOG_INFO, "store: listening again after a lost connection");
        }
        /* the wait holds listen_mu (a libpq connection is one thread's at
         * a time): a new listener's LISTEN waits at most 250 ms for it */
        if (!broken && store_pg_wait_notifies(s->listen_conn, 250, dispatch, s) != 0) {
            tc_log(TC_LOG_WARN, "store: the listening connection was lost; connecting again");
            broken = 1;
        }
        pthread_mutex_unlock(&s->listen_mu);
        if (broken) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

int tc_store_listen(tc_store *s, const char *channel, tc_store_listen_fn fn, void *ctx, tc_err *e)
{
    assert(channel_ok(channel));
    pthread_mutex_lock(&s->lmu);
    if (s->nlisteners == TC_STORE_LISTENERS) {
        pthread_mutex_unlock(&s->lmu);
        return tc_err_internal(e, "more than TC_STORE_LISTENERS listeners");
    }
    store_listener *l = &s->listeners[s->nlisteners++];
    snprintf(l->channel, sizeof l->channel, "%s", channel);
    l->fn = fn;
    l->ctx = ctx;
    pthread_mutex_unlock(&s->lmu);
    if (s->kind == STORE_SQLITE)
        return 0;
    pthread_mutex_lock(&s->listen_mu);
    int rc = 0;
    if (!s->listen_conn) {
        if (store_pg_open(s->url, 1, &s->listen_pool, e) != 0)
            rc = -1;
        else
            s->listen_conn = store_pg_acquire(s->listen_pool);
    }
    if (rc == 0)
        rc = listen_all(s, e);
    pthread_mutex_unlock(&s->listen_mu);
    pthread_mutex_lock(&s->lmu);
    if (rc == 0 && !s->listen_running) {
        if (pthread_create(&s->listen_thread, NULL, listen_main, s) != 0)
            rc = tc_err_internal(e, "cannot start the listening thread");
        else
            s->listen_running = 1;
    }
    if (rc != 0)
        s->nlisteners--; /* the one just added: nobody else adds meanwhile on a failing store */
    pthread_mutex_unlock(&s->lmu);
    return rc;
}

void tc_store_unlisten(tc_store *s, void *ctx)
{
    pthread_mutex_lock(&s->lmu);
    int k = 0;
    for (int i = 0; i < s->nlisteners; i++)
        if (s->listeners[i].ctx != ctx)
            s->listeners[k++] = s->listeners[i];
    s->nlisteners = k;
    pthread_mutex_unlock(&s->lmu);
}

int tc_store_lead(tc_store *s)
{
    if (s->kind == STORE_SQLITE)
        return 1;
    pthread_mutex_lock(&s->lead_mu);
    int lead = 0;
    tc_err e = {0};
    if (!s->lead_conn) {
        if (store_pg_open(s->url, 1, &s->lead_pool, &e) == 0)
            s->lead_conn = store_pg_acquire(s->lead_pool);
        else
            tc_log(TC_LOG_WARN, "store: no connection for the leader lock: %s", e.en);
    }
    if (s->lead_conn) {
        /* a connection made again has lost the lock with its old session:
         * ask the server whether this session holds it, else try to take
         * it (never stacked: a held lock is not taken twice) */
        store_pg_check(s->lead_conn);
        store_pg_stmt *st = store_pg_prepare(
            s->lead_conn, &e,
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            "  AND pid = pg_backend_pid() AND classid = 0 AND objid = " STORE_LEAD_LOCK " AND objsubid = 1)"
            " THEN true ELSE pg_try_advisory_lock(" STORE_LEAD_LOCK ") END",
            "");
        if (st && store_pg_step(st, &e) == 1)
            lead = store_pg_col_int(st, 0) != 0;
        store_pg_finalize(st);
    }
    pthread_mutex_unlock(&s->lead_mu);
    return lead;
}

void store_signal_free(tc_store *s)
{
    pthread_mutex_lock(&s->lmu);
    int running = s->listen_running;
    s->listen_stop = 1;
    pthread_mutex_unlock(&s->lmu);
    if (running)
        pthread_join(s->listen_thread, NULL);
    if (s->listen_conn)
        store_pg_release(s->listen_pool, s->listen_conn);
    store_pg_close(s->listen_pool);
    if (s->lead_conn)
        store_pg_release(s->lead_pool, s->lead_conn);
    store_pg_close(s->lead_pool); /* the session ends: the lock goes */
    pthread_mutex_destroy(&s->lmu);
    pthread_mutex_destroy(&s->listen_mu);
    pthread_mutex_destroy(&s->lead_mu);
}
