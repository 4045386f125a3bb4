// The 成片 and the student's 校对 (issue 19 item 6) in a real browser on the
// real server: production accepts the automatic photo on its page (1440x900);
// the student, on the result page (390x844), asks for a correction with a
// reason (an empty one is refused on the page); production sees the reason
// and uploads a retouched file (a wrong size and a file without a face are
// refused first); the student confirms.  Screenshots of both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, acceptConsent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP, PHONE } from './helpers.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits (TC_TESTDATA) and the models';
const ALL_CHECKS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur', 'resolution',
  'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry', 'clothing_colour',
  'recapture', 'retouch', 'duplicate'];
const REVIEWER = 'web-fp-rev';

let srv, admin, browser, batch, student;
const open = [];

before(async () => {
  if (noPhotos) return;
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/staff/accounts', { json: { username: REVIEWER, role: 'reviewer', password: 'Init-pass-' + REVIEWER } });
  assert.equal(r.status, 201, r.text);
  await new Client(srv.url).staffLogin(REVIEWER, 'Init-pass-' + REVIEWER);
  r = await admin.post('/api/v1/schools', { json: { name: '校对测试大学' } });
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: '校对批次', settings: { checks: { disabled: ALL_CHECKS } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  const csv = '姓名,学号,身份证号,班级,采集码\n' + `校对同学,P950,${fakeId(950)},1班,CHSI-PROOF-950\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  student = new Client(srv.url);
  await student.csrf();
  r = await student.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-PROOF-950', id_last4: fakeId(950).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  await student.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  await acceptConsent(student);
  for (const step of ['notice/read', 'tips/read', 'tutorial/done']) await student.post('/api/v1/me/' + step);
  await student.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } });
  browser = await launch();
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

test('成片 and 校对: production accepts, the student asks for a correction, production uploads a retouched file, the student confirms', { skip: noPhotos, timeout: 600000 }, async () => {
  // a photo, submitted and approved over the API
  let r = await student.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  let ph;
  for (let i = 0; i < 1200; i++) {
    ph = (await student.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (ph.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(ph.state, 'draft');
  assert.equal((await student.post('/api/v1/me/submission', { json: { photo_id: ph.id } })).status, 200);
  const rev = new Client(srv.url);
  await rev.staffLogin(REVIEWER, 'N3w-password-' + REVIEWER);
  const ids = (await rev.get('/api/v1/review/queue')).data.items.map((x) => x.id);
  assert.equal((await rev.post('/api/v1/review/approve', { json: { ids } })).data.approved, 1);

  // production's page: the row, its photo, accept the automatic one
  const desk = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(desk.context);
  const { page } = desk;
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(REVIEWER);
  await page.getByLabel('密码', { exact: true }).fill('N3w-password-' + REVIEWER);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForSelector('#app[aria-busy="false"]:not([data-view="login"])');
  await page.locator('#nav').getByRole('link', { name: '成片制作' }).click();
  await view(page, 'production');
  const row = page.locator('table.c-prod tbody tr');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /待制作/);
  await page.getByRole('button', { name: '采用自动照片' }).click();
  await page.locator('#app .c-notice', { hasText: '已采用自动照片：校对同学' }).waitFor();
  await page.getByText('没有待制作的照片').waitFor();

  // the student: the 成片 to check; an empty reason is refused, then a reason sent
  const phone = await newPage(browser, { viewport: PHONE });
  open.push(phone.context);
  const u = new URL(srv.url);
  await phone.context.addCookies([...student.jar].map(([name, value]) => ({ name, value, domain: u.hostname, path: '/', httpOnly: name === 'tc_sid' })));
  const sp = phone.page;
  await sp.goto(srv.url + '/#/result');
  await view(sp, 'result');
  await sp.locator('.tc-proofing[data-final-state="ready"]').waitFor();
  assert.equal(await sp.locator('.tc-proofing .tc-final-state').textContent(), '请核对成片');
  assert.equal(await sp.locator('.tc-proof-mark').count(), 0, 'the 成片, not the watermarked proof');
  await sp.waitForFunction(() => [...document.querySelectorAll('.tc-result-fig__img')].every((i) => i.complete && i.naturalWidth > 0));
  await shot(sp, 'proofing-01-student-ready');
  // in English too, no Chinese state word left behind
  await sp.getByRole('button', { name: 'Switch to English' }).click();
  await sp.getByRole('button', { name: 'Ask for a correction' }).waitFor();
  assert.equal(await sp.locator('.tc-proofing .tc-final-state').textContent(), 'Please check');
  assert.doesNotMatch(await sp.locator('.tc-proofing').textContent(), /[\u4e00-\u9fff]/);
  await shot(sp, 'proofing-01b-student-ready-english');
  await sp.getByRole('button', { name: '切换到中文' }).click();
  await sp.getByRole('button', { name: '申请修改' }).waitFor();
  await sp.getByRole('button', { name: '申请修改' }).click();
  await sp.getByRole('button', { name: '提交修改申请' }).click();
  await sp.locator('.tc-proofing .tc-error', { hasText: '请写明需要修改的地方' }).waitFor();
  await sp.getByLabel('需要修改的地方').fill('背景边缘有白边，请修掉');
  await shot(sp, 'proofing-02-student-correction-form');
  // the page is drawn again (as a live event does): the reason being written is kept
  await sp.evaluate(() => { location.hash = '#/home'; });
  await view(sp, 'home');
  await sp.evaluate(() => { location.hash = '#/result'; });
  await view(sp, 'result');
  assert.equal(await sp.getByLabel('需要修改的地方').inputValue(), '背景边缘有白边，请修掉');
  await sp.getByRole('button', { name: '提交修改申请' }).click();
  await sp.locator('.tc-proofing[data-final-state="correction"]').waitFor();
  assert.match(await sp.locator('.tc-proofing').textContent(), /修改中.*背景边缘有白边，请修掉/s);
  assert.deepEqual(phone.problems, []);

  // production sees the reason and uploads a retouched file (here: the standard photo itself)
  await page.reload();
  await view(page, 'production');
  await page.locator('.c-prod__reason', { hasText: '背景边缘有白边，请修掉' }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.c-prod__img')].every((i) => i.complete && i.naturalWidth > 0));
  await shot(page, 'proofing-03-production-correction');
  const stdUrl = (await rev.get('/api/v1/review/production')).data.items[0].standard_url;
  const res = await fetch(srv.url + stdUrl, { headers: { cookie: rev.cookieHeader() } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tc-proof-'));
  try {
    const file = path.join(dir, 'retouched.jpg');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    // a wrong file first: refused with the catalogue's words
    await page.locator('.c-prod__file').setInputFiles(GOOD);
    await page.getByRole('button', { name: '上传修图' }).click();
    await page.locator('#app .c-error, #app [role="alert"]', { hasText: '成片尺寸应为 480×640 像素' }).first().waitFor();
    // the spec's size and KB range but no face (drawn by the browser's own JPEG encoder): refused
    const noFace = Buffer.from(await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 480; c.height = 640;
      const g = c.getContext('2d');
      const img = g.createImageData(480, 640);
      let x = 12345;
      for (let i = 0; i < img.data.length; i += 4) {
        x = (x * 1103515245 + 12345) >>> 0;
        const n = (x >>> 24) & 63;
        img.data[i] = 60 + n; img.data[i + 1] = 140 + n; img.data[i + 2] = 200 + (n >> 1); img.data[i + 3] = 255;
      }
      g.putImageData(img, 0, 0);
      return c.toDataURL('image/jpeg', 0.9).split(',')[1];
    }), 'base64');
    assert.ok(noFace.length > 20 * 1024 && noFace.length < 200 * 1024, `no-face file ${noFace.length} bytes`);
    const nf = await rev.post(`/api/v1/review/submissions/${(await rev.get('/api/v1/review/production')).data.items[0].id}/final/upload`,
      { form: fileForm({ photo: { bytes: noFace, name: 'noface.jpg', type: 'image/jpeg' } }) });
    assert.equal(nf.status, 400, nf.text);
    assert.equal(nf.data.error.code, 'final.no_face');
    await page.locator('.c-prod__file').setInputFiles(file);
    await page.getByRole('button', { name: '上传修图' }).click();
    await page.locator('#app .c-notice', { hasText: '已上传修图：校对同学' }).waitFor();
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.deepEqual(desk.problems, []);

  // the student confirms
  await sp.goto(srv.url + '/#/home');
  await sp.goto(srv.url + '/#/result');
  await view(sp, 'result');
  await sp.locator('.tc-proofing[data-final-state="ready"]').waitFor();
  await sp.getByRole('button', { name: '确认无误' }).click();
  await sp.getByRole('dialog').getByRole('button', { name: '确认无误' }).click();
  await sp.locator('.tc-proofing[data-final-state="confirmed"]').waitFor();
  assert.equal(await sp.locator('.tc-proofing .tc-final-state').textContent(), '已确认');
  await shot(sp, 'proofing-04-student-confirmed');
  await sp.goto(srv.url + '/#/home');
  await sp.locator('.tc-record__final[data-final-state="confirmed"]', { hasText: '成片：已确认' }).waitFor();
  assert.deepEqual(phone.problems, []);
  assert.equal((await admin.get(`/api/v1/batches/${batch.id}/photos/plan?confirmed=1`)).data.photos, 1);
});
