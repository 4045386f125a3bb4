// The authorisation matrix (issue 7): every route of every route table in
// src/api/*.c, read from the source so that a new route is covered at once
// (and the test fails on a route it has no expectation for).  Each row names
// the role it needs (api_route.need, checked by the dispatcher before the
// handler runs); the row's need must be the one written down here, and every
// route is called by
// each role — anonymous, a student, the school admin of school A, the school
// admin of school B, a reviewer, a platform admin — on an object of its own
// school and of the other school where the route names one.  Asserted:
//   * never a 5xx;
//   * where the role has no right: 401 or 403 (never 2xx, never 404 —
//     decision: an object of another school is refused with 403
//     auth.other_school, not hidden behind 404; documented in docs/API.md);
//   * where it has the right: the role gate let it through (whatever the
//     handler then says about the empty body or the made-up id, it is not
//     one of the gate's codes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, acceptConsent } from './lib.mjs';

// Who may call a route (the row's need in the route table):
//   public       anyone (sign-in, entry, health, payment callbacks)
//   entry        in the middle of entry (none of the roles here)
//   student      a verified student
//   staff        any staff member (school admin, reviewer, platform admin)
//   school_staff platform admin, or a school admin on their own school's objects
//   review       reviewer or platform admin
//   platform     platform admin
const EXPECT = {
  'GET /healthz': 'public',
  'GET /console': 'public',
  'GET /api/v1/csrf': 'public',
  'POST /api/v1/logout': 'public',
  'POST /api/v1/entry/qr': 'public',
  'POST /api/v1/entry/code': 'public',
  'POST /api/v1/entry/confirm': 'entry',
  'GET /api/v1/me': 'student',
  'GET /api/v1/me/records/:id': 'student',
  'GET /api/v1/me/records': 'student',
  'POST /api/v1/me/records/:id/switch': 'student',
  'POST /api/v1/staff/login': 'public',
  'GET /api/v1/staff/me': 'staff',
  'POST /api/v1/staff/password': 'staff',
  'GET /api/v1/staff/accounts': 'platform',
  'POST /api/v1/staff/accounts': 'platform',
  'GET /api/v1/schools': 'school_staff',
  'POST /api/v1/schools': 'platform',
  'GET /api/v1/schools/:id/batches': 'school_staff',
  'POST /api/v1/schools/:id/batches': 'school_staff',
  'GET /api/v1/batches/:id': 'school_staff',
  'GET /api/v1/batches/:id/qr.png': 'school_staff',
  'POST /api/v1/batches/:id/roster': 'school_staff',
  'GET /api/v1/batches/:id/students': 'school_staff',
  'GET /api/v1/students/:id': 'school_staff',
  'GET /api/v1/students/:id/attempts': 'school_staff',
  // platform admin (tc_api_admin.c); specs are read by the batch settings
  'GET /api/v1/admin/reasons': 'platform',
  'POST /api/v1/admin/reasons': 'platform',
  'POST /api/v1/admin/reasons/:code': 'platform',
  'GET /api/v1/admin/specs': 'staff',
  'POST /api/v1/admin/specs': 'platform',
  'PUT /api/v1/admin/specs/:name': 'platform',
  'DELETE /api/v1/admin/specs/:name': 'platform',
  'POST /api/v1/admin/staff/:id': 'platform',
  'POST /api/v1/admin/staff/:id/password': 'platform',
  'POST /api/v1/admin/schools/:id': 'platform',
  'GET /api/v1/admin/audit': 'platform',
  // the student's journey (tc_api_journey.c)
  'GET /api/v1/me/journey': 'student',
  'POST /api/v1/me/chsi': 'student',
  'GET /api/v1/me/spec': 'student',
  'POST /api/v1/me/consent': 'student',
  'GET /api/v1/me/guide': 'student',
  'POST /api/v1/me/notice/read': 'student',
  'POST /api/v1/me/tips/read': 'student',
  'POST /api/v1/me/tutorial/done': 'student',
  'POST /api/v1/me/notify': 'student',
  'POST /api/v1/me/photos': 'student',
  'GET /api/v1/me/photos/:id': 'student',
  'GET /api/v1/me/photos/:token/proof.jpg': 'student',
  'DELETE /api/v1/me/photos/:id': 'student',
  'POST /api/v1/me/submission': 'student',
  'POST /api/v1/me/submission/withdraw': 'student',
  'GET /api/v1/me/events': 'student',
  'GET /api/v1/me/messages': 'student',
  'POST /api/v1/me/messages/:id/read': 'student',
  'GET /api/v1/me/result': 'student',
  'POST /api/v1/me/result/confirm': 'student',
  'POST /api/v1/me/result/correction': 'student',
  'GET /api/v1/me/result/standard.jpg': 'student',
  'GET /api/v1/me/result/sheet.jpg': 'student',
  'POST /api/v1/me/result/email': 'student',
  'POST /api/v1/me/email/code': 'student',
  'POST /api/v1/me/email/confirm': 'student',
  // review (tc_api_review.c); the photos, by their random token: school admins
  // their own school's (the finer rules by state: 'staff see a photo ...' below)
  'GET /api/v1/review/queue': 'review',
  'GET /api/v1/review/photos/:token/:kind': 'staff',
  'POST /api/v1/review/submissions/:id/approve': 'review',
  'POST /api/v1/review/submissions/:id/reject': 'review',
  'POST /api/v1/review/submissions/:id/final': 'review',
  'POST /api/v1/review/submissions/:id/final/upload': 'review',
  'POST /api/v1/review/approve': 'review',
  'POST /api/v1/review/final': 'review',
  'GET /api/v1/review/production': 'review',
  'GET /api/v1/review/stats': 'review',
  'GET /api/v1/review/reasons': 'review',
  // the school console (tc_api_school.c)
  'POST /api/v1/students/:id/unlock': 'school_staff',
  'POST /api/v1/students/:id/reset': 'school_staff',
  'DELETE /api/v1/students/:id/chsi': 'school_staff',
  'PUT /api/v1/students/:id': 'school_staff',
  'POST /api/v1/students/:id/erase': 'school_staff',
  'GET /api/v1/batches/:id/settings': 'school_staff',
  'PUT /api/v1/batches/:id': 'school_staff',
  'GET /api/v1/schools/:id/settings': 'school_staff',
  'PUT /api/v1/schools/:id/settings': 'school_staff',
  'GET /api/v1/schools/:id/contact': 'school_staff',
  'PUT /api/v1/schools/:id/contact': 'school_staff',
  'GET /api/v1/schools/:id/notice': 'school_staff',
  'PUT /api/v1/schools/:id/notice': 'school_staff',
  'GET /api/v1/batches/:id/progress': 'school_staff',
  'GET /api/v1/batches/:id/progress.xlsx': 'school_staff',
  'GET /api/v1/batches/:id/roster': 'school_staff',
  'GET /api/v1/batches/:id/roster.xlsx': 'school_staff',
  'POST /api/v1/batches/:id/roster/rejects': 'school_staff',
  'POST /api/v1/batches/:id/students': 'school_staff',
  'GET /api/v1/batches/:id/photos.zip': 'school_staff',
  'GET /api/v1/batches/:id/photos/plan': 'school_staff',
  'GET /api/v1/batches/:id/codes.xlsx': 'school_staff',
  'GET /api/v1/roster/template.xlsx': 'school_staff',
  'POST /api/v1/batches/:id/remind': 'school_staff',
  'GET /api/v1/batches/:id/poster.pdf': 'school_staff',
  // money (tc_api_money.c)
  'POST /api/v1/me/pay': 'student',
  'GET /api/v1/me/orders': 'student',
  'GET /api/v1/me/orders/:no': 'student',
  'POST /api/v1/me/orders/:no/close': 'student',
  'POST /api/v1/me/orders/:no/pay': 'student',
  'POST /api/v1/me/orders/:no/received': 'student',
  'GET /api/v1/me/addresses': 'student',
  'POST /api/v1/me/addresses': 'student',
  'POST /api/v1/me/addresses/:id': 'student',
  'POST /api/v1/me/addresses/:id/default': 'student',
  'DELETE /api/v1/me/addresses/:id': 'student',
  'GET /api/v1/me/reprint': 'student',
  'POST /api/v1/me/reprints': 'student',
  'GET /api/v1/pay/sandbox/:no': 'student',
  'POST /api/v1/pay/sandbox/:no/pay': 'student',
  'POST /api/v1/pay/notify/sandbox': 'public',
  'POST /api/v1/pay/notify/wechat': 'public',
  'GET /api/v1/print/orders': 'platform',
  'GET /api/v1/print/orders/:no/sheet.pdf': 'platform',
  'POST /api/v1/print/orders/:no/ship': 'platform',
  'POST /api/v1/print/orders/:no/done': 'platform',
  'POST /api/v1/batches/:id/cancel': 'platform',
  'GET /api/v1/recon/reports': 'platform',
  'POST /api/v1/recon/run': 'platform',
  // WeChat web authorisation for JSAPI payment (tc_api_wechat.c)
  'POST /api/v1/wechat/oauth/start': 'student',
  'GET /api/v1/wechat/oauth/callback': 'student',
};

// The codes with which the role gate (the dispatcher's api_check, api_staff_school_ok) refuses.
const GATE = new Set(['auth.staff_required', 'auth.student_required', 'auth.forbidden', 'auth.other_school',
  'auth.password_change_required', 'entry.expired', 'auth.csrf']);

// The need of a row as the categories above.
const NEED = {
  API_PUBLIC: 'public', NEED_NONE: 'public', NEED_ENTRY: 'entry', NEED_STUDENT: 'student', NEED_STAFF: 'staff',
  NEED_STAFF_ANY: 'staff', NEED_SCHOOL_STAFF: 'school_staff', NEED_REVIEW: 'review', NEED_PLATFORM: 'platform',
};

// Every {"METHOD", "/path", need, h_handler, upload} row of every route table.
export function readRoutes() {
  const dir = path.join(ROOT, 'src/api');
  const out = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.c')).sort()) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    const rows = src.match(/^\s*\{\s*"(GET|POST|PUT|DELETE|PATCH)",/gm) || [];
    let n = 0;
    for (const m of src.matchAll(/\{\s*"(GET|POST|PUT|DELETE|PATCH)",\s*"(\/[^"]*)",\s*(API_PUBLIC|NEED_\w+),\s*(h_\w+),\s*(API_UPLOAD|API_JSON|0)\s*\}/g)) {
      out.push({ file: f, method: m[1], path: m[2], key: `${m[1]} ${m[2]}`, need: m[3], upload: m[5] === 'API_UPLOAD' });
      n++;
    }
    // a row this pattern does not read would escape the matrix
    assert.equal(n, rows.length, `${f}: ${rows.length} route rows, ${n} read`);
  }
  return out;
}

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));

let srv;
const roles = {}; // name -> {client, school: 'A'|'B'|null, kind}
const objs = { A: {}, B: {} }; // school -> {school, batch, student, photo (its token, submitted)}

async function addStudent(admin, batchId, n) {
  const chsi = `CHSI-AUTHZ-${n}`;
  const csv = `姓名,学号,身份证号,采集码\n权限${n},Z${n},${fakeId(n)},${chsi}\n`;
  let r = await admin.post(`/api/v1/batches/${batchId}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(n).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  return { client: c, id: (await c.get('/api/v1/me')).data.current_record };
}

// A photo's public token, from the proof URL its owner is given.
async function tokenOf(c, id) {
  const p = (await c.get(`/api/v1/me/photos/${id}`)).data;
  const m = /\/api\/v1\/me\/photos\/([0-9a-f]{32})\/proof\.jpg$/.exec(p.proof_url || '');
  assert.ok(m, 'a proof URL named by a token: ' + JSON.stringify(p));
  return m[1];
}

async function photoOf(c) {
  for (const step of ['notice/read', 'tips/read']) await c.post('/api/v1/me/' + step);
  await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } });
  await c.post('/api/v1/me/tutorial/done');
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 1200; i++) {
    const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`);
    if (p.data.state !== 'processing') return r.data.photo.id;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing');
}

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  const staff = Object.fromEntries(srv.demo.staff.map((s) => [s.role, s]));
  const admin = new Client(srv.url);
  await admin.staffLogin(staff.platform_admin.username, staff.platform_admin.password);
  const reviewer = new Client(srv.url);
  await reviewer.staffLogin(staff.reviewer.username, staff.reviewer.password);
  const schoolA = new Client(srv.url);
  await schoolA.staffLogin(staff.school_admin.username, staff.school_admin.password);
  let r = await admin.post('/api/v1/schools', { json: { name: '权限测试B校' } });
  assert.equal(r.status, 201, r.text);
  objs.A.school = srv.demo.school_id;
  objs.B.school = r.data.school.id;
  r = await admin.post('/api/v1/staff/accounts', { json: { username: 'authz-school-b', role: 'school_admin', password: 'Init-pass-authz-b', school_id: objs.B.school } });
  assert.equal(r.status, 201, r.text);
  const schoolB = new Client(srv.url);
  await schoolB.staffLogin('authz-school-b', 'Init-pass-authz-b');
  objs.A.batch = srv.demo.batch.id;
  // the school pays: a confirmed photo goes straight to review
  r = await admin.req('PUT', `/api/v1/batches/${objs.A.batch}`, { json: { settings: { pay_when: 'school', checks: { disabled: ['duplicate'] } } } });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/schools/${objs.B.school}/batches`, { json: { name: 'B校批次', settings: { checks: { disabled: ['duplicate'] }, pay_when: 'school' } } });
  assert.equal(r.status, 201, r.text);
  objs.B.batch = r.data.batch.id;
  const sa = await addStudent(admin, objs.A.batch, 901);
  const sb = await addStudent(admin, objs.B.batch, 902);
  objs.A.student = sa.id;
  objs.B.student = sb.id;
  if (havePhotos) {
    // the matrix probes submitted photos (what staff may see at all)
    const ids = await Promise.all([photoOf(sa.client), photoOf(sb.client)]);
    const second = await photoOf(sa.client); // stays a draft
    assert.equal((await sa.client.get(`/api/v1/me/photos/${second}`)).data.state, 'draft');
    objs.A.draft = await tokenOf(sa.client, second);
    for (const [k, st, id] of [['A', sa, ids[0]], ['B', sb, ids[1]]]) {
      r = await st.client.post('/api/v1/me/submission', { json: { photo_id: id } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.data.submission.state, 'submitted', r.text);
      objs[k].photo = await tokenOf(st.client, id);
      objs[k].photoId = id;
      objs[k].studentClient = st.client;
    }
  }
  const anon = new Client(srv.url);
  await anon.csrf(); // so that a refusal is the role gate's, not the CSRF check's
  roles.anonymous = { client: anon, school: null, kind: 'anonymous' };
  roles.student = { client: sa.client, school: null, kind: 'student' };
  roles.school_admin_A = { client: schoolA, school: 'A', kind: 'school_admin' };
  roles.school_admin_B = { client: schoolB, school: 'B', kind: 'school_admin' };
  roles.reviewer = { client: reviewer, school: null, kind: 'reviewer' };
  roles.platform_admin = { client: admin, school: null, kind: 'platform_admin' };
});
after(async () => { if (srv) await srv.stop(); });

// Which object a route names, by its path: a school, a batch, a student, or
// a photo (the review photos); null when none of a school.
function scopeOf(p) {
  if (/^\/api\/v1\/(schools|admin\/schools)\/:id/.test(p)) return p.startsWith('/api/v1/admin/') ? null : 'school';
  if (/^\/api\/v1\/batches\/:id/.test(p)) return 'batch';
  if (/^\/api\/v1\/students\/:id/.test(p)) return 'student';
  if (/^\/api\/v1\/review\/photos\/:token/.test(p)) return 'photo';
  return null;
}

function fill(p, scope, school) {
  const id = scope && objs[school][scope] ? objs[school][scope] : 999999;
  return p.replace(':id', String(id)).replace(':token', scope === 'photo' && objs[school].photo ? objs[school].photo : 'f'.repeat(32))
    .replace(':kind', 'standard.jpg').replace(':code', 'no_such_reason')
    .replace(':no', 'TCNOSUCHORDER');
}

function allowed(need, role, objSchool) {
  const k = role.kind;
  switch (need) {
    case 'public': return true;
    case 'entry': return false;
    case 'student': return k === 'student';
    case 'platform': return k === 'platform_admin';
    case 'review': return k === 'reviewer' || k === 'platform_admin';
    case 'staff': // the review photos: a school admin only their own school's
      if (k === 'school_admin' && objSchool) return objSchool === role.school;
      return ['school_admin', 'reviewer', 'platform_admin'].includes(k);
    case 'school_staff':
      if (k === 'platform_admin') return true;
      return k === 'school_admin' && (!objSchool || objSchool === role.school);
    default: throw new Error('unknown need ' + need);
  }
}

// One call: the status and, for JSON, the error code; a stream (SSE) is
// cut as soon as its headers arrive.
async function probe(client, method, p) {
  const headers = { cookie: client.cookieHeader() };
  let body;
  if (method !== 'GET') {
    headers['x-csrf-token'] = client.jar.get('tc_csrf') || '';
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  const ac = new AbortController();
  const res = await fetch(srv.url + p, { method, headers, body, redirect: 'manual', signal: ac.signal });
  let code = null;
  if ((res.headers.get('content-type') || '').includes('text/event-stream')) ac.abort();
  else {
    const text = await res.text();
    try { code = JSON.parse(text).error?.code ?? null; } catch { /* not JSON */ }
  }
  return { status: res.status, code };
}

// Which photo each staff role sees (issue 14), beyond the school gate that
// the matrix checks (run before the matrix, which ends every session): only by the random token, only once submitted, and
// then by what the role's work needs (docs/API.md, "Review").
test('staff see a photo only by its token, only once submitted, and only what their work needs', { skip: !havePhotos, timeout: 600000 }, async () => {
  const see = async (role, token) => (await probe(roles[role].client, 'GET', `/api/v1/review/photos/${token}/standard.jpg`)).status;
  const staffRoles = ['school_admin_A', 'school_admin_B', 'reviewer', 'platform_admin'];
  const expect = async (token, want, what) => {
    for (const role of staffRoles) assert.equal(await see(role, token), want[role], `${what}: ${role}`);
  };
  // the sequential id is no name for a photo, for anyone
  for (const role of staffRoles) assert.equal(await see(role, String(objs.A.photoId)), 404, role + ' by id');
  // a draft: nobody (school B: refused by the school gate first)
  await expect(objs.A.draft, { school_admin_A: 404, school_admin_B: 403, reviewer: 404, platform_admin: 404 }, 'draft');
  // submitted (in the review queue): the school, any reviewer, the platform
  await expect(objs.A.photo, { school_admin_A: 200, school_admin_B: 403, reviewer: 200, platform_admin: 200 }, 'submitted');
  // approved by the platform admin: no longer the reviewer's business
  // (A was submitted first: the platform admin claims it alone, B is left for the reviewer)
  const queue = (await roles.platform_admin.client.get('/api/v1/review/queue?limit=1')).data.items;
  const subA = queue.find((x) => x.photo.standard_url.includes(objs.A.photo));
  assert.ok(subA, 'A is in the queue, named by its token');
  assert.ok(!queue.some((x) => /\/photos\/\d+\//.test(x.photo.standard_url)), 'no queue URL names a photo by id');
  let r = await roles.platform_admin.client.post(`/api/v1/review/submissions/${subA.id}/approve`);
  assert.equal(r.status, 200, r.text);
  await expect(objs.A.photo, { school_admin_A: 200, school_admin_B: 403, reviewer: 404, platform_admin: 200 }, 'approved by another');
  // rejected by the reviewer: theirs to look back at; not the school's any more
  const rq = (await roles.reviewer.client.get('/api/v1/review/queue?limit=100')).data.items;
  const subB = rq.find((x) => x.photo.standard_url.includes(objs.B.photo));
  assert.ok(subB, 'B is in the reviewer\'s queue');
  r = await roles.reviewer.client.post(`/api/v1/review/submissions/${subB.id}/reject`, { json: { reasons: ['light_dark'] } });
  assert.equal(r.status, 200, r.text);
  await expect(objs.B.photo, { school_admin_A: 403, school_admin_B: 404, reviewer: 200, platform_admin: 200 }, 'rejected by the reviewer');
});

test('every route in the route tables has an expectation (a new route fails here until it gets one)', () => {
  const routes = readRoutes();
  assert.ok(routes.length >= 60, `found ${routes.length} routes`);
  const missing = routes.filter((r) => !(r.key in EXPECT)).map((r) => `${r.key} (${r.file})`);
  assert.deepEqual(missing, [], 'routes without an expectation');
  const keys = new Set(routes.map((r) => r.key));
  const stale = Object.keys(EXPECT).filter((k) => !keys.has(k));
  assert.deepEqual(stale, [], 'expectations for routes that no longer exist');
});

test('every row of the route tables needs the role written down here', () => {
  const wrong = readRoutes().filter((r) => r.key in EXPECT && NEED[r.need] !== EXPECT[r.key])
    .map((r) => `${r.key} (${r.file}): the table says ${r.need}, expected ${EXPECT[r.key]}`);
  assert.deepEqual(wrong, []);
  // the checks that stay with a handler: only the providers' signed
  // callbacks and the pages and cookies anyone may fetch
  const open = readRoutes().filter((r) => r.need === 'API_PUBLIC').map((r) => r.key).sort();
  assert.deepEqual(open, ['GET /api/v1/csrf', 'GET /console', 'GET /healthz', 'POST /api/v1/pay/notify/sandbox',
    'POST /api/v1/pay/notify/wechat']);
  // an upload route is gated before its body with its row's need
  assert.ok(readRoutes().filter((r) => r.upload).every((r) => r.need !== 'API_PUBLIC'));
});

test('every state-changing route with a need refuses a request without the CSRF token, before its handler', async () => {
  const bad = [];
  for (const r of readRoutes()) {
    if (r.method === 'GET' || r.need === 'API_PUBLIC') continue;
    // the platform admin may do anything: only the CSRF check can refuse
    const client = roles.platform_admin.client;
    const res = await fetch(srv.url + fill(r.path, scopeOf(r.path), 'A'), {
      method: r.method, headers: { cookie: client.cookieHeader(), 'content-type': 'application/json' }, body: '{}',
    });
    const text = await res.text();
    let code = null;
    try { code = JSON.parse(text).error?.code ?? null; } catch { /* not JSON */ }
    if (res.status !== 403 || code !== 'auth.csrf') bad.push(`${r.key} -> ${res.status} ${code}`);
  }
  assert.deepEqual(bad, []);
});

test('role × route × own/other school: nothing leaks, refusals are 401/403, never 5xx', { timeout: 600000 }, async () => {
  // calls that end or change the caller's session or the batches run last
  const LAST = ['POST /api/v1/batches/:id/cancel', 'POST /api/v1/logout'];
  const routes = readRoutes().filter((r) => r.key in EXPECT)
    .sort((a, b) => LAST.indexOf(a.key) - LAST.indexOf(b.key));
  const bad = [];
  let calls = 0;
  for (const r of routes) {
    const need = EXPECT[r.key];
    const scope = scopeOf(r.path);
    for (const [name, role] of Object.entries(roles)) {
      for (const school of scope ? ['A', 'B'] : [null]) {
        if (scope === 'photo' && school && !objs[school].photo) continue;
        const url = fill(r.path, scope, school);
        const res = await probe(role.client, r.method, url);
        calls++;
        const ok = allowed(need, role, school);
        const where = `${name} ${r.method} ${url}${school ? ` (school ${school})` : ''} [${need}] -> ${res.status} ${res.code || ''}`;
        if (res.status >= 500) bad.push('5xx: ' + where);
        else if (!ok && res.status !== 401 && res.status !== 403) bad.push('not refused: ' + where);
        else if (ok && GATE.has(res.code)) bad.push('refused by the gate though allowed: ' + where);
      }
    }
  }
  assert.deepEqual(bad, [], `${bad.length} of ${calls} calls`);
  assert.ok(calls > 400, `${calls} calls`);
});

test('identity: a student of school B whose roster row has the ID number of a student of A sees only what she proved', async () => {
  // a fresh sign-in: the matrix above signs its clients out
  const pa = srv.demo.staff.find((s) => s.role === 'platform_admin');
  const admin = new Client(srv.url);
  await admin.csrf();
  let r = await admin.post('/api/v1/staff/login', { json: { username: pa.username, password: 'N3w-password-' + pa.username } });
  assert.equal(r.status, 200, r.text);
  const csv = `姓名,学号,身份证号,采集码\n同号,ZB901,${fakeId(901)},CHSI-AUTHZ-B901\n`;
  // a batch of its own: the matrix above cancelled B's
  r = await admin.post(`/api/v1/schools/${objs.B.school}/batches`, { json: { name: 'B校同号批次' } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/batches/${r.data.batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-AUTHZ-B901', id_last4: fakeId(901).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13700000901' } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  r = await c.get('/api/v1/me');
  assert.deepEqual(r.data.records.map((x) => x.student_no), ['ZB901'], 'A\'s record is not joined by ID number');
  r = await c.get(`/api/v1/me/records/${objs.A.student}`);
  assert.equal(r.status, 403, r.text);
  if (objs.A.photo) {
    r = await c.get(`/api/v1/me/photos/${objs.A.photo}`);
    assert.ok(r.status === 403 || r.status === 404, r.text);
  }
  // and A's student still sees only her own
  r = await roles.student.client.get('/api/v1/me');
  if (r.status === 200) assert.deepEqual(r.data.records.map((x) => x.id), [objs.A.student]);
});
