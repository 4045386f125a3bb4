/* tc_roster — format sniffing, encodings, and the shared row builder. */
#include "roster_int.h"

#include <errno.h>
#include <stdio.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- fields ------------------------------------------------------------------ */

static const struct {
    const char *key, *zh;
    const char *names[5]; /* header names, matched case-insensitively */
    int required;
} fields[TC_ROSTER_NFIELDS] = {
    [TC_ROSTER_NAME] = {"name", "姓名", {"姓名", "name"}, 1},
    [TC_ROSTER_STUDENT_NO] = {"student_no", "学号", {"学号", "student_no"}, 1},
    [TC_ROSTER_ID_NUMBER] = {"id_number", "身份证号", {"身份证号", "身份证号码", "证件号码", "id_number"}, 1},
    [TC_ROSTER_SCHOOL] = {"school", "学校", {"学校", "school"}, 0},
    [TC_ROSTER_LEVEL] = {"level", "层次", {"层次", "学历层次", "level"}, 0},
    [TC_ROSTER_MAJOR] = {"major", "专业", {"专业", "programme", "major"}, 0},
    [TC_ROSTER_DEPARTMENT] = {"department", "院系", {"院系", "department"}, 0},
    [TC_ROSTER_CLASS] = {"class", "班级", {"班级", "class"}, 0},
    [TC_ROSTER_PHONE] = {"phone", "手机号", {"手机号", "手机号码", "phone"}, 0},
    [TC_ROSTER_CHSI_CODE] = {"chsi_code", "图像采集码", {"采集码", "图像采集码", "chsi_code"}, 0},
};

const char *tc_roster_field_key(tc_roster_field f)
{
    return (unsigned)f < TC_ROSTER_NFIELDS ? fields[f].key : "";
}

const char *tc_roster_field_zh(tc_roster_field f)
{
    return (unsigned)f < TC_ROSTER_NFIELDS ? fields[f].zh : "";
}

static int field_of_header(char *h)
{
    /* templates often write "*姓名" or "姓名*" for required columns */
    while (*h == '*')
        h++;
    size_t n = strlen(h);
    while (n && h[n - 1] == '*')
        h[--n] = 0;
    if (strncmp(h, "\xef\xbc\x8a", 3) == 0) /* full-width ＊ */
        h += 3;
    h = tc_str_trim(h);
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
        for (int i = 0; i < 5 && fields[f].names[i]; i++)
            if (strcasecmp(h, fields[f].names[i]) == 0)
                return f;
    return -1;
}

/* ---- row builder --------------------------------------------------------------- */

void tc_roster_rb_init(tc_roster_rb *b, tc_roster *r, tc_err *e)
{
    memset(b, 0, sizeof *b);
    b->r = r;
    b->e = e;
}

void tc_roster_rb_row_begin(tc_roster_rb *b, int line)
{
    memset(&b->cur, 0, sizeof b->cur);
    b->cur.line = line;
    b->cur_any = 0;
    b->row_cells = 0;
    b->nlines++; /* checked in tc_roster_rb_row_end, which every row reaches */
    /* b->hdr needs no clearing here: a header cell is only stored in a row
     * that then becomes the header, fails, or is skipped as a title row (and
     * then cleared by map_header). */
}

/* Copy n bytes into the pool as valid UTF-8: truncated to the cell cap at a
 * character boundary, invalid sequences (and NUL) replaced by U+FFFD. */
static char *clean_cell(tc_pool *pool, const char *s, size_t n, int *too_long, int *bad)
{
    if (n > TC_ROSTER_MAX_CELL) {
        *too_long = 1;
        n = TC_ROSTER_MAX_CELL;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (tc_utf8_valid(s, n))
        return tc_pool_strndup(pool, s, n);
    *bad = 1;
    char *out = tc_pool_alloc(pool, n * 3 + 1), *o = out;
    size_t i = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (k && i + k <= n && tc_utf8_valid(s + i, k)) {
            memcpy(o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    *o = 0;
    return out;
}

static int too_much_text(tc_roster_rb *b)
{
    b->failed = 1;
    return tc_err_set(b->e, TCE_ROSTER_TOO_MUCH_TEXT, TC_ROSTER_MAX_TEXT / (1024 * 1024));
}

void *roster_grow(void *items, size_t *cap, size_t size, size_t first)
{
    size_t c = *cap ? *cap * 2 : first;
    void *a = realloc(items, c * size);
    if (!a)
        abort();
    *cap = c;
    return a;
}

int tc_roster_rb_charge(tc_roster_rb *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > TC_ROSTER_MAX_TEXT - b->text)
        return too_much_text(b);
    b->text += n;
    return 0;
}

int tc_roster_rb_cell(tc_roster_rb *b, int col, const char *s, size_t n, int flags)
{
    if (b->failed)
        return -1;
    /* Counted before anything else, empty cells included: an XLSX of 69 KB
     * can name a million cells, and each costs parsing time even when it
     * stores nothing. */
    if (++b->row_cells > TC_ROSTER_MAX_ROW_CELLS || ++b->ncells > TC_ROSTER_MAX_CELLS) {
        b->failed = 1;
        if (b->row_cells > TC_ROSTER_MAX_ROW_CELLS)
            return tc_err_set(b->e, TCE_ROSTER_TOO_MANY_CELLS, b->cur.line,
                              TC_ROSTER_MAX_ROW_CELLS);
        return tc_err_set(b->e, TCE_ROSTER_TOO_MANY_CELLS_2, TC_ROSTER_MAX_CELLS);
    }
    if (n == 0)
        return 0;
    int field = -1;
    if (b->have_header) {
        if (col >= TC_ROSTER_MAX_COLS || (field = b->colmap[col]) < 0)
            return 0; /* ignored column: not even stored */
    }
    /* what clean_cell keeps, at most: the cut cell, three bytes per byte
     * when every byte is replaced by U+FFFD */
    size_t keep = n < TC_ROSTER_MAX_CELL ? n : TC_ROSTER_MAX_CELL;
    if (tc_roster_rb_charge(b, tc_utf8_valid(s, keep) ? keep + 1 : keep * 3 + 1) != 0)
        return -1;
    int too_long = (flags & RB_TOO_LONG) != 0, bad = 0;
    char *v = clean_cell(&b->r->pool, s, n, &too_long, &bad);
    char *t = tc_str_trim(v);
    if (!*t)
        return 0;
    if (!b->have_header) {
        if (col >= TC_ROSTER_MAX_COLS)
            return b->failed = 1,
                   tc_err_set(b->e, TCE_ROSTER_TOO_MANY_COLUMNS, TC_ROSTER_MAX_COLS);
        b->hdr[col] = t;
        b->cur_any = 1;
        return 0;
    }
    b->cur.f[field] = t;
    b->cur_any = 1;
    uint32_t bit = 1u << field;
    if (too_long)
        b->cur.too_long |= bit;
    if (bad)
        b->cur.bad_utf8 |= bit;
    if (flags & RB_LOSSY)
        b->cur.lossy_number |= bit;
    return 0;
}

static int map_header(tc_roster_rb *b)
{
    tc_roster *r = b->r;
    int nknown = 0, seen_col[TC_ROSTER_NFIELDS] = {0};
    r->header_line = b->cur.line;
    r->unknown_cols = tc_pool_zalloc(&r->pool, sizeof(char *) * TC_ROSTER_MAX_COLS);
    for (int c = 0; c < TC_ROSTER_MAX_COLS; c++) {
        b->colmap[c] = -1;
        if (!b->hdr[c])
            continue;
        char *copy = tc_pool_strdup(&r->pool, b->hdr[c]);
        int f = field_of_header(copy);
        if (f < 0) {
            r->unknown_cols[r->nunknown++] = b->hdr[c];
            continue;
        }
        if (r->has_field[f]) {
            b->failed = 1;
            return tc_err_set(b->e, TCE_ROSTER_DUPLICATE_COLUMN, seen_col[f] + 1, c + 1,
                              fields[f].key);
        }
        r->has_field[f] = 1;
        seen_col[f] = c;
        b->colmap[c] = f;
        nknown++;
    }
    if (nknown == 0 && b->title_rows < TC_ROSTER_MAX_TITLE_ROWS) {
        /* A title above the header ("2026届毕业生名单") is common in schools'
         * spreadsheets: skip a few rows that name no column, and forget what
         * they held so the real header starts clean. */
        b->title_rows++;
        r->nunknown = 0;
        memset(b->hdr, 0, sizeof b->hdr);
        return 0;
    }
    if (nknown == 0) {
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_NO_HEADER, r->header_line);
    }
    char zh[200] = "", en[200] = "";
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++) {
        if (!fields[f].required || r->has_field[f])
            continue;
        size_t zl = strlen(zh), el = strlen(en);
        snprintf(zh + zl, sizeof zh - zl, "%s%s", zl ? "、" : "", fields[f].zh);
        snprintf(en + el, sizeof en - el, "%s%s", el ? ", " : "", fields[f].key);
    }
    if (*zh) {
        b->failed = 1;
        /* the two languages list different words, so each gets its own text */
        char mz[512], me[512];
        snprintf(mz, sizeof mz, "名单缺少必需的列：%s。请按模板补上这些列后重新导入", zh);
        snprintf(me, sizeof me,
                 "The roster is missing required column(s): %s. Add them as in the template and import again", en);
        tc_err_set(b->e, TCE_ROSTER_MISSING_COLUMN, mz);
        if (b->e) {
            size_t l = strlen(me);
            l = l < sizeof b->e->en ? l : sizeof b->e->en - 1;
            memcpy(b->e->en, me, l);
            b->e->en[l] = 0;
        }
        return -1;
    }
    b->have_header = 1;
    return 0;
}

int tc_roster_rb_row_end(tc_roster_rb *b)
{
    if (b->failed)
        return -1;
    if (b->nlines > TC_ROSTER_MAX_LINES) {
        /* empty rows keep nothing, but each costs time to read */
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_TOO_MANY_ROWS, TC_ROSTER_MAX_LINES);
    }
    if (!b->cur_any)
        return 0; /* empty rows are skipped, before and after the header */
    if (!b->have_header)
        return map_header(b);
    tc_roster *r = b->r;
    if (r->nrows >= TC_ROSTER_MAX_ROWS) {
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_TOO_MANY_ROWS_2, TC_ROSTER_MAX_ROWS);
    }
    if (r->nrows == r->cap)
        r->rows = roster_grow(r->rows, &r->cap, sizeof *r->rows, 64);
    char *z = NULL;
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
        if (!b->cur.f[f]) {
            if (!z)
                z = tc_pool_zalloc(&r->pool, 1);
            b->cur.f[f] = z; /* shared "", writable so in-place normalising is safe */
        }
    r->rows[r->nrows++] = b->cur;
    return 0;
}

int tc_roster_rb_finish(tc_roster_rb *b)
{
    if (b->failed)
        return -1;
    if (!b->have_header && b->title_rows > 0) {
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_NO_HEADER_2);
    }
    if (!b->have_header) {
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_EMPTY);
    }
    if (b->r->nrows == 0) {
        b->failed = 1;
        return tc_err_set(b->e, TCE_ROSTER_NO_ROWS);
    }
    return 0;
}

/* ---- encodings ------------------------------------------------------------------ */

/* Convert with iconv into a malloc'ed buffer.  Returns NULL if the input is
 * not valid in that encoding. */
static char *convert(const char *from, const char *in, size_t n, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return NULL;
    /* GB18030 -> UTF-8 grows at most 3/2 (2 bytes -> 3), UTF-16 at most 3/2 too */
    size_t cap = n / 2 * 3 + 16, left = cap;
    char *out = malloc(cap), *o = out;
    if (!out)
        abort();
    char *ip = (char *)in;
    size_t il = n;
    size_t rc = iconv(cd, &ip, &il, &o, &left);
    if (rc != (size_t)-1)
        rc = iconv(cd, NULL, NULL, &o, &left); /* flush shift state */
    iconv_close(cd);
    if (rc == (size_t)-1 || il != 0) {
        free(out);
        return NULL;
    }
    *outlen = (size_t)(o - out);
    return out;
}

static int is_binary(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && !(c == 0x1A && i == n - 1))
            return 1; /* control characters (NUL above all) never occur in a CSV */
    }
    return 0;
}

void tc_roster_free(tc_roster *r)
{
    if (!r)
        return;
    free(r->rows);
    tc_pool_clear(&r->pool);
    memset(r, 0, sizeof *r);
}

int tc_roster_parse(const char *data, size_t len, tc_roster *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    tc_pool_init(&out->pool);
    if (!data || len == 0)
        return tc_err_set(e, TCE_ROSTER_EMPTY);
    if (len > TC_ROSTER_MAX_BYTES)
        return tc_err_set(e, TCE_ROSTER_TOO_LARGE);
    const unsigned char *u = (const unsigned char *)data;
    tc_roster_rb b;
    tc_roster_rb_init(&b, out, e);
    int rc;
    if (len >= 4 && memcmp(u, "PK\x03\x04", 4) == 0) {
        out->format = TC_ROSTER_XLSX;
        out->encoding = "xlsx";
        rc = tc_roster_read_xlsx(data, len, &b);
    } else if (len >= 8 && memcmp(u, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
        rc = tc_err_set(e, TCE_ROSTER_XLS_UNSUPPORTED);
    } else if (len >= 4 && memcmp(u, "PK", 2) == 0) {
        rc = tc_err_set(e, TCE_ROSTER_BAD_XLSX);
    } else {
        out->format = TC_ROSTER_CSV;
        char *conv = NULL;
        size_t clen = 0;
        const char *p = data;
        size_t n = len;
        if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
            /* Excel's "Unicode text" (UTF-16 with BOM, tab separated) */
            if (!(conv = convert("UTF-16", data, len, &clen)))
                return tc_roster_free(out),
                       tc_err_set(e, TCE_ROSTER_BAD_ENCODING);
            out->encoding = "utf-16";
            p = conv;
            n = clen;
            if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3, n -= 3;
        } else if (len >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0) {
            out->encoding = "utf-8-bom";
            p += 3;
            n -= 3;
        } else if (tc_utf8_valid(data, len) || is_binary(u, len)) {
            out->encoding = "utf-8";
        } else if ((conv = convert("GB18030", data, len, &clen))) {
            out->encoding = "gb18030";
            p = conv;
            n = clen;
        } else {
            out->encoding = "utf-8"; /* damaged cells are reported per row */
        }
        if (is_binary((const unsigned char *)p, n)) {
            free(conv);
            tc_roster_free(out);
            return tc_err_set(e, TCE_ROSTER_NOT_A_SPREADSHEET);
        }
        rc = tc_roster_read_csv(p, n, &b);
        free(conv);
    }
    if (rc == 0)
        rc = tc_roster_rb_finish(&b);
    if (rc != 0) {
        tc_roster_free(out);
        return -1;
    }
    return 0;
}
