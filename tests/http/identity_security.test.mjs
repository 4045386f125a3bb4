// Identity holes of issue 14, each tried as the attacker would over HTTP:
// a school admin taking over another school's student, the 采集码 alone
// opening a session, one code in two rows, roster files kept in clear, the
// CSRF token surviving a sign-in, staff sign-in lock-out and spraying, and
// pictures without a code not counted.  The server trusts X-Forwarded-For
// here so that each test is its own client address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, Client, fileForm, fakeId, ROOT, dbSql } from './lib.mjs';

let srv, demo, admin;
const header = '姓名,学号,身份证号,层次,专业,班级,采集码\n';
const csv = (rows) => header + rows.map((r) => r.join(',')).join('\n') + '\n';
let ipSeq = 10;
const newIp = () => `198.51.100.${ipSeq++}`;
const client = (ip = newIp()) => new Client(srv.url, { 'x-forwarded-for': ip });
async function anon() { const c = client(); await c.csrf(); return c; }

before(async () => {
  srv = await startServer({ extraArgs: ['--trust-proxy'] });
  demo = srv.demo;
  admin = client();
  await admin.staffLogin(demo.staff[0].username, demo.staff[0].password);
});
after(async () => { if (srv) await srv.stop(); });

async function newSchool(name) {
  let r = await admin.post('/api/v1/schools', { json: { name } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: name + ' 2026届' } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const username = 'sa-' + school.id;
  r = await admin.post('/api/v1/staff/accounts', { json: { username, role: 'school_admin', password: 'Init-pass-123', school_id: school.id } });
  assert.equal(r.status, 201, r.text);
  const sa = client();
  await sa.staffLogin(username, 'Init-pass-123');
  return { school, batch, sa };
}

const importRoster = (c, batchId, text) =>
  c.post(`/api/v1/batches/${batchId}/roster`, { form: fileForm({ file: { bytes: Buffer.from(text), name: 'r.csv', type: 'text/csv' } }) });

async function enterCode(c, featureCode, last4, chsi) {
  await c.csrf();
  return c.post('/api/v1/entry/code', { form: fileForm({ feature_code: featureCode, id_last4: last4, chsi_code: chsi }) });
}

test('a school admin cannot take over another school\'s student with her ID number', async () => {
  // the victim, a student of the demo school, signs in and leaves data behind
  const victim = demo.students[0];
  const v = client();
  let r = await enterCode(v, demo.batch.code, victim.id_last4, victim.chsi_code);
  assert.equal(r.status, 200, r.text);
  const victimRecord = r.data.student.id;
  r = await v.post('/api/v1/entry/confirm', { json: { phone: '13811112222' } });
  assert.equal(r.status, 200, r.text);
  r = await v.post('/api/v1/me/addresses', { json: { name: '受害人', phone: '13811112222', region: '江苏省 南京市 鼓楼区', detail: '汉口路 22 号' } });
  assert.ok(r.status === 200 || r.status === 201, r.text);

  // another school's admin puts the victim's ID number into a row of her own, with a code she chose
  const { batch, sa } = await newSchool('攻击者学院');
  r = await importRoster(sa, batch.id, csv([['冒名', 'EV001', victim.id_number, '本科', '物理', '1班', 'EVIL-CODE-1']]));
  assert.equal(r.status, 200, 'the row itself is kept apart, not refused: ' + r.text);
  const att = client();
  r = await enterCode(att, batch.code, victim.id_last4, 'EVIL-CODE-1');
  assert.equal(r.status, 200, r.text);
  r = await att.post('/api/v1/entry/confirm', { json: { phone: '13999999999' } });
  assert.equal(r.status, 200, r.text);

  // the attacker's session sees only the record it proved
  r = await att.get('/api/v1/me');
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.records.map((x) => x.student_no), ['EV001'], 'no other-school record joined by ID number');
  r = await att.get(`/api/v1/me/records/${victimRecord}`);
  assert.equal(r.status, 403, r.text);
  r = await att.get('/api/v1/me/addresses');
  assert.equal(r.status, 200);
  assert.equal(r.data.addresses.length, 0, 'the victim\'s address is not visible');

  // the victim's school still sees her own phone; the victim sees only her record
  const own = client();
  const sac = demo.staff.find((s) => s.role === 'school_admin');
  await own.staffLogin(sac.username, sac.password);
  r = await own.get(`/api/v1/students/${victimRecord}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.phone, '13811112222', 'confirming elsewhere did not overwrite her phone');
  r = await v.get('/api/v1/me');
  assert.deepEqual(r.data.records.map((x) => x.id), [victimRecord]);
  r = await v.get('/api/v1/me/addresses');
  assert.equal(r.data.addresses.length, 1);
  // the attacker's school sees its own row only, the victim's school does not see it
  r = await sa.get(`/api/v1/batches/${batch.id}/students`);
  assert.deepEqual(r.data.students.map((x) => x.student_no), ['EV001']);
  r = await own.get(`/api/v1/batches/${batch.id}/students`);
  assert.equal(r.status, 403);
});

test('the 采集码 alone opens nothing: QR entry asks the last 4, with the same lock as the code path', async () => {
  const st = demo.students[2];
  const c = client();
  await c.csrf();
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code }) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.data, { step: 'last4' }, 'no student data before the last 4');
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 401, 'no entry session from the code alone');
  const wrong = st.id_last4 === '0000' ? '1111' : '0000';
  for (let i = 0; i < 4; i++) {
    r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: wrong }) });
    assert.equal(r.data.error.code, 'entry.last4_wrong', r.text);
  }
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: wrong }) });
  assert.equal(r.status, 423, r.text);
  // the row is locked on every path, even with the right last 4, and says until when
  for (const res of [
    await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: st.id_last4 }) }),
    await enterCode(client(), demo.batch.code, st.id_last4, st.chsi_code),
    await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code }) }),
  ]) {
    assert.equal(res.status, 423, res.text);
    assert.equal(res.data.error.code, 'entry.locked');
    assert.match(res.data.error.zh, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  }
});

test('every entry path applies the window and a cancelled batch', async () => {
  const { batch } = await newSchool('窗口学院');
  let r = await importRoster(admin, batch.id, csv([['窗口', 'W001', fakeId(301), '本科', '化学', '1班', 'WIN-CODE-1']]));
  assert.equal(r.status, 200, r.text);
  const now = Math.floor(Date.now() / 1000);
  r = await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { starts_at: now + 86400, ends_at: now + 2 * 86400 } });
  assert.equal(r.status, 200, r.text);
  const l4 = fakeId(301).slice(-4);
  r = await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'WIN-CODE-1', id_last4: l4 }) });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'entry.outside_window');
  r = await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'WIN-CODE-1' }) });
  assert.equal(r.data.error.code, 'entry.outside_window', 'refused before the last 4 are even asked');
  r = await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { starts_at: null, ends_at: null } });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/batches/${batch.id}/cancel`, { json: {} });
  assert.equal(r.status, 200, r.text);
  for (const res of [
    await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'WIN-CODE-1', id_last4: l4 }) }),
    await enterCode(client(), batch.code, l4, 'WIN-CODE-1'),
  ]) {
    assert.equal(res.status, 403, res.text);
    assert.equal(res.data.error.code, 'entry.batch_cancelled');
    assert.match(res.data.error.zh, /取消/);
    assert.ok(res.data.error.en);
  }
});

test('a 采集码 belongs to one row in the whole system: a second row is refused, per row, and audited', async () => {
  const { school: s1, batch: b1, sa } = await newSchool('唯一学院');
  let r = await importRoster(sa, b1.id, csv([['唯一', 'U001', fakeId(401), '本科', '数学', '1班', 'ONE-CODE-1']]));
  assert.equal(r.status, 200, r.text);
  // a second batch of the same school
  r = await admin.post(`/api/v1/schools/${s1.id}/batches`, { json: { name: '第二批' } });
  assert.equal(r.status, 201, r.text);
  const b2 = r.data.batch;
  r = await importRoster(sa, b2.id, csv([['别人', 'U101', fakeId(402), '本科', '数学', '1班', 'ONE-CODE-1']]));
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'roster.chsi_taken');
  assert.equal(r.data.report.errors[0].row, 2, 'the row is named');
  assert.match(r.data.error.zh, /采集码/);
  // another school, and a single student added by hand
  const { batch: b3, sa: sa3 } = await newSchool('别校学院');
  r = await importRoster(sa3, b3.id, csv([['别人', 'Z001', fakeId(403), '本科', '数学', '1班', 'ONE-CODE-1']]));
  assert.equal(r.status, 409, r.text);
  r = await sa3.post(`/api/v1/batches/${b3.id}/students`, { json: { name: '手工', student_no: 'Z002', id_number: fakeId(404), chsi_code: 'ONE-CODE-1' } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'student.chsi_taken');
  // the refusals are in the audit log
  r = await admin.get('/api/v1/admin/audit?action=roster_import_refused');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.data.items.length >= 2, JSON.stringify(r.data));
  // the code still opens the first row only
  r = await (await anon()).post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'ONE-CODE-1', id_last4: fakeId(401).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.student_no, 'U001');
});

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p)); else out.push(p);
  }
  return out;
}

test('after an import, no file under the data directory holds a roster ID number or code in clear', async () => {
  const { batch, sa } = await newSchool('明文学院');
  const rows = [1, 2, 3].map((i) => [`明文${i}`, `P00${i}`, fakeId(500 + i), '本科', '历史', '1班', `PLAIN-CODE-${i}`]);
  const r = await importRoster(sa, batch.id, csv(rows));
  assert.equal(r.status, 200, r.text);
  assert.match(r.data.file_sha256, /^[0-9a-f]{64}$/, 'the audit names the file by its hash');
  for (const f of filesUnder(srv.dataDir)) {
    const bytes = readFileSync(f);
    for (const row of rows) {
      assert.ok(!bytes.includes(Buffer.from(row[2])), `${f} holds ID ${row[2]} in clear`);
      assert.ok(!bytes.includes(Buffer.from(row[6])), `${f} holds code ${row[6]} in clear`);
    }
  }
});

test('roster files kept by earlier versions are removed at start-up', async () => {
  // a data directory as an earlier version left it: the file as a blob, named by the audit
  const s2 = await startServer({ demo: false });
  const dir = s2.dataDir;
  await s2.stop({ keep: true });
  const text = Buffer.from(csv([['旧档', 'O001', fakeId(601), '本科', '历史', '1班', 'OLD-CODE-1']]));
  const id = createHash('sha256').update(text).digest('hex');
  const blob = path.join(dir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
  mkdirSync(path.dirname(blob), { recursive: true });
  writeFileSync(blob, text);
  dbSql(dir, `INSERT INTO staff_audit(at, staff_id, action, target, after, ip) VALUES (0, NULL, 'roster_import', 'abcdef', '{"file":"${id}"}', '127.0.0.1')`);
  const s3 = await startServer({ demo: false, dataDir: dir });
  try {
    assert.throws(() => statSync(blob), /ENOENT/, 'the clear roster file is gone');
    assert.match(s3.log(), /removed 1 roster file/);
  } finally {
    await s3.stop();
  }
});

test('the CSRF token is a new one after every sign-in, staff and student', async () => {
  const c = client();
  const before = await c.csrf();
  // (the platform admin's password was changed in before(): sign in with it)
  let r = await c.post('/api/v1/staff/login', { json: { username: demo.staff[0].username, password: 'N3w-password-' + demo.staff[0].username } });
  assert.equal(r.status, 200, r.text);
  const after = c.jar.get('tc_csrf');
  assert.ok(after && after !== before, 'rotated at sign-in');
  assert.equal(r.data.csrf, after);
  // a write carrying the token from before the sign-in (planted cookie and header) is refused
  r = await c.req('POST', '/api/v1/schools', { json: { name: '旧令牌' }, csrf: false, headers: { 'x-csrf-token': before, cookie: `tc_sid=${c.jar.get('tc_sid')}; tc_csrf=${before}` } });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'auth.csrf');

  const s = client();
  const t0 = await s.csrf();
  const st = demo.students[4];
  r = await enterCode(s, demo.batch.code, st.id_last4, st.chsi_code);
  assert.equal(r.status, 200, r.text);
  const t1 = s.jar.get('tc_csrf');
  assert.notEqual(t1, t0, 'rotated when the entry session starts');
  r = await s.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 200, r.text);
  assert.notEqual(s.jar.get('tc_csrf'), t1, 'rotated when the student session starts');
});

test('staff sign-in: failures throttle the address, not the account; sprayed names are throttled; no rows for unknown names', async () => {
  const user = demo.staff.find((s) => s.role === 'reviewer');
  const goodPw = user.password;
  const bad = client();
  await bad.csrf();
  let r;
  for (let i = 0; i < 6; i++) {
    r = await bad.post('/api/v1/staff/login', { json: { username: user.username, password: 'wrong-' + i } });
    assert.equal(r.status, 401, r.text);
  }
  // the guesser's address is refused at once, even with the right password, and told when
  const t0 = Date.now();
  r = await bad.post('/api/v1/staff/login', { json: { username: user.username, password: goodPw } });
  assert.equal(r.status, 429, r.text);
  assert.equal(r.data.error.code, 'auth.throttled');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.ok(Date.now() - t0 < 2000, 'refused before the password work');
  // the owner, from her own address, gets in
  const owner = client();
  await owner.csrf();
  r = await owner.post('/api/v1/staff/login', { json: { username: user.username, password: goodPw } });
  assert.equal(r.status, 200, 'the right password from an unthrottled address: ' + r.text);

  // spraying many names from one address is throttled too
  const spray = client();
  await spray.csrf();
  const names = Array.from({ length: 21 }, (_, i) => `spray-${i}-nobody`);
  for (const n of names) {
    r = await spray.post('/api/v1/staff/login', { json: { username: n, password: 'x' } });
    assert.equal(r.status, 401, r.text);
  }
  r = await spray.post('/api/v1/staff/login', { json: { username: 'spray-last', password: 'x' } });
  assert.equal(r.status, 429, r.text);
  const keys = dbSql(srv.dataDir, 'SELECT key FROM lockout');
  assert.ok(!/spray-/.test(keys), 'no lock rows named after unknown user names:\n' + keys);
});

test('pictures with no code in them count toward the address lock', async () => {
  const ip = newIp();
  const c = client(ip);
  await c.csrf();
  const blank = path.join(ROOT, 'web/student/icon.png');
  let r;
  for (let i = 0; i < 20; i++) {
    r = await c.post('/api/v1/entry/qr', { form: fileForm({ qr: { path: blank, type: 'image/png' } }) });
    assert.notEqual(r.status, 423, `locked early at try ${i + 1}`);
  }
  const st = demo.students[5];
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: st.id_last4 }) });
  assert.equal(r.status, 423, r.text);
  assert.equal(r.data.error.code, 'entry.locked');
});
