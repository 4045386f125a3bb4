/*
 * tc_journey — the rules of the student's journey (issue 6, seeds 000–004):
 * which step comes next, what a student may do now, and what a failed photo
 * costs (cool-off, locks).  Pure functions over a snapshot: no I/O, so every
 * rule is unit-tested without a server; the API reads the snapshot from the
 * store, asks here, and makes the change in one store transaction that
 * re-checks the same condition (two requests at once cannot both pass).
 *
 * (The event hub behind the app's live updates is module tc_event's.)
 *
 * Errors (0 / -1 with e): the journey.* codes listed in docs/API.md.
 *
 * Owns: nothing allocated: settings and state are the caller's values
 * (tc_journey_settings_json returns a new reference the caller decrefs).
 */
#ifndef TC_JOURNEY_H
#define TC_JOURNEY_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

/* ---- settings (per school, overridden per batch) ------------------------------------- */

typedef enum tc_journey_pay_when {
    TC_JOURNEY_PAY_AFTER_CONFIRM = 0, /* seeds 000–002: pay after confirming a draft */
    TC_JOURNEY_PAY_BEFORE_SHOOT = 1,  /* seeds 003–004: pay before shooting           */
    TC_JOURNEY_PAY_SCHOOL = 2         /* the school pays: no payment page            */
} tc_journey_pay_when;

typedef struct tc_journey_settings {
    tc_journey_pay_when pay_when;
    int64_t fee_fen;           /* photo fee in 分; 0 with a student-pays rule = free  */
    int live_allowed;          /* 现场拍摄                                              */
    int album_allowed;         /* 相册上传                                              */
    int draft_capacity;        /* 3 (seed 000 §14)                                      */
    int draft_delete_after_h;  /* 24 (seed 000 §14)                                     */
    int cooloff_min;           /* after each failed photo (seed 000 §11); 2             */
    int lock_after_fails;      /* failed photos in a row before a timed lock; 5         */
    int lock_hours;            /* that lock's length (seed 000 §13); 24                 */
    int liveness_lock_after;   /* failed liveness checks before the teacher lock; 3     */
    int retouch_teacher_lock;  /* a retouched (美颜) photo counts towards the teacher
                                  lock like a recapture (seed 001 §5), else it is one
                                  more failed photo towards the timed lock; 1         */
    char spec[32];             /* "chsi"                                                */
    char background[16];       /* "blue"                                                */
    int glasses_forbidden;     /* seed 004                                              */
    int hair_behind_shoulders; /* seed 001 §4: hair must be behind the shoulders (the
                                  hair_shoulders check runs); 0                     */
    char checks[1024];         /* tc_check_config_json text ("" = defaults)             */
    int remind_days;           /* automatic reminder this many days before the close,
                                  besides the one a day before (0 = that one only); 3  */
    int retention_days;        /* originals, drafts and rejected photos are deleted this
                                  many days after the batch closed (0..365); 30     */
} tc_journey_settings;

void tc_journey_settings_default(tc_journey_settings *s);
/* Apply a JSON object of settings (the keys of docs/API.md) over s.  Unknown
 * keys and bad values are errors (journey.bad_settings, 400) so that a typo in
 * a school's settings is seen, not silently ignored.  json may be NULL/"". */
int tc_journey_settings_apply(tc_journey_settings *s, const char *json, tc_err *e);
/* As a JSON object (jansson; caller decrefs). */
struct json_t;
struct json_t *tc_journey_settings_json(const tc_journey_settings *s);

/* ---- the student's state --------------------------------------------------------------- */

typedef struct tc_journey_state {
    int64_t notice_read_at, tips_read_at, tutorial_at, notify_chosen_at;
    int64_t cooloff_until, locked_until;
    int live_locked;
    int fails, live_fails;     /* failed photos in a row / failed liveness checks       */
    int paid;                  /* the photo fee is paid (or nothing to pay)              */
    int drafts;                /* photos in the draft box                                */
    int processing;            /* photos being made now                                  */
    char submission[20];       /* the live submission's state, "" when none              */
    int64_t starts_at, ends_at;/* the batch's collection window (0 = open)              */
    int64_t cancelled_at;      /* the batch was cancelled then (0 = not)                 */
    int consent_ok;            /* the current 服务协议 and 隐私政策 are accepted          */
} tc_journey_state;

/* The next thing the student should do: "consent" (accept the current
 * service agreement and privacy policy), "notice", "tips", "notify",
 * "pay_first", "shoot", "confirm", "pay", "waiting", "approved", "rejected",
 * "final". */
const char *tc_journey_step(const tc_journey_settings *s, const tc_journey_state *st);

/* May the student shoot or upload now (source "camera" or "album")?  0, or
 * -1 with the refusal (journey.batch_cancelled, consent_required, notice_unread, tips_unread,
 * tutorial_unwatched, not_paid, album_not_allowed, live_not_allowed,
 * outside_window, under_review, busy, live_locked, locked, cooloff,
 * drafts_full), whose message is the seed's text where it gives one.
 * *until is set for cooloff and locked (else 0). */
int tc_journey_can_shoot(const tc_journey_settings *s, const tc_journey_state *st, const char *source, int64_t now,
                         int64_t *until, tc_err *e);

/* What a finished photo does to the counters: a pass resets the failure
 * streak; a failure starts the cool-off and counts towards the locks (a
 * liveness failure towards the teacher lock, which also counts as a failure).
 * Updates st in place. */
void tc_journey_after_photo(const tc_journey_settings *s, tc_journey_state *st, int passed, int liveness_failed,
                            int64_t now);

/* What an upload that ended in an error (not an image, truncated, too big)
 * costs: the same as a failed photo — the cool-off starts and it counts
 * towards the timed lock — so that junk uploads cannot be repeated at the
 * speed of the network (issue 14).  Never towards the liveness lock. */
/* Does this failed photo count towards the teacher lock (live_locked)?  A
 * failed liveness check always does; a failed retouch (美颜) check when the
 * school's retouch_teacher_lock says so (seed 001 §5). */
int tc_journey_teacher_strike(const tc_journey_settings *s, int liveness_failed, int retouch_failed);
void tc_journey_after_error(const tc_journey_settings *s, tc_journey_state *st, int64_t now);

/* The seed texts (000 §12, §13, §14) for a refusal code, formatted for
 * "until" where needed; a lock adds seed 000's "系统检测到草稿箱有照片…"
 * when drafts > 0 (photos in the draft box).  These are the only copy of the
 * lock texts: the student page shows them as the server sends them. */
int tc_journey_refusal(const char *code, int64_t until, int drafts, tc_err *e);

/* ---- is a "camera" upload a fresh capture of the page? -------------------------------------- */

/* The camera page draws getUserMedia's frame on a canvas and uploads the
 * canvas's JPEG: such a file has no EXIF at all.  A file that says which
 * camera made it (Make/Model), which program last wrote it (Software) or
 * that it was taken more than TC_JOURNEY_FRESH_S before now is a photo from
 * somewhere else, whatever the page's "source" field says.  The strings are
 * the upload's EXIF tags ("" when absent; datetime is DateTimeOriginal
 * "YYYY:MM:DD HH:MM:SS", read as China time, the service's time zone).
 * Returns NULL for a plausible fresh capture, else why not:
 * "camera_tags", "editing_software" or "old_capture".  Stripped EXIF cannot
 * be told from a fresh capture: this is evidence, not proof. */
enum { TC_JOURNEY_FRESH_S = 600 };
const char *tc_journey_capture_evidence(const char *make, const char *model, const char *software,
                                        const char *datetime, int64_t now);

/* The student's own e-mails (codes and result photos) on the China day of
 * now: the time that day started (seconds since the epoch). */
int64_t tc_journey_day_start(int64_t now);

#endif
