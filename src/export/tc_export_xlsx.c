/* tc_export — the XLSX workbooks (libxlsxwriter) and the batch's QR poster. */
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../qr/tc_qr.h"
#include "../roster/tc_roster.h"
#include "tc_export.h"

const char *const tc_export_states[TC_EXPORT_NSTATES] = {"not_started", "verified", "drafts", "pending_payment",
                                                         "submitted",   "approved", "rejected", "final", "reset"};
static const char *const STATE_ZH[] = {"未开始", "已验证", "草稿", "待支付", "已提交", "已通过", "未通过", "已制作", "已重置"};
static const char *const STATE_EN[] = {"Not started", "Verified", "Drafts", "To pay", "Submitted",
                                       "Approved",    "Rejected", "Final",  "Reset"};

const char *tc_export_state_word(const char *s, int en)
{
    for (size_t i = 0; i < TC_EXPORT_NSTATES; i++)
        if (!strcmp(s, tc_export_states[i]))
            return en ? STATE_EN[i] : STATE_ZH[i];
    return en ? "Other" : "其他";
}

/* libxlsxwriter writes to a file: a private temporary one, unlinked once the
 * server has it open (constant_memory keeps the library's own use flat).
 * *bold: the workbook's first format, bold, for the header rows. */
static lxw_workbook *xlsx_open(char path[64], lxw_format **bold, tc_err *e)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, 64, "%.40s/tucai-xlsx-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        tc_err_internal(e, "xlsx: cannot create a temporary file: %s", strerror(errno));
        return NULL;
    }
    close(fd);
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &o);
    if (!wb) {
        unlink(path);
        tc_err_internal(e, "xlsx: cannot create a temporary file: %s", strerror(errno));
        return NULL;
    }
    *bold = workbook_add_format(wb);
    format_set_bold(*bold);
    return wb;
}

static int xlsx_close(lxw_workbook *wb, const char *path, tc_err *e)
{
    if (workbook_close(wb) != LXW_NO_ERROR) {
        unlink(path);
        return tc_err_internal(e, "xlsx: could not write the workbook");
    }
    return 0;
}

static int chsi_bound(const tc_store_student *st)
{
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= st->chsi_hash[i];
    return any != 0;
}

/* The ID number's cell into idm: in full (full_ids) or masked; empty when
 * it cannot be opened. */
static void id_cell(const tc_ident_keys *keys, const uint8_t *sealed, size_t len, int full_ids, char idm[64])
{
    char *id = NULL;
    idm[0] = 0;
    if (tc_ident_open(keys, sealed, len, &id, NULL) != 0)
        return;
    if (full_ids)
        snprintf(idm, 64, "%s", id);
    else
        tc_ident_idnum_mask(id, idm);
    tc_str_free_secret(id);
}

/* Wipe what a row kept of personal data once written: the ID cell and the
 * opened 采集码 (freed; may be NULL). */
static void row_wipe(char idm[64], char *code)
{
    sodium_memzero(idm, 64);
    tc_str_free_secret(code);
}

static void write_roster_rows(const tc_ident_keys *keys, lxw_worksheet *ws, lxw_format *bold, const tc_store_roster_row *rows,
                              size_t n, int64_t now, int en, int full_ids)
{
    static const char *const HZ[] = {"姓名", "学号", "身份证号", "层次", "专业", "院系", "班级", "手机号",
                                     "图像采集码", "状态", "已支付", "已锁定", "已验证", "采集码绑定"};
    /* English: the template's English column names, which the import reads */
    static const char *const HE[] = {"name", "student_no", "id_number", "level", "programme", "department", "class",
                                     "phone", "chsi_code", "State", "Paid", "Locked", "Verified", "CHSI code bound"};
    const char *const *H = en ? HE : HZ;
    const char *yes = en ? "yes" : "是", *no = en ? "no" : "否";
    for (lxw_col_t i = 0; i < TC_ARRAY_LEN(HZ); i++)
        worksheet_write_string(ws, 0, i, H[i], bold);
    for (size_t i = 0; i < n; i++) {
        const tc_store_roster_row *x = &rows[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        char idm[64];
        id_cell(keys, x->st.id_sealed, x->st.id_sealed_len, full_ids, idm);
        /* the 采集码 itself only with the full IDs (the school's admin): from
         * its sealed copy; a code known only by its hash stays empty, and
         * the import keeps it */
        char *code = NULL;
        if (full_ids && x->st.chsi_sealed)
            tc_ident_open(keys, x->st.chsi_sealed, x->st.chsi_sealed_len, &code, NULL);
        const char *bound = !chsi_bound(&x->st) ? (en ? "not bound" : "未绑定") : (en ? "bound" : "已绑定");
        int locked = x->live_locked || x->locked_until > now;
        const char *v[] = {x->st.name,       x->st.student_no, idm,         x->st.level,
                           x->st.programme,  x->st.department, x->st.class_name, x->st.phone,
                           code ? code : "", tc_export_state_word(x->st.state, en), x->paid_order ? yes : no,
                           locked ? yes : no, x->st.person_id ? yes : no, bound};
        for (lxw_col_t k = 0; k < TC_ARRAY_LEN(v); k++)
            worksheet_write_string(ws, row, k, v[k], NULL);
        row_wipe(idm, code);
    }
}

int tc_export_progress_xlsx(const tc_ident_keys *keys, json_t *p, const tc_store_roster_row *rows, size_t n, int64_t now,
                            int en, char path[64], tc_err *e)
{
    lxw_format *bold;
    lxw_workbook *wb = xlsx_open(path, &bold, e);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, en ? "Progress" : "进度");
    worksheet_write_string(ws, 0, 0, en ? "Class" : "班级", bold);
    static const char *const EXTRA[] = {"paid", "locked", "total", "finished", "unfinished"};
    static const char *const EXTRA_ZH[] = {"已支付", "已锁定", "合计", "已完成", "未完成"};
    static const char *const EXTRA_EN[] = {"Paid", "Locked", "Total", "Finished", "Not finished"};
    for (size_t i = 0; i < TC_EXPORT_NSTATES; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)(i + 1), en ? STATE_EN[i] : STATE_ZH[i], bold);
    for (size_t i = 0; i < TC_ARRAY_LEN(EXTRA); i++)
        worksheet_write_string(ws, 0, (lxw_col_t)(TC_EXPORT_NSTATES + 1 + i), en ? EXTRA_EN[i] : EXTRA_ZH[i], bold);
    json_t *classes = json_object_get(p, "classes");
    size_t nc = json_array_size(classes);
    for (size_t i = 0; i <= nc; i++) {
        json_t *cnt = i < nc ? json_object_get(json_array_get(classes, i), "counts") : json_object_get(p, "totals");
        const char *label = i < nc ? json_string_value(json_object_get(json_array_get(classes, i), "class_name"))
                                   : en ? "All" : "合计";
        lxw_row_t row = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, row, 0, label && *label ? label : en ? "(no class)" : "（未分班）", i < nc ? NULL : bold);
        for (size_t k = 0; k < TC_EXPORT_NSTATES; k++)
            worksheet_write_number(ws, row, (lxw_col_t)(k + 1),
                                   (double)json_integer_value(json_object_get(cnt, tc_export_states[k])), NULL);
        for (size_t k = 0; k < TC_ARRAY_LEN(EXTRA); k++)
            worksheet_write_number(ws, row, (lxw_col_t)(TC_EXPORT_NSTATES + 1 + k),
                                   (double)json_integer_value(json_object_get(cnt, EXTRA[k])), NULL);
    }
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, en ? "Not finished" : "未完成");
    write_roster_rows(keys, ws2, bold, rows, n, now, en, 0);
    return xlsx_close(wb, path, e);
}

int tc_export_roster_xlsx(const tc_ident_keys *keys, const tc_store_roster_row *rows, size_t n, int64_t now, int en,
                          int full_ids, char path[64], tc_err *e)
{
    lxw_format *bold;
    lxw_workbook *wb = xlsx_open(path, &bold, e);
    if (!wb)
        return -1;
    write_roster_rows(keys, workbook_add_worksheet(wb, en ? "Roster" : "名单"), bold, rows, n, now, en, full_ids);
    return xlsx_close(wb, path, e);
}

/* ---- the 采集码 list and the roster template ---------------------------------------------------------- */

int tc_export_codes_xlsx(const tc_ident_keys *keys, const tc_store_export_row *rows, const tc_export_names *names,
                         size_t from, size_t count, int codes, int full_ids, char path[64], size_t *ncodes, tc_err *e)
{
    *ncodes = 0;
    lxw_format *bold;
    lxw_workbook *wb = xlsx_open(path, &bold, e);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "采集码");
    static const char *const H[] = {"学号", "姓名", "班级", "身份证号", "采集码", "照片文件名"};
    static const double W[] = {14, 10, 14, 21, 24, 30};
    for (lxw_col_t i = 0; i < TC_ARRAY_LEN(H); i++) {
        worksheet_set_column(ws, i, i, W[i], NULL);
        worksheet_write_string(ws, 0, i, H[i], bold);
    }
    for (size_t i = from; i < from + count; i++) {
        const tc_store_export_row *x = &rows[i];
        char idm[64];
        id_cell(keys, x->id_sealed, x->id_sealed_len, full_ids, idm);
        char *code = NULL;
        if (codes && x->chsi_sealed && tc_ident_open(keys, x->chsi_sealed, x->chsi_sealed_len, &code, NULL) == 0)
            (*ncodes)++;
        const char *v[] = {x->student_no, x->name, x->class_name, idm,
                           code             ? code
                           : !x->has_chsi   ? "未绑定"
                           : codes          ? "已绑定（旧名单仅存摘要，请学生重新扫码）"
                                            : "已绑定",
                           names->name[i]};
        lxw_row_t row = (lxw_row_t)(i - from + 1);
        for (lxw_col_t k = 0; k < TC_ARRAY_LEN(v); k++)
            worksheet_write_string(ws, row, k, v[k] ? v[k] : "", NULL);
        row_wipe(idm, code);
    }
    return xlsx_close(wb, path, e);
}

int tc_export_roster_template_xlsx(int en, char path[64], tc_err *e)
{
    lxw_format *bold;
    lxw_workbook *wb = xlsx_open(path, &bold, e);
    if (!wb)
        return -1;
    lxw_format *text = workbook_add_format(wb);
    format_set_num_format(text, "@"); /* digits stay text: 18-digit ID numbers, leading zeros */
    lxw_worksheet *ws = workbook_add_worksheet(wb, en ? "Roster" : "名单");
    /* the example: a made-up student, ID number with a valid check digit */
    static const char *const EX[TC_ROSTER_NFIELDS] = {
        [TC_ROSTER_NAME] = "张三",           [TC_ROSTER_STUDENT_NO] = "2026000001",
        [TC_ROSTER_ID_NUMBER] = "110105200001010024", [TC_ROSTER_SCHOOL] = "示例大学",
        [TC_ROSTER_LEVEL] = "本科",          [TC_ROSTER_MAJOR] = "软件工程",
        [TC_ROSTER_DEPARTMENT] = "计算机学院", [TC_ROSTER_CLASS] = "软件1班",
        [TC_ROSTER_PHONE] = "13800138000",    [TC_ROSTER_CHSI_CODE] = "",
    };
    /* constant_memory writes row by row: the columns first, then row 1, then row 2 */
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
        worksheet_set_column(ws, (lxw_col_t)f, (lxw_col_t)f, f == TC_ROSTER_ID_NUMBER ? 22 : 14, text);
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++) {
        /* the required columns marked with "*", which the import ignores */
        int req = f == TC_ROSTER_NAME || f == TC_ROSTER_STUDENT_NO || f == TC_ROSTER_ID_NUMBER;
        char head[64];
        snprintf(head, sizeof head, "%s%s", req ? "*" : "", en ? tc_roster_field_key((tc_roster_field)f)
                                                              : tc_roster_field_zh((tc_roster_field)f));
        worksheet_write_string(ws, 0, (lxw_col_t)f, head, bold);
    }
    for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
        worksheet_write_string(ws, 1, (lxw_col_t)f, EX[f], text);
    lxw_worksheet *help = workbook_add_worksheet(wb, en ? "Notes" : "说明");
    static const char *const ZH[] = {
        "第 1 行是列名，请勿修改；带 * 的列必填（姓名、学号、身份证号）。",
        "第 2 行是示例（虚构的学生），导入前请删除。",
        "身份证号、学号、手机号请按文本填写（本模板这些列已设为文本格式）。",
        "图像采集码可以不填：学生首次进入时扫码绑定。",
        "也可以另存为 CSV（UTF-8 或 GB18030）后导入。",
    };
    static const char *const EN[] = {
        "Row 1 names the columns; do not change it. Columns marked * are required (name, student number, ID number).",
        "Row 2 is an example (a made-up student): delete it before importing.",
        "Type ID numbers, student numbers and phones as text (these columns are formatted as text here).",
        "The CHSI code may stay empty: the student binds it at first entry.",
        "The sheet may also be saved as CSV (UTF-8 or GB18030) and imported.",
    };
    worksheet_set_column(help, 0, 0, 90, NULL);
    for (lxw_row_t i = 0; i < TC_ARRAY_LEN(ZH); i++)
        worksheet_write_string(help, i, 0, en ? EN[i] : ZH[i], NULL);
    return xlsx_close(wb, path, e);
}

/* ---- the QR poster (PDF) -------------------------------------------------------------------------------- */

int tc_export_poster_pdf(tc_pdf_fonts *fonts, const char *school, const char *batch, const char *bcode, const char *url,
                         uint8_t **pdf, size_t *len, tc_err *e)
{
    void *png;
    size_t plen;
    if (tc_qr_encode_png(url, 8, 4, &png, &plen, e) != 0)
        return -1;
    char code[8];
    size_t i = 0;
    for (; i < 7 && bcode[i]; i++)
        code[i] = (char)(bcode[i] >= 'a' && bcode[i] <= 'z' ? bcode[i] - 32 : bcode[i]);
    code[i] = 0;
    tc_pdf_poster p = {school, batch, code, url, png, plen};
    int pr = tc_pdf_poster_render(fonts, &p, pdf, len, e);
    g_free(png);
    return pr;
}
