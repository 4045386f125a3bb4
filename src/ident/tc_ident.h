/*
 * tc_ident — who is who: Chinese resident ID numbers, secrets at rest,
 * passwords, session and CSRF tokens, masking for display.
 *
 * ID numbers are personal data.  They are stored encrypted (XChaCha20-
 * Poly1305 with a key from configuration) and looked up through a keyed hash
 * (BLAKE2b with a second key), so a stolen database file shows neither the
 * numbers nor a way to test guesses against them.  Everything shown to a
 * person is masked.
 *
 * Owns: nothing long-lived.  Keys (tc_ident_keys) are values the caller
 * keeps; sealed and opened buffers are malloc'ed for the caller to free.
 */
#ifndef TC_IDENT_H
#define TC_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

/* ---- ID numbers ------------------------------------------------------------ */

/* Normalise an ID number in place: trim, upper-case 'x', full-width digits and
 * brackets to ASCII.  Returns s. */
char *tc_ident_idnum_normalize(char *s);

/* Validate a normalised ID number.  18-digit resident IDs (GB 11643-1999) must
 * have a valid date and check digit; other documents (Hong Kong/Macau/Taiwan
 * permits, passports) are accepted as 6-20 characters of A-Z, 0-9 and
 * brackets, because the roster may carry them.  Errors: idnum.empty,
 * idnum.bad_chars, idnum.bad_length, idnum.bad_date, idnum.bad_checksum. */
int tc_ident_idnum_validate(const char *id, tc_err *e);

/* The "last 4" the student types (seed 004): the last four characters, where
 * a complete bracket pair "(x)" counts as 2 characters, i.e. "A123456(7)"
 * has last 4 "56(7)".  Writes at most 15 bytes + NUL into out. */
void tc_ident_idnum_last4(const char *id, char out[16]);
/* Compare what the student typed (normalised here) with the ID's last 4. */
int tc_ident_idnum_last4_matches(const char *id, const char *typed);

/* Masked for display: first 3 and last 2 kept, e.g. "320***********123X" ->
 * "320*************3X".  out must hold strlen(id)+1 bytes (at most 32). */
void tc_ident_idnum_mask(const char *id, char out[32]);

/* Name masked as 学信网 shows it: "张三" -> "张*", "吴小兰" -> "吴*兰",
 * "欧阳娜娜" -> "欧**娜".  Works on UTF-8 code points. out >= strlen+1. */
void tc_ident_name_mask(const char *name, char *out, size_t outsz);

/* Phone: mainland mobile, 11 digits starting with 1[3-9]. */
int tc_ident_phone_validate(const char *phone, tc_err *e);

/* ---- keys and secrets at rest ---------------------------------------------------- */

enum { TC_IDENT_KEYLEN = 32, TC_IDENT_HASHLEN = 32 };

typedef struct tc_ident_keys {
    uint8_t enc[TC_IDENT_KEYLEN];  /* secretbox key for personal data        */
    uint8_t mac[TC_IDENT_KEYLEN];  /* keyed-hash key for lookups             */
} tc_ident_keys;

/* Derive both keys from a master secret (hex or base64 of >= 32 bytes, or any
 * passphrase of >= 16 characters).  Errors: config.bad_secret. */
int tc_ident_keys_derive(tc_ident_keys *k, const char *master, tc_err *e);
/* A new random master secret, 64 hex characters + NUL. */
void tc_ident_keys_generate_master(char out[65]);

/* Keyed hash of a normalised value, for lookup columns. */
void tc_ident_hash(const tc_ident_keys *k, const char *domain, const char *value, uint8_t out[TC_IDENT_HASHLEN]);
/* Encrypt a string: output is nonce || ciphertext, malloc'ed, caller frees. */
int tc_ident_seal(const tc_ident_keys *k, const char *plain, uint8_t **out, size_t *outlen, tc_err *e);
/* Decrypt what tc_ident_seal made; *plain malloc'ed NUL-terminated, caller frees. */
int tc_ident_open(const tc_ident_keys *k, const uint8_t *sealed, size_t len, char **plain, tc_err *e);

/* ---- passwords and tokens ---------------------------------------------------------- */

enum { TC_IDENT_PWHASH_LEN = 128, TC_IDENT_TOKEN_LEN = 43 /* base64url of 32 bytes */ };

/* argon2id (libsodium's interactive limits). out is the encoded string. */
int tc_ident_password_hash(const char *password, char out[TC_IDENT_PWHASH_LEN], tc_err *e);
int tc_ident_password_verify(const char *encoded, const char *password); /* 1 = match */
/* Policy for staff passwords: >= 10 characters, not all of one class. */
int tc_ident_password_policy(const char *password, tc_err *e);

/* Random URL-safe token (session ids, CSRF tokens): 43 chars + NUL. */
void tc_ident_token_new(char out[TC_IDENT_TOKEN_LEN + 1]);
/* Hash of a token for storage (sessions are stored hashed). 64 hex + NUL. */
void tc_ident_token_hash(const char *token, char out[65]);

#endif
