/* Unit tests: ID numbers, masking, phone, keys, sealing, passwords, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ident/tc_ident.h"

static void test_idnum_valid(void **st)
{
    (void)st;
    tc_err e;
    /* GB 11643 example numbers with known check digits */
    assert_int_equal(tc_ident_idnum_validate("11010519491231002X", &e), 0);
    assert_int_equal(tc_ident_idnum_validate("440524188001010014", &e), 0);
    assert_int_equal(tc_ident_idnum_validate("110105194912310021", &e), -1);
    assert_string_equal(e.code, "idnum.bad_checksum");
    assert_int_equal(tc_ident_idnum_validate("110105194902300025", &e), -1); /* 30 February */
    assert_string_equal(e.code, "idnum.bad_date");
    assert_int_equal(tc_ident_idnum_validate("12345", &e), -1);
    assert_string_equal(e.code, "idnum.bad_length");
    assert_int_equal(tc_ident_idnum_validate("", &e), -1);
    assert_string_equal(e.code, "idnum.empty");
    assert_int_equal(tc_ident_idnum_validate("1101051949*231002X", &e), -1);
    assert_string_equal(e.code, "idnum.bad_chars");
    /* Hong Kong identity card style, and a passport */
    assert_int_equal(tc_ident_idnum_validate("A123456(7)", &e), 0);
    assert_int_equal(tc_ident_idnum_validate("E12345678", &e), 0);
}

static void test_idnum_normalize(void **st)
{
    (void)st;
    char a[] = " 11010519491231002x ";
    assert_string_equal(tc_ident_idnum_normalize(a), "11010519491231002X");
    /* full-width digits and brackets, as typed on a Chinese keyboard */
    char b[] = "A１２３４５６（７）";
    assert_string_equal(tc_ident_idnum_normalize(b), "A123456(7)");
}

static void test_last4(void **st)
{
    (void)st;
    char out[16];
    tc_ident_idnum_last4("11010519491231002X", out);
    assert_string_equal(out, "002X");
    tc_ident_idnum_last4("A123456(7)", out); /* a complete bracket counts as 2 (seed 004) */
    assert_string_equal(out, "56(7)");
    tc_ident_idnum_last4("A1234(56)(7)", out);
    assert_string_equal(out, "(56)(7)");
    tc_ident_idnum_last4("12", out);
    assert_string_equal(out, "12");
    assert_true(tc_ident_idnum_last4_matches("11010519491231002X", "002x"));
    assert_true(tc_ident_idnum_last4_matches("A123456(7)", "56（7）"));
    assert_false(tc_ident_idnum_last4_matches("11010519491231002X", "1002"));
    assert_false(tc_ident_idnum_last4_matches("11010519491231002X", ""));
}

static void test_masks(void **st)
{
    (void)st;
    char out[64];
    tc_ident_name_mask("张三", out, sizeof out);
    assert_string_equal(out, "张*");
    tc_ident_name_mask("吴小兰", out, sizeof out);
    assert_string_equal(out, "吴*兰");
    tc_ident_name_mask("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧**娜");
    tc_ident_name_mask("Li", out, sizeof out);
    assert_string_equal(out, "L*");
    char id[32];
    tc_ident_idnum_mask("11010519491231002X", id);
    assert_string_equal(id, "110*************2X");
    tc_ident_idnum_mask("A123", id);
    assert_string_equal(id, "****");
}

static void test_phone(void **st)
{
    (void)st;
    tc_err e;
    assert_int_equal(tc_ident_phone_validate("13800138000", &e), 0);
    assert_int_equal(tc_ident_phone_validate("12800138000", &e), -1);
    assert_string_equal(e.code, "phone.invalid");
    assert_int_equal(tc_ident_phone_validate("1380013800", &e), -1);
    assert_int_equal(tc_ident_phone_validate("1380013800a", &e), -1);
}

static void test_seal_and_hash(void **st)
{
    (void)st;
    tc_ident_keys k1, k2;
    tc_err e;
    assert_int_equal(tc_ident_keys_derive(&k1, "short", &e), -1);
    assert_string_equal(e.code, "config.bad_secret");
    assert_int_equal(tc_ident_keys_derive(&k1, "0123456789abcdef0123456789abcdef", &e), 0);
    assert_int_equal(tc_ident_keys_derive(&k2, "another master secret, long enough", &e), 0);
    uint8_t *s;
    size_t n;
    assert_int_equal(tc_ident_seal(&k1, "11010519491231002X", &s, &n, &e), 0);
    assert_null(memmem(s, n, "1101", 4)); /* not in clear */
    char *p;
    assert_int_equal(tc_ident_open(&k1, s, n, &p, &e), 0);
    assert_string_equal(p, "11010519491231002X");
    free(p);
    assert_int_equal(tc_ident_open(&k2, s, n, &p, &e), -1); /* wrong key */
    assert_string_equal(e.code, "ident.wrong_key");
    s[n - 1] ^= 1; /* tampered */
    assert_int_equal(tc_ident_open(&k1, s, n, &p, &e), -1);
    assert_int_equal(tc_ident_open(&k1, s, 3, &p, &e), -1); /* truncated */
    free(s);
    uint8_t h1[32], h2[32], h3[32];
    tc_ident_hash(&k1, "id", "X", h1);
    tc_ident_hash(&k1, "id", "X", h2);
    tc_ident_hash(&k1, "chsi", "X", h3);
    assert_memory_equal(h1, h2, 32);
    assert_memory_not_equal(h1, h3, 32); /* domains separate */
    tc_ident_hash(&k2, "id", "X", h2);
    assert_memory_not_equal(h1, h2, 32); /* keyed */
}

static void test_passwords_and_tokens(void **st)
{
    (void)st;
    tc_err e;
    char h[TC_IDENT_PWHASH_LEN];
    assert_int_equal(tc_ident_password_hash("Correct-horse-1", h, &e), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_true(tc_ident_password_verify(h, "Correct-horse-1"));
    assert_false(tc_ident_password_verify(h, "correct-horse-1"));
    assert_false(tc_ident_password_verify("garbage", "x"));
    assert_int_equal(tc_ident_password_policy("short1", &e), -1);
    assert_int_equal(tc_ident_password_policy("aaaaaaaaaaaa", &e), -1); /* one class only */
    assert_int_equal(tc_ident_password_policy("abcdefgh12", &e), 0);
    char t1[TC_IDENT_TOKEN_LEN + 1], t2[TC_IDENT_TOKEN_LEN + 1], th[65];
    tc_ident_token_new(t1);
    tc_ident_token_new(t2);
    assert_int_equal(strlen(t1), TC_IDENT_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    tc_ident_token_hash(t1, th);
    assert_int_equal(strlen(th), 64);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idnum_valid),   cmocka_unit_test(test_idnum_normalize), cmocka_unit_test(test_last4),
        cmocka_unit_test(test_masks),         cmocka_unit_test(test_phone),           cmocka_unit_test(test_seal_and_hash),
        cmocka_unit_test(test_passwords_and_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
