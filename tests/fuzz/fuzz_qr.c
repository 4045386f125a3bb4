/* Fuzz target: QR decoding of an uploaded image. */
#include <stdint.h>
#include <vips/vips.h>

#include "qr/tc_qr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libvips must be started once per process; a fuzz harness has no main
     * of its own to do it in. */
    static int started;
    if (!started) {
        if (VIPS_INIT("fuzz_qr"))
            return 0;
        vips_block_untrusted_set(TRUE);
        vips_cache_set_max(0);
        vips_concurrency_set(1);
        started = 1;
    }
    char out[1024];
    tc_err e;
    tc_qr_decode(data, size, out, sizeof out, &e);
    return 0;
}
