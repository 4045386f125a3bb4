/* tc_base — see tc_base.h. */
#include "tc_base.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- errors ---------------------------------------------------------------- */

int tc_err_setv(tc_err *e, int status, const char *code, const char *zh, va_list zap, const char *en,
                va_list eap)
{
    if (!e)
        return -1;
    e->status = status;
    snprintf(e->code, sizeof e->code, "%s", code);
    vsnprintf(e->zh, sizeof e->zh, zh, zap);
    vsnprintf(e->en, sizeof e->en, en, eap);
    return -1;
}

int tc_err_set(tc_err *e, int status, const char *code, const char *zh, const char *en, ...)
{
    if (!e)
        return -1;
    va_list a, b;
    va_start(a, en);
    va_copy(b, a);
    /* The format attribute checks `en`; `zh` is written by us with the same
     * conversions, so passing it as a format is safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    tc_err_setv(e, status, code, zh, a, en, b);
#pragma GCC diagnostic pop
    va_end(b);
    va_end(a);
    return -1;
}

void tc_err_clear(tc_err *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

int tc_err_internal(tc_err *e, const char *what, ...)
{
    char detail[200];
    va_list ap;
    va_start(ap, what);
    vsnprintf(detail, sizeof detail, what, ap);
    va_end(ap);
    tc_log(TC_LOG_ERROR, "internal: %s", detail);
    return tc_err_set(e, TCE_INTERNAL_2, detail);
}

void *tc_mem_zalloc(size_t size, tc_err *e)
{
    void *p = calloc(1, size);
    if (!p)
        tc_err_internal(e, "out of memory");
    return p;
}

/* ---- pool -------------------------------------------------------------------- */

struct tc_pool_chunk {
    tc_pool_chunk *next;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

enum { TC_POOL_CHUNK = 16 * 1024 };

void tc_pool_init(tc_pool *p)
{
    memset(p, 0, sizeof *p);
}

void *tc_pool_alloc(tc_pool *p, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!p->head || p->used + n > p->head->cap) {
        size_t cap = n > TC_POOL_CHUNK / 2 ? n : TC_POOL_CHUNK;
        tc_pool_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            abort();
        c->cap = cap;
        if (p->head && cap == n && p->used + 64 < p->head->cap) {
            /* A big one-off allocation: keep using the current chunk for
             * small ones by linking the big chunk behind it. */
            c->next = p->head->next;
            p->head->next = c;
            p->total += n;
            return c->data;
        }
        c->next = p->head;
        p->head = c;
        p->used = 0;
    }
    void *r = p->head->data + p->used;
    p->used += n;
    p->total += n;
    return r;
}

void *tc_pool_zalloc(tc_pool *p, size_t n)
{
    void *r = tc_pool_alloc(p, n);
    memset(r, 0, n);
    return r;
}

char *tc_pool_strndup(tc_pool *p, const char *s, size_t n)
{
    char *r = tc_pool_alloc(p, n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

char *tc_pool_strdup(tc_pool *p, const char *s)
{
    return s ? tc_pool_strndup(p, s, strlen(s)) : NULL;
}

char *tc_pool_printf(tc_pool *p, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *r = tc_pool_alloc(p, (size_t)n + 1);
    vsnprintf(r, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return r;
}

void tc_pool_clear(tc_pool *p)
{
    tc_pool_chunk *c = p->head;
    while (c) {
        tc_pool_chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(p, 0, sizeof *p);
}

/* ---- buffer -------------------------------------------------------------------- */

void tc_buf_init(tc_buf *b)
{
    memset(b, 0, sizeof *b);
}

static void buf_reserve(tc_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        abort();
    b->data = d;
    b->cap = cap;
}

void tc_buf_append(tc_buf *b, const void *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void tc_buf_puts(tc_buf *b, const char *s)
{
    tc_buf_append(b, s, strlen(s));
}

void tc_buf_printf(tc_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void tc_buf_free(tc_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

char *tc_buf_steal(tc_buf *b, size_t *len)
{
    if (!b->data)
        tc_buf_append(b, "", 0);
    char *d = b->data;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof *b);
    return d;
}

/* ---- files -------------------------------------------------------------------- */

int tc_file_read(const char *path, size_t max, char **out, size_t *len, tc_err *e)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tc_err_set(e, TCE_FILE_NOT_FOUND, path);
    tc_buf b;
    tc_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max) {
            fclose(f);
            tc_buf_free(&b);
            return tc_err_set(e, TCE_FILE_TOO_LARGE, path, max);
        }
        tc_buf_append(&b, chunk, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        tc_buf_free(&b);
        return tc_err_internal(e, "read %s", path);
    }
    *out = tc_buf_steal(&b, len);
    return 0;
}

int tc_file_write_atomic(const char *path, const void *data, size_t len, tc_err *e)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp)
        abort();
    snprintf(tmp, pl + 32, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return tc_err_internal(e, "mkstemp for %s: %s", path, strerror(errno));
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int er = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return tc_err_internal(e, "write %s: %s", path, strerror(er));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || fchmod(fd, 0640) != 0 || close(fd) != 0) {
        int er = errno;
        unlink(tmp);
        free(tmp);
        return tc_err_internal(e, "fsync %s: %s", path, strerror(er));
    }
    if (rename(tmp, path) != 0) {
        int er = errno;
        unlink(tmp);
        free(tmp);
        return tc_err_internal(e, "rename %s: %s", path, strerror(er));
    }
    /* fsync the directory so the rename itself survives a power cut */
    char *dcopy = strdup(path);
    if (!dcopy)
        abort();
    int dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dcopy);
    free(tmp);
    return 0;
}

void tc_mem_keep_freed(void)
{
    /* 32 MB is the largest mmap threshold glibc accepts on 64-bit (half
     * its per-thread heap size); anything larger is mmap'ed as before.
     * The trim threshold keeps the top of each heap instead of trimming it
     * after every photo. */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
}

int tc_mkdirs(const char *path, tc_err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return tc_err_internal(e, "bad directory path");
    memcpy(buf, path, n + 1);
    for (char *q = buf + 1; *q; q++) {
        if (*q == '/') {
            *q = 0;
            if (mkdir(buf, 0750) != 0 && errno != EEXIST)
                return tc_err_internal(e, "mkdir %s: %s", buf, strerror(errno));
            *q = '/';
        }
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return tc_err_internal(e, "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

/* ---- time ----------------------------------------------------------------------- */

int64_t tc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t tc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tc_time_fmt_cn(int64_t t, char out[20])
{
    time_t cn = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&cn, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- log ------------------------------------------------------------------------ */

static const char *const LOG_NAMES[] = {"debug", "info", "warn", "error"};
/* Set by main once (tc_log_set_level); debug lines (libmicrohttpd's reports of
 * clients that misbehave, libvips's notes) are for someone looking into a
 * problem, not for the default log. */
static atomic_int log_min = TC_LOG_INFO;

void tc_log_set_level(tc_log_level min)
{
    atomic_store(&log_min, (int)min);
}

int tc_log_level_parse(const char *name, tc_log_level *out)
{
    for (int i = 0; name && i < (int)TC_ARRAY_LEN(LOG_NAMES); i++)
        if (!strcmp(name, LOG_NAMES[i])) {
            *out = (tc_log_level)i;
            return 0;
        }
    return -1;
}

void tc_log(tc_log_level lvl, const char *fmt, ...)
{
    if ((int)lvl < atomic_load(&log_min))
        return;
    const char *const *names = LOG_NAMES;
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %s ", ts.tv_nsec / 1000000, names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    /* one write(2) so that lines from different threads never interleave */
    ssize_t w = write(2, line, len);
    (void)w;
}

/* ---- strings ---------------------------------------------------------------------- */

int tc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k;
        unsigned cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            cp = c & 0x07;
        } else
            return 0;
        if ((size_t)(end - p) <= k)
            return 0;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += k + 1;
    }
    return 1;
}

size_t tc_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

size_t tc_reader_read(char *dst, size_t size, size_t nmemb, void *reader)
{
    tc_reader *r = reader;
    size_t n = size * nmemb, left = r->len - r->off;
    if (n > left)
        n = left;
    memcpy(dst, r->data + r->off, n);
    r->off += n;
    return n;
}

void tc_str_free_secret(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

char *tc_str_trim(char *s)
{
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s += 3; /* BOM */
        else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
            s += 3; /* U+3000 ideographic space */
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                 (unsigned char)s[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    s[n] = 0;
    return s;
}

int tc_ct_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

int tc_hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

void tc_hex(const uint8_t *in, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[in[i] >> 4];
        out[2 * i + 1] = h[in[i] & 15];
    }
    out[2 * n] = 0;
}
