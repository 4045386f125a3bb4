/*
 * tc_studio — the photo pipeline joined up: an upload's bytes in, the
 * standard photo and every automatic check's verdict out.
 *
 *   bytes ─tc_photo_decode─▶ work copy ─tc_vision─▶ faces, landmarks, mask
 *         ─tc_photo_plan/compose/encode─▶ standard JPEG + report
 *         ─tc_check_run─▶ check report (+ overlay, or its drawing data, for reviewers)
 *
 * photo and vision do not call each other, and check only reads their
 * types; this module is the one place that runs all three: the one pipeline, called by the server (api), `tucai photo`,
 * `tucai check`, the benchmarks and the evaluation.  The fields of
 * tc_studio_req that the server leaves 0 turn on `tucai photo`'s options.
 *
 * Threads and memory:
 *  - tc_studio_open loads the models once; the tc_studio it returns is owned
 *    by the caller (tc_studio_free) and read-only afterwards: threads share it.
 *  - Each thread needs its own tc_studio_ctx (tc_studio_ctx_new / _free).
 *  - A tc_studio_result owns its buffers (tc_studio_result_free).
 *
 * Errors (0 / -1 with e): the codes of tc_photo_decode (photo.too_large,
 * photo.truncated, photo.unsupported_format ... : the upload itself is bad,
 * 400/413/415) and vision.model_* (500).  A photo in which the checks find
 * problems — even no face at all — is not an error: it returns 0 with the
 * failed checks in the report and, when no photo could be made, jpeg NULL.
 */
#ifndef TC_STUDIO_H
#define TC_STUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../check/tc_check.h"
#include "../photo/tc_photo.h"
#include "../spec/tc_spec.h"

typedef struct tc_studio tc_studio;
typedef struct tc_studio_ctx tc_studio_ctx;

/* models_dir: NULL = $TUCAI_MODELS or ./models.  specs: borrowed; must
 * outlive the studio (NULL: the built-in table, owned by the studio). */
tc_studio *tc_studio_open(const char *models_dir, const tc_spec_table *specs, tc_err *e);
/* A studio without the vision models: only requests with geom set can be
 * made (others fail with photo.no_face_engine, 503).  For `tucai photo
 * --geom` and tests of the geometry. */
tc_studio *tc_studio_open_bare(const tc_spec_table *specs, tc_err *e);
void tc_studio_free(tc_studio *s);
const tc_spec_table *tc_studio_specs(const tc_studio *s);

tc_studio_ctx *tc_studio_ctx_new(const tc_studio *s, tc_err *e);
void tc_studio_ctx_free(tc_studio_ctx *c);

typedef struct tc_studio_req {
    const void *data;                /* the upload, untrusted                          */
    size_t len;
    const tc_photo_limits *limits;   /* NULL: defaults                                 */
    const char *spec;                /* spec name ("chsi"); NULL = "chsi"               */
    const tc_spec *spec_def;         /* the spec itself (a school's custom spec); when
                                        set, spec names it and the table is not asked */
    const char *background;          /* as tc_spec_background; NULL = spec default      */
    const tc_check_config *checks;   /* NULL: defaults; run_checks 0 skips them         */
    int run_checks;
    const tc_check_prior *prior;     /* earlier photos for the duplicate check          */
    size_t n_prior;
    int want_overlay;                /* make the reviewers' overlay PNG (`tucai check`)  */
    int want_overlay_data;           /* the overlay's drawing data (tc_check_overlay_json),
                                        what the server keeps for the review console   */
    int want_original;               /* keep an upright JPEG of the work copy           */
    /* `tucai photo`'s options (0 for the server): */
    int refuse_crowd;                /* a second person of similar size: no photo, problem
                                        photo.faces (tc_photo_pick_face); 0: the largest
                                        face is the student and face_count judges the rest */
    int no_strict;                   /* compose even when the head cannot meet the spec  */
    const tc_photo_face_geom *geom;  /* developer: the face in source pixels instead of the
                                        models; the mask from tc_photo_mask_plain_bg; no
                                        mesh, so no tone and the face checks cannot judge */
    int want_alpha;                  /* keep the final alpha at the photo's size         */
    int want_trimap;                 /* keep compose's trimap at the photo's size        */
} tc_studio_req;

typedef struct tc_studio_result {
    uint8_t *jpeg;          /* the standard photo, or NULL when none could be made   */
    size_t jpeg_len;
    tc_photo_report report; /* measurements of jpeg (valid when jpeg != NULL)        */
    tc_check_report checks; /* valid when run_checks                                 */
    int ok;                 /* jpeg made, and every check passed (when run)          */
    char problem[48];       /* why no photo was made ("photo.no_face" ...), else ""   */
    char problem_zh[192], problem_en[256];
    uint8_t *overlay_png;   /* when want_overlay                                     */
    size_t overlay_len;
    char *overlay_data;     /* when want_overlay_data: JSON, NUL-terminated           */
    size_t overlay_data_len;
    uint8_t *original_jpeg; /* when want_original: the upright work copy             */
    size_t original_len;
    tc_photo_meta meta;     /* the upload's own evidence                             */
    tc_check_tone tone;     /* the exposure / white balance applied before the
                               background was replaced and the checks ran     */
    tc_photo_mask alpha;    /* when want_alpha and jpeg != NULL                      */
    tc_photo_mask trimap;   /* when want_trimap and jpeg != NULL                     */
    double ms_decode, ms_vision, ms_compose, ms_checks; /* wall time per stage        */
} tc_studio_result;

/* Run the pipeline on one upload.  *out is filled (and owned by the caller)
 * whenever 0 is returned. */
int tc_studio_make(const tc_studio *s, tc_studio_ctx *c, const tc_studio_req *req, tc_studio_result *out,
                   tc_err *e);
void tc_studio_result_free(tc_studio_result *r);

/* A finished photo made elsewhere (production's retouched 成片, issue 19
 * item 6), checked as the pipeline's own output would be: a JPEG (sniffed,
 * decoded whole within tc_photo_decode's limits), the spec's KB range,
 * exactly the spec's pixel size, and, when s is not NULL (a studio with the
 * models), exactly one face (the pipeline with only the face_count check,
 * compose not strict).  Codes: final.bad_file, final.bad_bytes,
 * final.bad_size, final.no_face; vision.model_* (500). */
int tc_studio_check_finished(const tc_studio *s, const tc_spec *spec, const void *data, size_t len, tc_err *e);

#endif
