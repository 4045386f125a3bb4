/*
 * Private to src/roster: the row builder that the CSV and XLSX readers both
 * feed, so that header mapping, caps and cell clean-up are written once.
 * Not part of the module's interface (that is tc_roster.h).
 */
#ifndef TC_ROSTER_INT_H
#define TC_ROSTER_INT_H

#include "tc_roster.h"

enum { RB_TOO_LONG = 1, RB_LOSSY = 2 };

typedef struct tc_roster_rb {
    tc_roster *r;
    tc_err *e;
    int failed;                              /* e is filled; stop reading  */
    int have_header;
    int title_rows;                          /* non-empty rows skipped before the header */
    int colmap[TC_ROSTER_MAX_COLS];          /* field, or -1 (ignored)     */
    char *hdr[TC_ROSTER_MAX_COLS];           /* header texts while in the header row */
    tc_roster_row cur;
    int cur_any;                             /* a recognised cell of this row is non-empty */
    /* what the file has made us do so far, against the caps in tc_roster.h */
    size_t nlines, ncells, row_cells, text;
} tc_roster_rb;

void tc_roster_rb_init(tc_roster_rb *b, tc_roster *r, tc_err *e);
void tc_roster_rb_row_begin(tc_roster_rb *b, int line);
/* One cell: s has n bytes (not NUL-terminated, any bytes); col is 0-based. */
int tc_roster_rb_cell(tc_roster_rb *b, int col, const char *s, size_t n, int flags);
int tc_roster_rb_row_end(tc_roster_rb *b);
int tc_roster_rb_finish(tc_roster_rb *b);
/* Count n bytes of text about to be kept (a cell, an XLSX shared string)
 * against TC_ROSTER_MAX_TEXT: 0, or -1 with b->e filled and b->failed set. */
int tc_roster_rb_charge(tc_roster_rb *b, size_t n);

/* Grow an array of *cap items of size bytes, full now: double it (first
 * items when empty) and return it moved; out of memory aborts, as tc_buf
 * does.  The rows, an XLSX's shared strings, the report's issues. */
void *roster_grow(void *items, size_t *cap, size_t size, size_t first);

/* The two readers.  CSV data is UTF-8 already (BOM removed). */
int tc_roster_read_csv(const char *p, size_t n, tc_roster_rb *b);
int tc_roster_read_xlsx(const char *p, size_t n, tc_roster_rb *b);

#endif
