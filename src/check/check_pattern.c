/* Patterned clothing (issue 16 item 8; seeds 001 §9, 003 §5, 004 §4:
 * 避免复杂图案、条纹 / 花纹).  The seeds ask students to AVOID patterns, and a
 * checked shirt is in the compliant portraits: this check never rejects by
 * itself, it flags a busy top for the reviewer (docs/QUALITY.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

/* The top below the chin (0.2 to 1.6 face heights below it, within 1.05
 * face widths of the centre line), cut into square cells of 0.25 face
 * widths.  Along each row of a cell (and each column), count the strong
 * luma steps (more than EDGE_STEP across 2s pixels, s = 1/100 of the face
 * width, so that the scale follows the face, not the camera) whose sign
 * differs from the previous strong step's: an edge gives 1, a fold, a
 * lapel or a tie 2, stripes or checks two per period.  A cell is busy when
 * the median row (or column) alternates CELL_ALTS times or more: two whole
 * periods or more within 0.25 face widths.  Only pixels well inside the
 * person (the mask at 0.9 or more 2s pixels around) and not skin count;
 * along a scanline every s-th pixel is read (a step across 2s pixels needs
 * no finer sampling to be seen).  value = busy cells / cells. */
#define EDGE_STEP 20
#define CELL_ALTS 4

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* 1 when pixel (xx, y) may be measured: well inside the person, not skin. */
static int usable(check_ctx *x, int skin, int s, int xx, int y)
{
    if (xx - 2 * s < 0 || xx + 2 * s >= x->w || y - 2 * s < 0 || y + 2 * s >= x->h)
        return 0;
    if (check_mask_at(x, xx, y) < 0.9f || check_mask_at(x, xx - 2 * s, y) < 0.9f ||
        check_mask_at(x, xx + 2 * s, y) < 0.9f || check_mask_at(x, xx, y - 2 * s) < 0.9f ||
        check_mask_at(x, xx, y + 2 * s) < 0.9f)
        return 0;
    if (skin) {
        double lab[3];
        check_rgb_lab(x, x->in->work->px + ((size_t)y * x->w + xx) * 3, lab);
        if (check_delta_e(lab, x->skin_lab) < 12)
            return 0;
    }
    return 1;
}

/* The median alternation count of a cell's scanlines in one direction
 * (dir 0: rows, gradient along x; 1: columns); -1 when too few usable. */
static int cell_alts(check_ctx *x, const uint8_t *lum, int skin, int s, int x0, int y0, int cell, int st, int dir,
                     int *lines)
{
    int n = 0, used = 0, tot = 0;
    for (int a = 0; a < cell; a += st) {
        int alts = 0, last = 0, seen = 0;
        for (int b = 0; b < cell; b += s) {
            int xx = dir ? x0 + a : x0 + b, y = dir ? y0 + b : y0 + a;
            tot++;
            if (!usable(x, skin, s, xx, y))
                continue;
            seen++;
            size_t i = (size_t)y * x->w + xx, d = dir ? (size_t)s * x->w : (size_t)s;
            int g = (int)lum[i + d] - (int)lum[i - d];
            if (g > EDGE_STEP || g < -EDGE_STEP) {
                int sg = g > 0 ? 1 : -1;
                if (sg != last)
                    alts++, last = sg;
            }
        }
        used += seen;
        if (seen >= (cell / s) * 0.6)
            lines[n++] = alts;
    }
    if (used < 0.6 * tot || n < 3)
        return -1;
    qsort(lines, (size_t)n, sizeof *lines, cmp_int);
    return lines[n / 2];
}

int check_clothing_pattern(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                           tc_err *e)
{
    (void)e;
    if (!in->mask) {
        r->score = -1;
        check_say(r, "没有人像分割结果，无法判断衣服图案", "No person mask, so the clothes' pattern cannot be judged");
        return 0;
    }
    const uint8_t *lum = check_lum(x);
    if (!lum)
        return tc_err_set(e, TCE_CHECK_OOM);
    int skin = check_skin(x) == 0;
    double cx = (x->p[LM_CHEEK_A][0] + x->p[LM_CHEEK_B][0]) / 2, chin = x->p[LM_CHIN][1];
    int s = (int)fmax(1, lround(x->face_w / 100));
    int cell = (int)fmax(8, lround(0.25 * x->face_w));
    int rr[4];
    if (!check_clip(x, cx - 1.05 * x->face_w, chin + 0.2 * x->face_h, cx + 1.05 * x->face_w,
                    chin + 1.6 * x->face_h, rr)) {
        r->score = -1;
        check_say(r, "画面中没有拍到上衣，无法判断衣服图案", "Your clothes are not in the picture, so their pattern cannot be judged");
        return 0;
    }
    /* scanlines a cell: about 16 */
    int st = (int)fmax(1, cell / 16);
    int *lines = malloc(sizeof(int) * (size_t)(cell / st + 2));
    if (!lines)
        return tc_err_set(e, TCE_CHECK_OOM);
    int cells = 0, busy = 0;
    for (int y0 = rr[1]; y0 + cell <= rr[3]; y0 += cell)
        for (int x0 = rr[0]; x0 + cell <= rr[2]; x0 += cell) {
            int ar = cell_alts(x, lum, skin, s, x0, y0, cell, st, 0, lines);
            int ac = ar < 0 ? -1 : cell_alts(x, lum, skin, s, x0, y0, cell, st, 1, lines);
            if (ar < 0 || ac < 0)
                continue;
            cells++;
            busy += ar >= CELL_ALTS || ac >= CELL_ALTS;
        }
    free(lines);
    if (cells < 4) {
        r->score = -1;
        check_say(r, "画面中上衣部分太少，无法判断衣服图案", "Too little of your clothes is in the picture to judge their pattern");
        return 0;
    }
    double v = (double)busy / cells;
    r->value = v;
    r->score = check_ramp(TC_CHECK_CLOTHING_PATTERN, v);
    check_region(r, rr[0], rr[1], rr[2], rr[3]);
    const check_tune *t = check_tuning(TC_CHECK_CLOTHING_PATTERN);
    if (t->review > 0 && v >= t->review) {
        /* never a rejection: the seeds ask to avoid patterns, and the
         * measure cannot reach issue 16's goals (docs/QUALITY.md) */
        r->score = -1;
        check_say(r, "上衣可能有条纹、格子或复杂图案，将由审核老师确认；建议换一件单色上衣重拍",
                  "Your top may have stripes, checks or a busy pattern: a reviewer will check. A plain top is better; "
                  "consider changing and shooting again");
        return 0;
    }
    if (r->score < c->threshold[TC_CHECK_CLOTHING_PATTERN])
        r->score = c->threshold[TC_CHECK_CLOTHING_PATTERN];
    return 0;
}
