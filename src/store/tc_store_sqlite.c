/* tc_store — the SQLite backend.  See tc_store.h for the contract. */
#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "INSERT INTO reason(code, zh, en, sort) VALUES"
    "  ('face_count', '照片中应只有本人一张人脸', 'Only your own face may be in the photo', 10),"
    "  ('face_inside', '头部未完整在画面内', 'The head is not wholly in the frame', 20),"
    "  ('geometry', '头部大小或位置不符合要求', 'Head size or position is off', 30),"
    "  ('pose_yaw', '头部左右转动', 'Head turned', 40),"
    "  ('pose_pitch', '头部抬起或低下', 'Head raised or lowered', 50),"
    "  ('pose_roll', '头部倾斜', 'Head tilted', 60),"
    "  ('eyes_open', '眼睛未自然睁开', 'Eyes not open', 70),"
    "  ('gaze', '眼睛未平视镜头', 'Not looking at the camera', 80),"
    "  ('mouth_closed', '嘴唇未自然闭合', 'Mouth not closed', 90),"
    "  ('expression', '表情不自然', 'Expression not neutral', 100),"
    "  ('light_dark', '光线过暗', 'Too dark', 110),"
    "  ('light_bright', '光线过亮', 'Too bright', 120),"
    "  ('light_uneven', '面部光线不均匀（阴阳脸）', 'Uneven light on the face', 130),"
    "  ('light_hotspot', '面部有高光、光斑', 'Hot spots on the face', 140),"
    "  ('red_eye', '有红眼', 'Red eye', 150),"
    "  ('blur', '照片模糊', 'Blurred', 160),"
    "  ('resolution', '照片分辨率不足', 'Too few pixels', 170),"
    "  ('glasses', '不得佩戴眼镜', 'No glasses allowed', 180),"
    "  ('glasses_tinted', '不得佩戴有色眼镜', 'Tinted glasses', 190),"
    "  ('glasses_glare', '眼镜反光', 'Glare on the glasses', 200),"
    "  ('hair_brows', '头发遮挡眉毛或眼睛', 'Hair over the eyebrows or eyes', 210),"
    "  ('ears_visible', '耳朵未露出', 'Ears not visible', 220),"
    "  ('headwear', '不得佩戴帽子或头饰', 'No hats or headwear', 230),"
    "  ('jewelry', '不得佩戴耳环、项链等饰品', 'No earrings or necklaces', 240),"
    "  ('clothing_colour', '不得穿与背景相近颜色（蓝色）的衣服', 'Top too close to the background colour (no blue)', 250),"
    "  ('recapture', '翻拍照片', 'Re-photographed picture', 260),"
    "  ('retouch', '美颜或修图', 'Retouched (beauty filter)', 270),"
    "  ('duplicate', '同版照片', 'Same photo as an earlier one', 280),"
    "  ('not_the_student', '照片与本人不符', 'The photo does not show the student', 290),"
    "  ('composited', '照片经过软件合成', 'The photo was composited by software', 300),"
    "  ('other', '其他原因', 'Other reason', 310);"
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
};



int store_db_err(tc_err *e, sqlite3 *db, const char *what)
{
    return tc_err_internal(e, "sqlite %s: %s", what, sqlite3_errmsg(db));
}

sqlite3 *store_acquire(tc_store *s)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (int i = 0; i < STORE_POOL_SIZE; i++)
            if (!s->busy[i]) {
                s->busy[i] = 1;
                pthread_mutex_unlock(&s->mu);
                return s->conns[i];
            }
        pthread_cond_wait(&s->cv, &s->mu);
    }
}

void store_release(tc_store *s, sqlite3 *db)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        if (s->conns[i] == db)
            s->busy[i] = 0;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int store_exec(sqlite3 *db, const char *sql, tc_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        tc_err_internal(e, "sqlite: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int user_version(sqlite3 *db)
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
        return store_db_err(e, db, "foreign_key_check");
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        tc_err_set(e, 500, "store.migration_keys", "数据库升级到版本 %d 时发现无效引用（表 %s）",
                   "migration to schema %d left a dangling reference in table %s", version, t ? t : "?");
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

static int migrate(sqlite3 *db, int latest, tc_err *e)
{
    int v = user_version(db);
    if (v > (int)TC_ARRAY_LEN(MIGRATIONS))
        return tc_err_set(e, 500, "store.too_new", "数据库版本 %d 比程序（%d）新，请升级程序",
                          "the database schema (%d) is newer than this program knows (%d): upgrade tucai", v, latest);
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
        if (store_exec(db, "BEGIN IMMEDIATE", e) != 0) {
            rc = -1;
            break;
        }
        if (store_exec(db, MIGRATIONS[v], e) != 0 || store_exec(db, bump, e) != 0 || fk_check(db, v + 1, e) != 0) {
            store_exec(db, "ROLLBACK", NULL);
            rc = -1;
            break;
        }
        if (store_exec(db, "COMMIT", e) != 0) {
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
        return tc_err_set(e, 400, "store.bad_version", "没有该数据库版本 %d", "no schema version %d", version);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        tc_err_set(e, 500, "store.open", "无法打开数据库 %s：%s", "cannot open database %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    int rc = store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", e) == 0 && migrate(db, version, e) == 0
                 ? 0
                 : -1;
    sqlite3_close(db);
    return rc;
}

tc_store *tc_store_open(const char *path, tc_err *e)
{
    tc_store *s = calloc(1, sizeof *s);
    if (!s) {
        tc_err_internal(e, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    for (int i = 0; i < STORE_POOL_SIZE; i++) {
        sqlite3 *db;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
            tc_err_set(e, 500, "store.open", "无法打开数据库 %s：%s", "cannot open database %s: %s", path,
                       sqlite3_errmsg(db));
            sqlite3_close(db);
            tc_store_close(s);
            return NULL;
        }
        s->conns[i] = db;
        sqlite3_busy_timeout(db, 10000);
        /* WAL: readers never block the writer.  synchronous=FULL: the WAL is
         * fsynced at every commit, so a commit that acknowledged money (a
         * payment callback answered 204, a refund) survives a power cut;
         * NORMAL would only sync at checkpoints and lose the last commits.
         * On every connection, not just money's: the cost measured in
         * docs/PERFORMANCE.md ("Durable commits") is a fraction of a
         * millisecond per commit, and one level for all means no money
         * function can forget to ask for it. */
        if (store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", e) != 0) {
            tc_store_close(s);
            return NULL;
        }
        if (i == 0 && migrate(db, (int)TC_ARRAY_LEN(MIGRATIONS), e) != 0) {
            tc_store_close(s);
            return NULL;
        }
    }
    return s;
}

void tc_store_close(tc_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STORE_POOL_SIZE; i++)
        sqlite3_close(s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

int tc_store_schema_version(tc_store *s)
{
    sqlite3 *db = store_acquire(s);
    int v = user_version(db);
    store_release(s, db);
    return v;
}

int tc_store_schema_latest(void)
{
    return (int)TC_ARRAY_LEN(MIGRATIONS);
}

/* ---- statement helpers ------------------------------------------------------------
 * q_prepare binds arguments from a tiny format string: 'i' int64, 's' text
 * (NULL binds NULL), 'b' blob (pointer + size_t length), 'h' 32-byte hash. */

sqlite3_stmt *store_q_prepare(sqlite3 *db, tc_err *e, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_db_err(e, db, "prepare");
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 1; fmt && *fmt; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 's': {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        case 'b': {
            const void *v = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            sqlite3_bind_blob(st, i, v, (int)n, SQLITE_TRANSIENT);
            break;
        }
        case 'h':
            sqlite3_bind_blob(st, i, va_arg(ap, const uint8_t *), 32, SQLITE_TRANSIENT);
            break;
        default:
            abort(); /* a programming error in this file, not input */
        }
    }
    va_end(ap);
    return st;
}

const char *store_col_str(tc_pool *p, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return tc_pool_strdup(p, t ? (const char *)t : "");
}

void store_col_hash(sqlite3_stmt *st, int i, uint8_t out[32])
{
    const void *b = sqlite3_column_blob(st, i);
    if (b && sqlite3_column_bytes(st, i) == 32)
        memcpy(out, b, 32);
    else
        memset(out, 0, 32);
}

/* Run a statement that returns no rows. */
int store_q_done(sqlite3 *db, sqlite3_stmt *st, tc_err *e)
{
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_db_err(e, db, "step");
    return 0;
}

/* Grow a pool-allocated array by doubling (the old copy stays in the pool
 * until it is cleared; lists are short-lived and small). */
void *store_grow(tc_pool *p, void *arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 16;
    void *nw = tc_pool_alloc(p, *cap * elem);
    if (n)
        memcpy(nw, arr, n * elem);
    return nw;
}

/* Step a prepared SELECT to its end, reading each row with read() into a
 * pool array of elem-sized items.  Finalises st; a failing step is an error,
 * never a silently short list. */

int store_list_q(sqlite3 *db, sqlite3_stmt *st, tc_pool *p, size_t elem, row_reader read, void **out, size_t *n,
                  tc_err *e)
{
    *out = NULL;
    *n = 0;
    if (!st)
        return -1;
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        *out = store_grow(p, *out, *n, &cap, elem);
        read(p, st, (char *)*out + elem * (*n)++);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : store_db_err(e, db, "select list");
}

int store_not_found(tc_err *e, const char *what_zh, const char *what_en, const char *code)
{
    tc_err_set(e, 404, code, "%s", "%s", "");
    if (e) {
        snprintf(e->zh, sizeof e->zh, "%s不存在", what_zh);
        snprintf(e->en, sizeof e->en, "%s not found", what_en);
    }
    return -1;
}

int tc_store_is_empty(tc_store *s, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT count(*) FROM school", NULL);
    int r = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        r = sqlite3_column_int64(st, 0) == 0;
    else if (st)
        store_db_err(e, db, "count");
    sqlite3_finalize(st);
    store_release(s, db);
    return r;
}

/* ---- schools ---------------------------------------------------------------------- */

int tc_store_school_create(tc_store *s, const char *name, int64_t *id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "INSERT INTO school(name, created_at) VALUES (?, ?)", "si", name, tc_now());
    int rc = -1;
    if (st) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) {
            *id = sqlite3_last_insert_rowid(db);
            rc = 0;
        } else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
            tc_err_set(e, 409, "school.name_taken", "学校名称已存在：%s", "a school named %s exists already", name);
        else
            store_db_err(e, db, "insert school");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

static void read_school(tc_pool *p, sqlite3_stmt *st, tc_school *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->name = store_col_str(p, st, 1);
    o->created_at = sqlite3_column_int64(st, 2);
}

static void read_school_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_school(p, st, o);
}

int tc_store_school_get(tc_store *s, tc_pool *p, int64_t id, tc_school *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT id, name, created_at FROM school WHERE id = ?", "i", id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_school(p, st, out);
            rc = 0;
        } else
            store_not_found(e, "学校", "school", "school.not_found");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_school_list(tc_store *s, tc_pool *p, tc_school **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT id, name, created_at FROM school ORDER BY id", NULL);
    int rc = store_list_q(db, st, p, sizeof **out, read_school_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- batches ------------------------------------------------------------------------ */

#define BATCH_COLS                                                                                             \
    "b.id, b.school_id, b.name, b.code, b.starts_at, b.ends_at, b.settings, b.created_at, "                    \
    "(SELECT count(*) FROM student WHERE batch_id = b.id), b.cancelled_at"

static void read_batch(tc_pool *p, sqlite3_stmt *st, tc_batch *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->school_id = sqlite3_column_int64(st, 1);
    o->name = store_col_str(p, st, 2);
    const unsigned char *c = sqlite3_column_text(st, 3);
    snprintf(o->code, sizeof o->code, "%s", c ? (const char *)c : "");
    o->starts_at = sqlite3_column_int64(st, 4);
    o->ends_at = sqlite3_column_int64(st, 5);
    o->settings = store_col_str(p, st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
    o->students = sqlite3_column_int64(st, 8);
    o->cancelled_at = sqlite3_column_int64(st, 9);
}

static void read_batch_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_batch(p, st, o);
}

int tc_store_batch_create(tc_store *s, tc_batch *b, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "INSERT INTO batch(school_id, name, code, starts_at, ends_at, settings, created_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 "issiisi", b->school_id, b->name, b->code, b->starts_at, b->ends_at,
                                 b->settings ? b->settings : "{}", tc_now());
    int rc = -1;
    if (st) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) {
            b->id = sqlite3_last_insert_rowid(db);
            rc = 0;
        } else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
            tc_err_set(e, 409, "batch.code_taken", "特征码 %s 已被使用", "the batch code %s is in use", b->code);
        else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY)
            store_not_found(e, "学校", "school", "school.not_found");
        else
            store_db_err(e, db, "insert batch");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

static int batch_one(tc_store *s, tc_pool *p, const char *where, const char *fmt, int64_t id, const char *code,
                     tc_batch *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " BATCH_COLS " FROM batch b WHERE %s", where);
    sqlite3_stmt *st = code ? store_q_prepare(db, e, sql, fmt, code) : store_q_prepare(db, e, sql, fmt, id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_batch(p, st, out);
            rc = 0;
        } else
            tc_err_set(e, 404, "batch.not_found", "采集批次不存在，请核对特征码",
                       "No such collection batch: check the batch code");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_batch_get(tc_store *s, tc_pool *p, int64_t id, tc_batch *out, tc_err *e)
{
    return batch_one(s, p, "b.id = ?", "i", id, NULL, out, e);
}

int tc_store_batch_by_code(tc_store *s, tc_pool *p, const char *code, tc_batch *out, tc_err *e)
{
    return batch_one(s, p, "b.code = ?", "s", 0, code, out, e);
}

int tc_store_batches_closing(tc_store *s, tc_pool *p, int64_t now, int64_t until, tc_batch **out, size_t *n,
                             tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT " BATCH_COLS " FROM batch b WHERE b.cancelled_at = 0 AND b.ends_at > ?"
                                       " AND b.ends_at <= ? ORDER BY b.ends_at, b.id",
                                       "ii", now, until);
    int rc = store_list_q(db, st, p, sizeof **out, read_batch_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_batch_list(tc_store *s, tc_pool *p, int64_t school_id, tc_batch **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = school_id
                           ? store_q_prepare(db, e, "SELECT " BATCH_COLS " FROM batch b WHERE b.school_id = ? ORDER BY b.id",
                                       "i", school_id)
                           : store_q_prepare(db, e, "SELECT " BATCH_COLS " FROM batch b ORDER BY b.id", NULL);
    int rc = store_list_q(db, st, p, sizeof **out, read_batch_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- students ------------------------------------------------------------------------- */

#define STUDENT_COLS                                                                                           \
    "id, batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash, level, programme, department, " \
    "class_name, phone, coalesce(person_id, 0), verified_at, state, created_at, chsi_sealed, chsi_bound_at"

static void read_student(tc_pool *p, sqlite3_stmt *st, tc_student *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->batch_id = sqlite3_column_int64(st, 1);
    o->school_id = sqlite3_column_int64(st, 2);
    o->name = store_col_str(p, st, 3);
    o->student_no = store_col_str(p, st, 4);
    int n = sqlite3_column_bytes(st, 5);
    uint8_t *b = tc_pool_alloc(p, (size_t)n + 1);
    if (n)
        memcpy(b, sqlite3_column_blob(st, 5), (size_t)n);
    o->id_sealed = b;
    o->id_sealed_len = (size_t)n;
    store_col_hash(st, 6, o->id_hash);
    store_col_hash(st, 7, o->chsi_hash);
    o->level = store_col_str(p, st, 8);
    o->programme = store_col_str(p, st, 9);
    o->department = store_col_str(p, st, 10);
    o->class_name = store_col_str(p, st, 11);
    o->phone = store_col_str(p, st, 12);
    o->person_id = sqlite3_column_int64(st, 13);
    o->verified_at = sqlite3_column_int64(st, 14);
    o->state = store_col_str(p, st, 15);
    o->created_at = sqlite3_column_int64(st, 16);
    int k = sqlite3_column_bytes(st, 17);
    uint8_t *c = k ? tc_pool_alloc(p, (size_t)k) : NULL;
    if (k)
        memcpy(c, sqlite3_column_blob(st, 17), (size_t)k);
    o->chsi_sealed = c;
    o->chsi_sealed_len = (size_t)k;
    o->chsi_bound_at = sqlite3_column_int64(st, 18);
}

static void read_student_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_student(p, st, o);
}

int tc_store_roster_import(tc_store *s, int64_t batch_id, const tc_student *rows, size_t n, size_t *bad_row,
                           size_t *inserted, size_t *updated, tc_err *e)
{
    return tc_store_roster_import_ex(s, batch_id, rows, n, 0, NULL, NULL, bad_row, inserted, updated, e);
}

static int zero_hash(const uint8_t h[32])
{
    uint8_t any = 0;
    for (int i = 0; i < 32; i++)
        any |= h[i];
    return any == 0;
}

int tc_store_roster_import_ex(tc_store *s, int64_t batch_id, const tc_student *rows, size_t n, int flags,
                              tc_store_roster_skip *skips, size_t *nskips, size_t *bad_row, size_t *inserted,
                              size_t *updated, tc_err *e)
{
    assert(!(flags & TC_STORE_ROSTER_SKIP) || (skips && nskips));
    *inserted = *updated = 0;
    *bad_row = (size_t)-1;
    if (nskips)
        *nskips = 0;
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    int64_t school_id = 0;
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT school_id FROM batch WHERE id = ?", "i", batch_id);
    if (!st)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        store_not_found(e, "采集批次", "batch", "batch.not_found");
        goto out;
    }
    school_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (store_exec(db, "BEGIN IMMEDIATE", e) != 0)
        goto out;
    int64_t now = tc_now();
    for (size_t i = 0; i < n; i++) {
        const tc_student *r = &rows[i];
        /* Upsert by student number: a corrected roster keeps progress. */
        st = store_q_prepare(db, e, "SELECT 1 FROM student WHERE batch_id = ? AND student_no = ?", "is", batch_id,
                       r->student_no);
        if (!st)
            goto rollback;
        int exists = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        const char *fail = NULL;
        if (zero_hash(r->chsi_hash) && exists) {
            /* keep the stored 采集码: an UPDATE that does not touch it (a new
             * row without one is inserted below with no code) */
            {
                st = store_q_prepare(db, e,
                               "UPDATE student SET name = ?, id_sealed = ?, id_hash = ?, level = ?, programme = ?,"
                               " department = ?, class_name = ?,"
                               " phone = CASE WHEN phone = '' THEN ? ELSE phone END"
                               " WHERE batch_id = ? AND student_no = ?",
                               "sbhsssssis", r->name, r->id_sealed, r->id_sealed_len, r->id_hash,
                               r->level ? r->level : "", r->programme ? r->programme : "",
                               r->department ? r->department : "", r->class_name ? r->class_name : "",
                               r->phone ? r->phone : "", batch_id, r->student_no);
                if (!st)
                    goto rollback;
            }
        } else {
            st = store_q_prepare(db, e,
                           /* no code (all zero): NULL, which never collides in the unique indexes */
                           "INSERT INTO student(batch_id, school_id, name, student_no, id_sealed, id_hash, chsi_hash,"
                           " level, programme, department, class_name, phone, created_at, chsi_sealed)"
                           " VALUES (?,?,?,?,?,?,nullif(?, zeroblob(32)),?,?,?,?,?,?,?)"
                           " ON CONFLICT(batch_id, student_no) DO UPDATE SET name = excluded.name,"
                           " id_sealed = excluded.id_sealed, id_hash = excluded.id_hash, chsi_hash = excluded.chsi_hash,"
                           " chsi_sealed = excluded.chsi_sealed,"
                           " chsi_bound_at = CASE WHEN student.chsi_hash IS excluded.chsi_hash THEN student.chsi_bound_at"
                           "   ELSE 0 END,"
                           " level = excluded.level, programme = excluded.programme, department = excluded.department,"
                           " class_name = excluded.class_name,"
                           " phone = CASE WHEN student.phone = '' THEN excluded.phone ELSE student.phone END",
                           "iissbhhsssssib", batch_id, school_id, r->name, r->student_no, r->id_sealed,
                           r->id_sealed_len, r->id_hash, r->chsi_hash, r->level ? r->level : "",
                           r->programme ? r->programme : "", r->department ? r->department : "",
                           r->class_name ? r->class_name : "", r->phone ? r->phone : "", now, r->chsi_sealed,
                           r->chsi_sealed_len);
            if (!st)
                goto rollback;
        }
        if (!fail) {
            if (sqlite3_step(st) == SQLITE_DONE) {
                if (exists)
                    (*updated)++;
                else
                    (*inserted)++;
                sqlite3_finalize(st);
                continue;
            }
            int ext = sqlite3_extended_errcode(db);
            sqlite3_finalize(st);
            if (ext != SQLITE_CONSTRAINT_UNIQUE) {
                store_db_err(e, db, "insert student");
                goto rollback;
            }
            /* a failed statement undoes only itself: the transaction goes on */
            fail = strstr(sqlite3_errmsg(db), "chsi_hash") ? "roster.chsi_taken" : "roster.conflict";
        }
        if (flags & TC_STORE_ROSTER_SKIP) {
            skips[*nskips].row = i;
            skips[*nskips].code = fail;
            (*nskips)++;
            continue;
        }
        *bad_row = i;
        if (!strcmp(fail, "roster.chsi_taken"))
            tc_err_set(e, 409, "roster.chsi_taken",
                       "第 %zu 行：该图像采集码已属于另一条学生记录（本批次、其他批次或其他学校），一个采集码只能对应一名学生",
                       "row %zu: this CHSI code already belongs to another student record (in this batch, another "
                       "batch or another school); a code belongs to one student only", i + 1);
        else
            tc_err_set(e, 409, "roster.conflict", "第 %zu 行：证件号码已属于本批次的另一名学生",
                       "row %zu: the ID number already belongs to another student of this batch", i + 1);
        goto rollback;
    }
    if (flags & TC_STORE_ROSTER_ROLLBACK) {
        if (store_exec(db, "ROLLBACK", e) == 0)
            rc = 0;
        goto out;
    }
    if (store_exec(db, "COMMIT", e) == 0)
        rc = 0;
    else
        goto rollback;
    goto out;
rollback:
    store_exec(db, "ROLLBACK", NULL);
    *inserted = *updated = 0;
out:
    store_release(s, db);
    return rc;
}

int tc_store_student_get(tc_store *s, tc_pool *p, int64_t id, tc_student *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE id = ?", "i", id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_student(p, st, out);
            rc = 0;
        } else
            store_not_found(e, "学生记录", "student record", "student.not_found");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_student_by_chsi(tc_store *s, tc_pool *p, int64_t batch_id, const uint8_t chsi_hash[32],
                             tc_student *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st =
        /* One row holds a code (migration 6); rows that shared one before are
         * marked chsi_dup and are never found by it. */
        batch_id ? store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0"
                                   " AND batch_id = ?", "hi", chsi_hash, batch_id)
                 : store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE chsi_hash = ? AND chsi_dup = 0",
                                   "h", chsi_hash);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_student(p, st, out);
            rc = 0;
        } else
            tc_err_set(e, 404, "entry.unknown_code",
                       "未找到该采集码对应的学生信息，请联系学校图采工作部门",
                       "No student matches this collection code: contact your school's photo collection office");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_students_by_name(tc_store *s, tc_pool *p, int64_t batch_id, const char *name, size_t max,
                              tc_student **out, size_t *n, tc_err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? AND name = ?"
                                       " AND (chsi_hash IS NULL OR chsi_bound_at > 0) ORDER BY id LIMIT ?",
                                       "isi", batch_id, name, (int64_t)max);
    int rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_student_bind_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, int64_t now, tc_err *e)
{
    assert(!zero_hash(chsi_hash));
    sqlite3 *db = store_acquire(s);
    int rc = -1;
    /* only a row with no code: one code per row, never replaced by a student */
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "UPDATE student SET chsi_hash = ?, chsi_sealed = ?, chsi_bound_at = ?,"
                                       " chsi_dup = 0 WHERE id = ? AND chsi_hash IS NULL",
                                       "hbii", chsi_hash, sealed, sealed_len, now, student_id);
    if (st) {
        int x = sqlite3_step(st);
        int ext = sqlite3_extended_errcode(db);
        sqlite3_finalize(st);
        if (x == SQLITE_DONE && sqlite3_changes(db) == 1)
            rc = 0;
        else if (x == SQLITE_DONE) {
            st = store_q_prepare(db, e, "SELECT 1 FROM student WHERE id = ?", "i", student_id);
            int found = st && sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
            if (found)
                tc_err_set(e, 409, "chsi.already_bound", "您的记录已绑定图像采集码；如绑定有误，请联系学校图采工作部门",
                           "Your record already has a CHSI code; if it is wrong, contact your school's photo "
                           "collection office");
            else
                store_not_found(e, "学生记录", "student record", "student.not_found");
        } else if (ext == SQLITE_CONSTRAINT_UNIQUE)
            tc_err_set(e, 409, "chsi.taken",
                       "该图像采集码已绑定在另一条学生记录上，不能重复使用；请确认扫描的是您本人的采集码，或联系学校图采工作部门",
                       "This CHSI code is already bound to another student record and cannot be used again: check "
                       "that it is your own code, or contact your school's photo collection office");
        else
            store_db_err(e, db, "bind code");
    }
    store_release(s, db);
    return rc;
}

int tc_store_student_clear_chsi(tc_store *s, int64_t student_id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                          store_q_prepare(db, e,
                                          "UPDATE student SET chsi_hash = NULL, chsi_sealed = NULL, chsi_bound_at = 0,"
                                          " chsi_dup = 0 WHERE id = ?",
                                          "i", student_id),
                          e);
    if (rc == 0 && sqlite3_changes(db) != 1)
        rc = store_not_found(e, "学生记录", "student record", "student.not_found");
    store_release(s, db);
    return rc;
}

int tc_store_student_seal_chsi(tc_store *s, int64_t student_id, const uint8_t chsi_hash[32], const uint8_t *sealed,
                               size_t sealed_len, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                          store_q_prepare(db, e,
                                          "UPDATE student SET chsi_sealed = ? WHERE id = ? AND chsi_hash = ?"
                                          " AND chsi_sealed IS NULL",
                                          "bih", sealed, sealed_len, student_id, chsi_hash),
                          e);
    store_release(s, db);
    return rc;
}

int tc_store_student_list(tc_store *s, tc_pool *p, int64_t batch_id, const char *q, int limit, int offset,
                          tc_student **out, size_t *n, int64_t *total, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    char *like = q && *q ? tc_pool_printf(p, "%s%%", q) : NULL;
    sqlite3_stmt *st;
    int rc = -1;
    if (like)
        st = store_q_prepare(db, e,
                       "SELECT count(*) FROM student WHERE batch_id = ? AND (name LIKE ? OR student_no LIKE ?)", "iss",
                       batch_id, like, like);
    else
        st = store_q_prepare(db, e, "SELECT count(*) FROM student WHERE batch_id = ?", "i", batch_id);
    if (!st)
        goto out;
    *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (like)
        st = store_q_prepare(db, e,
                       "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? AND (name LIKE ? OR student_no LIKE ?)"
                       " ORDER BY student_no LIMIT ? OFFSET ?",
                       "issii", batch_id, like, like, (int64_t)limit, (int64_t)offset);
    else
        st = store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE batch_id = ? ORDER BY student_no LIMIT ? OFFSET ?",
                       "iii", batch_id, (int64_t)limit, (int64_t)offset);
    rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
out:
    store_release(s, db);
    return rc;
}

int tc_store_student_by_person(tc_store *s, tc_pool *p, int64_t person_id, tc_student **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st =
        store_q_prepare(db, e, "SELECT " STUDENT_COLS " FROM student WHERE person_id = ? ORDER BY id DESC", "i", person_id);
    int rc = store_list_q(db, st, p, sizeof **out, read_student_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

int tc_store_student_verify(tc_store *s, int64_t student_id, int64_t person_id, const char *phone, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "UPDATE student SET person_id = ?, phone = ?, verified_at = ?,"
                              " state = CASE WHEN state = 'not_started' THEN 'verified' ELSE state END WHERE id = ?",
                              "isii", person_id, phone, tc_now(), student_id),
                    e);
    store_release(s, db);
    return rc;
}

/* ---- persons ----------------------------------------------------------------------------- */

int tc_store_person_upsert(tc_store *s, int64_t school_id, const uint8_t id_hash[32], const char *phone,
                           int64_t *person_id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* Keyed by (school, ID number): records of other schools are never
     * joined to this person.  An existing person keeps its data: the phone
     * of this confirmation goes to the record being confirmed only. */
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "INSERT INTO person(school_id, id_hash, phone, created_at) VALUES (?, ?, ?, ?)"
                                 " ON CONFLICT(school_id, id_hash) DO UPDATE SET phone = person.phone RETURNING id",
                                 "ihsi", school_id, id_hash, phone, tc_now());
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *person_id = sqlite3_column_int64(st, 0);
            rc = 0;
        } else
            store_db_err(e, db, "upsert person");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_person_last_phone(tc_store *s, int64_t school_id, const uint8_t id_hash[32], char *out, size_t cap,
                               tc_err *e)
{
    assert(out && cap > 0);
    out[0] = 0;
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                       "SELECT phone FROM student WHERE school_id = ? AND id_hash = ? AND phone != ''"
                                       " AND verified_at > 0 ORDER BY verified_at DESC, id DESC LIMIT 1",
                                       "ih", school_id, id_hash);
    int rc = -1;
    if (st) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", v ? (const char *)v : "");
            rc = 0;
        } else if (step == SQLITE_DONE)
            rc = 0;
        else
            store_db_err(e, db, "last phone");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_person_get(tc_store *s, int64_t person_id, int64_t *school_id, uint8_t id_hash[32], tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT id_hash, school_id FROM person WHERE id = ?", "i", person_id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            store_col_hash(st, 0, id_hash);
            *school_id = sqlite3_column_int64(st, 1);
            rc = 0;
        } else
            store_not_found(e, "用户", "person", "person.not_found");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

/* ---- staff ----------------------------------------------------------------------------------- */

#define STAFF_COLS "id, username, pwhash, role, coalesce(school_id, 0), must_change_password, disabled, created_at"

static void read_staff(tc_pool *p, sqlite3_stmt *st, tc_staff *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->username = store_col_str(p, st, 1);
    o->pwhash = store_col_str(p, st, 2);
    o->role = store_col_str(p, st, 3);
    o->school_id = sqlite3_column_int64(st, 4);
    o->must_change_password = sqlite3_column_int(st, 5);
    o->disabled = sqlite3_column_int(st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
}

static void read_staff_any(tc_pool *p, sqlite3_stmt *st, void *o)
{
    read_staff(p, st, o);
}

int tc_store_staff_create(tc_store *s, const tc_staff *a, int64_t *id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "INSERT INTO staff(username, pwhash, role, school_id, must_change_password, created_at)"
                                 " VALUES (?, ?, ?, nullif(?, 0), ?, ?)",
                                 "sssiii", a->username, a->pwhash, a->role, a->school_id,
                                 (int64_t)a->must_change_password, tc_now());
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_DONE) {
            *id = sqlite3_last_insert_rowid(db);
            rc = 0;
        } else {
            int ext = sqlite3_extended_errcode(db);
            if (ext == SQLITE_CONSTRAINT_UNIQUE)
                tc_err_set(e, 409, "staff.username_taken", "用户名 %s 已存在", "the user name %s is taken", a->username);
            else if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_FOREIGNKEY)
                tc_err_set(e, 400, "staff.bad_role", "角色或学校不正确（学校管理员必须属于一所学校）",
                           "bad role or school (a school admin belongs to exactly one school)");
            else
                store_db_err(e, db, "insert staff");
        }
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

static int staff_one(tc_store *s, tc_pool *p, const char *sql, const char *fmt, int64_t id, const char *name,
                     tc_staff *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = name ? store_q_prepare(db, e, sql, fmt, name) : store_q_prepare(db, e, sql, fmt, id);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_staff(p, st, out);
            rc = 0;
        } else
            store_not_found(e, "账号", "account", "staff.not_found");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_staff_get(tc_store *s, tc_pool *p, int64_t id, tc_staff *out, tc_err *e)
{
    return staff_one(s, p, "SELECT " STAFF_COLS " FROM staff WHERE id = ?", "i", id, NULL, out, e);
}

int tc_store_staff_by_username(tc_store *s, tc_pool *p, const char *username, tc_staff *out, tc_err *e)
{
    return staff_one(s, p, "SELECT " STAFF_COLS " FROM staff WHERE username = ?", "s", 0, username, out, e);
}

int tc_store_staff_set_password(tc_store *s, int64_t id, const char *pwhash, int must_change, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e, "UPDATE staff SET pwhash = ?, must_change_password = ? WHERE id = ?", "sii",
                              pwhash, (int64_t)must_change, id),
                    e);
    store_release(s, db);
    return rc;
}

int tc_store_staff_list(tc_store *s, tc_pool *p, tc_staff **out, size_t *n, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT " STAFF_COLS " FROM staff ORDER BY id", NULL);
    int rc = store_list_q(db, st, p, sizeof **out, read_staff_any, (void **)out, n, e);
    store_release(s, db);
    return rc;
}

/* ---- sessions ------------------------------------------------------------------------------------- */

int tc_store_session_create(tc_store *s, const tc_session *ss, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int64_t now = tc_now();
    /* Housekeeping on the write path: expired sessions go now and then. */
    if ((now & 63) == 0)
        store_exec(db, "DELETE FROM session WHERE expires_at < strftime('%s','now')", NULL);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "INSERT INTO session(token_hash, kind, staff_id, person_id, student_id, csrf, created_at,"
                              " expires_at) VALUES (?, ?, nullif(?,0), nullif(?,0), nullif(?,0), ?, ?, ?)",
                              "ssiiisii", ss->token_hash, ss->kind, ss->staff_id, ss->person_id, ss->student_id,
                              ss->csrf, now, ss->expires_at),
                    e);
    store_release(s, db);
    return rc;
}

int tc_store_session_get(tc_store *s, tc_pool *p, const char *token_hash, int64_t now, tc_session *out, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e,
                                 "SELECT token_hash, kind, coalesce(staff_id,0), coalesce(person_id,0),"
                                 " coalesce(student_id,0), csrf, created_at, expires_at FROM session"
                                 " WHERE token_hash = ? AND expires_at > ?",
                                 "si", token_hash, now);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(out->token_hash, sizeof out->token_hash, "%s", sqlite3_column_text(st, 0));
            out->kind = store_col_str(p, st, 1);
            out->staff_id = sqlite3_column_int64(st, 2);
            out->person_id = sqlite3_column_int64(st, 3);
            out->student_id = sqlite3_column_int64(st, 4);
            snprintf(out->csrf, sizeof out->csrf, "%s", sqlite3_column_text(st, 5));
            out->created_at = sqlite3_column_int64(st, 6);
            out->expires_at = sqlite3_column_int64(st, 7);
            rc = 0;
        } else
            tc_err_set(e, 401, "session.none", "请先登录或验证身份", "Please sign in or verify first");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_session_delete(tc_store *s, const char *token_hash, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db, store_q_prepare(db, e, "DELETE FROM session WHERE token_hash = ?", "s", token_hash), e);
    store_release(s, db);
    return rc;
}

int tc_store_session_delete_staff(tc_store *s, int64_t staff_id, const char *keep_hash, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e, "DELETE FROM session WHERE staff_id = ? AND token_hash <> ?", "is", staff_id,
                              keep_hash ? keep_hash : ""),
                    e);
    store_release(s, db);
    return rc;
}

/* ---- audit and lockouts ------------------------------------------------------------------------------ */

int tc_store_audit_verify(tc_store *s, const tc_verify_attempt *a, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "INSERT INTO verify_audit(at, ip, method, batch_id, student_id, ok, reason)"
                              " VALUES (?, ?, ?, nullif(?,0), nullif(?,0), ?, ?)",
                              "issiiis", tc_now(), a->ip ? a->ip : "", a->method, a->batch_id, a->student_id,
                              (int64_t)a->ok, a->reason),
                    e);
    store_release(s, db);
    return rc;
}

int64_t tc_store_audit_verify_count(tc_store *s, int64_t student_id, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT count(*) FROM verify_audit WHERE student_id = ?", "i", student_id);
    int64_t r = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        r = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_release(s, db);
    return r;
}

int tc_store_audit_staff(tc_store *s, int64_t staff_id, const char *action, const char *target, const char *before,
                         const char *after, const char *ip, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db,
                    store_q_prepare(db, e,
                              "INSERT INTO staff_audit(at, staff_id, action, target, before, after, ip)"
                              " VALUES (?, nullif(?,0), ?, ?, ?, ?, ?)",
                              "iisssss", tc_now(), staff_id, action, target, before, after, ip),
                    e);
    store_release(s, db);
    return rc;
}

int tc_store_lock_check(tc_store *s, const char *key, int64_t now, int64_t *until, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    sqlite3_stmt *st = store_q_prepare(db, e, "SELECT locked_until FROM lockout WHERE key = ?", "s", key);
    int rc = st ? 0 : -1;
    *until = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t u = sqlite3_column_int64(st, 0);
        *until = u > now ? u : 0;
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_lock_fail(tc_store *s, const char *key, int64_t now, int window_s, int max_fails, int lock_s, int *fails,
                       int64_t *until, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* One statement, so concurrent failures for the same key cannot both
     * read the old count: restart the window when it has passed, count, and
     * lock when the count reaches the limit. */
    sqlite3_stmt *st = store_q_prepare(
        db, e,
        "INSERT INTO lockout(key, fails, window_start, locked_until) VALUES (?1, 1, ?2, CASE WHEN ?4 <= 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN 1 ELSE fails + 1 END,"
        "  window_start = CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN ?2 ELSE window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN window_start + ?3 < ?2 OR locked_until > 0 AND locked_until <= ?2 THEN 1 ELSE fails + 1 END) >= ?4"
        "    THEN ?2 + ?5 ELSE CASE WHEN locked_until > ?2 THEN locked_until ELSE 0 END END"
        " RETURNING fails, locked_until",
        "siiii", key, now, (int64_t)window_s, (int64_t)max_fails, (int64_t)lock_s);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *fails = sqlite3_column_int(st, 0);
            *until = sqlite3_column_int64(st, 1);
            rc = 0;
        } else
            store_db_err(e, db, "lockout");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_throttle_fail(tc_store *s, const char *key, int64_t now, int window_s, int free_fails, int base_s,
                           int max_s, int64_t *until, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    /* One statement, as lock_fail.  The count restarts only when a whole
     * window passed since its first failure; each failure past the free ones
     * doubles the wait (base << k, at most max_s), so a patient guesser gets
     * a handful of tries an hour while a user who mistypes five times waits
     * seconds. */
    sqlite3_stmt *st = store_q_prepare(
        db, e,
        "INSERT INTO lockout(key, fails, window_start, locked_until) VALUES (?1, 1, ?2,"
        "  CASE WHEN ?4 < 1 THEN ?2 + ?5 ELSE 0 END)"
        " ON CONFLICT(key) DO UPDATE SET"
        "  fails = CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END,"
        "  window_start = CASE WHEN window_start + ?3 < ?2 THEN ?2 ELSE window_start END,"
        "  locked_until = CASE WHEN (CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END) > ?4"
        "    THEN ?2 + min(?6, ?5 << min(20, (CASE WHEN window_start + ?3 < ?2 THEN 1 ELSE fails + 1 END) - ?4 - 1))"
        "    ELSE 0 END"
        " RETURNING locked_until",
        "siiiii", key, now, (int64_t)window_s, (int64_t)free_fails, (int64_t)base_s, (int64_t)max_s);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *until = sqlite3_column_int64(st, 0);
            rc = 0;
        } else
            store_db_err(e, db, "throttle");
    }
    sqlite3_finalize(st);
    store_release(s, db);
    return rc;
}

int tc_store_lock_clear(tc_store *s, const char *key, tc_err *e)
{
    sqlite3 *db = store_acquire(s);
    int rc = store_q_done(db, store_q_prepare(db, e, "DELETE FROM lockout WHERE key = ?", "s", key), e);
    store_release(s, db);
    return rc;
}
