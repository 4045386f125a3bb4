/* Money on paper: the photo fee through the payment provider, the sandbox
 * provider's page and callback, orders by state, addresses, reprints, the
 * print queue, refunds, reconciliation (issue 8). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"

static json_t *order_json(const tc_store_order *o)
{
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "out_trade_no", o->out_trade_no, "kind",
                     o->kind, "amount_fen", (json_int_t)o->amount_fen, "description", o->description, "state",
                     o->state, "created_at", (json_int_t)o->created_at, "paid_at", (json_int_t)o->paid_at,
                     "ship_state", o->ship_state, "carrier", o->carrier, "tracking", o->tracking);
}

static int h_pay(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_STUDENT) != 0)
        return 0;
    api_jctx j;
    if (api_journey_load(&c, &j) != 0)
        return api_fail(&c);
    if (j.sj.paid_order) {
        tc_err_set(&c.e, 409, "journey.already_paid", "已支付，无需重复支付", "Already paid: nothing more to pay");
        return api_fail(&c);
    }
    int due = api_must_pay(&j.set) &&
              ((j.has_sub && !strcmp(j.sub.state, "pending_payment")) || j.set.pay_when == TC_PAY_BEFORE_SHOOT);
    if (!due) {
        tc_err_set(&c.e, 409, "journey.nothing_to_pay", "当前没有需要支付的费用", "There is nothing to pay now");
        return api_fail(&c);
    }
    char no[33], rnd[9];
    uint32_t x = randombytes_random();
    snprintf(rnd, sizeof rnd, "%08x", x);
    snprintf(no, sizeof no, "TC%lld%s", (long long)tc_now(), rnd);
    tc_store_order o = {.out_trade_no = no,
                        .person_id = c.sess.person_id,
                        .student_id = j.st.id,
                        .kind = "photo",
                        .amount_fen = j.set.fee_fen,
                        .description = "图像采集服务费 / photo collection fee",
                        .provider = "sandbox",
                        .created_at = tc_now()};
    int64_t oid;
    if (tc_store_order_create(c.app->store, &o, &oid, &c.e) != 0)
        return api_fail(&c);
    o.state = "created";
    o.ship_state = o.carrier = o.tracking = "";
    char url[96];
    snprintf(url, sizeof url, "/pay/sandbox/%s", no);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:o, s:{s:s, s:s}}", "order", order_json(&o), "launch", "kind", "redirect",
                                          "url", url));
}

/* The sandbox provider's callback signature: HMAC-SHA256 over
 * "out_trade_no|amount|txn" under the app's pay key. */
static void sandbox_sign(const tc_app *app, const char *no, int64_t amount, const char *txn, char hex[65])
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s|%lld|%s", no, (long long)amount, txn);
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const uint8_t *)msg, strlen(msg), app->pay_key);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

/* A provider's word that an order is paid: the store makes it idempotent. */
static int order_paid(api_ctx *c, const char *no, const char *txn, int64_t amount, int *already)
{
    if (tc_store_order_paid(c->app->store, no, txn, amount, tc_now(), already, &c->e) != 0)
        return -1;
    tc_store_order o;
    if (!*already && tc_store_order_by_no(c->app->store, c->r->pool, no, &o, &c->e) == 0) {
        api_publish(c->app, o.person_id, "payment", json_pack("{s:s, s:s}", "out_trade_no", no, "state", "paid"));
        char body[128];
        snprintf(body, sizeof body, "订单 %s 已支付 %.2f 元", no, (double)o.amount_fen / 100);
        char body_en[128];
        snprintf(body_en, sizeof body_en, "Order %s is paid: CNY %.2f", no, (double)o.amount_fen / 100);
        api_message(c->app, o.person_id, o.student_id, "payment", "支付成功", "Payment received", body, body_en);
    }
    return 0;
}

static int h_sandbox_order(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_STUDENT) != 0)
        return 0;
    tc_store_order o;
    if (tc_store_order_by_no(c.app->store, r->pool, r->params[0], &o, &c.e) != 0)
        return api_fail(&c);
    if (o.person_id != c.sess.person_id) {
        tc_err_set(&c.e, 404, "pay.order_not_found", "订单不存在", "order not found");
        return api_fail(&c);
    }
    json_t *j = order_json(&o);
    json_object_set_new(j, "sandbox", json_true());
    return tc_http_respond_json(r, 200, j);
}

/* The sandbox pay page's button: the provider "takes the money" and calls
 * back, signed, through the same path a real provider's callback takes. */
static int h_sandbox_pay(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_STUDENT) != 0)
        return 0;
    tc_store_order o;
    if (tc_store_order_by_no(c.app->store, r->pool, r->params[0], &o, &c.e) != 0)
        return api_fail(&c);
    if (o.person_id != c.sess.person_id) {
        tc_err_set(&c.e, 404, "pay.order_not_found", "订单不存在", "order not found");
        return api_fail(&c);
    }
    char txn[40], sig[65];
    snprintf(txn, sizeof txn, "SANDBOX%s", o.out_trade_no + 2);
    sandbox_sign(c.app, o.out_trade_no, o.amount_fen, txn, sig);
    int already;
    if (order_paid(&c, o.out_trade_no, txn, o.amount_fen, &already) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:b, s:s}", "state", "paid", "already", already,
                                                  "return_url", "/#/paid"));
}

/* POST /api/v1/pay/notify/sandbox {"out_trade_no","amount_fen","transaction_id","signature"} */
static int h_notify_sandbox(tc_http_req *r)
{
    api_ctx c;
    memset(&c, 0, sizeof c);
    c.app = r->app;
    c.r = r;
    json_t *j = tc_http_json(r, &c.e);
    if (!j)
        return api_fail(&c);
    const char *no = api_jstr(j, "out_trade_no"), *txn = api_jstr(j, "transaction_id"), *sig = api_jstr(j, "signature");
    json_t *amt = json_object_get(j, "amount_fen");
    if (!no || !txn || !sig || !json_is_integer(amt) || strlen(no) > 32 || strlen(txn) > 32) {
        tc_err_set(&c.e, 400, "pay.bad_callback", "支付回调格式错误", "malformed payment callback");
        return api_fail(&c);
    }
    char want[65];
    sandbox_sign(c.app, no, json_integer_value(amt), txn, want);
    if (strlen(sig) != 64 || sodium_memcmp(want, sig, 64) != 0) {
        tc_err_set(&c.e, 401, "pay.bad_signature", "支付回调签名无效", "payment callback signature is invalid");
        return api_fail(&c);
    }
    int already;
    if (order_paid(&c, no, txn, json_integer_value(amt), &already) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:b}", "code", "SUCCESS", "already", already));
}

static int h_orders(tc_http_req *r)
{
    api_ctx c;
    if (api_begin(r, &c, NEED_STUDENT) != 0)
        return 0;
    tc_store_order *o;
    size_t n;
    if (tc_store_order_list(c.app->store, r->pool, c.sess.person_id, &o, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, order_json(&o[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "orders", a));
}

int api_money_routes(tc_http_server *s, tc_app *app, size_t up, tc_err *e)
{
    (void)app;
    static const struct {
        const char *m, *p;
        tc_http_handler h;
        int upload;
    } R[] = {
        {"POST", "/api/v1/me/pay", h_pay, 0},
        {"GET", "/api/v1/me/orders", h_orders, 0},
        {"GET", "/api/v1/pay/sandbox/:no", h_sandbox_order, 0},
        {"POST", "/api/v1/pay/sandbox/:no/pay", h_sandbox_pay, 0},
        {"POST", "/api/v1/pay/notify/sandbox", h_notify_sandbox, 0},
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(R); i++)
        if (tc_http_route(s, R[i].m, R[i].p, R[i].h, R[i].upload ? up : 0, e) != 0)
            return -1;
    return 0;
}
