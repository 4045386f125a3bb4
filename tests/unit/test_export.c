/* tc_export: the streamed ZIP reads back with libzip (names, bytes, CRCs),
 * the photo archive's names, suffixes and CSVs, the XLSX workbooks open back
 * and hold their cells, the poster is a PDF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "export/tc_export.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_export.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Read the whole stream in small pieces into a file; its path to out. */
static void drain(tc_export_zip *z, const char *name, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    char buf[777]; /* odd-sized reads: headers and bytes straddle them */
    long got;
    while ((got = tc_export_zip_read(z, 0, buf, sizeof buf)) > 0)
        assert_int_equal(fwrite(buf, 1, (size_t)got, f), (size_t)got);
    assert_int_equal(got, 0);
    fclose(f);
}

/* The entry's bytes (libzip checks the CRC at the end of the read). */
static char *entry_any(zip_t *za, const char *name, size_t *len)
{
    zip_stat_t st;
    assert_int_equal(zip_stat(za, name, 0, &st), 0);
    char *b = malloc(st.size + 1);
    zip_file_t *f = zip_fopen(za, name, 0);
    assert_non_null(f);
    zip_int64_t got = zip_fread(f, b, st.size);
    assert_int_equal(got, (zip_int64_t)st.size);
    char extra;
    assert_int_equal(zip_fread(f, &extra, 1), 0); /* end reached: CRC checked */
    zip_fclose(f);
    b[st.size] = 0;
    *len = st.size;
    return b;
}

/* The same for an entry of the photo archive: stored, never compressed. */
static char *entry(zip_t *za, const char *name, size_t *len)
{
    zip_stat_t st;
    assert_int_equal(zip_stat(za, name, 0, &st), 0);
    assert_int_equal(st.comp_method, ZIP_CM_STORE);
    return entry_any(za, name, len);
}

static void test_zip(void **state)
{
    (void)state;
    char big[PATH_MAX];
    snprintf(big, sizeof big, "%s/big.bin", dir);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    for (int i = 0; i < 300000; i++)
        fputc((int)(((long)i * 7919) & 0xff), f);
    fclose(f);
    tc_export_zip *z = tc_export_zip_new(3, 1700000000);
    assert_non_null(z);
    assert_int_equal(tc_export_zip_add_file(z, "照片/big.bin", big), 0);
    assert_int_equal(tc_export_zip_add_data(z, "a.txt", strdup("hello"), 5), 0);
    assert_int_equal(tc_export_zip_add_data(z, "empty", strdup(""), 0), 0);
    assert_int_equal(tc_export_zip_add_data(z, "full", strdup("x"), 1), -1); /* cap reached */
    char path[PATH_MAX];
    drain(z, "t.zip", path, sizeof path);
    tc_export_zip_free(z);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 3);
    assert_string_equal(zip_get_name(za, 0, 0), "照片/big.bin");
    size_t len;
    char *b = entry(za, "照片/big.bin", &len);
    assert_int_equal(len, 300000);
    assert_int_equal((unsigned char)b[299999], (int)((299999L * 7919) & 0xff));
    free(b);
    b = entry(za, "a.txt", &len);
    assert_string_equal(b, "hello");
    free(b);
    b = entry(za, "empty", &len);
    assert_int_equal(len, 0);
    free(b);
    zip_close(za);

    /* a file gone by the time the stream reaches it: cut off, never wrong */
    z = tc_export_zip_new(1, 1700000000);
    assert_int_equal(tc_export_zip_add_file(z, "gone", "/nonexistent/x"), 0);
    char buf[100];
    assert_int_equal(tc_export_zip_read(z, 0, buf, sizeof buf), -1);
    tc_export_zip_free(z);
    assert_null(tc_export_zip_new(TC_EXPORT_ZIP_MAX + 1, 0));
}

static void test_csv_cell(void **state)
{
    (void)state;
    tc_buf b;
    tc_buf_init(&b);
    tc_export_csv_cell(&b, "=1+1", 0);
    tc_export_csv_cell(&b, "a\"b", 1);
    tc_buf_append(&b, "", 1);
    assert_string_equal(b.data, "\"'=1+1\",\"a\"\"b\"\r\n");
    tc_buf_free(&b);
    assert_string_equal(tc_export_state_word("final", 0), "已制作");
    assert_string_equal(tc_export_state_word("final", 1), "Final");
    assert_string_equal(tc_export_state_word("nope", 1), "Other");
}

static void test_photos_zip(void **state)
{
    (void)state;
    tc_err e = {0};
    tc_ident_keys k;
    assert_int_equal(tc_ident_keys_derive(&k, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &e), 0);
    char bdir[PATH_MAX];
    snprintf(bdir, sizeof bdir, "%s/blobs", dir);
    tc_blob_store *bs = tc_blob_open(bdir, &e);
    assert_non_null(bs);
    char id1[TC_BLOB_ID_LEN + 1], id2[TC_BLOB_ID_LEN + 1];
    assert_int_equal(tc_blob_put(bs, "JPEG-one", 8, id1, &e), 0);
    assert_int_equal(tc_blob_put(bs, "JPEG-two", 8, id2, &e), 0);
    uint8_t *idsealed, *codesealed;
    size_t idlen, codelen;
    assert_int_equal(tc_ident_seal(&k, "11010519491231002X", &idsealed, &idlen, &e), 0);
    assert_int_equal(tc_ident_seal(&k, "CODE123", &codesealed, &codelen, &e), 0);
    tc_store_export_row rows[2] = {
        {.student_id = 1, .name = "张三", .student_no = "S/1", .class_name = "一班", .state = "final", .blob = id1,
         .id_sealed = idsealed, .id_sealed_len = idlen, .chsi_sealed = codesealed, .chsi_sealed_len = codelen,
         .has_chsi = 1},
        {.student_id = 2, .name = "李四", .student_no = "S/1", .class_name = "=cmd", .state = "approved", .blob = id2,
         .id_sealed = idsealed, .id_sealed_len = idlen},
    };
    tc_export_zip *z;
    size_t ncodes;
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, 2, 0, 1, &z, &ncodes, &e), 0);
    assert_int_equal(ncodes, 1);
    char path[PATH_MAX];
    drain(z, "p.zip", path, sizeof path);
    tc_export_zip_free(z);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 4);
    size_t len;
    char *b = entry(za, "S_1.jpg", &len);
    assert_string_equal(b, "JPEG-one");
    free(b);
    b = entry(za, "S_1_2.jpg", &len);
    assert_string_equal(b, "JPEG-two");
    free(b);
    b = entry(za, "manifest.csv", &len);
    assert_memory_equal(b, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(b, "\"S_1.jpg\",\"S/1\",\"张三\",\"一班\",\"已制作\",\"\"\r\n"));
    assert_non_null(strstr(b, "\"'=cmd\",\"已通过\""));
    free(b);
    b = entry(za, "采集码.csv", &len);
    assert_non_null(strstr(b, "\"S/1\",\"张三\",\"CODE123\",\"S_1.jpg\"\r\n"));
    assert_non_null(strstr(b, "\"S/1\",\"李四\",\"未绑定\",\"S_1_2.jpg\"\r\n"));
    free(b);
    zip_close(za);

    /* by ID number, and without the codes in clear */
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, 1, 1, 0, &z, &ncodes, &e), 0);
    assert_int_equal(ncodes, 0);
    drain(z, "q.zip", path, sizeof path);
    tc_export_zip_free(z);
    za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    b = entry(za, "11010519491231002X.jpg", &len);
    free(b);
    b = entry(za, "采集码.csv", &len);
    assert_null(strstr(b, "CODE123"));
    assert_non_null(strstr(b, "\"张三\",\"已绑定\",")); /* codes only for the school admin */
    free(b);
    zip_close(za);

    /* a photo whose file is not in the store */
    rows[1].blob = "not-a-blob-id";
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, 2, 0, 0, &z, &ncodes, &e), -1);
    assert_null(z);
    assert_int_equal(e.status, 500);
    free(idsealed);
    free(codesealed);
    tc_blob_close(bs);
}

/* The text of a worksheet of the workbook at path. */
static char *sheet(const char *path, int i)
{
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY, &err);
    assert_non_null(za);
    char name[64];
    snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", i);
    size_t len;
    char *b = entry_any(za, name, &len);
    zip_close(za);
    return b;
}

static void test_xlsx(void **state)
{
    (void)state;
    tc_err e = {0};
    tc_ident_keys k;
    assert_int_equal(tc_ident_keys_derive(&k, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &e), 0);
    uint8_t *idsealed;
    size_t idlen;
    assert_int_equal(tc_ident_seal(&k, "11010519491231002X", &idsealed, &idlen, &e), 0);
    tc_store_roster_row rows[1] = {0};
    rows[0].st.name = "王五";
    rows[0].st.student_no = "2024001";
    rows[0].st.state = "submitted";
    rows[0].st.id_sealed = idsealed;
    rows[0].st.id_sealed_len = idlen;
    rows[0].st.level = rows[0].st.programme = rows[0].st.department = rows[0].st.class_name = rows[0].st.phone = "";
    rows[0].st.chsi_hash[3] = 1;
    rows[0].locked_until = 2000;
    char path[64];
    assert_int_equal(tc_export_roster_xlsx(&k, rows, 1, 1000, 0, 0, path, &e), 0);
    char *s = sheet(path, 1);
    unlink(path);
    assert_non_null(strstr(s, "王五"));
    assert_non_null(strstr(s, "已提交"));
    assert_non_null(strstr(s, "已绑定"));
    assert_null(strstr(s, "11010519491231002X")); /* masked */
    free(s);
    assert_int_equal(tc_export_roster_xlsx(&k, rows, 1, 1000, 1, 1, path, &e), 0);
    s = sheet(path, 1);
    unlink(path);
    assert_non_null(strstr(s, "11010519491231002X"));
    assert_non_null(strstr(s, "student_no"));
    free(s);

    json_t *p = json_loads("{\"classes\":[{\"class_name\":\"一班\",\"counts\":{\"submitted\":7,\"total\":9}}],"
                           "\"totals\":{\"submitted\":7,\"total\":9}}",
                           0, NULL);
    assert_int_equal(tc_export_progress_xlsx(&k, p, rows, 1, 1000, 0, path, &e), 0);
    json_decref(p);
    s = sheet(path, 1);
    assert_non_null(strstr(s, "一班"));
    assert_non_null(strstr(s, "<v>7</v>"));
    free(s);
    s = sheet(path, 2);
    unlink(path);
    assert_non_null(strstr(s, "王五"));
    free(s);
    free(idsealed);
}

static void test_poster(void **state)
{
    (void)state;
    tc_err e = {0};
    uint8_t *pdf;
    size_t len;
    assert_int_equal(tc_export_poster_pdf(NULL, "学校", "批次", "abc1234", "https://x/?batch=abc1234", &pdf, &len, &e), -1);
    assert_string_equal(e.code, "pdf.font_missing");
    tc_pdf_fonts *f = tc_pdf_fonts_open(&e);
    if (!f)
        skip();
    assert_int_equal(tc_export_poster_pdf(f, "学校", "批次", "abc1234", "https://x/?batch=abc1234", &pdf, &len, &e), 0);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF", 4);
    free(pdf);
    tc_pdf_fonts_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip),        cmocka_unit_test(test_csv_cell), cmocka_unit_test(test_photos_zip),
        cmocka_unit_test(test_xlsx),       cmocka_unit_test(test_poster),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
