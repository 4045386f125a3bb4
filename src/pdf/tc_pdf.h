/*
 * tc_pdf — the PDFs the server hands out (the batch QR poster, print sheets,
 * reprint sheets), drawn with cairo; text laid out by pango.
 *
 * Why cairo + pango: a PDF viewer draws what the file's font program says,
 * glyph by glyph.  Chinese text needs a font with the glyphs, shaped into
 * glyph ids and embedded; the text layer (what pdftotext reads) can be right
 * while the drawn glyphs are wrong.  Pango shapes the UTF-8 text with the
 * font we name, cairo embeds the subset of that font the page uses (CID
 * font, "emb yes" in pdffonts) and writes the ToUnicode map.
 *
 * The font is one file, not whatever fontconfig finds on the machine: the
 * font map is a private fontconfig set holding only TC_PDF_FONT (and
 * TC_PDF_FONT_BOLD), so a missing glyph can never silently come from another
 * font and the page prints the same on every server.  Noto Sans CJK
 * (Debian: fonts-noto-cjk) covers Chinese, Latin letters and digits.
 *
 * Coordinates are millimetres from the page's top-left corner; the page is
 * its true size (1 mm = 72/25.4 pt), so a photo placed at 35 x 49 mm prints
 * at 35 x 49 mm.
 *
 * The font map is made once per process (tc_pdf_fonts_open, in main):
 * fontconfig keeps what it learns about a font file for the life of the
 * process, so a map per document would grow the server by ~400 kB a poster.
 *
 * Thread-safe: a tc_pdf is used by one thread; documents that share a
 * tc_pdf_fonts take turns (its lock is held from tc_pdf_new to finish/free,
 * because pango's font map and cairo's font subsetting are not meant to be
 * shared between threads).
 *
 * Owns: the font map (tc_pdf_fonts_open .. _close, shared read-only by
 * threads) and each document under construction (tc_pdf_new .. tc_pdf_free);
 * finished PDF bytes belong to the caller.
 */
#ifndef TC_PDF_H
#define TC_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

#define TC_PDF_FONT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define TC_PDF_FONT_BOLD "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
/* the face inside the collection: Simplified Chinese glyph forms */
#define TC_PDF_FAMILY "Noto Sans CJK SC"

typedef struct tc_pdf tc_pdf;
typedef struct tc_pdf_fonts tc_pdf_fonts;

/* The fonts for every document of the process: a private fontconfig set
 * holding only TC_PDF_FONT and TC_PDF_FONT_BOLD.  Owned by the caller (main),
 * closed after the last document.  Errors: pdf.font_missing (500, names the
 * file and the Debian package). */
tc_pdf_fonts *tc_pdf_fonts_open(tc_err *e);
void tc_pdf_fonts_close(tc_pdf_fonts *f);

/* A document of one page, w_mm x h_mm, with text in fonts (NULL: a page
 * without text, e.g. a print sheet).  *out is owned by the caller: pass it
 * to tc_pdf_finish (which frees it) or tc_pdf_free.  Errors: pdf.encode (500). */
int tc_pdf_new(double w_mm, double h_mm, tc_pdf_fonts *fonts, tc_pdf **out, tc_err *e);
void tc_pdf_free(tc_pdf *d);

/* Draw a JPEG (8-bit grey or RGB) into the box at (x, y) of w x h mm,
 * stretched to fill it.  rotated: the picture is turned 90° clockwise first
 * (so w and h are the turned picture's).  The JPEG bytes go into the PDF as
 * they are (DCT), never recompressed; drawn again (the same jpg pointer and
 * len), the same image object is placed again.  Errors: pdf.bad_image (400). */
int tc_pdf_jpeg(tc_pdf *d, const void *jpg, size_t len, double x_mm, double y_mm, double w_mm, double h_mm,
                int rotated, tc_err *e);

/* Draw a PNG into the box, without smoothing (a QR code stays sharp).
 * Errors: pdf.bad_image (400). */
int tc_pdf_png(tc_pdf *d, const void *png, size_t len, double x_mm, double y_mm, double w_mm, double h_mm, tc_err *e);

/* Stroke a rectangle (cut lines): line width in mm, grey 0 (black) .. 1. */
void tc_pdf_rect(tc_pdf *d, double x_mm, double y_mm, double w_mm, double h_mm, double line_mm, double grey);

typedef enum { TC_PDF_LEFT, TC_PDF_CENTRE } tc_pdf_align;

/* One line of UTF-8 text in TC_PDF_FAMILY at size_pt points, its top at
 * y_mm; TC_PDF_LEFT starts at x_mm, TC_PDF_CENTRE centres it on x_mm.  Text
 * wider than max_w_mm (> 0) is scaled down to fit.  *h_mm (may be NULL) gets
 * the line's height.  Errors: pdf.bad_text (400: not UTF-8), pdf.font_missing
 * (500: the document has no fonts — the font file was absent at start;
 * install fonts-noto-cjk). */
int tc_pdf_text(tc_pdf *d, const char *utf8, double size_pt, int bold, double x_mm, double y_mm, tc_pdf_align align,
                double max_w_mm, double *h_mm, tc_err *e);

/* Close the page and the document; *out (malloc'ed, caller frees) holds the
 * PDF.  Frees d whatever happens.  Errors: pdf.encode (500). */
int tc_pdf_finish(tc_pdf *d, uint8_t **out, size_t *len, tc_err *e);

/* A private font map holding only the files above, for a program that lays
 * out text with pango itself (tests/tools/pango_ref.c draws the reference
 * strings with it).  Returns a new PangoFontMap (g_object_unref it) or NULL
 * with pdf.font_missing.  Make one per process (see above). */
void *tc_pdf_font_map(tc_err *e);

/* ---- the batch QR poster ------------------------------------------------------------ */

typedef struct tc_pdf_poster {
    const char *school;     /* the school's name                         */
    const char *batch;      /* the batch's name                          */
    const char *code;       /* the 特征码, as printed                    */
    const char *url;        /* what the QR code holds, printed under it  */
    const void *qr_png;     /* the QR code as a PNG (tc_qr_encode_png)   */
    size_t qr_len;
} tc_pdf_poster;

/* Where the poster puts things, in mm from the top-left of an A4 page; the
 * tests look for the text there. */
enum {
    TC_PDF_POSTER_TITLE_Y = 22, /* the school's name, centred, 26 pt bold */
    TC_PDF_POSTER_TITLE_PT = 26,
    TC_PDF_POSTER_QR_Y = 70,    /* the QR code, 100 mm square, centred    */
    TC_PDF_POSTER_QR_MM = 100,
    TC_PDF_POSTER_CODE_Y = 176, /* "特征码  ABC1234", centred, 20 pt bold  */
    TC_PDF_POSTER_CODE_PT = 20,
    TC_PDF_POSTER_URL_Y = 272,  /* the link, centred, 11 pt               */
    TC_PDF_POSTER_URL_PT = 11,
};

/* The A4 poster every school prints: the school, the batch, the QR code, the
 * 特征码, the four steps and the link, in fonts (NULL: pdf.font_missing).
 * *out malloc'ed, caller frees.  Errors: as tc_pdf_text and tc_pdf_png. */
int tc_pdf_poster_render(tc_pdf_fonts *fonts, const tc_pdf_poster *p, uint8_t **out, size_t *len, tc_err *e);

#endif
