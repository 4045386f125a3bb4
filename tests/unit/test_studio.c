/* tc_studio end to end on the portraits: a compliant mugshot gives a photo
 * in spec and passes every check it can judge; two people fail face_count;
 * a blue top fails clothing_colour; bytes that are no image are an error
 * with photo's code; a picture without a face is a report, not an error.
 * Needs the models ($TUCAI_MODELS or ./models) and the portraits
 * ($TC_TESTDATA); each test skips, saying why, when they are absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "../../eval/matte_metrics.h"
#include "studio/tc_studio.h"

static tc_studio *g_s;
static tc_studio_ctx *g_c;
static char g_why[1200];

static int setup(void **st)
{
    (void)st;
    tc_err e = {0};
    if (tc_photo_startup("test_studio", &e) != 0)
        return -1;
    const char *m = getenv("TUCAI_MODELS");
    char path[1024];
    snprintf(path, sizeof path, "%s/" TC_VISION_DETECTOR_FILE, m && *m ? m : TC_SRCDIR "/models");
    if (access(path, R_OK) != 0) {
        snprintf(g_why, sizeof g_why, "models absent (%s): run scripts/fetch-models", path);
        return 0;
    }
    g_s = tc_studio_open(m && *m ? m : TC_SRCDIR "/models", NULL, &e);
    g_c = g_s ? tc_studio_ctx_new(g_s, &e) : NULL;
    if (!g_c) {
        fprintf(stderr, "studio: %s (%s)\n", e.en, e.code);
        return -1;
    }
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    tc_studio_ctx_free(g_c);
    tc_studio_free(g_s);
    vips_shutdown();
    return 0;
}

/* Read a portrait, or skip saying why. */
static char *portrait(const char *name, size_t *len)
{
    if (!g_c) {
        print_message("%s\n", g_why);
        return NULL;
    }
    const char *td = getenv("TC_TESTDATA");
    if (!td || !*td) {
        print_message("TC_TESTDATA is not set: ../shared/testdata/portraits is absent\n");
        return NULL;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/portraits/%s", td, name);
    char *data = NULL;
    tc_err e = {0};
    if (tc_file_read(path, 64u << 20, &data, len, &e) != 0) {
        print_message("%s absent\n", path);
        return NULL;
    }
    return data;
}

static void make(const char *name, tc_studio_result *res, int *skipped)
{
    size_t len = 0;
    char *data = portrait(name, &len);
    *skipped = data == NULL;
    if (!data)
        return;
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .run_checks = 1, .want_overlay = 1,
                         .want_original = 1};
    tc_err e = {0};
    int rc = tc_studio_make(g_s, g_c, &req, res, &e);
    if (rc != 0)
        print_message("%s: %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    free(data);
}

static void test_compliant(void **st)
{
    (void)st;
    const char *names[] = {"mugshot_S024-01_frontal_neutral.jpg", "mugshot_S029-01_frontal_neutral.jpg"};
    for (size_t k = 0; k < 2; k++) {
        tc_studio_result res;
        int skipped;
        make(names[k], &res, &skipped);
        if (skipped)
            skip();
        assert_non_null(res.jpeg);
        assert_true(res.report.in_spec);
        assert_int_equal(res.report.width, 480);
        for (int i = 0; i < TC_CHECK_N; i++)
            if (res.checks.r[i].verdict == TC_CHECK_FAIL)
                print_message("%s: %s fails: score %d value %g\n", names[k], tc_check_name(i), res.checks.r[i].score,
                              res.checks.r[i].value);
        assert_int_equal(res.checks.n_failed, 0);
        assert_true(res.ok);
        assert_non_null(res.overlay_png);
        assert_true(res.overlay_len > 8 && !memcmp(res.overlay_png, "\x89PNG", 4));
        assert_non_null(res.original_jpeg);
        assert_true(res.ms_checks > 0 && res.ms_vision > 0);
        tc_studio_result_free(&res);
    }
}

static void expect_fail(const char *name, tc_check_id id)
{
    tc_studio_result res;
    int skipped;
    make(name, &res, &skipped);
    if (skipped)
        skip();
    assert_int_equal(res.checks.r[id].verdict, TC_CHECK_FAIL);
    assert_false(res.ok);
    assert_true(res.checks.r[id].zh[0] && res.checks.r[id].en[0]);
    tc_studio_result_free(&res);
}

static void test_two_people(void **st)
{
    (void)st;
    expect_fail("two_people.jpg", TC_CHECK_FACE_COUNT);
}

static void test_blue_top(void **st)
{
    (void)st;
    expect_fail("mugshot_S041-01_frontal_blue_top.jpg", TC_CHECK_CLOTHING_COLOUR);
}

static void test_profile(void **st)
{
    (void)st;
    expect_fail("mugshot_S001-08_profile.jpg", TC_CHECK_POSE_YAW);
}

static void test_bad_bytes(void **st)
{
    (void)st;
    if (!g_c) {
        print_message("%s\n", g_why);
        skip();
    }
    tc_studio_req req = {.data = "not an image at all", .len = 19, .run_checks = 1};
    tc_studio_result res;
    tc_err e = {0};
    assert_int_equal(tc_studio_make(g_s, g_c, &req, &res, &e), -1);
    assert_string_equal(e.code, "photo.unsupported_format");
    req.spec = "nosuchspec";
    assert_int_equal(tc_studio_make(g_s, g_c, &req, &res, &e), -1);
}

static void test_no_face(void **st)
{
    (void)st;
    if (!g_c) {
        print_message("%s\n", g_why);
        skip();
    }
    /* a plain grey PNG */
    uint8_t px[64 * 48 * 3];
    memset(px, 128, sizeof px);
    VipsImage *im = vips_image_new_from_memory(px, sizeof px, 64, 48, 3, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(vips_pngsave_buffer(im, &buf, &len, NULL), 0);
    g_object_unref(im);
    tc_studio_req req = {.data = buf, .len = len, .run_checks = 1, .want_overlay = 1};
    tc_studio_result res;
    tc_err e = {0};
    assert_int_equal(tc_studio_make(g_s, g_c, &req, &res, &e), 0);
    g_free(buf);
    assert_null(res.jpeg);
    assert_string_equal(res.problem, "photo.no_face");
    assert_int_equal(res.checks.r[TC_CHECK_FACE_COUNT].verdict, TC_CHECK_FAIL);
    assert_int_equal(res.checks.r[TC_CHECK_POSE_YAW].verdict, TC_CHECK_UNKNOWN);
    assert_false(res.ok);
    assert_non_null(res.overlay_png);
    tc_studio_result_free(&res);
}

/* Issue 15: the edges of hair and ears.  Bounds from docs/QUALITY.md
 * ("Hair and ear edges"), with some room over the figures measured when the
 * closed-form matting of the band came in (2026-12-05, 20 CG steps; in
 * brackets: specks, islands; S024's islands are fine strands of its short
 * hair cut off from the head on a noisy backdrop).  Before the trimap and
 * matting steps the street portrait had 74 specks and 30 island pixels, the
 * official portrait's ears were 0.93 opaque with 201 specks and 82 island
 * pixels.  Every ear here is free of hair: >= 0.95; no photo repeats rows
 * at its bottom. */
static void test_edges(void **st)
{
    (void)st;
    const struct {
        const char *name;
        long max_specks, max_islands;
    } cases[] = {
        {"woman_street_bg.webp", 10, 15},                /* 3, 3 */
        {"man_official_portrait_flags.jpg", 20, 25},     /* 10, 11 */
        {"child_headband_room.png", 12, 8},              /* 4, 0 */
        {"mugshot_S024-01_frontal_neutral.jpg", 8, 45},  /* 1, 33 */
        {"girl_half_body_beige_bg.jpg", 8, 14},          /* 4, 1 */
        {"live_selfie_exif_rotated.jpg", 14, 8},         /* 8, 0 */
        {"mugshot_S010-01_frontal_light_bg.jpg", 6, 8},  /* 1, 3 */
        {"woman_plain_grey_bg.jpg", 8, 15},              /* 0, 0 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tc_studio_result res;
        int skipped;
        make(cases[k].name, &res, &skipped);
        if (skipped)
            skip();
        assert_non_null(res.jpeg);
        VipsImage *im = vips_image_new_from_buffer(res.jpeg, res.jpeg_len, "", NULL);
        assert_non_null(im);
        size_t n = 0;
        uint8_t *px = vips_image_write_to_memory(im, &n);
        assert_non_null(px);
        assert_int_equal(n, (size_t)im->Xsize * im->Ysize * 3);
        const tc_photo_report *r = &res.report;
        const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
        tc_matte_figures f = {{0, 0}, 0, 0, 0};
        assert_int_equal(tc_matte_measure(px, NULL, im->Xsize, im->Ysize, bg, r->eye_line_y, r->chin_y,
                                          r->face_centre_x, r->face_width, &f),
                         0);
        print_message("%s: ears %.3f %.3f, specks %ld, islands %ld, smear %ld\n", cases[k].name, f.ear_alpha[0],
                      f.ear_alpha[1], f.specks, f.islands, f.smear);
        assert_true(f.ear_alpha[0] >= 0.95 && f.ear_alpha[1] >= 0.95);
        assert_true(f.specks <= cases[k].max_specks);
        assert_true(f.islands <= cases[k].max_islands);
        assert_int_equal(f.smear, 0);
        g_free(px);
        g_object_unref(im);
        tc_studio_result_free(&res);
    }
}

/* The smear figure itself: a picture whose last 40 rows repeat one row (a
 * crop filled by repeating the edge) counts them; a textured one counts 0. */
static void test_smear_figure(void **st)
{
    (void)st;
    enum { W = 64, H = 96 };
    static uint8_t px[W * H * 3];
    unsigned s = 12345;
    for (int i = 0; i < W * H * 3; i++) {
        s = s * 1103515245u + 12345u;
        px[i] = (uint8_t)(60 + (s >> 16) % 80); /* a shirt's texture, never the blue */
    }
    const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
    tc_matte_figures f = {{0, 0}, 0, 0, 0};
    assert_int_equal(tc_matte_measure(px, NULL, W, H, bg, 20, 40, 32, 30, &f), 0);
    assert_int_equal(f.smear, 0);
    for (int v = H - 40; v < H; v++)
        memcpy(px + (size_t)v * W * 3, px + (size_t)(H - 41) * W * 3, W * 3);
    assert_int_equal(tc_matte_measure(px, NULL, W, H, bg, 20, 40, 32, 30, &f), 0);
    assert_int_equal(f.smear, 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compliant), cmocka_unit_test(test_two_people), cmocka_unit_test(test_blue_top),
        cmocka_unit_test(test_profile),   cmocka_unit_test(test_bad_bytes),  cmocka_unit_test(test_no_face),
        cmocka_unit_test(test_edges),     cmocka_unit_test(test_smear_figure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
