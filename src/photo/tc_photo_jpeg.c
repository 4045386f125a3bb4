/* JPEG straight through libjpeg for the two cases where libvips's pipeline
 * cost more than the coding itself (issue 15's budget): decoding the photo
 * just made to measure it, and the reviewers' upright original.  On a 2-core
 * VM a 512x715 decode through vips_jpegload_buffer and
 * vips_image_write_to_memory took ~4.9 ms of CPU against ~1.5 ms here, a Q90
 * encode through vips_jpegsave_buffer ~2.7 ms against ~0.9 ms: the pipeline's
 * threads, regions and a context switch per strip.  The same library with
 * the same settings: the pixels decoded and the bytes written are those of
 * libvips (tests/unit/test_photo_jpeg.c compares them). */
#include <setjmp.h>
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
} jerr;

static void on_error(j_common_ptr ci)
{
    jerr *j = (jerr *)ci->err;
    longjmp(j->jump, 1);
}

/* Warnings: only the truncation one is an error (as libvips's fail_on
 * truncated); libjpeg's own output never raises any. */
static void on_message(j_common_ptr ci, int level)
{
    jerr *j = (jerr *)ci->err;
    if (level < 0 && ci->err->msg_code == JWRN_JPEG_EOF)
        j->truncated = 1;
}

int photo_jpeg_decode_rgb(const uint8_t *jpeg, size_t len, tc_photo_rgb *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct ci;
    jerr j;
    ci.err = jpeg_std_error(&j.pub);
    j.pub.error_exit = on_error;
    j.pub.emit_message = on_message;
    j.truncated = 0;
    uint8_t *volatile px = NULL;
    if (setjmp(j.jump)) {
        char msg[JMSG_LENGTH_MAX];
        j.pub.format_message((j_common_ptr)&ci, msg);
        jpeg_destroy_decompress(&ci);
        free(px);
        return tc_err_set(e, TCE_PHOTO_ENCODE, msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, jpeg, (unsigned long)len);
    if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK || ci.num_components != 3) {
        jpeg_destroy_decompress(&ci);
        return tc_err_set(e, TCE_PHOTO_ENCODE, "not a 3-component JPEG");
    }
    ci.out_color_space = JCS_RGB;
    jpeg_start_decompress(&ci);
    size_t stride = (size_t)ci.output_width * 3;
    px = malloc(stride * ci.output_height);
    if (!px) {
        jpeg_destroy_decompress(&ci);
        return tc_err_internal(e, "photo: out of memory");
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = px + stride * ci.output_scanline;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    int w = (int)ci.output_width, h = (int)ci.output_height;
    jpeg_destroy_decompress(&ci);
    if (j.truncated) {
        free(px);
        return tc_err_set(e, TCE_PHOTO_TRUNCATED);
    }
    out->px = px, out->width = w, out->height = h;
    return 0;
}

int tc_photo_jpeg_plain(const tc_photo_rgb *im, int q, uint8_t **out, size_t *len, tc_err *e)
{
    *out = NULL;
    *len = 0;
    struct jpeg_compress_struct ci;
    jerr j;
    ci.err = jpeg_std_error(&j.pub);
    j.pub.error_exit = on_error;
    j.pub.emit_message = on_message;
    /* A buffer no baseline JPEG of these pixels can outgrow (libjpeg-turbo's
     * own bound for 4:4:4: 6 bytes a pixel of the 8-padded image, plus the
     * headers), so libjpeg never reallocates it: ours throughout, also when
     * it jumps out with an error.  Only the pages written become memory. */
    size_t cap = (((size_t)im->width + 7) & ~(size_t)7) * (((size_t)im->height + 7) & ~(size_t)7) * 6 + 2048;
    unsigned char *volatile buf = malloc(cap);
    if (!buf)
        return tc_err_internal(e, "photo: out of memory");
    unsigned char *b = buf;
    unsigned long n = (unsigned long)cap;
    if (setjmp(j.jump)) {
        jpeg_destroy_compress(&ci);
        free(buf);
        return tc_err_internal(e, "photo: jpeg encode");
    }
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &b, &n);
    ci.image_width = (JDIMENSION)im->width, ci.image_height = (JDIMENSION)im->height;
    ci.input_components = 3, ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, q, TRUE);
    /* as vips_jpegsave with strip: no JFIF nor any other marker; 4:4:4 from
     * Q 90 up (its automatic subsampling), 4:2:0 below */
    ci.write_JFIF_header = FALSE;
    if (q >= 90)
        for (int c = 0; c < 3; c++)
            ci.comp_info[c].h_samp_factor = ci.comp_info[c].v_samp_factor = 1;
    jpeg_start_compress(&ci, TRUE);
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
