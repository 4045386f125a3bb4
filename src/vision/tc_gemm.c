/*
 * The convolution micro-kernels for x86-64 (see tc_gemm.h), one copy per
 * instruction set, compiled here with GCC's target pragmas so that the rest
 * of the build needs no -march flag.  Intrinsics rather than GCC's generic
 * vectors: GCC 12 turns a generic "broadcast this float" into eight lane
 * inserts inside these loops, where the intrinsic is one vbroadcastss.
 * GCC only (its target pragmas), as tc_tensor.c's target_clones are.
 */
#include "vision/tc_gemm.h"

#include "vision/tc_tensor.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TC_NO_CLONES)

#include <immintrin.h>

int tc_gemm_isa(void)
{
    /* __builtin_cpu_supports reads what libgcc found at start-up: cheap,
     * and nothing of ours to keep in a global. */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("fma"))
        return TC_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return TC_ISA_AVX2;
    return TC_ISA_GENERIC;
}

/* ---- AVX2 + FMA: 16 vector registers ------------------------------------ */
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define SFX(name) name##_avx2
#define NVMAX 3
#define MR1 8
#define MR2 6
#define MR3 4
static inline __attribute__((always_inline)) __m256i part_mask_avx2(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define STORE_PART(p, v, n) _mm256_maskstore_ps((p), part_mask_avx2(n), (v))
static inline __attribute__((always_inline)) __m256 load_part_avx2(const float *p, int n)
{
    return _mm256_maskload_ps(p, part_mask_avx2(n));
}
#include "vision/tc_gemm_body.h"
#undef SFX
#undef NVMAX
#undef MR1
#undef MR2
#undef MR3
#undef STORE_PART
#pragma GCC pop_options

/* ---- AVX-512VL: the same 8-float vectors, 32 registers ------------------- */
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define SFX(name) name##_avx512
#define NVMAX 4
#define MR1 12
#define MR2 12
#define MR3 8
#define MR4 6
#define STORE_PART(p, v, n) _mm256_mask_storeu_ps((p), (__mmask8)((1u << (n)) - 1), (v))
static inline __attribute__((always_inline)) __m256 load_part_avx512(const float *p, int n)
{
    return _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1), p);
}
#include "vision/tc_gemm_body.h"
#pragma GCC pop_options

/* 2x2 stride-2 transposed convolution with one output channel, I a
 * multiple of 8, at most TC_GEMM_TCONV_MAXI (the segmenter's last layer).
 * Each input pixel gives 4 outputs, 4 dot products of length I: done as
 * vectors over I and summed across lanes with horizontal adds, two pixels
 * at a time so that the sums fill one vector.  The matrix-product kernels
 * would compute 8 columns where 4 (or 2) are used. */
#pragma GCC push_options
#pragma GCC target("avx2,fma")
void tc_tconv2x2_avx2(const float *x, int rows, int W, int I, const float *wp, int Np, float bias, float *y)
{
    float wt[4][TC_GEMM_TCONV_MAXI]; /* the packed [I][Np] columns, as rows */
    for (int t = 0; t < 4; t++)
        for (int i = 0; i < I; i++)
            wt[t][i] = wp[(size_t)i * Np + t];
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    const __m256 vb = _mm256_set1_ps(bias);
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * W * I;
        float *y0 = y + (size_t)2 * r * 2 * W, *y1 = y0 + 2 * W;
        int ix = 0;
        for (; ix + 2 <= W; ix += 2) {
            const float *pa = xr + (size_t)ix * I, *pb = pa + I;
            __m256 a[4], b[4];
            for (int t = 0; t < 4; t++)
                a[t] = b[t] = _mm256_setzero_ps();
            for (int i = 0; i < I; i += 8) {
                __m256 xa = _mm256_loadu_ps(pa + i), xb = _mm256_loadu_ps(pb + i);
                for (int t = 0; t < 4; t++) {
                    __m256 w = _mm256_loadu_ps(&wt[t][i]);
                    a[t] = _mm256_fmadd_ps(xa, w, a[t]);
                    b[t] = _mm256_fmadd_ps(xb, w, b[t]);
                }
            }
            /* lanes: ha = [a0 a0 a1 a1 a2 a2 a3 a3] partial sums per 128-bit half */
            __m256 ha = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
            __m256 hb = _mm256_hadd_ps(_mm256_hadd_ps(b[0], b[1]), _mm256_hadd_ps(b[2], b[3]));
            __m256 s = _mm256_add_ps(_mm256_permute2f128_ps(ha, hb, 0x20), _mm256_permute2f128_ps(ha, hb, 0x31));
            s = _mm256_permutevar8x32_ps(_mm256_add_ps(s, vb), order); /* [a0 a1 b0 b1 | a2 a3 b2 b3] */
            _mm_storeu_ps(y0 + 2 * ix, _mm256_castps256_ps128(s));
            _mm_storeu_ps(y1 + 2 * ix, _mm256_extractf128_ps(s, 1));
        }
        for (; ix < W; ix++) /* an odd last pixel */
            for (int t = 0; t < 4; t++) {
                float acc = 0;
                for (int i = 0; i < I; i++)
                    acc += xr[(size_t)ix * I + i] * wt[t][i];
                (t < 2 ? y0 : y1)[2 * ix + (t & 1)] = acc + bias;
            }
    }
}
#pragma GCC pop_options

#else
/* Elsewhere only the portable kernels of tc_tensor.c run: tc_gemm_isa says
 * so, and these are never called. */
int tc_gemm_isa(void) { return TC_ISA_GENERIC; }
void tc_gemm_run_avx2(const tc_gemm_job *j) { (void)j; }
void tc_gemm_run_avx512(const tc_gemm_job *j) { (void)j; }
void tc_tconv2x2_avx2(const float *x, int rows, int W, int I, const float *wp, int Np, float bias, float *y)
{
    (void)x, (void)rows, (void)W, (void)I, (void)wp, (void)Np, (void)bias, (void)y;
}
#endif
