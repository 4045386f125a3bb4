/*
 * Check 11, recapture (翻拍): is this a photo of a printed photo or of a
 * screen rather than of the person?
 *
 * A failure here locks the student's account until a teacher unlocks it
 * (seed 000 §12), so the check is tuned for precision: a genuine photo must
 * almost never fail, and a recapture the check is not sure of passes (the
 * reviewer still sees every photo).  Each cue alone is weak evidence in
 * ordinary photos, so a cue only counts when it is strong, and the file's
 * own evidence (no camera EXIF, an editor's tag) can only add to a visual
 * cue, never fail a photo by itself: many genuine photos come through
 * WeChat or a web browser that strips EXIF.
 *
 * The visual cues:
 *  - periodic patterns on the face: a screen's pixel grid or a print's
 *    halftone dots photographed again leave isolated peaks in the spectrum
 *    (moiré), while skin, hair and features have smooth, broad spectra.  The
 *    face is used, not the backdrop, because backdrops are legitimately
 *    periodic (blinds, tiles, checked curtains) and the face never is.
 *    Several patches of cheeks, forehead and nose are windowed, transformed
 *    (a small radix-2 FFT) and their power averaged (Welch), so that chance
 *    peaks of one patch average out; a peak must stand far above the median
 *    of its frequency ring and above its radial neighbours (an edge such as
 *    the nose line spreads along a ray, a period sits at one radius).
 *  - a frame around the face: the bezel of a screen or the edge of the
 *    paper — long straight edges on the sides of the face that span past
 *    it, especially where the person's outline is cut along the straight
 *    line (a real person is cut only by the photo's own border).  A single
 *    straight edge behind a person (a door, a pillar) is ordinary; two or
 *    more sides, or a side that cuts the person, are not.
 *  - screen glare and colour: reported as values for the reviewer but given
 *    little weight (lamps, windows and make-up produce the same statistics).
 *
 * Between pass and fail lies a band the check leaves to the reviewer
 * ("could not assess", with the reason): fainter straight edges close to
 * the face (a print held up to a webcam, NUAA), long edges on two sides
 * with nothing else (a door frame as much as a bezel), and a hand beside
 * the face (the fingers that hold a print up; genuine photos show hands,
 * arms and skin-coloured tops there too).  A genuine student is never
 * failed, and locked, on that evidence alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

/* ---- shared geometry ------------------------------------------------------------------ */

/* Mesh indices (MediaPipe face mesh). */
enum { EYE_A_OUT = LM_EYE_A_OUT, EYE_A_IN = LM_EYE_A_IN, EYE_B_IN = LM_EYE_B_IN, EYE_B_OUT = LM_EYE_B_OUT,
       MOUTH_UP = LM_LIP_TOP };

typedef struct face_frame {
    double l[2], r[2];   /* eye centres (work px), image-left first */
    double d;            /* eye distance                           */
    double ex[2], ey[2]; /* along the eye line, down the face       */
    double box[4];       /* x0, y0, x1, y1 of the whole face       */
} face_frame;

static int face_frame_of(const tc_check_input *in, face_frame *f)
{
    const tc_photo_rgb *im = in->work;
    double w = im->width, h = im->height;
    if (in->mesh && in->mesh->presence >= 0.5f) {
        const float(*p)[3] = in->mesh->points;
        double a[2] = {(p[EYE_A_OUT][0] + p[EYE_A_IN][0]) * 0.5 * w, (p[EYE_A_OUT][1] + p[EYE_A_IN][1]) * 0.5 * h};
        double b[2] = {(p[EYE_B_OUT][0] + p[EYE_B_IN][0]) * 0.5 * w, (p[EYE_B_OUT][1] + p[EYE_B_IN][1]) * 0.5 * h};
        int al = a[0] <= b[0];
        memcpy(f->l, al ? a : b, sizeof a);
        memcpy(f->r, al ? b : a, sizeof a);
        f->box[0] = f->box[1] = 1e9;
        f->box[2] = f->box[3] = -1e9;
        for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
            double x = p[i][0] * w, y = p[i][1] * h;
            if (!isfinite(x) || !isfinite(y))
                return -1;
            f->box[0] = fmin(f->box[0], x), f->box[1] = fmin(f->box[1], y);
            f->box[2] = fmax(f->box[2], x), f->box[3] = fmax(f->box[3], y);
        }
    } else if (in->faces && in->n_faces > 0) {
        const tc_vision_face *fc = &in->faces[0];
        double a[2] = {fc->keypoints[TC_VISION_KP_RIGHT_EYE][0] * w, fc->keypoints[TC_VISION_KP_RIGHT_EYE][1] * h};
        double b[2] = {fc->keypoints[TC_VISION_KP_LEFT_EYE][0] * w, fc->keypoints[TC_VISION_KP_LEFT_EYE][1] * h};
        int al = a[0] <= b[0];
        memcpy(f->l, al ? a : b, sizeof a);
        memcpy(f->r, al ? b : a, sizeof a);
        f->box[0] = fc->xmin * w, f->box[1] = fc->ymin * h;
        f->box[2] = (fc->xmin + fc->width) * w, f->box[3] = (fc->ymin + fc->height) * h;
        /* the detector's box stops at the brows; the head goes higher */
        f->box[1] -= 0.25 * (f->box[3] - f->box[1]);
    } else
        return -1;
    f->d = hypot(f->r[0] - f->l[0], f->r[1] - f->l[1]);
    if (!isfinite(f->d) || f->d < 4)
        return -1;
    f->ex[0] = (f->r[0] - f->l[0]) / f->d, f->ex[1] = (f->r[1] - f->l[1]) / f->d;
    f->ey[0] = -f->ex[1], f->ey[1] = f->ex[0];
    return 0;
}

static double grey_px(const tc_photo_rgb *im, int x, int y)
{
    const uint8_t *p = im->px + ((size_t)y * (size_t)im->width + (size_t)x) * 3;
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* ---- periodic patterns (moiré, halftone) ---------------------------------------------- */

enum { FN = 32, FLOG = 5 };

/* In-place radix-2 FFT of n = 2^lg complex values (re, im). */
static void fft(double *re, double *im, int n, int lg)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i];
            re[i] = re[j], re[j] = t;
            t = im[i];
            im[i] = im[j], im[j] = t;
        }
    }
    (void)lg;
    for (int len = 2; len <= n; len <<= 1) {
        double a = -2 * M_PI / len, wr = cos(a), wi = sin(a);
        for (int i = 0; i < n; i += len) {
            double cr = 1, ci = 0;
            for (int k = 0; k < len / 2; k++) {
                double *ur = &re[i + k], *ui = &im[i + k], *vr = &re[i + k + len / 2], *vi = &im[i + k + len / 2];
                double tr = *vr * cr - *vi * ci, ti = *vr * ci + *vi * cr;
                *vr = *ur - tr, *vi = *ui - ti;
                *ur += tr, *ui += ti;
                double nr = cr * wr - ci * wi;
                ci = cr * wi + ci * wr, cr = nr;
            }
        }
    }
}

/* Add the windowed power spectrum of the FN x FN patch at (x0, y0). */
static void patch_power(const tc_photo_rgb *im, int x0, int y0, const double *win, double pw[FN][FN])
{
    double re[FN][FN], imv[FN][FN], mean = 0;
    for (int y = 0; y < FN; y++)
        for (int x = 0; x < FN; x++)
            mean += re[y][x] = grey_px(im, x0 + x, y0 + y);
    mean /= FN * FN;
    for (int y = 0; y < FN; y++) {
        for (int x = 0; x < FN; x++) {
            re[y][x] = (re[y][x] - mean) * win[x] * win[y];
            imv[y][x] = 0;
        }
        fft(re[y], imv[y], FN, FLOG);
    }
    for (int x = 0; x < FN; x++) {
        double cr[FN], ci[FN];
        for (int y = 0; y < FN; y++)
            cr[y] = re[y][x], ci[y] = imv[y][x];
        fft(cr, ci, FN, FLOG);
        for (int y = 0; y < FN; y++)
            pw[y][x] += cr[y] * cr[y] + ci[y] * ci[y];
    }
}

/* Power at a signed frequency (u, v), bilinear between bins. */
static double pw_at(double pw[FN][FN], double u, double v)
{
    double fu = floor(u), fv = floor(v), au = u - fu, av = v - fv;
    int u0 = (int)fu, v0 = (int)fv;
    double s = 0;
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            double wgt = (i ? au : 1 - au) * (j ? av : 1 - av);
            s += wgt * pw[((v0 + j) % FN + FN) % FN][((u0 + i) % FN + FN) % FN];
        }
    return s;
}

/* The strongest isolated peak of the face's averaged spectrum: its power
 * over the median of its ring, limited by how far it stands above its
 * radial neighbours.  Natural faces give about 2-5; a screen grid or
 * halftone 15 and more.  -1 when the face is too small to cut patches. */
static double periodic_peak(const tc_photo_rgb *im, const face_frame *f, double where[2], double *amp)
{
    /* patch centres in face units (eye distance), origin between the eyes:
     * forehead, both cheeks, nose, chin: skin, where nothing is periodic */
    static const double pos[][2] = {{-0.35, -0.55}, {0.0, -0.6}, {0.35, -0.55}, {-0.55, 0.45}, {0.55, 0.45},
                                    {-0.45, 0.8},   {0.45, 0.8}, {0.0, 0.45},   {0.0, 1.35}};
    if (f->d < 24)
        return -1;
    double win[FN];
    for (int i = 0; i < FN; i++)
        win[i] = 0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / FN);
    double pw[FN][FN];
    memset(pw, 0, sizeof pw);
    double mx = (f->l[0] + f->r[0]) / 2, my = (f->l[1] + f->r[1]) / 2;
    int n = 0;
    for (size_t k = 0; k < sizeof pos / sizeof pos[0]; k++) {
        double cx = mx + (pos[k][0] * f->ex[0] + pos[k][1] * f->ey[0]) * f->d;
        double cy = my + (pos[k][0] * f->ex[1] + pos[k][1] * f->ey[1]) * f->d;
        int x0 = (int)lround(cx) - FN / 2, y0 = (int)lround(cy) - FN / 2;
        if (x0 < 0 || y0 < 0 || x0 + FN > im->width || y0 + FN > im->height)
            continue;
        patch_power(im, x0, y0, win, pw);
        n++;
    }
    if (n < 3)
        return -1;
    /* ring medians, radius 0..FN/2 */
    double ring_med[FN / 2 + 1];
    for (int rr = 0; rr <= FN / 2; rr++) {
        double vals[FN * FN];
        int m = 0;
        for (int v = -FN / 2 + 1; v < FN / 2; v++)
            for (int u = -FN / 2 + 1; u < FN / 2; u++)
                if ((int)lround(hypot(u, v)) == rr)
                    vals[m++] = pw[(v + FN) % FN][(u + FN) % FN];
        if (m == 0) {
            ring_med[rr] = 0;
            continue;
        }
        qsort(vals, (size_t)m, sizeof vals[0], check_cmp_double);
        ring_med[rr] = vals[m / 2];
    }
    double best = 0;
    where[0] = where[1] = 0;
    *amp = 0;
    /* half plane: the spectrum of a real image is symmetric */
    for (int v = 0; v < FN / 2; v++)
        for (int u = -FN / 2 + 1; u < FN / 2; u++) {
            if (v == 0 && u <= 0)
                continue;
            double r = hypot(u, v);
            /* below radius 3 lie the face's own shading and shape; the
             * lattice of multiples of FN/8 holds JPEG's 8-pixel blocks */
            if (r < 3 || r > FN / 2 - 1)
                continue;
            if (u % (FN / 8) == 0 && v % (FN / 8) == 0)
                continue;
            /* rows alternating at 2 to 2.3 px, with nothing across: the two
             * fields of an interlaced video camera (Yale's faces), a sensor's
             * readout, not a pattern photographed again (a screen's or a
             * print's moiré beats two grids at an angle and a distance that
             * never put it exactly there) */
            if (u == 0 && v >= FN / 2 - 2)
                continue;
            double p = pw[(v + FN) % FN][(u + FN) % FN];
            int is_max = 1;
            for (int dv = -1; dv <= 1 && is_max; dv++)
                for (int du = -1; du <= 1; du++)
                    if ((du || dv) && pw[(v + dv + FN) % FN][(u + du + FN) % FN] > p) {
                        is_max = 0;
                        break;
                    }
            if (!is_max)
                continue;
            double med = ring_med[(int)lround(r)];
            if (med <= 0)
                continue;
            /* radial neighbours 2.5 bins in and out, beyond a Hann window's
             * main lobe: a true period falls off there, an edge does not */
            double in_p = pw_at(pw, u * (r - 2.5) / r, v * (r - 2.5) / r);
            double out_p = r + 2.5 < FN / 2 ? pw_at(pw, u * (r + 2.5) / r, v * (r + 2.5) / r) : 0;
            double radial = p / fmax(fmax(in_p, out_p), 1e-9);
            double ratio = fmin(p / med, 3.0 * radial);
            if (ratio > best) {
                best = ratio;
                where[0] = u, where[1] = v;
                /* the pattern's amplitude in grey levels: a sinusoid of
                 * amplitude a gives |F| = a/2 * (sum of the window) = a N^2/8
                 * in one bin (its power also leaks into the neighbours,
                 * which the 3x3 sum takes back) */
                double e3 = 0;
                for (int dv = -1; dv <= 1; dv++)
                    for (int du = -1; du <= 1; du++)
                        e3 += pw[(v + dv + FN) % FN][(u + du + FN) % FN];
                *amp = 8 * sqrt(e3 / n) / (FN * FN);
            }
        }
    return best;
}

/* ---- frame edges (bezel, paper edge) --------------------------------------------------- */

enum { SMALL = 256, NTH = 180 };

typedef struct frame_side {
    double strength; /* run length / image side along it, 0 if none            */
    double cut;      /* fraction of the run along which the person is cut      */
    double seg[4];   /* the run, work px                                        */
    int tight;       /* an edge hugging the face on this side (a held print)   */
    double tseg[4];  /* that edge, work px                                      */
    int near;        /* a fainter or shorter edge near the face on this side:
                        not enough to fail, enough to ask the reviewer          */
    double nseg[4];  /* that edge, work px                                      */
    int near_tight;  /* a near edge of this side hugs the face as `tight` asks  */
} frame_side;

/* Longest run of edge support along the line (theta, rho) in the small
 * image: edge pixels whose gradient points along the line's normal with one
 * polarity, gaps up to `gap` tolerated.  Returns the run length in px. */
static double line_run(const float *gx, const float *gy, const float *mag, int w, int h, double th, double rho,
                       float thr, int gap, double seg[4])
{
    double c = cos(th), s = sin(th);
    /* points on the line: p = rho * n + t * (-s, c) */
    double best = 0;
    for (int pol = -1; pol <= 1; pol += 2) {
        double run0 = NAN, last = NAN;
        for (double t = -(w + h); t <= w + h; t += 1.0) {
            double x = rho * c - t * s, y = rho * s + t * c;
            if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1)
                continue;
            int hit = 0;
            for (int o = -1; o <= 1 && !hit; o++) {
                int xi = (int)lround(x + o * c), yi = (int)lround(y + o * s);
                if (xi < 1 || yi < 1 || xi >= w - 1 || yi >= h - 1)
                    continue;
                size_t k = (size_t)yi * (size_t)w + (size_t)xi;
                if (mag[k] < thr)
                    continue;
                double dot = (gx[k] * c + gy[k] * s) / mag[k];
                if (dot * pol > 0.96) /* within about 16 degrees, this polarity */
                    hit = 1;
            }
            if (!hit)
                continue;
            if (isnan(run0) || t - last > gap)
                run0 = t;
            last = t;
            if (last - run0 > best) {
                best = last - run0;
                seg[0] = rho * c - run0 * s, seg[1] = rho * s + run0 * c;
                seg[2] = rho * c - last * s, seg[3] = rho * s + last * c;
            }
        }
    }
    return best;
}

/* Fraction of the segment (work px) along which the mask is person on the
 * face's side and backdrop on the other. */
static double mask_cut(const tc_photo_mask *m, const tc_photo_rgb *im, const double seg[4], double fx, double fy)
{
    if (!m || !m->a || m->width <= 0 || m->height <= 0)
        return 0;
    double dx = seg[2] - seg[0], dy = seg[3] - seg[1], len = hypot(dx, dy);
    if (len < 4)
        return 0;
    double nx = -dy / len, ny = dx / len;
    /* the normal pointing to the face */
    double mx = (seg[0] + seg[2]) / 2, my = (seg[1] + seg[3]) / 2;
    if ((fx - mx) * nx + (fy - my) * ny < 0)
        nx = -nx, ny = -ny;
    double sx = (double)m->width / im->width, sy = (double)m->height / im->height;
    double off = fmax(3.0, len * 0.01);
    int n = 0, cut = 0;
    for (double t = 0; t <= len; t += 2.0) {
        double x = seg[0] + dx * t / len, y = seg[1] + dy * t / len;
        double xi = (x + nx * off) * sx, yi = (y + ny * off) * sy, xo = (x - nx * off) * sx, yo = (y - ny * off) * sy;
        n++;
        if (xi < 0 || yi < 0 || xi >= m->width || yi >= m->height || xo < 0 || yo < 0 || xo >= m->width ||
            yo >= m->height)
            continue;
        float ai = m->a[(size_t)yi * (size_t)m->width + (size_t)xi];
        float ao = m->a[(size_t)yo * (size_t)m->width + (size_t)xo];
        if (ai > 0.6f && ao < 0.3f)
            cut++;
    }
    return n ? (double)cut / n : 0;
}

/* How much the person mask changes across the segment (work px): the mean
 * alpha a little inside (towards the face) less the mean a little outside,
 * as an absolute value; -1 without a mask.  Near 1 along the person's own
 * outline (straight hair, a shoulder), near 0 along a paper edge in front
 * of the person or one in the backdrop. */
static double mask_step(const tc_photo_mask *m, const tc_photo_rgb *im, const double seg[4], double fx, double fy)
{
    if (!m || !m->a || m->width <= 0 || m->height <= 0)
        return -1;
    double dx = seg[2] - seg[0], dy = seg[3] - seg[1], len = hypot(dx, dy);
    if (len < 4)
        return -1;
    double nx = -dy / len, ny = dx / len;
    double mx = (seg[0] + seg[2]) / 2, my = (seg[1] + seg[3]) / 2;
    if ((fx - mx) * nx + (fy - my) * ny < 0)
        nx = -nx, ny = -ny;
    double sx = (double)m->width / im->width, sy = (double)m->height / im->height;
    double off = fmax(3.0, len * 0.03), si = 0, so = 0;
    int n = 0;
    for (double t = 0; t <= len; t += 2.0) {
        double x = seg[0] + dx * t / len, y = seg[1] + dy * t / len;
        double xi = (x + nx * off) * sx, yi = (y + ny * off) * sy, xo = (x - nx * off) * sx, yo = (y - ny * off) * sy;
        if (xi < 0 || yi < 0 || xi >= m->width || yi >= m->height || xo < 0 || yo < 0 || xo >= m->width ||
            yo >= m->height)
            continue;
        si += m->a[(size_t)yi * (size_t)m->width + (size_t)xi];
        so += m->a[(size_t)yo * (size_t)m->width + (size_t)xo];
        n++;
    }
    return n ? fabs(si - so) / n : -1;
}

/* Find, on each side of the face (top, bottom, left, right), the longest
 * straight edge that spans past the face without crossing it. */
static int frame_sides(check_ctx *cx, const tc_check_input *in, const face_frame *f, frame_side side[4], tc_err *e)
{
    const tc_photo_rgb *im = in->work;
    memset(side, 0, 4 * sizeof side[0]);
    int fct = (int)ceil((double)(im->width > im->height ? im->width : im->height) / SMALL);
    if (fct < 1)
        fct = 1;
    int w = im->width / fct, h = im->height / fct;
    if (w < 16 || h < 16)
        return 0;
    size_t n = (size_t)w * (size_t)h;
    int nrho = 2 * (w + h) + 1;
    float *g = malloc(n * 4 * sizeof(float));
    int *acc = calloc((size_t)NTH * (size_t)nrho, sizeof(int));
    if (!g || !acc) {
        free(g), free(acc);
        return tc_err_internal(e, "check: out of memory (recapture)");
    }
    /* the shared luma (other checks made it already), box-reduced by fct */
    const uint8_t *lum = check_lum(cx);
    if (!lum) {
        free(g), free(acc);
        return tc_err_internal(e, "check: out of memory (recapture)");
    }
    float *gx = g + n, *gy = g + 2 * n, *mag = g + 3 * n;
    for (int y = 0; y < h; y++) {
        float *o = g + (size_t)y * w;
        memset(o, 0, (size_t)w * sizeof *o);
        for (int j = 0; j < fct; j++) {
            const uint8_t *row = lum + (size_t)(y * fct + j) * (size_t)im->width;
            for (int x = 0; x < w; x++) {
                unsigned s = 0;
                for (int i = 0; i < fct; i++)
                    s += row[x * fct + i];
                o[x] += (float)s;
            }
        }
        for (int x = 0; x < w; x++)
            o[x] /= (float)(fct * fct);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t k = (size_t)y * w + x;
            if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                gx[k] = gy[k] = mag[k] = 0;
                continue;
            }
            const float *p = g + k;
            float ax = (p[-w + 1] + 2 * p[1] + p[w + 1]) - (p[-w - 1] + 2 * p[-1] + p[w - 1]);
            float ay = (p[w - 1] + 2 * p[w] + p[w + 1]) - (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
            gx[k] = ax, gy[k] = ay, mag[k] = sqrtf(ax * ax + ay * ay);
        }
    double cs[NTH], sn[NTH];
    for (int t = 0; t < NTH; t++)
        cs[t] = cos(t * M_PI / NTH), sn[t] = sin(t * M_PI / NTH);
    double fb[4] = {f->box[0] / fct, f->box[1] / fct, f->box[2] / fct, f->box[3] / fct};
    double fw = fb[2] - fb[0], fh = fb[3] - fb[1];
    /* the face box widened a little: hair and ears lie beyond the mesh */
    double gb[4] = {fb[0] - 0.1 * fw, fb[1] - 0.25 * fh, fb[2] + 0.1 * fw, fb[3] + 0.1 * fh};
    double fcx = (fb[0] + fb[2]) / 2, fcy = (fb[1] + fb[3]) / 2;
    /* Two passes.  The first finds the frames that fail a photo: a step of
     * 24 grey levels (bezels and paper edges are stronger than that), lines
     * with votes from a fifth of the small image's side.  The second looks
     * again with a step of 16 and a line from an eighth, for the "near"
     * edges only (a print's white border against a white shirt, a paper
     * edge broken by the fingers holding it): evidence for the reviewer,
     * never a failure by itself (docs/QUALITY.md, recapture). */
    for (int pass = 0; pass < 2; pass++) {
        const float thr = pass == 0 ? 4 * 24 : 4 * 16;
        if (pass)
            memset(acc, 0, (size_t)NTH * (size_t)nrho * sizeof *acc);
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++) {
                size_t k = (size_t)y * w + x;
                if (mag[k] < thr)
                    continue;
                double a = atan2(gy[k], gx[k]);
                if (a < 0)
                    a += M_PI;
                int t0 = (int)lround(a * NTH / M_PI) % NTH;
                /* only lines within 30 degrees of the image axes: frames seen by
                 * a hand-held phone are never turned further */
                int dt = t0 < 90 ? t0 : NTH - t0;
                if (dt > 30 && abs(t0 - 90) > 30)
                    continue;
                for (int d = -2; d <= 2; d++) {
                    int t = ((t0 + d) % NTH + NTH) % NTH;
                    int rho = (int)lround(x * cs[t] + y * sn[t]) + (w + h);
                    if (rho >= 0 && rho < nrho)
                        acc[(size_t)t * nrho + rho]++;
                }
            }
        /* the strongest candidates: local maxima of the accumulator */
        enum { NPEAK = 24 };
        int pk_t[NPEAK], pk_r[NPEAK], pk_v[NPEAK], npk = 0;
        int minv = (w < h ? w : h) / (pass == 0 ? 5 : 8);
        for (int t = 0; t < NTH; t++)
            for (int r = 1; r < nrho - 1; r++) {
                int v = acc[(size_t)t * nrho + r];
                if (v < minv)
                    continue;
                int ismax = 1;
                for (int dt = -3; dt <= 3 && ismax; dt++)
                    for (int dr = -3; dr <= 3; dr++) {
                        int tt = t + dt, rr2 = r + dr;
                        if (tt < 0 || tt >= NTH || rr2 < 0 || rr2 >= nrho || (!dt && !dr))
                            continue;
                        int o = acc[(size_t)tt * nrho + rr2];
                        if (o > v || (o == v && (dt < 0 || (dt == 0 && dr < 0)))) {
                            ismax = 0;
                            break;
                        }
                    }
                if (!ismax)
                    continue;
                int at = npk < NPEAK ? npk++ : -1;
                if (at < 0) {
                    int lo = 0;
                    for (int i = 1; i < NPEAK; i++)
                        if (pk_v[i] < pk_v[lo])
                            lo = i;
                    if (pk_v[lo] >= v)
                        continue;
                    at = lo;
                }
                pk_t[at] = t, pk_r[at] = r, pk_v[at] = v;
            }
        int gap = (w > h ? w : h) / 40 + 2;
        for (int i = 0; i < npk; i++) {
            double th = pk_t[i] * M_PI / NTH, rho = pk_r[i] - (w + h);
            double seg[4] = {0, 0, 0, 0};
            double len = line_run(gx, gy, mag, w, h, th, rho, thr, gap, seg);
            if (len < 8)
                continue;
            /* an edge along the picture's own border (a resampling seam, a
             * letterbox line) frames nothing */
            if ((seg[0] < 3 && seg[2] < 3) || (seg[1] < 3 && seg[3] < 3) || (seg[0] > w - 4 && seg[2] > w - 4) ||
                (seg[1] > h - 4 && seg[3] > h - 4))
                continue;
            int horiz = abs(pk_t[i] - 90) <= 30; /* normal near vertical */
            int sd, tight, nearv;
            double cover, along;
            if (horiz) {
                double x0 = fmin(seg[0], seg[2]), x1 = fmax(seg[0], seg[2]);
                /* the line's height at the face's centre */
                double yc = seg[1] + (seg[3] - seg[1]) * (fcx - seg[0]) /
                                         (fabs(seg[2] - seg[0]) > 1e-6 ? seg[2] - seg[0] : 1e-6);
                if (fabs(seg[2] - seg[0]) < 1e-6)
                    continue;
                if (yc < gb[1])
                    sd = 0;
                else if (yc > gb[3])
                    sd = 1;
                else
                    continue;
                cover = (fmin(x1, fb[2]) - fmax(x0, fb[0])) / fw;
                along = len / w;
                double dist = sd == 0 ? (fb[1] - yc) / fh : (yc - fb[3]) / fh;
                tight = dist <= 0.5 && cover >= 0.75 && len >= 0.9 * fw;
                /* near: above the face, half the cover and 0.7 of its width;
                 * below, as tight (a collar or a shoulder line is there) */
                nearv = sd == 0 ? dist <= 0.5 && cover >= 0.5 && len >= 0.7 * fw : tight;
                if (len < 1.2 * fw && !tight && !nearv)
                    continue;
            } else {
                double y0 = fmin(seg[1], seg[3]), y1 = fmax(seg[1], seg[3]);
                if (fabs(seg[3] - seg[1]) < 1e-6)
                    continue;
                double xc = seg[0] + (seg[2] - seg[0]) * (fcy - seg[1]) / (seg[3] - seg[1]);
                if (xc < gb[0])
                    sd = 2;
                else if (xc > gb[2])
                    sd = 3;
                else
                    continue;
                cover = (fmin(y1, fb[3]) - fmax(y0, fb[1])) / fh;
                along = len / h;
                double dist = sd == 2 ? (fb[0] - xc) / fw : (xc - fb[2]) / fw;
                tight = dist <= 0.40 && cover >= 0.6 && len >= 0.6 * fh;
                /* near: as close, along 0.4 of the face's height */
                nearv = dist <= 0.40 && cover >= 0.4 && len >= 0.6 * fh;
                if (len < 1.0 * fh && !tight && !nearv)
                    continue;
            }
            double sw[4] = {seg[0] * fct, seg[1] * fct, seg[2] * fct, seg[3] * fct};
            /* a near edge along which the person mask steps is the person's
             * own outline (straight hair, a shoulder, measured on the genuine
             * portraits: steps of 0.4 to 1); a print's edge is in front of the
             * holder or in the backdrop (NUAA: steps under 0.3) */
            if (nearv && !(side[sd].near && (side[sd].near_tight || !tight)) &&
                mask_step(in->mask, im, sw, fcx * fct, fcy * fct) < 0.3) {
                if (!side[sd].near) {
                    side[sd].near = 1;
                    memcpy(side[sd].nseg, sw, sizeof sw);
                }
                side[sd].near_tight |= tight;
            }
            if (pass)
                continue;
            /* a tight edge along the person's own outline is no print's
             * either: long straight hair on a plain wall hugs the face on
             * both sides (WIDER 561, failed as a held print before
             * 2026-12-07); a held print's edge lies in front of the holder
             * or in the backdrop, where the mask does not step */
            if (tight && !side[sd].tight && mask_step(in->mask, im, sw, fcx * fct, fcy * fct) >= 0.3)
                tight = 0;
            if (tight && !side[sd].tight) {
                side[sd].tight = 1;
                memcpy(side[sd].tseg, sw, sizeof sw);
            }
            /* it must run past the face's whole extent on that side */
            if (cover < 0.8 || (horiz ? len < 1.2 * fw : len < 1.0 * fh))
                continue;
            double cut = mask_cut(in->mask, im, sw, fcx * fct, fcy * fct);
            if (along + cut > side[sd].strength + side[sd].cut) {
                side[sd].strength = along;
                side[sd].cut = cut;
                memcpy(side[sd].seg, sw, sizeof sw);
            }
        }
    }
    free(g);
    free(acc);
    return 0;
}

/* ---- the file's evidence ---------------------------------------------------------------- */

/* 1 when the Software tag names a program that edits or re-renders photos
 * (an editor's output is not a camera's), 0 otherwise. */
/* ---- a hand beside the face ---------------------------------------------------------------- */

/* hand_beside_face's share at which a photo that would pass goes to the
 * reviewer instead: the NUAA live frames reach 0.07 at most, the prints
 * that pass every other cue 0.11-0.82, and genuine photos of other sources
 * (other people's arms, handshakes, skin-coloured shirts) up to 0.93, so
 * this flags, never fails (docs/QUALITY.md, "A hand beside the face"). */
#define HAND_REVIEW 0.30

/* Skin by its chroma (the YCbCr box of Chai and Ngan 1999, with red above
 * green and blue): real skin and printed skin alike, in daylight and under
 * office lamps; walls and wood pass it too, so only the person mask's
 * pixels are asked. */
static int skin_rgb(double R, double G, double B)
{
    double Y = 0.299 * R + 0.587 * G + 0.114 * B;
    double cb = 128 - 0.168736 * R - 0.331264 * G + 0.5 * B;
    double cr = 128 + 0.5 * R - 0.418688 * G - 0.081312 * B;
    return Y >= 50 && cr >= 136 && cr <= 173 && cb >= 77 && cb <= 127 && R > G && R > B;
}

/* The largest patch of skin beside or below the face that is no part of
 * it — inside the person mask, not the face and its ears, not the neck and
 * chest below the chin, not another detected face — as a share of the
 * face's box, counted on cells of about a fortieth of the face's width:
 * the fingers and hand that hold a print up to the camera (every NUAA
 * attack shows them, at the print's sides, corners or bottom edge).  A
 * patch larger than the face is a bare arm or a wall, not counted.
 * *where gets the patch's box (work px).  -1 only when out of memory. */
static int hand_beside_face(check_ctx *ctx, const tc_check_input *in, const face_frame *f, double *share,
                            double where[4], tc_err *e)
{
    const tc_photo_rgb *im = in->work;
    *share = 0;
    double fw = f->box[2] - f->box[0], fh = f->box[3] - f->box[1], cx = (f->box[0] + f->box[2]) / 2;
    if (!in->mask || !(fw >= 8 && fh >= 8))
        return 0; /* without the person mask, every wall would be a hand */
    int s = (int)lround(fw / 40);
    if (s < 1)
        s = 1;
    int X0 = (int)fmax(0, f->box[0] - 1.1 * fw), X1 = (int)fmin(im->width, f->box[2] + 1.1 * fw);
    int Y0 = (int)fmax(0, f->box[1] - 0.2 * fh), Y1 = (int)fmin(im->height, f->box[3] + 1.1 * fh);
    int gw = (X1 - X0) / s, gh = (Y1 - Y0) / s;
    if (gw < 4 || gh < 4)
        return 0;
    size_t n = (size_t)gw * (size_t)gh;
    int *lab = malloc(n * sizeof *lab), *stack = malloc(n * sizeof *stack);
    if (!lab || !stack) {
        free(lab), free(stack);
        return tc_err_internal(e, "check: out of memory (recapture)");
    }
    for (int gy = 0; gy < gh; gy++)
        for (int gx = 0; gx < gw; gx++) {
            int x0 = X0 + gx * s, y0 = Y0 + gy * s;
            double X = x0 + s / 2.0, Y = y0 + s / 2.0;
            int out = 0;
            /* the face and its ears; the neck and the chest below it */
            if (X >= f->box[0] - 0.15 * fw && X <= f->box[2] + 0.15 * fw && Y <= f->box[3] + 0.05 * fh)
                out = 1;
            if (Y > f->box[3] - 0.1 * fh && fabs(X - cx) < 0.5 * fw)
                out = 1;
            for (int k = 1; k < in->n_faces && !out; k++) {
                const tc_vision_face *o = &in->faces[k];
                double ox0 = o->xmin * im->width, oy0 = o->ymin * im->height, ow = o->width * im->width,
                       oh = o->height * im->height;
                if (X >= ox0 - 0.3 * ow && X <= ox0 + 1.3 * ow && Y >= oy0 - 0.5 * oh && Y <= oy0 + 2.0 * oh)
                    out = 1;
            }
            if (!out && check_mask_at(ctx, (int)X, (int)Y) < 0.5f)
                out = 1; /* walls, curtains, wood: not the person */
            int sk = 0;
            if (!out) {
                double R = 0, G = 0, B = 0;
                for (int y = y0; y < y0 + s; y++) {
                    const uint8_t *p = im->px + ((size_t)y * im->width + x0) * 3;
                    for (int x = 0; x < s; x++, p += 3)
                        R += p[0], G += p[1], B += p[2];
                }
                sk = skin_rgb(R / (s * s), G / (s * s), B / (s * s));
            }
            lab[(size_t)gy * gw + gx] = sk ? 0 : -1; /* 0: skin not yet in a patch */
        }
    double face_cells = fw * fh / ((double)s * s), best = 0;
    for (size_t i = 0; i < n; i++) {
        if (lab[i] != 0)
            continue;
        /* the 4-connected patch from cell i */
        int sp = 0, cnt = 0, bx0 = gw, by0 = gh, bx1 = -1, by1 = -1;
        lab[i] = 1;
        stack[sp++] = (int)i;
        while (sp) {
            int c = stack[--sp], x = c % gw, y = c / gw;
            cnt++;
            bx0 = x < bx0 ? x : bx0, bx1 = x > bx1 ? x : bx1, by0 = y < by0 ? y : by0, by1 = y > by1 ? y : by1;
            const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            for (int k = 0; k < 4; k++) {
                int u = x + nb[k][0], v = y + nb[k][1];
                if (u < 0 || v < 0 || u >= gw || v >= gh || lab[(size_t)v * gw + u] != 0)
                    continue;
                lab[(size_t)v * gw + u] = 1;
                stack[sp++] = v * gw + u;
            }
        }
        double sh = cnt / face_cells;
        if (sh <= 1.0 && sh > best) {
            best = sh;
            where[0] = X0 + bx0 * s, where[1] = Y0 + by0 * s;
            where[2] = X0 + (bx1 + 1) * s, where[3] = Y0 + (by1 + 1) * s;
        }
    }
    free(lab), free(stack);
    *share = best;
    return 0;
}

static int editor_tag(const tc_photo_meta *m)
{
    static const char *const ed[] = {"photoshop", "meitu", "美图", "beautycam", "beautyplus", "snapseed",
                                     "picsart",   "gimp",  "lightroom", "facetune", "snow", "b612", "faceu",
                                     "screenshot", "wechat", "微信"};
    if (!m || !m->software[0])
        return 0;
    /* the tag is ASCII (tc_photo_meta): strcasestr compares it as lower case */
    for (size_t k = 0; k < sizeof ed / sizeof ed[0]; k++)
        if (strcasestr(m->software, ed[k]))
            return 1;
    return 0;
}

static double clamp01(double v)
{
    return v < 0 ? 0 : (v > 1 ? 1 : v);
}

int check_recapture(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)c;
    r->value = NAN;
    face_frame f;
    if (!in || !in->work || !in->work->px || face_frame_of(in, &f) != 0) {
        r->score = -1;
        check_say(r, "未找到人脸，无法判断是否翻拍", "No face found: could not tell whether this is a re-capture");
        return 0;
    }
    double where[2], amp = 0;
    double peak = periodic_peak(in->work, &f, where, &amp);
    frame_side side[4];
    if (frame_sides(x, in, &f, side, e) != 0)
        return -1;

    /* periodic pattern: 0 at a peak ratio of 10 (the most natural faces
     * reach), 1 at 24 */
    /* ... and only when the pattern is strong enough to see: scanners,
     * sensors and sharpening leave faint regular textures of a grey level
     * or two on genuine photos; a screen or a print photographed again
     * modulates the picture by several */
    double ep = peak < 0 ? 0 : clamp01((peak - 10) / 14) * clamp01((amp - 3.5) / 3.0);
    /* frame: each side's straight edge counts for its length (as a share of
     * the image side); a bottom edge is often a desk or a laptop, half
     * weight.  One side alone is a door or a pillar behind the person: no
     * evidence; two or more sides are a frame. */
    double fs = 0, cutmax = 0;
    int nsides = 0;
    for (int k = 0; k < 4; k++) {
        if (side[k].strength <= 0)
            continue;
        nsides++;
        fs += (k == 1 ? 0.5 : 1.0) * fmin(side[k].strength, 1.0);
        /* a long edge along which the person's outline is cut: a real person
         * is cut only by the picture's border (or, below, by a desk).  A
         * screen's or print's border runs on past the person it cuts (the
         * real spoofs: cut along 0.13-0.17 of the edge); an edge that is the
         * outline over half its length or more is the person's own (long
         * straight hair down to the picture's bottom: 0.7) */
        if (k != 1 && side[k].strength >= 0.6 && side[k].cut < 0.5)
            cutmax = fmax(cutmax, side[k].cut);
    }
    double e_sides = nsides >= 2 ? clamp01((fs - 0.9) / 1.2) : 0;
    double e_cut = clamp01((cutmax - 0.10) / 0.10);
    /* a print held up to the camera (the NUAA attacks): its edges are short
     * (the print is a little larger than the face) and the person holding
     * it stands behind, so neither a long frame nor a cut outline shows;
     * what shows is straight edges hugging the face — within 0.4 face
     * widths at the sides, half a face height above or below — on two
     * sides or more.  Measured on the NUAA clients not set aside: no live
     * frame has one (the nearest, a door post, at 0.43 face widths, on one
     * side). */
    int ntight = 0;
    for (int k = 0; k < 4; k++)
        ntight += side[k].tight;
    double e_tight = ntight >= 3 ? 0.8 : ntight == 2 ? 0.6 : 0;
    double ef = 1 - (1 - e_sides) * (1 - e_cut) * (1 - e_tight);
    /* the file: adds to a visual cue, never fails a photo by itself */
    int no_camera = in->meta && !in->meta->make[0] && !in->meta->model[0];
    int editor = editor_tag(in->meta);
    double em = 0.1 * no_camera + 0.1 * editor;
    double visual = 1 - (1 - ep) * (1 - ef);
    double ev = visual > 0.2 ? 1 - (1 - visual) * (1 - em) : visual;
    r->value = ev;
    r->score = (int)lround(100 * (1 - ev));
    /* where the strongest cue was found */
    if (ep >= ef && peak > 0) {
        r->region[0] = (float)(f.box[0]), r->region[1] = (float)(f.box[1]);
        r->region[2] = (float)(f.box[2] - f.box[0]), r->region[3] = (float)(f.box[3] - f.box[1]);
    } else {
        double bx0 = 1e9, by0 = 1e9, bx1 = -1e9, by1 = -1e9;
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 2; j++) {
                const double *sg = side[k].strength > 0 ? side[k].seg
                                   : side[k].tight       ? side[k].tseg
                                   : side[k].near        ? side[k].nseg
                                                         : NULL;
                if (!sg)
                    continue;
                bx0 = fmin(bx0, sg[2 * j]), bx1 = fmax(bx1, sg[2 * j]);
                by0 = fmin(by0, sg[2 * j + 1]), by1 = fmax(by1, sg[2 * j + 1]);
            }
        if (bx1 > bx0) {
            r->region[0] = (float)bx0, r->region[1] = (float)by0;
            r->region[2] = (float)fmax(bx1 - bx0, 1), r->region[3] = (float)fmax(by1 - by0, 1);
        }
    }
    if (ep >= ef)
        check_say(r, "照片上有屏幕或印刷品的网纹（摩尔纹），疑似翻拍：请本人直接面对手机摄像头拍摄，不要拍摄照片或屏幕",
                  "The photo shows a screen's or a print's pattern (moiré): it looks like a photo of a photo. Have "
                  "yourself photographed directly, not a picture or a screen");
    else
        check_say(r, "照片中人脸周围有屏幕或相纸的边框，疑似翻拍：请本人直接面对手机摄像头拍摄",
                  "There is the frame of a screen or of a printed photo around the face: it looks like a photo of "
                  "a photo. Have yourself photographed directly");
    int thr = c ? c->threshold[TC_CHECK_RECAPTURE] : check_tuning(TC_CHECK_RECAPTURE)->threshold;
    int nnear = 0, near_tight = 0;
    for (int k = 0; k < 4; k++)
        nnear += side[k].near, near_tight |= side[k].near_tight;
    /* The uncertain band, "flag for review" (issue 16): a failure here locks
     * the account, so evidence that genuine photos also show goes to the
     * reviewer as "could not assess" instead of failing the student.
     *  - long straight edges on two sides and nothing else (no pattern, no
     *    cut outline, nothing hugging the face): a screen's bezel, or a door
     *    frame, flags, a window behind the person (the official Obama
     *    portraits of the real set);
     *  - a photo that would pass but has straight edges near the face (the
     *    second, fainter pass of frame_sides) on two sides, or on one side
     *    hugging the face as closely as a failing frame's: a print held up
     *    to the camera whose other edges are too faint, or hidden by the
     *    fingers.  Edges along the person mask's outline do not count.
     *    Chosen on the NUAA clients not set aside: one near side alone
     *    flagged one live frame of ten there, and four more genuine
     *    portraits (docs/QUALITY.md). */
    int sides_only = ep <= 0 && e_cut <= 0 && e_tight <= 0 && e_sides > 0;
    if (r->score < thr && sides_only) {
        r->score = -1;
        check_say(r, "照片中人物两侧有长直边（门框、窗框或屏幕边框），无法自动判断是否翻拍，将由审核老师确认",
                  "There are long straight edges on two sides of the person (a door or window frame, or a screen's "
                  "bezel): whether this is a photo of a photo could not be assessed; a reviewer will decide");
    } else if (r->score >= thr && (nnear >= 2 || near_tight)) {
        r->score = -1;
        check_say(r, "人脸旁边有相纸或屏幕似的直边，无法自动判断是否翻拍，将由审核老师确认",
                  "There is a straight edge close to the face, like a printed photo's or a screen's: whether this is "
                  "a photo of a photo could not be assessed; a reviewer will decide");
    } else if (r->score >= thr) {
        /* a hand only asks about a photo that would pass: looked for
         * only then */
        double hand = 0, hand_box[4] = {0};
        if (hand_beside_face(x, in, &f, &hand, hand_box, e) != 0)
            return -1;
        if (hand < HAND_REVIEW)
            return 0;
        r->score = -1;
        r->region[0] = (float)hand_box[0], r->region[1] = (float)hand_box[1];
        r->region[2] = (float)(hand_box[2] - hand_box[0]), r->region[3] = (float)(hand_box[3] - hand_box[1]);
        check_say(r, "人脸旁边有手（像是手持一张照片），无法自动判断是否翻拍，将由审核老师确认",
                  "There is a hand beside the face, as if holding up a photo: whether this is a photo of a photo "
                  "could not be assessed; a reviewer will decide");
    }
    return 0;
}
