/*
 * tucai-evalgen — makes the labelled evaluation set of the automatic checks
 * (issue 5, "Measured, not guessed").
 *
 *   tucai-evalgen LABELS.tsv PORTRAITS_DIR OUT_DIR [--models DIR]
 *
 * LABELS.tsv (eval/labels.tsv) says, for each portrait, what a person judged
 * it to pass or fail and whether variants are made from it.  For each such
 * portrait the vision engine finds the face (the landmarks place the
 * changes: a shadow on one half of the face, sunglasses on the eyes, the
 * smoothing on the skin only), and each variant changes one thing:
 *
 *   roll, yaw            the head tilted; one side of the face squeezed
 *   dark, bright, shadow exposure; one half of the face darker
 *   blur, motion         gaussian and motion blur
 *   blueshirt, glasses   the top recoloured blue; sunglasses drawn in
 *   screen, print        photographed from a screen (pixel grid, subpixels,
 *                        bezel, glare) and from a print (halftone, paper edge,
 *                        perspective, colour cast)
 *   screen_close,        the same filling the frame: no bezel or paper edge
 *   print_close          in view, only the pattern tells
 *   smooth               skin smoothed by an edge-preserving filter
 *   reenc, resized, crop copies, compared with the original's hash
 *   two                  two portraits side by side
 *   dim, cast            a third of the exposure, a blue cast: corrected by
 *                        the pipeline, so no check may fail for them
 *   jpeg8 .. jpeg90      saved at JPEG quality 8/20/40 (compression fails)
 *                        and 60/90 (passes)
 *
 * and carries labels: "fail" for the checks the change targets, and the
 * base's "pass" for the others, except checks the change may legitimately
 * move (a blurred face may look smooth to the retouch check).
 *
 * OUT_DIR receives the images (JPEG) and OUT_DIR/set.tsv, one image a line:
 *   file \t prior_file|- \t prior_same_student \t check=pass|fail ... [\t heldout]
 * "heldout" marks the portraits labelled heldout=yes and their variants:
 * tucai-eval reports them apart, as a check on tuning to the rest.
 * Nothing generated is committed; `make eval` writes to the build folder.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "base/tc_base.h"
#include "check/tc_check.h"
#include "photo/tc_photo.h"
#include "vision/tc_vision.h"

typedef struct img {
    int w, h;
    uint8_t *px; /* RGB */
} img;

static int img_new(img *m, int w, int h)
{
    m->w = w, m->h = h;
    m->px = calloc((size_t)w * (size_t)h * 3, 1);
    return m->px ? 0 : -1;
}

static void img_free(img *m)
{
    free(m->px);
    m->px = NULL;
}

static uint8_t u8(double v)
{
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : lround(v)));
}

/* ---- libvips glue ---------------------------------------------------------------------- */

static VipsImage *to_vips(const img *m)
{
    return vips_image_new_from_memory_copy(m->px, (size_t)m->w * m->h * 3, m->w, m->h, 3, VIPS_FORMAT_UCHAR);
}

/* Upright, sRGB, 3-band 8-bit; alpha flattened on white. */
static int from_vips(VipsImage *in, img *out)
{
    VipsImage *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    int rc = -1;
    if (vips_autorot(in, &a, NULL))
        goto done;
    if (vips_colourspace(a, &b, VIPS_INTERPRETATION_sRGB, NULL))
        goto done;
    if (b->Bands == 4 || b->Bands == 2) {
        VipsArrayDouble *bg = vips_array_double_newv(1, 255.0);
        int f = vips_flatten(b, &c, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (f)
            goto done;
    } else {
        c = b;
        g_object_ref(c);
    }
    if (vips_cast_uchar(c, &d, NULL) || d->Bands != 3)
        goto done;
    size_t sz;
    void *mem = vips_image_write_to_memory(d, &sz);
    if (!mem)
        goto done;
    out->w = d->Xsize, out->h = d->Ysize;
    out->px = malloc(sz);
    if (out->px)
        memcpy(out->px, mem, sz), rc = 0;
    g_free(mem);
done:
    if (a)
        g_object_unref(a);
    if (b)
        g_object_unref(b);
    if (c)
        g_object_unref(c);
    if (d)
        g_object_unref(d);
    return rc;
}

static int load(const char *path, img *out)
{
    VipsImage *in = vips_image_new_from_file(path, NULL);
    if (!in)
        return -1;
    int rc = from_vips(in, out);
    g_object_unref(in);
    return rc;
}

/* Apply a one-input vips operation to m in place. */
typedef int (*vop)(VipsImage *in, VipsImage **out, const double *a);

static int apply(img *m, vop op, const double *a)
{
    VipsImage *in = to_vips(m), *out = NULL;
    if (!in)
        return -1;
    int rc = op(in, &out, a);
    g_object_unref(in);
    if (rc)
        return -1;
    img r;
    rc = from_vips(out, &r);
    g_object_unref(out);
    if (rc)
        return -1;
    img_free(m);
    *m = r;
    return 0;
}

static int op_blur(VipsImage *in, VipsImage **out, const double *a)
{
    return vips_gaussblur(in, out, a[0], NULL);
}

static int op_resize(VipsImage *in, VipsImage **out, const double *a)
{
    return vips_resize(in, out, a[0], NULL);
}

static int op_rotate(VipsImage *in, VipsImage **out, const double *a)
{
    VipsArrayDouble *bg = vips_array_double_newv(3, a[1], a[2], a[3]);
    int rc = vips_rotate(in, out, a[0], "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    return rc;
}

static int save_jpeg(const img *m, const char *path, int q)
{
    VipsImage *v = to_vips(m);
    if (!v)
        return -1;
    int rc = vips_jpegsave(v, path, "Q", q, "strip", TRUE, NULL);
    g_object_unref(v);
    return rc;
}

/* ---- landmarks ------------------------------------------------------------------------- */

typedef struct face {
    int ok;
    double le[2], re[2]; /* eye centres, image-left first, px */
    double d;            /* eye distance                      */
    double mouth[2], chin[2], nose[2];
    double box[4];       /* x0 y0 x1 y1 of the mesh           */
    double pts[TC_VISION_LANDMARKS][2];
    float *mask;         /* person mask at image size (malloc'ed) */
} face;

static int find_face(const tc_vision *v, tc_vision_ctx *c, const img *m, face *f)
{
    memset(f, 0, sizeof *f);
    tc_vision_image vi = {m->px, m->w, m->h, (size_t)m->w * 3};
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int n = 0;
    tc_err e = {0};
    if (tc_vision_detect(v, c, &vi, faces, TC_VISION_MAX_FACES, &n, &e) != 0 || n == 0)
        return 0;
    tc_vision_mesh mesh;
    if (tc_vision_landmarks(v, c, &vi, &faces[0], &mesh, &e) != 0 || mesh.presence < 0.5f)
        return 0;
    f->mask = malloc((size_t)m->w * m->h * sizeof(float));
    if (!f->mask || tc_vision_segment(v, c, &vi, f->mask, &e) != 0) {
        free(f->mask);
        f->mask = NULL;
        return 0;
    }
    f->box[0] = f->box[1] = 1e9, f->box[2] = f->box[3] = -1e9;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        f->pts[i][0] = mesh.points[i][0] * m->w, f->pts[i][1] = mesh.points[i][1] * m->h;
        f->box[0] = fmin(f->box[0], f->pts[i][0]), f->box[1] = fmin(f->box[1], f->pts[i][1]);
        f->box[2] = fmax(f->box[2], f->pts[i][0]), f->box[3] = fmax(f->box[3], f->pts[i][1]);
    }
    enum { AO = TC_VISION_LM_EYE_A_OUT, AI = TC_VISION_LM_EYE_A_IN };
    enum { BI = TC_VISION_LM_EYE_B_IN, BO = TC_VISION_LM_EYE_B_OUT };
    double a[2] = {(f->pts[AO][0] + f->pts[AI][0]) / 2, (f->pts[AO][1] + f->pts[AI][1]) / 2};
    double b[2] = {(f->pts[BI][0] + f->pts[BO][0]) / 2, (f->pts[BI][1] + f->pts[BO][1]) / 2};
    int al = a[0] <= b[0];
    memcpy(f->le, al ? a : b, sizeof a);
    memcpy(f->re, al ? b : a, sizeof a);
    f->d = hypot(f->re[0] - f->le[0], f->re[1] - f->le[1]);
    memcpy(f->mouth, f->pts[TC_VISION_LM_LIP_TOP], sizeof f->mouth);
    memcpy(f->chin, f->pts[TC_VISION_LM_CHIN], sizeof f->chin);
    memcpy(f->nose, f->pts[TC_VISION_LM_NOSE_TIP], sizeof f->nose);
    f->ok = f->d > 8;
    return f->ok;
}

/* ---- variants -------------------------------------------------------------------------- */

static double smoothstep(double a, double b, double x)
{
    double t = (x - a) / (b - a);
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    return t * t * (3 - 2 * t);
}

/* Exposure: v' = 255 * (gain * (v/255))^gamma. */
static void expose(img *m, double gain, double gamma)
{
    for (size_t i = 0; i < (size_t)m->w * m->h * 3; i++)
        m->px[i] = u8(255 * pow(fmin(1.0, gain * m->px[i] / 255.0), gamma));
}

/* One half of the face (the image-right half) darker, with a soft edge along
 * the nose line, as a lamp from one side does. */
static void half_shadow(img *m, const face *f)
{
    double cx = f->nose[0], soft = 0.15 * f->d;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++) {
            double k = 1 - 0.65 * smoothstep(cx - soft, cx + soft, x);
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = u8(p[c] * k);
        }
}

/* A horizontal perspective squeeze of one side (the image-right half of the
 * face shrinks), which moves the nose towards that cheek as a turn does. */
static int yaw_squeeze(img *m, const face *f)
{
    img o;
    if (img_new(&o, m->w, m->h))
        return -1;
    double cx = f->nose[0];
    double halfw = (f->box[2] - f->box[0]) * 0.5 + 1;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++) {
            /* output x -> source x: the right side stretched from the
             * source by 1.6 near the centre, fading out beyond the face */
            double dx = x - cx, sx = x;
            if (dx > 0) {
                double t = dx / (1.6 * halfw);
                sx = t < 1 ? cx + dx * (1.6 - 0.6 * t) : x;
                if (t >= 1)
                    sx = x;
            }
            if (sx > m->w - 1)
                sx = m->w - 1;
            int x0 = (int)sx;
            double a = sx - x0;
            int x1 = x0 + 1 < m->w ? x0 + 1 : x0;
            for (int c = 0; c < 3; c++)
                o.px[((size_t)y * m->w + x) * 3 + c] =
                    u8(m->px[((size_t)y * m->w + x0) * 3 + c] * (1 - a) + m->px[((size_t)y * m->w + x1) * 3 + c] * a);
        }
    img_free(m);
    *m = o;
    return 0;
}

static void motion_blur(img *m, int len)
{
    uint8_t *row = malloc((size_t)m->w * 3);
    if (!row)
        return;
    for (int y = 0; y < m->h; y++) {
        uint8_t *p = m->px + (size_t)y * m->w * 3;
        memcpy(row, p, (size_t)m->w * 3);
        for (int x = 0; x < m->w; x++)
            for (int c = 0; c < 3; c++) {
                int s = 0, n = 0;
                for (int k = -len / 2; k <= len / 2; k++) {
                    int xx = x + k;
                    if (xx < 0 || xx >= m->w)
                        continue;
                    s += row[xx * 3 + c], n++;
                }
                p[x * 3 + c] = (uint8_t)(s / n);
            }
    }
    free(row);
}

/* The person below the chin recoloured a saturated mid blue, luminance kept. */
static void blue_shirt(img *m, const face *f)
{
    double y0 = f->chin[1] + 0.25 * (f->chin[1] - f->le[1]);
    for (int y = (int)fmax(0, y0); y < m->h; y++)
        for (int x = 0; x < m->w; x++) {
            float a = f->mask[(size_t)y * m->w + x];
            if (a < 0.05f)
                continue;
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            double l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            double lb = 40 + 0.5 * l; /* a mid blue whatever the shirt was */
            double nb[3] = {lb * 0.35, lb * 0.75, fmin(255, lb * 2.1)};
            for (int c = 0; c < 3; c++)
                p[c] = u8(p[c] * (1 - a) + nb[c] * a);
        }
}

/* Dark lenses over both eyes, with a thin bridge. */
static void sunglasses(img *m, const face *f)
{
    double ex = (f->re[0] - f->le[0]) / f->d, ey = (f->re[1] - f->le[1]) / f->d;
    const double *eye[2] = {f->le, f->re};
    double rx = 0.42 * f->d, ry = 0.3 * f->d;
    int x0 = (int)fmax(0, f->le[0] - f->d), x1 = (int)fmin(m->w - 1, f->re[0] + f->d);
    int y0 = (int)fmax(0, fmin(f->le[1], f->re[1]) - f->d), y1 = (int)fmin(m->h - 1, fmax(f->le[1], f->re[1]) + f->d);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double best = 1e9;
            for (int k = 0; k < 2; k++) {
                double dx = x - eye[k][0], dy = y - eye[k][1];
                double u = dx * ex + dy * ey, v = -dx * ey + dy * ex;
                best = fmin(best, (u / rx) * (u / rx) + (v / ry) * (v / ry));
            }
            /* bridge between the lenses */
            double mx = x - (f->le[0] + f->re[0]) / 2, my = y - (f->le[1] + f->re[1]) / 2;
            double bu = mx * ex + my * ey, bv = -mx * ey + my * ex;
            int bridge = fabs(bu) < 0.2 * f->d && fabs(bv + 0.05 * f->d) < 0.03 * f->d;
            if (best > 1.0 && !bridge)
                continue;
            double a = bridge ? 1.0 : 0.9 * smoothstep(1.0, 0.85, best);
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            uint8_t tint[3] = {18, 22, 20};
            for (int c = 0; c < 3; c++)
                p[c] = u8(p[c] * (1 - a) + (tint[c] + 0.12 * p[c]) * a);
        }
}

/* Issue 16, item 2: tinted lenses of another shape than the sunglasses
 * above — rounded rectangles letting through about 40 % of the light, a thin
 * dark frame round each — darker than the face but not black. */
static void tinted(img *m, const face *f)
{
    double ex = (f->re[0] - f->le[0]) / f->d, ey = (f->re[1] - f->le[1]) / f->d;
    const double *eye[2] = {f->le, f->re};
    double hw = 0.40 * f->d, hh = 0.24 * f->d, rad = 0.10 * f->d;
    int x0 = (int)fmax(0, f->le[0] - f->d), x1 = (int)fmin(m->w - 1, f->re[0] + f->d);
    int y0 = (int)fmax(0, fmin(f->le[1], f->re[1]) - f->d), y1 = (int)fmin(m->h - 1, fmax(f->le[1], f->re[1]) + f->d);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double best = 1e9;
            for (int k = 0; k < 2; k++) {
                double dx = x - eye[k][0], dy = y - eye[k][1] - 0.03 * f->d;
                double u = fabs(dx * ex + dy * ey) - (hw - rad), v = fabs(-dx * ey + dy * ex) - (hh - rad);
                /* signed distance to a rounded rectangle, px */
                double out = hypot(fmax(u, 0), fmax(v, 0)) + fmin(fmax(u, v), 0) - rad;
                best = fmin(best, out);
            }
            if (best > 2.0)
                continue;
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            double frame = best > -0.03 * f->d; /* the rim */
            double a = smoothstep(2.0, 0.0, best);
            static const double tint[3] = {0.42, 0.38, 0.34};
            for (int c = 0; c < 3; c++) {
                double v = frame ? 25 : p[c] * tint[c] + 6;
                p[c] = u8(p[c] * (1 - a) + v * a);
            }
        }
}

/* A lock of dark hair falling over eye A (the image's left eye) from the
 * forehead: strands of dark brown, a soft edge. */
static void hair_eye(img *m, const face *f)
{
    double cx = f->le[0], cy = f->le[1];
    int x0 = (int)fmax(0, cx - f->d), x1 = (int)fmin(m->w - 1, cx + f->d);
    int y0 = (int)fmax(0, cy - 1.3 * f->d), y1 = (int)fmin(m->h - 1, cy + 0.45 * f->d);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            /* a band slanting down-outwards, 0.5 d wide round the eye */
            double t = (y - cy) / f->d, mid = cx - 0.12 * f->d * t + 0.05 * f->d * sin(5 * t);
            /* ragged sides: locks of unequal length */
            double half = 0.30 * f->d * (1 - 0.35 * fmax(0, t)) + 0.04 * f->d * sin((x - cx) * 0.9 + 7 * t);
            double dd = fabs(x - mid) - half;
            if (dd > 2)
                continue;
            double a = 0.96 * smoothstep(2.0, -2.0, dd) * smoothstep(0.45, 0.30, t);
            double strand = 0.75 + 0.25 * sin((x - mid + 3 * t * f->d) * 2.1);
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            static const double hair[3] = {48, 36, 30};
            for (int c = 0; c < 3; c++)
                p[c] = u8(p[c] * (1 - a) + hair[c] * strand * a);
        }
}

/* Issue 16, item 4: headwear.  cap: a dark cap over the head down to the
 * middle of the forehead with a peak (brim) whose lower edge is sharp, the
 * crown shaded like cloth; band: a coloured headband across the hair and
 * the top of the forehead. */
static void headwear(img *m, const face *f, int band)
{
    double ex = (f->re[0] - f->le[0]) / f->d, ey = (f->re[1] - f->le[1]) / f->d;
    double cx = (f->le[0] + f->re[0]) / 2, cy = (f->le[1] + f->re[1]) / 2;
    /* upright coordinates: u along the eye line, v up from the eye line */
    double brim = band ? 0.80 * f->d : 0.58 * f->d; /* the cover's lower edge above the eyes */
    double top = band ? 1.10 * f->d : 2.2 * f->d;
    double rx = 1.45 * f->d;
    int x0 = (int)fmax(0, cx - 2 * f->d), x1 = (int)fmin(m->w - 1, cx + 2 * f->d);
    int y0 = (int)fmax(0, cy - 3 * f->d), y1 = (int)fmin(m->h - 1, cy);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double dx = x - cx, dy = y - cy;
            double u = dx * ex + dy * ey, v = -(-dx * ey + dy * ex);
            /* the lower edge curves up a little at the sides, like a cap's */
            double lo = brim + 0.10 * f->d * (u / rx) * (u / rx);
            double w = rx * sqrt(fmax(0, 1 - pow(fmax(0, v - brim) / (top - brim + 1e-9), 2)));
            if (v < lo - 1 || v > top || fabs(u) > w + 1)
                continue;
            uint8_t *p = m->px + ((size_t)y * m->w + x) * 3;
            /* outside the person only the crown's dome (a cap is wider than
             * the hair it covers) */
            if (!band && f->mask && f->mask[(size_t)y * m->w + x] < 0.5f && v < brim + 0.25 * f->d)
                continue;
            if (band && f->mask && f->mask[(size_t)y * m->w + x] < 0.5f)
                continue;
            double a = smoothstep(lo - 1, lo + 1, v) * smoothstep(w + 1, w - 1, fabs(u));
            double shade = 0.75 + 0.25 * cos(u / rx * 1.4) - 0.12 * (v - brim) / (top - brim);
            int peak = !band && v < brim + 0.16 * f->d;
            static const double navy[3] = {28, 32, 52}, red[3] = {170, 30, 45};
            const double *col = band ? red : navy;
            for (int c = 0; c < 3; c++) {
                double val = col[c] * shade * (peak ? 0.8 : 1.0) + 4 * sin(x * 1.7 + y * 2.3);
                p[c] = u8(p[c] * (1 - a) + val * a);
            }
        }
}

/* Bilinear sample of m (clamped). */
static void sample(const img *m, double x, double y, double out[3])
{
    double fx = fmin(fmax(x, 0), m->w - 1.001), fy = fmin(fmax(y, 0), m->h - 1.001);
    int x0 = (int)fx, y0 = (int)fy;
    double ax = fx - x0, ay = fy - y0;
    const uint8_t *p = m->px + ((size_t)y0 * m->w + x0) * 3, *q = p + (size_t)m->w * 3;
    for (int c = 0; c < 3; c++)
        out[c] = (p[c] * (1 - ax) + p[3 + c] * ax) * (1 - ay) + (q[c] * (1 - ax) + q[3 + c] * ax) * ay;
}

/* A deterministic noise source (no global state: the caller keeps it). */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void add_noise(img *m, double sigma, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < (size_t)m->w * m->h * 3; i++) {
        double g = rnd(&s) + rnd(&s) + rnd(&s) - 1.5; /* roughly normal, sd 0.5 */
        m->px[i] = u8(m->px[i] + 2 * sigma * g);
    }
}

/* Canvas at most 1000 px on its longest side, so the pattern a variant adds
 * survives the pipeline's work copy (1024) without being averaged away. */
static int canvas_size(const img *m, int *w, int *h)
{
    double s = fmin(1.0, 1000.0 / (m->w > m->h ? m->w : m->h));
    *w = (int)(m->w * s), *h = (int)(m->h * s);
    return 0;
}

/* Photographed from a screen: the portrait shown on an LCD (square pixels
 * with R, G, B stripes and a dark grid between them), the screen turned a
 * few degrees and filling most of the frame inside a black bezel, with the
 * display's raised blacks and cool white, a soft glare band, the camera's
 * blur and noise.  Each output pixel averages 3 x 3 samples of the
 * subpixel pattern (the camera's pixel area), which is what aliases into
 * moiré. */
static int screen_shot(const img *src, img *out, double pitch, double angle_deg, double fill, uint64_t seed)
{
    int W, H;
    canvas_size(src, &W, &H);
    if (img_new(out, W, H))
        return -1;
    double ca = cos(angle_deg * M_PI / 180), sa = sin(angle_deg * M_PI / 180);
    /* the screen's picture: centred, `fill` of the canvas (over 1: the
     * screen fills the frame, no bezel to see), same aspect */
    double sw = fill * W, sh = fill * H, bez = 0.035 * (W < H ? W : H);
    double cx = W / 2.0, cy = H / 2.0;
    uint64_t s = seed;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double acc[3] = {0, 0, 0};
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 3; i++) {
                    double px = x + (i + 0.5) / 3 - cx, py = y + (j + 0.5) / 3 - cy;
                    /* screen coordinates (rotated) */
                    double u = px * ca + py * sa, v = -px * sa + py * ca;
                    double col[3];
                    if (fabs(u) < sw / 2 && fabs(v) < sh / 2) {
                        /* which screen pixel, and where inside it */
                        double gu = (u + sw / 2) / pitch, gv = (v + sh / 2) / pitch;
                        double iu = floor(gu), iv = floor(gv), fu = gu - iu, fv = gv - iv;
                        double pix[3];
                        sample(src, (iu + 0.5) * pitch / sw * src->w, (iv + 0.5) * pitch / sh * src->h, pix);
                        int sub = (int)(fu * 3);
                        for (int c = 0; c < 3; c++) {
                            double lin = 18 + 0.88 * pix[c];     /* raised black level */
                            /* the lit subpixel brighter, the others dimmer, the
                             * grid between rows darker: depth as a phone
                             * camera sees it a hand's width from the screen */
                            double lit = lin * (c == sub ? 1.5 : 0.75) * (fv < 0.82 ? 1.0 : 0.7);
                            col[c] = lit * (c == 2 ? 1.05 : (c == 0 ? 0.93 : 1.0)); /* cool white */
                        }
                    } else if (fabs(u) < sw / 2 + bez && fabs(v) < sh / 2 + bez) {
                        col[0] = col[1] = col[2] = 16; /* the bezel */
                    } else {
                        /* the room behind: a dim warm gradient */
                        double t = (double)y / H;
                        col[0] = 150 - 60 * t, col[1] = 135 - 60 * t, col[2] = 115 - 55 * t;
                    }
                    for (int c = 0; c < 3; c++)
                        acc[c] += col[c];
                }
            /* glare: a soft diagonal band of reflected light */
            double gl = 40 * exp(-pow(((double)x / W + (double)y / H - 0.7) / 0.12, 2));
            uint8_t *p = out->px + ((size_t)y * W + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = u8(acc[c] / 9 + gl);
        }
    (void)s;
    double sig = 0.6;
    if (apply(out, op_blur, &sig))
        return -1;
    add_noise(out, 2.0, seed);
    return 0;
}

/* Printed and photographed: the portrait halftoned (cyan, magenta, yellow
 * and black dots on screens turned 15, 75, 0 and 45 degrees), on paper with a
 * white margin, lying on a darker surface, seen with a slight keystone
 * (the top farther away), under warm light. */
static int print_shot(const img *src, img *out, double cell, int close, uint64_t seed)
{
    int W, H;
    canvas_size(src, &W, &H);
    if (img_new(out, W, H))
        return -1;
    static const double ang[4] = {15, 75, 0, 45};
    double cs[4], sn[4];
    for (int k = 0; k < 4; k++)
        cs[k] = cos(ang[k] * M_PI / 180), sn[k] = sin(ang[k] * M_PI / 180);
    /* the paper on the canvas: a trapezoid, the print inside its margin */
    double top = 0.06 * H, bot = 0.97 * H, kx_top = 0.10 * W, kx_bot = 0.03 * W, margin = 0.045;
    if (close) /* the print fills the frame: no paper edge to see */
        top = -0.08 * H, bot = 1.08 * H, kx_top = -0.06 * W, kx_bot = -0.1 * W, margin = 0.0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double acc[3] = {0, 0, 0};
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    double px = x + (i + 0.5) / 2, py = y + (j + 0.5) / 2;
                    double col[3];
                    double t = (py - top) / (bot - top);
                    double l = kx_top + (kx_bot - kx_top) * t, r = W - l;
                    if (t < 0 || t > 1 || px < l || px > r) {
                        col[0] = 92, col[1] = 80, col[2] = 70; /* the table */
                    } else {
                        double pu = (px - l) / (r - l), pv = t; /* 0..1 on the paper */
                        double iu = (pu - margin) / (1 - 2 * margin), iv = (pv - margin) / (1 - 2 * margin);
                        col[0] = col[1] = col[2] = 242; /* paper white */
                        if (iu >= 0 && iu <= 1 && iv >= 0 && iv <= 1) {
                            double pix[3];
                            sample(src, iu * (src->w - 1), iv * (src->h - 1), pix);
                            double c = 1 - pix[0] / 255, m = 1 - pix[1] / 255, yy = 1 - pix[2] / 255;
                            double k = fmin(c, fmin(m, yy));
                            double ink[4] = {c - k, m - k, yy - k, k};
                            double cover[4];
                            for (int q = 0; q < 4; q++) {
                                /* distance to the nearest dot centre of screen q */
                                double su = (px * cs[q] + py * sn[q]) / cell, sv = (-px * sn[q] + py * cs[q]) / cell;
                                double du = su - floor(su) - 0.5, dv = sv - floor(sv) - 0.5;
                                double rr = sqrt(ink[q] / M_PI) * 1.05; /* dot radius for that coverage */
                                cover[q] = (du * du + dv * dv) < rr * rr ? 1 : 0;
                            }
                            /* subtractive: each ink removes its colour */
                            col[0] = 242 * (1 - 0.85 * cover[0]) * (1 - 0.1 * cover[1]) * (1 - 0.85 * cover[3]);
                            col[1] = 242 * (1 - 0.85 * cover[1]) * (1 - 0.1 * cover[2]) * (1 - 0.85 * cover[3]);
                            col[2] = 242 * (1 - 0.85 * cover[2]) * (1 - 0.1 * cover[0]) * (1 - 0.85 * cover[3]);
                        }
                    }
                    for (int c = 0; c < 3; c++)
                        acc[c] += col[c];
                }
            uint8_t *p = out->px + ((size_t)y * W + x) * 3;
            /* warm light: white balance shifted */
            p[0] = u8(acc[0] / 4 * 1.0 + 6), p[1] = u8(acc[1] / 4 * 0.95), p[2] = u8(acc[2] / 4 * 0.82);
        }
    double sig = 0.7;
    if (apply(out, op_blur, &sig))
        return -1;
    add_noise(out, 2.5, seed);
    return 0;
}

/* Skin smoothing as beauty apps do it: a bilateral filter (edges kept)
 * applied only inside the face's outline, away from eyes, brows and lips. */
static int smooth_skin(img *m, const face *f)
{
    double ss = fmax(1.5, f->d / 14), sr = 14; /* spatial sigma, range sigma (grey levels) */
    int rad = (int)ceil(2 * ss);
    int x0 = (int)fmax(0, f->box[0]), y0 = (int)fmax(0, f->box[1]);
    int x1 = (int)fmin(m->w - 1, f->box[2]), y1 = (int)fmin(m->h - 1, f->box[3]);
    img o;
    if (img_new(&o, m->w, m->h))
        return -1;
    memcpy(o.px, m->px, (size_t)m->w * m->h * 3);
    double ex = (f->re[0] - f->le[0]) / f->d, ey = (f->re[1] - f->le[1]) / f->d;
    /* the face outline: an ellipse around the mesh's box, a little inside */
    double fcx = (f->box[0] + f->box[2]) / 2, fcy = (f->box[1] + f->box[3]) / 2;
    double frx = (f->box[2] - f->box[0]) / 2 * 0.92, fry = (f->box[3] - f->box[1]) / 2 * 0.95;
    double wsp[64];
    for (int k = 0; k <= rad && k < 64; k++)
        wsp[k] = exp(-k * k / (2 * ss * ss));
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double dx = (x - fcx) / frx, dy = (y - fcy) / fry;
            double in = smoothstep(1.0, 0.85, dx * dx + dy * dy);
            /* keep eyes and brows (above and around the eye line) and lips */
            for (int k = 0; k < 2; k++) {
                const double *e = k ? f->re : f->le;
                double u = (x - e[0]) * ex + (y - e[1]) * ey, v = -(x - e[0]) * ey + (y - e[1]) * ex;
                double q = (u / (0.42 * f->d)) * (u / (0.42 * f->d)) + ((v + 0.1 * f->d) / (0.33 * f->d)) *
                                                                         ((v + 0.1 * f->d) / (0.33 * f->d));
                in *= smoothstep(0.8, 1.2, q);
            }
            double mu = (x - f->mouth[0]) * ex + (y - f->mouth[1]) * ey,
                   mv = -(x - f->mouth[0]) * ey + (y - f->mouth[1]) * ex;
            double qm = (mu / (0.55 * f->d)) * (mu / (0.55 * f->d)) + (mv / (0.25 * f->d)) * (mv / (0.25 * f->d));
            in *= smoothstep(0.8, 1.2, qm);
            if (in <= 0.01)
                continue;
            const uint8_t *c0 = m->px + ((size_t)y * m->w + x) * 3;
            double l0 = 0.299 * c0[0] + 0.587 * c0[1] + 0.114 * c0[2];
            double acc[3] = {0, 0, 0}, ws = 0;
            for (int j = -rad; j <= rad; j += 1)
                for (int i = -rad; i <= rad; i += 1) {
                    int xx = x + i, yy = y + j;
                    if (xx < 0 || yy < 0 || xx >= m->w || yy >= m->h)
                        continue;
                    const uint8_t *c = m->px + ((size_t)yy * m->w + xx) * 3;
                    double l = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
                    double wgt = wsp[abs(i) < 64 ? abs(i) : 63] * wsp[abs(j) < 64 ? abs(j) : 63] *
                                 exp(-(l - l0) * (l - l0) / (2 * sr * sr));
                    for (int q = 0; q < 3; q++)
                        acc[q] += wgt * c[q];
                    ws += wgt;
                }
            uint8_t *p = o.px + ((size_t)y * m->w + x) * 3;
            for (int q = 0; q < 3; q++)
                p[q] = u8(c0[q] * (1 - in) + acc[q] / ws * in);
        }
    img_free(m);
    *m = o;
    return 0;
}

/* Two portraits side by side, the second scaled to the first's height. */
static int side_by_side(const img *a, const img *b, img *out)
{
    double s = (double)a->h / b->h;
    int bw = (int)(b->w * s);
    if (img_new(out, a->w + bw, a->h))
        return -1;
    for (int y = 0; y < a->h; y++) {
        memcpy(out->px + (size_t)y * out->w * 3, a->px + (size_t)y * a->w * 3, (size_t)a->w * 3);
        for (int x = 0; x < bw; x++) {
            double c[3];
            sample(b, x / s, y / s, c);
            for (int k = 0; k < 3; k++)
                out->px[((size_t)y * out->w + a->w + x) * 3 + k] = u8(c[k]);
        }
    }
    return 0;
}

/* ---- labels ------------------------------------------------------------------------------ */

typedef struct base {
    char file[128];
    int variants;
    int heldout;                 /* heldout=yes: reported apart, not to tune on */
    signed char lab[TC_CHECK_N]; /* 1 pass, 0 fail, -1 not judged */
    char same_as[128];           /* another photo of the same person, or "" */
} base;

/* "*=pass expression=fail -jewelry variants=yes same=FILE" */
static int parse_labels(const char *s, base *b)
{
    for (int i = 0; i < TC_CHECK_N; i++)
        b->lab[i] = -1;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (t[0] == '-') {
            int id = tc_check_by_name(t + 1);
            if (id < 0)
                return fprintf(stderr, "evalgen: unknown check %s\n", t + 1), -1;
            b->lab[id] = -1;
            continue;
        }
        char *eq = strchr(t, '=');
        if (!eq)
            return fprintf(stderr, "evalgen: bad label %s\n", t), -1;
        *eq = 0;
        const char *v = eq + 1;
        if (!strcmp(t, "variants")) {
            b->variants = !strcmp(v, "yes");
            continue;
        }
        if (!strcmp(t, "heldout")) {
            b->heldout = !strcmp(v, "yes");
            continue;
        }
        if (!strcmp(t, "same")) {
            snprintf(b->same_as, sizeof b->same_as, "%s", v);
            continue;
        }
        int val = !strcmp(v, "pass") ? 1 : (!strcmp(v, "fail") ? 0 : -2);
        if (val == -2)
            return fprintf(stderr, "evalgen: bad verdict %s\n", v), -1;
        if (!strcmp(t, "*")) {
            for (int i = 0; i < TC_CHECK_N; i++)
                b->lab[i] = (signed char)val;
            continue;
        }
        int id = tc_check_by_name(t);
        if (id < 0)
            return fprintf(stderr, "evalgen: unknown check %s\n", t), -1;
        b->lab[id] = (signed char)val;
    }
    return 0;
}

static void write_line(FILE *o, const char *file, const char *prior, int same, const signed char *lab, int heldout)
{
    fprintf(o, "%s\t%s\t%d\t", file, prior ? prior : "-", same);
    int first = 1;
    for (int i = 0; i < TC_CHECK_N; i++)
        if (lab[i] >= 0) {
            fprintf(o, "%s%s=%s", first ? "" : " ", tc_check_name((tc_check_id)i), lab[i] ? "pass" : "fail");
            first = 0;
        }
    /* a fifth column: the held-out portraits and their variants */
    if (heldout)
        fputs("\theldout", o);
    fputc('\n', o);
}

/* A variant: the checks it targets (expected to fail) and those it may
 * legitimately move (not judged). */
typedef struct variant {
    const char *name;
    const char *fail;
    const char *moves;
} variant;

static const variant VARIANTS[] = {
    /* the whole picture turned: the shoulders tilt with the head */
    {"roll", "pose_roll shoulders", "geometry framing face_inside"},
    {"yaw", "pose_yaw", "geometry framing ears_visible light_uneven gaze expression eyes_open hair_brows mouth_closed "
                        "shoulders"},
    {"dark", "light_dark", "light_uneven light_hotspot light_bright blur red_eye glasses_tinted glasses_glare "
                           "clothing_colour retouch eyes_open gaze"},
    {"shadow", "light_uneven", "light_dark light_hotspot clothing_colour ears_visible"},
    {"bright", "light_bright", "light_dark light_uneven light_hotspot blur clothing_colour retouch red_eye "
                               "glasses_tinted hair_brows"},
    {"blur", "blur", "retouch resolution eyes_open gaze glasses_glare hair_brows jewelry red_eye mouth_closed"},
    {"motion", "blur", "retouch resolution eyes_open gaze glasses_glare hair_brows jewelry red_eye mouth_closed"},
    {"blueshirt", "clothing_colour", "jewelry"},
    {"sunglasses", "glasses_tinted", "glasses glasses_glare eyes_open gaze red_eye hair_brows light_dark "
                                     "light_uneven light_hotspot"},
    /* issue 16: eyes covered (tinted lenses of another shape, hair over one
     * eye) and headwear (a dark peaked cap, a red headband) */
    {"tinted", "glasses_tinted", "glasses glasses_glare eyes_open gaze red_eye hair_brows light_dark "
                                 "light_uneven light_hotspot"},
    {"hair_eye", "glasses_tinted", "glasses glasses_glare eyes_open gaze red_eye hair_brows light_uneven "
                                   "light_dark expression"},
    {"cap", "headwear", "hair_brows geometry framing face_inside light_dark light_uneven light_bright "
                        "light_hotspot recapture ears_visible glasses"},
    {"band", "headwear", "hair_brows geometry framing light_uneven light_hotspot ears_visible"},
    {"screen", "recapture", "light_dark light_bright light_uneven light_hotspot blur retouch clothing_colour "
                            "geometry framing resolution glasses_glare red_eye shoulders body_framing"},
    {"print", "recapture", "light_dark light_bright light_uneven light_hotspot blur retouch clothing_colour "
                           "geometry framing resolution glasses_glare red_eye shoulders body_framing"},
    /* the same without the frame in view: only the pattern can tell */
    {"screen_close", "recapture", "light_dark light_bright light_uneven light_hotspot blur retouch clothing_colour "
                                  "geometry framing resolution glasses_glare red_eye face_inside shoulders "
                                  "body_framing"},
    {"print_close", "recapture", "light_dark light_bright light_uneven light_hotspot blur retouch clothing_colour "
                                 "geometry framing resolution glasses_glare red_eye face_inside shoulders "
                                 "body_framing"},
    {"smooth", "retouch", ""},
    {"reenc", "duplicate", "compression"}, /* saved at Q55: below the standard's 60 */
    {"resized", "duplicate", "resolution blur body_framing"},
    {"crop", "duplicate", "geometry framing face_inside"},
    {"two", "face_count", "geometry framing face_inside resolution duplicate recapture shoulders body_framing"},
    /* issue 16: exposure the pipeline corrects (a third of the light, a
     * blue cast): no check may fail for it */
    {"dim", "", "light_uneven light_hotspot blur red_eye glasses_tinted glasses_glare retouch"},
    {"cast", "", "clothing_colour"},
    /* issue 16: JPEG quality (the 学信网 standard asks >= 60) */
    {"jpeg8", "compression", "blur retouch recapture light_hotspot red_eye glasses_glare clothing_colour duplicate "
                             "eyes_open gaze jewelry hair_brows"},
    {"jpeg20", "compression", "blur retouch recapture light_hotspot red_eye glasses_glare jewelry"},
    {"jpeg40", "compression", "retouch recapture"},
    {"jpeg60", "", "retouch recapture"},
    {"jpeg90", "", ""},
};

static void variant_labels(const base *b, const variant *v, signed char *lab)
{
    memcpy(lab, b->lab, TC_CHECK_N);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v->moves);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        int id = tc_check_by_name(t);
        if (id >= 0)
            lab[id] = -1;
    }
    /* a base whose own file is blocky keeps its blocks only in a plain
     * re-save: a variant that resamples or redraws it may lose them */
    if (lab[TC_CHECK_COMPRESSION] == 0 && strncmp(v->name, "jpeg", 4) && strcmp(v->name, "dim") &&
        strcmp(v->name, "cast"))
        lab[TC_CHECK_COMPRESSION] = -1;
    /* v->fail may name several checks */
    snprintf(buf, sizeof buf, "%s", v->fail);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        int id = tc_check_by_name(t);
        if (id >= 0)
            lab[id] = 0;
    }
    /* a variant has no prior unless it is a copy: duplicate passes then */
    if (strcmp(v->fail, "duplicate") && lab[TC_CHECK_DUPLICATE] == 0)
        lab[TC_CHECK_DUPLICATE] = -1;
}

static int make_variant(const variant *v, const img *src, const face *f, const img *other, img *out, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(v->name, "two"))
        return other ? side_by_side(src, other, out) : -1;
    if (!strcmp(v->name, "screen"))
        return screen_shot(src, out, 2.0 + 1.5 * rnd(&seed), 2 + 3 * rnd(&seed), 0.86, seed);
    if (!strcmp(v->name, "screen_close"))
        return screen_shot(src, out, 2.0 + 1.5 * rnd(&seed), 2 + 3 * rnd(&seed), 1.15, seed);
    if (!strcmp(v->name, "print"))
        return print_shot(src, out, 2.4 + 1.0 * rnd(&seed), 0, seed);
    if (!strcmp(v->name, "print_close"))
        return print_shot(src, out, 2.4 + 1.0 * rnd(&seed), 1, seed);
    if (img_new(out, src->w, src->h))
        return -1;
    memcpy(out->px, src->px, (size_t)src->w * src->h * 3);
    if (!strcmp(v->name, "roll")) {
        /* rotate, then keep the largest centred rectangle inside the turned
         * picture: a tilted head in a real photo has no tilted frame */
        uint8_t *p = src->px;
        double a[4] = {18, p[0], p[1], p[2]};
        if (apply(out, op_rotate, a))
            return -1;
        double th = 18 * M_PI / 180, cw = cos(th), sw = sin(th);
        /* inscribed rectangle of the original's aspect in the rotated one */
        double k = 1.0 / (cw + sw * fmax((double)src->w / src->h, (double)src->h / src->w));
        int w = (int)(src->w * k), h = (int)(src->h * k);
        int x0 = (out->w - w) / 2, y0 = (out->h - h) / 2;
        img c;
        if (w < 16 || h < 16 || img_new(&c, w, h))
            return -1;
        for (int y = 0; y < h; y++)
            memcpy(c.px + (size_t)y * w * 3, out->px + ((size_t)(y + y0) * out->w + x0) * 3, (size_t)w * 3);
        img_free(out);
        *out = c;
        return 0;
    }
    if (!strcmp(v->name, "yaw"))
        return yaw_squeeze(out, f);
    if (!strcmp(v->name, "dark"))
        return expose(out, 0.35, 1.3), 0;
    if (!strcmp(v->name, "bright"))
        return expose(out, 2.3, 0.8), 0;
    if (!strcmp(v->name, "shadow"))
        return half_shadow(out, f), 0;
    if (!strcmp(v->name, "blur")) {
        double s = fmax(2.0, f->d / 14);
        return apply(out, op_blur, &s);
    }
    if (!strcmp(v->name, "motion"))
        return motion_blur(out, (int)fmax(5, f->d / 5)), 0;
    if (!strcmp(v->name, "blueshirt"))
        return blue_shirt(out, f), 0;
    if (!strcmp(v->name, "sunglasses"))
        return sunglasses(out, f), 0;
    if (!strcmp(v->name, "tinted"))
        return tinted(out, f), 0;
    if (!strcmp(v->name, "hair_eye"))
        return hair_eye(out, f), 0;
    if (!strcmp(v->name, "cap") || !strcmp(v->name, "band"))
        return headwear(out, f, !strcmp(v->name, "band")), 0;
    if (!strcmp(v->name, "smooth"))
        return smooth_skin(out, f);
    if (!strcmp(v->name, "reenc") || !strncmp(v->name, "jpeg", 4))
        return 0; /* saved at a low quality below */
    if (!strcmp(v->name, "dim") || !strcmp(v->name, "cast")) {
        /* in linear light: a third of the exposure; R * 0.75, B * 1.3 */
        int dim = !strcmp(v->name, "dim");
        for (size_t i = 0; i < (size_t)out->w * out->h * 3; i++) {
            double c = out->px[i] / 255.0, l = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
            l *= dim ? 1.0 / 3 : (i % 3 == 0 ? 0.75 : i % 3 == 2 ? 1.3 : 1.0);
            l = l > 1 ? 1 : l;
            out->px[i] = u8(255 * (l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055));
        }
        return 0;
    }
    if (!strcmp(v->name, "resized")) {
        double s = 0.6;
        return apply(out, op_resize, &s);
    }
    if (!strcmp(v->name, "crop")) {
        /* 6% off each side */
        int cx = src->w * 6 / 100, cy = src->h * 6 / 100, w = src->w - 2 * cx, h = src->h - 2 * cy;
        img c;
        if (img_new(&c, w, h))
            return -1;
        for (int y = 0; y < h; y++)
            memcpy(c.px + (size_t)y * w * 3, src->px + ((size_t)(y + cy) * src->w + cx) * 3, (size_t)w * 3);
        img_free(out);
        *out = c;
        return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tucai-evalgen LABELS.tsv PORTRAITS_DIR OUT_DIR [--models DIR]\n");
        return 2;
    }
    const char *models = NULL;
    for (int i = 4; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--models"))
            models = argv[i + 1];
    tc_err e = {0};
    if (tc_photo_startup(argv[0], &e) != 0) {
        fprintf(stderr, "evalgen: %s\n", e.en);
        return 1;
    }
    tc_vision *v = tc_vision_load(models, &e);
    tc_vision_ctx *vc = v ? tc_vision_ctx_new(v, &e) : NULL;
    if (!vc) {
        fprintf(stderr, "evalgen: %s [%s]\n", e.en, e.code);
        tc_vision_free(v);
        return 1;
    }
    FILE *lf = fopen(argv[1], "r");
    if (!lf) {
        fprintf(stderr, "evalgen: cannot read %s\n", argv[1]);
        return 1;
    }
    base bases[64];
    int nb = 0;
    char line[4096];
    while (fgets(line, sizeof line, lf) && nb < 64) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        memset(&bases[nb], 0, sizeof bases[nb]);
        size_t fl = strlen(line);
        if (fl >= sizeof bases[nb].file) {
            fprintf(stderr, "evalgen: file name too long: %.40s...\n", line);
            return 1;
        }
        memcpy(bases[nb].file, line, fl + 1);
        if (parse_labels(tab + 1, &bases[nb]) != 0)
            return 1;
        nb++;
    }
    fclose(lf);
    char path[4096];
    snprintf(path, sizeof path, "%s/set.tsv", argv[3]);
    FILE *o = fopen(path, "w");
    if (!o) {
        fprintf(stderr, "evalgen: cannot write %s (does the folder exist?)\n", path);
        return 1;
    }
    fprintf(o, "# file\tprior\tprior_same_student\tlabels (made by tucai-evalgen from %s)\n", argv[1]);
    int n_out = 0;
    for (int i = 0; i < nb; i++) {
        base *b = &bases[i];
        snprintf(path, sizeof path, "%s/%s", argv[2], b->file);
        img src = {0};
        if (load(path, &src) != 0) {
            fprintf(stderr, "evalgen: cannot read %s; skipped\n", path);
            continue;
        }
        /* the original itself, compared with the previous portrait (another
         * person: duplicate passes), or with the same person's other photo */
        /* the original's own bytes, so that its EXIF (the recapture and
         * retouch checks read the file's evidence) reaches the harness */
        char dst[256];
        const char *ext = strrchr(b->file, '.');
        snprintf(dst, sizeof dst, "base_%02d%s", i, ext ? ext : ".jpg");
        char *raw;
        size_t rawlen;
        snprintf(path, sizeof path, "%s/%s", argv[2], b->file);
        if (tc_file_read(path, 64 << 20, &raw, &rawlen, &e) != 0) {
            img_free(&src);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", argv[3], dst);
        int wr = tc_file_write_atomic(path, raw, rawlen, &e);
        free(raw);
        if (wr != 0) {
            fprintf(stderr, "evalgen: %s\n", e.en);
            img_free(&src);
            continue;
        }
        const char *prior = NULL;
        char pname[64];
        int same = 0;
        for (int k = 0; k < i; k++)
            if (b->same_as[0] && !strcmp(bases[k].file, b->same_as)) {
                const char *x = strrchr(bases[k].file, '.');
                snprintf(pname, sizeof pname, "base_%02d%s", k, x ? x : ".jpg");
                prior = pname, same = 1;
            }
        if (!prior && i > 0) {
            const char *x = strrchr(bases[i - 1].file, '.');
            snprintf(pname, sizeof pname, "base_%02d%s", i - 1, x ? x : ".jpg");
            prior = pname;
        }
        signed char lab[TC_CHECK_N];
        memcpy(lab, b->lab, sizeof lab);
        if (prior && lab[TC_CHECK_DUPLICATE] < 0)
            lab[TC_CHECK_DUPLICATE] = 1;
        fprintf(o, "# %s\n", b->file);
        write_line(o, dst, prior, same, lab, b->heldout);
        n_out++;
        face f;
        if (!b->variants || !find_face(v, vc, &src, &f)) {
            if (b->variants)
                fprintf(stderr, "evalgen: no face in %s; no variants\n", b->file);
            img_free(&src);
            continue;
        }
        /* the next portrait with variants, for "two faces" */
        img other = {0};
        for (int k = 1; k < nb; k++) {
            const base *ob = &bases[(i + k) % nb];
            if (!ob->variants)
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[2], ob->file);
            if (load(path, &other) == 0)
                break;
        }
        for (size_t k = 0; k < sizeof VARIANTS / sizeof VARIANTS[0]; k++) {
            const variant *va = &VARIANTS[k];
            img out;
            if (make_variant(va, &src, &f, other.px ? &other : NULL, &out, 0x9e3779b97f4a7c15ULL * (i * 31 + k + 1)) != 0) {
                fprintf(stderr, "evalgen: %s of %s failed\n", va->name, b->file);
                img_free(&out);
                continue;
            }
            snprintf(path, sizeof path, "%s/v%02d_%s.jpg", argv[3], i, va->name);
            int q = !strcmp(va->name, "reenc") ? 55 : (!strcmp(va->name, "resized") ? 80 : 92);
            if (!strncmp(va->name, "jpeg", 4))
                q = atoi(va->name + 4);
            if (save_jpeg(&out, path, q) != 0) {
                fprintf(stderr, "evalgen: cannot write %s\n", path);
                img_free(&out);
                continue;
            }
            img_free(&out);
            variant_labels(b, va, lab);
            char name[64];
            snprintf(name, sizeof name, "v%02d_%s.jpg", i, va->name);
            int copy = !strcmp(va->fail, "duplicate");
            /* copies: one as another student's photo, the others as the
             * same student's re-upload */
            write_line(o, name, copy ? dst : NULL, copy && strcmp(va->name, "reenc") != 0, lab, b->heldout);
            n_out++;
        }
        img_free(&other);
        free(f.mask);
        img_free(&src);
    }
    fclose(o);
    fprintf(stderr, "evalgen: %d images in %s\n", n_out, argv[3]);
    tc_vision_ctx_free(vc);
    tc_vision_free(v);
    vips_shutdown();
    return 0;
}
