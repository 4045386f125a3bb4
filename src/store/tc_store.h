/*
 * tc_store — everything tucai keeps, behind functions that speak in the
 * domain's terms.  Callers never see SQL, so a PostgreSQL backend can be
 * added behind these same functions without touching the handlers.
 *
 * The SQLite backend runs in WAL mode with foreign keys on, and keeps a small
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

/* Opens (creating if needed) and migrates to the newest schema. */
tc_store *tc_store_open(const char *path, tc_err *e);
void tc_store_close(tc_store *s);
int tc_store_schema_version(tc_store *s);   /* newest applied migration */
int tc_store_schema_latest(void);           /* newest this binary knows */
/* Is the database empty of schools (used by --demo)? 1 yes, 0 no, -1 error. */
int tc_store_is_empty(tc_store *s, tc_err *e);

/* ---- schools and batches ---------------------------------------------------- */

typedef struct tc_school {
    int64_t id;
    const char *name;
    int64_t created_at;
} tc_school;

int tc_store_school_create(tc_store *s, const char *name, int64_t *id, tc_err *e);
int tc_store_school_get(tc_store *s, tc_pool *p, int64_t id, tc_school *out, tc_err *e);
int tc_store_school_list(tc_store *s, tc_pool *p, tc_school **out, size_t *n, tc_err *e);

typedef struct tc_batch {
    int64_t id;
    int64_t school_id;
    const char *name;
    char code[8];           /* 6-character 特征码, a-z 0-9 */
    int64_t starts_at;      /* collection window, seconds since the epoch; 0 = open */
    int64_t ends_at;
    const char *settings;   /* JSON object text: fees, limits, spec (see docs) */
    int64_t created_at;
    int64_t students;       /* filled by list/get: roster size */
} tc_batch;

/* Errors: batch.code_taken (409) when the code is in use. */
int tc_store_batch_create(tc_store *s, tc_batch *b, tc_err *e);
int tc_store_batch_get(tc_store *s, tc_pool *p, int64_t id, tc_batch *out, tc_err *e);
int tc_store_batch_by_code(tc_store *s, tc_pool *p, const char *code, tc_batch *out, tc_err *e);
int tc_store_batch_list(tc_store *s, tc_pool *p, int64_t school_id, tc_batch **out, size_t *n, tc_err *e);

/* ---- students (roster rows, one per education record) ---------------------------- */

typedef struct tc_student {
    int64_t id;
    int64_t batch_id;
    int64_t school_id;
    const char *name;
    const char *student_no;
    const uint8_t *id_sealed;   /* ID number, encrypted (tc_ident_seal) */
    size_t id_sealed_len;
    uint8_t id_hash[32];        /* keyed hash of the normalised ID number */
    uint8_t chsi_hash[32];      /* keyed hash of the 学信网 图像采集码 content */
    const char *level;          /* 层次, e.g. 本科 */
    const char *programme;      /* 专业 */
    const char *department;     /* 院系 */
    const char *class_name;     /* 班级 */
    const char *phone;          /* confirmed by the student (or from the roster) */
    int64_t person_id;          /* 0 until the student has verified */
    int64_t verified_at;
    const char *state;          /* "not_started", "verified", ... */
    int64_t created_at;
} tc_student;

/* Insert a batch's roster in one transaction.  A row whose student number is
 * already in the batch replaces that row's roster fields (a corrected
 * roster), keeping the student's progress.  A 采集码 or ID number already
 * used by another student of this batch fails the whole import:
 * error roster.conflict (409) and *bad_row = the 0-based index. */
int tc_store_roster_import(tc_store *s, int64_t batch_id, const tc_student *rows, size_t n, size_t *bad_row,
                           size_t *inserted, size_t *updated, tc_err *e);
int tc_store_student_get(tc_store *s, tc_pool *p, int64_t id, tc_student *out, tc_err *e);
/* By 采集码 hash across all batches; batch_id 0 = any batch.  Newest first
 * when a code appears in several batches. */
int tc_store_student_by_chsi(tc_store *s, tc_pool *p, int64_t batch_id, const uint8_t chsi_hash[32],
                             tc_student *out, tc_err *e);
/* Search a batch's roster by name or student number prefix (q may be NULL). */
int tc_store_student_list(tc_store *s, tc_pool *p, int64_t batch_id, const char *q, int limit, int offset,
                          tc_student **out, size_t *n, int64_t *total, tc_err *e);
/* Records of a person, newest first. */
int tc_store_student_by_person(tc_store *s, tc_pool *p, int64_t person_id, tc_student **out, size_t *n,
                               tc_err *e);
/* The student verified: link to the person, set phone, state verified. */
int tc_store_student_verify(tc_store *s, int64_t student_id, int64_t person_id, const char *phone, tc_err *e);

/* ---- persons (a student who signed in; may hold several records) ---------------- */

/* Find the person by the keyed hash of the ID number, or create one. */
int tc_store_person_upsert(tc_store *s, const uint8_t id_hash[32], const char *phone, int64_t *person_id,
                           tc_err *e);
int tc_store_person_id_hash(tc_store *s, int64_t person_id, uint8_t out[32], tc_err *e);

/* ---- staff ----------------------------------------------------------------------- */

typedef struct tc_staff {
    int64_t id;
    const char *username;
    const char *pwhash;
    const char *role;           /* "platform_admin", "reviewer", "school_admin" */
    int64_t school_id;          /* school admins only */
    int must_change_password;
    int disabled;
    int64_t created_at;
} tc_staff;

/* Errors: staff.username_taken (409). */
int tc_store_staff_create(tc_store *s, const tc_staff *st, int64_t *id, tc_err *e);
int tc_store_staff_get(tc_store *s, tc_pool *p, int64_t id, tc_staff *out, tc_err *e);
int tc_store_staff_by_username(tc_store *s, tc_pool *p, const char *username, tc_staff *out, tc_err *e);
int tc_store_staff_set_password(tc_store *s, int64_t id, const char *pwhash, int must_change, tc_err *e);
int tc_store_staff_list(tc_store *s, tc_pool *p, tc_staff **out, size_t *n, tc_err *e);

/* ---- sessions ----------------------------------------------------------------------- */

typedef struct tc_session {
    char token_hash[65];        /* the cookie's token, hashed: a stolen DB grants nothing */
    const char *kind;           /* "staff", "student", "entry" (verified, phone not yet given) */
    int64_t staff_id;
    int64_t person_id;
    int64_t student_id;         /* the record being entered ("entry") or current record */
    char csrf[44];
    int64_t created_at;
    int64_t expires_at;
} tc_session;

int tc_store_session_create(tc_store *s, const tc_session *ss, tc_err *e);
/* Error session.none (401) when absent or expired. */
int tc_store_session_get(tc_store *s, tc_pool *p, const char *token_hash, int64_t now, tc_session *out, tc_err *e);
int tc_store_session_delete(tc_store *s, const char *token_hash, tc_err *e);
/* End every session of a staff member (after a password change), but one. */
int tc_store_session_delete_staff(tc_store *s, int64_t staff_id, const char *keep_hash, tc_err *e);

/* ---- audit and lockouts ---------------------------------------------------------------- */

/* Every verification attempt by a student, good or bad. */
typedef struct tc_verify_attempt {
    const char *ip;
    const char *method;         /* "qr", "code", "confirm", "add_record" */
    int64_t batch_id;           /* 0 when unknown */
    int64_t student_id;         /* 0 when no roster row matched */
    int ok;
    const char *reason;         /* error code when not ok */
} tc_verify_attempt;
int tc_store_audit_verify(tc_store *s, const tc_verify_attempt *a, tc_err *e);
int64_t tc_store_audit_verify_count(tc_store *s, int64_t student_id, tc_err *e);

/* Staff actions: who, what, on what, before and after (JSON text or NULL). */
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

#endif
