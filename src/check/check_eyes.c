/* Are both eyes visible?  Something dark and opaque over an eye — tinted
 * lenses or sunglasses of any shape, a lock of hair, a dark hand or cloth —
 * leaves no bright sclera or lid skin in front of it: the brightest tenth of
 * the eye's box is far darker than the cheek below the same eye.  Each eye
 * is judged on its own (one covered eye fails) and against its own side's
 * cheek (a side light darkens eye and cheek alike: 阴阳脸 is light_uneven's
 * finding, not this one's). */
#include <math.h>
#include <stdlib.h>

#include "check_int.h"

/* The p-th fraction (0..1) of a luma histogram of n pixels. */
static double hist_pct(const int hist[256], int n, double p)
{
    int want = (int)(p * n), acc = 0;
    for (int v = 0; v < 256; v++) {
        acc += hist[v];
        if (acc > want)
            return v;
    }
    return 255;
}

/* Median luma of the cheek patch below eye k (landmark 50 / 280, the same
 * patch check_skin samples); NAN when outside the picture. */
static double cheek_median(check_ctx *x, int k)
{
    const uint8_t *l = check_lum(x);
    int i = k ? LM_CHEEK_PATCH_B : LM_CHEEK_PATCH_A, r[4];
    double half = fmax(1.0, 0.08 * x->face_w);
    if (!l || !check_clip(x, x->p[i][0] - half, x->p[i][1] - half, x->p[i][0] + half, x->p[i][1] + half, r))
        return NAN;
    int hist[256] = {0}, n = 0;
    for (int y = r[1]; y < r[3]; y++)
        for (int xx = r[0]; xx < r[2]; xx++)
            hist[l[(size_t)y * x->w + xx]]++, n++;
    return n >= 4 ? hist_pct(hist, n, 0.5) : NAN;
}

int check_eye_cover(check_ctx *x, int k, double *bright, int box[4])
{
    const uint8_t *l = check_lum(x);
    if (!x->has_mesh || !l)
        return -1;
    double b[4] = {1e9, 1e9, -1e9, -1e9};
    for (int i = 0; i < 16; i++) {
        const float *q = x->p[check_eye_idx[k][i]];
        b[0] = fmin(b[0], q[0]), b[1] = fmin(b[1], q[1]), b[2] = fmax(b[2], q[0]), b[3] = fmax(b[3], q[1]);
    }
    /* the whole eye must be in the picture: half an eye at the edge is the
     * face_inside check's finding, and cannot be judged here */
    if (b[0] < 0 || b[1] < 0 || b[2] >= x->w || b[3] >= x->h)
        return -1;
    double m = 0.04 * x->iod;
    int r[4];
    if (!check_clip(x, b[0] - m, b[1] - m, b[2] + m + 1, b[3] + m + 1, r) || (r[2] - r[0]) * (r[3] - r[1]) < 9)
        return -1;
    double cheek = cheek_median(x, k);
    if (!(cheek >= 1))
        return -1;
    int hist[256] = {0}, n = 0;
    for (int y = r[1]; y < r[3]; y++)
        for (int xx = r[0]; xx < r[2]; xx++)
            hist[l[(size_t)y * x->w + xx]]++, n++;
    *bright = hist_pct(hist, n, 0.9) / fmax(cheek, 8.0);
    for (int i = 0; i < 4; i++)
        box[i] = r[i];
    return 0;
}

int check_glasses_tinted(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                         tc_err *e)
{
    (void)in, (void)c, (void)e;
    double v[2];
    int box[2][4];
    if (check_eye_cover(x, 0, &v[0], box[0]) || check_eye_cover(x, 1, &v[1], box[1]))
        return check_unsure(r, "眼部或脸颊不在画面内，无法判断眼睛是否被遮挡",
                               "The eyes or cheeks are not in the picture, so whether the eyes are covered cannot be "
                               "judged");
    int worse = v[1] < v[0];
    check_rate(r, TC_CHECK_GLASSES_TINTED, v[worse], v[worse]);
    check_region(r, box[0][0], fmin(box[0][1], box[1][1]), box[1][2], fmax(box[0][3], box[1][3]));
    if (r->score >= c->threshold[TC_CHECK_GLASSES_TINTED] && v[worse] < check_eyes_review()) {
        /* darker than uncovered eyes are, not as dark as lenses surely are:
         * the reviewer decides (the value stays in the report) */
        return check_unsure(r, "眼部比脸颊暗得多（可能是浅色有色眼镜或遮挡），将由审核老师确认",
                               "Your eyes are much darker than your cheeks (lightly tinted lenses, or something in "
                               "front of them?): a reviewer will check");
    }
    /* Both eyes dark (the other one too, if less: a lens is lit unevenly)
     * or a frame across the bridge: lenses.  One eye only: hair, a hand or
     * something else in front of it (the name must be the real reason).
     * Uncovered eyes stay above 0.5 on the real and synthetic sets. */
    double gp = check_glasses_likelihood(x);
    int both = v[!worse] < 0.5 || gp >= 0.5;
    if (both)
        check_say(r, "双眼被深色镜片遮挡：证件照不得戴有色眼镜（含墨镜），请摘下后双眼自然睁开、清晰可见再重拍",
                  "Both eyes are behind dark lenses: an ID photo may not show tinted glasses or sunglasses; take "
                  "them off so both eyes are open and clearly visible, and shoot again");
    else
        check_say(r, "一只眼睛被头发、手或其他物品遮挡：头发不得遮挡眉毛、眼睛和耳朵，请拨开遮挡物、双眼清晰可见后重拍",
                  "One eye is covered by hair, a hand or something else: hair must not cover the eyebrows, eyes or "
                  "ears; move it aside so both eyes are clearly visible, and shoot again");
    return 0;
}
