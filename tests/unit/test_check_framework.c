/* tc_check: names and codes, configuration, the run's verdict rules, the
 * JSON report, the overlay; and the landmark/lighting checks on a synthetic
 * face (an ellipse of skin with eyes, brows, nose and mouth drawn and the
 * mesh points those checks read placed on them), changed one way at a time:
 * eyes closed, mouth open, head tilted, face dark, half in shadow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "check/check_int.h"
#include "spec/tc_spec.h"

#define W 400
#define H 500
#define CX 200.0
#define CY 250.0
#define RX 90.0
#define RY 120.0

typedef struct synth {
    tc_photo_rgb im;
    tc_vision_face face;
    tc_vision_mesh mesh;
    tc_vision_eye_info eyes;
    tc_spec_table t;
    tc_check_input in;
} synth;

static void setpt(tc_vision_mesh *m, int i, double x, double y)
{
    m->points[i][0] = (float)(x / W);
    m->points[i][1] = (float)(y / H);
    m->points[i][2] = 0;
}

static void fill_disc(tc_photo_rgb *im, double cx, double cy, double rx, double ry, const uint8_t c[3])
{
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
            if (dx * dx + dy * dy <= 1)
                memcpy(im->px + ((size_t)y * im->width + x) * 3, c, 3);
        }
}

/* eye_h: half-height of the eyelid opening; lip_gap: lower lip below upper. */
static void make(synth *s, double eye_h, double lip_gap)
{
    memset(s, 0, sizeof *s);
    s->im.width = W, s->im.height = H;
    s->im.px = malloc((size_t)W * H * 3);
    assert_non_null(s->im.px);
    memset(s->im.px, 128, (size_t)W * H * 3);
    static const uint8_t skin[3] = {205, 165, 140}, white[3] = {235, 235, 235}, iris[3] = {50, 35, 30},
                         brow[3] = {60, 45, 40}, lip[3] = {170, 90, 90};
    fill_disc(&s->im, CX, CY, RX, RY, skin);
    /* some skin texture so that the face is not a flat field */
    for (size_t i = 0; i < (size_t)W * H * 3; i += 3)
        if (s->im.px[i] == skin[0] && s->im.px[i + 1] == skin[1])
            for (int k = 0; k < 3; k++)
                s->im.px[i + k] = (uint8_t)(s->im.px[i + k] + (int)((i * 2654435761u) >> 29) - 4);
    tc_vision_mesh *m = &s->mesh;
    m->presence = 1;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++)
        setpt(m, i, CX, CY);
    for (int k = 0; k < 36; k++) {
        double th = (-90 + 10 * k) * M_PI / 180;
        setpt(m, check_oval_idx[k], CX + RX * cos(th), CY + RY * sin(th));
    }
    for (int e = 0; e < 2; e++) {
        double ex = e ? 240 : 160, ey = 220, sg = e ? 1 : -1;
        fill_disc(&s->im, ex, ey, 18, eye_h, white);
        fill_disc(&s->im, ex, ey, fmin(5, eye_h), fmin(5, eye_h), iris);
        fill_disc(&s->im, ex, 195, 20, 3, brow);
        for (int i = 0; i < 16; i++) {
            double ph = M_PI * i / 8;
            setpt(m, check_eye_idx[e][i], ex + sg * 18 * cos(ph), ey + eye_h * sin(ph));
            s->eyes.contour[e][i][0] = m->points[check_eye_idx[e][i]][0];
            s->eyes.contour[e][i][1] = m->points[check_eye_idx[e][i]][1];
        }
        /* what tc_vision_eyes measures on this contour: the middle three
         * lid gaps over the corner-to-corner width */
        s->eyes.openness[e] = (float)(2 * eye_h * (2 * sin(3 * M_PI / 8) + 1) / 3 / 36);
        static const int brows[2][5] = {{70, 63, 105, 66, 107}, {300, 293, 334, 296, 336}};
        for (int i = 0; i < 5; i++)
            setpt(m, brows[e][i], ex - 18 + 9 * i, 195);
    }
    setpt(m, LM_BRIDGE, 200, 215);
    setpt(m, LM_NOSE_MID, 200, 240);
    setpt(m, LM_NOSE_TIP, 200, 280);
    fill_disc(&s->im, 200, 315 + lip_gap / 2, 30, 3 + lip_gap / 2, lip);
    setpt(m, LM_MOUTH_A, 170, 315);
    setpt(m, LM_MOUTH_B, 230, 315);
    setpt(m, LM_LIP_TOP, 200, 313);
    setpt(m, LM_LIP_BOT, 200, 317 + lip_gap);
    setpt(m, LM_CHEEK_PATCH_A, 155, 270);
    setpt(m, LM_CHEEK_PATCH_B, 245, 270);
    s->face = (tc_vision_face){.score = 0.9f,
                               .xmin = (float)((CX - RX) / W),
                               .ymin = (float)((CY - RY) / H),
                               .width = (float)(2 * RX / W),
                               .height = (float)(2 * RY / H)};
    tc_spec_table_builtin(&s->t);
    s->in = (tc_check_input){.work = &s->im,
                             .work_scale = 1,
                             .src_width = W,
                             .src_height = H,
                             .faces = &s->face,
                             .n_faces = 1,
                             .mesh = m,
                             .eyes = &s->eyes,
                             .spec = tc_spec_find(&s->t, "chsi"),
                             .background = {67, 142, 219}};
}

static void drop(synth *s)
{
    free(s->im.px);
    tc_spec_table_free(&s->t);
}

static void run(synth *s, tc_check_report *rep)
{
    tc_err e = {0};
    assert_int_equal(tc_check_run(NULL, &s->in, rep, &e), 0);
    for (int i = 0; i < TC_CHECK_N; i++) {
        const tc_check_result *r = &rep->r[i];
        assert_int_equal(r->id, i);
        assert_true(r->score >= -1 && r->score <= 100);
        /* never a silent pass: an unknown carries its reason */
        if (r->verdict == TC_CHECK_UNKNOWN)
            assert_true(r->zh[0] && r->en[0] && r->score == -1);
        if (r->verdict == TC_CHECK_FAIL)
            assert_true(r->zh[0] && r->en[0]);
        if (r->verdict == TC_CHECK_PASS && !r->skipped)
            assert_true(!r->zh[0] && !r->en[0]);
        assert_true(tc_utf8_valid(r->zh, strlen(r->zh)) && tc_utf8_valid(r->en, strlen(r->en)));
    }
}

static void test_names(void **st)
{
    (void)st;
    for (int i = 0; i < TC_CHECK_N; i++) {
        const char *n = tc_check_name((tc_check_id)i), *c = tc_check_code((tc_check_id)i);
        assert_non_null(n);
        assert_non_null(c);
        assert_string_equal(c + 6, n);
        assert_int_equal(tc_check_by_name(n), i);
        assert_int_equal(tc_check_by_name(c), i);
        assert_non_null(check_tuning((tc_check_id)i));
    }
    assert_null(tc_check_name(TC_CHECK_N));
    assert_int_equal(tc_check_by_name("light_darkk"), -1);
    assert_int_equal(tc_check_by_name(NULL), -1);
    assert_int_equal(tc_check_by_name("check.light_dark"), TC_CHECK_LIGHT_DARK);
    assert_true(tc_check_is_liveness(TC_CHECK_RECAPTURE));
    assert_false(tc_check_is_liveness(TC_CHECK_BLUR));
    /* check_ramp is linear and clamped, whichever way round */
    const check_tune *t = check_tuning(TC_CHECK_POSE_ROLL);
    assert_int_equal(check_ramp(TC_CHECK_POSE_ROLL, t->bad), 0);
    assert_int_equal(check_ramp(TC_CHECK_POSE_ROLL, t->good), 100);
    assert_int_equal(check_ramp(TC_CHECK_POSE_ROLL, t->good + (t->good - t->bad)), 100);
    assert_int_equal(check_ramp(TC_CHECK_POSE_ROLL, NAN), 0);
    /* tc_check_limit (the live guide's boundary) is check_ramp's inverse at
     * the threshold, for every check whose tuning is a ramp, default or not */
    tc_check_config c;
    tc_check_config_default(&c);
    c.threshold[TC_CHECK_POSE_ROLL] = 80;
    for (int i = 0; i < TC_CHECK_N; i++) {
        const check_tune *u = check_tuning((tc_check_id)i);
        if (u->bad == u->good)
            continue;
        assert_int_equal(check_ramp((tc_check_id)i, tc_check_limit(&c, (tc_check_id)i)), c.threshold[i]);
    }
    assert_float_equal(tc_check_limit(&c, TC_CHECK_POSE_ROLL), 14 + (5 - 14) * 0.8, 1e-9);
    assert_true(isnan(tc_check_limit(&c, TC_CHECK_N)));
    /* the guide's JSON names the spec's windows and the glasses rule */
    c.glasses = TC_CHECK_GLASSES_RULE_FORBIDDEN;
    tc_spec_table tab;
    tc_spec_table_builtin(&tab);
    char *g = tc_check_guide_json(&c, tc_spec_find(&tab, "chsi"));
    assert_non_null(g);
    json_t *o = json_loads(g, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "glasses_forbidden")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "spec"), "width")), 480);
    assert_true(json_is_true(json_object_get(json_object_get(o, "enabled"), "pose_roll")));
    json_decref(o);
    free(g);
    tc_spec_table_free(&tab);
}

static void test_config(void **st)
{
    (void)st;
    tc_check_config c, d;
    tc_check_config_default(&c);
    for (int i = 0; i < TC_CHECK_N; i++)
        assert_true(c.enabled[i] && c.threshold[i] >= 0 && c.threshold[i] <= 100);
    assert_int_equal(c.glasses, TC_CHECK_GLASSES_RULE_CLEAR_OK);
    tc_err e = {0};
    const char *ok = "{\"glasses\":\"forbidden\",\"thresholds\":{\"light_dark\":45,\"check.blur\":70},"
                     "\"disabled\":[\"jewelry\"]}";
    assert_int_equal(tc_check_config_json(&c, ok, strlen(ok), &e), 0);
    assert_int_equal(c.glasses, TC_CHECK_GLASSES_RULE_FORBIDDEN);
    assert_int_equal(c.threshold[TC_CHECK_LIGHT_DARK], 45);
    assert_int_equal(c.threshold[TC_CHECK_BLUR], 70);
    assert_false(c.enabled[TC_CHECK_JEWELRY]);
    d = c;
    const char *bad[] = {"{\"thresholds\":{\"light_drak\":45}}", "{\"thresholds\":{\"blur\":101}}",
                         "{\"glasses\":\"sometimes\"}", "{\"disabled\":[\"x\"]}", "{\"colour\":1}", "[1]", "{",
                         "{\"thresholds\":{\"blur\":\"50\"}}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tc_err_clear(&e);
        assert_int_equal(tc_check_config_json(&c, bad[i], strlen(bad[i]), &e), -1);
        assert_string_equal(e.code, "check.bad_config");
        assert_int_equal(e.status, 400);
        assert_memory_equal(&c, &d, sizeof c); /* unchanged by a bad file */
    }
}

static void test_no_face(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    s.in.n_faces = 0;
    s.in.mesh = NULL;
    tc_check_report rep;
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_FACE_COUNT].verdict, TC_CHECK_FAIL);
    for (int i = TC_CHECK_FACE_INSIDE; i <= TC_CHECK_CLOTHING_COLOUR; i++)
        assert_int_equal(rep.r[i].verdict, TC_CHECK_UNKNOWN);
    assert_false(rep.passed);
    assert_true(rep.n_failed >= 1 && rep.n_unknown >= 20);
    char *j = tc_check_report_json(&rep);
    assert_non_null(j);
    json_t *root = json_loads(j, 0, NULL);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "checks")), TC_CHECK_N);
    assert_false(json_is_true(json_object_get(root, "passed")));
    json_t *c0 = json_array_get(json_object_get(root, "checks"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "code")), "check.face_count");
    assert_string_equal(json_string_value(json_object_get(c0, "verdict")), "fail");
    json_decref(root);
    free(j);
    /* a caller bug is an error, not a report */
    tc_err e = {0};
    s.in.work = NULL;
    assert_int_equal(tc_check_run(NULL, &s.in, &rep, &e), -1);
    assert_string_equal(e.code, "check.bad_input");
    drop(&s);
}

static void test_disabled(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    tc_check_config c;
    tc_check_config_default(&c);
    c.enabled[TC_CHECK_FACE_COUNT] = 0;
    s.in.n_faces = 0;
    tc_check_report rep;
    tc_err e = {0};
    assert_int_equal(tc_check_run(&c, &s.in, &rep, &e), 0);
    assert_true(rep.r[TC_CHECK_FACE_COUNT].skipped);
    assert_int_equal(rep.r[TC_CHECK_FACE_COUNT].verdict, TC_CHECK_PASS);
    assert_int_equal(rep.r[TC_CHECK_FACE_COUNT].score, -1);
    drop(&s);
}

static int verdict(synth *s, tc_check_id id)
{
    tc_check_report rep;
    run(s, &rep);
    return rep.r[id].verdict;
}

static void test_synthetic_frontal(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    tc_check_report rep;
    run(&s, &rep);
    const tc_check_id good[] = {TC_CHECK_FACE_COUNT, TC_CHECK_FACE_INSIDE, TC_CHECK_POSE_YAW, TC_CHECK_POSE_PITCH,
                                TC_CHECK_POSE_ROLL,  TC_CHECK_EYES_OPEN,   TC_CHECK_GAZE,     TC_CHECK_MOUTH_CLOSED,
                                TC_CHECK_EXPRESSION, TC_CHECK_LIGHT_DARK,  TC_CHECK_LIGHT_BRIGHT,
                                TC_CHECK_LIGHT_UNEVEN, TC_CHECK_LIGHT_HOTSPOT, TC_CHECK_RED_EYE,
                                TC_CHECK_GLASSES_TINTED, TC_CHECK_HAIR_BROWS};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (rep.r[good[i]].verdict != TC_CHECK_PASS)
            print_message("%s: score %d value %g\n", tc_check_name(good[i]), rep.r[good[i]].score,
                          rep.r[good[i]].value);
        assert_int_equal(rep.r[good[i]].verdict, TC_CHECK_PASS);
    }
    assert_true(fabs(rep.r[TC_CHECK_POSE_ROLL].value) < 0.5);
    /* no plan given: geometry cannot be assessed, and says so */
    assert_int_equal(rep.r[TC_CHECK_GEOMETRY].verdict, TC_CHECK_UNKNOWN);
    uint8_t *png = NULL;
    size_t len = 0;
    tc_err e = {0};
    assert_int_equal(tc_check_overlay(&s.in, &rep, &png, &len, &e), 0);
    assert_true(len > 8 && !memcmp(png, "\x89PNG", 4));
    free(png);
    drop(&s);
}

/* ears_visible says which ear it misses (2026-12-07): dark hair beside the
 * left cheek (in the picture) and none beside the right give sides = [low,
 * high], the value is the lower, the JSON carries both; the other checks
 * have none.  (This fixture's skin is a noisy texture whose mean reads
 * L*a*b* (56, 10, 4), so its mid-grey surround is skin-like to the check:
 * the right "ear".)  The gallery holds only an ear seen to the ears' alpha
 * bound (docs/QUALITY.md, session 17). */
static void test_ears_sides(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    setpt(&s.mesh, LM_CHEEK_A, CX - RX, 260);
    setpt(&s.mesh, LM_CHEEK_B, CX + RX, 260);
    static const uint8_t hair[3] = {35, 28, 25};
    for (int y = 200; y < 330; y++)
        for (int x = 0; x < 40; x++)
            memcpy(s.im.px + ((size_t)y * W + (size_t)(CX - RX) - 1 - x) * 3, hair, 3);
    tc_check_report rep;
    run(&s, &rep);
    const tc_check_result *r = &rep.r[TC_CHECK_EARS_VISIBLE];
    print_message("ears_visible: sides %.3f %.3f, value %.3f, %s\n", r->sides[0], r->sides[1], r->value,
                  r->verdict == TC_CHECK_FAIL ? "fail" : "pass");
    assert_true(r->sides[0] < 0.05 && r->sides[1] > 0.5);
    assert_true(r->value == r->sides[0]);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(isnan(rep.r[TC_CHECK_HAIR_BROWS].sides[0]));
    char *j = tc_check_report_json(&rep);
    json_t *root = json_loads(j, 0, NULL);
    assert_non_null(root);
    json_t *a = json_object_get(json_array_get(json_object_get(root, "checks"), TC_CHECK_EARS_VISIBLE), "sides");
    assert_int_equal(json_array_size(a), 2);
    assert_true(fabs(json_real_value(json_array_get(a, 1)) - r->sides[1]) < 0.001);
    assert_null(json_object_get(json_array_get(json_object_get(root, "checks"), TC_CHECK_HAIR_BROWS), "sides"));
    json_decref(root);
    free(j);
    drop(&s);
}

/* light_hotspot: a white patch on the forehead of about 5 % of the face
 * oval goes to the reviewer (the check has no bad examples to show its
 * misses: docs/QUALITY.md); one over a third of the face fails. */
static void test_hotspot_review(void **st)
{
    (void)st;
    static const uint8_t white[3] = {252, 252, 252};
    const double rad[2] = {23, 62};
    for (int k = 0; k < 2; k++) {
        synth s;
        make(&s, 6, 0);
        fill_disc(&s.im, CX, k ? CY : 165, rad[k], rad[k], white);
        tc_check_report rep;
        run(&s, &rep);
        const tc_check_result *r = &rep.r[TC_CHECK_LIGHT_HOTSPOT];
        print_message("light_hotspot, a white disc of radius %.0f: value %.3f, verdict %d\n", rad[k], r->value, r->verdict);
        if (!k) {
            assert_true(r->value > 0.03 && r->value < CHECK_HOTSPOT_FAIL);
            assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
            assert_non_null(strstr(r->zh, "审核"));
        } else {
            assert_true(r->value >= CHECK_HOTSPOT_FAIL);
            assert_int_equal(r->verdict, TC_CHECK_FAIL);
        }
        drop(&s);
    }
}

/* The ear tests' scene (test_ears_review, test_ears_shade): the contour
 * points at ear level on the oval's sides, and the pixels painted lit: the
 * cheek patches (the face's own skin) and the picture's right side. */
static void cheeks_at_ears(synth *s)
{
    setpt(&s->mesh, LM_CHEEK_A, CX - RX, 260);
    setpt(&s->mesh, LM_CHEEK_B, CX + RX, 260);
}

static int lit_side(int x, int y)
{
    return (x >= 138 && x < 172 && y >= 252 && y < 290) || (x >= 228 && x < 262 && y >= 252 && y < 290) || x >= 268;
}

/* Some skin beside the lower ear, under the threshold's fail point but
 * above CHECK_EARS_FAIL: a thin ear the patch misreads as often as a hidden
 * one, so the reviewer decides ("could not assess" with the value kept);
 * hair over the whole patch still fails (test_ears_sides). */
enum { ROWS_SEEN = 2 };

static void test_ears_review(void **st)
{
    (void)st;
    /* painted as in test_ears_shade: the cheek patches (the face's skin)
     * and the right side lit, the left of the contour point hair but for
     * a few rows of the same skin */
    static const uint8_t hair[3] = {35, 28, 25}, lit[3] = {230, 185, 130};
    for (int rows = 0; rows <= ROWS_SEEN; rows += ROWS_SEEN) {
        synth s;
        make(&s, 6, 0);
        cheeks_at_ears(&s);
        for (int y = 200; y < 330; y++)
            for (int x = 60; x < 340; x++) {
                const uint8_t *c = NULL;
                if (x < (int)(CX - RX))
                    c = y >= 250 && y < 250 + rows ? lit : hair;
                else if (lit_side(x, y))
                    c = lit;
                if (c)
                    memcpy(s.im.px + ((size_t)y * W + (size_t)x) * 3, c, 3);
            }
        tc_check_report rep;
        run(&s, &rep);
        const tc_check_result *r = &rep.r[TC_CHECK_EARS_VISIBLE];
        print_message("ears_visible, %d rows of skin: sides %.3f %.3f value %.3f, verdict %d, %s\n", rows, r->sides[0], r->sides[1], r->value, r->verdict, r->zh);
        if (rows) {
            assert_true(r->value >= CHECK_EARS_FAIL && r->value < 0.05);
            assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
            assert_non_null(strstr(r->zh, "审核"));
        } else {
            assert_true(r->value < CHECK_EARS_FAIL);
            assert_int_equal(r->verdict, TC_CHECK_FAIL);
        }
        drop(&s);
    }
}

/* ears_visible judges each ear against the cheek beside it (2026-12-07,
 * session 17).  A side light: the cheek patches and the right side lit,
 * (230, 185, 130), L*a*b* about (78, 9, 34); the left cheek's outer part
 * and the ear beside it in shade, (160, 112, 85), about (52, 16, 23): ΔE
 * 29 and a*b* 13 from the face's skin, so not skin-like to the face, yet
 * the ear is seen (AR m-001-5's left ear).  Dark hair beside the same
 * shaded cheek is still not an ear (nearly grey, under half the cheek's
 * chroma). */
static void test_ears_shade(void **st)
{
    (void)st;
    static const uint8_t lit[3] = {230, 185, 130}, shade[3] = {160, 112, 85}, hair[3] = {35, 28, 25};
    for (int h = 0; h < 2; h++) {
        synth s;
        make(&s, 6, 0);
        cheeks_at_ears(&s);
        for (int y = 230; y < 330; y++)
            for (int x = 60; x < 340; x++) {
                const uint8_t *c = NULL;
                if (x < 132) /* the left cheek's outer part (inside 234) and beside it */
                    c = h && x < (int)(CX - RX) ? hair : shade;
                else if (lit_side(x, y)) /* the cheek patches (the face's skin) and the right side */
                    c = lit;
                if (c)
                    memcpy(s.im.px + ((size_t)y * W + (size_t)x) * 3, c, 3);
            }
        tc_check_report rep;
        run(&s, &rep);
        const tc_check_result *r = &rep.r[TC_CHECK_EARS_VISIBLE];
        print_message("ears_visible, %s beside a shaded cheek: sides %.3f %.3f\n", h ? "hair" : "a shaded ear",
                      r->sides[0], r->sides[1]);
        if (h)
            assert_true(r->sides[0] < 0.05);
        else
            assert_true(r->sides[0] > 0.5);
        assert_true(r->sides[1] > 0.5);
        drop(&s);
    }
}

/* blur's contrast is taken within each half of the face (2026-12-07): a
 * side light that leaves one half at 2/5 of the other adds a step between
 * the halves that is no detail.  In the global variance that step made the
 * sharp side-lit face read blurred (AR m-001-5/-6, the shadow variants
 * of the synthetic set).  This face smoothed twice by a 5x5 box is soft
 * but passes lit evenly (0.217); with its left half at 2/5 it read 0.060
 * and failed before, 0.225 now.  Smoothed four times (about a Gaussian of
 * sigma 2.8 px on a 240 px tall face) it fails either way (0.146, 0.141). */
static void box5(synth *s)
{
    uint8_t *c = malloc((size_t)W * H * 3);
    assert_non_null(c);
    memcpy(c, s->im.px, (size_t)W * H * 3);
    for (int y = 2; y < H - 2; y++)
        for (int x = 2; x < W - 2; x++)
            for (int k = 0; k < 3; k++) {
                int sum = 0;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        sum += c[((size_t)(y + dy) * W + x + dx) * 3 + k];
                s->im.px[((size_t)y * W + x) * 3 + k] = (uint8_t)(sum / 25);
            }
    free(c);
}

static void test_blur_side_light(void **st)
{
    (void)st;
    for (int smooth = 0; smooth <= 4; smooth += 2)
        for (int side = 0; side < 2; side++) {
            synth s;
            make(&s, 6, 0);
            if (side)
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < (int)CX; x++)
                        for (int k = 0; k < 3; k++)
                            s.im.px[((size_t)y * W + x) * 3 + k] =
                                (uint8_t)(s.im.px[((size_t)y * W + x) * 3 + k] * 2 / 5);
            for (int pass = 0; pass < smooth; pass++)
                box5(&s);
            tc_check_report rep;
            run(&s, &rep);
            const tc_check_result *r = &rep.r[TC_CHECK_BLUR];
            print_message("blur, smoothed %d times, %s: %s value %.3f\n", smooth, side ? "side-lit" : "even",
                          r->verdict == TC_CHECK_PASS ? "pass" : r->verdict == TC_CHECK_FAIL ? "fail" : "unsure",
                          r->value);
            assert_int_equal(r->verdict, smooth < 4 ? TC_CHECK_PASS : TC_CHECK_FAIL);
            drop(&s);
        }
}

static void test_synthetic_faults(void **st)
{
    (void)st;
    synth s;
    make(&s, 1.0, 0); /* eyes nearly shut */
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_FAIL);
    drop(&s);

    /* issue 16 item 2: one eye closed (a wink) fails, whatever the other */
    make(&s, 6, 0);
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_PASS);
    s.eyes.openness[1] = 0.05f;
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_FAIL);
    /* a half-closed eye beside an open one: less open than the other by
     * more than the wink ratio, so it fails although above the threshold */
    s.eyes.openness[0] = 0.30f, s.eyes.openness[1] = 0.15f;
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_FAIL);
    /* both narrow but alike (a squint, a smile): flagged for the reviewer */
    s.eyes.openness[0] = 0.15f, s.eyes.openness[1] = 0.14f;
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_UNKNOWN);
    {
        /* the student reads who decides, in the words every other flag uses
         * (审核老师, not the staff console's 审核员), and what to do */
        tc_check_report rep;
        run(&s, &rep);
        const char *zh = rep.r[TC_CHECK_EYES_OPEN].zh;
        assert_non_null(strstr(zh, "审核老师"));
        assert_null(strstr(zh, "审核员"));
        assert_non_null(strstr(zh, "重拍"));
    }
    /* no eyelid measurement at all: could not assess, never a pass */
    s.in.eyes = NULL;
    assert_int_equal(verdict(&s, TC_CHECK_EYES_OPEN), TC_CHECK_UNKNOWN);
    drop(&s);

    make(&s, 6, 18); /* mouth open */
    assert_int_equal(verdict(&s, TC_CHECK_MOUTH_CLOSED), TC_CHECK_FAIL);
    drop(&s);

    make(&s, 6, 0); /* head tilted 15 degrees: rotate every point about the face centre */
    double a = 15 * M_PI / 180;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        double x = s.mesh.points[i][0] * W - CX, y = s.mesh.points[i][1] * H - CY;
        setpt(&s.mesh, i, CX + x * cos(a) - y * sin(a), CY + x * sin(a) + y * cos(a));
    }
    tc_check_report rep;
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_POSE_ROLL].verdict, TC_CHECK_FAIL);
    assert_true(fabs(rep.r[TC_CHECK_POSE_ROLL].value - 15) < 0.5);
    assert_int_equal(rep.r[TC_CHECK_POSE_YAW].verdict, TC_CHECK_PASS);
    drop(&s);

    make(&s, 6, 0); /* dark */
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        s.im.px[i] = (uint8_t)(s.im.px[i] / 4);
    assert_int_equal(verdict(&s, TC_CHECK_LIGHT_DARK), TC_CHECK_FAIL);
    drop(&s);

    make(&s, 6, 0); /* over-exposed */
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        s.im.px[i] = (uint8_t)fmin(255, s.im.px[i] * 1.6);
    assert_int_equal(verdict(&s, TC_CHECK_LIGHT_BRIGHT), TC_CHECK_FAIL);
    drop(&s);

    make(&s, 6, 0); /* the image's left half of the face in shadow */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < (int)CX; x++)
            for (int k = 0; k < 3; k++)
                s.im.px[((size_t)y * W + x) * 3 + k] = (uint8_t)(s.im.px[((size_t)y * W + x) * 3 + k] * 2 / 5);
    assert_int_equal(verdict(&s, TC_CHECK_LIGHT_UNEVEN), TC_CHECK_FAIL);
    drop(&s);

    make(&s, 6, 0); /* a mesh the model marked as no face: could not assess */
    s.mesh.presence = 0.1f;
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_EYES_OPEN].verdict, TC_CHECK_UNKNOWN);
    s.mesh.presence = 1;
    s.mesh.points[5][0] = NAN; /* garbage points: also unknown, never a crash */
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_POSE_YAW].verdict, TC_CHECK_UNKNOWN);
    drop(&s);
}

/* The mouth of the synthetic face at width (mouth width / face width)
 * with its corners lift mouth widths above the lips' centre. */
static void set_mouth(synth *s, double width, double lift)
{
    const float *a = s->mesh.points[LM_CHEEK_A], *b = s->mesh.points[LM_CHEEK_B];
    double fw = hypot((a[0] - b[0]) * W, (a[1] - b[1]) * H), mw = width * fw;
    setpt(&s->mesh, LM_MOUTH_A, 200 - mw / 2, 315 - lift * mw);
    setpt(&s->mesh, LM_MOUTH_B, 200 + mw / 2, 315 - lift * mw);
}

/* expression (issue 16 item 5): a smile lifts the mouth's corners and
 * widens it, and the index reads the two together: corners turned up by
 * nature on a narrow mouth are no smile (the portrait base_06, failed
 * before 2026-12-07), a smile that lifts little but widens is (the Yale
 * happy faces, passed before), and a broad smile is one even flat.  From
 * 0.055 up to the fail point (0.08) the reviewer decides: faint smiles and
 * naturally upturned corners read alike there (session 18). */
static void test_expression(void **st)
{
    (void)st;
    const struct {
        double width, lift, value;
        tc_check_verdict v;
    } cases[] = {
        {0.36, 0.0, -0.02, TC_CHECK_PASS},     /* neutral                          */
        {0.35, 0.06, 0.035, TC_CHECK_PASS},    /* slightly upturned corners, narrow */
        {0.35, 0.082, 0.057, TC_CHECK_UNKNOWN}, /* upturned corners, narrow: 0.082 (a fail) before
                                                  2026-12-07, a pass until the review band */
        {0.47, 0.07, 0.105, TC_CHECK_FAIL},    /* lifts a little, widens: 0.07 before */
        {0.56, 0.0, 0.096, TC_CHECK_FAIL},     /* broad, flat                      */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        synth s;
        make(&s, 6, 0);
        set_mouth(&s, cases[i].width, cases[i].lift);
        tc_check_report rep;
        run(&s, &rep);
        const tc_check_result *r = &rep.r[TC_CHECK_EXPRESSION];
        print_message("width %.2f lift %.3f: value %.4f score %d\n", cases[i].width, cases[i].lift, r->value, r->score);
        assert_true(fabs(r->value - cases[i].value) < 0.002);
        assert_int_equal(r->verdict, cases[i].v);
        if (cases[i].v == TC_CHECK_FAIL)
            assert_non_null(strstr(r->zh, "表情"));
        if (cases[i].v == TC_CHECK_UNKNOWN) /* flagged: the student reads that a reviewer decides */
            assert_true(strstr(r->zh, "审核") && r->score == -1);
        drop(&s);
    }
}

/* A thin frame drawn on the synthetic face: an elliptic ring of half-axes
 * 32 x 32 px (0.4 eye distances) around eye e, 2 px of dark grey, and no
 * bar across the bridge (a thin metal bridge barely marks the bridge patch:
 * Yale's frames, docs/QUALITY.md). */
static void thin_rim(synth *s, int e)
{
    double ex = e ? 240 : 160, ey = 220;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double r = hypot(x + 0.5 - ex, y + 0.5 - ey);
            if (r >= 31 && r <= 33)
                memset(s->im.px + ((size_t)y * W + x) * 3, 70, 3);
        }
}

/* make()'s skin texture is near-random bytes (an index product of 64
 * bits shifted by 29), far rougher than any cheek: give the face the
 * texture of skin, a pattern of +-2 levels, keeping the drawn features (the
 * pixels of exactly their colours). */
static void calm_skin(synth *s)
{
    static const uint8_t keep[4][3] = {{235, 235, 235}, {50, 35, 30}, {60, 45, 40}, {170, 90, 90}};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double dx = (x + 0.5 - CX) / RX, dy = (y + 0.5 - CY) / RY;
            uint8_t *q = s->im.px + ((size_t)y * W + x) * 3;
            int feature = 0;
            for (int k = 0; k < 4; k++)
                feature |= !memcmp(q, keep[k], 3);
            if (dx * dx + dy * dy > 1 || feature)
                continue;
            int n = (x * 7 + y * 13) % 5 - 2;
            q[0] = (uint8_t)(205 + n), q[1] = (uint8_t)(165 + n), q[2] = (uint8_t)(140 + n);
        }
}

static const tc_check_result *glasses_result(synth *s, tc_check_report *rep)
{
    tc_check_config c;
    tc_check_config_default(&c);
    c.glasses = TC_CHECK_GLASSES_RULE_FORBIDDEN;
    tc_err e = {0};
    assert_int_equal(tc_check_run(&c, &s->in, rep, &e), 0);
    return &rep->r[TC_CHECK_GLASSES];
}

/* glasses where they are forbidden (issue 16, session 18): thin frames
 * that leave the bridge bare are seen by their sides beside both eyes.  The
 * bare face passes, a ring around one eye only (a shadow, a fold on one
 * side) passes, rings around both fail — on the bridge index alone, before
 * the side cue, all three passed. */
static void test_glasses_thin_frame(void **st)
{
    (void)st;
    synth s;
    tc_check_report rep;
    make(&s, 6, 0);
    calm_skin(&s);
    const tc_check_result *r = glasses_result(&s, &rep);
    print_message("bare: value %.2f score %d\n", r->value, r->score);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    assert_true(r->value < 2.5);
    thin_rim(&s, 0);
    r = glasses_result(&s, &rep);
    print_message("one rim: value %.2f score %d\n", r->value, r->score);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    thin_rim(&s, 1);
    r = glasses_result(&s, &rep);
    print_message("both rims: value %.2f score %d\n", r->value, r->score);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(r->value >= 4.0);
    assert_non_null(strstr(r->en, "glasses"));
    drop(&s);
}

/* geometry's advice names no spec in Chinese ("chsi" is no word of the
 * student's page); the English names it. */
static void test_geometry_words(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    tc_photo_layout l;
    memset(&l, 0, sizeof l);
    l.eye_line_y = 400, l.face_width = 200, l.hair_top_y = 80, l.face_centre_x = 240, l.chin_y = 560;
    l.inside = 1;
    s.in.lay = &l;
    tc_check_report rep;
    run(&s, &rep);
    const tc_check_result *r = &rep.r[TC_CHECK_GEOMETRY];
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    for (const char *p = r->zh; *p; p++)
        assert_false((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));
    assert_non_null(strstr(r->zh, "照片规格"));
    assert_non_null(strstr(r->en, "chsi"));
    drop(&s);
}

/* A black-and-white photo (issue 16, Yale's grey faces): the checks that
 * judge by colour say "could not assess" with a reason, never pass or fail
 * for want of colour; the others judge it as before. */
static void test_grey_photo(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    tc_check_report colour;
    run(&s, &colour);
    for (size_t i = 0; i < (size_t)W * H * 3; i += 3) {
        uint8_t y = (uint8_t)lround(0.299 * s.im.px[i] + 0.587 * s.im.px[i + 1] + 0.114 * s.im.px[i + 2]);
        s.im.px[i] = s.im.px[i + 1] = s.im.px[i + 2] = y;
    }
    tc_check_report grey;
    run(&s, &grey);
    const tc_check_id by_colour[] = {TC_CHECK_RED_EYE, TC_CHECK_HAIR_BROWS, TC_CHECK_EARS_VISIBLE, TC_CHECK_HEADWEAR,
                                     TC_CHECK_CLOTHING_COLOUR};
    for (size_t i = 0; i < sizeof by_colour / sizeof *by_colour; i++) {
        assert_int_equal(grey.r[by_colour[i]].verdict, TC_CHECK_UNKNOWN);
        assert_non_null(strstr(grey.r[by_colour[i]].zh, "黑白"));
    }
    const tc_check_id by_luma[] = {TC_CHECK_EYES_OPEN, TC_CHECK_MOUTH_CLOSED, TC_CHECK_POSE_ROLL, TC_CHECK_LIGHT_DARK,
                                   TC_CHECK_GLASSES_TINTED};
    for (size_t i = 0; i < sizeof by_luma / sizeof *by_luma; i++)
        assert_int_equal(grey.r[by_luma[i]].verdict, colour.r[by_luma[i]].verdict);
    drop(&s);
}

/* Issue 16, item 2: anything dark over an eye fails glasses_tinted whatever
 * its shape, each eye on its own, and the advice names the real cause:
 * lenses when both eyes are dark, something in front of one eye otherwise;
 * a side light that darkens eye and cheek alike is no cover. */
static void darken_rect(synth *s, int x0, int y0, int x1, int y1, double keep, int add)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int k = 0; k < 3; k++) {
                uint8_t *p = s->im.px + ((size_t)y * W + x) * 3 + k;
                *p = (uint8_t)fmin(255, *p * keep + add);
            }
}

static void test_eyes_covered(void **st)
{
    (void)st;
    synth s;
    tc_check_report rep;
    make(&s, 6, 0); /* rectangular black lenses with a bridge */
    darken_rect(&s, 132, 200, 188, 240, 0.05, 20);
    darken_rect(&s, 212, 200, 268, 240, 0.05, 20);
    darken_rect(&s, 188, 205, 212, 209, 0.05, 20);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "镜片"));
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].en, "lenses"));
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "再重拍"));
    drop(&s);

    make(&s, 6, 0); /* round lenses letting 15 % of the light through (the white drawn here
                      * is 1.7 times the cheek, far brighter than real sclera: 25 % would pass) */
    for (int e = 0; e < 2; e++)
        for (int y = 190; y < 250; y++)
            for (int x = (e ? 240 : 160) - 30; x < (e ? 240 : 160) + 30; x++)
                if (hypot(x - (e ? 240 : 160), y - 220) < 28)
                    darken_rect(&s, x, y, x + 1, y + 1, 0.15, 0);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_FAIL);
    assert_true(rep.r[TC_CHECK_GLASSES_TINTED].value < 0.37);
    drop(&s);

    make(&s, 6, 0); /* lenses letting 23 % through: darker than eyes are, not surely lenses */
    darken_rect(&s, 132, 200, 188, 240, 0.23, 0);
    darken_rect(&s, 212, 200, 268, 240, 0.23, 0);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_UNKNOWN);
    assert_true(rep.r[TC_CHECK_GLASSES_TINTED].value >= 0.37 && rep.r[TC_CHECK_GLASSES_TINTED].value < 0.45);
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "审核"));
    drop(&s);

    make(&s, 6, 0); /* a dark lock of hair over eye A only */
    darken_rect(&s, 138, 150, 184, 240, 0.0, 40);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "一只眼睛"));
    assert_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "镜片"));
    assert_non_null(strstr(rep.r[TC_CHECK_GLASSES_TINTED].zh, "后重拍"));
    drop(&s);

    make(&s, 6, 0); /* the image's left half in shadow: eye and cheek alike */
    darken_rect(&s, 0, 0, (int)CX, H, 0.4, 0);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_PASS);
    assert_int_equal(rep.r[TC_CHECK_LIGHT_UNEVEN].verdict, TC_CHECK_FAIL);
    drop(&s);
}

/* Headwear (issue 16, item 4) on the synthetic face with hair drawn round
 * it (down beside the temples, the hairline at the top of the face oval,
 * strands as stripes) and a person mask over face and hair.  Plain dark or
 * blonde hair passes (a blonde was taken for a cap before); a navy peaked
 * cap covering the whole crown and a red headband across the head fail as
 * headwear (at or above CHECK_HEADWEAR_FAIL; they were only flagged before
 * session 12); a cap over most of the crown is flagged for review ("could
 * not assess", naming the hat and the reviewer); a stricter school
 * threshold fails a partly covered head with the whole advice. */
static void add_hair(synth *s, tc_photo_mask *m, const uint8_t col[3])
{
    m->width = W, m->height = H;
    m->a = calloc((size_t)W * H, sizeof(float));
    assert_non_null(m->a);
    const double hx = CX, hy = CY - 15, hrx = RX + 28, hry = RY + 30;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double fx = (x + 0.5 - CX) / RX, fy = (y + 0.5 - CY) / RY;
            double gx = (x + 0.5 - hx) / hrx, gy = (y + 0.5 - hy) / hry;
            int face = fx * fx + fy * fy <= 1, hair = gx * gx + gy * gy <= 1;
            if (face || hair)
                m->a[(size_t)y * W + x] = 1;
            /* hair: the head outside the face, and the face above its top (the hairline) */
            if (!hair || (face && y >= CY - RY + 8) || y >= CY + 20)
                continue;
            uint8_t *p = s->im.px + ((size_t)y * W + x) * 3;
            int strand = ((x * 7 + y / 3) % 5) * 6 - 12;
            for (int k = 0; k < 3; k++)
                p[k] = (uint8_t)fmax(0, fmin(255, col[k] + strand));
        }
    s->in.mask = m;
}

static void paint(synth *s, const tc_photo_mask *m, int y0, int y1, int x1, const uint8_t col[3])
{
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < x1; x++)
            if (m->a[(size_t)y * W + x] > 0.5f) {
                uint8_t *p = s->im.px + ((size_t)y * W + x) * 3;
                double shade = 0.9 + 0.1 * cos((x - CX) / RX);
                for (int k = 0; k < 3; k++)
                    p[k] = (uint8_t)(col[k] * shade);
            }
}

static void test_headwear(void **st)
{
    (void)st;
    static const uint8_t dark[3] = {45, 35, 30}, blonde[3] = {215, 190, 150}, navy[3] = {28, 32, 52},
                         red[3] = {170, 30, 45};
    synth s;
    tc_photo_mask m;
    tc_check_report rep;
    const tc_check_result *r = &rep.r[TC_CHECK_HEADWEAR];
    for (int k = 0; k < 2; k++) {
        make(&s, 6, 0);
        add_hair(&s, &m, k ? blonde : dark);
        run(&s, &rep);
        print_message("%s hair: headwear %d (%.3f)\n", k ? "blonde" : "dark", r->score, r->value);
        assert_int_equal(r->verdict, TC_CHECK_PASS);
        assert_true(r->value < 0.3);
        free(m.a);
        drop(&s);
    }

    make(&s, 6, 0); /* a navy cap down to the forehead, over dark hair */
    add_hair(&s, &m, dark);
    paint(&s, &m, 0, (int)(CY - RY + 25), W, navy);
    run(&s, &rep);
    print_message("navy cap: headwear %d (%.3f) %s\n", r->score, r->value, r->zh);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(r->value >= CHECK_HEADWEAR_FAIL);
    assert_non_null(strstr(r->zh, "帽子"));
    assert_non_null(strstr(r->zh, "头部覆盖物"));
    assert_non_null(strstr(r->en, "take off hats"));
    /* the advice is whole (not cut in the middle of a character) */
    assert_string_equal(r->zh + strlen(r->zh) - strlen("老师）"), "老师）");
    for (const char *q = r->zh; *q; q++) /* no English word in the Chinese */
        assert_false((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'));
    free(m.a);
    drop(&s);

    make(&s, 6, 0); /* a navy cap over the crown's middle only (between the review and the
                      * fail point): the reviewer decides */
    add_hair(&s, &m, dark);
    paint(&s, &m, 0, (int)(CY - RY + 25), (int)(CX + 25), navy);
    run(&s, &rep);
    print_message("part cap: headwear %d (%.3f) %s\n", r->score, r->value, r->zh);
    assert_int_equal(r->verdict, TC_CHECK_UNKNOWN);
    assert_true(r->value >= check_tuning(TC_CHECK_HEADWEAR)->review && r->value < CHECK_HEADWEAR_FAIL);
    assert_non_null(strstr(r->zh, "帽子"));
    assert_non_null(strstr(r->zh, "审核"));
    assert_non_null(strstr(r->en, "reviewer"));
    assert_string_equal(r->zh + strlen(r->zh) - strlen("决定）"), "决定）");
    for (const char *q = r->zh; *q; q++)
        assert_false((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'));
    free(m.a);
    drop(&s);

    make(&s, 6, 0); /* a red headband across blonde hair at the hairline */
    add_hair(&s, &m, blonde);
    paint(&s, &m, (int)(CY - RY - 14), (int)(CY - RY + 10), W, red);
    run(&s, &rep);
    print_message("red band: headwear %d (%.3f)\n", r->score, r->value);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->zh, "发箍"));
    assert_non_null(strstr(r->zh, "头部覆盖物"));
    free(m.a);
    drop(&s);

    make(&s, 6, 0); /* red over one side of the crown only: below the review point, but a
                      * stricter school threshold fails it, with the whole advice */
    add_hair(&s, &m, dark);
    paint(&s, &m, 0, (int)(CY - RY), (int)(CX - 15), red);
    run(&s, &rep);
    print_message("one side: headwear %d (%.3f)\n", r->score, r->value);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    assert_true(r->value > 0.1 && r->value < 0.6);
    tc_check_config c;
    tc_check_config_default(&c);
    tc_err e = {0};
    const char *strict = "{\"thresholds\":{\"headwear\":95}}";
    assert_int_equal(tc_check_config_json(&c, strict, strlen(strict), &e), 0);
    assert_int_equal(tc_check_run(&c, &s.in, &rep, &e), 0);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    const char *zh = r->zh;
    assert_non_null(strstr(zh, "头部覆盖物"));
    assert_string_equal(zh + strlen(zh) - strlen("老师）"), "老师）");
    assert_non_null(strstr(r->en, "tell your school)"));
    free(m.a);
    drop(&s);
}

/* Jewellery (session 12): a white collar against a dark tie below the chin
 * is no jewellery (its edges are brighter than their neighbourhood, as a
 * sparkle is, but light half of it: the officer's and officials' white
 * shirts failed before); a collar of small glittering stones still fails. */
static void rect(synth *s, int x0, int y0, int x1, int y1, uint8_t v)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            memset(s->im.px + ((size_t)y * W + x) * 3, v, 3);
}

static void test_jewelry(void **st)
{
    (void)st;
    synth s;
    tc_check_report rep;
    const tc_check_result *r = &rep.r[TC_CHECK_JEWELRY];
    make(&s, 6, 0); /* white shirt, dark jacket beside it, dark tie down the middle */
    rect(&s, 140, 372, 260, H, 40);
    rect(&s, 165, 372, 235, H, 240);
    rect(&s, 192, 380, 208, H, 30);
    run(&s, &rep);
    print_message("collar and tie: jewelry %d (%.4f)\n", r->score, r->value);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    drop(&s);

    make(&s, 6, 0); /* single glittering points, 3 px apart, over the neck */
    for (int y = 390; y < 440; y += 3)
        for (int x = 150; x < 250; x += 3)
            rect(&s, x, y, x + 1, y + 1, 250);
    run(&s, &rep);
    print_message("glitter: jewelry %d (%.4f)\n", r->score, r->value);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->zh, "饰品"));
    drop(&s);
}

/* Issue 16, item 6: what is not in the picture is "could not assess", with
 * its reason, never a failure (nor a silent pass). */
static void test_cannot_assess(void **st)
{
    (void)st;
    synth s;
    tc_check_report rep;
    make(&s, 6, 0); /* eye A's contour past the left edge */
    for (int i = 0; i < 16; i++)
        s.mesh.points[check_eye_idx[0][i]][0] -= (float)(200.0 / W);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_EYES_OPEN].verdict, TC_CHECK_UNKNOWN);
    assert_int_equal(rep.r[TC_CHECK_GLASSES_TINTED].verdict, TC_CHECK_UNKNOWN);
    assert_non_null(strstr(rep.r[TC_CHECK_EYES_OPEN].zh, "画面"));
    drop(&s);

    make(&s, 6, 0); /* the top of the head above the picture */
    setpt(&s.mesh, LM_FOREHEAD, CX, -30);
    run(&s, &rep);
    assert_int_equal(rep.r[TC_CHECK_HEADWEAR].verdict, TC_CHECK_UNKNOWN);
    assert_non_null(strstr(rep.r[TC_CHECK_HEADWEAR].en, "top of the head"));
    drop(&s);
}

static void test_say_utf8(void **st)
{
    (void)st;
    tc_check_result r;
    memset(&r, 0, sizeof r);
    char zh[600] = "";
    for (int i = 0; i < 100; i++)
        strcat(zh, "光");
    check_say(&r, zh, "%s", "x");
    assert_true(strlen(r.zh) < sizeof r.zh);
    assert_true(tc_utf8_valid(r.zh, strlen(r.zh)));
    assert_int_equal(strlen(r.zh) % 3, 0);
}

static int setup(void **st)
{
    (void)st;
    tc_err e = {0};
    return tc_photo_startup("test_check_framework", &e);
}

/* Issue 15 item 3 (seed 003: a top that contrasts with the wall): a white
 * shirt in yellow light on a white wall went with the wall, and the
 * finished photo showed a neck on blue, no shoulders (AR m-001-4 to -7).
 * clothing_colour fails it with that reason: bottom rows 100 px wide for a
 * 200-px face (0.5 face widths).  Shoulders 2 face widths wide at the bottom
 * are not that failure (the synthetic picture has no mask: the colour part
 * cannot be assessed). */
static void test_top_lost(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    tc_photo_layout lay = {.face_width = 200};
    tc_photo_mask oa = {.width = 480, .height = 640};
    oa.a = calloc((size_t)oa.width * oa.height, sizeof(float));
    assert_non_null(oa.a);
    for (int y = 0; y < oa.height; y++)
        for (int x = 190; x < 290; x++)
            oa.a[(size_t)y * oa.width + x] = 1;
    s.in.lay = &lay;
    s.in.out_alpha = &oa;
    tc_check_report rep;
    run(&s, &rep);
    const tc_check_result *r = &rep.r[TC_CHECK_CLOTHING_COLOUR];
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->zh, "墙面"));
    assert_non_null(strstr(r->en, "wall"));
    assert_true(fabs(r->value - 0.5) < 0.01);
    for (int y = 560; y < oa.height; y++)
        for (int x = 40; x < 440; x++)
            oa.a[(size_t)y * oa.width + x] = 1;
    run(&s, &rep);
    assert_int_not_equal(r->verdict, TC_CHECK_FAIL);
    assert_null(strstr(r->zh, "墙面"));
    free(oa.a);
    drop(&s);
}

/* face_count's second cue (check_people_beside): a finished photo of the
 * student alone on the backdrop passes; dark strands of the student's own
 * hair beside the face, apart from the head by gaps, pass; a light blob of
 * another person beside the head with wall between fails face_count with
 * its own advice and the region on that person (work px through the plan's
 * map); the same blob touching the head on every row is not found (the
 * cue's known limit). */
static void paint_out(tc_photo_rgb *o, tc_photo_mask *oa, int x0, int y0, int x1, int y1, const uint8_t c[3])
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            memcpy(o->px + ((size_t)y * o->width + x) * 3, c, 3);
            oa->a[(size_t)y * oa->width + x] = 1;
        }
}

static void test_people_beside(void **st)
{
    (void)st;
    synth s;
    make(&s, 6, 0);
    /* output = work + (40, 70): the face's centre at 240, face width 200 */
    tc_photo_layout lay = {.face_width = 200, .face_centre_x = 240, .hair_top_y = 80, .eye_line_y = 260,
                           .chin_y = 440, .m = {1, 0, 40, 0, 1, 70}};
    tc_photo_rgb o = {.width = 480, .height = 640};
    tc_photo_mask oa = {.width = 480, .height = 640};
    o.px = malloc((size_t)o.width * o.height * 3);
    oa.a = calloc((size_t)oa.width * oa.height, sizeof(float));
    assert_non_null(o.px);
    assert_non_null(oa.a);
    static const uint8_t blue[3] = {67, 142, 219}, skin[3] = {205, 165, 140}, hair[3] = {30, 25, 20},
                         shirt[3] = {230, 230, 225};
    for (size_t i = 0; i < (size_t)o.width * o.height; i++)
        memcpy(o.px + i * 3, blue, 3);
    /* the student: a head from the hair top to the chin, shoulders below */
    for (int y = 80; y < 450; y++)
        for (int x = 0; x < 480; x++) {
            double dx = (x + 0.5 - 240) / 115, dy = (y + 0.5 - 265) / 185;
            if (dx * dx + dy * dy <= 1)
                paint_out(&o, &oa, x, y, x + 1, y + 1, y < 160 ? hair : skin);
        }
    paint_out(&o, &oa, 20, 450, 460, 640, shirt);
    s.in.lay = &lay;
    s.in.out = &o;
    s.in.out_alpha = &oa;
    tc_check_report rep;
    const tc_check_result *r = &rep.r[TC_CHECK_FACE_COUNT];
    assert_true(check_people_beside(&s.in, NULL) < 0.001);
    run(&s, &rep);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    /* long dark strands beside the face, 4 px of wall between them */
    for (int x = 370; x < 460; x += 10)
        paint_out(&o, &oa, x, 250, x + 6, 440, hair);
    assert_true(check_people_beside(&s.in, NULL) < CHECK_PEOPLE_FAIL);
    run(&s, &rep);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    /* someone in a light shirt beside the head, wall between */
    paint_out(&o, &oa, 370, 200, 480, 440, blue);
    for (int y = 200; y < 440; y++)
        for (int x = 370; x < 480; x++)
            oa.a[(size_t)y * oa.width + x] = 0;
    paint_out(&o, &oa, 400, 200, 470, 440, shirt);
    double box[4];
    double v = check_people_beside(&s.in, box);
    assert_true(fabs(v - 70.0 * 240 / (200.0 * 200)) < 1e-9);
    assert_true(fabs(box[0] - 360) < 1e-6 && fabs(box[1] - 130) < 1e-6);
    assert_true(fabs(box[2] - 430) < 1e-6 && fabs(box[3] - 370) < 1e-6);
    run(&s, &rep);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(r->value == 1); /* still one face found */
    assert_non_null(strstr(r->zh, "其他人"));
    assert_non_null(strstr(r->en, "Someone else"));
    assert_true(fabs(r->region[0] - 360) < 0.5 && fabs(r->region[2] - 70) < 0.5);
    /* the same person touching the head on every row: not found */
    paint_out(&o, &oa, 245, 200, 400, 440, shirt);
    assert_true(check_people_beside(&s.in, NULL) < 0.001);
    /* no finished photo: nothing measured */
    s.in.out = NULL;
    assert_true(check_people_beside(&s.in, box) < 0 && isnan(box[0]));
    run(&s, &rep);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    free(o.px);
    free(oa.a);
    drop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),           cmocka_unit_test(test_config),
        cmocka_unit_test(test_no_face),         cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_synthetic_frontal), cmocka_unit_test(test_ears_sides), cmocka_unit_test(test_ears_review),
        cmocka_unit_test(test_hotspot_review), cmocka_unit_test(test_blur_side_light),
        cmocka_unit_test(test_ears_shade),
        cmocka_unit_test(test_synthetic_faults),  cmocka_unit_test(test_expression),
        cmocka_unit_test(test_geometry_words),
        cmocka_unit_test(test_say_utf8),        cmocka_unit_test(test_top_lost),        cmocka_unit_test(test_grey_photo),
        cmocka_unit_test(test_eyes_covered),    cmocka_unit_test(test_cannot_assess),
        cmocka_unit_test(test_headwear),
        cmocka_unit_test(test_jewelry),         cmocka_unit_test(test_people_beside),
        cmocka_unit_test(test_glasses_thin_frame),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
