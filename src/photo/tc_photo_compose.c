/* From a source photo, a face geometry and a person mask to a photo of the
 * spec's size: plan the crop, carry image and mask to the output, refine the
 * mask's edge and lay the person over the new background. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "photo_internal.h"
#include "../spec/tc_spec.h"

/* ---- geometry -------------------------------------------------------------------- */

void tc_photo_geom_init(tc_photo_face_geom *g)
{
    float *f = (float *)g;
    for (size_t i = 0; i < sizeof *g / sizeof(float); i++)
        f[i] = NAN;
}

void tc_photo_geom_scale(tc_photo_face_geom *g, double k)
{
    float *f = (float *)g;
    for (size_t i = 0; i < sizeof *g / sizeof(float); i++)
        f[i] = (float)(f[i] * k);
}

static int pt_ok(const float p[2])
{
    return isfinite(p[0]) && isfinite(p[1]);
}

/* The face's frame: origin between the eyes, x along the eye line, y down
 * the face.  Rotating by -roll makes the eyes level. */
typedef struct frame {
    double cx, cy, cs, sn; /* centre, cos and sin of the roll */
} frame;

static void to_frame(const frame *f, const float p[2], double q[2])
{
    double dx = p[0] - f->cx, dy = p[1] - f->cy;
    q[0] = f->cs * dx + f->sn * dy;
    q[1] = -f->sn * dx + f->cs * dy;
}

static int make_frame(const tc_photo_face_geom *g, frame *f, tc_err *e)
{
    if (!pt_ok(g->left_eye) || !pt_ok(g->right_eye) || !pt_ok(g->chin))
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY);
    double dx = g->right_eye[0] - g->left_eye[0], dy = g->right_eye[1] - g->left_eye[1];
    double d = hypot(dx, dy);
    if (d < 4 || dx <= 0)
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_2);
    f->cx = (g->left_eye[0] + g->right_eye[0]) / 2.0;
    f->cy = (g->left_eye[1] + g->right_eye[1]) / 2.0;
    f->cs = dx / d;
    f->sn = dy / d;
    if (fabs(atan2(dy, dx)) > M_PI / 4)
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_3);
    return 0;
}

int tc_photo_geom_hair_top_from_mask(tc_photo_face_geom *g, const tc_photo_mask *m, int src_width, tc_err *e)
{
    frame f;
    if (make_frame(g, &f, e) != 0)
        return -1;
    if (!m || !m->a || m->width <= 0 || src_width <= 0)
        return tc_err_set(e, TCE_PHOTO_BAD_MASK);
    double k = (double)m->width / src_width; /* mask px per source px */
    double eye = hypot(g->right_eye[0] - g->left_eye[0], g->right_eye[1] - g->left_eye[1]);
    /* Several parallel lines across the head's width: a single line could
     * run through a parting or a gap in the hair; take the highest end. */
    double best = 0;
    int found = 0;
    for (int j = -2; j <= 2; j++) {
        double off = j * eye * 0.25; /* across, in source px */
        double bx = f.cx + f.cs * off, by = f.cy + f.sn * off;
        double last_in = -1;
        int inside = 0;
        for (double t = 0; t < 8 * eye; t += 0.5 / k) {
            /* up the face is -y in the frame: (sn, -cs) in the image */
            double x = (bx + f.sn * t) * k, y = (by - f.cs * t) * k;
            if (x < 0 || y < 0 || x >= m->width || y >= m->height) {
                if (inside)
                    return tc_err_set(e, TCE_PHOTO_HEAD_CUT_OFF);
                break;
            }
            float a = m->a[(size_t)(int)y * m->width + (int)x];
            if (a >= 0.5f) {
                inside = 1;
                last_in = t;
            } else if (inside && t - last_in > 0.08 * eye) {
                break; /* left the head for good (small gaps in hair are bridged) */
            }
        }
        if (inside && last_in > best) {
            best = last_in;
            found = 1;
        }
    }
    if (!found)
        return tc_err_set(e, TCE_PHOTO_BAD_MASK_2);
    g->hair_top[0] = (float)(f.cx + f.sn * best);
    g->hair_top[1] = (float)(f.cy - f.cs * best);
    return 0;
}

int tc_photo_pick_face(const tc_photo_face_box *b, int n, double img_w, double img_h, int largest, int *pick,
                       tc_err *e)
{
    *pick = -1;
    if (n <= 0)
        return tc_err_set(e, TCE_PHOTO_NO_FACE);
    int best = 0;
    double best_d = INFINITY;
    for (int i = 0; i < n; i++) {
        double cx = b[i].x + b[i].w / 2 - img_w / 2, cy = b[i].y + b[i].h / 2 - img_h / 2;
        double d = hypot(cx, cy);
        /* widths within 2% count as equal: then the more central wins */
        if (b[i].w > b[best].w * 1.02 || (b[i].w >= b[best].w * 0.98 && d < best_d && i != best)) {
            best = i;
            best_d = d;
        } else if (i == best) {
            best_d = d;
        }
    }
    int others = 0;
    for (int i = 0; i < n; i++)
        others += i != best && b[i].w >= 0.5f * b[best].w;
    if (others && !largest)
        return tc_err_set(e, TCE_PHOTO_FACES, others + 1);
    *pick = best;
    return 0;
}

/* ---- planning -------------------------------------------------------------------- */

static double half(const tc_spec_range *r)
{
    return (r->hi - r->lo) / 2;
}

/* Distance of v outside r, in px; 0 inside. */
static double outside(const tc_spec_range *r, double v)
{
    if (r->has_lo && v < r->lo)
        return r->lo - v;
    if (r->has_hi && v > r->hi)
        return v - r->hi;
    return 0;
}

static double aim_cost(const tc_spec_range *r, double v)
{
    if (!(r->has_lo && r->has_hi) || half(r) <= 0)
        return 0;
    double z = (v - (r->lo + r->hi) / 2) / half(r);
    return z * z;
}

/* The range shrunk by a margin on each bounded side, so that rounding, the
 * JPEG and a re-measurement on the output cannot push a value that was
 * planned at a bound just past it (an eye line planned at exactly 300 px
 * measured 300.4).  1.5 px, or a twentieth of the range for narrow ones. */
static tc_spec_range inset(const tc_spec_range *r)
{
    tc_spec_range o = *r;
    double m = r->has_lo && r->has_hi ? fmin(1.5, 0.05 * (r->hi - r->lo)) : 1.5;
    if (o.has_lo)
        o.lo += m;
    if (o.has_hi)
        o.hi -= m;
    return o;
}

/* Narrow [*lo, *hi] to the eye lines y for which a + b*y stays in [0, S]
 * (one coordinate of one output corner mapped into the source). */
static void keep_inside(double a, double b, double S, double *lo, double *hi)
{
    const double slack = 0.5; /* half a source pixel: edge pixels are real */
    if (fabs(b) < 1e-12) {
        if (a < -slack || a > S + slack)
            *lo = INFINITY, *hi = -INFINITY;
        return;
    }
    double y0 = (-slack - a) / b, y1 = (S + slack - a) / b;
    *lo = fmax(*lo, fmin(y0, y1));
    *hi = fmin(*hi, fmax(y0, y1));
}

int tc_photo_plan(const tc_photo_face_geom *g, const tc_spec *spec, int src_w, int src_h, tc_photo_layout *lay,
                  tc_err *e)
{
    memset(lay, 0, sizeof *lay);
    frame f;
    if (make_frame(g, &f, e) != 0)
        return -1;
    double ipd = hypot(g->right_eye[0] - g->left_eye[0], g->right_eye[1] - g->left_eye[1]);
    double q[2];
    to_frame(&f, g->chin, q);
    double d_chin = q[1];
    if (d_chin < 0.5 * ipd || d_chin > 4 * ipd)
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_4);
    /* Unknown points get the proportions of an average adult face:
     * eyes-to-crown about 1.05x eyes-to-chin, face width 2.2x the eye
     * distance.  The vision engine normally supplies them. */
    double d_hair = 1.05 * d_chin, fw = 2.2 * ipd, fc = 0;
    if (pt_ok(g->hair_top)) {
        to_frame(&f, g->hair_top, q);
        d_hair = -q[1];
        if (d_hair < 0.3 * d_chin || d_hair > 4 * d_chin)
            return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_5);
    }
    if (pt_ok(g->face_left) && pt_ok(g->face_right)) {
        double l[2], r[2];
        to_frame(&f, g->face_left, l);
        to_frame(&f, g->face_right, r);
        fw = r[0] - l[0];
        fc = (r[0] + l[0]) / 2;
        if (fw < ipd || fw > 5 * ipd)
            return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_6);
    }

    const double W = spec->width, H = spec->height;
    /* Every window of the spec at once, each with its margin; the aim (the
     * middle of each window) uses the spec's own ranges. */
    const tc_spec_range FW = inset(&spec->face_width), EL = inset(&spec->eye_line), HT = inset(&spec->hair_top);
    const tc_spec_range *FW0 = &spec->face_width, *EL0 = &spec->eye_line, *HT0 = &spec->hair_top;
    double s_lo = FW.has_lo ? FW.lo / fw : 0.1 * W / fw;
    double s_hi = FW.has_hi ? FW.hi / fw : 1.0 * W / fw;
    if (s_hi < s_lo)
        s_hi = s_lo;
    double w_el = EL0->has_lo && EL0->has_hi && half(EL0) > 0 ? 1 / (half(EL0) * half(EL0)) : 0;
    double w_ht = HT0->has_lo && HT0->has_hi && half(HT0) > 0 ? 1 / (half(HT0) * half(HT0)) : 0;
    double m_el = (EL0->lo + EL0->hi) / 2, m_ht = (HT0->lo + HT0->hi) / 2;
    /* The face may sit off centre by what the spec allows (less a margin),
     * when that is what keeps the crop inside the picture. */
    double max_dx = spec->max_centre_off > 3 ? spec->max_centre_off - 2 : 0;
    const int K = max_dx > 0 ? 6 : 0;
    const int source = src_w > 0 && src_h > 0;

    /* Unknowns: scale s, eye line y, horizontal shift dx.  For each s on a
     * fine grid and dx on a coarse one, the windows and the source give an
     * interval of eye lines (each a linear constraint); the best eye line
     * is a weighted mean clamped to it.  The source: the crop's sides and
     * bottom must map inside the picture — pixels past an edge would have
     * to be invented (repeating the edge smears the shirt) — while its top
     * may reach above the picture, where only backdrop can be, which the
     * new background replaces.  Kept apart: the best plan meeting the spec
     * alone, to tell "the picture is cut too tight" from "the head's
     * proportions cannot fit". */
    struct cand {
        double cost, s, ey, dx, viol;
        int ok;
    } all = {INFINITY, 0, 0, 0, INFINITY, 0}, spec_only = all, least = all;
    const int N = 1000;
    for (int i = 0; i <= N; i++) {
        double s = s_lo + (s_hi - s_lo) * i / N;
        double e_lo = -INFINITY, e_hi = INFINITY;
        if (EL.has_lo) e_lo = fmax(e_lo, EL.lo);
        if (EL.has_hi) e_hi = fmin(e_hi, EL.hi);
        if (HT.has_lo) e_lo = fmax(e_lo, HT.lo + s * d_hair);
        if (HT.has_hi) e_hi = fmin(e_hi, HT.hi + s * d_hair);
        e_hi = fmin(e_hi, H - s * d_chin - 2); /* the chin stays in the photo */
        double ey0;
        if (w_el + w_ht > 0)
            ey0 = (w_el * m_el + w_ht * (m_ht + s * d_hair)) / (w_el + w_ht);
        else
            ey0 = isfinite(e_lo) && isfinite(e_hi) ? (e_lo + e_hi) / 2 : H * 0.4;
        double base = aim_cost(FW0, s * fw);
        if (e_lo > e_hi) {
            double v = outside(&EL, ey0) + outside(&HT, ey0 - s * d_hair) + fmax(0, ey0 + s * d_chin - H);
            if (!spec_only.ok && v < least.viol)
                least = (struct cand){0, s, ey0, 0, v, 0};
            continue;
        }
        for (int k = 0; k <= 2 * K; k++) {
            /* 0, +1, -1, +2, -2 ... steps: centred first */
            int j = (k + 1) / 2 * (k % 2 ? 1 : -1);
            double dx = K ? max_dx * j / K : 0;
            double lo = e_lo, hi = e_hi;
            if (source) {
                /* corner (u, v) -> frame (qx, qy) = ((u - W/2 - dx)/s + fc, (v - ey)/s)
                 * -> source x = cx + cs qx - sn qy, y = cy + sn qx + cs qy */
                for (int c = 0; c < 4; c++) {
                    double u = c & 1 ? W : 0, v = c & 2 ? H : 0;
                    double qx = (u - W / 2 - dx) / s + fc;
                    keep_inside(f.cx + f.cs * qx - f.sn * v / s, f.sn / s, src_w, &lo, &hi);
                    if (v > 0)
                        keep_inside(f.cy + f.sn * qx + f.cs * v / s, -f.cs / s, src_h, &lo, &hi);
                }
            }
            double ey_spec = fmin(fmax(ey0, e_lo), e_hi);
            double c_spec = base + aim_cost(EL0, ey_spec) + aim_cost(HT0, ey_spec - s * d_hair);
            if (k == 0 && c_spec < spec_only.cost)
                spec_only = (struct cand){c_spec, s, ey_spec, 0, 0, 1};
            if (lo > hi)
                continue;
            double ey = fmin(fmax(ey0, lo), hi);
            double c = base + aim_cost(EL0, ey) + aim_cost(HT0, ey - s * d_hair) + 0.25 * (dx / (max_dx + 1)) * (dx / (max_dx + 1));
            if (c < all.cost)
                all = (struct cand){c, s, ey, dx, 0, 1};
        }
    }
    const struct cand *pick = all.ok ? &all : spec_only.ok ? &spec_only : &least;
    double s = pick->s, ey = pick->ey, dx = pick->dx;
    double tx = W / 2 - s * fc + dx, ty = ey;
    /* u = s R (p - c) + t, with R the rotation that levels the eyes. */
    lay->m[0] = s * f.cs;
    lay->m[1] = s * f.sn;
    lay->m[3] = -s * f.sn;
    lay->m[4] = s * f.cs;
    lay->m[2] = tx - (lay->m[0] * f.cx + lay->m[1] * f.cy);
    lay->m[5] = ty - (lay->m[3] * f.cx + lay->m[4] * f.cy);
    lay->scale = s;
    lay->roll_deg = atan2(f.sn, f.cs) * 180 / M_PI;
    lay->eye_line_y = ey;
    lay->face_width = s * fw;
    lay->hair_top_y = ey - s * d_hair;
    lay->chin_y = ey + s * d_chin;
    lay->face_centre_x = W / 2 + dx;
    lay->fits = all.ok || (!source && spec_only.ok);
    lay->inside = !source || all.ok;
    if (lay->fits)
        return 0;
    if (spec_only.ok)
        return tc_err_set(e, TCE_PHOTO_CROP_OUTSIDE);
    /* Name the window that could not be met. */
    if (outside(&EL, ey) > 0)
        return tc_err_set(e, TCE_PHOTO_GEOMETRY_OUT_OF_RANGE);
    if (outside(&HT, ey - s * d_hair) > 0)
        return tc_err_set(e, TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_2);
    return tc_err_set(e, TCE_PHOTO_GEOMETRY_OUT_OF_RANGE_3);
}

/* ---- carrying pixels to the output ----------------------------------------------------- */

/* Map image `in`, whose pixels are (kx, ky) per source pixel, through the
 * source->output affine m into a W x H image.  Shrinks first with a proper
 * low-pass kernel (an affine alone would alias when reducing), then applies
 * the remaining rotation and sub-pixel shift with a bicubic interpolator.
 * Pixels beyond the input repeat its edge (a cut-off shoulder continues). */
static int warp(VipsImage *in, double kx, double ky, const double m[6], int W, int H, VipsImage **out)
{
    /* In this module a pixel (i, j) covers [i, i+1) x [j, j+1); libvips's
     * resamplers sample pixel centres, hence the 0.5 shifts below. */
    double a = m[0] / kx, b = m[1] / ky, c = m[3] / kx, d = m[4] / ky, tx = m[2], ty = m[5];
    double det = a * d - b * c;
    if (!(fabs(det) > 1e-12))
        return vips_error("tc_photo", "degenerate transform"), -1;
    /* inverse: p = A^-1 (u - t) */
    double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    const double cu[4] = {0, (double)W, 0, (double)W}, cv[4] = {0, 0, (double)H, (double)H};
    for (int i = 0; i < 4; i++) {
        double px = ia * (cu[i] - tx) + ib * (cv[i] - ty), py = ic * (cu[i] - tx) + id * (cv[i] - ty);
        x0 = fmin(x0, px);
        y0 = fmin(y0, py);
        x1 = fmax(x1, px);
        y1 = fmax(y1, py);
    }
    double sc = sqrt(fabs(det)); /* output px per input px */
    double margin = 4 + 4 / fmin(sc, 1.0);
    int bx = (int)floor(x0 - margin), by = (int)floor(y0 - margin);
    int bw = (int)ceil(x1 + margin) - bx, bh = (int)ceil(y1 + margin) - by;
    if (bw <= 0 || bh <= 0 || (double)bw * bh > 4e8)
        return vips_error("tc_photo", "crop box out of range"), -1;
    VipsImage *box = NULL, *z = NULL, *o = NULL;
    if (vips_embed(in, &box, -bx, -by, bw, bh, "extend", VIPS_EXTEND_COPY, NULL) != 0)
        return -1;
    double zx = 1, zy = 1;
    if (sc < 0.999) {
        if (vips_resize(box, &z, sc, "kernel", VIPS_KERNEL_LANCZOS3, NULL) != 0) {
            g_object_unref(box);
            return -1;
        }
        zx = (double)z->Xsize / box->Xsize;
        zy = (double)z->Ysize / box->Ysize;
        g_object_unref(box);
    } else {
        z = box;
    }
    /* p_in = p_z / z + b  =>  u = A (p_z / z + b) + t */
    double A = a / zx, B = b / zy, C = c / zx, D = d / zy;
    double odx = a * bx + b * by + tx, ody = c * bx + d * by + ty;
    /* libvips indexes pixels by their centres: with X = u - 0.5 and
     * x = p_z - 0.5,  X = A x + (o + A 0.5 - 0.5). */
    odx += (A + B) * 0.5 - 0.5;
    ody += (C + D) * 0.5 - 0.5;
    VipsInterpolate *bic = vips_interpolate_new("bicubic");
    VipsArrayInt *area = vips_array_int_newv(4, 0, 0, W, H);
    int r = vips_affine(z, &o, A, B, C, D, "oarea", area, "odx", odx, "ody", ody, "idx", 0.0,
                        "idy", 0.0, "interpolate", bic, "extend", VIPS_EXTEND_COPY, NULL);
    vips_area_unref(VIPS_AREA(area));
    g_object_unref(bic);
    g_object_unref(z);
    if (r != 0)
        return -1;
    *out = o;
    return 0;
}

/* ---- our own resampler for the photo --------------------------------------------------- */

/* The photo's crop was carried by libvips (embed, resize, affine, then a
 * copy to memory); on a 480x640 output that pipeline's set-up and tile
 * traffic cost more than the arithmetic (about 15 ms of the 38 ms a small
 * photo took).  The image is already in memory (the decode kept by
 * tc_photo_decode), so the same two steps are done here directly:
 *   1. when the output is smaller than the source, a separable Lanczos-3
 *      reduction of the crop's bounding box to the output's scale (the
 *      low-pass an affine alone lacks), vertical pass first so that its
 *      inner loop runs along whole rows;
 *   2. the remaining rotation and sub-pixel shift with Catmull-Rom bicubic
 *      (libvips's "bicubic"), straight into the output.
 * Reads beyond the image repeat its edge pixels (a cut-off shoulder
 * continues), as VIPS_EXTEND_COPY did. */

/* A packed RGB buffer that covers image pixels [ox, ox+w) x [oy, oy+h);
 * reads outside it are clamped to its edge. */
typedef struct pxbuf {
    const uint8_t *px;
    int w, h, ox, oy;
} pxbuf;

static double lanczos3(double x)
{
    if (x == 0)
        return 1;
    if (x <= -3 || x >= 3)
        return 0;
    double px = M_PI * x;
    return 3 * sin(px) * sin(px / 3) / (px * px);
}

/* Weights for reducing n input samples to m (scale s = m / n): output j's
 * centre is input (j + 0.5) / s - 0.5; taps[] first input index per output
 * (may be out of range: the caller clamps), wt[] T weights per output, sum 1. */
static int reduce_weights(int n, int m, int *first, float *wt, int T)
{
    double s = (double)m / n;
    for (int j = 0; j < m; j++) {
        double c = (j + 0.5) / s - 0.5;
        int f = (int)floor(c - 3 / s) + 1;
        double sum = 0;
        for (int t = 0; t < T; t++)
            sum += lanczos3((f + t - c) * s);
        first[j] = f;
        for (int t = 0; t < T; t++)
            wt[(size_t)j * T + t] = (float)(lanczos3((f + t - c) * s) / sum);
    }
    (void)n;
    return 0;
}

static inline uint8_t clamp8f(float v)
{
    return (uint8_t)(v <= 0 ? 0 : v >= 255 ? 255 : (int)(v + 0.5f));
}

/* Reduce the image region [x0, x0+bw) x [y0, y0+bh) (image coordinates,
 * clamped reads from b) to zw x zh into z (packed RGB). */
static int reduce_box(const pxbuf *b, int x0, int y0, int bw, int bh, int zw, int zh, uint8_t *z)
{
    int Tv = (int)ceil(6.0 * bh / zh) + 1, Th = (int)ceil(6.0 * bw / zw) + 1;
    int *fv = malloc(sizeof(int) * (size_t)zh), *fh = malloc(sizeof(int) * (size_t)zw);
    float *wv = malloc(sizeof(float) * (size_t)zh * Tv), *wh = malloc(sizeof(float) * (size_t)zw * Th);
    float *row = malloc(sizeof(float) * (size_t)bw * 3);
    int *xs = malloc(sizeof(int) * (size_t)bw);
    int rc = -1;
    if (!fv || !fh || !wv || !wh || !row || !xs)
        goto out;
    reduce_weights(bh, zh, fv, wv, Tv);
    reduce_weights(bw, zw, fh, wh, Th);
    for (int x = 0; x < bw; x++) {
        int ix = x0 + x - b->ox;
        xs[x] = ix < 0 ? 0 : ix >= b->w ? b->w - 1 : ix;
    }
    for (int j = 0; j < zh; j++) {
        /* vertical: one reduced row of the box, full width, in float */
        memset(row, 0, sizeof(float) * (size_t)bw * 3);
        for (int t = 0; t < Tv; t++) {
            float w = wv[(size_t)j * Tv + t];
            if (w == 0)
                continue;
            int iy = y0 + fv[j] + t - b->oy;
            iy = iy < 0 ? 0 : iy >= b->h ? b->h - 1 : iy;
            const uint8_t *src = b->px + (size_t)iy * b->w * 3;
            if (x0 - b->ox >= 0 && x0 - b->ox + bw <= b->w) {
                src += (size_t)(x0 - b->ox) * 3;
                for (int k = 0; k < bw * 3; k++)
                    row[k] += w * src[k];
            } else {
                for (int x = 0; x < bw; x++)
                    for (int c = 0; c < 3; c++)
                        row[3 * x + c] += w * src[3 * xs[x] + c];
            }
        }
        /* horizontal */
        uint8_t *o = z + (size_t)j * zw * 3;
        for (int i = 0; i < zw; i++) {
            float r = 0, g = 0, bl = 0;
            const float *w = wh + (size_t)i * Th;
            for (int t = 0; t < Th; t++) {
                int x = fh[i] + t;
                x = x < 0 ? 0 : x >= bw ? bw - 1 : x;
                r += w[t] * row[3 * x], g += w[t] * row[3 * x + 1], bl += w[t] * row[3 * x + 2];
            }
            o[3 * i] = clamp8f(r), o[3 * i + 1] = clamp8f(g), o[3 * i + 2] = clamp8f(bl);
        }
    }
    rc = 0;
out:
    free(fv), free(fh), free(wv), free(wh), free(row), free(xs);
    return rc;
}

/* Catmull-Rom weights for fractional offset t in [0, 1), in fixed point
 * (sum 1 << CUBIC_BITS), tabulated at 1/CUBIC_STEPS of a pixel: the
 * interpolation runs on integers from a table instead of evaluating the
 * cubic and calling floor() for every output pixel (which cost 8 ms). */
enum { CUBIC_BITS = 10, CUBIC_STEPS = 256, POS_BITS = 16 };

static void cubic_table(int16_t tab[CUBIC_STEPS][4])
{
    for (int k = 0; k < CUBIC_STEPS; k++) {
        double t = (double)k / CUBIC_STEPS, t2 = t * t, t3 = t2 * t;
        double w[4] = {-0.5 * t3 + t2 - 0.5 * t, 1.5 * t3 - 2.5 * t2 + 1, -1.5 * t3 + 2 * t2 + 0.5 * t,
                       0.5 * t3 - 0.5 * t2};
        int sum = 0;
        for (int i = 0; i < 4; i++) {
            tab[k][i] = (int16_t)lrint(w[i] * (1 << CUBIC_BITS));
            sum += tab[k][i];
        }
        tab[k][1] = (int16_t)(tab[k][1] + ((1 << CUBIC_BITS) - sum)); /* exact unit sum */
    }
}

/* Fixed-point tap index and table row of position X (16.16, offset so that
 * it is non-negative wherever the footprint can be): floor and fraction
 * without floor(). */
static inline void fx_split(int64_t X, int off, int *xi, int *fr)
{
    if (X < 0) { /* far beyond the top or left: the edge pixel */
        *xi = -8;
        *fr = 0;
        return;
    }
    *xi = (int)(X >> POS_BITS) - off;
    *fr = (int)(X >> (POS_BITS - 8)) & (CUBIC_STEPS - 1);
}

/* The four taps of one output pixel as pairs for a multiply-add of pairs
 * of int16 (SSE2 pmaddwd, which every x86-64 has): lanes w0 w1 w0 w1 ...
 * and w2 w3 w2 w3 ..., one row per table fraction. */
typedef struct {
    int16_t w01[CUBIC_STEPS][8], w23[CUBIC_STEPS][8];
} cubic_pairs;

static void cubic_pairs_init(const int16_t tab[CUBIC_STEPS][4], cubic_pairs *cp)
{
    for (int k = 0; k < CUBIC_STEPS; k++)
        for (int i = 0; i < 4; i++) {
            cp->w01[k][2 * i] = tab[k][0], cp->w01[k][2 * i + 1] = tab[k][1];
            cp->w23[k][2 * i] = tab[k][2], cp->w23[k][2 * i + 1] = tab[k][3];
        }
}

/* One tap-weighted sum of four 4-channel int16 pixels a..d with weights
 * w[4]; the SSE2 body and the plain one compute the same integers. */
#if defined(__SSE2__)
static inline __m128i taps4(__m128i a, __m128i b, __m128i c, __m128i d, const cubic_pairs *cp, int fr)
{
    __m128i ab = _mm_unpacklo_epi16(a, b), cd = _mm_unpacklo_epi16(c, d);
    return _mm_add_epi32(_mm_madd_epi16(ab, _mm_loadu_si128((const __m128i *)cp->w01[fr])),
                         _mm_madd_epi16(cd, _mm_loadu_si128((const __m128i *)cp->w23[fr])));
}

static inline __m128i px3_to_16(const uint8_t *p)
{
    int32_t v; /* three bytes of the pixel and one of the next: the 4th lane is never used */
    memcpy(&v, p, 4);
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128(v), _mm_setzero_si128());
}
#endif

/* out(u, v) = b at buffer position (X, Y) = (ia u + ib v + cx, ic u + id v + cy)
 * (pixel-centre indices of b), bicubic, edges repeated.
 *
 * Done as two 1-D passes (Catmull & Smith): first along the rows of b,
 * where for row j and output column u the position is where the line of
 * constant u crosses row j; then down the columns, at Y.  That is 24
 * multiply-adds per pixel instead of 60 for the 4x4 kernel, and the kernel
 * follows the output's columns, as a rotated 2-D kernel would.  Needs
 * id != 0, which a roll under 45 degrees guarantees.  Positions are 16.16
 * fixed point; the rows pass keeps 4 fractional bits in int16, four
 * channels a pixel (the 4th unused) so that one pixel is one 64-bit lane:
 * with SSE2 a pixel's taps are two pair-multiply-adds (this function was
 * a third of compose's time as scalar code). */
static int bicubic_affine(const pxbuf *b, double ia, double ib, double ic, double id, double cx, double cy, int W,
                          int H, uint8_t *out)
{
    if (!(fabs(id) > 1e-6))
        return -1;
    int16_t tab[CUBIC_STEPS][4];
    cubic_table(tab);
    cubic_pairs *cp = malloc(sizeof *cp);
    if (!cp)
        return -1;
    cubic_pairs_init(tab, cp);
    const double one = 1 << POS_BITS;
    const int off = 8;
    /* rows of b the columns pass reads */
    double ylo = INFINITY, yhi = -INFINITY;
    const double cu[4] = {0, W - 1.0, 0, W - 1.0}, cv[4] = {0, 0, H - 1.0, H - 1.0};
    for (int k = 0; k < 4; k++) {
        double y = ic * cu[k] + id * cv[k] + cy;
        ylo = fmin(ylo, y), yhi = fmax(yhi, y);
    }
    ylo = fmax(ylo, -4.0), yhi = fmin(yhi, b->h + 3.0);
    if (!(yhi >= ylo))
        ylo = yhi = yhi < 0 ? -4.0 : b->h + 3.0;
    int j0 = (int)floor(ylo) - 1, j1 = (int)floor(yhi) + 2, nj = j1 - j0 + 1;
    const size_t tstride = (size_t)W * 4;
    int16_t *T = malloc(sizeof(int16_t) * (size_t)nj * tstride);
    if (!T) {
        free(cp);
        return -1;
    }
    /* 1. rows: T(u, j) = b(X'(u, j), j), X' = alpha u + beta j + gamma */
    const double alpha = ia - ib * ic / id, beta = ib / id, gamma = cx - ib * cy / id;
    const int64_t dX = (int64_t)llrint(alpha * one);
    const size_t stride = (size_t)b->w * 3;
    for (int j = j0; j <= j1; j++) {
        int jj = j < 0 ? 0 : j >= b->h ? b->h - 1 : j;
        const uint8_t *row = b->px + (size_t)jj * stride;
        int16_t *t = T + (size_t)(j - j0) * tstride;
        int64_t X = (int64_t)llrint((beta * j + gamma + off) * one);
        for (int u = 0; u < W; u++, X += dX) {
            int xi, fr;
            fx_split(X, off, &xi, &fr);
#if defined(__SSE2__)
            /* xi + 3 < w: the 4-byte read of the last tap stays in the row */
            if (xi >= 1 && xi + 3 < b->w) {
                const uint8_t *p = row + (size_t)(xi - 1) * 3;
                __m128i s = taps4(px3_to_16(p), px3_to_16(p + 3), px3_to_16(p + 6), px3_to_16(p + 9), cp, fr);
                s = _mm_srai_epi32(_mm_add_epi32(s, _mm_set1_epi32(32)), 6);
                _mm_storel_epi64((__m128i *)(t + 4 * (size_t)u), _mm_packs_epi32(s, s));
                continue;
            }
#endif
            const int16_t *w = tab[fr];
            int32_t acc[3] = {0, 0, 0};
            for (int i = 0; i < 4; i++) {
                int xx = xi - 1 + i;
                const uint8_t *p = row + (size_t)(xx < 0 ? 0 : xx >= b->w ? b->w - 1 : xx) * 3;
                for (int c = 0; c < 3; c++)
                    acc[c] += w[i] * p[c];
            }
            for (int c = 0; c < 3; c++)
                t[4 * u + c] = (int16_t)((acc[c] + 32) >> 6);
            t[4 * u + 3] = 0;
        }
    }
    /* 2. columns: out(u, v) = T(u, Y), Y = ic u + id v + cy */
    const int64_t dY = (int64_t)llrint(ic * one);
    for (int v = 0; v < H; v++) {
        uint8_t *o = out + (size_t)v * W * 3;
        int64_t Y = (int64_t)llrint((id * v + cy + off) * one);
        for (int u = 0; u < W; u++, Y += dY) {
            int yi, fr;
            fx_split(Y, off, &yi, &fr);
            int k0 = yi - 1 - j0;
#if defined(__SSE2__)
            if (k0 >= 0 && k0 + 3 < nj) {
                const int16_t *p = T + (size_t)k0 * tstride + 4 * (size_t)u;
                __m128i s = taps4(_mm_loadl_epi64((const __m128i *)p),
                                  _mm_loadl_epi64((const __m128i *)(p + tstride)),
                                  _mm_loadl_epi64((const __m128i *)(p + 2 * tstride)),
                                  _mm_loadl_epi64((const __m128i *)(p + 3 * tstride)), cp, fr);
                s = _mm_srai_epi32(_mm_add_epi32(s, _mm_set1_epi32(1 << 13)), 14);
                s = _mm_packs_epi32(s, s);
                uint32_t q = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(s, s));
                /* four bytes, the 4th overwritten by the next pixel; the
                 * row's last pixel gets three */
                if (u + 1 < W) {
                    memcpy(o + 3 * (size_t)u, &q, 4);
                } else {
                    o[3 * u] = (uint8_t)q, o[3 * u + 1] = (uint8_t)(q >> 8), o[3 * u + 2] = (uint8_t)(q >> 16);
                }
                continue;
            }
#endif
            const int16_t *w = tab[fr];
            int32_t acc[3] = {0, 0, 0};
            for (int i = 0; i < 4; i++) {
                int k = k0 + i;
                const int16_t *p = T + (size_t)(k < 0 ? 0 : k >= nj ? nj - 1 : k) * tstride + 4 * (size_t)u;
                for (int c = 0; c < 3; c++)
                    acc[c] += w[i] * p[c];
            }
            for (int c = 0; c < 3; c++) {
                int32_t q = (acc[c] + (1 << 13)) >> 14;
                o[3 * u + c] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
            }
        }
    }
    free(T);
    free(cp);
    return 0;
}

/* Carry the source to the output through m (source -> output), reading at
 * no less than the output's resolution.  out->px malloc'ed (caller's). */
static int warp_photo(const tc_photo_src *src, double min_scale, const double m[6], int W, int H, tc_photo_rgb *out,
                      tc_err *e)
{
    VipsImage *full = NULL, *boxed = NULL;
    double kx, ky;
    if (photo_pixels(src, min_scale, &full, &kx, &ky, e) != 0)
        return -1;
    /* source -> loaded-image pixels: x_l = x kx; the map from the loaded
     * image to the output has matrix (a b; c d) and shift (tx, ty). */
    double a = m[0] / kx, b = m[1] / ky, c = m[3] / kx, d = m[4] / ky, tx = m[2], ty = m[5];
    double det = a * d - b * c;
    if (!(fabs(det) > 1e-12)) {
        g_object_unref(full);
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_7);
    }
    double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
    /* The output's footprint in the loaded image, plus a margin for the
     * kernels. */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    const double cu[4] = {0, (double)W, 0, (double)W}, cv[4] = {0, 0, (double)H, (double)H};
    for (int i = 0; i < 4; i++) {
        double px = ia * (cu[i] - tx) + ib * (cv[i] - ty), py = ic * (cu[i] - tx) + id * (cv[i] - ty);
        x0 = fmin(x0, px), y0 = fmin(y0, py), x1 = fmax(x1, px), y1 = fmax(y1, py);
    }
    double sc = sqrt(fabs(det)); /* output px per loaded px */
    double margin = 4 + 4 / fmin(sc, 1.0);
    int bx = (int)floor(x0 - margin), by = (int)floor(y0 - margin);
    int bw = (int)ceil(x1 + margin) - bx, bh = (int)ceil(y1 + margin) - by;
    if (bw <= 0 || bh <= 0 || (double)bw * bh > 4e8) {
        g_object_unref(full);
        return tc_err_set(e, TCE_PHOTO_BAD_GEOMETRY_8);
    }
    pxbuf pb;
    if (full == src->base) {
        /* the decode kept in memory: read it in place */
        pb.px = vips_image_get_data(full);
        pb.w = full->Xsize, pb.h = full->Ysize, pb.ox = 0, pb.oy = 0;
    } else {
        /* decoded again (a large photo, a small face): only the box */
        pb.px = NULL;
        if (vips_embed(full, &boxed, -bx, -by, bw, bh, "extend", VIPS_EXTEND_COPY, NULL) == 0) {
            size_t n = 0;
            pb.px = vips_image_write_to_memory(boxed, &n);
            g_object_unref(boxed);
            boxed = NULL;
        }
        pb.w = bw, pb.h = bh, pb.ox = bx, pb.oy = by;
    }
    if (!pb.px) {
        g_object_unref(full);
        return photo_vips_error(e, "photo.corrupt", "warp");
    }
    out->width = W, out->height = H;
    out->px = malloc((size_t)W * H * 3);
    uint8_t *z = NULL;
    int rc = 0;
    if (!out->px) {
        rc = tc_err_internal(e, "photo: out of memory");
    } else if (sc < 0.999) {
        /* 1. reduce the box to the output's scale; 2. rotate from it */
        int zw = (int)lrint(bw * sc), zh = (int)lrint(bh * sc);
        zw = zw < 4 ? 4 : zw, zh = zh < 4 ? 4 : zh;
        double zx = (double)zw / bw, zy = (double)zh / bh;
        z = malloc((size_t)zw * zh * 3);
        if (!z || reduce_box(&pb, bx, by, bw, bh, zw, zh, z) != 0) {
            rc = tc_err_internal(e, "photo: out of memory");
        } else {
            /* loaded position p = (u - t) A^-1; in z, pixel-centre index
             * (p - bx) zx - 0.5, output pixel centres at u + 0.5 */
            double uo = 0.5 - tx, vo = 0.5 - ty;
            double cx = ((ia * uo + ib * vo) - bx) * zx - 0.5, cy = ((ic * uo + id * vo) - by) * zy - 0.5;
            pxbuf zb = {z, zw, zh, 0, 0};
            if (bicubic_affine(&zb, ia * zx, ib * zx, ic * zy, id * zy, cx, cy, W, H, out->px) != 0)
                rc = tc_err_internal(e, "photo: warp");
        }
    } else {
        double uo = 0.5 - tx, vo = 0.5 - ty;
        double cx = (ia * uo + ib * vo) - pb.ox - 0.5, cy = (ic * uo + id * vo) - pb.oy - 0.5;
        if (bicubic_affine(&pb, ia, ib, ic, id, cx, cy, W, H, out->px) != 0)
            rc = tc_err_internal(e, "photo: warp");
    }
    free(z);
    if (full != src->base)
        g_free((void *)pb.px);
    g_object_unref(full);
    if (rc != 0)
        tc_photo_rgb_free(out);
    return rc;
}

/* The mask is smooth and usually smaller than the output (networks work
 * at 256 px), so plain bilinear sampling through the inverse map carries it
 * over, without libvips's per-call overhead.  Returns -1 when the mask
 * would be reduced by more than 2x (bilinear would alias); warp() then. */
static int warp_mask_bilinear(const tc_photo_mask *m, double kx, double ky, const double M[6], int W, int H,
                              float *out)
{
    double a = M[0] / kx, b = M[1] / ky, c = M[3] / kx, d = M[4] / ky;
    double det = a * d - b * c;
    if (!(fabs(det) > 0.25)) /* output px per mask px, squared */
        return -1;
    double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
    /* Positions step by (ia, ic) along a row instead of two products per
     * pixel; the clamped position, its floor and fraction as before. */
    const double xmax = m->width - 1, ymax = m->height - 1;
    for (int v = 0; v < H; v++) {
        double dv = v + 0.5 - M[5], du = 0.5 - M[2];
        /* mask pixel centres sit at i + 0.5 */
        double x = ia * du + ib * dv - 0.5, y = ic * du + id * dv - 0.5;
        float *o = out + (size_t)v * W;
        for (int u = 0; u < W; u++, x += ia, y += ic) {
            double cx = x < 0 ? 0 : x > xmax ? xmax : x, cy = y < 0 ? 0 : y > ymax ? ymax : y;
            int x0 = (int)cx, y0 = (int)cy;
            int x1 = x0 + 1 < m->width ? x0 + 1 : x0, y1 = y0 + 1 < m->height ? y0 + 1 : y0;
            float fx = (float)(cx - x0), fy = (float)(cy - y0);
            const float *r0 = m->a + (size_t)y0 * m->width, *r1 = m->a + (size_t)y1 * m->width;
            float top = r0[x0] + (r0[x1] - r0[x0]) * fx, bot = r1[x0] + (r1[x1] - r1[x0]) * fx;
            o[u] = top + (bot - top) * fy;
        }
    }
    return 0;
}

/* ---- box filter, guided filter ----------------------------------------------------------- */

/* Mean over a (2r+1)^2 window clipped to the image, of NC interleaved
 * channels at once: a vertical then a horizontal running sum, O(1) per
 * pixel whatever r.  Float sums are exact enough here (a few thousand
 * values in 0..1).  Inlined per channel count so the loops unroll.
 * ws: box_ws(w, h, NC) floats. */
static size_t box_ws(int w, int h, int nc)
{
    return ((size_t)w * h + (size_t)w + 1) * nc + (size_t)w + (size_t)h;
}

static inline void box_mean_n(const float *in, float *out, int w, int h, const int NC, int r, float *ws)
{
    size_t rowlen = (size_t)w * NC;
    float *tmp = ws, *col = ws + (size_t)h * rowlen, *invx = col + rowlen + NC, *invy = invx + w;
    for (int x = 0; x < w; x++)
        invx[x] = 1.0f / (float)((x + r + 1 > w ? w : x + r + 1) - (x - r < 0 ? 0 : x - r));
    for (int y = 0; y < h; y++)
        invy[y] = 1.0f / (float)((y + r + 1 > h ? h : y + r + 1) - (y - r < 0 ? 0 : y - r));
    memset(col, 0, rowlen * sizeof(float));
    for (int y = 0; y <= r && y < h; y++)
        for (size_t k = 0; k < rowlen; k++)
            col[k] += in[(size_t)y * rowlen + k];
    for (int y = 0; y < h; y++) {
        float *t = tmp + (size_t)y * rowlen, iy = invy[y];
        for (size_t k = 0; k < rowlen; k++)
            t[k] = col[k] * iy;
        if (y + r + 1 < h) {
            const float *add = in + (size_t)(y + r + 1) * rowlen;
            for (size_t k = 0; k < rowlen; k++)
                col[k] += add[k];
        }
        if (y - r >= 0) {
            const float *sub = in + (size_t)(y - r) * rowlen;
            for (size_t k = 0; k < rowlen; k++)
                col[k] -= sub[k];
        }
    }
    for (int y = 0; y < h; y++) {
        const float *t = tmp + (size_t)y * rowlen;
        float *o = out + (size_t)y * rowlen;
        float run[8] = {0};
        for (int x = 0; x <= r && x < w; x++)
            for (int c = 0; c < NC; c++)
                run[c] += t[(size_t)x * NC + c];
        for (int x = 0; x < w; x++) {
            for (int c = 0; c < NC; c++)
                o[(size_t)x * NC + c] = run[c] * invx[x];
            if (x + r + 1 < w)
                for (int c = 0; c < NC; c++)
                    run[c] += t[(size_t)(x + r + 1) * NC + c];
            if (x - r >= 0)
                for (int c = 0; c < NC; c++)
                    run[c] -= t[(size_t)(x - r) * NC + c];
        }
    }
}

static void box1(const float *in, float *out, int w, int h, int r, float *ws) { box_mean_n(in, out, w, h, 1, r, ws); }
static void box2(const float *in, float *out, int w, int h, int r, float *ws) { box_mean_n(in, out, w, h, 2, r, ws); }
static void box4(const float *in, float *out, int w, int h, int r, float *ws) { box_mean_n(in, out, w, h, 4, r, ws); }
static void box8(const float *in, float *out, int w, int h, int r, float *ws) { box_mean_n(in, out, w, h, 8, r, ws); }

/* Bilinear read of a half-size image at the centre of full-size pixel (u, v). */
static inline void up2(const float *lo, int w2, int h2, int nc, int u, int v, float *o)
{
    float x = (u + 0.5f) * 0.5f - 0.5f, y = (v + 0.5f) * 0.5f - 0.5f;
    x = x < 0 ? 0 : x > w2 - 1 ? (float)(w2 - 1) : x;
    y = y < 0 ? 0 : y > h2 - 1 ? (float)(h2 - 1) : y;
    int x0 = (int)x, y0 = (int)y, x1 = x0 + 1 < w2 ? x0 + 1 : x0, y1 = y0 + 1 < h2 ? y0 + 1 : y0;
    float fx = x - x0, fy = y - y0;
    const float *a = lo + ((size_t)y0 * w2 + x0) * nc, *b = lo + ((size_t)y0 * w2 + x1) * nc;
    const float *c = lo + ((size_t)y1 * w2 + x0) * nc, *d = lo + ((size_t)y1 * w2 + x1) * nc;
    for (int k = 0; k < nc; k++) {
        float t = a[k] + (b[k] - a[k]) * fx, bt = c[k] + (d[k] - c[k]) * fx;
        o[k] = t + (bt - t) * fy;
    }
}

/* How far colour c (0..1) is from backdrop colour b seen in more or less
 * shadow: the distance from c to k*b, k the best scale in
 * [POCKET_KMIN, POCKET_KMAX]; a wall in the shadow of the head keeps its hue
 * and loses some light, so a pocket of it is darker than the lit wall the
 * window averages, but hair (darker still) or a shirt (another hue) are not
 * a shade of it. */
#define POCKET_KMIN 0.78f
#define POCKET_KMAX 1.12f
#define POCKET_SHADE 0.05f
static inline float shade_of(const float c[3], const float b[3])
{
    float bb = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
    if (bb < 1e-4f)
        return 1;
    float k = (c[0] * b[0] + c[1] * b[1] + c[2] * b[2]) / bb;
    k = k < POCKET_KMIN ? POCKET_KMIN : k > POCKET_KMAX ? POCKET_KMAX : k;
    float d0 = c[0] - k * b[0], d1 = c[1] - k * b[1], d2 = c[2] - k * b[2];
    return sqrtf(d0 * d0 + d1 * d1 + d2 * d2);
}

/* Pockets of old backdrop the coarse mask calls person (issue 15 item 3):
 * wall enclosed between a loop of hair and the neck, under the chin.  At
 * half size (col: 2x2 mean colours, la: the mask's 2x2 mean, wide: the
 * wide colour models of the sure backdrop and sure person, 8 channels):
 * a pixel is backdrop-like when it is near the wide backdrop colour and
 * clearly nearer it than the wide person colour, or (above output row
 * shade_y: a third of the eyes-to-chin height below the chin, where hair
 * loops end and shirts begin) when it is a shade of the backdrop colour
 * (shade_of): inside a loop of hair the wide person colour is the pocket
 * itself, and the wall there is in the head's shadow.  Colour alone cannot tell
 * a beige wall from skin in shadow, so the skin keeps what it reaches: a
 * flood from the face oval through person pixels, each step a small change
 * of colour (skin shades smoothly into the neck's shadow; a wall seen
 * beside the neck is behind an edge).  Backdrop-like pixels the flood does
 * not reach, in groups of at least 8 half-size pixels and at most a fifth
 * of the face's area, not touching the picture's border, enclosed (see
 * `open` below), whose rim is not
 * mostly (> 3/5) of lighter or equal pixels the skin does not reach (a lit
 * shirt around its collar's shadow), are pockets:
 * pocket[i2] = 1.  Returns the number of pockets' pixels, -1 out of memory. */
static int backdrop_pockets(const float *col, const float *la, const float *wide, const float *bgm,
                            const uint8_t *sure, int shade_y, int w, int h, int w2, int h2, uint8_t *pocket)
{
    size_t n2 = (size_t)w2 * h2;
    memset(pocket, 0, n2);
    if (!sure)
        return 0;
    int *queue = malloc(n2 * sizeof(int));
    uint8_t *st = calloc(n2, 1); /* 1 reached by the skin, 2 backdrop-like, 3 seen in a group */
    if (!queue || !st) {
        free(queue), free(st);
        return -1;
    }
    size_t qn = 0, face = 0;
    int oy0 = h2, oy1 = -1;
    for (int y = 0; y < h2; y++)
        for (int x = 0; x < w2; x++) {
            size_t i = (size_t)y * w2 + x;
            if (sure[(size_t)(2 * y < h ? 2 * y : h - 1) * w + (2 * x < w ? 2 * x : w - 1)] == 1) {
                st[i] = 1, face++;
                oy0 = y < oy0 ? y : oy0, oy1 = y > oy1 ? y : oy1;
                continue;
            }
            const float *mw = wide + 8 * i, *mb = bgm + 4 * i, *c = col + 3 * i;
            if (la[i] < 0.5f || mb[0] <= 0.02f)
                continue;
            float dB = 0, dF = 0;
            for (int k = 0; k < 3; k++) {
                float b = c[k] - mb[1 + k] / mb[0];
                dB += b * b;
                if (mw[4] > 0.02f) {
                    float f = c[k] - mw[5 + k] / mw[4];
                    dF += f * f;
                }
            }
            float b[3] = {mb[1] / mb[0], mb[2] / mb[0], mb[3] / mb[0]};
            if ((dB < 0.12f * 0.12f && (mw[4] <= 0.02f || dB < 1.5f * dF)) ||
                (2 * y < shade_y && shade_of(c, b) < POCKET_SHADE))
                st[i] = 2;
        }
    /* the seeds of the skin: the lit half of the oval's lower half (cheeks,
     * mouth, chin; a fringe or a beard's shadow in the upper half or in the
     * dark half would carry the flood into the hair) */
    unsigned hist[256] = {0}, nl = 0;
    for (int pass = 0, med = 0; pass < 2; pass++) {
        for (unsigned acc = 0; pass == 1 && med < 255 && (acc += hist[med]) < nl / 2; med++)
            ;
        for (int y = (oy0 + oy1) / 2; y <= oy1; y++)
            for (int x = 0; x < w2; x++) {
                size_t i = (size_t)y * w2 + x;
                if (st[i] != 1)
                    continue;
                const float *c = col + 3 * i;
                int l = (int)((0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2]) * 255);
                l = l < 0 ? 0 : l > 255 ? 255 : l;
                if (pass == 0)
                    hist[l]++, nl++;
                else if (l >= med)
                    queue[qn++] = (int)i;
            }
    }
    /* the skin's reach: a geodesic distance from the face oval, 4-connected
     * through person pixels, a step costing its largest change of a
     * channel in 1/255 less 2 (noise); what is within SKIN_REACH is
     * skin's.  Any path from a lit cheek to a wall of another shade costs at
     * least their difference, however gradual (Dijkstra with a bucket per
     * cost: the costs are small integers). */
    enum { SKIN_REACH = 24 };
    uint8_t *cost = malloc(n2);
    int *bq = malloc(10 * n2 * sizeof(int)); /* entries: node, next; each node enters at most 5 times */
    if (!cost || !bq) {
        free(queue), free(st), free(cost), free(bq);
        return -1;
    }
    memset(cost, 255, n2);
    /* buckets as linked lists of entries: head[c], entry e = (bq[2e], bq[2e+1] next) */
    int head[SKIN_REACH + 1], ne = 0;
    for (int c = 0; c <= SKIN_REACH; c++)
        head[c] = -1;
    for (size_t k = 0; k < qn; k++)
        cost[queue[k]] = 0, bq[2 * ne] = queue[k], bq[2 * ne + 1] = head[0], head[0] = ne++;
    for (int c = 0; c <= SKIN_REACH; c++)
        while (head[c] >= 0) {
            int i = bq[2 * head[c]];
            head[c] = bq[2 * head[c] + 1];
            if (cost[i] != c)
                continue;
            st[i] = 1;
            int x = i % w2, y = i / w2;
            int nb[4] = {x > 0 ? i - 1 : -1, x < w2 - 1 ? i + 1 : -1, y > 0 ? i - w2 : -1, y < h2 - 1 ? i + w2 : -1};
            const float *a = col + 3 * (size_t)i;
            for (int t = 0; t < 4; t++) {
                int j = nb[t];
                if (j < 0 || la[j] < 0.3f)
                    continue;
                const float *b = col + 3 * (size_t)j;
                float d = fmaxf(fabsf(a[0] - b[0]), fmaxf(fabsf(a[1] - b[1]), fabsf(a[2] - b[2])));
                int dc = (int)(d * 255) - 2, nc = c + (dc > 0 ? dc : 0);
                if (nc <= SKIN_REACH && nc < cost[j])
                    cost[j] = (uint8_t)nc, bq[2 * ne] = j, bq[2 * ne + 1] = head[nc], head[nc] = ne++;
            }
        }
    free(cost), free(bq);
    int total = 0;
    size_t cap = face / 5;
    int ylo = oy0 + 2 * (oy1 - oy0) / 5, yhi = oy1 + (oy1 - oy0) / 2;
    for (size_t s = 0; s < n2; s++) {
        if (st[s] != 2)
            continue;
        size_t q0 = 0, qe = 0;
        int border = 0, outside = 0, rim = 0, rows = 1, other = 0;
        float edge = 0;
        st[s] = 3, queue[qe++] = (int)s;
        for (; q0 < qe; q0++) {
            int i = queue[q0], x = i % w2, y = i / w2;
            border |= x == 0 || y == 0 || x == w2 - 1 || y == h2 - 1;
            rows &= y >= ylo && y <= yhi;
            int nb[4] = {x > 0 ? i - 1 : -1, x < w2 - 1 ? i + 1 : -1, y > 0 ? i - w2 : -1, y < h2 - 1 ? i + w2 : -1};
            for (int t = 0; t < 4; t++) {
                if (nb[t] < 0)
                    continue;
                if (st[nb[t]] == 2)
                    st[nb[t]] = 3, queue[qe++] = nb[t];
                else if (st[nb[t]] != 3) {
                    const float *a = col + 3 * (size_t)i, *c = col + 3 * (size_t)nb[t];
                    rim++, outside += la[nb[t]] < 0.5f;
                    /* a rim of neither skin, backdrop nor anything darker
                     * (hair, a shadow's edge): a lighter neighbour the skin
                     * does not reach, e.g. a lit shirt beside its collar's
                     * shadow */
                    if (st[nb[t]] != 1 && la[nb[t]] >= 0.5f &&
                        0.299f * (c[0] - a[0]) + 0.587f * (c[1] - a[1]) + 0.114f * (c[2] - a[2]) > -0.06f)
                        other++;
                    edge += fmaxf(fabsf(a[0] - c[0]), fmaxf(fabsf(a[1] - c[1]), fabsf(a[2] - c[2])));
                }
            }
        }
        /* enclosed: at most a tenth of its rim opens onto what the mask
         * calls backdrop (grey hair on a grey wall, the side of a neck in
         * shadow, touch the outline); beside the face from the eyes down
         * to half a face below the chin, where hair loops and the neck are */
        float rough = 0; /* flatness: mean step of colour within the group */
        int steps = 0;
        for (size_t k = 0; k < qe; k++) {
            int i = queue[k], x = i % w2;
            const float *a = col + 3 * (size_t)i;
            for (int t = 0; t < 2; t++) {
                int j = t == 0 ? (x < w2 - 1 ? i + 1 : -1) : ((size_t)i + w2 < n2 ? i + w2 : -1);
                if (j < 0 || st[j] != 3)
                    continue;
                const float *c = col + 3 * (size_t)j;
                rough += fmaxf(fabsf(a[0] - c[0]), fmaxf(fabsf(a[1] - c[1]), fabsf(a[2] - c[2])));
                steps++;
            }
        }
        rough = steps ? rough / steps : 1;
        /* open: more than a tenth of the rim on the mask's backdrop; still
         * a pocket when at most half is, and the rest is hair or skin
         * behind a strong edge (wall under a loop of hair by the
         * shoulder, where the mask's edge is unsure) */
        int open = outside * 10 > rim && !(outside * 2 <= rim && other * 5 <= rim * 2 && edge >= rim * (28.0f / 255));
        if (border || !rows || qe < 8 || qe > cap || open || other * 5 > rim * 3 || edge < rim * (14.0f / 255) ||
            rough > 4.5f / 255)
            continue;
        for (size_t k = 0; k < qe; k++)
            pocket[queue[k]] = 1;
        total += (int)qe;
    }
    free(queue), free(st);
    return total;
}

/* Refine alpha along its edge, then lay the person over colour bg.
 * rgb (in/out) w*h*3, alpha (in/out) w*h.
 *
 * 1. Guided filter (He, Sun & Tang) with the luminance as guide: inside
 *    each window alpha is made a linear function of the guide, so the edge
 *    snaps to the luminance edge of hair and shoulders.  Its coefficients
 *    are smooth, so they are computed at half size and interpolated ("fast
 *    guided filter", He & Sun 2015); the guide itself stays full size.
 * 2. Only a band along the mask's edge takes the refined alpha; elsewhere
 *    alpha is exactly 0 or 1.
 * 3. Colour decontamination: in the band a pixel is a*F + (1-a)*B_old.
 *    Local means of the old backdrop (weights (1-a)^2) and of the person
 *    (weights a^2), also at half size, give B_old; F is solved from it and
 *    leaned towards the local person colour where a is small.
 * Steps 3a-3d make it a trimap-driven matting of the edge (issue 15), the
 * learning-free kind: sure person from the face mesh (th), sure backdrop
 * and sure person from the coarse mask, colour models of both sampled
 * around each unsure pixel (as sampling-based matting does, e.g. Wang &
 * Cohen's robust matting, here reduced to windowed means), a closing of
 * the alpha against specks and a connectivity pass against islands.  A
 * global solve (Levin, Lischinski & Weiss 2008) was not attempted: the
 * budget left about 5 ms for the whole step. */
/* What the face mesh tells the matting step, in output pixels: sure[i] = 1
 * inside the face oval, 2 in an ear region (NULL without a mesh); the seed
 * of the person (a point inside the face) and the chin's row, below which
 * there is no loose hair. */
/* Conjugate-gradient steps of the band's solve, at most (~0.35-0.5 ms each
 * on a 480x640 photo).  Started from the colour models' alpha it settles in
 * 20-30 steps on the portraits; after 15 the street portrait's alpha is
 * within 0.1/255 of the settled one on average (53/255 at worst, in a few
 * pixels of loose hair), after 8 within 0.3/255; at 15 the official
 * portrait kept 42 pixels of faint haze apart from the hair, at 20 8. */
enum { MATTE_MAX_ITER = 20 };

/* Is px of skin's hue (any lightness: a rim lit by a window is pale, not of
 * another hue)?  Red above blue, green between them: orange to yellow.  A
 * red post (green at blue's level) or a grey or blue backdrop is not. */
static int skin_hue(const uint8_t *px)
{
    int r = px[0], g = px[1], b = px[2];
    return r > b + 8 && 5 * (g - b) >= r - b && 5 * (g - b) <= 4 * (r - b);
}

/* Of a colour of its own (backdrop_objects, below): saturated, not of
 * skin's hue, and no mix of the local backdrop and person colours. */
static int foreign(const uint8_t *px, const float *mw)
{
    int mx = px[0] > px[1] ? (px[0] > px[2] ? px[0] : px[2]) : (px[1] > px[2] ? px[1] : px[2]);
    int mn = px[0] < px[1] ? (px[0] < px[2] ? px[0] : px[2]) : (px[1] < px[2] ? px[1] : px[2]);
    if (mx - mn < 48 || skin_hue(px) || mw[0] <= 0.02f || mw[4] <= 0.02f)
        return 0;
    /* not a mix of the two: its distance from the segment between the
     * backdrop's and the person's wide means */
    float q[3], d[3], dd = 0, dq = 0;
    for (int c = 0; c < 3; c++) {
        float B = mw[1 + c] / mw[0];
        q[c] = px[c] * (1.0f / 255) - B, d[c] = mw[5 + c] / mw[4] - B;
        dd += d[c] * d[c], dq += d[c] * q[c];
    }
    float t = dd > 1e-6f ? dq / dd : 0, e = 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    for (int c = 0; c < 3; c++)
        e += (q[c] - t * d[c]) * (q[c] - t * d[c]);
    return e >= 0.15f * 0.15f;
}

/* st[i] = 1 where pixel i's channels spread by 48 or more (foreign()'s
 * first test), 0 elsewhere, for n pixels.  Most pixels fail it, so it runs
 * first for all: vectorised it is several times faster than the scalar
 * loop, but the compiler vectorises the three interleaved channels only
 * with AVX2's shuffles, hence a clone per level of x86-64 (as tc_tensor.c
 * does; integers only, so every clone gives the same bytes). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TC_NO_CLONES)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
static void spread48(const uint8_t *rgb, size_t n, uint8_t *st)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t a = rgb[3 * i], b = rgb[3 * i + 1], c = rgb[3 * i + 2];
        uint8_t mx = a > b ? a : b, mn = a < b ? a : b;
        mx = mx > c ? mx : c, mn = mn < c ? mn : c;
        st[i] = mx - mn >= 48;
    }
}

/* Objects of the old backdrop beside the head (issue 15 item 3: a red
 * shelf post kept beside an ear).  Such an object has a colour of its own
 * (foreign(), above): not the backdrop's usual colour around it, not of
 * skin's hue, not a grey (hair is dark or of skin's hue); and where it
 * enters the mask it is the same object as outside, so it goes on where
 * the coarse mask says backdrop.  Pixels of such a colour are grouped
 * (8-connected, through the whole picture, never into the face oval or the
 * ears' inner regions); a group whose part where the coarse mask says
 * backdrop (< 0.5) is at least a third of its part in the mask, whose part
 * in the mask lies in rows y0..y1 (beside the head: from the eyes' row less
 * the eyes-to-chin height down to the chin) and is at most a tenth of the
 * face oval's area and at least 6r pixels, and which touches neither the
 * face oval nor an ear's inner region, is backdrop: obj[i] = 1 on the group but where cls is
 * already backdrop.  wide: the half-size wide models.  st (out, w*h): the
 * pixels of a colour of its own outside the face oval, nonzero (1 or 2
 * where this step groups them, 4 in an ear's inner region), for
 * behind_objects, which tests the same colours; queue: w*h ints of scratch.
 * Returns the number of pixels marked. */
static int backdrop_objects(const uint8_t *rgb, const uint8_t *cls, const float *a0, const uint8_t *sure,
                            const float *wide, int w, int h, int y0, int y1, uint8_t *st, int *queue, uint8_t *obj)
{
    int r = w / 160 > 2 ? w / 160 : 2; /* the edge step's r */
    int w2 = (w + 1) / 2, minin = 6 * r;
    size_t n = (size_t)w * h, face = 0;
    for (size_t i = 0; i < n; i++)
        face += sure[i] == 1;
    spread48(rgb, n, st); /* foreign()'s first test, for all pixels at once */
    /* st: 1 of a foreign colour where this step groups (outside the ears'
     * regions or in their outer rims; 2 once seen), 4 in an ear's inner
     * region (only behind_objects groups those) */
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (!st[i])
                continue;
            if (sure[i] == 1 || !foreign(rgb + 3 * i, wide + 8 * ((size_t)(v / 2) * w2 + u / 2)))
                st[i] = 0;
            else
                st[i] = !sure[i] || sure[i] == 3 ? 1 : 4;
        }
    int total = 0;
    for (size_t s = 0; s < n; s++) {
        if (st[s] != 1)
            continue;
        size_t qe = 0, nin = 0, nout = 0;
        int rows = 1;
        st[s] = 2, queue[qe++] = (int)s;
        for (size_t q = 0; q < qe; q++) {
            int i = queue[q], x = i % w, y = i / w;
            if (a0[i] < 0.5f)
                nout++;
            else
                nin++, rows &= y >= y0 && y <= y1;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy, j = i + dy * w + dx;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h || st[j] != 1)
                        continue;
                    st[j] = 2, queue[qe++] = j;
                }
        }
        /* an ear's rim lit red against the light (a saturated red, not of
         * skin's hue) touches the ear or the face; a post beside the ear
         * is behind a strand of hair */
        int touches = 0;
        for (size_t q = 0; q < qe && !touches; q++) {
            int i = queue[q], x = i % w, y = i / w;
            touches = (x > 0 && (sure[i - 1] == 1 || sure[i - 1] == 2)) ||
                      (x < w - 1 && (sure[i + 1] == 1 || sure[i + 1] == 2)) ||
                      (y > 0 && (sure[i - w] == 1 || sure[i - w] == 2)) ||
                      (y < h - 1 && (sure[i + w] == 1 || sure[i + w] == 2));
        }
        if (touches || (int)nin < minin || !rows || nout * 3 < nin || nin > face / 10)
            continue;
        for (size_t q = 0; q < qe; q++)
            if (cls[queue[q]] != PHOTO_TRI_BG)
                obj[queue[q]] = 1, total++;
    }
    return total;
}

/* Pieces of other people behind the student (issue 15 item 3: the pink
 * shirt of someone sitting behind NUAA 0013_185, kept beside his ear).  The
 * coarse mask calls every person "person", so such a piece lies inside the
 * mask, where backdrop_objects (above) leaves an object alone, and partly in
 * the mesh's ear region, whose floor keeps whatever the mask saw.  The
 * student's own colours beside the head are those of the hair and the
 * clothes: the trimap's sure person (cls) outside the face oval and the
 * ears, above the eyes (hair, a cap) and below the chin within a face width
 * of the axis (collar, shirt), counted in 16x16x16 bins of 16 levels; a bin
 * holding BH_MIN of a thousand of the samples (20 at least) makes itself and
 * the bins one apart the student's.  Pixels of a colour of its own
 * (foreign(): saturated, not of skin's hue, no mix of the backdrop and
 * person models) in rows y0..y1 outside the face oval are grouped as in
 * backdrop_objects, ear regions included.  A group is someone else's when
 *  - at most a third of its pixels have a colour of the student's;
 *  - at least half of it is where the coarse mask says person (a0 >= 1/2:
 *    what lies outside is backdrop_objects' or the solve's);
 *  - it reaches below the eyes' row (an ornament or a headband sits
 *    higher: child_headband_room's bow, WIDER 561's ornament);
 *  - it holds 6r pixels to a tenth of the face oval and touches no face
 *    oval and no pixel within 2r of it (the lips and cheek of a turned head
 *    lie past the mesh's oval: WIDER 102);
 *  - at most half of it lies in an ear's inner region and four fifths in
 *    the ear regions (an ear lit red, or under a camera's blue cast, lies in
 *    them: NUAA 0003_153, WIDER 102; the red shirt by NUAA 0013_342's hidden
 *    ear has 35 % in the inner region), and where it touches an ear's inner
 *    region it is of no red-orange hue (green at or above blue);
 *  - grown by up to 2r px into neighbours not of the student's colours
 *    within 0.2 of its mean colour (its own shade, not saturated enough to
 *    be foreign), a twentieth of its rim is where the mask leans backdrop
 *    (a0 < 1/2) or the trimap is backdrop: a fold inside a leftover that the
 *    student's colours keep (NUAA 0011_142: a red shirt behind a student in
 *    red) would leave a hole in it.
 * obj[i] = 1 on the grown groups where cls is not backdrop already.  a0: the
 * coarse mask.  st (in, w*h): backdrop_objects' st, nonzero on the pixels
 * of a colour of its own outside the face oval (foreign() on the same
 * picture and models; it does not read the trimap, the one thing
 * backdrop_objects' marks change: testing them again cost 0.3 of this
 * step's 1.9 ms); it is then this step's scratch, as is queue (w*h ints).
 * Returns the number of pixels marked, -1 out of memory. */
enum { BH_MIN = 2 };
static int behind_objects(const uint8_t *rgb, const uint8_t *cls, const float *a0, const uint8_t *sure, int w,
                          int h, int eye_y, int chin_y, int axis_x, int y0, int y1, uint8_t *st, int *queue,
                          uint8_t *obj)
{
    int r = w / 160 > 2 ? w / 160 : 2; /* the edge step's r */
    int minin = 6 * r;
    size_t n = (size_t)w * h, face = 0;
    /* the face oval's box (fx0..fx1, fy0..fy1) and area; a row's first and
     * last oval pixel by memchr, its count between them in a loop the
     * compiler vectorises (one loop doing all three took 0.13 ms, these 0.02) */
    int fx0 = w, fx1 = -1, fy0 = h, fy1 = -1;
    for (int v = 0; v < h; v++) {
        const uint8_t *row = sure + (size_t)v * w, *p = memchr(row, 1, (size_t)w);
        if (!p)
            continue;
        const uint8_t *q = memrchr(row, 1, (size_t)w);
        int a = (int)(p - row), b = (int)(q - row);
        size_t c = 0;
        for (int u = a; u <= b; u++)
            c += row[u] == 1;
        face += c;
        fx0 = a < fx0 ? a : fx0, fx1 = b > fx1 ? b : fx1;
        fy0 = v < fy0 ? v : fy0, fy1 = v;
    }
    if (fx1 < fx0 || axis_x < 0)
        return 0;
    int fw = fx1 - fx0 + 1;
    /* the samples: rows above the eyes, and below the chin within fw of the axis */
    long hist[4096] = {0}, ns = 0;
    for (int v = 0; v < h; v++) {
        if (v >= eye_y && v <= chin_y)
            continue;
        int u0 = 0, u1 = w - 1;
        if (v > chin_y)
            u0 = axis_x - fw > 0 ? axis_x - fw : 0, u1 = axis_x + fw < w - 1 ? axis_x + fw : w - 1;
        for (int u = u0; u <= u1; u++) {
            size_t i = (size_t)v * w + u;
            if (cls[i] != PHOTO_TRI_FG || sure[i])
                continue;
            const uint8_t *px = rgb + 3 * i;
            hist[(px[0] >> 4) * 256 + (px[1] >> 4) * 16 + (px[2] >> 4)]++, ns++;
        }
    }
    if (ns < 100)
        return 0;
    /* own[b]: a bin within one of a bin of the student's colours */
    uint8_t own[4096] = {0};
    long hmin = ns * BH_MIN / 1000 > 20 ? ns * BH_MIN / 1000 : 20;
    for (int b = 0; b < 4096; b++) {
        if (hist[b] < hmin)
            continue;
        int br = b / 256, bg = b / 16 % 16, bl = b % 16;
        for (int dr = -1; dr <= 1; dr++)
            for (int dg = -1; dg <= 1; dg++)
                for (int db = -1; db <= 1; db++) {
                    int rr = br + dr, gg = bg + dg, bb = bl + db;
                    if (rr >= 0 && gg >= 0 && bb >= 0 && rr < 16 && gg < 16 && bb < 16)
                        own[rr * 256 + gg * 16 + bb] = 1;
                }
    }
    /* near: within R = 2r of the face oval (a square dilation), kept only
     * over the oval's box grown by R (nx0..nx1, ny0..ny1), outside of which
     * nothing is near: a dilation of the whole picture, its columns walked
     * one by one, cost 1 ms of the step's 2 */
    int R = 2 * r;
    int nx0 = fx0 - R > 0 ? fx0 - R : 0, nx1 = fx1 + R < w - 1 ? fx1 + R : w - 1;
    int ny0 = fy0 - R > 0 ? fy0 - R : 0, ny1 = fy1 + R < h - 1 ? fy1 + R : h - 1;
    int nw = nx1 - nx0 + 1, nh = ny1 - ny0 + 1;
    uint8_t *near = calloc((size_t)nw * nh, 1), *rown = calloc((size_t)nw * nh, 1);
    if (!near || !rown) {
        free(near), free(rown);
        return -1;
    }
    for (int v = fy0; v <= fy1; v++) { /* rows: within R of an oval pixel (rown) */
        const uint8_t *srow = sure + (size_t)v * w + nx0;
        uint8_t *o = rown + (size_t)(v - ny0) * nw;
        for (int u = 0, last = -1000000; u < nw; u++) {
            if (srow[u] == 1)
                last = u;
            o[u] = u - last <= R;
        }
        for (int u = nw - 1, last = 1000000; u >= 0; u--) {
            if (srow[u] == 1)
                last = u;
            o[u] |= last - u <= R;
        }
    }
    for (int v = 0; v < nh; v++) { /* columns: rown within R rows, row by row */
        uint8_t *o = near + (size_t)v * nw;
        for (int t = v - R > 0 ? v - R : 0; t <= v + R && t < nh; t++) {
            const uint8_t *a = rown + (size_t)t * nw;
            for (int u = 0; u < nw; u++)
                o[u] |= a[u];
        }
    }
    free(rown);
    /* st: 1 of a foreign colour (outside the face oval already) in rows
     * y0..y1 where the trimap is not backdrop, 2 seen */
    for (int v = 0; v < h; v++) {
        uint8_t *row = st + (size_t)v * w;
        if (v < y0 || v > y1) {
            memset(row, 0, (size_t)w);
            continue;
        }
        for (int u = 0; u < w; u++)
            row[u] = (row[u] != 0) & (cls[(size_t)v * w + u] != PHOTO_TRI_BG);
    }
    int total = 0;
    for (size_t s = 0; s < n; s++) {
        if (st[s] != 1)
            continue;
        size_t qe = 0, nown = 0, n_ear = 0, n_ears = 0, n_near = 0, nin = 0;
        long sg = 0, sb = 0;
        int touch_face = 0, touch_ear = 0;
        st[s] = 2, queue[qe++] = (int)s;
        for (size_t q = 0; q < qe; q++) {
            int i = queue[q], x = i % w, y = i / w;
            const uint8_t *px = rgb + 3 * (size_t)i;
            nown += own[(px[0] >> 4) * 256 + (px[1] >> 4) * 16 + (px[2] >> 4)];
            n_ear += sure[i] == 2, n_ears += sure[i] >= 2, nin += a0[i] >= 0.5f;
            n_near += x >= nx0 && x <= nx1 && y >= ny0 && y <= ny1 && near[(size_t)(y - ny0) * nw + (x - nx0)];
            sg += px[1], sb += px[2];
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy, j = i + dy * w + dx;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                        continue;
                    touch_face |= (dx == 0 || dy == 0) && sure[j] == 1;
                    touch_ear |= sure[j] == 2;
                    if (st[j] != 1)
                        continue;
                    st[j] = 2, queue[qe++] = j;
                }
        }
        int rows_ok = 1, ybot = 0;
        for (size_t q = 0; q < qe; q++) {
            int y = queue[q] / w;
            rows_ok &= y >= y0 && y <= y1;
            ybot = y > ybot ? y : ybot;
        }
        rows_ok &= ybot > eye_y;
        if (touch_face || n_near || nin * 2 < qe || n_ears * 5 > qe * 4 || (touch_ear && sg >= sb) || n_ear * 2 > qe || (int)qe < minin || qe > face / 10 || !rows_ok || nown * 3 > qe)
            continue;
        /* its shaded rim: neighbours of no colour of the student's within
         * 0.2 of the group's mean colour, up to 2r px out */
        long sr = 0;
        for (size_t q = 0; q < qe; q++)
            sr += rgb[3 * (size_t)queue[q]];
        float mc[3] = {(float)sr / qe, (float)sg / qe, (float)sb / qe};
        size_t q0 = 0, qn = qe;
        for (int step = 0; step < R; step++) {
            size_t qend = qn;
            for (size_t q = q0; q < qend; q++) {
                int i = queue[q], x = i % w, y = i / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx, yy = y + dy, j = i + dy * w + dx;
                        if (xx < 0 || yy < y0 || xx >= w || yy >= h || yy > y1 || st[j] >= 2 || sure[j] == 1 ||
                            cls[j] == PHOTO_TRI_BG)
                            continue;
                        const uint8_t *px = rgb + 3 * (size_t)j;
                        float d = 0;
                        for (int c = 0; c < 3; c++)
                            d += (px[c] - mc[c]) * (px[c] - mc[c]);
                        if (own[(px[0] >> 4) * 256 + (px[1] >> 4) * 16 + (px[2] >> 4)] || d > 51.0f * 51.0f)
                            continue;
                        st[j] = 3, queue[qn++] = j;
                    }
            }
            q0 = qend;
        }
        /* grown, it opens onto the backdrop (above) */
        for (size_t q = 0; q < qn; q++)
            st[queue[q]] = 4;
        size_t nrim = 0, nopen = 0;
        for (size_t q = 0; q < qn; q++) {
            int i = queue[q], x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy, j = i + dy * w + dx;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h || st[j] == 4)
                        continue;
                    nrim++, nopen += cls[j] == PHOTO_TRI_BG || a0[j] < 0.5f;
                }
        }
        for (size_t q = 0; q < qn; q++)
            st[queue[q]] = 3;
        if (nopen * 20 < nrim)
            continue;
        for (size_t q = 0; q < qn; q++)
            if (cls[queue[q]] != PHOTO_TRI_BG)
                obj[queue[q]] = 1, total++;
    }
    free(near);
    return total;
}

/* The backdrop's colours by samples (issue 15 item 3: grey smudges left
 * beside the live selfie's hair, where an air conditioner's grey face and a
 * window's sill touch the hair).  The windowed means above model the
 * backdrop by one colour per window; a busy room has several (a white
 * ceiling, a red frame, a grey box), and a pixel of one of them next to the
 * hair is neither near their mean nor near the hair's, so the matting made
 * it half person.  As sampling-based matting does, the backdrop is modelled
 * by its colours themselves: tiles of BGT x BGT half-size pixels each keep
 * up to BGK colour clusters of the sure backdrop (coarse mask < 0.05) and
 * of the trimap's sure person (a narrow part of the mask beside the head is
 * no sure person: it is in the band), grouped greedily (a colour joins the nearest
 * cluster within BG_JOIN, else starts one, else joins the nearest).  An
 * unknown pixel of the trimap outside the face oval and the ears whose
 * own colour is within BG_NEAR of a backdrop cluster (of at least BG_MIN
 * samples) of its own tile or the 8 around it, and at most 2/5 as far from
 * it as from every person cluster there, is backdrop, where its 8
 * neighbours are backdrop too (below): bgc[i] = 1.  Rows y1 and below (the
 * shoulders: a white shirt on a white wall) are left to the solve.
 * col: half-size 2x2 mean colours (0..1), la: half-size mask.  With fy > 0
 * the same clusters find blots of a third colour above row fy (the eyes),
 * groups of at most famax pixels (foreign_groups, below; prior: step 3a's
 * alpha).  Returns the number of such pixels, -1 out of memory. */
enum { BGT = 8, BGK = 6, BG_MIN = 4 };
#define BG_JOIN 0.05f
#define BG_NEAR 0.06f
static int foreign_groups(const uint8_t *rgb, const uint8_t *cls, const uint8_t *sure, const float *prior,
                          const float *pal, int tw, int tt, int w, int h, int fy, int famax, uint8_t *bgc);
static int backdrop_samples(const uint8_t *rgb, const uint8_t *cls, const uint8_t *sure, const float *col,
                            const float *la, const float *prior, int w, int h, int w2, int h2, int y1, int fy,
                            int famax, uint8_t *bgc)
{
    int tw = (w2 + BGT - 1) / BGT, tt = (h2 + BGT - 1) / BGT;
    /* per tile and kind (0 backdrop, 1 person): BGK clusters of (sum r, g, b, n) */
    float *pal = calloc((size_t)tw * tt * 2 * BGK * 4, sizeof(float));
    /* the clusters' running means (sum / n), kept as they change instead
     * of three divisions per cluster per sample: the same values */
    float *pm = malloc((size_t)tw * tt * 2 * BGK * 3 * sizeof(float));
    if (!pal || !pm) {
        free(pal), free(pm);
        return -1;
    }
    for (int y = 0; y < h2; y++)
        for (int x = 0; x < w2; x++) {
            size_t i2 = (size_t)y * w2 + x;
            int kind = la[i2] < 0.05f ? 0 : cls[(size_t)(2 * y) * w + 2 * x] == PHOTO_TRI_FG ? 1 : -1;
            if (kind < 0)
                continue;
            const float *c = col + 3 * i2;
            size_t ti = ((size_t)(y / BGT) * tw + x / BGT) * 2 + kind;
            float *t = pal + ti * BGK * 4, *m = pm + ti * BGK * 3;
            int best = -1, used = 0;
            float bd = 1e9f;
            for (int k = 0; k < BGK && t[4 * k + 3] > 0; k++, used++) {
                float d0 = c[0] - m[3 * k], d1 = c[1] - m[3 * k + 1], d2 = c[2] - m[3 * k + 2],
                      d = d0 * d0 + d1 * d1 + d2 * d2;
                if (d < bd)
                    bd = d, best = k;
            }
            if (best < 0 || (bd > BG_JOIN * BG_JOIN && used < BGK))
                best = used;
            t[4 * best] += c[0], t[4 * best + 1] += c[1], t[4 * best + 2] += c[2], t[4 * best + 3] += 1;
            float n = t[4 * best + 3];
            m[3 * best] = t[4 * best] / n, m[3 * best + 1] = t[4 * best + 1] / n, m[3 * best + 2] = t[4 * best + 2] / n;
        }
    free(pm);
    /* the clusters' means, once; a cluster of too few samples is dropped */
    for (size_t t = 0; t < (size_t)tw * tt * 2; t++) {
        float *c = pal + t * BGK * 4;
        int k2 = 0;
        for (int k = 0; k < BGK && c[4 * k + 3] > 0; k++) {
            float n = c[4 * k + 3];
            if (n < BG_MIN)
                continue;
            c[4 * k2] = c[4 * k] / n, c[4 * k2 + 1] = c[4 * k + 1] / n, c[4 * k2 + 2] = c[4 * k + 2] / n;
            c[4 * k2 + 3] = n, k2++;
        }
        for (; k2 < BGK; k2++)
            c[4 * k2 + 3] = 0;
    }
    /* each tile's backdrop colours' box, widened by BG_NEAR: a pixel outside
     * it has no backdrop cluster of that tile near enough to count */
    float *box = malloc((size_t)tw * tt * 6 * sizeof(float));
    if (!box) {
        free(pal);
        return -1;
    }
    for (size_t t = 0; t < (size_t)tw * tt; t++) {
        const float *c = pal + t * 2 * BGK * 4;
        float *b = box + 6 * t;
        b[0] = b[1] = b[2] = 2, b[3] = b[4] = b[5] = -2; /* empty */
        for (int k = 0; k < BGK && c[4 * k + 3] > 0; k++)
            for (int ch = 0; ch < 3; ch++) {
                b[ch] = fminf(b[ch], c[4 * k + ch] - BG_NEAR);
                b[3 + ch] = fmaxf(b[3 + ch], c[4 * k + ch] + BG_NEAR);
            }
    }
    int total = 0;
    for (int v = 0; v < h && v < y1; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (cls[i] != PHOTO_TRI_UNKNOWN || (sure && sure[i]))
                continue;
            const uint8_t *px = rgb + 3 * i;
            float c[3] = {px[0] * (1.0f / 255), px[1] * (1.0f / 255), px[2] * (1.0f / 255)};
            /* the nearest backdrop cluster first; only a pixel near one
             * is weighed against the person's (any cluster nearer than
             * 5/2 dB settles it) */
            float dB = 1e9f;
            int tx = u / 2 / BGT, ty = v / 2 / BGT;
            int xa = tx > 0 ? tx - 1 : 0, xb = tx + 1 < tw ? tx + 1 : tw - 1;
            int ya = ty > 0 ? ty - 1 : 0, yb = ty + 1 < tt ? ty + 1 : tt - 1;
            for (int yy = ya; yy <= yb; yy++)
                for (int xx = xa; xx <= xb; xx++) {
                    const float *b = box + 6 * ((size_t)yy * tw + xx);
                    if (c[0] < b[0] || c[1] < b[1] || c[2] < b[2] || c[0] > b[3] || c[1] > b[4] || c[2] > b[5])
                        continue;
                    const float *t = pal + (((size_t)yy * tw + xx) * 2) * BGK * 4;
                    for (int k = 0; k < BGK && t[4 * k + 3] > 0; k++) {
                        float d0 = c[0] - t[4 * k], d1 = c[1] - t[4 * k + 1], d2 = c[2] - t[4 * k + 2];
                        float d = d0 * d0 + d1 * d1 + d2 * d2;
                        dB = d < dB ? d : dB;
                    }
                }
            /* squared: dB < BG_NEAR^2 and dB < (2/5)^2 dF */
            if (!(dB < BG_NEAR * BG_NEAR))
                continue;
            int person = 0;
            for (int yy = ya; yy <= yb && !person; yy++)
                for (int xx = xa; xx <= xb && !person; xx++) {
                    const float *t = pal + (((size_t)yy * tw + xx) * 2 + 1) * BGK * 4;
                    for (int k = 0; k < BGK && t[4 * k + 3] > 0; k++) {
                        float d0 = c[0] - t[4 * k], d1 = c[1] - t[4 * k + 1], d2 = c[2] - t[4 * k + 2];
                        if (dB * 25 >= (d0 * d0 + d1 * d1 + d2 * d2) * 4) {
                            person = 1;
                            break;
                        }
                    }
                }
            if (!person)
                bgc[i] = 2;
        }
    /* Only where the 8 neighbours are backdrop too (of its colours or the
     * trimap's): beside a strand of hair thinner than the wall's pixels
     * around it, the solve keeps the strand's pixels free. */
    for (int v = 0; v < h && v < y1; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (bgc[i] != 2)
                continue;
            int all = 1;
            for (int dy = -1; dy <= 1 && all; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int x = u + dx, y = v + dy;
                    if (x >= 0 && y >= 0 && x < w && y < h && !bgc[(size_t)y * w + x] &&
                        cls[(size_t)y * w + x] != PHOTO_TRI_BG) {
                        all = 0;
                        break;
                    }
                }
            if (all)
                bgc[i] = 1, total++;
        }
    if (fy > 0) {
        int nf = foreign_groups(rgb, cls, sure, prior, pal, tw, tt, w, h, fy, famax, bgc);
        if (nf < 0) {
            free(pal), free(box);
            return -1;
        }
        total += nf;
    }
    for (size_t i = 0; i < (size_t)w * h; i++)
        bgc[i] = bgc[i] == 1;
    free(pal), free(box);
    return total;
}

/* Blots of a third colour on the hair's outline (issue 15, s18-blot: a dark
 * fold of a curtain just above man_standing_full_body's white hair).  The
 * coarse mask may take a piece of the room touching the head for hair (a0
 * 0.99 there: a bump on the head's outline); every colour test of step 3a
 * then weighs it against a person model that holds its own colour, and the
 * solve and the foreground estimate kept it, dark, at alpha 0.5-0.9.  Its
 * colour is neither the person's nor a mix of the person's and the
 * backdrop's.  An unknown pixel above the eyes (rows < fy), not face oval or
 * ear, is foreign when the 5x5 tiles around it (backdrop_samples' tiles: the
 * band at the crown is wider than one) hold a sure person cluster, its luma
 * is FOREIGN_DARK below every such cluster's and it is farther than
 * FOREIGN_D from each of them (a strand of light hair over a dark backdrop
 * at least half hair is not that dark).  Foreign pixels are grouped
 * 8-connected; a
 * group becomes backdrop (bgc 1, its edge left to the solve) when it
 * touches no pixel of the trimap's sure person (dark hair, a cap or a
 * headband reach the sure part: their colours are the person's), at least
 * 1/FOREIGN_OPEN of its rim is backdrop (trimap or bgc backdrop, or a prior
 * alpha under 1/2: a blot on the outline, not a dark lock inside the hair,
 * as on S029-02's temple) and it holds FOREIGN_MIN to famax pixels.
 * prior: step 3a's alpha; pal: the tiles' clusters (backdrop_samples'
 * layout, means).  Returns the number of pixels, -1 out of memory. */
#define FOREIGN_D 0.25f
#define FOREIGN_DARK 0.2f
enum { FOREIGN_MIN = 12, FOREIGN_OPEN = 3 };
static int foreign_groups(const uint8_t *rgb, const uint8_t *cls, const uint8_t *sure, const float *prior,
                          const float *pal, int tw, int tt, int w, int h, int fy, int famax, uint8_t *bgc)
{
    int hh = fy < h ? fy : h;
    if (hh <= 0)
        return 0;
    int *queue = malloc((size_t)w * hh * sizeof(int));
    if (!queue)
        return -1;
    const float D2 = FOREIGN_D * FOREIGN_D;
    for (int v = 0; v < hh; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (bgc[i] == 1 || cls[i] != PHOTO_TRI_UNKNOWN || (sure && sure[i]))
                continue;
            const uint8_t *px = rgb + 3 * i;
            float c[3] = {px[0] * (1.0f / 255), px[1] * (1.0f / 255), px[2] * (1.0f / 255)};
            float lum = 0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2];
            int tx = u / 2 / BGT, ty = v / 2 / BGT, nper = 0, near = 0;
            /* the person's colours from the 5x5 tiles around (the band at
             * the crown is wider than a tile) */
            int pa = tx > 1 ? tx - 2 : 0, pb = tx + 2 < tw ? tx + 2 : tw - 1;
            int qa = ty > 1 ? ty - 2 : 0, qb = ty + 2 < tt ? ty + 2 : tt - 1;
            for (int yy = qa; yy <= qb && !near; yy++)
                for (int xx = pa; xx <= pb && !near; xx++) {
                    const float *tp = pal + (((size_t)yy * tw + xx) * 2 + 1) * BGK * 4;
                    for (int k = 0; k < BGK && tp[4 * k + 3] > 0; k++) {
                        float d0 = c[0] - tp[4 * k], d1 = c[1] - tp[4 * k + 1], d2 = c[2] - tp[4 * k + 2];
                        float pl = 0.299f * tp[4 * k] + 0.587f * tp[4 * k + 1] + 0.114f * tp[4 * k + 2];
                        nper++;
                        if (d0 * d0 + d1 * d1 + d2 * d2 <= D2 || lum > pl - FOREIGN_DARK) {
                            near = 1;
                            break;
                        }
                    }
                }
            if (nper > 0 && !near)
                bgc[i] = 4;
        }
    int total = 0;
    for (int v = 0; v < hh; v++)
        for (int u = 0; u < w; u++) {
            size_t s0 = (size_t)v * w + u;
            if (bgc[s0] != 4)
                continue;
            size_t qn = 0, qh = 0;
            int touch = 0, rim = 0, open = 0;
            bgc[s0] = 5, queue[qn++] = (int)s0;
            while (qh < qn) {
                int i = queue[qh++], y = i / w, x = i - y * w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx, yy = y + dy;
                        if ((dx | dy) == 0 || xx < 0 || yy < 0 || xx >= w || yy >= h)
                            continue;
                        size_t j = (size_t)yy * w + xx;
                        if (cls[j] == PHOTO_TRI_FG || (sure && sure[j] == 1))
                            touch = 1;
                        if (yy < hh && bgc[j] == 4)
                            bgc[j] = 5, queue[qn++] = (int)j;
                        else if (bgc[j] != 5) {
                            rim++;
                            open += cls[j] == PHOTO_TRI_BG || bgc[j] == 1 || prior[j] < 0.5f;
                        }
                    }
            }
            int keep = touch || qn < FOREIGN_MIN || qn > (size_t)famax || open * FOREIGN_OPEN < rim;
            for (size_t k = 0; k < qn; k++)
                bgc[queue[k]] = keep ? 6 : 1;
            if (!keep)
                total += (int)qn;
        }
    free(queue);
    return total;
}

/* Is (u, v), a pixel of the mesh's face oval (sure 1), on the oval's rim
 * right at the coarse mask's edge: within OVAL_RIM px of a pixel outside
 * the oval and of one the coarse mask calls backdrop (a0 < 1/2)?  The mesh's
 * oval is drawn from landmarks that may lie a pixel or two past the cheek
 * or jaw (an open mouth stretches it); forced person there, the pixel that
 * mixes skin or hair with the old backdrop kept the old backdrop's colour
 * at full alpha: a light (white wall) or dark (curtain) line along the jaw.
 * Where the coarse mask's own edge is not that close (a cheek it saw half
 * on a beige wall) the oval stays sure.  bnd: the coarse mask's half-size
 * band value (neither 0 nor 1 near its edge), to skip the face's inside. */
enum { OVAL_RIM = 2 };
static int oval_rim(const uint8_t *sure, const float *a0, int w, int h, int u, int v, float bnd)
{
    if (bnd >= 0.998f)
        return 0;
    int out = 0, bg = 0;
    for (int y = v - OVAL_RIM; y <= v + OVAL_RIM; y++)
        for (int x = u - OVAL_RIM; x <= u + OVAL_RIM; x++) {
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            size_t j = (size_t)y * w + x;
            out |= sure[j] != 1;
            bg |= a0[j] < 0.5f;
        }
    return out && bg;
}

/* Specks in the hair (3b'): an area closing of alpha over the band's
 * unknown pixels above the chin.  A pixel is raised to the lowest alpha at
 * which its region of lower alpha (8-connected) holds SPECK_AREA pixels or
 * more, or opens onto the backdrop: a hole of fewer pixels wholly inside
 * the hair (the matting unsure of light hair on a backdrop of its shade:
 * blue dots, or old backdrop's light dots, inside the outline) takes the
 * alpha of the hair around it; a gap between strands at the outline opens
 * onto the backdrop and stays.  The trimap's backdrop (cls BG: pockets,
 * objects and samples of the old backdrop found on purpose), pixels past
 * the picture and below vmax count as open backdrop.  Alpha is only ever
 * raised, by at least 0.15, and such a pixel is marked raised (it takes
 * the local person colour).  Union-find over the band in order of alpha
 * (Meijster & Wilkinson's area opening, dual); state (0 not in the band,
 * 1 waiting, 2 done) and order w*h each, the caller's.  Returns the
 * pixels raised, -1 when out of memory. */
enum { SPECK_BIG = 1 << 30 };
/* a speck's largest area: 100 px on a 480-px-wide photo */
#define SPECK_AREA(w) ((w) * (w) / 2304 > 16 ? (w) * (w) / 2304 : 16)
static int uf_find(int *parent, int i)
{
    int r = i;
    while (parent[r] != r)
        r = parent[r];
    while (parent[i] != r) {
        int nx = parent[i];
        parent[i] = r;
        i = nx;
    }
    return r;
}
static long fill_specks(float *alpha, const uint8_t *cls, int w, int h, int vmax, int amax, uint8_t *raised,
                        uint8_t *state, int *order)
{
    size_t n = (size_t)w * h;
    int *parent = malloc(n * sizeof(int)), *area = malloc(n * sizeof(int));
    float *lev = malloc(n * sizeof(float));
    size_t cnt[257] = {0};
    if (!parent || !area || !lev) {
        free(parent), free(area), free(lev);
        return -1;
    }
    memset(state, 0, n);
    size_t nd = 0;
    for (int v = 0; v < vmax; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (cls[i] == PHOTO_TRI_UNKNOWN && alpha[i] < 1) {
                state[i] = 1;
                cnt[(int)(alpha[i] * 255 + 0.5f) + 1]++;
                nd++;
            }
        }
    for (int k = 1; k < 257; k++)
        cnt[k] += cnt[k - 1];
    for (size_t i = 0; i < (size_t)vmax * w; i++)
        if (state[i])
            order[cnt[(int)(alpha[i] * 255 + 0.5f)]++] = (int)i;
    for (size_t k = 0; k < nd; k++) {
        int p = order[k], y = p / w, x = p - y * w, lp = (int)(alpha[p] * 255 + 0.5f);
        parent[p] = p, area[p] = 1, state[p] = 2;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx, yy = y + dy;
                if ((dx | dy) == 0)
                    continue;
                if (xx < 0 || yy < 0 || xx >= w || yy >= vmax) {
                    area[p] = SPECK_BIG;
                    continue;
                }
                int q = yy * w + xx;
                if (state[q] == 0) {
                    if (alpha[q] < 1)
                        area[p] = SPECK_BIG; /* the backdrop */
                    continue;
                }
                if (state[q] != 2)
                    continue;
                int r = uf_find(parent, q);
                if (r == p)
                    continue;
                if ((int)(alpha[r] * 255 + 0.5f) == lp || area[r] < amax) {
                    area[p] = area[p] >= SPECK_BIG || area[r] >= SPECK_BIG ? SPECK_BIG : area[p] + area[r];
                    parent[r] = p;
                } else
                    area[p] = SPECK_BIG;
            }
    }
    /* the closed alpha, from the last processed down: a root keeps its
     * alpha unless its region stayed small and closed (hair all round: 1);
     * the rest take their root's */
    for (size_t k = nd; k-- > 0;) {
        int p = order[k];
        if (parent[p] == p)
            lev[p] = area[p] < amax ? 1.0f : alpha[p];
        else
            lev[p] = lev[parent[p]];
    }
    long nr = 0;
    for (size_t k = 0; k < nd; k++) {
        int p = order[k];
        if (lev[p] >= alpha[p] + 0.15f) {
            alpha[p] = lev[p];
            raised[p] = 255;
            nr++;
        }
    }
    free(parent), free(area), free(lev);
    return nr;
}

/* A shoulder the coarse mask cannot see (issue 15 item 3: a white shirt on a
 * white wall, what seeds 001 and 003 recommend).  The segmentation model
 * leaves such a shoulder a wide smear of half alpha, streaked along its
 * columns, and neither colour test below can tell the shirt from the wall
 * it matches: the shoulder came out half transparent, the new blue through
 * the shirt.  A studio draws the shoulder as the other one is.  Below the
 * chin (y0) and beside the neck (at least x_in from the body's axis), a
 * column whose alpha is smeared (at least SH_SMEAR(r) of its pixels in
 * 0.1..0.9) while its mirror about the axis is crisp (at most SH_CRISP(r))
 * marks a smeared side; there every column from the first such one (the
 * nearest the neck) outwards takes the mirror's alpha (past the picture's
 * edge on the mirror's side, the outermost column's).  A shoulder's edge is
 * nearly level, so a column crosses it once and steeply: columns, not rows,
 * tell a crisp edge.  Only
 * on a side where the smear is of the backdrop's colour beside it (the mean
 * colours of the smear's pixels and of that side's sure backdrop, alpha <=
 * 0.1, within SH_ALIKE), and where at least SH_COLS(r) columns qualify
 * and half the side's columns (beyond the neck, with a mirror in the
 * picture) are smeared: a smear of another colour holds something the colour tests below
 * tell apart, one column is noise, and a small smear at the bottom beside a
 * shirt the mask missed on both sides (AR m-001-6, lit yellow) mirrored the
 * neck's edge into a block of wall.  alpha: the coarse mask at output size,
 * changed in place; axis: the body's axis (x); mir (w*h, the caller's,
 * zeroed): 1 on every pixel changed, whose final alpha is then this one
 * (replace_background: the colour tests and the solve have nothing to go
 * on there, and left streaks of the smear).  Returns the columns changed. */
#define SH_CRISP(r) (3 * (r))
#define SH_SMEAR(r) (8 * (r))
#define SH_COLS(r) (4 * (r))
#define SH_ALIKE 0.10f
static int shoulder_mirror(float *alpha, const uint8_t *rgb, int w, int h, int axis, int x_in, int y0, int r,
                           uint8_t *mir)
{
    if (axis <= 0 || axis >= w - 1 || y0 < 0 || y0 >= h || x_in < 1)
        return 0;
    int *soft = calloc((size_t)w, sizeof(int));
    if (!soft)
        return 0; /* an aid, not a must: without memory the photo is made as before */
    for (int v = y0; v < h; v++) {
        const float *ar = alpha + (size_t)v * w;
        for (int x = 0; x < w; x++)
            soft[x] += ar[x] > 0.1f && ar[x] < 0.9f;
    }
    int changed = 0;
    for (int side = -1; side <= 1; side += 2) {
        int cand = 0, first = -1, ncol = 0, nsmear = 0;
        double pc[3] = {0, 0, 0}, bc[3] = {0, 0, 0};
        long np = 0, nb = 0;
        for (int x = axis + side * x_in; x >= 0 && x < w; x += side) {
            int m = 2 * axis - x;
            if (m < 0 || m >= w)
                break;
            ncol++;
            nsmear += soft[x] >= SH_SMEAR(r);
            if (soft[x] < SH_SMEAR(r) || soft[m] > SH_CRISP(r))
                continue;
            if (cand++ == 0)
                first = x;
            for (int v = y0; v < h; v++) {
                float a = alpha[(size_t)v * w + x];
                const uint8_t *px = rgb + 3 * ((size_t)v * w + x);
                if (a > 0.1f && a < 0.9f)
                    np++, pc[0] += px[0], pc[1] += px[1], pc[2] += px[2];
                else if (a <= 0.1f)
                    nb++, bc[0] += px[0], bc[1] += px[1], bc[2] += px[2];
            }
        }
        if (cand < SH_COLS(r) || 2 * nsmear < ncol || np == 0 || nb == 0)
            continue;
        double d = 0;
        for (int c = 0; c < 3; c++) {
            double dc = (pc[c] / np - bc[c] / nb) / 255.0;
            d += dc * dc;
        }
        if (sqrt(d) > SH_ALIKE)
            continue;
        /* on such a side every column from the first that qualifies outwards:
         * a rule column by column left a comb of mirrored and smeared columns
         * where the mirror's count wavers about the bound */
        for (int x = first; x >= 0 && x < w; x += side) {
            /* past the mirror's picture (the body off centre) the outermost
             * column stands in: the shoulder goes on level to the edge */
            int m = 2 * axis - x;
            m = m < 0 ? 0 : m >= w ? w - 1 : m;
            for (int v = y0; v < h; v++) {
                alpha[(size_t)v * w + x] = alpha[(size_t)v * w + m];
                mir[(size_t)v * w + x] = 1;
            }
            changed++;
        }
    }
    free(soft);
    return changed;
}

typedef struct trimap_hint {
    const uint8_t *sure;
    int seed_x, seed_y, chin_y, eye_y;
    int axis_x; /* the body's axis: the eyes' midpoint and the chin, x; -1 unknown */
    float *tri; /* w*h: the trimap out (developer aid), or NULL */
} trimap_hint;

/* The closing against specks (replace_background, step 3b): a pixel whose
 * alpha is below the closing's by gap is raised by t * gap, t rising from 0
 * at a gap of CLOSE_GAP0 to 1 at CLOSE_GAP1 (the one cut at 0.2 it had
 * before turned a change of a few levels of alpha into one of 50). */
#define CLOSE_GAP0 0.15f
#define CLOSE_GAP1 0.25f
static float close_weight(float gap)
{
    float t = (gap - CLOSE_GAP0) / (CLOSE_GAP1 - CLOSE_GAP0);
    return t <= 0 ? 0 : t > 1 ? 1 : t;
}

/* Marks the pixels of obj (backdrop_objects', behind_objects') as trimap
 * backdrop (alpha and its floor 0) and the trimap's person within ring px
 * of them, but the face oval, unknown: the solve places their edge. */
static void take_objects(const uint8_t *obj, int ring, uint8_t *cls, float *alpha, float *floorv,
                         const trimap_hint *th, int w, int h)
{
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            if (!obj[i])
                continue;
            cls[i] = PHOTO_TRI_BG, alpha[i] = 0, floorv[i] = 0;
            if (th->tri)
                th->tri[i] = 0;
            for (int y = v - ring; y <= v + ring; y++)
                for (int x = u - ring; x <= u + ring; x++) {
                    size_t j = (size_t)y * w + x;
                    if (x >= 0 && y >= 0 && x < w && y < h && !obj[j] && cls[j] == PHOTO_TRI_FG && th->sure[j] != 1) {
                        cls[j] = PHOTO_TRI_UNKNOWN;
                        if (th->tri)
                            th->tri[j] = 0.5f;
                    }
                }
        }
}

/* The coarse mask's value from which an ear-region pixel whose colour is not
 * clearly the backdrop's is ear (replace_background, step 3a). */
#define EAR_SURE 0.7f
/* In an ear region a pixel bluer than red by more than this (0-255), darker
 * than luma 150 is not ear (replace_background, step 3a).  Chosen from 6,
 * 12 and 20, which all brought NUAA 0014_172's ear within its bound, as the
 * one that changed fewest other photos (docs/QUALITY.md, session 25). */
#define BLUE_NOT_EAR 20

/* shoulder_edge (below) clears an edge of long hair only of its haze: the
 * solve's alpha under this, lowered where the smoothed outline is lower.
 * A strand's core is opaque (0.9 and more), the smudges beside it 0.3-0.6. */
#define HAZE_MAX 0.7f
/* shoulder_edge takes a clothes' edge to its smoothed line whatever the
 * colours when the hair's and the clothes' means are at least this far
 * apart (RGB, 0..1); nearer (dark hair on a dark jacket: woman_plain_grey_bg,
 * 0.035) a clothes' edge cannot be told from a strand's, and the colours'
 * likeness alone decides, as before. */
#define HAIR_CLOTHES_APART 0.12
/* head_plateau (below): the solve's alpha between these is a plateau when
 * its mean departure from the smoothed alpha is under PLATEAU_FLAT */
#define PLATEAU_LO 0.25f
#define PLATEAU_HI 0.92f
#define PLATEAU_FLAT 0.06f
/* ... and it is raised only where the local person and backdrop colours
 * are this far apart (RGB, 0..1) and the pixel's colour lies at least this
 * far from the backdrop's towards the person's (step 3a's projection) */
#define PLATEAU_APART 0.25f
#define PLATEAU_PERSON 0.85f

/* Is the pixel's colour nearer the local backdrop model than the local
 * person model (mm: the narrow models, lm's layout)?  shoulder_edge raises
 * no such pixel: where the shoulder leaves woman_street_bg's picture the
 * smoothed line would have raised the street's green foliage. */
static int backdrop_like(const uint8_t *px, const float *mm)
{
    if (!(mm[0] > 1e-3f && mm[4] > 1e-3f))
        return 0;
    float dB = 0, dF = 0;
    for (int c = 0; c < 3; c++) {
        float v = px[c] * (1.0f / 255), b = v - mm[1 + c] / mm[0], f = v - mm[5 + c] / mm[4];
        dB += b * b, dF += f * f;
    }
    return dB < 0.25f * dF; /* squared: nearer by half */
}

/* A smoothed alpha made crisp again about its 0.5 level: a smooth step
 * from 0.4 to 0.6 (shoulder_edge, head_plateau). */
static inline float crisp_step(float v)
{
    float t = (v - 0.4f) / 0.2f;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

/* The shoulders' edge where clothes and backdrop look alike (replace_background,
 * right after the solve of step 3a'): a white shirt before a white wall or a bright window.  There
 * the image cannot say where the person ends; the tests of step 3a and the
 * solve follow the noise and the things behind, and the outline came out
 * ragged: notches of blue bitten into a shoulder, slivers and corners of
 * the room left beside it.  A studio cuts a shoulder along a clean line, and
 * at this scale clothes have one.  So below the chin (where hair has its
 * fine outline, above, nothing changes) the solve's own alpha is smoothed
 * (two box passes of radius 2r) and made crisp again about its 0.5 level (a
 * smooth step 0.4..0.6); bumps and bites narrower than about 2r go, the
 * line of the shoulder stays where the solve put it.  The result replaces
 * the solve's alpha as far as the local colours are alike (lowq, 0..255,
 * step 3a's "low"); where they differ (a dark jacket on a light wall) the
 * solve's opaque edge stays, but its haze and a plateau of half alpha take
 * the line in full (below: a clothes' edge when hair and clothes differ; an
 * edge of hair only loses haze).  The face oval and what the trimap holds
 * for sure are not touched.  tmp and sm (w*h floats each) and ws
 * (box_ws(w, h, 1) floats) are scratch. */
static void shoulder_edge(const uint8_t *rgb, const float *lm, int w2, int h2, const uint8_t *cls,
                          const uint8_t *sure, int eye_y, int chin_y, const uint8_t *lowq, int r, int w, int h,
                          float *ws, float *tmp, float *sm, float *alpha)
{
    int y0 = chin_y;
    if (y0 < 0)
        y0 = 0;
    if (y0 >= h || eye_y <= 0 || eye_y >= chin_y)
        return;
    /* Long hair falls past the chin onto the shoulders, and its strands are
     * its own fine outline: an edge whose person side is the hair's colour
     * rather than the clothes' is only cleared of its haze (alpha under
     * HAZE_MAX, lowered, never raised): where hair meets a backdrop of its
     * own darkness (a doorway behind the live selfie's long hair) the solve
     * left translucent grey smudges beside the strands, while a strand's
     * opaque core and its ends (girl_half_body's locks) stay.  The two colours: the
     * trimap's sure person above the eyes outside the face oval (hair), and
     * below the chin by half the eyes-to-chin distance (clothes). */
    double hs[4] = {0}, cs[4] = {0};
    int yc = chin_y + (chin_y - eye_y) / 2;
    for (int y = 0; y < h; y++) {
        if (y >= eye_y && y < yc)
            continue;
        double *acc = y < eye_y ? hs : cs;
        for (int x = 0; x < w; x += 2) {
            size_t i = (size_t)y * w + x;
            if (cls[i] != PHOTO_TRI_FG || (sure && sure[i]))
                continue;
            for (int c = 0; c < 3; c++)
                acc[c] += rgb[3 * i + c] * (1.0 / 255);
            acc[3] += 1;
        }
    }
    if (cs[3] < 50)
        return; /* no clothes seen for sure */
    int hair = hs[3] >= 50;
    double dhc = 0;
    for (int c = 0; c < 3; c++) {
        cs[c] /= cs[3], hs[c] = hair ? hs[c] / hs[3] : 0;
        dhc += (hs[c] - cs[c]) * (hs[c] - cs[c]);
    }
    /* Where the local colours differ (lowq 0) the solve's edge was trusted;
     * but on a person of two colours (a neck in shade over a light shirt)
     * the projection of step 3a reads the shirt's lighter top as part
     * backdrop: NUAA 0003_328's shoulder was a half-transparent plateau
     * (alpha 0.58-0.70) 12 px deep, and 0003_153 kept a keyboard's corner
     * and a wedge of wall on its shoulder.  A clothes' edge is one line at
     * this scale, so it takes the smoothed line wherever that raises alpha
     * on a pixel not of the backdrop's colour (backdrop_like) or lowers a
     * pixel under HAZE_MAX; an opaque pixel above the line is lowered only
     * as far as the colours are alike, as before. */
    int apart = !hair || dhc >= HAIR_CLOTHES_APART * HAIR_CLOTHES_APART;
    /* rows y0 - 4r .. h of alpha, smoothed twice by box1 (radius 2r) as one
     * picture of its own: the box stops at its first row as at the others */
    int ya = y0 - 4 * r > 0 ? y0 - 4 * r : 0;
    size_t off = (size_t)ya * w;
    box1(alpha + off, tmp + off, w, h - ya, 2 * r, ws);
    box1(tmp + off, sm + off, w, h - ya, 2 * r, ws);
    for (int y = y0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            if (cls[i] != PHOTO_TRI_UNKNOWN || (!lowq[i] && !apart))
                continue;
            int haze = 0; /* an edge of hair: only its haze is cleared */
            float mm[8];
            up2(lm, w2, h2, 8, x, y, mm);
            if (hair && mm[4] > 1e-3f) {
                double dh = 0, dc = 0;
                for (int c = 0; c < 3; c++) {
                    double f = mm[5 + c] / mm[4];
                    dh += (f - hs[c]) * (f - hs[c]), dc += (f - cs[c]) * (f - cs[c]);
                }
                if (dh < dc) {
                    if (alpha[i] >= HAZE_MAX || !lowq[i])
                        continue;
                    haze = 1;
                }
            }
            float t = crisp_step(sm[i]);
            if (haze && t >= alpha[i])
                continue;
            float k = lowq[i] * (1.0f / 255);
            if (!haze && apart &&
                (t < alpha[i] ? alpha[i] < HAZE_MAX : t > alpha[i] && !backdrop_like(rgb + 3 * i, mm))) {
                /* full weight from 4r below the chin: a cut right at the
                 * chin's row left a straight seam across hair that falls
                 * past it (WIDER Handshaking 572) */
                float ramp = (float)(y - y0) / (4 * r);
                k = ramp >= 1 ? 1 : ramp > k ? ramp : k;
            }
            alpha[i] += (t - alpha[i]) * k;
        }
}

/* Plateaus of half alpha at the head (replace_background, right after the
 * solve, with shoulder_edge).  Where the coarse mask was unsure over a
 * stretch of pixels whose colour is clearly the person's, the tests of
 * step 3a (which only ever lower alpha) had nothing to say and the solve
 * kept the mask's soft ramp: a plateau of alpha 0.5-0.8, 10-25 px deep,
 * through which the new blue showed as grey-blue streaks.  The officer's
 * black cap where it meets the flag's gold pole was such a plateau (alpha
 * 0.53-0.67 over 20 px).  A solid edge is opaque to its line, so there a
 * plateau is raised to the crisp step about 0.5 of its lightly smoothed
 * alpha (a box of radius r, then a smooth step 0.4..0.6), never lowered.
 * Which pixels: in the trimap's unknown band above the chin, of alpha
 * PLATEAU_LO..PLATEAU_HI, flat (the box mean of |alpha - smoothed alpha|
 * under PLATEAU_FLAT: strands and the gaps between them differ by far
 * more), where the local person and backdrop colours are PLATEAU_APART
 * apart and the pixel's colour lies PLATEAU_PERSON of the way from the
 * backdrop's to the person's (step 3a's projection).  Tried first and
 * dropped (docs/QUALITY.md, session 23): every flat plateau, whatever its
 * colour, to the crisp step both ways: it opened blue bites between the
 * cap and the hair below it, and made the officer's wispy grey hair below
 * her ear (grey on a grey-blue wall, rightly half transparent) blotchy;
 * the gallery's specks rose from 39 to 65 (portraits) and 76 to 103 (real).
 * sm (w*h floats), hf (2*w*h floats) and ws (box_ws(w, h, 1) floats) are
 * scratch. */
static void head_plateau(const uint8_t *rgb, const float *lm, int w2, int h2, const uint8_t *cls, int chin_y,
                         int r, int w, int h, float *ws, float *sm, float *hf, float *alpha)
{
    if (chin_y <= 0)
        return;
    int hh = chin_y + 4 * r < h ? chin_y + 4 * r : h;
    box1(alpha, sm, w, hh, r, ws);
    for (size_t i = 0; i < (size_t)w * hh; i++)
        hf[i] = fabsf(alpha[i] - sm[i]);
    float *hm = hf + (size_t)w * hh;
    box1(hf, hm, w, hh, r, ws);
    for (int y = 0; y < chin_y && y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float a = alpha[i];
            if (cls[i] != PHOTO_TRI_UNKNOWN || a < PLATEAU_LO || a > PLATEAU_HI || hm[i] >= PLATEAU_FLAT)
                continue;
            float t = crisp_step(sm[i]);
            if (t <= a)
                continue;
            float mm[8];
            up2(lm, w2, h2, 8, x, y, mm);
            if (!(mm[0] > 1e-3f && mm[4] > 1e-3f))
                continue;
            float dd = 0, dq = 0;
            for (int c = 0; c < 3; c++) {
                float Bc = mm[1 + c] / mm[0], d = mm[5 + c] / mm[4] - Bc;
                dd += d * d, dq += d * (rgb[3 * i + c] * (1.0f / 255) - Bc);
            }
            if (dd >= PLATEAU_APART * PLATEAU_APART && dq >= PLATEAU_PERSON * dd)
                alpha[i] = t;
        }
}

static int replace_background(uint8_t *rgb, float *alpha, int w, int h, const uint8_t bg[3], const trimap_hint *th)
{
    int w2 = (w + 1) / 2, h2 = (h + 1) / 2;
    size_t n2 = (size_t)w2 * h2;
    int r = w / 160 > 2 ? w / 160 : 2; /* full-size radius */
    int r2 = r / 2 > 1 ? r / 2 : 1;
    /* Every statistic is gathered straight into half-size buffers.
     * Building full-size 4- and 8-channel planes first cost more in memory
     * traffic and page faults than all the filtering. */
    float *lo = malloc(n2 * 8 * sizeof(float)), *lm = malloc(n2 * 8 * sizeof(float));
    float *ws = malloc(box_ws(w2, h2, 8) * sizeof(float));
    float *band = malloc(n2 * sizeof(float)), *la = malloc(n2 * sizeof(float));
    float *col = malloc(n2 * 3 * sizeof(float));
    /* per output pixel: the mask's alpha before refinement (ears), then the
     * alpha a hole-closing raised (speck), and the reach of the person */
    float *a0 = malloc((size_t)w * h * sizeof(float)), *tmpa = malloc((size_t)w * h * sizeof(float));
    uint8_t *raised = calloc((size_t)w * h, 1), *mir = calloc((size_t)w * h, 1);
    int *queue = malloc((size_t)w * h * sizeof(int));
    uint8_t *dist = malloc((size_t)w * h);
    float *wide = malloc(n2 * 8 * sizeof(float));
    /* the trimap (PHOTO_TRI_*), the prior's weight for the solve, the ears'
     * floor of alpha, the band at the hair (wider), the foreground colour */
    uint8_t *cls = malloc((size_t)w * h);
    float *lam = malloc((size_t)w * h * sizeof(float)), *floorv = calloc((size_t)w * h, sizeof(float));
    float *bandw = malloc(n2 * sizeof(float)), *fg = malloc((size_t)w * h * 3 * sizeof(float));
    /* per output pixel, 0..255: how alike the local person and backdrop
     * colours are (step 3a's "low"), for shoulder_edge after the solve */
    uint8_t *lowq = calloc((size_t)w * h, 1);
    int rc = -1;
    if (!cls || !lam || !floorv || !bandw || !fg || !lowq)
        goto out;
    /* 0. a shoulder the mask smeared, mirrored from the other (above);
     * mir marks its pixels */
    int nmir = 0;
    if (!mir)
        goto out;
    if (th && th->axis_x > 0 && th->chin_y > th->eye_y)
        nmir = shoulder_mirror(alpha, rgb, w, h, th->axis_x, (th->chin_y - th->eye_y) * 9 / 20, th->chin_y, r, mir);
    if (!wide || !lo || !lm || !ws || !band || !la || !col || !a0 || !tmpa || !raised || !queue || !dist)
        goto out;
    for (size_t i = 0; i < (size_t)w * h; i++)
        a0[i] = alpha[i] < 0 ? 0 : alpha[i] > 1 ? 1 : alpha[i];
    /* 1. guided filter inputs (I, alpha, I*I, I*alpha) as 2x2 means, the
     * luminance computed on the fly (a full-size plane of it cost a pass
     * of its own); the 2x2 mean colour is kept for step 3.  An odd last
     * row or column is its own pair (counted twice). */
    for (int y = 0; y < h2; y++) {
        size_t ra = (size_t)(2 * y) * w, rb = (size_t)(2 * y + 1 < h ? 2 * y + 1 : 2 * y) * w;
        for (int x = 0; x < w2; x++) {
            int xa = 2 * x, xb = 2 * x + 1 < w ? 2 * x + 1 : 2 * x;
            size_t q[4] = {ra + xa, ra + xb, rb + xa, rb + xb};
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0, c0 = 0, c1 = 0, c2 = 0;
            for (int k = 0; k < 4; k++) {
                const uint8_t *px = rgb + 3 * q[k];
                float I = (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * (1.0f / 255);
                float al = alpha[q[k]];
                al = al < 0 ? 0 : al > 1 ? 1 : al;
                alpha[q[k]] = al;
                s0 += I, s1 += al, s2 += I * I, s3 += I * al;
                c0 += px[0], c1 += px[1], c2 += px[2];
            }
            float *o = lo + 4 * ((size_t)y * w2 + x), *cc = col + 3 * ((size_t)y * w2 + x);
            o[0] = 0.25f * s0, o[1] = 0.25f * s1, o[2] = 0.25f * s2, o[3] = 0.25f * s3;
            cc[0] = c0 * (0.25f / 255), cc[1] = c1 * (0.25f / 255), cc[2] = c2 * (0.25f / 255);
            la[(size_t)y * w2 + x] = o[1];
        }
    }
    box4(lo, lm, w2, h2, r2, ws);
    const float eps = 2e-4f;
    for (size_t i = 0; i < n2; i++) {
        float mI = lm[4 * i], mp = lm[4 * i + 1];
        float a = (lm[4 * i + 3] - mI * mp) / (lm[4 * i + 2] - mI * mI + eps);
        lo[2 * i] = a;
        lo[2 * i + 1] = mp - a * mI;
    }
    box2(lo, lm, w2, h2, r2, ws); /* lm: mean a, mean b */
    /* 2. the band: alpha is neither all 0 nor all 1 within 2r (r at half size) */
    box1(la, band, w2, h2, r, ws);
    box1(la, bandw, w2, h2, 2 * r, ws);
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            float bnd = band[(size_t)(v / 2) * w2 + u / 2], a = alpha[i];
            if (bnd > 0.002f && bnd < 0.998f) {
                float ab[2];
                const uint8_t *px = rgb + 3 * i;
                up2(lm, w2, h2, 2, u, v, ab);
                a = ab[0] * ((0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * (1.0f / 255)) + ab[1];
            }
            /* Exact 0 and 1 away from the edge keep the backdrop one flat
             * colour and the face untouched. */
            alpha[i] = a < 1.0f / 255 ? 0 : a > 254.0f / 255 ? 1 : a;
        }
    /* 3. local backdrop and person colours at half size, 8 channels:
     * weights (1-a)^2 and a^2 and the weighted colours, from the 2x2 means
     * of colour (step 1) and of the refined alpha.  The means are box
     * filtered again right after, so weighting the mean rather than each
     * pixel changes nothing visible and costs a quarter. */
    for (int y = 0; y < h2; y++) {
        size_t ra = (size_t)(2 * y) * w, rb = (size_t)(2 * y + 1 < h ? 2 * y + 1 : 2 * y) * w;
        for (int x = 0; x < w2; x++) {
            int xa = 2 * x, xb = 2 * x + 1 < w ? 2 * x + 1 : 2 * x;
            float a = 0.25f * (alpha[ra + xa] + alpha[ra + xb] + alpha[rb + xa] + alpha[rb + xb]);
            float wb = (1 - a) * (1 - a), wf = a * a;
            const float *cc = col + 3 * ((size_t)y * w2 + x);
            float *o = lo + 8 * ((size_t)y * w2 + x);
            o[0] = wb, o[4] = wf;
            for (int c = 0; c < 3; c++) {
                o[1 + c] = wb * cc[c];
                o[5 + c] = wf * cc[c];
            }
        }
    }
    box8(lo, lm, w2, h2, (3 * r + 1) / 2, ws);
    /* the wide models of the trimap's sure backdrop (coarse mask < 0.05)
     * and sure person (> 0.95), same layout as lm */
    for (size_t i = 0; i < n2; i++) {
        float wb = la[i] < 0.05f, wf = la[i] > 0.95f;
        const float *cc = col + 3 * i;
        float *o = lo + 8 * i;
        o[0] = wb, o[4] = wf;
        for (int c = 0; c < 3; c++)
            o[1 + c] = wb * cc[c], o[5 + c] = wf * cc[c];
    }
    box8(lo, wide, w2, h2, 6 * r, ws);
    /* 3a. alpha in the band from the pixel's colour (below); the face
     * oval is person for sure, and so is an ear wherever the coarse mask
     * saw person: skin against a beige wall is where the colour tests
     * below fail, and made ears half transparent. */
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            float a = alpha[i];
            uint8_t *px = rgb + 3 * i;
            int sure = th && th->sure ? th->sure[i] : 0;
            /* the face oval's rim where the coarse mask's edge is (oval_rim):
             * unknown, the solve places the edge */
            if (sure == 1 && oval_rim(th->sure, a0, w, h, u, v, band[(size_t)(v / 2) * w2 + u / 2]))
                sure = 0;
            /* the ear's outer rim: only where the mask is sure and of skin's hue */
            if (sure == 3 && (a0[i] < 0.8f || !skin_hue(rgb + 3 * i)))
                sure = 0;
            /* the trimap: above the chin (hair) the unknown band reaches
             * twice as far from the mask's edge as below it (shoulders) */
            int hair = !th || v < th->chin_y;
            size_t i2 = (size_t)(v / 2) * w2 + u / 2;
            float bnd = hair ? bandw[i2] : band[i2];
            cls[i] = sure == 1                          ? PHOTO_TRI_FG
                     : sure >= 2                        ? PHOTO_TRI_UNKNOWN
                     : a0[i] >= 0.95f && bnd >= 0.998f ? PHOTO_TRI_FG
                     : a0[i] < 0.05f && bnd <= 0.002f  ? PHOTO_TRI_BG
                                                        : PHOTO_TRI_UNKNOWN;
            /* the colour models' alpha is the prior; weaker where only the
             * wider hair band made the pixel unknown (there it is the mask's 0/1) */
            lam[i] = band[i2] > 0.002f && band[i2] < 0.998f ? 0.05f : 0.01f;
            if (th && th->tri)
                th->tri[i] = cls[i] == PHOTO_TRI_FG ? 1 : sure == 2 ? 0.75f : cls[i] == PHOTO_TRI_BG ? 0 : 0.5f;
            if (sure == 1) {
                alpha[i] = 1;
                continue;
            }
            /* Where the coarse mask is sure of an ear, it is ear whatever
             * its colour: a rim lit by a window is as light as the window
             * behind it, and the tests below made it half transparent. */
            /* Skin is never clearly bluer than red: such a pixel in an
             * ear region is something behind the ear (NUAA 0014_172: a
             * man's jeans right below her small ear, which the mask calls
             * person and the rules below held as ear), so no ear rule
             * holds it.  Not a window-lit rim, which may be as light and
             * as blue as the window (the luma bound). */
            int blue = px[2] > px[0] + BLUE_NOT_EAR && 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2] < 150;
            if (sure >= 2 && a0[i] >= 0.8f && !blue)
                floorv[i] = 1;
            float ear = -1; /* the coarse mask's say in an ear region */
            if (sure == 2 && !blue) {
                /* The wide models (below) at the ear: is there sure backdrop
                 * within their window, and is the pixel's colour clearly
                 * the backdrop's (the test below that takes all its alpha)? */
                const float *mw = wide + 8 * ((size_t)(v / 2) * w2 + u / 2);
                int smear = mw[0] <= 0.02f, backdrop = 0, notear = 0;
                if (!smear && mw[4] > 0.02f) {
                    float dB = 0, dF = 0;
                    for (int c = 0; c < 3; c++) {
                        float Iv = px[c] * (1.0f / 255), Bc = mw[1 + c] / mw[0], Fc = mw[5 + c] / mw[4];
                        dB += (Iv - Bc) * (Iv - Bc), dF += (Iv - Fc) * (Iv - Fc);
                    }
                    backdrop = dF > 0.10f * 0.10f && dB <= 0.16f * dF;
                    notear = dF > 0.10f * 0.10f && dB <= 0.25f * dF && !skin_hue(px);
                }
                /* An ear the mask is fairly sure of (a0 >= EAR_SURE, and
                 * its 8 neighbours >= EAR_SURE - 0.1: not the mask's soft
                 * edge, whose pixels mix skin and wall and kept a light rim
                 * of white wall round an ear) whose colour is not clearly
                 * the backdrop's is ear: a reddish ear on a tan wall is
                 * nearer the wall than the pale face and hair around it,
                 * and the tests below holed it. */
                if (a0[i] >= EAR_SURE && !backdrop && u > 0 && v > 0 && u < w - 1 && v < h - 1) {
                    int inner = 1;
                    for (int dy = -1; dy <= 1 && inner; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            inner &= a0[i + (ptrdiff_t)dy * w + dx] >= EAR_SURE - 0.1f;
                    if (inner)
                        floorv[i] = 1;
                }
                /* The mask's say, where it is unsure, not in a smear (no
                 * sure backdrop in the wide window: a wall the mask left
                 * half person all over, whose narrow models are the smear
                 * itself and find the colours alike): there the floor
                 * brought the wall back beside the ear.  Nor where the
                 * pixel is not of skin's hue and nearer the wide backdrop
                 * model than the person's by half (notear): the mesh's
                 * ellipse reaches past a small ear, and there the say kept
                 * a patch of the flag's navy canton beside the officer's
                 * ear (a0 0.37-0.52, alpha 0.7-0.97 after); skin on a wall
                 * of its colour, which the say is for, is of skin's hue. */
                ear = smear || notear ? 0 : (a0[i] - 0.15f) / 0.3f;
                ear = ear < 0 ? 0 : ear > 1 ? 1 : ear;
                if (ear <= 0)
                    ear = -1;
            }
            if (a <= 0 && ear < 0)
                continue;
            /* The trimap's unknown band, where the coarse mask was not sure
             * (a0 < 0.95): the pixel is also weighed against colour models
             * of the sure backdrop and the sure person from a window four
             * times wider (6r against 1.5r).  Inside a smear the mask left half person, the
             * narrow window's two means are the smear itself and tell
             * nothing; the wide ones see the real backdrop and hair. */
            if (a0[i] < 0.95f) {
                const float *mw = wide + 8 * ((size_t)(v / 2) * w2 + u / 2);
                if (mw[0] > 0.02f && mw[4] > 0.02f) {
                    float dB = 0, dF = 0, d[3], q[3], dd = 0, dq = 0;
                    for (int c = 0; c < 3; c++) {
                        float Iv = px[c] * (1.0f / 255), Bc = mw[1 + c] / mw[0], Fc = mw[5 + c] / mw[4];
                        dB += (Iv - Bc) * (Iv - Bc);
                        dF += (Iv - Fc) * (Iv - Fc);
                        d[c] = Fc - Bc, q[c] = Iv - Bc;
                        dd += d[c] * d[c], dq += d[c] * q[c];
                    }
                    dB = sqrtf(dB), dF = sqrtf(dF);
                    if (dF > 0.10f && dB < 0.8f * dF) {
                        float k = (dB / dF - 0.4f) / 0.4f;
                        a *= k < 0 ? 0 : k;
                    }
                    float wgt = (sqrtf(dd) - 0.12f) / 0.18f;
                    if (wgt > 0) {
                        float ap = dq / dd;
                        ap = ap < 0 ? 0 : ap > 1 ? 1 : ap;
                        if (ap < a)
                            a = a + (ap - a) * (wgt > 1 ? 1 : wgt);
                    }
                }
            }
            /* Fully person and no backdrop anywhere in the window: as is. */
            const float *mh = lm + 8 * ((size_t)(v / 2) * w2 + u / 2);
            if (a >= 1 && mh[0] < 0.02f)
                continue;
            float mm[8];
            up2(lm, w2, h2, 8, u, v, mm);
            float low = 1; /* 1 where the local person and backdrop colours are alike */
            if (mm[0] > 1e-3f && mm[4] > 1e-3f) {
                float dd = 0;
                for (int c = 0; c < 3; c++) {
                    float dc = mm[5 + c] / mm[4] - mm[1 + c] / mm[0];
                    dd += dc * dc;
                }
                low = 1 - (sqrtf(dd) - 0.12f) / 0.18f;
                low = low < 0 ? 0 : low > 1 ? 1 : low;
            }
            lowq[i] = (uint8_t)lrintf(low * 255);
            /* The colour-distance test against the old backdrop: a pixel
             * much nearer the local backdrop colour than the local person
             * colour is backdrop, whatever the mask says.  It catches
             * what the projection below cannot: backdrop seen through a
             * hole the mask filled as person (a beige wall between hair and
             * neck, where skin and wall are too alike for the projection),
             * and specks of a busy background (a red object by the ear)
             * that the guided filter left half person.  It runs only where
             * the window holds backdrop, i.e. near the silhouette. */
            if (mm[0] > 0.02f && mm[4] > 1e-3f) {
                float dB = 0, dF = 0;
                for (int c = 0; c < 3; c++) {
                    float Iv = px[c] * (1.0f / 255), Bc = mm[1 + c] / mm[0], Fc = mm[5 + c] / mm[4];
                    dB += (Iv - Bc) * (Iv - Bc);
                    dF += (Iv - Fc) * (Iv - Fc);
                }
                dB = sqrtf(dB), dF = sqrtf(dF);
                /* keep alpha when dB >= 0.8 dF, none when dB <= 0.4 dF;
                 * a pixel near both (low contrast) keeps its alpha */
                if (dF > 0.10f && dB < 0.8f * dF) {
                    float k = (dB / dF - 0.4f) / 0.4f;
                    k = k < 0 ? 0 : k;
                    a *= k;
                }
            }
            if (a < 1 && mm[0] > 1e-3f && mm[4] > 1e-3f) {
                /* Where the local person and backdrop colours differ clearly
                 * (dark hair on a light wall), the pixel's own colour says how
                 * much of it is person better than the coarse mask does: its
                 * position between the two means (projection).  This clears
                 * the light halo of backdrop seen between loose strands, which
                 * the mask calls half person.  Where the two are alike (skin on
                 * a beige wall) the mask's alpha stands. */
                float d[3], q[3], dd = 0, dq = 0;
                for (int c = 0; c < 3; c++) {
                    float Bc = mm[1 + c] / mm[0], Fc = mm[5 + c] / mm[4];
                    d[c] = Fc - Bc;
                    q[c] = px[c] * (1.0f / 255) - Bc;
                    dd += d[c] * d[c];
                    dq += d[c] * q[c];
                }
                float contrast = sqrtf(dd);
                float wgt = (contrast - 0.12f) / 0.18f; /* 0 below 0.12, 1 above 0.30 */
                if (wgt > 0) {
                    wgt = wgt > 1 ? 1 : wgt;
                    float ap = dq / dd;
                    ap = ap < 0 ? 0 : ap > 1 ? 1 : ap;
                    /* only ever lower alpha: the projection removes
                     * backdrop, it does not invent person */
                    if (ap < a)
                        a = a + (ap - a) * wgt;
                }
            }
            /* An ear against a backdrop of its own colour: the tests above
             * cannot tell skin from wall and would make it half
             * transparent; there the coarse mask, which saw an ear, stands.
             * Against a backdrop of another colour the tests are right and
             * the mask's soft edge would bring back a halo of wall. */
            if (ear > 0 && ear * low > a)
                a = ear * low;
            if (ear > 0 && ear * low > floorv[i])
                floorv[i] = ear * low;
            alpha[i] = a < 1.0f / 255 ? 0 : a;
        }
    /* 3a''. Pockets of old backdrop enclosed by the person (above): the
     * trimap's backdrop.  A pixel of a pocket goes only when its own colour
     * is backdrop-like too and it is at least 3 px from the face oval, so
     * the jaw's edge keeps its skin. */
    if (th && th->sure) {
        uint8_t *pocket = (uint8_t *)dist; /* n2 <= w*h; dist is free until 3c */
        /* the sure backdrop's colour from a window twice as wide again as
         * the wide models' (a pocket lies deep in the hair's wide band):
         * weight and 3 weighted colours; lo is free from here on */
        float *bgm = lo + 4 * n2;
        for (size_t i = 0; i < n2; i++) {
            float wb = la[i] < 0.05f;
            lo[4 * i] = wb;
            for (int c = 0; c < 3; c++)
                lo[4 * i + 1 + c] = wb * col[3 * i + c];
        }
        box4(lo, bgm, w2, h2, 12 * r, ws);
        int np = backdrop_pockets(col, la, wide, bgm, th->sure, th->chin_y + (th->chin_y - th->eye_y) / 3, w, h,
                                  w2, h2, pocket);
        if (np < 0)
            goto out;
        for (int v = 0; np > 0 && v < h; v++)
            for (int u = 0; u < w; u++) {
                size_t i = (size_t)v * w + u, i2 = (size_t)(v / 2) * w2 + u / 2;
                if (!pocket[i2] || th->sure[i])
                    continue;
                const float *mw = bgm + 4 * i2;
                const uint8_t *px = rgb + 3 * i;
                float dB = 0;
                for (int c = 0; c < 3; c++) {
                    float b = px[c] * (1.0f / 255) - mw[1 + c] / mw[0];
                    dB += b * b;
                }
                float pc[3] = {px[0] * (1.0f / 255), px[1] * (1.0f / 255), px[2] * (1.0f / 255)};
                float pb[3] = {mw[1] / mw[0], mw[2] / mw[0], mw[3] / mw[0]};
                if (dB >= 0.14f * 0.14f && shade_of(pc, pb) >= POCKET_SHADE * 1.2f)
                    continue;
                int nearface = 0;
                for (int dy = -3; dy <= 3 && !nearface; dy += 3)
                    for (int dx = -3; dx <= 3; dx += 3) {
                        int x = u + dx, y = v + dy;
                        if (x >= 0 && y >= 0 && x < w && y < h && th->sure[(size_t)y * w + x] == 1)
                            nearface = 1;
                    }
                if (nearface)
                    continue;
                cls[i] = PHOTO_TRI_BG, alpha[i] = 0, floorv[i] = 0;
                if (th->tri)
                    th->tri[i] = 0;
                /* its edge is the band's: the solve makes it follow the
                 * colour lines instead of the half-size blocks */
                for (int y = v - 2; y <= v + 2; y++)
                    for (int x = u - 2; x <= u + 2; x++)
                        if (x >= 0 && y >= 0 && x < w && y < h && cls[(size_t)y * w + x] == PHOTO_TRI_FG &&
                            !th->sure[(size_t)y * w + x]) {
                            cls[(size_t)y * w + x] = PHOTO_TRI_UNKNOWN;
                            if (th->tri)
                                th->tri[(size_t)y * w + x] = 0.5f;
                        }
            }
    }
    /* the pixels of a colour of their own, from backdrop_objects to
     * behind_objects (tmpa is free until the closing, step 3b) */
    uint8_t *fgn = (uint8_t *)tmpa;
    /* 3a'''. Objects of the old backdrop beside the head (above): the
     * trimap's backdrop, their edge unknown. */
    if (th && th->sure) {
        uint8_t *obj = (uint8_t *)dist;
        memset(obj, 0, (size_t)w * h);
        int y0 = th->eye_y - (th->chin_y - th->eye_y), y1 = th->chin_y;
        int no = backdrop_objects(rgb, cls, a0, th->sure, wide, w, h, y0, y1, fgn, queue, obj);
        if (no > 0)
            take_objects(obj, 1, cls, alpha, floorv, th, w, h);
    }
    /* 3a'''''. Pieces of other people behind the student (behind_objects,
     * above): the trimap's backdrop, their edge unknown. */
    if (th && th->sure && th->eye_y > 0 && th->chin_y > th->eye_y) {
        uint8_t *obj = (uint8_t *)dist;
        memset(obj, 0, (size_t)w * h);
        int y0 = th->eye_y - (th->chin_y - th->eye_y), y1 = th->chin_y;
        int no = behind_objects(rgb, cls, a0, th->sure, w, h, th->eye_y, th->chin_y, th->axis_x, y0, y1, fgn, queue,
                                obj);
        if (no < 0)
            goto out;
        if (no > 0) /* a ring of r: the solve places the rim of its shade */
            take_objects(obj, r, cls, alpha, floorv, th, w, h);
    }
    /* 3a''''. Pixels of the unknown band of one of the backdrop's own
     * colours (backdrop_samples): the trimap's backdrop. */
    if (th && th->sure) {
        uint8_t *bgc = (uint8_t *)dist;
        memset(bgc, 0, (size_t)w * h);
        int ec = th->chin_y - th->eye_y;
        int nb = backdrop_samples(rgb, cls, th->sure, col, la, alpha, w, h, w2, h2, th->chin_y + ec / 3,
                                  th->eye_y > 0 && ec > 0 ? th->eye_y : 0, ec * ec / 40, bgc);
        if (nb < 0)
            goto out;
        for (size_t i = 0; nb > 0 && i < (size_t)w * h; i++)
            if (bgc[i]) {
                cls[i] = PHOTO_TRI_BG, alpha[i] = 0, floorv[i] = 0;
                if (th->tri)
                    th->tri[i] = 0;
            }
    }
    /* 3a'. Closed-form matting of the unknown band (tc_photo_matte.c): the
     * per-pixel alpha above is the prior, the trimap's known pixels the
     * constraints; alpha follows the colour lines of hair and shoulders at
     * the output's resolution.  The ears keep their floor. */
    for (size_t i = 0; i < (size_t)w * h; i++) {
        if (floorv[i] >= 0.95f) /* an ear the mask saw, against a backdrop of its colour: a constraint */
            cls[i] = PHOTO_TRI_FG;
        if (cls[i] != PHOTO_TRI_UNKNOWN)
            alpha[i] = cls[i] == PHOTO_TRI_FG ? 1 : 0;
    }
    if (photo_matte_solve(rgb, w, h, cls, lam, alpha, MATTE_MAX_ITER, NULL) != 0)
        goto out;
    /* The shoulders' edge where clothes and backdrop look alike
     * (shoulder_edge, above); lam, tmpa and ws are free after the solve,
     * and ws, sized for eight half-size planes, holds a full-size one */
    assert(box_ws(w, h, 1) <= box_ws(w2, h2, 8));
    if (th && th->chin_y > 0)
        shoulder_edge(rgb, lm, w2, h2, cls, th->sure, th->eye_y, th->chin_y, lowq, r, w, h, ws, lam, tmpa, alpha);
    /* head_plateau's flatness planes (2 w*h floats) in wide, free after step 3a */
    assert((size_t)2 * w * h <= n2 * 8);
    if (th && th->chin_y > 0)
        head_plateau(rgb, lm, w2, h2, cls, th->chin_y, r, w, h, ws, tmpa, wide, alpha);
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (floorv[i] > alpha[i])
            alpha[i] = floorv[i];
    /* 3b. Specks: the tests above judge each pixel alone, so a light
     * strand or a glint inside the hair, near the light backdrop's colour,
     * became a hole through which the new blue showed (the light and cyan
     * specks inside the hair outline).  A morphological closing of alpha
     * (dilation then erosion, a 3x3 square per 320 px of width) fills holes
     * narrower than the square and leaves the outline where it is; it runs
     * above the chin, where hair is, wherever alpha is below 1.  A filled pixel takes the
     * local person colour below, not its own, as far as it was raised.  How
     * far grows with its gap below the closing (close_weight): with one cut
     * (a hole 0.2 deep filled, one a level shallower left as it was) the
     * release build's alpha, a few levels off the debug build's (the vision
     * nets' fused multiply-adds), filled other pixels than the tested
     * build's (docs/QUALITY.md, session 17). */
    int cr = w / 320 > 1 ? w / 320 : 1, vmax = th && th->chin_y < h ? (th->chin_y > 0 ? th->chin_y : 0) : h;
    /* the dilation, separable (a maximum is exact in any order): the
     * rows' maxima into lam (free after the solve), then the columns' */
    int vd = vmax + cr < h ? vmax + cr : h, vr = vd + cr < h ? vd + cr : h;
    for (int y = 0; y < vr; y++) {
        const float *ar = alpha + (size_t)y * w;
        float *hr = lam + (size_t)y * w;
        for (int u = 0; u < w; u++) {
            float m = 0;
            for (int x = u - cr < 0 ? 0 : u - cr, x1 = u + cr < w ? u + cr : w - 1; x <= x1; x++)
                m = ar[x] > m ? ar[x] : m;
            hr[u] = m;
        }
    }
    for (int v = 0; v < vd; v++) {
        float *t = tmpa + (size_t)v * w;
        int y0 = v - cr < 0 ? 0 : v - cr, y1 = v + cr < h ? v + cr : h - 1;
        memcpy(t, lam + (size_t)y0 * w, (size_t)w * sizeof(float));
        for (int y = y0 + 1; y <= y1; y++) {
            const float *hr = lam + (size_t)y * w;
            for (int u = 0; u < w; u++)
                t[u] = hr[u] > t[u] ? hr[u] : t[u];
        }
    }
    for (int v = cr; v < vmax && v < h - cr; v++)
        for (int u = cr; u < w - cr; u++) {
            size_t i = (size_t)v * w + u;
            if (alpha[i] >= 1 || tmpa[i] <= alpha[i] + CLOSE_GAP0)
                continue;
            float m = 1;
            for (int y = v - cr; y <= v + cr; y++)
                for (int x = u - cr; x <= u + cr; x++)
                    if (tmpa[(size_t)y * w + x] < m)
                        m = tmpa[(size_t)y * w + x];
            float t = close_weight(m - alpha[i]);
            if (t > 0) {
                alpha[i] += (m - alpha[i]) * t;
                raised[i] = (uint8_t)(1 + lrintf(t * 254));
            }
        }
    if (th && fill_specks(alpha, cls, w, h, vmax, SPECK_AREA(w), raised, dist, queue) < 0)
        goto out;
    /* 3c. What is not joined to the person goes: a flood from a point of
     * the face through alpha >= 1/2 finds the person's core; pixels of any
     * alpha within the band's width of the core through visible alpha
     * stay.  Islands of old backdrop the mask kept (a shelf
     * post beside an ear, a patch of wall) are removed. */
    if (th && th->seed_x >= 0 && th->seed_y >= 0 && th->seed_x < w && th->seed_y < h &&
        alpha[(size_t)th->seed_y * w + th->seed_x] >= 0.5f) {
        const int D = 4 * r + 2 < 250 ? 4 * r + 2 : 250; /* the unknown band at the hair reaches 4r */
        memset(dist, 255, (size_t)w * h);
        size_t qn = 0;
        int s0 = th->seed_y * w + th->seed_x;
        /* a pixel's row and column without a division per pixel:
         * (i + 1/2) / w is never within rounding of an integer */
        const double invw = 1.0 / w;
        /* The core (4-connected, alpha >= 1/2) by runs of a row rather than
         * pixel by pixel: the same set, found in a third of the time.  A
         * pixel is on the stack at most once (dist 1 while it waits), so
         * the stack (queue) never holds more than w*h. */
        dist[s0] = 1;
        queue[qn++] = s0;
        while (qn > 0) {
            int i = queue[--qn];
            if (dist[i] == 0) /* filled meanwhile, with a run it waited in */
                continue;
            int y = (int)((i + 0.5) * invw), x = i - y * w, xl = x, xr = x;
            const size_t row = (size_t)y * w;
            while (xl > 0 && dist[row + xl - 1] != 0 && alpha[row + xl - 1] >= 0.5f)
                xl--;
            while (xr < w - 1 && dist[row + xr + 1] != 0 && alpha[row + xr + 1] >= 0.5f)
                xr++;
            memset(dist + row + xl, 0, (size_t)(xr - xl + 1));
            for (int ny = y - 1; ny <= y + 1; ny += 2) {
                if (ny < 0 || ny >= h)
                    continue;
                const size_t nr = (size_t)ny * w;
                for (int xx = xl; xx <= xr; xx++)
                    if (dist[nr + xx] == 255 && alpha[nr + xx] >= 0.5f) {
                        /* one pixel of each run beside: its own run
                         * reaches the rest */
                        dist[nr + xx] = 1, queue[qn++] = (int)(nr + xx);
                        while (xx + 1 <= xr && dist[nr + xx + 1] == 255 && alpha[nr + xx + 1] >= 0.5f)
                            xx++;
                    }
            }
        }
        /* reach, breadth first from the core, 8-connected, through pixels
         * that show (alpha >= 0.1: a strand); a fainter pixel beside them is
         * kept but leads nowhere, so haze cut off from the hair goes.  Below
         * the eyes, where long hair falls on the shoulders past the things
         * of a room, a pixel leads on only from alpha 0.25: a faint line a
         * gap away from the hair's edge (a box's edge behind it, seen
         * through a 1-px gap of its own colour) made that edge ragged. */
        const int lead_y = th->eye_y > 0 ? th->eye_y : h;
        /* Only the core's pixels with a neighbour outside it can reach
         * anything: they are the breadth-first search's sources (the
         * distances are the same whatever the sources' order).  dist is 0
         * (core) or 255 here; the 3x3 maximum (pixels past the picture
         * counted as core) finds them, a row's maxima in tmpa first. */
        uint8_t *hmax = (uint8_t *)tmpa; /* free after the closing */
        for (int y = 0; y < h; y++) {
            const uint8_t *dr = dist + (size_t)y * w;
            uint8_t *hr = hmax + (size_t)y * w;
            for (int x = 0; x < w; x++) {
                uint8_t m = dr[x];
                m = x > 0 && dr[x - 1] > m ? dr[x - 1] : m;
                m = x < w - 1 && dr[x + 1] > m ? dr[x + 1] : m;
                hr[x] = m;
            }
        }
        qn = 0;
        for (int y = 0; y < h; y++) {
            const uint8_t *up = hmax + (size_t)(y > 0 ? y - 1 : y) * w, *mid = hmax + (size_t)y * w;
            const uint8_t *dn = hmax + (size_t)(y < h - 1 ? y + 1 : y) * w, *dr = dist + (size_t)y * w;
            for (int x = 0; x < w; x++)
                if (dr[x] == 0 && (up[x] | mid[x] | dn[x]) == 255)
                    queue[qn++] = y * w + x;
        }
        for (size_t k = 0; k < qn; k++) {
            int i = queue[k], y = (int)((i + 0.5) * invw), x = i - y * w, d = dist[i];
            if (d >= D)
                continue;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy, j = i + dy * w + dx;
                    if ((dx | dy) == 0 || xx < 0 || yy < 0 || xx >= w || yy >= h || dist[j] != 255 || alpha[j] <= 0)
                        continue;
                    dist[j] = (uint8_t)(d + 1);
                    if (alpha[j] >= (yy > lead_y ? 0.25f : 0.1f))
                        queue[qn++] = j;
                }
        }
        for (size_t i = 0; i < (size_t)w * h; i++)
            if (dist[i] == 255)
                alpha[i] = 0;
    }
    /* 3c'. The mirrored shoulder (step 0) keeps the mirror's alpha: white
     * on white, the tests above and the solve had nothing to go on. */
    for (size_t i = 0; nmir > 0 && i < (size_t)w * h; i++)
        if (mir[i])
            alpha[i] = a0[i] < 1.0f / 255 ? 0 : a0[i];
    /* 3d. Foreground colour and the new background: in the band a pixel is
     * a*F + (1-a)*B_old; F from the multi-level estimate (Germer et al.,
     * tc_photo_matte.c); a hole the closing filled takes the local person
     * colour instead of its own. */
    if (photo_foreground(rgb, alpha, w, h, fg) != 0)
        goto out;
    for (int v = 0; v < h; v++)
        for (int u = 0; u < w; u++) {
            size_t i = (size_t)v * w + u;
            float a = alpha[i];
            uint8_t *px = rgb + 3 * i;
            if (a <= 0) {
                px[0] = bg[0], px[1] = bg[1], px[2] = bg[2];
                continue;
            }
            if (a >= 1 && !raised[i])
                continue;
            float mm[8] = {0}, rw = raised[i] ? (raised[i] - 1) * (1.0f / 254) : 0;
            if (raised[i])
                up2(lm, w2, h2, 8, u, v, mm);
            for (int c = 0; c < 3; c++) {
                float Iv = px[c] * (1.0f / 255);
                float F = fg[3 * i + c];
                if (raised[i]) /* the local person colour, as much as the pixel was raised */
                    F += ((mm[4] > 1e-6f ? mm[5 + c] / mm[4] : Iv) - F) * rw;
                float o = a * F + (1 - a) * (bg[c] * (1.0f / 255));
                int q = (int)lrintf(o * 255.0f);
                px[c] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
            }
        }
    rc = 0;
out:
    free(lo), free(lm), free(ws), free(band), free(la), free(col);
    free(a0), free(tmpa), free(raised), free(queue), free(dist), free(wide);
    free(cls), free(lam), free(floorv), free(bandw), free(fg), free(mir), free(lowq);
    return rc;
}

/* ---- compose ----------------------------------------------------------------------------- */

static void to_out(const double m[6], const float p[2], double q[2])
{
    q[0] = m[0] * p[0] + m[1] * p[1] + m[2];
    q[1] = m[3] * p[0] + m[4] * p[1] + m[5];
}

/* The sure part of the trimap from the mesh, in output pixels: the face
 * oval (even-odd fill of the ring) is 1; beside the oval's ear-level points
 * (234, 454), an ellipse reaching outward a third of the half face and
 * up and down about the ear's height is 2.  The mesh does not cover the
 * ears; the ellipse is where they are on a face seen from the front, and
 * compose only trusts it where the coarse mask saw person too. */
static void mesh_trimap(const tc_photo_face_geom *g, const double m[6], int W, int H, uint8_t *sure, double seed[2])
{
    enum { N = TC_PHOTO_OVAL_POINTS, EAR_A = 8, EAR_B = 28 };
    double q[N][2], c[2] = {0, 0};
    for (int i = 0; i < N; i++) {
        to_out(m, g->oval[i], q[i]);
        c[0] += q[i][0] / N, c[1] += q[i][1] / N;
    }
    seed[0] = c[0], seed[1] = c[1];
    for (int v = 0; v < H; v++) {
        double y = v + 0.5, xs[N];
        int n = 0;
        for (int i = 0; i < N; i++) {
            const double *a = q[i], *b = q[(i + 1) % N];
            if ((a[1] <= y) != (b[1] <= y))
                xs[n++] = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        }
        for (int i = 1; i < n; i++) /* insertion sort: a handful */
            for (int j = i; j > 0 && xs[j] < xs[j - 1]; j--) {
                double t = xs[j];
                xs[j] = xs[j - 1], xs[j - 1] = t;
            }
        for (int i = 0; i + 1 < n; i += 2) {
            int u0 = (int)ceil(xs[i] - 0.5), u1 = (int)floor(xs[i + 1] - 0.5);
            for (int u = u0 < 0 ? 0 : u0; u <= u1 && u < W; u++)
                sure[(size_t)v * W + u] = 1;
        }
    }
    const int ears[2] = {EAR_A, EAR_B};
    for (int k = 0; k < 2; k++) {
        const double *p = q[ears[k]];
        double dx = p[0] - c[0], dy = p[1] - c[1], hf = hypot(dx, dy);
        if (!(hf > 2))
            continue;
        dx /= hf, dy /= hf;
        double ex = p[0] + dx * 0.12 * hf, ey = p[1] + dy * 0.12 * hf;
        double ra = 0.18 * hf, rb = 0.32 * hf; /* outward, along the face */
        int x0 = (int)floor(ex - rb), x1 = (int)ceil(ex + rb), y0 = (int)floor(ey - rb), y1 = (int)ceil(ey + rb);
        for (int v = y0 < 0 ? 0 : y0; v <= y1 && v < H; v++)
            for (int u = x0 < 0 ? 0 : x0; u <= x1 && u < W; u++) {
                double rx = u + 0.5 - ex, ry = v + 0.5 - ey;
                double s = rx * dx + ry * dy, t = -rx * dy + ry * dx;
                if ((s * s) / (ra * ra) + (t * t) / (rb * rb) <= 1 && sure[(size_t)v * W + u] != 1)
                    sure[(size_t)v * W + u] = 2;
            }
        /* 3: the ear's outer rim, beyond the ellipse on ears that stand
         * out (compose trusts it only where the coarse mask is sure) */
        double ox = p[0] + dx * 0.24 * hf, oy = p[1] + dy * 0.24 * hf, oa = 0.26 * hf, ob = 0.34 * hf;
        x0 = (int)floor(ox - ob), x1 = (int)ceil(ox + ob), y0 = (int)floor(oy - ob), y1 = (int)ceil(oy + ob);
        for (int v = y0 < 0 ? 0 : y0; v <= y1 && v < H; v++)
            for (int u = x0 < 0 ? 0 : x0; u <= x1 && u < W; u++) {
                double rx = u + 0.5 - ox, ry = v + 0.5 - oy;
                double s = rx * dx + ry * dy, t = -rx * dy + ry * dx;
                if ((s * s) / (oa * oa) + (t * t) / (ob * ob) <= 1 && sure[(size_t)v * W + u] == 0)
                    sure[(size_t)v * W + u] = 3;
            }
    }
}

void tc_photo_mesh_zones(const tc_photo_face_geom *g, int w, int h, uint8_t *zone)
{
    static const double identity[6] = {1, 0, 0, 0, 1, 0};
    double seed[2];
    memset(zone, 0, (size_t)w * h);
    mesh_trimap(g, identity, w, h, zone, seed);
}

int tc_photo_layout_unmap(const tc_photo_layout *lay, double u, double v, double *x, double *y)
{
    const double *m = lay->m;
    double det = m[0] * m[4] - m[1] * m[3];
    if (!(fabs(det) > 1e-12))
        return -1;
    double du = u - m[2], dv = v - m[5];
    *x = (m[4] * du - m[1] * dv) / det;
    *y = (-m[3] * du + m[0] * dv) / det;
    return 0;
}

static void clear_outside(const tc_photo_layout *lay, int W, int H, int sw, int sh, float *alpha)
{
    /* tc_photo_layout_unmap's map with a product instead of a division per
     * pixel (this runs over whole rows) */
    const double *m = lay->m;
    double det = m[0] * m[4] - m[1] * m[3], idet = 1 / det;
    for (int v = 0; v < H; v++) {
        /* the source position is linear along a row and the picture
         * convex: a row whose two ends are inside by a margin far above
         * rounding is inside all along (the usual row: nothing to do) */
        int in = 1;
        for (int k = 0; k < 2 && in; k++) {
            double du = (k ? W - 1 : 0) + 0.5 - m[2], dv = v + 0.5 - m[5];
            double x = (m[4] * du - m[1] * dv) * idet, y = (-m[3] * du + m[0] * dv) * idet;
            in = x > -0.5 + 1e-3 && y > -0.5 + 1e-3 && x < sw + 0.5 - 1e-3 && y < sh + 0.5 - 1e-3;
        }
        if (in)
            continue;
        for (int u = 0; u < W; u++) {
            double du = u + 0.5 - m[2], dv = v + 0.5 - m[5];
            double nx = m[4] * du - m[1] * dv, ny = -m[3] * du + m[0] * dv;
            /* a product instead of a division per pixel; within a hair of a
             * limit (where the two may round apart) the division decides */
            double x = nx * idet, y = ny * idet;
            if (fabs(x + 0.5) < 1e-6 || fabs(y + 0.5) < 1e-6 || fabs(x - sw - 0.5) < 1e-6 || fabs(y - sh - 0.5) < 1e-6)
                x = nx / det, y = ny / det;
            if (x < -0.5 || y < -0.5 || x > sw + 0.5 || y > sh + 0.5)
                alpha[(size_t)v * W + u] = 0;
        }
    }
}

static double outside_fraction(const tc_photo_layout *lay, int W, int H, int sw, int sh)
{
    int outc = 0, all = 0;
    for (int v = 2; v < H; v += 4)
        for (int u = 2; u < W; u += 4) {
            double x, y;
            if (tc_photo_layout_unmap(lay, u, v, &x, &y) != 0)
                return 1;
            all++;
            outc += x < 0 || y < 0 || x >= sw || y >= sh;
        }
    return all ? (double)outc / all : 0;
}

int tc_photo_compose(const tc_photo_src *src, const tc_photo_face_geom *g, const tc_photo_mask *mask,
                     const tc_spec *spec, const tc_photo_compose_opts *o, tc_photo_rgb *out,
                     tc_photo_layout *lay_out, tc_photo_mask *alpha_out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (alpha_out)
        memset(alpha_out, 0, sizeof *alpha_out);
    if (o->trimap_out)
        memset(o->trimap_out, 0, sizeof *o->trimap_out);
    tc_photo_layout lay;
    tc_err pe = {0};
    if (tc_photo_plan(g, spec, src->width, src->height, &lay, &pe) != 0 && (o->strict || !lay.scale)) {
        if (e)
            *e = pe;
        if (lay_out)
            *lay_out = lay;
        return -1;
    }
    if (!o->keep_background && (!mask || !mask->a || mask->width <= 0 || mask->height <= 0))
        return tc_err_set(e, TCE_PHOTO_BAD_MASK);
    const int W = spec->width, H = spec->height;
    lay.outside_frac = outside_fraction(&lay, W, H, src->width, src->height);

    tc_photo_mask alpha = {W, H, malloc((size_t)W * H * sizeof(float))};
    if (!alpha.a)
        return tc_err_internal(e, "photo: out of memory");
    if (o->keep_background) {
        for (size_t i = 0; i < (size_t)W * H; i++)
            alpha.a[i] = 1;
    } else if (warp_mask_bilinear(mask, (double)mask->width / src->width, (double)mask->height / src->height,
                                  lay.m, W, H, alpha.a) != 0) {
        VipsImage *mimg = NULL, *mw = NULL;
        mimg = vips_image_new_from_memory(mask->a, (size_t)mask->width * mask->height * sizeof(float), mask->width,
                                          mask->height, 1, VIPS_FORMAT_FLOAT);
        if (!mimg || warp(mimg, (double)mask->width / src->width, (double)mask->height / src->height, lay.m, W, H,
                          &mw) != 0) {
            if (mimg)
                g_object_unref(mimg);
            tc_photo_mask_free(&alpha);
            return photo_vips_error(e, "photo.bad_mask", "mask warp");
        }
        size_t n = 0;
        float *p = vips_image_write_to_memory(mw, &n);
        g_object_unref(mw);
        g_object_unref(mimg);
        if (!p || n != (size_t)W * H * sizeof(float)) {
            g_free(p);
            tc_photo_mask_free(&alpha);
            return photo_vips_error(e, "internal", "mask read");
        }
        memcpy(alpha.a, p, n);
        g_free(p);
    }
    /* Never invent pixels: wherever the crop reaches past the picture (only
     * above the head when the plan fits; anywhere when a caller composes a
     * plan that does not), the new background shows, not a repeated edge. */
    if (!o->keep_background)
        clear_outside(&lay, W, H, src->width, src->height, alpha.a);
    if (warp_photo(src, fmin(1.0, lay.scale), lay.m, W, H, out, e) != 0) {
        tc_photo_mask_free(&alpha);
        return -1;
    }
    if (o->tone) /* a pixel's three channels at a time, no modulo per byte */
        for (uint8_t *q = out->px, *end = out->px + (size_t)W * H * 3; q < end; q += 3)
            q[0] = o->tone[0][q[0]], q[1] = o->tone[1][q[1]], q[2] = o->tone[2][q[2]];
    if (!o->keep_background) {
        /* the trimap's sure person and the seed of the person, from the
         * mesh when there is one, else a point between eyes and chin */
        trimap_hint th = {NULL, -1, -1, H, 0, -1, NULL};
        if (o->trimap_out) {
            memset(o->trimap_out, 0, sizeof *o->trimap_out);
            o->trimap_out->a = malloc((size_t)W * H * sizeof(float));
            if (o->trimap_out->a) {
                o->trimap_out->width = W, o->trimap_out->height = H;
                th.tri = o->trimap_out->a;
            }
        }
        uint8_t *sure = NULL;
        double seed[2], chin[2];
        int have_oval = 1;
        for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++)
            have_oval &= pt_ok(g->oval[i]);
        if (have_oval && (sure = calloc((size_t)W * H, 1)) != NULL) {
            mesh_trimap(g, lay.m, W, H, sure, seed);
            th.sure = sure;
        } else {
            float mid[2] = {(g->left_eye[0] + g->right_eye[0] + 2 * g->chin[0]) / 4,
                            (g->left_eye[1] + g->right_eye[1] + 2 * g->chin[1]) / 4};
            to_out(lay.m, mid, seed);
        }
        to_out(lay.m, g->chin, chin);
        th.seed_x = (int)floor(seed[0]), th.seed_y = (int)floor(seed[1]);
        th.chin_y = chin[1] < 0 ? 0 : chin[1] > H ? H : (int)chin[1];
        float eyes[2] = {(g->left_eye[0] + g->right_eye[0]) / 2, (g->left_eye[1] + g->right_eye[1]) / 2};
        double eo[2];
        to_out(lay.m, eyes, eo);
        th.eye_y = eo[1] < 0 ? 0 : eo[1] > th.chin_y ? th.chin_y : (int)eo[1];
        th.axis_x = (int)lrint((eo[0] + chin[0]) / 2);
        int rrc = (have_oval && !sure) ? -1 : replace_background(out->px, alpha.a, W, H, o->background, &th);
        free(sure);
        if (rrc != 0) {
            if (o->trimap_out)
                tc_photo_mask_free(o->trimap_out);
            tc_photo_rgb_free(out);
            tc_photo_mask_free(&alpha);
            return tc_err_internal(e, "photo: out of memory");
        }
    }
    if (lay_out)
        *lay_out = lay;
    if (alpha_out)
        *alpha_out = alpha;
    else
        tc_photo_mask_free(&alpha);
    return 0;
}

/* ---- a keyed mask for plain backdrops (developer aid) ---------------------------------------- */

int tc_photo_mask_plain_bg(const tc_photo_rgb *im, tc_photo_mask *out, tc_err *e)
{
    int w = im->width, h = im->height;
    size_t n = (size_t)w * h;
    memset(out, 0, sizeof *out);
    float *L = malloc(n * 3 * sizeof(float));
    int *stack = malloc(n * sizeof(int));
    uint8_t *seen = calloc(n, 1);
    float *a = malloc(n * sizeof(float));
    if (!L || !stack || !seen || !a) {
        free(L), free(stack), free(seen), free(a);
        return tc_err_internal(e, "photo: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        double rgb[3] = {im->px[3 * i], im->px[3 * i + 1], im->px[3 * i + 2]}, lab[3];
        tc_photo_srgb_lab(rgb, lab);
        L[3 * i] = (float)lab[0];
        L[3 * i + 1] = (float)lab[1];
        L[3 * i + 2] = (float)lab[2];
    }
    /* The backdrop's colour: the top corners, which a head-and-shoulders
     * photo leaves empty. */
    double mean[3] = {0, 0, 0};
    int cnt = 0, bw = w / 10 > 1 ? w / 10 : 1, bh = h / 10 > 1 ? h / 10 : 1;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < w; x++) {
            if (x >= bw && x < w - bw)
                continue;
            for (int c = 0; c < 3; c++)
                mean[c] += L[3 * ((size_t)y * w + x) + c];
            cnt++;
        }
    for (int c = 0; c < 3; c++)
        mean[c] /= cnt;
    /* Grow the backdrop from the top and side edges through pixels close to
     * its colour, so holes inside the person (a grey shirt) stay person. */
    int sp = 0;
    for (int x = 0; x < w; x++)
        stack[sp++] = x, seen[x] = 1;
    for (int y = 1; y < h; y++) {
        stack[sp++] = y * w, seen[(size_t)y * w] = 1;
        stack[sp++] = y * w + w - 1, seen[(size_t)y * w + w - 1] = 1;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = 1;
    while (sp > 0) {
        int i = stack[--sp];
        double d[3] = {L[3 * (size_t)i], L[3 * (size_t)i + 1], L[3 * (size_t)i + 2]};
        if (photo_delta_e76(d, mean) > 14)
            continue;
        a[i] = 0;
        int x = i % w, y = i / w;
        const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int k = 0; k < 4; k++) {
            int xx = x + nb[k][0], yy = y + nb[k][1];
            if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                continue;
            size_t j = (size_t)yy * w + xx;
            if (seen[j])
                continue;
            double dj[3] = {L[3 * j], L[3 * j + 1], L[3 * j + 2]};
            if (photo_delta_e76(dj, d) < 6) {
                seen[j] = 1;
                stack[sp++] = (int)j;
            }
        }
    }
    free(L);
    free(stack);
    free(seen);
    out->width = w;
    out->height = h;
    out->a = a;
    return 0;
}
