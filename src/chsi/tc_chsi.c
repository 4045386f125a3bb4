/* tc_chsi — the 采集码 behind a resolver.  See tc_chsi.h. */
#include <string.h>

#include "tc_chsi.h"

static int bad_code(tc_err *e)
{
    return tc_err_set(e, TCE_CHSI_BAD_CODE);
}

static int opaque_canon(void *ctx, const char *raw, char *out, size_t outsz, tc_err *e)
{
    (void)ctx;
    while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
        raw++;
    size_t n = strnlen(raw, TC_CHSI_MAX + 2);
    while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t' || raw[n - 1] == '\r' || raw[n - 1] == '\n'))
        n--;
    if (n < TC_CHSI_MIN || n > TC_CHSI_MAX || n >= outsz || !tc_utf8_valid(raw, n))
        return bad_code(e);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c <= 0x20 || c == 0x7f)
            return bad_code(e);
    }
    memcpy(out, raw, n);
    out[n] = 0;
    return 0;
}

static const tc_chsi_resolver OPAQUE = {"opaque", NULL, opaque_canon};

const tc_chsi_resolver *tc_chsi_opaque(void)
{
    return &OPAQUE;
}

int tc_chsi_canon(const tc_chsi_resolver *r, const char *raw, char out[TC_CHSI_MAX + 1], tc_err *e)
{
    if (!r)
        r = &OPAQUE;
    return r->canon(r->ctx, raw ? raw : "", out, TC_CHSI_MAX + 1, e);
}

void tc_chsi_key(const tc_ident_keys *k, const char *code, uint8_t out[TC_IDENT_HASHLEN])
{
    tc_ident_hash(k, "chsi", code, out);
}
