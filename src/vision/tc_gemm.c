/*
 * The convolution micro-kernels for x86-64 (see tc_gemm.h), one copy per
 * instruction set, compiled here with GCC's target pragmas so that the rest
 * of the build needs no -march flag.  Intrinsics rather than GCC's generic
 * vectors: GCC 12 turns a generic "broadcast this float" into eight lane
 * inserts inside these loops, where the intrinsic is one vbroadcastss.
 */
#include "vision/tc_gemm.h"

#include "vision/tc_tensor.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(TC_NO_CLONES)

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

#else
/* Elsewhere only the portable kernels of tc_tensor.c run: tc_gemm_isa says
 * so, and these are never called. */
int tc_gemm_isa(void) { return TC_ISA_GENERIC; }
void tc_gemm_run_avx2(const tc_gemm_job *j) { (void)j; }
void tc_gemm_run_avx512(const tc_gemm_job *j) { (void)j; }
#endif
