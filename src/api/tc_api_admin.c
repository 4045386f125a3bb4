/* The platform admin: the reason catalogue, specs, changes to staff accounts
 * and schools, the audit log (issue 7).  Every change is written to the
 * staff audit log with the record before and after. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../photo/tc_photo.h"
#include "api_int.h"
#include "../spec/tc_spec.h"

/* obj as compact JSON text, then released (malloc'ed; caller frees). */
static char *dump(json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return s;
}

/* One audit line on "kind:key" with before/after as JSON objects (stolen). */
static void audit_obj(api_ctx *c, const char *action, const char *kind, const char *key, json_t *before, json_t *after)
{
    char target[128];
    snprintf(target, sizeof target, "%s:%s", kind, key);
    char *b = before ? dump(before) : NULL, *a = after ? dump(after) : NULL;
    tc_store_audit_staff(c->app->store, c->staff.id, action, target, b, a, c->r->client_ip, NULL);
    free(b);
    free(a);
}

/* A code or name: 2..31 of a-z 0-9 _, starting with a letter. */
static int ident_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 31 || !islower((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* A required one-line text of 1..max bytes. */
static int text_ok(const char *s, size_t max)
{
    return s && *s && strlen(s) <= max && !strpbrk(s, "\r\n");
}

/* ---- the reason catalogue ------------------------------------------------------------------------------------ */

static json_t *reason_json(const tc_store_reason *r)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:b, s:I}", "code", r->code, "zh", r->zh, "en", r->en, "sort",
                     (json_int_t)r->sort, "active", r->active, "updated_at", (json_int_t)r->updated_at);
}

int api_reasons_answer(api_ctx *c, int all)
{
    tc_store_reason *rows;
    size_t n;
    if (tc_store_reason_list(c->app->store, c->r->pool, !all, &rows, &n, &c->e) != 0)
        return api_fail(c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, all ? reason_json(&rows[i])
                                     : json_pack("{s:s, s:s, s:s}", "code", rows[i].code, "zh", rows[i].zh, "en",
                                                 rows[i].en));
    return tc_http_respond_json(c->r, 200, json_pack("{s:o}", "reasons", a));
}

static int h_reasons(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return api_reasons_answer(&c, 1);
}

/* zh, en, sort, active of body onto rr (absent keys keep rr's values). */
static int reason_fields(json_t *body, tc_store_reason *rr, tc_err *e)
{
    json_t *v;
    if ((v = json_object_get(body, "zh")))
        rr->zh = json_string_value(v);
    if ((v = json_object_get(body, "en")))
        rr->en = json_string_value(v);
    if ((v = json_object_get(body, "sort"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
            return tc_err_set(e, TCE_REASON_BAD_SORT);
        rr->sort = json_integer_value(v);
    }
    if ((v = json_object_get(body, "active"))) {
        if (!json_is_boolean(v))
            return tc_err_set(e, TCE_REASON_BAD_ACTIVE);
        rr->active = json_is_true(v);
    }
    if (!text_ok(rr->zh, 200) || !text_ok(rr->en, 300))
        return tc_err_set(e, TCE_REASON_BAD_TEXT);
    return 0;
}

static int h_reason_add(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    tc_store_reason rr = {.code = api_jstr(body, "code"), .sort = 1000, .active = 1};
    if (!ident_ok(rr.code)) {
        tc_err_set(&c.e, TCE_REASON_BAD_CODE);
        return api_fail(&c);
    }
    if (reason_fields(body, &rr, &c.e) != 0 || tc_store_reason_add(c.app->store, &rr, tc_now(), &c.e) != 0)
        return api_fail(&c);
    audit_obj(&c, "reason.add", "reason", rr.code, NULL, reason_json(&rr));
    return tc_http_respond_json(r, 201, json_pack("{s:o}", "reason", reason_json(&rr)));
}

/* Edit wording or order, or deactivate (active false): a deactivated reason
 * is no longer offered or accepted, but rejections that used it keep it. */
static int h_reason_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    tc_store_reason old, rr;
    if (!ident_ok(r->params[0])) {
        tc_err_set(&c.e, TCE_REASON_NOT_FOUND);
        return api_fail(&c);
    }
    if (tc_store_reason_get(c.app->store, r->pool, r->params[0], 0, &old, &c.e) != 0) {
        tc_err_set(&c.e, TCE_REASON_NOT_FOUND);
        return api_fail(&c);
    }
    rr = old;
    if (reason_fields(body, &rr, &c.e) != 0 || tc_store_reason_update(c.app->store, &rr, tc_now(), &c.e) != 0)
        return api_fail(&c);
    audit_obj(&c, "reason.edit", "reason", rr.code, reason_json(&old), reason_json(&rr));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "reason", reason_json(&rr)));
}

/* ---- specs ------------------------------------------------------------------------------------------------------ */

/* The spec as the API shows it: the stored JSON with its times. */
static json_t *custom_json(const tc_store_spec *cs)
{
    json_t *o = json_loads(cs->json, 0, NULL);
    if (!o)
        return NULL;
    json_object_set_new(o, "created_at", json_integer(cs->created_at));
    json_object_set_new(o, "updated_at", json_integer(cs->updated_at));
    return o;
}

/* Built-in specs and the custom ones; any staff member may read them (the
 * school console's batch settings choose a spec by name). */
static int h_specs(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_spec_table t = {0};
    tc_spec_table_builtin(&t);
    json_t *b = json_array();
    for (size_t i = 0; i < t.n; i++) {
        char *s = tc_spec_to_json(&t.v[i]);
        json_t *o = s ? json_loads(s, 0, NULL) : NULL;
        free(s);
        if (o)
            json_array_append_new(b, o);
    }
    tc_spec_table_free(&t);
    tc_store_spec *rows;
    size_t n;
    if (tc_store_spec_list(c.app->store, r->pool, &rows, &n, &c.e) != 0) {
        json_decref(b);
        return api_fail(&c);
    }
    json_t *cu = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = custom_json(&rows[i]);
        if (o)
            json_array_append_new(cu, o);
    }
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:o}", "builtin", b, "custom", cu));
}

static int is_builtin_spec(const char *name)
{
    tc_spec_table t = {0};
    tc_spec_table_builtin(&t);
    int found = tc_spec_find(&t, name) != NULL;
    tc_spec_table_free(&t);
    return found;
}

/* The size and Chinese name of a body ({zh, size: "35x49mm@300"} or {zh,
 * width, height, unit: "px"|"mm", dpi}) as a spec named `name`, through the
 * photo module's own parser (tc_spec_parse_custom), so the server accepts
 * exactly the sizes the pipeline can make.  size_text gets the size as
 * typed or built (for the audit log). */
static int spec_of_body(json_t *body, const char *name, tc_spec *s, char size_text[96], tc_err *e)
{
    const char *zh = api_jstr(body, "zh"), *size = api_jstr(body, "size");
    if (zh && (strlen(zh) >= sizeof s->zh || strpbrk(zh, "\r\n")))
        return tc_err_set(e, TCE_SPEC_BAD_ZH);
    if (!size) {
        json_t *w = json_object_get(body, "width"), *h = json_object_get(body, "height"), *d = json_object_get(body, "dpi");
        const char *unit = api_jstr(body, "unit") ? api_jstr(body, "unit") : "px";
        if (!json_is_number(w) || !json_is_number(h) || (d && !json_is_number(d)) ||
            (strcmp(unit, "px") && strcmp(unit, "mm")))
            return tc_err_set(e, TCE_PHOTO_BAD_SPEC);
        snprintf(size_text, 96, "%gx%g%s@%g", json_number_value(w), json_number_value(h), unit,
                 d ? json_number_value(d) : 300.0);
    } else if (strlen(size) > 64) {
        return tc_err_set(e, TCE_PHOTO_BAD_SPEC_2);
    } else {
        snprintf(size_text, 96, "%s", size);
    }
    if (tc_spec_parse_custom(size_text, s, e) != 0)
        return -1;
    snprintf(s->name, sizeof s->name, "%s", name);
    if (zh && *zh)
        snprintf(s->zh, sizeof s->zh, "%s", zh);
    return 0;
}

/* What the audit log keeps of a spec: its name in Chinese and its size. */
static json_t *spec_summary(const char *json)
{
    json_t *o = json_loads(json, 0, NULL), *out = json_object();
    const char *keys[] = {"zh", "width", "height", "dpi"};
    for (size_t i = 0; o && i < TC_ARRAY_LEN(keys); i++)
        if (json_object_get(o, keys[i]))
            json_object_set(out, keys[i], json_object_get(o, keys[i]));
    json_decref(o);
    return out;
}

/* A custom spec: {name, zh, size} or {name, zh, width, height, unit, dpi}
 * (spec_of_body); the stored JSON is that spec under the given name,
 * loadable by tc_spec_table_load_json. */
static int h_spec_add(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *name = api_jstr(body, "name");
    if (!ident_ok(name)) {
        tc_err_set(&c.e, TCE_SPEC_BAD_NAME);
        return api_fail(&c);
    }
    if (is_builtin_spec(name)) {
        tc_err_set(&c.e, TCE_SPEC_NAME_TAKEN, name);
        return api_fail(&c);
    }
    tc_spec s;
    char size[96];
    if (spec_of_body(body, name, &s, size, &c.e) != 0)
        return api_fail(&c);
    char *js = tc_spec_to_json(&s);
    if (!js) {
        tc_err_internal(&c.e, "spec to json");
        return api_fail(&c);
    }
    int rc = tc_store_spec_add(c.app->store, name, js, tc_now(), &c.e);
    json_t *o = rc == 0 ? json_loads(js, 0, NULL) : NULL;
    free(js);
    if (rc != 0)
        return api_fail(&c);
    audit_obj(&c, "spec.add", "spec", name, NULL, json_pack("{s:s, s:s}", "size", size, "zh", s.zh));
    return tc_http_respond_json(r, 201, json_pack("{s:o}", "spec", o ? o : json_object()));
}

/* The custom spec of params[0] for an edit or a delete: a built-in name is
 * refused (403 spec.builtin: the pipeline and every school rely on it), a
 * name that cannot exist is not found. */
static int custom_of_param(api_ctx *c, tc_store_spec *cs)
{
    const char *name = c->r->params[0];
    if (!ident_ok(name))
        return tc_err_set(&c->e, TCE_SPEC_NOT_FOUND);
    if (is_builtin_spec(name))
        return tc_err_set(&c->e, TCE_SPEC_BUILTIN, name);
    return tc_store_spec_get(c->app->store, c->r->pool, name, cs, &c->e);
}

/* PUT: the same body as adding; the name stays (a body naming another spec
 * is refused).  Photos already made keep their pixels; photos made from now
 * on (and their print sheets) use the new size. */
static int h_spec_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    tc_store_spec old;
    if (custom_of_param(&c, &old) != 0)
        return api_fail(&c);
    const char *bname = api_jstr(body, "name");
    if (json_object_get(body, "name") && (!bname || strcmp(bname, old.name))) {
        tc_err_set(&c.e, TCE_SPEC_NAME_FIXED);
        return api_fail(&c);
    }
    tc_spec s;
    char size[96];
    if (spec_of_body(body, old.name, &s, size, &c.e) != 0)
        return api_fail(&c);
    char *js = tc_spec_to_json(&s);
    if (!js) {
        tc_err_internal(&c.e, "spec to json");
        return api_fail(&c);
    }
    int64_t now = tc_now();
    int rc = tc_store_spec_update(c.app->store, old.name, js, now, &c.e);
    tc_store_spec nw = {.name = old.name, .json = js, .created_at = old.created_at, .updated_at = now};
    json_t *o = rc == 0 ? custom_json(&nw) : NULL, *after = rc == 0 ? spec_summary(js) : NULL;
    free(js);
    if (rc != 0)
        return api_fail(&c);
    json_object_set_new(after, "size", json_string(size));
    audit_obj(&c, "spec.edit", "spec", old.name, spec_summary(old.json), after);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "spec", o ? o : json_object()));
}

/* DELETE: refused (409 spec.in_use, with every place in "uses") while a
 * school's defaults or a batch's settings choose the spec. */
static int h_spec_delete(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_spec old;
    if (custom_of_param(&c, &old) != 0)
        return api_fail(&c);
    tc_store_spec_use *u;
    size_t n;
    if (tc_store_spec_delete(c.app->store, r->pool, old.name, &u, &n, &c.e) != 0) {
        if (n == 0)
            return api_fail(&c);
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:I, s:s, s:I, s:s}", "school_id", (json_int_t)u[i].school_id,
                                               "school", u[i].school_name, "batch_id", (json_int_t)u[i].batch_id,
                                               "batch", u[i].batch_name));
        return tc_http_respond_json(r, c.e.status, json_pack("{s:o, s:o}", "error", api_err_json(&c.e), "uses", a));
    }
    audit_obj(&c, "spec.delete", "spec", old.name, spec_summary(old.json), NULL);
    return tc_http_respond_json(r, 200, json_pack("{s:b, s:s}", "deleted", 1, "name", old.name));
}

/* ---- staff accounts and schools ---------------------------------------------------------------------------------- */

static json_t *staff_obj(const tc_store_staff *s)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:b, s:b}", "id", (json_int_t)s->id, "username", s->username, "role",
                     s->role, "school_id", (json_int_t)s->school_id, "must_change_password",
                     s->must_change_password, "disabled", s->disabled);
}

/* Change role, school, disabled ({role?, school_id?, disabled?}).  A
 * platform admin cannot disable or demote their own account (the last
 * admin would lock everyone out).  Disabling ends the account's sessions. */
static int h_staff_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    tc_store_staff old;
    if (tc_store_staff_get(c.app->store, r->pool, c.id, &old, &c.e) != 0)
        return api_fail(&c);
    tc_store_staff nw = old;
    json_t *v;
    if ((v = json_object_get(body, "role")))
        nw.role = json_string_value(v);
    if ((v = json_object_get(body, "school_id")))
        nw.school_id = json_is_integer(v) ? json_integer_value(v) : -1;
    else if (nw.role && strcmp(nw.role, "school_admin") != 0)
        nw.school_id = 0; /* leaving the school role leaves the school */
    if ((v = json_object_get(body, "disabled")))
        nw.disabled = json_is_boolean(v) ? json_is_true(v) : -1;
    if (!nw.role || (strcmp(nw.role, "platform_admin") && strcmp(nw.role, "reviewer") && strcmp(nw.role, "school_admin")) ||
        nw.school_id < 0 || nw.disabled < 0) {
        tc_err_set(&c.e, TCE_STAFF_BAD_REQUEST_2);
        return api_fail(&c);
    }
    if (c.id == c.staff.id && (nw.disabled || strcmp(nw.role, "platform_admin"))) {
        tc_err_set(&c.e, TCE_STAFF_SELF);
        return api_fail(&c);
    }
    if (tc_store_staff_update(c.app->store, c.id, nw.role, nw.school_id, nw.disabled, &c.e) != 0)
        return api_fail(&c);
    if (nw.disabled && !old.disabled)
        tc_store_session_delete_staff(c.app->store, c.id, NULL, NULL);
    const char *action = nw.disabled != old.disabled ? (nw.disabled ? "staff.disable" : "staff.enable") : "staff.edit";
    audit_obj(&c, action, "staff", old.username, staff_obj(&old), staff_obj(&nw));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "staff", staff_obj(&nw)));
}

/* Reset a password: the new one is given by the admin (and told to the
 * person); the account must change it at its next sign-in, and its open
 * sessions end.  The audit log never holds a password. */
static int h_staff_reset_password(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *pw = api_jstr(body, "password");
    tc_store_staff st;
    if (tc_store_staff_get(c.app->store, r->pool, c.id, &st, &c.e) != 0)
        return api_fail(&c);
    if (!pw || strlen(pw) > 256) {
        tc_err_set(&c.e, TCE_STAFF_BAD_REQUEST_3);
        return api_fail(&c);
    }
    char h[TC_IDENT_PWHASH_LEN];
    if (tc_ident_password_policy(pw, &c.e) != 0 || tc_ident_password_hash(pw, h, &c.e) != 0 ||
        tc_store_staff_set_password(c.app->store, c.id, h, 1, &c.e) != 0)
        return api_fail(&c);
    tc_store_session_delete_staff(c.app->store, c.id, c.id == c.staff.id ? c.sess.token_hash : NULL, NULL);
    audit_obj(&c, "staff.password_reset", "staff", st.username,
              json_pack("{s:b}", "must_change_password", st.must_change_password),
              json_pack("{s:b}", "must_change_password", 1));
    st.must_change_password = 1;
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "staff", staff_obj(&st)));
}

static int h_school_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *body = c.body;
    const char *name = api_jstr(body, "name");
    if (!text_ok(name, 200)) {
        tc_err_set(&c.e, TCE_SCHOOL_BAD_NAME);
        return api_fail(&c);
    }
    tc_store_school old;
    if (tc_store_school_get(c.app->store, r->pool, c.id, &old, &c.e) != 0 ||
        tc_store_school_rename(c.app->store, c.id, name, &c.e) != 0)
        return api_fail(&c);
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)c.id);
    audit_obj(&c, "school.rename", "school", key, json_pack("{s:s}", "name", old.name), json_pack("{s:s}", "name", name));
    return tc_http_respond_json(r, 200, json_pack("{s:{s:I, s:s}}", "school", "id", (json_int_t)c.id, "name", name));
}

/* ---- the audit log ---------------------------------------------------------------------------------------------- */

/* GET ?staff=<user name or id>&action=&target=&from=&to=&q=&limit=&offset=
 * (from/to: seconds since the epoch, to exclusive).  Newest first. */
static int h_audit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_audit_query q = {0};
    int64_t limit, offset;
    if (api_query_int(r, "from", 0, 0, INT64_MAX / 2, &q.from, &c.e) != 0 ||
        api_query_int(r, "to", 0, 0, INT64_MAX / 2, &q.to, &c.e) != 0 ||
        api_query_int(r, "limit", 50, 1, 200, &limit, &c.e) != 0 ||
        api_query_int(r, "offset", 0, 0, 10000000, &offset, &c.e) != 0)
        return api_fail(&c);
    q.limit = (int)limit;
    q.offset = (int)offset;
    q.action = tc_http_query(r, "action");
    q.target = tc_http_query(r, "target");
    q.text = tc_http_query(r, "q");
    const char *who = tc_http_query(r, "staff");
    if ((q.action && strlen(q.action) > 64) || (q.target && strlen(q.target) > 128) || (q.text && strlen(q.text) > 200) ||
        (who && strlen(who) > 64)) {
        tc_err_set(&c.e, TCE_AUDIT_BAD_QUERY);
        return api_fail(&c);
    }
    if (who && *who) {
        tc_store_staff st;
        int64_t id;
        if (api_parse_id(who, &id) == 0)
            q.staff_id = id;
        else if (tc_store_staff_by_username(c.app->store, r->pool, who, &st, &c.e) == 0)
            q.staff_id = st.id;
        else
            return tc_http_respond_json(r, 200, json_pack("{s:I, s:[]}", "total", (json_int_t)0, "items"));
    }
    tc_store_audit_row *rows;
    size_t n;
    int64_t total;
    if (tc_store_audit_search(c.app->store, r->pool, &q, &rows, &n, &total, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const tc_store_audit_row *x = &rows[i];
        json_array_append_new(a, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)x->id, "at",
                                           (json_int_t)x->at, "staff_id", (json_int_t)x->staff_id, "username",
                                           x->username, "action", x->action, "target", x->target, "before", x->before,
                                           "after", x->after, "ip", x->ip));
    }
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", a));
}

int api_admin_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/admin/reasons", NEED_PLATFORM, h_reasons, 0},
        {"POST", "/api/v1/admin/reasons", NEED_PLATFORM, h_reason_add, API_JSON},
        {"POST", "/api/v1/admin/reasons/:code", NEED_PLATFORM, h_reason_edit, API_JSON},
        {"GET", "/api/v1/admin/specs", NEED_STAFF, h_specs, 0},
        {"POST", "/api/v1/admin/specs", NEED_PLATFORM, h_spec_add, API_JSON},
        {"PUT", "/api/v1/admin/specs/:name", NEED_PLATFORM, h_spec_edit, API_JSON},
        {"DELETE", "/api/v1/admin/specs/:name", NEED_PLATFORM, h_spec_delete, 0},
        {"POST", "/api/v1/admin/staff/:id", NEED_PLATFORM, h_staff_edit, API_JSON},
        {"POST", "/api/v1/admin/staff/:id/password", NEED_PLATFORM, h_staff_reset_password, API_JSON},
        {"POST", "/api/v1/admin/schools/:id", NEED_PLATFORM, h_school_edit, API_JSON},
        {"GET", "/api/v1/admin/audit", NEED_PLATFORM, h_audit, 0},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), up, e);
}
