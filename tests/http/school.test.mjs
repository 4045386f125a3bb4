// The school console over HTTP (issue 7, school admin): batch and school
// settings with per-field errors, the notice sanitised on the server and
// seen by the student, progress counts that match students put in known
// states through the real API, roster search, one student added and edited,
// reminders once a day, the photo ZIP (names, manifest, bytes) and the
// XLSX / PDF downloads; every endpoint refuses another school's admin (403)
// and anyone signed out (401).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, BIN, execFileSync, acceptConsent } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const BAD = path.join(PORTRAITS, 'two_people.jpg');

let srv, admin, mine, other, school, otherSchool, batch;
const students = {}; // role -> client

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const mk = async (name) => (await admin.post('/api/v1/schools', { json: { name } })).data.school;
  school = await mk('学校控制台测试大学');
  otherSchool = await mk('别的大学');
  const acct = async (username, sid) => {
    const password = 'Init-pass-' + username;
    const r = await admin.post('/api/v1/staff/accounts', { json: { username, role: 'school_admin', password, school_id: sid } });
    assert.equal(r.status, 201, r.text);
    const c = new Client(srv.url);
    await c.staffLogin(username, password);
    return c;
  };
  mine = await acct('sc-mine', school.id);
  other = await acct('sc-other', otherSchool.id);
  const r = await mine.post(`/api/v1/schools/${school.id}/batches`, {
    json: { name: '2026届 控制台', settings: { pay_when: 'school', checks: { disabled: ['duplicate'] }, lock_after_fails: 1, cooloff_min: 0 } },
  });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  // the roster: two classes
  const rows = [];
  for (let i = 1; i <= 8; i++) rows.push(`控制台${i},K00${i},${fakeId(700 + i)},本科,软件工程,${i <= 4 ? '软件1班' : '软件2班'},CHSI-SC-${i},1380013800${i}`);
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码,手机号\n' + rows.join('\n') + '\n';
  const imp = await mine.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(imp.status, 200, imp.text);
});
after(async () => { if (srv) await srv.stop(); });

// The QR poster every school prints (issue 20, item 7).  pdftotext alone
// cannot catch garbled glyphs (the text layer was right while the drawn
// glyphs were boxes or other characters): the page is rendered by pdftoppm
// and the title, the 特征码 and the link are compared with the same strings
// drawn straight by pango (tests/tools/pango_ref.c, which prints the
// normalised correlation of the two: whole line and the worst window about a
// character wide); the font must be embedded.
test('the QR poster prints its text with the right glyphs: Chinese, Latin letters, digits; the font embedded; A4', async () => {
  const sc = (await admin.post('/api/v1/schools', { json: { name: '示范大学 Demo University' } })).data.school;
  const r = await admin.post(`/api/v1/schools/${sc.id}/batches`, { json: { name: '2026届本科毕业生 Class of 2026' } });
  assert.equal(r.status, 201, r.text);
  const b = r.data.batch;
  const res = await fetch(`${srv.url}/api/v1/batches/${b.id}/poster.pdf`, { headers: { cookie: admin.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(path.join(tmpdir(), 'tucai-poster-'));
  try {
    const file = path.join(dir, 'poster.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const info = execFileSync('pdfinfo', [file]).toString();
    const [, w, h] = info.match(/Page size:\s+([\d.]+) x ([\d.]+) pts/);
    assert.ok(Math.abs(w - 595.28) < 0.1 && Math.abs(h - 841.89) < 0.1, info);
    // every font embedded, and it is Noto Sans CJK (Latin letters and digits too)
    const fonts = execFileSync('pdffonts', [file]).toString().trim().split('\n').slice(2);
    assert.ok(fonts.length >= 1, 'no font');
    for (const row of fonts) {
      const cols = row.trim().split(/\s+/);
      assert.match(cols[0], /NotoSansCJK/, row);
      assert.equal(cols[cols.length - 5], 'yes', `not embedded: ${row}`);
    }
    // the text layer
    const code = b.code.toUpperCase();
    const txt = execFileSync('pdftotext', [file, '-']).toString();
    assert.ok(txt.includes('示范大学 Demo University'), txt);
    assert.ok(txt.includes(code), txt);
    const url = txt.split('\n').map((l) => l.trim()).find((l) => l.endsWith(`/?batch=${b.code}`));
    assert.ok(url && url.startsWith('http'), txt);
    // the drawn glyphs, against pango
    // 400 dpi: at 200 the 11 pt link is ~30 px tall and a right line scored
    // as low as 0.80 in its worst window (one run in four failed on some
    // random 特征码); at 400 the right lines score ≥ 0.90 and a changed
    // character ≤ 0.89 on the 特征码 line, ≤ 0.66 on the title (30 posters).
    execFileSync('pdftoppm', ['-gray', '-r', '400', '-singlefile', file, path.join(dir, 'page')]);
    const helper = path.join(path.dirname(BIN), 'tests', 'pango_ref');
    const match = (top, bottom, text, pt, bold) => {
      const out = execFileSync(helper, ['match', path.join(dir, 'page.pgm'), '400', String(top), String(bottom), text, String(pt), bold ? '1' : '0']).toString();
      return JSON.parse(out);
    };
    // positions and sizes: src/pdf/tc_pdf.h (TC_POSTER_*)
    const lines = [[19, 38, '示范大学 Demo University', 26, 1], [173, 189, `特征码  ${code}`, 20, 1], [269, 281, url, 11, 0]];
    for (const [top, bottom, text, pt, bold] of lines) {
      const m = match(top, bottom, text, pt, bold);
      assert.ok(m.ncc > 0.9 && m.worst > 0.85, `${text}: ${JSON.stringify(m)}`);
    }
    // and the comparison tells glyphs apart: other characters in the title,
    // one other letter in the 特征码
    const m = match(19, 38, '演示大学 Demo Universe', 26, 1);
    assert.ok(!(m.ncc > 0.9 && m.worst > 0.85), JSON.stringify(m));
    const other = code.slice(0, 3) + (code[3] === 'B' ? '8' : 'B') + code.slice(4);
    const m2 = match(173, 189, `特征码  ${other}`, 20, 1);
    assert.ok(!(m2.ncc > 0.9 && m2.worst > 0.85), JSON.stringify(m2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function enter(i) {
  const c = new Client(srv.url);
  await c.csrf();
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-SC-' + i, id_last4: fakeId(700 + i).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '1380013800' + i } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  c.studentId = (await c.get('/api/v1/me')).data.current_record;
  return c;
}
async function readSteps(c) {
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: false, email: 'stu@example.edu.cn' } })).status, 200);
  assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
}
async function photo(c, file) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: file, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let k = 0; k < 900; k++) {
    const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`);
    if (p.data.state !== 'processing') return p.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing');
}

test('refusals: signed out 401, another school 403, bad ids 404', async () => {
  const anon = new Client(srv.url);
  await anon.csrf();
  const b = batch.id, s = school.id;
  const gets = [`/api/v1/batches/${b}/settings`, `/api/v1/schools/${s}/settings`, `/api/v1/schools/${s}/notice`,
    `/api/v1/batches/${b}/progress`, `/api/v1/batches/${b}/progress.xlsx`, `/api/v1/batches/${b}/roster`,
    `/api/v1/batches/${b}/roster.xlsx`, `/api/v1/batches/${b}/photos.zip`, `/api/v1/batches/${b}/poster.pdf`];
  const writes = [['PUT', `/api/v1/batches/${b}`, { name: 'x' }], ['PUT', `/api/v1/schools/${s}/settings`, { settings: {} }],
    ['PUT', `/api/v1/schools/${s}/notice`, { html: '<p>x</p>' }], ['POST', `/api/v1/batches/${b}/students`, {}],
    ['POST', `/api/v1/batches/${b}/remind`, {}]];
  for (const p of gets) {
    assert.equal((await anon.get(p)).status, 401, p);
    const r = await other.get(p);
    assert.equal(r.status, 403, p);
    assert.equal(r.data.error.code, 'auth.other_school', p);
  }
  for (const [m, p, json] of writes) {
    assert.equal((await anon.req(m, p, { json })).status, 401, p);
    const r = await other.req(m, p, { json });
    assert.equal(r.status, 403, p + ' ' + r.text);
  }
  const sid = (await mine.get(`/api/v1/batches/${b}/roster`)).data.students[0].id;
  assert.equal((await other.req('PUT', `/api/v1/students/${sid}`, { json: { name: '改名' } })).status, 403);
  assert.equal((await mine.get('/api/v1/batches/999999/progress')).status, 404);
  // CSRF: a write without the header is refused
  assert.equal((await mine.req('PUT', `/api/v1/batches/${b}`, { json: { name: 'x' }, csrf: false })).status, 403);
});

test('batch and school settings: per-field errors, inheritance, audit', async () => {
  let r = await mine.get(`/api/v1/batches/${batch.id}/settings`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.defaults.draft_capacity, 3);
  assert.equal(r.data.effective.pay_when, 'school');
  r = await mine.req('PUT', `/api/v1/batches/${batch.id}`, {
    json: { name: '', starts_at: 2000000000, ends_at: 1900000000, settings: { draft_capacity: 0, fee_fen: -5, pay_wen: 'x', live_allowed: true } },
  });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'batch.invalid');
  const fields = r.data.errors.map((x) => x.field).sort();
  assert.deepEqual(fields, ['draft_capacity', 'ends_at', 'fee_fen', 'name', 'pay_wen']);
  for (const x of r.data.errors) assert.ok(x.code && x.zh && x.en);
  r = await mine.req('PUT', `/api/v1/batches/${batch.id}`, { json: { settings: { live_allowed: false, album_allowed: false } } });
  assert.equal(r.status, 400);
  assert.equal(r.data.errors[0].code, 'settings.no_mode');
  // the school's default, inherited by the batch unless it overrides
  r = await mine.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: { lock_hours: 12, draft_capacity: 5 } } });
  assert.equal(r.status, 200, r.text);
  r = await mine.req('PUT', `/api/v1/batches/${batch.id}`, {
    json: { name: '2026届 控制台', ends_at: 4000000000, settings: { pay_when: 'school', checks: { disabled: ['duplicate'] }, lock_after_fails: 1, cooloff_min: 0, draft_capacity: 4 } },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.effective.draft_capacity, 4, 'the batch wins');
  assert.equal(r.data.effective.lock_hours, 12, 'the school fills in');
  assert.equal(r.data.effective.cooloff_min, 0);
  assert.equal(r.data.batch.ends_at, 4000000000);
  r = await mine.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: { glasses: 'maybe' } } });
  assert.equal(r.status, 400);
  assert.equal(r.data.errors[0].field, 'glasses');
  r = await admin.get('/api/v1/admin/audit?action=batch.update');
  if (r.status === 200) assert.ok(JSON.stringify(r.data).includes('batch.update'));
});

test('notice: sanitised on the server, the student gets it', async () => {
  const html = '<h3 onclick="x()">须知</h3><p>请带<b>身份证</b><script>alert(1)</script><img src=x onerror=alert(1)>' +
    '<a href="javascript:alert(1)">坏</a><a href="https://chsi.com.cn/" target="_top">学信网</a></p><style>p{}</style>';
  let r = await mine.req('PUT', `/api/v1/schools/${school.id}/notice`, { json: { html } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.html, '<h3>须知</h3><p>请带<b>身份证</b>坏<a href="https://chsi.com.cn/" rel="noopener">学信网</a></p>');
  r = await mine.req('PUT', `/api/v1/schools/${school.id}/notice`, { json: { html: '<p>' + 'x'.repeat(300 * 1024) + '</p>' } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'notice.too_large');
  r = await mine.req('PUT', `/api/v1/schools/${school.id}/notice`, { json: { text: 'x' } });
  assert.equal(r.data.error.code, 'notice.bad_request');
  students.notice = await enter(8);
  const j = await students.notice.get('/api/v1/me/journey');
  assert.match(j.data.school.notice_html, /<b>身份证<\/b>/);
  assert.doesNotMatch(j.data.school.notice_html, /script|onclick|javascript/);
});

test('one student added and edited, validated like an import; search', async () => {
  let r = await mine.post(`/api/v1/batches/${batch.id}/students`, { json: { name: '', student_no: 'K009', id_number: '123', chsi_code: '' } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'student.invalid');
  const f = r.data.errors.map((x) => x.field);
  for (const k of ['name', 'id_number']) assert.ok(f.includes(k), k + ' in ' + f);
  assert.ok(!f.includes('chsi_code'), 'the 采集码 may be left empty (issue 19): the student binds it');
  r = await mine.post(`/api/v1/batches/${batch.id}/students`, { json: { name: '新增生', student_no: 'K009', id_number: fakeId(709), chsi_code: 'CHSI-SC-9', class_name: '软件3班' } });
  assert.equal(r.status, 201, r.text);
  const id = r.data.student.id;
  r = await mine.post(`/api/v1/batches/${batch.id}/students`, { json: { name: '重复', student_no: 'K009', id_number: fakeId(719), chsi_code: 'CHSI-SC-19' } });
  assert.equal(r.status, 409);
  assert.equal(r.data.error.code, 'student.no_taken');
  r = await mine.req('PUT', `/api/v1/students/${id}`, { json: { class_name: '软件2班', phone: '12' } });
  assert.equal(r.status, 400);
  assert.equal(r.data.errors[0].field, 'phone');
  r = await mine.req('PUT', `/api/v1/students/${id}`, { json: { class_name: '软件2班', name: '新增生甲' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.student.class_name, '软件2班');
  assert.equal(r.data.student.name, '新增生甲');
  // the code and ID were kept: the student can still enter with the code
  const c = new Client(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-SC-9', id_last4: fakeId(709).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  // search by name, number and class
  const q = async (p) => (await mine.get(`/api/v1/batches/${batch.id}/roster?${p}`)).data;
  assert.equal((await q('q=' + encodeURIComponent('新增生'))).total, 1);
  assert.equal((await q('q=K00')).total, 9);
  assert.equal((await q('class=' + encodeURIComponent('软件1班'))).total, 4);
  assert.equal((await q('q=' + encodeURIComponent('软件2'))).total, 5);
  assert.equal((await q('q=%25')).total, 0, '% is literal');
  assert.equal((await mine.get(`/api/v1/batches/${batch.id}/roster?filter=nope`)).data.error.code, 'roster.bad_filter');
});

test('progress counts match students in known states; reminders; exports', { timeout: 600000 }, async () => {
  // verified: 1, 2 (and 8 from the notice test); 3: a draft; 4: submitted; 5: approved; 6: final; 7: locked
  for (const i of [1, 2]) students[i] = await enter(i);
  const photos = {};
  if (havePhotos) {
    for (const i of [3, 4, 5, 6, 7]) { students[i] = await enter(i); await readSteps(students[i]); }
    for (const i of [3, 4, 5, 6]) { photos[i] = await photo(students[i], GOOD); assert.equal(photos[i].state, 'draft', JSON.stringify(photos[i])); }
    const failed = await photo(students[7], BAD);
    assert.equal(failed.state, 'failed');
    for (const i of [4, 5, 6]) {
      const r = await students[i].post('/api/v1/me/submission', { json: { photo_id: photos[i].id } });
      assert.equal(r.status, 200, r.text);
    }
    const queue = (await admin.get('/api/v1/review/queue')).data.items;
    for (const i of [5, 6]) {
      const item = queue.find((x) => x.photo.id === photos[i].id);
      assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
      photos[i].sub = item.id;
      photos[i].standard_url = item.photo.standard_url; // named by the photo's token
    }
    assert.equal((await admin.post(`/api/v1/review/submissions/${photos[6].sub}/final`)).status, 200);
  }
  const r = await mine.get(`/api/v1/batches/${batch.id}/progress`);
  assert.equal(r.status, 200, r.text);
  const t = r.data.totals;
  const expect = havePhotos
    ? { not_started: 1, verified: 4, drafts: 1, submitted: 1, approved: 1, final: 1, locked: 1, total: 9, finished: 2, unfinished: 7 }
    : { not_started: 6, verified: 3, total: 9, finished: 0, unfinished: 9 };
  // 7 failed its only photo: still "verified" by state, counted as locked
  const all = (await mine.get(`/api/v1/batches/${batch.id}/roster?limit=100`)).data.students.map((s) => s.student_no + ":" + s.state);
  for (const [k, v] of Object.entries(expect)) assert.equal(t[k], v, `${k}: ${JSON.stringify(t)} ${all}`);
  const cls = Object.fromEntries(r.data.classes.map((x) => [x.class_name, x.counts]));
  assert.equal(cls['软件1班'].total, 4);
  assert.equal(cls['软件2班'].total, 5);
  const unf = (await mine.get(`/api/v1/batches/${batch.id}/roster?filter=unfinished&limit=100`)).data;
  assert.equal(unf.total, t.unfinished);
  assert.ok(unf.students.every((s) => !['approved', 'final'].includes(s.state)));
  if (havePhotos) assert.equal((await mine.get(`/api/v1/batches/${batch.id}/roster?filter=locked`)).data.total, 1);

  // reminders: the verified unfinished students, once a day
  let m = await mine.post(`/api/v1/batches/${batch.id}/remind`);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.data.unfinished, t.unfinished);
  assert.equal(m.data.skipped_unverified, t.not_started);
  assert.equal(m.data.sent, t.unfinished - t.not_started);
  const msgs = (await students[1].get('/api/v1/me/messages')).data;
  assert.ok(JSON.stringify(msgs).includes('采集提醒'), JSON.stringify(msgs));
  m = await mine.post(`/api/v1/batches/${batch.id}/remind`);
  assert.equal(m.data.sent, 0);
  assert.equal(m.data.skipped_recent, t.unfinished - t.not_started);

  // XLSX downloads are real workbooks
  for (const p of ['progress.xlsx', 'roster.xlsx']) {
    const res = await fetch(`${srv.url}/api/v1/batches/${batch.id}/${p}`, { headers: { cookie: mine.cookieHeader() } });
    assert.equal(res.status, 200, p);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.subarray(0, 2).toString(), 'PK', p);
  }
  const pdf = await fetch(`${srv.url}/api/v1/batches/${batch.id}/poster.pdf`, { headers: { cookie: mine.cookieHeader() } });
  assert.equal(pdf.status, 200);
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');

  // the photo ZIP: names by rule, manifest, bytes equal to the standard photos
  assert.equal((await mine.get(`/api/v1/batches/${batch.id}/photos.zip?name=bogus`)).data.error.code, 'export.bad_rule');
  const dir = mkdtempSync(path.join(tmpdir(), 'tucai-zip-'));
  try {
    for (const rule of ['student_no', 'id_number']) {
      const res = await fetch(`${srv.url}/api/v1/batches/${batch.id}/photos.zip?name=${rule}`, { headers: { cookie: mine.cookieHeader() } });
      assert.equal(res.status, 200);
      const zip = path.join(dir, rule + '.zip');
      writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
      execFileSync('unzip', ['-t', zip]); // CRCs and structure check out
      const out = path.join(dir, rule);
      execFileSync('unzip', ['-o', '-d', out, zip]);
      const manifest = readFileSync(path.join(out, 'manifest.csv'), 'utf8');
      assert.match(manifest, /文件名/);
      if (!havePhotos) continue;
      for (const i of [5, 6]) {
        const name = rule === 'student_no' ? `K00${i}.jpg` : `${fakeId(700 + i)}.jpg`;
        assert.ok(existsSync(path.join(out, name)), name);
        assert.match(manifest, new RegExp(name.replace('.', '\\.')));
        const std = Buffer.from(await (await fetch(srv.url + photos[i].standard_url, { headers: { cookie: admin.cookieHeader() } })).arrayBuffer());
        assert.deepEqual(readFileSync(path.join(out, name)), std, name + ' is the standard photo');
      }
      assert.equal(existsSync(path.join(out, rule === 'student_no' ? 'K004.jpg' : `${fakeId(704)}.jpg`)), false, 'only approved and final');
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
