/* PDF pages with cairo (drawing, font embedding) and pango (text shaping).
 * See tc_pdf.h for why. */
#include "tc_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

enum { IMG_CACHE = 8 };

/* A JPEG already made into a cairo surface: placing the same photo again
 * reuses the surface, so the PDF holds one image object however often a
 * sheet shows it. */
typedef struct img_slot {
    const void *key;
    size_t len;
    cairo_surface_t *s;
} img_slot;

struct tc_pdf_fonts {
    pthread_mutex_t mu;      /* held by the one document using the map */
    PangoFontMap *map;
};

struct tc_pdf {
    tc_buf out;              /* the PDF bytes cairo writes                   */
    cairo_surface_t *surf;   /* the PDF surface, in points                   */
    cairo_t *cr;             /* user space: millimetres, origin top-left    */
    tc_pdf_fonts *fonts;     /* locked while this document lives, or NULL   */
    PangoContext *pc;        /* made on the first text                      */
    img_slot imgs[IMG_CACHE];
    size_t nimgs;
};

static const double PT_PER_MM = 72.0 / 25.4;

static cairo_status_t write_cb(void *cls, const unsigned char *data, unsigned int n)
{
    tc_pdf *d = cls;
    tc_buf_append(&d->out, data, n);
    return CAIRO_STATUS_SUCCESS;
}

tc_pdf_fonts *tc_pdf_fonts_open(tc_err *e)
{
    tc_pdf_fonts *f = calloc(1, sizeof *f);
    if (!f) {
        tc_err_internal(e, "pdf: out of memory");
        return NULL;
    }
    f->map = tc_pdf_font_map(e);
    if (!f->map) {
        free(f);
        return NULL;
    }
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

void tc_pdf_fonts_close(tc_pdf_fonts *f)
{
    if (!f)
        return;
    pango_fc_font_map_shutdown(PANGO_FC_FONT_MAP(f->map));
    g_object_unref(f->map);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

int tc_pdf_new(double w_mm, double h_mm, tc_pdf_fonts *fonts, tc_pdf **out, tc_err *e)
{
    *out = NULL;
    if (!(w_mm > 0 && h_mm > 0 && w_mm < 5000 && h_mm < 5000))
        return tc_err_internal(e, "pdf: page %g x %g mm", w_mm, h_mm);
    tc_pdf *d = calloc(1, sizeof *d);
    if (!d)
        return tc_err_internal(e, "pdf: out of memory");
    tc_buf_init(&d->out);
    if (fonts) {
        pthread_mutex_lock(&fonts->mu);
        d->fonts = fonts;
    }
    d->surf = cairo_pdf_surface_create_for_stream(write_cb, d, w_mm * PT_PER_MM, h_mm * PT_PER_MM);
    d->cr = cairo_create(d->surf);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        const char *why = cairo_status_to_string(cairo_status(d->cr));
        tc_pdf_free(d);
        return tc_err_set(e, TCE_PDF_ENCODE, why);
    }
    /* PDF 1.5: compressed object streams make the file smaller; every viewer
     * and print RIP of the last fifteen years reads it */
    cairo_pdf_surface_restrict_to_version(d->surf, CAIRO_PDF_VERSION_1_5);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "tucai");
    cairo_scale(d->cr, PT_PER_MM, PT_PER_MM);
    *out = d;
    return 0;
}

void tc_pdf_free(tc_pdf *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nimgs; i++)
        cairo_surface_destroy(d->imgs[i].s);
    if (d->pc)
        g_object_unref(d->pc);
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surf) {
        /* finishing writes the rest of the file; it is not wanted any more */
        cairo_surface_finish(d->surf);
        cairo_surface_destroy(d->surf);
    }
    /* only now: finishing the surface still reads the fonts (subsetting) */
    if (d->fonts)
        pthread_mutex_unlock(&d->fonts->mu);
    tc_buf_free(&d->out);
    free(d);
}

static int bad_image(tc_err *e, const char *what)
{
    return tc_err_set(e, TCE_PDF_BAD_IMAGE, what);
}

/* Decode a JPEG into an RGB24 surface of its own pixel size and attach the
 * JPEG bytes, which cairo then writes as the image (DCT) instead of the
 * pixels; the pixels are there for anything cairo must rasterise itself. */
static cairo_surface_t *jpeg_surface(const void *jpg, size_t len, tc_err *e)
{
    static const uint8_t SOI[3] = {0xFF, 0xD8, 0xFF};
    if (len < 3 || memcmp(jpg, SOI, 3) != 0) {
        bad_image(e, "not a JPEG");
        return NULL;
    }
    VipsImage *a = NULL, *b = NULL, *c = NULL;
    if (vips_jpegload_buffer((void *)jpg, len, &a, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL) != 0 ||
        vips_colourspace(a, &b, VIPS_INTERPRETATION_sRGB, NULL) != 0 ||
        vips_cast(b, &c, VIPS_FORMAT_UCHAR, NULL) != 0) {
        vips_error_clear();
        if (a)
            g_object_unref(a);
        if (b)
            g_object_unref(b);
        bad_image(e, "JPEG");
        return NULL;
    }
    g_object_unref(a);
    g_object_unref(b);
    /* photos on a sheet are a few hundred pixels a side; a picture this big
     * is a mistake, not worth a gigabyte of pixels */
    if ((double)c->Xsize * c->Ysize > 50e6) {
        g_object_unref(c);
        bad_image(e, "JPEG over 50 megapixels");
        return NULL;
    }
    size_t n = 0;
    uint8_t *px = vips_image_write_to_memory(c, &n);
    int w = c->Xsize, h = c->Ysize, bands = c->Bands;
    g_object_unref(c);
    if (!px || bands < 3 || n < (size_t)w * h * bands) {
        g_free(px);
        vips_error_clear();
        bad_image(e, "JPEG pixels");
        return NULL;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    uint8_t *dst = cairo_image_surface_get_data(s);
    uint8_t *mime = malloc(len);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS || !dst || !mime) {
        g_free(px);
        free(mime);
        cairo_surface_destroy(s);
        tc_err_internal(e, "pdf: out of memory");
        return NULL;
    }
    int stride = cairo_image_surface_get_stride(s);
    cairo_surface_flush(s);
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(dst + (size_t)y * stride);
        const uint8_t *p = px + (size_t)y * w * bands;
        for (int x = 0; x < w; x++, p += bands)
            row[x] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    }
    cairo_surface_mark_dirty(s);
    g_free(px);
    memcpy(mime, jpg, len);
    if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, mime, len, free, mime) != CAIRO_STATUS_SUCCESS) {
        free(mime);
        cairo_surface_destroy(s);
        tc_err_internal(e, "pdf: out of memory");
        return NULL;
    }
    return s;
}

int tc_pdf_jpeg(tc_pdf *d, const void *jpg, size_t len, double x_mm, double y_mm, double w_mm, double h_mm,
                int rotated, tc_err *e)
{
    cairo_surface_t *s = NULL;
    for (size_t i = 0; i < d->nimgs; i++)
        if (d->imgs[i].key == jpg && d->imgs[i].len == len)
            s = d->imgs[i].s;
    if (!s) {
        s = jpeg_surface(jpg, len, e);
        if (!s)
            return -1;
        if (d->nimgs == IMG_CACHE) { /* forget the oldest; the PDF keeps what it drew */
            cairo_surface_destroy(d->imgs[0].s);
            memmove(d->imgs, d->imgs + 1, (IMG_CACHE - 1) * sizeof d->imgs[0]);
            d->nimgs--;
        }
        d->imgs[d->nimgs++] = (img_slot){jpg, len, s};
    }
    double iw = cairo_image_surface_get_width(s), ih = cairo_image_surface_get_height(s);
    cairo_save(d->cr);
    if (rotated) {
        /* 90° clockwise: the picture's top-left corner goes to the box's
         * top-right, its unturned width runs down the box's height */
        cairo_translate(d->cr, x_mm + w_mm, y_mm);
        cairo_rotate(d->cr, M_PI / 2);
        cairo_scale(d->cr, h_mm / iw, w_mm / ih);
    } else {
        cairo_translate(d->cr, x_mm, y_mm);
        cairo_scale(d->cr, w_mm / iw, h_mm / ih);
    }
    /* painted whole, no extend, no clip: cairo then writes the image
     * XObject itself (the JPEG) placed by one "cm", nothing resampled */
    cairo_set_source_surface(d->cr, s, 0, 0);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    return 0;
}

typedef struct mem_reader {
    const uint8_t *p;
    size_t left;
} mem_reader;

static cairo_status_t read_cb(void *cls, unsigned char *data, unsigned int n)
{
    mem_reader *m = cls;
    if (n > m->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, m->p, n);
    m->p += n;
    m->left -= n;
    return CAIRO_STATUS_SUCCESS;
}

int tc_pdf_png(tc_pdf *d, const void *png, size_t len, double x_mm, double y_mm, double w_mm, double h_mm, tc_err *e)
{
    mem_reader m = {png, len};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_cb, &m);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return bad_image(e, "PNG");
    }
    double iw = cairo_image_surface_get_width(s), ih = cairo_image_surface_get_height(s);
    cairo_save(d->cr);
    cairo_translate(d->cr, x_mm, y_mm);
    cairo_scale(d->cr, w_mm / iw, h_mm / ih);
    cairo_set_source_surface(d->cr, s, 0, 0);
    /* no smoothing: a QR module must stay a sharp square when printed */
    cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_NEAREST);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(s);
    return 0;
}

void tc_pdf_rect(tc_pdf *d, double x_mm, double y_mm, double w_mm, double h_mm, double line_mm, double grey)
{
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, grey, grey, grey);
    cairo_set_line_width(d->cr, line_mm);
    cairo_rectangle(d->cr, x_mm, y_mm, w_mm, h_mm);
    cairo_stroke(d->cr);
    cairo_restore(d->cr);
}

void *tc_pdf_font_map(tc_err *e)
{
    if (access(TC_PDF_FONT, R_OK) != 0 || access(TC_PDF_FONT_BOLD, R_OK) != 0) {
        tc_err_set(e, TCE_PDF_FONT_MISSING, access(TC_PDF_FONT, R_OK) != 0 ? TC_PDF_FONT : TC_PDF_FONT_BOLD);
        return NULL;
    }
    /* only our two files: no other font on the machine can stand in for a
     * glyph, and fontconfig's configuration files are not read at all */
    FcConfig *fc = FcConfigCreate();
    if (!fc || !FcConfigAppFontAddFile(fc, (const FcChar8 *)TC_PDF_FONT) ||
        !FcConfigAppFontAddFile(fc, (const FcChar8 *)TC_PDF_FONT_BOLD)) {
        if (fc)
            FcConfigDestroy(fc);
        tc_err_set(e, TCE_PDF_FONT_MISSING_2, TC_PDF_FONT);
        return NULL;
    }
    PangoFontMap *fm = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!fm) {
        FcConfigDestroy(fc);
        tc_err_internal(e, "pdf: no FreeType font map");
        return NULL;
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(fm), fc); /* takes its own reference */
    FcConfigDestroy(fc);
    return fm;
}

static int fonts_ready(tc_pdf *d, tc_err *e)
{
    if (d->pc)
        return 0;
    if (!d->fonts)
        return tc_err_set(e, TCE_PDF_FONT_MISSING, TC_PDF_FONT);
    d->pc = pango_font_map_create_context(d->fonts->map);
    pango_context_set_language(d->pc, pango_language_from_string("zh-cn"));
    /* outlines as designed: hinting would snap them to a screen's pixels */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(d->pc, fo);
    cairo_font_options_destroy(fo);
    /* pango rounds glyph positions to whole user units by default, and ours
     * are millimetres: letters would jump by up to a millimetre */
    pango_context_set_round_glyph_positions(d->pc, FALSE);
    return 0;
}

int tc_pdf_text(tc_pdf *d, const char *utf8, double size_pt, int bold, double x_mm, double y_mm, tc_pdf_align align,
                double max_w_mm, double *h_mm, tc_err *e)
{
    if (!utf8 || !g_utf8_validate(utf8, -1, NULL))
        return tc_err_set(e, TCE_PDF_BAD_TEXT);
    if (fonts_ready(d, e) != 0)
        return -1;
    pango_cairo_update_context(d->cr, d->pc);
    PangoLayout *lay = pango_layout_new(d->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, TC_PDF_FAMILY);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    /* user space is millimetres */
    pango_font_description_set_absolute_size(fd, size_pt / PT_PER_MM * PANGO_SCALE);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, utf8, -1);
    PangoRectangle logical;
    pango_layout_get_extents(lay, NULL, &logical);
    double w = (double)logical.width / PANGO_SCALE, h = (double)logical.height / PANGO_SCALE;
    double k = max_w_mm > 0 && w > max_w_mm ? max_w_mm / w : 1;
    cairo_save(d->cr);
    cairo_translate(d->cr, align == TC_PDF_CENTRE ? x_mm - w * k / 2 : x_mm, y_mm);
    cairo_scale(d->cr, k, k);
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    pango_cairo_update_layout(d->cr, lay);
    cairo_move_to(d->cr, -(double)logical.x / PANGO_SCALE, 0);
    pango_cairo_show_layout(d->cr, lay);
    cairo_restore(d->cr);
    g_object_unref(lay);
    if (h_mm)
        *h_mm = h * k;
    return 0;
}

int tc_pdf_finish(tc_pdf *d, uint8_t **out, size_t *len, tc_err *e)
{
    *out = NULL;
    *len = 0;
    cairo_show_page(d->cr);
    cairo_status_t st = cairo_status(d->cr);
    cairo_destroy(d->cr);
    d->cr = NULL;
    cairo_surface_finish(d->surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d->surf);
    cairo_surface_destroy(d->surf);
    d->surf = NULL;
    if (st != CAIRO_STATUS_SUCCESS) {
        const char *why = cairo_status_to_string(st);
        tc_pdf_free(d);
        return tc_err_set(e, TCE_PDF_ENCODE, why);
    }
    *out = (uint8_t *)tc_buf_steal(&d->out, len);
    tc_pdf_free(d);
    return 0;
}
