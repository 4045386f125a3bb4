/* Unit tests: the outbox (store) and tc_notify against a local SMTP
 * stand-in (tests/notify/smtp-standin.mjs): delivery with a UTF-8 subject and
 * a JPEG attachment, retries with backoff while the server refuses, a
 * restart with undelivered rows, dead letters, webhooks and the worker
 * thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../pay/standin.h"
#include "notify/tc_notify.h"
#include "store_fixture.h"
#include "pay/tc_pay.h"

typedef struct {
    standin sm;
    int smtp_port, ctl_port;
    char dir[64], db[128], smtp_url[64], hook_url[96];
    tc_store *s;
    tc_blob_store *b;
    tc_notify_config c;
    tc_pool p;
} fx;

static int setup(void **st)
{
    if (!node_available()) {
        *st = NULL;
        return 0;
    }
    fx *f = calloc(1, sizeof *f);
    if (standin_start(&f->sm, "tests/notify/smtp-standin.mjs", NULL) != 0)
        return -1;
    f->smtp_port = (int)json_integer_value(json_object_get(f->sm.info, "smtp_port"));
    f->ctl_port = (int)json_integer_value(json_object_get(f->sm.info, "ctl_port"));
    snprintf(f->dir, sizeof f->dir, "/tmp/tc-notify-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    char blobs[128];
    snprintf(blobs, sizeof blobs, "%s/blobs", f->dir);
    tc_err e;
    f->s = tc_store_open(f->db, &e);
    f->b = tc_blob_open(blobs, &e);
    snprintf(f->smtp_url, sizeof f->smtp_url, "smtp://127.0.0.1:%d", f->smtp_port);
    snprintf(f->hook_url, sizeof f->hook_url, "http://127.0.0.1:%d/webhook", f->ctl_port);
    f->c.smtp_url = f->smtp_url;
    f->c.smtp_from = "noreply@photo.example.edu.cn";
    f->c.webhook_url = f->hook_url;
    memset(f->c.key, 7, 32);
    f->c.timeout_s = 10;
    tc_pool_init(&f->p);
    *st = f;
    return f->s && f->b ? 0 : -1;
}

static int teardown(void **st)
{
    fx *f = *st;
    if (!f)
        return 0;
    tc_store_close(f->s);
    tc_blob_close(f->b);
    tc_pool_clear(&f->p);
    standin_stop(&f->sm);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

#define NEED_NODE(f)                                                                              \
    do {                                                                                          \
        if (!(f)) {                                                                               \
            fprintf(stderr, "# node is not installed: the SMTP stand-in cannot run, skipped\n"); \
            skip();                                                                               \
        }                                                                                         \
    } while (0)

static void refuse(fx *f, int on)
{
    json_decref(standin_call(f->ctl_port, "/refuse", on ? "{\"on\":true}" : "{\"on\":false}"));
}

static json_t *messages(fx *f)
{
    json_t *j = standin_call(f->ctl_port, "/messages", NULL);
    assert_non_null(j);
    return j;
}

static int64_t add_mail(fx *f, const char *to, const char *subject, const char *body, const char *att)
{
    tc_store_outbox_msg m = {.channel = "email", .recipient = to, .subject = subject, .body = body, .attachment = att,
                       .attachment_name = att ? "毕业照.jpg" : NULL};
    int64_t id;
    tc_err e;
    assert_int_equal(tc_store_outbox_add(f->s, &m, 1700000000, &id, &e), 0);
    return id;
}

static tc_store_outbox_msg get(fx *f, int64_t id)
{
    tc_store_outbox_msg m;
    tc_err e;
    assert_int_equal(tc_store_outbox_get(f->s, &f->p, id, &m, &e), 0);
    return m;
}

/* A fake JPEG is enough: the mail path never decodes it. */
static const unsigned char JPEG[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1,
                                     0, 1,    0,    0,    0xFF, 0xD9, '.', '\r', '\n', '.', 0, 0xFF};

static void delivered_with_attachment(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    char blob[TC_BLOB_ID_LEN + 1];
    assert_int_equal(tc_blob_put(f->b, JPEG, sizeof JPEG, blob, &e), 0);
    const char *subject = "您的毕业照已审核通过 — 图采 tucai photo approved, a long subject that needs folding";
    const char *body = "张三同学：\n您的照片已通过审核。\n.\nA line with only a dot above.\n";
    int64_t id = add_mail(f, "student@example.com", subject, body, blob);
    tc_store_outbox_msg m = get(f, id);
    assert_string_equal(m.state, "pending");
    assert_string_equal(m.attachment, blob);
    assert_string_equal(m.attachment_name, "毕业照.jpg");
    assert_string_equal(m.body, body);

    tc_notify *n = tc_notify_new(&f->c, f->s, f->b, &e);
    assert_non_null(n);
    int sent, failed;
    assert_int_equal(tc_notify_run_once(n, 1700000000, &sent, &failed, &e), 0);
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 0);
    m = get(f, id);
    assert_string_equal(m.state, "sent");
    assert_int_equal(m.sent_at, 1700000000);

    json_t *ms = messages(f);
    assert_int_equal(json_array_size(ms), 1);
    json_t *x = json_array_get(ms, 0);
    assert_string_equal(json_string_value(json_object_get(x, "from")), "noreply@photo.example.edu.cn");
    assert_string_equal(json_string_value(json_array_get(json_object_get(x, "to"), 0)), "student@example.com");
    assert_string_equal(json_string_value(json_object_get(x, "subject")), subject);
    /* the text part, CRLF-normalised by nothing: base64 keeps it byte for byte */
    assert_string_equal(json_string_value(json_object_get(x, "text")), body);
    json_t *att = json_array_get(json_object_get(x, "attachments"), 0);
    assert_non_null(att);
    assert_string_equal(json_string_value(json_object_get(att, "type")), "image/jpeg");
    assert_string_equal(json_string_value(json_object_get(att, "filename")), "毕业照.jpg");
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, JPEG, sizeof JPEG, sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(json_string_value(json_object_get(att, "base64")), b64);
    json_decref(ms);

    /* nothing left to do */
    assert_int_equal(tc_notify_run_once(n, 1700000100, &sent, &failed, &e), 0);
    assert_int_equal(sent + failed, 0);
    tc_notify_free(n);
}

static void retried_while_down(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    int64_t id = add_mail(f, "a@example.com", "test", "hello", NULL);
    tc_notify *n = tc_notify_new(&f->c, f->s, f->b, &e);
    int sent, failed;
    refuse(f, 1);
    assert_int_equal(tc_notify_run_once(n, 1700000000, &sent, &failed, &e), 0);
    assert_int_equal(failed, 1);
    tc_store_outbox_msg m = get(f, id);
    assert_string_equal(m.state, "pending");
    assert_int_equal(m.attempts, 1);
    assert_int_equal(m.next_at, 1700000000 + 30);
    assert_non_null(strstr(m.last_error, "421"));
    /* not due yet: not tried */
    assert_int_equal(tc_notify_run_once(n, 1700000020, &sent, &failed, &e), 0);
    assert_int_equal(sent + failed, 0);
    /* second failure doubles the wait */
    assert_int_equal(tc_notify_run_once(n, 1700000030, &sent, &failed, &e), 0);
    assert_int_equal(failed, 1);
    m = get(f, id);
    assert_int_equal(m.attempts, 2);
    assert_int_equal(m.next_at, 1700000030 + 60);
    /* the server is back: delivered once due */
    refuse(f, 0);
    assert_int_equal(tc_notify_run_once(n, 1700000090, &sent, &failed, &e), 0);
    assert_int_equal(sent, 1);
    assert_string_equal(get(f, id).state, "sent");
    json_t *ms = messages(f);
    assert_int_equal(json_array_size(ms), 1);
    json_decref(ms);
    tc_notify_free(n);

    /* a server that does not even listen: the same retry, the connection error kept */
    tc_notify_config c = f->c;
    c.smtp_url = "smtp://127.0.0.1:1";
    n = tc_notify_new(&c, f->s, f->b, &e);
    id = add_mail(f, "b@example.com", "test", "hello", NULL);
    assert_int_equal(tc_notify_run_once(n, 1700000000, &sent, &failed, &e), 0);
    assert_int_equal(failed, 1);
    m = get(f, id);
    assert_string_equal(m.state, "pending");
    assert_non_null(strstr(m.last_error, "notify.send_failed"));
    tc_notify_free(n);
}

static void survives_restart(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    int64_t a = add_mail(f, "a@example.com", "one", "first", NULL);
    int64_t b = add_mail(f, "b@example.com", "two", "second", NULL);
    int64_t c = add_mail(f, "c@example.com", "three", "third", NULL);
    tc_notify *n = tc_notify_new(&f->c, f->s, f->b, &e);
    int sent, failed;
    refuse(f, 1);
    /* a and b fail once; c is claimed by a "server" that then dies mid-send */
    assert_int_equal(tc_notify_run_once(n, 1700000000, &sent, &failed, &e), 0);
    assert_int_equal(failed, 3);
    tc_notify_free(n);
    tc_store_outbox_msg *rows;
    size_t k;
    assert_int_equal(tc_store_outbox_claim(f->s, &f->p, 1700000100, 1, &rows, &k, &e), 0);
    assert_int_equal(k, 1);
    assert_int_equal(rows[0].id, a);
    assert_string_equal(get(f, a).state, "sending");

    /* the restart */
    tc_store_close(f->s);
    f->s = tc_store_open(f->db, &e);
    assert_non_null(f->s);
    int64_t cnt;
    assert_int_equal(tc_store_outbox_count(f->s, "pending", &cnt, &e), 0);
    assert_int_equal(cnt, 2);
    refuse(f, 0);
    n = tc_notify_new(&f->c, f->s, f->b, &e); /* puts the interrupted one back */
    assert_non_null(n);
    assert_string_equal(get(f, a).state, "pending");
    assert_int_equal(tc_notify_run_once(n, 1700000100, &sent, &failed, &e), 0);
    assert_int_equal(sent, 3);
    assert_string_equal(get(f, a).state, "sent");
    assert_string_equal(get(f, b).state, "sent");
    assert_string_equal(get(f, c).state, "sent");
    json_t *ms = messages(f);
    assert_int_equal(json_array_size(ms), 3);
    json_decref(ms);
    tc_notify_free(n);
}

static void dead_after_max(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    int64_t id = add_mail(f, "a@example.com", "x", "y", NULL);
    tc_notify_config c = f->c;
    c.max_attempts = 3;
    tc_notify *n = tc_notify_new(&c, f->s, f->b, &e);
    refuse(f, 1);
    int sent, failed;
    int64_t t = 1700000000;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_notify_run_once(n, t, &sent, &failed, &e), 0);
        assert_int_equal(failed, 1);
        t = get(f, id).next_at;
    }
    tc_store_outbox_msg m = get(f, id);
    assert_string_equal(m.state, "dead");
    assert_int_equal(m.attempts, 3);
    assert_non_null(strstr(m.last_error, "421"));
    refuse(f, 0);
    assert_int_equal(tc_notify_run_once(n, t + 100000, &sent, &failed, &e), 0);
    assert_int_equal(sent + failed, 0);
    int64_t cnt;
    assert_int_equal(tc_store_outbox_count(f->s, "dead", &cnt, &e), 0);
    assert_int_equal(cnt, 1);
    tc_notify_free(n);
}

static void webhook_and_sms(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_store_outbox_msg w = {.channel = "webhook", .recipient = "submission.approved", .subject = "", .body = "{\"student\":42}"};
    tc_store_outbox_msg s = {.channel = "sms", .recipient = "13800138000", .subject = "SMS_123", .body = "您的照片已通过审核"};
    int64_t wid, sid;
    assert_int_equal(tc_store_outbox_add(f->s, &w, 1700000000, &wid, &e), 0);
    assert_int_equal(tc_store_outbox_add(f->s, &s, 1700000000, &sid, &e), 0);
    tc_notify *n = tc_notify_new(&f->c, f->s, f->b, &e);
    int sent, failed;
    assert_int_equal(tc_notify_run_once(n, 1700000000, &sent, &failed, &e), 0);
    /* the webhook went out; SMS has no gateway configured and waits for one */
    assert_int_equal(sent, 1);
    assert_int_equal(failed, 1);
    assert_string_equal(get(f, wid).state, "sent");
    tc_store_outbox_msg sm = get(f, sid);
    assert_string_equal(sm.state, "pending");
    assert_non_null(strstr(sm.last_error, "notify.not_configured"));
    tc_notify_free(n);

    json_t *hs = standin_call(f->ctl_port, "/webhooks", NULL);
    assert_int_equal(json_array_size(hs), 1);
    json_t *h = json_array_get(hs, 0), *hd = json_object_get(h, "headers");
    const char *body = json_string_value(json_object_get(h, "body"));
    json_t *j = json_loads(body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "recipient")), "submission.approved");
    assert_string_equal(json_string_value(json_object_get(j, "body")), "{\"student\":42}");
    json_decref(j);
    char sig[65], want[80];
    tc_notify_webhook_sign(f->c.key, 1700000000, body, strlen(body), sig);
    snprintf(want, sizeof want, "sha256=%s", sig);
    assert_string_equal(json_string_value(json_object_get(hd, "x-tucai-signature")), want);
    assert_string_equal(json_string_value(json_object_get(hd, "x-tucai-timestamp")), "1700000000");
    json_decref(hs);

    /* the gateway configured later: the waiting SMS goes out */
    tc_notify_config c = f->c;
    c.sms_webhook_url = f->hook_url;
    n = tc_notify_new(&c, f->s, f->b, &e);
    assert_int_equal(tc_notify_run_once(n, 1700000100, &sent, &failed, &e), 0);
    assert_int_equal(sent, 1);
    assert_string_equal(get(f, sid).state, "sent");
    tc_notify_free(n);
}

static void worker_thread(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_notify *n = tc_notify_new(&f->c, f->s, f->b, &e);
    assert_int_equal(tc_notify_start(n, &e), 0);
    tc_store_outbox_msg m = {.channel = "email", .recipient = "w@example.com", .subject = "worker", .body = "hi"};
    int64_t id;
    assert_int_equal(tc_store_outbox_add(f->s, &m, tc_now(), &id, &e), 0);
    int done = 0;
    for (int i = 0; i < 100 && !done; i++) {
        usleep(100000);
        tc_pool p;
        tc_pool_init(&p);
        tc_store_outbox_msg r;
        done = tc_store_outbox_get(f->s, &p, id, &r, &e) == 0 && !strcmp(r.state, "sent");
        tc_pool_clear(&p);
    }
    tc_notify_stop(n);
    tc_notify_stop(n);
    tc_notify_free(n);
    assert_true(done);
}

/* No server needed: what the store and the MIME writer refuse. */
static void refusals(void **st)
{
    (void)st;
    char dir[] = "/tmp/tc-notify-r-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128];
    snprintf(db, sizeof db, "%s/t.db", dir);
    tc_err e;
    tc_store *s = tc_store_open(db, &e);
    assert_non_null(s);
    tc_store_outbox_msg m = {.channel = "fax", .recipient = "x", .body = "y"};
    assert_int_equal(tc_store_outbox_add(s, &m, 1, NULL, &e), -1);
    assert_string_equal(e.code, "outbox.bad_message");
    m.channel = "email";
    m.recipient = "a@b.c\r\nBcc: everyone@example.com";
    assert_int_equal(tc_store_outbox_add(s, &m, 1, NULL, &e), -1);
    m.recipient = "a@b.c";
    m.body = "framing \x1e inside";
    assert_int_equal(tc_store_outbox_add(s, &m, 1, NULL, &e), -1);
    m.body = "ok";
    m.attachment = "../../etc/passwd";
    assert_int_equal(tc_store_outbox_add(s, &m, 1, NULL, &e), -1);
    m.attachment = NULL;
    assert_int_equal(tc_store_outbox_add(s, &m, 1, NULL, &e), 0);
    tc_store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);

    tc_buf b;
    tc_buf_init(&b);
    tc_notify_mail mail = {.from = "a@example.com", .to = "b@example.com\r\nRCPT TO:<c@example.com>", .subject = "s",
                           .text = "t"};
    assert_int_equal(tc_notify_mime(&mail, &b, &e), -1);
    assert_string_equal(e.code, "notify.bad_address");
    mail.to = "b@example.com";
    mail.subject = "two\r\nBcc: x@example.com";
    assert_int_equal(tc_notify_mime(&mail, &b, &e), -1);
    mail.subject = "中文标题";
    assert_int_equal(tc_notify_mime(&mail, &b, &e), 0);
    assert_non_null(strstr(b.data, "Subject: =?UTF-8?B?"));
    assert_null(strstr(b.data, "中文"));
    tc_buf_free(&b);

    tc_notify_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(tc_notify_send_email(&c, &mail, &e), -1);
    assert_string_equal(e.code, "notify.not_configured");
}

/* The subscribeMessage.send body: the template's fields, thing* cut to 20
 * characters (not bytes) with an ellipsis, a payload that is not ours refused. */
static void wechat_body(void **st)
{
    (void)st;
    tc_notify_config c;
    memset(&c, 0, sizeof c);
    c.wx_template = "TPL1";
    c.wx_page = "pages/index/index";
    char *out;
    tc_err e;
    assert_int_equal(tc_notify_wechat_body(&c, "oOPENID", "{\"title\":\"照片审核通过\",\"text\":\"订单 RP123 已发货：顺丰速运，单号 SF5550001111\","
                                           "\"time\":\"2026-12-05 13:00\"}", &out, &e), 0);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(json_string_value(json_object_get(j, "touser")), "oOPENID");
    assert_string_equal(json_string_value(json_object_get(j, "template_id")), "TPL1");
    assert_string_equal(json_string_value(json_object_get(j, "page")), "pages/index/index");
    json_t *d = json_object_get(j, "data");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "thing1"), "value")), "照片审核通过");
    /* 19 characters and the ellipsis */
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "thing2"), "value")),
                        "订单 RP123 已发货：顺丰速运，单\xe2\x80\xa6");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "time3"), "value")), "2026-12-05 13:00");
    json_decref(j);
    /* exactly 20 characters stay whole */
    assert_int_equal(tc_notify_wechat_body(&c, "o", "{\"title\":\"一二三四五六七八九十一二三四五六七八九十\",\"text\":\"\",\"time\":\"t\"}",
                                           &out, &e), 0);
    assert_non_null(strstr(out, "一二三四五六七八九十一二三四五六七八九十\""));
    free(out);
    assert_int_equal(tc_notify_wechat_body(&c, "o", "{\"title\":1}", &out, &e), -1);
    assert_string_equal(e.code, "notify.bad_payload");
    assert_null(out);
}

/* The daily limit per student and channel: counted and added in one
 * transaction; other channels and other students are not affected. */
static void capped_per_student(void **st)
{
    (void)st;
    char dir[] = "/tmp/tc-cap-XXXXXX", db[64];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/t.db", dir);
    tc_err e;
    tc_store *s = tc_store_open(db, &e);
    assert_non_null(s);
    int64_t day = 1000000, now = day + 10;
    tc_store_outbox_msg m = {.channel = "sms", .recipient = "13800000001", .subject = "approved", .body = "【学校】通过", .student_id = 7};
    int added = -1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), 0);
        assert_int_equal(added, 1);
    }
    assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), 0);
    assert_int_equal(added, 0);
    /* another channel, another student, the next day */
    m.channel = "email";
    m.recipient = "a@example.edu.cn";
    assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), 0);
    assert_int_equal(added, 1);
    m.channel = "sms";
    m.recipient = "13800000001";
    m.student_id = 8;
    assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), 0);
    assert_int_equal(added, 1);
    m.student_id = 7;
    assert_int_equal(tc_store_outbox_add_capped(s, &m, now + 86400, 3, now + 86400, &added, NULL, &e), 0);
    assert_int_equal(added, 1);
    int64_t n = 0;
    assert_int_equal(tc_store_outbox_count(s, "pending", &n, &e), 0);
    assert_int_equal(n, 6);
    /* a bad message is an error, not "over the limit" */
    m.channel = "fax";
    assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), -1);
    assert_string_equal(e.code, "outbox.bad_message");
    /* the wechat channel is known to the outbox */
    m.channel = "wechat";
    m.recipient = "oOPENID";
    m.body = "{\"title\":\"t\",\"text\":\"x\",\"time\":\"2026-12-05 13:00\"}";
    assert_int_equal(tc_store_outbox_add_capped(s, &m, day, 3, now, &added, NULL, &e), 0);
    assert_int_equal(added, 1);
    tc_store_close(s);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Two processes' senders on one PostgreSQL database (issue 18 item 3):
 * only the leader sends, so every e-mail goes once; when the leader stops,
 * the other takes over and sends what came after. */
static void one_sender_in_a_cluster(void **st)
{
    fx *f = *st;
    NEED_NODE(f);
    if (!tcx_pg()) {
        print_message("# SKIP on SQLite: two processes on one database need PostgreSQL\n");
        skip();
    }
    tcx_tmp t;
    tc_store *s1 = tcx_store_open(&t, "notify2");
    assert_non_null(s1);
    tc_err e;
    tc_store *s2 = tc_store_open(t.path, &e);
    assert_non_null(s2);
    tc_notify *n1 = tc_notify_new(&f->c, s1, f->b, &e); /* the first: it leads */
    assert_non_null(n1);
    tc_notify *n2 = tc_notify_new(&f->c, s2, f->b, &e);
    assert_non_null(n2);
    assert_int_equal(tc_store_lead(s1), 1);
    assert_int_equal(tc_store_lead(s2), 0);
    for (int i = 0; i < 10; i++) {
        char to[32];
        snprintf(to, sizeof to, "s%d@example.com", i);
        tc_store_outbox_msg m = {.channel = "email", .recipient = to, .subject = "集群", .body = "一封"};
        int64_t id;
        assert_int_equal(tc_store_outbox_add(i % 2 ? s2 : s1, &m, 1700000000, &id, &e), 0);
    }
    assert_int_equal(tc_notify_start(n1, &e), 0);
    assert_int_equal(tc_notify_start(n2, &e), 0);
    int64_t left = 1;
    for (int i = 0; i < 300 && left; i++) {
        assert_int_equal(tc_store_outbox_count(s1, "pending", &left, &e), 0);
        usleep(50000);
    }
    assert_int_equal(left, 0);
    usleep(1500000); /* a second sender would have sent its copies by now */
    json_t *ms = messages(f);
    assert_int_equal(json_array_size(ms), 10);
    json_decref(ms);
    /* the leader goes (its store closes: the lock goes with its session) */
    tc_notify_free(n1);
    tc_store_close(s1);
    tc_store_outbox_msg m = {.channel = "email", .recipient = "late@example.com", .subject = "接手", .body = "后来"};
    int64_t id;
    assert_int_equal(tc_store_outbox_add(s2, &m, 1700000000, &id, &e), 0);
    left = 1;
    for (int i = 0; i < 300 && left; i++) {
        assert_int_equal(tc_store_outbox_count(s2, "pending", &left, &e), 0);
        usleep(50000);
    }
    assert_int_equal(left, 0);
    assert_int_equal(tc_store_lead(s2), 1);
    ms = messages(f);
    assert_int_equal(json_array_size(ms), 11);
    json_decref(ms);
    tc_notify_free(n2);
    tcx_store_remove(s2, &t);
}

int main(void)
{
    tc_err e;
    if (tc_pay_global_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refusals),
        cmocka_unit_test(wechat_body),
        cmocka_unit_test(capped_per_student),
        cmocka_unit_test_setup_teardown(delivered_with_attachment, setup, teardown),
        cmocka_unit_test_setup_teardown(retried_while_down, setup, teardown),
        cmocka_unit_test_setup_teardown(survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(dead_after_max, setup, teardown),
        cmocka_unit_test_setup_teardown(webhook_and_sms, setup, teardown),
        cmocka_unit_test_setup_teardown(worker_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(one_sender_in_a_cluster, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_pay_global_cleanup();
    return rc;
}
