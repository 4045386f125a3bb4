/*
 * tc_tfl — a reader of the TensorFlow Lite model format (.tflite), private
 * to the vision module.
 *
 * A .tflite file is a FlatBuffer: tables found through 32-bit offsets and
 * per-table "vtables".  We read it without the flatbuffers library, and
 * every offset, length and index is checked against the file's size before
 * it is followed, so a corrupt or hostile file yields an error (tc_err code
 * "vision.model_*"), never an out-of-bounds read.  The reader only decodes
 * what the engine needs: the first subgraph's tensors, operators and their
 * options, and the constant buffers.
 *
 * Ownership: tc_tfl_parse copies nothing out of the file's bytes for the
 * constant data: tc_tfl_tensor.data points INTO the caller's buffer, which
 * must outlive the tc_tfl_model.  Everything else (the arrays below) is
 * owned by the tc_tfl_model and freed by tc_tfl_free.
 */
#ifndef TC_TFL_H
#define TC_TFL_H

#include <stddef.h>
#include <stdint.h>

#include "base/tc_base.h"

/* TensorFlow Lite's own numbering (schema.fbs), which files store. */
enum {
    TC_TFL_FLOAT32 = 0,
    TC_TFL_FLOAT16 = 1,
    TC_TFL_INT32 = 2,
    TC_TFL_UINT8 = 3,
    TC_TFL_INT64 = 4,
    TC_TFL_INT8 = 9,
};

enum {
    TC_TFL_OP_ADD = 0,
    TC_TFL_OP_AVERAGE_POOL_2D = 1,
    TC_TFL_OP_CONCATENATION = 2,
    TC_TFL_OP_CONV_2D = 3,
    TC_TFL_OP_DEPTHWISE_CONV_2D = 4,
    TC_TFL_OP_DEQUANTIZE = 6,
    TC_TFL_OP_LOGISTIC = 14,
    TC_TFL_OP_MAX_POOL_2D = 17,
    TC_TFL_OP_MUL = 18,
    TC_TFL_OP_RELU = 19,
    TC_TFL_OP_RELU6 = 21,
    TC_TFL_OP_RESHAPE = 22,
    TC_TFL_OP_RESIZE_BILINEAR = 23,
    TC_TFL_OP_CUSTOM = 32,
    TC_TFL_OP_PAD = 34,
    TC_TFL_OP_STRIDED_SLICE = 45,
    TC_TFL_OP_PRELU = 54,
    TC_TFL_OP_HARD_SWISH = 117,
};

enum { TC_TFL_PAD_SAME = 0, TC_TFL_PAD_VALID = 1 };
enum { TC_TFL_ACT_NONE = 0, TC_TFL_ACT_RELU = 1, TC_TFL_ACT_RELU_N1_TO_1 = 2, TC_TFL_ACT_RELU6 = 3 };

#define TC_TFL_MAX_DIMS 6
#define TC_TFL_MAX_NEW_SHAPE 8

typedef struct tc_tfl_tensor {
    int type;                        /* TC_TFL_FLOAT32 ... */
    int ndim;
    int32_t shape[TC_TFL_MAX_DIMS];  /* outermost first, as stored */
    const uint8_t *data;             /* constant data (into the file) or NULL */
    size_t size;                     /* bytes at data */
    char name[64];                   /* truncated, for messages */
} tc_tfl_tensor;

/* The options of every supported op, flattened: only the fields of the op's
 * own options table are meaningful, the rest keep the schema's defaults. */
typedef struct tc_tfl_opts {
    int padding;                     /* TC_TFL_PAD_* */
    int stride_w, stride_h;
    int dilation_w, dilation_h;
    int depth_multiplier;
    int filter_w, filter_h;
    int activation;                  /* TC_TFL_ACT_* (fused) */
    int axis;
    int align_corners, half_pixel_centers;
    int n_new_shape;                 /* -1 when absent */
    int32_t new_shape[TC_TFL_MAX_NEW_SHAPE];
} tc_tfl_opts;

typedef struct tc_tfl_op {
    int code;                        /* builtin code; TC_TFL_OP_CUSTOM for custom ops */
    const char *custom;              /* custom op name (owned by the model) or NULL */
    int n_in, n_out;
    const int32_t *in, *out;         /* tensor indexes, -1 = optional input absent */
    tc_tfl_opts opt;
    const uint8_t *custom_opts;      /* into the file, or NULL */
    size_t custom_opts_len;
} tc_tfl_op;

typedef struct tc_tfl_model {
    int n_tensors, n_ops, n_inputs, n_outputs;
    tc_tfl_tensor *tensors;
    tc_tfl_op *ops;
    int32_t *inputs, *outputs;       /* the subgraph's input and output tensors */
    /* private: one allocation holding op io indexes and custom names */
    void *pool_;
} tc_tfl_model;

/* Parse the model in data[0..len).  On success fills *m (free it with
 * tc_tfl_free) and returns 0; on failure returns -1, fills e and leaves *m
 * empty (tc_tfl_free on it is harmless).  data must stay valid and unchanged
 * for as long as m is used. */
int tc_tfl_parse(const uint8_t *data, size_t len, tc_tfl_model *m, tc_err *e);
void tc_tfl_free(tc_tfl_model *m);

/* "CONV_2D", "HARD_SWISH"...; for codes we have no name for, NULL. */
const char *tc_tfl_op_name(int code);
/* Bytes per element of a TensorFlow Lite type, 0 if unknown. */
size_t tc_tfl_type_size(int type);

#endif
