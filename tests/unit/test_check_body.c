/* tc_check, issue 16 item 8: shoulders level, patterned clothing, make-up and
 * coloured lenses, hair in front of the shoulders (a school's setting), half
 * and full-length pictures.  A synthetic person (a face drawn with the mesh
 * points the checks read, a neck and shoulders in the person mask, clothes
 * painted on them) changed one way at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "check/check_int.h"
#include "spec/tc_spec.h"

typedef struct scene {
    int w, h;
    double cx, cy, k; /* face centre, scale (1: a face 180 px wide) */
    tc_photo_rgb im;
    tc_photo_mask mask;
    tc_vision_face face;
    tc_vision_mesh mesh;
    tc_vision_eye_info eyes;
    tc_spec_table t;
    tc_check_input in;
} scene;

static const uint8_t SKIN[3] = {205, 165, 140}, HAIR[3] = {40, 30, 26}, SHIRT[3] = {150, 165, 190},
                     BG[3] = {128, 128, 128};

static void setpt(scene *s, int i, double x, double y)
{
    s->mesh.points[i][0] = (float)(x / s->w);
    s->mesh.points[i][1] = (float)(y / s->h);
    s->mesh.points[i][2] = 0;
}

static uint8_t *px(scene *s, int x, int y)
{
    return s->im.px + ((size_t)y * s->w + x) * 3;
}

static void disc(scene *s, double cx, double cy, double rx, double ry, const uint8_t c[3], int in_mask)
{
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
            if (dx * dx + dy * dy <= 1) {
                memcpy(px(s, x, y), c, 3);
                if (in_mask)
                    s->mask.a[(size_t)y * s->w + x] = 1;
            }
        }
}

/* Face offsets relative to the centre at scale 1 (a 180 x 240 face). */
#define FX(d) (s->cx + (d) * s->k)
#define FY_(sc, d) ((sc)->cy + (d) * (sc)->k)
#define FY(d) (s->cy + (d) * s->k)

/* The person: hair, face, neck, and shoulders whose top line slopes by
 * tilt_deg (positive: the image's right side lower), the top in SHIRT. */
static void make(scene *s, int w, int h, double cx, double cy, double k, double tilt_deg)
{
    memset(s, 0, sizeof *s);
    s->w = w, s->h = h, s->cx = cx, s->cy = cy, s->k = k;
    s->im.width = w, s->im.height = h;
    s->im.px = malloc((size_t)w * h * 3);
    s->mask.width = w, s->mask.height = h;
    s->mask.a = calloc((size_t)w * h, sizeof(float));
    assert_non_null(s->im.px);
    assert_non_null(s->mask.a);
    for (int i = 0; i < w * h; i++)
        memcpy(s->im.px + (size_t)i * 3, BG, 3);
    /* shoulders and neck */
    double chin = FY(120), tn = tan(tilt_deg * M_PI / 180);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double dx = x + 0.5 - cx;
            /* a rounded shoulder: the trapezius falls from the neck */
            double top = chin + 45 * k + 40 * k * fmax(0, 1 - fabs(dx) / (70 * k)) * -1 + dx * tn;
            int neck = fabs(dx) < 38 * k && y > FY(80);
            int body = y >= top && fabs(dx) < 260 * k;
            if (!neck && !body)
                continue;
            s->mask.a[(size_t)y * w + x] = 1;
            const uint8_t *c = body && !(neck && y < chin + 30 * k) ? SHIRT : SKIN;
            double shade = 0.92 + 0.08 * cos(dx / (200 * k));
            for (int j = 0; j < 3; j++)
                px(s, x, y)[j] = (uint8_t)(c[j] * shade);
        }
    disc(s, cx, FY(-30), 118 * k, 140 * k, HAIR, 1);
    disc(s, cx, cy, 90 * k, 120 * k, SKIN, 1);
    /* skin texture */
    for (size_t i = 0; i < (size_t)w * h * 3; i += 3)
        if (s->im.px[i] == SKIN[0] && s->im.px[i + 1] == SKIN[1])
            for (int j = 0; j < 3; j++)
                s->im.px[i + j] = (uint8_t)(s->im.px[i + j] + (int)(((uint32_t)i * 2654435761u) >> 29) - 4);
    s->mesh.presence = 1;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++)
        setpt(s, i, cx, cy);
    for (int j = 0; j < 36; j++) {
        double th = (-90 + 10 * j) * M_PI / 180;
        setpt(s, check_oval_idx[j], cx + 90 * k * cos(th), cy + 120 * k * sin(th));
    }
    static const uint8_t white[3] = {235, 235, 235}, iris[3] = {50, 35, 30}, brow[3] = {60, 45, 40};
    for (int e = 0; e < 2; e++) {
        double ex = FX(e ? 40 : -40), ey = FY(-30), sg = e ? 1 : -1;
        disc(s, ex, ey, 18 * k, 6 * k, white, 0);
        disc(s, ex, ey, 5 * k, 5 * k, iris, 0);
        disc(s, ex, FY(-55), 20 * k, 3 * k, brow, 0);
        for (int i = 0; i < 16; i++) {
            double ph = M_PI * i / 8;
            setpt(s, check_eye_idx[e][i], ex + sg * 18 * k * cos(ph), ey + 6 * k * sin(ph));
            s->eyes.contour[e][i][0] = s->mesh.points[check_eye_idx[e][i]][0];
            s->eyes.contour[e][i][1] = s->mesh.points[check_eye_idx[e][i]][1];
        }
        s->eyes.openness[e] = (float)(2 * 6 * (2 * sin(3 * M_PI / 8) + 1) / 3 / 36);
        static const int brows[2][5] = {{70, 63, 105, 66, 107}, {300, 293, 334, 296, 336}};
        for (int i = 0; i < 5; i++)
            setpt(s, brows[e][i], ex - 18 * k + 9 * k * i, FY(-55));
        setpt(s, e ? 282 : 52, ex, FY(-52));
    }
    setpt(s, LM_BRIDGE, cx, FY(-35));
    setpt(s, LM_NOSE_MID, cx, FY(-10));
    setpt(s, LM_NOSE_TIP, cx, FY(30));
    setpt(s, LM_MOUTH_A, FX(-30), FY(65));
    setpt(s, LM_MOUTH_B, FX(30), FY(65));
    setpt(s, LM_LIP_TOP, cx, FY(63));
    setpt(s, LM_LIP_BOT, cx, FY(67));
    setpt(s, LM_CHEEK_PATCH_A, FX(-45), FY(20));
    setpt(s, LM_CHEEK_PATCH_B, FX(45), FY(20));
    s->face = (tc_vision_face){.score = 0.9f,
                               .xmin = (float)((cx - 90 * k) / w),
                               .ymin = (float)((cy - 120 * k) / h),
                               .width = (float)(180 * k / w),
                               .height = (float)(240 * k / h)};
    tc_spec_table_builtin(&s->t);
    s->in = (tc_check_input){.work = &s->im,
                             .work_scale = 1,
                             .src_width = w,
                             .src_height = h,
                             .faces = &s->face,
                             .n_faces = 1,
                             .mesh = &s->mesh,
                             .eyes = &s->eyes,
                             .mask = &s->mask,
                             .spec = tc_spec_find(&s->t, "chsi"),
                             .background = {67, 142, 219}};
}

/* The lips: an outer and an inner contour (the mesh's lip rings) around the
 * mouth, the ring between painted c. */
static void lips(scene *s, const uint8_t c[3])
{
    static const int outer[20] = {61, 146, 91, 181, 84, 17, 314, 405, 321, 375,
                                  291, 409, 270, 269, 267, 0, 37, 39, 40, 185};
    static const int inner[20] = {78, 95, 88, 178, 87, 14, 317, 402, 318, 324,
                                  308, 415, 310, 311, 312, 13, 82, 81, 80, 191};
    for (int i = 0; i < 20; i++) {
        double th = M_PI - 2 * M_PI * i / 20; /* from the left corner, under and round */
        setpt(s, outer[i], FX(30 * cos(th)), FY(65 + 9 * sin(-th)));
        setpt(s, inner[i], FX(24 * cos(th)), FY(65 + 1.5 * sin(-th)));
    }
    disc(s, FX(0), FY(65), 30 * s->k, 9 * s->k, c, 0);
    static const uint8_t dark[3] = {90, 40, 40};
    disc(s, FX(0), FY(65), 24 * s->k, 1.5 * s->k, dark, 0);
}

/* Paint the top below the chin: kind 0 plain (as made), 1 horizontal stripes,
 * 2 a dark suit with a light shirt and a tie in the V. */
static void clothes(scene *s, int kind)
{
    static const uint8_t dark[3] = {35, 38, 48}, light[3] = {230, 230, 225}, tie[3] = {120, 30, 40};
    double chin = FY(120);
    for (int y = (int)(chin + 30 * s->k); y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            if (s->mask.a[(size_t)y * s->w + x] < 0.5f)
                continue;
            double dx = x + 0.5 - s->cx, dy = y - chin;
            const uint8_t *c = SHIRT;
            if (kind == 1)
                c = ((int)(dy / (6 * s->k)) % 2) ? dark : light;
            else if (kind == 2) {
                double v = 25 * s->k + 0.45 * dy; /* the V's half width */
                c = fabs(dx) < fmin(v, 70 * s->k) ? light : dark;
                if (fabs(dx) < 9 * s->k + 0.04 * dy && dy > 40 * s->k)
                    c = tie;
            }
            memcpy(px(s, x, y), c, 3);
        }
}

/* Long hair hanging in front of both shoulders. */
static void hair_front(scene *s)
{
    double chin = FY(120);
    for (int y = (int)FY(0); y < (int)(chin + 170 * s->k) && y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            double ax = fabs(x + 0.5 - s->cx);
            if (ax < 70 * s->k || ax > 150 * s->k || (y < chin && ax < 92 * s->k))
                continue;
            s->mask.a[(size_t)y * s->w + x] = 1;
            uint8_t *p = px(s, x, y);
            int strand = ((x * 7 + y / 3) % 5) * 4 - 8;
            for (int j = 0; j < 3; j++)
                p[j] = (uint8_t)fmax(0, HAIR[j] + strand);
        }
}

static void drop(scene *s)
{
    free(s->im.px);
    free(s->mask.a);
    tc_spec_table_free(&s->t);
}

static const tc_check_result *run(scene *s, const char *config, tc_check_report *rep, tc_check_id id)
{
    tc_check_config c;
    tc_check_config_default(&c);
    tc_err e = {0};
    if (config)
        assert_int_equal(tc_check_config_json(&c, config, strlen(config), &e), 0);
    assert_int_equal(tc_check_run(&c, &s->in, rep, &e), 0);
    const tc_check_result *r = &rep->r[id];
    print_message("%s: verdict %d score %d value %.3f %s\n", tc_check_name(id), r->verdict, r->score, r->value, r->zh);
    if (r->verdict != TC_CHECK_PASS) {
        assert_true(r->zh[0] && r->en[0]);
        for (const char *q = r->zh; *q; q++) /* no English word in the Chinese */
            assert_false((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'));
    }
    return r;
}

static void test_names(void **st)
{
    (void)st;
    const char *names[] = {"shoulders", "clothing_pattern", "makeup", "hair_shoulders", "body_framing"};
    const tc_check_id ids[] = {TC_CHECK_SHOULDERS, TC_CHECK_CLOTHING_PATTERN, TC_CHECK_MAKEUP,
                               TC_CHECK_HAIR_SHOULDERS, TC_CHECK_BODY_FRAMING};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tc_check_by_name(names[i]), ids[i]);
        char code[64];
        snprintf(code, sizeof code, "check.%s", names[i]);
        assert_string_equal(tc_check_code(ids[i]), code);
    }
    tc_check_config c;
    tc_check_config_default(&c);
    assert_int_equal(c.hair_behind_shoulders, 0);
    tc_err e = {0};
    assert_int_equal(tc_check_config_json(&c, "{\"hair_behind_shoulders\":true}", 30, &e), 0);
    assert_int_equal(c.hair_behind_shoulders, 1);
    assert_int_equal(tc_check_config_json(&c, "{\"hair_behind_shoulders\":1}", 27, &e), -1);
    assert_string_equal(e.code, "check.bad_config");
    assert_int_equal(c.hair_behind_shoulders, 1); /* a bad file leaves the config as it was */
}

static void test_shoulders(void **st)
{
    (void)st;
    scene s;
    tc_check_report rep;
    make(&s, 500, 620, 250, 190, 0.8, 0);
    const tc_check_result *r = run(&s, NULL, &rep, TC_CHECK_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    assert_true(r->value < 1.0);
    drop(&s);

    make(&s, 500, 620, 250, 190, 0.8, 18); /* one shoulder clearly lower */
    r = run(&s, NULL, &rep, TC_CHECK_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(fabs(r->value - 18) < 1.5);
    assert_non_null(strstr(r->zh, "肩"));
    drop(&s);

    make(&s, 500, 620, 250, 190, 0.8, -8); /* between: the reviewer looks */
    r = run(&s, NULL, &rep, TC_CHECK_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
    assert_non_null(strstr(r->zh, "审核"));
    drop(&s);

    /* shoulders out of the picture (a tight crop): could not assess */
    make(&s, 160, 400, 80, 190, 0.8, 0);
    r = run(&s, NULL, &rep, TC_CHECK_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
    drop(&s);
}

static void test_pattern(void **st)
{
    (void)st;
    scene s;
    tc_check_report rep;
    for (int kind = 0; kind < 3; kind++) {
        make(&s, 500, 700, 250, 190, 0.8, 0);
        clothes(&s, kind);
        const tc_check_result *r = run(&s, NULL, &rep, TC_CHECK_CLOTHING_PATTERN);
        if (kind == 1) {
            /* stripes: flagged for the reviewer, never a rejection */
            assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
            assert_non_null(strstr(r->zh, "条纹"));
            assert_true(r->value >= check_tuning(TC_CHECK_CLOTHING_PATTERN)->review);
        } else {
            /* a plain shirt, a suit and tie pass */
            assert_int_equal(r->verdict, TC_CHECK_PASS);
        }
        assert_int_not_equal(rep.r[TC_CHECK_CLOTHING_PATTERN].verdict, TC_CHECK_FAIL);
        drop(&s);
    }
}

static void test_makeup(void **st)
{
    (void)st;
    static const uint8_t natural[3] = {185, 115, 105}, lipstick[3] = {205, 20, 60}, blue[3] = {40, 140, 235};
    scene s;
    tc_check_report rep;
    make(&s, 500, 620, 250, 190, 0.8, 0);
    lips(&s, natural);
    const tc_check_result *r = run(&s, NULL, &rep, TC_CHECK_MAKEUP);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    drop(&s);

    make(&s, 500, 620, 250, 190, 0.8, 0);
    lips(&s, lipstick);
    r = run(&s, NULL, &rep, TC_CHECK_MAKEUP);
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN); /* flagged, never failed */
    assert_non_null(strstr(r->zh, "妆"));
    drop(&s);

    make(&s, 500, 620, 250, 190, 0.8, 0); /* bright blue lenses round the pupils */
    lips(&s, natural);
    static const uint8_t pupil[3] = {15, 12, 12};
    for (int e = 0; e < 2; e++) {
        disc(&s, s.cx + (e ? 40 : -40) * s.k, s.cy - 30 * s.k, 7 * s.k, 6 * s.k, blue, 0);
        disc(&s, s.cx + (e ? 40 : -40) * s.k, s.cy - 30 * s.k, 2 * s.k, 2 * s.k, pupil, 0);
    }
    r = run(&s, NULL, &rep, TC_CHECK_MAKEUP);
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
    assert_non_null(strstr(r->zh, "美瞳"));
    drop(&s);
}

static void test_hair_shoulders(void **st)
{
    (void)st;
    scene s;
    tc_check_report rep;
    make(&s, 500, 700, 250, 190, 0.8, 0);
    hair_front(&s);
    /* not asked by the school: not run */
    const tc_check_result *r = run(&s, NULL, &rep, TC_CHECK_HAIR_SHOULDERS);
    assert_true(r->skipped);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    r = run(&s, "{\"hair_behind_shoulders\":true}", &rep, TC_CHECK_HAIR_SHOULDERS);
    /* flagged for the reviewer (docs/QUALITY.md: not reliable enough to fail) */
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
    assert_true(r->value >= check_tuning(TC_CHECK_HAIR_SHOULDERS)->review);
    assert_non_null(strstr(r->zh, "肩膀后"));
    assert_non_null(strstr(r->zh, "审核"));
    drop(&s);

    make(&s, 500, 700, 250, 190, 0.8, 0); /* hair behind: passes */
    r = run(&s, "{\"hair_behind_shoulders\":true}", &rep, TC_CHECK_HAIR_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    assert_false(r->skipped);
    drop(&s);

    /* short hair on a tight crop (no chest to take the top's colour from):
     * the hair ends above the jaw, it passes without the top */
    make(&s, 500, 330, 250, 190, 0.8, 0);
    for (int y = (int)FY_(&s, 60); y < s.h; y++) /* cut the hair at the ears */
        for (int x = 0; x < s.w; x++) {
            uint8_t *p = px(&s, x, y);
            if (p[0] == HAIR[0] && p[1] == HAIR[1] && p[2] == HAIR[2]) {
                memcpy(p, BG, 3);
                s.mask.a[(size_t)y * s.w + x] = 0;
            }
        }
    r = run(&s, "{\"hair_behind_shoulders\":true}", &rep, TC_CHECK_HAIR_SHOULDERS);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    drop(&s);
}

static void test_body_framing(void **st)
{
    (void)st;
    scene s;
    tc_check_report rep;
    /* head and shoulders */
    make(&s, 500, 620, 250, 190, 0.8, 0);
    const tc_check_result *r = run(&s, NULL, &rep, TC_CHECK_BODY_FRAMING);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    assert_true(r->value < 2.6);
    drop(&s);

    /* full length: a small face at the top of a tall picture, the body to
     * the bottom: body_framing fails with the seed's reason, resolution
     * (which would fail too) leaves the reason to it */
    make(&s, 300, 1400, 150, 80, 0.25, 0);
    r = run(&s, NULL, &rep, TC_CHECK_BODY_FRAMING);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(r->value > 6);
    assert_non_null(strstr(r->zh, "半身或全身照"));
    assert_int_equal(rep.r[TC_CHECK_RESOLUTION].verdict, TC_CHECK_UNKNOWN);
    drop(&s);

    /* full length with plenty of pixels on the face: still refused */
    make(&s, 800, 2400, 400, 300, 1.0, 0);
    r = run(&s, NULL, &rep, TC_CHECK_BODY_FRAMING);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_int_equal(rep.r[TC_CHECK_RESOLUTION].verdict, TC_CHECK_PASS);
    drop(&s);

    /* full length, the face too small for landmarks: the detector's box
     * places it */
    make(&s, 300, 1400, 150, 80, 0.25, 0);
    s.mesh.presence = 0;
    r = run(&s, NULL, &rep, TC_CHECK_BODY_FRAMING);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    drop(&s);

    /* half length (to the waist) with a large face: the crop is made from
     * it, it passes */
    make(&s, 1000, 1300, 500, 300, 1.0, 0);
    r = run(&s, NULL, &rep, TC_CHECK_BODY_FRAMING);
    print_message("half length: extent %.2f, resolution %d\n", r->value, rep.r[TC_CHECK_RESOLUTION].verdict);
    assert_true(r->value > 2.2 && r->value < 4.3);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    drop(&s);
}

static int setup(void **st)
{
    (void)st;
    tc_err e = {0};
    return tc_photo_startup("test_check_body", &e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),   cmocka_unit_test(test_shoulders),      cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_makeup),  cmocka_unit_test(test_hair_shoulders), cmocka_unit_test(test_body_framing),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
