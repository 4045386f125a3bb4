/* The reviewers' picture: the work copy with the mesh's points, the person
 * mask's outline and every check's region drawn in its verdict's colour.
 * Two forms of the same drawing: the PNG (tc_check_overlay, `tucai check
 * --overlay`), and its drawing data as JSON (tc_check_overlay_json), which
 * the server keeps with each photo and the review console draws over the
 * upright original, so that no upload pays for a PNG nobody may open. */
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

static const uint8_t magenta[3] = {255, 0, 255}, cyan[3] = {0, 255, 255};
static const uint8_t red[3] = {255, 40, 40}, yellow[3] = {255, 220, 0}, green[3] = {40, 220, 40};

/* A region as the frame drawn: corners clamped to [-1, w] x [-1, h];
 * 0 when the region is not drawn. */
static int rect_box(int w, int h, const float reg[4], int b[4])
{
    if (!(reg[2] > 0) || !(reg[3] > 0) || !isfinite(reg[0]) || !isfinite(reg[1]))
        return 0;
    double fx0 = fmax(-1, fmin(w, reg[0])), fy0 = fmax(-1, fmin(h, reg[1]));
    double fx1 = fmax(-1, fmin(w, reg[0] + reg[2])), fy1 = fmax(-1, fmin(h, reg[1] + reg[3]));
    b[0] = (int)fx0, b[1] = (int)fy0, b[2] = (int)fx1, b[3] = (int)fy1;
    return 1;
}

static void rect(uint8_t *px, int w, int h, const float reg[4], int thick, const uint8_t c[3])
{
    int b[4];
    if (!rect_box(w, h, reg, b))
        return;
    int x0 = b[0], y0 = b[1], x1 = b[2], y1 = b[3];
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

/* The JSON text, written straight (integers and fixed ASCII words only): a
 * buffer that grows; a failed growth is remembered and reported at the end. */
typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} jbuf;

static void jb_put(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (b->n + n + 1 > cap)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void jb_str(jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* An integer, preceded by a comma unless first. */
static void jb_int(jbuf *b, long v, int first)
{
    char t[24], *q = t + sizeof t;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--q = '-';
    if (!first)
        *--q = ',';
    jb_put(b, q, (size_t)(t + sizeof t - q));
}

static void jb_rgb(jbuf *b, const char *name, const uint8_t c[3], int first)
{
    jb_str(b, first ? "\"" : ",\"");
    jb_str(b, name);
    jb_str(b, "\":[");
    for (int i = 0; i < 3; i++)
        jb_int(b, c[i], i == 0);
    jb_str(b, "]");
}

/* The drawing data (see tc_check.h): exactly the pixels tc_check_overlay
 * paints, as outline runs, points and frames in work-copy pixels, so a
 * browser that paints them in this order over the work copy dimmed to 3/4
 * gets the PNG's picture (up to the JPEG of the original it starts from). */
int tc_check_overlay_json(const tc_check_input *in, const tc_check_report *rep, char **json, size_t *len, tc_err *e)
{
    *json = NULL;
    *len = 0;
    if (!in || !in->work || !in->work->px || in->work->width <= 0 || in->work->height <= 0)
        return tc_err_set(e, TCE_CHECK_BAD_INPUT);
    int w = in->work->width, h = in->work->height;
    jbuf b = {0};
    jb_str(&b, "{\"v\":1,\"w\":");
    jb_int(&b, w, 1);
    jb_str(&b, ",\"h\":");
    jb_int(&b, h, 1);
    jb_str(&b, ",\"dim\":[3,4],\"palette\":{");
    jb_rgb(&b, "outline", magenta, 1);
    jb_rgb(&b, "point", cyan, 0);
    jb_rgb(&b, "pass", green, 0);
    jb_rgb(&b, "unknown", yellow, 0);
    jb_rgb(&b, "fail", red, 0);
    jb_str(&b, "}");
    /* the work copy judged is the original through this tone curve */
    if (in->tone && in->tone->applied) {
        jb_str(&b, ",\"tone\":[");
        for (int c = 0; c < 3; c++) {
            jb_str(&b, c ? ",[" : "[");
            for (int v = 0; v < 256; v++)
                jb_int(&b, in->tone->lut[c][v], v == 0);
            jb_str(&b, "]");
        }
        jb_str(&b, "]");
    }
    /* the mask's outline: per row [y, x, n, x, n, ...], runs of n pixels */
    jb_str(&b, ",\"outline\":[");
    int rows = 0;
    const tc_photo_mask *m = in->mask;
    if (m && m->a && m->width == w && m->height == h)
        for (int y = 1; y < h - 1; y++) {
            int run0 = -1, open = 0;
            for (int x = 1; x <= w - 1; x++) {
                int edge = 0;
                if (x < w - 1) {
                    size_t i = (size_t)y * w + x;
                    int on = m->a[i] >= 0.5f;
                    edge = on != (m->a[i - 1] >= 0.5f) || on != (m->a[i - w] >= 0.5f);
                }
                if (edge && run0 < 0)
                    run0 = x;
                else if (!edge && run0 >= 0) {
                    if (!open) {
                        jb_str(&b, rows++ ? ",[" : "[");
                        jb_int(&b, y, 1);
                        open = 1;
                    }
                    jb_int(&b, run0, 0);
                    jb_int(&b, x - run0, 0);
                    run0 = -1;
                }
            }
            if (open)
                jb_str(&b, "]");
        }
    jb_str(&b, "],\"points\":[");
    /* the mesh's points inside the picture: [x, y, x, y, ...] */
    int npts = 0;
    if (in->mesh && in->mesh->presence >= 0.5f)
        for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
            float fx = in->mesh->points[i][0] * w, fy = in->mesh->points[i][1] * h;
            if (!(isfinite(fx) && isfinite(fy) && fabsf(fx) < 1e6f && fabsf(fy) < 1e6f))
                continue;
            int x = (int)fx, y = (int)fy;
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            jb_int(&b, x, npts++ == 0);
            jb_int(&b, y, 0);
        }
    /* the checks' frames in drawing order: passed, unknown, failed on top */
    jb_str(&b, "],\"thick\":");
    jb_int(&b, w > 600 ? 2 : 1, 1);
    jb_str(&b, ",\"boxes\":[");
    static const char *const verdicts[3] = {"pass", "unknown", "fail"};
    int nbox = 0;
    if (rep)
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < TC_CHECK_N; i++) {
                const tc_check_result *r = &rep->r[i];
                int bx[4];
                if (r->skipped)
                    continue;
                int order = r->verdict == TC_CHECK_PASS ? 0 : r->verdict == TC_CHECK_UNKNOWN ? 1 : 2;
                if (order != pass || !rect_box(w, h, r->region, bx))
                    continue;
                /* the codes are fixed ASCII words ("check.light_dark") */
                jb_str(&b, nbox++ ? ",{\"check\":\"" : "{\"check\":\"");
                jb_str(&b, tc_check_code((tc_check_id)i));
                jb_str(&b, "\",\"verdict\":\"");
                jb_str(&b, verdicts[order]);
                jb_str(&b, "\",\"box\":[");
                for (int k = 0; k < 4; k++)
                    jb_int(&b, bx[k], k == 0);
                jb_str(&b, "]}");
            }
    jb_str(&b, "]}");
    if (b.oom) {
        free(b.p);
        return tc_err_set(e, TCE_CHECK_OOM);
    }
    *json = b.p;
    *len = b.n;
    return 0;
}
