/* Checks of the face itself: how many, where, pose, eyes, mouth, expression.
 * All but face_count and geometry read the 468-point mesh only. */
#include <math.h>
#include <stdlib.h>

#include "check_int.h"
#include "../spec/tc_spec.h"

#define DEG (180.0 / M_PI)

/* Output pixel (u, v) of the finished photo to work-copy pixels: the
 * plan's inverse, then the work scale.  -1 when the plan cannot be
 * inverted. */
static int out_to_work(const tc_check_input *in, double u, double v, double *wx, double *wy)
{
    double ws = in->work_scale > 0 ? in->work_scale : 1;
    if (tc_photo_layout_unmap(in->lay, u, v, wx, wy) != 0)
        return -1;
    *wx *= ws, *wy *= ws;
    return 0;
}

double check_people_beside(const tc_check_input *in, double box[4])
{
    const tc_photo_layout *l = in->lay;
    const tc_photo_mask *oa = in->out_alpha;
    const tc_photo_rgb *o = in->out;
    if (box)
        box[0] = box[1] = box[2] = box[3] = NAN;
    if (!l || !oa || !o || !oa->a || !o->px || !(l->face_width > 0) || oa->width != o->width ||
        oa->height != o->height || oa->width <= 0)
        return -1;
    double fw = l->face_width, cx = l->face_centre_x;
    int gap = (int)ceil(CHECK_PEOPLE_GAP * fw), W = oa->width;
    int y0 = (int)fmax(0, floor(l->hair_top_y)), y1 = (int)fmin(oa->height, ceil(l->chin_y));
    long count = 0;
    double u0 = 1e9, v0 = 1e9, u1 = -1e9, v1 = -1e9;
    for (int v = y0; v < y1; v++) {
        const float *a = oa->a + (size_t)v * W;
        const uint8_t *px = o->px + (size_t)v * W * 3;
        /* the runs of person pixels, runs closer than gap joined */
        int x = 0;
        while (x < W) {
            if (a[x] < 0.5f) {
                x++;
                continue;
            }
            int s = x, end = x;
            for (;;) {
                while (end < W && a[end] >= 0.5f)
                    end++;
                int g = end;
                while (g < W && g - end < gap && a[g] < 0.5f)
                    g++;
                if (g < W && g - end < gap && a[g] >= 0.5f)
                    end = g;
                else
                    break;
            }
            x = end;
            if (s <= cx && cx < end)
                continue; /* the student's own run */
            for (int u = s; u < end; u++) {
                if (a[u] < 0.5f || fabs(u + 0.5 - cx) <= CHECK_PEOPLE_SIDE * fw)
                    continue;
                const uint8_t *p = px + (size_t)u * 3;
                if (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] <= CHECK_PEOPLE_LUMA)
                    continue;
                count++;
                u0 = fmin(u0, u), v0 = fmin(v0, v), u1 = fmax(u1, u + 1), v1 = fmax(v1, v + 1);
            }
        }
    }
    /* the box's corners to the work copy */
    double xs[4], ys[4];
    if (box && count > 0 && out_to_work(in, u0, v0, &xs[0], &ys[0]) == 0 &&
        out_to_work(in, u1, v0, &xs[1], &ys[1]) == 0 && out_to_work(in, u0, v1, &xs[2], &ys[2]) == 0 &&
        out_to_work(in, u1, v1, &xs[3], &ys[3]) == 0) {
        box[0] = box[2] = xs[0], box[1] = box[3] = ys[0];
        for (int k = 1; k < 4; k++)
            box[0] = fmin(box[0], xs[k]), box[1] = fmin(box[1], ys[k]), box[2] = fmax(box[2], xs[k]),
            box[3] = fmax(box[3], ys[k]);
    }
    return count / (fw * fw);
}

int check_face_count(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)c, (void)e;
    int n = in->n_faces > 0 && in->faces ? in->n_faces : 0;
    check_rate(r, TC_CHECK_FACE_COUNT, n, n == 1 ? 1 : 0);
    if (n == 0) {
        check_say(r, "未检测到人脸，请正对镜头、在光线充足处重拍", "No face found: face the camera in good light and shoot again");
        return 0;
    }
    /* One face found, yet someone else (seen from behind or in profile, a
     * face the detector misses) stands beside the student's head in the
     * finished photo: the value stays the number of faces, the score fails
     * and the region is where that person is. */
    double box[4];
    if (n == 1 && check_people_beside(in, box) >= CHECK_PEOPLE_FAIL) {
        r->score = 0;
        if (!isnan(box[0]))
            check_region(r, box[0], box[1], box[2], box[3]);
        check_say(r, "成片中您的头部旁边还有其他人（或别的物体），请换一个身后没有其他人、只有一面干净墙壁的地方重拍",
                  "Someone else (or something else) is beside your head in the photo: shoot again where no one is "
                  "behind you, in front of a plain wall");
        return 0;
    }
    /* The region: every face found, so the overlay shows the extra ones. */
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (int i = 0; i < n; i++) {
        const tc_vision_face *f = &in->faces[i];
        x0 = fmin(x0, f->xmin * x->w), y0 = fmin(y0, f->ymin * x->h);
        x1 = fmax(x1, (f->xmin + f->width) * x->w), y1 = fmax(y1, (f->ymin + f->height) * x->h);
    }
    check_region(r, x0, y0, x1, y1);
    if (n > 1)
        check_say(r, "照片中有 %d 张人脸，请只拍本人，背景中不要有其他人或人像",
                  "%d faces in the photo: only you may be in it, with no other people or pictures of faces behind you",
                  n);
    return 0;
}

int check_face_inside(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                      tc_err *e)
{
    (void)c, (void)e;
    /* The smallest distance from any face-oval point to an image edge, in
     * face widths: negative when the mesh (which the model extrapolates
     * beyond the picture) runs out of it.  The top of the oval is the
     * hairline, so a head whose hair is cut by the top edge is caught too
     * via the mask: a person at the top row above the face. */
    double m = 1e9;
    for (int k = 0; k < 36; k++) {
        const float *q = x->p[check_oval_idx[k]];
        double d = fmin(fmin(q[0], x->w - q[0]), fmin(q[1], x->h - q[1]));
        m = fmin(m, d);
    }
    m /= x->face_w;
    int top_cut = 0;
    if (in->mask) {
        /* the column band of the face: any person pixel in the top row */
        int n = 0, on = 0;
        for (int xx = x->oval_box[0]; xx < x->oval_box[2]; xx++, n++)
            on += check_mask_at(x, xx, 0) > 0.5f;
        top_cut = n > 0 && on > n / 3;
    }
    check_rate(r, TC_CHECK_FACE_INSIDE, m, m);
    if (top_cut && r->score > 20)
        r->score = 20;
    check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
    if (top_cut)
        check_say(r, "头顶超出了画面，请后退一点，让整个头部（含头发）和肩膀都在画面内",
                  "The top of your head is cut off: step back so the whole head, hair included, and the shoulders "
                  "are in the picture");
    else
        check_say(r, "脸部不完整或太靠近画面边缘，请把整张脸放在取景框中央重拍",
                  "Part of the face is outside the picture or too close to its edge: put the whole face in the "
                  "middle of the frame and shoot again");
    return 0;
}

/* How far value v is outside range rg, as a fraction of the range's width
 * (or of its bound when one side is open); 0 inside. */
static double range_off(const tc_spec_range *rg, double v)
{
    double w = rg->has_lo && rg->has_hi ? rg->hi - rg->lo : fmax(fabs(rg->has_lo ? rg->lo : rg->hi), 1.0);
    if (w <= 0)
        w = 1;
    if (rg->has_lo && v < rg->lo)
        return (rg->lo - v) / w;
    if (rg->has_hi && v > rg->hi)
        return (v - rg->hi) / w;
    return 0;
}

int check_geometry(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                   tc_err *e)
{
    (void)x, (void)c, (void)e;
    const tc_photo_layout *l = in->lay;
    /* The plan either meets every range of the spec or says how far it
     * misses; part of the crop beyond the source (outside_frac) means the
     * photo would need invented margins: the subject is too close to an
     * edge or too near the camera. */
    const tc_spec *s = in->spec;
    double off = 0;
    off = fmax(off, range_off(&s->eye_line, l->eye_line_y));
    off = fmax(off, range_off(&s->face_width, l->face_width));
    off = fmax(off, range_off(&s->hair_top, l->hair_top_y));
    /* a plan that meets the spec only past the picture's edge is the
     * framing check's finding, not this one's */
    if (!l->fits && l->inside)
        off = fmax(off, 0.05);
    check_rate(r, TC_CHECK_GEOMETRY, off, off);
    /* the Chinese names no spec: "chsi" is no word of the Chinese page, and
     * a spec's own Chinese name may be missing (then it is the English
     * one); the English names it, the one argument serving that format */
    check_say(r, "头部比例无法满足照片规格的要求，请调整与镜头的距离，使头肩完整居中后重拍",
              "The head's proportions cannot meet the %s spec: adjust your distance to the camera so head and "
              "shoulders are centred, and shoot again",
              s->name);
    return 0;
}

/* The spec's crop must lie inside the picture at the sides and bottom
 * (tc_photo_plan): a picture cut just below the collar cannot give the
 * 学信网 head-and-shoulders without inventing the shirt.  The value is the
 * part of the crop past the picture (0 when inside). */
int check_framing(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)x, (void)c, (void)e;
    const tc_photo_layout *l = in->lay;
    double v = l->inside ? 0 : fmax(l->outside_frac, 0.02);
    check_rate(r, TC_CHECK_FRAMING, v, v);
    check_say(r, "照片拍得太紧，无法按规格裁出头肩：请后退一点，拍到胸部、两肩完整入镜后重拍",
              "The picture is cut too tight for the spec's head and shoulders: step back and include your shoulders "
              "and chest, then shoot again");
    return 0;
}

/* Pose from the mesh in 3D: the cheek-to-cheek axis (234 -> 454) and the
 * forehead-to-chin axis (10 -> 152) span the face plane; its normal gives yaw
 * and pitch.  z comes from the model in the same unit as x (see
 * tc_vision_mesh), which is what makes the angles metric. */
static void face_axes(const check_ctx *x, double yaw_pitch[2])
{
    const float *a = x->p[LM_CHEEK_A], *b = x->p[LM_CHEEK_B], *t = x->p[LM_FOREHEAD], *d = x->p[LM_CHIN];
    double ex[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    double ey[3] = {d[0] - t[0], d[1] - t[1], d[2] - t[2]};
    /* remove roll: rotate both axes about the view axis by -roll */
    double cs = cos(-x->roll), sn = sin(-x->roll);
    double rx[3] = {ex[0] * cs - ex[1] * sn, ex[0] * sn + ex[1] * cs, ex[2]};
    double ry[3] = {ey[0] * cs - ey[1] * sn, ey[0] * sn + ey[1] * cs, ey[2]};
    yaw_pitch[0] = atan2(rx[2], rx[0]) * DEG;
    yaw_pitch[1] = atan2(-ry[2], ry[1]) * DEG;
}

int check_pose_yaw(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)in, (void)c, (void)e;
    double yp[2];
    face_axes(x, yp);
    /* The 3D cue is the steady one on the portraits (|yaw| < 10 on the
     * frontal ones).  Near a full profile the model squeezes one half of the
     * mesh to nothing and its z flattens, so the 2D cue — the nose tip's
     * place between the cheek contours, 0.5 when frontal — takes over when it
     * says "far turned". */
    double a = x->u[LM_CHEEK_A][0], b = x->u[LM_CHEEK_B][0], n = x->u[LM_NOSE_TIP][0];
    double f = (b - a) != 0 ? (n - a) / (b - a) : 0.5;
    double yaw2d = asin(fmax(-1, fmin(1, 2 * f - 1))) * DEG;
    double yaw = fabs(yaw2d) >= 60 && fabs(yaw2d) > fabs(yp[0]) ? yaw2d : yp[0];
    check_rate(r, TC_CHECK_POSE_YAW, yaw, fabs(yaw));
    check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
    check_say(r, "头部向一侧转动了约 %.0f 度，请正对镜头、双肩摆正后重拍",
              "Your head is turned about %.0f degrees to one side: face the camera squarely, shoulders level, and "
              "shoot again",
              fabs(yaw));
    return 0;
}

int check_pose_pitch(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)in, (void)c, (void)e;
    /* The tilt of the forehead (10) -> chin (152) axis out of the image
     * plane, from the mesh's z.  Even an upright face leans back a little
     * there (the chin stands out), about -4 degrees on the frontal
     * portraits, so that is taken off.  The 2D cue (where the nose tip falls
     * between eye line and chin) was tried and dropped: it varies more with
     * the shape of the face (a long chin) than with pitch. */
    double yp[2];
    face_axes(x, yp);
    double pitch = -(yp[1] + 4.0); /* positive: head lowered */
    check_rate(r, TC_CHECK_POSE_PITCH, pitch, fabs(pitch));
    check_region(r, x->oval_box[0], x->oval_box[1], x->oval_box[2], x->oval_box[3]);
    if (pitch > 0)
        check_say(r, "头部低下了约 %.0f 度，请抬头平视镜头后重拍", "Your head is lowered about %.0f degrees: lift your chin, look "
                  "straight into the camera and shoot again", fabs(pitch));
    else
        check_say(r, "头部仰起了约 %.0f 度，请收下巴平视镜头后重拍", "Your head is raised about %.0f degrees: lower your chin, look "
                  "straight into the camera and shoot again", fabs(pitch));
    return 0;
}

int check_pose_roll(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                    tc_err *e)
{
    (void)in, (void)c, (void)e;
    double roll = x->roll * DEG;
    check_rate(r, TC_CHECK_POSE_ROLL, roll, fabs(roll));
    check_region(r, x->eye[0][0], x->eye[0][1] - 2, x->eye[1][0], x->eye[1][1] + 2);
    check_say(r, "头部歪向一侧约 %.0f 度，请端正头部、双眼保持水平后重拍",
              "Your head is tilted about %.0f degrees: hold it upright with both eyes level and shoot again", fabs(roll));
    return 0;
}

/* The mesh's eyelid gap over eye width (gaze uses it to skip small eyes). */
static double eye_ratio(const check_ctx *x, int k)
{
    int top = k ? LM_EYE_B_TOP : LM_EYE_A_TOP, bot = k ? LM_EYE_B_BOT : LM_EYE_A_BOT;
    int c0 = k ? LM_EYE_B_IN : LM_EYE_A_OUT, c1 = k ? LM_EYE_B_OUT : LM_EYE_A_IN;
    double w = check_lm_dist(x, c0, c1);
    return w > 0 ? check_lm_dist(x, top, bot) / w : 0;
}

int check_eyes_open(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                    tc_err *e)
{
    (void)c, (void)e;
    /* An eye outside the picture (a face cut by the edge) has an eyelid gap
     * the model made up: could not assess, never a failure (issue 16, 6). */
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 16; i++) {
            const float *q = x->p[check_eye_idx[k][i]];
            if (!(q[0] >= 0 && q[1] >= 0 && q[0] < x->w && q[1] < x->h))
                return check_unsure(r, "眼睛不在画面内，无法判断是否睁开", "An eye is outside the picture, so whether the eyes are "
                                       "open cannot be judged");
        }
    /* The mesh's own eyelids barely move when an eye closes (8 of 8 winks
     * passed on them): the attention model's refined contour decides. */
    const tc_vision_eye_info *ey = in->eyes;
    if (!ey || !isfinite(ey->openness[0]) || !isfinite(ey->openness[1]))
        return check_unsure(r, "未能测量眼睑，无法判断眼睛是否睁开", "The eyelids could not be measured, so whether the eyes "
                               "are open cannot be judged");
    /* The less open eye decides: one closed eye (a wink) fails too. */
    double lo = fmin(ey->openness[0], ey->openness[1]), hi = fmax(ey->openness[0], ey->openness[1]);
    double wink = hi > 0 ? lo / hi : 1;
    const check_tune *t = check_tuning(TC_CHECK_EYES_OPEN);
    check_rate(r, TC_CHECK_EYES_OPEN, lo, lo);
    check_region(r, x->p[LM_EYE_A_OUT][0], x->eye[0][1] - x->iod * 0.2, x->p[LM_EYE_B_OUT][0],
                 x->eye[1][1] + x->iod * 0.2);
    if (wink < CHECK_EYES_WINK_FAIL && lo < CHECK_EYES_WINK_OPEN && r->score >= 50)
        r->score = 49; /* one eye much less open than the other: a wink */
    if (r->score < 50) {
        check_say(r, "眼睛没有完全睁开，请自然睁大双眼、不要眨眼后重拍",
                  "Your eyes are not fully open: open both eyes naturally, don't blink, and shoot again");
        return 0;
    }
    if (lo < t->review || wink < CHECK_EYES_WINK_REVIEW) {
        /* between: not reliable enough to reject a student (docs/QUALITY.md) */
        r->score = -1;
        check_say(r, "眼睛可能没有完全睁开，将由审核老师确认；如是闭眼或眯眼，请睁大双眼平视镜头后重拍",
                  "Your eyes may not be fully open: a reviewer will check. If they were closed or narrowed, open "
                  "them wide, look into the camera and shoot again");
    }
    return 0;
}

/* The iris is the darkest part inside the eyelid contour: take the darkest
 * third of the pixels in the eye polygon and their centroid. */
void check_iris(check_ctx *x)
{
    if (x->iris_done)
        return;
    x->iris_done = 1;
    if (!x->has_mesh)
        return;
    const uint8_t *l = check_lum(x);
    if (!l)
        return;
    for (int k = 0; k < 2; k++) {
        float poly[16][2];
        double b[4] = {1e9, 1e9, -1e9, -1e9};
        for (int i = 0; i < 16; i++) {
            const float *q = x->p[check_eye_idx[k][i]];
            poly[i][0] = q[0], poly[i][1] = q[1];
            b[0] = fmin(b[0], q[0]), b[1] = fmin(b[1], q[1]), b[2] = fmax(b[2], q[0]), b[3] = fmax(b[3], q[1]);
        }
        int rr[4];
        if (!check_clip(x, b[0], b[1], b[2] + 1, b[3] + 1, rr))
            continue;
        int bw = rr[2] - rr[0], bh = rr[3] - rr[1];
        if (bw * bh < 6 || bw > 400 || bh > 400)
            continue;
        uint8_t *m = malloc((size_t)bw * bh);
        if (!m)
            continue;
        check_poly_fill((const float(*)[2])poly, 16, m, rr[0], rr[1], bw, bh);
        int hist[256] = {0}, n = 0;
        for (int y = 0; y < bh; y++)
            for (int xx = 0; xx < bw; xx++)
                if (m[y * bw + xx])
                    hist[l[(size_t)(rr[1] + y) * x->w + rr[0] + xx]]++, n++;
        if (n >= 6) {
            int cut = 0, acc = 0;
            while (cut < 255 && acc + hist[cut] < n / 3)
                acc += hist[cut++];
            double sx = 0, sy = 0, cnt = 0;
            for (int y = 0; y < bh; y++)
                for (int xx = 0; xx < bw; xx++)
                    if (m[y * bw + xx] && l[(size_t)(rr[1] + y) * x->w + rr[0] + xx] <= cut)
                        sx += rr[0] + xx + 0.5, sy += rr[1] + y + 0.5, cnt++;
            if (cnt > 0) {
                x->iris[k][0] = sx / cnt;
                x->iris[k][1] = sy / cnt;
                x->iris[k][2] = sqrt(cnt / M_PI);
                x->iris_ok[k] = 1;
            }
        }
        free(m);
    }
}

int check_gaze(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e)
{
    (void)in, (void)c, (void)e;
    check_iris(x);
    if (!x->iris_ok[0] || !x->iris_ok[1] || fmin(eye_ratio(x, 0), eye_ratio(x, 1)) < 0.12)
        return check_unsure(r, "眼睛太小或闭着，无法判断视线；请睁开双眼看镜头", "The eyes are too small or closed to tell where you look: "
                               "open them and look into the lens");
    /* Horizontal place of the iris between the corners, 0.5 = centred;
     * both eyes move together when the gaze turns, so average the signed
     * offsets (a squint or lazy eye does not look like a turned gaze). */
    double off = 0;
    for (int k = 0; k < 2; k++) {
        int c0 = k ? LM_EYE_B_IN : LM_EYE_A_OUT, c1 = k ? LM_EYE_B_OUT : LM_EYE_A_IN;
        double ax = x->p[c0][0], ay = x->p[c0][1], bx = x->p[c1][0], by = x->p[c1][1];
        double dx = bx - ax, dy = by - ay, L2 = dx * dx + dy * dy;
        double t = L2 > 0 ? ((x->iris[k][0] - ax) * dx + (x->iris[k][1] - ay) * dy) / L2 : 0.5;
        off += (t - 0.5) / 2;
    }
    check_rate(r, TC_CHECK_GAZE, off, fabs(off));
    check_region(r, x->p[LM_EYE_A_OUT][0], x->eye[0][1] - x->iod * 0.15, x->p[LM_EYE_B_OUT][0],
                 x->eye[1][1] + x->iod * 0.15);
    check_say(r, "视线没有看向镜头，请双眼平视镜头后重拍", "You are not looking into the camera: look straight into the lens and shoot again");
    return 0;
}

int check_mouth_closed(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                       tc_err *e)
{
    (void)in, (void)c, (void)e;
    double mw = check_lm_dist(x, LM_MOUTH_A, LM_MOUTH_B);
    double v = mw > 0 ? check_lm_dist(x, LM_LIP_TOP, LM_LIP_BOT) / mw : 1;
    check_rate(r, TC_CHECK_MOUTH_CLOSED, v, v);
    check_region(r, x->p[LM_MOUTH_A][0], x->p[LM_LIP_TOP][1] - mw * 0.25, x->p[LM_MOUTH_B][0],
                 x->p[LM_LIP_BOT][1] + mw * 0.25);
    check_say(r, "嘴巴张开了，请自然闭合嘴唇、不要露齿后重拍", "Your mouth is open: close your lips naturally, no teeth showing, and shoot again");
    return 0;
}

int check_expression(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                     tc_err *e)
{
    (void)in, (void)e;
    /* A smile lifts the mouth corners above the lips' centre and widens the
     * mouth relative to the face.  In upright coordinates, per mouth width:
     *   lift  = (centre y - mean corner y) / mouth width  (about 0 neutral)
     *   width = mouth width / face width                  (about 0.40 neutral)
     * smile index = max(lift + (width - 0.40) / 2, (width - 0.44) * 0.8).
     * The lift is read together with the width: a smile does both, so a
     * lift on a widened mouth counts more and one on a narrow mouth less.
     * Corners that turn up by nature on a narrow mouth (portrait base_06:
     * lift 0.07-0.08, width 0.35) were a neutral face failed as a smile,
     * and smiles that lift little but widen (Yale happy faces: lift 0.08,
     * width 0.46-0.48) passed (docs/QUALITY.md, 2026-12-07).  A wide mouth
     * alone is still enough: a broad smile may barely lift the corners. */
    double mw = hypot(x->u[LM_MOUTH_B][0] - x->u[LM_MOUTH_A][0], x->u[LM_MOUTH_B][1] - x->u[LM_MOUTH_A][1]);
    if (!(mw > 1))
        return check_unsure(r, "无法定位嘴部，无法判断表情", "The mouth could not be located, so the expression cannot be judged");
    double cy = (x->u[LM_LIP_TOP][1] + x->u[LM_LIP_BOT][1]) / 2;
    double corner = (x->u[LM_MOUTH_A][1] + x->u[LM_MOUTH_B][1]) / 2;
    double lift = (cy - corner) / mw;
    double width = mw / x->face_w;
    double v = fmax(lift + (width - 0.40) / 2, (width - 0.44) * 0.8);
    check_rate(r, TC_CHECK_EXPRESSION, v, v);
    check_region(r, x->p[LM_MOUTH_A][0], x->p[LM_LIP_TOP][1] - mw * 0.3, x->p[LM_MOUTH_B][0],
                 x->p[LM_LIP_BOT][1] + mw * 0.3);
    const check_tune *t = check_tuning(TC_CHECK_EXPRESSION);
    if (r->score >= c->threshold[TC_CHECK_EXPRESSION] && t->review > 0 && v >= t->review) {
        /* From the review point up to the fail point lie faint smiles
         * (AR m-001-2, WIDER 560, AR m-003-17: 0.057-0.077) and mouths whose
         * corners turn up by nature (portrait base_06 0.053, its variants
         * 0.036-0.070) alike; the measure cannot tell them apart
         * (docs/QUALITY.md), so a reviewer looks instead of the student
         * being refused or passed.  The review point lies between base_06
         * and the faintest smile of the tuning part. */
        return check_unsure(r, "表情可能不够自然平和（如在微笑），将由审核老师确认；如在笑，请放松面部、保持自然表情后重拍",
                            "Your expression may not be neutral (a slight smile): a reviewer will check. If you are "
                            "smiling, relax your face, keep a natural, neutral look and shoot again");
    }
    check_say(r, "表情不够自然平和（如在笑），请放松面部、保持自然表情后重拍",
              "Your expression is not neutral (smiling): relax your face, keep a natural, neutral look and shoot again");
    return 0;
}
