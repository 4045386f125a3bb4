/* tc_export — the stored ZIP, streamed, and the batch's photo archive. */
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tc_export.h"

typedef struct zip_item {
    char *name, *path; /* path NULL: the item is data (in memory)  */
    char *data;
    size_t len;
    const tc_blob_store *blobs; /* a blob item: data fetched when the   */
    char blob[TC_BLOB_ID_LEN + 1]; /* stream reaches it, freed after    */
} zip_item;

struct tc_export_zip {
    zip_item *items;
    size_t n, cap, next; /* next item to start                         */
    FILE *f;             /* the item being sent, or NULL               */
    const char *mem;     /* ... or its in-memory bytes                 */
    zip_item *mem_item;  /* a blob item being sent: freed once sent    */
    size_t mem_left;
    tc_buf pending;      /* header bytes not yet handed out            */
    size_t pending_off;
    tc_buf central;      /* the central directory so far               */
    uint64_t offset;     /* bytes written so far                       */
    uint16_t dos_time, dos_date;
    int done;
};

static uint32_t crc_update(uint32_t crc, const void *data, size_t n)
{
    /* zlib's crc32 takes uInt lengths: feed it in pieces */
    const Bytef *p = data;
    while (n) {
        uInt k = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = (uint32_t)crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

static void put16(tc_buf *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    tc_buf_append(b, x, 2);
}
static void put32(tc_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    tc_buf_append(b, x, 4);
}

tc_export_zip *tc_export_zip_new(size_t cap, time_t now)
{
    if (cap > TC_EXPORT_ZIP_MAX)
        return NULL;
    tc_export_zip *z = calloc(1, sizeof *z);
    if (!z || !(z->items = calloc(cap ? cap : 1, sizeof *z->items))) {
        free(z);
        return NULL;
    }
    z->cap = cap;
    tc_buf_init(&z->pending);
    tc_buf_init(&z->central);
    struct tm tm;
    localtime_r(&now, &tm);
    z->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    z->dos_date = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    return z;
}

int tc_export_zip_add_file(tc_export_zip *z, const char *name, const char *path)
{
    if (z->n == z->cap)
        return -1;
    zip_item *it = &z->items[z->n];
    it->name = strdup(name);
    it->path = strdup(path);
    if (!it->name || !it->path) {
        free(it->name);
        free(it->path);
        it->name = it->path = NULL;
        return -1;
    }
    z->n++;
    return 0;
}

int tc_export_zip_add_blob(tc_export_zip *z, const char *name, const tc_blob_store *blobs, const char *id)
{
    if (z->n == z->cap || !tc_blob_id_valid(id) || !(z->items[z->n].name = strdup(name)))
        return -1;
    z->items[z->n].blobs = blobs;
    memcpy(z->items[z->n].blob, id, TC_BLOB_ID_LEN + 1);
    z->n++;
    return 0;
}

int tc_export_zip_add_data(tc_export_zip *z, const char *name, char *data, size_t len)
{
    if (z->n == z->cap || !(z->items[z->n].name = strdup(name))) {
        if (data)
            sodium_memzero(data, len);
        free(data);
        return -1;
    }
    z->items[z->n].data = data;
    z->items[z->n].len = len;
    z->n++;
    return 0;
}

void tc_export_zip_free(void *cls)
{
    tc_export_zip *z = cls;
    if (!z)
        return;
    for (size_t i = 0; i < z->n; i++) {
        free(z->items[i].name);
        free(z->items[i].path);
        if (z->items[i].data)
            sodium_memzero(z->items[i].data, z->items[i].len); /* the 采集码 list */
        free(z->items[i].data);
    }
    free(z->items);
    if (z->f)
        fclose(z->f);
    tc_buf_free(&z->pending);
    tc_buf_free(&z->central);
    free(z);
}

/* Begin item i: CRC and size, then its local header into pending. */
static int zip_start(tc_export_zip *z, size_t i)
{
    zip_item *it = &z->items[i];
    uint32_t crc = 0;
    uint64_t size = 0;
    if (it->path) {
        z->f = fopen(it->path, "rb");
        if (!z->f) {
            tc_log(TC_LOG_ERROR, "export: cannot open %s: %s", it->path, strerror(errno));
            return -1;
        }
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, z->f)) > 0) {
            crc = crc_update(crc, buf, got);
            size += got;
        }
        if (ferror(z->f) || fseek(z->f, 0, SEEK_SET) != 0)
            return -1;
    } else {
        if (it->blobs) {
            tc_err e;
            if (tc_blob_get(it->blobs, it->blob, TC_EXPORT_BLOB_MAX, &it->data, &it->len, &e) != 0) {
                tc_log(TC_LOG_ERROR, "export: cannot read blob %s: %s", it->blob, e.en);
                return -1;
            }
            z->mem_item = it;
        }
        z->mem = it->data;
        z->mem_left = it->len;
        crc = crc_update(0, it->data, it->len);
        size = it->len;
    }
    size_t nl = strlen(it->name);
    if (size > 0xFFFFFFF0u || z->offset + size + 30 + nl > 0xFFFFFFF0u)
        return -1; /* would need ZIP64 */
    /* local file header: stored, UTF-8 names (bit 11) */
    tc_buf *b = &z->pending;
    put32(b, 0x04034b50);
    put16(b, 10);
    put16(b, 0x0800);
    put16(b, 0);
    put16(b, z->dos_time);
    put16(b, z->dos_date);
    put32(b, crc);
    put32(b, (uint32_t)size);
    put32(b, (uint32_t)size);
    put16(b, (unsigned)nl);
    put16(b, 0);
    tc_buf_append(b, it->name, nl);
    /* its central directory entry */
    tc_buf *c = &z->central;
    put32(c, 0x02014b50);
    put16(c, 0x0314); /* made by: Unix, 2.0 */
    put16(c, 10);
    put16(c, 0x0800);
    put16(c, 0);
    put16(c, z->dos_time);
    put16(c, z->dos_date);
    put32(c, crc);
    put32(c, (uint32_t)size);
    put32(c, (uint32_t)size);
    put16(c, (unsigned)nl);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0100644u << 16); /* -rw-r--r-- */
    put32(c, (uint32_t)z->offset);
    tc_buf_append(c, it->name, nl);
    z->offset += 30 + nl + size;
    return 0;
}

static void zip_end(tc_export_zip *z)
{
    tc_buf *b = &z->pending;
    uint64_t cd_off = z->offset;
    tc_buf_append(b, z->central.data, z->central.len);
    put32(b, 0x06054b50);
    put16(b, 0);
    put16(b, 0);
    put16(b, (unsigned)z->n);
    put16(b, (unsigned)z->n);
    put32(b, (uint32_t)z->central.len);
    put32(b, (uint32_t)cd_off);
    put16(b, 0);
    z->done = 1;
}

long tc_export_zip_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    tc_export_zip *z = cls;
    for (;;) {
        if (z->pending_off < z->pending.len) {
            size_t k = z->pending.len - z->pending_off;
            if (k > max)
                k = max;
            memcpy(buf, z->pending.data + z->pending_off, k);
            z->pending_off += k;
            if (z->pending_off == z->pending.len)
                z->pending.len = z->pending_off = 0;
            return (long)k;
        }
        if (z->f) {
            size_t got = fread(buf, 1, max, z->f);
            if (got > 0)
                return (long)got;
            int bad = ferror(z->f);
            fclose(z->f);
            z->f = NULL;
            if (bad)
                return -1;
            continue;
        }
        if (z->mem) {
            if (z->mem_left) {
                size_t k = z->mem_left < max ? z->mem_left : max;
                memcpy(buf, z->mem, k);
                z->mem += k;
                z->mem_left -= k;
                return (long)k;
            }
            z->mem = NULL;
            if (z->mem_item) { /* one fetched blob in memory at a time */
                free(z->mem_item->data);
                z->mem_item->data = NULL;
                z->mem_item->len = 0;
                z->mem_item = NULL;
            }
            continue;
        }
        if (z->done)
            return 0;
        if (z->next < z->n) {
            if (zip_start(z, z->next++) != 0)
                return -1; /* the client sees a cut-off archive, never a wrong one */
            continue;
        }
        zip_end(z);
    }
}

/* ---- the batch's photo archive ------------------------------------------------------------------------ */

/* A file name from a student number or ID number: path separators and
 * characters Windows refuses become "_". */
static char *safe_name(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 5);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o[i] = ((unsigned char)s[i] < 0x20 || strchr("/\\:*?\"<>|", s[i])) ? '_' : s[i];
    o[n] = 0;
    if (!n || !strcmp(o, ".") || !strcmp(o, ".."))
        o[0] = '_', o[1] = 0;
    return o;
}

void tc_export_csv_cell(tc_buf *b, const char *s, int last)
{
    /* a cell Excel would run as a formula starts with a quote mark */
    int formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
    tc_buf_puts(b, "\"");
    if (formula)
        tc_buf_puts(b, "'");
    for (; *s; s++)
        tc_buf_append(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
    tc_buf_puts(b, last ? "\"\r\n" : "\",");
}

/* The archive name of row i (a second student with the same number gets a
 * suffix); NULL with e set. */
static char *photo_name(const tc_ident_keys *keys, const tc_store_export_row *row, int by_id, GHashTable *seen, tc_err *e)
{
    char *key = NULL;
    if (by_id) {
        if (tc_ident_open(keys, row->id_sealed, row->id_sealed_len, &key, e) != 0)
            return NULL;
    } else
        key = strdup(row->student_no);
    char *base = key ? safe_name(key) : NULL;
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
    }
    if (!base) {
        tc_err_internal(e, "export: bad photo for student %lld", (long long)row->student_id);
        return NULL;
    }
    char *name = g_strdup_printf("%s.jpg", base);
    for (int k = 2; g_hash_table_contains(seen, name); k++) {
        g_free(name);
        name = g_strdup_printf("%s_%d.jpg", base, k);
    }
    free(base);
    g_hash_table_add(seen, g_strdup(name));
    return name;
}

int tc_export_photos_zip(const tc_ident_keys *keys, const tc_blob_store *blobs, const tc_store_export_row *rows, size_t n,
                         int by_id, int codes, tc_export_zip **out, size_t *ncodes, tc_err *e)
{
    *out = NULL;
    *ncodes = 0;
    if (n + 2 > TC_EXPORT_ZIP_MAX)
        return tc_err_set(e, TCE_EXPORT_TOO_MANY);
    tc_export_zip *z = tc_export_zip_new(n + 2, time(NULL));
    if (!z)
        return tc_err_internal(e, "out of memory");
    tc_buf man;
    tc_buf_init(&man);
    tc_buf_puts(&man, "\xEF\xBB\xBF"); /* BOM: Excel reads the CSV as UTF-8 */
    tc_buf_puts(&man, "\"文件名\",\"学号\",\"姓名\",\"班级\",\"状态\",\"审核时间\"\r\n");
    /* the 采集码 list for the 学信网 upload: the codes themselves only for the
     * school's own admin (like full ID numbers); others get bound / not bound */
    tc_buf cl;
    tc_buf_init(&cl);
    tc_buf_puts(&cl, "\xEF\xBB\xBF");
    tc_buf_puts(&cl, "\"学号\",\"姓名\",\"采集码\",\"文件名\"\r\n");
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int fail = 0;
    for (size_t i = 0; i < n && !fail; i++) {
        char *name = photo_name(keys, &rows[i], by_id, seen, e);
        char path[4096];
        /* files are read when the stream reaches them; an object store's
         * blobs are fetched then, one at a time */
        if (!name ||
            (tc_blob_is_local(blobs) ? tc_blob_path(blobs, rows[i].blob, path, sizeof path) != 0 ||
                                           tc_export_zip_add_file(z, name, path) != 0
                                     : tc_export_zip_add_blob(z, name, blobs, rows[i].blob) != 0)) {
            if (name)
                tc_err_internal(e, "export: bad photo for student %lld", (long long)rows[i].student_id);
            g_free(name);
            fail = 1;
            break;
        }
        char when[20] = "";
        if (rows[i].decided_at)
            tc_time_fmt_cn(rows[i].decided_at, when);
        tc_export_csv_cell(&man, name, 0);
        tc_export_csv_cell(&man, rows[i].student_no, 0);
        tc_export_csv_cell(&man, rows[i].name, 0);
        tc_export_csv_cell(&man, rows[i].class_name, 0);
        tc_export_csv_cell(&man, tc_export_state_word(rows[i].state, 0), 0);
        tc_export_csv_cell(&man, when, 1);
        char *code = NULL;
        if (codes && rows[i].chsi_sealed &&
            tc_ident_open(keys, rows[i].chsi_sealed, rows[i].chsi_sealed_len, &code, NULL) == 0)
            (*ncodes)++;
        tc_export_csv_cell(&cl, rows[i].student_no, 0);
        tc_export_csv_cell(&cl, rows[i].name, 0);
        tc_export_csv_cell(&cl,
                           code                ? code
                           : !rows[i].has_chsi ? "未绑定"
                           : codes             ? "已绑定（旧名单仅存摘要，请学生重新扫码）"
                                               : "已绑定",
                           0);
        tc_export_csv_cell(&cl, name, 1);
        if (code) {
            sodium_memzero(code, strlen(code));
            free(code);
        }
        g_free(name);
    }
    g_hash_table_destroy(seen);
    size_t len;
    char *data = tc_buf_steal(&man, &len);
    if (!fail && tc_export_zip_add_data(z, "manifest.csv", data, len) != 0)
        fail = 1, tc_err_internal(e, "out of memory");
    else if (fail)
        free(data);
    data = tc_buf_steal(&cl, &len);
    if (!fail && tc_export_zip_add_data(z, "采集码.csv", data, len) != 0)
        fail = 1, tc_err_internal(e, "out of memory");
    else if (fail) {
        if (data)
            sodium_memzero(data, len);
        free(data);
    }
    if (fail) {
        tc_export_zip_free(z);
        return -1;
    }
    *out = z;
    return 0;
}
