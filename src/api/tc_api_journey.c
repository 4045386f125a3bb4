/* tc_api — the student's journey (issue 6): the handlers behind the app's
 * steps, uploads (made by the photo queue, tc_jobs), live updates and the
 * result.  Payment is in
 * tc_api_money.c, review in tc_api_review.c, the school's actions in
 * tc_api_school.c.
 *
 * Every handler reads a snapshot (api_jctx), asks tc_journey whether the step is
 * allowed, and makes the change in one store transaction that re-checks it. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_int.h"
#include "../check/tc_check.h"
#include "../spec/tc_spec.h"
#include "../sheet/tc_sheet.h"
#include "../event/tc_event.h"

/* A problem that stopped the photo being made and the check that says the
 * same thing in other words: the student reads it once. */
static int same_finding(const char *problem, const char *check)
{
    static const char *const pairs[][2] = {
        {"photo.no_face", "check.face_count"},          {"photo.faces", "check.face_count"},
        {"photo.head_cut_off", "check.face_inside"},    {"photo.crop_outside", "check.framing"},
        {"photo.geometry_out_of_range", "check.geometry"},
    };
    for (size_t i = 0; problem && check && i < TC_ARRAY_LEN(pairs); i++)
        if (!strcmp(problem, pairs[i][0]) && !strcmp(check, pairs[i][1]))
            return 1;
    return 0;
}

enum { TC_REASONS_SHOWN = 3 };

/* The tier a failed check is shown in (lower first): a re-photographed
 * picture leads to the liveness lock and a copy of an earlier photo is
 * refused whatever else is fixed (0); a head turned, raised or tilted (1)
 * causes the crop, ears, framing and clothing findings that follow from it,
 * so the student reads the cause before its consequences (issue 16 item 5);
 * the rest in the report's order (2). */
static int reason_tier(const char *code)
{
    if (!code)
        return 2;
    if (!strcmp(code, "check.recapture") || !strcmp(code, "check.duplicate"))
        return 0;
    if (!strcmp(code, "check.pose_roll") || !strcmp(code, "check.pose_yaw") || !strcmp(code, "check.pose_pitch"))
        return 1;
    return 2;
}

/* Append a failed check's advice unless it is shown already or the list is
 * full. */
static void add_reason(json_t *failed, json_t *ck)
{
    if (json_array_size(failed) >= TC_REASONS_SHOWN)
        return;
    const char *zh = json_string_value(json_object_get(ck, "zh"));
    size_t k;
    json_t *f;
    json_array_foreach(failed, k, f)
    {
        const char *fz = json_string_value(json_object_get(f, "zh"));
        if (zh && fz && !strcmp(zh, fz))
            return;
    }
    json_array_append_new(failed, json_pack("{s:O, s:O, s:O}", "code", json_object_get(ck, "code"), "zh",
                                            json_object_get(ck, "zh"), "en", json_object_get(ck, "en")));
}

/* The failed checks' advice from a stored checks report, as the student
 * reads it, at most TC_REASONS_SHOWN, each advice once: the findings of tier
 * 0 and 1 (reason_tier), then the problem that stopped the photo, then the
 * other failed checks in the report's order (most basic first: one face,
 * framing, pose, eyes …).  Checks that could not run ("unknown") are no
 * failures: they go apart, for the record. */
static void failed_json(const char *checks, json_t **failed, json_t **unknown)
{
    *failed = json_array();
    *unknown = json_array();
    json_t *o = json_loads(checks ? checks : "{}", 0, NULL);
    json_t *prob = json_object_get(o, "problem");
    const char *pcode = json_is_object(prob) ? json_string_value(json_object_get(prob, "code")) : NULL;
    size_t i;
    json_t *ck;
    for (int tier = 0; tier < 3; tier++) {
        if (tier == 2 && json_is_object(prob) && json_array_size(*failed) < TC_REASONS_SHOWN)
            json_array_append(*failed, prob);
        json_array_foreach(json_object_get(o, "checks"), i, ck)
        {
            const char *v = json_string_value(json_object_get(ck, "verdict"));
            const char *code = json_string_value(json_object_get(ck, "code"));
            if (tier == 0 && v && !strcmp(v, "unknown")) {
                json_array_append(*unknown, json_object_get(ck, "code"));
                continue;
            }
            if (reason_tier(code) != tier || !v || strcmp(v, "fail") || same_finding(pcode, code))
                continue;
            add_reason(*failed, ck);
        }
    }
    json_decref(o);
}

/* The agreements the student must have accepted (issue 19 item 5): their
 * versions, where the texts are (web/student/legal/, one file per version
 * and language) and what the student last accepted. */
static json_t *consent_json(tc_api_app *app, const api_jctx *j)
{
    int tv, pv;
    api_consent_versions(app, &tv, &pv);
    char tz[48], te[48], pz[48], pe[48];
    snprintf(tz, sizeof tz, "/legal/terms-%d.zh.txt", tv);
    snprintf(te, sizeof te, "/legal/terms-%d.en.txt", tv);
    snprintf(pz, sizeof pz, "/legal/privacy-%d.zh.txt", pv);
    snprintf(pe, sizeof pe, "/legal/privacy-%d.en.txt", pv);
    return json_pack("{s:b, s:{s:i, s:s, s:s}, s:{s:i, s:s, s:s}, s:i, s:i}", "accepted", j->js.consent_ok, "terms",
                     "version", tv, "zh_url", tz, "en_url", te, "privacy", "version", pv, "zh_url", pz, "en_url", pe,
                     "accepted_terms", j->sj.consent_terms, "accepted_privacy", j->sj.consent_privacy);
}

/* POST /api/v1/me/consent {terms_version, privacy_version}: the student
 * accepts the versions the page showed; they must be the current ones. */
static int h_consent(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    json_t *body = tc_http_json(r, &c.e);
    if (!body)
        return api_fail(&c);
    json_t *t = json_object_get(body, "terms_version"), *p = json_object_get(body, "privacy_version");
    if (!json_is_integer(t) || !json_is_integer(p)) {
        tc_err_set(&c.e, TCE_JOURNEY_CONSENT_BAD);
        return api_fail(&c);
    }
    int tv, pv;
    api_consent_versions(c.app, &tv, &pv);
    if (json_integer_value(t) != tv || json_integer_value(p) != pv) {
        tc_err_set(&c.e, TCE_JOURNEY_CONSENT_STALE, tv, pv);
        return api_fail(&c);
    }
    if (tc_store_consent_add(c.app->store, j.st.id, tv, pv, r->client_ip, tc_now(), &c.e) != 0)
        return api_fail(&c);
    j.js.consent_ok = 1;
    return tc_http_respond_json(r, 200,
                                json_pack("{s:b, s:s, s:i, s:i}", "ok", 1, "step", tc_journey_step(&j.set, &j.js),
                                          "terms_version", tv, "privacy_version", pv));
}

static const char *final_word(const tc_store_submission *s);

static int h_journey(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    int64_t now = tc_now(), until;
    tc_err why;
    memset(&why, 0, sizeof why);
    int can = tc_journey_can_shoot(&j.set, &j.js, j.set.live_allowed ? "camera" : "album", now, &until, &why) == 0;
    tc_store_photo *drafts;
    size_t nd;
    if (tc_store_photo_list(c.app->store, r->pool, j.st.id, TC_STORE_PHOTO_DRAFT, &drafts, &nd, &c.e) != 0)
        return api_fail(&c);
    json_t *da = json_array();
    for (size_t i = 0; i < nd; i++)
        json_array_append_new(
            da, json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)drafts[i].id, "created_at",
                          (json_int_t)drafts[i].created_at, "deletable_at",
                          (json_int_t)(drafts[i].created_at + (int64_t)j.set.draft_delete_after_h * 3600), "proof_url",
                          tc_pool_printf(r->pool, "/api/v1/me/photos/%s/proof.jpg", drafts[i].token)));
    json_t *sub = json_null();
    if (j.has_sub)
        sub = json_pack("{s:I, s:I, s:s, s:o, s:s, s:b, s:s, s:I, s:I}", "id", (json_int_t)j.sub.id, "photo_id",
                        (json_int_t)j.sub.photo_id, "state", j.sub.state, "reasons", api_reasons_json(j.sub.reasons),
                        "note", j.sub.note, "withdrawable",
                        j.sub.state_enum == TC_STORE_SUB_SUBMITTED ||
                            j.sub.state_enum == TC_STORE_SUB_PENDING_PAYMENT,
                        "proof_url",
                        tc_pool_printf(r->pool, "/api/v1/me/photos/%s/proof.jpg", j.sub.photo_token), "submitted_at",
                        (json_int_t)j.sub.submitted_at, "decided_at", (json_int_t)j.sub.decided_at);
    if (j.has_sub && (j.sub.state_enum == TC_STORE_SUB_APPROVED || j.sub.state_enum == TC_STORE_SUB_FINAL))
        json_object_set_new(sub, "final_state", json_string(final_word(&j.sub)));
    int64_t unread = 0;
    tc_store_message *msgs;
    size_t nm;
    if (tc_store_message_list(c.app->store, r->pool, c.sess.person_id, 1, &msgs, &nm, &unread, &c.e) != 0)
        return api_fail(&c);
    json_t *settings = tc_journey_settings_json(&j.set);
    json_object_set_new(settings, "starts_at", json_integer(j.batch.starts_at));
    json_object_set_new(settings, "ends_at", json_integer(j.batch.ends_at));
    json_t *out = json_pack(
        "{s:s, s:{s:s, s:s}, s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:{s:b, s:b, s:s},"
        " s:{s:b, s:o, s:I, s:I, s:b}, s:o, s:o, s:I, s:I}",
        "step", tc_journey_step(&j.set, &j.js), "school", "name", j.school.name, "notice_html", j.notice, "student",
        api_student_json(&c, &j.st), "settings", settings, "progress", "notice_read", j.js.notice_read_at != 0,
        "tips_read", j.js.tips_read_at != 0, "tutorial_done", j.js.tutorial_at != 0, "notify_chosen",
        j.js.notify_chosen_at != 0, "paid", j.js.paid, "notify", "status", j.sj.notify_status, "payment",
        j.sj.notify_payment, "email", j.sj.email, "shoot", "allowed", can, "reason",
        can ? json_null() : api_err_json(&why), "cooloff_until", (json_int_t)j.sj.cooloff_until, "locked_until",
        (json_int_t)j.sj.locked_until, "live_locked", j.sj.live_locked, "drafts", da, "submission", sub, "unread",
        (json_int_t)unread, "now", (json_int_t)now);
    /* the address result e-mails go to, once the student proved it is
     * theirs, and one a code was sent to (issue 14) */
    json_t *nt = json_object_get(out, "notify");
    json_object_set_new(nt, "email_confirmed", json_string(j.sj.email_confirmed ? j.sj.email_confirmed : ""));
    json_object_set_new(nt, "email_pending", json_string(j.sj.email_pending ? j.sj.email_pending : ""));
    /* a full draft box says so on the draft box page too, in seed 000 §14's
     * words (whatever else refuses shooting) */
    tc_err full;
    json_object_set_new(json_object_get(out, "shoot"), "drafts_full",
                        j.js.drafts >= j.set.draft_capacity &&
                                tc_journey_refusal("journey.drafts_full", 0, j.js.drafts, &full) != 0
                            ? api_err_json(&full)
                            : json_null());
    /* the other channels (issue 19) and the school's contact */
    tc_store_channels ch;
    if (tc_store_channels_get(c.app->store, r->pool, j.st.id, &ch, &c.e) != 0) {
        json_decref(out);
        return api_fail(&c);
    }
    json_object_set_new(nt, "sms", json_boolean(ch.sms));
    json_object_set_new(nt, "wechat", json_boolean(ch.wechat));
    json_object_set_new(nt, "has_phone", json_boolean(ch.phone[0] != 0));
    json_object_set_new(nt, "wechat_available", json_boolean(c.app->cfg && c.app->cfg->wx_subscribe_template));
    const char *contact = "{}";
    if (tc_store_school_contact(c.app->store, r->pool, j.st.school_id, &contact, &c.e) != 0) {
        json_decref(out);
        return api_fail(&c);
    }
    json_object_set_new(json_object_get(out, "school"), "contact", api_contact_json(contact));
    json_object_set_new(out, "consent", consent_json(c.app, &j));
    return tc_http_respond_json(r, 200, out);
}

static int mark(tc_http_req *r, tc_store_mark what)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    if (what == TC_STORE_MARK_TIPS && !j.js.notice_read_at) {
        tc_err_set(&c.e, TCE_JOURNEY_NOTICE_UNREAD);
        return api_fail(&c);
    }
    if (what == TC_STORE_MARK_TUTORIAL && !j.js.tips_read_at) {
        tc_err_set(&c.e, TCE_JOURNEY_TIPS_UNREAD);
        return api_fail(&c);
    }
    if (tc_store_journey_mark(c.app->store, j.st.id, what, tc_now(), &c.e) != 0)
        return api_fail(&c);
    return api_ok(&c);
}

/* Answer {key: the JSON document text} (text malloc'ed by a module's
 * serialiser, freed here; NULL or unparsable is an internal error naming
 * the spec it was made for). */
static int answer_json_text(api_ctx *c, tc_http_req *r, const char *key, char *text, const char *spec)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!o) {
        tc_err_internal(&c->e, "%s of %s as JSON", key, spec);
        return api_fail(c);
    }
    return tc_http_respond_json(r, 200, json_pack("{s:o}", key, o));
}

/* GET /api/v1/me/spec: the geometry of the batch's photo spec, from which
 * the camera page sizes and places its guide (issue 20 item 6). */
static int h_spec(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    tc_spec_table own = {0};
    const tc_spec *spec = api_spec_find(c.app, &own, j.set.spec, &c.e);
    char *text = spec ? tc_spec_to_json(spec) : NULL;
    tc_spec_table_free(&own);
    if (!spec)
        return api_fail(&c);
    return answer_json_text(&c, r, "spec", text, j.set.spec);
}

/* GET /api/v1/me/guide: the thresholds the camera page's live guide
 * advises by (issue 19 item 8), from the same check configuration (the
 * school's glasses rule and thresholds) and spec the server judges with. */
static int h_guide(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    tc_check_config cfg;
    tc_check_config_default(&cfg);
    cfg.glasses = j.set.glasses_forbidden ? TC_CHECK_GLASSES_RULE_FORBIDDEN : TC_CHECK_GLASSES_RULE_CLEAR_OK;
    cfg.hair_behind_shoulders = j.set.hair_behind_shoulders;
    if (j.set.checks[0] && tc_check_config_json(&cfg, j.set.checks, strlen(j.set.checks), &c.e) != 0)
        return api_fail(&c);
    tc_spec_table own = {0};
    const tc_spec *spec = api_spec_find(c.app, &own, j.set.spec, &c.e);
    char *text = spec ? tc_check_guide_json(&cfg, spec) : NULL;
    tc_spec_table_free(&own);
    if (!spec)
        return api_fail(&c);
    return answer_json_text(&c, r, "guide", text, j.set.spec);
}

static int h_notice_read(tc_http_req *r)
{
    return mark(r, TC_STORE_MARK_NOTICE);
}

static int h_tips_read(tc_http_req *r)
{
    return mark(r, TC_STORE_MARK_TIPS);
}

static int h_tutorial_done(tc_http_req *r)
{
    return mark(r, TC_STORE_MARK_TUTORIAL);
}

static int email_ok(const char *s)
{
    if (!s || !*s)
        return 1; /* no e-mail is a choice */
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n > 200 || !at || at == s || !strchr(at, '.') || at[1] == '.' || s[n - 1] == '.')
        return 0;
    for (const char *q = s; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == '<' || *q == '>' || *q == ',' || *q == ';' || *q == '"')
            return 0;
    return strchr(at + 1, '@') == NULL;
}

static int h_notify(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *email = api_jstr(j, "email");
    if (!email_ok(email)) {
        tc_err_set(&c.e, TCE_JOURNEY_BAD_EMAIL);
        return api_fail(&c);
    }
    /* the channels besides the message centre and e-mail (issue 19): absent
     * keeps the earlier choice */
    tc_store_channels ch;
    if (tc_store_channels_get(c.app->store, r->pool, c.sess.student_id, &ch, &c.e) != 0)
        return api_fail(&c);
    json_t *jsms = json_object_get(j, "sms"), *jwx = json_object_get(j, "wechat");
    int sms = jsms ? json_is_true(jsms) : ch.sms, wechat = jwx ? json_is_true(jwx) : ch.wechat;
    const char *openid = ch.openid;
    if (sms && !ch.phone[0]) {
        tc_err_set(&c.e, TCE_JOURNEY_NO_PHONE);
        return api_fail(&c);
    }
    if (wechat && jwx) {
        if (!c.app->cfg || !c.app->cfg->wx_subscribe_template) {
            tc_err_set(&c.e, TCE_JOURNEY_WECHAT_UNAVAILABLE);
            return api_fail(&c);
        }
        /* the openid WeChat gave this session (web authorisation), never one
         * the client names */
        if (tc_store_wx_openid_get(c.app->store, r->pool, c.sess.token_hash, &openid, &c.e) != 0)
            return api_fail(&c);
        if (!openid[0]) {
            tc_err_set(&c.e, TCE_JOURNEY_WECHAT_UNAUTHORISED);
            return api_fail(&c);
        }
    }
    if (tc_store_journey_notify(c.app->store, c.sess.student_id, json_is_true(json_object_get(j, "status")),
                                json_is_true(json_object_get(j, "payment")), email, tc_now(), &c.e) != 0 ||
        tc_store_channels_set(c.app->store, c.sess.student_id, sms, wechat, openid, &c.e) != 0)
        return api_fail(&c);
    return api_ok(&c);
}

/* ---- photos: upload (the photo queue is tc_jobs), results ------------------------------------------------ */

static int h_photo_upload(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (!c.app->studio || !c.app->photos) {
        tc_err_set(&c.e, TCE_STUDIO_UNAVAILABLE);
        return api_fail(&c);
    }
    tc_http_part *parts;
    size_t np;
    if (tc_http_form(r, &parts, &np, &c.e) != 0)
        return api_fail(&c);
    const tc_http_part *ph = tc_http_form_get(parts, np, "photo");
    const tc_http_part *src = tc_http_form_get(parts, np, "source");
    const char *source = src ? src->data : "camera";
    if (strcmp(source, "camera") != 0 && strcmp(source, "album") != 0) {
        tc_err_set(&c.e, TCE_JOURNEY_BAD_SOURCE);
        return api_fail(&c);
    }
    if (!ph || !ph->len) {
        tc_err_set(&c.e, TCE_JOURNEY_NO_PHOTO);
        return api_fail(&c);
    }
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    /* The page's "source" is the client's word.  The camera page uploads a
     * canvas JPEG, which has no EXIF: a "camera" file that names a camera,
     * an editor or an old capture time came from somewhere else, and is an
     * album photo (issue 14; stripped EXIF cannot be told apart). */
    int64_t now = tc_now();
    const char *why = NULL;
    if (!strcmp(source, "camera")) {
        tc_photo_meta meta;
        tc_photo_meta_of(ph->data, ph->len, &meta);
        why = tc_journey_capture_evidence(meta.make, meta.model, meta.software, meta.datetime, now);
        if (why)
            source = "album";
    }
    int64_t until = 0;
    if (tc_journey_can_shoot(&j.set, &j.js, source, now, &until, &c.e) != 0) {
        if (why && !strcmp(c.e.code, "journey.album_not_allowed"))
            tc_err_set(&c.e, TCE_JOURNEY_NOT_LIVE_CAPTURE, !strcmp(why, "camera_tags")        ? "其他相机的拍摄信息"
                       : !strcmp(why, "editing_software") ? "修图软件的信息"
                                                          : "较早的拍摄时间",
                       !strcmp(why, "camera_tags")        ? "another camera's tags"
                       : !strcmp(why, "editing_software") ? "an editing program's tag"
                                                          : "an earlier capture time");
        json_t *o = json_pack("{s:{s:s, s:s, s:s, s:I}}", "error", "code", c.e.code, "zh", c.e.zh, "en", c.e.en,
                              "until", (json_int_t)until);
        return tc_http_respond_json(r, c.e.status, o);
    }
    if (why)
        tc_log(TC_LOG_INFO, "student %lld: a \"camera\" upload taken as an album photo (%s)", (long long)j.st.id,
               why);
    /* the quota before the file touches the disk (the transaction below
     * checks it again) */
    int64_t quota = c.app->cfg ? (int64_t)c.app->cfg->student_quota_mb << 20 : 0;
    if (tc_store_photo_quota_check(c.app->store, j.st.id, (int64_t)ph->len, quota, &c.e) != 0)
        return api_fail(&c);
    /* the photo is kept (content-addressed) before anything else happens:
     * bad input loses nothing */
    char blob[TC_BLOB_ID_LEN + 1];
    if (tc_blob_put(c.app->blobs, ph->data, ph->len, blob, &c.e) != 0)
        return api_fail(&c);
    int64_t id;
    if (tc_store_photo_begin_limited(c.app->store, j.st.id, source, blob, (int64_t)ph->len, j.set.draft_capacity,
                                     quota, now, &id, &c.e) != 0) {
        /* refused after all (two uploads at once: busy, or over the quota):
         * the file is nobody's, and must not stay (issue 14) — unless a
         * photo has the same bytes (that photo's upload puts it again if
         * this removal comes between its put and its begin) */
        tc_err ue;
        int used = 1;
        if (tc_store_blob_in_use(c.app->store, blob, &used, &ue) == 0 && !used)
            tc_blob_remove(c.app->blobs, blob, &ue);
        return api_fail(&c);
    }
    /* the sweep may have removed a file with these bytes (a swept photo of
     * the same upload) between the put and the begin; now this photo names
     * it and no sweep removes it, so this put is final */
    if (!tc_blob_exists(c.app->blobs, blob) && tc_blob_put(c.app->blobs, ph->data, ph->len, blob, &c.e) != 0)
        return api_fail(&c);
    if (tc_jobs_photos_push(c.app->photos, id) != 0) {
        tc_err_internal(&c.e, "out of memory queueing a photo");
        return api_fail(&c);
    }
    return tc_http_respond_json(r, 202, json_pack("{s:{s:I, s:s}}", "photo", "id", (json_int_t)id, "state", "processing"));
}

/* A photo of the signed-in student (404 for anyone else's: ids are not
 * secrets, but we do not confirm them either).  The JSON routes name it by
 * id; the image route by its random token (by_token), like every photo URL
 * (issue 14). */
static int own_photo(api_ctx *c, int by_token, tc_store_photo *ph)
{
    int64_t id;
    if (by_token) {
        if (tc_store_photo_by_token(c->app->store, c->r->pool, c->r->params[0], ph, &c->e) != 0)
            return -1;
    } else if (api_parse_id(c->r->params[0], &id) != 0) {
        return tc_err_set(&c->e, TCE_PHOTO_NOT_FOUND);
    } else if (tc_store_photo_get(c->app->store, c->r->pool, id, ph, &c->e) != 0) {
        return -1;
    }
    tc_store_student st;
    if (tc_store_student_get(c->app->store, c->r->pool, ph->student_id, &st, &c->e) != 0)
        return -1;
    if (st.person_id != c->sess.person_id)
        return tc_err_set(&c->e, TCE_PHOTO_NOT_FOUND);
    return 0;
}

static int h_photo_get(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    if (own_photo(&c, 0, &ph) != 0)
        return api_fail(&c);
    tc_store_journey sj;
    if (tc_store_journey_get(c.app->store, r->pool, ph.student_id, &sj, &c.e) != 0)
        return api_fail(&c);
    json_t *failed, *unknown;
    failed_json(ph.checks, &failed, &unknown);
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:I, s:b, s:I, s:I}", "id", (json_int_t)ph.id, "state",
                          ph.state, "source", ph.source, "failed", failed, "unknown", unknown, "cooloff_until",
                          (json_int_t)sj.cooloff_until, "locked_until", (json_int_t)sj.locked_until, "live_locked",
                          sj.live_locked, "created_at", (json_int_t)ph.created_at, "ms", (json_int_t)ph.ms);
    if (ph.proof_blob[0])
        json_object_set_new(o, "proof_url", json_string(tc_pool_printf(r->pool, "/api/v1/me/photos/%s/proof.jpg", ph.token)));
    /* what happens next, in the seeds' words */
    tc_err why;
    if (sj.live_locked && tc_journey_refusal("journey.live_locked", 0, sj.drafts, &why) != 0)
        json_object_set_new(o, "lock", api_err_json(&why));
    else if (sj.locked_until > tc_now() && tc_journey_refusal("journey.locked", sj.locked_until, sj.drafts, &why) != 0)
        json_object_set_new(o, "lock", api_err_json(&why));
    return tc_http_respond_json(r, 200, o);
}

static int h_photo_proof(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    if (own_photo(&c, 1, &ph) != 0)
        return api_fail(&c);
    return api_send_blob(&c, ph.proof_blob, "image/jpeg", NULL);
}

static int h_photo_delete(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    if (own_photo(&c, 0, &ph) != 0)
        return api_fail(&c);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    int64_t at;
    if (tc_store_photo_delete(c.app->store, ph.student_id, ph.id, (int64_t)j.set.draft_delete_after_h * 3600,
                              tc_now(), &at, &c.e) != 0) {
        json_t *o = json_pack("{s:{s:s, s:s, s:s, s:I}}", "error", "code", c.e.code, "zh", c.e.zh, "en", c.e.en,
                              "deletable_at", (json_int_t)at);
        return tc_http_respond_json(r, c.e.status, o);
    }
    return api_ok(&c);
}

/* ---- submission, withdraw, payment ---------------------------------------------------------------------- */

static int h_submit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    json_t *pid = json_object_get(body, "photo_id");
    if (!json_is_integer(pid)) {
        tc_err_set(&c.e, TCE_JOURNEY_NO_PHOTO_2);
        return api_fail(&c);
    }
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    /* the photo goes to 学信网 with the student's 采集码: a record whose
     * roster had none binds it before 确认上传 (POST /api/v1/me/chsi) */
    if (!api_has_chsi(&j.st)) {
        tc_err_set(&c.e, TCE_JOURNEY_CHSI_UNBOUND);
        return api_fail(&c);
    }
    int pay_first = api_must_pay(&j.set) && !j.js.paid;
    int64_t sid;
    if (tc_store_submission_create(c.app->store, j.st.id, json_integer_value(pid), pay_first, tc_now(), &sid, &c.e) !=
        0)
        return api_fail(&c);
    tc_store_submission s;
    if (tc_store_submission_get(c.app->store, r->pool, sid, &s, &c.e) != 0)
        return api_fail(&c);
    api_publish(c.app, c.sess.person_id, "submission", json_pack("{s:s}", "state", s.state));
    return tc_http_respond_json(r, 200,
                                json_pack("{s:o, s:s}", "submission", api_sub_json(r->pool, &s), "next",
                                          pay_first ? "pay" : "waiting"));
}

static int h_withdraw(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (tc_store_submission_withdraw(c.app->store, c.sess.student_id, tc_now(), &c.e) != 0)
        return api_fail(&c);
    api_publish(c.app, c.sess.person_id, "submission", json_pack("{s:s}", "state", "withdrawn"));
    return api_ok(&c);
}

/* ---- messages and live updates --------------------------------------------------------------------------------- */

static int h_messages(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_message *m;
    size_t n;
    int64_t unread;
    if (tc_store_message_list(c.app->store, r->pool, c.sess.person_id, 100, &m, &n, &unread, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I}", "id", (json_int_t)m[i].id,
                                           "at", (json_int_t)m[i].at, "kind", m[i].kind, "title_zh", m[i].title_zh,
                                           "title_en", m[i].title_en, "body_zh", m[i].body_zh, "body_en",
                                           m[i].body_en, "read", m[i].read_at != 0, "student_id",
                                           (json_int_t)m[i].student_id));
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:I}", "messages", a, "unread", (json_int_t)unread));
}

static int h_message_read(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (tc_store_message_read(c.app->store, c.sess.person_id, c.id, tc_now(), &c.e) != 0)
        return api_fail(&c);
    return api_ok(&c);
}

typedef struct sse {
    tc_api_app *app;
    int64_t person_id;
    uint64_t from;
    char buf[512];
    size_t len, off;
    int64_t last_ms;
} sse;

static long sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse *s = cls;
    if (s->off == s->len) {
        tc_event ev;
        s->off = s->len = 0;
        if (tc_event_hub_next(&s->app->hub, s->person_id, &s->from, &ev)) {
            int n = snprintf(s->buf, sizeof s->buf, "event: %s\ndata: %s\n\n", ev.type, ev.data);
            s->len = n > 0 && (size_t)n < sizeof s->buf ? (size_t)n : 0;
        } else if (tc_now_ms() - s->last_ms > 15000) {
            /* a comment line keeps proxies from closing an idle stream */
            s->len = (size_t)snprintf(s->buf, sizeof s->buf, ": ping\n\n");
        }
        if (!s->len)
            return -2;
        s->last_ms = tc_now_ms();
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(out, s->buf + s->off, n);
    s->off += n;
    return (long)n;
}

static int h_events(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    sse *s = calloc(1, sizeof *s);
    if (!s) {
        tc_err_internal(&c.e, "out of memory");
        return api_fail(&c);
    }
    s->app = c.app;
    s->person_id = c.sess.person_id;
    s->from = tc_event_hub_now(&c.app->hub);
    s->len = (size_t)snprintf(s->buf, sizeof s->buf, "retry: 3000\n\n");
    s->last_ms = tc_now_ms();
    tc_http_add_header(r, "Cache-Control", "no-cache");
    tc_http_add_header(r, "X-Accel-Buffering", "no");
    return tc_http_respond_stream(r, 200, "text/event-stream", sse_read, s, free);
}

/* ---- the result ------------------------------------------------------------------------------------------------------ */

/* The photo of an approved (or final) submission of the signed-in student. */
static int result_photo_sub(api_ctx *c, tc_store_photo *ph, int *final, tc_store_submission *s)
{
    if (tc_store_submission_current(c->app->store, c->r->pool, c->sess.student_id, s, &c->e) != 0 ||
        (s->state_enum != TC_STORE_SUB_APPROVED && s->state_enum != TC_STORE_SUB_FINAL))
        return tc_err_set(&c->e, TCE_JOURNEY_NO_RESULT);
    *final = s->state_enum == TC_STORE_SUB_FINAL;
    return tc_store_photo_get(c->app->store, c->r->pool, s->photo_id, ph, &c->e);
}

static int result_photo(api_ctx *c, tc_store_photo *ph, int *final)
{
    tc_store_submission s;
    return result_photo_sub(c, ph, final, &s);
}

/* The 成片's state as the student's page reads it: producing (approved, or a
 * correction being made), ready (请核对成片), confirmed. */
static const char *final_word(const tc_store_submission *s)
{
    if (s->state_enum != TC_STORE_SUB_FINAL)
        return "producing";
    switch (s->final_state_enum) {
    case TC_STORE_FINAL_READY:
        return "ready";
    case TC_STORE_FINAL_CORRECTION:
        return "correction";
    case TC_STORE_FINAL_CONFIRMED:
    default: /* made before the 校对 existed (schema 13 counts it confirmed) */
        return "confirmed";
    }
}

static int h_result(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    tc_store_submission s;
    int final = 0; /* set by result_photo on success; -O3 cannot see that */
    if (result_photo_sub(&c, &ph, &final, &s) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:b, s:s, s:s, s:s, s:s}", "final", final, "final_state", final_word(&s),
                                          "correction_reason", s.final_reason, "standard_url",
                                          "/api/v1/me/result/standard.jpg", "sheet_url", "/api/v1/me/result/sheet.jpg"));
}

/* The student's 校对 of the 成片: POST /me/result/confirm (no body), or
 * /me/result/correction {"reason": text, 1..FINAL_REASON_MAX characters}. */
enum { FINAL_REASON_MAX = 200 };

static int h_result_confirm(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (tc_store_final_confirm(c.app->store, c.sess.student_id, tc_now(), &c.e) != 0)
        return api_fail(&c);
    api_publish(c.app, c.sess.person_id, "submission", json_pack("{s:s}", "final_state", "confirmed"));
    return tc_http_respond_json(r, 200, json_pack("{s:s}", "final_state", "confirmed"));
}

static int h_result_correction(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *reason = api_jstr(body, "reason");
    size_t n = reason ? strlen(reason) : 0;
    while (n && (reason[n - 1] == ' ' || reason[n - 1] == '\n' || reason[n - 1] == '\t'))
        n--; /* only blanks is no reason */
    if (!reason || !n)
        tc_err_set(&c.e, TCE_FINAL_REASON_REQUIRED);
    else if (strlen(reason) > FINAL_REASON_MAX * 4 || !tc_utf8_valid(reason, strlen(reason)) ||
             tc_utf8_len(reason) > FINAL_REASON_MAX)
        tc_err_set(&c.e, TCE_FINAL_REASON_TOO_LONG, (int)FINAL_REASON_MAX);
    else if (tc_store_final_correct(c.app->store, c.sess.student_id, reason, tc_now(), &c.e) == 0) {
        api_publish(c.app, c.sess.person_id, "submission", json_pack("{s:s}", "final_state", "correction"));
        return tc_http_respond_json(r, 200, json_pack("{s:s}", "final_state", "correction"));
    }
    return api_fail(&c);
}

static int h_result_standard(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    int final = 0; /* set by result_photo on success; -O3 cannot see that */
    if (result_photo(&c, &ph, &final) != 0)
        return api_fail(&c);
    /* 样片 until production is final (seed 001 §14), then the clean 成片 */
    /* the same address serves the 样片, then the 成片: always revalidate */
    return api_send_blob_cc(&c, final ? (ph.final_blob[0] ? ph.final_blob : ph.standard_blob) : ph.proof_blob,
                        "image/jpeg", final ? "standard.jpg" : "proof.jpg", "private, no-cache");
}

/* ---- the student's own e-mail address (issue 14) ---------------------------------------------------------------- */

enum { EMAIL_CODE_TTL_S = 30 * 60, EMAIL_CODE_TRIES = 5 };

static int emails_per_day(const tc_api_app *app)
{
    return app->cfg ? app->cfg->student_emails_per_day : 5;
}

/* The code's keyed hash (hex), bound to the student: a code is worth
 * nothing for another record, and the database alone does not give it. */
static void email_code_hash(const tc_api_app *app, int64_t student_id, const char *code, char out[65])
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "email-code:%lld:%s", (long long)student_id, code);
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)msg, (unsigned long long)n, app->keys.mac,
                       sizeof app->keys.mac);
    tc_hex(h, sizeof h, out);
}

/* POST /api/v1/me/email/code {"email"}: a 6-digit code goes to the address
 * (through the outbox); the address becomes the student's once the code
 * comes back.  Counts towards the student's e-mails of the day. */
static int h_email_code(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *to = api_jstr(body, "email");
    if (!to || !*to || !email_ok(to)) {
        tc_err_set(&c.e, TCE_JOURNEY_BAD_EMAIL);
        return api_fail(&c);
    }
    int64_t now = tc_now();
    if (tc_store_student_mail(c.app->store, c.sess.student_id, "code", tc_journey_day_start(now), emails_per_day(c.app),
                              now, &c.e) != 0)
        return api_fail(&c);
    char code[8], hash[65];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    email_code_hash(c.app, c.sess.student_id, code, hash);
    if (tc_store_email_code_set(c.app->store, c.sess.student_id, to, hash, now + EMAIL_CODE_TTL_S, &c.e) != 0)
        return api_fail(&c);
    char *text = tc_pool_printf(r->pool,
                                "您的邮箱验证码是 %s，30 分钟内有效。如果不是您本人操作，请忽略本邮件。\n"
                                "Your e-mail confirmation code is %s; it is valid for 30 minutes. If you did not "
                                "ask for it, ignore this e-mail.\n",
                                code, code);
    tc_store_outbox_msg m = {.channel = "email",
                       .recipient = to,
                       .subject = "邮箱验证码 / Your confirmation code",
                       .body = text};
    int64_t id;
    if (tc_store_outbox_add(c.app->store, &m, now, &id, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 202, json_pack("{s:b, s:s, s:I}", "sent", 1, "email", to, "expires_at",
                                                  (json_int_t)(now + EMAIL_CODE_TTL_S)));
}

/* POST /api/v1/me/email/confirm {"code"}: the address the code went to is
 * now the student's confirmed address (and their notification address). */
static int h_email_confirm(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *code = api_jstr(body, "code");
    if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
        tc_err_set(&c.e, TCE_JOURNEY_EMAIL_CODE_WRONG);
        return api_fail(&c);
    }
    char hash[65];
    email_code_hash(c.app, c.sess.student_id, code, hash);
    if (tc_store_email_confirm(c.app->store, c.sess.student_id, hash, EMAIL_CODE_TRIES, tc_now(), &c.e) != 0)
        return api_fail(&c);
    tc_store_journey sj;
    if (tc_store_journey_get(c.app->store, r->pool, c.sess.student_id, &sj, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:b, s:s}", "ok", 1, "email_confirmed", sj.email_confirmed));
}

/* POST /api/v1/me/result/email {} (or {"email"} naming the confirmed
 * address): the photo goes out through the outbox (sent by the notify
 * worker with retries; nothing is sent from the request), only to the
 * address the student confirmed, a few a day (issue 14: a photo of a
 * person is not sent to any address anyone types). */
static int h_result_email(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *asked = api_jstr(body, "email");
    tc_store_journey sj;
    if (tc_store_journey_get(c.app->store, r->pool, c.sess.student_id, &sj, &c.e) != 0)
        return api_fail(&c);
    const char *to = sj.email_confirmed;
    if (!to || !*to || (asked && *asked && strcasecmp(asked, to) != 0)) {
        tc_err_set(&c.e, TCE_JOURNEY_EMAIL_UNCONFIRMED);
        return api_fail(&c);
    }
    tc_store_photo ph;
    int final;
    if (result_photo(&c, &ph, &final) != 0)
        return api_fail(&c);
    int64_t now = tc_now();
    if (tc_store_student_mail(c.app->store, c.sess.student_id, "result", tc_journey_day_start(now),
                              emails_per_day(c.app), now, &c.e) != 0)
        return api_fail(&c);
    const char *blob = final ? (ph.final_blob[0] ? ph.final_blob : ph.standard_blob) : ph.proof_blob;
    tc_store_outbox_msg m = {.channel = "email",
                       .recipient = to,
                       .subject = final ? "您的标准照 / Your standard photo" : "您的照片（样片）/ Your photo (proof)",
                       .body = final ? "附件是您的标准照（成片）。\nYour standard photo is attached.\n"
                                     : "附件是您的照片样片，制作完成后可下载成片。\n"
                                       "Your photo proof is attached; the final photo follows production.\n",
                       .attachment = blob,
                       .attachment_name = final ? "photo.jpg" : "proof.jpg"};
    int64_t id;
    if (tc_store_outbox_add(c.app->store, &m, tc_now(), &id, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 202, json_pack("{s:b, s:s}", "queued", 1, "email", to));
}

static int h_result_sheet(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_photo ph;
    int final;
    if (result_photo(&c, &ph, &final) != 0)
        return api_fail(&c);
    const char *blob = final ? (ph.final_blob[0] ? ph.final_blob : ph.standard_blob) : ph.proof_blob;
    char *jpeg = NULL;
    size_t len = 0;
    if (tc_blob_get(c.app->blobs, blob, (size_t)16 << 20, &jpeg, &len, &c.e) != 0)
        return api_fail(&c);
    tc_store_student st;
    tc_store_batch b;
    tc_store_school sc;
    const char *notice;
    tc_journey_settings set;
    tc_spec_table own = {0};
    tc_sheet_paper paper;
    tc_sheet_layout lay = {0};
    uint8_t *out = NULL;
    size_t outlen = 0;
    int rc = -1;
    const tc_spec *spec;
    if (tc_store_student_get(c.app->store, r->pool, c.sess.student_id, &st, &c.e) != 0 ||
        api_load_settings(c.app, r->pool, &st, &b, &sc, &notice, &set, &c.e) != 0)
        goto out;
    /* the spec the photo was made to, whatever the batch or the platform
     * has changed since (the batch's spec only for photos made before that
     * was kept) */
    spec = api_photo_spec(c.app, &own, &ph, set.spec, &c.e);
    const char *paper_name = tc_http_query(r, "paper");
    if (!spec) {
        char why[sizeof c.e.code];
        snprintf(why, sizeof why, "%s", c.e.code);
        tc_err_internal(&c.e, "photo %lld: no spec to print it (%s)", (long long)ph.id, why); /* not the student's doing */
        goto out;
    }
    if (tc_sheet_paper_find(paper_name ? paper_name : "6inch", &paper, &c.e) != 0)
        goto out;
    tc_sheet_item item = {tc_spec_width_mm(spec), tc_spec_height_mm(spec), 0};
    const uint8_t *photos[1] = {(const uint8_t *)jpeg};
    size_t lens[1] = {len};
    if (tc_sheet_plan(&paper, &item, 1, &lay, &c.e) != 0 ||
        tc_sheet_render(&lay, photos, lens, "jpeg", 1, &out, &outlen, &c.e) != 0)
        goto out;
    tc_http_add_header(r, "Content-Disposition", final ? "attachment; filename=\"sheet.jpg\"" : "inline");
    rc = tc_http_respond(r, 200, "image/jpeg", out, outlen);
out:
    free(out);
    tc_sheet_layout_free(&lay);
    tc_spec_table_free(&own);
    free(jpeg);
    return rc == 0 ? 0 : api_fail(&c);
}

int api_journey_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/me/journey", NEED_STUDENT, h_journey, 0},
        {"GET", "/api/v1/me/spec", NEED_STUDENT, h_spec, 0},
        {"POST", "/api/v1/me/consent", NEED_STUDENT, h_consent, 0},
        {"GET", "/api/v1/me/guide", NEED_STUDENT, h_guide, 0},
        {"POST", "/api/v1/me/notice/read", NEED_STUDENT, h_notice_read, 0},
        {"POST", "/api/v1/me/tips/read", NEED_STUDENT, h_tips_read, 0},
        {"POST", "/api/v1/me/tutorial/done", NEED_STUDENT, h_tutorial_done, 0},
        {"POST", "/api/v1/me/notify", NEED_STUDENT, h_notify, API_JSON},
        {"POST", "/api/v1/me/photos", NEED_STUDENT, h_photo_upload, API_UPLOAD},
        {"GET", "/api/v1/me/photos/:id", NEED_STUDENT, h_photo_get, 0},
        {"GET", "/api/v1/me/photos/:token/proof.jpg", NEED_STUDENT, h_photo_proof, 0},
        {"DELETE", "/api/v1/me/photos/:id", NEED_STUDENT, h_photo_delete, 0},
        {"POST", "/api/v1/me/submission", NEED_STUDENT, h_submit, API_JSON},
        {"POST", "/api/v1/me/submission/withdraw", NEED_STUDENT, h_withdraw, 0},
        {"GET", "/api/v1/me/events", NEED_STUDENT, h_events, 0},
        {"GET", "/api/v1/me/messages", NEED_STUDENT, h_messages, 0},
        {"POST", "/api/v1/me/messages/:id/read", NEED_STUDENT, h_message_read, 0},
        {"GET", "/api/v1/me/result", NEED_STUDENT, h_result, 0},
        {"POST", "/api/v1/me/result/confirm", NEED_STUDENT, h_result_confirm, 0},
        {"POST", "/api/v1/me/result/correction", NEED_STUDENT, h_result_correction, API_JSON},
        {"GET", "/api/v1/me/result/standard.jpg", NEED_STUDENT, h_result_standard, 0},
        {"GET", "/api/v1/me/result/sheet.jpg", NEED_STUDENT, h_result_sheet, 0},
        {"POST", "/api/v1/me/result/email", NEED_STUDENT, h_result_email, API_JSON},
        {"POST", "/api/v1/me/email/code", NEED_STUDENT, h_email_code, API_JSON},
        {"POST", "/api/v1/me/email/confirm", NEED_STUDENT, h_email_confirm, API_JSON},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), up, e);
}
