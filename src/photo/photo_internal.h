/* Private to src/photo: what the module's files share.  Not an interface. */
#ifndef TC_PHOTO_INTERNAL_H
#define TC_PHOTO_INTERNAL_H

#include <vips/vips.h>

#include "tc_photo.h"

struct tc_photo_src {
    uint8_t *data; /* copy of the upload; the lazy VipsImages point into it */
    size_t len;
    tc_photo_format fmt;
    int width, height; /* upright, full resolution */
    tc_photo_rgb work;
    double work_scale;
    tc_photo_meta meta; /* file evidence, read from the header at decode */
    /* The one full decode, kept so that compose does not decode again:
     * upright sRGB pixels in memory at base_fx x base_fy loaded pixels per
     * full-resolution pixel (the shrink-on-load scale of the work copy).
     * NULL when it would be too large to keep (then compose decodes the
     * file again at the scale it needs).  Owned by the src; when the work
     * copy is this very image, base wraps work.px without copying; after a
     * direct JPEG decode larger than the work copy it wraps base_rgb. */
    VipsImage *base;
    double base_fx, base_fy;
    tc_photo_rgb base_rgb; /* the base's pixels when not work's; {0} else */
};

/* The shrink-on-load (1, 2, 4 or 8: libjpeg's DCT scaling, WebP's scaled
 * decode) for a picture read at no less than min_scale of its full
 * resolution: the one libvips's loaders and the direct JPEG decode use, so
 * that both give the same pixels. */
int photo_load_shrink(double min_scale);

/* Open the source as an upright sRGB 3-band uchar VipsImage read at a
 * reduced scale when the format can do it cheaply (JPEG DCT scaling, WebP
 * scaled decoding), but never below min_scale of the full resolution.
 * *fx, *fy: loaded pixels per full-resolution pixel.  *out is the caller's
 * reference (g_object_unref). */
int photo_open(const tc_photo_src *s, double min_scale, VipsAccess access, VipsImage **out, double *fx,
               double *fy, tc_err *e);

/* The upright source for compose and regions, read at no less than
 * min_scale of the full resolution: the decode kept by tc_photo_decode when
 * it is fine enough, else a new decode (random access).  *out is a new
 * reference for the caller (g_object_unref); *fx, *fy as photo_open. */
int photo_pixels(const tc_photo_src *s, double min_scale, VipsImage **out, double *fx, double *fy, tc_err *e);

/* Fill *m from the header image of the upload (its EXIF blob, ICC
 * presence) and the orientation found there.  Never fails: what cannot be
 * read is left "" / 0. */
void photo_meta_read(VipsImage *hdr, int orientation, tc_photo_meta *m);

/* Turn the pending libvips error into a tc_err: "truncated" when the message
 * says the data ended early, otherwise fallback_code. */
int photo_vips_error(tc_err *e, const char *fallback_code, const char *what);

/* Copy a 3-band uchar image into a tc_photo_rgb (px malloc'ed). */
int photo_rgb_from_vips(VipsImage *im, tc_photo_rgb *out, tc_err *e);
/* Wrap a tc_photo_rgb as a VipsImage (pixels copied). */
VipsImage *photo_vips_from_rgb(const tc_photo_rgb *im);

/* A 3-component JPEG decoded to 8-bit RGB straight through libjpeg
 * (tc_photo_jpeg.c): the pixels libvips's jpegload gives with the same
 * shrink (1, 2, 4 or 8: libjpeg's DCT scaling), then vips_autorot's turn
 * for EXIF orientation (1-8), without libvips's pipeline; out->px
 * malloc'ed (caller's, tc_photo_rgb_free), out's size upright.  Any libjpeg
 * warning fails it.  Codes: photo.truncated, photo.encode. */
int photo_jpeg_decode_rgb(const uint8_t *jpeg, size_t len, int shrink, int orientation, tc_photo_rgb *out,
                          tc_err *e);
/* photo_jpeg_decode_rgb refuses to decode more pixels than this (after the
 * shrink), before it allocates (docs/SECURITY.md): a 12 MP phone photo at
 * 1/2 is 3 MP, and the other callers stay far below (the spec's size). */
#define PHOTO_JPEG_MAX_PIXELS 16000000u

/* sRGB 8-bit -> CIE Lab (D65), for ΔE. */
double photo_delta_e76(const double a[3], const double b[3]);

/* One JPEG at quality q (optimised Huffman tables when optimize), the DPI in
 * JFIF and EXIF, no other metadata; *out malloc'ed (caller's). */
int photo_jpeg_save(VipsImage *im, int q, int optimize, double dpi, uint8_t **out, size_t *len, tc_err *e);
/* The same bytes as photo_jpeg_save of im (4:4:4, JFIF 1.02 and libvips's
 * EXIF with the resolution) straight through libjpeg (tc_photo_jpeg.c),
 * without libvips's pipeline.  dpi > 0. */
int photo_jpeg_save_rgb(const tc_photo_rgb *im, int q, int optimize, double dpi, uint8_t **out, size_t *len,
                        tc_err *e);

/* Matting of the edge (tc_photo_matte.c).  The trimap's classes: */
enum { PHOTO_TRI_BG = 0, PHOTO_TRI_FG = 1, PHOTO_TRI_UNKNOWN = 2 };

/* Closed-form matting (Levin, Lischinski & Weiss 2008) of the pixels that
 * cls[] (w*h) calls unknown: alpha (w*h, in/out) holds the known pixels' 0
 * or 1 and the unknown pixels' prior; lambda (w*h) the weight of the prior
 * per pixel (> 0).  At most max_iter conjugate-gradient steps; *iters_out
 * (may be NULL) the number taken.  rgb: w*h*3 sRGB.  Allocates and frees
 * its own work memory; -1 when out of memory (alpha then unchanged). */
int photo_matte_solve(const uint8_t *rgb, int w, int h, const uint8_t *cls, const float *lambda, float *alpha,
                      int max_iter, int *iters_out);

/* Foreground colour (Germer et al. 2020, multi-level): F (w*h*3, 0..1,
 * the caller's, every pixel written) such that rgb = alpha F + (1 - alpha)
 * B with F and B smooth where alpha is; outside the band (alpha 0 or 1) F
 * is the pixel.  -1 when out of memory (F then undefined). */
int photo_foreground(const uint8_t *rgb, const float *alpha, int w, int h, float *F);

#endif
