/*
 * A person's education records (issue 19 item 2, several 学历): the rows one
 * signed-in person may see and switch to, and the session's current record.
 * See tc_store.h ("records of a person") for the contract.
 */
#include <assert.h>

#include "store_int.h"

int tc_store_person_records(tc_store *s, tc_pool *p, int64_t person_id, int64_t school_id,
                            const uint8_t id_hash[32], size_t max, tc_store_student **out, size_t *n, tc_err *e)
{
    assert(max > 0);
    *out = NULL;
    *n = 0;
    /* Ids first (bounded), then each row through tc_store_student_get: one
     * reader of a student row in the store.  A row linked to the person
     * still needs the same ID hash (a roster corrected to another ID number
     * is no longer this person's); a row of the person's own school with
     * the same ID hash that nobody has entered yet is the same person by
     * definition (person = school + ID hash) and is listed too. */
    int64_t *ids = NULL;
    size_t nids = 0;
    if (store_list(s, p, sizeof *ids, store_read_int, (void **)&ids, &nids, e,
                   "SELECT id FROM student WHERE id_hash = ? AND erased_at = 0"
                   " AND (person_id = ? OR (coalesce(person_id, 0) = 0 AND school_id = ?))"
                   " ORDER BY id DESC LIMIT ?",
                   "hiii", id_hash, person_id, school_id, (int64_t)max) != 0)
        return -1;
    if (!nids)
        return 0;
    tc_store_student *rows = tc_pool_alloc(p, nids * sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < nids; i++) {
        tc_err e2;
        /* a row erased in between is simply not listed */
        if (tc_store_student_get(s, p, ids[i], &rows[k], &e2) == 0 && !rows[k].erased_at)
            k++;
    }
    *out = rows;
    *n = k;
    return 0;
}

int tc_store_session_set_student(tc_store *s, const char *token_hash, int64_t person_id, int64_t student_id,
                                 tc_err *e)
{
    int64_t ch = store_run_changes(s, e,
                                   "UPDATE session SET student_id = ? WHERE token_hash = ? AND kind = 'student'"
                                   " AND person_id = ? AND expires_at >= ?",
                                   "isii", student_id, token_hash, person_id, tc_now());
    if (ch < 0)
        return -1;
    if (ch == 0)
        return tc_err_set(e, TCE_SESSION_NONE);
    return 0;
}
