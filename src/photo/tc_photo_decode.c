/* Decoding uploads: sniffing, caps, shrink-on-load, orientation, colour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "photo_internal.h"

int tc_photo_startup(const char *argv0, tc_err *e)
{
    if (VIPS_INIT(argv0 ? argv0 : "tucai") != 0)
        return photo_vips_error(e, "internal", "vips_init");
    /* Uploads come from anyone: only the loaders that libvips considers
     * safe for untrusted input may run (we dispatch ourselves anyway, but
     * this also guards every other module that calls libvips). */
    vips_block_untrusted_set(TRUE);
    return 0;
}

void tc_photo_rgb_free(tc_photo_rgb *im)
{
    if (!im)
        return;
    free(im->px);
    memset(im, 0, sizeof *im);
}

void tc_photo_mask_free(tc_photo_mask *m)
{
    if (!m)
        return;
    free(m->a);
    memset(m, 0, sizeof *m);
}

void tc_photo_limits_default(tc_photo_limits *l)
{
    l->max_bytes = 20u * 1024 * 1024;
    l->max_pixels = 50000000u;
    l->work_side = 1024;
}

/* ---- sniffing ------------------------------------------------------------------- */

tc_photo_format tc_photo_sniff(const void *data, size_t len)
{
    const uint8_t *p = data;
    if (!p)
        return TC_PHOTO_FMT_UNKNOWN;
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return TC_PHOTO_FMT_JPEG;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return TC_PHOTO_FMT_PNG;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return TC_PHOTO_FMT_WEBP;
    /* ISO-BMFF: a box "ftyp" whose major brand or one of the compatible
     * brands names a HEIF image.  AVIF is told apart because it needs the
     * AV1 decoder, which an installation may lack. */
    if (len >= 16 && memcmp(p + 4, "ftyp", 4) == 0) {
        uint32_t box = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (box < 16 || box > 4096)
            return TC_PHOTO_FMT_UNKNOWN;
        size_t end = box < len ? box : len;
        int heif = 0, avif = 0;
        for (size_t off = 8; off + 4 <= end; off += 4) {
            if (off == 12)
                continue; /* minor version, not a brand */
            const char *b = (const char *)p + off;
            if (!memcmp(b, "avif", 4) || !memcmp(b, "avis", 4))
                avif = 1;
            else if (!memcmp(b, "heic", 4) || !memcmp(b, "heix", 4) || !memcmp(b, "hevc", 4) ||
                     !memcmp(b, "heim", 4) || !memcmp(b, "heis", 4) || !memcmp(b, "hevx", 4) ||
                     !memcmp(b, "mif1", 4) || !memcmp(b, "msf1", 4))
                heif = 1;
        }
        /* The major brand decides when both appear (avif files list mif1). */
        if (!memcmp(p + 8, "avif", 4) || !memcmp(p + 8, "avis", 4))
            return TC_PHOTO_FMT_AVIF;
        if (avif && !memcmp(p + 8, "mif1", 4))
            return TC_PHOTO_FMT_AVIF;
        if (heif)
            return TC_PHOTO_FMT_HEIF;
        if (avif)
            return TC_PHOTO_FMT_AVIF;
    }
    return TC_PHOTO_FMT_UNKNOWN;
}

const char *tc_photo_format_name(tc_photo_format f)
{
    switch (f) {
    case TC_PHOTO_FMT_JPEG: return "jpeg";
    case TC_PHOTO_FMT_PNG: return "png";
    case TC_PHOTO_FMT_WEBP: return "webp";
    case TC_PHOTO_FMT_HEIF: return "heif";
    case TC_PHOTO_FMT_AVIF: return "avif";
    default: return "unknown";
    }
}

/* ---- libvips errors --------------------------------------------------------------- */

int photo_vips_error(tc_err *e, const char *fallback_code, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s", vips_error_buffer());
    vips_error_clear();
    for (char *q = msg; *q; q++)
        if (*q == '\n')
            *q = ' ';
    tc_log(TC_LOG_DEBUG, "photo: %s: %s", what, msg);
    /* Each decoder words it differently; these are the ways libjpeg,
     * libspng/libpng, libwebp and libheif say the data stopped early. */
    static const char *const trunc[] = {"Premature end", "premature end", "truncated", "Truncated",
                                        "unexpected end", "Unexpected end", "not enough data",
                                        "end of file", "End of file", "EOF", "short read",
                                        "out of order read", "read error", "incomplete"};
    for (size_t i = 0; i < TC_ARRAY_LEN(trunc); i++)
        if (strstr(msg, trunc[i]))
            return tc_err_set(e, TCE_PHOTO_TRUNCATED);
    if (!strcmp(fallback_code, "photo.corrupt"))
        return tc_err_set(e, TCE_PHOTO_CORRUPT);
    if (!strcmp(fallback_code, "photo.encode"))
        return tc_err_set(e, TCE_PHOTO_ENCODE, msg);
    return tc_err_internal(e, "%s: %s", what, msg);
}

/* ---- truncation ---------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Does the container end where it says it does?  Decoders word "ran out of
 * data" in many ways (libpng only warns), so a failed decode is called
 * truncated when the file's own structure shows its end is missing. */
static int looks_truncated(tc_photo_format f, const uint8_t *d, size_t n)
{
    switch (f) {
    case TC_PHOTO_FMT_JPEG:
        /* EOI, possibly followed by padding a phone or a proxy appended */
        for (size_t i = n; i >= 2 && n - i < 4096; i--)
            if (d[i - 2] == 0xFF && d[i - 1] == 0xD9)
                return 0;
        return 1;
    case TC_PHOTO_FMT_PNG: {
        /* walk the chunks up to IEND */
        size_t p = 8;
        while (p + 12 <= n) {
            uint32_t len = be32(d + p);
            if (!memcmp(d + p + 4, "IEND", 4))
                return 0;
            if (len > n || p + 12 + (size_t)len > n)
                return 1;
            p += 12 + (size_t)len;
        }
        return 1;
    }
    case TC_PHOTO_FMT_WEBP:
        return n < 12 || (size_t)(d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24) + 8 > n;
    case TC_PHOTO_FMT_HEIF:
    case TC_PHOTO_FMT_AVIF: {
        /* top-level ISO-BMFF boxes must tile the file */
        size_t p = 0;
        while (p + 8 <= n) {
            uint64_t len = be32(d + p);
            if (len == 1) {
                if (p + 16 > n)
                    return 1;
                len = (uint64_t)be32(d + p + 8) << 32 | be32(d + p + 12);
            } else if (len == 0) {
                return 0; /* extends to the end of the file */
            }
            if (len < 8 || len > n - p)
                return 1;
            p += (size_t)len;
        }
        return p != n;
    }
    default:
        return 0;
    }
}

static int load_error(const tc_photo_src *s, tc_err *e, const char *what)
{
    if (looks_truncated(s->fmt, s->data, s->len)) {
        photo_vips_error(NULL, "photo.corrupt", what); /* logs and clears */
        return tc_err_set(e, TCE_PHOTO_TRUNCATED);
    }
    return photo_vips_error(e, "photo.corrupt", what);
}

/* ---- loading ------------------------------------------------------------------------ */

/* libvips options common to every load: untrusted input must fail on the
 * first truncation or corruption rather than show grey where data is missing. */
static VipsImage *load_raw(const tc_photo_src *s, int shrink, VipsAccess access)
{
    VipsImage *im = NULL;
    int r = -1;
    switch (s->fmt) {
    case TC_PHOTO_FMT_JPEG:
        r = vips_jpegload_buffer(s->data, s->len, &im, "shrink", shrink, "access", access, "fail_on",
                                 VIPS_FAIL_ON_TRUNCATED, NULL);
        break;
    case TC_PHOTO_FMT_PNG:
        r = vips_pngload_buffer(s->data, s->len, &im, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                NULL);
        break;
    case TC_PHOTO_FMT_WEBP:
        r = vips_webpload_buffer(s->data, s->len, &im, "scale", 1.0 / shrink, "access", access, "fail_on",
                                 VIPS_FAIL_ON_TRUNCATED, NULL);
        break;
    case TC_PHOTO_FMT_HEIF:
    case TC_PHOTO_FMT_AVIF:
        r = vips_heifload_buffer(s->data, s->len, &im, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                 NULL);
        break;
    default:
        vips_error("tc_photo", "unsupported format");
        break;
    }
    return r == 0 ? im : NULL;
}

static int orientation_of(VipsImage *im)
{
    int o = 1;
    if (vips_image_get_typeof(im, VIPS_META_ORIENTATION) && vips_image_get_int(im, VIPS_META_ORIENTATION, &o) == 0 &&
        o >= 1 && o <= 8)
        return o;
    return 1;
}

/* Any band layout and depth -> 3-band uchar sRGB, alpha laid on white.
 * Steals nothing: *out is a new reference. */
static int to_srgb8(VipsImage *in, VipsImage **out)
{
    VipsImage *t = NULL, *u = NULL;
    VipsInterpretation interp = vips_image_guess_interpretation(in);
    int has_icc = vips_image_get_typeof(in, VIPS_META_ICC_NAME) != 0;

    if (has_icc || interp == VIPS_INTERPRETATION_CMYK) {
        /* Phones embed Display P3 profiles; converting to sRGB keeps skin
         * tones the ones the student saw.  CMYK without a profile gets
         * libvips's built-in one. */
        int r = has_icc ? vips_icc_transform(in, &t, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL,
                                             "depth", 8, NULL)
                        : vips_icc_transform(in, &t, "srgb", "input_profile", "cmyk", "intent",
                                             VIPS_INTENT_PERCEPTUAL, "depth", 8, NULL);
        if (r != 0) {
            /* A broken profile is the sender's mistake, not a reason to
             * refuse the photo: fall back to treating the pixels as sRGB. */
            vips_error_clear();
            t = NULL;
        }
    }
    if (!t && vips_colourspace(in, &t, VIPS_INTERPRETATION_sRGB, NULL) != 0)
        return -1;
    if (t->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(t, &u, NULL) != 0)
            goto fail;
        g_object_unref(t);
        t = u;
        u = NULL;
    }
    if (t->Bands == 4 || t->Bands == 2) {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *bg = vips_array_double_new(white, t->Bands == 4 ? 3 : 1);
        int r = vips_flatten(t, &u, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (r != 0)
            goto fail;
        g_object_unref(t);
        t = u;
        u = NULL;
    }
    if (t->Bands == 1) {
        VipsImage *b[3] = {t, t, t};
        if (vips_bandjoin(b, &u, 3, NULL) != 0)
            goto fail;
        g_object_unref(t);
        t = u;
        u = NULL;
    } else if (t->Bands > 3) {
        if (vips_extract_band(t, &u, 0, "n", 3, NULL) != 0)
            goto fail;
        g_object_unref(t);
        t = u;
        u = NULL;
    }
    if (t->BandFmt != VIPS_FORMAT_UCHAR || t->Bands != 3) {
        vips_error("tc_photo", "unexpected pixel layout");
        goto fail;
    }
    *out = t;
    return 0;
fail:
    if (t)
        g_object_unref(t);
    return -1;
}

int photo_load_shrink(double min_scale)
{
    int shrink = 1;
    while (shrink < 8 && 1.0 / (shrink * 2) >= min_scale)
        shrink *= 2;
    return shrink;
}

/* The work copy and the base from a direct decode d (upright, at 1/shrink),
 * which s takes: within the work size d is the work copy and the base wraps
 * it; larger, the base wraps d (kept in s->base_rgb) and the work copy is
 * libvips's Lanczos resize of it, as for a libvips decode.  -1 (d untouched,
 * nothing kept) when libvips cannot wrap or resize it. */
static int direct_work(tc_photo_src *s, tc_photo_rgb *d, int side)
{
    int cur = d->width > d->height ? d->width : d->height;
    VipsImage *im = vips_image_new_from_memory(d->px, (size_t)d->width * d->height * 3, d->width, d->height, 3,
                                               VIPS_FORMAT_UCHAR);
    if (!im)
        return -1;
    im->Type = VIPS_INTERPRETATION_sRGB;
    if (cur > side) {
        VipsImage *r = NULL;
        tc_photo_rgb w;
        if (vips_resize(im, &r, (double)side / cur, "kernel", VIPS_KERNEL_LANCZOS3, NULL) != 0 ||
            photo_rgb_from_vips(r, &w, NULL) != 0) {
            if (r)
                g_object_unref(r);
            g_object_unref(im);
            vips_error_clear();
            return -1;
        }
        g_object_unref(r);
        s->work = w;
        s->base_rgb = *d;
    } else {
        s->work = *d;
    }
    memset(d, 0, sizeof *d);
    s->base = im;
    s->base_fx = (double)im->Xsize / s->width;
    s->base_fy = (double)im->Ysize / s->height;
    s->work_scale = (double)s->work.width / s->width;
    return 0;
}

int photo_open(const tc_photo_src *s, double min_scale, VipsAccess access, VipsImage **out, double *fx,
               double *fy, tc_err *e)
{
    int shrink = s->fmt == TC_PHOTO_FMT_JPEG || s->fmt == TC_PHOTO_FMT_WEBP ? photo_load_shrink(min_scale) : 1;
    vips_error_clear(); /* messages below are about this file only */
    VipsImage *raw = load_raw(s, shrink, access);
    if (!raw)
        return load_error(s, e, "load");
    VipsImage *c = NULL, *up = NULL;
    if (to_srgb8(raw, &c) != 0) {
        g_object_unref(raw);
        return load_error(s, e, "colour");
    }
    g_object_unref(raw);
    if (orientation_of(c) != 1) {
        if (vips_autorot(c, &up, NULL) != 0) {
            g_object_unref(c);
            return load_error(s, e, "autorot");
        }
        g_object_unref(c);
    } else {
        up = c;
    }
    *fx = (double)up->Xsize / s->width;
    *fy = (double)up->Ysize / s->height;
    *out = up;
    return 0;
}

int photo_rgb_from_vips(VipsImage *im, tc_photo_rgb *out, tc_err *e)
{
    size_t n = 0;
    void *p = vips_image_write_to_memory(im, &n);
    if (!p) /* without e, the caller reads libvips's message itself */
        return e ? photo_vips_error(e, "photo.corrupt", "decode") : -1;
    if (n != (size_t)im->Xsize * im->Ysize * 3) {
        g_free(p);
        return tc_err_internal(e, "photo: unexpected buffer size");
    }
    /* libvips allocates with g_malloc; copy so that owners can free().  The
     * images here are small (work copies, crops), so the copy is cheap. */
    out->px = malloc(n);
    if (!out->px) {
        g_free(p);
        return tc_err_internal(e, "photo: out of memory");
    }
    memcpy(out->px, p, n);
    g_free(p);
    out->width = im->Xsize;
    out->height = im->Ysize;
    return 0;
}

VipsImage *photo_vips_from_rgb(const tc_photo_rgb *im)
{
    VipsImage *v = vips_image_new_from_memory_copy(im->px, (size_t)im->width * im->height * 3, im->width,
                                                   im->height, 3, VIPS_FORMAT_UCHAR);
    if (v)
        v->Type = VIPS_INTERPRETATION_sRGB;
    return v;
}

/* ---- decode ------------------------------------------------------------------------- */

void tc_photo_meta_of(const void *data, size_t len, tc_photo_meta *out)
{
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    tc_photo_src s;
    memset(&s, 0, sizeof s);
    s.fmt = data && len ? tc_photo_sniff(data, len) : TC_PHOTO_FMT_UNKNOWN;
    if (s.fmt == TC_PHOTO_FMT_UNKNOWN)
        return;
    /* the loaders only read the buffer; the header image is dropped before
     * this returns, so nothing outlives the caller's bytes */
    s.data = (uint8_t *)data;
    s.len = len;
    vips_error_clear();
    VipsImage *hdr = load_raw(&s, 1, VIPS_ACCESS_SEQUENTIAL);
    if (!hdr) {
        vips_error_clear();
        return;
    }
    photo_meta_read(hdr, orientation_of(hdr), out);
    g_object_unref(hdr);
}

int tc_photo_decode(const void *data, size_t len, const tc_photo_limits *lim, tc_photo_src **out, tc_err *e)
{
    tc_photo_limits def;
    if (!lim) {
        tc_photo_limits_default(&def);
        lim = &def;
    }
    *out = NULL;
    if (!data || len == 0)
        return tc_err_set(e, TCE_PHOTO_EMPTY);
    if (len > lim->max_bytes)
        return tc_err_set(e, TCE_PHOTO_TOO_LARGE, len / 1048576.0, lim->max_bytes / 1048576.0);
    tc_photo_format fmt = tc_photo_sniff(data, len);
    if (fmt == TC_PHOTO_FMT_UNKNOWN)
        return tc_err_set(e, TCE_PHOTO_UNSUPPORTED_FORMAT);

    tc_photo_src *s = calloc(1, sizeof *s);
    if (!s || !(s->data = malloc(len))) {
        free(s);
        return tc_err_internal(e, "photo: out of memory");
    }
    memcpy(s->data, data, len);
    s->len = len;
    s->fmt = fmt;

    /* Header only: libvips reads no pixel until asked, so a 30000x30000
     * "bomb" costs nothing here. */
    vips_error_clear();
    VipsImage *hdr = load_raw(s, 1, VIPS_ACCESS_SEQUENTIAL);
    if (!hdr) {
        load_error(s, e, "header");
        tc_photo_src_free(s);
        return -1;
    }
    uint64_t px = (uint64_t)hdr->Xsize * (uint64_t)hdr->Ysize;
    int o = orientation_of(hdr);
    s->width = o >= 5 ? hdr->Ysize : hdr->Xsize;
    s->height = o >= 5 ? hdr->Xsize : hdr->Ysize;
    photo_meta_read(hdr, o, &s->meta);
    /* a plain JPEG: three 8-bit channels read as sRGB, no profile (libvips
     * would change none of its pixels after libjpeg but turn them upright) */
    int plain = fmt == TC_PHOTO_FMT_JPEG && hdr->Bands == 3 && hdr->BandFmt == VIPS_FORMAT_UCHAR &&
                !vips_image_get_typeof(hdr, VIPS_META_ICC_NAME) &&
                vips_image_guess_interpretation(hdr) == VIPS_INTERPRETATION_sRGB;
    g_object_unref(hdr);
    if (px > lim->max_pixels) {
        tc_err_set(e, TCE_PHOTO_TOO_LARGE_2, s->width, s->height, lim->max_pixels / 1e6);
        tc_photo_src_free(s);
        return -1;
    }
    if (s->width < 16 || s->height < 16) {
        tc_err_set(e, TCE_PHOTO_TOO_SMALL, s->width, s->height);
        tc_photo_src_free(s);
        return -1;
    }

    /* The one decode: every pixel is decoded here (at reduced scale when
     * the format allows), so a damaged file is refused now and not half-way
     * through compose.  The decoded image is kept (s->base) when it is at
     * most BASE_MAX_PIXELS, so that compose crops from memory instead of
     * decoding the file a second time; a 12 MP JPEG is read at 1/2 scale
     * (about 9 MB kept).  Bigger ones (a 50 MP PNG cannot be read at
     * reduced scale) are streamed into the work copy and decoded again by
     * compose, which costs time but not 150 MB per request. */
    enum { BASE_MAX_PIXELS = 16000000 };
    int side = lim->work_side > 0 ? lim->work_side : 1024;
    int longest = s->width > s->height ? s->width : s->height;
    double want = longest > side ? (double)side / longest : 1.0;
    VipsImage *im = NULL, *r = NULL;
    double fx, fy;
    if (plain) {
        /* A plain JPEG straight through libjpeg (photo_jpeg_decode_rgb: the
         * pixels of libvips's decode at the same shrink, turned as
         * vips_autorot turns them, at under half its CPU: a 12 MP phone
         * photo at 1/2 in ~20 ms against ~44 through libvips's pipeline,
         * which buffers a turned picture's decode and copies it twice).  A
         * file libjpeg warns about goes the libvips way, which judges it. */
        int shrink = photo_load_shrink(want);
        tc_err je = {0};
        tc_photo_rgb d;
        if (photo_jpeg_decode_rgb(s->data, s->len, shrink, o, &d, &je) == 0) {
            if (d.width == (s->width + shrink - 1) / shrink && d.height == (s->height + shrink - 1) / shrink &&
                direct_work(s, &d, side) == 0) {
                *out = s;
                return 0;
            }
            tc_photo_rgb_free(&d);
        }
    }
    /* Turning an image by 90 degrees reads its rows out of order, which a
     * sequential JPEG decode refuses; then let libvips buffer the decode. */
    VipsAccess acc = o == 1 ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
    if (photo_open(s, want, acc, &im, &fx, &fy, e) != 0) {
        tc_photo_src_free(s);
        return -1;
    }
    int cur = im->Xsize > im->Ysize ? im->Xsize : im->Ysize;
    if (cur <= side && (uint64_t)im->Xsize * (uint64_t)im->Ysize <= BASE_MAX_PIXELS) {
        /* The work copy is the decoded image itself, and the base wraps
         * it: decoded straight into the work copy, one pass of libvips's
         * pipeline (a memory image first and a copy of it cost a second
         * pass, ~1 ms of a 512x715 upload), the same pixels. */
        int rc = photo_rgb_from_vips(im, &s->work, NULL);
        g_object_unref(im);
        if (rc != 0) {
            load_error(s, e, "decode");
            tc_photo_src_free(s);
            return -1;
        }
        im = vips_image_new_from_memory(s->work.px, (size_t)s->work.width * s->work.height * 3, s->work.width,
                                        s->work.height, 3, VIPS_FORMAT_UCHAR);
        if (im) {
            im->Type = VIPS_INTERPRETATION_sRGB;
            s->base = im;
            s->base_fx = fx;
            s->base_fy = fy;
        } /* else compose decodes again */
        s->work_scale = (double)s->work.width / s->width;
        *out = s;
        return 0;
    }
    if ((uint64_t)im->Xsize * (uint64_t)im->Ysize <= BASE_MAX_PIXELS) {
        VipsImage *mem = vips_image_copy_memory(im);
        g_object_unref(im);
        if (!mem) {
            load_error(s, e, "decode");
            tc_photo_src_free(s);
            return -1;
        }
        im = mem;
        s->base_fx = fx;
        s->base_fy = fy;
    }
    if (cur > side) {
        if (vips_resize(im, &r, (double)side / cur, "kernel", VIPS_KERNEL_LANCZOS3, NULL) != 0) {
            g_object_unref(im);
            load_error(s, e, "resize");
            tc_photo_src_free(s);
            return -1;
        }
    } else {
        r = im;
        g_object_ref(r);
    }
    int rc = photo_rgb_from_vips(r, &s->work, NULL);
    g_object_unref(r);
    if (rc != 0) {
        g_object_unref(im);
        load_error(s, e, "decode");
        tc_photo_src_free(s);
        return -1;
    }
    if (s->base_fx > 0) {
        if (cur <= side) {
            /* the work copy is the base itself: keep one copy of it */
            g_object_unref(im);
            im = vips_image_new_from_memory(s->work.px, (size_t)s->work.width * s->work.height * 3, s->work.width,
                                            s->work.height, 3, VIPS_FORMAT_UCHAR);
            if (im)
                im->Type = VIPS_INTERPRETATION_sRGB;
            else
                s->base_fx = s->base_fy = 0; /* compose will decode again */
        }
        s->base = im;
    } else {
        g_object_unref(im);
    }
    s->work_scale = (double)s->work.width / s->width;
    *out = s;
    return 0;
}

int photo_pixels(const tc_photo_src *s, double min_scale, VipsImage **out, double *fx, double *fy, tc_err *e)
{
    /* The base's scale comes from rounding the loaded size up, so a base at
     * exactly the scale asked for counts as fine enough. */
    if (s->base && s->base_fx >= min_scale - 1e-9 && s->base_fy >= min_scale - 1e-9) {
        g_object_ref(s->base);
        *out = s->base;
        *fx = s->base_fx;
        *fy = s->base_fy;
        return 0;
    }
    return photo_open(s, min_scale, VIPS_ACCESS_RANDOM, out, fx, fy, e);
}

void tc_photo_src_free(tc_photo_src *s)
{
    if (!s)
        return;
    if (s->base) /* before the pixels it may wrap */
        g_object_unref(s->base);
    tc_photo_rgb_free(&s->base_rgb);
    tc_photo_rgb_free(&s->work);
    free(s->data);
    free(s);
}

tc_photo_format tc_photo_src_format(const tc_photo_src *s) { return s->fmt; }
int tc_photo_src_width(const tc_photo_src *s) { return s->width; }
int tc_photo_src_height(const tc_photo_src *s) { return s->height; }
const tc_photo_rgb *tc_photo_src_work(const tc_photo_src *s) { return &s->work; }
double tc_photo_src_work_scale(const tc_photo_src *s) { return s->work_scale; }

int tc_photo_src_region(const tc_photo_src *s, int x, int y, int w, int h, tc_photo_rgb *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > s->width ? s->width : x + w, y1 = y + h > s->height ? s->height : y + h;
    if (w <= 0 || h <= 0 || x1 <= x0 || y1 <= y0)
        return tc_err_set(e, TCE_PHOTO_BAD_REGION);
    VipsImage *im = NULL, *c = NULL;
    double fx, fy;
    if (photo_pixels(s, 1.0, &im, &fx, &fy, e) != 0)
        return -1;
    if (vips_extract_area(im, &c, x0, y0, x1 - x0, y1 - y0, NULL) != 0) {
        g_object_unref(im);
        return photo_vips_error(e, "photo.corrupt", "extract");
    }
    g_object_unref(im);
    int rc = photo_rgb_from_vips(c, out, NULL);
    g_object_unref(c);
    return rc ? load_error(s, e, "region") : 0;
}
