/*
 * tc_export — the files a school downloads, made apart from HTTP: the photo
 * archive (a stored ZIP written as it is read, CRC-32 from zlib), the XLSX
 * workbooks (progress, the roster with states; libxlsxwriter) and the batch's
 * QR poster (PDF through tc_pdf).  The api handlers parse the request, call
 * one of these and send what comes back.
 *
 * Owns: the ZIP stream (tc_export_zip, freed by tc_export_zip_free), the
 * temporary XLSX file until its path is returned (then the caller's: send
 * it, unlink it), the poster's bytes (malloc'd, the caller frees them).
 */
#ifndef TC_EXPORT_H
#define TC_EXPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../base/tc_base.h"
#include "../blob/tc_blob.h"
#include "../ident/tc_ident.h"
#include "../pdf/tc_pdf.h"
#include "../store/tc_store.h"

/* The students' states in the order the console and the exports show them
 * (the progress counts' keys). */
enum { TC_EXPORT_NSTATES = 9 };
extern const char *const tc_export_states[TC_EXPORT_NSTATES];
/* A state in words (never the code: the exports are read by people);
 * "其他"/"Other" for a state not in the list. */
const char *tc_export_state_word(const char *state, int en);

/* ---- the ZIP stream ----
 * JPEGs do not compress, so every entry is "stored" and the archive is
 * written as it goes: for each file item the file is read once for its CRC
 * and size, then the local header and the bytes follow.  Memory is one read
 * buffer plus the central directory (about 60 bytes an entry) whatever the
 * photos weigh.  No ZIP64: at most TC_EXPORT_ZIP_MAX entries and 4 GiB (an
 * archive bigger than that is cut off: the reader fails, never a wrong one). */
enum { TC_EXPORT_ZIP_MAX = 65535 };
typedef struct tc_export_zip tc_export_zip;
/* An empty archive for up to cap items (<= TC_EXPORT_ZIP_MAX), its entries
 * dated now (local time); NULL when out of memory. */
tc_export_zip *tc_export_zip_new(size_t cap, time_t now);
/* Add a file (read when the stream reaches it) or data (malloc'd, taken:
 * wiped and freed with the archive) under name (UTF-8).  -1 when full or out
 * of memory (data is then freed too). */
int tc_export_zip_add_file(tc_export_zip *z, const char *name, const char *path);
int tc_export_zip_add_data(tc_export_zip *z, const char *name, char *data, size_t len);
/* Add a blob of an object store (tc_blob_is_local 0): fetched (checked
 * against its id, at most TC_EXPORT_BLOB_MAX bytes) when the stream
 * reaches it and freed once sent; a failed fetch cuts the archive off.
 * blobs must outlive the archive.  -1 when full, out of memory or a bad id. */
enum { TC_EXPORT_BLOB_MAX = 64 << 20 };
int tc_export_zip_add_blob(tc_export_zip *z, const char *name, const tc_blob_store *blobs, const char *id);
/* The tc_http_stream_read of the archive (cls is the tc_export_zip): the
 * next bytes, 0 at the end, -1 on a read error or an archive past 4 GiB. */
long tc_export_zip_read(void *cls, uint64_t pos, char *buf, size_t max);
/* Free the archive (cls is the tc_export_zip; NULL is fine). */
void tc_export_zip_free(void *cls);

/* The batch's photo archive: one <student number>.jpg (by_id: <ID
 * number>.jpg, opened with keys) per row, a second with the same name as
 * name_2.jpg; then manifest.csv (file, number, name, class, state, decided)
 * and 采集码.csv (the codes in clear only when codes is set — the school's
 * own admin — else bound / not bound), both UTF-8 with a BOM.  *ncodes:
 * codes written in clear.  Errors: export.too_many (413, over 65534
 * photos), an ID that does not open, a photo without its file (500). */
int tc_export_photos_zip(const tc_ident_keys *keys, const tc_blob_store *blobs, const tc_store_export_row *rows, size_t n,
                         int by_id, int codes, tc_export_zip **out, size_t *ncodes, tc_err *e);

/* A CSV cell, quoted ("" for "), a leading = + - @ behind a quote mark so
 * that Excel never runs it; last ends the row (CRLF). */
void tc_export_csv_cell(tc_buf *b, const char *s, int last);

/* ---- XLSX ----
 * Written to a private temporary file (TMPDIR, else /tmp) whose name goes to
 * path; the caller sends it and unlinks it.  en: English sheet names and
 * headers (else Chinese). */

/* The progress workbook: counts per class and in total from progress
 * ({"classes":[{"class_name","counts"}], "totals"} as the console's
 * progress; counts keyed by tc_export_states and paid, locked, total,
 * finished, unfinished), then the rows (the unfinished students) as the
 * roster sheet. */
int tc_export_progress_xlsx(const tc_ident_keys *keys, json_t *progress, const tc_store_roster_row *rows, size_t n,
                            int64_t now, int en, char path[64], tc_err *e);
/* The roster sheet: the import template's columns first (so the file can be
 * imported again), then the state, paid, locked, verified and whether the
 * 采集码 is bound.  ID numbers masked and the 采集码 column empty unless
 * full_ids: then both in full, the code from its sealed copy (codes kept
 * only as a hash stay empty, and an import keeps each student's code). */
int tc_export_roster_xlsx(const tc_ident_keys *keys, const tc_store_roster_row *rows, size_t n, int64_t now, int en,
                          int full_ids, char path[64], tc_err *e);

/* ---- the batch's QR poster ----
 * An A4 PDF to print and put up: the school, the batch, the QR code of url,
 * the 特征码 (code, printed in capitals) and the steps.  *pdf is malloc'd
 * (the caller frees it).  Errors: pdf.font_missing (fonts NULL), the QR's
 * and tc_pdf's. */
int tc_export_poster_pdf(tc_pdf_fonts *fonts, const char *school, const char *batch, const char *code, const char *url,
                         uint8_t **pdf, size_t *len, tc_err *e);

#endif
