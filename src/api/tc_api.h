/*
 * tc_api — the HTTP API and the pages: routes, authentication (sessions in
 * HttpOnly cookies), CSRF, roles, and the handlers that turn requests into
 * store calls.  Handlers never see SQL (tc_store) and never touch sockets
 * (tc_http).
 *
 * Every JSON error is {"error":{"code":..., "zh":..., "en":...}} with a stable
 * code; the endpoint list is in docs/API.md.
 *
 * Owns: the route tables and every request's handling (per-request memory in
 * the request's pool, freed by tc_http).  Nothing long-lived: tc_api_app and
 * everything it points to belong to main (see the struct).
 */
#ifndef TC_API_H
#define TC_API_H

#include "../base/tc_base.h"
#include "../blob/tc_blob.h"
#include "../config/tc_config.h"
#include "../http/tc_http.h"
#include "../ident/tc_ident.h"
#include "../jobs/tc_jobs.h"
#include "../journey/tc_journey.h"
#include "../store/tc_store.h"
#include "../studio/tc_studio.h"
#include "../event/tc_event.h"

/* Tunables of the entry (verification) step. */
typedef struct tc_api_entry_limits {
    int last4_max_fails;    /* wrong last-4 attempts per record before a lock; 5  */
    int last4_window_s;     /* ... counted within this window; 900               */
    int last4_lock_s;       /* lock length; 900                                  */
    int ip_max_fails;       /* unknown codes per client address; 20              */
    int ip_lock_s;          /* 900                                               */
    /* Staff sign-in (docs/SECURITY.md): failures are counted per (account,
     * client address) and per client address, each with growing delays;
     * never per account alone, so nobody can lock the platform admin out. */
    int login_window_s;     /* failures are counted over this window; 86400     */
    int login_acct_free;    /* free failures per (account, address); 5          */
    int login_ip_free;      /* free failures per address, any names; 20         */
    int login_base_s;       /* first delay past the free ones, then doubling; 30 */
    int login_max_s;        /* longest delay; 3600                               */
} tc_api_entry_limits;

/* Everything a handler may use.  Owned by main; shared read-only by all
 * request threads (the store does its own locking). */
typedef struct tc_api_app {
    const tc_config *cfg;
    tc_store *store;
    tc_blob_store *blobs;
    tc_ident_keys keys;
    tc_api_entry_limits limits;
    int64_t session_ttl_s;   /* signed-in students; 7 days (staff: 12 h)      */
    char dummy_pwhash[TC_IDENT_PWHASH_LEN]; /* verified against for unknown user names */
    /* The photo pipeline (models loaded once), or NULL when the models are
     * absent: uploads are then refused with studio.unavailable (503). */
    const tc_studio *studio;
    tc_event_hub hub;                  /* live updates for the app (SSE)              */
    struct tc_jobs_photos *photos; /* the photo queue (tc_jobs_photos_start; owned by main) */
    uint8_t pay_key[32];         /* signs the sandbox provider's callbacks      */
    struct tc_pay *pay;          /* the payment provider (tc_pay_open; owned by main) */
    /* the posters' fonts (tc_pdf_fonts_open; owned by main), or NULL when the
     * font file is missing: posters are then refused with pdf.font_missing */
    struct tc_pdf_fonts *pdf_fonts;
    /* how a 采集码 is read (tc_chsi.h): NULL is the default "opaque" resolver;
     * an authorised collector sets its decoder (owned by main) */
    const struct tc_chsi_resolver *chsi;
} tc_api_app;

/* Live events between processes (issue 18 item 3): every event the API
 * publishes goes through the store's notifications (channel tucai_events:
 * PostgreSQL's NOTIFY reaches every node; on SQLite, this process), and
 * this listener puts those it hears into app->hub for the SSE streams.
 * Started by main after tc_event_hub_init (every process that serves
 * streams), stopped before tc_event_hub_destroy. */
int tc_api_events_start(tc_api_app *app, tc_err *e);
void tc_api_events_stop(tc_api_app *app);

/* The services a photo job asks of api (tc_jobs.h): the batch's settings,
 * a spec by name, live events and messages, on this app. */
void tc_api_jobs_services(tc_api_app *app, tc_jobs_services *out);

/* The automatic reminders (issue 19): for each batch that closes within
 * 31 days, the unfinished students who signed in get a message (and their
 * channels) remind_days before the close (a batch setting, 3 by default) and
 * 1 day before, each once (tc_store_remind_once).  tc_api_remind_once runs a
 * round at now (main's timer runs one every cfg->remind_interval_s, first at
 * start, with now = tc_api_clock). */
int tc_api_remind_once(tc_api_app *app, int64_t now, int *sent, tc_err *e);
/* The reminders' clock: the wall clock plus cfg->test_clock_offset_s (0
 * unless a test sets it), the one place that offset is read. */
int64_t tc_api_clock(const tc_api_app *app);

/* Daily reconciliation (tc_api_money.c): compare the orders of one day
 * (YYYY-MM-DD, China time) with the provider's answers and store the report
 * (recon_report); *report (may be NULL) gets its JSON (caller decrefs).
 * app->pay must be set. */
int tc_api_reconcile(tc_api_app *app, const char *day, json_t **report, tc_err *e);
/* Yesterday's reconciliation unless its report exists (main's timer runs
 * it every hour): *day gets the day, *made 1 if a report was made now. */
int tc_api_recon_yesterday(tc_api_app *app, char day[11], int *made, tc_err *e);

void tc_api_defaults(tc_api_app *app);

/* Add every route and static mount to the server. */
int tc_api_register(tc_http_server *s, tc_api_app *app, tc_err *e);

/* Import a roster file (CSV or XLSX bytes) into a batch: parse, validate every
 * row, encrypt ID numbers, all-or-nothing.  On validation errors returns -1
 * with e->code "roster.invalid" and, if report is not NULL, *report set to a
 * JSON array of row errors (caller decrefs). Used by the API and the CLI. */
int tc_api_roster_import(tc_api_app *app, int64_t batch_id, const char *data, size_t len, int dry_run,
                         json_t **report, json_t **summary, tc_err *e);

/* The same with a mode (issue 20):
 *   TC_API_ROSTER_ALL      all-or-nothing (tc_api_roster_import, dry_run 0)
 *   TC_API_ROSTER_DRY      check only (dry_run 1)
 *   TC_API_ROSTER_GOOD     import the rows without errors; the rest (row
 *                          errors, and rows the database refuses: a 采集码
 *                          another record holds) are left out and listed in
 *                          summary.report.errors, summary.skipped counting them.
 *                          No good row at all: roster.invalid as ALL.
 *   TC_API_ROSTER_REJECTS  nothing is kept: *summary = {"bad_rows": N,
 *                          "csv": text} — the rows ALL would refuse, each with
 *                          its error(s) in a last column, as UTF-8 CSV (BOM,
 *                          CRLF) with the template's headers, to fix and import
 *                          again; en != 0: English headers and messages.
 * A row of a student number the batch already has may leave the 采集码 empty:
 * the stored one is kept (a re-imported export). */
enum { TC_API_ROSTER_ALL = 0, TC_API_ROSTER_DRY = 1, TC_API_ROSTER_GOOD = 2, TC_API_ROSTER_REJECTS = 3 };
int tc_api_roster_import_mode(tc_api_app *app, int64_t batch_id, const char *data, size_t len, int mode, int en,
                              json_t **report, json_t **summary, tc_err *e);

/* Remove the roster files that versions before schema 6 kept as blobs (in
 * clear: full ID numbers and codes).  Idempotent, run by main at start.
 * Returns how many were removed, or -1. */
int tc_api_roster_files_purge(tc_api_app *app, tc_err *e);

/* A fresh 6-character batch code (a-z, 0-9). */
void tc_api_batch_code(char out[7]);

#endif
