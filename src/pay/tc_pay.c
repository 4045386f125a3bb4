/* tc_pay — see tc_pay.h: the table, the sandbox provider, reconciliation. */
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pay_int.h"

int tc_pay_global_init(tc_err *e)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return tc_err_internal(e, "curl_global_init failed");
    if (sodium_init() < 0)
        return tc_err_internal(e, "sodium_init failed");
    return 0;
}

void tc_pay_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- shared helpers --------------------------------------------------------------- */

int pay_no_valid(const char *no)
{
    if (!no)
        return 0;
    size_t n = strlen(no);
    if (n < 6 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = no[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '|' || c == '*'))
            return 0;
    }
    return 1;
}

size_t pay_sink_write(char *p, size_t sz, size_t nm, void *sink)
{
    pay_sink *k = sink;
    size_t n = sz * nm;
    if (k->body.len + n > k->max) {
        k->too_big = 1;
        return 0;
    }
    tc_buf_append(&k->body, p, n);
    return n;
}

int pay_copy(char *dst, size_t cap, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (n >= cap) {
        dst[0] = 0;
        return -1;
    }
    memcpy(dst, s, n + 1);
    return 0;
}

json_t *pay_json_parse(const char *body, size_t len, tc_err *e)
{
    if (!body || len == 0 || len > TC_PAY_BODY_MAX)
        return tc_err_set(e, TCE_PAY_BAD_CALLBACK),
               NULL;
    json_error_t je;
    /* the depth of what we accept is small; jansson bounds recursion itself */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        tc_err_set(e, TCE_PAY_BAD_CALLBACK_2);
        return NULL;
    }
    return j;
}

const char *pay_json_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t pay_json_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Non-empty valid UTF-8 of at most max bytes (WeChat's limits are in bytes). */
static int text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= max && tc_utf8_valid(s, n);
}

/* ---- the table ------------------------------------------------------------------------ */

tc_pay *tc_pay_open(const tc_config *c, const uint8_t sandbox_key[32], tc_err *e)
{
    const char *name = c->pay_provider && *c->pay_provider ? c->pay_provider : "sandbox";
    if (!strcmp(name, "sandbox")) {
        tc_log(TC_LOG_WARN, "payments: SANDBOX provider (demo, no money moves); set --pay-provider wechat to take money");
        return pay_sandbox_open(sandbox_key, e);
    }
    if (!strcmp(name, "wechat"))
        return pay_wechat_open(c, e);
    tc_err_set(e, TCE_PAY_CONFIG, name);
    return NULL;
}

void tc_pay_close(tc_pay *p)
{
    if (p)
        p->close(p);
}

int tc_pay_create(tc_pay *p, tc_pool *pool, const tc_pay_order *o, tc_pay_launch *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (!pay_no_valid(o->out_trade_no) || o->amount_fen <= 0 || !text_ok(o->description, 127))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST);
    return p->create(p, pool, o, out, e);
}

int tc_pay_query(tc_pay *p, const char *out_trade_no, tc_pay_event *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (!pay_no_valid(out_trade_no))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_2);
    return p->query(p, out_trade_no, out, e);
}

int tc_pay_refund(tc_pay *p, const tc_pay_refund_req *r, tc_pay_event *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (!pay_no_valid(r->out_trade_no) || !r->out_refund_no || !*r->out_refund_no ||
        strlen(r->out_refund_no) > TC_PAY_NO_MAX || r->refund_fen <= 0 || r->refund_fen > r->total_fen ||
        (r->reason && !text_ok(r->reason, 80)))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_3);
    return p->refund(p, r, out, e);
}

int tc_pay_close_order(tc_pay *p, const char *out_trade_no, tc_err *e)
{
    if (!pay_no_valid(out_trade_no))
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_2);
    if (!p->close_order)
        return 0;
    return p->close_order(p, out_trade_no, e);
}

int tc_pay_parse_callback(tc_pay *p, const tc_pay_callback *cb, tc_pay_event *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    return p->parse_callback(p, cb, out, e);
}

/* ---- sandbox ------------------------------------------------------------------------------- */

void tc_pay_sandbox_sign(const uint8_t key[32], const char *out_trade_no, int64_t amount_fen, const char *txn,
                         char sig_hex[65])
{
    /* fields joined by newlines, which none of them may contain, under a
     * version tag so that a later format cannot be confused with this one */
    char amount[24];
    snprintf(amount, sizeof amount, "%" PRId64, amount_fen);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    const char *parts[] = {"tucai-sandbox-v1", out_trade_no ? out_trade_no : "", amount, txn ? txn : ""};
    for (size_t i = 0; i < TC_ARRAY_LEN(parts); i++) {
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
    }
    uint8_t mac[32];
    crypto_auth_hmacsha256_final(&st, mac);
    tc_hex(mac, 32, sig_hex);
}

int tc_pay_sandbox_verify(const uint8_t key[32], const char *out_trade_no, int64_t amount_fen, const char *txn,
                          const char *sig_hex, tc_err *e)
{
    char want[65];
    tc_pay_sandbox_sign(key, out_trade_no, amount_fen, txn, want);
    if (!sig_hex || strlen(sig_hex) != 64 || !tc_ct_equal(want, sig_hex, 64))
        return tc_err_set(e, TCE_PAY_BAD_SIGNATURE);
    return 0;
}

const char *tc_pay_sandbox_callback(tc_pool *pool, const uint8_t key[32], const char *out_trade_no,
                                    int64_t amount_fen, const char *txn, int64_t now, char sig_hex[65])
{
    tc_pay_sandbox_sign(key, out_trade_no, amount_fen, txn, sig_hex);
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:I}", "out_trade_no", out_trade_no, "transaction_id", txn,
                          "amount_fen", (json_int_t)amount_fen, "state", "SUCCESS", "at", (json_int_t)now);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        abort(); /* out of memory, as tc_pool does */
    const char *r = tc_pool_strdup(pool, s);
    free(s);
    return r;
}

void tc_pay_sandbox_txn(char out[28])
{
    uint8_t r[12];
    randombytes_buf(r, sizeof r);
    memcpy(out, "SBX", 3);
    tc_hex(r, sizeof r, out + 3);
}

/* The sandbox remembers what it "charged" so that query, refund and the
 * reconciliation have something to look at.  It lives in the provider
 * instance (no global state) and is forgotten on restart: a demo. */
enum { SBX_MAX = 4096 };
typedef struct {
    char no[TC_PAY_NO_MAX + 1];
    char txn[TC_PAY_NO_MAX + 1];
    int64_t amount, refunded, at;
    int closed; /* closed unpaid (no txn, no amount): its page may not pay it any more */
} sbx_row;

typedef struct {
    tc_pay pay;
    uint8_t key[32];
    pthread_mutex_t mu;
    sbx_row *rows;
    size_t n, next; /* ring: the oldest is overwritten past SBX_MAX */
} sandbox;

static sbx_row *sbx_find(sandbox *s, const char *no)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->rows[i].no, no))
            return &s->rows[i];
    return NULL;
}

/* A new row, overwriting the oldest past SBX_MAX; the caller holds mu. */
static sbx_row *sbx_add(sandbox *s, const char *no)
{
    sbx_row *r = &s->rows[s->next];
    memset(r, 0, sizeof *r);
    pay_copy(r->no, sizeof r->no, no);
    s->next = (s->next + 1) % SBX_MAX;
    if (s->n < SBX_MAX)
        s->n++;
    return r;
}

static int sbx_create(tc_pay *p, tc_pool *pool, const tc_pay_order *o, tc_pay_launch *out, tc_err *e)
{
    sandbox *s = p->impl;
    pthread_mutex_lock(&s->mu);
    sbx_row *r = sbx_find(s, o->out_trade_no);
    int closed = r && r->closed;
    pthread_mutex_unlock(&s->mu);
    if (closed) /* as WeChat: a closed order number is not taken again */
        return tc_err_set(e, TCE_PAY_PROVIDER);
    out->kind = "redirect";
    out->url = tc_pool_printf(pool, "/pay/sandbox/%s", o->out_trade_no);
    out->params = "";
    out->prepay_id = "";
    return 0;
}

static void sbx_event(const sbx_row *r, tc_pay_event *out)
{
    strcpy(out->kind, "payment");
    pay_copy(out->out_trade_no, sizeof out->out_trade_no, r->no);
    pay_copy(out->transaction_id, sizeof out->transaction_id, r->txn);
    strcpy(out->state, r->closed ? "CLOSED" : r->refunded ? "REFUND" : "SUCCESS");
    out->amount_fen = r->amount;
    out->paid_at = r->at;
}

static int sbx_query(tc_pay *p, const char *no, tc_pay_event *out, tc_err *e)
{
    (void)e;
    sandbox *s = p->impl;
    pthread_mutex_lock(&s->mu);
    sbx_row *r = sbx_find(s, no);
    if (r)
        sbx_event(r, out);
    pthread_mutex_unlock(&s->mu);
    if (!r) {
        /* never paid (or paid before a restart: the sandbox forgets) */
        strcpy(out->kind, "payment");
        pay_copy(out->out_trade_no, sizeof out->out_trade_no, no);
        strcpy(out->state, "NOTPAY");
    }
    return 0;
}

static int sbx_refund(tc_pay *p, const tc_pay_refund_req *rq, tc_pay_event *out, tc_err *e)
{
    sandbox *s = p->impl;
    pthread_mutex_lock(&s->mu);
    sbx_row *r = sbx_find(s, rq->out_trade_no);
    int ok = r && !r->closed && r->refunded + rq->refund_fen <= r->amount;
    if (ok) {
        r->refunded += rq->refund_fen;
        strcpy(out->kind, "refund");
        pay_copy(out->out_trade_no, sizeof out->out_trade_no, r->no);
        pay_copy(out->transaction_id, sizeof out->transaction_id, r->txn);
        pay_copy(out->out_refund_no, sizeof out->out_refund_no, rq->out_refund_no);
        snprintf(out->refund_id, sizeof out->refund_id, "SBXR-%s", rq->out_refund_no);
        strcpy(out->state, "SUCCESS");
        out->amount_fen = r->amount;
        out->refund_fen = rq->refund_fen;
    }
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        return tc_err_set(e, TCE_PAY_PROVIDER_2);
    return 0;
}

static int sbx_parse_callback(tc_pay *p, const tc_pay_callback *cb, tc_pay_event *out, tc_err *e)
{
    sandbox *s = p->impl;
    json_t *j = pay_json_parse(cb->body, cb->body_len, e);
    if (!j)
        return -1;
    const char *no = pay_json_str(j, "out_trade_no"), *txn = pay_json_str(j, "transaction_id"),
               *state = pay_json_str(j, "state");
    int64_t amount = pay_json_int(j, "amount_fen"), at = pay_json_int(j, "at");
    int rc = -1;
    /* the sandbox only ever reports a success; a body without "state" (as
     * the first version sent) means one */
    if (!pay_no_valid(no) || !txn || strlen(txn) > TC_PAY_NO_MAX || amount <= 0 || (state && strcmp(state, "SUCCESS"))) {
        tc_err_set(e, TCE_PAY_BAD_CALLBACK_3);
        goto out;
    }
    if (tc_pay_sandbox_verify(s->key, no, amount, txn, cb->signature, e) != 0)
        goto out;
    strcpy(out->kind, "payment");
    pay_copy(out->out_trade_no, sizeof out->out_trade_no, no);
    pay_copy(out->transaction_id, sizeof out->transaction_id, txn);
    strcpy(out->state, "SUCCESS");
    out->amount_fen = amount;
    out->paid_at = at > 0 ? at : cb->now;
    pay_copy(out->event_id, sizeof out->event_id, txn);
    pthread_mutex_lock(&s->mu);
    sbx_row *r = sbx_find(s, no);
    int closed = r && r->closed;
    if (!r) {
        r = sbx_add(s, no);
        pay_copy(r->txn, sizeof r->txn, txn);
        r->amount = amount;
        r->at = out->paid_at;
    }
    pthread_mutex_unlock(&s->mu);
    if (closed) {
        /* the sandbox takes no money for an order it closed, as WeChat does not */
        tc_err_set(e, TCE_PAY_PROVIDER);
        goto out;
    }
    rc = 0;
out:
    json_decref(j);
    return rc;
}

/* The sandbox's close: remember the number as closed (its page then refuses
 * to pay it); an order it already took money for is refused, as WeChat's
 * ORDERPAID. */
static int sbx_close_order(tc_pay *p, const char *no, tc_err *e)
{
    sandbox *s = p->impl;
    pthread_mutex_lock(&s->mu);
    sbx_row *r = sbx_find(s, no);
    int paid = r && !r->closed;
    if (!r)
        sbx_add(s, no)->closed = 1;
    pthread_mutex_unlock(&s->mu);
    if (paid)
        return tc_err_set(e, TCE_PAY_ORDER_PAID);
    return 0;
}

static void sbx_close(tc_pay *p)
{
    sandbox *s = p->impl;
    pthread_mutex_destroy(&s->mu);
    sodium_memzero(s->key, sizeof s->key);
    free(s->rows);
    free(s);
}

tc_pay *pay_sandbox_open(const uint8_t key[32], tc_err *e)
{
    sandbox *s = calloc(1, sizeof *s);
    if (!s || !(s->rows = calloc(SBX_MAX, sizeof *s->rows))) {
        free(s);
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    memcpy(s->key, key, 32);
    pthread_mutex_init(&s->mu, NULL);
    s->pay = (tc_pay){.name = "sandbox", .create = sbx_create, .query = sbx_query, .refund = sbx_refund,
                      .parse_callback = sbx_parse_callback, .close_order = sbx_close_order, .close = sbx_close,
                      .impl = s};
    return &s->pay;
}

/* ---- WeChat helper ------------------------------------------------------------------------ */

char *tc_pay_wx_message(tc_pool *pool, const char *const *parts, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    char *s = tc_pool_alloc(pool, len), *q = s;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);
        memcpy(q, parts[i], k);
        q += k;
        *q++ = '\n';
    }
    *q = 0;
    return s;
}

/* ---- reconciliation ------------------------------------------------------------------------- */

const char *tc_pay_recon_compare(const tc_pay_recon_order *ours, const tc_pay_event *theirs)
{
    const char *os = ours->state ? ours->state : "";
    const char *ts = theirs->state;
    int they_paid = !strcmp(ts, "SUCCESS"), they_refunded = !strcmp(ts, "REFUND");
    int we_paid = !strcmp(os, "paid"), we_refunded = !strcmp(os, "refunded") || !strcmp(os, "refunding");
    if ((they_paid || they_refunded) && theirs->amount_fen != ours->amount_fen)
        return "amount_differs";
    if (they_paid && !we_paid)
        return we_refunded ? "refund_differs" : "paid_not_recorded";
    if (they_refunded && !we_refunded)
        return we_paid ? "refund_differs" : "paid_not_recorded";
    if (!they_paid && !they_refunded && (we_paid || we_refunded))
        return "recorded_not_paid";
    return NULL;
}

int tc_pay_reconcile(tc_pay *p, tc_pool *pool, const tc_pay_recon_order *orders, size_t n, tc_pay_recon_item **out,
                     size_t *nout, tc_err *e)
{
    *out = NULL;
    *nout = 0;
    if (n && !orders)
        return tc_err_set(e, TCE_PAY_BAD_REQUEST_4);
    tc_pay_recon_item *items = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const tc_pay_recon_order *o = &orders[i];
        tc_pay_event ev;
        tc_err qe;
        tc_err_clear(&qe);
        const char *problem = NULL, *theirs = "";
        int64_t their_fen = 0;
        if (tc_pay_query(p, o->out_trade_no, &ev, &qe) != 0) {
            int ours_money = o->state && (!strcmp(o->state, "paid") || !strncmp(o->state, "refund", 6));
            if (!strcmp(qe.code, "pay.not_found")) {
                problem = ours_money ? "missing_at_provider" : NULL; /* never opened the pay page: fine */
                theirs = "NOT_FOUND";
            } else {
                problem = "query_failed";
                theirs = tc_pool_strdup(pool, qe.code);
            }
        } else {
            problem = tc_pay_recon_compare(o, &ev);
            theirs = tc_pool_strdup(pool, ev.state);
            their_fen = ev.amount_fen;
        }
        if (!problem)
            continue;
        if (*nout == cap) {
            cap = cap ? cap * 2 : 8;
            tc_pay_recon_item *g = tc_pool_alloc(pool, cap * sizeof *g);
            if (*nout)
                memcpy(g, items, *nout * sizeof *g);
            items = g;
        }
        items[(*nout)++] = (tc_pay_recon_item){.out_trade_no = tc_pool_strdup(pool, o->out_trade_no ? o->out_trade_no : ""),
                                               .problem = problem,
                                               .ours = tc_pool_strdup(pool, o->state ? o->state : ""),
                                               .theirs = theirs,
                                               .our_fen = o->amount_fen,
                                               .their_fen = their_fen};
    }
    *out = items;
    return 0;
}

const char *tc_pay_reconcile_json(tc_pool *pool, const char *provider, int64_t at, size_t checked,
                                  const tc_pay_recon_item *items, size_t nitems)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < nitems; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "out_trade_no", items[i].out_trade_no,
                                             "problem", items[i].problem, "ours", items[i].ours, "theirs",
                                             items[i].theirs, "our_fen", (json_int_t)items[i].our_fen, "their_fen",
                                             (json_int_t)items[i].their_fen));
    json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "provider", provider ? provider : "", "at", (json_int_t)at, "checked",
                          (json_int_t)checked, "mismatches", arr);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        abort();
    const char *r = tc_pool_strdup(pool, s);
    free(s);
    return r;
}
