// Consent and retention (issue 19 item 5): the 服务协议 and 隐私政策 are
// accepted before any photo (the upload refuses until then, a new version
// asks again); originals, drafts and rejected photos go retention_days after
// the batch closed while the final photo and the orders stay; a school admin
// erases one student's personal data on request, audited, orders kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, enrolStudent, acceptConsent, ROOT, execFileSync, dbSql } from './lib.mjs';

const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let srv, admin, school, reviewer, schoolAdmin, otherAdmin;
let seq = 700;
// the sweep every second, so the retention test need not wait an hour
const ARGS = ['--sweep-interval-s', '1'];

async function staff(username, role, schoolId) {
  const password = 'Init-pass-' + username;
  const x = await admin.post('/api/v1/staff/accounts', { json: { username, role, password, school_id: schoolId } });
  assert.equal(x.status, 201, x.text);
  const c = new Client(srv.url);
  await c.staffLogin(username, password);
  return c;
}

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS }, extraArgs: ARGS });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '同意测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  r = await admin.post('/api/v1/schools', { json: { name: '另一所大学' } });
  const other = r.data.school;
  reviewer = await staff('consent-reviewer', 'reviewer');
  schoolAdmin = await staff('consent-school', 'school_admin', school.id);
  otherAdmin = await staff('consent-other', 'school_admin', other.id);
});
after(async () => { if (srv) { const r = await srv.stop(); if (process.env.TC_DEBUG_LOG) console.log(r.log.slice(-5000)); } });

async function batchWith(settings) {
  const r = await admin.post(`/api/v1/schools/${school.id}/batches`,
    { json: { name: 'consent ' + seq, settings: { checks: { disabled: ['duplicate'] }, ...settings } } });
  assert.equal(r.status, 201, r.text);
  return r.data.batch;
}

async function student(batch, { consent = true } = {}) {
  return enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'CONSENT', name: '同意', no: 'C', consent });
}

async function readSteps(c) {
  for (const s of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await c.post('/api/v1/me/' + s)).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
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

const db = () => path.join(srv.dataDir, 'tucai.db');
const sql = (q) => dbSql(srv.dataDir, q);
const blobExists = (id) => id !== '' && existsSync(path.join(srv.dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id));
// blobs are content-addressed: a file another photo still keeps stays
const keptElsewhere = (id) => sql(`SELECT count(*) FROM photo WHERE swept_at = 0 AND '${id}' IN (upload_blob, original_blob, standard_blob, proof_blob, overlay_blob, final_blob)`) !== '0';
const goneUnlessKept = (id, what) => assert.equal(blobExists(id), keptElsewhere(id), `${what}: ${id}`);
const junk = () => fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source: 'album' });

test('no photo before the agreements are accepted; acceptance is recorded with versions, time and address', async () => {
  const batch = await batchWith({});
  const c = await student(batch, { consent: false });
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'consent');
  const k = j.data.consent;
  assert.equal(k.accepted, false);
  assert.equal(k.terms.version, 1);
  assert.equal(k.privacy.version, 1);
  // the texts the page shows are served, in both languages
  for (const u of [k.terms.zh_url, k.terms.en_url, k.privacy.zh_url, k.privacy.en_url]) {
    const t = await fetch(srv.url + u);
    assert.equal(t.status, 200, u);
    assert.match(t.headers.get('content-type'), /^text\/plain/);
  }
  const privacy = await (await fetch(srv.url + k.privacy.zh_url)).text();
  for (const w of ['身份证号', '采集码', '原始照片', '{retention_days}', '敏感个人信息', '删除']) assert.ok(privacy.includes(w), w);
  // the notice and tips may be read, but no photo goes in: either source
  await readSteps(c);
  for (const source of ['album', 'camera']) {
    const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source }) });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.data.error.code, 'journey.consent_required');
    assert.match(r.data.error.zh, /服务协议.*隐私政策/);
    assert.doesNotMatch(r.data.error.zh, /[A-Za-z]/, 'no English word in the Chinese text');
    assert.match(r.data.error.en, /privacy policy/);
  }
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.shoot.allowed, false);
  assert.equal(j.data.shoot.reason.code, 'journey.consent_required');
  // a body without both versions, or with old ones, is refused
  let r = await c.post('/api/v1/me/consent', { json: { terms_version: 1 } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'journey.consent_bad');
  r = await c.post('/api/v1/me/consent', { json: { terms_version: 1, privacy_version: 0 } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.consent_stale');
  r = await c.post('/api/v1/me/consent', { json: { terms_version: 1, privacy_version: 1 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.step, 'shoot');
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.consent.accepted, true);
  assert.equal(j.data.shoot.allowed, true);
  // past the gate: the junk upload is now judged as a picture, not refused for consent
  r = await c.post('/api/v1/me/photos', { form: junk() });
  assert.notEqual(r.data && r.data.error && r.data.error.code, 'journey.consent_required', r.text);
  const row = sql(`SELECT terms_version, privacy_version, at > 0, ip FROM consent WHERE student_id = ${c.studentId}`);
  assert.equal(row, '1|1|1|127.0.0.1');
  // a student without a session cannot accept for anyone
  const anon = new Client(srv.url);
  await anon.csrf();
  assert.equal((await anon.post('/api/v1/me/consent', { json: { terms_version: 1, privacy_version: 1 } })).status, 401);
});

test('retention_days is a school setting with bounds', async () => {
  let r = await schoolAdmin.get(`/api/v1/schools/${school.id}/settings`);
  assert.equal(r.status, 200, r.text);
  r = await schoolAdmin.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: { retention_days: 400 } } });
  assert.equal(r.status, 400, r.text);
  assert.match(JSON.stringify(r.data), /retention_days/);
  r = await schoolAdmin.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: { retention_days: 45 } } });
  assert.equal(r.status, 200, r.text);
  const batch = await batchWith({});
  const c = await student(batch);
  assert.equal((await c.get('/api/v1/me/journey')).data.settings.retention_days, 45);
  r = await schoolAdmin.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: {} } });
  assert.equal(r.status, 200, r.text);
});

test('after the season: originals, drafts and rejected photos go; the final photo and the order stay', { skip: noPhotos, timeout: 300000 }, async () => {
  const batch = await batchWith({ pay_when: 'after_confirm', fee_fen: 1200, retention_days: 1 });
  // one student to the final photo, paid
  const a = await student(batch);
  await readSteps(a);
  let r = await a.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
  assert.equal(r.status, 202, r.text);
  const pa = await made(a, r.data.photo.id);
  assert.equal(pa.state, 'draft', JSON.stringify(pa.failed));
  r = await a.post('/api/v1/me/submission', { json: { photo_id: pa.id } });
  assert.equal(r.status, 200, r.text);
  r = await a.post('/api/v1/me/pay');
  const no = r.data.order.out_trade_no;
  assert.equal((await a.post(`/api/v1/pay/sandbox/${no}/pay`)).status, 200);
  r = await reviewer.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === pa.id);
  assert.ok(item);
  assert.equal((await reviewer.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  assert.equal((await reviewer.post(`/api/v1/review/submissions/${item.id}/final`)).status, 200);
  // another leaves a draft in the box
  const b = await student(batch);
  await readSteps(b);
  r = await b.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
  const pb = await made(b, r.data.photo.id);
  assert.equal(pb.state, 'draft');
  const blobsOf = (id) => sql(`SELECT upload_blob, original_blob, standard_blob, proof_blob, overlay_blob, final_blob FROM photo WHERE id = ${id}`).split('|');
  const [aUp, aOrig, aStd, aProof, aOver, aFinal] = blobsOf(pa.id);
  assert.ok(blobExists(aUp) && blobExists(aOrig) && blobExists(aFinal));
  const bAll = blobsOf(pb.id).filter(Boolean);

  // the batch closed an hour ago: within its day of retention nothing goes
  r = await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { ends_at: Math.floor(Date.now() / 1000) - 3600 } });
  assert.equal(r.status, 200, r.text);
  await new Promise((res) => setTimeout(res, 2500));
  assert.ok(blobExists(aOrig), 'kept within the retention period');
  assert.equal(sql(`SELECT count(*) FROM staff_audit WHERE action = 'retention.purge'`), '0');

  // retention 0 days: the next sweep purges the batch
  r = await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { settings: { checks: { disabled: ['duplicate'] }, pay_when: 'after_confirm', fee_fen: 1200, retention_days: 0 } } });
  assert.equal(r.status, 200, r.text);
  for (let i = 0; i < 100 && blobExists(aOrig); i++) await new Promise((res) => setTimeout(res, 200));
  assert.ok(!blobExists(aOrig), 'the upright original is gone');
  assert.ok(!blobExists(aUp), 'the upload is gone');
  if (aOver) assert.ok(!blobExists(aOver), 'the reviewers\' overlay is gone');
  assert.ok(blobExists(aFinal) && blobExists(aStd) && blobExists(aProof), 'the final, standard and proof photos stay');
  for (const x of bAll) goneUnlessKept(x, 'every file of the draft is gone unless the final photo has the same bytes');
  assert.ok(bAll.some((x) => !blobExists(x)), 'the draft lost files');
  assert.equal(sql(`SELECT state, swept_at > 0 FROM photo WHERE id = ${pb.id}`), 'deleted|1');
  assert.equal(sql(`SELECT upload_blob || original_blob, swept_at FROM photo WHERE id = ${pa.id}`), '|0');
  // the student still has the result, the order is untouched
  const std = await fetch(srv.url + '/api/v1/me/result/standard.jpg', { headers: { cookie: a.cookieHeader() } });
  assert.equal(std.status, 200);
  const orders = (await a.get('/api/v1/me/orders')).data.orders;
  assert.equal(orders.length, 1);
  assert.equal(orders[0].state, 'paid');
  assert.equal(orders[0].amount_fen, 1200);
  assert.equal((await b.get('/api/v1/me/journey')).data.drafts.length, 0);
  // audited once with the counts; a second sweep changes nothing (idempotent)
  await new Promise((res) => setTimeout(res, 2500));
  const audit = sql(`SELECT target, after FROM staff_audit WHERE action = 'retention.purge'`).split('\n');
  assert.equal(audit.length, 1, audit.join('\n'));
  assert.match(audit[0], new RegExp(`^batch:${batch.id}\\|\\{"photos":\\d+,"files":\\d+,"retention_days":0\\}$`));
});

test('a school admin erases one student\'s personal data; orders and the audit row stay', { timeout: 300000 }, async () => {
  const batch = await batchWith({ pay_when: 'before_shoot', fee_fen: 800 });
  const c = await student(batch);
  await readSteps(c);
  let r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 200, r.text);
  const no = r.data.order.out_trade_no;
  assert.equal((await c.post(`/api/v1/pay/sandbox/${no}/pay`)).status, 200);
  let files = [];
  if (havePhotos) {
    r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
    assert.equal(r.status, 202, r.text);
    const p = await made(c, r.data.photo.id);
    files = sql(`SELECT upload_blob, original_blob, standard_blob, proof_blob FROM photo WHERE id = ${p.id}`).split('|').filter(Boolean);
    assert.ok(files.every(blobExists));
  }
  const before = (await schoolAdmin.get(`/api/v1/students/${c.studentId}`)).data.student;
  // another school's admin, a student, a wrong confirmation: refused
  r = await otherAdmin.post(`/api/v1/students/${c.studentId}/erase`, { json: { confirm: before.student_no } });
  assert.equal(r.status, 403);
  r = await c.post(`/api/v1/students/${c.studentId}/erase`, { json: { confirm: before.student_no } });
  assert.ok(r.status === 401 || r.status === 403, r.text);
  r = await schoolAdmin.post(`/api/v1/students/${c.studentId}/erase`, { json: { confirm: before.student_no + 'x' } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'student.erase_confirm');
  // a request without the CSRF token is refused like every console POST
  const raw = await fetch(`${srv.url}/api/v1/students/${c.studentId}/erase`, { method: 'POST',
    headers: { cookie: schoolAdmin.cookieHeader(), 'content-type': 'application/json' }, body: JSON.stringify({ confirm: before.student_no }) });
  assert.equal(raw.status, 403);

  r = await schoolAdmin.post(`/api/v1/students/${c.studentId}/erase`, { json: { confirm: before.student_no } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.kept.orders, 1);
  assert.equal(r.data.erased.consents, 1);
  assert.equal(r.data.erased.photos, havePhotos ? 1 : 0);
  for (const f of files) goneUnlessKept(f, 'every photo file is gone unless another photo keeps the same bytes');
  if (havePhotos) assert.ok(files.some((f) => !blobExists(f)), 'the student\'s files are gone');
  const ra = await schoolAdmin.get(`/api/v1/students/${c.studentId}`);
  assert.equal(ra.status, 200, ra.text);
  const after = ra.data.student;
  assert.equal(after.name, '');
  assert.equal(after.student_no, `已删除-${c.studentId}`);
  assert.equal(after.phone, '');
  assert.equal(after.chsi_bound, false);
  assert.ok(after.erased_at > 0);
  // the student is signed out; nothing of the person is left but the order
  assert.equal((await c.get('/api/v1/me')).status, 401);
  assert.equal(sql(`SELECT count(*) FROM consent WHERE student_id = ${c.studentId}`), '0');
  assert.equal(sql(`SELECT count(*) FROM photo WHERE student_id = ${c.studentId}`), '0');
  assert.equal(sql(`SELECT count(*) FROM message WHERE student_id = ${c.studentId}`), '0');
  assert.equal(sql(`SELECT email || phone || wx_openid, chsi_hash IS NULL FROM student WHERE id = ${c.studentId}`), '|1');
  assert.equal(sql(`SELECT out_trade_no, amount_fen, state, paid_at > 0 FROM pay_order WHERE student_id = ${c.studentId}`),
    `${no}|800|paid|1`);
  // audited: who, which student, what went and what was kept (no personal data)
  r = await admin.get(`/api/v1/admin/audit?action=student.erase`);
  assert.equal(r.status, 200, r.text);
  const row = (r.data.rows || r.data.items || r.data.audit || []).find((x) => x.target === `student:${c.studentId}`);
  assert.ok(row, JSON.stringify(r.data).slice(0, 500));
  assert.match(JSON.stringify(row), /consent-school/);
  assert.match(row.after, /"kept":\{"orders":1\}/);
  assert.doesNotMatch(JSON.stringify(row), new RegExp(before.student_no));
  // once only
  r = await schoolAdmin.post(`/api/v1/students/${c.studentId}/erase`, { json: { confirm: after.student_no } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'student.erased');
});

test('a new version of the privacy policy asks again before any photo', async () => {
  const batch = await batchWith({});
  const c = await student(batch);
  await readSteps(c);
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'shoot');
  // the operator publishes version 2 and restarts
  await srv.stop({ keep: true });
  srv = await startServer({ dataDir: srv.dataDir, demo: false, env: { TUCAI_MODELS: MODELS }, extraArgs: [...ARGS, '--privacy-version', '2'] });
  c.base = srv.url;
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.status, 200, j.text);
  assert.equal(j.data.step, 'consent');
  assert.equal(j.data.consent.accepted, false);
  assert.equal(j.data.consent.accepted_privacy, 1);
  assert.equal(j.data.consent.privacy.version, 2);
  let r = await c.post('/api/v1/me/photos', { form: junk() });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.consent_required');
  r = await c.post('/api/v1/me/consent', { json: { terms_version: 1, privacy_version: 1 } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.consent_stale');
  assert.match(r.data.error.zh, /第 1 版和第 2 版/);
  await acceptConsent(c);
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'shoot');
  assert.equal(sql(`SELECT privacy_version FROM consent WHERE student_id = ${c.studentId} ORDER BY id`).split('\n').join(','), '1,2');
});
