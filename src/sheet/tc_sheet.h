/*
 * tc_sheet — print sheets (排版照): photos of physical sizes placed on a
 * paper (6-inch, 5-inch, A4) in rows with cut lines, and the sheet rendered
 * as a raster (JPEG or PNG at the paper's dpi, through photo) or as a PDF page
 * of the paper's true size (through pdf, every JPEG embedded as it is).
 * The print shops' named layouts (seed 004) pick the specs (tc_spec) whose
 * photos go on them.
 *
 * Owns: every tc_sheet_layout (its v, freed by tc_sheet_layout_free).
 * Errors: 0 / -1 with e; the codes keep their stable "photo." names
 * (photo.bad_sheet, photo.bad_layout, photo.sheet_overflow, photo.corrupt,
 * photo.encode), as the API answers them.
 */
#ifndef TC_SHEET_H
#define TC_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../spec/tc_spec.h"

typedef struct tc_sheet_paper {
    char name[16]; /* "6inch", "5inch", "a4" */
    double w_mm, h_mm;
    double dpi;
} tc_sheet_paper;

/* 6inch: 4x6 in (1800x1200 px at 300 dpi); 5inch: 3.5x5 in; a4.
 * Code: photo.bad_sheet. */
int tc_sheet_paper_find(const char *name, tc_sheet_paper *out, tc_err *e);

/* One kind of photo on the sheet: its physical size and how many (0 = as
 * many as fit; only allowed when it is the only item). */
typedef struct tc_sheet_item {
    double w_mm, h_mm;
    int count;
} tc_sheet_item;

typedef struct tc_sheet_place {
    int item;         /* index into the items                        */
    double x_mm, y_mm; /* top-left corner on the sheet                */
    double w_mm, h_mm; /* as placed (swapped if rotated)              */
    int rotated;      /* 1: turned 90 degrees clockwise             */
} tc_sheet_place;

/* A sheet plan.  v is malloc'ed, owned by the layout (tc_sheet_layout_free). */
typedef struct tc_sheet_layout {
    tc_sheet_paper paper; /* w_mm, h_mm as used (may be landscape)     */
    double gap_mm;
    size_t n;
    tc_sheet_place *v;
} tc_sheet_layout;

/* Place the items: rows of one kind each, every kind in either
 * orientation, paper either way round, gaps as large as possible up to 3 mm
 * (cut lines run through the gaps).  Code: photo.sheet_overflow. */
int tc_sheet_plan(const tc_sheet_paper *paper, const tc_sheet_item *items, size_t n_items,
                  tc_sheet_layout *out, tc_err *e);
void tc_sheet_layout_free(tc_sheet_layout *l);

/* Named layouts of the print shops (seed 004): "1" = 版式一, 1寸x8 + 2寸x4;
 * "2" = 版式二, 2寸x8.  Fills *n items and, for each, the spec (from t:
 * 1inch, 2inch) whose photo goes there.  Code: photo.bad_layout. */
int tc_sheet_named_items(const char *layout, const tc_spec_table *t, tc_sheet_item items[2],
                         const tc_spec *specs[2], size_t *n, tc_err *e);

/* Render a plan.  photos[i] is the JPEG of item i (any pixel size; it is
 * resampled to the item's physical size at the paper's dpi).
 * format: "jpeg" or "png" raster at the paper's dpi; "pdf": a page of the
 * paper's true size with every photo placed at its exact size in mm.
 * *out malloc'ed, caller frees.  Codes: photo.bad_sheet, photo.corrupt, photo.truncated, photo.encode. */
int tc_sheet_render(const tc_sheet_layout *l, const uint8_t *const *photos, const size_t *photo_lens,
                    const char *format, int cut_lines, uint8_t **out, size_t *len, tc_err *e);

#endif
