/* tc_store — where a student's messages go, the automatic reminders sent,
 * and the school's contact (see the "every status reaches the student"
 * section of tc_store.h; schema 10). */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

static void read_channels(tc_pool *p, store_stmt *st, void *o)
{
    tc_store_channels *out = o;
    store_cols(p, st, 0, "iinnnnssss", &out->person_id, &out->school_id, &out->status, &out->payment, &out->sms,
               &out->wechat, &out->email, &out->phone, &out->openid, &out->name);
}

int tc_store_channels_get(tc_store *s, tc_pool *p, int64_t student_id, tc_store_channels *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = store_get(s, p, read_channels, out, e,
                       "SELECT coalesce(person_id, 0), school_id, notify_status, notify_payment,"
                       " notify_sms, notify_wechat, email_confirmed, phone, wx_openid, name"
                       " FROM student WHERE id = ?",
                       "i", student_id);
    return rc == 1 ? tc_err_set(e, TCE_STUDENT_NOT_FOUND) : rc;
}

int tc_store_channels_set(tc_store *s, int64_t student_id, int sms, int wechat, const char *openid, tc_err *e)
{
    return store_run(s, e, "UPDATE student SET notify_sms = ?, notify_wechat = ?, wx_openid = ?"
                     " WHERE id = ?",
                     "iisi", (int64_t)(sms != 0), (int64_t)(wechat != 0), wechat && openid ? openid : "", student_id);
}

int tc_store_remind_once(tc_store *s, int64_t student_id, int days, int64_t now, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "INSERT INTO remind_sent(student_id, days, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                   "iii", student_id, (int64_t)days, now);
    return ch < 0 ? -1 : ch == 1;
}

int tc_store_school_contact(tc_store *s, tc_pool *p, int64_t school_id, const char **json, tc_err *e)
{
    *json = "{}";
    int rc = store_get(s, p, store_read_text, json, e, "SELECT contact FROM school WHERE id = ?", "i", school_id);
    return rc == 1 ? tc_err_set(e, TCE_SCHOOL_NOT_FOUND) : rc;
}

int tc_store_school_set_contact(tc_store *s, int64_t school_id, const char *json, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE school SET contact = ? WHERE id = ?", "si", json, school_id);
    return ch == 1 ? 0 : ch < 0 ? -1 : tc_err_set(e, TCE_SCHOOL_NOT_FOUND);
}
