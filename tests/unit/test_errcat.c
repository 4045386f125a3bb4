/* Unit tests: the error catalogue (src/base/tc_errcat.h).  Every message a
 * student or staff member can read comes from it, so it is checked as data:
 * one HTTP status per code, Chinese text that is Chinese, the same printf
 * conversions in both languages (the compiler checks only the English one
 * against the arguments), every entry used, and no tc_err_set in src/ that
 * writes its status and texts inline instead of naming an entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/tc_base.h"

typedef struct row {
    const char *name;
    int status;
    const char *code, *zh, *en;
} row;

#define ROW(n) {#n, n},
static const row rows[] = {TC_ERRCAT_EACH(ROW)};
#undef ROW
#define NROWS (sizeof rows / sizeof rows[0])

/* Codes whose text is for the person who runs the server (command line,
 * configuration, model and font files) or who writes an API client (a value
 * no page of ours sends): these may name options, file names and API values
 * in Latin letters.  A code a student or school can reach from a page is not
 * on this list, so its Chinese text must not carry an English word. */
static const char *const operator_codes[] = {
    "config.",           "vision.model",         "pdf.font_missing",   "notify.",
    "http.no_tls",       "http.bad_content_type", "pay.config",        "pay.decrypt",
    "photo.bad_geometry", "photo.bad_layout",    "photo.bad_sheet",    "photo.bad_spec",
    "photo.spec_file",   "check.bad_config",     "export.bad_ids",     "export.bad_rule",
    "order.bad_filter",  "roster.bad_filter",    "roster.bad_mode",    "staff.bad_request",
    "reason.bad_active", "journey.bad_source",
};

static int is_operator(const char *code)
{
    for (size_t i = 0; i < sizeof operator_codes / sizeof operator_codes[0]; i++) {
        size_t n = strlen(operator_codes[i]);
        if (!strncmp(code, operator_codes[i], n)) /* a family ("config.") or a code and its kin */
            return 1;
    }
    return 0;
}

/* The conversions of a printf format as letters: "%s … %zu … %.0s" -> "sus". */
static void conversions(const char *f, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = f; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p && strchr("-+ #0123456789.*", *p))
            p++;
        while (*p && strchr("hlLqjzt", *p))
            p++;
        if (*p && n + 1 < cap)
            out[n++] = *p;
        if (!*p)
            break;
    }
    out[n] = 0;
}

static int has_cjk(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++)
        if (*u >= 0xe4 && *u <= 0xe9)
            return 1;
    return 0;
}

/* First Latin word (two letters or more) in a Chinese text that is neither an
 * acronym (JSON, QR, ID, MB ...) nor a product or file-format name. */
static const char *english_word(const char *zh, char *w, size_t cap)
{
    static const char *const names[] = {"Excel", "WebP", "AppID", "xlsx", "xls", NULL};
    const char *p = zh;
    while (*p) {
        if (*p == '%') { /* skip a conversion */
            p++;
            while (*p && strchr("-+ #0123456789.*hlLqjzt", *p))
                p++;
            if (*p)
                p++;
            continue;
        }
        if (!isalpha((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *s = p;
        int lower = 0;
        while (isalnum((unsigned char)*p) || *p == '_') {
            lower |= islower((unsigned char)*p) != 0;
            p++;
        }
        size_t n = (size_t)(p - s);
        if (n < 2 || !lower)
            continue;
        snprintf(w, cap, "%.*s", (int)n, s);
        int known = 0;
        for (int i = 0; names[i]; i++)
            known |= !strcmp(w, names[i]);
        if (!known)
            return w;
    }
    return NULL;
}

static void test_entries(void **st)
{
    (void)st;
    assert_true(NROWS > 100);
    int bad = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const row *r = &rows[i];
        char cz[32], ce[32], w[64];
        if (r->status < 400 || r->status > 599) {
            printf("# %s: status %d is not an error status\n", r->name, r->status);
            bad++;
        }
        size_t cl = strlen(r->code);
        int code_ok = cl > 0 && cl < sizeof((tc_err *)0)->code && islower((unsigned char)r->code[0]);
        for (size_t k = 0; k < cl; k++)
            code_ok &= islower((unsigned char)r->code[k]) || isdigit((unsigned char)r->code[k]) ||
                       r->code[k] == '_' || r->code[k] == '.';
        if (!code_ok) {
            printf("# %s: code \"%s\" is not lower_case.dotted\n", r->name, r->code);
            bad++;
        }
        if (!has_cjk(r->zh) && strcmp(r->zh, "%s")) {
            printf("# %s: Chinese text has no Chinese: %s\n", r->name, r->zh);
            bad++;
        }
        if (!r->en[0] || has_cjk(r->en)) {
            printf("# %s: English text is empty or not English: %s\n", r->name, r->en);
            bad++;
        }
        if (strlen(r->zh) >= sizeof((tc_err *)0)->zh - 16 || strlen(r->en) >= sizeof((tc_err *)0)->en - 16) {
            printf("# %s: a text is too long for tc_err's buffers\n", r->name);
            bad++;
        }
        conversions(r->zh, cz, sizeof cz);
        conversions(r->en, ce, sizeof ce);
        if (strcmp(cz, ce)) {
            printf("# %s: conversions differ: zh \"%s\" en \"%s\"\n", r->name, cz, ce);
            bad++;
        }
        if (!is_operator(r->code) && english_word(r->zh, w, sizeof w)) {
            printf("# %s (%s): English word \"%s\" in the Chinese text: %s\n", r->name, r->code, w, r->zh);
            bad++;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rows[j].code, r->code) && rows[j].status != r->status) {
                printf("# %s: code %s has status %d here and %d in %s\n", r->name, r->code, r->status,
                       rows[j].status, rows[j].name);
                bad++;
            }
    }
    assert_int_equal(bad, 0);
}

/* All of src/ but the catalogue, as one string per file. */
typedef struct srcfile {
    char path[512];
    char *text;
} srcfile;
typedef struct srcset {
    srcfile *f;
    size_t n, cap;
} srcset;

static void read_tree(const char *dir, srcset *s)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (stat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            read_tree(p, s);
            continue;
        }
        size_t l = strlen(p);
        if (l < 2 || (strcmp(p + l - 2, ".c") && strcmp(p + l - 2, ".h")) || strstr(p, "tc_errcat.h"))
            continue;
        char *text;
        size_t len;
        tc_err e;
        assert_int_equal(tc_file_read(p, 4 << 20, &text, &len, &e), 0);
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->f = realloc(s->f, s->cap * sizeof *s->f);
            assert_non_null(s->f);
        }
        snprintf(s->f[s->n].path, sizeof s->f[s->n].path, "%s", p);
        s->f[s->n++].text = text;
    }
    closedir(d);
}

static void free_tree(srcset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->f[i].text);
    free(s->f);
}

static int line_of(const char *text, const char *at)
{
    int n = 1;
    for (const char *p = text; p < at; p++)
        n += *p == '\n';
    return n;
}

/* No call that makes an error for people writes its status inline: the
 * status, code and texts come from the catalogue. */
static void test_no_inline_texts(void **st)
{
    (void)st;
    srcset s = {0};
    read_tree(TC_SRCDIR "/src", &s);
    assert_true(s.n > 50);
    static const char *const calls[] = {"tc_err_set(", "respond_error3(", "refuse_busy(", "pending("};
    int bad = 0;
    for (size_t i = 0; i < s.n; i++) {
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            for (const char *p = s.f[i].text; (p = strstr(p, calls[c])); p++) {
                if (p > s.f[i].text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                    continue;
                const char *a = p + strlen(calls[c]);
                while (*a && *a != ',' && *a != ')' && *a != '\n') /* the first argument */
                    a++;
                if (*a != ',')
                    continue;
                a++;
                while (*a == ' ' || *a == '\n')
                    a++;
                /* a status and a code written inline; a site that only re-words an
                 * error whose code came from elsewhere (a row number put in front)
                 * passes the code on as a variable */
                const char *q = a;
                while (isdigit((unsigned char)*q))
                    q++;
                while (*q == ',' || *q == ' ' || *q == '\n')
                    q++;
                if (q > a && *a != '0' && *q == '"') {
                    printf("# %s:%d: %s with an inline status and texts (use a TCE_ entry)\n", s.f[i].path,
                           line_of(s.f[i].text, p), calls[c]);
                    bad++;
                }
            }
        }
    }
    /* every entry is used somewhere */
    for (size_t r = 0; r < NROWS; r++) {
        size_t nl = strlen(rows[r].name);
        int used = 0;
        for (size_t i = 0; i < s.n && !used; i++)
            for (const char *p = s.f[i].text; !used && (p = strstr(p, rows[r].name)); p += nl)
                used = !isalnum((unsigned char)p[nl]) && p[nl] != '_';
        if (!used) {
            printf("# %s is in the catalogue but no code uses it\n", rows[r].name);
            bad++;
        }
    }
    free_tree(&s);
    assert_int_equal(bad, 0);
}

/* The macro form gives tc_err_set exactly the entry's fields. */
static void test_expands(void **st)
{
    (void)st;
    tc_err e;
    assert_int_equal(tc_err_set(&e, TCE_STORE_BUSY), -1);
    assert_int_equal(e.status, 503);
    assert_string_equal(e.code, "store.busy");
    assert_true(has_cjk(e.zh));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_no_inline_texts),
        cmocka_unit_test(test_expands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
