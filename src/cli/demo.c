/* The demo: a school anyone can try the whole flow with. */
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../qr/tc_qr.h"
#include "tc_cli.h"

void tc_cli_fake_idnum(int year, int month, int day, int seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u, d = (unsigned)day % 100u, q = (unsigned)seq % 1000u;
    snprintf(out, 19, "320102%04u%02u%02u%03u", y, m, d, q);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    int c = (12 - sum % 11) % 11;
    out[17] = c == 10 ? 'X' : (char)('0' + c);
    out[18] = 0;
}

static void random_password(char out[17])
{
    /* no look-alikes (0/O, 1/l/I) so it can be typed from a printout */
    static const char al[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++)
        out[i] = al[randombytes_uniform(sizeof al - 1)];
    out[16] = 0;
    out[4] = '7'; /* at least one digit and letters: passes the policy */
}

static void random_chsi(char out[33])
{
    static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    memcpy(out, "XXCJ2026", 8);
    for (int i = 8; i < 32; i++)
        out[i] = al[randombytes_uniform(sizeof al - 1)];
    out[32] = 0;
}

/* A school named base (or "base N" when taken), into *id and name. */
static int demo_school(tc_api_app *app, const char *base, char *name, size_t cap, int64_t *id, tc_err *e)
{
    *id = 0;
    for (int i = 0; i < 100; i++) {
        if (i == 0)
            snprintf(name, cap, "%s", base);
        else
            snprintf(name, cap, "%s %d", base, i + 1);
        tc_err e2;
        if (tc_store_school_create(app->store, name, id, &e2) == 0)
            return 0;
        if (strcmp(e2.code, "school.name_taken") != 0) {
            *e = e2;
            return -1;
        }
    }
    return tc_err_internal(e, "no free demo school name");
}

/* A batch with a fresh code. */
static int demo_batch(tc_api_app *app, tc_store_batch *b, tc_err *e)
{
    int rc = -1;
    for (int t = 0; t < 8 && rc != 0; t++) {
        tc_api_batch_code(b->code);
        rc = tc_store_batch_create(app->store, b, e);
        if (rc != 0 && strcmp(e->code, "batch.code_taken") != 0)
            break;
    }
    return rc;
}

/* The demo school's notice to students (图采通知), as a school would write it
 * in the console: what the photo is for, and how to take it. */
static const char DEMO_NOTICE[] =
    "<h3>2026届毕业生图像采集须知（演示）</h3>"
    "<p>所采集相片将用于毕业证书制作、并上传学信网作教育部学历验证使用，请本人<strong>严肃对待</strong>。</p>"
    "<ul><li>请在光线均匀的室内，面对镜头，露出双耳和眉毛。</li>"
    "<li>请勿佩戴帽子、头饰、耳环、项链和有色眼镜；不要穿与背景相近的蓝色衣服。</li>"
    "<li>照片由学校审核，审核通过后即可下载成片。</li></ul>"
    "<p>（演示学校的通知：学校管理员可在管理后台修改。）</p>";

/* A roster CSV into a batch, through the import path a school uses (its
 * report is not needed here). */
static int demo_import(tc_api_app *app, int64_t batch_id, const tc_buf *csv, tc_err *e)
{
    json_t *report = NULL, *summary = NULL;
    int rc = tc_api_roster_import(app, batch_id, csv->data, csv->len, 0, &report, &summary, e);
    json_decref(report);
    json_decref(summary);
    return rc;
}

/* Several 学历 (issue 19 item 2): one demo student also holds a 第二学士学位
 * record of the same school, in a batch of its own, so signing in shows two
 * records to switch between on 我的.  The row goes in through the school's
 * import path with the same ID number; its code is written to *code. */
static int demo_second_degree(tc_api_app *app, int64_t school, const char *name, const char *idnum,
                              tc_store_batch *b, char code[33], tc_err *e)
{
    memset(b, 0, sizeof *b);
    b->school_id = school;
    b->name = "2026届第二学士学位图像采集 (demo)";
    b->settings = "{}";
    if (demo_batch(app, b, e) != 0)
        return -1;
    random_chsi(code);
    tc_buf csv;
    tc_buf_init(&csv);
    tc_buf_puts(&csv, "姓名,学号,身份证号,层次,专业,班级,采集码\n");
    tc_buf_printf(&csv, "%s,2024090301,%s,第二学士学位,金融学,金融双学位2401,%s\n", name, idnum, code);
    int rc = demo_import(app, b->id, &csv, e);
    tc_buf_free(&csv);
    return rc;
}

int tc_cli_demo(tc_api_app *app, const char *dir, const char *url, FILE *out, tc_err *e)
{
    static const struct {
        const char *name, *no, *cls;
        int y, m, d;
        const char *other_id; /* non-mainland document with a bracket, or NULL */
    } S[] = {
        {"张三", "2022010101", "计算机2201", 2004, 3, 15, NULL},
        {"吴小兰", "2022010102", "计算机2201", 2003, 11, 2, NULL},
        {"欧阳娜娜", "2022010103", "计算机2201", 2004, 7, 30, NULL},
        {"李雷", "2022010104", "计算机2202", 2003, 12, 1, NULL},
        {"韩梅梅", "2022010105", "计算机2202", 2004, 2, 29, NULL},
        {"陈大文", "2022010106", "计算机2202", 0, 0, 0, "A123456(7)"},
    };
    if (tc_mkdirs(dir, e) != 0)
        return -1;
    char qrdir[4096];
    snprintf(qrdir, sizeof qrdir, "%s/qr", dir);
    if (tc_mkdirs(qrdir, e) != 0)
        return -1;

    char sname[128];
    int64_t school = 0;
    if (demo_school(app, "演示大学 Demo University", sname, sizeof sname, &school, e) != 0)
        return -1;
    if (tc_store_school_set_notice(app->store, school, DEMO_NOTICE, e) != 0)
        return -1;

    tc_store_batch b = {.school_id = school, .name = "2026届毕业生图像采集 (demo)"};
    b.settings = "{\"pay_when\":\"after_confirm\",\"fee_fen\":3000,\"album_allowed\":true}";
    int rc = demo_batch(app, &b, e);
    if (rc != 0)
        return -1;

    /* A second school with its own admin and students: each school admin
     * sees only their own school (isolation at work). */
    static const struct {
        const char *name, *no, *cls;
        int y, m, d;
    } S2[] = {
        {"赵一鸣", "2022020101", "会计2201", 2004, 5, 6},
        {"钱晓雨", "2022020102", "会计2201", 2003, 9, 18},
        {"孙立", "2022020103", "会计2202", 2004, 1, 23},
    };
    char sname2[128];
    int64_t school2 = 0;
    if (demo_school(app, "示例学院 Second College", sname2, sizeof sname2, &school2, e) != 0)
        return -1;
    tc_store_batch b2 = {.school_id = school2, .name = "2026届毕业生图像采集 (demo)", .settings = "{}"};
    if (demo_batch(app, &b2, e) != 0)
        return -1;
    char codes2[TC_ARRAY_LEN(S2)][33], ids2[TC_ARRAY_LEN(S2)][24];
    {
        tc_buf csv2;
        tc_buf_init(&csv2);
        tc_buf_puts(&csv2, "姓名,学号,身份证号,层次,专业,班级,采集码\n");
        for (size_t i = 0; i < TC_ARRAY_LEN(S2); i++) {
            tc_cli_fake_idnum(S2[i].y, S2[i].m, S2[i].d, 200 + (int)i, ids2[i]);
            random_chsi(codes2[i]);
            tc_buf_printf(&csv2, "%s,%s,%s,本科,会计学,%s,%s\n", S2[i].name, S2[i].no, ids2[i], S2[i].cls, codes2[i]);
        }
        rc = demo_import(app, b2.id, &csv2, e);
        tc_buf_free(&csv2);
        if (rc != 0)
            return -1;
    }

    /* The roster goes in through the same import path a school uses. */
    tc_buf csv;
    tc_buf_init(&csv);
    tc_buf_puts(&csv, "姓名,学号,身份证号,层次,专业,班级,采集码\n");
    char codes[TC_ARRAY_LEN(S)][33], ids[TC_ARRAY_LEN(S)][24];
    for (size_t i = 0; i < TC_ARRAY_LEN(S); i++) {
        if (S[i].other_id)
            snprintf(ids[i], sizeof ids[i], "%s", S[i].other_id);
        else
            tc_cli_fake_idnum(S[i].y, S[i].m, S[i].d, 100 + (int)i, ids[i]);
        random_chsi(codes[i]);
        tc_buf_printf(&csv, "%s,%s,%s,本科,计算机科学与技术,%s,%s\n", S[i].name, S[i].no, ids[i], S[i].cls, codes[i]);
    }
    rc = demo_import(app, b.id, &csv, e);
    /* the third student (欧阳娜娜) also studies for a second degree */
    enum { DEGREES_WHO = 2 };
    tc_store_batch b3;
    char code3[33];
    if (rc == 0)
        rc = demo_second_degree(app, school, S[DEGREES_WHO].name, ids[DEGREES_WHO], &b3, code3, e);
    char path[8192];
    snprintf(path, sizeof path, "%s/roster.csv", dir);
    if (rc == 0)
        rc = tc_file_write_atomic(path, csv.data, csv.len, e);
    tc_buf_free(&csv);
    if (rc != 0)
        return -1;

    /* Staff accounts: the first sign-in forces a new password (seed 001). */
    static const char *roles[][2] = {
        {"admin", "platform_admin"}, {"reviewer", "reviewer"}, {"school", "school_admin"}, {"school2", "school_admin"}};
    char users[4][64], pws[4][17];
    for (int i = 0; i < 4; i++) {
        random_password(pws[i]);
        char h[TC_IDENT_PWHASH_LEN];
        if (tc_ident_password_hash(pws[i], h, e) != 0)
            return -1;
        tc_store_staff st = {.pwhash = h, .role = roles[i][1], .school_id = i == 2 ? school : i == 3 ? school2 : 0, .must_change_password = 1};
        int64_t id;
        int ok = -1;
        for (int k = 0; k < 100 && ok != 0; k++) {
            if (k == 0)
                snprintf(users[i], sizeof users[i], "%s", roles[i][0]);
            else
                snprintf(users[i], sizeof users[i], "%s%d", roles[i][0], k + 1);
            st.username = users[i];
            tc_err e2;
            ok = tc_store_staff_create(app->store, &st, &id, &e2);
            if (ok != 0 && strcmp(e2.code, "staff.username_taken") != 0) {
                *e = e2;
                return -1;
            }
        }
        if (ok != 0)
            return tc_err_internal(e, "no free demo user name");
    }

    tc_buf txt;
    tc_buf_init(&txt);
    tc_buf_printf(&txt,
                  "tucai demo — %s\n\n"
                  "Open %s on a phone or a browser.\n\n"
                  "Staff console: %s/console/  (the first sign-in asks for a new password)\n"
                  "  platform admin : %-10s password %s\n"
                  "  reviewer       : %-10s password %s\n"
                  "  school admin   : %-10s password %s   (%s only)\n"
                  "  school admin   : %-10s password %s   (%s only: each school sees only its own students)\n\n"
                  "Batch \"%s\", 特征码 (batch code): %s\n\n"
                  "Students (sign in with the QR image, then the last 4 ID characters; or the batch code + last 4 + the QR):\n",
                  sname, url, url, users[0], pws[0], users[1], pws[1], users[2], pws[2], sname, users[3], pws[3], sname2,
                  b.name, b.code);
    /* The same, for programs (tests read it). */
    json_t *dj = json_pack("{s:s, s:s, s:I, s:{s:I, s:s, s:s}, s:[], s:[]}", "url", url, "school", sname, "school_id",
                           (json_int_t)school, "batch", "id", (json_int_t)b.id, "code", b.code, "name", b.name, "staff",
                           "students");
    /* staff: one account per role (programs look them up by role); the
     * second school's admin is under second_school */
    for (int i = 0; i < 3; i++)
        json_array_append_new(json_object_get(dj, "staff"), json_pack("{s:s, s:s, s:s}", "username", users[i],
                                                                        "password", pws[i], "role", roles[i][1]));
    json_t *second = json_pack("{s:s, s:I, s:{s:I, s:s, s:s}, s:{s:s, s:s, s:s}, s:[]}", "school", sname2,
                               "school_id", (json_int_t)school2, "batch", "id", (json_int_t)b2.id, "code", b2.code,
                               "name", b2.name, "admin", "username", users[3], "password", pws[3], "role",
                               roles[3][1], "students");
    for (size_t i = 0; i < TC_ARRAY_LEN(S2); i++) {
        char l4[16];
        tc_ident_idnum_last4(ids2[i], l4);
        json_array_append_new(json_object_get(second, "students"),
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", S2[i].name, "student_no", S2[i].no,
                                        "id_number", ids2[i], "id_last4", l4, "chsi_code", codes2[i]));
    }
    json_object_set_new(dj, "second_school", second);
    for (size_t i = 0; i < TC_ARRAY_LEN(S); i++) {
        char l4[16];
        tc_ident_idnum_last4(ids[i], l4);
        void *png;
        size_t len;
        if (tc_qr_encode_png(codes[i], 8, 4, &png, &len, e) != 0) {
            tc_buf_free(&txt);
            json_decref(dj);
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s.png", qrdir, S[i].no);
        rc = tc_file_write_atomic(path, png, len, e);
        g_free(png);
        if (rc != 0) {
            tc_buf_free(&txt);
            json_decref(dj);
            return -1;
        }
        tc_buf_printf(&txt, "  %-10s 学号 %s  last 4: %-6s QR: %s\n", S[i].name, S[i].no, l4, path);
        json_array_append_new(json_object_get(dj, "students"),
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", S[i].name, "student_no", S[i].no,
                                        "id_number", ids[i], "id_last4", l4, "chsi_code", codes[i], "qr_png", path));
    }
    /* the person with two records: both codes, the second batch */
    json_object_set_new(dj, "degrees",
                        json_pack("{s:s, s:I, s:{s:I, s:s, s:s}, s:s, s:s}", "name", S[DEGREES_WHO].name, "student",
                                  (json_int_t)DEGREES_WHO, "batch", "id", (json_int_t)b3.id, "code", b3.code, "name",
                                  b3.name, "student_no", "2024090301", "chsi_code", code3));
    tc_buf_printf(&txt, "\n%s also has a 第二学士学位 record (batch \"%s\", 特征码 %s, 学号 2024090301): after signing in, "
                        "我的 lists both records and switches between them.\n",
                  S[DEGREES_WHO].name, b3.name, b3.code);
    snprintf(path, sizeof path, "%s/demo.json", dir);
    char *djs = json_dumps(dj, JSON_INDENT(2));
    json_decref(dj);
    if (tc_file_write_atomic(path, djs, strlen(djs), e) != 0) {
        free(djs);
        tc_buf_free(&txt);
        return -1;
    }
    free(djs);
    tc_buf_printf(&txt,
                  "\nA second school, \"%s\" (batch code %s), has %zu students of its own: the school admin %s sees only "
                  "them, %s sees only the first school's, the platform admin sees both.\n"
                  "The first school's notice to students (图采通知) is filled in; edit it in the console.\n",
                  sname2, b2.code, TC_ARRAY_LEN(S2), users[3], users[2]);
    snprintf(path, sizeof path, "%s/README.txt", dir);
    rc = tc_file_write_atomic(path, txt.data, txt.len, e);
    fputs(txt.data, out);
    fprintf(out, "(saved in %s)\n", path);
    tc_buf_free(&txt);
    return rc;
}
