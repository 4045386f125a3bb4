/*
 * tc_qr — QR codes: making them (batch links printed on posters) and reading
 * them from what students upload (a screenshot or photo of their 学信网
 * 图像采集码).
 *
 * Both functions use libvips, which the program must start once with
 * VIPS_INIT(argv[0]) in main (tests do it in a setup function).  After
 * VIPS_INIT the program should also call vips_block_untrusted_set(TRUE)
 * (present in libvips >= 8.13, so in the 8.14 we build against): it disables
 * the loaders libvips marks as unfuzzed (ImageMagick, PDF, SVG, FITS, ...)
 * for every caller in the process.  tc_qr_decode does not rely on that: it
 * accepts only the JPEG, PNG, WebP and HEIC loaders whatever the global
 * setting is.  Setting vips_cache_set_max(0) is also advisable in a server,
 * so that no cached operation keeps a reference to a request's buffer.
 *
 * Thread-safe: no state is shared between calls.
 *
 * Owns: nothing between calls; an encoded PNG is the caller's (g_free).
 */
#ifndef TC_QR_H
#define TC_QR_H

#include <stddef.h>

#include "../base/tc_base.h"

enum {
    TC_QR_MAX_TEXT = 2048,                 /* bytes of text tc_qr_encode_png accepts        */
    TC_QR_MAX_INPUT = 20 * 1024 * 1024,    /* bytes of an uploaded image                    */
    /* width x height, checked from the header before any pixel is decoded */
    TC_QR_MAX_PIXELS = 50 * 1000 * 1000,      /* JPEG, WebP (shrink-on-load: cheap when big)   */
    TC_QR_MAX_PIXELS_PNG = 16 * 1000 * 1000,  /* PNG: decoded whole; a 5K-display screenshot   */
    TC_QR_MAX_PIXELS_HEIC = 25 * 1000 * 1000, /* HEIC: decoded whole; a 24 MP phone photo      */
    TC_QR_WORK_SIDE = 2000,                /* longer side the image is scaled down to       */
    TC_QR_INVERT_SIDE = 1000,              /* white-on-black codes looked for from here down */
    TC_QR_MIN_CONTRAST = 24,               /* grey levels between darkest and lightest pixel */
};

/* Encode UTF-8 text (1..TC_QR_MAX_TEXT bytes) as a QR code: error correction
 * level M, 8-bit (byte) mode, no ECI header (the bytes are UTF-8; phone
 * scanners read them as UTF-8 and some choke on an ECI).  scale is pixels per
 * module (1..32), margin is the quiet zone in modules (0..16; the standard
 * asks for 4).  On success *png is a 1-bit greyscale PNG of *len bytes,
 * allocated by glib and owned by the caller, who frees it with g_free().
 * Errors: qr.bad_arg (400), qr.too_long (400: does not fit in a QR code),
 * internal. */
int tc_qr_encode_png(const char *text, int scale, int margin, void **png, size_t *len, tc_err *e);

/* Find and decode the one QR code in an uploaded image (JPEG, PNG, WebP or
 * HEIC).  The image is checked before any pixel is decoded (size <=
 * TC_QR_MAX_INPUT bytes, width x height <= the format's TC_QR_MAX_PIXELS*),
 * decoded sequentially (JPEG and WebP at a reduced size by the decoder,
 * never below TC_QR_WORK_SIDE), turned to 8-bit grey (transparency flattened
 * onto white), scaled so the longer side is <= TC_QR_WORK_SIDE, rotated
 * upright from its EXIF orientation, and scanned with zbar (unless it has
 * less than TC_QR_MIN_CONTRAST: then no code can be in it); if nothing is
 * found it is scanned again at smaller and larger scales, and inverted
 * (white-on-black codes) from TC_QR_INVERT_SIDE down.
 * On success out holds the text, NUL-terminated, valid UTF-8.
 * Errors: qr.not_an_image (415), qr.too_large (413), qr.not_found (422),
 * qr.multiple (422: two or more different codes), qr.bad_content (422: the
 * code holds binary data or more than outsz-1 bytes), internal. */
int tc_qr_decode(const void *img, size_t len, char *out, size_t outsz, tc_err *e);

#endif
