// The student app in a real browser (Debian chromium, phone viewport), on the
// real server with the demo data: both entry paths, the information check,
// the records page, the errors students meet, and the language switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, ROOT, Client, fileForm, qrPng } from '../http/lib.mjs';
import { launch, newPage, shot, PHONE } from './helpers.mjs';

let srv, demo, browser;
const open = []; // contexts to close in after()

before(async () => {
  srv = await startServer();
  demo = srv.demo;
  browser = await launch();
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function phone(opts) {
  const p = await newPage(browser, { viewport: PHONE, ...opts });
  open.push(p.context);
  return p;
}

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

// Entry (a): the 采集码 picture, then the last 4 the page asks once the
// server has recognised it (seed 003).
async function qrEntry(page, st, shotName) {
  await page.locator('#app input[type=file]').setInputFiles(st.qr_png);
  await page.getByText('已识别采集码', { exact: false }).waitFor();
  if (shotName) await shot(page, shotName);
  await page.getByLabel('身份证后4位').fill(st.id_last4);
  await page.getByRole('button', { name: '下一步' }).click();
}
const errorBox = (page) => page.locator('#app .tc-error:not([hidden])');

test('entry (a): upload the 采集码 screenshot, check the details, give the phone, see the record', async () => {
  const st = demo.students[1]; // 吴小兰
  const { page, problems } = await phone();
  await page.goto(srv.url + '/');
  await view(page, 'entry');
  assert.equal(await page.title(), '获取采集资格 · 图像采集');
  const input = page.locator('#app input[type=file]');
  assert.equal(await input.getAttribute('accept'), 'image/*');
  assert.equal(await input.getAttribute('capture'), null, 'no capture: the album must be allowed');
  await assert.doesNotReject(page.getByText('如何获取学信网图像采集码？').waitFor());
  await shot(page, 'student-01-entry-qr');

  // the help text opens in place
  await page.getByText('如何获取学信网图像采集码？').click();
  await page.getByText('学信档案', { exact: false }).first().waitFor();
  await shot(page, 'student-02-entry-help');

  await qrEntry(page, st, 'student-02b-entry-qr-last4');
  await view(page, 'confirm');
  // the student's own name in full on 信息核对 (masked only where others may look)
  await page.getByText('吴小兰', { exact: true }).waitFor();
  await page.getByText(st.student_no, { exact: true }).waitFor();
  await page.getByText(demo.school, { exact: true }).waitFor();
  const warning = page.locator('.tc-warning');
  assert.match(await warning.textContent(), /请核实确认本人信息，使用他人信息进行采集的自行承担相应责任/);
  assert.equal(await warning.evaluate((el) => getComputedStyle(el).color), 'rgb(250, 81, 81)', 'the warning is red');
  assert.equal(await page.locator('#page-title').textContent(), '信息核对');
  await shot(page, 'student-03-confirm');

  // 返回 goes back to the entry; the same screenshot can be chosen again
  await page.getByRole('button', { name: '返回' }).click();
  await view(page, 'entry');
  await qrEntry(page, st);
  await view(page, 'confirm');

  // a wrong phone number is refused on the page, with the reason announced
  const phoneInput = page.getByLabel('手机号');
  await phoneInput.fill('12345');
  await page.getByRole('button', { name: '确认进入' }).click();
  await errorBox(page).waitFor();
  assert.match(await errorBox(page).textContent(), /11位/);
  assert.equal(await errorBox(page).getAttribute('role'), 'alert');
  await shot(page, 'student-04-confirm-bad-phone');

  await phoneInput.fill('13800138000');
  await page.getByRole('button', { name: '确认进入' }).click();
  await view(page, 'home');
  const card = page.locator('.tc-record');
  assert.equal(await card.count(), 1);
  assert.match(await card.textContent(), /吴\*兰/);
  assert.match(await card.textContent(), new RegExp(st.student_no));
  assert.equal(await card.locator('.tc-state').textContent(), '已验证');
  await page.getByRole('link', { name: '添加学历' }).waitFor();
  await page.waitForSelector('#toast[hidden]', { state: 'attached' }); // the toast has gone
  await shot(page, 'student-05-home');

  // the session survives a reload (the page asks /api/v1/me)
  await page.reload();
  await view(page, 'home');
  assert.equal(await page.locator('.tc-record').count(), 1);

  // sign out returns to the entry page, and home is no longer reachable
  await page.getByRole('button', { name: '退出登录' }).click();
  await view(page, 'entry');
  await page.goto(srv.url + '/#/home');
  await view(page, 'entry');
  assert.deepEqual(problems, []);
});

test('entry (a): a picture without a QR code is refused with a clear message', async () => {
  const { page, problems } = await phone();
  await page.goto(srv.url + '/');
  await view(page, 'entry');
  await page.locator('#app input[type=file]').setInputFiles(path.join(ROOT, 'web/student/icon.png'));
  await errorBox(page).waitFor();
  assert.equal(await errorBox(page).getAttribute('data-code'), 'qr.not_found');
  assert.match(await errorBox(page).textContent(), /未识别到二维码/);
  await shot(page, 'student-06-entry-qr-not-found');
  assert.deepEqual(problems, []);
});

test('entry (b): the batch poster link fills the 特征码; a wrong last 4 shows attempts left; the bracket student gets in', async () => {
  const st = demo.students.find((s) => s.id_last4 === '56(7)');
  assert.ok(st, 'the demo has a student whose ID ends in a bracket');
  const { page, problems } = await phone();
  await page.goto(`${srv.url}/?batch=${demo.batch.code}`);
  await view(page, 'entry');
  const fc = page.getByLabel('特征码');
  assert.equal((await fc.inputValue()).toLowerCase(), demo.batch.code.toLowerCase(), 'prefilled from ?batch=');
  await page.getByText('如证件号码中有括号，一个完整的括号算2位，使用英文输入法', { exact: false }).waitFor();
  await shot(page, 'student-07-entry-code');

  // nothing chosen yet: the page says what is missing before asking the server
  await page.getByLabel('身份证后4位').fill('56(7)');
  await page.getByRole('button', { name: '下一步' }).click();
  await errorBox(page).waitFor();
  assert.match(await errorBox(page).textContent(), /请填写姓名，或上传学信网图像采集码/);

  await page.getByLabel('身份证后4位').fill('1234');
  await page.locator('#app input[type=file]').setInputFiles(st.qr_png);
  await page.getByText('已选择：', { exact: false }).waitFor();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#app .tc-error[data-code="entry.last4_wrong"]').waitFor();
  assert.match(await errorBox(page).textContent(), /身份证号后4位不正确，还可尝试 4 次/);
  await shot(page, 'student-08-entry-code-wrong-last4');

  // full-width brackets from a Chinese keyboard are accepted too
  await page.getByLabel('身份证后4位').fill('56（7）');
  await page.getByRole('button', { name: '下一步' }).click();
  await view(page, 'confirm');
  await page.getByText(st.student_no, { exact: true }).waitFor();
  await page.getByLabel('手机号').fill('13900139000');
  await page.getByRole('button', { name: '确认进入' }).click();
  await view(page, 'home');
  assert.match(await page.locator('.tc-record').textContent(), new RegExp(st.student_no));

  // 添加学历 with someone else's 采集码 is refused, and says why
  const other = demo.students[2];
  await page.getByRole('link', { name: '添加学历' }).click();
  await view(page, 'add');
  await page.getByLabel('特征码').fill(demo.batch.code);
  await page.getByLabel('身份证后4位').fill(other.id_last4);
  await page.locator('#app input[type=file]').setInputFiles(other.qr_png);
  await shot(page, 'student-09-add-record');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#app .tc-error[data-code="entry.other_person"]').waitFor();
  assert.match(await errorBox(page).textContent(), /属于其他人/);
  await shot(page, 'student-10-add-record-other-person');
  assert.deepEqual(problems, []);
});

test('添加学历: a signed-in student adds a second record (graduate school) and sees both', async () => {
  const st = demo.students[0];
  // the graduate school's roster holds the same person (same ID number)
  const admin = new Client(srv.url);
  await admin.staffLogin(demo.staff[0].username, demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '研究生院 Graduate School' } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: '2026届研究生' } });
  const batch = r.data.batch;
  const csv = `姓名,学号,身份证号,层次,专业,班级,采集码\n${st.name},G2026001,${st.id_number},硕士,软件工程,研1班,CODE-GRAD-WEB\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'grad.csv' } }) });
  assert.equal(r.status, 200, r.text);

  const { page, problems } = await phone();
  await page.goto(srv.url + '/');
  await view(page, 'entry');
  await qrEntry(page, st);
  await view(page, 'confirm');
  await page.getByLabel('手机号').fill('13700137000');
  await page.getByRole('button', { name: '确认进入' }).click();
  await view(page, 'home');
  assert.equal(await page.locator('.tc-record').count(), 1);

  // the graduate batch's poster link while signed in goes straight to 添加学历
  await page.goto(`${srv.url}/?batch=${batch.code}`);
  await view(page, 'add');
  assert.equal((await page.getByLabel('特征码').inputValue()).toLowerCase(), batch.code);
  await page.getByLabel('身份证后4位').fill(st.id_last4);
  // this 采集码 is only in the roster (no image): a QR made the way CHSI would
  const png = qrPng('CODE-GRAD-WEB', path.join(srv.dataDir, 'grad-qr.png')); // removed with the server's data
  await page.locator('#app input[type=file]').setInputFiles(png);
  await page.getByRole('button', { name: '下一步' }).click();
  await view(page, 'home');
  const cards = page.locator('.tc-record');
  assert.equal(await cards.count(), 2);
  assert.match(await page.locator('.tc-records').textContent(), /G2026001.*研究生院|研究生院.*G2026001/s);
  await page.waitForSelector('#toast[hidden]', { state: 'attached' }); // the toast has gone
  await shot(page, 'student-10b-home-two-records');
  assert.deepEqual(problems, []);
});

test('entry (b): too many wrong last 4 lock the entry and say until when', async () => {
  const st = demo.students[3];
  const wrong = st.id_last4 === '0000' ? '1111' : '0000';
  const { page } = await phone();
  await page.goto(`${srv.url}/?batch=${demo.batch.code}`);
  await view(page, 'entry');
  await page.locator('#app input[type=file]').setInputFiles(st.qr_png);
  await page.getByLabel('身份证后4位').fill(wrong);
  for (let i = 0; i < 5; i++) {
    await page.getByRole('button', { name: '下一步' }).click();
    await page.waitForFunction((n) => {
      const e = document.querySelector('#app .tc-error');
      return e && !e.hidden && (e.textContent.includes(`还可尝试 ${n} 次`) || e.dataset.code === 'entry.locked');
    }, 4 - i);
  }
  const box = page.locator('#app .tc-error[data-code="entry.locked"]');
  await box.waitFor();
  assert.match(await box.textContent(), /请于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 后再试/);
  await shot(page, 'student-11-entry-locked');
});

test('the language switch turns the texts to English, is remembered, and relabels errors on screen', async () => {
  const { page, problems } = await phone();
  await page.goto(srv.url + '/#/entry/code');
  await view(page, 'entry');
  await page.getByLabel('身份证后4位').fill('12');
  await page.getByRole('button', { name: '下一步' }).click(); // no batch code: an error on screen
  await errorBox(page).waitFor();
  assert.match(await errorBox(page).textContent(), /请输入6位特征码/);

  await page.getByRole('button', { name: 'Switch to English' }).click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#page-title').textContent(), 'Get started');
  await page.getByRole('button', { name: 'Next' }).waitFor();
  await page.getByRole('link', { name: 'Collection code' }).waitFor();
  assert.match(await errorBox(page).textContent(), /Enter the 6-character batch code/);
  assert.equal(await page.getByLabel('Last 4 of ID').inputValue(), '12', 'what was typed stays');
  await shot(page, 'student-12-english');

  await page.reload();
  await view(page, 'entry');
  assert.equal(await page.locator('#page-title').textContent(), 'Get started', 'remembered');
  await page.getByText('How do I get my CHSI image-collection code?').waitFor();

  await page.getByRole('button', { name: '切换到中文' }).click();
  assert.equal(await page.locator('#page-title').textContent(), '获取采集资格');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.deepEqual(problems, []);
});

test('readable at 360 px: nothing wider than the screen, buttons WeChat green', async () => {
  const { page } = await phone({ viewport: { width: 360, height: 740 } });
  for (const hash of ['#/entry/qr', '#/entry/code']) {
    await page.goto(srv.url + '/' + hash);
    await view(page, 'entry');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${hash} is ${width}px wide`);
  }
  const bg = await page.locator('#app .weui-btn_primary').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(7, 193, 96)');
  const size = await page.getByLabel('特征码').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 16, 'inputs at 16px or more (no zoom-in on focus, readable)');
  await shot(page, 'student-13-entry-code-360');
});
