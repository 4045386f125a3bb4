/* The S3 backend of tc_blob (internal to src/blob; see tc_blob.h).  Ids are
 * valid when these are called; tc_blob checks hashes. */
#ifndef TC_BLOB_S3_H
#define TC_BLOB_S3_H

#include "tc_blob.h"

typedef struct blob_s3 blob_s3;

/* where: what follows "s3://" (bucket[/prefix]).  Owned by the caller,
 * freed with blob_s3_close.  Checks the bucket with a signed HEAD. */
blob_s3 *blob_s3_open(const char *where, const tc_blob_s3_opts *o, tc_err *e);
void blob_s3_close(blob_s3 *c); /* NULL is fine; wipes the secret */
/* 1 stored, 0 absent or the store cannot be asked */
int blob_s3_exists(const blob_s3 *c, const char *id);
/* The stored size (a signed HEAD's Content-Length); blob.not_found */
int blob_s3_size(const blob_s3 *c, const char *id, uint64_t *size, tc_err *e);
int blob_s3_put(const blob_s3 *c, const char *id, const void *data, size_t len, tc_err *e);
/* *data malloc'ed, NUL-terminated, the caller's; not hash-checked here */
int blob_s3_get(const blob_s3 *c, const char *id, size_t max, char **data, size_t *len, tc_err *e);
int blob_s3_remove(const blob_s3 *c, const char *id, tc_err *e); /* absent is fine */

#endif
