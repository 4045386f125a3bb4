/* Photo compose, encode and measure: synthetic faces with known geometry
 * (so the output can be measured independently of the plan), then real
 * portraits with hand-measured geometry and a keyed mask until the vision
 * engine provides both. */
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

#include "photo/tc_photo.h"
#include "spec/tc_spec.h"

typedef struct synth {
    int w, h;
    double cx, cy, ax, ay; /* head ellipse */
    double roll;           /* radians, clockwise in the image */
    double eye_dx, eye_dy; /* eyes relative to the head centre, unrotated */
    uint8_t *px;
} synth;

static void rot(const synth *s, double dx, double dy, double *x, double *y)
{
    *x = s->cx + dx * cos(s->roll) - dy * sin(s->roll);
    *y = s->cy + dx * sin(s->roll) + dy * cos(s->roll);
}

/* 1 inside the person (head ellipse or shoulders), in the unrotated frame. */
static double person_at(const synth *s, double x, double y, int *what)
{
    double dx = x - s->cx, dy = y - s->cy;
    double u = dx * cos(s->roll) + dy * sin(s->roll), v = -dx * sin(s->roll) + dy * cos(s->roll);
    *what = 0;
    double e = (u / s->ax) * (u / s->ax) + (v / s->ay) * (v / s->ay);
    if (e <= 1) {
        *what = 1;
        for (int k = -1; k <= 1; k += 2)
            if (hypot(u - k * s->eye_dx, v - s->eye_dy) < 9)
                *what = 2;
        if (v < -0.55 * s->ay)
            *what = 3; /* hair */
        return 1;
    }
    if (v > s->ay * 0.8 && fabs(u) < s->ax * 0.5 + (v - s->ay * 0.8) * 1.2) {
        *what = 4;
        return 1;
    }
    return 0;
}

/* The wall's grey at row y: a soft gradient, as in a real room. */
static uint8_t wall_grey(int y, int h)
{
    return (uint8_t)(140 + 20.0 * y / h);
}

/* Pixel (x, y) painted the wall's grey. */
static void paint_wall(synth *s, int x, int y)
{
    uint8_t *p = s->px + 3 * ((size_t)y * s->w + x);
    p[0] = p[1] = p[2] = wall_grey(y, s->h);
}

static void make_synth(synth *s, int w, int h, double roll)
{
    s->w = w;
    s->h = h;
    s->cx = w * 0.5;
    s->cy = h * 0.42;
    s->ax = w * 0.17;
    s->ay = w * 0.23;
    s->roll = roll;
    s->eye_dx = s->ax * 0.42;
    s->eye_dy = -s->ay * 0.08;
    s->px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int what;
            person_at(s, x + 0.5, y + 0.5, &what);
            uint8_t *p = s->px + 3 * ((size_t)y * w + x);
            static const uint8_t col[5][3] = {{150, 150, 150}, {224, 180, 150}, {20, 15, 15}, {110, 70, 45}, {30, 40, 90}};
            memcpy(p, col[what], 3);
            if (!what)
                p[0] = p[1] = p[2] = wall_grey(y, h);
        }
}

static void synth_geom(const synth *s, tc_photo_face_geom *g)
{
    double x, y;
    tc_photo_geom_init(g);
    rot(s, -s->eye_dx, s->eye_dy, &x, &y);
    g->left_eye[0] = (float)x, g->left_eye[1] = (float)y;
    rot(s, s->eye_dx, s->eye_dy, &x, &y);
    g->right_eye[0] = (float)x, g->right_eye[1] = (float)y;
    rot(s, 0, s->ay, &x, &y);
    g->chin[0] = (float)x, g->chin[1] = (float)y;
    rot(s, -s->ax * cos(asin(s->eye_dy / s->ay)), s->eye_dy, &x, &y);
    g->face_left[0] = (float)x, g->face_left[1] = (float)y;
    rot(s, s->ax * cos(asin(s->eye_dy / s->ay)), s->eye_dy, &x, &y);
    g->face_right[0] = (float)x, g->face_right[1] = (float)y;
}

/* Mask at (mw, mh), slightly soft like a network's output. */
static void synth_mask(const synth *s, int mw, int mh, tc_photo_mask *m)
{
    m->width = mw;
    m->height = mh;
    m->a = malloc(sizeof(float) * mw * mh);
    double k = (double)s->w / mw;
    for (int y = 0; y < mh; y++)
        for (int x = 0; x < mw; x++) {
            double acc = 0;
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 3; i++) {
                    int what;
                    acc += person_at(s, (x + (i + 0.5) / 3) * k, (y + (j + 0.5) / 3) * k, &what);
                }
            m->a[(size_t)y * mw + x] = (float)(acc / 9);
        }
}

static uint8_t *to_png(const uint8_t *px, int w, int h, size_t *len)
{
    VipsImage *v = vips_image_new_from_memory_copy(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    assert_int_equal(vips_pngsave_buffer(v, &buf, len, "compression", 1, NULL), 0);
    g_object_unref(v);
    return buf;
}

/* Centroids of the two dark eye blobs in an output photo. */
static void find_eyes(const tc_photo_rgb *im, double eye[2][2])
{
    double sx[2] = {0, 0}, sy[2] = {0, 0}, n[2] = {0, 0};
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            const uint8_t *p = im->px + 3 * ((size_t)y * im->width + x);
            if (p[0] < 60 && p[1] < 60 && p[2] < 60 && y > im->height / 5 && y < im->height * 0.6) {
                int k = x >= im->width / 2;
                double wgt = 60 - p[0];
                sx[k] += x * wgt;
                sy[k] += y * wgt;
                n[k] += wgt;
            }
        }
    for (int k = 0; k < 2; k++) {
        eye[k][0] = n[k] ? sx[k] / n[k] + 0.5 : -1;
        eye[k][1] = n[k] ? sy[k] / n[k] + 0.5 : -1;
    }
}

static int setup(void **state)
{
    (void)state;
    tc_err e = {0};
    return tc_photo_startup("test_photo_compose", &e);
}

/* mask_w: width of the mask handed to compose (0: the work copy's size; a
 * larger one takes compose's other path for carrying the mask over). */
static void run_synth_m(double roll, const char *spec_name, int src_w, int src_h, int mask_w)
{
    synth s;
    make_synth(&s, src_w, src_h, roll);
    size_t len;
    uint8_t *png = to_png(s.px, s.w, s.h, &len);
    tc_photo_src *src = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(png, len, NULL, &src, &e), 0);
    g_free(png);
    const tc_photo_rgb *work = tc_photo_src_work(src);
    tc_photo_face_geom g;
    synth_geom(&s, &g);
    tc_photo_mask m;
    if (mask_w)
        synth_mask(&s, mask_w, (int)lrint((double)mask_w * src_h / src_w), &m);
    else
        synth_mask(&s, work->width, work->height, &m);
    /* the top of the head comes from the mask, as it will in production */
    assert_int_equal(tc_photo_geom_hair_top_from_mask(&g, &m, tc_photo_src_width(src), &e), 0);
    double hx, hy;
    rot(&s, 0, -s.ay, &hx, &hy);
    assert_true(hypot(g.hair_top[0] - hx, g.hair_top[1] - hy) < 3.0 / tc_photo_src_work_scale(src));

    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *spec = tc_spec_find(&t, spec_name);
    assert_non_null(spec);
    tc_photo_compose_opts o = {.strict = 1};
    assert_int_equal(tc_spec_background(spec, NULL, o.background, &e), 0);
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    int rc = tc_photo_compose(src, &g, &m, spec, &o, &out, &lay, &alpha, &e);
    if (rc)
        print_message("compose: %s %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    assert_int_equal(out.width, spec->width);
    assert_int_equal(out.height, spec->height);
    assert_true(lay.fits);

    /* Measured independently on the pixels: the eyes are level and on the
     * planned eye line, symmetric about the centre. */
    double eye[2][2];
    find_eyes(&out, eye);
    print_message("roll %.1f°: eyes (%.1f,%.1f) (%.1f,%.1f), plan eye line %.1f, face %.1f, hair %.1f\n",
                  roll * 180 / M_PI, eye[0][0], eye[0][1], eye[1][0], eye[1][1], lay.eye_line_y, lay.face_width,
                  lay.hair_top_y);
    assert_true(fabs(eye[0][1] - eye[1][1]) < 1.0);
    assert_true(fabs((eye[0][1] + eye[1][1]) / 2 - lay.eye_line_y) < 1.0);
    assert_true(fabs((eye[0][0] + eye[1][0]) / 2 - spec->width / 2.0) < 1.0);
    /* Face width on the eye row: the skin run between the background. */
    int y = (int)lrint(lay.eye_line_y);
    int x0 = -1, x1 = -1;
    for (int x = 0; x < out.width; x++) {
        const uint8_t *p = out.px + 3 * ((size_t)y * out.width + x);
        int skin = p[0] > 180 && p[1] > 140 && p[1] < 200 && p[2] < 180;
        int dark = p[0] < 60;
        if ((skin || dark) && x0 < 0)
            x0 = x;
        if (skin || dark)
            x1 = x;
    }
    print_message("face run %d..%d = %d px\n", x0, x1, x1 - x0 + 1);
    assert_true(fabs((x1 - x0 + 1) - lay.face_width) < 3.0);

    uint8_t *jpg = NULL;
    size_t jl = 0;
    tc_photo_report rep;
    memset(&rep, 0, sizeof rep);
    rc = tc_photo_encode(&out, spec, &jpg, &jl, &rep, &e);
    if (rc)
        print_message("encode: %s %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    int q = rep.quality;
    assert_int_equal(tc_photo_measure(jpg, jl, spec, o.background, &lay, &alpha, &rep, &e), 0);
    rep.quality = q;
    char *js = tc_photo_report_json(&rep);
    print_message("%s\n", js);
    free(js);
    assert_int_equal(rep.width, spec->width);
    assert_true(fabs(rep.dpi - spec->dpi) < 0.5);
    assert_true(rep.bg_delta_e_max <= 3.0);
    assert_true(rep.hair_top_y >= spec->hair_top.lo - 1 && rep.hair_top_y <= spec->hair_top.hi + 1);
    assert_true(rep.in_spec);
    double jd, xd;
    assert_int_equal(tc_photo_jpeg_dpi(jpg, jl, &jd, &xd), 0);
    assert_true(fabs(jd - spec->dpi) < 0.5 && fabs(xd - spec->dpi) < 0.5);
    if (spec->kb_max)
        assert_true(jl <= (size_t)spec->kb_max * 1024 && jl >= (size_t)spec->kb_min * 1024);

    free(jpg);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    tc_photo_mask_free(&m);
    tc_spec_table_free(&t);
    tc_photo_src_free(src);
    free(s.px);
}

static void run_synth(double roll, const char *spec_name, int src_w, int src_h)
{
    run_synth_m(roll, spec_name, src_w, src_h, 0);
}

static void test_synth_level(void **state)
{
    (void)state;
    run_synth(0, "chsi", 900, 1200);
}

static void test_synth_roll(void **state)
{
    (void)state;
    run_synth(12 * M_PI / 180, "chsi", 900, 1200);
    run_synth(-8 * M_PI / 180, "chsi", 900, 1200);
}

static void test_synth_big_source(void **state)
{
    (void)state;
    /* 12 MP: read with JPEG-less (PNG) full decode; checks the scale path */
    run_synth(3 * M_PI / 180, "2inch", 3000, 4000);
    run_synth_m(-4 * M_PI / 180, "2inch", 3000, 4000, 1600); /* mask reduced > 2x */
}

static void test_synth_idcard(void **state)
{
    (void)state;
    run_synth(0, "idcard", 900, 1200);
    run_synth(5 * M_PI / 180, "1inch", 900, 1200);
}

static void test_plan_infeasible(void **state)
{
    (void)state;
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    tc_photo_face_geom g;
    tc_photo_geom_init(&g);
    /* eyes 100 px apart, chin close below, hair very high above: a head far
     * taller than wide cannot fit chsi's ranges */
    g.left_eye[0] = 400, g.left_eye[1] = 500;
    g.right_eye[0] = 500, g.right_eye[1] = 500;
    g.chin[0] = 450, g.chin[1] = 620;
    g.hair_top[0] = 450, g.hair_top[1] = 60;
    g.face_left[0] = 340, g.face_left[1] = 500;
    g.face_right[0] = 560, g.face_right[1] = 500;
    tc_photo_layout lay;
    tc_err e = {0};
    assert_int_equal(tc_photo_plan(&g, tc_spec_find(&t, "chsi"), 0, 0, &lay, &e), -1);
    assert_string_equal(e.code, "photo.geometry_out_of_range");
    assert_false(lay.fits);
    g.chin[1] = 400; /* chin above the eyes */
    assert_int_equal(tc_photo_plan(&g, tc_spec_find(&t, "chsi"), 0, 0, &lay, &e), -1);
    assert_string_equal(e.code, "photo.bad_geometry");
    tc_spec_table_free(&t);
}

/* The crop stays inside the picture at the sides and bottom: a picture cut
 * just below the chin can only be met by a bigger head (within the spec's
 * face-width window) or not at all (photo.crop_outside); every window is
 * met with its margin. */
static void test_plan_inside_source(void **state)
{
    (void)state;
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *chsi = tc_spec_find(&t, "chsi");
    tc_photo_face_geom g;
    tc_photo_geom_init(&g);
    g.left_eye[0] = 400, g.left_eye[1] = 400;
    g.right_eye[0] = 500, g.right_eye[1] = 400;
    g.chin[0] = 450, g.chin[1] = 560;
    g.hair_top[0] = 450, g.hair_top[1] = 240;
    g.face_left[0] = 350, g.face_left[1] = 420;
    g.face_right[0] = 550, g.face_right[1] = 420;
    tc_photo_layout lay;
    tc_err e = {0};
    /* a big picture: centred, every window with its margin */
    assert_int_equal(tc_photo_plan(&g, chsi, 900, 1400, &lay, &e), 0);
    assert_true(lay.fits && lay.inside);
    assert_true(lay.eye_line_y >= chsi->eye_line.lo + 1 && lay.eye_line_y <= chsi->eye_line.hi - 1);
    assert_true(lay.face_width >= chsi->face_width.lo + 1 && lay.face_width <= chsi->face_width.hi - 1);
    assert_true(lay.hair_top_y >= chsi->hair_top.lo + 1 && lay.hair_top_y <= chsi->hair_top.hi - 1);
    double loose = lay.scale;
    /* the picture ends 140 px below the chin: the plan scales up to keep the
     * crop's bottom inside it, and the bottom row maps inside */
    assert_int_equal(tc_photo_plan(&g, chsi, 900, 700, &lay, &e), 0);
    assert_true(lay.inside);
    assert_true(lay.scale > loose);
    for (int u = 0; u <= chsi->width; u += chsi->width) {
        double x, y;
        assert_int_equal(tc_photo_layout_unmap(&lay, u, chsi->height, &x, &y), 0);
        assert_true(y <= 700 + 0.51 && x >= -0.51 && x <= 900 + 0.51);
    }
    /* unmap is the plan's inverse: the eyes and the chin come back where
     * they were (rotation, scale and shift undone) */
    const double *m = lay.m;
    const float *pts[3] = {g.left_eye, g.right_eye, g.chin};
    for (int i = 0; i < 3; i++) {
        double u = m[0] * pts[i][0] + m[1] * pts[i][1] + m[2], v = m[3] * pts[i][0] + m[4] * pts[i][1] + m[5];
        double x = -1, y = -1;
        assert_int_equal(tc_photo_layout_unmap(&lay, u, v, &x, &y), 0);
        assert_true(fabs(x - pts[i][0]) < 1e-6 && fabs(y - pts[i][1]) < 1e-6);
    }
    /* a degenerate map is refused, its outputs untouched */
    tc_photo_layout flat = lay;
    flat.m[0] = flat.m[1] = 0;
    double x = 7, y = 7;
    assert_int_equal(tc_photo_layout_unmap(&flat, 10, 10, &x, &y), -1);
    assert_true(x == 7 && y == 7);
    /* cut at the chin: nothing inside meets the spec */
    assert_int_equal(tc_photo_plan(&g, chsi, 900, 580, &lay, &e), -1);
    assert_string_equal(e.code, "photo.crop_outside");
    assert_false(lay.fits);
    assert_false(lay.inside);
    tc_spec_table_free(&t);
}

/* ---- real portraits ------------------------------------------------------------------ */

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

/* Hand-measured on the images (pixels of the upright originals). */
typedef struct {
    const char *file;
    float le[2], re[2], chin[2], fl[2], fr[2];
} portrait_geom;

static const portrait_geom pg[] = {
    {"woman_plain_grey_bg.jpg", {213, 211}, {301, 214}, {253, 352}, {157, 228}, {352, 232}},
    {"mugshot_S024-01_frontal_neutral.jpg", {201, 258}, {298, 255}, {256, 450}, {126, 300}, {382, 298}},
};

static void test_portraits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pg / sizeof pg[0]; i++) {
        char *path = portrait(pg[i].file);
        if (!path) {
            print_message("portraits absent (set TC_TESTDATA or put ../shared/testdata beside the project)\n");
            skip();
        }
        char *data;
        size_t len;
        tc_err e = {0};
        assert_int_equal(tc_file_read(path, 50 << 20, &data, &len, &e), 0);
        tc_photo_src *src;
        assert_int_equal(tc_photo_decode(data, len, NULL, &src, &e), 0);
        free(data);
        const tc_photo_rgb *work = tc_photo_src_work(src);
        tc_photo_mask m;
        assert_int_equal(tc_photo_mask_plain_bg(work, &m, &e), 0);
        tc_photo_face_geom g;
        tc_photo_geom_init(&g);
        memcpy(g.left_eye, pg[i].le, sizeof g.left_eye);
        memcpy(g.right_eye, pg[i].re, sizeof g.right_eye);
        memcpy(g.chin, pg[i].chin, sizeof g.chin);
        memcpy(g.face_left, pg[i].fl, sizeof g.face_left);
        memcpy(g.face_right, pg[i].fr, sizeof g.face_right);
        assert_int_equal(tc_photo_geom_hair_top_from_mask(&g, &m, tc_photo_src_width(src), &e), 0);
        print_message("%s: hair top (%.0f, %.0f)\n", pg[i].file, g.hair_top[0], g.hair_top[1]);

        tc_spec_table t;
        tc_spec_table_builtin(&t);
        const char *specs[] = {"chsi", "1inch", "2inch"};
        const char *bgs[] = {NULL, "white", "grey"};
        for (size_t k = 0; k < 3; k++) {
            const tc_spec *spec = tc_spec_find(&t, specs[k]);
            tc_photo_compose_opts o = {.strict = 1};
            assert_int_equal(tc_spec_background(spec, k < 1 ? bgs[0] : (k == 1 ? "white" : "blue"), o.background, &e), 0);
            (void)bgs;
            tc_photo_rgb out;
            tc_photo_layout lay;
            tc_photo_mask alpha;
            int rc = tc_photo_compose(src, &g, &m, spec, &o, &out, &lay, &alpha, &e);
            if (rc)
                print_message("%s/%s: %s %s\n", pg[i].file, spec->name, e.code, e.en);
            assert_int_equal(rc, 0);
            uint8_t *jpg;
            size_t jl;
            tc_photo_report rep = {0};
            assert_int_equal(tc_photo_encode(&out, spec, &jpg, &jl, &rep, &e), 0);
            int q = rep.quality;
            assert_int_equal(tc_photo_measure(jpg, jl, spec, o.background, &lay, &alpha, &rep, &e), 0);
            rep.quality = q;
            char *js = tc_photo_report_json(&rep);
            print_message("%s/%s: %s\n", pg[i].file, spec->name, js);
            free(js);
            const char *dump = getenv("TC_PHOTO_DUMP");
            if (dump) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s_%s.jpg", dump, pg[i].file, spec->name);
                tc_file_write_atomic(p, jpg, jl, &e);
            }
            assert_true(rep.in_spec);
            /* the smear test: a crop past the picture's bottom used to repeat
             * its last row, so each column was constant over a band; real
             * pixels change from row to row somewhere in the bottom 40 rows */
            double change = 0;
            size_t cnt = 0;
            for (int y = out.height - 40; y < out.height; y++)
                for (int x = 0; x < out.width; x++) {
                    size_t a = (size_t)y * out.width + x, b = a - out.width;
                    if (alpha.a[a] < 0.9f || alpha.a[b] < 0.9f)
                        continue; /* the person only: the backdrop is flat */
                    for (int c = 0; c < 3; c++)
                        change += abs(out.px[3 * a + c] - out.px[3 * b + c]);
                    cnt += 3;
                }
            if (cnt > 300) {
                change /= (double)cnt;
                print_message("%s/%s: bottom rows change %.2f per value\n", pg[i].file, spec->name, change);
                assert_true(change > 0.5);
            }
            assert_true(lay.inside);
            free(jpg);
            tc_photo_rgb_free(&out);
            tc_photo_mask_free(&alpha);
        }
        tc_spec_table_free(&t);
        tc_photo_mask_free(&m);
        tc_photo_src_free(src);
        free(path);
    }
}

/* Which face: two people side by side are refused unless the largest is
 * asked for; a small face far behind does not count. */
static void test_pick_face(void **state)
{
    (void)state;
    tc_err e = {0};
    int pick = -7;
    /* two people, the right one a little larger */
    tc_photo_face_box two[2] = {{100, 100, 150, 180}, {600, 120, 160, 190}};
    assert_int_equal(tc_photo_pick_face(two, 2, 1000, 800, 0, &pick, &e), -1);
    assert_string_equal(e.code, "photo.faces");
    assert_int_equal(e.status, 422);
    assert_non_null(strstr(e.en, "2 people"));
    assert_non_null(strstr(e.zh, "2 个人"));
    assert_int_equal(tc_photo_pick_face(two, 2, 1000, 800, 1, &pick, &e), 0);
    assert_int_equal(pick, 1);
    /* the student in front, a passer-by far behind (a third as wide) listed
     * first by the detector: the student, without any flag */
    tc_photo_face_box crowd[3] = {{50, 40, 60, 70}, {400, 200, 180, 220}, {850, 60, 40, 50}};
    assert_int_equal(tc_photo_pick_face(crowd, 3, 1000, 800, 0, &pick, &e), 0);
    assert_int_equal(pick, 1);
    /* equal sizes: the more central one, when asked for the largest */
    tc_photo_face_box twins[2] = {{20, 300, 150, 150}, {430, 320, 150, 150}};
    assert_int_equal(tc_photo_pick_face(twins, 2, 1000, 800, 1, &pick, &e), 0);
    assert_int_equal(pick, 1);
    /* one face; none */
    assert_int_equal(tc_photo_pick_face(crowd + 1, 1, 1000, 800, 0, &pick, &e), 0);
    assert_int_equal(pick, 0);
    assert_int_equal(tc_photo_pick_face(NULL, 0, 1000, 800, 0, &pick, &e), -1);
    assert_string_equal(e.code, "photo.no_face");
}

/* Issue 15: the trimap of the edge step.  A patch of wall beside the head
 * that the mask calls person (a shelf post, a poster) is not joined to the
 * face and must come out as the new background; the face oval given as the
 * mesh would give it is sure person in the trimap. */
/* tc_photo_mesh_zones: the mesh's sure zones in the geometry's own pixels
 * (the studio's mask at the head's scale keeps the larger value in the
 * ears' zones).  An oval 120x160 round (100, 100): its middle is the oval
 * (1); beyond its ear-level point on the right (index 8, 80 degrees from
 * the top) lies an ear's ellipse (2); a corner is nothing (0).  An oval
 * half past the picture's left edge writes nothing outside the buffer. */
static void test_mesh_zones(void **st)
{
    (void)st;
    enum { W = 200, H = 200 };
    static uint8_t z[W * H];
    tc_photo_face_geom g;
    tc_photo_geom_init(&g);
    for (int cxi = 0; cxi < 2; cxi++) {
        double cx = cxi ? 10 : 100;
        for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++) {
            double t = 2 * M_PI * i / TC_PHOTO_OVAL_POINTS;
            g.oval[i][0] = (float)(cx + 60 * sin(t));
            g.oval[i][1] = (float)(100 - 80 * cos(t));
        }
        memset(z, 9, sizeof z);
        tc_photo_mesh_zones(&g, W, H, z);
        long n[4] = {0};
        for (int i = 0; i < W * H; i++) {
            assert_true(z[i] <= 3);
            n[z[i]]++;
        }
        if (!cxi) {
            assert_int_equal(z[100 * W + 100], 1);
            assert_int_equal(z[98 * W + 166], 2);
            assert_int_equal(z[5 * W + 5], 0);
            assert_true(n[1] > 10000 && n[2] > 200);
        } else {
            assert_int_equal(z[100 * W + 76], 2); /* the right ear of an oval cut by the left edge */
        }
    }
}

static void test_synth_island(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    size_t len;
    uint8_t *png = to_png(s.px, s.w, s.h, &len);
    tc_photo_src *src = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(png, len, NULL, &src, &e), 0);
    g_free(png);
    const tc_photo_rgb *work = tc_photo_src_work(src);
    double k = (double)work->width / s.w;
    tc_photo_face_geom g;
    synth_geom(&s, &g);
    for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++) { /* clockwise from the top, as the mesh's ring */
        double t = 2 * M_PI * i / TC_PHOTO_OVAL_POINTS;
        g.oval[i][0] = (float)(s.cx + 0.9 * s.ax * sin(t));
        g.oval[i][1] = (float)(s.cy - 0.75 * s.ay * cos(t));
    }
    tc_photo_mask m;
    synth_mask(&s, work->width, work->height, &m);
    double bx = s.cx - 1.6 * s.ax, by = s.cy - 0.2 * s.ay, br = 0.25 * s.ax;
    for (int y = 0; y < m.height; y++)
        for (int x = 0; x < m.width; x++)
            if (hypot((x + 0.5) / k - bx, (y + 0.5) / k - by) < br)
                m.a[(size_t)y * m.width + x] = 1;
    assert_int_equal(tc_photo_geom_hair_top_from_mask(&g, &m, tc_photo_src_width(src), &e), 0);
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *spec = tc_spec_find(&t, "chsi");
    tc_photo_mask tri = {0};
    tc_photo_compose_opts o = {.strict = 1, .trimap_out = &tri};
    assert_int_equal(tc_spec_background(spec, NULL, o.background, &e), 0);
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    assert_int_equal(tc_photo_compose(src, &g, &m, spec, &o, &out, &lay, &alpha, &e), 0);
    assert_non_null(tri.a);
    int u = (int)(lay.m[0] * bx + lay.m[1] * by + lay.m[2]), v = (int)(lay.m[3] * bx + lay.m[4] * by + lay.m[5]);
    assert_true(u > 2 && v > 2 && u < out.width - 2 && v < out.height - 2);
    for (int dv = -2; dv <= 2; dv++)
        for (int du = -2; du <= 2; du++) {
            size_t i = (size_t)(v + dv) * out.width + u + du;
            assert_true(alpha.a[i] == 0);
            assert_memory_equal(out.px + 3 * i, o.background, 3);
        }
    int fu = (int)(lay.m[0] * s.cx + lay.m[1] * s.cy + lay.m[2]), fv = (int)(lay.m[3] * s.cx + lay.m[4] * s.cy + lay.m[5]);
    assert_true(tri.a[(size_t)fv * out.width + fu] == 1);
    assert_true(alpha.a[(size_t)fv * out.width + fu] == 1);
    tc_photo_mask_free(&tri);
    tc_photo_mask_free(&alpha);
    tc_photo_mask_free(&m);
    tc_photo_rgb_free(&out);
    tc_photo_src_free(src);
    tc_spec_table_free(&t);
    free(s.px);
}

/* Issue 15 item 3: a grey thing of the room beside the head (the live
 * selfie's air-conditioner face and window sill beside her ear) that the
 * coarse mask calls person near the head.  Its colour is neither the wall's
 * mean nor the person's, so the windowed colour models and the matting left
 * it half person (grey smudges).  Part of it lies in the sure backdrop, so
 * the backdrop's colour samples know the colour: beside the head it is the
 * new background.  A bar of light grey from the picture's left edge to the
 * head's edge at jaw height (below the ear regions); the mask calls it person
 * within 12 source pixels of the head.  The bar's pixels 3 to 7 px from the
 * head's edge (source) must come out as the background; the head beside it
 * stays person. */
static void test_synth_grey_blob(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    double bv = 0.35 * s.ay, edge = s.cx - s.ax * sqrt(1 - 0.35 * 0.35), bh = 0.05 * s.ay;
    for (int y = 0; y < s.h; y++)
        for (int x = 0; x < s.w; x++)
            if (fabs(y + 0.5 - (s.cy + bv)) < bh && x + 0.5 < edge) {
                uint8_t *p = s.px + 3 * ((size_t)y * s.w + x);
                p[0] = 196, p[1] = 198, p[2] = 204;
            }
    size_t len;
    uint8_t *png = to_png(s.px, s.w, s.h, &len);
    tc_photo_src *src = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(png, len, NULL, &src, &e), 0);
    g_free(png);
    const tc_photo_rgb *work = tc_photo_src_work(src);
    double k = (double)work->width / s.w;
    tc_photo_face_geom g;
    synth_geom(&s, &g);
    for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++) {
        double t = 2 * M_PI * i / TC_PHOTO_OVAL_POINTS;
        g.oval[i][0] = (float)(s.cx + 0.9 * s.ax * sin(t));
        g.oval[i][1] = (float)(s.cy - 0.75 * s.ay * cos(t));
    }
    tc_photo_mask m;
    synth_mask(&s, work->width, work->height, &m);
    for (int y = 0; y < m.height; y++)
        for (int x = 0; x < m.width; x++) {
            double sx = (x + 0.5) / k, sy = (y + 0.5) / k;
            if (fabs(sy - (s.cy + bv)) < bh && sx < edge && sx > edge - 12)
                m.a[(size_t)y * m.width + x] = 1;
        }
    assert_int_equal(tc_photo_geom_hair_top_from_mask(&g, &m, tc_photo_src_width(src), &e), 0);
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *spec = tc_spec_find(&t, "chsi");
    tc_photo_compose_opts o = {.strict = 1};
    assert_int_equal(tc_spec_background(spec, NULL, o.background, &e), 0);
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    assert_int_equal(tc_photo_compose(src, &g, &m, spec, &o, &out, &lay, &alpha, &e), 0);
    long kept = 0, n = 0;
    for (double sy = s.cy + bv - 0.5 * bh; sy <= s.cy + bv + 0.5 * bh; sy += 1)
        for (double sx = edge - 7; sx <= edge - 3; sx += 1) {
            int u = (int)(lay.m[0] * sx + lay.m[1] * sy + lay.m[2]), v = (int)(lay.m[3] * sx + lay.m[4] * sy + lay.m[5]);
            assert_true(u >= 0 && v >= 0 && u < out.width && v < out.height);
            size_t i = (size_t)v * out.width + u;
            n++;
            kept += alpha.a[i] > 0.1f;
        }
    double hx = edge + 0.15 * s.ax, hy = s.cy + bv;
    int hu = (int)(lay.m[0] * hx + lay.m[1] * hy + lay.m[2]), hv = (int)(lay.m[3] * hx + lay.m[4] * hy + lay.m[5]);
    print_message("grey bar beside the head: %ld of %ld pixels kept as person; head beside it %.2f\n", kept, n,
                  alpha.a[(size_t)hv * out.width + hu]);
    assert_int_equal(kept, 0);
    assert_true(alpha.a[(size_t)hv * out.width + hu] == 1);
    tc_photo_mask_free(&alpha);
    tc_photo_mask_free(&m);
    tc_photo_rgb_free(&out);
    tc_photo_src_free(src);
    tc_spec_table_free(&t);
    free(s.px);
}

/* Compose the synthetic picture with the mesh's face oval an ellipse of
 * semi-axes (oax, oay) about the head's centre and the soft mask of the
 * head; the background's colour in bg. */
/* compose_synth with the mask changed by tweak (when not NULL) after it is
 * drawn: what a network gets wrong. */
static void compose_synth_tweak(const synth *s, double oax, double oay, void (*tweak)(const synth *, tc_photo_mask *),
                                tc_photo_rgb *out, tc_photo_layout *lay, tc_photo_mask *alpha, uint8_t bg[3]);

static void compose_synth(const synth *s, double oax, double oay, tc_photo_rgb *out, tc_photo_layout *lay,
                          tc_photo_mask *alpha, uint8_t bg[3])
{
    compose_synth_tweak(s, oax, oay, NULL, out, lay, alpha, bg);
}

static void compose_synth_tweak(const synth *s, double oax, double oay, void (*tweak)(const synth *, tc_photo_mask *),
                                tc_photo_rgb *out, tc_photo_layout *lay, tc_photo_mask *alpha, uint8_t bg[3])
{
    size_t len;
    uint8_t *png = to_png(s->px, s->w, s->h, &len);
    tc_photo_src *src = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(png, len, NULL, &src, &e), 0);
    g_free(png);
    const tc_photo_rgb *work = tc_photo_src_work(src);
    tc_photo_face_geom g;
    synth_geom(s, &g);
    for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++) {
        double t = 2 * M_PI * i / TC_PHOTO_OVAL_POINTS;
        g.oval[i][0] = (float)(s->cx + oax * sin(t));
        g.oval[i][1] = (float)(s->cy - oay * cos(t));
    }
    tc_photo_mask m;
    synth_mask(s, work->width, work->height, &m);
    if (tweak)
        tweak(s, &m);
    assert_int_equal(tc_photo_geom_hair_top_from_mask(&g, &m, tc_photo_src_width(src), &e), 0);
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *spec = tc_spec_find(&t, "chsi");
    tc_photo_compose_opts o = {.strict = 1};
    assert_int_equal(tc_spec_background(spec, NULL, o.background, &e), 0);
    assert_int_equal(tc_photo_compose(src, &g, &m, spec, &o, out, lay, alpha, &e), 0);
    memcpy(bg, o.background, 3);
    tc_photo_mask_free(&m);
    tc_photo_src_free(src);
    tc_spec_table_free(&t);
}

static size_t out_at(const tc_photo_layout *lay, int W, double sx, double sy)
{
    int u = (int)floor(lay->m[0] * sx + lay->m[1] * sy + lay->m[2]);
    int v = (int)floor(lay->m[3] * sx + lay->m[4] * sy + lay->m[5]);
    return (size_t)v * W + u;
}

/* Issue 15: the mesh's face oval reaching a pixel or two past the cheek
 * (an open mouth stretches it; real photo m-001-4) made the wall's pixels
 * between the cheek and the oval's rim sure person: a line of old wall
 * along the jaw (white on a white wall, dark on a curtain).  The oval here
 * is the head's ellipse 2 source px wider all round; the wall 1.2 source px
 * outside the cheek, below the ears, must come out as the background
 * (alpha was 1 before), the cheek 3 px inside stays person. */
static void test_synth_oval_rim(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    uint8_t bg[3];
    compose_synth(&s, s.ax + 2, s.ay + 2, &out, &lay, &alpha, bg);
    long bad = 0, n = 0;
    for (double f = 0.15; f <= 0.45; f += 0.05) {
        double sy = s.cy + f * s.ay, edge = s.ax * sqrt(1 - f * f);
        for (int k = -1; k <= 1; k += 2) {
            size_t wall = out_at(&lay, out.width, s.cx + k * (edge + 1.2), sy);
            size_t cheek = out_at(&lay, out.width, s.cx + k * (edge - 3), sy);
            n++;
            bad += alpha.a[wall] >= 0.5f;
            assert_true(alpha.a[cheek] == 1);
        }
    }
    print_message("wall beside the cheek inside the oval: %ld of %ld pixels person\n", bad, n);
    assert_int_equal(bad, 0);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    free(s.px);
}

/* Issue 15: light specks in the hair (a glint, a light strand near the
 * backdrop's shade) that the colour tests call backdrop became holes the
 * new blue showed through, wider than the 3x3 closing fills.  Four 3x3
 * source-px glints (light beige) 6 px inside the hair's top outline; the
 * mask calls them person.  Their centres must come out person (alpha >= 0.9,
 * not the background; they were about 0 before); a notch of the wall's
 * colour cut into the outline (open to the backdrop: a gap between strands)
 * stays background. */
static void test_synth_hair_specks(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    const double gx[4] = {-30, -10, 10, 30};
    double gy[4];
    for (int k = 0; k < 4; k++) {
        gy[k] = s.cy - s.ay * sqrt(1 - (gx[k] / s.ax) * (gx[k] / s.ax)) + 6;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                uint8_t *p = s.px + 3 * ((size_t)(gy[k] + dy) * s.w + (size_t)(s.cx + gx[k] + dx));
                p[0] = 205, p[1] = 195, p[2] = 182;
            }
    }
    double nx = s.cx + 55, ntop = s.cy - s.ay * sqrt(1 - (55 / s.ax) * (55 / s.ax));
    for (int y = (int)ntop - 4; y <= (int)ntop + 6; y++)
        for (int x = (int)nx - 1; x <= (int)nx + 1; x++)
            paint_wall(&s, x, y);
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    uint8_t bg[3];
    compose_synth(&s, 0.9 * s.ax, 0.75 * s.ay, &out, &lay, &alpha, bg);
    int filled = 0;
    for (int k = 0; k < 4; k++) {
        size_t i = out_at(&lay, out.width, s.cx + gx[k] + 0.5, gy[k] + 0.5);
        print_message("glint %d: alpha %.2f, colour %d %d %d\n", k, alpha.a[i], out.px[3 * i], out.px[3 * i + 1],
                      out.px[3 * i + 2]);
        filled += alpha.a[i] >= 0.9f && memcmp(out.px + 3 * i, bg, 3) != 0;
    }
    size_t notch = out_at(&lay, out.width, nx + 0.5, ntop + 4.5);
    print_message("notch 4 px into the outline: alpha %.2f\n", alpha.a[notch]);
    assert_int_equal(filled, 4);
    assert_true(alpha.a[notch] < 0.5f);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    free(s.px);
}

/* Issue 15: a white shirt on a white wall (what seeds 001 and 003 ask
 * for).  The segmentation model smears such a shoulder: half alpha in
 * streaks along the columns, over the shirt and the wall beside it alike,
 * and nothing in the colours tells them apart; the shoulder came out half
 * transparent (real photo AR m-001-2).  Here the shirt is the wall's grey
 * and the mask is streaked 0.35..0.65 right of the neck below the chin; the
 * left shoulder's mask is crisp.  The right shoulder must come out as the
 * left one mirrored: person (alpha >= 0.85) 10 px inside its edge, backdrop
 * (<= 0.1) 12 px outside it; the left shoulder the same. */
/* the mask streaked 0.35..0.65 right of the neck below the chin */
static void smear_right_shoulder(const synth *s, tc_photo_mask *m)
{
    double k = (double)s->w / m->width;
    for (int y = 0; y < m->height; y++)
        for (int x = 0; x < m->width; x++)
            if (x * k > s->cx + 0.3 * s->ax && y * k > s->cy + s->ay)
                m->a[(size_t)y * m->width + x] = 0.35f + 0.1f * (x % 4);
}

static void test_synth_white_shoulder(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    for (int y = 0; y < s.h; y++)
        for (int x = 0; x < s.w; x++) {
            int what;
            person_at(&s, x + 0.5, y + 0.5, &what);
            if (what == 4)
                paint_wall(&s, x, y);
        }
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    uint8_t bg[3];
    compose_synth_tweak(&s, 0.9 * s.ax, 0.75 * s.ay, smear_right_shoulder, &out, &lay, &alpha, bg);
    int checked = 0;
    for (double v = 1.15; v <= 1.35; v += 0.1) {
        double sy = s.cy + v * s.ay, edge = 0.5 * s.ax + (v - 0.8) * s.ay * 1.2;
        for (int side = -1; side <= 1; side += 2) {
            size_t in = out_at(&lay, out.width, s.cx + side * (edge - 10), sy);
            size_t wall = out_at(&lay, out.width, s.cx + side * (edge + 12), sy);
            int wx = (int)(wall % (size_t)out.width), wy = (int)(wall / (size_t)out.width);
            if (wy >= out.height || wx <= 0 || wx >= out.width - 1)
                continue;
            print_message("shoulder %s at %.2f: inside %.2f, wall %.2f\n", side < 0 ? "left" : "right", v, alpha.a[in],
                          alpha.a[wall]);
            assert_true(alpha.a[in] >= 0.85f);
            assert_true(alpha.a[wall] <= 0.1f);
            checked++;
        }
    }
    assert_true(checked >= 4);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    free(s.px);
}

/* Issue 15: an ear of a colour near the wall's (a reddish ear on a tan
 * wall, man_standing_full_body) beside a pale face: the colour tests call
 * it backdrop, and the ear region's floor (the coarse mask's say) was
 * dropped because the local person and backdrop colours differ: the ear
 * came out holed (alpha 0 to 0.35 in its middle, the new blue through it).
 * Here the ear is a small ellipse just outside the cheek at the ear level
 * of the mesh's oval, the mask 0.75 on it (fairly sure).  Its middle must
 * come out person (alpha >= 0.95); the tan wall 0.3 face widths out stays
 * backdrop. */
static void tan_wall(synth *s)
{
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int what;
            person_at(s, x + 0.5, y + 0.5, &what);
            if (!what) {
                uint8_t *p = s->px + 3 * ((size_t)y * s->w + x);
                p[0] = 190, p[1] = 140, p[2] = 70;
            }
        }
}

/* the ear: centre (ex, ey) in source pixels, semi-axes 0.07 ax by 0.14 ay;
 * the oval's point 28 (the left ear's level: t = 280 degrees) */
static void ear_at(const synth *s, int side, double *ex, double *ey)
{
    double t = 2 * M_PI * 28 / TC_PHOTO_OVAL_POINTS, y = s->cy - s->ay * cos(t);
    double dy = (y - s->cy) / s->ay;
    *ey = y;
    *ex = s->cx + side * (s->ax * sqrt(1 - dy * dy) + 0.05 * s->ax);
}

static int in_ear(const synth *s, double x, double y)
{
    double ex, ey;
    ear_at(s, -1, &ex, &ey);
    double u = (x - ex) / (0.07 * s->ax), v = (y - ey) / (0.14 * s->ay);
    int what;
    person_at(s, x, y, &what);
    return !what && u * u + v * v <= 1;
}

static void ear_mask(const synth *s, tc_photo_mask *m)
{
    double k = (double)s->w / m->width;
    for (int y = 0; y < m->height; y++)
        for (int x = 0; x < m->width; x++)
            if (in_ear(s, (x + 0.5) * k, (y + 0.5) * k))
                m->a[(size_t)y * m->width + x] = 0.75f;
}

static void test_synth_ear_wall_colour(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    tan_wall(&s);
    for (int y = 0; y < s.h; y++)
        for (int x = 0; x < s.w; x++)
            if (in_ear(&s, x + 0.5, y + 0.5)) {
                uint8_t *p = s.px + 3 * ((size_t)y * s.w + x);
                p[0] = 160, p[1] = 100, p[2] = 90;
            }
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    uint8_t bg[3];
    compose_synth_tweak(&s, s.ax, s.ay, ear_mask, &out, &lay, &alpha, bg);
    double ex, ey;
    ear_at(&s, -1, &ex, &ey);
    double mid = 0, lo = 1, wall = alpha.a[out_at(&lay, out.width, ex - 0.6 * s.ax, ey)];
    int n = 0;
    for (double dy = -0.05 * s.ay; dy <= 0.05 * s.ay; dy += 1)
        for (double dx = -0.02 * s.ax; dx <= 0.02 * s.ax; dx += 1) {
            float a = alpha.a[out_at(&lay, out.width, ex + dx, ey + dy)];
            mid += a, n++, lo = a < lo ? a : lo;
        }
    mid /= n;
    print_message("reddish ear on a tan wall: middle's alpha mean %.2f, least %.2f (%d px); wall beyond %.2f\n", mid,
                  lo, n, wall);
    assert_true(mid >= 0.95 && lo >= 0.9);
    assert_true(wall <= 0.05f);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    free(s.px);
}

/* Issue 15: a light shirt before a wall of nearly its colour, both with a
 * grain of their own (a webcam's noise, a wall's texture), and a mask a
 * little ragged along the shoulders, as a network's is at 256 px.  The
 * colour tests and the solve follow the grain there and bit notches of the
 * new blue into the shoulder (NUAA live 0003_153's white shirt).  Each output
 * row of the shoulders must cross alpha 0.5 once per side within 30 px of
 * the true edge (a clean line), and that crossing must lie within 4 px of
 * it. */
static uint32_t grain(uint32_t *st)
{
    *st = *st * 1664525u + 1013904223u;
    return *st >> 24;
}

static void ragged_shoulders(const synth *s, tc_photo_mask *m)
{
    double k = (double)s->w / m->width;
    uint32_t st = 7;
    for (int y = 0; y < m->height; y++)
        for (int x = 0; x < m->width; x++) {
            float *a = &m->a[(size_t)y * m->width + x];
            if (y * k > s->cy + s->ay && *a > 0.02f && *a < 0.98f)
                *a = (float)(*a + ((int)grain(&st) - 128) / 400.0);
            *a = *a < 0 ? 0 : *a > 1 ? 1 : *a;
        }
}

static void test_synth_shoulder_outline(void **st)
{
    (void)st;
    synth s;
    make_synth(&s, 600, 800, 0);
    uint32_t g = 1;
    for (int y = 0; y < s.h; y++)
        for (int x = 0; x < s.w; x++) {
            int what;
            person_at(&s, x + 0.5, y + 0.5, &what);
            if (what != 0 && what != 4)
                continue;
            uint8_t *p = s.px + 3 * ((size_t)y * s.w + x);
            int base = wall_grey(y, s.h) + (what == 4 ? 14 : 0) + ((int)grain(&g) - 128) / 6;
            p[0] = p[1] = p[2] = (uint8_t)(base < 0 ? 0 : base > 255 ? 255 : base);
        }
    tc_photo_rgb out;
    tc_photo_layout lay;
    tc_photo_mask alpha;
    uint8_t bg[3];
    compose_synth_tweak(&s, 0.9 * s.ax, 0.75 * s.ay, ragged_shoulders, &out, &lay, &alpha, bg);
    int rows = 0, extra = 0, far = 0;
    for (double v = 1.1; v <= 1.45; v += 0.01) {
        double sy = s.cy + v * s.ay, edge = 0.5 * s.ax + (v - 0.8) * s.ay * 1.2;
        for (int side = -1; side <= 1; side += 2) {
            size_t at = out_at(&lay, out.width, s.cx + side * edge, sy);
            int ex = (int)(at % (size_t)out.width), ey = (int)(at / (size_t)out.width);
            if (ey >= out.height || ex - 30 < 0 || ex + 30 >= out.width)
                continue;
            const float *a = alpha.a + (size_t)ey * out.width;
            int n = 0, pos = 0;
            for (int x = ex - 30; x < ex + 30; x++)
                if ((a[x] >= 0.5f) != (a[x + 1] >= 0.5f))
                    n++, pos = x;
            rows++;
            extra += n > 1 ? n - 1 : 0;
            far += n == 1 && abs(pos - ex) > 4;
        }
    }
    print_message("shoulder rows %d: extra crossings %d, edges off by more than 4 px %d\n", rows, extra, far);
    assert_true(rows >= 20);
    assert_true(extra <= rows / 20);
    assert_true(far <= rows / 20);
    tc_photo_mask_free(&alpha);
    tc_photo_rgb_free(&out);
    free(s.px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_level),     cmocka_unit_test(test_synth_roll),
        cmocka_unit_test(test_synth_big_source), cmocka_unit_test(test_synth_idcard),
        cmocka_unit_test(test_plan_infeasible), cmocka_unit_test(test_plan_inside_source), cmocka_unit_test(test_portraits),
        cmocka_unit_test(test_pick_face), cmocka_unit_test(test_mesh_zones), cmocka_unit_test(test_synth_island),
        cmocka_unit_test(test_synth_grey_blob), cmocka_unit_test(test_synth_oval_rim),
        cmocka_unit_test(test_synth_hair_specks),
        cmocka_unit_test(test_synth_white_shoulder),
        cmocka_unit_test(test_synth_ear_wall_colour),
        cmocka_unit_test(test_synth_shoulder_outline),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
