/* tc_jobs — the timer thread of the periodic jobs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tc_jobs.h"

typedef struct job {
    const char *name;
    int interval_s;
    tc_jobs_fn fn;
    void *ctx;
    struct timespec due; /* CLOCK_MONOTONIC */
    int runs;
} job;

struct tc_jobs_timer {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC: a wall-clock step moves no job */
    job jobs[TC_JOBS_MAX];
    int n;
    int started, stop;
    tc_store *lead; /* run only while this process leads (tc_store_lead); NULL: always */
};

tc_jobs_timer *tc_jobs_timer_new(tc_err *e)
{
    tc_jobs_timer *t = tc_mem_zalloc(sizeof *t, e);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    return t;
}

int tc_jobs_every(tc_jobs_timer *t, const char *name, int interval_s, tc_jobs_fn fn, void *ctx, tc_err *e)
{
    if (t->started || t->n == TC_JOBS_MAX || interval_s < 1 || !fn)
        return tc_err_internal(e, "job %s cannot be added", name);
    t->jobs[t->n++] = (job){.name = name, .interval_s = interval_s, .fn = fn, .ctx = ctx};
    return 0;
}

int tc_jobs_timer_lead(tc_jobs_timer *t, tc_store *s, tc_err *e)
{
    if (t->started)
        return tc_err_internal(e, "the timer's leader lock is set before it starts");
    t->lead = s;
    return 0;
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *timer_main(void *arg)
{
    tc_jobs_timer *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        job *next = NULL;
        for (int i = 0; i < t->n; i++)
            if (!next || before(&t->jobs[i].due, &next->due))
                next = &t->jobs[i];
        if (!next) {
            pthread_cond_wait(&t->cv, &t->mu);
            continue;
        }
        if (before(&now, &next->due)) {
            pthread_cond_timedwait(&t->cv, &t->mu, &next->due);
            continue;
        }
        /* run it without the lock: stop waits for it to return.  Another
         * process leads: not run, asked again soon (the leader may die) */
        pthread_mutex_unlock(&t->mu);
        int ran = !t->lead || tc_store_lead(t->lead);
        if (ran)
            next->fn(next->ctx);
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&t->mu);
        next->runs += ran;
        next->due = now;
        next->due.tv_sec += ran || next->interval_s < TC_JOBS_LEAD_RETRY_S ? next->interval_s : TC_JOBS_LEAD_RETRY_S;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int tc_jobs_timer_start(tc_jobs_timer *t, tc_err *e)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (int i = 0; i < t->n; i++)
        t->jobs[i].due = now; /* every job runs first at start */
    if (pthread_create(&t->th, NULL, timer_main, t) != 0)
        return tc_err_internal(e, "cannot start the jobs' timer");
    t->started = 1;
    return 0;
}

int tc_jobs_runs(tc_jobs_timer *t, const char *name)
{
    int runs = -1;
    pthread_mutex_lock(&t->mu);
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->jobs[i].name, name))
            runs = t->jobs[i].runs;
    pthread_mutex_unlock(&t->mu);
    return runs;
}

void tc_jobs_timer_free(tc_jobs_timer *t)
{
    if (!t)
        return;
    if (t->started) {
        pthread_mutex_lock(&t->mu);
        t->stop = 1;
        pthread_cond_signal(&t->cv);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->th, NULL);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
