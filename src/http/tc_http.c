/*
 * tc_http — see tc_http.h for the contract.  Notes on how it maps onto
 * libmicrohttpd (MHD) 0.9.75:
 *
 * Threads.  MHD runs a pool of `threads` workers, each with its own epoll
 * set; a request is handled start to finish on one worker, so a handler is
 * simply called from MHD's access callback.  All server state written after
 * start (in-flight count, suspended streams) sits behind the server's
 * mutexes; routes and mounts are read-only once started.  There is no global
 * mutable state: several servers can run in one process (the tests do).
 *
 * One request.  MHD calls the URI-log callback first, with the raw request
 * target: that is where the per-request state (struct tc_http_conn, holding
 * the tc_pool) is created, because MHD promises a matching "completed"
 * notification for every such call — even for requests it later refuses
 * itself (431) — so nothing leaks and the in-flight count stays exact.  The
 * completed notification writes the access-log line and frees everything.
 *
 * Body limits.  MHD only lets an application queue a response right after
 * the headers or after the whole body.  When Content-Length already exceeds
 * the route's limit we answer 413 at the header stage: MHD then discards the
 * request and closes the connection without reading the body.  A chunked
 * body has no length up front; when it crosses the limit we stop reading by
 * returning MHD_NO, which closes the connection (the access log still says
 * 413) — the only alternative would be to keep reading what we will refuse.
 *
 * Refusing before the body.  The same header-stage answer serves a route's
 * gate (the api layer's session, CSRF and role checks for routes that take
 * uploads) and the in-flight body budget: Content-Length is reserved against
 * the client's and the server's budget before the body is read, and given
 * back when the request ends (on_completed), however it ends.  The budgets
 * live in a small hash of client addresses (client_slot) behind its own
 * mutex; a slot exists only while a request of that address holds it.
 *
 * Behind a proxy (trust_proxy) every TCP connection comes from the proxy, so
 * MHD's per-address connection cap would throttle the proxy itself; it is
 * switched off and the same number is applied per forwarded client address,
 * as requests in flight, in the same slots.
 *
 * Streams that have "nothing yet" (SSE).  A content-reader callback that
 * returns 0 makes MHD call it again immediately — a busy loop.  Instead the
 * connection is suspended (MHD_suspend_connection, allowed from the reader
 * callback) and a small per-server "waker" thread resumes it 50 ms later,
 * when MHD asks the reader again.  No worker thread ever sleeps, so one
 * worker can hold many idle SSE clients.  MHD forbids stopping a daemon with
 * suspended connections, so stop resumes them all and forbids new ones —
 * first thing, so that idle streams end at once instead of holding the
 * graceful stop for its whole grace period.
 */
#include "tc_http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    JSON_MAX_DEPTH = 32,     /* API documents are shallow; deeper is an attack   */
    STREAM_BLOCK = 16 * 1024,
    STREAM_RETRY_MS = 50,    /* how soon a stream that had nothing is asked again */
    LOG_PATH_MAX = 200,      /* path bytes written to the access log            */
    CLIENT_BUCKETS = 256,    /* hash of client addresses with requests in flight */
    RETRY_AFTER_S = 5,       /* told to clients refused by a budget               */
};

static const char CSP[] =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'";

typedef struct route {
    char method[8];
    char **segs;  /* pattern split at '/', without the leading empty one */
    int nsegs;
    int star;     /* last pattern segment was "*" (not in segs)          */
    tc_http_handler h;
    size_t max_body;
    tc_http_gate gate; /* NULL: none */
    int gate_arg;
    const void *data;  /* given to the handler as req->route_data */
} route;

typedef struct mount {
    char *prefix;    /* URL prefix, ends with '/'                    */
    char *root;      /* realpath of the directory, no trailing '/'   */
    unsigned max_age;
    char *csp;       /* own Content-Security-Policy, framed by our pages; NULL: CSP */
} mount;

typedef struct fallback {
    char *prefix;
    char *file;
} fallback;

typedef struct stream stream;

/* What the requests in flight of one client address hold. */
typedef struct client_slot {
    struct client_slot *next; /* in its bucket */
    unsigned refs;            /* requests in flight holding this slot */
    unsigned requests;        /* of them, counted against conn_per_ip (trust_proxy) */
    uint64_t bytes;           /* body bytes reserved */
    char addr[INET6_ADDRSTRLEN];
} client_slot;

struct tc_http_server {
    tc_http_config cfg;
    void *app;
    struct MHD_Daemon *d;
    unsigned port;

    route *routes;
    size_t nroutes;
    mount *mounts;
    size_t nmounts;
    fallback *fallbacks;
    size_t nfallbacks;

    atomic_int stopping; /* set by stop: responses get Connection: close */

    /* in-flight requests, for the graceful stop */
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* CLOCK_MONOTONIC */
    long inflight;

    /* suspended streams and the waker thread that resumes them */
    pthread_mutex_t wmu;
    pthread_cond_t wcv;  /* CLOCK_MONOTONIC */
    stream *waiting;     /* intrusive list */
    int closing;         /* no more suspensions; resume everything */
    int wquit;
    int wstarted;
    pthread_t waker;

    /* per-client budgets (see the top of the file) */
    pthread_mutex_t lmu;
    client_slot *clients[CLIENT_BUCKETS];
    uint64_t body_total;     /* body bytes reserved by all requests in flight */
    uint64_t body_max_ip;    /* effective limits, fixed at start */
    uint64_t body_max;
};

typedef struct hdr {
    const char *name, *value;
    struct hdr *next;
} hdr;

/* The per-request state; tc_http_req is its public face. */
struct tc_http_conn {
    tc_http_req req;
    tc_pool pool;
    tc_http_server *s;
    struct MHD_Connection *mc;
    const char *raw_path;  /* request target before decoding, query removed */
    int64_t t0;            /* tc_now_ms at the request line */
    int started;           /* the access callback has seen the headers */
    const route *rt;       /* route matched at the header stage, or NULL */
    size_t max_body;
    size_t body_cap;
    char *body;
    int too_big;           /* body over the limit: stop reading */
    int pending_status;    /* error decided at the header stage, sent at the end */
    const char *pending_code, *pending_zh, *pending_en, *pending_allow;
    hdr *headers;          /* added by the handler, in order */
    hdr *headers_tail;
    struct MHD_Response *resp;
    int status;
    uint64_t bytes;        /* response body bytes, for the log */
    json_t *json;          /* from tc_http_json, released at the end */
    stream *st;            /* streaming response, to detach at the end */
    client_slot *slot;     /* this client's budget, once taken; released at the end */
    uint64_t reserved;     /* body bytes reserved in slot and in the server total */
    int counted;           /* counted in slot->requests */
    const char *csp;       /* a framed mount's policy for this file, else NULL (CSP) */
};

struct stream {
    tc_http_server *s;
    struct tc_http_conn *c; /* NULL once the request is completed */
    struct MHD_Connection *mc;
    tc_http_stream_read read;
    void *cls;
    void (*free_cls)(void *);
    stream *next;           /* in s->waiting while suspended */
    int64_t due;            /* tc_now_ms when to resume */
};

/* ---- small helpers -------------------------------------------------------------- */

static void timespec_in_ms(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
}

static void request_id(char out[17])
{
    uint8_t b[8];
    /* getrandom for 8 bytes cannot be short once the pool is initialised;
     * on an (impossible) failure fall back to time and address, ids only
     * need to be unique enough to grep logs. */
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        uint64_t v = (uint64_t)tc_now_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)out;
        memcpy(b, &v, sizeof b);
    }
    tc_hex(b, sizeof b, out);
}

/* RFC 7231 IMF-fixdate; written by hand because strftime's %a/%b follow
 * the locale. */
static void http_date(time_t t, char out[80])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 80, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int parse_http_date(const char *s, time_t *out)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char wd[4], mon[4];
    struct tm tm = {0};
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 7)
        return -1;
    tm.tm_mon = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, months[i]) == 0)
            tm.tm_mon = i;
    if (tm.tm_mon < 0 || tm.tm_year < 1970)
        return -1;
    tm.tm_year -= 1900;
    *out = timegm(&tm);
    return 0;
}

/* Is the media type of a Content-Type value equal to want (parameters such
 * as charset ignored, case-insensitive)? */
static int media_type_is(const char *ct, const char *want)
{
    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    return n == strlen(want) && strncasecmp(ct, want, n) == 0;
}

static int header_value_ok(const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 && *v != '\t')
            return 0;
    return 1;
}

/* ---- config, server ----------------------------------------------------------------- */

void tc_http_config_defaults(tc_http_config *c)
{
    memset(c, 0, sizeof *c);
    c->bind = "127.0.0.1";
    c->port = 8080;
    c->threads = 4;
    c->max_body = 1024 * 1024;
    c->max_header = 16 * 1024;
    c->max_connections = 1024;
    c->conn_per_ip = 64;
    c->timeout_s = 30;
    c->access_log = 1;
    c->body_inflight = TC_HTTP_BODY_INFLIGHT;
    c->body_inflight_ip = TC_HTTP_BODY_INFLIGHT_IP;
}

tc_http_server *tc_http_server_new(const tc_http_config *c, void *app, tc_err *e)
{
    tc_http_config def;
    if (!c) {
        tc_http_config_defaults(&def);
        c = &def;
    }
    if ((c->tls_cert_pem == NULL) != (c->tls_key_pem == NULL)) {
        tc_err_set(e, TCE_HTTP_TLS_CONFIG);
        return NULL;
    }
    tc_http_server *s = tc_mem_zalloc(sizeof *s, e);
    if (!s)
        return NULL;
    s->cfg = *c;
    /* Keep our own copies: the caller's config strings may be temporary. */
    s->cfg.bind = strdup(c->bind ? c->bind : "127.0.0.1");
    s->cfg.tls_cert_pem = c->tls_cert_pem ? strdup(c->tls_cert_pem) : NULL;
    s->cfg.tls_key_pem = c->tls_key_pem ? strdup(c->tls_key_pem) : NULL;
    if (!s->cfg.threads)
        s->cfg.threads = 4;
    if (!s->cfg.max_body)
        s->cfg.max_body = 1024 * 1024;
    if (!s->cfg.max_header)
        s->cfg.max_header = 16 * 1024;
    if (!s->cfg.max_connections)
        s->cfg.max_connections = 1024;
    if (!s->cfg.conn_per_ip)
        s->cfg.conn_per_ip = 64;
    if (!s->cfg.timeout_s)
        s->cfg.timeout_s = 30;
    if (!s->cfg.body_inflight)
        s->cfg.body_inflight = TC_HTTP_BODY_INFLIGHT;
    if (!s->cfg.body_inflight_ip)
        s->cfg.body_inflight_ip = TC_HTTP_BODY_INFLIGHT_IP;
    s->app = app;
    pthread_mutex_init(&s->lmu, NULL);
    pthread_mutex_init(&s->mu, NULL);
    cond_init_monotonic(&s->cv);
    pthread_mutex_init(&s->wmu, NULL);
    cond_init_monotonic(&s->wcv);
    return s;
}

static int bad_arg(tc_err *e, const char *what)
{
    return tc_err_set(e, TCE_HTTP_BAD_CONFIG, what);
}

/* Out of memory while adding a route to the files: give back the path
 * taken so far (p) and say so. */
static int add_oom(char *p, tc_err *e)
{
    free(p);
    return tc_err_internal(e, "out of memory");
}

int tc_http_route(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                  size_t max_body, tc_err *e)
{
    return tc_http_route_gated(s, method, pattern, h, max_body, NULL, 0, e);
}

int tc_http_route_gated(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                        size_t max_body, tc_http_gate gate, int gate_arg, tc_err *e)
{
    return tc_http_route_data(s, method, pattern, h, max_body, gate, gate_arg, NULL, e);
}

int tc_http_route_data(tc_http_server *s, const char *method, const char *pattern, tc_http_handler h,
                       size_t max_body, tc_http_gate gate, int gate_arg, const void *data, tc_err *e)
{
    if (s->d)
        return bad_arg(e, "route added after start");
    if (!method || strlen(method) >= sizeof(((route *)0)->method) || !pattern || pattern[0] != '/' || !h)
        return bad_arg(e, "bad route");
    route *nr = realloc(s->routes, sizeof *nr * (s->nroutes + 1));
    if (!nr)
        return tc_err_internal(e, "out of memory");
    s->routes = nr;
    route *r = &s->routes[s->nroutes];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", method);
    r->h = h;
    r->max_body = max_body;
    r->gate = gate;
    r->gate_arg = gate_arg;
    r->data = data;
    /* count segments: one per '/' */
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '/';
    r->segs = calloc((size_t)n, sizeof *r->segs);
    const char *p = pattern + 1;
    for (int i = 0; i < n; i++) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (!slash && len == 1 && p[0] == '*') {
            r->star = 1;
            break;
        }
        r->segs[r->nsegs++] = strndup(p, len);
        p = slash ? slash + 1 : p + len;
    }
    s->nroutes++;
    return 0;
}

int tc_http_mount(tc_http_server *s, const char *url_prefix, const char *dir, unsigned cache_max_age,
                  tc_err *e)
{
    return tc_http_mount_framed(s, url_prefix, dir, cache_max_age, NULL, e);
}

int tc_http_mount_framed(tc_http_server *s, const char *url_prefix, const char *dir, unsigned cache_max_age,
                         const char *csp, tc_err *e)
{
    if (s->d)
        return bad_arg(e, "mount added after start");
    if (!url_prefix || url_prefix[0] != '/' || !dir)
        return bad_arg(e, "bad mount");
    char *root = realpath(dir, NULL);
    struct stat st;
    if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(root);
        return tc_err_set(e, TCE_HTTP_BAD_MOUNT, dir);
    }
    mount *nm = realloc(s->mounts, sizeof *nm * (s->nmounts + 1));
    if (!nm)
        return add_oom(root, e);
    s->mounts = nm;
    size_t pl = strlen(url_prefix);
    mount *m = &s->mounts[s->nmounts++];
    /* the prefix always ends with '/', so "/static" never matches "/staticfoo" */
    m->prefix = malloc(pl + 2);
    if (!m->prefix) {
        s->nmounts--;
        return add_oom(root, e);
    }
    memcpy(m->prefix, url_prefix, pl + 1);
    if (url_prefix[pl - 1] != '/')
        strcat(m->prefix, "/");
    m->root = root;
    m->max_age = cache_max_age;
    m->csp = csp ? strdup(csp) : NULL;
    if (!m->prefix || (csp && !m->csp))
        abort(); /* same policy as tc_pool_alloc */
    return 0;
}

int tc_http_fallback(tc_http_server *s, const char *url_prefix, const char *file, tc_err *e)
{
    if (s->d)
        return bad_arg(e, "fallback added after start");
    if (!url_prefix || url_prefix[0] != '/' || !file)
        return bad_arg(e, "bad fallback");
    char *real = realpath(file, NULL);
    if (!real)
        return tc_err_set(e, TCE_HTTP_BAD_MOUNT_2, file);
    fallback *nf = realloc(s->fallbacks, sizeof *nf * (s->nfallbacks + 1));
    if (!nf)
        return add_oom(real, e);
    s->fallbacks = nf;
    s->fallbacks[s->nfallbacks].prefix = strdup(url_prefix);
    if (!s->fallbacks[s->nfallbacks].prefix)
        return add_oom(real, e);
    s->fallbacks[s->nfallbacks].file = real;
    s->nfallbacks++;
    return 0;
}

/* ---- the waker: resumes suspended streams ------------------------------------------- */

static void *waker_main(void *arg)
{
    tc_http_server *s = arg;
    pthread_mutex_lock(&s->wmu);
    while (!s->wquit) {
        if (!s->waiting) {
            pthread_cond_wait(&s->wcv, &s->wmu);
            continue;
        }
        struct timespec ts;
        timespec_in_ms(&ts, STREAM_RETRY_MS / 2);
        pthread_cond_timedwait(&s->wcv, &s->wmu, &ts);
        /* Resume under the lock: stop() relies on "nothing is suspended
         * once it holds wmu with closing set". */
        int64_t now = tc_now_ms();
        stream **pp = &s->waiting;
        while (*pp) {
            stream *st = *pp;
            if (st->due <= now || s->closing) {
                *pp = st->next;
                st->next = NULL;
                MHD_resume_connection(st->mc);
            } else {
                pp = &st->next;
            }
        }
    }
    pthread_mutex_unlock(&s->wmu);
    return NULL;
}

/* Resume every suspended stream now (wmu held). */
static void resume_all(tc_http_server *s)
{
    while (s->waiting) {
        stream *st = s->waiting;
        s->waiting = st->next;
        st->next = NULL;
        MHD_resume_connection(st->mc);
    }
}

/* Tell the waker to quit and wait for it (if it was started). */
static void waker_stop(tc_http_server *s)
{
    pthread_mutex_lock(&s->wmu);
    s->wquit = 1;
    pthread_cond_signal(&s->wcv);
    pthread_mutex_unlock(&s->wmu);
    if (s->wstarted)
        pthread_join(s->waker, NULL);
    s->wstarted = 0;
}

/* ---- MHD callbacks: logging, request start and end -------------------------------- */

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    /* MHD reports client misbehaviour (resets, bad TLS) here too; that is
     * expected on the internet, so it is not an error of ours. */
    tc_log(TC_LOG_DEBUG, "mhd: %s", line);
}

static const char *client_ip(struct tc_http_conn *c);
static void limits_release(struct tc_http_conn *c);

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    tc_http_server *s = cls;
    struct tc_http_conn *c = calloc(1, sizeof *c);
    if (!c)
        abort(); /* same policy as tc_pool_alloc */
    tc_pool_init(&c->pool);
    c->s = s;
    c->mc = mc;
    c->t0 = tc_now_ms();
    c->req.pool = &c->pool;
    c->req.app = s->app;
    c->req.conn = c;
    c->req.method = "-";
    c->req.path = "-";
    c->req.client_ip = "-";
    request_id(c->req.request_id);
    /* MHD decodes the target in place after this call; keep the raw path to
     * see what the client really sent (%00, encodings). */
    size_t plen = strcspn(uri, "?");
    c->raw_path = tc_pool_strndup(&c->pool, uri, plen);
    c->req.path = c->raw_path;     /* until decoded, for the log of refused requests */
    c->req.client_ip = client_ip(c);
    pthread_mutex_lock(&s->mu);
    s->inflight++;
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void log_path(const char *p, char *out, size_t cap)
{
    /* The decoded path may contain anything; keep the log one line. */
    size_t o = 0;
    for (; *p && o + 1 < cap; p++)
        out[o++] = ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ' ') ? '?' : *p;
    out[o] = 0;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)mc;
    tc_http_server *s = cls;
    struct tc_http_conn *c = *con_cls;
    *con_cls = NULL;
    if (!c)
        return;
    if (s->cfg.access_log) {
        char path[LOG_PATH_MAX + 1];
        log_path(c->req.path, path, sizeof path);
        const char *how = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
                          : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " timeout"
                          : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " shutdown"
                          : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? " client-abort"
                                                                       : " aborted";
        /* status 0: MHD refused the request itself (headers too large for its
         * pool, malformed request line) or the client left before an answer */
        uint64_t bytes = strcmp(c->req.method, "HEAD") == 0 ? 0 : c->bytes;
        tc_log(TC_LOG_INFO, "http %s %s %s %s %d %llu %lldms%s", c->req.request_id, c->req.client_ip,
               c->req.method, path, c->status, (unsigned long long)bytes, (long long)(tc_now_ms() - c->t0), how);
    }
    limits_release(c);
    if (c->st)
        c->st->c = NULL; /* MHD may free the stream later, with the response */
    if (c->resp)
        MHD_destroy_response(c->resp); /* never queued (e.g. aborted) */
    if (c->json)
        json_decref(c->json);
    tc_pool_clear(&c->pool);
    free(c);
    pthread_mutex_lock(&s->mu);
    s->inflight--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- responses ----------------------------------------------------------------------- */

static int already_responded(tc_http_req *r)
{
    if (r->conn->resp) {
        tc_log(TC_LOG_ERROR, "http %s: a second response for %s %s ignored", r->request_id, r->method, r->path);
        return 1;
    }
    return 0;
}

/* Everything that goes on every response we produce. */
static void finish_headers(struct tc_http_conn *c, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Request-Id", c->req.request_id);
    MHD_add_response_header(resp, "Content-Security-Policy", c->csp ? c->csp : CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", c->csp ? "SAMEORIGIN" : "DENY");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
    if (c->req.tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    for (hdr *h = c->headers; h; h = h->next)
        if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
            tc_log(TC_LOG_WARN, "http %s: header %s refused by MHD", c->req.request_id, h->name);
    if (atomic_load(&c->s->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static int set_response(tc_http_req *r, int status, struct MHD_Response *resp, uint64_t bytes)
{
    struct tc_http_conn *c = r->conn;
    if (!resp) {
        tc_log(TC_LOG_ERROR, "http %s: cannot create a response", r->request_id);
        return -1;
    }
    finish_headers(c, resp);
    c->resp = resp;
    c->status = status;
    c->bytes = bytes;
    return 0;
}

void tc_http_add_header(tc_http_req *r, const char *name, const char *value)
{
    if (!name || !value || !header_value_ok(name) || !header_value_ok(value)) {
        tc_log(TC_LOG_WARN, "http %s: invalid header dropped", r->request_id);
        return;
    }
    hdr *h = tc_pool_zalloc(r->pool, sizeof *h);
    h->name = tc_pool_strdup(r->pool, name);
    h->value = tc_pool_strdup(r->pool, value);
    struct tc_http_conn *c = r->conn;
    if (c->headers_tail)
        c->headers_tail->next = h;
    else
        c->headers = h;
    c->headers_tail = h;
}

static int cookie_token_ok(const char *s, int is_value)
{
    /* RFC 6265 cookie-name (token) / cookie-octet; anything else could
     * split the header or smuggle attributes. */
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch <= 0x20 || ch >= 0x7f || ch == ';' || ch == ',' || ch == '"' || ch == '\\')
            return 0;
        if (!is_value && strchr("()<>@:/[]?={}", ch))
            return 0;
    }
    return 1;
}

void tc_http_set_cookie(tc_http_req *r, const char *name, const char *value, long max_age, int http_only)
{
    if (!name || !*name || !cookie_token_ok(name, 0) || !cookie_token_ok(value ? value : "", 1)) {
        tc_log(TC_LOG_WARN, "http %s: invalid cookie dropped", r->request_id);
        return;
    }
    int secure = r->tls || r->conn->s->cfg.cookie_secure;
    char age[64] = "";
    if (max_age < 0)
        snprintf(age, sizeof age, "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    else if (max_age > 0)
        snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
    char *v = tc_pool_printf(r->pool, "%s=%s; Path=/%s%s; SameSite=Lax%s", name, max_age < 0 ? "" : value ? value : "",
                             age, http_only ? "; HttpOnly" : "", secure ? "; Secure" : "");
    tc_http_add_header(r, "Set-Cookie", v);
}

int tc_http_respond(tc_http_req *r, int status, const char *content_type, const void *body, size_t len)
{
    if (already_responded(r))
        return -1;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (resp && content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return set_response(r, status, resp, len);
}

int tc_http_respond_json(tc_http_req *r, int status, json_t *j)
{
    if (!j) {
        tc_err e;
        tc_err_internal(&e, "respond_json(NULL)");
        return tc_http_respond_error(r, &e);
    }
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j); /* ours now; to send the tc_http_json document, json_incref it first */
    if (!text) {
        tc_err e;
        tc_err_internal(&e, "json_dumps failed");
        return tc_http_respond_error(r, &e);
    }
    int rc = tc_http_respond(r, status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

static int respond_error3(tc_http_req *r, int status, const char *code, const char *zh, const char *en)
{
    json_t *j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "zh", zh, "en", en);
    if (!j) /* only when a message is not UTF-8: keep the code at least */
        j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "internal", "zh", "", "en", "");
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int rc = tc_http_respond(r, status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

int tc_http_respond_error(tc_http_req *r, const tc_err *e)
{
    if (!e)
        return respond_error3(r, TCE_INTERNAL);
    int status = e->status >= 400 && e->status <= 599 ? e->status : 500;
    return respond_error3(r, status, e->code[0] ? e->code : "internal", e->zh, e->en);
}

/* Content-Disposition with an ASCII fallback name and the UTF-8 name in
 * RFC 5987 form, so Chinese file names survive in every browser. */
static char *disposition(tc_pool *p, const char *name)
{
    tc_buf b;
    tc_buf_init(&b);
    tc_buf_puts(&b, "attachment; filename=\"");
    for (const char *q = name; *q; q++) {
        unsigned char ch = (unsigned char)*q;
        tc_buf_append(&b, (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' || ch == '/') ? "_" : q, 1);
    }
    tc_buf_puts(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *q = (const unsigned char *)name; *q; q++) {
        if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || strchr("-._~", *q))
            tc_buf_append(&b, q, 1);
        else
            tc_buf_printf(&b, "%%%02X", *q);
    }
    char *r = tc_pool_strdup(p, b.data);
    tc_buf_free(&b);
    return r;
}

int tc_http_respond_file(tc_http_req *r, int status, const char *content_type, const char *path,
                         const char *download_name)
{
    if (already_responded(r))
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        tc_err e;
        if (errno == ENOENT || fd >= 0)
            tc_err_set(&e, TCE_HTTP_NOT_FOUND);
        else
            tc_err_internal(&e, "open %s: %s", path, strerror(errno));
        tc_http_respond_error(r, &e);
        return -1;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return -1;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type ? content_type : tc_http_mime(path));
    if (download_name)
        MHD_add_response_header(resp, "Content-Disposition", disposition(r->pool, download_name));
    return set_response(r, status, resp, (uint64_t)st.st_size);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *st = cls;
    long n = st->read(st->cls, pos, buf, max);
    if (n > 0 && (size_t)n <= max) {
        if (st->c)
            st->c->bytes += (uint64_t)n;
        return (ssize_t)n;
    }
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n == -2) {
        tc_http_server *s = st->s;
        pthread_mutex_lock(&s->wmu);
        if (s->closing) {
            pthread_mutex_unlock(&s->wmu);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        MHD_suspend_connection(st->mc);
        st->due = tc_now_ms() + STREAM_RETRY_MS;
        st->next = s->waiting;
        s->waiting = st;
        pthread_cond_signal(&s->wcv);
        pthread_mutex_unlock(&s->wmu);
        return 0; /* MHD asks again once resumed */
    }
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    stream *st = cls;
    if (st->c)
        st->c->st = NULL;
    if (st->free_cls)
        st->free_cls(st->cls);
    free(st);
}

int tc_http_respond_stream(tc_http_req *r, int status, const char *content_type, tc_http_stream_read read,
                           void *cls, void (*free_cls)(void *))
{
    if (already_responded(r)) {
        if (free_cls)
            free_cls(cls);
        return -1;
    }
    stream *st = calloc(1, sizeof *st);
    if (!st)
        abort();
    st->s = r->conn->s;
    st->c = r->conn;
    st->mc = r->conn->mc;
    st->read = read;
    st->cls = cls;
    st->free_cls = free_cls;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, st,
                                                                  stream_free);
    if (!resp) {
        stream_free(st);
        return -1;
    }
    r->conn->st = st;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    /* Proxies (nginx) must not buffer an event stream. */
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    return set_response(r, status, resp, 0);
}

/* ---- reading the request ----------------------------------------------------------- */

const char *tc_http_header(tc_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn->mc, MHD_HEADER_KIND, name);
}

const char *tc_http_query(tc_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn->mc, MHD_GET_ARGUMENT_KIND, name);
}

const char *tc_http_cookie(tc_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn->mc, MHD_COOKIE_KIND, name);
}

/* Nesting depth of a JSON text, counted outside strings, so that a deep
 * document is refused before jansson recurses into it. */
static int json_too_deep(const char *s, size_t n)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '{' || ch == '[') {
            if (++depth > JSON_MAX_DEPTH)
                return 1;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return 0;
}

json_t *tc_http_json(tc_http_req *r, tc_err *e)
{
    struct tc_http_conn *c = r->conn;
    if (c->json)
        return c->json;
    if (!media_type_is(tc_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE), "application/json")) {
        tc_err_set(e, TCE_HTTP_BAD_CONTENT_TYPE);
        return NULL;
    }
    if (json_too_deep(r->body, r->body_len)) {
        tc_err_set(e, TCE_HTTP_BAD_JSON, JSON_MAX_DEPTH);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        tc_err_set(e, TCE_HTTP_BAD_JSON_2, je.line, je.column, je.text);
        return NULL;
    }
    c->json = j;
    return j;
}

int tc_http_form(tc_http_req *r, tc_http_part **parts, size_t *n, tc_err *e)
{
    const char *ct = tc_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (media_type_is(ct, "multipart/form-data"))
        return tc_http_parse_multipart(r->pool, ct, r->body, r->body_len, parts, n, e);
    if (media_type_is(ct, "application/x-www-form-urlencoded"))
        return tc_http_parse_urlencoded(r->pool, r->body, r->body_len, parts, n, e);
    *parts = NULL;
    *n = 0;
    return tc_err_set(e, TCE_HTTP_BAD_CONTENT_TYPE_2);
}

/* ---- routing -------------------------------------------------------------------------- */

/* Does path match the route?  Captures go to r->params (pool copies). */
static int route_match(const route *rt, const char *path, tc_http_req *r)
{
    const char *p = path + 1;
    int np = 0;
    for (int i = 0; i < rt->nsegs; i++) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        const char *seg = rt->segs[i];
        if (seg[0] == ':') {
            if (len == 0 || np >= TC_HTTP_MAX_PARAMS)
                return 0;
            if (r)
                r->params[np] = tc_pool_strndup(r->pool, p, len);
            np++;
        } else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
            return 0;
        }
        if (i + 1 < rt->nsegs || rt->star) {
            if (!slash)
                return 0;
            p = slash + 1;
        } else if (slash) {
            return 0; /* the path is longer than the pattern */
        }
    }
    if (rt->star) {
        if (np >= TC_HTTP_MAX_PARAMS)
            return 0;
        if (r)
            r->params[np] = tc_pool_strdup(r->pool, p);
        np++;
    }
    if (r)
        r->nparams = np;
    return 1;
}

static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* Decide at the header stage what will answer this request. */
static void dispatch(struct tc_http_conn *c)
{
    tc_http_server *s = c->s;
    tc_http_req *r = &c->req;
    const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    for (size_t i = 0; i < s->nroutes; i++) {
        const route *rt = &s->routes[i];
        if (strcmp(rt->method, m) == 0 && route_match(rt, r->path, r)) {
            c->rt = rt;
            r->route_data = rt->data;
            c->max_body = rt->max_body ? rt->max_body : s->cfg.max_body;
            return;
        }
    }
    /* No route for this method: 405 when another method has one. */
    tc_buf allow;
    tc_buf_init(&allow);
    for (size_t i = 0; i < s->nroutes; i++) {
        const route *rt = &s->routes[i];
        if (route_match(rt, r->path, NULL) && !strstr(allow.data ? allow.data : "", rt->method)) {
            if (allow.len)
                tc_buf_puts(&allow, ", ");
            tc_buf_puts(&allow, rt->method);
            if (strcmp(rt->method, "GET") == 0)
                tc_buf_puts(&allow, ", HEAD");
        }
    }
    int static_path = 0;
    for (size_t i = 0; i < s->nmounts; i++)
        static_path |= strncmp(r->path, s->mounts[i].prefix, strlen(s->mounts[i].prefix)) == 0;
    for (size_t i = 0; i < s->nfallbacks; i++)
        static_path |= !is_api(r->path) && strncmp(r->path, s->fallbacks[i].prefix, strlen(s->fallbacks[i].prefix)) == 0;
    if (static_path && !allow.len && strcmp(m, "GET") != 0)
        tc_buf_puts(&allow, "GET, HEAD");
    if (allow.len) {
        c->pending_status = 405;
        c->pending_code = "http.method_not_allowed";
        c->pending_zh = "不支持该请求方法";
        c->pending_en = "Method not allowed";
        c->pending_allow = tc_pool_strdup(&c->pool, allow.data);
    }
    tc_buf_free(&allow);
    c->max_body = 0; /* static files and errors take no body */
}

static void pending(struct tc_http_conn *c, int status, const char *code, const char *zh, const char *en)
{
    c->pending_status = status;
    c->pending_code = code;
    c->pending_zh = zh;
    c->pending_en = en;
}

/* ---- static files --------------------------------------------------------------------- */

static int etag_matches(const char *inm, const char *etag)
{
    /* If-None-Match: "a", W/"b", * — weak comparison (RFC 7232 3.2) */
    if (!inm)
        return 0;
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ",");
        size_t el = strlen(etag);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == el && memcmp(p, etag, el) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* Serve an already resolved file with validators.  Returns 0 when answered,
 * 1 when the file is absent/unusable (the caller goes on). */
static int serve_file(struct tc_http_conn *c, const char *real, unsigned max_age)
{
    tc_http_req *r = &c->req;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 1;
    }
    char etag[64], lm[80];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec);
    http_date(st.st_mtim.tv_sec, lm);
    char cc[48];
    if (max_age)
        snprintf(cc, sizeof cc, "public, max-age=%u", max_age);
    else
        snprintf(cc, sizeof cc, "no-cache");
    tc_http_add_header(r, "ETag", etag);
    tc_http_add_header(r, "Last-Modified", lm);
    tc_http_add_header(r, "Cache-Control", cc);

    const char *inm = tc_http_header(r, "If-None-Match");
    const char *ims = tc_http_header(r, "If-Modified-Since");
    time_t t;
    int not_modified = inm ? etag_matches(inm, etag)
                           : (ims && parse_http_date(ims, &t) == 0 && st.st_mtim.tv_sec <= t);
    if (not_modified) {
        close(fd);
        tc_http_respond(r, 304, NULL, NULL, 0);
        return 0;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return 1;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, tc_http_mime(real));
    set_response(r, 200, resp, (uint64_t)st.st_size);
    return 0;
}

/* rel is the decoded path below the mount.  Returns 0 when answered (file or
 * error), 1 when there is no such file. */
static int serve_static(struct tc_http_conn *c, const mount *m, const char *rel)
{
    tc_http_req *r = &c->req;
    /* Refuse, before touching the file system: "..", hidden files (".git",
     * ".env"), empty segments, backslashes and control characters.  The
     * path is already percent-decoded once, so "%2e%2e" arrives as "..";
     * a decoded "%25" stays "%" and is never decoded again. */
    for (const char *p = rel;;) {
        size_t n = strcspn(p, "/");
        int dots = (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
        int bad = dots || (n == 0 && p[0] == '/');
        for (size_t i = 0; i < n; i++)
            bad |= (unsigned char)p[i] < 0x20 || p[i] == '\\' || p[i] == 0x7f;
        if (bad) {
            respond_error3(r, TCE_HTTP_BAD_PATH);
            return 0;
        }
        if (n > 0 && p[0] == '.')
            return 1; /* hidden file: as if absent */
        if (!p[n])
            break;
        p += n + 1;
    }
    size_t rl = strlen(rel);
    const char *want = tc_pool_printf(r->pool, "%s/%s%s", m->root, rel, (rl == 0 || rel[rl - 1] == '/') ? "index.html" : "");
    char *real = realpath(want, NULL);
    if (!real)
        return 1;
    /* Symlinks inside the folder are fine as long as they stay inside it. */
    size_t rootl = strlen(m->root);
    int inside = strncmp(real, m->root, rootl) == 0 && real[rootl] == '/';
    c->csp = m->csp; /* the headers are added as the answer is made */
    int rc = inside ? serve_file(c, real, m->max_age) : 1;
    if (rc != 0)
        c->csp = NULL;
    free(real);
    return rc;
}

/* ---- per-client budgets ----------------------------------------------------------------- */

static size_t addr_bucket(const char *a)
{
    uint32_t h = 2166136261u; /* FNV-1a: addresses are short, spread is all we need */
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 16777619u;
    return h % CLIENT_BUCKETS;
}

/* This request's slot, found or made on first use.  Under lmu. */
static client_slot *slot_take(struct tc_http_conn *c)
{
    if (c->slot)
        return c->slot;
    tc_http_server *s = c->s;
    const char *ip = c->req.client_ip;
    assert(strlen(ip) < sizeof(((client_slot *)0)->addr)); /* from inet_ntop or checked by inet_pton */
    client_slot **b = &s->clients[addr_bucket(ip)];
    client_slot *sl = *b;
    while (sl && strcmp(sl->addr, ip) != 0)
        sl = sl->next;
    if (!sl) {
        sl = calloc(1, sizeof *sl);
        if (!sl)
            abort(); /* same policy as tc_pool_alloc */
        snprintf(sl->addr, sizeof sl->addr, "%s", ip);
        sl->next = *b;
        *b = sl;
    }
    sl->refs++;
    c->slot = sl;
    return sl;
}

static void refuse_busy(struct tc_http_conn *c, int status, const char *code, const char *zh, const char *en)
{
    char ra[16];
    snprintf(ra, sizeof ra, "%d", RETRY_AFTER_S);
    tc_http_add_header(&c->req, "Retry-After", ra);
    pending(c, status, code, zh, en);
}

/* Behind a trusted proxy: one more request in flight for this forwarded
 * client, or 429 when it already has conn_per_ip of them. */
static int limit_requests(struct tc_http_conn *c)
{
    tc_http_server *s = c->s;
    pthread_mutex_lock(&s->lmu);
    client_slot *sl = slot_take(c);
    int ok = sl->requests < s->cfg.conn_per_ip;
    if (ok) {
        sl->requests++;
        c->counted = 1;
    }
    pthread_mutex_unlock(&s->lmu);
    if (ok)
        return 0;
    refuse_busy(c, TCE_HTTP_TOO_MANY_REQUESTS);
    return -1;
}

/* Reserve n more body bytes for this request against its client's and the
 * server's budget; -1 with the answer set (429 for the client's, 503 for the
 * server's) when either would be exceeded. */
static int limit_body(struct tc_http_conn *c, uint64_t n)
{
    tc_http_server *s = c->s;
    pthread_mutex_lock(&s->lmu);
    client_slot *sl = slot_take(c);
    int over_ip = n > s->body_max_ip || sl->bytes > s->body_max_ip - n;
    int over_all = n > s->body_max || s->body_total > s->body_max - n;
    if (!over_ip && !over_all) {
        sl->bytes += n;
        s->body_total += n;
        c->reserved += n;
    }
    pthread_mutex_unlock(&s->lmu);
    if (over_ip)
        refuse_busy(c, TCE_HTTP_TOO_MANY_UPLOADS);
    else if (over_all)
        refuse_busy(c, TCE_HTTP_BUSY);
    return over_ip || over_all ? -1 : 0;
}

/* The end of a request, however it ended: give back what it held. */
static void limits_release(struct tc_http_conn *c)
{
    client_slot *sl = c->slot;
    if (!sl)
        return;
    tc_http_server *s = c->s;
    pthread_mutex_lock(&s->lmu);
    assert(sl->bytes >= c->reserved && s->body_total >= c->reserved && sl->refs > 0);
    sl->bytes -= c->reserved;
    s->body_total -= c->reserved;
    if (c->counted)
        sl->requests--;
    if (--sl->refs == 0) {
        client_slot **pp = &s->clients[addr_bucket(sl->addr)];
        while (*pp != sl)
            pp = &(*pp)->next;
        *pp = sl->next;
        free(sl);
    }
    pthread_mutex_unlock(&s->lmu);
    c->slot = NULL;
    c->reserved = 0;
}

/* ---- the access callback -------------------------------------------------------------- */

static const char *client_ip(struct tc_http_conn *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "-";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, sizeof buf);
        } else if (sa->sa_family == AF_INET6) {
            const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
            if (IN6_IS_ADDR_V4MAPPED(a6))
                inet_ntop(AF_INET, &a6->s6_addr[12], buf, sizeof buf);
            else
                inet_ntop(AF_INET6, a6, buf, sizeof buf);
        }
    }
    return tc_pool_strdup(&c->pool, buf);
}

/* Behind a trusted proxy: the proxy appends the address it saw to
 * X-Forwarded-For, so the right-most entry is the one we can believe. */
static void apply_proxy(struct tc_http_conn *c)
{
    tc_http_req *r = &c->req;
    const char *xff = tc_http_header(r, "X-Forwarded-For");
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ' || *last == '\t')
            last++;
        size_t n = strcspn(last, " \t");
        char ip[INET6_ADDRSTRLEN];
        unsigned char bin[16];
        if (n > 0 && n < sizeof ip) {
            memcpy(ip, last, n);
            ip[n] = 0;
            if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
                r->client_ip = tc_pool_strdup(&c->pool, ip);
        }
    }
    const char *proto = tc_http_header(r, "X-Forwarded-Proto");
    if (proto && strcasecmp(proto, "https") == 0)
        r->tls = 1;
}

static int has_body(struct tc_http_conn *c, uint64_t *clen)
{
    const char *cl = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    *clen = 0;
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        *clen = (errno || end == cl) ? UINT64_MAX : v;
        return *clen > 0;
    }
    return MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static enum MHD_Result queue(struct tc_http_conn *c)
{
    if (!c->resp) {
        tc_err e;
        tc_err_internal(&e, "no response for %s %s", c->req.method, c->req.path);
        tc_http_respond_error(&c->req, &e);
        if (!c->resp)
            return MHD_NO;
    }
    enum MHD_Result rc = MHD_queue_response(c->mc, (unsigned)c->status, c->resp);
    MHD_destroy_response(c->resp); /* MHD holds its own reference */
    c->resp = NULL;
    return rc;
}

static enum MHD_Result send_pending(struct tc_http_conn *c)
{
    if (c->pending_allow)
        tc_http_add_header(&c->req, "Allow", c->pending_allow);
    respond_error3(&c->req, c->pending_status, c->pending_code, c->pending_zh, c->pending_en);
    return queue(c);
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static void headers_stage(struct tc_http_conn *c, const char *url, const char *method)
{
    tc_http_server *s = c->s;
    tc_http_req *r = &c->req;
    r->method = tc_pool_strdup(&c->pool, method);
    r->path = tc_pool_strdup(&c->pool, url);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_PROTOCOL);
    r->tls = s->cfg.tls_cert_pem != NULL && ci != NULL;
    if (s->cfg.trust_proxy)
        apply_proxy(c);
    /* The raw target must be origin-form ("/..."), and must not smuggle a
     * NUL (which MHD would decode and so cut the path short). */
    if (c->raw_path[0] != '/' || strstr(c->raw_path, "%00")) {
        pending(c, TCE_HTTP_BAD_PATH_2);
        return;
    }
    /* MHD's own bound (the connection pool) is coarse; this one is exact. */
    size_t hsize = strlen(method) + strlen(c->raw_path) + 12;
    MHD_get_connection_values(c->mc, MHD_HEADER_KIND, add_header_size, &hsize);
    if (hsize > s->cfg.max_header) {
        pending(c, TCE_HTTP_HEADER_TOO_LARGE);
        return;
    }
    if (s->cfg.trust_proxy && limit_requests(c) != 0)
        return;
    dispatch(c);
    if (!c->rt && !c->pending_status)
        pending(c, TCE_HTTP_NOT_FOUND_2); /* may still be a file */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)mc; /* the same as c->mc */
    tc_http_server *s = cls;
    struct tc_http_conn *c = *con_cls;
    if (!c) /* cannot happen: on_uri runs for every request */
        return MHD_NO;

    if (!c->started) {
        c->started = 1;
        headers_stage(c, url, method);
        uint64_t clen;
        int body = has_body(c, &clen);
        if (c->pending_status == 431 || (body && (!c->rt || c->pending_status))) {
            /* An error or a static file with a body: answer now; MHD then
             * skips the body and closes. */
            if (!c->pending_status)
                pending(c, TCE_HTTP_BODY_TOO_LARGE);
            return send_pending(c);
        }
        if (body && clen != 0 && clen > c->max_body) {
            tc_err be;
            tc_err_set(&be, TCE_HTTP_BODY_TOO_LARGE_2, c->max_body);
            pending(c, be.status, tc_pool_strdup(&c->pool, be.code), tc_pool_strdup(&c->pool, be.zh),
                    tc_pool_strdup(&c->pool, be.en));
            return send_pending(c);
        }
        /* Who may not send this body is told so before sending it, and the
         * gate runs before the budget so that refused requests take none. */
        if (c->rt && c->rt->gate) {
            tc_err ge = {0};
            if (c->rt->gate(&c->req, c->rt->gate_arg, &ge) != 0) {
                int st = ge.status >= 400 && ge.status <= 599 ? ge.status : 500;
                pending(c, st, tc_pool_strdup(&c->pool, ge.code[0] ? ge.code : "internal"),
                        tc_pool_strdup(&c->pool, ge.zh), tc_pool_strdup(&c->pool, ge.en));
                return send_pending(c);
            }
        }
        if (body && clen > 0 && limit_body(c, clen) != 0)
            return send_pending(c);
        if (body && clen != UINT64_MAX && clen > 0) {
            /* Exact size known: one allocation, no copying as it arrives. */
            c->body_cap = (size_t)clen;
            c->body = tc_pool_alloc(&c->pool, c->body_cap + 1);
        }
        return MHD_YES;
    }

    if (*upload_size) {
        if (c->too_big || c->req.body_len + *upload_size > c->max_body) {
            /* Chunked body over the limit: stop reading and close. */
            c->too_big = 1;
            c->status = 413;
            return MHD_NO;
        }
        size_t need = c->req.body_len + *upload_size;
        if (need > c->reserved && limit_body(c, need - c->reserved) != 0) {
            /* A chunked body crossing a budget: as over the size limit, it
             * can only be cut off (the log says why). */
            c->too_big = 1;
            c->status = c->pending_status;
            return MHD_NO;
        }
        if (need > c->body_cap) {
            size_t cap = c->body_cap ? c->body_cap * 2 : 8192;
            while (cap < need)
                cap *= 2;
            if (cap > c->max_body)
                cap = c->max_body;
            char *nb = tc_pool_alloc(&c->pool, cap + 1);
            if (c->req.body_len)
                memcpy(nb, c->body, c->req.body_len);
            c->body = nb;
            c->body_cap = cap;
        }
        memcpy(c->body + c->req.body_len, upload_data, *upload_size);
        c->req.body_len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }

    /* The whole request is here. */
    tc_http_req *r = &c->req;
    if (!c->body)
        c->body = tc_pool_zalloc(&c->pool, 1);
    c->body[r->body_len] = 0;
    r->body = c->body;

    if (c->rt) {
        int rc = c->rt->h(r);
        if (rc != 0 && !c->resp)
            tc_log(TC_LOG_WARN, "http %s: handler for %s %s failed without responding", r->request_id, r->method,
                   r->path);
        return queue(c);
    }
    if (c->pending_status == 404 && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
        !is_api(r->path)) {
        for (size_t i = 0; i < s->nmounts; i++) {
            const mount *m = &s->mounts[i];
            size_t pl = strlen(m->prefix);
            if (strncmp(r->path, m->prefix, pl) == 0 && serve_static(c, m, r->path + pl) == 0)
                return queue(c);
        }
        for (size_t i = 0; i < s->nfallbacks; i++) {
            const fallback *f = &s->fallbacks[i];
            if (strncmp(r->path, f->prefix, strlen(f->prefix)) == 0 && serve_file(c, f->file, 0) == 0)
                return queue(c);
        }
        /* A miss drops the validators serve_file may have added. */
        c->headers = c->headers_tail = NULL;
    }
    return send_pending(c);
}

/* ---- start, stop ----------------------------------------------------------------------- */

int tc_http_server_start(tc_http_server *s, tc_err *e)
{
    if (s->d)
        return bad_arg(e, "already started");
    const tc_http_config *c = &s->cfg;
    int tls = c->tls_cert_pem != NULL;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return tc_err_set(e, TCE_HTTP_NO_TLS);

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_AUTO;
    if (tls)
        flags |= MHD_USE_TLS;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, c->bind, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)c->port);
    } else if (inet_pton(AF_INET6, c->bind, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)c->port);
        flags |= MHD_USE_IPv6;
    } else {
        return tc_err_set(e, TCE_HTTP_BAD_BIND, c->bind);
    }
    if (c->port > 65535)
        return tc_err_set(e, TCE_HTTP_BAD_BIND_2, c->port);

    /* MHD keeps the request line, the headers and the reply headers in one
     * per-connection pool; headers that do not fit are refused by MHD itself
     * (431/414, connection closed).  The pool is max_header plus room for
     * our reply headers; headers_stage() then enforces max_header exactly. */
    size_t mem = c->max_header + 16 * 1024;

    struct MHD_OptionItem opts[20];
    int k = 0;
    /* the logger first, or MHD prints what it meets before it to stderr */
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, s};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)mem, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)c->max_connections, NULL};
    /* Behind a proxy every connection is the proxy's: MHD's cap per address
     * (0 = none) would refuse the proxy itself; limit_requests() applies the
     * number per forwarded client instead. */
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                        (intptr_t)(c->trust_proxy ? 0 : c->conn_per_ip), NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)c->timeout_s, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL};
    if (c->threads > 1)
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)c->threads, NULL};
    if (tls) {
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)c->tls_key_pem};
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)c->tls_cert_pem};
    }
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    /* One largest request must always fit a client's budget, and one
     * client's budget the server's. */
    uint64_t biggest = c->max_body;
    for (size_t i = 0; i < s->nroutes; i++)
        if (s->routes[i].max_body > biggest)
            biggest = s->routes[i].max_body;
    s->body_max_ip = c->body_inflight_ip > biggest ? c->body_inflight_ip : biggest;
    s->body_max = c->body_inflight > s->body_max_ip ? c->body_inflight : s->body_max_ip;

    s->closing = 0;
    s->wquit = 0;
    atomic_store(&s->stopping, 0);
    if (pthread_create(&s->waker, NULL, waker_main, s) != 0)
        return tc_err_internal(e, "pthread_create: %s", strerror(errno));
    s->wstarted = 1;

    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!s->d) {
        waker_stop(s);
        return tc_err_set(e, TCE_HTTP_LISTEN, c->bind,
                          c->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : c->port;
    tc_log(TC_LOG_INFO, "http listening on %s%s%s:%u%s (%u threads)", strchr(c->bind, ':') ? "[" : "", c->bind,
           strchr(c->bind, ':') ? "]" : "", s->port, tls ? " with TLS" : "", c->threads);
    return 0;
}

unsigned tc_http_server_port(const tc_http_server *s)
{
    return s->port;
}

void tc_http_server_stop(tc_http_server *s, unsigned grace_s)
{
    if (!s || !s->d)
        return;
    atomic_store(&s->stopping, 1);
    /* 1. stop accepting: the listening socket is ours to close now */
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    /* 2. streams that are waiting for something to say (Server-Sent Events)
     * end now: they would otherwise hold the stop for the whole grace
     * period, and a client reconnects anyway.  From here on a stream's
     * reader that has nothing ends it (stream_read), and the ones suspended
     * are woken to do so; streams with data to send (a ZIP) go on. */
    pthread_mutex_lock(&s->wmu);
    s->closing = 1;
    resume_all(s);
    pthread_mutex_unlock(&s->wmu);
    /* 3. wait for in-flight requests (those already past the request line) */
    struct timespec deadline;
    timespec_in_ms(&deadline, (long)grace_s * 1000);
    pthread_mutex_lock(&s->mu);
    while (s->inflight > 0) {
        if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT)
            break;
    }
    long left = s->inflight;
    pthread_mutex_unlock(&s->mu);
    if (left)
        tc_log(TC_LOG_WARN, "http stop: %ld request(s) still running after %us, closing them", left, grace_s);
    /* 4. no suspended connection may remain when MHD stops */
    pthread_mutex_lock(&s->wmu);
    resume_all(s);
    pthread_mutex_unlock(&s->wmu);
    MHD_stop_daemon(s->d);
    s->d = NULL;
    waker_stop(s);
    tc_log(TC_LOG_INFO, "http stopped");
}

void tc_http_server_free(tc_http_server *s)
{
    if (!s)
        return;
    tc_http_server_stop(s, 0);
    for (size_t i = 0; i < s->nroutes; i++) {
        for (int j = 0; j < s->routes[i].nsegs; j++)
            free(s->routes[i].segs[j]);
        free(s->routes[i].segs);
    }
    free(s->routes);
    for (size_t i = 0; i < s->nmounts; i++) {
        free(s->mounts[i].prefix);
        free(s->mounts[i].root);
        free(s->mounts[i].csp);
    }
    free(s->mounts);
    for (size_t i = 0; i < s->nfallbacks; i++) {
        free(s->fallbacks[i].prefix);
        free(s->fallbacks[i].file);
    }
    free(s->fallbacks);
    free((char *)(uintptr_t)s->cfg.bind);
    free((char *)(uintptr_t)s->cfg.tls_cert_pem);
    free((char *)(uintptr_t)s->cfg.tls_key_pem);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->wmu);
    pthread_cond_destroy(&s->wcv);
    pthread_mutex_destroy(&s->lmu);
    free(s);
}
