/*
 * tc_base — the few things every module shares: errors, a memory pool,
 * a growable byte buffer, time, logging and small string helpers.
 *
 * Error convention (after libvips): a function that can fail returns 0 on
 * success and -1 on failure, and fills the caller's tc_err with a stable
 * reason code and a message in Chinese and English.  There is no global
 * error buffer: the caller owns the tc_err (usually on its stack or in a
 * request), so threads never share one.
 *
 * Memory convention (after h2o): request-scoped data is allocated from a
 * tc_pool and freed all at once when the pool is cleared.  Everything else
 * has a single owner that the header of the allocating function names.
 */
#ifndef TC_BASE_H
#define TC_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tc_errcat.h" /* every error code with its status and texts */

/* ---- errors ------------------------------------------------------------ */

typedef struct tc_err {
    int status;        /* HTTP-like status: 400 bad input, 404, 409, 413, 423, 500 ... */
    char code[48];     /* stable reason code, e.g. "roster.bad_id_checksum"          */
    char zh[256];      /* message for people, Chinese                                 */
    char en[256];      /* message for people, English                                 */
} tc_err;

/* Fill e (which may be NULL, then nothing is written) and return -1, so that
 * callers can write `return tc_err_set(e, ...);`.  zh and en are printf
 * formats that share the same arguments, in the same order. */
int tc_err_set(tc_err *e, int status, const char *code, const char *zh, const char *en, ...)
    __attribute__((format(printf, 5, 6)));
/* Same, but zh and en each get their own argument list (used when the two
 * languages need arguments in a different order). */
int tc_err_setv(tc_err *e, int status, const char *code, const char *zh, va_list zap, const char *en,
                va_list eap);
void tc_err_clear(tc_err *e);
/* A 500 for a failed system call or library call, the detail in English. */
int tc_err_internal(tc_err *e, const char *what, ...) __attribute__((format(printf, 2, 3)));
/* size bytes of zeroed memory (calloc; the caller owns and frees it), or
 * NULL with e set to the internal error "out of memory". */
void *tc_mem_zalloc(size_t size, tc_err *e);

/* ---- memory pool --------------------------------------------------------- */

/* A bump allocator in chunks.  Not thread-safe: one pool per request/thread.
 * Allocations are 16-byte aligned and live until tc_pool_clear. */
typedef struct tc_pool_chunk tc_pool_chunk;
typedef struct tc_pool {
    tc_pool_chunk *head;
    size_t used;   /* bytes used in head */
    size_t total;  /* bytes handed out over the pool's life, for limits */
} tc_pool;

void tc_pool_init(tc_pool *p);
void *tc_pool_alloc(tc_pool *p, size_t n);      /* aborts on out-of-memory */
void *tc_pool_zalloc(tc_pool *p, size_t n);
char *tc_pool_strdup(tc_pool *p, const char *s);
char *tc_pool_strndup(tc_pool *p, const char *s, size_t n);
char *tc_pool_printf(tc_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tc_pool_clear(tc_pool *p);                   /* frees everything, pool reusable */

/* ---- growable buffer ----------------------------------------------------- */

/* Owns its data (malloc); free with tc_buf_free.  Always NUL-terminated. */
typedef struct tc_buf {
    char *data;
    size_t len;
    size_t cap;
} tc_buf;

void tc_buf_init(tc_buf *b);
void tc_buf_append(tc_buf *b, const void *s, size_t n); /* aborts on out-of-memory */
void tc_buf_puts(tc_buf *b, const char *s);
void tc_buf_printf(tc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tc_buf_free(tc_buf *b);
/* Hand the data to the caller (who frees it); the buffer is left empty. */
char *tc_buf_steal(tc_buf *b, size_t *len);

/* Bytes in memory handed out piece by piece, in the shape of fread (what
 * libcurl's CURLOPT_READFUNCTION takes: a request body).  Borrows data. */
typedef struct tc_reader {
    const char *data;
    size_t len, off;
} tc_reader;
/* Copy the next at most size * nmemb bytes of the tc_reader into dst;
 * returns how many (0 at the end). */
size_t tc_reader_read(char *dst, size_t size, size_t nmemb, void *reader);

/* Read a whole file, refusing more than max bytes.  *out is malloc'ed and
 * owned by the caller; it is NUL-terminated (not counted in *len). */
int tc_file_read(const char *path, size_t max, char **out, size_t *len, tc_err *e);
/* Write atomically: temporary file in the same folder, fsync, rename, fsync dir. */
int tc_file_write_atomic(const char *path, const void *data, size_t len, tc_err *e);
/* mkdir -p */
int tc_mkdirs(const char *path, tc_err *e);

/* ---- process set-up ---------------------------------------------------------- */

/* Keep freed memory in the allocator for reuse instead of handing it back to
 * the kernel.  A photo needs a dozen buffers of 1-10 MB; glibc serves each
 * from fresh mmap'ed pages and unmaps it on free, so every photo paid ~3000
 * page faults (a quarter of a 512x715 photo's time).  With this, a worker's
 * arena stays at its peak (under 100 MB even for a 12 MP photo).  Changes
 * process-wide state: call once from main() before starting threads. */
void tc_mem_keep_freed(void);

/* ---- time ------------------------------------------------------------------ */

int64_t tc_now(void);          /* seconds since the epoch, wall clock */
int64_t tc_now_ms(void);       /* milliseconds, monotonic, for durations */
/* Format seconds since the epoch as local "YYYY-MM-DD HH:MM:SS" (China time,
 * UTC+8, because every user of this system is there). out must hold 20 bytes. */
void tc_time_fmt_cn(int64_t t, char out[20]);

/* ---- logging --------------------------------------------------------------- */

typedef enum { TC_LOG_DEBUG, TC_LOG_INFO, TC_LOG_WARN, TC_LOG_ERROR } tc_log_level;
/* One line to stderr, prefixed with time and level; thread-safe (one write).
 * Lines below the process's level (tc_log_set_level; info unless set) are
 * dropped. */
void tc_log(tc_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The least important level written.  The one process-wide setting of the
 * logger, like stderr itself: main sets it from --log-level before any
 * thread starts; it is read atomically. */
void tc_log_set_level(tc_log_level min);
/* "debug", "info", "warn", "error" -> *out; -1 for anything else. */
int tc_log_level_parse(const char *name, tc_log_level *out);

/* ---- strings ---------------------------------------------------------------- */

/* Is s valid UTF-8 of at most n bytes (no NUL inside, no overlong forms)? */
int tc_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t tc_utf8_len(const char *s);
/* Trim ASCII white space and the UTF-8 BOM / full-width space in place. */
char *tc_str_trim(char *s);
/* Wipe a NUL-terminated secret (a password, an ID number) and free it;
 * NULL: nothing. */
void tc_str_free_secret(char *s);
/* Constant-time comparison of two byte strings of equal length. */
int tc_ct_equal(const void *a, const void *b, size_t n);
/* The value of one hex digit (either case), or -1. */
int tc_hexval(int ch);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void tc_hex(const uint8_t *in, size_t n, char *out);

#define TC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
