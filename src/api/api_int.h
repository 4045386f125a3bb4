/*
 * Inside tc_api: the request context, the route table and the helpers
 * that every handler file shares, all defined in tc_api_core.c; the area
 * files (tc_api.c: entry, staff, schools, the roster import; tc_api_journey.c:
 * the student's journey; tc_api_money.c with tc_api_wechat.c, which gives it
 * api_wx_payer: payment, orders, reprints; tc_api_review.c: the reviewer;
 * tc_api_school.c: the school console and the batches; tc_api_admin.c: the
 * platform admin; tc_api_notify.c: reminders and the school's contact) each
 * define only their api_*_routes and use only this header, never another
 * area's helpers.
 * Not part of the module's interface.
 */
#ifndef TC_API_INT_H
#define TC_API_INT_H

#include <jansson.h>

#include "tc_api.h"
#include "../spec/tc_spec.h"

/* The session and CSRF cookies. */
#define SID_COOKIE "tc_sid"
#define CSRF_COOKIE "tc_csrf"

enum {
    NEED_NONE = 0,
    NEED_STAFF = 1,        /* any staff member (password changed)            */
    NEED_STAFF_ANY = 2,    /* staff, even before the forced password change  */
    NEED_PLATFORM = 4,     /* platform admin                                 */
    NEED_SCHOOL_STAFF = 8, /* platform admin or school admin                 */
    NEED_STUDENT = 16,     /* a verified student (person)                    */
    NEED_ENTRY = 32,       /* in the middle of entry (verified code)         */
    NEED_REVIEW = 64,      /* platform admin or reviewer                     */
};

typedef struct api_ctx {
    tc_api_app *app;
    tc_http_req *r;
    int has_session;
    tc_store_session sess;
    tc_store_staff staff;
    tc_err e;
    /* The route's :id (api_route), parsed by the dispatcher; 0 when its path
     * has none. */
    int64_t id;
    /* The object a school-scoped route names (api_route): its batch or
     * student (zeroed when the route names none) and the school it belongs
     * to, loaded and checked against the staff member's school by the
     * dispatcher before the handler runs. */
    tc_store_batch batch;
    tc_store_student student;
    int64_t school_id;
    /* The body of an API_JSON route (api_route), parsed by the dispatcher
     * (tc_http_json: released by the server after the response); NULL on
     * other routes. */
    json_t *body;
} api_ctx;

/* The request's context, which the dispatcher made (session loaded, CSRF
 * and the route's role checked: api_route.need; the object of a
 * school-scoped route loaded) before it called the handler; a copy, the
 * handler's own.  Only in handlers of routes with a need (not API_PUBLIC). */
api_ctx api_ctx_of(tc_http_req *r);
/* Respond with c->e; returns 0 (the handler has responded). */
int api_fail(api_ctx *c);
/* Answer 200 {"ok": true}. */
int api_ok(api_ctx *c);
/* May this staff member see this school's data?  0 with c->e set if not. */
int api_staff_school_ok(api_ctx *c, int64_t school_id);
int api_parse_id(const char *s, int64_t *out);
int api_bad_id(api_ctx *c);
/* The query parameter k as a number in [lo, hi] (*out = dflt when absent
 * or empty); -1 with e set (400 query.bad_number naming k) otherwise. */
int api_query_int(tc_http_req *r, const char *k, int64_t dflt, int64_t lo, int64_t hi, int64_t *out, tc_err *e);
const char *api_jstr(json_t *o, const char *k);
json_t *api_student_json(api_ctx *c, const tc_store_student *st);
/* A batch as the console reads it (new reference). */
json_t *api_batch_json(const tc_store_batch *b);
/* The record has its 采集码 (from the roster or bound by the student). */
int api_has_chsi(const tc_store_student *st);

/* ---- shared by the journey, money, review and school handlers ---- */

/* A student's journey as one snapshot: the record, its batch and school, the
 * merged settings (defaults < school < batch), the journey columns, the state
 * tc_journey judges, and the live submission if any. */
typedef struct api_jctx {
    tc_store_student st;
    tc_store_batch batch;
    tc_store_school school;
    const char *notice;
    tc_journey_settings set;
    tc_store_journey sj;
    tc_journey_state js;
    tc_store_submission sub;
    int has_sub;
} api_jctx;

/* Settings of a student's batch: defaults, then the school's, then the
 * batch's own (with the batch, the school and its notice). */
int api_load_settings(tc_api_app *app, tc_pool *p, const tc_store_student *st, tc_store_batch *b, tc_store_school *sc,
                      const char **notice, tc_journey_settings *set, tc_err *e);
/* Load the snapshot of the session's student; -1 with c->e set. */
int api_journey_load(api_ctx *c, api_jctx *j);
/* The versions of the 服务协议 and the 隐私政策 students must have accepted
 * (--terms-version, --privacy-version; 1 without a configuration). */
void api_consent_versions(const tc_api_app *app, int *terms, int *privacy);
/* Does this batch charge the student at all? */
int api_must_pay(const tc_journey_settings *s);
/* {code, zh, en} of an error (new reference). */
json_t *api_err_json(const tc_err *e);
/* The reviewer's reasons as stored ([{code,zh,en}]); always an array (new reference). */
json_t *api_reasons_json(const char *reasons);
/* A submission as the student sees it (new reference). */
json_t *api_sub_json(tc_pool *p, const tc_store_submission *s);
/* Push an event to the person's open apps (SSE); steals data. */
void api_publish(tc_api_app *app, int64_t person_id, const char *type, json_t *data);
/* A message-centre entry (and its live event), and the same by each
 * channel the student chose (api_deliver); failures are logged, never
 * fatal.  Returns how many outside messages were queued. */
int api_message(tc_api_app *app, int64_t person_id, int64_t student_id, const char *kind, const char *tz,
                const char *te, const char *bz, const char *be);

/* ---- every status reaches the student ---- */

/* Queue the message for each channel the student chose for this kind
 * ("payment": the payment choice; any other kind: the photo-status choice):
 * e-mail to the confirmed address, SMS to the roster phone, a WeChat
 * subscribe message to the openid, each in the outbox under the daily limit
 * per channel (--student-messages-per-day).  Returns how many were queued. */
int api_deliver(tc_api_app *app, int64_t student_id, const char *kind, const char *tz, const char *te, const char *bz,
                const char *be);
/* The school's contact {phone, wechat, hours} from its stored JSON text
 * (missing keys as ""; new reference). */
json_t *api_contact_json(const char *json);
/* Answer {reasons: [...]} from the reason catalogue (tc_api_admin.c): all
 * reasons with every field when `all` (the admin page), else the active
 * ones as {code, zh, en} (the review page). */
int api_reasons_answer(api_ctx *c, int all);
/* GET/PUT /api/v1/schools/:id/contact. */
int api_notify_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* Several 学历 (tc_api_records.c): the records the signed-in person may see
 * (tc_store_person_records: same keyed ID hash; linked to the person, or of
 * its school and linked to nobody), newest first, into a pool array; -1 with
 * c->e set. */
int api_records_list(api_ctx *c, tc_store_student **rows, size_t *n);
/* 1 when the record is one api_records_list gives (0 also on a store error;
 * c->e is left as it was). */
int api_record_visible(api_ctx *c, int64_t student_id);
/* The records api_records_list gives as a JSON array of api_student_json
 * objects, each with its switch fields (current, switchable, blocked) when
 * `switchable` (new reference); NULL with c->e set. */
json_t *api_records_json(api_ctx *c, int switchable);
/* Would the entry let this roster row in at now, before the last four are
 * asked (tc_api.c; the entry and the records' switch): the batch not
 * cancelled and inside its window, the row not locked by wrong last fours.
 * 0 open; 1 refused, why set to the entry's own answer; -1 an error, why
 * set. */
int api_record_open(api_ctx *c, const tc_store_student *st, int64_t now, tc_err *why);
/* GET /api/v1/me/records, POST /api/v1/me/records/:id/switch. */
int api_records_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* Respond with a blob's bytes (404 photo.no_image when there is none). */
int api_send_blob(api_ctx *c, const char *id, const char *type, const char *name);
int api_send_blob_cc(api_ctx *c, const char *id, const char *type, const char *name, const char *cache);
/* One line of the staff audit log about "kind:id". */
void api_audit(api_ctx *c, const char *action, const char *kind, int64_t id, const char *before, const char *after);

/* ---- photo specs ---- */

/* The spec called name: the studio's table (built-in and a --specs file),
 * then a platform admin's custom spec, loaded into own (the caller frees it
 * with tc_spec_table_free; a later call with the same own may move what an
 * earlier one returned).  NULL with e set when there is none: spec.not_found
 * (400, naming it: said to whoever chose the name) or a store error. */
const tc_spec *api_spec_find(tc_api_app *app, tc_spec_table *own, const char *name, tc_err *e);
/* The spec a photo was made to: the definition stored with it when it was
 * made (photo.spec), so that a later edit or delete of a custom spec, or a
 * batch choosing another one, changes nothing about its sheets; for photos
 * made before that was kept, the spec called fallback now.  own is emptied
 * and refilled.  NULL with e set (as api_spec_find, or 500 for a stored
 * definition that does not load). */
const tc_spec *api_photo_spec(tc_api_app *app, tc_spec_table *own, const tc_store_photo *ph, const char *fallback,
                              tc_err *e);

/* One row of an area's route table: the authorisation matrix is these rows
 * (tests/http/authz.test.mjs reads them from the source).  need: the NEED_*
 * the dispatcher checks (session, CSRF on state-changing methods, role)
 * before it calls the handler, which then takes the context with
 * api_ctx_of; a refused request gets the check's error and never reaches
 * the handler.  API_PUBLIC: no check at all, the handler checks what it
 * must (health, pages, the CSRF cookie, the providers' signed callbacks).
 * upload: API_UPLOAD, API_JSON or 0.  An upload route takes a body as
 * large as an upload (else tc_http's default cap), and the same checks run
 * as soon as the headers are in, so that a request without the right
 * session or CSRF token is refused before its body is read (NEED_NONE still
 * checks CSRF).  An API_JSON route's body is parsed as JSON by the
 * dispatcher after its checks (c->body; a bad body gets tc_http_json's
 * error and never reaches the handler).
 * A path's :id, which must be its first parameter, is a positive integer:
 * the dispatcher parses it into c->id and refuses any other with 404
 * http.not_found before the handler runs.
 * A NEED_SCHOOL_STAFF row whose path starts /api/v1/batches/:id,
 * /api/v1/students/:id or /api/v1/schools/:id is school-scoped: the
 * dispatcher loads what :id names into c->batch, c->student or (always)
 * c->school_id and refuses a school not the staff member's before the
 * handler runs (404 http.not_found for a bad id, the store's not_found, 403
 * auth.other_school). */
typedef struct api_route {
    const char *m, *p;
    int need;
    tc_http_handler h;
    int upload;
} api_route;
#define API_PUBLIC (-1)
#define API_UPLOAD 1
#define API_JSON 2
/* Register n routes; upload_max is the body cap of upload routes. */
int api_routes_add(tc_http_server *s, const api_route *r, size_t n, size_t upload_max, tc_err *e);

/* Add the journey's routes (tc_api_journey.c). */
int api_journey_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* The reviewer's queue, decisions and production (tc_api_review.c). */
int api_review_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* The school console: batches, progress, exports, reminders (tc_api_school.c). */
int api_school_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* The platform admin: schools, staff, reason catalogue, specs, audit log (tc_api_admin.c). */
int api_admin_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* Money: orders, addresses, reprints, print queue, refunds, reconciliation (tc_api_money.c). */
int api_money_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* WeChat web authorisation (tc_api_wechat.c): start and callback; added by
 * api_money_routes. */
int api_wechat_routes(tc_http_server *s, size_t upload_max, tc_err *e);
/* How a student pays: the method the body asked for (NULL = the provider's
 * default; "jsapi" inside WeChat's browser when the wechat provider can
 * authorise) and, for jsapi, the openid WeChat confirmed for this session
 * (never the client's: a body openid that differs is pay.openid_mismatch).
 * -1 with c->e: wechat.oauth_off, wechat.openid_required (409: send the
 * browser through POST /api/v1/wechat/oauth/start first). */
int api_wx_payer(api_ctx *c, const char *method, const char *body_openid, const char **method_out,
                 const char **openid_out);

#endif
