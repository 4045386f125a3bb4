/* What the person wears: glasses (worn, tinted, glare), hair over the brows,
 * ears, headwear, jewellery and the colour of the top.  All of them compare
 * pixels beside mesh landmarks with the person's skin colour (check_skin)
 * and, for the top, with the spec's background colour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

static const int brow_idx[2][5] = {{70, 63, 105, 66, 107}, {300, 293, 334, 296, 336}};

/* Skin under other light: the same hue and chroma (a*, b* within 10) at a
 * luminance within 35 of the cheeks counts as skin too — a bald crown or an
 * ear in shade is darker or lighter than the cheek but the same colour. */
static int skinlike(const check_ctx *x, const double lab[3])
{
    if (check_delta_e(lab, x->skin_lab) < 20)
        return 1;
    return hypot(lab[1] - x->skin_lab[1], lab[2] - x->skin_lab[2]) < 10 && fabs(lab[0] - x->skin_lab[0]) < 35 &&
           hypot(lab[1], lab[2]) > 8;
}

/* Unit vectors of the face: "out" along the eye line (towards eye B),
 * "down" perpendicular to it, towards the chin. */
static void face_dirs(const check_ctx *x, double right[2], double down[2])
{
    right[0] = cos(x->roll), right[1] = sin(x->roll);
    down[0] = -sin(x->roll), down[1] = cos(x->roll);
}

/* Mean |vertical gradient| (along "down") of luma in a rectangle given in
 * face coordinates around centre (cx, cy): half-sizes hw (along right) and hh
 * (along down).  Sampled at whole pixels. */
static double edge_energy(check_ctx *x, double cx, double cy, double hw, double hh, int *n_out)
{
    const uint8_t *l = check_lum(x);
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    double s = 0;
    int n = 0;
    for (double v = -hh; v <= hh; v += 1)
        for (double u = -hw; u <= hw; u += 1) {
            double px = cx + u * rt[0] + v * dn[0], py = cy + u * rt[1] + v * dn[1];
            int x0 = (int)lround(px - dn[0]), y0 = (int)lround(py - dn[1]);
            int x1 = (int)lround(px + dn[0]), y1 = (int)lround(py + dn[1]);
            if (x0 < 0 || y0 < 0 || x1 < 0 || y1 < 0 || x0 >= x->w || x1 >= x->w || y0 >= x->h || y1 >= x->h)
                continue;
            s += fabs((double)l[(size_t)y1 * x->w + x1] - l[(size_t)y0 * x->w + x0]);
            n++;
        }
    if (n_out)
        *n_out = n;
    return n ? s / n : NAN;
}

/* Luma at a point given in face coordinates (u along "right", v along
 * "down") from o, bilinear; *ok is cleared outside the picture. */
static double lum_face(const check_ctx *x, const uint8_t *l, const double o[2], double u, double v, const double rt[2],
                       const double dn[2], int *ok)
{
    double px = o[0] + u * rt[0] + v * dn[0], py = o[1] + u * rt[1] + v * dn[1];
    if (!(px >= 0 && py >= 0 && px <= x->w - 1.001 && py <= x->h - 1.001)) {
        *ok = 0;
        return 0;
    }
    int ix = (int)px, iy = (int)py;
    double fx = px - ix, fy = py - iy;
    const uint8_t *q = l + (size_t)iy * x->w + ix;
    return (1 - fy) * ((1 - fx) * q[0] + fx * q[1]) + fy * ((1 - fx) * q[x->w] + fx * q[x->w + 1]);
}

/* Mean dark-line strength across "down" (how far a pixel lies below the
 * mean of its neighbours d above and below, 0 when above it) over a band
 * of the face: u0..u1, v0..v1 from o.  NAN when no point is in the picture. */
static double dark_line_mean(const check_ctx *x, const uint8_t *l, const double o[2], double u0, double u1, double v0,
                             double v1, double d)
{
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    double s = 0;
    int n = 0;
    for (double u = u0; u <= u1; u += 1)
        for (double v = v0; v <= v1; v += 1) {
            int ok = 1;
            double lm = lum_face(x, l, o, u, v - d, rt, dn, &ok), lp = lum_face(x, l, o, u, v + d, rt, dn, &ok);
            double lc = lum_face(x, l, o, u, v, rt, dn, &ok);
            if (ok)
                s += fmax(0, (lp + lm) / 2 - lc), n++;
        }
    return n ? s / n : NAN;
}

/* The side of a frame beside eye k: a thin dark line running down from
 * the level of the eye, 0.08 to 0.28 eye distances beyond the outer corner,
 * where bare skin has no line (crow's feet run outwards, the lower lashes
 * stop above 0.08).  Per point of that band (rows 0.08 to 0.30 eye distances
 * below the eye's centre) a line is a dark ridge across "right" (darker than
 * its neighbours d to either side) minus any ridge along it (a pore, a
 * blotch or a slanting fold is dark both ways), at least CHECK_GLASSES_RIM_LINE
 * times the cheek's mean dark-line strength (a band under the eye, 0.50 to
 * 0.89 eye distances below the lower lid).  Returns the longest run of
 * rows with a line, moving at most one column a row, over the band's
 * height (0..1); NAN when the band or the cheek is not wholly in the
 * picture or memory runs out. */
static double rim_side_run(check_ctx *x, int k)
{
    static const int in_lm[2] = {LM_EYE_A_IN, LM_EYE_B_IN}, out_lm[2] = {LM_EYE_A_OUT, LM_EYE_B_OUT},
                     bot_lm[2] = {LM_EYE_A_BOT, LM_EYE_B_BOT};
    const uint8_t *l = check_lum(x);
    if (!l)
        return NAN;
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    const double *o = x->eye[k];
    const float *pi = x->p[in_lm[k]], *po = x->p[out_lm[k]], *pb = x->p[bot_lm[k]];
    double ui = (pi[0] - o[0]) * rt[0] + (pi[1] - o[1]) * rt[1];
    double uo = (po[0] - o[0]) * rt[0] + (po[1] - o[1]) * rt[1];
    double vb = (pb[0] - o[0]) * dn[0] + (pb[1] - o[1]) * dn[1];
    double d = fmax(1, 0.015 * x->iod);
    double ref = dark_line_mean(x, l, o, fmin(ui, uo), fmax(ui, uo), vb + 0.50 * x->iod, vb + 0.89 * x->iod, d);
    if (!isfinite(ref))
        return NAN;
    double line = CHECK_GLASSES_RIM_LINE * fmax(0.5, ref);
    double s = uo > ui ? 1 : -1;
    double c0 = uo + s * 0.08 * x->iod, c1 = uo + s * 0.28 * x->iod;
    /* the face's contour (at ear level) must lie beyond the band: on a
     * turned or narrow face the cheek's edge against hair or background is
     * a line there too (WIDER Handshaking 561: 0.20 eye distances; frontal
     * faces 0.29-0.49) */
    const float *pc = x->p[k ? LM_CHEEK_B : LM_CHEEK_A];
    if (s * ((pc[0] - o[0]) * rt[0] + (pc[1] - o[1]) * rt[1] - c1) < 0)
        return NAN;
    double u0 = fmin(c0, c1), v0 = 0.08 * x->iod;
    int nu = (int)(fmax(c0, c1) - u0) + 1, nv = (int)(0.30 * x->iod - v0) + 1;
    if (nu < 3 || nv < 3)
        return NAN;
    double *run = malloc(sizeof(double) * 2 * (size_t)nu); /* this row's and the last row's runs */
    if (!run)
        return NAN;
    double best = 0;
    int ok = 1;
    for (int i = 0; i < nv && ok; i++) {
        double *cur = run + (i & 1) * nu, *prev = run + !(i & 1) * nu;
        double v = v0 + i;
        for (int j = 0; j < nu; j++) {
            double u = u0 + j;
            double lc = lum_face(x, l, o, u, v, rt, dn, &ok);
            double left = lum_face(x, l, o, u - d, v, rt, dn, &ok), right = lum_face(x, l, o, u + d, v, rt, dn, &ok);
            double up = lum_face(x, l, o, u, v - d, rt, dn, &ok), down = lum_face(x, l, o, u, v + d, rt, dn, &ok);
            double across = fmax(0, (left + right) / 2 - lc), along = fabs((up + down) / 2 - lc);
            double pr = 0;
            if (i > 0)
                for (int dj = -1; dj <= 1; dj++)
                    if (j + dj >= 0 && j + dj < nu)
                        pr = fmax(pr, prev[j + dj]);
            cur[j] = across - along >= line ? pr + 1 : 0;
            best = fmax(best, cur[j]);
        }
    }
    free(run);
    return ok ? best / nv : NAN;
}

/* Frames cross the nose bridge as a horizontal bar (a strong edge across
 * the "down" direction), where bare skin is smooth: compare the bridge's
 * edge energy (between landmarks 168 and 6) with the cheeks'.  Or their
 * sides show beside both eyes (rim_side_run). */
static double glasses_index(check_ctx *x)
{
    if (!x->has_mesh || !check_lum(x))
        return NAN;
    /* between 168 and 6: taking the patch higher (a top bar near the brows)
     * was tried and picked up brows and fringes more than frames */
    double cx = (x->p[LM_BRIDGE][0] + x->p[LM_NOSE_MID][0]) / 2, cy = (x->p[LM_BRIDGE][1] + x->p[LM_NOSE_MID][1]) / 2;
    double hh = fmax(2, 0.5 * check_lm_dist(x, LM_BRIDGE, LM_NOSE_MID) + 0.05 * x->iod);
    int n1 = 0, n2 = 0, n3 = 0;
    double bridge = edge_energy(x, cx, cy, fmax(1, 0.08 * x->iod), hh, &n1);
    double ch = fmax(2, 0.08 * x->face_w);
    double ca = edge_energy(x, x->p[LM_CHEEK_PATCH_A][0], x->p[LM_CHEEK_PATCH_A][1], ch, ch, &n2);
    double cb = edge_energy(x, x->p[LM_CHEEK_PATCH_B][0], x->p[LM_CHEEK_PATCH_B][1], ch, ch, &n3);
    if (n1 < 4 || n2 + n3 < 4)
        return NAN;
    double cheek = n2 && n3 ? (ca + cb) / 2 : n2 ? ca : cb;
    double g = bridge / fmax(cheek, 1.0);
    /* A thin frame barely marks the bridge (Yale's, 2.2-2.4 against bare
     * faces' up to 2.5) but draws its sides beside both eyes: the shorter
     * side's run, scaled so that CHECK_GLASSES_RIM_FAIL meets the bridge's
     * fail point (the default threshold's; docs/QUALITY.md). */
    double sa = rim_side_run(x, 0), sb = rim_side_run(x, 1);
    if (isfinite(sa) && isfinite(sb)) {
        double side = fmin(sa, sb);
        const check_tune *t = check_tuning(TC_CHECK_GLASSES);
        double fail = t->bad + (t->good - t->bad) * t->threshold / 100.0;
        g = fmax(g, side / CHECK_GLASSES_RIM_FAIL * fail);
    }
    return g;
}

double check_glasses_likelihood(check_ctx *x)
{
    if (x->glasses_p > -2)
        return x->glasses_p;
    double g = glasses_index(x);
    x->glasses_p = isfinite(g) ? 1.0 - check_ramp(TC_CHECK_GLASSES, g) / 100.0 : -1;
    return x->glasses_p;
}

int check_glasses(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                  tc_err *e)
{
    (void)in, (void)e;
    double g = glasses_index(x);
    if (!isfinite(g))
        return check_unsure(r, "鼻梁处不在画面内，无法判断是否佩戴眼镜",
                               "The bridge of the nose is not visible, so glasses cannot be judged");
    check_rate(r, TC_CHECK_GLASSES, g, g);
    check_region(r, x->p[LM_EYE_A_OUT][0] - 0.15 * x->iod, x->eye[0][1] - 0.35 * x->iod,
                 x->p[LM_EYE_B_OUT][0] + 0.15 * x->iod, x->eye[1][1] + 0.35 * x->iod);
    /* Where clear glasses are allowed, wearing them is no failure: the raw
     * value still tells the reviewer, and tinted / glare judge the lenses. */
    if (c->glasses == TC_CHECK_GLASSES_RULE_CLEAR_OK)
        r->score = 100;
    check_say(r, "本校要求不佩戴眼镜，请摘下眼镜后重拍", "Your school requires photos without glasses: take them off and shoot again");
    return 0;
}

/* The lens area in front of eye k: the eyelid contour's box, widened. */
static int lens_rect(check_ctx *x, int k, int rr[4])
{
    double b[4] = {1e9, 1e9, -1e9, -1e9};
    for (int i = 0; i < 16; i++) {
        const float *q = x->p[check_eye_idx[k][i]];
        b[0] = fmin(b[0], q[0]), b[1] = fmin(b[1], q[1]), b[2] = fmax(b[2], q[0]), b[3] = fmax(b[3], q[1]);
    }
    double m = 0.12 * x->iod;
    return check_clip(x, b[0] - m, b[1] - m, b[2] + m, b[3] + m, rr);
}

int check_glasses_glare(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                        tc_err *e)
{
    (void)in, (void)c, (void)e;
    int rr[2][4];
    if (!lens_rect(x, 0, rr[0]) || !lens_rect(x, 1, rr[1]))
        return check_unsure(r, "眼部不在画面内，无法判断", "The eyes are not in the picture, so this cannot be judged");
    const uint8_t *l = check_lum(x);
    /* near-white and well above the skin: a reflection, not skin or sclera */
    int hl = (int)fmax(235, fmin(250, x->skin_y + 70));
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        int n = 0, b = 0;
        for (int y = rr[k][1]; y < rr[k][3]; y++)
            for (int xx = rr[k][0]; xx < rr[k][2]; xx++, n++)
                b += l[(size_t)y * x->w + xx] >= hl;
        if (n)
            worst = fmax(worst, (double)b / n);
    }
    check_rate(r, TC_CHECK_GLASSES_GLARE, worst, worst);
    /* Without glasses a bright spot in the eye is the catch light of the
     * lamp, which is fine. */
    double gp = check_glasses_likelihood(x);
    if (gp >= 0 && gp < 0.5)
        r->score = 100;
    check_region(r, rr[0][0], fmin(rr[0][1], rr[1][1]), rr[1][2], fmax(rr[0][3], rr[1][3]));
    check_say(r, "眼镜片有反光，请调整灯光或眼镜角度（或摘下眼镜），让双眼清晰可见后重拍",
              "Light reflects off your glasses: move the light or tilt the glasses slightly (or take them off) so "
              "both eyes are clearly visible, and shoot again");
    return 0;
}

/* Is this pixel hair-like next to this skin?  Darker than the skin by a
 * clear margin and of another colour. */
static int hairlike(check_ctx *x, const uint8_t *q)
{
    double Y = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
    if (Y < 0.55 * x->skin_y)
        return 1;
    double lab[3];
    check_rgb_lab(x, q, lab);
    return Y < 0.85 * x->skin_y && check_delta_e(lab, x->skin_lab) > 22;
}

int check_hair_brows(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)c, (void)e;
    /* The forehead band just above the eyebrows is skin on an uncovered
     * face and hair under a fringe: count hair-like pixels in it.  The band
     * ends 0.18 eye distances above the brows: a fringe that stops a little
     * above them (the astronaut's) leaves them visible; the band used to
     * reach 0.26 and took such a fringe for hair over the brows. */
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    const uint8_t *rgb = in->work->px;
    int n = 0, hair = 0;
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 5; i++) {
            const float *b = x->p[brow_idx[k][i]];
            for (double v = 0.04 * x->iod; v <= 0.18 * x->iod; v += 1)
                for (double u = -0.06 * x->iod; u <= 0.06 * x->iod; u += 1) {
                    double px = b[0] + u * rt[0] - v * dn[0], py = b[1] + u * rt[1] - v * dn[1];
                    int ix = (int)px, iy = (int)py;
                    if (ix < 0 || iy < 0 || ix >= x->w || iy >= x->h)
                        continue;
                    n++;
                    hair += hairlike(x, rgb + ((size_t)iy * x->w + ix) * 3);
                    x0 = fmin(x0, px), y0 = fmin(y0, py), x1 = fmax(x1, px), y1 = fmax(y1, py);
                }
        }
    if (n < 10)
        return check_unsure(r, "眉毛上方不在画面内，无法判断",
                               "The area above the eyebrows is not in the picture, so this cannot be judged");
    double v = (double)hair / n;
    check_rate(r, TC_CHECK_HAIR_BROWS, v, v);
    check_region(r, x0, y0, x1, y1);
    check_say(r, "头发遮挡了眉毛或眼睛，请将刘海梳起或别到耳后，露出眉毛和双眼后重拍",
              "Hair covers your eyebrows or eyes: comb the fringe back or pin it up so eyebrows and eyes are "
              "visible, and shoot again");
    return 0;
}

/* The mean colour (Lab) of the cheek just inside the contour point p, at
 * ear level: in a side light the ear is lit like the cheek beside it, not
 * like the mean of both cheeks.  0 when too little of it is person. */
static int cheek_side_lab(check_ctx *x, const uint8_t *rgb, const float *p, double sgn, double step, double ref[3])
{
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    double s[3] = {0, 0, 0};
    int n = 0;
    for (double v = -0.05 * x->face_h; v <= 0.15 * x->face_h; v += step)
        for (double t = 0.04 * x->face_w; t <= 0.10 * x->face_w; t += step) {
            double px = p[0] - sgn * t * rt[0] + v * dn[0], py = p[1] - sgn * t * rt[1] + v * dn[1];
            int ix = (int)px, iy = (int)py;
            if (ix < 0 || iy < 0 || ix >= x->w || iy >= x->h || check_mask_at(x, ix, iy) < 0.5f)
                continue;
            double lab[3];
            check_rgb_lab(x, rgb + ((size_t)iy * x->w + ix) * 3, lab);
            s[0] += lab[0], s[1] += lab[1], s[2] += lab[2];
            n++;
        }
    ref[0] = ref[1] = ref[2] = NAN;
    if (n < 10)
        return 0;
    for (int c = 0; c < 3; c++)
        ref[c] = s[c] / n;
    /* only a cheek that is skin in another light, not hair or a backdrop
     * beside a misplaced contour point: within 30 of the face's L*, its
     * a*b* within 20 of the face's, some colour (chroma over 8) but not
     * much more than the face's skin has at that lightness (shade lowers
     * chroma with L*; brown hair is as colourful as lit skin: WIDER 234's
     * left, ratio 1.6; shaded cheeks of the AR side-lit photos 1.1-1.2) */
    double cr = hypot(ref[1], ref[2]), cs = hypot(x->skin_lab[1], x->skin_lab[2]);
    return fabs(ref[0] - x->skin_lab[0]) < 30 && hypot(ref[1] - x->skin_lab[1], ref[2] - x->skin_lab[2]) < 20 &&
           cr > 8 && cr < 1.4 * cs * ref[0] / fmax(x->skin_lab[0], 1);
}

/* An ear against its own side's cheek (ref): of the same hue and chroma
 * (a*, b* within half the cheek's chroma, at most 12), at least half as
 * colourful as the cheek, and a little darker or lighter (L* within 25).
 * Relative to the cheek's chroma, not a fixed ΔE: in deep shade the cheek
 * is dark and nearly grey, and a fixed ΔE would take black hair for skin. */
static int ear_skinlike(const double ref[3], const double lab[3])
{
    double cr = hypot(ref[1], ref[2]);
    return hypot(lab[1] - ref[1], lab[2] - ref[2]) < fmin(12, 0.5 * cr) && hypot(lab[1], lab[2]) > 0.5 * cr &&
           fabs(lab[0] - ref[0]) < 25;
}

int check_ears_visible(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                       tc_err *e)
{
    (void)e;
    /* Beside the cheek contour at ear level (234 / 454), outwards: an ear
     * is skin-coloured person there; hair or background is not.  Skin-
     * coloured: like the face's skin (skinlike) or like the cheek beside
     * it (ear_skinlike), for an ear in a side light's shade or light. */
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    const uint8_t *rgb = in->work->px;
    double frac[2];
    int total = 0;
    for (int k = 0; k < 2; k++) {
        const float *p = x->p[k ? LM_CHEEK_B : LM_CHEEK_A];
        double sgn = k ? 1 : -1;
        int n = 0, skin = 0;
        double step = fmax(1, x->face_w / 120);
        double ref[3];
        int has_ref = cheek_side_lab(x, rgb, p, sgn, step, ref);
        for (double v = -0.08 * x->face_h; v <= 0.22 * x->face_h; v += step)
            for (double t = 0.03 * x->face_w; t <= 0.16 * x->face_w; t += step) {
                double px = p[0] + sgn * t * rt[0] + v * dn[0], py = p[1] + sgn * t * rt[1] + v * dn[1];
                int ix = (int)px, iy = (int)py;
                if (ix < 0 || iy < 0 || ix >= x->w || iy >= x->h)
                    continue;
                n++;
                if (check_mask_at(x, ix, iy) < 0.5f)
                    continue;
                double lab[3];
                check_rgb_lab(x, rgb + ((size_t)iy * x->w + ix) * 3, lab);
                skin += skinlike(x, lab) || (has_ref && ear_skinlike(ref, lab));
            }
        frac[k] = n ? (double)skin / n : 0;
        total += n;
    }
    if (total < 10)
        return check_unsure(r, "耳朵位置不在画面内，无法判断", "The ears' place is outside the picture, so this cannot be judged");
    double v = fmin(frac[0], frac[1]);
    check_rate(r, TC_CHECK_EARS_VISIBLE, v, v);
    r->sides[0] = frac[0], r->sides[1] = frac[1]; /* which ear: for reviewers and the gallery */
    double a = 0.2 * x->face_w;
    check_region(r, x->p[LM_CHEEK_A][0] - a, x->p[LM_CHEEK_A][1] - 0.1 * x->face_h, x->p[LM_CHEEK_B][0] + a,
                 x->p[LM_CHEEK_B][1] + 0.25 * x->face_h);
    if (r->score < c->threshold[TC_CHECK_EARS_VISIBLE] && v >= CHECK_EARS_FAIL)
        /* some skin beside the lower ear: a seen ear the patch misreads as
         * often as a hidden one (docs/QUALITY.md): the reviewer looks */
        return check_unsure(r, "耳朵可能被头发遮挡，将由审核老师确认；如有遮挡，请将头发别到耳后、露出双耳后重拍",
                            "Your ears may be covered by hair: a reviewer will check. If they are, tuck your hair "
                            "behind your ears and shoot again");
    check_say(r, "未能看到双耳，请将头发别到耳后、露出双耳后重拍",
              "Both ears must be visible: tuck your hair behind your ears and shoot again");
    return 0;
}

/* Headwear (issue 16, item 4).  Above the eyebrows, inside the person
 * mask, each pixel is skin, hair or "other" (a covering):
 *   skin   skinlike();
 *   hair   close to the eyebrows' colour (ΔE < 15: brows are hair of the
 *          same person), or to the hair beside the temples when that is
 *          not dark (L* >= 20, ΔE < 18: light brown, blonde or grey hair;
 *          beside a dark cap dark temples would make the cap "hair"), or
 *          dark and nearly colourless (luma under 1.15 x the brows' or
 *          under 0.45 x the skin's, chroma under 12: black hair in any
 *          light; a navy, green or red cloth has more colour), or light and
 *          nearly colourless (L* 10 above the skin, chroma under 15: blonde,
 *          grey or white hair, a highlight on the forehead);
 *   other  the rest.
 * Two figures, the larger is the value:
 *   crown  the share of "other" above the hairline (0.06 face heights above
 *          landmark 10 up to 0.40): a cap, hat, hood or turban;
 *   band   the most covered strip, 0.25 eye distances high, across the
 *          forehead and crown (from 0.5 eye distances above the eye line):
 *          its share of "other" in the worst of its three thirds (a band
 *          crosses the whole head; a side light's shadow covers one side),
 *          counting only strips whose "other" pixels are of one even
 *          lightness (sd of L* under 6): a headband, a brim.
 * Measured on the synthetic caps and bands and on the real photos with
 * headwear labels (docs/QUALITY.md): too few real examples with headwear
 * (11, 6 of them with a face and head to judge) and genuine photos close to
 * the review point (light hair in coloured light, a lit forehead, up to
 * 0.70) to reject anybody between it and CHECK_HEADWEAR_FAIL: there the
 * value is "could not assess" and the reviewer decides.  At the fail point
 * and above (a crown or a strip across the head nearly wholly covered: the
 * caps and bands seen measure 0.96-1.00) it fails with the advice to take
 * the covering off (religious or medical coverings: tell the school). */
enum { HW_ROWS = 256 };

typedef struct {
    double hl[3], hy;   /* eyebrow hair colour (Lab) and luma */
    double tl[3];       /* hair beside the temples (Lab) */
    int has_t;
} hw_ref;

/* 0 skin, 1 hair, 2 other; lab gets the pixel's colour. */
static int hw_class(check_ctx *x, const hw_ref *h, const uint8_t *q, double lab[3])
{
    check_rgb_lab(x, q, lab);
    if (skinlike(x, lab))
        return 0;
    double Y = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
    if (check_delta_e(lab, h->hl) < 15 || (h->has_t && h->tl[0] >= 20 && check_delta_e(lab, h->tl) < 18) ||
        (Y < fmax(h->hy * 1.15, 0.45 * x->skin_y) && hypot(lab[1], lab[2]) < 12))
        return 1;
    /* light and nearly colourless, lighter than the skin: blonde, grey or
     * white hair, or skin in a highlight (a white cap is missed) */
    if (lab[0] > x->skin_lab[0] + 10 && hypot(lab[1], lab[2]) < 15)
        return 1;
    return 2;
}

/* Eyebrow hair: the darker half of the pixels round the brow landmarks.
 * -1 when fewer than 9 are in the picture. */
static int hw_brows(check_ctx *x, const uint8_t *rgb, hw_ref *h)
{
    double ys[90];
    double labs[90][3];
    int n = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 5; i++) {
            const float *b = x->p[brow_idx[k][i]];
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int px = (int)b[0] + dx, py = (int)b[1] + dy;
                    if (px < 0 || py < 0 || px >= x->w || py >= x->h || n >= 90)
                        continue;
                    const uint8_t *q = rgb + ((size_t)py * x->w + px) * 3;
                    ys[n] = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
                    check_rgb_lab(x, q, labs[n]);
                    n++;
                }
        }
    if (n < 9)
        return -1;
    double mean = 0;
    for (int i = 0; i < n; i++)
        mean += ys[i];
    mean /= n;
    int m = 0;
    memset(h->hl, 0, sizeof h->hl);
    h->hy = 0;
    for (int i = 0; i < n; i++)
        if (ys[i] <= mean) {
            for (int k = 0; k < 3; k++)
                h->hl[k] += labs[i][k];
            h->hy += ys[i];
            m++;
        }
    for (int k = 0; k < 3; k++)
        h->hl[k] /= m;
    h->hy /= m;
    return 0;
}

/* Hair beside the temples: outside the cheek contour points (234 / 454),
 * 0.02-0.14 face widths out, 0.05-0.30 face heights up, inside the person:
 * the mean colour of what is not skin there, when it is at least 20
 * samples and 30 % of the person there. */
static void hw_temples(check_ctx *x, const uint8_t *rgb, hw_ref *h)
{
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    double step = fmax(1, x->face_w / 100), sum[3] = {0};
    int n = 0, o = 0;
    for (int k = 0; k < 2; k++) {
        const float *p = x->p[k ? LM_CHEEK_B : LM_CHEEK_A];
        double sg = k ? 1 : -1;
        for (double v = 0.05 * x->face_h; v <= 0.30 * x->face_h; v += step)
            for (double t = 0.02 * x->face_w; t <= 0.14 * x->face_w; t += step) {
                double px = p[0] + sg * t * rt[0] - v * dn[0], py = p[1] + sg * t * rt[1] - v * dn[1];
                int ix = (int)px, iy = (int)py;
                if (ix < 0 || iy < 0 || ix >= x->w || iy >= x->h || check_mask_at(x, ix, iy) < 0.5f)
                    continue;
                double lab[3];
                check_rgb_lab(x, rgb + ((size_t)iy * x->w + ix) * 3, lab);
                n++;
                if (skinlike(x, lab))
                    continue;
                o++;
                for (int c = 0; c < 3; c++)
                    sum[c] += lab[c];
            }
    }
    h->has_t = o >= 20 && o > 0.3 * n;
    for (int c = 0; c < 3; c++)
        h->tl[c] = o ? sum[c] / o : 0;
}

int check_headwear(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                   tc_err *e)
{
    (void)c, (void)e;
    const uint8_t *rgb = in->work->px;
    hw_ref h;
    if (hw_brows(x, rgb, &h))
        return check_unsure(r, "眉毛不在画面内，无法判断", "The eyebrows are not in the picture, so this cannot be judged");
    hw_temples(x, rgb, &h);
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    double em[2] = {(x->eye[0][0] + x->eye[1][0]) / 2, (x->eye[0][1] + x->eye[1][1]) / 2};
    const float *t = x->p[LM_FOREHEAD];
    /* landmark 10's height above the eye line */
    double tv = -((t[0] - em[0]) * dn[0] + (t[1] - em[1]) * dn[1]);
    double v0 = 0.5 * x->iod, v1 = tv + 0.40 * x->face_h, crown0 = tv + 0.06 * x->face_h;
    double step = fmax(1, x->face_w / 100);
    double vstep = fmax(step, (v1 - v0) / (HW_ROWS - 1));
    int nr = v1 > v0 ? (int)((v1 - v0) / vstep) + 1 : 0;
    if (nr > HW_ROWS)
        nr = HW_ROWS;
    int rn[HW_ROWS] = {0}, ro[HW_ROWS] = {0}, r3n[HW_ROWS][3] = {{0}}, r3o[HW_ROWS][3] = {{0}};
    double rl[HW_ROWS] = {0}, rl2[HW_ROWS] = {0};
    int cn = 0, co = 0;
    for (int i = 0; i < nr; i++) {
        double v = v0 + i * vstep;
        for (double u = -0.33 * x->face_w; u <= 0.33 * x->face_w; u += step) {
            double px = em[0] + u * rt[0] - v * dn[0], py = em[1] + u * rt[1] - v * dn[1];
            int ix = (int)px, iy = (int)py;
            if (ix < 0 || iy < 0 || ix >= x->w || iy >= x->h || check_mask_at(x, ix, iy) < 0.5f)
                continue;
            const uint8_t *q = rgb + ((size_t)iy * x->w + ix) * 3;
            double lab[3];
            int cls = hw_class(x, &h, q, lab);
            int third = u < -0.11 * x->face_w ? 0 : u > 0.11 * x->face_w ? 2 : 1;
            r3n[i][third]++, r3o[i][third] += cls == 2;
            rn[i]++;
            if (cls == 2) {
                ro[i]++;
                rl[i] += lab[0], rl2[i] += lab[0] * lab[0];
            }
            if (v >= crown0 && v <= v1)
                cn++, co += cls == 2;
        }
    }
    if (cn < 20) {
        /* the top of the head is outside the picture (or no person there):
         * nothing to judge, which is no pass (issue 16, 6) */
        return check_unsure(r, "头顶不在画面内，无法判断是否佩戴帽子或头饰", "The top of the head is not in the picture, so headwear "
                               "cannot be judged");
    }
    double crown = (double)co / cn, band = 0;
    int wr = (int)fmax(2, lround(0.25 * x->iod / vstep));
    for (int i = 0; i + wr <= nr; i++) {
        int sn = 0, so = 0, tn[3] = {0}, to[3] = {0};
        double sl = 0, sl2 = 0;
        for (int j = i; j < i + wr; j++) {
            sn += rn[j], so += ro[j], sl += rl[j], sl2 += rl2[j];
            for (int k = 0; k < 3; k++)
                tn[k] += r3n[j][k], to[k] += r3o[j][k];
        }
        if (sn < wr * 5 || so == 0)
            continue;
        double sd = sqrt(fmax(0, sl2 / so - (sl / so) * (sl / so)));
        double f = (double)so / sn;
        /* a band crosses the head: the worst of its three thirds counts
         * (a side light's shadow covers one side only) */
        for (int k = 0; k < 3; k++)
            f = fmin(f, tn[k] ? (double)to[k] / tn[k] : 0);
        if (sd < 6)
            band = fmax(band, f);
    }
    double v = fmax(crown, band);
    check_rate(r, TC_CHECK_HEADWEAR, v, v);
    check_region(r, t[0] - 0.35 * x->face_w, t[1] - 0.40 * x->face_h, t[0] + 0.35 * x->face_w,
                 em[1] - 0.5 * x->iod);
    const check_tune *tu = check_tuning(TC_CHECK_HEADWEAR);
    if (tu->review > 0 && v >= tu->review && v < CHECK_HEADWEAR_FAIL) {
        /* something that is neither skin nor hair covers part of the head:
         * not sure enough to reject (docs/QUALITY.md), the reviewer looks,
         * whatever the school's threshold (a stricter one fails values
         * below the review point).  At the fail point and above, the crown
         * or a strip across the head is covered: it fails as headwear
         * (religious or medical coverings: the advice says to tell the
         * school, whose reviewer decides). */
        return check_unsure(r, "头部可能戴有帽子、头巾、发箍等头饰，将由审核老师确认；如有佩戴，请摘下后重拍（因宗教或医疗原因佩戴的，由老师决定）",
                               "You may be wearing a hat, cap, scarf or headband: a reviewer will check. If you are, "
                               "take it off and shoot again (one worn for religious or medical reasons is the "
                               "reviewer's decision)");
    }
    check_say(r, "不得使用头部覆盖物：请摘下帽子、头巾、发箍等后重拍（因宗教、医疗或文化需要佩戴的，不得遮挡脸部或造成阴影，"
                 "并请告知学校老师）",
              "No head coverings: take off hats, caps, scarves and headbands and shoot again (one worn for "
              "religious, medical or cultural reasons must not cover the face or shade it; tell your school)");
    return 0;
}

/* Sparkle: a pixel much brighter than its neighbourhood (7x7 mean) and
 * brighter than the skin — metal and stones of earrings and necklaces —
 * and small: at most SPARKLE_LIT of the 49 pixels of its window within 30
 * of its brightness.  The edge of a white collar or shirt against a dark
 * tie or jacket is brighter than its window's mean too, but lights half the
 * window: before session 12 it failed 15 of 231 photos (officials' and
 * groups' white shirts under suits, the officer's collar) that wear no
 * jewellery (docs/QUALITY.md). */
enum { SPARKLE_LIT = 12 };

static void sparkle(check_ctx *x, double cx, double cy, double hw, double hh, int *n, int *hits, double reg[4])
{
    const uint8_t *l = check_lum(x);
    int rr[4];
    if (!check_clip(x, cx - hw, cy - hh, cx + hw, cy + hh, rr))
        return;
    reg[0] = fmin(reg[0], rr[0]), reg[1] = fmin(reg[1], rr[1]), reg[2] = fmax(reg[2], rr[2]),
    reg[3] = fmax(reg[3], rr[3]);
    for (int y = rr[1] + 3; y < rr[3] - 3; y++)
        for (int xx = rr[0] + 3; xx < rr[2] - 3; xx++) {
            if (check_mask_at(x, xx, y) < 0.5f)
                continue;
            int v = l[(size_t)y * x->w + xx];
            (*n)++;
            if (v < x->skin_y + 25)
                continue;
            int s = 0, lit = 0;
            for (int j = -3; j <= 3; j++)
                for (int i = -3; i <= 3; i++) {
                    int q = l[(size_t)(y + j) * x->w + xx + i];
                    s += q;
                    lit += q >= v - 30;
                }
            *hits += v - s / 49.0 > 45 && lit <= SPARKLE_LIT;
        }
}

int check_jewelry(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                  tc_err *e)
{
    (void)in, (void)c, (void)e;
    if (!check_lum(x))
        return 0;
    double rt[2], dn[2];
    face_dirs(x, rt, dn);
    int n = 0, hits = 0;
    double reg[4] = {1e9, 1e9, -1e9, -1e9};
    /* ear lobes: below the cheek contour points, just outside the face */
    for (int k = 0; k < 2; k++) {
        const float *p = x->p[k ? LM_CHEEK_B : LM_CHEEK_A];
        double sgn = k ? 1 : -1;
        double cx = p[0] + sgn * 0.06 * x->face_w * rt[0] + 0.3 * x->face_h * dn[0];
        double cy = p[1] + sgn * 0.06 * x->face_w * rt[1] + 0.3 * x->face_h * dn[1];
        sparkle(x, cx, cy, 0.08 * x->face_w, 0.15 * x->face_h, &n, &hits, reg);
    }
    /* the neck below the chin */
    const float *ch = x->p[LM_CHIN];
    sparkle(x, ch[0] + 0.25 * x->face_h * dn[0], ch[1] + 0.25 * x->face_h * dn[1], 0.3 * x->face_w,
            0.2 * x->face_h, &n, &hits, reg);
    if (n < 20)
        return check_unsure(r, "耳垂和颈部不在画面内，无法判断饰品",
                               "Ear lobes and neck are not in the picture, so jewellery cannot be judged");
    double v = (double)hits / n;
    check_rate(r, TC_CHECK_JEWELRY, v, v);
    check_region(r, reg[0], reg[1], reg[2], reg[3]);
    check_say(r, "请摘下耳环、项链等饰品后重拍", "Take off earrings, necklaces and other jewellery and shoot again");
    return 0;
}

/* The person's width across the finished photo's bottom rows in face
 * widths (clothing_colour, CHECK_TOP_LOST), or -1 when there is no
 * finished photo or it fills the photo's width (nothing lost). */
static double top_width(const tc_check_input *in)
{
    const tc_photo_mask *oa = in->out_alpha;
    if (!oa || !oa->a || !in->lay || in->lay->face_width <= 0 || oa->width <= 0 || oa->height <= 0)
        return -1;
    int rows = oa->height / 64 > 4 ? oa->height / 64 : 4;
    rows = rows < oa->height ? rows : oa->height;
    size_t on = 0;
    for (int y = oa->height - rows; y < oa->height; y++)
        for (int x = 0; x < oa->width; x++)
            on += oa->a[(size_t)y * oa->width + x] >= 0.5f;
    double wide = (double)on / rows;
    return wide >= 0.9 * oa->width ? -1 : wide / in->lay->face_width;
}

int check_clothing_colour(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                          tc_err *e)
{
    (void)c;
    /* The top lost with the old wall: the finished photo shows a neck and
     * no shoulders.  What the student sees is the reason, whatever the
     * colour of what is left; the value is then that width (face widths),
     * not a colour difference. */
    double tw = top_width(in);
    if (tw >= 0 && tw < CHECK_TOP_LOST) {
        check_rate(r, TC_CHECK_CLOTHING_COLOUR, tw, 0);
        if (r->score > 20)
            r->score = 20;
        check_say(r, "上衣与身后墙面颜色太接近，成片中上衣和墙一起被去掉、看不到肩膀：请换一件与墙面颜色反差明显的上衣，或换一面颜色不同的墙后重拍",
                  "Your top is so close to the colour of the wall behind you that it was removed with the wall and the "
                  "photo shows no shoulders: wear a top that contrasts with the wall, or use a wall of another colour, "
                  "and shoot again");
        const float *ch = x->p[LM_CHIN];
        double cx = (x->p[LM_CHEEK_A][0] + x->p[LM_CHEEK_B][0]) / 2;
        check_region(r, fmax(0, cx - 1.1 * x->face_w), fmin(x->h - 1, ch[1]), fmin(x->w, cx + 1.1 * x->face_w), x->h);
        return 0;
    }
    if (!in->mask)
        return check_unsure(r, "没有人像分割结果，无法判断衣服颜色", "No person mask, so the colour of the clothes cannot be judged");
    /* The top: inside the person, from a little below the chin (past the
     * neck) down, within a shoulder's width of the face; skin excluded. */
    const float *ch = x->p[LM_CHIN];
    double cx = (x->p[LM_CHEEK_A][0] + x->p[LM_CHEEK_B][0]) / 2;
    int rr[4];
    if (!check_clip(x, cx - 1.1 * x->face_w, ch[1] + 0.3 * x->face_h, cx + 1.1 * x->face_w, x->h, rr))
        return check_unsure(r, "画面中没有拍到上衣，请拍到肩部以下后重拍",
                               "Your clothes are not in the picture: include your shoulders and shoot again");
    double bg[3];
    check_rgb_lab(x, in->background, bg);
    /* about 4000 samples whatever the size: a median colour needs no more,
     * and each costs a Lab conversion */
    int step = (int)fmax(1, ceil(sqrt((double)(rr[2] - rr[0]) * (rr[3] - rr[1]) / 4000.0)));
    size_t cap = (size_t)((rr[2] - rr[0]) / step + 1) * (size_t)((rr[3] - rr[1]) / step + 1);
    double *de = malloc(sizeof(double) * cap);
    double (*labs)[3] = malloc(sizeof(double[3]) * cap);
    if (!de || !labs) {
        free(de), free(labs);
        return tc_err_set(e, TCE_CHECK_OOM);
    }
    size_t n = check_non_skin_lab(x, rr, step, labs, cap);
    for (size_t i = 0; i < n; i++)
        de[i] = check_delta_e(labs[i], bg);
    if (n < 60) {
        free(de), free(labs);
        return check_unsure(r, "画面中上衣部分太少，无法判断衣服颜色",
                               "Too little of your clothes is in the picture to judge their colour");
    }
    /* Blue tops are not allowed at all (seed 004); on a blue background they
     * also vanish.  Count clearly blue pixels (hue 220-300 degrees, chroma
     * above 12); and the median ΔE to the background. */
    size_t blue = 0;
    for (size_t i = 0; i < n; i++) {
        double h = atan2(labs[i][2], labs[i][1]) * 180 / M_PI, ch2 = hypot(labs[i][1], labs[i][2]);
        if (h < 0)
            h += 360;
        blue += ch2 > 12 && h >= 220 && h <= 300;
    }
    double bluef = (double)blue / n;
    double med = check_select(de, n, n / 2);
    free(de), free(labs);
    check_rate(r, TC_CHECK_CLOTHING_COLOUR, med, med);
    if (bluef > 0.4 && r->score > 25)
        r->score = 25;
    check_region(r, rr[0], rr[1], rr[2], rr[3]);
    if (bluef > 0.4)
        check_say(r, "不允许穿蓝色衣服，请换一件与背景颜色反差明显的非蓝色上衣后重拍",
                  "Blue clothes are not allowed: change into a top that is not blue and contrasts with the background, "
                  "and shoot again");
    else
        check_say(r, "衣服颜色与背景色太接近，请换一件与背景颜色反差明显的上衣后重拍",
                  "Your clothes are too close to the background colour: change into a top that contrasts with it, and "
                  "shoot again");
    return 0;
}
