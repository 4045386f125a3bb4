/*
 * Body of the convolution micro-kernels, included twice by tc_gemm.c: once
 * compiled for AVX2+FMA, once for AVX-512VL (see tc_gemm.h).  The includer
 * defines:
 *   SFX(name)      the name with the instruction set's suffix
 *   MR1..MR4       pixels per tile for 1..4 vectors (8 channels each) of
 *                  output: MR*NV accumulators must fit in the registers
 *                  with the NV weight vectors and one broadcast
 *   NVMAX          widest column block (vectors)
 *   STORE_PART(p, v, n)  store the first n (1..7) lanes of v at p
 * Not a header of its own: no include guard on purpose.
 */

/* Activation, after bias and residual.  act is the same for the whole
 * job, so the branches are predicted; they are outside the inner loop. */
static inline __attribute__((always_inline)) __m256 SFX(activate)(__m256 v, int act, const float *alpha)
{
    switch (act) {
    case TC_ACT_NONE:
        return v;
    case TC_ACT_RELU:
        return _mm256_max_ps(v, _mm256_setzero_ps());
    case TC_ACT_RELU6:
        return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
    case TC_ACT_RELU_N1_TO_1:
        return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-1.0f)), _mm256_set1_ps(1.0f));
    case TC_ACT_HARD_SWISH: {
        __m256 r = _mm256_add_ps(v, _mm256_set1_ps(3.0f));
        r = _mm256_min_ps(_mm256_max_ps(r, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
        return _mm256_mul_ps(_mm256_mul_ps(v, r), _mm256_set1_ps(1.0f / 6.0f));
    }
    default: { /* TC_ACT_PRELU: v >= 0 ? v : v * alpha */
        __m256 neg = _mm256_mul_ps(v, _mm256_loadu_ps(alpha));
        return _mm256_blendv_ps(v, neg, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    }
    }
}

/* One tile: MR pixels from p, NV vectors of channels from o.  MR and NV
 * are constants after inlining, so acc[][] lives in registers. */
static inline __attribute__((always_inline)) void SFX(tile)(const tc_gemm_job *j, size_t p, int o, const int MR,
                                                             const int NV)
{
    __m256 acc[16][NVMAX];
    _Pragma("GCC unroll 16")
    for (int v = 0; v < NV; v++) {
        __m256 b = _mm256_loadu_ps(j->b + o + 8 * v);
        _Pragma("GCC unroll 16")
        for (int m = 0; m < MR; m++)
            acc[m][v] = b;
    }
    const float *xp = j->x + (ptrdiff_t)p * j->xstep;
    const float *wp = j->w + o;
    const ptrdiff_t xs = j->xstep, Op = j->Op;
    const int L = j->L;
    for (int s = 0; s < j->nseg; s++, xp += j->xseg, wp += j->wseg) {
        const float *ws = wp;
        for (int k = 0; k < L; k++, ws += Op) {
            __m256 w[NVMAX];
            _Pragma("GCC unroll 16")
            for (int v = 0; v < NV; v++)
                w[v] = _mm256_loadu_ps(ws + 8 * v);
            _Pragma("GCC unroll 16")
            for (int m = 0; m < MR; m++) {
                __m256 xv = _mm256_broadcast_ss(xp + m * xs + k);
                _Pragma("GCC unroll 16")
                for (int v = 0; v < NV; v++)
                    acc[m][v] = _mm256_fmadd_ps(xv, w[v], acc[m][v]);
            }
        }
    }
    _Pragma("GCC unroll 16")
    for (int m = 0; m < MR; m++) {
        float *yp = j->y + (ptrdiff_t)(p + m) * j->ystep + o;
        _Pragma("GCC unroll 16")
        for (int v = 0; v < NV; v++) {
            __m256 r = acc[m][v];
            int n = j->O - o - 8 * v;          /* channels left to write */
            int rn = j->rC - o - 8 * v;        /* and residual channels to read */
            if (j->res && rn > 0) {
                const float *rp = j->res + (ptrdiff_t)(p + m) * j->rstep + o + 8 * v;
                r = _mm256_add_ps(r, rn >= 8 ? _mm256_loadu_ps(rp) : SFX(load_part)(rp, rn));
            }
            r = SFX(activate)(r, j->act, j->alpha ? j->alpha + o + 8 * v : NULL);
            if (n >= 8)
                _mm256_storeu_ps(yp + 8 * v, r);
            else
                STORE_PART(yp + 8 * v, r, n);
        }
    }
}

/* All pixels of the job for columns [o, o + 8*NV): whole tiles of MR, then
 * the rest one pixel at a time. */
static inline __attribute__((always_inline)) void SFX(columns)(const tc_gemm_job *j, size_t p0, size_t p1, int o,
                                                                const int MR, const int NV)
{
    size_t p = p0;
    for (; p + MR <= p1; p += MR)
        SFX(tile)(j, p, o, MR, NV);
    if (MR > 4)
        for (; p + 4 <= p1; p += 4)
            SFX(tile)(j, p, o, 4, NV);
    for (; p < p1; p++)
        SFX(tile)(j, p, o, 1, NV);
}

/* The job, in chunks of pixels whose inputs stay in L1 while every column
 * block goes over them. */
void SFX(tc_gemm_run)(const tc_gemm_job *j)
{
    const int nvec = (j->O + 7) / 8;
    const size_t K = (size_t)j->nseg * j->L;
    size_t chunk = 6144 / (K ? K : 1); /* ~24 KB of input per chunk */
    chunk = chunk < 48 ? 48 : chunk / 48 * 48;
    for (size_t p0 = 0; p0 < (size_t)j->np; p0 += chunk) {
        size_t p1 = p0 + chunk < (size_t)j->np ? p0 + chunk : (size_t)j->np;
        int v = 0;
        while (v < nvec) {
            int left = nvec - v, nv;
            /* widest blocks first; never leave a lone vector when it can
             * be avoided (a 1-vector block has too few accumulators) */
            if (left <= NVMAX)
                nv = left;
            else if (left == NVMAX + 1 && NVMAX > 2)
                nv = NVMAX - 1;
            else
                nv = NVMAX;
            switch (nv) {
            case 1: SFX(columns)(j, p0, p1, 8 * v, MR1, 1); break;
            case 2: SFX(columns)(j, p0, p1, 8 * v, MR2, 2); break;
#if NVMAX >= 3
            case 3: SFX(columns)(j, p0, p1, 8 * v, MR3, 3); break;
#endif
#if NVMAX >= 4
            case 4: SFX(columns)(j, p0, p1, 8 * v, MR4, 4); break;
#endif
            }
            v += nv;
        }
    }
}
