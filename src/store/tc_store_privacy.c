/* tc_store — consent, retention after the season and erasure on request
 * (issue 19 item 5).  See tc_store.h. */
#include <string.h>

#include <sodium.h>

#include "store_int.h"

int tc_store_consent_add(tc_store *s, int64_t student_id, int terms_version, int privacy_version, const char *ip,
                         int64_t now, tc_err *e)
{
    return store_run(s, e,
                     "INSERT INTO consent (student_id, terms_version, privacy_version, at, ip) VALUES (?, ?, ?, ?, ?)",
                     "iiiis", student_id, (int64_t)terms_version, (int64_t)privacy_version, now, ip ? ip : "");
}

/* ---- closed batches ---- */

static void read_closed(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_closed_batch *o = out;
    store_cols(p, st, 0, "iiiss", &o->id, &o->school_id, &o->closed_at, &o->settings, &o->school_settings);
}

int tc_store_batches_closed(tc_store *s, tc_pool *p, int64_t now, tc_store_closed_batch **out, size_t *n, tc_err *e)
{
    *out = NULL;
    *n = 0;
    return store_list(s, p, sizeof **out, read_closed, (void **)out, n, e,
                      "SELECT b.id, b.school_id, CASE WHEN b.cancelled_at > 0 THEN b.cancelled_at ELSE b.ends_at END AS c,"
                      " b.settings, sc.settings FROM batch b JOIN school sc ON sc.id = b.school_id"
                      " WHERE (b.cancelled_at > 0 AND b.cancelled_at < ?1) OR (b.cancelled_at = 0 AND b.ends_at > 0"
                      " AND b.ends_at < ?1) ORDER BY c, b.id",
                      "i", now);
}

/* ---- removing files no photo keeps ---- */

/* A photo that is (part of) a live, approved or final submission: kept. */
#define KEPT                                                                                                       \
    "EXISTS (SELECT 1 FROM submission u WHERE u.photo_id = photo.id"                                               \
    " AND u.state IN ('pending_payment','submitted','approved','final'))"

/* Every file a photo that keeps its files names. */
#define LIVE_BLOBS                                                                                                 \
    "SELECT upload_blob FROM photo WHERE swept_at = 0 UNION SELECT original_blob FROM photo WHERE swept_at = 0"   \
    " UNION SELECT standard_blob FROM photo WHERE swept_at = 0 UNION SELECT proof_blob FROM photo"                 \
    " WHERE swept_at = 0 UNION SELECT overlay_blob FROM photo WHERE swept_at = 0 UNION SELECT final_blob"          \
    " FROM photo WHERE swept_at = 0"

/* A scratch table of candidate files on this connection, emptied. */
static int cand_begin(store_conn *db, tc_err *e)
{
    return store_exec(db,
                      "CREATE TEMP TABLE IF NOT EXISTS purge_cand (b TEXT PRIMARY KEY);"
                      "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id BIGINT PRIMARY KEY, keep BIGINT NOT NULL);"
                      "DELETE FROM purge_cand; DELETE FROM purge_ids;",
                      e);
}

/* Remove the candidates no photo keeping its files names and no e-mail
 * waiting in the outbox attaches (inside the caller's transaction). */
static int cand_remove(store_conn *db, tc_pool *pool, int (*remove)(void *ctx, const char *blob_id), void *ctx,
                       int *files, tc_err *e)
{
    const char **gone = NULL;
    size_t ngone = 0;
    int ok = store_db_list(db, pool, sizeof *gone, store_read_text, (void **)&gone, &ngone, e,
                           "SELECT b FROM purge_cand WHERE b != '' AND b NOT IN (" LIVE_BLOBS ")"
                           " AND NOT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending','sending')"
                           "   AND instr(body, b) > 0)",
                           NULL);
    for (size_t i = 0; ok == 0 && i < ngone; i++)
        if (remove(ctx, gone[i]) != 0)
            ok = tc_err_internal(e, "retention: file %s could not be removed", gone[i]);
    if (ok == 0 && files)
        *files = (int)ngone;
    return ok;
}

/* (the SELECT in a subquery with a WHERE: SQLite's grammar needs one before
 * ON CONFLICT after a SELECT, PostgreSQL an alias on the subquery) */
#define CAND_FROM(cols_where)                                                                                      \
    "INSERT INTO purge_cand (b) SELECT * FROM (" cols_where ") AS c WHERE true ON CONFLICT DO NOTHING"

/* ---- the batch's purge after its retention period ---- */

int tc_store_batch_purge(tc_store *s, int64_t batch_id, int limit, int (*remove)(void *ctx, const char *blob_id),
                         void *ctx, int *photos, int *files, int64_t now, tc_err *e)
{
    *photos = *files = 0;
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    tc_pool pool;
    tc_pool_init(&pool);
    int64_t n[2] = {0, 0}; /* photos swept, photos kept */
    int ok = cand_begin(db, e);
    /* this round's photos: those that lose everything, then the kept ones
     * that still have originals */
    if (ok == 0)
        ok = store_db_run(db, e, "INSERT INTO purge_ids (id, keep) SELECT id, 0 FROM photo"
                                 " WHERE swept_at = 0 AND state != 'processing'"
                                 " AND student_id IN (SELECT id FROM student WHERE batch_id = ?1)"
                                 " AND NOT " KEPT " ORDER BY id LIMIT ?2",
                                 "ii", batch_id, (int64_t)limit);
    if (ok == 0)
        ok = store_db_run(db, e, "INSERT INTO purge_ids (id, keep) SELECT id, 1 FROM photo"
                                 " WHERE swept_at = 0 AND state = 'used'"
                                 " AND student_id IN (SELECT id FROM student WHERE batch_id = ?1)"
                                 " AND " KEPT " AND (upload_blob != '' OR original_blob != ''"
                                 " OR overlay_blob != '') ORDER BY id LIMIT ?2",
                                 "ii", batch_id, (int64_t)limit);
    if (ok == 0)
        ok = store_db_ints(db, n, 2, e,
                           "SELECT (SELECT count(*) FROM purge_ids WHERE keep = 0),"
                           " (SELECT count(*) FROM purge_ids WHERE keep = 1)",
                           NULL);
    /* the originals of every photo of the round; the rest of the swept ones */
    if (ok == 0)
        ok = store_exec(db,
                        CAND_FROM("SELECT upload_blob FROM photo WHERE id IN (SELECT id FROM purge_ids)"
                                  " UNION SELECT original_blob FROM photo WHERE id IN (SELECT id FROM purge_ids)"
                                  " UNION SELECT overlay_blob FROM photo WHERE id IN (SELECT id FROM purge_ids)"
                                  " UNION SELECT standard_blob FROM photo WHERE id IN"
                                  "   (SELECT id FROM purge_ids WHERE keep = 0)"
                                  " UNION SELECT proof_blob FROM photo WHERE id IN"
                                  "   (SELECT id FROM purge_ids WHERE keep = 0)"
                                  " UNION SELECT final_blob FROM photo WHERE id IN"
                                  "   (SELECT id FROM purge_ids WHERE keep = 0)"),
                        e);
    if (ok == 0)
        ok = store_exec(db,
                        "UPDATE photo SET upload_blob = '', original_blob = '', overlay_blob = ''"
                        " WHERE id IN (SELECT id FROM purge_ids WHERE keep = 1);",
                        e);
    /* drafts left in the box leave it (draft -> deleted), the rest keep
     * their state; all are swept */
    STORE_STEP(TC_STORE_SM_PHOTO, TC_STORE_PHOTO_DRAFT, TC_STORE_PHOTO_DELETED);
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE photo SET swept_at = ?1,"
                                 " deleted_at = CASE WHEN state = 'draft' THEN ?1 ELSE deleted_at END,"
                                 " state = CASE WHEN state = 'draft' THEN 'deleted' ELSE state END"
                                 " WHERE id IN (SELECT id FROM purge_ids WHERE keep = 0)",
                                 "i", now);
    if (ok == 0)
        ok = cand_remove(db, &pool, remove, ctx, files, e);
    int rc = store_tx_close(s, db, ok, e);
    if (rc == 0)
        *photos = (int)(n[0] + n[1]);
    else
        *files = 0;
    tc_pool_clear(&pool);
    return rc;
}

/* ---- erasing one student's personal data ---- */

static int count_of(store_conn *db, const char *sql, int64_t id, int *out, tc_err *e)
{
    int64_t v = 0;
    if (store_db_ints(db, &v, 1, e, sql, "i", id) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

static int del(store_conn *db, const char *sql, int64_t id, tc_err *e)
{
    return store_db_run(db, e, sql, "i", id);
}

int tc_store_student_erase(tc_store *s, int64_t student_id, const uint8_t *id_sealed, size_t id_sealed_len,
                           int (*remove)(void *ctx, const char *blob_id), void *ctx, int64_t now,
                           tc_store_erase_counts *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    tc_pool pool;
    tc_pool_init(&pool);
    int64_t row[3]; /* exists, erased_at, the person */
    int ok = store_db_ints(db, row, 3, e, "SELECT 1, erased_at, coalesce(person_id, 0) FROM student WHERE id = ?", "i",
                           student_id);
    if (ok == 0 && !row[0])
        ok = tc_err_set(e, TCE_STUDENT_NOT_FOUND);
    if (ok == 0 && row[1])
        ok = tc_err_set(e, TCE_STUDENT_ERASED);
    int64_t person = row[2];
    /* the ID hash is replaced by random bytes: unique like a hash, matching
     * no ID number */
    uint8_t gone[32];
    randombytes_buf(gone, sizeof gone);
    if (ok == 0)
        ok = cand_begin(db, e);
    if (ok == 0)
        ok = store_db_run(db, e, CAND_FROM("SELECT upload_blob FROM photo WHERE student_id = ?1"
                                 " UNION SELECT original_blob FROM photo WHERE student_id = ?1"
                                 " UNION SELECT standard_blob FROM photo WHERE student_id = ?1"
                                 " UNION SELECT proof_blob FROM photo WHERE student_id = ?1"
                                 " UNION SELECT overlay_blob FROM photo WHERE student_id = ?1"
                                 " UNION SELECT final_blob FROM photo WHERE student_id = ?1"),
                                 "i", student_id);
    if (ok == 0)
        ok = count_of(db, "SELECT count(*) FROM photo WHERE student_id = ?", student_id, &out->photos, e);
    if (ok == 0)
        ok = count_of(db, "SELECT count(*) FROM submission WHERE student_id = ?", student_id, &out->submissions, e);
    if (ok == 0)
        ok = count_of(db, "SELECT count(*) FROM message WHERE student_id = ?", student_id, &out->messages, e);
    if (ok == 0)
        ok = count_of(db, "SELECT count(*) FROM consent WHERE student_id = ?", student_id, &out->consents, e);
    if (ok == 0)
        ok = count_of(db, "SELECT count(*) FROM pay_order WHERE student_id = ?", student_id, &out->orders_kept, e);
    const char *const dels[] = {
        "DELETE FROM submission WHERE student_id = ?", "DELETE FROM photo WHERE student_id = ?",
        "DELETE FROM consent WHERE student_id = ?",    "DELETE FROM message WHERE student_id = ?",
        "DELETE FROM outbox WHERE student_id = ?",     "DELETE FROM student_mail WHERE student_id = ?",
        "DELETE FROM remind_sent WHERE student_id = ?", "DELETE FROM session WHERE student_id = ?",
    };
    for (size_t i = 0; ok == 0 && i < TC_ARRAY_LEN(dels); i++)
        ok = del(db, dels[i], student_id, e);
    /* the roster row: only its id, batch, school, person and progress word
     * stay (the orders point at it) */
    if (ok == 0)
        ok = store_db_run(db, e, "UPDATE student SET name = '', student_no = '已删除-' || id, id_sealed = ?2,"
                                 " id_hash = ?4, chsi_hash = NULL, chsi_sealed = NULL, chsi_bound_at = 0,"
                                 " chsi_dup = 0, level = '', programme = '', department = '', class_name = '', phone = '',"
                                 " email = '', email_confirmed = '', email_pending = '', email_code_hash = '',"
                                 " email_code_until = 0, email_code_tries = 0, notify_status = 0, notify_payment = 0,"
                                 " notify_sms = 0, notify_wechat = 0, wx_openid = '', erased_at = ?3 WHERE id = ?1",
                                 "ibib", student_id, id_sealed, id_sealed_len, now, gone, sizeof gone);
    /* the person, when this was its last record: phone, ID hash, addresses */
    int others = 0;
    if (ok == 0 && person)
        ok = count_of(db, "SELECT count(*) FROM student WHERE person_id = ? AND erased_at = 0", person, &others, e);
    if (ok == 0 && person && !others) {
        ok = store_db_run(db, e, "UPDATE person SET phone = '', id_hash = ? WHERE id = ?", "bi", gone, sizeof gone,
                          person);
        if (ok == 0)
            ok = del(db, "DELETE FROM address WHERE person_id = ?", person, e);
        if (ok == 0)
            ok = del(db, "DELETE FROM message WHERE person_id = ?", person, e);
        if (ok == 0)
            ok = del(db, "DELETE FROM session WHERE person_id = ?", person, e);
    }
    if (ok == 0)
        ok = cand_remove(db, &pool, remove, ctx, &out->files, e);
    int rc = store_tx_close(s, db, ok, e);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    tc_pool_clear(&pool);
    return rc;
}
