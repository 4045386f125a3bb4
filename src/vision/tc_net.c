/*
 * Loading, checking, planning and running a TensorFlow Lite model.  See
 * tc_net.h.  The rule that keeps a hostile model from crashing us: every
 * shape the kernels see is computed here from checked inputs, compared with
 * what the file declares, and bounded; constants are checked against their
 * declared size; a model that asks for anything else is refused by name.
 */
#include "vision/tc_net.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/tc_flex.h"
#include "vision/tc_tensor.h"
#include "vision/tc_tfl.h"

/* Bounds that no sane vision model reaches, and that keep a hostile one
 * from asking for gigabytes. */
#define MAX_DIM (1 << 16)
#define MAX_ELEMS ((int64_t)1 << 24)
#define MAX_ARENA_BYTES ((size_t)1 << 29)
#define MAX_CONCAT 64
#define ALIGN_FLOATS 16 /* 64 bytes */

enum { V_UNUSED, V_CONST, V_ACT };

typedef struct value {
    int kind;
    int ne[4];
    const float *c;      /* V_CONST: float32 data owned by the net */
    size_t off;          /* V_ACT: offset in floats in the arena */
    int first, last;     /* V_ACT: producing op (-1 for inputs) and last reader */
    int produced;        /* V_ACT: defined yet while walking the ops */
    int uses;            /* V_ACT: number of op inputs reading it */
    int producer;        /* V_ACT: index of the node writing it, -1 for inputs */
} value;

enum { K_CONV, K_DW, K_TCONV, K_MAXPOOL, K_AVGPOOL, K_BIN, K_UNARY, K_PAD, K_COPY, K_CONCAT, K_RESIZE,
       K_LM2MAT, K_WARP, K_LMXFORM };

/* Bounds of MediaPipe's custom ops' options (Landmarks2TransformMatrix). */
#define MAX_SUBSET 1024
#define MAX_FLEX_BYTES 65536

typedef struct node {
    int kind;
    int sub;                 /* K_BIN: TC_BIN_*; K_UNARY: TC_UN_* */
    int x, x2, y;            /* value indexes; x2 = -1 when unused */
    int *xs, n_xs;           /* K_CONCAT inputs (owned by the net) */
    tc_conv_geom g;
    int mult;                /* K_DW */
    int axis;                /* K_CONCAT */
    int pads[4][2];          /* K_PAD */
    int align_corners, half_pixel;
    const float *w, *b;      /* packed weights and bias (owned by the net) */
    int res;                 /* K_CONV: value added before the activation (fused ADD), or -1 */
    const float *alpha;      /* K_CONV with TC_ACT_PRELU: slopes padded to whole vectors (owned by the net) */
    const int32_t *idx;      /* K_LM2MAT: landmark indexes of the crop (owned by the net) */
    int n_idx;
    int lm_left, lm_right;   /* K_LM2MAT: the landmarks whose line sets the rotation */
    float prm[8];            /* K_LM2MAT: -, -, out_w, out_h, scale_x, scale_y, target rotation */
    int64_t macs;
    int op;                  /* index of the model's op that runs it (lifetimes are in these) */
    int dead;                /* fused into another node */
} node;

struct tc_tfl_net {
    int n_values, n_nodes;
    value *values;
    node *nodes;
    int n_in, n_out;
    int *in, *out;           /* value indexes */
    size_t arena_floats;
    size_t scratch_off, scratch_floats;  /* kernels' scratch, after the tensors */
    int64_t macs;
    void **blocks;           /* every allocation of constants, freed together */
    int n_blocks, cap_blocks;
};

static int model_err(tc_err *e, const char *what, int op, const char *opname)
{
    return tc_err_set(e, TCE_VISION_MODEL_INVALID, op, opname, what);
}

static void *net_alloc(tc_tfl_net *net, size_t bytes)
{
    if (net->n_blocks == net->cap_blocks) {
        int cap = net->cap_blocks ? net->cap_blocks * 2 : 64;
        void **b = realloc(net->blocks, (size_t)cap * sizeof *b);
        if (!b)
            return NULL;
        net->blocks = b;
        net->cap_blocks = cap;
    }
    /* 64-byte aligned, size rounded for aligned_alloc; zeroed so that the
     * vector padding of packed weights is zero. */
    size_t n = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, n ? n : 64);
    if (!p)
        return NULL;
    memset(p, 0, n ? n : 64);
    net->blocks[net->n_blocks++] = p;
    return p;
}

void tc_tfl_net_free(tc_tfl_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n_blocks; i++)
        free(net->blocks[i]);
    free(net->blocks);
    free(net->values);
    free(net->nodes);
    free(net->in);
    free(net->out);
    free(net);
}

static int64_t nelem4(const int ne[4])
{
    return (int64_t)ne[0] * ne[1] * ne[2] * ne[3];
}

/* The file's shape as 4-D, leading 1s.  -1 if it has more than 4 dims, a
 * zero dim, or is too big. */
static int shape4(const tc_tfl_tensor *t, int ne[4])
{
    if (t->ndim > 4)
        return -1;
    int k = 4 - t->ndim;
    for (int d = 0; d < 4; d++)
        ne[d] = d < k ? 1 : t->shape[d - k];
    for (int d = 0; d < 4; d++)
        if (ne[d] <= 0 || ne[d] > MAX_DIM)
            return -1;
    return nelem4(ne) <= MAX_ELEMS ? 0 : -1;
}

typedef struct builder {
    tc_tfl_net *net;
    const tc_tfl_model *m;
    tc_err *e;
    int op;                  /* index of the op being built, for messages */
    const char *opname;
} builder;

static int fail(builder *bd, const char *what)
{
    return model_err(bd->e, what, bd->op, bd->opname);
}

/* Make tensor t a float32 constant of the net (copying from the file). */
static int ensure_const(builder *bd, int t)
{
    value *v = &bd->net->values[t];
    if (v->kind == V_CONST)
        return 0;
    if (v->kind == V_ACT)
        return fail(bd, "expects a constant (weights) where the model has a computed tensor");
    const tc_tfl_tensor *tt = &bd->m->tensors[t];
    if (!tt->data)
        return fail(bd, "a weight tensor has no data");
    if (tt->type != TC_TFL_FLOAT32)
        return fail(bd, "weights are not float32 (only float16 through DEQUANTIZE is supported)");
    if (shape4(tt, v->ne))
        return fail(bd, "weight tensor shape unsupported");
    int64_t n = nelem4(v->ne);
    if ((uint64_t)tt->size != (uint64_t)n * 4)
        return fail(bd, "weight data size does not match its shape");
    float *c = net_alloc(bd->net, (size_t)n * 4);
    if (!c)
        return tc_err_internal(bd->e, "out of memory loading a model");
    memcpy(c, tt->data, (size_t)n * 4);
    v->kind = V_CONST;
    v->c = c;
    return 0;
}

/* Tensor t as an input to the op being built: a computed tensor that is
 * already produced (or a graph input), or a constant if allow_const. */
static int use(builder *bd, int t, int allow_const)
{
    if (t < 0)
        return fail(bd, "a required input is absent");
    value *v = &bd->net->values[t];
    if (v->kind == V_ACT) {
        if (!v->produced)
            return fail(bd, "reads a tensor before any op writes it");
        v->last = bd->op;
        v->uses++;
        return 0;
    }
    if (v->kind == V_CONST || bd->m->tensors[t].data) {
        if (!allow_const)
            return fail(bd, "expects a computed tensor where the model has a constant");
        return ensure_const(bd, t);
    }
    return fail(bd, "reads a tensor that is neither computed nor constant");
}

/* Declare the op's output with the shape we computed; the file's declared
 * shape, if any, must agree. */
static int produce(builder *bd, int t, const int ne[4])
{
    value *v = &bd->net->values[t];
    const tc_tfl_tensor *tt = &bd->m->tensors[t];
    if (v->kind != V_UNUSED || tt->data)
        return fail(bd, "writes a tensor that is a constant, an input or written twice");
    if (tt->type != TC_TFL_FLOAT32)
        return fail(bd, "output is not float32");
    for (int d = 0; d < 4; d++)
        if (ne[d] <= 0 || ne[d] > MAX_DIM)
            return fail(bd, "output shape out of range");
    if (nelem4(ne) > MAX_ELEMS)
        return fail(bd, "output tensor too large");
    if (tt->ndim > 0) {
        int decl[4];
        if (shape4(tt, decl) || memcmp(decl, ne, sizeof decl) != 0)
            return fail(bd, "declared output shape differs from the computed one");
    }
    v->kind = V_ACT;
    memcpy(v->ne, ne, sizeof v->ne);
    v->produced = 1;
    v->first = v->last = bd->op;
    v->producer = bd->net->n_nodes;
    return 0;
}

/* The node that op becomes, once its operand counts are checked (between
 * in_lo and in_hi inputs, one output) and, if use_first, its first input
 * taken as a computed tensor.  NULL (and bd->e set) otherwise. */
static node *begin_node(builder *bd, const tc_tfl_op *op, int in_lo, int in_hi, int use_first)
{
    if (op->n_in < in_lo || op->n_in > in_hi || op->n_out != 1) {
        fail(bd, "wrong number of inputs or outputs");
        return NULL;
    }
    if (use_first && use(bd, op->in[0], 0))
        return NULL;
    return &bd->net->nodes[bd->net->n_nodes];
}

/* Declare the op's output with shape ne (produce) and make nd a node of
 * this kind from the op's first input (and x2, or -1) to that output. */
static int emit(builder *bd, node *nd, const tc_tfl_op *op, int kind, int x2, const int ne[4])
{
    if (produce(bd, op->out[0], ne))
        return -1;
    nd->kind = kind;
    nd->x = op->in[0];
    nd->x2 = x2;
    nd->y = op->out[0];
    return 0;
}

static int check_act(builder *bd, int act)
{
    if (act < 0 || act > TC_ACT_RELU6)
        return fail(bd, "fused activation unsupported");
    return 0;
}

/* Read a constant int32 tensor of n elements (PAD paddings, resize size). */
static int const_i32(builder *bd, int t, int64_t n, int32_t *out)
{
    if (t < 0)
        return fail(bd, "a required constant is absent");
    const tc_tfl_tensor *tt = &bd->m->tensors[t];
    if (!tt->data || tt->type != TC_TFL_INT32 || (uint64_t)tt->size != (uint64_t)n * 4)
        return fail(bd, "expects a constant int32 tensor of the right size");
    memcpy(out, tt->data, (size_t)n * 4);
    return 0;
}

static int build_conv(builder *bd, const tc_tfl_op *op, int kind)
{
    node *nd = begin_node(bd, op, 2, INT_MAX, 1);
    const tc_tfl_opts *o = &op->opt;
    if (!nd || use(bd, op->in[1], 1))
        return -1;
    if (op->n_in > 2 && op->in[2] >= 0 && use(bd, op->in[2], 1))
        return -1;
    const value *x = &bd->net->values[op->in[0]], *w = &bd->net->values[op->in[1]];
    const value *b = op->n_in > 2 && op->in[2] >= 0 ? &bd->net->values[op->in[2]] : NULL;
    if (w->kind != V_CONST || (b && b->kind != V_CONST))
        return fail(bd, "weights or bias are computed, not constants");
    if (check_act(bd, o->activation))
        return -1;
    if (o->padding != TC_TFL_PAD_SAME && o->padding != TC_TFL_PAD_VALID)
        return fail(bd, "unknown padding");
    int kh = w->ne[1], kw = w->ne[2], O, I = x->ne[3];
    int ne[4] = {x->ne[0], 0, 0, 0};
    tc_conv_geom g = {kh, kw, o->stride_h, o->stride_w, o->dilation_h, o->dilation_w, 0, 0, o->activation};
    if (tc_tensor_out_size(x->ne[1], kh, g.sh, g.dh, o->padding == TC_TFL_PAD_SAME, &ne[1], &g.pt) ||
        tc_tensor_out_size(x->ne[2], kw, g.sw, g.dw, o->padding == TC_TFL_PAD_SAME, &ne[2], &g.pl))
        return fail(bd, "window, stride or dilation does not fit the input");
    if (kind == K_CONV) {
        O = w->ne[0];
        if (w->ne[3] != I)
            return fail(bd, "weights' input channels differ from the input's (grouped convolution unsupported)");
    } else {
        if (w->ne[0] != 1 || w->ne[3] % I != 0)
            return fail(bd, "depthwise weights do not match the input channels");
        O = w->ne[3];
        nd->mult = O / I;
    }
    if (b && nelem4(b->ne) != O)
        return fail(bd, "bias size differs from the output channels");
    ne[3] = O;
    if (emit(bd, nd, op, kind, -1, ne))
        return -1;
    nd->g = g;
    /* Packed weights and a bias padded to whole vectors (see tc_tensor.h). */
    int Op = tc_tensor_pad_vec(O);
    float *bias = net_alloc(bd->net, (size_t)Op * 4);
    if (!bias)
        return tc_err_internal(bd->e, "out of memory loading a model");
    if (b)
        memcpy(bias, b->c, (size_t)O * 4);
    nd->b = bias;
    if (kind == K_CONV) {
        size_t sc = tc_tensor_conv_scratch_len(&g, I, ne[1] == x->ne[1] && ne[2] == x->ne[2]);
        if (sc > bd->net->scratch_floats)
            bd->net->scratch_floats = sc;
        float *wp = net_alloc(bd->net, tc_tensor_conv_packed_len(O, kh, kw, I) * 4);
        if (!wp)
            return tc_err_internal(bd->e, "out of memory loading a model");
        tc_tensor_conv_pack(w->c, O, kh, kw, I, wp);
        nd->w = wp;
        nd->macs = (int64_t)ne[1] * ne[2] * O * kh * kw * I;
    } else {
        nd->w = w->c;
        nd->macs = (int64_t)ne[1] * ne[2] * O * kh * kw;
    }
    nd->macs *= ne[0];
    return 0;
}

/* MediaPipe's Convolution2DTransposeBias: custom options are the C struct
 * TfLiteTransposeConvParams {int padding (1 SAME, 2 VALID); int stride_w;
 * int stride_h;} written as raw bytes. */
static int build_tconv(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 3, 3, 0);
    if (!nd)
        return -1;
    if (!op->custom_opts || op->custom_opts_len < 12)
        return fail(bd, "custom options missing");
    int32_t prm[3];
    memcpy(prm, op->custom_opts, sizeof prm);
    if ((prm[0] != 1 && prm[0] != 2) || prm[1] < 1 || prm[2] < 1 || prm[1] > 64 || prm[2] > 64)
        return fail(bd, "bad padding or stride");
    if (use(bd, op->in[0], 0) || use(bd, op->in[1], 1) || use(bd, op->in[2], 1))
        return -1;
    const value *x = &bd->net->values[op->in[0]], *w = &bd->net->values[op->in[1]],
                *b = &bd->net->values[op->in[2]];
    int O = w->ne[0], kh = w->ne[1], kw = w->ne[2], I = x->ne[3];
    if (w->kind != V_CONST || b->kind != V_CONST)
        return fail(bd, "weights or bias are computed, not constants");
    if (w->ne[3] != I || nelem4(b->ne) != O)
        return fail(bd, "weights or bias do not match the input");
    int sw = prm[1], sh = prm[2], padh = 0, padw = 0;
    if (prm[0] == 1) {
        padh = kh - (x->ne[1] - 1) % sh - 1;
        padw = kw - (x->ne[2] - 1) % sw - 1;
        padh = padh > 0 ? padh : 0;
        padw = padw > 0 ? padw : 0;
    }
    int64_t oh = (int64_t)sh * (x->ne[1] - 1) + kh - padh, ow = (int64_t)sw * (x->ne[2] - 1) + kw - padw;
    if (oh <= 0 || ow <= 0 || oh > MAX_DIM || ow > MAX_DIM)
        return fail(bd, "output size out of range");
    int ne[4] = {x->ne[0], (int)oh, (int)ow, O};
    if (emit(bd, nd, op, K_TCONV, -1, ne))
        return -1;
    nd->g = (tc_conv_geom){kh, kw, sh, sw, 1, 1, padh / 2, padw / 2, TC_ACT_NONE};
    if ((int64_t)kh * kw * O > MAX_DIM)
        return fail(bd, "kernel too large");
    float *wp = net_alloc(bd->net, tc_tensor_tconv_packed_len(O, kh, kw, I) * 4);
    if (!wp)
        return tc_err_internal(bd->e, "out of memory loading a model");
    tc_tensor_tconv_pack(w->c, O, kh, kw, I, wp);
    nd->w = wp;
    nd->b = b->c;
    nd->macs = (int64_t)x->ne[0] * x->ne[1] * x->ne[2] * kh * kw * I * O;
    return 0;
}

static int build_pool(builder *bd, const tc_tfl_op *op, int kind)
{
    node *nd = begin_node(bd, op, 1, 1, 1);
    const tc_tfl_opts *o = &op->opt;
    if (!nd || check_act(bd, o->activation))
        return -1;
    if (o->padding != TC_TFL_PAD_SAME && o->padding != TC_TFL_PAD_VALID)
        return fail(bd, "unknown padding");
    const value *x = &bd->net->values[op->in[0]];
    tc_conv_geom g = {o->filter_h, o->filter_w, o->stride_h, o->stride_w, 1, 1, 0, 0, o->activation};
    int ne[4] = {x->ne[0], 0, 0, x->ne[3]};
    if (tc_tensor_out_size(x->ne[1], g.kh, g.sh, 1, o->padding == TC_TFL_PAD_SAME, &ne[1], &g.pt) ||
        tc_tensor_out_size(x->ne[2], g.kw, g.sw, 1, o->padding == TC_TFL_PAD_SAME, &ne[2], &g.pl))
        return fail(bd, "window or stride does not fit the input");
    if (emit(bd, nd, op, kind, -1, ne))
        return -1;
    nd->g = g;
    return 0;
}

static int build_binary(builder *bd, const tc_tfl_op *op, int sub)
{
    node *nd = begin_node(bd, op, 2, 2, 0);
    if (!nd)
        return -1;
    /* PRELU's first operand must be computed; ADD and MUL take a constant
     * on either side, but not on both (that would be constant folding). */
    if (use(bd, op->in[0], sub != TC_BIN_PRELU) || use(bd, op->in[1], 1))
        return -1;
    const value *a = &bd->net->values[op->in[0]], *b = &bd->net->values[op->in[1]];
    if (a->kind == V_CONST && b->kind == V_CONST)
        return fail(bd, "both operands are constants");
    int act = sub == TC_BIN_PRELU ? TC_ACT_NONE : op->opt.activation;
    if (check_act(bd, act))
        return -1;
    int ne[4];
    for (int d = 0; d < 4; d++) {
        if (a->ne[d] != b->ne[d] && a->ne[d] != 1 && b->ne[d] != 1)
            return fail(bd, "operand shapes cannot be broadcast");
        ne[d] = a->ne[d] > b->ne[d] ? a->ne[d] : b->ne[d];
        if (sub == TC_BIN_PRELU && ne[d] != a->ne[d])
            return fail(bd, "PRELU alpha is larger than its input");
    }
    if (emit(bd, nd, op, K_BIN, op->in[1], ne))
        return -1;
    nd->sub = sub;
    nd->g.act = act;
    return 0;
}

static int build_unary(builder *bd, const tc_tfl_op *op, int sub)
{
    node *nd = begin_node(bd, op, 1, 1, 1);
    if (!nd)
        return -1;
    if (emit(bd, nd, op, K_UNARY, -1, bd->net->values[op->in[0]].ne))
        return -1;
    nd->sub = sub;
    return 0;
}

static int build_pad(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 2, 2, 1);
    if (!nd)
        return -1;
    int nd_in = bd->m->tensors[op->in[0]].ndim;
    if (nd_in < 1 || nd_in > 4)
        return fail(bd, "input rank unsupported");
    int32_t p[8];
    if (const_i32(bd, op->in[1], (int64_t)nd_in * 2, p))
        return -1;
    const value *x = &bd->net->values[op->in[0]];
    int ne[4];
    memset(nd->pads, 0, sizeof nd->pads);
    for (int d = 0; d < nd_in; d++) {
        int d4 = d + 4 - nd_in;
        if (p[2 * d] < 0 || p[2 * d + 1] < 0 || p[2 * d] > MAX_DIM || p[2 * d + 1] > MAX_DIM)
            return fail(bd, "padding out of range");
        nd->pads[d4][0] = p[2 * d];
        nd->pads[d4][1] = p[2 * d + 1];
    }
    for (int d = 0; d < 4; d++)
        ne[d] = x->ne[d] + nd->pads[d][0] + nd->pads[d][1];
    return emit(bd, nd, op, K_PAD, -1, ne);
}

static int build_reshape(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 1, 2, 1);
    if (!nd)
        return -1;
    const value *x = &bd->net->values[op->in[0]];
    const tc_tfl_tensor *out = &bd->m->tensors[op->out[0]];
    /* The output's declared shape is static in these models; a reshape
     * that only has a shape tensor or option is resolved from those. */
    int32_t shp[TC_TFL_MAX_NEW_SHAPE];
    int n = 0;
    if (out->ndim > 0) {
        n = out->ndim;
        memcpy(shp, out->shape, (size_t)n * 4);
    } else if (op->opt.n_new_shape >= 0) {
        n = op->opt.n_new_shape;
        memcpy(shp, op->opt.new_shape, (size_t)n * 4);
    } else if (op->n_in == 2 && op->in[1] >= 0) {
        const tc_tfl_tensor *st = &bd->m->tensors[op->in[1]];
        n = st->ndim == 1 ? st->shape[0] : -1;
        if (n < 0 || n > TC_TFL_MAX_NEW_SHAPE || const_i32(bd, op->in[1], n, shp))
            return fail(bd, "shape tensor unusable");
    }
    if (n > 4)
        return fail(bd, "reshape to more than 4 dimensions");
    int ne[4] = {1, 1, 1, 1}, unknown = -1;
    int64_t known = 1;
    for (int d = 0; d < n; d++) {
        int32_t v = shp[d];
        if (v == -1 && unknown < 0) {
            unknown = d;
            continue;
        }
        if (v <= 0 || v > MAX_DIM)
            return fail(bd, "bad reshape dimension");
        known *= v;
        ne[d + 4 - n] = v;
    }
    int64_t total = nelem4(x->ne);
    if (unknown >= 0) {
        if (known <= 0 || total % known != 0)
            return fail(bd, "reshape cannot infer its dimension");
        ne[unknown + 4 - n] = (int)(total / known);
        known = total;
    }
    if (known != total)
        return fail(bd, "reshape changes the number of elements");
    return emit(bd, nd, op, K_COPY, -1, ne);
}

static int build_concat(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 1, MAX_CONCAT, 0);
    if (!nd)
        return -1;
    if (check_act(bd, op->opt.activation))
        return -1;
    if (op->opt.activation != TC_ACT_NONE)
        return fail(bd, "fused activation on CONCATENATION unsupported");
    int rank = bd->m->tensors[op->in[0] >= 0 ? op->in[0] : 0].ndim;
    int axis = op->opt.axis < 0 ? op->opt.axis + rank : op->opt.axis;
    if (rank < 1 || rank > 4 || axis < 0 || axis >= rank)
        return fail(bd, "axis out of range");
    axis += 4 - rank;
    int ne[4];
    int *xs = net_alloc(bd->net, (size_t)op->n_in * sizeof *xs);
    if (!xs)
        return tc_err_internal(bd->e, "out of memory loading a model");
    for (int k = 0; k < op->n_in; k++) {
        if (use(bd, op->in[k], 0))
            return -1;
        const value *x = &bd->net->values[op->in[k]];
        if (bd->m->tensors[op->in[k]].ndim != rank)
            return fail(bd, "inputs of different ranks");
        if (k == 0) {
            memcpy(ne, x->ne, sizeof ne);
        } else {
            for (int d = 0; d < 4; d++)
                if (d != axis && x->ne[d] != ne[d])
                    return fail(bd, "inputs differ outside the axis");
            ne[axis] += x->ne[axis];
            if (ne[axis] > MAX_DIM)
                return fail(bd, "output too large");
        }
        xs[k] = op->in[k];
    }
    if (emit(bd, nd, op, K_CONCAT, -1, ne))
        return -1;
    nd->xs = xs;
    nd->n_xs = op->n_in;
    nd->axis = axis;
    return 0;
}

static int build_resize(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 2, 2, 1);
    if (!nd)
        return -1;
    int32_t hw[2];
    if (const_i32(bd, op->in[1], 2, hw))
        return -1;
    if (hw[0] <= 0 || hw[1] <= 0 || hw[0] > MAX_DIM || hw[1] > MAX_DIM)
        return fail(bd, "size out of range");
    const value *x = &bd->net->values[op->in[0]];
    int ne[4] = {x->ne[0], hw[0], hw[1], x->ne[3]};
    if (emit(bd, nd, op, K_RESIZE, -1, ne))
        return -1;
    nd->align_corners = op->opt.align_corners;
    nd->half_pixel = op->opt.half_pixel_centers;
    if (nd->align_corners && nd->half_pixel)
        return fail(bd, "align_corners with half_pixel_centers is invalid");
    return 0;
}

/* DEQUANTIZE of a float16 constant: folded now, no node. */
static int fold_dequantize(builder *bd, const tc_tfl_op *op)
{
    if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0)
        return fail(bd, "wrong number of inputs or outputs");
    const tc_tfl_tensor *src = &bd->m->tensors[op->in[0]];
    const tc_tfl_tensor *dst = &bd->m->tensors[op->out[0]];
    value *v = &bd->net->values[op->out[0]];
    if (!src->data || src->type != TC_TFL_FLOAT16)
        return fail(bd, "DEQUANTIZE is supported only for constant float16 weights");
    if (v->kind != V_UNUSED || dst->data || dst->type != TC_TFL_FLOAT32)
        return fail(bd, "DEQUANTIZE output unusable");
    int ne[4];
    if (shape4(src, ne))
        return fail(bd, "weight tensor shape unsupported");
    int64_t n = nelem4(ne);
    if ((uint64_t)src->size != (uint64_t)n * 2)
        return fail(bd, "weight data size does not match its shape");
    if (dst->ndim > 0) {
        int decl[4];
        if (shape4(dst, decl) || memcmp(decl, ne, sizeof ne) != 0)
            return fail(bd, "DEQUANTIZE changes the shape");
    }
    float *c = net_alloc(bd->net, (size_t)n * 4);
    if (!c)
        return tc_err_internal(bd->e, "out of memory loading a model");
    for (int64_t i = 0; i < n; i++) {
        uint16_t h;
        memcpy(&h, src->data + 2 * i, 2);
        c[i] = tc_tensor_half_to_float(h);
    }
    v->kind = V_CONST;
    v->c = c;
    memcpy(v->ne, ne, sizeof ne);
    return 0;
}

/* STRIDED_SLICE, only the form that takes the whole tensor (begin 0,
 * end = the shape, strides 1): a copy.  Anything else is refused. */
static int build_strided_slice(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 4, 4, 1);
    if (!nd)
        return -1;
    const tc_tfl_tensor *xt = &bd->m->tensors[op->in[0]];
    int r = xt->ndim;
    if (r < 1 || r > 4)
        return fail(bd, "input rank unsupported");
    int32_t b[4], en[4], st[4];
    if (const_i32(bd, op->in[1], r, b) || const_i32(bd, op->in[2], r, en) || const_i32(bd, op->in[3], r, st))
        return -1;
    for (int d = 0; d < r; d++)
        if (b[d] != 0 || st[d] != 1 || en[d] != xt->shape[d])
            return fail(bd, "only a slice of the whole tensor is supported");
    return emit(bd, nd, op, K_COPY, -1, bd->net->values[op->in[0]].ne);
}

/* The options of a custom op as a FlexBuffers map. */
static int flex_opts(builder *bd, const tc_tfl_op *op, tc_flex_ref *root)
{
    if (!op->custom_opts || op->custom_opts_len == 0 || op->custom_opts_len > MAX_FLEX_BYTES ||
        tc_flex_root(op->custom_opts, op->custom_opts_len, root) || root->type != TC_FLEX_MAP)
        return fail(bd, "custom options are not a FlexBuffers map");
    return 0;
}

/* A number option within [lo, hi]. */
static int flex_num(builder *bd, const tc_flex_ref *m, const char *key, double lo, double hi, double *out)
{
    tc_flex_ref r;
    if (tc_flex_map_get(m, key, &r) || tc_flex_number(&r, out) || !(*out >= lo && *out <= hi))
        return fail(bd, "a custom option is missing or out of range");
    return 0;
}

/* MediaPipe's Landmarks2TransformMatrix (version 2): from landmarks
 * [1, N, 3] to the 4x4 matrix mapping an output_w x output_h crop around
 * the chosen landmarks (turned so that left -> right is at the target
 * angle, scaled by scale_x/y) back to the landmarks' frame. */
static int build_lm2mat(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 1, 1, 1);
    if (!nd)
        return -1;
    const value *x = &bd->net->values[op->in[0]];
    if (x->ne[3] != 3)
        return fail(bd, "landmarks must have 3 coordinates");
    int64_t n_lm = nelem4(x->ne) / 3;
    tc_flex_ref m, sub;
    double v[7];
    static const char *keys[7] = {"left_rotation_idx", "right_rotation_idx", "output_width", "output_height",
                                  "scale_x", "scale_y", "target_rotation_radians"};
    if (flex_opts(bd, op, &m))
        return -1;
    for (int i = 0; i < 7; i++) {
        double lo = i < 2 ? 0 : i < 4 ? 1 : i < 6 ? 1e-6 : -7, hi = i < 2 ? (double)(n_lm - 1) : i < 4 ? MAX_DIM : 1e6;
        if (i == 6)
            hi = 7;
        if (flex_num(bd, &m, keys[i], lo, hi, &v[i]))
            return -1;
        nd->prm[i] = (float)v[i];
    }
    if (v[0] != (double)(int32_t)v[0] || v[1] != (double)(int32_t)v[1])
        return fail(bd, "rotation landmark indexes are not integers");
    nd->lm_left = (int)v[0];
    nd->lm_right = (int)v[1];
    size_t n;
    if (tc_flex_map_get(&m, "subset_idxs", &sub) || tc_flex_vec_len(&sub, &n) || n < 1 || n > MAX_SUBSET)
        return fail(bd, "subset_idxs missing or too long");
    int32_t *idx = net_alloc(bd->net, n * sizeof *idx);
    if (!idx)
        return tc_err_internal(bd->e, "out of memory loading a model");
    for (size_t i = 0; i < n; i++) {
        double d;
        if (tc_flex_vec_number(&sub, i, &d) || !(d >= 0 && d < (double)n_lm) || d != (double)(int32_t)d)
            return fail(bd, "subset_idxs holds an index out of range");
        idx[i] = (int32_t)d;
    }
    int ne[4] = {1, 1, 4, 4};
    if (emit(bd, nd, op, K_LM2MAT, -1, ne))
        return -1;
    nd->idx = idx;
    nd->n_idx = (int)n;
    return 0;
}

/* The node of an op that maps its computed first input by a 4x4 matrix
 * (16 computed floats) in its second.  NULL (and bd->e set) otherwise. */
static node *begin_matrix_node(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_node(bd, op, 2, 2, 1);
    if (!nd || use(bd, op->in[1], 0))
        return NULL;
    if (nelem4(bd->net->values[op->in[1]].ne) != 16) {
        fail(bd, "expects a 4x4 matrix");
        return NULL;
    }
    return nd;
}

/* MediaPipe's TransformTensorBilinear (version 2): samples the input
 * [1, H, W, C] at the matrix's image of each output pixel centre; the
 * output's size is the declared one (options output_height/width, when
 * present, must agree). */
static int build_warp(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_matrix_node(bd, op);
    if (!nd)
        return -1;
    const tc_tfl_tensor *yt = &bd->m->tensors[op->out[0]];
    int ne[4];
    if (yt->ndim != 4 || shape4(yt, ne))
        return fail(bd, "output shape must be declared as [1, H, W, C]");
    const value *x = &bd->net->values[op->in[0]];
    if (ne[0] != 1 || x->ne[0] != 1 || ne[3] != x->ne[3])
        return fail(bd, "output channels differ from the input's");
    if (op->custom_opts_len) {
        tc_flex_ref m, r;
        double h, w;
        if (flex_opts(bd, op, &m))
            return -1;
        if (!tc_flex_map_get(&m, "output_height", &r) &&
            (tc_flex_number(&r, &h) || h != ne[1] || tc_flex_map_get(&m, "output_width", &r) ||
             tc_flex_number(&r, &w) || w != ne[2]))
            return fail(bd, "output size differs from the options");
    }
    if (emit(bd, nd, op, K_WARP, op->in[1], ne))
        return -1;
    nd->macs = nelem4(ne) * 4;
    return 0;
}

/* MediaPipe's TransformLandmarks (version 2): 2-D points [1, N, 2] mapped
 * by the matrix's first two rows. */
static int build_lmxform(builder *bd, const tc_tfl_op *op)
{
    node *nd = begin_matrix_node(bd, op);
    if (!nd)
        return -1;
    const value *x = &bd->net->values[op->in[0]];
    if (x->ne[3] != 2)
        return fail(bd, "landmarks must have 2 coordinates");
    return emit(bd, nd, op, K_LMXFORM, op->in[1], x->ne);
}

static int build_op(builder *bd, const tc_tfl_op *op)
{
    switch (op->code) {
    case TC_TFL_OP_CONV_2D: return build_conv(bd, op, K_CONV);
    case TC_TFL_OP_DEPTHWISE_CONV_2D: return build_conv(bd, op, K_DW);
    case TC_TFL_OP_MAX_POOL_2D: return build_pool(bd, op, K_MAXPOOL);
    case TC_TFL_OP_AVERAGE_POOL_2D: return build_pool(bd, op, K_AVGPOOL);
    case TC_TFL_OP_ADD: return build_binary(bd, op, TC_BIN_ADD);
    case TC_TFL_OP_MUL: return build_binary(bd, op, TC_BIN_MUL);
    case TC_TFL_OP_PRELU: return build_binary(bd, op, TC_BIN_PRELU);
    case TC_TFL_OP_RELU: return build_unary(bd, op, TC_UN_RELU);
    case TC_TFL_OP_RELU6: return build_unary(bd, op, TC_UN_RELU6);
    case TC_TFL_OP_LOGISTIC: return build_unary(bd, op, TC_UN_LOGISTIC);
    case TC_TFL_OP_HARD_SWISH: return build_unary(bd, op, TC_UN_HARD_SWISH);
    case TC_TFL_OP_PAD: return build_pad(bd, op);
    case TC_TFL_OP_RESHAPE: return build_reshape(bd, op);
    case TC_TFL_OP_CONCATENATION: return build_concat(bd, op);
    case TC_TFL_OP_RESIZE_BILINEAR: return build_resize(bd, op);
    case TC_TFL_OP_STRIDED_SLICE: return build_strided_slice(bd, op);
    case TC_TFL_OP_CUSTOM:
        if (op->custom && strcmp(op->custom, "Convolution2DTransposeBias") == 0)
            return build_tconv(bd, op);
        if (op->custom && strcmp(op->custom, "Landmarks2TransformMatrix") == 0)
            return build_lm2mat(bd, op);
        if (op->custom && strcmp(op->custom, "TransformTensorBilinear") == 0)
            return build_warp(bd, op);
        if (op->custom && strcmp(op->custom, "TransformLandmarks") == 0)
            return build_lmxform(bd, op);
        break;
    default:
        break;
    }
    char name[80];
    if (op->code == TC_TFL_OP_CUSTOM)
        snprintf(name, sizeof name, "CUSTOM:%.60s", op->custom ? op->custom : "(unnamed)");
    else if (tc_tfl_op_name(op->code))
        snprintf(name, sizeof name, "%s", tc_tfl_op_name(op->code));
    else
        snprintf(name, sizeof name, "BUILTIN_%d", op->code);
    return tc_err_set(bd->e, TCE_VISION_MODEL_UNSUPPORTED_OP, name, bd->op);
}

/* A RELU, RELU6 or HARD_SWISH that alone reads the output of a
 * convolution, depthwise convolution, ADD or MUL without an activation of
 * its own becomes that op's fused activation: one pass over memory fewer,
 * and the tensor between them disappears from the plan. */
static void fuse_activations(tc_tfl_net *net)
{
    int w = 0;
    for (int k = 0; k < net->n_nodes; k++) {
        node *nd = &net->nodes[k];
        if (nd->kind == K_UNARY && (nd->sub == TC_UN_RELU || nd->sub == TC_UN_RELU6 || nd->sub == TC_UN_HARD_SWISH)) {
            value *x = &net->values[nd->x];
            if (x->kind == V_ACT && x->uses == 1 && x->producer >= 0) {
                node *p = &net->nodes[x->producer];
                int fusable = (p->kind == K_CONV || p->kind == K_DW ||
                               (p->kind == K_BIN && p->sub != TC_BIN_PRELU)) && p->g.act == TC_ACT_NONE && p->y == nd->x;
                if (fusable) {
                    p->g.act = nd->sub == TC_UN_RELU ? TC_ACT_RELU : nd->sub == TC_UN_RELU6 ? TC_ACT_RELU6
                                                                                             : TC_ACT_HARD_SWISH;
                    value *y = &net->values[nd->y];
                    y->first = x->first;
                    p->y = nd->y;
                    x->kind = V_UNUSED;
                    nd->dead = 1;
                }
            }
        }
    }
    for (int k = 0; k < net->n_nodes; k++)
        if (!net->nodes[k].dead)
            net->nodes[w++] = net->nodes[k];
    net->n_nodes = w;
}

/* Drop dead nodes and point every value at its producer's new index. */
static void compact(tc_tfl_net *net)
{
    int w = 0;
    for (int k = 0; k < net->n_nodes; k++)
        if (!net->nodes[k].dead)
            net->nodes[w++] = net->nodes[k];
    net->n_nodes = w;
    for (int k = 0; k < net->n_nodes; k++)
        net->values[net->nodes[k].y].producer = k;
}

/* The K_CONV node that alone produces value v and has no activation yet
 * (nor a fused residual unless allow_res), or NULL. */
static node *plain_conv_of(tc_tfl_net *net, int v, int allow_res)
{
    const value *x = &net->values[v];
    if (x->kind != V_ACT || x->uses != 1 || x->producer < 0)
        return NULL;
    node *p = &net->nodes[x->producer];
    if (p->kind != K_CONV || p->dead || p->y != v || p->g.act != TC_ACT_NONE || (p->res >= 0 && !allow_res))
        return NULL;
    return p;
}

/* A residual ADD (no broadcasting) of a convolution's output, read by
 * nothing else, and another computed tensor becomes the convolution's
 * epilogue: the sum is written once instead of written, read and written
 * again.  The convolution then runs where the ADD was (the other operand
 * may be computed after the convolution, as BlazeFace's channel PAD is),
 * so its input must live until there.  When the other operand is a PAD of
 * channels only (zeros after the last channel), read alone by the ADD,
 * the PAD goes too: the kernel reads the unpadded tensor and counts the
 * missing channels as zeros. */
static void fuse_residuals(tc_tfl_net *net)
{
    for (int k = 0; k < net->n_nodes; k++) {
        node *a = &net->nodes[k];
        if (a->kind != K_BIN || a->sub != TC_BIN_ADD || a->dead)
            continue;
        const int *yne = net->values[a->y].ne;
        for (int side = 0; side < 2; side++) {
            int cv = side ? a->x2 : a->x, ov = side ? a->x : a->x2;
            node *p = plain_conv_of(net, cv, 0);
            const value *o = &net->values[ov];
            if (!p || o->kind != V_ACT || memcmp(net->values[cv].ne, yne, sizeof o->ne) != 0 ||
                memcmp(o->ne, yne, sizeof o->ne) != 0)
                continue;
            int res = ov;
            if (o->uses == 1 && o->producer >= 0) {
                node *q = &net->nodes[o->producer];
                int chans_only = q->kind == K_PAD && q->pads[3][0] == 0;
                for (int d = 0; d < 3; d++)
                    chans_only = chans_only && q->pads[d][0] == 0 && q->pads[d][1] == 0;
                if (chans_only && net->values[q->x].kind == V_ACT) {
                    res = q->x;
                    q->dead = 1;
                    net->values[ov].kind = V_UNUSED;
                }
            }
            node c = *p;
            p->dead = 1;
            net->values[cv].kind = V_UNUSED;
            c.res = res;
            c.g.act = a->g.act;
            c.y = a->y;
            c.op = a->op;
            value *xin = &net->values[c.x], *r = &net->values[res];
            xin->last = xin->last > a->op ? xin->last : a->op;
            r->last = r->last > a->op ? r->last : a->op;
            *a = c;
            break;
        }
    }
    compact(net);
}

/* A PRELU whose slopes are per channel and whose input is a convolution's
 * output read by nothing else becomes that convolution's activation. */
static int fuse_prelu(tc_tfl_net *net, tc_err *e)
{
    for (int k = 0; k < net->n_nodes; k++) {
        node *r = &net->nodes[k];
        if (r->kind != K_BIN || r->sub != TC_BIN_PRELU)
            continue;
        node *p = plain_conv_of(net, r->x, 1);
        const value *al = &net->values[r->x2];
        int C = net->values[r->y].ne[3];
        if (!p || al->kind != V_CONST || al->ne[0] != 1 || al->ne[1] != 1 || al->ne[2] != 1 || al->ne[3] != C)
            continue;
        float *alpha = net_alloc(net, (size_t)tc_tensor_pad_vec(C) * sizeof *alpha);
        if (!alpha)
            return tc_err_internal(e, "out of memory loading a model");
        memcpy(alpha, al->c, (size_t)C * sizeof *alpha);
        p->alpha = alpha;
        p->g.act = TC_ACT_PRELU;
        net->values[r->y].first = net->values[r->x].first;
        net->values[r->x].kind = V_UNUSED;
        p->y = r->y;
        r->dead = 1;
    }
    compact(net);
    return 0;
}

/* Greedy arena planning (largest first, lowest offset that fits among the
 * tensors alive at the same time), as TensorFlow Lite's own planner does. */
typedef struct span { size_t off, len; } span;

static int cmp_size_desc(const void *a, const void *b, void *ctx)
{
    const value *v = ctx;
    int ia = *(const int *)a, ib = *(const int *)b;
    int64_t sa = nelem4(v[ia].ne), sb = nelem4(v[ib].ne);
    return sa < sb ? 1 : sa > sb ? -1 : ia - ib;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

static int plan(tc_tfl_net *net, tc_err *e)
{
    int n = 0;
    int *order = malloc((size_t)net->n_values * sizeof *order);
    int *placed = malloc((size_t)net->n_values * sizeof *placed);
    span *busy = malloc((size_t)net->n_values * sizeof *busy);
    if (!order || !placed || !busy) {
        free(order);
        free(placed);
        free(busy);
        return tc_err_internal(e, "out of memory planning a model");
    }
    for (int i = 0; i < net->n_values; i++)
        if (net->values[i].kind == V_ACT)
            order[n++] = i;
    qsort_r(order, (size_t)n, sizeof *order, cmp_size_desc, net->values);
    size_t top = 0;
    int n_placed = 0;
    for (int k = 0; k < n; k++) {
        value *v = &net->values[order[k]];
        size_t len = ((size_t)nelem4(v->ne) + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
        int nb = 0;
        for (int j = 0; j < n_placed; j++) {
            const value *u = &net->values[placed[j]];
            if (u->first <= v->last && v->first <= u->last)
                busy[nb++] = (span){u->off, ((size_t)nelem4(u->ne) + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS};
        }
        qsort(busy, (size_t)nb, sizeof *busy, cmp_span);
        size_t off = 0;
        for (int j = 0; j < nb; j++) {
            if (busy[j].off >= off + len)
                break;
            if (busy[j].off + busy[j].len > off)
                off = busy[j].off + busy[j].len;
        }
        v->off = off;
        placed[n_placed++] = order[k];
        if (off + len > top)
            top = off + len;
    }
    free(order);
    free(placed);
    free(busy);
    net->scratch_off = top;
    net->arena_floats = top + (net->scratch_floats + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    if (net->arena_floats == 0)
        net->arena_floats = ALIGN_FLOATS;
    if (net->arena_floats * 4 > MAX_ARENA_BYTES)
        return tc_err_set(e, TCE_VISION_MODEL_INVALID_2);
    return 0;
}

int tc_tfl_net_load(const uint8_t *data, size_t len, tc_tfl_net **out, tc_err *e)
{
    tc_tfl_model m;
    *out = NULL;
    if (tc_tfl_parse(data, len, &m, e))
        return -1;
    tc_tfl_net *net = calloc(1, sizeof *net);
    if (!net) {
        tc_tfl_free(&m);
        return tc_err_internal(e, "out of memory loading a model");
    }
    net->n_values = m.n_tensors;
    net->values = calloc((size_t)m.n_tensors, sizeof *net->values);
    net->nodes = calloc((size_t)m.n_ops, sizeof *net->nodes);
    net->in = calloc((size_t)m.n_inputs, sizeof *net->in);
    net->out = calloc((size_t)m.n_outputs, sizeof *net->out);
    if (!net->values || !net->nodes || !net->in || !net->out) {
        tc_err_internal(e, "out of memory loading a model");
        goto fail;
    }
    builder bd = {net, &m, e, -1, "input"};
    for (int i = 0; i < m.n_inputs; i++) {
        int t = m.inputs[i];
        value *v = &net->values[t];
        if (v->kind != V_UNUSED || m.tensors[t].data || m.tensors[t].type != TC_TFL_FLOAT32 ||
            shape4(&m.tensors[t], v->ne)) {
            model_err(e, "graph input is not a float32 tensor of at most 4 dimensions", -1, "input");
            goto fail;
        }
        v->kind = V_ACT;
        v->produced = 1;
        v->first = -1;
        v->last = -1;
        v->producer = -1;
        net->in[net->n_in++] = t;
    }
    for (int k = 0; k < m.n_ops; k++) {
        const tc_tfl_op *op = &m.ops[k];
        bd.op = k;
        bd.opname = op->code == TC_TFL_OP_CUSTOM ? (op->custom ? op->custom : "CUSTOM")
                    : tc_tfl_op_name(op->code) ? tc_tfl_op_name(op->code) : "?";
        if (op->code == TC_TFL_OP_DEQUANTIZE) {
            if (fold_dequantize(&bd, op))
                goto fail;
            continue;
        }
        memset(&net->nodes[net->n_nodes], 0, sizeof(node));
        net->nodes[net->n_nodes].res = -1;
        net->nodes[net->n_nodes].op = k;
        if (build_op(&bd, op))
            goto fail;
        /* saturating: a hostile model must not overflow the sum */
        int64_t mk = net->nodes[net->n_nodes].macs;
        net->macs = net->macs > INT64_MAX - mk ? INT64_MAX : net->macs + mk;
        net->n_nodes++;
    }
    for (int i = 0; i < m.n_outputs; i++) {
        int t = m.outputs[i];
        value *v = &net->values[t];
        if (v->kind != V_ACT || v->first < 0) {
            model_err(e, "graph output is not computed by any op", m.n_ops, "output");
            goto fail;
        }
        v->last = m.n_ops; /* alive to the end */
        v->uses++;         /* and never fused away */
        net->out[net->n_out++] = t;
    }
    if (net->n_nodes == 0) {
        model_err(e, "no op to run", 0, "-");
        goto fail;
    }
    fuse_activations(net);
    compact(net);
    fuse_residuals(net);
    if (fuse_prelu(net, e) || plan(net, e))
        goto fail;
    tc_tfl_free(&m);
    *out = net;
    return 0;
fail:
    tc_tfl_free(&m);
    tc_tfl_net_free(net);
    return -1;
}

size_t tc_tfl_net_arena_bytes(const tc_tfl_net *net) { return net->arena_floats * sizeof(float); }
int tc_tfl_net_n_inputs(const tc_tfl_net *net) { return net->n_in; }
int tc_tfl_net_n_outputs(const tc_tfl_net *net) { return net->n_out; }
int64_t tc_tfl_net_macs(const tc_tfl_net *net) { return net->macs; }
int tc_tfl_net_n_nodes(const tc_tfl_net *net) { return net->n_nodes; }

const int *tc_tfl_net_input_shape(const tc_tfl_net *net, int i)
{
    return net->values[net->in[i]].ne;
}

const int *tc_tfl_net_output_shape(const tc_tfl_net *net, int i)
{
    return net->values[net->out[i]].ne;
}

float *tc_tfl_net_input(const tc_tfl_net *net, void *arena, int i)
{
    return (float *)arena + net->values[net->in[i]].off;
}

const float *tc_tfl_net_output(const tc_tfl_net *net, const void *arena, int i)
{
    return (const float *)arena + net->values[net->out[i]].off;
}

static tc_tensor view(const tc_tfl_net *net, float *arena, int v)
{
    const value *x = &net->values[v];
    tc_tensor t;
    memcpy(t.ne, x->ne, sizeof t.ne);
    t.data = x->kind == V_CONST ? (float *)x->c : arena + x->off;
    return t;
}

void tc_tfl_net_run(const tc_tfl_net *net, void *arena)
{
    tc_tfl_net_run_nodes(net, arena, 0, net->n_nodes);
}

void tc_tfl_net_describe_node(const tc_tfl_net *net, int k, char *buf, size_t n)
{
    static const char *names[] = {"CONV", "DW", "TCONV", "MAXPOOL", "AVGPOOL", "BIN", "UNARY", "PAD", "COPY",
                                  "CONCAT", "RESIZE", "LM2MAT", "WARP", "LMXFORM"};
    static const char *bins[] = {"ADD", "MUL", "PRELU"};
    const node *nd = &net->nodes[k];
    const int *xs = net->values[nd->x].ne, *ys = net->values[nd->y].ne;
    char what[32];
    if (nd->kind == K_CONV || nd->kind == K_DW || nd->kind == K_TCONV)
        snprintf(what, sizeof what, "%s%dx%d/%d%s%s", names[nd->kind], nd->g.kh, nd->g.kw, nd->g.sh,
                 nd->kind == K_CONV && nd->res >= 0 ? "+add" : "",
                 nd->g.act == TC_ACT_PRELU ? "+prelu" : nd->g.act ? "+act" : "");
    else if (nd->kind == K_BIN)
        snprintf(what, sizeof what, "%s%s", bins[nd->sub], nd->g.act ? "+act" : "");
    else
        snprintf(what, sizeof what, "%s", names[nd->kind]);
    snprintf(buf, n, "%-14s %4dx%-4dx%-4d -> %4dx%-4dx%-4d", what, xs[1], xs[2], xs[3], ys[1], ys[2], ys[3]);
}

int64_t tc_tfl_net_node_macs(const tc_tfl_net *net, int k) { return net->nodes[k].macs; }

/* Landmarks2TransformMatrix: rotation from the left/right landmarks, the
 * box of the chosen landmarks in the turned frame, then
 * T = shift(centre) * rot(-r) * scale * shift(-out/2). */
static void run_lm2mat(const node *nd, const float *lm, float *out)
{
    float l_x = lm[3 * nd->lm_left], l_y = lm[3 * nd->lm_left + 1];
    float r_x = lm[3 * nd->lm_right], r_y = lm[3 * nd->lm_right + 1];
    float rot = nd->prm[6] - atan2f(r_y - l_y, r_x - l_x);
    float c = cosf(rot), s = sinf(rot);
    float x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (int i = 0; i < nd->n_idx; i++) {
        float px = lm[3 * nd->idx[i]], py = lm[3 * nd->idx[i] + 1];
        float rx = c * px - s * py, ry = s * px + c * py;
        if (i == 0 || rx < x0) x0 = rx;
        if (i == 0 || rx > x1) x1 = rx;
        if (i == 0 || ry < y0) y0 = ry;
        if (i == 0 || ry > y1) y1 = ry;
    }
    float mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
    /* the centre back in the landmarks' frame (turned by -rot) */
    float cx = c * mx + s * my, cy = -s * mx + c * my;
    float sx = nd->prm[4] * (x1 - x0) / nd->prm[2], sy = nd->prm[5] * (y1 - y0) / nd->prm[3];
    /* rot(-rot) = [[c, s], [-s, c]]; times diag(sx, sy); times shift */
    float a00 = c * sx, a01 = s * sy, a10 = -s * sx, a11 = c * sy;
    float hx = -nd->prm[2] / 2, hy = -nd->prm[3] / 2;
    float m[16] = {a00, a01, 0, a00 * hx + a01 * hy + cx,
                   a10, a11, 0, a10 * hx + a11 * hy + cy,
                   0,   0,   1, 0,
                   0,   0,   0, 1};
    memcpy(out, m, sizeof m);
}

/* TransformTensorBilinear v2: pixel centres, zero outside the input. */
static void run_warp(const tc_tensor *x, const float *m, tc_tensor *y)
{
    int H = x->ne[1], W = x->ne[2], C = x->ne[3], OH = y->ne[1], OW = y->ne[2];
    float ax = m[0], bx = m[1], tx = m[3] + m[0] * 0.5f + m[1] * 0.5f - 0.5f;
    float ay = m[4], by = m[5], ty = m[7] + m[4] * 0.5f + m[5] * 0.5f - 0.5f;
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *o = y->data + ((size_t)oy * OW + ox) * C;
            float u = ax * ox + bx * oy + tx, v = ay * ox + by * oy + ty;
            if (!(u >= 0 && u <= W - 1 && v >= 0 && v <= H - 1)) {
                memset(o, 0, (size_t)C * sizeof *o);
                continue;
            }
            int u0 = (int)floorf(u), v0 = (int)floorf(v);
            float fu = u - u0, fv = v - v0;
            int u1 = u0 + 1 < W ? u0 + 1 : -1, v1 = v0 + 1 < H ? v0 + 1 : -1;
            const float *p00 = x->data + ((size_t)v0 * W + u0) * C;
            const float *p01 = u1 >= 0 ? x->data + ((size_t)v0 * W + u1) * C : NULL;
            const float *p10 = v1 >= 0 ? x->data + ((size_t)v1 * W + u0) * C : NULL;
            const float *p11 = u1 >= 0 && v1 >= 0 ? x->data + ((size_t)v1 * W + u1) * C : NULL;
            for (int ch = 0; ch < C; ch++) {
                float q00 = p00[ch], q01 = p01 ? p01[ch] : 0, q10 = p10 ? p10[ch] : 0, q11 = p11 ? p11[ch] : 0;
                float up = (1 - fu) * q00 + fu * q01, lo = (1 - fu) * q10 + fu * q11;
                o[ch] = fv * lo + (1 - fv) * up;
            }
        }
}

static void run_lmxform(const tc_tensor *x, const float *m, tc_tensor *y)
{
    int64_t n = tc_tensor_nelem(x) / 2;
    for (int64_t i = 0; i < n; i++) {
        float px = x->data[2 * i], py = x->data[2 * i + 1];
        y->data[2 * i] = m[0] * px + m[1] * py + m[3];
        y->data[2 * i + 1] = m[4] * px + m[5] * py + m[7];
    }
}

void tc_tfl_net_run_nodes(const tc_tfl_net *net, void *arena_, int k0, int k1)
{
    float *arena = arena_;
    for (int k = k0; k < k1; k++) {
        const node *nd = &net->nodes[k];
        tc_tensor x = view(net, arena, nd->x), y = view(net, arena, nd->y);
        switch (nd->kind) {
        case K_CONV: {
            tc_tensor r = nd->res >= 0 ? view(net, arena, nd->res) : x;
            tc_tensor_conv2d_fused(&x, nd->w, nd->b, &y, &nd->g, arena + net->scratch_off, nd->res >= 0 ? &r : NULL,
                                   nd->alpha, -1);
            break;
        }
        case K_DW: tc_tensor_depthwise(&x, nd->w, nd->b, nd->mult, &y, &nd->g); break;
        case K_TCONV: tc_tensor_transpose_conv(&x, nd->w, nd->b, &y, &nd->g); break;
        case K_MAXPOOL: tc_tensor_max_pool(&x, &y, &nd->g); break;
        case K_AVGPOOL: tc_tensor_avg_pool(&x, &y, &nd->g); break;
        case K_BIN: {
            tc_tensor x2 = view(net, arena, nd->x2);
            tc_tensor_binary(nd->sub, &x, &x2, &y, nd->g.act);
            break;
        }
        case K_UNARY: tc_tensor_unary(nd->sub, x.data, y.data, tc_tensor_nelem(&y)); break;
        case K_PAD: tc_tensor_pad(&x, nd->pads, &y); break;
        case K_COPY: memcpy(y.data, x.data, tc_tensor_nelem(&y) * sizeof(float)); break;
        case K_CONCAT: {
            tc_tensor xs[MAX_CONCAT];
            const tc_tensor *ps[MAX_CONCAT];
            for (int i = 0; i < nd->n_xs; i++) {
                xs[i] = view(net, arena, nd->xs[i]);
                ps[i] = &xs[i];
            }
            tc_tensor_concat(ps, nd->n_xs, nd->axis, &y);
            break;
        }
        case K_RESIZE: tc_tensor_resize_bilinear(&x, &y, nd->align_corners, nd->half_pixel); break;
        case K_LM2MAT: run_lm2mat(nd, x.data, y.data); break;
        case K_WARP: {
            tc_tensor mt = view(net, arena, nd->x2);
            run_warp(&x, mt.data, &y);
            break;
        }
        case K_LMXFORM: {
            tc_tensor mt = view(net, arena, nd->x2);
            run_lmxform(&x, mt.data, &y);
            break;
        }
        }
    }
}
