/* Exposure and white balance measured on the face, as a studio corrects a
 * photo before it cuts the person out (issue 16, item 1): the face oval's
 * luma decides the exposure gain, the cheeks' skin colour the white balance.
 * The result is a per-channel tone curve the pipeline applies to the person
 * before the background is replaced, and to the work copy the checks see.
 *
 * Limits (docs/QUALITY.md, "Exposure"): the gain is at most TONE_MAX_GAIN in
 * linear light (2 stops: beyond it a phone's shadow noise and the 8-bit
 * steps of a JPEG show as grain and banding on the skin); a face needing
 * more is left at that gain and light_dark fails it with the reason "too dark
 * to correct".  An over-exposed face is darkened only when it is not
 * clipped: clipped skin has no detail left to bring back (light_bright). */
#include <math.h>
#include <string.h>

#include "check_int.h"

/* Under-exposure: the gain that brings the face oval's mean luma (sRGB,
 * 0..255) to TARGET_FACE or the image's 99th percentile to TARGET_TOP,
 * whichever is less, applied when it is at least MIN_CORRECTION (half a
 * stop: a photo exposed about right is left as it is).  Over-exposure: a face
 * brighter than BRIGHT_ABOVE is brought to TARGET_BRIGHT. */
#define TARGET_FACE 165.0
#define MIN_CORRECTION 1.4
#define BRIGHT_ABOVE 200.0
#define TARGET_BRIGHT 180.0
/* the image's 99th percentile of luma is brought up to this at most */
#define TARGET_TOP 235.0
#define TONE_MAX_GAIN 4.0
#define TONE_MIN_GAIN 0.5
/* the 99th percentile of the face's luma may reach this after the gain */
#define CLIP_LUMA 250.0
/* an over-exposed face with this fraction of white (clipped) pixels is not
 * darkened */
#define CLIP_FRAC 0.02
/* Plausible skin in log chromaticity (u = ln R/G, v = ln B/G of linear
 * light): red above green above blue, within the spread measured on the
 * portraits and the real photos (docs/QUALITY.md, "Exposure").  Skin outside
 * this box by more than SKIN_TOL is a colour cast: moved to the box's edge
 * (not to the person's true colour, which nothing in the photo tells). */
static const double SKIN_U[2] = {0.30, 1.70}, SKIN_V[2] = {-1.30, -0.08};
#define SKIN_TOL 0.04
#define WB_MAX 1.8

double tc_check_tone_max_gain(void)
{
    return TONE_MAX_GAIN;
}

void tc_check_tone_limits_get(tc_check_tone_limits *out)
{
    out->target_face = TARGET_FACE;
    out->target_top = TARGET_TOP;
    out->min_correction = MIN_CORRECTION;
    out->max_gain = TONE_MAX_GAIN;
}

static double srgb_of(double l)
{
    l = l < 0 ? 0 : l;
    return l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055;
}

/* Highlights roll off instead of clipping when they are pushed past 0.8. */
static double shoulder(double v)
{
    return v <= 0.8 ? v : 0.8 + 0.2 * (1 - exp(-(v - 0.8) / 0.2));
}

static void make_lut(tc_check_tone *t)
{
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 256; i++) {
            double c0 = i / 255.0;
            double l = c0 <= 0.04045 ? c0 / 12.92 : pow((c0 + 0.055) / 1.055, 2.4);
            double g = t->gain * t->wb[c];
            double v = g > 1 ? shoulder(l * g) : l * g;
            long o = lround(255 * srgb_of(v > 1 ? 1 : v));
            t->lut[c][i] = (uint8_t)(o < 0 ? 0 : o > 255 ? 255 : o);
        }
    t->applied = 0;
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 256; i++)
            t->applied |= t->lut[c][i] != i;
}

static void white_balance(check_ctx *x, tc_check_tone *t)
{
    /* a grey photo has no colour to balance; a very dark face's colour is
     * mostly noise */
    if (check_is_grey(x) || (t->measured && t->face_luma < 35))
        return;
    const uint8_t *rgb = x->in->work->px;
    double s[3] = {0, 0, 0};
    int n = 0;
    double half = fmax(1.0, 0.08 * x->face_w);
    for (int k = 0; k < 2; k++) {
        int i = k ? LM_CHEEK_PATCH_B : LM_CHEEK_PATCH_A, r[4];
        if (!check_clip(x, x->p[i][0] - half, x->p[i][1] - half, x->p[i][0] + half, x->p[i][1] + half, r))
            continue;
        for (int y = r[1]; y < r[3]; y++)
            for (int xx = r[0]; xx < r[2]; xx++) {
                const uint8_t *q = rgb + ((size_t)y * x->w + xx) * 3;
                /* clipped or black pixels carry no colour */
                if (q[0] >= 250 || q[1] >= 250 || q[2] >= 250 || q[0] + q[1] + q[2] < 15)
                    continue;
                for (int c = 0; c < 3; c++)
                    s[c] += x->lin[q[c]];
                n++;
            }
    }
    if (n < 16 || !(s[0] > 0 && s[1] > 0 && s[2] > 0))
        return;
    double p[2] = {log(s[0] / s[1]), log(s[2] / s[1])};
    t->skin[0] = p[0], t->skin[1] = p[1];
    /* the nearest point of the plausible skin box */
    double q[2] = {fmin(SKIN_U[1], fmax(SKIN_U[0], p[0])), fmin(SKIN_V[1], fmax(SKIN_V[0], p[1]))};
    double off[2] = {p[0] - q[0], p[1] - q[1]}, dist = hypot(off[0], off[1]);
    t->cast = dist;
    if (dist <= SKIN_TOL)
        return;
    double gr = exp(-off[0]), gb = exp(-off[1]);
    gr = fmin(WB_MAX, fmax(1 / WB_MAX, gr));
    gb = fmin(WB_MAX, fmax(1 / WB_MAX, gb));
    /* keep the skin's luminance: exposure is decided apart */
    double y0 = 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
    double y1 = 0.2126 * s[0] * gr + 0.7152 * s[1] + 0.0722 * s[2] * gb;
    double norm = y1 > 0 ? y0 / y1 : 1;
    t->wb[0] = gr * norm, t->wb[1] = norm, t->wb[2] = gb * norm;
}

static void exposure(check_ctx *x, tc_check_tone *t)
{
    const uint8_t *ov = check_oval(x), *l = check_lum(x);
    if (!ov || !l)
        return;
    const uint8_t *rgb = x->in->work->px;
    int bx = x->oval_box[0], by = x->oval_box[1], bw = x->oval_box[2] - bx, bh = x->oval_box[3] - by;
    int hist[256] = {0}, n = 0, nclip = 0;
    double sum = 0;
    for (int y = 0; y < bh; y++)
        for (int xx = 0; xx < bw; xx++)
            if (ov[(size_t)y * bw + xx]) {
                size_t o = (size_t)(by + y) * x->w + bx + xx;
                hist[l[o]]++;
                sum += l[o];
                n++;
                const uint8_t *q = rgb + o * 3;
                nclip += q[0] >= 248 && q[1] >= 248 && q[2] >= 248;
            }
    if (n < 50)
        return;
    t->measured = 1;
    t->face_luma = sum / n;
    int acc = 0, p99 = 255;
    for (int v = 0; v < 256; v++) {
        acc += hist[v];
        if (acc >= 0.99 * n) {
            p99 = v;
            break;
        }
    }
    /* The image's own top (its 99th percentile of luma, background and
     * clothing included) says whether the photo is under-exposed: a dark
     * face in a photo whose whites are white is dark skin or a backlit face,
     * not a dim exposure, and brightening it would be wrong (light_dark
     * judges it as before). */
    int ihist[256] = {0}, ni = 0;
    size_t npx = (size_t)x->w * x->h, step = npx / 65536 + 1;
    for (size_t i = 0; i < npx; i += step, ni++)
        ihist[l[i]]++;
    int ip99 = 255;
    acc = 0;
    for (int v = 0; v < 256; v++) {
        acc += ihist[v];
        if (acc >= 0.99 * ni) {
            ip99 = v;
            break;
        }
    }
    t->image_p99 = ip99;
    double m = t->face_luma;
    double need_face = x->lin[(int)TARGET_FACE] / fmax(x->lin[(int)lround(m)], 1e-4);
    double need_top = x->lin[(int)TARGET_TOP] / fmax(x->lin[ip99], 1e-4);
    double need = fmin(need_face, need_top);
    if (need >= MIN_CORRECTION) {
        t->need = need;
        double clip = pow((CLIP_LUMA / 255 + 0.055) / 1.055, 2.4) / fmax(x->lin[p99], 1e-4);
        t->gain = fmax(1, fmin(t->need, fmin(TONE_MAX_GAIN, clip)));
    } else if (m > BRIGHT_ABOVE && (double)nclip / n < CLIP_FRAC) {
        t->need = x->lin[(int)TARGET_BRIGHT] / x->lin[(int)lround(m)];
        t->gain = fmax(TONE_MIN_GAIN, t->need);
    }
}

int tc_check_tone_measure(const tc_photo_rgb *work, const tc_vision_mesh *mesh, tc_check_tone *out)
{
    memset(out, 0, sizeof *out);
    out->need = out->gain = 1;
    out->wb[0] = out->wb[1] = out->wb[2] = 1;
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 256; i++)
            out->lut[c][i] = (uint8_t)i;
    if (!work || !work->px || !mesh)
        return -1;
    tc_check_input in = {.work = work, .mesh = mesh};
    check_ctx x;
    tc_err e;
    if (check_ctx_init(&x, &in, &e) != 0)
        return -1;
    if (!x.has_mesh) {
        check_ctx_free(&x);
        return -1;
    }
    exposure(&x, out);
    white_balance(&x, out);
    check_ctx_free(&x);
    make_lut(out);
    return 0;
}

void tc_check_tone_apply(const tc_check_tone *t, const uint8_t *in, uint8_t *out, size_t n_px)
{
    for (size_t i = 0; i < n_px; i++)
        for (int c = 0; c < 3; c++)
            out[3 * i + c] = t->lut[c][in[3 * i + c]];
}
