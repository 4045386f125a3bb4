/* The reviewer's work: the queue (claims that expire), the photos side by
 * side, approve or reject with reasons from the catalogue, production of the
 * final photos (issue 7). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"

static json_t *review_item(api_ctx *c, const tc_store_submission *s)
{
    tc_store_photo ph;
    tc_store_student st;
    tc_err e2;
    if (tc_store_photo_get(c->app->store, c->r->pool, s->photo_id, &ph, &e2) != 0 ||
        tc_store_student_get(c->app->store, c->r->pool, s->student_id, &st, &e2) != 0)
        return json_pack("{s:I}", "id", (json_int_t)s->id);
    json_t *checks = json_loads(ph.checks, 0, NULL);
    /* the images are named by the photo's random token, never its id */
    /* the overlay: overlay_data_url the drawing data (404 for photos made
     * before it), overlay_url the PNG of those */
    return json_pack("{s:I, s:s, s:I, s:o, s:{s:I, s:s, s:s, s:s, s:s, s:o}}", "id", (json_int_t)s->id, "state", s->state,
                     "submitted_at", (json_int_t)s->submitted_at, "student", api_student_json(c, &st), "photo", "id",
                     (json_int_t)ph.id, "standard_url",
                     tc_pool_printf(c->r->pool, "/api/v1/review/photos/%s/standard.jpg", ph.token), "original_url",
                     tc_pool_printf(c->r->pool, "/api/v1/review/photos/%s/original.jpg", ph.token), "overlay_url",
                     tc_pool_printf(c->r->pool, "/api/v1/review/photos/%s/overlay.png", ph.token), "overlay_data_url",
                     tc_pool_printf(c->r->pool, "/api/v1/review/photos/%s/overlay.json", ph.token), "checks",
                     checks ? checks : json_object());
}

/* A set of submission states, one bit each. */
#define SUBS(x) (1u << TC_STORE_SUB_##x)

static int in(tc_store_sub_state state, unsigned set)
{
    return state >= 0 && state < TC_STORE_SUB_COUNT && ((set >> state) & 1u);
}

/* May this staff member see this photo (issue 14)?  The photo is named by its
 * random token, so nobody reaches one by counting; and even with a token,
 * staff see only photos a student submitted, and of those the ones their
 * work needs:
 *   - never a photo that was not submitted (a draft, a failed photo) or that
 *     the student deleted: it is the student's own until they submit it;
 *   - what counts is the photo's newest submission (a withdrawn and
 *     resubmitted photo has two);
 *   - a school admin: students of its own school (403 auth.other_school for
 *     another school's, as on every school route), photos submitted,
 *     approved or final — what the school is collecting; not one waiting for
 *     payment, withdrawn, rejected or reset;
 *   - a reviewer: photos in the review queue (submitted), and the ones whose
 *     decision is theirs (approved, rejected or final since);
 *   - a platform admin: any photo submitted, approved, rejected or final.
 * Everything else is 404 photo.not_found, the same as a token that does not
 * exist.  0, or -1 with c->e filled. */
static int staff_photo(api_ctx *c, const char *token, tc_store_photo *ph)
{
    const unsigned school_sees = SUBS(SUBMITTED) | SUBS(APPROVED) | SUBS(FINAL);
    const unsigned decided = SUBS(APPROVED) | SUBS(REJECTED) | SUBS(FINAL);
    const unsigned admin_sees = SUBS(SUBMITTED) | SUBS(APPROVED) | SUBS(REJECTED) | SUBS(FINAL);
    tc_store *db = c->app->store;
    tc_store_student st;
    tc_store_submission sub;
    tc_err e2;
    if (tc_store_photo_by_token(db, c->r->pool, token, ph, &c->e) != 0 ||
        tc_store_student_get(db, c->r->pool, ph->student_id, &st, &c->e) != 0)
        return -1;
    const char *role = c->staff.role;
    if (!strcmp(role, "school_admin") && !api_staff_school_ok(c, st.school_id))
        return -1;
    int ok = 0;
    if (ph->state_enum != TC_STORE_PHOTO_DELETED && tc_store_photo_submission(db, c->r->pool, ph->id, &sub, &e2) == 0) {
        if (!strcmp(role, "school_admin"))
            ok = in(sub.state_enum, school_sees);
        else if (!strcmp(role, "reviewer"))
            ok = sub.state_enum == TC_STORE_SUB_SUBMITTED ||
                 (in(sub.state_enum, decided) && sub.reviewer_id == c->staff.id);
        else if (!strcmp(role, "platform_admin"))
            ok = in(sub.state_enum, admin_sees);
    }
    if (!ok)
        return tc_err_set(&c->e, TCE_PHOTO_NOT_FOUND);
    return 0;
}

static int h_review_queue(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_submission *s;
    size_t n;
    const char *lim = tc_http_query(r, "limit");
    int limit = lim ? atoi(lim) : 10;
    if (limit < 1 || limit > 100)
        limit = 10;
    if (tc_store_review_claim(c.app->store, r->pool, c.staff.id, limit, 600, tc_now(), &s, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, review_item(&c, &s[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "items", a));
}

/* The reviewers' overlay blob is the drawing data (tc_check_overlay_json,
 * photos made since session 12: the review console paints it over the
 * original) or the PNG older versions made; its first byte tells which.
 * overlay.json answers the one, overlay.png the other, and each
 * photo.no_image (404) for the other kind, so the console asks for the data
 * and falls back to the picture. */
enum { REVIEW_OVERLAY_MAX = 32 << 20 };

static int send_overlay(api_ctx *c, const char *id, int want_data)
{
    char *data = NULL;
    size_t len = 0;
    if (!id[0]) {
        tc_err_set(&c->e, TCE_PHOTO_NO_IMAGE);
        return api_fail(c);
    }
    if (tc_blob_get(c->app->blobs, id, REVIEW_OVERLAY_MAX, &data, &len, &c->e) != 0) {
        if (!strcmp(c->e.code, "blob.not_found") || !strcmp(c->e.code, "blob.bad_id"))
            tc_err_set(&c->e, TCE_PHOTO_NO_IMAGE);
        return api_fail(c);
    }
    if ((len > 0 && data[0] == '{') != want_data) {
        free(data);
        tc_err_set(&c->e, TCE_PHOTO_NO_IMAGE);
        return api_fail(c);
    }
    tc_http_add_header(c->r, "Cache-Control", "private, max-age=3600");
    int rc = tc_http_respond(c->r, 200, want_data ? "application/json" : "image/png", data, len);
    free(data);
    return rc;
}

static int h_review_photo(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    if (staff_photo(&c, r->params[0], &ph) != 0)
        return api_fail(&c);
    const char *kind = r->params[1];
    if (!strcmp(kind, "standard.jpg"))
        return api_send_blob(&c, ph.final_blob[0] ? ph.final_blob : ph.standard_blob, "image/jpeg", NULL);
    if (!strcmp(kind, "original.jpg"))
        return api_send_blob(&c, ph.original_blob, "image/jpeg", NULL);
    if (!strcmp(kind, "overlay.json") || !strcmp(kind, "overlay.png"))
        return send_overlay(&c, ph.overlay_blob, kind[8] == 'j');
    return api_bad_id(&c);
}

/* The reasons as given, checked against the catalogue (the reason table,
 * edited by platform admins): each becomes {code, zh, en} as worded now, so
 * a later edit of the catalogue does not change what a student was told. */
static json_t *reasons_of(api_ctx *c, json_t *body, tc_err *e)
{
    json_t *in = json_object_get(body, "reasons");
    json_t *reasons = json_array();
    if (in && (!json_is_array(in) || json_array_size(in) > 40)) {
        json_decref(reasons);
        tc_err_set(e, TCE_REVIEW_BAD_REASON);
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(in, i, v)
    {
        tc_store_reason rr;
        if (!json_is_string(v) || strlen(json_string_value(v)) > 64 ||
            tc_store_reason_get(c->app->store, c->r->pool, json_string_value(v), 1, &rr, e) != 0) {
            if (!json_is_string(v) || strlen(json_string_value(v)) > 64)
                tc_err_set(e, TCE_REVIEW_BAD_REASON_2);
            json_decref(reasons);
            return NULL;
        }
        json_array_append_new(reasons, json_pack("{s:s, s:s, s:s}", "code", rr.code, "zh", rr.zh, "en", rr.en));
    }
    return reasons;
}

/* One decision: stored (claim-checked), the student told, the audit line
 * written.  -1 with e set when refused. */
static int decide_one(api_ctx *c, int64_t id, int approve, const char *reasons, const char *note,
                      tc_store_submission *s, tc_err *e)
{
    if (tc_store_review_decide(c->app->store, id, c->staff.id, approve, reasons, note, tc_now(), e) != 0 ||
        tc_store_submission_get(c->app->store, c->r->pool, id, s, e) != 0)
        return -1;
    tc_store_student st;
    tc_err e2;
    if (tc_store_student_get(c->app->store, c->r->pool, s->student_id, &st, &e2) == 0) {
        api_publish(c->app, st.person_id, "submission", json_pack("{s:s}", "state", s->state));
        if (approve)
            api_message(c->app, st.person_id, st.id, "approved", "照片审核通过", "Photo approved",
                        "您的照片已审核通过，状态为待处理，制作完成后可下载成片。",
                        "Your photo is approved (待处理); you can download the final photo once it is made.");
        else {
            /* the reasons and the note go with the message: an e-mail, SMS
             * or WeChat message is read where the app's page is not */
            tc_buf bz, be;
            tc_buf_init(&bz);
            tc_buf_init(&be);
            json_t *rs = reasons ? json_loads(reasons, 0, NULL) : NULL;
            size_t i;
            json_t *v;
            json_array_foreach(rs, i, v)
            {
                tc_buf_printf(&bz, "%s%s", i ? "；" : "未通过原因：", json_string_value(json_object_get(v, "zh")));
                tc_buf_printf(&be, "%s%s", i ? "; " : "Why: ", json_string_value(json_object_get(v, "en")));
            }
            json_decref(rs);
            if (note && *note) {
                tc_buf_printf(&bz, "%s%s", bz.len ? "；" : "", note);
                tc_buf_printf(&be, "%s%s", be.len ? "; " : "", note);
            }
            tc_buf_printf(&bz, "%s请尽快重新拍照上传（重拍上传不需要重复付费）。", bz.len ? "。" : "");
            tc_buf_printf(&be, "%sShoot again soon (a retake is not charged again).", be.len ? ". " : "");
            api_message(c->app, st.person_id, st.id, "rejected", "照片审核未通过", "Photo rejected", bz.data, be.data);
            tc_buf_free(&bz);
            tc_buf_free(&be);
        }
    }
    json_t *aj = json_pack("{s:s, s:s, s:s}", "state", s->state, "reasons", reasons ? reasons : "[]", "note",
                           note ? note : "");
    char *after = json_dumps(aj, JSON_COMPACT);
    json_decref(aj);
    api_audit(c, approve ? "review.approve" : "review.reject", "submission", id, "{\"state\":\"submitted\"}", after);
    free(after);
    return 0;
}

static int decide(tc_http_req *r, int approve)
{
    api_ctx c = api_ctx_of(r);
    json_t *reasons = json_array();
    const char *note = "";
    if (!approve) {
        json_decref(reasons);
        json_t *body = tc_http_json(r, &c.e);
        if (!body || !(reasons = reasons_of(&c, body, &c.e)))
            return api_fail(&c);
        note = api_jstr(body, "note") ? api_jstr(body, "note") : "";
        if (strlen(note) > 2000) {
            json_decref(reasons);
            tc_err_set(&c.e, TCE_REVIEW_NOTE_TOO_LONG);
            return api_fail(&c);
        }
        if (!json_array_size(reasons) && !*note) {
            json_decref(reasons);
            tc_err_set(&c.e, TCE_REVIEW_REASON_REQUIRED);
            return api_fail(&c);
        }
    }
    char *rs = json_dumps(reasons, JSON_COMPACT);
    json_decref(reasons);
    tc_store_submission s;
    int rc = decide_one(&c, c.id, approve, rs, note, &s, &c.e);
    free(rs);
    if (rc != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "submission", api_sub_json(r->pool, &s)));
}

static int h_approve(tc_http_req *r)
{
    return decide(r, 1);
}

static int h_reject(tc_http_req *r)
{
    return decide(r, 0);
}

enum { BULK_MAX = 200 };

/* {"ids": [1, 2, ...]} (1..BULK_MAX distinct ids); NULL with e set if not. */
static json_t *bulk_ids(tc_http_req *r, tc_err *e)
{
    json_t *body = tc_http_json(r, e);
    if (!body)
        return NULL;
    json_t *ids = json_object_get(body, "ids");
    size_t i;
    json_t *v;
    int ok = json_is_array(ids) && json_array_size(ids) >= 1 && json_array_size(ids) <= BULK_MAX;
    json_array_foreach(ids, i, v) if (!json_is_integer(v) || json_integer_value(v) <= 0) ok = 0;
    if (!ok) {
        tc_err_set(e, TCE_REVIEW_BAD_IDS, BULK_MAX);
        return NULL;
    }
    return ids;
}

static json_t *result_json(int64_t id, const char *state, const tc_err *e)
{
    if (!e)
        return json_pack("{s:I, s:b, s:s}", "id", (json_int_t)id, "ok", 1, "state", state);
    return json_pack("{s:I, s:b, s:o}", "id", (json_int_t)id, "ok", 0, "error", api_err_json(e));
}

/* One submission of a bulk action: 0 with *state its new state, or -1
 * with e set. */
typedef int (*bulk_one)(api_ctx *c, int64_t id, const char **state, tc_err *e);

/* Run one on each of ids on its own, so that one another reviewer holds or
 * that was withdrawn meanwhile does not stop the rest; each result appended
 * to res.  Returns how many succeeded. */
static int64_t bulk_run(api_ctx *c, json_t *ids, bulk_one one, json_t *res)
{
    int64_t done = 0;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int64_t id = json_integer_value(v);
        const char *state = NULL;
        tc_err e;
        memset(&e, 0, sizeof e);
        if (one(c, id, &state, &e) == 0) {
            done++;
            json_array_append_new(res, result_json(id, state, NULL));
        } else
            json_array_append_new(res, result_json(id, NULL, &e));
    }
    return done;
}

/* Approve one (no reasons, no note). */
static int approve_one(api_ctx *c, int64_t id, const char **state, tc_err *e)
{
    tc_store_submission s;
    if (decide_one(c, id, 1, "[]", "", &s, e) != 0)
        return -1;
    *state = s.state; /* in the request's pool */
    return 0;
}

/* Bulk approve: each photo decided (and audit-logged) on its own, so one
 * that another reviewer holds or that was withdrawn meanwhile does not stop
 * the rest; the answer says which. */
static int h_bulk_approve(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *ids = bulk_ids(r, &c.e);
    if (!ids)
        return api_fail(&c);
    json_t *res = json_array();
    int64_t done = bulk_run(&c, ids, approve_one, res);
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "approved", (json_int_t)done, "results", res));
}

/* Production of one: the 成片 is blob (a retouched file production uploaded,
 * already checked) or, blob NULL, the clean standard photo.  An approved
 * photo becomes final; one whose student asked for a correction gets the
 * new 成片.  Either way the student is asked to check it (校对). */
static int final_one(api_ctx *c, int64_t id, const char *blob, tc_err *e)
{
    tc_store_submission s;
    tc_store_photo ph;
    if (tc_store_submission_get(c->app->store, c->r->pool, id, &s, e) != 0 ||
        tc_store_photo_get(c->app->store, c->r->pool, s.photo_id, &ph, e) != 0)
        return -1;
    if (s.state_enum != TC_STORE_SUB_APPROVED &&
        !(s.state_enum == TC_STORE_SUB_FINAL && s.final_state_enum == TC_STORE_FINAL_CORRECTION))
        return s.state_enum == TC_STORE_SUB_FINAL ? tc_err_set(e, TCE_FINAL_NOT_PRODUCIBLE)
                                                   : tc_err_set(e, TCE_REVIEW_NOT_APPROVED);
    if (tc_store_final_make(c->app->store, id, blob ? blob : ph.standard_blob, c->staff.id, tc_now(), e) != 0)
        return -1;
    tc_store_student st;
    tc_err e2;
    if (tc_store_student_get(c->app->store, c->r->pool, s.student_id, &st, &e2) == 0) {
        api_publish(c->app, st.person_id, "submission", json_pack("{s:s}", "state", "final"));
        api_message(c->app, st.person_id, st.id, "final", "成片已制作完成", "Your final photo is ready",
                    "请在照片下载页核对成片：确认无误，或说明需要修改的地方。",
                    "Check the final photo on the download page: confirm it, or say what should be corrected.");
    }
    const char *before = s.state_enum == TC_STORE_SUB_APPROVED ? "{\"state\":\"approved\"}"
                                                                : "{\"state\":\"final\",\"final_state\":\"correction\"}";
    char after[200];
    snprintf(after, sizeof after, "{\"state\":\"final\",\"final_state\":\"ready\",\"source\":\"%s\",\"blob\":\"%.80s\"}",
             blob ? "retouched" : "standard", blob ? blob : ph.standard_blob);
    api_audit(c, "production.final", "submission", id, before, after);
    return 0;
}

/* Make the 成片 of one from its clean standard photo (bulk_run). */
static int final_bulk_one(api_ctx *c, int64_t id, const char **state, tc_err *e)
{
    *state = "final";
    return final_one(c, id, NULL, e);
}

static int h_final(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (final_one(&c, c.id, NULL, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:s}", "state", "final", "final_state", "ready"));
}

/* POST multipart, field "photo": production's retouched 成片 for one
 * submission (approved, or final with a correction asked). */
static int h_final_upload(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_http_part *parts;
    size_t np;
    if (tc_http_form(r, &parts, &np, &c.e) != 0)
        return api_fail(&c);
    const tc_http_part *file = tc_http_form_get(parts, np, "photo");
    if (!file || !file->len) {
        tc_err_set(&c.e, TCE_FINAL_NO_FILE);
        return api_fail(&c);
    }
    tc_store_submission s;
    tc_store_photo ph;
    if (tc_store_submission_get(c.app->store, r->pool, c.id, &s, &c.e) != 0 ||
        tc_store_photo_get(c.app->store, r->pool, s.photo_id, &ph, &c.e) != 0)
        return api_fail(&c);
    tc_spec_table own = {0};
    const tc_spec *spec = api_photo_spec(c.app, &own, &ph, "chsi", &c.e);
    /* checked as a finished photo of the spec the photo was made to */
    int rc = spec ? tc_studio_check_finished(c.app->studio, spec, file->data, file->len, &c.e) : -1;
    tc_spec_table_free(&own);
    char blob[TC_BLOB_ID_LEN + 1];
    if (rc != 0 || tc_blob_put(c.app->blobs, file->data, file->len, blob, &c.e) != 0 ||
        final_one(&c, c.id, blob, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:s}", "state", "final", "final_state", "ready"));
}

/* Production in batches: {"ids": [...]} or {"batch_id": N} (every approved
 * photo of the batch, BULK_MAX at a time: "remaining" says how many are
 * left for the next call). */
static int h_bulk_final(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    json_t *bid = json_object_get(body, "batch_id");
    json_t *ids;
    json_t *own = NULL;
    if (bid) {
        if (!json_is_integer(bid) || json_integer_value(bid) <= 0) {
            tc_err_set(&c.e, TCE_REVIEW_BAD_IDS_2);
            return api_fail(&c);
        }
        tc_store_batch b;
        if (tc_store_batch_get(c.app->store, r->pool, json_integer_value(bid), &b, &c.e) != 0)
            return api_fail(&c);
        tc_store_production *rows;
        size_t n;
        int64_t total;
        if (tc_store_review_production(c.app->store, r->pool, b.id, 1, BULK_MAX, 0, &rows, &n, &total, &c.e) != 0)
            return api_fail(&c);
        ids = own = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(own, json_integer(rows[i].sub_id));
    } else if (!(ids = bulk_ids(r, &c.e)))
        return api_fail(&c);
    json_t *res = json_array();
    int64_t done = bulk_run(&c, ids, final_bulk_one, res);
    json_decref(own);
    int64_t left = 0;
    if (bid) {
        tc_store_production *rows;
        size_t n;
        if (tc_store_review_production(c.app->store, r->pool, json_integer_value(bid), 1, 1, 0, &rows, &n, &left, &c.e) !=
            0) {
            json_decref(res);
            return api_fail(&c);
        }
    }
    return tc_http_respond_json(r, 200,
                                json_pack("{s:I, s:I, s:o}", "final", (json_int_t)done, "remaining", (json_int_t)left,
                                          "results", res));
}

/* Approved photos waiting for production, oldest decision first. */
static int h_production(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    int64_t batch, limit, offset;
    if (api_query_int(r, "batch_id", 0, 0, INT64_MAX, &batch, &c.e) != 0 ||
        api_query_int(r, "limit", 50, 1, 200, &limit, &c.e) != 0 ||
        api_query_int(r, "offset", 0, 0, 1000000, &offset, &c.e) != 0)
        return api_fail(&c);
    tc_store_production *rows;
    size_t n;
    int64_t total;
    if (tc_store_review_production(c.app->store, r->pool, batch, 0, (int)limit, (int)offset, &rows, &n, &total, &c.e) !=
        0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const tc_store_production *p = &rows[i];
        json_array_append_new(
            a, json_pack("{s:I, s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
                         (json_int_t)p->sub_id, "student_id", (json_int_t)p->student_id, "batch_id",
                         (json_int_t)p->batch_id, "batch", p->batch_name, "school_id", (json_int_t)p->school_id,
                         "school", p->school_name, "name", p->name, "student_no", p->student_no, "class_name",
                         p->class_name, "decided_at", (json_int_t)p->decided_at, "final_state", p->final_state,
                         "correction_reason", p->final_reason, "standard_url",
                         tc_pool_printf(r->pool, "/api/v1/review/photos/%s/standard.jpg", p->photo_token)));
    }
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", a));
}

/* The reviewer's start page: queue length, approved waiting for
 * production, my decisions today (China time, UTC+8). */
static int h_stats(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    int64_t now = tc_now();
    int64_t since = now - (now + 8 * 3600) % 86400;
    int64_t queue, approved, mine;
    if (tc_store_review_stats(c.app->store, c.staff.id, since, &queue, &approved, &mine, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:I, s:I, s:I, s:I}", "queue", (json_int_t)queue, "approved",
                                          (json_int_t)approved, "mine_today", (json_int_t)mine, "since",
                                          (json_int_t)since));
}

/* The active catalogue, for the review page's checkboxes. */
static int h_reasons(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return api_reasons_answer(&c, 0);
}

int api_review_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/review/queue", NEED_REVIEW, h_review_queue, 0},
        {"GET", "/api/v1/review/photos/:token/:kind", NEED_STAFF, h_review_photo, 0},
        {"POST", "/api/v1/review/submissions/:id/approve", NEED_REVIEW, h_approve, 0},
        {"POST", "/api/v1/review/submissions/:id/reject", NEED_REVIEW, h_reject, 0},
        {"POST", "/api/v1/review/submissions/:id/final", NEED_REVIEW, h_final, 0},
        {"POST", "/api/v1/review/submissions/:id/final/upload", NEED_REVIEW, h_final_upload, API_UPLOAD},
        {"POST", "/api/v1/review/approve", NEED_REVIEW, h_bulk_approve, 0},
        {"POST", "/api/v1/review/final", NEED_REVIEW, h_bulk_final, API_JSON},
        {"GET", "/api/v1/review/production", NEED_REVIEW, h_production, 0},
        {"GET", "/api/v1/review/stats", NEED_REVIEW, h_stats, 0},
        {"GET", "/api/v1/review/reasons", NEED_REVIEW, h_reasons, 0},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), up, e);
}
