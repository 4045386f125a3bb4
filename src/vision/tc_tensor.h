/*
 * tc_tensor — float32 tensors and the kernels of the vision engine's ops,
 * private to the vision module (the net in tc_net.c and the unit tests use
 * it).  After ggml: a tensor is a shape and a pointer; the kernels are plain
 * functions, and tc_net.c's one switch decides which to run.
 *
 * Layout: every tensor is 4-D NHWC (TensorFlow Lite's order), contiguous,
 * ne[0] outermost (batch) and ne[3] innermost (channels); shapes of fewer
 * dimensions are padded with leading 1s.  The kernels trust the shapes they
 * are given: tc_net.c checks every shape of a model at load time, so that
 * nothing here can be made to read or write out of bounds by a model file.
 * Asserts here guard our own invariants only.
 *
 * Weights are "packed" once at load time into the layout the kernels walk:
 * output channels innermost, padded to a multiple of TC_TENSOR_VEC, so the
 * inner loops are whole SIMD vectors.  The pack functions say the layout.
 */
#ifndef TC_TENSOR_H
#define TC_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define TC_TENSOR_VEC 8 /* floats per SIMD vector in packed weights (AVX: 8) */

typedef struct tc_tensor {
    int ne[4];      /* N, H, W, C */
    float *data;    /* not owned */
} tc_tensor;

static inline size_t tc_tensor_nelem(const tc_tensor *t)
{
    return (size_t)t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
}

/* Fused activations (TensorFlow Lite's numbering), plus hard swish, which
 * the net fuses itself when a HARD_SWISH op follows a convolution. */
enum { TC_ACT_NONE = 0, TC_ACT_RELU = 1, TC_ACT_RELU_N1_TO_1 = 2, TC_ACT_RELU6 = 3, TC_ACT_HARD_SWISH = 16 };
/* PRELU fused into a convolution (tc_tensor_conv2d_fused): the slopes are
 * the fusion's alpha.  Never a model's own code. */
#define TC_ACT_PRELU 100

/* Geometry of a convolution or pooling window.  pt/pl: padding at the top
 * and left (the bottom/right padding follows from the output size). */
typedef struct tc_conv_geom {
    int kh, kw;      /* window */
    int sh, sw;      /* strides */
    int dh, dw;      /* dilations */
    int pt, pl;      /* padding before */
    int act;         /* TC_ACT_* */
} tc_conv_geom;

/* TensorFlow Lite's output size and leading padding for SAME (same=1) or
 * VALID.  Returns -1 when the window does not fit (VALID, input too small)
 * or a parameter is not positive. */
int tc_tensor_out_size(int in, int k, int stride, int dilation, int same, int *out, int *pad_before);

/* Round n up to a multiple of TC_TENSOR_VEC. */
static inline int tc_tensor_pad_vec(int n)
{
    return (n + TC_TENSOR_VEC - 1) / TC_TENSOR_VEC * TC_TENSOR_VEC;
}

/* CONV_2D.  w is OHWI as stored by TensorFlow Lite.  Packed layout:
 * [kh][kw][I][Op] with Op = tc_tensor_pad_vec(O), zeros in the padding.
 * tc_tensor_conv_pack writes kh*kw*I*Op floats into out. */
size_t tc_tensor_conv_packed_len(int O, int kh, int kw, int I);
void tc_tensor_conv_pack(const float *ohwi, int O, int kh, int kw, int I, float *out);
/* y = act(conv(x, w) + b); b has tc_tensor_pad_vec(O) floats, zeros after
 * the O-th (the net pads it at load time).  scratch holds
 * tc_tensor_conv_scratch_len floats (0 for a 1x1 stride-1 convolution
 * whose output is the input's size: it needs none). */
#define TC_TENSOR_CONV_BLOCK 64
size_t tc_tensor_conv_scratch_len(const tc_conv_geom *g, int I, int same_size);
void tc_tensor_conv2d(const tc_tensor *x, const float *wpacked, const float *b, tc_tensor *y,
                      const tc_conv_geom *g, float *scratch);

/* The same with what the net fuses into a convolution: res (NULL or a
 * tensor of y's N, H, W and at most its channels, the missing ones read as
 * zeros: a residual whose channel PAD was folded in) is added before the
 * activation, and g->act may be
 * TC_ACT_PRELU with alpha its tc_tensor_pad_vec(O) slopes.  isa: -1 for
 * the best kernels this CPU has, else a TC_ISA_* of tc_gemm.h no better
 * than that (the tests compare them). */
void tc_tensor_conv2d_fused(const tc_tensor *x, const float *wpacked, const float *b, tc_tensor *y,
                            const tc_conv_geom *g, float *scratch, const tc_tensor *res, const float *alpha,
                            int isa);

/* DEPTHWISE_CONV_2D.  w is [1][kh][kw][C*M] as stored, which is already the
 * layout the kernel walks (channels innermost): no packing.  Output channel
 * c*M + m reads input channel c.  b has C*M floats. */
void tc_tensor_depthwise(const tc_tensor *x, const float *w, const float *b, int mult, tc_tensor *y,
                         const tc_conv_geom *g);

/* MediaPipe's Convolution2DTransposeBias.  w is OHWI; packed as
 * [I][Np], Np = tc_tensor_pad_vec(kh*kw*O), column (ky*kw + kx)*O + o: one
 * input pixel's whole contribution is one small matrix-vector product.
 * pt/pl in g are the padding subtracted from the output position; dilation
 * and activation are unused.  b has O floats. */
size_t tc_tensor_tconv_packed_len(int O, int kh, int kw, int I);
void tc_tensor_tconv_pack(const float *ohwi, int O, int kh, int kw, int I, float *out);
void tc_tensor_transpose_conv(const tc_tensor *x, const float *wpacked, const float *b, tc_tensor *y,
                              const tc_conv_geom *g);

/* MAX_POOL_2D / AVERAGE_POOL_2D; the average counts only the window's
 * elements inside the input, as TensorFlow Lite does. */
void tc_tensor_max_pool(const tc_tensor *x, tc_tensor *y, const tc_conv_geom *g);
void tc_tensor_avg_pool(const tc_tensor *x, tc_tensor *y, const tc_conv_geom *g);

/* Elementwise with broadcasting (each dimension of a and b equals y's or is
 * 1): ADD, MUL, PRELU (y = a >= 0 ? a : a * b). */
enum { TC_BIN_ADD, TC_BIN_MUL, TC_BIN_PRELU };
void tc_tensor_binary(int op, const tc_tensor *a, const tc_tensor *b, tc_tensor *y, int act);

/* Unary, n elements, x and y may be the same. */
enum { TC_UN_RELU, TC_UN_RELU6, TC_UN_RELU_N1_TO_1, TC_UN_LOGISTIC, TC_UN_HARD_SWISH };
void tc_tensor_unary(int op, const float *x, float *y, size_t n);

/* PAD with zeros: pads[d][0] before and pads[d][1] after dimension d. */
void tc_tensor_pad(const tc_tensor *x, const int pads[4][2], tc_tensor *y);

/* CONCATENATION along axis (0..3) of n tensors. */
void tc_tensor_concat(const tc_tensor *const *xs, int n, int axis, tc_tensor *y);

/* RESIZE_BILINEAR to y's H and W, with TensorFlow Lite's two flags. */
void tc_tensor_resize_bilinear(const tc_tensor *x, tc_tensor *y, int align_corners, int half_pixel_centers);

/* IEEE half to float, for DEQUANTIZE of float16 weights. */
float tc_tensor_half_to_float(uint16_t h);

#endif
