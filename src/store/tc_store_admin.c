/* tc_store — the reviewer's queue and production, and the platform admin:
 * the reason catalogue, custom specs, account and school changes, the audit
 * log.  See tc_store.h ("platform admin") for the contract. */
#include <stdio.h>
#include <string.h>

#include "store_int.h"


/* ---- review ---------------------------------------------------------------------------------------------- */

/* The decision; with claims, refused while another reviewer holds one. */
static int decide(tc_store *s, int64_t sub_id, int64_t reviewer_id, int approve, const char *reasons,
                  const char *note, int64_t now, int claims, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_SUBMITTED,
               approve ? TC_STORE_SUB_APPROVED : TC_STORE_SUB_REJECTED);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    /* Why the check is inside the transaction: two reviewers deciding the
     * same photo at once must not both pass (one of them has no claim). */
    int64_t row[3];
    int ok = store_db_ints(db, row, 3, e,
                           "SELECT state = 'submitted', coalesce(claim_by, 0), claim_until FROM submission WHERE id = ?",
                           "i", sub_id);
    if (ok == 0 && !row[0])
        ok = tc_err_set(e, TCE_REVIEW_NOT_SUBMITTED);
    else if (ok == 0 && claims && row[1] && row[1] != reviewer_id && row[2] >= now)
        ok = tc_err_set(e, TCE_REVIEW_CLAIMED);
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE submission SET state = ?, reviewer_id = ?, reasons = ?, note = ?,"
                          " decided_at = ?, claim_by = NULL, claim_until = 0"
                          " WHERE id = ? AND state = 'submitted'",
                          "sissii", approve ? "approved" : "rejected", reviewer_id, reasons ? reasons : "[]",
                          note ? note : "", now, sub_id);
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE student SET state = ? WHERE id = (SELECT student_id FROM submission WHERE id = ?)",
                          "si", approve ? "approved" : "rejected", sub_id);
    return store_tx_close(s, db, ok, e);
}

int tc_store_review_decide(tc_store *s, int64_t sub_id, int64_t reviewer_id, int approve, const char *reasons,
                           const char *note, int64_t now, tc_err *e)
{
    return decide(s, sub_id, reviewer_id, approve, reasons, note, now, 1, e);
}

int tc_store_submission_decide(tc_store *s, int64_t sub_id, int64_t reviewer_id, int approve, const char *reasons,
                               const char *note, int64_t now, tc_err *e)
{
    return decide(s, sub_id, reviewer_id, approve, reasons, note, now, 0, e);
}

static void read_production(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_production *o = o_;
    store_cols(p, st, 0, "iiiiiissssssss", &o->sub_id, &o->student_id, &o->batch_id, &o->school_id, &o->decided_at,
               &o->reviewer_id, &o->name, &o->student_no, &o->class_name, &o->batch_name, &o->school_name,
               &o->final_reason, &o->final_state, &o->photo_token);
}

/* What production has to make: approved photos, and 成片 whose student asked
 * for a correction. */
#define PRODUCIBLE "(u.state = 'approved' OR (u.state = 'final' AND u.final_state = 'correction'))"

int tc_store_review_production(tc_store *s, tc_pool *p, int64_t batch_id, int approved_only, int limit, int offset,
                               tc_store_production **out, size_t *n, int64_t *total, tc_err *e)
{
    store_conn *db = store_acquire(s);
    *out = NULL;
    *n = 0;
    int rc = store_db_ints(db, total, 1, e,
                           "SELECT count(*) FROM submission u JOIN student t ON t.id = u.student_id"
                           " WHERE " PRODUCIBLE " AND (?1 = 0 OR t.batch_id = ?1)"
                           " AND (?2 = 0 OR u.state = 'approved')",
                           "ii", batch_id, (int64_t)approved_only);
    if (rc == 0)
        rc = store_db_list(db, p, sizeof **out, read_production, (void **)out, n, e,
                           "SELECT u.id, t.id, t.batch_id, t.school_id, u.decided_at,"
                           " coalesce(u.reviewer_id, 0), t.name, t.student_no, t.class_name, b.name,"
                           " c.name, u.final_reason, u.final_state, (SELECT token FROM photo WHERE photo.id = u.photo_id)"
                           " FROM submission u JOIN student t ON t.id = u.student_id"
                           " JOIN batch b ON b.id = t.batch_id JOIN school c ON c.id = t.school_id"
                           " WHERE " PRODUCIBLE " AND (?1 = 0 OR t.batch_id = ?1)"
                           " AND (?4 = 0 OR u.state = 'approved')"
                           " ORDER BY u.decided_at, u.id LIMIT ?2 OFFSET ?3",
                           "iiii", batch_id, (int64_t)limit, (int64_t)offset, (int64_t)approved_only);
    store_release(s, db);
    return rc;
}

int tc_store_review_stats(tc_store *s, int64_t reviewer_id, int64_t since, int64_t *queue, int64_t *approved,
                          int64_t *mine, tc_err *e)
{
    int64_t v[3];
    int rc = store_get_ints(s, v, 3, e,
                            "SELECT (SELECT count(*) FROM submission WHERE state = 'submitted'),"
                            " (SELECT count(*) FROM submission u WHERE " PRODUCIBLE "),"
                            " (SELECT count(*) FROM submission WHERE reviewer_id = ? AND decided_at >= ?"
                            "  AND state IN ('approved','rejected','final'))",
                            "ii", reviewer_id, since);
    *queue = v[0];
    *approved = v[1];
    *mine = v[2];
    return rc;
}

/* ---- the reason catalogue ---------------------------------------------------------------------------------- */

#define REASON_COLS "code, zh, en, sort, active, updated_at"

static void read_reason(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_reason *o = o_;
    store_cols(p, st, 0, "sssini", &o->code, &o->zh, &o->en, &o->sort, &o->active, &o->updated_at);
}

int tc_store_reason_list(tc_store *s, tc_pool *p, int active_only, tc_store_reason **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_reason, (void **)out, n, e,
                      "SELECT " REASON_COLS " FROM reason WHERE active >= ? ORDER BY sort, code",
                      "i", (int64_t)(active_only ? 1 : 0));
}

int tc_store_reason_get(tc_store *s, tc_pool *p, const char *code, int active_only, tc_store_reason *out, tc_err *e)
{
    int rc = store_get(s, p, read_reason, out, e, "SELECT " REASON_COLS " FROM reason WHERE code = ? AND active >= ?",
                       "si", code, (int64_t)(active_only ? 1 : 0));
    return rc == 1 ? tc_err_set(e, TCE_REVIEW_BAD_REASON_3, code)
                   : rc;
}

int tc_store_reason_add(tc_store *s, const tc_store_reason *r, int64_t now, tc_err *e)
{
    int64_t ch = store_write(s, NULL, e,
                             "INSERT INTO reason(code, zh, en, sort, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                             "sssiii", r->code, r->zh, r->en, r->sort, (int64_t)(r->active ? 1 : 0), now);
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_REASON_CODE_TAKEN, r->code);
    return ch >= 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "insert reason");
}

int tc_store_reason_update(tc_store *s, const tc_store_reason *r, int64_t now, tc_err *e)
{
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE reason SET zh = ?, en = ?, sort = ?, active = ?, updated_at = ?"
                                   " WHERE code = ?",
                                   "ssiiis", r->zh, r->en, r->sort, (int64_t)(r->active ? 1 : 0), now, r->code);
    return ch > 0 ? 0 : ch == 0 ? tc_err_set(e, TCE_REASON_NOT_FOUND) : -1;
}

/* ---- custom specs -------------------------------------------------------------------------------------------- */

#define SPEC_COLS "name, json, created_at, updated_at"

static void read_spec(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_spec *o = o_;
    store_cols(p, st, 0, "ssii", &o->name, &o->json, &o->created_at, &o->updated_at);
}

int tc_store_spec_list(tc_store *s, tc_pool *p, tc_store_spec **out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_spec, (void **)out, n, e, "SELECT " SPEC_COLS " FROM spec ORDER BY name",
                      NULL);
}

int tc_store_spec_get(tc_store *s, tc_pool *p, const char *name, tc_store_spec *out, tc_err *e)
{
    int rc = store_get(s, p, read_spec, out, e, "SELECT " SPEC_COLS " FROM spec WHERE name = ?",
                       "s", name);
    return rc == 1 ? tc_err_set(e, TCE_SPEC_NOT_FOUND) : rc;
}

int tc_store_spec_add(tc_store *s, const char *name, const char *json, int64_t now, tc_err *e)
{
    int64_t ch = store_write(s, NULL, e, "INSERT INTO spec(name, json, created_at) VALUES (?, ?, ?)", "ssi", name,
                             json, now);
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_SPEC_NAME_TAKEN, name);
    return ch >= 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "insert spec");
}

int tc_store_spec_update(tc_store *s, const char *name, const char *json, int64_t now, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE spec SET json = ?, updated_at = ? WHERE name = ?", "sis", json, now,
                                   name);
    return ch > 0 ? 0 : ch == 0 ? tc_err_set(e, TCE_SPEC_NOT_FOUND) : -1;
}

static void read_spec_use(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_spec_use *o = o_;
    store_cols(p, st, 0, "iiss", &o->school_id, &o->batch_id, &o->school_name, &o->batch_name);
}

/* The "spec" member of a settings column; the CASE keeps json_extract off a
 * text that is not JSON (it would fail the whole query, and one bad row must
 * not make a spec undeletable or, worse, deletable unchecked). */
#define SPEC_OF(col) "CASE WHEN json_valid(" col ") THEN json_extract(" col ", '$.spec') END"

static int spec_uses(store_conn *db, tc_pool *p, const char *name, tc_store_spec_use **out, size_t *n, tc_err *e)
{
    return store_db_list(db, p, sizeof **out, read_spec_use, (void **)out, n, e,
                         "SELECT c.id, 0, c.name, '' FROM school c WHERE " SPEC_OF("c.settings") " = ?1"
                         " UNION ALL"
                         " SELECT b.school_id, b.id, c.name, b.name FROM batch b"
                         " JOIN school c ON c.id = b.school_id WHERE " SPEC_OF("b.settings") " = ?1"
                         " ORDER BY 2, 1",
                         "s", name);
}

int tc_store_spec_uses(tc_store *s, tc_pool *p, const char *name, tc_store_spec_use **out, size_t *n, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int rc = spec_uses(db, p, name, out, n, e);
    store_release(s, db);
    return rc;
}

/* src, cut to at most max bytes on a UTF-8 character boundary (a cut
 * character would make the message invalid JSON text), with "…" when cut;
 * dst holds max + 4. */
static void clip_utf8(char *dst, const char *src, size_t max)
{
    size_t n = strlen(src);
    int cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    strcpy(dst + n, cut ? "…" : "");
}

/* spec.in_use naming as many places as fit tc_err's 256 bytes (names cut
 * at 45 bytes, so the first always fits) and how many there are in all. */
static int in_use_err(tc_err *e, const char *name, const tc_store_spec_use *u, size_t n)
{
    /* the list's room: the message less its fixed words (under 72 bytes in
     * either language), the spec name and the "and N more" tail */
    const size_t room = sizeof e->zh - 1 - 72 - strlen(name) - 20;
    char zh[256] = "", en[256] = "";
    size_t shown = 0;
    for (; shown < n; shown++) {
        char sn[49], bn[49], iz[160], ie[160];
        clip_utf8(sn, u[shown].school_name, 45);
        clip_utf8(bn, u[shown].batch_name, 45);
        const char *sep_z = shown ? "、" : "", *sep_e = shown ? ", " : "";
        if (u[shown].batch_id) {
            snprintf(iz, sizeof iz, "%s批次“%s”（%s）", sep_z, bn, sn);
            snprintf(ie, sizeof ie, "%sbatch \"%s\" (%s)", sep_e, bn, sn);
        } else {
            snprintf(iz, sizeof iz, "%s学校“%s”的默认设置", sep_z, sn);
            snprintf(ie, sizeof ie, "%sthe defaults of school \"%s\"", sep_e, sn);
        }
        if (strlen(zh) + strlen(iz) > room || strlen(en) + strlen(ie) > room)
            break;
        strcat(zh, iz);
        strcat(en, ie);
    }
    if (shown < n) {
        size_t lz = strlen(zh), le = strlen(en);
        snprintf(zh + lz, sizeof zh - lz, "等 %zu 处", n);
        snprintf(en + le, sizeof en - le, " and %zu more", n - shown);
    }
    return tc_err_set(e, TCE_SPEC_IN_USE, name, zh, en);
}

int tc_store_spec_delete(tc_store *s, tc_pool *p, const char *name, tc_store_spec_use **uses, size_t *n_uses,
                         tc_err *e)
{
    tc_store_spec_use *u = NULL;
    size_t n = 0;
    if (uses) {
        *uses = NULL;
        *n_uses = 0;
    }
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    /* Why one transaction: a setting saved between the check and the delete
     * would otherwise choose a spec that is gone. */
    int ok = spec_uses(db, p, name, &u, &n, e);
    if (ok == 0 && n > 0) {
        ok = in_use_err(e, name, u, n);
        if (uses) {
            *uses = u;
            *n_uses = n;
        }
    }
    int64_t ch = ok == 0 ? store_db_changes(db, e, "DELETE FROM spec WHERE name = ?", "s", name) : -1;
    if (ch == 0)
        ok = tc_err_set(e, TCE_SPEC_NOT_FOUND);
    else if (ch < 0)
        ok = -1;
    return store_tx_close(s, db, ok, e);
}

/* ---- accounts and schools ------------------------------------------------------------------------------------ */

int tc_store_staff_update(tc_store *s, int64_t id, const char *role, int64_t school_id, int disabled, tc_err *e)
{
    int64_t ch = store_write(s, NULL, e, "UPDATE staff SET role = ?, school_id = nullif(?, 0), disabled = ? WHERE id = ?",
                             "siii", role, school_id, (int64_t)(disabled ? 1 : 0), id);
    if (ch == STORE_CHECK || ch == STORE_FKEY)
        return tc_err_set(e, TCE_STAFF_BAD_ROLE);
    if (ch == 0)
        return tc_err_set(e, TCE_STAFF_NOT_FOUND);
    return ch > 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "update staff");
}

int tc_store_school_rename(tc_store *s, int64_t id, const char *name, tc_err *e)
{
    int64_t ch = store_write(s, NULL, e, "UPDATE school SET name = ? WHERE id = ?", "si", name, id);
    if (ch == STORE_UNIQUE)
        return tc_err_set(e, TCE_SCHOOL_NAME_TAKEN, name);
    if (ch == 0)
        return tc_err_set(e, TCE_SCHOOL_NOT_FOUND);
    return ch > 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "rename school");
}

/* ---- the audit log --------------------------------------------------------------------------------------------- */

static void read_audit(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_audit_row *o = o_;
    store_cols(p, st, 0, "iiissssss", &o->id, &o->at, &o->staff_id, &o->username, &o->action, &o->target, &o->before,
               &o->after, &o->ip);
}

/* The filters as one WHERE clause on numbered parameters: ?1 staff, ?2
 * from, ?3 to, ?4 action, ?5 target, ?6 text.  Prefixes and text are
 * matched with substr/instr, not LIKE, so '%' or '_' typed by a user are
 * literal and need no escaping. */
#define AUDIT_WHERE                                                                                                  \
    " WHERE (?1 = 0 OR a.staff_id = ?1) AND (?2 = 0 OR a.at >= ?2) AND (?3 = 0 OR a.at < ?3)"                       \
    " AND (?4 = '' OR a.action = ?4 OR (substr(?4, length(?4)) = '.' AND substr(a.action, 1, length(?4)) = ?4))"    \
    " AND (?5 = '' OR substr(coalesce(a.target, ''), 1, length(?5)) = ?5)"                                          \
    " AND (?6 = '' OR instr(a.action || ' ' || coalesce(a.target, '') || ' ' || coalesce(a.before, '') || ' '"      \
    " || coalesce(a.after, ''), ?6) > 0)"

int tc_store_audit_search(tc_store *s, tc_pool *p, const tc_store_audit_query *q, tc_store_audit_row **out,
                          size_t *n, int64_t *total, tc_err *e)
{
    store_conn *db = store_acquire(s);
    *out = NULL;
    *n = 0;
    const char *act = q->action ? q->action : "", *tgt = q->target ? q->target : "", *txt = q->text ? q->text : "";
    int rc = store_db_ints(db, total, 1, e, "SELECT count(*) FROM staff_audit a" AUDIT_WHERE, "iiisss", q->staff_id,
                           q->from, q->to, act, tgt, txt);
    if (rc == 0)
        rc = store_db_list(db, p, sizeof **out, read_audit, (void **)out, n, e,
                           "SELECT a.id, a.at, coalesce(a.staff_id, 0), coalesce(f.username, ''),"
                           " a.action, a.target, a.before, a.after, a.ip FROM staff_audit a"
                           " LEFT JOIN staff f ON f.id = a.staff_id" AUDIT_WHERE
                           " ORDER BY a.at DESC, a.id DESC LIMIT ?7 OFFSET ?8",
                           "iiisssii", q->staff_id, q->from, q->to, act, tgt, txt, (int64_t)q->limit,
                           (int64_t)q->offset);
    store_release(s, db);
    return rc;
}

/* ---- roster files kept before migration 6 ------------------------------------------------- */

int tc_store_audit_roster_files(tc_store *s, tc_pool *p, const char ***ids, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **ids, store_read_text, (void **)ids, n, e,
                      "SELECT DISTINCT json_extract(after, '$.file') FROM staff_audit"
                      " WHERE action = 'roster_import' AND json_valid(after)"
                      " AND json_type(after, '$.file') = 'text'",
                      NULL);
}
