/* tc_store — the school console's queries (issue 7): editing a batch, the
 * progress counts, the roster search with journey columns, one student added
 * or edited, the export list and the reminder rate limit.  See the "school
 * console" section of tc_store.h for the contract. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int tc_store_batch_update(tc_store *s, int64_t batch_id, const char *name, int64_t starts_at, int64_t ends_at,
                          const char *settings, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "UPDATE batch SET name = ?, starts_at = ?, ends_at = ?, settings = ? WHERE id = ?",
                                       "siisi", name, starts_at, ends_at, settings ? settings : "{}", batch_id);
    int rc = store_q_done(db, st, e);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = tc_err_set(e, TCE_BATCH_NOT_FOUND_2);
    store_release(s, db);
    return rc;
}

/* ---- progress --------------------------------------------------------------------------- */

static void read_progress(tc_pool *p, sqlite3_stmt *st, void *out)
{
    tc_store_progress_row *o = out;
    o->class_name = store_col_str(p, st, 0);
    o->state = store_col_str(p, st, 1);
    o->n = sqlite3_column_int64(st, 2);
    o->paid = sqlite3_column_int64(st, 3);
    o->locked = sqlite3_column_int64(st, 4);
}

int tc_store_progress(tc_store *s, tc_pool *p, int64_t batch_id, int64_t now, tc_store_progress_row **out, size_t *n,
                      tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* One pass over the batch's rows (index student_batch_class): the state
     * column partitions the roster; paid and locked are flags across it. */
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT class_name, state, count(*), sum(paid_order != 0),"
                                       " sum(live_locked != 0 OR locked_until > ?)"
                                       " FROM student WHERE batch_id = ? GROUP BY class_name, state"
                                       " ORDER BY class_name, state",
                                       "ii", now, batch_id);
    int rc = store_list_q(db, st, p, sizeof **out, read_progress, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- the roster with journey columns ------------------------------------------------------ */

#define ROW_COLS                                                                                               \
    "id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level, programme, department, " \
    "class_name, phone, coalesce(person_id, 0), verified_at, state, created_at, paid_order, locked_until, "    \
    "live_locked, reminded_at, email, notify_status, chsi_sealed, chsi_bound_at, erased_at"

static void read_row(tc_pool *p, sqlite3_stmt *st, void *out)
{
    tc_store_roster_row *r = out;
    tc_store_student *o = &r->st;
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
    r->paid_order = sqlite3_column_int64(st, 17);
    r->locked_until = sqlite3_column_int64(st, 18);
    r->live_locked = sqlite3_column_int(st, 19);
    r->reminded_at = sqlite3_column_int64(st, 20);
    r->email = store_col_str(p, st, 21);
    r->notify_status = sqlite3_column_int(st, 22);
    o->chsi_sealed = store_col_blob(p, st, 23, &o->chsi_sealed_len);
    if (!o->chsi_sealed_len)
        o->chsi_sealed = NULL; /* no code: NULL, as tc_store.h says */
    o->chsi_bound_at = sqlite3_column_int64(st, 24);
    o->erased_at = sqlite3_column_int64(st, 25);
}

/* LIKE with the user's text taken literally: % and _ escaped. */
static char *like_of(tc_pool *p, const char *q, int prefix_only)
{
    size_t n = strlen(q);
    char *o = tc_pool_alloc(p, 2 * n + 3), *w = o;
    if (!prefix_only)
        *w++ = '%';
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *w++ = '\\';
        *w++ = *c;
    }
    *w++ = '%';
    *w = 0;
    return o;
}

int tc_store_roster_search(tc_store *s, tc_pool *p, const tc_store_roster_query *q, int64_t now,
                           tc_store_roster_row **out, size_t *n, int64_t *total, tc_err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    /* The filter is built from fixed pieces; every value is bound. */
    const char *text = q->q && *q->q ? like_of(p, q->q, 0) : "";
    const char *cls = q->class_name ? q->class_name : "";
    const char *where = tc_pool_printf(
        p,
        "batch_id = ?1 AND (?2 = '' OR name LIKE ?2 ESCAPE '\\' OR student_no LIKE ?2 ESCAPE '\\'"
        " OR class_name LIKE ?2 ESCAPE '\\') AND (?3 = '' OR class_name = ?3)%s",
        q->unfinished ? " AND state NOT IN ('approved','final')"
        : q->locked   ? " AND (live_locked != 0 OR locked_until > ?4)"
                      : " AND ?4 = ?4");
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    sqlite3_stmt *st = store_q_prepare(db, e, tc_pool_printf(p, "SELECT count(*) FROM student WHERE %s", where), "issi",
                                       q->batch_id, text, cls, now);
    if (!st)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    int64_t limit = q->limit > 0 ? q->limit : -1;
    st = store_q_prepare(db, e,
                         tc_pool_printf(p,
                                        "SELECT " ROW_COLS " FROM student WHERE %s"
                                        " ORDER BY class_name, student_no LIMIT ?5 OFFSET ?6",
                                        where),
                         "issiii", q->batch_id, text, cls, now, limit, (int64_t)q->offset);
    rc = store_list_q(db, st, p, sizeof **out, read_row, (void **)out, n, e);
out:
    store_release(s, db);
    return rc;
}

/* ---- one student -------------------------------------------------------------------------- */

static int student_write_err(sqlite3 *db, tc_err *e)
{
    int ext = sqlite3_extended_errcode(db);
    if (ext != SQLITE_CONSTRAINT_UNIQUE)
        return store_db_err(e, db, "write student");
    const char *m = sqlite3_errmsg(db);
    if (strstr(m, "student_no"))
        return tc_err_set(e, TCE_STUDENT_NO_TAKEN);
    if (strstr(m, "id_hash"))
        return tc_err_set(e, TCE_STUDENT_ID_TAKEN);
    return tc_err_set(e, TCE_STUDENT_CHSI_TAKEN);
}

int tc_store_student_add(tc_store *s, const tc_store_student *r, int64_t *id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    sqlite3_stmt *st =
        store_q_prepare(db, e,
                        "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                        " level, programme, department, class_name, phone, created_at, chsi_sealed)"
                        " SELECT id, school_id, ?, ?, ?, ?, nullif(?, zeroblob(32)), ?, ?, ?, ?, ?, ?, ?"
                        " FROM batch WHERE id = ?",
                        "ssbhhsssssibi", r->name, r->student_no, r->id_sealed, r->id_sealed_len, r->id_hash,
                        r->chsi_hash, r->level ? r->level : "", r->programme ? r->programme : "",
                        r->department ? r->department : "", r->class_name ? r->class_name : "",
                        r->phone ? r->phone : "", tc_now(), r->chsi_sealed, r->chsi_sealed_len, r->batch_id);
    if (st) {
        int x = sqlite3_step(st);
        if (x == SQLITE_DONE && sqlite3_changes(db) == 1) {
            *id = sqlite3_last_insert_rowid(db);
            rc = 0;
        } else if (x == SQLITE_DONE)
            tc_err_set(e, TCE_BATCH_NOT_FOUND_2);
        else
            student_write_err(db, e);
        sqlite3_finalize(st);
    }
    store_release(s, db);
    return rc;
}

int tc_store_student_update(tc_store *s, const tc_store_student *r, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "UPDATE student SET name = ?, student_no = ?, id_sealed = ?, id_hash = ?,"
                                       " chsi_bound_at = CASE WHEN chsi_hash IS nullif(?5, zeroblob(32))"
                                       "   THEN chsi_bound_at ELSE 0 END,"
                                       " chsi_hash = nullif(?5, zeroblob(32)), level = ?, programme = ?,"
                                       " department = ?, class_name = ?, phone = ?, chsi_sealed = ? WHERE id = ?",
                                       "ssbhhsssssbi", r->name, r->student_no, r->id_sealed, r->id_sealed_len,
                                       r->id_hash, r->chsi_hash, r->level, r->programme, r->department,
                                       r->class_name, r->phone, r->chsi_sealed, r->chsi_sealed_len, r->id);
    if (st) {
        int x = sqlite3_step(st);
        if (x == SQLITE_DONE && sqlite3_changes(db) == 1)
            rc = 0;
        else if (x == SQLITE_DONE)
            tc_err_set(e, TCE_STUDENT_NOT_FOUND_2);
        else
            student_write_err(db, e);
        sqlite3_finalize(st);
    }
    store_release(s, db);
    return rc;
}

/* ---- export -------------------------------------------------------------------------------- */

static void read_export(tc_pool *p, sqlite3_stmt *st, void *out)
{
    tc_store_export_row *o = out;
    o->student_id = sqlite3_column_int64(st, 0);
    o->name = store_col_str(p, st, 1);
    o->student_no = store_col_str(p, st, 2);
    o->class_name = store_col_str(p, st, 3);
    o->id_sealed = store_col_blob(p, st, 4, &o->id_sealed_len);
    o->state = store_col_str(p, st, 5);
    o->blob = store_col_str(p, st, 6);
    o->decided_at = sqlite3_column_int64(st, 7);
    o->chsi_sealed = store_col_blob(p, st, 8, &o->chsi_sealed_len);
    if (!o->chsi_sealed_len)
        o->chsi_sealed = NULL; /* no code: NULL, as tc_store.h says */
    o->has_chsi = sqlite3_column_int(st, 9);
    o->level = store_col_str(p, st, 10);
    o->programme = store_col_str(p, st, 11);
    o->department = store_col_str(p, st, 12);
    o->confirmed = sqlite3_column_int(st, 13);
}

int tc_store_export_photos(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_export_row **out, size_t *n,
                           tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* the live approved or final submission of each student; the clean
     * 成片 once production made it, the standard photo before */
    sqlite3_stmt *st = store_q_prepare(
        db, e,
        "SELECT s.id, s.name, s.student_no, s.class_name, s.id_sealed, u.state,"
        " CASE WHEN ph.final_blob != '' THEN ph.final_blob ELSE ph.standard_blob END, u.decided_at,"
        " s.chsi_sealed, s.chsi_hash IS NOT NULL, s.level, s.programme, s.department,"
        " u.state = 'final' AND u.final_state = 'confirmed'"
        " FROM student s JOIN submission u ON u.student_id = s.id AND u.state IN ('approved','final')"
        " JOIN photo ph ON ph.id = u.photo_id"
        " WHERE s.batch_id = ? AND u.id = (SELECT max(id) FROM submission WHERE student_id = s.id"
        "   AND state NOT IN ('withdrawn','reset'))"
        " ORDER BY s.student_no",
        "i", batch_id);
    int rc = store_list_q(db, st, p, sizeof **out, read_export, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- reminders ----------------------------------------------------------------------------- */

int tc_store_remind_take(tc_store *s, int64_t student_id, int64_t now, int64_t min_gap_s, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* check and set in one statement: two reminders at once cannot both pass */
    int rc = store_q_done(db,
                          store_q_prepare(db, e,
                                          "UPDATE student SET reminded_at = ? WHERE id = ? AND reminded_at <= ?",
                                          "iii", now, student_id, now - min_gap_s),
                          e);
    if (rc == 0)
        rc = sqlite3_changes(db) == 1;
    store_release(s, db);
    return rc;
}
