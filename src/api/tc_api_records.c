/* Several 学历 (issue 19 item 2): the records one signed-in person may see
 * and the switch of the session's current record.  The rule (docs/SECURITY.md,
 * "Several records of one person"): a record is listed only when it carries
 * the person's keyed ID hash and is either linked to the person (confirmed,
 * or proved by 添加学历) or of the person's own school and linked to nobody;
 * a switch asks nothing the person could not do by entering that record
 * directly, and refuses what the entry would refuse there (batch cancelled,
 * outside its window, the record locked). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api_int.h"

/* At most this many records are listed (a person holds two or three). */
enum { RECORDS_MAX = 32 };

int api_records_list(api_ctx *c, tc_store_student **rows, size_t *n)
{
    int64_t school;
    uint8_t h[32];
    if (tc_store_person_get(c->app->store, c->sess.person_id, &school, h, &c->e) != 0)
        return -1;
    return tc_store_person_records(c->app->store, c->r->pool, c->sess.person_id, school, h, RECORDS_MAX, rows, n,
                                   &c->e);
}

int api_record_visible(api_ctx *c, int64_t student_id)
{
    tc_store_student *rows;
    size_t n;
    tc_err keep = c->e;
    int rc = api_records_list(c, &rows, &n);
    c->e = keep;
    if (rc != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == student_id)
            return 1;
    return 0;
}

/* One listed record: the record as GET /api/v1/me gives it, whether it is
 * the session's current one, and whether a switch to it would pass now
 * (blocked: the reason in both languages, as the switch would answer). */
static json_t *record_json(api_ctx *c, const tc_store_student *st)
{
    json_t *j = api_student_json(c, st);
    int current = st->id == c->sess.student_id;
    json_object_set_new(j, "current", json_boolean(current));
    json_object_set_new(j, "school_id", json_integer((json_int_t)st->school_id));
    tc_err why;
    if (current || api_record_open(c, st, tc_now(), &why) == 0) {
        json_object_set_new(j, "switchable", json_boolean(!current));
        json_object_set_new(j, "blocked", json_null());
    } else {
        json_object_set_new(j, "switchable", json_false());
        json_object_set_new(j, "blocked", json_pack("{s:s, s:s, s:s}", "code", why.code, "zh", why.zh, "en", why.en));
    }
    return j;
}

json_t *api_records_json(api_ctx *c, int switchable)
{
    tc_store_student *rows;
    size_t n;
    if (api_records_list(c, &rows, &n) != 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, switchable ? record_json(c, &rows[i]) : api_student_json(c, &rows[i]));
    return arr;
}

/* GET /api/v1/me/records */
static int h_me_records(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *arr = api_records_json(&c, 1);
    if (!arr)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "current_record", (json_int_t)c.sess.student_id,
                                                  "records", arr));
}

/* One line of the entry log (verify_audit) about a switch; st NULL: a
 * record the person may not see (its id is not written: not theirs). */
static void switch_audit(api_ctx *c, const tc_store_student *st, int ok, const char *reason)
{
    tc_store_verify_attempt a = {.ip = c->r->client_ip,
                                 .method = "switch",
                                 .batch_id = st ? st->batch_id : 0,
                                 .student_id = st ? st->id : 0,
                                 .ok = ok,
                                 .reason = reason};
    tc_err e;
    if (tc_store_audit_verify(c->app->store, &a, &e) != 0)
        tc_log(TC_LOG_ERROR, "audit write failed: %s", e.en);
}

/* POST /api/v1/me/records/:id/switch: the session works on that record from
 * now on.  A record the person may not see is not found (404, the same
 * answer whether it exists or not); one the entry would refuse now is
 * refused with the entry's reason.  A same-school record nobody confirmed
 * yet is confirmed for the person with the current record's phone number,
 * as 添加学历 does.  Audited in the entry log (method "switch"). */
static int h_me_record_switch(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    int64_t id = c.id; /* the dispatcher parsed :id */
    tc_store_student *rows;
    size_t n;
    if (api_records_list(&c, &rows, &n) != 0)
        return api_fail(&c);
    const tc_store_student *st = NULL;
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            st = &rows[i];
    if (!st) {
        switch_audit(&c, NULL, 0, "records.not_found");
        tc_err_set(&c.e, TCE_RECORDS_NOT_FOUND);
        return api_fail(&c);
    }
    if (st->id != c.sess.student_id) {
        if (api_record_open(&c, st, tc_now(), &c.e) != 0) {
            switch_audit(&c, st, 0, c.e.code);
            return api_fail(&c);
        }
        if (st->person_id != c.sess.person_id || !st->verified_at) {
            tc_store_student me;
            if (tc_store_student_get(c.app->store, r->pool, c.sess.student_id, &me, &c.e) != 0 ||
                tc_store_student_verify(c.app->store, st->id, c.sess.person_id, me.phone, &c.e) != 0)
                return api_fail(&c);
        }
        if (tc_store_session_set_student(c.app->store, c.sess.token_hash, c.sess.person_id, st->id, &c.e) != 0)
            return api_fail(&c);
        switch_audit(&c, st, 1, NULL);
        c.sess.student_id = st->id;
    }
    tc_store_student now;
    if (tc_store_student_get(c.app->store, r->pool, st->id, &now, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:o}", "current_record", (json_int_t)c.sess.student_id,
                                                  "student", record_json(&c, &now)));
}

int api_records_routes(tc_http_server *s, size_t upload_max, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/me/records", NEED_STUDENT, h_me_records, 0},
        {"POST", "/api/v1/me/records/:id/switch", NEED_STUDENT, h_me_record_switch, 0},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), upload_max, e);
}
