/* The reference for the PDF tests: the text layer of a PDF (what pdftotext
 * reads) can be right while the drawn glyphs are boxes or other characters,
 * and only the pixels show that.
 *
 *   pango_ref render TEXT SIZE_PT BOLD DPI OUT.pgm
 *     one line drawn straight by pango (no PDF in between), black on white,
 *     with the font and settings tc_pdf uses;
 *   pango_ref match PAGE.pgm DPI TOP_MM BOTTOM_MM TEXT SIZE_PT BOLD
 *     PAGE.pgm is a page rendered by `pdftoppm -gray -r DPI`; the ink in the
 *     band TOP_MM..BOTTOM_MM (from the top) is compared with the reference
 *     for TEXT: prints {"ncc":…,"worst":…,"page":[x,y,w,h],"ref":[w,h]} —
 *     ncc: the normalised correlation of the two inked boxes, as the mean
 *     over windows about one character wide that follow the drift of the
 *     glyph positions along the line; 1 for the same drawing, low for boxes
 *     or other glyphs;
 *     worst: the lowest of the same over windows about one character wide
 *     (one wrong glyph in a long line). */
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/tc_pdf.h"

typedef struct grey {
    int w, h;
    unsigned char *px;
} grey;

/* Draw text into g (malloc'ed pixels, caller frees). */
static int draw(const char *text, double pt, int bold, double dpi, grey *g)
{
    tc_err e = {0};
    PangoFontMap *fm = tc_pdf_font_map(&e);
    if (!fm) {
        fprintf(stderr, "pango_ref: %s\n", e.en);
        return -1;
    }
    PangoContext *pc = pango_font_map_create_context(fm);
    pango_context_set_language(pc, pango_language_from_string("zh-cn"));
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pc, fo);
    pango_context_set_round_glyph_positions(pc, FALSE); /* as tc_pdf */
    cairo_font_options_destroy(fo);
    PangoLayout *lay = pango_layout_new(pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, TC_PDF_FAMILY);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, pt * dpi / 72 * PANGO_SCALE); /* in pixels */
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, text, -1);
    PangoRectangle lg;
    pango_layout_get_pixel_extents(lay, NULL, &lg);
    int W = lg.width + 20, H = lg.height + 20;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, 10 - lg.x, 10);
    pango_cairo_update_layout(cr, lay);
    pango_cairo_show_layout(cr, lay);
    cairo_surface_flush(s);
    g->w = W;
    g->h = H;
    g->px = malloc((size_t)W * H);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; g->px && y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned px = *(const unsigned *)(const void *)(d + (size_t)y * stride + 4 * (size_t)x);
            g->px[(size_t)y * W + x] = (unsigned char)(((px >> 16 & 255) + (px >> 8 & 255) + (px & 255)) / 3);
        }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    g_object_unref(lay);
    g_object_unref(pc);
    g_object_unref(fm);
    return g->px ? 0 : -1;
}

static int pgm_write(const char *path, const grey *g)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, "P5\n%d %d\n255\n", g->w, g->h);
    fwrite(g->px, 1, (size_t)g->w * g->h, f);
    return fclose(f);
}

static int pgm_read(const char *path, grey *g)
{
    FILE *f = fopen(path, "rb");
    int maxv;
    if (!f)
        return -1;
    if (fscanf(f, "P5 %d %d %d", &g->w, &g->h, &maxv) != 3 || maxv != 255 || fgetc(f) == EOF || g->w <= 0 ||
        g->h <= 0) {
        fclose(f);
        return -1;
    }
    g->px = malloc((size_t)g->w * g->h);
    int ok = g->px && fread(g->px, 1, (size_t)g->w * g->h, f) == (size_t)g->w * g->h;
    fclose(f);
    return ok ? 0 : -1;
}

/* The box around the ink (pixels darker than mid-grey) in rows y0..y1. */
static int ink_box(const grey *g, int y0, int y1, int box[4])
{
    int x0 = g->w, x1 = -1, t = g->h, b = -1;
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            if (g->px[(size_t)y * g->w + x] < 128) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                t = y < t ? y : t, b = y > b ? y : b;
            }
    if (x1 < 0)
        return -1;
    box[0] = x0, box[1] = t, box[2] = x1 - x0 + 1, box[3] = b - t + 1;
    return 0;
}

/* Normalised correlation of a's box (shifted by dx, dy) with b's box, over
 * b's box size; pixels outside a count as white. */
static double ncc(const grey *a, const int ab[4], const grey *b, const int bb[4], int dx, int dy, int x0, int x1)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = (double)(x1 - x0) * bb[3];
    for (int y = 0; y < bb[3]; y++)
        for (int x = x0; x < x1; x++) {
            int ax = ab[0] + x + dx, ay = ab[1] + y + dy;
            double va = ax >= 0 && ay >= 0 && ax < a->w && ay < a->h ? a->px[(size_t)ay * a->w + ax] : 255;
            double vb = b->px[(size_t)(bb[1] + y) * b->w + bb[0] + x];
            sa += va, sb += vb, saa += va * va, sbb += vb * vb, sab += va * vb;
        }
    double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
    return va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && !strcmp(argv[1], "render")) {
        grey g;
        if (draw(argv[2], atof(argv[3]), atoi(argv[4]), atof(argv[5]), &g) != 0)
            return 1;
        int rc = pgm_write(argv[6], &g);
        free(g.px);
        return rc ? 1 : 0;
    }
    if (argc == 9 && !strcmp(argv[1], "match")) {
        grey page, ref;
        double dpi = atof(argv[3]);
        if (pgm_read(argv[2], &page) != 0) {
            fprintf(stderr, "pango_ref: cannot read %s\n", argv[2]);
            return 1;
        }
        if (draw(argv[6], atof(argv[7]), atoi(argv[8]), dpi, &ref) != 0)
            return 1;
        int pb[4], rb[4];
        int y0 = (int)(atof(argv[4]) / 25.4 * dpi), y1 = (int)(atof(argv[5]) / 25.4 * dpi);
        double best = 0, worst = 0;
        if (ink_box(&page, y0, y1, pb) == 0 && ink_box(&ref, 0, ref.h - 1, rb) == 0) {
            int bx = 0, by = 0;
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++) {
                    double v = ncc(&page, pb, &ref, rb, dx, dy, 0, rb[2]);
                    if (v > best)
                        best = v, bx = dx, by = dy;
                }
            /* The same in windows about a character wide: one wrong glyph
             * among many barely moves the whole line's score.  poppler and
             * cairo advance glyphs by slightly different amounts, so on a
             * long line of small text the offset drifts by a pixel or two
             * from one end to the other (one global shift then scores a
             * right line 0.87): each window searches around the offset the
             * previous window found, at most 6 px from the global one, and
             * the line's score is the mean of the windows. */
            int win = rb[3] > 4 ? rb[3] : 4, cx = bx, cy = by, nw = 0;
            double sum = 0;
            worst = 1;
            for (int x = 0; x < rb[2]; x += win / 2) {
                int x1 = x + win < rb[2] ? x + win : rb[2];
                double v = -1;
                int wx = cx, wy = cy;
                for (int dy = cy - 1; dy <= cy + 1; dy++)
                    for (int dx = cx - 2; dx <= cx + 2; dx++) {
                        if (abs(dx - bx) > 6 || abs(dy - by) > 2)
                            continue;
                        double w = ncc(&page, pb, &ref, rb, dx, dy, x1 - win > 0 ? x1 - win : 0, x1);
                        if (w > v)
                            v = w, wx = dx, wy = dy;
                    }
                cx = wx, cy = wy;
                sum += v, nw++;
                worst = v < worst ? v : worst;
            }
            best = nw ? sum / nw : 0;
        } else {
            pb[0] = pb[1] = pb[2] = pb[3] = rb[2] = rb[3] = 0;
        }
        printf("{\"ncc\":%.4f,\"worst\":%.4f,\"page\":[%d,%d,%d,%d],\"ref\":[%d,%d]}\n", best, worst, pb[0], pb[1],
               pb[2], pb[3], rb[2], rb[3]);
        free(page.px);
        free(ref.px);
        return 0;
    }
    fprintf(stderr, "usage: pango_ref render TEXT SIZE_PT BOLD DPI OUT.pgm\n"
                    "       pango_ref match PAGE.pgm DPI TOP_MM BOTTOM_MM TEXT SIZE_PT BOLD\n");
    return 2;
}
