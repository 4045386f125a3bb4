/* Inside tc_pay: what the provider files share.  Not part of the interface. */
#ifndef TC_PAY_INT_H
#define TC_PAY_INT_H

#include <jansson.h>

#include "tc_pay.h"

tc_pay *pay_sandbox_open(const uint8_t key[32], tc_err *e);
tc_pay *pay_wechat_open(const tc_config *c, tc_err *e);

/* Is no a valid order number: 6..32 of [A-Za-z0-9_-|*] (WeChat's rule, ours too)? */
int pay_no_valid(const char *no);
/* Copy s into a fixed field; 0, or -1 when it does not fit (the caller refuses the input). */
int pay_copy(char *dst, size_t cap, const char *s);
/* Parse JSON text of at most TC_PAY_BODY_MAX bytes; NULL with pay.bad_callback. */
json_t *pay_json_parse(const char *body, size_t len, tc_err *e);
/* A string/integer member, or NULL/-1 when absent or of another type. */
const char *pay_json_str(json_t *o, const char *key);
int64_t pay_json_int(json_t *o, const char *key);

/* An HTTP answer's body, bounded: a curl CURLOPT_WRITEFUNCTION with the sink
 * as its CURLOPT_WRITEDATA.  Past max bytes it aborts the transfer and sets
 * too_big (an answer that big is not WeChat's).  body is the caller's
 * (tc_buf_init before, tc_buf_free after). */
typedef struct {
    tc_buf body;
    size_t max;
    int too_big;
} pay_sink;
size_t pay_sink_write(char *p, size_t sz, size_t nm, void *sink);

#endif
