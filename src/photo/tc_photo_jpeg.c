/* JPEG straight through libjpeg for the two cases where libvips's pipeline
 * cost more than the coding itself (issue 15's budget): decoding the photo
 * just made to measure it, and the reviewers' upright original.  On a 2-core
 * VM a 512x715 decode through vips_jpegload_buffer and
 * vips_image_write_to_memory took ~4.9 ms of CPU against ~1.5 ms here, a Q90
 * encode through vips_jpegsave_buffer ~2.7 ms against ~0.9 ms: the pipeline's
 * threads, regions and a context switch per strip.  An upload's decode
 * when it is a plain JPEG (tc_photo_decode), and the standard photo's
 * encodes (photo_jpeg_save_rgb, ~2.4 ms through libvips) likewise.  The same
 * library with the same settings and the same markers: the pixels decoded
 * and the bytes written are those of libvips (tests/unit/test_photo_jpeg.c
 * compares them). */
#include <assert.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h> /* JWRN_JPEG_EOF */

#include "photo_internal.h"

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int truncated; /* libjpeg's "premature end of data" warning */
    int warned;    /* any warning (corrupt data that libjpeg got past) */
} jerr;

static void on_error(j_common_ptr ci)
{
    jerr *j = (jerr *)ci->err;
    longjmp(j->jump, 1);
}

/* Warnings are errors here: libjpeg's own output never raises any, and an
 * upload that does is left to libvips's decode and its rules. */
static void on_message(j_common_ptr ci, int level)
{
    jerr *j = (jerr *)ci->err;
    if (level < 0) {
        j->warned = 1;
        if (ci->err->msg_code == JWRN_JPEG_EOF)
            j->truncated = 1;
    }
}

/* Where the stored pixel (x, y) of a w x h decode lands in the upright
 * picture for EXIF orientation o (1-8, the TIFF meaning: 6 is "the stored
 * rows are the picture's columns, turned 90 degrees clockwise to view"):
 * the upright index is at + x * dx + y * dy, an affine map because every
 * orientation is a flip and/or a transpose.  *uw: the upright width. */
static void upright_map(int o, int w, int h, long *at, long *dx, long *dy, int *uw)
{
    int tr = o >= 5; /* transposed: the stored rows are upright columns */
    long W = tr ? h : w;
    *uw = (int)W;
    switch (o) {
    case 2: *at = w - 1, *dx = -1, *dy = W; break;
    case 3: *at = (long)(h - 1) * W + w - 1, *dx = -1, *dy = -W; break;
    case 4: *at = (long)(h - 1) * W, *dx = 1, *dy = -W; break;
    case 5: *at = 0, *dx = W, *dy = 1; break;
    case 6: *at = h - 1, *dx = W, *dy = -1; break;
    case 7: *at = (long)(w - 1) * W + h - 1, *dx = -W, *dy = -1; break;
    case 8: *at = (long)(w - 1) * W, *dx = -W, *dy = 1; break;
    default: *at = 0, *dx = 1, *dy = W; break;
    }
}

int photo_jpeg_decode_rgb(const uint8_t *jpeg, size_t len, int shrink, int orientation, tc_photo_rgb *out,
                          tc_err *e)
{
    assert(shrink == 1 || shrink == 2 || shrink == 4 || shrink == 8);
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct ci;
    jerr j;
    ci.err = jpeg_std_error(&j.pub);
    j.pub.error_exit = on_error;
    j.pub.emit_message = on_message;
    j.truncated = j.warned = 0;
    uint8_t *volatile px = NULL, *volatile strip = NULL;
    if (setjmp(j.jump)) {
        char msg[JMSG_LENGTH_MAX];
        j.pub.format_message((j_common_ptr)&ci, msg);
        jpeg_destroy_decompress(&ci);
        free(px);
        free(strip);
        return tc_err_set(e, TCE_PHOTO_ENCODE, msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, jpeg, (unsigned long)len);
    if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK || ci.num_components != 3) {
        jpeg_destroy_decompress(&ci);
        return tc_err_set(e, TCE_PHOTO_ENCODE, "not a 3-component JPEG");
    }
    /* libjpeg's DCT scaling, as libvips's jpegload "shrink" asks for it:
     * each 8x8 block is inverse-transformed straight to 8/shrink pixels. */
    ci.scale_num = 1;
    ci.scale_denom = (unsigned)shrink;
    ci.out_color_space = JCS_RGB;
    jpeg_calc_output_dimensions(&ci);
    /* The callers cap the header's size first (decode: the upload limits;
     * measure: the spec's size); what is allocated here is capped again,
     * before anything is allocated for it (a file is untrusted whoever
     * called). */
    if ((uint64_t)ci.output_width * ci.output_height > PHOTO_JPEG_MAX_PIXELS) {
        jpeg_destroy_decompress(&ci);
        return tc_err_set(e, TCE_PHOTO_ENCODE, "picture too large for the direct decode");
    }
    jpeg_start_decompress(&ci);
    int w = (int)ci.output_width, h = (int)ci.output_height, uw;
    long at, dx, dy;
    upright_map(orientation, w, h, &at, &dx, &dy, &uw);
    size_t stride = (size_t)w * 3;
    px = malloc(stride * h);
    /* Turned pictures are decoded a strip of rows at a time and each strip
     * written to its place: for a quarter turn a stored row becomes an
     * upright column, and a strip of STRIP rows writes that many
     * neighbouring pixels of each upright row, which the cache keeps (a
     * whole second picture to turn afterwards would cost another 9 MB for a
     * phone's photo; strips of 16 rows took 3 ms more than 64 on a 12 MP
     * photo, docs/PERFORMANCE.md, session 25). */
    enum { STRIP = 64 };
    int turned = orientation != 1;
    if (turned)
        strip = malloc(stride * STRIP);
    if (!px || (turned && !strip)) {
        jpeg_destroy_decompress(&ci);
        free(px);
        free(strip);
        return tc_err_internal(e, "photo: out of memory");
    }
    /* jpeg_mem_src never suspends, so every call returns a row (past the
     * data's end libjpeg warns and fills); a call that returns none would
     * loop forever, so it ends the decode as damaged */
    int stalled = 0;
    while (ci.output_scanline < ci.output_height && !stalled) {
        if (!turned) {
            JSAMPROW row = px + stride * ci.output_scanline;
            stalled = jpeg_read_scanlines(&ci, &row, 1) == 0;
            continue;
        }
        int y0 = (int)ci.output_scanline, n = 0;
        while (n < STRIP && ci.output_scanline < ci.output_height && !stalled) {
            JSAMPROW row = strip + stride * n;
            int got = (int)jpeg_read_scanlines(&ci, &row, 1);
            stalled = got == 0;
            n += got;
        }
        if (dx == 1 || dx == -1) { /* rows stay rows */
            for (int y = 0; y < n; y++) {
                const uint8_t *s = strip + stride * y;
                long d = at + (long)(y0 + y) * dy;
                for (int x = 0; x < w; x++, d += dx, s += 3)
                    memcpy(px + 3 * d, s, 3);
            }
        } else { /* rows become columns: down the strip for each column */
            for (int x = 0; x < w; x++) {
                long d = at + x * dx + (long)y0 * dy;
                for (int y = 0; y < n; y++, d += dy)
                    memcpy(px + 3 * d, strip + stride * y + 3 * (size_t)x, 3);
            }
        }
    }
    if (stalled) {
        jpeg_destroy_decompress(&ci);
        free(px);
        free(strip);
        return tc_err_set(e, TCE_PHOTO_ENCODE, "libjpeg returned no row");
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    free(strip);
    if (j.warned) {
        free(px);
        return j.truncated ? tc_err_set(e, TCE_PHOTO_TRUNCATED) : tc_err_set(e, TCE_PHOTO_ENCODE, "libjpeg warning");
    }
    out->px = px, out->width = uw, out->height = (int)((size_t)w * h / uw);
    return 0;
}

/* libvips's EXIF for a photo saved from raw pixels with a resolution
 * (photo_jpeg_save: vips_copy's xres, the ColorSpace tag, libexif's
 * mandatory tags): little-endian TIFF, IFD0 with Orientation 1, X/Y
 * resolution, unit inch, YCbCrPositioning 1 and the Exif IFD (ExifVersion
 * 0210, ComponentsConfiguration YCbCr, FlashpixVersion 0100, ColorSpace
 * sRGB, the pixel size).  The resolution as libvips writes it: the
 * pixels-per-millimetre it keeps times 25.4, times 1000 truncated, over
 * 1000, unless within 1e-4 of libexif's default 72/1, which it then keeps.
 * b: EXIF_LEN bytes, "Exif\0\0" first. */
enum { EXIF_LEN = 186 };

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xFFFF), put16(p + 2, v >> 16); }

static void ifd_entry(uint8_t *p, unsigned tag, unsigned type, uint32_t count, uint32_t value)
{
    put16(p, tag), put16(p + 2, type), put32(p + 4, count), put32(p + 8, value);
}

static void exif_blob(uint8_t b[EXIF_LEN], double dpi, int w, int h)
{
    memset(b, 0, EXIF_LEN);
    memcpy(b, "Exif\0\0II\x2A\0\x08\0\0\0", 14);
    uint8_t *t = b + 6; /* offsets below are the TIFF header's */
    enum { IFD0 = 8, XRES = 0x56, YRES = 0x5E, EXIF_IFD = 0x66 };
    uint8_t *e = t + IFD0;
    put16(e, 6), e += 2;
    ifd_entry(e, 0x0112, 3, 1, 1), e += 12;           /* Orientation */
    ifd_entry(e, 0x011A, 5, 1, XRES), e += 12;        /* XResolution */
    ifd_entry(e, 0x011B, 5, 1, YRES), e += 12;        /* YResolution */
    ifd_entry(e, 0x0128, 3, 1, 2), e += 12;           /* ResolutionUnit: inch */
    ifd_entry(e, 0x0213, 3, 1, 1), e += 12;           /* YCbCrPositioning: centred */
    ifd_entry(e, 0x8769, 4, 1, EXIF_IFD);             /* the Exif IFD; next IFD 0 */
    /* libexif's default is 72/1, and libvips keeps a value within 1e-4 */
    double ppmm = dpi / 25.4, v = ppmm * 25.4;
    uint32_t num = 72, den = 1;
    if (fabs(v - 72) > 0.0001)
        num = (uint32_t)(v * 1000), den = 1000;
    put32(t + XRES, num), put32(t + XRES + 4, den);
    put32(t + YRES, num), put32(t + YRES + 4, den);
    e = t + EXIF_IFD;
    put16(e, 6), e += 2;
    ifd_entry(e, 0x9000, 7, 4, 0), memcpy(e + 8, "0210", 4), e += 12;         /* ExifVersion */
    ifd_entry(e, 0x9101, 7, 4, 0), memcpy(e + 8, "\x01\x02\x03\x00", 4), e += 12; /* ComponentsConfiguration */
    ifd_entry(e, 0xA000, 7, 4, 0), memcpy(e + 8, "0100", 4), e += 12;         /* FlashpixVersion */
    ifd_entry(e, 0xA001, 3, 1, 1), e += 12;                                   /* ColorSpace: sRGB */
    ifd_entry(e, 0xA002, 4, 1, (uint32_t)w), e += 12;                         /* PixelXDimension */
    ifd_entry(e, 0xA003, 4, 1, (uint32_t)h);                                  /* PixelYDimension; next 0 */
}

/* One baseline JPEG of im: quality q, 4:4:4 or libjpeg's 4:2:0, optimised
 * Huffman tables when optimize; a JFIF header with the density dpi and
 * libvips's EXIF when dpi > 0, no marker at all otherwise.  A buffer no
 * baseline JPEG of these pixels can outgrow (libjpeg-turbo's own bound for
 * 4:4:4: 6 bytes a pixel of the 8-padded image, plus the headers) so that
 * libjpeg never reallocates it: ours throughout, also when it jumps out
 * with an error; only the pages written become memory. */
static int encode(const tc_photo_rgb *im, int q, int s444, int optimize, double dpi, uint8_t **out, size_t *len,
                  tc_err *e)
{
    *out = NULL;
    *len = 0;
    struct jpeg_compress_struct ci;
    jerr j;
    ci.err = jpeg_std_error(&j.pub);
    j.pub.error_exit = on_error;
    j.pub.emit_message = on_message;
    size_t cap = (((size_t)im->width + 7) & ~(size_t)7) * (((size_t)im->height + 7) & ~(size_t)7) * 6 + 4096;
    unsigned char *volatile buf = malloc(cap);
    if (!buf)
        return tc_err_internal(e, "photo: out of memory");
    unsigned char *b = buf;
    unsigned long n = (unsigned long)cap;
    if (setjmp(j.jump)) {
        jpeg_destroy_compress(&ci);
        free(buf);
        return tc_err_set(e, TCE_PHOTO_ENCODE, "libjpeg");
    }
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &b, &n);
    ci.image_width = (JDIMENSION)im->width, ci.image_height = (JDIMENSION)im->height;
    ci.input_components = 3, ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, q, TRUE);
    ci.optimize_coding = optimize ? TRUE : FALSE;
    if (s444)
        for (int c = 0; c < 3; c++)
            ci.comp_info[c].h_samp_factor = ci.comp_info[c].v_samp_factor = 1;
    if (dpi > 0) {
        /* add_jfif's header of photo_jpeg_save: JFIF 1.02, dots per inch */
        ci.write_JFIF_header = TRUE;
        ci.JFIF_major_version = 1, ci.JFIF_minor_version = 2;
        ci.density_unit = 1;
        ci.X_density = ci.Y_density = (UINT16)lrint(dpi);
    } else {
        ci.write_JFIF_header = FALSE;
    }
    jpeg_start_compress(&ci, TRUE);
    if (dpi > 0) {
        uint8_t exif[EXIF_LEN];
        exif_blob(exif, dpi, im->width, im->height);
        jpeg_write_marker(&ci, JPEG_APP0 + 1, exif, EXIF_LEN);
    }
    size_t stride = (size_t)im->width * 3;
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = im->px + stride * ci.next_scanline;
        jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    unsigned char *done = b;
    if (done != buf) /* the bound did not hold after all: libjpeg's copy */
        free(buf);
    else if ((done = realloc(buf, n)) == NULL) /* give back the unused tail */
        done = buf;
    *out = done, *len = n;
    return 0;
}

int tc_photo_jpeg_plain(const tc_photo_rgb *im, int q, uint8_t **out, size_t *len, tc_err *e)
{
    /* as vips_jpegsave with strip: no marker; 4:4:4 from Q 90 up (its
     * automatic subsampling), 4:2:0 below */
    return encode(im, q, q >= 90, 0, 0, out, len, e);
}

int photo_jpeg_save_rgb(const tc_photo_rgb *im, int q, int optimize, double dpi, uint8_t **out, size_t *len,
                        tc_err *e)
{
    return encode(im, q, 1, optimize, dpi, out, len, e);
}
