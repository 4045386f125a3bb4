/*
 * Inside tc_store: the plumbing every file of the store shares.  Not part of
 * the module's interface: only the .c files of src/store include it.
 *
 * The store is layered, each file one job:
 *   tc_store_db.c       connections, the pool, transactions, statement
 *                       helpers (this header's first half) on either
 *                       backend — no table known;
 *   tc_store_pg.c       the PostgreSQL driver under it (store_pg.h);
 *   tc_store_migrate.c, tc_store_pg_migrate.c
 *                       the schema of each backend, same versions;
 *   the domain files    one area's functions each, SQL text on these helpers
 *                       (tc_store_sqlite.c: schools, batches, students,
 *                       staff, sessions; tc_store_journey.c: photos, drafts,
 *                       submissions, messages; tc_store_money.c, ...);
 *   tc_store_states.c   the photo, submission and order state machines.
 * This header is the seam between the domain files and the backends:
 * docs/ARCHITECTURE.md, "The store".  The domain files see a store_conn and
 * a store_stmt, never a backend's own type: a transaction is store_tx_open
 * ... store_tx_close, a statement one store_run/store_get/store_list/...
 * call (store_db_* on a connection already held), a row reader one
 * store_cols call on its column list.  Their SQL is written once, in the
 * spelling both SQLite 3.40 and PostgreSQL 15 accept ('?' arguments;
 * ON CONFLICT; IS NOT DISTINCT FROM; count(*) FILTER (WHERE ...)); the
 * few SQLite functions it uses (instr, two- and three-argument max,
 * json_extract, json_valid) exist in the PostgreSQL schema with the same
 * meaning (tc_store_pg_migrate.c).
 */
#ifndef TC_STORE_INT_H
#define TC_STORE_INT_H

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>

#include "store_pg.h"
#include "tc_store.h"

enum {
    STORE_POOL_SIZE = 8,
    /* how long a connection waits for another writer before a transaction
     * gives up with store.busy (SQLite's busy handler, PostgreSQL's
     * lock_timeout on the writer lock) */
    STORE_BUSY_MS = 10000,
};

/* Which engine a store runs on: chosen by tc_store_open from its argument
 * (a postgres:// URL or a file path). */
typedef enum { STORE_SQLITE, STORE_PG } store_kind;

/* One connection of the pool, of either engine. */
typedef struct store_conn {
    store_kind kind;
    sqlite3 *lite;         /* STORE_SQLITE: owned by the store */
    store_pg_conn *pg;     /* STORE_PG: the driver's, held by the store */
    int busy;              /* handed out (under the store's mutex) */
    char refused[192];     /* what refused the last write (store_refused_by) */
} store_conn;

/* A prepared statement with its arguments bound; owned by its caller until
 * store_finalize (every helper below finalises the statements it makes). */
typedef struct store_stmt {
    store_conn *c;
    sqlite3_stmt *lite;
    store_pg_stmt *pg;
} store_stmt;

/* A listener of tc_store_listen. */
typedef struct store_listener {
    char channel[33];
    tc_store_listen_fn fn;
    void *ctx;
} store_listener;

struct tc_store {
    store_kind kind;
    store_conn conns[STORE_POOL_SIZE];
    store_pg_pool *pg; /* STORE_PG: owned */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* STORE_PG: the URL, for the connections of the store's own below
     * (owned; a secret: freed with tc_str_free_secret) */
    char *url;
    /* Between processes (tc_store_signal.c).  lmu guards the listeners and
     * is held while one is called (so unlisten waits for a running call);
     * the listening thread and its connection (STORE_PG) are the store's,
     * started by the first listener, stopped by tc_store_close; listen_mu
     * serialises LISTEN statements with the thread's reads (lock order:
     * listen_mu, then lmu). */
    pthread_mutex_t lmu;
    store_listener listeners[TC_STORE_LISTENERS];
    int nlisteners;
    pthread_mutex_t listen_mu;
    store_pg_pool *listen_pool; /* one connection */
    store_pg_conn *listen_conn;
    pthread_t listen_thread;
    int listen_running, listen_stop; /* under lmu */
    /* the leader lock's connection (tc_store_lead), under lead_mu */
    pthread_mutex_t lead_mu;
    store_pg_pool *lead_pool;
    store_pg_conn *lead_conn;
};

/* Set up and tear down the fields above (tc_store_open / tc_store_close). */
void store_signal_init(tc_store *s);
void store_signal_free(tc_store *s);

/* ---- connections (tc_store_db.c) ---- */

/* Open one SQLite connection to path with the store's settings (WAL,
 * synchronous=FULL, foreign keys, the busy timeout); nomutex for the pool's
 * connections (one thread at a time holds each).  The caller owns *out
 * (sqlite3_close). */
int store_open_conn(const char *path, int nomutex, sqlite3 **out, tc_err *e);

/* A connection of the pool, held until store_release; waits when all are
 * in use. */
store_conn *store_acquire(tc_store *s);
void store_release(tc_store *s, store_conn *db);

/* ---- transactions ---- */

/* A connection of the pool inside BEGIN IMMEDIATE (store_tx_begin), or NULL
 * with e set (the connection already given back).  Every transaction of the
 * domain files is store_tx_open ... store_tx_close. */
store_conn *store_tx_open(tc_store *s, tc_err *e);
/* store_tx_end(db, ok, e), then the connection back to the pool. */
int store_tx_close(tc_store *s, store_conn *db, int ok, tc_err *e);

/* BEGIN IMMEDIATE: the write lock up front, so the re-checks inside see what
 * they will change.  Waits up to STORE_BUSY_MS for another writer; still
 * busy: 503 store.busy (nothing was done, the person may try again). */
int store_tx_begin(store_conn *db, tc_err *e);
/* ok == 0: COMMIT (0, or -1 with e set and the transaction rolled back);
 * otherwise ROLLBACK and -1, e keeping the error that made ok fail. */
int store_tx_end(store_conn *db, int ok, tc_err *e);

/* A write inside a transaction that may be refused while the transaction
 * goes on (a roster row skipped): SQLite undoes a failed statement alone;
 * PostgreSQL aborts the whole transaction unless the statement ran under a
 * savepoint.  store_savepoint before it, store_savepoint_end after (ok == 0:
 * keep it; otherwise undo it and go on); no-ops on SQLite. */
int store_savepoint(store_conn *db, tc_err *e);
int store_savepoint_end(store_conn *db, int ok, tc_err *e);

/* ---- statements ---- */

/* Run SQL text without results (several statements allowed). */
int store_exec(store_conn *db, const char *sql, tc_err *e);

/* Prepare sql and bind arguments from fmt: 'i' int64_t, 's' text (NULL binds
 * NULL), 'b' blob (pointer, size_t length), 'h' 32-byte hash, 'H' a 32-byte
 * hash or NULL when it is all zeros (an absent code).  NULL with e set on
 * failure. */
store_stmt *store_q_prepare(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...);
store_stmt *store_q_vprepare(store_conn *db, tc_err *e, const char *sql, const char *fmt, va_list ap);
/* The next row: 1 (a row is current), 0 (done), a refusal (STORE_UNIQUE,
 * STORE_FKEY, STORE_CHECK below; e untouched) or -1 with e set. */
int store_step(store_stmt *st, tc_err *e);
/* Free st (NULL: nothing). */
void store_finalize(store_stmt *st);
/* Column i of the current row as an integer (NULL: 0; a boolean: 1 or 0);
 * how many columns a row has. */
int64_t store_col_int(store_stmt *st, int i);
int store_col_count(store_stmt *st);

/* Step a statement that returns no rows (or ignores them) and finalise it;
 * st may be NULL (a failed prepare: returns -1, e already set). */
int store_q_done(store_stmt *st, tc_err *e);
/* store_q_done, then how many rows it changed (-1 on error). */
int64_t store_q_changes(store_stmt *st, tc_err *e);

/* Column i as a pool string ("" for NULL) / a 32-byte hash (zeros if not). */
const char *store_col_str(tc_pool *p, store_stmt *st, int i);
void store_col_hash(store_stmt *st, int i, uint8_t out[32]);
/* A BLOB column copied into p (one spare zero byte, never NULL, even when
 * empty); its length in *len. */
const uint8_t *store_col_blob(tc_pool *p, store_stmt *st, int i, size_t *len);

/* The current row's columns from first on, one for each letter of fmt, into
 * the pointers that follow (the read side of store_q_prepare's fmt):
 * 'i' int64_t *, 'n' int *, 's' const char ** (store_col_str), 'h'
 * uint8_t[32] (store_col_hash), 'b' const uint8_t ** then size_t *
 * (store_col_blob), 'B' the same but NULL when empty.  A row reader is this
 * call on its column list, the list a string constant next to the reader. */
void store_cols(tc_pool *p, store_stmt *st, int first, const char *fmt, ...);

/* Reads the current row of st into out (pool strings from p). */
typedef void (*row_reader)(tc_pool *p, store_stmt *st, void *out);
/* Readers of column 0: a pool string into a const char *, an int64_t. */
void store_read_text(tc_pool *p, store_stmt *st, void *out);
void store_read_int(tc_pool *p, store_stmt *st, void *out);

/* ---- writes whose constraints the caller names ---- */

/* What refused a write (a backend's own codes mapped to these): a row with
 * the same key or unique value exists; a reference points nowhere; a CHECK
 * failed.  Negative, like -1 (any other failure, e set). */
enum { STORE_UNIQUE = -2, STORE_FKEY = -3, STORE_CHECK = -4 };

/* Step a write (INSERT, UPDATE, DELETE; RETURNING rows ignored) and finalise
 * it: the rows it changed (>= 0; *id, when not NULL, the new row's id), a
 * STORE_UNIQUE / STORE_FKEY / STORE_CHECK refusal with e untouched (the
 * caller says what was refused, or store_refused), or -1 with e set. */
int64_t store_q_write(store_stmt *st, int64_t *id, tc_err *e);
/* A refusal the caller did not expect: 500, logged; returns -1. */
int store_refused(tc_err *e, int64_t refusal, const char *what);
/* After a STORE_UNIQUE refusal on db: whether the constraint that refused it
 * names this column (which of a table's unique values was taken). */
int store_refused_by(store_conn *db, const char *column);

/* ---- single-row readers: each finalises st (NULL st: -1, e set already) ---- */

/* The first row's first n integer columns into out[0..n) (zeros when there
 * is no row); a failing step is an error. */
int store_q_ints(store_stmt *st, int64_t *out, int n, tc_err *e);
/* store_q_ints with n = 1. */
int store_q_int(store_stmt *st, int64_t *out, tc_err *e);
/* The first row read with read() into out: 0; no row: 1 (e untouched, the
 * caller says what was not found); a failing step: -1. */
int store_q_row(store_stmt *st, tc_pool *p, row_reader read, void *out, tc_err *e);

/* ---- lists ---- */

/* Grow a pool array of elem-sized items to hold n + 1. */
void *store_grow(tc_pool *p, void *arr, size_t n, size_t *cap, size_t elem);

/* Step a SELECT to its end, reading each row with read() into a pool array
 * of elem-sized items; finalises st.  A failing step is an error, never a
 * silently short list. */
int store_list_q(store_stmt *st, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n,
                 tc_err *e);

/* ---- one statement on a connection of the pool: acquire, prepare with the
 * arguments (store_q_prepare's fmt), step, finalise, release ---- */

/* A statement without rows: 0 or -1. */
int store_run(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...);
/* The same, answering how many rows it changed (-1 on error). */
int64_t store_run_changes(tc_store *s, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_write. */
int64_t store_write(tc_store *s, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_row: one row into out (0), no row (1), error (-1). */
int store_get(tc_store *s, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_ints. */
int store_get_ints(tc_store *s, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...);
/* store_list_q: every row into a pool array. */
int store_list(tc_store *s, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
               const char *sql, const char *fmt, ...);

/* ---- one statement on a connection already held (inside a transaction,
 * or several statements that belong together): prepare with the arguments,
 * then the store_q_* call of the same name, finalised ---- */

/* store_q_done. */
int store_db_run(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_changes: the rows it changed, -1 on error. */
int64_t store_db_changes(store_conn *db, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_write. */
int64_t store_db_write(store_conn *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...);
/* An INSERT whose refusal nobody expects (store_refused): 0 and *id (when
 * not NULL) the new row's, or -1. */
int store_db_insert(store_conn *db, int64_t *id, tc_err *e, const char *sql, const char *fmt, ...);
/* store_q_row: 0 row read, 1 no row (e untouched), -1 error. */
int store_db_get(store_conn *db, tc_pool *p, row_reader read, void *out, tc_err *e, const char *sql, const char *fmt,
                 ...);
/* store_q_ints. */
int store_db_ints(store_conn *db, int64_t *out, int n, tc_err *e, const char *sql, const char *fmt, ...);
/* store_list_q. */
int store_db_list(store_conn *db, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n, tc_err *e,
                  const char *sql, const char *fmt, ...);

/* ---- rows more than one domain file reads (one column list, one reader) ---- */

/* The student columns and their reader (tc_store_sqlite.c); a query may add
 * columns after them (the school console's roster rows). */
#define STORE_STUDENT_COLS                                                                                     \
    "id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level, programme, department, " \
    "class_name, phone, coalesce(person_id, 0), verified_at, state, created_at, chsi_sealed, chsi_bound_at, erased_at"
enum { STORE_STUDENT_NCOLS = 20 };
void store_read_student(tc_pool *p, store_stmt *st, void *out);

/* The pay_order columns and their reader (tc_store_money.c).  Paying (in
 * time or late): a transaction opened and the order with this out_trade_no
 * read in it into out; *ok 0 and *already 1 when it is not in state `from`
 * (a provider repeats a callback until it is acknowledged: recorded once, or
 * not this payment's order), *ok 0 when the payment may move it on, *ok -1
 * (not found, another amount, error).  The transaction is the caller's
 * (store_tx_close); NULL when none could be opened (e set). */
#define STORE_ORDER_COLS                                                                                            \
    "id, out_trade_no, person_id, coalesce(student_id, 0), kind, amount_fen, description, provider, state,"         \
    " provider_txn, detail, created_at, paid_at, refunded_at, ship_state, carrier, tracking, shipped_at,"           \
    " late_paid_at"
void store_read_order(tc_pool *p, store_stmt *st, void *out);
store_conn *store_order_pay_open(tc_store *s, tc_pool *p, const char *out_trade_no, int from, int64_t amount_fen,
                                 tc_store_order *out, int *already, int *ok, tc_err *e);

/* ---- state machines (tc_store_states.c) ---- */

/* The step a store function takes, checked against its machine's table (a
 * programming error when not there, never input): the SQL next to it
 * re-checks the row's state. */
#define STORE_STEP(m, from, to) assert(tc_store_state_can((m), (from), (to)))

/* The rejection reasons' catalogue as the schema seeds it (SQLite's
 * migration 3, PostgreSQL's baseline): the checks' own codes, then the ones
 * only a person sees.  Part of released migrations: never edited (a change
 * is a new migration). */
#define STORE_REASONS_SEED \
    "INSERT INTO reason(code, zh, en, sort) VALUES" \
    "  ('face_count', '照片中应只有本人一张人脸', 'Only your own face may be in the photo', 10)," \
    "  ('face_inside', '头部未完整在画面内', 'The head is not wholly in the frame', 20)," \
    "  ('geometry', '头部大小或位置不符合要求', 'Head size or position is off', 30)," \
    "  ('pose_yaw', '头部左右转动', 'Head turned', 40)," \
    "  ('pose_pitch', '头部抬起或低下', 'Head raised or lowered', 50)," \
    "  ('pose_roll', '头部倾斜', 'Head tilted', 60)," \
    "  ('eyes_open', '眼睛未自然睁开', 'Eyes not open', 70)," \
    "  ('gaze', '眼睛未平视镜头', 'Not looking at the camera', 80)," \
    "  ('mouth_closed', '嘴唇未自然闭合', 'Mouth not closed', 90)," \
    "  ('expression', '表情不自然', 'Expression not neutral', 100)," \
    "  ('light_dark', '光线过暗', 'Too dark', 110)," \
    "  ('light_bright', '光线过亮', 'Too bright', 120)," \
    "  ('light_uneven', '面部光线不均匀（阴阳脸）', 'Uneven light on the face', 130)," \
    "  ('light_hotspot', '面部有高光、光斑', 'Hot spots on the face', 140)," \
    "  ('red_eye', '有红眼', 'Red eye', 150)," \
    "  ('blur', '照片模糊', 'Blurred', 160)," \
    "  ('resolution', '照片分辨率不足', 'Too few pixels', 170)," \
    "  ('glasses', '不得佩戴眼镜', 'No glasses allowed', 180)," \
    "  ('glasses_tinted', '不得佩戴有色眼镜', 'Tinted glasses', 190)," \
    "  ('glasses_glare', '眼镜反光', 'Glare on the glasses', 200)," \
    "  ('hair_brows', '头发遮挡眉毛或眼睛', 'Hair over the eyebrows or eyes', 210)," \
    "  ('ears_visible', '耳朵未露出', 'Ears not visible', 220)," \
    "  ('headwear', '不得佩戴帽子或头饰', 'No hats or headwear', 230)," \
    "  ('jewelry', '不得佩戴耳环、项链等饰品', 'No earrings or necklaces', 240)," \
    "  ('clothing_colour', '不得穿与背景相近颜色（蓝色）的衣服', 'Top too close to the background colour (no blue)', 250)," \
    "  ('recapture', '翻拍照片', 'Re-photographed picture', 260)," \
    "  ('retouch', '美颜或修图', 'Retouched (beauty filter)', 270)," \
    "  ('duplicate', '同版照片', 'Same photo as an earlier one', 280)," \
    "  ('not_the_student', '照片与本人不符', 'The photo does not show the student', 290)," \
    "  ('composited', '照片经过软件合成', 'The photo was composited by software', 300)," \
    "  ('other', '其他原因', 'Other reason', 310);"

/* Schema 14 on both engines (the same text but each one's integer type):
 * the photo jobs' claim columns (tc_store_photo_claim). */
#define PHOTO_JOBS_MIGRATION(INT) \
    "ALTER TABLE photo ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';" \
    "ALTER TABLE photo ADD COLUMN claimed_at " INT " NOT NULL DEFAULT 0;" \
    "ALTER TABLE photo ADD COLUMN claims " INT " NOT NULL DEFAULT 0;" \
    "CREATE INDEX photo_processing ON photo(state, claimed_at) WHERE state = 'processing';"

/* Schema 15 on both engines: face_count's reason also names the people
 * behind the student (issue 15: the check now fails them too); only where
 * the platform has not reworded it. */
#define REASON_FACE_COUNT_MIGRATION \
    "UPDATE reason SET zh = '照片中只能有本人，背景中不要有其他人'," \
    "  en = 'Only you may be in the photo, with no one else behind you'" \
    "  WHERE code = 'face_count' AND zh = '照片中应只有本人一张人脸'" \
    "  AND en = 'Only your own face may be in the photo';"

/* ---- the schema (tc_store_migrate.c) ---- */

/* PRAGMA user_version: the newest migration applied (-1 on error). */
int store_user_version(sqlite3 *db);
/* Bring db to schema version latest (-1: the newest this program knows),
 * each migration in its own transaction with its version bump. */
int store_migrate(sqlite3 *db, int latest, tc_err *e);

#endif
