/* What the vision unit tests share: decoding a test photo as the CLI does.
 * Header-only (static) because every tests/unit/test_*.c is its own
 * program. */
#ifndef TC_TEST_VISION_FIXTURE_H
#define TC_TEST_VISION_FIXTURE_H

#include <stdint.h>
#include <vips/vips.h>

/* Decode like the CLI: EXIF orientation, sRGB, 8-bit, 3 bands; shrunk by
 * scale when it is not 1.  The caller g_frees the pixels; NULL on error. */
static uint8_t *vf_decode(const char *path, double scale, int *w, int *h)
{
    VipsImage *in = vips_image_new_from_file(path, NULL), *rot = NULL, *srgb = NULL, *u8 = NULL, *three = NULL,
              *small = NULL;
    uint8_t *out = NULL;
    if (!in)
        return NULL;
    if (!vips_autorot(in, &rot, NULL) && !vips_colourspace(rot, &srgb, VIPS_INTERPRETATION_sRGB, NULL) &&
        !vips_cast_uchar(srgb, &u8, NULL) && !vips_extract_band(u8, &three, 0, "n", 3, NULL) &&
        (scale == 1.0 || !vips_resize(three, &small, scale, NULL))) {
        VipsImage *o = small ? small : three;
        size_t len;
        out = vips_image_write_to_memory(o, &len);
        *w = vips_image_get_width(o);
        *h = vips_image_get_height(o);
    }
    if (small)
        g_object_unref(small);
    if (three)
        g_object_unref(three);
    if (u8)
        g_object_unref(u8);
    if (srgb)
        g_object_unref(srgb);
    if (rot)
        g_object_unref(rot);
    g_object_unref(in);
    return out;
}

#endif
