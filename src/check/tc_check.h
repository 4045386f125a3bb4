/*
 * tc_check — the automatic checks of a photo (issue 5): each requirement of
 * the seeds and of the 学信网 standard is one check with a stable reason code
 * ("check.light_dark"), a score 0..100 (higher is better), a pass/fail
 * threshold from configuration, and a message in Chinese and English that
 * tells the student what to do.
 *
 * A check that cannot run on a photo (no landmarks, no face, no output)
 * returns TC_CHECK_UNKNOWN, "could not assess": it never passes silently.
 * The caller decides what an unknown means (the student journey sends the
 * photo on with the unknown flagged for the reviewer).
 *
 * Inputs are everything the pipeline already computed (tc_studio gathers
 * them): the upright work copy of the upload, the vision engine's faces,
 * landmarks and person mask on it, the crop plan, the finished standard
 * photo with its final alpha, the file's own evidence, and the perceptual
 * hashes of earlier photos.  This module runs no neural network.
 *
 * Threads and memory: tc_check_run is reentrant; it allocates scratch space
 * on the heap and frees it before it returns.  The report is a plain value
 * (no pointers) owned by the caller.
 *
 * Errors follow tc_base.h (0 / -1 with e filled): check.bad_input (500: a
 * caller bug such as a missing work copy), check.bad_config (400: a bad
 * threshold file), check.oom (500).
 */
#ifndef TC_CHECK_H
#define TC_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../photo/tc_photo.h"
#include "../vision/tc_vision.h"
#include "../spec/tc_spec.h"

/* Every check, in the order they are reported.  The names (tc_check_name)
 * are stable: they are stored with attempts, used in configuration and by
 * the reviewers' catalogue.  Append new checks at the end of a group only
 * before the first release; after it, only at the end. */
typedef enum tc_check_id {
    TC_CHECK_FACE_COUNT = 0,   /* face_count: exactly one face, no second anywhere       */
    TC_CHECK_FACE_INSIDE,      /* face_inside: the whole head inside the frame            */
    TC_CHECK_GEOMETRY,         /* geometry: spec's head size / eye line / margins reachable */
    TC_CHECK_POSE_YAW,         /* pose_yaw: head turned left/right                        */
    TC_CHECK_POSE_PITCH,       /* pose_pitch: head raised/lowered                         */
    TC_CHECK_POSE_ROLL,        /* pose_roll: head tilted                                  */
    TC_CHECK_EYES_OPEN,        /* eyes_open                                               */
    TC_CHECK_GAZE,             /* gaze: looking at the camera                             */
    TC_CHECK_MOUTH_CLOSED,     /* mouth_closed                                            */
    TC_CHECK_EXPRESSION,       /* expression: neutral                                     */
    TC_CHECK_LIGHT_DARK,       /* light_dark: face too dark                               */
    TC_CHECK_LIGHT_BRIGHT,     /* light_bright: too bright / clipped                      */
    TC_CHECK_LIGHT_UNEVEN,     /* light_uneven: 阴阳脸                                     */
    TC_CHECK_LIGHT_HOTSPOT,    /* light_hotspot: specular hot spots on the face           */
    TC_CHECK_RED_EYE,          /* red_eye                                                 */
    TC_CHECK_BLUR,             /* blur: defocus and motion                                */
    TC_CHECK_RESOLUTION,       /* resolution: enough pixels across the face               */
    TC_CHECK_GLASSES,          /* glasses: worn (allowed or not per school)               */
    TC_CHECK_GLASSES_TINTED,   /* glasses_tinted                                          */
    TC_CHECK_GLASSES_GLARE,    /* glasses_glare                                           */
    TC_CHECK_HAIR_BROWS,       /* hair_brows: hair over eyebrows or eyes                  */
    TC_CHECK_EARS_VISIBLE,     /* ears_visible: both ears shown                           */
    TC_CHECK_HEADWEAR,         /* headwear                                                */
    TC_CHECK_JEWELRY,          /* jewelry: earrings, necklaces                            */
    TC_CHECK_CLOTHING_COLOUR,  /* clothing_colour: top too close to the background       */
    TC_CHECK_RECAPTURE,        /* recapture: liveness — a photo of a screen or a print    */
    TC_CHECK_RETOUCH,          /* retouch: 美颜, smoothed skin, editing tags              */
    TC_CHECK_DUPLICATE,        /* duplicate: 同版照片, same as an earlier photo           */
    TC_CHECK_FRAMING,          /* framing: the spec's crop lies inside the picture (chest in) */
    TC_CHECK_COMPRESSION,      /* compression: JPEG quality >= 60, no visible blocks          */
    TC_CHECK_SHOULDERS,        /* shoulders: level (seeds 001, 003, 004: 左右肩膀平衡)         */
    TC_CHECK_CLOTHING_PATTERN, /* clothing_pattern: stripes, checks, busy prints (flag only)  */
    TC_CHECK_MAKEUP,           /* makeup: heavy make-up, coloured contact lenses (flag only)  */
    TC_CHECK_HAIR_SHOULDERS,   /* hair_shoulders: hair in front of the shoulders, where the
                                  school asks it behind them (config hair_behind_shoulders)   */
    TC_CHECK_BODY_FRAMING,     /* body_framing: a half or full-length picture, face too small */
    TC_CHECK_N
} tc_check_id;

typedef enum tc_check_verdict {
    TC_CHECK_PASS = 0,
    TC_CHECK_FAIL = 1,
    TC_CHECK_UNKNOWN = 2, /* could not assess */
} tc_check_verdict;

/* "face_count" ...; NULL for an id out of range. */
const char *tc_check_name(tc_check_id id);
/* "check.face_count" ... (the reason code students and reviewers see). */
const char *tc_check_code(tc_check_id id);
/* By name ("light_dark") or code ("check.light_dark"); -1 if unknown. */
int tc_check_by_name(const char *name);
/* 1 for the liveness checks (recapture): their failures lock the account
 * until a teacher unlocks it (seed 000 §12); others lock until a time. */
int tc_check_is_liveness(tc_check_id id);

/* ---- configuration ------------------------------------------------------------------ */

typedef enum tc_check_glasses_rule {
    TC_CHECK_GLASSES_RULE_CLEAR_OK = 0, /* clear glasses allowed, tinted or glaring ones not (seeds 000-003) */
    TC_CHECK_GLASSES_RULE_FORBIDDEN = 1 /* no glasses at all (seed 004)                                   */
} tc_check_glasses_rule;

typedef struct tc_check_config {
    int threshold[TC_CHECK_N]; /* pass when score >= threshold (0..100)          */
    int enabled[TC_CHECK_N];   /* 0: not run by the school's choice (result.skipped) */
    tc_check_glasses_rule glasses;
    int hair_behind_shoulders; /* 1: the school asks hair behind the shoulders (seed 001 §4);
                                  0 (default): hair_shoulders is not run (result.skipped) */
} tc_check_config;

/* The defaults, tuned on the evaluation set (docs/QUALITY.md). */
void tc_check_config_default(tc_check_config *c);
/* Override from a JSON object, e.g. a school's or batch's settings:
 *   {"glasses":"forbidden"|"clear_ok", "hair_behind_shoulders":true|false,
 *    "thresholds":{"light_dark":45,...}, "disabled":["jewelry",...]}
 * Unknown keys inside "thresholds" are errors (check.bad_config, 400), so
 * that a typo does not silently keep a default. */
int tc_check_config_json(tc_check_config *c, const char *json, size_t len, tc_err *e);

/* ---- exposure and white balance (issue 16) ------------------------------------------ */

/* What a studio corrects before it judges a photo: the face's exposure and
 * the skin's white balance, measured on the work copy by the landmarks
 * (face oval, cheeks), as a tone curve per channel.  A plain value. */
typedef struct tc_check_tone {
    int measured;        /* a face was measured (else the curve is the identity)   */
    double face_luma;    /* mean luma of the face oval before correction, 0..255   */
    int image_p99;       /* the work copy's 99th percentile of luma                */
    double need;         /* linear gain the face needed (1: none)                  */
    double gain;         /* linear gain applied: need within the limits            */
    double wb[3];        /* linear white-balance gains of R, G, B applied          */
    double skin[2];      /* the cheeks' ln(R/G), ln(B/G) of linear light, before   */
    double cast;         /* the skin's distance from the skin locus (log chromaticity) */
    int applied;         /* the curve changes some value                           */
    uint8_t lut[3][256]; /* sRGB in -> sRGB out, per channel                       */
} tc_check_tone;

/* Measure work's face (mesh of the first face, normalised coordinates) and
 * fill *out; the identity and -1 when there is no usable mesh. */
int tc_check_tone_measure(const tc_photo_rgb *work, const tc_vision_mesh *mesh, tc_check_tone *out);
/* out[i] = curve(in[i]) for n_px packed RGB pixels (in == out allowed). */
void tc_check_tone_apply(const tc_check_tone *t, const uint8_t *in, uint8_t *out, size_t n_px);
/* The largest exposure gain applied (linear light); a face needing more
 * fails light_dark as "too dark to correct". */
double tc_check_tone_max_gain(void);

/* The exposure correction's constants (check_tone.c), for a guide that
 * predicts light_dark before the photo is taken: the gain that brings the
 * face oval's mean luma (sRGB 0..255) to target_face or the picture's 99th
 * percentile to target_top, whichever is less, applied from min_correction
 * and at most max_gain (tc_check_tone_max_gain). */
typedef struct tc_check_tone_limits {
    double target_face, target_top, min_correction, max_gain;
} tc_check_tone_limits;
void tc_check_tone_limits_get(tc_check_tone_limits *out);

/* The quality factor (1..100) a JPEG was saved with, from its luma
 * quantisation table (libjpeg's scaling of the standard table); 0 when data
 * is not a JPEG or has no such table.  Reads at most len bytes. */
int tc_check_jpeg_quality(const void *data, size_t len);

/* ---- inputs ------------------------------------------------------------------------- */

/* A perceptual hash of the face region (aligned by the landmarks, so robust
 * to re-encoding, resizing and small crops); compared by Hamming distance. */
typedef struct tc_check_hash {
    uint64_t bits[4];
} tc_check_hash;

int tc_check_hash_distance(const tc_check_hash *a, const tc_check_hash *b); /* 0..256 */

/* An earlier photo to compare with (check duplicate). */
typedef struct tc_check_prior {
    tc_check_hash hash;
    int64_t ref;       /* the caller's id for it (a photo id), echoed in the result */
    int same_student;  /* 1: the same student's own earlier photo (a re-upload)      */
} tc_check_prior;

typedef struct tc_check_input {
    /* The upright, sRGB work copy of the upload (required), and its scale:
     * work pixel = source pixel * work_scale.  src_width/height: full size. */
    const tc_photo_rgb *work;
    double work_scale;
    int src_width, src_height;
    /* Faces found on the work copy (coordinates normalised to it), most
     * confident first; n_faces may be 0. */
    const tc_vision_face *faces;
    int n_faces;
    /* Landmarks of faces[0] on the work copy, or NULL (no face / no mesh). */
    const tc_vision_mesh *mesh;
    /* The eyelids of the same face (tc_vision_eyes on the work copy), or
     * NULL: eyes_open then says "could not assess". */
    const tc_vision_eye_info *eyes;
    /* Person mask of the work copy (its size), or NULL. */
    const tc_photo_mask *mask;
    /* Face geometry in work-copy pixels (as given to tc_photo_plan after
     * scaling), or NULL. */
    const tc_photo_face_geom *geom;
    /* The crop plan and whether it met every range (tc_photo_plan's result);
     * lay NULL when no plan could be made. */
    const tc_photo_layout *lay;
    /* The finished standard photo (spec size) and its final alpha (same
     * size), or NULL when it could not be made. */
    const tc_photo_rgb *out;
    const tc_photo_mask *out_alpha;
    const tc_spec *spec;     /* required */
    uint8_t background[3];   /* the background colour used                  */
    const tc_photo_meta *meta; /* the file's evidence, or NULL              */
    /* The exposure / white balance correction applied to work (and to the
     * person in out) before the checks, or NULL when none was measured. */
    const tc_check_tone *tone;
    /* The upload's JPEG quality (tc_check_jpeg_quality), 0 when unknown. */
    int jpeg_quality;
    const tc_check_prior *prior;
    size_t n_prior;
} tc_check_input;

/* ---- results ------------------------------------------------------------------------- */

typedef struct tc_check_result {
    tc_check_id id;
    tc_check_verdict verdict;
    int score;         /* 0..100, higher is better; -1 when unknown or skipped */
    int threshold;     /* the one applied                                        */
    int skipped;       /* disabled by configuration (verdict PASS, score -1)     */
    double value;      /* the raw measurement for reviewers (degrees, ratio, ...); NAN if none */
    double sides[2];   /* ears_visible: the share of skin beside each cheek, left and right in
                          the picture (value is the lower); NAN for the other checks      */
    char zh[192];      /* what to do, Chinese (empty when passed)                 */
    char en[256];      /* the same in English                                     */
    /* Where the check looked, in work-copy pixels (x, y, w, h); w = 0: none. */
    float region[4];
    int64_t match_ref; /* duplicate: the prior's ref that matched, else 0          */
    float ms;          /* how long the check took, CPU time of the calling
                          thread (the lazily shared data it derived first
                          included), for the benchmark                     */
} tc_check_result;

typedef struct tc_check_report {
    tc_check_result r[TC_CHECK_N]; /* r[i].id == i                              */
    int n_failed, n_unknown;
    int passed;          /* n_failed == 0                                       */
    int liveness_failed; /* a failed check is a liveness one                     */
    int has_hash;
    tc_check_hash hash;  /* this photo's face hash, to keep for later duplicates  */
    float ms;            /* all of tc_check_run, CPU time of the calling thread
                            (the budget is 30 ms per photo on one core; CPU time
                            because wall time on a busy machine measures the
                            other processes too)                                */
} tc_check_report;

/* Run every enabled check.  Returns -1 only for a caller bug or no memory;
 * a photo that fails checks is a 0 with report->passed == 0. */
int tc_check_run(const tc_check_config *c, const tc_check_input *in, tc_check_report *out, tc_err *e);

/* The report as JSON text (malloc'ed, caller frees):
 *   {"passed":bool,"failed":N,"unknown":N,"liveness_failed":bool,"hash":"hex",
 *    "checks":[{"code":"check.light_dark","name":"light_dark","verdict":"pass"|"fail"|"unknown",
 *               "score":S,"threshold":T,"value":V,"zh":"...","en":"...","region":[x,y,w,h]},...]}
 * ears_visible also has "sides":[left,right] (tc_check_result.sides) when it was measured. */
char *tc_check_report_json(const tc_check_report *r);

/* A PNG picture of the work copy with the landmarks, the mask's outline and
 * each check's region drawn (failed red, unknown yellow, passed green), for
 * reviewers and `tucai check --overlay`.  *png malloc'ed, caller frees. */
int tc_check_overlay(const tc_check_input *in, const tc_check_report *r, uint8_t **png, size_t *len, tc_err *e);
/* The same drawing as data, for the review console to paint over the upright
 * original (the server keeps this, not the PNG, with each photo): compact
 * JSON, *json malloc'ed (NUL-terminated, *len without it), caller frees:
 *   {"v":1,"w":W,"h":H,"dim":[3,4],"tone":[[256 ints] x3] (when the work copy
 *    judged is the original through a tone curve),"palette":{"outline":[r,g,b],
 *    "point","pass","unknown","fail"},"outline":[[y,x,n,x,n,...],...],
 *    "points":[x,y,...],"thick":T,"boxes":[{"check","verdict","box":[x0,y0,x1,y1]},...]}
 * Painted in this order over the work copy (each channel through tone, then
 * *3/4 rounded down): outline runs, points, then each box's frame T pixels
 * thick (rows y0+t and y1-t over x0..x1, columns x0+t and x1-t over y0..y1,
 * clipped to the picture) — the PNG's pixels exactly. */
int tc_check_overlay_json(const tc_check_input *in, const tc_check_report *r, char **json, size_t *len, tc_err *e);

/* ---- the live guide (GET /api/v1/me/guide) -------------------------------------------- */

/* The raw measurement at which check id's score meets its threshold in c:
 * the pass/fail boundary on the check's own scale (degrees for pose_roll,
 * mean luma for light_dark, darker/brighter half for light_uneven, source
 * face width / spec face width for resolution ...).  NAN for an id out of
 * range. */
double tc_check_limit(const tc_check_config *c, tc_check_id id);

/* What the camera page needs to advise before the shutter, from the same
 * configuration and spec the server judges by, as JSON text (malloc'ed,
 * caller frees; NULL when out of memory):
 *   {"pose_roll_max":deg,"pose_yaw_max":deg,"light_dark_min":luma,"light_uneven_min":ratio,
 *    "light_bright_max":frac,"resolution_min":ratio,"framing_outside_max":frac,
 *    "glasses_forbidden":bool,"hair_behind_shoulders":bool,"tone":{"target_face","target_top","min_correction","max_gain"},
 *    "enabled":{"pose_roll":bool,...},
 *    "spec":{"width","height","eye_line":[lo,hi],"face_width":[lo,hi],"max_centre_off"}}
 * A disabled check (the school's choice) is enabled:false: the page gives
 * no hint for it. */
char *tc_check_guide_json(const tc_check_config *c, const tc_spec *spec);

#endif
