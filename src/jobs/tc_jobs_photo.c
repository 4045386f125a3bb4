/* tc_jobs — the photo queue: worker threads that make and check uploaded
 * photos (tc_jobs_photo_process), each with its own studio context. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_jobs.h"
#include "../spec/tc_spec.h"

struct tc_jobs_photos {
    tc_jobs_photo_env env;
    pthread_mutex_t mu;
    pthread_cond_t cv, idle;
    int64_t *q;         /* queued photo ids (a ring would do; uploads are rare) */
    size_t n, cap;
    int busy;           /* photos in hand                                      */
    int stop;
    int nthreads;
    pthread_t th[16];
};

/* Make and check one photo, store what came out, apply the journey's
 * counters, tell the student. */
void tc_jobs_photo_process(const tc_jobs_photo_env *env, tc_studio_ctx *sc, int64_t photo_id)
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
    if (tc_store_photo_finish(env->store, photo_id, &d, tc_now(), &e) != 0)
        goto fail_internal;
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
    tc_log(TC_LOG_ERROR, "photo %lld could not be processed: %s [%s]", (long long)photo_id, e.en, e.code);
    {
        tc_store_photo_done d2;
        memset(&d2, 0, sizeof d2);
        d2.state = TC_STORE_PHOTO_ERROR;
        d2.error = "studio.internal";
        d2.checks = "{\"passed\":false,\"problem\":{\"code\":\"studio.internal\",\"zh\":\"照片处理出错，请重新上传\","
                    "\"en\":\"Something went wrong making your photo: upload it again\"},\"checks\":[]}";
        tc_err e3;
        tc_store_journey sj2;
        if (tc_store_photo_get(env->store, p, photo_id, &ph, &e3) == 0 && ph.state_enum == TC_STORE_PHOTO_PROCESSING &&
            tc_store_journey_get(env->store, p, ph.student_id, &sj2, &e3) == 0) {
            d2.fails = sj2.fails;
            d2.live_fails = sj2.live_fails;
            d2.live_locked = sj2.live_locked;
            d2.cooloff_until = sj2.cooloff_until;
            d2.locked_until = sj2.locked_until;
            tc_store_photo_finish(env->store, photo_id, &d2, tc_now(), &e3);
        }
    }
out:
    free(proof);
    free(spec_json);
    tc_spec_table_free(&own);
    free(prior);
    free(upload);
    tc_studio_result_free(&res);
    tc_pool_clear(p);
}

int tc_jobs_photos_push(tc_jobs_photos *w, int64_t id)
{
    pthread_mutex_lock(&w->mu);
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        int64_t *q = realloc(w->q, cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&w->mu);
            return -1;
        }
        w->q = q;
        w->cap = cap;
    }
    w->q[w->n++] = id;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void *work_main(void *arg)
{
    tc_jobs_photos *w = arg;
    tc_err e;
    tc_studio_ctx *sc = tc_studio_ctx_new(w->env.studio, &e);
    if (!sc)
        tc_log(TC_LOG_ERROR, "photo worker cannot start: %s", e.en);
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->n && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        int64_t id = w->q[0];
        memmove(w->q, w->q + 1, --w->n * sizeof *w->q);
        w->busy++;
        pthread_mutex_unlock(&w->mu);
        if (sc)
            tc_jobs_photo_process(&w->env, sc, id);
        pthread_mutex_lock(&w->mu);
        w->busy--;
        if (!w->n && !w->busy)
            pthread_cond_broadcast(&w->idle);
        pthread_mutex_unlock(&w->mu);
    }
    tc_studio_ctx_free(sc);
    return NULL;
}

tc_jobs_photos *tc_jobs_photos_start(const tc_jobs_photo_env *env, int threads, tc_err *e)
{
    if (!env->studio) {
        tc_err_internal(e, "photo workers need the studio");
        return NULL;
    }
    tc_jobs_photos *w = tc_mem_zalloc(sizeof *w, e);
    if (!w)
        return NULL;
    w->env = *env;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (threads < 1)
        threads = 1;
    if (threads > (int)TC_ARRAY_LEN(w->th))
        threads = (int)TC_ARRAY_LEN(w->th);
    /* photos a stopped server left half-made are made again */
    tc_pool pool;
    tc_pool_init(&pool);
    int64_t *ids = NULL;
    size_t n = 0;
    tc_err le;
    if (tc_store_photo_processing(env->store, &pool, &ids, &n, &le) == 0)
        for (size_t i = 0; i < n; i++)
            tc_jobs_photos_push(w, ids[i]);
    tc_pool_clear(&pool);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&w->th[i], NULL, work_main, w) != 0)
            break;
        w->nthreads++;
    }
    return w;
}

void tc_jobs_photos_stop(tc_jobs_photos *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->th[i], NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->idle);
    free(w->q);
    free(w);
}

void tc_jobs_photos_drain(tc_jobs_photos *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    while (w->n || w->busy)
        pthread_cond_wait(&w->idle, &w->mu);
    pthread_mutex_unlock(&w->mu);
}
