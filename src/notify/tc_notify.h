/*
 * tc_notify — sending what the outbox holds: e-mail over SMTP (libcurl),
 * webhooks, and SMS through a gateway's webhook.
 *
 * Nothing is sent directly by a request handler: the handler (or the store
 * function of the event) adds an outbox row (tc_store_outbox_add), and one
 * worker thread claims due rows every second and sends them.  A failure
 * leaves the row pending with a later next_at (30 s, 60 s, ... at most an
 * hour); after max_attempts it is dead, with the last error kept for the
 * console.  A restart loses nothing: rows are in the database, and rows a
 * stopped server was sending go back to pending (tc_notify_new), so
 * delivery is at least once.
 *
 * Channels (a small table inside tc_notify.c, one send function each):
 *  - email: recipient = address; subject (UTF-8, RFC 2047 encoded) and text
 *    body; optional one JPEG attachment (outbox attachment = blob id).
 *  - webhook: POST webhook_url, JSON
 *    {"id","channel","recipient","subject","body","created_at"}, headers
 *    X-Tucai-Timestamp and X-Tucai-Signature: sha256=<hex HMAC-SHA256 over
 *    "<timestamp>.<body>" under the notify key>.  2xx = delivered.
 *  - sms: the same POST to sms_webhook_url (recipient = phone number): SMS
 *    providers are plugged in with a small adapter behind a URL.
 *  - wechat: a WeChat subscribe message (subscribeMessage.send): recipient =
 *    the student's openid for wx_appid, body = JSON {"title","text","time"}
 *    put into the template's fields thing1, thing2 (each cut to 20
 *    characters, WeChat's limit) and time3.  The access_token comes from
 *    GET <wx_base_url>/cgi-bin/token (client_credential) and is cached until
 *    five minutes before it expires; an answer saying it is no longer valid
 *    (errcode 40001, 40014, 42001) gets a new one once.  Neither the
 *    AppSecret nor the token is logged.
 * A channel that is not configured fails its rows with a clear last_error
 * (they retry, so configuring it later still delivers them).
 *
 * libcurl must be initialised once by main (tc_pay_global_init).
 *
 * Memory: a tc_notify is owned by the caller of tc_notify_new (free with
 * tc_notify_free, after tc_notify_stop); it copies the configuration.
 */
#ifndef TC_NOTIFY_H
#define TC_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../blob/tc_blob.h"
#include "../config/tc_config.h"
#include "../store/tc_store.h"

typedef struct tc_notify_config {
    const char *smtp_url;        /* smtp://host:port (STARTTLS when offered) or smtps://; NULL = no e-mail */
    const char *smtp_from;       /* sender address */
    const char *smtp_user;       /* NULL = no AUTH */
    const char *smtp_password;
    const char *webhook_url;
    const char *sms_webhook_url;
    const char *wx_appid;        /* WeChat subscribe messages: the app (公众号/小程序) ... */
    const char *wx_secret;       /* ... its AppSecret ... */
    const char *wx_base_url;     /* ... https://api.weixin.qq.com (tests: a stand-in) ... */
    const char *wx_template;     /* ... and the template id; NULL = no WeChat channel */
    const char *wx_page;         /* the page a message opens, or NULL */
    uint8_t key[32];             /* signs webhook POSTs */
    int max_attempts;            /* 0 = 10 */
    int batch;                   /* rows claimed per round; 0 = 20 */
    int timeout_s;               /* per delivery; 0 = 30 */
    size_t attachment_max;       /* bytes; 0 = 10 MiB */
} tc_notify_config;

/* Fill *out from the program's configuration.  key: the notify_secret's
 * SHA-256 when set, else 32 bytes the app derives from its master secret
 * (pass them).  The strings stay owned by c. */
void tc_notify_config_from(tc_notify_config *out, const tc_config *c, const uint8_t derived_key[32]);

typedef struct tc_notify tc_notify;

/* Make the sender and recover rows left 'sending' by a stopped server.
 * blobs may be NULL (then e-mails with attachments fail with a clear error). */
tc_notify *tc_notify_new(const tc_notify_config *c, tc_store *s, tc_blob_store *blobs, tc_err *e);
/* One round: claim due rows and send each; *sent / *failed (may be NULL)
 * count them.  -1 only when the store fails. */
int tc_notify_run_once(tc_notify *n, int64_t now, int *sent, int *failed, tc_err *e);
/* Start the worker thread (a round every second) / stop and join it (waits
 * for the delivery in progress, at most timeout_s).  stop is idempotent. */
int tc_notify_start(tc_notify *n, tc_err *e);
void tc_notify_stop(tc_notify *n);
void tc_notify_free(tc_notify *n);   /* stops first; NULL is fine */

/* ---- channels, callable directly (tests, a "send a test e-mail" button) ---------------- */

typedef struct tc_notify_mail {
    const char *from, *to;
    const char *subject;         /* UTF-8 */
    const char *text;            /* UTF-8 plain text */
    const void *jpeg;            /* optional attachment */
    size_t jpeg_len;
    const char *jpeg_name;       /* e.g. "photo.jpg" */
    int64_t date;                /* seconds since the epoch, for the Date header */
} tc_notify_mail;

/* The RFC 5322 / MIME message (multipart/mixed when there is an attachment).
 * Errors: notify.bad_address (400: an address with line breaks, quotes, no
 * '@'...). *out is the caller's buffer (tc_buf_free). */
int tc_notify_mime(const tc_notify_mail *m, tc_buf *out, tc_err *e);
/* Send one e-mail now.  Errors: notify.not_configured (503),
 * notify.send_failed (502, the server's or libcurl's reason in the message). */
int tc_notify_send_email(const tc_notify_config *c, const tc_notify_mail *m, tc_err *e);
/* POST json to url with the signature headers.  Errors as above. */
int tc_notify_send_webhook(const tc_notify_config *c, const char *url, const char *json, int64_t now, tc_err *e);
/* The subscribeMessage.send body for openid from an outbox row's payload
 * {"title","text","time"} (*out malloc'ed, the caller frees).  Errors:
 * notify.bad_payload. */
int tc_notify_wechat_body(const tc_notify_config *c, const char *openid, const char *payload, char **out, tc_err *e);
/* The webhook signature: hex HMAC-SHA256 over "<ts>.<body>". */
void tc_notify_webhook_sign(const uint8_t key[32], int64_t ts, const char *body, size_t len, char sig_hex[65]);

#endif
