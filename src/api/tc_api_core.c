/* tc_api — the core every area file shares: the request context (session,
 * CSRF and role checks), ids and JSON helpers, the route table, the student
 * snapshot, messages to the student (message centre, live events, outside
 * channels), photo specs and blobs.  The area files (tc_api.c: entry, staff,
 * schools, rosters; tc_api_journey.c; tc_api_money.c with tc_api_wechat.c;
 * tc_api_review.c; tc_api_school.c; tc_api_admin.c; tc_api_notify.c) include
 * api_int.h and use only these, never each other's helpers. */
#include <assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "../spec/tc_spec.h"
#include "../event/tc_event.h"

/* ---- the request context ------------------------------------------------------ */

int api_fail(api_ctx *c)
{
    return tc_http_respond_error(c->r, &c->e);
}

int api_ok(api_ctx *c)
{
    return tc_http_respond_json(c->r, 200, json_pack("{s:b}", "ok", 1));
}

static int is_safe_method(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

/* The dispatcher's checks without the answer: -1 with c->e set.  Uses only
 * the method, headers and cookies, so it also runs at the header stage as
 * the gate of upload routes (api_gate). */
static int api_check(tc_http_req *r, api_ctx *c, int need)
{
    memset(c, 0, sizeof *c);
    c->app = r->app;
    c->r = r;
    const char *sid = tc_http_cookie(r, SID_COOKIE);
    if (sid && strlen(sid) == TC_IDENT_TOKEN_LEN) {
        char h[65];
        tc_ident_token_hash(sid, h);
        tc_err e2 = {0};
        if (tc_store_session_get(c->app->store, r->pool, h, tc_now(), &c->sess, &e2) == 0)
            c->has_session = 1;
        else if (e2.status >= 500) {
            /* the database failed (store.busy, store.unavailable during a
             * failover): say so, never "sign in again" to a person whose
             * session is intact */
            c->e = e2;
            return -1;
        }
    }
    /* CSRF: every state-changing request carries X-CSRF-Token equal to the
     * tc_csrf cookie (double submit: another site can make the browser send
     * the cookie but cannot read it to copy it into a header), and once
     * signed in, equal to the token bound to the session. */
    if (!is_safe_method(r->method)) {
        const char *hdr = tc_http_header(r, "X-CSRF-Token");
        const char *ck = tc_http_cookie(r, CSRF_COOKIE);
        int ok = hdr && ck && strlen(hdr) == strlen(ck) && strlen(hdr) >= 20 && tc_ct_equal(hdr, ck, strlen(hdr));
        if (ok && c->has_session)
            ok = strlen(c->sess.csrf) == strlen(hdr) && tc_ct_equal(c->sess.csrf, hdr, strlen(hdr));
        if (!ok) {
            tc_err_set(&c->e, TCE_AUTH_CSRF);
            return -1;
        }
    }
    if (need & (NEED_STAFF | NEED_STAFF_ANY | NEED_PLATFORM | NEED_SCHOOL_STAFF | NEED_REVIEW)) {
        if (!c->has_session || strcmp(c->sess.kind, "staff") != 0 ||
            tc_store_staff_get(c->app->store, r->pool, c->sess.staff_id, &c->staff, &c->e) != 0 || c->staff.disabled) {
            if (c->e.status >= 500)
                return -1;
            tc_err_set(&c->e, TCE_AUTH_STAFF_REQUIRED);
            return -1;
        }
        if (!(need & NEED_STAFF_ANY) && c->staff.must_change_password) {
            tc_err_set(&c->e, TCE_AUTH_PASSWORD_CHANGE_REQUIRED);
            return -1;
        }
        int role_ok = 1;
        if (need & NEED_PLATFORM)
            role_ok = !strcmp(c->staff.role, "platform_admin");
        else if (need & NEED_SCHOOL_STAFF)
            role_ok = !strcmp(c->staff.role, "platform_admin") || !strcmp(c->staff.role, "school_admin");
        else if (need & NEED_REVIEW)
            role_ok = !strcmp(c->staff.role, "platform_admin") || !strcmp(c->staff.role, "reviewer");
        if (!role_ok) {
            tc_err_set(&c->e, TCE_AUTH_FORBIDDEN);
            return -1;
        }
    }
    if (need & NEED_STUDENT) {
        if (!c->has_session || strcmp(c->sess.kind, "student") != 0) {
            tc_err_set(&c->e, TCE_AUTH_STUDENT_REQUIRED);
            return -1;
        }
    }
    if (need & NEED_ENTRY) {
        if (!c->has_session || strcmp(c->sess.kind, "entry") != 0) {
            tc_err_set(&c->e, TCE_ENTRY_EXPIRED);
            return -1;
        }
    }
    return 0;
}

/* What :id names on a school-scoped route (api_route), by the start of its
 * path. */
enum { SCOPE_NONE, SCOPE_BATCH, SCOPE_STUDENT, SCOPE_SCHOOL };

static int scope_of(const api_route *row)
{
    static const struct {
        const char *prefix;
        int kind;
    } SCOPES[] = {
        {"/api/v1/batches/:id", SCOPE_BATCH},
        {"/api/v1/students/:id", SCOPE_STUDENT},
        {"/api/v1/schools/:id", SCOPE_SCHOOL},
    };
    if (row->need != NEED_SCHOOL_STAFF)
        return SCOPE_NONE;
    for (size_t i = 0; i < TC_ARRAY_LEN(SCOPES); i++) {
        size_t n = strlen(SCOPES[i].prefix);
        if (!strncmp(row->p, SCOPES[i].prefix, n) && (row->p[n] == '\0' || row->p[n] == '/'))
            return SCOPES[i].kind;
    }
    return SCOPE_NONE;
}

/* Where the route's :id parameter starts in its path, or NULL when it has
 * none. */
static const char *id_param(const char *path)
{
    const char *at = strstr(path, "/:id");
    return at && (at[4] == '\0' || at[4] == '/') ? at : NULL;
}

/* Load the object of a school-scoped route into c and check its school;
 * -1 with c->e set. */
static int scope_load(api_ctx *c, int kind)
{
    tc_store_school sc;
    int rc = kind == SCOPE_BATCH     ? tc_store_batch_get(c->app->store, c->r->pool, c->id, &c->batch, &c->e)
             : kind == SCOPE_STUDENT ? tc_store_student_get(c->app->store, c->r->pool, c->id, &c->student, &c->e)
                                     : tc_store_school_get(c->app->store, c->r->pool, c->id, &sc, &c->e);
    if (rc != 0)
        return -1;
    c->school_id = kind == SCOPE_BATCH ? c->batch.school_id : kind == SCOPE_STUDENT ? c->student.school_id : c->id;
    return api_staff_school_ok(c, c->school_id) ? 0 : -1;
}

/* The handler of every route with a need: the checks of its row, its :id,
 * the object of a school-scoped one, the JSON body of an API_JSON one, then
 * its own handler with the context in r->user (api_ctx_of). */
static int api_dispatch(tc_http_req *r)
{
    const api_route *row = r->route_data;
    api_ctx *c = tc_pool_alloc(r->pool, sizeof *c);
    if (api_check(r, c, row->need) != 0)
        return api_fail(c);
    if (id_param(row->p) && api_parse_id(r->params[0], &c->id) != 0)
        return api_bad_id(c);
    int kind = scope_of(row);
    if (kind != SCOPE_NONE && scope_load(c, kind) != 0)
        return api_fail(c);
    if (row->upload == API_JSON && !(c->body = tc_http_json(r, &c->e)))
        return api_fail(c);
    r->user = c;
    return row->h(r);
}

api_ctx api_ctx_of(tc_http_req *r)
{
    /* a handler of an API_PUBLIC row asking for a context: a table error */
    assert(r->user);
    return *(const api_ctx *)r->user;
}

/* tc_http's gate of upload routes: the dispatcher's checks before the body. */
static int api_gate(tc_http_req *r, int need, tc_err *e)
{
    api_ctx c;
    if (api_check(r, &c, need) == 0)
        return 0;
    *e = c.e;
    return -1;
}

/* May this staff member see this school's data? */
int api_staff_school_ok(api_ctx *c, int64_t school_id)
{
    if (!strcmp(c->staff.role, "platform_admin"))
        return 1;
    if (!strcmp(c->staff.role, "school_admin") && c->staff.school_id == school_id)
        return 1;
    tc_err_set(&c->e, TCE_AUTH_OTHER_SCHOOL);
    return 0;
}

int api_parse_id(const char *s, int64_t *out)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int api_bad_id(api_ctx *c)
{
    tc_err_set(&c->e, TCE_HTTP_NOT_FOUND_3);
    return api_fail(c);
}

int api_query_int(tc_http_req *r, const char *k, int64_t dflt, int64_t lo, int64_t hi, int64_t *out, tc_err *e)
{
    const char *v = tc_http_query(r, k);
    *out = dflt;
    if (!v || !*v)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x < lo || x > hi)
        return tc_err_set(e, TCE_QUERY_BAD_NUMBER, k);
    *out = x;
    return 0;
}

const char *api_jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int api_has_chsi(const tc_store_student *st)
{
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= st->chsi_hash[i];
    return any != 0;
}

/* What the information-check page shows: masked name, student number, school. */
json_t *api_student_json(api_ctx *c, const tc_store_student *st)
{
    char name[256], idm[32] = "";
    tc_ident_name_mask(st->name, name, sizeof name);
    char *id = NULL;
    /* an erased row holds a placeholder, not an ID number, to mask */
    if (!st->erased_at && tc_ident_open(&c->app->keys, st->id_sealed, st->id_sealed_len, &id, NULL) == 0) {
        tc_ident_idnum_mask(id, idm);
        sodium_memzero(id, strlen(id));
        free(id);
    }
    tc_store_school sc = {0};
    tc_store_batch b = {0};
    tc_store_school_get(c->app->store, c->r->pool, st->school_id, &sc, NULL);
    tc_store_batch_get(c->app->store, c->r->pool, st->batch_id, &b, NULL);
    /* Every caller may see the full name: the student who proved this record
     * (信息核对 shows it in full, so a wrong record is noticed), or staff of its
     * school.  Pages shown where others may look use name_masked. */
    /* chsi_bound: the record has its 采集码 (from the roster or bound by the
     * student); the code itself is never sent */
    /* erased_at: the school erased the personal data on request (issue 19) */
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:I}", "id",
                     (json_int_t)st->id, "name", st->name, "name_masked", name, "student_no", st->student_no,
                     "id_masked", idm, "school", sc.name ? sc.name : "", "batch", b.name ? b.name : "", "level",
                     st->level, "programme", st->programme, "department", st->department, "class_name",
                     st->class_name, "batch_id", (json_int_t)st->batch_id, "state", st->state, "phone", st->phone,
                     "chsi_bound", api_has_chsi(st), "erased_at", (json_int_t)st->erased_at);
}

/* One line of the staff audit log about a submission or a student. */
void api_audit(api_ctx *c, const char *action, const char *kind, int64_t id, const char *before, const char *after)
{
    char target[40];
    snprintf(target, sizeof target, "%s:%lld", kind, (long long)id);
    tc_store_audit_staff(c->app->store, c->staff.id, action, target, before, after, c->r->client_ip, NULL);
}

int api_routes_add(tc_http_server *s, const api_route *r, size_t n, size_t upload_max, tc_err *e)
{
    for (size_t i = 0; i < n; i++) {
        const api_route *x = &r[i];
        /* the dispatcher reads :id as the first parameter (params[0]) */
        const char *id = id_param(x->p);
        if ((x->upload != 0 && x->upload != API_UPLOAD && x->upload != API_JSON) ||
            (x->need == API_PUBLIC && x->upload) ||
            (id && memchr(x->p, ':', (size_t)(id - x->p))))
            return tc_err_set(e, TCE_API_BAD_ROUTE, x->m, x->p);
        int rc = x->need == API_PUBLIC
                     ? tc_http_route(s, x->m, x->p, x->h, 0, e)
                     : tc_http_route_data(s, x->m, x->p, api_dispatch, x->upload == API_UPLOAD ? upload_max : 0,
                                          x->upload == API_UPLOAD ? api_gate : NULL, x->need, x, e);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- batches ------------------------------------------------------------------------------------- */

json_t *api_batch_json(const tc_store_batch *b)
{
    json_t *settings = json_loads(b->settings, 0, NULL);
    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:o, s:I}", "id", (json_int_t)b->id, "school_id",
                     (json_int_t)b->school_id, "name", b->name, "code", b->code, "starts_at", (json_int_t)b->starts_at,
                     "ends_at", (json_int_t)b->ends_at, "settings", settings ? settings : json_object(), "students",
                     (json_int_t)b->students);
}

/* ---- the student snapshot and messages ------------------------------------------------------ */

int api_must_pay(const tc_journey_settings *s)
{
    return s->pay_when != TC_JOURNEY_PAY_SCHOOL && s->fee_fen > 0;
}

/* Settings of a student's batch: defaults, then the school's, then the
 * batch's own. */
int api_load_settings(tc_api_app *app, tc_pool *p, const tc_store_student *st, tc_store_batch *b, tc_store_school *sc,
                      const char **notice, tc_journey_settings *set, tc_err *e)
{
    const char *school_settings;
    if (tc_store_batch_get(app->store, p, st->batch_id, b, e) != 0 ||
        tc_store_school_get(app->store, p, st->school_id, sc, e) != 0 ||
        tc_store_school_extra(app->store, p, st->school_id, notice, &school_settings, e) != 0)
        return -1;
    tc_journey_settings_default(set);
    if (tc_journey_settings_apply(set, school_settings, e) != 0 || tc_journey_settings_apply(set, b->settings, e) != 0) {
        e->status = 500; /* stored settings are checked when saved; this is a broken row */
        return -1;
    }
    return 0;
}

int api_journey_load(api_ctx *c, api_jctx *j)
{
    memset(j, 0, sizeof *j);
    tc_api_app *app = c->app;
    tc_pool *p = c->r->pool;
    if (tc_store_student_get(app->store, p, c->sess.student_id, &j->st, &c->e) != 0 ||
        api_load_settings(app, p, &j->st, &j->batch, &j->school, &j->notice, &j->set, &c->e) != 0 ||
        tc_store_journey_get(app->store, p, j->st.id, &j->sj, &c->e) != 0)
        return -1;
    tc_err e2;
    j->has_sub = tc_store_submission_current(app->store, p, j->st.id, &j->sub, &e2) == 0;
    tc_journey_state *js = &j->js;
    js->notice_read_at = j->sj.notice_read_at;
    js->tips_read_at = j->sj.tips_read_at;
    js->tutorial_at = j->sj.tutorial_at;
    js->notify_chosen_at = j->sj.notify_chosen_at;
    js->cooloff_until = j->sj.cooloff_until;
    js->locked_until = j->sj.locked_until;
    js->live_locked = j->sj.live_locked;
    js->fails = j->sj.fails;
    js->live_fails = j->sj.live_fails;
    js->paid = j->sj.paid_order != 0 || !api_must_pay(&j->set);
    js->drafts = j->sj.drafts;
    js->processing = j->sj.processing;
    snprintf(js->submission, sizeof js->submission, "%s", j->has_sub ? j->sub.state : "");
    js->starts_at = j->batch.starts_at;
    js->ends_at = j->batch.ends_at;
    js->cancelled_at = j->sj.batch_cancelled_at;
    int tv, pv;
    api_consent_versions(app, &tv, &pv);
    js->consent_ok = j->sj.consent_terms == tv && j->sj.consent_privacy == pv;
    return 0;
}

void api_consent_versions(const tc_api_app *app, int *terms, int *privacy)
{
    *terms = app->cfg && app->cfg->terms_version > 0 ? app->cfg->terms_version : 1;
    *privacy = app->cfg && app->cfg->privacy_version > 0 ? app->cfg->privacy_version : 1;
}

json_t *api_err_json(const tc_err *e)
{
    return json_pack("{s:s, s:s, s:s}", "code", e->code, "zh", e->zh, "en", e->en);
}

json_t *api_reasons_json(const char *reasons)
{
    /* reasons are stored as the reviewer chose them: [{code,zh,en}] */
    json_t *a = json_loads(reasons && *reasons ? reasons : "[]", 0, NULL);
    return json_is_array(a) ? a : (json_decref(a), json_array());
}

json_t *api_sub_json(tc_pool *p, const tc_store_submission *s)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:s, s:s}", "id", (json_int_t)s->id, "photo_id", (json_int_t)s->photo_id,
                     "state", s->state, "reasons", api_reasons_json(s->reasons), "note", s->note, "proof_url",
                     tc_pool_printf(p, "/api/v1/me/photos/%s/proof.jpg", s->photo_token));
}

/* Live events go through the store's notifications (tc_store_notify): on
 * PostgreSQL every node hears them (a photo made by `tucai worker`, a
 * decision taken on another node reaches the student's stream wherever it
 * is open), on SQLite this process.  The payload is "person<TAB>type<TAB>
 * JSON"; the listener below puts it into the hub. */
#define EVENTS_CHANNEL "tucai_events"

void api_publish(tc_api_app *app, int64_t person_id, const char *type, json_t *data)
{
    char *t = json_dumps(data, JSON_COMPACT);
    char payload[64 + TC_EVENT_DATA];
    /* a longer event is stored as {} by the hub anyway */
    snprintf(payload, sizeof payload, "%lld\t%s\t%s", (long long)person_id, type,
             t && strlen(t) < TC_EVENT_DATA ? t : "{}");
    tc_err e = {0};
    if (tc_store_notify(app->store, EVENTS_CHANNEL, payload, &e) != 0) {
        /* the other nodes miss it (their apps refresh on their next look);
         * this node's streams still get it */
        tc_log(TC_LOG_WARN, "live event not sent to the other nodes: %s", e.en);
        tc_event_hub_publish(&app->hub, person_id, type, t ? t : "{}");
    }
    free(t);
    json_decref(data);
}

static void on_event(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    tc_api_app *app = ctx;
    char *end;
    long long person = strtoll(payload, &end, 10);
    if (*end != '\t')
        return;
    const char *type = end + 1, *tab = strchr(type, '\t');
    char tbuf[16];
    if (!tab || (size_t)(tab - type) >= sizeof tbuf)
        return;
    memcpy(tbuf, type, (size_t)(tab - type));
    tbuf[tab - type] = 0;
    tc_event_hub_publish(&app->hub, (int64_t)person, tbuf, tab + 1);
}

int tc_api_events_start(tc_api_app *app, tc_err *e)
{
    return tc_store_listen(app->store, EVENTS_CHANNEL, on_event, app, e);
}

void tc_api_events_stop(tc_api_app *app)
{
    tc_store_unlisten(app->store, app);
}

int api_message(tc_api_app *app, int64_t person_id, int64_t student_id, const char *kind, const char *tz,
                const char *te, const char *bz, const char *be)
{
    tc_store_message m = {.person_id = person_id,
                          .student_id = student_id,
                          .at = tc_now(),
                          .kind = kind,
                          .title_zh = tz,
                          .title_en = te,
                          .body_zh = bz,
                          .body_en = be};
    tc_err e;
    if (tc_store_message_add(app->store, &m, NULL, &e) != 0)
        tc_log(TC_LOG_WARN, "message for person %lld lost: %s", (long long)person_id, e.en);
    api_publish(app, person_id, "message", json_pack("{s:s}", "kind", kind));
    return api_deliver(app, student_id, kind, tz, te, bz, be);
}

/* Kinds the "payment results" choice covers; every other kind is a photo
 * status (check results, locks, review, reset, 成片, shipping, reminders). */
static int is_payment(const char *kind)
{
    return !strcmp(kind, "payment");
}

/* The school's contact as one line ("" when none), e.g.
 * "电话 010-1234 · 微信 tucai · 工作日 9:00–17:00". */
static const char *contact_line(tc_pool *p, const char *json, int zh)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    const char *ph = json_string_value(json_object_get(o, "phone"));
    const char *wx = json_string_value(json_object_get(o, "wechat"));
    const char *hr = json_string_value(json_object_get(o, "hours"));
    tc_buf b;
    tc_buf_init(&b);
    if (ph && *ph)
        tc_buf_printf(&b, "%s%s", zh ? "电话 " : "phone ", ph);
    if (wx && *wx)
        tc_buf_printf(&b, "%s%s%s", b.len ? " · " : "", zh ? "微信 " : "WeChat ", wx);
    if (hr && *hr)
        tc_buf_printf(&b, "%s%s", b.len ? " · " : "", hr);
    const char *out = tc_pool_strdup(p, b.data ? b.data : "");
    tc_buf_free(&b);
    json_decref(o);
    return out;
}

int api_deliver(tc_api_app *app, int64_t student_id, const char *kind, const char *tz, const char *te, const char *bz,
                const char *be)
{
    if (!student_id)
        return 0;
    tc_pool p;
    tc_pool_init(&p);
    tc_store_channels ch;
    tc_err e;
    int queued = 0;
    if (tc_store_channels_get(app->store, &p, student_id, &ch, &e) != 0) {
        tc_log(TC_LOG_WARN, "student %lld: channels: %s", (long long)student_id, e.en);
        goto out;
    }
    if (!(is_payment(kind) ? ch.payment : ch.status))
        goto out;
    tc_store_school sc = {0};
    const char *contact = "{}";
    tc_store_school_get(app->store, &p, ch.school_id, &sc, NULL);
    tc_store_school_contact(app->store, &p, ch.school_id, &contact, NULL);
    const char *school = sc.name ? sc.name : "学校";
    const char *cz = contact_line(&p, contact, 1), *ce = contact_line(&p, contact, 0);
    int64_t now = tc_now();
    int64_t day = tc_journey_day_start(now);
    int limit = app->cfg && app->cfg->student_messages_per_day > 0 ? app->cfg->student_messages_per_day : 20;
    char when[20];
    tc_time_fmt_cn(now, when);
    when[16] = 0; /* "YYYY-MM-DD HH:MM", a template's time field */
    tc_store_outbox_msg m[3];
    int nm = 0;
    if (ch.email[0])
        m[nm++] = (tc_store_outbox_msg){
            .channel = "email",
            .recipient = ch.email,
            .subject = tc_pool_printf(&p, "%s（%s）", tz, school),
            .body = tc_pool_printf(&p, "%s同学：\n\n%s\n\n%s照片采集%s%s\n\n----\n%s\n%s\n%s%s\n", ch.name, bz, school,
                                   *cz ? "\n联系方式：" : "", cz, te, be, *ce ? "Contact: " : "", ce),
        };
    if (ch.sms && ch.phone[0])
        m[nm++] = (tc_store_outbox_msg){.channel = "sms",
                                  .recipient = ch.phone,
                                  .subject = kind,
                                  .body = tc_pool_printf(&p, "【%s】%s：%s", school, tz, bz)};
    if (ch.wechat && ch.openid[0] && app->cfg && app->cfg->wx_subscribe_template) {
        json_t *j = json_pack("{s:s, s:s, s:s}", "title", tz, "text", bz, "time", when);
        char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (t) {
            m[nm++] = (tc_store_outbox_msg){
                .channel = "wechat", .recipient = ch.openid, .subject = kind, .body = tc_pool_strdup(&p, t)};
            free(t);
        }
    }
    for (int i = 0; i < nm; i++) {
        m[i].student_id = student_id;
        int added = 0;
        if (tc_store_outbox_add_capped(app->store, &m[i], day, limit, now, &added, NULL, &e) != 0)
            tc_log(TC_LOG_WARN, "student %lld: %s message not queued: %s", (long long)student_id, m[i].channel, e.en);
        else if (!added)
            tc_log(TC_LOG_WARN, "student %lld: daily message limit (%d) reached, %s %s not sent (the message centre has it)",
                   (long long)student_id, limit, kind, m[i].channel);
        else
            queued++;
    }
out:
    tc_pool_clear(&p);
    return queued;
}

json_t *api_contact_json(const char *json)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    json_t *out = json_pack("{s:s, s:s, s:s}", "phone", "", "wechat", "", "hours", "");
    const char *keys[] = {"phone", "wechat", "hours"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(o, keys[i]));
        if (v)
            json_object_set_new(out, keys[i], json_string(v));
    }
    json_decref(o);
    return out;
}

/* ---- photo specs and blobs ------------------------------------------------------ */

/* The studio's table first (built-in and --specs file), then a custom spec
 * a platform admin added (the spec table, issue 7), loaded into own. */
const tc_spec *api_spec_find(tc_api_app *app, tc_spec_table *own, const char *name, tc_err *e)
{
    const tc_spec *s = app->studio && name ? tc_spec_find(tc_studio_specs(app->studio), name) : NULL;
    if (!s && name) {
        if (!own->v)
            tc_spec_table_builtin(own);
        s = tc_spec_find(own, name);
    }
    if (s)
        return s;
    if (!name || !*name) {
        tc_err_set(e, TCE_SPEC_NOT_FOUND_2);
        return NULL;
    }
    tc_pool p;
    tc_pool_init(&p);
    tc_store_spec cs;
    if (tc_store_spec_get(app->store, &p, name, &cs, e) == 0) {
        /* stored as one spec object; the loader reads a list */
        size_t n = strlen(cs.json) + 3;
        char *list = tc_pool_alloc(&p, n);
        snprintf(list, n, "[%s]", cs.json);
        if (tc_spec_table_load_json(own, list, n - 1, e) == 0 && !(s = tc_spec_find(own, name)))
            tc_err_internal(e, "custom spec %s not loaded", name);
        else if (!s)
            e->status = 500; /* checked when it was saved: a broken row */
    } else if (!strcmp(e->code, "spec.not_found")) {
        /* said to whoever chose the name (a school's or a batch's settings) */
        tc_err_set(e, TCE_SPEC_NOT_FOUND_3, name);
    }
    tc_pool_clear(&p);
    return s;
}

const tc_spec *api_photo_spec(tc_api_app *app, tc_spec_table *own, const tc_store_photo *ph, const char *fallback,
                              tc_err *e)
{
    if (!ph->spec || !ph->spec[0])
        return api_spec_find(app, own, fallback, e);
    /* a table of its own: the stored definition is whole, and must not
     * patch (or be shadowed by) a spec of today's tables with its name */
    tc_spec_table_free(own);
    size_t n = strlen(ph->spec) + 3;
    char *list = malloc(n);
    if (!list) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    snprintf(list, n, "[%s]", ph->spec);
    const tc_spec *s = NULL;
    tc_err le = {0};
    if (tc_spec_table_load_json(own, list, n - 1, &le) == 0 && own->n == 1)
        s = &own->v[0];
    else
        tc_err_internal(e, "photo %lld: stored spec unreadable (%s)", (long long)ph->id, le.code);
    free(list);
    return s;
}

/* A blob held in an object store (no file to send) comes through memory,
 * checked against its id; at most this much. */
enum { API_BLOB_SEND_MAX = 64 << 20 };

static int send_blob_mem(api_ctx *c, const char *id, const char *type, const char *name, const char *cache)
{
    char *data;
    size_t len;
    if (tc_blob_get(c->app->blobs, id, API_BLOB_SEND_MAX, &data, &len, &c->e) != 0) {
        /* the answers the file path gives */
        if (!strcmp(c->e.code, "blob.not_found"))
            tc_err_set(&c->e, TCE_HTTP_NOT_FOUND);
        else if (!strcmp(c->e.code, "blob.bad_id"))
            tc_err_set(&c->e, TCE_PHOTO_NO_IMAGE);
        return api_fail(c);
    }
    tc_http_add_header(c->r, "Cache-Control", cache);
    if (name) /* the callers' names are plain ASCII constants (standard.jpg) */
        tc_http_add_header(c->r, "Content-Disposition",
                           tc_pool_printf(c->r->pool, "attachment; filename=\"%s\"",
                                          strpbrk(name, "\"\\\r\n") ? "file" : name));
    int rc = tc_http_respond(c->r, 200, type, data, len);
    free(data);
    return rc;
}

int api_send_blob_cc(api_ctx *c, const char *id, const char *type, const char *name, const char *cache)
{
    if (id && *id && !tc_blob_is_local(c->app->blobs))
        return send_blob_mem(c, id, type, name, cache);
    char path[4096];
    if (!id || !*id || tc_blob_path(c->app->blobs, id, path, sizeof path) != 0) {
        tc_err_set(&c->e, TCE_PHOTO_NO_IMAGE);
        return api_fail(c);
    }
    tc_http_add_header(c->r, "Cache-Control", cache);
    return tc_http_respond_file(c->r, 200, type, tc_pool_strdup(c->r->pool, path), name);
}

/* A photo's own images never change (content-addressed blobs). */
int api_send_blob(api_ctx *c, const char *id, const char *type, const char *name)
{
    return api_send_blob_cc(c, id, type, name, "private, max-age=3600");
}

/* ---- the services photo jobs ask of api (tc_jobs_services) --------------------------------------------- */

static int svc_settings(void *ctx, tc_pool *p, const tc_store_student *st, tc_store_batch *b, tc_store_school *sc, const char **notice,
                        tc_journey_settings *set, tc_err *e)
{
    return api_load_settings(ctx, p, st, b, sc, notice, set, e);
}

static const tc_spec *svc_spec_find(void *ctx, tc_spec_table *own, const char *name, tc_err *e)
{
    return api_spec_find(ctx, own, name, e);
}

static void svc_publish(void *ctx, int64_t person_id, const char *type, json_t *data)
{
    api_publish(ctx, person_id, type, data);
}

static int svc_message(void *ctx, int64_t person_id, int64_t student_id, const char *kind, const char *tz,
                       const char *te, const char *bz, const char *be)
{
    return api_message(ctx, person_id, student_id, kind, tz, te, bz, be);
}

void tc_api_jobs_services(tc_api_app *app, tc_jobs_services *out)
{
    *out = (tc_jobs_services){.ctx = app,
                              .settings = svc_settings,
                              .spec_find = svc_spec_find,
                              .publish = svc_publish,
                              .message = svc_message};
}
