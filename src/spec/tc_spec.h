/*
 * tc_spec — photo specs as data: what a finished photo of one kind must be
 * (学信网, 身份证, 一寸 ...): its pixel size and dpi, the backgrounds it allows,
 * the head's geometry ranges and the file's KB range.  The built-in table,
 * specs from JSON (a school's file, the platform's custom specs), custom
 * sizes typed as "35x49mm@300".  Pure data and parsing: no image here; photo
 * composes and encodes to a spec, sheet lays specs out on paper.
 *
 * Owns: every tc_spec_table (its v, freed by tc_spec_table_free).
 * Errors: 0 / -1 with e; the codes keep their stable "photo." names
 * (photo.spec_file, photo.bad_spec, photo.bad_background), as the API
 * answers them.
 */
#ifndef TC_SPEC_H
#define TC_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

/* A closed range in output pixels; a side that a standard leaves open is
 * marked by has_lo / has_hi = 0.  Compose aims for the middle of ranges
 * closed on both sides. */
typedef struct tc_spec_range {
    double lo, hi;
    int has_lo, has_hi;
} tc_spec_range;

typedef struct tc_spec_bg {
    char name[16]; /* "blue", "white", "grey", "red" ...            */
    char zh[16];   /* "浅蓝" ...                                     */
    uint8_t rgb[3];
} tc_spec_bg;

#define TC_SPEC_MAX_BG 6

typedef struct tc_spec {
    char name[32]; /* "chsi", "idcard", "1inch" ...                      */
    char zh[64];   /* "学信网学历照片" ...                                */
    int width, height; /* pixels                                          */
    double dpi;
    int n_bg, default_bg;
    tc_spec_bg bg[TC_SPEC_MAX_BG];
    tc_spec_range hair_top;   /* top edge -> top of the hair             */
    tc_spec_range eye_line;   /* top edge -> line through the eye centres */
    tc_spec_range face_width; /* cheek to cheek, at ear level            */
    double max_centre_off;    /* |face centre - width/2|, px               */
    int kb_min, kb_max;       /* file size, KB of 1024 bytes; 0 = open    */
} tc_spec;

/* A set of specs.  v is malloc'ed and owned by the table. */
typedef struct tc_spec_table {
    tc_spec *v;
    size_t n;
} tc_spec_table;

/* The built-in specs: chsi, idcard, 1inch, small1inch, big1inch, small2inch,
 * 2inch (413x579), 2inch_626 (413x626). */
void tc_spec_table_builtin(tc_spec_table *t);
/* Add the specs of a JSON file (format: docs in tc_spec.c and
 * `tucai specs --help`); a spec whose name exists replaces it, so a school
 * can change e.g. chsi's KB range.  Codes: photo.spec_file, photo.bad_spec. */
int tc_spec_table_load_file(tc_spec_table *t, const char *path, tc_err *e);
int tc_spec_table_load_json(tc_spec_table *t, const char *json, size_t len, tc_err *e);
void tc_spec_table_free(tc_spec_table *t);
/* Look up by name; NULL if none. The pointer lives as long as the table. */
const tc_spec *tc_spec_find(const tc_spec_table *t, const char *name);
/* A custom size: "35x49mm@300", "390x567px@300" or "390x567" (px, 300 dpi).
 * Background and geometry ranges are those of 一寸 scaled to the size.
 * Code: photo.bad_spec. */
int tc_spec_parse_custom(const char *text, tc_spec *out, tc_err *e);
/* "blue" / "white" / "grey" / a name from the spec / "#RRGGBB"; NULL or ""
 * gives the spec's default.  Code: photo.bad_background. */
int tc_spec_background(const tc_spec *s, const char *arg, uint8_t rgb[3], tc_err *e);
/* Physical size in millimetres (pixels / dpi). */
double tc_spec_width_mm(const tc_spec *s);
double tc_spec_height_mm(const tc_spec *s);
/* One spec as JSON text; malloc'ed, caller frees. */
char *tc_spec_to_json(const tc_spec *s);

#endif
