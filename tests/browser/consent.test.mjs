// Consent and erasure in a real browser (issue 19 item 5): the student's
// agreements page on a phone (390x844: both texts readable, the button only
// after both ticks, the refusal of an upload shown in words before, the
// journey going on after), English too; the school console's erase button
// on a desktop (1440x900: the student number typed to confirm, what is kept
// said, the row shown erased).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, enrolStudent } from '../http/lib.mjs';
import path from 'node:path';
import { launch, newPage, shot, PHONE, DESKTOP, SHOTS } from './helpers.mjs';

let srv, browser, admin, school, batch;
const open = [];
const USER = 'ui-consent-admin';
const PASS = 'Init-pass-ui-consent';
let seq = 950;

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  school = (await admin.post('/api/v1/schools', { json: { name: '同意页测试大学' } })).data.school;
  let r = await admin.post('/api/v1/staff/accounts', { json: { username: USER, role: 'school_admin', password: PASS, school_id: school.id } });
  assert.equal(r.status, 201, r.text);
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '0531-8888 0000', wechat: 'photo_office', hours: '周一至周五 9:00–17:00' } });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '2027届 同意', settings: { retention_days: 60 } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

async function phoneFor(c, locale) {
  const p = await newPage(browser, { viewport: PHONE, locale });
  open.push(p.context);
  const u = new URL(srv.url);
  await p.context.addCookies([...c.jar].map(([name, value]) => ({ name, value, domain: u.hostname, path: '/', httpOnly: name === 'tc_sid' })));
  return p;
}

test('the student reads and accepts the agreements before any photo (390x844)', { timeout: 120000 }, async () => {
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'UICONSENT', name: '同意', no: 'U', consent: false });
  // the upload is refused in words while the agreements are not accepted
  const j = (await c.get('/api/v1/me/journey')).data;
  assert.equal(j.step, 'consent');
  assert.equal(j.shoot.reason.code, 'journey.consent_required');
  const { page, problems } = await phoneFor(c);
  await page.goto(srv.url + '/#/journey');
  await view(page, 'consent');
  const privacy = page.locator('.tc-legal_privacy');
  await privacy.getByText('隐私政策（第 1 版）').waitFor();
  const text = await privacy.textContent();
  // the school's own retention days and contact are in the text
  assert.match(text, /批次结束 60 天后/);
  assert.match(text, /0531-8888 0000/);
  assert.match(text, /同意页测试大学/);
  assert.doesNotMatch(text, /\{\w+\}/, 'no placeholder left');
  assert.match(await page.locator('.tc-legal_terms').textContent(), /图采服务协议（第 1 版）/);
  const accept = page.getByRole('button', { name: '同意并继续' });
  assert.equal(await accept.isDisabled(), true);
  await page.getByText('我已阅读并同意《服务协议》和《隐私政策》').click();
  assert.equal(await accept.isDisabled(), true, 'the face-photo consent is separate');
  await page.getByText('我单独同意为制作毕业照片处理我的人脸照片（敏感个人信息）').click();
  assert.equal(await accept.isDisabled(), false);
  await shot(page, 'consent-01-agreements');
  // the privacy text scrolled to its retention paragraph
  await privacy.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await shot(page, 'consent-02-privacy-end');
  // shooting before accepting (the 选择拍摄方式 page) shows the refusal in words
  await page.goto(srv.url + '/#/shoot');
  await view(page, 'shoot');
  await page.getByText('请先阅读并同意《服务协议》和《隐私政策》', { exact: false }).first().waitFor();
  await shot(page, 'consent-03-shoot-refused');
  await page.goto(srv.url + '/#/consent');
  await view(page, 'consent');
  await page.getByText('我已阅读并同意《服务协议》和《隐私政策》').click();
  await page.getByText('我单独同意为制作毕业照片处理我的人脸照片（敏感个人信息）').click();
  await page.getByRole('button', { name: '同意并继续' }).click();
  await view(page, 'notice');
  assert.equal((await c.get('/api/v1/me/journey')).data.consent.accepted, true);
  // 我的 keeps the texts readable; accepted, the page says so and asks nothing
  await page.goto(srv.url + '/#/mine');
  await view(page, 'mine');
  await page.getByRole('link', { name: '服务协议与隐私政策' }).click();
  await view(page, 'consent');
  await page.locator('.tc-consent-done').waitFor();
  assert.equal(await page.getByRole('button', { name: '同意并继续' }).count(), 0);
  assert.deepEqual(problems, []);
});

test('the agreements in English', { timeout: 60000 }, async () => {
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'UICONSENT', name: '英文', no: 'U', consent: false });
  const { page, problems } = await phoneFor(c, 'en-US');
  await page.addInitScript(() => localStorage.setItem('tc_lang', 'en'));
  await page.goto(srv.url + '/#/consent');
  await view(page, 'consent');
  await page.locator('.tc-legal_privacy').getByText('Privacy policy (version 1)').waitFor();
  assert.match(await page.locator('.tc-legal_privacy').textContent(), /60 days after the batch closes/);
  await page.getByRole('button', { name: 'Accept and continue' }).waitFor();
  await shot(page, 'consent-04-english');
  assert.deepEqual(problems, []);
});

test('the school admin erases one student\'s personal data from the console (1440x900)', { timeout: 120000 }, async () => {
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'UICONSENT', name: '删除', no: 'DEL' });
  const no = `DEL${seq - 1}`;
  const { context, page, problems } = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(context);
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(USER);
  await page.getByLabel('密码', { exact: true }).fill(PASS);
  await page.getByRole('button', { name: '登录' }).click();
  await view(page, 'password');
  await page.getByLabel('原密码').fill(PASS);
  await page.getByLabel('新密码', { exact: true }).fill('Consent-forms-pass-1');
  await page.getByLabel('确认新密码').fill('Consent-forms-pass-1');
  await page.getByRole('button', { name: '修改密码' }).click();
  await view(page, 'school');
  await page.getByRole('link', { name: '2027届 同意' }).first().click();
  await view(page, 'batch');
  const rowOf = page.locator('.c-student-table tr', { hasText: no });
  await rowOf.waitFor();
  await rowOf.getByRole('button', { name: `删除 删除${seq - 1} 的个人信息` }).click();
  const dlg = page.locator('dialog.c-erase-dialog');
  await dlg.waitFor();
  assert.match(await dlg.textContent(), /将保留：订单和付款记录/);
  const go = dlg.getByRole('button', { name: '永久删除' });
  await dlg.getByLabel('学号').fill(no.slice(0, -1));
  assert.equal(await go.isDisabled(), true, 'only the exact student number enables it');
  await dlg.getByLabel('学号').fill(no);
  assert.equal(await go.isDisabled(), false);
  // the modal as the admin sees it (the viewport, not the whole page)
  await page.screenshot({ path: path.join(SHOTS, 'consent-05-console-erase.png') });
  await go.click();
  await page.locator('.c-notice', { hasText: '依法保留订单 0 笔' }).waitFor();
  await page.locator('.c-student-table .c-state_erased').first().waitFor();
  await shot(page, 'consent-06-console-erased');
  assert.equal((await c.get('/api/v1/me')).status, 401, 'the student was signed out');
  assert.deepEqual(problems, []);
});
