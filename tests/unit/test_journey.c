/* tc_journey: the journey's rules, without a server.  The HTTP and browser
 * tests walk the same rules through the API; these pin each rule down,
 * including the ones that need many photos to reach (the two locks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "journey/tc_journey.h"

static const int64_t NOW = 1780000000; /* 2026-05-28, a fixed clock */

/* A student who has read everything and may shoot. */
static void ready(tc_journey_state *st)
{
    memset(st, 0, sizeof *st);
    st->notice_read_at = st->tips_read_at = st->tutorial_at = st->notify_chosen_at = NOW - 60;
    st->paid = 1;
    st->consent_ok = 1;
}

static const char *refusal(const tc_journey_settings *s, const tc_journey_state *st, const char *source, int64_t *until)
{
    static tc_err e; /* a test's scratch; cmocka runs tests one at a time */
    int64_t u = 0;
    if (tc_journey_can_shoot(s, st, source, NOW, &u, &e) == 0)
        return "ok";
    if (until)
        *until = u;
    return e.code;
}

static void test_defaults_follow_the_seeds(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_settings_default(&s);
    assert_int_equal(s.draft_capacity, 3);       /* seed 000 §14 */
    assert_int_equal(s.draft_delete_after_h, 24); /* seed 000 §14 */
    assert_int_equal(s.pay_when, TC_JOURNEY_PAY_AFTER_CONFIRM);
    assert_string_equal(s.spec, "chsi");
    assert_string_equal(s.background, "blue");
    assert_true(s.live_allowed && s.album_allowed);
    assert_int_equal(s.retention_days, 30); /* issue 19 item 5: a month after the close */
}

static void test_settings_apply_and_round_trip(void **state)
{
    (void)state;
    tc_journey_settings s, t;
    tc_err e;
    tc_journey_settings_default(&s);
    assert_int_equal(tc_journey_settings_apply(&s,
                                               "{\"pay_when\":\"before_shoot\",\"fee_fen\":2500,\"album_allowed\":false,"
                                               "\"draft_capacity\":5,\"cooloff_min\":10,\"glasses\":\"forbidden\","
                                               "\"spec\":\"idcard\",\"retention_days\":7,\"checks\":{\"disabled\":[\"duplicate\"]}}",
                                               &e),
                     0);
    assert_int_equal(s.pay_when, TC_JOURNEY_PAY_BEFORE_SHOOT);
    assert_int_equal(s.fee_fen, 2500);
    assert_false(s.album_allowed);
    assert_int_equal(s.draft_capacity, 5);
    assert_true(s.glasses_forbidden);
    assert_string_equal(s.spec, "idcard");
    assert_int_equal(s.retention_days, 7);
    /* what settings_json writes, apply reads back to the same settings */
    json_t *j = tc_journey_settings_json(&s);
    char *text = json_dumps(j, JSON_COMPACT);
    tc_journey_settings_default(&t);
    assert_int_equal(tc_journey_settings_apply(&t, text, &e), 0);
    assert_int_equal(t.pay_when, s.pay_when);
    assert_int_equal(t.fee_fen, s.fee_fen);
    assert_int_equal(t.draft_capacity, s.draft_capacity);
    assert_int_equal(t.cooloff_min, s.cooloff_min);
    assert_int_equal(t.retention_days, s.retention_days);
    assert_int_equal(t.glasses_forbidden, s.glasses_forbidden);
    assert_string_equal(t.checks, s.checks);
    free(text);
    json_decref(j);
}

static void test_bad_settings_are_refused_not_ignored(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "[1]",                         /* not an object */
        "{\"draft_capacity\":0}",      /* below the range */
        "{\"draft_capacity\":\"3\"}",  /* a string */
        "{\"cooloff_minutes\":2}",     /* a typo: unknown key */
        "{\"pay_when\":\"later\"}",    /* not one of the three */
        "{\"album_allowed\":1}",       /* not a boolean */
        "{\"glasses\":\"tinted\"}",    /* not a rule */
        "{\"spec\":\"\"}",             /* empty name */
        "{\"fee_fen\":-1}",            /* negative money */
        "{\"retention_days\":366}",    /* past a year after the close */
        "{\"retention_days\":-1}",     /* negative days */
        "{\"a\":1,\"a\":2}",           /* duplicate keys */
        "{",                           /* broken JSON */
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        tc_journey_settings s;
        tc_err e;
        tc_journey_settings_default(&s);
        assert_int_not_equal(tc_journey_settings_apply(&s, BAD[i], &e), 0);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.code, "journey.bad_settings");
        assert_true(e.zh[0] && e.en[0]);
    }
}

static void test_steps_in_the_seeds_order(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    memset(&st, 0, sizeof st);
    /* issue 19 item 5: the agreements come first */
    assert_string_equal(tc_journey_step(&s, &st), "consent");
    st.consent_ok = 1;
    assert_string_equal(tc_journey_step(&s, &st), "notice");
    st.notice_read_at = NOW;
    assert_string_equal(tc_journey_step(&s, &st), "tips");
    st.tips_read_at = NOW;
    assert_string_equal(tc_journey_step(&s, &st), "notify");
    st.notify_chosen_at = NOW;
    assert_string_equal(tc_journey_step(&s, &st), "shoot");
    st.drafts = 1;
    assert_string_equal(tc_journey_step(&s, &st), "confirm");
    strcpy(st.submission, "pending_payment");
    assert_string_equal(tc_journey_step(&s, &st), "pay");
    strcpy(st.submission, "submitted");
    assert_string_equal(tc_journey_step(&s, &st), "waiting");
    strcpy(st.submission, "approved");
    assert_string_equal(tc_journey_step(&s, &st), "approved");
    strcpy(st.submission, "rejected");
    assert_string_equal(tc_journey_step(&s, &st), "rejected");
    strcpy(st.submission, "final");
    assert_string_equal(tc_journey_step(&s, &st), "final");
    /* seeds 003–004: pay before shooting */
    tc_journey_settings_apply(&s, "{\"pay_when\":\"before_shoot\",\"fee_fen\":100}", &(tc_err){0});
    st.submission[0] = 0;
    st.drafts = 0;
    st.paid = 0;
    assert_string_equal(tc_journey_step(&s, &st), "pay_first");
    st.paid = 1;
    assert_string_equal(tc_journey_step(&s, &st), "shoot");
}

static void test_shooting_out_of_order_is_refused(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    memset(&st, 0, sizeof st);
    /* issue 19 item 5: no photo before the agreements are accepted, either way */
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.consent_required");
    assert_string_equal(refusal(&s, &st, "album", NULL), "journey.consent_required");
    st.consent_ok = 1;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.notice_unread");
    st.notice_read_at = NOW;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.tips_unread");
    st.tips_read_at = NOW;
    /* seed 000 §8: the tutorial is for live shooting; an album upload needs none */
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.tutorial_unwatched");
    assert_string_equal(refusal(&s, &st, "album", NULL), "ok");
    st.tutorial_at = NOW;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");

    tc_journey_settings_apply(&s, "{\"album_allowed\":false}", &(tc_err){0});
    assert_string_equal(refusal(&s, &st, "album", NULL), "journey.album_not_allowed");
    tc_journey_settings_apply(&s, "{\"album_allowed\":true,\"live_allowed\":false}", &(tc_err){0});
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.live_not_allowed");
    tc_journey_settings_default(&s);

    st.starts_at = NOW + 3600;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.outside_window");
    st.starts_at = 0;
    st.ends_at = NOW - 1;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.outside_window");
    st.ends_at = 0;

    static const char *const UNDER[] = {"pending_payment", "submitted", "approved", "final"};
    for (size_t i = 0; i < 4; i++) {
        strcpy(st.submission, UNDER[i]);
        assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.under_review");
    }
    strcpy(st.submission, "rejected"); /* a rejection invites a retake */
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");
    strcpy(st.submission, "withdrawn");
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");

    st.processing = 1;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.busy");
    st.processing = 0;
    st.drafts = 3;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.drafts_full");
}

static void test_pay_before_shooting(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    tc_journey_settings_apply(&s, "{\"pay_when\":\"before_shoot\",\"fee_fen\":3000}", &(tc_err){0});
    ready(&st);
    st.paid = 0;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.not_paid");
    st.paid = 1;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");
    /* the school pays: never a payment step, whatever the fee */
    tc_journey_settings_apply(&s, "{\"pay_when\":\"school\"}", &(tc_err){0});
    st.paid = 0;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");
}

static void test_a_failure_starts_the_cooloff(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    ready(&st);
    tc_journey_after_photo(&s, &st, 0, 0, NOW);
    assert_int_equal(st.fails, 1);
    assert_int_equal(st.cooloff_until, NOW + 2 * 60);
    int64_t until = 0;
    assert_string_equal(refusal(&s, &st, "camera", &until), "journey.cooloff");
    assert_int_equal(until, st.cooloff_until);
    /* once the cool-off is over, shooting is allowed again */
    st.cooloff_until = NOW - 1;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "ok");
    /* a pass ends the streak */
    tc_journey_after_photo(&s, &st, 1, 0, NOW);
    assert_int_equal(st.fails, 0);
}

static void test_repeated_failures_lock_until_a_stated_time(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    ready(&st);
    for (int i = 0; i < s.lock_after_fails - 1; i++)
        tc_journey_after_photo(&s, &st, 0, 0, NOW + i);
    assert_int_equal(st.locked_until, 0);
    tc_journey_after_photo(&s, &st, 0, 0, NOW);
    assert_int_equal(st.locked_until, NOW + 24 * 3600);
    assert_int_equal(st.fails, 0); /* the next lock needs a new streak */
    st.cooloff_until = 0;
    int64_t until = 0;
    tc_err e;
    assert_int_not_equal(tc_journey_can_shoot(&s, &st, "camera", NOW, &until, &e), 0);
    assert_string_equal(e.code, "journey.locked");
    assert_int_equal(e.status, 423);
    assert_int_equal(until, NOW + 24 * 3600);
    /* seed 000 §13's wording, with the time; the draft box is named only when it holds photos */
    assert_non_null(strstr(e.zh, "请仔细阅读拍摄要求，可于 "));
    assert_non_null(strstr(e.zh, " 年 "));
    assert_null(strstr(e.zh, "草稿箱"));
    assert_null(strstr(e.en, "draft box"));
    assert_non_null(strstr(e.en, "(China time)."));
    st.drafts = 1;
    assert_int_not_equal(tc_journey_can_shoot(&s, &st, "camera", NOW, &until, &e), 0);
    assert_string_equal(e.code, "journey.locked");
    assert_non_null(strstr(e.zh, "后重新拍摄。系统检测到草稿箱有照片，可以选择进行上传。"));
    assert_non_null(strstr(e.en, "(China time). There are photos in your draft box: you can choose to upload one."));
    st.drafts = 0;
    /* an album upload is refused too: the lock is on the student, not the camera */
    assert_string_equal(refusal(&s, &st, "album", NULL), "journey.locked");
    /* after the stated time it opens by itself */
    assert_int_equal(tc_journey_can_shoot(&s, &st, "camera", st.locked_until + 1, &until, &e), 0);
}

static void test_liveness_failures_lock_until_a_teacher_unlocks(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    ready(&st);
    /* an ordinary failure between them does not count towards this lock */
    tc_journey_after_photo(&s, &st, 0, 1, NOW);
    tc_journey_after_photo(&s, &st, 0, 0, NOW);
    tc_journey_after_photo(&s, &st, 0, 1, NOW);
    assert_false(st.live_locked);
    assert_int_equal(st.live_fails, 2);
    tc_journey_after_photo(&s, &st, 0, 1, NOW);
    assert_true(st.live_locked);
    st.cooloff_until = 0;
    int64_t until = 1;
    tc_err e;
    /* no time passes it: only the school's unlock (the store clears the flag) */
    assert_int_not_equal(tc_journey_can_shoot(&s, &st, "camera", NOW + 365LL * 86400, &until, &e), 0);
    assert_string_equal(e.code, "journey.live_locked");
    assert_int_equal(e.status, 423);
    assert_int_equal(until, 0);
    /* seed 000 §12's wording, and the draft box when it holds photos (the whole text fits) */
    assert_string_equal(e.zh, "系统检测到您的照片多次未通过活体检测，请联系学校图采工作部门进行账号解锁。");
    assert_non_null(strstr(e.en, "unlock"));
    st.drafts = 2;
    assert_int_not_equal(tc_journey_can_shoot(&s, &st, "camera", NOW, &until, &e), 0);
    assert_string_equal(e.zh, "系统检测到您的照片多次未通过活体检测，请联系学校图采工作部门进行账号解锁。"
                              "系统检测到草稿箱有照片，可以选择进行上传。");
    assert_string_equal(e.en, "The system has detected that your photos have failed the liveness check several "
                              "times. Please contact your school's photo collection office to unlock the account. "
                              "There are photos in your draft box: you can choose to upload one.");
    /* a school setting changes the threshold */
    tc_journey_settings_apply(&s, "{\"liveness_lock_after\":1}", &(tc_err){0});
    ready(&st);
    tc_journey_after_photo(&s, &st, 0, 1, NOW);
    assert_true(st.live_locked);
}

static void test_a_retouched_photo_follows_the_schools_retouch_lock(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_state st;
    tc_journey_settings_default(&s);
    /* seed 001 §5 by default: 美颜 is locked until a teacher unlocks */
    assert_true(s.retouch_teacher_lock);
    assert_true(tc_journey_teacher_strike(&s, 0, 1));
    assert_true(tc_journey_teacher_strike(&s, 1, 0));
    assert_false(tc_journey_teacher_strike(&s, 0, 0));
    ready(&st);
    for (int i = 0; i < s.liveness_lock_after; i++)
        tc_journey_after_photo(&s, &st, 0, tc_journey_teacher_strike(&s, 0, 1), NOW);
    assert_true(st.live_locked);
    /* a school may choose the timed lock instead: a retouched photo is one more failed photo */
    tc_err e = {0};
    assert_int_equal(tc_journey_settings_apply(&s, "{\"retouch_lock\":\"timed\"}", &e), 0);
    assert_false(s.retouch_teacher_lock);
    assert_false(tc_journey_teacher_strike(&s, 0, 1));
    assert_true(tc_journey_teacher_strike(&s, 1, 1));
    ready(&st);
    for (int i = 0; i < s.lock_after_fails; i++)
        tc_journey_after_photo(&s, &st, 0, tc_journey_teacher_strike(&s, 0, 1), NOW);
    assert_false(st.live_locked);
    assert_true(st.locked_until > NOW);
    /* the JSON says which, and only the two words are taken */
    json_t *o = tc_journey_settings_json(&s);
    assert_string_equal(json_string_value(json_object_get(o, "retouch_lock")), "timed");
    json_decref(o);
    assert_int_not_equal(tc_journey_settings_apply(&s, "{\"retouch_lock\":\"never\"}", &e), 0);
    assert_string_equal(e.code, "journey.bad_settings");
    assert_int_not_equal(tc_journey_settings_apply(&s, "{\"retouch_lock\":true}", &e), 0);
}

static void test_refusal_texts(void **state)
{
    (void)state;
    tc_err e;
    assert_int_not_equal(tc_journey_refusal("journey.drafts_full", 0, 3, &e), 0);
    assert_string_equal(e.zh, "草稿箱已满，请前往草稿箱删除或使用草稿箱照片。"); /* seed 000 §14 */
    assert_int_not_equal(tc_journey_refusal("journey.cooloff", NOW + 120, 0, &e), 0);
    assert_int_equal(e.status, 429);
    assert_non_null(strstr(e.zh, ":")); /* names the time of day */
    assert_int_not_equal(tc_journey_refusal("journey.something_else", 0, 0, &e), 0);
    assert_true(e.zh[0] && e.en[0]);
}

/* ---- issue 14: the student-side abuse rules ------------------------------------------------------------ */

static void test_an_error_costs_a_cooloff_and_counts_towards_the_lock(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_settings_default(&s);
    tc_journey_state st;
    ready(&st);
    tc_journey_after_error(&s, &st, NOW);
    assert_int_equal(st.fails, 1);
    assert_int_equal(st.live_fails, 0);
    assert_int_equal(st.cooloff_until, NOW + 2 * 60);
    int64_t until;
    assert_string_equal(refusal(&s, &st, "camera", &until), "journey.cooloff");
    assert_int_equal(until, NOW + 2 * 60);
    /* junk again and again: the timed lock, never the teacher's */
    for (int i = 1; i < s.lock_after_fails; i++)
        tc_journey_after_error(&s, &st, NOW);
    assert_int_equal(st.locked_until, NOW + 24 * 3600);
    assert_int_equal(st.live_locked, 0);
}

static void test_a_cancelled_batch_takes_no_photos(void **state)
{
    (void)state;
    tc_journey_settings s;
    tc_journey_settings_default(&s);
    tc_journey_state st;
    ready(&st);
    st.cancelled_at = NOW - 5;
    assert_string_equal(refusal(&s, &st, "camera", NULL), "journey.batch_cancelled");
    assert_string_equal(refusal(&s, &st, "album", NULL), "journey.batch_cancelled");
    /* said first: reading the notice would not help */
    st.notice_read_at = 0;
    tc_err e;
    int64_t u;
    assert_int_equal(tc_journey_can_shoot(&s, &st, "album", NOW, &u, &e), -1);
    assert_string_equal(e.code, "journey.batch_cancelled");
    assert_int_equal(e.status, 410);
    assert_non_null(strstr(e.zh, "本次照片采集已取消"));
}

/* DateTimeOriginal in China time, s seconds after NOW. */
static void exif_at(int64_t s, char out[20])
{
    time_t t = (time_t)(NOW + s + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y:%m:%d %H:%M:%S", &tm);
}

static void test_what_a_fresh_capture_of_the_page_looks_like(void **state)
{
    (void)state;
    char t[20];
    /* the canvas JPEG: no EXIF */
    assert_null(tc_journey_capture_evidence("", "", "", "", NOW));
    assert_null(tc_journey_capture_evidence(NULL, NULL, NULL, NULL, NOW));
    assert_string_equal(tc_journey_capture_evidence("Apple", "", "", "", NOW), "camera_tags");
    assert_string_equal(tc_journey_capture_evidence("", "iPhone 13", "", "", NOW), "camera_tags");
    assert_string_equal(tc_journey_capture_evidence("", "", "Adobe Photoshop 25.0", "", NOW), "editing_software");
    exif_at(-3 * 86400, t);
    assert_string_equal(tc_journey_capture_evidence("", "", "", t, NOW), "old_capture");
    exif_at(-TC_JOURNEY_FRESH_S - 1, t);
    assert_string_equal(tc_journey_capture_evidence("", "", "", t, NOW), "old_capture");
    exif_at(-TC_JOURNEY_FRESH_S + 5, t);
    assert_null(tc_journey_capture_evidence("", "", "", t, NOW));
    exif_at(30, t); /* a clock a little ahead */
    assert_null(tc_journey_capture_evidence("", "", "", t, NOW));
    /* an unknown time as cameras write it, and junk: no evidence either way */
    assert_null(tc_journey_capture_evidence("", "", "", "    :  :     :  :  ", NOW));
    assert_null(tc_journey_capture_evidence("", "", "", "2020:13:01 00:00:00", NOW));
    assert_null(tc_journey_capture_evidence("", "", "", "2020:01:01 00:00:00x", NOW));
}

static void test_the_china_day_of_a_time(void **state)
{
    (void)state;
    int64_t d = tc_journey_day_start(NOW);
    assert_true(d <= NOW && NOW < d + 86400);
    assert_int_equal((d + 8 * 3600) % 86400, 0);
    /* 23:59:59 and 00:00:00 China time are different days */
    int64_t midnight = d + 86400;
    assert_int_equal(tc_journey_day_start(midnight - 1), d);
    assert_int_equal(tc_journey_day_start(midnight), midnight);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_follow_the_seeds),
        cmocka_unit_test(test_settings_apply_and_round_trip),
        cmocka_unit_test(test_bad_settings_are_refused_not_ignored),
        cmocka_unit_test(test_steps_in_the_seeds_order),
        cmocka_unit_test(test_shooting_out_of_order_is_refused),
        cmocka_unit_test(test_pay_before_shooting),
        cmocka_unit_test(test_a_failure_starts_the_cooloff),
        cmocka_unit_test(test_repeated_failures_lock_until_a_stated_time),
        cmocka_unit_test(test_liveness_failures_lock_until_a_teacher_unlocks),
        cmocka_unit_test(test_refusal_texts),
        cmocka_unit_test(test_an_error_costs_a_cooloff_and_counts_towards_the_lock),
        cmocka_unit_test(test_a_cancelled_batch_takes_no_photos),
        cmocka_unit_test(test_what_a_fresh_capture_of_the_page_looks_like),
        cmocka_unit_test(test_the_china_day_of_a_time),
        cmocka_unit_test(test_a_retouched_photo_follows_the_schools_retouch_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
