/*
 * tc_blob — the content-addressed store of photos and exports: files in a
 * folder, or objects in an S3-compatible store.
 *
 * A blob's id is the lower-case hex SHA-256 of its bytes, and it lives at
 * <dir>/<id[0..1]>/<id[2..3]>/<id>.  Because the name is the content, a put
 * of bytes already stored writes nothing (dedup), concurrent puts of the
 * same bytes cannot conflict (each writes a private temporary file and
 * renames it over the same name with the same content), and a read can
 * prove that the disk gave back what was stored.
 *
 * Ids come from clients (URLs, database rows), so every function that takes
 * one checks it is exactly 64 lower-case hex characters before it builds a
 * path: nothing else can reach the file system ("blob.bad_id").
 *
 * Two backends keep the same contract:
 *  - files (the default): the folder above; tc_blob_path gives the file for
 *    streaming with sendfile.
 *  - s3: an S3-compatible object store (AWS S3, Ceph RGW, OpenStack Swift's
 *    s3api, ...), opened from "s3://bucket[/prefix]" with an endpoint and
 *    keys.  The object key is <prefix/><id>; requests are signed with AWS
 *    Signature V4 (libcurl's CURLOPT_AWS_SIGV4; the x-amz-content-sha256 we
 *    send is the id itself for a put, so the store can check the body).  A
 *    put is HEAD then, if absent, one PUT (atomic on the store: the object
 *    appears whole or not at all); a get refuses a Content-Length over max
 *    before reading and stops reading past max, then checks the hash; remove
 *    is DELETE (404 is fine).  There are no files: tc_blob_path answers -1
 *    and tc_blob_is_local 0, so streaming callers get the bytes with
 *    tc_blob_get instead.  One curl handle per call (nothing shared).
 *
 * A store handle is immutable after opening, so one handle may be used
 * by many threads at once.
 *
 * Owns: the store handle (tc_blob_open .. tc_blob_close) and the files
 * under its folder; bytes read (tc_blob_get) belong to the caller.
 */
#ifndef TC_BLOB_H
#define TC_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "../base/tc_base.h"

enum { TC_BLOB_ID_LEN = 64 };

typedef struct tc_blob_store tc_blob_store;

/* Open (creating it if needed) the store rooted at dir.  The handle is owned
 * by the caller and released with tc_blob_close.  Returns NULL and fills e
 * on failure (blob.open: the folder cannot be created or is not writable). */
tc_blob_store *tc_blob_open(const char *dir, tc_err *e);
void tc_blob_close(tc_blob_store *s);   /* NULL is fine */

/* The settings of an S3 store (borrowed for the call: the store copies
 * them).  endpoint: http(s)://host[:port] (path-style requests,
 * <endpoint>/<bucket>/<key>); region NULL or "" = us-east-1. */
typedef struct tc_blob_s3_opts {
    const char *endpoint, *region, *access_key, *secret_key;
} tc_blob_s3_opts;

/* Open the store a --blob-store value names: "s3://bucket[/prefix]" opens
 * an S3 store with s3 (checked at once with a signed HEAD of the bucket:
 * blob.s3_config for bad settings, blob.s3_unreachable, blob.s3_denied for
 * wrong keys or region, blob.s3_no_bucket, blob.s3_failed); anything else
 * is a folder (tc_blob_open).  curl_global_init must have run (tc_pay_global_init)
 * before an S3 store is opened.  Secrets are never logged. */
tc_blob_store *tc_blob_open_url(const char *where, const tc_blob_s3_opts *s3, tc_err *e);

/* 1 when blobs are files (tc_blob_path works), 0 for the S3 backend. */
int tc_blob_is_local(const tc_blob_store *s);

/* Is id exactly 64 lower-case hex characters?  1 yes, 0 no. */
int tc_blob_id_valid(const char *id);

/* Store len bytes (len may be 0) and write the id (64 hex + NUL) to out_id.
 * Durable on return: written with tc_file_write_atomic.  If the blob already
 * exists nothing is written. */
int tc_blob_put(tc_blob_store *s, const void *data, size_t len, char out_id[TC_BLOB_ID_LEN + 1], tc_err *e);
/* S3: also blob.s3_unreachable (503), blob.s3_denied, blob.s3_failed from
 * put, get and remove. */

/* Read a blob of at most max bytes and check its hash.  On success *data is
 * malloc'ed, NUL-terminated (not counted in *len) and owned by the caller,
 * who frees it with free().  Errors: blob.bad_id (400), blob.not_found (404),
 * blob.too_large (413, bigger than max), blob.corrupt (500, the bytes on disk
 * no longer match the id), internal. */
int tc_blob_get(const tc_blob_store *s, const char *id, size_t max, char **data, size_t *len, tc_err *e);

/* The file path of a blob, for streaming it (sendfile, libvips).  Returns 0,
 * or -1 if the id is invalid or outsz is too small (strlen(dir) + 72 bytes is
 * always enough); the caller turns -1 into blob.bad_id, having validated
 * nothing else.  Does not check that the blob exists and does not verify its
 * hash: a caller that streams must trust the disk or verify itself.
 * Always -1 for an S3 store (see tc_blob_is_local). */
int tc_blob_path(const tc_blob_store *s, const char *id, char *out, size_t outsz);

/* The size of a stored blob, without reading it (a file's stat, an
 * object's HEAD).  Errors: blob.bad_id, blob.not_found, the S3 errors. */
int tc_blob_size(const tc_blob_store *s, const char *id, uint64_t *size, tc_err *e);

/* 1 if a blob with this id is stored, 0 if not or if the id is invalid
 * (S3: or if the store cannot be asked; a put after it reports why). */
int tc_blob_exists(const tc_blob_store *s, const char *id);

/* Remove a blob (the retention sweep: the caller has made sure nothing
 * needs it).  A blob already gone is fine.  Errors: blob.bad_id, internal
 * (the file cannot be removed). */
int tc_blob_remove(tc_blob_store *s, const char *id, tc_err *e);

#endif
