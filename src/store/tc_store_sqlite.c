/* tc_store — identity: schools, batches, students and persons, staff,
 * sessions, audit and lockouts.  See tc_store.h for the contract; the pool,
 * transactions and statement helpers are in tc_store_db.c, the schema in
 * tc_store_migrate.c. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int tc_store_is_empty(tc_store *s, tc_err *e)
{
    int64_t n = 0;
    int rc = store_get_ints(s, &n, 1, e, "SELECT count(*) FROM school", NULL);
    return rc == 0 ? n == 0 : -1;
}

/* ---- schools ---------------------------------------------------------------------- */

int tc_store_school_create(tc_store *s, const char *name, int64_t *id, tc_err *e)
{
    int64_t ch = store_write(s, id, e, "INSERT INTO school(name, created_at) VALUES (?, ?)", "si", name, tc_now());
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_SCHOOL_NAME_TAKEN, name);
    return ch >= 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "insert school");
}

static void read_school(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_school *o = o_;
    store_cols(p, st, 0, "isi", &o->id, &o->name, &o->created_at);
}

int tc_store_school_get(tc_store *s, tc_pool *p, int64_t id, tc_store_school *out, tc_err *e)
{
    int rc = store_get(s, p, read_school, out, e, "SELECT id, name, created_at FROM school WHERE id = ?", "i", id);
    return rc == 1 ? tc_err_set(e, TCE_SCHOOL_NOT_FOUND) : rc;
}

int tc_store_school_list(tc_store *s, tc_pool *p, tc_store_school **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_school, (void **)out, n, e,
                      "SELECT id, name, created_at FROM school ORDER BY id", NULL);
}

/* ---- batches ------------------------------------------------------------------------ */

#define BATCH_COLS                                                                                             \
    "b.id, b.school_id, b.name, b.code, b.starts_at, b.ends_at, b.settings, b.created_at, "                    \
    "(SELECT count(*) FROM student WHERE batch_id = b.id), b.cancelled_at"

static void read_batch(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_batch *o = o_;
    const char *code;
    store_cols(p, st, 0, "iissiisiii", &o->id, &o->school_id, &o->name, &code, &o->starts_at, &o->ends_at,
               &o->settings, &o->created_at, &o->students, &o->cancelled_at);
    snprintf(o->code, sizeof o->code, "%s", code);
}

int tc_store_batch_create(tc_store *s, tc_store_batch *b, tc_err *e)
{
    int64_t ch = store_write(s, &b->id, e,
                             "INSERT INTO batch(school_id, name, code, starts_at, ends_at, settings, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)",
                             "issiisi", b->school_id, b->name, b->code, b->starts_at, b->ends_at,
                             b->settings ? b->settings : "{}", tc_now());
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_BATCH_CODE_TAKEN, b->code);
    if (ch == STORE_FKEY)
        return tc_err_set(e, TCE_SCHOOL_NOT_FOUND);
    return ch >= 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "insert batch");
}

static int batch_one(tc_store *s, tc_pool *p, const char *where, const char *fmt, int64_t id, const char *code,
                     tc_store_batch *out, tc_err *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " BATCH_COLS " FROM batch b WHERE %s", where);
    int rc = code ? store_get(s, p, read_batch, out, e, sql, fmt, code) : store_get(s, p, read_batch, out, e, sql, fmt, id);
    return rc == 1 ? tc_err_set(e, TCE_BATCH_NOT_FOUND_3) : rc;
}

int tc_store_batch_get(tc_store *s, tc_pool *p, int64_t id, tc_store_batch *out, tc_err *e)
{
    return batch_one(s, p, "b.id = ?", "i", id, NULL, out, e);
}

int tc_store_batch_by_code(tc_store *s, tc_pool *p, const char *code, tc_store_batch *out, tc_err *e)
{
    return batch_one(s, p, "b.code = ?", "s", 0, code, out, e);
}

int tc_store_batches_closing(tc_store *s, tc_pool *p, int64_t now, int64_t until, tc_store_batch **out, size_t *n,
                             tc_err *e)
{
    return store_list(s, p, sizeof **out, read_batch, (void **)out, n, e,
                      "SELECT " BATCH_COLS " FROM batch b WHERE b.cancelled_at = 0 AND b.ends_at > ?"
                      " AND b.ends_at <= ? ORDER BY b.ends_at, b.id",
                      "ii", now, until);
}

int tc_store_batch_list(tc_store *s, tc_pool *p, int64_t school_id, tc_store_batch **out, size_t *n, tc_err *e)
{
    return school_id ? store_list(s, p, sizeof **out, read_batch, (void **)out, n, e,
                                  "SELECT " BATCH_COLS " FROM batch b WHERE b.school_id = ? ORDER BY b.id", "i",
                                  school_id)
                     : store_list(s, p, sizeof **out, read_batch, (void **)out, n, e,
                                  "SELECT " BATCH_COLS " FROM batch b ORDER BY b.id", NULL);
}

/* ---- students ------------------------------------------------------------------------- */

/* STORE_STUDENT_COLS (store_int.h) */
void store_read_student(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_student *o = o_;
    /* chsi_sealed 'B': no code is NULL, as tc_store.h says */
    store_cols(p, st, 0, "iiissbhhsssssiisiBii", &o->id, &o->batch_id, &o->school_id, &o->name, &o->student_no,
               &o->id_sealed, &o->id_sealed_len, o->id_hash, o->chsi_hash, &o->level, &o->programme, &o->department,
               &o->class_name, &o->phone, &o->person_id, &o->verified_at, &o->state, &o->created_at,
               &o->chsi_sealed, &o->chsi_sealed_len, &o->chsi_bound_at, &o->erased_at);
}

int tc_store_roster_import(tc_store *s, int64_t batch_id, const tc_store_student *rows, size_t n, size_t *bad_row,
                           size_t *inserted, size_t *updated, tc_err *e)
{
    return tc_store_roster_import_ex(s, batch_id, rows, n, 0, NULL, NULL, bad_row, inserted, updated, e);
}

static int zero_hash(const uint8_t h[32])
{
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= h[i];
    return any == 0;
}

int tc_store_roster_import_ex(tc_store *s, int64_t batch_id, const tc_store_student *rows, size_t n, int flags,
                              tc_store_roster_skip *skips, size_t *nskips, size_t *bad_row, size_t *inserted,
                              size_t *updated, tc_err *e)
{
    assert(!(flags & TC_STORE_ROSTER_SKIP) || (skips && nskips));
    *inserted = *updated = 0;
    *bad_row = (size_t)-1;
    if (nskips)
        *nskips = 0;
    store_conn *db = store_acquire(s);
    int rc = -1;
    int64_t school_id = 0;
    if (store_db_ints(db, &school_id, 1, e, "SELECT school_id FROM batch WHERE id = ?", "i", batch_id) != 0)
        goto out;
    if (!school_id) {
        tc_err_set(e, TCE_BATCH_NOT_FOUND_2);
        goto out;
    }
    if (store_tx_begin(db, e) != 0)
        goto out;
    int64_t now = tc_now();
    for (size_t i = 0; i < n; i++) {
        const tc_store_student *r = &rows[i];
        /* Upsert by student number: a corrected roster keeps progress. */
        int64_t exists = 0;
        if (store_db_ints(db, &exists, 1, e, "SELECT 1 FROM student WHERE batch_id = ? AND student_no = ?", "is",
                          batch_id, r->student_no) != 0)
            goto rollback;
        int64_t ch;
        /* a refused row may be skipped and the import go on: the row's write
         * undoes only itself (on PostgreSQL a savepoint around it) */
        if (store_savepoint(db, e) != 0)
            goto rollback;
        if (zero_hash(r->chsi_hash) && exists)
            /* keep the stored 采集码: an UPDATE that does not touch it (a new
             * row without one is inserted below with no code) */
            ch = store_db_write(db, NULL, e,
                                "UPDATE student SET name = ?, id_sealed = ?, id_hash = ?, level = ?, programme = ?,"
                                " department = ?, class_name = ?,"
                                " phone = CASE WHEN phone = '' THEN ? ELSE phone END"
                                " WHERE batch_id = ? AND student_no = ?",
                                "sbhsssssis", r->name, r->id_sealed, r->id_sealed_len, r->id_hash,
                                r->level ? r->level : "", r->programme ? r->programme : "",
                                r->department ? r->department : "", r->class_name ? r->class_name : "",
                                r->phone ? r->phone : "", batch_id, r->student_no);
        else
            ch = store_db_write(
                db, NULL, e,
                /* no code (all zero): NULL, which never collides in the unique indexes */
                "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                " level, programme, department, class_name, phone, created_at, chsi_sealed)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(batch_id, student_no) DO UPDATE SET name = excluded.name,"
                " id_sealed = excluded.id_sealed, id_hash = excluded.id_hash, chsi_hash = excluded.chsi_hash,"
                " chsi_sealed = excluded.chsi_sealed,"
                " chsi_bound_at = CASE WHEN student.chsi_hash IS NOT DISTINCT FROM excluded.chsi_hash THEN student.chsi_bound_at"
                "   ELSE 0 END,"
                " level = excluded.level, programme = excluded.programme, department = excluded.department,"
                " class_name = excluded.class_name,"
                " phone = CASE WHEN student.phone = '' THEN excluded.phone ELSE student.phone END",
                "iissbhHsssssib", batch_id, school_id, r->name, r->student_no, r->id_sealed, r->id_sealed_len,
                r->id_hash, r->chsi_hash, r->level ? r->level : "", r->programme ? r->programme : "",
                r->department ? r->department : "", r->class_name ? r->class_name : "", r->phone ? r->phone : "", now,
                r->chsi_sealed, r->chsi_sealed_len);
        if (store_savepoint_end(db, ch >= 0 ? 0 : -1, e) != 0)
            goto rollback;
        if (ch >= 0) {
            if (exists)
                (*updated)++;
            else
                (*inserted)++;
            continue;
        }
        if (ch != STORE_UNIQUE) {
            if (ch != -1)
                store_refused(e, ch, "insert student");
            goto rollback;
        }
        /* a failed statement undoes only itself: the transaction goes on */
        const char *fail = store_refused_by(db, "chsi_hash") ? "roster.chsi_taken" : "roster.conflict";
        if (flags & TC_STORE_ROSTER_SKIP) {
            skips[*nskips].row = i;
            skips[*nskips].code = fail;
            (*nskips)++;
            continue;
        }
        *bad_row = i;
        if (!strcmp(fail, "roster.chsi_taken"))
            tc_err_set(e, TCE_ROSTER_CHSI_TAKEN, i + 1);
        else
            tc_err_set(e, TCE_ROSTER_CONFLICT, i + 1);
        goto rollback;
    }
    if (flags & TC_STORE_ROSTER_ROLLBACK) {
        store_tx_end(db, -1, NULL); /* a dry run: everything checked, nothing kept */
        rc = 0;
        goto out;
    }
    if (store_tx_end(db, 0, e) == 0)
        rc = 0;
    else
        *inserted = *updated = 0; /* the failed COMMIT rolled back */
    goto out;
rollback:
    store_tx_end(db, -1, NULL);
    *inserted = *updated = 0;
out:
    store_release(s, db);
    return rc;
}

int tc_store_student_get(tc_store *s, tc_pool *p, int64_t id, tc_store_student *out, tc_err *e)
{
    int rc = store_get(s, p, store_read_student, out, e, "SELECT " STORE_STUDENT_COLS " FROM student WHERE id = ?", "i",
                       id);
    return rc == 1 ? tc_err_set(e, TCE_STUDENT_NOT_FOUND_2) : rc;
}

int tc_store_student_by_chsi(tc_store *s, tc_pool *p, int64_t batch_id, const uint8_t chsi_hash[32],
                             tc_store_student *out, tc_err *e)
{
    /* One row holds a code (migration 6); rows that shared one before are
     * marked chsi_dup and are never found by it. */
    int rc = batch_id ? store_get(s, p, store_read_student, out, e,
                                  "SELECT " STORE_STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0"
                                  " AND batch_id = ?",
                                  "hi", chsi_hash, batch_id)
                      : store_get(s, p, store_read_student, out, e,
                                  "SELECT " STORE_STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0",
                                  "h", chsi_hash);
    return rc == 1 ? tc_err_set(e, TCE_ENTRY_UNKNOWN_CODE) : rc;
}

int tc_store_students_by_name(tc_store *s, tc_pool *p, int64_t batch_id, const char *name, size_t max,
                              tc_store_student **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_student, (void **)out, n, e,
                      "SELECT " STORE_STUDENT_COLS " FROM student WHERE batch_id = ? AND name = ?"
                      " AND (chsi_hash IS NULL OR chsi_bound_at > 0) AND erased_at = 0 ORDER BY id LIMIT ?",
                      "isi", batch_id, name, (int64_t)max);
}

int tc_store_student_bind_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, int64_t now, tc_err *e)
{
    assert(!zero_hash(chsi_hash));
    /* only a row with no code: one code per row, never replaced by a student */
    int64_t ch = store_write(s, NULL, e,
                             "UPDATE student SET chsi_hash = ?, chsi_sealed = ?, chsi_bound_at = ?,"
                             " chsi_dup = 0 WHERE id = ? AND chsi_hash IS NULL",
                             "hbii", chsi_hash, sealed, sealed_len, now, student_id);
    int64_t found = 0;
    if (ch == 1)
        return 0;
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_CHSI_TAKEN);
    if (ch != 0)
        return ch == -1 ? -1 : store_refused(e, ch, "bind code");
    if (store_get_ints(s, &found, 1, e, "SELECT count(*) FROM student WHERE id = ?", "i", student_id) != 0)
        return -1;
    return found ? tc_err_set(e, TCE_CHSI_ALREADY_BOUND) : tc_err_set(e, TCE_STUDENT_NOT_FOUND_2);
}

int tc_store_student_clear_chsi(tc_store *s, int64_t student_id, tc_err *e)
{
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE student SET chsi_hash = NULL, chsi_sealed = NULL, chsi_bound_at = 0,"
                                   " chsi_dup = 0 WHERE id = ?",
                                   "i", student_id);
    return ch < 0 ? -1 : ch != 1 ? tc_err_set(e, TCE_STUDENT_NOT_FOUND_2) : 0;
}

int tc_store_student_seal_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, tc_err *e)
{
    return store_run(s, e, "UPDATE student SET chsi_sealed = ? WHERE id = ? AND chsi_hash = ? AND chsi_sealed IS NULL",
                     "bih", sealed, sealed_len, student_id, chsi_hash);
}

int tc_store_student_list(tc_store *s, tc_pool *p, int64_t batch_id, const char *q, int limit, int offset,
                          tc_store_student **out, size_t *n, int64_t *total, tc_err *e)
{
    store_conn *db = store_acquire(s);
    const char *like = q && *q ? tc_pool_printf(p, "%s%%", q) : NULL;
    /* ?2 NULL (no search text): every row of the batch */
    int rc = store_db_ints(db, total, 1, e,
                           "SELECT count(*) FROM student WHERE batch_id = ?1"
                           " AND (?2 IS NULL OR name LIKE ?2 OR student_no LIKE ?2)",
                           "is", batch_id, like);
    if (rc == 0)
        rc = store_db_list(db, p, sizeof **out, store_read_student, (void **)out, n, e,
                           "SELECT " STORE_STUDENT_COLS " FROM student WHERE batch_id = ?1"
                           " AND (?2 IS NULL OR name LIKE ?2 OR student_no LIKE ?2)"
                           " ORDER BY student_no LIMIT ?3 OFFSET ?4",
                           "isii", batch_id, like, (int64_t)limit, (int64_t)offset);
    store_release(s, db);
    return rc;
}

int tc_store_student_by_person(tc_store *s, tc_pool *p, int64_t person_id, tc_store_student **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_student, (void **)out, n, e,
                      "SELECT " STORE_STUDENT_COLS " FROM student WHERE person_id = ? ORDER BY id DESC", "i", person_id);
}

int tc_store_student_verify(tc_store *s, int64_t student_id, int64_t person_id, const char *phone, tc_err *e)
{
    return store_run(s, e,
                     "UPDATE student SET person_id = ?, phone = ?, verified_at = ?,"
                     " state = CASE WHEN state = 'not_started' THEN 'verified' ELSE state END WHERE id = ?",
                     "isii", person_id, phone, tc_now(), student_id);
}

/* ---- persons ----------------------------------------------------------------------------- */

int tc_store_person_upsert(tc_store *s, int64_t school_id, const uint8_t id_hash[32], const char *phone,
                           int64_t *person_id, tc_err *e)
{
    /* Keyed by (school, ID number): records of other schools are never
     * joined to this person.  An existing person keeps its data: the phone
     * of this confirmation goes to the record being confirmed only. */
    return store_get_ints(s, person_id, 1, e,
                          "INSERT INTO person(school_id, id_hash, phone, created_at) VALUES (?, ?, ?, ?)"
                          " ON CONFLICT(school_id, id_hash) DO UPDATE SET phone = person.phone RETURNING id",
                          "ihsi", school_id, id_hash, phone, tc_now());
}

int tc_store_person_last_phone(tc_store *s, int64_t school_id, const uint8_t id_hash[32], char *out, size_t cap,
                               tc_err *e)
{
    assert(out && cap > 0);
    tc_pool pool;
    tc_pool_init(&pool);
    const char *phone = "";
    int rc = store_get(s, &pool, store_read_text, &phone, e,
                       "SELECT phone FROM student WHERE school_id = ? AND id_hash = ? AND phone != ''"
                       " AND verified_at > 0 ORDER BY verified_at DESC, id DESC LIMIT 1",
                       "ih", school_id, id_hash);
    snprintf(out, cap, "%s", phone);
    tc_pool_clear(&pool);
    return rc < 0 ? -1 : 0;
}

typedef struct {
    uint8_t *id_hash;
    int64_t *school_id;
} person_key;

static void read_person_key(tc_pool *p, store_stmt *st, void *o_)
{
    person_key *o = o_;
    store_cols(p, st, 0, "hi", o->id_hash, o->school_id);
}

int tc_store_person_get(tc_store *s, int64_t person_id, int64_t *school_id, uint8_t id_hash[32], tc_err *e)
{
    person_key k = {id_hash, school_id};
    int rc = store_get(s, NULL, read_person_key, &k, e, "SELECT id_hash, school_id FROM person WHERE id = ?", "i",
                       person_id);
    return rc == 1 ? tc_err_set(e, TCE_PERSON_NOT_FOUND) : rc;
}

/* ---- staff ----------------------------------------------------------------------------------- */

#define STAFF_COLS "id, username, pwhash, role, coalesce(school_id, 0), must_change_password, disabled, created_at"

static void read_staff(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_staff *o = o_;
    store_cols(p, st, 0, "isssinni", &o->id, &o->username, &o->pwhash, &o->role, &o->school_id,
               &o->must_change_password, &o->disabled, &o->created_at);
}

int tc_store_staff_create(tc_store *s, const tc_store_staff *a, int64_t *id, tc_err *e)
{
    int64_t ch = store_write(s, id, e,
                             "INSERT INTO staff(username, pwhash, role, school_id, must_change_password, created_at)"
                             " VALUES (?, ?, ?, nullif(?, 0), ?, ?)",
                             "sssiii", a->username, a->pwhash, a->role, a->school_id, (int64_t)a->must_change_password,
                             tc_now());
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_STAFF_USERNAME_TAKEN, a->username);
    if (ch == STORE_CHECK || ch == STORE_FKEY)
        return tc_err_set(e, TCE_STAFF_BAD_ROLE);
    return ch >= 0 ? 0 : -1;
}

static int staff_one(tc_store *s, tc_pool *p, const char *sql, const char *fmt, int64_t id, const char *name,
                     tc_store_staff *out, tc_err *e)
{
    int rc = name ? store_get(s, p, read_staff, out, e, sql, fmt, name) : store_get(s, p, read_staff, out, e, sql, fmt, id);
    return rc == 1 ? tc_err_set(e, TCE_STAFF_NOT_FOUND) : rc;
}

int tc_store_staff_get(tc_store *s, tc_pool *p, int64_t id, tc_store_staff *out, tc_err *e)
{
    return staff_one(s, p, "SELECT " STAFF_COLS " FROM staff WHERE id = ?", "i", id, NULL, out, e);
}

int tc_store_staff_by_username(tc_store *s, tc_pool *p, const char *username, tc_store_staff *out, tc_err *e)
{
    return staff_one(s, p, "SELECT " STAFF_COLS " FROM staff WHERE username = ?", "s", 0, username, out, e);
}

int tc_store_staff_set_password(tc_store *s, int64_t id, const char *pwhash, int must_change, tc_err *e)
{
    return store_run(s, e, "UPDATE staff SET pwhash = ?, must_change_password = ? WHERE id = ?", "sii",
                     pwhash, (int64_t)must_change, id);
}

int tc_store_staff_list(tc_store *s, tc_pool *p, tc_store_staff **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_staff, (void **)out, n, e,
                      "SELECT " STAFF_COLS " FROM staff ORDER BY id", NULL);
}

/* ---- sessions ------------------------------------------------------------------------------------- */

int tc_store_session_create(tc_store *s, const tc_store_session *ss, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int64_t now = tc_now();
    /* Housekeeping on the write path: expired sessions go now and then. */
    if ((now & 63) == 0)
        store_db_run(db, NULL, "DELETE FROM session WHERE expires_at < ?", "i", now);
    int rc = store_db_run(db, e,
                          "INSERT INTO session(token_hash, kind, staff_id, person_id, student_id, csrf, created_at,"
                          " expires_at) VALUES (?, ?, nullif(?,0), nullif(?,0), nullif(?,0), ?, ?, ?)",
                          "ssiiisii", ss->token_hash, ss->kind, ss->staff_id, ss->person_id, ss->student_id, ss->csrf,
                          now, ss->expires_at);
    store_release(s, db);
    return rc;
}

static void read_session(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_session *o = o_;
    const char *token_hash, *csrf;
    store_cols(p, st, 0, "ssiiisii", &token_hash, &o->kind, &o->staff_id, &o->person_id, &o->student_id, &csrf,
               &o->created_at, &o->expires_at);
    snprintf(o->token_hash, sizeof o->token_hash, "%s", token_hash);
    snprintf(o->csrf, sizeof o->csrf, "%s", csrf);
}

int tc_store_session_get(tc_store *s, tc_pool *p, const char *token_hash, int64_t now, tc_store_session *out, tc_err *e)
{
    int rc = store_get(s, p, read_session, out, e,
                       "SELECT token_hash, kind, coalesce(staff_id,0), coalesce(person_id,0),"
                       " coalesce(student_id,0), csrf, created_at, expires_at FROM session"
                       " WHERE token_hash = ? AND expires_at > ?",
                       "si", token_hash, now);
    return rc == 1 ? tc_err_set(e, TCE_SESSION_NONE) : rc;
}

int tc_store_session_delete(tc_store *s, const char *token_hash, tc_err *e)
{
    return store_run(s, e, "DELETE FROM session WHERE token_hash = ?", "s", token_hash);
}

int tc_store_session_delete_staff(tc_store *s, int64_t staff_id, const char *keep_hash, tc_err *e)
{
    return store_run(s, e, "DELETE FROM session WHERE staff_id = ? AND token_hash <> ?", "is", staff_id,
                     keep_hash ? keep_hash : "");
}

/* ---- audit and lockouts ------------------------------------------------------------------------------ */

int tc_store_audit_verify(tc_store *s, const tc_store_verify_attempt *a, tc_err *e)
{
    return store_run(s, e, "INSERT INTO verify_audit(at, ip, method, batch_id, student_id, ok, reason)"
                     " VALUES (?, ?, ?, nullif(?,0), nullif(?,0), ?, ?)",
                     "issiiis", tc_now(), a->ip ? a->ip : "", a->method, a->batch_id, a->student_id,
                     (int64_t)a->ok, a->reason);
}

int64_t tc_store_audit_verify_count(tc_store *s, int64_t student_id, tc_err *e)
{
    int64_t n = 0;
    if (store_get_ints(s, &n, 1, e, "SELECT count(*) FROM verify_audit WHERE student_id = ?", "i", student_id) != 0)
        return -1;
    return n;
}

int tc_store_audit_staff(tc_store *s, int64_t staff_id, const char *action, const char *target, const char *before,
                         const char *after, const char *ip, tc_err *e)
{
    return store_run(s, e, "INSERT INTO staff_audit(at, staff_id, action, target, before, after, ip)"
                     " VALUES (?, nullif(?,0), ?, ?, ?, ?, ?)",
                     "iisssss", tc_now(), staff_id, action, target, before, after, ip);
}

int tc_store_lock_check(tc_store *s, const char *key, int64_t now, int64_t *until, tc_err *e)
{
    int64_t u = 0;
    int rc = store_get_ints(s, &u, 1, e, "SELECT locked_until FROM lockout WHERE key = ?", "s", key);
    *until = u > now ? u : 0;
    return rc;
}

/* The lockout row starts afresh: its window passed (?3 seconds from its
 * start, now ?2), or (FRESH_LOCK) a lock it had ran out. */
#define FRESH_WINDOW "lockout.window_start + ?3 < ?2"
#define FRESH_LOCK FRESH_WINDOW " OR lockout.locked_until > 0 AND lockout.locked_until <= ?2"

int tc_store_lock_fail(tc_store *s, const char *key, int64_t now, int window_s, int max_fails, int lock_s, int *fails,
                       int64_t *until, tc_err *e)
{
    /* One statement, so concurrent failures for the same key cannot both
     * read the old count: restart the window when it has passed, count, and
     * lock when the count reaches the limit.  The upsert returns its row. */
    int64_t v[2];
    int rc = store_get_ints(
        s, v, 2, e,
        /* the row's old values named lockout.* (PostgreSQL: unqualified,
         * they would be ambiguous with excluded.*) */
        "INSERT INTO lockout(key, fails, window_start, locked_until)"
        " VALUES (?1, 1, ?2, CASE WHEN ?4 <= 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN " FRESH_LOCK " THEN 1 ELSE lockout.fails + 1 END,"
        "  window_start = CASE WHEN " FRESH_LOCK " THEN ?2 ELSE lockout.window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN " FRESH_LOCK " THEN 1 ELSE lockout.fails + 1 END) >= ?4"
        "    THEN ?2 + ?5 ELSE CASE WHEN lockout.locked_until > ?2 THEN lockout.locked_until ELSE 0 END END"
        " RETURNING fails, locked_until",
        "siiii", key, now, (int64_t)window_s, (int64_t)max_fails, (int64_t)lock_s);
    *fails = (int)v[0];
    *until = v[1];
    return rc;
}

int tc_store_throttle_fail(tc_store *s, const char *key, int64_t now, int window_s, int free_fails, int base_s,
                           int max_s, int64_t *until, tc_err *e)
{
    /* One statement, as lock_fail (the upsert returns its row).  The count restarts only when a whole
     * window passed since its first failure; each failure past the free ones
     * doubles the wait (base << k, at most max_s), so a patient guesser gets
     * a handful of tries an hour while a user who mistypes five times waits
     * seconds. */
    return store_get_ints(
        s, until, 1, e,
        "INSERT INTO lockout(key, fails, window_start, locked_until) VALUES (?1, 1, ?2,"
        "  CASE WHEN ?4 < 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN " FRESH_WINDOW " THEN 1 ELSE lockout.fails + 1 END,"
        "  window_start = CASE WHEN " FRESH_WINDOW " THEN ?2 ELSE lockout.window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN " FRESH_WINDOW " THEN 1 ELSE lockout.fails + 1 END) > ?4"
        "    THEN ?2 + min(?6, ?5 << CAST(min(20, (CASE WHEN " FRESH_WINDOW " THEN 1 ELSE lockout.fails + 1 END)"
        "      - ?4 - 1) AS INTEGER))"
        "    ELSE 0 END"
        " RETURNING locked_until",
        "siiiii", key, now, (int64_t)window_s, (int64_t)free_fails, (int64_t)base_s, (int64_t)max_s);
}

int tc_store_lock_clear(tc_store *s, const char *key, tc_err *e)
{
    return store_run(s, e, "DELETE FROM lockout WHERE key = ?", "s", key);
}
