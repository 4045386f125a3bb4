/* Fuzz target for the .tflite reader and the graph builder of the vision
 * engine: any byte string must give a model or an error, never a crash, a
 * leak or undefined behaviour.  Replayed over tests/fuzz/corpus/tflite by
 * `make test`; `make fuzz` runs it under libFuzzer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    free(copy);
    return 0;
}
