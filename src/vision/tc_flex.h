/*
 * tc_flex — a small, bounded reader of FlexBuffers (the schema-less
 * encoding TensorFlow Lite uses for custom ops' options), private to the
 * vision module.
 *
 * It reads only what the engine needs: the root map, a value by key, a
 * number (int, uint, float, bool; inline or indirect) and an element of a
 * vector of numbers (typed or untyped).  Every offset, width and length is
 * checked against the buffer before it is followed, so a malformed or
 * hostile buffer yields -1, never a read outside buf[0..len).
 *
 * Ownership: a tc_flex_ref points into the caller's buffer and owns nothing.
 */
#ifndef TC_FLEX_H
#define TC_FLEX_H
#include <stddef.h>
#include <stdint.h>

/* FlexBuffers' own type numbering (the ones we name). */
enum {
    TC_FLEX_NULL = 0, TC_FLEX_INT = 1, TC_FLEX_UINT = 2, TC_FLEX_FLOAT = 3, TC_FLEX_KEY = 4,
    TC_FLEX_STRING = 5, TC_FLEX_INDIRECT_INT = 6, TC_FLEX_INDIRECT_UINT = 7, TC_FLEX_INDIRECT_FLOAT = 8,
    TC_FLEX_MAP = 9, TC_FLEX_VECTOR = 10, TC_FLEX_VECTOR_INT = 11, TC_FLEX_VECTOR_UINT = 12,
    TC_FLEX_VECTOR_FLOAT = 13, TC_FLEX_BOOL = 26,
};

/* A value: where its bytes are, how wide the slot holding it is, its type
 * and (for values reached through an offset) the width of its elements. */
typedef struct tc_flex_ref {
    const uint8_t *buf;
    size_t len;
    size_t pos;        /* slot holding the value (inline) or the offset to it */
    int slot_width;    /* 1, 2, 4 or 8 */
    int type;          /* TC_FLEX_* */
    int elem_width;    /* 1, 2, 4 or 8: width of the target's elements */
} tc_flex_ref;

/* The root value of buf[0..len); -1 if the buffer is malformed. */
int tc_flex_root(const uint8_t *buf, size_t len, tc_flex_ref *out);
/* The value under key in map m; -1 if m is not a map, the key is absent or
 * anything is out of bounds. */
int tc_flex_map_get(const tc_flex_ref *m, const char *key, tc_flex_ref *out);
/* A number as double (int, uint, float, bool, inline or indirect). */
int tc_flex_number(const tc_flex_ref *r, double *out);
/* Length of a vector (typed number vector or untyped vector). */
int tc_flex_vec_len(const tc_flex_ref *r, size_t *n);
/* Element i of a vector of numbers, as double. */
int tc_flex_vec_number(const tc_flex_ref *r, size_t i, double *out);
#endif
