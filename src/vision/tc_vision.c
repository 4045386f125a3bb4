/*
 * The vision engine's pre- and post-processing, after MediaPipe's graphs
 * (mediapipe/modules/face_detection/face_detection.pbtxt,
 * face_landmark/face_landmark_front_gpu.pbtxt and friends,
 * selfie_segmentation/selfie_segmentation_gpu.pbtxt) and the calculators
 * they name.  The parameters are theirs; each place says which calculator
 * it stands for.  See tc_vision.h for the contract.
 */
#include "vision/tc_vision.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vision/tc_net.h"

const int tc_vision_lm_oval[TC_VISION_LM_OVAL_N] = {
    10,  338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58,  132, 93,  234, 127, 162, 21,  54,  103, 67,  109};

const int tc_vision_lm_eyelid[2][16] = {
    {33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246},
    {263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466},
};

#define DET_ANCHORS 896   /* short range: 16x16x2 + 8x8x6 */
#define DET_SIZE 128
#define FAR_ANCHORS 2304  /* full range: 48x48x1 */
#define FAR_SIZE 192
#define MAX_ANCHORS FAR_ANCHORS
#define LMK_SIZE 192
#define SEG_SIZE 256
#define EYE_POINTS 71
#define IRIS_POINTS 5
#define MODEL_MAX_BYTES ((size_t)64 << 20)

typedef struct anchor { float x, y; } anchor; /* centres; fixed size 1x1 */

/* The five models, in the order they load; the last (the full-range
 * detector) is optional: net[NET_FAR] stays NULL when its file is absent. */
enum { NET_DET, NET_LMK, NET_SEG, NET_EYE, NET_FAR, N_NETS };
static const char *const net_files[N_NETS] = {TC_VISION_DETECTOR_FILE, TC_VISION_LANDMARK_FILE,
                                              TC_VISION_SEGMENTER_FILE, TC_VISION_EYES_FILE,
                                              TC_VISION_FAR_DETECTOR_FILE};

/* One BlazeFace detector: its model and the options MediaPipe's graph gives
 * SsdAnchorsCalculator and TensorsToDetectionsCalculator for it.  Both
 * models share the output layout (16 values per anchor: box x, y, w, h,
 * then six keypoints x, y, in input pixels from the anchor's centre). */
typedef struct detector {
    int net;                     /* NET_DET or NET_FAR */
    int size;                    /* square input side, px (= the box and keypoint scale) */
    int n_anchors;
    float min_score;             /* min_score_thresh */
    int boxes_out, scores_out;   /* output indexes, found by shape */
    const anchor *anchors;       /* into struct tc_vision */
} detector;

struct tc_vision {
    tc_tfl_net *net[N_NETS];
    detector det, far;                    /* far.net < 0 when the full-range model is absent */
    int lmk_points_out, lmk_flag_out;
    int eye_out[2];                       /* the attention model's two 71-point eye outputs */
    int iris_out[2];                      /* and its two 5-point iris outputs, same order */
    anchor det_anchors[DET_ANCHORS], far_anchors[FAR_ANCHORS];
};

typedef struct cand {      /* a decoded detection, tensor-normalised */
    float score;
    float xmin, ymin, xmax, ymax;
    float kp[TC_VISION_KEYPOINTS][2];
} cand;

struct tc_vision_ctx {
    void *arena[N_NETS]; /* each model's, for one image at a time (NULL for an absent one) */
    cand cands[MAX_ANCHORS];
    int order[MAX_ANCHORS], rest[MAX_ANCHORS];
};

/* ---- loading ------------------------------------------------------------ */

static int load_net(const char *dir, const char *file, tc_tfl_net **net, tc_err *e)
{
    char path[4096];
    char *data;
    size_t len;
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        return tc_err_set(e, TCE_VISION_MODEL_MISSING);
    if (tc_file_read(path, MODEL_MAX_BYTES, &data, &len, e))
        return tc_err_set(e, TCE_VISION_MODEL_MISSING_2, path);
    int rc = tc_tfl_net_load((const uint8_t *)data, len, net, e);
    free(data);
    if (rc) { /* keep the reason and code, name the file */
        tc_err why = *e;
        tc_err_set(e, why.status, "vision.model_invalid", "%s：%.200s", "%s: %.200s", file, why.zh);
        snprintf(e->code, sizeof e->code, "%s", why.code);
        snprintf(e->en, sizeof e->en, "%s: %.200s", file, why.en);
    }
    return rc;
}

static int shape_is(const int *s, int n, int h, int w, int c)
{
    return s[0] == n && s[1] == h && s[2] == w && s[3] == c;
}

/* SsdAnchorsCalculator with fixed anchor size, one aspect ratio (1.0) and
 * anchor offset 0.5, as both face detection graphs set it: a grid of
 * size / stride cells per layer, each carrying per_layer anchors at its
 * centre (2 when interpolated_scale_aspect_ratio > 0 adds one, else 1).
 * Layers of equal stride share a grid, their anchors interleaved per cell.
 *   face_detection_short_range.pbtxt: 128 px, strides 8 16 16 16, 2 per
 *     layer: 16*16*2 + 8*8*6 = 896;
 *   face_detection_full_range.pbtxt: 192 px, one layer of stride 4,
 *     interpolated_scale_aspect_ratio 0, so 1: 48*48 = 2304.
 * Returns how many anchors it wrote. */
static int make_anchors(anchor *a, int size, const int *strides, int n_layers, int per_layer)
{
    int n = 0, layer = 0;
    while (layer < n_layers) {
        int last = layer, per_cell = 0;
        while (last < n_layers && strides[last] == strides[layer]) {
            per_cell += per_layer;
            last++;
        }
        int fm = (size + strides[layer] - 1) / strides[layer];
        for (int y = 0; y < fm; y++)
            for (int x = 0; x < fm; x++)
                for (int k = 0; k < per_cell; k++) {
                    a[n].x = (x + 0.5f) / fm;
                    a[n].y = (y + 0.5f) / fm;
                    n++;
                }
        layer = last;
    }
    return n;
}

/* A detector's outputs by shape: [1, 1, n_anchors, 16] boxes and
 * [1, 1, n_anchors, 1] scores; its input [1, size, size, 3].  0 or -1. */
static int find_detector(const tc_vision *v, detector *d)
{
    const tc_tfl_net *net = v->net[d->net];
    if (tc_tfl_net_n_inputs(net) != 1 || !shape_is(tc_tfl_net_input_shape(net, 0), 1, d->size, d->size, 3) ||
        tc_tfl_net_n_outputs(net) != 2)
        return -1;
    d->boxes_out = -1;
    d->scores_out = -1;
    for (int i = 0; i < 2; i++) {
        const int *s = tc_tfl_net_output_shape(net, i);
        if (shape_is(s, 1, 1, d->n_anchors, 16))
            d->boxes_out = i;
        else if (shape_is(s, 1, 1, d->n_anchors, 1))
            d->scores_out = i;
    }
    return d->boxes_out < 0 || d->scores_out < 0 ? -1 : 0;
}

tc_vision *tc_vision_load(const char *models_dir, tc_err *e)
{
    if (!models_dir) {
        const char *env = getenv("TUCAI_MODELS");
        models_dir = env && *env ? env : "models";
    }
    tc_vision *v = tc_mem_zalloc(sizeof *v, e);
    if (!v)
        return NULL;
    for (int k = 0; k < N_NETS; k++) {
        if (k == NET_FAR) { /* optional: absent means short range only */
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", models_dir, net_files[k]);
            if (access(path, F_OK) != 0) {
                tc_log(TC_LOG_WARN,
                       "vision: %s is absent: faces far from the camera (small in the picture) will not be "
                       "found; run scripts/fetch-models",
                       path);
                continue;
            }
        }
        if (load_net(models_dir, net_files[k], &v->net[k], e))
            goto fail;
    }
    const tc_tfl_net *lmk = v->net[NET_LMK], *seg = v->net[NET_SEG], *eye = v->net[NET_EYE];
    /* Check that the files are the models we expect, and find which output
     * is which by shape rather than by position.  The detectors' options:
     * face_detection_short_range.pbtxt and face_detection_full_range.pbtxt
     * (TensorsToDetectionsCalculator's min_score_thresh 0.5 and 0.6). */
    v->det = (detector){NET_DET, DET_SIZE, DET_ANCHORS, 0.5f, -1, -1, v->det_anchors};
    v->far = (detector){-1, FAR_SIZE, FAR_ANCHORS, 0.6f, -1, -1, v->far_anchors};
    if (find_detector(v, &v->det))
        goto wrong;
    if (v->net[NET_FAR]) {
        v->far.net = NET_FAR;
        if (find_detector(v, &v->far))
            goto wrong;
    }
    if (tc_tfl_net_n_inputs(lmk) != 1 || !shape_is(tc_tfl_net_input_shape(lmk, 0), 1, LMK_SIZE, LMK_SIZE, 3) ||
        tc_tfl_net_n_outputs(lmk) < 2)
        goto wrong;
    v->lmk_points_out = -1;
    v->lmk_flag_out = -1;
    for (int i = 0; i < tc_tfl_net_n_outputs(lmk); i++) {
        const int *s = tc_tfl_net_output_shape(lmk, i);
        if (shape_is(s, 1, 1, 1, TC_VISION_LANDMARKS * 3))
            v->lmk_points_out = i;
        else if (shape_is(s, 1, 1, 1, 1))
            v->lmk_flag_out = i;
    }
    if (v->lmk_points_out < 0 || v->lmk_flag_out < 0)
        goto wrong;
    if (tc_tfl_net_n_inputs(seg) != 1 || !shape_is(tc_tfl_net_input_shape(seg, 0), 1, SEG_SIZE, SEG_SIZE, 3) ||
        tc_tfl_net_n_outputs(seg) != 1 || !shape_is(tc_tfl_net_output_shape(seg, 0), 1, SEG_SIZE, SEG_SIZE, 1))
        goto wrong;
    /* The attention mesh model: outputs in its order (mesh, lips, left eye,
     * right eye, left iris, right iris, flag); the eyes are its two 71x2
     * outputs, the irises its two 5x2 ones (centre, then four points on the
     * iris' edge), in the same left/right order as the eyes. */
    if (tc_tfl_net_n_inputs(eye) != 1 || !shape_is(tc_tfl_net_input_shape(eye, 0), 1, LMK_SIZE, LMK_SIZE, 3))
        goto wrong;
    v->eye_out[0] = v->eye_out[1] = v->iris_out[0] = v->iris_out[1] = -1;
    for (int i = 0, k = 0, ki = 0; i < tc_tfl_net_n_outputs(eye); i++) {
        const int *s = tc_tfl_net_output_shape(eye, i);
        if (shape_is(s, 1, 1, 1, EYE_POINTS * 2) && k < 2)
            v->eye_out[k++] = i;
        else if (shape_is(s, 1, 1, 1, IRIS_POINTS * 2) && ki < 2)
            v->iris_out[ki++] = i;
    }
    if (v->eye_out[1] < 0 || v->iris_out[1] < 0)
        goto wrong;
    static const int det_strides[4] = {8, 16, 16, 16}, far_strides[1] = {4};
    int n_det = make_anchors(v->det_anchors, DET_SIZE, det_strides, 4, 2);
    int n_far = make_anchors(v->far_anchors, FAR_SIZE, far_strides, 1, 1);
    assert(n_det == DET_ANCHORS && n_far == FAR_ANCHORS);
    (void)n_det, (void)n_far;
    return v;
wrong:
    tc_err_set(e, TCE_VISION_MODEL_INVALID_3);
fail:
    tc_vision_free(v);
    return NULL;
}

void tc_vision_free(tc_vision *v)
{
    if (!v)
        return;
    for (int k = 0; k < N_NETS; k++)
        tc_tfl_net_free(v->net[k]);
    free(v);
}

void tc_vision_macs(const tc_vision *v, int64_t macs[3])
{
    for (int k = NET_DET; k <= NET_SEG; k++)
        macs[k] = tc_tfl_net_macs(v->net[k]);
}

tc_vision_ctx *tc_vision_ctx_new(const tc_vision *v, tc_err *e)
{
    tc_vision_ctx *c = tc_mem_zalloc(sizeof *c, e);
    if (!c)
        return NULL;
    for (int k = 0; k < N_NETS; k++)
        if (v->net[k] && !(c->arena[k] = aligned_alloc(64, tc_tfl_net_arena_bytes(v->net[k])))) {
            tc_vision_ctx_free(c);
            tc_err_internal(e, "out of memory");
            return NULL;
        }
    return c;
}

void tc_vision_ctx_free(tc_vision_ctx *c)
{
    if (!c)
        return;
    for (int k = 0; k < N_NETS; k++)
        free(c->arena[k]);
    free(c);
}

/* ---- image to tensor ----------------------------------------------------- */

/* A rotated rectangle in pixels, the image spanning [0, W] x [0, H]. */
typedef struct roi {
    float cx, cy, w, h, rot;
} roi;

static int check_image(const tc_vision_image *img, tc_err *e)
{
    if (!img || !img->rgb || img->width <= 0 || img->height <= 0 || img->width > 1 << 15 ||
        img->height > 1 << 15 || img->stride < (size_t)img->width * 3)
        return tc_err_set(e, TCE_VISION_BAD_IMAGE);
    return 0;
}

/* ImageToTensorCalculator on the GPU, which is what MediaPipe's web
 * solutions run: tensor pixel (x, y) samples the image at the rectangle's
 * point ((x + .5) / tw, (y + .5) / th), bilinear between pixel centres,
 * edges clamped (GL's clamp-to-edge).  With zero_border, points outside
 * the image give 0 (BORDER_ZERO).  Values are mapped from [0, 255] to
 * [lo, hi]. */
static void roi_to_tensor(const tc_vision_image *img, const roi *r, int tw, int th, float lo, float hi,
                          int zero_border, float *out)
{
    const float c = cosf(r->rot), s = sinf(r->rot);
    const float scale = (hi - lo) / 255.0f;
    const int W = img->width, H = img->height;
    if (r->rot == 0 && tw <= 512) { /* unrotated: columns and rows separate */
        int xa[512], xb[512], ok[512];
        float xd[512];
        for (int x = 0; x < tw; x++) {
            float sx = r->cx + ((x + 0.5f) / tw - 0.5f) * r->w;
            float px = sx - 0.5f, fx0 = floorf(px);
            int a = (int)fx0, bb = a + 1;
            ok[x] = !(zero_border && (sx < 0 || sx > W));
            xd[x] = px - fx0;
            xa[x] = 3 * (a < 0 ? 0 : a >= W ? W - 1 : a);
            xb[x] = 3 * (bb < 0 ? 0 : bb >= W ? W - 1 : bb);
        }
        for (int y = 0; y < th; y++) {
            float sy = r->cy + ((y + 0.5f) / th - 0.5f) * r->h;
            float *o = out + (size_t)y * tw * 3;
            if (zero_border && (sy < 0 || sy > H)) {
                for (int k = 0; k < tw * 3; k++)
                    o[k] = lo;
                continue;
            }
            float py = sy - 0.5f, fy0 = floorf(py), fy = py - fy0;
            int y0 = (int)fy0, y1 = y0 + 1;
            y0 = y0 < 0 ? 0 : y0 >= H ? H - 1 : y0;
            y1 = y1 < 0 ? 0 : y1 >= H ? H - 1 : y1;
            const uint8_t *r0 = img->rgb + (size_t)y0 * img->stride, *r1 = img->rgb + (size_t)y1 * img->stride;
            for (int x = 0; x < tw; x++, o += 3) {
                if (!ok[x]) {
                    o[0] = o[1] = o[2] = lo;
                    continue;
                }
                float fx = xd[x];
                for (int k = 0; k < 3; k++) {
                    float top = r0[xa[x] + k] + (r0[xb[x] + k] - r0[xa[x] + k]) * fx;
                    float bot = r1[xa[x] + k] + (r1[xb[x] + k] - r1[xa[x] + k]) * fx;
                    o[k] = (top + (bot - top) * fy) * scale + lo;
                }
            }
        }
        return;
    }
    for (int y = 0; y < th; y++) {
        float v = ((y + 0.5f) / th - 0.5f) * r->h;
        for (int x = 0; x < tw; x++) {
            float u = ((x + 0.5f) / tw - 0.5f) * r->w;
            float sx = r->cx + c * u - s * v, sy = r->cy + s * u + c * v;
            float *o = out + ((size_t)y * tw + x) * 3;
            if (zero_border && (sx < 0 || sy < 0 || sx > W || sy > H)) {
                o[0] = o[1] = o[2] = lo;
                continue;
            }
            float px = sx - 0.5f, py = sy - 0.5f;
            float fx0 = floorf(px), fy0 = floorf(py);
            float fx = px - fx0, fy = py - fy0;
            int x0 = (int)fx0, y0 = (int)fy0, x1 = x0 + 1, y1 = y0 + 1;
            x0 = x0 < 0 ? 0 : x0 >= W ? W - 1 : x0;
            x1 = x1 < 0 ? 0 : x1 >= W ? W - 1 : x1;
            y0 = y0 < 0 ? 0 : y0 >= H ? H - 1 : y0;
            y1 = y1 < 0 ? 0 : y1 >= H ? H - 1 : y1;
            const uint8_t *p00 = img->rgb + (size_t)y0 * img->stride + 3 * (size_t)x0;
            const uint8_t *p01 = img->rgb + (size_t)y0 * img->stride + 3 * (size_t)x1;
            const uint8_t *p10 = img->rgb + (size_t)y1 * img->stride + 3 * (size_t)x0;
            const uint8_t *p11 = img->rgb + (size_t)y1 * img->stride + 3 * (size_t)x1;
            for (int k = 0; k < 3; k++) {
                float top = p00[k] + (p01[k] - p00[k]) * fx;
                float bot = p10[k] + (p11[k] - p10[k]) * fx;
                o[k] = (top + (bot - top) * fy) * scale + lo;
            }
        }
    }
}

/* Model k on the crop r of img: its size x size input tensor with values in
 * [lo, hi] (roi_to_tensor), then the model, in the context's arena. */
static void run_net(const tc_vision *v, tc_vision_ctx *c, int k, const tc_vision_image *img, const roi *r, int size,
                    float lo, float hi, int zero_border)
{
    roi_to_tensor(img, r, size, size, lo, hi, zero_border, tc_tfl_net_input(v->net[k], c->arena[k], 0));
    tc_tfl_net_run(v->net[k], c->arena[k]);
}

/* Output i of model k's last run (run_net). */
static const float *net_output(const tc_vision *v, const tc_vision_ctx *c, int k, int i)
{
    return tc_tfl_net_output(v->net[k], c->arena[k], i);
}

/* ---- detection -------------------------------------------------------------- */

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

static float iou(const cand *a, const cand *b)
{
    float ix = fminf(a->xmax, b->xmax) - fmaxf(a->xmin, b->xmin);
    float iy = fminf(a->ymax, b->ymax) - fmaxf(a->ymin, b->ymin);
    if (ix <= 0 || iy <= 0)
        return 0;
    float inter = ix * iy;
    float u = (a->xmax - a->xmin) * (a->ymax - a->ymin) + (b->xmax - b->xmin) * (b->ymax - b->ymin) - inter;
    return u > 0 ? inter / u : 0;
}

static int cmp_cand(const void *pa, const void *pb, void *ctx)
{
    const cand *c = ctx;
    int a = *(const int *)pa, b = *(const int *)pb;
    if (c[a].score != c[b].score)
        return c[a].score > c[b].score ? -1 : 1;
    return a - b;
}

/* One detector on the whole image: faces[0..return value), at most
 * max_faces (<= TC_VISION_MAX_FACES). */
static int detect_with(const tc_vision *v, tc_vision_ctx *c, const detector *dt, const tc_vision_image *img,
                       tc_vision_face *faces, int max_faces)
{
    /* ImageToTensor, keep_aspect_ratio: the whole image, letterboxed into a
     * square (PadRoi), zero border, values in [-1, 1]. */
    float side = (float)(img->width > img->height ? img->width : img->height);
    roi r = {img->width / 2.0f, img->height / 2.0f, side, side, 0};
    run_net(v, c, dt->net, img, &r, dt->size, -1.0f, 1.0f, 1);
    const float *boxes = net_output(v, c, dt->net, dt->boxes_out);
    const float *scores = net_output(v, c, dt->net, dt->scores_out);

    /* TensorsToDetectionsCalculator: scores clipped to +-100 then sigmoid,
     * kept from min_score_thresh; boxes are (x, y, w, h) offsets in input
     * pixels from the anchor's centre (reverse_output_order, x/y/w/h
     * scales = the input side). */
    const float S = (float)dt->size;
    int n = 0;
    for (int i = 0; i < dt->n_anchors; i++) {
        float raw = scores[i];
        raw = raw < -100 ? -100 : raw > 100 ? 100 : raw;
        float sc = sigmoid(raw);
        if (!(sc >= dt->min_score))
            continue;
        const float *b = boxes + (size_t)i * 16;
        const anchor *a = &dt->anchors[i];
        float cx = b[0] / S + a->x, cy = b[1] / S + a->y;
        float w = b[2] / S, h = b[3] / S;
        if (!(w >= 0 && h >= 0))
            continue;
        cand *cd = &c->cands[n];
        cd->score = sc;
        cd->xmin = cx - w / 2;
        cd->ymin = cy - h / 2;
        cd->xmax = cx + w / 2;
        cd->ymax = cy + h / 2;
        for (int k = 0; k < TC_VISION_KEYPOINTS; k++) {
            cd->kp[k][0] = b[4 + 2 * k] / S + a->x;
            cd->kp[k][1] = b[5 + 2 * k] / S + a->y;
        }
        c->order[n] = n;
        n++;
    }
    qsort_r(c->order, (size_t)n, sizeof *c->order, cmp_cand, c->cands);

    /* NonMaxSuppressionCalculator, WEIGHTED, IoU > 0.3: the best remaining
     * detection absorbs every one overlapping it; box and keypoints become
     * their score-weighted mean, the score stays the best's. */
    int remaining = n, out = 0;
    while (remaining > 0 && out < max_faces) {
        const cand *top = &c->cands[c->order[0]];
        cand acc = {0};
        float total = 0;
        int kept = 0;
        for (int j = 0; j < remaining; j++) {
            const cand *o = &c->cands[c->order[j]];
            if (iou(o, top) > 0.3f) {
                float s = o->score;
                total += s;
                acc.xmin += o->xmin * s;
                acc.ymin += o->ymin * s;
                acc.xmax += o->xmax * s;
                acc.ymax += o->ymax * s;
                for (int k = 0; k < TC_VISION_KEYPOINTS; k++) {
                    acc.kp[k][0] += o->kp[k][0] * s;
                    acc.kp[k][1] += o->kp[k][1] * s;
                }
            } else {
                c->rest[kept++] = c->order[j];
            }
        }
        cand d = *top;
        if (total > 0) {
            d.xmin = acc.xmin / total;
            d.ymin = acc.ymin / total;
            d.xmax = acc.xmax / total;
            d.ymax = acc.ymax / total;
            for (int k = 0; k < TC_VISION_KEYPOINTS; k++) {
                d.kp[k][0] = acc.kp[k][0] / total;
                d.kp[k][1] = acc.kp[k][1] / total;
            }
        }
        /* DetectionProjectionCalculator: from the letterboxed square back
         * to the image. */
        tc_vision_face *f = &faces[out++];
        float W = (float)img->width, H = (float)img->height;
        f->score = d.score;
        f->far = dt->net == NET_FAR;
        f->xmin = ((d.xmin - 0.5f) * side + r.cx) / W;
        f->ymin = ((d.ymin - 0.5f) * side + r.cy) / H;
        f->width = (d.xmax - d.xmin) * side / W;
        f->height = (d.ymax - d.ymin) * side / H;
        for (int k = 0; k < TC_VISION_KEYPOINTS; k++) {
            f->keypoints[k][0] = ((d.kp[k][0] - 0.5f) * side + r.cx) / W;
            f->keypoints[k][1] = ((d.kp[k][1] - 0.5f) * side + r.cy) / H;
        }
        if (kept == remaining) /* cannot happen (top overlaps itself), but never loop */
            break;
        memcpy(c->order, c->rest, (size_t)kept * sizeof *c->order);
        remaining = kept;
    }
    return out;
}

int tc_vision_detect(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, tc_vision_face *faces,
                     int max_faces, int *n_faces, tc_err *e)
{
    *n_faces = 0;
    if (check_image(img, e))
        return -1;
    if (max_faces > TC_VISION_MAX_FACES)
        max_faces = TC_VISION_MAX_FACES;
    if (max_faces <= 0)
        return 0;
    /* The short-range model first (faces within about 2 m: every ID
     * photo); only when it finds none, the full-range one (faces up to
     * about 5 m, small in the picture), so a photo with a face costs no
     * more than before. */
    int n = detect_with(v, c, &v->det, img, faces, max_faces);
    if (n == 0 && v->far.net >= 0)
        n = detect_with(v, c, &v->far, img, faces, max_faces);
    *n_faces = n;
    return 0;
}

/* ---- landmarks ----------------------------------------------------------------- */

static float normalize_radians(float a)
{
    return a - 2 * (float)M_PI * floorf((a + (float)M_PI) / (2 * (float)M_PI));
}

int tc_vision_landmarks(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img,
                        const tc_vision_face *face, tc_vision_mesh *out, tc_err *e)
{
    if (check_image(img, e))
        return -1;
    const float W = (float)img->width, H = (float)img->height;
    /* DetectionsToRectsCalculator: the box, turned so that the line from
     * the right eye (keypoint 0) to the left eye (1) is horizontal. */
    float rot = normalize_radians(0.0f - atan2f(-(face->keypoints[1][1] - face->keypoints[0][1]) * H,
                                                (face->keypoints[1][0] - face->keypoints[0][0]) * W));
    float cx = face->xmin + face->width / 2, cy = face->ymin + face->height / 2;
    /* RectTransformationCalculator: square on the long side (in pixels),
     * then 1.5 times larger. */
    float long_side = fmaxf(face->width * W, face->height * H);
    float nw = long_side / W * 1.5f, nh = long_side / H * 1.5f;
    roi r = {cx * W, cy * H, nw * W, nh * H, rot};
    /* ImageToTensor: 192x192, values in [0, 1], edges replicated. */
    run_net(v, c, NET_LMK, img, &r, LMK_SIZE, 0.0f, 1.0f, 0);
    const float *pts = net_output(v, c, NET_LMK, v->lmk_points_out);
    const float *flag = net_output(v, c, NET_LMK, v->lmk_flag_out);
    out->presence = sigmoid(flag[0]);
    out->roi_cx = cx;
    out->roi_cy = cy;
    out->roi_w = nw;
    out->roi_h = nh;
    out->roi_rotation = rot;
    /* TensorsToLandmarksCalculator (divide by 192) then
     * LandmarkProjectionCalculator (rotate about the crop's centre, scale
     * by the crop, z by its width). */
    const float cs = cosf(rot), sn = sinf(rot);
    for (int i = 0; i < TC_VISION_LANDMARKS; i++) {
        float x = pts[3 * i] / LMK_SIZE - 0.5f, y = pts[3 * i + 1] / LMK_SIZE - 0.5f, z = pts[3 * i + 2] / LMK_SIZE;
        out->points[i][0] = (cs * x - sn * y) * nw + cx;
        out->points[i][1] = (sn * x + cs * y) * nh + cy;
        out->points[i][2] = z * nw;
    }
    return 0;
}

/* ---- segmentation ----------------------------------------------------------------- */

/* The model's 256x256 mask of the rectangle [x0, x1) x [y0, y1) of the
 * image (pixels; already a probability: the model ends in LOGISTIC),
 * resized bilinearly onto the image's pixels of that rectangle, sampling at
 * pixel centres (TensorsToSegmentationCalculator):
 * mask[y * W + x] = (1 - wt) * mask + wt * model, wt 1 but within `feather`
 * pixels of a side of the rectangle that is inside the image, where it falls
 * linearly to 0 (feather 0: every pixel of the rectangle takes the model's). */
static void segment_rect(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, int x0, int y0, int x1,
                         int y1, float feather, float *mask)
{
    const int W = img->width, H = img->height, RW = x1 - x0, RH = y1 - y0;
    /* ImageToTensor: the rectangle stretched to 256x256, [0, 1] */
    roi r = {(x0 + x1) / 2.0f, (y0 + y1) / 2.0f, (float)RW, (float)RH, 0};
    run_net(v, c, NET_SEG, img, &r, SEG_SIZE, 0.0f, 1.0f, 1);
    const float *m = net_output(v, c, NET_SEG, 0);
    const float sx = (float)SEG_SIZE / RW, sy = (float)SEG_SIZE / RH;
    /* the columns' source positions, computed once per block of columns */
    enum { XB = 512 };
    int xa[XB], xb[XB];
    float xd[XB], xw[XB];
    for (int x0b = 0; x0b < RW; x0b += XB) {
        int nx = RW - x0b < XB ? RW - x0b : XB;
        for (int j = 0; j < nx; j++) {
            float fx = (x0b + j + 0.5f) * sx - 0.5f;
            float fx0 = floorf(fx);
            int a = (int)fx0, bb = a + 1;
            xd[j] = fx - fx0;
            xa[j] = a < 0 ? 0 : a > SEG_SIZE - 1 ? SEG_SIZE - 1 : a;
            xb[j] = bb < 0 ? 0 : bb > SEG_SIZE - 1 ? SEG_SIZE - 1 : bb;
            int x = x0 + x0b + j;
            float d = 1e9f;
            if (x0 > 0)
                d = fminf(d, x - x0 + 0.5f);
            if (x1 < W)
                d = fminf(d, x1 - x - 0.5f);
            xw[j] = feather > 0 ? fminf(1.0f, d / feather) : 1.0f;
        }
        for (int yy = 0; yy < RH; yy++) {
            float fy = (yy + 0.5f) * sy - 0.5f;
            float fy0 = floorf(fy), dy = fy - fy0;
            int ya = (int)fy0, yb = ya + 1;
            ya = ya < 0 ? 0 : ya > SEG_SIZE - 1 ? SEG_SIZE - 1 : ya;
            yb = yb < 0 ? 0 : yb > SEG_SIZE - 1 ? SEG_SIZE - 1 : yb;
            int y = y0 + yy;
            float d = 1e9f;
            if (y0 > 0)
                d = fminf(d, yy + 0.5f);
            if (y1 < H)
                d = fminf(d, y1 - y - 0.5f);
            float yw = feather > 0 ? fminf(1.0f, d / feather) : 1.0f;
            const float *r0 = m + (size_t)ya * SEG_SIZE, *r1 = m + (size_t)yb * SEG_SIZE;
            float *o = mask + (size_t)y * W + x0 + x0b;
            for (int j = 0; j < nx; j++) {
                float top = r0[xa[j]] + (r0[xb[j]] - r0[xa[j]]) * xd[j];
                float bot = r1[xa[j]] + (r1[xb[j]] - r1[xa[j]]) * xd[j];
                float val = top + (bot - top) * dy;
                val = val < 0 ? 0 : val > 1 ? 1 : val;
                float wt = fminf(xw[j], yw);
                o[j] = wt >= 1 ? val : o[j] + (val - o[j]) * wt;
            }
        }
    }
}

int tc_vision_segment(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, float *mask, tc_err *e)
{
    if (check_image(img, e))
        return -1;
    segment_rect(v, c, img, 0, 0, img->width, img->height, 0, mask);
    return 0;
}

int tc_vision_segment_near(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, int x0, int y0, int x1,
                           int y1, float *mask, tc_err *e)
{
    if (check_image(img, e))
        return -1;
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > img->width ? img->width : x1, y1 = y1 > img->height ? img->height : y1;
    if (x1 - x0 < 16 || y1 - y0 < 16)
        return 0;
    int side = x1 - x0 < y1 - y0 ? x1 - x0 : y1 - y0;
    segment_rect(v, c, img, x0, y0, x1, y1, 0.08f * side, mask);
    return 0;
}

/* ---- eyes ------------------------------------------------------------------ */

/* Openness of one eye from the model's contour (crop pixels): points 0 and
 * 8 are the corners, 1..7 the lower lid and 9..15 the upper lid, both from
 * corner 0 towards corner 8, so lower i faces upper i + 8.  The gap is the
 * mean of the three middle pairs, over the corner-to-corner width. */
static float eye_openness(const float *p)
{
    float w = hypotf(p[16] - p[0], p[17] - p[1]);
    if (!(w > 1e-3f))
        return 0.0f;
    float gap = 0.0f;
    for (int i = 3; i <= 5; i++)
        gap += hypotf(p[2 * (i + 8)] - p[2 * i], p[2 * (i + 8) + 1] - p[2 * i + 1]);
    return gap / 3.0f / w;
}

int tc_vision_eyes(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, const tc_vision_mesh *mesh,
                   tc_vision_eye_info *out, tc_err *e)
{
    if (check_image(img, e))
        return -1;
    if (!mesh || !(mesh->roi_w > 0) || !(mesh->roi_h > 0) || !isfinite(mesh->roi_cx) || !isfinite(mesh->roi_cy) ||
        !isfinite(mesh->roi_rotation))
        return tc_err_set(e, TCE_VISION_BAD_IMAGE_2);
    const float W = (float)img->width, H = (float)img->height;
    /* The same crop the mesh model saw (FaceLandmarkFrontCpu feeds the
     * attention model exactly like the plain one). */
    roi r = {mesh->roi_cx * W, mesh->roi_cy * H, mesh->roi_w * W, mesh->roi_h * H, mesh->roi_rotation};
    run_net(v, c, NET_EYE, img, &r, LMK_SIZE, 0.0f, 1.0f, 0);
    const float cs = cosf(r.rot), sn = sinf(r.rot);
    for (int k = 0; k < 2; k++) {
        const float *p = net_output(v, c, NET_EYE, v->eye_out[k]);
        const float *q = net_output(v, c, NET_EYE, v->iris_out[k]);
        float open = eye_openness(p);
        float pts[16][2], iris[IRIS_POINTS][2];
        for (int i = 0; i < 16 + IRIS_POINTS; i++) {
            /* tc_vision_lm_eyelid's order: corner, lower lid, corner, upper lid back */
            int j = i <= 8 ? i : 24 - i;
            const float *src = i < 16 ? p + 2 * j : q + 2 * (i - 16);
            float x = src[0] / LMK_SIZE - 0.5f, y = src[1] / LMK_SIZE - 0.5f;
            float *dst = i < 16 ? pts[i] : iris[i - 16];
            dst[0] = (cs * x - sn * y) * mesh->roi_w + mesh->roi_cx;
            dst[1] = (sn * x + cs * y) * mesh->roi_h + mesh->roi_cy;
        }
        /* eye A is the one on the image's left (the person's right) */
        int slot = k;
        if (k == 1) {
            float ax = out->contour[0][0][0] + out->contour[0][8][0], bx = pts[0][0] + pts[8][0];
            if (bx < ax) { /* swap: this one is further left */
                memcpy(out->contour[1], out->contour[0], sizeof out->contour[0]);
                memcpy(out->iris[1], out->iris[0], sizeof out->iris[0]);
                out->openness[1] = out->openness[0];
                slot = 0;
            }
        }
        memcpy(out->contour[slot], pts, sizeof pts);
        memcpy(out->iris[slot], iris, sizeof iris);
        out->openness[slot] = open;
    }
    return 0;
}
