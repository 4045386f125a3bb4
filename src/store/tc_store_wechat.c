/* tc_store — WeChat web authorisation on the session (see the "WeChat web
 * authorisation" section of tc_store.h; columns of schema 5). */
#include <string.h>

#include "store_int.h"

static int no_session(tc_err *e)
{
    return tc_err_set(e, TCE_SESSION_NONE);
}

int tc_store_wx_state_put(tc_store *s, const char *token_hash, const char *state_hash, int64_t until,
                          const char *return_to, tc_err *e)
{
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE session SET wx_state_hash = ?, wx_state_until = ?, wx_return = ?"
                                   " WHERE token_hash = ?",
                                   "siss", state_hash, until, return_to, token_hash);
    return ch < 0 ? -1 : ch == 0 ? no_session(e) : 0;
}

/* What a state put on the session said. */
typedef struct {
    int64_t until;
    const char *return_to;
} wx_state;

static void read_wx_state(tc_pool *p, store_stmt *st, void *o_)
{
    wx_state *o = o_;
    store_cols(p, st, 0, "is", &o->until, &o->return_to);
}

int tc_store_wx_state_take(tc_store *s, tc_pool *p, const char *token_hash, const char *state_hash, int64_t now,
                           const char **return_to, tc_err *e)
{
    *return_to = "";
    /* one statement clears and reads: of two callbacks with the same state
     * only one finds it.  RETURNING shows the row as updated, so only the
     * hash is cleared (that alone makes the state unusable) and the other two
     * columns still hold what was put. */
    wx_state v;
    int rc = store_get(s, p, read_wx_state, &v, e,
                       "UPDATE session SET wx_state_hash = ''"
                       " WHERE token_hash = ? AND wx_state_hash = ? AND wx_state_hash <> ''"
                       " RETURNING wx_state_until, wx_return",
                       "ss", token_hash, state_hash);
    if (rc == 1)
        return tc_err_set(e, TCE_WECHAT_BAD_STATE);
    if (rc == 0 && v.until < now)
        return tc_err_set(e, TCE_WECHAT_STATE_EXPIRED);
    if (rc == 0)
        *return_to = v.return_to;
    return rc;
}

int tc_store_wx_openid_put(tc_store *s, const char *token_hash, const char *openid, tc_err *e)
{
    int64_t ch = store_run_changes(s, e, "UPDATE session SET wx_openid = ? WHERE token_hash = ?", "ss", openid,
                                   token_hash);
    return ch < 0 ? -1 : ch == 0 ? no_session(e) : 0;
}

int tc_store_wx_openid_get(tc_store *s, tc_pool *p, const char *token_hash, const char **openid, tc_err *e)
{
    *openid = "";
    int rc = store_get(s, p, store_read_text, openid, e, "SELECT wx_openid FROM session WHERE token_hash = ?", "s",
                       token_hash);
    return rc == 1 ? no_session(e) : rc;
}
