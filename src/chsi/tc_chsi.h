/*
 * tc_chsi — what a 学信网 图像采集码 (the CHSI image-collection code a student
 * fetches from 学信档案) is to tucai.
 *
 * The code is an encrypted string whose format is not public.  tucai never
 * interprets it by itself: a resolver does.  The default resolver is
 * "opaque": it only bounds the text (length, characters) and gives the
 * canonical form that is hashed for lookups (tc_chsi_key) and sealed for the
 * 学信网 upload list.  An authorised collector who holds CHSI's decoder plugs
 * in a resolver of its own (this table of function pointers: its canon
 * decodes and returns the canonical code).  No resolver here pretends to
 * decode.
 *
 * Thread-safe as long as the resolver's functions are (the opaque one keeps
 * no state).
 *
 * Owns: nothing allocated.  A resolver is a static table (tc_chsi_opaque)
 * or the collector's, owned by whoever installs it (main).
 */
#ifndef TC_CHSI_H
#define TC_CHSI_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"
#include "../ident/tc_ident.h"

enum {
    TC_CHSI_MIN = 6,   /* bytes of a code, at least (opaque bound)          */
    TC_CHSI_MAX = 256, /* bytes of a code, at most (= the roster's cell cap) */
};

typedef struct tc_chsi_resolver {
    const char *name; /* "opaque", or the decoder's name (logs, docs)          */
    void *ctx;        /* the resolver's own; owned by whoever made the table   */
    /* The canonical form of a code as scanned or typed, into out (outsz
     * bytes); refuse (chsi.bad_code, 400) what cannot be a code. */
    int (*canon)(void *ctx, const char *raw, char *out, size_t outsz, tc_err *e);
} tc_chsi_resolver;

/* The default resolver (static; never freed): trims surrounding white space,
 * then TC_CHSI_MIN..TC_CHSI_MAX bytes of valid UTF-8 with no white space or
 * control character inside, returned unchanged. */
const tc_chsi_resolver *tc_chsi_opaque(void);

/* r->canon (r NULL = opaque).  out needs TC_CHSI_MAX + 1 bytes. */
int tc_chsi_canon(const tc_chsi_resolver *r, const char *raw, char out[TC_CHSI_MAX + 1], tc_err *e);
/* The lookup key of a canonical code: the keyed hash (domain "chsi") that the
 * student table's chsi_hash holds. */
void tc_chsi_key(const tc_ident_keys *k, const char *code, uint8_t out[TC_IDENT_HASHLEN]);

#endif
