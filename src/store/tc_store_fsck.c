/* tc_store — the consistency check behind `tucai fsck` (issue 18: after a
 * machine's death, the records must be shown sound, not assumed): the
 * engine's own check where it has one in SQL, and the domain's rules that no
 * constraint expresses.  Read-only. */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* The photos that keep their files, paged by id. */
static void read_files(tc_pool *p, store_stmt *st, void *out)
{
    tc_store_photo_files *f = out;
    store_cols(p, st, 0, "isssssss", &f->photo_id, &f->state, &f->blob[0], &f->blob[1], &f->blob[2], &f->blob[3],
               &f->blob[4], &f->blob[5]);
}

const char *const TC_STORE_PHOTO_FILE_COLUMNS[TC_STORE_PHOTO_FILES] = {
    "upload_blob", "original_blob", "standard_blob", "proof_blob", "overlay_blob", "final_blob"};

int tc_store_fsck_files(tc_store *s, tc_pool *p, int64_t after, int limit, tc_store_photo_files **out, size_t *n,
                        tc_err *e)
{
    return store_list(s, p, sizeof **out, read_files, (void **)out, n, e,
                      "SELECT id, state, upload_blob, original_blob, standard_blob, proof_blob, overlay_blob,"
                      " final_blob FROM photo WHERE swept_at = 0 AND id > ? ORDER BY id LIMIT ?",
                      "ii", after, (int64_t)limit);
}

/* One rule: every row the query returns is a problem, told by fmt from its
 * first columns (text). */
typedef struct {
    const char *what; /* the rule, for the message */
    const char *sql;
} rule;

/* What no constraint says but every path of the program keeps (each rule
 * names the function that keeps it). */
static const rule RULES[] = {
    /* tc_store_submission_create moves the photo to used; withdraw moves
     * both back; nothing else touches a live submission's photo */
    {"a live submission's photo is in state used",
     "SELECT 'submission ' || s.id || ' (' || s.state || '): photo ' || p.id || ' is ' || p.state"
     " FROM submission s JOIN photo p ON p.id = s.photo_id"
     " WHERE s.state IN ('pending_payment','submitted','approved','final') AND p.state <> 'used' ORDER BY s.id"},
    /* tc_store_photo_finish writes done_at with the result */
    {"a made photo has the time it was made",
     "SELECT 'photo ' || id || ' (' || state || '): no done_at' FROM photo"
     " WHERE state IN ('draft','failed','used','error') AND done_at = 0 ORDER BY id"},
    /* a draft is a photo that passed: the studio made its standard photo */
    {"a draft that keeps its files has its standard photo",
     "SELECT 'photo ' || id || ' (draft): no standard photo' FROM photo"
     " WHERE state = 'draft' AND swept_at = 0 AND standard_blob = '' ORDER BY id"},
    /* one photo in the making per student (tc_store_photo_begin_limited) */
    {"at most one photo in the making per student",
     "SELECT 'student ' || student_id || ': ' || count(*) || ' photos processing' FROM photo"
     " WHERE state = 'processing' GROUP BY student_id HAVING count(*) > 1 ORDER BY student_id"},
    /* the worker that takes a photo a fourth time ends it (tc_jobs) */
    {"no photo taken by more than three workers is still processing",
     "SELECT 'photo ' || id || ': processing after ' || claims || ' claims' FROM photo"
     " WHERE state = 'processing' AND claims > 3 ORDER BY id"},
};

enum { FSCK_MAX_PROBLEMS = 1000 };

/* Append a problem (at most FSCK_MAX_PROBLEMS are kept; *more counts the
 * rest). */
static void add(tc_pool *p, const char ***out, size_t *n, size_t *cap, size_t *more, const char *text)
{
    if (*n == FSCK_MAX_PROBLEMS) {
        (*more)++;
        return;
    }
    *out = store_grow(p, *out, *n, cap, sizeof **out);
    (*out)[(*n)++] = tc_pool_strdup(p, text);
}

int tc_store_fsck(tc_store *s, tc_pool *p, const char ***out, size_t *n, size_t *more, tc_err *e)
{
    *out = NULL;
    *n = 0;
    *more = 0;
    size_t cap = 0;
    const char **rows;
    size_t k;
    if (s->kind == STORE_SQLITE) {
        /* SQLite's own: the file's structure, then the foreign keys (off
         * while migrating: a migration could have left one dangling) */
        if (store_list(s, p, sizeof *rows, store_read_text, (void **)&rows, &k, e, "PRAGMA integrity_check", NULL) !=
            0)
            return -1;
        for (size_t i = 0; i < k; i++)
            if (strcmp(rows[i], "ok") != 0)
                add(p, out, n, &cap, more, tc_pool_printf(p, "sqlite integrity_check: %s", rows[i]));
        if (store_list(s, p, sizeof *rows, store_read_text, (void **)&rows, &k, e,
                       "SELECT \"table\" || ' row ' || rowid || ': no ' || parent || ' it refers to'"
                       " FROM pragma_foreign_key_check",
                       NULL) != 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            add(p, out, n, &cap, more, rows[i]);
    }
    /* PostgreSQL enforces its foreign keys always; its structure is
     * pg_amcheck's (docs/DEPLOY.md) */
    for (size_t r = 0; r < TC_ARRAY_LEN(RULES); r++) {
        if (store_list(s, p, sizeof *rows, store_read_text, (void **)&rows, &k, e, RULES[r].sql, NULL) != 0)
            return -1;
        for (size_t i = 0; i < k; i++)
            add(p, out, n, &cap, more, tc_pool_printf(p, "%s (rule: %s)", rows[i], RULES[r].what));
    }
    return 0;
}

void tc_store_redact(const char *where, char *out, size_t cap)
{
    if (!where)
        snprintf(out, cap, "(none)");
    else if (tc_store_is_url(where))
        store_pg_redact(where, out, cap);
    else
        snprintf(out, cap, "%s", where);
}
