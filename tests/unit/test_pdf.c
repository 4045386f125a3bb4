/* tc_pdf: the QR poster's text is drawn with the right glyphs (pixels of a
 * pdftoppm rendering against the same strings drawn by pango), its font is
 * embedded, the page is A4; images and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "pdf/tc_pdf.h"
#include "qr/tc_qr.h"

static char dir[PATH_MAX], helper[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    if (VIPS_INIT("test_pdf") != 0)
        return -1;
    /* pango_ref is built next to this program (tests/tools/pango_ref.c) */
    ssize_t n = readlink("/proc/self/exe", helper, sizeof helper - 1);
    if (n <= 0)
        return -1;
    helper[n] = 0;
    char *slash = strrchr(helper, '/');
    snprintf(slash + 1, sizeof helper - (size_t)(slash + 1 - helper), "pango_ref");
    snprintf(dir, sizeof dir, "/tmp/test_pdf.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("TEST_PDF_KEEP")) { /* to look at the pages */
        print_message("kept %s\n", dir);
        return 0;
    }
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Run a command, return its output (malloc'ed, NUL-terminated). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += n;
    out[len] = 0;
    assert_int_equal(pclose(p), 0);
    return out;
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Is the ink in the page's band top..bottom mm the text as pango draws it
 * (pango_ref match)?  The whole line correlates above 0.9 and every window
 * about a character wide above 0.85 (a wrong glyph scores below 0.8). */
static int match(const char *pgm, double top, double bottom, const char *text, double pt, int bold)
{
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "'%s' match '%s' 200 %g %g '%s' %g %d", helper, pgm, top, bottom, text, pt, bold);
    char *out = run(cmd);
    double v = -1, worst = -1;
    assert_int_equal(sscanf(out, "{\"ncc\":%lf,\"worst\":%lf", &v, &worst), 2);
    print_message("%-40s %s", text, out);
    free(out);
    return v > 0.9 && worst > 0.85;
}

static void test_poster(void **state)
{
    (void)state;
    tc_err e = {0};
    const char *url = "https://photo.example.edu.cn/?batch=ab3k9qz";
    void *png;
    size_t plen;
    assert_int_equal(tc_qr_encode_png(url, 8, 4, &png, &plen, &e), 0);
    /* Latin letters, digits and Chinese: the old font had no Latin glyphs,
     * libhpdf drew the Chinese with the wrong glyphs */
    tc_pdf_poster p = {"Demo University 示范大学", "2026届本科毕业生", "AB3K9QZ", url, png, plen};
    uint8_t *pdf;
    size_t len;
    tc_pdf_fonts *pf = tc_pdf_fonts_open(&e);
    assert_non_null(pf);
    assert_int_equal(tc_pdf_poster_render(pf, &p, &pdf, &len, &e), 0);
    /* a second document with the same fonts */
    uint8_t *pdf2;
    size_t len2;
    assert_int_equal(tc_pdf_poster_render(pf, &p, &pdf2, &len2, &e), 0);
    free(pdf2);
    tc_pdf_fonts_close(pf);
    assert_int_equal(tc_pdf_poster_render(NULL, &p, &pdf2, &len2, &e), -1);
    assert_string_equal(e.code, "pdf.font_missing");
    g_free(png);
    assert_true(len > 1000 && !memcmp(pdf, "%PDF-", 5));
    char path[PATH_MAX + 32], cmd[3 * PATH_MAX];
    snprintf(path, sizeof path, "%s/poster.pdf", dir);
    write_file(path, pdf, len);
    free(pdf);

    /* A4, true size */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
    char *info = run(cmd);
    char *ps = strstr(info, "Page size:");
    double pw = 0, ph = 0;
    assert_non_null(ps);
    assert_int_equal(sscanf(ps, "Page size: %lf x %lf", &pw, &ph), 2);
    print_message("page %g x %g pt\n", pw, ph);
    assert_true(fabs(pw - 595.276) < 0.1 && fabs(ph - 841.89) < 0.1);
    free(info);

    /* every font embedded, and it is ours */
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
    char *fonts = run(cmd);
    print_message("%s", fonts);
    int rows = 0;
    for (char *l = strchr(fonts, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        if (!strncmp(l + 1, "----", 4))
            continue;
        char name[256], emb[8];
        /* name type... emb sub uni object ID: the type has spaces, so find
         * "yes|no yes|no yes|no" from the right */
        char line[512];
        size_t k = 0;
        for (char *c = l + 1; *c && *c != '\n' && k < sizeof line - 1; c++)
            line[k++] = *c;
        line[k] = 0;
        if (k == 0 || sscanf(line, "%255s", name) != 1 || !strcmp(name, "name"))
            continue;
        rows++;
        assert_non_null(strstr(name, "NotoSansCJK"));
        char *tail = line + k;
        int words = 0;
        while (tail > line && words < 5) /* object, ID, uni, sub, emb */
            if (*--tail == ' ' && tail[1] != ' ')
                words++;
        assert_int_equal(sscanf(tail, " %7s", emb), 1);
        assert_string_equal(emb, "yes");
    }
    assert_true(rows >= 1);
    free(fonts);

    /* the drawn glyphs: render the page, compare the text's band with the
     * same strings drawn by pango */
    snprintf(cmd, sizeof cmd, "pdftoppm -gray -r 200 -singlefile '%s' '%s/page'", path, dir);
    free(run(cmd));
    char pgm[PATH_MAX + 16];
    snprintf(pgm, sizeof pgm, "%s/page.pgm", dir);
    double t = TC_PDF_POSTER_TITLE_Y, c = TC_PDF_POSTER_CODE_Y, u = TC_PDF_POSTER_URL_Y;
    assert_true(match(pgm, t - 3, t + 16, p.school, TC_PDF_POSTER_TITLE_PT, 1));
    assert_true(match(pgm, c - 3, c + 13, "特征码  AB3K9QZ", TC_PDF_POSTER_CODE_PT, 1));
    assert_true(match(pgm, u - 3, u + 9, url, TC_PDF_POSTER_URL_PT, 0));
    /* the check tells glyphs apart: other text in the same place, even one
     * character off, is no match */
    assert_false(match(pgm, t - 3, t + 16, "Demo Universe 示范大字", TC_PDF_POSTER_TITLE_PT, 1));
    assert_false(match(pgm, c - 3, c + 13, "特征码  AB3K9QX", TC_PDF_POSTER_CODE_PT, 1));
    assert_false(match(pgm, u - 3, u + 9, "https://photo.example.edu.cn/?batch=ab3k9qs", TC_PDF_POSTER_URL_PT, 0));

    /* the text layer too (copy, search) */
    snprintf(cmd, sizeof cmd, "pdftotext '%s' -", path);
    char *txt = run(cmd);
    assert_non_null(strstr(txt, "Demo University 示范大学"));
    assert_non_null(strstr(txt, "AB3K9QZ"));
    assert_non_null(strstr(txt, "ab3k9qz"));
    free(txt);
}

static void test_errors(void **state)
{
    (void)state;
    tc_err e = {0};
    tc_pdf *d;
    assert_int_equal(tc_pdf_new(100, 150, NULL, &d, &e), 0);
    assert_int_equal(tc_pdf_jpeg(d, "nope", 4, 0, 0, 10, 10, 0, &e), -1);
    assert_string_equal(e.code, "pdf.bad_image");
    assert_int_equal(tc_pdf_png(d, "\x89PNG nope", 9, 0, 0, 10, 10, &e), -1);
    assert_string_equal(e.code, "pdf.bad_image");
    assert_int_equal(tc_pdf_text(d, "\xff\xfe", 12, 0, 0, 0, TC_PDF_LEFT, 0, NULL, &e), -1);
    assert_string_equal(e.code, "pdf.bad_text");
    uint8_t *out;
    size_t len;
    assert_int_equal(tc_pdf_finish(d, &out, &len, &e), 0);
    assert_true(len > 100 && !memcmp(out, "%PDF-", 5));
    free(out);
    assert_int_equal(tc_pdf_new(0, 150, NULL, &d, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poster),
        cmocka_unit_test(test_errors),
    };
    int r = cmocka_run_group_tests(tests, setup, teardown);
    vips_shutdown();
    return r;
}
