/*
 * tc_store — everything tucai keeps, behind functions that speak in the
 * domain's terms.  Callers never see SQL, so a PostgreSQL backend can be
 * added behind these same functions without touching the handlers.
 *
 * The SQLite backend runs in WAL mode with synchronous=FULL (a commit is on
 * disk when the function returns) and foreign keys on, and keeps a small
 * pool of connections so that readers on different HTTP threads do not wait
 * for each other; writes are serialised by SQLite itself (busy timeout).
 * Each function is one transaction: multi-row operations (a roster import)
 * are all-or-nothing.
 *
 * Memory: strings and arrays returned in structs are allocated from the
 * caller's tc_pool and live as long as it does.
 */
#ifndef TC_STORE_H
#define TC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

typedef struct tc_store tc_store;

/* Opens (creating if needed) and migrates to the newest schema.  where is a
 * SQLite file path (the default: one node), or a postgres:// /
 * postgresql:// URL (libpq's syntax: a PostgreSQL database shared by many
 * nodes, issue 18); the password of a URL is never shown in a message. */
tc_store *tc_store_open(const char *where, tc_err *e);
/* Is where a PostgreSQL URL (1) or a file path (0)? */
int tc_store_is_url(const char *where);
void tc_store_close(tc_store *s);
int tc_store_schema_version(tc_store *s);   /* newest applied migration */
int tc_store_schema_latest(void);           /* newest this binary knows */
/* Bring the database at path to exactly this schema version (not past it;
 * never down): for tests of a migration on data an older version made. */
int tc_store_migrate_to(const char *path, int version, tc_err *e);
/* Is the database empty of schools (used by --demo)? 1 yes, 0 no, -1 error. */
int tc_store_is_empty(tc_store *s, tc_err *e);

/* ---- between processes (tc_store_signal.c; issue 18 item 3) -------------------------
 * Several tucai processes may share one PostgreSQL database (nodes behind
 * nginx, `tucai worker`): what one does, the others hear of through
 * PostgreSQL's own LISTEN/NOTIFY, and the periodic jobs run in one of them,
 * elected by an advisory lock.  On SQLite (one process) the same calls stay
 * inside the process, so callers never ask which engine runs.
 *
 * Channels are the program's own names ([a-z_], at most 32 bytes); a
 * payload is at most TC_STORE_NOTIFY_MAX bytes of text.  A notification is
 * a nudge, not a message queue: one may be lost when a connection drops, so
 * every listener also looks for itself now and then (the photo workers
 * claim on a timer, the apps refresh on reconnect). */
enum { TC_STORE_NOTIFY_MAX = 4000, TC_STORE_LISTENERS = 16 };
typedef void (*tc_store_listen_fn)(void *ctx, const char *channel, const char *payload);
/* Tell every listener of channel, in every process on this database
 * (PostgreSQL: pg_notify, delivered at once, to this process too; SQLite:
 * the listeners of this store, called before it returns).  -1 with e set
 * (store.notify_too_long for a longer payload). */
int tc_store_notify(tc_store *s, const char *channel, const char *payload, tc_err *e);
/* Call fn(ctx, channel, payload) for every notification on channel from now
 * on.  On PostgreSQL the first listener starts the store's listening thread
 * (a connection of its own that LISTENs, and connects again when dropped);
 * fn runs on it (on SQLite on the notifier's thread), must be quick and
 * must not call tc_store_listen/unlisten.  At most TC_STORE_LISTENERS. */
int tc_store_listen(tc_store *s, const char *channel, tc_store_listen_fn fn, void *ctx, tc_err *e);
/* Remove every listener with this ctx: when it returns, none of its calls
 * is running or will run. */
void tc_store_unlisten(tc_store *s, void *ctx);
/* Does this process lead the periodic jobs (reconciliation, retention,
 * reminders, the outbox sender)?  PostgreSQL: 1 while a connection of the
 * store's own holds the cluster's leader lock (a session advisory lock,
 * taken here when free; released when the process or its connection dies,
 * so another process takes over at its next call), 0 when another process
 * holds it or the database cannot be reached.  SQLite: always 1. */
int tc_store_lead(tc_store *s);

/* where (a file path or a postgres:// URL) as it may be shown: a URL's
 * password replaced by "***". */
void tc_store_redact(const char *where, char *out, size_t cap);

/* ---- consistency (tc_store_fsck.c; `tucai fsck`) ----------------------------------
 * Read-only checks that the records are sound: after a crash, a kill -9, a
 * restore.  tc_store_fsck: SQLite's integrity_check and foreign_key_check
 * (PostgreSQL: its keys are always enforced; its structure is pg_amcheck's),
 * then the rules no constraint says but every path keeps (a live
 * submission's photo is in state used; a made photo has done_at; a draft
 * has its standard photo; one photo in the making per student; none
 * processing after more than three claims).  Each problem a pool string in
 * *out, at most 1000 (*more: how many past them).  -1 only when it could
 * not look. */
int tc_store_fsck(tc_store *s, tc_pool *p, const char ***out, size_t *n, size_t *more, tc_err *e);
/* The files of the photos that keep them (not swept), photo id > after, in
 * id order, at most limit photos: for checking each against the blob store.
 * blob[i] is column TC_STORE_PHOTO_FILE_COLUMNS[i] ("" when none). */
enum { TC_STORE_PHOTO_FILES = 6 };
extern const char *const TC_STORE_PHOTO_FILE_COLUMNS[TC_STORE_PHOTO_FILES];
typedef struct tc_store_photo_files {
    int64_t photo_id;
    const char *state;
    const char *blob[TC_STORE_PHOTO_FILES];
} tc_store_photo_files;
int tc_store_fsck_files(tc_store *s, tc_pool *p, int64_t after, int limit, tc_store_photo_files **out, size_t *n,
                        tc_err *e);

/* ---- state machines (tc_store_states.c) -----------------------------------------
 * The photo, submission and order states as enums, each machine with one
 * transition table (docs/ARCHITECTURE.md, "State machines").  The database
 * keeps the words (the CHECK lists of the schema); tc_store_state_name and
 * tc_store_state_of are the one conversion.  Every store function that moves
 * a row asserts its step is in the table, and its SQL re-checks the state it
 * changes, so two requests at once cannot both pass.  Code outside the store
 * decides on the enum (the struct's state_enum), never on the word. */
typedef enum {
    TC_STORE_SM_PHOTO,
    TC_STORE_SM_SUBMISSION,
    TC_STORE_SM_ORDER,
    TC_STORE_SM_FINAL, /* the 成片 of a final submission: submission.final_state */
    TC_STORE_SM_COUNT
} tc_store_machine;

/* TC_STORE_STATE_NEW as a "from": the row is being made (INSERT); as the
 * result of tc_store_state_of: not a state of that machine. */
enum { TC_STORE_STATE_NEW = -1 };

typedef enum {
    TC_STORE_PHOTO_NONE = TC_STORE_STATE_NEW, /* no row yet, or not a photo state */
    TC_STORE_PHOTO_PROCESSING, /* uploaded, a photo worker makes it          */
    TC_STORE_PHOTO_FAILED,     /* made, an automatic check failed           */
    TC_STORE_PHOTO_DRAFT,      /* made and passed: in the draft box         */
    TC_STORE_PHOTO_DELETED,    /* the student deleted the draft             */
    TC_STORE_PHOTO_USED,       /* confirmed: a submission holds it          */
    TC_STORE_PHOTO_ERROR,      /* no photo could be made of the upload      */
    TC_STORE_PHOTO_COUNT
} tc_store_photo_state;

typedef enum {
    TC_STORE_SUB_NONE = TC_STORE_STATE_NEW,
    TC_STORE_SUB_PENDING_PAYMENT, /* waits for the fee                       */
    TC_STORE_SUB_SUBMITTED,       /* waits for a reviewer                    */
    TC_STORE_SUB_WITHDRAWN,       /* the student took it back                */
    TC_STORE_SUB_APPROVED,        /* 待处理: approved, not produced yet      */
    TC_STORE_SUB_REJECTED,
    TC_STORE_SUB_FINAL,           /* produced: the clean photo is made       */
    TC_STORE_SUB_RESET,           /* the school reset the student            */
    TC_STORE_SUB_COUNT
} tc_store_sub_state;

/* The 成片 and the student's 校对 (issue 19 item 6), in a final submission. */
typedef enum {
    TC_STORE_FINAL_NONE = TC_STORE_STATE_NEW, /* not produced yet (''): 成片制作中 */
    TC_STORE_FINAL_READY,      /* made, the student checks it: 请核对成片    */
    TC_STORE_FINAL_CONFIRMED,  /* the student confirmed it: 已确认          */
    TC_STORE_FINAL_CORRECTION, /* the student asked for a correction: 修改中 */
    TC_STORE_FINAL_COUNT
} tc_store_final_state;

typedef enum {
    TC_STORE_ORDER_NONE = TC_STORE_STATE_NEW,
    TC_STORE_ORDER_CREATED,
    TC_STORE_ORDER_PAID,
    TC_STORE_ORDER_CLOSED,
    TC_STORE_ORDER_REFUNDING,
    TC_STORE_ORDER_REFUNDED,
    TC_STORE_ORDER_COUNT
} tc_store_order_state;

/* How many states machine m has (its enum's _COUNT). */
int tc_store_state_count(tc_store_machine m);
/* The stored word of a state ("draft", "pending_payment", ...); a static
 * string.  state must be one of m's (assert). */
const char *tc_store_state_name(tc_store_machine m, int state);
/* The state whose word is name; TC_STORE_STATE_NEW for NULL or any other
 * text. */
int tc_store_state_of(tc_store_machine m, const char *name);
/* 1 when the table of m allows the step from -> to (from may be
 * TC_STORE_STATE_NEW: a row made in state to), else 0. */
int tc_store_state_can(tc_store_machine m, int from, int to);

/* ---- schools and batches ---------------------------------------------------- */

typedef struct tc_store_school {
    int64_t id;
    const char *name;
    int64_t created_at;
} tc_store_school;

int tc_store_school_create(tc_store *s, const char *name, int64_t *id, tc_err *e);
int tc_store_school_get(tc_store *s, tc_pool *p, int64_t id, tc_store_school *out, tc_err *e);
int tc_store_school_list(tc_store *s, tc_pool *p, tc_store_school **out, size_t *n, tc_err *e);

typedef struct tc_store_batch {
    int64_t id;
    int64_t school_id;
    const char *name;
    char code[8];           /* 6-character 特征码, a-z 0-9 */
    int64_t starts_at;      /* collection window, seconds since the epoch; 0 = open */
    int64_t ends_at;
    const char *settings;   /* JSON object text: fees, limits, spec (see docs) */
    int64_t created_at;
    int64_t students;       /* filled by list/get: roster size */
    int64_t cancelled_at;   /* 0, or when the batch was cancelled (no entry, uploads or payment after) */
} tc_store_batch;

/* Errors: batch.code_taken (409) when the code is in use. */
int tc_store_batch_create(tc_store *s, tc_store_batch *b, tc_err *e);
int tc_store_batch_get(tc_store *s, tc_pool *p, int64_t id, tc_store_batch *out, tc_err *e);
int tc_store_batch_by_code(tc_store *s, tc_pool *p, const char *code, tc_store_batch *out, tc_err *e);
int tc_store_batch_list(tc_store *s, tc_pool *p, int64_t school_id, tc_store_batch **out, size_t *n, tc_err *e);

/* ---- students (roster rows, one per education record) ---------------------------- */

typedef struct tc_store_student {
    int64_t id;
    int64_t batch_id;
    int64_t school_id;
    const char *name;
    const char *student_no;
    const uint8_t *id_sealed;   /* ID number, encrypted (tc_ident_seal) */
    size_t id_sealed_len;
    uint8_t id_hash[32];        /* keyed hash of the normalised ID number */
    uint8_t chsi_hash[32];      /* keyed hash of the 学信网 图像采集码 (tc_chsi_key); all zero:
                                 * no code yet (the student binds it, tc_store_student_bind_chsi) */
    const char *level;          /* 层次, e.g. 本科 */
    const char *programme;      /* 专业 */
    const char *department;     /* 院系 */
    const char *class_name;     /* 班级 */
    const char *phone;          /* confirmed by the student (or from the roster) */
    int64_t person_id;          /* 0 until the student has verified */
    int64_t verified_at;
    const char *state;          /* "not_started", "verified", ... */
    int64_t created_at;
    const uint8_t *chsi_sealed; /* the code itself, encrypted (tc_ident_seal); NULL when unknown
                                 * (no code, or imported before schema 11: hash only) */
    size_t chsi_sealed_len;
    int64_t chsi_bound_at;      /* when the student bound the code; 0: from the roster or none */
    int64_t erased_at;          /* a school admin erased the personal data then (0: not;
                                 * tc_store_student_erase) */
} tc_store_student;

/* Insert a batch's roster in one transaction.  A row whose student number is
 * already in the batch replaces that row's roster fields (a corrected
 * roster), keeping the student's progress.  A 采集码 or ID number already
 * used by another student of this batch fails the whole import:
 * error roster.conflict (409) and *bad_row = the 0-based index. */
int tc_store_roster_import(tc_store *s, int64_t batch_id, const tc_store_student *rows, size_t n, size_t *bad_row,
                           size_t *inserted, size_t *updated, tc_err *e);

/* The same with choices (issue 20):
 *   TC_STORE_ROSTER_SKIP      a row that conflicts (roster.chsi_taken,
 *                             roster.conflict) is left out
 *                             and listed in skips[0..*nskips) (the caller's
 *                             array of n entries) instead of failing the import
 *   TC_STORE_ROSTER_ROLLBACK  nothing is kept (a dry run that still meets the
 *                             database's conflicts); counts are what would be
 * A row whose chsi_hash is all zero carries no 采集码: a new student is
 * added without one (the student binds it at first entry), a student the
 * batch has (same student number) keeps the code it has.  chsi_sealed (may
 * be NULL) is stored with a code. */
enum { TC_STORE_ROSTER_SKIP = 1, TC_STORE_ROSTER_ROLLBACK = 2 };
typedef struct tc_store_roster_skip {
    size_t row;       /* 0-based index into rows */
    const char *code; /* static: roster.chsi_taken or roster.conflict */
} tc_store_roster_skip;
int tc_store_roster_import_ex(tc_store *s, int64_t batch_id, const tc_store_student *rows, size_t n, int flags,
                              tc_store_roster_skip *skips, size_t *nskips, size_t *bad_row, size_t *inserted,
                              size_t *updated, tc_err *e);
int tc_store_student_get(tc_store *s, tc_pool *p, int64_t id, tc_store_student *out, tc_err *e);
/* By 采集码 hash across all batches; batch_id 0 = any batch.  Newest first
 * when a code appears in several batches. */
int tc_store_student_by_chsi(tc_store *s, tc_pool *p, int64_t batch_id, const uint8_t chsi_hash[32],
                             tc_store_student *out, tc_err *e);
/* The rows of a batch with exactly this name that may be entered without a
 * code (no code yet, or one the student bound; never a row whose code came
 * from the roster): at most max into *out (pool).  *n may be 0. */
int tc_store_students_by_name(tc_store *s, tc_pool *p, int64_t batch_id, const char *name, size_t max,
                              tc_store_student **out, size_t *n, tc_err *e);
/* Bind a 采集码 to a row that has none (chsi_bound_at = now).  Errors:
 * chsi.already_bound (409: the row has a code), chsi.taken (409: another
 * row in any batch or school holds it), student.not_found. */
int tc_store_student_bind_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, int64_t now, tc_err *e);
/* Forget a row's code (a school admin clears a wrong binding): no code. */
int tc_store_student_clear_chsi(tc_store *s, int64_t student_id, tc_err *e);
/* Keep the sealed code of a row that has only its hash (a student entered
 * with it); does nothing when the hash differs or a sealed code is there. */
int tc_store_student_seal_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, tc_err *e);
/* Search a batch's roster by name or student number prefix (q may be NULL). */
int tc_store_student_list(tc_store *s, tc_pool *p, int64_t batch_id, const char *q, int limit, int offset,
                          tc_store_student **out, size_t *n, int64_t *total, tc_err *e);
/* Records of a person, newest first. */
int tc_store_student_by_person(tc_store *s, tc_pool *p, int64_t person_id, tc_store_student **out, size_t *n,
                               tc_err *e);
/* The student verified: link to the person, set phone, state verified. */
int tc_store_student_verify(tc_store *s, int64_t student_id, int64_t person_id, const char *phone, tc_err *e);

/* ---- persons (a student who signed in; may hold several records) ---------------- */

/* Find the person of this school with the keyed hash of the ID number, or
 * create one: confirming a record never joins it silently to records of
 * another school (migration 6; a signed-in student may still add one it
 * proves, 添加学历).  An existing person's data is never changed by this. */
int tc_store_person_upsert(tc_store *s, int64_t school_id, const uint8_t id_hash[32], const char *phone,
                           int64_t *person_id,
                           tc_err *e);
/* The phone number this person (same school, same keyed ID hash) confirmed
 * last on any record, into out (cap bytes; "" when none), so a re-entry is
 * prefilled with it. */
int tc_store_person_last_phone(tc_store *s, int64_t school_id, const uint8_t id_hash[32], char *out, size_t cap,
                               tc_err *e);
/* The person's school and keyed ID hash; person.not_found (404). */
int tc_store_person_get(tc_store *s, int64_t person_id, int64_t *school_id, uint8_t id_hash[32], tc_err *e);

/* ---- records of a person (several 学历, issue 19 item 2; tc_store_records.c) ---- */

/* The education records this person may see, newest first, at most max:
 * rows with the person's keyed ID hash that are linked to the person
 * (person_id: confirmed, or added by proof, 添加学历), or that belong to the
 * person's own school and are linked to nobody yet; never an erased row, nor
 * a row of another school the person has not proved.  *out from p. */
int tc_store_person_records(tc_store *s, tc_pool *p, int64_t person_id, int64_t school_id,
                            const uint8_t id_hash[32], size_t max, tc_store_student **out, size_t *n, tc_err *e);
/* The student session (token_hash, of person_id) now works on student_id;
 * session.none (401) when that session is gone or not this person's. */
int tc_store_session_set_student(tc_store *s, const char *token_hash, int64_t person_id, int64_t student_id,
                                 tc_err *e);

/* ---- staff ----------------------------------------------------------------------- */

typedef struct tc_store_staff {
    int64_t id;
    const char *username;
    const char *pwhash;
    const char *role;           /* "platform_admin", "reviewer", "school_admin" */
    int64_t school_id;          /* school admins only */
    int must_change_password;
    int disabled;
    int64_t created_at;
} tc_store_staff;

/* Errors: staff.username_taken (409). */
int tc_store_staff_create(tc_store *s, const tc_store_staff *st, int64_t *id, tc_err *e);
int tc_store_staff_get(tc_store *s, tc_pool *p, int64_t id, tc_store_staff *out, tc_err *e);
int tc_store_staff_by_username(tc_store *s, tc_pool *p, const char *username, tc_store_staff *out, tc_err *e);
int tc_store_staff_set_password(tc_store *s, int64_t id, const char *pwhash, int must_change, tc_err *e);
int tc_store_staff_list(tc_store *s, tc_pool *p, tc_store_staff **out, size_t *n, tc_err *e);

/* ---- sessions ----------------------------------------------------------------------- */

typedef struct tc_store_session {
    char token_hash[65];        /* the cookie's token, hashed: a stolen DB grants nothing */
    const char *kind;           /* "staff", "student", "entry" (verified, phone not yet given) */
    int64_t staff_id;
    int64_t person_id;
    int64_t student_id;         /* the record being entered ("entry") or current record */
    char csrf[44];
    int64_t created_at;
    int64_t expires_at;
} tc_store_session;

int tc_store_session_create(tc_store *s, const tc_store_session *ss, tc_err *e);
/* Error session.none (401) when absent or expired. */
int tc_store_session_get(tc_store *s, tc_pool *p, const char *token_hash, int64_t now, tc_store_session *out, tc_err *e);
int tc_store_session_delete(tc_store *s, const char *token_hash, tc_err *e);
/* End every session of a staff member (after a password change), but one. */
int tc_store_session_delete_staff(tc_store *s, int64_t staff_id, const char *keep_hash, tc_err *e);

/* ---- WeChat web authorisation (tc_store_wechat.c; schema 5) ---------------------------
 * A student's session inside WeChat learns the payer's openid through
 * snsapi_base authorisation.  The session holds at most one pending state
 * (stored hashed, as tokens are: a copied database cannot answer a callback),
 * the path the app returns to, and the openid once WeChat gave it.  The
 * openid lives and dies with the session: another sign-in, another browser or
 * another WeChat user asks WeChat again. */

/* Remember state_hash (64 hex) until `until` (seconds) and where to return;
 * replaces a pending one.  session.none (401) when the session is gone. */
int tc_store_wx_state_put(tc_store *s, const char *token_hash, const char *state_hash, int64_t until,
                          const char *return_to, tc_err *e);
/* Use the pending state once: it is cleared whether or not it has expired.
 * *return_to (from p) is the path given to tc_store_wx_state_put.  Errors:
 * wechat.bad_state (403: no such pending state on this session, or used),
 * wechat.state_expired (403). */
int tc_store_wx_state_take(tc_store *s, tc_pool *p, const char *token_hash, const char *state_hash, int64_t now,
                           const char **return_to, tc_err *e);
/* The session's openid ("" when none yet; *openid from p). */
int tc_store_wx_openid_put(tc_store *s, const char *token_hash, const char *openid, tc_err *e);
int tc_store_wx_openid_get(tc_store *s, tc_pool *p, const char *token_hash, const char **openid, tc_err *e);

/* ---- audit and lockouts ---------------------------------------------------------------- */

/* Every verification attempt by a student, good or bad. */
typedef struct tc_store_verify_attempt {
    const char *ip;
    const char *method;         /* "qr", "code", "confirm", "add_record", "switch" */
    int64_t batch_id;           /* 0 when unknown */
    int64_t student_id;         /* 0 when no roster row matched */
    int ok;
    const char *reason;         /* error code when not ok */
} tc_store_verify_attempt;
int tc_store_audit_verify(tc_store *s, const tc_store_verify_attempt *a, tc_err *e);
int64_t tc_store_audit_verify_count(tc_store *s, int64_t student_id, tc_err *e);

/* Staff actions: who, what, on what, before and after (JSON text or NULL). */
/* Blob ids of roster files that imports before migration 6 kept (named by
 * their audit entries' "file"), so start-up can remove them: a roster holds
 * full ID numbers and codes in clear.  Strings in p. */
int tc_store_audit_roster_files(tc_store *s, tc_pool *p, const char ***ids, size_t *n, tc_err *e);
int tc_store_audit_staff(tc_store *s, int64_t staff_id, const char *action, const char *target,
                         const char *before, const char *after, const char *ip, tc_err *e);

/* Failure counting with lockout, keyed by an opaque string (e.g.
 * "last4:student:42").  tc_store_lock_check: *until > now when locked.
 * tc_store_lock_fail: count a failure inside a sliding window; at max_fails
 * the key is locked for lock_s seconds (and the count restarts). */
int tc_store_lock_check(tc_store *s, const char *key, int64_t now, int64_t *until, tc_err *e);
int tc_store_lock_fail(tc_store *s, const char *key, int64_t now, int window_s, int max_fails, int lock_s,
                       int *fails, int64_t *until, tc_err *e);
int tc_store_lock_clear(tc_store *s, const char *key, tc_err *e);
/* A throttle with growing delays on the same table (staff sign-in): count a
 * failure in a window of window_s from the first; past free_fails failures
 * the key is closed for base_s, doubling with each further failure, at most
 * max_s.  *until is the new closing time (0 while still free).  Check with
 * tc_store_lock_check. */
int tc_store_throttle_fail(tc_store *s, const char *key, int64_t now, int window_s, int free_fails, int base_s,
                           int max_s, int64_t *until, tc_err *e);

/* ---- the student's journey (tc_store_journey.c) ----------------------------------------
 * Every transition re-checks its condition inside its transaction (e.g. a
 * withdraw only from "submitted"), so that two requests at once cannot both
 * pass; a refused transition is a 409 with a journey.* code. */

typedef struct tc_store_journey {
    int64_t notice_read_at, tips_read_at, tutorial_at, notify_chosen_at;
    int notify_status, notify_payment;
    const char *email;
    int64_t cooloff_until, locked_until;
    int live_locked, fails, live_fails;
    int64_t paid_order;          /* the paid photo-fee order, 0 if none          */
    int drafts, processing;      /* photos in these states now                   */
    int64_t batch_cancelled_at;  /* the student's batch was cancelled (0 = not)   */
    const char *email_confirmed; /* the address the student proved is theirs, "" */
    const char *email_pending;   /* the address a code was sent to, ""            */
    int consent_terms;           /* the versions of the 服务协议 and the 隐私政策 the
                                    student last accepted (0: never)               */
    int consent_privacy;
} tc_store_journey;

int tc_store_journey_get(tc_store *s, tc_pool *p, int64_t student_id, tc_store_journey *out, tc_err *e);
/* The student accepted these versions of the 服务协议 and the 隐私政策 now,
 * from address ip (one consent row each time; the newest counts). */
int tc_store_consent_add(tc_store *s, int64_t student_id, int terms_version, int privacy_version, const char *ip,
                         int64_t now, tc_err *e);
typedef enum { TC_STORE_MARK_NOTICE, TC_STORE_MARK_TIPS, TC_STORE_MARK_TUTORIAL } tc_store_mark;
int tc_store_journey_mark(tc_store *s, int64_t student_id, tc_store_mark what, int64_t now, tc_err *e);
int tc_store_journey_notify(tc_store *s, int64_t student_id, int status, int payment, const char *email,
                            int64_t now, tc_err *e);
/* E-mails a student makes the server send (confirmation codes, the result
 * photo): kind "code" or "result".  Counts the student's e-mails since
 * day_start and, when fewer than limit, records this one (one transaction):
 * else journey.email_limit (429). */
int tc_store_student_mail(tc_store *s, int64_t student_id, const char *kind, int64_t day_start, int limit,
                          int64_t now, tc_err *e);
/* A confirmation code was sent to email: keep the address, the code's keyed
 * hash (hex) and its expiry; a new code replaces the old one and its tries. */
int tc_store_email_code_set(tc_store *s, int64_t student_id, const char *email, const char *code_hash, int64_t until,
                            tc_err *e);
/* The student typed a code whose keyed hash is code_hash.  Right: the
 * pending address becomes the confirmed one (and the notification address).
 * Errors: journey.no_email_code (409, none sent), journey.email_code_expired
 * (410), journey.email_code_tries (429, max_tries wrong codes: ask for a new
 * one), journey.email_code_wrong (400; the try is counted). */
int tc_store_email_confirm(tc_store *s, int64_t student_id, const char *code_hash, int max_tries, int64_t now,
                           tc_err *e);
/* A school admin unlocks: both locks, the failure counts and the cool-off. */
int tc_store_journey_unlock(tc_store *s, int64_t student_id, tc_err *e);

typedef struct tc_store_photo {
    int64_t id, student_id, created_at, done_at;
    const char *source, *state;  /* state: the stored word, for answers         */
    tc_store_photo_state state_enum; /* the same state, to decide on          */
    const char *upload_blob, *original_blob, *standard_blob, *proof_blob, *overlay_blob, *final_blob;
    const char *checks, *report; /* JSON text                                  */
    const char *failed;          /* failed check codes, comma-separated         */
    const char *error;           /* why no photo could be made                  */
    int liveness_failed, ms;
    const char *spec;            /* the spec it was made to, as tc_spec_to_json
                                    wrote it then; "" for photos made before
                                    schema 4 or when no photo could be made    */
    const char *token;           /* random public name (32 hex digits), the only
                                    way a photo's image is named in a URL      */
} tc_store_photo;

/* Start a photo (state processing).  Refused, inside the transaction, with
 * journey.busy when one is still processing and journey.drafts_full when the
 * drafts (plus this one) would exceed capacity. */
int tc_store_photo_begin(tc_store *s, int64_t student_id, const char *source, const char *upload_blob,
                         int capacity, int64_t now, int64_t *photo_id, tc_err *e);
/* The same with the abuse limits of issue 14, also re-checked inside the
 * transaction: journey.batch_cancelled (410) when the student's batch was
 * cancelled, journey.storage_full (413) when the uploads the student still
 * holds (photos whose files the sweep has not removed) plus bytes would
 * exceed quota_bytes (0 = no quota).  bytes is kept with the photo. */
int tc_store_photo_begin_limited(tc_store *s, int64_t student_id, const char *source, const char *upload_blob,
                                 int64_t bytes, int capacity, int64_t quota_bytes, int64_t now, int64_t *photo_id,
                                 tc_err *e);
/* Would bytes more fit in the student's quota (0 = none)?  0, or -1 with
 * journey.storage_full (413): the check before the file is stored. */
int tc_store_photo_quota_check(tc_store *s, int64_t student_id, int64_t bytes, int64_t quota_bytes, tc_err *e);
/* *used = 1 when a photo names this blob in any of its files. */
int tc_store_blob_in_use(tc_store *s, const char *blob_id, int *used, tc_err *e);

/* What the pipeline made of it, and the student's counters afterwards. */
typedef struct tc_store_photo_done {
    tc_store_photo_state state;  /* DRAFT, FAILED or ERROR                      */
    const char *original_blob, *standard_blob, *proof_blob, *overlay_blob;
    const char *checks, *report, *failed, *error;
    const char *spec;            /* JSON of the spec used (NULL = "")           */
    int liveness_failed, ms;
    const uint8_t *face_hash;    /* 32 bytes or NULL                            */
    int fails, live_fails, live_locked;
    int64_t cooloff_until, locked_until;
    const char *claimed_by;      /* the worker's claim; NULL: not checked       */
} tc_store_photo_done;
/* Store the result of a photo in state processing.  With d->claimed_by set,
 * only while that worker still holds the photo's claim: a worker whose
 * claim went stale (another took the photo) gets photo.claim_lost and
 * nothing changes, so a photo's result and the student's counters are
 * written once. */
int tc_store_photo_finish(tc_store *s, int64_t photo_id, const tc_store_photo_done *d, int64_t now, tc_err *e);

/* The photo jobs (issue 18 item 3): a photo in state processing is its own
 * job, in the database, so a worker of any process takes any process's
 * uploads.  Claim the oldest one that no worker holds or whose claim was
 * taken before stale_before (its worker died): worker (at most 63 bytes)
 * holds it from now.  *photo_id 0 when there is none; *claims how many times
 * a worker took it, this time included.  PostgreSQL takes the row with FOR
 * UPDATE SKIP LOCKED: workers of all nodes claim at once, none waits for
 * another, no two get the same photo. */
int tc_store_photo_claim(tc_store *s, const char *worker, int64_t now, int64_t stale_before, int64_t *photo_id,
                         int *claims, tc_err *e);
/* The workers that hold photos now (the distinct claims of photos in state
 * processing), a pool array; and giving back every photo a worker holds
 * (one known dead): the next claim takes them at once. */
int tc_store_photo_claimers(tc_store *s, tc_pool *p, const char ***out, size_t *n, tc_err *e);
int tc_store_photo_unclaim(tc_store *s, const char *worker, tc_err *e);
/* How many photos are in state processing (waiting or in hand). */
int tc_store_photo_pending(tc_store *s, int64_t *n, tc_err *e);
int tc_store_photo_get(tc_store *s, tc_pool *p, int64_t photo_id, tc_store_photo *out, tc_err *e);
/* The photo with that public token (photo.not_found, 404, when none). */
int tc_store_photo_by_token(tc_store *s, tc_pool *p, const char *token, tc_store_photo *out, tc_err *e);
/* A student's photos in a state (TC_STORE_PHOTO_NONE: all but deleted),
 * newest first. */
int tc_store_photo_list(tc_store *s, tc_pool *p, int64_t student_id, tc_store_photo_state state, tc_store_photo **out,
                        size_t *n, tc_err *e);
/* The retention sweep (issue 14): removes the files of photos nobody needs
 * any more, at most limit photos a round.  A photo's files go when, before
 * cutoff, it failed or ended in an error (done_at), was deleted from the
 * draft box (deleted_at), or was superseded: used for a submission that was
 * rejected or reset (decided_at) and for no live one.  A photo of a live,
 * approved or final submission, a draft and a photo being made never lose
 * their files.  A file is removed only when no photo that keeps its files
 * names it (blobs are content-addressed: two photos may share one) and no
 * e-mail waiting in the outbox attaches it.  remove(ctx, blob_id) is called
 * for each such file inside the transaction (so that an upload of the same
 * bytes cannot begin meanwhile: tc_store_photo_begin* waits for it); then the
 * photos are marked swept (swept_at) and their bytes leave the quota.
 * *photos / *files count them (may be NULL). */
int tc_store_photo_sweep(tc_store *s, int64_t cutoff, int limit, int (*remove)(void *ctx, const char *blob_id),
                         void *ctx, int *photos, int *files, int64_t now, tc_err *e);
/* Retention after the season (issue 19 item 5): batches that closed (ends_at
 * passed, or cancelled) before now, as {id, school_id, closed_at, settings}
 * rows in *out (pool p), oldest first. */
typedef struct tc_store_closed_batch {
    int64_t id, school_id;
    int64_t closed_at;           /* cancelled_at if cancelled, else ends_at       */
    const char *settings;        /* the batch's settings JSON                     */
    const char *school_settings; /* its school's settings JSON                    */
} tc_store_closed_batch;
int tc_store_batches_closed(tc_store *s, tc_pool *p, int64_t now, tc_store_closed_batch **out, size_t *n, tc_err *e);
/* One round (at most limit photos) of the batch's retention purge: every
 * photo of the batch that is no live, approved or final submission's (failed,
 * error, deleted, drafts — which become deleted — and superseded ones) loses
 * its files and is marked swept; the photos that are kept (a live, approved or
 * final submission's: the standard photo, the proof and the clean final) lose
 * their originals (the upload, the upright original, the reviewers'
 * overlay).  Photos being made are left alone.  Files go as in
 * tc_store_photo_sweep (no photo that keeps its files names them, no e-mail
 * waiting attaches them; remove inside the transaction).  Idempotent: a
 * purged batch has nothing left to do.  *photos: photos changed this round
 * (swept plus kept ones that lost their originals; each kind at most limit:
 * under limit, the batch is done), *files: files removed. */
int tc_store_batch_purge(tc_store *s, int64_t batch_id, int limit, int (*remove)(void *ctx, const char *blob_id),
                         void *ctx, int *photos, int *files, int64_t now, tc_err *e);
/* Erase one student's personal data on request (issue 19 item 5), in one
 * transaction: every photo and submission of the record (rows deleted, files
 * removed as above), consent rows, messages, the outbox rows and e-mail
 * records made for the student, reminders, sessions; the roster row keeps
 * its id but loses name, student number ("已删除-<id>"), ID number (sealed and
 * hash), 采集码, class data, phone, e-mail and channel choices (erased_at =
 * now); the person's phone, ID hash and addresses go when no other record
 * of the person is left.  Orders (amounts, times, order numbers, the
 * provider's transaction ids) are kept as the law requires.  Refused when the
 * record was already erased (student.erased, 409).  id_sealed: what the ID
 * number's column holds afterwards (the caller seals a placeholder, so every
 * reader that opens it still can).  *out counts what went and what was kept. */
typedef struct tc_store_erase_counts {
    int photos, files, submissions, messages, consents;
    int orders_kept; /* the record's orders, kept */
} tc_store_erase_counts;
int tc_store_student_erase(tc_store *s, int64_t student_id, const uint8_t *id_sealed, size_t id_sealed_len,
                           int (*remove)(void *ctx, const char *blob_id), void *ctx, int64_t now,
                           tc_store_erase_counts *out, tc_err *e);
/* Delete a draft, not before min_age_s after it was made:
 * journey.delete_too_early (409, *deletable_at set), journey.not_a_draft. */
int tc_store_photo_delete(tc_store *s, int64_t student_id, int64_t photo_id, int64_t min_age_s, int64_t now,
                          int64_t *deletable_at, tc_err *e);

/* Face hashes of earlier photos of a school's students (for the duplicate
 * check), newest first, at most limit. */
typedef struct tc_store_face_hash {
    int64_t photo_id, student_id;
    uint8_t hash[32];
} tc_store_face_hash;
int tc_store_face_hashes(tc_store *s, tc_pool *p, int64_t school_id, int limit, tc_store_face_hash **out,
                         size_t *n, tc_err *e);

typedef struct tc_store_submission {
    int64_t id, student_id, photo_id;
    const char *state;           /* the stored word, for answers                */
    tc_store_sub_state state_enum; /* the same state, to decide on            */
    int64_t created_at, submitted_at, decided_at, reviewer_id, final_at;
    const char *reasons;         /* JSON array of check names / catalogue codes */
    const char *note;
    const char *photo_token;     /* the photo's public token (tc_store_photo.token) */
    const char *final_state;     /* the 成片's word ('' before production)      */
    tc_store_final_state final_state_enum;
    const char *final_reason;    /* the student's last correction request        */
    int64_t final_by;            /* the staff account that made the 成片 (0: none) */
} tc_store_submission;

/* Confirm a draft: it becomes "used" and a submission starts, in state
 * pending_payment (pay_first 1) or submitted.  journey.already_submitted,
 * journey.not_a_draft. */
int tc_store_submission_create(tc_store *s, int64_t student_id, int64_t photo_id, int pay_first, int64_t now,
                               int64_t *sub_id, tc_err *e);
/* The student's newest submission that was not withdrawn or reset; error
 * journey.no_submission (404) when none. */
int tc_store_submission_current(tc_store *s, tc_pool *p, int64_t student_id, tc_store_submission *out, tc_err *e);
int tc_store_submission_get(tc_store *s, tc_pool *p, int64_t sub_id, tc_store_submission *out, tc_err *e);
/* The newest submission of a photo, whatever its state; journey.no_submission
 * (404) when the photo was never submitted (a draft, a failed photo). */
int tc_store_photo_submission(tc_store *s, tc_pool *p, int64_t photo_id, tc_store_submission *out, tc_err *e);
/* Back to the draft box, only while waiting (submitted or pending payment):
 * journey.not_withdrawable. */
int tc_store_submission_withdraw(tc_store *s, int64_t student_id, int64_t now, tc_err *e);
/* A reviewer's decision on a submitted photo (review.not_submitted),
 * whoever holds a claim on it: tc_store_review_decide without the claim
 * check (tests; tc_store_admin.c). */
int tc_store_submission_decide(tc_store *s, int64_t sub_id, int64_t reviewer_id, int approve, const char *reasons,
                               const char *note, int64_t now, tc_err *e);
/* Production done: the clean photo (final_blob) replaces the proof
 * (review.not_approved unless approved). */
int tc_store_submission_final(tc_store *s, int64_t sub_id, const char *final_blob, int64_t now, tc_err *e);
/* The 成片 by a staff account: an approved submission becomes final with
 * final_state ready; a final one whose student asked for a correction gets
 * the new file and is ready again (final.not_producible otherwise). */
int tc_store_final_make(tc_store *s, int64_t sub_id, const char *final_blob, int64_t staff_id, int64_t now,
                        tc_err *e);
/* The student's 校对 of their current submission's 成片 (final.not_ready
 * unless ready): confirm, or ask for a correction with a reason. */
int tc_store_final_confirm(tc_store *s, int64_t student_id, int64_t now, tc_err *e);
int tc_store_final_correct(tc_store *s, int64_t student_id, const char *reason, int64_t now, tc_err *e);
/* A school resets an unqualified photo at any time (seed 000 §7): the live
 * submission becomes "reset" with the reason; journey.no_submission. */
int tc_store_submission_reset(tc_store *s, int64_t student_id, const char *reason, int64_t now, tc_err *e);
/* Claim up to limit submitted photos, oldest first, for a reviewer for
 * claim_s seconds; photos another reviewer holds are skipped. */
int tc_store_review_claim(tc_store *s, tc_pool *p, int64_t reviewer_id, int limit, int claim_s, int64_t now,
                          tc_store_submission **out, size_t *n, tc_err *e);

typedef struct tc_store_order {
    int64_t id;
    const char *out_trade_no;
    int64_t person_id, student_id;
    const char *kind;            /* "photo", "reprint"                          */
    int64_t amount_fen;
    const char *description, *provider, *state, *provider_txn, *detail;
    tc_store_order_state state_enum; /* state (the stored word) to decide on  */
    int64_t created_at, paid_at, refunded_at;
    const char *ship_state, *carrier, *tracking;
    int64_t shipped_at;
    int64_t late_paid_at;        /* a payment that arrived after the order was closed: when (0: none);
                                    such an order goes closed -> refunding -> refunded */
} tc_store_order;

int tc_store_order_create(tc_store *s, const tc_store_order *o, int64_t *id, tc_err *e);
int tc_store_order_by_no(tc_store *s, tc_pool *p, const char *out_trade_no, tc_store_order *out, tc_err *e);
/* A provider said the order is paid.  Idempotent: a second call for a paid
 * order sets *already and changes nothing; an amount that differs from the
 * order's is refused (pay.amount_mismatch).  A paid photo fee marks the
 * student paid and moves a submission waiting for payment on to review. */
int tc_store_order_paid(tc_store *s, const char *out_trade_no, const char *txn, int64_t amount_fen, int64_t now,
                        int *already, tc_err *e);
int tc_store_order_list(tc_store *s, tc_pool *p, int64_t person_id, tc_store_order **out, size_t *n, tc_err *e);

typedef struct tc_store_message {
    int64_t id, person_id, student_id, at, read_at;
    const char *kind, *title_zh, *title_en, *body_zh, *body_en;
} tc_store_message;

int tc_store_message_add(tc_store *s, const tc_store_message *m, int64_t *id, tc_err *e);
int tc_store_message_list(tc_store *s, tc_pool *p, int64_t person_id, int limit, tc_store_message **out, size_t *n,
                          int64_t *unread, tc_err *e);
int tc_store_message_read(tc_store *s, int64_t person_id, int64_t id, int64_t now, tc_err *e);

/* A school's notice to its students (sanitised HTML) and its settings (JSON
 * object text, the journey's defaults for its batches). */
int tc_store_school_extra(tc_store *s, tc_pool *p, int64_t school_id, const char **notice, const char **settings,
                          tc_err *e);
int tc_store_school_set_notice(tc_store *s, int64_t school_id, const char *notice, tc_err *e);
int tc_store_school_set_settings(tc_store *s, int64_t school_id, const char *settings, tc_err *e);
int tc_store_batch_set_settings(tc_store *s, int64_t batch_id, const char *settings, tc_err *e);

/* ---- outbox ------------------------------------------------------------------------------
 * What must leave the building (e-mail, SMS, webhook), sent by tc_notify's
 * worker with retries.  A row is pending (due at next_at), sending (claimed
 * by the worker), sent, or dead (gave up after max attempts; last_error says
 * why).  Delivery is at least once: a row claimed when the server died goes
 * back to pending at start-up and is sent again. */

typedef struct tc_store_outbox_msg {
    int64_t id;
    int64_t created_at;
    const char *channel;          /* "email", "sms", "webhook", "wechat" */
    const char *recipient;        /* e-mail address, phone number, openid, or webhook event name; <= 254 bytes */
    const char *subject;          /* e-mail subject / SMS template; may be "" */
    const char *body;             /* UTF-8 text (webhook: anything the receiver expects); <= 64 KiB */
    const char *attachment;       /* e-mail: blob id of one JPEG, or "" */
    const char *attachment_name;  /* its file name, e.g. "photo.jpg" ("" = none) */
    int attempts;
    int64_t next_at;
    const char *state;            /* "pending", "sending", "sent", "dead" */
    const char *last_error;
    int64_t sent_at;
    int64_t student_id;           /* whose message (0: nobody's, e.g. a webhook); written, not read back */
} tc_store_outbox_msg;

enum {
    TC_STORE_OUTBOX_BACKOFF_S = 30,     /* first retry after 30 s, doubling ... */
    TC_STORE_OUTBOX_BACKOFF_MAX_S = 3600, /* ... up to an hour */
};

/* Queue a message due now.  Uses channel, recipient, subject, body,
 * attachment, attachment_name of m.  Errors: outbox.bad_message (400). */
int tc_store_outbox_add(tc_store *s, const tc_store_outbox_msg *m, int64_t now, int64_t *id, tc_err *e);
/* The same for a student's status message (m->student_id > 0), under a
 * daily limit per channel: counts the student's rows of m->channel created
 * since day_start and adds
 * this one only when fewer than limit (*added = 1), in one transaction.
 * Over the limit is not an error (*added = 0). */
int tc_store_outbox_add_capped(tc_store *s, const tc_store_outbox_msg *m, int64_t day_start, int limit, int64_t now,
                               int *added, int64_t *id, tc_err *e);
/* Claim up to limit due rows (pending, next_at <= now), oldest first, and
 * mark them sending, in one transaction (strings from p). */
int tc_store_outbox_claim(tc_store *s, tc_pool *p, int64_t now, int limit, tc_store_outbox_msg **out, size_t *n,
                          tc_err *e);
int tc_store_outbox_sent(tc_store *s, int64_t id, int64_t now, tc_err *e);
/* A failed attempt: attempts + 1, last_error = error (truncated to 500
 * bytes); back to pending at now + 30 s * 2^(attempts-1) (at most an hour),
 * or dead when attempts reaches max_attempts.  *dead (may be NULL) says which. */
int tc_store_outbox_failed(tc_store *s, int64_t id, int64_t now, const char *error, int max_attempts, int *dead,
                           tc_err *e);
/* At start-up: rows left sending go back to pending (they were due when
 * claimed, so they are due again at once); *n (may be NULL) how many. */
int tc_store_outbox_recover(tc_store *s, int64_t *n, tc_err *e);
/* Rows in a state (NULL = all), newest first, for the console and tests. */
int tc_store_outbox_list(tc_store *s, tc_pool *p, const char *state, int limit, tc_store_outbox_msg **out, size_t *n,
                         tc_err *e);
int tc_store_outbox_count(tc_store *s, const char *state, int64_t *n, tc_err *e);
int tc_store_outbox_get(tc_store *s, tc_pool *p, int64_t id, tc_store_outbox_msg *out, tc_err *e);

/* ---- every status reaches the student (issue 19; tc_store_notify.c, schema 10) ----------- */

/* Where a student's messages may go besides the message centre. */
typedef struct tc_store_channels {
    int64_t person_id, school_id;
    int status, payment;          /* the kinds the student chose (seed 000 §7)            */
    int sms, wechat;              /* the channels the student chose besides e-mail        */
    const char *email;            /* the confirmed address ("" = no e-mail)               */
    const char *phone;            /* the roster phone ("" = no SMS)                       */
    const char *openid;           /* the WeChat openid given when WeChat was chosen ("")  */
    const char *name;             /* the student's name                                   */
} tc_store_channels;
/* Strings from p.  student.not_found (404). */
int tc_store_channels_get(tc_store *s, tc_pool *p, int64_t student_id, tc_store_channels *out, tc_err *e);
/* The student's SMS and WeChat choice; openid is kept with the WeChat choice
 * (NULL or "" with wechat = 0 clears it). */
int tc_store_channels_set(tc_store *s, int64_t student_id, int sms, int wechat, const char *openid, tc_err *e);
/* An automatic reminder `days` before the close: 1 when this call recorded
 * it (send it), 0 when it was recorded before (sent already), -1 on error. */
int tc_store_remind_once(tc_store *s, int64_t student_id, int days, int64_t now, tc_err *e);
/* Batches whose close lies in (now, until], not cancelled (strings in p). */
int tc_store_batches_closing(tc_store *s, tc_pool *p, int64_t now, int64_t until, tc_store_batch **out, size_t *n,
                             tc_err *e);
/* The school's contact for students: JSON object text {phone, wechat,
 * hours} ("{}" when none; from p) / replace it (school.not_found). */
int tc_store_school_contact(tc_store *s, tc_pool *p, int64_t school_id, const char **json, tc_err *e);
int tc_store_school_set_contact(tc_store *s, int64_t school_id, const char *json, tc_err *e);

/* ---- school console (issue 7): batches, progress, exports, reminders ---------------------- */
/* (tc_store_school.c) */

/* Rename a batch, move its window, replace its own settings (JSON text, the
 * keys it overrides; checked by the caller).  batch.not_found. */
int tc_store_batch_update(tc_store *s, int64_t batch_id, const char *name, int64_t starts_at, int64_t ends_at,
                          const char *settings, tc_err *e);

/* Progress of a batch, one row per (class, state): how many students, how
 * many of them paid the photo fee, how many are locked now. */
typedef struct tc_store_progress_row {
    const char *class_name, *state;
    int64_t n, paid, locked;
} tc_store_progress_row;
int tc_store_progress(tc_store *s, tc_pool *p, int64_t batch_id, int64_t now, tc_store_progress_row **out, size_t *n,
                      tc_err *e);

/* A roster row with the journey columns the console shows. */
typedef struct tc_store_roster_row {
    tc_store_student st;
    int64_t paid_order, locked_until, reminded_at;
    int live_locked, notify_status;
    const char *email;
} tc_store_roster_row;
typedef struct tc_store_roster_query {
    int64_t batch_id;
    const char *q;            /* part of the name, student no or class (NULL/"": any) */
    const char *class_name;   /* exactly this class (NULL/"": any)                     */
    int unfinished;           /* only students not yet approved or final               */
    int locked;               /* only students locked now                              */
    int limit, offset;        /* limit <= 0: all                                       */
} tc_store_roster_query;
int tc_store_roster_search(tc_store *s, tc_pool *p, const tc_store_roster_query *q, int64_t now,
                           tc_store_roster_row **out, size_t *n, int64_t *total, tc_err *e);

/* One student added to r->batch_id (school from the batch) or edited (by
 * r->id: the roster fields only, progress kept).  Uses name, student_no,
 * id_sealed, id_hash, chsi_hash, level, programme, department, class_name,
 * phone.  409 student.no_taken / student.id_taken / student.chsi_taken. */
int tc_store_student_add(tc_store *s, const tc_store_student *r, int64_t *id, tc_err *e);
int tc_store_student_update(tc_store *s, const tc_store_student *r, tc_err *e);

/* The approved or final photo of each student of a batch (blob: the 成片
 * when made, else the standard photo), by student number. */
typedef struct tc_store_export_row {
    int64_t student_id, decided_at;
    const char *name, *student_no, *class_name, *state, *blob;
    const uint8_t *id_sealed;
    size_t id_sealed_len;
    const uint8_t *chsi_sealed; /* NULL: no code, or hash only */
    size_t chsi_sealed_len;
    int has_chsi;               /* a code is bound (sealed or not) */
    int confirmed;              /* a 成片 the student confirmed (校对); 0: approved, not produced,
                                   or waiting for the student's check or a correction */
    const char *level, *programme, *department; /* the roster's, "" when empty */
} tc_store_export_row;
int tc_store_export_photos(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_export_row **out, size_t *n,
                           tc_err *e);

/* Take the reminder slot of a student: 1 if the last reminder was at least
 * min_gap_s ago (and now is recorded), 0 if too soon, -1 on error. */
int tc_store_remind_take(tc_store *s, int64_t student_id, int64_t now, int64_t min_gap_s, tc_err *e);
/* school console end */

/* ---- platform admin (issue 7): reason catalogue, specs, audit search, staff --------------- */
/* (tc_store_admin.c)  The reviewer's queue and production, the catalogue of
 * rejection reasons, custom specs, account and school changes, the audit log. */

/* A reviewer's decision, only on a submitted photo that no other reviewer
 * holds a live claim on: review.not_submitted (409), review.claimed (409,
 * another reviewer has it until the claim expires).  Clears the claim. */
int tc_store_review_decide(tc_store *s, int64_t sub_id, int64_t reviewer_id, int approve, const char *reasons,
                           const char *note, int64_t now, tc_err *e);

/* An approved photo waiting for production, with what the list shows. */
typedef struct tc_store_production {
    int64_t sub_id, student_id, batch_id, school_id, decided_at, reviewer_id;
    const char *name, *student_no, *class_name, *batch_name, *school_name;
    const char *final_reason; /* '' for an approved photo; the student's words for a correction */
    const char *final_state;  /* '' (approved) or "correction"                                   */
    const char *photo_token;  /* the photo's public token                                          */
} tc_store_production;
/* Approved submissions and final ones whose student asked for a correction
 * (batch_id 0: all; approved_only 1: not the corrections, which production
 * answers one by one), oldest decision first. */
int tc_store_review_production(tc_store *s, tc_pool *p, int64_t batch_id, int approved_only, int limit, int offset,
                               tc_store_production **out, size_t *n, int64_t *total, tc_err *e);

/* The reviewer's start page: photos waiting (submitted), photos waiting for
 * production (approved, or a 成片 whose student asked for a correction), and
 * this reviewer's decisions since `since`. */
int tc_store_review_stats(tc_store *s, int64_t reviewer_id, int64_t since, int64_t *queue, int64_t *approved,
                          int64_t *mine, tc_err *e);

typedef struct tc_store_reason {
    const char *code, *zh, *en;
    int64_t sort, updated_at;
    int active;
} tc_store_reason;
/* The catalogue by sort then code; active_only 1 leaves out deactivated ones. */
int tc_store_reason_list(tc_store *s, tc_pool *p, int active_only, tc_store_reason **out, size_t *n, tc_err *e);
/* review.bad_reason (400) when absent or (active_only) deactivated. */
int tc_store_reason_get(tc_store *s, tc_pool *p, const char *code, int active_only, tc_store_reason *out, tc_err *e);
/* reason.code_taken (409). */
int tc_store_reason_add(tc_store *s, const tc_store_reason *r, int64_t now, tc_err *e);
/* Replace zh, en, sort, active of an existing code: reason.not_found (404). */
int tc_store_reason_update(tc_store *s, const tc_store_reason *r, int64_t now, tc_err *e);

/* A custom spec.  Which names are built in is the photo module's business:
 * the store keeps any name, the API refuses built-in ones. */
typedef struct tc_store_spec {
    const char *name, *json;     /* json: tc_spec_to_json of the parsed spec */
    int64_t created_at, updated_at; /* updated_at 0: never edited */
} tc_store_spec;
int tc_store_spec_list(tc_store *s, tc_pool *p, tc_store_spec **out, size_t *n, tc_err *e);
/* spec.not_found (404). */
int tc_store_spec_get(tc_store *s, tc_pool *p, const char *name, tc_store_spec *out, tc_err *e);
/* spec.name_taken (409). */
int tc_store_spec_add(tc_store *s, const char *name, const char *json, int64_t now, tc_err *e);
/* Replace the JSON of an existing spec (the name stays): spec.not_found
 * (404).  Photos already made keep their pixels; the photo workers read the
 * spec when they make a photo, so only photos made after this use it. */
int tc_store_spec_update(tc_store *s, const char *name, const char *json, int64_t now, tc_err *e);

/* One place that chooses a spec by name: a school's defaults (batch_id 0,
 * batch_name "") or a batch's own settings ("spec" in the settings JSON). */
typedef struct tc_store_spec_use {
    int64_t school_id, batch_id;
    const char *school_name, *batch_name;
} tc_store_spec_use;
/* Every place that chooses `name`, schools first, then batches by id; none
 * is 0 with *n 0.  Rows live in p. */
int tc_store_spec_uses(tc_store *s, tc_pool *p, const char *name, tc_store_spec_use **out, size_t *n, tc_err *e);
/* Delete a custom spec unless some school default or batch setting chooses
 * it; the check and the delete are one transaction.  spec.in_use (409; the
 * message names the first places; uses and n_uses, when not NULL, get them
 * all, in p), spec.not_found (404). */
int tc_store_spec_delete(tc_store *s, tc_pool *p, const char *name, tc_store_spec_use **uses, size_t *n_uses,
                         tc_err *e);

/* Role, school (0 for none) and disabled of an account; the schema's check
 * (a school admin has exactly one school) gives staff.bad_role (400). */
int tc_store_staff_update(tc_store *s, int64_t id, const char *role, int64_t school_id, int disabled, tc_err *e);
/* school.not_found (404), school.name_taken (409). */
int tc_store_school_rename(tc_store *s, int64_t id, const char *name, tc_err *e);

typedef struct tc_store_audit_row {
    int64_t id, at, staff_id;
    const char *username, *action, *target, *before, *after, *ip;
} tc_store_audit_row;
/* Filters: 0 / NULL / "" mean any.  action matches exactly or, ending in
 * '.', as a prefix ("review."); target as a prefix; text anywhere in
 * action, target, before or after.  Newest first. */
typedef struct tc_store_audit_query {
    int64_t staff_id, from, to;   /* to: exclusive */
    const char *action, *target, *text;
    int limit, offset;
} tc_store_audit_query;
int tc_store_audit_search(tc_store *s, tc_pool *p, const tc_store_audit_query *q, tc_store_audit_row **out,
                          size_t *n, int64_t *total, tc_err *e);
/* platform admin end */

/* ---- money (issue 8): orders by state, addresses, reprints, shipping, refunds, reconciliation */
/* (tc_store_money.c; creating and paying an order is declared with the
 * journey above.)  Every state change below is one conditional UPDATE, so
 * that two requests at once cannot both pass. */

/* A person's orders on one tab of the order page: "all", "to_pay" (created),
 * "to_ship" (a paid reprint not yet sent), "shipped", "done" (a paid photo
 * fee, or a reprint received).  Newest first.  order.bad_filter (400). */
int tc_store_order_list_by(tc_store *s, tc_pool *p, int64_t person_id, const char *filter, tc_store_order **out,
                           size_t *n, tc_err *e);
/* The student closes an unpaid order: order.not_closable (409). */
int tc_store_order_close(tc_store *s, int64_t person_id, const char *out_trade_no, int64_t now, tc_err *e);
/* Paid reprints by ship_state ("to_ship", "shipped", "done"; "" = all),
 * oldest payment first: the print queue. */
int tc_store_print_queue(tc_store *s, tc_pool *p, const char *ship_state, tc_store_order **out, size_t *n, tc_err *e);
/* to_ship -> shipped with carrier and tracking number: order.not_to_ship (409). */
int tc_store_order_ship(tc_store *s, const char *out_trade_no, const char *carrier, const char *tracking,
                        int64_t now, tc_err *e);
/* shipped -> done (received); person_id 0 = staff, else only the owner's:
 * order.not_shipped (409). */
int tc_store_order_done(tc_store *s, int64_t person_id, const char *out_trade_no, tc_err *e);
/* paid -> refunding (*already when it was not paid any more). */
int tc_store_order_refunding(tc_store *s, const char *out_trade_no, int *already, tc_err *e);
/* paid|refunding -> refunded (*already when it was neither). */
int tc_store_order_refunded(tc_store *s, const char *out_trade_no, int64_t now, int *already, tc_err *e);
/* Mark a batch cancelled (once: *already afterwards); batch.not_found. */
int tc_store_batch_cancel(tc_store *s, int64_t batch_id, int64_t now, int *already, tc_err *e);
/* Photo-fee orders of a batch's students that are paid or refunding. */
int tc_store_batch_refundable(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_order **out, size_t *n, tc_err *e);
/* A provider's orders created, paid or refunded in [from, to). */
int tc_store_order_activity(tc_store *s, tc_pool *p, const char *provider, int64_t from, int64_t to,
                            tc_store_order **out, size_t *n, tc_err *e);

/* The daily reconciliation report of one provider (report: JSON text). */
typedef struct tc_store_recon {
    const char *day, *provider, *report;
    int64_t created_at;
} tc_store_recon;
/* Insert or replace the (day, provider) report. */
int tc_store_recon_put(tc_store *s, const char *day, const char *provider, int64_t now, const char *report, tc_err *e);
/* Newest days first; day NULL/"" = any. */
int tc_store_recon_list(tc_store *s, tc_pool *p, const char *day, int limit, tc_store_recon **out, size_t *n,
                        tc_err *e);

/* The address book (paper photos are sent there).  Exactly one default
 * while any exist: the first is the default, a new default clears the old,
 * deleting the default promotes the newest. */
typedef struct tc_store_address {
    int64_t id, person_id;
    const char *name, *phone, *region, *detail;
    int is_default;
    int64_t created_at;
} tc_store_address;
int tc_store_address_list(tc_store *s, tc_pool *p, int64_t person_id, tc_store_address **out, size_t *n, tc_err *e);
/* address.not_found (404) unless it is the person's. */
int tc_store_address_get(tc_store *s, tc_pool *p, int64_t person_id, int64_t id, tc_store_address *out, tc_err *e);
/* id 0: add (a->id set; address.too_many past max_per_person); else edit
 * the person's address a->id (is_default 1 makes it the default; 0 keeps
 * it as it was).  Fields are validated by the caller. */
int tc_store_address_save(tc_store *s, tc_store_address *a, int max_per_person, tc_err *e);
int tc_store_address_delete(tc_store *s, int64_t person_id, int64_t id, tc_err *e);

/* At start-up (tc_notify_new): pending outbox rows waiting out a backoff
 * become due now — a restart is when a broken channel was usually fixed,
 * so nothing should wait an hour for it.  *n (may be NULL) how many. */
int tc_store_outbox_due_now(tc_store *s, int64_t now, int64_t *n, tc_err *e);

/* ---- money (issue 14): one open order per fee, cancelled batches, late payments, durability */

/* Make an order in one transaction that first re-checks the record's batch:
 * batch.cancelled (409) when it was cancelled.  For a photo fee the
 * record's open (created) photo-fee order, if there is one, is returned
 * instead of a new one (*reused = 1): one open order per fee, so that paying
 * twice cannot leave two payable orders.  out (from p) is the order as
 * stored. */
int tc_store_order_open(tc_store *s, tc_pool *p, const tc_store_order *o, tc_store_order *out, int *reused,
                        tc_err *e);
/* Is the record's batch cancelled?  *cancelled_at 0 when not. */
int tc_store_student_cancelled(tc_store *s, int64_t student_id, int64_t *cancelled_at, tc_err *e);
/* Open (created) orders, of any kind, of a batch's students. */
int tc_store_batch_open_orders(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_order **out, size_t *n,
                               tc_err *e);
/* A provider says a CLOSED order was paid (the payer was already paying when
 * it was closed): the money is recorded against it and the order goes
 * closed -> refunding with late_paid_at set, once (*already for a repeat,
 * or when the order is not closed).  pay.amount_mismatch (400) as for
 * tc_store_order_paid; pay.order_not_found. */
int tc_store_order_paid_late(tc_store *s, const char *out_trade_no, const char *txn, int64_t amount_fen, int64_t now,
                             int *already, tc_err *e);
/* Late payments for staff: those that arrived in [from, to) and those whose
 * refund is not finished (still refunding), oldest first. */
int tc_store_order_late_list(tc_store *s, tc_pool *p, int64_t from, int64_t to, tc_store_order **out, size_t *n,
                             tc_err *e);
/* The lowest PRAGMA synchronous over the pool's connections (0 OFF,
 * 1 NORMAL, 2 FULL, 3 EXTRA), -1 on error: what a commit's durability rests
 * on (tests and the bench ask). */
int tc_store_synchronous(tc_store *s);
/* Set it on every connection of the pool: for the bench, which compares
 * levels in one run; the server keeps what tc_store_open sets. */
int tc_store_set_synchronous(tc_store *s, int level, tc_err *e);
/* money end (issue 14) */

/* money end */

#endif
