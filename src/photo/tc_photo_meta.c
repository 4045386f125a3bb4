/* File evidence: what the upload's EXIF block says about the camera and the
 * software that last wrote it.  Read with libexif from the raw EXIF block
 * that libvips's loader found (JPEG APP1, PNG eXIf, WebP EXIF chunk, HEIF
 * Exif item), so the numbers are the tag values themselves, not libvips's
 * formatted text.  Nothing read here is carried into any output. */
#include <libexif/exif-data.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "photo_internal.h"

/* An ASCII tag into a fixed buffer: bounded by the buffer and by the tag's
 * own size (EXIF strings need not be NUL-terminated), control and non-ASCII
 * bytes replaced so that logs and JSON built from it stay one clean line,
 * trailing spaces (common padding) dropped. */
static void ascii_tag(ExifData *ed, ExifIfd ifd, ExifTag tag, char *out, size_t cap)
{
    out[0] = 0;
    ExifEntry *en = exif_content_get_entry(ed->ifd[ifd], tag);
    if (!en || en->format != EXIF_FORMAT_ASCII || !en->data)
        return;
    size_t n = 0;
    for (size_t i = 0; i < en->size && n + 1 < cap; i++) {
        unsigned char ch = en->data[i];
        if (!ch)
            break;
        out[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = 0;
}

/* The first component of a numeric tag as a double; 0 when absent, of an
 * unexpected type or undefined (denominator 0). */
static double num_tag(ExifData *ed, ExifIfd ifd, ExifTag tag)
{
    ExifEntry *en = exif_content_get_entry(ed->ifd[ifd], tag);
    if (!en || !en->data || en->components < 1)
        return 0;
    ExifByteOrder bo = exif_data_get_byte_order(ed);
    size_t need = exif_format_get_size(en->format);
    if (need == 0 || en->size < need)
        return 0;
    switch (en->format) {
    case EXIF_FORMAT_SHORT: return exif_get_short(en->data, bo);
    case EXIF_FORMAT_SSHORT: return exif_get_sshort(en->data, bo);
    case EXIF_FORMAT_LONG: return exif_get_long(en->data, bo);
    case EXIF_FORMAT_SLONG: return exif_get_slong(en->data, bo);
    case EXIF_FORMAT_RATIONAL: {
        ExifRational r = exif_get_rational(en->data, bo);
        return r.denominator ? (double)r.numerator / r.denominator : 0;
    }
    case EXIF_FORMAT_SRATIONAL: {
        ExifSRational r = exif_get_srational(en->data, bo);
        return r.denominator ? (double)r.numerator / r.denominator : 0;
    }
    default: return 0;
    }
}

void photo_meta_read(VipsImage *hdr, int orientation, tc_photo_meta *m)
{
    memset(m, 0, sizeof *m);
    m->orientation = orientation;
    m->has_icc = vips_image_get_typeof(hdr, VIPS_META_ICC_NAME) != 0;
    const void *blob = NULL;
    size_t n = 0;
    if (!vips_image_get_typeof(hdr, VIPS_META_EXIF_NAME) ||
        vips_image_get_blob(hdr, VIPS_META_EXIF_NAME, &blob, &n) != 0 || !blob || n < 8) {
        vips_error_clear();
        return;
    }
    /* libexif wants the block to start with "Exif\0\0"; some containers hand
     * over the bare TIFF structure (II* / MM*) or a few bytes of offset
     * before the header. */
    const uint8_t *b = blob;
    uint8_t *tmp = NULL;
    size_t skip = 0;
    while (skip + 6 <= n && skip < 16 && memcmp(b + skip, "Exif\0\0", 6) != 0)
        skip++;
    if (skip + 6 <= n && skip < 16) {
        b += skip;
        n -= skip;
    } else if (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4)) {
        if (n > 16u << 20 || !(tmp = malloc(n + 6)))
            return;
        memcpy(tmp, "Exif\0\0", 6);
        memcpy(tmp + 6, b, n);
        b = tmp;
        n += 6;
    } else {
        return;
    }
    /* EXIF's own offsets are 32-bit; libexif bounds each against the size. */
    ExifData *ed = n <= 0xFFFFFFu ? exif_data_new_from_data(b, (unsigned int)n) : NULL;
    free(tmp);
    if (!ed)
        return;
    m->has_exif = 1;
    ascii_tag(ed, EXIF_IFD_0, EXIF_TAG_MAKE, m->make, sizeof m->make);
    ascii_tag(ed, EXIF_IFD_0, EXIF_TAG_MODEL, m->model, sizeof m->model);
    ascii_tag(ed, EXIF_IFD_0, EXIF_TAG_SOFTWARE, m->software, sizeof m->software);
    ascii_tag(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, m->datetime, sizeof m->datetime);
    m->exposure_s = num_tag(ed, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_TIME);
    m->fnumber = num_tag(ed, EXIF_IFD_EXIF, EXIF_TAG_FNUMBER);
    m->focal_mm = num_tag(ed, EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH);
    double iso = num_tag(ed, EXIF_IFD_EXIF, EXIF_TAG_ISO_SPEED_RATINGS);
    m->iso = iso > 0 && iso < 1e7 ? (int)iso : 0;
    /* Absurd values are someone's editing, not a camera: keep them out of
     * the checks' arithmetic rather than trust them. */
    if (!isfinite(m->exposure_s) || m->exposure_s < 0 || m->exposure_s > 3600)
        m->exposure_s = 0;
    if (!isfinite(m->fnumber) || m->fnumber < 0 || m->fnumber > 1000)
        m->fnumber = 0;
    if (!isfinite(m->focal_mm) || m->focal_mm < 0 || m->focal_mm > 10000)
        m->focal_mm = 0;
    exif_data_unref(ed);
}

void tc_photo_src_meta(const tc_photo_src *s, tc_photo_meta *out)
{
    *out = s->meta;
}
