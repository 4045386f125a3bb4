/* Edge-quality figures of a finished photo (issue 15, docs/QUALITY.md
 * "Hair and ear edges"), shared by eval/matte.c and tests/unit/test_studio.c.
 * They need only the output pixels, the spec's background colour, the
 * face's place in the output (eye line, chin, centre, cheek-to-cheek width:
 * tc_photo_report) and, for the ears' alpha, the final alpha (optional), so
 * that old and new binaries are measured the same way from their files.
 *
 *   ear_alpha  mean alpha (or, without alpha, the share of pixels that are
 *              not the new blue) in two discs just outside the cheeks at
 *              ear level (53% of the face width from its centre, radius 4%): where the ears are
 *              on a frontal face; only the discs' pixels inside the
 *              person's outline count (a pixel of alpha >= 1/2 on the
 *              row beyond them, outwards): an ear half transparent
 *              or with holes in it counts, the backdrop beyond a small,
 *              high or hidden ear does not (1 when none does, NAN off the picture);
 *              on an ear that `tucai check` finds hidden (ears_visible's
 *              share of skin beside that cheek under 0.05; the hidden[]
 *              argument of tc_matte_measure_hidden) the backdrop that
 *              only hair closes is left out too (2026-12-07): a pixel
 *              below 1/2 whose every closing pixel (>= 1/2 beyond it on
 *              its row) is hair, the wall between a strand and the cheek,
 *              rightly see-through.  A pixel is hair when its colour,
 *              unmixed from the new blue, is nearer the photo's own hair
 *              colour than its skin colour (CIELAB; the median colours of
 *              the crown and of the cheeks) and it is not skin in shade
 *              (the cheeks' hue); when crown and cheeks are alike (a bald
 *              head) nothing is.  Only on a hidden ear: on the finished
 *              photo alone, a holed ear's soft rim can read as hair (s16's
 *              holed man_standing ear: its rim unmixes near-white, like
 *              his hair), and the check alone misses some seen ears, so
 *              both must say so (docs/QUALITY.md, session 17);
 *   specks     pixels in the hair band (within 8 px of the backdrop, above
 *              the chin) that are much lighter than their 8 neighbours, or
 *              much more blue-than-red (the new blue through a hole); with
 *              the alpha, only where it or a neighbour is below 1: a light
 *              pixel with opaque alpha all round is the photo's own (the
 *              edge of a white badge on a dark cap, a highlight), not a
 *              hole nor the old backdrop mixed in;
 *   islands    pixels that are not the new blue and not joined (8-connected,
 *              through pixels that are not the new blue) to the person at
 *              the face's centre: old backdrop left outside the person;
 *   smear      rows at the bottom, counted upwards from the last, each of
 *              which repeats the row above (mean absolute difference under
 *              0.3 of 255 over its pixels: a repeated row stays identical
 *              through JPEG, an enlarged smooth photo's rows differ by ~0.5; a quarter of them not the new
 *              blue, and with texture along it, mean difference to its left
 *              neighbour at least 1.5): an edge row repeated to fill the
 *              frame.  0 on a photo
 *              whose crop stays inside the source;
 *   outline    (tc_matte_outline, with the alpha only) the length of the
 *              person's outline below the chin: pairs of 4-neighbours on
 *              either side of alpha 0.5 there.  A shoulder's clean line
 *              crosses each row and column once; notches, slivers and
 *              bites along it add to it (issue 15: the shoulders' edge).
 *              Compared between old and new photos of the same input,
 *              not against a bound.
 * Header only: static functions. */
#ifndef TC_MATTE_METRICS_H
#define TC_MATTE_METRICS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/photo/tc_photo.h"

typedef struct tc_matte_figures {
    double ear_alpha[2]; /* left, right in the image; NAN when off the image */
    long specks, islands, smear;
} tc_matte_figures;

static int tc_matte_is_bg(const uint8_t *p, const uint8_t bg[3])
{
    return abs(p[0] - bg[0]) + abs(p[1] - bg[1]) + abs(p[2] - bg[2]) < 36;
}

/* The hair and skin colours of the photo for the ears' figure (L*a*b* in
 * hs[0] hair, hs[1] skin): per channel medians of the opaque pixels (alpha
 * >= 0.99) of the crown (from the person's top in the face's centre column,
 * 3-12 % of the face width down, 15 % either side, above the brows) and of
 * the cheeks (a quarter to a half of the way from the eye line to the
 * chin, 30 % of the face width either side).  0 when either has fewer
 * than 20 pixels or the two are alike (delta E < 15: a bald head, a hat of
 * skin's colour): no pixel is then hair. */
static int tc_matte_hair_skin(const uint8_t *rgb, const float *alpha, const uint8_t *isbg, int w, int h, double eye_y,
                              double chin_y, double face_cx, double face_w, double hs[2][3])
{
    int cx = (int)face_cx, top = -1;
    for (int v = 0; cx >= 0 && cx < w && v < eye_y && v < h && top < 0; v++) {
        size_t i = (size_t)v * w + cx;
        if (alpha ? alpha[i] >= 0.5f : !isbg[i])
            top = v;
    }
    if (top < 0)
        return 0;
    double box[2][4] = {{face_cx - 0.15 * face_w, face_cx + 0.15 * face_w, top + 0.03 * face_w,
                         fmin(top + 0.12 * face_w, eye_y - 0.3 * face_w)},
                        {face_cx - 0.3 * face_w, face_cx + 0.3 * face_w, eye_y + 0.25 * (chin_y - eye_y),
                         eye_y + 0.5 * (chin_y - eye_y)}};
    for (int k = 0; k < 2; k++) {
        long hist[3][256] = {{0}}, n = 0;
        for (int v = (int)ceil(box[k][2]); v < box[k][3] && v < h; v++)
            for (int u = (int)ceil(box[k][0]); u < box[k][1] && u < w; u++) {
                if (u < 0 || v < 0)
                    continue;
                size_t i = (size_t)v * w + u;
                if (alpha ? alpha[i] < 0.99f : isbg[i])
                    continue;
                for (int c = 0; c < 3; c++)
                    hist[c][rgb[3 * i + c]]++;
                n++;
            }
        if (n < 20)
            return 0;
        double med[3];
        for (int c = 0; c < 3; c++) {
            long acc = 0;
            int b = 0;
            while (b < 255 && (acc += hist[c][b]) < (n + 1) / 2)
                b++;
            med[c] = b;
        }
        tc_photo_srgb_lab(med, hs[k]);
    }
    return hypot(hypot(hs[0][0] - hs[1][0], hs[0][1] - hs[1][1]), hs[0][2] - hs[1][2]) >= 15;
}

/* Is pixel i (alpha a >= 1/2) hair?  Its colour unmixed from the backdrop
 * is nearer the crown's than the cheeks', and it is not skin in shade:
 * neither the cheeks' hue and chroma (within 10, chroma over 8) nor their
 * hue with at least half their chroma for its lightness (a dark ear in
 * shade, nearer black hair than the lit cheeks). */
static int tc_matte_hairlike(const uint8_t *rgb, size_t i, double a, const uint8_t bg[3], const double hs[2][3])
{
    double f[3], lab[3], d[2];
    for (int c = 0; c < 3; c++) {
        double v = (rgb[3 * i + c] - (1 - a) * bg[c]) / a;
        f[c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    tc_photo_srgb_lab(f, lab);
    for (int k = 0; k < 2; k++)
        d[k] = hypot(hypot(lab[0] - hs[k][0], lab[1] - hs[k][1]), lab[2] - hs[k][2]);
    /* skin in shade keeps the cheeks' hue (within 20 degrees) and about
     * their chroma for its lightness (at least half of it) */
    double ch = hypot(lab[1], lab[2]), sch = hypot(hs[1][1], hs[1][2]);
    double dh = fabs(atan2(lab[2], lab[1]) - atan2(hs[1][2], hs[1][1])) * 180 / M_PI;
    if (dh > 180)
        dh = 360 - dh;
    if ((hypot(lab[1] - hs[1][1], lab[2] - hs[1][2]) < 10 && ch > 8) ||
        (dh < 20 && ch >= 0.5 * sch * fmin(1, lab[0] / fmax(hs[1][0], 1))))
        return 0;
    return d[0] < d[1];
}

/* rgb w*h*3; alpha w*h in 0..1 or NULL; hidden[k] non-zero: ear k (0 left,
 * 1 right in the picture) is hidden by the checks' judgement (NULL: none);
 * -1 when out of memory. */
static int tc_matte_measure_hidden(const uint8_t *rgb, const float *alpha, int w, int h, const uint8_t bg[3],
                                   double eye_y, double chin_y, double face_cx, double face_w,
                                   const int hidden[2], tc_matte_figures *f)
{
    size_t n = (size_t)w * h;
    memset(f, 0, sizeof *f);
    uint8_t *isbg = malloc(n), *seen = calloc(n, 1);
    int *stack = malloc(n * sizeof(int));
    if (!isbg || !seen || !stack) {
        free(isbg), free(seen), free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        isbg[i] = (uint8_t)tc_matte_is_bg(rgb + 3 * i, bg);
    /* ears: the disc's pixels inside the person's outline only, i.e. with
     * a pixel of alpha >= 1/2 on their row beyond them (outwards, to r past
     * the disc; the outline's own soft pixel is left out): an ear made half
     * transparent or holed counts, the backdrop beyond an ear that is
     * smaller, higher or hidden does not; on a hidden ear, nor does the
     * backdrop that only hair closes (a gap between a strand and the cheek) */
    double hs[2][3];
    int tell = hidden && (hidden[0] || hidden[1]) &&
               tc_matte_hair_skin(rgb, alpha, isbg, w, h, eye_y, chin_y, face_cx, face_w, hs);
    for (int k = 0; k < 2; k++) {
        int hair_k = tell && hidden[k];
        int sg = k ? 1 : -1;
        double cx = face_cx + sg * 0.53 * face_w, cy = eye_y + 0.2 * (chin_y - eye_y), r = 0.04 * face_w;
        double s = 0;
        long cnt = 0, all = 0, behind = 0;
        for (int v = (int)floor(cy - r); v <= (int)ceil(cy + r); v++)
            for (int u = (int)floor(cx - r); u <= (int)ceil(cx + r); u++) {
                if (u < 0 || v < 0 || u >= w || v >= h || hypot(u + 0.5 - cx, v + 0.5 - cy) > r)
                    continue;
                all++;
                int in = 0, skin = 0; /* closed at all; closed by a pixel that is not hair */
                for (int x = u + sg; !skin && x >= 0 && x < w && fabs(x + 0.5 - cx) <= 2 * r; x += sg) {
                    size_t j = (size_t)v * w + x;
                    double aj = alpha ? alpha[j] : !isbg[j];
                    if (aj >= 0.5) {
                        in = 1;
                        skin = !hair_k || !tc_matte_hairlike(rgb, j, aj, bg, hs);
                    }
                }
                if (!in)
                    continue;
                size_t i = (size_t)v * w + u;
                double a = alpha ? alpha[i] : !isbg[i];
                cnt++;
                if (a < 0.5 && !skin) { /* behind hair on a hidden ear: not the ear's */
                    behind++;
                    continue;
                }
                s += a;
            }
        f->ear_alpha[k] = cnt > behind ? s / (cnt - behind) : all ? 1 : NAN;
    }
    /* specks: the hair band is found with a running distance to the
     * backdrop (two passes of a chamfer-like max-8 count) */
    uint8_t *near = malloc(n);
    if (!near) {
        free(isbg), free(seen), free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        near[i] = isbg[i] ? 0 : 255;
    for (int pass = 0; pass < 2; pass++)
        for (int t = 0; t < h * w; t++) {
            int i = pass ? (int)n - 1 - t : t, x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                        continue;
                    int d = near[(size_t)yy * w + xx] + 1;
                    if (d < near[i])
                        near[i] = (uint8_t)d;
                }
        }
    for (int v = 1; v < h - 1 && v < chin_y; v++)
        for (int u = 1; u < w - 1; u++) {
            size_t i = (size_t)v * w + u;
            if (isbg[i] || near[i] > 8)
                continue;
            if (alpha) { /* opaque all round: the photo's own pixels (a white badge's edge, a highlight) */
                int soft = 0;
                for (int dy = -1; dy <= 1 && !soft; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        soft |= alpha[(size_t)(v + dy) * w + u + dx] < 1;
                if (!soft)
                    continue;
            }
            const uint8_t *p = rgb + 3 * i;
            double Y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2], c = (double)p[2] - p[0], mY = 0, mc = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    if (!dx && !dy)
                        continue;
                    const uint8_t *q = rgb + 3 * ((size_t)(v + dy) * w + u + dx);
                    mY += (0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2]) / 8;
                    mc += ((double)q[2] - q[0]) / 8;
                }
            f->specks += Y > mY + 40 || c > mc + 50;
        }
    free(near);
    /* islands */
    int sx = (int)face_cx, sy = (int)((eye_y + chin_y) / 2);
    if (sx >= 0 && sy >= 0 && sx < w && sy < h && !isbg[(size_t)sy * w + sx]) {
        int sp = 0;
        stack[sp++] = sy * w + sx;
        seen[(size_t)sy * w + sx] = 1;
        while (sp > 0) {
            int i = stack[--sp], x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                        continue;
                    int j = yy * w + xx;
                    if (!seen[j] && !isbg[j])
                        seen[j] = 1, stack[sp++] = j;
                }
        }
    }
    for (size_t i = 0; i < n; i++)
        f->islands += !isbg[i] && !seen[i];
    /* smear */
    for (int v = h - 1; v > 0; v--) {
        const uint8_t *a = rgb + 3 * (size_t)v * w, *b = a - 3 * (size_t)w;
        long d = 0, hd = 0, fg = 0;
        for (int u = 0; u < w; u++) {
            fg += !isbg[(size_t)v * w + u];
            for (int c = 0; c < 3; c++) {
                d += abs(a[3 * u + c] - b[3 * u + c]);
                hd += u ? abs(a[3 * u + c] - a[3 * u - 3 + c]) : 0;
            }
        }
        /* a flat row (a dark table, a plain wall) repeats itself without
         * being a smear: only a row with texture along it counts */
        if (4 * fg < w || d >= 0.3 * 3 * w || hd < 1.5 * 3 * w)
            break;
        f->smear++;
    }
    free(isbg), free(seen), free(stack);
    return 0;
}

/* The outline figure (above): -1 without an alpha. */
static inline long tc_matte_outline(const float *alpha, int w, int h, double chin_y)
{
    if (!alpha)
        return -1;
    long n = 0;
    int y0 = chin_y < 0 ? 0 : (int)ceil(chin_y);
    for (int y = y0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int in = alpha[(size_t)y * w + x] >= 0.5f;
            if (x + 1 < w && in != (alpha[(size_t)y * w + x + 1] >= 0.5f))
                n++;
            if (y + 1 < h && in != (alpha[(size_t)(y + 1) * w + x] >= 0.5f))
                n++;
        }
    return n;
}

/* tc_matte_measure_hidden with both ears seen. */
static inline int tc_matte_measure(const uint8_t *rgb, const float *alpha, int w, int h, const uint8_t bg[3], double eye_y,
                            double chin_y, double face_cx, double face_w, tc_matte_figures *f)
{
    return tc_matte_measure_hidden(rgb, alpha, w, h, bg, eye_y, chin_y, face_cx, face_w, NULL, f);
}

#endif
