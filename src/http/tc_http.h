/*
 * tc_http — the HTTP server: libmicrohttpd (thread pool + epoll) underneath,
 * a small router, per-request memory pool, limits, static files, access log,
 * security headers, TLS, graceful shutdown.
 *
 * Flow of one request: libmicrohttpd accepts the connection -> headers are
 * read (bounded by the connection memory limit) -> with trust_proxy, the
 * forwarded client's requests in flight are counted (429 past conn_per_ip)
 * -> the route is looked up (404/405 otherwise) -> from the headers alone:
 * 413 over the route's max_body, the route's gate, the in-flight body budgets
 * (429/503), each answered without reading the body -> the body is
 * accumulated into the request pool -> the
 * handler runs on a pool thread and calls exactly one tc_http_respond_* ->
 * the access-log line is written -> the pool is cleared.
 *
 * Ownership: the server owns every tc_http_req and its pool; handlers must not
 * keep pointers into a request after returning.  Response bodies given to
 * tc_http_respond are copied unless said otherwise.
 */
#ifndef TC_HTTP_H
#define TC_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

typedef struct tc_http_server tc_http_server;
typedef struct tc_http_conn tc_http_conn; /* private to tc_http.c */

enum { TC_HTTP_MAX_PARAMS = 6 };

typedef struct tc_http_req {
    tc_pool *pool;          /* request-scoped memory, cleared after the response      */
    void *app;              /* the pointer given to tc_http_server_new                */
    const char *method;     /* "GET", "POST", ...                                     */
    const char *path;       /* URL path, percent-decoded, without the query string    */
    const char *client_ip;  /* textual peer address                                   */
    char request_id[17];    /* 16 hex characters, also sent as X-Request-Id           */
    int tls;                /* 1 when the connection is HTTPS                         */
    const char *params[TC_HTTP_MAX_PARAMS]; /* route captures (":name"), in order     */
    int nparams;
    const char *body;       /* the whole request body, NUL-terminated, in the pool    */
    size_t body_len;
    const void *route_data; /* the data its route was added with (tc_http_route_data) */
    void *user;             /* the application's, for this request; NULL at first    */
    tc_http_conn *conn;     /* private */
} tc_http_req;

/* A handler returns 0 after it has responded.  If it returns without having
 * responded (or returns -1), the server answers 500. */
typedef int (*tc_http_handler)(tc_http_req *r);

typedef struct tc_http_config {
    const char *bind;          /* default "127.0.0.1"                                    */
    unsigned port;             /* default 8080; 0 picks a free port (see _port)          */
    unsigned threads;          /* thread pool size; default 4                            */
    size_t max_body;           /* default body limit for routes that give 0; 1 MiB       */
    size_t max_header;         /* bytes of request line + headers per connection; 16 KiB */
    unsigned max_connections;  /* total; default 1024                                    */
    unsigned conn_per_ip;      /* connections one address may hold; default 64.  With
                                * trust_proxy every connection comes from the proxy, so
                                * MHD's per-address cap is off and this many requests in
                                * flight per forwarded client are allowed instead (429
                                * "http.too_many_requests" past it)                      */
    unsigned timeout_s;        /* idle connection timeout; default 30                    */
    const char *tls_cert_pem;  /* PEM text (not a path); both set = serve HTTPS          */
    const char *tls_key_pem;
    int access_log;            /* 1 = one line per request to stderr (default 1)         */
    int cookie_secure;         /* 1 = Secure on every cookie even over plain HTTP, for a
                                * TLS-terminating reverse proxy in front (default 0)     */
    int trust_proxy;           /* 1 = believe X-Forwarded-For (right-most address) and
                                * X-Forwarded-Proto: https; only behind a proxy that sets
                                * them, else any client could forge them (default 0)     */
    uint64_t body_inflight;    /* request-body bytes all requests in flight may hold at
                                * once (counted from Content-Length at the header stage,
                                * as they arrive when chunked); 503 "http.busy" past it;
                                * default TC_HTTP_BODY_INFLIGHT                          */
    uint64_t body_inflight_ip; /* the same per client address (the forwarded one with
                                * trust_proxy); 429 "http.too_many_uploads" past it;
                                * default TC_HTTP_BODY_INFLIGHT_IP.  Raised at start to
                                * the largest route limit (one largest request always
                                * fits), and body_inflight to at least this            */
} tc_http_config;

/* Bodies are read whole into memory before the handler runs, so what all
 * requests in flight may hold is memory the server needs: 256 MiB leaves a
 * small (2 GB) school server room for the photo workers while a dozen 20 MB
 * uploads, or some 60 ordinary phone photos, arrive at once.  Per address 64
 * MiB: three largest uploads or some 15 phone photos at the same moment from
 * one address (a classroom behind one NAT address uploads over seconds, not
 * all in the same instant); one held-open client cannot take the budget. */
#define TC_HTTP_BODY_INFLIGHT ((uint64_t)256 << 20)
#define TC_HTTP_BODY_INFLIGHT_IP ((uint64_t)64 << 20)

/* Limits in practice: a request whose Content-Length exceeds the route's
 * max_body gets 413 "http.body_too_large" without the body being read, and
 * the connection is closed; a chunked body that grows past it is cut off
 * (connection closed, logged as 413).  A request whose body would take the
 * in-flight body bytes past body_inflight_ip / body_inflight gets 429
 * "http.too_many_uploads" / 503 "http.busy" (with Retry-After) the same way,
 * before the body is read; a chunked one is cut off when it crosses them.
 * A route's gate (tc_http_route_gated) that refuses answers its own error
 * at the header stage, also before the body.  Headers over max_header get 431
 * "http.header_too_large" (far over: MHD's own 431 or a close).  Other error
 * codes: "http.not_found" 404, "http.method_not_allowed" 405 (+ Allow),
 * "http.bad_path" 400, "http.bad_json" 400, "http.bad_content_type" 415,
 * "http.bad_multipart"/"http.bad_form" 400, "http.too_many_parts" 413.
 * Access-log line (INFO): "http <request-id> <ip> <method> <path> <status>
 * <bytes> <ms>ms [timeout|shutdown|client-abort|aborted]". */

/* Fill with the defaults above. */
void tc_http_config_defaults(tc_http_config *c);

/* The server is created stopped; add routes and mounts, then start.
 * Returns NULL and fills e on failure.  Caller owns the server. */
tc_http_server *tc_http_server_new(const tc_http_config *c, void *app, tc_err *e);

/* Route: method "GET"/"POST"/"PUT"/"DELETE"/"PATCH"; pattern segments
 * starting with ':' capture one path segment into req->params; a final
 * segment "*" captures the rest of the path.  max_body 0 = config default.
 * HEAD is answered by GET routes.  Routes are matched in the order added. */
int tc_http_route(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                  size_t max_body, tc_err *e);

/* A gate runs when the headers are in and before a byte of the body is read
 * (libmicrohttpd hands the application the headers first): return 0 to go
 * on, or -1 with e set to have e answered at once; the body is then never
 * read and the connection is closed.  It sees the method, path, params,
 * client address, headers and cookies; r->body is NULL.  For routes that
 * take large bodies: who may not send one is refused before sending it.
 * gate_arg is passed through (e.g. the role the route needs).  The handler
 * still runs its own checks; a gate is only an earlier copy of them. */
typedef int (*tc_http_gate)(tc_http_req *r, int gate_arg, tc_err *e);
int tc_http_route_gated(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                        size_t max_body, tc_http_gate gate, int gate_arg, tc_err *e);
/* The same with data (borrowed: outlives the server) that the gate and the
 * handler find in req->route_data, e.g. the application's row of its route
 * table; gate may be NULL. */
int tc_http_route_data(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                       size_t max_body, tc_http_gate gate, int gate_arg, const void *data, tc_err *e);

/* Static files: GET/HEAD under url_prefix (e.g. "/static/") are served from
 * dir, never outside it (no "..", no symlinks leaving it).  A path ending in
 * '/' serves index.html.  Content-Type from the extension, ETag and
 * Last-Modified with 304 answers; cache_max_age seconds in Cache-Control
 * (0 = "no-cache", i.e. always revalidate).  Checked after the routes. */
int tc_http_mount(tc_http_server *s, const char *url_prefix, const char *dir, unsigned cache_max_age,
                  tc_err *e);
/* The same for pages our own pages frame (an <iframe> of the same origin):
 * their responses carry csp (copied) instead of the server's policy, and
 * X-Frame-Options SAMEORIGIN instead of DENY.  For a helper page that needs
 * what the main policy forbids (the camera's face detector compiles
 * WebAssembly and evaluates code: 'wasm-unsafe-eval' 'unsafe-eval'), kept
 * out of every other page.  Mounts are tried in the order added: add this
 * one before a mount whose prefix covers it. */
int tc_http_mount_framed(tc_http_server *s, const char *url_prefix, const char *dir, unsigned cache_max_age,
                         const char *csp, tc_err *e);

/* For single-page apps: a GET whose path starts with url_prefix and matches
 * no route and no file is answered with this file (e.g. the app's index.html). */
int tc_http_fallback(tc_http_server *s, const char *url_prefix, const char *file, tc_err *e);

int tc_http_server_start(tc_http_server *s, tc_err *e);
unsigned tc_http_server_port(const tc_http_server *s);
/* Graceful: stop accepting, end at once the streams that have nothing to
 * send (an idle Server-Sent Events client would otherwise hold the stop for
 * the whole grace period; it reconnects to the next server anyway), let
 * in-flight requests finish (up to grace_s seconds), then stop.  Safe to
 * call once from any thread but a handler. */
void tc_http_server_stop(tc_http_server *s, unsigned grace_s);
void tc_http_server_free(tc_http_server *s);

/* ---- reading the request ------------------------------------------------ */

const char *tc_http_header(tc_http_req *r, const char *name);  /* case-insensitive */
const char *tc_http_query(tc_http_req *r, const char *name);   /* decoded value or NULL */
const char *tc_http_cookie(tc_http_req *r, const char *name);

/* Parse the body as JSON (Content-Type must be application/json).  The
 * returned reference is released by the server after the response. */
json_t *tc_http_json(tc_http_req *r, tc_err *e);

/* multipart/form-data or application/x-www-form-urlencoded body.  Parts live
 * in the pool.  Bounded: at most 32 parts; names and headers of a part at most
 * 1 KiB. */
typedef struct tc_http_part {
    const char *name;
    const char *filename;     /* NULL for plain fields */
    const char *content_type; /* NULL when absent */
    const char *data;         /* NUL-terminated, not counted in len */
    size_t len;
} tc_http_part;
int tc_http_form(tc_http_req *r, tc_http_part **parts, size_t *n, tc_err *e);
const tc_http_part *tc_http_form_get(const tc_http_part *parts, size_t n, const char *name);

/* The parsers behind tc_http_form, usable without a connection (tests, fuzzing).
 * content_type is the whole header value ("multipart/form-data; boundary=...").
 * Parts and their data are allocated in p; body need not be NUL-terminated.
 * Errors: 400 "http.bad_multipart" / "http.bad_form", 413 "http.too_many_parts". */
int tc_http_parse_multipart(tc_pool *p, const char *content_type, const char *body, size_t len,
                            tc_http_part **parts, size_t *n, tc_err *e);
int tc_http_parse_urlencoded(tc_pool *p, const char *body, size_t len, tc_http_part **parts, size_t *n,
                             tc_err *e);

/* ---- responding ---------------------------------------------------------- */

/* Headers and cookies added before the respond call go out with it. */
void tc_http_add_header(tc_http_req *r, const char *name, const char *value);
/* Set-Cookie with Path=/, SameSite=Lax or Strict, Secure when TLS.
 * max_age < 0 deletes the cookie; 0 = session cookie. */
void tc_http_set_cookie(tc_http_req *r, const char *name, const char *value, long max_age, int http_only);

int tc_http_respond(tc_http_req *r, int status, const char *content_type, const void *body, size_t len);
/* Takes ownership of j (decref'ed after sending). Content-Type application/json.
 * To send back the document from tc_http_json, pass json_incref(j). */
int tc_http_respond_json(tc_http_req *r, int status, json_t *j);
/* {"error":{"code":..,"zh":..,"en":..}} with e->status (500 when 0). */
int tc_http_respond_error(tc_http_req *r, const tc_err *e);
/* Serve a file from disk (path in the pool is fine): Content-Length from the
 * file, the fd is closed by the server. */
int tc_http_respond_file(tc_http_req *r, int status, const char *content_type, const char *path,
                         const char *download_name);

/* Streaming body (ZIP exports, Server-Sent Events): the server calls read()
 * from its own thread until it returns 0 (end) or -1 (abort).  A read may
 * return -2 meaning "nothing yet, call again shortly" (SSE): the connection
 * is then suspended and read() is called again about 50 ms later; no thread
 * waits meanwhile.  read() must not block for long (it runs on a worker that
 * serves other connections).  free_cls is called once when the response is
 * done (also for HEAD, where read() is never called, and at server stop).
 * Once the server is stopping, a read that returns -2 ends the stream; a
 * stream with data (a ZIP) goes on until the grace period is over.  Chunked,
 * no Content-Length. */
typedef long (*tc_http_stream_read)(void *cls, uint64_t pos, char *buf, size_t max);
int tc_http_respond_stream(tc_http_req *r, int status, const char *content_type, tc_http_stream_read read,
                           void *cls, void (*free_cls)(void *));

/* MIME type for a file name, from its extension; "application/octet-stream"
 * when unknown. */
const char *tc_http_mime(const char *filename);

#endif
