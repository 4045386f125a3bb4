/*
 * tc_gemm — the convolution micro-kernels of the vision engine, private to
 * tc_tensor.c.  Every CONV_2D (1x1 or not) is run as a set of "jobs": a run
 * of output pixels whose input windows have the same shape, so that one
 * register-blocked matrix product serves 1x1 convolutions (the window is
 * one input pixel) and the first 3x3/5x5 convolutions alike (the window is
 * kh rows of kw*I contiguous floats each, read in place: no im2col copy).
 *
 * Pixel m of a job reads, for each segment s < nseg, the L floats at
 * x + m*xstep + s*xseg, against the weight rows w + s*wseg + k*Op (k < L);
 * writes O floats at y + m*ystep.  Weights are the packed [K][Op] layout of
 * tc_tensor.h (Op a multiple of 8, zero padded), bias has Op floats.
 *
 * The kernels exist for AVX2+FMA and for AVX-512 (VL: the same 8-float
 * vectors, but 32 registers hold twice the output tile); tc_tensor.c picks
 * one at run time from what the CPU reports (tc_gemm_isa), so the binary
 * needs no -march.  On other CPUs tc_tensor.c keeps its portable kernels.
 */
#ifndef TC_GEMM_H
#define TC_GEMM_H

#include <stddef.h>

typedef struct tc_gemm_job {
    const float *x;
    ptrdiff_t xstep, xseg;
    int nseg, L;
    const float *w;
    ptrdiff_t wseg;
    int Op;
    const float *b;
    /* Optional epilogue operands (NULL when unused): a residual added
     * before the activation (pixel m at res + m*rstep, rC <= O floats, the
     * channels after rC count as zeros), and the per-channel slopes of a
     * PRELU activation (Op floats). */
    const float *res;
    ptrdiff_t rstep;
    int rC;
    const float *alpha;
    float *y;
    ptrdiff_t ystep;
    int O, np;
    int act;             /* TC_ACT_*, including TC_ACT_PRELU (alpha set) */
} tc_gemm_job;

enum { TC_ISA_GENERIC = 0, TC_ISA_AVX2 = 1, TC_ISA_AVX512 = 2 };

/* The best kernel set this CPU runs (TC_ISA_*). */
int tc_gemm_isa(void);

void tc_gemm_run_avx2(const tc_gemm_job *j);
void tc_gemm_run_avx512(const tc_gemm_job *j);

/* The 2x2, stride 2, one-channel transposed convolution of rows x W input
 * pixels of I channels (I % 8 == 0, I <= TC_GEMM_TCONV_MAXI) into the
 * (2 rows) x (2 W) output y; wp is tc_tensor_tconv_pack's [I][Np]. */
#define TC_GEMM_TCONV_MAXI 256
void tc_tconv2x2_avx2(const float *x, int rows, int W, int I, const float *wp, int Np, float bias, float *y);

#endif
