/* tc_pay — WeChat web authorisation (公众号网页授权, snsapi_base): the
 * authorize URL and the code-for-openid exchange (see tc_pay.h).
 *
 * Protocol, as documented for Official Accounts:
 *  - the browser opens https://open.weixin.qq.com/connect/oauth2/authorize
 *    ?appid=APPID&redirect_uri=<urlencoded>&response_type=code
 *    &scope=snsapi_base&state=STATE#wechat_redirect and comes back to
 *    redirect_uri?code=CODE&state=STATE;
 *  - GET <api>/sns/oauth2/access_token?appid=APPID&secret=SECRET&code=CODE
 *    &grant_type=authorization_code answers (HTTP 200 either way)
 *    {access_token, expires_in, refresh_token, openid, scope} or
 *    {errcode, errmsg}.
 * We need only the openid; the access_token (a user-level credential) is
 * dropped at once and its bytes wiped. */
#include <assert.h>
#include <curl/curl.h>
#include <sodium.h>
#include <string.h>

#include "pay_int.h"

enum {
    OAUTH_ANSWER_MAX = 8 * 1024, /* the answer is ~300 bytes; more is not WeChat */
    OAUTH_CONNECT_S = 5,
    OAUTH_TOTAL_S = 10,
};

static const char AUTHORIZE[] = "https://open.weixin.qq.com/connect/oauth2/authorize";

static int word_ok(const char *s, size_t max, int dash)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (const char *q = s; *q; q++)
        if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
              (dash && (*q == '-' || *q == '_'))))
            return 0;
    return 1;
}

int tc_pay_wx_openid_valid(const char *s)
{
    return word_ok(s, TC_PAY_OPENID_MAX, 1);
}

int tc_pay_wx_oauth_on(const tc_config *c)
{
    return c && c->pay_provider && !strcmp(c->pay_provider, "wechat") && c->wxpay_appid && *c->wxpay_appid &&
           c->wxpay_oa_secret && *c->wxpay_oa_secret;
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static const char *urlenc(tc_pool *pool, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *o = tc_pool_alloc(pool, 3 * n + 1), *w = o;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-' ||
            *q == '_' || *q == '.' || *q == '~') {
            *w++ = (char)*q;
        } else {
            *w++ = '%';
            *w++ = hex[*q >> 4];
            *w++ = hex[*q & 15];
        }
    }
    *w = 0;
    return o;
}

const char *tc_pay_wx_authorize_url(tc_pool *pool, const tc_config *c, const char *redirect_uri, const char *state)
{
    assert(word_ok(state, TC_PAY_WX_STATE_MAX, 0));
    return tc_pool_printf(pool, "%s?appid=%s&redirect_uri=%s&response_type=code&scope=snsapi_base&state=%s#wechat_redirect",
                          AUTHORIZE, urlenc(pool, c->wxpay_appid), urlenc(pool, redirect_uri), state);
}

/* WeChat's errcode as one of our errors; errmsg is not repeated (it is
 * theirs, unbounded, and may echo what we sent). */
static int errcode_err(long long code, tc_err *e)
{
    if (code == 40029)
        return tc_err_set(e, TCE_WECHAT_CODE_INVALID);
    if (code == 40163)
        return tc_err_set(e, TCE_WECHAT_CODE_USED);
    return tc_err_set(e, TCE_WECHAT_REFUSED, code);
}

int tc_pay_wx_code_openid(const tc_config *c, const char *code, char openid[TC_PAY_OPENID_MAX + 1], tc_err *e)
{
    openid[0] = 0;
    if (!tc_pay_wx_oauth_on(c))
        return tc_err_set(e, TCE_WECHAT_OAUTH_OFF);
    /* codes are opaque words; anything else never reaches WeChat's URL */
    if (!word_ok(code, TC_PAY_WX_CODE_MAX, 1))
        return tc_err_set(e, TCE_WECHAT_BAD_CODE);
    tc_pool pool;
    tc_pool_init(&pool);
    const char *base = c->wxpay_oa_base_url && *c->wxpay_oa_base_url ? c->wxpay_oa_base_url : "https://api.weixin.qq.com";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    /* the secret is in the query, as WeChat wants it: this URL is never logged */
    char *url = tc_pool_printf(&pool, "%.*s/sns/oauth2/access_token?appid=%s&secret=%s&code=%s&grant_type=authorization_code",
                               (int)bl, base, urlenc(&pool, c->wxpay_appid), urlenc(&pool, c->wxpay_oa_secret), code);
    pay_sink a;
    memset(&a, 0, sizeof a);
    a.max = OAUTH_ANSWER_MAX;
    tc_buf_init(&a.body);
    int rc = -1;
    json_t *j = NULL;
    CURL *h = curl_easy_init();
    if (!h) {
        tc_err_internal(e, "curl_easy_init failed");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)OAUTH_CONNECT_S);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)OAUTH_TOTAL_S);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, pay_sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tucai/0.1");
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        if (a.too_big)
            tc_err_set(e, TCE_WECHAT_BAD_ANSWER);
        else
            tc_err_set(e, TCE_WECHAT_UNREACHABLE, curl_easy_strerror(cc));
        goto out;
    }
    j = a.body.len ? json_loadb(a.body.data, a.body.len, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        tc_err_set(e, TCE_WECHAT_BAD_ANSWER_2, status);
        goto out;
    }
    json_t *ec = json_object_get(j, "errcode");
    if (json_is_integer(ec) && json_integer_value(ec) != 0) {
        errcode_err((long long)json_integer_value(ec), e);
        goto out;
    }
    const char *oid = pay_json_str(j, "openid");
    if (status < 200 || status > 299 || !tc_pay_wx_openid_valid(oid)) {
        tc_err_set(e, TCE_WECHAT_BAD_ANSWER_3, status);
        goto out;
    }
    strcpy(openid, oid);
    rc = 0;
out:
    json_decref(j);
    if (a.body.data)
        sodium_memzero(a.body.data, a.body.len); /* the access_token and refresh_token */
    tc_buf_free(&a.body);
    sodium_memzero(url, strlen(url));           /* the secret */
    tc_pool_clear(&pool);
    return rc;
}
