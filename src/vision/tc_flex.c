/*
 * A bounded FlexBuffers reader; see tc_flex.h.  Written from the format's
 * description (flatbuffers' "FlexBuffers" internals page): values are
 * stored backwards from the end; the last byte is the root's width, the
 * one before it the root's packed type (type << 2 | log2 of the width of
 * what it points at).  A map's values are preceded by the offset to its
 * keys vector, the keys' width and its length; its packed types follow
 * its values.
 */
#include "vision/tc_flex.h"

#include <string.h>

/* An unsigned integer of width w at buf[pos]; -1 when out of bounds. */
static int read_u(const uint8_t *buf, size_t len, size_t pos, int w, uint64_t *out)
{
    if (w != 1 && w != 2 && w != 4 && w != 8)
        return -1;
    if (pos > len || len - pos < (size_t)w)
        return -1;
    uint64_t v = 0;
    for (int i = w - 1; i >= 0; i--)
        v = v << 8 | buf[pos + (size_t)i];
    *out = v;
    return 0;
}

static int read_i(const uint8_t *buf, size_t len, size_t pos, int w, int64_t *out)
{
    uint64_t u;
    if (read_u(buf, len, pos, w, &u))
        return -1;
    if (w < 8 && (u >> (8 * w - 1)) & 1)
        u |= ~(uint64_t)0 << (8 * w); /* sign-extend */
    *out = (int64_t)u;
    return 0;
}

static int read_f(const uint8_t *buf, size_t len, size_t pos, int w, double *out)
{
    uint64_t u;
    if ((w != 4 && w != 8) || read_u(buf, len, pos, w, &u))
        return -1;
    if (w == 4) {
        uint32_t b = (uint32_t)u;
        float f;
        memcpy(&f, &b, 4);
        *out = f;
    } else {
        double d;
        memcpy(&d, &u, 8);
        *out = d;
    }
    return 0;
}

/* Where the value of r (an offset type) starts. */
static int target(const tc_flex_ref *r, size_t *at)
{
    uint64_t off;
    if (read_u(r->buf, r->len, r->pos, r->slot_width, &off))
        return -1;
    if (off > r->pos)
        return -1;
    *at = r->pos - (size_t)off;
    return 0;
}

int tc_flex_root(const uint8_t *buf, size_t len, tc_flex_ref *out)
{
    if (!buf || len < 3)
        return -1;
    int w = buf[len - 1];
    if (w != 1 && w != 2 && w != 4 && w != 8)
        return -1;
    if (len < 2 + (size_t)w)
        return -1;
    uint8_t packed = buf[len - 2];
    out->buf = buf;
    out->len = len;
    out->pos = len - 2 - (size_t)w;
    out->slot_width = w;
    out->type = packed >> 2;
    out->elem_width = 1 << (packed & 3);
    return 0;
}

/* A vector's start, element width and length (stored just before it). */
static int vec_head(const tc_flex_ref *r, size_t *at, size_t *n)
{
    uint64_t cnt;
    if (target(r, at))
        return -1;
    int w = r->elem_width;
    if (*at < (size_t)w || read_u(r->buf, r->len, *at - (size_t)w, w, &cnt))
        return -1;
    /* every element needs w bytes after the start */
    if (cnt > (r->len - *at) / (size_t)w)
        return -1;
    *n = (size_t)cnt;
    return 0;
}

int tc_flex_map_get(const tc_flex_ref *m, const char *key, tc_flex_ref *out)
{
    if (m->type != TC_FLEX_MAP)
        return -1;
    size_t at, n;
    if (vec_head(m, &at, &n))
        return -1;
    int w = m->elem_width;
    /* the packed types follow the n values */
    if (n > m->len - at - n * (size_t)w)
        return -1;
    if (at < 3 * (size_t)w)
        return -1;
    uint64_t kw, koff;
    size_t kslot = at - 3 * (size_t)w;
    if (read_u(m->buf, m->len, kslot, w, &koff) || read_u(m->buf, m->len, at - 2 * (size_t)w, w, &kw))
        return -1;
    if (koff > kslot || (kw != 1 && kw != 2 && kw != 4 && kw != 8))
        return -1;
    size_t kat = kslot - (size_t)koff;
    uint64_t kn;
    if (kat < kw || read_u(m->buf, m->len, kat - kw, (int)kw, &kn) || kn != n)
        return -1;
    if (n > (m->len - kat) / kw)
        return -1;
    size_t klen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        size_t kpos = kat + i * kw;
        uint64_t so;
        if (read_u(m->buf, m->len, kpos, (int)kw, &so) || so > kpos)
            return -1;
        size_t s = kpos - (size_t)so;
        /* the key must be NUL-terminated inside the buffer */
        if (m->len - s < klen + 1)
            continue;
        if (memcmp(m->buf + s, key, klen) != 0 || m->buf[s + klen] != 0)
            continue;
        uint8_t packed = m->buf[at + n * (size_t)w + i];
        out->buf = m->buf;
        out->len = m->len;
        out->pos = at + i * (size_t)w;
        out->slot_width = w;
        out->type = packed >> 2;
        out->elem_width = 1 << (packed & 3);
        return 0;
    }
    return -1;
}

/* A number of type t stored at pos with width w. */
static int number_at(const uint8_t *buf, size_t len, size_t pos, int w, int t, double *out)
{
    int64_t i;
    uint64_t u;
    switch (t) {
    case TC_FLEX_INT:
        if (read_i(buf, len, pos, w, &i))
            return -1;
        *out = (double)i;
        return 0;
    case TC_FLEX_UINT:
    case TC_FLEX_BOOL:
        if (read_u(buf, len, pos, w, &u))
            return -1;
        *out = (double)u;
        return 0;
    case TC_FLEX_FLOAT:
        return read_f(buf, len, pos, w, out);
    default:
        return -1;
    }
}

int tc_flex_number(const tc_flex_ref *r, double *out)
{
    switch (r->type) {
    case TC_FLEX_INT:
    case TC_FLEX_UINT:
    case TC_FLEX_BOOL:
    case TC_FLEX_FLOAT:
        return number_at(r->buf, r->len, r->pos, r->slot_width, r->type, out);
    case TC_FLEX_INDIRECT_INT:
    case TC_FLEX_INDIRECT_UINT:
    case TC_FLEX_INDIRECT_FLOAT: {
        size_t at;
        if (target(r, &at))
            return -1;
        return number_at(r->buf, r->len, at, r->elem_width, r->type - TC_FLEX_INDIRECT_INT + TC_FLEX_INT, out);
    }
    default:
        return -1;
    }
}

int tc_flex_vec_len(const tc_flex_ref *r, size_t *n)
{
    size_t at;
    if (r->type != TC_FLEX_VECTOR && (r->type < TC_FLEX_VECTOR_INT || r->type > TC_FLEX_VECTOR_FLOAT))
        return -1;
    if (vec_head(r, &at, n))
        return -1;
    /* an untyped vector has one type byte per element after its values */
    if (r->type == TC_FLEX_VECTOR && *n > r->len - at - *n * (size_t)r->elem_width)
        return -1;
    return 0;
}

int tc_flex_vec_number(const tc_flex_ref *r, size_t i, double *out)
{
    size_t at, n;
    if (tc_flex_vec_len(r, &n) || i >= n || vec_head(r, &at, &n))
        return -1;
    int w = r->elem_width;
    size_t pos = at + i * (size_t)w;
    if (r->type == TC_FLEX_VECTOR) {
        uint8_t packed = r->buf[at + n * (size_t)w + i];
        tc_flex_ref e = {r->buf, r->len, pos, w, packed >> 2, 1 << (packed & 3)};
        return tc_flex_number(&e, out);
    }
    return number_at(r->buf, r->len, pos, w, r->type - TC_FLEX_VECTOR_INT + TC_FLEX_INT, out);
}
