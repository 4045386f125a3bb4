/* Alpha matting of the trimap's unknown band and foreground colour
 * estimation, at the output resolution (issue 15 item 3).  Written from the
 * papers, no code copied:
 *
 * - A. Levin, D. Lischinski, Y. Weiss, "A Closed-Form Solution to Natural
 *   Image Matting", IEEE TPAMI 30(2), 2008: within each 3x3 window alpha is
 *   close to a linear function of the colour, which gives a quadratic
 *   energy alpha' L alpha with the matting Laplacian
 *     L_ij = sum over windows k holding i and j of
 *            delta_ij - 1/|w| (1 + (I_i - mu_k)' (S_k + eps/|w| E)^-1 (I_j - mu_k)).
 *   With a data term towards a prior alpha (as J. Wang, M. Cohen, "Optimized
 *   Color Sampling for Robust Matting", CVPR 2007, combine sampled alpha and
 *   the Laplacian) and the trimap's known pixels as constraints, the band's
 *   alpha solves (L_UU + Lambda) a_U = Lambda a_prior - L_UK a_K: sparse,
 *   symmetric positive definite, a 5x5 stencil per unknown pixel; solved by
 *   conjugate gradient with a Jacobi preconditioner, started from the prior.
 * - M. Germer, U. Schneider, S. Hebel, D. Kersten, "Fast Multi-Level
 *   Foreground Estimation", ICPR 2020: F and B minimise
 *     sum_i (a_i F_i + (1 - a_i) B_i - I_i)^2
 *       + sum_i sum_{j in N4(i)} (eps_r + omega |a_i - a_j|) (|F_i - F_j|^2 + |B_i - B_j|^2),
 *   solved coarse to fine on an image pyramid, a few Jacobi-like sweeps per
 *   level, each pixel a 2x2 system per channel.  At the finest level only
 *   the band is swept: elsewhere alpha is 0 or 1 and F (or B) is the pixel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "photo_internal.h"

/* stencil offsets: s = (dy + 2) * 5 + (dx + 2) */
enum { ST = 25 };
/* The stencils of four consecutive unknown pixels are interleaved, entry
 * by entry, so the conjugate gradient's product takes four pixels in one
 * SIMD step: entry s of pixel u is st[SI(u, s)]. */
#define SI(u, s) (((size_t)(u) >> 2) * (ST * 4) + (size_t)(s) * 4 + ((size_t)(u) & 3))

int photo_matte_solve(const uint8_t *rgb, int w, int h, const uint8_t *cls, const float *lambda, float *alpha,
                      int max_iter, int *iters_out)
{
    if (iters_out)
        *iters_out = 0;
    size_t N = (size_t)w * h;
    int *idx = malloc(N * sizeof(int));
    if (!idx)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < N; i++)
        idx[i] = cls[i] == PHOTO_TRI_UNKNOWN ? (int)n++ : -1;
    if (n == 0 || w < 3 || h < 3) {
        free(idx);
        return 0;
    }
    float *st = calloc((n + 3) / 4 * 4 * ST, sizeof(float));
    float *x = malloc(n * sizeof(float)), *r = malloc(n * sizeof(float)), *z = malloc(n * sizeof(float));
    float *p = malloc(n * sizeof(float)), *ap = malloc(n * sizeof(float)), *dinv = malloc(n * sizeof(float));
    int *pos = malloc(n * sizeof(int));
    float *P = malloc(N * sizeof(float));
    int rc = -1;
    if (!st || !x || !r || !z || !p || !ap || !dinv || !pos || !P)
        goto out;
    for (size_t i = 0; i < N; i++)
        if (idx[i] >= 0)
            pos[idx[i]] = (int)i;
    /* the Laplacian's rows of the unknown pixels, window by window */
    const double eps = 1e-6, inv9 = 1.0 / 9;
    int soff[9][9]; /* the stencil entry of pixel b of a window in the row of pixel a */
    for (int a = 0; a < 9; a++)
        for (int b = 0; b < 9; b++)
            soff[a][b] = (b / 3 - a / 3 + 2) * 5 + (b % 3 - a % 3 + 2);
    /* which windows hold an unknown pixel: a row's 3-wide OR (in P,
     * free until the conjugate gradient), then three rows' */
    uint8_t *orw = (uint8_t *)P;
    for (int y = 0; y < h; y++) {
        const int *ir = idx + (size_t)y * w;
        uint8_t *o = orw + (size_t)y * w;
        o[0] = (uint8_t)((ir[0] >= 0) | (ir[1] >= 0));
        for (int xx = 1; xx < w - 1; xx++)
            o[xx] = (uint8_t)((ir[xx - 1] >= 0) | (ir[xx] >= 0) | (ir[xx + 1] >= 0));
        o[w - 1] = (uint8_t)((ir[w - 2] >= 0) | (ir[w - 1] >= 0));
    }
    /* A window's mean and covariance from integer sums of its 8-bit
     * values (exact), S = (9 sum(I_c I_d) - sum I_c sum I_d) / (81 255^2). */
    const double ks = 1.0 / (81.0 * 255 * 255), kd = 1.0 / (9.0 * 255);
    for (int cy = 1; cy < h - 1; cy++)
        for (int cx = 1; cx < w - 1; cx++) {
            size_t c = (size_t)cy * w + cx;
            if (!(orw[c - w] | orw[c] | orw[c + w]))
                continue;
            int wi[9], iv[9][3], sm[3] = {0, 0, 0}, pr[6] = {0, 0, 0, 0, 0, 0};
            for (int k = 0; k < 9; k++) {
                wi[k] = (cy - 1 + k / 3) * w + (cx - 1 + k % 3);
                const uint8_t *px = rgb + 3 * (size_t)wi[k];
                int r0 = px[0], g0 = px[1], b0 = px[2];
                iv[k][0] = r0, iv[k][1] = g0, iv[k][2] = b0;
                sm[0] += r0, sm[1] += g0, sm[2] += b0;
                pr[0] += r0 * r0, pr[1] += r0 * g0, pr[2] += r0 * b0;
                pr[3] += g0 * g0, pr[4] += g0 * b0, pr[5] += b0 * b0;
            }
            double S[6];
            S[0] = (9 * pr[0] - sm[0] * sm[0]) * ks + eps * inv9, S[1] = (9 * pr[1] - sm[0] * sm[1]) * ks;
            S[2] = (9 * pr[2] - sm[0] * sm[2]) * ks, S[3] = (9 * pr[3] - sm[1] * sm[1]) * ks + eps * inv9;
            S[4] = (9 * pr[4] - sm[1] * sm[2]) * ks, S[5] = (9 * pr[5] - sm[2] * sm[2]) * ks + eps * inv9;
            /* inverse of the symmetric 3x3 [S0 S1 S2; S1 S3 S4; S2 S4 S5] */
            double c00 = S[3] * S[5] - S[4] * S[4], c01 = S[2] * S[4] - S[1] * S[5], c02 = S[1] * S[4] - S[2] * S[3];
            double c11 = S[0] * S[5] - S[2] * S[2], c12 = S[1] * S[2] - S[0] * S[4], c22 = S[0] * S[3] - S[1] * S[1];
            double det = S[0] * c00 + S[1] * c01 + S[2] * c02;
            if (!(det > 0))
                continue; /* cannot happen with eps > 0; a guard against NaN */
            double id = inv9 / det; /* M / 9 */
            double M00 = c00 * id, M01 = c01 * id, M02 = c02 * id, M11 = c11 * id, M12 = c12 * id, M22 = c22 * id;
            float v[9][3], d[9][3];
            for (int k = 0; k < 9; k++) {
                /* I_k - mu exactly: (9 I_k - sum I) / (9 255) */
                double d0 = (9 * iv[k][0] - sm[0]) * kd, d1 = (9 * iv[k][1] - sm[1]) * kd,
                       d2 = (9 * iv[k][2] - sm[2]) * kd;
                d[k][0] = (float)d0, d[k][1] = (float)d1, d[k][2] = (float)d2;
                v[k][0] = (float)(M00 * d0 + M01 * d1 + M02 * d2);
                v[k][1] = (float)(M01 * d0 + M11 * d1 + M12 * d2);
                v[k][2] = (float)(M02 * d0 + M12 * d1 + M22 * d2);
            }
            /* L's window block is symmetric: each pair once, then into
             * the rows of the unknown pixels */
            float lb[9][9];
            for (int a = 0; a < 9; a++) {
                lb[a][a] = (1.0f - 1.0f / 9) - (v[a][0] * d[a][0] + v[a][1] * d[a][1] + v[a][2] * d[a][2]);
                for (int b = a + 1; b < 9; b++)
                    lb[a][b] = lb[b][a] = -(1.0f / 9) - (v[a][0] * d[b][0] + v[a][1] * d[b][1] + v[a][2] * d[b][2]);
            }
            for (int a = 0; a < 9; a++) {
                int ui = idx[wi[a]];
                if (ui < 0)
                    continue;
                float *row = st + SI(ui, 0);
                for (int b = 0; b < 9; b++)
                    row[4 * soff[a][b]] += lb[a][b];
            }
        }
    /* r = b - A x0 with x0 the prior: b - A x0 = -(L a)_U with a the full
     * alpha (known pixels at their values, unknown at the prior) */
    const int off[ST] = {-2 * w - 2, -2 * w - 1, -2 * w, -2 * w + 1, -2 * w + 2, -w - 2, -w - 1, -w, -w + 1,
                         -w + 2,     -2,         -1,     0,          1,          2,          w - 2, w - 1,  w,
                         w + 1,      w + 2,      2 * w - 2, 2 * w - 1, 2 * w,     2 * w + 1, 2 * w + 2};
    double rz = 0;
    for (size_t u = 0; u < n; u++) {
        const float *row = st + SI(u, 0);
        int i = pos[u], py = i / w, px = i - py * w;
        float acc = 0;
        if (px >= 2 && px < w - 2 && py >= 2 && py < h - 2) /* a zero entry adds 0 */
            for (int s = 0; s < ST; s++)
                acc += row[4 * s] * alpha[i + off[s]];
        else
            for (int dy = -2, s = 0; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++, s++)
                    if (row[4 * s] != 0 && px + dx >= 0 && px + dx < w && py + dy >= 0 && py + dy < h)
                        acc += row[4 * s] * alpha[i + off[s]];
        x[u] = alpha[i];
        r[u] = -acc;
        float dg = row[4 * 12] + lambda[i];
        dinv[u] = dg > 1e-6f ? 1 / dg : 1e6f;
        z[u] = r[u] * dinv[u];
        p[u] = z[u];
        rz += (double)r[u] * z[u];
    }
    /* P: the search direction laid out as the image, 0 at known pixels and
     * in a 2-pixel frame, so the stencil never needs a bounds test (a
     * stencil entry reaching past the image is 0 by construction: no
     * window holds such a pair) */
    memset(P, 0, N * sizeof(float));
    double rz0 = rz;
    int it = 0;
    for (size_t u = 0; u < n; u++)
        P[pos[u]] = p[u];
    for (; it < max_iter && rz > 1e-5 * rz0 && rz > 1e-12; it++) {
        /* p'Ap in four partial sums, one a lane (a single running sum
         * was a chain of dependent additions, the loop's bottleneck) */
        double pap4[4] = {0, 0, 0, 0};
        for (size_t u = 0; u < n; u++) {
#if defined(__SSE2__)
            /* four unknown pixels side by side on a row, away from the
             * border: the same operations in the same order as below, one
             * pixel a lane (so the same bits) */
            if ((u & 3) == 0 && u + 3 < n && pos[u + 3] == pos[u] + 3 && pos[u] >= 2 * w + 2 &&
                (size_t)pos[u] + 3 + 2 * w + 2 < N) {
                int i = pos[u];
                const float *blk = st + SI(u, 0);
                __m128 acc = _mm_mul_ps(_mm_loadu_ps(lambda + i), _mm_loadu_ps(p + u));
                for (int dy = 0; dy < 5; dy++) {
                    const float *q = P + i + (dy - 2) * w - 2, *rr = blk + 4 * 5 * dy;
                    __m128 t = _mm_mul_ps(_mm_load_ps(rr), _mm_loadu_ps(q));
                    t = _mm_add_ps(t, _mm_mul_ps(_mm_load_ps(rr + 4), _mm_loadu_ps(q + 1)));
                    t = _mm_add_ps(t, _mm_mul_ps(_mm_load_ps(rr + 8), _mm_loadu_ps(q + 2)));
                    t = _mm_add_ps(t, _mm_mul_ps(_mm_load_ps(rr + 12), _mm_loadu_ps(q + 3)));
                    t = _mm_add_ps(t, _mm_mul_ps(_mm_load_ps(rr + 16), _mm_loadu_ps(q + 4)));
                    acc = _mm_add_ps(acc, t);
                }
                _mm_storeu_ps(ap + u, acc);
                for (int k = 0; k < 4; k++)
                    pap4[k] += (double)p[u + k] * ap[u + k];
                u += 3;
                continue;
            }
#endif
            const float *row = st + SI(u, 0);
            int i = pos[u];
            float acc = lambda[i] * p[u];
            if (i >= 2 * w + 2 && (size_t)i + 2 * w + 2 < N) {
                /* five rows of five neighbours, each contiguous */
                for (int dy = 0; dy < 5; dy++) {
                    const float *q = P + i + (dy - 2) * w - 2, *rr = row + 4 * 5 * dy;
                    acc += rr[0] * q[0] + rr[4] * q[1] + rr[8] * q[2] + rr[12] * q[3] + rr[16] * q[4];
                }
            } else {
                for (int s = 0; s < ST; s++) {
                    long j = (long)i + off[s];
                    if (row[4 * s] != 0 && j >= 0 && (size_t)j < N)
                        acc += row[4 * s] * P[j];
                }
            }
            ap[u] = acc;
            pap4[u & 3] += (double)p[u] * acc;
        }
        double pap = (pap4[0] + pap4[1]) + (pap4[2] + pap4[3]);
        if (!(pap > 0))
            break;
        double a = rz / pap, rz4[4] = {0, 0, 0, 0};
        for (size_t u = 0; u < n; u++) {
            x[u] += (float)a * p[u];
            r[u] -= (float)a * ap[u];
            z[u] = r[u] * dinv[u];
            rz4[u & 3] += (double)r[u] * z[u];
        }
        double rzn = (rz4[0] + rz4[1]) + (rz4[2] + rz4[3]), b = rzn / rz;
        rz = rzn;
        for (size_t u = 0; u < n; u++)
            P[pos[u]] = p[u] = z[u] + (float)b * p[u];
    }
    for (size_t u = 0; u < n; u++) {
        float a = x[u];
        alpha[pos[u]] = a < 1.0f / 255 ? 0 : a > 254.0f / 255 ? 1 : a;
    }
    if (iters_out)
        *iters_out = it;
    rc = 0;
out:
    free(idx), free(st), free(x), free(r), free(z), free(p), free(ap), free(dinv), free(pos), free(P);
    return rc;
}

/* ---- foreground estimation (Germer et al.) ------------------------------------------------ */

/* The pixel's 2x2 system, its neighbours' sum of weights W and weighted
 * F and B (fn, bn) gathered:
 * [a^2+W, a(1-a); a(1-a), (1-a)^2+W] [F; B] = [a I + fn; (1-a) I + bn] */
static inline void fb_solve(float *fb, const float *I, size_t i, float a, float W, const float fn[3],
                            const float bn[3])
{
    float m00 = a * a + W, m01 = a * (1 - a), m11 = (1 - a) * (1 - a) + W;
    float det = m00 * m11 - m01 * m01;
    if (!(det > 1e-20f))
        return;
    float id = 1 / det;
    for (int c = 0; c < 3; c++) {
        float r0 = a * I[3 * i + c] + fn[c], r1 = (1 - a) * I[3 * i + c] + bn[c];
        float F = (m11 * r0 - m01 * r1) * id, B = (m00 * r1 - m01 * r0) * id;
        fb[6 * i + c] = F < 0 ? 0 : F > 1 ? 1 : F;
        fb[6 * i + 3 + c] = B < 0 ? 0 : B > 1 ? 1 : B;
    }
}

/* Update pixel (x, y) of a level in place. fb: 6 floats a pixel (F rgb, B rgb). */
static inline void fb_pixel(float *fb, const float *I, const float *A, int w, int h, int x, int y)
{
    const float eps_r = 1e-5f, omega = 1.0f;
    size_t i = (size_t)y * w + x;
    float a = A[i], W = 0, fn[3] = {0, 0, 0}, bn[3] = {0, 0, 0};
    int nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
    for (int t = 0; t < 4; t++) {
        int u = nb[t][0], v = nb[t][1];
        if (u < 0 || v < 0 || u >= w || v >= h)
            continue;
        size_t j = (size_t)v * w + u;
        float wj = eps_r + omega * fabsf(a - A[j]);
        W += wj;
        for (int c = 0; c < 3; c++)
            fn[c] += wj * fb[6 * j + c], bn[c] += wj * fb[6 * j + 3 + c];
    }
    fb_solve(fb, I, i, a, W, fn, bn);
}

/* fb_pixel of a pixel with all four neighbours inside the level: the same
 * operations in the same order (left, right, up, down), without the bounds
 * tests and the neighbour table, which cost more than the arithmetic. */
static inline void fb_pixel_inner(float *fb, const float *I, const float *A, int w, size_t i)
{
    const float eps_r = 1e-5f, omega = 1.0f;
    float a = A[i], W = 0, fn[3] = {0, 0, 0}, bn[3] = {0, 0, 0};
    const size_t nb[4] = {i - 1, i + 1, i - (size_t)w, i + (size_t)w};
    for (int t = 0; t < 4; t++) {
        size_t j = nb[t];
        float wj = eps_r + omega * fabsf(a - A[j]);
        W += wj;
        for (int c = 0; c < 3; c++)
            fn[c] += wj * fb[6 * j + c], bn[c] += wj * fb[6 * j + 3 + c];
    }
    fb_solve(fb, I, i, a, W, fn, bn);
}

/* One sweep over every pixel of a level, in raster order, in place. */
static void fb_sweep(float *fb, const float *I, const float *A, int w, int h)
{
    for (int y = 0; y < h; y++) {
        if (y == 0 || y == h - 1 || w < 3) {
            for (int x = 0; x < w; x++)
                fb_pixel(fb, I, A, w, h, x, y);
            continue;
        }
        fb_pixel(fb, I, A, w, h, 0, y);
        for (int x = 1; x < w - 1; x++)
            fb_pixel_inner(fb, I, A, w, (size_t)y * w + x);
        fb_pixel(fb, I, A, w, h, w - 1, y);
    }
}

/* One sweep over the listed pixels (indices, ascending: raster order). */
static void fb_sweep_list(float *fb, const float *I, const float *A, const int *list, size_t n, int w, int h)
{
    for (size_t k = 0; k < n; k++) {
        int i = list[k], y = i / w, x = i - y * w;
        if (x > 0 && x < w - 1 && y > 0 && y < h - 1)
            fb_pixel_inner(fb, I, A, w, (size_t)i);
        else
            fb_pixel(fb, I, A, w, h, x, y);
    }
}

/* need[] |= pixel i and its 4 neighbours (the pixels a sweep of i reads) */
static void mark_nb(uint8_t *need, int i, int w, int h)
{
    int x = i % w, y = i / w;
    need[i] = 1;
    if (x > 0)
        need[i - 1] = 1;
    if (x < w - 1)
        need[i + 1] = 1;
    if (y > 0)
        need[i - w] = 1;
    if (y < h - 1)
        need[i + w] = 1;
}

/* The two finest levels are swept on the band (0 < alpha < 1) only, where
 * alpha is 1 F is the pixel and where 0 B is: so only the band's pixels
 * and their neighbours (need0), and at level 1 those (need1) and the
 * parents of need0, are ever read; only they are filled.  F is written on
 * the band only (the caller's compositing reads nothing else). */
int photo_foreground(const uint8_t *rgb, const float *alpha, int w, int h, float *F)
{
    enum { MAXLV = 16 };
    int lw[MAXLV], lh[MAXLV], L = 0;
    lw[0] = w, lh[0] = h;
    while (L + 1 < MAXLV && (lw[L] > 1 || lh[L] > 1)) {
        lw[L + 1] = (lw[L] + 1) / 2, lh[L + 1] = (lh[L] + 1) / 2;
        L++;
    }
    size_t N = (size_t)w * h;
    /* levels 0..L side by side in one buffer each */
    size_t tot = 0, offs[MAXLV];
    for (int l = 0; l <= L; l++)
        offs[l] = tot, tot += (size_t)lw[l] * lh[l];
    size_t N1 = L >= 1 ? (size_t)lw[1] * lh[1] : 0;
    float *fb = malloc(tot * 6 * sizeof(float)), *I = malloc(tot * 3 * sizeof(float)), *A = malloc(tot * sizeof(float));
    uint8_t *need = calloc(N + N1, 1);
    int *list = malloc((N + N1) * sizeof(int)), *sxs = malloc((size_t)w * sizeof(int));
    int rc = -1;
    if (!fb || !I || !A || !need || !list || !sxs)
        goto out;
    /* Outside the band there is nothing to estimate: F is the pixel itself
     * (where alpha is 1 it is the person's colour; where 0 it is never
     * used).  The caller reads F wherever it recolours, a pixel the closing
     * raised to 1 included: left unwritten there, the photo took whatever
     * the heap held (valgrind: "depends on uninitialised value", and
     * `tucai photo --trimap` gave other pixels than without, 2 of the
     * gallery's 58 photos; session 25). */
    for (size_t i = 0; i < 3 * N; i++)
        F[i] = rgb[i] * (1.0f / 255);
    /* the band at full size and what its sweeps read */
    size_t nb0 = 0;
    for (size_t i = 0; i < N; i++)
        if (alpha[i] > 0 && alpha[i] < 1)
            list[nb0++] = (int)i, mark_nb(need, (int)i, w, h);
    if (nb0 == 0) {
        rc = 0;
        goto out;
    }
    /* I and alpha of each level sampled from full size (nearest), as the
     * paper does; level 0 (the image itself) only where needed */
    for (int l = 0; l <= L; l++) {
        /* the columns' sources once per level, not a division per pixel */
        for (int x = 0; x < lw[l]; x++)
            sxs[x] = (int)(((size_t)2 * x + 1) * w / (2 * (size_t)lw[l]));
        for (int y = 0; y < lh[l]; y++) {
            int sy = (int)(((size_t)2 * y + 1) * h / (2 * (size_t)lh[l]));
            for (int x = 0; x < lw[l]; x++) {
                if (l == 0 && !need[(size_t)y * w + x])
                    continue;
                size_t i = offs[l] + (size_t)y * lw[l] + x, s = (size_t)sy * w + sxs[x];
                for (int c = 0; c < 3; c++)
                    I[3 * i + c] = rgb[3 * s + c] * (1.0f / 255);
                A[i] = alpha[s];
            }
        }
    }
    uint8_t *need1 = need + N;
    if (L >= 1) {
        for (size_t i = 0; i < N; i++)
            if (need[i])
                need1[(size_t)(i / w / 2) * lw[1] + (i % w) / 2] = 1;
        const float *A1 = A + offs[1];
        for (size_t i = 0; i < N1; i++)
            if (A1[i] > 0 && A1[i] < 1)
                mark_nb(need1, (int)i, lw[1], lh[1]);
    }
    /* coarsest: F and B the pixel */
    for (int c = 0; c < 3; c++)
        fb[6 * offs[L] + c] = fb[6 * offs[L] + 3 + c] = I[3 * offs[L] + c];
    for (int l = L - 1; l >= 0; l--) {
        float *cur = fb + 6 * offs[l];
        const float *prev = fb + 6 * offs[l + 1], *Il = I + 3 * offs[l], *Al = A + offs[l];
        int W = lw[l], H = lh[l], pw = lw[l + 1];
        const uint8_t *nd = l == 0 ? need : l == 1 ? need1 : NULL;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                size_t i = (size_t)y * W + x;
                if (nd && !nd[i])
                    continue;
                memcpy(cur + 6 * i, prev + 6 * ((size_t)(y / 2) * pw + x / 2), 6 * sizeof(float));
                if (nd) {
                    /* where alpha is 1 F is the pixel, where 0 B is */
                    if (Al[i] >= 1)
                        memcpy(cur + 6 * i, Il + 3 * i, 3 * sizeof(float));
                    else if (Al[i] <= 0)
                        memcpy(cur + 6 * i + 3, Il + 3 * i, 3 * sizeof(float));
                }
            }
        if (l >= 2) {
            int its = W <= 32 && H <= 32 ? 10 : 2;
            for (int k = 0; k < its; k++)
                fb_sweep(cur, Il, Al, W, H);
        } else {
            /* the two finest levels: the sweeps run on the band only */
            size_t nb = 0;
            int *lst = list;
            if (l == 0)
                nb = nb0;
            else {
                lst = list + nb0;
                for (size_t i = 0; i < (size_t)W * H; i++)
                    if (Al[i] > 0 && Al[i] < 1)
                        lst[nb++] = (int)i;
            }
            for (int k = 0; k < 2; k++)
                fb_sweep_list(cur, Il, Al, lst, nb, W, H);
        }
    }
    for (size_t k = 0; k < nb0; k++)
        memcpy(F + 3 * (size_t)list[k], fb + 6 * (size_t)list[k], 3 * sizeof(float));
    rc = 0;
out:
    free(fb), free(I), free(A), free(need), free(list), free(sxs);
    return rc;
}
