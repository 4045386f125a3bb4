/* Agreement of the vision engine with MediaPipe's own runtime.
 *
 * tests/fixtures/vision/NAME.VARIANT.json (+ .mask.png) were written by
 * tools/mediapipe-ref/run.mjs, which runs the @mediapipe JavaScript
 * solutions on the same model files in chromium.  Here we run the C engine
 * on the same pixels and check the targets on every fixture:
 *   faces: the same number; box IoU >= 0.95; each keypoint within 1 px;
 *   landmarks: within 1 px on average (x, y in pixels);
 *   mask: mean absolute difference <= 3/255 (on the fixture's k x k block
 *   averages; the mean over the whole image too).
 * Needs the models (scripts/fetch-models) and the portraits ($TC_TESTDATA);
 * each test skips, saying why, when they are absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "vision/tc_vision.h"
#include "vision_fixture.h"

typedef struct fixture {
    char json[1600];
    char name[256];
} fixture;

static tc_vision *g_vision;      /* loaded once in main, read-only */
static tc_vision_ctx *g_ctx;
static char g_models[1024];
static const char *g_portraits;  /* NULL when absent */
static char g_skip_reason[2048];

/* The variants, as tools/mediapipe-ref/run.mjs makes them. */
static uint8_t *variant(const uint8_t *src, int w, int h, const char *v, int *W, int *H)
{
    int rot = strcmp(v, "rot90") == 0, mir = strcmp(v, "mirror") == 0, dark = strcmp(v, "dark") == 0;
    *W = rot ? h : w;
    *H = rot ? w : h;
    uint8_t *d = malloc((size_t)w * h * 3);
    for (int y = 0; y < *H; y++)
        for (int x = 0; x < *W; x++) {
            int sx = x, sy = y;
            if (rot) { /* turned clockwise */
                sx = y;
                sy = h - 1 - x;
            } else if (mir) {
                sx = w - 1 - x;
            }
            const uint8_t *s = src + ((size_t)sy * w + sx) * 3;
            uint8_t *o = d + ((size_t)y * *W + x) * 3;
            for (int k = 0; k < 3; k++)
                o[k] = dark ? s[k] >> 1 : s[k];
        }
    return d;
}

static double box_iou(double ax, double ay, double aw, double ah, double bx, double by, double bw, double bh)
{
    double ix = fmin(ax + aw, bx + bw) - fmax(ax, bx), iy = fmin(ay + ah, by + bh) - fmax(ay, by);
    if (ix <= 0 || iy <= 0)
        return 0;
    double inter = ix * iy;
    return inter / (aw * ah + bw * bh - inter);
}

static void test_fixture(void **state)
{
    const fixture *fx = *state;
    if (!g_vision || !g_portraits) {
        print_message("skipped: %s\n", g_skip_reason);
        skip();
    }
    json_error_t jerr;
    json_t *ref = json_load_file(fx->json, 0, &jerr);
    assert_non_null(ref);
    const char *source = json_string_value(json_object_get(ref, "source"));
    const char *var = json_string_value(json_object_get(ref, "variant"));
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g_portraits, source);
    int w0, h0, W, H;
    uint8_t *orig = vf_decode(path, 1.0, &w0, &h0);
    if (!orig) {
        print_message("skipped: %s is absent from %s\n", source, g_portraits);
        json_decref(ref);
        skip();
    }
    uint8_t *rgb = variant(orig, w0, h0, var, &W, &H);
    g_free(orig);
    assert_int_equal(W, json_integer_value(json_object_get(ref, "width")));
    assert_int_equal(H, json_integer_value(json_object_get(ref, "height")));
    tc_vision_image img = {rgb, W, H, (size_t)W * 3};
    tc_err e;

    /* faces */
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int nf;
    assert_int_equal(tc_vision_detect(g_vision, g_ctx, &img, faces, TC_VISION_MAX_FACES, &nf, &e), 0);
    json_t *rfaces = json_object_get(ref, "faces");
    int nref = (int)json_array_size(rfaces);
    print_message("%s: %d face(s), reference %d\n", fx->name, nf, nref);
    assert_int_equal(nf, nref);
    double worst_iou = 1, worst_kp = 0;
    for (int i = 0; i < nref; i++) {
        json_t *rf = json_array_get(rfaces, i), *rb = json_object_get(rf, "box");
        double bx = json_real_value(json_object_get(rb, "xmin")), by = json_real_value(json_object_get(rb, "ymin"));
        double bw = json_real_value(json_object_get(rb, "width")), bh = json_real_value(json_object_get(rb, "height"));
        int best = -1;
        double best_iou = -1;
        for (int j = 0; j < nf; j++) {
            double u = box_iou(faces[j].xmin * W, faces[j].ymin * H, faces[j].width * W, faces[j].height * H, bx * W,
                               by * H, bw * W, bh * H);
            if (u > best_iou) {
                best_iou = u;
                best = j;
            }
        }
        assert_true(best >= 0);
        worst_iou = fmin(worst_iou, best_iou);
        json_t *kps = json_object_get(rf, "keypoints");
        for (int k = 0; k < TC_VISION_KEYPOINTS; k++) {
            json_t *p = json_array_get(kps, k);
            double dx = (faces[best].keypoints[k][0] - json_real_value(json_array_get(p, 0))) * W;
            double dy = (faces[best].keypoints[k][1] - json_real_value(json_array_get(p, 1))) * H;
            worst_kp = fmax(worst_kp, hypot(dx, dy));
        }
    }
    print_message("%s: worst box IoU %.4f, worst keypoint %.3f px\n", fx->name, worst_iou, worst_kp);
    assert_true(worst_iou >= 0.95);
    assert_true(worst_kp <= 1.0);

    /* landmarks of the most confident face */
    json_t *rl = json_object_get(ref, "landmarks");
    if (json_array_size(rl) > 0) {
        assert_true(nf > 0);
        tc_vision_mesh *m = malloc(sizeof *m);
        assert_int_equal(tc_vision_landmarks(g_vision, g_ctx, &img, &faces[0], m, &e), 0);
        assert_true(m->presence >= 0.5f);
        assert_int_equal(json_array_size(rl), TC_VISION_LANDMARKS);
        double sum = 0, mx = 0;
        for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
            json_t *p = json_array_get(rl, i);
            double d = hypot((m->points[i][0] - json_real_value(json_array_get(p, 0))) * W,
                             (m->points[i][1] - json_real_value(json_array_get(p, 1))) * H);
            sum += d;
            mx = fmax(mx, d);
        }
        print_message("%s: landmarks mean %.3f px, max %.3f px\n", fx->name, sum / TC_VISION_LANDMARKS, mx);
        assert_true(sum / TC_VISION_LANDMARKS <= 1.0);
        free(m);
    } else if (nf > 0) {
        tc_vision_mesh *m = malloc(sizeof *m);
        assert_int_equal(tc_vision_landmarks(g_vision, g_ctx, &img, &faces[0], m, &e), 0);
        print_message("%s: reference has no landmarks; presence here %.3f\n", fx->name, m->presence);
        assert_true(m->presence < 0.5f);
        free(m);
    }

    /* mask */
    float *mask = malloc((size_t)W * H * sizeof *mask);
    assert_int_equal(tc_vision_segment(g_vision, g_ctx, &img, mask, &e), 0);
    json_t *rm = json_object_get(ref, "mask");
    int k = (int)json_integer_value(json_object_get(rm, "k"));
    int sw = (int)json_integer_value(json_object_get(rm, "width")), sh = (int)json_integer_value(json_object_get(rm, "height"));
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/tests/fixtures/vision/%s", TC_SRCDIR,
             json_string_value(json_object_get(rm, "file")));
    int mw, mh;
    uint8_t *ref_mask = vf_decode(mpath, 1.0, &mw, &mh); /* grey becomes 3 equal bands */
    assert_non_null(ref_mask);
    assert_int_equal(mw, sw);
    assert_int_equal(mh, sh);
    double mad = 0, mean = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        mean += mask[i];
    mean /= (double)W * H;
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++) {
            double s = 0;
            for (int j = 0; j < k; j++)
                for (int i = 0; i < k; i++)
                    s += mask[(size_t)(y * k + j) * W + x * k + i];
            mad += fabs(s / (k * k) * 255.0 - ref_mask[((size_t)y * sw + x) * 3]);
        }
    mad /= (double)sw * sh;
    double ref_mean = json_real_value(json_object_get(ref, "mask_mean"));
    print_message("%s: mask MAD %.3f/255, mean %.4f vs %.4f\n", fx->name, mad, mean, ref_mean);
    assert_true(mad <= 3.0);
    assert_true(fabs(mean - ref_mean) * 255 <= 3.0);
    g_free(ref_mask);
    free(mask);
    free(rgb);
    json_decref(ref);
}

static int cmp_fixture(const void *a, const void *b)
{
    return strcmp(((const fixture *)a)->name, ((const fixture *)b)->name);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    /* models: $TUCAI_MODELS, else the repository's models/ */
    const char *env = getenv("TUCAI_MODELS");
    snprintf(g_models, sizeof g_models, "%s", env && *env ? env : TC_SRCDIR "/models");
    tc_err e;
    g_vision = tc_vision_load(g_models, &e);
    if (!g_vision)
        snprintf(g_skip_reason, sizeof g_skip_reason, "models not loaded from %s (%.200s); run scripts/fetch-models",
                 g_models, e.en);
    else
        g_ctx = tc_vision_ctx_new(g_vision, &e);
    static char portraits[1024];
    const char *td = getenv("TC_TESTDATA");
    if (td && *td) {
        snprintf(portraits, sizeof portraits, "%s/portraits", td);
        g_portraits = portraits;
    } else if (g_vision) {
        snprintf(g_skip_reason, sizeof g_skip_reason, "TC_TESTDATA is not set: ../shared/testdata/portraits is absent");
    }

    /* one test per fixture */
    char dir[1024 + 64];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/vision", TC_SRCDIR);
    DIR *d = opendir(dir);
    int n = 0, cap = 16;
    fixture *fx = malloc((size_t)cap * sizeof *fx);
    for (struct dirent *de; d && (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        if (n == cap)
            fx = realloc(fx, (size_t)(cap *= 2) * sizeof *fx);
        snprintf(fx[n].json, sizeof fx[n].json, "%s/%.255s", dir, de->d_name);
        snprintf(fx[n].name, sizeof fx[n].name, "%.*s", (int)(l - 5), de->d_name);
        n++;
    }
    if (d)
        closedir(d);
    qsort(fx, (size_t)n, sizeof *fx, cmp_fixture);
    struct CMUnitTest *tests = calloc((size_t)n + 1, sizeof *tests);
    for (int i = 0; i < n; i++) {
        tests[i].name = fx[i].name;
        tests[i].test_func = test_fixture;
        tests[i].initial_state = &fx[i];
    }
    int rc = n ? _cmocka_run_group_tests("vision_agree", tests, (size_t)n, NULL, NULL) : 1;
    free(tests);
    free(fx);
    tc_vision_ctx_free(g_ctx);
    tc_vision_free(g_vision);
    vips_shutdown();
    return rc;
}
