/*
 * Check 12, retouch (美颜): has the skin been smoothed by a beauty filter, or
 * has the photo been through an editor?
 *
 * Beauty filters blur the skin but keep the eyes, brows and lips sharp, so
 * that the face still looks in focus.  A camera's photo keeps the same
 * sharpness everywhere: fine texture (pores, noise) on the skin in about the
 * same proportion to the edges of the eyes as the photo's overall
 * sharpness.  So the check measures the finest band of detail twice — in
 * patches of cheek and forehead skin, and around the eyes and brows — at a
 * scale fixed to the face (the eye distance resampled to EYE_PX pixels, so
 * a large face does not look smooth merely because pores fall between
 * pixels less often), and takes their ratio.  A blurred photo lowers both
 * (that is the blur check's business); a smoothed one lowers the skin only.
 *
 * An editing program's Software tag (美图秀秀, BeautyCam, Photoshop ...) is
 * evidence on its own: the seeds forbid edited photos.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

enum { EYE_A_OUT = LM_EYE_A_OUT, EYE_A_IN = LM_EYE_A_IN, EYE_B_IN = LM_EYE_B_IN, EYE_B_OUT = LM_EYE_B_OUT };

/* The eye distance the face is measured at, in pixels. */
#define EYE_PX 80.0

/* Beauty and editing programs, as they write the Software tag (lower case). */
static const char *const editors[] = {"meitu",    "美图",   "beautycam", "beautyplus", "photoshop", "facetune",
                                      "snapseed", "picsart", "faceu",     "b612",       "ulike",     "醒图",
                                      "轻颜",     "美颜",   "snow",      "retouch",    "airbrush",  "youcam"};

static int editor_tag(const tc_photo_meta *m, char *name, size_t cap)
{
    if (!m || !m->software[0])
        return 0;
    /* the tag is ASCII (tc_photo_meta): strcasestr compares it as lower case */
    for (size_t k = 0; k < sizeof editors / sizeof editors[0]; k++)
        if (strcasestr(m->software, editors[k])) {
            /* the tag as found, without bytes that could break the message */
            size_t j = 0;
            for (const char *s = m->software; *s && j + 1 < cap; s++)
                name[j++] = (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20) ? '?' : *s;
            name[j] = 0;
            return 1;
        }
    return 0;
}

static double grey_bilinear(const tc_photo_rgb *im, double x, double y)
{
    double fx = fmin(fmax(x, 0.0), im->width - 1.001), fy = fmin(fmax(y, 0.0), im->height - 1.001);
    int x0 = (int)fx, y0 = (int)fy;
    double ax = fx - x0, ay = fy - y0;
    const uint8_t *p = im->px + ((size_t)y0 * (size_t)im->width + (size_t)x0) * 3;
    const uint8_t *q = p + (size_t)im->width * 3;
    const uint8_t *c[4] = {p, p + 3, q, q + 3};
    double g[4];
    for (int i = 0; i < 4; i++)
        g[i] = 0.299 * c[i][0] + 0.587 * c[i][1] + 0.114 * c[i][2];
    return (g[0] * (1 - ax) + g[1] * ax) * (1 - ay) + (g[2] * (1 - ax) + g[3] * ax) * ay;
}

typedef struct face_axes {
    double o[2];   /* between the eyes, work px        */
    double ex[2], ey[2];
    double d;      /* eye distance, work px            */
} face_axes;

/* Mean squared fine detail of a patch centred at (u, v) face units, size
 * (pw, ph) face units, sampled at EYE_PX per eye distance: the residual of
 * each sample against the mean of its 3x3 neighbourhood. */
static double patch_detail(const tc_photo_rgb *im, const face_axes *a, double u, double v, double pw, double ph)
{
    int nw = (int)(pw * EYE_PX), nh = (int)(ph * EYE_PX);
    if (nw < 5 || nh < 5 || nw > 256 || nh > 256)
        return NAN;
    double step = a->d / EYE_PX; /* work px per sample */
    /* reduce by averaging when the face is larger than the measuring scale */
    int k = (int)ceil(step);
    k = k < 1 ? 1 : (k > 4 ? 4 : k);
    double *g = malloc((size_t)nw * (size_t)nh * sizeof *g);
    if (!g)
        return NAN;
    for (int j = 0; j < nh; j++)
        for (int i = 0; i < nw; i++) {
            double s = 0;
            for (int jj = 0; jj < k; jj++)
                for (int ii = 0; ii < k; ii++) {
                    double fu = u + (i - nw / 2.0 + (ii + 0.5) / k - 0.5) / EYE_PX;
                    double fv = v + (j - nh / 2.0 + (jj + 0.5) / k - 0.5) / EYE_PX;
                    double x = a->o[0] + (fu * a->ex[0] + fv * a->ey[0]) * a->d;
                    double y = a->o[1] + (fu * a->ex[1] + fv * a->ey[1]) * a->d;
                    s += grey_bilinear(im, x, y);
                }
            g[(size_t)j * nw + i] = s / (k * k);
        }
    double e = 0;
    int n = 0;
    for (int j = 1; j < nh - 1; j++)
        for (int i = 1; i < nw - 1; i++) {
            double m = 0;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++)
                    m += g[(size_t)(j + dj) * nw + i + di];
            double r = g[(size_t)j * nw + i] - m / 9;
            e += r * r;
            n++;
        }
    free(g);
    return n ? e / n : NAN;
}

/* The skin's fine detail over the eyes' and brows': about 0.15-0.4 in camera
 * photos, under 0.08 when the skin was smoothed.  NAN when unmeasurable. */
static double skin_ratio(const tc_photo_rgb *im, const face_axes *a, double *skin_rms)
{
    /* cheeks below the eyes and beside the nose, forehead above the brows */
    static const double skin[][4] = {{-0.5, 0.55, 0.3, 0.3}, {0.5, 0.55, 0.3, 0.3}, {-0.3, -0.6, 0.3, 0.2},
                                     {0.3, -0.6, 0.3, 0.2},  {-0.45, 0.85, 0.25, 0.2}, {0.45, 0.85, 0.25, 0.2}};
    /* the eyes with their lids and the brows */
    static const double edge[][4] = {{-0.5, 0.0, 0.45, 0.22}, {0.5, 0.0, 0.45, 0.22}, {-0.5, -0.25, 0.5, 0.18},
                                     {0.5, -0.25, 0.5, 0.18}};
    double s[6], ee = 0;
    int ns = 0, ne = 0;
    for (int i = 0; i < 6; i++) {
        double v = patch_detail(im, a, skin[i][0], skin[i][1], skin[i][2], skin[i][3]);
        if (isfinite(v))
            s[ns++] = v;
    }
    for (int i = 0; i < 4; i++) {
        double v = patch_detail(im, a, edge[i][0], edge[i][1], edge[i][2], edge[i][3]);
        if (isfinite(v))
            ee += v, ne++;
    }
    if (ns < 3 || ne < 2 || ee <= 0)
        return NAN;
    /* the median skin patch: one patch may fall on hair, a shadow's edge or
     * a glasses frame, which would make the skin look textured */
    qsort(s, (size_t)ns, sizeof s[0], check_cmp_double);
    double med = ns % 2 ? s[ns / 2] : 0.5 * (s[ns / 2 - 1] + s[ns / 2]);
    *skin_rms = sqrt(med);
    return sqrt(med / (ee / ne));
}

/* Mean squared fine detail (pixel minus its 3x3 mean, grey levels) of the
 * work copy in the rectangle, NAN when empty. */
static double rect_detail(const tc_photo_rgb *im, int x0, int y0, int w, int h)
{
    if (x0 < 1)
        w += x0 - 1, x0 = 1;
    if (y0 < 1)
        h += y0 - 1, y0 = 1;
    if (x0 + w > im->width - 1)
        w = im->width - 1 - x0;
    if (y0 + h > im->height - 1)
        h = im->height - 1 - y0;
    if (w < 4 || h < 4)
        return NAN;
    double e = 0;
    /* each pixel's grey once (it is read by 9 windows), then the same sums
     * in the same order as below */
    int gw = w + 2;
    double *g = malloc((size_t)gw * (h + 2) * sizeof(double));
    if (g) {
        for (int y = 0; y < h + 2; y++) {
            const uint8_t *p = im->px + ((size_t)(y0 - 1 + y) * im->width + (x0 - 1)) * 3;
            for (int x = 0; x < gw; x++, p += 3)
                g[(size_t)y * gw + x] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double m = 0;
                for (int j = 0; j < 3; j++)
                    for (int i = 0; i < 3; i++)
                        m += g[(size_t)(y + j) * gw + x + i];
                double r = g[(size_t)(y + 1) * gw + x + 1] - m / 9;
                e += r * r;
            }
        free(g);
        return e / ((double)w * h);
    }
    for (int y = y0; y < y0 + h; y++) /* out of memory: the same, slower */
        for (int x = x0; x < x0 + w; x++) {
            double m = 0, c = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++) {
                    const uint8_t *p = im->px + ((size_t)(y + j) * im->width + (x + i)) * 3;
                    double g = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                    m += g;
                    if (!i && !j)
                        c = g;
                }
            double r = c - m / 9;
            e += r * r;
        }
    return e / ((double)w * h);
}

/* The photo's noise floor: the fine detail of its flattest 16x16 patches
 * away from the face (backdrop, clothes).  A camera's noise is everywhere;
 * a beauty filter removes it from the skin only.  NAN when too few. */
static double noise_floor(const tc_photo_rgb *im, const double box[4])
{
    enum { P = 16, MAXP = 256 };
    double v[MAXP];
    int n = 0;
    int sx = im->width / 16 > P ? im->width / 16 : P, sy = im->height / 16 > P ? im->height / 16 : P;
    for (int y = 1; y + P < im->height && n < MAXP; y += sy)
        for (int x = 1; x + P < im->width && n < MAXP; x += sx) {
            if (x + P > box[0] && x < box[2] && y + P > box[1] && y < box[3])
                continue;
            double d = rect_detail(im, x, y, P, P);
            if (isfinite(d))
                v[n++] = d;
        }
    if (n < 8)
        return NAN;
    qsort(v, (size_t)n, sizeof v[0], check_cmp_double);
    return v[n / 4];
}

/* Score 0 at RATIO_LO, 100 at RATIO_HI of the combined measure (skin/eyes
 * detail times skin/noise detail), so the default threshold 50 cuts at
 * 0.12.  On the evaluation set (docs/QUALITY.md) camera photos measure
 * 0.14 and more, smoothed skin 0.01-0.25: the cut keeps every genuine
 * photo and catches the clearly smoothed ones. */
#define RATIO_LO 0.07
#define RATIO_HI 0.17

int check_retouch(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)x, (void)c, (void)e;
    r->value = NAN;
    char tag[64];
    int edited = in ? editor_tag(in->meta, tag, sizeof tag) : 0;
    double ratio = NAN, rms = NAN, noise_ratio = NAN;
    face_axes a;
    if (in && in->work && in->work->px && in->mesh && in->mesh->presence >= 0.5f) {
        const float(*p)[3] = in->mesh->points;
        double w = in->work->width, h = in->work->height;
        double ea[2] = {(p[EYE_A_OUT][0] + p[EYE_A_IN][0]) * 0.5 * w, (p[EYE_A_OUT][1] + p[EYE_A_IN][1]) * 0.5 * h};
        double eb[2] = {(p[EYE_B_OUT][0] + p[EYE_B_IN][0]) * 0.5 * w, (p[EYE_B_OUT][1] + p[EYE_B_IN][1]) * 0.5 * h};
        const double *l = ea[0] <= eb[0] ? ea : eb, *rr = ea[0] <= eb[0] ? eb : ea;
        a.d = hypot(rr[0] - l[0], rr[1] - l[1]);
        /* under 40 px between the eyes the skin has no texture to measure */
        if (isfinite(a.d) && a.d >= 40) {
            a.o[0] = (l[0] + rr[0]) / 2, a.o[1] = (l[1] + rr[1]) / 2;
            a.ex[0] = (rr[0] - l[0]) / a.d, a.ex[1] = (rr[1] - l[1]) / a.d;
            a.ey[0] = -a.ex[1], a.ey[1] = a.ex[0];
            ratio = skin_ratio(in->work, &a, &rms);
            /* skin at the work copy's own resolution against the noise floor */
            static const double sk[][2] = {{-0.5, 0.55}, {0.5, 0.55}, {-0.3, -0.6}, {0.3, -0.6}, {-0.45, 0.85}, {0.45, 0.85}};
            double sv[6];
            int nsv = 0;
            for (int k = 0; k < 6; k++) {
                double cx = a.o[0] + (sk[k][0] * a.ex[0] + sk[k][1] * a.ey[0]) * a.d;
                double cy = a.o[1] + (sk[k][0] * a.ex[1] + sk[k][1] * a.ey[1]) * a.d;
                int hs = (int)(0.12 * a.d);
                double dd = rect_detail(in->work, (int)cx - hs, (int)cy - hs, 2 * hs, 2 * hs);
                if (isfinite(dd))
                    sv[nsv++] = dd;
            }
            double box[4] = {a.o[0] - 1.3 * a.d, a.o[1] - 1.6 * a.d, a.o[0] + 1.3 * a.d, a.o[1] + 2.2 * a.d};
            double nf = noise_floor(in->work, box);
            if (nsv >= 3 && isfinite(nf)) {
                qsort(sv, (size_t)nsv, sizeof sv[0], check_cmp_double);
                noise_ratio = sqrt(sv[nsv / 2] / fmax(nf, 0.25));
            }
            r->region[0] = (float)(a.o[0] - 0.9 * a.d), r->region[1] = (float)(a.o[1] - 0.8 * a.d);
            r->region[2] = (float)(1.8 * a.d), r->region[3] = (float)(1.9 * a.d);
        }
    }
    if (edited) {
        r->score = 10;
        r->value = ratio;
        /* The program's name is usually Latin letters (Photoshop, Meitu):
         * the student's Chinese text leaves it out, the English one (which
         * the reviewer also sees) names it. */
        check_say(r, "照片经过编辑软件处理，请提交未经美颜或修图的原始照片",
                  "The photo was processed by an editing program (%s): submit the original photo, without beauty "
                  "filters or retouching",
                  tag);
        return 0;
    }
    if (!isfinite(ratio))
        return check_unsure(r, "人脸太小或未找到关键点，无法判断是否美颜", "Face too small or no landmarks: could not tell "
                               "whether the skin was retouched");
    /* the two views of the same thing multiplied: skin detail against the
     * eyes' (how sharp the face is) and against the noise floor (how noisy
     * the camera is); a photo where only one is low is ordinary (a soft
     * lens, a clean sensor), both low is a filter.  Without a noise floor
     * (a backdrop with no flat patch) the typical camera's 1.5 stands in. */
    double combined = ratio * (isfinite(noise_ratio) ? noise_ratio : 1.5);
    r->value = combined;
    double s = 100 * (combined - RATIO_LO) / (RATIO_HI - RATIO_LO);
    r->score = (int)lround(fmin(100, fmax(0, s)));
    check_say(r, "皮肤过于光滑，疑似使用了美颜或磨皮：请关闭美颜功能后重新拍摄",
              "The skin looks smoothed (a beauty filter?): turn beauty mode off and shoot again");
    return 0;
}
