/* Fuzz target for the .tflite reader and the graph builder of the vision
 * engine: any byte string must give a model or an error, never a crash, a
 * leak or undefined behaviour.  Replayed over tests/fuzz/corpus/tflite by
 * `make test`; `make fuzz` runs it under libFuzzer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vision/tc_net.h"
#include "vision/tc_tfl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so that ASan sees any read past it. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    tc_err e;
    tc_tfl_model m;
    if (tc_tfl_parse(copy, size, &m, &e) == 0)
        tc_tfl_free(&m);
    /* The whole load: checks, constant folding, packing, planning.  A model
     * that loads and is cheap enough is also run once on zeros, so that the
     * kernels meet every shape the builder lets through. */
    tc_tfl_net *net;
    if (tc_tfl_net_load(copy, size, &net, &e) == 0) {
        if (tc_tfl_net_macs(net) < 20000000 && tc_tfl_net_arena_bytes(net) < ((size_t)64 << 20)) {
            void *arena = aligned_alloc(64, tc_tfl_net_arena_bytes(net));
            if (arena) {
                memset(arena, 0, tc_tfl_net_arena_bytes(net));
                tc_tfl_net_run(net, arena);
                free(arena);
            }
        }
        tc_tfl_net_free(net);
    }
    free(copy);
    return 0;
}
