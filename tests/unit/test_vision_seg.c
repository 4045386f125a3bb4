/* The person mask at the head's scale (tc_vision_segment_near, session 24):
 * the segmentation model run on a box of the picture, written over that box
 * of an existing mask.
 *
 * The picture: a portrait from $TC_TESTDATA/portraits at its own size in
 * the middle of a 1920x1080 frame, its edges carried outwards (a student
 * farther from the camera, as bench_photo's wide case).  Checked: nothing
 * outside the box changes; inside it, away from the blended rim, the values
 * are the model's on the box alone (the box cut out as a picture of its
 * own); a box reaching past the picture is clipped to it; a box too small
 * leaves the mask as it was; and the point of it: the head's outline is
 * sharper (fewer pixels between 0.1 and 0.9 round the head) than in the
 * mask of the whole frame.  Needs the models (scripts/fetch-models) and the
 * portraits; each test skips, saying why, when they are absent. */
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

#include "vision/tc_vision.h"
#include "vision_fixture.h"

#define PORTRAIT "woman_plain_grey_bg.jpg"
#define FW 1920
#define FH 1080

static tc_vision *g_vision;
static tc_vision_ctx *g_ctx;
static char g_skip[2048];
static uint8_t *g_frame;        /* FW x FH RGB, or NULL (skip) */
static float g_box[4];          /* the head box: x0, y0, x1, y1 */

static int ready(void)
{
    if (!g_frame) {
        print_message("skipped: %s\n", g_skip);
        return 0;
    }
    return 1;
}

static float *whole_mask(void)
{
    tc_vision_image img = {g_frame, FW, FH, (size_t)FW * 3};
    float *m = malloc((size_t)FW * FH * sizeof *m);
    tc_err e;
    assert_non_null(m);
    assert_int_equal(tc_vision_segment(g_vision, g_ctx, &img, m, &e), 0);
    return m;
}

static void near(float *m, int x0, int y0, int x1, int y1)
{
    tc_vision_image img = {g_frame, FW, FH, (size_t)FW * 3};
    tc_err e;
    assert_int_equal(tc_vision_segment_near(g_vision, g_ctx, &img, x0, y0, x1, y1, m, &e), 0);
}

/* The head box (b: x0, y0, x1, y1), the whole frame's mask (*m0) and the
 * same with the box at the head's scale (*m); the width of the box's
 * blended rim is returned. */
static int head_masks(int b[4], float **m0, float **m)
{
    for (int k = 0; k < 4; k++)
        b[k] = (int)g_box[k];
    *m0 = whole_mask(), *m = whole_mask();
    near(*m, b[0], b[1], b[2], b[3]);
    return (int)ceil(0.08 * (b[2] - b[0] < b[3] - b[1] ? b[2] - b[0] : b[3] - b[1]));
}

/* Outside the box: bit for bit the mask it was given.  Inside, farther
 * than the blended rim (8 % of the box's shorter side) from the box's
 * sides: the model's mask of the box cut out as a picture of its own. */
static void test_box_only(void **st)
{
    (void)st;
    if (!ready())
        skip();
    int b[4];
    float *m0, *m;
    int rim = head_masks(b, &m0, &m), x0 = b[0], y0 = b[1], x1 = b[2], y1 = b[3];
    long changed = 0;
    for (int y = 0; y < FH; y++)
        for (int x = 0; x < FW; x++) {
            size_t i = (size_t)y * FW + x;
            int in = x >= x0 && x < x1 && y >= y0 && y < y1;
            if (!in)
                assert_true(m[i] == m0[i]);
            else {
                assert_true(m[i] >= 0 && m[i] <= 1);
                changed += fabsf(m[i] - m0[i]) > 0.05f;
            }
        }
    print_message("box %d,%d-%d,%d: %ld pixels changed by more than 0.05\n", x0, y0, x1, y1, changed);
    assert_true(changed > 1000);
    /* the box as a picture of its own */
    int bw = x1 - x0, bh = y1 - y0;
    uint8_t *cut = malloc((size_t)bw * bh * 3);
    float *mc = malloc((size_t)bw * bh * sizeof *mc);
    assert_non_null(cut);
    assert_non_null(mc);
    for (int y = 0; y < bh; y++)
        memcpy(cut + (size_t)y * bw * 3, g_frame + ((size_t)(y0 + y) * FW + x0) * 3, (size_t)bw * 3);
    tc_vision_image ci = {cut, bw, bh, (size_t)bw * 3};
    tc_err e;
    assert_int_equal(tc_vision_segment(g_vision, g_ctx, &ci, mc, &e), 0);
    double mad = 0, mx = 0;
    long n = 0;
    for (int y = rim; y < bh - rim; y++)
        for (int x = rim; x < bw - rim; x++) {
            double d = fabs(mc[(size_t)y * bw + x] - m[(size_t)(y0 + y) * FW + x0 + x]);
            mad += d, mx = fmax(mx, d), n++;
        }
    print_message("inside the rim: mean difference %.5f, largest %.5f from the box alone\n", mad / n, mx);
    assert_true(mad / n < 0.5 / 255); /* 0 and 0 when written: the same sampling */
    assert_true(mx < 0.02);
    free(cut), free(mc), free(m0), free(m);
}

/* A box reaching past the picture is the box clipped to it. */
static void test_clipped(void **st)
{
    (void)st;
    if (!ready())
        skip();
    float *a = whole_mask(), *b = whole_mask();
    near(a, -300, -200, 700, 600);
    near(b, 0, 0, 700, 600);
    assert_memory_equal(a, b, (size_t)FW * FH * sizeof *a);
    free(a), free(b);
}

/* A box under 16 pixels on a side, or one wholly outside, changes nothing. */
static void test_too_small(void **st)
{
    (void)st;
    if (!ready())
        skip();
    float *a = whole_mask(), *b = whole_mask();
    near(b, 500, 500, 510, 900);
    near(b, FW + 10, 0, FW + 500, 400);
    near(b, 100, -400, 600, -10);
    assert_memory_equal(a, b, (size_t)FW * FH * sizeof *a);
    free(a), free(b);
}

/* The point of it: round the head, the outline of the mask at the head's
 * scale is narrower than the whole frame's (pixels between 0.1 and 0.9). */
static void test_sharper_outline(void **st)
{
    (void)st;
    if (!ready())
        skip();
    int b[4];
    float *m0, *m;
    int rim = head_masks(b, &m0, &m), x0 = b[0], y0 = b[1], x1 = b[2], y1 = b[3];
    long soft0 = 0, soft = 0;
    for (int y = y0 + rim; y < y1 - rim; y++)
        for (int x = x0 + rim; x < x1 - rim; x++) {
            size_t i = (size_t)y * FW + x;
            soft0 += m0[i] > 0.1f && m0[i] < 0.9f;
            soft += m[i] > 0.1f && m[i] < 0.9f;
        }
    print_message("outline pixels (0.1-0.9) in the head box: whole frame %ld, head's scale %ld\n", soft0, soft);
    assert_true(soft < 0.75 * soft0); /* 20472 -> 12751 when written */
    free(m0), free(m);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    char models[1024];
    const char *env = getenv("TUCAI_MODELS");
    snprintf(models, sizeof models, "%s", env && *env ? env : TC_SRCDIR "/models");
    tc_err e;
    g_vision = tc_vision_load(models, &e);
    g_ctx = g_vision ? tc_vision_ctx_new(g_vision, &e) : NULL;
    const char *td = getenv("TC_TESTDATA");
    if (!g_ctx)
        snprintf(g_skip, sizeof g_skip, "models not loaded from %s (%.200s); run scripts/fetch-models", models, e.en);
    else if (!td || !*td)
        snprintf(g_skip, sizeof g_skip, "TC_TESTDATA is not set: ../shared/testdata/portraits is absent");
    else {
        char path[1200];
        snprintf(path, sizeof path, "%s/portraits/%s", td, PORTRAIT);
        int w, h;
        uint8_t *p = vf_decode(path, 1.0, &w, &h);
        if (!p || w > FW || h > FH)
            snprintf(g_skip, sizeof g_skip, "cannot read %s", path);
        else {
            /* the portrait in the middle, its edges carried outwards */
            int ox = (FW - w) / 2, oy = (FH - h) / 2;
            g_frame = malloc((size_t)FW * FH * 3);
            for (int y = 0; g_frame && y < FH; y++)
                for (int x = 0; x < FW; x++) {
                    int sx = x - ox < 0 ? 0 : x - ox >= w ? w - 1 : x - ox;
                    int sy = y - oy < 0 ? 0 : y - oy >= h ? h - 1 : y - oy;
                    memcpy(g_frame + ((size_t)y * FW + x) * 3, p + ((size_t)sy * w + sx) * 3, 3);
                }
            /* the head box as the studio takes it: 1.6 face widths to each
             * side of the detector box's centre, 1.5 above, 1.7 below */
            tc_vision_image img = {g_frame, FW, FH, (size_t)FW * 3};
            tc_vision_face f[TC_VISION_MAX_FACES];
            int nf = 0;
            if (!g_frame || tc_vision_detect(g_vision, g_ctx, &img, f, TC_VISION_MAX_FACES, &nf, &e) != 0 || nf != 1) {
                snprintf(g_skip, sizeof g_skip, "no single face found in the framed %s", PORTRAIT);
                free(g_frame);
                g_frame = NULL;
            } else {
                double fw = f[0].width * FW, cx = (f[0].xmin + f[0].width / 2) * FW,
                       cy = (f[0].ymin + f[0].height / 2) * FH;
                g_box[0] = (float)fmax(0, cx - 1.6 * fw), g_box[2] = (float)fmin(FW, cx + 1.6 * fw);
                g_box[1] = (float)fmax(0, cy - 1.5 * fw), g_box[3] = (float)fmin(FH, cy + 1.7 * fw);
            }
        }
        g_free(p);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_box_only),
        cmocka_unit_test(test_clipped),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_sharper_outline),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(g_frame);
    tc_vision_ctx_free(g_ctx);
    tc_vision_free(g_vision);
    vips_shutdown();
    return rc;
}
