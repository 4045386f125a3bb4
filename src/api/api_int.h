/*
 * Inside tc_api: the request context and helpers that every handler file
 * shares (tc_api.c: entry, staff, schools, rosters; tc_api_journey.c: the
 * student's journey, review, payment callbacks, and the photo workers).
 * Not part of the module's interface.
 */
#ifndef TC_API_INT_H
#define TC_API_INT_H

#include <jansson.h>

#include "tc_api.h"

enum {
    NEED_NONE = 0,
    NEED_STAFF = 1,        /* any staff member (password changed)            */
    NEED_STAFF_ANY = 2,    /* staff, even before the forced password change  */
    NEED_PLATFORM = 4,     /* platform admin                                 */
    NEED_SCHOOL_STAFF = 8, /* platform admin or school admin                 */
    NEED_STUDENT = 16,     /* a verified student (person)                    */
    NEED_ENTRY = 32,       /* in the middle of entry (verified code)         */
    NEED_REVIEW = 64,      /* platform admin or reviewer                     */
};

typedef struct api_ctx {
    tc_app *app;
    tc_http_req *r;
    int has_session;
    tc_session sess;
    tc_staff staff;
    tc_err e;
} api_ctx;

/* Loads the session, checks CSRF and the role.  On failure it has already
 * responded and returns -1. */
int api_begin(tc_http_req *r, api_ctx *c, int need);
/* Respond with c->e; returns 0 (the handler has responded). */
int api_fail(api_ctx *c);
/* May this staff member see this school's data?  0 with c->e set if not. */
int api_staff_school_ok(api_ctx *c, int64_t school_id);
int api_parse_id(const char *s, int64_t *out);
int api_bad_id(api_ctx *c);
const char *api_jstr(json_t *o, const char *k);
json_t *api_student_json(api_ctx *c, const tc_student *st);
/* The student of params[0], if this staff member may see the school's data;
 * -1 with c->e set otherwise. */
int api_load_student(api_ctx *c, tc_student *st);

/* Add the journey's routes (tc_api_journey.c). */
int api_journey_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e);
/* The school console: batches, progress, exports, reminders (tc_api_school.c). */
int api_school_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e);
/* The platform admin: schools, staff, reason catalogue, specs, audit log (tc_api_admin.c). */
int api_admin_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e);
/* Money: orders, addresses, reprints, print queue, refunds, reconciliation (tc_api_money.c). */
int api_money_routes(tc_http_server *s, tc_app *app, size_t upload_max, tc_err *e);

#endif
