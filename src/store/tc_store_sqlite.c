/* tc_store — identity: schools, batches, students and persons, staff,
 * sessions, audit and lockouts.  See tc_store.h for the contract; the pool,
 * transactions and statement helpers are in tc_store_db.c, the schema in
 * tc_store_migrate.c. */
#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int tc_store_is_empty(tc_store *s, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int64_t n = 0;
    int rc = store_q_int(db, store_q_prepare(db, e, "SELECT count(*) FROM school", NULL), &n, e);
    store_release(s, db);
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

static void read_school(tc_pool *p, sqlite3_stmt *st, tc_store_school *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->name = store_col_str(p, st, 1);
    o->created_at = sqlite3_column_int64(st, 2);
}

static void read_school_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_school(p, st, o);
}

int tc_store_school_get(tc_store *s, tc_pool *p, int64_t id, tc_store_school *out, tc_err *e)
{
    int rc = store_get(s, p, read_school_any, out, e, "SELECT id, name, created_at FROM school WHERE id = ?", "i", id);
    return rc == 1 ? tc_err_set(e, TCE_SCHOOL_NOT_FOUND) : rc;
}

int tc_store_school_list(tc_store *s, tc_pool *p, tc_store_school **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_school_any, (void **)out, n, e,
                      "SELECT id, name, created_at FROM school ORDER BY id", NULL);
}

/* ---- batches ------------------------------------------------------------------------ */

#define BATCH_COLS                                                                                             \
    "b.id, b.school_id, b.name, b.code, b.starts_at, b.ends_at, b.settings, b.created_at, "                    \
    "(SELECT count(*) FROM student WHERE batch_id = b.id), b.cancelled_at"

static void read_batch(tc_pool *p, sqlite3_stmt *st, tc_store_batch *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->school_id = sqlite3_column_int64(st, 1);
    o->name = store_col_str(p, st, 2);
    const unsigned char *c = sqlite3_column_text(st, 3);
    snprintf(o->code, sizeof o->code, "%s", c ? (const char *)c : "");
    o->starts_at = sqlite3_column_int64(st, 4);
    o->ends_at = sqlite3_column_int64(st, 5);
    o->settings = store_col_str(p, st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
    o->students = sqlite3_column_int64(st, 8);
    o->cancelled_at = sqlite3_column_int64(st, 9);
}

static void read_batch_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_batch(p, st, o);
}

int tc_store_batch_create(tc_store *s, tc_store_batch *b, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "INSERT INTO batch(school_id, name, code, starts_at, ends_at, settings, created_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 "issiisi", b->school_id, b->name, b->code, b->starts_at, b->ends_at,
                                 b->settings ? b->settings : "{}", tc_now());
    int rc = -1;
    if (st) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) {
            b->id = sqlite3_last_insert_rowid(db);
            rc = 0;
        } else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
            tc_err_set(e, TCE_BATCH_CODE_TAKEN, b->code);
        else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY)
            tc_err_set(e, TCE_SCHOOL_NOT_FOUND);
        else
            store_db_err(e, db, "insert batch");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

static int batch_one(tc_store *s, tc_pool *p, const char *where, const char *fmt, int64_t id, const char *code,
                     tc_store_batch *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " BATCH_COLS " FROM batch b WHERE %s", where);
    sqlite3_stmt *st = code ? store_q_prepare(db, e, sql, fmt, code) : store_q_prepare(db, e, sql, fmt, id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_batch(p, st, out);
            rc = 0;
        } else
            tc_err_set(e, TCE_BATCH_NOT_FOUND_3);
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
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
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT " BATCH_COLS " FROM batch b WHERE b.cancelled_at = 0 AND b.ends_at > ?"
                                       " AND b.ends_at <= ? ORDER BY b.ends_at, b.id",
                                       "ii", now, until);
    int rc = store_list_q(db, st, p, sizeof **out, read_batch_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_batch_list(tc_store *s, tc_pool *p, int64_t school_id, tc_store_batch **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = school_id
                           ? store_q_prepare(db, e, "SELECT " BATCH_COLS " FROM batch b WHERE b.school_id = ? ORDER BY b.id",
                                       "i", school_id)
                           : store_q_prepare(db, e, "SELECT " BATCH_COLS " FROM batch b ORDER BY b.id", NULL);
    int rc = store_list_q(db, st, p, sizeof **out, read_batch_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- students ------------------------------------------------------------------------- */

#define STUDENT_COLS                                                                                           \
    "id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level, programme, department, " \
    "class_name, phone, coalesce(person_id, 0), verified_at, state, created_at, chsi_sealed, chsi_bound_at, erased_at"

static void read_student(tc_pool *p, sqlite3_stmt *st, tc_store_student *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->batch_id = sqlite3_column_int64(st, 1);
    o->school_id = sqlite3_column_int64(st, 2);
    o->name = store_col_str(p, st, 3);
    o->student_no = store_col_str(p, st, 4);
    o->id_sealed = store_col_blob(p, st, 5, &o->id_sealed_len);
    store_col_hash(st, 6, o->id_hash);
    store_col_hash(st, 7, o->chsi_hash);
    o->level = store_col_str(p, st, 8);
    o->programme = store_col_str(p, st, 9);
    o->department = store_col_str(p, st, 10);
    o->class_name = store_col_str(p, st, 11);
    o->phone = store_col_str(p, st, 12);
    o->person_id = sqlite3_column_int64(st, 13);
    o->verified_at = sqlite3_column_int64(st, 14);
    o->state = store_col_str(p, st, 15);
    o->created_at = sqlite3_column_int64(st, 16);
    o->chsi_sealed = store_col_blob(p, st, 17, &o->chsi_sealed_len);
    if (!o->chsi_sealed_len)
        o->chsi_sealed = NULL; /* no code: NULL, as tc_store.h says */
    o->chsi_bound_at = sqlite3_column_int64(st, 18);
    o->erased_at = sqlite3_column_int64(st, 19);
}

static void read_student_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_student(p, st, o);
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
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    int64_t school_id = 0;
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT school_id FROM batch WHERE id = ?", "i", batch_id);
    if (!st)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        tc_err_set(e, TCE_BATCH_NOT_FOUND_2);
        goto out;
    }
    school_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (store_exec(db, "BEGIN IMMEDIATE", e) != 0)
        goto out;
    int64_t now = tc_now();
    for (size_t i = 0; i < n; i++) {
        const tc_store_student *r = &rows[i];
        /* Upsert by student number: a corrected roster keeps progress. */
        st = store_q_prepare(db, e, "SELECT 1 FROM student WHERE batch_id = ? AND student_no = ?", "is", batch_id,
                       r->student_no);
        if (!st)
            goto rollback;
        int exists = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        const char *fail = NULL;
        if (zero_hash(r->chsi_hash) && exists) {
            /* keep the stored 采集码: an UPDATE that does not touch it (a new
             * row without one is inserted below with no code) */
            {
                st = store_q_prepare(db, e,
                               "UPDATE student SET name = ?, id_sealed = ?, id_hash = ?, level = ?, programme = ?,"
                               " department = ?, class_name = ?,"
                               " phone = CASE WHEN phone = '' THEN ? ELSE phone END"
                               " WHERE batch_id = ? AND student_no = ?",
                               "sbhsssssis", r->name, r->id_sealed, r->id_sealed_len, r->id_hash,
                               r->level ? r->level : "", r->programme ? r->programme : "",
                               r->department ? r->department : "", r->class_name ? r->class_name : "",
                               r->phone ? r->phone : "", batch_id, r->student_no);
                if (!st)
                    goto rollback;
            }
        } else {
            st = store_q_prepare(db, e,
                           /* no code (all zero): NULL, which never collides in the unique indexes */
                           "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                           " level, programme, department, class_name, phone, created_at, chsi_sealed)"
                           " VALUES (?,?,?,?,?,?,nullif(?, zeroblob(32)),?,?,?,?,?,?,?)"
                           " ON CONFLICT(batch_id, student_no) DO UPDATE SET name = excluded.name,"
                           " id_sealed = excluded.id_sealed, id_hash = excluded.id_hash, chsi_hash = excluded.chsi_hash,"
                           " chsi_sealed = excluded.chsi_sealed,"
                           " chsi_bound_at = CASE WHEN student.chsi_hash IS excluded.chsi_hash THEN student.chsi_bound_at"
                           "   ELSE 0 END,"
                           " level = excluded.level, programme = excluded.programme, department = excluded.department,"
                           " class_name = excluded.class_name,"
                           " phone = CASE WHEN student.phone = '' THEN excluded.phone ELSE student.phone END",
                           "iissbhhsssssib", batch_id, school_id, r->name, r->student_no, r->id_sealed,
                           r->id_sealed_len, r->id_hash, r->chsi_hash, r->level ? r->level : "",
                           r->programme ? r->programme : "", r->department ? r->department : "",
                           r->class_name ? r->class_name : "", r->phone ? r->phone : "", now, r->chsi_sealed,
                           r->chsi_sealed_len);
            if (!st)
                goto rollback;
        }
        if (!fail) {
            if (sqlite3_step(st) == SQLITE_DONE) {
                if (exists)
                    (*updated)++;
                else
                    (*inserted)++;
                sqlite3_finalize(st);
                continue;
            }
            int ext = sqlite3_extended_errcode(db);
            sqlite3_finalize(st);
            if (ext != SQLITE_CONSTRAINT_UNIQUE) {
                store_db_err(e, db, "insert student");
                goto rollback;
            }
            /* a failed statement undoes only itself: the transaction goes on */
            fail = strstr(sqlite3_errmsg(db), "chsi_hash") ? "roster.chsi_taken" : "roster.conflict";
        }
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
        if (store_exec(db, "ROLLBACK", e) == 0)
            rc = 0;
        goto out;
    }
    if (store_exec(db, "COMMIT", e) == 0)
        rc = 0;
    else
        goto rollback;
    goto out;
rollback:
    store_exec(db, "ROLLBACK", NULL);
    *inserted = *updated = 0;
out:
    store_release(s, db);
    return rc;
}

int tc_store_student_get(tc_store *s, tc_pool *p, int64_t id, tc_store_student *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE id = ?", "i", id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_student(p, st, out);
            rc = 0;
        } else
            tc_err_set(e, TCE_STUDENT_NOT_FOUND_2);
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_student_by_chsi(tc_store *s, tc_pool *p, int64_t batch_id, const uint8_t chsi_hash[32],
                             tc_store_student *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st =
        /* One row holds a code (migration 6); rows that shared one before are
         * marked chsi_dup and are never found by it. */
        batch_id ? store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0"
                                   " AND batch_id = ?", "hi", chsi_hash, batch_id)
                 : store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0",
                                   "h", chsi_hash);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_student(p, st, out);
            rc = 0;
        } else
            tc_err_set(e, TCE_ENTRY_UNKNOWN_CODE);
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_students_by_name(tc_store *s, tc_pool *p, int64_t batch_id, const char *name, size_t max,
                              tc_store_student **out, size_t *n, tc_err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? AND name = ?"
                                       " AND (chsi_hash IS NULL OR chsi_bound_at > 0) AND erased_at = 0 ORDER BY id LIMIT ?",
                                       "isi", batch_id, name, (int64_t)max);
    int rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_student_bind_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, int64_t now, tc_err *e)
{
    assert(!zero_hash(chsi_hash));
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    /* only a row with no code: one code per row, never replaced by a student */
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "UPDATE student SET chsi_hash = ?, chsi_sealed = ?, chsi_bound_at = ?,"
                                       " chsi_dup = 0 WHERE id = ? AND chsi_hash IS NULL",
                                       "hbii", chsi_hash, sealed, sealed_len, now, student_id);
    if (st) {
        int x = sqlite3_step(st);
        int ext = sqlite3_extended_errcode(db);
        sqlite3_finalize(st);
        if (x == SQLITE_DONE && sqlite3_changes(db) == 1)
            rc = 0;
        else if (x == SQLITE_DONE) {
            st = store_q_prepare(db, e, "SELECT 1 FROM student WHERE id = ?", "i", student_id);
            int found = st && sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
            if (found)
                tc_err_set(e, TCE_CHSI_ALREADY_BOUND);
            else
                tc_err_set(e, TCE_STUDENT_NOT_FOUND_2);
        } else if (ext == SQLITE_CONSTRAINT_UNIQUE)
            tc_err_set(e, TCE_CHSI_TAKEN);
        else
            store_db_err(e, db, "bind code");
    }
    store_release(s, db);
    return rc;
}

int tc_store_student_clear_chsi(tc_store *s, int64_t student_id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                          store_q_prepare(db, e,
                                          "UPDATE student SET chsi_hash = NULL, chsi_sealed = NULL, chsi_bound_at = 0,"
                                          " chsi_dup = 0 WHERE id = ?",
                                          "i", student_id),
                          e);
    if (rc == 0 && sqlite3_changes(db) != 1)
        rc = tc_err_set(e, TCE_STUDENT_NOT_FOUND_2);
    store_release(s, db);
    return rc;
}

int tc_store_student_seal_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                          store_q_prepare(db, e,
                                          "UPDATE student SET chsi_sealed = ? WHERE id = ? AND chsi_hash = ?"
                                          " AND chsi_sealed IS NULL",
                                          "bih", sealed, sealed_len, student_id, chsi_hash),
                          e);
    store_release(s, db);
    return rc;
}

int tc_store_student_list(tc_store *s, tc_pool *p, int64_t batch_id, const char *q, int limit, int offset,
                          tc_store_student **out, size_t *n, int64_t *total, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    char *like = q && *q ? tc_pool_printf(p, "%s%%", q) : NULL;
    sqlite3_stmt *st;
    int rc = -1;
    if (like)
        st = store_q_prepare(db, e,
                       "SELECT count(*) FROM student WHERE batch_id = ? AND (name LIKE ? OR student_no LIKE ?)", "iss",
                       batch_id, like, like);
    else
        st = store_q_prepare(db, e, "SELECT count(*) FROM student WHERE batch_id = ?", "i", batch_id);
    if (!st)
        goto out;
    *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (like)
        st = store_q_prepare(db, e,
                       "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? AND (name LIKE ? OR student_no LIKE ?)"
                       " ORDER BY student_no LIMIT ? OFFSET ?",
                       "issii", batch_id, like, like, (int64_t)limit, (int64_t)offset);
    else
        st = store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? ORDER BY student_no LIMIT ? OFFSET ?",
                       "iii", batch_id, (int64_t)limit, (int64_t)offset);
    rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
out:
    store_release(s, db);
    return rc;
}

int tc_store_student_by_person(tc_store *s, tc_pool *p, int64_t person_id, tc_store_student **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st =
        store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE person_id = ? ORDER BY id DESC", "i", person_id);
    int rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_student_verify(tc_store *s, int64_t student_id, int64_t person_id, const char *phone, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "UPDATE student SET person_id = ?, phone = ?, verified_at = ?,"
                              " state = CASE WHEN state = 'not_started' THEN 'verified' ELSE state END WHERE id = ?",
                              "isii", person_id, phone, tc_now(), student_id),
                    e);
    store_release(s, db);
    return rc;
}

/* ---- persons ----------------------------------------------------------------------------- */

int tc_store_person_upsert(tc_store *s, int64_t school_id, const uint8_t id_hash[32], const char *phone,
                           int64_t *person_id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* Keyed by (school, ID number): records of other schools are never
     * joined to this person.  An existing person keeps its data: the phone
     * of this confirmation goes to the record being confirmed only. */
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "INSERT INTO person(school_id, id_hash, phone, created_at) VALUES (?, ?, ?, ?)"
                                 " ON CONFLICT(school_id, id_hash) DO UPDATE SET phone = person.phone RETURNING id",
                                 "ihsi", school_id, id_hash, phone, tc_now());
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *person_id = sqlite3_column_int64(st, 0);
            rc = 0;
        } else
            store_db_err(e, db, "upsert person");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_person_last_phone(tc_store *s, int64_t school_id, const uint8_t id_hash[32], char *out, size_t cap,
                               tc_err *e)
{
    assert(out && cap > 0);
    out[0] = 0;
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT phone FROM student WHERE school_id = ? AND id_hash = ? AND phone != ''"
                                       " AND verified_at > 0 ORDER BY verified_at DESC, id DESC LIMIT 1",
                                       "ih", school_id, id_hash);
    int rc = -1;
    if (st) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", v ? (const char *)v : "");
            rc = 0;
        } else if (step == SQLITE_DONE)
            rc = 0;
        else
            store_db_err(e, db, "last phone");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_person_get(tc_store *s, int64_t person_id, int64_t *school_id, uint8_t id_hash[32], tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT id_hash, school_id FROM person WHERE id = ?", "i", person_id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            store_col_hash(st, 0, id_hash);
            *school_id = sqlite3_column_int64(st, 1);
            rc = 0;
        } else
            tc_err_set(e, TCE_PERSON_NOT_FOUND);
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

/* ---- staff ----------------------------------------------------------------------------------- */

#define STAFF_COLS "id, username, pwhash, role, coalesce(school_id, 0), must_change_password, disabled, created_at"

static void read_staff(tc_pool *p, sqlite3_stmt *st, tc_store_staff *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->username = store_col_str(p, st, 1);
    o->pwhash = store_col_str(p, st, 2);
    o->role = store_col_str(p, st, 3);
    o->school_id = sqlite3_column_int64(st, 4);
    o->must_change_password = sqlite3_column_int(st, 5);
    o->disabled = sqlite3_column_int(st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
}

static void read_staff_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_staff(p, st, o);
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
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = name ? store_q_prepare(db, e, sql, fmt, name) : store_q_prepare(db, e, sql, fmt, id);
    int rc = store_q_row(db, st, p, read_staff_any, out, e);
    store_release(s, db);
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
    return store_list(s, p, sizeof **out, read_staff_any, (void **)out, n, e,
                      "SELECT " STAFF_COLS " FROM staff ORDER BY id", NULL);
}

/* ---- sessions ------------------------------------------------------------------------------------- */

int tc_store_session_create(tc_store *s, const tc_store_session *ss, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int64_t now = tc_now();
    /* Housekeeping on the write path: expired sessions go now and then. */
    if ((now & 63) == 0)
        store_exec(db, "DELETE FROM session WHERE expires_at < strftime('%s','now')", NULL);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "INSERT INTO session(token_hash, kind, staff_id, person_id, student_id, csrf, created_at,"
                              " expires_at) VALUES (?, ?, nullif(?,0), nullif(?,0), nullif(?,0), ?, ?, ?)",
                              "ssiiisii", ss->token_hash, ss->kind, ss->staff_id, ss->person_id, ss->student_id,
                              ss->csrf, now, ss->expires_at),
                    e);
    store_release(s, db);
    return rc;
}

int tc_store_session_get(tc_store *s, tc_pool *p, const char *token_hash, int64_t now, tc_store_session *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "SELECT token_hash, kind, coalesce(staff_id,0), coalesce(person_id,0),"
                                 " coalesce(student_id,0), csrf, created_at, expires_at FROM session"
                                 " WHERE token_hash = ? AND expires_at > ?",
                                 "si", token_hash, now);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(out->token_hash, sizeof out->token_hash, "%s", sqlite3_column_text(st, 0));
            out->kind = store_col_str(p, st, 1);
            out->staff_id = sqlite3_column_int64(st, 2);
            out->person_id = sqlite3_column_int64(st, 3);
            out->student_id = sqlite3_column_int64(st, 4);
            snprintf(out->csrf, sizeof out->csrf, "%s", sqlite3_column_text(st, 5));
            out->created_at = sqlite3_column_int64(st, 6);
            out->expires_at = sqlite3_column_int64(st, 7);
            rc = 0;
        } else
            tc_err_set(e, TCE_SESSION_NONE);
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
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
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT count(*) FROM verify_audit WHERE student_id = ?", "i", student_id);
    int64_t r = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        r = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_release(s, db);
    return r;
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
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT locked_until FROM lockout WHERE key = ?", "s", key);
    int rc = st ? 0 : -1;
    *until = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t u = sqlite3_column_int64(st, 0);
        *until = u > now ? u : 0;
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_lock_fail(tc_store *s, const char *key, int64_t now, int window_s, int max_fails, int lock_s, int *fails,
                       int64_t *until, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* One statement, so concurrent failures for the same key cannot both
     * read the old count: restart the window when it has passed, count, and
     * lock when the count reaches the limit. */
    sqlite3_stmt *st = store_q_prepare(
        db, e,
        "INSERT INTO lockout(key, fails, window_start, locked_until) VALUES (?1, 1, ?2, CASE WHEN ?4 <= 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN 1 ELSE fails + 1 END,"
        "  window_start = CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN ?2 ELSE window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN 1 ELSE fails + 1 END) >= ?4"
        "    THEN ?2 + ?5 ELSE CASE WHEN locked_until > ?2 THEN locked_until ELSE 0 END END"
        " RETURNING fails, locked_until",
        "siiii", key, now, (int64_t)window_s, (int64_t)max_fails, (int64_t)lock_s);
    int64_t v[2];
    int rc = store_q_ints(db, st, v, 2, e); /* the upsert returns its row */
    *fails = (int)v[0];
    *until = v[1];
    store_release(s, db);
    return rc;
}

int tc_store_throttle_fail(tc_store *s, const char *key, int64_t now, int window_s, int free_fails, int base_s,
                           int max_s, int64_t *until, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* One statement, as lock_fail.  The count restarts only when a whole
     * window passed since its first failure; each failure past the free ones
     * doubles the wait (base << k, at most max_s), so a patient guesser gets
     * a handful of tries an hour while a user who mistypes five times waits
     * seconds. */
    sqlite3_stmt *st = store_q_prepare(
        db, e,
        "INSERT INTO lockout(key, fails, window_start, locked_until) VALUES (?1, 1, ?2,"
        "  CASE WHEN ?4 < 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END,"
        "  window_start = CASE WHEN window_start + ?3 < ?2 THEN ?2 ELSE window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END) > ?4"
        "    THEN ?2 + min(?6, ?5 << min(20, (CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END) - ?4 - 1))"
        "    ELSE 0 END"
        " RETURNING locked_until",
        "siiiii", key, now, (int64_t)window_s, (int64_t)free_fails, (int64_t)base_s, (int64_t)max_s);
    int rc = store_q_int(db, st, until, e); /* the upsert returns its row */
    store_release(s, db);
    return rc;
}

int tc_store_lock_clear(tc_store *s, const char *key, tc_err *e)
{
    return store_run(s, e, "DELETE FROM lockout WHERE key = ?", "s", key);
}
