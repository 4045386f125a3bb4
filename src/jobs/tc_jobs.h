/*
 * tc_jobs — the work that runs outside requests: the photo workers
 * (threads that claim each uploaded photo from the database, make and check
 * it, tc_jobs_photo_process),
 * one timer thread that runs the periodic jobs (tc_jobs_every: main
 * registers the reconciliation, the retention sweep and the reminders), and
 * the retention sweep itself.
 *
 * Below api: what a photo job needs from the layers above (the batch's
 * settings, a spec by name, the student's messages and live events) comes
 * in as the function table tc_jobs_services, filled by api
 * (tc_api_jobs_services) and handed over by main.
 *
 * Owns: the queue and its threads (tc_jobs_photos_start .. _stop), the timer
 * and its thread (tc_jobs_timer_new .. _free).  Both are made and freed by
 * main; pushing and draining are safe from any thread.
 */
#ifndef TC_JOBS_H
#define TC_JOBS_H

#include <jansson.h>

#include "../base/tc_base.h"
#include "../blob/tc_blob.h"
#include "../config/tc_config.h"
#include "../journey/tc_journey.h"
#include "../store/tc_store.h"
#include "../studio/tc_studio.h"
#include "../spec/tc_spec.h"

/* What a photo job asks of the layers above; ctx is passed to each. */
typedef struct tc_jobs_services {
    void *ctx;
    /* The student's batch, school, notice and merged settings (defaults <
     * school < batch); -1 with e set. */
    int (*settings)(void *ctx, tc_pool *p, const tc_store_student *st, tc_store_batch *b, tc_store_school *sc, const char **notice,
                    tc_journey_settings *set, tc_err *e);
    /* The spec called name (own: a table the caller frees with
     * tc_spec_table_free); NULL with e set. */
    const tc_spec *(*spec_find)(void *ctx, tc_spec_table *own, const char *name, tc_err *e);
    /* A live event to the person's open apps; steals data. */
    void (*publish)(void *ctx, int64_t person_id, const char *type, json_t *data);
    /* A message-centre entry and the student's chosen channels. */
    int (*message)(void *ctx, int64_t person_id, int64_t student_id, const char *kind, const char *tz,
                   const char *te, const char *bz, const char *be);
} tc_jobs_services;

/* The photo jobs' timing (issue 18 item 3). */
enum {
    TC_JOBS_CLAIM_TIMEOUT_S = 120, /* a claim older than this: its worker died */
    TC_JOBS_CLAIM_POLL_S = 2,      /* an idle worker looks again this often    */
    /* a finished photo whose store is unreachable (a database failover)
     * is offered again this often, this long, before it is left claimed */
    TC_JOBS_STORE_RETRY_S = 1,
    TC_JOBS_STORE_WAIT_S = 30,
    TC_JOBS_MAX_CLAIMS = 3,        /* taken more often: ended as an error      */
};

/* Everything a photo job reads (borrowed: outlives the queue). */
typedef struct tc_jobs_photo_env {
    const tc_config *cfg; /* upload_max_mb; NULL: the photo module's limits */
    tc_store *store;
    tc_blob_store *blobs;
    const tc_studio *studio;
    tc_jobs_services svc;
    int claim_timeout_s;  /* 0: TC_JOBS_CLAIM_TIMEOUT_S */
    int claim_poll_s;     /* 0: TC_JOBS_CLAIM_POLL_S    */
} tc_jobs_photo_env;

/* Make and check one photo (in state processing, held by the worker named
 * claim: tc_store_photo_claim), store what came out, apply the journey's
 * counters (cool-off, locks), tell the student.  Every failure ends in the
 * photo's error state with studio.internal, except the database's passing
 * trouble (store.unavailable: no primary during a failover; store.busy: a
 * lock timeout, e.g. behind a commit waiting for a standby): the result is
 * offered again for TC_JOBS_STORE_WAIT_S, then the photo is left claimed
 * and is taken over after the claim timeout, as a dead worker's.  A claim another worker
 * took over stores nothing (its result counts); nothing is returned. */
void tc_jobs_photo_process(const tc_jobs_photo_env *env, tc_studio_ctx *sc, int64_t photo_id, const char *claim);

/* The photo workers (issue 18 item 3).  The queue is the database: a photo
 * in state processing is its job, so the workers of every process on one
 * database share the uploads of every node.  Each worker thread (0..16;
 * one per core is right, a photo is CPU-bound) has its own studio context
 * and claims the oldest free photo (tc_store_photo_claim), makes it, and
 * claims again; idle, it sleeps until a nudge (tc_store_notify on the
 * channel "tucai_photos": PostgreSQL's NOTIFY between processes) or
 * env->claim_poll_s.  A photo whose worker died (its claim older than
 * env->claim_timeout_s) is taken over; one taken more than
 * TC_JOBS_MAX_CLAIMS times ends as an error.  threads 0: this process makes
 * no photos (a serve node beside `tucai worker`), push still nudges the
 * others.  env->studio must be set when threads > 0; env is copied.  NULL
 * with e set. */
typedef struct tc_jobs_photos tc_jobs_photos;
tc_jobs_photos *tc_jobs_photos_start(const tc_jobs_photo_env *env, int threads, tc_err *e);
/* A photo was uploaded (its row is in the database): nudge every process's
 * workers.  Always 0 (a lost nudge only delays the photo to the next look). */
int tc_jobs_photos_push(tc_jobs_photos *q, int64_t photo_id);
/* How many worker threads run. */
int tc_jobs_photos_threads(const tc_jobs_photos *q);
/* Wait until no photo is in state processing and none in hand (tests, the
 * CLI); at once when this process has no workers. */
void tc_jobs_photos_drain(tc_jobs_photos *q);
/* Finish the photos in hand, then join and free (NULL is fine). */
void tc_jobs_photos_stop(tc_jobs_photos *q);

/* The timer: one thread runs every registered job first at start, then
 * each every interval_s seconds (one job at a time: a slow job delays the
 * next due one, never runs twice at once).  tc_jobs_every only before
 * tc_jobs_timer_start (-1 otherwise, or past TC_JOBS_MAX). */
enum { TC_JOBS_MAX = 16 };
typedef struct tc_jobs_timer tc_jobs_timer;
typedef void (*tc_jobs_fn)(void *ctx);
tc_jobs_timer *tc_jobs_timer_new(tc_err *e);
int tc_jobs_every(tc_jobs_timer *t, const char *name, int interval_s, tc_jobs_fn fn, void *ctx, tc_err *e);
/* In a cluster (issue 18 item 3): run the jobs only while this process
 * leads (tc_store_lead on s, a PostgreSQL advisory lock; always on
 * SQLite); a job skipped because another process leads is asked again
 * after TC_JOBS_LEAD_RETRY_S (or its interval if shorter), so a leader's
 * death delays the jobs by that much at most.  Before tc_jobs_timer_start. */
enum { TC_JOBS_LEAD_RETRY_S = 30 };
int tc_jobs_timer_lead(tc_jobs_timer *t, tc_store *s, tc_err *e);
int tc_jobs_timer_start(tc_jobs_timer *t, tc_err *e);
/* How many times the job called name has run (tests). */
int tc_jobs_runs(tc_jobs_timer *t, const char *name);
/* Stop (the job running finishes), join and free (NULL is fine). */
void tc_jobs_timer_free(tc_jobs_timer *t);

/* The retention sweep (issue 14): removes the files of failed, errored,
 * deleted and superseded photos older than keep_s (see tc_store_photo_sweep
 * for what is never removed), in rounds of 200 photos so that the write
 * lock is held for one round only.  *photos, *files: how many. */
int tc_jobs_sweep_once(tc_store *store, tc_blob_store *blobs, int64_t keep_s, int64_t now, int *photos, int *files,
                       tc_err *e);

/* Retention after the season (issue 19 item 5): for every batch that closed
 * (ends_at passed, or cancelled) more than its retention_days ago (the
 * batch's setting over its school's, default 30), tc_store_batch_purge in
 * rounds of 200 photos: originals, drafts, failed, deleted and rejected
 * photos lose their files, the standard and final photos and every order
 * stay.  Each batch that lost anything gets one staff_audit row
 * (retention.purge, no staff, the counts).  Idempotent.  *rep: the totals. */
typedef struct tc_jobs_retention_report {
    int batches, photos, files;
} tc_jobs_retention_report;
int tc_jobs_retention_once(tc_store *store, tc_blob_store *blobs, int64_t now, tc_jobs_retention_report *rep,
                           tc_err *e);

#endif
