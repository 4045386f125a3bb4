/* Checks 11-13: recapture (翻拍), retouch (美颜) and duplicate (同版照片), on
 * synthetic inputs, then on the real spoof portraits when the test data and
 * the models are present. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_int.h"
#include "studio/tc_studio.h"
#include "spec/tc_spec.h"

/* A deterministic generator (the test's own state, passed around). */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static double gauss(uint64_t *s)
{
    return rnd(s) + rnd(s) + rnd(s) + rnd(s) - 2.0; /* sd about 0.58 */
}

static uint8_t u8(double v)
{
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : lround(v)));
}

/* A mesh whose eyes sit at (ex0, ey) and (ex1, ey) of a w x h image, the
 * other points spread over the face below and around them. */
static void make_mesh(tc_vision_mesh *m, int w, int h, double ex0, double ex1, double ey)
{
    memset(m, 0, sizeof *m);
    m->presence = 1;
    double d = ex1 - ex0, cx = (ex0 + ex1) / 2;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        double a = i * 2.399963, r = sqrt((i + 0.5) / TC_VISION_LANDMARKS);
        m->points[i][0] = (float)((cx + cos(a) * r * d * 0.95) / w);
        m->points[i][1] = (float)((ey + 0.4 * d + sin(a) * r * d * 1.25) / h);
    }
    const int a_pts[2] = {33, 133}, b_pts[2] = {362, 263};
    for (int k = 0; k < 2; k++) {
        m->points[a_pts[k]][0] = (float)((ex0 + (k ? 0.15 : -0.15) * d) / w);
        m->points[a_pts[k]][1] = (float)(ey / h);
        m->points[b_pts[k]][0] = (float)((ex1 + (k ? 0.15 : -0.15) * d) / w);
        m->points[b_pts[k]][1] = (float)(ey / h);
    }
}

/* One check with its shared context, as tc_check_run calls it. */
static int run1(check_fn fn, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    check_ctx x;
    if (check_ctx_init(&x, in, e) != 0)
        return -1;
    int rc = fn(&x, in, c, r, e);
    check_ctx_free(&x);
    return rc;
}

static tc_spec chsi(void)
{
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    tc_spec s = *tc_spec_find(&t, "chsi");
    tc_spec_table_free(&t);
    return s;
}

/* Skin-like picture: shading plus camera noise; pattern > 0 multiplies a
 * halftone / screen grid of that depth into it. */
static void fill_face(tc_photo_rgb *im, uint64_t seed, double pattern)
{
    uint64_t s = seed;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            double base = 150 + 40 * sin(x * 0.011 + seed) * cos(y * 0.007) + 4 * gauss(&s);
            if (pattern > 0) {
                /* a dot screen turned 30 degrees, period 4.3 px */
                double u = (x * 0.866 + y * 0.5) / 4.3, v = (-x * 0.5 + y * 0.866) / 4.3;
                base *= 1 + pattern * cos(2 * M_PI * u) * cos(2 * M_PI * v);
            }
            uint8_t *p = im->px + ((size_t)y * im->width + x) * 3;
            p[0] = u8(base + 20), p[1] = u8(base - 10), p[2] = u8(base - 30);
        }
}

static void test_recapture_pattern(void **state)
{
    (void)state;
    tc_photo_rgb im = {400, 500, malloc(400 * 500 * 3)};
    assert_non_null(im.px);
    tc_vision_mesh mesh;
    make_mesh(&mesh, im.width, im.height, 140, 260, 200);
    tc_spec spec = chsi();
    tc_photo_meta meta = {.has_exif = 1};
    snprintf(meta.make, sizeof meta.make, "Apple");
    tc_check_input in = {.work = &im, .work_scale = 1, .src_width = 400, .src_height = 500, .mesh = &mesh,
                         .spec = &spec, .meta = &meta};
    tc_check_config c;
    tc_check_config_default(&c);
    tc_err e = {0};

    fill_face(&im, 7, 0);
    tc_check_result r = {0};
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("natural: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= 80);

    fill_face(&im, 7, 0.25);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("halftone: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score < 50);
    assert_true(r.zh[0] && r.en[0]);

    /* no face: could not assess, never a silent pass */
    in.mesh = NULL;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    assert_int_equal(r.score, -1);
    free(im.px);
}

/* A printed photo held up to the camera, as NUAA's attacks: a sheet of paper
 * a little larger than the face, its edges `step` grey levels brighter than
 * the scene behind (a white border against a light shirt is a faint step),
 * on the left and right of the face only (the top and bottom run out of the
 * picture, as when the print fills the frame's height). */
static void fill_held_print(tc_photo_rgb *im, uint64_t seed, double step)
{
    uint64_t s = seed;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            int paper = x >= 90 && x < 310;
            double v = (paper ? 180 + step : 180) + 1.5 * gauss(&s);
            /* the face inside the print: skin-like shading */
            double dx = (x - 200) / 75.0, dy = (y - 260) / 100.0;
            if (dx * dx + dy * dy < 1)
                v = 150 + 25 * sin(x * 0.03) * cos(y * 0.02) + 1.5 * gauss(&s);
            uint8_t *p = im->px + ((size_t)y * im->width + x) * 3;
            p[0] = u8(v + 10), p[1] = u8(v), p[2] = u8(v - 10);
        }
}

/* A 400x500 picture with a face's mesh (eyes at 160 and 240, y 230), a
 * person mask of the same size (not in the input until a test sets it),
 * the chsi spec and a camera's EXIF: what the held-print and hand tests
 * judge.  The buffers are the scene's (scene_close). */
typedef struct live_scene {
    tc_photo_rgb im;
    float *alpha;
    tc_photo_mask mask;
    tc_vision_mesh mesh;
    tc_spec spec;
    tc_photo_meta meta;
    tc_check_input in;
    tc_check_config c;
} live_scene;

static void scene_open(live_scene *s)
{
    memset(s, 0, sizeof *s);
    s->im = (tc_photo_rgb){400, 500, malloc(400 * 500 * 3)};
    s->alpha = malloc(400 * 500 * sizeof *s->alpha);
    assert_non_null(s->im.px);
    assert_non_null(s->alpha);
    s->mask = (tc_photo_mask){.width = 400, .height = 500, .a = s->alpha};
    make_mesh(&s->mesh, 400, 500, 160, 240, 230);
    s->spec = chsi();
    s->meta.has_exif = 1;
    snprintf(s->meta.make, sizeof s->meta.make, "Apple");
    s->in = (tc_check_input){.work = &s->im, .work_scale = 1, .src_width = 400, .src_height = 500,
                             .mesh = &s->mesh, .spec = &s->spec, .meta = &s->meta};
    tc_check_config_default(&s->c);
}

static void scene_close(live_scene *s)
{
    free(s->im.px);
    free(s->alpha);
}

/* A hand beside the face (issue 16 item 7: every NUAA print is held up by
 * fingers at its edge): a grey wall, a skin-coloured face and, inside the
 * person mask, a skin-coloured hand to its right.  The hand sends a photo
 * that would pass to the reviewer, with its own reason and its box; the
 * same photo without the hand passes, and without a person mask the hand is
 * not asked for (a wall could be skin-coloured). */
static void paint_hand_scene(tc_photo_rgb *im, float *mask, int hand)
{
    uint64_t s = 11;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            double dx = (x - 200) / 80.0, dy = (y - 262) / 105.0;
            int face = dx * dx + dy * dy < 1, body = y > 380 && x > 90 && x < 310;
            int h = hand && x >= 305 && x < 385 && y >= 220 && y < 370;
            uint8_t *p = im->px + ((size_t)y * im->width + x) * 3;
            double n = 3 * gauss(&s);
            if (face || h)
                p[0] = u8(200 + n), p[1] = u8(150 + n), p[2] = u8(120 + n);
            else if (body)
                p[0] = u8(40 + n), p[1] = u8(50 + n), p[2] = u8(90 + n); /* a navy top */
            else
                p[0] = u8(120 + n), p[1] = u8(130 + n), p[2] = u8(140 + n);
            mask[(size_t)y * im->width + x] = face || body || h ? 1.0f : 0.0f;
        }
}

static void test_recapture_hand(void **state)
{
    (void)state;
    live_scene sc;
    scene_open(&sc);
    sc.in.mask = &sc.mask;
    tc_err e = {0};
    tc_check_result r;

    paint_hand_scene(&sc.im, sc.alpha, 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &sc.in, &sc.c, &r, &e), 0);
    print_message("no hand: score %d\n", r.score);
    assert_true(r.score >= sc.c.threshold[TC_CHECK_RECAPTURE]);

    paint_hand_scene(&sc.im, sc.alpha, 1);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &sc.in, &sc.c, &r, &e), 0);
    print_message("hand: score %d %s region %.0f %.0f %.0f %.0f\n", r.score, r.en, r.region[0], r.region[1],
                  r.region[2], r.region[3]);
    assert_int_equal(r.score, -1);
    assert_non_null(strstr(r.en, "hand"));
    assert_non_null(strstr(r.zh, "手"));
    /* the box is the hand's */
    assert_true(r.region[0] >= 295 && r.region[0] <= 310 && r.region[2] >= 70 && r.region[2] <= 90);

    /* without the mask the hand's straight sides may read as a frame's
     * (another cue), but never as a hand */
    sc.in.mask = NULL;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &sc.in, &sc.c, &r, &e), 0);
    assert_null(strstr(r.en, "hand"));
    scene_close(&sc);
}

static void test_recapture_held_print(void **state)
{
    (void)state;
    live_scene sc;
    scene_open(&sc);
    tc_photo_rgb im = sc.im;
    float *alpha = sc.alpha;
    tc_check_input in = sc.in;
    tc_check_config c = sc.c;
    tc_err e = {0};
    tc_check_result r;

    /* no paper edge: live */
    fill_held_print(&im, 3, 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("no edge: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= c.threshold[TC_CHECK_RECAPTURE]);

    /* a strong paper edge on both sides, hugging the face: a frame, fails */
    fill_held_print(&im, 3, 60);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("strong edges: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= 0 && r.score < c.threshold[TC_CHECK_RECAPTURE]);

    /* a faint one (20 grey levels, under the 24 a failure needs): not enough
     * to fail and lock the account, enough for the reviewer: "could not
     * assess" with the reason */
    fill_held_print(&im, 3, 20);
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("faint edges: score %d value %.3f %s\n", r.score, r.value, r.en);
    assert_int_equal(r.score, -1);
    assert_non_null(strstr(r.en, "reviewer"));
    assert_true(r.region[2] > 0);

    /* the same edges along the person mask's outline are the person's own
     * (straight hair, a shoulder), not a print's: no flag */
    for (int y = 0; y < im.height; y++)
        for (int x = 0; x < im.width; x++)
            alpha[(size_t)y * im.width + x] = x >= 90 && x < 310 ? 1.0f : 0.0f;
    in.mask = &sc.mask;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("faint edges on the outline: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= c.threshold[TC_CHECK_RECAPTURE]);
    scene_close(&sc);
}

/* Long straight dark hair on a light wall (WIDER 561, a studio portrait,
 * failed as a held print until 2026-12-07): the hair's outline hugs the
 * face on both sides and above as a print's edges would, but the person
 * mask steps along it, so it is the person's own outline.  Hair that ends
 * at the shoulders (end 430) made a "tight" frame; hair that runs on to the
 * picture's bottom edge over the shoulders (end 500) a long edge along
 * which the person is "cut" over most of its length, as no screen's or
 * print's border does (those run on past the person they cut: the real
 * spoofs' cuts are 0.13-0.17 of the edge, this one's 0.7).  With the mask
 * neither is a frame (pass, or the reviewer at most); without one the same
 * edges are a held print's and fail. */
static void test_recapture_straight_hair(void **state)
{
    (void)state;
    for (int end = 430; end <= 500; end += 70) {
        live_scene sc;
        scene_open(&sc);
        uint64_t sd = 5;
        for (int y = 0; y < sc.im.height; y++)
            for (int x = 0; x < sc.im.width; x++) {
                int hair = x >= 90 && x < 310 && y >= 140 && y < end;
                double dx = (x - 200) / 75.0, dy = (y - 260) / 100.0;
                int face = dx * dx + dy * dy < 1, body = end == 500 && y >= 400 && x >= 20 && x < 380;
                double v = (hair ? 40 : body ? 90 : 200) + 1.5 * gauss(&sd);
                if (face)
                    v = 150 + 25 * sin(x * 0.03) * cos(y * 0.02) + 1.5 * gauss(&sd);
                uint8_t *p = sc.im.px + ((size_t)y * sc.im.width + x) * 3;
                p[0] = u8(v + 10), p[1] = u8(v), p[2] = u8(v - 10);
                sc.alpha[(size_t)y * sc.im.width + x] = hair || face || body ? 1.0f : 0.0f;
            }
        tc_err e = {0};
        tc_check_result r;
        sc.in.mask = &sc.mask;
        memset(&r, 0, sizeof r);
        assert_int_equal(run1(check_recapture, &sc.in, &sc.c, &r, &e), 0);
        print_message("straight hair to %d, mask: score %d value %.3f\n", end, r.score, r.value);
        assert_true(r.score == -1 || r.score >= sc.c.threshold[TC_CHECK_RECAPTURE]);
        sc.in.mask = NULL;
        memset(&r, 0, sizeof r);
        assert_int_equal(run1(check_recapture, &sc.in, &sc.c, &r, &e), 0);
        print_message("straight hair to %d, no mask: score %d value %.3f\n", end, r.score, r.value);
        assert_true(r.score >= 0 && r.score < sc.c.threshold[TC_CHECK_RECAPTURE]);
        scene_close(&sc);
    }
}

/* An interlaced video frame (Yale's faces): rows alternating by several grey
 * levels.  It is the camera's, not a screen's or a print's pattern: it must
 * not fail. */
static void test_recapture_interlace(void **state)
{
    (void)state;
    tc_photo_rgb im = {400, 500, malloc(400 * 500 * 3)};
    assert_non_null(im.px);
    tc_vision_mesh mesh;
    make_mesh(&mesh, im.width, im.height, 140, 260, 200);
    tc_spec spec = chsi();
    tc_check_input in = {.work = &im, .work_scale = 1, .src_width = 400, .src_height = 500, .mesh = &mesh,
                         .spec = &spec};
    tc_check_config c;
    tc_check_config_default(&c);
    tc_err e = {0};
    fill_face(&im, 11, 0);
    /* Yale's rows beat at about 2.13 px (15 cycles in 32 rows), a little off
     * the exact alternation of the two fields */
    for (int y = 0; y < im.height; y++) {
        double d = 8 * cos(2 * M_PI * y * 15 / 32.0);
        for (int x = 0; x < im.width; x++) {
            uint8_t *p = im.px + ((size_t)y * im.width + x) * 3;
            for (int k = 0; k < 3; k++)
                p[k] = u8(p[k] + d);
        }
    }
    tc_check_result r = {0};
    assert_int_equal(run1(check_recapture, &in, &c, &r, &e), 0);
    print_message("interlaced: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= c.threshold[TC_CHECK_RECAPTURE]);
    free(im.px);
}

static void test_retouch_tag(void **state)
{
    (void)state;
    tc_photo_rgb im = {400, 500, malloc(400 * 500 * 3)};
    assert_non_null(im.px);
    fill_face(&im, 3, 0);
    tc_vision_mesh mesh;
    make_mesh(&mesh, im.width, im.height, 140, 260, 200);
    tc_spec spec = chsi();
    tc_photo_meta meta = {.has_exif = 1};
    tc_check_input in = {.work = &im, .work_scale = 1, .mesh = &mesh, .spec = &spec, .meta = &meta};
    tc_check_config c;
    tc_check_config_default(&c);
    tc_err e = {0};
    tc_check_result r = {0};
    snprintf(meta.software, sizeof meta.software, "Meitu 9.2");
    assert_int_equal(run1(check_retouch, &in, &c, &r, &e), 0);
    assert_true(r.score < 50);
    assert_non_null(strstr(r.en, "Meitu"));
    /* no Latin letters in the student's Chinese text */
    for (const char *q = r.zh; *q; q++)
        assert_false((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'));
    assert_non_null(strstr(r.zh, "编辑软件"));
    /* the tag alone is enough, even without landmarks */
    in.mesh = NULL;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_retouch, &in, &c, &r, &e), 0);
    assert_true(r.score >= 0 && r.score < 50);
    /* a camera's tag is not an editor's; no landmarks then: unknown */
    snprintf(meta.software, sizeof meta.software, "iOS 17.1");
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_retouch, &in, &c, &r, &e), 0);
    assert_int_equal(r.score, -1);
    /* a noisy camera picture with landmarks: skin as textured as the rest */
    in.mesh = &mesh;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_retouch, &in, &c, &r, &e), 0);
    print_message("camera-like: score %d value %.3f\n", r.score, r.value);
    assert_true(r.score >= 50);
    free(im.px);
}

/* A "face": smooth random blobs; seed picks the person. */
static void blob_face(tc_photo_rgb *im, uint64_t seed, double scale, double ox, double oy, uint64_t noise)
{
    /* blobs of many sizes, so the picture has detail at every scale the
     * hash looks at (a face has: eyes, nostrils, lips, the jaw) */
    enum { NB = 200 };
    double bx[NB], by[NB], br[NB], bv[NB];
    uint64_t s = seed;
    for (int k = 0; k < NB; k++)
        bx[k] = 100 + 200 * rnd(&s), by[k] = 120 + 260 * rnd(&s), br[k] = 3 + 40 * rnd(&s) * rnd(&s),
        bv[k] = 140 * (rnd(&s) - 0.5);
    uint64_t n = noise;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            double fx = (x - ox) / scale, fy = (y - oy) / scale, v = 128;
            for (int k = 0; k < NB; k++) {
                double d2 = ((fx - bx[k]) * (fx - bx[k]) + (fy - by[k]) * (fy - by[k])) / (br[k] * br[k]);
                if (d2 < 16)
                    v += bv[k] * exp(-d2);
            }
            v += noise ? 6 * gauss(&n) : 0;
            uint8_t *p = im->px + ((size_t)y * im->width + x) * 3;
            p[0] = p[1] = p[2] = u8(v);
        }
}

static int face_hash_of(tc_photo_rgb *im, double scale, double ox, double oy, tc_check_hash *h)
{
    tc_vision_mesh mesh;
    make_mesh(&mesh, im->width, im->height, ox + 140 * scale, ox + 260 * scale, oy + 200 * scale);
    tc_spec spec = chsi();
    tc_check_input in = {.work = im, .work_scale = 1, .mesh = &mesh, .spec = &spec};
    return check_face_hash(&in, h);
}

static void test_hash(void **state)
{
    (void)state;
    tc_photo_rgb a = {400, 500, malloc(400 * 500 * 3)}, b = {300, 380, malloc(300 * 380 * 3)};
    assert_non_null(a.px);
    assert_non_null(b.px);
    tc_check_hash ha, hb, hc, hd;
    blob_face(&a, 11, 1, 0, 0, 0);
    assert_int_equal(face_hash_of(&a, 1, 0, 0, &ha), 0);
    /* the same picture smaller (0.7), shifted by a crop, with new noise */
    blob_face(&b, 11, 0.7, -20, -25, 99);
    assert_int_equal(face_hash_of(&b, 0.7, -20, -25, &hb), 0);
    int same = tc_check_hash_distance(&ha, &hb);
    /* another face */
    blob_face(&a, 12, 1, 0, 0, 0);
    assert_int_equal(face_hash_of(&a, 1, 0, 0, &hc), 0);
    int other = tc_check_hash_distance(&ha, &hc);
    print_message("hash distance: copy %d, other face %d\n", same, other);
    assert_true(same <= 24);
    assert_true(other >= 60);
    assert_int_equal(tc_check_hash_distance(&ha, &ha), 0);
    memset(&hd, 0, sizeof hd);
    assert_int_equal(tc_check_hash_distance(&hd, &hd), 0);

    /* the duplicate check names whose photo it matched */
    tc_check_prior pr[2] = {{.hash = hc, .ref = 5, .same_student = 1}, {.hash = ha, .ref = 9, .same_student = 0}};
    tc_vision_mesh mesh;
    make_mesh(&mesh, b.width, b.height, -20 + 140 * 0.7, -20 + 260 * 0.7, -25 + 200 * 0.7);
    tc_spec spec = chsi();
    tc_check_input in = {.work = &b, .work_scale = 1, .mesh = &mesh, .spec = &spec, .prior = pr, .n_prior = 2};
    tc_check_config c;
    tc_check_config_default(&c);
    tc_check_result r = {0};
    tc_err e = {0};
    assert_int_equal(run1(check_duplicate, &in, &c, &r, &e), 0);
    assert_true(r.score < 50);
    assert_int_equal(r.match_ref, 9);
    assert_non_null(strstr(r.en, "another student"));
    /* no prior: passes; no mesh: unknown */
    in.n_prior = 0;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_duplicate, &in, &c, &r, &e), 0);
    assert_int_equal(r.score, 100);
    in.mesh = NULL;
    memset(&r, 0, sizeof r);
    assert_int_equal(run1(check_duplicate, &in, &c, &r, &e), 0);
    assert_int_equal(r.score, -1);
    free(a.px);
    free(b.px);
}

/* ---- real portraits -------------------------------------------------------------------- */

static char *portrait(const char *name)
{
    const char *d = getenv("TC_TESTDATA");
    char *p = malloc(4096);
    if (d)
        snprintf(p, 4096, "%s/portraits/%s", d, name);
    else
        snprintf(p, 4096, "%s/../shared/testdata/portraits/%s", TC_SRCDIR, name);
    FILE *f = fopen(p, "rb");
    if (!f) {
        free(p);
        return NULL;
    }
    fclose(f);
    return p;
}

static void test_portraits(void **state)
{
    (void)state;
    /* recapture on the spoofs and genuine photos, and other checks where
     * the evaluation set's labels were argued over (eval/labels.tsv): the
     * live selfie is live but turned and tilted; the girl's fringe covers
     * her brows, the astronaut's stops above them */
    static const struct {
        const char *file;
        int spoof; /* 1 must fail; 0 must pass; 2 genuine, may be flagged for
                      review ("could not assess"), never failed */
        struct {
            int id; /* 0 ends the list (face_count is never asserted here) */
            tc_check_verdict want;
        } also[3];
    } cases[] = {
        {"spoof_printed_photo_exif_rotated.jpg", 1, {{0}}},
        {"spoof_tablet_screen_exif_rotated.jpg", 1, {{0}}},
        /* the straight edge of her hair runs beside her face, inside the
         * person mask on both sides: since the "near edge" flag (issue 16,
         * NUAA) it goes to the reviewer */
        {"live_selfie_exif_rotated.jpg", 2, {{TC_CHECK_POSE_YAW, TC_CHECK_FAIL}, {TC_CHECK_POSE_ROLL, TC_CHECK_FAIL}}},
        {"mugshot_S024-01_frontal_neutral.jpg", 0, {{TC_CHECK_POSE_YAW, TC_CHECK_PASS}, {TC_CHECK_HAIR_BROWS, TC_CHECK_PASS}}},
        {"mugshot_S029-01_frontal_neutral.jpg", 0, {{0}}},
        {"mugshot_S041-01_frontal_blue_top.jpg", 0, {{0}}},
        {"mugshot_S010-01_frontal_light_bg.jpg", 0, {{0}}},
        {"mugshot_S028-01_hair_to_brows.jpg", 0, {{TC_CHECK_HAIR_BROWS, TC_CHECK_FAIL}}},
        {"girl_half_body_beige_bg.jpg", 0, {{TC_CHECK_HAIR_BROWS, TC_CHECK_FAIL}}},
        {"astronaut.png", 0, {{TC_CHECK_HAIR_BROWS, TC_CHECK_PASS}}},
    };
    char *first = portrait(cases[0].file);
    if (!first) {
        print_message("portraits absent (set TC_TESTDATA or put ../shared/testdata beside the project)\n");
        skip();
    }
    free(first);
    char models[4096];
    const char *md = getenv("TUCAI_MODELS");
    snprintf(models, sizeof models, "%s", md ? md : TC_SRCDIR "/models");
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/%s", models, TC_VISION_DETECTOR_FILE);
    FILE *pf = fopen(probe, "rb");
    if (!pf) {
        print_message("models absent (run scripts/fetch-models or set TUCAI_MODELS)\n");
        skip();
    }
    fclose(pf);
    tc_err e = {0};
    assert_int_equal(tc_photo_startup(NULL, &e), 0);
    tc_studio *s = tc_studio_open(models, NULL, &e);
    assert_non_null(s);
    tc_studio_ctx *c = tc_studio_ctx_new(s, &e);
    assert_non_null(c);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = portrait(cases[i].file);
        assert_non_null(path);
        char *data;
        size_t len;
        assert_int_equal(tc_file_read(path, 50 << 20, &data, &len, &e), 0);
        free(path);
        tc_studio_req req = {.data = data, .len = len, .run_checks = 1};
        tc_studio_result res;
        assert_int_equal(tc_studio_make(s, c, &req, &res, &e), 0);
        const tc_check_result *r = &res.checks.r[TC_CHECK_RECAPTURE];
        print_message("%s: recapture score %d (%s)\n", cases[i].file, r->score,
                      r->verdict == TC_CHECK_FAIL ? "fail" : (r->verdict == TC_CHECK_PASS ? "pass" : "unknown"));
        if (cases[i].spoof == 2) {
            assert_int_not_equal(r->verdict, TC_CHECK_FAIL);
            assert_false(res.checks.liveness_failed);
        } else
            assert_int_equal(r->verdict, cases[i].spoof ? TC_CHECK_FAIL : TC_CHECK_PASS);
        if (cases[i].spoof == 1)
            assert_true(res.checks.liveness_failed);
        for (int k = 0; k < 3 && cases[i].also[k].id; k++) {
            const tc_check_result *o = &res.checks.r[cases[i].also[k].id];
            print_message("  %s score %d value %.3f\n", tc_check_name(o->id), o->score, o->value);
            assert_int_equal(o->verdict, cases[i].also[k].want);
        }
        /* the face hash is computed once and serves both the report and
         * the duplicate check */
        if (res.checks.r[TC_CHECK_DUPLICATE].verdict != TC_CHECK_UNKNOWN)
            assert_true(res.checks.has_hash);
        tc_studio_result_free(&res);
        free(data);
    }
    tc_studio_ctx_free(c);
    tc_studio_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recapture_pattern),
        cmocka_unit_test(test_recapture_held_print),
        cmocka_unit_test(test_recapture_hand),
        cmocka_unit_test(test_recapture_straight_hair),
        cmocka_unit_test(test_recapture_interlace),
        cmocka_unit_test(test_retouch_tag),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_portraits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
