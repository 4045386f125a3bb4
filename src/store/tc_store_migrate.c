/* tc_store — the schema: the migration table and its runner.  The one place
 * that knows which schema version a database has and how to bring it to the
 * newest.  A second backend (PostgreSQL, issue 18) brings its own table of
 * the same versions and the same runner shape; see docs/ARCHITECTURE.md,
 * "The store". */
#include <stdio.h>

#include "store_int.h"

/* ---- migrations ---------------------------------------------------------------
 * Versioned, append-only: migration N brings the schema from N-1 to N and is
 * never edited once released; PRAGMA user_version records the newest applied.
 * Each runs in its own transaction with the version bump, so a crash leaves
 * the database at a whole version. */
static const char *const MIGRATIONS[] = {
    /* 1: identity */
    "CREATE TABLE school ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"
    "CREATE TABLE batch ("
    "  id INTEGER PRIMARY KEY, school_id INTEGER NOT NULL REFERENCES school(id),"
    "  name TEXT NOT NULL, code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),"
    "  starts_at INTEGER NOT NULL DEFAULT 0, ends_at INTEGER NOT NULL DEFAULT 0,"
    "  settings TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL);"
    "CREATE INDEX batch_school ON batch(school_id);"
    "CREATE TABLE person ("
    "  id INTEGER PRIMARY KEY, id_hash BLOB NOT NULL UNIQUE, phone TEXT, created_at INTEGER NOT NULL);"
    "CREATE TABLE student ("
    "  id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(id),"
    "  school_id INTEGER NOT NULL REFERENCES school(id),"
    "  name TEXT NOT NULL, student_no TEXT NOT NULL,"
    "  id_sealed BLOB NOT NULL, id_hash BLOB NOT NULL, chsi_hash BLOB NOT NULL,"
    "  level TEXT NOT NULL DEFAULT '', programme TEXT NOT NULL DEFAULT '',"
    "  department TEXT NOT NULL DEFAULT '', class_name TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '', person_id INTEGER REFERENCES person(id),"
    "  verified_at INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'not_started',"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (batch_id, student_no), UNIQUE (batch_id, id_hash), UNIQUE (batch_id, chsi_hash));"
    "CREATE INDEX student_chsi ON student(chsi_hash);"
    "CREATE INDEX student_person ON student(person_id);"
    "CREATE INDEX student_school ON student(school_id);"
    "CREATE TABLE staff ("
    "  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, pwhash TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('platform_admin','reviewer','school_admin')),"
    "  school_id INTEGER REFERENCES school(id),"
    "  must_change_password INTEGER NOT NULL DEFAULT 1, disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((role = 'school_admin') = (school_id IS NOT NULL)));"
    "CREATE TABLE session ("
    "  token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('staff','student','entry')),"
    "  staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,"
    "  person_id INTEGER REFERENCES person(id) ON DELETE CASCADE,"
    "  student_id INTEGER REFERENCES student(id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
    "CREATE INDEX session_expiry ON session(expires_at);"
    "CREATE TABLE verify_audit ("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, ip TEXT NOT NULL, method TEXT NOT NULL,"
    "  batch_id INTEGER, student_id INTEGER, ok INTEGER NOT NULL, reason TEXT);"
    "CREATE INDEX verify_audit_student ON verify_audit(student_id);"
    "CREATE TABLE staff_audit ("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, staff_id INTEGER, action TEXT NOT NULL,"
    "  target TEXT, before TEXT, after TEXT, ip TEXT);"
    "CREATE TABLE lockout ("
    "  key TEXT PRIMARY KEY, fails INTEGER NOT NULL, window_start INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL DEFAULT 0);",
    /* 2: the student's journey (photos, drafts, submissions and review),
     * money (orders, addresses) and messages (in-app and the outbox of
     * e-mails, SMS and webhooks). */
    "ALTER TABLE school ADD COLUMN notice TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE school ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';"
    "ALTER TABLE student ADD COLUMN notice_read_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN tips_read_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN tutorial_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN notify_status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN notify_payment INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN notify_chosen_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN email TEXT NOT NULL DEFAULT '';"
    /* cool-off after a failed photo; failures counted towards the two locks */
    "ALTER TABLE student ADD COLUMN cooloff_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN fails INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN live_fails INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN live_locked INTEGER NOT NULL DEFAULT 0;"
    /* the photo fee is paid once per record: a retake is never charged again */
    "ALTER TABLE student ADD COLUMN paid_order INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX student_batch_state ON student(batch_id, state);"
    /* every photo a student made: the upload, what the pipeline made of it
     * (blob hashes) and what the checks said */
    "CREATE TABLE photo ("
    "  id INTEGER PRIMARY KEY, student_id INTEGER NOT NULL REFERENCES student(id),"
    "  created_at INTEGER NOT NULL, done_at INTEGER NOT NULL DEFAULT 0,"
    "  source TEXT NOT NULL CHECK (source IN ('camera','album')),"
    "  state TEXT NOT NULL CHECK (state IN ('processing','failed','draft','deleted','used','error')),"
    "  upload_blob TEXT NOT NULL, original_blob TEXT NOT NULL DEFAULT '', standard_blob TEXT NOT NULL DEFAULT '',"
    "  proof_blob TEXT NOT NULL DEFAULT '', overlay_blob TEXT NOT NULL DEFAULT '', final_blob TEXT NOT NULL DEFAULT '',"
    "  checks TEXT NOT NULL DEFAULT '{}', report TEXT NOT NULL DEFAULT '{}',"
    "  failed TEXT NOT NULL DEFAULT '', liveness_failed INTEGER NOT NULL DEFAULT 0, face_hash BLOB,"
    "  error TEXT NOT NULL DEFAULT '', ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX photo_student ON photo(student_id, state);"
    /* a draft the student confirmed for review (one live at a time) */
    "CREATE TABLE submission ("
    "  id INTEGER PRIMARY KEY, student_id INTEGER NOT NULL REFERENCES student(id),"
    "  photo_id INTEGER NOT NULL REFERENCES photo(id),"
    "  state TEXT NOT NULL CHECK (state IN"
    "    ('pending_payment','submitted','withdrawn','approved','rejected','final','reset')),"
    "  created_at INTEGER NOT NULL, submitted_at INTEGER NOT NULL DEFAULT 0, decided_at INTEGER NOT NULL DEFAULT 0,"
    "  reviewer_id INTEGER REFERENCES staff(id), reasons TEXT NOT NULL DEFAULT '[]', note TEXT NOT NULL DEFAULT '',"
    "  claim_by INTEGER, claim_until INTEGER NOT NULL DEFAULT 0, final_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX submission_student ON submission(student_id, state);"
    "CREATE INDEX submission_queue ON submission(state, submitted_at);"
    /* orders: the photo fee and reprints (加洗); paid once, shipped once */
    "CREATE TABLE pay_order ("
    "  id INTEGER PRIMARY KEY, out_trade_no TEXT NOT NULL UNIQUE,"
    "  person_id INTEGER NOT NULL REFERENCES person(id), student_id INTEGER REFERENCES student(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('photo','reprint')), amount_fen INTEGER NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '', provider TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('created','paid','closed','refunding','refunded')),"
    "  provider_txn TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, paid_at INTEGER NOT NULL DEFAULT 0,"
    "  refunded_at INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}',"
    "  ship_state TEXT NOT NULL DEFAULT '' CHECK (ship_state IN ('','to_ship','shipped','done')),"
    "  carrier TEXT NOT NULL DEFAULT '', tracking TEXT NOT NULL DEFAULT '', shipped_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX pay_order_person ON pay_order(person_id, id);"
    "CREATE TABLE address ("
    "  id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id),"
    "  name TEXT NOT NULL, phone TEXT NOT NULL, region TEXT NOT NULL, detail TEXT NOT NULL,"
    "  is_default INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
    "CREATE INDEX address_person ON address(person_id);"
    /* the in-app message centre */
    "CREATE TABLE message ("
    "  id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES person(id),"
    "  student_id INTEGER REFERENCES student(id), at INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  title_zh TEXT NOT NULL, title_en TEXT NOT NULL, body_zh TEXT NOT NULL, body_en TEXT NOT NULL,"
    "  read_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX message_person ON message(person_id, id);"
    /* what must leave the building (e-mail, SMS, webhook): written in the
     * same transaction as the event, sent by the outbox worker with retries,
     * so nothing is lost when a channel is down or the server restarts */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    "  channel TEXT NOT NULL CHECK (channel IN ('email','sms','webhook')),"
    "  recipient TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', body TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sending','sent','dead')),"
    "  last_error TEXT NOT NULL DEFAULT '', sent_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_due ON outbox(state, next_at);",
    /* 3: running a season (the consoles) and money on paper (reprints,
     * shipping, refunds, reconciliation).  Three segments, one per area. */
    /* 3a: school console */
    "ALTER TABLE batch ADD COLUMN cancelled_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX student_batch_class ON student(batch_id, class_name);"
    /* reminders: at most one per student per day */
    "ALTER TABLE student ADD COLUMN reminded_at INTEGER NOT NULL DEFAULT 0;"
    /* 3a end */
    /* 3b: platform admin — the reason catalogue and custom specs become data */
    "CREATE TABLE reason ("
    "  code TEXT PRIMARY KEY, zh TEXT NOT NULL, en TEXT NOT NULL, sort INTEGER NOT NULL DEFAULT 0,"
    "  active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE spec ("
    "  name TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX staff_audit_at ON staff_audit(at);"
    "CREATE INDEX staff_audit_staff ON staff_audit(staff_id, at);"
    /* the catalogue as it was in code (tc_api_review.c until issue 7): the
     * checks' own codes, then the ones only a person sees */
    STORE_REASONS_SEED
    /* 3b end */
    /* 3c: money — the daily reconciliation report; the print queue by state */
    "CREATE TABLE recon_report ("
    "  day TEXT NOT NULL, provider TEXT NOT NULL, created_at INTEGER NOT NULL, report TEXT NOT NULL,"
    "  PRIMARY KEY (day, provider));"
    "CREATE INDEX pay_order_ship ON pay_order(ship_state, paid_at);"
    /* 3c end */
    ,
    /* 4: a photo keeps the definition of the spec it was made to (the JSON of
     * tc_spec_to_json), so its print sheets and reprints keep their size when
     * a platform admin later edits or deletes a custom spec.  Segments as in 3. */
    /* 4a: the photo's spec ('' for photos made before: they fall back to the
     * spec their batch names) */
    "ALTER TABLE photo ADD COLUMN spec TEXT NOT NULL DEFAULT '';"
    /* 4a end */
    ,
    /* 5: WeChat web authorisation (snsapi_base, tc_store_wx_*): the state a
     * session waits for (its hash; single use, short-lived), where the app
     * returns afterwards, and the openid WeChat gave for our AppID, which
     * JSAPI orders use instead of anything the client says */
    "ALTER TABLE session ADD COLUMN wx_state_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE session ADD COLUMN wx_state_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE session ADD COLUMN wx_return TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE session ADD COLUMN wx_openid TEXT NOT NULL DEFAULT '';"
    ,
    /* 6: identity — a person is one ID number AT ONE SCHOOL.  Before, a person
     * was the ID number alone, so a school admin who put another school's
     * student's ID number into a roster row of his own could enter with that
     * row and see (and overwrite) the other school's record.  The table is
     * rebuilt (SQLite cannot change a UNIQUE constraint); each old person
     * keeps its id for the school of its first record, and gets a new person
     * per other school, to which that school's records, orders, messages and
     * sessions move.  Addresses stay with the first.  The migration runner
     * has foreign keys off and checks them before committing. */
    "CREATE TABLE person_new ("
    "  id INTEGER PRIMARY KEY, school_id INTEGER NOT NULL DEFAULT 0, id_hash BLOB NOT NULL, phone TEXT,"
    "  created_at INTEGER NOT NULL, UNIQUE (school_id, id_hash));"
    "INSERT INTO person_new(id, school_id, id_hash, phone, created_at)"
    "  SELECT p.id, coalesce((SELECT s.school_id FROM student s WHERE s.person_id = p.id ORDER BY s.id LIMIT 1), 0),"
    "         p.id_hash, p.phone, p.created_at FROM person p;"
    "INSERT INTO person_new(school_id, id_hash, phone, created_at)"
    "  SELECT DISTINCT s.school_id, q.id_hash, '', q.created_at FROM student s JOIN person_new q ON q.id = s.person_id"
    "  WHERE s.school_id <> q.school_id;"
    "CREATE TEMP TABLE person_move AS"
    "  SELECT s.id AS student_id, n.id AS person_id FROM student s JOIN person_new q ON q.id = s.person_id"
    "  JOIN person_new n ON n.id_hash = q.id_hash AND n.school_id = s.school_id WHERE n.id <> q.id;"
    "UPDATE pay_order SET person_id = (SELECT person_id FROM person_move m WHERE m.student_id = pay_order.student_id)"
    "  WHERE student_id IN (SELECT student_id FROM person_move);"
    "UPDATE message SET person_id = (SELECT person_id FROM person_move m WHERE m.student_id = message.student_id)"
    "  WHERE student_id IN (SELECT student_id FROM person_move);"
    "UPDATE session SET person_id = (SELECT person_id FROM person_move m WHERE m.student_id = session.student_id)"
    "  WHERE kind = 'student' AND student_id IN (SELECT student_id FROM person_move);"
    "UPDATE student SET person_id = (SELECT person_id FROM person_move m WHERE m.student_id = student.id)"
    "  WHERE id IN (SELECT student_id FROM person_move);"
    "DROP TABLE person_move;"
    "DROP TABLE person;"
    "ALTER TABLE person_new RENAME TO person;"
    /* A 采集码 belongs to one roster row in the whole system (it used to be
     * unique per batch, and the QR lookup took the newest row, so a row added
     * in another batch or school captured the student's scan).  Rows that
     * already share a code keep it only on the oldest; the newer ones are
     * marked (chsi_dup = their id) and cannot be entered with it until the
     * school gives them their own code. */
    "ALTER TABLE student ADD COLUMN chsi_dup INTEGER NOT NULL DEFAULT 0;"
    "UPDATE student SET chsi_dup = id WHERE EXISTS"
    "  (SELECT 1 FROM student o WHERE o.chsi_hash = student.chsi_hash AND o.id < student.id);"
    "CREATE UNIQUE INDEX student_chsi_one ON student(chsi_hash) WHERE chsi_dup = 0;"
    ,
    /* 7: journey — the student-side abuse limits (issue 14).  A photo's upload
     * size (the student's storage quota), when a draft was deleted and when
     * the sweep removed its files (the retention period); the e-mail address
     * a student confirmed with a code sent to it (result e-mails go only
     * there), the code waiting (its keyed hash, expiry, wrong tries), and one
     * row per e-mail a student made the server send (the daily limit). */
    "ALTER TABLE photo ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE photo ADD COLUMN deleted_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE photo ADD COLUMN swept_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN email_confirmed TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE student ADD COLUMN email_pending TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE student ADD COLUMN email_code_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE student ADD COLUMN email_code_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN email_code_tries INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE student_mail ("
    "  id INTEGER PRIMARY KEY, student_id INTEGER NOT NULL REFERENCES student(id), at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('code','result')));"
    "CREATE INDEX student_mail_student ON student_mail(student_id, at);"
    /* the sweep asks, for each used photo, whether a submission still needs it */
    "CREATE INDEX submission_photo ON submission(photo_id, state);"
    ,
    /* 8: money — a payment that arrives for an order we had closed (the payer
     * was already paying) is recorded, not dropped: when it came; the
     * order then goes closed -> refunding -> refunded (tc_store_order_paid_late).
     * The index finds a record's open photo-fee order (one per fee) and the
     * late payments staff must see. */
    "ALTER TABLE pay_order ADD COLUMN late_paid_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX pay_order_open ON pay_order(student_id, kind, state);"
    "CREATE INDEX pay_order_late ON pay_order(late_paid_at) WHERE late_paid_at > 0;"
    ,
    /* 9: photo tokens — every photo URL (staff and student) names the photo by a
     * random public token instead of its sequential id, which anyone could
     * count through (issue 14).  128 bits from SQLite's randomblob (ChaCha20
     * since 3.40, seeded from /dev/urandom by the unix VFS), 32 hex digits;
     * photos made before get theirs here, new ones at INSERT
     * (tc_store_photo_begin). */
    "ALTER TABLE photo ADD COLUMN token TEXT NOT NULL DEFAULT '';"
    "UPDATE photo SET token = lower(hex(randomblob(16))) WHERE token = '';"
    "CREATE UNIQUE INDEX photo_token ON photo(token);"
    ,
    /* 10: every status reaches the student (issue 19).  The channels a student
     * chose besides the message centre and e-mail (SMS to the roster phone,
     * WeChat subscribe messages to the openid WeChat gave when they chose
     * it); the school's contact for students (JSON {phone, wechat, hours});
     * the outbox learns the WeChat channel and whose message a row is (the
     * daily limit per student), so it is rebuilt (SQLite cannot change a
     * CHECK); and one row per automatic reminder sent (student, days before
     * the close), so each goes once. */
    "ALTER TABLE student ADD COLUMN notify_sms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN notify_wechat INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE student ADD COLUMN wx_openid TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE school ADD COLUMN contact TEXT NOT NULL DEFAULT '{}';"
    "CREATE TABLE outbox_new ("
    "  id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    "  channel TEXT NOT NULL CHECK (channel IN ('email','sms','webhook','wechat')),"
    "  recipient TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', body TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sending','sent','dead')),"
    "  last_error TEXT NOT NULL DEFAULT '', sent_at INTEGER NOT NULL DEFAULT 0,"
    "  student_id INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO outbox_new(id, created_at, channel, recipient, subject, body, attempts, next_at, state, last_error,"
    "  sent_at) SELECT id, created_at, channel, recipient, subject, body, attempts, next_at, state, last_error, sent_at"
    "  FROM outbox;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_new RENAME TO outbox;"
    "CREATE INDEX outbox_due ON outbox(state, next_at);"
    "CREATE INDEX outbox_student ON outbox(student_id, created_at) WHERE student_id > 0;"
    "CREATE TABLE remind_sent ("
    "  student_id INTEGER NOT NULL REFERENCES student(id), days INTEGER NOT NULL, at INTEGER NOT NULL,"
    "  PRIMARY KEY (student_id, days));"
    ,
    /* 11: the 采集码 need not be in the roster (issue 19).  Schools import
     * name, student number and ID number; students bind their code at first
     * entry (tc_store_student_bind_chsi).  chsi_hash becomes NULL-able (no
     * code yet): SQLite needs the table rebuilt to drop NOT NULL, so every
     * column, constraint and index is carried over, including the global
     * one-row-per-code index student_chsi_one (issue 14: NULLs never collide
     * in it).  New: the code itself, sealed like id_sealed, for the 学信网
     * upload list (codes imported before stay hash-only until the student
     * enters with the code again); when a student bound it (0: from the
     * roster); and the (batch, name) index the entry without a code uses.
     * The runner has foreign keys off, so dropping the old table cascades
     * nowhere, and checks every key before committing. */
    "CREATE TABLE student_new ("
    "  id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(id),"
    "  school_id INTEGER NOT NULL REFERENCES school(id),"
    "  name TEXT NOT NULL, student_no TEXT NOT NULL,"
    "  id_sealed BLOB NOT NULL, id_hash BLOB NOT NULL, chsi_hash BLOB,"
    "  level TEXT NOT NULL DEFAULT '', programme TEXT NOT NULL DEFAULT '',"
    "  department TEXT NOT NULL DEFAULT '', class_name TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '', person_id INTEGER REFERENCES person(id),"
    "  verified_at INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'not_started',"
    "  created_at INTEGER NOT NULL, notice_read_at INTEGER NOT NULL DEFAULT 0,"
    "  tips_read_at INTEGER NOT NULL DEFAULT 0, tutorial_at INTEGER NOT NULL DEFAULT 0,"
    "  notify_status INTEGER NOT NULL DEFAULT 0, notify_payment INTEGER NOT NULL DEFAULT 0,"
    "  notify_chosen_at INTEGER NOT NULL DEFAULT 0, email TEXT NOT NULL DEFAULT '',"
    "  cooloff_until INTEGER NOT NULL DEFAULT 0, fails INTEGER NOT NULL DEFAULT 0,"
    "  live_fails INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
    "  live_locked INTEGER NOT NULL DEFAULT 0, paid_order INTEGER NOT NULL DEFAULT 0,"
    "  reminded_at INTEGER NOT NULL DEFAULT 0, chsi_dup INTEGER NOT NULL DEFAULT 0,"
    "  email_confirmed TEXT NOT NULL DEFAULT '', email_pending TEXT NOT NULL DEFAULT '',"
    "  email_code_hash TEXT NOT NULL DEFAULT '', email_code_until INTEGER NOT NULL DEFAULT 0,"
    "  email_code_tries INTEGER NOT NULL DEFAULT 0, notify_sms INTEGER NOT NULL DEFAULT 0,"
    "  notify_wechat INTEGER NOT NULL DEFAULT 0, wx_openid TEXT NOT NULL DEFAULT '',"
    "  chsi_sealed BLOB, chsi_bound_at INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (batch_id, student_no), UNIQUE (batch_id, id_hash), UNIQUE (batch_id, chsi_hash));"
    "INSERT INTO student_new(id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level,"
    "  programme, department,"
    "  class_name, phone, person_id, verified_at, state, created_at, notice_read_at, tips_read_at, tutorial_at,"
    "  notify_status, notify_payment, notify_chosen_at, email, cooloff_until, fails, live_fails, locked_until,"
    "  live_locked, paid_order, reminded_at, chsi_dup, email_confirmed, email_pending, email_code_hash,"
    "  email_code_until, email_code_tries, notify_sms, notify_wechat, wx_openid)"
    "  SELECT id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level, programme,"
    "  department,"
    "  class_name, phone, person_id, verified_at, state, created_at, notice_read_at, tips_read_at, tutorial_at,"
    "  notify_status, notify_payment, notify_chosen_at, email, cooloff_until, fails, live_fails, locked_until,"
    "  live_locked, paid_order, reminded_at, chsi_dup, email_confirmed, email_pending, email_code_hash,"
    "  email_code_until, email_code_tries, notify_sms, notify_wechat, wx_openid"
    "  FROM student;"
    "DROP TABLE student;"
    "ALTER TABLE student_new RENAME TO student;"
    "CREATE INDEX student_chsi ON student(chsi_hash);"
    "CREATE INDEX student_person ON student(person_id);"
    "CREATE INDEX student_school ON student(school_id);"
    "CREATE INDEX student_batch_state ON student(batch_id, state);"
    "CREATE INDEX student_batch_class ON student(batch_id, class_name);"
    "CREATE UNIQUE INDEX student_chsi_one ON student(chsi_hash) WHERE chsi_dup = 0;"
    "CREATE INDEX student_batch_name ON student(batch_id, name);"
    ,
    /* 12: consent and retention (issue 19 item 5).  One row per time a
     * student accepted the service agreement and the privacy policy (the
     * versions accepted, when, from which address): the upload gate compares
     * the newest row with the versions the server publishes.  A roster row
     * whose personal data a school admin erased on request keeps its id (the
     * orders point at it) and says when (erased_at); the entry by name skips
     * it. */
    "CREATE TABLE consent ("
    "  id INTEGER PRIMARY KEY, student_id INTEGER NOT NULL REFERENCES student(id),"
    "  terms_version INTEGER NOT NULL, privacy_version INTEGER NOT NULL, at INTEGER NOT NULL, ip TEXT NOT NULL);"
    "CREATE INDEX consent_student ON consent(student_id, id);"
    "ALTER TABLE student ADD COLUMN erased_at INTEGER NOT NULL DEFAULT 0;"
    ,
    /* 13: the 成片 and the student's 校对 (issue 19 item 6).  A final
     * submission's 成片 is ready (the student checks it), confirmed, or in
     * correction (the student's reason in final_reason); final_by is the
     * staff account that made it.  Photos made final before this version
     * were never checked by their students: they count as confirmed, as the
     * schools have been exporting them. */
    "ALTER TABLE submission ADD COLUMN final_state TEXT NOT NULL DEFAULT ''"
    "  CHECK (final_state IN ('','ready','confirmed','correction'));"
    "ALTER TABLE submission ADD COLUMN final_reason TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE submission ADD COLUMN final_by INTEGER NOT NULL DEFAULT 0;"
    "UPDATE submission SET final_state = 'confirmed' WHERE state = 'final';"
    ,
    /* 14: the photo jobs live in the database (issue 18 item 3).  A photo in
     * state processing is its own job: a worker of any node claims it
     * (claimed_by: that worker's name, claimed_at: when, claims: how many
     * times a worker took it), and its result is stored only by the worker
     * that holds the claim.  A claim older than the claim timeout belongs
     * to a worker that died: the photo is taken again. */
    PHOTO_JOBS_MIGRATION("INTEGER")
    ,
    /* 15: face_count's reason names the people behind the student */
    REASON_FACE_COUNT_MIGRATION
    ,
};

int store_user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Any row whose foreign key points nowhere fails the migration. */
static int fk_check(sqlite3 *db, int version, tc_err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return tc_err_internal(e, "sqlite foreign_key_check: %s", sqlite3_errmsg(db));
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        tc_err_set(e, TCE_STORE_MIGRATION_KEYS, version, t ? t : "?");
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

int store_migrate(sqlite3 *lite, int latest, tc_err *e)
{
    store_conn conn = {.kind = STORE_SQLITE, .lite = lite}, *db = &conn;
    if (latest < 0)
        latest = (int)TC_ARRAY_LEN(MIGRATIONS);
    int v = store_user_version(lite);
    if (v > (int)TC_ARRAY_LEN(MIGRATIONS))
        return tc_err_set(e, TCE_STORE_TOO_NEW, v, latest);
    if (v == latest)
        return 0;
    /* Foreign keys off while migrating (the pragma is a no-op inside a
     * transaction, so before BEGIN): rebuilding a table the way SQLite
     * documents it drops the old one, which with keys on would cascade into
     * sessions.  Each migration checks every key before it commits. */
    if (store_exec(db, "PRAGMA foreign_keys=OFF", e) != 0)
        return -1;
    int rc = 0;
    for (; v < latest; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
        if (store_tx_begin(db, e) != 0) {
            rc = -1;
            break;
        }
        int ok = store_exec(db, MIGRATIONS[v], e) == 0 && store_exec(db, bump, e) == 0 && fk_check(lite, v + 1, e) == 0
                     ? 0
                     : -1;
        if (store_tx_end(db, ok, e) != 0) {
            rc = -1;
            break;
        }
        tc_log(TC_LOG_INFO, "database migrated to schema version %d", v + 1);
    }
    if (store_exec(db, "PRAGMA foreign_keys=ON", rc == 0 ? e : NULL) != 0)
        rc = -1;
    return rc;
}

int tc_store_migrate_to(const char *path, int version, tc_err *e)
{
    if (version < 0 || version > (int)TC_ARRAY_LEN(MIGRATIONS))
        return tc_err_set(e, TCE_STORE_BAD_VERSION, version);
    sqlite3 *db;
    if (store_open_conn(path, 0, &db, e) != 0)
        return -1;
    int rc = store_migrate(db, version, e);
    sqlite3_close(db);
    return rc;
}

int tc_store_schema_version(tc_store *s)
{
    store_conn *db = store_acquire(s);
    int v = db->kind == STORE_PG ? store_pg_schema_version(db->pg, NULL) : store_user_version(db->lite);
    store_release(s, db);
    return v;
}

int tc_store_schema_latest(void)
{
    return (int)TC_ARRAY_LEN(MIGRATIONS);
}
