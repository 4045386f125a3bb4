// Hostile inputs to the parsers and guessable photo ids (issue 14, items 8,
// 11 and 13), over HTTP against the real server:
//   * roster import: an XLSX of a few KB holding a million cells, or tens of
//     MB of text through shared strings, and a CSV of 200,001 lines are
//     refused at their caps (413, stable codes, zh + en) instead of eating
//     hundreds of MB;
//   * QR entry: a 49-megapixel PNG is refused from its header, a QR
//     pasted small into a big photo still decodes;
//   * staff photo URLs carry a random token, not the sequential id; drafts
//     and deleted photos are never shown to staff.
// The big inputs are built here, at test time, from a few lines of XML or
// pixels compressed with node's zlib: nothing big is committed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, execFileSync, acceptConsent } from './lib.mjs';

// ---- building files ----------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A ZIP of deflated entries: [[name, Buffer|string], ...].
function zip(entries) {
  const locals = [], centrals = [];
  let off = 0;
  for (const [name, content] of entries) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const comp = deflateRawSync(data, { level: 9 });
    const nm = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(0x0800, 6); lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(comp.length, 18); lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(nm.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(8, 10); ch.writeUInt32LE(crc, 16); ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(data.length, 24); ch.writeUInt16LE(nm.length, 28); ch.writeUInt32LE(off, 42);
    locals.push(lh, nm, comp);
    centrals.push(ch, nm);
    off += 30 + nm.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RNS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HDR = ['姓名', '学号', '身份证号', '学校', '层次', '专业', '院系', '班级', '手机号', '采集码'];

// A workbook whose first sheet is the header row (shared strings 0..9)
// followed by `rows` (sheet XML); shared string 10 is `text`.
function xlsx(rows, text) {
  const wb = `<?xml version="1.0"?><workbook xmlns="${NS}" xmlns:r="${RNS}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  const rels = `<?xml version="1.0"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${RNS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;
  const sst = `<?xml version="1.0"?><sst xmlns="${NS}">${HDR.map((h) => `<si><t>${h}</t></si>`).join('')}<si><t>${text}</t></si></sst>`;
  const head = '<row>' + HDR.map((_, i) => `<c t="s"><v>${i}</v></c>`).join('') + '</row>';
  const sheet = Buffer.concat([Buffer.from(`<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${head}`), rows,
    Buffer.from('</sheetData></worksheet>')]);
  return zip([['xl/workbook.xml', wb], ['xl/_rels/workbook.xml.rels', rels], ['xl/sharedStrings.xml', sst],
    ['xl/worksheets/sheet1.xml', sheet]]);
}

// ---- the server --------------------------------------------------------------------

let srv, admin, tmp;
before(async () => {
  srv = await startServer();
  tmp = mkdtempSync(path.join(tmpdir(), 'tucai-abuse-'));
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
after(async () => {
  if (srv) await srv.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function importRoster(bytes, name, type) {
  const form = fileForm({ file: { bytes, name, type } });
  return admin.post(`/api/v1/batches/${srv.demo.batch.id}/roster?dry_run=1`, { form });
}

function refused(r, status, code) {
  assert.equal(r.status, status, r.text.slice(0, 400));
  assert.equal(r.data.error.code, code, r.text.slice(0, 400));
  assert.ok(r.data.error.zh && r.data.error.en, 'a message in both languages');
}

// ---- item 11: roster caps ------------------------------------------------------------

test('XLSX: a million cells in one row, a few KB on disk, is refused at the cell cap', { timeout: 120000 }, async () => {
  const cell = Buffer.from('<c r="A2" t="s"><v>10</v></c>');
  const row = Buffer.concat([Buffer.from('<row>'), Buffer.alloc(cell.length * 1000000).fill(cell), Buffer.from('</row>')]);
  const file = xlsx(row, 'x'.repeat(700));
  assert.ok(file.length < 100 * 1024, `${file.length} bytes on disk`);
  const t0 = Date.now();
  const r = await importRoster(file, 'million.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  refused(r, 413, 'roster.too_many_cells');
  assert.match(r.data.error.en, /16384/);
  console.log(`million-cell XLSX (${file.length} B): refused in ${Date.now() - t0} ms`);
});

test('XLSX: tens of MB of text through one shared string is refused at the text cap', { timeout: 120000 }, async () => {
  // 5,000 rows x 10 known columns x 1,000 bytes = 50 MB if every cell were kept
  const row = Buffer.from('<row>' + '<c t="s"><v>10</v></c>'.repeat(10) + '</row>');
  const file = xlsx(Buffer.alloc(row.length * 5000).fill(row), '码'.repeat(333));
  assert.ok(file.length < 100 * 1024, `${file.length} bytes on disk`);
  const r = await importRoster(file, 'text.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  refused(r, 413, 'roster.too_much_text');
});

test('CSV: the same row cap, empty lines included', { timeout: 120000 }, async () => {
  const csv = `姓名,学号,身份证号,采集码\n张三,1,${fakeId(1)},C1\n` + '\n'.repeat(200001);
  const r = await importRoster(Buffer.from(csv), 'lines.csv', 'text/csv');
  refused(r, 413, 'roster.too_many_rows');
  // and a row of 16,385 cells
  const wide = `姓名,学号,身份证号,采集码\n张三,1,${fakeId(1)},C1` + ','.repeat(16381) + '\n';
  refused(await importRoster(Buffer.from(wide), 'wide.csv', 'text/csv'), 413, 'roster.too_many_cells');
});

// ---- item 8: the QR decode is bounded ----------------------------------------------------

// A PNG of w x h pixels, one grey band, every pixel v: 7000 x 7000 black is
// 49 MB of pixels and about 50 KB of file.
function greyPng(w, h, v = 0) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0; // 8-bit grey
  const raw = Buffer.alloc((w + 1) * h, v);
  for (let y = 0; y < h; y++) raw[y * (w + 1)] = 0; // filter byte: none
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

async function entryQr(bytes, name, type, last4) {
  const c = new Client(srv.url);
  await c.csrf();
  const t0 = Date.now();
  const r = await c.post('/api/v1/entry/qr', { form: fileForm({ qr: { bytes, name, type }, ...(last4 ? { id_last4: last4 } : {}) }) });
  return { r, ms: Date.now() - t0 };
}

let haveVips = false;
try { execFileSync('vips', ['--version'], { stdio: 'pipe' }); haveVips = true; } catch { /* not installed */ }

test('QR: the 采集码 pasted small into a big photo still decodes (22 MP JPEG)', { skip: !haveVips, timeout: 120000 }, async () => {
  // the demo's own QR PNG, 1/10 of the photo's width, in a portrait blown up to 3104x7053
  const st = srv.demo.students[2];
  const base = path.join(process.env.TC_TESTDATA || '', 'portraits', 'man_standing_full_body.jpg');
  if (!existsSync(base)) return;
  const v = (...a) => execFileSync('vips', a, { stdio: 'pipe' });
  v('resize', base, path.join(tmp, 'big.v'), '3.2');
  v('colourspace', st.qr_png, path.join(tmp, 'qr.v'), 'srgb');
  v('insert', path.join(tmp, 'big.v'), path.join(tmp, 'qr.v'), path.join(tmp, 'photo.v'), '1500', '3000');
  v('copy', path.join(tmp, 'photo.v'), path.join(tmp, 'photo.jpg[Q=90]'));
  const jpg = readFileSync(path.join(tmp, 'photo.jpg'));
  const { r, ms } = await entryQr(jpg, 'photo.jpg', 'image/jpeg', st.id_last4);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.student_no, st.student_no);
  console.log(`QR in a 22 MP photo (${jpg.length} B): decoded in ${ms} ms`);
  // and the demo's QR PNG as it is (a screenshot)
  const plain = await entryQr(readFileSync(st.qr_png), 'qr.png', 'image/png', st.id_last4);
  assert.equal(plain.r.status, 200, plain.r.text);
});

test('QR: a 49-megapixel PNG is refused from its header, before any pixel is decoded', { timeout: 120000 }, async () => {
  const png = greyPng(7000, 7000);
  assert.ok(png.length < 100 * 1024, `${png.length} bytes on disk`);
  const { r, ms } = await entryQr(png, 'black.png', 'image/png');
  assert.equal(r.status, 413, r.text);
  assert.equal(r.data.error.code, 'qr.too_large');
  assert.ok(r.data.error.zh && r.data.error.en);
  console.log(`49 MP black PNG (${png.length} B): refused in ${ms} ms`);
});

// ---- item 13: photos are not fetched by counting ------------------------------------------

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));

async function staff(role) {
  if (role === 'platform_admin') return admin; // signed in (and password changed) in before()
  const s = srv.demo.staff.find((x) => x.role === role);
  const c = new Client(srv.url);
  await c.staffLogin(s.username, s.password);
  return c;
}

async function newStudent(n, settings) {
  let r = await admin.post(`/api/v1/schools/${srv.demo.school_id}/batches`, { json: { name: 'abuse ' + n, settings } });
  assert.equal(r.status, 201, r.text);
  const chsi = 'CHSI-ABUSE-' + n;
  const csv = `姓名,学号,身份证号,采集码\n滥用${n},AB${n},${fakeId(600 + n)},${chsi}\n`;
  r = await admin.post(`/api/v1/batches/${r.data.batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  assert.equal((await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(600 + n).slice(-4) }) })).status, 200);
  assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } })).status, 200);
  await acceptConsent(c);
  for (const step of ['notice/read', 'tips/read', 'tutorial/done']) await c.post('/api/v1/me/' + step);
  await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } });
  return c;
}

async function makePhoto(c) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 1200; i++) {
    const p = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (p.state !== 'processing') return p;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing');
}

test('staff cannot fetch drafts or deleted photos by counting ids; photo URLs carry a random token', { skip: !havePhotos, timeout: 600000 }, async () => {
  const c = await newStudent(1, { checks: { disabled: ['duplicate'] }, pay_when: 'school', draft_delete_after_h: 0 });
  const draft = await makePhoto(c);
  const gone = await makePhoto(c);
  assert.equal(draft.state, 'draft', JSON.stringify(draft));
  assert.equal(gone.state, 'draft', JSON.stringify(gone));
  const del = await c.req('DELETE', `/api/v1/me/photos/${gone.id}`);
  assert.equal(del.status, 200, del.text);
  const staffs = {};
  for (const role of ['reviewer', 'school_admin', 'platform_admin']) {
    const s = staffs[role] = await staff(role);
    for (const [what, id] of [['draft', draft.id], ['deleted', gone.id]]) {
      for (const kind of ['original.jpg', 'standard.jpg', 'overlay.png', 'overlay.json']) {
        const r = await fetch(`${srv.url}/api/v1/review/photos/${id}/${kind}`, { headers: { cookie: s.cookieHeader() } });
        assert.equal(r.status, 404, `${role} fetched the ${what} photo ${id} by its id: ${r.status}`);
      }
    }
  }
  // the student's own image URL names the photo by a token, and works for them alone
  const m = /^\/api\/v1\/me\/photos\/([0-9a-f]{32})\/proof\.jpg$/.exec(draft.proof_url || '');
  assert.ok(m, 'proof URL by token: ' + draft.proof_url);
  const res = await fetch(srv.url + draft.proof_url, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal((await fetch(`${srv.url}/api/v1/me/photos/${draft.id}/proof.jpg`, { headers: { cookie: c.cookieHeader() } })).status, 404, 'not by id');
  const other = await newStudent(2, { pay_when: 'school' });
  assert.equal((await fetch(srv.url + draft.proof_url, { headers: { cookie: other.cookieHeader() } })).status, 404, 'not another student');

  for (const [role, s] of Object.entries(staffs)) {
    // even knowing a draft's token, staff do not see it
    const r = await fetch(`${srv.url}/api/v1/review/photos/${m[1]}/original.jpg`, { headers: { cookie: s.cookieHeader() } });
    assert.equal(r.status, 404, `${role} fetched a draft by its token`);
  }
});
