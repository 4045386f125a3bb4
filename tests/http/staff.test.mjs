// School and platform staff (issue 20, items 10–12) against the real server:
// the roster import that keeps the good rows and hands back the bad ones as a
// CSV to fix; the roster export in the console's language, re-importable,
// with full ID numbers only for a school admin who asks (audited); every
// audit action the server writes has words in the console (words.js); the
// demo's second school and notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, Client, fileForm, fakeId, ROOT, execFileSync, acceptConsent } from './lib.mjs';

let srv, admin, mine, other, school, otherSchool;

before(async () => {
  srv = await startServer();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const mk = async (name) => (await admin.post('/api/v1/schools', { json: { name } })).data.school;
  school = await mk('名单测试大学');
  otherSchool = await mk('名单测试学院');
  const acct = async (username, sid) => {
    const password = 'Init-pass-' + username;
    const r = await admin.post('/api/v1/staff/accounts', { json: { username, role: 'school_admin', password, school_id: sid } });
    assert.equal(r.status, 201, r.text);
    const c = new Client(srv.url);
    await c.staffLogin(username, password);
    return c;
  };
  mine = await acct('roster-mine', school.id);
  other = await acct('roster-other', otherSchool.id);
});
after(async () => { if (srv) await srv.stop(); });

const HEAD = '姓名,学号,身份证号,层次,专业,班级,采集码\n';
const row = (n, { id = fakeId(n), code = `CODE-STAFF-${n}` } = {}) => `学生${n},S${n},${id},本科,数学,数学2201,${code}`;
const csvFile = (text, name = 'r.csv') => fileForm({ file: { bytes: Buffer.from(text), name, type: 'text/csv' } });
async function newBatch(c, sid, name) {
  const r = await c.post(`/api/v1/schools/${sid}/batches`, { json: { name } });
  assert.equal(r.status, 201, r.text);
  return r.data.batch;
}
const total = async (c, bid) => (await c.get(`/api/v1/batches/${bid}/students?limit=500`)).data.total;
async function download(c, p) {
  const res = await fetch(srv.url + p, { headers: { cookie: c.cookieHeader() } });
  return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
}
// The text cells of an XLSX, sheet by sheet (the server's libxlsxwriter, in
// constant-memory mode, writes them inline).
function xlsxStrings(buf) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tucai-xlsx-'));
  try {
    const f = path.join(dir, 'x.xlsx');
    writeFileSync(f, buf);
    const xml = execFileSync('unzip', ['-p', f, 'xl/worksheets/*.xml']).toString();
    return [...xml.matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((m) => m[1]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('roster import: all-or-nothing by default; mode=good imports the good rows; the bad ones come back as a CSV to fix', async () => {
  // a 采集码 another school's student already holds
  const ob = await newBatch(other, otherSchool.id, '别校批次');
  let r = await other.post(`/api/v1/batches/${ob.id}/roster`, { form: csvFile(HEAD + row(990, { code: 'CODE-TAKEN' }) + '\n') });
  assert.equal(r.status, 200, r.text);

  const b = await newBatch(mine, school.id, '部分导入批次');
  const file = HEAD + [row(1), row(2), row(3, { id: '320102200401010000' }), row(4, { code: 'CODE-TAKEN' }), row(5)].join('\n') + '\n';
  // default: one bad row blocks the file, nothing imported
  r = await mine.post(`/api/v1/batches/${b.id}/roster`, { form: csvFile(file) });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.data.error.code, 'roster.invalid');
  assert.equal(r.data.report.rows, 5);
  assert.equal(r.data.report.bad_rows, 1, 'the ID checksum (the 采集码 conflict is found only by the database)');
  assert.equal(await total(mine, b.id), 0);
  r = await mine.post(`/api/v1/batches/${b.id}/roster?mode=bogus`, { form: csvFile(file) });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'roster.bad_mode');

  // the rows an import would refuse, as CSV (nothing imported by asking)
  r = await mine.post(`/api/v1/batches/${b.id}/roster/rejects`, { form: csvFile(file) });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="roster-.*\.csv"/);
  assert.equal(r.headers.get('x-bad-rows'), '2');
  assert.equal(await total(mine, b.id), 0, 'asking for the rejects imports nothing');
  let lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], '"姓名","学号","身份证号","学校","层次","专业","院系","班级","手机号","图像采集码","错误原因"');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^"学生3","S3","320102200401010000",.*"第 \d+ 行的身份证号无效/);
  assert.match(lines[2], /^"学生4","S4",.*"CODE-TAKEN","该图像采集码已属于另一条学生记录/);
  r = await mine.post(`/api/v1/batches/${b.id}/roster/rejects?lang=en`, { form: csvFile(file) });
  lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.match(lines[0], /^"name","student_no","id_number",.*"chsi_code","error"$/);
  assert.match(lines[2], /already belongs to another student record/);

  // import the good rows
  r = await mine.post(`/api/v1/batches/${b.id}/roster?mode=good`, { form: csvFile(file) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.good_only, true);
  assert.equal(r.data.inserted, 3);
  assert.equal(r.data.skipped, 2);
  assert.deepEqual(r.data.report.errors.map((x) => x.code).sort(), ['roster.bad_id_checksum', 'roster.chsi_taken']);
  assert.equal(await total(mine, b.id), 3);
  const audit = (await admin.get('/api/v1/admin/audit?action=roster_import&staff=roster-mine')).data.items[0];
  assert.match(audit.after, /"skipped":2/);
  assert.doesNotMatch(audit.after, /report|320102/, 'counts only in the audit');

  // the school fixes the CSV it downloaded and imports it (its error column is ignored)
  const fixed = '\uFEFF' + lines[0].replace(/"/g, '') + '\n' +
    ['学生3,S3,' + fakeId(3) + ',,本科,数学,,数学2201,,CODE-STAFF-3,', '学生4,S4,' + fakeId(4) + ',,本科,数学,,数学2201,,CODE-STAFF-4,'].join('\n') + '\n';
  r = await mine.post(`/api/v1/batches/${b.id}/roster`, { form: csvFile(fixed) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.inserted, 2);
  assert.equal(await total(mine, b.id), 5);
  // every row bad: mode=good refuses like the default
  r = await mine.post(`/api/v1/batches/${b.id}/roster?mode=good`, { form: csvFile(HEAD + row(7, { id: '1' }) + '\n') });
  assert.equal(r.status, 422);
  assert.equal(r.data.error.code, 'roster.invalid');
});

test('roster export: words not codes, ID numbers masked; full IDs only to a school admin who asks, audited; the export imports again', async () => {
  const b = await newBatch(mine, school.id, '导出批次');
  let r = await mine.post(`/api/v1/batches/${b.id}/roster`, { form: csvFile(HEAD + [row(11), row(12), row(13)].join('\n') + '\n') });
  assert.equal(r.status, 200, r.text);
  // a student signs in: verified
  const s = new Client(srv.url);
  await s.csrf();
  r = await s.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CODE-STAFF-11', id_last4: fakeId(11).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  assert.equal((await s.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } })).status, 200);
  await acceptConsent(s);

  let x = await download(mine, `/api/v1/batches/${b.id}/roster.xlsx`);
  assert.equal(x.status, 200);
  let cells = xlsxStrings(x.buf);
  assert.deepEqual(cells.slice(0, 13), ['姓名', '学号', '身份证号', '层次', '专业', '院系', '班级', '手机号', '图像采集码', '状态', '已支付', '已锁定', '已验证']);
  assert.ok(cells.includes('未开始') && cells.includes('已验证'), cells.join(','));
  for (const code of ['not_started', 'verified', 'final']) assert.ok(!cells.includes(code), `no raw state ${code}`);
  assert.ok(!cells.includes(fakeId(11)), 'masked by default');
  assert.ok(cells.some((c) => /^320\*+\w\w$/.test(c)), cells.join(','));
  x = await download(mine, `/api/v1/batches/${b.id}/roster.xlsx?lang=en`);
  cells = xlsxStrings(x.buf);
  assert.ok(cells.includes('Not started') && cells.includes('Verified') && cells.includes('student_no'), cells.join(','));
  // progress.xlsx's sheet of unfinished students follows too
  cells = xlsxStrings((await download(mine, `/api/v1/batches/${b.id}/progress.xlsx`)).buf);
  assert.ok(cells.includes('未开始') && !cells.includes('not_started'));
  cells = xlsxStrings((await download(mine, `/api/v1/batches/${b.id}/progress.xlsx?lang=en`)).buf);
  assert.ok(cells.includes('Class') && cells.includes('Not started') && cells.includes('All') && !cells.some((c) => /[\u4e00-\u9fff]/.test(c) && !/^学生|^数学|^本科/.test(c)), cells.join(','));

  // full IDs: refused to a platform admin, and to a bad value
  r = await admin.get(`/api/v1/batches/${b.id}/roster.xlsx?ids=full`);
  assert.equal(r.status, 403);
  assert.equal(r.data.error.code, 'export.ids_school_only');
  r = await mine.get(`/api/v1/batches/${b.id}/roster.xlsx?ids=all`);
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'export.bad_ids');
  r = await other.get(`/api/v1/batches/${b.id}/roster.xlsx?ids=full`);
  assert.ok([403, 404].includes(r.status), 'another school\'s admin: ' + r.status);
  let au = (await admin.get('/api/v1/admin/audit?action=roster.export_ids')).data;
  assert.equal(au.total, 0, 'masked exports and refusals are not export_ids entries');

  x = await download(mine, `/api/v1/batches/${b.id}/roster.xlsx?ids=full`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-disposition'), /full-ids/);
  cells = xlsxStrings(x.buf);
  assert.ok(cells.includes(fakeId(11)) && cells.includes(fakeId(13)), 'full ID numbers');
  au = (await admin.get('/api/v1/admin/audit?action=roster.export_ids')).data;
  assert.equal(au.total, 1);
  assert.equal(au.items[0].username, 'roster-mine');
  assert.equal(au.items[0].target, `batch:${b.id}`);
  assert.equal(JSON.parse(au.items[0].after).rows, 3);

  // the full export imports again as it is: every row updated, codes kept
  const xf = { file: { bytes: x.buf, name: 'roster.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } };
  r = await mine.post(`/api/v1/batches/${b.id}/roster`, { form: fileForm(xf) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.inserted, 0);
  assert.equal(r.data.updated, 3);
  const again = new Client(srv.url);
  await again.csrf();
  r = await again.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CODE-STAFF-12', id_last4: fakeId(12).slice(-4) }) });
  assert.equal(r.status, 200, 'the 采集码 survived the re-import: ' + r.text);
  // the full export carries the codes themselves (sealed since schema 11), so
  // into another batch it is refused: a code belongs to one row (issue 14)
  const nb = await newBatch(mine, school.id, '空批次');
  r = await mine.post(`/api/v1/batches/${nb.id}/roster`, { form: fileForm(xf) });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'roster.chsi_taken');
});

test('every audit action the server writes has its words in the console (web/console/words.js)', async () => {
  const { AUDIT_ACTIONS } = await import(pathToFileURL(path.join(ROOT, 'web/console/words.js')).href);
  const found = new Set();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.c')) {
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/(?:api_audit|audit_obj)\(&?c, "([a-z_.]+)"/g)) found.add(m[1]);
        for (const m of src.matchAll(/tc_store_audit_staff\([^;]*?, "([a-z_.]+)",/gs)) found.add(m[1]);
        for (const m of src.matchAll(/\? "(staff\.[a-z_]+)" : "(staff\.[a-z_]+)"/g)) { found.add(m[1]); found.add(m[2]); }
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  assert.ok(found.size >= 30, [...found].join(' '));
  for (const a of ['password_change', 'student.unlock', 'roster.export_ids', 'staff.disable']) assert.ok(found.has(a), a);
  const missing = [...found].filter((a) => !AUDIT_ACTIONS[a]);
  assert.deepEqual(missing, [], 'actions without words');
  for (const [k, v] of Object.entries(AUDIT_ACTIONS)) {
    assert.match(v[0], /[\u4e00-\u9fff]/, k + ' zh');
    assert.doesNotMatch(v[1], /[\u4e00-\u9fff_]/, k + ' en');
  }
});

test('the demo: a notice, and a second school with its own admin and students, each admin seeing only their own', async () => {
  const d = srv.demo;
  assert.ok(d.second_school && d.second_school.students.length >= 3, JSON.stringify(d.second_school));
  const admins = [d.staff.find((s) => s.role === 'school_admin'), d.second_school.admin];
  assert.equal(admins[1].role, 'school_admin');
  const first = new Client(srv.url), second = new Client(srv.url);
  await first.staffLogin(admins[0].username, admins[0].password);
  await second.staffLogin(admins[1].username, admins[1].password);
  assert.deepEqual((await first.get('/api/v1/schools')).data.schools.map((s) => s.id), [d.school_id]);
  assert.deepEqual((await second.get('/api/v1/schools')).data.schools.map((s) => s.id), [d.second_school.school_id]);
  assert.equal((await second.get(`/api/v1/batches/${d.second_school.batch.id}/students`)).data.total, d.second_school.students.length);
  const r = await second.get(`/api/v1/batches/${d.batch.id}/students`);
  assert.ok([403, 404].includes(r.status), 'the other school\'s roster is refused: ' + r.status);
  const all = (await admin.get('/api/v1/schools')).data.schools.map((s) => s.id);
  assert.ok(all.includes(d.school_id) && all.includes(d.second_school.school_id));
  const n = await first.get(`/api/v1/schools/${d.school_id}/notice`);
  assert.match(n.data.html, /毕业证书制作/);
  // a student of the second school signs in with their code
  const s = new Client(srv.url);
  await s.csrf();
  const st = d.second_school.students[0];
  const e = await s.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: st.chsi_code, id_last4: st.id_last4 }) });
  assert.equal(e.status, 200, e.text);
});
