/* Unit tests for src/blob. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob/tc_blob.h"

typedef struct {
    char dir[256];
    tc_blob_store *s;
} fx;

static int rm_rf(const char *p)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    return system(cmd);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tc_blob_test.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    strcat(f->dir, "/store"); /* open must create it */
    tc_err e;
    f->s = tc_blob_open(f->dir, &e);
    if (!f->s)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tc_blob_close(f->s);
    char *slash = strrchr(f->dir, '/');
    *slash = 0;
    rm_rf(f->dir);
    free(f);
    return 0;
}

static void test_put_get_dedup(void **state)
{
    fx *f = *state;
    tc_err e;
    char id[65], id2[65];
    const char *msg = "hello, 图采";
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id, &e), 0);
    assert_true(tc_blob_id_valid(id));
    assert_true(tc_blob_exists(f->s, id));
    char path[512];
    assert_int_equal(tc_blob_path(f->s, id, path, sizeof path), 0);
    char want[512];
    snprintf(want, sizeof want, "%s/%.2s/%.2s/%s", f->dir, id, id + 2, id);
    assert_string_equal(path, want);
    struct stat st1, st2;
    assert_int_equal(stat(path, &st1), 0);

    char *data;
    size_t len;
    assert_int_equal(tc_blob_get(f->s, id, 1024, &data, &len, &e), 0);
    assert_int_equal(len, strlen(msg));
    assert_memory_equal(data, msg, len);
    assert_int_equal(data[len], 0);
    free(data);

    /* dedup: same id, file not rewritten (same inode) */
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id2, &e), 0);
    assert_string_equal(id, id2);
    assert_int_equal(stat(path, &st2), 0);
    assert_int_equal(st1.st_ino, st2.st_ino);

    /* known vector: sha256("") */
    assert_int_equal(tc_blob_put(f->s, NULL, 0, id, &e), 0);
    assert_string_equal(id, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char tiny[8];
    assert_int_equal(tc_blob_path(f->s, id, tiny, sizeof tiny), -1); /* too small: refused, not truncated */
    assert_int_equal(tc_blob_get(f->s, id, 10, &data, &len, &e), 0);
    assert_int_equal(len, 0);
    free(data);

    /* too large for the caller's limit */
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id, &e), 0);
    assert_int_equal(tc_blob_get(f->s, id, 3, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.too_large");
    assert_null(data);

    /* not found */
    const char *missing = "0000000000000000000000000000000000000000000000000000000000000000";
    assert_false(tc_blob_exists(f->s, missing));
    assert_int_equal(tc_blob_get(f->s, missing, 10, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.not_found");
}

static void test_bad_ids(void **state)
{
    fx *f = *state;
    static const char *bad[] = {
        "",
        "../../../../etc/passwd",
        "..%2f..%2fetc%2fpasswd",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", /* upper case */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",  /* 63 */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", /* 65 */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/",
        "../0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
    };
    for (size_t i = 0; i < TC_ARRAY_LEN(bad); i++) {
        tc_err e;
        char *data = (char *)1;
        size_t len;
        char path[512];
        assert_false(tc_blob_id_valid(bad[i]));
        assert_false(tc_blob_exists(f->s, bad[i]));
        assert_int_equal(tc_blob_get(f->s, bad[i], 100, &data, &len, &e), -1);
        assert_string_equal(e.code, "blob.bad_id");
        assert_null(data);
        assert_int_equal(tc_blob_path(f->s, bad[i], path, sizeof path), -1);
        assert_string_equal(path, "");
    }
    assert_false(tc_blob_id_valid(NULL));
    /* NUL inside: only the first 64 bytes would be hex if we were careless */
    char tricky[70];
    memset(tricky, 'a', 64);
    tricky[64] = 0;
    assert_true(tc_blob_id_valid(tricky));
    tricky[10] = 0;
    assert_false(tc_blob_id_valid(tricky));
}

static void test_corruption(void **state)
{
    fx *f = *state;
    tc_err e;
    char id[65], path[512];
    const char *msg = "original photo bytes";
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id, &e), 0);
    assert_int_equal(tc_blob_path(f->s, id, path, sizeof path), 0);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 3, SEEK_SET);
    fputc('X', fp);
    fclose(fp);
    char *data;
    size_t len;
    assert_int_equal(tc_blob_get(f->s, id, 1024, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.corrupt");
    assert_null(data);
    /* truncated file too */
    assert_int_equal(truncate(path, 2), 0);
    assert_int_equal(tc_blob_get(f->s, id, 1024, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.corrupt");
}

typedef struct {
    tc_blob_store *s;
    const char *buf;
    size_t len;
    char id[65];
    int rc;
} worker;

static void *put_worker(void *arg)
{
    worker *w = arg;
    tc_err e;
    for (int i = 0; i < 20 && w->rc == 0; i++)
        w->rc = tc_blob_put(w->s, w->buf, w->len, w->id, &e);
    return NULL;
}

static void test_concurrent_same_content(void **state)
{
    fx *f = *state;
    size_t len = 300 * 1000;
    char *buf = malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)(i * 2654435761u >> 24);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){.s = f->s, .buf = buf, .len = len};
        assert_int_equal(pthread_create(&t[i], NULL, put_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, 0);
        assert_string_equal(w[i].id, w[0].id);
    }
    char *data;
    size_t n;
    tc_err e;
    assert_int_equal(tc_blob_get(f->s, w[0].id, len, &data, &n, &e), 0);
    assert_int_equal(n, len);
    assert_memory_equal(data, buf, len);
    free(data);
    /* no temporary files left behind in the leaf folder */
    char path[512], cmd[700];
    assert_int_equal(tc_blob_path(f->s, w[0].id, path, sizeof path), 0);
    *strrchr(path, '/') = 0;
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", path);
    assert_int_equal(system(cmd), 0);
    free(buf);
}

static void test_remove(void **state)
{
    fx *f = *state;
    tc_err e;
    char id[65];
    assert_int_equal(tc_blob_put(f->s, "gone soon", 9, id, &e), 0);
    assert_true(tc_blob_exists(f->s, id));
    assert_int_equal(tc_blob_remove(f->s, id, &e), 0);
    assert_false(tc_blob_exists(f->s, id));
    /* already gone is fine; a bad id never reaches the file system */
    assert_int_equal(tc_blob_remove(f->s, id, &e), 0);
    assert_int_equal(tc_blob_remove(f->s, "../../etc/passwd", &e), -1);
    assert_string_equal(e.code, "blob.bad_id");
    /* put again: back */
    assert_int_equal(tc_blob_put(f->s, "gone soon", 9, id, &e), 0);
    assert_true(tc_blob_exists(f->s, id));
}

static void test_open_fails(void **state)
{
    (void)state;
    tc_err e;
    assert_null(tc_blob_open("", &e));
    assert_string_equal(e.code, "blob.open");
    assert_null(tc_blob_open("/proc/definitely/not/here", &e));
    assert_string_equal(e.code, "blob.open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corruption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_same_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test(test_open_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
