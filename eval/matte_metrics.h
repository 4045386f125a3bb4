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
 *              whose crop stays inside the source.
 * Header only: static functions. */
#ifndef TC_MATTE_METRICS_H
#define TC_MATTE_METRICS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tc_matte_figures {
    double ear_alpha[2]; /* left, right in the image; NAN when off the image */
    long specks, islands, smear;
} tc_matte_figures;

static int tc_matte_is_bg(const uint8_t *p, const uint8_t bg[3])
{
    return abs(p[0] - bg[0]) + abs(p[1] - bg[1]) + abs(p[2] - bg[2]) < 36;
}

/* rgb w*h*3; alpha w*h in 0..1 or NULL; -1 when out of memory. */
static int tc_matte_measure(const uint8_t *rgb, const float *alpha, int w, int h, const uint8_t bg[3], double eye_y,
                            double chin_y, double face_cx, double face_w, tc_matte_figures *f)
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
     * smaller, higher or hidden does not */
    for (int k = 0; k < 2; k++) {
        int sg = k ? 1 : -1;
        double cx = face_cx + sg * 0.53 * face_w, cy = eye_y + 0.2 * (chin_y - eye_y), r = 0.04 * face_w;
        double s = 0;
        long cnt = 0, all = 0;
        for (int v = (int)floor(cy - r); v <= (int)ceil(cy + r); v++)
            for (int u = (int)floor(cx - r); u <= (int)ceil(cx + r); u++) {
                if (u < 0 || v < 0 || u >= w || v >= h || hypot(u + 0.5 - cx, v + 0.5 - cy) > r)
                    continue;
                all++;
                int in = 0;
                for (int x = u + sg; !in && x >= 0 && x < w && fabs(x + 0.5 - cx) <= 2 * r; x += sg) {
                    size_t j = (size_t)v * w + x;
                    in = alpha ? alpha[j] >= 0.5f : !isbg[j];
                }
                if (!in)
                    continue;
                size_t i = (size_t)v * w + u;
                s += alpha ? alpha[i] : !isbg[i];
                cnt++;
            }
        f->ear_alpha[k] = cnt ? s / cnt : all ? 1 : NAN;
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

#endif
