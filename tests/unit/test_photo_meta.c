/* File evidence (tc_photo_src_meta) and proof marks (tc_photo_watermark).
 * Inputs are made here with libvips: a JPEG whose EXIF names a camera and
 * an editor, one without EXIF, and spec-sized photos to mark. */
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

/* fontconfig and pango (behind vips_text, used by the watermark) keep their
 * font caches until exit. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig\nleak:libpango\nleak:libpangoft2\nleak:libharfbuzz\n";
}

static int setup(void **state)
{
    (void)state;
    tc_err e = {0};
    return tc_photo_startup("test_photo_meta", &e);
}

/* A w x h image with a soft gradient and a darker "face" disc in the
 * middle, so that the watermark has something to be compared against. */
static VipsImage *picture(int w, int h)
{
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = px + 3 * ((size_t)y * w + x);
            double dx = x - w / 2.0, dy = y - h * 0.45;
            int face = dx * dx + dy * dy < (w / 4.0) * (w / 4.0);
            p[0] = (uint8_t)(face ? 200 : 60 + 120 * x / w);
            p[1] = (uint8_t)(face ? 160 : 140);
            p[2] = (uint8_t)(face ? 130 : 220 - 100 * y / h);
        }
    VipsImage *v = vips_image_new_from_memory_copy(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    free(px);
    v->Type = VIPS_INTERPRETATION_sRGB;
    return v;
}

static void test_meta_from_exif(void **state)
{
    (void)state;
    VipsImage *v = picture(320, 240), *c = NULL;
    assert_int_equal(vips_copy(v, &c, NULL), 0);
    /* libvips writes these fields into the EXIF block when it saves */
    vips_image_set_string(c, "exif-ifd0-Make", "Apple");
    vips_image_set_string(c, "exif-ifd0-Model", "iPhone 13");
    vips_image_set_string(c, "exif-ifd0-Software", "Adobe Photoshop 25.0 Windows");
    vips_image_set_string(c, "exif-ifd2-DateTimeOriginal", "2024:06:01 09:30:00");
    vips_image_set_int(c, VIPS_META_ORIENTATION, 6);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(vips_jpegsave_buffer(c, &buf, &len, "Q", 90, NULL), 0);
    g_object_unref(c);

    /* the header alone gives the same evidence (the upload handler's) */
    tc_photo_meta h;
    memset(&h, 0x55, sizeof h);
    tc_photo_meta_of(buf, len, &h);
    assert_int_equal(h.has_exif, 1);
    assert_string_equal(h.make, "Apple");
    assert_string_equal(h.model, "iPhone 13");
    assert_string_equal(h.software, "Adobe Photoshop 25.0 Windows");
    assert_string_equal(h.datetime, "2024:06:01 09:30:00");
    assert_int_equal(h.orientation, 6);
    /* not an image, or cut before the header ends: no evidence, no error */
    tc_photo_meta_of("not an image at all", 19, &h);
    assert_int_equal(h.has_exif, 0);
    assert_string_equal(h.make, "");
    tc_photo_meta_of(buf, 40, &h);
    assert_string_equal(h.software, "");
    tc_photo_meta_of(NULL, 0, &h);
    assert_int_equal(h.has_exif, 0);

    tc_photo_src *s = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(buf, len, NULL, &s, &e), 0);
    tc_photo_meta m;
    memset(&m, 0x55, sizeof m); /* every field must be written */
    tc_photo_src_meta(s, &m);
    assert_int_equal(m.has_exif, 1);
    assert_string_equal(m.make, "Apple");
    assert_string_equal(m.model, "iPhone 13");
    assert_string_equal(m.software, "Adobe Photoshop 25.0 Windows");
    assert_string_equal(m.datetime, "2024:06:01 09:30:00");
    assert_int_equal(m.orientation, 6);
    assert_int_equal(m.has_icc, 0);
    assert_true(m.iso == 0 && m.fnumber == 0 && m.exposure_s == 0 && m.focal_mm == 0);
    tc_photo_src_free(s);
    g_free(buf);

    /* no EXIF at all (PNG), and an over-long Software tag that must be cut */
    assert_int_equal(vips_pngsave_buffer(v, &buf, &len, NULL), 0);
    assert_int_equal(tc_photo_decode(buf, len, NULL, &s, &e), 0);
    tc_photo_src_meta(s, &m);
    assert_int_equal(m.has_exif, 0);
    assert_string_equal(m.make, "");
    assert_string_equal(m.software, "");
    assert_string_equal(m.datetime, "");
    assert_int_equal(m.orientation, 1);
    tc_photo_src_free(s);
    g_free(buf);

    char longsw[300];
    memset(longsw, 'M', sizeof longsw - 1);
    longsw[sizeof longsw - 1] = 0;
    assert_int_equal(vips_copy(v, &c, NULL), 0);
    vips_image_set_string(c, "exif-ifd0-Software", longsw);
    assert_int_equal(vips_jpegsave_buffer(c, &buf, &len, NULL), 0);
    g_object_unref(c);
    assert_int_equal(tc_photo_decode(buf, len, NULL, &s, &e), 0);
    tc_photo_src_meta(s, &m);
    assert_int_equal(strlen(m.software), sizeof m.software - 1);
    tc_photo_src_free(s);
    g_free(buf);
    g_object_unref(v);
}

/* The portraits' phone selfie carries real EXIF (orientation 6, editor). */
static void test_meta_portrait(void **state)
{
    (void)state;
    const char *dir = getenv("TC_TESTDATA");
    char path[512];
    snprintf(path, sizeof path, "%s/portraits/live_selfie_exif_rotated.jpg", dir ? dir : TC_SRCDIR "/../shared/testdata");
    char *data;
    size_t len;
    tc_err e = {0};
    if (tc_file_read(path, 50 << 20, &data, &len, &e) != 0) {
        print_message("portraits absent: %s\n", path);
        skip();
    }
    tc_photo_src *s = NULL;
    assert_int_equal(tc_photo_decode(data, len, NULL, &s, &e), 0);
    tc_photo_meta m;
    tc_photo_src_meta(s, &m);
    assert_int_equal(m.has_exif, 1);
    assert_int_equal(m.orientation, 6);
    assert_string_equal(m.software, "Shotwell 0.22.0");
    tc_photo_src_free(s);
    free(data);
}

static double mean_abs_diff(const uint8_t *a, const uint8_t *b, size_t n, double *changed)
{
    double s = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs((int)a[i] - (int)b[i]);
        s += d;
        c += d > 12;
    }
    *changed = (double)c / n;
    return s / n;
}

static void test_watermark(void **state)
{
    (void)state;
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    const tc_spec *spec = tc_spec_find(&t, "chsi");
    assert_non_null(spec);
    VipsImage *v = picture(spec->width, spec->height);
    tc_photo_rgb im = {spec->width, spec->height, NULL};
    size_t n = 0;
    uint8_t *raw = vips_image_write_to_memory(v, &n);
    im.px = malloc(n);
    memcpy(im.px, raw, n);
    g_free(raw);
    uint8_t *jpg = NULL, *wm = NULL;
    size_t jl = 0, wl = 0;
    tc_err e = {0};
    assert_int_equal(tc_photo_encode(&im, spec, &jpg, &jl, NULL, &e), 0);
    assert_int_equal(tc_photo_watermark(jpg, jl, spec, &wm, &wl, &e), 0);
    assert_int_equal(tc_photo_sniff(wm, wl), TC_PHOTO_FMT_JPEG);
    double jd, xd;
    tc_photo_jpeg_dpi(wm, wl, &jd, &xd);
    assert_true(fabs(jd - spec->dpi) < 0.5);

    VipsImage *a = NULL, *b = NULL;
    assert_int_equal(vips_jpegload_buffer(jpg, jl, &a, NULL), 0);
    assert_int_equal(vips_jpegload_buffer(wm, wl, &b, NULL), 0);
    assert_int_equal(b->Xsize, spec->width);
    assert_int_equal(b->Ysize, spec->height);
    size_t na, nb;
    uint8_t *pa = vips_image_write_to_memory(a, &na), *pb = vips_image_write_to_memory(b, &nb);
    assert_int_equal(na, nb);
    double changed, mad = mean_abs_diff(pa, pb, na, &changed);
    print_message("watermark: mean |diff| %.2f, %.0f%% of samples changed\n", mad, 100 * changed);
    /* visible, but the photo is still there under it */
    assert_true(mad > 1.5 && mad < 20);
    assert_true(changed > 0.05 && changed < 0.6);
    /* over the whole image: each quarter is marked */
    int W = spec->width, H = spec->height;
    for (int q = 0; q < 4; q++) {
        int x0 = (q & 1) * W / 2, y0 = (q >> 1) * H / 2;
        size_t cnt = 0, tot = 0;
        for (int y = y0; y < y0 + H / 2; y++)
            for (int x = x0; x < x0 + W / 2; x++) {
                size_t i = 3 * ((size_t)y * W + x);
                cnt += abs((int)pa[i] - (int)pb[i]) + abs((int)pa[i + 1] - (int)pb[i + 1]) > 20;
                tot++;
            }
        assert_true(cnt > tot / 50);
    }
    /* the face disc is still recognisable: its mean colour barely moves */
    double ma[3] = {0}, mb[3] = {0};
    size_t fc = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double dx = x - W / 2.0, dy = y - H * 0.45;
            if (dx * dx + dy * dy > (W / 5.0) * (W / 5.0))
                continue;
            for (int c = 0; c < 3; c++) {
                ma[c] += pa[3 * ((size_t)y * W + x) + c];
                mb[c] += pb[3 * ((size_t)y * W + x) + c];
            }
            fc++;
        }
    for (int c = 0; c < 3; c++)
        assert_true(fabs(ma[c] - mb[c]) / fc < 25);
    g_free(pa), g_free(pb);
    g_object_unref(a), g_object_unref(b);

    /* not a JPEG, or a damaged one */
    uint8_t *bad = NULL;
    size_t bl = 0;
    assert_int_equal(tc_photo_watermark((const uint8_t *)"\x89PNG\r\n\x1a\n", 8, spec, &bad, &bl, &e), -1);
    assert_null(bad);
    assert_int_equal(tc_photo_watermark(jpg, jl / 3, spec, &bad, &bl, &e), -1);
    assert_true(!strcmp(e.code, "photo.truncated") || !strcmp(e.code, "photo.corrupt"));
    assert_null(bad);

    free(wm), free(jpg);
    tc_photo_rgb_free(&im);
    g_object_unref(v);
    tc_spec_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_from_exif),
        cmocka_unit_test(test_meta_portrait),
        cmocka_unit_test(test_watermark),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
