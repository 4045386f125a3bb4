/* tc_roster — XLSX reader: libzip for the container, expat for the XML.
 *
 * Only four parts are read: xl/workbook.xml (which sheet is first),
 * xl/_rels/workbook.xml.rels (where it is), xl/sharedStrings.xml and that
 * sheet.  Each part is streamed through expat in chunks, so memory is bounded
 * by what we keep (cells of known columns, shared strings cut at the cell
 * cap), not by the part's size; the part's size itself is capped both as
 * declared in the zip directory and as actually inflated (zip bombs).
 * Documents with a DTD are refused outright: OOXML never has one, and
 * entity tricks (billion laughs) need one. */
#include "roster_int.h"

#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct {
    char *s; /* pool */
    uint32_t len;
    int over;
} sst_item;

typedef struct {
    tc_roster_rb *b;
    tc_err *e;
    XML_Parser xp;
    int failed;
    /* workbook / rels */
    char rid[128];
    int have_rid;
    char target[256];
    int have_target;
    /* shared strings */
    sst_item *sst;
    size_t nsst, capsst;
    int in_si, in_t, rph;
    /* sheet */
    int in_row, in_c, in_v, in_is;
    int row, col, lastrow, lastcol;
    char ctype[16];
    /* text being collected (si, v or is/t) */
    char buf[TC_ROSTER_MAX_CELL + 8];
    size_t n;
    int over;
    uint64_t xml_total; /* inflated bytes of every part read so far */
} xctx;

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), want) == 0)
            return atts[i + 1];
    return NULL;
}

static void stop(xctx *x)
{
    x->failed = 1;
    XML_StopParser(x->xp, XML_FALSE);
}

static int bad_xlsx(tc_err *e, const char *why)
{
    return tc_err_set(e, TCE_ROSTER_BAD_XLSX_2, why);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int has_internal)
{
    (void)name, (void)sys, (void)pub, (void)has_internal;
    xctx *x = ud;
    bad_xlsx(x->e, "DTD");
    stop(x);
}

static void collect(xctx *x, const char *s, int len)
{
    for (int i = 0; i < len; i++) {
        if (x->n < sizeof x->buf)
            x->buf[x->n++] = s[i];
        else
            x->over = 1;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xctx *x = ud;
    if (x->rph)
        return; /* phonetic guide runs (<rPh>) are not part of the text */
    if ((x->in_si && x->in_t) || x->in_v || (x->in_is && x->in_t))
        collect(x, s, len);
}

/* ---- workbook.xml and its rels --------------------------------------------------- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xctx *x = ud;
    if (x->have_rid || strcmp(local(name), "sheet") != 0)
        return;
    const char *id = attr(atts, "id");
    if (id && strlen(id) < sizeof x->rid) {
        strcpy(x->rid, id);
        x->have_rid = 1;
    }
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xctx *x = ud;
    if (x->have_target || strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *t = attr(atts, "Target");
    if (id && t && strcmp(id, x->rid) == 0 && strlen(t) < sizeof x->target - 4) {
        strcpy(x->target, t);
        x->have_target = 1;
    }
}

/* ---- sharedStrings.xml ------------------------------------------------------------ */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    xctx *x = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        x->in_si = 1;
        x->n = 0;
        x->over = 0;
    } else if (strcmp(n, "rPh") == 0)
        x->rph++;
    else if (strcmp(n, "t") == 0)
        x->in_t = 1;
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    xctx *x = ud;
    const char *n = local(name);
    if (strcmp(n, "rPh") == 0 && x->rph)
        x->rph--;
    else if (strcmp(n, "t") == 0)
        x->in_t = 0;
    else if (strcmp(n, "si") == 0 && x->in_si) {
        x->in_si = 0;
        if (x->nsst >= TC_ROSTER_MAX_SST) {
            x->b->failed = 1;
            tc_err_set(x->e, TCE_ROSTER_TOO_MUCH_TEXT_2, TC_ROSTER_MAX_SST);
            stop(x);
            return;
        }
        /* kept text counts against the same budget as the cells */
        if (x->n && tc_roster_rb_charge(x->b, x->n + 1) != 0) {
            stop(x);
            return;
        }
        if (x->nsst == x->capsst)
            x->sst = roster_grow(x->sst, &x->capsst, sizeof *x->sst, 256);
        sst_item *it = &x->sst[x->nsst++];
        it->s = x->n ? tc_pool_strndup(&x->b->r->pool, x->buf, x->n) : NULL;
        it->len = (uint32_t)x->n;
        it->over = x->over;
    }
}

/* ---- the sheet ------------------------------------------------------------------------ */

/* "BC12" -> column 54 (0-based); -1 if there are no letters. */
static int col_of_ref(const char *r)
{
    int c = 0, k = 0;
    for (; *r >= 'A' && *r <= 'Z'; r++, k++)
        if (c < 1 << 20)
            c = c * 26 + (*r - 'A' + 1);
    return k ? c - 1 : -1;
}

static int int_attr(const char *s)
{
    if (!s || !*s)
        return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v < 100000000)
            v = v * 10 + (*s - '0');
    }
    return (int)v;
}

/* An Excel number as the digits a person typed.  Doubles hold 15 significant
 * digits safely; an integer of 16 or more digits (an 18-digit ID number typed
 * into a General cell) has already lost its last digits inside Excel, so we
 * give back what is there and flag it as untrustworthy. */
static const char *number_text(const char *v, char *out, size_t outsz, int *lossy)
{
    *lossy = 0;
    const char *d = v + (*v == '-');
    size_t nd = strspn(d, "0123456789");
    if (nd && d[nd] == 0) {
        while (*d == '0' && nd > 1)
            d++, nd--;
        *lossy = nd > 15;
        return v;
    }
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x))
        return v;
    if (x == floor(x)) {
        *lossy = fabs(x) >= 1e15;
        snprintf(out, outsz, "%.0f", x);
    } else {
        snprintf(out, outsz, "%.15g", x); /* what Excel shows */
    }
    return out;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xctx *x = ud;
    const char *n = local(name);
    if (strcmp(n, "row") == 0) {
        int r = int_attr(attr(atts, "r"));
        x->row = r > 0 ? r : x->lastrow + 1;
        x->lastrow = x->row;
        x->lastcol = -1;
        x->in_row = 1;
        tc_roster_rb_row_begin(x->b, x->row);
    } else if (strcmp(n, "c") == 0 && x->in_row) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t");
        int c = r ? col_of_ref(r) : -1;
        x->col = c >= 0 ? c : x->lastcol + 1;
        x->lastcol = x->col;
        snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
        x->in_c = 1;
        x->n = 0;
        x->over = 0;
    } else if (x->in_c && strcmp(n, "v") == 0) {
        x->in_v = 1;
    } else if (x->in_c && strcmp(n, "is") == 0) {
        x->in_is = 1;
    } else if (x->in_is && strcmp(n, "t") == 0) {
        x->in_t = 1;
    } else if (x->in_is && strcmp(n, "rPh") == 0) {
        x->rph++;
    }
}

static void end_cell(xctx *x)
{
    const char *s = x->buf;
    size_t n = x->n;
    int flags = x->over ? RB_TOO_LONG : 0;
    char num[64];
    if (strcmp(x->ctype, "s") == 0) {
        x->buf[n < sizeof x->buf ? n : sizeof x->buf - 1] = 0;
        int idx = int_attr(tc_str_trim(x->buf));
        if (idx < 0 || (size_t)idx >= x->nsst) {
            bad_xlsx(x->e, "shared string index");
            stop(x);
            return;
        }
        s = x->sst[idx].s;
        n = x->sst[idx].len;
        flags = x->sst[idx].over ? RB_TOO_LONG : 0;
    } else if (strcmp(x->ctype, "n") == 0 && n && n < sizeof x->buf) {
        x->buf[n] = 0;
        int lossy;
        s = number_text(tc_str_trim(x->buf), num, sizeof num, &lossy);
        n = strlen(s);
        if (lossy)
            flags |= RB_LOSSY;
    }
    /* inlineStr, str (formula result), b, e, d: the collected text as is.
     * Empty cells go to the builder too, which counts every cell. */
    if (tc_roster_rb_cell(x->b, x->col, s, n, flags) != 0)
        stop(x);
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    xctx *x = ud;
    const char *n = local(name);
    if (strcmp(n, "v") == 0)
        x->in_v = 0;
    else if (strcmp(n, "t") == 0)
        x->in_t = 0;
    else if (strcmp(n, "rPh") == 0 && x->rph)
        x->rph--;
    else if (strcmp(n, "is") == 0)
        x->in_is = 0;
    else if (strcmp(n, "c") == 0 && x->in_c) {
        x->in_c = x->in_v = x->in_is = x->in_t = 0;
        end_cell(x);
    } else if (strcmp(n, "row") == 0 && x->in_row) {
        x->in_row = 0;
        if (tc_roster_rb_row_end(x->b) != 0)
            stop(x);
    }
}

/* ---- streaming one part -------------------------------------------------------------------- */

/* Returns 0, -1 with e filled, or 1 if the part does not exist. */
static int read_part(zip_t *za, const char *name, xctx *x, XML_StartElementHandler st, XML_EndElementHandler en)
{
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat(za, name, ZIP_FL_NOCASE, &zs) != 0)
        return 1;
    if ((zs.valid & ZIP_STAT_SIZE) && zs.size > TC_ROSTER_MAX_XML)
        goto bomb;
    zip_file_t *zf = zip_fopen(za, name, ZIP_FL_NOCASE);
    if (!zf)
        return bad_xlsx(x->e, "cannot open part");
    XML_Parser xp = XML_ParserCreate("UTF-8");
    if (!xp)
        abort();
    x->xp = xp;
    XML_SetUserData(xp, x);
    XML_SetElementHandler(xp, st, en);
    XML_SetCharacterDataHandler(xp, on_text);
    XML_SetStartDoctypeDeclHandler(xp, on_doctype);
    char buf[65536];
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        zip_int64_t got = zip_fread(zf, buf, sizeof buf);
        if (got < 0) {
            rc = bad_xlsx(x->e, "zip read error");
            break;
        }
        total += (uint64_t)got;
        x->xml_total += (uint64_t)got;
        if (total > TC_ROSTER_MAX_XML || x->xml_total > TC_ROSTER_MAX_XML_TOTAL) {
            rc = -2;
            break;
        }
        if (XML_Parse(xp, buf, (int)got, got == 0) == XML_STATUS_ERROR) {
            if (!x->failed)
                rc = bad_xlsx(x->e, XML_ErrorString(XML_GetErrorCode(xp)));
            else
                rc = -1;
            break;
        }
        if (got == 0)
            break;
    }
    XML_ParserFree(xp);
    x->xp = NULL;
    zip_fclose(zf);
    if (rc == -2)
        goto bomb;
    return rc;
bomb:
    return tc_err_set(x->e, TCE_ROSTER_ZIP_BOMB,
                      TC_ROSTER_MAX_XML / (1024 * 1024), TC_ROSTER_MAX_XML_TOTAL / (1024 * 1024));
}

int tc_roster_read_xlsx(const char *p, size_t n, tc_roster_rb *b)
{
    zip_error_t zer;
    zip_error_init(&zer);
    zip_source_t *src = zip_source_buffer_create(p, n, 0, &zer);
    if (!src) {
        zip_error_fini(&zer);
        return tc_err_internal(b->e, "zip_source_buffer_create");
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &zer);
    if (!za) {
        zip_source_free(src);
        zip_error_fini(&zer);
        b->failed = 1;
        return bad_xlsx(b->e, "zip");
    }
    zip_error_fini(&zer);

    xctx *x = calloc(1, sizeof *x);
    if (!x)
        abort();
    x->b = b;
    x->e = b->e;
    int rc = read_part(za, "xl/workbook.xml", x, wb_start, NULL);
    if (rc == 1)
        rc = bad_xlsx(b->e, "no xl/workbook.xml");
    if (rc == 0 && !x->have_rid)
        rc = bad_xlsx(b->e, "no worksheet");
    if (rc == 0 && read_part(za, "xl/_rels/workbook.xml.rels", x, rels_start, NULL) < 0)
        rc = -1;
    char sheet[300] = "xl/worksheets/sheet1.xml"; /* when the rels do not say */
    if (rc == 0 && x->have_target) {
        const char *t = x->target;
        if (strstr(t, "..") || strchr(t, '\\'))
            rc = bad_xlsx(b->e, "sheet path");
        else if (t[0] == '/')
            snprintf(sheet, sizeof sheet, "%s", t + 1);
        else
            snprintf(sheet, sizeof sheet, "xl/%s", t);
    }
    if (rc == 0 && read_part(za, "xl/sharedStrings.xml", x, sst_start, sst_end) < 0)
        rc = -1;
    if (rc == 0) {
        x->in_t = x->rph = 0;
        rc = read_part(za, sheet, x, sheet_start, sheet_end);
        if (rc == 1)
            rc = bad_xlsx(b->e, "worksheet missing");
        /* an unclosed <row> at the end of a truncated-but-parsable sheet */
        if (rc == 0 && x->in_row && tc_roster_rb_row_end(b) != 0)
            rc = -1;
    }
    free(x->sst);
    free(x);
    zip_discard(za); /* read-only: nothing to write back; also frees src */
    if (rc != 0)
        b->failed = 1;
    return rc ? -1 : 0;
}
