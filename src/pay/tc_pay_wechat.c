/* tc_pay — the WeChat Pay API v3 provider (see tc_pay.h).
 *
 * Protocol, as documented by WeChat Pay:
 *  - every request carries Authorization: WECHATPAY2-SHA256-RSA2048
 *    mchid,nonce_str,timestamp,serial_no,signature where signature is the
 *    base64 RSA-SHA256 (PKCS#1 v1.5) of "METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n"
 *    under the merchant private key;
 *  - every answer and callback carries Wechatpay-Timestamp, -Nonce,
 *    -Signature and -Serial; the signature covers "TS\nNONCE\nBODY\n" under
 *    the platform key.  A 2xx answer without a valid signature is treated as
 *    forged;
 *  - a callback's resource is AEAD_AES_256_GCM under the APIv3 key with the
 *    resource's nonce and associated_data; the last 16 bytes are the tag.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pay_int.h"

typedef struct {
    tc_pay pay;
    char *mchid, *appid, *serial, *base_url, *notify_url;
    uint8_t apiv3[32];
    EVP_PKEY *merchant;       /* private: signs our requests */
    EVP_PKEY *platform;       /* public: verifies answers and callbacks */
    char platform_serial[80]; /* upper-case hex of the certificate's serial; "" for a bare public key */
} wx;

/* ---- keys ---------------------------------------------------------------------- */

/* k when it is an RSA key (WeChat Pay v3 signs with RSA-SHA256); otherwise
 * NULL, k freed. */
static EVP_PKEY *rsa_only(EVP_PKEY *k)
{
    if (k && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
        return k;
    EVP_PKEY_free(k);
    return NULL;
}

static EVP_PKEY *load_private(const char *path, tc_err *e)
{
    char *pem;
    size_t len;
    if (tc_file_read(path, 64 * 1024, &pem, &len, e) != 0)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    sodium_memzero(pem, len);
    free(pem);
    if (!(k = rsa_only(k)))
        tc_err_set(e, TCE_PAY_CONFIG_2, path);
    return k;
}

/* A platform certificate (its serial is then checked against Wechatpay-Serial)
 * or the newer "WeChat Pay public key" PEM (serial not checked: the public key
 * id is configured on WeChat's side and the signature is what counts). */
static EVP_PKEY *load_platform(const char *path, char serial[80], tc_err *e)
{
    char *pem;
    size_t len;
    serial[0] = 0;
    if (tc_file_read(path, 64 * 1024, &pem, &len, e) != 0)
        return NULL;
    EVP_PKEY *k = NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    if (x) {
        k = X509_get_pubkey(x);
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(x), NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        if (hex && strlen(hex) < 80)
            strcpy(serial, hex);
        OPENSSL_free(hex);
        BN_free(bn);
        X509_free(x);
    } else {
        BIO_free(b);
        b = BIO_new_mem_buf(pem, (int)len);
        k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    }
    BIO_free(b);
    free(pem);
    if (!(k = rsa_only(k)))
        tc_err_set(e, TCE_PAY_CONFIG_3, path);
    return k;
}

/* base64 RSA-SHA256 of msg under the merchant key, from pool. */
static const char *rsa_sign(wx *w, tc_pool *pool, const char *msg, tc_err *e)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t n = sizeof sig;
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, w->merchant) == 1 &&
             EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return tc_err_internal(e, "RSA signing failed"), NULL;
    size_t blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = tc_pool_alloc(pool, blen);
    sodium_bin2base64(b64, blen, sig, n, sodium_base64_VARIANT_ORIGINAL);
    return b64;
}

/* Verify a Wechatpay-* signed message (answer or callback). */
static int wx_verify(wx *w, tc_pool *pool, const char *ts, const char *nonce, const char *sig, const char *serial,
                     const char *body, size_t body_len, int64_t now, tc_err *e)
{
    if (!ts || !nonce || !sig || !*ts || !*nonce || !*sig || strlen(ts) > 20 || strlen(nonce) > 64 ||
        strlen(sig) > 1024 || memchr(body, 0, body_len))
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE_2);
    if (w->platform_serial[0] && (!serial || strcasecmp(serial, w->platform_serial)))
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE_3);
    char *end;
    long long t = strtoll(ts, &end, 10);
    if (*end || end == ts)
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE_4);
    if (t < now - TC_PAY_CLOCK_SKEW || t > now + TC_PAY_CLOCK_SKEW)
        return tc_err_set(e, TCE_PAY_STALE);
    unsigned char raw[1024];
    size_t rawlen;
    if (sodium_base642bin(raw, sizeof raw, sig, strlen(sig), NULL, &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE_5);
    /* body_len excludes nothing: the body is signed as received */
    char *b = tc_pool_strndup(pool, body, body_len);
    const char *parts[] = {ts, nonce, b};
    const char *msg = tc_pay_wx_message(pool, parts, 3);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, w->platform) == 1 &&
             EVP_DigestVerify(ctx, raw, rawlen, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE_5);
    return 0;
}

/* ---- HTTP ----------------------------------------------------------------------- */

typedef struct {
    pay_sink sink;
    char ts[32], nonce[80], sig[1100], serial[96];
} wx_resp;

static void take_header(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(line, name, k) || line[k] != ':')
        return;
    const char *v = line + k + 1;
    size_t vn = n - k - 1;
    while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
        vn--;
    if (vn >= cap)
        vn = 0; /* too long: treat as absent, verification then fails */
    memcpy(dst, v, vn);
    dst[vn] = 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *u)
{
    wx_resp *r = u;
    size_t n = sz * nm;
    take_header(p, n, "Wechatpay-Timestamp", r->ts, sizeof r->ts);
    take_header(p, n, "Wechatpay-Nonce", r->nonce, sizeof r->nonce);
    take_header(p, n, "Wechatpay-Signature", r->sig, sizeof r->sig);
    take_header(p, n, "Wechatpay-Serial", r->serial, sizeof r->serial);
    return n;
}

static void nonce_hex(char out[33])
{
    uint8_t r[16];
    randombytes_buf(r, sizeof r);
    tc_hex(r, sizeof r, out);
}

/* One signed call.  On success *out is the verified JSON answer (the caller
 * decrefs it; NULL for an empty 204).  Non-2xx answers become errors carrying
 * WeChat's code. */
static int wx_call(wx *w, tc_pool *pool, const char *method, const char *path, const char *body, json_t **out,
                   tc_err *e)
{
    *out = NULL;
    char ts[24], nonce[33];
    snprintf(ts, sizeof ts, "%" PRId64, tc_now());
    nonce_hex(nonce);
    const char *parts[] = {method, path, ts, nonce, body ? body : ""};
    const char *sig = rsa_sign(w, pool, tc_pay_wx_message(pool, parts, 5), e);
    if (!sig)
        return -1;
    const char *auth = tc_pool_printf(pool,
                                      "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\","
                                      "timestamp=\"%s\",serial_no=\"%s\",signature=\"%s\"",
                                      w->mchid, nonce, ts, w->serial, sig);
    const char *url = tc_pool_printf(pool, "%s%s", w->base_url, path);

    CURL *c = curl_easy_init();
    if (!c)
        return tc_err_internal(e, "curl_easy_init failed");
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "User-Agent: tucai/0.1");
    wx_resp r;
    memset(&r, 0, sizeof r);
    tc_buf_init(&r.sink.body);
    r.sink.max = TC_PAY_BODY_MAX;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pay_sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    }
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    int rc = -1;
    if (cc != CURLE_OK) {
        if (r.sink.too_big)
            tc_err_set(e, TCE_PAY_PROVIDER_3);
        else
            tc_err_set(e, TCE_PAY_UNREACHABLE, curl_easy_strerror(cc));
        goto out;
    }
    if (status < 200 || status > 299) {
        json_t *j = r.sink.body.len ? json_loadb(r.sink.body.data, r.sink.body.len, 0, NULL) : NULL;
        const char *code = j ? pay_json_str(j, "code") : NULL;
        char cbuf[64];
        pay_copy(cbuf, sizeof cbuf, code ? code : "");
        if (status == 404 || (code && !strcmp(code, "ORDER_NOT_EXIST")))
            tc_err_set(e, TCE_PAY_NOT_FOUND);
        else if (code && !strcmp(code, "ORDERPAID"))
            tc_err_set(e, TCE_PAY_ORDER_PAID_2);
        else
            tc_err_set(e, TCE_PAY_PROVIDER_4, status, cbuf);
        json_decref(j);
        goto out;
    }
    const tc_buf *b = &r.sink.body;
    if (wx_verify(w, pool, r.ts, r.nonce, r.sig, r.serial, b->data ? b->data : "", b->len, tc_now(), e) != 0)
        goto out;
    if (b->len) {
        *out = json_loadb(b->data, b->len, 0, NULL);
        if (!*out || !json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            tc_err_set(e, TCE_PAY_PROVIDER_5);
            goto out;
        }
    }
    rc = 0;
out:
    tc_buf_free(&r.sink.body);
    return rc;
}

/* ---- reading objects ----------------------------------------------------------------- */

/* "2018-06-08T10:34:56+08:00" -> seconds since the epoch; 0 when unreadable. */
static int64_t rfc3339(const char *s)
{
    int Y, M, D, h, m, sec, oh = 0, om = 0;
    char sign = 'Z';
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) != 6 || strlen(s) < 20)
        return 0;
    const char *z = s + 19;
    if (*z == '.')
        while (*++z >= '0' && *z <= '9')
            ;
    if ((*z == '+' || *z == '-') && sscanf(z + 1, "%2d:%2d", &oh, &om) == 2)
        sign = *z;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
    int64_t t = (int64_t)timegm(&tm);
    int64_t off = (int64_t)oh * 3600 + om * 60;
    return sign == '+' ? t - off : sign == '-' ? t + off : t;
}

static int bad_obj(tc_err *e)
{
    return tc_err_set(e, TCE_PAY_PROVIDER_6);
}

/* A transaction object (query answer or decrypted payment callback). */
static int read_transaction(wx *w, json_t *t, tc_pay_event *out, tc_err *e)
{
    json_t *amount = json_object_get(t, "amount");
    const char *mchid = pay_json_str(t, "mchid");
    if (mchid && strcmp(mchid, w->mchid))
        return tc_err_set(e, TCE_PAY_BAD_CALLBACK_4);
    strcpy(out->kind, "payment");
    if (pay_copy(out->out_trade_no, sizeof out->out_trade_no, pay_json_str(t, "out_trade_no")) ||
        !out->out_trade_no[0] || pay_copy(out->transaction_id, sizeof out->transaction_id, pay_json_str(t, "transaction_id")) ||
        pay_copy(out->state, sizeof out->state, pay_json_str(t, "trade_state")) || !out->state[0])
        return bad_obj(e);
    out->amount_fen = amount ? pay_json_int(amount, "total") : -1;
    if (out->amount_fen < 0 && !strcmp(out->state, "SUCCESS"))
        return bad_obj(e);
    out->paid_at = rfc3339(pay_json_str(t, "success_time"));
    return 0;
}

/* A refund object (refund answer or decrypted refund callback). */
static int read_refund(json_t *t, tc_pay_event *out, tc_err *e)
{
    json_t *amount = json_object_get(t, "amount");
    strcpy(out->kind, "refund");
    const char *st = pay_json_str(t, "status");
    if (!st)
        st = pay_json_str(t, "refund_status"); /* the callback's name for it */
    if (pay_copy(out->out_trade_no, sizeof out->out_trade_no, pay_json_str(t, "out_trade_no")) ||
        pay_copy(out->transaction_id, sizeof out->transaction_id, pay_json_str(t, "transaction_id")) ||
        pay_copy(out->out_refund_no, sizeof out->out_refund_no, pay_json_str(t, "out_refund_no")) ||
        pay_copy(out->refund_id, sizeof out->refund_id, pay_json_str(t, "refund_id")) ||
        pay_copy(out->state, sizeof out->state, st) || !out->state[0] || !out->out_refund_no[0])
        return bad_obj(e);
    out->amount_fen = amount ? pay_json_int(amount, "total") : -1;
    out->refund_fen = amount ? pay_json_int(amount, "refund") : -1;
    return 0;
}

/* ---- the operations ------------------------------------------------------------------ */

static char *dumps(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        abort();
    return s;
}

static int wx_create(tc_pay *p, tc_pool *pool, const tc_pay_order *o, tc_pay_launch *out, tc_err *e)
{
    wx *w = p->impl;
    int jsapi = o->method && !strcmp(o->method, "jsapi");
    if (o->method && *o->method && !jsapi && strcmp(o->method, "h5"))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_5, o->method);
    if (jsapi && (!o->openid || !*o->openid || strlen(o->openid) > 128))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_6);
    if (!jsapi && (!o->client_ip || !*o->client_ip || strlen(o->client_ip) > 45))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_7);
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}}", "appid", w->appid, "mchid", w->mchid, "description",
                          o->description, "out_trade_no", o->out_trade_no, "notify_url", w->notify_url, "amount", "total",
                          (json_int_t)o->amount_fen, "currency", "CNY");
    if (!b)
        return tc_err_internal(e, "json_pack failed");
    if (o->expire_at > 0) {
        /* RFC 3339 in China time, as WeChat writes it */
        time_t t = (time_t)(o->expire_at + 8 * 3600);
        struct tm tm;
        gmtime_r(&t, &tm);
        char s[40];
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
        json_object_set_new(b, "time_expire", json_string(s));
    }
    if (jsapi)
        json_object_set_new(b, "payer", json_pack("{s:s}", "openid", o->openid));
    else
        json_object_set_new(b, "scene_info",
                            json_pack("{s:s, s:{s:s}}", "payer_client_ip", o->client_ip, "h5_info", "type", "Wap"));
    char *body = dumps(b);
    json_t *ans;
    int rc = wx_call(w, pool, "POST", jsapi ? "/v3/pay/transactions/jsapi" : "/v3/pay/transactions/h5", body, &ans, e);
    free(body);
    if (rc != 0)
        return -1;
    rc = -1;
    if (jsapi) {
        const char *prepay = ans ? pay_json_str(ans, "prepay_id") : NULL;
        if (!prepay || strlen(prepay) > 128) {
            bad_obj(e);
            goto out;
        }
        /* the parameters WeixinJSBridge.invoke('getBrandWCPayRequest') takes,
         * signed like a request: appId\ntimeStamp\nnonceStr\npackage\n */
        char ts[24], nonce[33];
        snprintf(ts, sizeof ts, "%" PRId64, tc_now());
        nonce_hex(nonce);
        const char *pkg = tc_pool_printf(pool, "prepay_id=%s", prepay);
        const char *parts[] = {w->appid, ts, nonce, pkg};
        const char *sig = rsa_sign(w, pool, tc_pay_wx_message(pool, parts, 4), e);
        if (!sig)
            goto out;
        char *params = dumps(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "appId", w->appid, "timeStamp", ts, "nonceStr",
                                       nonce, "package", pkg, "signType", "RSA", "paySign", sig));
        out->kind = "jsapi";
        out->url = "";
        out->params = tc_pool_strdup(pool, params);
        out->prepay_id = tc_pool_strdup(pool, prepay);
        free(params);
    } else {
        const char *u = ans ? pay_json_str(ans, "h5_url") : NULL;
        if (!u || strncmp(u, "https://", 8) || strlen(u) > 2048) {
            bad_obj(e);
            goto out;
        }
        out->kind = "redirect";
        out->url = tc_pool_strdup(pool, u);
        out->params = "";
        out->prepay_id = "";
    }
    rc = 0;
out:
    json_decref(ans);
    return rc;
}

static int wx_query(tc_pay *p, const char *no, tc_pay_event *out, tc_err *e)
{
    wx *w = p->impl;
    tc_pool pool;
    tc_pool_init(&pool);
    json_t *ans;
    int rc = -1;
    const char *path = tc_pool_printf(&pool, "/v3/pay/transactions/out-trade-no/%s?mchid=%s", no, w->mchid);
    if (wx_call(w, &pool, "GET", path, NULL, &ans, e) != 0)
        goto out;
    if (!ans)
        rc = bad_obj(e);
    else if (read_transaction(w, ans, out, e) != 0)
        rc = -1;
    else if (strcmp(out->out_trade_no, no)) /* an answer about another order is no answer */
        rc = bad_obj(e);
    else
        rc = 0;
    json_decref(ans);
out:
    tc_pool_clear(&pool);
    return rc;
}

static int wx_refund(tc_pay *p, const tc_pay_refund_req *r, tc_pay_event *out, tc_err *e)
{
    wx *w = p->impl;
    tc_pool pool;
    tc_pool_init(&pool);
    json_t *b = json_pack("{s:s, s:s, s:{s:I, s:I, s:s}}", "out_trade_no", r->out_trade_no, "out_refund_no",
                          r->out_refund_no, "amount", "refund", (json_int_t)r->refund_fen, "total",
                          (json_int_t)r->total_fen, "currency", "CNY");
    if (!b)
        return tc_err_internal(e, "json_pack failed");
    if (r->reason && *r->reason)
        json_object_set_new(b, "reason", json_string(r->reason));
    if (w->notify_url && *w->notify_url)
        json_object_set_new(b, "notify_url", json_string(w->notify_url));
    char *body = dumps(b);
    json_t *ans;
    int rc = wx_call(w, &pool, "POST", "/v3/refund/domestic/refunds", body, &ans, e);
    free(body);
    if (rc == 0) {
        rc = ans ? read_refund(ans, out, e) : bad_obj(e);
        json_decref(ans);
    }
    tc_pool_clear(&pool);
    return rc;
}

/* Close an unpaid order so that WeChat takes no payment for it any more
 * (关闭订单: POST .../out-trade-no/{no}/close {"mchid"}, 204 No Content).
 * Our order numbers are [A-Za-z0-9_-|*] (tc_pay_close_order checked), so
 * the number goes into the path as it is. */
static int wx_close_order(tc_pay *p, const char *no, tc_err *e)
{
    wx *w = p->impl;
    tc_pool pool;
    tc_pool_init(&pool);
    char *body = dumps(json_pack("{s:s}", "mchid", w->mchid));
    json_t *ans = NULL;
    int rc = wx_call(w, &pool, "POST", tc_pool_printf(&pool, "/v3/pay/transactions/out-trade-no/%s/close", no), body,
                     &ans, e);
    free(body);
    json_decref(ans);
    tc_pool_clear(&pool);
    if (rc != 0 && !strcmp(e->code, "pay.not_found"))
        return 0; /* WeChat never had it (our create failed): nothing can be paid */
    return rc;
}

/* AEAD_AES_256_GCM open: ciphertext || 16-byte tag. *out from pool, NUL-terminated. */
static int gcm_open(wx *w, tc_pool *pool, const char *b64, const char *nonce, const char *ad, char **out, size_t *outlen,
                    tc_err *e)
{
    size_t blen = strlen(b64);
    if (blen > TC_PAY_BODY_MAX || !nonce || !*nonce || strlen(nonce) > 64 || (ad && strlen(ad) > 256))
        return tc_err_set(e, TCE_PAY_BAD_CALLBACK_5);
    unsigned char *raw = tc_pool_alloc(pool, blen + 1);
    size_t rawlen;
    if (sodium_base642bin(raw, blen + 1, b64, blen, NULL, &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        rawlen <= 16)
        return tc_err_set(e, TCE_PAY_BAD_CALLBACK_5);
    size_t clen = rawlen - 16;
    unsigned char *plain = tc_pool_alloc(pool, clen + 1);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    int ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)strlen(nonce), NULL) == 1 &&
             EVP_DecryptInit_ex(c, NULL, NULL, w->apiv3, (const unsigned char *)nonce) == 1 &&
             (!ad || !*ad || EVP_DecryptUpdate(c, NULL, &n1, (const unsigned char *)ad, (int)strlen(ad)) == 1) &&
             EVP_DecryptUpdate(c, plain, &n1, raw, (int)clen) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, raw + clen) == 1 &&
             EVP_DecryptFinal_ex(c, plain + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return tc_err_set(e, TCE_PAY_DECRYPT);
    plain[n1 + n2] = 0;
    *out = (char *)plain;
    *outlen = (size_t)(n1 + n2);
    return 0;
}

static int wx_parse_callback(tc_pay *p, const tc_pay_callback *cb, tc_pay_event *out, tc_err *e)
{
    wx *w = p->impl;
    if (!cb->body || cb->body_len == 0 || cb->body_len > TC_PAY_BODY_MAX)
        return tc_err_set(e, TCE_PAY_BAD_CALLBACK);
    tc_pool pool;
    tc_pool_init(&pool);
    json_t *j = NULL, *t = NULL;
    int rc = -1;
    if (wx_verify(w, &pool, cb->timestamp, cb->nonce, cb->signature, cb->serial, cb->body, cb->body_len, cb->now, e) != 0)
        goto out;
    if (!(j = pay_json_parse(cb->body, cb->body_len, e)))
        goto out;
    const char *etype = pay_json_str(j, "event_type"), *id = pay_json_str(j, "id");
    json_t *res = json_object_get(j, "resource");
    const char *alg = res ? pay_json_str(res, "algorithm") : NULL;
    if (!etype || !res || !alg || strcmp(alg, "AEAD_AES_256_GCM") || !pay_json_str(res, "ciphertext")) {
        tc_err_set(e, TCE_PAY_BAD_CALLBACK_6);
        goto out;
    }
    char *plain = NULL;
    size_t plen = 0;
    if (gcm_open(w, &pool, pay_json_str(res, "ciphertext"), pay_json_str(res, "nonce"),
                 pay_json_str(res, "associated_data"), &plain, &plen, e) != 0)
        goto out;
    if (!(t = pay_json_parse(plain, plen, e)))
        goto out;
    if (!strncmp(etype, "TRANSACTION.", 12))
        rc = read_transaction(w, t, out, e);
    else if (!strncmp(etype, "REFUND.", 7))
        rc = read_refund(t, out, e);
    else
        rc = tc_err_set(e, TCE_PAY_BAD_CALLBACK_7);
    if (rc == 0 && pay_copy(out->event_id, sizeof out->event_id, id))
        out->event_id[0] = 0;
out:
    json_decref(t);
    json_decref(j);
    tc_pool_clear(&pool);
    return rc;
}

static void wx_close(tc_pay *p)
{
    wx *w = p->impl;
    free(w->mchid);
    free(w->appid);
    free(w->serial);
    free(w->base_url);
    free(w->notify_url);
    EVP_PKEY_free(w->merchant);
    EVP_PKEY_free(w->platform);
    sodium_memzero(w->apiv3, sizeof w->apiv3);
    free(w);
}

static char *dup_trim_slash(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    size_t n = strlen(d);
    while (n && d[n - 1] == '/')
        d[--n] = 0;
    return d;
}

tc_pay *pay_wechat_open(const tc_config *c, tc_err *e)
{
    struct {
        const char *v, *name;
    } need[] = {{c->wxpay_mchid, "wxpay-mchid"},         {c->wxpay_appid, "wxpay-appid"},
                {c->wxpay_serial, "wxpay-serial"},       {c->wxpay_key_file, "wxpay-key-file"},
                {c->wxpay_platform_cert, "wxpay-platform-cert"}, {c->wxpay_apiv3_key, "wxpay-apiv3-key"},
                {c->wxpay_notify_url, "wxpay-notify-url"}};
    for (size_t i = 0; i < TC_ARRAY_LEN(need); i++)
        if (!need[i].v || !*need[i].v) {
            tc_err_set(e, TCE_PAY_CONFIG_4, need[i].name);
            return NULL;
        }
    if (strlen(c->wxpay_apiv3_key) != 32) {
        tc_err_set(e, TCE_PAY_CONFIG_5);
        return NULL;
    }
    /* these go into a header and a URL: no quotes, no line breaks */
    const char *plain[] = {c->wxpay_mchid, c->wxpay_serial, c->wxpay_appid};
    for (size_t i = 0; i < TC_ARRAY_LEN(plain); i++)
        for (const char *q = plain[i]; *q; q++)
            if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_')) {
                tc_err_set(e, TCE_PAY_CONFIG_6);
                return NULL;
            }
    wx *w = tc_mem_zalloc(sizeof *w, e);
    if (!w)
        return NULL;
    w->pay = (tc_pay){.name = "wechat", .create = wx_create, .query = wx_query, .refund = wx_refund,
                      .parse_callback = wx_parse_callback, .close_order = wx_close_order, .close = wx_close,
                      .impl = w};
    w->mchid = strdup(c->wxpay_mchid);
    w->appid = strdup(c->wxpay_appid);
    w->serial = strdup(c->wxpay_serial);
    w->notify_url = strdup(c->wxpay_notify_url);
    w->base_url = dup_trim_slash(c->wxpay_base_url && *c->wxpay_base_url ? c->wxpay_base_url
                                                                          : "https://api.mch.weixin.qq.com");
    if (!w->mchid || !w->appid || !w->serial || !w->notify_url)
        abort();
    memcpy(w->apiv3, c->wxpay_apiv3_key, 32);
    if (!(w->merchant = load_private(c->wxpay_key_file, e)) ||
        !(w->platform = load_platform(c->wxpay_platform_cert, w->platform_serial, e))) {
        wx_close(&w->pay);
        return NULL;
    }
    return &w->pay;
}
