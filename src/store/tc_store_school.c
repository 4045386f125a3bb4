/* tc_store — the school console's queries (issue 7): editing a batch, the
 * progress counts, the roster search with journey columns, one student added
 * or edited, the export list and the reminder rate limit.  See the "school
 * console" section of tc_store.h for the contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int tc_store_batch_update(tc_store *s, int64_t batch_id, const char *name, int64_t starts_at, int64_t ends_at,
                          const char *settings, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE batch SET name = ?, starts_at = ?, ends_at = ?, settings = ? WHERE id = ?",
                                   "siisi", name, starts_at, ends_at, settings ? settings : "{}", batch_id);
    return ch < 0 ? -1 : ch == 0 ? tc_err_set(e, TCE_BATCH_NOT_FOUND_2) : 0;
}

/* ---- progress --------------------------------------------------------------------------- */

static void read_progress(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_progress_row *o = out;
    store_cols(p, st, 0, "ssiii", &o->class_name, &o->state, &o->n, &o->paid, &o->locked);
}

int tc_store_progress(tc_store *s, tc_pool *p, int64_t batch_id, int64_t now, tc_store_progress_row **out, size_t *n,
                      tc_err *e)
{
    /* One pass over the batch's rows (index student_batch_class): the state
     * column partitions the roster; paid and locked are flags across it. */
    return store_list(s, p, sizeof **out, read_progress, (void **)out, n, e,
                      "SELECT class_name, state, count(*), count(*) FILTER (WHERE paid_order != 0),"
                      " count(*) FILTER (WHERE live_locked != 0 OR locked_until > ?)"
                      " FROM student WHERE batch_id = ? GROUP BY class_name, state"
                      " ORDER BY class_name, state",
                      "ii", now, batch_id);
}

/* ---- the roster with journey columns ------------------------------------------------------ */

/* The student's columns, then the journey's. */
#define ROW_COLS STORE_STUDENT_COLS ", paid_order, locked_until, live_locked, reminded_at, email, notify_status"

static void read_row(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_roster_row *r = out;
    store_read_student(p, st, &r->st);
    store_cols(p, st, STORE_STUDENT_NCOLS, "iinisn", &r->paid_order, &r->locked_until, &r->live_locked,
               &r->reminded_at, &r->email, &r->notify_status);
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
    store_conn *db = store_acquire(s);
    int rc = store_db_ints(db, total, 1, e, tc_pool_printf(p, "SELECT count(*) FROM student WHERE %s", where), "issi",
                           q->batch_id, text, cls, now);
    int64_t limit = q->limit > 0 ? q->limit : INT64_MAX; /* no limit (PostgreSQL refuses -1) */
    if (rc == 0)
        rc = store_db_list(db, p, sizeof **out, read_row, (void **)out, n, e,
                           tc_pool_printf(p,
                                          "SELECT " ROW_COLS " FROM student WHERE %s"
                                          " ORDER BY class_name, student_no LIMIT ?5 OFFSET ?6",
                                          where),
                           "issiii", q->batch_id, text, cls, now, limit, (int64_t)q->offset);
    store_release(s, db);
    return rc;
}

/* ---- one student -------------------------------------------------------------------------- */

/* A write of a student row (store_q_write's answer): the rows it changed, or
 * -1 with e set, a taken student number, ID number or code said as such. */
static int64_t student_written(store_conn *db, int64_t ch, tc_err *e)
{
    if (ch != STORE_UNIQUE)
        return ch >= -1 ? ch : store_refused(e, ch, "write student");
    if (store_refused_by(db, "student_no"))
        return tc_err_set(e, TCE_STUDENT_NO_TAKEN);
    if (store_refused_by(db, "id_hash"))
        return tc_err_set(e, TCE_STUDENT_ID_TAKEN);
    return tc_err_set(e, TCE_STUDENT_CHSI_TAKEN);
}

int tc_store_student_add(tc_store *s, const tc_store_student *r, int64_t *id, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int64_t ch = student_written(
        db,
        store_db_write(db, id, e,
                       "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                       " level, programme, department, class_name, phone, created_at, chsi_sealed)"
                       " SELECT id, school_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                       " FROM batch WHERE id = ?",
                       "ssbhHsssssibi", r->name, r->student_no, r->id_sealed, r->id_sealed_len, r->id_hash,
                       r->chsi_hash, r->level ? r->level : "", r->programme ? r->programme : "",
                       r->department ? r->department : "", r->class_name ? r->class_name : "",
                       r->phone ? r->phone : "", tc_now(), r->chsi_sealed, r->chsi_sealed_len, r->batch_id),
        e);
    store_release(s, db);
    return ch == 1 ? 0 : ch == 0 ? tc_err_set(e, TCE_BATCH_NOT_FOUND_2) : -1;
}

int tc_store_student_update(tc_store *s, const tc_store_student *r, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int64_t ch = student_written(db,
                                 store_db_write(db, NULL, e,
                                                "UPDATE student SET name = ?, student_no = ?, id_sealed = ?, id_hash = ?,"
                                                " chsi_bound_at = CASE WHEN chsi_hash IS NOT DISTINCT FROM ?5"
                                                "   THEN chsi_bound_at ELSE 0 END,"
                                                " chsi_hash = ?5, level = ?, programme = ?,"
                                                " department = ?, class_name = ?, phone = ?, chsi_sealed = ? WHERE id = ?",
                                                "ssbhHsssssbi", r->name, r->student_no, r->id_sealed, r->id_sealed_len,
                                                r->id_hash, r->chsi_hash, r->level, r->programme, r->department,
                                                r->class_name, r->phone, r->chsi_sealed, r->chsi_sealed_len, r->id),
                                 e);
    store_release(s, db);
    return ch == 1 ? 0 : ch == 0 ? tc_err_set(e, TCE_STUDENT_NOT_FOUND_2) : -1;
}

/* ---- export -------------------------------------------------------------------------------- */

static void read_export(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_export_row *o = out;
    /* chsi_sealed 'B': no code is NULL, as tc_store.h says */
    store_cols(p, st, 0, "isssbssiBnsssn", &o->student_id, &o->name, &o->student_no, &o->class_name, &o->id_sealed,
               &o->id_sealed_len, &o->state, &o->blob, &o->decided_at, &o->chsi_sealed, &o->chsi_sealed_len,
               &o->has_chsi, &o->level, &o->programme, &o->department, &o->confirmed);
}

int tc_store_export_photos(tc_store *s, tc_pool *p, int64_t batch_id, tc_store_export_row **out, size_t *n,
                           tc_err *e)
{
    /* the live approved or final submission of each student; the clean
     * 成片 once production made it, the standard photo before */
    return store_list(s, p, sizeof **out, read_export, (void **)out, n, e,
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
}

/* ---- reminders ----------------------------------------------------------------------------- */

int tc_store_remind_take(tc_store *s, int64_t student_id, int64_t now, int64_t min_gap_s, tc_err *e)
{
    /* check and set in one statement: two reminders at once cannot both pass */
    int64_t ch = store_run_changes(s, e, "UPDATE student SET reminded_at = ? WHERE id = ? AND reminded_at <= ?", "iii",
                                   now, student_id, now - min_gap_s);
    return ch < 0 ? -1 : ch == 1;
}
