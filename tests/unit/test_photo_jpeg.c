/* tc_photo_jpeg.c: the measuring decode and the plain encode straight
 * through libjpeg give what libvips gives (the same pixels, the same
 * bytes), and a damaged file is an error, not a picture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "photo/photo_internal.h"
#include "photo/tc_photo.h"

/* A textured w x h picture (gradients, a hard edge, pseudo-random noise),
 * so that every coefficient and Huffman table is exercised. */
static tc_photo_rgb card(int w, int h)
{
    tc_photo_rgb im = {w, h, malloc((size_t)w * h * 3)};
    uint32_t s = 12345;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            s = s * 1664525u + 1013904223u;
            uint8_t *p = im.px + 3 * ((size_t)y * w + x);
            int n = (int)(s >> 27) - 16;
            p[0] = (uint8_t)(x * 255 / w);
            p[1] = (uint8_t)(y * 255 / h);
            p[2] = (uint8_t)(x > w / 2 ? 200 + n : 40 + n);
        }
    return im;
}

static VipsImage *wrap(const tc_photo_rgb *im)
{
    return vips_image_new_from_memory(im->px, (size_t)im->width * im->height * 3, im->width, im->height, 3,
                                      VIPS_FORMAT_UCHAR);
}

static int setup(void **state)
{
    (void)state;
    tc_err e = {0};
    return tc_photo_startup("test_photo_jpeg", &e);
}

/* tc_photo_jpeg_plain: vips_jpegsave_buffer's bytes with "strip", at a
 * quality with 4:4:4 (90, 95) and one with 4:2:0 (75), odd sizes too. */
static void test_plain_encode(void **state)
{
    (void)state;
    const int sizes[][2] = {{512, 715}, {257, 131}, {9, 7}};
    const int qs[] = {90, 95, 75};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        tc_photo_rgb im = card(sizes[k][0], sizes[k][1]);
        for (size_t j = 0; j < sizeof qs / sizeof *qs; j++) {
            VipsImage *v = wrap(&im);
            void *vb = NULL;
            size_t vl = 0;
            assert_int_equal(vips_jpegsave_buffer(v, &vb, &vl, "Q", qs[j], "strip", TRUE, NULL), 0);
            g_object_unref(v);
            uint8_t *mb = NULL;
            size_t ml = 0;
            tc_err e = {0};
            assert_int_equal(tc_photo_jpeg_plain(&im, qs[j], &mb, &ml, &e), 0);
            assert_int_equal(ml, vl);
            assert_memory_equal(mb, vb, vl);
            free(mb);
            g_free(vb);
        }
        tc_photo_rgb_free(&im);
    }
}

/* photo_jpeg_save_rgb: photo_jpeg_save's bytes (libvips, its EXIF, the
 * JFIF header added after), for the qualities and both Huffman modes of
 * tc_photo_encode's search, odd sizes, and every whole dpi from 1 to 1200
 * and a few fractional ones (the EXIF's rational is truncated the way
 * libvips truncates it). */
static void test_save_same_bytes(void **state)
{
    (void)state;
    const int sizes[][2] = {{480, 640}, {257, 131}};
    const int qs[] = {95, 57, 20};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        tc_photo_rgb im = card(sizes[k][0], sizes[k][1]);
        VipsImage *v = photo_vips_from_rgb(&im);
        for (size_t j = 0; j < sizeof qs / sizeof *qs; j++)
            for (int opt = 0; opt < 2; opt++) {
                uint8_t *vb = NULL, *mb = NULL;
                size_t vl = 0, ml = 0;
                tc_err e = {0};
                assert_int_equal(photo_jpeg_save(v, qs[j], opt, 300, &vb, &vl, &e), 0);
                assert_int_equal(photo_jpeg_save_rgb(&im, qs[j], opt, 300, &mb, &ml, &e), 0);
                assert_int_equal(ml, vl);
                assert_memory_equal(mb, vb, vl);
                free(vb), free(mb);
            }
        g_object_unref(v);
        tc_photo_rgb_free(&im);
    }
    tc_photo_rgb im = card(16, 8);
    VipsImage *v = photo_vips_from_rgb(&im);
    const double frac[] = {72.5, 95.999, 299.9, 300.4, 350.25, 1e-3 + 600};
    for (int d = 1; d <= 1200 + (int)(sizeof frac / sizeof *frac); d++) {
        double dpi = d <= 1200 ? d : frac[d - 1201];
        uint8_t *vb = NULL, *mb = NULL;
        size_t vl = 0, ml = 0;
        tc_err e = {0};
        assert_int_equal(photo_jpeg_save(v, 90, 0, dpi, &vb, &vl, &e), 0);
        assert_int_equal(photo_jpeg_save_rgb(&im, 90, 0, dpi, &mb, &ml, &e), 0);
        if (ml != vl || memcmp(mb, vb, vl))
            fail_msg("dpi %g: %zu bytes against libvips's %zu, or other bytes", dpi, ml, vl);
        free(vb), free(mb);
    }
    g_object_unref(v);
    tc_photo_rgb_free(&im);
}

/* im saved by libvips as a JPEG of quality q (4:2:0 when sub, else 4:4:4;
 * with dpi in EXIF when dpi > 0) into *jb (g_free), and libvips's decode
 * of it returned (g_free, *dn bytes). */
static void *save_and_load(const tc_photo_rgb *im, int dpi, int q, int sub, void **jb, size_t *jl, size_t *dn)
{
    VipsImage *v = wrap(im), *c = NULL;
    if (dpi > 0) {
        assert_int_equal(vips_copy(v, &c, "xres", dpi / 25.4, "yres", dpi / 25.4, NULL), 0);
        g_object_unref(v);
        v = c;
    }
    assert_int_equal(vips_jpegsave_buffer(v, jb, jl, "Q", q, "subsample_mode",
                                          sub ? VIPS_FOREIGN_SUBSAMPLE_ON : VIPS_FOREIGN_SUBSAMPLE_OFF, NULL),
                     0);
    g_object_unref(v);
    VipsImage *d = NULL;
    assert_int_equal(vips_jpegload_buffer(*jb, *jl, &d, NULL), 0);
    void *dv = vips_image_write_to_memory(d, dn);
    g_object_unref(d);
    return dv;
}

/* photo_jpeg_decode_rgb: the pixels of vips_jpegload_buffer, on a file made
 * as tc_photo_encode makes them (Q95, 4:4:4, resolution in EXIF) and on a
 * 4:2:0 one (upsampling). */
static void test_decode_same_pixels(void **state)
{
    (void)state;
    tc_photo_rgb im = card(480, 640);
    for (int sub = 0; sub < 2; sub++) {
        void *jb = NULL;
        size_t jl = 0, dn = 0;
        void *dv = save_and_load(&im, 300, 95, sub, &jb, &jl, &dn);
        tc_photo_rgb got;
        tc_err e = {0};
        assert_int_equal(photo_jpeg_decode_rgb(jb, jl, 1, 1, &got, &e), 0);
        assert_int_equal(got.width, 480);
        assert_int_equal(got.height, 640);
        assert_int_equal(dn, (size_t)480 * 640 * 3);
        assert_memory_equal(got.px, dv, dn);
        tc_photo_rgb_free(&got);
        g_free(dv);
        g_free(jb);
    }
    tc_photo_rgb_free(&im);
}

/* tc_photo_decode of a plain JPEG upload (libjpeg straight, no libvips
 * pipeline): the work copy holds libvips's decoded pixels, 4:2:0 (a phone's
 * file) and 4:4:4. */
static void test_upload_same_pixels(void **state)
{
    (void)state;
    tc_photo_rgb im = card(640, 480);
    for (int sub = 0; sub < 2; sub++) {
        void *jb = NULL;
        size_t jl = 0, dn = 0;
        void *dv = save_and_load(&im, 0, 85, sub, &jb, &jl, &dn);
        tc_photo_src *src = NULL;
        tc_err e = {0};
        assert_int_equal(tc_photo_decode(jb, jl, NULL, &src, &e), 0);
        const tc_photo_rgb *w = tc_photo_src_work(src);
        assert_int_equal(w->width, 640);
        assert_int_equal(w->height, 480);
        assert_int_equal(dn, (size_t)640 * 480 * 3);
        assert_memory_equal(w->px, dv, dn);
        tc_photo_src_free(src);
        g_free(dv);
        g_free(jb);
    }
    tc_photo_rgb_free(&im);
}

/* What libvips's own path gives for a JPEG upload: loaded at shrink, turned
 * by vips_autorot, resized (Lanczos 3) to side on the longer edge when
 * larger.  *base: the turned decode; returns the work copy's pixels. */
static void *libvips_way(const void *jb, size_t jl, int shrink, int side, tc_photo_rgb *base, int *ww, int *wh)
{
    VipsImage *l = NULL, *up = NULL, *r = NULL;
    assert_int_equal(vips_jpegload_buffer((void *)jb, jl, &l, "shrink", shrink, NULL), 0);
    assert_int_equal(vips_autorot(l, &up, NULL), 0);
    g_object_unref(l);
    assert_int_equal(photo_rgb_from_vips(up, base, NULL), 0);
    int cur = up->Xsize > up->Ysize ? up->Xsize : up->Ysize;
    if (cur > side)
        assert_int_equal(vips_resize(up, &r, (double)side / cur, "kernel", VIPS_KERNEL_LANCZOS3, NULL), 0);
    else
        r = g_object_ref(up);
    g_object_unref(up);
    size_t n = 0;
    void *p = vips_image_write_to_memory(r, &n);
    *ww = r->Xsize, *wh = r->Ysize;
    g_object_unref(r);
    return p;
}

/* tc_photo_decode of a JPEG stored turned (EXIF orientation 1-8, as phones
 * store them) straight through libjpeg: the upright work copy and the base
 * compose crops from hold libvips's pixels, within the work size and beyond
 * it (read at 1/2 by DCT scaling, then resized). */
static void test_upload_turned_same_pixels(void **state)
{
    (void)state;
    const int sizes[][2] = {{300, 200}, {1500, 1100}};
    for (size_t k = 0; k < 2; k++) {
        tc_photo_rgb im = card(sizes[k][0], sizes[k][1]);
        for (int o = 1; o <= 8; o++) {
            VipsImage *v = wrap(&im);
            vips_image_set_int(v, VIPS_META_ORIENTATION, o);
            void *jb = NULL;
            size_t jl = 0;
            assert_int_equal(vips_jpegsave_buffer(v, &jb, &jl, "Q", 85, NULL), 0);
            g_object_unref(v);
            int side = 512, ww = 0, wh = 0;
            tc_photo_rgb base;
            void *want = libvips_way(jb, jl, k ? 2 : 1, side, &base, &ww, &wh);
            tc_photo_limits lim;
            tc_photo_limits_default(&lim);
            lim.work_side = side;
            tc_photo_src *src = NULL;
            tc_err e = {0};
            assert_int_equal(tc_photo_decode(jb, jl, &lim, &src, &e), 0);
            int tr = o >= 5;
            assert_int_equal(tc_photo_src_width(src), tr ? sizes[k][1] : sizes[k][0]);
            const tc_photo_rgb *w = tc_photo_src_work(src);
            assert_int_equal(w->width, ww);
            assert_int_equal(w->height, wh);
            assert_memory_equal(w->px, want, (size_t)ww * wh * 3);
            VipsImage *b = NULL;
            double fx, fy;
            assert_int_equal(photo_pixels(src, 0.5, &b, &fx, &fy, &e), 0);
            assert_true(fx == (double)base.width / tc_photo_src_width(src));
            tc_photo_rgb got;
            assert_int_equal(photo_rgb_from_vips(b, &got, NULL), 0);
            g_object_unref(b);
            assert_int_equal(got.width, base.width);
            assert_int_equal(got.height, base.height);
            assert_memory_equal(got.px, base.px, (size_t)base.width * base.height * 3);
            tc_photo_rgb_free(&got);
            tc_photo_rgb_free(&base);
            tc_photo_src_free(src);
            g_free(want);
            g_free(jb);
        }
        tc_photo_rgb_free(&im);
    }
}

/* Cut short: photo.truncated; not a JPEG: photo.encode; nothing leaks. */
static void test_decode_damaged(void **state)
{
    (void)state;
    tc_photo_rgb im = card(64, 48);
    uint8_t *jb = NULL;
    size_t jl = 0;
    tc_err e = {0};
    assert_int_equal(tc_photo_jpeg_plain(&im, 90, &jb, &jl, &e), 0);
    tc_photo_rgb got;
    assert_int_not_equal(photo_jpeg_decode_rgb(jb, jl / 2, 1, 1, &got, &e), 0);
    assert_string_equal(e.code, "photo.truncated");
    assert_null(got.px);
    memset(&e, 0, sizeof e);
    static const uint8_t junk[] = "\xFF\xD8\xFF\xE0 not a jpeg at all, only its first bytes";
    assert_int_not_equal(photo_jpeg_decode_rgb(junk, sizeof junk, 1, 1, &got, &e), 0);
    assert_string_equal(e.code, "photo.encode");
    assert_null(got.px);
    free(jb);
    tc_photo_rgb_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_encode),
        cmocka_unit_test(test_save_same_bytes),
        cmocka_unit_test(test_decode_same_pixels),
        cmocka_unit_test(test_upload_same_pixels),
        cmocka_unit_test(test_upload_turned_same_pixels),
        cmocka_unit_test(test_decode_damaged),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
