// Several 学历 (issue 19 item 2): one person with two records of one school
// (the demo's 本科 and 第二学士学位) lists both and switches the session's
// current record, each with its own journey, agreements and drafts; a record
// of another person is never listed nor reachable; a record of another
// school with the same ID number is listed only once proved (添加学历); a
// switch refuses what entering that record would refuse (batch cancelled,
// outside its window, the record locked); every switch is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, acceptConsent, ROOT, execFileSync, dbSql } from './lib.mjs';

const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let srv, demo, admin;

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  demo = srv.demo;
  admin = new Client(srv.url);
  await admin.staffLogin(demo.staff[0].username, demo.staff[0].password);
});
after(async () => { await srv.stop(); });

const sql = (q) => dbSql(srv.dataDir, q);

async function signIn(st, phone = '13800138002') {
  const c = new Client(srv.url);
  await c.csrf();
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: st.id_last4 }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone } });
  assert.equal(r.status, 200, r.text);
  return c;
}

async function newBatch(schoolId, name) {
  const r = await admin.post(`/api/v1/schools/${schoolId}/batches`, { json: { name } });
  assert.equal(r.status, 201, r.text);
  return r.data.batch;
}

async function importRows(batchId, rows) {
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + rows.map((x) => x.join(',')).join('\n') + '\n';
  const r = await admin.post(`/api/v1/batches/${batchId}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const s = await admin.get(`/api/v1/batches/${batchId}/students?limit=500`);
  return s.data.students;
}

async function made(c, id) {
  for (let i = 0; i < 600; i++) {
    const r = await c.get(`/api/v1/me/photos/${id}`);
    assert.equal(r.status, 200, r.text);
    if (r.data.state !== 'processing') return r.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing after 60 s');
}

let nana, recA, recB; // the demo person, her 本科 and 第二学士学位 records

test('the demo person lists both records; the current one is marked and the other can be switched to', async () => {
  assert.ok(demo.degrees, 'demo.json names the person with two records');
  const st = demo.students[demo.degrees.student];
  nana = await signIn(st);
  let r = await nana.get('/api/v1/me');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.records.length, 2, JSON.stringify(r.data.records));
  recA = r.data.current_record;
  const b = r.data.records.find((x) => x.id !== recA);
  recB = b.id;
  assert.equal(b.student_no, demo.degrees.student_no);
  assert.equal(b.level, '第二学士学位');
  assert.equal(b.batch, demo.degrees.batch.name);
  assert.equal(b.state, 'not_started', 'listed, not confirmed by being listed');
  r = await nana.get('/api/v1/me/records');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.current_record, recA);
  const a = r.data.records.find((x) => x.id === recA), bb = r.data.records.find((x) => x.id === recB);
  assert.equal(a.current, true);
  assert.equal(a.switchable, false);
  assert.equal(bb.current, false);
  assert.equal(bb.switchable, true);
  assert.equal(bb.blocked, null);
  assert.equal(bb.programme, '金融学');
  assert.equal(bb.school, demo.school);
  r = await nana.get(`/api/v1/me/records/${recB}`);
  assert.equal(r.status, 200, 'one record of the list, read alone: ' + r.text);
  assert.equal(r.data.student.student_no, demo.degrees.student_no);
});

test('a switch needs the CSRF token and a student session', async () => {
  let r = await nana.post(`/api/v1/me/records/${recB}/switch`, { csrf: false });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'auth.csrf');
  r = await admin.post(`/api/v1/me/records/${recB}/switch`);
  assert.equal(r.status, 401, r.text);
  const anon = new Client(srv.url);
  await anon.csrf();
  r = await anon.post(`/api/v1/me/records/${recB}/switch`);
  assert.equal(r.status, 401, r.text);
  r = await nana.post('/api/v1/me/records/abc/switch');
  assert.equal(r.status, 404, r.text);
  assert.equal((await nana.get('/api/v1/me')).data.current_record, recA, 'nothing switched');
});

test('each record keeps its own journey, agreements and drafts', { timeout: 180000 }, async () => {
  // record A: agreements, the steps read, and (with the photos) a draft
  await acceptConsent(nana);
  for (const s of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await nana.post('/api/v1/me/' + s)).status, 200);
  let draftA = null;
  if (havePhotos) {
    const r = await nana.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
    assert.equal(r.status, 202, r.text);
    draftA = (await made(nana, r.data.photo.id)).id;
  }
  let j = (await nana.get('/api/v1/me/journey')).data;
  assert.equal(j.consent.accepted, true);
  assert.equal(j.student.id, recA);
  const stepA = j.step;
  assert.notEqual(stepA, 'consent');
  if (draftA) assert.deepEqual(j.drafts.map((d) => d.id), [draftA]);

  // switch to B: its own journey from the start, the phone carried over
  let r = await nana.post(`/api/v1/me/records/${recB}/switch`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.current_record, recB);
  assert.equal(r.data.student.current, true);
  assert.equal(r.data.student.state, 'verified', 'confirmed for the person by the switch');
  assert.equal(r.data.student.phone, '13800138002');
  r = await nana.get('/api/v1/me');
  assert.equal(r.data.current_record, recB);
  j = (await nana.get('/api/v1/me/journey')).data;
  assert.equal(j.student.id, recB);
  assert.equal(j.step, 'consent', 'B has its own agreements to accept');
  assert.equal(j.consent.accepted, false);
  assert.deepEqual(j.drafts, []);
  await acceptConsent(nana);
  j = (await nana.get('/api/v1/me/journey')).data;
  assert.equal(j.step, 'notice');
  if (draftA) {
    // the person's own photo stays hers to look at, but it is not B's draft
    // and cannot be submitted as B's photo
    r = await nana.post('/api/v1/me/submission', { json: { photo_id: draftA } });
    assert.ok(r.status >= 400, 'A\'s draft submitted for B: ' + r.text);
    assert.equal((await nana.get('/api/v1/me/journey')).data.submission, null);
  }

  // back to A: as it was left
  r = await nana.post(`/api/v1/me/records/${recA}/switch`);
  assert.equal(r.status, 200, r.text);
  j = (await nana.get('/api/v1/me/journey')).data;
  assert.equal(j.step, stepA);
  if (draftA) assert.deepEqual(j.drafts.map((d) => d.id), [draftA]);
  if (draftA) {
    // the message centre lists every record's messages: each names its record
    const m = (await nana.get('/api/v1/me/messages')).data.messages;
    const about = m.find((x) => x.kind === 'photo_passed' || x.kind === 'photo_failed');
    assert.ok(about, JSON.stringify(m));
    assert.equal(about.student_id, recA);
  }
  // a switch to the current record changes nothing
  r = await nana.post(`/api/v1/me/records/${recA}/switch`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.current_record, recA);
});

test('every switch is in the entry log', async () => {
  const rows = sql(`SELECT student_id || ':' || ok FROM verify_audit WHERE method = 'switch' ORDER BY id`).split('\n');
  assert.deepEqual(rows, [`${recB}:1`, `${recA}:1`]);
});

test('a record of another person is never listed nor reachable, even in the same school', async () => {
  const other = demo.students[3];
  const o = await signIn(other, '13800138003');
  const oid = (await o.get('/api/v1/me')).data.current_record;
  for (const p of ['/api/v1/me', '/api/v1/me/records']) {
    const r = await nana.get(p);
    assert.ok(!r.data.records.some((x) => x.id === oid), p);
  }
  let r = await nana.post(`/api/v1/me/records/${oid}/switch`);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.data.error.code, 'records.not_found');
  r = await nana.post('/api/v1/me/records/999999/switch');
  assert.equal(r.status, 404, 'the same answer for a record that does not exist');
  assert.equal(r.data.error.code, 'records.not_found');
  // and the other person does not see hers
  r = await o.get('/api/v1/me/records');
  assert.deepEqual(r.data.records.map((x) => x.id), [oid]);
  r = await o.post(`/api/v1/me/records/${recB}/switch`);
  assert.equal(r.status, 404);
  assert.equal((await nana.get('/api/v1/me')).data.current_record, recA);
  assert.equal(sql(`SELECT count(*) FROM verify_audit WHERE method = 'switch' AND ok = 0 AND student_id IS NULL AND reason = 'records.not_found'`), '3',
    'refusals are logged without naming a record that is not theirs');
});

test('another school\'s row with the same ID number: not listed until proved (添加学历), then switchable', async () => {
  const st = demo.students[demo.degrees.student];
  let r = await admin.post('/api/v1/schools', { json: { name: '同号学院' } });
  assert.equal(r.status, 201, r.text);
  const batch = await newBatch(r.data.school.id, '同号学院 2026届硕士');
  const [row] = await importRows(batch.id, [[st.name, 'M2026001', st.id_number, '硕士', '统计学', '研1班', 'CODE-DEG-M1']]);
  r = await nana.get('/api/v1/me/records');
  assert.ok(!r.data.records.some((x) => x.id === row.id), 'the same ID number at another school is not listed');
  r = await nana.post(`/api/v1/me/records/${row.id}/switch`);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.data.error.code, 'records.not_found');

  // someone entering that row directly (it carries the same ID number) sees only it
  const x = new Client(srv.url);
  await x.csrf();
  r = await x.post('/api/v1/entry/code', { form: fileForm({ feature_code: batch.code, id_last4: st.id_last4, chsi_code: 'CODE-DEG-M1' }) });
  assert.equal(r.status, 200, r.text);
  r = await x.post('/api/v1/entry/confirm', { json: { phone: '13900139009' } });
  assert.equal(r.status, 200, r.text);
  r = await x.get('/api/v1/me/records');
  assert.deepEqual(r.data.records.map((y) => y.id), [row.id], 'no record of the first school by ID number');
  for (const id of [recA, recB]) {
    r = await x.post(`/api/v1/me/records/${id}/switch`);
    assert.equal(r.status, 404, r.text);
  }

  // the person proves it (code and last four): listed, and a switch works
  r = await nana.post('/api/v1/entry/code', { form: fileForm({ feature_code: batch.code, id_last4: st.id_last4, chsi_code: 'CODE-DEG-M1' }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.step, 'added');
  r = await nana.get('/api/v1/me/records');
  assert.ok(r.data.records.some((y) => y.id === row.id));
  r = await nana.post(`/api/v1/me/records/${row.id}/switch`);
  assert.equal(r.status, 200, r.text);
  assert.equal((await nana.get('/api/v1/me/journey')).data.student.id, row.id);
  r = await nana.post(`/api/v1/me/records/${recA}/switch`);
  assert.equal(r.status, 200, r.text);
});

test('a switch refuses what the entry would: batch cancelled, outside its window, record locked', async () => {
  const st = demo.students[demo.degrees.student];
  const mk = async (name, no, code) => {
    const b = await newBatch(demo.school_id, name);
    const [row] = await importRows(b.id, [[st.name, no, st.id_number, '本科', '辅修', '1班', code]]);
    return { b, row };
  };
  const later = await mk('辅修 未开始', 'F001', 'CODE-DEG-F1');
  const cancelled = await mk('辅修 已取消', 'F002', 'CODE-DEG-F2');
  const locked = await mk('辅修 已锁定', 'F003', 'CODE-DEG-F3');
  const now = Math.floor(Date.now() / 1000);
  let r = await admin.req('PUT', `/api/v1/batches/${later.b.id}`, { json: { starts_at: now + 86400, ends_at: now + 2 * 86400 } });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/batches/${cancelled.b.id}/cancel`, { json: { reason: '测试' } });
  assert.equal(r.status, 200, r.text);
  // five wrong last fours on the third row's code lock it, as at entry
  const g = new Client(srv.url);
  await g.csrf();
  const wrong = st.id_last4 === '0000' ? '1111' : '0000';
  for (let i = 0; i < 5; i++) await g.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CODE-DEG-F3', id_last4: wrong }) });

  r = await nana.get('/api/v1/me/records');
  const byId = new Map(r.data.records.map((x) => [x.id, x]));
  const want = [[later, 'entry.outside_window'], [cancelled, 'entry.batch_cancelled'], [locked, 'entry.locked']];
  for (const [x, code] of want) {
    const rec = byId.get(x.row.id);
    assert.ok(rec, 'listed: ' + x.b.name);
    assert.equal(rec.switchable, false);
    assert.equal(rec.blocked.code, code);
    assert.ok(rec.blocked.zh && rec.blocked.en);
    r = await nana.post(`/api/v1/me/records/${x.row.id}/switch`);
    assert.equal(r.data.error.code, code, r.text);
    assert.ok(r.status >= 400);
  }
  assert.equal((await nana.get('/api/v1/me')).data.current_record, recA);
  assert.equal(sql(`SELECT count(*) FROM verify_audit WHERE method = 'switch' AND ok = 0 AND student_id = ${locked.row.id}`), '1');
});

test('an erased record is no longer listed', async () => {
  const sa = new Client(srv.url);
  const acct = demo.staff.find((s) => s.role === 'school_admin');
  await sa.staffLogin(acct.username, acct.password);
  let r = await sa.post(`/api/v1/students/${recB}/erase`, { json: { confirm: demo.degrees.student_no } });
  if (r.status !== 200) r = await admin.post(`/api/v1/students/${recB}/erase`, { json: { confirm: demo.degrees.student_no } });
  assert.equal(r.status, 200, r.text);
  r = await nana.get('/api/v1/me/records');
  assert.ok(!r.data.records.some((x) => x.id === recB));
  r = await nana.post(`/api/v1/me/records/${recB}/switch`);
  assert.equal(r.status, 404);
});
