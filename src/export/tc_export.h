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
 * buffer plus the central directory (about 60 bytes and the name an entry)
 * whatever the photos weigh.  ZIP64 records are written where they are
 * needed: an entry whose size or offset reaches 4 GiB (0xFFFFFFFF) carries
 * the ZIP64 extra field, and an archive of 65535 entries or more, or whose
 * central directory starts or measures past 4 GiB, ends with the ZIP64 end
 * records.  At most TC_EXPORT_ZIP_MAX entries (the central directory's
 * memory). */
enum { TC_EXPORT_ZIP_MAX = 200000 };
typedef struct tc_export_zip tc_export_zip;
/* An empty archive for up to cap items (<= TC_EXPORT_ZIP_MAX), its entries
 * dated now (local time); NULL when out of memory. */
tc_export_zip *tc_export_zip_new(size_t cap, time_t now);
/* Lower the ZIP64 thresholds (before the first read): sizes and offsets
 * from bytes (<= 0xFFFFFFFF), entry counts from entries (<= 0xFFFF).  For
 * tests, which cannot write 4 GiB. */
void tc_export_zip_set_zip64(tc_export_zip *z, uint64_t bytes, size_t entries);
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
 * next bytes, 0 at the end, -1 on a read error. */
long tc_export_zip_read(void *cls, uint64_t pos, char *buf, size_t max);
/* Free the archive (cls is the tc_export_zip; NULL is fine). */
void tc_export_zip_free(void *cls);

/* ---- the photos' file names (a school's naming template) ----
 * A template is UTF-8 text with placeholders {身份证号} {学号} {姓名} {班级}
 * {专业} {院系} {层次} (or id_number, student_no, name, class, programme,
 * department, level); "/" makes folders ({班级}/{学号}), ".jpg" is added
 * when it does not end so.  Refused (export.bad_template): empty, over
 * TC_EXPORT_TPL_MAX bytes, not UTF-8, a leading "/", an empty, "." or ".."
 * folder, over TC_EXPORT_TPL_DEPTH levels, \ : * ? " < > | or a control
 * character, an unknown or unclosed placeholder, no placeholder at all;
 * {考生号} is known but the roster has no such column
 * (export.template_field_missing).  Values: "/", "\" and those characters
 * become "_", at most TC_EXPORT_VALUE_MAX bytes, an empty value reads
 * 无<field> (无班级); a part that reads "." or ".." becomes "_", a Windows
 * device name (CON, NUL, COM1 ...) gets a leading "_", a folder ending in
 * "." or " " ends in "_"; each folder and the file's stem is cut to
 * TC_EXPORT_PART_MAX bytes (whole characters). */
enum { TC_EXPORT_TPL_MAX = 200, TC_EXPORT_TPL_DEPTH = 4, TC_EXPORT_VALUE_MAX = 64, TC_EXPORT_PART_MAX = 200 };
int tc_export_tpl_check(const char *tpl, tc_err *e);
/* Every row's name by tpl, in order; a name already taken (ignoring ASCII
 * case) gets _2, _3 ... before .jpg and its row is listed in collided.
 * Owns name[] (g_malloc'd strings) and collided; tc_export_names_free. */
typedef struct tc_export_names {
    char **name;
    size_t n;
    size_t *collided; /* rows whose name got a suffix */
    size_t ncollided;
} tc_export_names;
int tc_export_names_make(const tc_ident_keys *keys, const char *tpl, const tc_store_export_row *rows, size_t n,
                         tc_export_names *out, tc_err *e);
void tc_export_names_free(tc_export_names *x);

/* ---- parts: the archive split to a chosen size ----
 * Rows in order, a new part when the next photo would take the part past
 * max_bytes of photos or max_photos (0: no such limit); a photo bigger than
 * max_bytes has a part of its own.  No photos: one empty part.  *out is
 * malloc'd (the caller frees it). */
typedef struct tc_export_part {
    size_t first, photos; /* rows[first .. first + photos) */
    uint64_t bytes;       /* the photos' bytes */
} tc_export_part;
int tc_export_parts_plan(const tc_blob_store *blobs, const tc_store_export_row *rows, size_t n, uint64_t max_bytes,
                         size_t max_photos, tc_export_part **out, size_t *nparts, tc_err *e);

/* The batch's photo archive, or one part of it: rows[from .. from+count)
 * under names (tc_export_names_make over all the rows, so that names agree
 * across parts), then manifest.csv (file, number, name, class, state,
 * decided), 采集码.csv (number, name, code, file) and 采集码.xlsx (as
 * tc_export_codes_xlsx) for those rows.  The codes in clear only when codes
 * is set (the school's own admin, else bound / not bound), the ID numbers in
 * the workbook in full only when full_ids.  *ncodes: codes written in clear.
 * Errors: export.too_many (413, over TC_EXPORT_ZIP_MAX - 3 photos), an ID
 * that does not open, a photo without its file (500). */
int tc_export_photos_zip(const tc_ident_keys *keys, const tc_blob_store *blobs, const tc_store_export_row *rows,
                         const tc_export_names *names, size_t from, size_t count, int codes, int full_ids,
                         tc_export_zip **out, size_t *ncodes, tc_err *e);

/* The 采集码 list as a workbook (one sheet 采集码): 学号, 姓名, 班级,
 * 身份证号 (masked unless full_ids), 采集码 (in clear only when codes; else
 * 已绑定 / 未绑定), 照片文件名 (names), for rows[from .. from+count).
 * Written to a private temporary file (path; the caller sends and unlinks
 * it).  *ncodes: codes written in clear. */
int tc_export_codes_xlsx(const tc_ident_keys *keys, const tc_store_export_row *rows, const tc_export_names *names,
                         size_t from, size_t count, int codes, int full_ids, char path[64], size_t *ncodes, tc_err *e);

/* The roster import template: the columns the import reads (required ones
 * marked *), a header row in Chinese (en: the English names) and one
 * example row. */
int tc_export_roster_template_xlsx(int en, char path[64], tc_err *e);

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
