/* tc_export — the stored ZIP, streamed, and the batch's photo archive. */
#include <assert.h>
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
    uint64_t big;        /* sizes and offsets from here on need ZIP64  */
    size_t many;         /* entry counts from here on need ZIP64       */
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
static void put64(tc_buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
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
    z->big = 0xFFFFFFFFu;
    z->many = 0xFFFF;
    tc_buf_init(&z->pending);
    tc_buf_init(&z->central);
    struct tm tm;
    localtime_r(&now, &tm);
    z->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    z->dos_date = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    return z;
}

void tc_export_zip_set_zip64(tc_export_zip *z, uint64_t bytes, size_t entries)
{
    assert(bytes <= 0xFFFFFFFFu && entries <= 0xFFFF && z->next == 0);
    z->big = bytes;
    z->many = entries;
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

/* The fields a local header and its central directory entry share, from
 * "version needed" to the name's length: stored, UTF-8 names (bit 11); in
 * ZIP64 the sizes read 0xFFFFFFFF and follow in the extra field. */
static void put_entry(tc_buf *b, const tc_export_zip *z, int z64, uint32_t crc, uint64_t size, size_t nl)
{
    put16(b, z64 ? 45 : 10);
    put16(b, 0x0800);
    put16(b, 0);
    put16(b, z->dos_time);
    put16(b, z->dos_date);
    put32(b, crc);
    put32(b, z64 ? 0xFFFFFFFFu : (uint32_t)size);
    put32(b, z64 ? 0xFFFFFFFFu : (uint32_t)size);
    put16(b, (unsigned)nl);
}

/* The ZIP64 extra field: both sizes, then (central directory) the local
 * header's offset when offset is not NULL. */
static void put_zip64_extra(tc_buf *b, uint64_t size, const uint64_t *offset)
{
    put16(b, 0x0001);
    put16(b, offset ? 24 : 16);
    put64(b, size);
    put64(b, size);
    if (offset)
        put64(b, *offset);
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
    /* ZIP64 for this entry when its size or its offset reaches the limit:
     * the 32-bit fields read 0xFFFFFFFF and the values follow in the
     * ZIP64 extra field (local: both sizes; central: sizes and offset) */
    int z64 = size >= z->big || z->offset >= z->big;
    /* local file header */
    tc_buf *b = &z->pending;
    put32(b, 0x04034b50);
    put_entry(b, z, z64, crc, size, nl);
    put16(b, z64 ? 20 : 0);
    tc_buf_append(b, it->name, nl);
    if (z64)
        put_zip64_extra(b, size, NULL);
    /* its central directory entry */
    tc_buf *c = &z->central;
    put32(c, 0x02014b50);
    put16(c, z64 ? 0x032D : 0x0314); /* made by: Unix, 4.5 / 2.0 */
    put_entry(c, z, z64, crc, size, nl);
    put16(c, z64 ? 28 : 0);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0100644u << 16); /* -rw-r--r-- */
    put32(c, z64 ? 0xFFFFFFFFu : (uint32_t)z->offset);
    tc_buf_append(c, it->name, nl);
    if (z64)
        put_zip64_extra(c, size, &z->offset);
    z->offset += 30 + nl + (z64 ? 20 : 0) + size;
    return 0;
}

static void zip_end(tc_export_zip *z)
{
    /* the end records follow the central directory in its own buffer,
     * which is then sent as it is (never copied) */
    tc_buf *b = &z->central;
    uint64_t cd_off = z->offset, cd_len = z->central.len;
    int z64 = z->n >= z->many || cd_off >= z->big || cd_len >= z->big;
    if (z64) {
        /* the ZIP64 end of central directory record, then its locator */
        uint64_t rec = cd_off + cd_len;
        put32(b, 0x06064b50);
        put64(b, 44); /* the record's size after this field */
        put16(b, 0x032D);
        put16(b, 45);
        put32(b, 0);
        put32(b, 0);
        put64(b, z->n);
        put64(b, z->n);
        put64(b, cd_len);
        put64(b, cd_off);
        put32(b, 0x07064b50);
        put32(b, 0);
        put64(b, rec);
        put32(b, 1);
    }
    put32(b, 0x06054b50);
    put16(b, 0);
    put16(b, 0);
    put16(b, z64 ? 0xFFFF : (unsigned)z->n);
    put16(b, z64 ? 0xFFFF : (unsigned)z->n);
    put32(b, z64 ? 0xFFFFFFFFu : (uint32_t)cd_len);
    put32(b, z64 ? 0xFFFFFFFFu : (uint32_t)cd_off);
    put16(b, 0);
    z->mem = z->central.data;
    z->mem_left = z->central.len;
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

int tc_export_photos_zip(const tc_ident_keys *keys, const tc_blob_store *blobs, const tc_store_export_row *rows,
                         const tc_export_names *names, size_t from, size_t count, int codes, int full_ids,
                         tc_export_zip **out, size_t *ncodes, tc_err *e)
{
    *out = NULL;
    *ncodes = 0;
    assert(from + count <= names->n || (!count && from <= names->n));
    if (count + 3 > TC_EXPORT_ZIP_MAX)
        return tc_err_set(e, TCE_EXPORT_TOO_MANY, TC_EXPORT_ZIP_MAX - 3);
    tc_export_zip *z = tc_export_zip_new(count + 3, time(NULL));
    if (!z)
        return tc_err_internal(e, "out of memory");
    tc_buf man;
    tc_buf_init(&man);
    tc_buf_puts(&man, "\xEF\xBB\xBF"); /* BOM: Excel reads the CSV as UTF-8 */
    tc_buf_puts(&man, "\"文件名\",\"学号\",\"姓名\",\"班级\",\"状态\",\"审核时间\",\"成片核对\"\r\n");
    /* the 采集码 list for the 学信网 upload: the codes themselves only for the
     * school's own admin (like full ID numbers); others get bound / not bound */
    tc_buf cl;
    tc_buf_init(&cl);
    tc_buf_puts(&cl, "\xEF\xBB\xBF");
    tc_buf_puts(&cl, "\"学号\",\"姓名\",\"采集码\",\"文件名\"\r\n");
    int fail = 0;
    for (size_t i = from; i < from + count; i++) {
        const char *name = names->name[i];
        char path[4096];
        /* files are read when the stream reaches them; an object store's
         * blobs are fetched then, one at a time */
        if (tc_blob_is_local(blobs) ? tc_blob_path(blobs, rows[i].blob, path, sizeof path) != 0 ||
                                          tc_export_zip_add_file(z, name, path) != 0
                                    : tc_export_zip_add_blob(z, name, blobs, rows[i].blob) != 0) {
            tc_err_internal(e, "export: bad photo for student %lld", (long long)rows[i].student_id);
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
        tc_export_csv_cell(&man, when, 0);
        /* the student's 校对 of the 成片 (issue 19 item 6) */
        tc_export_csv_cell(&man, rows[i].confirmed ? "已确认" : "未确认", 1);
        char *code = NULL;
        if (codes && rows[i].chsi_sealed)
            tc_ident_open(keys, rows[i].chsi_sealed, rows[i].chsi_sealed_len, &code, NULL);
        tc_export_csv_cell(&cl, rows[i].student_no, 0);
        tc_export_csv_cell(&cl, rows[i].name, 0);
        tc_export_csv_cell(&cl,
                           code                ? code
                           : !rows[i].has_chsi ? "未绑定"
                           : codes             ? "已绑定（旧名单仅存摘要，请学生重新扫码）"
                                               : "已绑定",
                           0);
        tc_export_csv_cell(&cl, name, 1);
        tc_str_free_secret(code);
    }
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
    /* the same list as a workbook: written to a temporary file, kept in
     * memory (tens of bytes a row), the file unlinked at once */
    char xpath[64];
    if (!fail) {
        if (tc_export_codes_xlsx(keys, rows, names, from, count, codes, full_ids, xpath, ncodes, e) != 0)
            fail = 1;
        else {
            int rd = tc_file_read(xpath, 64u << 20, &data, &len, e);
            unlink(xpath);
            if (rd != 0 || tc_export_zip_add_data(z, "采集码.xlsx", data, len) != 0)
                fail = 1, tc_err_internal(e, "export: the 采集码 workbook");
        }
    }
    if (fail) {
        tc_export_zip_free(z);
        return -1;
    }
    *out = z;
    return 0;
}
