/*
 * A bounded reader of .tflite FlatBuffers.  See tc_tfl.h.
 *
 * FlatBuffers in brief (what this file relies on): all integers are little
 * endian; the file starts with a uoffset (u32) to the root table; a table
 * starts with an soffset (i32) that points BACK to its vtable (vtable =
 * table - soffset); a vtable is u16 vtable_bytes, u16 table_bytes, then one
 * u16 per field giving the field's offset inside the table (0 = absent, use
 * the default).  Fields that are tables, vectors or strings hold a u32
 * offset relative to the field's own position.  A vector is a u32 count
 * followed by the elements; a vector of tables holds u32 offsets, each
 * relative to its own slot.
 *
 * Nothing is trusted: every position is a 64-bit value checked against the
 * file length before a read, so neither wrap-around nor a cycle can make us
 * read outside the buffer (the structure we walk has a fixed depth, so a
 * cycle cannot make us loop either).
 */
#include "vision/tc_tfl.h"

#include <stdlib.h>
#include <string.h>

typedef struct fb {
    const uint8_t *p;
    uint64_t n;
    tc_err *e;
} fb;

typedef struct fbt {        /* a table located and its vtable checked */
    uint64_t pos;           /* table start */
    uint64_t vt;            /* vtable start */
    uint32_t vt_len;        /* bytes in the vtable */
    uint32_t t_len;         /* bytes in the table, per the vtable */
} fbt;

static int bad(fb *b, const char *what)
{
    return tc_err_set(b->e, TCE_VISION_MODEL_CORRUPT, what);
}

static int in_file(const fb *b, uint64_t pos, uint64_t size)
{
    return pos <= b->n && size <= b->n - pos;
}

static uint32_t rd_u32(const fb *b, uint64_t pos)
{
    uint32_t v;
    memcpy(&v, b->p + pos, 4); /* memcpy: offsets need not be aligned in a hostile file */
    return v;
}

static uint16_t rd_u16(const fb *b, uint64_t pos)
{
    uint16_t v;
    memcpy(&v, b->p + pos, 2);
    return v;
}

/* Locate the table at pos and check its vtable. */
static int table_at(fb *b, uint64_t pos, fbt *t)
{
    if (!in_file(b, pos, 4))
        return bad(b, "table outside the file");
    int32_t so = (int32_t)rd_u32(b, pos);
    int64_t vt = (int64_t)pos - (int64_t)so;
    if (vt < 0 || !in_file(b, (uint64_t)vt, 4))
        return bad(b, "vtable outside the file");
    t->pos = pos;
    t->vt = (uint64_t)vt;
    t->vt_len = rd_u16(b, t->vt);
    t->t_len = rd_u16(b, t->vt + 2);
    if (t->vt_len < 4 || (t->vt_len & 1) || !in_file(b, t->vt, t->vt_len))
        return bad(b, "bad vtable");
    if (t->t_len < 4 || !in_file(b, pos, t->t_len))
        return bad(b, "table larger than the file");
    return 0;
}

/* Offset of field idx inside the table, 0 if absent.  Checks that a field
 * of `size` bytes there lies inside the table. */
static int field(fb *b, const fbt *t, int idx, uint32_t size, uint64_t *at)
{
    uint64_t slot = 4 + 2 * (uint64_t)idx;
    *at = 0;
    if (slot + 2 > t->vt_len)
        return 0;
    uint16_t fo = rd_u16(b, t->vt + slot);
    if (fo == 0)
        return 0;
    if (fo < 4 || (uint64_t)fo + size > t->t_len)
        return bad(b, "field outside its table");
    *at = t->pos + fo;
    return 0;
}

static int f_i32(fb *b, const fbt *t, int idx, int32_t def, int32_t *out)
{
    uint64_t at;
    if (field(b, t, idx, 4, &at))
        return -1;
    *out = at ? (int32_t)rd_u32(b, at) : def;
    return 0;
}

static int f_u8(fb *b, const fbt *t, int idx, uint8_t def, uint8_t *out)
{
    uint64_t at;
    if (field(b, t, idx, 1, &at))
        return -1;
    *out = at ? b->p[at] : def;
    return 0;
}

static int f_u64(fb *b, const fbt *t, int idx, uint64_t *out)
{
    uint64_t at;
    if (field(b, t, idx, 8, &at))
        return -1;
    *out = 0;
    if (at)
        memcpy(out, b->p + at, 8);
    return 0;
}

/* Follow an offset field; *to = 0 when the field is absent. */
static int f_ref(fb *b, const fbt *t, int idx, uint64_t *to)
{
    uint64_t at;
    if (field(b, t, idx, 4, &at))
        return -1;
    *to = 0;
    if (!at)
        return 0;
    uint64_t target = at + rd_u32(b, at);
    if (!in_file(b, target, 4))
        return bad(b, "offset outside the file");
    *to = target;
    return 0;
}

/* A vector at pos with elements of elem bytes: count and first element. */
static int vec_at(fb *b, uint64_t pos, uint32_t elem, uint32_t *count, uint64_t *first)
{
    if (!in_file(b, pos, 4))
        return bad(b, "vector outside the file");
    uint32_t c = rd_u32(b, pos);
    if (!in_file(b, pos + 4, (uint64_t)c * elem))
        return bad(b, "vector longer than the file");
    *count = c;
    *first = pos + 4;
    return 0;
}

/* Optional vector field: absent gives count 0. */
static int f_vec(fb *b, const fbt *t, int idx, uint32_t elem, uint32_t *count, uint64_t *first)
{
    uint64_t to;
    *count = 0;
    *first = 0;
    if (f_ref(b, t, idx, &to))
        return -1;
    return to ? vec_at(b, to, elem, count, first) : 0;
}

/* Element i of a vector of tables. */
static int vec_table(fb *b, uint64_t first, uint32_t i, fbt *t)
{
    uint64_t slot = first + 4 * (uint64_t)i;
    return table_at(b, slot + rd_u32(b, slot), t);
}

/* A string field: pointer and length (not NUL-checked: we copy with the
 * length).  Absent gives NULL. */
static int f_str(fb *b, const fbt *t, int idx, const char **s, uint32_t *len)
{
    uint64_t first;
    *s = NULL;
    *len = 0;
    if (f_vec(b, t, idx, 1, len, &first))
        return -1;
    if (first)
        *s = (const char *)(b->p + first);
    return 0;
}

size_t tc_tfl_type_size(int type)
{
    switch (type) {
    case TC_TFL_FLOAT32: case TC_TFL_INT32: return 4;
    case TC_TFL_FLOAT16: return 2;
    case TC_TFL_UINT8: case TC_TFL_INT8: return 1;
    case TC_TFL_INT64: return 8;
    default: return 0;
    }
}

/* Names from TensorFlow Lite's schema, so that a missing op can be named. */
static const char *const op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR",
    "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL",
    "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
    "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2",
    "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT",
    "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT",
    "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL",
    "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE",
    "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS",
    "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG",
    "ROUND", "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D",
    "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT",
    "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
    "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM",
    "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN",
    "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
};

const char *tc_tfl_op_name(int code)
{
    if (code < 0 || (size_t)code >= TC_ARRAY_LEN(op_names))
        return NULL;
    return op_names[code];
}

void tc_tfl_free(tc_tfl_model *m)
{
    if (!m)
        return;
    free(m->tensors);
    free(m->ops);
    free(m->pool_);
    memset(m, 0, sizeof *m);
}

/* Copy a vector of int32 tensor indexes, checking each against n_tensors. */
static int read_indexes(fb *b, const fbt *t, int idx, int n_tensors, int allow_absent, int32_t *dst,
                        uint32_t count, uint64_t first)
{
    (void)t;
    (void)idx;
    for (uint32_t i = 0; i < count; i++) {
        int32_t v = (int32_t)rd_u32(b, first + 4 * (uint64_t)i);
        if (v < (allow_absent ? -1 : 0) || v >= n_tensors)
            return bad(b, "tensor index out of range");
        dst[i] = v;
    }
    return 0;
}

static int read_options(fb *b, int code, const fbt *o, tc_tfl_opts *opt)
{
    uint8_t u = 0;
    int32_t v = 0;
    switch (code) {
    case TC_TFL_OP_CONV_2D:
        /* Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, dilation_h */
        if (f_u8(b, o, 0, 0, &u)) return -1;
        opt->padding = u;
        if (f_i32(b, o, 1, 1, &opt->stride_w) || f_i32(b, o, 2, 1, &opt->stride_h)) return -1;
        if (f_u8(b, o, 3, 0, &u)) return -1;
        opt->activation = u;
        if (f_i32(b, o, 4, 1, &opt->dilation_w) || f_i32(b, o, 5, 1, &opt->dilation_h)) return -1;
        break;
    case TC_TFL_OP_DEPTHWISE_CONV_2D:
        /* padding, stride_w, stride_h, depth_multiplier, activation, dilation_w, dilation_h */
        if (f_u8(b, o, 0, 0, &u)) return -1;
        opt->padding = u;
        if (f_i32(b, o, 1, 1, &opt->stride_w) || f_i32(b, o, 2, 1, &opt->stride_h)) return -1;
        if (f_i32(b, o, 3, 1, &opt->depth_multiplier)) return -1;
        if (f_u8(b, o, 4, 0, &u)) return -1;
        opt->activation = u;
        if (f_i32(b, o, 5, 1, &opt->dilation_w) || f_i32(b, o, 6, 1, &opt->dilation_h)) return -1;
        break;
    case TC_TFL_OP_AVERAGE_POOL_2D:
    case TC_TFL_OP_MAX_POOL_2D:
        /* Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation */
        if (f_u8(b, o, 0, 0, &u)) return -1;
        opt->padding = u;
        if (f_i32(b, o, 1, 1, &opt->stride_w) || f_i32(b, o, 2, 1, &opt->stride_h)) return -1;
        if (f_i32(b, o, 3, 1, &opt->filter_w) || f_i32(b, o, 4, 1, &opt->filter_h)) return -1;
        if (f_u8(b, o, 5, 0, &u)) return -1;
        opt->activation = u;
        break;
    case TC_TFL_OP_ADD:
    case TC_TFL_OP_MUL:
        if (f_u8(b, o, 0, 0, &u)) return -1;
        opt->activation = u;
        break;
    case TC_TFL_OP_CONCATENATION:
        if (f_i32(b, o, 0, 0, &v)) return -1;
        opt->axis = v;
        if (f_u8(b, o, 1, 0, &u)) return -1;
        opt->activation = u;
        break;
    case TC_TFL_OP_RESIZE_BILINEAR:
        /* fields 0 and 1 are the deprecated new_height/new_width */
        if (f_u8(b, o, 2, 0, &u)) return -1;
        opt->align_corners = u != 0;
        if (f_u8(b, o, 3, 0, &u)) return -1;
        opt->half_pixel_centers = u != 0;
        break;
    case TC_TFL_OP_RESHAPE: {
        uint32_t c;
        uint64_t first;
        if (f_vec(b, o, 0, 4, &c, &first)) return -1;
        if (first) {
            if (c > TC_TFL_MAX_NEW_SHAPE)
                return bad(b, "reshape to too many dimensions");
            opt->n_new_shape = (int)c;
            for (uint32_t i = 0; i < c; i++)
                opt->new_shape[i] = (int32_t)rd_u32(b, first + 4 * (uint64_t)i);
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

int tc_tfl_parse(const uint8_t *data, size_t len, tc_tfl_model *m, tc_err *e)
{
    fb b = {data, len, e};
    memset(m, 0, sizeof *m);
    if (len < 8 || !data)
        return bad(&b, "file too short");
    if (memcmp(data + 4, "TFL3", 4) != 0)
        return tc_err_set(e, TCE_VISION_MODEL_NOT_TFLITE);

    fbt model, sg;
    if (table_at(&b, rd_u32(&b, 0), &model))
        return -1;

    /* Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers */
    uint32_t n_codes, n_sg, n_buf;
    uint64_t codes0, sg0, buf0;
    if (f_vec(&b, &model, 1, 4, &n_codes, &codes0) || f_vec(&b, &model, 2, 4, &n_sg, &sg0) ||
        f_vec(&b, &model, 4, 4, &n_buf, &buf0))
        return -1;
    if (n_sg < 1)
        return bad(&b, "no subgraph");
    if (vec_table(&b, sg0, 0, &sg))
        return -1;

    /* SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators */
    uint32_t n_t, n_i, n_o, n_op;
    uint64_t t0, i0, o0, op0;
    if (f_vec(&b, &sg, 0, 4, &n_t, &t0) || f_vec(&b, &sg, 1, 4, &n_i, &i0) ||
        f_vec(&b, &sg, 2, 4, &n_o, &o0) || f_vec(&b, &sg, 3, 4, &n_op, &op0))
        return -1;
    if (n_t == 0 || n_op == 0 || n_i == 0 || n_o == 0)
        return bad(&b, "empty graph");
    /* Each element took at least 4 bytes of the file, so these sizes are
     * bounded by the file's size: a hostile count cannot ask for much. */
    m->n_tensors = (int)n_t;
    m->n_ops = (int)n_op;
    m->tensors = calloc(n_t, sizeof *m->tensors);
    m->ops = calloc(n_op, sizeof *m->ops);
    if (!m->tensors || !m->ops) {
        tc_tfl_free(m);
        return tc_err_internal(e, "out of memory reading a model");
    }

    /* First pass over operators: count io indexes and custom names, so the
     * pool is one allocation. */
    uint64_t pool_ints = (uint64_t)n_i + n_o, pool_chars = 0;
    for (uint32_t k = 0; k < n_op; k++) {
        fbt op;
        uint32_t ci, co;
        uint64_t fi, fo;
        if (vec_table(&b, op0, k, &op) || f_vec(&b, &op, 1, 4, &ci, &fi) || f_vec(&b, &op, 2, 4, &co, &fo))
            goto fail;
        pool_ints += (uint64_t)ci + co;
    }
    for (uint32_t k = 0; k < n_codes; k++) {
        fbt oc;
        const char *s;
        uint32_t sl;
        if (vec_table(&b, codes0, k, &oc) || f_str(&b, &oc, 1, &s, &sl))
            goto fail;
        pool_chars += (uint64_t)sl + 1;
    }
    m->pool_ = malloc(pool_ints * 4 + pool_chars + 1);
    if (!m->pool_) {
        tc_tfl_free(m);
        return tc_err_internal(e, "out of memory reading a model");
    }
    int32_t *ints = m->pool_;
    char *chars = (char *)(ints + pool_ints);

    /* Operator codes, resolved into (code, custom name) per code index. */
    int *code_of = calloc(n_codes ? n_codes : 1, sizeof *code_of);
    const char **custom_of = calloc(n_codes ? n_codes : 1, sizeof *custom_of);
    if (!code_of || !custom_of) {
        free(code_of);
        free(custom_of);
        tc_tfl_free(m);
        return tc_err_internal(e, "out of memory reading a model");
    }
    for (uint32_t k = 0; k < n_codes; k++) {
        fbt oc;
        uint8_t dep;
        int32_t code;
        const char *s;
        uint32_t sl;
        /* OperatorCode: 0 deprecated_builtin_code (byte), 1 custom_code,
         * 2 version, 3 builtin_code (int).  Files from before the int field
         * existed only have the byte; newer ones write both, and the byte
         * saturates at 127 (PLACEHOLDER_FOR_GREATER_OP_CODES). */
        if (vec_table(&b, codes0, k, &oc) || f_u8(&b, &oc, 0, 0, &dep) || f_i32(&b, &oc, 3, 0, &code) ||
            f_str(&b, &oc, 1, &s, &sl))
            goto fail_codes;
        code_of[k] = code > (int8_t)dep ? code : (int8_t)dep;
        if (s) {
            memcpy(chars, s, sl);
            chars[sl] = 0;
            custom_of[k] = chars;
            chars += sl + 1;
        }
    }

    /* Tensors: 0 shape, 1 type, 2 buffer, 3 name */
    for (uint32_t k = 0; k < n_t; k++) {
        tc_tfl_tensor *t = &m->tensors[k];
        fbt tt;
        uint32_t nd, bi;
        uint64_t s0;
        uint8_t type;
        const char *name;
        uint32_t name_len;
        int32_t bi32;
        if (vec_table(&b, t0, k, &tt) || f_vec(&b, &tt, 0, 4, &nd, &s0) || f_u8(&b, &tt, 1, 0, &type) ||
            f_i32(&b, &tt, 2, 0, &bi32) || f_str(&b, &tt, 3, &name, &name_len))
            goto fail_codes;
        bi = (uint32_t)bi32;
        if (name) {
            size_t c = name_len < sizeof t->name - 1 ? name_len : sizeof t->name - 1;
            memcpy(t->name, name, c);
            t->name[c] = 0;
        }
        if (nd > TC_TFL_MAX_DIMS) {
            bad(&b, "tensor with too many dimensions");
            goto fail_codes;
        }
        t->ndim = (int)nd;
        t->type = type;
        for (uint32_t d = 0; d < nd; d++) {
            t->shape[d] = (int32_t)rd_u32(&b, s0 + 4 * (uint64_t)d);
            if (t->shape[d] < 0) {
                bad(&b, "negative tensor dimension");
                goto fail_codes;
            }
        }
        if (bi != 0) { /* buffer 0 is the conventional empty buffer */
            fbt bt;
            uint32_t dl;
            uint64_t d0, off, size;
            if (bi >= n_buf) {
                bad(&b, "buffer index out of range");
                goto fail_codes;
            }
            /* Buffer: 0 data [ubyte], 1 offset (u64), 2 size (u64); the
             * last two are for models stored after the FlatBuffer. */
            if (vec_table(&b, buf0, bi, &bt) || f_vec(&b, &bt, 0, 1, &dl, &d0) || f_u64(&b, &bt, 1, &off) ||
                f_u64(&b, &bt, 2, &size))
                goto fail_codes;
            if (d0 && dl) {
                t->data = data + d0;
                t->size = dl;
            } else if (off > 1) {
                if (!in_file(&b, off, size)) {
                    bad(&b, "buffer outside the file");
                    goto fail_codes;
                }
                t->data = data + off;
                t->size = (size_t)size;
            }
        }
    }

    /* Subgraph inputs and outputs */
    m->n_inputs = (int)n_i;
    m->n_outputs = (int)n_o;
    m->inputs = ints;
    if (read_indexes(&b, &sg, 1, (int)n_t, 0, ints, n_i, i0))
        goto fail_codes;
    ints += n_i;
    m->outputs = ints;
    if (read_indexes(&b, &sg, 2, (int)n_t, 0, ints, n_o, o0))
        goto fail_codes;
    ints += n_o;

    /* Operators: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type,
     * 4 builtin_options, 5 custom_options */
    for (uint32_t k = 0; k < n_op; k++) {
        tc_tfl_op *op = &m->ops[k];
        fbt ot;
        int32_t oci;
        uint32_t ci, co, cl;
        uint64_t fi, fo, c0, opts;
        if (vec_table(&b, op0, k, &ot) || f_i32(&b, &ot, 0, 0, &oci) || f_vec(&b, &ot, 1, 4, &ci, &fi) ||
            f_vec(&b, &ot, 2, 4, &co, &fo) || f_ref(&b, &ot, 4, &opts) || f_vec(&b, &ot, 5, 1, &cl, &c0))
            goto fail_codes;
        if (oci < 0 || (uint32_t)oci >= n_codes) {
            bad(&b, "operator code index out of range");
            goto fail_codes;
        }
        op->code = code_of[oci];
        op->custom = custom_of[oci];
        op->n_in = (int)ci;
        op->n_out = (int)co;
        op->in = ints;
        if (read_indexes(&b, &ot, 1, (int)n_t, 1, ints, ci, fi))
            goto fail_codes;
        ints += ci;
        op->out = ints;
        if (read_indexes(&b, &ot, 2, (int)n_t, 0, ints, co, fo))
            goto fail_codes;
        ints += co;
        if (c0 && cl) {
            op->custom_opts = data + c0;
            op->custom_opts_len = cl;
        }
        tc_tfl_opts *o = &op->opt;
        o->stride_w = o->stride_h = o->dilation_w = o->dilation_h = 1;
        o->depth_multiplier = o->filter_w = o->filter_h = 1;
        o->n_new_shape = -1;
        if (opts) {
            fbt ob;
            if (table_at(&b, opts, &ob) || read_options(&b, op->code, &ob, o))
                goto fail_codes;
        }
    }
    free(code_of);
    free(custom_of);
    return 0;

fail_codes:
    free(code_of);
    free(custom_of);
fail:
    tc_tfl_free(m);
    return -1;
}
