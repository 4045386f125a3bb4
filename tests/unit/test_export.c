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
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "export/tc_export.h"
#include "roster/tc_roster.h"

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
         .has_chsi = 1, .confirmed = 1},
        {.student_id = 2, .name = "李四", .student_no = "S/1", .class_name = "=cmd", .state = "approved", .blob = id2,
         .id_sealed = idsealed, .id_sealed_len = idlen},
    };
    tc_export_zip *z;
    size_t ncodes;
    tc_export_names nm;
    assert_int_equal(tc_export_names_make(&k, "{学号}", rows, 2, &nm, &e), 0);
    assert_int_equal(nm.ncollided, 1);
    assert_int_equal(nm.collided[0], 1);
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, &nm, 0, 2, 1, 0, &z, &ncodes, &e), 0);
    assert_int_equal(ncodes, 1);
    char path[PATH_MAX];
    drain(z, "p.zip", path, sizeof path);
    tc_export_zip_free(z);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 5);
    size_t len;
    char *b = entry(za, "S_1.jpg", &len);
    assert_string_equal(b, "JPEG-one");
    free(b);
    b = entry(za, "S_1_2.jpg", &len);
    assert_string_equal(b, "JPEG-two");
    free(b);
    b = entry(za, "manifest.csv", &len);
    assert_memory_equal(b, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(b, "\"S_1.jpg\",\"S/1\",\"张三\",\"一班\",\"已制作\",\"\",\"已确认\"\r\n"));
    assert_non_null(strstr(b, "\"'=cmd\",\"已通过\",\"\",\"未确认\"\r\n"));
    free(b);
    b = entry(za, "采集码.csv", &len);
    assert_non_null(strstr(b, "\"S/1\",\"张三\",\"CODE123\",\"S_1.jpg\"\r\n"));
    assert_non_null(strstr(b, "\"S/1\",\"李四\",\"未绑定\",\"S_1_2.jpg\"\r\n"));
    free(b);
    b = entry(za, "采集码.xlsx", &len);
    assert_memory_equal(b, "PK", 2);
    free(b);
    zip_close(za);
    tc_export_names_free(&nm);

    /* by ID number, and without the codes in clear */
    assert_int_equal(tc_export_names_make(&k, "{身份证号}", rows, 1, &nm, &e), 0);
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, &nm, 0, 1, 0, 0, &z, &ncodes, &e), 0);
    tc_export_names_free(&nm);
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
    assert_int_equal(tc_export_names_make(&k, "{学号}", rows, 2, &nm, &e), 0);
    assert_int_equal(tc_export_photos_zip(&k, bs, rows, &nm, 0, 2, 0, 0, &z, &ncodes, &e), -1);
    tc_export_names_free(&nm);
    assert_null(z);
    assert_int_equal(e.status, 500);
    free(idsealed);
    free(codesealed);
    tc_blob_close(bs);
}

/* The naming template: what is refused, and the names it makes. */
static void test_template(void **state)
{
    (void)state;
    tc_err e = {0};
    static const struct {
        const char *tpl, *code;
    } BAD[] = {
        {"", "export.bad_template"},
        {"/{学号}", "export.bad_template"},
        {"../{学号}", "export.bad_template"},
        {"{班级}/../{学号}", "export.bad_template"},
        {"{班级}//{学号}", "export.bad_template"},
        {"{班级}/", "export.bad_template"},
        {"./{学号}", "export.bad_template"},
        {"{班级}\\{学号}", "export.bad_template"},
        {"{学号}:x", "export.bad_template"},
        {"{学号}\n", "export.bad_template"},
        {"{学号", "export.bad_template"},
        {"学号}", "export.bad_template"},
        {"{{学号}}", "export.bad_template"},
        {"{生日}", "export.bad_template"},
        {"photo", "export.bad_template"},
        {"a/b/c/d/{学号}", "export.bad_template"},
        {"{考生号}", "export.template_field_missing"},
        {"{exam_no}", "export.template_field_missing"},
        {"\xff{学号}", "export.bad_template"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(tc_export_tpl_check(BAD[i].tpl, &e), -1);
        if (strcmp(e.code, BAD[i].code) != 0)
            fail_msg("%s: %s", BAD[i].tpl, e.code);
        assert_int_equal(e.status, 400);
    }
    char longt[TC_EXPORT_TPL_MAX + 8];
    memset(longt, 'a', sizeof longt - 1);
    memcpy(longt, "{学号}", strlen("{学号}"));
    longt[sizeof longt - 1] = 0;
    assert_int_equal(tc_export_tpl_check(longt, &e), -1);
    static const char *const GOOD[] = {"{学号}", "{身份证号}.jpg", "{班级}/{学号}", "{专业}/{班级}/{学号}_{姓名}",
                                       "{class}/{student_no}", "照片/{层次}/{院系}/{id_number}.JPG"};
    for (size_t i = 0; i < sizeof GOOD / sizeof *GOOD; i++)
        if (tc_export_tpl_check(GOOD[i], &e) != 0)
            fail_msg("%s: %s", GOOD[i], e.code);

    tc_ident_keys k;
    assert_int_equal(tc_ident_keys_derive(&k, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &e), 0);
    uint8_t *ids;
    size_t idl;
    assert_int_equal(tc_ident_seal(&k, "11010519491231002X", &ids, &idl, &e), 0);
    char longv[200];
    memset(longv, 0, sizeof longv);
    for (int i = 0; i < 30; i++)
        memcpy(longv + 3 * i, "班", 3); /* 90 bytes: cut at 64, a whole character (21 of them) */
    tc_store_export_row rows[] = {
        {.student_no = "K001", .name = "张三", .class_name = "软件1班", .programme = "软件工程", .level = "", .department = "",
         .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = "k001", .name = "李四", .class_name = "软件1班", .programme = "", .level = "", .department = "",
         .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = "K001", .name = "王五", .class_name = "..", .programme = "", .level = "", .department = "",
         .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = "A<1>", .name = "赵六", .class_name = longv, .programme = "", .level = "", .department = "",
         .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = "K001", .name = "钱七", .class_name = "软件1班", .programme = "", .level = "", .department = "",
         .id_sealed = ids, .id_sealed_len = idl},
    };
    tc_export_names nm;
    assert_int_equal(tc_export_names_make(&k, "{班级}/{学号}", rows, 5, &nm, &e), 0);
    assert_int_equal(nm.n, 5);
    assert_string_equal(nm.name[0], "软件1班/K001.jpg");
    assert_string_equal(nm.name[1], "软件1班/k001_2.jpg"); /* K001 and k001 are one file on Windows */
    assert_string_equal(nm.name[2], "_/K001.jpg");         /* a folder ".." becomes "_" */
    char want[128];
    snprintf(want, sizeof want, "%.63s/A_1_.jpg", longv);
    assert_string_equal(nm.name[3], want);
    assert_string_equal(nm.name[4], "软件1班/K001_3.jpg"); /* _2 is taken (k001_2) */
    assert_int_equal(nm.ncollided, 2);
    assert_int_equal(nm.collided[0], 1);
    assert_int_equal(nm.collided[1], 4);
    tc_export_names_free(&nm);
    assert_int_equal(tc_export_names_make(&k, "{专业}/{身份证号}_{姓名}.jpg", rows, 2, &nm, &e), 0);
    assert_string_equal(nm.name[0], "软件工程/11010519491231002X_张三.jpg");
    assert_string_equal(nm.name[1], "无专业/11010519491231002X_李四.jpg"); /* empty value: 无<field> */
    tc_export_names_free(&nm);
    /* a part of a name at most TC_EXPORT_PART_MAX bytes, whole characters */
    assert_int_equal(tc_export_names_make(&k, "{班级}{班级}{班级}{班级}/{班级}{班级}{班级}{班级}", &rows[3], 1, &nm, &e), 0);
    char part[256] = "";
    for (int i = 0; i < 66; i++)
        strcat(part, "班");
    assert_int_equal(strlen(nm.name[0]), 198 + 1 + 198 + 4);
    assert_memory_equal(nm.name[0], part, 198);
    assert_int_equal(nm.name[0][198], '/');
    assert_string_equal(nm.name[0] + 199 + 198, ".jpg");
    tc_export_names_free(&nm);
    /* many students in one name: _2 ... _N in order */
    tc_store_export_row same[300];
    for (int i = 0; i < 300; i++)
        same[i] = rows[0];
    assert_int_equal(tc_export_names_make(&k, "{层次}", same, 300, &nm, &e), 0);
    assert_string_equal(nm.name[0], "无层次.jpg");
    assert_string_equal(nm.name[299], "无层次_300.jpg");
    assert_int_equal(nm.ncollided, 299);
    tc_export_names_free(&nm);
    /* names Windows cannot create: devices, a folder ending in a dot or a space */
    tc_store_export_row w[] = {
        {.student_no = "con", .name = "x", .class_name = "班.", .programme = "", .level = "", .department = "", .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = "LPT1", .name = "x", .class_name = "aux", .programme = "", .level = "", .department = "", .id_sealed = ids, .id_sealed_len = idl},
        {.student_no = ".", .name = "x", .class_name = "COM10", .programme = "", .level = "", .department = "", .id_sealed = ids, .id_sealed_len = idl},
    };
    assert_int_equal(tc_export_names_make(&k, "{班级}/{学号}", w, 3, &nm, &e), 0);
    assert_string_equal(nm.name[0], "班_/_con.jpg");
    assert_string_equal(nm.name[1], "_aux/_LPT1.jpg");
    assert_string_equal(nm.name[2], "COM10/_.jpg");
    tc_export_names_free(&nm);
    free(ids);
}

/* Run a command; its exit status. */
static int run(const char *fmt, const char *arg)
{
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, fmt, arg);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* python3's zipfile reads the archive's entry count and checks every CRC;
 * 77 when there is no python3 (the check is then left to unzip). */
static int py_check(const char *path, long entries)
{
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import zipfile' >/dev/null 2>&1 || exit 77; python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); "
             "assert len(z.infolist())==%ld, len(z.infolist()); assert z.testzip() is None' '%s'",
             entries, path);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ZIP64 by count: 70,000 tiny entries (past 65535) read back by libzip,
 * unzip -t and python's zipfile. */
static void test_zip64_many(void **state)
{
    (void)state;
    enum { N = 70000 };
    tc_export_zip *z = tc_export_zip_new(N, 1700000000);
    assert_non_null(z);
    for (int i = 0; i < N; i++) {
        char name[32], *d = malloc(8);
        snprintf(name, sizeof name, "d%d/%06d.txt", i % 7, i);
        int len = snprintf(d, 8, "%d", i % 1000);
        assert_int_equal(tc_export_zip_add_data(z, name, d, (size_t)len), 0);
    }
    char path[PATH_MAX];
    drain(z, "many.zip", path, sizeof path);
    tc_export_zip_free(z);
    /* the end records: ZIP64 record and locator, then the classic one
     * saying "see ZIP64" (0xFFFF entries) */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char tail[22 + 20 + 56];
    assert_int_equal(fseek(f, -(long)sizeof tail, SEEK_END), 0);
    assert_int_equal(fread(tail, 1, sizeof tail, f), sizeof tail);
    fclose(f);
    assert_memory_equal(tail, "PK\x06\x06", 4);
    assert_memory_equal(tail + 56, "PK\x06\x07", 4);
    assert_memory_equal(tail + 76, "PK\x05\x06", 4);
    assert_int_equal(tail[76 + 10] | tail[76 + 11] << 8, 0xFFFF);
    uint64_t total = 0;
    for (int i = 7; i >= 0; i--)
        total = total << 8 | tail[32 + i];
    assert_int_equal(total, N);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), N);
    size_t len;
    char *b = entry(za, "d6/069999.txt", &len);
    assert_string_equal(b, "999");
    free(b);
    zip_close(za);
    assert_int_equal(run("unzip -tqq '%s' >/dev/null", path), 0);
    int py = py_check(path, N);
    assert_true(py == 0 || py == 77);
}

/* ZIP64 by size and offset, with the threshold lowered (a test cannot
 * write 4 GiB): entries at or past it carry the ZIP64 extra field, the end
 * records are ZIP64; every reader agrees on names, sizes and CRCs. */
static void test_zip64_offsets(void **state)
{
    (void)state;
    char big[PATH_MAX];
    snprintf(big, sizeof big, "%s/z64.bin", dir);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    for (int i = 0; i < 5000; i++)
        fputc(i * 31 & 0xff, f);
    fclose(f);
    tc_export_zip *z = tc_export_zip_new(4, 1700000000);
    tc_export_zip_set_zip64(z, 4096, 0xFFFF);
    assert_int_equal(tc_export_zip_add_data(z, "small-first.txt", strdup("abc"), 3), 0); /* classic entry */
    assert_int_equal(tc_export_zip_add_file(z, "班级/big.bin", big), 0);                /* size >= 4096 */
    assert_int_equal(tc_export_zip_add_data(z, "after.txt", strdup("xyz"), 3), 0);       /* offset >= 4096 */
    char path[PATH_MAX];
    drain(z, "z64.zip", path, sizeof path);
    tc_export_zip_free(z);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 3);
    size_t len;
    char *b = entry(za, "班级/big.bin", &len);
    assert_int_equal(len, 5000);
    assert_int_equal((unsigned char)b[4999], 4999 * 31 & 0xff);
    free(b);
    b = entry(za, "after.txt", &len);
    assert_string_equal(b, "xyz");
    free(b);
    zip_close(za);
    assert_int_equal(run("unzip -tqq '%s' >/dev/null", path), 0);
    /* zipinfo -v names the ZIP64 extra field of the big entry */
    assert_int_equal(run("zipinfo -v '%s' | grep -q 'PKWARE 64-bit sizes'", path), 0);
    int py = py_check(path, 3);
    assert_true(py == 0 || py == 77);
}

/* ZIP64 for real, past 4 GiB: a sparse 4.25 GiB file between two small
 * entries, so that its size and the next entry's offset pass 0xFFFFFFFF.
 * Writes 4.25 GiB to TMPDIR: run only when TC_EXPORT_BIG=1 (a measurement,
 * not part of make test). */
static void test_zip64_real(void **state)
{
    (void)state;
    if (!getenv("TC_EXPORT_BIG"))
        skip();
    char big[PATH_MAX];
    snprintf(big, sizeof big, "%s/sparse.bin", dir);
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    const long long SZ = 4LL * 1024 * 1024 * 1024 + 256LL * 1024 * 1024;
    assert_int_equal(fseeko(f, SZ - 1, SEEK_SET), 0);
    fputc('!', f);
    fclose(f);
    tc_export_zip *z = tc_export_zip_new(3, 1700000000);
    assert_int_equal(tc_export_zip_add_data(z, "before.txt", strdup("abc"), 3), 0);
    assert_int_equal(tc_export_zip_add_file(z, "big/sparse.bin", big), 0);
    assert_int_equal(tc_export_zip_add_data(z, "after.txt", strdup("xyz"), 3), 0);
    char path[PATH_MAX];
    drain(z, "real64.zip", path, sizeof path);
    tc_export_zip_free(z);
    unlink(big);
    assert_int_equal(run("unzip -tqq '%s' >/dev/null", path), 0);
    int py = py_check(path, 3);
    assert_true(py == 0 || py == 77);
    int err;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    zip_stat_t st;
    assert_int_equal(zip_stat(za, "big/sparse.bin", 0, &st), 0);
    assert_int_equal(st.size, (zip_uint64_t)SZ);
    size_t len;
    char *b = entry(za, "after.txt", &len);
    assert_string_equal(b, "xyz");
    free(b);
    zip_close(za);
    unlink(path);
}

/* Parts: by photos and by bytes; a photo bigger than the limit alone. */
static void test_parts(void **state)
{
    (void)state;
    tc_err e = {0};
    char bdir[PATH_MAX];
    snprintf(bdir, sizeof bdir, "%s/pblobs", dir);
    tc_blob_store *bs = tc_blob_open(bdir, &e);
    assert_non_null(bs);
    static char ids[5][TC_BLOB_ID_LEN + 1];
    static const size_t SZ[5] = {400, 400, 400, 2000, 100};
    tc_store_export_row rows[5];
    memset(rows, 0, sizeof rows);
    for (int i = 0; i < 5; i++) {
        char *d = calloc(1, SZ[i]);
        d[0] = (char)i;
        assert_int_equal(tc_blob_put(bs, d, SZ[i], ids[i], &e), 0);
        free(d);
        rows[i].blob = ids[i];
    }
    tc_export_part *p;
    size_t np;
    assert_int_equal(tc_export_parts_plan(bs, rows, 5, 0, 2, &p, &np, &e), 0);
    assert_int_equal(np, 3);
    assert_int_equal(p[0].photos, 2);
    assert_int_equal(p[2].first, 4);
    assert_int_equal(p[2].bytes, 100);
    free(p);
    assert_int_equal(tc_export_parts_plan(bs, rows, 5, 1000, 0, &p, &np, &e), 0);
    assert_int_equal(np, 4); /* 400+400 | 400 | 2000 alone | 100 */
    assert_int_equal(p[0].bytes, 800);
    assert_int_equal(p[2].photos, 1);
    assert_int_equal(p[2].bytes, 2000);
    free(p);
    assert_int_equal(tc_export_parts_plan(bs, rows, 5, 0, 0, &p, &np, &e), 0);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].photos, 5);
    free(p);
    assert_int_equal(tc_export_parts_plan(bs, rows, 0, 0, 2, &p, &np, &e), 0);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].photos, 0);
    free(p);
    tc_blob_close(bs);
}

/* The roster template: the import's columns, the example row. */
static void test_roster_template(void **state)
{
    (void)state;
    tc_err e = {0};
    char path[64];
    assert_int_equal(tc_export_roster_template_xlsx(0, path, &e), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    unlink(path);
    tc_roster ro;
    if (tc_roster_parse(buf, (size_t)n, &ro, &e) != 0)
        fail_msg("%s: %s", e.code, e.en);
    for (int i = 0; i < TC_ROSTER_NFIELDS; i++)
        assert_true(ro.has_field[i]);
    assert_int_equal(ro.nrows, 1);
    assert_string_equal(ro.rows[0].f[TC_ROSTER_NAME], "张三");
    assert_string_equal(ro.rows[0].f[TC_ROSTER_ID_NUMBER], "110105200001010024");
    tc_roster_report rep;
    tc_roster_validate(&ro, &rep);
    assert_int_equal(rep.nerrors, 0);
    tc_roster_report_free(&rep);
    tc_roster_free(&ro);
    free(buf);
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
        cmocka_unit_test(test_xlsx),       cmocka_unit_test(test_poster),   cmocka_unit_test(test_template),
        cmocka_unit_test(test_zip64_many), cmocka_unit_test(test_zip64_offsets), cmocka_unit_test(test_zip64_real),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_roster_template),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
