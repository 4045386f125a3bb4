/* Unit tests: tc_base (pool, buffer, UTF-8, files) and tc_config's order
 * of precedence (defaults < file < environment < flags). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tc_base.h"
#include "config/tc_config.h"

static void test_pool(void **st)
{
    (void)st;
    tc_pool p;
    tc_pool_init(&p);
    char *a = tc_pool_strdup(&p, "hello");
    void *big = tc_pool_alloc(&p, 100000); /* larger than a chunk */
    memset(big, 1, 100000);
    char *b = tc_pool_printf(&p, "%d-%s", 42, a);
    assert_string_equal(b, "42-hello");
    assert_int_equal((uintptr_t)tc_pool_alloc(&p, 3) % 16, 0);
    assert_true(p.total >= 100000);
    tc_pool_clear(&p);
    assert_null(p.head);
}

static void test_buf_and_utf8(void **st)
{
    (void)st;
    tc_buf b;
    tc_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        tc_buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    tc_buf_free(&b);
    assert_true(tc_utf8_valid("张三abc", strlen("张三abc")));
    assert_false(tc_utf8_valid("\xc0\xaf", 2));      /* overlong '/' */
    assert_false(tc_utf8_valid("\xed\xa0\x80", 3));  /* surrogate */
    assert_false(tc_utf8_valid("\xe5\xbc", 2));      /* truncated */
    assert_int_equal(tc_utf8_len("张三ab"), 4);
    char s[] = "\xef\xbb\xbf  姓名\xe3\x80\x80 ";
    assert_string_equal(tc_str_trim(s), "姓名");
}

static void test_files(void **st)
{
    (void)st;
    char dir[] = "/tmp/tc-base-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], sub[128];
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    tc_err e;
    assert_int_equal(tc_mkdirs(sub, &e), 0);
    snprintf(path, sizeof path, "%s/f.txt", sub);
    assert_int_equal(tc_file_write_atomic(path, "data", 4, &e), 0);
    char *d;
    size_t n;
    assert_int_equal(tc_file_read(path, 100, &d, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_string_equal(d, "data");
    free(d);
    assert_int_equal(tc_file_read(path, 3, &d, &n, &e), -1);
    assert_string_equal(e.code, "file.too_large");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_config_precedence(void **st)
{
    (void)st;
    char file[] = "/tmp/tc-conf-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    const char *text = "# comment\nport = 9000\nthreads=3\ndata_dir = /tmp/from-file\ndemo = yes\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    setenv("TUCAI_THREADS", "7", 1);
    char *argv[] = {"serve", "--config", file, "--port=9100", "extra", "--cookie-secure", NULL};
    tc_config c;
    char **rest;
    int nrest;
    tc_err e;
    assert_int_equal(tc_config_load(&c, 6, argv, &rest, &nrest, &e), 0);
    assert_int_equal(c.port, 9100);      /* flag beats file */
    assert_int_equal(c.threads, 7);      /* environment beats file */
    assert_string_equal(c.data_dir, "/tmp/from-file");
    assert_string_equal(c.database, "/tmp/from-file/tucai.db");
    assert_int_equal(c.demo, 1);
    assert_int_equal(c.cookie_secure, 1);
    assert_string_equal(c.listen, "127.0.0.1"); /* default */
    assert_int_equal(nrest, 1);
    assert_string_equal(rest[0], "extra");
    free(rest);
    tc_config_free(&c);
    unsetenv("TUCAI_THREADS");
    char *bad[] = {"serve", "--no-such-option", NULL};
    assert_int_equal(tc_config_load(&c, 2, bad, &rest, &nrest, &e), -1);
    assert_string_equal(e.code, "config.unknown_option");
    tc_config_free(&c);
    char *badv[] = {"serve", "--port", "eighty", NULL};
    assert_int_equal(tc_config_load(&c, 3, badv, &rest, &nrest, &e), -1);
    assert_string_equal(e.code, "config.bad_value");
    tc_config_free(&c);
    unlink(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_buf_and_utf8),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_config_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
