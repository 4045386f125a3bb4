/*
 * tc_jobs — the work that runs outside requests: the photo queue (worker
 * threads that make and check each uploaded photo, tc_jobs_photo_process),
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

/* Everything a photo job reads (borrowed: outlives the queue). */
typedef struct tc_jobs_photo_env {
    const tc_config *cfg; /* upload_max_mb; NULL: the photo module's limits */
    tc_store *store;
    tc_blob_store *blobs;
    const tc_studio *studio;
    tc_jobs_services svc;
} tc_jobs_photo_env;

/* Make and check one photo (in state processing), store what came out,
 * apply the journey's counters (cool-off, locks), tell the student.  Every
 * failure ends in the photo's error state with studio.internal; nothing is
 * returned. */
void tc_jobs_photo_process(const tc_jobs_photo_env *env, tc_studio_ctx *sc, int64_t photo_id);

/* The photo queue: threads (1..16; one per core is right, a photo is
 * CPU-bound) each with its own studio context.  Photos a previous run left
 * "processing" are queued again.  env->studio must be set; env is copied.
 * NULL with e set. */
typedef struct tc_jobs_photos tc_jobs_photos;
tc_jobs_photos *tc_jobs_photos_start(const tc_jobs_photo_env *env, int threads, tc_err *e);
/* Queue a photo; -1 when out of memory. */
int tc_jobs_photos_push(tc_jobs_photos *q, int64_t photo_id);
/* Wait until no photo is queued or in hand (tests, the CLI). */
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
