// Exports as a school hands them on (issue 19 item 7): the photos named by a
// template ({班级}/{学号} makes folders), the template refused server side
// with a clear code, name collisions suffixed and listed, the archive split
// into parts that are each a valid ZIP, the 采集码 list (in the ZIP and
// alone), and the roster template, which the import reads back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, execFileSync, acceptConsent } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let srv, admin, mine, batch, dir;
const NO = (i) => `E00${i}`;
const CLASS = (i) => (i <= 2 ? '软件1班' : '软件2班');

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  dir = mkdtempSync(path.join(tmpdir(), 'tucai-export-'));
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const school = (await admin.post('/api/v1/schools', { json: { name: '导出测试大学' } })).data.school;
  const password = 'Init-pass-ex-admin';
  assert.equal((await admin.post('/api/v1/staff/accounts', { json: { username: 'ex-admin', role: 'school_admin', password, school_id: school.id } })).status, 201);
  mine = new Client(srv.url);
  await mine.staffLogin('ex-admin', password);
  const r = await mine.post(`/api/v1/schools/${school.id}/batches`, {
    json: { name: '2026届 导出', settings: { pay_when: 'school', checks: { disabled: ['duplicate'] }, cooloff_min: 0 } },
  });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  const rows = [];
  for (let i = 1; i <= 5; i++) rows.push(`导出${i},${NO(i)},${fakeId(800 + i)},本科,${i === 4 ? '' : '软件工程'},${CLASS(i)},CHSI-EX-${i},1390013900${i}`);
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码,手机号\n' + rows.join('\n') + '\n';
  const imp = await mine.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(imp.status, 200, imp.text);
});
after(async () => {
  if (srv) await srv.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function download(url, name) {
  const res = await fetch(srv.url + url, { headers: { cookie: mine.cookieHeader() } });
  const buf = Buffer.from(await res.arrayBuffer());
  const file = path.join(dir, name);
  writeFileSync(file, buf);
  return { res, buf, file };
}
const zipNames = (file) => execFileSync('zipinfo', ['-1', file]).toString().trim().split('\n').sort();
const sheetXml = (file, n = 1) => execFileSync('unzip', ['-p', file, `xl/worksheets/sheet${n}.xml`]).toString();

test('the roster template: the import columns in Chinese, an example row, and the import reads it back', async () => {
  const { res, buf, file } = await download('/api/v1/roster/template.xlsx', 'tpl.xlsx');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /roster-template/);
  assert.equal(buf.subarray(0, 2).toString(), 'PK');
  const xml = sheetXml(file);
  for (const h of ['*姓名', '*学号', '*身份证号', '学校', '层次', '专业', '院系', '班级', '手机号', '图像采集码']) assert.ok(xml.includes(`>${h}<`), h);
  assert.ok(xml.includes('110105200001010024'), 'the example row');
  // the import takes it as it is (dry run: nothing kept)
  const r = await mine.post(`/api/v1/batches/${batch.id}/roster?dry_run=1`, { form: fileForm({ file: { bytes: buf, name: 'tpl.xlsx', type: 'application/octet-stream' } }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.rows, 1);
  const en = await download('/api/v1/roster/template.xlsx?lang=en', 'tpl-en.xlsx');
  assert.ok(sheetXml(en.file).includes('>*student_no<'));
  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/roster/template.xlsx')).status, 401);
});

test('a naming template is checked on the server: what is refused and why', async () => {
  const plan = (t) => mine.get(`/api/v1/batches/${batch.id}/photos/plan?template=${encodeURIComponent(t)}`);
  for (const t of ['', '../{学号}', '/{学号}', '{班级}\\{学号}', '{生日}', '{学号', 'photo', 'a/b/c/d/{学号}', '{学号}?']) {
    const r = await plan(t);
    assert.equal(r.status, 400, t);
    assert.equal(r.data.error.code, 'export.bad_template', t);
    assert.ok(r.data.error.zh && r.data.error.en, t);
  }
  const r = await plan('{考生号}');
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'export.template_field_missing');
  assert.match(r.data.error.zh, /考生号/);
  // a zip with a bad template is refused the same way, before any byte
  const z = await mine.get(`/api/v1/batches/${batch.id}/photos.zip?template=..%2F{学号}`);
  assert.equal(z.data.error.code, 'export.bad_template');
  for (const q of ['part_mb=0', 'part_photos=abc', 'part_mb=70000']) assert.equal((await mine.get(`/api/v1/batches/${batch.id}/photos/plan?${q}`)).data.error.code, 'export.bad_part', q);
  assert.equal((await mine.get(`/api/v1/batches/${batch.id}/photos.zip?name=bogus`)).data.error.code, 'export.bad_rule');
});

test('photos by template, folders per class, collisions, parts, the 采集码 list', { skip: !havePhotos && 'no portraits/models', timeout: 900000 }, async () => {
  // four students with an approved photo (5 stays unfinished)
  const queueIds = [];
  for (const i of [1, 2, 3, 4]) {
    const c = new Client(srv.url);
    await c.csrf();
    let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-EX-' + i, id_last4: fakeId(800 + i).slice(-4) }) });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '1390013900' + i } })).status, 200);
    await acceptConsent(c);
    for (const p of ['/api/v1/me/notice/read', '/api/v1/me/tips/read', '/api/v1/me/tutorial/done']) assert.equal((await c.post(p)).status, 200, p);
    r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
    assert.equal(r.status, 202, r.text);
    let ph;
    for (let k = 0; k < 900; k++) {
      ph = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
      if (ph.state !== 'processing') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(ph.state, 'draft', JSON.stringify(ph));
    assert.equal((await c.post('/api/v1/me/submission', { json: { photo_id: ph.id } })).status, 200);
    queueIds.push(ph.id);
  }
  const queue = (await admin.get('/api/v1/review/queue')).data.items;
  for (const id of queueIds) {
    const item = queue.find((x) => x.photo.id === id);
    assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  }

  // the plan: names previewed, folders per class
  const tpl = encodeURIComponent('{班级}/{学号}');
  let r = await mine.get(`/api/v1/batches/${batch.id}/photos/plan?template=${tpl}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.photos, 4);
  assert.deepEqual(r.data.preview.map((x) => x.file), ['软件1班/E001.jpg', '软件1班/E002.jpg', '软件2班/E003.jpg', '软件2班/E004.jpg']);
  assert.equal(r.data.collisions_total, 0);
  assert.equal(r.data.parts.length, 1);

  // the whole archive by that template: folders, the lists, valid
  let d = await download(`/api/v1/batches/${batch.id}/photos.zip?template=${tpl}`, 'all.zip');
  assert.equal(d.res.status, 200);
  assert.equal(d.res.headers.get('content-type'), 'application/zip');
  execFileSync('unzip', ['-tqq', d.file]);
  assert.deepEqual(zipNames(d.file), ['manifest.csv', '软件1班/E001.jpg', '软件1班/E002.jpg', '软件2班/E003.jpg', '软件2班/E004.jpg', '采集码.csv', '采集码.xlsx'].sort());

  // the programme (empty for student 4: 无专业) and the name
  r = await mine.get(`/api/v1/batches/${batch.id}/photos/plan?template=${encodeURIComponent('{专业}/{学号}_{姓名}')}`);
  assert.deepEqual(r.data.preview.map((x) => x.file).slice(2), ['软件工程/E003_导出3.jpg', '无专业/E004_导出4.jpg']);

  // collisions: by class alone, every second one suffixed and listed
  r = await mine.get(`/api/v1/batches/${batch.id}/photos/plan?template=${encodeURIComponent('{班级}')}`);
  assert.deepEqual(r.data.preview.map((x) => x.file), ['软件1班.jpg', '软件1班_2.jpg', '软件2班.jpg', '软件2班_2.jpg']);
  assert.equal(r.data.collisions_total, 2);
  assert.deepEqual(r.data.collisions.map((x) => x.student_no), ['E002', 'E004']);

  // parts of 3 photos: 2 parts, each a valid ZIP with its own lists; together every photo once
  r = await mine.get(`/api/v1/batches/${batch.id}/photos/plan?template=${tpl}&part_photos=3`);
  assert.equal(r.data.parts.length, 2);
  assert.deepEqual(r.data.parts.map((p) => p.photos), [3, 1]);
  assert.equal(r.data.parts[1].first_student_no, 'E004');
  const seen = [];
  for (const p of r.data.parts) {
    d = await download(p.url, `part${p.part}.zip`);
    assert.equal(d.res.status, 200, p.url);
    assert.match(d.res.headers.get('content-disposition'), new RegExp(`part${p.part}-of-2`));
    execFileSync('unzip', ['-tqq', d.file]);
    const names = zipNames(d.file);
    for (const f of ['manifest.csv', '采集码.csv', '采集码.xlsx']) assert.ok(names.includes(f), f);
    const photos = names.filter((n) => n.endsWith('.jpg'));
    assert.equal(photos.length, p.photos);
    seen.push(...photos);
    const codes = execFileSync('unzip', ['-p', d.file, '采集码.csv']).toString();
    assert.equal(codes.trim().split('\n').length, 1 + p.photos, 'the list of the part\'s own rows');
  }
  assert.deepEqual(seen.sort(), ['软件1班/E001.jpg', '软件1班/E002.jpg', '软件2班/E003.jpg', '软件2班/E004.jpg']);
  // a split archive asks which part; a part past the last is refused
  assert.equal((await mine.get(`/api/v1/batches/${batch.id}/photos.zip?part_photos=3`)).data.error.code, 'export.bad_part');
  assert.equal((await mine.get(`/api/v1/batches/${batch.id}/photos.zip?part_photos=3&part=3`)).data.error.code, 'export.bad_part');
  // by size: 1 MB holds these four small photos
  r = await mine.get(`/api/v1/batches/${batch.id}/photos/plan?part_mb=1`);
  assert.equal(r.data.parts.length, 1);
  assert.ok(r.data.parts[0].bytes > 0 && r.data.parts[0].bytes < 1 << 20);

  // the 采集码 list alone: the school admin sees the codes, IDs masked unless ids=full
  d = await download(`/api/v1/batches/${batch.id}/codes.xlsx?template=${tpl}`, 'codes.xlsx');
  assert.equal(d.res.status, 200);
  let xml = sheetXml(d.file);
  for (const h of ['学号', '姓名', '班级', '身份证号', '采集码', '照片文件名']) assert.ok(xml.includes(`>${h}<`), h);
  for (const i of [1, 2, 3, 4]) {
    assert.ok(xml.includes(`>CHSI-EX-${i}<`), 'code ' + i);
    assert.ok(!xml.includes(fakeId(800 + i)), 'masked ' + i);
  }
  assert.ok(xml.includes('>软件2班/E004.jpg<'));
  assert.ok(!xml.includes('E005'), 'only exported photos');
  d = await download(`/api/v1/batches/${batch.id}/codes.xlsx?ids=full`, 'codes-full.xlsx');
  xml = sheetXml(d.file);
  assert.ok(xml.includes(fakeId(801)));
  // the platform admin: no codes in clear, no full IDs
  const res = await fetch(`${srv.url}/api/v1/batches/${batch.id}/codes.xlsx`, { headers: { cookie: admin.cookieHeader() } });
  const file = path.join(dir, 'codes-admin.xlsx');
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  xml = sheetXml(file);
  assert.ok(!xml.includes('CHSI-EX-1') && xml.includes('>已绑定<'));
  assert.equal((await admin.get(`/api/v1/batches/${batch.id}/codes.xlsx?ids=full`)).data.error.code, 'export.ids_school_only');
  // the same workbook is inside the archive
  d = await download(`/api/v1/batches/${batch.id}/photos.zip?template=${tpl}`, 'all2.zip');
  execFileSync('unzip', ['-o', '-q', '-d', path.join(dir, 'x'), d.file, '采集码.xlsx']);
  assert.ok(sheetXml(path.join(dir, 'x', '采集码.xlsx')).includes('>CHSI-EX-3<'));
  // every export is audited with its template and part
  const audit = (await admin.get(`/api/v1/admin/audit?action=batch.export_photos&limit=50`)).data.items.map((x) => JSON.parse(x.after));
  assert.ok(audit.some((a) => a.template === '{班级}/{学号}' && a.part === 2 && a.parts === 2 && a.photos === 1 && a.chsi_codes === 1 && a.ids === 'masked'), JSON.stringify(audit));
  const codesAudit = (await admin.get(`/api/v1/admin/audit?action=batch.export_codes&limit=50`)).data.items.map((x) => JSON.parse(x.after));
  assert.ok(codesAudit.some((a) => a.ids === 'full' && a.rows === 4 && a.chsi_codes === 4), JSON.stringify(codesAudit));
});
