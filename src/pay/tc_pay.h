/*
 * tc_pay — taking money: a payment provider behind a small table of
 * function pointers, made from the configuration.
 *
 * Two providers:
 *  - "sandbox" (the default) is a DEMO: no money moves.  Its pay page
 *    (web/pay/sandbox.html) shows a banner saying so; pressing Pay makes the
 *    server sign a callback with a key derived from the app secret and feed
 *    it through the same notify path a real provider's callback takes.
 *  - "wechat" speaks WeChat Pay API v3: JSAPI and H5 orders, every request
 *    signed with the merchant private key (RSA-SHA256), every answer and
 *    callback verified with the platform certificate or public key, callback
 *    resources decrypted with the APIv3 key (AES-256-GCM), order query and
 *    refunds.
 *
 * The provider knows nothing of our orders' state: deduplicating callbacks
 * and paying an order once are the store's job (see tc_pay_event: a callback
 * is an event; applying one whose order is already paid must change
 * nothing).
 *
 * libcurl: tc_pay_global_init() must be called once by main before any
 * thread starts (curl_global_init is not thread-safe); tc_notify needs the
 * same.
 *
 * Memory: a tc_pay is owned by the caller of tc_pay_open (free with
 * tc_pay_close).  Strings in results are allocated from the caller's tc_pool;
 * fixed-size fields live in the caller's struct.  A tc_pay may be used by
 * many threads at once.
 *
 * Errors (code, status): pay.config (500: a setting is missing or a key file
 * is unreadable), pay.bad_request (400: an order's fields are invalid),
 * pay.bad_signature (401: an answer or callback is not signed by the
 * provider), pay.stale (401: its timestamp is more than 5 minutes away),
 * pay.bad_callback (400: unreadable callback), pay.decrypt (401: the
 * resource does not decrypt with our key), pay.provider (502: the provider
 * refused; its code in the message), pay.unreachable (503), pay.not_found
 * (404: the provider has no such order), pay.order_paid (409: closing an
 * order the payer has paid).
 */
#ifndef TC_PAY_H
#define TC_PAY_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../config/tc_config.h"

/* Once per process, before threads: curl_global_init (for tc_pay and
 * tc_notify).  tc_pay_global_cleanup at exit. */
int tc_pay_global_init(tc_err *e);
void tc_pay_global_cleanup(void);

/* Size caps on everything that comes from outside. */
enum {
    TC_PAY_NO_MAX = 64,          /* out_trade_no, transaction ids, refund numbers (WeChat: <= 32/64) */
    TC_PAY_BODY_MAX = 64 * 1024, /* a callback or answer body */
    TC_PAY_CLOCK_SKEW = 300,     /* seconds: older or newer signed timestamps are refused */
};

/* An order to create at the provider. */
typedef struct tc_pay_order {
    const char *out_trade_no;    /* ours, unique, [A-Za-z0-9_-*|], 6..32 characters */
    int64_t amount_fen;          /* > 0 */
    const char *description;     /* shown to the payer, UTF-8, <= 127 bytes */
    const char *method;          /* "jsapi" (inside WeChat: needs openid), "h5" (other mobile browsers),
                                    NULL/"" = the provider's default (sandbox: its page; wechat: h5) */
    const char *openid;          /* jsapi: the payer's openid for our appid */
    const char *client_ip;       /* h5: the payer's IP address */
    int64_t expire_at;           /* 0 = the provider's default */
} tc_pay_order;

/* How the client starts paying (strings from the caller's pool). */
typedef struct tc_pay_launch {
    const char *kind;            /* "redirect": open url; "jsapi": call WeixinJSBridge with params */
    const char *url;             /* redirect: sandbox page or WeChat's h5_url */
    const char *params;          /* jsapi: JSON object {appId,timeStamp,nonceStr,package,signType,paySign} */
    const char *prepay_id;       /* jsapi: WeChat's prepay id ("" otherwise) */
} tc_pay_launch;

/* What the provider says happened: from a callback, a query or a refund.
 * Fixed-size so that it can be kept on the stack and compared.
 *
 * Idempotency: (kind, out_trade_no, transaction_id) names the fact; apply an
 * event to an order only if the order's state is not already the event's
 * outcome (e.g. UPDATE ... SET state='paid' WHERE out_trade_no=? AND
 * state='created'), then compare amount_fen with the order's amount: a
 * duplicate callback then changes nothing, and an order is paid once. */
typedef struct tc_pay_event {
    char kind[16];               /* "payment" or "refund" */
    char out_trade_no[TC_PAY_NO_MAX + 1];
    char transaction_id[TC_PAY_NO_MAX + 1];  /* provider's payment id */
    char state[24];              /* payment: SUCCESS, NOTPAY, CLOSED, REFUND, USERPAYING, PAYERROR, REVOKED;
                                    refund: SUCCESS, PROCESSING, CLOSED, ABNORMAL */
    int64_t amount_fen;          /* the order's total as the provider knows it */
    int64_t paid_at;             /* payment: success time (seconds), 0 if unknown */
    char out_refund_no[TC_PAY_NO_MAX + 1];   /* refund only */
    char refund_id[TC_PAY_NO_MAX + 1];
    int64_t refund_fen;
    char event_id[TC_PAY_NO_MAX + 1];        /* the callback's own id (log it; "" for queries) */
} tc_pay_event;

/* A refund request. */
typedef struct tc_pay_refund_req {
    const char *out_trade_no;
    const char *out_refund_no;   /* ours, unique per refund, 1..64 characters */
    int64_t refund_fen;          /* 0 < refund_fen <= total_fen */
    int64_t total_fen;           /* the order's amount */
    const char *reason;          /* shown to the payer; may be NULL */
} tc_pay_refund_req;

/* An incoming callback: the HTTP body and the provider's headers, as the
 * handler received them (NULL when absent). */
typedef struct tc_pay_callback {
    const char *body;
    size_t body_len;
    const char *timestamp;       /* Wechatpay-Timestamp */
    const char *nonce;           /* Wechatpay-Nonce */
    const char *signature;       /* Wechatpay-Signature, or X-Tucai-Sandbox-Signature */
    const char *serial;          /* Wechatpay-Serial */
    int64_t now;                 /* tc_now() */
} tc_pay_callback;

/* The provider: one struct of function pointers and its private state.
 * Public so that tests of other modules can plug in a fake provider. */
typedef struct tc_pay tc_pay;
struct tc_pay {
    const char *name;            /* "sandbox" or "wechat" (the pay_order.provider column) */
    int (*create)(tc_pay *p, tc_pool *pool, const tc_pay_order *o, tc_pay_launch *out, tc_err *e);
    int (*query)(tc_pay *p, const char *out_trade_no, tc_pay_event *out, tc_err *e);
    int (*refund)(tc_pay *p, const tc_pay_refund_req *r, tc_pay_event *out, tc_err *e);
    int (*parse_callback)(tc_pay *p, const tc_pay_callback *cb, tc_pay_event *out, tc_err *e);
    int (*close_order)(tc_pay *p, const char *out_trade_no, tc_err *e);
    void (*close)(tc_pay *p);
    void *impl;
};

/* Make the provider the configuration names (c->pay_provider).
 * sandbox_key: 32 bytes the app derives from its master secret (e.g. a
 * keyed hash of "tucai pay sandbox"); it signs and verifies sandbox
 * callbacks.  The wechat provider reads its key files now, so a bad setting
 * fails at start-up (pay.config), not at the first order. */
tc_pay *tc_pay_open(const tc_config *c, const uint8_t sandbox_key[32], tc_err *e);
void tc_pay_close(tc_pay *p);   /* NULL is fine */

/* The operations (thin wrappers over the table). */
int tc_pay_create(tc_pay *p, tc_pool *pool, const tc_pay_order *o, tc_pay_launch *out, tc_err *e);
int tc_pay_query(tc_pay *p, const char *out_trade_no, tc_pay_event *out, tc_err *e);
int tc_pay_refund(tc_pay *p, const tc_pay_refund_req *r, tc_pay_event *out, tc_err *e);
/* Close an unpaid order at the provider, so that the payer can no longer
 * pay it (WeChat Pay v3: POST /v3/pay/transactions/out-trade-no/{no}/close
 * with {"mchid"}, 204).  An order the provider never heard of is closed
 * already (0).  An order already paid there is refused (pay.order_paid,
 * 409): query it and apply the payment.  A provider without close_order
 * (a test's fake) has nothing to close. */
int tc_pay_close_order(tc_pay *p, const char *out_trade_no, tc_err *e);
/* Verify and read a callback (POST /api/v1/pay/notify/<provider>).  On
 * success answer 204 (WeChat: 200 or 204 with no body); on failure answer
 * the error's status with {"code":"FAIL","message":...} so the provider
 * retries later. */
int tc_pay_parse_callback(tc_pay *p, const tc_pay_callback *cb, tc_pay_event *out, tc_err *e);

/* ---- sandbox -------------------------------------------------------------- */

/* The sandbox's signature: lower-case hex HMAC-SHA256 under key over
 * "tucai-sandbox-v1\n<out_trade_no>\n<amount_fen>\n<txn>\n". */
void tc_pay_sandbox_sign(const uint8_t key[32], const char *out_trade_no, int64_t amount_fen, const char *txn,
                         char sig_hex[65]);
/* Constant-time check of a signature: 0 good, -1 pay.bad_signature. */
int tc_pay_sandbox_verify(const uint8_t key[32], const char *out_trade_no, int64_t amount_fen, const char *txn,
                          const char *sig_hex, tc_err *e);
/* The callback the sandbox page's Pay button makes the server send to itself
 * (POST /api/v1/pay/sandbox/:no/pay): a JSON body
 * {"out_trade_no","transaction_id","amount_fen","state":"SUCCESS","at"} (from
 * pool) and its signature, to pass as tc_pay_callback{body, signature} to
 * tc_pay_parse_callback on the sandbox provider.  txn: a fresh id, e.g.
 * "SBX" + random hex (tc_pay_sandbox_txn). */
const char *tc_pay_sandbox_callback(tc_pool *pool, const uint8_t key[32], const char *out_trade_no,
                                    int64_t amount_fen, const char *txn, int64_t now, char sig_hex[65]);
/* A fresh sandbox transaction id: "SBX" + 24 random hex characters. */
void tc_pay_sandbox_txn(char out[28]);

/* ---- WeChat Pay v3 helpers (exposed for tests and tools) ----------------------- */

/* The string every v3 signature covers: each part followed by '\n'.
 * Requests: METHOD, URL path with query, timestamp, nonce, body.
 * Answers and callbacks: timestamp, nonce, body. */
char *tc_pay_wx_message(tc_pool *pool, const char *const *parts, size_t n);

/* ---- WeChat web authorisation (公众号网页授权, scope snsapi_base) -------------------
 *
 * JSAPI payment inside WeChat needs the payer's openid for the order's AppID
 * (--wxpay-appid).  The browser is sent to WeChat's authorize page, which
 * comes back at once (snsapi_base asks the user nothing) to our redirect_uri
 * with ?code=CODE&state=STATE; the server trades the code (single use, 5
 * minutes) for the openid at <wxpay-oa-base-url>/sns/oauth2/access_token
 * with the Official Account's AppSecret (--wxpay-oa-secret).  Binding and
 * checking state is the caller's job (tc_api_wechat.c).
 *
 * Errors (code, status): wechat.bad_code (400: the code is not a code),
 * wechat.code_invalid (400: WeChat's 40029, invalid or expired code),
 * wechat.code_used (400: 40163, the code was used already),
 * wechat.refused (502: another errcode, e.g. a wrong AppSecret; the errcode in
 * the message), wechat.bad_answer (502: not JSON, or no openid),
 * wechat.unreachable (503: network failure or timeout).  Neither the secret
 * nor WeChat's access_token appears in any message or log line. */

enum {
    TC_PAY_OPENID_MAX = 128,     /* openids are 28 characters today; stored and sent bounded */
    TC_PAY_WX_STATE_MAX = 128,   /* WeChat passes state through when it is [A-Za-z0-9]{1,128} */
    TC_PAY_WX_CODE_MAX = 128,
};

/* Is JSAPI possible: the wechat provider with an AppID and an Official
 * Account AppSecret configured? */
int tc_pay_wx_oauth_on(const tc_config *c);
/* https://open.weixin.qq.com/connect/oauth2/authorize?appid=..&redirect_uri=
 * <percent-encoded>&response_type=code&scope=snsapi_base&state=..
 * #wechat_redirect, from pool.  state: [A-Za-z0-9]{1,128} (asserted). */
const char *tc_pay_wx_authorize_url(tc_pool *pool, const tc_config *c, const char *redirect_uri, const char *state);
/* Trade an authorisation code for the openid: one GET, 5 s to connect, 10 s
 * in all, an answer of at most 8 KiB.  openid: [A-Za-z0-9_-]{1,128}. */
int tc_pay_wx_code_openid(const tc_config *c, const char *code, char openid[TC_PAY_OPENID_MAX + 1], tc_err *e);
/* Is s an openid as WeChat writes them ([A-Za-z0-9_-]{1,128})? */
int tc_pay_wx_openid_valid(const char *s);

/* ---- daily reconciliation ------------------------------------------------------- */

typedef struct tc_pay_recon_order {
    const char *out_trade_no;
    int64_t amount_fen;
    const char *state;           /* ours: created, paid, closed, refunding, refunded */
} tc_pay_recon_order;

typedef struct tc_pay_recon_item {
    const char *out_trade_no;
    const char *problem;         /* paid_not_recorded (they took money, we do not know: apply it!),
                                    recorded_not_paid, amount_differs, refund_differs,
                                    missing_at_provider, query_failed */
    const char *ours;            /* our state */
    const char *theirs;          /* their state, or the error code for query_failed */
    int64_t our_fen, their_fen;
} tc_pay_recon_item;

/* Compare one order with the provider's view: NULL when they agree, else the
 * problem's name (see tc_pay_recon_item). */
const char *tc_pay_recon_compare(const tc_pay_recon_order *ours, const tc_pay_event *theirs);
/* Query every order and list the ones that disagree (from pool).  A failed
 * query is an item (query_failed), not an error: the report is still made.
 * Returns -1 only for bad arguments. */
int tc_pay_reconcile(tc_pay *p, tc_pool *pool, const tc_pay_recon_order *orders, size_t n, tc_pay_recon_item **out,
                     size_t *nout, tc_err *e);
/* The report as JSON text (from pool):
 * {"provider","at","checked":n,"mismatches":[{out_trade_no,problem,ours,theirs,our_fen,their_fen}]} */
const char *tc_pay_reconcile_json(tc_pool *pool, const char *provider, int64_t at, size_t checked,
                                  const tc_pay_recon_item *items, size_t nitems);

#endif
