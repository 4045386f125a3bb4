// The student's journey over HTTP (issue 6): the server's state machine
// refuses every step out of order — skipping the notice, shooting while
// locked or cooling off, deleting a draft too early, confirming twice,
// paying twice, withdrawing after approval — and walks the whole way from
// verification to the final photo.  Photos are real portraits made and
// checked by the real pipeline (needs ../shared/testdata and the models).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, enrolStudent, jpegSize, ROOT, dbSql } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const BAD = path.join(PORTRAITS, 'two_people.jpg');

let srv, admin, school, reviewer, schoolAdmin;
let seq = 500;

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const r = await admin.post('/api/v1/schools', { json: { name: '旅程测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  const mk = async (username, role) => {
    const password = 'Init-pass-' + username;
    const x = await admin.post('/api/v1/staff/accounts',
      { json: { username, role, password, school_id: role === 'school_admin' ? school.id : undefined } });
    assert.equal(x.status, 201, x.text);
    const c = new Client(srv.url);
    await c.staffLogin(username, password);
    return c;
  };
  reviewer = await mk('journey-reviewer', 'reviewer');
  schoolAdmin = await mk('journey-school', 'school_admin');
});
after(async () => { if (srv) { const r = await srv.stop(); if (process.env.TC_DEBUG_LOG) console.log(r.log.slice(-5000)); } });

// A batch with these settings and one verified student in it.
// The same good portrait serves several students here, which the duplicate
// check (同版照片) rightly refuses; it is switched off except where tested.
async function student(settings) {
  settings = { checks: { disabled: ['duplicate'] }, ...settings };
  let r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: 'batch ' + seq, settings } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'JOURNEY', name: '旅程', no: 'J' });
  return c;
}

async function readSteps(c, { tutorial = true } = {}) {
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
  if (tutorial) assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
}

async function upload(c, file, source = 'camera') {
  return c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: file, type: 'image/jpeg' }, source }) });
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

test('bad settings are refused when a batch is opened', async () => {
  let r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: 'x', settings: { draft_capacity: 0 } } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'journey.bad_settings');
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: 'x', settings: { pay_wen: 'school' } } });
  assert.equal(r.status, 400);
  assert.match(r.data.error.en, /pay_wen/);
});

test('steps out of order are refused; the journey names the next step', async () => {
  const c = await student({ album_allowed: false });
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.status, 200, j.text);
  assert.equal(j.data.step, 'notice');
  assert.equal(j.data.settings.album_allowed, false);
  let r = await c.post('/api/v1/me/tips/read');
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.notice_unread');
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source: 'camera' }) });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.notice_unread');
  await c.post('/api/v1/me/notice/read');
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'tips');
  await c.post('/api/v1/me/tips/read');
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'notify');
  r = await c.post('/api/v1/me/notify', { json: { status: true, payment: false, email: 'not-an-address' } });
  assert.equal(r.data.error.code, 'journey.bad_email');
  await c.post('/api/v1/me/notify', { json: { status: true, payment: false, email: 'stu@example.edu.cn' } });
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'shoot');
  assert.equal(j.data.notify.email, 'stu@example.edu.cn');
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source: 'camera' }) });
  assert.equal(r.data.error.code, 'journey.tutorial_unwatched');
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source: 'album' }) });
  assert.equal(r.status, 403);
  assert.equal(r.data.error.code, 'journey.album_not_allowed');
  r = await c.post('/api/v1/me/submission', { json: { photo_id: 1 } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.not_a_draft');
  r = await c.post('/api/v1/me/submission/withdraw');
  assert.equal(r.data.error.code, 'journey.not_withdrawable');
  r = await c.post('/api/v1/me/pay');
  assert.equal(r.data.error.code, 'journey.nothing_to_pay');
  r = await c.get('/api/v1/me/result');
  assert.equal(r.status, 404);
});

test('pay before shooting (seeds 003–004) is enforced', async () => {
  const c = await student({ pay_when: 'before_shoot', fee_fen: 1500 });
  await readSteps(c);
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'pay_first');
  let r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes: Buffer.from('x'), name: 'a.jpg' }, source: 'camera' }) });
  assert.equal(r.status, 402);
  assert.equal(r.data.error.code, 'journey.not_paid');
  r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.order.amount_fen, 1500);
  assert.match(r.data.launch.url, /^\/pay\/sandbox\/TC/);
  const no = r.data.order.out_trade_no;
  // a forged callback is refused; the sandbox page's button pays
  r = await c.post('/api/v1/pay/notify/sandbox', { json: { out_trade_no: no, amount_fen: 1500, transaction_id: 'x', signature: '0'.repeat(64) } });
  assert.equal(r.status, 401);
  assert.equal(r.data.error.code, 'pay.bad_signature');
  r = await c.get(`/api/v1/pay/sandbox/${no}`);
  assert.equal(r.data.sandbox, true);
  r = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.already, false);
  r = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
  assert.equal(r.data.already, true, 'a repeated callback changes nothing');
  r = await c.post('/api/v1/me/pay');
  assert.equal(r.data.error.code, 'journey.already_paid');
  const j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'shoot');
  assert.equal(j.data.progress.paid, true);
  const o = await c.get('/api/v1/me/orders');
  assert.equal(o.data.orders.length, 1);
  assert.equal(o.data.orders[0].state, 'paid');
  const m = await c.get('/api/v1/me/messages');
  assert.ok(m.data.messages.some((x) => x.kind === 'payment'));
});

test('the whole way: draft, early delete refused, confirm, pay once, withdraw, approve, final', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({ pay_when: 'after_confirm', fee_fen: 2500, draft_capacity: 2 });
  await readSteps(c);
  let r = await upload(c, GOOD);
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'draft', JSON.stringify(p.failed));
  assert.match(p.proof_url, /proof\.jpg$/);
  const img = await fetch(srv.url + p.proof_url, { headers: { cookie: c.cookieHeader() } });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  // another student cannot see it
  const other = await student({});
  assert.equal((await other.get(`/api/v1/me/photos/${p.id}`)).status, 404);
  r = await c.req('DELETE', `/api/v1/me/photos/${p.id}`);
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.delete_too_early');
  assert.ok(r.data.error.deletable_at > Date.now() / 1000 + 23 * 3600);
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'confirm');
  assert.equal(j.data.drafts.length, 1);
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.next, 'pay');
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 409, 'confirming twice is refused');
  r = await upload(c, GOOD);
  assert.equal(r.data.error.code, 'journey.under_review');
  r = await c.post('/api/v1/me/pay');
  const no = r.data.order.out_trade_no;
  r = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
  assert.equal(r.status, 200);
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'waiting');
  assert.equal(j.data.submission.withdrawable, true);
  // withdraw, then confirm again: not charged again
  r = await c.post('/api/v1/me/submission/withdraw');
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'confirm');
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.data.next, 'waiting');
  // the reviewer claims and approves; the student can no longer withdraw
  r = await reviewer.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.ok(item, 'the photo is in the queue');
  // the checks' overlay is kept as drawing data (the console paints it over
  // the original): no PNG for this photo
  const staffGet = (u) => fetch(srv.url + u, { headers: { cookie: reviewer.cookieHeader() } });
  const ovd = await staffGet(item.photo.overlay_data_url);
  assert.equal(ovd.status, 200);
  assert.match(ovd.headers.get('content-type'), /^application\/json/);
  const drawText = await ovd.text();
  const draw = JSON.parse(drawText);
  const orig = Buffer.from(await (await staffGet(item.photo.original_url)).arrayBuffer());
  assert.deepEqual([draw.v, draw.w, draw.h], [1, ...Object.values(jpegSize(orig))], 'drawn at the original\'s size');
  assert.ok(draw.points.length >= 2 * 400, 'the mesh\'s points: ' + draw.points.length / 2);
  assert.ok(draw.outline.length > 100, 'the mask\'s outline: ' + draw.outline.length + ' rows');
  const codes = new Set(item.photo.checks.checks.map((x) => x.code));
  assert.ok(draw.boxes.length > 0 && draw.boxes.every((b) => codes.has(b.check) && b.box.length === 4 && draw.palette[b.verdict]));
  assert.ok(drawText.length < 64000, 'small: ' + drawText.length + ' bytes');
  let ov = await staffGet(item.photo.overlay_url);
  assert.equal(ov.status, 404);
  assert.equal((await ov.json()).error.code, 'photo.no_image');
  // a photo made by an older version keeps its PNG overlay
  const blobs = path.join(srv.dataDir, 'blobs');
  if (existsSync(blobs)) {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cff01f00040001ff220a3af00000000049454e44ae426082', 'hex');
    const id = createHash('sha256').update(png).digest('hex');
    mkdirSync(path.join(blobs, id.slice(0, 2), id.slice(2, 4)), { recursive: true });
    writeFileSync(path.join(blobs, id.slice(0, 2), id.slice(2, 4), id), png);
    const was = dbSql(srv.dataDir, `SELECT overlay_blob FROM photo WHERE id = ${p.id}`);
    dbSql(srv.dataDir, `UPDATE photo SET overlay_blob = '${id}' WHERE id = ${p.id}`);
    ov = await staffGet(item.photo.overlay_url);
    assert.equal(ov.status, 200);
    assert.equal(ov.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await ov.arrayBuffer()), png);
    assert.equal((await staffGet(item.photo.overlay_data_url)).status, 404);
    dbSql(srv.dataDir, `UPDATE photo SET overlay_blob = '${was}' WHERE id = ${p.id}`);
  }
  r = await reviewer.post(`/api/v1/review/submissions/${item.id}/approve`);
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/me/submission/withdraw');
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.not_withdrawable');
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'approved');
  r = await c.get('/api/v1/me/result');
  assert.equal(r.data.final, false);
  const proof = Buffer.from(await (await fetch(srv.url + '/api/v1/me/result/standard.jpg', { headers: { cookie: c.cookieHeader() } })).arrayBuffer());
  r = await reviewer.post(`/api/v1/review/submissions/${item.id}/final`);
  assert.equal(r.status, 200, r.text);
  r = await c.get('/api/v1/me/result');
  assert.equal(r.data.final, true);
  const clean = Buffer.from(await (await fetch(srv.url + '/api/v1/me/result/standard.jpg', { headers: { cookie: c.cookieHeader() } })).arrayBuffer());
  assert.notDeepEqual(clean, proof, 'the clean 成片 replaces the 样片');
  const sheet = await fetch(srv.url + '/api/v1/me/result/sheet.jpg', { headers: { cookie: c.cookieHeader() } });
  assert.equal(sheet.status, 200);
  const orders = (await c.get('/api/v1/me/orders')).data.orders;
  assert.equal(orders.length, 1, 'paid once');
});

test('a failing photo starts the cool-off; repeated failures lock until a time; a school admin unlocks', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({ cooloff_min: 5, lock_after_fails: 2, lock_hours: 24 });
  await readSteps(c);
  let r = await upload(c, BAD);
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'failed');
  assert.ok(p.failed.length >= 1);
  assert.ok(p.failed[0].code && p.failed[0].zh && p.failed[0].en);
  assert.ok(p.cooloff_until > Date.now() / 1000 + 60);
  r = await upload(c, BAD);
  assert.equal(r.status, 429);
  assert.equal(r.data.error.code, 'journey.cooloff');
  assert.ok(r.data.error.until > 0);
  // the teacher unlocks; with no cool-off, two failures lock until a stated time
  assert.equal((await schoolAdmin.post(`/api/v1/students/${c.studentId}/unlock`)).status, 200);
  const d = await student({ cooloff_min: 0, lock_after_fails: 2, lock_hours: 24 });
  await readSteps(d);
  for (let i = 0; i < 2; i++) {
    r = await upload(d, BAD);
    assert.equal(r.status, 202, r.text);
    await made(d, r.data.photo.id);
  }
  r = await upload(d, GOOD);
  assert.equal(r.status, 423);
  assert.equal(r.data.error.code, 'journey.locked');
  // seed 000 §13; the draft box is empty, so the text does not point there
  assert.match(r.data.error.zh, /^请仔细阅读拍摄要求，可于 \d{4} 年 \d\d 月 \d\d 日 \d\d:\d\d:\d\d 后重新拍摄。$/);
  const j = await d.get('/api/v1/me/journey');
  assert.equal(j.data.shoot.allowed, false);
  assert.equal(j.data.shoot.reason.code, 'journey.locked');
  // another school's admin cannot unlock; this school's can
  const demoStudents = await admin.get(`/api/v1/batches/${srv.demo.batch.id}/students`);
  const foreign = demoStudents.data.students[0].id;
  assert.equal((await schoolAdmin.post(`/api/v1/students/${foreign}/unlock`)).status, 403);
  assert.equal((await schoolAdmin.post(`/api/v1/students/${d.studentId}/unlock`)).status, 200);
  r = await upload(d, GOOD);
  assert.equal(r.status, 202, r.text);
  await made(d, r.data.photo.id);
});

test('a photo with no face: one reason the student can act on, each advice once, no code, nothing that could not run', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({ album_allowed: true });
  await readSteps(c);
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: path.join(ROOT, 'web/student/icon.png'), type: 'image/png' }, source: 'album' }) });
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'failed', JSON.stringify(p));
  assert.ok(p.failed.length >= 1 && p.failed.length <= 3, JSON.stringify(p.failed));
  assert.equal(p.failed[0].code, 'photo.no_face');
  assert.ok(!p.failed.some((f) => f.code === 'check.face_count'), 'the no-face advice is not said twice');
  assert.equal(new Set(p.failed.map((f) => f.zh)).size, p.failed.length);
  assert.ok(p.failed.every((f) => f.zh && f.en && !/check\.|photo\./.test(f.zh)));
  assert.ok(p.unknown.length > 10, 'the checks that could not run are kept apart, not failures');
});

test('a full draft box refuses shooting with the seed text', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({ draft_capacity: 1 });
  await readSteps(c);
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.shoot.drafts_full, null);
  let r = await upload(c, GOOD);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'draft');
  r = await upload(c, GOOD);
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'journey.drafts_full');
  assert.equal(r.data.error.zh, '草稿箱已满，请前往草稿箱删除或使用草稿箱照片。');
  // the draft box page says so too, in the same words (the page keeps no copy)
  j = await c.get('/api/v1/me/journey');
  assert.deepEqual([j.data.shoot.drafts_full.code, j.data.shoot.drafts_full.zh, j.data.shoot.drafts_full.en],
    [r.data.error.code, r.data.error.zh, r.data.error.en]);
});

test('a rejection with reasons reaches the student; a reset by the school too', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({});
  await readSteps(c);
  let r = await upload(c, GOOD);
  const p = await made(c, r.data.photo.id);
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.data.next, 'waiting', 'the school pays: no payment page');
  const sub = r.data.submission.id;
  r = await reviewer.post(`/api/v1/review/submissions/${sub}/reject`, { json: { reasons: ['nonsense'] } });
  assert.equal(r.status, 400);
  r = await reviewer.post(`/api/v1/review/submissions/${sub}/reject`, { json: { reasons: ['light_dark', 'hair_brows'], note: '请在白天重拍' } });
  assert.equal(r.status, 200, r.text);
  const j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'rejected');
  assert.deepEqual(j.data.submission.reasons.map((x) => x.code), ['light_dark', 'hair_brows']);
  assert.equal(j.data.submission.reasons[0].zh, '光线过暗');
  assert.equal(j.data.submission.note, '请在白天重拍');
  assert.equal(j.data.shoot.allowed, true, 'a rejected student shoots again');
  r = await schoolAdmin.post(`/api/v1/students/${c.studentId}/reset`, { json: {} });
  assert.equal(r.data.error.code, 'student.reason_required');
  r = await schoolAdmin.post(`/api/v1/students/${c.studentId}/reset`, { json: { reason: '照片不合格，请重新拍摄' } });
  assert.equal(r.status, 200, r.text);
  const m = await c.get('/api/v1/me/messages');
  assert.ok(m.data.messages.some((x) => x.kind === 'reset' && x.body_zh === '照片不合格，请重新拍摄'));
  assert.ok(m.data.messages.some((x) => x.kind === 'rejected'));
});

test('the same photo for a second student is refused as 同版照片', { skip: noPhotos, timeout: 300000 }, async () => {
  const a = await student({ checks: {} });
  await readSteps(a);
  let r = await upload(a, path.join(PORTRAITS, 'mugshot_S029-01_frontal_neutral.jpg'));
  const first = await made(a, r.data.photo.id);
  assert.equal(first.state, 'draft', JSON.stringify(first.failed));
  const b = await student({ checks: {} });
  await readSteps(b);
  r = await upload(b, path.join(PORTRAITS, 'mugshot_S029-01_frontal_neutral.jpg'));
  const second = await made(b, r.data.photo.id);
  assert.equal(second.state, 'failed');
  assert.ok(second.failed.some((f) => f.code === 'check.duplicate'), JSON.stringify(second.failed));
});

test('live updates arrive over Server-Sent Events', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student({});
  await readSteps(c);
  const ctl = new AbortController();
  const res = await fetch(srv.url + '/api/v1/me/events', { headers: { cookie: c.cookieHeader() }, signal: ctl.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body.getReader();
  const r = await upload(c, GOOD);
  assert.equal(r.status, 202);
  let text = '';
  const deadline = Date.now() + 120000;
  while (!/event: photo\ndata: \{[^\n]*"state":"(draft|failed)"/.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ctl.abort();
  assert.match(text, /event: photo/);
});

test('a batch may use a custom spec from the platform admin: the photo is made to it', { skip: noPhotos, timeout: 300000 }, async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'journey_custom', zh: '测试规格', width: 300, height: 400, unit: 'px', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  // the checks are about the chsi standard; this test is about the size
  const c = await student({ spec: 'journey_custom', checks: { disabled: ['duplicate', 'geometry', 'resolution'] } });
  await readSteps(c);
  r = await upload(c, GOOD);
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.ok(['draft', 'failed'].includes(p.state), JSON.stringify(p));
  assert.ok(p.proof_url, 'a photo was made: ' + JSON.stringify(p));
  const res = await fetch(srv.url + p.proof_url, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  const size = jpegSize(Buffer.from(await res.arrayBuffer()));
  assert.deepEqual(size, { width: 300, height: 400 });
});
