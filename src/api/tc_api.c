/* tc_api — entry, staff accounts, schools and rosters, and the registration
 * of every area's routes.
 *
 * A request goes: tc_http routes it -> the dispatcher (tc_api_core.c) loads
 * the session from the tc_sid cookie, checks CSRF on state-changing methods
 * and the role the route's row needs -> the handler takes the context
 * (api_ctx_of), calls tc_store -> the handler answers JSON.  Errors carry a
 * stable code and zh/en text. */
#include "api_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../chsi/tc_chsi.h"
#include "../export/tc_export.h"
#include "../qr/tc_qr.h"
#include "../roster/tc_roster.h"
#include "../spec/tc_spec.h"

/* The policy of the camera's guide frame (/guide/, docs/SECURITY.md): the
 * server's policy plus WebAssembly and eval for MediaPipe's loader, framed
 * only by our own pages. */
static const char GUIDE_CSP[] =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
    "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'self'; "
    "base-uri 'self'; form-action 'none'";

void tc_api_defaults(tc_api_app *app)
{
    app->limits = (tc_api_entry_limits){
        .last4_max_fails = 5,
        .last4_window_s = 900,
        .last4_lock_s = 900,
        .ip_max_fails = 20,
        .ip_lock_s = 900,
        .login_window_s = 86400,
        .login_acct_free = 5,
        .login_ip_free = 20,
        .login_base_s = 30,
        .login_max_s = 3600,
    };
    app->session_ttl_s = 7 * 24 * 3600;
    char t[TC_IDENT_TOKEN_LEN + 1];
    tc_ident_token_new(t);
    if (tc_ident_password_hash(t, app->dummy_pwhash, NULL) != 0)
        app->dummy_pwhash[0] = 0;
}

void tc_api_batch_code(char out[7])
{
    static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 6; i++)
        out[i] = al[randombytes_uniform(36)];
    out[6] = 0;
}

/* ---- sessions ------------------------------------------------------ */

static void session_hash(const char *token, char out[65])
{
    tc_ident_token_hash(token, out);
}

/* New session: token to the cookie, hash to the store. */
static int session_start(api_ctx *c, const char *kind, int64_t staff_id, int64_t person_id, int64_t student_id,
                         int64_t ttl)
{
    char token[TC_IDENT_TOKEN_LEN + 1];
    tc_ident_token_new(token);
    tc_store_session s;
    memset(&s, 0, sizeof s);
    session_hash(token, s.token_hash);
    s.kind = kind;
    s.staff_id = staff_id;
    s.person_id = person_id;
    s.student_id = student_id;
    /* A new CSRF token at every sign-in: a token planted in the browser
     * before (a cookie set by a sibling subdomain, a shared computer) is
     * worth nothing afterwards.  The page reads the cookie on each write. */
    char t[TC_IDENT_TOKEN_LEN + 1];
    tc_ident_token_new(t);
    snprintf(s.csrf, sizeof s.csrf, "%s", t);
    tc_http_set_cookie(c->r, CSRF_COOKIE, s.csrf, 0, 0);
    s.expires_at = tc_now() + ttl;
    if (c->has_session)
        tc_store_session_delete(c->app->store, c->sess.token_hash, NULL);
    if (tc_store_session_create(c->app->store, &s, &c->e) != 0)
        return -1;
    tc_http_set_cookie(c->r, SID_COOKIE, token, 0, 1);
    c->sess = s;
    c->has_session = 1;
    return 0;
}

/* ---- small public endpoints ------------------------------------------------------ */

static int h_healthz(tc_http_req *r)
{
    tc_api_app *app = r->app;
    tc_err e;
    int empty = tc_store_is_empty(app->store, &e);
    if (empty < 0)
        return tc_http_respond_error(r, &e);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:s, s:i}", "status", "ok", "schema", tc_store_schema_version(app->store)));
}

static int h_csrf(tc_http_req *r)
{
    const char *ck = tc_http_cookie(r, CSRF_COOKIE);
    char t[TC_IDENT_TOKEN_LEN + 1];
    if (!ck || strlen(ck) != TC_IDENT_TOKEN_LEN) {
        tc_ident_token_new(t);
        tc_http_set_cookie(r, CSRF_COOKIE, t, 0, 0);
        ck = t;
    }
    return tc_http_respond_json(r, 200, json_pack("{s:s}", "csrf", ck));
}

static int h_logout(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    if (c.has_session)
        tc_store_session_delete(c.app->store, c.sess.token_hash, NULL);
    tc_http_set_cookie(r, SID_COOKIE, "", -1, 1);
    return api_ok(&c);
}

/* "/console" typed without the slash. */
static int h_console_redirect(tc_http_req *r)
{
    tc_http_add_header(r, "Location", "/console/");
    static const char body[] = "Moved to /console/\n";
    return tc_http_respond(r, 301, "text/plain; charset=utf-8", body, sizeof body - 1);
}

/* ---- student entry ------------------------------------------------------------------ */

static void audit(api_ctx *c, const char *method, int64_t batch_id, int64_t student_id, int ok, const char *reason)
{
    tc_store_verify_attempt a = {.ip = c->r->client_ip,
                           .method = method,
                           .batch_id = batch_id,
                           .student_id = student_id,
                           .ok = ok,
                           .reason = reason};
    tc_err e;
    if (tc_store_audit_verify(c->app->store, &a, &e) != 0)
        tc_log(TC_LOG_ERROR, "audit write failed: %s", e.en);
}

static int set_locked(api_ctx *c, int64_t until, int last4)
{
    char when[20];
    tc_time_fmt_cn(until, when);
    if (last4)
        return tc_err_set(&c->e, TCE_ENTRY_LOCKED, when);
    return tc_err_set(&c->e, TCE_ENTRY_LOCKED_2, when);
}

/* Count a failure for this client address (unknown codes, pictures with no
 * code in them): stops guessing and decoding floods from one address. */
static void ip_failure(api_ctx *c)
{
    char key[96];
    int fails;
    int64_t until;
    snprintf(key, sizeof key, "ip:%s", c->r->client_ip);
    tc_store_lock_fail(c->app->store, key, tc_now(), c->app->limits.ip_lock_s, c->app->limits.ip_max_fails,
                       c->app->limits.ip_lock_s, &fails, &until, NULL);
}

static int ip_locked(api_ctx *c)
{
    char key[96];
    int64_t until = 0;
    snprintf(key, sizeof key, "ip:%s", c->r->client_ip);
    if (tc_store_lock_check(c->app->store, key, tc_now(), &until, &c->e) != 0)
        return api_fail(c), 1;
    if (until)
        return set_locked(c, until, 0), api_fail(c), 1;
    return 0;
}

/* An entry request (the entry pages' forms, the 采集码 binding): its parts,
 * then the 采集码 it carries (entry_code_key): the lookup key, the code
 * sealed and how it came ("qr" or "text"). */
typedef struct entry_req {
    tc_http_part *parts;
    size_t n;
    uint8_t h[32];
    uint8_t *sealed; /* owned: the handler frees it */
    size_t slen;
    const char *via;
} entry_req;

/* Read the form, once the client address is not locked out.  0, or -1
 * when the request is answered (locked out, or no form). */
static int entry_begin(api_ctx *c, entry_req *q)
{
    memset(q, 0, sizeof *q);
    q->via = "text";
    if (ip_locked(c))
        return -1;
    if (tc_http_form(c->r, &q->parts, &q->n, &c->e) != 0)
        return api_fail(c), -1;
    return 0;
}

/* The 采集码 from the request: a "qr" image part decoded with zbar, or a
 * "chsi_code" text part (what an in-page scanner read). */
/* Blanks (and a BOM, U+3000) off both ends, in place: tc_str_trim returns
 * the start past the leading ones, which the callers below used to drop. */
static void trim_in_place(char *s)
{
    const char *t = tc_str_trim(s);
    memmove(s, t, strlen(t) + 1);
}

static int entry_code(api_ctx *c, tc_http_part *parts, size_t n, char *code, size_t codesz)
{
    const tc_http_part *img = tc_http_form_get(parts, n, "qr");
    const tc_http_part *txt = tc_http_form_get(parts, n, "chsi_code");
    if (img && img->len > 0)
        return tc_qr_decode(img->data, img->len, code, codesz, &c->e);
    if (txt && txt->len > 0 && txt->len < codesz) {
        snprintf(code, codesz, "%s", txt->data);
        trim_in_place(code);
        if (*code && tc_utf8_valid(code, strlen(code)))
            return 0;
    }
    return tc_err_set(&c->e, TCE_ENTRY_CODE_MISSING);
}

/* The 采集码 of the request through the resolver (tc_chsi.h), into q: its
 * lookup key h, the code sealed for the 学信网 upload list (q->sealed
 * malloc'ed, the caller frees it) and q->via, "qr" or "text".  The plain
 * code is wiped before returning. */
static int entry_code_key(api_ctx *c, entry_req *q)
{
    char raw[512], code[TC_CHSI_MAX + 1];
    const tc_http_part *img = tc_http_form_get(q->parts, q->n, "qr");
    q->via = img && img->len > 0 ? "qr" : "text";
    q->sealed = NULL;
    if (entry_code(c, q->parts, q->n, raw, sizeof raw) != 0)
        return -1;
    int rc = tc_chsi_canon(c->app->chsi, raw, code, &c->e);
    sodium_memzero(raw, sizeof raw);
    if (rc != 0)
        return -1;
    tc_chsi_key(&c->app->keys, code, q->h);
    rc = tc_ident_seal(&c->app->keys, code, &q->sealed, &q->slen, &c->e);
    sodium_memzero(code, sizeof code);
    return rc;
}

/* A code that reached a row known only by its hash (imported before schema
 * 11) is kept sealed now, for the upload list. */
static void entry_seal_code(api_ctx *c, const tc_store_student *st, const uint8_t key[32], const uint8_t *sealed,
                            size_t sealed_len)
{
    if (!st->chsi_sealed && sealed)
        tc_store_student_seal_chsi(c->app->store, st->id, key, sealed, sealed_len, NULL);
}

/* The rules of every way in, in one place, for the roster row a code found:
 * the row's batch is not cancelled and is inside its collection window, the
 * row is not locked, and the last four ID characters match (a wrong answer
 * counts toward the row's lock).  last4 NULL checks all but the last four:
 * the QR was recognised and the page asks for them next.  On refusal c->e
 * is set and the attempt audited. */
int api_record_open(api_ctx *c, const tc_store_student *st, int64_t now, tc_err *why)
{
    tc_store_batch b;
    if (tc_store_batch_get(c->app->store, c->r->pool, st->batch_id, &b, why) != 0)
        return -1;
    if (b.cancelled_at) {
        tc_err_set(why, TCE_ENTRY_BATCH_CANCELLED);
        return 1;
    }
    if ((b.starts_at && now < b.starts_at) || (b.ends_at && now > b.ends_at)) {
        char a[20], z[20];
        tc_time_fmt_cn(b.starts_at, a);
        tc_time_fmt_cn(b.ends_at, z);
        tc_err_set(why, TCE_ENTRY_OUTSIDE_WINDOW, b.starts_at ? a : "-", b.ends_at ? z : "-");
        return 1;
    }
    /* The lock is per roster row, so a guesser cannot lock out everyone
     * from one address, and a student is told exactly until when. */
    char key[64];
    snprintf(key, sizeof key, "last4:%lld", (long long)st->id);
    int64_t until;
    if (tc_store_lock_check(c->app->store, key, now, &until, why) != 0)
        return -1;
    if (until) {
        char when[20];
        tc_time_fmt_cn(until, when);
        tc_err_set(why, TCE_ENTRY_LOCKED, when);
        return 1;
    }
    return 0;
}

static int entry_check(api_ctx *c, const tc_store_student *st, const char *method, const tc_http_part *last4)
{
    int64_t now = tc_now();
    int open = api_record_open(c, st, now, &c->e);
    if (open > 0)
        audit(c, method, st->batch_id, st->id, 0, c->e.code);
    if (open != 0)
        return -1;
    char key[64];
    snprintf(key, sizeof key, "last4:%lld", (long long)st->id);
    int64_t until;
    if (!last4)
        return 0;
    char *id = NULL;
    if (tc_ident_open(&c->app->keys, st->id_sealed, st->id_sealed_len, &id, &c->e) != 0)
        return -1;
    int match = tc_ident_idnum_last4_matches(id, last4->data);
    sodium_memzero(id, strlen(id));
    free(id);
    if (!match) {
        int fails;
        if (tc_store_lock_fail(c->app->store, key, now, c->app->limits.last4_window_s, c->app->limits.last4_max_fails,
                               c->app->limits.last4_lock_s, &fails, &until, &c->e) != 0)
            return -1;
        audit(c, method, st->batch_id, st->id, 0, "entry.last4_wrong");
        if (until)
            return set_locked(c, until, 1);
        int left = c->app->limits.last4_max_fails - fails;
        return tc_err_set(&c->e, TCE_ENTRY_LAST4_WRONG, left);
    }
    tc_store_lock_clear(c->app->store, key, NULL);
    return 0;
}

/* The last four ID characters from the form: NULL when absent; a part that
 * cannot be them is refused. */
static int entry_last4(api_ctx *c, tc_http_part *parts, size_t n, const tc_http_part **out)
{
    const tc_http_part *l4 = tc_http_form_get(parts, n, "id_last4");
    *out = NULL;
    if (!l4 || l4->len == 0)
        return 0;
    if (l4->len > 15)
        return tc_err_set(&c->e, TCE_ENTRY_LAST4_MISSING);
    *out = l4;
    return 0;
}

/* After a roster row is found and checked: an entry session (or, for a
 * signed-in person adding a record, the link straight away). */
static int entry_found(api_ctx *c, tc_store_student *st, const char *method)
{
    if (c->has_session && !strcmp(c->sess.kind, "student")) {
        /* 添加学历: the same person (same ID number) adds a record it has
         * just proved itself (code and last four, entry_check), even of
         * another school (a graduate school).  What is never done is the
         * silent join by ID number at confirmation: that is per school. */
        uint8_t ph[32];
        int64_t school;
        if (tc_store_person_get(c->app->store, c->sess.person_id, &school, ph, &c->e) != 0)
            return api_fail(c);
        if (!tc_ct_equal(ph, st->id_hash, 32)) {
            audit(c, "add_record", st->batch_id, st->id, 0, "entry.other_person");
            tc_err_set(&c->e, TCE_ENTRY_OTHER_PERSON);
            return api_fail(c);
        }
        tc_store_student me;
        if (tc_store_student_get(c->app->store, c->r->pool, c->sess.student_id, &me, &c->e) != 0)
            return api_fail(c);
        if (tc_store_student_verify(c->app->store, st->id, c->sess.person_id, me.phone, &c->e) != 0)
            return api_fail(c);
        audit(c, "add_record", st->batch_id, st->id, 1, NULL);
        tc_store_student_get(c->app->store, c->r->pool, st->id, st, NULL);
        return tc_http_respond_json(c->r, 200, json_pack("{s:s, s:o}", "step", "added", "student", api_student_json(c, st)));
    }
    if (session_start(c, "entry", 0, 0, st->id, 1800) != 0)
        return api_fail(c);
    /* the phone number is remembered: a record without one is prefilled with
     * the number this person (same school, same ID) confirmed last */
    if (!st->phone || !st->phone[0]) {
        char last[32];
        if (tc_store_person_last_phone(c->app->store, st->school_id, st->id_hash, last, sizeof last, &c->e) != 0)
            return api_fail(c);
        if (last[0])
            st->phone = tc_pool_strdup(c->r->pool, last);
    }
    audit(c, method, st->batch_id, st->id, 1, NULL);
    json_t *j = json_pack("{s:s, s:o, s:s, s:s}", "step", "confirm", "student", api_student_json(c, st), "warning_zh",
                          "请核实确认本人信息，使用他人信息进行采集的自行承担相应责任！", "warning_en",
                          "Please check and confirm your information. You bear all consequences if you collect "
                          "under someone else's information.");
    return tc_http_respond_json(c->r, 200, j);
}

/* A code the resolver refuses is answered as a code no row has. */
static void entry_unknown_code(api_ctx *c)
{
    tc_err_set(&c->e, TCE_ENTRY_UNKNOWN_CODE);
}

static int name_or_last4_wrong(api_ctx *c)
{
    return tc_err_set(&c->e, TCE_ENTRY_NAME_OR_LAST4);
}

/* Entry without a 采集码 (issue 19): the batch's rows with exactly this name
 * that carry no roster code (tc_store_students_by_name), of which the one
 * whose ID number ends in the typed last four.  A wrong name and a wrong
 * last four get the same answer (entry.name_or_last4): which one was wrong
 * is never told.  Every failure counts for the client address; a wrong last
 * four also counts toward the lock of each row with that name (as on the
 * code paths), and the same window, cancellation and lock rules apply
 * (entry_check). */
static int entry_by_name(api_ctx *c, const tc_store_batch *b, const tc_http_part *name, const tc_http_part *l4,
                         tc_store_student *out)
{
    enum { MAX_SAME_NAME = 16 };
    char nm[TC_ROSTER_MAX_CELL + 1];
    if (name->len >= sizeof nm) {
        audit(c, "name", b->id, 0, 0, "entry.name_or_last4");
        ip_failure(c);
        return name_or_last4_wrong(c);
    }
    snprintf(nm, sizeof nm, "%s", name->data);
    const char *want = tc_str_trim(nm);
    tc_store_student *rows;
    size_t n;
    if (tc_store_students_by_name(c->app->store, c->r->pool, b->id, want, MAX_SAME_NAME, &rows, &n, &c->e) != 0)
        return -1;
    size_t hits = 0, hit = 0;
    for (size_t i = 0; i < n; i++) {
        char *id = NULL;
        if (tc_ident_open(&c->app->keys, rows[i].id_sealed, rows[i].id_sealed_len, &id, &c->e) != 0)
            return -1;
        if (tc_ident_idnum_last4_matches(id, l4->data))
            hits++, hit = i;
        sodium_memzero(id, strlen(id));
        free(id);
    }
    if (hits == 1) {
        if (entry_check(c, &rows[hit], "name", NULL) != 0)
            return -1;
        char key[64];
        snprintf(key, sizeof key, "last4:%lld", (long long)rows[hit].id);
        tc_store_lock_clear(c->app->store, key, NULL);
        *out = rows[hit];
        return 0;
    }
    if (hits > 1) {
        audit(c, "name", b->id, 0, 0, "entry.name_ambiguous");
        return tc_err_set(&c->e, TCE_ENTRY_NAME_AMBIGUOUS);
    }
    /* wrong: each row with this name counts a failure toward its lock */
    int64_t now = tc_now(), locked = 0;
    for (size_t i = 0; i < n; i++) {
        char key[64];
        int fails;
        int64_t until = 0;
        snprintf(key, sizeof key, "last4:%lld", (long long)rows[i].id);
        tc_store_lock_fail(c->app->store, key, now, c->app->limits.last4_window_s, c->app->limits.last4_max_fails,
                           c->app->limits.last4_lock_s, &fails, &until, NULL);
        if (until > locked)
            locked = until;
    }
    audit(c, "name", b->id, n == 1 ? rows[0].id : 0, 0, "entry.name_or_last4");
    ip_failure(c);
    if (locked)
        return set_locked(c, locked, 0);
    return name_or_last4_wrong(c);
}

/* (a) the 采集码 QR, then the last four ID characters (seed 003: collectors
 * ask them once the code is recognised).  Without id_last4 the answer is
 * step "last4" and no session: the page asks, then sends the same picture
 * (or text) again with them. */
static int h_entry_qr(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    entry_req q;
    if (entry_begin(&c, &q) != 0)
        return 0;
    if (entry_code_key(&c, &q) != 0) {
        /* a picture with no readable code costs decoding: it counts; a text
         * that cannot be a code is an unknown code */
        if (!strcmp(c.e.code, "chsi.bad_code"))
            entry_unknown_code(&c);
        audit(&c, "qr", 0, 0, 0, c.e.code);
        ip_failure(&c);
        return api_fail(&c);
    }
    const tc_http_part *l4 = NULL;
    tc_store_student st = {0};
    int rc = -1;
    if (entry_last4(&c, q.parts, q.n, &l4) != 0)
        goto out;
    if (tc_store_student_by_chsi(c.app->store, r->pool, 0, q.h, &st, &c.e) != 0) {
        audit(&c, "qr", 0, 0, 0, c.e.code);
        ip_failure(&c);
        goto out;
    }
    if (entry_check(&c, &st, "qr", l4) != 0)
        goto out;
    if (l4)
        entry_seal_code(&c, &st, q.h, q.sealed, q.slen);
    rc = 0;
out:
    free(q.sealed);
    if (rc != 0)
        return api_fail(&c);
    if (!l4)
        return tc_http_respond_json(r, 200, json_pack("{s:s}", "step", "last4"));
    return entry_found(&c, &st, "qr");
}

/* (b) batch 特征码 + last 4 of the ID number + the 采集码 (seed 004). */
static int h_entry_code(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    entry_req q;
    if (entry_begin(&c, &q) != 0)
        return 0;
    const tc_http_part *fc = tc_http_form_get(q.parts, q.n, "feature_code");
    char bcode[16] = "";
    if (fc && fc->len < sizeof bcode)
        snprintf(bcode, sizeof bcode, "%s", fc->data);
    trim_in_place(bcode);
    for (char *p = bcode; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (strlen(bcode) != 6) {
        tc_err_set(&c.e, TCE_ENTRY_BAD_FEATURE_CODE);
        audit(&c, "code", 0, 0, 0, c.e.code);
        return api_fail(&c);
    }
    const tc_http_part *l4;
    if (entry_last4(&c, q.parts, q.n, &l4) != 0)
        return api_fail(&c);
    if (!l4) {
        tc_err_set(&c.e, TCE_ENTRY_LAST4_MISSING);
        return api_fail(&c);
    }
    tc_store_batch b;
    if (tc_store_batch_by_code(c.app->store, r->pool, bcode, &b, &c.e) != 0) {
        audit(&c, "code", 0, 0, 0, c.e.code);
        ip_failure(&c);
        return api_fail(&c);
    }
    const tc_http_part *img = tc_http_form_get(q.parts, q.n, "qr"), *txt = tc_http_form_get(q.parts, q.n, "chsi_code"),
                       *name = tc_http_form_get(q.parts, q.n, "name");
    if ((!img || !img->len) && (!txt || !txt->len) && name && name->len) {
        /* no 采集码: the roster row by (batch, name), proved by the last four */
        tc_store_student st;
        if (entry_by_name(&c, &b, name, l4, &st) != 0)
            return api_fail(&c);
        return entry_found(&c, &st, "name");
    }
    if (entry_code_key(&c, &q) != 0) {
        if (!strcmp(c.e.code, "chsi.bad_code"))
            entry_unknown_code(&c);
        audit(&c, "code", b.id, 0, 0, c.e.code);
        if (strcmp(c.e.code, "entry.code_missing") != 0)
            ip_failure(&c);
        return api_fail(&c);
    }
    tc_store_student st;
    if (tc_store_student_by_chsi(c.app->store, r->pool, b.id, q.h, &st, &c.e) != 0) {
        free(q.sealed);
        audit(&c, "code", b.id, 0, 0, c.e.code);
        ip_failure(&c);
        return api_fail(&c);
    }
    if (entry_check(&c, &st, "code", l4) != 0) {
        free(q.sealed);
        return api_fail(&c);
    }
    entry_seal_code(&c, &st, q.h, q.sealed, q.slen);
    free(q.sealed);
    return entry_found(&c, &st, "code");
}

/* The information check is confirmed, with the phone number. */
static int h_entry_confirm(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *phone = api_jstr(j, "phone");
    char ph[32] = "";
    if (phone && strlen(phone) < sizeof ph)
        snprintf(ph, sizeof ph, "%s", phone);
    trim_in_place(ph);
    if (tc_ident_phone_validate(ph, &c.e) != 0)
        return api_fail(&c);
    tc_store_student st;
    if (tc_store_student_get(c.app->store, r->pool, c.sess.student_id, &st, &c.e) != 0)
        return api_fail(&c);
    int64_t person;
    if (tc_store_person_upsert(c.app->store, st.school_id, st.id_hash, ph, &person, &c.e) != 0 ||
        tc_store_student_verify(c.app->store, st.id, person, ph, &c.e) != 0)
        return api_fail(&c);
    audit(&c, "confirm", st.batch_id, st.id, 1, NULL);
    if (session_start(&c, "student", 0, person, st.id, c.app->session_ttl_s) != 0)
        return api_fail(&c);
    tc_store_student_get(c.app->store, r->pool, st.id, &st, NULL);
    return tc_http_respond_json(r, 200, json_pack("{s:s, s:o}", "step", "done", "student", api_student_json(&c, &st)));
}

/* POST /api/v1/me/chsi: the signed-in student's current record gets its
 * 采集码 ("qr" picture or "chsi_code" text, read as at entry).  One code per
 * row (a row that has one refuses: chsi.already_bound) and one row per code
 * in the whole system (chsi.taken); both audited, as is the binding
 * (staff_audit student.chsi_bound / student.chsi_refused, the attempt in the
 * record's entry log).  A refusal counts for the client address. */
static int h_me_chsi(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    entry_req q;
    if (entry_begin(&c, &q) != 0)
        return 0;
    tc_store_student st;
    if (tc_store_student_get(c.app->store, r->pool, c.sess.student_id, &st, &c.e) != 0)
        return api_fail(&c);
    char target[40];
    snprintf(target, sizeof target, "student:%lld", (long long)st.id);
    int rc = entry_code_key(&c, &q);
    if (rc == 0)
        rc = tc_store_student_bind_chsi(c.app->store, st.id, q.h, q.sealed, q.slen, tc_now(), &c.e);
    free(q.sealed);
    if (rc != 0) {
        audit(&c, "bind", st.batch_id, st.id, 0, c.e.code);
        if (strcmp(c.e.code, "entry.code_missing") != 0) {
            char *after = tc_pool_printf(r->pool, "{\"reason\":\"%s\",\"via\":\"%s\"}", c.e.code, q.via);
            tc_store_audit_staff(c.app->store, 0, "student.chsi_refused", target, NULL, after, r->client_ip, NULL);
            ip_failure(&c);
        }
        return api_fail(&c);
    }
    audit(&c, "bind", st.batch_id, st.id, 1, NULL);
    tc_store_audit_staff(c.app->store, 0, "student.chsi_bound", target, NULL,
                         tc_pool_printf(r->pool, "{\"via\":\"%s\"}", q.via), r->client_ip, NULL);
    tc_store_student_get(c.app->store, r->pool, st.id, &st, NULL);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "student", api_student_json(&c, &st)));
}

static int h_me(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *arr = api_records_json(&c, 0);
    if (!arr)
        return api_fail(&c);
    return tc_http_respond_json(r, 200,
                                json_pack("{s:I, s:I, s:o}", "person_id", (json_int_t)c.sess.person_id,
                                          "current_record", (json_int_t)c.sess.student_id, "records", arr));
}

static int h_me_record(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_student st;
    if (tc_store_student_get(c.app->store, r->pool, c.id, &st, &c.e) != 0)
        return api_fail(&c);
    if (!api_record_visible(&c, st.id)) {
        tc_err_set(&c.e, TCE_AUTH_NOT_YOURS);
        return api_fail(&c);
    }
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "student", api_student_json(&c, &st)));
}

/* ---- staff: sign-in, password ------------------------------------------------------ */

static json_t *staff_json(const tc_store_staff *s)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:b, s:b}", "id", (json_int_t)s->id, "username", s->username, "role", s->role,
                     "school_id", (json_int_t)s->school_id, "must_change_password", s->must_change_password,
                     "disabled", s->disabled);
}

static int login_throttled(api_ctx *c, int64_t until)
{
    char when[20];
    tc_time_fmt_cn(until, when);
    int64_t wait = until - tc_now();
    tc_http_add_header(c->r, "Retry-After", tc_pool_printf(c->r->pool, "%lld", (long long)(wait > 0 ? wait : 1)));
    tc_err_set(&c->e, TCE_AUTH_THROTTLED, when);
    return api_fail(c);
}

static int h_staff_login(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *user = api_jstr(j, "username"), *pw = api_jstr(j, "password");
    if (!user || !pw || strlen(user) > 64 || strlen(pw) > 256) {
        tc_err_set(&c.e, TCE_AUTH_BAD_REQUEST);
        return api_fail(&c);
    }
    /* Throttled per client address (any names: stops spraying) and per
     * (account, address) (stops guessing one password), each with growing
     * delays, both checked before the argon2 work.  Never per account alone:
     * the right password from an address that is not throttled gets in, so
     * nobody can lock the platform admin out.  Unknown names make no rows
     * of their own; they count toward the address. */
    const tc_api_entry_limits *lim = &c.app->limits;
    char ipkey[96], acctkey[128];
    snprintf(ipkey, sizeof ipkey, "login-ip:%s", r->client_ip);
    int64_t until = 0, now = tc_now();
    if (tc_store_lock_check(c.app->store, ipkey, now, &until, &c.e) != 0)
        return api_fail(&c);
    tc_store_staff st;
    tc_err e2;
    int found = tc_store_staff_by_username(c.app->store, r->pool, user, &st, &e2) == 0;
    if (!until && found) {
        snprintf(acctkey, sizeof acctkey, "login-acct:%lld:%s", (long long)st.id, r->client_ip);
        if (tc_store_lock_check(c.app->store, acctkey, now, &until, &c.e) != 0)
            return api_fail(&c);
    }
    if (until)
        return login_throttled(&c, until);
    /* Verify against a real hash of nothing when the user is unknown, so the
     * time taken does not tell which user names exist. */
    int ok = tc_ident_password_verify(found ? st.pwhash : c.app->dummy_pwhash, pw) && found && !st.disabled;
    if (!ok) {
        int64_t u1 = 0, u2 = 0;
        tc_store_throttle_fail(c.app->store, ipkey, now, lim->login_window_s, lim->login_ip_free, lim->login_base_s,
                               lim->login_max_s, &u1, NULL);
        if (found)
            tc_store_throttle_fail(c.app->store, acctkey, now, lim->login_window_s, lim->login_acct_free,
                                   lim->login_base_s, lim->login_max_s, &u2, NULL);
        tc_store_audit_staff(c.app->store, found ? st.id : 0, "login_failed", user, NULL, NULL, r->client_ip, NULL);
        tc_err_set(&c.e, TCE_AUTH_BAD_CREDENTIALS);
        return api_fail(&c);
    }
    tc_store_lock_clear(c.app->store, acctkey, NULL);
    if (session_start(&c, "staff", st.id, 0, 0, 12 * 3600) != 0)
        return api_fail(&c);
    tc_store_audit_staff(c.app->store, st.id, "login", user, NULL, NULL, r->client_ip, NULL);
    return tc_http_respond_json(r, 200, json_pack("{s:o, s:s}", "staff", staff_json(&st), "csrf", c.sess.csrf));
}

static int h_staff_me(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "staff", staff_json(&c.staff)));
}

static int h_staff_password(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *old = api_jstr(j, "old_password"), *nw = api_jstr(j, "new_password");
    if (!old || !nw || !tc_ident_password_verify(c.staff.pwhash, old)) {
        tc_err_set(&c.e, TCE_AUTH_BAD_OLD_PASSWORD);
        return api_fail(&c);
    }
    if (!strcmp(old, nw)) {
        tc_err_set(&c.e, TCE_PASSWORD_SAME);
        return api_fail(&c);
    }
    char h[TC_IDENT_PWHASH_LEN];
    if (tc_ident_password_policy(nw, &c.e) != 0 || tc_ident_password_hash(nw, h, &c.e) != 0 ||
        tc_store_staff_set_password(c.app->store, c.staff.id, h, 0, &c.e) != 0)
        return api_fail(&c);
    /* Other sessions of this account end: a changed password locks out
     * whoever else had it. */
    tc_store_session_delete_staff(c.app->store, c.staff.id, c.sess.token_hash, NULL);
    tc_store_audit_staff(c.app->store, c.staff.id, "password_change", c.staff.username, NULL, NULL, r->client_ip, NULL);
    c.staff.must_change_password = 0;
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "staff", staff_json(&c.staff)));
}

static int h_staff_create(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *user = api_jstr(j, "username"), *role = api_jstr(j, "role"), *pw = api_jstr(j, "password");
    json_int_t school = json_integer_value(json_object_get(j, "school_id"));
    if (!user || !role || !pw || strlen(user) < 3 || strlen(user) > 64) {
        tc_err_set(&c.e, TCE_STAFF_BAD_REQUEST);
        return api_fail(&c);
    }
    char h[TC_IDENT_PWHASH_LEN];
    if (tc_ident_password_policy(pw, &c.e) != 0 || tc_ident_password_hash(pw, h, &c.e) != 0)
        return api_fail(&c);
    tc_store_staff st = {.username = user, .pwhash = h, .role = role, .school_id = school, .must_change_password = 1};
    int64_t id;
    if (tc_store_staff_create(c.app->store, &st, &id, &c.e) != 0)
        return api_fail(&c);
    st.id = id;
    json_t *aj = json_pack("{s:s, s:s, s:I}", "username", user, "role", role, "school_id", school);
    char *after = json_dumps(aj, JSON_COMPACT);
    json_decref(aj);
    tc_store_audit_staff(c.app->store, c.staff.id, "staff_create", user, NULL, after, r->client_ip, NULL);
    free(after);
    return tc_http_respond_json(r, 201, json_pack("{s:o}", "staff", staff_json(&st)));
}

static int h_staff_list(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_staff *rows;
    size_t n;
    if (tc_store_staff_list(c.app->store, r->pool, &rows, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, staff_json(&rows[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "staff", arr));
}

/* ---- schools and batches -------------------------------------------------------------- */

static int h_schools(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_school *rows;
    size_t n;
    if (tc_store_school_list(c.app->store, r->pool, &rows, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c.staff.role, "platform_admin") || rows[i].id == c.staff.school_id)
            json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)rows[i].id, "name", rows[i].name));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "schools", arr));
}

static int h_school_create(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *name = api_jstr(j, "name");
    if (!name || !*name || strlen(name) > 200) {
        tc_err_set(&c.e, TCE_SCHOOL_BAD_NAME);
        return api_fail(&c);
    }
    int64_t id;
    if (tc_store_school_create(c.app->store, name, &id, &c.e) != 0)
        return api_fail(&c);
    tc_store_audit_staff(c.app->store, c.staff.id, "school_create", name, NULL, NULL, r->client_ip, NULL);
    return tc_http_respond_json(r, 201, json_pack("{s:{s:I, s:s}}", "school", "id", (json_int_t)id, "name", name));
}

static int h_batches(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    tc_store_batch *rows;
    size_t n;
    if (tc_store_batch_list(c.app->store, r->pool, c.school_id, &rows, &n, &c.e) != 0)
        return api_fail(&c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, api_batch_json(&rows[i]));
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "batches", arr));
}

static int h_batch_create(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    json_t *j = c.body;
    const char *name = api_jstr(j, "name");
    json_t *settings = json_object_get(j, "settings");
    if (!name || !*name || strlen(name) > 200 || (settings && !json_is_object(settings))) {
        tc_err_set(&c.e, TCE_BATCH_BAD_REQUEST);
        return api_fail(&c);
    }
    tc_store_batch b = {.school_id = c.school_id,
                  .name = name,
                  .starts_at = json_integer_value(json_object_get(j, "starts_at")),
                  .ends_at = json_integer_value(json_object_get(j, "ends_at"))};
    char *st = settings ? json_dumps(settings, JSON_COMPACT) : NULL;
    b.settings = st;
    /* the journey enforces these settings: refuse a bad one now, not when a
     * student meets it */
    tc_journey_settings check;
    tc_journey_settings_default(&check);
    if (tc_journey_settings_apply(&check, st, &c.e) != 0) {
        free(st);
        return api_fail(&c);
    }
    /* and a spec the photo workers cannot make (spec.unknown) */
    tc_spec_table own = {0};
    const tc_spec *sp = api_spec_find(c.app, &own, check.spec, &c.e);
    tc_spec_table_free(&own);
    if (!sp) {
        free(st);
        return api_fail(&c);
    }
    int rc = -1;
    for (int tries = 0; tries < 8 && rc != 0; tries++) {
        tc_api_batch_code(b.code);
        rc = tc_store_batch_create(c.app->store, &b, &c.e);
        if (rc != 0 && strcmp(c.e.code, "batch.code_taken") != 0)
            break;
    }
    free(st);
    if (rc != 0)
        return api_fail(&c);
    tc_store_audit_staff(c.app->store, c.staff.id, "batch_create", b.code, NULL, name, r->client_ip, NULL);
    tc_store_batch out;
    if (tc_store_batch_get(c.app->store, r->pool, b.id, &out, &c.e) != 0)
        return api_fail(&c);
    return tc_http_respond_json(r, 201, json_pack("{s:o}", "batch", api_batch_json(&out)));
}

static int h_student_get(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    return tc_http_respond_json(r, 200, json_pack("{s:o}", "student", api_student_json(&c, &c.student)));
}

/* How many verification attempts the audit log holds for a student. */
static int h_student_attempts(tc_http_req *r)
{
    api_ctx c = api_ctx_of(r);
    int64_t n = tc_store_audit_verify_count(c.app->store, c.student.id, &c.e);
    if (n < 0)
        return api_fail(&c);
    return tc_http_respond_json(
        r, 200, json_pack("{s:I, s:I}", "student_id", (json_int_t)c.student.id, "attempts", (json_int_t)n));
}

/* ---- roster import (shared by API and CLI) -------------------------------------------------- */

int tc_api_roster_files_purge(tc_api_app *app, tc_err *e)
{
    tc_pool p;
    tc_pool_init(&p);
    const char **ids;
    size_t n;
    int removed = 0;
    if (tc_store_audit_roster_files(app->store, &p, &ids, &n, e) != 0) {
        tc_pool_clear(&p);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (tc_blob_exists(app->blobs, ids[i]) && tc_blob_remove(app->blobs, ids[i], NULL) == 0)
            removed++;
    tc_pool_clear(&p);
    if (removed)
        tc_log(TC_LOG_INFO, "removed %d roster file(s) kept in clear by earlier versions", removed);
    return removed;
}

int tc_api_roster_import(tc_api_app *app, int64_t batch_id, const char *data, size_t len, int dry_run, json_t **report,
                         json_t **summary, tc_err *e)
{
    return tc_api_roster_import_mode(app, batch_id, data, len, dry_run ? TC_API_ROSTER_DRY : TC_API_ROSTER_ALL, 0,
                                     report, summary, e);
}

/* A database refusal (tc_store_roster_skip.code) as a row error. */
static json_t *skip_issue(const char *code, int line, int en)
{
    (void)en;
    if (!strcmp(code, "roster.chsi_taken"))
        return json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", line, "field", "chsi_code", "code", code, "zh",
                         "该图像采集码已属于另一条学生记录（本批次、其他批次或其他学校），一个采集码只能对应一名学生", "en",
                         "This CHSI code already belongs to another student record (in this batch, another batch or "
                         "another school); a code belongs to one student only");
    return json_pack("{s:i, s:s, s:s, s:s, s:s}", "row", line, "field", "id_number", "code", code, "zh",
                     "证件号码已属于本批次的另一名学生", "en",
                     "The ID number already belongs to another student of this batch");
}

int tc_api_roster_import_mode(tc_api_app *app, int64_t batch_id, const char *data, size_t len, int mode, int en,
                              json_t **report, json_t **summary, tc_err *e)
{
    if (report)
        *report = NULL;
    *summary = NULL;
    tc_roster ro;
    if (tc_roster_parse(data, len, &ro, e) != 0)
        return -1;
    tc_roster_report rep;
    int rc = -1;
    tc_store_student *rows = NULL;
    size_t *idx = NULL;     /* rows[k] is ro.rows[idx[k]] */
    unsigned char *bad = NULL; /* per ro row: has an error */
    tc_store_roster_skip *skips = NULL;
    size_t nrows = 0, nskips = 0;
    int invalid = tc_roster_validate(&ro, &rep) != 0;
    bad = calloc(ro.nrows ? ro.nrows : 1, 1);
    idx = calloc(ro.nrows ? ro.nrows : 1, sizeof *idx);
    skips = calloc(ro.nrows ? ro.nrows : 1, sizeof *skips);
    rows = calloc(ro.nrows ? ro.nrows : 1, sizeof *rows);
    if (!bad || !idx || !skips || !rows)
        abort();
    /* errors are sorted by row line, as are the rows */
    for (size_t i = 0, k = 0; i < ro.nrows && k < rep.nerrors; i++) {
        while (k < rep.nerrors && rep.errors[k].row < ro.rows[i].line)
            k++;
        if (k < rep.nerrors && rep.errors[k].row == ro.rows[i].line)
            bad[i] = 1;
    }
    int good_only = mode == TC_API_ROSTER_GOOD || mode == TC_API_ROSTER_REJECTS;
    if (invalid && (!good_only || (mode == TC_API_ROSTER_GOOD && rep.nbad_rows >= ro.nrows))) {
        if (report)
            *report = tc_roster_report_json(&rep);
        tc_err_set(e, TCE_ROSTER_INVALID, rep.nbad_rows);
        goto out;
    }
    for (size_t i = 0; i < ro.nrows; i++) {
        if (bad[i])
            continue;
        const tc_roster_row *src = &ro.rows[i];
        tc_store_student *st = &rows[nrows];
        idx[nrows++] = i;
        char id[64];
        snprintf(id, sizeof id, "%s", src->f[TC_ROSTER_ID_NUMBER]);
        tc_ident_idnum_normalize(id);
        uint8_t *sealed;
        size_t slen;
        if (tc_ident_seal(&app->keys, id, &sealed, &slen, e) != 0)
            goto out;
        st->id_sealed = sealed;
        st->id_sealed_len = slen;
        tc_ident_hash(&app->keys, "id", id, st->id_hash);
        if (*src->f[TC_ROSTER_CHSI_CODE]) {
            /* through the resolver, as at entry; sealed for the upload list */
            char code[TC_CHSI_MAX + 1];
            if (tc_chsi_canon(app->chsi, src->f[TC_ROSTER_CHSI_CODE], code, e) != 0) {
                sodium_memzero(id, sizeof id);
                tc_err_set(e, TCE_ROSTER_BAD_CODE, src->line,
                           TC_CHSI_MIN, TC_CHSI_MAX);
                if (report) {
                    json_t *errs = json_pack("[{s:i, s:s, s:s, s:s, s:s}]", "row", src->line, "field", "chsi_code",
                                             "code", "roster.bad_code", "zh", e->zh, "en", e->en);
                    *report = json_pack("{s:I, s:I, s:b, s:o, s:[]}", "rows", (json_int_t)ro.nrows, "bad_rows",
                                        (json_int_t)1, "ok", 0, "errors", errs, "warnings");
                }
                goto out;
            }
            tc_chsi_key(&app->keys, code, st->chsi_hash);
            uint8_t *cs;
            size_t cl;
            int sr = tc_ident_seal(&app->keys, code, &cs, &cl, e);
            sodium_memzero(code, sizeof code);
            if (sr != 0) {
                sodium_memzero(id, sizeof id);
                goto out;
            }
            st->chsi_sealed = cs;
            st->chsi_sealed_len = cl;
        }
        /* else all zero: no code yet (a row the batch has keeps its own) */
        st->name = src->f[TC_ROSTER_NAME];
        st->student_no = src->f[TC_ROSTER_STUDENT_NO];
        st->level = src->f[TC_ROSTER_LEVEL];
        st->programme = src->f[TC_ROSTER_MAJOR];
        st->department = src->f[TC_ROSTER_DEPARTMENT];
        st->class_name = src->f[TC_ROSTER_CLASS];
        st->phone = src->f[TC_ROSTER_PHONE];
        sodium_memzero(id, sizeof id);
    }
    if (mode == TC_API_ROSTER_DRY) {
        json_t *preview = json_array();
        for (size_t i = 0; i < nrows && i < 20; i++) {
            json_array_append_new(preview, json_pack("{s:I, s:s, s:s, s:s}", "row", (json_int_t)ro.rows[idx[i]].line,
                                                     "name", rows[i].name, "student_no", rows[i].student_no,
                                                     "class_name", rows[i].class_name));
        }
        *summary = json_pack("{s:b, s:I, s:o, s:o}", "dry_run", 1, "rows", (json_int_t)nrows, "preview", preview,
                             "report", tc_roster_report_json(&rep));
        rc = 0;
        goto out;
    }
    size_t badrow, ins, upd;
    int flags = mode == TC_API_ROSTER_ALL ? 0
                : mode == TC_API_ROSTER_GOOD ? TC_STORE_ROSTER_SKIP
                                             : TC_STORE_ROSTER_SKIP | TC_STORE_ROSTER_ROLLBACK;
    if (tc_store_roster_import_ex(app->store, batch_id, rows, nrows, flags, skips, &nskips, &badrow, &ins, &upd, e) !=
        0) {
        if (badrow != (size_t)-1 && report) {
            /* the store counts the rows it was given; the school reads the
             * file's row numbers, and which column is at fault */
            int line = ro.rows[idx[badrow]].line;
            json_t *x = skip_issue(e->code, line, en);
            char code[64];
            snprintf(code, sizeof code, "%s", e->code);
            tc_err_set(e, 409, code, "第 %d 行：%s%.0s", "Row %d: %.0s%s", line,
                       json_string_value(json_object_get(x, "zh")), json_string_value(json_object_get(x, "en")));
            json_object_set_new(x, "zh", json_string(e->zh));
            json_object_set_new(x, "en", json_string(e->en));
            json_t *errs = json_array();
            json_array_append_new(errs, x);
            *report = json_pack("{s:I, s:I, s:b, s:o, s:[]}", "rows", (json_int_t)nrows, "bad_rows", (json_int_t)1,
                                "ok", 0, "errors", errs, "warnings");
        }
        goto out;
    }
    json_t *rj = tc_roster_report_json(&rep);
    json_t *errs = json_object_get(rj, "errors");
    for (size_t k = 0; k < nskips; k++) {
        size_t i = idx[skips[k].row];
        bad[i] = 1;
        json_array_append_new(errs, skip_issue(skips[k].code, ro.rows[i].line, en));
    }
    size_t nbad = 0;
    for (size_t i = 0; i < ro.nrows; i++)
        nbad += bad[i];
    json_object_set_new(rj, "bad_rows", json_integer((json_int_t)nbad));
    json_object_set_new(rj, "ok", json_boolean(nbad == 0));
    if (mode == TC_API_ROSTER_GOOD) {
        *summary = json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:o}", "dry_run", 0, "good_only", 1, "rows",
                             (json_int_t)ro.nrows, "inserted", (json_int_t)ins, "updated", (json_int_t)upd, "skipped",
                             (json_int_t)nbad, "report", rj);
        rc = 0;
        goto out;
    }
    if (mode == TC_API_ROSTER_REJECTS) {
        /* the bad rows with the template's headers and their errors */
        tc_buf b;
        tc_buf_init(&b);
        tc_buf_puts(&b, "\xef\xbb\xbf");
        for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
            tc_export_csv_cell(&b, en ? tc_roster_field_key(f) : tc_roster_field_zh(f), 0);
        tc_export_csv_cell(&b, en ? "error" : "错误原因", 1);
        size_t ne = json_array_size(errs);
        for (size_t i = 0; i < ro.nrows; i++) {
            if (!bad[i])
                continue;
            for (int f = 0; f < TC_ROSTER_NFIELDS; f++)
                tc_export_csv_cell(&b, ro.rows[i].f[f], 0);
            tc_buf why;
            tc_buf_init(&why);
            for (size_t k = 0; k < ne; k++) {
                json_t *x = json_array_get(errs, k);
                if (json_integer_value(json_object_get(x, "row")) != ro.rows[i].line)
                    continue;
                if (why.len)
                    tc_buf_puts(&why, en ? "; " : "；");
                tc_buf_puts(&why, json_string_value(json_object_get(x, en ? "en" : "zh")));
            }
            tc_export_csv_cell(&b, why.len ? why.data : "", 1);
            tc_buf_free(&why);
        }
        *summary = json_pack("{s:I, s:s%}", "bad_rows", (json_int_t)nbad, "csv", b.data, b.len);
        sodium_memzero(b.data, b.len);
        tc_buf_free(&b);
        json_decref(rj);
        rc = 0;
        goto out;
    }
    json_decref(rj);
    *summary = json_pack("{s:b, s:I, s:I, s:I, s:o}", "dry_run", 0, "rows", (json_int_t)nrows, "inserted",
                         (json_int_t)ins, "updated", (json_int_t)upd, "report", tc_roster_report_json(&rep));
    rc = 0;
out:
    for (size_t i = 0; rows && i < nrows; i++) {
        free((void *)rows[i].id_sealed);
        free((void *)rows[i].chsi_sealed);
    }
    free(rows);
    free(idx);
    free(bad);
    free(skips);
    tc_roster_report_free(&rep);
    tc_roster_free(&ro);
    return rc;
}

/* ---- routes ---------------------------------------------------------------------------------------- */

int tc_api_register(tc_http_server *s, tc_api_app *app, tc_err *e)
{
    size_t up = (size_t)(app->cfg ? app->cfg->upload_max_mb : 20) * 1024 * 1024 + 64 * 1024;
    static const api_route R[] = {
        {"GET", "/healthz", API_PUBLIC, h_healthz, 0},
        {"GET", "/console", API_PUBLIC, h_console_redirect, 0},
        {"GET", "/api/v1/csrf", API_PUBLIC, h_csrf, 0},
        {"POST", "/api/v1/logout", NEED_NONE, h_logout, 0},
        {"POST", "/api/v1/entry/qr", NEED_NONE, h_entry_qr, API_UPLOAD},
        {"POST", "/api/v1/entry/code", NEED_NONE, h_entry_code, API_UPLOAD},
        {"POST", "/api/v1/entry/confirm", NEED_ENTRY, h_entry_confirm, API_JSON},
        {"GET", "/api/v1/me", NEED_STUDENT, h_me, 0},
        {"POST", "/api/v1/me/chsi", NEED_STUDENT, h_me_chsi, API_UPLOAD},
        {"GET", "/api/v1/me/records/:id", NEED_STUDENT, h_me_record, 0},
        {"POST", "/api/v1/staff/login", NEED_NONE, h_staff_login, API_JSON},
        {"GET", "/api/v1/staff/me", NEED_STAFF_ANY, h_staff_me, 0},
        {"POST", "/api/v1/staff/password", NEED_STAFF_ANY, h_staff_password, API_JSON},
        {"GET", "/api/v1/staff/accounts", NEED_PLATFORM, h_staff_list, 0},
        {"POST", "/api/v1/staff/accounts", NEED_PLATFORM, h_staff_create, API_JSON},
        {"GET", "/api/v1/schools", NEED_SCHOOL_STAFF, h_schools, 0},
        {"POST", "/api/v1/schools", NEED_PLATFORM, h_school_create, API_JSON},
        {"GET", "/api/v1/schools/:id/batches", NEED_SCHOOL_STAFF, h_batches, 0},
        {"POST", "/api/v1/schools/:id/batches", NEED_SCHOOL_STAFF, h_batch_create, API_JSON},
        {"GET", "/api/v1/students/:id", NEED_SCHOOL_STAFF, h_student_get, 0},
        {"GET", "/api/v1/students/:id/attempts", NEED_SCHOOL_STAFF, h_student_attempts, 0},
    };
    if (api_routes_add(s, R, TC_ARRAY_LEN(R), up, e) != 0)
        return -1;
    if (api_journey_routes(s, up, e) != 0 || api_school_routes(s, up, e) != 0 ||
        api_review_routes(s, up, e) != 0 ||
        api_admin_routes(s, up, e) != 0 || api_money_routes(s, up, e) != 0 ||
        api_notify_routes(s, up, e) != 0 || api_records_routes(s, up, e) != 0)
        return -1;
    if (app->cfg) {
        char path[4096];
        snprintf(path, sizeof path, "%s/weui/dist/style", app->cfg->vendor_dir);
        if (tc_http_mount(s, "/vendor/weui/", path, 86400, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/console", app->cfg->web_dir);
        if (tc_http_mount(s, "/console/", path, 0, e) != 0)
            return -1;
        /* the sandbox payment provider's page: /pay/sandbox/<order> */
        snprintf(path, sizeof path, "%s/pay", app->cfg->web_dir);
        if (tc_http_mount(s, "/pay/", path, 0, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/pay/sandbox.html", app->cfg->web_dir);
        if (tc_http_fallback(s, "/pay/sandbox/", path, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/common", app->cfg->web_dir);
        if (tc_http_mount(s, "/common/", path, 0, e) != 0)
            return -1;
        /* the camera's live guide (issue 19 item 8): MediaPipe's face
         * detector, from npm, runs in a frame of its own whose policy allows
         * what it needs (WebAssembly, and embind's generated functions) and
         * no other page does; without the package the camera has no hints */
        snprintf(path, sizeof path, "%s/@mediapipe/face_detection", app->cfg->vendor_dir);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && tc_http_mount(s, "/vendor/mediapipe/", path, 86400, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/student/guide", app->cfg->web_dir);
        if (tc_http_mount_framed(s, "/guide/", path, 0, GUIDE_CSP, e) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/student", app->cfg->web_dir);
        if (tc_http_mount(s, "/", path, 0, e) != 0)
            return -1;
    }
    return 0;
}
