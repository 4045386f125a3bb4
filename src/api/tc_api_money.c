/* Money on paper: the photo fee and reprints (加洗) through the payment
 * provider (app->pay, tc_pay.h), the sandbox provider's page and callback,
 * the WeChat Pay callback, orders by state, the address book, the print
 * queue and shipping, refunds when a batch is cancelled, and the daily
 * reconciliation (issue 8).
 *
 * Every payment, whichever way it arrives (a provider's callback, the
 * sandbox page's button), goes through tc_pay_parse_callback and then
 * apply_event, and the store pays an order once (tc_store_order_paid is a
 * conditional UPDATE): a repeated callback changes nothing, an amount that
 * differs is refused.
 *
 * Issue 14: one open order per fee (tc_store_order_open), nothing taken
 * for a cancelled batch (refuse_cancelled, and the store's transaction),
 * closing at the provider before here (order_close), and money that still
 * arrives for a closed order recorded and refunded (late_payment). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../pay/tc_pay.h"
#include "../photo/tc_photo.h"
#include "api_int.h"
#include "../spec/tc_spec.h"
#include "../sheet/tc_sheet.h"

enum {
    ADDRESS_MAX = 20,         /* addresses per person                       */
    REPRINT_QTY_MAX = 20,     /* sets per reprint order                     */
    CHINA_UTC_OFFSET = 8 * 3600, /* a "day" of the reconciliation is China's */
};

/* ---- orders as JSON ------------------------------------------------------------------------------------------ */

/* The reprint layouts (seed 004 §2.9): the two of the print shops, then the
 * sheets src/photo makes of the student's own spec (as many as fit). */
static const struct layout_def {
    const char *id, *zh, *en, *paper;
} LAYOUTS[] = {
    {"1", "版式一，1寸×8 + 2寸×4", "Layout 1: 1-inch x8 + 2-inch x4", "6inch"},
    {"2", "版式二，2寸×8", "Layout 2: 2-inch x8", "6inch"},
    {"6inch", "6寸排版照（标准照铺满）", "6-inch sheet of the standard photo", "6inch"},
    {"5inch", "5寸排版照（标准照铺满）", "5-inch sheet of the standard photo", "5inch"},
    {"a4", "A4 排版照（标准照铺满）", "A4 sheet of the standard photo", "a4"},
};

static const struct layout_def *layout_find(const char *id)
{
    for (size_t i = 0; id && i < TC_ARRAY_LEN(LAYOUTS); i++)
        if (!strcmp(LAYOUTS[i].id, id))
            return &LAYOUTS[i];
    return NULL;
}

static json_t *detail_of(const tc_store_order *o)
{
    json_t *d = o->detail && *o->detail ? json_loads(o->detail, 0, NULL) : NULL;
    if (!json_is_object(d)) {
        json_decref(d);
        d = json_object();
    }
    return d;
}

/* An order as the student and the staff see it, with its fee lines. */
static json_t *order_json(const tc_store_order *o)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:I}", "id",
                          (json_int_t)o->id, "out_trade_no", o->out_trade_no, "kind", o->kind, "amount_fen",
                          (json_int_t)o->amount_fen, "description", o->description, "provider",
                          o->provider ? o->provider : "", "state", o->state, "created_at", (json_int_t)o->created_at,
                          "paid_at", (json_int_t)o->paid_at, "refunded_at", (json_int_t)o->refunded_at, "ship_state",
                          o->ship_state, "carrier", o->carrier, "tracking", o->tracking, "shipped_at",
                          (json_int_t)o->shipped_at);
    json_t *d = detail_of(o);
    json_t *lines = json_object_get(d, "lines");
    if (json_is_array(lines))
        json_object_set(j, "lines", lines);
    else
        json_object_set_new(j, "lines",
                            json_pack("[{s:s, s:s, s:i, s:I, s:I}]", "zh", "图像采集服务费", "en", "Photo collection fee",
                                      "quantity", 1, "unit_fen", (json_int_t)o->amount_fen, "amount_fen",
                                      (json_int_t)o->amount_fen));
    json_object_del(d, "lines");
    json_object_del(d, "photo_id");
    json_object_set_new(j, "detail", d);
    /* the tab of the order page it is on */
    const char *tab = o->state_enum == TC_STORE_ORDER_CREATED                        ? "to_pay"
                      : o->state_enum != TC_STORE_ORDER_PAID                         ? o->state
                      : !strcmp(o->ship_state, "to_ship")                            ? "to_ship"
                      : !strcmp(o->ship_state, "shipped")                            ? "shipped"
                                                                                     : "done";
    json_object_set_new(j, "tab", json_string(tab));
    /* money that came after the order was closed: recorded, going back */
    json_object_set_new(j, "late_paid_at", json_integer(o->late_paid_at));
    return j;
}

static void new_no(const char *prefix, char no[33])
{
    snprintf(no, 33, "%s%lld%08x", prefix, (long long)tc_now(), (unsigned)randombytes_random());
}

/* Open the order o of the session's person (kind, student, amount and
 * description filled by the caller): a new number (prefix and random), the
 * provider, detail (taken; kept as compact JSON text) and the time filled
 * here, in the request's pool.  The order exists before the provider hears
 * of it, so that a callback can never name an order we do not know.
 * tc_store_order_open: *saved, and whether an open one was *reused; -1
 * with c->e set. */
static int order_open(api_ctx *c, const char *prefix, json_t *detail, tc_store_order *o, tc_store_order *saved,
                      int *reused)
{
    char *no = tc_pool_alloc(c->r->pool, 33);
    new_no(prefix, no);
    char *dtext = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    o->out_trade_no = no;
    o->person_id = c->sess.person_id;
    o->provider = c->app->pay->name;
    o->detail = tc_pool_strdup(c->r->pool, dtext ? dtext : "{}");
    o->created_at = tc_now();
    free(dtext);
    return tc_store_order_open(c->app->store, c->r->pool, o, saved, reused, &c->e);
}

static json_t *launch_json(const tc_pay_launch *l)
{
    json_t *j = json_pack("{s:s, s:s}", "kind", l->kind ? l->kind : "", "url", l->url ? l->url : "");
    if (l->params && *l->params) {
        json_t *p = json_loads(l->params, 0, NULL);
        if (p)
            json_object_set_new(j, "params", p);
    }
    if (l->prepay_id && *l->prepay_id)
        json_object_set_new(j, "prepay_id", json_string(l->prepay_id));
    return j;
}

/* How the student pays, read before any order is made (so that a missing
 * openid leaves no order behind): the body may choose the method
 * ({"method":"jsapi"} inside WeChat; h5 otherwise; inside WeChat's browser
 * jsapi is the default when the provider can authorise).  For jsapi the
 * openid is the one WeChat confirmed for this session (tc_api_wechat.c); a
 * body openid is accepted only when it is that one. */
typedef struct pay_how {
    const char *method, *openid;
} pay_how;

static int pay_how_read(api_ctx *c, pay_how *how)
{
    how->method = how->openid = NULL;
    json_t *body = NULL;
    if (c->r->body_len > 0) {
        body = tc_http_json(c->r, &c->e);
        if (!body)
            return -1;
    }
    const char *method = body ? api_jstr(body, "method") : NULL, *openid = body ? api_jstr(body, "openid") : NULL;
    if ((method && strlen(method) > 16) || (openid && strlen(openid) > TC_PAY_OPENID_MAX))
        return tc_err_set(&c->e, TCE_PAY_BAD_REQUEST_8);
    return api_wx_payer(c, method, openid, &how->method, &how->openid);
}

/* Ask the provider to take the order's money. */
static int provider_create(api_ctx *c, const pay_how *how, const tc_store_order *o, tc_pay_launch *l)
{
    tc_pay_order po = {.out_trade_no = o->out_trade_no,
                       .amount_fen = o->amount_fen,
                       .description = o->description,
                       .method = how->method,
                       .openid = how->openid,
                       .client_ip = c->r->client_ip,
                       .expire_at = 0};
    return tc_pay_create(c->app->pay, c->r->pool, &po, l, &c->e);
}

/* Tell the student what happened to an order: the message centre, the open
 * app (SSE) and the channels the student chose. */
static void order_notice(tc_api_app *app, tc_pool *p, const tc_store_order *o, const char *state, const char *tz,
                         const char *te, const char *bz, const char *be)
{
    api_publish(app, o->person_id, "order",
                json_pack("{s:s, s:s, s:s}", "out_trade_no", o->out_trade_no, "kind", o->kind, "state", state));
    (void)p;
    /* the message centre and the channels the student chose (api_deliver):
     * a shipped reprint is a status, the rest payment results */
    api_message(app, o->person_id, o->student_id, !strcmp(state, "shipped") ? "shipped" : "payment", tz, te, bz, be);
}

/* Give an order's money back through the provider: one refund per order,
 * numbered "RF" + the order's number, so that a retry (a repeated call or
 * callback) is the same refund and the provider pays back once.  The order
 * must be refunding (the caller moved it there).  A SUCCESS answer finishes
 * it here; PROCESSING waits for the refund callback.  *ev: the answer. */
static int start_refund(tc_api_app *app, tc_pool *p, const tc_store_order *o, const char *reason, tc_pay_event *ev,
                        tc_err *e)
{
    tc_pay_refund_req rq = {.out_trade_no = o->out_trade_no,
                            .out_refund_no = tc_pool_printf(p, "RF%s", o->out_trade_no),
                            .refund_fen = o->amount_fen,
                            .total_fen = o->amount_fen,
                            .reason = reason};
    if (tc_pay_refund(app->pay, &rq, ev, e) != 0) {
        tc_log(TC_LOG_WARN, "refund of %s failed: %s [%s]", o->out_trade_no, e->en, e->code);
        return -1;
    }
    if (strcmp(ev->state, "SUCCESS") != 0)
        return 0;
    int already;
    if (tc_store_order_refunded(app->store, o->out_trade_no, tc_now(), &already, e) != 0)
        return -1;
    tc_store_order now;
    if (!already && tc_store_order_by_no(app->store, p, o->out_trade_no, &now, e) == 0)
        order_notice(app, p, &now, "refunded", "退款成功", "Refunded",
                     tc_pool_printf(p, "订单 %s 已退款 %.2f 元", now.out_trade_no, (double)now.amount_fen / 100),
                     tc_pool_printf(p, "Order %s is refunded: CNY %.2f", now.out_trade_no,
                                    (double)now.amount_fen / 100));
    return 0;
}

/* A SUCCESS payment for an order that is not waiting for one.  Usually a
 * repeated callback of a paid order (*already).  But the payer may have been
 * paying when the order was closed here: then the provider has the money
 * and we must not keep it silently.  It is recorded against the closed order
 * (closed -> refunding, once however often the callback comes), audited,
 * told to the student and refunded.  When the refund cannot be started the
 * callback is answered with the error, so that the provider sends it again
 * and the refund is tried again (same refund number: paid back once). */
static int late_payment(tc_api_app *app, tc_pool *p, const tc_pay_event *ev, int *already, tc_err *e)
{
    int again;
    if (tc_store_order_paid_late(app->store, ev->out_trade_no, ev->transaction_id, ev->amount_fen, tc_now(), &again,
                                 e) != 0)
        return -1;
    tc_store_order o;
    if (tc_store_order_by_no(app->store, p, ev->out_trade_no, &o, e) != 0)
        return -1;
    *already = again;
    if (!o.late_paid_at) {
        *already = 1; /* paid or refunded in the ordinary way: a repeat */
        return 0;
    }
    double yuan = (double)o.amount_fen / 100;
    if (!again) {
        tc_log(TC_LOG_WARN, "payment %s for CLOSED order %s (CNY %.2f): recorded, refunding", ev->transaction_id,
               o.out_trade_no, yuan);
        json_t *after = json_pack("{s:s, s:s, s:I, s:s}", "out_trade_no", o.out_trade_no, "provider_txn",
                                  ev->transaction_id, "amount_fen", (json_int_t)o.amount_fen, "state", o.state);
        char *at = after ? json_dumps(after, JSON_COMPACT) : NULL;
        json_decref(after);
        tc_err ae;
        /* staff id 0: the provider did it, no one signed in */
        if (tc_store_audit_staff(app->store, 0, "pay.late_payment", tc_pool_printf(p, "order:%lld", (long long)o.id),
                                 "{\"state\":\"closed\"}", at, "", &ae) != 0)
            tc_log(TC_LOG_WARN, "audit of the late payment of %s failed: %s", o.out_trade_no, ae.en);
        free(at);
        order_notice(app, p, &o, "refunding", "已关闭订单收到付款，将原路退回", "Payment for a closed order: refunding",
                     tc_pool_printf(p, "订单 %s 已关闭，但收到了 %.2f 元付款。这笔钱将原路退回，无需任何操作。",
                                    o.out_trade_no, yuan),
                     tc_pool_printf(p, "Order %s was closed, but CNY %.2f was paid for it. The money goes back "
                                       "the way it came; you need not do anything.",
                                    o.out_trade_no, yuan));
    }
    if (o.state_enum != TC_STORE_ORDER_REFUNDING)
        return 0; /* refunded already */
    /* still going back (a late payment, or one taken for a cancelled batch,
     * below): every repeat of the callback retries the same refund */
    tc_pay_event rev;
    return start_refund(app, p, &o,
                        o.late_paid_at ? "订单已关闭，原路退款 / order was closed" : "采集批次取消 / batch cancelled",
                        &rev, e);
}

/* A payment applied to an order whose batch was cancelled meanwhile (the
 * cancel could not close it at the provider, or the payer was already
 * paying): it goes back at once, as the cancel's refunds do. */
static int paid_for_cancelled(tc_api_app *app, tc_pool *p, const tc_store_order *o, tc_err *e)
{
    int64_t at = 0;
    int was;
    if (!o->student_id || tc_store_student_cancelled(app->store, o->student_id, &at, e) != 0 || !at)
        return 0;
    if (tc_store_order_refunding(app->store, o->out_trade_no, &was, e) != 0)
        return -1;
    tc_log(TC_LOG_WARN, "payment for %s of a cancelled batch: refunding", o->out_trade_no);
    api_message(app, o->person_id, o->student_id, "payment", "退款处理中", "Refund under way",
                tc_pool_printf(p, "采集批次已取消，订单 %s 的费用将原路退回。", o->out_trade_no),
                tc_pool_printf(p, "The collection was cancelled; order %s is being refunded.", o->out_trade_no));
    tc_store_order now;
    if (tc_store_order_by_no(app->store, p, o->out_trade_no, &now, e) != 0)
        return -1;
    tc_pay_event rev;
    return start_refund(app, p, &now, "采集批次取消 / batch cancelled", &rev, e);
}

/* Apply what the provider said (from a callback).  Payments other than
 * SUCCESS and refunds other than SUCCESS change nothing: the provider will
 * say more later, or the reconciliation will. */
static int apply_event(tc_api_app *app, tc_pool *p, const tc_pay_event *ev, int *already, tc_err *e)
{
    *already = 0;
    tc_store_order o;
    if (!strcmp(ev->kind, "payment") && !strcmp(ev->state, "SUCCESS")) {
        if (tc_store_order_paid(app->store, ev->out_trade_no, ev->transaction_id, ev->amount_fen, tc_now(), already,
                                e) != 0)
            return -1;
        if (*already)
            return late_payment(app, p, ev, already, e);
        if (tc_store_order_by_no(app->store, p, ev->out_trade_no, &o, e) != 0)
            return 0;
        double yuan = (double)o.amount_fen / 100;
        if (!strcmp(o.kind, "reprint"))
            order_notice(app, p, &o, "paid", "加洗订单已支付", "Reprint order paid",
                         tc_pool_printf(p, "订单 %s 已支付 %.2f 元，我们将尽快打印并寄出。", o.out_trade_no, yuan),
                         tc_pool_printf(p, "Order %s is paid (CNY %.2f); we will print and send it soon.",
                                        o.out_trade_no, yuan));
        else
            order_notice(app, p, &o, "paid", "支付成功", "Payment received",
                         tc_pool_printf(p, "订单 %s 已支付 %.2f 元", o.out_trade_no, yuan),
                         tc_pool_printf(p, "Order %s is paid: CNY %.2f", o.out_trade_no, yuan));
        api_publish(app, o.person_id, "payment", json_pack("{s:s, s:s}", "out_trade_no", o.out_trade_no, "state", "paid"));
        return paid_for_cancelled(app, p, &o, e);
    }
    if (!strcmp(ev->kind, "refund") && !strcmp(ev->state, "SUCCESS")) {
        if (tc_store_order_refunded(app->store, ev->out_trade_no, tc_now(), already, e) != 0)
            return -1;
        if (!*already && tc_store_order_by_no(app->store, p, ev->out_trade_no, &o, e) == 0)
            order_notice(app, p, &o, "refunded", "退款成功", "Refunded",
                         tc_pool_printf(p, "订单 %s 已退款 %.2f 元", o.out_trade_no, (double)ev->refund_fen / 100),
                         tc_pool_printf(p, "Order %s is refunded: CNY %.2f", o.out_trade_no,
                                        (double)ev->refund_fen / 100));
        return 0;
    }
    *already = 1;
    return 0;
}

static int provider_is(const tc_api_app *app, const char *name)
{
    return app->pay && !strcmp(app->pay->name, name);
}

/* ---- the photo fee --------------------------------------------------------------------------------------------- */

/* Refuse money for a record whose batch was cancelled (batch.cancelled,
 * 409, the store's words).  The order-making transaction checks again. */
static int refuse_cancelled(api_ctx *c, int64_t student_id)
{
    int64_t at = 0;
    if (!student_id)
        return 0;
    if (tc_store_student_cancelled(c->app->store, student_id, &at, &c->e) != 0)
        return -1;
    if (!at)
        return 0;
    return tc_err_set(&c->e, TCE_BATCH_CANCELLED);
}

/* Close an unpaid order: at the provider first, so that nothing can be paid
 * for it afterwards, then here (a conditional UPDATE from created).  When
 * the provider says the payer has paid it, the payment is applied instead
 * and the close refused (order.not_closable).  A payer who was already on
 * the provider's page when it closed may still get through: late_payment
 * records and refunds that. */
static int order_close(tc_api_app *app, tc_pool *p, const tc_store_order *o, tc_err *e)
{
    if (o->state_enum != TC_STORE_ORDER_CREATED)
        return tc_err_set(e, TCE_ORDER_NOT_CLOSABLE);
    if (tc_pay_close_order(app->pay, o->out_trade_no, e) != 0) {
        if (strcmp(e->code, "pay.order_paid") != 0)
            return -1; /* unreachable: stays open, close again later */
        tc_pay_event ev;
        tc_err qe = {0};
        int already;
        if (tc_pay_query(app->pay, o->out_trade_no, &ev, &qe) == 0 && !strcmp(ev.state, "SUCCESS") &&
            apply_event(app, p, &ev, &already, &qe) != 0)
            tc_log(TC_LOG_WARN, "payment of %s found on close not applied: %s [%s]", o->out_trade_no, qe.en, qe.code);
        return tc_err_set(e, TCE_ORDER_NOT_CLOSABLE_2);
    }
    return tc_store_order_close(app->store, o->person_id, o->out_trade_no, tc_now(), e);
}

/* Can the open order be launched again for this payment: the same amount
 * and the same kind of WeChat order, JSAPI or not (WeChat refuses an order
 * number sent again as another trade type)? */
static int order_fits(const tc_store_order *o, int64_t fee_fen, const char *method)
{
    json_t *d = detail_of(o);
    const char *m = api_jstr(d, "method");
    int fits = o->amount_fen == fee_fen && !strcmp(m ? m : "", "jsapi") == !strcmp(method ? method : "", "jsapi");
    json_decref(d);
    return fits;
}

static int h_pay(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    api_jctx j;
    if (api_journey_load(&c, &j) != 0 || refuse_cancelled(&c, j.st.id) != 0)
        return api_fail(&c);
    if (j.sj.paid_order) {
        tc_err_set(&c.e, TCE_JOURNEY_ALREADY_PAID);
        return api_fail(&c);
    }
    int due = api_must_pay(&j.set) &&
              ((j.has_sub && j.sub.state_enum == TC_STORE_SUB_PENDING_PAYMENT) ||
               j.set.pay_when == TC_JOURNEY_PAY_BEFORE_SHOOT);
    if (!due) {
        tc_err_set(&c.e, TCE_JOURNEY_NOTHING_TO_PAY);
        return api_fail(&c);
    }
    pay_how how;
    if (pay_how_read(&c, &how) != 0)
        return api_fail(&c);
    json_t *detail = json_pack("{s:s, s:[{s:s, s:s, s:i, s:I, s:I}]}", "method", how.method ? how.method : "", "lines",
                               "zh", "图像采集服务费", "en", "Photo collection fee", "quantity", 1, "unit_fen",
                               (json_int_t)j.set.fee_fen, "amount_fen", (json_int_t)j.set.fee_fen);
    tc_store_order o = {.student_id = j.st.id,
                        .kind = "photo",
                        .amount_fen = j.set.fee_fen,
                        .description = "图像采集服务费 / photo collection fee"};
    tc_pay_launch l;
    tc_store_order saved;
    int reused;
    /* one open order per fee: a second pay launches the same order again */
    if (order_open(&c, "TC", detail, &o, &saved, &reused) != 0)
        return api_fail(&c);
    if (reused && !order_fits(&saved, j.set.fee_fen, how.method)) {
        /* the fee or the way of paying changed: the open order is closed
         * (at the provider first) and replaced, still one open at a time */
        if (order_close(c.app, r->pool, &saved, &c.e) != 0) {
            if (!strcmp(c.e.code, "order.not_closable")) /* paid meanwhile: applied by order_close */
                tc_err_set(&c.e, TCE_JOURNEY_ALREADY_PAID);
            return api_fail(&c);
        }
        if (tc_store_order_open(c.app->store, r->pool, &o, &saved, &reused, &c.e) != 0)
            return api_fail(&c);
    }
    if (provider_create(&c, &how, &saved, &l) != 0) {
        if (!reused) {
            /* never launched: closed here, and at the provider in case it
             * made the order before failing (best effort: the student never
             * got a way to pay it, and a payment would be refunded) */
            tc_err ce;
            tc_pay_close_order(c.app->pay, saved.out_trade_no, &ce);
            tc_store_order_close(c.app->store, c.sess.person_id, saved.out_trade_no, tc_now(), &ce);
        }
        return api_fail(&c);
    }
    return tc_http_respond_json(r, 200,
                                json_pack("{s:o, s:o, s:b}", "order", order_json(&saved), "launch", launch_json(&l),
                                          "reused", reused));
}

/* ---- the sandbox provider's page and callback ------------------------------------------------------------------ */

static int own_order(api_ctx *c, const char *no, tc_store_order *o)
{
    if (!no || strlen(no) > 32 || tc_store_order_by_no(c->app->store, c->r->pool, no, o, &c->e) != 0)
        return tc_err_set(&c->e, TCE_PAY_ORDER_NOT_FOUND);
    if (o->person_id != c->sess.person_id)
        return tc_err_set(&c->e, TCE_PAY_ORDER_NOT_FOUND);
    return 0;
}

static int sandbox_only(api_ctx *c)
{
    if (provider_is(c->app, "sandbox"))
        return 0;
    /* with a real provider the demo page must not be a way to mark orders paid */
    return tc_err_set(&c->e, TCE_PAY_SANDBOX_OFF);
}

static int h_sandbox_order(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (sandbox_only(&c) != 0 || own_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    json_t *j = order_json(&o);
    json_object_set_new(j, "sandbox", json_true());
    return tc_http_respond_json(r, 200, j);
}

/* The sandbox pay page's button: the provider "takes the money" and calls
 * back, signed, through the same path a real provider's callback takes. */
static int h_sandbox_pay(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (sandbox_only(&c) != 0 || own_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    if (o.state_enum != TC_STORE_ORDER_PAID && refuse_cancelled(&c, o.student_id) != 0)
        return api_fail(&c);
    if (o.state_enum != TC_STORE_ORDER_CREATED && o.state_enum != TC_STORE_ORDER_PAID) {
        tc_err_set(&c.e, TCE_ORDER_NOT_PAYABLE);
        return api_fail(&c);
    }
    char txn[28], sig[65];
    tc_pay_sandbox_txn(txn);
    int64_t now = tc_now();
    const char *body = tc_pay_sandbox_callback(r->pool, c.app->pay_key, o.out_trade_no, o.amount_fen, txn, now, sig);
    tc_pay_callback cb = {.body = body, .body_len = strlen(body), .signature = sig, .now = now};
    tc_pay_event ev;
    int already;
    if (tc_pay_parse_callback(c.app->pay, &cb, &ev, &c.e) != 0 || apply_event(c.app, r->pool, &ev, &already, &c.e) != 0)
        return api_fail(&c);
    const char *ret = !strcmp(o.kind, "photo") ? "/#/paid" : tc_pool_printf(r->pool, "/#/order/%s", o.out_trade_no);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:b, s:s}", "state", "paid", "already", already, "return_url", ret));
}

/* A provider's callback went wrong: answer so that it retries later. */
static int notify_fail(tc_http_req *r, const tc_err *e)
{
    tc_log(TC_LOG_WARN, "payment callback refused: %s [%s]", e->en, e->code);
    json_t *j = json_pack("{s:s, s:s, s:o}", "code", "FAIL", "message", e->en, "error", api_err_json(e));
    return tc_http_respond_json(r, e->status ? e->status : 500, j);
}

/* POST /api/v1/pay/notify/sandbox: the body tc_pay_sandbox_callback makes,
 * the signature in X-Tucai-Sandbox-Signature (or, as the first version
 * sent it, a "signature" member). */
static int h_notify_sandbox(tc_http_req *r)
{
    tc_err e = {0};
    if (!provider_is(r->app, "sandbox")) {
        tc_err_set(&e, TCE_PAY_SANDBOX_OFF);
        return notify_fail(r, &e);
    }
    const char *sig = tc_http_header(r, "X-Tucai-Sandbox-Signature");
    json_t *j = NULL;
    if (!sig && r->body_len > 0 && r->body_len <= TC_PAY_BODY_MAX) {
        j = json_loadb(r->body, r->body_len, 0, NULL);
        json_t *s = json_object_get(j, "signature");
        sig = json_is_string(s) ? tc_pool_strdup(r->pool, json_string_value(s)) : NULL;
        json_decref(j);
    }
    tc_pay_callback cb = {.body = r->body, .body_len = r->body_len, .signature = sig, .now = tc_now()};
    tc_pay_event ev;
    int already;
    if (tc_pay_parse_callback(((tc_api_app *)r->app)->pay, &cb, &ev, &e) != 0 ||
        apply_event(r->app, r->pool, &ev, &already, &e) != 0)
        return notify_fail(r, &e);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:b}", "code", "SUCCESS", "already", already));
}

/* POST /api/v1/pay/notify/wechat: WeChat Pay v3's signed, encrypted
 * callback.  204 when applied (or already applied); otherwise an error
 * status, so that WeChat sends it again. */
static int h_notify_wechat(tc_http_req *r)
{
    tc_err e = {0};
    if (!provider_is(r->app, "wechat")) {
        tc_err_set(&e, TCE_PAY_WECHAT_OFF);
        return notify_fail(r, &e);
    }
    tc_pay_callback cb = {.body = r->body,
                          .body_len = r->body_len,
                          .timestamp = tc_http_header(r, "Wechatpay-Timestamp"),
                          .nonce = tc_http_header(r, "Wechatpay-Nonce"),
                          .signature = tc_http_header(r, "Wechatpay-Signature"),
                          .serial = tc_http_header(r, "Wechatpay-Serial"),
                          .now = tc_now()};
    tc_pay_event ev;
    int already;
    if (tc_pay_parse_callback(((tc_api_app *)r->app)->pay, &cb, &ev, &e) != 0 ||
        apply_event(r->app, r->pool, &ev, &already, &e) != 0)
        return notify_fail(r, &e);
    tc_log(TC_LOG_INFO, "wechat pay %s %s %s%s", ev.kind, ev.out_trade_no, ev.state, already ? " (already applied)" : "");
    return tc_http_respond(r, 204, NULL, NULL, 0);
}

/* ---- the student's orders -------------------------------------------------------------------------------------- */

static int h_orders(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *filter = tc_http_query(r, "state");
    tc_store_order *o;
    size_t n;
    if (tc_store_order_list_by(c.app->store, r->pool, c.sess.person_id, filter ? filter : "all", &o, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, order_json(&o[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:s}", "orders", a, "state", filter ? filter : "all"));
}

/* The record's photo is ready (approved or final): its submission's photo. */
static int record_photo(tc_api_app *app, tc_pool *p, int64_t student_id, tc_store_submission *sub, tc_store_photo *ph,
                        tc_err *e)
{
    if (tc_store_submission_current(app->store, p, student_id, sub, e) != 0 ||
        (sub->state_enum != TC_STORE_SUB_APPROVED && sub->state_enum != TC_STORE_SUB_FINAL))
        return tc_err_set(e, TCE_REPRINT_NO_PHOTO);
    return tc_store_photo_get(app->store, p, sub->photo_id, ph, e);
}

static int h_order(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (own_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    json_t *j = order_json(&o);
    /* a completed photo order: the photo can be downloaded or e-mailed
     * (the result endpoints serve the signed-in record) */
    tc_store_submission sub;
    tc_store_photo ph;
    tc_err e2;
    if (!strcmp(o.kind, "photo") && o.state_enum == TC_STORE_ORDER_PAID && o.student_id == c.sess.student_id &&
        record_photo(c.app, r->pool, o.student_id, &sub, &ph, &e2) == 0)
        json_object_set_new(j, "result",
                            json_pack("{s:b, s:s, s:s, s:s}", "final", sub.state_enum == TC_STORE_SUB_FINAL, "standard_url",
                                      "/api/v1/me/result/standard.jpg", "sheet_url", "/api/v1/me/result/sheet.jpg",
                                      "email_url", "/api/v1/me/result/email"));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "order", j));
}

static int h_order_close(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (own_order(&c, r->params[0], &o) != 0 || order_close(c.app, r->pool, &o, &c.e) != 0 ||
        tc_store_order_by_no(c.app->store, r->pool, o.out_trade_no, &o, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "order", order_json(&o)));
}

/* Pay an unpaid order (a reprint left unpaid, or a photo fee whose page
 * was closed): the provider is asked again with the same number. */
static int h_order_pay(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (own_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    /* first: a cancelled batch's orders were closed by the cancel, and the
     * student should read why rather than "not waiting for payment" */
    if (refuse_cancelled(&c, o.student_id) != 0)
        return api_fail(&c);
    if (o.state_enum != TC_STORE_ORDER_CREATED) {
        tc_err_set(&c.e, TCE_ORDER_NOT_PAYABLE_2);
        return api_fail(&c);
    }
    pay_how how;
    tc_pay_launch l;
    if (pay_how_read(&c, &how) != 0 || provider_create(&c, &how, &o, &l) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:o}", "order", order_json(&o), "launch", launch_json(&l)));
}

static int h_order_received(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (own_order(&c, r->params[0], &o) != 0 || tc_store_order_done(c.app->store, c.sess.person_id, o.out_trade_no, &c.e) != 0 ||
        tc_store_order_by_no(c.app->store, r->pool, o.out_trade_no, &o, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "order", order_json(&o)));
}

/* ---- the address book ------------------------------------------------------------------------------------------- */

static json_t *address_json(const tc_store_address *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)a->id, "name", a->name, "phone", a->phone,
                     "region", a->region, "detail", a->detail, "is_default", a->is_default);
}

/* A mainland mobile number: 11 digits, 1[3-9]... */
static int mobile_ok(const char *s)
{
    if (!s || strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        return 0;
    for (int i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Text a person typed: valid UTF-8, 1..max bytes, no control characters. */
static int text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || !tc_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* 省 市 区: two to four parts separated by spaces or '/', each non-empty. */
static int region_ok(const char *s)
{
    if (!text_ok(s, 96))
        return 0;
    int parts = 0, in = 0;
    for (const char *p = s; *p; p++) {
        int sep = *p == ' ' || *p == '/';
        if (!sep && !in)
            parts++;
        in = !sep;
    }
    return parts >= 2 && parts <= 4;
}

static int address_from(api_ctx *c, json_t *b, tc_store_address *a)
{
    a->name = api_jstr(b, "name");
    a->phone = api_jstr(b, "phone");
    a->region = api_jstr(b, "region");
    a->detail = api_jstr(b, "detail");
    a->is_default = json_is_true(json_object_get(b, "is_default"));
    if (!text_ok(a->name, 60))
        return tc_err_set(&c->e, TCE_ADDRESS_BAD_NAME);
    if (!mobile_ok(a->phone))
        return tc_err_set(&c->e, TCE_ADDRESS_BAD_PHONE);
    if (!region_ok(a->region))
        return tc_err_set(&c->e, TCE_ADDRESS_BAD_REGION);
    if (!text_ok(a->detail, 300) || strlen(a->detail) < 4)
        return tc_err_set(&c->e, TCE_ADDRESS_BAD_DETAIL);
    return 0;
}

static int respond_addresses(api_ctx *c, int status, int64_t id)
{
    tc_store_address *v;
    size_t n;
    if (tc_store_address_list(c->app->store, c->r->pool, c->sess.person_id, &v, &n, &c->e) != 0)
        return api_fail(c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, address_json(&v[i]));
    json_t *j = json_pack("{s:o}", "addresses", a);
    if (id)
        json_object_set_new(j, "id", json_integer(id));
    return tc_http_respond_json(c->r, status, j);
}

static int h_addresses(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return respond_addresses(&c, 200, 0);
}

static int h_address_add(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = tc_http_json(r, &c.e);
    tc_store_address a = {.person_id = c.sess.person_id, .created_at = tc_now()};
    if (!b || address_from(&c, b, &a) != 0 || tc_store_address_save(c.app->store, &a, ADDRESS_MAX, &c.e) != 0)
        return api_fail(&c);
    return respond_addresses(&c, 201, a.id);
}

static int h_address_edit(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = tc_http_json(r, &c.e);
    tc_store_address a = {.id = c.id, .person_id = c.sess.person_id};
    if (!b || address_from(&c, b, &a) != 0 || tc_store_address_save(c.app->store, &a, ADDRESS_MAX, &c.e) != 0)
        return api_fail(&c);
    return respond_addresses(&c, 200, c.id);
}

static int h_address_default(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_address a;
    if (tc_store_address_get(c.app->store, r->pool, c.sess.person_id, c.id, &a, &c.e) != 0)
        return api_fail(&c);
    a.is_default = 1;
    if (tc_store_address_save(c.app->store, &a, ADDRESS_MAX, &c.e) != 0)
        return api_fail(&c);
    return respond_addresses(&c, 200, c.id);
}

static int h_address_delete(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (tc_store_address_delete(c.app->store, c.sess.person_id, c.id, &c.e) != 0)
        return api_fail(&c);
    return respond_addresses(&c, 200, 0);
}

/* ---- reprints (加洗) ----------------------------------------------------------------------------------------------- */

static int record_settings(tc_api_app *app, tc_pool *p, const tc_store_student *st, tc_journey_settings *set, tc_store_school *sc,
                           tc_store_batch *b, tc_err *e)
{
    const char *notice, *school_settings;
    if (tc_store_batch_get(app->store, p, st->batch_id, b, e) != 0 ||
        tc_store_school_get(app->store, p, st->school_id, sc, e) != 0 ||
        tc_store_school_extra(app->store, p, st->school_id, &notice, &school_settings, e) != 0)
        return -1;
    tc_journey_settings_default(set);
    if (tc_journey_settings_apply(set, school_settings, e) != 0 || tc_journey_settings_apply(set, b->settings, e) != 0) {
        e->status = 500;
        return -1;
    }
    return 0;
}

/* GET /api/v1/me/reprint: what can be reprinted (the person's records whose
 * photo is approved), the layouts with their price, the addresses. */
/* A layout's print sheet as a plan in mm, for the small drawing of it the
 * reprint page shows: {"w_mm","h_mm","places":[[x,y,w,h],...]}.  sp is the
 * spec of the standard photo the "fill" layouts repeat.  NULL when it cannot
 * be planned (the page then shows no drawing). */
static json_t *sheet_preview_json(const struct layout_def *lay, const tc_spec *sp)
{
    tc_sheet_paper paper;
    tc_sheet_item items[2];
    const tc_spec *specs[2];
    size_t ni = 0;
    tc_spec_table builtin = {0};
    tc_sheet_layout sl = {0};
    tc_err e;
    json_t *out = NULL;
    if (tc_sheet_paper_find(lay->paper, &paper, &e) != 0)
        return NULL;
    if (!strcmp(lay->id, "1") || !strcmp(lay->id, "2")) {
        tc_spec_table_builtin(&builtin);
        if (tc_sheet_named_items(lay->id, &builtin, items, specs, &ni, &e) != 0)
            goto out;
    } else if (sp) {
        items[0] = (tc_sheet_item){tc_spec_width_mm(sp), tc_spec_height_mm(sp), 0};
        ni = 1;
    } else
        goto out;
    if (tc_sheet_plan(&paper, items, ni, &sl, &e) != 0)
        goto out;
    json_t *pl = json_array();
    for (size_t i = 0; i < sl.n; i++)
        json_array_append_new(pl, json_pack("[f, f, f, f]", sl.v[i].x_mm, sl.v[i].y_mm, sl.v[i].w_mm, sl.v[i].h_mm));
    out = json_pack("{s:f, s:f, s:o}", "w_mm", sl.paper.w_mm, "h_mm", sl.paper.h_mm, "places", pl);
out:
    tc_sheet_layout_free(&sl);
    tc_spec_table_free(&builtin);
    return out;
}

static int h_reprint_options(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_student *recs;
    size_t n;
    if (tc_store_student_by_person(c.app->store, r->pool, c.sess.person_id, &recs, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *photos = json_array();
    tc_spec_table own = {0};
    tc_spec cur_spec; /* a copy: the spec of the current (else the first) photo offered, for the drawings */
    int has_spec = 0;
    for (size_t i = 0; i < n; i++) {
        tc_store_submission sub;
        tc_store_photo ph;
        tc_journey_settings set;
        tc_store_school sc;
        tc_store_batch b;
        tc_err e2;
        if (record_photo(c.app, r->pool, recs[i].id, &sub, &ph, &e2) != 0 ||
            record_settings(c.app, r->pool, &recs[i], &set, &sc, &b, &e2) != 0)
            continue;
        json_array_append_new(photos, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b}", "student_id", (json_int_t)recs[i].id,
                                                "name", recs[i].name, "school", sc.name, "batch", b.name, "spec",
                                                set.spec, "final", sub.state_enum == TC_STORE_SUB_FINAL, "current",
                                                recs[i].id == c.sess.student_id));
        if (!has_spec || recs[i].id == c.sess.student_id) {
            tc_err se;
            const tc_spec *sp = api_photo_spec(c.app, &own, &ph, set.spec, &se);
            if (sp) {
                cur_spec = *sp;
                has_spec = 1;
            }
        }
    }
    json_t *layouts = json_array();
    for (size_t i = 0; i < TC_ARRAY_LEN(LAYOUTS); i++) {
        json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", LAYOUTS[i].id, "zh", LAYOUTS[i].zh, "en", LAYOUTS[i].en,
                              "paper", LAYOUTS[i].paper, "unit_fen", (json_int_t)c.app->cfg->reprint_fen);
        json_t *sheet = sheet_preview_json(&LAYOUTS[i], has_spec ? &cur_spec : NULL);
        if (sheet)
            json_object_set_new(l, "sheet", sheet);
        json_array_append_new(layouts, l);
    }
    tc_spec_table_free(&own);
    tc_store_address *addr;
    size_t na;
    if (tc_store_address_list(c.app->store, r->pool, c.sess.person_id, &addr, &na, &c.e) != 0) {
        json_decref(photos);
        json_decref(layouts);
        return api_fail(&c);
    }
    json_t *aa = json_array();
    for (size_t i = 0; i < na; i++)
        json_array_append_new(aa, address_json(&addr[i]));
    return tc_http_respond_json(r, 200,
                                json_pack("{s:o, s:o, s:o, s:i}", "photos", photos, "layouts", layouts, "addresses", aa,
                                          "quantity_max", REPRINT_QTY_MAX));
}

/* POST /api/v1/me/reprints {student_id, layout, quantity, address_id,
 * method?, openid?}: the order, then the provider's launch. */
static int h_reprint_create(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = tc_http_json(r, &c.e);
    pay_how how;
    if (!b || pay_how_read(&c, &how) != 0)
        return api_fail(&c);
    json_t *sid = json_object_get(b, "student_id"), *qty = json_object_get(b, "quantity"),
           *aid = json_object_get(b, "address_id");
    const struct layout_def *lay = layout_find(api_jstr(b, "layout"));
    if (!lay) {
        tc_err_set(&c.e, TCE_REPRINT_BAD_LAYOUT);
        return api_fail(&c);
    }
    if (!json_is_integer(qty) || json_integer_value(qty) < 1 || json_integer_value(qty) > REPRINT_QTY_MAX) {
        tc_err_set(&c.e, TCE_REPRINT_BAD_QUANTITY, REPRINT_QTY_MAX);
        return api_fail(&c);
    }
    if (!json_is_integer(aid)) {
        tc_err_set(&c.e, TCE_REPRINT_NO_ADDRESS);
        return api_fail(&c);
    }
    int64_t student_id = json_is_integer(sid) ? json_integer_value(sid) : c.sess.student_id;
    tc_store_student st;
    tc_store_address addr;
    tc_store_submission sub;
    tc_store_photo ph;
    tc_journey_settings set;
    tc_store_school sc;
    tc_store_batch bt;
    if (tc_store_student_get(c.app->store, r->pool, student_id, &st, &c.e) != 0 || st.person_id != c.sess.person_id) {
        tc_err_set(&c.e, TCE_PHOTO_NOT_FOUND);
        return api_fail(&c);
    }
    if (refuse_cancelled(&c, st.id) != 0 || record_photo(c.app, r->pool, st.id, &sub, &ph, &c.e) != 0 ||
        record_settings(c.app, r->pool, &st, &set, &sc, &bt, &c.e) != 0)
        return api_fail(&c);
    if (tc_store_address_get(c.app->store, r->pool, c.sess.person_id, json_integer_value(aid), &addr, &c.e) != 0) {
        tc_err_set(&c.e, TCE_REPRINT_NO_ADDRESS);
        return api_fail(&c);
    }
    int64_t q = json_integer_value(qty), unit = c.app->cfg->reprint_fen, total = unit * q;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s},"
                               " s:[{s:s, s:s, s:I, s:I, s:I}]}",
                               "layout", lay->id, "layout_zh", lay->zh, "layout_en", lay->en, "paper", lay->paper,
                               "quantity", (json_int_t)q, "photo_id", (json_int_t)ph.id, "spec", set.spec, "school",
                               sc.name, "student_name", st.name, "address", "name", addr.name, "phone", addr.phone,
                               "region", addr.region, "detail", addr.detail, "lines", "zh", lay->zh, "en", lay->en,
                               "quantity", (json_int_t)q, "unit_fen", (json_int_t)unit, "amount_fen", (json_int_t)total);
    if (!detail)
        abort(); /* out of memory, as tc_pool does */
    tc_store_order o = {.student_id = st.id,
                        .kind = "reprint",
                        .amount_fen = total,
                        .description = "加洗照片 / photo reprints"};
    tc_pay_launch l;
    tc_store_order saved;
    int reused;
    /* each reprint order is its own purchase (never reused); the store
     * refuses it for a cancelled batch in the same transaction */
    if (order_open(&c, "RP", detail, &o, &saved, &reused) != 0)
        return api_fail(&c);
    if (provider_create(&c, &how, &saved, &l) != 0)
        return api_fail(&c); /* the order stays unpaid: payable again from the order page */
    return tc_http_respond_json(r, 201, json_pack("{s:o, s:o}", "order", order_json(&saved), "launch", launch_json(&l)));
}

/* ---- the print queue (platform staff) -------------------------------------------------------------------------- */

static int h_print_queue(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    const char *ship = tc_http_query(r, "ship_state");
    if (ship && *ship && strcmp(ship, "to_ship") && strcmp(ship, "shipped") && strcmp(ship, "done")) {
        tc_err_set(&c.e, TCE_ORDER_BAD_FILTER, ship);
        return api_fail(&c);
    }
    tc_store_order *o;
    size_t n;
    if (tc_store_print_queue(c.app->store, r->pool, ship ? ship : "", &o, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, order_json(&o[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "orders", a));
}

static int staff_order(api_ctx *c, const char *no, tc_store_order *o)
{
    if (!no || strlen(no) > 32 || tc_store_order_by_no(c->app->store, c->r->pool, no, o, &c->e) != 0 ||
        strcmp(o->kind, "reprint") != 0)
        return tc_err_set(&c->e, TCE_PAY_ORDER_NOT_FOUND);
    return 0;
}

/* GET /api/v1/print/orders/:no/sheet.pdf: the print-ready sheet, true size
 * (one page; print it `quantity` times). */
static int h_print_sheet(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (staff_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    json_t *d = detail_of(&o);
    const struct layout_def *lay = layout_find(json_string_value(json_object_get(d, "layout")));
    json_t *pid = json_object_get(d, "photo_id");
    const char *spec_name = json_string_value(json_object_get(d, "spec"));
    tc_store_photo ph;
    tc_spec_table own = {0}, builtin = {0};
    tc_sheet_paper paper;
    tc_sheet_layout sl = {0};
    tc_sheet_item items[2];
    const tc_spec *specs[2];
    size_t ni = 0;
    char *jpeg = NULL;
    uint8_t *pdf = NULL;
    size_t len = 0, pdflen = 0;
    int rc = -1;
    if (!lay || !json_is_integer(pid)) {
        tc_err_internal(&c.e, "order %s: detail without layout or photo", o.out_trade_no);
        goto out;
    }
    if (tc_store_photo_get(c.app->store, r->pool, json_integer_value(pid), &ph, &c.e) != 0)
        goto out;
    /* the clean photo: 成片 if production is done, else the standard photo
     * (never the watermarked proof) */
    if (tc_blob_get(c.app->blobs, ph.final_blob[0] ? ph.final_blob : ph.standard_blob, (size_t)16 << 20, &jpeg, &len,
                    &c.e) != 0 ||
        tc_sheet_paper_find(lay->paper, &paper, &c.e) != 0)
        goto out;
    if (!strcmp(lay->id, "1") || !strcmp(lay->id, "2")) {
        tc_spec_table_builtin(&builtin);
        if (tc_sheet_named_items(lay->id, &builtin, items, specs, &ni, &c.e) != 0)
            goto out;
    } else {
        /* the spec the photo was made to (a custom spec too, as it was then:
         * a later edit or delete changes no print); the order's spec name
         * only for photos made before that was kept */
        tc_err se;
        const tc_spec *sp = api_photo_spec(c.app, &own, &ph, spec_name ? spec_name : "chsi", &se);
        if (!sp) {
            tc_err_internal(&c.e, "order %s: no spec %s (%s)", o.out_trade_no, spec_name ? spec_name : "", se.code);
            goto out;
        }
        items[0] = (tc_sheet_item){tc_spec_width_mm(sp), tc_spec_height_mm(sp), 0};
        ni = 1;
    }
    const uint8_t *photos[2] = {(const uint8_t *)jpeg, (const uint8_t *)jpeg};
    size_t lens[2] = {len, len};
    if (tc_sheet_plan(&paper, items, ni, &sl, &c.e) != 0 ||
        tc_sheet_render(&sl, photos, lens, "pdf", 1, &pdf, &pdflen, &c.e) != 0)
        goto out;
    tc_http_add_header(r, "Content-Disposition",
                       tc_pool_printf(r->pool, "attachment; filename=\"%s-layout%s-x%lld.pdf\"", o.out_trade_no, lay->id,
                                      (long long)json_integer_value(json_object_get(d, "quantity"))));
    rc = tc_http_respond(r, 200, "application/pdf", pdf, pdflen);
out:
    json_decref(d);
    free(pdf);
    free(jpeg);
    tc_sheet_layout_free(&sl);
    tc_spec_table_free(&own);
    tc_spec_table_free(&builtin);
    return rc == 0 ? 0 : api_fail(&c);
}

static int h_print_ship(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    json_t *b = tc_http_json(r, &c.e);
    if (!b || staff_order(&c, r->params[0], &o) != 0)
        return api_fail(&c);
    const char *carrier = api_jstr(b, "carrier"), *tracking = api_jstr(b, "tracking");
    if (!text_ok(carrier, 60)) {
        tc_err_set(&c.e, TCE_ORDER_BAD_CARRIER);
        return api_fail(&c);
    }
    size_t tl = tracking ? strlen(tracking) : 0;
    int ok = tl >= 6 && tl <= 40;
    for (size_t i = 0; ok && i < tl; i++)
        ok = (tracking[i] >= '0' && tracking[i] <= '9') || (tracking[i] >= 'A' && tracking[i] <= 'Z') ||
             (tracking[i] >= 'a' && tracking[i] <= 'z') || tracking[i] == '-';
    if (!ok) {
        tc_err_set(&c.e, TCE_ORDER_BAD_TRACKING);
        return api_fail(&c);
    }
    if (tc_store_order_ship(c.app->store, o.out_trade_no, carrier, tracking, tc_now(), &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "order.ship", "order", o.id, NULL, NULL);
    tc_store_order_by_no(c.app->store, r->pool, o.out_trade_no, &o, &c.e);
    order_notice(c.app, r->pool, &o, "shipped", "加洗照片已发货", "Reprints shipped",
                 tc_pool_printf(r->pool, "订单 %s 已发货：%s，单号 %s", o.out_trade_no, carrier, tracking),
                 tc_pool_printf(r->pool, "Order %s is on its way: %s, tracking number %s", o.out_trade_no, carrier,
                                tracking));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "order", order_json(&o)));
}

static int h_print_done(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_order o;
    if (staff_order(&c, r->params[0], &o) != 0 || tc_store_order_done(c.app->store, 0, o.out_trade_no, &c.e) != 0)
        return api_fail(&c);
    api_audit(&c, "order.done", "order", o.id, NULL, NULL);
    tc_store_order_by_no(c.app->store, r->pool, o.out_trade_no, &o, &c.e);
    order_notice(c.app, r->pool, &o, "done", "加洗订单已完成", "Reprint order completed",
                 tc_pool_printf(r->pool, "订单 %s 已签收，订单完成。", o.out_trade_no),
                 tc_pool_printf(r->pool, "Order %s was delivered: completed.", o.out_trade_no));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "order", order_json(&o)));
}

/* ---- refunds when a batch is cancelled ------------------------------------------------------------------------ */

/* POST /api/v1/batches/:id/cancel: the batch stops; its open orders are
 * closed (at the provider too, so that nothing more is paid for them) and
 * every photo fee its students paid goes back through the provider.
 * Repeating it is harmless and retries closes and refunds that failed
 * (those orders stay created / refunding). */
static int h_batch_cancel(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    int already;
    if (tc_store_batch_cancel(c.app->store, c.id, tc_now(), &already, &c.e) != 0)
        return api_fail(&c);
    if (!already)
        api_audit(&c, "batch.cancel", "batch", c.id, NULL, NULL);
    json_t *done = json_array(), *failed = json_array(), *closed = json_array();
    tc_store_order *o;
    size_t n;
    /* after the cancel committed, no new order can be made for the batch
     * (tc_store_order_open checks in its transaction): this list is complete */
    if (tc_store_batch_open_orders(c.app->store, r->pool, c.id, &o, &n, &c.e) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        tc_err e2 = {0};
        if (order_close(c.app, r->pool, &o[i], &e2) != 0)
            json_array_append_new(failed, json_pack("{s:s, s:o}", "out_trade_no", o[i].out_trade_no, "error", api_err_json(&e2)));
        else
            json_array_append_new(closed, json_string(o[i].out_trade_no));
    }
    if (tc_store_batch_refundable(c.app->store, r->pool, c.id, &o, &n, &c.e) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int was;
        tc_err e2 = {0};
        if (tc_store_order_refunding(c.app->store, o[i].out_trade_no, &was, &e2) != 0) {
            json_array_append_new(failed, json_pack("{s:s, s:o}", "out_trade_no", o[i].out_trade_no, "error", api_err_json(&e2)));
            continue;
        }
        tc_pay_event ev;
        if (start_refund(c.app, r->pool, &o[i], "采集批次取消 / batch cancelled", &ev, &e2) != 0) {
            json_array_append_new(failed, json_pack("{s:s, s:o}", "out_trade_no", o[i].out_trade_no, "error", api_err_json(&e2)));
            continue;
        }
        if (strcmp(ev.state, "SUCCESS") != 0)
            /* PROCESSING: the refund callback finishes it */
            api_message(c.app, o[i].person_id, o[i].student_id, "payment", "退款处理中", "Refund under way",
                        tc_pool_printf(r->pool, "采集批次已取消，订单 %s 的费用正在退回。", o[i].out_trade_no),
                        tc_pool_printf(r->pool, "The collection was cancelled; order %s is being refunded.",
                                       o[i].out_trade_no));
        json_array_append_new(done, json_pack("{s:s, s:s, s:I}", "out_trade_no", o[i].out_trade_no, "state", ev.state,
                                              "refund_fen", (json_int_t)o[i].amount_fen));
    }
    return tc_http_respond_json(r, 200, json_pack("{s:I, s:b, s:o, s:o, s:o}", "batch_id", (json_int_t)c.id, "already",
                                                  already, "refunds", done, "closed", closed, "failed", failed));
fail:
    json_decref(done);
    json_decref(failed);
    json_decref(closed);
    return api_fail(&c);
}

/* ---- daily reconciliation ---------------------------------------------------------------------------------------- */

/* "YYYY-MM-DD" -> [from, to) in seconds, China time. */
static int day_range(const char *day, int64_t *from, int64_t *to, tc_err *e)
{
    int y, m, d;
    char extra;
    if (!day || strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31 || y < 2000 || y > 2999)
        return tc_err_set(e, TCE_RECON_BAD_DAY);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d)
        return tc_err_set(e, TCE_RECON_BAD_DAY_2, day);
    *from = (int64_t)t - CHINA_UTC_OFFSET;
    *to = *from + 86400;
    return 0;
}

int tc_api_reconcile(tc_api_app *app, const char *day, json_t **report, tc_err *e)
{
    if (report)
        *report = NULL;
    int64_t from = 0, to = 0;
    if (day_range(day, &from, &to, e) != 0)
        return -1;
    tc_pool pool;
    tc_pool_init(&pool);
    int rc = -1;
    tc_store_order *o;
    size_t n;
    tc_pay_recon_item *items;
    size_t ni;
    /* first, a late payment whose refund could not start (and whose
     * callback the provider stopped repeating) is tried again: once a day by
     * the job, or when staff run the report */
    tc_store_order *pending;
    size_t np;
    if (tc_store_order_late_list(app->store, &pool, from, to, &pending, &np, e) != 0)
        goto out;
    for (size_t i = 0; i < np; i++) {
        tc_pay_event rev;
        tc_err re = {0};
        if (pending[i].state_enum == TC_STORE_ORDER_REFUNDING)
            start_refund(app, &pool, &pending[i], "订单已关闭，原路退款 / order was closed", &rev, &re);
    }
    if (tc_store_order_activity(app->store, &pool, app->pay->name, from, to, &o, &n, e) != 0)
        goto out;
    tc_pay_recon_order *ro = tc_pool_alloc(&pool, (n ? n : 1) * sizeof *ro);
    for (size_t i = 0; i < n; i++)
        ro[i] = (tc_pay_recon_order){o[i].out_trade_no, o[i].amount_fen, o[i].state};
    if (tc_pay_reconcile(app->pay, &pool, ro, n, &items, &ni, e) != 0)
        goto out;
    const char *text = tc_pay_reconcile_json(&pool, app->pay->name, tc_now(), n, items, ni);
    json_t *j = json_loads(text, 0, NULL);
    if (!j) {
        tc_err_internal(e, "reconciliation report is not JSON");
        goto out;
    }
    int64_t paid = 0, refunded = 0, paid_fen = 0, refunded_fen = 0;
    for (size_t i = 0; i < n; i++) {
        if (o[i].paid_at >= from && o[i].paid_at < to) {
            paid++;
            paid_fen += o[i].amount_fen;
        }
        if (o[i].refunded_at >= from && o[i].refunded_at < to) {
            refunded++;
            refunded_fen += o[i].amount_fen;
        }
    }
    json_object_set_new(j, "day", json_string(day));
    json_object_set_new(j, "paid", json_integer(paid));
    json_object_set_new(j, "paid_fen", json_integer(paid_fen));
    json_object_set_new(j, "refunded", json_integer(refunded));
    json_object_set_new(j, "refunded_fen", json_integer(refunded_fen));
    /* money paid for closed orders: recorded and going back; staff see each
     * one until its refund is done */
    tc_store_order *late;
    size_t nl;
    if (tc_store_order_late_list(app->store, &pool, from, to, &late, &nl, e) != 0) {
        json_decref(j);
        goto out;
    }
    json_t *la = json_array();
    for (size_t i = 0; i < nl; i++)
        json_array_append_new(la, json_pack("{s:s, s:s, s:I, s:s, s:I, s:I}", "out_trade_no", late[i].out_trade_no, "kind",
                                            late[i].kind, "amount_fen", (json_int_t)late[i].amount_fen, "state",
                                            late[i].state, "late_paid_at", (json_int_t)late[i].late_paid_at,
                                            "refunded_at", (json_int_t)late[i].refunded_at));
    json_object_set_new(j, "late_payments", la);
    char *stored = json_dumps(j, JSON_COMPACT);
    rc = stored ? tc_store_recon_put(app->store, day, app->pay->name, tc_now(), stored, e) : -1;
    free(stored);
    if (rc == 0 && report)
        *report = j;
    else
        json_decref(j);
out:
    tc_pool_clear(&pool);
    return rc;
}

static void yesterday(char day[11])
{
    time_t t = (time_t)(tc_now() + CHINA_UTC_OFFSET - 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(day, 11, "%Y-%m-%d", &tm);
}

int tc_api_recon_yesterday(tc_api_app *app, char day[11], int *made, tc_err *e)
{
    *made = 0;
    yesterday(day);
    tc_pool pool;
    tc_pool_init(&pool);
    tc_store_recon *have;
    size_t n = 0;
    int rc = tc_store_recon_list(app->store, &pool, day, 10, &have, &n, e);
    if (rc == 0) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(have[i].provider, app->pay->name);
        if (!found && (rc = tc_api_reconcile(app, day, NULL, e)) == 0)
            *made = 1;
    }
    tc_pool_clear(&pool);
    return rc;
}

static int h_recon_list(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_recon *v;
    size_t n;
    if (tc_store_recon_list(c.app->store, r->pool, tc_http_query(r, "day"), 60, &v, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *rep = json_loads(v[i].report, 0, NULL);
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:o}", "day", v[i].day, "provider", v[i].provider,
                                           "created_at", (json_int_t)v[i].created_at, "report",
                                           rep ? rep : json_object()));
    }
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "reports", a));
}

static int h_recon_run(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *b = tc_http_json(r, &c.e), *rep;
    if (!b || tc_api_reconcile(c.app, api_jstr(b, "day"), &rep, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "report", rep));
}

int api_money_routes(tc_http_server *s, size_t up, tc_err *e)
{
    static const api_route R[] = {
        {"POST", "/api/v1/me/pay", NEED_STUDENT, h_pay, 0},
        {"GET", "/api/v1/me/orders", NEED_STUDENT, h_orders, 0},
        {"GET", "/api/v1/me/orders/:no", NEED_STUDENT, h_order, 0},
        {"POST", "/api/v1/me/orders/:no/close", NEED_STUDENT, h_order_close, 0},
        {"POST", "/api/v1/me/orders/:no/pay", NEED_STUDENT, h_order_pay, 0},
        {"POST", "/api/v1/me/orders/:no/received", NEED_STUDENT, h_order_received, 0},
        {"GET", "/api/v1/me/addresses", NEED_STUDENT, h_addresses, 0},
        {"POST", "/api/v1/me/addresses", NEED_STUDENT, h_address_add, 0},
        {"POST", "/api/v1/me/addresses/:id", NEED_STUDENT, h_address_edit, 0},
        {"POST", "/api/v1/me/addresses/:id/default", NEED_STUDENT, h_address_default, 0},
        {"DELETE", "/api/v1/me/addresses/:id", NEED_STUDENT, h_address_delete, 0},
        {"GET", "/api/v1/me/reprint", NEED_STUDENT, h_reprint_options, 0},
        {"POST", "/api/v1/me/reprints", NEED_STUDENT, h_reprint_create, 0},
        {"GET", "/api/v1/pay/sandbox/:no", NEED_STUDENT, h_sandbox_order, 0},
        {"POST", "/api/v1/pay/sandbox/:no/pay", NEED_STUDENT, h_sandbox_pay, 0},
        {"POST", "/api/v1/pay/notify/sandbox", API_PUBLIC, h_notify_sandbox, 0},
        {"POST", "/api/v1/pay/notify/wechat", API_PUBLIC, h_notify_wechat, 0},
        {"GET", "/api/v1/print/orders", NEED_PLATFORM, h_print_queue, 0},
        {"GET", "/api/v1/print/orders/:no/sheet.pdf", NEED_PLATFORM, h_print_sheet, 0},
        {"POST", "/api/v1/print/orders/:no/ship", NEED_PLATFORM, h_print_ship, 0},
        {"POST", "/api/v1/print/orders/:no/done", NEED_PLATFORM, h_print_done, 0},
        {"POST", "/api/v1/batches/:id/cancel", NEED_PLATFORM, h_batch_cancel, 0},
        {"GET", "/api/v1/recon/reports", NEED_PLATFORM, h_recon_list, 0},
        {"POST", "/api/v1/recon/run", NEED_PLATFORM, h_recon_run, 0},
    };
    if (api_routes_add(s, R, TC_ARRAY_LEN(R), up, e) != 0)
        return -1;
    /* the openid JSAPI payment needs: its own file, registered with money */
    return api_wechat_routes(s, up, e);
}
