/* Unit tests: tc_pay — the sandbox's signatures, and the WeChat Pay v3
 * provider against the local stand-in (tests/pay/wxpay-standin.mjs): orders,
 * queries, refunds, signed and encrypted callbacks, and every refusal
 * (bad signature, stale timestamp, wrong key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pay/standin.h"
#include "pay/tc_pay.h"

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* ---- sandbox ---------------------------------------------------------------- */

static void sandbox_sign_verify(void **st)
{
    (void)st;
    char sig[65];
    tc_err e;
    tc_pay_sandbox_sign(KEY, "T20240601000001", 2500, "SBX0001", sig);
    assert_int_equal(strlen(sig), 64);
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000001", 2500, "SBX0001", sig, &e), 0);
    /* any field changed, or another key: refused */
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000001", 1, "SBX0001", sig, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000002", 2500, "SBX0001", sig, &e), -1);
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000001", 2500, "SBX0002", sig, &e), -1);
    uint8_t other[32];
    memcpy(other, KEY, 32);
    other[0] ^= 1;
    assert_int_equal(tc_pay_sandbox_verify(other, "T20240601000001", 2500, "SBX0001", sig, &e), -1);
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000001", 2500, "SBX0001", "short", &e), -1);
    assert_int_equal(tc_pay_sandbox_verify(KEY, "T20240601000001", 2500, "SBX0001", NULL, &e), -1);
}

static void sandbox_provider(void **st)
{
    (void)st;
    tc_config c;
    memset(&c, 0, sizeof c);
    tc_err e;
    tc_pay *p = tc_pay_open(&c, KEY, &e); /* no provider named: the sandbox */
    assert_non_null(p);
    assert_string_equal(p->name, "sandbox");
    tc_pool pool;
    tc_pool_init(&pool);
    tc_pay_launch l;
    tc_pay_order o = {.out_trade_no = "T20240601000001", .amount_fen = 2500, .description = "毕业照片"};
    assert_int_equal(tc_pay_create(p, &pool, &o, &l, &e), 0);
    assert_string_equal(l.kind, "redirect");
    assert_string_equal(l.url, "/pay/sandbox/T20240601000001");
    o.out_trade_no = "../../x";
    assert_int_equal(tc_pay_create(p, &pool, &o, &l, &e), -1);
    assert_string_equal(e.code, "pay.bad_request");

    tc_pay_event ev;
    assert_int_equal(tc_pay_query(p, "T20240601000001", &ev, &e), 0);
    assert_string_equal(ev.state, "NOTPAY");

    char txn[28], sig[65];
    tc_pay_sandbox_txn(txn);
    assert_int_equal(strlen(txn), 27);
    const char *body = tc_pay_sandbox_callback(&pool, KEY, "T20240601000001", 2500, txn, 1700000000, sig);
    tc_pay_callback cb = {.body = body, .body_len = strlen(body), .signature = sig, .now = 1700000000};
    assert_int_equal(tc_pay_parse_callback(p, &cb, &ev, &e), 0);
    assert_string_equal(ev.kind, "payment");
    assert_string_equal(ev.state, "SUCCESS");
    assert_string_equal(ev.out_trade_no, "T20240601000001");
    assert_string_equal(ev.transaction_id, txn);
    assert_int_equal(ev.amount_fen, 2500);
    /* the same callback again reads as the same fact */
    tc_pay_event ev2;
    assert_int_equal(tc_pay_parse_callback(p, &cb, &ev2, &e), 0);
    assert_memory_equal(&ev, &ev2, sizeof ev);

    /* a body changed after signing (cheaper amount) is refused */
    char *tampered = tc_pool_strdup(&pool, body);
    char *a = strstr(tampered, "2500");
    assert_non_null(a);
    a[0] = '1';
    tc_pay_callback bad = cb;
    bad.body = tampered;
    assert_int_equal(tc_pay_parse_callback(p, &bad, &ev2, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    bad = cb;
    bad.signature = NULL;
    assert_int_equal(tc_pay_parse_callback(p, &bad, &ev2, &e), -1);
    bad.body = "{\"out_trade_no\":";
    bad.body_len = strlen(bad.body);
    assert_int_equal(tc_pay_parse_callback(p, &bad, &ev2, &e), -1);
    assert_string_equal(e.code, "pay.bad_callback");

    assert_int_equal(tc_pay_query(p, "T20240601000001", &ev, &e), 0);
    assert_string_equal(ev.state, "SUCCESS");
    tc_pay_refund_req r = {.out_trade_no = "T20240601000001", .out_refund_no = "R1", .refund_fen = 2500,
                           .total_fen = 2500, .reason = "批次取消"};
    assert_int_equal(tc_pay_refund(p, &r, &ev, &e), 0);
    assert_string_equal(ev.kind, "refund");
    assert_int_equal(ev.refund_fen, 2500);
    assert_int_equal(tc_pay_query(p, "T20240601000001", &ev, &e), 0);
    assert_string_equal(ev.state, "REFUND");
    tc_pool_clear(&pool);
    tc_pay_close(p);

    c.pay_provider = "paypal";
    assert_null(tc_pay_open(&c, KEY, &e));
    assert_string_equal(e.code, "pay.config");
}

static void recon_compare(void **st)
{
    (void)st;
    tc_pay_event ev;
    memset(&ev, 0, sizeof ev);
    tc_pay_recon_order o = {"T000001", 2500, "paid"};
    strcpy(ev.state, "SUCCESS");
    ev.amount_fen = 2500;
    assert_null(tc_pay_recon_compare(&o, &ev));
    ev.amount_fen = 1;
    assert_string_equal(tc_pay_recon_compare(&o, &ev), "amount_differs");
    ev.amount_fen = 2500;
    o.state = "created";
    assert_string_equal(tc_pay_recon_compare(&o, &ev), "paid_not_recorded");
    strcpy(ev.state, "NOTPAY");
    assert_null(tc_pay_recon_compare(&o, &ev));
    o.state = "paid";
    assert_string_equal(tc_pay_recon_compare(&o, &ev), "recorded_not_paid");
    strcpy(ev.state, "REFUND");
    assert_string_equal(tc_pay_recon_compare(&o, &ev), "refund_differs");
    o.state = "refunded";
    assert_null(tc_pay_recon_compare(&o, &ev));
}

/* ---- WeChat Pay v3 against the stand-in ------------------------------------------- */

typedef struct {
    standin s;
    tc_config c;
    char base[64];
    tc_pay *p;
    tc_pool pool;
} wxfx;

static int wx_setup(void **st)
{
    if (!node_available()) {
        *st = NULL;
        return 0;
    }
    wxfx *f = calloc(1, sizeof *f);
    if (standin_start(&f->s, "tests/pay/wxpay-standin.mjs", NULL) != 0)
        return -1;
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", standin_port(&f->s));
    f->c.pay_provider = "wechat";
    f->c.wxpay_mchid = (char *)standin_str(&f->s, "mchid");
    f->c.wxpay_appid = (char *)standin_str(&f->s, "appid");
    f->c.wxpay_serial = (char *)standin_str(&f->s, "serial");
    f->c.wxpay_key_file = (char *)standin_str(&f->s, "merchant_key");
    f->c.wxpay_platform_cert = (char *)standin_str(&f->s, "platform_pub");
    f->c.wxpay_apiv3_key = (char *)standin_str(&f->s, "apiv3_key");
    f->c.wxpay_notify_url = "https://photo.example.edu.cn/api/v1/pay/notify/wechat";
    f->c.wxpay_base_url = f->base;
    tc_err e;
    f->p = tc_pay_open(&f->c, KEY, &e);
    if (!f->p) {
        fprintf(stderr, "tc_pay_open: %s %s\n", e.code, e.en);
        return -1;
    }
    tc_pool_init(&f->pool);
    *st = f;
    return 0;
}

static int wx_teardown(void **st)
{
    wxfx *f = *st;
    if (!f)
        return 0;
    tc_pay_close(f->p);
    tc_pool_clear(&f->pool);
    standin_stop(&f->s);
    free(f);
    return 0;
}

#define NEED_NODE(f)                                                                                   \
    do {                                                                                               \
        if (!(f)) {                                                                                    \
            fprintf(stderr, "# node is not installed: the WeChat Pay stand-in cannot run, skipped\n"); \
            skip();                                                                                    \
        }                                                                                              \
    } while (0)

static void mode(wxfx *f, const char *m)
{
    json_decref(standin_call(standin_port(&f->s), "/__ctl/mode", m));
}

/* Ask the stand-in for a callback; fill cb from its answer (strings kept in pool). */
static void get_callback(wxfx *f, const char *req, tc_pay_callback *cb)
{
    json_t *j = standin_call(standin_port(&f->s), "/__ctl/callback", req);
    assert_non_null(j);
    json_t *h = json_object_get(j, "headers");
    assert_non_null(h);
    memset(cb, 0, sizeof *cb);
    cb->body = tc_pool_strdup(&f->pool, json_string_value(json_object_get(j, "body")));
    cb->body_len = strlen(cb->body);
    cb->timestamp = tc_pool_strdup(&f->pool, json_string_value(json_object_get(h, "Wechatpay-Timestamp")));
    cb->nonce = tc_pool_strdup(&f->pool, json_string_value(json_object_get(h, "Wechatpay-Nonce")));
    cb->signature = tc_pool_strdup(&f->pool, json_string_value(json_object_get(h, "Wechatpay-Signature")));
    cb->serial = tc_pool_strdup(&f->pool, json_string_value(json_object_get(h, "Wechatpay-Serial")));
    cb->now = tc_now();
    json_decref(j);
}

static void wx_orders(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_pay_launch l;
    tc_pay_order o = {.out_trade_no = "WXJS00000001", .amount_fen = 2500, .description = "毕业证件照",
                      .method = "jsapi", .openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"};
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    assert_string_equal(l.kind, "jsapi");
    assert_true(!strncmp(l.prepay_id, "wx", 2));
    json_t *params = json_loads(l.params, 0, NULL);
    assert_non_null(params);
    assert_string_equal(json_string_value(json_object_get(params, "signType")), "RSA");
    assert_non_null(strstr(json_string_value(json_object_get(params, "package")), l.prepay_id));
    assert_true(strlen(json_string_value(json_object_get(params, "paySign"))) > 300);
    json_decref(params);

    tc_pay_order h5 = {.out_trade_no = "WXH500000001", .amount_fen = 3000, .description = "加洗 版式一",
                       .method = "h5", .client_ip = "203.0.113.7"};
    assert_int_equal(tc_pay_create(f->p, &f->pool, &h5, &l, &e), 0);
    assert_string_equal(l.kind, "redirect");
    assert_true(!strncmp(l.url, "https://wx.tenpay.com/", 22));
    h5.client_ip = NULL;
    assert_int_equal(tc_pay_create(f->p, &f->pool, &h5, &l, &e), -1);
    assert_string_equal(e.code, "pay.bad_request");

    tc_pay_event ev;
    assert_int_equal(tc_pay_query(f->p, "WXJS00000001", &ev, &e), 0);
    assert_string_equal(ev.state, "NOTPAY");
    assert_string_equal(ev.out_trade_no, "WXJS00000001");
    assert_int_equal(ev.amount_fen, 2500);
    assert_int_equal(tc_pay_query(f->p, "WXNONE000001", &ev, &e), -1);
    assert_string_equal(e.code, "pay.not_found");
}

static void wx_bad_answers(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_pay_event ev;
    tc_pay_launch l;
    tc_pay_order o = {.out_trade_no = "WXBAD0000001", .amount_fen = 100, .description = "x", .method = "h5",
                      .client_ip = "203.0.113.7"};
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    /* an answer whose signature is one bit off: forged, refused */
    mode(f, "{\"bad_sign\":true}");
    assert_int_equal(tc_pay_query(f->p, "WXBAD0000001", &ev, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    assert_int_equal(e.status, 401);
    /* a correctly signed answer from 10 minutes ago: a replay, refused */
    mode(f, "{\"stale\":true}");
    assert_int_equal(tc_pay_query(f->p, "WXBAD0000001", &ev, &e), -1);
    assert_string_equal(e.code, "pay.stale");
    mode(f, "{}");
    assert_int_equal(tc_pay_query(f->p, "WXBAD0000001", &ev, &e), 0);
}

/* Our requests are really signed: the same calls under another merchant key
 * are refused by the stand-in with 401. */
static void wx_request_signature_checked(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    char path[256];
    snprintf(path, sizeof path, "%s/other_key.pem", standin_str(&f->s, "dir"));
    EVP_PKEY *k = EVP_RSA_gen(2048);
    assert_non_null(k);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
    fclose(fp);
    EVP_PKEY_free(k);
    tc_config c = f->c;
    c.wxpay_key_file = path;
    tc_err e;
    tc_pay *p = tc_pay_open(&c, KEY, &e);
    assert_non_null(p);
    tc_pay_event ev;
    assert_int_equal(tc_pay_query(p, "WXJS00000001", &ev, &e), -1);
    assert_string_equal(e.code, "pay.provider");
    assert_non_null(strstr(e.en, "401"));
    tc_pay_close(p);

    /* a missing key file fails at start-up, not at the first order */
    c.wxpay_key_file = "/nonexistent/key.pem";
    assert_null(tc_pay_open(&c, KEY, &e));
    c = f->c;
    c.wxpay_apiv3_key = "short";
    assert_null(tc_pay_open(&c, KEY, &e));
    assert_string_equal(e.code, "pay.config");
}

static void wx_callback_and_refund(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_pay_launch l;
    tc_pay_event ev;
    tc_pay_order o = {.out_trade_no = "WXCB00000001", .amount_fen = 2500, .description = "毕业证件照",
                      .method = "jsapi", .openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"};
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);

    tc_pay_callback cb;
    get_callback(f, "{\"out_trade_no\":\"WXCB00000001\"}", &cb);
    assert_non_null(strstr(cb.body, "AEAD_AES_256_GCM"));
    assert_null(strstr(cb.body, "WXCB00000001")); /* the order is inside the ciphertext */
    assert_int_equal(tc_pay_parse_callback(f->p, &cb, &ev, &e), 0);
    assert_string_equal(ev.kind, "payment");
    assert_string_equal(ev.state, "SUCCESS");
    assert_string_equal(ev.out_trade_no, "WXCB00000001");
    assert_int_equal(ev.amount_fen, 2500);
    assert_true(strlen(ev.transaction_id) > 10);
    assert_true(ev.paid_at > tc_now() - 60 && ev.paid_at <= tc_now() + 1);
    assert_true(strlen(ev.event_id) > 0);
    /* a duplicate delivery is the same fact (the store applies it once) */
    tc_pay_event again;
    assert_int_equal(tc_pay_parse_callback(f->p, &cb, &again, &e), 0);
    assert_string_equal(again.transaction_id, ev.transaction_id);

    /* a body changed in transit */
    tc_pay_callback bad = cb;
    char *t = tc_pool_strdup(&f->pool, cb.body);
    t[strlen(t) - 2] ^= 1;
    bad.body = t;
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    /* signature one bit off, headers missing, stale, encrypted under another key */
    get_callback(f, "{\"out_trade_no\":\"WXCB00000001\",\"bad_sign\":true}", &bad);
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    bad = cb;
    bad.signature = NULL;
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    get_callback(f, "{\"out_trade_no\":\"WXCB00000001\",\"stale\":true}", &bad);
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.stale");
    bad = cb;
    bad.now = tc_now() + 3600; /* our clock an hour ahead: the same callback is stale */
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.stale");
    get_callback(f, "{\"out_trade_no\":\"WXCB00000001\",\"wrong_key\":true}", &bad);
    assert_int_equal(tc_pay_parse_callback(f->p, &bad, &ev, &e), -1);
    assert_string_equal(e.code, "pay.decrypt");

    /* the provider now says paid; refund all of it */
    assert_int_equal(tc_pay_query(f->p, "WXCB00000001", &ev, &e), 0);
    assert_string_equal(ev.state, "SUCCESS");
    assert_int_equal(ev.amount_fen, 2500);
    tc_pay_refund_req r = {.out_trade_no = "WXCB00000001", .out_refund_no = "RF00000001", .refund_fen = 2500,
                           .total_fen = 2500, .reason = "批次取消"};
    assert_int_equal(tc_pay_refund(f->p, &r, &ev, &e), 0);
    assert_string_equal(ev.kind, "refund");
    assert_string_equal(ev.state, "SUCCESS");
    assert_string_equal(ev.out_refund_no, "RF00000001");
    assert_int_equal(ev.refund_fen, 2500);
    assert_true(strlen(ev.refund_id) > 0);
    /* more than was paid: refused by the provider */
    r.out_refund_no = "RF00000002";
    r.refund_fen = 1;
    assert_int_equal(tc_pay_refund(f->p, &r, &ev, &e), -1);
    assert_string_equal(e.code, "pay.provider");
    /* the refund's own callback */
    get_callback(f, "{\"out_trade_no\":\"WXCB00000001\",\"kind\":\"refund\"}", &cb);
    assert_int_equal(tc_pay_parse_callback(f->p, &cb, &ev, &e), 0);
    assert_string_equal(ev.kind, "refund");
    assert_string_equal(ev.state, "SUCCESS");
    assert_string_equal(ev.out_refund_no, "RF00000001");
    assert_int_equal(tc_pay_query(f->p, "WXCB00000001", &ev, &e), 0);
    assert_string_equal(ev.state, "REFUND");
}

static void wx_reconcile(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_pay_launch l;
    const char *nos[] = {"WXRC00000001", "WXRC00000002", "WXRC00000003"};
    for (int i = 0; i < 3; i++) {
        tc_pay_order o = {.out_trade_no = nos[i], .amount_fen = 2500, .description = "照片", .method = "h5",
                          .client_ip = "203.0.113.7"};
        assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    }
    /* 1 and 2 are paid at the provider; we missed the callback of 2 */
    tc_pay_callback cb;
    get_callback(f, "{\"out_trade_no\":\"WXRC00000001\"}", &cb);
    get_callback(f, "{\"out_trade_no\":\"WXRC00000002\"}", &cb);
    tc_pay_recon_order ours[] = {
        {"WXRC00000001", 2500, "paid"},    /* agrees */
        {"WXRC00000002", 2500, "created"}, /* paid_not_recorded */
        {"WXRC00000003", 2500, "created"}, /* agrees (NOTPAY) */
        {"WXRC00000004", 2500, "paid"},    /* missing_at_provider */
        {"WXRC00000005", 900, "created"},  /* never reached the provider: fine */
    };
    tc_pay_recon_item *items;
    size_t n;
    assert_int_equal(tc_pay_reconcile(f->p, &f->pool, ours, 5, &items, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].out_trade_no, "WXRC00000002");
    assert_string_equal(items[0].problem, "paid_not_recorded");
    assert_string_equal(items[0].theirs, "SUCCESS");
    assert_string_equal(items[1].out_trade_no, "WXRC00000004");
    assert_string_equal(items[1].problem, "missing_at_provider");
    const char *js = tc_pay_reconcile_json(&f->pool, f->p->name, 1700000000, 5, items, n);
    json_t *j = json_loads(js, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "provider")), "wechat");
    assert_int_equal(json_integer_value(json_object_get(j, "checked")), 5);
    assert_int_equal(json_array_size(json_object_get(j, "mismatches")), 2);
    json_decref(j);

    /* the provider unreachable: every order is query_failed, the report still made */
    tc_config c = f->c;
    c.wxpay_base_url = "http://127.0.0.1:1";
    tc_pay *down = tc_pay_open(&c, KEY, &e);
    assert_non_null(down);
    assert_int_equal(tc_pay_reconcile(down, &f->pool, ours, 2, &items, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].problem, "query_failed");
    assert_string_equal(items[0].theirs, "pay.unreachable");
    tc_pay_close(down);
}

/* Closing (issue 14 item 16): the sandbox remembers a closed number, its
 * page can no longer pay it, and it cannot be made again; a paid order is
 * not closed (pay.order_paid). */
static void sandbox_close_order(void **st)
{
    (void)st;
    tc_config c;
    memset(&c, 0, sizeof c);
    tc_err e;
    tc_pay *p = tc_pay_open(&c, KEY, &e);
    assert_non_null(p);
    tc_pool pool;
    tc_pool_init(&pool);
    assert_int_equal(tc_pay_close_order(p, "TCLOSE000001", &e), 0);
    tc_pay_event ev;
    assert_int_equal(tc_pay_query(p, "TCLOSE000001", &ev, &e), 0);
    assert_string_equal(ev.state, "CLOSED");
    tc_pay_launch l;
    tc_pay_order o = {.out_trade_no = "TCLOSE000001", .amount_fen = 2500, .description = "毕业照片"};
    assert_int_equal(tc_pay_create(p, &pool, &o, &l, &e), -1);
    char txn[28], sig[65];
    tc_pay_sandbox_txn(txn);
    const char *body = tc_pay_sandbox_callback(&pool, KEY, "TCLOSE000001", 2500, txn, 1700000000, sig);
    tc_pay_callback cb = {.body = body, .body_len = strlen(body), .signature = sig, .now = 1700000000};
    assert_int_equal(tc_pay_parse_callback(p, &cb, &ev, &e), -1);
    /* paid first: not closable */
    body = tc_pay_sandbox_callback(&pool, KEY, "TPAID0000001", 2500, txn, 1700000000, sig);
    cb = (tc_pay_callback){.body = body, .body_len = strlen(body), .signature = sig, .now = 1700000000};
    assert_int_equal(tc_pay_parse_callback(p, &cb, &ev, &e), 0);
    assert_int_equal(tc_pay_close_order(p, "TPAID0000001", &e), -1);
    assert_string_equal(e.code, "pay.order_paid");
    assert_int_equal(e.status, 409);
    assert_int_equal(tc_pay_close_order(p, "../../x", &e), -1);
    assert_string_equal(e.code, "pay.bad_request");
    tc_pool_clear(&pool);
    tc_pay_close(p);
}

/* WeChat's close-order API against the stand-in: 204; a number WeChat never
 * had is closed already; a paid order is ORDERPAID (pay.order_paid). */
static void wx_close_order(void **st)
{
    wxfx *f = *st;
    NEED_NODE(f);
    tc_err e;
    tc_pay_launch l;
    tc_pay_order o = {.out_trade_no = "WXCLOSE00001", .amount_fen = 2500, .description = "毕业证件照",
                      .method = "h5", .client_ip = "203.0.113.7"};
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    assert_int_equal(tc_pay_close_order(f->p, "WXCLOSE00001", &e), 0);
    tc_pay_event ev;
    assert_int_equal(tc_pay_query(f->p, "WXCLOSE00001", &ev, &e), 0);
    assert_string_equal(ev.state, "CLOSED");
    assert_int_equal(tc_pay_close_order(f->p, "WXNEVER00001", &e), 0);
    o.out_trade_no = "WXCLOSE00002";
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    tc_pay_callback cb;
    get_callback(f, "{\"out_trade_no\":\"WXCLOSE00002\"}", &cb);
    assert_int_equal(tc_pay_close_order(f->p, "WXCLOSE00002", &e), -1);
    assert_string_equal(e.code, "pay.order_paid");
    o.out_trade_no = "WXCLOSE00003";
    assert_int_equal(tc_pay_create(f->p, &f->pool, &o, &l, &e), 0);
    mode(f, "{\"bad_sign\":true}");
    /* a 204 that WeChat did not sign is no close */
    assert_int_equal(tc_pay_close_order(f->p, "WXCLOSE00003", &e), -1);
    assert_string_equal(e.code, "pay.bad_signature");
    mode(f, "{}");
}

int main(void)
{
    tc_err e;
    if (tc_pay_global_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sandbox_sign_verify),
        cmocka_unit_test(sandbox_provider),
        cmocka_unit_test(sandbox_close_order),
        cmocka_unit_test(recon_compare),
        cmocka_unit_test_setup_teardown(wx_orders, wx_setup, wx_teardown),
        cmocka_unit_test_setup_teardown(wx_bad_answers, wx_setup, wx_teardown),
        cmocka_unit_test_setup_teardown(wx_request_signature_checked, wx_setup, wx_teardown),
        cmocka_unit_test_setup_teardown(wx_callback_and_refund, wx_setup, wx_teardown),
        cmocka_unit_test_setup_teardown(wx_reconcile, wx_setup, wx_teardown),
        cmocka_unit_test_setup_teardown(wx_close_order, wx_setup, wx_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tc_pay_global_cleanup();
    return rc;
}
