/* The school console: batches, progress, exports, reminders, and the
 * actions on one student (unlock, reset) (issue 7). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"

static int h_unlock(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_SCHOOL_STAFF) != 0)
        return 0;
    tc_student st;
    if (api_load_student(&c, &st) != 0)
        return api_fail(&c);
    if (tc_store_journey_unlock(c.app->store, st.id, &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "student.unlock", "student", st.id, NULL, NULL);
    if (st.person_id)
        api_message(c.app, st.person_id, st.id, "unlocked", "账号已解锁", "Your account is unlocked",
                "学校已为您解锁，可以重新拍摄。", "Your school unlocked your account: you can shoot again.");
    return tc_http_respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static int h_reset(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_SCHOOL_STAFF) != 0)
        return 0;
    tc_student st;
    if (api_load_student(&c, &st) != 0)
        return api_fail(&c);
    json_t *body = tc_http_json(r, &c.e);
    if (!body)
        return api_fail(&c);
    const char *reason = api_jstr(body, "reason");
    if (!reason || !*reason || strlen(reason) > 500) {
        tc_err_set(&c.e, 400, "student.reason_required", "请填写重置原因（学生会看到）",
                   "Give the reason for the reset (the student is told)");
        return api_fail(&c);
    }
    if (tc_store_submission_reset(c.app->store, st.id, reason, tc_now(), &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "student.reset", "student", st.id, NULL, NULL);
    if (st.person_id) {
        api_publish(c.app, st.person_id, "submission", json_pack("{s:s}", "state", "reset"));
        api_message(c.app, st.person_id, st.id, "reset", "照片已被学校重置", "Your photo was reset by your school", reason,
                reason);
    }
    return tc_http_respond_json(r, 200, json_pack("{s:b}", "ok", 1));
}

int api_school_routes(tc_http_server *s, tc_app *app, size_t up, tc_err *e)
{
    (void)app;
    static const struct {
        const char *m, *p;
        tc_http_handler h;
        int upload;
    } R[] = {
        {"POST", "/api/v1/students/:id/unlock", h_unlock, 0},
        {"POST", "/api/v1/students/:id/reset", h_reset, 0},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(R); i++)
        if (tc_http_route(s, R[i].m, R[i].p, R[i].h, R[i].upload ? up : 0, e) != 0)
            return -1;
    return 0;
}
