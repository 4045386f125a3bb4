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
    tc_student st;
    tc_err e2;
    if (tc_store_photo_get(c->app->store, c->r->pool, s->photo_id, &ph, &e2) != 0 ||
        tc_store_student_get(c->app->store, c->r->pool, s->student_id, &st, &e2) != 0)
        return json_pack("{s:I}", "id", (json_int_t)s->id);
    json_t *checks = json_loads(ph.checks, 0, NULL);
    return json_pack("{s:I, s:s, s:I, s:o, s:{s:I, s:s, s:s, s:s, s:o}}", "id", (json_int_t)s->id, "state", s->state,
                     "submitted_at", (json_int_t)s->submitted_at, "student", api_student_json(c, &st), "photo", "id",
                     (json_int_t)ph.id, "standard_url", api_url_of(c->r->pool, "/api/v1/review/photos/%lld/standard.jpg", ph.id),
                     "original_url", api_url_of(c->r->pool, "/api/v1/review/photos/%lld/original.jpg", ph.id),
                     "overlay_url", api_url_of(c->r->pool, "/api/v1/review/photos/%lld/overlay.png", ph.id), "checks",
                     checks ? checks : json_object());
}

static int h_review_queue(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_REVIEW) != 0)
        return 0;
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

static int h_review_photo(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_STAFF) != 0)
        return 0;
    int64_t id;
    if (api_parse_id(r->params[0], &id) != 0)
        return api_bad_id(&c);
    tc_store_photo ph;
    tc_student st;
    if (tc_store_photo_get(c.app->store, r->pool, id, &ph, &c.e) != 0 ||
        tc_store_student_get(c.app->store, r->pool, ph.student_id, &st, &c.e) != 0)
        return api_fail(&c);
    if (strcmp(c.staff.role, "reviewer") != 0 && !api_staff_school_ok(&c, st.school_id))
        return api_fail(&c);
    const char *kind = r->params[1];
    if (!strcmp(kind, "standard.jpg"))
        return api_send_blob(&c, ph.final_blob[0] ? ph.final_blob : ph.standard_blob, "image/jpeg", NULL);
    if (!strcmp(kind, "original.jpg"))
        return api_send_blob(&c, ph.original_blob, "image/jpeg", NULL);
    if (!strcmp(kind, "overlay.png"))
        return api_send_blob(&c, ph.overlay_blob, "image/png", NULL);
    return api_bad_id(&c);
}

/* The reasons a reviewer may give: the checks' own codes plus a few that
 * only a person sees. */
static int reason_text(const char *code, json_t **out)
{
    static const struct {
        const char *code, *zh, *en;
    } EXTRA[] = {
        {"other", "其他原因", "Other reason"},
        {"not_the_student", "照片与本人不符", "The photo does not show the student"},
        {"composited", "照片经过软件合成", "The photo was composited by software"},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(EXTRA); i++)
        if (!strcmp(code, EXTRA[i].code)) {
            *out = json_pack("{s:s, s:s, s:s}", "code", EXTRA[i].code, "zh", EXTRA[i].zh, "en", EXTRA[i].en);
            return 0;
        }
    int id = tc_check_by_name(code);
    if (id < 0)
        return -1;
    /* the catalogue's wording for a reviewer's rejection */
    static const char *const ZH[TC_CHECK_N] = {
        "照片中应只有本人一张人脸", "头部未完整在画面内", "头部大小或位置不符合要求", "头部左右转动", "头部抬起或低下",
        "头部倾斜", "眼睛未自然睁开", "眼睛未平视镜头", "嘴唇未自然闭合", "表情不自然",
        "光线过暗", "光线过亮", "面部光线不均匀（阴阳脸）", "面部有高光、光斑", "有红眼",
        "照片模糊", "照片分辨率不足", "不得佩戴眼镜", "不得佩戴有色眼镜", "眼镜反光",
        "头发遮挡眉毛或眼睛", "耳朵未露出", "不得佩戴帽子或头饰", "不得佩戴耳环、项链等饰品", "不得穿与背景相近颜色（蓝色）的衣服",
        "翻拍照片", "美颜或修图", "同版照片"};
    static const char *const EN[TC_CHECK_N] = {
        "Only your own face may be in the photo", "The head is not wholly in the frame", "Head size or position is off",
        "Head turned", "Head raised or lowered", "Head tilted", "Eyes not open", "Not looking at the camera",
        "Mouth not closed", "Expression not neutral", "Too dark", "Too bright", "Uneven light on the face",
        "Hot spots on the face", "Red eye", "Blurred", "Too few pixels", "No glasses allowed", "Tinted glasses",
        "Glare on the glasses", "Hair over the eyebrows or eyes", "Ears not visible", "No hats or headwear",
        "No earrings or necklaces", "Top too close to the background colour (no blue)", "Re-photographed picture",
        "Retouched (beauty filter)", "Same photo as an earlier one"};
    *out = json_pack("{s:s, s:s, s:s}", "code", tc_check_name((tc_check_id)id), "zh", ZH[id], "en", EN[id]);
    return 0;
}

static int decide(tc_http_req *r, int approve)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_REVIEW) != 0)
        return 0;
    int64_t id;
    if (api_parse_id(r->params[0], &id) != 0)
        return api_bad_id(&c);
    json_t *reasons = json_array();
    const char *note = "";
    if (!approve) {
        json_t *body = tc_http_json(r, &c.e);
        if (!body) {
            json_decref(reasons);
            return api_fail(&c);
        }
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(body, "reasons"), i, v)
        {
            json_t *t;
            if (!json_is_string(v) || reason_text(json_string_value(v), &t) != 0) {
                json_decref(reasons);
                tc_err_set(&c.e, 400, "review.bad_reason", "不认识的驳回原因", "Unknown rejection reason");
                return api_fail(&c);
            }
            json_array_append_new(reasons, t);
        }
        note = api_jstr(body, "note") ? api_jstr(body, "note") : "";
        if (!json_array_size(reasons) && !*note) {
            json_decref(reasons);
            tc_err_set(&c.e, 400, "review.reason_required", "驳回时请选择原因或填写说明",
                       "Give a reason (or a note) when rejecting");
            return api_fail(&c);
        }
    }
    char *rs = json_dumps(reasons, JSON_COMPACT);
    json_decref(reasons);
    tc_store_submission s;
    int rc = tc_store_submission_decide(c.app->store, id, c.staff.id, approve, rs, note, tc_now(), &c.e);
    free(rs);
    if (rc != 0 || tc_store_submission_get(c.app->store, r->pool, id, &s, &c.e) != 0)
        return api_fail(&c);
    tc_student st;
    if (tc_store_student_get(c.app->store, r->pool, s.student_id, &st, &c.e) == 0) {
        api_publish(c.app, st.person_id, "submission", json_pack("{s:s}", "state", s.state));
        if (approve)
            api_message(c.app, st.person_id, st.id, "approved", "照片审核通过", "Photo approved",
                    "您的照片已审核通过，状态为待处理，制作完成后可下载成片。",
                    "Your photo is approved (待处理); you can download the final photo once it is made.");
        else
            api_message(c.app, st.person_id, st.id, "rejected", "照片审核未通过", "Photo rejected",
                    "请查看未通过原因，尽快重新拍照上传（重拍上传不需要重复付费）。",
                    "See why, and shoot again soon (a retake is not charged again).");
    }
    char before[64], after[64];
    snprintf(before, sizeof before, "{\"state\":\"submitted\"}");
    snprintf(after, sizeof after, "{\"state\":\"%s\"}", s.state);
    api_audit(&c, approve ? "review.approve" : "review.reject", "submission", id, before, after);
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

static int h_final(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_REVIEW) != 0)
        return 0;
    int64_t id;
    if (api_parse_id(r->params[0], &id) != 0)
        return api_bad_id(&c);
    tc_store_submission s;
    tc_store_photo ph;
    if (tc_store_submission_get(c.app->store, r->pool, id, &s, &c.e) != 0 ||
        tc_store_photo_get(c.app->store, r->pool, s.photo_id, &ph, &c.e) != 0)
        return api_fail(&c);
    /* production: the clean standard photo becomes the 成片 */
    if (tc_store_submission_final(c.app->store, id, ph.standard_blob, tc_now(), &c.e) != 0)
        return api_fail(&c);
    tc_student st;
    if (tc_store_student_get(c.app->store, r->pool, s.student_id, &st, &c.e) == 0) {
        api_publish(c.app, st.person_id, "submission", json_pack("{s:s}", "state", "final"));
        api_message(c.app, st.person_id, st.id, "final", "成片已制作完成", "Your final photo is ready",
                "可在照片下载页下载成片和排版照。", "Download the final photo and the print sheet now.");
    }
    api_audit(&c, "production.final", "submission", id, "{\"state\":\"approved\"}", "{\"state\":\"final\"}");
    return tc_http_respond_json(r, 200, json_pack("{s:s}", "state", "final"));
}

int api_review_routes(tc_http_server *s, tc_app *app, size_t up, tc_err *e)
{
    (void)app;
    static const struct {
        const char *m, *p;
        tc_http_handler h;
        int upload;
    } R[] = {
        {"GET", "/api/v1/review/queue", h_review_queue, 0},
        {"GET", "/api/v1/review/photos/:id/:kind", h_review_photo, 0},
        {"POST", "/api/v1/review/submissions/:id/approve", h_approve, 0},
        {"POST", "/api/v1/review/submissions/:id/reject", h_reject, 0},
        {"POST", "/api/v1/review/submissions/:id/final", h_final, 0},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(R); i++)
        if (tc_http_route(s, R[i].m, R[i].p, R[i].h, R[i].upload ? up : 0, e) != 0)
            return -1;
    return 0;
}
