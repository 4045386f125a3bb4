/* tc_studio: decode -> vision -> plan/compose/encode -> checks: the one
 * pipeline, where photo, vision and check meet. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

#include "../vision/tc_vision.h"
#include "tc_studio.h"
#include "../spec/tc_spec.h"

struct tc_studio {
    tc_vision *v;
    tc_spec_table own; /* the built-in table when none was given */
    const tc_spec_table *specs;
};

struct tc_studio_ctx {
    tc_vision_ctx *vc;
};

static tc_studio *studio_new(int with_models, const char *models_dir, const tc_spec_table *specs, tc_err *e)
{
    tc_studio *s = tc_mem_zalloc(sizeof *s, e);
    if (!s)
        return NULL;
    if (with_models && !(s->v = tc_vision_load(models_dir, e))) {
        free(s);
        return NULL;
    }
    if (specs)
        s->specs = specs;
    else {
        tc_spec_table_builtin(&s->own);
        s->specs = &s->own;
    }
    return s;
}

tc_studio *tc_studio_open(const char *models_dir, const tc_spec_table *specs, tc_err *e)
{
    return studio_new(1, models_dir, specs, e);
}

tc_studio *tc_studio_open_bare(const tc_spec_table *specs, tc_err *e)
{
    return studio_new(0, NULL, specs, e);
}

void tc_studio_free(tc_studio *s)
{
    if (!s)
        return;
    tc_vision_free(s->v);
    tc_spec_table_free(&s->own);
    free(s);
}

const tc_spec_table *tc_studio_specs(const tc_studio *s)
{
    return s->specs;
}

tc_studio_ctx *tc_studio_ctx_new(const tc_studio *s, tc_err *e)
{
    tc_studio_ctx *c = tc_mem_zalloc(sizeof *c, e);
    if (!c)
        return NULL;
    if (s->v && !(c->vc = tc_vision_ctx_new(s->v, e))) {
        free(c);
        return NULL;
    }
    return c;
}

void tc_studio_ctx_free(tc_studio_ctx *c)
{
    if (!c)
        return;
    tc_vision_ctx_free(c->vc);
    free(c);
}

void tc_studio_result_free(tc_studio_result *r)
{
    if (!r)
        return;
    free(r->jpeg);
    free(r->overlay_png);
    free(r->overlay_data);
    r->overlay_data = NULL;
    r->overlay_data_len = 0;
    free(r->original_jpeg);
    tc_photo_mask_free(&r->alpha);
    tc_photo_mask_free(&r->trimap);
    r->jpeg = r->overlay_png = r->original_jpeg = NULL;
    r->jpeg_len = r->overlay_len = r->original_len = 0;
}

/* Stage times with sub-millisecond resolution (tc_now_ms is whole ms, too
 * coarse for the checks' budget). */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double ms_since(double t0)
{
    return now_ms() - t0;
}

/* Copy at most n-1 bytes, cut back to a whole UTF-8 character. */
static void copy_utf8(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    if (len == n - 1 && src[len]) {
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = 0;
}

/* The standard photo's file and its report: encoded at the best quality
 * that fits the spec's KB range, then measured on the file and the final
 * alpha.  *jpeg (malloc'ed, the caller's) NULL and -1 when either fails. */
static int make_file(const tc_photo_rgb *photo, const tc_photo_mask *alpha, const tc_photo_layout *lay,
                     const tc_spec *spec, const uint8_t bg[3], uint8_t **jpeg, size_t *len, tc_photo_report *rep,
                     tc_err *pe)
{
    if (tc_photo_encode(photo, spec, jpeg, len, rep, pe) != 0)
        return -1;
    int q = rep->quality;
    if (tc_photo_measure(*jpeg, *len, spec, bg, lay, alpha, rep, pe) != 0) {
        free(*jpeg);
        *jpeg = NULL;
        *len = 0;
        return -1;
    }
    rep->quality = q;
    return 0;
}

/* The hair top measured on the photo (output row y at the face's centre)
 * back in source pixels, into g->hair_top: the inverse of the plan's map.
 * -1 when the map cannot be inverted. */
static int measured_hair_top(const tc_photo_layout *lay, double y, tc_photo_face_geom *g)
{
    double sx, sy;
    if (tc_photo_layout_unmap(lay, lay->face_centre_x, y, &sx, &sy) != 0)
        return -1;
    g->hair_top[0] = (float)sx;
    g->hair_top[1] = (float)sy;
    return 0;
}

static void set_problem(tc_studio_result *out, const tc_err *pe)
{
    copy_utf8(out->problem, sizeof out->problem, pe->code);
    copy_utf8(out->problem_zh, sizeof out->problem_zh, pe->zh);
    copy_utf8(out->problem_en, sizeof out->problem_en, pe->en);
}

/* The reason a photo that was made is still out of its spec on re-measure
 * (tc_photo_measure's problem): the head's place or size, which the
 * student can change, or the file itself, which they cannot; the student
 * reads no spec name ("chsi" is no word of the Chinese page). */
static void out_of_spec(tc_studio_result *out)
{
    static const char *const head[] = {"photo.eye_line", "photo.face_width", "photo.hair_top", "photo.off_centre"};
    int is_head = 0;
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        is_head |= !strcmp(out->report.problem, head[i]);
    tc_err pe = {0};
    if (is_head)
        tc_err_set(&pe, TCE_PHOTO_OUT_OF_SPEC);
    else
        tc_err_set(&pe, TCE_PHOTO_OUT_OF_SPEC_2);
    set_problem(out, &pe);
}

/* The crop is planned from the coarse mask's hair top, the photo is
 * measured on its final alpha; where the two part so far that the photo's
 * own hair top is out of the spec's window (another head above the
 * student's in the coarse mask: NUAA 0014), plan once more from the
 * measured one and compose again.  When that second photo is in spec it
 * replaces the first: *g, *lay, *photo, *alpha, *trimap (when not NULL) and
 * out's jpeg and report; otherwise everything stays as it was.  Only a real
 * error (status >= 500) is passed on, in *pe: that the second plan does not
 * fit is no finding of its own, the first photo's report says what is
 * wrong. */
static void replan_hair_top(const tc_photo_src *src, const tc_photo_mask *mask, const tc_spec *spec,
                            const uint8_t bg[3], const tc_photo_compose_opts *o, tc_photo_face_geom *g,
                            tc_photo_layout *lay, tc_photo_rgb *photo, tc_photo_mask *alpha, tc_photo_mask *trimap,
                            tc_studio_result *out, tc_err *pe)
{
    tc_photo_face_geom g2 = *g;
    tc_photo_layout lay2;
    tc_err pe2 = {0};
    if (measured_hair_top(lay, out->report.hair_top_y, &g2) != 0 ||
        tc_photo_plan(&g2, spec, tc_photo_src_width(src), tc_photo_src_height(src), &lay2, &pe2) != 0)
        return;
    tc_photo_rgb photo2 = {0};
    tc_photo_mask alpha2 = {0}, trim2 = {0};
    uint8_t *jpeg2 = NULL;
    size_t len2 = 0;
    tc_photo_report rep2;
    memset(&rep2, 0, sizeof rep2);
    tc_photo_compose_opts o2 = *o;
    o2.trimap_out = trimap ? &trim2 : NULL;
    if (tc_photo_compose(src, &g2, mask, spec, &o2, &photo2, &lay2, &alpha2, &pe2) == 0 &&
        make_file(&photo2, &alpha2, &lay2, spec, bg, &jpeg2, &len2, &rep2, &pe2) == 0 && rep2.in_spec) {
        tc_photo_rgb_free(photo), tc_photo_mask_free(alpha), free(out->jpeg);
        if (trimap) {
            tc_photo_mask_free(trimap);
            *trimap = trim2;
        }
        *photo = photo2, *alpha = alpha2, *lay = lay2, *g = g2;
        out->jpeg = jpeg2, out->jpeg_len = len2, out->report = rep2;
        return;
    }
    tc_photo_rgb_free(&photo2), tc_photo_mask_free(&alpha2), tc_photo_mask_free(&trim2), free(jpeg2);
    if (pe2.status >= 500)
        *pe = pe2;
}

/* Eye centres, chin and cheek contour of the mesh, in work pixels; "left"
 * is the image's left, whichever eye of the person that is. */
static void geom_from_mesh(const tc_vision_mesh *m, int w, int h, tc_photo_face_geom *g)
{
    tc_photo_geom_init(g);
#define PT(i, k) (m->points[i][k] * (k ? (float)h : (float)w))
    float ea[2], eb[2];
    for (int k = 0; k < 2; k++) {
        ea[k] = (PT(TC_VISION_LM_EYE_A_OUT, k) + PT(TC_VISION_LM_EYE_A_IN, k)) / 2;
        eb[k] = (PT(TC_VISION_LM_EYE_B_IN, k) + PT(TC_VISION_LM_EYE_B_OUT, k)) / 2;
    }
    enum { CA = TC_VISION_LM_CHEEK_A, CB = TC_VISION_LM_CHEEK_B };
    int a_left = ea[0] <= eb[0];
    int ca_left = PT(CA, 0) <= PT(CB, 0);
    for (int k = 0; k < 2; k++) {
        g->left_eye[k] = a_left ? ea[k] : eb[k];
        g->right_eye[k] = a_left ? eb[k] : ea[k];
        g->chin[k] = PT(TC_VISION_LM_CHIN, k);
        g->face_left[k] = ca_left ? PT(CA, k) : PT(CB, k);
        g->face_right[k] = ca_left ? PT(CB, k) : PT(CA, k);
    }
    _Static_assert(TC_PHOTO_OVAL_POINTS == TC_VISION_LM_OVAL_N, "the oval is vision's ring");
    for (int i = 0; i < TC_PHOTO_OVAL_POINTS; i++)
        for (int k = 0; k < 2; k++)
            g->oval[i][k] = PT(tc_vision_lm_oval[i], k);
#undef PT
}

/* The person mask again near the head, at the head's scale (step 1).  The
 * segmentation model sees the whole picture at 256x256, so in a wide photo
 * (a 16:9 portrait, a phone photo taken from a distance) the head is 30-60
 * of its pixels wide, and it blurs the head's outline into whatever lies
 * behind it: the window panes beside the Obama portrait's head were kept as
 * person (docs/QUALITY.md, session 24).  The model is run a second time on
 * a box round the face (HEAD_* face widths to each side, above and below
 * the detector box's centre), whose mask replaces the first one there
 * (tc_vision_segment_near blends the box's inner edges).  Only where that
 * box is at most half the picture: a mugshot's head already fills the
 * model's input.  In the ears' zones of the mesh (tc_photo_mesh_zones: 2,
 * 3) the larger of the two values is kept where the pixel is clearly
 * redder than blue (by more than EAR_RED of 255, an ear's colour): at the
 * finer scale the model leaves an ear's outer rim out against a light
 * background, the first run has it, and compose's ear rules drop what is
 * not ear there.  *edge is that mask (malloc'ed, the caller frees it), or
 * left empty when the box is too large; the hair top and compose read it,
 * the checks keep the first mask, on which they were tuned. */
#define HEAD_SIDE 1.6
#define HEAD_UP 1.5
#define HEAD_DOWN 1.7
#define EAR_RED 20
static int mask_near_head(const tc_studio *s, tc_studio_ctx *c, const tc_vision_image *img,
                          const tc_vision_face *f, const tc_vision_mesh *mesh, const tc_photo_mask *mask,
                          tc_photo_mask *edge, tc_err *e)
{
    const int w = img->width, h = img->height;
    double fw = f->width * w, fcx = (f->xmin + f->width / 2) * w, fcy = (f->ymin + f->height / 2) * h;
    double fx0 = fmax(0, fcx - HEAD_SIDE * fw), fx1 = fmin(w, fcx + HEAD_SIDE * fw);
    double fy0 = fmax(0, fcy - HEAD_UP * fw), fy1 = fmin(h, fcy + HEAD_DOWN * fw);
    if (!(fx1 - fx0 >= 16 && fy1 - fy0 >= 16) || (fx1 - fx0) * (fy1 - fy0) > 0.5 * w * h)
        return 0;
    int x0 = (int)floor(fx0), x1 = (int)ceil(fx1), y0 = (int)floor(fy0), y1 = (int)ceil(fy1);
    size_t n = (size_t)w * h;
    edge->a = malloc(n * sizeof(float));
    uint8_t *zone = malloc(n);
    if (!edge->a || !zone) {
        free(zone);
        return tc_err_internal(e, "studio: out of memory");
    }
    edge->width = w, edge->height = h;
    memcpy(edge->a, mask->a, n * sizeof(float));
    if (tc_vision_segment_near(s->v, c->vc, img, x0, y0, x1, y1, edge->a, e) != 0) {
        free(zone);
        return -1;
    }
    tc_photo_face_geom g;
    geom_from_mesh(mesh, w, h, &g);
    tc_photo_mesh_zones(&g, w, h, zone);
    /* In the mesh's ear zones the first mask's larger value stands, so that
     * an ear's rim against a light window keeps the alpha the finer mask
     * (which sees the rim and the window alike) took from it; but only on
     * pixels of an ear's colour, clearly redder than blue: beside the
     * Obama portrait's ears the union also kept the window's grey trees
     * as blotches (grey pixels beside the ears at ear level 305 -> 42,
     * docs/QUALITY.md, session 25). */
    for (int y = 0; y < h; y++) {
        const uint8_t *row = img->rgb + (size_t)y * img->stride;
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            if (zone[i] >= 2 && mask->a[i] > edge->a[i] && row[3 * x] > row[3 * x + 2] + EAR_RED)
                edge->a[i] = mask->a[i];
        }
    }
    free(zone);
    return 0;
}

static int mesh_sane(const tc_vision_mesh *m)
{
    if (!(m->presence >= 0.5f))
        return 0;
    for (int i = 0; i < TC_VISION_LANDMARKS; i++)
        for (int k = 0; k < 3; k++)
            if (!isfinite(m->points[i][k]))
                return 0;
    return 1;
}

/* An upright JPEG of the work copy (what the student actually sent, for the
 * reviewer); *out malloc'ed. */
static int work_jpeg(const tc_photo_rgb *w, uint8_t **out, size_t *len, tc_err *e)
{
    return tc_photo_jpeg_plain(w, 90, out, len, e); /* vips_jpegsave_buffer's bytes with "strip" */
}

int tc_studio_make(const tc_studio *s, tc_studio_ctx *c, const tc_studio_req *req, tc_studio_result *out,
                   tc_err *e)
{
    memset(out, 0, sizeof *out);
    const tc_spec *spec = req->spec_def ? req->spec_def : tc_spec_find(s->specs, req->spec ? req->spec : "chsi");
    if (!spec)
        return tc_err_set(e, TCE_PHOTO_BAD_SPEC_6, req->spec ? req->spec : "chsi");
    uint8_t bg[3];
    if (tc_spec_background(spec, req->background, bg, e) != 0)
        return -1;

    double t0 = now_ms();
    tc_photo_src *src = NULL;
    if (tc_photo_decode(req->data, req->len, req->limits, &src, e) != 0)
        return -1;
    tc_photo_src_meta(src, &out->meta);
    const tc_photo_rgb *work = tc_photo_src_work(src);
    double scale = tc_photo_src_work_scale(src);
    int w = work->width, h = work->height;
    out->ms_decode = ms_since(t0);

    int rc = -1;
    tc_photo_mask mask = {0};
    tc_photo_mask edge = {0}; /* the mask refined near the head (mask_near_head), or none */
    tc_photo_rgb photo = {0}, toned = {0};
    tc_photo_mask alpha = {0};
    tc_vision_mesh *mesh = NULL;
    tc_vision_eye_info eyes;
    int have_eyes = 0;
    tc_vision_face faces[TC_VISION_MAX_FACES];
    int n_faces = 0, have_mesh = 0, have_geom = 0, have_lay = 0, have_photo = 0;
    tc_photo_face_geom gwork, gsrc;
    tc_photo_layout lay;
    memset(&lay, 0, sizeof lay);
    tc_err pe = {0}; /* why no photo: a finding about the upload, not an error */

    /* 1. vision: every face, the mesh of the first, the person mask */
    t0 = now_ms();
    tc_vision_image img = {work->px, w, h, (size_t)w * 3};
    int refused = 0; /* a second person and req->refuse_crowd: pe says so */
    if (req->geom) {
        /* the developer's geometry: no models, a plain-backdrop keyer */
        if (tc_photo_mask_plain_bg(work, &mask, e) != 0)
            goto done;
        goto vision_done;
    }
    if (!s->v) {
        tc_err_set(e, TCE_PHOTO_NO_FACE_ENGINE);
        goto done;
    }
    mesh = malloc(sizeof *mesh);
    mask.a = malloc((size_t)w * h * sizeof(float));
    if (!mesh || !mask.a) {
        tc_err_internal(e, "studio: out of memory");
        goto done;
    }
    mask.width = w, mask.height = h;
    if (tc_vision_detect(s->v, c->vc, &img, faces, TC_VISION_MAX_FACES, &n_faces, e) != 0)
        goto done;
    if (n_faces > 1) {
        /* The student is the largest face (ties: the most central); a face
         * far behind is a passer-by.  It goes first, because the mesh, the
         * geometry and the checks all take faces[0] as the student; a
         * second person of similar size is still the face_count check's
         * finding, so the photo is made and the student told why it fails. */
        tc_photo_face_box boxes[TC_VISION_MAX_FACES];
        for (int i = 0; i < n_faces; i++)
            boxes[i] = (tc_photo_face_box){faces[i].xmin * w, faces[i].ymin * h, faces[i].width * w,
                                           faces[i].height * h};
        int pick = 0;
        tc_err pe2;
        int pick_rc = tc_photo_pick_face(boxes, n_faces, w, h, !req->refuse_crowd, &pick, &pe2);
        if (pick_rc != 0 && req->refuse_crowd) {
            pe = pe2; /* `tucai photo` without --largest-face: photo.faces */
            refused = 1;
        } else if (pick_rc == 0 && pick > 0) {
            tc_vision_face t = faces[0];
            faces[0] = faces[pick];
            faces[pick] = t;
        }
    }
    if (n_faces > 0 && !refused) {
        if (tc_vision_landmarks(s->v, c->vc, &img, &faces[0], mesh, e) != 0)
            goto done;
        have_mesh = mesh_sane(mesh);
        /* the eyelids from the attention model, on the mesh's crop: only
         * eyes_open reads them, so not when it will not run */
        if (have_mesh && req->run_checks && (!req->checks || req->checks->enabled[TC_CHECK_EYES_OPEN])) {
            if (tc_vision_eyes(s->v, c->vc, &img, mesh, &eyes, e) != 0)
                goto done;
            have_eyes = 1;
        }
    }
    if (tc_vision_segment(s->v, c->vc, &img, mask.a, e) != 0)
        goto done;
    if (have_mesh && mask_near_head(s, c, &img, &faces[0], mesh, &mask, &edge, e) != 0)
        goto done;
vision_done:
    out->ms_vision = ms_since(t0);
    /* the photo's edges (hair top, compose) from the finer mask where
     * there is one; the checks keep the whole picture's (tuned on it) */
    const tc_photo_mask *cut = edge.a ? &edge : &mask;

    /* 1b. exposure and white balance measured on the face, applied to the
     * person before the background is replaced and to the copy the checks
     * judge (the vision results stay valid: no pixel moves) */
    if (have_mesh && tc_check_tone_measure(work, mesh, &out->tone) == 0 && out->tone.applied) {
        toned.px = malloc((size_t)w * h * 3);
        if (!toned.px) {
            tc_err_internal(e, "studio: out of memory");
            goto done;
        }
        toned.width = w, toned.height = h;
        tc_check_tone_apply(&out->tone, work->px, toned.px, (size_t)w * h);
    }
    const tc_photo_rgb *judged = toned.px ? &toned : work;

    /* 2. plan, compose, encode */
    t0 = now_ms();
    if (refused) {
        /* pe is photo.faces */
    } else if (!have_mesh && !req->geom) {
        tc_err_set(&pe, TCE_PHOTO_NO_FACE);
    } else {
        if (req->geom) {
            gsrc = *req->geom;
            gwork = gsrc;
            tc_photo_geom_scale(&gwork, scale);
        } else {
            geom_from_mesh(mesh, w, h, &gwork);
            gsrc = gwork;
            tc_photo_geom_scale(&gsrc, 1.0 / scale);
        }
        have_geom = 1;
        if (isfinite(gsrc.hair_top[0]) ||
            tc_photo_geom_hair_top_from_mask(&gsrc, cut, tc_photo_src_width(src), &pe) == 0) {
            /* the hair top in work pixels too, for the checks */
            gwork.hair_top[0] = (float)(gsrc.hair_top[0] * scale);
            gwork.hair_top[1] = (float)(gsrc.hair_top[1] * scale);
            int prc = tc_photo_plan(&gsrc, spec, tc_photo_src_width(src), tc_photo_src_height(src), &lay, &pe);
            /* the plan is filled even when the head cannot fit the spec or
             * the picture (the geometry and framing checks say which) */
            have_lay = prc == 0 || !strcmp(pe.code, "photo.geometry_out_of_range") ||
                       !strcmp(pe.code, "photo.crop_outside");
            if (prc == 0 || req->no_strict) {
                tc_photo_compose_opts o = {.strict = !req->no_strict,
                                           .trimap_out = req->want_trimap ? &out->trimap : NULL,
                                           .tone = toned.px ? (const uint8_t(*)[256])out->tone.lut : NULL};
                memcpy(o.background, bg, 3);
                if (tc_photo_compose(src, &gsrc, cut, spec, &o, &photo, &lay, &alpha, &pe) == 0) {
                    have_photo = 1;
                    make_file(&photo, &alpha, &lay, spec, bg, &out->jpeg, &out->jpeg_len, &out->report, &pe);
                    if (out->jpeg && !out->report.in_spec && !strcmp(out->report.problem, "photo.hair_top"))
                        replan_hair_top(src, cut, spec, bg, &o, &gsrc, &lay, &photo, &alpha,
                                        req->want_trimap ? &out->trimap : NULL, out, &pe);
                    gwork.hair_top[0] = (float)(gsrc.hair_top[0] * scale);
                    gwork.hair_top[1] = (float)(gsrc.hair_top[1] * scale);
                }
            }
        }
        /* A 500 inside photo is a real error (memory, libvips), not a
         * finding about this upload. */
        if (pe.status >= 500) {
            *e = pe;
            goto done;
        }
    }
    if (!out->jpeg && pe.code[0])
        set_problem(out, &pe);
    else if (!out->jpeg)
        snprintf(out->problem, sizeof out->problem, "photo.not_made");
    else if (!out->report.in_spec && !req->no_strict)
        out_of_spec(out);
    out->ms_compose = ms_since(t0);

    /* 3. checks */
    tc_check_input in = {
        .work = judged,
        .work_scale = scale,
        .src_width = tc_photo_src_width(src),
        .src_height = tc_photo_src_height(src),
        .faces = faces,
        .n_faces = n_faces,
        .mesh = have_mesh ? mesh : NULL,
        .eyes = have_eyes ? &eyes : NULL,
        .mask = &mask,
        .geom = have_geom ? &gwork : NULL,
        .lay = have_lay ? &lay : NULL,
        .out = have_photo ? &photo : NULL,
        .out_alpha = have_photo ? &alpha : NULL,
        .spec = spec,
        .meta = &out->meta,
        .tone = out->tone.measured ? &out->tone : NULL,
        .jpeg_quality = tc_check_jpeg_quality(req->data, req->len),
        .prior = req->prior,
        .n_prior = req->n_prior,
    };
    memcpy(in.background, bg, 3);
    if (req->run_checks) {
        t0 = now_ms();
        if (tc_check_run(req->checks, &in, &out->checks, e) != 0)
            goto done;
        out->ms_checks = ms_since(t0);
    }
    /* a photo made but out of its spec on re-measure is never delivered,
     * whatever the checks say (they judge the student, this is the file) */
    out->ok = out->jpeg != NULL && (out->report.in_spec || req->no_strict) && (!req->run_checks || out->checks.passed);
    if (req->want_overlay &&
        tc_check_overlay(&in, req->run_checks ? &out->checks : NULL, &out->overlay_png, &out->overlay_len, e) != 0)
        goto done;
    if (req->want_overlay_data && tc_check_overlay_json(&in, req->run_checks ? &out->checks : NULL,
                                                        &out->overlay_data, &out->overlay_data_len, e) != 0)
        goto done;
    if (req->want_original && work_jpeg(work, &out->original_jpeg, &out->original_len, e) != 0)
        goto done;
    if (req->want_alpha && out->jpeg) {
        out->alpha = alpha; /* handed to the result */
        alpha = (tc_photo_mask){0};
    }
    rc = 0;
done:
    if (rc != 0)
        tc_studio_result_free(out);
    free(mesh);
    tc_photo_mask_free(&mask);
    tc_photo_mask_free(&edge);
    tc_photo_rgb_free(&photo);
    tc_photo_rgb_free(&toned);
    tc_photo_mask_free(&alpha);
    tc_photo_src_free(src);
    return rc;
}

/* ---- a finished photo made elsewhere ------------------------------------------------------------------ */

/* The file checks: a JPEG (sniffed and decoded whole), the spec's KB range,
 * exactly the spec's pixel size. */
static int finished_file_ok(const tc_spec *spec, const void *data, size_t len, tc_err *e)
{
    if (tc_photo_sniff(data, len) != TC_PHOTO_FMT_JPEG)
        return tc_err_set(e, TCE_FINAL_BAD_FILE);
    int kb = (int)((len + 1023) / 1024);
    if ((spec->kb_min > 0 && len < (size_t)spec->kb_min * 1024) ||
        (spec->kb_max > 0 && len > (size_t)spec->kb_max * 1024))
        return tc_err_set(e, TCE_FINAL_BAD_BYTES, spec->kb_min, spec->kb_max, kb);
    tc_photo_src *src = NULL;
    tc_err de = {0};
    if (tc_photo_decode(data, len, NULL, &src, &de) != 0)
        return tc_err_set(e, TCE_FINAL_BAD_FILE);
    int w = tc_photo_src_width(src), h = tc_photo_src_height(src);
    tc_photo_src_free(src);
    if (w != spec->width || h != spec->height)
        return tc_err_set(e, TCE_FINAL_BAD_SIZE, spec->width, spec->height, w, h);
    return 0;
}

int tc_studio_check_finished(const tc_studio *s, const tc_spec *spec, const void *data, size_t len, tc_err *e)
{
    if (finished_file_ok(spec, data, len, e) != 0)
        return -1;
    if (!s)
        return 0;
    /* one face, as in a student's photo: the pipeline with only face_count
     * (exactly one face, no second anywhere), compose not strict (the file
     * is a finished crop already) */
    tc_check_config cfg;
    tc_check_config_default(&cfg);
    for (int i = 0; i < TC_CHECK_N; i++)
        cfg.enabled[i] = i == TC_CHECK_FACE_COUNT;
    tc_studio_req req = {
        .data = data, .len = len, .spec = spec->name, .spec_def = spec, .checks = &cfg, .run_checks = 1, .no_strict = 1};
    tc_studio_ctx *c = tc_studio_ctx_new(s, e);
    if (!c)
        return -1;
    tc_studio_result res;
    memset(&res, 0, sizeof res);
    int rc = tc_studio_make(s, c, &req, &res, e);
    tc_studio_ctx_free(c);
    if (rc != 0)
        return -1;
    int one = res.jpeg && res.checks.r[TC_CHECK_FACE_COUNT].verdict == TC_CHECK_PASS;
    tc_studio_result_free(&res);
    return one ? 0 : tc_err_set(e, TCE_FINAL_NO_FACE);
}
