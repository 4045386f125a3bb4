/* The reviewers' picture: the work copy with the mesh's points, the person
 * mask's outline and every check's region drawn in its verdict's colour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "check_int.h"

static void put(uint8_t *px, int w, int h, int x, int y, const uint8_t c[3])
{
    if (x < 0 || y < 0 || x >= w || y >= h)
        return;
    memcpy(px + ((size_t)y * w + x) * 3, c, 3);
}

static void rect(uint8_t *px, int w, int h, const float reg[4], int thick, const uint8_t c[3])
{
    if (!(reg[2] > 0) || !(reg[3] > 0) || !isfinite(reg[0]) || !isfinite(reg[1]))
        return;
    double fx0 = fmax(-1, fmin(w, reg[0])), fy0 = fmax(-1, fmin(h, reg[1]));
    double fx1 = fmax(-1, fmin(w, reg[0] + reg[2])), fy1 = fmax(-1, fmin(h, reg[1] + reg[3]));
    int x0 = (int)fx0, y0 = (int)fy0, x1 = (int)fx1, y1 = (int)fy1;
    for (int t = 0; t < thick; t++) {
        for (int x = x0; x <= x1; x++) {
            put(px, w, h, x, y0 + t, c);
            put(px, w, h, x, y1 - t, c);
        }
        for (int y = y0; y <= y1; y++) {
            put(px, w, h, x0 + t, y, c);
            put(px, w, h, x1 - t, y, c);
        }
    }
}

int tc_check_overlay(const tc_check_input *in, const tc_check_report *rep, uint8_t **png, size_t *len, tc_err *e)
{
    *png = NULL;
    *len = 0;
    if (!in || !in->work || !in->work->px || in->work->width <= 0 || in->work->height <= 0)
        return tc_err_set(e, TCE_CHECK_BAD_INPUT);
    int w = in->work->width, h = in->work->height;
    size_t n = (size_t)w * h * 3;
    uint8_t *px = malloc(n);
    if (!px)
        return tc_err_set(e, TCE_CHECK_OOM);
    /* the photo dimmed a little, so the drawing stands out */
    for (size_t i = 0; i < n; i++)
        px[i] = (uint8_t)(in->work->px[i] * 3 / 4);
    static const uint8_t magenta[3] = {255, 0, 255}, cyan[3] = {0, 255, 255};
    static const uint8_t red[3] = {255, 40, 40}, yellow[3] = {255, 220, 0}, green[3] = {40, 220, 40};
    const tc_photo_mask *m = in->mask;
    if (m && m->a && m->width == w && m->height == h)
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++) {
                size_t o = (size_t)y * w + x;
                int on = m->a[o] >= 0.5f;
                if (on != (m->a[o - 1] >= 0.5f) || on != (m->a[o - w] >= 0.5f))
                    put(px, w, h, x, y, magenta);
            }
    if (in->mesh && in->mesh->presence >= 0.5f)
        for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
            float fx = in->mesh->points[i][0] * w, fy = in->mesh->points[i][1] * h;
            if (isfinite(fx) && isfinite(fy) && fabsf(fx) < 1e6f && fabsf(fy) < 1e6f)
                put(px, w, h, (int)fx, (int)fy, cyan);
        }
    int thick = w > 600 ? 2 : 1;
    /* passed first, so failures are drawn on top */
    if (rep)
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < TC_CHECK_N; i++) {
                const tc_check_result *r = &rep->r[i];
                if (r->skipped)
                    continue;
                int order = r->verdict == TC_CHECK_PASS ? 0 : r->verdict == TC_CHECK_UNKNOWN ? 1 : 2;
                if (order != pass)
                    continue;
                rect(px, w, h, r->region, thick, order == 0 ? green : order == 1 ? yellow : red);
            }
    VipsImage *im = vips_image_new_from_memory(px, n, w, h, 3, VIPS_FORMAT_UCHAR);
    int rc = -1;
    if (!im)
        tc_err_internal(e, "vips_image_new_from_memory: %s", vips_error_buffer());
    else {
        void *buf = NULL;
        size_t blen = 0;
        if (vips_pngsave_buffer(im, &buf, &blen, "compression", 3, NULL) != 0)
            tc_err_internal(e, "vips_pngsave_buffer: %s", vips_error_buffer());
        else {
            /* handed over as malloc memory, whatever allocator libvips uses */
            *png = malloc(blen ? blen : 1);
            if (*png) {
                memcpy(*png, buf, blen);
                *len = blen;
                rc = 0;
            } else
                tc_err_set(e, TCE_CHECK_OOM);
            g_free(buf);
        }
        g_object_unref(im);
    }
    if (rc != 0)
        vips_error_clear();
    free(px);
    return rc;
}
