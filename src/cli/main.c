/* tucai — one program: serve, migrate, demo, import-roster, version, ...
 *
 * main owns the only long-lived state: the configuration, the store, the
 * blob store, the keys and the HTTP server, gathered in one tc_api_app that
 * handlers read. */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "api/tc_api.h"
#include "cli/tc_cli.h"
#include "photo/tc_photo.h"
#include "qr/tc_qr.h"
#include "vision/tc_vision.h"
#include "notify/tc_notify.h"
#include "pay/tc_pay.h"
#include "pdf/tc_pdf.h"
#include "studio/tc_studio.h"
#include "../event/tc_event.h"

#define TUCAI_VERSION "0.1.0"

static int die(const tc_err *e)
{
    fprintf(stderr, "tucai: %s\n       %s [%s]\n", e->en, e->zh, e->code);
    return 1;
}

/* Open everything the commands share. */
static int app_open(tc_api_app *app, tc_config *cfg, tc_err *e)
{
    memset(app, 0, sizeof *app);
    tc_api_defaults(app);
    app->cfg = cfg;
    char *secret;
    if (tc_config_secret(cfg, &secret, e) != 0)
        return -1;
    int rc = tc_ident_keys_derive(&app->keys, secret, e);
    tc_str_free_secret(secret);
    if (rc != 0)
        return -1;
    if (tc_mkdirs(cfg->data_dir, e) != 0)
        return -1;
    app->store = tc_store_open(cfg->database, e);
    if (!app->store)
        return -1;
    char blobs[4096];
    snprintf(blobs, sizeof blobs, "%s/blobs", cfg->data_dir);
    tc_blob_s3_opts s3 = {cfg->s3_endpoint, cfg->s3_region, cfg->s3_access_key, cfg->s3_secret_key};
    app->blobs = tc_blob_open_url(cfg->blob_store ? cfg->blob_store : blobs, &s3, e);
    if (!app->blobs) {
        tc_store_close(app->store);
        return -1;
    }
    return 0;
}

/* What a command that works on the app holds: the configuration, the app,
 * the operands left after the options (rest, nrest) and the error. */
typedef struct {
    tc_config cfg;
    tc_api_app app;
    char **rest;
    int nrest;
    tc_err e;
} cmd_env;

/* Configuration, then the app; on failure (-1, v->e set) nothing is left to
 * free. */
static int cmd_open(cmd_env *v, int argc, char **argv)
{
    memset(v, 0, sizeof *v);
    if (tc_config_load(&v->cfg, argc, argv, &v->rest, &v->nrest, &v->e) != 0)
        return -1;
    /* before anything logs or any thread starts (the level is checked by
     * the config) */
    tc_log_level lv = TC_LOG_INFO;
    tc_log_level_parse(v->cfg.log_level, &lv);
    tc_log_set_level(lv);
    if (app_open(&v->app, &v->cfg, &v->e) != 0) {
        free(v->rest);
        tc_config_free(&v->cfg);
        return -1;
    }
    return 0;
}

/* Everything cmd_open opened. */
static void cmd_close(cmd_env *v)
{
    free(v->rest);
    v->rest = NULL;
    tc_blob_close(v->app.blobs);
    tc_store_close(v->app.store);
    sodium_memzero(&v->app.keys, sizeof v->app.keys);
    tc_config_free(&v->cfg);
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

/* The payment provider into v->app.pay (tc_pay_open): 0, or -1 with v->e
 * set.  The sandbox provider signs its callbacks with a key of its own,
 * derived from the app's so that it survives restarts. */
static int cmd_pay_open(cmd_env *v)
{
    crypto_generichash(v->app.pay_key, sizeof v->app.pay_key, (const unsigned char *)"tucai pay sandbox", 17,
                       v->app.keys.mac, sizeof v->app.keys.mac);
    v->app.pay = tc_pay_open(&v->cfg, v->app.pay_key, &v->e);
    return v->app.pay ? 0 : -1;
}

/* With --help or -h: the command's usage (tc_config_usage) and 1. */
static int cmd_help(int argc, char **argv, const char *cmd, const char *usage)
{
    if (!wants_help(argc, argv))
        return 0;
    tc_config_usage(cmd, usage);
    return 1;
}

static char *public_url(const tc_config *cfg, unsigned port, int tls)
{
    char *u = malloc(512);
    if (!u)
        abort();
    if (cfg->public_url)
        snprintf(u, 512, "%s", cfg->public_url);
    else
        snprintf(u, 512, "%s://%s:%u", tls ? "https" : "http",
                 strcmp(cfg->listen, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->listen, port);
    return u;
}

static int is_dir(const char *dir, const char *sub)
{
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, sub) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The pages and the npm packages are found relative to the working folder
 * by default (web, node_modules): run anywhere else, say which flag points
 * at them rather than libmicrohttpd's "folder not found". */
static int check_dirs(const tc_config *cfg, tc_err *e)
{
    if (!is_dir(cfg->web_dir, "student") || !is_dir(cfg->web_dir, "console"))
        return tc_err_set(e, TCE_CONFIG_WEB_DIR_MISSING, cfg->web_dir);
    if (!is_dir(cfg->vendor_dir, "weui/dist/style"))
        return tc_err_set(e, TCE_CONFIG_VENDOR_DIR_MISSING, cfg->vendor_dir);
    return 0;
}

/* ---- the periodic jobs main runs on the jobs' timer (tc_jobs_every) ---------------------------------- */

/* The daily reconciliation of payments with the provider: every hour,
 * yesterday's report unless it exists. */
static void job_recon(void *ctx)
{
    tc_api_app *app = ctx;
    char day[11];
    int made = 0;
    tc_err e = {0};
    if (tc_api_recon_yesterday(app, day, &made, &e) != 0)
        tc_log(TC_LOG_WARN, "reconciliation of %s failed: %s [%s]", day, e.en, e.code);
    else if (made)
        tc_log(TC_LOG_INFO, "reconciliation report for %s (%s) made", day, app->pay->name);
}

/* The retention sweep: files of photos nobody needs any more. */
static void job_sweep(void *ctx)
{
    tc_api_app *app = ctx;
    int64_t keep_s = (int64_t)(app->cfg ? app->cfg->blob_retention_h : 168) * 3600;
    int photos = 0, files = 0;
    tc_err e = {0};
    if (tc_jobs_sweep_once(app->store, app->blobs, keep_s, tc_now(), &photos, &files, &e) != 0)
        tc_log(TC_LOG_WARN, "retention sweep failed: %s [%s]", e.en, e.code);
    else if (photos)
        tc_log(TC_LOG_INFO, "retention sweep: %d photos, %d files removed", photos, files);
    /* after the season: each batch's retention_days past its close */
    tc_jobs_retention_report rep;
    if (tc_jobs_retention_once(app->store, app->blobs, tc_api_clock(app), &rep, &e) != 0)
        tc_log(TC_LOG_WARN, "retention after the season failed: %s [%s]", e.en, e.code);
    else if (rep.batches)
        tc_log(TC_LOG_INFO, "retention after the season: %d batches, %d photos, %d files removed", rep.batches,
               rep.photos, rep.files);
}

/* The automatic reminders before a batch closes. */
static void job_remind(void *ctx)
{
    tc_api_app *app = ctx;
    int sent = 0;
    tc_err e = {0};
    if (tc_api_remind_once(app, tc_api_clock(app), &sent, &e) != 0)
        tc_log(TC_LOG_WARN, "reminders failed: %s [%s]", e.en, e.code);
    else if (sent)
        tc_log(TC_LOG_INFO, "reminders: %d students reminded of a closing batch", sent);
}

/* Block the stop signals (SIGINT, SIGTERM: into *set) in every thread —
 * threads inherit the mask, so before the first one starts; the main
 * thread waits for them with sigwait — and ignore SIGPIPE. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The photo workers' thread count from --photo-workers: "auto" (one per
 * core) or 0..16.  -1 with e set. */
static int photo_threads(const tc_config *cfg, int *n, tc_err *e)
{
    if (!cfg->photo_workers || !strcmp(cfg->photo_workers, "auto")) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        *n = cores > 0 ? (int)(cores < 16 ? cores : 16) : 1;
        return 0;
    }
    char *end;
    long v = strtol(cfg->photo_workers, &end, 10);
    if (*end || end == cfg->photo_workers || v < 0 || v > 16)
        return tc_err_set(e, TCE_CONFIG_PHOTO_WORKERS, cfg->photo_workers);
    *n = (int)v;
    return 0;
}

/* The photo pipeline (models loaded once) into *studio and v->app.studio,
 * and the photo workers (--photo-workers threads) into v->app.photos.
 * Without the models: need (tucai worker) makes it an error; otherwise the
 * server still runs (entry, consoles) and refuses uploads with a clear
 * code. */
static int cmd_photos_start(cmd_env *v, tc_studio **studio, tc_jobs_photo_env *penv, int need)
{
    int threads = 0;
    if (photo_threads(&v->cfg, &threads, &v->e) != 0)
        return -1;
    tc_err me = {0};
    *studio = tc_studio_open(v->cfg.models_dir, NULL, &me);
    if (!*studio && !strcmp(me.code, "vision.model_missing"))
        /* most often the server runs outside the source folder: name the
         * flag, not only the file */
        tc_err_set(&me, TCE_CONFIG_MODELS_DIR_MISSING, v->cfg.models_dir);
    if (!*studio) {
        if (need) {
            v->e = me;
            return -1;
        }
        tc_log(TC_LOG_WARN, "photos are disabled: %s [%s]", me.en, me.code);
        return 0;
    }
    v->app.studio = *studio;
    *penv = (tc_jobs_photo_env){.cfg = v->app.cfg,
                                .store = v->app.store,
                                .blobs = v->app.blobs,
                                .studio = *studio,
                                .claim_timeout_s = v->cfg.photo_claim_timeout_s};
    tc_api_jobs_services(&v->app, &penv->svc);
    v->app.photos = tc_jobs_photos_start(penv, threads, &v->e);
    if (!v->app.photos)
        return -1;
    tc_log(TC_LOG_INFO, "%d photo worker%s", threads, threads == 1 ? "" : "s");
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    if (cmd_help(argc, argv, "serve",
                 "\n\nServes the student app (/), the staff console (/console/) and the API (/api/v1/).\n"
                 "HTTPS: give --tls-cert and --tls-key, or run behind a reverse proxy that\n"
                 "terminates TLS and set --cookie-secure --trust-proxy (see README)."))
        return 0;
    cmd_env v;
    if (cmd_open(&v, argc, argv) != 0)
        return die(&v.e);
    int rc = 1;
    tc_http_server *srv = NULL;
    char *cert = NULL, *key = NULL, *url = NULL;
    tc_studio *studio = NULL;
    tc_notify *notify = NULL;
    tc_jobs_timer *timer = NULL;
    tc_jobs_photo_env penv = {0};
    int hub_ready = 0;
    size_t len;
    if (v.cfg.tls_cert || v.cfg.tls_key) {
        if (!v.cfg.tls_cert || !v.cfg.tls_key) {
            tc_err_set(&v.e, TCE_CONFIG_TLS);
            goto out;
        }
        if (tc_file_read(v.cfg.tls_cert, 1 << 20, &cert, &len, &v.e) != 0 ||
            tc_file_read(v.cfg.tls_key, 1 << 20, &key, &len, &v.e) != 0)
            goto out;
    }
    if (check_dirs(&v.cfg, &v.e) != 0)
        goto out;
    tc_http_config hc;
    tc_http_config_defaults(&hc);
    hc.bind = v.cfg.listen;
    hc.port = (unsigned)v.cfg.port;
    hc.threads = (unsigned)v.cfg.threads;
    hc.tls_cert_pem = cert;
    hc.tls_key_pem = key;
    hc.access_log = v.cfg.access_log;
    hc.cookie_secure = v.cfg.cookie_secure;
    hc.trust_proxy = v.cfg.trust_proxy;
    hc.conn_per_ip = (unsigned)v.cfg.conn_per_ip;
    hc.body_inflight = (uint64_t)v.cfg.upload_inflight_mb << 20;
    hc.body_inflight_ip = (uint64_t)v.cfg.upload_inflight_ip_mb << 20;
    sigset_t set;
    block_stop_signals(&set);
    tc_event_hub_init(&v.app.hub);
    hub_ready = 1;
    /* the live events of every process on the database (tucai worker's
     * photos, other nodes' decisions) */
    if (tc_api_events_start(&v.app, &v.e) != 0)
        goto out;
    /* the payment provider (sandbox unless configured): a bad WeChat Pay
     * setting stops the start, not the first order */
    if (cmd_pay_open(&v) != 0)
        goto out;
    /* The photo pipeline: without the models the server still runs (entry,
     * consoles) and refuses uploads with a clear code. */
    if (cmd_photos_start(&v, &studio, &penv, 0) != 0)
        goto out;
    /* the posters' font, loaded once: without it the server still runs and
     * a poster is refused with pdf.font_missing */
    {
        tc_err fe = {0};
        v.app.pdf_fonts = tc_pdf_fonts_open(&fe);
        if (!v.app.pdf_fonts)
            tc_log(TC_LOG_WARN, "QR posters are disabled: %s [%s]", fe.en, fe.code);
    }
    /* the outbox worker: e-mails, SMS and webhooks leave from here, with
     * retries, never from a request */
    {
        uint8_t nkey[32];
        crypto_generichash(nkey, sizeof nkey, (const unsigned char *)"tucai notify", 12, v.app.keys.mac,
                           sizeof v.app.keys.mac);
        tc_notify_config nc;
        tc_notify_config_from(&nc, &v.cfg, nkey);
        notify = tc_notify_new(&nc, v.app.store, v.app.blobs, &v.e);
        if (!notify || tc_notify_start(notify, &v.e) != 0)
            goto out;
    }
    /* roster files earlier versions kept in clear go before anyone connects */
    if (tc_api_roster_files_purge(&v.app, &v.e) < 0)
        goto out;
    /* the periodic jobs, on one timer thread, each first at start */
    timer = tc_jobs_timer_new(&v.e);
    if (!timer || tc_jobs_timer_lead(timer, v.app.store, &v.e) != 0 ||
        tc_jobs_every(timer, "reconciliation", 3600, job_recon, &v.app, &v.e) != 0 ||
        tc_jobs_every(timer, "retention sweep", v.cfg.sweep_interval_s > 0 ? v.cfg.sweep_interval_s : 3600, job_sweep,
                      &v.app, &v.e) != 0 ||
        tc_jobs_every(timer, "reminders", v.cfg.remind_interval_s > 0 ? v.cfg.remind_interval_s : 600, job_remind,
                      &v.app, &v.e) != 0 ||
        tc_jobs_timer_start(timer, &v.e) != 0)
        goto out;
    srv = tc_http_server_new(&hc, &v.app, &v.e);
    if (!srv || tc_api_register(srv, &v.app, &v.e) != 0)
        goto out;
    if (tc_http_server_start(srv, &v.e) != 0)
        goto out;
    url = public_url(&v.cfg, tc_http_server_port(srv), cert != NULL);
    if (v.cfg.demo) {
        int empty = tc_store_is_empty(v.app.store, &v.e);
        if (empty < 0)
            goto out;
        if (empty) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/demo", v.cfg.data_dir);
            if (tc_cli_demo(&v.app, dir, url, stdout, &v.e) != 0)
                goto out;
        } else {
            printf("demo: the database already has data; sign-in details are in %s/demo/README.txt\n", v.cfg.data_dir);
        }
    }
    printf("tucai %s serving on %s  (student app: %s/  console: %s/console/)\n", TUCAI_VERSION, url, url, url);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    tc_log(TC_LOG_INFO, "signal %d: finishing in-flight requests, then stopping", sig);
    tc_http_server_stop(srv, 30);
    rc = 0;
out:
    if (rc)
        die(&v.e);
    tc_http_server_free(srv);
    tc_jobs_photos_stop(v.app.photos);
    v.app.photos = NULL;
    tc_notify_free(notify);
    tc_jobs_timer_free(timer);
    tc_pay_close(v.app.pay);
    tc_studio_free(studio);
    tc_pdf_fonts_close(v.app.pdf_fonts);
    if (hub_ready) {
        tc_api_events_stop(&v.app);
        tc_event_hub_destroy(&v.app.hub);
    }
    free(cert);
    tc_str_free_secret(key);
    free(url);
    cmd_close(&v);
    return rc;
}

/* tucai worker: the photo workers without HTTP (issue 18 item 3).  On a
 * PostgreSQL database shared with serve nodes (run with --photo-workers 0)
 * it makes every node's uploads; as many worker processes as machines with
 * cores to spare may run. */
static int cmd_worker(int argc, char **argv)
{
    if (cmd_help(argc, argv, "worker",
                 "\n\nMakes and checks the uploaded photos of every node on the same database\n"
                 "(--database postgres://...; the serve nodes run with --photo-workers 0).\n"
                 "No HTTP: it claims the photos in the database and tells the students'\n"
                 "apps through the database (PostgreSQL's NOTIFY)."))
        return 0;
    cmd_env v;
    if (cmd_open(&v, argc, argv) != 0)
        return die(&v.e);
    int rc = 1;
    tc_studio *studio = NULL;
    tc_jobs_photo_env penv = {0};
    sigset_t set;
    block_stop_signals(&set);
    if (cmd_photos_start(&v, &studio, &penv, 1) != 0)
        goto out;
    if (!tc_jobs_photos_threads(v.app.photos)) {
        tc_err_set(&v.e, TCE_CONFIG_PHOTO_WORKERS, v.cfg.photo_workers);
        goto out;
    }
    printf("tucai %s worker: %d photo worker%s on %s\n", TUCAI_VERSION, tc_jobs_photos_threads(v.app.photos),
           tc_jobs_photos_threads(v.app.photos) == 1 ? "" : "s",
           v.cfg.database && tc_store_is_url(v.cfg.database) ? "PostgreSQL" : "SQLite");
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    tc_log(TC_LOG_INFO, "signal %d: finishing the photos in hand, then stopping", sig);
    rc = 0;
out:
    if (rc)
        die(&v.e);
    tc_jobs_photos_stop(v.app.photos);
    v.app.photos = NULL;
    tc_studio_free(studio);
    cmd_close(&v);
    return rc;
}

/* tucai reconcile --day YYYY-MM-DD: the daily report, made now (the
 * server makes yesterday's by itself). */
static int cmd_reconcile(int argc, char **argv)
{
    if (cmd_help(argc, argv, "reconcile",
                 " --day YYYY-MM-DD\n\nCompares the day's orders with the payment provider and "
                 "stores the report\n(the server makes yesterday's report every day)."))
        return 0;
    const char *day = NULL;
    char **av = calloc((size_t)argc + 1, sizeof *av);
    int ac = 0;
    if (!av)
        abort();
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--day") && i + 1 < argc)
            day = argv[++i];
        else if (!strncmp(argv[i], "--day=", 6))
            day = argv[i] + 6;
        else
            av[ac++] = argv[i];
    }
    cmd_env v;
    int rc = 1;
    if (!day) {
        free(av);
        fprintf(stderr, "tucai reconcile: --day YYYY-MM-DD is required\n");
        return 2;
    }
    if (cmd_open(&v, ac, av) != 0) {
        free(av);
        return die(&v.e);
    }
    json_t *report = NULL;
    if (cmd_pay_open(&v) == 0 && tc_api_reconcile(&v.app, day, &report, &v.e) == 0) {
        char *text = json_dumps(report, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(report);
        rc = 0;
    } else
        die(&v.e);
    tc_pay_close(v.app.pay);
    cmd_close(&v);
    free(av);
    return rc;
}

static int cmd_migrate(int argc, char **argv)
{
    if (cmd_help(argc, argv, "migrate", "\n\nBrings the database to the newest schema (serve does this too)."))
        return 0;
    cmd_env v;
    if (cmd_open(&v, argc, argv) != 0)
        return die(&v.e);
    char where[512];
    tc_store_redact(v.cfg.database, where, sizeof where);
    printf("database %s at schema version %d (newest known: %d)\n", where, tc_store_schema_version(v.app.store),
           tc_store_schema_latest());
    cmd_close(&v);
    return 0;
}

/* tucai fsck [--verify-files]: are the records sound (tc_store_fsck), and
 * is every file a photo that keeps its files names in the blob store (with
 * --verify-files: read back and its hash checked)?  Read-only; exit 0 when
 * nothing is wrong, 1 when something is (each problem one line), 2 when it
 * could not look. */
static int cmd_fsck(int argc, char **argv)
{
    if (cmd_help(argc, argv, "fsck",
                 " [--verify-files]\n\nChecks the database (SQLite's integrity and foreign keys; the rules every "
                 "photo,\nsubmission and claim keeps) and that every file a kept photo names is in the blob\n"
                 "store (--verify-files: read back and its SHA-256 checked).  Read-only.\n"
                 "Exit 0: sound; 1: problems, one a line; 2: could not look."))
        return 0;
    int verify = 0;
    char **av = calloc((size_t)argc + 1, sizeof *av);
    int ac = 0;
    if (!av)
        abort();
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--verify-files"))
            verify = 1;
        else
            av[ac++] = argv[i];
    }
    cmd_env v;
    if (cmd_open(&v, ac, av) != 0) {
        free(av);
        die(&v.e);
        return 2;
    }
    tc_pool pool;
    tc_pool_init(&pool);
    const char **problems;
    size_t np = 0, more = 0;
    int rc = 0;
    if (tc_store_fsck(v.app.store, &pool, &problems, &np, &more, &v.e) != 0) {
        rc = 2;
        goto out;
    }
    for (size_t i = 0; i < np; i++)
        printf("problem: %s\n", problems[i]);
    /* the files, a page of photos at a time */
    int64_t after = 0, photos = 0, files = 0, missing = 0;
    for (;;) {
        tc_pool page;
        tc_pool_init(&page);
        tc_store_photo_files *f;
        size_t n;
        if (tc_store_fsck_files(v.app.store, &page, after, 500, &f, &n, &v.e) != 0) {
            tc_pool_clear(&page);
            rc = 2;
            goto out;
        }
        for (size_t i = 0; i < n; i++, photos++) {
            after = f[i].photo_id;
            for (int k = 0; k < TC_STORE_PHOTO_FILES; k++) {
                const char *id = f[i].blob[k];
                if (!id[0])
                    continue;
                files++;
                tc_err be = {0};
                char *data = NULL;
                size_t len;
                int ok = verify ? tc_blob_get(v.app.blobs, id, (size_t)256 << 20, &data, &len, &be) == 0
                                : tc_blob_exists(v.app.blobs, id);
                free(data);
                if (!ok) {
                    missing++;
                    printf("problem: photo %lld (%s): %s %s %s\n", (long long)f[i].photo_id, f[i].state,
                           TC_STORE_PHOTO_FILE_COLUMNS[k], id, verify ? be.en : "not in the blob store");
                }
            }
        }
        tc_pool_clear(&page);
        if (n < 500)
            break;
    }
    char where[512];
    tc_store_redact(v.cfg.database, where, sizeof where);
    printf("fsck %s: %lld photos, %lld files %s; %zu problems in the records%s, %lld files missing or wrong\n",
           where, (long long)photos, (long long)files, verify ? "read and verified" : "looked up", np + more,
           more ? " (the first 1000 shown)" : "", (long long)missing);
    rc = np || missing ? 1 : 0;
out:
    if (rc == 2)
        die(&v.e);
    tc_pool_clear(&pool);
    free(av);
    cmd_close(&v);
    return rc;
}

static int cmd_demo(int argc, char **argv)
{
    if (cmd_help(argc, argv, "demo",
                 " [OUT-DIR]\n\nCreates a demo school, batch, staff accounts and students with their "
                 "QR images\n(default OUT-DIR: <data-dir>/demo)."))
        return 0;
    cmd_env v;
    if (cmd_open(&v, argc, argv) != 0)
        return die(&v.e);
    char dir[4096];
    if (v.nrest > 0)
        snprintf(dir, sizeof dir, "%s", v.rest[0]);
    else
        snprintf(dir, sizeof dir, "%s/demo", v.cfg.data_dir);
    char *url = public_url(&v.cfg, (unsigned)v.cfg.port, v.cfg.tls_cert != NULL);
    int rc = tc_cli_demo(&v.app, dir, url, stdout, &v.e) == 0 ? 0 : die(&v.e);
    free(url);
    cmd_close(&v);
    return rc;
}

static int cmd_import_roster(int argc, char **argv)
{
    if (wants_help(argc, argv) || argc < 3) {
        tc_config_usage("import-roster", " BATCH-CODE FILE.csv|FILE.xlsx [--dry-run]\n\n"
                                         "Imports a roster into a batch: every row is checked, and nothing is "
                                         "imported\nif any row has an error (the report lists them all).");
        return argc < 3 && !wants_help(argc, argv) ? 2 : 0;
    }
    int dry = 0;
    int k = 0;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--dry-run") == 0)
            dry = 1;
        else
            argv[k++] = argv[i];
    argc = k;
    cmd_env v;
    if (cmd_open(&v, argc, argv) != 0)
        return die(&v.e);
    int rc = 1;
    if (v.nrest != 2) {
        fprintf(stderr, "usage: tucai import-roster BATCH-CODE FILE [--dry-run]\n");
        cmd_close(&v);
        return 2;
    }
    tc_pool pool;
    tc_pool_init(&pool);
    tc_store_batch b;
    char *data = NULL;
    size_t len;
    json_t *report = NULL, *summary = NULL;
    if (tc_store_batch_by_code(v.app.store, &pool, v.rest[0], &b, &v.e) != 0 ||
        tc_file_read(v.rest[1], 10 * 1024 * 1024, &data, &len, &v.e) != 0) {
        die(&v.e);
        goto out;
    }
    if (tc_api_roster_import(&v.app, b.id, data, len, dry, &report, &summary, &v.e) != 0) {
        die(&v.e);
        if (report)
            json_dumpf(report, stdout, JSON_INDENT(2));
        printf("\n");
        goto out;
    }
    json_dumpf(summary, stdout, JSON_INDENT(2));
    printf("\n");
    rc = 0;
out:
    if (report)
        json_decref(report);
    if (summary)
        json_decref(summary);
    free(data);
    tc_pool_clear(&pool);
    cmd_close(&v);
    return rc;
}

/* tucai qr encode TEXT OUT.png | tucai qr decode IMAGE */
static int cmd_qr(int argc, char **argv)
{
    tc_err e = {0};
    if (argc == 4 && !strcmp(argv[1], "encode")) {
        void *png;
        size_t len;
        if (tc_qr_encode_png(argv[2], 8, 4, &png, &len, &e) != 0)
            return die(&e);
        int rc = tc_file_write_atomic(argv[3], png, len, &e);
        g_free(png);
        return rc == 0 ? 0 : die(&e);
    }
    if (argc == 3 && !strcmp(argv[1], "decode")) {
        char *data, out[4096];
        size_t len;
        if (tc_file_read(argv[2], 64 * 1024 * 1024, &data, &len, &e) != 0)
            return die(&e);
        int rc = tc_qr_decode(data, len, out, sizeof out, &e);
        free(data);
        if (rc != 0)
            return die(&e);
        printf("%s\n", out);
        return 0;
    }
    fprintf(stderr, "usage: tucai qr encode TEXT OUT.png | tucai qr decode IMAGE\n");
    return 2;
}

/* The subcommands: name, entry point, one line of help (usage prints them
 * in this order). */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cmd_serve, "serve the student app, the staff console and the API"},
    {"fsck", cmd_fsck, "check that the records are sound and every photo's files are in the blob store"},
    {"worker", cmd_worker, "make the uploaded photos of every node on the same database (no HTTP)"},
    {"migrate", cmd_migrate, "bring the database to the newest schema"},
    {"reconcile", cmd_reconcile, "--day YYYY-MM-DD: compare a day's payments with the provider"},
    {"demo", cmd_demo, "create a demo school, batch, staff and students (with QR images)"},
    {"import-roster", cmd_import_roster, "import a roster file (CSV or XLSX) into a batch"},
    {"qr", cmd_qr, "encode TEXT OUT.png | decode IMAGE (QR codes, as the server does)"},
    {"vision", tc_cli_vision, "IMAGE --json [--mask OUT.png]: faces, 468 landmarks, person mask"},
    {"photo", tc_cli_photo, "IN -o OUT [--spec chsi] [--background blue]: make a standard photo"},
    {"check", tc_cli_check, "IN [--spec chsi] [--json] [--overlay OUT.png] [--overlay-data OUT.json]: run the automatic photo checks"},
    {"specs", tc_cli_specs, "list the photo specifications"},
};

static void usage(FILE *f)
{
    fprintf(f, "tucai %s — standard graduation and ID photo collection\n\n"
               "usage: tucai COMMAND [options]   (tucai COMMAND --help for options)\n\n",
            TUCAI_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "  %-14s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    tc_mem_keep_freed();
    if (sodium_init() < 0) {
        fprintf(stderr, "tucai: libsodium failed to initialise\n");
        return 1;
    }
    tc_err ge = {0};
    if (tc_pay_global_init(&ge) != 0) {
        fprintf(stderr, "tucai: %s\n", ge.en);
        return 1;
    }
    if (VIPS_INIT(argv[0]) != 0) {
        fprintf(stderr, "tucai: libvips failed to initialise\n");
        return 1;
    }
    /* Uploads are untrusted: only libvips's fuzzed, well-kept loaders. */
    vips_block_untrusted_set(TRUE);
    /* libvips caches operations keyed by their arguments, including the
     * address of an upload's buffer; buffers are reused between requests,
     * so a cached result could belong to another upload. */
    vips_cache_set_max(0);
    const char *cmd = argv[1];
    size_t k = 0, n = sizeof commands / sizeof commands[0];
    while (k < n && strcmp(cmd, commands[k].name))
        k++;
    int rc;
    if (k < n) {
        rc = commands[k].run(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("tucai %s (libvips %s, libsodium %s)\n", TUCAI_VERSION, vips_version_string(),
               sodium_version_string());
        rc = 0;
    } else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        rc = 0;
    } else {
        fprintf(stderr, "tucai: unknown command %s\n\n", cmd);
        usage(stderr);
        rc = 2;
    }
    vips_shutdown();
    tc_pay_global_cleanup();
    return rc;
}
