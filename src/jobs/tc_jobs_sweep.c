/* tc_jobs — the retention sweep (issue 14). */
#include <stdio.h>
#include <string.h>

#include "tc_jobs.h"

static int sweep_remove(void *ctx, const char *blob_id)
{
    tc_blob_store *blobs = ctx;
    tc_err e;
    if (tc_blob_remove(blobs, blob_id, &e) != 0) {
        tc_log(TC_LOG_WARN, "sweep: %s", e.en);
        return -1;
    }
    return 0;
}

int tc_jobs_sweep_once(tc_store *store, tc_blob_store *blobs, int64_t keep_s, int64_t now, int *photos, int *files,
                       tc_err *e)
{
    *photos = *files = 0;
    /* rounds of a few hundred photos: the write lock is held for one round
     * only, so uploads wait milliseconds, not the whole sweep; an object
     * store's DELETE is a network round trip, so 20 photos a round there
     * (about 100 requests, well under a second on a local network) */
    const int round = tc_blob_is_local(blobs) ? 200 : 20;
    for (;;) {
        int p = 0, f = 0;
        if (tc_store_photo_sweep(store, now - keep_s, round, sweep_remove, blobs, &p, &f, now, e) != 0)
            return -1;
        *photos += p;
        *files += f;
        if (p < round)
            return 0;
        /* the next round's rows are marked with a later time: never the
         * same mark as this round's */
        now++;
    }
}

/* ---- retention after the season (issue 19 item 5) ---- */

int tc_jobs_retention_once(tc_store *store, tc_blob_store *blobs, int64_t now, tc_jobs_retention_report *rep,
                           tc_err *e)
{
    memset(rep, 0, sizeof *rep);
    tc_pool pool;
    tc_pool_init(&pool);
    tc_store_closed_batch *bs;
    size_t n;
    int rc = tc_store_batches_closed(store, &pool, now, &bs, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* the batch's own setting over its school's over the default */
        tc_journey_settings set;
        tc_journey_settings_default(&set);
        tc_err bad;
        if (tc_journey_settings_apply(&set, bs[i].school_settings, &bad) != 0 ||
            tc_journey_settings_apply(&set, bs[i].settings, &bad) != 0) {
            /* settings are checked when saved: a broken row keeps its photos */
            tc_log(TC_LOG_WARN, "retention: batch %lld skipped: %s", (long long)bs[i].id, bad.en);
            continue;
        }
        if (bs[i].closed_at + (int64_t)set.retention_days * 86400 > now)
            continue;
        int photos = 0, files = 0, p, f;
        int64_t mark = now;
        do {
            p = f = 0;
            rc = tc_store_batch_purge(store, bs[i].id, 200, sweep_remove, blobs, &p, &f, mark++, e);
            photos += p;
            files += f;
        } while (rc == 0 && p >= 200);
        if (rc == 0 && (photos || files)) {
            rep->batches++;
            rep->photos += photos;
            rep->files += files;
            char after[96];
            snprintf(after, sizeof after, "{\"photos\":%d,\"files\":%d,\"retention_days\":%d}", photos, files,
                     set.retention_days);
            char target[40];
            snprintf(target, sizeof target, "batch:%lld", (long long)bs[i].id);
            tc_err ae;
            if (tc_store_audit_staff(store, 0, "retention.purge", target, NULL, after, "", &ae) != 0)
                tc_log(TC_LOG_WARN, "retention: audit of batch %lld: %s", (long long)bs[i].id, ae.en);
        }
    }
    tc_pool_clear(&pool);
    return rc;
}
