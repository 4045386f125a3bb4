/* WeChat web authorisation (公众号网页授权, scope snsapi_base): how a
 * student's session inside WeChat learns the payer's openid, which JSAPI
 * orders need and which the client must not be trusted to name.
 *
 *   1. POST /api/v1/wechat/oauth/start {return}: a fresh state (32 random
 *      bytes as hex; WeChat passes [A-Za-z0-9] through) is bound to the
 *      session, stored hashed, single use, for STATE_TTL seconds; the answer
 *      is WeChat's authorize URL, which the app opens.
 *   2. WeChat sends the browser to GET /api/v1/wechat/oauth/callback
 *      ?code=&state=.  The session cookie comes along (SameSite=Lax allows
 *      a top-level GET); the state is used up, the code traded for the openid
 *      (tc_pay_wx_code_openid), the openid kept with the session, and the
 *      browser sent back to the path given in step 1.
 *   3. The pay endpoints ask api_wx_payer for the method and the openid.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../pay/tc_pay.h"
#include "api_int.h"

enum {
    STATE_BYTES = 32,
    STATE_TTL = 600,     /* seconds: WeChat's code lives 5 minutes; the round trip takes one or two seconds */
    RETURN_MAX = 512,
};

static const char CALLBACK_PATH[] = "/api/v1/wechat/oauth/callback";

static int in_wechat(tc_http_req *r)
{
    const char *ua = tc_http_header(r, "User-Agent");
    return ua && strstr(ua, "MicroMessenger") != NULL;
}

static int wechat_pay(const tc_api_app *app)
{
    return app->pay && !strcmp(app->pay->name, "wechat");
}

static int oauth_off(tc_err *e)
{
    return tc_err_set(e, TCE_WECHAT_OAUTH_OFF_2);
}

int api_wx_payer(api_ctx *c, const char *method, const char *body_openid, const char **method_out,
                 const char **openid_out)
{
    const tc_config *cfg = c->app->cfg;
    const char *m = method && *method ? method : NULL;
    int wx = wechat_pay(c->app);
    /* inside WeChat's browser H5 is refused by WeChat itself: JSAPI is the way */
    if (!m && wx && in_wechat(c->r) && tc_pay_wx_oauth_on(cfg))
        m = "jsapi";
    *method_out = m;
    *openid_out = NULL;
    if (!m || strcmp(m, "jsapi") || !wx)
        return 0; /* h5, the provider's default, or the sandbox: no openid is used */
    if (!tc_pay_wx_oauth_on(cfg))
        return oauth_off(&c->e);
    const char *stored;
    if (tc_store_wx_openid_get(c->app->store, c->r->pool, c->sess.token_hash, &stored, &c->e) != 0)
        return -1;
    if (!*stored)
        return tc_err_set(&c->e, TCE_WECHAT_OPENID_REQUIRED);
    if (body_openid && *body_openid && strcmp(body_openid, stored))
        return tc_err_set(&c->e, TCE_PAY_OPENID_MISMATCH);
    *openid_out = stored;
    return 0;
}

/* A path of this site to come back to: "/" then printable ASCII without
 * quotes, brackets, backslashes or a second leading slash (no other host). */
static int return_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > RETURN_MAX || s[0] != '/' || s[1] == '/' || s[1] == '\\')
        return 0;
    for (const char *q = s; *q; q++)
        if (*q <= 0x20 || *q >= 0x7f || *q == '"' || *q == '\'' || *q == '<' || *q == '>' || *q == '\\' ||
            *q == '`')
            return 0;
    return 1;
}

/* Where WeChat sends the browser back: --public-url, else the address this
 * request came to (WeChat only accepts the domain registered for the
 * Official Account, so a forged Host header leads nowhere). */
static const char *redirect_uri(api_ctx *c)
{
    const tc_config *cfg = c->app->cfg;
    if (cfg->public_url && *cfg->public_url) {
        size_t n = strlen(cfg->public_url);
        while (n && cfg->public_url[n - 1] == '/')
            n--;
        return tc_pool_printf(c->r->pool, "%.*s%s", (int)n, cfg->public_url, CALLBACK_PATH);
    }
    const char *host = tc_http_header(c->r, "Host");
    size_t hn = host ? strlen(host) : 0;
    int ok = hn > 0 && hn <= 255;
    for (size_t i = 0; ok && i < hn; i++)
        ok = (host[i] >= '0' && host[i] <= '9') || (host[i] >= 'a' && host[i] <= 'z') ||
             (host[i] >= 'A' && host[i] <= 'Z') || strchr(".-:[]", host[i]);
    if (!ok)
        host = "localhost";
    const char *proto = tc_http_header(c->r, "X-Forwarded-Proto");
    int https = cfg->tls_cert || (cfg->trust_proxy && proto && !strcmp(proto, "https"));
    return tc_pool_printf(c->r->pool, "%s://%s%s", https ? "https" : "http", host, CALLBACK_PATH);
}

static void state_hash(const char *state, char out[65])
{
    tc_ident_token_hash(state, out);
}

/* POST /api/v1/wechat/oauth/start {return?}: {url, expires_at}. */
static int h_oauth_start(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = NULL;
    if (r->body_len > 0 && !(b = tc_http_json(r, &c.e)))
        return api_fail(&c);
    if (!tc_pay_wx_oauth_on(c.app->cfg)) {
        oauth_off(&c.e);
        return api_fail(&c);
    }
    if (!in_wechat(r)) {
        tc_err_set(&c.e, TCE_WECHAT_NOT_IN_WECHAT);
        return api_fail(&c);
    }
    const char *ret = b ? api_jstr(b, "return") : NULL;
    if (!ret || !*ret)
        ret = "/#/pay";
    if (!return_ok(ret)) {
        tc_err_set(&c.e, TCE_WECHAT_BAD_RETURN);
        return api_fail(&c);
    }
    uint8_t raw[STATE_BYTES];
    char state[2 * STATE_BYTES + 1], h[65];
    randombytes_buf(raw, sizeof raw);
    tc_hex(raw, sizeof raw, state);
    sodium_memzero(raw, sizeof raw);
    state_hash(state, h);
    int64_t until = tc_now() + STATE_TTL;
    if (tc_store_wx_state_put(c.app->store, c.sess.token_hash, h, until, ret, &c.e) != 0)
        return api_fail(&c);
    const char *url = tc_pay_wx_authorize_url(r->pool, c.app->cfg, redirect_uri(&c), state);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:I}", "url", url, "expires_at", (json_int_t)until));
}

/* Text for an HTML page: & < > " ' escaped. */
static const char *html_esc(tc_pool *p, const char *s)
{
    tc_buf b;
    tc_buf_init(&b);
    for (; *s; s++) {
        switch (*s) {
        case '&': tc_buf_puts(&b, "&amp;"); break;
        case '<': tc_buf_puts(&b, "&lt;"); break;
        case '>': tc_buf_puts(&b, "&gt;"); break;
        case '"': tc_buf_puts(&b, "&quot;"); break;
        case '\'': tc_buf_puts(&b, "&#39;"); break;
        default: tc_buf_append(&b, s, 1);
        }
    }
    char *out = tc_pool_strdup(p, b.data ? b.data : "");
    tc_buf_free(&b);
    return out;
}

/* The callback is a page the student's browser lands on: a short page with
 * the message and a way back for a browser, the usual JSON error otherwise. */
static int callback_fail(api_ctx *c, const char *back)
{
    const char *accept = tc_http_header(c->r, "Accept");
    tc_log(TC_LOG_WARN, "wechat authorisation failed: %s [%s]", c->e.en, c->e.code);
    if (!accept || !strstr(accept, "text/html"))
        return api_fail(c);
    tc_pool *p = c->r->pool;
    const char *page = tc_pool_printf(
        p,
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>微信授权失败</title></head>"
        "<body><main data-code=\"%s\"><h1>微信授权失败 / WeChat authorisation failed</h1><p>%s</p>"
        "<p lang=\"en\">%s</p><p><a href=\"%s\">返回 / Back</a></p></main></body></html>",
        html_esc(p, c->e.code), html_esc(p, c->e.zh), html_esc(p, c->e.en), html_esc(p, back && *back ? back : "/"));
    tc_http_add_header(c->r, "Cache-Control", "no-store");
    return tc_http_respond(c->r, c->e.status ? c->e.status : 500, "text/html; charset=utf-8", page, strlen(page));
}

static int state_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > TC_PAY_WX_STATE_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

/* GET /api/v1/wechat/oauth/callback?code=&state=: 302 back to the app. */
static int h_oauth_callback(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (!tc_pay_wx_oauth_on(c.app->cfg)) {
        oauth_off(&c.e);
        return callback_fail(&c, NULL);
    }
    const char *state = tc_http_query(r, "state"), *code = tc_http_query(r, "code"), *back = NULL;
    char h[65];
    if (!state_ok(state)) {
        tc_err_set(&c.e, TCE_WECHAT_BAD_STATE);
        return callback_fail(&c, NULL);
    }
    state_hash(state, h);
    if (tc_store_wx_state_take(c.app->store, r->pool, c.sess.token_hash, h, tc_now(), &back, &c.e) != 0)
        return callback_fail(&c, back);
    if (!code || !*code) {
        /* snsapi_base asks nothing, so this is WeChat refusing (or a user who
         * cancelled a page it showed) */
        tc_err_set(&c.e, TCE_WECHAT_NO_CODE);
        return callback_fail(&c, back);
    }
    char openid[TC_PAY_OPENID_MAX + 1];
    if (tc_pay_wx_code_openid(c.app->cfg, code, openid, &c.e) != 0 ||
        tc_store_wx_openid_put(c.app->store, c.sess.token_hash, openid, &c.e) != 0)
        return callback_fail(&c, back);
    tc_log(TC_LOG_INFO, "wechat authorisation: openid kept for person %lld", (long long)c.sess.person_id);
    tc_http_add_header(r, "Location", back);
    tc_http_add_header(r, "Cache-Control", "no-store");
    return tc_http_respond(r, 302, NULL, NULL, 0);
}

int api_wechat_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"POST", "/api/v1/wechat/oauth/start", NEED_STUDENT, h_oauth_start, 0},
        {"GET", "/api/v1/wechat/oauth/callback", NEED_STUDENT, h_oauth_callback, 0},
    };
    return api_routes_add(s, R, TC_ARRAY_LEN(R), up, e);
}
