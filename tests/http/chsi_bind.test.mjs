// Issue 19 item 1: the 采集码 need not be in the roster.  A school imports
// name, student number and ID number; the student enters with the batch's
// 特征码 + the last four ID characters + the name, then binds the 采集码
// (QR picture or text): one code per row, one row per code in the whole
// system, audited; a school admin clears a wrong one; the code goes out with
// the exports (only to the school's admin).  The server trusts
// X-Forwarded-For so each client here is its own address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, qrPng, ROOT, execFileSync, acceptConsent, dbSql } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let srv, admin, tmp;
let ipSeq = 10;
const client = () => new Client(srv.url, { 'x-forwarded-for': `203.0.113.${ipSeq++}` });
const audit = async (qs) => (await admin.get('/api/v1/admin/audit?' + qs)).data;

async function newSchool(name) {
  let r = await admin.post('/api/v1/schools', { json: { name } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: name + ' 2026届' } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const username = 'cb-' + school.id;
  r = await admin.post('/api/v1/staff/accounts', { json: { username, role: 'school_admin', password: 'Init-pass-123', school_id: school.id } });
  assert.equal(r.status, 201, r.text);
  const sa = client();
  await sa.staffLogin(username, 'Init-pass-123');
  return { school, batch, sa };
}

const importCsv = (c, batchId, text) =>
  c.post(`/api/v1/batches/${batchId}/roster`, { form: fileForm({ file: { bytes: Buffer.from(text), name: 'r.csv', type: 'text/csv' } }) });

async function byName(c, featureCode, last4, name) {
  await c.csrf();
  return c.post('/api/v1/entry/code', { form: fileForm({ feature_code: featureCode, id_last4: last4, name }) });
}

// entry by name, then the information check: a signed-in student
async function signIn(featureCode, n, name, bound = false) {
  const c = client();
  let r = await byName(c, featureCode, fakeId(n).slice(-4), name);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.step, 'confirm');
  assert.equal(r.data.student.chsi_bound, bound);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13900139000' } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  c.studentId = r.data.student.id;
  return c;
}

let A, B; // two schools
const roster = (rows) => '姓名,学号,身份证号,班级,采集码\n' + rows.map((r) => r.join(',')).join('\n') + '\n';

before(async () => {
  srv = await startServer({ extraArgs: ['--trust-proxy'], env: { TUCAI_MODELS: MODELS } });
  admin = client();
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  tmp = mkdtempSync(path.join(tmpdir(), 'tucai-chsi-'));
  A = await newSchool('采集码绑定大学');
  B = await newSchool('采集码邻校');
});
after(async () => {
  if (srv) await srv.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('a roster without codes imports (an empty column, or no column at all)', async () => {
  let r = await importCsv(A.sa, A.batch.id, roster([
    ['王无码', 'B001', fakeId(901), '1班', ''],
    ['李无码', 'B002', fakeId(902), '1班', ''],
    ['赵有码', 'B003', fakeId(903), '1班', 'CHSI-ROSTER-903'],
    ['周无码', 'B004', fakeId(904), '2班', ''],
    ['吴无码', 'B005', fakeId(905), '2班', ''],
    ['郑无码', 'B006', fakeId(906), '2班', ''],
  ]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.inserted, 6);
  r = await importCsv(B.sa, B.batch.id, '姓名,学号,身份证号\n' + `钱无列,C001,${fakeId(911)}\n孙无列,C002,${fakeId(912)}\n`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.inserted, 2);
  // the roster view tells where each code came from
  const rows = (await A.sa.get(`/api/v1/batches/${A.batch.id}/roster?limit=100`)).data.students;
  const from = Object.fromEntries(rows.map((s) => [s.student_no, s.chsi_from]));
  assert.deepEqual(from, { B001: 'none', B002: 'none', B003: 'roster', B004: 'none', B005: 'none', B006: 'none' });
  assert.ok(!JSON.stringify(rows).includes('CHSI-ROSTER-903'), 'the code itself is never listed');
  // a code the resolver cannot take is refused with the row named
  r = await importCsv(A.sa, A.batch.id, roster([['坏码', 'B099', fakeId(999), '1班', 'ab']]));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'roster.bad_code');
  assert.match(r.data.error.zh, /第 2 行/);
});

test('entry by 特征码 + last four + name; a wrong name or last four gets one answer and is counted', async () => {
  const fc = A.batch.code.toUpperCase();
  // wrong name and wrong last four: the same code and words
  const c = client();
  const wrongName = await byName(c, fc, fakeId(901).slice(-4), '王有码');
  const wrongL4 = await byName(c, fc, fakeId(902).slice(-4), '王无码');
  assert.equal(wrongName.status, 400, wrongName.text);
  assert.equal(wrongL4.status, 400, wrongL4.text);
  assert.equal(wrongName.data.error.code, 'entry.name_or_last4');
  assert.deepEqual(wrongName.data.error, wrongL4.data.error, 'which of the two was wrong is not told');
  // a row whose code came from the roster is never entered by name
  const coded = await byName(client(), fc, fakeId(903).slice(-4), '赵有码');
  assert.equal(coded.data.error.code, 'entry.name_or_last4');
  // the right name and last four: the information check, without a session yet
  const ok = await byName(client(), fc, fakeId(901).slice(-4), ' 王无码 ');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.data.step, 'confirm');
  assert.equal(ok.data.student.student_no, 'B001');
  // attempts are audited on the row (the console's attempt count)
  const att = (await A.sa.get(`/api/v1/students/${ok.data.student.id}/attempts`)).data;
  assert.ok(JSON.stringify(att).length > 2, JSON.stringify(att));
  // five wrong last fours lock the row (even against the right answer)
  for (let i = 0; i < 5; i++) {
    const r = await byName(client(), fc, '0000', '周无码');
    assert.ok(r.status === 400 || r.status === 423, r.text);
  }
  const locked = await byName(client(), fc, fakeId(904).slice(-4), '周无码');
  assert.equal(locked.status, 423, locked.text);
  assert.equal(locked.data.error.code, 'entry.locked');
  // the address lock: one client that keeps guessing is stopped
  const g = client();
  let last;
  for (let i = 0; i < 22; i++) last = await byName(g, fc, '1234', '无此人' + i);
  assert.equal(last.status, 423, last.text);
  assert.equal(last.data.error.code, 'entry.locked');
});

test('two students of one batch with the same name and last four: told to enter with the code', async () => {
  // the same sequence number, a birth date whose check digit is the same: same last four
  const a = fakeId(950, '20040101');
  let b = null;
  for (let d = 2; d <= 28 && !b; d++) {
    const x = fakeId(950, '200402' + String(d).padStart(2, '0'));
    if (x.slice(-4) === a.slice(-4)) b = x;
  }
  assert.ok(b, 'two ID numbers with the same last four');
  let r = await importCsv(B.sa, B.batch.id, '姓名,学号,身份证号\n' + `同名同尾,C050,${a}\n同名同尾,C051,${b}\n`);
  assert.equal(r.status, 200, r.text);
  r = await byName(client(), B.batch.code, a.slice(-4), '同名同尾');
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'entry.name_ambiguous');
  assert.match(r.data.error.zh, /请扫描图像采集码进入/);
});

test('bind by QR picture: audited, required before 确认上传, one code per row', async () => {
  const s = await signIn(A.batch.code, 902, '李无码');
  // 确认上传 is refused until the code is bound
  let r = await s.post('/api/v1/me/submission', { json: { photo_id: 1 } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'journey.chsi_unbound');
  assert.match(r.data.error.zh, /图像采集码/);
  // a picture without a code, and a text that cannot be a code
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ qr: { path: path.join(ROOT, 'web/student/icon.png'), type: 'image/png' } }) });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'qr.not_found');
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'has space in it' }) });
  assert.equal(r.data.error.code, 'chsi.bad_code');
  r = await s.post('/api/v1/me/chsi', { form: fileForm({}) });
  assert.equal(r.data.error.code, 'entry.code_missing');
  // the real thing
  const png = qrPng('CHSI-BOUND-902', path.join(tmp, '902.png'));
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ qr: { path: png, type: 'image/png' } }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.chsi_bound, true);
  assert.equal((await s.get('/api/v1/me')).data.records[0].chsi_bound, true);
  const a = await audit(`action=student.chsi_bound&target=student:${s.studentId}`);
  assert.equal(a.total, 1, JSON.stringify(a));
  assert.equal(JSON.parse(a.items[0].after).via, 'qr');
  // a second code for the same row is refused
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-OTHER-902' }) });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'chsi.already_bound');
  assert.match(r.data.error.zh, /已绑定/);
  // now the code opens the record too (and the name still does)
  const q = client();
  await q.csrf();
  r = await q.post('/api/v1/entry/qr', { form: fileForm({ qr: { path: png, type: 'image/png' }, id_last4: fakeId(902).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.student_no, 'B002');
  r = await byName(client(), A.batch.code, fakeId(902).slice(-4), '李无码');
  assert.equal(r.status, 200, r.text);
  // and 确认上传 goes past the code check (to the photo check)
  r = await s.post('/api/v1/me/submission', { json: { photo_id: 1 } });
  assert.notEqual(r.data?.error?.code, 'journey.chsi_unbound', r.text);
});

test('bind by text; a code another row holds (this school or another) is refused and audited', async () => {
  const s = await signIn(A.batch.code, 905, '吴无码');
  // the roster's code of another row of this school
  let r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-ROSTER-903' }) });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'chsi.taken');
  assert.match(r.data.error.zh, /另一条学生记录/);
  assert.match(r.data.error.en, /another student record/);
  // a code a student of another school bound
  const other = await signIn(B.batch.code, 911, '钱无列');
  r = await other.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: ' CHSI-TEXT-911 ' }) });
  assert.equal(r.status, 200, r.text);
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-TEXT-911' }) });
  assert.equal(r.data.error.code, 'chsi.taken');
  const a = await audit(`action=student.chsi_refused&target=student:${s.studentId}`);
  assert.equal(a.total, 2, JSON.stringify(a));
  assert.equal(JSON.parse(a.items[0].after).reason, 'chsi.taken');
  // an import cannot take it either (one row per code across all schools)
  r = await importCsv(A.sa, A.batch.id, roster([['吴无码', 'B005', fakeId(905), '2班', 'CHSI-TEXT-911']]));
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'roster.chsi_taken');
  // its own code, typed (trimmed)
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-TEXT-905\n' }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.chsi_bound, true);
  // the roster keeps a bound code when it is imported again without one
  r = await importCsv(A.sa, A.batch.id, roster([['吴无码', 'B005', fakeId(905), '2班', '']]));
  assert.equal(r.status, 200, r.text);
  const row = (await A.sa.get(`/api/v1/batches/${A.batch.id}/roster?q=B005`)).data.students[0];
  assert.equal(row.chsi_from, 'student');
});

test('a school admin clears a wrong code (audited); another school cannot', async () => {
  const s = await signIn(A.batch.code, 906, '郑无码');
  let r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-WRONG-906' }) });
  assert.equal(r.status, 200, r.text);
  r = await B.sa.req('DELETE', `/api/v1/students/${s.studentId}/chsi`);
  assert.equal(r.status, 403, r.text);
  r = await A.sa.req('DELETE', `/api/v1/students/${s.studentId}/chsi`);
  assert.equal(r.status, 200, r.text);
  const a = await audit(`action=student.chsi_cleared&target=student:${s.studentId}`);
  assert.equal(a.total, 1);
  assert.equal(JSON.parse(a.items[0].before).chsi, 'student');
  r = await A.sa.req('DELETE', `/api/v1/students/${s.studentId}/chsi`);
  assert.equal(r.data.error.code, 'chsi.none');
  assert.equal((await s.get('/api/v1/me')).data.records[0].chsi_bound, false);
  // the wrong code is free again, and the right one binds
  r = await s.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-RIGHT-906' }) });
  assert.equal(r.status, 200, r.text);
  const other = await signIn(A.batch.code, 901, '王无码');
  r = await other.post('/api/v1/me/chsi', { form: fileForm({ chsi_code: 'CHSI-WRONG-906' }) });
  assert.equal(r.status, 200, 'a cleared code may be bound by its owner: ' + r.text);
});

test('exports: the roster shows bound / not bound, the code itself only in the full-ID export', async () => {
  const get = async (qs) => {
    const res = await fetch(`${srv.url}/api/v1/batches/${A.batch.id}/roster.xlsx?${qs}`, { headers: { cookie: A.sa.cookieHeader() } });
    assert.equal(res.status, 200, qs);
    const f = path.join(tmp, 'roster-' + qs.replace(/\W/g, '') + '.xlsx');
    writeFileSync(f, Buffer.from(await res.arrayBuffer()));
    return execFileSync('unzip', ['-p', f]).toString('utf8');
  };
  const masked = await get('ids=masked');
  assert.match(masked, /已绑定/);
  assert.match(masked, /未绑定/);
  assert.ok(!masked.includes('CHSI-BOUND-902') && !masked.includes('CHSI-ROSTER-903'), 'no code in the masked export');
  const full = await get('ids=full');
  for (const code of ['CHSI-BOUND-902', 'CHSI-ROSTER-903', 'CHSI-TEXT-905', 'CHSI-RIGHT-906']) assert.ok(full.includes(code), code);
});

test('a code known only by its hash (imported before schema 11) is sealed when its student enters with it', async () => {
  // what migration 11 leaves for old rows: the hash, no sealed copy
  dbSql(srv.dataDir, "UPDATE student SET chsi_sealed = NULL WHERE student_no = 'B003'");
  const full = async () => {
    const res = await fetch(`${srv.url}/api/v1/batches/${A.batch.id}/roster.xlsx?ids=full`, { headers: { cookie: A.sa.cookieHeader() } });
    const f = path.join(tmp, 'seal.xlsx');
    writeFileSync(f, Buffer.from(await res.arrayBuffer()));
    return execFileSync('unzip', ['-p', f]).toString('utf8');
  };
  assert.ok(!(await full()).includes('CHSI-ROSTER-903'), 'hash only: the export cannot hold it');
  const c = client();
  await c.csrf();
  // the code alone (step last4) seals nothing; with the last four it does
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-ROSTER-903' }) });
  assert.equal(r.data.step, 'last4', r.text);
  assert.ok(!(await full()).includes('CHSI-ROSTER-903'));
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-ROSTER-903', id_last4: fakeId(903).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  assert.ok((await full()).includes('CHSI-ROSTER-903'), 'sealed now');
});

test('the photo export ZIP carries the 采集码 list (学号, 姓名, 采集码, 文件名)', { skip: !havePhotos, timeout: 600000 }, async () => {
  const s = await signIn(A.batch.code, 901, '王无码', true);
  for (const p of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await s.post('/api/v1/me/' + p)).status, 200);
  let r = await s.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  let ph;
  for (let k = 0; k < 900; k++) {
    ph = (await s.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (ph.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(ph.state, 'draft', JSON.stringify(ph));
  r = await s.post('/api/v1/me/submission', { json: { photo_id: ph.id } });
  assert.equal(r.status, 200, r.text);
  const item = (await admin.get('/api/v1/review/queue')).data.items.find((x) => x.photo.id === ph.id);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  const zipOf = async (c, name) => {
    const res = await fetch(`${srv.url}/api/v1/batches/${A.batch.id}/photos.zip`, { headers: { cookie: c.cookieHeader() } });
    assert.equal(res.status, 200);
    const f = path.join(tmp, name);
    writeFileSync(f, Buffer.from(await res.arrayBuffer()));
    execFileSync('unzip', ['-t', f]);
    return execFileSync('unzip', ['-p', f, '采集码.csv']).toString('utf8');
  };
  const list = await zipOf(A.sa, 'a.zip');
  assert.match(list, /"学号","姓名","采集码","文件名"/);
  assert.match(list, /"B001","王无码","CHSI-WRONG-906","B001\.jpg"/);
  // the platform admin gets the list without the codes
  const pl = await zipOf(admin, 'p.zip');
  assert.match(pl, /"B001","王无码","已绑定","B001\.jpg"/);
  assert.ok(!pl.includes('CHSI-WRONG-906'));
});
