/* Tests for tc_http: a real server on a free port, spoken to over real
 * sockets with a tiny HTTP/1.1 client (raw bytes, so malformed requests can
 * be sent too).  TLS is checked with the curl program when present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/tc_http.h"

/* ---- a tiny client ------------------------------------------------------------------ */

typedef struct resp {
    int status;    /* 0 = no response (connection closed or reset) */
    char *raw;     /* everything received */
    size_t len;
    char *body;    /* after the blank line */
    size_t body_len;
} resp;

static void resp_free(resp *r)
{
    free(r->raw);
    memset(r, 0, sizeof *r);
}

static int dial(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send req (len bytes) and read until the server closes.  Requests carry
 * "Connection: close" so that EOF ends the answer. */
static int exchange(unsigned port, const char *req, size_t len, resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = dial(port);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may refuse early (413); read what it said */
        off += (size_t)n;
    }
    size_t cap = 4096;
    out->raw = malloc(cap + 1);
    for (;;) {
        if (out->len == cap) {
            cap *= 2;
            out->raw = realloc(out->raw, cap + 1);
        }
        ssize_t n = recv(fd, out->raw + out->len, cap - out->len, 0);
        if (n <= 0)
            break;
        out->len += (size_t)n;
    }
    out->raw[out->len] = 0;
    close(fd);
    if (out->len > 12 && strncmp(out->raw, "HTTP/1.", 7) == 0)
        out->status = atoi(out->raw + 9);
    char *blank = strstr(out->raw, "\r\n\r\n");
    out->body = blank ? blank + 4 : out->raw + out->len;
    out->body_len = (size_t)(out->raw + out->len - out->body);
    return 0;
}

static int request(unsigned port, resp *out, const char *fmt, ...)
{
    char buf[65536];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return exchange(port, buf, (size_t)n, out);
}

/* Value of a response header (in a static buffer) or NULL. */
static const char *hdr(const resp *r, const char *name)
{
    static _Thread_local char val[2048];
    size_t nl = strlen(name);
    const char *p = strstr(r->raw, "\r\n");
    while (p && p < r->body) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r");
            snprintf(val, sizeof val, "%.*s", (int)vl, v);
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

static int count_hdr(const resp *r, const char *name)
{
    int k = 0;
    size_t nl = strlen(name);
    for (const char *p = strstr(r->raw, "\r\n"); p && p < r->body; p = strstr(p, "\r\n")) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            k++;
    }
    return k;
}

static void assert_error_code(const resp *r, const char *code)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, 0, &je);
    assert_non_null(j);
    json_t *err = json_object_get(j, "error");
    assert_non_null(err);
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    assert_non_null(json_string_value(json_object_get(err, "zh")));
    assert_non_null(json_string_value(json_object_get(err, "en")));
    json_decref(j);
}

/* ---- handlers ---------------------------------------------------------------------- */

static int h_item(tc_http_req *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(r->params[0]));
    json_object_set_new(j, "n", json_integer(r->nparams));
    const char *q = tc_http_query(r, "q");
    if (q)
        json_object_set_new(j, "q", json_string(q));
    json_object_set_new(j, "ip", json_string(r->client_ip));
    return tc_http_respond_json(r, 200, j);
}

static int h_two(tc_http_req *r)
{
    char body[256];
    int n = snprintf(body, sizeof body, "%s|%s|%d", r->params[0], r->params[1], r->nparams);
    return tc_http_respond(r, 200, "text/plain", body, (size_t)n);
}

static int h_rest(tc_http_req *r)
{
    return tc_http_respond(r, 200, "text/plain", r->params[0], strlen(r->params[0]));
}

static int h_echo_json(tc_http_req *r)
{
    tc_err e;
    json_t *j = tc_http_json(r, &e);
    if (!j)
        return tc_http_respond_error(r, &e);
    return tc_http_respond_json(r, 200, json_incref(j));
}

static int h_small(tc_http_req *r)
{
    char b[32];
    int n = snprintf(b, sizeof b, "got %zu", r->body_len);
    return tc_http_respond(r, 200, "text/plain", b, (size_t)n);
}

static int h_form(tc_http_req *r)
{
    tc_http_part *parts;
    size_t n;
    tc_err e;
    if (tc_http_form(r, &parts, &n, &e) < 0)
        return tc_http_respond_error(r, &e);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s?,s:s?,s:I}", "name", parts[i].name, "filename",
                                           parts[i].filename, "type", parts[i].content_type, "len",
                                           (json_int_t)parts[i].len));
    const tc_http_part *f = tc_http_form_get(parts, n, "field");
    json_t *j = json_pack("{s:o,s:s?}", "parts", a, "field", f ? f->data : NULL);
    return tc_http_respond_json(r, 200, j);
}

static int h_cookie(tc_http_req *r)
{
    const char *sid = tc_http_cookie(r, "sid");
    tc_http_set_cookie(r, "sid", "abc123", 3600, 1);
    tc_http_set_cookie(r, "old", "", -1, 0);
    tc_http_add_header(r, "X-Seen", sid ? sid : "none");
    return tc_http_respond(r, 200, "text/plain", r->tls ? "tls" : "plain", r->tls ? 3 : 5);
}

static int h_silent(tc_http_req *r)
{
    (void)r;
    return 0; /* forgets to respond: the server must answer 500 */
}

static int h_slow(tc_http_req *r)
{
    usleep(800 * 1000);
    return tc_http_respond(r, 200, "text/plain", "slow done", 9);
}

static int h_download(tc_http_req *r)
{
    const char *path = r->app;
    return tc_http_respond_file(r, 200, NULL, tc_pool_printf(r->pool, "%s/a.css", path), "照片 2024.css");
}

typedef struct sse_state {
    int step;
    int *freed;
} sse_state;

static long sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse_state *st = cls;
    const char *msg = NULL;
    switch (st->step++) {
    case 0: msg = "data: one\n\n"; break;
    case 1: case 2: case 3: return -2; /* nothing yet: the server must wait, not spin */
    case 4: msg = "data: two\n\n"; break;
    default: return 0;
    }
    size_t n = strlen(msg);
    assert_true(n <= max);
    memcpy(buf, msg, n);
    return (long)n;
}

static int sse_freed;

static void sse_free(void *cls)
{
    sse_state *st = cls;
    (*st->freed)++;
    free(st);
}

static int h_stream(tc_http_req *r)
{
    sse_state *st = calloc(1, sizeof *st);
    st->freed = &sse_freed;
    return tc_http_respond_stream(r, 200, "text/event-stream", sse_read, st, sse_free);
}

static long forever_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos == 0 && max >= 3) {
        memcpy(buf, ":\n\n", 3); /* an SSE comment, so the client sees headers */
        return 3;
    }
    return -2; /* nothing, ever */
}

static int h_forever(tc_http_req *r)
{
    sse_state *st = calloc(1, sizeof *st);
    st->freed = &sse_freed;
    return tc_http_respond_stream(r, 200, "text/event-stream", forever_read, st, sse_free);
}

/* ---- fixture ----------------------------------------------------------------------- */

typedef struct fx {
    char dir[256];       /* temp folder */
    char www[300];       /* static root */
    tc_http_server *s;
    unsigned port;
} fx;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static tc_http_server *start(fx *f, tc_http_config *c)
{
    tc_err e;
    tc_http_server *s = tc_http_server_new(c, f->www, &e);
    assert_non_null(s);
    assert_int_equal(tc_http_route(s, "GET", "/api/items/:id", h_item, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "DELETE", "/api/items/:id", h_item, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/a/:x/b/:y", h_two, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/rest/*", h_rest, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "POST", "/api/echo", h_echo_json, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "POST", "/api/small", h_small, 100, &e), 0);
    assert_int_equal(tc_http_route(s, "POST", "/api/form", h_form, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/cookie", h_cookie, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/silent", h_silent, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/slow", h_slow, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/download", h_download, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/stream", h_stream, 0, &e), 0);
    assert_int_equal(tc_http_route(s, "GET", "/api/forever", h_forever, 0, &e), 0);
    assert_int_equal(tc_http_mount(s, "/static/", f->www, 3600, &e), 0);
    char index[400];
    snprintf(index, sizeof index, "%s/index.html", f->www);
    assert_int_equal(tc_http_fallback(s, "/app/", index, &e), 0);
    assert_int_equal(tc_http_server_start(s, &e), 0);
    return s;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tc_http_test.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->www, sizeof f->www, "%s/www", f->dir);
    mkdir(f->www, 0755);
    char p[512];
    const char *files[][2] = {
        {"index.html", "<!doctype html><title>app</title>"},
        {"a.css", "body{}"},
        {"app.js", "1"},
        {"m.mjs", "export{}"},
        {"x.png", "PNG"},
        {"y.webp", "W"},
        {"f.woff2", "F"},
        {"v.y4m", "YUV4MPEG2"},
        {"d.json", "{}"},
        {".secret", "hidden"},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", f->www, files[i][0]);
        write_file(p, files[i][1]);
    }
    snprintf(p, sizeof p, "%s/sub", f->www);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/sub/index.html", f->www);
    write_file(p, "sub index");
    snprintf(p, sizeof p, "%s/outside.txt", f->dir);
    write_file(p, "SECRET OUTSIDE");
    char link[512];
    snprintf(link, sizeof link, "%s/escape.txt", f->www);
    assert_int_equal(symlink(p, link), 0);
    snprintf(link, sizeof link, "%s/inside.css", f->www);
    assert_int_equal(symlink("a.css", link), 0);

    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 3;
    f->s = start(f, &c);
    f->port = tc_http_server_port(f->s);
    assert_true(f->port > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tc_http_server_stop(f->s, 2);
    tc_http_server_free(f->s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_routing(void **state)
{
    fx *f = *state;
    resp r;
    request(f->port, &r, "GET /api/items/42?q=%%E7%%85%%A7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"id\":\"42\""));
    assert_non_null(strstr(r.body, "\"q\":\"照\""));
    assert_non_null(strstr(r.body, "\"ip\":\"127.0.0.1\""));
    assert_string_equal(hdr(&r, "Content-Type"), "application/json");
    /* request id and security headers on every response */
    const char *id = hdr(&r, "X-Request-Id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 16);
    assert_int_equal(strspn(id, "0123456789abcdef"), 16);
    assert_non_null(strstr(hdr(&r, "Content-Security-Policy"), "frame-ancestors 'none'"));
    assert_string_equal(hdr(&r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(hdr(&r, "Referrer-Policy"), "same-origin");
    assert_string_equal(hdr(&r, "X-Frame-Options"), "DENY");
    assert_string_equal(hdr(&r, "Permissions-Policy"), "camera=(self), microphone=(), geolocation=()");
    assert_null(hdr(&r, "Strict-Transport-Security"));
    char first[17];
    snprintf(first, sizeof first, "%s", id);
    resp_free(&r);

    request(f->port, &r, "GET /api/items/43 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_string_not_equal(hdr(&r, "X-Request-Id"), first);
    resp_free(&r);

    request(f->port, &r, "GET /api/a/1/b/two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "1|two|2");
    resp_free(&r);

    request(f->port, &r, "GET /api/rest/x/y/z.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "x/y/z.txt");
    resp_free(&r);

    /* a longer or shorter path than the pattern does not match */
    request(f->port, &r, "GET /api/items/42/more HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 404);
    assert_error_code(&r, "http.not_found");
    assert_non_null(hdr(&r, "X-Request-Id"));
    assert_non_null(hdr(&r, "Content-Security-Policy"));
    resp_free(&r);
    request(f->port, &r, "GET /api/items/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 404);
    resp_free(&r);

    /* 405 with Allow */
    request(f->port, &r, "PUT /api/items/42 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(r.status, 405);
    assert_error_code(&r, "http.method_not_allowed");
    assert_string_equal(hdr(&r, "Allow"), "GET, HEAD, DELETE");
    resp_free(&r);

    /* HEAD is answered by the GET route, without a body */
    request(f->port, &r, "HEAD /api/items/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);

    /* keep-alive: two requests on one connection */
    const char *two = "GET /api/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /api/items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    exchange(f->port, two, strlen(two), &r);
    assert_non_null(strstr(r.raw, "\"id\":\"1\""));
    assert_non_null(strstr(r.raw, "\"id\":\"2\""));
    resp_free(&r);

    /* a handler that forgets to respond */
    request(f->port, &r, "GET /api/silent HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 500);
    assert_error_code(&r, "internal");
    resp_free(&r);

    /* NUL smuggled in the path */
    request(f->port, &r, "GET /api/items/4%%002 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 400);
    assert_error_code(&r, "http.bad_path");
    resp_free(&r);
}

static void test_json(void **state)
{
    fx *f = *state;
    resp r;
    const char *ok = "{\"a\":[1,2,{\"b\":\"照片\"}]}";
    request(f->port, &r,
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json; "
            "charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s",
            strlen(ok), ok);
    assert_int_equal(r.status, 200);
    json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "a"), 2), "b")), "照片");
    json_decref(j);
    resp_free(&r);

    const char *bad[] = {"{\"a\":", "{\"a\":1,\"a\":2}", "", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};
    for (size_t i = 0; i < TC_ARRAY_LEN(bad); i++) {
        request(f->port, &r,
                "POST /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                "Content-Length: %zu\r\n\r\n%s",
                strlen(bad[i]), bad[i]);
        assert_int_equal(r.status, 400);
        assert_error_code(&r, "http.bad_json");
        resp_free(&r);
    }

    request(f->port, &r,
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            "Content-Length: 2\r\n\r\n{}");
    assert_int_equal(r.status, 415);
    assert_error_code(&r, "http.bad_content_type");
    resp_free(&r);
}

static void test_body_limit(void **state)
{
    fx *f = *state;
    resp r;
    request(f->port, &r, "POST /api/small HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "got 5");
    resp_free(&r);

    /* Over the limit: answered at once from the headers, the body is never
     * sent by us and the server does not wait for it. */
    request(f->port, &r, "POST /api/small HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    assert_int_equal(r.status, 413);
    assert_error_code(&r, "http.body_too_large");
    assert_non_null(hdr(&r, "X-Request-Id"));
    resp_free(&r);

    /* with Expect: 100-continue no "100 Continue" is sent before the 413 */
    request(f->port, &r,
            "POST /api/small HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
    assert_int_equal(r.status, 413);
    resp_free(&r);

    /* the default limit (1 MiB) applies to routes that gave 0 */
    request(f->port, &r,
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
    assert_int_equal(r.status, 413);
    resp_free(&r);

    /* chunked within the limit */
    request(f->port, &r,
            "POST /api/small HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "got 7");
    resp_free(&r);

    /* chunked over the limit: the server stops reading and closes */
    char big[600];
    memset(big, 'x', 200);
    big[200] = 0;
    request(f->port, &r,
            "POST /api/small HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            "c8\r\n%s\r\n0\r\n\r\n",
            big);
    assert_int_not_equal(r.status, 200);
    resp_free(&r);
}

static void test_header_limit(void **state)
{
    fx *f = *state;
    resp r;
    /* 8 KiB of headers is fine with the 16 KiB default */
    char *v = malloc(70000);
    memset(v, 'a', 8000);
    v[8000] = 0;
    request(f->port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n", v);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* just under and just over the 16 KiB limit: exact, and a JSON answer */
    memset(v, 'a', 16000);
    v[16000] = 0;
    request(f->port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n", v);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    memset(v, 'a', 17000);
    v[17000] = 0;
    request(f->port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n", v);
    assert_int_equal(r.status, 431);
    assert_error_code(&r, "http.header_too_large");
    assert_non_null(hdr(&r, "X-Request-Id"));
    resp_free(&r);
    /* 60 KiB does not even fit MHD's buffer: refused by MHD (431 or closed) */
    memset(v, 'a', 60000);
    v[60000] = 0;
    request(f->port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\nConnection: close\r\n\r\n", v);
    assert_int_not_equal(r.status, 200);
    if (r.status)
        assert_true(r.status == 431 || r.status == 413 || r.status == 400);
    resp_free(&r);
    /* many medium headers, same thing */
    char *many = malloc(70000);
    size_t o = 0;
    for (int i = 0; i < 600; i++)
        o += (size_t)sprintf(many + o, "X-H%d: %.90s\r\n", i, v);
    request(f->port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", many);
    assert_int_not_equal(r.status, 200);
    resp_free(&r);
    free(many);
    free(v);
}

static void test_static(void **state)
{
    fx *f = *state;
    resp r;
    const char *types[][2] = {
        {"/static/index.html", "text/html; charset=utf-8"},
        {"/static/a.css", "text/css; charset=utf-8"},
        {"/static/app.js", "text/javascript; charset=utf-8"},
        {"/static/m.mjs", "text/javascript; charset=utf-8"},
        {"/static/x.png", "image/png"},
        {"/static/y.webp", "image/webp"},
        {"/static/f.woff2", "font/woff2"},
        {"/static/v.y4m", "video/x-yuv4mpeg"},
        {"/static/d.json", "application/json"},
        {"/static/", "text/html; charset=utf-8"},
        {"/static/sub/", "text/html; charset=utf-8"},
        {"/static/inside.css", "text/css; charset=utf-8"}, /* symlink that stays inside */
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(types); i++) {
        request(f->port, &r, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", types[i][0]);
        assert_int_equal(r.status, 200);
        assert_string_equal(hdr(&r, "Content-Type"), types[i][1]);
        assert_string_equal(hdr(&r, "Cache-Control"), "public, max-age=3600");
        assert_non_null(hdr(&r, "X-Content-Type-Options"));
        resp_free(&r);
    }
    request(f->port, &r, "GET /static/a.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_string_equal(r.body, "body{}");
    char etag[128], lm[128];
    snprintf(etag, sizeof etag, "%s", hdr(&r, "ETag"));
    snprintf(lm, sizeof lm, "%s", hdr(&r, "Last-Modified"));
    assert_true(etag[0] == '"');
    assert_non_null(strstr(lm, " GMT"));
    resp_free(&r);

    request(f->port, &r, "GET /static/a.css HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"zz\", %s\r\nConnection: close\r\n\r\n",
            etag);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    assert_string_equal(hdr(&r, "ETag"), etag);
    resp_free(&r);
    request(f->port, &r, "GET /static/a.css HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    request(f->port, &r, "GET /static/a.css HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: %s\r\nConnection: close\r\n\r\n", lm);
    assert_int_equal(r.status, 304);
    resp_free(&r);
    request(f->port, &r,
            "GET /static/a.css HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"
            "Connection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    request(f->port, &r, "HEAD /static/a.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Length"), "6");
    assert_int_equal(r.body_len, 0);
    resp_free(&r);

    /* never outside the folder */
    const char *evil[] = {
        "/static/../outside.txt",       "/static/%2e%2e/outside.txt", "/static/..%2foutside.txt",
        "/static/%2E%2E%2Foutside.txt", "/static/sub/../../outside.txt", "/static/escape.txt",
        "/static/.secret",              "/static/a.css%00.png",       "/static/..%5coutside.txt",
        "/static//etc/passwd",          "/static/%252e%252e/outside.txt", "/static/sub/..",
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(evil); i++) {
        request(f->port, &r, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", evil[i]);
        if (r.status == 200)
            fail_msg("served %s", evil[i]);
        assert_true(r.status == 400 || r.status == 404);
        assert_null(strstr(r.raw, "SECRET"));
        assert_null(strstr(r.raw, "hidden"));
        resp_free(&r);
    }
    request(f->port, &r, "GET /static/nope.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 404);
    assert_error_code(&r, "http.not_found");
    resp_free(&r);
    request(f->port, &r, "POST /static/a.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(r.status, 405);
    assert_string_equal(hdr(&r, "Allow"), "GET, HEAD");
    resp_free(&r);

    /* single-page app fallback, never for /api/ */
    request(f->port, &r, "GET /app/students/12 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<title>app</title>"));
    assert_string_equal(hdr(&r, "Cache-Control"), "no-cache");
    resp_free(&r);
    request(f->port, &r, "GET /api/unknown HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 404);
    assert_error_code(&r, "http.not_found");
    resp_free(&r);

    /* download with a Chinese name */
    request(f->port, &r, "GET /api/download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "body{}");
    assert_string_equal(hdr(&r, "Content-Type"), "text/css; charset=utf-8");
    assert_string_equal(hdr(&r, "Content-Disposition"),
                        "attachment; filename=\"______ 2024.css\"; filename*=UTF-8''%E7%85%A7%E7%89%87%202024.css");
    resp_free(&r);
}

static void test_mime(void **state)
{
    (void)state;
    assert_string_equal(tc_http_mime("a/b/c.PNG"), "image/png");
    assert_string_equal(tc_http_mime("x.jpg"), "image/jpeg");
    assert_string_equal(tc_http_mime("x.svg"), "image/svg+xml");
    assert_string_equal(tc_http_mime("x.ico"), "image/x-icon");
    assert_string_equal(tc_http_mime("x.pdf"), "application/pdf");
    assert_string_equal(tc_http_mime("x.txt"), "text/plain; charset=utf-8");
    assert_string_equal(tc_http_mime("x.js.map"), "application/json");
    assert_string_equal(tc_http_mime("x"), "application/octet-stream");
    assert_string_equal(tc_http_mime(".bashrc"), "application/octet-stream");
    assert_string_equal(tc_http_mime("dir.d/file"), "application/octet-stream");
}

static void test_cookies(void **state)
{
    fx *f = *state;
    resp r;
    request(f->port, &r, "GET /api/cookie HTTP/1.1\r\nHost: x\r\nCookie: a=1; sid=xyz\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "X-Seen"), "xyz");
    assert_int_equal(count_hdr(&r, "Set-Cookie"), 2);
    assert_non_null(strstr(r.raw, "Set-Cookie: sid=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax\r\n"));
    assert_non_null(strstr(r.raw, "Set-Cookie: old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax\r\n"));
    /* X-Forwarded-Proto is ignored without trust_proxy */
    resp_free(&r);
    request(f->port, &r, "GET /api/cookie HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");
    assert_string_equal(r.body, "plain");
    assert_null(strstr(r.raw, "Secure"));
    resp_free(&r);
}

static void test_proxy(void **state)
{
    fx *f = *state;
    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 1;
    c.trust_proxy = 1;
    fx g = *f;
    tc_http_server *s = start(&g, &c);
    unsigned port = tc_http_server_port(s);
    resp r;
    request(port, &r,
            "GET /api/cookie HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");
    assert_string_equal(r.body, "tls");
    assert_non_null(strstr(r.raw, "HttpOnly; SameSite=Lax; Secure\r\n"));
    assert_non_null(hdr(&r, "Strict-Transport-Security"));
    resp_free(&r);
    request(port, &r,
            "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6, 10.1.2.3\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(r.body, "\"ip\":\"10.1.2.3\""));
    resp_free(&r);
    request(port, &r,
            "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: not-an-ip\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(r.body, "\"ip\":\"127.0.0.1\""));
    resp_free(&r);
    tc_http_server_free(s);

    /* cookie_secure without TLS */
    c.trust_proxy = 0;
    c.cookie_secure = 1;
    s = start(&g, &c);
    port = tc_http_server_port(s);
    request(port, &r, "GET /api/cookie HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_string_equal(r.body, "plain");
    assert_non_null(strstr(r.raw, "HttpOnly; SameSite=Lax; Secure\r\n"));
    resp_free(&r);
    tc_http_server_free(s);
}

static void test_multipart_http(void **state)
{
    fx *f = *state;
    resp r;
    char req[2048];
    const char *head = "POST /api/form HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %zu\r\n\r\n";
    const char part_a[] = "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\n值 value\r\n"
                          "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a b.jpg\"\r\n"
                          "Content-Type: image/jpeg\r\n\r\n\xff\xd8\x00\x01\r\n\r\n--X\r\n--XyZ--\r\n";
    size_t bl = sizeof part_a - 1;
    int n = snprintf(req, sizeof req, head, bl);
    memcpy(req + n, part_a, bl);
    exchange(f->port, req, (size_t)n + bl, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "值 value");
    json_t *parts = json_object_get(j, "parts");
    assert_int_equal(json_array_size(parts), 2);
    json_t *ph = json_array_get(parts, 1);
    assert_string_equal(json_string_value(json_object_get(ph, "name")), "photo");
    assert_string_equal(json_string_value(json_object_get(ph, "filename")), "a b.jpg");
    assert_string_equal(json_string_value(json_object_get(ph, "type")), "image/jpeg");
    assert_int_equal(json_integer_value(json_object_get(ph, "len")), 11); /* ff d8 00 01 CR LF CR LF - - X */
    json_decref(j);
    resp_free(&r);

    request(f->port, &r,
            "POST /api/form HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: 28\r\n\r\nfield=a+b%%E5%%80%%BC&x=&y&&z=1");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"field\":\"a b值\""));
    resp_free(&r);

    request(f->port, &r,
            "POST /api/form HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            "Content-Length: 3\r\n\r\nabc");
    assert_int_equal(r.status, 415);
    resp_free(&r);
}

static void test_multipart_parser(void **state)
{
    (void)state;
    tc_pool p;
    tc_pool_init(&p);
    tc_http_part *parts;
    size_t n;
    tc_err e;
    const char *ct = "multipart/form-data; boundary=\"b1\"";
    /* preamble, empty part headers rejected (no name), epilogue ignored */
    const char ok[] = "preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b1\r\n"
                      "content-disposition: FORM-DATA; filename=\"f;x\\\".txt\"; name=b\r\n\r\n\r\n--b1--\r\nepilogue";
    assert_int_equal(tc_http_parse_multipart(&p, ct, ok, sizeof ok - 1, &parts, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(parts[0].name, "a");
    assert_string_equal(parts[0].data, "1");
    assert_null(parts[0].filename);
    assert_string_equal(parts[1].name, "b");
    assert_string_equal(parts[1].filename, "f;x\".txt");
    assert_int_equal(parts[1].len, 0);

    const char *bad[] = {
        "--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",            /* unterminated */
        "--b1\r\n\r\n1\r\n--b1--",                                               /* no name */
        "--b1\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--b1--",     /* not form-data */
        "nothing here",
        "--b1",
        "--b1\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--b1--",   /* unterminated quote */
        "--b1\r\nContent-Disposition: form-data; name=a\r\n",                     /* truncated headers */
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(bad); i++) {
        tc_err_clear(&e);
        assert_int_equal(tc_http_parse_multipart(&p, ct, bad[i], strlen(bad[i]), &parts, &n, &e), -1);
        assert_string_equal(e.code, "http.bad_multipart");
    }
    assert_int_equal(tc_http_parse_multipart(&p, "multipart/form-data", ok, sizeof ok - 1, &parts, &n, &e), -1);
    assert_int_equal(tc_http_parse_multipart(&p, "text/plain; boundary=b1", ok, sizeof ok - 1, &parts, &n, &e), -1);

    /* header block over 1 KiB */
    tc_buf b;
    tc_buf_init(&b);
    tc_buf_puts(&b, "--b1\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
    for (int i = 0; i < 1100; i++)
        tc_buf_puts(&b, "p");
    tc_buf_puts(&b, "\r\n\r\nv\r\n--b1--\r\n");
    assert_int_equal(tc_http_parse_multipart(&p, ct, b.data, b.len, &parts, &n, &e), -1);
    tc_buf_free(&b);

    /* at most 32 parts */
    tc_buf_init(&b);
    for (int i = 0; i < 33; i++)
        tc_buf_printf(&b, "--b1\r\nContent-Disposition: form-data; name=f%d\r\n\r\nv\r\n", i);
    tc_buf_puts(&b, "--b1--\r\n");
    assert_int_equal(tc_http_parse_multipart(&p, ct, b.data, b.len, &parts, &n, &e), -1);
    assert_string_equal(e.code, "http.too_many_parts");
    assert_int_equal(e.status, 413);
    tc_buf_free(&b);

    assert_int_equal(tc_http_parse_urlencoded(&p, "a=%zz", 5, &parts, &n, &e), -1);
    assert_string_equal(e.code, "http.bad_form");
    assert_int_equal(tc_http_parse_urlencoded(&p, "a=%4", 4, &parts, &n, &e), -1);
    assert_int_equal(tc_http_parse_urlencoded(&p, "%00=1", 5, &parts, &n, &e), -1);
    assert_int_equal(tc_http_parse_urlencoded(&p, "a=%00b", 6, &parts, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(parts[0].len, 2);
    assert_int_equal(tc_http_parse_urlencoded(&p, "", 0, &parts, &n, &e), 0);
    assert_int_equal(n, 0);
    tc_pool_clear(&p);
}

static void test_stream(void **state)
{
    fx *f = *state;
    resp r;
    int before = sse_freed;
    int64_t t0 = tc_now_ms();
    request(f->port, &r, "GET /api/stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    int64_t dt = tc_now_ms() - t0;
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type"), "text/event-stream");
    assert_string_equal(hdr(&r, "Transfer-Encoding"), "chunked");
    assert_non_null(hdr(&r, "X-Request-Id"));
    char *one = strstr(r.body, "data: one");
    char *two = strstr(r.body, "data: two");
    assert_non_null(one);
    assert_non_null(two);
    assert_true(one < two);
    assert_non_null(strstr(r.body, "\r\n0\r\n\r\n"));
    /* three "nothing yet" answers, each waited for, not spun on */
    assert_true(dt >= 100);
    resp_free(&r);
    usleep(50 * 1000);
    assert_int_equal(sse_freed, before + 1);

    /* HEAD: the reader is never called but still freed */
    request(f->port, &r, "HEAD /api/stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    usleep(50 * 1000);
    assert_int_equal(sse_freed, before + 2);
}

typedef struct slow_arg {
    unsigned port;
    resp r;
} slow_arg;

static void *slow_client(void *p)
{
    slow_arg *a = p;
    request(a->port, &a->r, "GET /api/slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return NULL;
}

static void test_graceful_stop(void **state)
{
    fx *f = *state;
    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 2;
    fx g = *f;
    tc_http_server *s = start(&g, &c);
    slow_arg a = {.port = tc_http_server_port(s)};
    pthread_t t;
    pthread_create(&t, NULL, slow_client, &a);
    usleep(250 * 1000); /* the request is in the handler now */
    int64_t t0 = tc_now_ms();
    tc_http_server_stop(s, 5);
    int64_t dt = tc_now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(a.r.status, 200);
    assert_string_equal(a.r.body, "slow done");
    assert_true(dt >= 300 && dt < 4000);
    resp_free(&a.r);
    /* no longer listening */
    assert_int_equal(dial(a.port), -1);
    tc_http_server_stop(s, 1); /* twice is harmless */
    tc_http_server_free(s);

    /* grace shorter than the handler: stop still returns */
    s = start(&g, &c);
    a.port = tc_http_server_port(s);
    pthread_create(&t, NULL, slow_client, &a);
    usleep(200 * 1000);
    tc_http_server_stop(s, 0);
    pthread_join(t, NULL);
    resp_free(&a.r);
    tc_http_server_free(s);

    /* SSE streams that never end: stop closes them at once, not after the
     * grace period (a student's open events page held SIGTERM 16 s); the
     * suspended connections are resumed first, or MHD aborts */
    s = start(&g, &c);
    int before = sse_freed;
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = dial(tc_http_server_port(s));
        const char *rq = "GET /api/forever HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_int_equal(send(fds[i], rq, strlen(rq), MSG_NOSIGNAL), (ssize_t)strlen(rq));
        char buf[1024];
        assert_true(recv(fds[i], buf, sizeof buf, 0) > 0); /* headers (and maybe the comment) */
    }
    usleep(200 * 1000); /* suspended and resumed a few times */
    t0 = tc_now_ms();
    tc_http_server_stop(s, 5);
    dt = tc_now_ms() - t0;
    print_message("stop with 3 idle streams: %lld ms\n", (long long)dt);
    assert_true(dt < 1000);
    assert_int_equal(sse_freed, before + 3);
    for (int i = 0; i < 3; i++) {
        char buf[1024];
        ssize_t n;
        while ((n = recv(fds[i], buf, sizeof buf, 0)) > 0)
            ;
        assert_true(n == 0 || errno == ECONNRESET); /* closed by the server */
        close(fds[i]);
    }
    tc_http_server_free(s);
}

static void test_connection_limits(void **state)
{
    fx *f = *state;
    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 1;
    c.conn_per_ip = 2;
    c.timeout_s = 1;
    fx g = *f;
    tc_http_server *s = start(&g, &c);
    unsigned port = tc_http_server_port(s);
    int a = dial(port), b = dial(port);
    assert_true(a >= 0 && b >= 0);
    usleep(100 * 1000);
    /* the third connection from the same address is closed at once */
    resp r;
    request(port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 0);
    resp_free(&r);
    /* idle connections are closed after timeout_s */
    char buf[16];
    int64_t t0 = tc_now_ms();
    assert_int_equal(recv(a, buf, sizeof buf, 0), 0);
    assert_int_equal(recv(b, buf, sizeof buf, 0), 0);
    int64_t dt = tc_now_ms() - t0;
    assert_true(dt >= 500 && dt < 5000);
    close(a);
    close(b);
    /* with them gone a new connection works (MHD forgets a closed
     * connection's slot a moment after closing it) */
    for (int i = 0; i < 20; i++) {
        request(port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        if (r.status == 200)
            break;
        resp_free(&r);
        usleep(100 * 1000);
    }
    assert_int_equal(r.status, 200);
    resp_free(&r);
    tc_http_server_free(s);
}

/* A gate that wants "X-Key: ok"; counts its calls so the test can see it
 * ran once, at the header stage. */
static int gate_calls;
static int key_gate(tc_http_req *r, int arg, tc_err *e)
{
    __atomic_add_fetch(&gate_calls, 1, __ATOMIC_SEQ_CST);
    assert_int_equal(arg, 7);
    assert_null(r->body); /* the body is not read yet */
    const char *k = tc_http_header(r, "X-Key");
    if (k && !strcmp(k, "ok"))
        return 0;
    return tc_err_set(e, 401, "test.key", "缺少钥匙", "No key");
}

static void test_gate_and_budget(void **state)
{
    fx *f = *state;
    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 2;
    c.body_inflight_ip = 1; /* raised to the largest route limit: 1 MiB */
    c.body_inflight = 1;
    tc_err e;
    tc_http_server *s = tc_http_server_new(&c, f->www, &e);
    assert_non_null(s);
    assert_int_equal(tc_http_route_gated(s, "POST", "/up", h_small, 0, key_gate, 7, &e), 0);
    assert_int_equal(tc_http_server_start(s, &e), 0);
    unsigned port = tc_http_server_port(s);
    resp r;

    /* refused by the gate from the headers: no body sent, answered at once */
    gate_calls = 0;
    request(port, &r, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n");
    assert_int_equal(r.status, 401);
    assert_error_code(&r, "test.key");
    assert_int_equal(gate_calls, 1);
    resp_free(&r);
    /* let through: the handler gets the whole body */
    request(port, &r, "POST /up HTTP/1.1\r\nHost: x\r\nX-Key: ok\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "got 5");
    resp_free(&r);

    /* one address holding 900000 body bytes: a second such body is over
     * the budget (1 MiB) and refused before it is sent */
    int held = dial(port);
    assert_true(held >= 0);
    static const char h1[] = "POST /up HTTP/1.1\r\nHost: x\r\nX-Key: ok\r\nContent-Length: 900000\r\n\r\nabc";
    assert_int_equal(send(held, h1, sizeof h1 - 1, MSG_NOSIGNAL), (ssize_t)(sizeof h1 - 1));
    usleep(200 * 1000);
    request(port, &r, "POST /up HTTP/1.1\r\nHost: x\r\nX-Key: ok\r\nContent-Length: 900000\r\n\r\n");
    assert_int_equal(r.status, 429);
    assert_error_code(&r, "http.too_many_uploads");
    assert_non_null(hdr(&r, "Retry-After"));
    resp_free(&r);
    /* a chunked body is counted as it arrives: cut off when it crosses */
    static const char ch[] =
        "POST /up HTTP/1.1\r\nHost: x\r\nX-Key: ok\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        "493e0\r\n"; /* 300000 bytes */
    size_t n = sizeof ch - 1 + 300000 + 7;
    char *big = malloc(n);
    memcpy(big, ch, sizeof ch - 1);
    memset(big + sizeof ch - 1, 'y', 300000);
    memcpy(big + sizeof ch - 1 + 300000, "\r\n0\r\n\r\n", 7);
    exchange(port, big, n, &r);
    free(big);
    assert_int_not_equal(r.status, 200);
    resp_free(&r);
    /* the held request ends: its bytes are given back */
    close(held);
    for (int i = 0; i < 20; i++) {
        request(port, &r, "POST /up HTTP/1.1\r\nHost: x\r\nX-Key: ok\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
        if (r.status == 200)
            break;
        resp_free(&r);
        usleep(100 * 1000);
    }
    assert_int_equal(r.status, 200);
    resp_free(&r);
    tc_http_server_free(s);
}

/* Behind a proxy: MHD's cap per address is off (every connection is the
 * proxy's) and conn_per_ip counts requests in flight per forwarded client. */
static void test_proxy_client_limit(void **state)
{
    fx *f = *state;
    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 2;
    c.trust_proxy = 1;
    c.conn_per_ip = 2;
    fx g = *f;
    tc_http_server *s = start(&g, &c);
    unsigned port = tc_http_server_port(s);
    /* two requests of 192.0.2.1 held, waiting for the rest of their body */
    static const char held_req[] =
        "POST /api/small HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.1\r\nContent-Length: 50\r\n\r\nab";
    int held[2];
    for (int i = 0; i < 2; i++) {
        held[i] = dial(port);
        assert_true(held[i] >= 0);
        assert_int_equal(send(held[i], held_req, sizeof held_req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof held_req - 1));
    }
    usleep(200 * 1000);
    resp r;
    /* a third connection from 127.0.0.1 is accepted (no cap on the proxy);
     * its request for the same forwarded client is refused */
    request(port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 429);
    assert_error_code(&r, "http.too_many_requests");
    assert_non_null(hdr(&r, "Retry-After"));
    resp_free(&r);
    /* another forwarded client is served */
    request(port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.2\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* the held ones end: the client is served again */
    close(held[0]);
    close(held[1]);
    for (int i = 0; i < 20; i++) {
        request(port, &r, "GET /api/items/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: close\r\n\r\n");
        if (r.status == 200)
            break;
        resp_free(&r);
        usleep(100 * 1000);
    }
    assert_int_equal(r.status, 200);
    resp_free(&r);
    tc_http_server_free(s);
}

static void test_tls(void **state)
{
    fx *f = *state;
    if (system("command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1") != 0) {
        print_message("# SKIP openssl or curl not installed\n");
        skip();
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout k.pem "
             "-out c.pem >/dev/null 2>&1",
             f->dir);
    assert_int_equal(system(cmd), 0);
    char path[400];
    char *cert, *key;
    size_t len;
    tc_err e;
    snprintf(path, sizeof path, "%s/c.pem", f->dir);
    assert_int_equal(tc_file_read(path, 1 << 20, &cert, &len, &e), 0);
    snprintf(path, sizeof path, "%s/k.pem", f->dir);
    assert_int_equal(tc_file_read(path, 1 << 20, &key, &len, &e), 0);

    tc_http_config c;
    tc_http_config_defaults(&c);
    c.port = 0;
    c.threads = 2;
    c.tls_cert_pem = cert;
    c.tls_key_pem = key;
    fx g = *f;
    tc_http_server *s = start(&g, &c);
    free(cert); /* the server keeps its own copies */
    free(key);
    unsigned port = tc_http_server_port(s);
    snprintf(cmd, sizeof cmd,
             "curl -s -D - --cacert '%s/c.pem' --resolve localhost:%u:127.0.0.1 'https://localhost:%u/api/cookie' "
             "-o '%s/tls_body' > '%s/tls_head'",
             f->dir, port, port, f->dir, f->dir);
    assert_int_equal(system(cmd), 0);
    char *head, *body;
    snprintf(path, sizeof path, "%s/tls_head", f->dir);
    assert_int_equal(tc_file_read(path, 1 << 20, &head, &len, &e), 0);
    snprintf(path, sizeof path, "%s/tls_body", f->dir);
    assert_int_equal(tc_file_read(path, 1 << 20, &body, &len, &e), 0);
    assert_non_null(strstr(head, " 200"));
    assert_non_null(strcasestr(head, "strict-transport-security: max-age="));
    assert_non_null(strcasestr(head, "HttpOnly; SameSite=Lax; Secure"));
    assert_string_equal(body, "tls");
    free(head);
    free(body);
    /* a stream that suspends and resumes works over TLS too */
    snprintf(cmd, sizeof cmd,
             "curl -s --cacert '%s/c.pem' --resolve localhost:%u:127.0.0.1 'https://localhost:%u/api/stream' "
             "-o '%s/tls_body'",
             f->dir, port, port, f->dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/tls_body", f->dir);
    assert_int_equal(tc_file_read(path, 1 << 20, &body, &len, &e), 0);
    assert_string_equal(body, "data: one\n\ndata: two\n\n");
    free(body);
    /* plain HTTP on the TLS port gets nothing useful */
    resp r;
    request(port, &r, "GET /api/cookie HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_not_equal(r.status, 200);
    resp_free(&r);
    tc_http_server_free(s);

    /* a bad key is a clear error */
    tc_http_config_defaults(&c);
    c.port = 0;
    c.tls_cert_pem = "not a cert";
    c.tls_key_pem = "not a key";
    s = tc_http_server_new(&c, NULL, &e);
    assert_non_null(s);
    assert_int_equal(tc_http_server_start(s, &e), -1);
    assert_string_equal(e.code, "http.listen");
    tc_http_server_free(s);
    c.tls_key_pem = NULL;
    assert_null(tc_http_server_new(&c, NULL, &e));
    assert_string_equal(e.code, "http.tls_config");
}

static void test_config_errors(void **state)
{
    (void)state;
    tc_err e;
    tc_http_config c;
    tc_http_config_defaults(&c);
    assert_int_equal(c.port, 8080);
    assert_int_equal(c.max_body, 1024 * 1024);
    assert_int_equal(c.access_log, 1);
    c.bind = "not an address";
    c.port = 0;
    tc_http_server *s = tc_http_server_new(&c, NULL, &e);
    assert_int_equal(tc_http_mount(s, "/x/", "/nonexistent/dir", 0, &e), -1);
    assert_string_equal(e.code, "http.bad_mount");
    assert_int_equal(tc_http_route(s, "GET", "no-slash", h_item, 0, &e), -1);
    assert_int_equal(tc_http_server_start(s, &e), -1);
    assert_string_equal(e.code, "http.bad_bind");
    tc_http_server_free(s);
    /* two servers on the same port: the second fails cleanly */
    c.bind = "127.0.0.1";
    tc_http_server *a = tc_http_server_new(&c, NULL, &e);
    assert_int_equal(tc_http_server_start(a, &e), 0);
    c.port = tc_http_server_port(a);
    tc_http_server *b = tc_http_server_new(&c, NULL, &e);
    assert_int_equal(tc_http_server_start(b, &e), -1);
    assert_string_equal(e.code, "http.listen");
    tc_http_server_free(b);
    tc_http_server_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),          cmocka_unit_test(test_json),
        cmocka_unit_test(test_body_limit),       cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_static),           cmocka_unit_test(test_mime),
        cmocka_unit_test(test_cookies),          cmocka_unit_test(test_proxy),
        cmocka_unit_test(test_multipart_http),   cmocka_unit_test(test_multipart_parser),
        cmocka_unit_test(test_stream),           cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_tls),              cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_connection_limits),  cmocka_unit_test(test_gate_and_budget),
        cmocka_unit_test(test_proxy_client_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
