/* tc_jobs — the photo queue: worker threads that make and check uploaded
 * photos (tc_jobs_photo_process), each with its own studio context. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tc_jobs.h"
#include "../spec/tc_spec.h"

/* One worker thread and its name (the claim it writes on a photo). */
typedef struct tc_jobs_photo_worker {
    struct tc_jobs_photos *q;
    pthread_t thread;
    char name[64];
} tc_jobs_photo_worker;

struct tc_jobs_photos {
    tc_jobs_photo_env env;
    pthread_mutex_t mu;
    pthread_cond_t cv, idle;
    uint64_t kicks;     /* nudges so far (a worker sleeps only if none came
                         * since it last looked: no lost wake-up)           */
    int busy;           /* workers claiming or making a photo               */
    int stop;
    int nthreads;
    tc_jobs_photo_worker th[16];
};

/* What a photo that could not be made shows the student. */
#define INTERNAL_CHECKS                                                                                              \
    "{\"passed\":false,\"problem\":{\"code\":\"studio.internal\",\"zh\":\"照片处理出错，请重新上传\","                 \
    "\"en\":\"Something went wrong making your photo: upload it again\"},\"checks\":[]}"

/* End a photo still in state processing (and held by claim) in the error
 * state with studio.internal, the student's counters unchanged: our own
 * failure costs the student nothing.  0, or -1 when it was not ended. */
static int finish_internal(const tc_jobs_photo_env *env, tc_pool *p, int64_t photo_id, const char *claim)
{
    tc_store_photo ph;
    tc_store_journey sj;
    tc_err e = {0};
    if (tc_store_photo_get(env->store, p, photo_id, &ph, &e) != 0 || ph.state_enum != TC_STORE_PHOTO_PROCESSING ||
        tc_store_journey_get(env->store, p, ph.student_id, &sj, &e) != 0)
        return -1;
    tc_store_photo_done d = {.state = TC_STORE_PHOTO_ERROR,
                             .error = "studio.internal",
                             .checks = INTERNAL_CHECKS,
                             .fails = sj.fails,
                             .live_fails = sj.live_fails,
                             .live_locked = sj.live_locked,
                             .cooloff_until = sj.cooloff_until,
                             .locked_until = sj.locked_until,
                             .claimed_by = claim};
    return tc_store_photo_finish(env->store, photo_id, &d, tc_now(), &e);
}

/* The database's passing trouble, not the photo's: no primary during a
 * failover (store.unavailable), or a lock waited for past its timeout
 * (store.busy: behind a commit that waits for a standby's confirmation,
 * while no standby follows a just-promoted primary).  Nothing was written;
 * the same write can be tried again. */
static int store_passing(const tc_err *e)
{
    return !strcmp(e->code, "store.unavailable") || !strcmp(e->code, "store.busy");
}

/* Make and check one photo, store what came out, apply the journey's
 * counters, tell the student. */
void tc_jobs_photo_process(const tc_jobs_photo_env *env, tc_studio_ctx *sc, int64_t photo_id, const char *claim)
{
    tc_pool pool;
    tc_pool_init(&pool);
    tc_pool *p = &pool;
    tc_err e;
    memset(&e, 0, sizeof e);
    tc_store_photo ph;
    tc_store_student st;
    tc_store_batch b;
    tc_store_school school;
    const char *notice;
    tc_journey_settings set;
    tc_store_journey sj;
    char *upload = NULL;
    size_t upload_len = 0;
    tc_studio_result res;
    memset(&res, 0, sizeof res);
    tc_check_prior *prior = NULL;
    tc_spec_table own = {0};
    const tc_spec *spec = NULL;
    char *spec_json = NULL;
    uint8_t *proof = NULL; /* the 样片, kept until the photo names its file */
    size_t plen = 0;
    int64_t t0 = tc_now_ms();
    if (tc_store_photo_get(env->store, p, photo_id, &ph, &e) != 0 || ph.state_enum != TC_STORE_PHOTO_PROCESSING ||
        tc_store_student_get(env->store, p, ph.student_id, &st, &e) != 0 ||
        env->svc.settings(env->svc.ctx, p, &st, &b, &school, &notice, &set, &e) != 0 ||
        tc_blob_get(env->blobs, ph.upload_blob, (size_t)64 << 20, &upload, &upload_len, &e) != 0)
        goto fail_internal;
    tc_check_config cfg;
    tc_check_config_default(&cfg);
    cfg.glasses = set.glasses_forbidden ? TC_CHECK_GLASSES_RULE_FORBIDDEN : TC_CHECK_GLASSES_RULE_CLEAR_OK;
    cfg.hair_behind_shoulders = set.hair_behind_shoulders;
    if (set.checks[0] && tc_check_config_json(&cfg, set.checks, strlen(set.checks), &e) != 0)
        goto fail_internal;
    tc_store_face_hash *hashes;
    size_t nh = 0;
    if (tc_store_face_hashes(env->store, p, st.school_id, 20000, &hashes, &nh, &e) != 0)
        goto fail_internal;
    prior = calloc(nh ? nh : 1, sizeof *prior);
    if (!prior)
        goto fail_internal;
    for (size_t i = 0; i < nh; i++) {
        memcpy(prior[i].hash.bits, hashes[i].hash, sizeof prior[i].hash.bits);
        prior[i].ref = hashes[i].photo_id;
        prior[i].same_student = hashes[i].student_id == st.id;
    }
    tc_photo_limits lim;
    tc_photo_limits_default(&lim);
    if (env->cfg)
        lim.max_bytes = (size_t)env->cfg->upload_max_mb * 1024 * 1024;
    /* a custom spec too; NULL (an unknown name) lets the studio say so */
    tc_err se;
    spec = env->svc.spec_find(env->svc.ctx, &own, set.spec, &se);
    if (!spec && se.status >= 500) {
        e = se;
        goto fail_internal;
    }
    /* kept with the photo: its sheets and reprints must not change when a
     * platform admin edits or deletes the custom spec later */
    spec_json = spec ? tc_spec_to_json(spec) : NULL;
    if (spec && !spec_json) {
        tc_err_internal(&e, "spec to json");
        goto fail_internal;
    }
    tc_studio_req req = {.data = upload,
                         .len = upload_len,
                         .limits = &lim,
                         .spec = set.spec,
                         .spec_def = spec,
                         .background = set.background,
                         .checks = &cfg,
                         .run_checks = 1,
                         .prior = prior,
                         .n_prior = nh,
                         .want_overlay_data = 1, /* the reviewers' overlay as drawing data */
                         .want_original = 1};
    tc_store_photo_done d;
    memset(&d, 0, sizeof d);
    char id_std[TC_BLOB_ID_LEN + 1] = "", id_proof[TC_BLOB_ID_LEN + 1] = "", id_ov[TC_BLOB_ID_LEN + 1] = "",
         id_orig[TC_BLOB_ID_LEN + 1] = "";
    char *checks = NULL;
    char failed[1024] = "";
    uint8_t hash[32];
    tc_journey_state js;
    memset(&js, 0, sizeof js);
    if (tc_store_journey_get(env->store, p, st.id, &sj, &e) != 0)
        goto fail_internal;
    js.fails = sj.fails;
    js.live_fails = sj.live_fails;
    js.live_locked = sj.live_locked;
    js.cooloff_until = sj.cooloff_until;
    js.locked_until = sj.locked_until;
    /* locked before this photo? (the lock message goes when it starts) */
    const int64_t t_before = tc_now();
    const int was_live_locked = js.live_locked, was_locked = js.locked_until > t_before;
    if (tc_studio_make(env->studio, sc, &req, &res, &e) != 0) {
        /* the upload itself is bad (not an image, truncated, too big): say
         * so; it is not a failed check, so no cool-off */
        json_t *cj = json_pack("{s:b, s:{s:s, s:s, s:s}, s:[]}", "passed", 0, "problem", "code", e.code, "zh", e.zh,
                               "en", e.en, "checks");
        checks = json_dumps(cj, JSON_COMPACT);
        json_decref(cj);
        d.state = TC_STORE_PHOTO_ERROR;
        d.error = e.code;
        d.checks = checks;
        /* the student's bad file costs a cool-off like a failed photo
         * (issue 14: junk uploads at network speed); our own failure (5xx)
         * costs nothing */
        if (e.status < 500)
            tc_journey_after_error(&set, &js, tc_now());
    } else {
        /* the checks always run here (run_checks = 1) */
        char *t = tc_check_report_json(&res.checks);
        json_t *cj = t ? json_loads(t, 0, NULL) : NULL;
        free(t);
        if (!cj)
            cj = json_pack("{s:b, s:[]}", "passed", res.ok, "checks");
        if (res.problem[0])
            json_object_set_new(cj, "problem",
                                json_pack("{s:s, s:s, s:s}", "code", res.problem, "zh", res.problem_zh, "en",
                                          res.problem_en));
        checks = json_dumps(cj, JSON_COMPACT);
        json_decref(cj);
        for (int i = 0; i < TC_CHECK_N; i++)
            if (res.checks.r[i].verdict == TC_CHECK_FAIL) {
                size_t l = strlen(failed);
                snprintf(failed + l, sizeof failed - l, "%s%s", l ? "," : "", tc_check_code((tc_check_id)i));
            }
        if (res.problem[0] && !failed[0])
            snprintf(failed, sizeof failed, "%s", res.problem);
        int passed = res.ok && res.jpeg;
        if (res.jpeg && tc_blob_put(env->blobs, res.jpeg, res.jpeg_len, id_std, &e) != 0)
            goto fail_internal;
        if (res.jpeg) {
            int wrc = spec ? tc_photo_watermark(res.jpeg, res.jpeg_len, spec, &proof, &plen, &e) : -1;
            if (wrc != 0 || tc_blob_put(env->blobs, proof, plen, id_proof, &e) != 0)
                goto fail_internal;
        }
        if (res.overlay_data && tc_blob_put(env->blobs, res.overlay_data, res.overlay_data_len, id_ov, &e) != 0)
            goto fail_internal;
        if (res.original_jpeg && tc_blob_put(env->blobs, res.original_jpeg, res.original_len, id_orig, &e) != 0)
            goto fail_internal;
        if (res.checks.has_hash) {
            memcpy(hash, res.checks.hash.bits, sizeof hash);
            d.face_hash = hash;
        }
        int strike = tc_journey_teacher_strike(&set, res.checks.liveness_failed,
                                               res.checks.r[TC_CHECK_RETOUCH].verdict == TC_CHECK_FAIL);
        tc_journey_after_photo(&set, &js, passed, strike, tc_now());
        d.state = passed ? TC_STORE_PHOTO_DRAFT : TC_STORE_PHOTO_FAILED;
        d.checks = checks;
        d.failed = failed;
        d.liveness_failed = res.checks.liveness_failed;
        d.standard_blob = id_std;
        d.proof_blob = id_proof;
        d.overlay_blob = id_ov;
        d.original_blob = id_orig;
        d.spec = res.jpeg ? spec_json : NULL;
    }
    d.fails = js.fails;
    d.live_fails = js.live_fails;
    d.live_locked = js.live_locked;
    d.cooloff_until = js.cooloff_until;
    d.locked_until = js.locked_until;
    d.ms = (int)(tc_now_ms() - t0);
    d.claimed_by = claim;
    int rc = tc_store_photo_finish(env->store, photo_id, &d, tc_now(), &e);
    /* no primary, or a lock held past its timeout, during a database
     * failover (seconds): the made photo is kept in memory and offered
     * again rather than made again later.  The wait is counted on the
     * clock: a store.busy answer itself took the lock timeout (10 s). */
    const int64_t until = tc_now_ms() + (int64_t)TC_JOBS_STORE_WAIT_S * 1000;
    while (rc != 0 && store_passing(&e) && tc_now_ms() < until) {
        struct timespec ts = {TC_JOBS_STORE_RETRY_S, 0};
        nanosleep(&ts, NULL);
        rc = tc_store_photo_finish(env->store, photo_id, &d, tc_now(), &e);
    }
    if (rc != 0) {
        if (!strcmp(e.code, "photo.claim_lost")) {
            /* another worker took it over (this one was too slow for the
             * claim timeout): its result counts, not this one */
            tc_log(TC_LOG_WARN, "photo %lld: %s", (long long)photo_id, e.en);
            free(checks);
            goto out;
        }
        goto fail_internal;
    }
    /* the retention sweep may have removed a file with these very bytes
     * (an earlier, swept photo of the same upload) between the put and the
     * finish; now that this photo names them no sweep removes them, so a
     * second put is final */
    {
        tc_err pe;
        char again[TC_BLOB_ID_LEN + 1];
        if (id_std[0] && !tc_blob_exists(env->blobs, id_std))
            tc_blob_put(env->blobs, res.jpeg, res.jpeg_len, again, &pe);
        if (id_proof[0] && proof && !tc_blob_exists(env->blobs, id_proof))
            tc_blob_put(env->blobs, proof, plen, again, &pe);
        if (id_ov[0] && !tc_blob_exists(env->blobs, id_ov))
            tc_blob_put(env->blobs, res.overlay_data, res.overlay_data_len, again, &pe);
        if (id_orig[0] && !tc_blob_exists(env->blobs, id_orig))
            tc_blob_put(env->blobs, res.original_jpeg, res.original_len, again, &pe);
    }
    const char *state = tc_store_state_name(TC_STORE_SM_PHOTO, d.state);
    tc_log(TC_LOG_INFO, "photo %lld: %s in %d ms%s%s", (long long)photo_id, state, d.ms, failed[0] ? " failed " : "",
           failed);
    env->svc.publish(env->svc.ctx, st.person_id, "photo", json_pack("{s:I, s:s}", "id", (json_int_t)photo_id, "state", state));
    /* the check result, and a lock this photo started (seed 000 §7, §13) */
    if (d.state == TC_STORE_PHOTO_FAILED)
        env->svc.message(env->svc.ctx, st.person_id, st.id, "photo_failed", "照片检测未通过", "Your photo did not pass the checks",
                "请查看检测结果中的提示，冷静期后重新拍摄。", "Read the advice in the results and shoot again after the cool-off.");
    else if (d.state == TC_STORE_PHOTO_DRAFT)
        env->svc.message(env->svc.ctx, st.person_id, st.id, "photo_passed", "照片检测通过", "Your photo passed the checks",
                    "照片已放入草稿箱，请确认并提交审核。", "The photo is in your drafts: confirm it and submit it for review.");
    if (js.live_locked && !was_live_locked)
        env->svc.message(env->svc.ctx, st.person_id, st.id, "locked", "账号已锁定", "Your account is locked",
                    "活体检测多次未通过，账号已锁定，请联系学校图采负责老师解锁。",
                    "The liveness check failed several times: your account is locked. Ask your school's photo "
                    "collection office to unlock it.");
    else if (js.locked_until > t_before && !was_locked) {
        char until[20];
        tc_time_fmt_cn(js.locked_until, until);
        env->svc.message(env->svc.ctx, st.person_id, st.id, "locked", "拍摄已暂时锁定", "Shooting is locked for now",
                    tc_pool_printf(p, "连续多次检测未通过，拍摄已锁定至 %s（北京时间），届时可重新拍摄。", until),
                    tc_pool_printf(p, "Several photos in a row failed: shooting is locked until %s (China time).", until));
    }
    free(checks);
    goto out;
fail_internal:
    if (store_passing(&e)) {
        /* our outage, not the photo's: no error state (it may not be
         * writable either); the claim goes stale and a worker takes it
         * over.  A lock timeout during a switchover once ended a student's
         * good photo in the error state (tests/failover). */
        tc_log(TC_LOG_WARN, "photo %lld: the database cannot be reached or is busy (%s); left for a worker to take over",
               (long long)photo_id, e.code);
        goto out;
    }
    tc_log(TC_LOG_ERROR, "photo %lld could not be processed: %s [%s]", (long long)photo_id, e.en, e.code);
    finish_internal(env, p, photo_id, claim);
out:
    free(proof);
    free(spec_json);
    tc_spec_table_free(&own);
    free(prior);
    free(upload);
    tc_studio_result_free(&res);
    tc_pool_clear(p);
}

/* ---- the queue: the photos in the database, claimed by the workers ---------------------------------------- */

/* The channel on which every process hears of new photos. */
#define PHOTO_CHANNEL "tucai_photos"

/* A nudge from any process (an upload, a worker that stopped): wake the
 * workers to claim. */
static void on_photo_notice(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    (void)payload;
    tc_jobs_photos *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->kicks++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int tc_jobs_photos_push(tc_jobs_photos *w, int64_t id)
{
    /* the photo row is the job: it is already in the database; tell every
     * process's workers (this one's too, through the store) */
    char payload[24];
    snprintf(payload, sizeof payload, "%lld", (long long)id);
    tc_err e = {0};
    if (tc_store_notify(w->env.store, PHOTO_CHANNEL, payload, &e) != 0)
        tc_log(TC_LOG_WARN, "photo %lld: the workers were not told (%s); they find it at their next look", (long long)id,
               e.en);
    if (w->nthreads)
        on_photo_notice(w, PHOTO_CHANNEL, payload);
    return 0;
}

/* The result of a photo taken more than TC_JOBS_MAX_CLAIMS times: its
 * workers died on it (or were killed with it) each time.  It ends in the
 * error state (the student uploads again) instead of taking down the next
 * worker. */
static void give_up(const tc_jobs_photo_env *env, int64_t id, const char *claim)
{
    tc_pool pool;
    tc_pool_init(&pool);
    if (finish_internal(env, &pool, id, claim) == 0)
        tc_log(TC_LOG_ERROR, "photo %lld: error in 0 ms (given up after %d workers took it)", (long long)id,
               TC_JOBS_MAX_CLAIMS);
    tc_pool_clear(&pool);
}

/* One worker thread: claim, make, repeat; with nothing to claim, sleep
 * until a nudge or the next look (claim_poll_s: another process's upload
 * whose nudge was lost, a stale claim to take over). */
static void *work_main(void *arg)
{
    tc_jobs_photo_worker *me = arg;
    tc_jobs_photos *w = me->q;
    tc_err e;
    tc_studio_ctx *sc = tc_studio_ctx_new(w->env.studio, &e);
    if (!sc)
        tc_log(TC_LOG_ERROR, "photo worker cannot start: %s", e.en);
    for (;;) {
        pthread_mutex_lock(&w->mu);
        uint64_t seen = w->kicks;
        int stop = w->stop;
        if (!stop && sc)
            w->busy++;
        pthread_mutex_unlock(&w->mu);
        if (stop)
            break;
        int64_t id = 0;
        int claims = 0;
        if (sc) {
            int64_t now = tc_now();
            tc_err ce = {0};
            if (tc_store_photo_claim(w->env.store, me->name, now, now - w->env.claim_timeout_s, &id, &claims, &ce) != 0)
                tc_log(TC_LOG_WARN, "photo worker %s: cannot claim: %s [%s]", me->name, ce.en, ce.code);
            if (id && claims > TC_JOBS_MAX_CLAIMS)
                give_up(&w->env, id, me->name);
            else if (id)
                tc_jobs_photo_process(&w->env, sc, id, me->name);
        }
        pthread_mutex_lock(&w->mu);
        if (sc)
            w->busy--;
        if (!id) {
            if (!w->busy)
                pthread_cond_broadcast(&w->idle);
            if (w->kicks == seen && !w->stop) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += w->env.claim_poll_s;
                pthread_cond_timedwait(&w->cv, &w->mu, &ts);
            }
        }
        pthread_mutex_unlock(&w->mu);
    }
    tc_studio_ctx_free(sc);
    return NULL;
}

/* Give back the photos held by workers of this machine whose process no
 * longer runs (their names are host:pid:thread). */
static void release_dead(const tc_jobs_photo_env *env, const char *host)
{
    tc_pool pool;
    tc_pool_init(&pool);
    const char **who = NULL;
    size_t n = 0;
    tc_err e = {0};
    size_t hl = strlen(host);
    if (tc_store_photo_claimers(env->store, &pool, &who, &n, &e) == 0)
        for (size_t i = 0; i < n; i++) {
            if (strncmp(who[i], host, hl) != 0 || who[i][hl] != ':')
                continue;
            char *end;
            long pid = strtol(who[i] + hl + 1, &end, 10);
            if (*end != ':' || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
                continue;
            if (tc_store_photo_unclaim(env->store, who[i], &e) == 0)
                tc_log(TC_LOG_INFO, "photos held by %s (a process gone) given back", who[i]);
        }
    tc_pool_clear(&pool);
}

tc_jobs_photos *tc_jobs_photos_start(const tc_jobs_photo_env *env, int threads, tc_err *e)
{
    if (!env->studio && threads > 0) {
        tc_err_internal(e, "photo workers need the studio");
        return NULL;
    }
    tc_jobs_photos *w = tc_mem_zalloc(sizeof *w, e);
    if (!w)
        return NULL;
    w->env = *env;
    if (w->env.claim_timeout_s <= 0)
        w->env.claim_timeout_s = TC_JOBS_CLAIM_TIMEOUT_S;
    if (w->env.claim_poll_s <= 0)
        w->env.claim_poll_s = TC_JOBS_CLAIM_POLL_S;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (threads < 0)
        threads = 0;
    if (threads > (int)TC_ARRAY_LEN(w->th))
        threads = (int)TC_ARRAY_LEN(w->th);
    /* Each worker's name (the claim it writes): host, process and thread,
     * so a log line and a photo row tell which worker held it. */
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    for (int i = 0; i < threads; i++) {
        w->th[i].q = w;
        snprintf(w->th[i].name, sizeof w->th[i].name, "%.31s:%ld:%d", host[0] ? host : "node", (long)getpid(), i);
    }
    /* photos a stopped process left half-made: their claims go stale and
     * any worker takes them over; a process of this machine that is gone
     * (a restart after a crash) gives them back at once */
    if (threads > 0)
        release_dead(&w->env, host[0] ? host : "node");
    /* the nudges from other processes */
    if (threads > 0 && tc_store_listen(w->env.store, PHOTO_CHANNEL, on_photo_notice, w, e) != 0) {
        tc_jobs_photos_stop(w);
        return NULL;
    }
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&w->th[i].thread, NULL, work_main, &w->th[i]) != 0)
            break;
        w->nthreads++;
    }
    return w;
}

int tc_jobs_photos_threads(const tc_jobs_photos *w)
{
    return w ? w->nthreads : 0;
}

void tc_jobs_photos_stop(tc_jobs_photos *w)
{
    if (!w)
        return;
    tc_store_unlisten(w->env.store, w);
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->th[i].thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->idle);
    free(w);
}

void tc_jobs_photos_drain(tc_jobs_photos *w)
{
    if (!w)
        return;
    /* until no photo is in state processing (any process's workers may
     * hold it) and none of ours is in hand; looked at every 50 ms */
    for (;;) {
        int64_t n = 0;
        tc_err e = {0};
        if (tc_store_photo_pending(w->env.store, &n, &e) != 0)
            n = 1;
        pthread_mutex_lock(&w->mu);
        int busy = w->busy;
        if (!n && !busy) {
            pthread_mutex_unlock(&w->mu);
            return;
        }
        w->kicks++;
        pthread_cond_broadcast(&w->cv);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->idle, &w->mu, &ts);
        pthread_mutex_unlock(&w->mu);
        if (!w->nthreads)
            return; /* nobody here makes photos: nothing to wait for */
    }
}
