/*
 * Inside tc_store: the connection pool and the statement helpers that every
 * file of the SQLite backend shares.  Not part of the module's interface:
 * only the .c files of src/store include it.  The backend is split by area
 * (tc_store_sqlite.c: schema, schools, students, staff, sessions;
 * tc_store_journey.c: photos, drafts, submissions, messages; ...), each file
 * one area's functions, all on these helpers.
 */
#ifndef TC_STORE_INT_H
#define TC_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "tc_store.h"

enum { STORE_POOL_SIZE = 8 };

struct tc_store {
    sqlite3 *conns[STORE_POOL_SIZE];
    int busy[STORE_POOL_SIZE];
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* A connection of the pool, held until store_release; waits when all are
 * in use. */
sqlite3 *store_acquire(tc_store *s);
void store_release(tc_store *s, sqlite3 *db);

/* Fill e with SQLite's last message on db (500); returns -1. */
int store_db_err(tc_err *e, sqlite3 *db, const char *what);
/* Run SQL text without results (several statements allowed). */
int store_exec(sqlite3 *db, const char *sql, tc_err *e);

/* Prepare sql and bind arguments from fmt: 'i' int64_t, 's' text (NULL binds
 * NULL), 'b' blob (pointer, size_t length), 'h' 32-byte hash.  NULL with e
 * set on failure. */
sqlite3_stmt *store_q_prepare(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, ...);
/* Step a statement that returns no rows (or ignores them) and finalise it;
 * st may be NULL (a failed prepare: returns -1, e already set). */
int store_q_done(sqlite3 *db, sqlite3_stmt *st, tc_err *e);

/* Column i as a pool string ("" for NULL) / a 32-byte hash (zeros if not). */
const char *store_col_str(tc_pool *p, sqlite3_stmt *st, int i);
void store_col_hash(sqlite3_stmt *st, int i, uint8_t out[32]);

/* Grow a pool array of elem-sized items to hold n + 1. */
void *store_grow(tc_pool *p, void *arr, size_t n, size_t *cap, size_t elem);

/* Step a SELECT to its end, reading each row with read() into a pool array
 * of elem-sized items; finalises st.  A failing step is an error, never a
 * silently short list. */
typedef void (*row_reader)(tc_pool *p, sqlite3_stmt *st, void *out);
int store_list_q(sqlite3 *db, sqlite3_stmt *st, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n,
                 tc_err *e);

/* 404 "<what> 不存在 / <what> not found" with the given code; returns -1. */
int store_not_found(tc_err *e, const char *what_zh, const char *what_en, const char *code);

#endif
