/* What the store-backed unit tests share: a store on a fresh temporary
 * directory, its removal, and a roster row.  Header-only (static) because
 * every tests/unit/test_*.c is its own program. */
#ifndef TC_TEST_STORE_FIXTURE_H
#define TC_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/tc_store.h"

typedef struct {
    char dir[64];
    char path[128];
} tcx_tmp;

/* mkdtemp under /tmp with the given tag, then open (migrate) t.db in it;
 * NULL on failure.  The store is the caller's (tcx_store_remove). */
static inline tc_store *tcx_store_open(tcx_tmp *t, const char *tag)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/tc-%s-XXXXXX", tag);
    if (!mkdtemp(t->dir))
        return NULL;
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    tc_err e;
    return tc_store_open(t->path, &e);
}

/* Close s (may be NULL) and delete the directory with the database. */
static inline void tcx_store_remove(tc_store *s, const tcx_tmp *t)
{
    if (s)
        tc_store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
    int rc = system(cmd);
    (void)rc;
}

/* A roster row with fixed sealed bytes and hashes filled with idb / chsib. */
static inline tc_store_student tcx_student_row(const char *no, uint8_t idb, uint8_t chsib)
{
    static uint8_t sealed[4] = {1, 2, 3, 4};
    tc_store_student r;
    memset(&r, 0, sizeof r);
    r.name = "测试";
    r.student_no = no;
    r.id_sealed = sealed;
    r.id_sealed_len = sizeof sealed;
    memset(r.id_hash, idb, 32);
    memset(r.chsi_hash, chsib, 32);
    return r;
}

#endif
