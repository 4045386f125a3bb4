/* Heavy make-up and coloured contact lenses (issue 16 item 8; seeds 001 §8
 * 不宜化妆, 003 §7 素颜，禁止……化妆、佩戴美瞳, 004 §3 不宜化浓妆).  Colour
 * alone cannot tell lipstick from naturally red lips or a lens from a light
 * iris reliably enough to reject a student: this check never fails, it
 * flags the photo for the reviewer (docs/QUALITY.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

/* The mesh's lip contours (MediaPipe face mesh numbering). */
static const int lip_outer[20] = {61, 146, 91, 181, 84, 17, 314, 405, 321, 375,
                                  291, 409, 270, 269, 267, 0, 37, 39, 40, 185};
static const int lip_inner[20] = {78, 95, 88, 178, 87, 14, 317, 402, 318, 324,
                                  308, 415, 310, 311, 312, 13, 82, 81, 80, 191};
/* The lower edge of each eyebrow, above eye A's and eye B's top lid. */
static const int brow_low[2] = {52, 282};
static const int eye_top[2] = {LM_EYE_A_TOP, LM_EYE_B_TOP};

/* The reference points of the three measures: each is divided by its own
 * and the largest ratio is the value (1 = the review point).
 *  LIP_DE   ΔE (CIE76) of the lips' median colour from the cheeks';
 *  LID_DC   distance in the a*b* plane of the upper lid's median colour from
 *           the cheeks', counted only when the lid is at least as colourful
 *           as the cheeks (shadow changes L*, a brow or lashes in the strip
 *           take colour away; eye shadow adds or changes it);
 *  IRIS_C   chroma of the iris' median colour (dark and light natural irises
 *           both stay greyish or brownish in a photo; printed lenses not). */
#define LIP_DE 42.0
#define LID_DC 16.0
#define IRIS_C 28.0

/* Median Lab of up to cap pixels given by a mask over a box. */
static int median_lab(check_ctx *x, const uint8_t *m, const int box[4], double out[3], int min_n)
{
    int bw = box[2] - box[0], bh = box[3] - box[1];
    size_t cap = (size_t)bw * bh;
    int step = (int)fmax(1, floor(sqrt((double)cap / 1200.0)));
    double *v = malloc(sizeof(double) * 3 * cap);
    if (!v)
        return -1;
    size_t n = 0;
    for (int y = 0; y < bh; y += step)
        for (int xx = 0; xx < bw; xx += step) {
            if (m && !m[(size_t)y * bw + xx])
                continue;
            double lab[3];
            check_rgb_lab(x, x->in->work->px + ((size_t)(y + box[1]) * x->w + xx + box[0]) * 3, lab);
            v[n] = lab[0], v[cap + n] = lab[1], v[2 * cap + n] = lab[2];
            n++;
        }
    int rc = check_lab_median(v, cap, n, (size_t)min_n, out);
    free(v);
    return rc;
}

/* The lips: between the outer and inner contours. */
static int lips_lab(check_ctx *x, double out[3])
{
    float po[20][2], pi[20][2];
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (int i = 0; i < 20; i++) {
        po[i][0] = x->p[lip_outer[i]][0], po[i][1] = x->p[lip_outer[i]][1];
        pi[i][0] = x->p[lip_inner[i]][0], pi[i][1] = x->p[lip_inner[i]][1];
        x0 = fmin(x0, po[i][0]), y0 = fmin(y0, po[i][1]), x1 = fmax(x1, po[i][0]), y1 = fmax(y1, po[i][1]);
    }
    int box[4];
    if (!check_clip(x, x0, y0, x1 + 1, y1 + 1, box))
        return -1;
    int bw = box[2] - box[0], bh = box[3] - box[1];
    uint8_t *mo = calloc((size_t)bw * bh, 1), *mi = calloc((size_t)bw * bh, 1);
    int rc = -1;
    if (mo && mi) {
        check_poly_fill((const float(*)[2])po, 20, mo, box[0], box[1], bw, bh);
        check_poly_fill((const float(*)[2])pi, 20, mi, box[0], box[1], bw, bh);
        for (size_t i = 0; i < (size_t)bw * bh; i++)
            mo[i] = mo[i] && !mi[i];
        rc = median_lab(x, mo, box, out, 20);
    }
    free(mo), free(mi);
    return rc;
}

/* The upper lid of eye k: a strip 40 % of the way from the lid's top to the
 * eyebrow's lower edge. */
static int lid_lab(check_ctx *x, int k, double out[3])
{
    const float *a = x->p[eye_top[k]], *b = x->p[brow_low[k]];
    double px = a[0] + 0.4 * (b[0] - a[0]), py = a[1] + 0.4 * (b[1] - a[1]);
    int box[4];
    if (!check_clip(x, px - 0.12 * x->iod, py - 0.03 * x->iod, px + 0.12 * x->iod, py + 0.03 * x->iod + 1, box))
        return -1;
    return median_lab(x, NULL, box, out, 10);
}

/* The iris of eye k: a ring of 0.4 to 0.85 of the dark iris' radius, the
 * pupil and catch lights left out by luma, skin-coloured pixels (the lids
 * of a narrow eye) left out by colour. */
static int iris_lab(check_ctx *x, int k, double out[3])
{
    if (!x->iris_ok[k])
        return -1;
    double cx = x->iris[k][0], cy = x->iris[k][1], rad = x->iris[k][2];
    if (rad < 3)
        return -1;
    int box[4];
    if (!check_clip(x, cx - rad, cy - rad, cx + rad + 1, cy + rad + 1, box))
        return -1;
    int bw = box[2] - box[0], bh = box[3] - box[1];
    uint8_t *m = calloc((size_t)bw * bh, 1);
    if (!m)
        return -1;
    for (int y = 0; y < bh; y++)
        for (int xx = 0; xx < bw; xx++) {
            double d = hypot(xx + box[0] + 0.5 - cx, y + box[1] + 0.5 - cy) / rad;
            const uint8_t *q = x->in->work->px + ((size_t)(y + box[1]) * x->w + xx + box[0]) * 3;
            int Y = (299 * q[0] + 587 * q[1] + 114 * q[2]) / 1000;
            int in = d >= 0.4 && d <= 0.85 && Y > 12 && Y < 200;
            if (in) { /* the lids' skin where the eye is narrow */
                double lab[3];
                check_rgb_lab(x, q, lab);
                in = check_delta_e(lab, x->skin_lab) >= 12;
            }
            m[(size_t)y * bw + xx] = (uint8_t)in;
        }
    int rc = median_lab(x, m, box, out, 8);
    free(m);
    return rc;
}

int check_makeup(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)in, (void)c, (void)e;
    if (check_need_colour(x, r))
        return 0;
    if (check_skin(x) != 0) {
        r->score = -1;
        check_say(r, "脸部肤色无法测量，无法判断妆容", "The skin colour could not be measured, so make-up cannot be judged");
        return 0;
    }
    const double *sk = x->skin_lab;
    double lab[3], v = 0, part[3] = {0, 0, 0};
    int n = 0;
    if (lips_lab(x, lab) == 0) {
        part[0] = check_delta_e(lab, sk) / LIP_DE;
        n++;
    }
    for (int k = 0; k < 2; k++)
        if (lid_lab(x, k, lab) == 0) {
            /* a lid no more colourful than the skin is shadow, a brow or
             * lashes caught in the strip, not eye shadow */
            if (hypot(lab[1], lab[2]) >= hypot(sk[1], sk[2]))
                part[1] = fmax(part[1], hypot(lab[1] - sk[1], lab[2] - sk[2]) / LID_DC);
            n++;
        }
    check_iris(x);
    for (int k = 0; k < 2; k++)
        if (iris_lab(x, k, lab) == 0) {
            part[2] = fmax(part[2], hypot(lab[1], lab[2]) / IRIS_C);
            n++;
        }
    if (!n) {
        r->score = -1;
        check_say(r, "嘴唇和眼睛不在画面内，无法判断妆容", "Lips and eyes are not in the picture, so make-up cannot be judged");
        return 0;
    }
    int worst = 0;
    for (int k = 0; k < 3; k++)
        if (part[k] > v)
            v = part[k], worst = k;
    r->value = v;
    r->score = check_ramp(TC_CHECK_MAKEUP, v);
    check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
    const check_tune *t = check_tuning(TC_CHECK_MAKEUP);
    if (t->review > 0 && v >= t->review) {
        r->score = -1;
        if (worst == 2)
            check_say(r, "眼睛颜色不像自然瞳色，可能佩戴了美瞳（彩色隐形眼镜），将由审核老师确认；如有佩戴，请摘下后重拍",
                      "Your eyes' colour does not look natural: you may be wearing coloured contact lenses. A reviewer "
                      "will check; if you are, take them out and shoot again");
        else
            check_say(r, "可能化了较浓的妆（口红、眼影等），将由审核老师确认；证件照请素颜或淡妆拍摄",
                      "You may be wearing heavy make-up (lipstick, eye shadow): a reviewer will check. ID photos "
                      "should show your natural face, with no or light make-up");
        return 0;
    }
    if (r->score < c->threshold[TC_CHECK_MAKEUP])
        r->score = c->threshold[TC_CHECK_MAKEUP];
    return 0;
}
