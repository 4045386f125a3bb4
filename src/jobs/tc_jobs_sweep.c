/* tc_jobs — the retention sweep (issue 14). */
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
