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

#include <math.h>
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

/* Read $TC_TESTDATA/dir/name, or say why not (NULL: the caller skips). */
static char *testdata(const char *dir, const char *name, size_t *len);

/* Read a portrait, or skip saying why. */
static char *portrait(const char *name, size_t *len)
{
    return testdata("portraits", name, len);
}

static char *testdata(const char *dir, const char *name, size_t *len)
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
    snprintf(path, sizeof path, "%s/%s/%s", td, dir, name);
    char *data = NULL;
    tc_err e = {0};
    if (tc_file_read(path, 64u << 20, &data, len, &e) != 0) {
        print_message("%s absent\n", path);
        return NULL;
    }
    return data;
}

static void make_from(const char *dir, const char *name, tc_studio_result *res, int *skipped)
{
    size_t len = 0;
    char *data = testdata(dir, name, &len);
    *skipped = data == NULL;
    if (!data)
        return;
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .run_checks = 1, .want_overlay = 1,
                         .want_overlay_data = 1, .want_original = 1};
    tc_err e = {0};
    int rc = tc_studio_make(g_s, g_c, &req, res, &e);
    if (rc != 0)
        print_message("%s: %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    free(data);
}

static void make(const char *name, tc_studio_result *res, int *skipped)
{
    make_from("portraits", name, res, skipped);
}

/* Issue 15: every photo made meets every window of its spec re-measured on
 * the photo.  The crop is planned from the coarse mask's hair top, the
 * photo measured on its final alpha; on these two real photos they parted
 * (hair top re-measured at 121 and 48 px, window 50-110: a second head
 * above NUAA 0014's in the coarse mask) and the studio now plans once more
 * from the measured hair top.  Real photos: evaluation only, read in place
 * (skipped without ../shared/testdata/real). */
static void test_hair_top_replan(void **st)
{
    (void)st;
    const char *names[][2] = {{"real/nuaa/live", "0014_01_06_03_341.jpg"},
                              {"real/wider", "train_13_Interview_Interview_2_People_Visible_13_102.jpg"}};
    for (size_t k = 0; k < 2; k++) {
        tc_studio_result res;
        int skipped;
        make_from(names[k][0], names[k][1], &res, &skipped);
        if (skipped)
            skip();
        assert_non_null(res.jpeg);
        print_message("%s: hair top %.0f, %s\n", names[k][1], res.report.hair_top_y,
                      res.report.in_spec ? "in spec" : res.report.problem);
        assert_true(res.report.in_spec);
        assert_true(res.report.hair_top_y >= 50 && res.report.hair_top_y <= 110);
        tc_studio_result_free(&res);
    }
}

/* Issue 15, "nothing left behind": someone else beside the student's head
 * stays on the new backdrop (the segmentation marks every person), with no
 * face the detector finds.  NUAA live 0002_01_00_01_303 (a woman at a desk
 * beside his head, in profile) passed every check; face_count now fails it
 * with its own advice, while 0003_01_00_01_328 (no one else in the crop)
 * still passes face_count.  Real photos: evaluation only, read in place
 * (skipped without ../shared/testdata/real). */
static void test_people_beside_real(void **st)
{
    (void)st;
    const char *names[2] = {"0002_01_00_01_303.jpg", "0003_01_00_01_328.jpg"};
    for (int k = 0; k < 2; k++) {
        tc_studio_result res;
        int skipped;
        make_from("real/nuaa/live", names[k], &res, &skipped);
        if (skipped)
            skip();
        assert_non_null(res.jpeg);
        const tc_check_result *r = &res.checks.r[TC_CHECK_FACE_COUNT];
        print_message("%s: face_count %s, %s\n", names[k], r->verdict == TC_CHECK_FAIL ? "fails" : "passes", r->en);
        assert_int_equal(r->verdict, k == 0 ? TC_CHECK_FAIL : TC_CHECK_PASS);
        if (k == 0) {
            assert_true(r->value == 1);
            assert_non_null(strstr(r->en, "Someone else"));
            assert_false(res.ok);
        }
        tc_studio_result_free(&res);
    }
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
        /* the drawing data the server keeps: a small fraction of the PNG */
        assert_non_null(res.overlay_data);
        assert_true(res.overlay_data[0] == '{' && strlen(res.overlay_data) == res.overlay_data_len);
        assert_true(res.overlay_data_len * 10 < res.overlay_len);
        assert_non_null(strstr(res.overlay_data, "\"points\":["));
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
        /* light brown hair on a grey-brown wall: holes of half alpha
         * inside the outline (blue dots) until the area closing of
         * 2026-12-06 (8 specks before, 1 after) */
        {"mugshot_S029-01_frontal_neutral.jpg", 4, 8},
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

/* The finished photo of a portrait (or of another file under TC_TESTDATA:
 * name relative to portraits/), decoded, with its final alpha. */
static uint8_t *make_pixels_from(const char *dir, const char *name, tc_studio_result *res, int *skipped)
{
    size_t len = 0;
    char *data = testdata(dir, name, &len);
    *skipped = data == NULL;
    if (!data)
        return NULL;
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .want_alpha = 1};
    tc_err e = {0};
    int rc = tc_studio_make(g_s, g_c, &req, res, &e);
    if (rc != 0)
        print_message("%s: %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    free(data);
    assert_non_null(res->jpeg);
    VipsImage *im = vips_image_new_from_buffer(res->jpeg, res->jpeg_len, "", NULL);
    assert_non_null(im);
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(im, &n);
    assert_non_null(px);
    assert_int_equal(n, (size_t)res->report.width * res->report.height * 3);
    assert_int_equal(im->Xsize, res->report.width);
    g_object_unref(im);
    assert_non_null(res->alpha.a);
    assert_int_equal(res->alpha.width, res->report.width);
    return px;
}

static uint8_t *make_pixels(const char *name, tc_studio_result *res, int *skipped)
{
    return make_pixels_from("portraits", name, res, skipped);
}

/* The mean alpha of the n x n box at (x, y) of a finished photo's mask. */
static double box_alpha(const tc_photo_mask *a, int x0, int y0, int n)
{
    double s = 0;
    for (int y = y0; y < y0 + n; y++)
        for (int x = x0; x < x0 + n; x++)
            s += a->a[(size_t)y * a->width + x];
    return s / ((double)n * n);
}

/* Issue 15 item 3 (session 19): the pink shirt of someone sitting behind
 * NUAA 0013_185, right of his head, lies inside the coarse mask (every
 * person is "person") and partly in the mesh's ear region; it was kept as a
 * pink patch beside his ear.  Pink pixels (red 30 above blue, blue above
 * green, red 48 above green) in the box 0.55-0.75 face widths right of the
 * face's centre, from 0.15 face widths above the eye line to 0.2 below:
 * 1285 before behind_objects, 145 after (`tucai photo`); the strip of it
 * beside his jaw, enclosed by the neck and a shadow, stays (not counted).
 * The dark hair in front of his ear (6x6 px, 0.42 face widths right of the
 * centre, 0.1 below the eye line) stays opaque.  A real photo: evaluation
 * only, read in place (skipped without ../shared/testdata/real). */
static void test_person_behind_real(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels_from("real/nuaa/live", "0013_01_07_03_185.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    int W = r->width, H = r->height;
    int x0 = (int)(r->face_centre_x + 0.55 * r->face_width), x1 = (int)(r->face_centre_x + 0.75 * r->face_width);
    int y0 = (int)(r->eye_line_y - 0.15 * r->face_width), y1 = (int)(r->eye_line_y + 0.2 * r->face_width);
    assert_true(x0 >= 0 && x1 <= W && y0 >= 0 && y1 <= H && y1 > y0);
    long pink = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px + 3 * ((size_t)y * W + x);
            pink += p[0] > p[2] + 30 && p[2] > p[1] && p[0] - p[1] >= 48;
        }
    double ha = box_alpha(&res.alpha, (int)(r->face_centre_x + 0.42 * r->face_width),
                          (int)(r->eye_line_y + 0.1 * r->face_width), 6);
    print_message("pink pixels beside the head: %ld; hair by the ear alpha %.2f\n", pink, ha);
    assert_true(pink <= 300);
    assert_true(ha >= 0.9);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 (session 18): a dark fold of the curtain touching
 * man_standing_full_body's white hair right of the crown, which the coarse
 * mask took for hair (a0 0.99), was kept as a dark blot of about 12x15 px on
 * the new blue.  A 16x20 box from 0.36 face widths right of the face's centre
 * and 0.82 face widths above the eye line held 139 pixels darker than luma
 * 140 before foreign_groups, none after (the blue is 174, his hair ~220);
 * his hair's outline beside it stays (the box 0.15 face widths right of
 * centre at the same height is mostly hair, light). */
static void test_hair_blot(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("man_standing_full_body.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    int W = r->width, H = r->height;
    int x0 = (int)(r->face_centre_x + 0.36 * r->face_width), y0 = (int)(r->eye_line_y - 0.82 * r->face_width);
    assert_true(x0 >= 0 && y0 >= 0 && x0 + 16 <= W && y0 + 20 <= H);
    long dark = 0;
    for (int y = y0; y < y0 + 20; y++)
        for (int x = x0; x < x0 + 16; x++) {
            const uint8_t *p = px + 3 * ((size_t)y * W + x);
            dark += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] < 140;
        }
    /* the hair below the crown: the alpha of a 10x10 box at the crown's
     * right half, 0.15 face widths right of centre and 0.62 above the eyes */
    double ha = box_alpha(&res.alpha, (int)(r->face_centre_x + 0.15 * r->face_width),
                          (int)(r->eye_line_y - 0.62 * r->face_width), 10);
    print_message("blot box: %ld dark pixels; hair box alpha %.2f\n", dark, ha);
    assert_true(dark <= 5);
    assert_true(ha >= 0.9);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3: a pocket of beige wall enclosed between a loop of hair
 * and the neck (the school girl's right side, at the chin's height, a bit
 * more than half a face width from the centre) is the new blue, not wall:
 * the mean of a 12x12 box there was (144, 122, 110) before the pockets pass,
 * (101, 177, 221) after; the backdrop is (100, 197, 255).  Her jaw beside it
 * stays skin (red above blue). */
static void test_backdrop_pocket(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("girl_half_body_beige_bg.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    int W = r->width;
    double m[3] = {0, 0, 0}, jaw[3] = {0, 0, 0};
    int x0 = (int)(r->face_centre_x + 0.56 * r->face_width) - 6, y0 = (int)r->chin_y - 3;
    int j0 = (int)(r->face_centre_x + 0.30 * r->face_width) - 3, jy = (int)(r->chin_y - 0.25 * (r->chin_y - r->eye_line_y));
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            for (int c = 0; c < 3; c++) {
                m[c] += px[3 * ((size_t)(y0 + y) * W + x0 + x) + c] / 144.0;
                if (x < 6 && y < 6)
                    jaw[c] += px[3 * ((size_t)(jy + y) * W + j0 + x) + c] / 36.0;
            }
    print_message("pocket mean %.0f %.0f %.0f, jaw %.0f %.0f %.0f\n", m[0], m[1], m[2], jaw[0], jaw[1], jaw[2]);
    assert_true(m[2] > m[0] + 80 && m[1] > m[0] + 40); /* blue, as the backdrop (100, 197, 255) */
    assert_true(jaw[0] > jaw[2] + 30);                 /* skin */
    /* Her other side (the viewer's left): the pocket enclosed by the loop
     * of hair above the chin, whose wall is in the head's shadow (about
     * (146, 122, 109), darker than the lit wall around her) and which the
     * wide person colour (the pocket itself) called person: a 12x12 box
     * 0.55 face widths left of centre, its lower edge at the chin's row,
     * was (149, 125, 112) before the shade test (`tucai photo`), is the
     * blue after; her jaw on that side stays skin. */
    double l[3] = {0, 0, 0}, ljaw[3] = {0, 0, 0};
    int lx0 = (int)(r->face_centre_x - 0.55 * r->face_width);
    int ly0 = (int)r->chin_y - 12;
    int lj0 = (int)(r->face_centre_x - 0.30 * r->face_width) - 3;
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            for (int c = 0; c < 3; c++) {
                l[c] += px[3 * ((size_t)(ly0 + y) * W + lx0 + x) + c] / 144.0;
                if (x < 6 && y < 6)
                    ljaw[c] += px[3 * ((size_t)(jy + y) * W + lj0 + x) + c] / 36.0;
            }
    print_message("left pocket mean %.0f %.0f %.0f, jaw %.0f %.0f %.0f\n", l[0], l[1], l[2], ljaw[0], ljaw[1],
                  ljaw[2]);
    assert_true(l[2] > l[0] + 80 && l[1] > l[0] + 40);
    assert_true(ljaw[0] > ljaw[2] + 30);
    /* and the wall under that loop of hair by her shoulder, which opens onto
     * the mask's backdrop (40 % of its rim) and was no pocket: a 12x12 box
     * 0.62 face widths left of centre, a fifth of the eyes-to-chin height
     * below the chin, (127, 130, 133) before, (95, 179, 227) after. */
    double s3[3] = {0, 0, 0};
    int sx0 = (int)(r->face_centre_x - 0.62 * r->face_width);
    int sy0 = (int)(r->chin_y + (r->chin_y - r->eye_line_y) / 5);
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            for (int c = 0; c < 3; c++)
                s3[c] += px[3 * ((size_t)(sy0 + y) * W + sx0 + x) + c] / 144.0;
    print_message("shoulder pocket mean %.0f %.0f %.0f\n", s3[0], s3[1], s3[2]);
    assert_true(s3[2] > s3[0] + 80 && s3[1] > s3[0] + 40);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3: a red shelf post beside the live selfie's left ear (the
 * viewer's left), kept as person by the coarse mask and the matting: in a
 * box 0.74-0.86 face widths left of the face's centre, from 5 % to 35 % of
 * the way from the eyes to the chin, 235 pixels were red (R and B both
 * exceeded by more than 60) before the objects pass, none after.  The ear
 * beside it stays opaque and the red rims of the official portrait's ears
 * (lit against the light, a red not of skin's hue but joined to the ear)
 * are not taken for such an object (test_ears_opaque, test_edges). */
static void test_backdrop_object(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("live_selfie_exif_rotated.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    int W = r->width;
    double span = r->chin_y - r->eye_line_y;
    int x0 = (int)(r->face_centre_x - 0.86 * r->face_width), x1 = (int)(r->face_centre_x - 0.74 * r->face_width);
    int y0 = (int)(r->eye_line_y + 0.05 * span), y1 = (int)(r->eye_line_y + 0.35 * span);
    assert_true(x0 >= 0 && x1 > x0 && y1 > y0);
    long red = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px + 3 * ((size_t)y * W + x);
            red += p[0] > p[1] + 60 && p[0] > p[2] + 60;
        }
    const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
    tc_matte_figures f = {{0, 0}, 0, 0, 0};
    assert_int_equal(tc_matte_measure(px, NULL, r->width, r->height, bg, r->eye_line_y, r->chin_y, r->face_centre_x,
                                      r->face_width, &f),
                     0);
    print_message("post box %d-%d x %d-%d: %ld red pixels; ears %.3f %.3f\n", x0, x1, y0, y1, red, f.ear_alpha[0],
                  f.ear_alpha[1]);
    assert_true(red < 20);
    assert_true(f.ear_alpha[0] >= 0.95 && f.ear_alpha[1] >= 0.95);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3: the live selfie's hair toward her right shoulder (the
 * viewer's right) was ragged: a faint line a 1-px gap away from the hair's
 * edge (the edge of a box behind her) kept as a strand, its gap blue.
 * Below the eyes only alpha >= 0.25 now leads the reach from the person's
 * core on.  Faint pixels (0 < alpha < 0.5) right of 0.3 face widths from
 * the centre between the eyes' row and the chin's: 782 before, 500 after
 * (`tucai photo --mask`). */
static void test_hair_fringe(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("live_selfie_exif_rotated.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    const float *a = res.alpha.a;
    long faint = 0;
    for (int y = (int)r->eye_line_y; y < (int)r->chin_y && y < r->height; y++)
        for (int x = (int)(r->face_centre_x + 0.3 * r->face_width); x < r->width; x++) {
            float v = a[(size_t)y * r->width + x];
            faint += v > 0 && v < 0.5f;
        }
    print_message("faint pixels beside the right hair: %ld\n", faint);
    assert_true(faint < 640);
    g_free(px);
    tc_studio_result_free(&res);
}

/* The pixels of a finished photo's final alpha from the chin's row down, in
 * columns 0 .. x1-1, with lo <= alpha < hi. */
static long below_chin_between(const tc_studio_result *res, int x1, float lo, float hi)
{
    const tc_photo_report *r = &res->report;
    assert_true(r->chin_y > 0 && r->chin_y < r->height && x1 > 0 && x1 <= r->width);
    long n = 0;
    for (int y = (int)r->chin_y; y < r->height; y++)
        for (int x = 0; x < x1; x++) {
            float v = res->alpha.a[(size_t)y * r->width + x];
            n += v >= lo && v < hi;
        }
    return n;
}

/* Issue 15 item 3: below the chin, the live selfie's long dark hair (the
 * viewer's left) hangs before a dark doorway.  The solve cannot part them
 * there and left translucent grey-blue smudges beside the strands, which
 * shoulder_edge did not touch (an edge of hair).  It now clears an edge of
 * hair of its haze.  Haze pixels (0.1 <= alpha < 0.7) below the chin, left
 * of 0.3 face widths from the centre: 1034 before, 570 after (`tucai photo
 * --mask`, the release build; 469 once clothes' edges take their line too). */
static void test_hair_haze(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("live_selfie_exif_rotated.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    long haze = below_chin_between(&res, (int)(r->face_centre_x - 0.3 * r->face_width), 0.1f, 0.7f);
    print_message("haze below the chin beside the left hair: %ld pixels\n", haze);
    assert_true(haze < 800);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3: NUAA live 0003_153 passes every check, so its photo is
 * delivered.  Its white shirt before a white wall, under a dark neck in
 * shade, came out with a half-transparent shoulder top (the projection read
 * the shirt's lighter top as part wall), a wedge of the wall and a
 * keyboard's corner on the right shoulder.  A clothes' edge below the chin
 * now takes its smoothed line where that raises alpha or clears a pixel
 * under 0.7 (in full from 4r below the chin).  Half-transparent pixels
 * (0.1 <= alpha < 0.9) below the chin: 2693 before, 1086 after (`tucai
 * photo --mask`, release build; 0003_328: 1788 -> 784).  Skips without
 * ../shared/testdata/real. */
static void test_shoulder_plateau(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels_from("real/nuaa/live", "0003_01_00_01_153.jpg", &res, &skipped);
    if (skipped)
        skip();
    long half = below_chin_between(&res, res.report.width, 0.1f, 0.9f);
    print_message("half-transparent pixels below the chin: %ld\n", half);
    assert_true(half < 1400);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Is pixel (x, y) of a finished photo beside the face at ear level: rows
 * from 0.1 eyes-to-chin above the eye line to 0.4 below it, 0.45 to 0.75
 * face widths from the face's centre on either side? */
static int beside_ear(const tc_photo_report *r, int x, int y)
{
    double ec = r->chin_y - r->eye_line_y, d = fabs(x + 0.5 - r->face_centre_x) / r->face_width;
    return y >= (int)(r->eye_line_y - 0.1 * ec) && y < (int)(r->eye_line_y + 0.4 * ec) && d >= 0.45 && d <= 0.75;
}

/* Issue 15 item 3: ears are person.  The officer's left ear (0.83 before:
 * half transparent beside the cap's shadow) and S008's (0.94) measure
 * >= 0.95 in the mesh's ear discs; and the window-lit rims of the Obama
 * portrait (../shared/testdata/real, evaluation only) are opaque: over the
 * reddish (R > B) pixels that show in boxes beside the face at ear level,
 * mean alpha 0.961 before, 0.987 after; partly transparent ones 1048 before,
 * 383 after. */
static void test_ears_opaque(void **st)
{
    (void)st;
    const char *names[] = {"officer_cap_glasses_flag.jpg", "mugshot_S008-06_big_smile.jpg"};
    const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
    for (size_t k = 0; k < 2; k++) {
        tc_studio_result res;
        int skipped;
        uint8_t *px = make_pixels(names[k], &res, &skipped);
        if (skipped)
            skip();
        const tc_photo_report *r = &res.report;
        tc_matte_figures f = {{0, 0}, 0, 0, 0};
        assert_int_equal(tc_matte_measure(px, NULL, r->width, r->height, bg, r->eye_line_y, r->chin_y,
                                          r->face_centre_x, r->face_width, &f),
                         0);
        print_message("%s: ears %.3f %.3f\n", names[k], f.ear_alpha[0], f.ear_alpha[1]);
        assert_true(f.ear_alpha[0] >= 0.95 && f.ear_alpha[1] >= 0.95);
        g_free(px);
        tc_studio_result_free(&res);
    }
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("../real/face_recognition_examples/obama-720p.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    const float *a = res.alpha.a;
    double sum = 0;
    long n = 0, partial = 0;
    for (int y = 0; y < r->height; y++)
        for (int x = 0; x < r->width; x++) {
            size_t i = (size_t)y * r->width + x;
            const uint8_t *p = px + 3 * i;
            if (!beside_ear(r, x, y) || a[i] <= 0.05f || p[0] <= p[2])
                continue;
            sum += a[i], n++;
            partial += a[i] < 0.9f;
        }
    print_message("obama ear rims: %ld reddish pixels, mean alpha %.3f, %ld partly transparent\n", n, n ? sum / n : 0,
                  partial);
    assert_true(n > 1000);
    assert_true(sum / n >= 0.98);
    assert_true(partial < 600);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Pixel i's own colour in a finished photo: unmixed from the chsi blue by
 * its alpha a[i] (> 0). */
static void unmixed(const uint8_t *px, const float *a, size_t i, double f[3])
{
    static const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
    for (int c = 0; c < 3; c++)
        f[c] = (px[3 * i + c] - (1 - a[i]) * bg[c]) / a[i];
}

/* Issue 15 item 3: a piece of another person's clothes is not ear.  NUAA
 * live 0014_01_06_03_172 (../shared/testdata/real, evaluation only; a
 * webcam frame) has a man's jeans right behind the lobe of her right ear
 * (in the picture).  The segmentation model calls them person (they are:
 * not hers), and the mesh's ear region reaches below her small ear, so the
 * ear rules held them as ear and the solve kept them as dark "curls" with
 * light-blue gaps under the ear.  A pixel clearly bluer than red is not
 * skin, so not ear.  Counted: pixels of alpha >= 0.5 whose colour, unmixed
 * from the new blue, is bluer than red by more than 20 and darker than luma
 * 150, beside the face 0.45-0.75 face widths right of its centre from the
 * eye line down to 0.4 of the way to the chin: 115 before, 8 after. */
static void test_jeans_below_ear(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels_from("real/nuaa/live", "0014_01_06_03_172.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    const float *a = res.alpha.a;
    long kept = 0;
    for (int y = 0; y < r->height; y++)
        for (int x = (int)r->face_centre_x; x < r->width; x++) {
            size_t i = (size_t)y * r->width + x;
            if (!beside_ear(r, x, y) || y < (int)r->eye_line_y || a[i] < 0.5f)
                continue;
            double f[3];
            unmixed(px, a, i, f);
            kept += f[2] > f[0] + 20 && 0.299 * f[0] + 0.587 * f[1] + 0.114 * f[2] < 150;
        }
    print_message("clothes kept below the ear: %ld\n", kept);
    assert_true(kept < 40);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3: the Obama portrait (../shared/testdata/real, evaluation
 * only; 16:9, the head a small part of it) has a window right behind his
 * head, grey trees through the panes, the colour of his grey hair; the
 * whole picture's mask (256x256: the head about 30 of its pixels wide) was
 * unsure over it and the panes were kept as blotches beside the head from
 * the crown to the ears.  The mask at the head's scale (tc_studio.c,
 * mask_near_head) leaves them out.  Counted: pixels not near the new blue
 * (sum of channel differences over 60) 0.6 to 1.0 face widths from the
 * face's centre, from 0.7 face widths above the eye line down to it: 4206
 * before, 436 after (the ears' tops and the hair at the temples). */
static void test_window_beside_head(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("../real/face_recognition_examples/obama-720p.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    long kept = 0;
    for (int y = (int)(r->eye_line_y - 0.7 * r->face_width); y < (int)r->eye_line_y; y++)
        for (int x = 0; x < r->width; x++) {
            double d = fabs(x + 0.5 - r->face_centre_x) / r->face_width;
            const uint8_t *p = px + 3 * ((size_t)y * r->width + x);
            if (y >= 0 && d >= 0.6 && d <= 1.0)
                kept += abs(p[0] - 0x64) + abs(p[1] - 0xC5) + abs(p[2] - 0xFF) > 60;
        }
    print_message("pixels of the room beside the head: %ld\n", kept);
    assert_true(kept < 1200);
    /* At ear level, 0.5-0.8 face widths out, from the eye line to half way
     * to the chin: pixels of alpha >= 0.3 whose colour, unmixed from the new
     * blue, is not an ear's (red not above blue by more than 8): the window's
     * grey trees the ears' zones kept when they took the first mask's value
     * whatever the colour: 305 before, 42 after (session 25). */
    const float *a = res.alpha.a;
    long grey = 0;
    for (int y = (int)r->eye_line_y; y < (int)(r->eye_line_y + 0.5 * (r->chin_y - r->eye_line_y)); y++)
        for (int x = 0; x < r->width; x++) {
            size_t i = (size_t)y * r->width + x;
            double d = fabs(x + 0.5 - r->face_centre_x) / r->face_width, f[3];
            if (d < 0.5 || d > 0.8 || a[i] < 0.3f)
                continue;
            unmixed(px, a, i, f);
            grey += f[0] <= f[2] + 8;
        }
    print_message("grey pixels beside the ears: %ld\n", grey);
    assert_true(grey < 150);
    g_free(px);
    tc_studio_result_free(&res);
}

/* Issue 15 item 3 on the officer (her photo passes every check, so it is
 * delivered), two edges by the flag behind her left side.
 * - A piece of the backdrop inside the mesh's ear region is not ear: a
 *   patch of the flag's navy canton lies inside the ear's ellipse, where
 *   the coarse mask is unsure (0.37-0.52); the ear rule let the mask's say
 *   stand and the patch was kept, navy on the new blue.  Counted: dark
 *   pixels bluer than green by 10 or more (her skin, hair and cap are not)
 *   of alpha >= 0.5 beside the face at ear level, on that side (on the
 *   other her glasses' dark temple arm is of that colour).  Before: 218,
 *   after: 10 (`tucai photo`, release build; session 22).
 * - The cap's corner by the flag's gold pole: the coarse mask was unsure
 *   there and the colour tests only lower alpha, so the solve kept a
 *   plateau of half alpha (0.53-0.67 over 20 px) and the new blue showed
 *   through as grey-blue streaks; head_plateau raises such a plateau where
 *   the pixel's colour is the person's.  Counted: pixels of half alpha
 *   (0.3-0.85) in a box over the cap's lower corner (0.45-0.65 face widths
 *   left of the centre, 0.17-0.4 face widths above the eye line): 612
 *   before, 462 after (the same in the release and sanitizer builds;
 *   session 23). */
static void test_officer_edges(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    uint8_t *px = make_pixels("officer_cap_glasses_flag.jpg", &res, &skipped);
    if (skipped)
        skip();
    const tc_photo_report *r = &res.report;
    const float *a = res.alpha.a;
    long navy = 0;
    for (int y = 0; y < r->height; y++)
        for (int x = 0; x < r->face_centre_x - 0.5; x++) {
            size_t i = (size_t)y * r->width + x;
            const uint8_t *p = px + 3 * i;
            if (!beside_ear(r, x, y) || a[i] < 0.5f)
                continue;
            navy += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] < 90 && p[2] >= p[1] + 10;
        }
    print_message("navy pixels beside the left ear: %ld\n", navy);
    assert_true(navy < 40);
    double fw = r->face_width;
    long half = 0;
    for (int y = (int)(r->eye_line_y - 0.4 * fw); y < r->eye_line_y - 0.17 * fw; y++)
        for (int x = (int)(r->face_centre_x - 0.65 * fw); x < r->face_centre_x - 0.45 * fw; x++) {
            float v = a[(size_t)y * r->width + x];
            half += v >= 0.3f && v <= 0.85f;
        }
    print_message("half-alpha pixels at the cap's corner: %ld\n", half);
    assert_true(half < 540);
    g_free(px);
    tc_studio_result_free(&res);
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

/* The ears' and specks' figures (2026-12-06).  A face 100 px wide on a
 * 200x200 picture (eyes at 60, chin at 140): the right ear's disc is at
 * (153, 76), radius 4.  Cheek to x = 150, the new blue beyond: an ear
 * hidden behind the cheek is no half-transparent ear (the figure was 0.3);
 * an ear of alpha 1/2 beyond the cheek with an opaque rim is (< 0.95).  A
 * white badge opaque all round near the backdrop is no speck when the alpha
 * is known; a light pixel of alpha 0.6 is. */
static void test_ear_speck_figures(void **st)
{
    (void)st;
    enum { W = 200, H = 200 };
    static uint8_t px[W * H * 3];
    static float al[W * H];
    const uint8_t bg[3] = {0x64, 0xC5, 0xFF};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int in = x >= 50 && x < 150 && y >= 10;
            uint8_t *p = px + 3 * ((size_t)y * W + x);
            p[0] = in ? 200 : bg[0], p[1] = in ? 150 : bg[1], p[2] = in ? 120 : bg[2];
            al[(size_t)y * W + x] = in;
        }
    tc_matte_figures f = {{0, 0}, 0, 0, 0};
    assert_int_equal(tc_matte_measure(px, al, W, H, bg, 60, 140, 100, 100, &f), 0);
    print_message("hidden ears: %.3f %.3f\n", f.ear_alpha[0], f.ear_alpha[1]);
    assert_true(f.ear_alpha[0] >= 0.95 && f.ear_alpha[1] >= 0.95);
    for (int y = 60; y < 95; y++)
        for (int x = 150; x < 160; x++) {
            uint8_t *p = px + 3 * ((size_t)y * W + x);
            float a = x >= 158 ? 1.0f : 0.5f;
            al[(size_t)y * W + x] = a;
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)lrintf(a * (c == 0 ? 200 : c == 1 ? 150 : 120) + (1 - a) * bg[c]);
        }
    assert_int_equal(tc_matte_measure(px, al, W, H, bg, 60, 140, 100, 100, &f), 0);
    print_message("half-transparent right ear: %.3f\n", f.ear_alpha[1]);
    assert_true(f.ear_alpha[1] < 0.95 && f.ear_alpha[0] >= 0.95);
    /* a white badge on a dark cap, 3 px below the backdrop */
    for (int y = 10; y < 30; y++)
        for (int x = 80; x < 120; x++) {
            uint8_t *p = px + 3 * ((size_t)y * W + x);
            int badge = y >= 13 && y < 17 && x >= 95 && x < 105;
            p[0] = p[1] = p[2] = badge ? 250 : 25;
        }
    assert_int_equal(tc_matte_measure(px, NULL, W, H, bg, 60, 140, 100, 100, &f), 0);
    long without = f.specks;
    assert_int_equal(tc_matte_measure(px, al, W, H, bg, 60, 140, 100, 100, &f), 0);
    print_message("white badge: specks %ld without the alpha, %ld with\n", without, f.specks);
    assert_true(without > 0);
    assert_int_equal(f.specks, 0);
    al[(size_t)15 * W + 85] = 0.6f;
    px[3 * ((size_t)15 * W + 85)] = px[3 * ((size_t)15 * W + 85) + 1] = px[3 * ((size_t)15 * W + 85) + 2] = 160;
    assert_int_equal(tc_matte_measure(px, al, W, H, bg, 60, 140, 100, 100, &f), 0);
    assert_int_equal(f.specks, 1);
}

/* The ears' figure on an ear the checks find hidden (2026-12-07).  The
 * picture of test_ear_speck_figures with dark hair at the crown: beyond the
 * right cheek (x = 150) a gap of the old light wall at alpha 0.3 (x
 * 150-156) and, outside it, either a dark strand at alpha 0.6 (the hair's
 * colour mixed with the new blue) or an ear rim of skin, opaque.  On a
 * hidden ear the gap behind the strand is the wall seen beside the cheek,
 * not the ear's: left out (it reads 1; 0.354 counted); the same gap inside
 * a skin rim is a hole and still counts (< 0.95), as does the gap behind
 * the strand on an ear the checks see, and on a bald head (crown of the
 * skin's colour: no hair colour of its own, the strand is no hair). */
static void test_ear_hair_figure(void **st)
{
    (void)st;
    enum { W = 200, H = 200 };
    static uint8_t px[W * H * 3];
    static float al[W * H];
    const uint8_t bg[3] = {0x64, 0xC5, 0xFF}, skin[3] = {200, 150, 120}, hair[3] = {40, 35, 35},
                  wall[3] = {225, 228, 226};
    /* 0 strand, 1 skin rim, 2 strand on a bald head, 3 strand on an ear seen */
    for (int form = 0; form < 4; form++) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int in = x >= 50 && x < 150 && y >= 10;
                const uint8_t *c = y < 30 && form != 2 ? hair : skin;
                float a = (float)in;
                if (y >= 60 && y < 90 && x >= 150 && x < 157)
                    c = wall, a = 0.3f;
                else if (y >= 60 && y < 90 && x >= 157 && x < 159)
                    c = form == 1 ? skin : hair, a = form == 1 ? 1.0f : 0.6f;
                uint8_t *p = px + 3 * ((size_t)y * W + x);
                for (int k = 0; k < 3; k++)
                    p[k] = (uint8_t)lrintf(a * c[k] + (1 - a) * bg[k]);
                al[(size_t)y * W + x] = a;
            }
        tc_matte_figures f = {{0, 0}, 0, 0, 0};
        const int hidden[2] = {1, form != 3};
        assert_int_equal(tc_matte_measure_hidden(px, al, W, H, bg, 60, 140, 100, 100, hidden, &f), 0);
        static const char *const names[] = {"strand", "skin rim", "strand, bald", "strand, ear seen"};
        print_message("%s: right ear %.3f, left %.3f\n", names[form], f.ear_alpha[1], f.ear_alpha[0]);
        assert_true(f.ear_alpha[0] >= 0.95);
        if (form == 0)
            assert_true(f.ear_alpha[1] >= 0.95);
        else
            assert_true(f.ear_alpha[1] < 0.95);
        /* without the checks' word, as before */
        assert_int_equal(tc_matte_measure(px, al, W, H, bg, 60, 140, 100, 100, &f), 0);
        assert_true(f.ear_alpha[1] < 0.95);
    }
}

/* ---- exposure and white balance (issue 16, item 1) ---------------------------------------- */

static double lin_of(double c)
{
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double srgb8(double l)
{
    l = l < 0 ? 0 : l > 1 ? 1 : l;
    return 255 * (l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055);
}

/* The portrait with its pixels changed: mode 0 linear exposure * k (a third:
 * k = 1/3), 1 sRGB values * k, 2 a blue cast (linear R * 0.7, B * 1.35). */
static uint8_t *altered(const char *data, size_t len, int mode, double k, size_t *out_len)
{
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL), *rgb = NULL;
    assert_non_null(im);
    assert_int_equal(vips_extract_band(im, &rgb, 0, "n", 3, NULL), 0);
    g_object_unref(im);
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(rgb, &n);
    int w = rgb->Xsize, h = rgb->Ysize;
    g_object_unref(rgb);
    assert_true(px && n == (size_t)w * h * 3);
    for (size_t i = 0; i < n; i++) {
        double v = px[i];
        if (mode == 0)
            v = srgb8(lin_of(v) * k);
        else if (mode == 1)
            v = v * k;
        else
            v = srgb8(lin_of(v) * (i % 3 == 0 ? 0.7 : i % 3 == 2 ? 1.35 : 1.0));
        px[i] = (uint8_t)lround(v);
    }
    VipsImage *o = vips_image_new_from_memory(px, n, w, h, 3, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    size_t blen = 0;
    assert_int_equal(vips_jpegsave_buffer(o, &buf, &blen, "Q", 95, NULL), 0);
    g_object_unref(o);
    g_free(px);
    uint8_t *copy = malloc(blen);
    memcpy(copy, buf, blen);
    g_free(buf);
    *out_len = blen;
    return copy;
}

static void make_bytes(const uint8_t *data, size_t len, tc_studio_result *res, const char *save_as)
{
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .run_checks = 1};
    tc_err e = {0};
    int rc = tc_studio_make(g_s, g_c, &req, res, &e);
    if (rc != 0)
        print_message("%s: %s\n", e.code, e.en);
    assert_int_equal(rc, 0);
    const char *out = getenv("TC_TEST_OUT");
    if (save_as && out && *out && res->jpeg) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", out, save_as);
        tc_file_write_atomic(path, res->jpeg, res->jpeg_len, &e);
    }
}

/* The skin of the finished photo: mean linear R, G, B between the eye line
 * and the chin, a fifth of the face wide, at the face's centre; as
 * ln(R/G), ln(B/G). */
static void photo_skin(const tc_studio_result *res, double chroma[2])
{
    VipsImage *im = vips_image_new_from_buffer(res->jpeg, res->jpeg_len, "", NULL);
    assert_non_null(im);
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(im, &n);
    int w = im->Xsize;
    g_object_unref(im);
    const tc_photo_report *r = &res->report;
    double s[3] = {0, 0, 0};
    int y0 = (int)(r->eye_line_y + 0.35 * (r->chin_y - r->eye_line_y)), y1 = (int)(r->eye_line_y + 0.55 * (r->chin_y - r->eye_line_y));
    int x0 = (int)(r->face_centre_x - r->face_width / 10), x1 = (int)(r->face_centre_x + r->face_width / 10);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int c = 0; c < 3; c++)
                s[c] += lin_of(px[((size_t)y * w + x) * 3 + c]);
    g_free(px);
    chroma[0] = log(s[0] / s[1]);
    chroma[1] = log(s[2] / s[1]);
}

static void test_exposure(void **st)
{
    (void)st;
    size_t len = 0;
    char *data = portrait("mugshot_S024-01_frontal_neutral.jpg", &len);
    if (!data)
        skip();
    tc_studio_result ref, res;
    make_bytes((const uint8_t *)data, len, &ref, "exposure_original.jpg");
    assert_false(ref.tone.applied && ref.tone.gain != 1);
    assert_int_equal(ref.checks.n_failed, 0);

    /* a third of the exposure (1.6 stops under): brightened, then passes */
    size_t n = 0;
    uint8_t *b = altered(data, len, 0, 1.0 / 3, &n);
    make_bytes(b, n, &res, "exposure_third_corrected.jpg");
    free(b);
    print_message("third: face luma %.0f need %.2f gain %.2f, light_dark %d\n", res.tone.face_luma, res.tone.need,
                  res.tone.gain, res.checks.r[TC_CHECK_LIGHT_DARK].score);
    assert_true(res.tone.applied);
    assert_true(res.tone.gain > 2.2 && res.tone.gain < 3.6);
    for (int i = 0; i < TC_CHECK_N; i++)
        if (res.checks.r[i].verdict == TC_CHECK_FAIL)
            print_message("third: %s fails: score %d value %g\n", tc_check_name(i), res.checks.r[i].score,
                          res.checks.r[i].value);
    assert_int_equal(res.checks.r[TC_CHECK_LIGHT_DARK].verdict, TC_CHECK_PASS);
    assert_int_equal(res.checks.n_failed, 0);
    assert_non_null(res.jpeg);
    tc_studio_result_free(&res);

    /* every sRGB value divided by 3 (about 3.5 stops under): beyond the
     * 2 stops that can be made up without visible noise */
    b = altered(data, len, 1, 1.0 / 3, &n);
    make_bytes(b, n, &res, "exposure_extreme.jpg");
    free(b);
    print_message("extreme: face luma %.0f need %.2f gain %.2f, light_dark %d\n", res.tone.face_luma, res.tone.need,
                  res.tone.gain, res.checks.r[TC_CHECK_LIGHT_DARK].score);
    assert_true(res.tone.need > tc_check_tone_max_gain());
    assert_int_equal(res.checks.r[TC_CHECK_LIGHT_DARK].verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(res.checks.r[TC_CHECK_LIGHT_DARK].en, "too dark to correct"));
    assert_non_null(strstr(res.checks.r[TC_CHECK_LIGHT_DARK].zh, "无法在不产生明显噪点"));
    assert_false(res.ok);
    tc_studio_result_free(&res);

    /* a blue cast: the skin of the photo made comes back at least half way
     * to the original's (it is moved to the edge of plausible skin colour,
     * not to this person's, which nothing in the photo tells) */
    b = altered(data, len, 2, 0, &n);
    make_bytes(b, n, &res, "exposure_cast_corrected.jpg");
    free(b);
    double c0[2], c1[2];
    photo_skin(&ref, c0);
    photo_skin(&res, c1);
    double before = hypot(log(0.7), log(1.35)), after = hypot(c1[0] - c0[0], c1[1] - c0[1]);
    print_message("cast: wb %.2f %.2f %.2f, skin %.2f %.2f -> %.2f %.2f (original %.2f %.2f): off %.2f, uncorrected %.2f\n",
                  res.tone.wb[0], res.tone.wb[1], res.tone.wb[2], res.tone.skin[0], res.tone.skin[1], c1[0], c1[1],
                  c0[0], c0[1], after, before);
    assert_true(res.tone.applied);
    assert_true(after < 0.5 * before);
    assert_int_equal(res.checks.n_failed, 0);
    tc_studio_result_free(&res);
    tc_studio_result_free(&ref);
    free(data);
}

/* ---- compression (issue 16, item 3) -------------------------------------------------------- */

static uint8_t *resaved(const char *data, size_t len, int q, size_t *out_len)
{
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
    assert_non_null(im);
    void *buf = NULL;
    size_t blen = 0;
    assert_int_equal(vips_jpegsave_buffer(im, &buf, &blen, "Q", q, NULL), 0);
    g_object_unref(im);
    uint8_t *copy = malloc(blen);
    memcpy(copy, buf, blen);
    g_free(buf);
    *out_len = blen;
    return copy;
}

static void test_compression(void **st)
{
    (void)st;
    /* the quality read from the file's table, and nothing from bytes that
     * are not a JPEG or stop inside a segment */
    assert_int_equal(tc_check_jpeg_quality("\xFF\xD8\xFF\xDB\x00\x43\x00", 7), 0);
    assert_int_equal(tc_check_jpeg_quality("GIF89a", 6), 0);
    assert_int_equal(tc_check_jpeg_quality(NULL, 0), 0);
    size_t len = 0;
    char *data = portrait("mugshot_S024-01_frontal_neutral.jpg", &len);
    if (!data)
        skip();
    const int qs[] = {20, 40, 60, 90};
    for (size_t k = 0; k < 4; k++) {
        size_t n = 0;
        uint8_t *b = resaved(data, len, qs[k], &n);
        int got = tc_check_jpeg_quality(b, n);
        assert_true(got >= qs[k] - 1 && got <= qs[k] + 1);
        for (size_t cut = 0; cut < 600 && cut < n; cut += 7)
            assert_true(tc_check_jpeg_quality(b, cut) == 0 || tc_check_jpeg_quality(b, cut) == got);
        tc_studio_result res;
        make_bytes(b, n, &res, NULL);
        free(b);
        const tc_check_result *r = &res.checks.r[TC_CHECK_COMPRESSION];
        print_message("Q%d: compression %d value %g\n", qs[k], r->score, r->value);
        assert_int_equal(r->verdict, qs[k] < 60 ? TC_CHECK_FAIL : TC_CHECK_PASS);
        if (qs[k] < 60)
            assert_true(r->zh[0] && r->en[0] && strstr(r->en, "compress"));
        tc_studio_result_free(&res);
    }
    /* a photo saved at 20 and then again at 95: the table says 95, the
     * blocks on the pixels still fail it */
    size_t n1 = 0, n2 = 0;
    uint8_t *b1 = resaved(data, len, 20, &n1);
    uint8_t *b2 = resaved((const char *)b1, n1, 95, &n2);
    free(b1);
    tc_studio_result res;
    make_bytes(b2, n2, &res, NULL);
    free(b2);
    print_message("Q20 then Q95: compression %d value %g\n", res.checks.r[TC_CHECK_COMPRESSION].score,
                  res.checks.r[TC_CHECK_COMPRESSION].value);
    assert_int_equal(res.checks.r[TC_CHECK_COMPRESSION].verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(res.checks.r[TC_CHECK_COMPRESSION].en, "blocks"));
    tc_studio_result_free(&res);
    free(data);
}

/* ---- a tilted head (issue 16, item 5) ------------------------------------------------------ */

/* S029-01 (its eye line at about -3 degrees) turned 7.5 degrees more, cut to
 * the largest upright rectangle inside (no tilted frame in view): a head
 * tilted about 10 degrees.  It fails for its roll and for nothing the tilt
 * merely causes. */
static void test_tilt(void **st)
{
    (void)st;
    size_t len = 0;
    char *data = portrait("mugshot_S029-01_frontal_neutral.jpg", &len);
    if (!data)
        skip();
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL), *rot = NULL, *cut = NULL;
    assert_non_null(im);
    assert_int_equal(vips_similarity(im, &rot, "angle", -7.5, NULL), 0);
    double th = 7.5 * M_PI / 180, w0 = im->Xsize, h0 = im->Ysize;
    double k = 1 / (cos(th) + sin(th) * fmax(w0 / h0, h0 / w0));
    int w = (int)(w0 * k), h = (int)(h0 * k);
    assert_int_equal(vips_crop(rot, &cut, (rot->Xsize - w) / 2, (rot->Ysize - h) / 2, w, h, NULL), 0);
    void *buf = NULL;
    size_t blen = 0;
    assert_int_equal(vips_jpegsave_buffer(cut, &buf, &blen, "Q", 92, NULL), 0);
    g_object_unref(cut);
    g_object_unref(rot);
    g_object_unref(im);
    tc_studio_result res;
    make_bytes(buf, blen, &res, NULL);
    g_free(buf);
    const tc_check_result *r = &res.checks.r[TC_CHECK_POSE_ROLL];
    print_message("tilt: roll %.1f score %d, %d failed\n", r->value, r->score, res.checks.n_failed);
    assert_true(fabs(r->value) > 9.5 && fabs(r->value) < 12);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->en, "tilted"));
    for (int i = 0; i < TC_CHECK_N; i++)
        if (i != TC_CHECK_POSE_ROLL && res.checks.r[i].verdict == TC_CHECK_FAIL)
            print_message("tilt: %s fails too\n", tc_check_name(i));
    assert_int_equal(res.checks.n_failed, 1);
    tc_studio_result_free(&res);
    free(data);
}

/* Issue 16, item 2: dark lenses drawn over both eyes of a compliant mugshot
 * (an ellipse per eye, 8 % of the light through, from where the first run
 * found the eyes) fail glasses_tinted naming the lenses; a dark lock over one
 * eye fails it naming one covered eye.  Neither passed before. */
static void cover_eyes(const char *data, size_t len, const float reg[4], int both, tc_studio_result *res)
{
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
    assert_non_null(im);
    assert_int_equal(im->Bands, 3);
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(im, &n);
    assert_non_null(px);
    int w = im->Xsize, h = im->Ysize;
    g_object_unref(im);
    double cy = reg[1] + reg[3] / 2, rx = 0.24 * reg[2], ry = fmax(0.9 * reg[3], 0.5 * rx);
    for (int k = 0; k < (both ? 2 : 1); k++) {
        double cx = reg[0] + (k ? 0.78 : 0.22) * reg[2];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double dx = (x - cx) / rx, dy = (y - cy) / ry;
                /* lenses: ellipses; the lock: a band from the top of the picture */
                int in = both ? dx * dx + dy * dy <= 1 : fabs(x - cx) <= rx && y <= cy + ry;
                if (!in)
                    continue;
                for (int c = 0; c < 3; c++) {
                    uint8_t *p = px + ((size_t)y * w + x) * 3 + c;
                    *p = (uint8_t)(both ? *p * 0.08 + 8 : 30 + (x % 5) * 3);
                }
            }
    }
    VipsImage *out = vips_image_new_from_memory(px, n, w, h, 3, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    size_t blen = 0;
    assert_int_equal(vips_jpegsave_buffer(out, &buf, &blen, "Q", 92, NULL), 0);
    g_object_unref(out);
    g_free(px);
    make_bytes(buf, blen, res, both ? "lenses.jpg" : "one_eye.jpg");
    g_free(buf);
}

static void test_eyes_covered(void **st)
{
    (void)st;
    size_t len = 0;
    char *data = portrait("mugshot_S029-01_frontal_neutral.jpg", &len);
    if (!data)
        skip();
    tc_studio_result res;
    make_bytes((const uint8_t *)data, len, &res, NULL);
    const tc_check_result *r = &res.checks.r[TC_CHECK_GLASSES_TINTED];
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    float reg[4];
    memcpy(reg, r->region, sizeof reg);
    assert_true(reg[2] > 10 && reg[3] > 2);
    tc_studio_result_free(&res);

    cover_eyes(data, len, reg, 1, &res);
    r = &res.checks.r[TC_CHECK_GLASSES_TINTED];
    print_message("lenses: glasses_tinted %d (%.2f) %s\n", r->score, r->value, r->zh);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->zh, "镜片"));
    tc_studio_result_free(&res);

    cover_eyes(data, len, reg, 0, &res);
    r = &res.checks.r[TC_CHECK_GLASSES_TINTED];
    print_message("one eye: glasses_tinted %d (%.2f) %s\n", r->score, r->value, r->zh);
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_non_null(strstr(r->zh, "一只眼睛"));
    tc_studio_result_free(&res);
    free(data);
}

/* Issue 16, item 4: a navy peaked cap drawn on the compliant S029-01 as
 * tucai-evalgen draws its "cap" variant (eval/evalgen.c: down to 0.58 eye
 * distances above the eyes, 1.45 eye distances half-wide, the crown's dome
 * beyond the hair) fails as headwear (flagged only before session 12); the
 * bare portrait passes.  reg is
 * glasses_tinted's eye region (x, y, w, h). */
static void draw_cap(const char *data, size_t len, const float reg[4], tc_studio_result *res)
{
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL);
    assert_non_null(im);
    assert_int_equal(im->Bands, 3);
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(im, &n);
    assert_non_null(px);
    int w = im->Xsize, h = im->Ysize;
    g_object_unref(im);
    double d = 0.56 * reg[2], cx = reg[0] + reg[2] / 2, cy = reg[1] + reg[3] / 2;
    double brim = 0.58 * d, top = 2.2 * d, rx = 1.45 * d;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double u = x - cx, v = cy - y;
            double lo = brim + 0.10 * d * (u / rx) * (u / rx);
            double hw = rx * sqrt(fmax(0, 1 - pow(fmax(0, v - brim) / (top - brim), 2)));
            if (v < lo || v > top || fabs(u) > hw)
                continue;
            double shade = 0.75 + 0.25 * cos(u / rx * 1.4) - 0.12 * (v - brim) / (top - brim);
            static const double navy[3] = {28, 32, 52};
            for (int c = 0; c < 3; c++)
                px[((size_t)y * w + x) * 3 + c] = (uint8_t)fmin(255, navy[c] * shade + 4 * sin(x * 1.7 + y * 2.3) + 4);
        }
    VipsImage *out = vips_image_new_from_memory(px, n, w, h, 3, VIPS_FORMAT_UCHAR);
    void *buf = NULL;
    size_t blen = 0;
    assert_int_equal(vips_jpegsave_buffer(out, &buf, &blen, "Q", 92, NULL), 0);
    g_object_unref(out);
    g_free(px);
    make_bytes(buf, blen, res, "cap.jpg");
    g_free(buf);
}

static void test_headwear_cap(void **st)
{
    (void)st;
    size_t len = 0;
    char *data = portrait("mugshot_S029-01_frontal_neutral.jpg", &len);
    if (!data)
        skip();
    tc_studio_result res;
    make_bytes((const uint8_t *)data, len, &res, NULL);
    const tc_check_result *r = &res.checks.r[TC_CHECK_HEADWEAR];
    print_message("bare: headwear %d (%.3f)\n", r->score, r->value);
    assert_int_equal(r->verdict, TC_CHECK_PASS);
    float reg[4];
    memcpy(reg, res.checks.r[TC_CHECK_GLASSES_TINTED].region, sizeof reg);
    assert_true(reg[2] > 10 && reg[3] > 2);
    tc_studio_result_free(&res);

    draw_cap(data, len, reg, &res);
    r = &res.checks.r[TC_CHECK_HEADWEAR];
    print_message("cap: headwear %d (%.3f) %s\n", r->score, r->value, r->zh);
    /* the crown wholly covered: fails as headwear (flagged only before
     * session 12), not as jewellery or anything else */
    assert_int_equal(r->verdict, TC_CHECK_FAIL);
    assert_true(r->value >= 0.9);
    assert_non_null(strstr(r->zh, "帽子"));
    assert_non_null(strstr(r->zh, "头部覆盖物"));
    tc_studio_result_free(&res);
    free(data);
}

/* tucai photo's request fields: a second person refused (photo.faces) when
 * asked, the photo made from it otherwise; the final alpha and the trimap
 * handed over at the photo's size. */
static void test_cli_options(void **st)
{
    (void)st;
    size_t len = 0;
    char *data = portrait("two_people.jpg", &len);
    if (!data)
        skip();
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .refuse_crowd = 1};
    tc_studio_result res;
    tc_err e = {0};
    assert_int_equal(tc_studio_make(g_s, g_c, &req, &res, &e), 0);
    assert_null(res.jpeg);
    assert_string_equal(res.problem, "photo.faces");
    assert_true(res.problem_zh[0] && res.problem_en[0]);
    tc_studio_result_free(&res);
    free(data);

    data = portrait("mugshot_S024-01_frontal_neutral.jpg", &len);
    assert_non_null(data);
    req = (tc_studio_req){.data = data, .len = len, .spec = "chsi", .refuse_crowd = 1, .want_alpha = 1,
                          .want_trimap = 1};
    assert_int_equal(tc_studio_make(g_s, g_c, &req, &res, &e), 0);
    assert_non_null(res.jpeg);
    assert_non_null(res.alpha.a);
    assert_non_null(res.trimap.a);
    assert_int_equal(res.alpha.width, res.report.width);
    assert_int_equal(res.alpha.height, res.report.height);
    assert_int_equal(res.trimap.width, res.report.width);
    assert_int_equal(res.trimap.height, res.report.height);
    /* the corners are backdrop, the middle of the face is person */
    size_t w = (size_t)res.alpha.width, h = (size_t)res.alpha.height;
    assert_true(res.alpha.a[0] < 0.05f);
    assert_true(res.alpha.a[(h / 2) * w + w / 2] > 0.95f);
    tc_studio_result_free(&res);
    free(data);
}

/* The portrait woman_plain_grey_bg.jpg (NULL: absent, the caller skips), a
 * studio without the models and its context (tucai photo --geom). */
static char *open_bare(size_t *len, tc_studio **b, tc_studio_ctx **bc)
{
    char *data = portrait("woman_plain_grey_bg.jpg", len);
    if (!data)
        return NULL;
    tc_err e = {0};
    *b = tc_studio_open_bare(NULL, &e);
    assert_non_null(*b);
    *bc = tc_studio_ctx_new(*b, &e);
    assert_non_null(*bc);
    return data;
}

/* A studio without models makes photos from the developer's geometry only
 * (tucai photo --geom); anything else is photo.no_face_engine. */
static void test_bare_geometry(void **st)
{
    (void)st;
    size_t len = 0;
    tc_studio *b = NULL;
    tc_studio_ctx *bc = NULL;
    char *data = open_bare(&len, &b, &bc);
    if (!data)
        skip();
    tc_err e = {0};
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi"};
    tc_studio_result res;
    assert_int_equal(tc_studio_make(b, bc, &req, &res, &e), -1);
    assert_string_equal(e.code, "photo.no_face_engine");
    assert_int_equal(e.status, 503);
    tc_photo_face_geom g;
    tc_photo_geom_init(&g);
    const float v[10] = {213, 211, 301, 214, 253, 352, 157, 228, 352, 232};
    g.left_eye[0] = v[0], g.left_eye[1] = v[1], g.right_eye[0] = v[2], g.right_eye[1] = v[3];
    g.chin[0] = v[4], g.chin[1] = v[5];
    g.face_left[0] = v[6], g.face_left[1] = v[7], g.face_right[0] = v[8], g.face_right[1] = v[9];
    req.geom = &g;
    req.want_alpha = 1;
    assert_int_equal(tc_studio_make(b, bc, &req, &res, &e), 0);
    assert_non_null(res.jpeg);
    assert_int_equal(res.report.width, 480);
    assert_non_null(res.alpha.a);
    assert_false(res.tone.measured); /* no mesh, no exposure step */
    tc_studio_result_free(&res);
    tc_studio_ctx_free(bc);
    tc_studio_free(b);
    free(data);
}

/* A photo made but still out of its spec on re-measure is never delivered
 * (issue 15: the photo workers decide on ok): the developer's geometry
 * claims a face a third of its real width and a hair top just above the
 * eyes, so the plan scales the head up three times and the real head runs
 * out of the photo's top; the re-measured hair top is at row 0, a second
 * plan from it cannot bring the head inside either, so ok is 0 and the
 * student reads why, in the head's words (no spec name). */
static void test_out_of_spec(void **st)
{
    (void)st;
    size_t len = 0;
    tc_studio *b = NULL;
    tc_studio_ctx *bc = NULL;
    char *data = open_bare(&len, &b, &bc);
    if (!data)
        skip();
    tc_err e = {0};
    tc_photo_face_geom g;
    tc_photo_geom_init(&g);
    /* her face (test_bare_geometry: eyes 88 px apart at y 212, chin at 352)
     * claimed 60 px wide with the eyes 30 px apart, the chin at 330 and the
     * hair top 40 px above the eyes (her real one is ~110 px above) */
    g.left_eye[0] = 242, g.left_eye[1] = 212, g.right_eye[0] = 272, g.right_eye[1] = 212;
    g.chin[0] = 257, g.chin[1] = 330;
    g.face_left[0] = 227, g.face_left[1] = 230, g.face_right[0] = 287, g.face_right[1] = 230;
    g.hair_top[0] = 257, g.hair_top[1] = 172;
    tc_studio_req req = {.data = data, .len = len, .spec = "chsi", .geom = &g};
    tc_studio_result res;
    assert_int_equal(tc_studio_make(b, bc, &req, &res, &e), 0);
    print_message("made %d, in spec %d (%s), hair top %.0f, problem %s\n", res.jpeg != NULL, res.report.in_spec,
                  res.report.problem, res.report.hair_top_y, res.problem);
    assert_non_null(res.jpeg); /* made: the reviewer may still see it */
    assert_false(res.report.in_spec);
    assert_string_equal(res.report.problem, "photo.hair_top");
    assert_false(res.ok);
    assert_string_equal(res.problem, "photo.out_of_spec");
    assert_non_null(strstr(res.problem_zh, "头部的位置或大小"));
    assert_null(strstr(res.problem_zh, "chsi"));
    tc_studio_result_free(&res);
    /* --no-strict (`tucai photo`'s developer option) keeps its photo */
    req.no_strict = 1;
    assert_int_equal(tc_studio_make(b, bc, &req, &res, &e), 0);
    assert_non_null(res.jpeg);
    assert_true(res.ok);
    assert_string_equal(res.problem, "");
    tc_studio_result_free(&res);
    tc_studio_ctx_free(bc);
    tc_studio_free(b);
    free(data);
}

/* A finished photo made elsewhere (production's retouched 成片): the
 * pipeline's own standard photo passes; a wrong size, a truncated file, not
 * a JPEG are refused with their codes; without a studio only the file checks
 * run. */
static void test_check_finished(void **st)
{
    (void)st;
    tc_studio_result res;
    int skipped;
    make("mugshot_S024-01_frontal_neutral.jpg", &res, &skipped);
    if (skipped)
        skip();
    assert_non_null(res.jpeg);
    const tc_spec *spec = tc_spec_find(tc_studio_specs(g_s), "chsi");
    assert_non_null(spec);
    tc_err e = {0};
    assert_int_equal(tc_studio_check_finished(g_s, spec, res.jpeg, res.jpeg_len, &e), 0);
    assert_int_equal(tc_studio_check_finished(NULL, spec, res.jpeg, res.jpeg_len, &e), 0);
    assert_int_equal(tc_studio_check_finished(NULL, spec, res.jpeg, res.jpeg_len * 9 / 10, &e), -1);
    assert_string_equal(e.code, "final.bad_file");
    assert_int_equal(tc_studio_check_finished(NULL, spec, "GIF89a not a jpeg", 17, &e), -1);
    assert_string_equal(e.code, "final.bad_file");
    size_t len = 0;
    char *portrait_data = portrait("mugshot_S024-01_frontal_neutral.jpg", &len);
    assert_non_null(portrait_data);
    assert_int_equal(tc_studio_check_finished(g_s, spec, portrait_data, len, &e), -1);
    assert_string_equal(e.code, "final.bad_size");
    assert_int_equal(tc_studio_check_finished(g_s, spec, portrait_data, 2048, &e), -1);
    assert_string_equal(e.code, "final.bad_bytes"); /* under the 20 KB minimum: refused before decoding */
    free(portrait_data);
    tc_studio_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compliant), cmocka_unit_test(test_hair_top_replan), cmocka_unit_test(test_people_beside_real), cmocka_unit_test(test_hair_blot), cmocka_unit_test(test_person_behind_real), cmocka_unit_test(test_two_people), cmocka_unit_test(test_blue_top),
        cmocka_unit_test(test_profile),   cmocka_unit_test(test_bad_bytes),  cmocka_unit_test(test_no_face),
        cmocka_unit_test(test_edges),     cmocka_unit_test(test_backdrop_pocket),
        cmocka_unit_test(test_backdrop_object), cmocka_unit_test(test_hair_fringe), cmocka_unit_test(test_hair_haze),
        cmocka_unit_test(test_shoulder_plateau),
        cmocka_unit_test(test_ears_opaque), cmocka_unit_test(test_jeans_below_ear), cmocka_unit_test(test_window_beside_head), cmocka_unit_test(test_officer_edges),
        cmocka_unit_test(test_smear_figure), cmocka_unit_test(test_ear_speck_figures),
        cmocka_unit_test(test_ear_hair_figure), cmocka_unit_test(test_exposure),
        cmocka_unit_test(test_compression), cmocka_unit_test(test_tilt), cmocka_unit_test(test_eyes_covered),
        cmocka_unit_test(test_headwear_cap),
        cmocka_unit_test(test_cli_options), cmocka_unit_test(test_bare_geometry), cmocka_unit_test(test_out_of_spec), cmocka_unit_test(test_check_finished),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
