/*
 * tc_roster — the student roster a school imports for a collection batch:
 * parsing CSV or XLSX into rows, and checking every row.
 *
 * Parsing (tc_roster_parse) fails only for problems with the file as a whole
 * (not a spreadsheet, caps exceeded, a required column missing, a damaged
 * XLSX): those come back in tc_err.  Problems with individual rows never
 * stop parsing; tc_roster_validate lists them all, so that the school can
 * fix the whole file in one go.  Importing nothing when the report has any
 * error is the caller's job.
 *
 * The format is sniffed from the bytes, never from the file name: a ZIP
 * ("PK\3\4") is read as XLSX; anything else as CSV — UTF-8 (with or without
 * BOM), UTF-16 with BOM (Excel's "Unicode text"), or, when it is not valid
 * UTF-8, GB18030 (what Excel in China writes for "CSV"), with comma or tab
 * separators.  Old binary .xls and other binary files are refused.
 *
 * Everything here is reentrant; nothing is shared between calls.
 *
 * Owns: a parsed roster (tc_roster, one pool; tc_roster_free) and its
 * report (tc_roster_report; tc_roster_report_free).
 */
#ifndef TC_ROSTER_H
#define TC_ROSTER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

enum {
    TC_ROSTER_MAX_BYTES = 10 * 1024 * 1024, /* whole file                                    */
    TC_ROSTER_MAX_ROWS = 50000,             /* data rows (empty rows not counted)            */
    TC_ROSTER_MAX_COLS = 64,                /* columns in the header row                     */
    TC_ROSTER_MAX_CELL = 1024,              /* bytes of UTF-8 in one cell                    */
    TC_ROSTER_MAX_CHSI = 256,               /* characters of a 图像采集码                    */
    TC_ROSTER_MAX_XML = 64 * 1024 * 1024,   /* uncompressed bytes of one XLSX part (zip bomb) */
    TC_ROSTER_MAX_TITLE_ROWS = 5,           /* title rows above the header that are skipped  */
    /* Caps on what a file makes us do, whatever its size on disk: an XLSX
     * compresses ~1000:1, so 69 KB can hold a million cells.  Each is checked
     * as the cell or row is met, before anything is kept for it. */
    TC_ROSTER_MAX_LINES = 200000,           /* rows of any kind, empty ones included         */
    TC_ROSTER_MAX_ROW_CELLS = 16384,        /* cells in one row, empty ones included (XFD)   */
    TC_ROSTER_MAX_CELLS = 2000000,          /* cells in the whole file, empty ones included  */
    TC_ROSTER_MAX_SST = 1000000,            /* XLSX shared strings                           */
    TC_ROSTER_MAX_TEXT = 32 * 1024 * 1024,  /* bytes of cell text kept (cells + shared strings) */
    TC_ROSTER_MAX_XML_TOTAL = 128 * 1024 * 1024, /* uncompressed bytes of all XLSX parts read */
};

/* The columns we know.  Header names, matched after trimming and ignoring
 * ASCII case and a leading/trailing "*" (templates mark required columns so):
 *   NAME        姓名 / name                                   required
 *   STUDENT_NO  学号 / student_no                             required
 *   ID_NUMBER   身份证号 / 身份证号码 / 证件号码 / id_number     required
 *   SCHOOL      学校 / school
 *   LEVEL       层次 / 学历层次 / level
 *   MAJOR       专业 / programme / major
 *   DEPARTMENT  院系 / department
 *   CLASS       班级 / class
 *   PHONE       手机号 / 手机号码 / phone
 *   CHSI_CODE   采集码 / 图像采集码 / chsi_code                 optional: schools
 *               seldom have it; the student binds it at first entry (issue 19) */
typedef enum {
    TC_ROSTER_NAME,
    TC_ROSTER_STUDENT_NO,
    TC_ROSTER_ID_NUMBER,
    TC_ROSTER_SCHOOL,
    TC_ROSTER_LEVEL,
    TC_ROSTER_MAJOR,
    TC_ROSTER_DEPARTMENT,
    TC_ROSTER_CLASS,
    TC_ROSTER_PHONE,
    TC_ROSTER_CHSI_CODE,
    TC_ROSTER_NFIELDS
} tc_roster_field;

/* Stable English key of a field ("name", "student_no", "id_number", "school",
 * "level", "major", "department", "class", "phone", "chsi_code"), as used in
 * reports and the API; and its Chinese label (姓名, 学号, ...). */
const char *tc_roster_field_key(tc_roster_field f);
const char *tc_roster_field_zh(tc_roster_field f);

/* Per-field notes the parser leaves for tc_roster_validate (bit 1u << field). */
typedef struct tc_roster_row {
    int line;                           /* 1-based: CSV line where the record starts, or XLSX row number */
    char *f[TC_ROSTER_NFIELDS];         /* trimmed UTF-8, never NULL ("" when absent or empty) */
    uint32_t too_long;                  /* cell was over TC_ROSTER_MAX_CELL bytes (kept truncated)      */
    uint32_t bad_utf8;                  /* cell was not valid UTF-8 (bad bytes replaced by U+FFFD)      */
    uint32_t lossy_number;              /* XLSX number that cannot be trusted as digits (>15 digits)    */
} tc_roster_row;

typedef enum { TC_ROSTER_CSV, TC_ROSTER_XLSX } tc_roster_format;

/* Owns everything it points to (one pool); release with tc_roster_free. */
typedef struct tc_roster {
    tc_roster_format format;
    const char *encoding;               /* "utf-8", "utf-8-bom", "utf-16", "gb18030", "xlsx" (static) */
    char sep;                           /* CSV: ',' or '\t'; XLSX: 0 */
    int header_line;                    /* line/row number of the header row */
    int has_field[TC_ROSTER_NFIELDS];   /* 1 if the file has that column */
    tc_roster_row *rows;
    size_t nrows;
    char **unknown_cols;                /* header texts of ignored columns */
    size_t nunknown;
    tc_pool pool;                       /* internal: owns the strings */
    size_t cap;                         /* internal */
} tc_roster;

/* Parse a roster file of len bytes into *out (which the caller owns and must
 * release with tc_roster_free after success; after failure there is nothing
 * to free, though tc_roster_free is harmless).  Errors (all status 400
 * unless noted):
 *   roster.empty              no bytes, or no non-empty row at all
 *   roster.too_large (413)    more than TC_ROSTER_MAX_BYTES
 *   roster.not_a_spreadsheet  binary data that is neither XLSX nor text
 *   roster.xls_unsupported    an old .xls (OLE2) workbook
 *   roster.bad_encoding       text that is neither UTF-8, UTF-16 nor GB18030
 *   roster.csv_quote          a quoted CSV cell that never ends
 *   roster.bad_xlsx           damaged XLSX (zip or XML), or no worksheet
 *   roster.zip_bomb (413)     an XLSX part over TC_ROSTER_MAX_XML uncompressed
 *   roster.zip_bomb (413)     ... or all parts read together over TC_ROSTER_MAX_XML_TOTAL
 *   roster.too_many_rows (413) more than TC_ROSTER_MAX_ROWS data rows or
 *                             TC_ROSTER_MAX_LINES rows of any kind
 *   roster.too_many_cells (413) a row over TC_ROSTER_MAX_ROW_CELLS cells, or
 *                             the file over TC_ROSTER_MAX_CELLS
 *   roster.too_much_text (413) over TC_ROSTER_MAX_TEXT bytes of text kept, or
 *                             over TC_ROSTER_MAX_SST shared strings
 *   roster.too_many_columns
 *   roster.no_header          none of the first non-empty rows names any of our columns
 *                             (up to TC_ROSTER_MAX_TITLE_ROWS title rows above the
 *                             header, naming no column, are skipped)
 *   roster.duplicate_column   two columns map to the same field
 *   roster.missing_column     a required column is missing (named in the message)
 *   roster.no_rows            a header but no data rows */
int tc_roster_parse(const char *data, size_t len, tc_roster *out, tc_err *e);
void tc_roster_free(tc_roster *r);

/* ---- validation ------------------------------------------------------------- */

typedef struct tc_roster_issue {
    int row;            /* the row's line (tc_roster_row.line); header line for warnings */
    const char *field;  /* tc_roster_field_key, or for warnings the column's header text */
    const char *code;   /* stable reason code, see tc_roster_validate */
    const char *zh;     /* message for people */
    const char *en;
} tc_roster_issue;

/* Owns everything it points to; release with tc_roster_report_free. */
typedef struct tc_roster_report {
    tc_roster_issue *errors;    /* sorted by row, then field order */
    size_t nerrors;
    tc_roster_issue *warnings;  /* do not block an import */
    size_t nwarnings;
    size_t nbad_rows;           /* rows with at least one error */
    size_t nrows;               /* rows checked */
    tc_pool pool;               /* internal */
    size_t cap_errors, cap_warnings; /* internal */
} tc_roster_report;

/* Check every row and fill *rep (initialised here; the caller frees it with
 * tc_roster_report_free).  Returns 0 if there is no error (warnings allowed)
 * and -1 if rep->errors lists any.  Error codes:
 *   roster.missing_field   a required field is empty
 *   roster.bad_id_<why>    tc_ident_idnum_validate refused the ID number, <why> being
 *                          its reason (checksum, date, length, chars, empty)
 *   roster.id_as_number    the ID number was stored as a number in Excel
 *                          (e.g. 3.20102199001011E+17): its last digits are lost
 *   roster.number_lossy    another field stored as a number of > 15 digits
 *   roster.duplicate       student_no, ID number (after normalising) or
 *                          chsi_code repeats another row's; every row of a
 *                          repeat is listed, naming the other row
 *   roster.field_too_long  over the field's length limit
 *   roster.bad_utf8        the cell was not valid text
 *   roster.bad_phone       phone given but not 11 digits starting 1[3-9]
 * Warning codes: roster.unknown_column (ignored column).
 * ID numbers are compared after tc_ident_idnum_normalize; the rows themselves are
 * not changed, so the importer normalises again. */
int tc_roster_validate(const tc_roster *r, tc_roster_report *rep);
void tc_roster_report_free(tc_roster_report *rep);

/* The report for the API, a new reference (caller json_decref's it):
 *   {"rows": N, "bad_rows": N, "ok": bool,
 *    "errors":   [{"row", "field", "code", "zh", "en"}, ...],
 *    "warnings": [{"row", "field", "code", "zh", "en"}, ...]} */
json_t *tc_roster_report_json(const tc_roster_report *rep);

#endif
