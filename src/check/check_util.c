/* The checks' shared context: the mesh in work pixels, upright coordinates,
 * and data several checks need (luma, face oval, skin colour), derived the
 * first time a check asks so that disabled checks cost nothing. */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int check_ctx_init(check_ctx *x, const tc_check_input *in, tc_err *e)
{
    memset(x, 0, sizeof *x);
    x->in = in;
    x->w = in->work->width;
    x->h = in->work->height;
    x->glasses_p = -2; /* not yet computed */
    for (int i = 0; i < 256; i++) {
        double c = i / 255.0;
        x->lin[i] = (float)(c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
    }
    const tc_vision_mesh *m = in->mesh;
    if (!m || !(m->presence >= 0.5f))
        return 0;
    x->p = malloc(sizeof(float[3]) * TC_VISION_LANDMARKS);
    x->u = malloc(sizeof(float[2]) * TC_VISION_LANDMARKS);
    if (!x->p || !x->u) {
        check_ctx_free(x);
        return tc_err_set(e, TCE_CHECK_OOM);
    }
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        float px = m->points[i][0] * (float)x->w, py = m->points[i][1] * (float)x->h;
        /* A mesh with NaN or absurd points is treated as no mesh: checks
         * then say "could not assess" instead of measuring garbage. */
        if (!isfinite(px) || !isfinite(py) || !isfinite(m->points[i][2]) || fabsf(px) > 8.0f * (float)x->w ||
            fabsf(py) > 8.0f * (float)x->h) {
            free(x->p), free(x->u);
            x->p = NULL, x->u = NULL;
            return 0;
        }
        x->p[i][0] = px;
        x->p[i][1] = py;
        x->p[i][2] = m->points[i][2] * (float)x->w;
    }
    for (int k = 0; k < 2; k++) {
        const int *ix = k == 0 ? (const int[]){LM_EYE_A_OUT, LM_EYE_A_IN} : (const int[]){LM_EYE_B_IN, LM_EYE_B_OUT};
        x->eye[k][0] = (x->p[ix[0]][0] + x->p[ix[1]][0]) / 2.0;
        x->eye[k][1] = (x->p[ix[0]][1] + x->p[ix[1]][1]) / 2.0;
    }
    /* eye A is the person's right eye: on the image's left when upright */
    double dx = x->eye[1][0] - x->eye[0][0], dy = x->eye[1][1] - x->eye[0][1];
    x->iod = hypot(dx, dy);
    x->roll = atan2(dy, dx);
    x->face_w = check_lm_dist(x, LM_CHEEK_A, LM_CHEEK_B);
    x->face_h = check_lm_dist(x, LM_FOREHEAD, LM_CHIN);
    if (!(x->iod > 2) || !(x->face_w > 4) || !(x->face_h > 4)) {
        free(x->p), free(x->u);
        x->p = NULL, x->u = NULL;
        return 0;
    }
    double cx = (x->eye[0][0] + x->eye[1][0]) / 2, cy = (x->eye[0][1] + x->eye[1][1]) / 2;
    double cs = cos(-x->roll), sn = sin(-x->roll);
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        double ax = x->p[i][0] - cx, ay = x->p[i][1] - cy;
        x->u[i][0] = (float)(cx + ax * cs - ay * sn);
        x->u[i][1] = (float)(cy + ax * sn + ay * cs);
    }
    double b[4] = {1e9, 1e9, -1e9, -1e9};
    for (int k = 0; k < 36; k++) {
        const float *q = x->p[check_oval_idx[k]];
        b[0] = fmin(b[0], q[0]), b[1] = fmin(b[1], q[1]);
        b[2] = fmax(b[2], q[0]), b[3] = fmax(b[3], q[1]);
    }
    x->oval_box[0] = (int)clampd(floor(b[0]), 0, x->w);
    x->oval_box[1] = (int)clampd(floor(b[1]), 0, x->h);
    x->oval_box[2] = (int)clampd(ceil(b[2]) + 1, 0, x->w);
    x->oval_box[3] = (int)clampd(ceil(b[3]) + 1, 0, x->h);
    x->has_mesh = 1;
    return 0;
}

void check_ctx_free(check_ctx *x)
{
    free(x->p);
    free(x->u);
    free(x->lum);
    free(x->oval);
    x->p = NULL, x->u = NULL, x->lum = NULL, x->oval = NULL;
}

const uint8_t *check_lum(check_ctx *x)
{
    if (x->lum)
        return x->lum;
    size_t n = (size_t)x->w * (size_t)x->h;
    x->lum = malloc(n);
    if (!x->lum)
        return NULL;
    const uint8_t *s = x->in->work->px;
    for (size_t i = 0; i < n; i++, s += 3)
        x->lum[i] = (uint8_t)((77 * s[0] + 150 * s[1] + 29 * s[2] + 128) >> 8);
    return x->lum;
}

void check_poly_fill(const float (*pts)[2], int n, uint8_t *m, int bx, int by, int bw, int bh)
{
    memset(m, 0, (size_t)bw * (size_t)bh);
    /* even-odd scanline fill at pixel centres */
    for (int y = 0; y < bh; y++) {
        double py = by + y + 0.5;
        double xs[64];
        int nx = 0;
        for (int i = 0, j = n - 1; i < n && nx < 64; j = i++) {
            double y0 = pts[j][1], y1 = pts[i][1];
            if ((y0 <= py && y1 > py) || (y1 <= py && y0 > py)) {
                double t = (py - y0) / (y1 - y0);
                xs[nx++] = pts[j][0] + t * (pts[i][0] - pts[j][0]);
            }
        }
        for (int a = 1; a < nx; a++)
            for (int b = a; b > 0 && xs[b - 1] > xs[b]; b--) {
                double t = xs[b];
                xs[b] = xs[b - 1];
                xs[b - 1] = t;
            }
        for (int k = 0; k + 1 < nx; k += 2) {
            int x0 = (int)ceil(xs[k] - 0.5 - bx), x1 = (int)floor(xs[k + 1] - 0.5 - bx);
            if (x0 < 0)
                x0 = 0;
            if (x1 >= bw)
                x1 = bw - 1;
            for (int xx = x0; xx <= x1; xx++)
                m[(size_t)y * bw + xx] = 1;
        }
    }
}

const uint8_t *check_oval(check_ctx *x)
{
    if (x->oval || !x->has_mesh)
        return x->oval;
    int bw = x->oval_box[2] - x->oval_box[0], bh = x->oval_box[3] - x->oval_box[1];
    if (bw <= 0 || bh <= 0)
        return NULL;
    x->oval = malloc((size_t)bw * (size_t)bh);
    if (!x->oval)
        return NULL;
    float poly[36][2];
    for (int k = 0; k < 36; k++)
        poly[k][0] = x->p[check_oval_idx[k]][0], poly[k][1] = x->p[check_oval_idx[k]][1];
    check_poly_fill((const float(*)[2])poly, 36, x->oval, x->oval_box[0], x->oval_box[1], bw, bh);
    return x->oval;
}

/* The cube root of v > 0 (finite, normal) without libm's cbrt, whose calls
 * to frexp and ldexp made it the checks' costliest function (~3 % of a
 * photo's CPU): an exponent-third first guess (within 3.2 %), two Halley
 * steps (error cubed each: 3e-5, then 3e-14) and one Newton step.  Within
 * 7e-16 relative of cbrt over the Lab range (0.0088..2, every 1e-7 step
 * compared), i.e. a few units in the last place; inlined, the three of a
 * conversion overlap. */
static inline double lab_cbrt(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    b = b / 3 + UINT64_C(0x2A9F7893782DA1CE);
    double y;
    memcpy(&y, &b, sizeof y);
    double y3 = y * y * y;
    y = y * (y3 + 2 * v) / (2 * y3 + v);
    y3 = y * y * y;
    y = y * (y3 + 2 * v) / (2 * y3 + v);
    return y - (y * y * y - v) / (3 * y * y);
}

void check_rgb_lab(const check_ctx *x, const uint8_t rgb[3], double lab[3])
{
    double r = x->lin[rgb[0]], g = x->lin[rgb[1]], b = x->lin[rgb[2]];
    double X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    double Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    double Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    double f[3], v[3] = {X, Y, Z};
    for (int i = 0; i < 3; i++)
        f[i] = v[i] > 0.008856 ? lab_cbrt(v[i]) : 7.787 * v[i] + 16.0 / 116;
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

double check_delta_e(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

void check_pt(const check_ctx *x, int i, double out[2])
{
    out[0] = x->p[i][0];
    out[1] = x->p[i][1];
}

double check_lm_dist(const check_ctx *x, int a, int b)
{
    return hypot(x->p[a][0] - x->p[b][0], x->p[a][1] - x->p[b][1]);
}

int check_clip(const check_ctx *x, double x0, double y0, double x1, double y1, int r[4])
{
    r[0] = (int)clampd(floor(fmin(x0, x1)), 0, x->w);
    r[1] = (int)clampd(floor(fmin(y0, y1)), 0, x->h);
    r[2] = (int)clampd(ceil(fmax(x0, x1)), 0, x->w);
    r[3] = (int)clampd(ceil(fmax(y0, y1)), 0, x->h);
    return r[2] > r[0] && r[3] > r[1];
}

double check_mean_lum(check_ctx *x, const int r[4])
{
    const uint8_t *l = check_lum(x);
    if (!l || r[2] <= r[0] || r[3] <= r[1])
        return NAN;
    double s = 0;
    for (int y = r[1]; y < r[3]; y++)
        for (int xx = r[0]; xx < r[2]; xx++)
            s += l[(size_t)y * x->w + xx];
    return s / ((double)(r[2] - r[0]) * (r[3] - r[1]));
}


void check_region(tc_check_result *r, double x0, double y0, double x1, double y1)
{
    r->region[0] = (float)fmin(x0, x1);
    r->region[1] = (float)fmin(y0, y1);
    r->region[2] = (float)fabs(x1 - x0);
    r->region[3] = (float)fabs(y1 - y0);
}

void check_no_mesh(tc_check_result *r)
{
    r->score = -1;
    check_say(r, "未能定位面部特征点，无法判断此项；请正对镜头、露出整张脸重拍",
              "Could not find the face's landmarks, so this cannot be judged: face the camera with the whole face "
              "visible and shoot again");
}

int check_need_mesh(const check_ctx *x, tc_check_result *r)
{
    if (x->has_mesh)
        return 0;
    check_no_mesh(r);
    return 1;
}

/* The cheeks' skin colour sampled (check_skin), else "could not assess". */
static int need_skin(check_ctx *x, tc_check_result *r)
{
    if (check_skin(x) != 0) {
        r->score = -1;
        check_say(r, "无法取得脸颊肤色，无法判断此项", "The cheeks could not be sampled for skin colour, so this cannot be judged");
        return 1;
    }
    return 0;
}

int check_needs(check_ctx *x, unsigned need, tc_check_result *r)
{
    if ((need & (CHECK_NEED_MESH | CHECK_NEED_SKIN)) && check_need_mesh(x, r))
        return 1;
    if ((need & CHECK_NEED_SKIN) && need_skin(x, r))
        return 1;
    if ((need & CHECK_NEED_COLOUR) && check_need_colour(x, r))
        return 1;
    if ((need & CHECK_NEED_LAYOUT) && !x->in->lay) {
        check_unsure(r, "无法根据人脸位置规划裁剪，请正对镜头、露出整张脸重拍",
                     "No crop could be planned from the face: face the camera with the whole face visible "
                     "and shoot again");
        return 1;
    }
    return 0;
}

int check_unsure(tc_check_result *r, const char *zh, const char *en)
{
    r->score = -1;
    check_say(r, zh, en);
    return 0;
}

void check_rate(tc_check_result *r, tc_check_id id, double v, double at)
{
    r->value = v;
    r->score = check_ramp(id, at);
}

int check_is_grey(check_ctx *x)
{
    if (x->grey_done)
        return x->grey;
    x->grey_done = 1;
    const uint8_t *rgb = x->in->work->px;
    size_t n = (size_t)x->w * x->h;
    /* about 64k samples are plenty for a mean */
    size_t step = n / 65536 + 1;
    double s = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < n; i += step, cnt++) {
        const uint8_t *q = rgb + 3 * i;
        int mx = q[0] > q[1] ? q[0] : q[1], mn = q[0] < q[1] ? q[0] : q[1];
        mx = q[2] > mx ? q[2] : mx, mn = q[2] < mn ? q[2] : mn;
        s += mx - mn;
    }
    x->grey = cnt > 0 && s / (double)cnt < check_grey_chroma();
    return x->grey;
}

int check_need_colour(check_ctx *x, tc_check_result *r)
{
    if (!check_is_grey(x))
        return 0;
    r->score = -1;
    check_say(r, "照片是黑白的，无法按颜色判断此项（请上传彩色照片）",
              "The photo is black and white, so this cannot be judged by colour (upload a colour photo)");
    return 1;
}

/* Skin colour: the cheek patches below the eyes (landmarks 50 and 280) are
 * skin on nearly every face (no hair, brows, glasses or beard there), so
 * their trimmed mean stands for the person's skin under this light. */
int check_skin(check_ctx *x)
{
    if (x->skin_done)
        return x->skin_ok ? 0 : -1;
    x->skin_done = 1;
    if (!x->has_mesh)
        return -1;
    const uint8_t *rgb = x->in->work->px;
    double lab[3] = {0}, ys = 0, yy = 0;
    int n = 0;
    double half = fmax(1.0, 0.08 * x->face_w);
    for (int k = 0; k < 2; k++) {
        int i = k ? LM_CHEEK_PATCH_B : LM_CHEEK_PATCH_A;
        int r[4];
        if (!check_clip(x, x->p[i][0] - half, x->p[i][1] - half, x->p[i][0] + half, x->p[i][1] + half, r))
            continue;
        for (int y = r[1]; y < r[3]; y++)
            for (int xx = r[0]; xx < r[2]; xx++) {
                const uint8_t *q = rgb + ((size_t)y * x->w + xx) * 3;
                double l[3];
                check_rgb_lab(x, q, l);
                double Y = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
                for (int c = 0; c < 3; c++)
                    lab[c] += l[c];
                ys += Y, yy += Y * Y;
                n++;
            }
    }
    if (n < 4)
        return -1;
    for (int c = 0; c < 3; c++)
        x->skin_lab[c] = lab[c] / n;
    x->skin_y = ys / n;
    x->skin_y_sd = sqrt(fmax(0, yy / n - x->skin_y * x->skin_y));
    x->skin_ok = 1;
    return 0;
}

int check_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double check_select(double *v, size_t n, size_t k)
{
    assert(n > 0 && k < n);
    /* Hoare's selection: partition around the middle element's value and
     * keep the side that holds rank k; what is left between the two
     * scans equals the pivot */
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (lo < hi) {
        double p = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j], v[j] = t;
                i++, j--;
            }
        }
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

int check_lab_median(double *v, size_t cap, size_t n, size_t min_n, double out[3])
{
    if (n < min_n || n == 0)
        return -1;
    for (int k = 0; k < 3; k++) /* the element a sort would put at n/2, without the sort */
        out[k] = check_select(v + k * cap, n, n / 2);
    return 0;
}

size_t check_non_skin_lab(check_ctx *x, const int rr[4], int step, double (*lab)[3], size_t cap)
{
    size_t n = 0;
    for (int y = rr[1]; y < rr[3]; y += step)
        for (int xx = rr[0]; xx < rr[2]; xx += step) {
            if (check_mask_at(x, xx, y) < 0.7f || n >= cap)
                continue;
            check_rgb_lab(x, x->in->work->px + ((size_t)y * x->w + xx) * 3, lab[n]);
            if (check_delta_e(lab[n], x->skin_lab) >= 15)
                n++;
        }
    return n;
}
