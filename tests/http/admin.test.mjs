// The reviewer's and the platform admin's endpoints (issue 7) over HTTP on
// the real server: bulk approve, claims between two reviewers, production
// singly and by batch, the start page's numbers, the reason catalogue as
// data, account and school changes with the audit log, custom specs (added,
// edited, deleted once nothing chooses them), audit search; each with its
// refusals and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, jpegSize, ROOT, acceptConsent } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models';

export const ALL_CHECKS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution',
  'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour',
  'recapture', 'retouch', 'duplicate'];
let srv, admin, rev1, rev2, schoolAdmin, school, batch;
const studs = [];

async function account(username, role, schoolId) {
  const password = 'Init-pass-' + username;
  const r = await admin.post('/api/v1/staff/accounts', { json: { username, role, password, school_id: schoolId } });
  assert.equal(r.status, 201, r.text);
  const c = new Client(srv.url);
  await c.staffLogin(username, password);
  return { c, id: r.data.staff.id, username };
}

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '管理测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  rev1 = await account('adm-rev1', 'reviewer');
  rev2 = await account('adm-rev2', 'reviewer');
  schoolAdmin = await account('adm-school', 'school_admin', school.id);
  // the automatic checks are off for this batch: these tests are about the
  // people's decisions, not the checks (which are still being tuned)
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '管理测试批次', settings: { checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  studs.push(...await enrol(batch.id, [800, 801, 802]));
});
after(async () => { if (srv) await srv.stop(); });

// Students of a batch (roster rows numbered ns), signed in and through the
// steps before the camera.
async function enrol(batchId, ns) {
  const rows = ns.map((n, i) => ({ n, name: `管理${i + 1}`, no: `A${n}`, chsi: `CHSI-ADMIN-${n}` }));
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' +
    rows.map((x) => `${x.name},${x.no},${fakeId(x.n)},本科,软件工程,1班,${x.chsi}`).join('\n') + '\n';
  let r = await admin.post(`/api/v1/batches/${batchId}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const out = [];
  for (const x of rows) {
    const c = new Client(srv.url);
    await c.csrf();
    r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: x.chsi, id_last4: fakeId(x.n).slice(-4) }) });
    assert.equal(r.status, 200, r.text);
    r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
    assert.equal(r.status, 200, r.text);
    await acceptConsent(c);
    for (const step of ['notice/read', 'tips/read']) assert.equal((await c.post('/api/v1/me/' + step)).status, 200);
    assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
    assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
    out.push({ client: c, id: (await c.get('/api/v1/me')).data.current_record, no: x.no });
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

const audit = async (qs) => (await admin.get('/api/v1/admin/audit?' + qs)).data;

test('reason catalogue: seeded from the old hard-coded list; add, edit, deactivate; bad input refused; audit-logged', async () => {
  let r = await rev1.c.get('/api/v1/review/reasons');
  assert.equal(r.status, 200);
  const codes = r.data.reasons.map((x) => x.code);
  assert.equal(codes.length, 31);
  assert.deepEqual(codes.slice(0, 2), ['face_count', 'face_inside']);
  assert.ok(codes.includes('light_dark') && codes.includes('other'));
  assert.equal(r.data.reasons.find((x) => x.code === 'light_dark').zh, '光线过暗');

  r = await admin.post('/api/v1/admin/reasons', { json: { code: 'wrong_uniform', zh: '未穿规定服装', en: 'Not the required clothing', sort: 5 } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post('/api/v1/admin/reasons', { json: { code: 'wrong_uniform', zh: 'x', en: 'y' } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'reason.code_taken');
  for (const [body, code] of [[{ code: 'Bad Code', zh: 'a', en: 'b' }, 'reason.bad_code'], [{ code: 'ok_code', zh: '', en: 'b' }, 'reason.bad_text'],
    [{ code: 'ok_code', zh: 'a', en: 'b', sort: -1 }, 'reason.bad_sort'], [{ code: 'ok_code', zh: 'a\nb', en: 'b' }, 'reason.bad_text'],
    [{ code: 'ok_code', zh: 'a', en: 'b', active: 'yes' }, 'reason.bad_active']]) {
    r = await admin.post('/api/v1/admin/reasons', { json: body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.data.error.code, code);
  }
  r = await rev1.c.get('/api/v1/review/reasons');
  assert.equal(r.data.reasons[0].code, 'wrong_uniform', 'sorted by sort');

  r = await admin.post('/api/v1/admin/reasons/light_dark', { json: { zh: '光线太暗，请在明亮处拍摄' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.reason.en, 'Too dark', 'absent keys kept');
  r = await admin.post('/api/v1/admin/reasons/red_eye', { json: { active: false } });
  assert.equal(r.status, 200);
  r = await rev1.c.get('/api/v1/review/reasons');
  assert.ok(!r.data.reasons.some((x) => x.code === 'red_eye'), 'deactivated: not offered');
  r = await admin.get('/api/v1/admin/reasons');
  assert.equal(r.data.reasons.find((x) => x.code === 'red_eye').active, false, 'admins still see it');
  r = await admin.post('/api/v1/admin/reasons/no_such', { json: { zh: 'a' } });
  assert.equal(r.status, 404);
  // refusals by role
  assert.equal((await rev1.c.post('/api/v1/admin/reasons', { json: { code: 'x_y', zh: 'a', en: 'b' } })).status, 403);
  assert.equal((await rev1.c.get('/api/v1/admin/reasons')).status, 403);
  assert.equal((await schoolAdmin.c.get('/api/v1/review/reasons')).status, 403);
  const a = await audit('action=reason.&target=reason:light_dark');
  assert.equal(a.total, 1);
  assert.equal(JSON.parse(a.items[0].before).zh, '光线过暗');
  assert.equal(JSON.parse(a.items[0].after).zh, '光线太暗，请在明亮处拍摄');
});

test('review: two reviewers never get the same photo; bulk approve; reject validates against the catalogue; production singly and by batch; start page numbers', { skip: noPhotos, timeout: 600000 }, async (t) => {
  const photos = await Promise.all(studs.map((s) => shoot(s.client)));
  const bad = photos.find((p) => p.state !== 'draft');
  if (bad) { t.skip(`the portrait did not become a draft (${bad.state})`); return; }
  for (let i = 0; i < studs.length; i++) {
    const r = await studs[i].client.post('/api/v1/me/submission', { json: { photo_id: photos[i].id } });
    assert.equal(r.status, 200, r.text);
  }
  let s = (await rev1.c.get('/api/v1/review/stats')).data;
  assert.equal(s.queue, 3);
  assert.equal(s.mine_today, 0);

  // reviewer 1 claims two, reviewer 2 gets only the third
  let q1 = (await rev1.c.get('/api/v1/review/queue?limit=2')).data.items.map((x) => x.id);
  const q2 = (await rev2.c.get('/api/v1/review/queue?limit=10')).data.items.map((x) => x.id);
  assert.equal(q1.length, 2);
  assert.equal(q2.length, 1);
  assert.ok(!q1.includes(q2[0]), 'no photo in both queues');
  // asking again keeps one's own claims and still does not overlap
  q1 = (await rev1.c.get('/api/v1/review/queue?limit=10')).data.items.map((x) => x.id);
  assert.equal(q1.length, 2);
  assert.ok(!q1.includes(q2[0]));
  // reviewer 2 cannot decide reviewer 1's claimed photo
  let r = await rev2.c.post(`/api/v1/review/submissions/${q1[0]}/approve`);
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'review.claimed');
  r = await rev2.c.post('/api/v1/review/approve', { json: { ids: [q1[0]] } });
  assert.equal(r.status, 200);
  assert.equal(r.data.approved, 0);
  assert.equal(r.data.results[0].error.code, 'review.claimed');

  // reject with an unknown, a deactivated and a known (edited) reason
  r = await rev2.c.post(`/api/v1/review/submissions/${q2[0]}/reject`, { json: { reasons: ['nope'] } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'review.bad_reason');
  r = await rev2.c.post(`/api/v1/review/submissions/${q2[0]}/reject`, { json: { reasons: ['red_eye'] } });
  assert.equal(r.status, 400, 'deactivated reason');
  r = await rev2.c.post(`/api/v1/review/submissions/${q2[0]}/reject`, { json: { reasons: 'light_dark' } });
  assert.equal(r.status, 400);
  r = await rev2.c.post(`/api/v1/review/submissions/${q2[0]}/reject`, { json: { reasons: ['light_dark', 'wrong_uniform'], note: '请重拍' } });
  assert.equal(r.status, 200, r.text);
  const journeys = await Promise.all(studs.map(async (st) => (await st.client.get('/api/v1/me/journey')).data));
  const rj = journeys.filter((j) => j.step === 'rejected');
  assert.equal(rj.length, 1);
  assert.deepEqual(rj[0].submission.reasons.map((x) => x.zh), ['光线太暗，请在明亮处拍摄', '未穿规定服装'], 'the student sees the edited catalogue');

  // bulk approve: bad input, then both of reviewer 1's photos
  for (const body of [{}, { ids: [] }, { ids: ['1'] }, { ids: [0] }, { ids: Array.from({ length: 201 }, (_, i) => i + 1) }]) {
    r = await rev1.c.post('/api/v1/review/approve', { json: body });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 40));
    assert.equal(r.data.error.code, 'review.bad_ids');
  }
  r = await rev1.c.post('/api/v1/review/approve', { json: { ids: q1 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.approved, 2);
  assert.ok(r.data.results.every((x) => x.ok && x.state === 'approved'));
  r = await rev1.c.post('/api/v1/review/approve', { json: { ids: q1 } });
  assert.equal(r.data.approved, 0, 'twice: refused per item');
  assert.equal(r.data.results[0].error.code, 'review.not_submitted');
  const a = await audit(`action=review.approve&staff=adm-rev1`);
  assert.equal(a.total, 2, 'each approval audit-logged');
  s = (await rev1.c.get('/api/v1/review/stats')).data;
  assert.deepEqual([s.queue, s.mine_today, s.approved], [0, 2, 2]);

  // production: the list, one singly, the rest by batch
  r = await rev1.c.get(`/api/v1/review/production?batch_id=${batch.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.data.total, 2);
  assert.equal(r.data.items[0].batch, '管理测试批次');
  assert.equal((await rev1.c.get('/api/v1/review/production?limit=0')).status, 400);
  assert.equal((await rev1.c.get('/api/v1/review/production?batch_id=x')).status, 400);
  r = await rev1.c.post('/api/v1/review/final', { json: { ids: [r.data.items[0].id] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.final, 1);
  r = await rev1.c.post('/api/v1/review/final', { json: { batch_id: 999999 } });
  assert.equal(r.status, 404);
  r = await rev1.c.post('/api/v1/review/final', { json: { batch_id: batch.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.final, 1);
  assert.equal(r.data.remaining, 0);
  assert.equal((await rev1.c.get('/api/v1/review/production')).data.total, 0);
  const finals = await Promise.all(studs.map(async (st) => (await st.client.get('/api/v1/me/result')).data));
  assert.equal(finals.filter((x) => x && x.final).length, 2);
  assert.equal((await audit('action=production.final')).total, 2);
  // refusals by role
  assert.equal((await schoolAdmin.c.post('/api/v1/review/approve', { json: { ids: [1] } })).status, 403);
  assert.equal((await schoolAdmin.c.get('/api/v1/review/production')).status, 403);
  assert.equal((await new Client(srv.url).get('/api/v1/review/stats')).status, 401);
});

test('accounts: disable/enable (sessions end, sign-in refused), reset password (change forced), role and school; audit before/after', async () => {
  const victim = await account('adm-victim', 'reviewer');
  let r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.staff.disabled, true);
  assert.equal((await victim.c.get('/api/v1/staff/me')).status, 401, 'the open session ends');
  const fresh = new Client(srv.url);
  await fresh.csrf();
  r = await fresh.post('/api/v1/staff/login', { json: { username: 'adm-victim', password: 'N3w-password-adm-victim' } });
  assert.equal(r.status, 401);
  let list = (await admin.get('/api/v1/staff/accounts')).data.staff;
  assert.equal(list.find((x) => x.username === 'adm-victim').disabled, true);
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { disabled: false } });
  assert.equal(r.status, 200);
  r = await fresh.post('/api/v1/staff/login', { json: { username: 'adm-victim', password: 'N3w-password-adm-victim' } });
  assert.equal(r.status, 200, r.text);

  // reset password: weak refused; then the change is forced and the old password fails
  r = await admin.post(`/api/v1/admin/staff/${victim.id}/password`, { json: { password: 'short' } });
  assert.equal(r.status, 400);
  r = await admin.post(`/api/v1/admin/staff/${victim.id}/password`, { json: { password: 'Reset-pass-4567' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.staff.must_change_password, true);
  assert.equal((await fresh.get('/api/v1/staff/me')).status, 401, 'sessions end on reset');
  const again = new Client(srv.url);
  await again.csrf();
  r = await again.post('/api/v1/staff/login', { json: { username: 'adm-victim', password: 'Reset-pass-4567' } });
  assert.equal(r.status, 200);
  assert.equal(r.data.staff.must_change_password, true);
  assert.equal((await again.get('/api/v1/review/queue')).status, 403, 'must change first');

  // role and school
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { role: 'school_admin' } });
  assert.equal(r.status, 400, 'a school admin needs a school');
  assert.equal(r.data.error.code, 'staff.bad_role');
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { role: 'school_admin', school_id: 987654 } });
  assert.equal(r.status, 400, 'no such school');
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { role: 'dean' } });
  assert.equal(r.status, 400);
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { role: 'school_admin', school_id: school.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.staff.school_id, school.id);
  r = await admin.post(`/api/v1/admin/staff/${victim.id}`, { json: { role: 'reviewer' } });
  assert.equal(r.data.staff.school_id, 0, 'leaving the school role leaves the school');
  // self-protection, unknown ids, roles
  const me = (await admin.get('/api/v1/staff/me')).data.staff;
  r = await admin.post(`/api/v1/admin/staff/${me.id}`, { json: { disabled: true } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'staff.self');
  assert.equal((await admin.post('/api/v1/admin/staff/999999', { json: { disabled: true } })).status, 404);
  assert.equal((await admin.post('/api/v1/admin/staff/abc', { json: { disabled: true } })).status, 404, 'api_bad_id');
  assert.equal((await rev1.c.post(`/api/v1/admin/staff/${victim.id}`, { json: { disabled: true } })).status, 403);
  assert.equal((await schoolAdmin.c.post(`/api/v1/admin/staff/${victim.id}/password`, { json: { password: 'Reset-pass-4567' } })).status, 403);

  const a = await audit('target=staff:adm-victim');
  const actions = a.items.map((x) => x.action);
  for (const act of ['staff.disable', 'staff.enable', 'staff.password_reset', 'staff.edit']) assert.ok(actions.includes(act), act);
  const dis = a.items.find((x) => x.action === 'staff.disable');
  assert.equal(JSON.parse(dis.before).disabled, false);
  assert.equal(JSON.parse(dis.after).disabled, true);
  assert.ok(!a.items.some((x) => /Reset-pass/.test(x.before + x.after)), 'no password in the log');
  list = (await admin.get('/api/v1/staff/accounts')).data.staff;
  assert.equal(list.find((x) => x.username === 'adm-victim').role, 'reviewer');
});

test('schools: rename (audit before/after), duplicates and bad names refused', async () => {
  let r = await admin.post(`/api/v1/admin/schools/${school.id}`, { json: { name: '管理测试大学（新）' } });
  assert.equal(r.status, 200, r.text);
  r = await schoolAdmin.c.get('/api/v1/schools');
  assert.equal(r.data.schools[0].name, '管理测试大学（新）');
  r = await admin.post(`/api/v1/admin/schools/${school.id}`, { json: { name: srv.demo.school } });
  assert.equal(r.status, 409);
  for (const name of ['', 'a\nb', 'x'.repeat(201)]) {
    r = await admin.post(`/api/v1/admin/schools/${school.id}`, { json: { name } });
    assert.equal(r.status, 400);
  }
  assert.equal((await admin.post('/api/v1/admin/schools/999999', { json: { name: 'zz' } })).status, 404);
  assert.equal((await schoolAdmin.c.post(`/api/v1/admin/schools/${school.id}`, { json: { name: 'zz' } })).status, 403);
  const a = await audit(`action=school.rename&target=school:${school.id}`);
  assert.equal(a.total, 1);
  assert.deepEqual([JSON.parse(a.items[0].before).name, JSON.parse(a.items[0].after).name], ['管理测试大学', '管理测试大学（新）']);
});

test('specs: built-in listed; custom in px and in mm + dpi, parsed by the photo module; bad sizes and names refused', async () => {
  let r = await schoolAdmin.c.get('/api/v1/admin/specs');
  assert.equal(r.status, 200, 'school staff read the specs (the batch settings choose one)');
  assert.ok(r.data.builtin.some((x) => x.name === 'chsi'));
  assert.deepEqual(r.data.custom, []);
  r = await admin.post('/api/v1/admin/specs', { json: { name: 'visa_cn', zh: '中国签证', width: 33, height: 48, unit: 'mm', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.spec.width, 390);
  assert.equal(r.data.spec.height, 567);
  r = await admin.post('/api/v1/admin/specs', { json: { name: 'exam_px', size: '480x640px@300' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.spec.width, 480);
  for (const [body, status, code] of [
    [{ name: 'chsi', size: '480x640' }, 409, 'spec.name_taken'], [{ name: 'visa_cn', size: '480x640' }, 409, 'spec.name_taken'],
    [{ name: 'Bad-Name', size: '480x640' }, 400, 'spec.bad_name'], [{ name: 'tiny', size: '10x10' }, 400, 'photo.bad_spec'],
    [{ name: 'huge', width: 5000, height: 5000 }, 400, 'photo.bad_spec'], [{ name: 'lowdpi', size: '35x49mm@10' }, 400, 'photo.bad_spec'],
    [{ name: 'nosize' }, 400, 'photo.bad_spec'], [{ name: 'badunit', width: 3, height: 4, unit: 'in' }, 400, 'photo.bad_spec']]) {
    r = await admin.post('/api/v1/admin/specs', { json: body });
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.data.error.code, code);
  }
  r = await admin.get('/api/v1/admin/specs');
  assert.deepEqual(r.data.custom.map((x) => x.name), ['exam_px', 'visa_cn']);
  assert.equal((await schoolAdmin.c.post('/api/v1/admin/specs', { json: { name: 'zz', size: '480x640' } })).status, 403);
  assert.equal((await new Client(srv.url).get('/api/v1/admin/specs')).status, 401);
  assert.equal((await audit('action=spec.add')).total, 2);
});

const put = (c, p, json) => c.req('PUT', p, { json });
const del = (c, p) => c.req('DELETE', p);
const customSpec = async (name) => (await admin.get('/api/v1/admin/specs')).data.custom.find((x) => x.name === name);

test('specs: edit (same validation as adding, the name fixed, built-ins refused); delete refused while a school default or a batch chooses it, then allowed; audit before/after; roles', async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'edit_me', zh: '可编辑', width: 300, height: 400, unit: 'px', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  const made = await customSpec('edit_me');
  assert.equal(made.updated_at, 0, 'never edited');

  r = await put(admin, '/api/v1/admin/specs/edit_me', { zh: '改过的', width: 35, height: 45, unit: 'mm', dpi: 300 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.data.spec.name, r.data.spec.zh, r.data.spec.width, r.data.spec.height], ['edit_me', '改过的', 413, 531]);
  let got = await customSpec('edit_me');
  assert.deepEqual([got.zh, got.width, got.height], ['改过的', 413, 531], 'GET shows the edit');
  assert.equal(got.created_at, made.created_at);
  assert.ok(got.updated_at >= got.created_at && got.updated_at > 0);
  // the body may repeat the name, never change it
  r = await put(admin, '/api/v1/admin/specs/edit_me', { name: 'edit_me', zh: '改过的', size: '360x480px@300' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.spec.width, 360);
  // the same validation as adding; a refused edit changes nothing
  for (const [body, code] of [[{ name: 'renamed', size: '480x640' }, 'spec.name_fixed'], [{ name: 7, size: '480x640' }, 'spec.name_fixed'],
    [{ size: '10x10' }, 'photo.bad_spec'], [{ width: 5000, height: 5000 }, 'photo.bad_spec'], [{ size: '35x49mm@10' }, 'photo.bad_spec'],
    [{}, 'photo.bad_spec'], [{ width: 3, height: 4, unit: 'in' }, 'photo.bad_spec'], [{ size: 'x'.repeat(65) }, 'photo.bad_spec'],
    [{ zh: 'x'.repeat(64), size: '480x640' }, 'spec.bad_zh']]) {
    r = await put(admin, '/api/v1/admin/specs/edit_me', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.data.error.code, code, JSON.stringify(body));
  }
  r = await admin.req('PUT', '/api/v1/admin/specs/edit_me', { body: 'not json', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  got = await customSpec('edit_me');
  assert.deepEqual([got.zh, got.width, got.height], ['改过的', 360, 480], 'refused edits changed nothing');

  // built-in specs cannot be edited or deleted; unknown names are not found
  for (const c of [put(admin, '/api/v1/admin/specs/chsi', { size: '300x400' }), del(admin, '/api/v1/admin/specs/chsi')]) {
    r = await c;
    assert.equal(r.status, 403);
    assert.equal(r.data.error.code, 'spec.builtin');
    assert.match(r.data.error.zh, /内置规格 chsi/);
  }
  assert.deepEqual((await admin.get('/api/v1/admin/specs')).data.builtin.filter((x) => x.name === 'chsi').map((x) => x.width), [480]);
  for (const p of ['/api/v1/admin/specs/no_such', '/api/v1/admin/specs/Bad%20Name', '/api/v1/admin/specs/' + 'x'.repeat(40)]) {
    for (const r2 of [await put(admin, p, { size: '300x400' }), await del(admin, p)]) {
      assert.equal(r2.status, 404, p);
      assert.equal(r2.data.error.code, 'spec.not_found');
    }
  }
  // roles: only a platform admin
  assert.equal((await put(rev1.c, '/api/v1/admin/specs/edit_me', { size: '300x400' })).status, 403);
  assert.equal((await del(rev1.c, '/api/v1/admin/specs/edit_me')).status, 403);
  assert.equal((await put(schoolAdmin.c, '/api/v1/admin/specs/edit_me', { size: '300x400' })).status, 403);
  assert.equal((await del(schoolAdmin.c, '/api/v1/admin/specs/edit_me')).status, 403);
  const anon = new Client(srv.url);
  await anon.csrf();
  assert.equal((await del(anon, '/api/v1/admin/specs/edit_me')).status, 401);

  // in use by the school's defaults, then by a batch: refused, naming the place
  const sname = (await admin.get('/api/v1/schools')).data.schools.find((x) => x.id === school.id).name;
  r = await put(admin, `/api/v1/schools/${school.id}/settings`, { settings: { spec: 'edit_me' } });
  assert.equal(r.status, 200, r.text);
  r = await del(admin, '/api/v1/admin/specs/edit_me');
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'spec.in_use');
  assert.ok(r.data.error.zh.includes(`学校“${sname}”的默认设置`), r.data.error.zh);
  assert.ok(r.data.error.en.includes(`the defaults of school "${sname}"`), r.data.error.en);
  assert.deepEqual(r.data.uses, [{ school_id: school.id, school: sname, batch_id: 0, batch: '' }]);
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '规格测试批次', settings: { spec: 'edit_me' } } });
  assert.equal(r.status, 201, r.text);
  const specBatch = r.data.batch;
  r = await del(admin, '/api/v1/admin/specs/edit_me');
  assert.equal(r.status, 409);
  assert.ok(r.data.error.zh.includes(`学校“${sname}”的默认设置、批次“规格测试批次”（${sname}）`), r.data.error.zh);
  assert.ok(r.data.error.en.includes(`the defaults of school "${sname}", batch "规格测试批次" (${sname})`), r.data.error.en);
  assert.deepEqual(r.data.uses.map((x) => x.batch_id), [0, specBatch.id], 'schools first');
  r = await put(admin, `/api/v1/schools/${school.id}/settings`, { settings: {} });
  assert.equal(r.status, 200, r.text);
  r = await del(admin, '/api/v1/admin/specs/edit_me');
  assert.equal(r.status, 409);
  assert.ok(r.data.error.zh.includes('批次“规格测试批次”'), r.data.error.zh);
  assert.ok(r.data.error.en.includes('batch "规格测试批次"'), r.data.error.en);
  assert.deepEqual(r.data.uses.map((x) => x.batch_id), [specBatch.id]);
  assert.ok(await customSpec('edit_me'), 'still there');
  // the batch chooses another spec: now it can go
  r = await put(admin, `/api/v1/batches/${specBatch.id}`, { settings: { spec: 'exam_px' } });
  assert.equal(r.status, 200, r.text);
  r = await del(admin, '/api/v1/admin/specs/edit_me');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.name, 'edit_me');
  assert.equal(await customSpec('edit_me'), undefined);
  assert.equal((await del(admin, '/api/v1/admin/specs/edit_me')).status, 404, 'gone');
  assert.equal((await put(admin, '/api/v1/admin/specs/edit_me', { size: '300x400' })).status, 404);
  // a deleted name may be added again
  r = await admin.post('/api/v1/admin/specs', { json: { name: 'edit_me', size: '300x400' } });
  assert.equal(r.status, 201, r.text);
  assert.equal((await del(admin, '/api/v1/admin/specs/edit_me')).status, 200);

  // audit: before and after of the edits, before of the delete
  const ed = await audit('action=spec.edit&target=spec:edit_me');
  assert.equal(ed.total, 2, 'refused edits are not logged');
  const first = ed.items[ed.items.length - 1];
  assert.deepEqual([JSON.parse(first.before).width, JSON.parse(first.before).zh], [300, '可编辑']);
  assert.deepEqual([JSON.parse(first.after).width, JSON.parse(first.after).zh, JSON.parse(first.after).size], [413, '改过的', '35x45mm@300']);
  const dl = await audit('action=spec.delete&target=spec:edit_me');
  assert.equal(dl.total, 2);
  assert.equal(JSON.parse(dl.items[1].before).width, 360);
  assert.equal(dl.items[1].after, '');
});

test('specs: a photo made after an edit has the new size; it keeps its pixels when the spec is deleted', { skip: noPhotos, timeout: 600000 }, async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'photo_edit', zh: '拍摄前修改', width: 300, height: 400, unit: 'px', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '规格拍摄批次', settings: { spec: 'photo_edit', checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  const pb = r.data.batch;
  const [st] = await enrol(pb.id, [810]);
  r = await put(admin, '/api/v1/admin/specs/photo_edit', { zh: '拍摄前修改', width: 360, height: 480, unit: 'px', dpi: 300 });
  assert.equal(r.status, 200, r.text);
  const p = await shoot(st.client);
  assert.ok(p.proof_url, 'a photo was made: ' + JSON.stringify(p));
  const proof = async () => jpegSize(Buffer.from(await (await fetch(srv.url + p.proof_url, { headers: { cookie: st.client.cookieHeader() } })).arrayBuffer()));
  assert.deepEqual(await proof(), { width: 360, height: 480 }, 'the edited size, not the 300x400 it was added with');
  r = await put(admin, `/api/v1/batches/${pb.id}`, { settings: { checks: { disabled: ALL_CHECKS } } });
  assert.equal(r.status, 200, r.text);
  r = await del(admin, '/api/v1/admin/specs/photo_edit');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await proof(), { width: 360, height: 480 }, 'made photos keep their pixels');
});

test('audit search: filters by staff, action, target, time and text; paged newest first; bad input refused', async () => {
  let a = await audit('limit=5');
  assert.equal(a.items.length, 5);
  for (let i = 1; i < a.items.length; i++) assert.ok(a.items[i - 1].at >= a.items[i].at && (a.items[i - 1].at > a.items[i].at || a.items[i - 1].id > a.items[i].id));
  const page2 = await audit('limit=5&offset=5');
  assert.ok(page2.items.every((x) => !a.items.some((y) => y.id === x.id)), 'pages do not overlap');
  assert.equal(page2.total, a.total);
  a = await audit('staff=adm-rev1&action=login');
  assert.ok(a.total >= 1 && a.items.every((x) => x.username === 'adm-rev1' && x.action === 'login'));
  a = await audit('staff=nobody');
  assert.equal(a.total, 0);
  a = await audit('q=' + encodeURIComponent('管理测试大学（新）'));
  assert.ok(a.items.some((x) => x.action === 'school.rename'));
  a = await audit('q=' + encodeURIComponent('100%_'));
  assert.equal(a.total, 0, 'wildcards are literal');
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await audit(`from=${now + 3600}`)).total, 0);
  assert.ok((await audit(`from=${now - 3600}&to=${now + 3600}`)).total > 0);
  for (const qs of ['limit=0', 'limit=201', 'from=-1', 'to=x', 'q=' + 'x'.repeat(201)]) {
    const r = await admin.get('/api/v1/admin/audit?' + qs);
    assert.equal(r.status, 400, qs);
  }
  assert.equal((await rev1.c.get('/api/v1/admin/audit')).status, 403);
  assert.equal((await schoolAdmin.c.get('/api/v1/admin/audit')).status, 403);
});
