/* The reviewers' overlay in its two forms: the drawing data the server keeps
 * with each photo (tc_check_overlay_json), painted as the review console
 * paints it (web/console/review.js paintOverlay, here in C), gives exactly the
 * PNG `tucai check --overlay` writes (tc_check_overlay), tone curve, mask
 * outline, points at the picture's edges and thick frames included. */
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

typedef struct {
    tc_photo_rgb base, work; /* base: the upright original; work: base through the tone curve */
    tc_photo_mask mask;
    tc_vision_mesh mesh;
    tc_check_tone tone;
    tc_check_report rep;
    tc_check_input in;
} scene;

static void make(scene *s, int w, int h, int toned)
{
    memset(s, 0, sizeof *s);
    s->base.width = s->work.width = s->mask.width = w;
    s->base.height = s->work.height = s->mask.height = h;
    s->base.px = malloc((size_t)w * h * 3);
    s->work.px = malloc((size_t)w * h * 3);
    s->mask.a = malloc((size_t)w * h * sizeof(float));
    assert_non_null(s->base.px);
    assert_non_null(s->work.px);
    assert_non_null(s->mask.a);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = s->base.px + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)(x * 255 / w), p[1] = (uint8_t)(y * 255 / h), p[2] = (uint8_t)((x * 7 + y * 13) & 255);
            /* a head and shoulders, with a hole and a speck */
            double dx = (x - w / 2.0) / (w * 0.25), dy = (y - h * 0.4) / (h * 0.3);
            float a = dx * dx + dy * dy < 1 || (y > h * 0.7 && fabs(x - w / 2.0) < w * 0.4) ? 1.0f : 0.0f;
            if (abs(x - w / 2) < 3 && abs(y - h / 3) < 2)
                a = 0.2f;
            if (x == 5 && y == 7)
                a = 0.9f;
            s->mask.a[(size_t)y * w + x] = a;
        }
    s->tone.measured = 1;
    for (int c = 0; c < 3; c++)
        for (int v = 0; v < 256; v++)
            s->tone.lut[c][v] = (uint8_t)(toned ? fmin(255, v * (1.1 + 0.1 * c) + 3) : v);
    s->tone.applied = toned;
    tc_check_tone_apply(&s->tone, s->base.px, s->work.px, (size_t)w * h);
    s->mesh.presence = 0.9f;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        s->mesh.points[i][0] = 0.3f + 0.4f * (float)(i % 23) / 22;
        s->mesh.points[i][1] = 0.2f + 0.5f * (float)(i / 23) / 21;
    }
    s->mesh.points[0][0] = -0.001f; /* (int) rounds towards 0: drawn at x 0 */
    s->mesh.points[1][0] = 1.0f;    /* x == w: outside */
    s->mesh.points[2][1] = NAN;
    s->mesh.points[3][0] = 1e9f;
    s->mesh.points[4][1] = -0.5f;
    static const float regs[][4] = {{10, 10, 50, 60},    {-30, -30, 70, 80},  {100, 120, 5000, 40},
                                    {NAN, 3, 10, 10},     {20, 30, 0, 10},     {40.7f, 50.2f, 30.9f, 20.5f},
                                    {15, 15, 60, 60},     {0, 0, 1, 1},        {200, 5, 100, 300}};
    static const int verd[] = {TC_CHECK_PASS, TC_CHECK_FAIL, TC_CHECK_UNKNOWN, TC_CHECK_PASS, TC_CHECK_FAIL,
                               TC_CHECK_FAIL, TC_CHECK_PASS, TC_CHECK_UNKNOWN, TC_CHECK_FAIL};
    for (int i = 0; i < TC_CHECK_N; i++) {
        tc_check_result *r = &s->rep.r[i];
        r->id = (tc_check_id)i;
        size_t k = (size_t)i % (sizeof regs / sizeof *regs);
        memcpy(r->region, regs[k], sizeof r->region);
        r->verdict = verd[k];
        r->skipped = i % 5 == 4;
    }
    s->in.work = &s->work;
    s->in.work_scale = 1;
    s->in.mask = &s->mask;
    s->in.mesh = &s->mesh;
    s->in.tone = &s->tone;
}

static void drop(scene *s)
{
    free(s->base.px);
    free(s->work.px);
    free(s->mask.a);
}

static void put(uint8_t *px, int w, int h, int x, int y, const uint8_t c[3])
{
    if (x >= 0 && y >= 0 && x < w && y < h)
        memcpy(px + ((size_t)y * w + x) * 3, c, 3);
}

static void colour(json_t *pal, const char *name, uint8_t c[3])
{
    json_t *a = json_object_get(pal, name);
    assert_true(json_is_array(a) && json_array_size(a) == 3);
    for (int i = 0; i < 3; i++)
        c[i] = (uint8_t)json_integer_value(json_array_get(a, (size_t)i));
}

/* The console's painting (review.js paintOverlay), over base. */
static uint8_t *paint(const tc_photo_rgb *base, const char *text)
{
    json_error_t je;
    json_t *d = json_loads(text, 0, &je);
    assert_non_null(d);
    assert_int_equal(json_integer_value(json_object_get(d, "v")), 1);
    int w = (int)json_integer_value(json_object_get(d, "w")), h = (int)json_integer_value(json_object_get(d, "h"));
    assert_int_equal(w, base->width);
    assert_int_equal(h, base->height);
    json_t *dim = json_object_get(d, "dim"), *tone = json_object_get(d, "tone");
    int num = (int)json_integer_value(json_array_get(dim, 0)), den = (int)json_integer_value(json_array_get(dim, 1));
    assert_true(num > 0 && den > 0);
    size_t n = (size_t)w * h * 3;
    uint8_t *px = malloc(n);
    assert_non_null(px);
    for (size_t i = 0; i < n; i++) {
        int v = base->px[i];
        if (tone)
            v = (int)json_integer_value(json_array_get(json_array_get(tone, i % 3), (size_t)v));
        px[i] = (uint8_t)(v * num / den);
    }
    json_t *pal = json_object_get(d, "palette");
    uint8_t c[3];
    colour(pal, "outline", c);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(d, "outline"), i, row)
    {
        int y = (int)json_integer_value(json_array_get(row, 0));
        assert_true(json_array_size(row) % 2 == 1);
        for (size_t k = 1; k + 1 < json_array_size(row); k += 2) {
            int x0 = (int)json_integer_value(json_array_get(row, k)), len = (int)json_integer_value(json_array_get(row, k + 1));
            for (int x = x0; x < x0 + len; x++)
                put(px, w, h, x, y, c);
        }
    }
    colour(pal, "point", c);
    json_t *pts = json_object_get(d, "points");
    for (size_t k = 0; k + 1 < json_array_size(pts); k += 2)
        put(px, w, h, (int)json_integer_value(json_array_get(pts, k)), (int)json_integer_value(json_array_get(pts, k + 1)), c);
    int thick = (int)json_integer_value(json_object_get(d, "thick"));
    json_t *b;
    json_array_foreach(json_object_get(d, "boxes"), i, b)
    {
        colour(pal, json_string_value(json_object_get(b, "verdict")), c);
        assert_non_null(json_string_value(json_object_get(b, "check")));
        json_t *bx = json_object_get(b, "box");
        int x0 = (int)json_integer_value(json_array_get(bx, 0)), y0 = (int)json_integer_value(json_array_get(bx, 1));
        int x1 = (int)json_integer_value(json_array_get(bx, 2)), y1 = (int)json_integer_value(json_array_get(bx, 3));
        for (int t = 0; t < thick; t++) {
            for (int x = x0; x <= x1; x++) {
                put(px, w, h, x, y0 + t, c);
                put(px, w, h, x, y1 - t, c);
            }
            for (int y = y0; y <= y1; y++) {
                put(px, w, h, x0 + t, y, c);
                put(px, w, h, x1 - t, y, c);
            }
        }
    }
    json_decref(d);
    return px;
}

static void same_picture(scene *s, const tc_check_report *rep)
{
    tc_err e = {0};
    uint8_t *png = NULL;
    size_t plen = 0;
    char *data = NULL;
    size_t dlen = 0;
    assert_int_equal(tc_check_overlay(&s->in, rep, &png, &plen, &e), 0);
    assert_int_equal(tc_check_overlay_json(&s->in, rep, &data, &dlen, &e), 0);
    assert_int_equal(strlen(data), dlen);
    assert_true(data[0] == '{');
    VipsImage *im = vips_image_new_from_buffer(png, plen, "", NULL);
    assert_non_null(im);
    size_t got = 0;
    uint8_t *want = vips_image_write_to_memory(im, &got);
    assert_int_equal(got, (size_t)s->work.width * s->work.height * 3);
    uint8_t *mine = paint(&s->base, data);
    size_t diff = 0;
    for (size_t i = 0; i < got; i++)
        diff += want[i] != mine[i];
    if (diff)
        print_message("%zu bytes differ (%dx%d)\n", diff, s->work.width, s->work.height);
    assert_int_equal(diff, 0);
    g_free(want);
    g_object_unref(im);
    free(mine);
    free(png);
    free(data);
}

static void test_data_paints_the_png(void **st)
{
    (void)st;
    scene s;
    make(&s, 320, 400, 1); /* tone curve applied, frames 1 px */
    same_picture(&s, &s.rep);
    drop(&s);
    make(&s, 701, 640, 0); /* no curve, frames 2 px */
    same_picture(&s, &s.rep);
    same_picture(&s, NULL); /* checks not run: no frames */
    s.in.mesh = NULL;
    s.in.mask = NULL;
    same_picture(&s, &s.rep);
    drop(&s);
}

static void test_data_shape(void **st)
{
    (void)st;
    scene s;
    make(&s, 320, 400, 0);
    tc_err e = {0};
    char *data = NULL;
    size_t dlen = 0;
    assert_int_equal(tc_check_overlay_json(&s.in, &s.rep, &data, &dlen, &e), 0);
    json_t *d = json_loads(data, 0, NULL);
    assert_non_null(d);
    assert_null(json_object_get(d, "tone")); /* identity: not sent */
    /* the frames: passed first, failed last, skipped never */
    json_t *boxes = json_object_get(d, "boxes");
    assert_true(json_array_size(boxes) > 3);
    int last = -1;
    size_t i;
    json_t *b;
    json_array_foreach(boxes, i, b)
    {
        const char *v = json_string_value(json_object_get(b, "verdict"));
        int o = !strcmp(v, "pass") ? 0 : !strcmp(v, "unknown") ? 1 : 2;
        assert_true(o >= last);
        last = o;
        const char *code = json_string_value(json_object_get(b, "check"));
        for (int k = 0; k < TC_CHECK_N; k++)
            if (!strcmp(code, tc_check_code((tc_check_id)k)))
                assert_false(s.rep.r[k].skipped);
    }
    /* points: only inside the picture */
    json_t *pts = json_object_get(d, "points");
    assert_true(json_array_size(pts) > 100 && json_array_size(pts) % 2 == 0);
    for (i = 0; i < json_array_size(pts); i++) {
        json_int_t v = json_integer_value(json_array_get(pts, i));
        assert_true(v >= 0 && v < (i % 2 ? 400 : 320));
    }
    json_decref(d);
    free(data);
    /* no work copy: refused */
    s.in.work = NULL;
    assert_int_equal(tc_check_overlay_json(&s.in, &s.rep, &data, &dlen, &e), -1);
    assert_null(data);
    assert_string_equal(e.code, "check.bad_input");
    drop(&s);
}

int main(void)
{
    if (VIPS_INIT("test_check_overlay"))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_paints_the_png),
        cmocka_unit_test(test_data_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
