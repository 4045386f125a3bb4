/* Lighting, red eye, sharpness and resolution: measured on the face oval of
 * the work copy (the mesh's silhouette), which is skin, brows, eyes and
 * mouth but no background or clothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

/* Luma statistics over the face oval: mean, clipped fraction (all channels
 * >= 248), highlight fraction, and the two halves' means split by the face's
 * vertical axis (forehead 10 -> chin 152), taken between the eye line and
 * the mouth so that hair on the forehead does not count as shadow. */
typedef struct {
    int n;
    double mean, clipped, highlight;
    double half[2];
    int nhalf[2];
} oval_stats;

static int oval_measure(check_ctx *x, oval_stats *s)
{
    memset(s, 0, sizeof *s);
    const uint8_t *ov = check_oval(x), *l = check_lum(x);
    if (!ov || !l)
        return -1;
    const uint8_t *rgb = x->in->work->px;
    int bx = x->oval_box[0], by = x->oval_box[1], bw = x->oval_box[2] - bx, bh = x->oval_box[3] - by;
    int hist[256] = {0};
    double sum = 0;
    for (int y = 0; y < bh; y++)
        for (int xx = 0; xx < bw; xx++)
            if (ov[(size_t)y * bw + xx]) {
                int v = l[(size_t)(by + y) * x->w + bx + xx];
                hist[v]++;
                sum += v;
                s->n++;
            }
    if (s->n < 50)
        return -1;
    s->mean = sum / s->n;
    int acc = 0, med = 0;
    while (med < 255 && acc + hist[med] < s->n / 2)
        acc += hist[med++];
    /* a highlight: much brighter than the face's median and near white */
    int hl = med + 55 > 235 ? med + 55 : 235;
    const float *t = x->p[LM_FOREHEAD], *c = x->p[LM_CHIN];
    double ax = c[0] - t[0], ay = c[1] - t[1];
    double ylo = fmin(x->eye[0][1], x->eye[1][1]), yhi = x->p[LM_LIP_TOP][1];
    int nclip = 0, nhl = 0;
    for (int y = 0; y < bh; y++)
        for (int xx = 0; xx < bw; xx++) {
            if (!ov[(size_t)y * bw + xx])
                continue;
            size_t o = (size_t)(by + y) * x->w + bx + xx;
            const uint8_t *q = rgb + o * 3;
            /* white, not just one channel full: a pale or ruddy face fills
             * red long before it loses detail */
            if (q[0] >= 248 && q[1] >= 248 && q[2] >= 248)
                nclip++;
            if (l[o] >= hl)
                nhl++;
            double py = by + y + 0.5, px = bx + xx + 0.5;
            if (py >= ylo && py <= yhi) {
                int side = (px - t[0]) * ay - (py - t[1]) * ax < 0;
                s->half[side] += l[o];
                s->nhalf[side]++;
            }
        }
    s->clipped = (double)nclip / s->n;
    s->highlight = (double)nhl / s->n;
    for (int k = 0; k < 2; k++)
        s->half[k] = s->nhalf[k] ? s->half[k] / s->nhalf[k] : NAN;
    return 0;
}

static int no_oval(check_ctx *x, tc_check_result *r)
{
    if (!x->has_mesh)
        check_no_mesh(r);
    else {
        r->score = -1;
        check_say(r, "脸部区域太小或不在画面内，无法判断光线", "The face region is too small or outside the picture to judge the light");
    }
    return 0;
}

static void oval_region(const check_ctx *x, tc_check_result *r)
{
    check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
}

/* The oval's statistics into s: 0, or 1 when there is no usable oval (the
 * result then says so, no_oval). */
static int oval_get(check_ctx *x, tc_check_result *r, oval_stats *s)
{
    if (!x->has_mesh || oval_measure(x, s) != 0) {
        no_oval(x, r);
        return 1;
    }
    return 0;
}

/* A check measured on the whole oval: index v rated for id, the oval as
 * its region, what to do when it fails (zh, en: plain texts). */
static int oval_verdict(check_ctx *x, tc_check_result *r, tc_check_id id, double v, const char *zh, const char *en)
{
    check_rate(r, id, v, v);
    oval_region(x, r);
    check_say(r, zh, en);
    return 0;
}

int check_light_dark(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)c, (void)e;
    oval_stats s;
    if (oval_get(x, r, &s))
        return 0;
    check_rate(r, TC_CHECK_LIGHT_DARK, s.mean, s.mean);
    oval_region(x, r);
    /* The face was brightened before the checks (tc_check_tone) as far as
     * it can be without visible noise; a face that needed more is failed
     * for that, whatever the brightened copy measures. */
    const tc_check_tone *t = in->tone;
    double lim = tc_check_tone_max_gain();
    if (t && t->measured && t->need > lim) {
        int sc = (int)floor(49.0 * lim / t->need);
        if (sc < r->score)
            r->score = sc;
        check_say(r, "照片太暗（需提亮约 %.1f 档），无法在不产生明显噪点的情况下校正；请面向窗户在自然光下重拍",
                  "The photo is too dark to correct (it needs about %.1f stops more light) without visible noise: "
                  "face a window in daylight and shoot again",
                  log2(t->need));
        return 0;
    }
    check_say(r, "脸部光线过暗，请面向窗户在自然光下重拍", "Your face is too dark: face a window in daylight and shoot again");
    return 0;
}

int check_light_bright(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                       tc_err *e)
{
    (void)in, (void)c, (void)e;
    oval_stats s;
    if (oval_get(x, r, &s))
        return 0;
    /* clipped pixels lose the skin's detail; a face whose mean is near white
     * is over-exposed even before it clips */
    double v = s.clipped + fmax(0, s.mean - 200) / 200;
    return oval_verdict(x, r, TC_CHECK_LIGHT_BRIGHT, v, "脸部过亮或曝光过度，请避开强光直射、关闭闪光灯后重拍",
                        "Your face is too bright (over-exposed): avoid direct strong light, turn the flash off and shoot again");
}

int check_light_uneven(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                       tc_err *e)
{
    (void)in, (void)c, (void)e;
    oval_stats s;
    if (!x->has_mesh || oval_measure(x, &s) != 0 || s.nhalf[0] < 20 || s.nhalf[1] < 20)
        return no_oval(x, r);
    double lo = fmin(s.half[0], s.half[1]), hi = fmax(s.half[0], s.half[1]);
    double v = hi > 0 ? lo / hi : 1;
    return oval_verdict(x, r, TC_CHECK_LIGHT_UNEVEN, v, "脸部左右明暗不均（阴阳脸），请正面朝向光源、避免侧光后重拍",
                        "One side of your face is much darker than the other: face the light source, avoid side light, and "
                        "shoot again");
}

int check_light_hotspot(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                        tc_err *e)
{
    (void)in, (void)e;
    oval_stats s;
    if (oval_get(x, r, &s))
        return 0;
    oval_verdict(x, r, TC_CHECK_LIGHT_HOTSPOT, s.highlight, "脸部有明显反光亮斑，请用柔和的散射光、擦去面部油光后重拍",
                 "There are shiny hot spots on your face: use soft, diffuse light, blot any shine off your skin and "
                 "shoot again");
    if (r->score < c->threshold[TC_CHECK_LIGHT_HOTSPOT] && s.highlight < CHECK_HOTSPOT_FAIL)
        return check_unsure(r, "脸部可能有反光亮斑，将由审核老师确认；如有，请用柔和的散射光、擦去面部油光后重拍",
                            "There may be shiny hot spots on your face: a reviewer will check. If there are, use soft, "
                            "diffuse light, blot any shine off your skin and shoot again");
    return 0;
}

int check_red_eye(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                  tc_err *e)
{
    (void)in, (void)c, (void)e;
    /* a grey photo has no red to find: not a pass */
    if (check_need_colour(x, r))
        return 0;
    check_iris(x);
    if (!x->iris_ok[0] || !x->iris_ok[1])
        return check_unsure(r, "无法定位瞳孔，无法判断红眼", "The pupils could not be located, so red eye cannot be judged");
    /* A flash reflected by the retina turns the pupil red: count strongly
     * red pixels inside each iris disc; the worse eye decides. */
    const uint8_t *rgb = in->work->px;
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        double cx = x->iris[k][0], cy = x->iris[k][1], rad = fmax(1.5, x->iris[k][2]);
        int rr[4];
        if (!check_clip(x, cx - rad, cy - rad, cx + rad + 1, cy + rad + 1, rr))
            continue;
        int n = 0, red = 0;
        for (int y = rr[1]; y < rr[3]; y++)
            for (int xx = rr[0]; xx < rr[2]; xx++) {
                double dx = xx + 0.5 - cx, dy = y + 0.5 - cy;
                if (dx * dx + dy * dy > rad * rad)
                    continue;
                const uint8_t *q = rgb + ((size_t)y * x->w + xx) * 3;
                n++;
                red += q[0] > 90 && q[0] > 1.7 * q[1] && q[0] > 1.5 * q[2];
            }
        if (n)
            worst = fmax(worst, (double)red / n);
    }
    check_rate(r, TC_CHECK_RED_EYE, worst, worst);
    double rad = fmax(x->iris[0][2], x->iris[1][2]) * 2;
    check_region(r, x->iris[0][0] - rad, fmin(x->iris[0][1], x->iris[1][1]) - rad, x->iris[1][0] + rad,
                 fmax(x->iris[0][1], x->iris[1][1]) + rad);
    check_say(r, "照片有红眼，请关闭闪光灯、在自然光下重拍", "Red eye in the photo: turn the flash off and shoot again in daylight");
    return 0;
}

/* Sharpness on the face reduced to about BLUR_SIDE pixels across (box
 * average), so that the index means the same for a small or large face:
 * RMS of the Laplacian over the RMS contrast of the face, both inside the
 * oval.  Defocus and motion both remove the Laplacian's energy while the
 * contrast stays, so the ratio falls. */
#define BLUR_SIDE 160

int check_blur(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)in, (void)c, (void)e;
    const uint8_t *ov = x->has_mesh ? check_oval(x) : NULL, *l = check_lum(x);
    if (!ov || !l)
        return no_oval(x, r);
    int bx = x->oval_box[0], by = x->oval_box[1], bw = x->oval_box[2] - bx, bh = x->oval_box[3] - by;
    int f = (int)floor(x->face_w / BLUR_SIDE);
    if (f < 1)
        f = 1;
    int sw = bw / f, sh = bh / f;
    if (sw < 16 || sh < 16)
        return check_unsure(r, "脸部太小，无法判断清晰度", "The face is too small to judge sharpness");
    float *img = malloc(sizeof(float) * (size_t)sw * sh);
    uint8_t *in_ov = malloc((size_t)sw * sh);
    if (!img || !in_ov) {
        free(img), free(in_ov);
        return tc_err_set(e, TCE_CHECK_OOM);
    }
    for (int y = 0; y < sh; y++)
        for (int xx = 0; xx < sw; xx++) {
            int s = 0, inside = 1;
            for (int j = 0; j < f; j++)
                for (int i = 0; i < f; i++) {
                    size_t oy = (size_t)(y * f + j), ox = (size_t)(xx * f + i);
                    s += l[(by + oy) * x->w + bx + ox];
                    inside &= ov[oy * bw + ox];
                }
            img[(size_t)y * sw + xx] = (float)s / (float)(f * f);
            in_ov[(size_t)y * sw + xx] = (uint8_t)inside;
        }
    /* The contrast is taken within each half of the face (split along its
     * axis, forehead 10 -> chin 152) and pooled: a side light or a shadow
     * over one half adds a step between the halves that is no detail, and
     * in the global variance it made a sharp side-lit face read blurred. */
    const float *ft = x->p[LM_FOREHEAD], *fc = x->p[LM_CHIN];
    double ax = fc[0] - ft[0], ay = fc[1] - ft[1];
    double lap2 = 0, sum[2] = {0, 0}, sum2[2] = {0, 0};
    int n = 0, nh[2] = {0, 0};
    for (int y = 1; y < sh - 1; y++)
        for (int xx = 1; xx < sw - 1; xx++) {
            size_t o = (size_t)y * sw + xx;
            /* all four neighbours inside: no edge of the oval in the sum */
            if (!in_ov[o] || !in_ov[o - 1] || !in_ov[o + 1] || !in_ov[o - sw] || !in_ov[o + sw])
                continue;
            double v = img[o];
            double lap = img[o - 1] + img[o + 1] + img[o - sw] + img[o + sw] - 4 * v;
            lap2 += lap * lap;
            double px = bx + (xx + 0.5) * f, py = by + (y + 0.5) * f;
            int side = (px - ft[0]) * ay - (py - ft[1]) * ax < 0;
            sum[side] += v, sum2[side] += v * v;
            nh[side]++;
            n++;
        }
    free(img);
    free(in_ov);
    if (n < 100)
        return check_unsure(r, "脸部太小，无法判断清晰度", "The face is too small to judge sharpness");
    double var = 0;
    for (int k = 0; k < 2; k++)
        if (nh[k])
            var += sum2[k] - sum[k] * sum[k] / nh[k];
    var /= n;
    double v = var > 1 ? sqrt(lap2 / n) / sqrt(var) : 0;
    return oval_verdict(x, r, TC_CHECK_BLUR, v, "照片模糊，请对焦在脸上、拿稳手机（或放在支架上）后重拍",
                        "The photo is blurred: focus on the face, hold the phone still (or use a stand) and shoot again");
}

double check_resolution_value(const tc_check_input *in, double face_w, double *src_w)
{
    /* The face's width in the original file against the width it gets in
     * the standard photo: below 1 the photo is enlarged, and detail the
     * camera never recorded cannot be made up. */
    double sw = in->work_scale > 0 ? face_w / in->work_scale : face_w;
    double target = 0;
    if (in->lay && in->lay->face_width > 0)
        target = in->lay->face_width;
    else if (in->spec->face_width.has_lo && in->spec->face_width.has_hi)
        target = (in->spec->face_width.lo + in->spec->face_width.hi) / 2;
    else
        target = in->spec->width * 0.5;
    if (src_w)
        *src_w = sw;
    return target > 0 ? sw / target : 0;
}

int check_resolution(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)e;
    double src_w = 0;
    double v = check_resolution_value(in, x->face_w, &src_w);
    check_rate(r, TC_CHECK_RESOLUTION, v, v);
    oval_region(x, r);
    if (r->score < c->threshold[TC_CHECK_RESOLUTION] && check_body_shot(x, in, c, NULL)) {
        /* a half or full-length picture: body_framing gives the reason the
         * student can act on (issue 16 item 8), this one does not repeat it */
        r->score = -1;
        check_say(r, "这是半身或全身照，原因见“半身或全身照”一项", "This is a half or full-length picture: see that reason");
        return 0;
    }
    check_say(r, "脸部像素太少（约 %.0f 像素宽），请靠近一些或使用手机后置主摄像头、拍摄原图后重拍",
              "Too few pixels across the face (about %.0f px): come closer or use the phone's main rear camera at "
              "full resolution, and shoot again",
              src_w);
    return 0;
}
