/*
 * tc_tfl_net — a TensorFlow Lite model made ready to run, private to the
 * vision module.
 *
 * Loading does all the work once: parse (tc_tfl.h), check every op and
 * shape, fold the constant DEQUANTIZE ops (float16 weights become float32),
 * pack weights for the kernels (tc_tensor.h), and plan memory: every
 * intermediate tensor gets an offset in one arena, and tensors whose
 * lifetimes do not overlap share space.  Running then allocates nothing.
 *
 * Threads: a loaded net is immutable; any number of threads may run it at
 * once, each with its own arena (tc_tfl_net_arena_bytes, 64-byte aligned,
 * owned by the caller).
 *
 * Ownership: tc_tfl_net_load copies what it keeps; the caller's model bytes
 * may be freed after it returns.  The net is freed with tc_tfl_net_free.
 */
#ifndef TC_NET_H
#define TC_NET_H

#include <stddef.h>
#include <stdint.h>

#include "base/tc_base.h"

typedef struct tc_tfl_net tc_tfl_net;

int tc_tfl_net_load(const uint8_t *data, size_t len, tc_tfl_net **out, tc_err *e);
void tc_tfl_net_free(tc_tfl_net *net);

/* Bytes of arena one run needs (a multiple of 64). */
size_t tc_tfl_net_arena_bytes(const tc_tfl_net *net);
int tc_tfl_net_n_inputs(const tc_tfl_net *net);
int tc_tfl_net_n_outputs(const tc_tfl_net *net);
/* Shapes as 4-D NHWC (leading 1s added). */
const int *tc_tfl_net_input_shape(const tc_tfl_net *net, int i);
const int *tc_tfl_net_output_shape(const tc_tfl_net *net, int i);
/* Where the caller writes input i / reads output i, inside its arena. */
float *tc_tfl_net_input(const tc_tfl_net *net, void *arena, int i);
const float *tc_tfl_net_output(const tc_tfl_net *net, const void *arena, int i);
/* Run every op once.  The arena's inputs must have been written. */
void tc_tfl_net_run(const tc_tfl_net *net, void *arena);
/* Multiply-adds of one run (convolutions), for the benchmark. */
int64_t tc_tfl_net_macs(const tc_tfl_net *net);
int tc_tfl_net_n_nodes(const tc_tfl_net *net);
/* For the benchmark's per-op profile: run nodes [k0, k1) only (in order,
 * after the ones before them), a node's one-line description and its
 * multiply-adds. */
void tc_tfl_net_run_nodes(const tc_tfl_net *net, void *arena, int k0, int k1);
void tc_tfl_net_describe_node(const tc_tfl_net *net, int k, char *buf, size_t n);
int64_t tc_tfl_net_node_macs(const tc_tfl_net *net, int k);

#endif
