/*
 * tc_vision — the vision engine: face detection, 468-point face landmarks
 * and person segmentation, in plain C with no ML framework.
 *
 * It runs five MediaPipe models (fetched into models/ by
 * scripts/fetch-models, never committed; the fifth, the full-range face
 * detector, is optional) and does, in C, the work MediaPipe's
 * graphs do around them: letterboxing and normalisation, BlazeFace anchors,
 * box decoding and weighted non-maximum suppression, the rotated face crop
 * for the landmark model and the mapping of every result back to the input
 * image.  All coordinates are normalised to the input image, as MediaPipe
 * gives them: x / width, y / height, in [0, 1] for points inside it.
 *
 * Threads and memory:
 *  - tc_vision_load reads and prepares the models once; the tc_vision it
 *    returns is owned by the caller (tc_vision_free) and is read-only
 *    afterwards, so any number of threads may share it.
 *  - Each thread needs its own tc_vision_ctx (tc_vision_ctx_new, owned by
 *    the caller, tc_vision_ctx_free): it holds the arenas the models run in
 *    and all scratch space, so a call allocates nothing.
 *  - Images and output arrays belong to the caller; nothing keeps a pointer
 *    to them after a call returns.
 *
 * Errors follow tc_base.h: 0 on success, -1 with e filled.  Codes:
 *   vision.model_missing / vision.model_corrupt / vision.model_invalid /
 *   vision.model_unsupported_op / vision.model_not_tflite (500: the
 *   installation is broken), vision.bad_image (400), vision.image_read,
 *   vision.usage (CLI).
 */
#ifndef TC_VISION_H
#define TC_VISION_H

#include <stddef.h>
#include <stdint.h>

#include "base/tc_base.h"

#define TC_VISION_LANDMARKS 468
#define TC_VISION_KEYPOINTS 6
#define TC_VISION_MAX_FACES 32

/* File names inside the models folder. */
#define TC_VISION_DETECTOR_FILE "face_detection_short_range.tflite"
#define TC_VISION_LANDMARK_FILE "face_landmark.tflite"
#define TC_VISION_SEGMENTER_FILE "selfie_segmentation.tflite"
#define TC_VISION_EYES_FILE "face_landmark_with_attention.tflite"
/* Optional: without it tc_vision_load logs one warning and detection is
 * short range only (faces far from the camera go unfound). */
#define TC_VISION_FAR_DETECTOR_FILE "face_detection_full_range.tflite"

typedef struct tc_vision tc_vision;
typedef struct tc_vision_ctx tc_vision_ctx;

/* An 8-bit RGB image: pixel (x, y) is rgb[y * stride + 3 * x + 0..2].
 * Images with alpha must drop it first (MediaPipe ignores alpha too). */
typedef struct tc_vision_image {
    const uint8_t *rgb;
    int width, height;
    size_t stride;        /* bytes per row, >= 3 * width */
} tc_vision_image;

/* Keypoints, in MediaPipe's order; "right" is the person's right, which is
 * on the left of an unmirrored photo. */
enum {
    TC_VISION_KP_RIGHT_EYE = 0,
    TC_VISION_KP_LEFT_EYE = 1,
    TC_VISION_KP_NOSE_TIP = 2,
    TC_VISION_KP_MOUTH = 3,
    TC_VISION_KP_RIGHT_EAR = 4,
    TC_VISION_KP_LEFT_EAR = 5,
};

/* Indices into tc_vision_mesh.points (MediaPipe's 468-point face mesh): the
 * one place they are written down; photo's callers, check and the tools use
 * these names.  Eye "A" is the eye on the image's left in an unmirrored
 * frontal photo (the person's right), "B" the other; likewise the cheeks. */
enum {
    TC_VISION_LM_FOREHEAD = 10, TC_VISION_LM_CHIN = 152,
    TC_VISION_LM_NOSE_TIP = 1, TC_VISION_LM_NOSE_MID = 6, TC_VISION_LM_BRIDGE = 168,
    TC_VISION_LM_LIP_TOP = 13, TC_VISION_LM_LIP_BOT = 14, TC_VISION_LM_MOUTH_A = 61, TC_VISION_LM_MOUTH_B = 291,
    TC_VISION_LM_EYE_A_OUT = 33, TC_VISION_LM_EYE_A_IN = 133,
    TC_VISION_LM_EYE_A_TOP = 159, TC_VISION_LM_EYE_A_BOT = 145,
    TC_VISION_LM_EYE_B_IN = 362, TC_VISION_LM_EYE_B_OUT = 263,
    TC_VISION_LM_EYE_B_TOP = 386, TC_VISION_LM_EYE_B_BOT = 374,
    TC_VISION_LM_CHEEK_A = 234, TC_VISION_LM_CHEEK_B = 454,            /* the contour at ear level */
    TC_VISION_LM_CHEEK_PATCH_A = 50, TC_VISION_LM_CHEEK_PATCH_B = 280, /* patches of cheek skin    */
};

/* The face oval (MediaPipe's FACE_OVAL ring) in order: from the forehead's
 * top (10) clockwise in the person's frame through 454, the chin 152 and
 * 234.  Its 36 points are tc_photo_face_geom.oval. */
#define TC_VISION_LM_OVAL_N 36
extern const int tc_vision_lm_oval[TC_VISION_LM_OVAL_N];
/* The eyelid contours, 16 points each in order: eye A (from 33 round to
 * 133 and back), eye B (from 263). */
extern const int tc_vision_lm_eyelid[2][16];

typedef struct tc_vision_face {
    float score;                                /* 0.5 .. 1 (0.6 .. 1 when far) */
    float xmin, ymin, width, height;            /* box, normalised */
    float keypoints[TC_VISION_KEYPOINTS][2];    /* x, y normalised */
    int far;                                    /* 1: found by the full-range detector */
} tc_vision_face;

typedef struct tc_vision_mesh {
    float presence;       /* the model's face score (sigmoid); < 0.5: no face, points unset */
    /* x, y normalised to the image; z is depth in the same unit as x (image
     * width), smaller is nearer the camera, 0 near the face's centre. */
    float points[TC_VISION_LANDMARKS][3];
    /* The crop the model saw: centre and size normalised, rotation in
     * radians (the eye line made horizontal). */
    float roi_cx, roi_cy, roi_w, roi_h, roi_rotation;
} tc_vision_mesh;

/* Load the models from models_dir (NULL: $TUCAI_MODELS, else "models" in
 * the current directory): the four required ones, and the full-range
 * detector when its file is there (absent: a warning in the log, and
 * tc_vision_detect runs the short-range detector only). */
tc_vision *tc_vision_load(const char *models_dir, tc_err *e);
void tc_vision_free(tc_vision *v);

/* Per-thread working memory for one loaded tc_vision (about 9 MB; 3 MB
 * more with the full-range detector, its arena). */
tc_vision_ctx *tc_vision_ctx_new(const tc_vision *v, tc_err *e);
void tc_vision_ctx_free(tc_vision_ctx *c);

/* Faces, most confident first; at most max_faces (<= TC_VISION_MAX_FACES)
 * are written to faces, *n_faces says how many.  Two detectors, after
 * MediaPipe's face_detection_short_range and _full_range graphs: the
 * short-range one (128 px input, faces within about 2 m, score >= 0.5)
 * runs on every image; only when it finds no face does the full-range one
 * (192 px, faces up to about 5 m, so small in the picture; score >= 0.6)
 * run, and its faces have far = 1.  A photo with a face near the camera
 * therefore costs one detector run, as before. */
int tc_vision_detect(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, tc_vision_face *faces,
                     int max_faces, int *n_faces, tc_err *e);

/* 468 landmarks of one detected face (a tc_vision_face from
 * tc_vision_detect on the same image). */
int tc_vision_landmarks(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img,
                        const tc_vision_face *face, tc_vision_mesh *out, tc_err *e);

/* Person mask at the image's size: mask[y * width + x] in [0, 1], 1 for
 * the person.  mask holds width * height floats, owned by the caller. */
int tc_vision_segment(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, float *mask, tc_err *e);

/* The person mask again, from the model run on the rectangle [x0, x1) x
 * [y0, y1) of the image alone (clipped to the image), written over mask's
 * pixels of that rectangle: the model sees the head at a finer scale.
 * Within 8 % of the rectangle's shorter side from a side inside the image
 * the new value is blended into mask's old one, so no seam shows. */
int tc_vision_segment_near(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, int x0, int y0, int x1,
                           int y1, float *mask, tc_err *e);

/* The eyes of one face, from MediaPipe's attention mesh model (its refined
 * eye contours).  A/B as in tc_vision_lm_eyelid: A on the image's left. */
typedef struct tc_vision_eye_info {
    /* eyelid gap over eye width: the mean distance between the upper and
     * the lower lid at the eye's middle three contour points, over the
     * corner-to-corner distance (in the crop, so it ignores the image's
     * scale and the head's roll).  On real photos open eyes measure about
     * 0.18-0.35 (a smile narrows them further), shut ones mostly below
     * 0.12 (a wink's shut eye up to 0.19: see docs/QUALITY.md). */
    float openness[2];
    /* the 16 eyelid points, normalised like tc_vision_mesh.points, in
     * tc_vision_lm_eyelid's order */
    float contour[2][16][2];
    /* the iris of each eye, 5 points normalised the same way: its centre,
     * then four points on its edge (the model places the whole disc, also
     * the part the lids hide, and also on a shut eye) */
    float iris[2][5][2];
} tc_vision_eye_info;

/* Eyes of the face whose mesh tc_vision_landmarks gave on the same image:
 * runs the attention model on the mesh's crop (roi_*). */
int tc_vision_eyes(const tc_vision *v, tc_vision_ctx *c, const tc_vision_image *img, const tc_vision_mesh *mesh,
                   tc_vision_eye_info *out, tc_err *e);

/* Multiply-adds of one run of each model (detector, landmarks, segmenter),
 * for the benchmark. */
void tc_vision_macs(const tc_vision *v, int64_t macs[3]);

#endif
