/* Fuzz target for the FlexBuffers reader of custom ops' options
 * (vision/tc_flex.h): any byte string must give values or -1, never a read
 * outside it.  Replayed over tests/fuzz/corpus/flex by `make test`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vision/tc_flex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1); /* exactly size bytes for ASan */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    tc_flex_ref root, r;
    /* the keys MediaPipe's ops use, and one that is never there */
    static const char *keys[] = {"subset_idxs", "left_rotation_idx", "scale_x", "output_height", "output_width",
                                 "target_rotation_radians", "a", "v", "nope"};
    if (tc_flex_root(copy, size, &root) == 0) {
        double d;
        size_t n;
        (void)tc_flex_number(&root, &d);
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            if (tc_flex_map_get(&root, keys[k], &r) != 0)
                continue;
            (void)tc_flex_number(&r, &d);
            if (tc_flex_vec_len(&r, &n) == 0)
                for (size_t i = 0; i <= n && i < 4096; i++)
                    (void)tc_flex_vec_number(&r, i, &d);
        }
    }
    free(copy);
    return 0;
}
