/* tc_qr — see tc_qr.h. */
#include "tc_qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>
#include <zbar.h>

/* ---- encode ------------------------------------------------------------------ */

int tc_qr_encode_png(const char *text, int scale, int margin, void **png, size_t *len, tc_err *e)
{
    *png = NULL;
    *len = 0;
    if (scale < 1 || scale > 32 || margin < 0 || margin > 16)
        return tc_err_set(e, TCE_QR_BAD_ARG);
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || !tc_utf8_valid(text, n))
        return tc_err_set(e, TCE_QR_BAD_ARG_2);
    if (n > TC_QR_MAX_TEXT)
        return tc_err_set(e, TCE_QR_TOO_LONG, TC_QR_MAX_TEXT);
    /* encodeData puts the whole input in one 8-bit segment, which is what we
     * want for UTF-8 (encodeString would pick Kanji mode for Shift-JIS). */
    errno = 0;
    QRcode *qr = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
    if (!qr) {
        if (errno == ERANGE)
            return tc_err_set(e, TCE_QR_TOO_LONG, TC_QR_MAX_TEXT);
        return tc_err_internal(e, "QRcode_encodeData: %s", strerror(errno));
    }
    int side = (qr->width + 2 * margin) * scale;
    unsigned char *pix = malloc((size_t)side * (size_t)side);
    if (!pix)
        abort();
    memset(pix, 255, (size_t)side * (size_t)side);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++) {
            if (!(qr->data[y * qr->width + x] & 1)) /* bit 0 is "dark module" */
                continue;
            for (int dy = 0; dy < scale; dy++) {
                unsigned char *row = pix + (size_t)((y + margin) * scale + dy) * (size_t)side;
                memset(row + (x + margin) * scale, 0, (size_t)scale);
            }
        }
    QRcode_free(qr);
    VipsImage *im = vips_image_new_from_memory(pix, (size_t)side * (size_t)side, side, side, 1, VIPS_FORMAT_UCHAR);
    int rc = -1;
    if (!im) {
        tc_err_internal(e, "vips_image_new_from_memory: %s", vips_error_buffer());
    } else {
        void *buf = NULL;
        size_t blen = 0;
        if (vips_pngsave_buffer(im, &buf, &blen, "bitdepth", 1, "compression", 9, NULL) != 0) {
            tc_err_internal(e, "vips_pngsave_buffer: %s", vips_error_buffer());
        } else {
            *png = buf;
            *len = blen;
            rc = 0;
        }
        g_object_unref(im);
    }
    if (rc != 0)
        vips_error_clear();
    free(pix); /* the vips image pointed at pix, so only now */
    return rc;
}

/* ---- decode ------------------------------------------------------------------- */

static int not_found(tc_err *e)
{
    return tc_err_set(e, TCE_QR_NOT_FOUND);
}

static int not_an_image(tc_err *e)
{
    return tc_err_set(e, TCE_QR_NOT_AN_IMAGE);
}

/* What one zbar pass found: up to two distinct texts are enough to tell
 * "one code" from "several". */
typedef struct {
    int n;
    char *text[2];
    size_t len[2];
} found;

static void found_free(found *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->text[i]);
    f->n = 0;
}

static void scan(const unsigned char *pix, int w, int h, found *f)
{
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    /* BINARY: hand back the code's bytes as they are.  Without it zbar
     * guesses a character set and may "convert" UTF-8 it mistakes for
     * Shift-JIS or Latin-1; we check the bytes are UTF-8 ourselves. */
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    zbar_image_t *zi = zbar_image_create();
    zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(zi, (unsigned)w, (unsigned)h);
    zbar_image_set_data(zi, pix, (unsigned long)w * (unsigned long)h, NULL); /* NULL: zbar does not free it */
    if (zbar_scan_image(sc, zi) > 0) {
        for (const zbar_symbol_t *s = zbar_image_first_symbol(zi); s; s = zbar_symbol_next(s)) {
            if (zbar_symbol_get_type(s) != ZBAR_QRCODE)
                continue;
            const char *d = zbar_symbol_get_data(s);
            size_t n = zbar_symbol_get_data_length(s);
            int dup = 0;
            for (int i = 0; i < f->n; i++)
                dup |= f->len[i] == n && memcmp(f->text[i], d, n) == 0;
            if (dup || f->n == 2)
                continue;
            f->text[f->n] = malloc(n + 1);
            if (!f->text[f->n])
                abort();
            memcpy(f->text[f->n], d, n);
            f->text[f->n][n] = 0;
            f->len[f->n++] = n;
        }
    }
    zbar_image_destroy(zi);
    zbar_image_scanner_destroy(sc);
}

/* 2x2 box filter: smaller scale removes JPEG noise and halftone texture that
 * can hide a code that is large in the frame. */
static unsigned char *half(const unsigned char *p, int w, int h, int *ow, int *oh)
{
    int w2 = w / 2, h2 = h / 2;
    unsigned char *q = malloc((size_t)w2 * (size_t)h2);
    if (!q)
        abort();
    for (int y = 0; y < h2; y++)
        for (int x = 0; x < w2; x++) {
            const unsigned char *a = p + (size_t)(2 * y) * (size_t)w + 2 * x, *b = a + w;
            q[(size_t)y * (size_t)w2 + x] = (unsigned char)((a[0] + a[1] + b[0] + b[1] + 2) / 4);
        }
    *ow = w2;
    *oh = h2;
    return q;
}

/* 2x nearest-neighbour: a code rendered at one or two pixels per module is
 * more reliably located when its modules are bigger. */
static unsigned char *twice(const unsigned char *p, int w, int h, int *ow, int *oh)
{
    int w2 = w * 2, h2 = h * 2;
    unsigned char *q = malloc((size_t)w2 * (size_t)h2);
    if (!q)
        abort();
    for (int y = 0; y < h2; y++)
        for (int x = 0; x < w2; x++)
            q[(size_t)y * (size_t)w2 + x] = p[(size_t)(y / 2) * (size_t)w + x / 2];
    *ow = w2;
    *oh = h2;
    return q;
}

/* Scan normal then inverted.  Returns with f->n > 0 when something was found.
 * White-on-black codes (a dark-mode screen) are looked for only from
 * TC_QR_INVERT_SIDE down: zbar's cost grows with the pixels it scans, and a
 * picture where such a code is so small that only the full size shows it is
 * not worth doubling the cost of every picture that holds no code. */
static void scan_both(unsigned char *pix, int w, int h, found *f)
{
    scan(pix, w, h, f);
    if (f->n || (w > h ? w : h) > TC_QR_INVERT_SIDE)
        return;
    size_t n = (size_t)w * (size_t)h;
    unsigned char *inv = malloc(n);
    if (!inv)
        abort();
    for (size_t i = 0; i < n; i++)
        inv[i] = (unsigned char)(255 - pix[i]);
    scan(inv, w, h, f);
    free(inv);
}

static int is_allowed_loader(const char *name)
{
    static const char *ok[] = {"VipsForeignLoadJpegBuffer", "VipsForeignLoadPngBuffer", "VipsForeignLoadWebpBuffer",
                               "VipsForeignLoadHeifBuffer", "jpegload_buffer",           "pngload_buffer",
                               "webpload_buffer",           "heifload_buffer"};
    for (size_t i = 0; i < TC_ARRAY_LEN(ok); i++)
        if (strcmp(name, ok[i]) == 0)
            return 1;
    return 0;
}

/* The pixel cap for a format, from its loader.  JPEG and WebP decode at a
 * reduced size (shrink-on-load), so what a big one costs grows slowly with
 * its size; PNG and HEIC cannot (HEIC only has a small embedded thumbnail),
 * so a big one costs its whole size in decoding, whatever we keep of it:
 * their caps are what a real screenshot or phone photo needs. */
static uint64_t max_pixels(const char *loader)
{
    if (strstr(loader, "Png") || strstr(loader, "png"))
        return TC_QR_MAX_PIXELS_PNG;
    if (strstr(loader, "Heif") || strstr(loader, "heif"))
        return TC_QR_MAX_PIXELS_HEIC;
    return TC_QR_MAX_PIXELS;
}

static int too_large(tc_err *e, int w, int h, uint64_t cap)
{
    return tc_err_set(e, TCE_QR_TOO_LARGE, w, h, (int)(cap / 1000000));
}

/* Decode to an 8-bit grey, upright, <= TC_QR_WORK_SIDE buffer (g_malloc'ed).
 * The size is read from the header and capped before any pixel is decoded.
 * Then JPEG and WebP are decoded at a reduced size by the decoder itself
 * (libjpeg's DCT scaling, WebP's scaled decode: shrink-on-load), never below
 * TC_QR_WORK_SIDE; every format is turned to one grey band while streaming,
 * before the remaining downscale, so a huge picture is never held whole and
 * costs little more than its file: a QR code needs far fewer pixels than a
 * camera makes. */
static int load_grey(const void *img, size_t len, unsigned char **pix, int *w, int *h, tc_err *e)
{
    const char *loader = vips_foreign_find_load_buffer(img, len);
    if (!loader || !is_allowed_loader(loader)) {
        vips_error_clear();
        return not_an_image(e);
    }
    /* One context owns every intermediate image: unref it and all go. */
    VipsObject *ctx = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(ctx, 12);
    int rc = -1;

    /* Only the header is read here. */
    t[0] = vips_image_new_from_buffer(img, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!t[0]) {
        not_an_image(e);
        goto out;
    }
    int iw = vips_image_get_width(t[0]), ih = vips_image_get_height(t[0]);
    uint64_t cap = max_pixels(loader);
    if (iw <= 0 || ih <= 0 || (uint64_t)iw * (uint64_t)ih > cap) {
        too_large(e, iw, ih, cap);
        goto out;
    }
    int longer = iw > ih ? iw : ih;
    if (longer > TC_QR_WORK_SIDE && (strstr(loader, "Jpeg") || strstr(loader, "jpeg"))) {
        int shrink = 1;
        while (shrink < 8 && longer / (shrink * 2) >= TC_QR_WORK_SIDE)
            shrink *= 2;
        if (shrink > 1 && !(t[1] = vips_image_new_from_buffer(img, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                                              "shrink", shrink, NULL)))
            goto vips_fail;
    } else if (longer > TC_QR_WORK_SIDE && (strstr(loader, "Webp") || strstr(loader, "webp"))) {
        if (!(t[1] = vips_image_new_from_buffer(img, len, "", "access", VIPS_ACCESS_SEQUENTIAL, "scale",
                                                (double)TC_QR_WORK_SIDE / longer, NULL)))
            goto vips_fail;
    }
    VipsImage *x = t[1] ? t[1] : t[0];
    int k = 2;
    if (vips_colourspace_issupported(x)) {
        if (vips_colourspace(x, &t[k], VIPS_INTERPRETATION_B_W, NULL))
            goto vips_fail;
    } else if (vips_extract_band(x, &t[k], 0, NULL)) {
        goto vips_fail;
    }
    x = t[k++];
    if (vips_image_hasalpha(x)) {
        /* transparent screenshots: what is transparent was white on screen */
        double maxv = x->BandFmt == VIPS_FORMAT_USHORT ? 65535.0 : 255.0;
        VipsArrayDouble *bg = vips_array_double_newv(1, maxv);
        int r = vips_flatten(x, &t[k], "background", bg, "max_alpha", maxv, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (r)
            goto vips_fail;
        x = t[k++];
    }
    if (x->Bands > 1) {
        if (vips_extract_band(x, &t[k], 0, NULL))
            goto vips_fail;
        x = t[k++];
    }
    if (x->BandFmt != VIPS_FORMAT_UCHAR) {
        /* 16-bit grey: keep the top byte rather than clipping at 255 */
        if (x->BandFmt == VIPS_FORMAT_USHORT) {
            if (vips_rshift_const1(x, &t[k], 8.0, NULL))
                goto vips_fail;
            x = t[k++];
        }
        if (vips_cast_uchar(x, &t[k], NULL))
            goto vips_fail;
        x = t[k++];
    }
    longer = x->Xsize > x->Ysize ? x->Xsize : x->Ysize;
    if (longer > TC_QR_WORK_SIDE) {
        if (vips_resize(x, &t[k], (double)TC_QR_WORK_SIDE / longer, NULL))
            goto vips_fail;
        x = t[k++];
    }
    /* Rotation needs random access, which a sequential load cannot give: run
     * the pipeline into memory first (the metadata, with the EXIF
     * orientation, comes along), then rotate the small result. */
    if (!(t[k] = vips_image_copy_memory(x)))
        goto vips_fail;
    x = t[k++];
    if (vips_autorot(x, &t[k], NULL))
        goto vips_fail;
    x = t[k++];
    size_t sz;
    unsigned char *mem = vips_image_write_to_memory(x, &sz);
    if (!mem)
        goto vips_fail;
    *w = vips_image_get_width(x);
    *h = vips_image_get_height(x);
    if (sz != (size_t)*w * (size_t)*h) {
        g_free(mem);
        tc_err_internal(e, "unexpected decoded size");
        goto out;
    }
    *pix = mem;
    rc = 0;
    goto out;
vips_fail:
    /* A header that parses but pixels that do not: a damaged file. */
    tc_log(TC_LOG_INFO, "qr decode: %s", vips_error_buffer());
    not_an_image(e);
out:
    vips_error_clear();
    g_object_unref(ctx);
    return rc;
}

int tc_qr_decode(const void *img, size_t len, char *out, size_t outsz, tc_err *e)
{
    if (outsz)
        out[0] = 0;
    if (!img || len == 0)
        return not_an_image(e);
    if (len > TC_QR_MAX_INPUT)
        return tc_err_set(e, TCE_QR_TOO_LARGE_2);
    unsigned char *pix = NULL;
    int w = 0, h = 0;
    if (load_grey(img, len, &pix, &w, &h, e) != 0)
        return -1;

    found f = {0};
    /* A picture without contrast (all black, all white, one colour) holds no
     * code: answer at once rather than scanning it at every scale. */
    unsigned char lo = 255, hi = 0;
    for (size_t i = 0, n = (size_t)w * (size_t)h; i < n; i++) {
        lo = pix[i] < lo ? pix[i] : lo;
        hi = pix[i] > hi ? pix[i] : hi;
    }
    int flat = hi - lo < TC_QR_MIN_CONTRAST;
    if (!flat)
        scan_both(pix, w, h, &f);
    /* Smaller scales: down to about 250 px on the longer side. */
    unsigned char *cur = pix;
    int cw = w, ch = h;
    while (!flat && !f.n && (cw > ch ? cw : ch) >= 500) {
        int nw, nh;
        unsigned char *q = half(cur, cw, ch, &nw, &nh);
        if (cur != pix)
            free(cur);
        cur = q;
        cw = nw;
        ch = nh;
        scan_both(cur, cw, ch, &f);
    }
    if (cur != pix)
        free(cur);
    if (!flat && !f.n && (w > h ? w : h) <= 1000) {
        int nw, nh;
        unsigned char *q = twice(pix, w, h, &nw, &nh);
        scan_both(q, nw, nh, &f);
        free(q);
    }
    g_free(pix);

    int rc;
    if (f.n == 0)
        rc = not_found(e);
    else if (f.n > 1)
        rc = tc_err_set(e, TCE_QR_MULTIPLE);
    else if (f.len[0] == 0 || f.len[0] >= outsz || !tc_utf8_valid(f.text[0], f.len[0]))
        rc = tc_err_set(e, TCE_QR_BAD_CONTENT);
    else {
        memcpy(out, f.text[0], f.len[0] + 1);
        rc = 0;
    }
    found_free(&f);
    return rc;
}
