/* Proof marks (样片): a photo the student may look at but not use.  The
 * text is rendered once by libvips (pango, with the Chinese fallback font),
 * turned to a diagonal and tiled over the whole photo in C, so that no crop
 * of a usable size escapes it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "photo_internal.h"
#include "../spec/tc_spec.h"

/* How strongly the mark covers the photo: enough to be unmistakable on a
 * white, blue or red backdrop and across the face, light enough that the
 * student can still judge the face, hair edge and colours through it. */
#define WM_OPACITY 0.30f
static const float wm_colour[3] = {72, 72, 72};

/* The text as an 8-bit coverage mask (0..255), owned by the caller
 * (g_object_unref).  Its glyph height is about text_px pixels. */
static VipsImage *mark_text(int text_px)
{
    VipsImage *t = NULL;
    /* pango sizes are points: pixels = points * dpi / 72. */
    int dpi = text_px * 72 / 12;
    if (vips_text(&t, "样片", "font", "Droid Sans Fallback 12", "dpi", dpi < 8 ? 8 : dpi, NULL) != 0)
        return NULL;
    return t;
}

/* Bilinear coverage of the text mask at (u, v), 0 outside it. */
static float cover(const uint8_t *tm, int tw, int th, float u, float v)
{
    if (u < 0 || v < 0 || u > tw - 1 || v > th - 1)
        return 0;
    int x0 = (int)u, y0 = (int)v, x1 = x0 + 1 < tw ? x0 + 1 : x0, y1 = y0 + 1 < th ? y0 + 1 : y0;
    float fx = u - x0, fy = v - y0;
    float a = tm[(size_t)y0 * tw + x0] + (tm[(size_t)y0 * tw + x1] - tm[(size_t)y0 * tw + x0]) * fx;
    float b = tm[(size_t)y1 * tw + x0] + (tm[(size_t)y1 * tw + x1] - tm[(size_t)y1 * tw + x0]) * fx;
    return (a + (b - a) * fy) * (1.0f / 255);
}

int tc_photo_watermark(const uint8_t *jpeg, size_t len, const tc_spec *spec, uint8_t **out, size_t *out_len,
                       tc_err *e)
{
    *out = NULL;
    *out_len = 0;
    if (!jpeg || tc_photo_sniff(jpeg, len) != TC_PHOTO_FMT_JPEG)
        return tc_err_set(e, TCE_PHOTO_CORRUPT_3);
    double jd = 0, xd = 0;
    tc_photo_jpeg_dpi(jpeg, len, &jd, &xd);
    double dpi = jd > 0 ? jd : xd > 0 ? xd : spec && spec->dpi > 0 ? spec->dpi : 300;

    vips_error_clear();
    VipsImage *in = NULL, *c = NULL;
    if (vips_jpegload_buffer((void *)jpeg, len, &in, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                             VIPS_FAIL_ON_TRUNCATED, NULL) != 0)
        return photo_vips_error(e, "photo.corrupt", "watermark load");
    /* Our photos are small; a header claiming more is not one of them. */
    if ((uint64_t)in->Xsize * (uint64_t)in->Ysize > 50000000u) {
        g_object_unref(in);
        return tc_err_set(e, TCE_PHOTO_TOO_LARGE_3);
    }
    int r = vips_colourspace(in, &c, VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(in);
    if (r != 0)
        return photo_vips_error(e, "photo.corrupt", "watermark colour");
    if (c->Bands > 3) {
        VipsImage *x = NULL;
        r = vips_extract_band(c, &x, 0, "n", 3, NULL);
        g_object_unref(c);
        if (r != 0)
            return photo_vips_error(e, "photo.corrupt", "watermark bands");
        c = x;
    }
    tc_photo_rgb im = {0};
    r = photo_rgb_from_vips(c, &im, e);
    g_object_unref(c);
    if (r != 0)
        return -1;

    /* Text about a ninth of the shorter side high: two or three rows of
     * marks on a passport photo, more on a sheet. */
    int shorter = im.width < im.height ? im.width : im.height;
    VipsImage *txt = mark_text(shorter / 9 > 6 ? shorter / 9 : 6);
    size_t tn = 0;
    uint8_t *tm = NULL;
    int tw = 0, th = 0;
    if (txt) {
        VipsImage *u = NULL;
        if (txt->Bands == 1 && vips_cast_uchar(txt, &u, NULL) == 0) {
            tw = u->Xsize, th = u->Ysize;
            tm = vips_image_write_to_memory(u, &tn);
            g_object_unref(u);
        }
        g_object_unref(txt);
    }
    if (!tm || tn != (size_t)tw * th || tw <= 0 || th <= 0) {
        g_free(tm);
        tc_photo_rgb_free(&im);
        return photo_vips_error(e, "photo.encode", "watermark text");
    }
    /* Tile in the text's own frame, turned 30 degrees so that the lines
     * rise to the right (the usual stamp direction): every output pixel is
     * mapped back into a lattice of text boxes with gaps, each other row
     * shifted by half a box like bricks, so the marks do not line up in
     * columns that leave clean stripes between them. */
    const float cs = 0.8660254f, sn = 0.5f; /* cos, sin of 30 degrees */
    float pitch_u = (float)tw + 1.2f * th, pitch_v = 2.0f * th;
    float cx = im.width / 2.0f, cy = im.height / 2.0f;
    for (int y = 0; y < im.height; y++) {
        for (int x = 0; x < im.width; x++) {
            float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
            float u = dx * cs - dy * sn, v = dx * sn + dy * cs;
            float row = floorf(v / pitch_v);
            float uu = u + (fmodf(fabsf(row), 2.0f) == 1.0f ? pitch_u / 2 : 0);
            uu -= floorf(uu / pitch_u) * pitch_u;
            float vv = v - row * pitch_v;
            float a = cover(tm, tw, th, uu, vv);
            if (a <= 0)
                continue;
            a *= WM_OPACITY;
            uint8_t *p = im.px + 3 * ((size_t)y * im.width + x);
            for (int ch = 0; ch < 3; ch++)
                p[ch] = (uint8_t)lrintf(p[ch] + (wm_colour[ch] - p[ch]) * a);
        }
    }
    g_free(tm);

    VipsImage *v = photo_vips_from_rgb(&im);
    tc_photo_rgb_free(&im);
    if (!v)
        return photo_vips_error(e, "photo.encode", "watermark wrap");
    r = photo_jpeg_save(v, 90, 1, dpi, out, out_len, e);
    g_object_unref(v);
    return r;
}
