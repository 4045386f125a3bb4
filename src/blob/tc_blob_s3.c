/* tc_blob's S3 backend — see tc_blob.h and blob_s3.h.
 *
 * Path-style requests <endpoint>/<bucket>/<prefix><id>, signed by libcurl
 * (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3").  libcurl 7.88 does not add the
 * x-amz-content-sha256 header S3 wants, but when the request carries one it
 * signs it and uses its value as the payload hash: we send the SHA-256 of
 * the body (for a put that is the id; otherwise the hash of nothing). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_s3.h"

/* the SHA-256 of no bytes: the payload hash of HEAD, GET and DELETE */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

enum {
    S3_CONNECT_TIMEOUT_S = 10,
    S3_LOW_SPEED_BYTES = 1024, /* slower than this ... */
    S3_LOW_SPEED_S = 30,       /* ... for this long is a failure */
    S3_TIMEOUT_S = 300,        /* no request lasts longer */
    S3_ERROR_BODY_MAX = 4096,  /* of an error answer we keep this much */
};

struct blob_s3 {
    char *endpoint; /* owned; no trailing slash */
    char *bucket;   /* owned */
    char *prefix;   /* owned; "" or ending in '/' */
    char *sigv4;    /* owned: "aws:amz:<region>:s3" */
    char *access;   /* owned */
    char *secret;   /* owned; wiped at close, never logged */
};

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static int bucket_valid(const char *b, size_t n)
{
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' || b[i] == '-'))
            return 0;
    return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

/* A prefix of safe characters only, so a key never needs escaping: letters,
 * digits, "-_./", no "//", no "." or ".." segment. */
static int prefix_valid(const char *p)
{
    size_t n = strlen(p);
    if (n > 200)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-_./", ch)))
            return 0;
    }
    for (const char *seg = p; *seg;) {
        const char *end = strchr(seg, '/');
        size_t k = end ? (size_t)(end - seg) : strlen(seg);
        if (k == 0 || (k == 1 && seg[0] == '.') || (k == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg += k;
        if (*seg == '/')
            seg++;
    }
    return 1;
}

static int endpoint_valid(const char *u)
{
    const char *rest;
    if (!strncmp(u, "http://", 7))
        rest = u + 7;
    else if (!strncmp(u, "https://", 8))
        rest = u + 8;
    else
        return 0;
    if (!*rest || strlen(u) > 512)
        return 0;
    for (const char *q = rest; *q; q++)
        if (*q == '/' || *q == '?' || *q == '#' || *q == '@' || (unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
            return *q == '/' && q[1] == 0; /* one trailing slash is fine */
    return 1;
}

/* ---- one request ---------------------------------------------------------------------------------------- */

typedef struct {
    CURL *h;
    char *buf;
    size_t len, cap, max;
    int get;     /* a GET: a 2xx body is the blob, capped at max */
    int too_big;
    tc_reader body;   /* what a PUT sends */
    curl_off_t clen;  /* the answer's Content-Length, -1 when it has none */
} xfer;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    int strict = x->get && status >= 200 && status < 300;
    size_t max = strict ? x->max : S3_ERROR_BODY_MAX;
    if (!x->buf) {
        /* the first bytes: refuse a too-large Content-Length before reading */
        curl_off_t cl = -1;
        curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        if (strict && cl > 0 && (uint64_t)cl > (uint64_t)max) {
            x->too_big = 1;
            return 0; /* abort the transfer */
        }
        x->cap = cl > 0 ? (size_t)cl + 1 : 65536;
        if (x->cap > max + 1)
            x->cap = max + 1;
        x->buf = malloc(x->cap);
        if (!x->buf)
            return 0;
    }
    if (n > max - x->len) {
        if (strict) {
            x->too_big = 1;
            return 0;
        }
        n = max - x->len; /* an error answer: keep its beginning */
        if (!n)
            return size * nmemb;
    }
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap * 2 > x->len + n + 1 ? x->cap * 2 : x->len + n + 1;
        if (cap > max + 1)
            cap = max + 1;
        char *nb = realloc(x->buf, cap);
        if (!nb)
            return 0;
        x->buf = nb;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, ptr, n);
    x->len += n;
    x->buf[x->len] = 0;
    return size * nmemb;
}

/* The S3 error code of an error answer (<Code>SignatureDoesNotMatch</Code>),
 * or the status line's meaning; never the secret. */
static void error_code(const xfer *x, long status, char out[64])
{
    snprintf(out, 64, "HTTP %ld", status);
    if (!x->buf)
        return;
    const char *a = strstr(x->buf, "<Code>"), *b = a ? strstr(a, "</Code>") : NULL;
    if (!a || !b || b - a - 6 <= 0 || b - a - 6 >= 48)
        return;
    for (const char *q = a + 6; q < b; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
            return;
    snprintf(out, 64, "%.*s", (int)(b - a - 6), a + 6);
}

/* One signed request.  key NULL: the bucket itself.  method: HEAD, GET,
 * PUT (body, body_sha), DELETE.  GET answers go to x->buf (at most max
 * bytes).  *status is the HTTP status; -1 with e set when no answer came. */
static int request(const blob_s3 *c, const char *method, const char *key, const void *body, size_t body_len,
                   const char *body_sha, size_t max, xfer *x, long *status, tc_err *e)
{
    memset(x, 0, sizeof *x);
    *status = 0;
    x->max = max;
    x->get = !strcmp(method, "GET");
    CURL *h = curl_easy_init();
    if (!h)
        return tc_err_internal(e, "curl_easy_init failed");
    x->h = h;
    char url[1024];
    int n = key ? snprintf(url, sizeof url, "%s/%s/%s%s", c->endpoint, c->bucket, c->prefix, key)
                : snprintf(url, sizeof url, "%s/%s", c->endpoint, c->bucket);
    if (n < 0 || (size_t)n >= sizeof url) {
        curl_easy_cleanup(h);
        return tc_err_internal(e, "object store URL too long");
    }
    char sha_hdr[96];
    snprintf(sha_hdr, sizeof sha_hdr, "x-amz-content-sha256: %s", body_sha ? body_sha : EMPTY_SHA256);
    struct curl_slist *hdr = curl_slist_append(NULL, sha_hdr);
    /* (no "Expect:" to turn 100-continue off: libcurl 7.88 signs the empty
     * header it then does not send, and the store refuses the signature) */
    if (!hdr) {
        curl_easy_cleanup(h);
        return tc_err_internal(e, "out of memory");
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)S3_CONNECT_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)S3_LOW_SPEED_BYTES);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)S3_LOW_SPEED_S);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)S3_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->access);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (!strcmp(method, "PUT")) {
        x->body = (tc_reader){body, body_len, 0};
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, tc_reader_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &x->body);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    x->clen = -1;
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &x->clen);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdr);
    x->h = NULL;
    if (x->too_big)
        return 0; /* the caller reports it */
    if (rc != CURLE_OK) {
        free(x->buf);
        x->buf = NULL;
        x->len = 0;
        *status = 0;
        tc_log(TC_LOG_ERROR, "object store %s: %s %s: %s", c->endpoint, method, key ? key : "(bucket)",
               curl_easy_strerror(rc));
        return tc_err_set(e, TCE_BLOB_S3_UNREACHABLE);
    }
    return 0;
}

/* An answer that is not what the caller wanted, as an error. */
static int answer_error(const blob_s3 *c, const char *what, xfer *x, long status, tc_err *e)
{
    char code[64];
    error_code(x, status, code);
    free(x->buf);
    x->buf = NULL;
    if (status == 401 || status == 403) {
        tc_log(TC_LOG_ERROR, "object store %s refused %s (%s)", c->endpoint, what, code);
        return tc_err_set(e, TCE_BLOB_S3_DENIED);
    }
    tc_log(TC_LOG_ERROR, "object store %s answered %ld (%s) to %s", c->endpoint, status, code, what);
    return tc_err_set(e, TCE_BLOB_S3_FAILED, status);
}

/* ---- the backend ---------------------------------------------------------------------------------------- */

blob_s3 *blob_s3_open(const char *where, const tc_blob_s3_opts *o, tc_err *e)
{
    const char *slash = strchr(where, '/');
    size_t bn = slash ? (size_t)(slash - where) : strlen(where);
    const char *prefix = slash ? slash + 1 : "";
    if (!bucket_valid(where, bn) || !prefix_valid(prefix)) {
        tc_err_set(e, TCE_BLOB_S3_CONFIG);
        return NULL;
    }
    if (!o || !o->endpoint || !endpoint_valid(o->endpoint)) {
        tc_err_set(e, TCE_BLOB_S3_CONFIG_2);
        return NULL;
    }
    if (!o->access_key || !*o->access_key || !o->secret_key || !*o->secret_key) {
        tc_err_set(e, TCE_BLOB_S3_CONFIG_3);
        return NULL;
    }
    const char *region = o->region && *o->region ? o->region : "us-east-1";
    for (const char *q = region; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-') || q - region > 40) {
            tc_err_set(e, TCE_BLOB_S3_CONFIG_2);
            return NULL;
        }
    blob_s3 *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->endpoint = dup_or_die(o->endpoint);
    size_t n = strlen(c->endpoint);
    if (n && c->endpoint[n - 1] == '/')
        c->endpoint[n - 1] = 0;
    c->bucket = strndup(where, bn);
    if (!c->bucket)
        abort();
    size_t pn = strlen(prefix);
    c->prefix = malloc(pn + 2);
    if (!c->prefix)
        abort();
    snprintf(c->prefix, pn + 2, "%s%s", prefix, pn && prefix[pn - 1] != '/' ? "/" : "");
    size_t sn = strlen(region) + 16;
    c->sigv4 = malloc(sn);
    if (!c->sigv4)
        abort();
    snprintf(c->sigv4, sn, "aws:amz:%s:s3", region);
    c->access = dup_or_die(o->access_key);
    c->secret = dup_or_die(o->secret_key);
    /* ask now, so that wrong keys stop the server at start, not at the
     * first upload */
    xfer x;
    long status;
    if (request(c, "HEAD", NULL, NULL, 0, NULL, 0, &x, &status, e) != 0) {
        blob_s3_close(c);
        return NULL;
    }
    if (status == 404) {
        free(x.buf);
        tc_err_set(e, TCE_BLOB_S3_NO_BUCKET, c->bucket);
        blob_s3_close(c);
        return NULL;
    }
    if (status < 200 || status >= 300) {
        answer_error(c, "HEAD bucket", &x, status, e);
        blob_s3_close(c);
        return NULL;
    }
    free(x.buf);
    tc_log(TC_LOG_INFO, "blob store: s3 bucket %s at %s (prefix \"%s\", region %s)", c->bucket, c->endpoint, c->prefix,
           region);
    return c;
}

void blob_s3_close(blob_s3 *c)
{
    if (!c)
        return;
    tc_str_free_secret(c->secret);
    free(c->access);
    free(c->sigv4);
    free(c->prefix);
    free(c->bucket);
    free(c->endpoint);
    free(c);
}

int blob_s3_exists(const blob_s3 *c, const char *id)
{
    xfer x;
    long status;
    if (request(c, "HEAD", id, NULL, 0, NULL, 0, &x, &status, NULL) != 0)
        return 0;
    free(x.buf);
    return status >= 200 && status < 300;
}

int blob_s3_size(const blob_s3 *c, const char *id, uint64_t *size, tc_err *e)
{
    xfer x;
    long status;
    if (request(c, "HEAD", id, NULL, 0, NULL, 0, &x, &status, e) != 0)
        return -1;
    free(x.buf);
    if (status == 404)
        return tc_err_set(e, TCE_BLOB_NOT_FOUND);
    if (status < 200 || status > 299 || x.clen < 0)
        return answer_error(c, "HEAD object", &x, status, e);
    *size = (uint64_t)x.clen;
    return 0;
}

int blob_s3_put(const blob_s3 *c, const char *id, const void *data, size_t len, tc_err *e)
{
    xfer x;
    long status;
    if (request(c, "HEAD", id, NULL, 0, NULL, 0, &x, &status, e) != 0)
        return -1;
    if (status != 404 && (status < 200 || status >= 300))
        return answer_error(c, "HEAD object", &x, status, e);
    free(x.buf);
    if (status != 404)
        return 0; /* dedup: the same key holds the same bytes */
    /* the id is the SHA-256 of the bytes: the payload hash the store checks */
    if (request(c, "PUT", id, data, len, id, 0, &x, &status, e) != 0)
        return -1;
    if (status < 200 || status >= 300)
        return answer_error(c, "PUT object", &x, status, e);
    free(x.buf);
    return 0;
}

int blob_s3_get(const blob_s3 *c, const char *id, size_t max, char **data, size_t *len, tc_err *e)
{
    *data = NULL;
    *len = 0;
    xfer x;
    long status;
    if (request(c, "GET", id, NULL, 0, NULL, max, &x, &status, e) != 0)
        return -1;
    if (x.too_big) {
        free(x.buf);
        return tc_err_set(e, TCE_BLOB_TOO_LARGE, max);
    }
    if (status == 404) {
        free(x.buf);
        return tc_err_set(e, TCE_BLOB_NOT_FOUND);
    }
    if (status < 200 || status >= 300)
        return answer_error(c, "GET object", &x, status, e);
    if (!x.buf) { /* an empty blob */
        x.buf = malloc(1);
        if (!x.buf)
            abort();
        x.buf[0] = 0;
    }
    *data = x.buf;
    *len = x.len;
    return 0;
}

int blob_s3_remove(const blob_s3 *c, const char *id, tc_err *e)
{
    xfer x;
    long status;
    if (request(c, "DELETE", id, NULL, 0, NULL, 0, &x, &status, e) != 0)
        return -1;
    if (status == 404 || (status >= 200 && status < 300)) {
        free(x.buf);
        return 0;
    }
    return answer_error(c, "DELETE object", &x, status, e);
}
