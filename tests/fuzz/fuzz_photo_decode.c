/* Fuzz target: tc_photo_decode on arbitrary bytes (sniffing, header caps,
 * truncation checks, decoding through libvips), plus the JPEG resolution
 * reader.  Small limits keep each run fast; a crash or a sanitizer report
 * is a bug, an error return is the expected answer to garbage. */
#include <stdint.h>
#include <stdlib.h>

#include <vips/vips.h>

#include "photo/tc_photo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libvips starts once per process; a fuzzing process is the one place
     * where this state lives in a static. */
    static int started;
    if (!started) {
        tc_err e = {0};
        if (tc_photo_startup("fuzz_photo_decode", &e) != 0)
            abort();
        vips_concurrency_set(1);
        started = 1;
    }
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    lim.max_pixels = 4000000;
    lim.work_side = 256;
    tc_photo_src *s = NULL;
    tc_err e = {0};
    if (tc_photo_decode(data, size, &lim, &s, &e) == 0) {
        const tc_photo_rgb *w = tc_photo_src_work(s);
        if (!w->px || w->width < 1 || w->height < 1 || w->width > 256 || w->height > 256)
            abort();
        tc_photo_rgb r;
        if (tc_photo_src_region(s, 0, 0, 8, 8, &r, &e) == 0)
            tc_photo_rgb_free(&r);
        tc_photo_src_free(s);
    } else if (!e.code[0] || !e.zh[0] || !e.en[0]) {
        abort(); /* every refusal says why */
    }
    double a, b;
    tc_photo_jpeg_dpi(data, size, &a, &b);
    return 0;
}
