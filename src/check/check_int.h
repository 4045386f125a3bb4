/*
 * Inside tc_check: how the framework (tc_check.c) calls each check.
 * Not part of the module's interface; only files of src/check and their unit
 * tests include it.
 *
 * A check function measures one requirement and fills, in r:
 *   score   0..100 (higher is better), or -1 when it cannot assess;
 *   value   its raw measurement (NAN if none);
 *   region  where it looked, work-copy pixels (w = 0: nowhere in particular);
 *   zh, en  the advice to show when it fails (or, with score -1, why it could
 *           not assess); the framework clears them when the check passes;
 *   match_ref (duplicate only).
 * It must not set verdict, threshold or skipped: the framework applies the
 * configuration.  It returns 0, or -1 with e set only for no memory.
 */
#ifndef TC_CHECK_INT_H
#define TC_CHECK_INT_H

#include "tc_check.h"

typedef struct check_ctx check_ctx; /* shared, lazily derived data (check_util.c) */

typedef int (*check_fn)(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r,
                        tc_err *e);

/* Fill the advice texts (printf-style, the same arguments for both). */
void check_say(tc_check_result *r, const char *zh_fmt, const char *en_fmt, ...);

/* Liveness / recapture, retouching and duplicates (check_liveness.c,
 * check_retouch.c, check_dup.c). */
int check_recapture(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e);
int check_retouch(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e);
int check_duplicate(check_ctx *x, const tc_check_input *in, const tc_check_config *c, tc_check_result *r, tc_err *e);

/* The face hash of this photo: an aligned, landmark-normalised crop of the
 * face reduced to a 256-bit perceptual hash.  -1 (no e) when there is no
 * mesh to align by. */
int check_face_hash(const tc_check_input *in, tc_check_hash *out);

#endif
