/* What the store-backed unit tests share: a store on a fresh temporary
 * directory, its removal, and a roster row.  Header-only (static) because
 * every tests/unit/test_*.c is its own program. */
#ifndef TC_TEST_STORE_FIXTURE_H
#define TC_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <libpq-fe.h>

#include "store/tc_store.h"

/* The store tests run twice in `make test`: on SQLite files, and again with
 * TC_PG_URL and TC_PG_ADMIN_URL set (scripts/run-tests runs them under
 * tests/services/postgres), each store then a fresh database of that
 * PostgreSQL cluster, dropped at the end.  t.path is the file path or the
 * database's URL: tc_store_open takes either. */
typedef struct {
    char dir[64];
    char path[256];
    char pgdb[32]; /* the PostgreSQL database made for this store, or "" */
} tcx_tmp;

/* Are the store tests running on PostgreSQL? */
static inline int tcx_pg(void)
{
    return getenv("TC_PG_URL") && getenv("TC_PG_ADMIN_URL");
}

/* A test that looks into SQLite's own file skips itself on PostgreSQL,
 * saying so (the same property is tested there by test_store_pg). */
#define TCX_SQLITE_ONLY()                                                                   \
    do {                                                                                    \
        if (tcx_pg()) {                                                                     \
            print_message("# SKIP on PostgreSQL: this test reads SQLite's own file\n");      \
            skip();                                                                         \
        }                                                                                   \
    } while (0)

/* One SQL command on the cluster as its superuser (CREATE / DROP DATABASE). */
static inline int tcx_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("TC_PG_ADMIN_URL"));
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "store fixture: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return ok ? 0 : -1;
}

/* mkdtemp under /tmp with the given tag, then open (migrate) t.db in it —
 * or on PostgreSQL a new database; NULL on failure.  The store is the
 * caller's (tcx_store_remove). */
static inline tc_store *tcx_store_open(tcx_tmp *t, const char *tag)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/tc-%s-XXXXXX", tag);
    if (!mkdtemp(t->dir))
        return NULL;
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    t->pgdb[0] = 0;
    if (tcx_pg()) {
        static unsigned seq;
        char sql[96];
        snprintf(t->pgdb, sizeof t->pgdb, "t%d_%u", (int)getpid(), seq++);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER tucai", t->pgdb);
        if (tcx_pg_admin(sql) != 0)
            return NULL;
        /* the application's URL with this database's name */
        const char *url = getenv("TC_PG_URL");
        const char *slash = strrchr(url, '/');
        snprintf(t->path, sizeof t->path, "%.*s/%s", (int)(slash - url), url, t->pgdb);
    }
    tc_err e;
    tc_store *s = tc_store_open(t->path, &e);
    if (!s)
        fprintf(stderr, "store fixture: %s: %s\n", e.code, e.en);
    return s;
}

/* Close s (may be NULL) and delete the directory with the database (on
 * PostgreSQL: drop it). */
static inline void tcx_store_remove(tc_store *s, const tcx_tmp *t)
{
    if (s)
        tc_store_close(s);
    if (t->pgdb[0]) {
        char sql[96];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->pgdb);
        tcx_pg_admin(sql);
    }
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
    int rc = system(cmd);
    (void)rc;
}

/* The plain fixture of a store test: a store of its own and a pool.  setup
 * and teardown for cmocka, the store named by tag. */
typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
} tcx_fx;

static inline int tcx_fx_setup(void **st, const char *tag)
{
    tcx_fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->s = tcx_store_open(&f->t, tag);
    tc_pool_init(&f->p);
    *st = f;
    return f->s ? 0 : -1;
}

static inline int tcx_fx_teardown(void **st)
{
    tcx_fx *f = *st;
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
    return 0;
}

/* A roster row with fixed sealed bytes and hashes filled with idb / chsib. */
static inline tc_store_student tcx_student_row(const char *no, uint8_t idb, uint8_t chsib)
{
    static uint8_t sealed[4] = {1, 2, 3, 4};
    tc_store_student r;
    memset(&r, 0, sizeof r);
    r.name = "测试";
    r.student_no = no;
    r.id_sealed = sealed;
    r.id_sealed_len = sizeof sealed;
    memset(r.id_hash, idb, 32);
    memset(r.chsi_hash, chsib, 32);
    return r;
}

#endif
