/* Unit tests for src/qr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "qr/tc_qr.h"

static int group_setup(void **state)
{
    (void)state;
    if (VIPS_INIT("test_qr"))
        return -1;
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    vips_shutdown();
    return 0;
}

/* Encode text, then load it as a vips image (caller unrefs). */
static VipsImage *qr_image(const char *text, int scale, int margin)
{
    void *png;
    size_t len;
    tc_err e;
    assert_int_equal(tc_qr_encode_png(text, scale, margin, &png, &len, &e), 0);
    VipsImage *src = vips_image_new_from_buffer(png, len, "", NULL);
    assert_non_null(src);
    VipsImage *mem = vips_image_copy_memory(src); /* detach from png */
    assert_non_null(mem);
    g_object_unref(src);
    g_free(png);
    return mem;
}

static void decode_ok(const void *buf, size_t len, const char *want)
{
    char out[1024];
    tc_err e = {0};
    int rc = tc_qr_decode(buf, len, out, sizeof out, &e);
    if (rc != 0)
        fail_msg("decode failed: %s %s", e.code, e.en);
    assert_string_equal(out, want);
}

static void test_round_trip(void **state)
{
    (void)state;
    char long200[201];
    for (int i = 0; i < 200; i++)
        long200[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz-_"[i % 64];
    long200[200] = 0;
    const char *texts[] = {
        "hello",
        "https://tucai.example.cn/b/Z3K8F7",
        "学信网图像采集码 张三 320102199001011234",
        long200,
        "混合 mixed 文字 ①②③ 😀",
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(texts); i++) {
        void *png;
        size_t len;
        tc_err e;
        assert_int_equal(tc_qr_encode_png(texts[i], 4, 4, &png, &len, &e), 0);
        assert_true(len > 8 && memcmp(png, "\x89PNG", 4) == 0);
        decode_ok(png, len, texts[i]);
        g_free(png);
    }
    /* scale 1, no margin: the decoder's upscaling/quiet-zone tolerance */
    void *png;
    size_t len;
    tc_err e;
    assert_int_equal(tc_qr_encode_png("tiny", 2, 4, &png, &len, &e), 0);
    decode_ok(png, len, "tiny");
    g_free(png);
}

static void test_encode_errors(void **state)
{
    (void)state;
    void *png = (void *)1;
    size_t len;
    tc_err e;
    assert_int_equal(tc_qr_encode_png("", 4, 4, &png, &len, &e), -1);
    assert_string_equal(e.code, "qr.bad_arg");
    assert_null(png);
    assert_int_equal(tc_qr_encode_png("x", 0, 4, &png, &len, &e), -1);
    assert_string_equal(e.code, "qr.bad_arg");
    assert_int_equal(tc_qr_encode_png("x", 4, 99, &png, &len, &e), -1);
    assert_int_equal(tc_qr_encode_png("\xff\xfe", 4, 4, &png, &len, &e), -1);
    assert_string_equal(e.code, "qr.bad_arg");
    char *big = malloc(4000);
    memset(big, 'a', 3999);
    big[3999] = 0;
    assert_int_equal(tc_qr_encode_png(big, 4, 4, &png, &len, &e), -1);
    assert_string_equal(e.code, "qr.too_long");
    big[2047] = 0; /* under our cap, but over a version-40-M code's 2331 bytes? no: fits */
    assert_int_equal(tc_qr_encode_png(big, 1, 4, &png, &len, &e), 0);
    g_free(png);
    free(big);
}

/* A photo of a phone screen, more or less: noisy background, the code
 * scaled by a non-integer factor, placed off centre, turned 90 degrees,
 * saved as a mediocre JPEG. */
static void test_embedded_in_photo(void **state)
{
    (void)state;
    const char *text = "CHSI-TC-7f3a9c1e5b2d4680-学信网";
    VipsImage *q = qr_image(text, 3, 4);
    VipsImage *t[12] = {0};
    assert_int_equal(vips_gaussnoise(&t[0], 2400, 1800, "mean", 140.0, "sigma", 35.0, NULL), 0);
    assert_int_equal(vips_cast_uchar(t[0], &t[1], NULL), 0);
    assert_int_equal(vips_resize(q, &t[2], 2.37, NULL), 0);
    assert_int_equal(vips_insert(t[1], t[2], &t[3], 900, 500, NULL), 0);
    VipsImage *bands[3] = {t[3], t[3], t[3]};
    assert_int_equal(vips_bandjoin(bands, &t[4], 3, NULL), 0);
    assert_int_equal(vips_copy(t[4], &t[5], "interpretation", VIPS_INTERPRETATION_sRGB, NULL), 0);
    assert_int_equal(vips_rot(t[5], &t[6], VIPS_ANGLE_D90, NULL), 0);
    void *jpg;
    size_t len;
    assert_int_equal(vips_jpegsave_buffer(t[6], &jpg, &len, "Q", 70, NULL), 0);
    decode_ok(jpg, len, text);
    g_free(jpg);

    /* same photo with an EXIF orientation tag (6: rotate 90 on display) */
    assert_int_equal(vips_copy(t[5], &t[7], NULL), 0);
    vips_image_set_int(t[7], "orientation", 6);
    assert_int_equal(vips_jpegsave_buffer(t[7], &jpg, &len, "Q", 80, NULL), 0);
    decode_ok(jpg, len, text);
    g_free(jpg);

    /* white-on-black (dark-mode screenshot), as WebP */
    assert_int_equal(vips_invert(t[5], &t[8], NULL), 0);
    assert_int_equal(vips_webpsave_buffer(t[8], &jpg, &len, "Q", 85, NULL), 0);
    decode_ok(jpg, len, text);
    g_free(jpg);

    /* HEIC (iPhone photos), when this libvips/libheif can write one to test with */
    VipsImage *small = NULL; /* HEVC encoding is slow under the sanitizers: keep it small */
    if (vips_type_find("VipsOperation", "heifsave_buffer") && vips_resize(t[5], &small, 0.4, NULL) == 0 &&
        vips_heifsave_buffer(small, &jpg, &len, "Q", 60, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL) ==
            0) {
        decode_ok(jpg, len, text);
        g_free(jpg);
    } else {
        vips_error_clear();
    }
    if (small)
        g_object_unref(small);

    /* two different codes: refused */
    VipsImage *q2 = qr_image("another code entirely", 3, 4);
    assert_int_equal(vips_insert(t[1], q, &t[9], 100, 100, NULL), 0);
    assert_int_equal(vips_insert(t[9], q2, &t[10], 1200, 900, NULL), 0);
    assert_int_equal(vips_pngsave_buffer(t[10], &jpg, &len, NULL), 0);
    char out[256];
    tc_err e;
    assert_int_equal(tc_qr_decode(jpg, len, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.multiple");
    g_free(jpg);

    /* output buffer too small for the text */
    void *png;
    assert_int_equal(vips_pngsave_buffer(q, &png, &len, NULL), 0);
    assert_int_equal(tc_qr_decode(png, len, out, 8, &e), -1);
    assert_string_equal(e.code, "qr.bad_content");
    g_free(png);

    for (size_t i = 0; i < TC_ARRAY_LEN(t); i++)
        if (t[i])
            g_object_unref(t[i]);
    g_object_unref(q);
    g_object_unref(q2);
}

static void test_blank_and_not_image(void **state)
{
    (void)state;
    VipsImage *b;
    assert_int_equal(vips_black(&b, 800, 600, NULL), 0);
    void *png;
    size_t len;
    assert_int_equal(vips_pngsave_buffer(b, &png, &len, NULL), 0);
    char out[256];
    tc_err e;
    assert_int_equal(tc_qr_decode(png, len, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.not_found");
    assert_string_equal(e.zh, "未识别到二维码，请上传清晰完整的学信网图像采集码截图");
    g_free(png);
    g_object_unref(b);

    const char *txt = "姓名,学号\n张三,2019001\n";
    assert_int_equal(tc_qr_decode(txt, strlen(txt), out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.not_an_image");
    assert_int_equal(tc_qr_decode(NULL, 0, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.not_an_image");
    /* an SVG is an image to libvips, but not one we accept */
    const char *svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>";
    assert_int_equal(tc_qr_decode(svg, strlen(svg), out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.not_an_image");
    /* truncated PNG: header fine, pixels missing */
    VipsImage *q = qr_image("truncated", 4, 4);
    assert_int_equal(vips_pngsave_buffer(q, &png, &len, "compression", 0, NULL), 0);
    int rc = tc_qr_decode(png, len / 3, out, sizeof out, &e);
    assert_int_equal(rc, -1);
    g_free(png);
    g_object_unref(q);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static const unsigned char empty_zlib[] = {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
enum { HEADER_PNG_LEN = 8 + 25 + 12 + sizeof empty_zlib + 12 };

/* A PNG whose header claims w x h grey pixels but carries no pixel data. */
static void header_png(unsigned char png[HEADER_PNG_LEN], uint32_t w, uint32_t h)
{
    static const unsigned char *z = empty_zlib;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    unsigned char *c = png + 8;
    put32(c, 13);
    memcpy(c + 4, "IHDR", 4);
    put32(c + 8, w);
    put32(c + 12, h);
    c[16] = 8; /* bit depth */
    c[17] = 0; /* grey */
    c[18] = c[19] = c[20] = 0;
    put32(c + 21, crc32_of(c + 4, 17));
    unsigned char *d = c + 25; /* a token IDAT: some decoders want one before IEND */
    put32(d, sizeof empty_zlib);
    memcpy(d + 4, "IDAT", 4);
    memcpy(d + 8, z, sizeof empty_zlib);
    put32(d + 8 + sizeof empty_zlib, crc32_of(d + 4, 4 + sizeof empty_zlib));
    unsigned char *end = d + 12 + sizeof empty_zlib;
    put32(end, 0);
    memcpy(end + 4, "IEND", 4);
    put32(end + 8, crc32_of(end + 4, 4));
}

/* A PNG whose header claims 30000 x 30000 pixels must be refused from the
 * header alone; so must a 49-megapixel one (the black PNG) and one
 * just over the PNG cap, which is lower than JPEG's: PNG has no
 * shrink-on-load, every pixel is decoded. */
static void test_huge_header(void **state)
{
    (void)state;
    unsigned char png[HEADER_PNG_LEN];
    header_png(png, 30000, 30000);
    char out[64];
    tc_err e;
    assert_int_equal(tc_qr_decode(png, sizeof png, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.too_large");
    header_png(png, 7000, 7000);
    assert_int_equal(tc_qr_decode(png, sizeof png, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.too_large");
    assert_int_equal(e.status, 413);
    header_png(png, 4001, 4000); /* 16,004,000 pixels */
    assert_int_equal(tc_qr_decode(png, sizeof png, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.too_large");
    header_png(png, 4000, 4000); /* at the cap: decoded (its missing rows read as black or as damage) */
    assert_int_equal(tc_qr_decode(png, sizeof png, out, sizeof out, &e), -1);
    assert_true(strcmp(e.code, "qr.too_large") != 0);

    /* and the byte cap */
    size_t big = (size_t)TC_QR_MAX_INPUT + 1;
    char *junk = calloc(1, big);
    memcpy(junk, png, sizeof png);
    assert_int_equal(tc_qr_decode(junk, big, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.too_large");
    free(junk);
}

/* A big camera JPEG (24 MP, over the PNG cap) is decoded at a reduced size
 * (shrink-on-load) and the code in it, a tenth of the picture's width, is
 * still found; the same picture as one flat colour answers at once. */
static void test_big_photo(void **state)
{
    (void)state;
    const char *text = "https://my.chsi.com.cn/archive/xlcj/CJM-2026-3201-0042-7788";
    VipsImage *q = qr_image(text, 14, 4);
    VipsImage *t[8] = {0};
    assert_int_equal(vips_black(&t[0], 6000, 4000, NULL), 0);
    assert_int_equal(vips_linear1(t[0], &t[1], 1.0, 190.0, NULL), 0);
    assert_int_equal(vips_cast_uchar(t[1], &t[2], NULL), 0);
    assert_int_equal(vips_insert(t[2], q, &t[3], 3100, 1700, NULL), 0);
    void *jpg;
    size_t len;
    assert_int_equal(vips_jpegsave_buffer(t[3], &jpg, &len, "Q", 85, NULL), 0);
    decode_ok(jpg, len, text);
    g_free(jpg);

    assert_int_equal(vips_jpegsave_buffer(t[2], &jpg, &len, "Q", 85, NULL), 0);
    char out[256];
    tc_err e;
    assert_int_equal(tc_qr_decode(jpg, len, out, sizeof out, &e), -1);
    assert_string_equal(e.code, "qr.not_found");
    g_free(jpg);
    for (size_t i = 0; i < TC_ARRAY_LEN(t); i++)
        if (t[i])
            g_object_unref(t[i]);
    g_object_unref(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_embedded_in_photo), cmocka_unit_test(test_blank_and_not_image),
        cmocka_unit_test(test_huge_header),       cmocka_unit_test(test_big_photo),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
