/* tc_notify — see tc_notify.h. */
#include "tc_notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tc_notify {
    tc_notify_config c;  /* strings below are our copies */
    char *smtp_url, *smtp_from, *smtp_user, *smtp_password, *webhook_url, *sms_webhook_url;
    char *wx_appid, *wx_secret, *wx_base_url, *wx_template, *wx_page;
    /* the WeChat access_token, cached until shortly before it expires; read
     * and written by the round in progress only (one worker thread) */
    char wx_token[600];
    int64_t wx_token_until;
    tc_store *store;
    tc_blob_store *blobs;
    pthread_t thread;
    int running;
    int stopping;
    int leading; /* sends as the leader (tc_store_lead); the worker thread's */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

void tc_notify_config_from(tc_notify_config *out, const tc_config *c, const uint8_t derived_key[32])
{
    memset(out, 0, sizeof *out);
    out->smtp_url = c->smtp_url;
    out->smtp_from = c->smtp_from;
    out->smtp_user = c->smtp_user;
    out->smtp_password = c->smtp_password;
    out->webhook_url = c->webhook_url;
    out->sms_webhook_url = c->sms_webhook_url;
    out->wx_appid = c->wxpay_appid;
    out->wx_secret = c->wxpay_oa_secret;
    out->wx_base_url = c->wxpay_oa_base_url;
    out->wx_template = c->wx_subscribe_template;
    out->wx_page = c->wx_subscribe_page;
    if (c->notify_secret && *c->notify_secret)
        crypto_hash_sha256(out->key, (const unsigned char *)c->notify_secret, strlen(c->notify_secret));
    else
        memcpy(out->key, derived_key, 32);
}

/* ---- MIME ------------------------------------------------------------------------- */

/* An address we put in a header and an SMTP command: printable ASCII
 * without the characters that could end a header, a command or a bracket. */
static int addr_ok(const char *a)
{
    if (!a)
        return 0;
    size_t n = strlen(a);
    const char *at = strchr(a, '@');
    if (n < 3 || n > 254 || !at || at == a || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>\"(),;:\\[]", *p))
            return 0;
    return 1;
}

static void b64_lines(tc_buf *out, const void *data, size_t len)
{
    /* 57 input bytes make one 76-character line (RFC 2045) */
    const unsigned char *p = data;
    char line[80];
    for (size_t off = 0; off < len; off += 57) {
        size_t k = len - off < 57 ? len - off : 57;
        sodium_bin2base64(line, sizeof line, p + off, k, sodium_base64_VARIANT_ORIGINAL);
        tc_buf_puts(out, line);
        tc_buf_puts(out, "\r\n");
    }
}

/* RFC 2047: plain ASCII stays as it is; anything else becomes base64
 * encoded-words of at most 45 input bytes (60 characters, well inside the
 * 75 limit), never splitting a UTF-8 sequence, folded onto new lines. */
static void header_words(tc_buf *out, const char *s)
{
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            ascii = 0;
    if (ascii && strlen(s) <= 900 && !strstr(s, "=?")) {
        tc_buf_puts(out, s);
        return;
    }
    size_t n = strlen(s), off = 0;
    char word[96];
    while (off < n) {
        size_t k = n - off < 45 ? n - off : 45;
        while (off + k < n && ((unsigned char)s[off + k] & 0xC0) == 0x80)
            k--;
        if (k == 0)
            k = 1; /* not UTF-8 (cannot happen after validation): still progress */
        sodium_bin2base64(word, sizeof word, (const unsigned char *)s + off, k, sodium_base64_VARIANT_ORIGINAL);
        if (off)
            tc_buf_puts(out, "\r\n ");
        tc_buf_printf(out, "=?UTF-8?B?%s?=", word);
        off += k;
    }
}

static void random_hex(char *out, size_t bytes)
{
    uint8_t r[32];
    randombytes_buf(r, bytes);
    tc_hex(r, bytes, out);
}

int tc_notify_mime(const tc_notify_mail *m, tc_buf *out, tc_err *e)
{
    if (!addr_ok(m->from) || !addr_ok(m->to))
        return tc_err_set(e, TCE_NOTIFY_BAD_ADDRESS);
    const char *subject = m->subject ? m->subject : "", *text = m->text ? m->text : "";
    if (!tc_utf8_valid(subject, strlen(subject)) || strpbrk(subject, "\r\n") || !tc_utf8_valid(text, strlen(text)))
        return tc_err_set(e, TCE_NOTIFY_BAD_MESSAGE);
    const char *name = m->jpeg_name && *m->jpeg_name ? m->jpeg_name : "photo.jpg";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == '"' || *p == '\\' || *p == '/')
            return tc_err_set(e, TCE_NOTIFY_BAD_MESSAGE_2);
    /* Date in China time, the only zone our users live in */
    time_t t = (time_t)(m->date ? m->date : tc_now()) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char id[33], boundary[33];
    random_hex(id, 16);
    random_hex(boundary, 16);
    tc_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0800\r\n", DAYS[tm.tm_wday], tm.tm_mday,
                  MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    tc_buf_printf(out, "From: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@%s>\r\nSubject: ", m->from, m->to, id,
                  strchr(m->from, '@') + 1);
    header_words(out, subject);
    tc_buf_puts(out, "\r\nMIME-Version: 1.0\r\n");
    int multi = m->jpeg && m->jpeg_len;
    if (multi)
        tc_buf_printf(out, "Content-Type: multipart/mixed; boundary=\"tc-%s\"\r\n\r\n--tc-%s\r\n", boundary, boundary);
    tc_buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    b64_lines(out, text, strlen(text));
    if (multi) {
        tc_buf_printf(out, "\r\n--tc-%s\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"",
                      boundary);
        header_words(out, name);
        tc_buf_puts(out, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        b64_lines(out, m->jpeg, m->jpeg_len);
        tc_buf_printf(out, "\r\n--tc-%s--\r\n", boundary);
    }
    return 0;
}

/* ---- SMTP ------------------------------------------------------------------------- */

static size_t on_discard(char *p, size_t sz, size_t nm, void *u)
{
    (void)p;
    (void)u;
    return sz * nm;
}

static int timeout_of(const tc_notify_config *c)
{
    return c->timeout_s > 0 ? c->timeout_s : 30;
}

/* Run the transfer set up on h with the common limits (no signals, 10 s
 * to connect, the configured total), its HTTP or SMTP status in *status;
 * h is cleaned up.  libcurl's own message, if any, lands in ebuf. */
static CURLcode perform(const tc_notify_config *c, CURL *h, char ebuf[CURL_ERROR_SIZE], long *status)
{
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_of(c));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    return cc;
}

int tc_notify_send_email(const tc_notify_config *c, const tc_notify_mail *m, tc_err *e)
{
    if (!c->smtp_url || !*c->smtp_url || !c->smtp_from || !*c->smtp_from)
        return tc_err_set(e, TCE_NOTIFY_NOT_CONFIGURED);
    tc_buf msg;
    tc_buf_init(&msg);
    if (tc_notify_mime(m, &msg, e) != 0) {
        tc_buf_free(&msg);
        return -1;
    }
    char from[300], to[300], ebuf[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof from, "<%s>", m->from);
    snprintf(to, sizeof to, "<%s>", m->to);
    CURL *h = curl_easy_init();
    if (!h) {
        tc_buf_free(&msg);
        return tc_err_internal(e, "curl_easy_init failed");
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    tc_reader rd = {msg.data, msg.len, 0};
    int creds = c->smtp_user && *c->smtp_user;
    curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* with a password, refuse to send it over a plain connection */
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(creds ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (creds) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password ? c->smtp_password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, tc_reader_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    long code = 0;
    CURLcode cc = perform(c, h, ebuf, &code);
    curl_slist_free_all(rcpt);
    tc_buf_free(&msg);
    if (cc != CURLE_OK)
        return tc_err_set(e, TCE_NOTIFY_SEND_FAILED, *ebuf ? ebuf : curl_easy_strerror(cc), code);
    return 0;
}

/* ---- webhooks ----------------------------------------------------------------------- */

void tc_notify_webhook_sign(const uint8_t key[32], int64_t ts, const char *body, size_t len, char sig_hex[65])
{
    char t[24];
    snprintf(t, sizeof t, "%" PRId64 ".", ts);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, strlen(t));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    uint8_t mac[32];
    crypto_auth_hmacsha256_final(&st, mac);
    tc_hex(mac, 32, sig_hex);
}

int tc_notify_send_webhook(const tc_notify_config *c, const char *url, const char *json, int64_t now, tc_err *e)
{
    if (!url || !*url)
        return tc_err_set(e, TCE_NOTIFY_NOT_CONFIGURED_2);
    char sig[65], h1[64], h2[128], ebuf[CURL_ERROR_SIZE] = "";
    size_t len = strlen(json);
    tc_notify_webhook_sign(c->key, now, json, len, sig);
    snprintf(h1, sizeof h1, "X-Tucai-Timestamp: %" PRId64, now);
    snprintf(h2, sizeof h2, "X-Tucai-Signature: sha256=%s", sig);
    CURL *h = curl_easy_init();
    if (!h)
        return tc_err_internal(e, "curl_easy_init failed");
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, h1);
    hd = curl_slist_append(hd, h2);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_discard);
    long status = 0;
    CURLcode cc = perform(c, h, ebuf, &status);
    curl_slist_free_all(hd);
    if (cc != CURLE_OK)
        return tc_err_set(e, TCE_NOTIFY_SEND_FAILED_2, *ebuf ? ebuf : curl_easy_strerror(cc));
    if (status < 200 || status > 299)
        return tc_err_set(e, TCE_NOTIFY_SEND_FAILED_3, status);
    return 0;
}

/* ---- the channels -------------------------------------------------------------------- */

typedef int (*channel_send)(tc_notify *n, const tc_store_outbox_msg *m, int64_t now, tc_err *e);

static int send_email(tc_notify *n, const tc_store_outbox_msg *m, int64_t now, tc_err *e)
{
    tc_notify_mail mail = {.from = n->c.smtp_from, .to = m->recipient, .subject = m->subject, .text = m->body,
                           .date = now};
    char *jpeg = NULL;
    size_t len = 0;
    if (m->attachment && *m->attachment) {
        if (!n->blobs)
            return tc_err_set(e, TCE_NOTIFY_NO_BLOBS);
        if (tc_blob_get(n->blobs, m->attachment, n->c.attachment_max ? n->c.attachment_max : 10u << 20, &jpeg, &len, e) !=
            0)
            return -1;
        mail.jpeg = jpeg;
        mail.jpeg_len = len;
        mail.jpeg_name = m->attachment_name;
    }
    int rc = tc_notify_send_email(&n->c, &mail, e);
    free(jpeg);
    return rc;
}

static int post_row(tc_notify *n, const char *url, const tc_store_outbox_msg *m, int64_t now, tc_err *e)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)m->id, "channel", m->channel, "recipient",
                          m->recipient, "subject", m->subject, "body", m->body, "created_at", (json_int_t)m->created_at);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return tc_err_internal(e, "json encoding failed");
    int rc = tc_notify_send_webhook(&n->c, url, s, now, e);
    free(s);
    return rc;
}

static int send_webhook(tc_notify *n, const tc_store_outbox_msg *m, int64_t now, tc_err *e)
{
    return post_row(n, n->c.webhook_url, m, now, e);
}

static int send_sms(tc_notify *n, const tc_store_outbox_msg *m, int64_t now, tc_err *e)
{
    if (!n->c.sms_webhook_url || !*n->c.sms_webhook_url)
        return tc_err_set(e, TCE_NOTIFY_NOT_CONFIGURED_3);
    return post_row(n, n->c.sms_webhook_url, m, now, e);
}

/* ---- WeChat subscribe messages (subscribeMessage.send) ------------------------------- */

enum { WX_RESP_MAX = 64 * 1024 };

static size_t on_keep(char *p, size_t sz, size_t nm, void *u)
{
    tc_buf *b = u;
    size_t k = sz * nm;
    if (b->len + k > WX_RESP_MAX)
        return 0; /* a bounded answer: more is an error */
    tc_buf_append(b, p, k);
    return k;
}

/* GET (body NULL) or POST JSON to url; the answer's JSON in *out (caller
 * decrefs).  The URL holds a secret or a token: never logged, and libcurl's
 * error text names the host only. */
static int wx_call(const tc_notify_config *c, const char *url, const char *body, json_t **out, tc_err *e)
{
    *out = NULL;
    char ebuf[CURL_ERROR_SIZE] = "";
    tc_buf resp;
    tc_buf_init(&resp);
    CURL *h = curl_easy_init();
    if (!h)
        return tc_err_internal(e, "curl_easy_init failed");
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_keep);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    long status = 0;
    CURLcode cc = perform(c, h, ebuf, &status);
    curl_slist_free_all(hd);
    int rc = 0;
    if (cc != CURLE_OK)
        rc = tc_err_set(e, TCE_NOTIFY_SEND_FAILED_4, curl_easy_strerror(cc));
    else if (status < 200 || status > 299)
        rc = tc_err_set(e, TCE_NOTIFY_SEND_FAILED_5, status);
    else {
        *out = json_loadb(resp.data ? resp.data : "", resp.len, 0, NULL);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = tc_err_set(e, TCE_NOTIFY_SEND_FAILED_6);
        }
    }
    tc_buf_free(&resp);
    return rc;
}

/* The access_token (GET /cgi-bin/token, client_credential), from the cache
 * while it is good. */
static int wx_token(tc_notify *n, int64_t now, tc_err *e)
{
    if (n->wx_token[0] && now < n->wx_token_until)
        return 0;
    n->wx_token[0] = 0;
    char *id = curl_easy_escape(NULL, n->c.wx_appid, 0), *sec = curl_easy_escape(NULL, n->c.wx_secret, 0);
    tc_buf url;
    tc_buf_init(&url);
    tc_buf_printf(&url, "%s/cgi-bin/token?grant_type=client_credential&appid=%s&secret=%s", n->c.wx_base_url,
                  id ? id : "", sec ? sec : "");
    curl_free(id);
    if (sec)
        sodium_memzero(sec, strlen(sec));
    curl_free(sec);
    json_t *j;
    int rc = wx_call(&n->c, url.data, NULL, &j, e);
    sodium_memzero(url.data, url.len);
    tc_buf_free(&url);
    if (rc != 0)
        return rc;
    const char *tok = json_string_value(json_object_get(j, "access_token"));
    json_int_t ttl = json_integer_value(json_object_get(j, "expires_in"));
    if (!tok || !*tok || strlen(tok) >= sizeof n->wx_token) {
        rc = tc_err_set(e, TCE_NOTIFY_WECHAT_TOKEN,
                        (long long)json_integer_value(json_object_get(j, "errcode")));
    } else {
        snprintf(n->wx_token, sizeof n->wx_token, "%s", tok);
        /* renew five minutes early (WeChat gives 7200 s) */
        n->wx_token_until = now + (ttl > 600 ? ttl - 300 : 60);
    }
    json_decref(j);
    return rc;
}

/* At most max characters (code points) of s, with "…" when cut: a
 * template's thing field takes 20. */
static char *wx_cut(const char *s, int max)
{
    tc_buf b;
    tc_buf_init(&b);
    int k = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
        if (k == max - 1 && strlen((const char *)p) > len) {
            /* a character more follows this one: end with the ellipsis */
            tc_buf_puts(&b, "\xe2\x80\xa6");
            break;
        }
        tc_buf_append(&b, p, len);
        p += len;
        k++;
    }
    return tc_buf_steal(&b, NULL);
}

int tc_notify_wechat_body(const tc_notify_config *c, const char *openid, const char *payload, char **out, tc_err *e)
{
    *out = NULL;
    json_t *in = json_loads(payload, 0, NULL);
    const char *title = json_string_value(json_object_get(in, "title"));
    const char *text = json_string_value(json_object_get(in, "text"));
    const char *time = json_string_value(json_object_get(in, "time"));
    if (!title || !text || !time) {
        json_decref(in);
        return tc_err_set(e, TCE_NOTIFY_BAD_PAYLOAD);
    }
    char *t1 = wx_cut(title, 20), *t2 = wx_cut(text, 20);
    json_t *j = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}, s:s}", "touser", openid, "template_id",
                          c->wx_template, "data", "thing1", "value", t1, "thing2", "value", t2, "time3", "value", time,
                          "lang", "zh_CN");
    if (j && c->wx_page && *c->wx_page)
        json_object_set_new(j, "page", json_string(c->wx_page));
    free(t1);
    free(t2);
    json_decref(in);
    *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return *out ? 0 : tc_err_internal(e, "json encoding failed");
}

static int send_wechat(tc_notify *n, const tc_store_outbox_msg *m, int64_t now, tc_err *e)
{
    if (!n->c.wx_template || !*n->c.wx_template || !n->c.wx_appid || !n->c.wx_secret || !n->c.wx_base_url)
        return tc_err_set(e, TCE_NOTIFY_NOT_CONFIGURED_4);
    char *body;
    if (tc_notify_wechat_body(&n->c, m->recipient, m->body, &body, e) != 0)
        return -1;
    int rc = -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (wx_token(n, now, e) != 0)
            break;
        char *url = NULL;
        size_t k = strlen(n->c.wx_base_url) + strlen(n->wx_token) + 64;
        url = malloc(k);
        if (!url)
            abort();
        snprintf(url, k, "%s/cgi-bin/message/subscribe/send?access_token=%s", n->c.wx_base_url, n->wx_token);
        json_t *j;
        rc = wx_call(&n->c, url, body, &j, e);
        sodium_memzero(url, k);
        free(url);
        if (rc != 0)
            break;
        json_int_t code = json_integer_value(json_object_get(j, "errcode"));
        json_decref(j);
        if (code == 0) {
            rc = 0;
            break;
        }
        /* 40001 / 40014 / 42001: the token is no longer good (another server
         * asked for a new one, or it expired early): ask once more */
        if (code == 40001 || code == 40014 || code == 42001) {
            n->wx_token[0] = 0;
            rc = tc_err_set(e, TCE_NOTIFY_WECHAT_TOKEN_2, (long long)code);
            continue;
        }
        /* 43101: the user has not subscribed (or used up the one-time
         * subscription); 40003: not an openid of this app */
        rc = tc_err_set(e, TCE_NOTIFY_WECHAT_REFUSED, (long long)code);
        break;
    }
    free(body);
    return rc;
}

static const struct {
    const char *name;
    channel_send send;
} CHANNELS[] = {{"email", send_email}, {"webhook", send_webhook}, {"sms", send_sms}, {"wechat", send_wechat}};

/* ---- the worker ---------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

/* This process starts sending (at start, or when it becomes the leader:
 * the sender before it stopped or died).  Messages it left claimed are
 * sent again, and those waiting out a backoff are tried at once: a restart
 * usually follows fixing the channel that was down. */
static int take_over(tc_notify *n, tc_err *e)
{
    int64_t back = 0, due = 0;
    if (tc_store_outbox_recover(n->store, &back, e) != 0 || tc_store_outbox_due_now(n->store, tc_now(), &due, e) != 0)
        return -1;
    if (back)
        tc_log(TC_LOG_INFO, "outbox: %" PRId64 " message(s) interrupted by a stop will be sent again", back);
    if (due)
        tc_log(TC_LOG_INFO, "outbox: %" PRId64 " undelivered message(s) will be tried again now", due);
    n->leading = 1;
    return 0;
}

tc_notify *tc_notify_new(const tc_notify_config *c, tc_store *s, tc_blob_store *blobs, tc_err *e)
{
    tc_notify *n = tc_mem_zalloc(sizeof *n, e);
    if (!n)
        return NULL;
    n->c = *c;
    n->c.smtp_url = n->smtp_url = dup_or_null(c->smtp_url);
    n->c.smtp_from = n->smtp_from = dup_or_null(c->smtp_from);
    n->c.smtp_user = n->smtp_user = dup_or_null(c->smtp_user);
    n->c.smtp_password = n->smtp_password = dup_or_null(c->smtp_password);
    n->c.webhook_url = n->webhook_url = dup_or_null(c->webhook_url);
    n->c.sms_webhook_url = n->sms_webhook_url = dup_or_null(c->sms_webhook_url);
    n->c.wx_appid = n->wx_appid = dup_or_null(c->wx_appid);
    n->c.wx_secret = n->wx_secret = dup_or_null(c->wx_secret);
    n->c.wx_base_url = n->wx_base_url = dup_or_null(c->wx_base_url);
    n->c.wx_template = n->wx_template = dup_or_null(c->wx_template);
    n->c.wx_page = n->wx_page = dup_or_null(c->wx_page);
    if (n->c.max_attempts <= 0)
        n->c.max_attempts = 10;
    if (n->c.batch <= 0)
        n->c.batch = 20;
    n->store = s;
    n->blobs = blobs;
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    /* the leader of the periodic jobs sends (tc_store_lead: always this
     * process on SQLite) */
    if (tc_store_lead(s) && take_over(n, e) != 0) {
        tc_notify_free(n);
        return NULL;
    }
    return n;
}

int tc_notify_run_once(tc_notify *n, int64_t now, int *sent, int *failed, tc_err *e)
{
    if (sent)
        *sent = 0;
    if (failed)
        *failed = 0;
    tc_pool p;
    tc_pool_init(&p);
    tc_store_outbox_msg *rows;
    size_t k;
    int rc = tc_store_outbox_claim(n->store, &p, now, n->c.batch, &rows, &k, e);
    for (size_t i = 0; rc == 0 && i < k; i++) {
        const tc_store_outbox_msg *m = &rows[i];
        tc_err se;
        tc_err_clear(&se);
        int ok = -1;
        int known = 0;
        for (size_t c = 0; c < TC_ARRAY_LEN(CHANNELS); c++)
            if (!strcmp(CHANNELS[c].name, m->channel)) {
                known = 1;
                ok = CHANNELS[c].send(n, m, now, &se);
            }
        if (!known)
            tc_err_set(&se, TCE_NOTIFY_BAD_CHANNEL);
        if (ok == 0) {
            rc = tc_store_outbox_sent(n->store, m->id, now, e);
            if (sent)
                (*sent)++;
        } else {
            int dead = 0;
            char why[400];
            snprintf(why, sizeof why, "%s: %s", se.code, se.en);
            rc = tc_store_outbox_failed(n->store, m->id, now, why, n->c.max_attempts, &dead, e);
            /* the recipient is personal data: log the row id, not the address */
            tc_log(dead ? TC_LOG_ERROR : TC_LOG_WARN, "outbox: message %" PRId64 " (%s) %s: %s", m->id, m->channel,
                   dead ? "gave up" : "will retry", why);
            if (failed)
                (*failed)++;
        }
    }
    tc_pool_clear(&p);
    return rc;
}

static void *worker(void *arg)
{
    tc_notify *n = arg;
    pthread_mutex_lock(&n->mu);
    while (!n->stopping) {
        pthread_mutex_unlock(&n->mu);
        tc_err e;
        /* one sender in the cluster: the leader (issue 18 item 3); a
         * process that becomes it takes over what the last one left */
        int lead = tc_store_lead(n->store);
        if (!lead)
            n->leading = 0;
        else if (!n->leading && take_over(n, &e) != 0)
            tc_log(TC_LOG_ERROR, "outbox: %s", e.en);
        else if (tc_notify_run_once(n, tc_now(), NULL, NULL, &e) != 0)
            tc_log(TC_LOG_ERROR, "outbox: %s", e.en);
        pthread_mutex_lock(&n->mu);
        if (n->stopping)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        while (!n->stopping && pthread_cond_timedwait(&n->cv, &n->mu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&n->mu);
    return NULL;
}

int tc_notify_start(tc_notify *n, tc_err *e)
{
    if (n->running)
        return 0;
    n->stopping = 0;
    if (pthread_create(&n->thread, NULL, worker, n) != 0)
        return tc_err_internal(e, "cannot start the outbox worker");
    n->running = 1;
    return 0;
}

void tc_notify_stop(tc_notify *n)
{
    if (!n || !n->running)
        return;
    pthread_mutex_lock(&n->mu);
    n->stopping = 1;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->thread, NULL);
    n->running = 0;
}

void tc_notify_free(tc_notify *n)
{
    if (!n)
        return;
    tc_notify_stop(n);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n->smtp_url);
    free(n->smtp_from);
    free(n->smtp_user);
    tc_str_free_secret(n->smtp_password);
    free(n->webhook_url);
    free(n->sms_webhook_url);
    free(n->wx_appid);
    tc_str_free_secret(n->wx_secret);
    free(n->wx_base_url);
    free(n->wx_template);
    free(n->wx_page);
    sodium_memzero(n->wx_token, sizeof n->wx_token);
    sodium_memzero(n->c.key, sizeof n->c.key);
    free(n);
}
