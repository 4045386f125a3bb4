// Issue 19 item 1 in a real browser (phone viewport): a roster without
// 采集码, the student enters with the batch's 特征码 + name + last four,
// checks the details, is asked for the code right away, puts it off, sees
// on home that it is missing, is refused a code another record holds (in
// words, never a code), binds its own by the QR picture, and 确认上传 would
// have sent it here first.  zh and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, Client, fileForm, fakeId, qrPng } from '../http/lib.mjs';
import { launch, newPage, shot, PHONE, DESKTOP } from './helpers.mjs';

let srv, demo, browser, tmp, staff;
const open = [];

before(async () => {
  srv = await startServer();
  demo = srv.demo;
  browser = await launch();
  tmp = mkdtempSync(path.join(tmpdir(), 'tucai-chsi-b-'));
  staff = new Client(srv.url);
  await staff.staffLogin(demo.staff[0].username, demo.staff[0].password);
  // rows without a code, into the demo batch
  const csv = '姓名,学号,身份证号,班级,采集码\n' +
    `林无码,BX01,${fakeId(801)},1班,\n` + `陈无码,BX02,${fakeId(802)},1班,\n`;
  const r = await staff.post(`/api/v1/batches/${demo.batch.id}/roster`,
    { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);
// the toast (验证成功, 采集码已绑定) fades after 1.8 s: shots wait for it
const settle = (page) => page.waitForSelector('#toast[hidden]', { state: 'attached', timeout: 5000 });
const errorBox = (page) => page.locator('#app .tc-error:not([hidden])');
// what the student reads never holds a raw code (an error code or a 采集码)
async function noRawCode(page) {
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\b(entry|chsi|journey|qr)\.[a-z_]+\b/, text);
  assert.doesNotMatch(text, /CHSI-[A-Z]+-\d+/, text);
}

test('entry without a code: 特征码 + name + last four, then bind the 采集码 (put off, refused, bound)', async () => {
  const { page, context, problems } = await newPage(browser, { viewport: PHONE });
  open.push(context);
  await page.goto(`${srv.url}/?batch=${demo.batch.code}`);
  await view(page, 'entry');
  await page.getByText('学校名单中没有您的采集码时，填写姓名即可', { exact: false }).waitFor();
  // a wrong name: one answer that does not say which of the two was wrong
  await page.getByLabel('姓名').fill('林有码');
  await page.getByLabel('身份证后4位').fill(fakeId(801).slice(-4));
  await page.getByRole('button', { name: '下一步' }).click();
  await errorBox(page).waitFor();
  assert.match(await errorBox(page).textContent(), /姓名或身份证号后4位不正确/);
  await noRawCode(page);
  await shot(page, 'chsi-01-entry-name-wrong');

  await page.getByLabel('姓名').fill('林无码');
  await page.getByRole('button', { name: '下一步' }).click();
  await view(page, 'confirm');
  await page.getByText('林无码', { exact: true }).waitFor();
  await page.getByLabel('手机号').fill('13900139001');
  await page.getByRole('button', { name: '确认进入' }).click();

  // asked for the code right after the information check
  await view(page, 'chsi');
  assert.equal(await page.locator('#page-title').textContent(), '绑定采集码');
  await page.getByText('照片将连同学信网图像采集码一起报送学信网', { exact: false }).waitFor();
  await noRawCode(page);
  await settle(page);
  await shot(page, 'chsi-02-bind');

  // put off: home says what is missing
  await page.getByRole('link', { name: '稍后绑定' }).click();
  await view(page, 'home');
  const missing = page.locator('.tc-chsi-missing');
  await missing.waitFor();
  assert.match(await missing.textContent(), /尚未绑定学信网图像采集码/);
  await settle(page);
  await shot(page, 'chsi-03-home-missing');

  // a code another record holds (a demo student's): refused in words
  await page.getByRole('link', { name: '绑定采集码' }).click();
  await view(page, 'chsi');
  await page.getByLabel('采集码', { exact: true }).fill(demo.students[0].chsi_code);
  await page.getByRole('button', { name: '绑定' }).click();
  await page.locator('#app .tc-error[data-code="chsi.taken"]').waitFor();
  assert.match(await errorBox(page).textContent(), /该图像采集码已绑定在另一条学生记录上/);
  await noRawCode(page);
  await settle(page);
  await shot(page, 'chsi-04-bind-taken');

  // its own code, by the QR picture
  const png = qrPng('CHSI-LIN-801', path.join(tmp, 'lin.png'));
  await page.locator('#app input[type=file]').setInputFiles(png);
  await view(page, 'home');
  assert.equal(await page.locator('.tc-chsi-missing').count(), 0, 'bound: nothing missing on home');
  await noRawCode(page);
  await settle(page);
  await shot(page, 'chsi-05-home-bound');
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).records[0]);
  assert.equal(me.chsi_bound, true);
  assert.deepEqual(problems, []);
});

test('English: the bind page and its refusals', async () => {
  const { page, context, problems } = await newPage(browser, { viewport: PHONE, locale: 'en-US' });
  open.push(context);
  await page.goto(`${srv.url}/?batch=${demo.batch.code}`);
  await view(page, 'entry');
  if (await page.getByRole('button', { name: 'Switch to English' }).count()) await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByLabel('Name').fill('陈无码');
  await page.getByLabel('Last 4 of ID').fill(fakeId(802).slice(-4));
  await page.getByRole('button', { name: 'Next' }).click();
  await view(page, 'confirm');
  await page.getByLabel('Mobile').fill('13900139002');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await view(page, 'chsi');
  await page.getByText('Your photo goes to CHSI together with your image-collection code', { exact: false }).waitFor();
  await page.getByLabel('Code', { exact: true }).fill('has space');
  await page.getByRole('button', { name: 'Bind', exact: true }).click();
  await page.locator('#app .tc-error[data-code="chsi.bad_code"]').waitFor();
  assert.match(await errorBox(page).textContent(), /This is not a CHSI image-collection code/);
  await noRawCode(page);
  await settle(page);
  await shot(page, 'chsi-06-bind-en');
  assert.deepEqual(problems, []);
});

test('console: the roster says where each 采集码 came from; the school admin clears a wrong one', async () => {
  const sa = demo.staff.find((x) => x.role === 'school_admin');
  await new Client(srv.url).staffLogin(sa.username, sa.password); // past the forced password change
  const { page, context, problems } = await newPage(browser, { viewport: DESKTOP, mobile: false });
  open.push(context);
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(sa.username);
  await page.getByLabel('密码', { exact: true }).fill('N3w-password-' + sa.username);
  await page.getByRole('button', { name: '登录' }).click();
  await view(page, 'school');
  await page.locator('.c-batches').getByRole('link', { name: demo.batch.name }).click();
  await view(page, 'batch');
  const row = (no) => page.locator('table.c-student-table tbody tr', { has: page.locator('td[data-col="student_no"]', { hasText: no }) });
  await row('BX01').waitFor();
  assert.equal((await row('BX01').locator('td[data-col="chsi"]').textContent()).trim(), '学生已绑定');
  assert.equal((await row('BX02').locator('td[data-col="chsi"]').textContent()).trim(), '未绑定');
  assert.equal((await row(demo.students[0].student_no).locator('td[data-col="chsi"]').textContent()).trim(), '名单导入');
  assert.equal(await row('BX02').locator('button', { hasText: '清除采集码' }).count(), 0, 'nothing to clear');
  await shot(page, 'chsi-07-console-roster');
  page.once('dialog', (d) => d.accept());
  await row('BX01').getByRole('button', { name: '清除 林无码 的采集码' }).click();
  await page.getByText('已清除采集码：林无码', { exact: false }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('table.c-student-table tbody tr')]
    .some((tr) => tr.textContent.includes('BX01') && tr.querySelector('td[data-col="chsi"]').textContent.trim() === '未绑定'));
  await shot(page, 'chsi-08-console-cleared');
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /CHSI-LIN-801|chsi\.[a-z_]+/, 'no code shown');
  assert.deepEqual(problems, []);
});
