/* tc_store — the student's journey: photos, drafts, submissions and review,
 * orders and messages.  See tc_store.h. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store_int.h"


/* ---- the student's progress ----------------------------------------------------------------------- */

#define JOURNEY_COLS                                                                                                \
    "notice_read_at, tips_read_at, tutorial_at, notify_chosen_at, notify_status, notify_payment, email,"           \
    " cooloff_until, locked_until, live_locked, fails, live_fails, paid_order,"                                    \
    " (SELECT count(*) FROM photo WHERE student_id = student.id AND state = 'draft'),"                             \
    " (SELECT count(*) FROM photo WHERE student_id = student.id AND state = 'processing'),"                        \
    " coalesce((SELECT cancelled_at FROM batch WHERE batch.id = student.batch_id), 0),"                            \
    " email_confirmed, email_pending,"                                                                             \
    " coalesce((SELECT terms_version FROM consent WHERE student_id = student.id ORDER BY id DESC LIMIT 1), 0),"   \
    " coalesce((SELECT privacy_version FROM consent WHERE student_id = student.id ORDER BY id DESC LIMIT 1), 0)"

static void read_journey(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_journey *o = o_;
    store_cols(p, st, 0, "iiiinnsiinnninnissnn", &o->notice_read_at, &o->tips_read_at, &o->tutorial_at,
               &o->notify_chosen_at, &o->notify_status, &o->notify_payment, &o->email, &o->cooloff_until,
               &o->locked_until, &o->live_locked, &o->fails, &o->live_fails, &o->paid_order, &o->drafts,
               &o->processing, &o->batch_cancelled_at, &o->email_confirmed, &o->email_pending, &o->consent_terms,
               &o->consent_privacy);
}

int tc_store_journey_get(tc_store *s, tc_pool *p, int64_t student_id, tc_store_journey *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = store_get(s, p, read_journey, out, e, "SELECT " JOURNEY_COLS " FROM student WHERE id = ?", "i",
                       student_id);
    return rc == 1 ? tc_err_set(e, TCE_STUDENT_NOT_FOUND) : rc;
}

int tc_store_journey_mark(tc_store *s, int64_t student_id, tc_store_mark what, int64_t now, tc_err *e)
{
    static const char *const SQL[] = {
        "UPDATE student SET notice_read_at = ? WHERE id = ? AND notice_read_at = 0",
        "UPDATE student SET tips_read_at = ? WHERE id = ? AND tips_read_at = 0",
        "UPDATE student SET tutorial_at = ? WHERE id = ? AND tutorial_at = 0",
    };
    return store_run(s, e, SQL[what], "ii", now, student_id);
}

int tc_store_journey_notify(tc_store *s, int64_t student_id, int status, int payment, const char *email,
                            int64_t now, tc_err *e)
{
    return store_run(s, e, "UPDATE student SET notify_status = ?, notify_payment = ?, email = ?,"
                     " notify_chosen_at = ? WHERE id = ?",
                     "iisii", (int64_t)status, (int64_t)payment, email ? email : "", now, student_id);
}

int tc_store_journey_unlock(tc_store *s, int64_t student_id, tc_err *e)
{
    return store_run(s, e, "UPDATE student SET live_locked = 0, locked_until = 0, fails = 0,"
                     " live_fails = 0, cooloff_until = 0 WHERE id = ?",
                     "i", student_id);
}

/* ---- photos ------------------------------------------------------------------------------------------ */

#define PHOTO_COLS                                                                                                  \
    "id, student_id, created_at, done_at, source, state, upload_blob, original_blob, standard_blob, proof_blob,"   \
    " overlay_blob, final_blob, checks, report, failed, error, liveness_failed, ms, spec, token"

static void read_photo(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_photo *o = o_;
    store_cols(p, st, 0, "iiiissssssssssssnnss", &o->id, &o->student_id, &o->created_at, &o->done_at, &o->source,
               &o->state, &o->upload_blob, &o->original_blob, &o->standard_blob, &o->proof_blob, &o->overlay_blob,
               &o->final_blob, &o->checks, &o->report, &o->failed, &o->error, &o->liveness_failed, &o->ms, &o->spec,
               &o->token);
    o->state_enum = tc_store_state_of(TC_STORE_SM_PHOTO, o->state);
}

int tc_store_photo_begin(tc_store *s, int64_t student_id, const char *source, const char *upload_blob,
                         int capacity, int64_t now, int64_t *photo_id, tc_err *e)
{
    return tc_store_photo_begin_limited(s, student_id, source, upload_blob, 0, capacity, 0, now, photo_id, e);
}

/* Bytes of uploads a student holds: the photos whose files are still kept. */
#define HELD_SQL "SELECT coalesce(sum(bytes), 0) FROM photo WHERE student_id = ?1 AND swept_at = 0"

static int storage_full(tc_err *e, int64_t quota_bytes)
{
    return tc_err_set(e, TCE_JOURNEY_STORAGE_FULL, (long long)(quota_bytes >> 20));
}

int tc_store_photo_quota_check(tc_store *s, int64_t student_id, int64_t bytes, int64_t quota_bytes, tc_err *e)
{
    if (quota_bytes <= 0)
        return 0;
    int64_t held = 0;
    int rc = store_get_ints(s, &held, 1, e, HELD_SQL, "i", student_id);
    if (rc == 0 && held + bytes > quota_bytes)
        rc = storage_full(e, quota_bytes);
    return rc;
}

int tc_store_blob_in_use(tc_store *s, const char *blob_id, int *used, tc_err *e)
{
    int64_t n = 1;
    int rc = store_get_ints(s, &n, 1, e,
                            "SELECT EXISTS (SELECT 1 FROM photo WHERE ?1 IN (upload_blob, original_blob,"
                            " standard_blob, proof_blob, overlay_blob, final_blob))",
                            "s", blob_id);
    *used = rc != 0 || n != 0; /* in doubt, in use */
    return rc;
}

int tc_store_photo_begin_limited(tc_store *s, int64_t student_id, const char *source, const char *upload_blob,
                                 int64_t bytes, int capacity, int64_t quota_bytes, int64_t now, int64_t *photo_id,
                                 tc_err *e)
{
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_STATE_NEW, TC_STORE_PHOTO_PROCESSING);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t v[4]; /* processing, drafts, the batch's cancelled_at, bytes held */
    int ok = store_db_ints(db, v, 4, e,
                           "SELECT (SELECT count(*) FROM photo WHERE student_id = ?1 AND state = 'processing'),"
                           " (SELECT count(*) FROM photo WHERE student_id = ?1 AND state = 'draft'),"
                           " coalesce((SELECT batch.cancelled_at FROM batch JOIN student ON student.batch_id = batch.id"
                           "  WHERE student.id = ?1), 0), (" HELD_SQL ")",
                           "i", student_id);
    if (ok == 0 && v[2])
        ok = tc_err_set(e, TCE_JOURNEY_BATCH_CANCELLED);
    else if (ok == 0 && quota_bytes > 0 && v[3] + bytes > quota_bytes)
        ok = storage_full(e, quota_bytes);
    else if (ok == 0 && v[0])
        ok = tc_err_set(e, TCE_JOURNEY_BUSY);
    else if (ok == 0 && v[1] >= capacity)
        ok = tc_err_set(e, TCE_JOURNEY_DRAFTS_FULL);
    /* the public token: 16 random bytes in hex (see the "photo tokens"
     * migration) */
    uint8_t rnd[16];
    char token[33];
    randombytes_buf(rnd, sizeof rnd);
    tc_hex(rnd, sizeof rnd, token);
    if (ok == 0)
        ok = store_db_insert(db, photo_id, e,
                             "INSERT INTO photo (student_id, created_at, source, state, upload_blob,"
                             " bytes, token) VALUES (?, ?, ?, 'processing', ?, ?, ?)",
                             "iissis", student_id, now, source, upload_blob, bytes, token);
    return store_tx_close(s, db, ok, e);
}

int tc_store_photo_finish(tc_store *s, int64_t photo_id, const tc_store_photo_done *d, int64_t now, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_PROCESSING, d->state);
    const char *state = tc_store_state_name(TC_STORE_SM_PHOTO, d->state);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    /* the state and the claim re-checked here: a worker whose claim went
     * stale (another took the photo over) changes nothing */
    int64_t changed = store_db_changes(
        db, e,
        "UPDATE photo SET state = ?, done_at = ?, original_blob = ?, standard_blob = ?, proof_blob = ?,"
        " overlay_blob = ?, checks = ?, report = ?, failed = ?, error = ?, liveness_failed = ?, ms = ?, spec = ?"
        " WHERE id = ? AND state = 'processing' AND (? IS NULL OR claimed_by = ?)",
        "sissssssssiisiss", state, now, d->original_blob ? d->original_blob : "",
        d->standard_blob ? d->standard_blob : "", d->proof_blob ? d->proof_blob : "",
        d->overlay_blob ? d->overlay_blob : "", d->checks ? d->checks : "{}", d->report ? d->report : "{}",
        d->failed ? d->failed : "", d->error ? d->error : "", (int64_t)d->liveness_failed, (int64_t)d->ms,
        d->spec ? d->spec : "", photo_id, d->claimed_by, d->claimed_by);
    int ok = changed < 0 ? -1 : changed == 0 ? tc_err_set(e, TCE_PHOTO_CLAIM_LOST) : 0;
    if (ok == 0 && d->face_hash)
        ok = store_db_run(db, e, "UPDATE photo SET face_hash = ? WHERE id = ?", "hi", d->face_hash, photo_id);
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE student SET fails = ?, live_fails = ?, live_locked = ?, cooloff_until = ?,"
                          " locked_until = ?, state = CASE WHEN state IN ('not_started','verified') AND ? = 'draft'"
                          " THEN 'drafts' ELSE state END"
                          " WHERE id = (SELECT student_id FROM photo WHERE id = ?)",
                          "iiiiisi", (int64_t)d->fails, (int64_t)d->live_fails, (int64_t)d->live_locked,
                          d->cooloff_until, d->locked_until, state, photo_id);
    return store_tx_close(s, db, ok, e);
}

static int no_photo(tc_err *e)
{
    return tc_err_set(e, TCE_PHOTO_NOT_FOUND);
}

int tc_store_photo_by_token(tc_store *s, tc_pool *p, const char *token, tc_store_photo *out, tc_err *e)
{
    /* '' is the column's default, never a photo's token */
    if (!token || !*token)
        return no_photo(e);
    int rc = store_get(s, p, read_photo, out, e, "SELECT " PHOTO_COLS " FROM photo WHERE token = ?", "s", token);
    return rc == 1 ? no_photo(e) : rc;
}

int tc_store_photo_get(tc_store *s, tc_pool *p, int64_t photo_id, tc_store_photo *out, tc_err *e)
{
    int rc = store_get(s, p, read_photo, out, e, "SELECT " PHOTO_COLS " FROM photo WHERE id = ?", "i", photo_id);
    return rc == 1 ? no_photo(e) : rc;
}

int tc_store_photo_list(tc_store *s, tc_pool *p, int64_t student_id, tc_store_photo_state state, tc_store_photo **out,
                        size_t *n, tc_err *e)
{
    if (state == TC_STORE_PHOTO_NONE)
        return store_list(s, p, sizeof **out, read_photo, (void **)out, n, e,
                          "SELECT " PHOTO_COLS " FROM photo WHERE student_id = ? AND state != 'deleted' ORDER BY id DESC",
                          "i", student_id);
    return store_list(s, p, sizeof **out, read_photo, (void **)out, n, e,
                      "SELECT " PHOTO_COLS " FROM photo WHERE student_id = ? AND state = ? ORDER BY id DESC", "is",
                      student_id, tc_store_state_name(TC_STORE_SM_PHOTO, state));
}

int tc_store_photo_delete(tc_store *s, int64_t student_id, int64_t photo_id, int64_t min_age_s, int64_t now,
                          int64_t *deletable_at, tc_err *e)
{
    *deletable_at = 0;
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t v[3]; /* found, the state is draft, made at */
    int ok = store_db_ints(db, v, 3, e,
                           "SELECT 1, state = 'draft', created_at FROM photo WHERE id = ? AND student_id = ?", "ii",
                           photo_id, student_id);
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_DELETED);
    if (ok == 0 && !v[0])
        ok = tc_err_set(e, TCE_PHOTO_NOT_FOUND);
    else if (ok == 0 && !v[1])
        ok = tc_err_set(e, TCE_JOURNEY_NOT_A_DRAFT);
    else if (ok == 0 && now < v[2] + min_age_s) {
        *deletable_at = v[2] + min_age_s;
        char t[20];
        tc_time_fmt_cn(*deletable_at, t);
        ok = tc_err_set(e, TCE_JOURNEY_DELETE_TOO_EARLY, t);
    }
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE photo SET state = 'deleted', deleted_at = ? WHERE id = ?", "ii", now, photo_id);
    return store_tx_close(s, db, ok, e);
}

static void read_hash(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_face_hash *o = o_;
    store_cols(p, st, 0, "iih", &o->photo_id, &o->student_id, o->hash);
}

int tc_store_face_hashes(tc_store *s, tc_pool *p, int64_t school_id, int limit, tc_store_face_hash **out,
                         size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, read_hash, (void **)out, n, e,
                      "SELECT photo.id, photo.student_id, photo.face_hash FROM photo"
                      " JOIN student ON student.id = photo.student_id"
                      " WHERE student.school_id = ? AND photo.face_hash IS NOT NULL"
                      " AND photo.state IN ('draft','used','failed')"
                      " ORDER BY photo.id DESC LIMIT ?",
                      "ii", school_id, (int64_t)limit);
}

/* ---- submissions and review ------------------------------------------------------------------------------ */

#define SUB_COLS                                                                                                    \
    "id, student_id, photo_id, state, created_at, submitted_at, decided_at, coalesce(reviewer_id, 0), final_at,"     \
    " reasons, note, (SELECT token FROM photo WHERE photo.id = submission.photo_id), final_state, final_reason,"    \
    " final_by"

static void read_sub(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_submission *o = o_;
    store_cols(p, st, 0, "iiisiiiiisssssi", &o->id, &o->student_id, &o->photo_id, &o->state, &o->created_at,
               &o->submitted_at, &o->decided_at, &o->reviewer_id, &o->final_at, &o->reasons, &o->note,
               &o->photo_token, &o->final_state, &o->final_reason, &o->final_by);
    o->state_enum = tc_store_state_of(TC_STORE_SM_SUBMISSION, o->state);
    o->final_state_enum = tc_store_state_of(TC_STORE_SM_FINAL, o->final_state);
}

static int no_submission(tc_err *e)
{
    return tc_err_set(e, TCE_JOURNEY_NO_SUBMISSION);
}

int tc_store_submission_current(tc_store *s, tc_pool *p, int64_t student_id, tc_store_submission *out, tc_err *e)
{
    int rc = store_get(s, p, read_sub, out, e,
                       "SELECT " SUB_COLS " FROM submission WHERE student_id = ?"
                       " AND state NOT IN ('withdrawn','reset') ORDER BY id DESC LIMIT 1",
                       "i", student_id);
    return rc == 1 ? no_submission(e) : rc;
}

int tc_store_photo_submission(tc_store *s, tc_pool *p, int64_t photo_id, tc_store_submission *out, tc_err *e)
{
    int rc = store_get(s, p, read_sub, out, e,
                       "SELECT " SUB_COLS " FROM submission WHERE photo_id = ? ORDER BY id DESC LIMIT 1", "i", photo_id);
    return rc == 1 ? no_submission(e) : rc;
}

int tc_store_submission_get(tc_store *s, tc_pool *p, int64_t sub_id, tc_store_submission *out, tc_err *e)
{
    int rc = store_get(s, p, read_sub, out, e, "SELECT " SUB_COLS " FROM submission WHERE id = ?", "i", sub_id);
    return rc == 1 ? no_submission(e) : rc;
}

/* Set the roster state that the consoles count by. */
static int student_state(store_conn *db, int64_t student_id, const char *state, tc_err *e)
{
    return store_db_run(db, e, "UPDATE student SET state = ? WHERE id = ?", "si", state, student_id);
}

int tc_store_submission_create(tc_store *s, int64_t student_id, int64_t photo_id, int pay_first, int64_t now,
                               int64_t *sub_id, tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t v[2]; /* live submissions, the photo is the student's draft */
    int ok = store_db_ints(db, v, 2, e,
                           "SELECT (SELECT count(*) FROM submission WHERE student_id = ?2"
                           "  AND state IN ('pending_payment','submitted','approved','final')),"
                           " (SELECT count(*) FROM photo WHERE id = ?1 AND student_id = ?2 AND state = 'draft')",
                           "ii", photo_id, student_id);
    if (ok == 0 && v[0])
        ok = tc_err_set(e, TCE_JOURNEY_ALREADY_SUBMITTED);
    else if (ok == 0 && !v[1])
        ok = tc_err_set(e, TCE_JOURNEY_NOT_A_DRAFT_2);
    int to = pay_first ? TC_STORE_SUB_PENDING_PAYMENT : TC_STORE_SUB_SUBMITTED;
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_STATE_NEW, to);
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_USED);
    const char *state = tc_store_state_name(TC_STORE_SM_SUBMISSION, to);
    if (ok == 0)
        ok = store_db_insert(db, sub_id, e,
                             "INSERT INTO submission (student_id, photo_id, state, created_at, submitted_at)"
                             " VALUES (?, ?, ?, ?, ?)",
                             "iisii", student_id, photo_id, state, now, pay_first ? (int64_t)0 : now);
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE photo SET state = 'used' WHERE id = ?", "i", photo_id);
    if (ok == 0)
        ok = student_state(db, student_id, state, e);
    return store_tx_close(s, db, ok, e);
}

int tc_store_submission_withdraw(tc_store *s, int64_t student_id, int64_t now, tc_err *e)
{
    (void)now;
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_SUBMITTED, TC_STORE_SUB_WITHDRAWN);
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_WITHDRAWN);
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_USED, TC_STORE_PHOTO_DRAFT);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t v[2]; /* the submission, its photo */
    int ok = store_db_ints(db, v, 2, e,
                           "SELECT id, photo_id FROM submission WHERE student_id = ?"
                           " AND state IN ('submitted','pending_payment') ORDER BY id DESC LIMIT 1",
                           "i", student_id);
    if (ok == 0 && !v[0])
        ok = tc_err_set(e, TCE_JOURNEY_NOT_WITHDRAWABLE);
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE submission SET state = 'withdrawn' WHERE id = ?", "i", v[0]);
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE photo SET state = 'draft' WHERE id = ?", "i", v[1]);
    if (ok == 0)
        ok = student_state(db, student_id, "drafts", e);
    return store_tx_close(s, db, ok, e);
}

static int final_put(tc_store *s, int64_t sub_id, const char *final_blob, int64_t staff_id, int again, int64_t now,
                     tc_err *e);

int tc_store_submission_final(tc_store *s, int64_t sub_id, const char *final_blob, int64_t now, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_APPROVED, TC_STORE_SUB_FINAL);
    STORE_STEP(TC_STORE_SM_FINAL, TC_STORE_STATE_NEW, TC_STORE_FINAL_READY);
    return final_put(s, sub_id, final_blob, 0, 0, now, e);
}

int tc_store_final_make(tc_store *s, int64_t sub_id, const char *final_blob, int64_t staff_id, int64_t now,
                        tc_err *e)
{
    STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_APPROVED, TC_STORE_SUB_FINAL);
    STORE_STEP(TC_STORE_SM_FINAL, TC_STORE_STATE_NEW, TC_STORE_FINAL_READY);
    STORE_STEP(TC_STORE_SM_FINAL, TC_STORE_FINAL_CORRECTION, TC_STORE_FINAL_READY);
    return final_put(s, sub_id, final_blob, staff_id, 1, now, e);
}

/* The student's 校对: ready -> confirmed (reason NULL) or correction. */
static int final_check(tc_store *s, int64_t student_id, const char *reason, int64_t now, tc_err *e)
{
    (void)now;
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE submission SET final_state = ?, final_reason = ?"
                                   " WHERE id = (SELECT id FROM submission WHERE student_id = ?"
                                   "  AND state NOT IN ('withdrawn','reset') ORDER BY id DESC LIMIT 1)"
                                   " AND state = 'final' AND final_state = 'ready'",
                                   "ssi", reason ? "correction" : "confirmed", reason ? reason : "", student_id);
    return ch < 0 ? -1 : ch == 0 ? tc_err_set(e, TCE_FINAL_NOT_READY) : 0;
}

int tc_store_final_confirm(tc_store *s, int64_t student_id, int64_t now, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_FINAL, TC_STORE_FINAL_READY, TC_STORE_FINAL_CONFIRMED);
    return final_check(s, student_id, NULL, now, e);
}

int tc_store_final_correct(tc_store *s, int64_t student_id, const char *reason, int64_t now, tc_err *e)
{
    STORE_STEP(TC_STORE_SM_FINAL, TC_STORE_FINAL_READY, TC_STORE_FINAL_CORRECTION);
    assert(reason);
    return final_check(s, student_id, reason, now, e);
}

/* The 成片 stored: approved -> final (ready), or (again 1) correction -> ready. */
static int final_put(tc_store *s, int64_t sub_id, const char *final_blob, int64_t staff_id, int again, int64_t now,
                     tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t ch = store_db_changes(db, e,
                                  "UPDATE submission SET state = 'final', final_at = ?, final_state = 'ready',"
                                  " final_by = ? WHERE id = ? AND (state = 'approved' OR"
                                  " (?4 != 0 AND state = 'final' AND final_state = 'correction'))",
                                  "iiii", now, staff_id, sub_id, (int64_t)again);
    int ok = ch < 0 ? -1 : 0;
    if (ch == 0)
        ok = again ? tc_err_set(e, TCE_FINAL_NOT_PRODUCIBLE) : tc_err_set(e, TCE_REVIEW_NOT_APPROVED);
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE photo SET final_blob = ? WHERE id = (SELECT photo_id FROM submission WHERE id = ?)",
                          "si", final_blob, sub_id);
    if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE student SET state = 'final' WHERE id ="
                          " (SELECT student_id FROM submission WHERE id = ?)",
                          "i", sub_id);
    return store_tx_close(s, db, ok, e);
}

int tc_store_submission_reset(tc_store *s, int64_t student_id, const char *reason, int64_t now, tc_err *e)
{
    /* from every state but withdrawn and reset (the SQL's NOT IN) */
    for (int from = 0; from < TC_STORE_SUB_COUNT; from++)
        if (from != TC_STORE_SUB_WITHDRAWN && from != TC_STORE_SUB_RESET)
            STORE_STEP(TC_STORE_SM_SUBMISSION, from, TC_STORE_SUB_RESET);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t ch = store_db_changes(db, e,
                                  "UPDATE submission SET state = 'reset', note = ?, decided_at = ?"
                                  " WHERE id = (SELECT id FROM submission WHERE student_id = ?"
                                  " AND state NOT IN ('withdrawn','reset') ORDER BY id DESC LIMIT 1)",
                                  "sii", reason ? reason : "", now, student_id);
    int ok = ch < 0 ? -1 : ch == 0 ? tc_err_set(e, TCE_JOURNEY_NO_SUBMISSION_2) : 0;
    if (ok == 0)
        ok = student_state(db, student_id, "reset", e);
    return store_tx_close(s, db, ok, e);
}

int tc_store_review_claim(tc_store *s, tc_pool *p, int64_t reviewer_id, int limit, int claim_s, int64_t now,
                          tc_store_submission **out, size_t *n, tc_err *e)
{
    *out = NULL;
    *n = 0;
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    /* keep this reviewer's own live claims, and take unclaimed or expired
     * ones up to the limit, oldest first */
    int ok = store_db_run(db, e,
                          "UPDATE submission SET claim_by = ?, claim_until = ? WHERE id IN"
                          " (SELECT id FROM submission WHERE state = 'submitted'"
                          "  AND (claim_by IS NULL OR claim_by = ? OR claim_until < ?)"
                          "  ORDER BY submitted_at, id LIMIT ?)",
                          "iiiii", reviewer_id, now + claim_s, reviewer_id, now, (int64_t)limit);
    if (ok == 0)
        ok = store_db_list(db, p, sizeof **out, read_sub, (void **)out, n, e,
                           "SELECT " SUB_COLS " FROM submission WHERE state = 'submitted'"
                           " AND claim_by = ? AND claim_until >= ? ORDER BY submitted_at, id",
                           "ii", reviewer_id, now);
    return store_tx_close(s, db, ok, e);
}

/* ---- orders: paying (the rest is in tc_store_money.c) ------------------------------------------------------ */

int tc_store_order_paid(tc_store *s, const char *out_trade_no, const char *txn, int64_t amount_fen, int64_t now,
                        int *already, tc_err *e)
{
    tc_pool pool;
    tc_pool_init(&pool);
    tc_store_order o;
    /* a provider repeats its callback until it is acknowledged: a paid order
     * stays paid, once */
    STORE_STEP(TC_STORE_SM_ORDER, TC_STORE_ORDER_CREATED, TC_STORE_ORDER_PAID);
    int ok;
    store_conn *db = store_order_pay_open(s, &pool, out_trade_no, TC_STORE_ORDER_CREATED, amount_fen, &o, already, &ok, e);
    if (!db) {
        tc_pool_clear(&pool);
        return -1;
    }
    if (ok == 0 && !*already)
        ok = store_db_run(db, e,
                          "UPDATE pay_order SET state = 'paid', provider_txn = ?, paid_at = ?,"
                          " ship_state = CASE WHEN kind = 'reprint' THEN 'to_ship' ELSE ship_state END"
                          " WHERE id = ?",
                          "sii", txn ? txn : "", now, o.id);
    if (ok == 0 && !*already && !strcmp(o.kind, "photo") && o.student_id) {
        STORE_STEP(TC_STORE_SM_SUBMISSION, TC_STORE_SUB_PENDING_PAYMENT, TC_STORE_SUB_SUBMITTED);
        ok = store_db_run(db, e, "UPDATE student SET paid_order = ? WHERE id = ?", "ii", o.id, o.student_id);
        int64_t ch = ok == 0 ? store_db_changes(db, e,
                                                "UPDATE submission SET state = 'submitted', submitted_at = ?"
                                                " WHERE student_id = ? AND state = 'pending_payment'",
                                                "ii", now, o.student_id)
                             : -1;
        ok = ch < 0 ? -1 : 0;
        if (ch > 0)
            ok = student_state(db, o.student_id, "submitted", e);
    }
    tc_pool_clear(&pool);
    return store_tx_close(s, db, ok, e);
}

/* ---- messages ------------------------------------------------------------------------------------------------ */

int tc_store_message_add(tc_store *s, const tc_store_message *m, int64_t *id, tc_err *e)
{
    int64_t ch = store_write(s, id, e,
                             "INSERT INTO message (person_id, student_id, at, kind, title_zh, title_en,"
                             " body_zh, body_en) VALUES (?, nullif(?, 0), ?, ?, ?, ?, ?, ?)",
                             "iiisssss", m->person_id, m->student_id, m->at, m->kind, m->title_zh, m->title_en,
                             m->body_zh, m->body_en);
    return ch >= 0 ? 0 : ch == -1 ? -1 : store_refused(e, ch, "insert message");
}

static void read_message(tc_pool *p, store_stmt *st, void *o_)
{
    tc_store_message *o = o_;
    store_cols(p, st, 0, "iiiiisssss", &o->id, &o->person_id, &o->student_id, &o->at, &o->read_at, &o->kind,
               &o->title_zh, &o->title_en, &o->body_zh, &o->body_en);
}

int tc_store_message_list(tc_store *s, tc_pool *p, int64_t person_id, int limit, tc_store_message **out, size_t *n,
                          int64_t *unread, tc_err *e)
{
    store_conn *db = store_acquire(s);
    int rc = store_db_list(db, p, sizeof **out, read_message, (void **)out, n, e,
                           "SELECT id, person_id, coalesce(student_id, 0), at, read_at, kind, title_zh,"
                           " title_en, body_zh, body_en FROM message WHERE person_id = ?"
                           " ORDER BY id DESC LIMIT ?",
                           "ii", person_id, (int64_t)limit);
    if (rc == 0 && unread)
        rc = store_db_ints(db, unread, 1, e, "SELECT count(*) FROM message WHERE person_id = ? AND read_at = 0", "i",
                           person_id);
    store_release(s, db);
    return rc;
}

int tc_store_message_read(tc_store *s, int64_t person_id, int64_t id, int64_t now, tc_err *e)
{
    return store_run(s, e, "UPDATE message SET read_at = ? WHERE id = ? AND person_id = ? AND read_at = 0",
                     "iii", now, id, person_id);
}

/* ---- school notice and settings ------------------------------------------------------------------------ */

static void read_extra(tc_pool *p, store_stmt *st, void *o)
{
    const char **v = o;
    store_cols(p, st, 0, "ss", &v[0], &v[1]);
}

int tc_store_school_extra(tc_store *s, tc_pool *p, int64_t school_id, const char **notice, const char **settings,
                          tc_err *e)
{
    const char *v[2];
    int rc = store_get(s, p, read_extra, v, e, "SELECT notice, settings FROM school WHERE id = ?", "i", school_id);
    if (rc == 0) {
        *notice = v[0];
        *settings = v[1];
    }
    return rc == 1 ? tc_err_set(e, TCE_SCHOOL_NOT_FOUND) : rc;
}

static int set_text(tc_store *s, const char *sql, const char *v, int64_t id, tc_err *e)
{
    return store_run(s, e, sql, "si", v, id);
}

int tc_store_school_set_notice(tc_store *s, int64_t school_id, const char *notice, tc_err *e)
{
    return set_text(s, "UPDATE school SET notice = ? WHERE id = ?", notice, school_id, e);
}

int tc_store_school_set_settings(tc_store *s, int64_t school_id, const char *settings, tc_err *e)
{
    return set_text(s, "UPDATE school SET settings = ? WHERE id = ?", settings, school_id, e);
}

int tc_store_batch_set_settings(tc_store *s, int64_t batch_id, const char *settings, tc_err *e)
{
    return set_text(s, "UPDATE batch SET settings = ? WHERE id = ?", settings, batch_id, e);
}

/* The claim is one statement outside any transaction (no writer lock):
 * PostgreSQL's FOR UPDATE SKIP LOCKED lets every node's workers claim at
 * once, each its own row; SQLite has no row locks and needs none (one
 * writer at a time), so it runs the same statement without the clause. */
#define CLAIM_SQL(LOCKING)                                                                                        \
    "UPDATE photo SET claimed_by = ?, claimed_at = ?, claims = claims + 1"                                        \
    " WHERE id = (SELECT id FROM photo WHERE state = 'processing' AND (claimed_by = '' OR claimed_at < ?)"        \
    "  ORDER BY id LIMIT 1" LOCKING ")"                                                                           \
    " AND state = 'processing' RETURNING id, claims"

int tc_store_photo_claim(tc_store *s, const char *worker, int64_t now, int64_t stale_before, int64_t *photo_id,
                         int *claims, tc_err *e)
{
    assert(worker && *worker && strlen(worker) < 64);
    *photo_id = 0;
    *claims = 0;
    int64_t v[2];
    store_conn *db = store_acquire(s);
    int rc = store_db_ints(db, v, 2, e,
                           db->kind == STORE_PG ? CLAIM_SQL(" FOR UPDATE SKIP LOCKED") : CLAIM_SQL(""), "sii",
                           worker, now, stale_before);
    store_release(s, db);
    if (rc == 0) {
        *photo_id = v[0];
        *claims = (int)v[1];
    }
    return rc;
}

int tc_store_photo_claimers(tc_store *s, tc_pool *p, const char ***out, size_t *n, tc_err *e)
{
    return store_list(s, p, sizeof **out, store_read_text, (void **)out, n, e,
                      "SELECT DISTINCT claimed_by FROM photo WHERE state = 'processing' AND claimed_by <> ''"
                      " ORDER BY claimed_by",
                      NULL);
}

int tc_store_photo_unclaim(tc_store *s, const char *worker, tc_err *e)
{
    return store_run(s, e, "UPDATE photo SET claimed_by = '', claimed_at = 0 WHERE state = 'processing' AND claimed_by = ?",
                     "s", worker);
}

int tc_store_photo_pending(tc_store *s, int64_t *n, tc_err *e)
{
    return store_get_ints(s, n, 1, e, "SELECT count(*) FROM photo WHERE state = 'processing'", NULL);
}

/* ---- the retention sweep (issue 14) ------------------------------------------------------------------------ */

/* Photos whose files may go (see tc_store.h): failed and error photos from
 * when they were made, deleted drafts from when they were deleted, photos of
 * rejected or reset submissions (and of no live one) from the decision. */
#define SWEEPABLE                                                                                                   \
    " swept_at = 0 AND ("                                                                                          \
    "  (state IN ('failed','error') AND max(done_at, created_at) <= ?1)"                                         \
    "  OR (state = 'deleted' AND max(deleted_at, done_at, created_at) <= ?1)"                                    \
    "  OR (state = 'used'"                                                                                         \
    "      AND NOT EXISTS (SELECT 1 FROM submission u WHERE u.photo_id = photo.id"                                  \
    "          AND u.state IN ('pending_payment','submitted','approved','final'))"                                  \
    "      AND coalesce((SELECT max(u.decided_at) FROM submission u WHERE u.photo_id = photo.id"                    \
    "          AND u.state IN ('rejected','reset')), 0) BETWEEN 1 AND ?1))"

#define BLOB_UNION(where)                                                                                          \
    "SELECT upload_blob AS b FROM photo WHERE " where " UNION SELECT original_blob FROM photo WHERE " where        \
    " UNION SELECT standard_blob FROM photo WHERE " where " UNION SELECT proof_blob FROM photo WHERE " where      \
    " UNION SELECT overlay_blob FROM photo WHERE " where " UNION SELECT final_blob FROM photo WHERE " where

int tc_store_photo_sweep(tc_store *s, int64_t cutoff, int limit, int (*remove)(void *ctx, const char *blob_id),
                         void *ctx, int *photos, int *files, int64_t now, tc_err *e)
{
    if (photos)
        *photos = 0;
    if (files)
        *files = 0;
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    tc_pool pool;
    tc_pool_init(&pool);
    const char **gone = NULL;
    size_t ngone = 0;
    /* mark this round's photos first (the newest mark is now: a later round
     * cannot confuse them), then the files only they name */
    int64_t marked = store_db_changes(db, e,
                                      "UPDATE photo SET swept_at = ?2 WHERE id IN (SELECT id FROM photo WHERE"
                                      SWEEPABLE " ORDER BY id LIMIT ?3)",
                                      "iii", cutoff, now, (int64_t)limit);
    int ok = marked < 0 ? -1 : 0;
    if (marked > 0)
        ok = store_db_list(db, &pool, sizeof *gone, store_read_text, (void **)&gone, &ngone, e,
                           "SELECT b FROM (" BLOB_UNION("swept_at = ?1") ") AS u WHERE b != ''"
                           " AND b NOT IN (" BLOB_UNION("swept_at = 0") ")"
                           " AND NOT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending','sending')"
                           "   AND instr(body, b) > 0)",
                           "i", now);
    for (size_t i = 0; ok == 0 && i < ngone; i++)
        if (remove(ctx, gone[i]) != 0)
            ok = tc_err_internal(e, "sweep: file %s could not be removed", gone[i]);
    int rc = store_tx_close(s, db, ok, e);
    if (rc == 0) {
        if (photos)
            *photos = (int)marked;
        if (files)
            *files = (int)ngone;
    }
    tc_pool_clear(&pool);
    return rc;
}

/* ---- the student's own e-mails (issue 14) ------------------------------------------------------------------ */

int tc_store_student_mail(tc_store *s, int64_t student_id, const char *kind, int64_t day_start, int limit,
                          int64_t now, tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int64_t n = 0;
    int ok = store_db_ints(db, &n, 1, e, "SELECT count(*) FROM student_mail WHERE student_id = ? AND at >= ?", "ii",
                           student_id, day_start);
    if (ok == 0 && n >= limit)
        ok = tc_err_set(e, TCE_JOURNEY_EMAIL_LIMIT, limit);
    if (ok == 0)
        ok = store_db_run(db, e, "INSERT INTO student_mail (student_id, at, kind) VALUES (?, ?, ?)", "iis", student_id,
                          now, kind);
    return store_tx_close(s, db, ok, e);
}

int tc_store_email_code_set(tc_store *s, int64_t student_id, const char *email, const char *code_hash, int64_t until,
                            tc_err *e)
{
    return store_run(s, e, "UPDATE student SET email_pending = ?, email_code_hash = ?,"
                     " email_code_until = ?, email_code_tries = 0 WHERE id = ?",
                     "ssii", email, code_hash, until, student_id);
}

/* The pending e-mail code of a student. */
typedef struct {
    const char *pending, *hash;
    int64_t until;
    int tries;
} email_code;

static void read_email_code(tc_pool *p, store_stmt *st, void *o_)
{
    email_code *o = o_;
    store_cols(p, st, 0, "ssin", &o->pending, &o->hash, &o->until, &o->tries);
}

int tc_store_email_confirm(tc_store *s, int64_t student_id, const char *code_hash, int max_tries, int64_t now,
                           tc_err *e)
{
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    tc_pool pool;
    tc_pool_init(&pool);
    email_code c;
    int wrong = 0;
    int ok = store_db_get(db, &pool, read_email_code, &c, e,
                          "SELECT email_pending, email_code_hash, email_code_until, email_code_tries FROM student"
                          " WHERE id = ?",
                          "i", student_id);
    size_t hl = ok == 0 ? strlen(c.hash) : 0;
    if (ok == 1)
        ok = tc_err_set(e, TCE_STUDENT_NOT_FOUND);
    else if (ok == 0 && (!*c.pending || !hl))
        ok = tc_err_set(e, TCE_JOURNEY_NO_EMAIL_CODE);
    else if (ok == 0 && c.until < now)
        ok = tc_err_set(e, TCE_JOURNEY_EMAIL_CODE_EXPIRED);
    else if (ok == 0 && c.tries >= max_tries)
        ok = tc_err_set(e, TCE_JOURNEY_EMAIL_CODE_TRIES);
    else if (ok == 0)
        wrong = strlen(code_hash) != hl || !tc_ct_equal(code_hash, c.hash, hl);
    if (ok == 0 && wrong)
        ok = store_db_run(db, e, "UPDATE student SET email_code_tries = email_code_tries + 1 WHERE id = ?", "i",
                          student_id);
    else if (ok == 0)
        ok = store_db_run(db, e,
                          "UPDATE student SET email_confirmed = email_pending, email = email_pending,"
                          " email_pending = '', email_code_hash = '', email_code_until = 0,"
                          " email_code_tries = 0 WHERE id = ?",
                          "i", student_id);
    tc_pool_clear(&pool);
    int rc = store_tx_close(s, db, ok, e);
    if (rc == 0 && wrong)
        rc = tc_err_set(e, TCE_JOURNEY_EMAIL_CODE_WRONG_2);
    return rc;
}
