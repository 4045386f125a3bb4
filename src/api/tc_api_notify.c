/* Every status reaches the student (issue 19): the automatic reminders
 * before a batch closes (a round; main's timer runs it, tc_jobs_every); the
 * school's contact for students (a school setting).  The channels
 * themselves (api_deliver) are in tc_api_core.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_int.h"

/* ---- the automatic reminders -------------------------------------------------------------------------- */

int64_t tc_api_clock(const tc_api_app *app)
{
    return tc_now() + (app->cfg ? app->cfg->test_clock_offset_s : 0);
}

enum { DAY_S = 24 * 3600 };

/* The batch's settings: built-in < school < batch. */
static int batch_settings(tc_api_app *app, tc_pool *p, const tc_store_batch *b, tc_journey_settings *set, tc_err *e)
{
    const char *notice, *ss;
    tc_journey_settings_default(set);
    if (tc_store_school_extra(app->store, p, b->school_id, &notice, &ss, e) != 0)
        return -1;
    if (tc_journey_settings_apply(set, ss, e) != 0 || tc_journey_settings_apply(set, b->settings, e) != 0)
        return -1;
    return 0;
}

static int remind_batch(tc_api_app *app, tc_pool *p, const tc_store_batch *b, int64_t now, int *sent, tc_err *e)
{
    tc_journey_settings set;
    if (batch_settings(app, p, b, &set, e) != 0)
        return -1;
    /* the marks in force: the nearest one before the close that has passed;
     * a farther one that passed too (the server was down) is recorded as
     * done without sending it, so a student gets the one that is true now */
    int marks[2] = {set.remind_days > 1 ? set.remind_days : 1, 1};
    int nmarks = marks[0] > 1 ? 2 : 1;
    int due = 0;
    for (int i = 0; i < nmarks; i++)
        if (now >= b->ends_at - (int64_t)marks[i] * DAY_S)
            due = marks[i];
    if (!due)
        return 0;
    tc_store_roster_query q = {.batch_id = b->id, .unfinished = 1};
    tc_store_roster_row *rows;
    size_t n;
    int64_t total;
    if (tc_store_roster_search(app->store, p, &q, now, &rows, &n, &total, e) != 0)
        return -1;
    tc_store_school sc = {0};
    tc_store_school_get(app->store, p, b->school_id, &sc, NULL);
    const char *school = sc.name ? sc.name : "学校";
    char when[20];
    tc_time_fmt_cn(b->ends_at, when);
    int left_h = (int)((b->ends_at - now + 3599) / 3600);
    const char *bz, *be;
    if (left_h <= 24) {
        bz = tc_pool_printf(p, "%s提醒您：「%s」的照片采集将于 %s（北京时间）截止，不足一天，请尽快完成拍摄与提交。", school,
                            b->name, when);
        be = tc_pool_printf(p, "%s: photo collection for \"%s\" closes at %s (China time), in less than a day: "
                            "finish your photo now.", school, b->name, when);
    } else {
        int days = (left_h + 23) / 24;
        bz = tc_pool_printf(p, "%s提醒您：「%s」的照片采集将于 %s（北京时间）截止，还剩 %d 天，请尽快完成拍摄与提交。", school,
                            b->name, when, days);
        be = tc_pool_printf(p, "%s: photo collection for \"%s\" closes at %s (China time), in %d days: finish your "
                            "photo soon.", school, b->name, when, days);
    }
    for (size_t i = 0; i < n; i++) {
        const tc_store_roster_row *x = &rows[i];
        if (!x->st.person_id)
            continue; /* never signed in: no message centre, no choice of channels */
        int fresh = tc_store_remind_once(app->store, x->st.id, due, now, e);
        if (fresh < 0)
            return -1;
        for (int k = 0; k < nmarks; k++)
            if (marks[k] > due && tc_store_remind_once(app->store, x->st.id, marks[k], now, e) < 0)
                return -1;
        if (!fresh)
            continue;
        api_message(app, x->st.person_id, x->st.id, "reminder", "采集截止提醒", "Deadline reminder", bz, be);
        (*sent)++;
    }
    return 0;
}

int tc_api_remind_once(tc_api_app *app, int64_t now, int *sent, tc_err *e)
{
    *sent = 0;
    tc_pool p;
    tc_pool_init(&p);
    tc_store_batch *bs;
    size_t n;
    /* remind_days is at most 30 */
    int rc = tc_store_batches_closing(app->store, &p, now, now + 31 * (int64_t)DAY_S, &bs, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tc_err be;
        if (remind_batch(app, &p, &bs[i], now, sent, &be) != 0) {
            if (be.status >= 500) {
                *e = be;
                rc = -1;
            } else {
                /* a batch whose stored settings no longer load: its reminders
                 * wait, the others go */
                tc_log(TC_LOG_WARN, "reminders: batch %lld skipped: %s [%s]", (long long)bs[i].id, be.en, be.code);
            }
        }
    }
    tc_pool_clear(&p);
    return rc;
}

/* ---- the school's contact ----------------------------------------------------------------------------- */

/* GET /api/v1/schools/:id/contact */
static int h_contact(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *json;
    if (tc_store_school_contact(c.app->store, r->pool, c.school_id, &json, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "contact", api_contact_json(json)));
}

/* A contact field: at most max characters of printable UTF-8 text. */
static int contact_ok(const char *v, size_t max_bytes)
{
    size_t n = strlen(v);
    if (n > max_bytes || !tc_utf8_valid(v, n))
        return 0;
    for (const unsigned char *q = (const unsigned char *)v; *q; q++)
        if (*q < 0x20 || *q == 0x7f || *q == '<' || *q == '>')
            return 0;
    return 1;
}

/* PUT /api/v1/schools/:id/contact {phone, wechat, hours} */
static int h_contact_put(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = c.body;
    static const struct {
        const char *key, *zh, *en;
        size_t max;
    } F[] = {{"phone", "联系电话", "phone", 60}, {"wechat", "微信号", "WeChat ID", 60}, {"hours", "办公时间", "office hours", 200}};
    json_t *clean = json_object();
    for (size_t i = 0; i < TC_ARRAY_LEN(F); i++) {
        json_t *v = json_object_get(b, F[i].key);
        const char *s = v ? json_string_value(v) : "";
        if (!s || !contact_ok(s, F[i].max)) {
            json_decref(clean);
            /* one argument list serves both languages: each skips the other's name */
            tc_err_set(&c.e, TCE_SCHOOL_BAD_CONTACT, F[i].zh, F[i].en, F[i].max);
            return api_fail(&c);
        }
        json_object_set_new(clean, F[i].key, json_string(s));
    }
    char *t = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(clean);
    if (!t)
        return tc_err_internal(&c.e, "json"), api_fail(&c);
    const char *before = "{}";
    tc_store_school_contact(c.app->store, r->pool, c.school_id, &before, NULL);
    int rc = tc_store_school_set_contact(c.app->store, c.school_id, t, &c.e);
    if (rc == 0)
        api_audit(&c, "school.contact", "school", c.school_id, before, t);
    json_t *out = rc == 0 ? json_pack("{s:o}", "contact", api_contact_json(t)) : NULL;
    free(t);
    if (rc != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, out);
}

int api_notify_routes(tc_http_server *s, size_t upload_max, tc_err *e)
{
    static const api_route R[] = {
        {"GET", "/api/v1/schools/:id/contact", NEED_SCHOOL_STAFF, h_contact, 0},
        {"PUT", "/api/v1/schools/:id/contact", NEED_SCHOOL_STAFF, h_contact_put, API_JSON},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), upload_max, e);
}
