/* Unit tests: WeChat web authorisation's pieces that need no network — the
 * session's state (single use, expiry, bound to its session) and openid in
 * the store, the authorize URL, and the exchange refusing before any call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pay/tc_pay.h"
#include "store/tc_store.h"
#include "store_fixture.h"

typedef struct {
    tcx_tmp t;
    tc_store *s;
    tc_pool p;
    char sess[65], other[65];
} fx;

static void add_session(fx *f, char hash[65], int n, int64_t person)
{
    tc_err e;
    tc_store_session s = {.kind = "student", .person_id = person, .expires_at = tc_now() + 3600};
    snprintf(s.token_hash, sizeof s.token_hash, "%064d", n);
    snprintf(s.csrf, sizeof s.csrf, "csrf-token-value-123456");
    assert_int_equal(tc_store_session_create(f->s, &s, &e), 0);
    strcpy(hash, s.token_hash);
}

static int setup(void **st)
{
    fx *f = calloc(1, sizeof *f);
    f->s = tcx_store_open(&f->t, "wx");
    tc_err e;
    tc_pool_init(&f->p);
    *st = f;
    if (!f->s)
        return -1;
    uint8_t idh[32];
    int64_t p1, p2;
    memset(idh, 1, 32);
    assert_int_equal(tc_store_person_upsert(f->s, 0, idh, "13800138000", &p1, &e), 0);
    memset(idh, 2, 32);
    assert_int_equal(tc_store_person_upsert(f->s, 0, idh, "13900139000", &p2, &e), 0);
    add_session(f, f->sess, 1, p1);
    add_session(f, f->other, 2, p2);
    return 0;
}

static int teardown(void **st)
{
    fx *f = *st;
    tcx_store_remove(f->s, &f->t);
    tc_pool_clear(&f->p);
    free(f);
    return 0;
}

static void test_state(void **st)
{
    fx *f = *st;
    tc_err e;
    const char *back;
    char h1[65], h2[65];
    memset(h1, 'a', 64), h1[64] = 0;
    memset(h2, 'b', 64), h2[64] = 0;
    int64_t now = tc_now();
    assert_int_equal(tc_store_wx_state_put(f->s, f->sess, h1, now + 600, "/#/pay", &e), 0);
    /* wrong state, and the right state on another session: refused, kept */
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h2, now, &back, &e), -1);
    assert_string_equal(e.code, "wechat.bad_state");
    assert_int_equal(e.status, 403);
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->other, h1, now, &back, &e), -1);
    assert_string_equal(e.code, "wechat.bad_state");
    /* the right one, once */
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h1, now, &back, &e), 0);
    assert_string_equal(back, "/#/pay");
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h1, now, &back, &e), -1);
    assert_string_equal(e.code, "wechat.bad_state");
    /* an empty hash never matches the cleared column */
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, "", now, &back, &e), -1);
    assert_string_equal(e.code, "wechat.bad_state");
    /* expired: refused and used up all the same */
    assert_int_equal(tc_store_wx_state_put(f->s, f->sess, h2, now + 600, "/#/order/X", &e), 0);
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h2, now + 601, &back, &e), -1);
    assert_string_equal(e.code, "wechat.state_expired");
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h2, now, &back, &e), -1);
    assert_string_equal(e.code, "wechat.bad_state");
    /* a new state replaces the pending one */
    assert_int_equal(tc_store_wx_state_put(f->s, f->sess, h1, now + 600, "/", &e), 0);
    assert_int_equal(tc_store_wx_state_put(f->s, f->sess, h2, now + 600, "/", &e), 0);
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h1, now, &back, &e), -1);
    assert_int_equal(tc_store_wx_state_take(f->s, &f->p, f->sess, h2, now, &back, &e), 0);
    /* no such session */
    char none[65];
    snprintf(none, sizeof none, "%064d", 9);
    assert_int_equal(tc_store_wx_state_put(f->s, none, h1, now + 600, "/", &e), -1);
    assert_string_equal(e.code, "session.none");
}

static void test_openid(void **st)
{
    fx *f = *st;
    tc_err e;
    const char *o;
    assert_int_equal(tc_store_wx_openid_get(f->s, &f->p, f->sess, &o, &e), 0);
    assert_string_equal(o, "");
    assert_int_equal(tc_store_wx_openid_put(f->s, f->sess, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", &e), 0);
    assert_int_equal(tc_store_wx_openid_get(f->s, &f->p, f->sess, &o, &e), 0);
    assert_string_equal(o, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    assert_int_equal(tc_store_wx_openid_get(f->s, &f->p, f->other, &o, &e), 0);
    assert_string_equal(o, ""); /* another session knows nothing of it */
}

static void test_url_and_exchange_refusals(void **st)
{
    (void)st;
    tc_pool p;
    tc_pool_init(&p);
    tc_config c;
    memset(&c, 0, sizeof c);
    c.pay_provider = "wechat";
    c.wxpay_appid = "wxd678efh567hg6787";
    const char *u = tc_pay_wx_authorize_url(&p, &c, "https://photo.example.edu.cn/api/v1/wechat/oauth/callback", "ab12");
    assert_string_equal(u, "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wxd678efh567hg6787&redirect_uri="
                           "https%3A%2F%2Fphoto.example.edu.cn%2Fapi%2Fv1%2Fwechat%2Foauth%2Fcallback"
                           "&response_type=code&scope=snsapi_base&state=ab12#wechat_redirect");
    char openid[TC_PAY_OPENID_MAX + 1];
    tc_err e;
    /* no AppSecret: off */
    assert_int_equal(tc_pay_wx_oauth_on(&c), 0);
    assert_int_equal(tc_pay_wx_code_openid(&c, "abc", openid, &e), -1);
    assert_string_equal(e.code, "wechat.oauth_off");
    /* a code that is not a word never reaches the network (the base URL is unreachable on purpose) */
    c.wxpay_oa_secret = "secret";
    c.wxpay_oa_base_url = "http://127.0.0.1:1";
    assert_int_equal(tc_pay_wx_oauth_on(&c), 1);
    assert_int_equal(tc_pay_wx_code_openid(&c, "a&secret=x", openid, &e), -1);
    assert_string_equal(e.code, "wechat.bad_code");
    assert_int_equal(tc_pay_wx_code_openid(&c, "", openid, &e), -1);
    assert_string_equal(e.code, "wechat.bad_code");
    assert_int_equal(tc_pay_wx_openid_valid("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), 1);
    assert_int_equal(tc_pay_wx_openid_valid("o\"x"), 0);
    assert_int_equal(tc_pay_wx_openid_valid(""), 0);
    tc_pool_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_openid, setup, teardown),
        cmocka_unit_test(test_url_and_exchange_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
