/*
 * tc_http_form — request-body parsers that need no connection:
 * multipart/form-data and application/x-www-form-urlencoded, plus the
 * extension -> MIME table.  Kept apart from the server so the fuzz target
 * links only pure functions over a byte buffer.
 *
 * Both parsers work on the whole body already in memory (the server has
 * bounded it by the route's max_body), so they never stream and every loop
 * is bounded by len.  Every byte they return is a copy in the pool, followed
 * by a NUL, so callers may use the data as a C string when they know it is
 * text.
 */
#include "tc_http.h"

#include <string.h>
#include <strings.h>

enum {
    FORM_MAX_PARTS = 32,     /* documented in tc_http.h                 */
    FORM_MAX_HEADER = 1024,  /* bytes of one part's header block / name */
    BOUNDARY_MAX = 70,       /* RFC 2046 section 5.1.1                  */
};

/* ---- small helpers ----------------------------------------------------------- */

static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/* Find needle in [hay, hay+len).  memmem is a GNU extension we have
 * (_GNU_SOURCE), but wrapping it keeps the zero-length cases explicit. */
static const char *find(const char *hay, size_t len, const char *needle, size_t nlen)
{
    if (nlen == 0 || len < nlen)
        return NULL;
    return memmem(hay, len, needle, nlen);
}

/* Parse one "; key=value" parameter list (Content-Type or Content-Disposition)
 * starting at s, looking for key.  The value may be a token or a quoted
 * string with backslash escapes.  Returns a pool copy or NULL when absent or
 * malformed.  Parameter names compare case-insensitively (RFC 2045). */
static char *param_get(tc_pool *p, const char *s, const char *end, const char *key)
{
    size_t klen = strlen(key);
    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        if (!semi)
            return NULL;
        s = skip_ws(semi + 1, end);
        const char *eq = s;
        while (eq < end && *eq != '=' && *eq != ';')
            eq++;
        if (eq >= end || *eq != '=')
            continue; /* a parameter without a value: skip it */
        const char *kend = eq;
        while (kend > s && (kend[-1] == ' ' || kend[-1] == '\t'))
            kend--;
        int match = (size_t)(kend - s) == klen && strncasecmp(s, key, klen) == 0;
        const char *v = skip_ws(eq + 1, end);
        if (v < end && *v == '"') {
            /* quoted-string: copy with escapes removed */
            char *out = tc_pool_alloc(p, (size_t)(end - v) + 1);
            size_t o = 0;
            const char *q = v + 1;
            for (; q < end && *q != '"'; q++) {
                if (*q == '\\' && q + 1 < end)
                    q++;
                out[o++] = *q;
            }
            if (q >= end)
                return NULL; /* unterminated quote */
            out[o] = 0;
            if (match)
                return out;
            s = q + 1;
        } else {
            const char *ve = v;
            while (ve < end && *ve != ';' && *ve != ' ' && *ve != '\t')
                ve++;
            if (match)
                return tc_pool_strndup(p, v, (size_t)(ve - v));
            s = ve;
        }
    }
    return NULL;
}

static int bad_multipart(tc_err *e, const char *why)
{
    return tc_err_set(e, TCE_HTTP_BAD_MULTIPART, why);
}

static int too_many_parts(tc_err *e)
{
    return tc_err_set(e, TCE_HTTP_TOO_MANY_PARTS, FORM_MAX_PARTS);
}

/* ---- multipart/form-data --------------------------------------------------------- */

/* Parse one part's header block [h, hend) (lines separated by CRLF, without
 * the blank line).  Fills name, filename, content_type. */
static int part_headers(tc_pool *p, const char *h, const char *hend, tc_http_part *part, tc_err *e)
{
    int have_disposition = 0;
    while (h < hend) {
        const char *eol = find(h, (size_t)(hend - h), "\r\n", 2);
        const char *le = eol ? eol : hend;
        if (memchr(h, 0, (size_t)(le - h)) || memchr(h, '\n', (size_t)(le - h)))
            return bad_multipart(e, "control character in a part header");
        const char *colon = memchr(h, ':', (size_t)(le - h));
        if (!colon)
            return bad_multipart(e, "part header without ':'");
        size_t nlen = (size_t)(colon - h);
        const char *v = skip_ws(colon + 1, le);
        const char *ve = le;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (nlen == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
            /* form-data; name="x"; filename="y" */
            const char *t = v;
            while (t < ve && *t != ';' && *t != ' ' && *t != '\t')
                t++;
            if ((size_t)(t - v) != 9 || strncasecmp(v, "form-data", 9) != 0)
                return bad_multipart(e, "part is not form-data");
            part->name = param_get(p, t, ve, "name");
            part->filename = param_get(p, t, ve, "filename");
            have_disposition = 1;
        } else if (nlen == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
            part->content_type = tc_pool_strndup(p, v, (size_t)(ve - v));
        }
        /* Other part headers (Content-Transfer-Encoding, ...) are ignored:
         * browsers send none and RFC 7578 deprecates them. */
        h = eol ? eol + 2 : hend;
    }
    if (!have_disposition || !part->name)
        return bad_multipart(e, "part without a name");
    return 0;
}

int tc_http_parse_multipart(tc_pool *p, const char *content_type, const char *body, size_t len,
                            tc_http_part **parts, size_t *n, tc_err *e)
{
    *parts = NULL;
    *n = 0;
    if (!content_type)
        return bad_multipart(e, "no Content-Type");
    const char *ct_end = content_type + strlen(content_type);
    const char *semi = strchr(content_type, ';');
    const char *type_end = semi ? semi : ct_end;
    while (type_end > content_type && (type_end[-1] == ' ' || type_end[-1] == '\t'))
        type_end--;
    const char *type = skip_ws(content_type, type_end);
    if ((size_t)(type_end - type) != 19 || strncasecmp(type, "multipart/form-data", 19) != 0)
        return bad_multipart(e, "not multipart/form-data");
    char *boundary = semi ? param_get(p, semi, ct_end, "boundary") : NULL;
    if (!boundary || !*boundary || strlen(boundary) > BOUNDARY_MAX)
        return bad_multipart(e, "missing or invalid boundary");
    if (!body)
        len = 0;

    /* The delimiter is CRLF "--" boundary; the very first one may start the
     * body without the CRLF.  Building "\r\n--boundary" once lets one memmem
     * find every later delimiter. */
    size_t blen = strlen(boundary);
    size_t dlen = blen + 4;
    char *delim = tc_pool_alloc(p, dlen + 1);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    delim[dlen] = 0;

    size_t pos; /* index just after a delimiter */
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        pos = dlen - 2;
    } else {
        const char *d = find(body, len, delim, dlen); /* skip a preamble */
        if (!d)
            return bad_multipart(e, "no boundary found");
        pos = (size_t)(d - body) + dlen;
    }

    tc_http_part *out = tc_pool_zalloc(p, sizeof *out * FORM_MAX_PARTS);
    size_t count = 0;
    for (;;) {
        /* After a delimiter: "--" closes the body, else optional linear
         * white space (RFC 2046 "transport padding") and CRLF. */
        if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-')
            break; /* the epilogue after the close delimiter is ignored */
        while (pos < len && (body[pos] == ' ' || body[pos] == '\t'))
            pos++;
        if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')
            return bad_multipart(e, "truncated body or bad delimiter line");
        pos += 2;
        if (count == FORM_MAX_PARTS)
            return too_many_parts(e);

        /* Header block: ends at the first empty line, bounded to 1 KiB. */
        const char *h = body + pos;
        size_t avail = len - pos;
        const char *hend;
        size_t data_off;
        if (avail >= 2 && h[0] == '\r' && h[1] == '\n') {
            hend = h; /* no headers at all */
            data_off = pos + 2;
        } else {
            size_t lim = avail < FORM_MAX_HEADER + 4 ? avail : FORM_MAX_HEADER + 4;
            const char *blank = find(h, lim, "\r\n\r\n", 4);
            if (!blank)
                return bad_multipart(e, avail > FORM_MAX_HEADER ? "part header too long" : "truncated part header");
            hend = blank;
            data_off = (size_t)(blank - body) + 4;
        }
        tc_http_part *part = &out[count];
        if (part_headers(p, h, hend, part, e) < 0)
            return -1;
        if (strlen(part->name) > FORM_MAX_HEADER)
            return bad_multipart(e, "field name too long");

        const char *d = find(body + data_off, len - data_off, delim, dlen);
        if (!d)
            return bad_multipart(e, "part not terminated by a boundary");
        size_t dl = (size_t)(d - body) - data_off;
        part->data = tc_pool_strndup(p, body + data_off, dl);
        part->len = dl;
        count++;
        pos = (size_t)(d - body) + dlen;
    }
    *parts = out;
    *n = count;
    return 0;
}

/* ---- application/x-www-form-urlencoded ------------------------------------------- */

/* Decode [s, s+n) ('+' is a space, %XX a byte) into a pool string. */
static int url_decode(tc_pool *p, const char *s, size_t n, char **out, size_t *olen)
{
    char *r = tc_pool_alloc(p, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            r[o++] = ' ';
        } else if (s[i] == '%') {
            if (n - i < 3)
                return -1;
            int hi = tc_hexval((unsigned char)s[i + 1]);
            int lo = tc_hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            r[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            r[o++] = s[i];
        }
    }
    r[o] = 0;
    *out = r;
    *olen = o;
    return 0;
}

int tc_http_parse_urlencoded(tc_pool *p, const char *body, size_t len, tc_http_part **parts, size_t *n,
                             tc_err *e)
{
    *parts = NULL;
    *n = 0;
    if (!body)
        len = 0;
    tc_http_part *out = tc_pool_zalloc(p, sizeof *out * FORM_MAX_PARTS);
    size_t count = 0;
    size_t i = 0;
    while (i < len) {
        const char *seg = body + i;
        const char *amp = memchr(seg, '&', len - i);
        size_t slen = amp ? (size_t)(amp - seg) : len - i;
        i += slen + 1;
        if (slen == 0)
            continue; /* "a=1&&b=2" */
        if (count == FORM_MAX_PARTS)
            return too_many_parts(e);
        const char *eq = memchr(seg, '=', slen);
        size_t klen = eq ? (size_t)(eq - seg) : slen;
        char *name, *value;
        size_t nlen, vlen;
        if (klen > FORM_MAX_HEADER * 3)
            return tc_err_set(e, TCE_HTTP_BAD_FORM);
        int bad = url_decode(p, seg, klen, &name, &nlen) < 0;
        if (eq) {
            bad = bad || url_decode(p, eq + 1, slen - klen - 1, &value, &vlen) < 0;
        } else {
            value = tc_pool_strdup(p, "");
            vlen = 0;
        }
        if (bad)
            return tc_err_set(e, TCE_HTTP_BAD_FORM_2);
        if (nlen > FORM_MAX_HEADER || memchr(name, 0, nlen))
            return tc_err_set(e, TCE_HTTP_BAD_FORM_3);
        out[count].name = name;
        out[count].data = value;
        out[count].len = vlen;
        count++;
    }
    *parts = out;
    *n = count;
    return 0;
}

const tc_http_part *tc_http_form_get(const tc_http_part *parts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].name && strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}

/* ---- MIME types ------------------------------------------------------------------------ */

const char *tc_http_mime(const char *filename)
{
    /* Text types carry charset=utf-8 because every page and script of the
     * project is UTF-8 Chinese; without it old browsers guess GBK. */
    static const struct {
        const char *ext;
        const char *type;
    } table[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"txt", "text/plain; charset=utf-8"},
        {"csv", "text/csv; charset=utf-8"},
        {"xml", "application/xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"wasm", "application/wasm"},
        {"pdf", "application/pdf"},
        {"zip", "application/zip"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"mp4", "video/mp4"},
        {"webm", "video/webm"},
        /* Y4M: raw frames for the browser tests' fake camera. */
        {"y4m", "video/x-yuv4mpeg"},
    };
    const char *slash = filename ? strrchr(filename, '/') : NULL;
    const char *base = slash ? slash + 1 : filename;
    const char *dot = base ? strrchr(base, '.') : NULL;
    if (!dot || dot == base)
        return "application/octet-stream";
    for (size_t i = 0; i < TC_ARRAY_LEN(table); i++)
        if (strcasecmp(dot + 1, table[i].ext) == 0)
            return table[i].type;
    return "application/octet-stream";
}
