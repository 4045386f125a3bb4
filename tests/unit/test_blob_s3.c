/* The blob contract against both backends: a folder, and an S3 object store
 * (OpenStack Swift with s3api, started by tests/services/swift, which checks
 * AWS Signature V4 for real).  Without TC_S3_ENDPOINT in the environment the
 * program runs itself under tests/services/swift; when the Swift packages
 * are missing (exit 77) the S3 tests are skipped and say why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blob/tc_blob.h"
#include "export/tc_export.h"

static const char *skip_why; /* set when there is no S3 store */

typedef struct {
    char dir[256];
    tc_blob_store *s;
    int s3;
} fx;

static tc_blob_s3_opts env_opts(void)
{
    return (tc_blob_s3_opts){getenv("TC_S3_ENDPOINT"), getenv("TC_S3_REGION"), getenv("TC_S3_ACCESS_KEY"),
                             getenv("TC_S3_SECRET_KEY")};
}

static int setup_files(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tc_blob_s3_test.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    tc_err e;
    f->s = tc_blob_open_url(f->dir, NULL, &e);
    if (!f->s)
        return -1;
    *state = f;
    return 0;
}

static int setup_s3(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->s3 = 1;
    *state = f;
    if (skip_why)
        return 0;
    /* a prefix of its own per run: runs never see each other's objects */
    char url[256];
    snprintf(url, sizeof url, "s3://%s/run-%ld", getenv("TC_S3_BUCKET"), (long)getpid());
    tc_blob_s3_opts o = env_opts();
    tc_err e;
    f->s = tc_blob_open_url(url, &o, &e);
    if (!f->s) {
        fprintf(stderr, "open %s: %s\n", url, e.en);
        free(f);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tc_blob_close(f->s);
    if (!f->s3) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
            return -1;
    }
    free(f);
    return 0;
}

#define NEED_STORE(f)                \
    do {                             \
        if ((f)->s3 && skip_why) {   \
            print_message("# SKIP %s\n", skip_why); \
            skip();                  \
        }                            \
    } while (0)

static void test_put_get_dedup(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    tc_err e;
    char id[65], id2[65];
    const char *msg = "hello, 图采 — content addressed";
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id, &e), 0);
    assert_true(tc_blob_id_valid(id));
    assert_true(tc_blob_exists(f->s, id));
    assert_int_equal(tc_blob_is_local(f->s), !f->s3);
    char path[512];
    assert_int_equal(tc_blob_path(f->s, id, path, sizeof path), f->s3 ? -1 : 0);
    char *data;
    size_t len;
    assert_int_equal(tc_blob_get(f->s, id, 1024, &data, &len, &e), 0);
    assert_int_equal(len, strlen(msg));
    assert_memory_equal(data, msg, len);
    assert_int_equal(data[len], 0);
    free(data);
    /* dedup: the same bytes, the same id, no error */
    assert_int_equal(tc_blob_put(f->s, msg, strlen(msg), id2, &e), 0);
    assert_string_equal(id, id2);
    /* the empty blob */
    assert_int_equal(tc_blob_put(f->s, "", 0, id2, &e), 0);
    assert_string_equal(id2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(tc_blob_get(f->s, id2, 10, &data, &len, &e), 0);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], 0);
    free(data);
}

static void test_too_large_not_found_bad_id(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    tc_err e;
    char id[65];
    /* over libcurl's 1 MB threshold for "Expect: 100-continue" */
    enum { BIG = 2 << 20 };
    char *big = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (char)(i * 7 + i / 977);
    assert_int_equal(tc_blob_put(f->s, big, BIG, id, &e), 0);
    char *data = (char *)1;
    size_t len = 9;
    assert_int_equal(tc_blob_get(f->s, id, BIG - 1, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.too_large");
    assert_int_equal(e.status, 413);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_int_equal(tc_blob_get(f->s, id, BIG, &data, &len, &e), 0);
    assert_int_equal(len, BIG);
    assert_memory_equal(data, big, len);
    free(data);
    free(big);

    const char *absent = "0000000000000000000000000000000000000000000000000000000000000001";
    assert_false(tc_blob_exists(f->s, absent));
    assert_int_equal(tc_blob_get(f->s, absent, 100, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.not_found");
    assert_int_equal(e.status, 404);

    const char *bad[] = {"../../etc/passwd", "", "ABCDEF0000000000000000000000000000000000000000000000000000000000",
                         "000000000000000000000000000000000000000000000000000000000000000", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(tc_blob_get(f->s, bad[i], 100, &data, &len, &e), -1);
        assert_string_equal(e.code, "blob.bad_id");
        assert_int_equal(tc_blob_remove(f->s, bad[i], &e), -1);
        assert_string_equal(e.code, "blob.bad_id");
        assert_false(tc_blob_exists(f->s, bad[i]));
    }
}

static void test_remove(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    tc_err e;
    char id[65];
    assert_int_equal(tc_blob_put(f->s, "to be swept", 11, id, &e), 0);
    assert_true(tc_blob_exists(f->s, id));
    assert_int_equal(tc_blob_remove(f->s, id, &e), 0);
    assert_false(tc_blob_exists(f->s, id));
    char *data;
    size_t len;
    assert_int_equal(tc_blob_get(f->s, id, 100, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.not_found");
    assert_int_equal(tc_blob_remove(f->s, id, &e), 0); /* gone already: fine */
    /* and it can come back */
    assert_int_equal(tc_blob_put(f->s, "to be swept", 11, id, &e), 0);
    assert_true(tc_blob_exists(f->s, id));
}

/* Store bytes under the key of other bytes, behind tc_blob's back: a read
 * must notice. */
static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n; /* the answer's body must not reach stdout (TAP) */
}

static void plant_as(fx *f, const char *id, const char *bytes, const char *hashed, long want);
static void plant(fx *f, const char *id, const char *bytes)
{
    plant_as(f, id, bytes, bytes, 200);
}

/* S3: PUT bytes under id, signed with the payload hash of hashed; the
 * answer must be want. */
static void plant_as(fx *f, const char *id, const char *bytes, const char *hashed, long want)
{
    if (!f->s3) {
        char path[512];
        assert_int_equal(tc_blob_path(f->s, id, path, sizeof path), 0);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fputs(bytes, fp);
        fclose(fp);
        return;
    }
    char url[512], hdr[128];
    snprintf(url, sizeof url, "%s/%s/run-%ld/%s", getenv("TC_S3_ENDPOINT"), getenv("TC_S3_BUCKET"), (long)getpid(), id);
    unsigned char h[32];
    char hex[65];
    /* the payload hash of what is really sent */
    crypto_hash_sha256(h, (const unsigned char *)hashed, strlen(hashed));
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    snprintf(hdr, sizeof hdr, "x-amz-content-sha256: %s", hex);
    CURL *c = curl_easy_init();
    struct curl_slist *l = curl_slist_append(NULL, hdr);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, bytes);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
    curl_easy_setopt(c, CURLOPT_USERNAME, getenv("TC_S3_ACCESS_KEY"));
    curl_easy_setopt(c, CURLOPT_PASSWORD, getenv("TC_S3_SECRET_KEY"));
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, want);
    curl_slist_free_all(l);
    curl_easy_cleanup(c);
}

static void test_read_verifies(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    tc_err e;
    char id[65];
    assert_int_equal(tc_blob_put(f->s, "the real bytes", 14, id, &e), 0);
    plant(f, id, "other bytes");
    char *data = NULL;
    size_t len;
    assert_int_equal(tc_blob_get(f->s, id, 100, &data, &len, &e), -1);
    assert_string_equal(e.code, "blob.corrupt");
    assert_null(data);
    /* a put of the right bytes finds the key taken and writes nothing:
     * remove, then put again repairs it */
    assert_int_equal(tc_blob_remove(f->s, id, &e), 0);
    assert_int_equal(tc_blob_put(f->s, "the real bytes", 14, id, &e), 0);
    assert_int_equal(tc_blob_get(f->s, id, 100, &data, &len, &e), 0);
    free(data);
    if (f->s3) {
        /* the payload hash we send is checked by the store: a body that
         * is not what was signed is refused (400 BadDigest) */
        const char *other = "0000000000000000000000000000000000000000000000000000000000000003";
        plant_as(f, other, "the bytes that arrive", "the bytes that were sent", 400);
        assert_false(tc_blob_exists(f->s, other));
    }
}

/* The handle is shared by the server's threads. */
typedef struct {
    tc_blob_store *s;
    int k, fails;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 8; i++) {
        char msg[64], id[65], *data;
        size_t len;
        tc_err e;
        int n = snprintf(msg, sizeof msg, "thread %d item %d", w->k, i % 4); /* some dedup */
        if (tc_blob_put(w->s, msg, (size_t)n, id, &e) != 0 || tc_blob_get(w->s, id, 100, &data, &len, &e) != 0) {
            w->fails++;
            continue;
        }
        if (len != (size_t)n || memcmp(data, msg, len) != 0)
            w->fails++;
        free(data);
    }
    return NULL;
}

static void test_threads(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){f->s, i, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].fails, 0);
    }
}

/* The photo archive reads the blobs of an object store as it streams. */
static void test_zip_blob(void **state)
{
    fx *f = *state;
    NEED_STORE(f);
    tc_err e;
    char id[65];
    const char *photo = "JPEG bytes of a photo, stored not compressed";
    assert_int_equal(tc_blob_put(f->s, photo, strlen(photo), id, &e), 0);
    tc_export_zip *z = tc_export_zip_new(2, time(NULL));
    assert_int_equal(tc_export_zip_add_blob(z, "1.jpg", f->s, id), 0);
    assert_int_equal(tc_export_zip_add_blob(z, "2.jpg", f->s, "not an id"), -1);
    char out[4096];
    size_t n = 0;
    long k;
    while ((k = tc_export_zip_read(z, n, out + n, sizeof out - n)) > 0)
        n += (size_t)k;
    assert_int_equal(k, 0);
    assert_non_null(memmem(out, n, photo, strlen(photo)));
    tc_export_zip_free(z);
    /* a blob gone by the time the stream reaches it cuts the archive off */
    z = tc_export_zip_new(1, time(NULL));
    assert_int_equal(tc_export_zip_add_blob(z, "1.jpg", f->s, "0000000000000000000000000000000000000000000000000000000000000002"), 0);
    assert_int_equal(tc_export_zip_read(z, 0, out, sizeof out), -1);
    tc_export_zip_free(z);
}

/* Opening checks the settings and asks the store at once: wrong keys stop
 * the server at start with a clear error. */
static void test_open_errors(void **state)
{
    (void)state;
    if (skip_why) {
        print_message("# SKIP %s\n", skip_why);
        skip();
    }
    char url[128];
    snprintf(url, sizeof url, "s3://%s", getenv("TC_S3_BUCKET"));
    tc_blob_s3_opts o = env_opts();
    tc_err e;
    o.secret_key = "not-the-secret";
    assert_null(tc_blob_open_url(url, &o, &e));
    assert_string_equal(e.code, "blob.s3_denied");
    assert_non_null(strstr(e.en, "--s3-secret-key"));
    assert_null(strstr(e.en, "not-the-secret"));
    o = env_opts();
    o.access_key = "nobody:nobody";
    assert_null(tc_blob_open_url(url, &o, &e));
    assert_string_equal(e.code, "blob.s3_denied");
    o = env_opts();
    assert_null(tc_blob_open_url("s3://no-such-bucket-here", &o, &e));
    assert_string_equal(e.code, "blob.s3_no_bucket");
    const char *bad_url[] = {"s3://", "s3://ab", "s3://UPPER", "s3://b_ad", "s3://ok-bucket/../x", "s3://ok-bucket//x",
                             "s3://ok-bucket/a b", NULL};
    for (int i = 0; bad_url[i]; i++) {
        assert_null(tc_blob_open_url(bad_url[i], &o, &e));
        assert_string_equal(e.code, "blob.s3_config");
    }
    const char *bad_ep[] = {"ftp://127.0.0.1", "http://", "http://127.0.0.1/path", "127.0.0.1:9000", NULL};
    for (int i = 0; bad_ep[i]; i++) {
        o = env_opts();
        o.endpoint = bad_ep[i];
        assert_null(tc_blob_open_url(url, &o, &e));
        assert_string_equal(e.code, "blob.s3_config");
    }
    o = env_opts();
    o.secret_key = "";
    assert_null(tc_blob_open_url(url, &o, &e));
    assert_string_equal(e.code, "blob.s3_config");
    o = env_opts();
    o.region = "US EAST";
    assert_null(tc_blob_open_url(url, &o, &e));
    assert_string_equal(e.code, "blob.s3_config");
    /* nobody listens there */
    o = env_opts();
    o.endpoint = "http://127.0.0.1:1";
    assert_null(tc_blob_open_url(url, &o, &e));
    assert_string_equal(e.code, "blob.s3_unreachable");
    assert_int_equal(e.status, 503);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!getenv("TC_S3_ENDPOINT")) {
        if (!getenv("TC_S3_TRIED")) {
            /* run the whole program again with a Swift of its own */
            setenv("TC_S3_TRIED", "1", 1);
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                execl(TC_SRCDIR "/tests/services/swift", "swift", "--", argv[0], (char *)NULL);
                _exit(127);
            }
            int st = 0;
            if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) != 77)
                return WEXITSTATUS(st);
        }
        skip_why = "no S3 store: tests/services/swift could not start one (the swift-* and memcached Debian packages "
                   "are missing: scripts/setup installs them)";
        fprintf(stderr, "test_blob_s3: %s; the S3 half is skipped\n", skip_why);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    const struct CMUnitTest files[] = {
        cmocka_unit_test_setup_teardown(test_put_get_dedup, setup_files, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_not_found_bad_id, setup_files, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup_files, teardown),
        cmocka_unit_test_setup_teardown(test_read_verifies, setup_files, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup_files, teardown),
    };
    const struct CMUnitTest s3[] = {
        cmocka_unit_test_setup_teardown(test_put_get_dedup, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_not_found_bad_id, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_read_verifies, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup_s3, teardown),
        cmocka_unit_test_setup_teardown(test_zip_blob, setup_s3, teardown),
        cmocka_unit_test(test_open_errors),
    };
    int rc = cmocka_run_group_tests_name("blob contract: files", files, NULL, NULL);
    rc |= cmocka_run_group_tests_name("blob contract: s3 (Swift s3api)", s3, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
