// Photo review and the school's student actions in the staff console (issue 7,
// first slice), in a real browser on the real server.  Students are set up
// over the API the way tests/http/journey.test.mjs does it (a batch, a roster,
// entry by 采集码, the steps before shooting, a real portrait made and checked
// by the photo workers, then confirmed); a reviewer then rejects one photo
// with two reasons and approves (and makes final) another using the keyboard,
// and the student's journey shows the outcome; a school admin unlocks and
// resets a student from the student list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, acceptConsent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP } from './helpers.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models (scripts/fetch-models)';

let srv, admin, school, browser;
const open = [];
const REVIEWER = 'web-reviewer';
const SCHOOL_ADMIN = 'web-school';
const pw = (u) => 'N3w-password-' + u; // what Client.staffLogin changes the first password to
let seq = 700;
let batch = null;
const studs = []; // {client, id, no, name}
let rejectTested = false;

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '审核测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  for (const [username, role] of [[REVIEWER, 'reviewer'], [SCHOOL_ADMIN, 'school_admin']]) {
    const password = 'Init-pass-' + username;
    r = await admin.post('/api/v1/staff/accounts', { json: { username, role, password, school_id: role === 'school_admin' ? school.id : undefined } });
    assert.equal(r.status, 201, r.text);
    await new Client(srv.url).staffLogin(username, password); // past the forced change
  }
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '审核测试批次', settings: {} } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  const rows = [0, 1].map((i) => ({ n: seq + i, name: `审核${i + 1}`, no: `R${seq + i}`, chsi: `CHSI-REVIEW-${seq + i}` }));
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' +
    rows.map((x) => `${x.name},${x.no},${fakeId(x.n)},本科,软件工程,1班,${x.chsi}`).join('\n') + '\n';
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
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
    studs.push({ client: c, id: (await c.get('/api/v1/me')).data.current_record, no: x.no, name: x.name });
  }
  browser = await launch();
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function desktop() {
  const p = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(p.context);
  return p;
}
const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

async function signIn(page, username) {
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(pw(username));
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForSelector('#app[aria-busy="false"]:not([data-view="login"])');
}

// Uploads the good portrait and waits for the photo workers; the photo's
// final state (draft, failed, …).
async function shoot(c) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  for (let i = 0; i < 1200; i++) {
    const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`);
    assert.equal(p.status, 200, p.text);
    if (p.data.state !== 'processing') return p.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('photo still processing after 120 s');
}

test('reviewer: side-by-side photos and check scores; reject with two reasons (R), approve (A) and make final; J/K move', { skip: noPhotos, timeout: 400000 }, async (t) => {
  const photos = await Promise.all(studs.map((s) => shoot(s.client)));
  const notDraft = photos.find((p) => p.state !== 'draft');
  if (notDraft) {
    // the page itself still works: an empty queue
    const { page, problems } = await desktop();
    await signIn(page, REVIEWER);
    await page.locator('#nav').getByRole('link', { name: '照片审核' }).click();
    await view(page, 'review');
    await page.getByText('暂时没有待审核的照片').waitFor();
    await shot(page, 'console-20-review-empty');
    assert.deepEqual(problems, []);
    t.skip(`the good portrait did not become a draft (state ${notDraft.state}, failed: ${(notDraft.failed || []).map((f) => f.code).join(', ')}); ` +
      'the automatic checks are still being tuned, so the review flow was not tested');
    return;
  }
  for (let i = 0; i < studs.length; i++) { // oldest first: student 1 before student 2
    const r = await studs[i].client.post('/api/v1/me/submission', { json: { photo_id: photos[i].id } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.next, 'waiting', 'settings {}: the school pays');
  }

  const { page, problems } = await desktop();
  await signIn(page, REVIEWER);
  await page.locator('#nav').getByRole('link', { name: '照片审核' }).click();
  await view(page, 'review');
  const items = page.locator('.c-queue__item');
  assert.equal(await items.count(), 2);
  assert.match(await items.nth(0).textContent(), /R700/, 'oldest first');
  assert.match(await items.nth(0).textContent(), /待审核/);
  // the three pictures load; the checks are listed with their scores
  for (const cls of ['original', 'standard', 'overlay']) {
    const img = page.locator(`.c-shot_${cls} img`);
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }
  // the overlay is painted in the page from the photo's drawing data, at the
  // original's size, with what the server's PNG showed: the person's outline
  // (magenta), the mesh's points (cyan), the checks' frames (green passed;
  // red failed, yellow unknown when there are such)
  const painted = await page.evaluate(() => {
    const ov = document.querySelector('.c-shot_overlay img'), orig = document.querySelector('.c-shot_original img');
    const c = document.createElement('canvas');
    c.width = ov.naturalWidth; c.height = ov.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(ov, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    const n = {};
    const key = { '255,0,255': 'outline', '0,255,255': 'point', '40,220,40': 'pass', '255,220,0': 'unknown', '255,40,40': 'fail' };
    for (let i = 0; i < px.length; i += 4) {
      const k = key[`${px[i]},${px[i + 1]},${px[i + 2]}`];
      if (k) n[k] = (n[k] || 0) + 1;
    }
    return { src: ov.src.slice(0, 5), w: ov.naturalWidth, h: ov.naturalHeight, ow: orig.naturalWidth, oh: orig.naturalHeight, n };
  });
  assert.equal(painted.src, 'blob:', 'painted in the page');
  assert.deepEqual([painted.w, painted.h], [painted.ow, painted.oh]);
  assert.ok(painted.n.outline > 300 && painted.n.point > 300 && painted.n.pass > 100, JSON.stringify(painted.n));
  const checks = page.locator('table.c-checks tbody tr');
  assert.ok(await checks.count() >= 20, 'every check has a row');
  const checkNames = await checks.evaluateAll((rows) => rows.map((r) => r.cells[0].textContent.trim()));
  assert.ok(checkNames.every((n) => /[\u4e00-\u9fff]/.test(n) && !/_|check\./.test(n)), '检测项 named in words: ' + checkNames.join(','));
  const verdicts = await checks.evaluateAll((rows) => rows.map((r) => r.dataset.verdict));
  const order = { fail: 0, unknown: 1, pass: 2 };
  for (let i = 1; i < verdicts.length; i++) assert.ok(order[verdicts[i - 1]] <= order[verdicts[i]], 'failed, then unknown, then passed');
  assert.match(await checks.first().locator('td.c-num').textContent(), /^\d+$/);
  await shot(page, 'console-20-review');

  // reject without a reason: refused locally, nothing sent
  await page.keyboard.press('r');
  await page.locator('#app .tc-error[data-code="review.reason_required"]').waitFor();
  // two reasons and a note, then R
  await page.getByLabel('光线过暗').check();
  await page.getByLabel('头发遮挡眉毛或眼睛').check();
  await page.getByLabel('补充说明（选填）').fill('请在白天重拍');
  await shot(page, 'console-21-review-reasons');
  await page.getByLabel('头发遮挡眉毛或眼睛').focus(); // keys work with a checkbox focused, not in the note
  await page.keyboard.press('r');
  await page.locator('#app .c-notice', { hasText: '已驳回：' }).waitFor();
  // moved on to the next photo to review
  assert.match(await page.locator('.c-queue__item_on').textContent(), /R701/);
  assert.match(await items.nth(0).textContent(), /审核未通过/);

  let j = await studs[0].client.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'rejected');
  assert.deepEqual(j.data.submission.reasons.map((x) => x.code), ['light_dark', 'hair_brows']);
  assert.equal(j.data.submission.note, '请在白天重拍');
  rejectTested = true;

  // K back (decided: the buttons are off), J forward, A approves
  await page.keyboard.press('k');
  assert.match(await page.locator('.c-queue__item_on').textContent(), /R700/);
  assert.equal(await page.locator('[data-act="approve"]').isDisabled(), true);
  await page.keyboard.press('j');
  assert.match(await page.locator('.c-queue__item_on').textContent(), /R701/);
  await page.keyboard.press('a');
  await page.locator('#app .c-notice', { hasText: '已通过：' }).waitFor();
  j = await studs[1].client.get('/api/v1/me/journey');
  assert.equal(j.data.step, 'approved');
  await page.getByRole('button', { name: '制作完成' }).click();
  await page.locator('#app .c-notice', { hasText: '已制作完成：' }).waitFor();
  const res = await studs[1].client.get('/api/v1/me/result');
  assert.equal(res.data.final, true);
  await shot(page, 'console-22-review-decided');

  // the page in English: check names follow the switch
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('link', { name: 'Photo review' }).waitFor();
  await page.getByLabel('Too dark').waitFor();
  await shot(page, 'console-23-review-en');
  await page.getByRole('button', { name: '切换到中文' }).click();

  // nothing left to claim
  await page.getByRole('button', { name: '领取下一批' }).click();
  await page.getByText('暂时没有待审核的照片').waitFor();
  assert.deepEqual(problems, []);
});

test('school admin: unlock and reset (reason required, the server\'s refusal shown) from the student list', async (t) => {
  const { page, problems } = await desktop();
  await signIn(page, SCHOOL_ADMIN);
  await view(page, 'school'); // its one school's batches
  await page.goto(`${srv.url}/console/#/batch/${batch.id}`);
  await view(page, 'batch');
  await page.getByText('共 2 人').waitFor();
  await page.getByLabel('搜索姓名或学号').fill(studs[0].no);
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByText('共 1 人').waitFor();
  const row = page.locator('table.c-student-table tbody tr');
  await shot(page, 'console-24-students-actions');

  await row.getByRole('button', { name: '解锁' }).click();
  await page.locator('#app .c-notice', { hasText: `已解锁：${studs[0].name}` }).waitFor();

  await row.getByRole('button', { name: '重置' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  await dlg.getByRole('button', { name: '确认重置' }).click();
  await dlg.locator('.tc-error[data-code="student.reason_required"]').waitFor();
  assert.match(await dlg.locator('.tc-error').textContent(), /请填写重置原因/);
  await shot(page, 'console-25-reset-reason-required');
  await dlg.getByLabel('重置原因（学生会看到）').fill('照片不合格，请重新拍摄');
  await dlg.getByRole('button', { name: '确认重置' }).click();
  if (!rejectTested) {
    // no photo was submitted (the review test was skipped): the server's refusal is shown
    await dlg.locator('.tc-error[data-code="journey.no_submission"]').waitFor();
    assert.match(await dlg.locator('.tc-error').textContent(), /该学生没有已提交的照片/);
    await shot(page, 'console-26-reset-refused');
    await dlg.getByRole('button', { name: '取消' }).click();
    assert.equal(await dlg.isVisible(), false);
    t.diagnostic('a successful reset was not tested: no photo could be submitted (see the review test)');
  } else {
    await page.locator('#app .c-notice', { hasText: `已重置：${studs[0].name}` }).waitFor();
    assert.equal(await dlg.isVisible(), false);
    await shot(page, 'console-26-reset-done');
    const m = await studs[0].client.get('/api/v1/me/messages');
    assert.ok(m.data.messages.some((x) => x.kind === 'reset' && x.body_zh === '照片不合格，请重新拍摄'), 'the student is told why');
    assert.ok(m.data.messages.some((x) => x.kind === 'rejected'));
    const j = await studs[0].client.get('/api/v1/me/journey');
    assert.equal(j.data.shoot.allowed, true, 'the student can shoot again');
  }
  assert.deepEqual(problems, []);
});

// The review page's own behaviour, whatever the automatic checks decide
// today: the queue answer is stubbed in the browser (two items, canned
// checks, the site icon as every picture) and the decisions are captured.
test('reviewer page with a stubbed queue: verdict colours, reasons sent, keys', async () => {
  const { page, problems } = await desktop();
  await signIn(page, REVIEWER);
  const check = (name, verdict, score, zh, en) => ({ code: 'check.' + name, name, verdict, score, zh, en });
  const item = (id, no) => ({
    id, state: 'submitted', submitted_at: 1767225600 + id,
    student: { id, name_masked: '张*' + id, student_no: no, school: '审核测试大学', batch: '审核测试批次', class_name: '1班' },
    photo: { id, standard_url: '/icon.png', original_url: '/icon.png', overlay_url: '/icon.png',
      checks: { checks: [check('light_dark', 'pass', 90, '光线正常', 'Light OK'), check('pose_pitch', 'fail', 20, '头部抬起或低下', 'Head raised'),
        check('ears_visible', 'unknown', 50, '无法判断耳朵', 'Ears unclear')] } },
  });
  const sent = [];
  // 91: an older photo with its PNG overlay; 92: drawing data, painted in the page
  const drawn = item(92, 'S92');
  drawn.photo.overlay_url = '/api/v1/review/photos/t92/overlay.png';
  drawn.photo.overlay_data_url = '/api/v1/review/photos/t92/overlay.json';
  const data = { v: 1, w: 40, h: 30, dim: [3, 4], tone: [0, 1, 2].map((c) => Array.from({ length: 256 }, (_, v) => (c === 0 ? 255 - v : v))),
    palette: { outline: [255, 0, 255], point: [0, 255, 255], pass: [40, 220, 40], unknown: [255, 220, 0], fail: [255, 40, 40] },
    outline: [[5, 2, 3]], points: [10, 10, 39, 29], thick: 2,
    boxes: [{ check: 'check.light_dark', verdict: 'pass', box: [20, 1, 30, 8] }, { check: 'check.pose_pitch', verdict: 'fail', box: [-1, 15, 40, 30] }] };
  await page.route('**/api/v1/review/photos/t92/overlay.json', (r) => r.fulfill({ json: data }));
  // 91 as the server answers for an older photo: no data (404), the PNG
  const older = item(91, 'S91');
  older.photo.overlay_data_url = '/api/v1/review/photos/t91/overlay.json';
  await page.route('**/api/v1/review/photos/t91/overlay.json', (r) => r.fulfill({ status: 404,
    json: { error: { code: 'photo.no_image', zh: '还没有这张图片', en: 'This image is not there (yet)' } } }));
  await page.route('**/api/v1/review/queue', (r) => r.fulfill({ json: { items: [older, drawn] } }));
  await page.route('**/api/v1/review/submissions/*/*', (r) => {
    const [, id, act] = new URL(r.request().url()).pathname.match(/submissions\/(\d+)\/(\w+)/);
    sent.push({ id: Number(id), act, body: r.request().postDataJSON() });
    return r.fulfill({ json: { submission: { id: Number(id), state: act === 'reject' ? 'rejected' : 'approved' } } });
  });
  await page.goto(srv.url + '/console/#/review');
  await view(page, 'review');
  const rows = page.locator('table.c-checks tbody tr');
  assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.dataset.verdict)), ['fail', 'unknown', 'pass']);
  const bg = await rows.evaluateAll((r) => r.map((x) => getComputedStyle(x.cells[0]).backgroundColor));
  assert.notEqual(bg[0], bg[2], 'failed rows are coloured');
  assert.notEqual(bg[1], bg[2], 'unknown rows are coloured');
  await page.waitForFunction(() => {
    const el = document.querySelector('.c-shot_overlay img');
    return el && el.src.endsWith('/icon.png') && el.complete && el.naturalWidth > 0;
  });
  await shot(page, 'console-27-review-stubbed');
  await page.getByLabel('光线过暗').check();
  await page.getByLabel('耳朵未露出').check();
  await page.getByRole('button', { name: '驳回（R）' }).click();
  await page.locator('#app .c-notice', { hasText: '已驳回：' }).waitFor();
  assert.match(await page.locator('.c-queue__item_on').textContent(), /S92/);
  // 92's overlay: painted from the data, pixel for pixel as the server's PNG
  await page.waitForFunction(() => {
    const el = document.querySelector('.c-shot_overlay img');
    return el && el.src.startsWith('blob:') && el.complete && el.naturalWidth > 0;
  });
  const px = await page.evaluate(async () => {
    const read = async (src, w, h) => {
      const im = new Image();
      im.src = src;
      await im.decode();
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      const ctx = c.getContext('2d');
      ctx.drawImage(im, 0, 0, w, h);
      return ctx.getImageData(0, 0, w, h).data;
    };
    const ov = document.querySelector('.c-shot_overlay img');
    const got = await read(ov.src, ov.naturalWidth, ov.naturalHeight), base = await read('/icon.png', 40, 30);
    const at = (a, x, y) => Array.from(a.slice((y * 40 + x) * 4, (y * 40 + x) * 4 + 3));
    const b = at(base, 25, 22);
    return { size: [ov.naturalWidth, ov.naturalHeight], o1: at(got, 2, 5), o2: at(got, 4, 5), o3: at(got, 5, 5),
      pt: at(got, 10, 10), corner: at(got, 39, 29), g1: at(got, 20, 1), g2: at(got, 21, 4), gIn: at(got, 25, 4),
      f1: at(got, 0, 20), f2: at(got, 39, 16), inside: at(got, 25, 22),
      want: [Math.floor(((255 - b[0]) * 3) / 4), Math.floor((b[1] * 3) / 4), Math.floor((b[2] * 3) / 4)] };
  });
  const M = [255, 0, 255], C = [0, 255, 255], G = [40, 220, 40], R = [255, 40, 40];
  assert.deepEqual(px.size, [40, 30]);
  assert.deepEqual([px.o1, px.o2, px.pt, px.corner, px.g1, px.g2, px.f1, px.f2], [M, M, C, R, G, G, R, R], JSON.stringify(px));
  assert.notDeepEqual(px.o3, M);
  assert.notDeepEqual(px.gIn, G);
  assert.deepEqual(px.inside, px.want, 'the original through the tone curve, dimmed to 3/4');
  await shot(page, 'console-28-review-overlay-painted');
  await page.keyboard.press('a');
  await page.locator('#app .c-notice', { hasText: '已通过：' }).waitFor();
  assert.deepEqual(sent, [
    { id: 91, act: 'reject', body: { reasons: ['light_dark', 'ears_visible'], note: '' } },
    { id: 92, act: 'approve', body: {} },
  ]);
  assert.deepEqual(problems, []);
});
