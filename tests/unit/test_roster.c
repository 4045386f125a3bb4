/* Unit tests for src/roster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster/tc_roster.h"

#ifndef TC_SRCDIR
#define TC_SRCDIR "."
#endif

/* A valid 18-digit resident ID from its first 17 digits (GB 11643). */
static const char *mkid(const char *d17, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (d17[i] - '0') * w[i];
    memcpy(out, d17, 17);
    out[17] = "10X98765432"[s % 11];
    out[18] = 0;
    return out;
}

static char *slurp_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/roster/%s", TC_SRCDIR, name);
    char *d;
    tc_err e;
    if (tc_file_read(path, 100 * 1024 * 1024, &d, len, &e) != 0)
        fail_msg("cannot read fixture %s: %s", path, e.en);
    return d;
}

static char *to_enc(const char *to, const char *utf8, size_t *outlen)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t n = strlen(utf8), cap = n * 4 + 8, left = cap;
    char *out = malloc(cap), *o = out, *in = (char *)utf8;
    assert_true(iconv(cd, &in, &n, &o, &left) != (size_t)-1);
    iconv_close(cd);
    *outlen = cap - left;
    return out;
}

static void parse_ok(const char *d, size_t n, tc_roster *r)
{
    tc_err e = {0};
    if (tc_roster_parse(d, n, r, &e) != 0)
        fail_msg("parse failed: %s %s", e.code, e.en);
}

static void parse_fails(const char *d, size_t n, const char *code)
{
    tc_roster r;
    tc_err e = {0};
    assert_int_equal(tc_roster_parse(d, n, &r, &e), -1);
    if (strcmp(e.code, code) != 0)
        fail_msg("expected %s, got %s (%s)", code, e.code, e.en);
    assert_true(e.zh[0] && e.en[0]);
    tc_roster_free(&r);
}

static void validate_ok(const tc_roster *r)
{
    tc_roster_report rep;
    int rc = tc_roster_validate(r, &rep);
    for (size_t i = 0; i < rep.nerrors; i++)
        print_message("row %d %s %s %s\n", rep.errors[i].row, rep.errors[i].field, rep.errors[i].code,
                      rep.errors[i].en);
    assert_int_equal(rc, 0);
    assert_int_equal(rep.nerrors, 0);
    tc_roster_report_free(&rep);
}

/* A small good roster in UTF-8, built with valid IDs. */
static char *good_csv(char sep, const char *nl)
{
    char a[19], b[19], c[19];
    mkid("32010219900101123", a);
    mkid("32010219951231456", b);
    mkid("11010520000229001", c);
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "姓名%c学号%c身份证号%c学校%c层次%c专业%c院系%c班级%c手机号%c图像采集码%c备注%s"
             "张三%c2020001%c%s%c南京大学%c本科%c计算机%c信息学院%c1班%c13812345678%cCODE-1%c无%s"
             "%s"
             "吴小兰%c2020002%c%s%c南京大学%c本科%c数学%c数学院%c2班%c%cCODE-2%c%s"
             "欧阳娜娜%c2020003%c%s%c%c%c%c%c%c15900000000%cCODE-3%c%s",
             sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, nl, sep, sep, a, sep, sep, sep, sep, sep, sep, sep,
             sep, nl, nl, sep, sep, b, sep, sep, sep, sep, sep, sep, sep, sep, nl, sep, sep, c, sep, sep, sep, sep,
             sep, sep, sep, sep, nl);
    return buf;
}

static void check_good(const tc_roster *r)
{
    assert_int_equal(r->nrows, 3);
    assert_string_equal(r->rows[0].f[TC_ROSTER_NAME], "张三");
    assert_string_equal(r->rows[0].f[TC_ROSTER_STUDENT_NO], "2020001");
    assert_string_equal(r->rows[0].f[TC_ROSTER_PHONE], "13812345678");
    assert_string_equal(r->rows[0].f[TC_ROSTER_CLASS], "1班");
    assert_string_equal(r->rows[1].f[TC_ROSTER_NAME], "吴小兰");
    assert_string_equal(r->rows[1].f[TC_ROSTER_PHONE], "");
    assert_string_equal(r->rows[2].f[TC_ROSTER_CHSI_CODE], "CODE-3");
    assert_int_equal(r->rows[0].line, 2);
    assert_int_equal(r->rows[1].line, 4); /* line 3 is empty */
    assert_int_equal(r->rows[2].line, 5);
    assert_int_equal(r->nunknown, 1);
    assert_string_equal(r->unknown_cols[0], "备注");
    validate_ok(r);
}

static void test_csv_utf8(void **state)
{
    (void)state;
    tc_roster r;
    const char *d = good_csv(',', "\n");
    parse_ok(d, strlen(d), &r);
    assert_int_equal(r.format, TC_ROSTER_CSV);
    assert_string_equal(r.encoding, "utf-8");
    assert_int_equal(r.sep, ',');
    check_good(&r);
    tc_roster_free(&r);
}

static void test_csv_bom_crlf(void **state)
{
    (void)state;
    char buf[4096] = "\xef\xbb\xbf";
    strcat(buf, good_csv(',', "\r\n"));
    tc_roster r;
    parse_ok(buf, strlen(buf), &r);
    assert_string_equal(r.encoding, "utf-8-bom");
    check_good(&r);
    tc_roster_free(&r);
}

static void test_csv_gb18030(void **state)
{
    (void)state;
    size_t n;
    char *gb = to_enc("GB18030", good_csv(',', "\r\n"), &n);
    tc_roster r;
    parse_ok(gb, n, &r);
    assert_string_equal(r.encoding, "gb18030");
    check_good(&r);
    tc_roster_free(&r);
    free(gb);
}

static void test_csv_tab_and_utf16(void **state)
{
    (void)state;
    tc_roster r;
    const char *d = good_csv('\t', "\n");
    parse_ok(d, strlen(d), &r);
    assert_int_equal(r.sep, '\t');
    check_good(&r);
    tc_roster_free(&r);

    /* Excel "Unicode text": UTF-16LE with BOM, tabs */
    size_t n;
    char *u16 = to_enc("UTF-16LE", good_csv('\t', "\r\n"), &n);
    char *withbom = malloc(n + 2);
    memcpy(withbom, "\xff\xfe", 2);
    memcpy(withbom + 2, u16, n);
    parse_ok(withbom, n + 2, &r);
    assert_string_equal(r.encoding, "utf-16");
    check_good(&r);
    tc_roster_free(&r);
    free(withbom);
    free(u16);
}

static void test_csv_quoted(void **state)
{
    (void)state;
    char a[19], b[19];
    mkid("32010219900101123", a);
    mkid("32010219951231456", b);
    char d[1024];
    snprintf(d, sizeof d,
             "\"Name\",\" student_no \",*ID_NUMBER,\"chsi_code\",\"school\"\r\n"
             "\"Smith, John\",\"001\",\"%s\",\"A \"\"quoted\"\" code\",\"line one\r\nline two\nline three\"\r\n"
             "\"Li\"\"Lei\",002,%s,X,\r\n"
             "\"\",,,,\r\n" /* empty row */
             "Han,003,%s,Y,\"last\"",
             a, b, mkid("11010520000229001", (char[19]){0}));
    tc_roster r;
    parse_ok(d, strlen(d), &r);
    assert_int_equal(r.nrows, 3);
    assert_string_equal(r.rows[0].f[TC_ROSTER_NAME], "Smith, John");
    assert_string_equal(r.rows[0].f[TC_ROSTER_STUDENT_NO], "001");
    assert_string_equal(r.rows[0].f[TC_ROSTER_CHSI_CODE], "A \"quoted\" code");
    assert_string_equal(r.rows[0].f[TC_ROSTER_SCHOOL], "line one\r\nline two\nline three");
    assert_string_equal(r.rows[1].f[TC_ROSTER_NAME], "Li\"Lei");
    assert_int_equal(r.rows[0].line, 2);
    assert_int_equal(r.rows[1].line, 5); /* the quoted cell spanned lines 2-4 */
    assert_int_equal(r.rows[2].line, 7);
    assert_string_equal(r.rows[2].f[TC_ROSTER_SCHOOL], "last");
    assert_int_equal(r.nunknown, 0);
    validate_ok(&r);
    tc_roster_free(&r);
}

static void test_xlsx_good(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp_fixture("good.xlsx", &n);
    tc_roster r;
    parse_ok(d, n, &r);
    assert_int_equal(r.format, TC_ROSTER_XLSX);
    assert_int_equal(r.nrows, 3);
    const tc_roster_row *w = r.rows;
    assert_int_equal(w[0].line, 2);
    assert_string_equal(w[0].f[TC_ROSTER_NAME], "张三");
    assert_string_equal(w[0].f[TC_ROSTER_ID_NUMBER], "11010519491231002X");
    assert_string_equal(w[0].f[TC_ROSTER_MAJOR], "计算机科学与技术");
    assert_string_equal(w[0].f[TC_ROSTER_PHONE], "13812345678");
    assert_string_equal(w[0].f[TC_ROSTER_CHSI_CODE], "CHSI-A-0001");
    assert_int_equal(w[1].line, 4);
    assert_string_equal(w[1].f[TC_ROSTER_NAME], "王五"); /* rich text runs, phonetic run dropped */
    assert_string_equal(w[1].f[TC_ROSTER_STUDENT_NO], "2020123002");
    assert_string_equal(w[1].f[TC_ROSTER_ID_NUMBER], "320102199001011232");
    assert_string_equal(w[1].f[TC_ROSTER_CHSI_CODE], "CHSI-A-0002");
    assert_string_equal(w[2].f[TC_ROSTER_STUDENT_NO], "2020123003");
    assert_string_equal(w[2].f[TC_ROSTER_CHSI_CODE], "CHSI-A-0003");
    assert_int_equal(r.nunknown, 1);
    assert_string_equal(r.unknown_cols[0], "备注");
    tc_roster_report rep;
    assert_int_equal(tc_roster_validate(&r, &rep), 0);
    assert_int_equal(rep.nwarnings, 1);
    assert_string_equal(rep.warnings[0].code, "roster.unknown_column");
    assert_string_equal(rep.warnings[0].field, "备注");
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
    free(d);

    d = slurp_fixture("prefixed.xlsx", &n);
    parse_ok(d, n, &r);
    assert_int_equal(r.nrows, 1);
    assert_string_equal(r.rows[0].f[TC_ROSTER_STUDENT_NO], "7");
    validate_ok(&r); /* lower-case x is normalised before the check */
    tc_roster_free(&r);
    free(d);
}

static const tc_roster_issue *find_issue(const tc_roster_report *rep, int row, const char *field, const char *code)
{
    for (size_t i = 0; i < rep->nerrors; i++)
        if (rep->errors[i].row == row && strcmp(rep->errors[i].field, field) == 0 &&
            strcmp(rep->errors[i].code, code) == 0)
            return &rep->errors[i];
    return NULL;
}

#define HAS(rep, row, field, code)                                                                                 \
    do {                                                                                                           \
        if (!find_issue(rep, row, field, code))                                                                    \
            fail_msg("missing issue row %d %s %s", row, field, code);                                              \
    } while (0)

static void test_xlsx_id_as_number(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp_fixture("id_as_number.xlsx", &n);
    tc_roster r;
    parse_ok(d, n, &r);
    assert_int_equal(r.nrows, 3);
    assert_string_equal(r.rows[0].f[TC_ROSTER_STUDENT_NO], "1001");
    tc_roster_report rep;
    assert_int_equal(tc_roster_validate(&r, &rep), -1);
    HAS(&rep, 2, "id_number", "roster.id_as_number");
    HAS(&rep, 3, "id_number", "roster.id_as_number");
    HAS(&rep, 4, "chsi_code", "roster.number_lossy");
    assert_int_equal(rep.nerrors, 3);
    assert_int_equal(rep.nbad_rows, 3);
    assert_non_null(strstr(find_issue(&rep, 2, "id_number", "roster.id_as_number")->zh, "文本"));
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
    free(d);
}

static void test_bad_rows(void **state)
{
    (void)state;
    char ok1[19], ok2[19], ok3[19], badsum[19];
    mkid("32010219900101123", ok1);
    mkid("32010219951231456", ok2);
    mkid("11010520000229001", ok3);
    mkid("32010219900101124", badsum);
    badsum[17] = badsum[17] == '0' ? '1' : '0';
    char longname[300] = "";
    for (int i = 0; i < 60; i++)
        strcat(longname, "长");
    char ok2lower[19];
    strcpy(ok2lower, ok2);
    char csv[8192];
    snprintf(csv, sizeof csv,
             "姓名,学号,身份证号,手机号,采集码\n"
             ",S1,%s,,C1\n"               /* 2: missing name */
             "甲,S2,%s,,C2\n"             /* 3: bad checksum */
             "乙,S3,320102199002301234,,C3\n" /* 4: bad date */
             "丙,S4,%s,,C4\n"             /* 5: ok2 (dup with 6) */
             "丁,S5, %s ,,C5\n"           /* 6: ok2 again, with spaces: duplicate after normalising */
             "戊,S1,%s,,C6\n"             /* 7: student_no dup with 2 */
             "%s,S7,%s,,C7\n"             /* 8: name too long; ID dup? no: ok3 */
             "己,S8,3.20102E+17,,C8\n"     /* 9: ID as number in CSV */
             "庚,S9,,12345,C9\n"           /* 10: missing ID, bad phone */
             "辛,S10,%s,13800000000,C1\n"  /* 11: chsi dup with 2; ok1 dup with 2 */
             "壬,S11,ABC,,\xff\xfe\n",     /* 12: short/odd ID, bad bytes in chsi */
             ok1, badsum, ok2, ok2lower, ok1, longname, ok3, ok1);
    tc_roster r;
    parse_ok(csv, strlen(csv), &r);
    assert_string_equal(r.encoding, "utf-8"); /* not GB18030 either: \xff is invalid there */
    assert_int_equal(r.nrows, 11);
    tc_roster_report rep;
    assert_int_equal(tc_roster_validate(&r, &rep), -1);
    HAS(&rep, 2, "name", "roster.missing_field");
    HAS(&rep, 3, "id_number", "roster.bad_id_checksum");
    HAS(&rep, 4, "id_number", "roster.bad_id_date");
    HAS(&rep, 5, "id_number", "roster.duplicate");
    HAS(&rep, 6, "id_number", "roster.duplicate");
    HAS(&rep, 2, "student_no", "roster.duplicate");
    HAS(&rep, 7, "student_no", "roster.duplicate");
    HAS(&rep, 7, "id_number", "roster.duplicate");
    HAS(&rep, 8, "name", "roster.field_too_long");
    HAS(&rep, 9, "id_number", "roster.id_as_number");
    HAS(&rep, 10, "id_number", "roster.missing_field");
    HAS(&rep, 10, "phone", "roster.bad_phone");
    HAS(&rep, 11, "chsi_code", "roster.duplicate");
    HAS(&rep, 2, "chsi_code", "roster.duplicate");
    HAS(&rep, 11, "id_number", "roster.duplicate");
    HAS(&rep, 12, "chsi_code", "roster.bad_utf8");
    HAS(&rep, 12, "id_number", "roster.bad_id_length");
    /* every row but none is fine: all 11 rows have an error */
    assert_int_equal(rep.nbad_rows, 11);
    /* sorted by row */
    for (size_t i = 1; i < rep.nerrors; i++)
        assert_true(rep.errors[i - 1].row <= rep.errors[i].row);
    /* the duplicate message names the other row */
    assert_non_null(strstr(find_issue(&rep, 7, "student_no", "roster.duplicate")->zh, "第 2 行"));
    assert_non_null(strstr(find_issue(&rep, 2, "student_no", "roster.duplicate")->en, "row 7"));

    json_t *j = tc_roster_report_json(&rep);
    assert_non_null(j);
    assert_false(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "rows")), 11);
    json_t *errs = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errs), rep.nerrors);
    json_t *first = json_array_get(errs, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "row")), 2);
    assert_non_null(json_string_value(json_object_get(first, "zh")));
    assert_non_null(json_string_value(json_object_get(first, "en")));
    assert_non_null(json_string_value(json_object_get(first, "code")));
    assert_non_null(json_string_value(json_object_get(first, "field")));
    char *dump = json_dumps(j, 0);
    assert_non_null(dump);
    free(dump);
    json_decref(j);
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
}

/* issue 20: a row may leave the 采集码 empty when the batch has its student
 * number (a re-imported export); otherwise it is a missing field. */
/* issue 19: the 采集码 is optional (schools seldom have it; the student binds
 * it at first entry): an empty cell, or no column at all, is no error. */
static void test_code_optional(void **state)
{
    (void)state;
    const char *d = "姓名,学号,身份证号,采集码\n张三,S1,11010519491231002X,\n";
    tc_roster r;
    parse_ok(d, strlen(d), &r);
    tc_roster_report rep;
    assert_int_equal(tc_roster_validate(&r, &rep), 0);
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
    const char *d2 = "姓名,学号,身份证号\n张三,S1,11010519491231002X\n";
    parse_ok(d2, strlen(d2), &r);
    assert_int_equal(tc_roster_validate(&r, &rep), 0);
    assert_string_equal(r.rows[0].f[TC_ROSTER_CHSI_CODE], "");
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
}

static void test_file_errors(void **state)
{
    (void)state;
    parse_fails("", 0, "roster.empty");
    parse_fails("\n\r\n,,,\n", 7, "roster.empty");
    parse_fails("姓名,学号\n张三,1\n", strlen("姓名,学号\n张三,1\n"), "roster.missing_column");
    {
        tc_roster r;
        tc_err e;
        const char *d = "姓名,学号\n张三,1\n";
        tc_roster_parse(d, strlen(d), &r, &e);
        assert_non_null(strstr(e.zh, "身份证号"));
        assert_null(strstr(e.zh, "图像采集码")); /* optional since issue 19 */
        assert_non_null(strstr(e.en, "id_number"));
        assert_null(strstr(e.en, "chsi_code"));
    }
    const char *t = "hello world\nthis is a letter, not a roster\n";
    parse_fails(t, strlen(t), "roster.no_header");
    t = "1\n2\n3\n4\n5\n6\n姓名,学号,身份证号,采集码\n张三,1,11010519491231002X,C\n";
    parse_fails(t, strlen(t), "roster.no_header"); /* more title rows than we skip */
    {
        /* a title row and a note above the header are skipped */
        const char *d = "2026届毕业生名单,,,\n制表：教务处\n姓名,学号,身份证号,采集码\n张三,1,11010519491231002X,C1\n";
        tc_roster r;
        tc_err e;
        assert_int_equal(tc_roster_parse(d, strlen(d), &r, &e), 0);
        assert_int_equal(r.header_line, 3);
        assert_int_equal(r.nrows, 1);
        assert_int_equal(r.rows[0].line, 4);
        assert_int_equal(r.nunknown, 0);
        tc_roster_free(&r);
    }
    t = "姓名,学号,身份证号,采集码,name\n";
    parse_fails(t, strlen(t), "roster.duplicate_column");
    t = "姓名,学号,身份证号,采集码\n\n";
    parse_fails(t, strlen(t), "roster.no_rows");
    t = "姓名,学号,身份证号,采集码\n\"张三,1,2,3\n";
    parse_fails(t, strlen(t), "roster.csv_quote");
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    parse_fails((const char *)png, sizeof png, "roster.not_a_spreadsheet");
    parse_fails("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12, "roster.xls_unsupported");
    parse_fails("PK\x03\x04 not really a zip at all", sizeof "PK\x03\x04 not really a zip at all" - 1, "roster.bad_xlsx");
    parse_fails("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22, "roster.bad_xlsx");
}

static void test_caps(void **state)
{
    (void)state;
    /* > 10 MB */
    size_t big = TC_ROSTER_MAX_BYTES + 1;
    char *d = malloc(big);
    memset(d, 'a', big);
    parse_fails(d, big, "roster.too_large");
    free(d);

    /* 50,001 rows */
    tc_buf b;
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码\n");
    for (int i = 0; i <= TC_ROSTER_MAX_ROWS; i++)
        tc_buf_printf(&b, "n,%d,x,c%d\n", i, i);
    parse_fails(b.data, b.len, "roster.too_many_rows");
    tc_buf_free(&b);

    /* exactly 50,000 rows is fine */
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码\n");
    for (int i = 0; i < TC_ROSTER_MAX_ROWS; i++)
        tc_buf_printf(&b, "n,%d,x,c%d\n", i, i);
    tc_roster r;
    parse_ok(b.data, b.len, &r);
    assert_int_equal(r.nrows, TC_ROSTER_MAX_ROWS);
    tc_roster_free(&r);
    tc_buf_free(&b);

    /* 65 header columns */
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码");
    for (int i = 4; i < 65; i++)
        tc_buf_printf(&b, ",extra%d", i);
    tc_buf_puts(&b, "\nn,1,x,c\n");
    parse_fails(b.data, b.len, "roster.too_many_columns");
    tc_buf_free(&b);

    /* a 5 KB cell is kept truncated to 1 KiB and reported */
    tc_buf_init(&b);
    char id[19];
    tc_buf_printf(&b, "姓名,学号,身份证号,采集码\n张三,1,%s,", mkid("32010219900101123", id));
    for (int i = 0; i < 5000 / 3; i++)
        tc_buf_puts(&b, "码");
    tc_buf_puts(&b, "\n");
    parse_ok(b.data, b.len, &r);
    assert_true(strlen(r.rows[0].f[TC_ROSTER_CHSI_CODE]) <= TC_ROSTER_MAX_CELL);
    assert_true(tc_utf8_valid(r.rows[0].f[TC_ROSTER_CHSI_CODE], strlen(r.rows[0].f[TC_ROSTER_CHSI_CODE])));
    tc_roster_report rep;
    assert_int_equal(tc_roster_validate(&r, &rep), -1);
    HAS(&rep, 2, "chsi_code", "roster.field_too_long");
    tc_roster_report_free(&rep);
    tc_roster_free(&r);
    tc_buf_free(&b);
}

static void test_xlsx_hostile(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp_fixture("bomb.xlsx", &n);
    assert_true(n < 100 * 1024);
    parse_fails(d, n, "roster.zip_bomb");
    free(d);

    d = slurp_fixture("bomb_lying.xlsx", &n);
    tc_roster r;
    tc_err e;
    assert_int_equal(tc_roster_parse(d, n, &r, &e), -1);
    assert_true(strcmp(e.code, "roster.zip_bomb") == 0 || strcmp(e.code, "roster.bad_xlsx") == 0);
    free(d);

    d = slurp_fixture("dtd.xlsx", &n);
    parse_fails(d, n, "roster.bad_xlsx");
    free(d);

    /* truncated workbook */
    d = slurp_fixture("good.xlsx", &n);
    parse_fails(d, n / 2, "roster.bad_xlsx");
    free(d);
}

/* Files far bigger inside than on disk (tests/fixtures/roster/make.py caps()):
 * each is refused at its cap, before the memory it asks for is taken. */
static void test_xlsx_cell_caps(void **state)
{
    (void)state;
    static const struct {
        const char *file, *code;
    } cases[] = {
        {"cells_row.xlsx", "roster.too_many_cells"},   /* 20,000 cells in one row        */
        {"cells_text.xlsx", "roster.too_much_text"},   /* 36 MB of text from 7 KB         */
        {"cells_total.xlsx", "roster.too_many_cells"}, /* 2,000,200 empty cells           */
        {"rows_empty.xlsx", "roster.too_many_rows"},   /* 200,001 empty rows              */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        char *d = slurp_fixture(cases[i].file, &n);
        assert_true(n < 16 * 1024);
        tc_roster r;
        tc_err e = {0};
        assert_int_equal(tc_roster_parse(d, n, &r, &e), -1);
        if (strcmp(e.code, cases[i].code) != 0)
            fail_msg("%s: expected %s, got %s (%s)", cases[i].file, cases[i].code, e.code, e.en);
        assert_int_equal(e.status, 413);
        assert_true(e.zh[0] && e.en[0]);
        free(d);
    }
}

/* The CSV reader feeds the same builder: the same row and cell caps. */
static void test_csv_line_caps(void **state)
{
    (void)state;
    tc_buf b;
    /* 200,001 lines, all empty after the header */
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码\n");
    for (int i = 0; i < TC_ROSTER_MAX_LINES; i++)
        tc_buf_puts(&b, "\n");
    parse_fails(b.data, b.len, "roster.too_many_rows");
    tc_buf_free(&b);

    /* a row of 16,385 cells */
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码\nn,1,x,c");
    for (int i = 4; i < TC_ROSTER_MAX_ROW_CELLS + 1; i++)
        tc_buf_puts(&b, ",");
    tc_buf_puts(&b, "\n");
    parse_fails(b.data, b.len, "roster.too_many_cells");
    tc_buf_free(&b);

    /* 16,384 cells in a row is still fine */
    tc_buf_init(&b);
    tc_buf_puts(&b, "姓名,学号,身份证号,采集码\nn,1,x,c");
    for (int i = 4; i < TC_ROSTER_MAX_ROW_CELLS; i++)
        tc_buf_puts(&b, ",");
    tc_buf_puts(&b, "\n");
    tc_roster r;
    parse_ok(b.data, b.len, &r);
    assert_int_equal(r.nrows, 1);
    tc_roster_free(&r);
    tc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_utf8),        cmocka_unit_test(test_csv_bom_crlf),
        cmocka_unit_test(test_csv_gb18030),     cmocka_unit_test(test_csv_tab_and_utf16),
        cmocka_unit_test(test_csv_quoted),      cmocka_unit_test(test_xlsx_good),
        cmocka_unit_test(test_xlsx_id_as_number), cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_file_errors),     cmocka_unit_test(test_caps),
        cmocka_unit_test(test_xlsx_hostile),    cmocka_unit_test(test_xlsx_cell_caps),
        cmocka_unit_test(test_csv_line_caps),   cmocka_unit_test(test_code_optional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
