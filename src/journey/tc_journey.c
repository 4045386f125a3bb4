/* tc_journey — the rules of the student's journey.  See tc_journey.h. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "tc_journey.h"

/* ---- settings ------------------------------------------------------------------------------ */

/* The integer settings: name, range, default, place. */
static const struct {
    const char *name;
    long long lo, hi, def;
    size_t off;
} INTS[] = {
    {"draft_capacity", 1, 20, 3, offsetof(tc_journey_settings, draft_capacity)},
    {"draft_delete_after_h", 0, 24 * 30, 24, offsetof(tc_journey_settings, draft_delete_after_h)},
    {"cooloff_min", 0, 24 * 60, 2, offsetof(tc_journey_settings, cooloff_min)},
    {"lock_after_fails", 1, 1000, 5, offsetof(tc_journey_settings, lock_after_fails)},
    {"lock_hours", 0, 24 * 30, 24, offsetof(tc_journey_settings, lock_hours)},
    {"liveness_lock_after", 1, 1000, 3, offsetof(tc_journey_settings, liveness_lock_after)},
    {"remind_days", 0, 30, 3, offsetof(tc_journey_settings, remind_days)},
    {"retention_days", 0, 365, 30, offsetof(tc_journey_settings, retention_days)},
};

static int *int_setting(tc_journey_settings *s, size_t i)
{
    return (int *)((char *)s + INTS[i].off);
}

void tc_journey_settings_default(tc_journey_settings *s)
{
    memset(s, 0, sizeof *s);
    s->pay_when = TC_JOURNEY_PAY_AFTER_CONFIRM;
    s->fee_fen = 0;
    s->live_allowed = 1;
    s->album_allowed = 1;
    s->retouch_teacher_lock = 1;
    for (size_t i = 0; i < TC_ARRAY_LEN(INTS); i++)
        *int_setting(s, i) = (int)INTS[i].def;
    snprintf(s->spec, sizeof s->spec, "chsi");
    snprintf(s->background, sizeof s->background, "blue");
}

static const char *const PAY_WHEN[] = {"after_confirm", "before_shoot", "school"};

static int bad(tc_err *e, const char *key, const char *why_zh, const char *why_en)
{
    /* one argument list serves both languages: each format skips the
     * other language's words with %.0s */
    return tc_err_set(e, TCE_JOURNEY_BAD_SETTINGS_2, key,
                      why_zh, why_en);
}

/* An integer setting within [lo, hi]. */
static int get_int(json_t *v, const char *key, long long lo, long long hi, long long *out, tc_err *e)
{
    if (!json_is_integer(v))
        return bad(e, key, "应为整数", "must be an integer");
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        char zh[64], en[64];
        snprintf(zh, sizeof zh, "应在 %lld 到 %lld 之间", lo, hi);
        snprintf(en, sizeof en, "must be between %lld and %lld", lo, hi);
        return bad(e, key, zh, en);
    }
    *out = x;
    return 0;
}

int tc_journey_settings_apply(tc_journey_settings *s, const char *text, tc_err *e)
{
    if (!text || !*text)
        return 0;
    json_error_t je;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return tc_err_set(e, TCE_JOURNEY_BAD_SETTINGS_3);
    }
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(o, k, v)
    {
        long long x = 0;
        /* yes/no settings: a JSON boolean, or one of two words (the first
         * sets the flag) */
        struct {
            const char *name, *yes, *no, *why_zh, *why_en;
            int *dst;
        } flags[] = {
            {"album_allowed", NULL, NULL, "应为 true 或 false", "must be true or false", &s->album_allowed},
            {"live_allowed", NULL, NULL, "应为 true 或 false", "must be true or false", &s->live_allowed},
            {"glasses_forbidden", NULL, NULL, "应为 true 或 false", "must be true or false", &s->glasses_forbidden},
            {"hair_behind_shoulders", NULL, NULL, "应为 true 或 false", "must be true or false",
             &s->hair_behind_shoulders},
            {"retouch_lock", "teacher", "timed", "应为 teacher 或 timed", "must be teacher or timed",
             &s->retouch_teacher_lock},
            {"glasses", "forbidden", "clear_ok", "应为 forbidden 或 clear_ok", "must be forbidden or clear_ok",
             &s->glasses_forbidden},
        };
        int done = 0;
        for (size_t i = 0; i < TC_ARRAY_LEN(INTS) && !done; i++)
            if (!strcmp(k, INTS[i].name)) {
                if ((rc = get_int(v, k, INTS[i].lo, INTS[i].hi, &x, e)) != 0)
                    goto out;
                *int_setting(s, i) = (int)x;
                done = 1;
            }
        for (size_t i = 0; i < TC_ARRAY_LEN(flags) && !done; i++)
            if (!strcmp(k, flags[i].name)) {
                const char *t = json_string_value(v);
                int f = !flags[i].yes ? (json_is_boolean(v) ? json_is_true(v) : -1)
                        : t && !strcmp(t, flags[i].yes) ? 1
                        : t && !strcmp(t, flags[i].no)  ? 0
                                                        : -1;
                if (f < 0) {
                    rc = bad(e, k, flags[i].why_zh, flags[i].why_en);
                    goto out;
                }
                *flags[i].dst = f;
                done = 1;
            }
        if (done)
            continue;
        if (!strcmp(k, "fee_fen")) {
            if ((rc = get_int(v, k, 0, 100000000, &x, e)) != 0)
                goto out;
            s->fee_fen = x;
        } else if (!strcmp(k, "pay_when")) {
            const char *t = json_string_value(v);
            int found = -1;
            for (int i = 0; t && i < 3; i++)
                if (!strcmp(t, PAY_WHEN[i]))
                    found = i;
            if (found < 0) {
                rc = bad(e, k, "应为 after_confirm、before_shoot 或 school",
                         "must be after_confirm, before_shoot or school");
                goto out;
            }
            s->pay_when = (tc_journey_pay_when)found;
        } else if (!strcmp(k, "spec") || !strcmp(k, "background")) {
            const char *t = json_string_value(v);
            char *dst = !strcmp(k, "spec") ? s->spec : s->background;
            size_t cap = !strcmp(k, "spec") ? sizeof s->spec : sizeof s->background;
            if (!t || !*t || strlen(t) >= cap) {
                rc = bad(e, k, "应为较短的名称", "must be a short name");
                goto out;
            }
            snprintf(dst, cap, "%s", t);
        } else if (!strcmp(k, "checks")) {
            if (!json_is_object(v)) {
                rc = bad(e, k, "应为对象", "must be an object");
                goto out;
            }
            char *t = json_dumps(v, JSON_COMPACT);
            if (!t || strlen(t) >= sizeof s->checks) {
                free(t);
                rc = bad(e, k, "过长", "is too long");
                goto out;
            }
            snprintf(s->checks, sizeof s->checks, "%s", t);
            free(t);
        } else {
            rc = tc_err_set(e, TCE_JOURNEY_BAD_SETTINGS_4, k);
            goto out;
        }
    }
out:
    json_decref(o);
    return rc;
}

json_t *tc_journey_settings_json(const tc_journey_settings *s)
{
    json_t *o = json_pack("{s:s, s:I, s:b, s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:s}", "pay_when",
                          PAY_WHEN[s->pay_when], "fee_fen", (json_int_t)s->fee_fen, "live_allowed", s->live_allowed,
                          "album_allowed", s->album_allowed, "draft_capacity", s->draft_capacity,
                          "draft_delete_after_h", s->draft_delete_after_h, "cooloff_min", s->cooloff_min,
                          "lock_after_fails", s->lock_after_fails, "lock_hours", s->lock_hours,
                          "liveness_lock_after", s->liveness_lock_after, "spec", s->spec, "background",
                          s->background, "glasses", s->glasses_forbidden ? "forbidden" : "clear_ok", "retouch_lock",
                          s->retouch_teacher_lock ? "teacher" : "timed");
    if (o)
        json_object_set_new(o, "hair_behind_shoulders", json_boolean(s->hair_behind_shoulders));
    if (o)
        json_object_set_new(o, "remind_days", json_integer(s->remind_days));
    if (o)
        json_object_set_new(o, "retention_days", json_integer(s->retention_days));
    if (o && s->checks[0])
        json_object_set_new(o, "checks", json_loads(s->checks, 0, NULL));
    return o;
}

/* ---- steps and refusals ----------------------------------------------------------------------- */

static int must_pay(const tc_journey_settings *s)
{
    return s->pay_when != TC_JOURNEY_PAY_SCHOOL && s->fee_fen > 0;
}

const char *tc_journey_step(const tc_journey_settings *s, const tc_journey_state *st)
{
    if (!st->consent_ok)
        return "consent";
    if (!st->notice_read_at)
        return "notice";
    if (!st->tips_read_at)
        return "tips";
    if (!st->notify_chosen_at)
        return "notify";
    const char *sub = st->submission;
    if (!strcmp(sub, "pending_payment"))
        return "pay";
    if (!strcmp(sub, "submitted"))
        return "waiting";
    if (!strcmp(sub, "approved"))
        return "approved";
    if (!strcmp(sub, "final"))
        return "final";
    if (!strcmp(sub, "rejected"))
        return "rejected";
    if (must_pay(s) && s->pay_when == TC_JOURNEY_PAY_BEFORE_SHOOT && !st->paid)
        return "pay_first";
    if (st->drafts > 0)
        return "confirm";
    return "shoot";
}

int tc_journey_refusal(const char *code, int64_t until, int drafts, tc_err *e)
{
    char t[20] = "";
    if (until > 0)
        tc_time_fmt_cn(until, t);
    /* seed 000 §13 writes the time as "XX 年 XX 月 XX 日 XX:XX:XX" */
    char cn[48] = "";
    if (until > 0)
        snprintf(cn, sizeof cn, "%.4s 年 %.2s 月 %.2s 日 %.8s", t, t + 5, t + 8, t + 11);
    /* seed 000 §12–§13: a lock points to the draft box when it holds photos */
    const char *dzh = drafts > 0 ? "系统检测到草稿箱有照片，可以选择进行上传。" : "";
    const char *den = drafts > 0 ? " There are photos in your draft box: you can choose to upload one." : "";
    if (!strcmp(code, "journey.live_locked"))
        return tc_err_set(e, TCE_JOURNEY_LIVE_LOCKED_2, dzh, den);
    if (!strcmp(code, "journey.locked"))
        return tc_err_set(e, TCE_JOURNEY_LOCKED_2, cn, t, dzh, den);
    if (!strcmp(code, "journey.cooloff"))
        return tc_err_set(e, TCE_JOURNEY_COOLOFF, t + 11);
    if (!strcmp(code, "journey.drafts_full"))
        return tc_err_set(e, TCE_JOURNEY_DRAFTS_FULL_2);
    return tc_err_set(e, 409, code, "当前不能进行此操作", "This cannot be done now");
}

int tc_journey_can_shoot(const tc_journey_settings *s, const tc_journey_state *st, const char *source, int64_t now,
                         int64_t *until, tc_err *e)
{
    *until = 0;
    int album = source && !strcmp(source, "album");
    /* first: nothing else the student could do changes this */
    if (st->cancelled_at)
        return tc_err_set(e, TCE_JOURNEY_BATCH_CANCELLED);
    if (!st->consent_ok)
        return tc_err_set(e, TCE_JOURNEY_CONSENT_REQUIRED);
    if (!st->notice_read_at)
        return tc_err_set(e, TCE_JOURNEY_NOTICE_UNREAD);
    if (!st->tips_read_at)
        return tc_err_set(e, TCE_JOURNEY_TIPS_UNREAD_2);
    if (!album && !st->tutorial_at)
        return tc_err_set(e, TCE_JOURNEY_TUTORIAL_UNWATCHED);
    if (album && !s->album_allowed)
        return tc_err_set(e, TCE_JOURNEY_ALBUM_NOT_ALLOWED);
    if (!album && !s->live_allowed)
        return tc_err_set(e, TCE_JOURNEY_LIVE_NOT_ALLOWED);
    if ((st->starts_at && now < st->starts_at) || (st->ends_at && now > st->ends_at)) {
        char a[20] = "-", b[20] = "-";
        if (st->starts_at)
            tc_time_fmt_cn(st->starts_at, a);
        if (st->ends_at)
            tc_time_fmt_cn(st->ends_at, b);
        return tc_err_set(e, TCE_JOURNEY_OUTSIDE_WINDOW, a, b);
    }
    const char *sub = st->submission;
    if (!strcmp(sub, "submitted") || !strcmp(sub, "approved") || !strcmp(sub, "final") ||
        !strcmp(sub, "pending_payment"))
        return tc_err_set(e, TCE_JOURNEY_UNDER_REVIEW);
    if (must_pay(s) && s->pay_when == TC_JOURNEY_PAY_BEFORE_SHOOT && !st->paid)
        return tc_err_set(e, TCE_JOURNEY_NOT_PAID);
    if (st->processing > 0)
        return tc_err_set(e, TCE_JOURNEY_BUSY);
    if (st->live_locked)
        return tc_journey_refusal("journey.live_locked", 0, st->drafts, e);
    if (st->locked_until > now) {
        *until = st->locked_until;
        return tc_journey_refusal("journey.locked", st->locked_until, st->drafts, e);
    }
    if (st->cooloff_until > now) {
        *until = st->cooloff_until;
        return tc_journey_refusal("journey.cooloff", st->cooloff_until, st->drafts, e);
    }
    if (st->drafts >= s->draft_capacity)
        return tc_journey_refusal("journey.drafts_full", 0, st->drafts, e);
    return 0;
}

void tc_journey_after_photo(const tc_journey_settings *s, tc_journey_state *st, int passed, int liveness_failed,
                            int64_t now)
{
    if (passed) {
        st->fails = 0;
        return;
    }
    st->fails++;
    st->cooloff_until = now + (int64_t)s->cooloff_min * 60;
    if (liveness_failed && ++st->live_fails >= s->liveness_lock_after) {
        /* seed 000 §12: only a teacher unlocks */
        st->live_locked = 1;
        st->live_fails = 0;
    }
    if (st->fails >= s->lock_after_fails) {
        /* seed 000 §13: locked until a stated time */
        st->locked_until = now + (int64_t)s->lock_hours * 3600;
        st->fails = 0;
    }
}

int tc_journey_teacher_strike(const tc_journey_settings *s, int liveness_failed, int retouch_failed)
{
    return liveness_failed || (s->retouch_teacher_lock && retouch_failed);
}

void tc_journey_after_error(const tc_journey_settings *s, tc_journey_state *st, int64_t now)
{
    tc_journey_after_photo(s, st, 0, 0, now);
}

/* ---- fresh captures ---------------------------------------------------------------------------------- */

/* "YYYY:MM:DD HH:MM:SS" (China time) as seconds since the epoch; -1 when it
 * is not that (cameras write "    :  :     :  :  " for an unknown time). */
static int64_t exif_time(const char *t)
{
    int y, mo, d, h, mi, sec;
    char tail;
    if (!t || strlen(t) != 19 || sscanf(t, "%4d:%2d:%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &tail) != 6)
        return -1;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 ||
        mi < 0 || sec < 0)
        return -1;
    /* days from the civil date (proleptic Gregorian), no time-zone tables */
    int64_t yy = y - (mo <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + sec - 8 * 3600;
}

const char *tc_journey_capture_evidence(const char *make, const char *model, const char *software,
                                        const char *datetime, int64_t now)
{
    if ((make && *make) || (model && *model))
        return "camera_tags";
    if (software && *software)
        return "editing_software";
    int64_t at = exif_time(datetime);
    if (at >= 0 && at < now - TC_JOURNEY_FRESH_S)
        return "old_capture";
    return NULL;
}

int64_t tc_journey_day_start(int64_t now)
{
    const int64_t cn = 8 * 3600;
    int64_t local = now + cn;
    int64_t day = local / 86400 - (local % 86400 < 0);
    return day * 86400 - cn;
}
