// The 成片 and the student's 校对 (issue 19 item 6) over HTTP on the real
// server: production accepts the automatic standard photo or uploads a
// retouched one (checked as a finished photo: a JPEG, the spec's pixel size,
// the spec's KB range); the student confirms the 成片 or asks for a
// correction with a reason, which shows in the production list; production
// uploads again and the student confirms; the school's export can be
// limited to confirmed 成片; the audit log says who made each 成片.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, jpegSize, ROOT, acceptConsent } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models';

// the automatic checks are off: this test is about production and the student's 校对
const ALL_CHECKS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution',
  'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour',
  'recapture', 'retouch', 'duplicate'];
let srv, admin, rev, batch;

before(async () => {
  if (noPhotos) return;
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '成片测试大学' } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post('/api/v1/staff/accounts', { json: { username: 'fp-rev', role: 'reviewer', password: 'Init-pass-fp-rev' } });
  assert.equal(r.status, 201, r.text);
  rev = { c: new Client(srv.url), id: r.data.staff.id };
  await rev.c.staffLogin('fp-rev', 'Init-pass-fp-rev');
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '成片批次', settings: { checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
});
after(async () => { if (srv) await srv.stop(); });

async function enrol(ns) {
  const rows = ns.map((n, i) => ({ n, name: `成片${i + 1}`, no: `F${n}`, chsi: `CHSI-FINAL-${n}` }));
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' +
    rows.map((x) => `${x.name},${x.no},${fakeId(x.n)},本科,软件工程,1班,${x.chsi}`).join('\n') + '\n';
  let r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const out = [];
  for (const x of rows) {
    const c = new Client(srv.url);
    await c.csrf();
    r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: x.chsi, id_last4: fakeId(x.n).slice(-4) }) });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } })).status, 200);
    await acceptConsent(c);
    for (const step of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await c.post('/api/v1/me/' + step)).status, 200);
    out.push(c);
  }
  return out;
}

async function shoot(c) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 1200; i++) {
    const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`);
    if (p.data.state !== 'processing') return p.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing');
}

test('成片: accept or upload a retouched one (checked); 校对: confirm, or a correction round trip; export gating; audit', { skip: noPhotos, timeout: 600000 }, async (t) => {
  const [a, b] = await enrol([900, 901]);
  const photos = await Promise.all([a, b].map(shoot));
  if (photos.some((p) => p.state !== 'draft')) { t.skip('the portrait did not become a draft'); return; }
  for (let i = 0; i < 2; i++) assert.equal((await [a, b][i].post('/api/v1/me/submission', { json: { photo_id: photos[i].id } })).status, 200);
  const ids = (await rev.c.get('/api/v1/review/queue?limit=10')).data.items.map((x) => x.id);
  assert.equal(ids.length, 2);
  assert.equal((await rev.c.post('/api/v1/review/approve', { json: { ids } })).data.approved, 2);

  // before production: the student cannot check anything yet
  let r = await a.get('/api/v1/me/result');
  assert.equal(r.data.final_state, 'producing');
  r = await a.post('/api/v1/me/result/confirm');
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'final.not_ready');

  // the production list: both, with the photo to retouch
  r = await rev.c.get(`/api/v1/review/production?batch_id=${batch.id}`);
  assert.equal(r.data.total, 2);
  const items = r.data.items;
  const subOf = async (c) => (await c.get('/api/v1/me/journey')).data.submission.id;
  const subA = await subOf(a), subB = await subOf(b);
  const itemB = items.find((x) => x.id === subB);
  assert.equal(itemB.final_state, '');
  assert.equal(itemB.correction_reason, '');
  const std = await fetch(srv.url + itemB.standard_url, { headers: { cookie: rev.c.cookieHeader() } });
  assert.equal(std.status, 200);
  const stdBytes = Buffer.from(await std.arrayBuffer());

  // A: accept the automatic standard photo
  r = await rev.c.post(`/api/v1/review/submissions/${subA}/final`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.final_state, 'ready');
  r = await rev.c.post(`/api/v1/review/submissions/${subA}/final`);
  assert.equal(r.status, 409, 'made already, no correction asked');
  assert.equal(r.data.error.code, 'final.not_producible');

  // B: a retouched upload — refused when it is not a finished photo
  const up = (id, bytes, name = 'final.jpg') => rev.c.post(`/api/v1/review/submissions/${id}/final/upload`,
    { form: fileForm({ photo: { bytes, name, type: 'image/jpeg' } }) });
  r = await rev.c.post(`/api/v1/review/submissions/${subB}/final/upload`, { form: fileForm({ other: 'x' }) });
  assert.equal(r.data.error.code, 'final.no_file');
  r = await up(subB, Buffer.from('not a jpeg at all, but long enough to sniff'.repeat(1000)));
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'final.bad_file');
  const portrait = readFileSync(GOOD);
  const size = jpegSize(portrait);
  assert.ok(size.width !== 480 || size.height !== 640);
  r = await up(subB, portrait);
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'final.bad_size');
  assert.match(r.data.error.zh, /480×640/);
  r = await up(subB, Buffer.alloc(1000, 0xff));
  assert.equal(r.status, 400, 'too small: under the spec KB minimum, or not a JPEG');
  assert.ok(['final.bad_file', 'final.bad_bytes'].includes(r.data.error.code));
  assert.ok(stdBytes.length > 20 * 1024, `the standard photo downloaded (${stdBytes.length} bytes)`);
  r = await up(subB, Buffer.concat([stdBytes.subarray(0, 2), stdBytes.subarray(2, Math.floor(stdBytes.length * 0.9))]));
  assert.equal(r.status, 400, 'truncated JPEG');
  assert.equal(r.data.error.code, 'final.bad_file');
  assert.equal((await b.get('/api/v1/me/result')).data.final_state, 'producing', 'refused uploads change nothing');
  // and accepted when it is: the spec's size and KB range
  r = await up(subB, stdBytes);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.final_state, 'ready');

  // the export before any 校对: everything by default, nothing confirmed
  const plan = async (q) => (await admin.get(`/api/v1/batches/${batch.id}/photos/plan?${q}`)).data;
  let p = await plan('');
  assert.deepEqual([p.photos, p.unconfirmed], [2, 2]);
  p = await plan('confirmed=1');
  assert.equal(p.photos, 0);
  assert.equal((await admin.get(`/api/v1/batches/${batch.id}/photos/plan?confirmed=yes`)).data.error.code, 'export.bad_confirmed');

  // the students see their 成片 ready, with a message
  for (const c of [a, b]) {
    r = await c.get('/api/v1/me/result');
    assert.equal(r.data.final, true);
    assert.equal(r.data.final_state, 'ready');
    const msgs = (await c.get('/api/v1/me/messages')).data.messages;
    assert.ok(msgs.some((m) => m.kind === 'final' && m.title_zh === '成片已制作完成'));
  }

  // A confirms; twice is refused
  r = await a.post('/api/v1/me/result/confirm');
  assert.equal(r.status, 200, r.text);
  assert.equal((await a.get('/api/v1/me/result')).data.final_state, 'confirmed');
  assert.equal((await a.post('/api/v1/me/result/confirm')).data.error.code, 'final.not_ready');
  assert.equal((await a.post('/api/v1/me/result/correction', { json: { reason: '太亮' } })).data.error.code, 'final.not_ready');

  // B asks for a correction: a reason is required and bounded
  for (const [body, code] of [[{}, 'final.reason_required'], [{ reason: '   ' }, 'final.reason_required'],
    [{ reason: '改'.repeat(201) }, 'final.reason_too_long']]) {
    r = await b.post('/api/v1/me/result/correction', { json: body });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 30));
    assert.equal(r.data.error.code, code);
  }
  r = await b.post('/api/v1/me/result/correction', { json: { reason: '头发颜色修得太深，请还原' } });
  assert.equal(r.status, 200, r.text);
  r = await b.get('/api/v1/me/result');
  assert.deepEqual([r.data.final_state, r.data.correction_reason], ['correction', '头发颜色修得太深，请还原']);
  assert.equal((await b.post('/api/v1/me/result/confirm')).data.error.code, 'final.not_ready', 'nothing to confirm while it is corrected');

  // production sees the reason, uploads again; the student confirms
  r = await rev.c.get(`/api/v1/review/production?batch_id=${batch.id}`);
  assert.equal(r.data.total, 1);
  assert.deepEqual([r.data.items[0].id, r.data.items[0].final_state, r.data.items[0].correction_reason], [subB, 'correction', '头发颜色修得太深，请还原']);
  // production by batch accepts automatic photos only: a correction is answered one by one
  r = await rev.c.post('/api/v1/review/final', { json: { batch_id: batch.id } });
  assert.deepEqual([r.status, r.data.final, r.data.remaining], [200, 0, 0], r.text);
  assert.equal((await b.get('/api/v1/me/result')).data.final_state, 'correction');
  assert.equal((await rev.c.get('/api/v1/review/stats')).data.approved, 1, 'the start page counts the correction');
  r = await up(subB, stdBytes);
  assert.equal(r.status, 200, r.text);
  assert.equal((await rev.c.get(`/api/v1/review/production?batch_id=${batch.id}`)).data.total, 0);
  assert.equal((await b.get('/api/v1/me/result')).data.final_state, 'ready');
  assert.equal((await b.post('/api/v1/me/result/confirm')).status, 200);

  // export: both confirmed now
  p = await plan('confirmed=1');
  assert.deepEqual([p.photos, p.unconfirmed], [2, 0]);
  assert.match(p.parts[0].url, /confirmed=1/);

  // audit: who made each 成片, and from what
  const au = (await admin.get('/api/v1/admin/audit?action=production.final')).data;
  assert.equal(au.total, 3);
  const sources = au.items.map((x) => JSON.parse(x.after).source).sort();
  assert.deepEqual(sources, ['retouched', 'retouched', 'standard']);
  assert.ok(au.items.every((x) => x.staff === 'fp-rev' || x.username === 'fp-rev' || JSON.stringify(x).includes('fp-rev')), JSON.stringify(au.items[0]));
});
