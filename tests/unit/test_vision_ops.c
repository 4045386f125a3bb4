/* Unit tests of the vision engine's kernels against values computed by
 * hand (in the comments), and of the net builder on small generated models
 * (tools/tflite_gen.py wrote them into the fuzz corpus). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/tc_net.h"
#include "vision/tc_tensor.h"
#include "vision/tc_tfl.h"

#define NEAR(a, b) assert_true(fabsf((float)(a) - (float)(b)) < 1e-5f)

static tc_tensor T(int n, int h, int w, int c, float *d)
{
    tc_tensor t = {{n, h, w, c}, d};
    return t;
}

static void test_out_size(void **state)
{
    (void)state;
    int o, p;
    /* SAME, in 5, k 3, s 2: out ceil(5/2) = 3, total pad (3-1)*2+3-5 = 2, 1 before */
    assert_int_equal(tc_tensor_out_size(5, 3, 2, 1, 1, &o, &p), 0);
    assert_int_equal(o, 3);
    assert_int_equal(p, 1);
    /* VALID, in 5, k 3, s 2: (5-3)/2+1 = 2, no pad */
    assert_int_equal(tc_tensor_out_size(5, 3, 2, 1, 0, &o, &p), 0);
    assert_int_equal(o, 2);
    assert_int_equal(p, 0);
    /* SAME 128, k 5, s 2 (BlazeFace's first layer): 64, total 3, 1 before */
    assert_int_equal(tc_tensor_out_size(128, 5, 2, 1, 1, &o, &p), 0);
    assert_int_equal(o, 64);
    assert_int_equal(p, 1);
    /* SAME 4, k 3, s 2: 2, total 1: the odd pixel goes after, 0 before */
    assert_int_equal(tc_tensor_out_size(4, 3, 2, 1, 1, &o, &p), 0);
    assert_int_equal(o, 2);
    assert_int_equal(p, 0);
    /* dilation 2 makes a 3-window 5 wide: VALID on 5 gives 1 */
    assert_int_equal(tc_tensor_out_size(5, 3, 1, 2, 0, &o, &p), 0);
    assert_int_equal(o, 1);
    /* VALID window larger than the input, zero stride: refused */
    assert_int_equal(tc_tensor_out_size(2, 3, 1, 1, 0, &o, &p), -1);
    assert_int_equal(tc_tensor_out_size(2, 3, 0, 1, 1, &o, &p), -1);
}

/* Conv through the packed layout; bias padded as the net does. */
static void conv(const float *x, int H, int W, int I, const float *ohwi, const float *b, int O, int kh, int kw,
                 int s, int same, int act, float *y, int *OH, int *OW)
{
    tc_conv_geom g = {kh, kw, s, s, 1, 1, 0, 0, act};
    assert_int_equal(tc_tensor_out_size(H, kh, s, 1, same, OH, &g.pt), 0);
    assert_int_equal(tc_tensor_out_size(W, kw, s, 1, same, OW, &g.pl), 0);
    float *wp = calloc(tc_tensor_conv_packed_len(O, kh, kw, I), sizeof *wp);
    float *bp = calloc((size_t)tc_tensor_pad_vec(O), sizeof *bp);
    tc_tensor_conv_pack(ohwi, O, kh, kw, I, wp);
    if (b)
        memcpy(bp, b, (size_t)O * sizeof *bp);
    tc_tensor xt = T(1, H, W, I, (float *)x), yt = T(1, *OH, *OW, O, y);
    float *scratch = calloc(tc_tensor_conv_scratch_len(&g, I, *OH == H && *OW == W) + 1, sizeof *scratch);
    tc_tensor_conv2d(&xt, wp, bp, &yt, &g, scratch);
    free(scratch);
    free(wp);
    free(bp);
}

static void test_conv_1x1(void **state)
{
    (void)state;
    /* 5 pixels (not a multiple of the 4-pixel block), 2 in, 3 out (padded
     * to 8): pixel p = (p, 1), weights row o = (o+1, -1), bias (.5, 0, -.5)
     * => y[p][o] = p*(o+1) - 1 + b[o]; with RELU, negatives become 0. */
    float x[10], w[6], b[3] = {0.5f, 0.0f, -0.5f}, y[15];
    for (int p = 0; p < 5; p++) {
        x[2 * p] = (float)p;
        x[2 * p + 1] = 1;
    }
    for (int o = 0; o < 3; o++) {
        w[2 * o] = (float)(o + 1);
        w[2 * o + 1] = -1;
    }
    int oh, ow;
    conv(x, 1, 5, 2, w, b, 3, 1, 1, 1, 1, TC_ACT_NONE, y, &oh, &ow);
    assert_int_equal(ow, 5);
    for (int p = 0; p < 5; p++)
        for (int o = 0; o < 3; o++)
            NEAR(y[p * 3 + o], p * (o + 1) - 1 + b[o]);
    conv(x, 1, 5, 2, w, b, 3, 1, 1, 1, 1, TC_ACT_RELU, y, &oh, &ow);
    NEAR(y[0], 0);   /* -0.5 -> 0 */
    NEAR(y[2], 0);   /* -1.5 -> 0 */
    NEAR(y[3], 0.5f); /* p=1,o=0: 1-1+.5 */
    conv(x, 1, 5, 2, w, b, 3, 1, 1, 1, 1, TC_ACT_RELU6, y, &oh, &ow);
    NEAR(y[4 * 3 + 2], 6); /* 4*3-1-.5 = 10.5 -> 6 */
}

static void test_conv_same_valid_stride(void **state)
{
    (void)state;
    float ones[25], k9[9], y[25];
    for (int i = 0; i < 25; i++)
        ones[i] = 1;
    for (int i = 0; i < 9; i++)
        k9[i] = 1;
    int oh, ow;
    /* 3x3 ones, 3x3 ones kernel, SAME stride 1: each output counts the
     * window's cells inside: corners 4, edges 6, centre 9. */
    conv(ones, 3, 3, 1, k9, NULL, 1, 3, 3, 1, 1, 0, y, &oh, &ow);
    assert_int_equal(oh, 3);
    float want1[9] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
    for (int i = 0; i < 9; i++)
        NEAR(y[i], want1[i]);
    /* 5x5 x[i][j] = 5i+j, VALID stride 2: windows centred on (1,1) (1,3)
     * (3,1) (3,3); a 3x3 window of a linear ramp sums to 9 x its centre:
     * 9*6, 9*8, 9*16, 9*18. */
    float ramp[25];
    for (int i = 0; i < 25; i++)
        ramp[i] = (float)i;
    conv(ramp, 5, 5, 1, k9, NULL, 1, 3, 3, 2, 0, 0, y, &oh, &ow);
    assert_int_equal(oh, 2);
    assert_int_equal(ow, 2);
    NEAR(y[0], 54);
    NEAR(y[1], 72);
    NEAR(y[2], 144);
    NEAR(y[3], 162);
    /* 4x4 ones, SAME stride 2: total padding 1, all of it after (TF's
     * rule), so windows start at 0 and 2: 9, 6 / 6, 4. */
    conv(ones, 4, 4, 1, k9, NULL, 1, 3, 3, 2, 1, 0, y, &oh, &ow);
    assert_int_equal(oh, 2);
    NEAR(y[0], 9);
    NEAR(y[1], 6);
    NEAR(y[2], 6);
    NEAR(y[3], 4);
}

static void test_conv_many_channels(void **state)
{
    (void)state;
    /* 1 pixel, 3x3 VALID over 3x3x2, 70 outputs (more than one 64-block,
     * not a multiple of 8): y[o] = sum over window of x * w = o * (sum x)
     * when w[o][..] = o, with x = 1..18 summing to 171; bias 1. */
    enum { O = 70 };
    float x[18], w[O * 18], b[O], y[O];
    for (int i = 0; i < 18; i++)
        x[i] = (float)(i + 1);
    for (int o = 0; o < O; o++) {
        b[o] = 1;
        for (int i = 0; i < 18; i++)
            w[o * 18 + i] = (float)o;
    }
    int oh, ow;
    conv(x, 3, 3, 2, w, b, O, 3, 3, 1, 0, 0, y, &oh, &ow);
    assert_int_equal(oh, 1);
    for (int o = 0; o < O; o++)
        NEAR(y[o], 171.0f * o + 1);
}

/* Reference convolution in double, straight from the definition, for the
 * kernel comparison below. */
static void conv_ref(const float *x, int H, int W, int I, const float *ohwi, const float *b, int O, const tc_conv_geom *g,
                     int OH, int OW, const float *res, int rC, const float *alpha, float *y)
{
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++)
            for (int o = 0; o < O; o++) {
                double a = b[o];
                for (int ky = 0; ky < g->kh; ky++)
                    for (int kx = 0; kx < g->kw; kx++) {
                        int iy = oy * g->sh - g->pt + ky, ix = ox * g->sw - g->pl + kx;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                            continue;
                        for (int i = 0; i < I; i++)
                            a += (double)x[((size_t)iy * W + ix) * I + i] *
                                 ohwi[(((size_t)o * g->kh + ky) * g->kw + kx) * I + i];
                    }
                size_t k = ((size_t)oy * OW + ox) * O + o;
                float v = (float)a + (res && o < rC ? res[((size_t)oy * OW + ox) * rC + o] : 0.0f);
                switch (g->act) {
                case TC_ACT_RELU: v = v > 0 ? v : 0; break;
                case TC_ACT_RELU6: v = v < 0 ? 0 : v > 6 ? 6 : v; break;
                case TC_ACT_RELU_N1_TO_1: v = v < -1 ? -1 : v > 1 ? 1 : v; break;
                case TC_ACT_HARD_SWISH: { float r = v + 3; r = r < 0 ? 0 : r > 6 ? 6 : r; v = v * r / 6; break; }
                case TC_ACT_PRELU: v = v >= 0 ? v : v * alpha[o]; break;
                default: break;
                }
                y[k] = v;
            }
}

/* Every kernel set this CPU has (portable, AVX2, AVX-512) against the
 * reference, on shapes that reach each code path: whole tiles and the
 * pixel tails, channel counts that are not a multiple of 8 or need several
 * column blocks, border pixels of strided SAME windows, a single-pixel
 * output, fused residual and every activation. */
static void test_conv_kernels(void **state)
{
    (void)state;
    static const struct { int H, W, I, O, k, s, same; } cs[] = {
        {3, 50, 16, 16, 1, 1, 0}, {4, 6, 13, 37, 1, 1, 0}, {1, 1, 128, 128, 1, 1, 0}, {7, 9, 24, 88, 1, 1, 0},
        {6, 5, 16, 2, 1, 1, 0},   {17, 19, 3, 16, 3, 2, 1}, {20, 20, 3, 24, 3, 2, 1}, {13, 14, 3, 24, 5, 2, 1},
        {3, 3, 32, 70, 3, 3, 0},  {6, 7, 5, 9, 3, 1, 1},    {9, 8, 4, 12, 5, 1, 0},  {2, 2, 3, 8, 5, 1, 1},
    };
    static const int acts[] = {TC_ACT_NONE, TC_ACT_RELU, TC_ACT_RELU6, TC_ACT_RELU_N1_TO_1, TC_ACT_HARD_SWISH,
                               TC_ACT_PRELU};
    uint32_t seed = 12345;
#define RND() ((seed = seed * 1664525u + 1013904223u), (float)((seed >> 8) % 2001) / 1000.0f - 1.0f)
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        int H = cs[c].H, W = cs[c].W, I = cs[c].I, O = cs[c].O, k = cs[c].k, OH, OW;
        tc_conv_geom g = {k, k, cs[c].s, cs[c].s, 1, 1, 0, 0, 0};
        assert_int_equal(tc_tensor_out_size(H, k, g.sh, 1, cs[c].same, &OH, &g.pt), 0);
        assert_int_equal(tc_tensor_out_size(W, k, g.sw, 1, cs[c].same, &OW, &g.pl), 0);
        size_t nx = (size_t)H * W * I, nw = (size_t)O * k * k * I, ny = (size_t)OH * OW * O;
        int Op = tc_tensor_pad_vec(O);
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = calloc((size_t)Op, 4), *al = calloc((size_t)Op, 4);
        float *res = malloc(ny * 4), *want = malloc(ny * 4), *got = malloc(ny * 4);
        float *wp = calloc(tc_tensor_conv_packed_len(O, k, k, I), 4);
        float *sc = calloc(tc_tensor_conv_scratch_len(&g, I, OH == H && OW == W) + 1, 4);
        for (size_t i = 0; i < nx; i++) x[i] = RND();
        for (size_t i = 0; i < nw; i++) w[i] = RND();
        for (size_t i = 0; i < ny; i++) res[i] = RND();
        for (int o = 0; o < O; o++) { b[o] = RND(); al[o] = RND(); }
        tc_tensor_conv_pack(w, O, k, k, I, wp);
        tc_tensor xt = T(1, H, W, I, x), yt = T(1, OH, OW, O, got);
        for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
            for (int r = 0; r < 3; r++) /* no residual, a whole one, one with fewer channels */
                for (int isa = 0; isa <= 2; isa++) {
                    int rC = r == 2 ? O / 2 + 1 : O;
                    tc_tensor rt = T(1, OH, OW, rC, res);
                    g.act = acts[a];
                    conv_ref(x, H, W, I, w, b, O, &g, OH, OW, r ? res : NULL, rC, al, want);
                    for (size_t i = 0; i < ny; i++)
                        got[i] = NAN;
                    tc_tensor_conv2d_fused(&xt, wp, b, &yt, &g, sc, r ? &rt : NULL, al, isa);
                    for (size_t i = 0; i < ny; i++)
                        if (!(fabsf(got[i] - want[i]) <= 1e-4f * (1 + fabsf(want[i])))) {
                            print_error("case %zu act %d res %d isa %d: y[%zu] %g, want %g\n", c, g.act, r, isa, i,
                                        (double)got[i], (double)want[i]);
                            fail();
                        }
                }
        free(x), free(w), free(b), free(al), free(res), free(want), free(got), free(wp), free(sc);
    }
#undef RND
}

static void test_depthwise(void **state)
{
    (void)state;
    /* multiplier 2: x = (1, 2), 1x1 weights (1,2,3,4) => (1*1, 1*2, 2*3, 2*4) */
    float x[2] = {1, 2}, w[4] = {1, 2, 3, 4}, b[4] = {0, 0, 0, 0}, y[9 * 9];
    tc_conv_geom g1 = {1, 1, 1, 1, 1, 1, 0, 0, 0};
    tc_tensor xt = T(1, 1, 1, 2, x), yt = T(1, 1, 1, 4, y);
    tc_tensor_depthwise(&xt, w, b, 2, &yt, &g1);
    NEAR(y[0], 1);
    NEAR(y[1], 2);
    NEAR(y[2], 6);
    NEAR(y[3], 8);
    /* 9 channels (a vector of 8 and a tail of 1), 3x3 ones input, kernel of
     * channel c all (c+1), SAME: (c+1) x {4 corners, 6 edges, 9 centre},
     * bias c. */
    float ones[81], k[81], bb[16] = {0};
    for (int i = 0; i < 81; i++) {
        ones[i] = 1;
        k[i] = (float)(i % 9 + 1);
    }
    for (int c = 0; c < 9; c++)
        bb[c] = (float)c;
    tc_conv_geom g = {3, 3, 1, 1, 1, 1, 1, 1, 0};
    tc_tensor xt2 = T(1, 3, 3, 9, ones), yt2 = T(1, 3, 3, 9, y);
    tc_tensor_depthwise(&xt2, k, bb, 1, &yt2, &g);
    float cnt[9] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
    for (int p = 0; p < 9; p++)
        for (int c = 0; c < 9; c++)
            NEAR(y[p * 9 + c], cnt[p] * (c + 1) + c);
    /* stride 2 SAME on 3x3: out 2x2, total pad 2, 1 before: windows centred
     * on (0,0) (0,2) (2,0) (2,2): all corners, 4 cells each. */
    tc_tensor yt3 = T(1, 2, 2, 9, y);
    tc_conv_geom g2 = {3, 3, 2, 2, 1, 1, 1, 1, 0};
    tc_tensor_depthwise(&xt2, k, bb, 1, &yt3, &g2);
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 9; c++)
            NEAR(y[p * 9 + c], 4.0f * (c + 1) + c);
}

static void test_transpose_conv(void **state)
{
    (void)state;
    /* 2x2 input [[1,2],[3,4]], 2x2 ones kernel, stride 2: each input
     * spreads into its own 2x2 block; bias .5 */
    float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 1, 1}, b[1] = {0.5f}, y[16];
    float *wp = calloc(tc_tensor_tconv_packed_len(1, 2, 2, 1), sizeof *wp);
    tc_tensor_tconv_pack(w, 1, 2, 2, 1, wp);
    tc_tensor xt = T(1, 2, 2, 1, x), yt = T(1, 4, 4, 1, y);
    tc_conv_geom g = {2, 2, 2, 2, 1, 1, 0, 0, 0};
    tc_tensor_transpose_conv(&xt, wp, b, &yt, &g);
    float want[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    for (int i = 0; i < 16; i++)
        NEAR(y[i], want[i] + 0.5f);
    free(wp);
    /* overlap: input (1, 2) along x, 1x3 ones kernel, stride 1, 2 output
     * channels with weights 1 and 10: out width 4 = (1, 1+2, 1+2, 2) */
    float x2[2] = {1, 2}, w2[6] = {1, 1, 1, 10, 10, 10}, b2[2] = {0, 0}, y2[8];
    wp = calloc(tc_tensor_tconv_packed_len(2, 1, 3, 1), sizeof *wp);
    tc_tensor_tconv_pack(w2, 2, 1, 3, 1, wp);
    tc_tensor xt2 = T(1, 1, 2, 1, x2), yt2 = T(1, 1, 4, 2, y2);
    tc_conv_geom g2 = {1, 3, 1, 1, 1, 1, 0, 0, 0};
    tc_tensor_transpose_conv(&xt2, wp, b2, &yt2, &g2);
    float want2[4] = {1, 3, 3, 2};
    for (int i = 0; i < 4; i++) {
        NEAR(y2[2 * i], want2[i]);
        NEAR(y2[2 * i + 1], 10 * want2[i]);
    }
    free(wp);
    /* the segmenter's case, 2x2 stride 2 from 16 channels to 1 (its own
     * kernel on x86), on an odd width, against the definition */
    enum { H3 = 3, W3 = 5, I3 = 16 };
    float x3[H3 * W3 * I3], w3[4 * I3], y3[4 * H3 * W3], b3[1] = {0.25f};
    for (int i = 0; i < H3 * W3 * I3; i++)
        x3[i] = (float)((i * 7) % 13) - 6;
    for (int i = 0; i < 4 * I3; i++)
        w3[i] = (float)((i * 5) % 11) / 8 - 0.6f;
    wp = calloc(tc_tensor_tconv_packed_len(1, 2, 2, I3), sizeof *wp);
    tc_tensor_tconv_pack(w3, 1, 2, 2, I3, wp);
    tc_tensor xt3 = T(1, H3, W3, I3, x3), yt3 = T(1, 2 * H3, 2 * W3, 1, y3);
    tc_tensor_transpose_conv(&xt3, wp, b3, &yt3, &g);
    for (int oy = 0; oy < 2 * H3; oy++)
        for (int ox = 0; ox < 2 * W3; ox++) {
            float want3 = b3[0];
            for (int i = 0; i < I3; i++) /* OHWI: w3[((0*2 + ky)*2 + kx)*I + i] */
                want3 += x3[((oy / 2) * W3 + ox / 2) * I3 + i] * w3[((oy % 2) * 2 + ox % 2) * I3 + i];
            assert_true(fabsf(y3[oy * 2 * W3 + ox] - want3) < 1e-4f);
        }
    free(wp);
}

static void test_pool(void **state)
{
    (void)state;
    /* 3x3 x[i][j] = 3i+j; average 3x3 SAME stride 1 counts only cells
     * inside: corner (0,0) = (0+1+3+4)/4 = 2; centre = 36/9 = 4. */
    float x[9], y[9];
    for (int i = 0; i < 9; i++)
        x[i] = (float)i;
    tc_tensor xt = T(1, 3, 3, 1, x), yt = T(1, 3, 3, 1, y);
    tc_conv_geom g = {3, 3, 1, 1, 1, 1, 1, 1, 0};
    tc_tensor_avg_pool(&xt, &yt, &g);
    NEAR(y[0], 2);
    NEAR(y[4], 4);
    NEAR(y[8], (4 + 5 + 7 + 8) / 4.0f);
    /* max 2x2 stride 2 VALID on 4x4 x = 0..15: 5, 7, 13, 15 */
    float x4[16], y4[4];
    for (int i = 0; i < 16; i++)
        x4[i] = (float)i;
    tc_tensor xt4 = T(1, 4, 4, 1, x4), yt4 = T(1, 2, 2, 1, y4);
    tc_conv_geom g2 = {2, 2, 2, 2, 1, 1, 0, 0, 0};
    tc_tensor_max_pool(&xt4, &yt4, &g2);
    NEAR(y4[0], 5);
    NEAR(y4[1], 7);
    NEAR(y4[2], 13);
    NEAR(y4[3], 15);
    /* max of negatives stays negative (not clamped at 0) */
    for (int i = 0; i < 16; i++)
        x4[i] = -1.0f - i;
    tc_tensor_max_pool(&xt4, &yt4, &g2);
    NEAR(y4[0], -1);
    /* global average over 2x2x2 VALID: per channel */
    float x8[8] = {1, 10, 2, 20, 3, 30, 4, 40}, y2[2];
    tc_tensor xt8 = T(1, 2, 2, 2, x8), yt2 = T(1, 1, 1, 2, y2);
    tc_tensor_avg_pool(&xt8, &yt2, &g2);
    NEAR(y2[0], 2.5f);
    NEAR(y2[1], 25);
}

static void test_binary(void **state)
{
    (void)state;
    /* a [1,2,2,9] = i, b [1,1,1,9] = c: channel broadcast (squeeze-excite) */
    float a[36], b[9], y[36];
    for (int i = 0; i < 36; i++)
        a[i] = (float)i - 18;
    for (int c = 0; c < 9; c++)
        b[c] = (float)c;
    tc_tensor at = T(1, 2, 2, 9, a), bt = T(1, 1, 1, 9, b), yt = T(1, 2, 2, 9, y);
    tc_tensor_binary(TC_BIN_ADD, &at, &bt, &yt, TC_ACT_NONE);
    for (int i = 0; i < 36; i++)
        NEAR(y[i], a[i] + b[i % 9]);
    tc_tensor_binary(TC_BIN_MUL, &at, &bt, &yt, TC_ACT_NONE);
    for (int i = 0; i < 36; i++)
        NEAR(y[i], a[i] * b[i % 9]);
    tc_tensor_binary(TC_BIN_ADD, &at, &bt, &yt, TC_ACT_RELU);
    for (int i = 0; i < 36; i++)
        NEAR(y[i], fmaxf(a[i] + b[i % 9], 0));
    /* PRELU: negatives times alpha[c], positives kept */
    tc_tensor_binary(TC_BIN_PRELU, &at, &bt, &yt, TC_ACT_NONE);
    for (int i = 0; i < 36; i++)
        NEAR(y[i], a[i] >= 0 ? a[i] : a[i] * b[i % 9]);
    /* same shapes, and a broadcast of the first operand */
    tc_tensor_binary(TC_BIN_ADD, &at, &at, &yt, TC_ACT_NONE);
    NEAR(y[35], 34);
    tc_tensor_binary(TC_BIN_MUL, &bt, &at, &yt, TC_ACT_NONE);
    NEAR(y[35], 8 * 17);
}

/* The flat paths for channels in whole vectors: same shape, and
 * per-channel gates on either side, with and without an activation. */
static void test_binary_vectors(void **state)
{
    (void)state;
    enum { P = 6, C = 16 };
    float a[P * C], g[C], y[P * C];
    for (int i = 0; i < P * C; i++)
        a[i] = (float)(i % 11) - 5;
    for (int c = 0; c < C; c++)
        g[c] = (float)c / 4 - 2;
    tc_tensor at = T(1, 2, 3, C, a), gt = T(1, 1, 1, C, g), yt = T(1, 2, 3, C, y);
    tc_tensor_binary(TC_BIN_MUL, &at, &gt, &yt, TC_ACT_NONE);
    for (int i = 0; i < P * C; i++)
        NEAR(y[i], a[i] * g[i % C]);
    tc_tensor_binary(TC_BIN_MUL, &gt, &at, &yt, TC_ACT_RELU);
    for (int i = 0; i < P * C; i++)
        NEAR(y[i], a[i] * g[i % C] > 0 ? a[i] * g[i % C] : 0);
    tc_tensor_binary(TC_BIN_ADD, &at, &at, &yt, TC_ACT_NONE);
    for (int i = 0; i < P * C; i++)
        NEAR(y[i], 2 * a[i]);
    tc_tensor_binary(TC_BIN_ADD, &at, &gt, &yt, TC_ACT_RELU6);
    for (int i = 0; i < P * C; i++) {
        float v = a[i] + g[i % C];
        NEAR(y[i], v < 0 ? 0 : v > 6 ? 6 : v);
    }
}

static void test_unary(void **state)
{
    (void)state;
    float x[5] = {-4, -1, 0, 1, 7}, y[5];
    tc_tensor_unary(TC_UN_RELU, x, y, 5);
    NEAR(y[0], 0);
    NEAR(y[4], 7);
    tc_tensor_unary(TC_UN_RELU6, x, y, 5);
    NEAR(y[4], 6);
    tc_tensor_unary(TC_UN_LOGISTIC, x, y, 5);
    NEAR(y[2], 0.5f);
    NEAR(y[3], 1 / (1 + expf(-1)));
    /* the vectorised logistic (8 at a time, its own exp) against libm's,
     * relative 1e-6, from far negative to far positive */
    {
        enum { N = 4001 };
        static float lx[N], ly[N];
        for (int i = 0; i < N; i++)
            lx[i] = (float)(i - N / 2) * 0.05f;
        tc_tensor_unary(TC_UN_LOGISTIC, lx, ly, N);
        for (int i = 0; i < N; i++) {
            float want = 1.0f / (1.0f + expf(-lx[i]));
            assert_true(fabsf(ly[i] - want) <= 1e-6f * want + 1e-37f);
        }
    }
    /* hard swish x*relu6(x+3)/6: -4 -> 0, -1 -> -1/3, 1 -> 2/3, 7 -> 7 */
    tc_tensor_unary(TC_UN_HARD_SWISH, x, y, 5);
    NEAR(y[0], 0);
    NEAR(y[1], -1.0f / 3);
    /* the same, fused into a 1x1 convolution with weight 1 */
    float w1[1] = {1}, b1[8] = {0}, wp1[8] = {0}, y2[5], sc[1];
    tc_tensor_conv_pack(w1, 1, 1, 1, 1, wp1);
    tc_tensor xt = {{1, 1, 5, 1}, x}, yt = {{1, 1, 5, 1}, y2};
    tc_conv_geom g = {1, 1, 1, 1, 1, 1, 0, 0, TC_ACT_HARD_SWISH};
    tc_tensor_conv2d(&xt, wp1, b1, &yt, &g, sc);
    for (int i = 0; i < 5; i++)
        NEAR(y2[i], y[i]);
    NEAR(y[1], -1.0f / 3);
    NEAR(y[3], 2.0f / 3);
    NEAR(y[4], 7);
}

static void test_pad_concat(void **state)
{
    (void)state;
    /* channel padding as BlazeFace does: [1,1,2,1] -> [1,1,2,3] */
    float x[2] = {5, 6}, y[12];
    int pads[4][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 2}};
    tc_tensor xt = T(1, 1, 2, 1, x), yt = T(1, 1, 2, 3, y);
    tc_tensor_pad(&xt, pads, &yt);
    float want[6] = {5, 0, 0, 6, 0, 0};
    for (int i = 0; i < 6; i++)
        NEAR(y[i], want[i]);
    /* spatial padding, one row before, one column after */
    int pads2[4][2] = {{0, 0}, {1, 0}, {0, 1}, {0, 0}};
    tc_tensor yt2 = T(1, 2, 3, 1, y);
    tc_tensor_pad(&xt, pads2, &yt2);
    float want2[6] = {0, 0, 0, 5, 6, 0};
    for (int i = 0; i < 6; i++)
        NEAR(y[i], want2[i]);
    /* concat along W and along C */
    float a[4] = {1, 2, 3, 4}, b[2] = {9, 8};
    tc_tensor at = T(1, 2, 1, 2, a), bt = T(1, 2, 1, 1, b), ct = T(1, 2, 1, 3, y);
    const tc_tensor *xs[2] = {&at, &bt};
    tc_tensor_concat(xs, 2, 3, &ct);
    float want3[6] = {1, 2, 9, 3, 4, 8};
    for (int i = 0; i < 6; i++)
        NEAR(y[i], want3[i]);
    tc_tensor a2 = T(1, 1, 2, 2, a), b2 = T(1, 1, 1, 2, b), c2 = T(1, 1, 3, 2, y);
    const tc_tensor *xs2[2] = {&a2, &b2};
    tc_tensor_concat(xs2, 2, 2, &c2);
    float want4[6] = {1, 2, 3, 4, 9, 8};
    for (int i = 0; i < 6; i++)
        NEAR(y[i], want4[i]);
}

static void test_resize(void **state)
{
    (void)state;
    /* [[0,1],[2,3]] to 4x4, half-pixel centres: source x = (i+.5)/2-.5 =
     * -.25 .25 .75 1.25, clamped at the edges: row 0 = 0 .25 .75 1; row 1
     * (y = .25) = .75*row0 + .25*(row0+2) = .5 .75 1.25 1.5. */
    float x[4] = {0, 1, 2, 3}, y[16];
    tc_tensor xt = T(1, 2, 2, 1, x), yt = T(1, 4, 4, 1, y);
    tc_tensor_resize_bilinear(&xt, &yt, 0, 1);
    float want[8] = {0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f};
    for (int i = 0; i < 8; i++)
        NEAR(y[i], want[i]);
    NEAR(y[15], 3);
    /* align corners 2 -> 3: 0 .5 1 */
    tc_tensor yt3 = T(1, 3, 3, 1, y);
    tc_tensor_resize_bilinear(&xt, &yt3, 1, 0);
    NEAR(y[0], 0);
    NEAR(y[1], 0.5f);
    NEAR(y[2], 1);
    NEAR(y[4], 1.5f);
    /* neither flag, 2 -> 4: source x = i/2: 0 .5 1 1(clamped) */
    tc_tensor_resize_bilinear(&xt, &yt, 0, 0);
    NEAR(y[1], 0.5f);
    NEAR(y[3], 1);
}

static void test_half(void **state)
{
    (void)state;
    NEAR(tc_tensor_half_to_float(0x3c00), 1);
    NEAR(tc_tensor_half_to_float(0xc000), -2);
    NEAR(tc_tensor_half_to_float(0x7bff), 65504);
    NEAR(tc_tensor_half_to_float(0x3555), 0.333251953125f);
    assert_true(tc_tensor_half_to_float(0x0001) == ldexpf(1, -24)); /* smallest subnormal */
    assert_true(tc_tensor_half_to_float(0x03ff) == ldexpf(1023, -24));
    assert_true(isinf(tc_tensor_half_to_float(0x7c00)));
    assert_true(isnan(tc_tensor_half_to_float(0x7e00)));
}

/* ---- the net builder on generated models --------------------------------- */

static int read_fixture(const char *name, char **data, size_t *len)
{
    char path[1024];
    tc_err e;
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/tflite/%s", TC_SRCDIR, name);
    return tc_file_read(path, 1 << 20, data, len, &e);
}

typedef struct run_arg {
    const tc_tfl_net *net;
    float out[1024];
} run_arg;

static void *run_thread(void *p)
{
    run_arg *a = p;
    void *arena = aligned_alloc(64, tc_tfl_net_arena_bytes(a->net));
    for (int rep = 0; rep < 50; rep++) {
        float *in = tc_tfl_net_input(a->net, arena, 0);
        for (int i = 0; i < 8 * 8 * 3; i++)
            in[i] = (float)(i % 7) / 7.0f - 0.3f;
        tc_tfl_net_run(a->net, arena);
        memcpy(a->out, tc_tfl_net_output(a->net, arena, 0), 1024 * sizeof(float));
    }
    free(arena);
    return NULL;
}

static void test_net_small(void **state)
{
    (void)state;
    char *data;
    size_t len;
    tc_err e;
    assert_int_equal(read_fixture("small_net.tflite", &data, &len), 0);
    tc_tfl_net *net;
    assert_int_equal(tc_tfl_net_load((uint8_t *)data, len, &net, &e), 0);
    /* memory planning: the arena is smaller than all activations together */
    tc_tfl_model m;
    assert_int_equal(tc_tfl_parse((uint8_t *)data, len, &m, &e), 0);
    size_t all = 0;
    for (int i = 0; i < m.n_tensors; i++)
        if (!m.tensors[i].data && m.tensors[i].type == TC_TFL_FLOAT32) {
            size_t n = 4;
            for (int d = 0; d < m.tensors[i].ndim; d++)
                n *= (size_t)m.tensors[i].shape[d];
            all += n;
        }
    tc_tfl_free(&m);
    free(data); /* the net keeps its own copy of what it needs */
    assert_true(tc_tfl_net_arena_bytes(net) < all);
    assert_int_equal(tc_tfl_net_n_nodes(net), 15); /* DEQUANTIZE folded away */
    const int *os = tc_tfl_net_output_shape(net, 0);
    assert_int_equal(os[2], 256);
    assert_int_equal(os[3], 4);
    /* one net, two threads at once, same answers */
    run_arg a = {net, {0}}, b = {net, {0}};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_thread, &a);
    pthread_create(&tb, NULL, run_thread, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_memory_equal(a.out, b.out, sizeof a.out);
    tc_tfl_net_free(net);
}

/* MediaPipe's attention-mesh custom ops (tools/tflite_gen.py attention_net):
 * Landmarks2TransformMatrix over a known box, TransformTensorBilinear on a
 * ramp (so the samples are the sampling positions), TransformLandmarks, and
 * the whole-tensor STRIDED_SLICE, against the ops' definitions by hand. */
static void attention_run(double th, float *mat, float *warp, float *out)
{
    char *data;
    size_t len;
    tc_err e;
    tc_tfl_net *net;
    assert_int_equal(read_fixture("attention_ops.tflite", &data, &len), 0);
    assert_int_equal(tc_tfl_net_load((uint8_t *)data, len, &net, &e), 0);
    free(data);
    void *arena = aligned_alloc(64, tc_tfl_net_arena_bytes(net));
    assert_non_null(arena);
    /* landmarks: 0 and 1 set the rotation; 2..5 the box x 1..3, y 1..2;
     * all turned by th about the origin */
    static const float lm0[6][2] = {{0, 0}, {4, 0}, {1, 1}, {3, 1}, {1, 2}, {3, 2}};
    float *lm = tc_tfl_net_input(net, arena, 0), *feat = tc_tfl_net_input(net, arena, 1);
    for (int i = 0; i < 6; i++) {
        lm[3 * i] = (float)(cos(th) * lm0[i][0] - sin(th) * lm0[i][1]);
        lm[3 * i + 1] = (float)(sin(th) * lm0[i][0] + cos(th) * lm0[i][1]);
        lm[3 * i + 2] = 7;
    }
    for (int y = 0; y < 6; y++) /* channel 0 = x, channel 1 = y */
        for (int x = 0; x < 6; x++) {
            feat[(y * 6 + x) * 2] = (float)x;
            feat[(y * 6 + x) * 2 + 1] = (float)y;
        }
    tc_tfl_net_run(net, arena);
    memcpy(out, tc_tfl_net_output(net, arena, 0), 18 * sizeof *out);
    memcpy(mat, tc_tfl_net_output(net, arena, 1), 16 * sizeof *mat);
    memcpy(warp, tc_tfl_net_output(net, arena, 2), 18 * sizeof *warp);
    free(arena);
    tc_tfl_net_free(net);
}

static void test_attention_ops(void **state)
{
    (void)state;
    float mat[16], warp[18], out[18];
    attention_run(0, mat, warp, out);
    /* box 2 x 1 centred (2, 1.5); scale 1.5 * 2 / 3 and 2 * 1 / 3; the
     * 3x3 output's centre (1.5, 1.5) lands on the box's centre */
    const float want[16] = {1, 0, 0, 0.5f, 0, 2.0f / 3, 0, 0.5f, 0, 0, 1, 0, 0, 0, 0, 1};
    for (int i = 0; i < 16; i++)
        assert_float_equal(mat[i], want[i], 1e-5);
    /* pixel centres: u = x + 0.5, v = 2/3 y + 1/3; a ramp samples itself */
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 3; x++) {
            float u = x + 0.5f, v = 2.0f / 3 * y + 1.0f / 3;
            assert_float_equal(warp[(y * 3 + x) * 2], u, 1e-5);
            assert_float_equal(warp[(y * 3 + x) * 2 + 1], v, 1e-5);
            /* TransformLandmarks: the matrix's first two rows; the slice copies */
            assert_float_equal(out[(y * 3 + x) * 2], u + 0.5f, 1e-5);
            assert_float_equal(out[(y * 3 + x) * 2 + 1], 2.0f / 3 * v + 0.5f, 1e-5);
        }
    /* turned by 30 degrees: the same crop, turned: the output's centre goes
     * to the turned box centre and the columns keep their lengths */
    double th = M_PI / 6;
    attention_run(th, mat, warp, out);
    assert_float_equal(mat[0] * 1.5f + mat[1] * 1.5f + mat[3], (float)(2 * cos(th) - 1.5 * sin(th)), 1e-4);
    assert_float_equal(mat[4] * 1.5f + mat[5] * 1.5f + mat[7], (float)(2 * sin(th) + 1.5 * cos(th)), 1e-4);
    assert_float_equal(hypotf(mat[0], mat[4]), 1.0f, 1e-4);
    assert_float_equal(hypotf(mat[1], mat[5]), 2.0f / 3, 1e-4);
    assert_float_equal(mat[0], (float)cos(th), 1e-4);
    assert_float_equal(mat[4], (float)sin(th), 1e-4);
}

static void test_net_errors(void **state)
{
    (void)state;
    char *data;
    size_t len;
    tc_err e;
    tc_tfl_net *net;
    assert_int_equal(read_fixture("unknown_op.tflite", &data, &len), 0);
    assert_int_equal(tc_tfl_net_load((uint8_t *)data, len, &net, &e), -1);
    assert_string_equal(e.code, "vision.model_unsupported_op");
    assert_non_null(strstr(e.en, "SOFTMAX"));
    assert_non_null(strstr(e.zh, "SOFTMAX"));
    free(data);
    assert_int_equal(read_fixture("trunc_0256.tflite", &data, &len), 0);
    assert_int_equal(tc_tfl_net_load((uint8_t *)data, len, &net, &e), -1);
    assert_string_equal(e.code, "vision.model_corrupt");
    free(data);
    const uint8_t junk[16] = "0123456789abcdef";
    assert_int_equal(tc_tfl_net_load(junk, sizeof junk, &net, &e), -1);
    assert_string_equal(e.code, "vision.model_not_tflite");
    assert_int_equal(tc_tfl_net_load(junk, 3, &net, &e), -1);
    assert_null(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_size),
        cmocka_unit_test(test_conv_1x1),
        cmocka_unit_test(test_conv_same_valid_stride),
        cmocka_unit_test(test_conv_many_channels),
        cmocka_unit_test(test_conv_kernels),
        cmocka_unit_test(test_depthwise),
        cmocka_unit_test(test_transpose_conv),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_binary_vectors),
        cmocka_unit_test(test_unary),
        cmocka_unit_test(test_pad_concat),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_half),
        cmocka_unit_test(test_net_small),
        cmocka_unit_test(test_net_errors),
        cmocka_unit_test(test_attention_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
