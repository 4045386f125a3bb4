/* tc_export — the photos' file names by a school's template, and the
 * archive's split into parts. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tc_export.h"

/* The placeholders: Chinese and English spelling, and what the roster
 * calls the field (for the error when it has none). */
enum { F_ID, F_NO, F_EXAM, F_NAME, F_CLASS, F_MAJOR, F_DEPT, F_LEVEL, F_N };
static const struct {
    const char *zh, *en;
} FIELDS[F_N] = {
    [F_ID] = {"身份证号", "id_number"},  [F_NO] = {"学号", "student_no"},   [F_EXAM] = {"考生号", "exam_no"},
    [F_NAME] = {"姓名", "name"},         [F_CLASS] = {"班级", "class"},     [F_MAJOR] = {"专业", "programme"},
    [F_DEPT] = {"院系", "department"},   [F_LEVEL] = {"层次", "level"},
};

static int field_of(const char *s, size_t n)
{
    for (int i = 0; i < F_N; i++)
        if ((strlen(FIELDS[i].zh) == n && !memcmp(s, FIELDS[i].zh, n)) ||
            (strlen(FIELDS[i].en) == n && !memcmp(s, FIELDS[i].en, n)))
            return i;
    return -1;
}

/* Characters a file name may not carry on Windows, macOS or Linux. */
static int bad_char(unsigned char c)
{
    return c < 0x20 || c == 0x7F || strchr("\\:*?\"<>|", c) != NULL;
}

static int has_jpg(const char *s, size_t n)
{
    return n >= 4 && !g_ascii_strncasecmp(s + n - 4, ".jpg", 4);
}

int tc_export_tpl_check(const char *tpl, tc_err *e)
{
    size_t n = tpl ? strlen(tpl) : 0;
    if (!n)
        return tc_err_set(e, TCE_EXPORT_TPL_EMPTY);
    if (n > TC_EXPORT_TPL_MAX)
        return tc_err_set(e, TCE_EXPORT_TPL_TOO_LONG, TC_EXPORT_TPL_MAX);
    if (!g_utf8_validate(tpl, (gssize)n, NULL))
        return tc_err_set(e, TCE_EXPORT_TPL_BAD_CHAR);
    if (tpl[0] == '/')
        return tc_err_set(e, TCE_EXPORT_TPL_ABSOLUTE);
    int fields = 0, depth = 1;
    const char *seg = tpl;
    for (const char *p = tpl;; p++) {
        if (*p == '/' || !*p) {
            /* a folder or the file: not empty, not "." or ".." */
            size_t k = (size_t)(p - seg);
            if (!k || (k == 1 && seg[0] == '.') || (k == 2 && seg[0] == '.' && seg[1] == '.'))
                return tc_err_set(e, TCE_EXPORT_TPL_BAD_PATH);
            if (!*p)
                break;
            if (++depth > TC_EXPORT_TPL_DEPTH)
                return tc_err_set(e, TCE_EXPORT_TPL_TOO_DEEP, TC_EXPORT_TPL_DEPTH);
            seg = p + 1;
            continue;
        }
        if (*p == '{') {
            const char *end = strchr(p + 1, '}');
            const char *open = strchr(p + 1, '{');
            if (!end || (open && open < end))
                return tc_err_set(e, TCE_EXPORT_TPL_UNCLOSED);
            size_t k = (size_t)(end - p - 1);
            int f = field_of(p + 1, k);
            if (f < 0) {
                char *name = g_strndup(p + 1, k > 40 ? 40 : k);
                tc_err_set(e, TCE_EXPORT_TPL_UNKNOWN, name);
                g_free(name);
                return -1;
            }
            if (f == F_EXAM) /* the roster has no such column */
                return tc_err_set(e, TCE_EXPORT_TPL_NO_FIELD, FIELDS[f].zh);
            fields++;
            p = end;
            continue;
        }
        if (*p == '}')
            return tc_err_set(e, TCE_EXPORT_TPL_UNCLOSED);
        if (bad_char((unsigned char)*p))
            return tc_err_set(e, TCE_EXPORT_TPL_BAD_CHAR);
    }
    if (!fields)
        return tc_err_set(e, TCE_EXPORT_TPL_NO_PLACEHOLDER);
    return 0;
}

/* A value made safe for a name: characters a file system refuses and "/"
 * become "_", at most TC_EXPORT_VALUE_MAX bytes (whole characters); an
 * empty value reads 无<field> (无班级). */
static void put_value(GString *o, const char *v, int f)
{
    if (!v || !*v) {
        g_string_append(o, "无");
        g_string_append(o, FIELDS[f].zh);
        return;
    }
    size_t n = strlen(v);
    if (n > TC_EXPORT_VALUE_MAX) {
        const char *cut = g_utf8_find_prev_char(v, v + TC_EXPORT_VALUE_MAX + 1);
        n = cut ? (size_t)(cut - v) : TC_EXPORT_VALUE_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        g_string_append_c(o, c == '/' || bad_char(c) ? '_' : (char)c);
    }
}

/* A folder or the file's stem: cut to TC_EXPORT_PART_MAX bytes (whole
 * characters), and made one that Windows can create: "." or "..",
 * a device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an
 * extension), a folder ending in "." or " " (Windows drops them).  The
 * part o[seg .. end) is fixed in place with "_". */
static void fix_part(GString *o, size_t seg, size_t end, int folder)
{
    const char *p = o->str + seg;
    size_t n = end - seg;
    if (n > TC_EXPORT_PART_MAX) { /* file systems take 255 bytes a part; room for _N.jpg */
        const char *cut = g_utf8_find_prev_char(p, p + TC_EXPORT_PART_MAX + 1);
        size_t keep = cut ? (size_t)(cut - p) : TC_EXPORT_PART_MAX;
        g_string_erase(o, (gssize)(seg + keep), (gssize)(n - keep));
        end = seg + keep;
        n = keep;
        p = o->str + seg;
    }
    if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
        g_string_erase(o, (gssize)seg, (gssize)n);
        g_string_insert_c(o, (gssize)seg, '_');
        return;
    }
    size_t stem = 0;
    while (stem < n && p[stem] != '.')
        stem++;
    static const char *const DEV[] = {"CON", "PRN", "AUX", "NUL"};
    int dev = 0;
    for (size_t i = 0; i < 4; i++)
        dev |= stem == 3 && !g_ascii_strncasecmp(p, DEV[i], 3);
    if (stem == 4 && (!g_ascii_strncasecmp(p, "COM", 3) || !g_ascii_strncasecmp(p, "LPT", 3)) && p[3] >= '1' && p[3] <= '9')
        dev = 1;
    if (dev)
        g_string_insert_c(o, (gssize)seg, '_');
    else if (folder && (p[n - 1] == '.' || p[n - 1] == ' '))
        o->str[end - 1] = '_';
}

/* The name of one row by a checked template (NULL with e set: an ID number
 * that does not open). */
static char *render(const tc_ident_keys *keys, const char *tpl, const tc_store_export_row *r, tc_err *e)
{
    GString *o = g_string_new(NULL);
    size_t seg = 0; /* where the current folder or file began in o */
    for (const char *p = tpl; *p; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            int f = field_of(p + 1, (size_t)(end - p - 1));
            const char *v = "";
            char *id = NULL;
            switch (f) {
            case F_ID:
                if (tc_ident_open(keys, r->id_sealed, r->id_sealed_len, &id, e) != 0) {
                    g_string_free(o, TRUE);
                    return NULL;
                }
                v = id;
                break;
            case F_NO: v = r->student_no; break;
            case F_NAME: v = r->name; break;
            case F_CLASS: v = r->class_name; break;
            case F_MAJOR: v = r->programme; break;
            case F_DEPT: v = r->department; break;
            case F_LEVEL: v = r->level; break;
            default: break;
            }
            put_value(o, v, f);
            tc_str_free_secret(id);
            p = end;
            continue;
        }
        if (*p == '/') {
            fix_part(o, seg, o->len, 1);
            g_string_append_c(o, '/');
            seg = o->len;
            continue;
        }
        g_string_append_c(o, *p);
    }
    /* the file: its stem, then .jpg when the template did not end so */
    size_t end = has_jpg(o->str + seg, o->len - seg) ? o->len - 4 : o->len;
    if (end > seg)
        fix_part(o, seg, end, 0);
    if (!has_jpg(o->str, o->len))
        g_string_append(o, ".jpg");
    return g_string_free(o, FALSE);
}

void tc_export_names_free(tc_export_names *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        g_free(x->name[i]);
    free(x->name);
    free(x->collided);
    memset(x, 0, sizeof *x);
}

int tc_export_names_make(const tc_ident_keys *keys, const char *tpl, const tc_store_export_row *rows, size_t n,
                         tc_export_names *out, tc_err *e)
{
    memset(out, 0, sizeof *out);
    if (tc_export_tpl_check(tpl, e) != 0)
        return -1;
    out->name = calloc(n ? n : 1, sizeof *out->name);
    out->collided = calloc(n ? n : 1, sizeof *out->collided);
    if (!out->name || !out->collided) {
        tc_export_names_free(out);
        return tc_err_internal(e, "out of memory");
    }
    /* names compare without ASCII case: Windows and macOS would fold
     * K001.jpg and k001.jpg into one file */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *name = render(keys, tpl, &rows[i], e);
        if (!name) {
            rc = -1;
            break;
        }
        out->n = i + 1;
        /* seen: each name taken (lower case) -> the last suffix tried for
         * it, so that a thousand students in one name cost a thousand
         * look-ups, not a million */
        char *key = g_ascii_strdown(name, -1);
        gpointer last;
        if (g_hash_table_lookup_extended(seen, key, NULL, &last)) {
            size_t stem = strlen(name) - 4; /* every name ends in .jpg */
            char *base = key;
            for (int k = GPOINTER_TO_INT(last) + 1;; k++) {
                char *alt = g_strdup_printf("%.*s_%d%s", (int)stem, name, k, name + stem);
                key = g_ascii_strdown(alt, -1);
                if (!g_hash_table_contains(seen, key)) {
                    g_hash_table_insert(seen, base, GINT_TO_POINTER(k)); /* takes base */
                    g_free(name);
                    name = alt;
                    break;
                }
                g_free(key);
                g_free(alt);
            }
            out->collided[out->ncollided++] = i;
        }
        g_hash_table_insert(seen, key, GINT_TO_POINTER(1));
        out->name[i] = name;
    }
    g_hash_table_destroy(seen);
    if (rc != 0)
        tc_export_names_free(out);
    return rc;
}

/* ---- parts ---------------------------------------------------------------------------------------------- */

int tc_export_parts_plan(const tc_blob_store *blobs, const tc_store_export_row *rows, size_t n, uint64_t max_bytes,
                         size_t max_photos, tc_export_part **out, size_t *nparts, tc_err *e)
{
    *out = NULL;
    *nparts = 0;
    tc_export_part *p = calloc(n ? n : 1, sizeof *p);
    if (!p)
        return tc_err_internal(e, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t sz;
        tc_err be;
        if (tc_blob_size(blobs, rows[i].blob, &sz, &be) != 0) {
            free(p);
            return tc_err_internal(e, "export: bad photo for student %lld: %s", (long long)rows[i].student_id, be.en);
        }
        /* a part is full when the next photo would pass either limit; a
         * photo bigger than the limit has a part of its own */
        if (k && ((max_photos && p[k - 1].photos >= max_photos) || (max_bytes && p[k - 1].bytes + sz > max_bytes)))
            ;
        else if (k) {
            p[k - 1].photos++;
            p[k - 1].bytes += sz;
            continue;
        }
        p[k].first = i;
        p[k].photos = 1;
        p[k].bytes = sz;
        k++;
    }
    if (!k) { /* no photo yet: one part, with the lists only */
        p[0].first = 0;
        k = 1;
    }
    *out = p;
    *nparts = k;
    return 0;
}
