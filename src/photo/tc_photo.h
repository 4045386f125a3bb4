/*
 * tc_photo — photo production: decode an upload, turn it into a photo that
 * meets a spec (学信网, 身份证, 一寸 ...; the specs themselves are data of
 * their own module, tc_spec), and encode it inside the spec's file size range.
 *
 * The pipeline, and who does what:
 *
 *   bytes ──tc_photo_decode──▶ tc_photo_src (upright, sRGB, 8-bit RGB;
 *                              holds a small "work" copy for the models)
 *   work copy ──(tc_vision: face keypoints, landmarks, person mask)──▶
 *          tc_photo_face_geom (source pixels) + tc_photo_mask (work size)
 *   src + geom + mask + spec ──tc_photo_compose──▶ tc_photo_rgb (spec size)
 *   tc_photo_rgb + spec ──tc_photo_encode──▶ JPEG bytes + tc_photo_report
 *   (print sheets, 排版照, are module tc_sheet's, on tc_photo_jpeg_fit and
 *   tc_photo_rgb_save below)
 *
 * This module never runs a neural network; it only consumes their output,
 * so that it can be tested with synthetic geometry and masks.
 *
 * libvips must be started once by the program before any call here, with
 * tc_photo_startup(), which also blocks libvips's untrusted loaders
 * (vips_block_untrusted_set).  Tests call it too.
 *
 * Errors: functions that can fail return 0 or -1 and fill the caller's
 * tc_err; reason codes start with "photo." (see each function).
 *
 * Owns: the image types it returns (tc_photo_src, tc_photo_rgb,
 * tc_photo_mask, each with its _free); JPEG and report bytes are malloc'ed for
 * the caller.  No state between calls.
 */
#ifndef TC_PHOTO_H
#define TC_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../spec/tc_spec.h"

/* ---- start-up --------------------------------------------------------------- */

/* Start libvips (VIPS_INIT) and block its untrusted loaders; call once from
 * main() before any thread uses this module.  argv0 may be NULL. */
int tc_photo_startup(const char *argv0, tc_err *e);

/* ---- images in memory --------------------------------------------------------- */

/* A packed 8-bit RGB image, rows of width*3 bytes.  px is malloc'ed and owned
 * by whoever the producing function names (free with tc_photo_rgb_free). */
typedef struct tc_photo_rgb {
    int width, height;
    uint8_t *px;
} tc_photo_rgb;

void tc_photo_rgb_free(tc_photo_rgb *im);

/* A person mask: alpha 0 (background) .. 1 (person), one float per pixel,
 * rows of width floats.  It covers the whole upright source image, usually
 * at the size of the work copy.  a is malloc'ed; owner named by producer. */
typedef struct tc_photo_mask {
    int width, height;
    float *a;
} tc_photo_mask;

void tc_photo_mask_free(tc_photo_mask *m);

/* ---- decode -------------------------------------------------------------------- */

typedef enum {
    TC_PHOTO_FMT_UNKNOWN = 0,
    TC_PHOTO_FMT_JPEG,
    TC_PHOTO_FMT_PNG,
    TC_PHOTO_FMT_WEBP,
    TC_PHOTO_FMT_HEIF, /* HEIC/HEIF brands */
    TC_PHOTO_FMT_AVIF,
} tc_photo_format;

/* From the magic bytes only; the file name is never trusted. */
tc_photo_format tc_photo_sniff(const void *data, size_t len);
const char *tc_photo_format_name(tc_photo_format f); /* "jpeg", "png", ... */

typedef struct tc_photo_limits {
    size_t max_bytes;    /* default 20 MB                                     */
    uint64_t max_pixels; /* default 50 megapixels, checked on the header      */
    int work_side;       /* longest side of the work copy, default 1024       */
} tc_photo_limits;

void tc_photo_limits_default(tc_photo_limits *l);

/* A decoded upload.  Opaque; owns a copy of the bytes and the work copy. */
typedef struct tc_photo_src tc_photo_src;

/* Sniff the format, read the header, refuse what is over the limits before
 * any pixel is decoded, then decode once at reduced scale (shrink-on-load)
 * into the work copy: upright (EXIF orientation applied), sRGB (embedded ICC
 * profile converted), alpha flattened on white.  Decoding every pixel here is
 * what catches truncated and corrupt files early.
 * lim may be NULL (defaults).  On success *out is owned by the caller
 * (tc_photo_src_free).  Codes: photo.empty, photo.too_large (bytes or
 * pixels), photo.unsupported_format, photo.truncated, photo.corrupt. */
int tc_photo_decode(const void *data, size_t len, const tc_photo_limits *lim, tc_photo_src **out, tc_err *e);
void tc_photo_src_free(tc_photo_src *s);

tc_photo_format tc_photo_src_format(const tc_photo_src *s);
/* Full-resolution size of the upright image. */
int tc_photo_src_width(const tc_photo_src *s);
int tc_photo_src_height(const tc_photo_src *s);
/* The work copy for the models (longest side <= work_side; never enlarged).
 * Owned by s.  Work pixel (x, y) is source pixel (x / scale, y / scale). */
const tc_photo_rgb *tc_photo_src_work(const tc_photo_src *s);
double tc_photo_src_work_scale(const tc_photo_src *s);
/* A region of the upright image at full resolution (x, y, w, h in source
 * pixels, clipped to the image).  *out owned by the caller.
 * Codes: photo.bad_region, photo.truncated, photo.corrupt. */
int tc_photo_src_region(const tc_photo_src *s, int x, int y, int w, int h, tc_photo_rgb *out, tc_err *e);

/* What the file says about itself, for the checks (recapture, retouching):
 * read from the EXIF block of the original bytes at decode time.  Strings are
 * "" when absent; numbers 0.  Nothing here is carried into the output. */
typedef struct tc_photo_meta {
    int has_exif;            /* the file had an EXIF block at all            */
    char make[64];           /* camera maker, e.g. "Apple"                    */
    char model[64];          /* camera model, e.g. "iPhone 13"                */
    char software[64];       /* Software tag, e.g. "Adobe Photoshop 25.0", "Meitu" */
    char datetime[20];       /* DateTimeOriginal "YYYY:MM:DD HH:MM:SS"        */
    double exposure_s;       /* ExposureTime, seconds                         */
    double fnumber;          /* FNumber                                       */
    int iso;                 /* ISOSpeedRatings / PhotographicSensitivity     */
    double focal_mm;         /* FocalLength                                   */
    int orientation;         /* EXIF orientation 1..8 as found (1 if absent)   */
    int has_icc;             /* an embedded ICC profile was present           */
} tc_photo_meta;

/* The source's file evidence (filled at decode; never fails). */
void tc_photo_src_meta(const tc_photo_src *s, tc_photo_meta *out);
/* The same evidence from the header alone, no pixel decoded (cheap enough
 * for a request handler deciding what an upload is).  A file that is not an
 * image or whose header is unreadable gives the empty evidence: the pipeline
 * reports those.  Never fails. */
void tc_photo_meta_of(const void *data, size_t len, tc_photo_meta *out);

/* ---- geometry and compose ------------------------------------------------------- */

/* What the vision engine measures, in full-resolution pixels of the upright
 * source (multiply work-copy coordinates by 1 / tc_photo_src_work_scale, or
 * use tc_photo_geom_scale).  "left" and "right" are as seen in the image.
 * Optional fields are NAN when unknown:
 *   hair_top  the top of the head, hair included; found from the mask when
 *             NAN (tc_photo_geom_hair_top_from_mask), estimated otherwise;
 *   face_left/face_right  cheek contour points at ear level (landmarks 234
 *             and 454 of the 468-point mesh); estimated from the eyes if NAN. */
typedef struct tc_photo_face_geom {
    float left_eye[2], right_eye[2]; /* eye centres (x, y), required  */
    float chin[2];                   /* lowest point of chin, required */
    float hair_top[2];
    float face_left[2], face_right[2];
    /* The face oval of the mesh (TC_PHOTO_OVAL_POINTS points in the order of
     * MediaPipe's FACE_OVAL ring, starting at the forehead's top, 10, and
     * going clockwise in the person's frame through 454, the chin 152 and
     * 234); NAN when no mesh.  Compose treats the inside, and the ears
     * beside the oval's points 234 and 454, as person for sure (the trimap
     * of its matting step). */
    float oval[36][2];
} tc_photo_face_geom;

/* The oval's points; the studio fills them from vision's ring
 * (tc_vision_lm_oval, the same 36 in the same order). */
#define TC_PHOTO_OVAL_POINTS 36

/* Set every field to NAN. */
void tc_photo_geom_init(tc_photo_face_geom *g);
/* Multiply every coordinate by f (work copy -> source: 1 / work scale). */
void tc_photo_geom_scale(tc_photo_face_geom *g, double f);
/* Walk up from the eyes along the face's vertical axis in the mask and put
 * the top of the head where the person ends.  0, or -1 when the mask never
 * leaves the person (head cut by the top edge): code photo.head_cut_off. */
int tc_photo_geom_hair_top_from_mask(tc_photo_face_geom *g, const tc_photo_mask *m, int src_width, tc_err *e);

/* The zones the face mesh makes sure of (compose's trimap seeds), in the
 * geometry's own pixels (w x h): 1 the face oval, 2 an ear's ellipse beside
 * it, 3 the outer rim of an ear that stands out, 0 elsewhere.  zone holds
 * w * h bytes, owned by the caller. */
void tc_photo_mesh_zones(const tc_photo_face_geom *g, int w, int h, uint8_t *zone);

/* A face the detector found: its box, in the image's pixels. */
typedef struct tc_photo_face_box {
    float x, y, w, h;
} tc_photo_face_box;

/* Which of n detected faces to make the photo of (image img_w x img_h).
 * A face less than half as wide as the largest is someone far behind and
 * does not count; the largest is taken (ties: the one nearest the centre).
 * Another face at least half as wide is a second person in the picture:
 * refused with photo.faces (422) unless largest is set (`tucai photo
 * --largest-face`).  n == 0: photo.no_face.  *pick: index into boxes. */
int tc_photo_pick_face(const tc_photo_face_box *boxes, int n, double img_w, double img_h, int largest, int *pick,
                       tc_err *e);

/* Developer/test aid, not a segmentation model: a mask that keys out a plain
 * backdrop, estimated from the colour of the image border.  Works on
 * mugshot-like photos against a plain wall; useless on busy backgrounds.
 * *out owned by the caller. */
int tc_photo_mask_plain_bg(const tc_photo_rgb *im, tc_photo_mask *out, tc_err *e);

/* Where the face lands in the output, and how. */
typedef struct tc_photo_layout {
    double scale;      /* output px per source px                      */
    double roll_deg;   /* rotation applied (eyes made level)           */
    double eye_line_y, face_width, hair_top_y, chin_y, face_centre_x;
    double outside_frac; /* part of the output beyond the source image  */
    int fits;          /* 1 if every geometry range of the spec is met, inside the source */
    int inside;        /* 1 if the crop's sides and bottom lie inside the source       */
    /* affine map source -> output: u = a*x + b*y + tx, v = c*x + d*y + ty */
    double m[6];
} tc_photo_layout;

/* Choose rotation, scale and offset so that eye line, face width and hair top
 * fall inside the spec's ranges, each with a margin (the middle where
 * possible), the face centred or off centre by what the spec allows, and —
 * when the source size src_w x src_h is given (0 x 0: not checked) — the
 * crop's sides and bottom inside the source: pixels past an edge would have
 * to be invented.  Fills *lay even when the face cannot fit; returns -1
 * then, with code photo.crop_outside (the spec fits only past the picture's
 * edge: step back, include the chest), photo.geometry_out_of_range (head
 * proportions that no crop can satisfy, naming the window) or
 * photo.bad_geometry (missing or absurd points). */
int tc_photo_plan(const tc_photo_face_geom *g, const tc_spec *spec, int src_w, int src_h, tc_photo_layout *lay,
                  tc_err *e);

/* An sRGB colour (0..255 per channel, fractions allowed: a colour unmixed
 * from a backdrop) in CIE L*a*b* (D65).  The photo's and the edge
 * figures' one conversion (eval/matte_metrics.h). */
void tc_photo_srgb_lab(const double rgb[3], double lab[3]);

/* The source position (*x, *y) of the output position (u, v): the inverse
 * of lay->m (pixel edges at integers in both).  The one inverse of the plan
 * for every module (the studio's re-plan, the checks' boxes).  -1 when the
 * map cannot be inverted (a degenerate layout); *x, *y untouched then. */
int tc_photo_layout_unmap(const tc_photo_layout *lay, double u, double v, double *x, double *y);

typedef struct tc_photo_compose_opts {
    uint8_t background[3]; /* from tc_spec_background                     */
    int strict;            /* 1: geometry that cannot fit is an error     */
    int keep_background;   /* 1: no replacement (debug), mask may be NULL  */
    /* Developer aid (tucai photo --trimap, make gallery): when not NULL,
     * compose fills it with the trimap of its edge step at the photo's
     * size (0 sure backdrop, 0.5 unknown, 0.75 an ear region, 1 sure
     * person; a malloc'ed, the caller frees with tc_photo_mask_free). */
    tc_photo_mask *trimap_out;
    /* A tone curve per channel (sRGB in -> out) applied to the cropped
     * picture before the background is replaced: the studio's exposure and
     * white balance (tc_check_tone); NULL: none.  Borrowed. */
    const uint8_t (*tone)[256];
} tc_photo_compose_opts;

/* Roll-correct, crop and resize the source to the spec (read at the lowest
 * resolution that still is at least the output's), then replace the
 * background: the mask, carried to the output, is refined along its edge by a
 * guided filter on the output's luminance, the foreground colour is
 * re-estimated where alpha is fractional (no fringe of the old backdrop), and
 * the result is laid over the spec colour.  g must have hair_top set (see
 * tc_photo_geom_hair_top_from_mask).  *out (spec size) owned by the caller;
 * *lay_out (may be NULL) receives the plan, *alpha_out (may be NULL) the
 * final alpha at output size, owned by the caller.
 * Codes: those of tc_photo_plan (when strict), photo.truncated,
 * photo.corrupt, photo.bad_mask. */
int tc_photo_compose(const tc_photo_src *src, const tc_photo_face_geom *g, const tc_photo_mask *mask,
                     const tc_spec *spec, const tc_photo_compose_opts *o, tc_photo_rgb *out,
                     tc_photo_layout *lay_out, tc_photo_mask *alpha_out, tc_err *e);

/* ---- output ----------------------------------------------------------------------- */

/* Measurements of a finished photo, for the API and `tucai photo --json`. */
typedef struct tc_photo_report {
    char spec[32];
    int width, height;
    double dpi;
    double eye_line_y, face_width, hair_top_y, chin_y, face_centre_x, roll_deg;
    uint8_t background[3];   /* the spec colour asked for                 */
    double bg_mean[3];       /* measured on the encoded file               */
    double bg_delta_e_max;   /* CIE76 ΔE of background pixels to the colour */
    size_t file_bytes;
    int quality;
    int in_spec;             /* every check below passed                   */
    char problem[48];        /* first failed check's code, "" if none      */
} tc_photo_report;

/* Encode im (spec size) as a baseline JPEG: sRGB, no metadata of the input,
 * resolution in both JFIF and EXIF, 4:4:4 chroma; the quality is the highest
 * Q <= 95 whose file fits the spec's KB maximum (binary search), and the file
 * is never padded.  *jpeg malloc'ed, caller frees.  rep may be NULL; when
 * given, its file fields are filled (the rest is left as is).
 * Code: photo.size_out_of_range (under the minimum even at Q 95, or over the
 * maximum even at the lowest quality), photo.encode. */
int tc_photo_encode(const tc_photo_rgb *im, const tc_spec *spec, uint8_t **jpeg, size_t *len,
                    tc_photo_report *rep, tc_err *e);
/* Fill rep from the layout, the final alpha and the encoded file (decoded
 * again to measure the background), and judge it against the spec. */
int tc_photo_measure(const uint8_t *jpeg, size_t len, const tc_spec *spec, const uint8_t bg[3],
                     const tc_photo_layout *lay, const tc_photo_mask *alpha, tc_photo_report *rep, tc_err *e);
/* The report as one JSON object; malloc'ed, caller frees. */
char *tc_photo_report_json(const tc_photo_report *r);

/* im as a baseline JPEG at quality q with no marker at all (no JFIF, no
 * EXIF), 4:4:4 from Q 90 up and 4:2:0 below: byte for byte what
 * vips_jpegsave_buffer with "strip" writes, straight through libjpeg
 * (a third of the CPU).  For the reviewers' upright original.  *out
 * malloc'ed, caller frees. */
int tc_photo_jpeg_plain(const tc_photo_rgb *im, int q, uint8_t **out, size_t *len, tc_err *e);

/* Read back the resolution (dpi) of a JPEG: from JFIF and from EXIF; 0 when
 * absent.  For tests and checks. */
int tc_photo_jpeg_dpi(const uint8_t *jpeg, size_t len, double *jfif_dpi, double *exif_dpi);

/* A JPEG resampled to exactly w x h pixels (Lanczos 3), turned 90 degrees
 * clockwise first when rot90; for print sheets.  The caller checks the
 * format (tc_photo_sniff).  *out owned by the caller (tc_photo_rgb_free).
 * Codes: photo.truncated, photo.corrupt. */
int tc_photo_jpeg_fit(const uint8_t *jpeg, size_t len, int rot90, int w, int h, tc_photo_rgb *out, tc_err *e);

/* im as one file with dpi as its resolution: png 0 = a JPEG at quality 95
 * (optimised Huffman tables, DPI in JFIF and EXIF, no other metadata),
 * png 1 = a PNG (zlib level 6).  *out malloc'ed, caller frees.
 * Code: photo.encode. */
int tc_photo_rgb_save(const tc_photo_rgb *im, int png, double dpi, uint8_t **out, size_t *len, tc_err *e);

/* Mark a photo as a proof (样片) for the student to see before production
 * is final: a repeated, semi-transparent diagonal "样片" text (Chinese only: the
 * student never sees an English word in the Chinese UI) over the
 * whole image, re-encoded as JPEG at the same pixel size and DPI (no KB range
 * applies).  *out malloc'ed, caller frees.  Code: photo.encode, photo.corrupt. */
int tc_photo_watermark(const uint8_t *jpeg, size_t len, const tc_spec *spec, uint8_t **out, size_t *out_len,
                       tc_err *e);

#endif
