/* Fuzz target for the request-body parsers of tc_http.
 * Input: the first line (up to '\n') is the Content-Type header value, the
 * rest is the body.  The same body also goes through the urlencoded parser.
 * Every part returned must lie within the pool and be NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/tc_http.h"

/* Explicit checks, not assert(): they must hold in release fuzz builds too. */
static void check(const tc_http_part *parts, size_t n)
{
    if (n > 32)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!parts[i].name || strlen(parts[i].name) > 1024 || !parts[i].data || parts[i].data[parts[i].len] != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t ctl = nl ? (size_t)(nl - in) : size;
    char *ct = malloc(ctl + 1);
    memcpy(ct, in, ctl);
    ct[ctl] = 0;
    size_t blen = nl ? size - ctl - 1 : 0;
    /* a separate copy so that reads past the end are caught by ASan */
    char *body = malloc(blen ? blen : 1);
    if (blen)
        memcpy(body, nl + 1, blen);

    tc_pool p;
    tc_pool_init(&p);
    tc_http_part *parts;
    size_t n;
    tc_err e;
    if (tc_http_parse_multipart(&p, ct, body, blen, &parts, &n, &e) == 0)
        check(parts, n);
    else if (!e.code[0] || e.status < 400) /* every refusal says why */
        abort();
    if (tc_http_parse_urlencoded(&p, body, blen, &parts, &n, &e) == 0)
        check(parts, n);
    tc_pool_clear(&p);
    free(body);
    free(ct);
    return 0;
}
