/* tc_store — the outbox (see the "outbox" section of tc_store.h).
 *
 * The outbox table of schema 2 has no attachment column, so an e-mail's
 * attachment reference travels inside the body column, framed by ASCII
 * record separators that a message text may not contain:
 *     "\x1e" <blob id> "\x1f" <file name> "\x1e" <text>
 * Only this file reads or writes that framing; when a migration adds a
 * column, only this file changes. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum { OUTBOX_BODY_MAX = 64 * 1024, OUTBOX_RCPT_MAX = 254, OUTBOX_SUBJECT_MAX = 998, OUTBOX_ERR_MAX = 500 };

#define RS '\x1e'
#define US '\x1f'

static int bad(tc_err *e, const char *what)
{
    return tc_err_set(e, TCE_OUTBOX_BAD_MESSAGE, what);
}

/* Text a header or a framing could be confused by: control characters other
 * than tab (and, in the body, newline and CR). */
static int clean(const char *s, size_t max, int multiline)
{
    size_t n = strlen(s);
    if (n > max || !tc_utf8_valid(s, n))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\t' && !(multiline && (*p == '\n' || *p == '\r')))
            return 0;
    return 1;
}

/* Check m and build the body column (with the attachment framing) in p.
 * NULL with e when m is not a valid message. */
static const char *outbox_body(tc_pool *p, const tc_store_outbox_msg *m, tc_err *e)
{
    const char *ch = m->channel ? m->channel : "";
    if (strcmp(ch, "email") && strcmp(ch, "sms") && strcmp(ch, "webhook") && strcmp(ch, "wechat"))
        return bad(e, "channel"), NULL;
    if (!m->recipient || !*m->recipient || !clean(m->recipient, OUTBOX_RCPT_MAX, 0))
        return bad(e, "recipient"), NULL;
    const char *subject = m->subject ? m->subject : "";
    if (!clean(subject, OUTBOX_SUBJECT_MAX, 0))
        return bad(e, "subject"), NULL;
    if (!m->body || !clean(m->body, OUTBOX_BODY_MAX, 1))
        return bad(e, "body"), NULL;
    const char *att = m->attachment ? m->attachment : "";
    const char *name = m->attachment_name && *m->attachment_name ? m->attachment_name : "photo.jpg";
    if (!*att)
        return m->body;
    if (strcmp(ch, "email"))
        return bad(e, "attachment (e-mail only)"), NULL;
    /* a blob id is 64 hex characters; a file name goes into a MIME header */
    size_t k = strlen(att);
    int hex = k == 64;
    for (size_t i = 0; hex && i < k; i++)
        hex = (att[i] >= '0' && att[i] <= '9') || (att[i] >= 'a' && att[i] <= 'f');
    if (!hex)
        return bad(e, "attachment"), NULL;
    if (!clean(name, 100, 0) || strpbrk(name, "\"\\/"))
        return bad(e, "attachment name"), NULL;
    return tc_pool_printf(p, "%c%s%c%s%c%s", RS, att, US, name, RS, m->body);
}

static int outbox_insert(store_conn *db, const tc_store_outbox_msg *m, const char *body, int64_t now, int64_t *id, tc_err *e)
{
    return store_db_insert(db, id, e,
                           "INSERT INTO outbox(created_at, channel, recipient, subject, body, next_at,"
                           " student_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           "issssii", now, m->channel, m->recipient, m->subject ? m->subject : "", body, now,
                           m->student_id);
}

int tc_store_outbox_add(tc_store *s, const tc_store_outbox_msg *m, int64_t now, int64_t *id, tc_err *e)
{
    tc_pool p;
    tc_pool_init(&p);
    const char *body = outbox_body(&p, m, e);
    int rc = -1;
    if (body) {
        store_conn *db = store_acquire(s);
        rc = outbox_insert(db, m, body, now, id, e);
        store_release(s, db);
    }
    tc_pool_clear(&p);
    return rc;
}

int tc_store_outbox_add_capped(tc_store *s, const tc_store_outbox_msg *m, int64_t day_start, int limit, int64_t now,
                               int *added, int64_t *id, tc_err *e)
{
    assert(m->student_id > 0);
    *added = 0;
    tc_pool p;
    tc_pool_init(&p);
    const char *body = outbox_body(&p, m, e);
    /* IMMEDIATE: the count and the insert in one write transaction, so two
     * events at once cannot both pass the limit */
    store_conn *db = body ? store_tx_open(s, e) : NULL;
    int rc = -1;
    if (db) {
        int64_t n = 0;
        int ok = store_db_ints(db, &n, 1, e,
                               "SELECT count(*) FROM outbox WHERE student_id = ? AND channel = ? AND created_at >= ?",
                               "isi", m->student_id, m->channel, day_start);
        if (ok == 0 && n < limit) {
            ok = outbox_insert(db, m, body, now, id, e);
            *added = ok == 0;
        }
        rc = store_tx_close(s, db, ok, e);
        if (rc != 0)
            *added = 0;
    }
    tc_pool_clear(&p);
    return rc;
}

#define OUTBOX_COLS "id, created_at, channel, recipient, subject, body, attempts, next_at, state, last_error, sent_at"

static void read_row(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_outbox_msg *m = out;
    memset(m, 0, sizeof *m);
    const char *text;
    store_cols(p, st, 0, "iissssnissi", &m->id, &m->created_at, &m->channel, &m->recipient, &m->subject, &text,
               &m->attempts, &m->next_at, &m->state, &m->last_error, &m->sent_at);
    char *body = (char *)text; /* a pool copy: the framing is cut in place */
    m->attachment = "";
    m->attachment_name = "";
    m->body = body;
    if (body[0] == RS) {
        char *us = strchr(body + 1, US), *rs = us ? strchr(us + 1, RS) : NULL;
        if (us && rs) {
            *us = 0;
            *rs = 0;
            m->attachment = body + 1;
            m->attachment_name = us + 1;
            m->body = rs + 1;
        }
    }
}

int tc_store_outbox_claim(tc_store *s, tc_pool *p, int64_t now, int limit, tc_store_outbox_msg **out, size_t *n,
                          tc_err *e)
{
    *out = NULL;
    *n = 0;
    if (limit < 1)
        limit = 1;
    /* IMMEDIATE: take the write lock before reading, so two claimers (a
     * second server on the same file) cannot claim the same rows */
    store_conn *db = store_tx_open(s, e);
    if (!db)
        return -1;
    int ok = store_db_list(db, p, sizeof **out, read_row, (void **)out, n, e,
                           "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 'pending' AND next_at <= ?"
                           " ORDER BY next_at, id LIMIT ?",
                           "ii", now, (int64_t)limit);
    for (size_t i = 0; ok == 0 && i < *n; i++) {
        ok = store_db_run(db, e, "UPDATE outbox SET state = 'sending' WHERE id = ?", "i", (*out)[i].id);
        (*out)[i].state = "sending";
    }
    int rc = store_tx_close(s, db, ok, e);
    if (rc != 0) {
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int tc_store_outbox_sent(tc_store *s, int64_t id, int64_t now, tc_err *e)
{
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = ''"
                                   " WHERE id = ? AND state IN ('pending', 'sending')",
                                   "ii", now, id);
    return ch < 0 ? -1 : ch == 1 ? 0 : tc_err_set(e, TCE_OUTBOX_NOT_FOUND);
}

int tc_store_outbox_failed(tc_store *s, int64_t id, int64_t now, const char *error, int max_attempts, int *dead,
                           tc_err *e)
{
    if (dead)
        *dead = 0;
    char err[OUTBOX_ERR_MAX + 1];
    snprintf(err, sizeof err, "%s", error ? error : "");
    /* when cut, cut before the UTF-8 sequence that did not fit, not inside it */
    size_t k = strlen(err);
    if (k == OUTBOX_ERR_MAX && strlen(error) > k) {
        while (k > 0 && ((unsigned char)error[k] & 0xC0) == 0x80)
            k--;
        err[k] = 0;
    }
    store_conn *db = store_acquire(s);
    int64_t row[2]; /* found, the attempts made */
    int rc = store_db_ints(db, row, 2, e,
                           "SELECT 1, attempts FROM outbox WHERE id = ? AND state IN ('pending', 'sending')", "i", id);
    if (rc == 0 && !row[0])
        rc = tc_err_set(e, TCE_OUTBOX_NOT_FOUND);
    if (rc != 0)
        goto out;
    int attempts = (int)row[1] + 1;
    int is_dead = max_attempts > 0 && attempts >= max_attempts;
    int64_t delay = TC_STORE_OUTBOX_BACKOFF_MAX_S;
    if (attempts - 1 < 8) /* 30 s << 7 already passes the hour */
        delay = (int64_t)TC_STORE_OUTBOX_BACKOFF_S << (attempts - 1);
    if (delay > TC_STORE_OUTBOX_BACKOFF_MAX_S)
        delay = TC_STORE_OUTBOX_BACKOFF_MAX_S;
    rc = store_db_run(db, e, "UPDATE outbox SET attempts = ?, last_error = ?, state = ?, next_at = ? WHERE id = ?",
                      "issii", (int64_t)attempts, err, is_dead ? "dead" : "pending", now + delay, id);
    if (rc == 0 && dead)
        *dead = is_dead;
out:
    store_release(s, db);
    return rc;
}

int tc_store_outbox_recover(tc_store *s, int64_t *n, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE outbox SET state = 'pending' WHERE state = 'sending'", NULL);
    if (n)
        *n = ch > 0 ? ch : 0;
    return ch < 0 ? -1 : 0;
}

int tc_store_outbox_list(tc_store *s, tc_pool *p, const char *state, int limit, tc_store_outbox_msg **out, size_t *n,
                         tc_err *e)
{
    if (limit < 1 || limit > 1000)
        limit = 1000;
    return state ? store_list(s, p, sizeof **out, read_row, (void **)out, n, e,
                              "SELECT " OUTBOX_COLS " FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?", "si", state,
                              (int64_t)limit)
                 : store_list(s, p, sizeof **out, read_row, (void **)out, n, e,
                              "SELECT " OUTBOX_COLS " FROM outbox ORDER BY id DESC LIMIT ?", "i", (int64_t)limit);
}

int tc_store_outbox_count(tc_store *s, const char *state, int64_t *n, tc_err *e)
{
    return state ? store_get_ints(s, n, 1, e, "SELECT count(*) FROM outbox WHERE state = ?", "s", state)
                 : store_get_ints(s, n, 1, e, "SELECT count(*) FROM outbox", NULL);
}

int tc_store_outbox_get(tc_store *s, tc_pool *p, int64_t id, tc_store_outbox_msg *out, tc_err *e)
{
    int rc = store_get(s, p, read_row, out, e, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?", "i", id);
    return rc == 1 ? tc_err_set(e, TCE_OUTBOX_NOT_FOUND) : rc;
}
