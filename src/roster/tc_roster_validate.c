/* tc_roster — row checks and the report. */
#include "roster_int.h"

#include <stdlib.h>
#include <string.h>

#include "../ident/tc_ident.h"

/* Longest value of each field, in characters. */
static const int max_chars[TC_ROSTER_NFIELDS] = {
    [TC_ROSTER_NAME] = 50,     [TC_ROSTER_STUDENT_NO] = 32, [TC_ROSTER_ID_NUMBER] = 32, [TC_ROSTER_SCHOOL] = 100,
    [TC_ROSTER_LEVEL] = 20,    [TC_ROSTER_MAJOR] = 100,     [TC_ROSTER_DEPARTMENT] = 100, [TC_ROSTER_CLASS] = 50,
    [TC_ROSTER_PHONE] = 20,    [TC_ROSTER_CHSI_CODE] = TC_ROSTER_MAX_CHSI,
};

static const int required[TC_ROSTER_NFIELDS] = {
    [TC_ROSTER_NAME] = 1, [TC_ROSTER_STUDENT_NO] = 1, [TC_ROSTER_ID_NUMBER] = 1};

/* The three fields that must be unique within a file. */
static const tc_roster_field uniq[3] = {TC_ROSTER_STUDENT_NO, TC_ROSTER_ID_NUMBER, TC_ROSTER_CHSI_CODE};

static void add(tc_roster_report *rep, int warning, int row, const char *field, const char *code, const char *zh,
                const char *en)
{
    tc_roster_issue **arr = warning ? &rep->warnings : &rep->errors;
    size_t *n = warning ? &rep->nwarnings : &rep->nerrors;
    size_t *cap = warning ? &rep->cap_warnings : &rep->cap_errors;
    if (*n == *cap)
        *arr = roster_grow(*arr, cap, sizeof **arr, 32);
    (*arr)[(*n)++] = (tc_roster_issue){row, tc_pool_strdup(&rep->pool, field), tc_pool_strdup(&rep->pool, code),
                                       tc_pool_strdup(&rep->pool, zh), tc_pool_strdup(&rep->pool, en)};
}

static const char *field_en(int f)
{
    static const char *en[TC_ROSTER_NFIELDS] = {"name", "student number", "ID number", "school", "level",
                                                "major", "department", "class", "mobile number",
                                                "image-collection code"};
    return en[f];
}

/* An error about field f of a row: the texts are formats of the row's line,
 * the field's name (Chinese, English) and n, a number some of them show. */
static void field_error(tc_roster_report *rep, int line, int f, int n, const char *code, const char *zh_fmt,
                        const char *en_fmt)
{
    char zh[512], en[512];
    snprintf(zh, sizeof zh, zh_fmt, line, tc_roster_field_zh(f), n);
    snprintf(en, sizeof en, en_fmt, line, field_en(f), n);
    add(rep, 0, line, tc_roster_field_key(f), code, zh, en);
}

/* Excel's "General" format shows a long number as 3.20102E+17 and CSV keeps
 * exactly that text. */
static int looks_scientific(const char *s)
{
    const char *e = strpbrk(s, "Ee");
    if (!e || e == s || (e[1] != '+' && e[1] != '-'))
        return 0;
    for (const char *p = s; p < e; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return 0;
    return e[2] && strspn(e + 2, "0123456789") == strlen(e + 2);
}

typedef struct {
    const char *key;
    size_t row;
} keyrow;

static int cmp_keyrow(const void *a, const void *b)
{
    const keyrow *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

int tc_roster_validate(const tc_roster *r, tc_roster_report *rep)
{
    memset(rep, 0, sizeof *rep);
    tc_pool_init(&rep->pool);
    rep->nrows = r->nrows;
    tc_pool *pool = &rep->pool;
    char zh[512], en[512];

    for (size_t i = 0; i < r->nunknown; i++) {
        snprintf(zh, sizeof zh, "已忽略无法识别的列“%s”；如需导入，请把列名改为模板中的名称", r->unknown_cols[i]);
        snprintf(en, sizeof en, "Ignored the unknown column \"%s\"; to import it, rename it as in the template",
                 r->unknown_cols[i]);
        add(rep, 1, r->header_line, r->unknown_cols[i], "roster.unknown_column", zh, en);
    }

    /* Normalised ID numbers, for the check and the duplicate search. */
    char **ids = calloc(r->nrows ? r->nrows : 1, sizeof *ids);
    /* dup[i][k]: 1-based index of another row with the same uniq[k] value */
    size_t(*dup)[3] = calloc(r->nrows ? r->nrows : 1, sizeof *dup);
    keyrow *kr = malloc((r->nrows ? r->nrows : 1) * sizeof *kr);
    if (!ids || !dup || !kr)
        abort();
    for (size_t i = 0; i < r->nrows; i++) {
        const tc_roster_row *w = &r->rows[i];
        uint32_t idbit = 1u << TC_ROSTER_ID_NUMBER;
        const char *raw = w->f[TC_ROSTER_ID_NUMBER];
        if (*raw && !(w->lossy_number & idbit) && !(w->bad_utf8 & idbit) && !looks_scientific(raw) &&
            strlen(raw) < 64)
            ids[i] = tc_ident_idnum_normalize(tc_pool_strdup(pool, raw));
    }
    for (int k = 0; k < 3; k++) {
        size_t m = 0;
        for (size_t i = 0; i < r->nrows; i++) {
            const char *key = uniq[k] == TC_ROSTER_ID_NUMBER ? ids[i] : r->rows[i].f[uniq[k]];
            if (key && *key && !(r->rows[i].bad_utf8 & (1u << uniq[k])))
                kr[m++] = (keyrow){key, i};
        }
        qsort(kr, m, sizeof *kr, cmp_keyrow);
        for (size_t a = 0; a < m;) {
            size_t z = a + 1;
            while (z < m && strcmp(kr[z].key, kr[a].key) == 0)
                z++;
            if (z - a > 1)
                for (size_t j = a; j < z; j++) /* every member names another: the first, or for it the second */
                    dup[kr[j].row][k] = (j == a ? kr[a + 1].row : kr[a].row) + 1;
            a = z;
        }
    }

    for (size_t i = 0; i < r->nrows; i++) {
        const tc_roster_row *w = &r->rows[i];
        int line = w->line;
        size_t before = rep->nerrors;
        for (int f = 0; f < TC_ROSTER_NFIELDS; f++) {
            const char *v = w->f[f], *key = tc_roster_field_key(f);
            uint32_t bit = 1u << f;
            if (w->bad_utf8 & bit) {
                field_error(rep, line, f, 0, "roster.bad_utf8",
                            "第 %d 行的%s含有无法识别的字符，请把文件另存为 UTF-8 编码的 CSV 或 xlsx 后重新导入",
                            "Row %d: the %s contains unreadable characters; save the file as UTF-8 CSV or as xlsx and "
                            "import it again");
                continue;
            }
            if (!*v) {
                if (required[f])
                    field_error(rep, line, f, 0, "roster.missing_field", "第 %d 行缺少%s，请补全后重新导入",
                                "Row %d: the %s is missing; fill it in and import again");
                continue;
            }
            if ((w->too_long & bit) || tc_utf8_len(v) > (size_t)max_chars[f]) {
                field_error(rep, line, f, max_chars[f], "roster.field_too_long",
                            "第 %d 行的%s过长（最多 %d 个字符），请检查",
                            "Row %d: the %s is too long (at most %d characters); check it");
                continue;
            }
            if (f == TC_ROSTER_ID_NUMBER && ((w->lossy_number & bit) || looks_scientific(v))) {
                snprintf(zh, sizeof zh,
                         "第 %d 行的身份证号被 Excel 存成了数字（%.40s），末尾几位已经丢失：请把身份证号这一列设为“文本”格式，"
                         "重新填写身份证号后再导入",
                         line, v);
                snprintf(en, sizeof en,
                         "Row %d: Excel stored the ID number as a number (%.40s) and its last digits are lost: format "
                         "the ID number column as Text, type the ID numbers again and import",
                         line, v);
                add(rep, 0, line, key, "roster.id_as_number", zh, en);
                continue;
            }
            if (w->lossy_number & bit) {
                field_error(rep, line, f, 0, "roster.number_lossy",
                            "第 %d 行的%s被 Excel 存成了数字，超过 15 位的部分已经丢失：请把该列设为“文本”格式后重新填写",
                            "Row %d: Excel stored the %s as a number and digits beyond the 15th are lost: format the "
                            "column as Text and type the values again");
                continue;
            }
            tc_err sub;
            if (f == TC_ROSTER_ID_NUMBER && ids[i] && tc_ident_idnum_validate(ids[i], &sub) != 0) {
                /* idnum.bad_checksum -> roster.bad_id_checksum, idnum.empty -> roster.bad_id_empty */
                const char *why = strncmp(sub.code, "idnum.bad_", 10) == 0 ? sub.code + 10
                                  : strncmp(sub.code, "idnum.", 6) == 0    ? sub.code + 6
                                                                           : "invalid";
                char code[48];
                snprintf(code, sizeof code, "roster.bad_id_%.30s", why);
                snprintf(zh, sizeof zh, "第 %d 行的身份证号无效：%s", line, sub.zh);
                snprintf(en, sizeof en, "Row %d: invalid ID number: %s", line, sub.en);
                add(rep, 0, line, key, code, zh, en);
                continue;
            }
            if (f == TC_ROSTER_PHONE && tc_ident_phone_validate(v, &sub) != 0) {
                snprintf(zh, sizeof zh, "第 %d 行的手机号无效（应为 11 位数字，以 13-19 开头），请改正或留空", line);
                snprintf(en, sizeof en,
                         "Row %d: invalid mobile number (11 digits starting with 13-19); correct it or leave it empty",
                         line);
                add(rep, 0, line, key, "roster.bad_phone", zh, en);
                continue;
            }
            for (int k = 0; k < 3; k++)
                if (uniq[k] == (tc_roster_field)f && dup[i][k])
                    field_error(rep, line, f, r->rows[dup[i][k] - 1].line, "roster.duplicate",
                                "第 %d 行的%s与第 %d 行重复，每名学生只能出现一次",
                                "Row %d: the %s is the same as in row %d; each student may appear once");
        }
        if (rep->nerrors > before)
            rep->nbad_rows++;
    }
    free(kr);
    free(dup);
    free(ids);
    return rep->nerrors ? -1 : 0;
}

void tc_roster_report_free(tc_roster_report *rep)
{
    if (!rep)
        return;
    free(rep->errors);
    free(rep->warnings);
    tc_pool_clear(&rep->pool);
    memset(rep, 0, sizeof *rep);
}

static json_t *issues_json(const tc_roster_issue *a, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", a[i].row, "field", a[i].field,
                                             "code", a[i].code, "zh", a[i].zh, "en", a[i].en));
    return arr;
}

json_t *tc_roster_report_json(const tc_roster_report *rep)
{
    return json_pack("{s:I, s:I, s:b, s:o, s:o}", "rows", (json_int_t)rep->nrows, "bad_rows",
                     (json_int_t)rep->nbad_rows, "ok", rep->nerrors == 0, "errors",
                     issues_json(rep->errors, rep->nerrors), "warnings", issues_json(rep->warnings, rep->nwarnings));
}
