/* tc_config — see tc_config.h. */
#include "tc_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ident/tc_ident.h"

typedef enum { OPT_STR, OPT_INT, OPT_BOOL } opt_type;

typedef struct {
    const char *name;
    opt_type type;
    size_t off;
    const char *def;
    const char *help;
} opt;

#define O(f) offsetof(tc_config, f)
static const opt OPTS[] = {
    {"config", OPT_STR, O(config_file), NULL, "settings file (key = value lines), read before the environment"},
    {"data-dir", OPT_STR, O(data_dir), "data", "where the database, stored files and the secret key live"},
    {"database", OPT_STR, O(database), NULL,
     "SQLite database file (default <data-dir>/tucai.db), or postgres://user:password@host:port/db "
     "(PostgreSQL 15, shared by several nodes; with a password, better in the settings file or the environment "
     "than on the command line)"},
    {"blob-store", OPT_STR, O(blob_store), NULL,
     "where photos and files are kept: a folder (default <data-dir>/blobs) or s3://bucket[/prefix] "
     "(an S3-compatible object store: AWS S3, Ceph RGW, Swift s3api ...; see --s3-*)"},
    {"s3-endpoint", OPT_STR, O(s3_endpoint), NULL, "object store address for s3:// blob stores: http(s)://host[:port]"},
    {"s3-region", OPT_STR, O(s3_region), "us-east-1", "object store region the requests are signed for (AWS Signature V4)"},
    {"s3-access-key", OPT_STR, O(s3_access_key), NULL, "object store access key id"},
    {"s3-secret-key", OPT_STR, O(s3_secret_key), NULL,
     "object store secret key (better in the settings file or the environment than on the command line)"},
    {"web-dir", OPT_STR, O(web_dir), "web", "folder of the web pages"},
    {"vendor-dir", OPT_STR, O(vendor_dir), "node_modules", "npm packages, served under /vendor/"},
    {"models-dir", OPT_STR, O(models_dir), "models", "neural-network model files (scripts/fetch-models)"},
    {"listen", OPT_STR, O(listen), "127.0.0.1", "address to listen on (0.0.0.0 for every interface)"},
    {"port", OPT_INT, O(port), "8080", "TCP port (0 picks a free one and prints it)"},
    {"threads", OPT_INT, O(threads), "4", "HTTP worker threads"},
    {"public-url", OPT_STR, O(public_url), NULL, "URL people use to reach this server (printed links, QR posters)"},
    {"tls-cert", OPT_STR, O(tls_cert), NULL, "PEM certificate: with --tls-key, serve HTTPS directly"},
    {"tls-key", OPT_STR, O(tls_key), NULL, "PEM private key for --tls-cert"},
    {"cookie-secure", OPT_BOOL, O(cookie_secure), "0", "mark cookies Secure (set this behind a TLS reverse proxy)"},
    {"trust-proxy", OPT_BOOL, O(trust_proxy), "0", "trust X-Forwarded-For/-Proto from a reverse proxy"},
    {"secret", OPT_STR, O(secret), NULL, "master key for personal data (default: <data-dir>/secret.key, made on first run)"},
    {"upload-max-mb", OPT_INT, O(upload_max_mb), "20", "largest upload accepted, in MB"},
    {"upload-inflight-mb", OPT_INT, O(upload_inflight_mb), "256",
     "request bodies all requests in flight may hold in memory at once, in MB (503 past it)"},
    {"upload-inflight-ip-mb", OPT_INT, O(upload_inflight_ip_mb), "64",
     "request bodies one client address may have in flight at once, in MB (429 past it; at least one largest upload)"},
    {"conn-per-ip", OPT_INT, O(conn_per_ip), "64",
     "connections one address may hold; with --trust-proxy: requests in flight per forwarded client (429 past it)"},
    {"max-megapixels", OPT_INT, O(max_megapixels), "50", "largest photo accepted, in megapixels"},
    {"student-quota-mb", OPT_INT, O(student_quota_mb), "300",
     "uploads one student may hold, in MB (files the retention sweep has not removed; 0 = no limit)"},
    {"blob-retention-h", OPT_INT, O(blob_retention_h), "168",
     "hours the files of failed, deleted and superseded photos are kept before the sweep removes them"},
    {"sweep-interval-s", OPT_INT, O(sweep_interval_s), "3600", "seconds between two runs of the retention sweep"},
    {"photo-workers", OPT_STR, O(photo_workers), "auto",
     "threads that make photos: auto (one per core) or 0..16; 0 on a serve node beside `tucai worker`"},
    {"photo-claim-timeout-s", OPT_INT, O(photo_claim_timeout_s), "120",
     "seconds after which a photo whose worker died (its claim) is taken over by another worker"},
    {"student-emails-per-day", OPT_INT, O(student_emails_per_day), "5",
     "e-mails one student may have sent a day (confirmation codes and result photos together)"},
    {"demo", OPT_BOOL, O(demo), "0", "create a demo school, batch and roster when the database is empty"},
    {"access-log", OPT_BOOL, O(access_log), "1", "write one line per request to stderr"},
    {"log-level", OPT_STR, O(log_level), "info",
     "least important log lines written: debug (libmicrohttpd's reports too), info, warn or error"},
    {"pay-provider", OPT_STR, O(pay_provider), "sandbox",
     "payments: sandbox (demo, no money moves) or wechat (WeChat Pay API v3)"},
    {"wxpay-mchid", OPT_STR, O(wxpay_mchid), NULL, "WeChat Pay merchant id (商户号)"},
    {"wxpay-appid", OPT_STR, O(wxpay_appid), NULL, "WeChat AppID the orders belong to"},
    {"wxpay-serial", OPT_STR, O(wxpay_serial), NULL, "serial number of the merchant API certificate"},
    {"wxpay-key-file", OPT_STR, O(wxpay_key_file), NULL, "PEM file of the merchant API private key"},
    {"wxpay-platform-cert", OPT_STR, O(wxpay_platform_cert), NULL,
     "PEM file of the WeChat Pay platform certificate or public key (verifies answers and callbacks)"},
    {"wxpay-apiv3-key", OPT_STR, O(wxpay_apiv3_key), NULL, "the 32-character APIv3 key (decrypts callbacks)"},
    {"wxpay-base-url", OPT_STR, O(wxpay_base_url), "https://api.mch.weixin.qq.com", "WeChat Pay API address"},
    {"wxpay-notify-url", OPT_STR, O(wxpay_notify_url), NULL,
     "public HTTPS URL of POST /api/v1/pay/notify/wechat (payment and refund callbacks)"},
    {"wxpay-oa-secret", OPT_STR, O(wxpay_oa_secret), NULL,
     "AppSecret of the Official Account (公众号) of --wxpay-appid: lets the server learn the payer's openid "
     "for JSAPI payment inside WeChat (web authorisation, snsapi_base)"},
    {"wxpay-oa-base-url", OPT_STR, O(wxpay_oa_base_url), "https://api.weixin.qq.com",
     "WeChat Official Account API address (exchanges the authorisation code for the openid)"},
    {"reprint-fen", OPT_INT, O(reprint_fen), "2000", "price of one reprint set (加洗, one print sheet), in fen, postage included"},
    {"smtp-url", OPT_STR, O(smtp_url), NULL, "mail server: smtp://host:587 (STARTTLS) or smtps://host:465; unset = no e-mail"},
    {"smtp-from", OPT_STR, O(smtp_from), NULL, "sender address of e-mails"},
    {"smtp-user", OPT_STR, O(smtp_user), NULL, "mail server user name"},
    {"smtp-password", OPT_STR, O(smtp_password), NULL, "mail server password"},
    {"webhook-url", OPT_STR, O(webhook_url), NULL, "webhook channel: URL that receives signed JSON POSTs"},
    {"sms-webhook-url", OPT_STR, O(sms_webhook_url), NULL, "SMS channel: the SMS gateway's webhook URL (signed JSON)"},
    {"notify-secret", OPT_STR, O(notify_secret), NULL,
     "key that signs webhook POSTs (default: derived from the master secret)"},
    {"wx-subscribe-template", OPT_STR, O(wx_subscribe_template), NULL,
     "WeChat channel: id of the subscribe-message template (fields thing1, thing2, time3) sent with "
     "subscribeMessage.send as the app of --wxpay-appid/--wxpay-oa-secret; unset = no WeChat messages"},
    {"wx-subscribe-page", OPT_STR, O(wx_subscribe_page), NULL, "WeChat channel: the page a message opens (optional)"},
    {"student-messages-per-day", OPT_INT, O(student_messages_per_day), "20",
     "status messages one student may be sent a day by each of e-mail, SMS and WeChat (the message centre has them all)"},
    {"remind-interval-s", OPT_INT, O(remind_interval_s), "600", "seconds between two rounds of the automatic reminders"},
    {"test-clock-offset-s", OPT_INT, O(test_clock_offset_s), "0",
     "tests only: seconds added to the clock the automatic reminders read (tc_api_clock)"},
    {"terms-version", OPT_INT, O(terms_version), "1",
     "version of the service agreement students must accept (web/student/legal/terms-N.*.txt; 1..1000)"},
    {"privacy-version", OPT_INT, O(privacy_version), "1",
     "version of the privacy policy students must accept (web/student/legal/privacy-N.*.txt; 1..1000)"},
};
#undef O

static int set_opt(tc_config *c, const opt *o, const char *val, const char *from, tc_err *e)
{
    void *p = (char *)c + o->off;
    if (o->type == OPT_STR) {
        char **s = p;
        free(*s);
        *s = val ? strdup(val) : NULL;
        return 0;
    }
    if (o->type == OPT_BOOL) {
        int b;
        if (!strcmp(val, "1") || !strcasecmp(val, "true") || !strcasecmp(val, "yes") || !strcasecmp(val, "on"))
            b = 1;
        else if (!strcmp(val, "0") || !strcasecmp(val, "false") || !strcasecmp(val, "no") || !strcasecmp(val, "off"))
            b = 0;
        else
            return tc_err_set(e, TCE_CONFIG_BAD_VALUE, o->name, from);
        *(int *)p = b;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || *end || end == val || v < 0 || v > 1000000)
        return tc_err_set(e, TCE_CONFIG_BAD_VALUE_2, o->name, from);
    *(int *)p = (int)v;
    return 0;
}

static const opt *find_opt(const char *name, size_t n)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(OPTS); i++)
        if (strlen(OPTS[i].name) == n && !strncmp(OPTS[i].name, name, n))
            return &OPTS[i];
    return NULL;
}

static int load_file(tc_config *c, const char *path, tc_err *e)
{
    char *text;
    size_t len;
    if (tc_file_read(path, 1 << 20, &text, &len, e) != 0)
        return -1;
    int lineno = 0, rc = 0;
    for (char *line = strtok(text, "\n"); line && rc == 0; line = strtok(NULL, "\n")) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *t = tc_str_trim(line);
        if (!*t)
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = tc_err_set(e, TCE_CONFIG_BAD_LINE, path, lineno);
            break;
        }
        *eq = 0;
        char *k = tc_str_trim(t), *v = tc_str_trim(eq + 1);
        for (char *q = k; *q; q++)
            if (*q == '_')
                *q = '-';
        const opt *o = find_opt(k, strlen(k));
        if (!o) {
            rc = tc_err_set(e, TCE_CONFIG_UNKNOWN_OPTION, k, path);
            break;
        }
        rc = set_opt(c, o, v, path, e);
    }
    free(text);
    return rc;
}

static int load(tc_config *c, int argc, char **argv, char ***rest, int *nrest, tc_err *e)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < TC_ARRAY_LEN(OPTS); i++)
        if (OPTS[i].def && set_opt(c, &OPTS[i], OPTS[i].def, "default", e) != 0)
            return -1;
    /* The config file can come from the environment or a flag: find it first. */
    const char *cf = getenv("TUCAI_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            cf = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            cf = argv[i] + 9;
    }
    if (cf && load_file(c, cf, e) != 0)
        return -1;
    for (size_t i = 0; i < TC_ARRAY_LEN(OPTS); i++) {
        char env[64] = "TUCAI_";
        size_t k = 6;
        for (const char *p = OPTS[i].name; *p && k < sizeof env - 1; p++)
            env[k++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        env[k] = 0;
        const char *v = getenv(env);
        if (v && set_opt(c, &OPTS[i], v, env, e) != 0)
            return -1;
    }
    *rest = calloc((size_t)argc + 1, sizeof(char *));
    if (!*rest)
        abort();
    *nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || !strcmp(a, "--")) {
            (*rest)[(*nrest)++] = argv[i];
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const opt *o = find_opt(name, n);
        if (!o) {
            free(*rest);
            *rest = NULL;
            return tc_err_set(e, TCE_CONFIG_UNKNOWN_OPTION_2, a);
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val && o->type == OPT_BOOL)
            val = "1";
        else if (!val) {
            if (i + 1 >= argc) {
                free(*rest);
                *rest = NULL;
                return tc_err_set(e, TCE_CONFIG_MISSING_VALUE, a);
            }
            val = argv[++i];
        }
        if (set_opt(c, o, val, "command line", e) != 0) {
            free(*rest);
            *rest = NULL;
            return -1;
        }
    }
    if (!c->database) {
        size_t n = strlen(c->data_dir) + 16;
        c->database = malloc(n);
        if (!c->database)
            abort();
        snprintf(c->database, n, "%s/tucai.db", c->data_dir);
    }
    tc_log_level lv;
    if (tc_log_level_parse(c->log_level, &lv) != 0)
        return tc_err_set(e, TCE_CONFIG_BAD_VALUE_3, c->log_level ? c->log_level : "");
    if (c->port > 65535)
        return tc_err_set(e, TCE_CONFIG_BAD_VALUE_4);
    if (c->terms_version < 1 || c->terms_version > 1000 || c->privacy_version < 1 || c->privacy_version > 1000)
        return tc_err_set(e, TCE_CONFIG_BAD_VALUE_5);
    if (c->threads < 1)
        c->threads = 1;
    return 0;
}

int tc_config_load(tc_config *c, int argc, char **argv, char ***rest, int *nrest, tc_err *e)
{
    *rest = NULL;
    *nrest = 0;
    if (load(c, argc, argv, rest, nrest, e) == 0)
        return 0;
    /* after a failure there is nothing for the caller to free */
    tc_config_free(c);
    free(*rest);
    *rest = NULL;
    return -1;
}

void tc_config_free(tc_config *c)
{
    for (size_t i = 0; i < TC_ARRAY_LEN(OPTS); i++)
        if (OPTS[i].type == OPT_STR) {
            char **s = (char **)((char *)c + OPTS[i].off);
            free(*s);
            *s = NULL;
        }
}

void tc_config_usage(const char *cmd, const char *what)
{
    printf("usage: tucai %s [options]%s\n\nOptions (file, then TUCAI_* environment, then flags):\n", cmd,
           what ? what : "");
    for (size_t i = 0; i < TC_ARRAY_LEN(OPTS); i++) {
        char flag[48], env[48] = "TUCAI_";
        snprintf(flag, sizeof flag, "--%s%s", OPTS[i].name, OPTS[i].type == OPT_BOOL ? "" : " V");
        size_t k = 6;
        for (const char *p = OPTS[i].name; *p; p++)
            env[k++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        env[k] = 0;
        printf("  %-22s %s\n  %-22s   env %s%s%s\n", flag, OPTS[i].help, "", env, OPTS[i].def ? ", default " : "",
               OPTS[i].def ? OPTS[i].def : "");
    }
}

int tc_config_secret(const tc_config *c, char **out, tc_err *e)
{
    *out = NULL;
    if (c->secret) {
        *out = strdup(c->secret);
        return *out ? 0 : tc_err_internal(e, "out of memory");
    }
    if (tc_mkdirs(c->data_dir, e) != 0)
        return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/secret.key", c->data_dir);
    char *text;
    size_t len;
    struct stat st;
    if (stat(path, &st) != 0) {
        char key[65];
        tc_ident_keys_generate_master(key);
        char line[80];
        int n = snprintf(line, sizeof line, "%s\n", key);
        if (tc_file_write_atomic(path, line, (size_t)n, e) != 0)
            return -1;
        chmod(path, 0600);
        tc_log(TC_LOG_WARN, "created a new master key in %s: back it up, personal data cannot be read without it",
               path);
    }
    if (tc_file_read(path, 4096, &text, &len, e) != 0)
        return -1;
    *out = strdup(tc_str_trim(text));
    free(text);
    return *out ? 0 : tc_err_internal(e, "out of memory");
}
