/*
 * Kernels of the vision engine.  See tc_tensor.h for layouts and contracts.
 *
 * Speed: the inner loops run over output channels, which NHWC keeps
 * contiguous, in whole vectors of 8 floats (GCC vector extensions, so the
 * code stays portable C: the compiler emits AVX2/FMA in the clones that
 * target_clones makes, and pairs of SSE instructions elsewhere).  The
 * convolutions, most of the work, run on the x86 micro-kernels of
 * tc_gemm.c when the CPU has AVX2 or AVX-512; conv1x1 and conv_im2col here
 * are the portable fallback (and serve dilated windows).
 */
#include "vision/tc_tensor.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "vision/tc_gemm.h"

/* The vector helpers below are static inline and never cross a call
 * boundary, so GCC's note that passing 32-byte vectors changes the ABI
 * without AVX does not concern us. */
#pragma GCC diagnostic ignored "-Wpsabi"

/* a += b * c must become one fused multiply-add: in ISO C mode (-std=c11)
 * GCC does not contract across the expression unless told to, and separate
 * multiplies and adds halve the throughput of every convolution.  (Fused is
 * also what XNNPACK, MediaPipe's runtime, does on these CPUs.) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
/* GCC forms the fused multiply-adds only when it optimises: at -O0 (the
 * debug and sanitizer builds, where the tests run) every a += b * c was
 * rounded twice, and the nets' outputs differed from the release build's by
 * ~1e-6 -- enough for the photo's edge steps to keep other pixels (a test
 * passing in debug failed in release; docs/QUALITY.md, session 17).  These
 * kernels are therefore always optimised: the tests see the arithmetic that
 * ships (on the same CPU: a CPU without FMA runs the default clone). */
#if !defined(__OPTIMIZE__)
#pragma GCC optimize("O2")
#endif
#endif

typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
/* The same, for loads and stores at any float-aligned address. */
typedef float v8u __attribute__((vector_size(32), aligned(4)));

/* Function multi-versioning: one copy of each hot kernel for x86-64-v3
 * (AVX2 + FMA), one for AVX-512 machines and the baseline, picked once at
 * load time by the dynamic linker (ifunc).  No -march=native: the binary
 * runs anywhere. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TC_NO_CLONES)
#define TC_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TC_HOT
#endif

static inline __attribute__((always_inline)) v8 ld(const float *p) { return *(const v8u *)p; }
static inline __attribute__((always_inline)) void st(float *p, v8 v) { *(v8u *)p = v; }
static inline __attribute__((always_inline)) v8 splat(float f) { return (v8){f, f, f, f, f, f, f, f}; }
/* m ? a : b per lane (C has no vector ?:) */
static inline __attribute__((always_inline)) v8 sel(v8i m, v8 a, v8 b) { return (v8)(((v8i)a & m) | ((v8i)b & ~m)); }

static inline float act1(float v, int act)
{
    switch (act) {
    case TC_ACT_HARD_SWISH: {
        float r = v + 3.0f;
        r = r < 0 ? 0 : r > 6 ? 6 : r;
        return v * r * (1.0f / 6.0f);
    }
    case TC_ACT_RELU: return v > 0 ? v : 0;
    case TC_ACT_RELU6: return v < 0 ? 0 : v > 6 ? 6 : v;
    case TC_ACT_RELU_N1_TO_1: return v < -1 ? -1 : v > 1 ? 1 : v;
    default: return v;
    }
}

static inline __attribute__((always_inline)) v8 act8(v8 v, int act)
{
    if (act == TC_ACT_NONE)
        return v;
    if (act == TC_ACT_HARD_SWISH) {
        v8 r = v + splat(3.0f);
        r = sel(r < splat(0), splat(0), r);
        r = sel(r > splat(6), splat(6), r);
        return v * r * splat(1.0f / 6.0f);
    }
    v8 lo = splat(act == TC_ACT_RELU_N1_TO_1 ? -1.0f : 0.0f);
    v = sel(v < lo, lo, v);
    if (act == TC_ACT_RELU6 || act == TC_ACT_RELU_N1_TO_1) {
        v8 hi = splat(act == TC_ACT_RELU6 ? 6.0f : 1.0f);
        v = sel(v > hi, hi, v);
    }
    return v;
}

int tc_tensor_out_size(int in, int k, int stride, int dilation, int same, int *out, int *pad_before)
{
    if (in <= 0 || k <= 0 || stride <= 0 || dilation <= 0 || stride > (1 << 16))
        return -1;
    int64_t ek = (int64_t)(k - 1) * dilation + 1; /* effective window */
    int64_t o = same ? (in + (int64_t)stride - 1) / stride : (in - ek + stride) / stride;
    if (o <= 0 || ek > (int64_t)1 << 24)
        return -1;
    int64_t total = (o - 1) * stride + ek - in;
    *out = (int)o;
    *pad_before = same && total > 0 ? (int)(total / 2) : 0;
    return 0;
}

size_t tc_tensor_conv_packed_len(int O, int kh, int kw, int I)
{
    return (size_t)kh * kw * I * tc_tensor_pad_vec(O);
}

void tc_tensor_conv_pack(const float *ohwi, int O, int kh, int kw, int I, float *out)
{
    int Op = tc_tensor_pad_vec(O);
    memset(out, 0, tc_tensor_conv_packed_len(O, kh, kw, I) * sizeof *out);
    for (int o = 0; o < O; o++)
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < I; i++)
                    out[(((size_t)y * kw + x) * I + i) * Op + o] = ohwi[(((size_t)o * kh + y) * kw + x) * I + i];
}

/* ---- convolution ------------------------------------------------------- */

/* 1x1, stride 1, no padding: Y[P x O] = X[P x I] * W[I x Op] + b. */
TC_HOT static void conv1x1(const float *x, size_t P, int I, const float *w, int O, const float *b, float *y, int act)
{
    int Op = tc_tensor_pad_vec(O);
    const float *bias = b;
    size_t p = 0;
    for (; p + 4 <= P; p += 4) {
        const float *x0 = x + p * I, *x1 = x0 + I, *x2 = x1 + I, *x3 = x2 + I;
        float *y0 = y + p * O;
        int o = 0;
        for (; o + 16 <= Op; o += 16) {
            v8 b0 = ld(bias + o), b1 = ld(bias + o + 8);
            v8 a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            const float *wp = w + o;
            for (int i = 0; i < I; i++, wp += Op) {
                v8 w0 = ld(wp), w1 = ld(wp + 8);
                v8 s;
                s = splat(x0[i]); a00 += s * w0; a01 += s * w1;
                s = splat(x1[i]); a10 += s * w0; a11 += s * w1;
                s = splat(x2[i]); a20 += s * w0; a21 += s * w1;
                s = splat(x3[i]); a30 += s * w0; a31 += s * w1;
            }
            v8 r[8] = {act8(a00, act), act8(a01, act), act8(a10, act), act8(a11, act),
                       act8(a20, act), act8(a21, act), act8(a30, act), act8(a31, act)};
            int n = O - o < 16 ? O - o : 16;
            for (int k = 0; k < 4; k++) {
                float *yk = y0 + (size_t)k * O + o;
                if (n == 16) {
                    st(yk, r[2 * k]);
                    st(yk + 8, r[2 * k + 1]);
                } else {
                    float tmp[16];
                    memcpy(tmp, &r[2 * k], 32);
                    memcpy(tmp + 8, &r[2 * k + 1], 32);
                    memcpy(yk, tmp, (size_t)n * 4);
                }
            }
        }
        for (; o < Op; o += 8) {
            v8 b0 = ld(bias + o);
            v8 a0 = b0, a1 = b0, a2 = b0, a3 = b0;
            const float *wp = w + o;
            for (int i = 0; i < I; i++, wp += Op) {
                v8 w0 = ld(wp);
                a0 += splat(x0[i]) * w0;
                a1 += splat(x1[i]) * w0;
                a2 += splat(x2[i]) * w0;
                a3 += splat(x3[i]) * w0;
            }
            v8 r[4] = {act8(a0, act), act8(a1, act), act8(a2, act), act8(a3, act)};
            int n = O - o < 8 ? O - o : 8;
            for (int k = 0; k < 4; k++)
                memcpy(y0 + (size_t)k * O + o, &r[k], (size_t)n * 4);
        }
    }
    for (; p < P; p++) {
        const float *xp = x + p * I;
        for (int o = 0; o < Op; o += 8) {
            v8 a = ld(bias + o);
            const float *wp = w + o;
            for (int i = 0; i < I; i++, wp += Op)
                a += splat(xp[i]) * ld(wp);
            a = act8(a, act);
            int n = O - o < 8 ? O - o : 8;
            memcpy(y + p * O + o, &a, (size_t)n * 4);
        }
    }
}

/* Any other window: the input patches of up to TC_TENSOR_CONV_BLOCK output
 * pixels are copied side by side (im2col, zeros where the window leaves the
 * input), which turns the convolution into the same matrix product as 1x1:
 * the packed weights [kh][kw][I][Op] are already a [K][Op] matrix. */
static void conv_im2col(const tc_tensor *x, const float *w, const float *b, tc_tensor *y, const tc_conv_geom *g,
                        float *col)
{
    const int H = x->ne[1], W = x->ne[2], I = x->ne[3];
    const int OH = y->ne[1], OW = y->ne[2], O = y->ne[3];
    const int K = g->kh * g->kw * I;
    const size_t P = (size_t)y->ne[0] * OH * OW;
    for (size_t p0 = 0; p0 < P; p0 += TC_TENSOR_CONV_BLOCK) {
        int np = P - p0 < TC_TENSOR_CONV_BLOCK ? (int)(P - p0) : TC_TENSOR_CONV_BLOCK;
        for (int q = 0; q < np; q++) {
            size_t p = p0 + (size_t)q;
            int ox = (int)(p % OW), oy = (int)(p / OW % OH), n = (int)(p / ((size_t)OW * OH));
            float *c = col + (size_t)q * K;
            for (int ky = 0; ky < g->kh; ky++) {
                int iy = oy * g->sh - g->pt + ky * g->dh;
                for (int kx = 0; kx < g->kw; kx++, c += I) {
                    int ix = ox * g->sw - g->pl + kx * g->dw;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                        memset(c, 0, (size_t)I * sizeof *c);
                    else
                        memcpy(c, x->data + (((size_t)n * H + iy) * W + ix) * I, (size_t)I * sizeof *c);
                }
            }
        }
        conv1x1(col, (size_t)np, K, w, O, b, y->data + p0 * O, g->act);
    }
}

size_t tc_tensor_conv_scratch_len(const tc_conv_geom *g, int I, int same_size)
{
    if (g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && same_size)
        return 0;
    return (size_t)TC_TENSOR_CONV_BLOCK * g->kh * g->kw * I;
}

static void gemm_run(int isa, const tc_gemm_job *j)
{
    if (isa == TC_ISA_AVX512)
        tc_gemm_run_avx512(j);
    else
        tc_gemm_run_avx2(j);
}

/* Any convolution without dilation on the tc_gemm kernels, reading the
 * input in place.  Per output row: the window rows inside the input are
 * the job's segments (kw*I contiguous floats each, as NHWC stores a row);
 * the interior pixels, whose windows are whole across, are one job; a
 * border pixel is a job of its own with its columns cut to the input. */
static void conv_direct(const tc_tensor *x, const float *w, const float *b, tc_tensor *y, const tc_conv_geom *g,
                        const tc_tensor *rt, const float *alpha, int isa)
{
    const int H = x->ne[1], W = x->ne[2], I = x->ne[3];
    const int OH = y->ne[1], OW = y->ne[2], O = y->ne[3], Op = tc_tensor_pad_vec(O);
    const float *res = rt ? rt->data : NULL;
    const int rC = rt ? rt->ne[3] : 0;
    tc_gemm_job j = {0};
    j.xstep = (ptrdiff_t)g->sw * I;
    j.xseg = (ptrdiff_t)W * I;
    j.wseg = (ptrdiff_t)g->kw * I * Op;
    j.Op = Op;
    j.b = b;
    j.alpha = alpha;
    j.rstep = rC;
    j.rC = rC;
    j.ystep = O;
    j.O = O;
    j.act = g->act;
    if (g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && OH == H && OW == W) {
        /* 1x1: the whole tensor is one matrix product */
        j.x = x->data;
        j.nseg = 1;
        j.L = I;
        j.w = w;
        j.res = res;
        j.y = y->data;
        j.np = x->ne[0] * H * W;
        gemm_run(isa, &j);
        return;
    }
    /* interior columns: ox*sw - pl >= 0 and ox*sw - pl + kw <= W */
    int ox0 = (g->pl + g->sw - 1) / g->sw, ox1 = W - g->kw + g->pl < 0 ? 0 : (W - g->kw + g->pl) / g->sw + 1;
    ox1 = ox1 > OW ? OW : ox1;
    ox0 = ox0 > ox1 ? ox1 : ox0;
    for (int n = 0; n < y->ne[0]; n++)
        for (int oy = 0; oy < OH; oy++) {
            int iy = oy * g->sh - g->pt, ky0 = iy < 0 ? -iy : 0, ky1 = H - iy < g->kh ? H - iy : g->kh;
            size_t q0 = ((size_t)n * OH + oy) * OW; /* the row's first pixel */
            if (ky0 >= ky1) { /* no window row inside the input: bias only */
                for (int ox = 0; ox < OW; ox++) {
                    j.x = x->data;
                    j.nseg = 0;
                    j.L = 0;
                    j.w = w;
                    j.res = res ? res + (q0 + (size_t)ox) * rC : NULL;
                    j.y = y->data + (q0 + (size_t)ox) * O;
                    j.np = 1;
                    gemm_run(isa, &j);
                }
                continue;
            }
            const float *xrow = x->data + (((size_t)n * H + iy + ky0) * W) * I;
            j.nseg = ky1 - ky0;
            for (int ox = 0; ox < OW; ox++) {
                if (ox == ox0 && ox0 < ox1) { /* the interior, at once */
                    j.x = xrow + ((ptrdiff_t)ox0 * g->sw - g->pl) * I;
                    j.L = g->kw * I;
                    j.w = w + (size_t)ky0 * j.wseg;
                    j.res = res ? res + (q0 + (size_t)ox0) * rC : NULL;
                    j.y = y->data + (q0 + (size_t)ox0) * O;
                    j.np = ox1 - ox0;
                    gemm_run(isa, &j);
                    ox = ox1 - 1;
                    continue;
                }
                int ix = ox * g->sw - g->pl, kx0 = ix < 0 ? -ix : 0, kx1 = W - ix < g->kw ? W - ix : g->kw;
                kx1 = kx1 < kx0 ? kx0 : kx1;
                j.x = xrow + (ptrdiff_t)(ix + kx0) * I;
                j.L = (kx1 - kx0) * I;
                j.w = w + (size_t)ky0 * j.wseg + (size_t)kx0 * I * Op;
                j.res = res ? res + (q0 + (size_t)ox) * rC : NULL;
                j.y = y->data + (q0 + (size_t)ox) * O;
                j.np = 1;
                gemm_run(isa, &j);
            }
        }
}

/* Residual and activation after a portable kernel that ran without them. */
static void fuse_after(tc_tensor *y, const tc_tensor *res, const float *alpha, int act)
{
    const int C = y->ne[3], rC = res ? res->ne[3] : 0;
    size_t P = tc_tensor_nelem(y) / (size_t)C;
    for (size_t p = 0; p < P; p++)
        for (int c = 0; c < C; c++) {
            float v = y->data[p * C + c] + (c < rC ? res->data[p * rC + c] : 0.0f);
            y->data[p * C + c] = act == TC_ACT_PRELU ? (v >= 0 ? v : v * alpha[c]) : act1(v, act);
        }
}

void tc_tensor_conv2d_fused(const tc_tensor *x, const float *w, const float *b, tc_tensor *y,
                            const tc_conv_geom *g, float *scratch, const tc_tensor *res, const float *alpha,
                            int isa)
{
    assert(x->ne[0] == y->ne[0]);
    assert(!res || (tc_tensor_nelem(res) / res->ne[3] == tc_tensor_nelem(y) / y->ne[3] && res->ne[3] <= y->ne[3]));
    int best = tc_gemm_isa();
    isa = isa < 0 || isa > best ? best : isa;
    if (isa != TC_ISA_GENERIC && g->dh == 1 && g->dw == 1) {
        conv_direct(x, w, b, y, g, res, alpha, isa);
        return;
    }
    tc_conv_geom g1 = *g;
    int post = res || g->act == TC_ACT_PRELU;
    if (post)
        g1.act = TC_ACT_NONE;
    if (tc_tensor_conv_scratch_len(g, x->ne[3], x->ne[1] == y->ne[1] && x->ne[2] == y->ne[2]) == 0)
        conv1x1(x->data, (size_t)x->ne[0] * x->ne[1] * x->ne[2], x->ne[3], w, y->ne[3], b, y->data, g1.act);
    else
        conv_im2col(x, w, b, y, &g1, scratch);
    if (post)
        fuse_after(y, res, alpha, g->act);
}

void tc_tensor_conv2d(const tc_tensor *x, const float *w, const float *b, tc_tensor *y, const tc_conv_geom *g,
                      float *scratch)
{
    tc_tensor_conv2d_fused(x, w, b, y, g, scratch, NULL, NULL, -1);
}

/* ---- depthwise --------------------------------------------------------- */

/* Depthwise, multiplier 1, any window: output pixels ox in [oxa, oxb) of
 * row oy of image n, or the whole tensor when n < 0. */
TC_HOT static void depthwise_rows(const tc_tensor *x, const float *w, const float *b, tc_tensor *y,
                                  const tc_conv_geom *g, int n_only, int oy_only, int oxa, int oxb)
{
    const int H = x->ne[1], W = x->ne[2], C = x->ne[3];
    const int OH = y->ne[1], OW = y->ne[2];
    const int C8 = C / 8 * 8;
    for (int n = n_only < 0 ? 0 : n_only; n < (n_only < 0 ? y->ne[0] : n_only + 1); n++)
        for (int oy = oy_only < 0 ? 0 : oy_only; oy < (oy_only < 0 ? OH : oy_only + 1); oy++) {
            int ky0 = 0, ky1 = g->kh;
            while (ky0 < ky1 && oy * g->sh - g->pt + ky0 * g->dh < 0) ky0++;
            while (ky1 > ky0 && oy * g->sh - g->pt + (ky1 - 1) * g->dh >= H) ky1--;
            for (int ox = n_only < 0 ? 0 : oxa; ox < (n_only < 0 ? OW : oxb); ox++) {
                int kx0 = 0, kx1 = g->kw;
                while (kx0 < kx1 && ox * g->sw - g->pl + kx0 * g->dw < 0) kx0++;
                while (kx1 > kx0 && ox * g->sw - g->pl + (kx1 - 1) * g->dw >= W) kx1--;
                float *yp = y->data + (((size_t)n * OH + oy) * OW + ox) * C;
                int c = 0;
                for (; c < C8; c += 8) {
                    v8 acc = ld(b + c);
                    for (int ky = ky0; ky < ky1; ky++) {
                        int iy = oy * g->sh - g->pt + ky * g->dh;
                        for (int kx = kx0; kx < kx1; kx++) {
                            int ix = ox * g->sw - g->pl + kx * g->dw;
                            acc += ld(x->data + (((size_t)n * H + iy) * W + ix) * C + c) *
                                   ld(w + (size_t)(ky * g->kw + kx) * C + c);
                        }
                    }
                    st(yp + c, act8(acc, g->act));
                }
                for (; c < C; c++) {
                    float acc = b[c];
                    for (int ky = ky0; ky < ky1; ky++) {
                        int iy = oy * g->sh - g->pt + ky * g->dh;
                        for (int kx = kx0; kx < kx1; kx++) {
                            int ix = ox * g->sw - g->pl + kx * g->dw;
                            acc += x->data[(((size_t)n * H + iy) * W + ix) * C + c] *
                                   w[(size_t)(ky * g->kw + kx) * C + c];
                        }
                    }
                    yp[c] = act1(acc, g->act);
                }
            }
        }
}

/* One output pixel of a KxK depthwise window for 8 channels, the weights
 * in registers; only window rows [ky0, ky1) and columns [kx0, kx1) are
 * inside the input, and xp points at tap (ky0, kx0).  K is a constant after
 * inlining and, for interior pixels, so are the bounds: the loops unroll to
 * straight multiply-adds at constant offsets. */
static inline __attribute__((always_inline)) v8 dw_pixel(const int K, const float *xp, size_t rowlen, size_t C,
                                                         int ky0, int ky1, int kx0, int kx1, const v8 *wk, v8 acc)
{
    for (int ky = 0; ky < K; ky++) {
        if (ky < ky0 || ky >= ky1)
            continue;
        for (int kx = 0; kx < K; kx++)
            if (kx >= kx0 && kx < kx1)
                acc += ld(xp + (size_t)(ky - ky0) * rowlen + (size_t)(kx - kx0) * C) * wk[ky * K + kx];
    }
    return acc;
}

/* 3x3 and 5x5 depthwise without dilation, the models' cases: per output
 * row and block of 8 channels, the window's weights stay in registers while
 * the row's pixels go by; window rows and columns outside the input are
 * skipped.  A channel count that is not a multiple of 8 ends with one
 * block overlapping the previous one (C - 8 .. C - 1): those channels are
 * computed twice, identically, instead of one by one.  Fewer than 8
 * channels take the general path above. */
#define DW_FIXED(K)                                                                                             \
    TC_HOT static void depthwise_k##K(const tc_tensor *x, const float *w, const float *b, tc_tensor *y,        \
                                      const tc_conv_geom *g)                                                   \
    {                                                                                                          \
        const int H = x->ne[1], W = x->ne[2], C = x->ne[3], OH = y->ne[1], OW = y->ne[2];                       \
        if (C < 8) {                                                                                           \
            depthwise_rows(x, w, b, y, g, -1, -1, 0, 0);                                                       \
            return;                                                                                            \
        }                                                                                                      \
        /* interior columns: ox*sw - pl >= 0 and ox*sw - pl + K - 1 < W */                                     \
        int ox0 = (g->pl + g->sw - 1) / g->sw, ox1 = (W - K + g->pl) / g->sw + 1;                              \
        if (W - K + g->pl < 0)                                                                                 \
            ox1 = 0;                                                                                           \
        ox1 = ox1 > OW ? OW : ox1;                                                                             \
        if (ox0 > ox1)                                                                                         \
            ox0 = ox1;                                                                                         \
        const size_t rowlen = (size_t)W * C;                                                                   \
        for (int n = 0; n < y->ne[0]; n++)                                                                     \
            for (int oy = 0; oy < OH; oy++) {                                                                  \
                int iy0 = oy * g->sh - g->pt;                                                                  \
                int ky0 = iy0 < 0 ? -iy0 : 0, ky1 = H - iy0 < K ? H - iy0 : K;                                 \
                float *yrow = y->data + (((size_t)n * OH + oy) * OW) * C;                                      \
                const float *xn = x->data + (size_t)n * H * rowlen;                                            \
                for (int c0 = 0; c0 < C; c0 += 8) {                                                            \
                    int c = c0 + 8 <= C ? c0 : C - 8;                                                          \
                    v8 wk[K * K];                                                                              \
                    for (int t = 0; t < K * K; t++)                                                            \
                        wk[t] = ld(w + (size_t)t * C + c);                                                     \
                    v8 bias = ld(b + c);                                                                       \
                    /* left border, interior (two variants, so the loop has no tests), right border */    \
                    for (int ox = 0; ox < OW; ox++) {                                                          \
                        if (ox == ox0 && ox0 < ox1) {                                                          \
                            const float *xp = xn + (size_t)(iy0 + ky0) * rowlen +                              \
                                              (size_t)(ox0 * g->sw - g->pl) * C + c;                           \
                            const size_t step = (size_t)g->sw * C;                                             \
                            float *yp = yrow + (size_t)ox0 * C + c;                                            \
                            if (ky0 == 0 && ky1 == K)                                                          \
                                for (int i = ox0; i < ox1; i++, xp += step, yp += C)                           \
                                    st(yp, act8(dw_pixel(K, xp, rowlen, (size_t)C, 0, K, 0, K, wk, bias), g->act)); \
                            else                                                                               \
                                for (int i = ox0; i < ox1; i++, xp += step, yp += C)                           \
                                    st(yp, act8(dw_pixel(K, xp, rowlen, (size_t)C, ky0, ky1, 0, K, wk, bias),  \
                                                g->act));                                                      \
                            ox = ox1 - 1;                                                                      \
                            continue;                                                                          \
                        }                                                                                      \
                        int ix = ox * g->sw - g->pl;                                                           \
                        int kx0 = ix < 0 ? -ix : 0, kx1 = W - ix < K ? W - ix : K;                             \
                        const float *xp = xn + (size_t)(iy0 + ky0) * rowlen + (size_t)(ix + kx0) * C + c;      \
                        v8 acc = dw_pixel(K, xp, rowlen, (size_t)C, ky0, ky1, kx0, kx1, wk, bias);             \
                        st(yrow + (size_t)ox * C + c, act8(acc, g->act));                                      \
                    }                                                                                          \
                }                                                                                              \
            }                                                                                                  \
    }
DW_FIXED(3)
DW_FIXED(5)

void tc_tensor_depthwise(const tc_tensor *x, const float *w, const float *b, int mult, tc_tensor *y,
                         const tc_conv_geom *g)
{
    assert(y->ne[3] == x->ne[3] * mult);
    if (mult == 1 && g->dh == 1 && g->dw == 1 && g->kh == 3 && g->kw == 3) {
        depthwise_k3(x, w, b, y, g);
        return;
    }
    if (mult == 1 && g->dh == 1 && g->dw == 1 && g->kh == 5 && g->kw == 5) {
        depthwise_k5(x, w, b, y, g);
        return;
    }
    if (mult == 1) {
        depthwise_rows(x, w, b, y, g, -1, -1, 0, 0);
        return;
    }
    const int H = x->ne[1], W = x->ne[2], C = x->ne[3], OC = y->ne[3];
    for (int n = 0; n < y->ne[0]; n++)
        for (int oy = 0; oy < y->ne[1]; oy++)
            for (int ox = 0; ox < y->ne[2]; ox++)
                for (int oc = 0; oc < OC; oc++) {
                    int c = oc / mult;
                    float acc = b[oc];
                    for (int ky = 0; ky < g->kh; ky++) {
                        int iy = oy * g->sh - g->pt + ky * g->dh;
                        if (iy < 0 || iy >= H)
                            continue;
                        for (int kx = 0; kx < g->kw; kx++) {
                            int ix = ox * g->sw - g->pl + kx * g->dw;
                            if (ix < 0 || ix >= W)
                                continue;
                            acc += x->data[(((size_t)n * H + iy) * W + ix) * C + c] *
                                   w[(size_t)(ky * g->kw + kx) * OC + oc];
                        }
                    }
                    y->data[(((size_t)n * y->ne[1] + oy) * y->ne[2] + ox) * OC + oc] = act1(acc, g->act);
                }
}

/* ---- transposed convolution (MediaPipe's custom op) ------------------------ */

size_t tc_tensor_tconv_packed_len(int O, int kh, int kw, int I)
{
    /* + one vector: the window-row jobs below start their loads at a
     * column inside a row, so the last row's load may run 7 floats past */
    return (size_t)I * tc_tensor_pad_vec(kh * kw * O) + TC_TENSOR_VEC;
}

void tc_tensor_tconv_pack(const float *ohwi, int O, int kh, int kw, int I, float *out)
{
    int Np = tc_tensor_pad_vec(kh * kw * O);
    memset(out, 0, tc_tensor_tconv_packed_len(O, kh, kw, I) * sizeof *out);
    for (int o = 0; o < O; o++)
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < I; i++)
                    out[(size_t)i * Np + (y * kw + x) * O + o] = ohwi[(((size_t)o * kh + y) * kw + x) * I + i];
}

/* nb (a multiple of 8, at most 64) packed-weight columns of one input pixel
 * xp (I channels): col[j] = sum over i of xp[i] * w[i * stride + j]. */
static inline __attribute__((always_inline)) void tconv_cols(const float *xp, int I, const float *w, int stride,
                                                              int nb, float col[64])
{
    v8 acc[8];
    for (int k = 0; k < nb / 8; k++)
        acc[k] = splat(0);
    for (int i = 0; i < I; i++, w += stride) {
        v8 s = splat(xp[i]);
        for (int k = 0; k < nb / 8; k++)
            acc[k] += s * ld(w + 8 * k);
    }
    memcpy(col, acc, (size_t)nb * sizeof(float));
}

TC_HOT void tc_tensor_transpose_conv(const tc_tensor *x, const float *w, const float *b, tc_tensor *y,
                                     const tc_conv_geom *g)
{
    const int H = x->ne[1], W = x->ne[2], I = x->ne[3];
    const int OH = y->ne[1], OW = y->ne[2], O = y->ne[3];
    const int T = g->kh * g->kw, Np = tc_tensor_pad_vec(T * O);
    /* Stride equal to the window and no padding (the segmenter's last
     * layer, 2x2 stride 2): every output pixel comes from exactly one input
     * pixel, so results are written once, bias included, in the order the
     * packed columns give them. */
    int isa = tc_gemm_isa();
    if (isa != TC_ISA_GENERIC && g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->pt == 0 &&
        g->pl == 0 && O == 1 && I % 8 == 0 && I <= TC_GEMM_TCONV_MAXI && OH == 2 * H && OW == 2 * W) {
        tc_tconv2x2_avx2(x->data, y->ne[0] * H, W, I, w, Np, b[0], y->data);
        return;
    }
    if (isa != TC_ISA_GENERIC && g->sh == g->kh && g->sw == g->kw && g->pt == 0 && g->pl == 0 &&
        OH == H * g->kh && OW == W * g->kw && g->kw * O <= TC_TENSOR_VEC) {
        /* The same case on the matrix-product kernels: window row ky of
         * every input pixel of row iy is output row iy*kh + ky, kw*O
         * contiguous floats; so each (iy, ky) is one job over the input
         * row, reading columns ky*kw*O.. of the packed weights. */
        float bias[TC_TENSOR_VEC] = {0};
        for (int t = 0; t < g->kw * O; t++)
            bias[t] = b[t % O];
        tc_gemm_job j = {0};
        j.xstep = I;
        j.nseg = 1;
        j.L = I;
        j.Op = Np;
        j.b = bias;
        j.ystep = (ptrdiff_t)g->kw * O;
        j.O = g->kw * O;
        j.np = W;
        j.act = TC_ACT_NONE;
        for (int n = 0; n < y->ne[0]; n++)
            for (int iy = 0; iy < H; iy++)
                for (int ky = 0; ky < g->kh; ky++) {
                    j.x = x->data + ((size_t)n * H + iy) * W * I;
                    j.w = w + (size_t)ky * g->kw * O;
                    j.y = y->data + (((size_t)n * OH + iy * g->kh + ky) * OW) * O;
                    gemm_run(isa, &j);
                }
        return;
    }
    if (g->sh == g->kh && g->sw == g->kw && g->pt == 0 && g->pl == 0 && OH == H * g->kh && OW == W * g->kw &&
        Np <= 64) {
        for (int n = 0; n < y->ne[0]; n++)
            for (int iy = 0; iy < H; iy++)
                for (int ix = 0; ix < W; ix++) {
                    float col[64];
                    tconv_cols(x->data + (((size_t)n * H + iy) * W + ix) * I, I, w, Np, Np, col);
                    const float *cp = col;
                    for (int ky = 0; ky < g->kh; ky++)
                        for (int kx = 0; kx < g->kw; kx++, cp += O) {
                            float *yp = y->data + (((size_t)n * OH + iy * g->kh + ky) * OW + ix * g->kw + kx) * O;
                            for (int o = 0; o < O; o++)
                                yp[o] = cp[o] + b[o];
                        }
                }
        return;
    }
    for (int n = 0; n < y->ne[0]; n++) {
        for (size_t p = 0; p < (size_t)OH * OW; p++)
            for (int o = 0; o < O; o++)
                y->data[((size_t)n * OH * OW + p) * O + o] = b[o];
        for (int iy = 0; iy < H; iy++)
            for (int ix = 0; ix < W; ix++) {
                const float *xp = x->data + (((size_t)n * H + iy) * W + ix) * I;
                for (int cb = 0; cb < Np; cb += 64) { /* 64 columns at a time */
                    int nb = Np - cb < 64 ? Np - cb : 64;
                    float col[64];
                    tconv_cols(xp, I, w + cb, Np, nb, col);
                    for (int j = 0; j < nb && cb + j < T * O; j++) {
                        int t = (cb + j) / O, o = (cb + j) % O;
                        int oy = iy * g->sh - g->pt + t / g->kw, ox = ix * g->sw - g->pl + t % g->kw;
                        if (oy >= 0 && oy < OH && ox >= 0 && ox < OW)
                            y->data[(((size_t)n * OH + oy) * OW + ox) * O + o] += col[j];
                    }
                }
            }
    }
}

/* ---- pooling ----------------------------------------------------------------- */

TC_HOT static void pool(const tc_tensor *x, tc_tensor *y, const tc_conv_geom *g, int is_max)
{
    const int H = x->ne[1], W = x->ne[2], C = x->ne[3];
    for (int n = 0; n < y->ne[0]; n++)
        for (int oy = 0; oy < y->ne[1]; oy++)
            for (int ox = 0; ox < y->ne[2]; ox++) {
                float *yp = y->data + (((size_t)n * y->ne[1] + oy) * y->ne[2] + ox) * C;
                int y0 = oy * g->sh - g->pt, x0 = ox * g->sw - g->pl;
                int ya = y0 < 0 ? 0 : y0, yb = y0 + g->kh > H ? H : y0 + g->kh;
                int xa = x0 < 0 ? 0 : x0, xb = x0 + g->kw > W ? W : x0 + g->kw;
                int cnt = (yb - ya) * (xb - xa);
                int c = 0;
                /* 8 channels at a time in registers, the rest one by one */
                for (; c + 8 <= C; c += 8) {
                    v8 a = splat(is_max ? -INFINITY : 0.0f);
                    for (int iy = ya; iy < yb; iy++)
                        for (int ix = xa; ix < xb; ix++) {
                            v8 v = ld(x->data + (((size_t)n * H + iy) * W + ix) * C + c);
                            a = is_max ? sel(v > a, v, a) : a + v;
                        }
                    if (cnt == 0)
                        a = splat(0);
                    else if (!is_max)
                        a = a / splat((float)cnt);
                    st(yp + c, act8(a, g->act));
                }
                for (; c < C; c++) {
                    float a = is_max ? -INFINITY : 0.0f;
                    for (int iy = ya; iy < yb; iy++)
                        for (int ix = xa; ix < xb; ix++) {
                            float v = x->data[(((size_t)n * H + iy) * W + ix) * C + c];
                            a = is_max ? (v > a ? v : a) : a + v;
                        }
                    yp[c] = act1(is_max ? (cnt > 0 ? a : 0.0f) : (cnt > 0 ? a / cnt : 0.0f), g->act);
                }
            }
}

void tc_tensor_max_pool(const tc_tensor *x, tc_tensor *y, const tc_conv_geom *g) { pool(x, y, g, 1); }
void tc_tensor_avg_pool(const tc_tensor *x, tc_tensor *y, const tc_conv_geom *g) { pool(x, y, g, 0); }

/* ---- elementwise --------------------------------------------------------------- */

static inline float bin1(int op, float a, float b)
{
    switch (op) {
    case TC_BIN_ADD: return a + b;
    case TC_BIN_MUL: return a * b;
    default: return a >= 0 ? a : a * b;
    }
}

TC_HOT void tc_tensor_binary(int op, const tc_tensor *a, const tc_tensor *b, tc_tensor *y, int act)
{
    size_t sa[4], sb[4];
    size_t ma = 1, mb = 1;
    for (int d = 3; d >= 0; d--) { /* strides, 0 where broadcast */
        assert(a->ne[d] == y->ne[d] || a->ne[d] == 1);
        assert(b->ne[d] == y->ne[d] || b->ne[d] == 1);
        sa[d] = a->ne[d] == 1 ? 0 : ma;
        sb[d] = b->ne[d] == 1 ? 0 : mb;
        ma *= (size_t)a->ne[d];
        mb *= (size_t)b->ne[d];
    }
    const int C = y->ne[3];
    float *yp = y->data;
    size_t ny = tc_tensor_nelem(y);
    if (C % 8 == 0 && op != TC_BIN_PRELU &&
        (tc_tensor_nelem(a) == ny || (a->ne[0] * a->ne[1] * a->ne[2] == 1 && a->ne[3] == C)) &&
        (tc_tensor_nelem(b) == ny || (b->ne[0] * b->ne[1] * b->ne[2] == 1 && b->ne[3] == C))) {
        /* The models' cases, a residual ADD or a squeeze-excite MUL by
         * per-channel gates: one flat loop, the operation chosen outside
         * it.  (An operand of y's size has y's shape: broadcasting only
         * ever stretches a dimension of 1.) */
        size_t pa = tc_tensor_nelem(a) == ny ? (size_t)C : 0, pb = tc_tensor_nelem(b) == ny ? (size_t)C : 0;
        const float *ap = a->data, *bp = b->data;
        /* (the two common cases spelt out, so the loop holds no tests) */
        if (op == TC_BIN_ADD && act == TC_ACT_NONE)
            for (size_t i = 0; i < ny; i += (size_t)C, ap += pa, bp += pb)
                for (int c = 0; c < C; c += 8)
                    st(yp + i + c, ld(ap + c) + ld(bp + c));
        else if (op == TC_BIN_MUL && act == TC_ACT_NONE)
            for (size_t i = 0; i < ny; i += (size_t)C, ap += pa, bp += pb)
                for (int c = 0; c < C; c += 8)
                    st(yp + i + c, ld(ap + c) * ld(bp + c));
        else
            for (size_t i = 0; i < ny; i += (size_t)C, ap += pa, bp += pb)
                for (int c = 0; c < C; c += 8) {
                    v8 va = ld(ap + c), vb = ld(bp + c);
                    st(yp + i + c, act8(op == TC_BIN_ADD ? va + vb : va * vb, act));
                }
        return;
    }
    for (int n = 0; n < y->ne[0]; n++)
        for (int h = 0; h < y->ne[1]; h++)
            for (int w = 0; w < y->ne[2]; w++, yp += C) {
                const float *ap = a->data + n * sa[0] + h * sa[1] + w * sa[2];
                const float *bp = b->data + n * sb[0] + h * sb[1] + w * sb[2];
                if (sa[3] == 1 && sb[3] == 1) {
                    int c = 0;
                    for (; c + 8 <= C; c += 8) {
                        v8 va = ld(ap + c), vb = ld(bp + c), r;
                        if (op == TC_BIN_ADD)
                            r = va + vb;
                        else if (op == TC_BIN_MUL)
                            r = va * vb;
                        else
                            r = sel(va >= splat(0), va, va * vb);
                        st(yp + c, act8(r, act));
                    }
                    for (; c < C; c++)
                        yp[c] = act1(bin1(op, ap[c], bp[c]), act);
                } else {
                    for (int c = 0; c < C; c++)
                        yp[c] = act1(bin1(op, ap[c * sa[3]], bp[c * sb[3]]), act);
                }
            }
}

/* e^x for 8 lanes, to float precision (about 1 ulp, as expf): x = n ln2 + r
 * with |r| <= ln2/2, e^r by its Taylor polynomial to r^7 (the next term
 * is below 2^-24 there), 2^n put into the exponent bits.  x is clamped to
 * [-87, 87], which is all the logistic needs, and keeps 1 / (1 + e^87)
 * above FLT_MIN: a subnormal result costs ~100 cycles on this CPU, and a
 * background of strongly negative logits made the mask 5x slower. */
static inline __attribute__((always_inline)) v8 exp8(v8 x)
{
    x = sel(x > splat(87.0f), splat(87.0f), x);
    x = sel(x < splat(-87.0f), splat(-87.0f), x);
    /* round x/ln2 to the nearest integer by the 1.5*2^23 trick */
    v8 t = x * splat(1.44269504088896341f) + splat(12582912.0f);
    v8 nf = t - splat(12582912.0f);
    v8 r = x - nf * splat(0.693359375f) - nf * splat(-2.12194440e-4f); /* ln2 split: hi exact */
    v8 p = splat(1.0f / 5040);
    p = p * r + splat(1.0f / 720);
    p = p * r + splat(1.0f / 120);
    p = p * r + splat(1.0f / 24);
    p = p * r + splat(1.0f / 6);
    p = p * r + splat(0.5f);
    p = p * r + splat(1.0f);
    p = p * r + splat(1.0f);
    v8i e = (__builtin_convertvector(nf, v8i) + 127) << 23;
    return p * (v8)e;
}

TC_HOT void tc_tensor_unary(int op, const float *x, float *y, size_t n)
{
    switch (op) {
    case TC_UN_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0 ? x[i] : 0;
        break;
    case TC_UN_RELU6:
        for (size_t i = 0; i < n; i++)
            y[i] = act1(x[i], TC_ACT_RELU6);
        break;
    case TC_UN_RELU_N1_TO_1:
        for (size_t i = 0; i < n; i++)
            y[i] = act1(x[i], TC_ACT_RELU_N1_TO_1);
        break;
    case TC_UN_LOGISTIC: {
        size_t i = 0;
        for (; i + 8 <= n; i += 8)
            st(y + i, splat(1.0f) / (splat(1.0f) + exp8(-ld(x + i))));
        for (; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    }
    case TC_UN_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float r = x[i] + 3.0f;
            r = r < 0 ? 0 : r > 6 ? 6 : r;
            y[i] = x[i] * r * (1.0f / 6.0f);
        }
        break;
    default:
        assert(!"unknown unary op");
    }
}

/* ---- data movement ---------------------------------------------------------------- */

void tc_tensor_pad(const tc_tensor *x, const int pads[4][2], tc_tensor *y)
{
    memset(y->data, 0, tc_tensor_nelem(y) * sizeof(float));
    const int C = x->ne[3];
    for (int n = 0; n < x->ne[0]; n++)
        for (int h = 0; h < x->ne[1]; h++)
            for (int w = 0; w < x->ne[2]; w++) {
                const float *xp = x->data + (((size_t)n * x->ne[1] + h) * x->ne[2] + w) * C;
                float *yp = y->data + ((((size_t)n + pads[0][0]) * y->ne[1] + h + pads[1][0]) * y->ne[2] + w +
                                       pads[2][0]) * y->ne[3] + pads[3][0];
                memcpy(yp, xp, (size_t)C * sizeof(float));
            }
}

void tc_tensor_concat(const tc_tensor *const *xs, int n, int axis, tc_tensor *y)
{
    size_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= (size_t)y->ne[d];
    for (int d = axis + 1; d < 4; d++)
        inner *= (size_t)y->ne[d];
    float *yp = y->data;
    for (size_t o = 0; o < outer; o++)
        for (int k = 0; k < n; k++) {
            size_t len = (size_t)xs[k]->ne[axis] * inner;
            memcpy(yp, xs[k]->data + o * len, len * sizeof(float));
            yp += len;
        }
}

/* TensorFlow Lite's ComputeInterpolationValues, reproduced so the edges
 * match its results: for output coordinate o (scale s), the two source
 * neighbours clamped to 0..n-1, and the weight of the second. */
static inline __attribute__((always_inline)) float interp_at(int o, float s, int half_pixel_centers, int n, int *i0,
                                                             int *i1)
{
    float f = half_pixel_centers ? (o + 0.5f) * s - 0.5f : o * s;
    int a = (int)floorf(f), b = (int)ceilf(f);
    *i0 = a < 0 ? 0 : a;
    *i1 = b > n - 1 ? n - 1 : b;
    return f - *i0;
}

TC_HOT void tc_tensor_resize_bilinear(const tc_tensor *x, tc_tensor *y, int align_corners, int half_pixel_centers)
{
    const int H = x->ne[1], W = x->ne[2], C = x->ne[3], OH = y->ne[1], OW = y->ne[2];
    float sy = align_corners && OH > 1 ? (float)(H - 1) / (OH - 1) : (float)H / OH;
    float sx = align_corners && OW > 1 ? (float)(W - 1) / (OW - 1) : (float)W / OW;
    for (int n = 0; n < y->ne[0]; n++)
        for (int oy = 0; oy < OH; oy++) {
            int y0, y1;
            float dy = interp_at(oy, sy, half_pixel_centers, H, &y0, &y1);
            for (int ox = 0; ox < OW; ox++) {
                int x0, x1;
                float dx = interp_at(ox, sx, half_pixel_centers, W, &x0, &x1);
                const float *p00 = x->data + (((size_t)n * H + y0) * W + x0) * C;
                const float *p01 = x->data + (((size_t)n * H + y0) * W + x1) * C;
                const float *p10 = x->data + (((size_t)n * H + y1) * W + x0) * C;
                const float *p11 = x->data + (((size_t)n * H + y1) * W + x1) * C;
                float *yp = y->data + (((size_t)n * OH + oy) * OW + ox) * C;
                float w00 = (1 - dy) * (1 - dx), w10 = dy * (1 - dx), w01 = (1 - dy) * dx, w11 = dy * dx;
                int c = 0;
                /* (vector * float: GCC broadcasts the float with one
                 * instruction here, where splat() costs eight) */
                for (; c + 8 <= C; c += 8)
                    st(yp + c, ld(p00 + c) * w00 + ld(p10 + c) * w10 + ld(p01 + c) * w01 + ld(p11 + c) * w11);
                for (; c < C; c++)
                    yp[c] = p00[c] * w00 + p10[c] * w10 + p01[c] * w01 + p11[c] * w11;
            }
        }
}

float tc_tensor_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}
