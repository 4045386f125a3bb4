// The student-side abuse items of issue 14, over HTTP against the real
// server and pipeline:
//  - an upload that ends in an error costs a cool-off like a failed photo;
//  - a student's uploads are held to a storage quota;
//  - the retention sweep removes the files of failed photos (retention 0
//    here, a sweep every second) and never a draft's;
//  - the result photo goes only to an address the student confirmed with a
//    code sent to it, a few e-mails a day;
//  - a school's album ban is enforced on what the server can see: a
//    "camera" upload carrying a camera's or an editor's EXIF tags or an old
//    capture time is an album photo;
//  - a cancelled batch takes no more uploads.
// Random bytes make the error uploads (no test data needed); real portraits
// (../shared/testdata, TC_TESTDATA) make the drafts, and the tests that need
// them skip plainly without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, enrolStudent, ROOT, TESTDATA } from './lib.mjs';
import { standin } from '../pay/standin.mjs';

const PORTRAITS = TESTDATA ? path.join(TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const haveModels = existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noModels = haveModels ? false : 'skipped: needs the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const EDITED = path.join(PORTRAITS, 'spoof_printed_photo_exif_rotated.jpg'); // EXIF Software: Shotwell
const havePhotos = haveModels && PORTRAITS && [GOOD, EDITED].every((f) => existsSync(f));
const noPhotos = havePhotos ? false : 'skipped: needs ../shared/testdata/portraits (TC_TESTDATA) and the models';

const poll = async (what, fn, ms = 30000) => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
};

// One server with the defaults (and the SMTP stand-in); the quota and the
// sweep each need a server of their own options.
let smtp, srv, admin, reviewer;
let seq = 1400;

async function staff(s) {
  const a = new Client(s.url);
  await a.staffLogin(s.demo.staff[0].username, s.demo.staff[0].password);
  const r = await a.post('/api/v1/schools', { json: { name: '滥用测试大学' + seq } });
  assert.equal(r.status, 201, r.text);
  a.school = r.data.school;
  return a;
}

before(async () => {
  if (!haveModels) return;
  smtp = await standin('tests/notify/smtp-standin.mjs');
  srv = await startServer({ env: { TUCAI_MODELS: MODELS },
    extraArgs: ['--smtp-url', `smtp://127.0.0.1:${smtp.info.smtp_port}`, '--smtp-from', 'photos@example.edu.cn'] });
  admin = await staff(srv);
  const password = 'Init-pass-abuse-reviewer';
  const r = await admin.post('/api/v1/staff/accounts', { json: { username: 'abuse-reviewer', role: 'reviewer', password } });
  assert.equal(r.status, 201, r.text);
  reviewer = new Client(srv.url);
  await reviewer.staffLogin('abuse-reviewer', password);
});
after(async () => {
  if (srv) {
    const r = await srv.stop();
    if (process.env.TC_DEBUG_LOG) console.log(r.log.slice(-5000));
    assert.equal(r.code, 0, 'the server stops cleanly (sanitizers): ' + r.log.slice(-3000));
  }
  if (smtp) smtp.stop();
});

// A batch with these settings and one verified student who has read
// everything (the duplicate check is off: one portrait serves many).
async function student(a, settings = {}) {
  settings = { checks: { disabled: ['duplicate'] }, ...settings };
  let r = await a.post(`/api/v1/schools/${a.school.id}/batches`, { json: { name: 'abuse ' + seq, settings } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const n = seq++;
  const c = await enrolStudent(a.base, a, batch.id, n, { tag: 'ABUSE', name: '滥用', no: 'A' });
  c.no = 'A' + n;
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: false, email: '' } })).status, 200);
  assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
  return c;
}

const send = (c, bytes, source = 'camera') =>
  c.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes, name: 'p.jpg', type: 'image/jpeg' }, source }) });

async function made(c, id) {
  return poll('the photo', async () => {
    const r = await c.get(`/api/v1/me/photos/${id}`);
    assert.equal(r.status, 200, r.text);
    return r.data.state !== 'processing' && r.data;
  }, 120000);
}

const blobPath = (dataDir, bytes) => {
  const id = createHash('sha256').update(bytes).digest('hex');
  return path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
};

// ---- item 9: errors cost a cool-off; a storage quota; the retention sweep -----------------------------------

test('an upload that ends in an error starts the cool-off like a failed photo', { skip: noModels, timeout: 120000 }, async () => {
  const c = await student(admin, { cooloff_min: 2 });
  let r = await send(c, randomBytes(200 * 1024));
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'error');
  assert.ok(p.cooloff_until > Date.now() / 1000 + 60, `a cool-off of about 2 minutes: ${JSON.stringify(p)}`);
  // the next junk file is refused before it is stored
  r = await send(c, randomBytes(200 * 1024));
  assert.equal(r.status, 429, r.text);
  assert.equal(r.data.error.code, 'journey.cooloff');
  assert.match(r.data.error.zh, /冷静期/);
  const j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.shoot.allowed, false);
  assert.equal(j.data.shoot.reason.code, 'journey.cooloff');
});

test('each student holds at most --student-quota-mb of uploads', { skip: noModels, timeout: 120000 }, async () => {
  const s = await startServer({ env: { TUCAI_MODELS: MODELS }, extraArgs: ['--student-quota-mb', '1'] });
  try {
    const a = await staff(s);
    const c = await student(a, { cooloff_min: 0, lock_after_fails: 1000 });
    let r = await send(c, randomBytes(700 * 1024));
    assert.equal(r.status, 202, r.text);
    assert.equal((await made(c, r.data.photo.id)).state, 'error');
    const second = randomBytes(700 * 1024);
    r = await send(c, second);
    assert.equal(r.status, 413, r.text);
    assert.equal(r.data.error.code, 'journey.storage_full');
    assert.match(r.data.error.zh, /存储上限（1 MB）/);
    assert.ok(r.data.error.en.length > 0);
    assert.equal(existsSync(blobPath(s.dataDir, second)), false, 'a refused file is not kept');
    // a small one still fits
    r = await send(c, randomBytes(100 * 1024));
    assert.equal(r.status, 202, r.text);
  } finally {
    const r = await s.stop();
    assert.equal(r.code, 0, 'the server stops cleanly (sanitizers): ' + r.log.slice(-3000));
  }
});

test('the retention sweep removes the files of failed photos, never a draft\'s, and frees the quota', { skip: noModels, timeout: 180000 }, async () => {
  const s = await startServer({ env: { TUCAI_MODELS: MODELS },
    extraArgs: ['--blob-retention-h', '0', '--sweep-interval-s', '1', '--student-quota-mb', '1'] });
  try {
    const a = await staff(s);
    const c = await student(a, { cooloff_min: 0, lock_after_fails: 1000, album_allowed: true });
    let draft = null;
    if (havePhotos) {
      const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
      assert.equal(r.status, 202, r.text);
      draft = await made(c, r.data.photo.id);
      assert.equal(draft.state, 'draft', JSON.stringify(draft.failed));
    }
    const junk = randomBytes(700 * 1024);
    let r = await send(c, junk);
    assert.equal(r.status, 202, r.text);
    assert.equal((await made(c, r.data.photo.id)).state, 'error');
    // the sweep (every second, retention 0) removes the error photo's upload
    await poll('the sweep', async () => !existsSync(blobPath(s.dataDir, junk)), 20000);
    // the sweep logs once its transaction is over, a moment after the file went
    await poll('the sweep\'s log line', async () => /retention sweep: \d+ photos, \d+ files removed/.test(s.log()), 20000);
    assert.match(s.log(), /retention sweep: \d+ photos, \d+ files removed/);
    // ... and the quota counts it no more: another 700 KB fits in 1 MB
    r = await send(c, randomBytes(700 * 1024));
    assert.equal(r.status, 202, r.text);
    if (draft) {
      // the draft's files stay, through several sweeps
      await new Promise((res) => setTimeout(res, 2500));
      assert.ok(existsSync(blobPath(s.dataDir, readFileSync(GOOD))), 'the draft\'s upload is kept');
      const proof = await fetch(s.url + draft.proof_url, { headers: { cookie: c.cookieHeader() } });
      assert.equal(proof.status, 200, 'the draft\'s proof is kept');
    }
  } finally {
    const r = await s.stop();
    assert.equal(r.code, 0, 'the server stops cleanly (sanitizers): ' + r.log.slice(-3000));
  }
});

// ---- item 10: result e-mails only to a confirmed address, a few a day ---------------------------------------

async function approvedStudent() {
  const c = await student(admin, { pay_when: 'school', album_allowed: true });
  let r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.state, 'draft', JSON.stringify(p.failed));
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 200, r.text);
  r = await reviewer.get('/api/v1/review/queue?limit=100');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.ok(item, 'the photo is in the review queue');
  r = await reviewer.post(`/api/v1/review/submissions/${item.id}/approve`, { json: {} });
  assert.equal(r.status, 200, r.text);
  return c;
}

const ctl = (p) => fetch(`http://127.0.0.1:${smtp.info.ctl_port}${p}`).then((r) => r.json());
const mailsTo = async (addr) => (await ctl('/messages')).filter((m) => m.to.includes(addr));

test('the result photo goes only to an address the student confirmed, at most --student-emails-per-day a day', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await approvedStudent();
  // any address typed is refused: nothing is queued
  let r = await c.post('/api/v1/me/result/email', { json: { email: 'victim@example.com' } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'journey.email_unconfirmed');
  assert.match(r.data.error.zh, /验证/);
  // the student asks for a code at their own address
  r = await c.post('/api/v1/me/email/code', { json: { email: 'me@example.edu.cn' } });
  assert.equal(r.status, 202, r.text);
  const mail = await poll('the code e-mail', async () => (await mailsTo('me@example.edu.cn'))[0]);
  const code = (mail.text.match(/\b(\d{6})\b/) || [])[1];
  assert.ok(code, mail.text);
  let j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.notify.email_pending, 'me@example.edu.cn');
  assert.equal(j.data.notify.email_confirmed, '');
  // a wrong code is refused and counted
  r = await c.post('/api/v1/me/email/confirm', { json: { code: code === '000000' ? '111111' : '000000' } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'journey.email_code_wrong');
  r = await c.post('/api/v1/me/email/confirm', { json: { code } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.email_confirmed, 'me@example.edu.cn');
  j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.notify.email_confirmed, 'me@example.edu.cn');
  // still not to another address
  r = await c.post('/api/v1/me/result/email', { json: { email: 'victim@example.com' } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'journey.email_unconfirmed');
  // to the confirmed one (the body may omit it): with the photo attached
  r = await c.post('/api/v1/me/result/email', { json: {} });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.data.email, 'me@example.edu.cn');
  const photoMail = await poll('the photo e-mail', async () => (await mailsTo('me@example.edu.cn')).find((m) => m.attachments.length));
  assert.equal(photoMail.attachments[0].type, 'image/jpeg');
  // the day's limit (5: the code and four photos), then a clear refusal
  for (let i = 0; i < 3; i++) assert.equal((await c.post('/api/v1/me/result/email', { json: {} })).status, 202);
  r = await c.post('/api/v1/me/result/email', { json: {} });
  assert.equal(r.status, 429, r.text);
  assert.equal(r.data.error.code, 'journey.email_limit');
  assert.match(r.data.error.zh, /上限（5 封）/);
  // codes count too: no more codes to arbitrary addresses today
  r = await c.post('/api/v1/me/email/code', { json: { email: 'victim@example.com' } });
  assert.equal(r.status, 429, r.text);
  assert.equal(r.data.error.code, 'journey.email_limit');
  assert.equal((await mailsTo('victim@example.com')).length, 0, 'nothing ever went to the typed address');
});

// ---- item 12: the album ban, on what the server can see -----------------------------------------------------

// A JPEG with an EXIF block (APP1) of these IFD0 ASCII tags and, optionally,
// DateTimeOriginal in the Exif IFD: what a phone's camera app or an editor
// writes, and what the page's canvas capture never has.
function withExif(jpeg, { make, model, software, dto } = {}) {
  const ascii = [[0x010f, make], [0x0110, model], [0x0131, software]].filter(([, v]) => v);
  const n0 = ascii.length + (dto ? 1 : 0);
  const ifd0Len = 2 + 12 * n0 + 4, exifLen = dto ? 2 + 12 + 4 : 0;
  let dataOff = 8 + ifd0Len + exifLen;
  const data = [];
  const put = (s) => { const b = Buffer.from(s + '\0', 'latin1'); const at = dataOff; data.push(b); dataOff += b.length; return [b.length, at]; };
  const tiff = Buffer.alloc(8 + ifd0Len + exifLen);
  tiff.write('II', 0, 'latin1'); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4);
  let o = 8;
  tiff.writeUInt16LE(n0, o); o += 2;
  const entry = (tag, type, count, value) => { tiff.writeUInt16LE(tag, o); tiff.writeUInt16LE(type, o + 2); tiff.writeUInt32LE(count, o + 4); tiff.writeUInt32LE(value, o + 8); o += 12; };
  for (const [tag, v] of ascii) { const [len, at] = put(v); entry(tag, 2, len, at); }
  if (dto) entry(0x8769, 4, 1, 8 + ifd0Len);
  tiff.writeUInt32LE(0, o); o += 4;
  if (dto) {
    tiff.writeUInt16LE(1, o); o += 2;
    const [len, at] = put(dto);
    entry(0x9003, 2, len, at);
    tiff.writeUInt32LE(0, o); o += 4;
  }
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, ...data]);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xffe1, 0); seg.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), seg, body, jpeg.subarray(2)]);
}

// EXIF time "YYYY:MM:DD HH:MM:SS" in China time, s seconds from now.
const exifTime = (s) => new Date(Date.now() + s * 1000 + 8 * 3600 * 1000).toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');

test('an album ban refuses "camera" uploads that carry another camera\'s or an editor\'s tags or an old capture time', { skip: noPhotos, timeout: 300000 }, async () => {
  const good = readFileSync(GOOD);
  const c = await student(admin, { album_allowed: false, cooloff_min: 0, lock_after_fails: 1000 });
  const refused = async (bytes, zh) => {
    const r = await send(c, bytes, 'camera');
    assert.equal(r.status, 403, r.text);
    assert.equal(r.data.error.code, 'journey.not_live_capture');
    assert.match(r.data.error.zh, zh);
    assert.match(r.data.error.zh, /学校未开放相册上传/);
  };
  await refused(readFileSync(EDITED), /修图软件/); // a real file an editor (Shotwell) wrote
  await refused(withExif(good, { make: 'Apple', model: 'iPhone 13' }), /其他相机/);
  await refused(withExif(good, { dto: exifTime(-3 * 86400) }), /较早的拍摄时间/);
  // what the page's capture looks like is taken: no EXIF, or a capture time
  // of just now
  let r = await send(c, withExif(good, { dto: exifTime(-30) }), 'camera');
  assert.equal(r.status, 202, r.text);
  assert.equal((await made(c, r.data.photo.id)).source, 'camera');
  r = await send(c, good, 'camera');
  assert.equal(r.status, 202, r.text);
  assert.equal((await made(c, r.data.photo.id)).source, 'camera');
});

test('where albums are allowed, a "camera" upload with a camera\'s tags is kept as an album photo', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student(admin, { album_allowed: true });
  const r = await send(c, withExif(readFileSync(GOOD), { make: 'HUAWEI', model: 'P60' }), 'camera');
  assert.equal(r.status, 202, r.text);
  const p = await made(c, r.data.photo.id);
  assert.equal(p.source, 'album');
});

// ---- item 15: a cancelled batch takes no uploads ------------------------------------------------------------

test('a cancelled batch refuses uploads in clear words, and the app is told', { skip: noModels, timeout: 120000 }, async () => {
  const c = await student(admin, { album_allowed: true });
  let r = await admin.post(`/api/v1/batches/${c.batchId}/cancel`, { json: {} });
  assert.equal(r.status, 200, r.text);
  for (const source of ['camera', 'album']) {
    r = await send(c, randomBytes(10 * 1024), source);
    assert.equal(r.status, 410, r.text);
    assert.equal(r.data.error.code, 'journey.batch_cancelled');
    assert.match(r.data.error.zh, /本次照片采集已取消/);
    assert.match(r.data.error.en, /cancelled/);
  }
  const j = await c.get('/api/v1/me/journey');
  assert.equal(j.data.shoot.allowed, false);
  assert.equal(j.data.shoot.reason.code, 'journey.batch_cancelled');
});
