/*
 * Check 13, duplicate (同版照片, seed 004): is this the same picture as an
 * earlier photo — the student's own earlier upload, or another student's?
 *
 * The hash must survive what happens to a photo between two uploads:
 * re-encoding, resizing, a slightly different crop, a screenshot of it.  So
 * it is taken not from the file but from the face, aligned by the landmarks:
 * the two eye centres are mapped to fixed positions of a 64x64 grey crop
 * (rotation, scale and position of the face no longer matter), the crop's
 * 2-D DCT is taken, and 256 low-frequency coefficients are compared with
 * their median (one bit each).  Low frequencies carry the picture's shape and
 * shading, which re-encoding and resizing leave alone; comparing with the
 * median makes the bits independent of brightness and contrast.
 *
 * Two different photos of the same person (another day, another shirt) still
 * differ in pose, expression and light, which moves many low-frequency
 * coefficients; the same photo moves almost none.  Thresholds are measured on
 * the evaluation set (docs/QUALITY.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

enum {
    HN = 64,      /* side of the aligned crop                                    */
    HK = 16,      /* low-frequency block used for the bits (16 x 16 = 256)       */
};

/* Where the eyes land in the crop: 22 px apart at a third of the height, so
 * the crop holds brows to chin and cheek to cheek, little hair or backdrop
 * (which a re-crop or a new background would change). */
#define EYE_L_X 21.0
#define EYE_R_X 43.0
#define EYE_Y 24.0

/* Mesh indices of the eye corners (MediaPipe face mesh). */
enum { EYE_A_OUT = LM_EYE_A_OUT, EYE_A_IN = LM_EYE_A_IN, EYE_B_IN = LM_EYE_B_IN, EYE_B_OUT = LM_EYE_B_OUT };

/* The two eye centres in work pixels, image-left first; -1 without a mesh. */
static int eye_centres(const tc_check_input *in, double l[2], double r[2])
{
    if (!in || !in->work || !in->mesh || in->mesh->presence < 0.5f || in->work->width < 8 || in->work->height < 8)
        return -1;
    const float(*p)[3] = in->mesh->points;
    double w = in->work->width, h = in->work->height;
    double a[2] = {(p[EYE_A_OUT][0] + p[EYE_A_IN][0]) * 0.5 * w, (p[EYE_A_OUT][1] + p[EYE_A_IN][1]) * 0.5 * h};
    double b[2] = {(p[EYE_B_OUT][0] + p[EYE_B_IN][0]) * 0.5 * w, (p[EYE_B_OUT][1] + p[EYE_B_IN][1]) * 0.5 * h};
    if (!isfinite(a[0]) || !isfinite(a[1]) || !isfinite(b[0]) || !isfinite(b[1]))
        return -1;
    int a_left = a[0] <= b[0];
    memcpy(l, a_left ? a : b, sizeof a);
    memcpy(r, a_left ? b : a, sizeof a);
    double d = hypot(r[0] - l[0], r[1] - l[1]);
    /* a face whose eyes are under 4 px apart carries no picture to hash */
    return d >= 4.0 ? 0 : -1;
}

/* Bilinear grey at (x, y) of a grey region g (gw x gh, origin gx0, gy0 in
 * work px), clamped to the work copy's edge (the region covers every pixel
 * the clamped samples can reach): a crop reaching past the border repeats
 * the border rather than inventing black, which would differ between a
 * photo and a wider re-crop of it. */
static double grey_at(const float *g, int gx0, int gy0, int gw, int w, int h, double x, double y)
{
    double fx = fmin(fmax(x, 0.0), w - 1.001), fy = fmin(fmax(y, 0.0), h - 1.001);
    int x0 = (int)fx, y0 = (int)fy;
    double ax = fx - x0, ay = fy - y0;
    const float *p = g + (size_t)(y0 - gy0) * (size_t)gw + (size_t)(x0 - gx0), *q = p + gw;
    return (p[0] * (1 - ax) + p[1] * ax) * (1 - ay) + (q[0] * (1 - ax) + q[1] * ax) * ay;
}

int check_face_hash(const tc_check_input *in, tc_check_hash *out)
{
    double l[2], r[2];
    if (!out || eye_centres(in, l, r) != 0)
        return -1;
    /* crop axes: ex along the eye line, ey perpendicular (down the face) */
    double d = hypot(r[0] - l[0], r[1] - l[1]);
    double ex[2] = {(r[0] - l[0]) / d, (r[1] - l[1]) / d};
    double ey[2] = {-ex[1], ex[0]};
    double step = d / (EYE_R_X - EYE_L_X); /* work pixels per crop pixel */
    /* average k x k samples per crop pixel so a large face is reduced, not
     * point-sampled (aliasing would make the bits depend on the exact
     * resolution, which is what a resized copy changes) */
    int k = (int)ceil(step);
    k = k < 1 ? 1 : (k > 6 ? 6 : k);
    /* The samples reach only the crop's square (rotated): convert that part
     * of the work copy to grey once, instead of four pixels per sample (up
     * to 36 samples per crop pixel on a large face). */
    int w = in->work->width, h = in->work->height;
    double bx0 = 1e30, by0 = 1e30, bx1 = -1e30, by1 = -1e30;
    for (int cv = 0; cv < 2; cv++)
        for (int cu = 0; cu < 2; cu++) {
            double u = (cu ? HN : 0) - EYE_L_X - 0.5, v = (cv ? HN : 0) - EYE_Y - 0.5;
            double px = l[0] + (u * ex[0] + v * ey[0]) * step, py = l[1] + (u * ex[1] + v * ey[1]) * step;
            bx0 = fmin(bx0, px), by0 = fmin(by0, py), bx1 = fmax(bx1, px), by1 = fmax(by1, py);
        }
    /* clamp like grey_at does, with one pixel more for the bilinear taps */
    int gx0 = (int)fmin(fmax(floor(bx0) - 1, 0), w - 2), gy0 = (int)fmin(fmax(floor(by0) - 1, 0), h - 2);
    int gx1 = (int)fmin(fmax(ceil(bx1) + 2, gx0 + 2), w), gy1 = (int)fmin(fmax(ceil(by1) + 2, gy0 + 2), h);
    int gw = gx1 - gx0, gh = gy1 - gy0;
    float *g = malloc((size_t)gw * (size_t)gh * sizeof(float));
    if (!g)
        return -1;
    for (int y = 0; y < gh; y++) {
        const uint8_t *p = in->work->px + ((size_t)(y + gy0) * (size_t)w + (size_t)gx0) * 3;
        float *o = g + (size_t)y * gw;
        for (int xx = 0; xx < gw; xx++, p += 3)
            o[xx] = (float)(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
    }
    double img[HN][HN];
    for (int v = 0; v < HN; v++)
        for (int u = 0; u < HN; u++) {
            double s = 0;
            for (int j = 0; j < k; j++)
                for (int i = 0; i < k; i++) {
                    double cu = (u - EYE_L_X) + (i + 0.5) / k - 0.5, cv = (v - EYE_Y) + (j + 0.5) / k - 0.5;
                    double x = l[0] + (cu * ex[0] + cv * ey[0]) * step;
                    double y = l[1] + (cu * ex[1] + cv * ey[1]) * step;
                    s += grey_at(g, gx0, gy0, gw, w, h, x, y);
                }
            img[v][u] = s / (k * k);
        }
    free(g);
    /* separable DCT-II, only the first HK + 1 coefficients of each axis */
    double cs[HK + 1][HN];
    for (int f = 0; f <= HK; f++)
        for (int x = 0; x < HN; x++)
            cs[f][x] = cos(M_PI * (2 * x + 1) * f / (2.0 * HN));
    double row[HN][HK + 1];
    for (int y = 0; y < HN; y++)
        for (int f = 0; f <= HK; f++) {
            double s = 0;
            for (int x = 0; x < HN; x++)
                s += img[y][x] * cs[f][x];
            row[y][f] = s;
        }
    /* 256 coefficients: the 16 x 16 low block without the mean (DC), plus
     * (16, 0) to make the count even */
    double c[256], sorted[256];
    int n = 0;
    for (int fv = 0; fv <= HK && n < 256; fv++)
        for (int fu = 0; fu <= HK && n < 256; fu++) {
            if ((fu == HK && fv != 0) || (fv == HK) || (fu == 0 && fv == 0))
                continue;
            double s = 0;
            for (int y = 0; y < HN; y++)
                s += row[y][fu] * cs[fv][y];
            c[n++] = s;
        }
    if (n != 256)
        return -1;
    memcpy(sorted, c, sizeof c);
    qsort(sorted, 256, sizeof sorted[0], check_cmp_double);
    double med = 0.5 * (sorted[127] + sorted[128]);
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 256; i++)
        if (c[i] > med)
            out->bits[i / 64] |= (uint64_t)1 << (i % 64);
    return 0;
}

int tc_check_hash_distance(const tc_check_hash *a, const tc_check_hash *b)
{
    if (!a || !b)
        return 256;
    int n = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->bits[i] ^ b->bits[i];
        while (x) {
            x &= x - 1;
            n++;
        }
    }
    return n;
}

/* Distances at or below SAME are the same picture (score 0); at or above
 * DIFF a different one (score 100); in between linear, so the default
 * threshold 50 cuts at their middle.  Measured (docs/QUALITY.md): re-encoded
 * and resized copies land under 20, different people above 90, two photos
 * of one person from different sessions above 60. */
#define DIST_SAME 24
#define DIST_DIFF 60

const tc_check_hash *check_ctx_hash(check_ctx *x)
{
    if (!x->hash_done) {
        x->hash_done = 1;
        x->hash_ok = check_face_hash(x->in, &x->hash) == 0;
    }
    return x->hash_ok ? &x->hash : NULL;
}

int check_duplicate(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)x, (void)c, (void)e;
    r->value = NAN;
    r->match_ref = 0;
    const tc_check_hash *hp = check_ctx_hash(x);
    double l[2], rr[2];
    if (!hp || eye_centres(in, l, rr) != 0)
        return check_unsure(r, "未找到人脸关键点，无法比对是否与以前的照片相同", "No face landmarks: could not compare with earlier photos");
    /* the region hashed, as an axis-aligned box around the aligned crop */
    double d = hypot(rr[0] - l[0], rr[1] - l[1]), step = d / (EYE_R_X - EYE_L_X);
    double cx = (l[0] + rr[0]) / 2, cy = (l[1] + rr[1]) / 2 + (HN / 2.0 - EYE_Y) * step;
    r->region[0] = (float)(cx - HN / 2.0 * step);
    r->region[1] = (float)(cy - HN / 2.0 * step);
    r->region[2] = r->region[3] = (float)(HN * step);
    if (!in->prior || in->n_prior == 0) {
        r->score = 100;
        return 0;
    }
    int best = 257;
    size_t bi = 0;
    for (size_t i = 0; i < in->n_prior; i++) {
        int dd = tc_check_hash_distance(hp, &in->prior[i].hash);
        /* on a tie, another student's photo is the more serious finding */
        if (dd < best || (dd == best && !in->prior[i].same_student && in->prior[bi].same_student)) {
            best = dd;
            bi = i;
        }
    }
    r->value = best;
    double s = 100.0 * (best - DIST_SAME) / (double)(DIST_DIFF - DIST_SAME);
    r->score = (int)lround(fmin(100.0, fmax(0.0, s)));
    if (best < (DIST_SAME + DIST_DIFF) / 2)
        r->match_ref = in->prior[bi].ref;
    if (in->prior[bi].same_student)
        check_say(r, "这张照片与您之前上传的照片是同一张（同版照片），请重新拍摄一张新照片",
                  "This is the same picture as a photo you uploaded before: take a new photo");
    else
        check_say(r, "这张照片与另一位学生的照片是同一张（同版照片），请本人重新拍摄",
                  "This is the same picture as another student's photo: take your own photo");
    return 0;
}
