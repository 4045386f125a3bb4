/*
 * tc_config — the program's settings, from a file, then the environment,
 * then command-line flags (each overrides the one before).  One table
 * describes every option; `tucai serve --help` prints it.
 *
 * File format: "key = value" lines, '#' comments, blank lines ignored.
 * Environment: TUCAI_<KEY> with '-' as '_' and upper case (TUCAI_DATA_DIR).
 * Flags: --key value or --key=value; boolean flags alone mean true.
 *
 * Owns: a tc_config's strings (tc_config_load .. tc_config_free).
 */
#ifndef TC_CONFIG_H
#define TC_CONFIG_H

#include <stddef.h>

#include "../base/tc_base.h"

typedef struct tc_config {
    char *config_file;     /* --config: the file read first (default: none, or $TUCAI_CONFIG) */
    char *data_dir;        /* database, blobs, demo QR images, secret key */
    char *database;        /* SQLite file; default <data_dir>/tucai.db */
    char *blob_store;      /* photos and files: a folder (default <data_dir>/blobs) or s3://bucket[/prefix] */
    char *s3_endpoint;     /* S3 store: http(s)://host[:port] */
    char *s3_region;       /* S3 store: signing region; default us-east-1 */
    char *s3_access_key;   /* S3 store: access key id */
    char *s3_secret_key;   /* S3 store: secret access key (a secret: file or environment, never logged) */
    char *web_dir;         /* the pages (student app, consoles) */
    char *vendor_dir;      /* npm packages served under /vendor/ */
    char *models_dir;      /* neural-network model files */
    char *listen;          /* address to bind; default 127.0.0.1 */
    int port;              /* default 8080 */
    int threads;           /* HTTP worker threads; default 4 */
    char *public_url;      /* how people reach us, for printed links and QR posters */
    char *tls_cert;        /* PEM file: serve HTTPS directly when both are set */
    char *tls_key;
    int cookie_secure;     /* set Secure on cookies (behind a TLS reverse proxy) */
    int trust_proxy;       /* honour X-Forwarded-For / -Proto from the proxy */
    char *secret;          /* master key for personal data; default: <data_dir>/secret.key */
    int upload_max_mb;     /* photo and roster uploads; default 20 */
    int upload_inflight_mb;    /* request-body MB all requests in flight may hold; default 256 */
    int upload_inflight_ip_mb; /* the same per client address; default 64 */
    int conn_per_ip;       /* connections per address; with trust_proxy requests in flight
                            * per forwarded client; default 64 */
    int max_megapixels;    /* photos; default 50 */
    /* the student-side abuse limits (issue 14) */
    int student_quota_mb;  /* uploads a student may hold (files not yet swept); default 300, 0 = none */
    int blob_retention_h;  /* files of failed, deleted and superseded photos kept this long; default 168 */
    int sweep_interval_s;  /* how often the retention sweep runs; default 3600 */
    /* the photo workers (issue 18 item 3) */
    char *photo_workers;       /* "auto" (one per core, the default) or "0".."16" */
    int photo_claim_timeout_s; /* a claim older than this is taken over; default 120 */
    int student_emails_per_day; /* codes and result e-mails one student may send a day; default 5 */
    int demo;              /* create the demo school when the database is empty */
    int access_log;        /* one line per request; default on */
    char *log_level;       /* debug, info (default), warn, error: see tc_log_set_level */
    /* payments (src/pay): the provider and WeChat Pay API v3 merchant settings */
    char *pay_provider;        /* "sandbox" (default, demo: no money moves) or "wechat" */
    char *wxpay_mchid;         /* 商户号 */
    char *wxpay_appid;         /* the 公众号/小程序 AppID the orders belong to */
    char *wxpay_serial;        /* serial number of the merchant API certificate */
    char *wxpay_key_file;      /* PEM file: the merchant API private key (apiclient_key.pem) */
    char *wxpay_platform_cert; /* PEM file: WeChat Pay platform certificate or public key */
    char *wxpay_apiv3_key;     /* the 32-character APIv3 key (decrypts callbacks) */
    char *wxpay_base_url;      /* default https://api.mch.weixin.qq.com (tests: a local stand-in) */
    char *wxpay_notify_url;    /* public URL of POST /api/v1/pay/notify/wechat */
    /* WeChat web authorisation (公众号网页授权, snsapi_base) of the Official
     * Account whose AppID is wxpay_appid: JSAPI orders need the payer's
     * openid for that AppID, and this is how the server learns it */
    char *wxpay_oa_secret;     /* the Official Account's AppSecret; unset = no JSAPI (H5 only) */
    char *wxpay_oa_base_url;   /* default https://api.weixin.qq.com (tests: a local stand-in) */
    int reprint_fen;           /* price of one reprint set (加洗), in fen; default 2000 */
    /* notifications (src/notify): the outbox's channels */
    char *smtp_url;            /* smtp://host:587 (STARTTLS when offered) or smtps://host:465 */
    char *smtp_from;           /* sender address */
    char *smtp_user;
    char *smtp_password;
    char *webhook_url;         /* webhook channel: POST JSON signed with HMAC-SHA256 */
    char *sms_webhook_url;     /* sms channel: the SMS gateway's webhook */
    char *notify_secret;       /* webhook signing key; default derived from the master secret */
    char *wx_subscribe_template; /* wechat channel: subscribe-message template id; unset = no WeChat messages */
    char *wx_subscribe_page;   /* the page such a message opens (optional) */
    int student_messages_per_day; /* status messages per student a day on each of e-mail, SMS, WeChat; default 20 */
    int remind_interval_s;     /* seconds between automatic reminder rounds; default 600 */
    int test_clock_offset_s;   /* tests only: added to the reminders' clock (tc_api_clock); default 0 */
    /* consent (issue 19 item 5): the versions of the 服务协议 and the 隐私政策
     * students must have accepted before any photo (web/student/legal/) */
    int terms_version;         /* default 1 */
    int privacy_version;       /* default 1 */
} tc_config;

/* Defaults, then file, environment, and argv (argv[0] is the subcommand).
 * Unknown flags are errors ("config.unknown_option").  Positional arguments
 * are returned in *rest (pointers into argv; the array is malloc'ed, the
 * caller frees it), *nrest their count.  The config owns its strings: free
 * with tc_config_free.  After a failure nothing needs freeing. */
int tc_config_load(tc_config *c, int argc, char **argv, char ***rest, int *nrest, tc_err *e);
void tc_config_free(tc_config *c);
/* The option table as help text. */
void tc_config_usage(const char *cmd, const char *what);
/* Resolve the master secret: the configured one, or <data_dir>/secret.key
 * (created with a random key on first use, mode 0600).  *out is malloc'ed. */
int tc_config_secret(const tc_config *c, char **out, tc_err *e);

#endif
