/* tc_ident — see tc_ident.h. */
#include "tc_ident.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ID numbers ------------------------------------------------------------ */

char *tc_ident_idnum_normalize(char *s)
{
    char *t = tc_str_trim(s);
    char *w = s;
    for (const unsigned char *p = (const unsigned char *)t; *p;) {
        /* full-width digits/letters U+FF10..U+FF5A are EF BC 90.. / EF BD 80.. */
        if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2]) {
            unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                *w++ = (char)(cp - 0xFF01 + 0x21);
                p += 3;
                continue;
            }
        }
        if (*p == ' ' || *p == '-') { /* people type spaces and dashes into long numbers */
            p++;
            continue;
        }
        *w++ = (char)toupper(*p);
        p++;
    }
    *w = 0;
    return s;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tc_ident_idnum_validate(const char *id, tc_err *e)
{
    size_t n = strlen(id);
    if (n == 0)
        return tc_err_set(e, TCE_IDNUM_EMPTY);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)id[i]) && !isupper((unsigned char)id[i]) && id[i] != '(' && id[i] != ')')
            return tc_err_set(e, TCE_IDNUM_BAD_CHARS);
    int digits17 = n == 18;
    for (size_t i = 0; digits17 && i < 17; i++)
        digits17 = isdigit((unsigned char)id[i]);
    if (!digits17) {
        /* Not a mainland resident ID: passports and HK/Macau/Taiwan permits. */
        if (n < 6 || n > 20)
            return tc_err_set(e, TCE_IDNUM_BAD_LENGTH);
        int has_digit = 0;
        for (size_t i = 0; i < n; i++)
            has_digit |= isdigit((unsigned char)id[i]) != 0;
        if (!has_digit)
            return tc_err_set(e, TCE_IDNUM_BAD_CHARS);
        return 0;
    }
    int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    int m = (id[10] - '0') * 10 + (id[11] - '0');
    int d = (id[12] - '0') * 10 + (id[13] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1850 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return tc_err_set(e, TCE_IDNUM_BAD_DATE);
    /* GB 11643-1999: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 -> 'X' */
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * w[i];
    int c = (12 - sum % 11) % 11;
    char want = c == 10 ? 'X' : (char)('0' + c);
    if (id[17] != want)
        return tc_err_set(e, TCE_IDNUM_BAD_CHECKSUM);
    return 0;
}

void tc_ident_idnum_last4(const char *id, char out[16])
{
    /* Walk backwards counting characters, where "(x)" counts as 2 (seed 004). */
    size_t n = strlen(id), i = n;
    int count = 0;
    while (i > 0 && count < 4) {
        if (id[i - 1] == ')') {
            size_t j = i - 1;
            while (j > 0 && id[j - 1] != '(')
                j--;
            if (j == 0) { /* unmatched ')': count it as one character */
                i--;
                count++;
                continue;
            }
            i = j - 1;
            count += 2;
        } else {
            i--;
            count++;
        }
    }
    size_t len = n - i;
    if (len > 15) {
        i = n - 15;
        len = 15;
    }
    memcpy(out, id + i, len);
    out[len] = 0;
}

int tc_ident_idnum_last4_matches(const char *id, const char *typed)
{
    char want[16], got[64];
    tc_ident_idnum_last4(id, want);
    snprintf(got, sizeof got, "%s", typed);
    tc_ident_idnum_normalize(got);
    size_t a = strlen(want), b = strlen(got);
    /* compare the padded buffers in constant time, so timing tells nothing */
    char pa[16] = {0}, pb[16] = {0};
    memcpy(pa, want, a);
    memcpy(pb, got, b < 15 ? b : 15);
    return a == b && a > 0 && tc_ct_equal(pa, pb, sizeof pa);
}

void tc_ident_idnum_mask(const char *id, char out[32])
{
    size_t n = strlen(id);
    if (n > 31)
        n = 31;
    for (size_t i = 0; i < n; i++)
        out[i] = (i < 3 || i + 2 >= n) ? id[i] : '*';
    if (n <= 5) /* too short to show anything safely */
        for (size_t i = 0; i < n; i++)
            out[i] = '*';
    out[n] = 0;
}

void tc_ident_name_mask(const char *name, char *out, size_t outsz)
{
    /* Split into code points; keep the first and (for 3+) the last. */
    const char *cp[64];
    size_t cl[64], k = 0;
    for (const char *p = name; *p && k < 64;) {
        size_t l = 1;
        unsigned char c = (unsigned char)*p;
        if (c >= 0xF0)
            l = 4;
        else if (c >= 0xE0)
            l = 3;
        else if (c >= 0xC0)
            l = 2;
        for (size_t i = 1; i < l; i++)
            if (!p[i]) {
                l = i;
                break;
            }
        cp[k] = p;
        cl[k++] = l;
        p += l;
    }
    tc_buf b;
    tc_buf_init(&b);
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || (k >= 3 && i == k - 1))
            tc_buf_append(&b, cp[i], cl[i]);
        else
            tc_buf_append(&b, "*", 1);
    }
    snprintf(out, outsz, "%s", b.data ? b.data : "");
    tc_buf_free(&b);
}

int tc_ident_phone_validate(const char *phone, tc_err *e)
{
    size_t n = strlen(phone);
    int ok = n == 11 && phone[0] == '1' && phone[1] >= '3' && phone[1] <= '9';
    for (size_t i = 0; ok && i < n; i++)
        ok = isdigit((unsigned char)phone[i]);
    if (!ok)
        return tc_err_set(e, TCE_PHONE_INVALID);
    return 0;
}

/* ---- keys ------------------------------------------------------------------------ */

int tc_ident_keys_derive(tc_ident_keys *k, const char *master, tc_err *e)
{
    size_t n = master ? strlen(master) : 0;
    if (n < 16)
        return tc_err_set(e, TCE_CONFIG_BAD_SECRET);
    /* Stretch the master into a root key with a fixed salt: the master is
     * already high-entropy in any sane deployment, so a fast KDF suffices;
     * BLAKE2b keyed with the domain keeps enc and mac keys independent. */
    uint8_t root[32];
    crypto_generichash(root, sizeof root, (const uint8_t *)master, n, (const uint8_t *)"tucai master key v1", 19);
    crypto_kdf_derive_from_key(k->enc, sizeof k->enc, 1, "tcpiienc", root);
    crypto_kdf_derive_from_key(k->mac, sizeof k->mac, 2, "tcpiimac", root);
    sodium_memzero(root, sizeof root);
    return 0;
}

void tc_ident_keys_generate_master(char out[65])
{
    uint8_t b[32];
    randombytes_buf(b, sizeof b);
    tc_hex(b, sizeof b, out);
}

void tc_ident_hash(const tc_ident_keys *k, const char *domain, const char *value, uint8_t out[TC_IDENT_HASHLEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->mac, sizeof k->mac, TC_IDENT_HASHLEN);
    crypto_generichash_update(&st, (const uint8_t *)domain, strlen(domain) + 1); /* NUL separates */
    crypto_generichash_update(&st, (const uint8_t *)value, strlen(value));
    crypto_generichash_final(&st, out, TC_IDENT_HASHLEN);
}

int tc_ident_seal(const tc_ident_keys *k, const char *plain, uint8_t **out, size_t *outlen, tc_err *e)
{
    size_t n = strlen(plain);
    size_t total = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    uint8_t *buf = malloc(total);
    if (!buf)
        return tc_err_internal(e, "out of memory");
    uint8_t *nonce = buf;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                               (const uint8_t *)plain, n, NULL, 0, NULL, nonce, k->enc);
    *out = buf;
    *outlen = total;
    return 0;
}

int tc_ident_open(const tc_ident_keys *k, const uint8_t *sealed, size_t len, char **plain, tc_err *e)
{
    *plain = NULL;
    size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (len < nb + ab)
        return tc_err_set(e, TCE_IDENT_CORRUPT);
    char *p = malloc(len - nb - ab + 1);
    if (!p)
        return tc_err_internal(e, "out of memory");
    unsigned long long plen;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)p, &plen, NULL, sealed + nb, len - nb, NULL, 0, sealed,
                                                   k->enc) != 0) {
        free(p);
        return tc_err_set(e, TCE_IDENT_WRONG_KEY);
    }
    p[plen] = 0;
    *plain = p;
    return 0;
}

/* ---- passwords and tokens ----------------------------------------------------------- */

int tc_ident_password_hash(const char *password, char out[TC_IDENT_PWHASH_LEN], tc_err *e)
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return tc_err_internal(e, "argon2id: out of memory");
    return 0;
}

int tc_ident_password_verify(const char *encoded, const char *password)
{
    return crypto_pwhash_str_verify(encoded, password, strlen(password)) == 0;
}

int tc_ident_password_policy(const char *password, tc_err *e)
{
    size_t n = strlen(password);
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)password[i];
        if (islower(c))
            lower = 1;
        else if (isupper(c))
            upper = 1;
        else if (isdigit(c))
            digit = 1;
        else
            other = 1;
    }
    if (n < 10 || n > 128 || lower + upper + digit + other < 2)
        return tc_err_set(e, TCE_PASSWORD_WEAK);
    return 0;
}

void tc_ident_token_new(char out[TC_IDENT_TOKEN_LEN + 1])
{
    uint8_t b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, TC_IDENT_TOKEN_LEN + 1, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void tc_ident_token_hash(const char *token, char out[65])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const uint8_t *)token, strlen(token), NULL, 0);
    tc_hex(h, sizeof h, out);
}
