/* tc_blob — see tc_blob.h. */
#include "tc_blob.h"
#include "blob_s3.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tc_blob_store {
    char *dir;  /* owned; no trailing slash; NULL for S3 */
    blob_s3 *s3; /* owned; NULL for files */
};

tc_blob_store *tc_blob_open(const char *dir, tc_err *e)
{
    if (!dir || !*dir) {
        tc_err_set(e, TCE_BLOB_OPEN);
        return NULL;
    }
    /* sodium_init is idempotent and thread-safe; SHA-256 does not strictly
     * need it, but libsodium documents it as required before any use. */
    if (sodium_init() < 0) {
        tc_err_internal(e, "sodium_init failed");
        return NULL;
    }
    tc_err sub;
    if (tc_mkdirs(dir, &sub) != 0 || access(dir, W_OK | X_OK) != 0) {
        tc_err_set(e, TCE_BLOB_OPEN_2, dir);
        return NULL;
    }
    tc_blob_store *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->dir = strdup(dir);
    if (!s->dir)
        abort();
    size_t n = strlen(s->dir);
    while (n > 1 && s->dir[n - 1] == '/')
        s->dir[--n] = 0;
    return s;
}

tc_blob_store *tc_blob_open_url(const char *where, const tc_blob_s3_opts *s3, tc_err *e)
{
    if (!where || strncmp(where, "s3://", 5) != 0)
        return tc_blob_open(where, e);
    if (sodium_init() < 0) {
        tc_err_internal(e, "sodium_init failed");
        return NULL;
    }
    blob_s3 *c = blob_s3_open(where + 5, s3, e);
    if (!c)
        return NULL;
    tc_blob_store *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->s3 = c;
    return s;
}

int tc_blob_is_local(const tc_blob_store *s)
{
    return s->s3 == NULL;
}

void tc_blob_close(tc_blob_store *s)
{
    if (!s)
        return;
    blob_s3_close(s->s3);
    free(s->dir);
    free(s);
}

int tc_blob_id_valid(const char *id)
{
    if (!id)
        return 0;
    for (int i = 0; i < TC_BLOB_ID_LEN; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0; /* also stops at the NUL of a short id */
    }
    return id[TC_BLOB_ID_LEN] == 0;
}

static int bad_id(tc_err *e)
{
    return tc_err_set(e, TCE_BLOB_BAD_ID);
}

int tc_blob_path(const tc_blob_store *s, const char *id, char *out, size_t outsz)
{
    if (outsz)
        out[0] = 0;
    if (!tc_blob_id_valid(id) || s->s3)
        return -1;
    int n = snprintf(out, outsz, "%s/%.2s/%.2s/%s", s->dir, id, id + 2, id);
    if (n < 0 || (size_t)n >= outsz) {
        if (outsz)
            out[0] = 0;
        return -1;
    }
    return 0;
}

/* Path of a blob into a PATH_MAX-sized buffer, with the error filled. */
static int path_of(const tc_blob_store *s, const char *id, char path[4096], tc_err *e)
{
    if (!tc_blob_id_valid(id))
        return bad_id(e);
    if (tc_blob_path(s, id, path, 4096) != 0)
        return tc_err_internal(e, "blob store path too long");
    return 0;
}

int tc_blob_size(const tc_blob_store *s, const char *id, uint64_t *size, tc_err *e)
{
    if (!tc_blob_id_valid(id))
        return bad_id(e);
    if (s->s3)
        return blob_s3_size(s->s3, id, size, e);
    char path[4096];
    struct stat st;
    if (tc_blob_path(s, id, path, sizeof path) != 0)
        return bad_id(e);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return tc_err_set(e, TCE_BLOB_NOT_FOUND);
    *size = (uint64_t)st.st_size;
    return 0;
}

int tc_blob_exists(const tc_blob_store *s, const char *id)
{
    if (s->s3)
        return tc_blob_id_valid(id) && blob_s3_exists(s->s3, id);
    char path[4096];
    if (tc_blob_path(s, id, path, sizeof path) != 0)
        return 0;
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tc_blob_remove(tc_blob_store *s, const char *id, tc_err *e)
{
    if (s->s3)
        return tc_blob_id_valid(id) ? blob_s3_remove(s->s3, id, e) : bad_id(e);
    char path[4096];
    if (path_of(s, id, path, e) != 0)
        return -1;
    if (unlink(path) != 0 && errno != ENOENT)
        return tc_err_internal(e, "cannot remove blob %s: %s", id, strerror(errno));
    return 0;
}

static void hash_hex(const void *data, size_t len, char out[TC_BLOB_ID_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    tc_hex(h, sizeof h, out);
}

int tc_blob_put(tc_blob_store *s, const void *data, size_t len, char out_id[TC_BLOB_ID_LEN + 1], tc_err *e)
{
    if (!data && len)
        return tc_err_internal(e, "tc_blob_put: NULL data");
    char id[TC_BLOB_ID_LEN + 1];
    hash_hex(len ? data : "", len, id);
    if (s->s3) {
        if (blob_s3_put(s->s3, id, len ? data : "", len, e) != 0)
            return -1;
        memcpy(out_id, id, sizeof id);
        return 0;
    }
    char path[4096];
    if (path_of(s, id, path, e) != 0)
        return -1;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        memcpy(out_id, id, sizeof id); /* dedup: same name means same bytes */
        return 0;
    }
    /* the two fan-out levels keep folders small (65,536 leaves) */
    char *slash = strrchr(path, '/');
    *slash = 0;
    int rc = tc_mkdirs(path, e);
    *slash = '/';
    if (rc != 0)
        return -1;
    if (tc_file_write_atomic(path, len ? data : "", len, e) != 0)
        return -1;
    memcpy(out_id, id, sizeof id);
    return 0;
}

/* The bytes' hash is the id, or blob.corrupt (buf is freed). */
static int verify(const char *id, char *buf, size_t n, tc_err *e)
{
    char got[TC_BLOB_ID_LEN + 1];
    hash_hex(buf, n, got);
    if (!tc_ct_equal(got, id, TC_BLOB_ID_LEN)) {
        free(buf);
        tc_log(TC_LOG_ERROR, "blob %s is corrupt in the store (hash %s)", id, got);
        return tc_err_set(e, TCE_BLOB_CORRUPT);
    }
    return 0;
}

int tc_blob_get(const tc_blob_store *s, const char *id, size_t max, char **data, size_t *len, tc_err *e)
{
    *data = NULL;
    *len = 0;
    if (s->s3) {
        if (!tc_blob_id_valid(id))
            return bad_id(e);
        char *buf;
        size_t n;
        if (blob_s3_get(s->s3, id, max, &buf, &n, e) != 0 || verify(id, buf, n, e) != 0)
            return -1;
        *data = buf;
        *len = n;
        return 0;
    }
    char path[4096];
    if (path_of(s, id, path, e) != 0)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return tc_err_set(e, TCE_BLOB_NOT_FOUND);
    if ((uint64_t)st.st_size > (uint64_t)max)
        return tc_err_set(e, TCE_BLOB_TOO_LARGE, max);
    char *buf;
    size_t n;
    tc_err sub;
    if (tc_file_read(path, max, &buf, &n, &sub) != 0) {
        if (strcmp(sub.code, "file.too_large") == 0) /* grew since stat: cannot be ours */
            return tc_err_set(e, TCE_BLOB_CORRUPT);
        if (strcmp(sub.code, "file.not_found") == 0)
            return tc_err_set(e, TCE_BLOB_NOT_FOUND);
        if (e)
            *e = sub;
        return -1;
    }
    if (verify(id, buf, n, e) != 0)
        return -1;
    *data = buf;
    *len = n;
    return 0;
}
