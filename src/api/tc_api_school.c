/* The school console: batches, progress, exports, reminders, and the
 * actions on one student (unlock, reset) (issue 7). */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../chsi/tc_chsi.h"
#include "../export/tc_export.h"
#include "../qr/tc_qr.h"
#include "../roster/tc_roster.h"
#include "api_int.h"
#include "api_notice.h"
#include "../spec/tc_spec.h"

static int h_unlock(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    /* the audit says which lock was lifted (a teacher lock after liveness
     * failures, or a timed one), as every console change has before/after */
    tc_store_journey sj;
    if (tc_store_journey_get(c.app->store, r->pool, c.student.id, &sj, &c.e) != 0 ||
        tc_store_journey_unlock(c.app->store, c.student.id, &c.e) != 0)
        return api_fail(&c);
    char before[160];
    snprintf(before, sizeof before,
             "{\"cooloff_until\":%lld,\"fails\":%d,\"live_fails\":%d,\"live_locked\":%s,\"locked_until\":%lld}",
             (long long)sj.cooloff_until, sj.fails, sj.live_fails, sj.live_locked ? "true" : "false",
             (long long)sj.locked_until);
    api_audit(&c, "student.unlock", "student", c.student.id, before,
              "{\"cooloff_until\":0,\"fails\":0,\"live_fails\":0,\"live_locked\":false,\"locked_until\":0}");
    if (c.student.person_id)
        api_message(c.app, c.student.person_id, c.student.id, "unlocked", "账号已解锁", "Your account is unlocked",
                "学校已为您解锁，可以重新拍摄。", "Your school unlocked your account: you can shoot again.");
    return api_ok(&c);
}

/* DELETE /api/v1/students/:id/chsi: a school admin clears a wrongly bound
 * 采集码 (the student binds the right one next).  Audited
 * (student.chsi_cleared, with whether the student or the roster gave it). */
static int h_chsi_clear(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (!api_has_chsi(&c.student)) {
        tc_err_set(&c.e, TCE_CHSI_NONE);
        return api_fail(&c);
    }
    if (tc_store_student_clear_chsi(c.app->store, c.student.id, &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "student.chsi_cleared", "student", c.student.id,
              c.student.chsi_bound_at ? "{\"chsi\":\"student\"}" : "{\"chsi\":\"roster\"}", "{\"chsi\":\"none\"}");
    return api_ok(&c);
}

static int h_reset(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *reason = api_jstr(body, "reason");
    if (!reason || !*reason || strlen(reason) > 500) {
        tc_err_set(&c.e, TCE_STUDENT_REASON_REQUIRED);
        return api_fail(&c);
    }
    if (tc_store_submission_reset(c.app->store, c.student.id, reason, tc_now(), &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "student.reset", "student", c.student.id, NULL, NULL);
    if (c.student.person_id) {
        api_publish(c.app, c.student.person_id, "submission", json_pack("{s:s}", "state", "reset"));
        api_message(c.app, c.student.person_id, c.student.id, "reset", "照片已被学校重置",
                    "Your photo was reset by your school", reason, reason);
    }
    return api_ok(&c);
}

/* POST /api/v1/students/:id/erase {confirm}: erase the student's personal
 * data on request (issue 19 item 5).  confirm must be the student number, as
 * the console asks it to be typed; orders are kept (tc_store_student_erase);
 * audited with what went and what was kept, no personal data in the row. */
static int erase_remove(void *ctx, const char *blob_id)
{
    tc_err e;
    if (tc_blob_remove(ctx, blob_id, &e) != 0) {
        tc_log(TC_LOG_WARN, "erase: %s", e.en);
        return -1;
    }
    return 0;
}

static int h_erase(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (c.student.erased_at) {
        tc_err_set(&c.e, TCE_STUDENT_ERASED);
        return api_fail(&c);
    }
    json_t *body = tc_http_json(r, &c.e);
    if (!body)
        return api_fail(&c);
    const char *confirm = api_jstr(body, "confirm");
    if (!confirm || strlen(confirm) > 64 || strcmp(confirm, c.student.student_no) != 0) {
        tc_err_set(&c.e, TCE_STUDENT_ERASE_CONFIRM);
        return api_fail(&c);
    }
    /* the ID column keeps a sealed placeholder ("-", ASCII: every reader still
     * opens and masks it) */
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    if (tc_ident_seal(&c.app->keys, "-", &sealed, &sealed_len, &c.e) != 0)
        return api_fail(&c);
    tc_store_erase_counts n;
    int rc = tc_store_student_erase(c.app->store, c.student.id, sealed, sealed_len, erase_remove, c.app->blobs,
                                    tc_now(), &n, &c.e);
    free(sealed);
    if (rc != 0)
        return api_fail(&c);
    char *before = tc_pool_printf(r->pool, "{\"batch_id\":%lld}", (long long)c.student.batch_id);
    char *after = tc_pool_printf(r->pool,
                                 "{\"erased\":{\"photos\":%d,\"files\":%d,\"submissions\":%d,\"messages\":%d,"
                                 "\"consents\":%d},\"kept\":{\"orders\":%d}}",
                                 n.photos, n.files, n.submissions, n.messages, n.consents, n.orders_kept);
    api_audit(&c, "student.erase", "student", c.student.id, before, after);
    return tc_http_respond_json(
        r, 200,
        json_pack("{s:b, s:{s:i, s:i, s:i, s:i, s:i}, s:{s:i}}", "ok", 1, "erased", "photos", n.photos, "files",
                  n.files, "submissions", n.submissions, "messages", n.messages, "consents", n.consents, "kept",
                  "orders", n.orders_kept));
}

/* ---- shared bits ---------------------------------------------------------------------------- */

/* 400 with the per-field list: {"error":{code,zh,en}, "errors":[{field,code,zh,en}]} */
static int fail_fields(api_ctx *c, const char *code, const char *zh, const char *en, json_t *errors)
{
    json_t *j = json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", code, "zh", zh, "en", en, "errors", errors);
    return tc_http_respond_json(c->r, 400, j);
}

static void field_err(json_t *errs, const char *field, const tc_err *e)
{
    json_array_append_new(errs, json_pack("{s:s, s:s, s:s, s:s}", "field", field, "code", e->code, "zh", e->zh, "en",
                                          e->en));
}

/* One line of the audit log with before and after as JSON (sorted keys);
 * takes both references (either may be NULL). */
static void audit_json(api_ctx *c, const char *action, const char *kind, int64_t id, json_t *bj, json_t *aj)
{
    char *before = bj ? json_dumps(bj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *after = aj ? json_dumps(aj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    api_audit(c, action, kind, id, before, after);
    free(before);
    free(after);
    json_decref(bj);
    json_decref(aj);
}

/* ---- one batch: the record, its QR code, the roster import, the students (moved from tc_api.c) ---------- */

static int h_batch_get(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "batch", api_batch_json(&c.batch)));
}

/* The batch's entry link (in its QR code and on its poster), in the
 * request's pool.  A phone camera can only open an absolute link: the
 * configured public URL, or else the address the staff member reached us
 * at. */
static const char *entry_url(api_ctx *c)
{
    const char *base = c->app->cfg && c->app->cfg->public_url ? c->app->cfg->public_url : NULL;
    const char *host = tc_http_header(c->r, "Host");
    if (!base)
        base = tc_pool_printf(c->r->pool, "%s://%s", c->r->tls ? "https" : "http", host ? host : "127.0.0.1");
    return tc_pool_printf(c->r->pool, "%s/?batch=%s", base, c->batch.code);
}

/* The batch's QR poster image: the entry URL with the code filled in. */
static int h_batch_qr(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *url = entry_url(&c);
    void *png;
    size_t len;
    if (tc_qr_encode_png(url, 8, 4, &png, &len, &c.e) != 0)
        return api_fail(&c);
    int rc = tc_http_respond(r, 200, "image/png", png, len);
    g_free(png);
    return rc;
}

/* The roster file of a roster request: the multipart "file" part, or the
 * whole body (f's data and len only). */
static int roster_body(tc_http_req *r, api_ctx *c, tc_http_part *f)
{
    f->data = r->body;
    f->len = r->body_len;
    const char *ct = tc_http_header(r, "Content-Type");
    if (ct && (!strncmp(ct, "multipart/form-data", 19) || !strncmp(ct, "application/x-www-form-urlencoded", 33))) {
        tc_http_part *parts;
        size_t n;
        if (tc_http_form(r, &parts, &n, &c->e) != 0)
            return -1;
        const tc_http_part *fp = tc_http_form_get(parts, n, "file");
        if (!fp)
            return tc_err_set(&c->e, TCE_ROSTER_NO_FILE);
        *f = *fp;
    }
    return 0;
}

static int h_roster_import(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_http_part f;
    if (roster_body(r, &c, &f) != 0)
        return api_fail(&c);
    const char *dry = tc_http_query(r, "dry_run"), *mq = tc_http_query(r, "mode");
    int dry_run = dry && (!strcmp(dry, "1") || !strcmp(dry, "true"));
    int mode = dry_run ? TC_API_ROSTER_DRY : TC_API_ROSTER_ALL;
    if (mq && *mq && strcmp(mq, "all") != 0) {
        if (strcmp(mq, "good") != 0 || dry_run) {
            tc_err_set(&c.e, TCE_ROSTER_BAD_MODE);
            return api_fail(&c);
        }
        mode = TC_API_ROSTER_GOOD;
    }
    json_t *report = NULL, *summary = NULL;
    if (tc_api_roster_import_mode(c.app, c.batch.id, f.data, f.len, mode, 0, &report, &summary, &c.e) != 0) {
        /* A refused import is audited with why (e.g. a 采集码 that another
         * record, perhaps of another school, already holds). */
        if (!dry_run) {
            char *why = tc_pool_printf(r->pool, "{\"refused\":\"%s\"}", c.e.code);
            tc_store_audit_staff(c.app->store, c.staff.id, "roster_import_refused", c.batch.code, NULL, why,
                                 r->client_ip, NULL);
        }
        json_t *err = json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", c.e.code, "zh", c.e.zh, "en", c.e.en,
                                "report", report ? report : json_object());
        return tc_http_respond_json(r, c.e.status ? c.e.status : 422, err);
    }
    if (!dry_run) {
        /* The audit entry names the file by its SHA-256 only: a roster holds
         * full ID numbers and 采集码 in clear, so the file itself is not kept
         * (the rows are, sealed).  A school that must prove what it imported
         * keeps its file and compares the hash.  The row messages stay out
         * of the audit (counts only). */
        unsigned char hash[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(hash, (const unsigned char *)f.data, f.len);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        json_object_set_new(summary, "file_sha256", json_string(hex));
        json_t *aj = json_deep_copy(summary);
        json_object_del(aj, "report");
        char *after = json_dumps(aj, JSON_COMPACT);
        json_decref(aj);
        tc_store_audit_staff(c.app->store, c.staff.id, "roster_import", c.batch.code, NULL, after, r->client_ip, NULL);
        free(after);
    }
    return tc_http_respond_json(r, 200, summary);
}

/* POST /api/v1/batches/:id/roster/rejects?lang=zh|en: the rows of this file
 * that an import would refuse, each with why, as a CSV to fix and import
 * again.  Nothing is kept: the file comes with the request, as for the
 * import, so the server never stores a roster. */
static int h_roster_rejects(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_http_part f;
    if (roster_body(r, &c, &f) != 0)
        return api_fail(&c);
    const char *lang = tc_http_query(r, "lang");
    int en = lang && !strcmp(lang, "en");
    json_t *summary = NULL;
    if (tc_api_roster_import_mode(c.app, c.batch.id, f.data, f.len, TC_API_ROSTER_REJECTS, en, NULL, &summary,
                                  &c.e) != 0)
        return api_fail(&c);
    json_t *csv = json_object_get(summary, "csv");
    char *cd =
        tc_pool_printf(r->pool, "attachment; filename=\"roster-%s-%s.csv\"", c.batch.code, en ? "to-fix" : "errors");
    tc_http_add_header(r, "Content-Disposition", cd);
    tc_http_add_header(r, "X-Bad-Rows", tc_pool_printf(r->pool, "%lld",
                                                       (long long)json_integer_value(json_object_get(summary, "bad_rows"))));
    int rc = tc_http_respond(r, 200, "text/csv; charset=utf-8", json_string_value(csv), json_string_length(csv));
    json_decref(summary);
    return rc;
}

static int h_students(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *q = tc_http_query(r, "q");
    const char *lim = tc_http_query(r, "limit"), *off = tc_http_query(r, "offset");
    int limit = lim ? atoi(lim) : 50, offset = off ? atoi(off) : 0;
    if (limit <= 0 || limit > 500)
        limit = 50;
    if (offset < 0)
        offset = 0;
    tc_store_student *rows;
    size_t n;
    int64_t total;
    if (tc_store_student_list(c.app->store, r->pool, c.batch.id, q, limit, offset, &rows, &n, &total, &c.e) != 0)
        return api_fail(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        /* staff see the real name; the ID stays masked everywhere */
        json_array_append_new(arr, api_student_json(&c, &rows[i]));
    }
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "students", arr));
}

/* ---- settings: the batch < school < built-in chain ------------------------------------------- */

/* Is the spec a settings object names one the photo workers can make: built
 * in (or the server's --specs file) or a platform admin's custom spec?  An
 * unknown name would only fail at the student's first photo.  1 yes, 0 no
 * (fe says why, spec.unknown), -1 when the store cannot say (c->e). */
static int spec_known(api_ctx *c, const char *name, tc_err *fe)
{
    tc_spec_table own = {0};
    tc_err e;
    int rc = api_spec_find(c->app, &own, name, &e) ? 1 : !strcmp(e.code, "spec.unknown") ? 0 : -1;
    tc_spec_table_free(&own);
    if (rc == 0)
        *fe = e;
    else if (rc < 0)
        c->e = e;
    return rc;
}

/* Check a settings object key by key (so that every bad field is named, not
 * only the first) and return it without null members (null = inherit).
 * NULL when any key is bad; the errors are appended to errs.  NULL with
 * c->e.status set (and nothing in errs) when the store failed. */
static json_t *settings_check(api_ctx *c, json_t *in, json_t *errs)
{
    c->e.status = 0;
    json_t *out = json_object();
    const char *k;
    json_t *v;
    int bad = 0;
    json_object_foreach(in, k, v)
    {
        if (json_is_null(v))
            continue;
        json_t *one = json_pack("{s:O}", k, v);
        char *txt = json_dumps(one, JSON_COMPACT);
        json_decref(one);
        tc_journey_settings s;
        tc_journey_settings_default(&s);
        tc_err e;
        int ok = txt && tc_journey_settings_apply(&s, txt, &e) == 0;
        if (!txt)
            tc_err_set(&e, TCE_JOURNEY_BAD_SETTINGS);
        free(txt);
        if (ok && !strcmp(k, "spec")) {
            ok = spec_known(c, s.spec, &e);
            if (ok < 0) {
                json_decref(out);
                return NULL;
            }
        }
        if (!ok) {
            field_err(errs, k, &e);
            bad = 1;
        } else
            json_object_set(out, k, v);
    }
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Merged settings as JSON (defaults < school < batch); NULL texts skip. */
static json_t *effective(const char *school, const char *batch, tc_err *e)
{
    tc_journey_settings s;
    tc_journey_settings_default(&s);
    if (tc_journey_settings_apply(&s, school, e) != 0 || tc_journey_settings_apply(&s, batch, e) != 0)
        return NULL;
    return tc_journey_settings_json(&s);
}

static json_t *defaults_json(void)
{
    tc_journey_settings s;
    tc_journey_settings_default(&s);
    return tc_journey_settings_json(&s);
}

static json_t *obj_of(const char *txt)
{
    json_t *j = txt && *txt ? json_loads(txt, 0, NULL) : NULL;
    return json_is_object(j) ? j : (json_decref(j), json_object());
}

/* A merged result must still let a student make a photo at all. */
static void check_modes(json_t *eff, json_t *errs)
{
    if (eff && json_is_false(json_object_get(eff, "live_allowed")) && json_is_false(json_object_get(eff, "album_allowed"))) {
        tc_err e;
        tc_err_set(&e, TCE_SETTINGS_NO_MODE);
        field_err(errs, "live_allowed", &e);
    }
}

static json_t *batch_edit_json(const tc_store_batch *b)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:o, s:I}", "id", (json_int_t)b->id, "school_id",
                     (json_int_t)b->school_id, "name", b->name, "code", b->code, "starts_at", (json_int_t)b->starts_at,
                     "ends_at", (json_int_t)b->ends_at, "settings", obj_of(b->settings), "students",
                     (json_int_t)b->students);
}

/* The one settings path of the console, for a batch's settings and a
 * school's: set (an object the form sent) checked key by key
 * (settings_check), or, set NULL, the current text cur kept as it is; then
 * merged over what it inherits (inherit: the school's settings for a batch,
 * NULL for a school) so that a student can still make a photo
 * (check_modes).  Returns the text to store (sorted keys; the caller frees
 * it) or NULL: with the reasons appended to errs, or with c->e.status set
 * when the store failed. */
static char *settings_valid(api_ctx *c, json_t *set, const char *cur, const char *inherit, json_t *errs)
{
    c->e.status = 0;
    json_t *clean = set ? settings_check(c, set, errs) : obj_of(cur);
    if (!clean)
        return NULL;
    char *st = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(clean);
    tc_err e2;
    json_t *eff = st ? effective(inherit, st, &e2) : NULL;
    check_modes(eff, errs);
    json_decref(eff);
    return st;
}

/* A batch's edit as the form sent it: absent fields keep their value. */
typedef struct batch_edit {
    const char *name;
    int64_t starts_at, ends_at;
    char *settings; /* owned: free */
} batch_edit;

/* The batch's edit from body, each field checked (every bad one named in
 * errs); school_settings: what the batch's settings inherit.  0 (the edit
 * is good when errs stays empty), -1 with c->e set when the store failed. */
static int batch_edit_check(api_ctx *c, json_t *body, const char *school_settings, batch_edit *x, json_t *errs)
{
    const tc_store_batch *b = &c->batch;
    tc_err fe;
    *x = (batch_edit){.name = b->name, .starts_at = b->starts_at, .ends_at = b->ends_at};
    json_t *jn = json_object_get(body, "name");
    if (jn) {
        x->name = json_string_value(jn);
        if (!x->name || !*x->name || strlen(x->name) > 200 || !tc_utf8_valid(x->name, strlen(x->name))) {
            tc_err_set(&fe, TCE_BATCH_BAD_NAME);
            field_err(errs, "name", &fe);
            x->name = b->name;
        }
    }
    int64_t *w[2] = {&x->starts_at, &x->ends_at};
    const char *wk[2] = {"starts_at", "ends_at"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, wk[i]);
        if (!v)
            continue;
        if (json_is_null(v))
            *w[i] = 0;
        else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 4102444800LL)
            *w[i] = json_integer_value(v);
        else {
            tc_err_set(&fe, TCE_BATCH_BAD_TIME);
            field_err(errs, wk[i], &fe);
        }
    }
    if (x->starts_at && x->ends_at && x->ends_at <= x->starts_at) {
        tc_err_set(&fe, TCE_BATCH_BAD_WINDOW);
        field_err(errs, "ends_at", &fe);
    }
    json_t *set = json_object_get(body, "settings");
    if (set && !json_is_object(set)) {
        tc_err_set(&fe, TCE_BATCH_BAD_SETTINGS);
        field_err(errs, "settings", &fe);
        return 0;
    }
    x->settings = settings_valid(c, set, b->settings, school_settings, errs);
    return !x->settings && c->e.status ? -1 : 0;
}

/* The batch as the audit log keeps it (without the student count). */
static json_t *batch_audit_json(const tc_store_batch *b)
{
    json_t *j = batch_edit_json(b);
    json_object_del(j, "students");
    return j;
}

/* The school's settings from the body's "settings" (an object, replacing
 * the school's wholesale): settings_valid's answer, with a settings member
 * that is no object named in errs. */
static char *school_settings_check(api_ctx *c, json_t *body, json_t *errs)
{
    json_t *set = json_object_get(body, "settings");
    if (!json_is_object(set)) {
        tc_err fe;
        tc_err_set(&fe, TCE_SCHOOL_BAD_SETTINGS);
        field_err(errs, "settings", &fe);
        c->e.status = 0;
        return NULL;
    }
    return settings_valid(c, set, NULL, NULL, errs);
}

/* Store the school's new settings (settings 1) or notice (0) text; *old:
 * the one it replaced, for the audit.  -1 with c->e set. */
static int school_text_put(api_ctx *c, int settings, const char *text, const char **old)
{
    const char *notice, *ss;
    if (tc_store_school_extra(c->app->store, c->r->pool, c->school_id, &notice, &ss, &c->e) != 0)
        return -1;
    *old = settings ? ss : notice;
    return settings ? tc_store_school_set_settings(c->app->store, c->school_id, text, &c->e)
                    : tc_store_school_set_notice(c->app->store, c->school_id, text, &c->e);
}

/* GET /api/v1/batches/:id/settings: the batch's own values, the school's,
 * the built-in defaults and what applies (for the form's inheritance). */
static int h_batch_settings(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *notice, *ss;
    if (tc_store_school_extra(c.app->store, r->pool, c.batch.school_id, &notice, &ss, &c.e) != 0)
        return api_fail(&c);
    json_t *eff = effective(ss, c.batch.settings, &c.e);
    if (!eff)
        return api_fail(&c);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:o, s:o, s:o, s:o}", "batch", batch_edit_json(&c.batch), "school",
                                          obj_of(ss), "defaults", defaults_json(), "effective", eff));
}

/* PUT /api/v1/batches/:id {name?, starts_at?, ends_at?, settings?}: absent
 * fields keep their value; settings replaces the batch's own overrides. */
static int h_batch_update(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    if (!json_is_object(body)) {
        tc_err_set(&c.e, TCE_BATCH_BAD_REQUEST_2);
        return api_fail(&c);
    }
    const char *notice, *ss;
    if (tc_store_school_extra(c.app->store, r->pool, c.batch.school_id, &notice, &ss, &c.e) != 0)
        return api_fail(&c);
    json_t *errs = json_array();
    batch_edit x;
    if (batch_edit_check(&c, body, ss, &x, errs) != 0) {
        json_decref(errs);
        return api_fail(&c);
    }
    if (json_array_size(errs)) {
        free(x.settings);
        return fail_fields(&c, "batch.invalid", "批次设置有误，请按提示修改", "Some batch settings are wrong: see each field",
                           errs);
    }
    json_decref(errs);
    int rc = tc_store_batch_update(c.app->store, c.batch.id, x.name, x.starts_at, x.ends_at, x.settings, &c.e);
    free(x.settings);
    tc_store_batch nb;
    if (rc != 0 || tc_store_batch_get(c.app->store, r->pool, c.batch.id, &nb, &c.e) != 0)
        return api_fail(&c);
    audit_json(&c, "batch.update", "batch", c.batch.id, batch_audit_json(&c.batch), batch_audit_json(&nb));
    json_t *eff = effective(ss, nb.settings, &c.e);
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:o}", "batch", batch_edit_json(&nb), "effective",
                                                  eff ? eff : json_object()));
}

/* GET /api/v1/schools/:id/settings */
static int h_school_settings(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *notice, *ss;
    if (tc_store_school_extra(c.app->store, r->pool, c.school_id, &notice, &ss, &c.e) != 0)
        return api_fail(&c);
    json_t *eff = effective(ss, NULL, &c.e);
    if (!eff)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:o, s:o}", "settings", obj_of(ss), "defaults", defaults_json(),
                                                  "effective", eff));
}

/* PUT /api/v1/schools/:id/settings {settings}: the school's defaults for
 * its batches (replaced wholesale; null or absent keys use the built-in). */
static int h_school_settings_put(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    json_t *errs = json_array();
    char *st = school_settings_check(&c, body, errs);
    if (!st && c.e.status) {
        json_decref(errs);
        return api_fail(&c);
    }
    if (json_array_size(errs)) {
        free(st);
        return fail_fields(&c, "school.invalid", "学校默认设置有误，请按提示修改",
                           "Some school settings are wrong: see each field", errs);
    }
    json_decref(errs);
    const char *old;
    if (school_text_put(&c, 1, st, &old) != 0) {
        free(st);
        return api_fail(&c);
    }
    api_audit(&c, "school.settings", "school", c.school_id, old, st);
    json_t *eff = effective(st, NULL, &c.e);
    json_t *out = json_pack("{s:o, s:o}", "settings", obj_of(st), "effective", eff ? eff : json_object());
    free(st);
    return tc_http_respond_json(r, 200, out);
}

/* ---- the notice ----------------------------------------------------------------------------------- */

static int h_notice_get(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *notice, *ss;
    if (tc_store_school_extra(c.app->store, r->pool, c.school_id, &notice, &ss, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:i}", "html", notice, "max_bytes", API_NOTICE_MAX_OUT));
}

/* PUT /api/v1/schools/:id/notice {html}: sanitised here, stored, and what
 * was stored comes back (the editor shows exactly what students will see). */
static int h_notice_put(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    json_t *hv = json_object_get(body, "html");
    if (!json_is_string(hv)) {
        tc_err_set(&c.e, TCE_NOTICE_BAD_REQUEST);
        return api_fail(&c);
    }
    char *clean;
    if (api_notice_sanitize(json_string_value(hv), json_string_length(hv), &clean, &c.e) != 0)
        return api_fail(&c);
    const char *old;
    if (school_text_put(&c, 0, clean, &old) != 0) {
        free(clean);
        return api_fail(&c);
    }
    audit_json(&c, "school.notice", "school", c.school_id, json_pack("{s:s}", "notice", old),
               json_pack("{s:s}", "notice", clean));
    json_t *out = json_pack("{s:s}", "html", clean);
    free(clean);
    return tc_http_respond_json(r, 200, out);
}

/* ---- progress ------------------------------------------------------------------------------------ */

/* The roster's states (student.state), in the journey's order. */

static json_t *counts_new(void)
{
    json_t *o = json_object();
    for (size_t i = 0; i < TC_EXPORT_NSTATES; i++)
        json_object_set_new(o, tc_export_states[i], json_integer(0));
    json_object_set_new(o, "paid", json_integer(0));
    json_object_set_new(o, "locked", json_integer(0));
    json_object_set_new(o, "total", json_integer(0));
    json_object_set_new(o, "finished", json_integer(0));
    json_object_set_new(o, "unfinished", json_integer(0));
    return o;
}

static void counts_add(json_t *o, const char *key, int64_t n)
{
    json_t *v = json_object_get(o, key);
    if (v)
        json_integer_set(v, json_integer_value(v) + n);
    else
        json_object_set_new(o, key, json_integer(n));
}

static void counts_row(json_t *o, const tc_store_progress_row *p)
{
    counts_add(o, p->state, p->n);
    counts_add(o, "paid", p->paid);
    counts_add(o, "locked", p->locked);
    counts_add(o, "total", p->n);
    int done = !strcmp(p->state, "approved") || !strcmp(p->state, "final");
    counts_add(o, done ? "finished" : "unfinished", p->n);
}

/* {totals, classes:[{class_name, counts}]} (new reference) */
static json_t *progress_json(api_ctx *c, int64_t batch_id)
{
    tc_store_progress_row *rows;
    size_t n;
    if (tc_store_progress(c->app->store, c->r->pool, batch_id, tc_now(), &rows, &n, &c->e) != 0)
        return NULL;
    json_t *tot = counts_new(), *classes = json_array(), *cur = NULL;
    const char *curname = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!curname || strcmp(curname, rows[i].class_name) != 0) {
            curname = rows[i].class_name;
            cur = counts_new();
            json_array_append_new(classes, json_pack("{s:s, s:o}", "class_name", curname, "counts", cur));
        }
        counts_row(cur, &rows[i]);
        counts_row(tot, &rows[i]);
    }
    return json_pack("{s:o, s:o}", "totals", tot, "classes", classes);
}

static int h_progress(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *p = progress_json(&c, c.batch.id);
    if (!p)
        return api_fail(&c);
    json_object_set_new(p, "batch", batch_edit_json(&c.batch));
    return tc_http_respond_json(r, 200, p);
}

/* ---- the roster with states: search, one student ---------------------------------------------------- */

static int is_locked(const tc_store_roster_row *x, int64_t now)
{
    return x->live_locked || x->locked_until > now;
}

static json_t *row_json(api_ctx *c, const tc_store_roster_row *x, int64_t now)
{
    json_t *s = api_student_json(c, &x->st);
    json_object_set_new(s, "name", json_string(x->st.name));
    json_object_set_new(s, "paid", json_boolean(x->paid_order != 0));
    json_object_set_new(s, "locked", json_boolean(is_locked(x, now)));
    json_object_set_new(s, "verified", json_boolean(x->st.person_id != 0));
    json_object_set_new(s, "reminded_at", json_integer(x->reminded_at));
    /* how the 采集码 came: "roster", "student" (bound at entry) or "none" */
    json_object_set_new(s, "chsi_from",
                        json_string(!api_has_chsi(&x->st) ? "none" : x->st.chsi_bound_at ? "student" : "roster"));
    return s;
}

static int roster_query(api_ctx *c, const tc_store_batch *b, tc_store_roster_query *q)
{
    memset(q, 0, sizeof *q);
    q->batch_id = b->id;
    q->q = tc_http_query(c->r, "q");
    q->class_name = tc_http_query(c->r, "class");
    const char *f = tc_http_query(c->r, "filter");
    if ((q->q && strlen(q->q) > 100) || (q->class_name && strlen(q->class_name) > 200))
        return tc_err_set(&c->e, TCE_ROSTER_BAD_QUERY);
    if (f && *f && strcmp(f, "unfinished") && strcmp(f, "locked") && strcmp(f, "all"))
        return tc_err_set(&c->e, TCE_ROSTER_BAD_FILTER);
    q->unfinished = f && !strcmp(f, "unfinished");
    q->locked = f && !strcmp(f, "locked");
    const char *lim = tc_http_query(c->r, "limit"), *off = tc_http_query(c->r, "offset");
    q->limit = lim ? atoi(lim) : 50;
    q->offset = off ? atoi(off) : 0;
    if (q->limit <= 0 || q->limit > 500)
        q->limit = 50;
    if (q->offset < 0)
        q->offset = 0;
    return 0;
}

/* GET /api/v1/batches/:id/roster?q=&class=&filter=all|unfinished|locked&limit&offset */
static int h_roster_search(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_roster_query q;
    if (roster_query(&c, &c.batch, &q) != 0)
        return api_fail(&c);
    tc_store_roster_row *rows;
    size_t n;
    int64_t total, now = tc_now();
    if (tc_store_roster_search(c.app->store, r->pool, &q, now, &rows, &n, &total, &c.e) != 0)
        return api_fail(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, row_json(&c, &rows[i], now));
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "students", arr));
}

/* The roster's own checks on one student: the fields written as a one-row
 * CSV and read by tc_roster like an imported file, so that a student added
 * by hand meets exactly the rules of an import.  Returns the report's errors
 * (new reference, empty when fine) or NULL with c->e set. */
static const char *const ONE_KEYS[] = {"name",       "student_no", "id_number", "level",    "programme",
                                       "department", "class_name", "phone",     "chsi_code"};
static const char ONE_HEADER[] = "姓名,学号,身份证号,层次,专业,院系,班级,手机号,采集码\n";

static json_t *one_check(api_ctx *c, const char *const v[9])
{
    tc_buf b;
    tc_buf_init(&b);
    tc_buf_puts(&b, ONE_HEADER);
    json_t *errs = json_array();
    for (int i = 0; i < 9; i++) {
        if (strpbrk(v[i], "\r\n") || strlen(v[i]) > TC_ROSTER_MAX_CELL) {
            tc_err fe;
            tc_err_set(&fe, TCE_STUDENT_BAD_FIELD);
            field_err(errs, ONE_KEYS[i], &fe);
        }
        tc_buf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = v[i]; *p; p++)
            tc_buf_append(&b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        tc_buf_puts(&b, "\"");
    }
    tc_buf_puts(&b, "\n");
    if (json_array_size(errs)) {
        tc_buf_free(&b);
        return errs;
    }
    tc_roster ro;
    tc_err pe;
    if (tc_roster_parse(b.data, b.len, &ro, &pe) != 0) {
        tc_buf_free(&b);
        field_err(errs, "name", &pe);
        return errs;
    }
    tc_buf_free(&b);
    tc_roster_report rep;
    tc_roster_validate(&ro, &rep);
    for (size_t i = 0; i < rep.nerrors; i++) {
        const tc_roster_issue *x = &rep.errors[i];
        const char *f = !strcmp(x->field, "major") ? "programme" : !strcmp(x->field, "class") ? "class_name" : x->field;
        json_array_append_new(errs, json_pack("{s:s, s:s, s:s, s:s}", "field", f, "code", x->code, "zh", x->zh, "en",
                                              x->en));
    }
    tc_roster_report_free(&rep);
    tc_roster_free(&ro);
    (void)c;
    return errs;
}

/* text sealed (tc_ident_seal), the copy in the request's pool. */
static int seal_pooled(api_ctx *c, const char *text, const uint8_t **out, size_t *len)
{
    uint8_t *sealed;
    if (tc_ident_seal(&c->app->keys, text, &sealed, len, &c->e) != 0)
        return -1;
    uint8_t *copy = tc_pool_alloc(c->r->pool, *len);
    memcpy(copy, sealed, *len);
    free(sealed);
    *out = copy;
    return 0;
}

/* Fill st's roster fields from the values (sealing the ID number). */
static int one_fill(api_ctx *c, tc_store_student *st, const char *const v[9], int new_chsi)
{
    char id[64];
    snprintf(id, sizeof id, "%s", v[2]);
    tc_ident_idnum_normalize(id);
    if (seal_pooled(c, id, &st->id_sealed, &st->id_sealed_len) != 0)
        return -1;
    tc_ident_hash(&c->app->keys, "id", id, st->id_hash);
    sodium_memzero(id, sizeof id);
    if (new_chsi) {
        /* an empty code: none (the student binds it at first entry) */
        memset(st->chsi_hash, 0, sizeof st->chsi_hash);
        st->chsi_sealed = NULL;
        st->chsi_sealed_len = 0;
        if (*v[8]) {
            char code[TC_CHSI_MAX + 1];
            if (tc_chsi_canon(c->app->chsi, v[8], code, &c->e) != 0)
                return -1;
            tc_chsi_key(&c->app->keys, code, st->chsi_hash);
            int rc = seal_pooled(c, code, &st->chsi_sealed, &st->chsi_sealed_len);
            sodium_memzero(code, sizeof code);
            if (rc != 0)
                return -1;
        }
    }
    st->name = v[0];
    st->student_no = v[1];
    st->level = v[3];
    st->programme = v[4];
    st->department = v[5];
    st->class_name = v[6];
    st->phone = v[7];
    return 0;
}

/* Values from the body, or (editing) from the current record. */
static void one_values(api_ctx *c, json_t *body, const tc_store_student *cur, const char *v[9], char **idplain, int *new_chsi)
{
    const char *curv[9] = {0};
    if (cur) {
        curv[0] = cur->name, curv[1] = cur->student_no, curv[3] = cur->level, curv[4] = cur->programme;
        curv[5] = cur->department, curv[6] = cur->class_name, curv[7] = cur->phone;
        if (tc_ident_open(&c->app->keys, cur->id_sealed, cur->id_sealed_len, idplain, NULL) == 0)
            curv[2] = *idplain;
        /* the code is kept as a hash only: a placeholder passes the checks */
        curv[8] = "KEEP-CURRENT-CODE";
    }
    *new_chsi = 1;
    for (int i = 0; i < 9; i++) {
        json_t *j = json_object_get(body, ONE_KEYS[i]);
        v[i] = json_is_string(j) ? json_string_value(j) : NULL;
        if (!v[i] && cur && curv[i])
            v[i] = curv[i];
        if (i == 8 && (!v[i] || v[i] == curv[8]))
            *new_chsi = !cur;
        if (!v[i])
            v[i] = "";
    }
}

static json_t *student_fields(const tc_store_student *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", st->name, "student_no", st->student_no, "level",
                     st->level, "programme", st->programme, "department", st->department, "class_name",
                     st->class_name, "phone", st->phone);
}

/* A student's fields as the request's body gives them (editing: an absent
 * one keeps the current record's), and the roster's checks on them. */
typedef struct one_req {
    const char *v[9];
    char *idplain; /* the current ID number opened (editing), owned: wiped and freed by the handler */
    int new_chsi;  /* the 采集码 changes */
    json_t *errs;  /* one_check's field errors, empty when fine (owned) */
} one_req;

/* Read and check the body's fields (cur: the record edited, NULL for a new
 * one).  0 with x filled; -1 with c->e set when the body is no JSON. */
static int one_read(api_ctx *c, const tc_store_student *cur, one_req *x)
{
    json_t *body = tc_http_json(c->r, &c->e);
    if (!body)
        return -1;
    x->idplain = NULL;
    one_values(c, body, cur, x->v, &x->idplain, &x->new_chsi);
    x->errs = one_check(c, x->v);
    return 0;
}

/* 400 student.invalid with the field errors (takes errs). */
static int student_invalid(api_ctx *c, json_t *errs)
{
    return fail_fields(c, "student.invalid", "学生信息有误，请按提示修改", "Some of the student's fields are wrong", errs);
}

/* Answer the student as the console shows it (the name in full). */
static int student_answer(api_ctx *c, int64_t id, int status)
{
    tc_store_student out;
    if (tc_store_student_get(c->app->store, c->r->pool, id, &out, &c->e) != 0)
        return api_fail(c);
    json_t *s = api_student_json(c, &out);
    json_object_set_new(s, "name", json_string(out.name));
    return tc_http_respond_json(c->r, status, json_pack("{s:o}", "student", s));
}

/* POST /api/v1/batches/:id/students {name, student_no, id_number, chsi_code, level?, programme?, department?,
 * class_name?, phone?} */
static int h_student_add(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    one_req x;
    if (one_read(&c, NULL, &x) != 0)
        return api_fail(&c);
    if (json_array_size(x.errs))
        return student_invalid(&c, x.errs);
    json_decref(x.errs);
    tc_store_student st = {.batch_id = c.batch.id};
    int64_t id;
    if (one_fill(&c, &st, x.v, 1) != 0 || tc_store_student_add(c.app->store, &st, &id, &c.e) != 0)
        return api_fail(&c);
    audit_json(&c, "student.add", "student", id, NULL, student_fields(&st));
    return student_answer(&c, id, 201);
}

/* PUT /api/v1/students/:id: the same fields, each optional (kept when absent). */
static int h_student_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    one_req x;
    if (one_read(&c, &c.student, &x) != 0)
        return api_fail(&c);
    tc_store_student st = c.student;
    int rc = json_array_size(x.errs) ? 1 : one_fill(&c, &st, x.v, x.new_chsi);
    if (x.idplain) {
        sodium_memzero(x.idplain, strlen(x.idplain));
        free(x.idplain);
    }
    if (rc == 1)
        return student_invalid(&c, x.errs);
    json_decref(x.errs);
    if (rc != 0 || tc_store_student_update(c.app->store, &st, &c.e) != 0)
        return api_fail(&c);
    json_t *bj = student_fields(&c.student), *aj = student_fields(&st);
    json_object_set_new(aj, "id_changed", json_boolean(memcmp(c.student.id_hash, st.id_hash, 32) != 0));
    json_object_set_new(aj, "code_changed", json_boolean(x.new_chsi));
    audit_json(&c, "student.edit", "student", c.student.id, bj, aj);
    return student_answer(&c, c.student.id, 200);
}

/* ---- XLSX: progress and the roster with states (tc_export) ------------------------------------------- */

/* Send the workbook tc_export wrote and unlink it (the response holds the
 * open file). */
static int xlsx_send(api_ctx *c, const char *path, const char *name)
{
    int rc = tc_http_respond_file(c->r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", path,
                                  name);
    unlink(path);
    return rc;
}

/* GET /api/v1/batches/:id/progress.xlsx: counts per class, then the students
 * who have not finished. */
static int h_progress_xlsx(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *p = progress_json(&c, c.batch.id);
    if (!p)
        return api_fail(&c);
    tc_store_roster_query q = {.batch_id = c.batch.id, .unfinished = 1};
    tc_store_roster_row *rows;
    size_t n;
    int64_t total, now = tc_now();
    if (tc_store_roster_search(c.app->store, r->pool, &q, now, &rows, &n, &total, &c.e) != 0) {
        json_decref(p);
        return api_fail(&c);
    }
    const char *lang = tc_http_query(r, "lang");
    int en = lang && !strcmp(lang, "en");
    char path[64];
    int rc = tc_export_progress_xlsx(&c.app->keys, p, rows, n, now, en, path, &c.e);
    json_decref(p);
    if (rc != 0)
        return api_fail(&c);
    return xlsx_send(&c, path, tc_pool_printf(r->pool, "progress-%s.xlsx", c.batch.code));
}

/* GET /api/v1/batches/:id/roster.xlsx?lang=zh|en&ids=masked|full: every
 * student with the state, in the import template's columns.  ids=full (the
 * full ID numbers, to import the file again) only for a school admin, and
 * audited (roster.export_ids). */
static int h_roster_xlsx(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *lang = tc_http_query(r, "lang"), *ids = tc_http_query(r, "ids");
    int en = lang && !strcmp(lang, "en"), full = 0;
    if (ids && *ids && strcmp(ids, "masked") != 0) {
        if (strcmp(ids, "full") != 0) {
            tc_err_set(&c.e, TCE_EXPORT_BAD_IDS);
            return api_fail(&c);
        }
        if (strcmp(c.staff.role, "school_admin") != 0) {
            tc_err_set(&c.e, TCE_EXPORT_IDS_SCHOOL_ONLY);
            return api_fail(&c);
        }
        full = 1;
    }
    tc_store_roster_query q = {.batch_id = c.batch.id};
    tc_store_roster_row *rows;
    size_t n;
    int64_t total, now = tc_now();
    if (tc_store_roster_search(c.app->store, r->pool, &q, now, &rows, &n, &total, &c.e) != 0)
        return api_fail(&c);
    char path[64];
    if (tc_export_roster_xlsx(&c.app->keys, rows, n, now, en, full, path, &c.e) != 0)
        return api_fail(&c);
    if (full)
        api_audit(&c, "roster.export_ids", "batch", c.batch.id, NULL,
                  tc_pool_printf(r->pool, "{\"ids\":\"full\",\"rows\":%zu}", n));
    return xlsx_send(&c, path, tc_pool_printf(r->pool, "roster-%s%s.xlsx", c.batch.code, full ? "-full-ids" : ""));
}

/* ---- the photo export: a stored ZIP, streamed, named by a template, split into parts (tc_export) ------- */

/* What an export request asks: the rows, their names by the template
 * (?template=, else ?name=student_no|id_number as {学号} / {身份证号}), the
 * parts (?part_mb=, ?part_photos=) and the ID numbers (?ids=masked|full:
 * full only for a school admin). */
typedef struct export_req {
    tc_store_batch b;
    const char *tpl;
    tc_store_export_row *rows;
    size_t n;
    tc_export_names names;
    tc_export_part *parts;
    size_t nparts;
    int full_ids;
    size_t unconfirmed; /* rows whose 成片 the student has not confirmed (left out with confirmed=1) */
} export_req;

static void export_req_free(export_req *x)
{
    tc_export_names_free(&x->names);
    free(x->parts);
    x->parts = NULL;
}

/* A query number in [lo, hi]; absent: 0.  -1 when present and not so. */
static long long query_num(tc_http_req *r, const char *name, long long lo, long long hi)
{
    const char *v = tc_http_query(r, name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    return errno || *end || x < lo || x > hi ? -1 : x;
}

static int export_load(api_ctx *c, export_req *x)
{
    memset(x, 0, sizeof *x);
    x->b = c->batch;
    x->tpl = tc_http_query(c->r, "template");
    if (!x->tpl) {
        const char *rule = tc_http_query(c->r, "name");
        if (!rule || !*rule || !strcmp(rule, "student_no"))
            x->tpl = "{学号}";
        else if (!strcmp(rule, "id_number"))
            x->tpl = "{身份证号}";
        else
            return tc_err_set(&c->e, TCE_EXPORT_BAD_RULE);
    }
    const char *ids = tc_http_query(c->r, "ids");
    if (ids && *ids && strcmp(ids, "masked") != 0) {
        if (strcmp(ids, "full") != 0)
            return tc_err_set(&c->e, TCE_EXPORT_BAD_IDS);
        if (strcmp(c->staff.role, "school_admin") != 0)
            return tc_err_set(&c->e, TCE_EXPORT_IDS_SCHOOL_ONLY);
        x->full_ids = 1;
    }
    long long mb = query_num(c->r, "part_mb", 1, 65536), np = query_num(c->r, "part_photos", 1, 65534);
    if (mb < 0 || np < 0)
        return tc_err_set(&c->e, TCE_EXPORT_BAD_PART);
    if (tc_export_tpl_check(x->tpl, &c->e) != 0)
        return -1; /* before reading the batch's rows */
    const char *conf = tc_http_query(c->r, "confirmed");
    if (conf && *conf && strcmp(conf, "0") != 0 && strcmp(conf, "1") != 0)
        return tc_err_set(&c->e, TCE_EXPORT_BAD_CONFIRMED);
    if (tc_store_export_photos(c->app->store, c->r->pool, x->b.id, &x->rows, &x->n, &c->e) != 0)
        return -1;
    /* every approved photo by default (the standard photo, or the 成片 once
     * made); confirmed=1: only 成片 the students confirmed (校对) */
    size_t kept = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (!x->rows[i].confirmed)
            x->unconfirmed++;
        if (x->rows[i].confirmed || !conf || strcmp(conf, "1") != 0)
            x->rows[kept++] = x->rows[i];
    }
    x->n = kept;
    if (tc_export_names_make(&c->app->keys, x->tpl, x->rows, x->n, &x->names, &c->e) != 0)
        return -1;
    /* without a split: one part as big as the archive may be */
    if (!mb && !np && x->n + 3 > TC_EXPORT_ZIP_MAX) {
        export_req_free(x);
        return tc_err_set(&c->e, TCE_EXPORT_TOO_MANY, TC_EXPORT_ZIP_MAX - 3);
    }
    if (tc_export_parts_plan(c->app->blobs, x->rows, x->n, (uint64_t)mb << 20,
                             (size_t)(np ? np : mb ? TC_EXPORT_ZIP_MAX - 3 : 0), &x->parts, &x->nparts, &c->e) != 0) {
        export_req_free(x);
        return -1;
    }
    return 0;
}

/* The query that names this export, for the parts' URLs. */
static char *export_query(tc_http_req *r)
{
    static const char *const KEEP[] = {"template", "name", "part_mb", "part_photos", "ids", "confirmed"};
    GString *q = g_string_new(NULL);
    for (size_t i = 0; i < TC_ARRAY_LEN(KEEP); i++) {
        const char *v = tc_http_query(r, KEEP[i]);
        if (!v)
            continue;
        char *enc = g_uri_escape_string(v, NULL, FALSE);
        g_string_append_printf(q, "%s%s=%s", q->len ? "&" : "", KEEP[i], enc);
        g_free(enc);
    }
    char *out = tc_pool_strdup(r->pool, q->str);
    g_string_free(q, TRUE);
    return out;
}

static json_t *name_json(const export_req *x, size_t i)
{
    return json_pack("{s:s, s:s, s:s}", "student_no", x->rows[i].student_no, "name", x->rows[i].name, "file",
                     x->names.name[i]);
}

/* GET /api/v1/batches/:id/photos/plan?template=&part_mb=&part_photos=: the
 * names the archive would hold (the first 10), the names that got a suffix,
 * and the parts with their URLs; nothing is written. */
static int h_photos_plan(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    export_req x;
    if (export_load(&c, &x) != 0)
        return api_fail(&c);
    json_t *preview = json_array(), *coll = json_array(), *parts = json_array();
    for (size_t i = 0; i < x.n && i < 10; i++)
        json_array_append_new(preview, name_json(&x, i));
    for (size_t i = 0; i < x.names.ncollided && i < 100; i++)
        json_array_append_new(coll, name_json(&x, x.names.collided[i]));
    const char *q = export_query(r);
    for (size_t k = 0; k < x.nparts; k++) {
        const tc_export_part *p = &x.parts[k];
        json_t *o = json_pack("{s:I, s:I, s:I, s:s}", "part", (json_int_t)(k + 1), "photos", (json_int_t)p->photos,
                              "bytes", (json_int_t)p->bytes, "url",
                              tc_pool_printf(r->pool, "/api/v1/batches/%lld/photos.zip?%s%spart=%zu",
                                             (long long)x.b.id, q, *q ? "&" : "", k + 1));
        if (p->photos) {
            json_object_set_new(o, "first_student_no", json_string(x.rows[p->first].student_no));
            json_object_set_new(o, "last_student_no", json_string(x.rows[p->first + p->photos - 1].student_no));
        }
        json_array_append_new(parts, o);
    }
    json_t *out = json_pack("{s:s, s:I, s:I, s:o, s:I, s:o, s:o}", "template", x.tpl, "photos", (json_int_t)x.n,
                            "unconfirmed", (json_int_t)x.unconfirmed, "preview", preview, "collisions_total",
                            (json_int_t)x.names.ncollided, "collisions", coll, "parts", parts);
    export_req_free(&x);
    return tc_http_respond_json(r, 200, out);
}

/* GET /api/v1/batches/:id/photos.zip?template=|name=&part_mb=&part_photos=&part=&ids=:
 * the photos (or part k of n) with manifest.csv, 采集码.csv, 采集码.xlsx. */
static int h_photos_zip(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    export_req x;
    if (export_load(&c, &x) != 0)
        return api_fail(&c);
    long long part = query_num(r, "part", 1, (long long)x.nparts);
    if (part < 0 || (!part && x.nparts > 1)) {
        export_req_free(&x);
        tc_err_set(&c.e, TCE_EXPORT_BAD_PART);
        return api_fail(&c);
    }
    const tc_export_part *p = &x.parts[part ? part - 1 : 0];
    /* the 采集码 in clear only for the school's own admin */
    int codes = !strcmp(c.staff.role, "school_admin");
    tc_export_zip *z;
    size_t ncodes;
    int rc = tc_export_photos_zip(&c.app->keys, c.app->blobs, x.rows, &x.names, p->first, p->photos, codes, x.full_ids,
                                  &z, &ncodes, &c.e);
    if (rc != 0) {
        export_req_free(&x);
        return api_fail(&c);
    }
    json_t *a = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "template", x.tpl, "photos", (json_int_t)p->photos, "part",
                          (json_int_t)(part ? part : 1), "parts", (json_int_t)x.nparts, "chsi_codes",
                          (json_int_t)ncodes, "ids", x.full_ids ? "full" : "masked");
    char *after = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    api_audit(&c, "batch.export_photos", "batch", x.b.id, NULL, after);
    free(after);
    char *cd = x.nparts > 1 ? tc_pool_printf(r->pool, "attachment; filename=\"photos-%s-part%lld-of-%zu.zip\"", x.b.code,
                                             part, x.nparts)
                            : tc_pool_printf(r->pool, "attachment; filename=\"photos-%s.zip\"", x.b.code);
    export_req_free(&x);
    tc_http_add_header(r, "Content-Disposition", cd);
    tc_http_add_header(r, "Cache-Control", "no-store");
    return tc_http_respond_stream(r, 200, "application/zip", tc_export_zip_read, z, tc_export_zip_free);
}

/* GET /api/v1/batches/:id/codes.xlsx?template=|name=&ids=: the 采集码 list
 * alone (every exported photo's row), as in the archive. */
static int h_codes_xlsx(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    export_req x;
    if (export_load(&c, &x) != 0)
        return api_fail(&c);
    int codes = !strcmp(c.staff.role, "school_admin");
    char path[64];
    size_t ncodes;
    int rc = tc_export_codes_xlsx(&c.app->keys, x.rows, &x.names, 0, x.n, codes, x.full_ids, path, &ncodes, &c.e);
    size_t n = x.n;
    int full = x.full_ids;
    export_req_free(&x);
    if (rc != 0)
        return api_fail(&c);
    api_audit(&c, "batch.export_codes", "batch", x.b.id, NULL,
              tc_pool_printf(r->pool, "{\"rows\":%zu,\"chsi_codes\":%zu,\"ids\":\"%s\"}", n, ncodes,
                             full ? "full" : "masked"));
    tc_http_add_header(r, "Cache-Control", "no-store");
    return xlsx_send(&c, path, tc_pool_printf(r->pool, "codes-%s.xlsx", x.b.code));
}

/* GET /api/v1/roster/template.xlsx?lang=zh|en: the roster import template. */
static int h_roster_template(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *lang = tc_http_query(r, "lang");
    int en = lang && !strcmp(lang, "en");
    char path[64];
    if (tc_export_roster_template_xlsx(en, path, &c.e) != 0)
        return api_fail(&c);
    return xlsx_send(&c, path, en ? "roster-template.xlsx" : "roster-template-zh.xlsx");
}

/* ---- reminders ---------------------------------------------------------------------------------------- */

enum { REMIND_GAP_S = 24 * 3600 };

/* POST /api/v1/batches/:id/remind: the students who have not finished get a
 * message (and the e-mail / SMS they opted into), at most once a day each. */
static int h_remind(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_roster_query q = {.batch_id = c.batch.id, .unfinished = 1};
    tc_store_roster_row *rows;
    size_t n;
    int64_t total, now = tc_now();
    if (tc_store_roster_search(c.app->store, r->pool, &q, now, &rows, &n, &total, &c.e) != 0)
        return api_fail(&c);
    tc_store_school sc = {0};
    tc_store_school_get(c.app->store, r->pool, c.batch.school_id, &sc, NULL);
    char when[20] = "";
    if (c.batch.ends_at)
        tc_time_fmt_cn(c.batch.ends_at, when);
    const char *bz = c.batch.ends_at ? tc_pool_printf(r->pool, "%s提醒您：请在 %s 前完成「%s」的照片采集。",
                                                      sc.name ? sc.name : "学校", when, c.batch.name)
                                     : tc_pool_printf(r->pool, "%s提醒您：请尽快完成「%s」的照片采集。",
                                                      sc.name ? sc.name : "学校", c.batch.name);
    const char *be =
        c.batch.ends_at
            ? tc_pool_printf(r->pool, "%s reminds you: finish your photo for \"%s\" before %s (China time).",
                             sc.name ? sc.name : "Your school", c.batch.name, when)
            : tc_pool_printf(r->pool, "%s reminds you: finish your photo for \"%s\" soon.",
                             sc.name ? sc.name : "Your school", c.batch.name);
    int64_t sent = 0, recent = 0, unverified = 0, outbox = 0;
    for (size_t i = 0; i < n; i++) {
        const tc_store_roster_row *x = &rows[i];
        if (!x->st.person_id) {
            unverified++; /* never signed in: no message centre, no opt-in */
            continue;
        }
        int took = tc_store_remind_take(c.app->store, x->st.id, now, REMIND_GAP_S, &c.e);
        if (took < 0)
            return api_fail(&c);
        if (!took) {
            recent++;
            continue;
        }
        /* the message centre, and each channel the student chose */
        outbox += api_message(c.app, x->st.person_id, x->st.id, "reminder", "采集提醒", "Reminder", bz, be);
        sent++;
    }
    char *after = tc_pool_printf(r->pool, "{\"sent\":%lld,\"recent\":%lld,\"unverified\":%lld,\"outbox\":%lld}",
                                 (long long)sent, (long long)recent, (long long)unverified, (long long)outbox);
    api_audit(&c, "batch.remind", "batch", c.batch.id, NULL, after);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:I, s:I, s:I, s:I, s:I}", "unfinished", (json_int_t)n, "sent",
                                          (json_int_t)sent, "skipped_recent", (json_int_t)recent, "skipped_unverified",
                                          (json_int_t)unverified, "outbox", (json_int_t)outbox));
}

/* ---- the QR poster (PDF) -------------------------------------------------------------------------------- */

/* GET /api/v1/batches/:id/poster.pdf: an A4 page to print and put up — the
 * school, the batch, its QR code, the 特征码 and the steps. */
static int h_poster(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_school sc;
    if (tc_store_school_get(c.app->store, r->pool, c.batch.school_id, &sc, &c.e) != 0)
        return api_fail(&c);
    const char *url = entry_url(&c);
    uint8_t *buf;
    size_t got;
    if (tc_export_poster_pdf(c.app->pdf_fonts, sc.name, c.batch.name, c.batch.code, url, &buf, &got, &c.e) != 0)
        return api_fail(&c);
    tc_http_add_header(r, "Content-Disposition",
                       tc_pool_printf(r->pool, "attachment; filename=\"poster-%s.pdf\"", c.batch.code));
    int rc = tc_http_respond(r, 200, "application/pdf", buf, got);
    free(buf);
    return rc;
}

int api_school_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/batches/:id", NEED_SCHOOL_STAFF, h_batch_get, 0},
        {"GET", "/api/v1/batches/:id/qr.png", NEED_SCHOOL_STAFF, h_batch_qr, 0},
        {"POST", "/api/v1/batches/:id/roster", NEED_SCHOOL_STAFF, h_roster_import, API_UPLOAD},
        {"POST", "/api/v1/batches/:id/roster/rejects", NEED_SCHOOL_STAFF, h_roster_rejects, API_UPLOAD},
        {"GET", "/api/v1/batches/:id/students", NEED_SCHOOL_STAFF, h_students, 0},
        {"POST", "/api/v1/students/:id/unlock", NEED_SCHOOL_STAFF, h_unlock, 0},
        {"POST", "/api/v1/students/:id/reset", NEED_SCHOOL_STAFF, h_reset, API_JSON},
        {"DELETE", "/api/v1/students/:id/chsi", NEED_SCHOOL_STAFF, h_chsi_clear, 0},
        {"PUT", "/api/v1/students/:id", NEED_SCHOOL_STAFF, h_student_edit, 0},
        {"POST", "/api/v1/students/:id/erase", NEED_SCHOOL_STAFF, h_erase, 0},
        {"GET", "/api/v1/batches/:id/settings", NEED_SCHOOL_STAFF, h_batch_settings, 0},
        {"PUT", "/api/v1/batches/:id", NEED_SCHOOL_STAFF, h_batch_update, API_JSON},
        {"GET", "/api/v1/schools/:id/settings", NEED_SCHOOL_STAFF, h_school_settings, 0},
        {"PUT", "/api/v1/schools/:id/settings", NEED_SCHOOL_STAFF, h_school_settings_put, API_JSON},
        {"GET", "/api/v1/schools/:id/notice", NEED_SCHOOL_STAFF, h_notice_get, 0},
        {"PUT", "/api/v1/schools/:id/notice", NEED_SCHOOL_STAFF, h_notice_put, API_JSON},
        {"GET", "/api/v1/batches/:id/progress", NEED_SCHOOL_STAFF, h_progress, 0},
        {"GET", "/api/v1/batches/:id/progress.xlsx", NEED_SCHOOL_STAFF, h_progress_xlsx, 0},
        {"GET", "/api/v1/batches/:id/roster", NEED_SCHOOL_STAFF, h_roster_search, 0},
        {"GET", "/api/v1/batches/:id/roster.xlsx", NEED_SCHOOL_STAFF, h_roster_xlsx, 0},
        {"POST", "/api/v1/batches/:id/students", NEED_SCHOOL_STAFF, h_student_add, 0},
        {"GET", "/api/v1/batches/:id/photos.zip", NEED_SCHOOL_STAFF, h_photos_zip, 0},
        {"GET", "/api/v1/batches/:id/photos/plan", NEED_SCHOOL_STAFF, h_photos_plan, 0},
        {"GET", "/api/v1/batches/:id/codes.xlsx", NEED_SCHOOL_STAFF, h_codes_xlsx, 0},
        {"GET", "/api/v1/roster/template.xlsx", NEED_SCHOOL_STAFF, h_roster_template, 0},
        {"POST", "/api/v1/batches/:id/remind", NEED_SCHOOL_STAFF, h_remind, 0},
        {"GET", "/api/v1/batches/:id/poster.pdf", NEED_SCHOOL_STAFF, h_poster, 0},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), up, e);
}
