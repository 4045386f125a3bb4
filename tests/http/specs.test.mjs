// Photo specs chosen by schools and batches, over HTTP on the real server:
// a settings save (school defaults, batch settings, a new batch) refuses a
// spec name that is neither built in nor a platform admin's custom spec,
// with the per-field error; and a photo keeps the spec it was made to — its
// print sheet and its reprints keep their physical size when the custom spec
// is edited and after it is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, jpegSize, ROOT, execFileSync, acceptConsent } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models';
const ALL_CHECKS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution',
  'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour',
  'recapture', 'retouch', 'duplicate'];

let srv, admin, schoolAdmin, school;

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '规格测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  r = await admin.post('/api/v1/staff/accounts', { json: { username: 'spec-school', role: 'school_admin', password: 'Init-pass-spec', school_id: school.id } });
  assert.equal(r.status, 201, r.text);
  schoolAdmin = new Client(srv.url);
  await schoolAdmin.staffLogin('spec-school', 'Init-pass-spec');
});
after(async () => { if (srv) await srv.stop(); });

const put = (c, p, json) => c.req('PUT', p, { json });
const del = (c, p) => c.req('DELETE', p);

function fieldErr(r, field) {
  assert.equal(r.status, 400, r.text);
  const e = (r.data.errors || []).find((x) => x.field === field);
  assert.ok(e, `a field error for ${field}: ${r.text}`);
  return e;
}

test('settings: an unknown spec name is refused (school defaults, batch settings, a new batch) with the field error; built-in and custom names are accepted', async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'sp_card', zh: '校园卡', size: '300x400px@300' } });
  assert.equal(r.status, 201, r.text);

  // the school's defaults: the spec is named, with the other bad field
  r = await put(schoolAdmin, `/api/v1/schools/${school.id}/settings`, { settings: { spec: 'no_such_spec', cooloff_min: -1 } });
  assert.equal(r.data.error.code, 'school.invalid');
  let e = fieldErr(r, 'spec');
  assert.equal(e.code, 'spec.unknown');
  assert.match(e.zh, /no_such_spec/);
  assert.match(e.en, /no_such_spec/);
  assert.notEqual(e.zh, e.en);
  assert.equal(fieldErr(r, 'cooloff_min').code, 'journey.bad_settings', 'every bad field is named');
  for (const name of ['chsi', '1inch', 'sp_card']) {
    r = await put(schoolAdmin, `/api/v1/schools/${school.id}/settings`, { settings: { spec: name } });
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.data.effective.spec, name);
  }
  r = await put(schoolAdmin, `/api/v1/schools/${school.id}/settings`, { settings: { spec: 'SP_CARD' } });
  assert.equal(fieldErr(r, 'spec').code, 'spec.unknown', 'names are exact');
  r = await schoolAdmin.get(`/api/v1/schools/${school.id}/settings`);
  assert.equal(r.data.settings.spec, 'sp_card', 'a refused save changes nothing');

  // a batch's own settings
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '规格设置批次' } });
  assert.equal(r.status, 201, r.text);
  const b = r.data.batch;
  r = await put(schoolAdmin, `/api/v1/batches/${b.id}`, { settings: { spec: 'nope' } });
  assert.equal(r.data.error.code, 'batch.invalid');
  e = fieldErr(r, 'spec');
  assert.equal(e.code, 'spec.unknown');
  assert.match(e.en, /nope/);
  for (const name of ['small2inch', 'sp_card']) {
    r = await put(schoolAdmin, `/api/v1/batches/${b.id}`, { settings: { spec: name } });
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.data.effective.spec, name);
  }
  r = await put(schoolAdmin, `/api/v1/batches/${b.id}`, { settings: { spec: null } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.effective.spec, 'sp_card', 'null inherits the school default');

  // a new batch
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '未知规格批次', settings: { spec: 'nope' } } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'spec.unknown');
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '自定义规格批次', settings: { spec: 'sp_card' } } });
  assert.equal(r.status, 201, r.text);

  // a deleted custom spec can no longer be chosen
  r = await admin.post('/api/v1/admin/specs', { json: { name: 'sp_gone', size: '300x400px@300' } });
  assert.equal(r.status, 201, r.text);
  assert.equal((await del(admin, '/api/v1/admin/specs/sp_gone')).status, 200);
  r = await put(schoolAdmin, `/api/v1/batches/${b.id}`, { settings: { spec: 'sp_gone' } });
  assert.equal(fieldErr(r, 'spec').code, 'spec.unknown');
});

// ---- a photo keeps its spec -------------------------------------------------------------------------------------

// The photo cells of a sheet PDF: the page's drawing operators (in a
// Flate-compressed stream, src/pdf/tc_pdf.c) place each photo, an image
// XObject drawn into the unit square, by "a b c d e f cm" just before its
// "Do"; returned as [long, short] sides in points, rounded to 0.01.
function pdfCells(buf) {
  let txt = '';
  const bin = buf.toString('latin1');
  for (const m of bin.matchAll(/stream\r?\n/g)) {
    if (bin.slice(m.index - 3, m.index) === 'end') continue;
    try { txt += inflateSync(buf.subarray(m.index + m[0].length)).toString('latin1') + '\n'; } catch { /* an image */ }
  }
  const cells = [];
  for (const m of txt.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) cm\n\/a\d+ gs \/x\d+ Do/g)) {
    const [a, b, c, d] = m.slice(1, 5).map(Number);
    const w = Math.abs(a) + Math.abs(c), h = Math.abs(b) + Math.abs(d);
    cells.push([Math.max(w, h), Math.min(w, h)].map((x) => Math.round(x * 100) / 100));
  }
  return cells;
}

test('a photo made to a custom spec keeps its size: the sheet and the reprint PDF after the spec is edited and after it is deleted', { skip: noPhotos, timeout: 600000 }, async () => {
  let r = await admin.post('/api/v1/admin/specs', { json: { name: 'sp_keep', zh: '保持尺寸', width: 30, height: 40, unit: 'mm', dpi: 300 } });
  assert.equal(r.status, 201, r.text);
  const spec = r.data.spec;
  const ptOf = (px) => Math.round((px / spec.dpi) * 72 * 100) / 100;
  const want = [ptOf(spec.height), ptOf(spec.width)];
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '保持规格批次', settings: { spec: 'sp_keep', checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;

  // one student, a photo, submitted and approved
  const chsi = 'CHSI-SPEC-900';
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + `规格,S900,${fakeId(900)},本科,测绘,1班,${chsi}\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  assert.equal((await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(900).slice(-4) }) })).status, 200);
  assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } })).status, 200);
  await acceptConsent(c);
  for (const step of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await c.post('/api/v1/me/' + step)).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  let p;
  for (let i = 0; i < 1200; i++) {
    p = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (p.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(p.state, 'draft', JSON.stringify(p));
  const proof = jpegSize(Buffer.from(await (await fetch(srv.url + p.proof_url, { headers: { cookie: c.cookieHeader() } })).arrayBuffer()));
  assert.deepEqual(proof, { width: spec.width, height: spec.height });
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 200, r.text);
  r = await admin.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.ok(item, r.text);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);

  const sheet = async () => {
    const res = await fetch(srv.url + '/api/v1/me/result/sheet.jpg', { headers: { cookie: c.cookieHeader() } });
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, buf.toString());
    const { width, height } = jpegSize(buf);
    assert.deepEqual([Math.max(width, height), Math.min(width, height)], [1800, 1200], 'a 6-inch sheet at 300 dpi');
    return buf;
  };
  const addr = (await c.post('/api/v1/me/addresses', { json: { name: '规格', phone: '13912345678', region: '山东省 青岛市 崂山区', detail: '松岭路 238 号' } })).data.id;
  const reprint = async () => {
    let x = await c.post('/api/v1/me/reprints', { json: { layout: '6inch', quantity: 1, address_id: addr } });
    assert.equal(x.status, 201, x.text);
    const no = x.data.order.out_trade_no;
    x = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
    assert.equal(x.status, 200, x.text);
    return no;
  };
  const pdf = async (no) => {
    const res = await fetch(`${srv.url}/api/v1/print/orders/${no}/sheet.pdf`, { headers: { cookie: admin.cookieHeader() } });
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, buf.toString());
    const cells = pdfCells(buf);
    assert.ok(cells.length >= 2, 'photos placed: ' + cells.length);
    // the page is the 6-inch paper, the photos JPEG, and poppler draws it
    const dir = mkdtempSync(path.join(tmpdir(), 'tucai-reprint-'));
    try {
      const file = path.join(dir, 'sheet.pdf');
      writeFileSync(file, buf);
      const [, w, h] = execFileSync('pdfinfo', [file]).toString().match(/Page size:\s+([\d.]+) x ([\d.]+) pts/).map(Number);
      assert.deepEqual([Math.max(w, h), Math.min(w, h)], [432, 288], `page ${w} x ${h} pt`);
      const imgs = execFileSync('pdfimages', ['-list', file]).toString().trim().split('\n').slice(2);
      assert.ok(imgs.length >= 2 && imgs.every((l) => l.trim().split(/\s+/)[8] === 'jpeg'), imgs.join('\n'));
      execFileSync('pdftoppm', ['-r', '30', '-gray', '-singlefile', file, path.join(dir, 'p')]);
      const pgm = readFileSync(path.join(dir, 'p.pgm'));
      const px = pgm.subarray(pgm.length - 180 * 120);
      assert.ok(px.filter((v) => v < 200).length > px.length / 4, 'the photos are drawn');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return cells;
  };

  const first = await sheet();
  assert.ok(first.equals(await sheet()), 'the sheet is the same bytes each time (so that a change below means something)');
  const rp1 = await reprint();
  for (const cell of await pdf(rp1)) assert.deepEqual(cell, want, 'the reprint cells are 30x40 mm');

  // the admin edits the spec: the photo keeps the size it was made to
  r = await put(admin, '/api/v1/admin/specs/sp_keep', { zh: '保持尺寸', width: 45, height: 60, unit: 'mm', dpi: 300 });
  assert.equal(r.status, 200, r.text);
  assert.ok((await sheet()).equals(first), 'the sheet after the edit is the sheet before it');
  for (const cell of await pdf(rp1)) assert.deepEqual(cell, want, 'the reprint after the edit');

  // the batch chooses another spec, then the custom spec is deleted
  r = await put(admin, `/api/v1/batches/${batch.id}`, { settings: { spec: 'chsi', checks: { disabled: ALL_CHECKS } } });
  assert.equal(r.status, 200, r.text);
  r = await del(admin, '/api/v1/admin/specs/sp_keep');
  assert.equal(r.status, 200, r.text);
  assert.ok((await sheet()).equals(first), 'the sheet after the delete is the sheet before it');
  for (const cell of await pdf(rp1)) assert.deepEqual(cell, want, 'the reprint after the delete');
  // a reprint ordered now, with the spec gone, prints at the photo's size too
  const rp2 = await reprint();
  for (const cell of await pdf(rp2)) assert.deepEqual(cell, want, 'a reprint ordered after the delete');
});
