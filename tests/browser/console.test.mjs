// The staff console in a real browser (desktop viewport) on the real server:
// sign-in and the forced password change, schools, batches with their
// 特征码 and QR, roster import (a bad file's error table, then a good file),
// the student list search, staff accounts, and what a school admin sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fakeId } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP, PHONE } from './helpers.mjs';

let srv, demo, browser;
const open = [];
const newSchool = '浏览器测试大学';
let newSchoolId = 0;

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

async function desktop(opts) {
  const p = await newPage(browser, { viewport: DESKTOP, mobile: false, ...opts });
  open.push(p.context);
  return p;
}

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);
const errorBox = (page) => page.locator('#app .tc-error:not([hidden])');
const staff = (role) => demo.staff.find((s) => s.role === role);

const header = '姓名,学号,身份证号,层次,专业,班级,采集码\n';
const csvFile = (name, rows) => ({
  name, mimeType: 'text/csv', buffer: Buffer.from(header + rows.map((r) => r.join(',')).join('\n') + '\n'),
});

async function signIn(page, { username, password }, newPassword) {
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await view(page, 'password');
  await page.getByLabel('原密码').fill(password);
  await page.getByLabel('新密码', { exact: true }).fill(newPassword);
  await page.getByLabel('确认新密码').fill(newPassword);
  await page.getByRole('button', { name: '修改密码' }).click();
}

test('platform admin: forced password change, school, batch, bad then good roster, search, accounts', async () => {
  const admin = staff('platform_admin');
  const { page, problems } = await desktop();
  await page.goto(srv.url + '/console/');
  await view(page, 'login');
  assert.equal(await page.locator('#nav').isHidden(), true, 'no navigation before sign-in');
  await shot(page, 'console-01-login');

  await page.getByLabel('用户名').fill(admin.username);
  await page.getByLabel('密码', { exact: true }).fill('wrong-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#app .tc-error[data-code="auth.bad_credentials"]').waitFor();
  assert.match(await errorBox(page).textContent(), /用户名或密码错误/);
  await shot(page, 'console-02-login-wrong');

  await page.getByLabel('密码', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: '登录' }).click();
  await view(page, 'password');
  await page.getByText('请第一次登录时及时更改密码，由于账户权限涉及到学生信息、个人隐私请妥善保管好账户、密码！').waitFor();
  assert.equal(await page.locator('#nav').isHidden(), true, 'nothing else is offered before the change');
  await shot(page, 'console-03-password');

  // other pages are out of reach until the password is changed
  await page.goto(srv.url + '/console/#/schools');
  await view(page, 'password');

  await page.getByLabel('原密码').fill(admin.password);
  await page.getByLabel('新密码', { exact: true }).fill('short');
  await page.getByLabel('确认新密码').fill('short');
  await page.getByRole('button', { name: '修改密码' }).click();
  await page.locator('#app .tc-error[data-code="password.weak"]').waitFor();
  await shot(page, 'console-04-password-weak');

  const newPw = 'Browser-test-pass-1';
  await page.getByLabel('新密码', { exact: true }).fill(newPw);
  await page.getByLabel('确认新密码').fill(newPw);
  await page.getByRole('button', { name: '修改密码' }).click();
  await view(page, 'schools');
  await page.locator('#nav').getByRole('link', { name: '账号管理' }).waitFor();
  assert.match(await page.locator('#who').textContent(), /平台管理员/);

  // a school
  await page.getByLabel('学校名称').fill(newSchool);
  await page.getByRole('button', { name: '创建' }).click();
  await page.locator('.c-schools').getByRole('link', { name: newSchool }).waitFor();
  assert.ok(await page.locator('.c-schools').getByRole('link', { name: demo.school }).isVisible());
  await shot(page, 'console-05-schools');

  // a batch
  await page.locator('.c-schools').getByRole('link', { name: newSchool }).click();
  await view(page, 'school');
  newSchoolId = Number(new URL(page.url()).hash.split('/')[2]);
  assert.ok(newSchoolId > 0);
  await page.getByText('还没有采集批次').waitFor();
  await page.getByLabel('批次名称').fill('2026届毕业生 浏览器测试');
  await page.getByRole('button', { name: '创建' }).click();
  const row = page.locator('.c-batches tbody tr');
  await row.first().waitFor();
  const code = (await row.locator('td[data-col="code"]').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{6}$/, 'the 特征码 is shown');
  await page.locator('.c-notice').getByText(code, { exact: false }).waitFor();
  const qr = row.locator('img.c-qr-thumb');
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await qr.elementHandle());
  assert.match(await qr.getAttribute('alt'), new RegExp(code));
  await shot(page, 'console-06-batches');

  // the batch page
  await row.getByRole('link', { name: '管理' }).click();
  await view(page, 'batch');
  assert.equal((await page.locator('.c-poster .c-code').textContent()).trim(), code);
  await page.getByText('共 0 人').waitFor();

  // a bad roster: the preview refuses it with the rows in a table
  const good = fakeId(501);
  const badCheck = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
  const fileInput = page.getByLabel('花名册文件');
  await fileInput.setInputFiles(csvFile('bad.csv', [
    ['好学生', 'W001', good, '本科', '数学', '数学2201', 'CODE-WEB-1'],
    ['校验位错', 'W002', badCheck, '本科', '数学', '数学2201', 'CODE-WEB-2'],
    ['', 'W003', fakeId(503), '本科', '数学', '数学2201', 'CODE-WEB-3'],
    ['学号重复', 'W001', fakeId(504), '本科', '数学', '数学2201', 'CODE-WEB-4'],
  ]));
  await page.getByRole('button', { name: '预览' }).click();
  await page.locator('#app .tc-error[data-code="roster.invalid"]').waitFor();
  const errTable = page.locator('table.c-errors');
  await errTable.waitFor();
  const badRows = await errTable.locator('td[data-col="row"]').allTextContents();
  for (const line of ['3', '4', '5']) assert.ok(badRows.includes(line), `row ${line} listed: ${badRows}`);
  await shot(page, 'console-07-roster-errors');
  assert.equal(badRows.length, 4, 'the duplicate is reported on both of its rows: ' + badRows);
  assert.match(await errTable.textContent(), /身份证号/);
  assert.equal(await page.getByRole('button', { name: '确认导入' }).isHidden(), true, 'nothing to import');

  // a good roster: preview, then import
  await fileInput.setInputFiles(csvFile('good.csv', [1, 2, 3].map((i) =>
    [`网页学生${i}`, `W10${i}`, fakeId(510 + i), '本科', '数学', `数学220${i}`, `CODE-WEB-GOOD-${i}`])));
  assert.equal(await page.locator('table.c-errors').count(), 0, 'choosing a new file clears the old report');
  await page.getByRole('button', { name: '预览' }).click();
  await page.getByText('共 3 行，检查通过，可以导入。').waitFor();
  assert.equal(await page.locator('table.c-preview tbody tr').count(), 3);
  await page.getByText('共 0 人').waitFor(); // a preview imports nothing
  await shot(page, 'console-08-roster-preview');
  await page.getByRole('button', { name: '确认导入' }).click();
  await page.getByText('导入完成：共 3 行，新增 3，更新 0。').waitFor();
  await page.getByText('共 3 人').waitFor();
  const students = page.locator('table.c-student-table tbody tr');
  assert.equal(await students.count(), 3);
  assert.match(await students.first().locator('td[data-col="id"]').textContent(), /^\d{3}\*+\w{2}$/, 'ID numbers masked');
  assert.equal(await page.locator('.c-batch-count').textContent(), '3');
  await shot(page, 'console-09-students');

  // search
  await page.getByLabel('搜索姓名或学号').fill('W102');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByText('共 1 人').waitFor();
  assert.equal(await students.count(), 1);
  assert.equal(await students.first().locator('td[data-col="name"]').textContent(), '网页学生2');
  await page.getByLabel('搜索姓名或学号').fill('没有这个人');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByText('没有找到学生').waitFor();
  await page.getByLabel('搜索姓名或学号').fill('网页学生3');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.getByText('共 1 人').waitFor();
  await shot(page, 'console-10-search');

  // staff accounts: a school admin for the new school
  await page.locator('#nav').getByRole('link', { name: '账号管理' }).click();
  await view(page, 'accounts');
  for (const s of demo.staff) await page.locator('.c-accounts').getByRole('cell', { name: s.username, exact: true }).waitFor();
  await page.getByLabel('用户名').fill('webschool');
  await page.locator('form', { has: page.getByLabel('初始密码') }).getByLabel('角色').selectOption('school_admin');
  await page.getByLabel('所属学校').selectOption({ label: newSchool });
  await page.getByLabel('初始密码').fill('Initial-pass-123');
  await page.getByRole('button', { name: '创建' }).click();
  await page.getByText('已创建账号 webschool', { exact: false }).waitFor();
  const acct = page.locator('.c-accounts tbody tr', { hasText: 'webschool' });
  assert.match(await acct.textContent(), new RegExp(`学校管理员.*${newSchool}.*首次登录须改密码`));
  await shot(page, 'console-11-accounts');

  // the same page in English
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.locator('#nav').getByRole('link', { name: 'Staff accounts' }).waitFor();
  assert.match(await acct.textContent(), /School admin.*Must change password/);
  await page.getByText('Account webschool created', { exact: false }).waitFor(); // notices follow too
  await shot(page, 'console-12-accounts-en');
  await page.getByRole('button', { name: '切换到中文' }).click();

  await page.getByRole('button', { name: '退出登录' }).click();
  await view(page, 'login');
  await page.goto(srv.url + '/console/#/accounts');
  await view(page, 'login');
  assert.deepEqual(problems, []);
});

test('school admin: sees only its own school; another school is refused', async () => {
  const { page, problems } = await desktop();
  await signIn(page, staff('school_admin'), 'School-admin-pass-1');
  // one school: straight to its batches, not a one-row list (issue 20, item 9)
  await view(page, 'school');
  assert.equal(new URL(page.url()).hash, `#/school/${demo.school_id}`);
  assert.equal((await page.locator('#app h1').textContent()).trim(), demo.school);
  assert.equal(await page.locator('.c-schools').count(), 0, 'no list of schools');
  assert.equal(await page.locator('#nav').getByRole('link', { name: '账号管理' }).count(), 0, 'no accounts page');
  assert.equal(await page.getByLabel('学校名称').count(), 0, 'cannot create schools');
  await shot(page, 'console-13-school-admin');
  // the 学校 link and the list's address come back to the same page
  await page.goto(`${srv.url}/console/#/schools`);
  await view(page, 'school');
  assert.equal(new URL(page.url()).hash, `#/school/${demo.school_id}`);

  // its own batch works
  await page.locator('.c-batches').getByText(demo.batch.code.toUpperCase()).waitFor();
  // the demo school has a second batch too (a 第二学士学位 record, issue 19 item 2)
  await page.locator('.c-batches tbody tr', { hasText: demo.batch.code.toUpperCase() }).getByRole('link', { name: '管理' }).click();
  await view(page, 'batch');
  await page.getByText(`共 ${demo.students.length} 人`).waitFor();
  // the progress panel's numbers are the server's counts of the same roster
  const allRow = page.locator('table.c-progress-table tbody tr').last();
  assert.equal((await allRow.locator('td[data-col="total"]').textContent()).trim(), String(demo.students.length));
  await page.getByRole('button', { name: '提醒未完成的学生' }).click();
  await page.locator('.c-notice').getByText('已提醒', { exact: false }).waitFor();
  await shot(page, 'console-14a-school-admin-batch');
  // on a phone the page keeps to the screen; the wide table scrolls inside its panel
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `batch page is ${width}px wide on a phone`);
  await shot(page, 'console-14b-school-admin-batch-phone');
  await page.setViewportSize(DESKTOP);

  // typing another school's address shows the server's refusal
  if (newSchoolId) {
    await page.goto(`${srv.url}/console/#/school/${newSchoolId}`);
    await page.locator('#app .tc-error[data-code="auth.other_school"]').waitFor();
    assert.match(await errorBox(page).textContent(), /无权查看其他学校的数据/);
    await shot(page, 'console-14c-school-admin-other-school');
  }
  await page.goto(`${srv.url}/console/#/accounts`);
  await view(page, 'school'); // not offered: back to its home (its school)
  assert.deepEqual(problems, []);
});

test('reviewer: signs in to the start page (queue length, a link to the queue); the console fits a phone', async () => {
  const { page, problems } = await desktop();
  await signIn(page, staff('reviewer'), 'Reviewer-pass-123');
  await view(page, 'welcome');
  await page.locator('[data-stat="queue"]').getByText('待审核照片').waitFor();

  const p2 = await newPage(browser, { viewport: PHONE });
  open.push(p2.context);
  await p2.page.goto(srv.url + '/console/');
  await view(p2.page, 'login');
  const width = await p2.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `login page is ${width}px wide on a phone`);
  await shot(p2.page, 'console-15-login-phone');
  assert.deepEqual(problems, []);
});
