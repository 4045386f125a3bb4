/* Issue 16 item 2: the eyes.
 *  - tc_flex, the FlexBuffers reader of custom ops' options: a valid
 *    buffer reads back; every truncation and every single-byte change of it
 *    gives a value or -1, never a read outside the buffer (ASan watches).
 *  - tc_vision_eyes on a portrait: open eyes measure open and their contour
 *    lies on the mesh's eyelids; the same portrait with its eyes painted
 *    shut (skin over the opening, a dark lash line) measures closed.
 *  - the irises (the attention model's 5-point outputs): on open eyes each
 *    lies between its eye's corners and lids, round, of an iris' size, and
 *    darker than the rest of the eye's opening.
 * The portrait tests need the models (scripts/fetch-models) and
 * $TC_TESTDATA/portraits; they skip, saying why, when either is absent. */
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

#include "vision/tc_flex.h"
#include "vision/tc_vision.h"
#include "vision_fixture.h"

/* A map {"a": 5, "f": 1.5 (float32), "v": [1, 2, 3] (int8 vector),
 * "w": [7, -2] (untyped vector of ints)}, laid out by hand from the format's
 * description, every width 1 byte except the float's slot (4). */
static const uint8_t k_map[] = {
    'a', 0, 'f', 0, 'v', 0, 'w', 0,           /* 0..7: keys                                   */
    3, 1, 2, 3,                                /* 8..11: "v" (starts at 9): length 3, 1 2 3     */
    2, 7, 0xfe, 0x04, 0x04,                    /* 12..16: "w" (at 13): length 2, 7 -2, types INT INT */
    4, 0, 0, 0, 0,                             /* 17..21: keys vector (at 18): length 4, offsets */
    0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0,        /* 22..33: keys offset, keys width 1, length 4   */
    5, 0, 0, 0,                                /* 34: the map's values: "a" = 5                 */
    0x00, 0x00, 0xc0, 0x3f,                    /* 38: "f" = 1.5f                                */
    0, 0, 0, 0,                                /* 42: "v": offset                               */
    0, 0, 0, 0,                                /* 46: "w": offset                               */
    0x06, 0x0e, 0x2c, 0x28,                    /* 50..53: INT/4, FLOAT/4, VECTOR_INT/1, VECTOR/1 */
    0, 0x26, 1,                                /* 54: root offset, MAP/4, root width 1          */
};

static uint8_t g_map[sizeof k_map];

/* The offsets (each counted back from its own slot). */
static void build_map(void)
{
    memcpy(g_map, k_map, sizeof k_map);
    const size_t keys = 18, map = 34, v = 9, w = 13;
    /* keys vector elements point back at the four keys */
    for (int i = 0; i < 4; i++)
        g_map[keys + (size_t)i] = (uint8_t)(keys + (size_t)i - 2 * (size_t)i);
    g_map[22] = (uint8_t)(22 - keys); /* keys offset, from its own slot */
    g_map[42] = (uint8_t)(42 - v);
    g_map[46] = (uint8_t)(46 - w);
    g_map[sizeof k_map - 3] = (uint8_t)(sizeof k_map - 3 - map);
}

static void test_flex_valid(void **state)
{
    (void)state;
    build_map();
    tc_flex_ref root, r;
    double d;
    size_t n;
    assert_int_equal(tc_flex_root(g_map, sizeof g_map, &root), 0);
    assert_int_equal(root.type, TC_FLEX_MAP);
    assert_int_equal(tc_flex_map_get(&root, "a", &r), 0);
    assert_int_equal(tc_flex_number(&r, &d), 0);
    assert_true(d == 5);
    assert_int_equal(tc_flex_map_get(&root, "f", &r), 0);
    assert_int_equal(tc_flex_number(&r, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(tc_flex_map_get(&root, "v", &r), 0);
    assert_int_equal(tc_flex_vec_len(&r, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(tc_flex_vec_number(&r, i, &d), 0);
        assert_true(d == (double)(i + 1));
    }
    assert_int_equal(tc_flex_vec_number(&r, 3, &d), -1); /* past the end */
    assert_int_equal(tc_flex_map_get(&root, "w", &r), 0);
    assert_int_equal(tc_flex_vec_len(&r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(tc_flex_vec_number(&r, 1, &d), 0);
    assert_true(d == -2);
    /* absent keys, prefixes of keys, wrong kinds */
    assert_int_equal(tc_flex_map_get(&root, "b", &r), -1);
    assert_int_equal(tc_flex_map_get(&root, "", &r), -1);
    assert_int_equal(tc_flex_map_get(&root, "aa", &r), -1);
    assert_int_equal(tc_flex_map_get(&root, "a", &r), 0);
    assert_int_equal(tc_flex_map_get(&r, "a", &r), -1); /* a number is no map */
    assert_int_equal(tc_flex_vec_len(&r, &n), -1);      /* nor a vector */
}

/* Everything the reader can be asked on a buffer; the answers must be
 * sane, and ASan fails the test on any read outside the copy. */
static void probe(const uint8_t *buf, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    tc_flex_ref root, r;
    if (tc_flex_root(copy, len, &root) == 0) {
        static const char *keys[] = {"a", "f", "v", "w", "x"};
        for (size_t k = 0; k < 5; k++) {
            if (tc_flex_map_get(&root, keys[k], &r) != 0)
                continue;
            double d;
            size_t n;
            (void)tc_flex_number(&r, &d);
            if (tc_flex_vec_len(&r, &n) == 0) {
                assert_true(n <= len);
                for (size_t i = 0; i < n + 1 && i < 64; i++)
                    (void)tc_flex_vec_number(&r, i, &d);
            }
        }
    }
    free(copy);
}

static void test_flex_malformed(void **state)
{
    (void)state;
    build_map();
    for (size_t l = 0; l <= sizeof g_map; l++) /* every truncation */
        probe(g_map, l);
    /* the end of a truncated buffer is read as its root: a short prefix
     * gives no map */
    tc_flex_ref root;
    assert_int_equal(tc_flex_root(g_map, 2, &root), -1);
    uint8_t m[sizeof g_map];
    for (size_t i = 0; i < sizeof g_map; i++) /* every byte, every value */
        for (int b = 0; b < 256; b++) {
            memcpy(m, g_map, sizeof m);
            m[i] = (uint8_t)b;
            probe(m, sizeof m);
        }
    /* a root width that is no power of two */
    memcpy(m, g_map, sizeof m);
    m[sizeof m - 1] = 3;
    assert_int_equal(tc_flex_root(m, sizeof m, &root), -1);
}

/* ---- eyes on a portrait ------------------------------------------------------ */

static tc_vision *g_vision;
static tc_vision_ctx *g_ctx;
static char g_skip[2048];
static char g_portraits[1024];

/* The portrait's face: detection, mesh and eyes.  0, or skip. */
static uint8_t *load_face(const char *name, int *w, int *h, tc_vision_mesh *mesh)
{
    if (!g_vision || !g_portraits[0]) {
        print_message("skipped: %s\n", g_skip);
        return NULL;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", g_portraits, name);
    uint8_t *rgb = vf_decode(path, 1.0, w, h);
    if (!rgb) {
        print_message("skipped: %s is absent\n", path);
        return NULL;
    }
    tc_vision_image img = {rgb, *w, *h, (size_t)*w * 3};
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int nf;
    tc_err e;
    assert_int_equal(tc_vision_detect(g_vision, g_ctx, &img, faces, TC_VISION_MAX_FACES, &nf, &e), 0);
    assert_true(nf >= 1);
    assert_int_equal(tc_vision_landmarks(g_vision, g_ctx, &img, &faces[0], mesh, &e), 0);
    assert_true(mesh->presence >= 0.5f);
    return rgb;
}

/* Luma of pixel (x, y). */
static double luma(const uint8_t *rgb, int w, int x, int y)
{
    const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* Each iris: centre inside its eye's opening (between the corners, between
 * the lids' highest and lowest point), its four edge points at one radius
 * from the centre (within a fifth), the radius 0.15 to 0.34 of the
 * eye's width, and the disc's pixels inside the lids darker than the rest
 * of the opening (the sclera) by a tenth at least (this portrait: 0.80-0.82). */
static void check_irises(const uint8_t *rgb, int w, int h, const tc_vision_eye_info *ey)
{
    for (int k = 0; k < 2; k++) {
        const float(*c)[2] = ey->contour[k], (*ir)[2] = ey->iris[k];
        double cx = ir[0][0] * w, cy = ir[0][1] * h;
        double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
        for (int i = 0; i < 16; i++) {
            x0 = fmin(x0, c[i][0] * w), x1 = fmax(x1, c[i][0] * w);
            y0 = fmin(y0, c[i][1] * h), y1 = fmax(y1, c[i][1] * h);
        }
        double ew = hypot((c[0][0] - c[8][0]) * w, (c[0][1] - c[8][1]) * h);
        double rad = 0, rmin = 1e9, rmax = 0;
        for (int i = 1; i < 5; i++) {
            double d = hypot(ir[i][0] * w - cx, ir[i][1] * h - cy);
            rad += d / 4, rmin = fmin(rmin, d), rmax = fmax(rmax, d);
        }
        print_message("iris %d: centre %.1f %.1f in eye box %.1f-%.1f x %.1f-%.1f, radius %.2f (%.2f of the eye width)\n",
                      k, cx, cy, x0, x1, y0, y1, rad, rad / ew);
        assert_true(cx > x0 && cx < x1 && cy > y0 && cy < y1);
        assert_true(rmin > 0.8 * rad && rmax < 1.2 * rad);
        assert_true(rad > 0.15 * ew && rad < 0.34 * ew);
        /* darker disc: pixels inside the lids' polygon, in and out of it */
        double in = 0, out = 0;
        int nin = 0, nout = 0;
        for (int y = (int)y0; y <= (int)y1; y++)
            for (int x = (int)x0; x <= (int)x1; x++) {
                int inside = 0; /* even-odd test against the 16-point contour */
                for (int i = 0, j = 15; i < 16; j = i++) {
                    double yi = c[i][1] * h, yj = c[j][1] * h, xi = c[i][0] * w, xj = c[j][0] * w;
                    if ((yi > y + 0.5) != (yj > y + 0.5) && x + 0.5 < (xj - xi) * (y + 0.5 - yi) / (yj - yi) + xi)
                        inside = !inside;
                }
                if (!inside)
                    continue;
                double d = hypot(x + 0.5 - cx, y + 0.5 - cy);
                if (d < 0.8 * rad)
                    in += luma(rgb, w, x, y), nin++;
                else if (d > 1.2 * rad)
                    out += luma(rgb, w, x, y), nout++;
            }
        assert_true(nin > 10 && nout > 10);
        print_message("iris %d: disc luma %.0f, rest of the opening %.0f\n", k, in / nin, out / nout);
        assert_true(in / nin < 0.9 * (out / nout));
    }
}

static void test_eyes_open(void **state)
{
    (void)state;
    int w, h;
    tc_vision_mesh mesh;
    uint8_t *rgb = load_face("mugshot_S024-01_frontal_neutral.jpg", &w, &h, &mesh);
    if (!rgb)
        skip();
    tc_vision_image img = {rgb, w, h, (size_t)w * 3};
    tc_vision_eye_info ey;
    tc_err e;
    assert_int_equal(tc_vision_eyes(g_vision, g_ctx, &img, &mesh, &ey, &e), 0);
    print_message("open: %.3f %.3f\n", ey.openness[0], ey.openness[1]);
    for (int k = 0; k < 2; k++) {
        assert_true(ey.openness[k] > 0.2f && ey.openness[k] < 0.6f);
        /* the refined contour lies on the mesh's eyelid: within a tenth of
         * the eye's width, point by point */
        const float *c0 = mesh.points[tc_vision_lm_eyelid[k][0]], *c8 = mesh.points[tc_vision_lm_eyelid[k][8]];
        double ew = hypot((c0[0] - c8[0]) * w, (c0[1] - c8[1]) * h);
        for (int i = 0; i < 16; i++) {
            const float *q = mesh.points[tc_vision_lm_eyelid[k][i]];
            double d = hypot((ey.contour[k][i][0] - q[0]) * w, (ey.contour[k][i][1] - q[1]) * h);
            assert_true(d < 0.1 * ew);
        }
    }
    /* eye A is on the image's left */
    assert_true(ey.contour[0][0][0] < ey.contour[1][0][0]);
    check_irises(rgb, w, h, &ey);
    /* a mesh without a crop is refused */
    tc_vision_mesh bad = mesh;
    bad.roi_w = 0;
    assert_int_equal(tc_vision_eyes(g_vision, g_ctx, &img, &bad, &ey, &e), -1);
    g_free(rgb);
}

/* Paint one eye shut: the opening (the contour's box, a little taller)
 * filled with the skin just below it, and a dark lash line through the
 * middle from corner to corner. */
static void shut_eye(uint8_t *rgb, int w, int h, const tc_vision_mesh *m, int k)
{
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (int i = 0; i < 16; i++) {
        const float *q = m->points[tc_vision_lm_eyelid[k][i]];
        x0 = fmin(x0, q[0] * w), x1 = fmax(x1, q[0] * w), y0 = fmin(y0, q[1] * h), y1 = fmax(y1, q[1] * h);
    }
    double ew = x1 - x0, pad = 0.12 * ew;
    int X0 = (int)(x0 - pad), X1 = (int)(x1 + pad), Y0 = (int)(y0 - pad), Y1 = (int)(y1 + pad);
    int sy = (int)(y1 + 0.4 * ew); /* skin below the eye */
    assert_true(X0 >= 0 && X1 < w && Y0 >= 0 && sy < h);
    for (int y = Y0; y <= Y1; y++)
        for (int x = X0; x <= X1; x++)
            memcpy(rgb + ((size_t)y * w + x) * 3, rgb + ((size_t)sy * w + x) * 3, 3);
    int mid = (int)((y0 + y1) / 2 + 0.2 * (y1 - y0));
    int th = (int)fmax(1, ew / 25);
    for (int y = mid - th; y <= mid + th; y++)
        for (int x = (int)x0; x <= (int)x1; x++) {
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = p[1] = p[2] = 40;
        }
}

static void test_eyes_closed(void **state)
{
    (void)state;
    int w, h;
    tc_vision_mesh mesh;
    uint8_t *rgb = load_face("mugshot_S024-01_frontal_neutral.jpg", &w, &h, &mesh);
    if (!rgb)
        skip();
    tc_vision_image img = {rgb, w, h, (size_t)w * 3};
    tc_vision_eye_info open, wink, shut;
    tc_err e;
    assert_int_equal(tc_vision_eyes(g_vision, g_ctx, &img, &mesh, &open, &e), 0);
    shut_eye(rgb, w, h, &mesh, 1); /* eye B shut: a wink */
    assert_int_equal(tc_vision_eyes(g_vision, g_ctx, &img, &mesh, &wink, &e), 0);
    shut_eye(rgb, w, h, &mesh, 0); /* both shut */
    assert_int_equal(tc_vision_eyes(g_vision, g_ctx, &img, &mesh, &shut, &e), 0);
    print_message("open %.3f %.3f, wink %.3f %.3f, shut %.3f %.3f\n", open.openness[0], open.openness[1],
                  wink.openness[0], wink.openness[1], shut.openness[0], shut.openness[1]);
    /* the shut eye measures closed; the open one of the wink stays open */
    assert_true(wink.openness[1] < 0.12f);
    assert_true(wink.openness[0] > 0.2f);
    assert_true(shut.openness[0] < 0.12f && shut.openness[1] < 0.12f);
    g_free(rgb);
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
    if (!g_vision)
        snprintf(g_skip, sizeof g_skip, "models not loaded from %s (%.200s); run scripts/fetch-models", models, e.en);
    else
        g_ctx = tc_vision_ctx_new(g_vision, &e);
    const char *td = getenv("TC_TESTDATA");
    if (td && *td)
        snprintf(g_portraits, sizeof g_portraits, "%.1000s/portraits", td);
    else if (g_vision)
        snprintf(g_skip, sizeof g_skip, "TC_TESTDATA is not set: ../shared/testdata/portraits is absent");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flex_valid),
        cmocka_unit_test(test_flex_malformed),
        cmocka_unit_test(test_eyes_open),
        cmocka_unit_test(test_eyes_closed),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_vision_ctx_free(g_ctx);
    tc_vision_free(g_vision);
    vips_shutdown();
    return rc;
}
