/* Print sheets (排版照): place photos of physical sizes on a paper, render
 * the sheet as a raster (JPEG/PNG at the paper's dpi) or as a PDF page of
 * the paper's true size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tc_sheet.h"
#include "../pdf/tc_pdf.h"
#include "../photo/tc_photo.h"
#include "../spec/tc_spec.h"

int tc_sheet_paper_find(const char *name, tc_sheet_paper *out, tc_err *e)
{
    static const tc_sheet_paper papers[] = {
        {"6inch", 101.6, 152.4, 300}, /* 4 x 6 in: 1200 x 1800 px */
        {"5inch", 88.9, 127.0, 300},  /* 3.5 x 5 in */
        {"a4", 210.0, 297.0, 300},
    };
    for (size_t i = 0; name && i < TC_ARRAY_LEN(papers); i++)
        if (!strcmp(papers[i].name, name)) {
            *out = papers[i];
            return 0;
        }
    return tc_err_set(e, TCE_PHOTO_BAD_SHEET, name ? name : "");
}

void tc_sheet_layout_free(tc_sheet_layout *l)
{
    if (!l)
        return;
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- planning ------------------------------------------------------------------------ */

/* Gaps tried, widest first: wide gaps are easy to cut; narrow ones are what
 * lets 1寸x8 + 2寸x4 share a 6-inch sheet.  Never 0: photos that touch
 * cannot be cut apart cleanly. */
static const double gaps[] = {3, 2, 1.5, 1, 0.75, 0.5, 0.25};

/* Rows ("shelves") of one kind each, top to bottom, each row centred.
 * Returns the number of rotated photos, or -1 if they do not fit.  When out
 * is given, writes the places there. */
static int shelves(double W, double H, const tc_sheet_item *it, const int *order, unsigned rotmask, size_t n,
                   double g, tc_sheet_place *out)
{
    double y = g;
    size_t k = 0;
    int rotated = 0;
    for (size_t oi = 0; oi < n; oi++) {
        int i = order[oi];
        int rot = (rotmask >> i) & 1;
        double w = rot ? it[i].h_mm : it[i].w_mm, h = rot ? it[i].w_mm : it[i].h_mm;
        int per = (int)floor((W - g) / (w + g) + 1e-9);
        if (per < 1)
            return -1;
        for (int left = it[i].count; left > 0; left -= per) {
            int m = left < per ? left : per;
            if (y + h + g > H + 1e-9)
                return -1;
            double x = (W - (m * w + (m - 1) * g)) / 2;
            for (int j = 0; out && j < m; j++, k++)
                out[k] = (tc_sheet_place){i, x + j * (w + g), y, w, h, rot};
            rotated += rot * m;
            y += h + g;
        }
    }
    /* centre the block vertically */
    if (out) {
        double dy = (H - y) / 2;
        for (size_t j = 0; j < k; j++)
            out[j].y_mm += dy;
    }
    return rotated;
}

static int next_perm(int *a, size_t n)
{
    if (n < 2)
        return 0;
    size_t i = n - 1;
    while (i > 0 && a[i - 1] >= a[i])
        i--;
    if (i == 0)
        return 0;
    size_t j = n - 1;
    while (a[j] <= a[i - 1])
        j--;
    int t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
    for (size_t l = i, r = n - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

/* As many of one size as fit: rows of one orientation, then rows of the
 * other in the remaining height. */
static int best_fill(double W, double H, double w, double h, double g, int *rows_a, int *per_a, int *rows_b,
                     int *per_b)
{
    int best = -1;
    int pa = (int)floor((W - g) / (w + g) + 1e-9), pb = (int)floor((W - g) / (h + g) + 1e-9);
    int max_a = (int)floor((H - g) / (h + g) + 1e-9);
    for (int ra = 0; ra <= max_a; ra++) {
        double left = H - g - ra * (h + g);
        int rb = pb > 0 ? (int)floor(left / (w + g) + 1e-9) : 0;
        int c = (pa > 0 ? ra * pa : 0) + (rb > 0 ? rb * pb : 0);
        if (c > best) {
            best = c;
            *rows_a = pa > 0 ? ra : 0;
            *per_a = pa;
            *rows_b = rb;
            *per_b = pb;
        }
    }
    return best;
}

int tc_sheet_plan(const tc_sheet_paper *paper, const tc_sheet_item *items, size_t n, tc_sheet_layout *out,
                  tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n > 4)
        return tc_err_set(e, TCE_PHOTO_BAD_LAYOUT);
    for (size_t i = 0; i < n; i++)
        if (!(items[i].w_mm > 0 && items[i].h_mm > 0) || items[i].count < 0 || (items[i].count == 0 && n > 1))
            return tc_err_set(e, TCE_PHOTO_BAD_LAYOUT_2);

    if (items[0].count == 0) {
        /* the most of a single size, any orientation */
        int best = 0, ra = 0, pa = 0, rb = 0, pb = 0, land = 0;
        double bg = 0;
        for (size_t gi = 0; gi < TC_ARRAY_LEN(gaps); gi++)
            for (int l = 0; l < 2; l++)
                for (int o = 0; o < 2; o++) {
                    double W = l ? paper->h_mm : paper->w_mm, H = l ? paper->w_mm : paper->h_mm;
                    double w = o ? items[0].h_mm : items[0].w_mm, h = o ? items[0].w_mm : items[0].h_mm;
                    int a = 0, p = 0, b = 0, q = 0;
                    int c = best_fill(W, H, w, h, gaps[gi], &a, &p, &b, &q);
                    if (c > best) {
                        best = c, ra = a, pa = p, rb = b, pb = q, land = l, bg = gaps[gi];
                        /* remember the orientation in the sign of pa */
                        if (o)
                            pa = -pa - 1;
                    }
                }
        if (best <= 0)
            return tc_err_set(e, TCE_PHOTO_SHEET_OVERFLOW);
        int o = pa < 0;
        if (o)
            pa = -pa - 1;
        out->paper = *paper;
        if (land) {
            out->paper.w_mm = paper->h_mm;
            out->paper.h_mm = paper->w_mm;
        }
        out->gap_mm = bg;
        out->v = calloc((size_t)best, sizeof *out->v);
        if (!out->v)
            return tc_err_internal(e, "photo: out of memory");
        double W = out->paper.w_mm, H = out->paper.h_mm;
        double w = o ? items[0].h_mm : items[0].w_mm, h = o ? items[0].w_mm : items[0].h_mm;
        double y = bg, used = bg + ra * (h + bg) + rb * (w + bg);
        y += (H - used) / 2;
        for (int r = 0; r < ra + rb; r++) {
            int second = r >= ra;
            int per = second ? pb : pa;
            double cw = second ? h : w, ch = second ? w : h;
            double x = (W - (per * cw + (per - 1) * bg)) / 2;
            for (int j = 0; j < per; j++)
                out->v[out->n++] = (tc_sheet_place){0, x + j * (cw + bg), y, cw, ch, second ? !o : o};
            y += ch + bg;
        }
        return 0;
    }

    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (size_t)items[i].count;
    if (total > 1000)
        return tc_err_set(e, TCE_PHOTO_BAD_LAYOUT_3);
    for (size_t gi = 0; gi < TC_ARRAY_LEN(gaps); gi++) {
        int best_rot = -1, best_land = 0, best_order[4] = {0};
        unsigned best_mask = 0;
        for (int l = 0; l < 2; l++) {
            double W = l ? paper->h_mm : paper->w_mm, H = l ? paper->w_mm : paper->h_mm;
            int order[4] = {0, 1, 2, 3};
            do {
                for (unsigned mask = 0; mask < (1u << n); mask++) {
                    int r = shelves(W, H, items, order, mask, n, gaps[gi], NULL);
                    if (r >= 0 && (best_rot < 0 || r < best_rot)) {
                        best_rot = r, best_land = l, best_mask = mask;
                        memcpy(best_order, order, sizeof order);
                    }
                }
            } while (next_perm(order, n));
        }
        if (best_rot >= 0) {
            out->paper = *paper;
            if (best_land) {
                out->paper.w_mm = paper->h_mm;
                out->paper.h_mm = paper->w_mm;
            }
            out->gap_mm = gaps[gi];
            out->v = calloc(total, sizeof *out->v);
            if (!out->v)
                return tc_err_internal(e, "photo: out of memory");
            shelves(out->paper.w_mm, out->paper.h_mm, items, best_order, best_mask, n, gaps[gi], out->v);
            out->n = total;
            return 0;
        }
    }
    return tc_err_set(e, TCE_PHOTO_SHEET_OVERFLOW_2, paper->name);
}

int tc_sheet_named_items(const char *layout, const tc_spec_table *t, tc_sheet_item items[2],
                         const tc_spec *specs[2], size_t *n, tc_err *e)
{
    const tc_spec *one = tc_spec_find(t, "1inch"), *two = tc_spec_find(t, "2inch");
    if (!one || !two)
        return tc_err_internal(e, "photo: 1inch/2inch specs missing");
    if (layout && !strcmp(layout, "1")) { /* 版式一 */
        items[0] = (tc_sheet_item){tc_spec_width_mm(one), tc_spec_height_mm(one), 8};
        items[1] = (tc_sheet_item){tc_spec_width_mm(two), tc_spec_height_mm(two), 4};
        specs[0] = one;
        specs[1] = two;
        *n = 2;
        return 0;
    }
    if (layout && !strcmp(layout, "2")) { /* 版式二 */
        items[0] = (tc_sheet_item){tc_spec_width_mm(two), tc_spec_height_mm(two), 8};
        specs[0] = two;
        specs[1] = NULL;
        *n = 1;
        return 0;
    }
    return tc_err_set(e, TCE_PHOTO_BAD_LAYOUT_4, layout ? layout : "");
}

/* ---- rendering ---------------------------------------------------------------------------- */

static int px_of(double mm, double dpi)
{
    return (int)lrint(mm / 25.4 * dpi);
}

/* A photo at exactly tw x th pixels, turned if asked. */
static int photo_at(const uint8_t *jpg, size_t len, int rot, int tw, int th, tc_photo_rgb *out, tc_err *e)
{
    if (tc_photo_sniff(jpg, len) != TC_PHOTO_FMT_JPEG)
        return tc_err_set(e, TCE_PHOTO_BAD_SHEET_2);
    return tc_photo_jpeg_fit(jpg, len, rot, tw, th, out, e);
}

static void hline(uint8_t *cv, int W, int H, int y, int x0, int x1)
{
    if (y < 0 || y >= H)
        return;
    for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < W; x++)
        memset(cv + 3 * ((size_t)y * W + x), 150, 3);
}

static void vline(uint8_t *cv, int W, int H, int x, int y0, int y1)
{
    if (x < 0 || x >= W)
        return;
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < H; y++)
        memset(cv + 3 * ((size_t)y * W + x), 150, 3);
}

static int render_raster(const tc_sheet_layout *l, const uint8_t *const *photos, const size_t *lens, int png,
                         int cut, uint8_t **out, size_t *len, tc_err *e)
{
    double dpi = l->paper.dpi;
    int W = px_of(l->paper.w_mm, dpi), H = px_of(l->paper.h_mm, dpi);
    tc_photo_rgb canvas = {W, H, malloc((size_t)W * H * 3)};
    if (!canvas.px)
        return tc_err_internal(e, "photo: out of memory");
    memset(canvas.px, 255, (size_t)W * H * 3);
    tc_photo_rgb cache = {0};
    int ck = -1, cr = -1, cw = -1, ch = -1;
    for (size_t i = 0; i < l->n; i++) {
        const tc_sheet_place *p = &l->v[i];
        int x = px_of(p->x_mm, dpi), y = px_of(p->y_mm, dpi);
        int tw = px_of(p->x_mm + p->w_mm, dpi) - x, th = px_of(p->y_mm + p->h_mm, dpi) - y;
        if (p->item != ck || p->rotated != cr || tw != cw || th != ch) {
            tc_photo_rgb_free(&cache);
            if (photo_at(photos[p->item], lens[p->item], p->rotated, tw, th, &cache, e) != 0) {
                tc_photo_rgb_free(&canvas);
                return -1;
            }
            ck = p->item, cr = p->rotated, cw = tw, ch = th;
        }
        for (int r = 0; r < th; r++) {
            if (y + r < 0 || y + r >= H)
                continue;
            int x0 = x < 0 ? 0 : x, x1 = x + tw > W ? W : x + tw;
            if (x1 > x0)
                memcpy(canvas.px + 3 * ((size_t)(y + r) * W + x0), cache.px + 3 * ((size_t)r * tw + (x0 - x)),
                       3 * (size_t)(x1 - x0));
        }
        if (cut) {
            hline(canvas.px, W, H, y - 1, x - 1, x + tw);
            hline(canvas.px, W, H, y + th, x - 1, x + tw);
            vline(canvas.px, W, H, x - 1, y - 1, y + th);
            vline(canvas.px, W, H, x + tw, y - 1, y + th);
        }
    }
    tc_photo_rgb_free(&cache);
    int rc = tc_photo_rgb_save(&canvas, png, dpi, out, len, e);
    tc_photo_rgb_free(&canvas);
    return rc;
}

/* A PDF page of the paper's true size; every photo placed at its physical
 * size, its JPEG bytes embedded as they are (tc_pdf). */
static int render_pdf(const tc_sheet_layout *l, const uint8_t *const *photos, const size_t *lens, int cut,
                      uint8_t **out, size_t *len, tc_err *e)
{
    for (size_t i = 0; i < l->n; i++) {
        const tc_sheet_place *p = &l->v[i];
        if (p->item < 0 || p->item >= 4)
            return tc_err_internal(e, "photo: sheet item %d", p->item);
        if (tc_photo_sniff(photos[p->item], lens[p->item]) != TC_PHOTO_FMT_JPEG)
            return tc_err_set(e, TCE_PHOTO_BAD_SHEET_2);
    }
    tc_pdf *d;
    if (tc_pdf_new(l->paper.w_mm, l->paper.h_mm, NULL, &d, e) != 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const tc_sheet_place *p = &l->v[i];
        if (tc_pdf_jpeg(d, photos[p->item], lens[p->item], p->x_mm, p->y_mm, p->w_mm, p->h_mm, p->rotated, e) != 0) {
            tc_pdf_free(d);
            if (!strcmp(e->code, "pdf.bad_image"))
                return tc_err_set(e, TCE_PHOTO_CORRUPT_2);
            return -1;
        }
        if (cut) /* a 0.25 pt grey hairline on the photo's edge */
            tc_pdf_rect(d, p->x_mm, p->y_mm, p->w_mm, p->h_mm, 0.25 / 72 * 25.4, 0.6);
    }
    return tc_pdf_finish(d, out, len, e);
}

int tc_sheet_render(const tc_sheet_layout *l, const uint8_t *const *photos, const size_t *photo_lens,
                    const char *format, int cut_lines, uint8_t **out, size_t *len, tc_err *e)
{
    *out = NULL;
    *len = 0;
    if (!format || !strcmp(format, "jpeg") || !strcmp(format, "jpg"))
        return render_raster(l, photos, photo_lens, 0, cut_lines, out, len, e);
    if (!strcmp(format, "png"))
        return render_raster(l, photos, photo_lens, 1, cut_lines, out, len, e);
    if (!strcmp(format, "pdf"))
        return render_pdf(l, photos, photo_lens, cut_lines, out, len, e);
    return tc_err_set(e, TCE_PHOTO_BAD_SHEET_3, format);
}
