/* Photo decode: sniffing, limits, hostile files, orientation, colour
 * management, alpha, HEIC, work copy and full-resolution regions.  Inputs
 * are generated here with libvips so that the tests run without the
 * portraits; the portraits add a few real-file checks when present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libheif/heif.h>
#include <vips/vips.h>

#include "photo/tc_photo.h"

/* libx265 (behind libheif's HEIC encoder, used here only to make test
 * inputs) keeps a few small allocations until exit. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libx265\nleak:x265_\n";
}

/* A w x h test card: grey, with a red square in the stored top-left corner
 * and a blue one in the top-right, so orientation can be checked. */
static VipsImage *card(int w, int h)
{
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = px + 3 * ((size_t)y * w + x);
            p[0] = p[1] = p[2] = 128;
            if (x < w / 5 && y < h / 5)
                p[0] = 220, p[1] = 20, p[2] = 20;
            if (x >= w - w / 5 && y < h / 5)
                p[0] = 20, p[1] = 20, p[2] = 220;
        }
    VipsImage *v = vips_image_new_from_memory_copy(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    free(px);
    v->Type = VIPS_INTERPRETATION_sRGB;
    return v;
}

static uint8_t *save(VipsImage *v, const char *fmt, size_t *len)
{
    void *buf = NULL;
    int r;
    if (!strcmp(fmt, "jpeg"))
        r = vips_jpegsave_buffer(v, &buf, len, "Q", 90, NULL);
    else if (!strcmp(fmt, "png"))
        r = vips_pngsave_buffer(v, &buf, len, "compression", 1, NULL);
    else if (!strcmp(fmt, "webp"))
        r = vips_webpsave_buffer(v, &buf, len, "Q", 90, NULL);
    else
        r = vips_heifsave_buffer(v, &buf, len, "Q", 60, "compression",
                                 !strcmp(fmt, "avif") ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1 : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                                 NULL);
    if (r != 0) {
        vips_error_clear();
        return NULL;
    }
    return buf;
}

static const uint8_t *px_at(const tc_photo_rgb *im, int x, int y)
{
    return im->px + 3 * ((size_t)y * im->width + x);
}

static int is_red(const uint8_t *p) { return p[0] > 170 && p[1] < 80 && p[2] < 80; }
static int is_blue(const uint8_t *p) { return p[2] > 170 && p[0] < 80 && p[1] < 80; }

static int setup(void **state)
{
    (void)state;
    tc_err e = {0};
    return tc_photo_startup("test_photo_decode", &e);
}

static void test_sniff(void **state)
{
    (void)state;
    assert_int_equal(tc_photo_sniff("\xFF\xD8\xFF\xE0", 4), TC_PHOTO_FMT_JPEG);
    assert_int_equal(tc_photo_sniff("\x89PNG\r\n\x1a\n", 8), TC_PHOTO_FMT_PNG);
    assert_int_equal(tc_photo_sniff("RIFF\0\0\0\0WEBPVP8 ", 16), TC_PHOTO_FMT_WEBP);
    assert_int_equal(tc_photo_sniff("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24), TC_PHOTO_FMT_HEIF);
    assert_int_equal(tc_photo_sniff("\0\0\0\x1c" "ftypavif\0\0\0\0avifmif1miaf", 28), TC_PHOTO_FMT_AVIF);
    assert_int_equal(tc_photo_sniff("\0\0\0\x18" "ftypmif1\0\0\0\0mif1avif", 24), TC_PHOTO_FMT_AVIF);
    assert_int_equal(tc_photo_sniff("\0\0\0\x14" "ftypmp42\0\0\0\0mp42", 20), TC_PHOTO_FMT_UNKNOWN); /* a video */
    assert_int_equal(tc_photo_sniff("GIF89a", 6), TC_PHOTO_FMT_UNKNOWN);
    assert_int_equal(tc_photo_sniff("\xFF\xD8", 2), TC_PHOTO_FMT_UNKNOWN);
    assert_int_equal(tc_photo_sniff(NULL, 0), TC_PHOTO_FMT_UNKNOWN);
    assert_string_equal(tc_photo_format_name(TC_PHOTO_FMT_HEIF), "heif");
}

static void expect_fail(const void *data, size_t len, const tc_photo_limits *lim, const char *code)
{
    tc_photo_src *s = (tc_photo_src *)1;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(data, len, lim, &s, &e), -1);
    assert_null(s);
    print_message("%s -> %s: %s / %s\n", code, e.code, e.zh, e.en);
    assert_string_equal(e.code, code);
    assert_true(e.zh[0] && e.en[0]);
}

static void test_hostile(void **state)
{
    (void)state;
    const char text[] = "this is not a photo, just a text file named photo.jpg\n";
    expect_fail(text, sizeof text - 1, NULL, "photo.unsupported_format");
    expect_fail("", 0, NULL, "photo.empty");

    /* truncated JPEG, PNG and WebP: every pixel is decoded, so they fail */
    VipsImage *v = card(640, 480);
    const char *fmts[] = {"jpeg", "png", "webp"};
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *b = save(v, fmts[i], &len);
        assert_non_null(b);
        print_message("%s: %zu bytes, cut to %zu\n", fmts[i], len, len * 6 / 10);
        tc_photo_src *s = NULL;
        tc_err e = {0};
        int r = tc_photo_decode(b, len * 6 / 10, NULL, &s, &e);
        assert_int_equal(r, -1);
        print_message("  -> %s %s\n", e.code, e.en);
        assert_true(!strcmp(e.code, "photo.truncated"));
        /* a JPEG cut just after its header */
        if (i == 0)
            expect_fail(b, 300, NULL, "photo.truncated");
        /* garbage in the middle: refused, never a crash */
        memset(b + len / 2, 0x5A, len / 8);
        r = tc_photo_decode(b, len, NULL, &s, &e);
        if (r == 0)
            tc_photo_src_free(s);
        else
            assert_true(!strcmp(e.code, "photo.corrupt") || !strcmp(e.code, "photo.truncated"));
        g_free(b);
    }

    /* too many bytes */
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    assert_int_equal(lim.max_bytes, 20u << 20);
    size_t len;
    uint8_t *b = save(v, "png", &len);
    lim.max_bytes = len - 1;
    expect_fail(b, len, &lim, "photo.too_large");
    /* too many pixels, refused from the header */
    tc_photo_limits_default(&lim);
    lim.max_pixels = 640 * 480 - 1;
    expect_fail(b, len, &lim, "photo.too_large");
    g_free(b);
    g_object_unref(v);
}

/* A real 30000 x 30000 PNG (900 megapixels of zeros, under 1 MB): refused
 * from its header in milliseconds, never decoded. */
static void test_png_bomb(void **state)
{
    (void)state;
    VipsImage *black = NULL;
    assert_int_equal(vips_black(&black, 30000, 30000, NULL), 0);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(vips_pngsave_buffer(black, &buf, &len, "compression", 9, NULL), 0);
    g_object_unref(black);
    print_message("bomb: %zu bytes\n", len);
    int64_t t0 = tc_now_ms();
    expect_fail(buf, len, NULL, "photo.too_large");
    assert_true(tc_now_ms() - t0 < 1000);
    g_free(buf);
}

static void test_formats_and_orientation(void **state)
{
    (void)state;
    VipsImage *v = card(600, 400);
    const char *fmts[] = {"jpeg", "png", "webp", "heif", "avif"};
    for (int i = 0; i < 5; i++) {
        size_t len;
        uint8_t *b = save(v, fmts[i], &len);
        if (!b) {
            print_message("%s: this libvips/libheif cannot encode it; decode of %s not tested\n", fmts[i], fmts[i]);
            continue;
        }
        tc_photo_src *s = NULL;
        tc_err e = {0};
        assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
        assert_int_equal(tc_photo_src_width(s), 600);
        assert_int_equal(tc_photo_src_height(s), 400);
        const tc_photo_rgb *w = tc_photo_src_work(s);
        assert_true(is_red(px_at(w, 10, 10)));
        assert_true(is_blue(px_at(w, w->width - 10, 10)));
        print_message("%s (%s): ok\n", fmts[i], tc_photo_format_name(tc_photo_src_format(s)));
        tc_photo_src_free(s);
        g_free(b);
    }

    /* EXIF orientation 6: stored sideways, shown turned 90° clockwise; the
     * stored top-left (red) is then the top-right. */
    VipsImage *o = NULL;
    assert_int_equal(vips_copy(v, &o, NULL), 0);
    vips_image_set_int(o, VIPS_META_ORIENTATION, 6);
    size_t len;
    uint8_t *b = save(o, "jpeg", &len);
    g_object_unref(o);
    tc_photo_src *s = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
    assert_int_equal(tc_photo_src_width(s), 400);
    assert_int_equal(tc_photo_src_height(s), 600);
    const tc_photo_rgb *w = tc_photo_src_work(s);
    assert_int_equal(w->width, 400);
    assert_true(is_red(px_at(w, w->width - 10, 10)));
    assert_true(is_blue(px_at(w, w->width - 10, w->height - 10)));
    /* full-resolution region, upright too */
    tc_photo_rgb r;
    assert_int_equal(tc_photo_src_region(s, 350, 0, 100, 50, &r, &e), 0);
    assert_int_equal(r.width, 50); /* clipped at the right edge */
    assert_true(is_red(px_at(&r, 40, 10)));
    tc_photo_rgb_free(&r);
    assert_int_equal(tc_photo_src_region(s, 500, 0, 10, 10, &r, &e), -1);
    assert_string_equal(e.code, "photo.bad_region");
    tc_photo_src_free(s);
    g_free(b);

    /* the same through HEIC, when this libheif can write it */
    b = save(v, "heif", &len);
    if (b) {
        assert_int_equal(tc_photo_sniff(b, len), TC_PHOTO_FMT_HEIF);
        g_free(b);
    } else {
        print_message("HEIC encoder absent: HEIC upright check skipped\n");
    }
    g_object_unref(v);
}

/* Display P3 pixels with their profile come back as the same colour in
 * sRGB; RGBA is laid on white; 16-bit and grey become 8-bit RGB. */
static void test_colour(void **state)
{
    (void)state;
    uint8_t px[64 * 64 * 4];
    for (int i = 0; i < 64 * 64; i++) {
        px[4 * i] = 200, px[4 * i + 1] = 30, px[4 * i + 2] = 30;
        px[4 * i + 3] = (i % 64) < 32 ? 255 : 0; /* right half transparent */
    }
    VipsImage *rgba = vips_image_new_from_memory_copy(px, sizeof px, 64, 64, 4, VIPS_FORMAT_UCHAR);
    rgba->Type = VIPS_INTERPRETATION_sRGB;
    VipsImage *rgb = NULL, *p3 = NULL;
    assert_int_equal(vips_extract_band(rgba, &rgb, 0, "n", 3, NULL), 0);
    assert_int_equal(vips_icc_transform(rgb, &p3, "p3", "input_profile", "srgb", "embedded", FALSE, NULL), 0);
    size_t len;
    uint8_t *b = save(p3, "png", &len);
    tc_photo_src *s = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
    const uint8_t *q = px_at(tc_photo_src_work(s), 5, 5);
    print_message("P3 round trip: (%d,%d,%d)\n", q[0], q[1], q[2]);
    assert_true(abs(q[0] - 200) <= 3 && abs(q[1] - 30) <= 3 && abs(q[2] - 30) <= 3);
    tc_photo_src_free(s);
    g_free(b);

    b = save(rgba, "png", &len);
    assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
    q = px_at(tc_photo_src_work(s), 50, 5);
    assert_true(q[0] == 255 && q[1] == 255 && q[2] == 255);
    q = px_at(tc_photo_src_work(s), 5, 5);
    assert_true(q[0] == 200 && q[1] == 30);
    tc_photo_src_free(s);
    g_free(b);

    VipsImage *grey16 = NULL, *g16 = NULL;
    assert_int_equal(vips_colourspace(rgb, &grey16, VIPS_INTERPRETATION_GREY16, NULL), 0);
    assert_int_equal(vips_copy(grey16, &g16, NULL), 0);
    b = save(g16, "png", &len);
    assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
    q = px_at(tc_photo_src_work(s), 5, 5);
    assert_true(q[0] == q[1] && q[1] == q[2]);
    tc_photo_src_free(s);
    g_free(b);
    g_object_unref(grey16);
    g_object_unref(g16);
    g_object_unref(p3);
    g_object_unref(rgb);
    g_object_unref(rgba);
}

static void test_work_copy(void **state)
{
    (void)state;
    VipsImage *v = card(3000, 4000);
    size_t len;
    uint8_t *b = save(v, "jpeg", &len);
    g_object_unref(v);
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    lim.work_side = 1024;
    tc_photo_src *s = NULL;
    tc_err e = {0};
    int64_t t0 = tc_now_ms();
    assert_int_equal(tc_photo_decode(b, len, &lim, &s, &e), 0);
    print_message("12 MP JPEG decoded to its work copy in %lld ms (sanitizer build)\n", (long long)(tc_now_ms() - t0));
    const tc_photo_rgb *w = tc_photo_src_work(s);
    assert_int_equal(w->height, 1024);
    assert_int_equal(w->width, 768);
    assert_true(fabs(tc_photo_src_work_scale(s) - 0.256) < 0.001);
    assert_true(is_red(px_at(w, 20, 20)));
    tc_photo_rgb r;
    assert_int_equal(tc_photo_src_region(s, 2990, 0, 10, 10, &r, &e), 0);
    assert_true(is_blue(px_at(&r, 5, 5)));
    tc_photo_rgb_free(&r);
    tc_photo_src_free(s);
    g_free(b);
}

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

static void test_portrait_files(void **state)
{
    (void)state;
    struct {
        const char *file;
        tc_photo_format fmt;
        int w, h;
    } cases[] = {
        {"live_selfie_exif_rotated.jpg", TC_PHOTO_FMT_JPEG, 0, 0}, /* stored sideways, orientation 6 */
        {"woman_street_bg.webp", TC_PHOTO_FMT_WEBP, 0, 0},
        {"child_headband_room.png", TC_PHOTO_FMT_PNG, 0, 0},
        {"woman_plain_grey_bg.jpg", TC_PHOTO_FMT_JPEG, 512, 715},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = portrait(cases[i].file);
        if (!p) {
            print_message("portraits absent (TC_TESTDATA unset and ../shared/testdata missing)\n");
            skip();
        }
        char *data;
        size_t len;
        tc_err e = {0};
        assert_int_equal(tc_file_read(p, 50 << 20, &data, &len, &e), 0);
        tc_photo_src *s = NULL;
        assert_int_equal(tc_photo_decode(data, len, NULL, &s, &e), 0);
        assert_int_equal(tc_photo_src_format(s), cases[i].fmt);
        if (cases[i].w)
            assert_int_equal(tc_photo_src_width(s), cases[i].w);
        if (i == 0) {
            /* upright: the stored image is landscape, the person portrait */
            VipsImage *raw = NULL;
            assert_int_equal(vips_jpegload_buffer(data, len, &raw, NULL), 0);
            assert_true(raw->Xsize > raw->Ysize);
            assert_true(tc_photo_src_height(s) > tc_photo_src_width(s));
            g_object_unref(raw);
            /* and HEIC made from it, carrying the orientation, if possible */
            VipsImage *up = NULL;
            assert_int_equal(vips_jpegload_buffer(data, len, &raw, NULL), 0);
            assert_int_equal(vips_autorot(raw, &up, NULL), 0);
            void *hb = NULL;
            size_t hl = 0;
            if (vips_heifsave_buffer(up, &hb, &hl, "Q", 50, NULL) == 0) {
                tc_photo_src *h = NULL;
                assert_int_equal(tc_photo_decode(hb, hl, NULL, &h, &e), 0);
                assert_int_equal(tc_photo_src_format(h), TC_PHOTO_FMT_HEIF);
                assert_int_equal(tc_photo_src_width(h), tc_photo_src_width(s));
                assert_int_equal(tc_photo_src_height(h), tc_photo_src_height(s));
                tc_photo_src_free(h);
                g_free(hb);
            } else {
                vips_error_clear();
                print_message("HEIC encoder absent: HEIC portrait check skipped\n");
            }
            g_object_unref(raw);
            g_object_unref(up);
        }
        print_message("%s: %dx%d %s\n", cases[i].file, tc_photo_src_width(s), tc_photo_src_height(s),
                      tc_photo_format_name(tc_photo_src_format(s)));
        tc_photo_src_free(s);
        free(data);
        free(p);
    }
}

/* ---- HEIC stored rotated ---------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t n;
} membuf;

static struct heif_error heif_mem_write(struct heif_context *ctx, const void *data, size_t size, void *ud)
{
    (void)ctx;
    membuf *m = ud;
    struct heif_error ok = {heif_error_Ok, heif_suberror_Unspecified, "ok"};
    m->p = realloc(m->p, size);
    memcpy(m->p, data, size);
    m->n = size;
    return ok;
}

/* Encode a packed RGB image as HEIC whose pixels are stored as given and
 * whose irot/imir boxes say how to show them (what a phone writes).  NULL
 * when this libheif has no HEVC encoder. */
static uint8_t *heic_oriented(VipsImage *v, int orientation, size_t *len)
{
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(v, &n);
    int w = v->Xsize, h = v->Ysize;
    struct heif_context *ctx = heif_context_alloc();
    struct heif_encoder *enc = NULL;
    struct heif_image *img = NULL;
    uint8_t *out = NULL;
    if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc).code != heif_error_Ok)
        goto done;
    heif_encoder_set_lossy_quality(enc, 80);
    if (heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img).code != heif_error_Ok ||
        heif_image_add_plane(img, heif_channel_interleaved, w, h, 8).code != heif_error_Ok)
        goto done;
    int stride = 0;
    uint8_t *dst = heif_image_get_plane(img, heif_channel_interleaved, &stride);
    for (int y = 0; y < h; y++)
        memcpy(dst + (size_t)y * stride, px + (size_t)y * w * 3, (size_t)w * 3);
    struct heif_encoding_options *opt = heif_encoding_options_alloc();
    opt->image_orientation = (enum heif_orientation)orientation;
    struct heif_error err = heif_context_encode_image(ctx, img, enc, opt, NULL);
    heif_encoding_options_free(opt);
    if (err.code != heif_error_Ok)
        goto done;
    membuf m = {0};
    struct heif_writer wr = {1, heif_mem_write};
    if (heif_context_write(ctx, &wr, &m).code == heif_error_Ok) {
        out = m.p;
        *len = m.n;
    } else {
        free(m.p);
    }
done:
    if (img)
        heif_image_release(img);
    if (enc)
        heif_encoder_release(enc);
    heif_context_free(ctx);
    g_free(px);
    return out;
}

/* A portrait taken with the phone turned: stored as a landscape 600x400
 * with irot saying "turn 90 degrees clockwise to show" (orientation 6).
 * It must come out as the upright 400x600 portrait, work copy and full
 * resolution regions alike. */
static void test_heic_rotated(void **state)
{
    (void)state;
    VipsImage *v = card(600, 400);
    size_t len = 0;
    uint8_t *b = heic_oriented(v, 6, &len);
    g_object_unref(v);
    if (!b) {
        print_message("HEVC encoder absent: rotated HEIC check skipped\n");
        skip();
    }
    assert_true(memmem(b, len, "irot", 4) != NULL);
    assert_int_equal(tc_photo_sniff(b, len), TC_PHOTO_FMT_HEIF);
    tc_photo_src *s = NULL;
    tc_err e = {0};
    assert_int_equal(tc_photo_decode(b, len, NULL, &s, &e), 0);
    assert_int_equal(tc_photo_src_width(s), 400);
    assert_int_equal(tc_photo_src_height(s), 600);
    const tc_photo_rgb *w = tc_photo_src_work(s);
    assert_int_equal(w->width, 400);
    assert_int_equal(w->height, 600);
    /* stored top-left (red) is shown top-right, stored top-right (blue)
     * bottom-right */
    assert_true(is_red(px_at(w, w->width - 10, 10)));
    assert_true(is_blue(px_at(w, w->width - 10, w->height - 10)));
    assert_false(is_red(px_at(w, 10, 10)));
    tc_photo_meta m;
    tc_photo_src_meta(s, &m);
    assert_int_equal(m.orientation, 1); /* irot was applied by the decoder, nothing left to do */
    tc_photo_rgb r;
    assert_int_equal(tc_photo_src_region(s, 300, 0, 100, 60, &r, &e), 0);
    assert_true(is_red(px_at(&r, 90, 10)));
    tc_photo_rgb_free(&r);
    tc_photo_src_free(s);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),      cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_png_bomb),   cmocka_unit_test(test_formats_and_orientation),
        cmocka_unit_test(test_colour),     cmocka_unit_test(test_work_copy),
        cmocka_unit_test(test_portrait_files), cmocka_unit_test(test_heic_rotated),
    };
    int r = cmocka_run_group_tests(tests, setup, NULL);
    vips_shutdown();
    return r;
}
