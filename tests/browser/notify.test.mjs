// Deadlines and the school's contact in a real browser (issue 19 item 4): the
// school staff set the contact for students and the reminder days in the
// console (desktop, 1440x900: a bad value refused next to the form, a good
// one saved and read back over the API); the student's home page (phone,
// 390x844) shows the batch's closing time with the days left and the
// contact (phone as a tel: link), "我的" shows the contact too, and the
// notification page offers SMS for a student with a roster phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, enrolStudent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP, PHONE } from './helpers.mjs';

let srv, browser, admin, school, batch, ends;
const open = [];

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  school = (await admin.post('/api/v1/schools', { json: { name: '截止提醒大学' } })).data.school;
  ends = Math.floor(Date.now() / 1000) + 2 * 86400 + 12 * 3600;
  const r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '2027届 图像采集' } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
  assert.equal((await admin.req('PUT', `/api/v1/batches/${batch.id}`, { json: { ends_at: ends } })).status, 200);
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);

async function withCookies(c, opts) {
  const p = await newPage(browser, opts);
  open.push(p.context);
  const u = new URL(srv.url);
  await p.context.addCookies([...c.jar].map(([name, value]) => ({ name, value, domain: u.hostname, path: '/', httpOnly: name === 'tc_sid' })));
  return p;
}

test('console: the contact for students and the reminder days', { timeout: 120000 }, async () => {
  const { page, problems } = await withCookies(admin, { viewport: DESKTOP, mobile: false });
  await page.goto(`${srv.url}/console/#/school/${school.id}`);
  await view(page, 'school');
  const cp = page.locator('.c-school-contact');
  await cp.getByText('学生联系方式').waitFor();
  // a bad value: refused, said next to the form
  await cp.getByLabel('联系电话').fill('<b>0532</b>');
  await cp.getByRole('button', { name: '保存联系方式' }).click();
  await cp.locator('.tc-error, [role=alert]').filter({ hasText: '联系电话无效' }).waitFor();
  await cp.getByLabel('联系电话').fill('0532-8590 1234');
  await cp.getByLabel('微信号').fill('tucai_photo');
  await cp.getByLabel('办公时间').fill('工作日 8:30–17:00');
  await cp.getByRole('button', { name: '保存联系方式' }).click();
  await cp.getByText('联系方式已保存').waitFor();
  assert.equal(await cp.getByLabel('微信号').inputValue(), 'tucai_photo', 'the form shows what was stored');
  const r = await admin.get(`/api/v1/schools/${school.id}/contact`);
  assert.deepEqual(r.data.contact, { phone: '0532-8590 1234', wechat: 'tucai_photo', hours: '工作日 8:30–17:00' });
  await cp.scrollIntoViewIfNeeded();
  await shot(page, 'notify-01-console-contact');

  // the reminder days: a school default
  const sp = page.locator('.c-school-settings');
  const rd = sp.locator('.c-set[data-key="remind_days"]');
  assert.match(await rd.textContent(), /截止前几天自动提醒学生/);
  assert.match(await rd.locator('.c-set__src').textContent(), /继承系统内置：3 天/);
  await rd.locator('input').first().fill('5');
  await sp.getByRole('button', { name: '保存设置' }).click();
  await sp.getByText('设置已保存').waitFor();
  assert.equal((await admin.get(`/api/v1/schools/${school.id}/settings`)).data.settings.remind_days, 5);
  await page.locator('.c-school-settings .c-set[data-key="remind_days"]').scrollIntoViewIfNeeded();
  await shot(page, 'notify-02-console-remind-days');
  assert.deepEqual(problems, []);
});

test('student home: the closing time, the days left and the school contact', { timeout: 120000 }, async () => {
  assert.equal((await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '0532-8590 1234', wechat: 'tucai_photo', hours: '工作日 8:30–17:00' } })).status, 200);
  const c = await enrolStudent(srv.url, admin, batch.id, 611, { tag: 'DL', name: '截止', no: 'D', phone: '13800138611' });
  const { page, problems } = await withCookies(c, { viewport: PHONE });
  await page.goto(srv.url + '/#/home');
  await view(page, 'home');
  const dl = page.locator('.tc-deadline');
  await dl.waitFor();
  const cn = new Date((ends + 8 * 3600) * 1000).toISOString();
  const when = `${cn.slice(0, 10)} ${cn.slice(11, 16)}`;
  assert.equal(await dl.locator('span').first().textContent(), `采集截止：${when}（北京时间）`);
  assert.equal(await dl.locator('.tc-deadline__left').textContent(), '还剩 3 天');
  assert.ok(await dl.locator('.tc-deadline__left.is-soon').count(), 'three days or fewer are marked');
  const ct = page.locator('.tc-record__journey .tc-contact');
  assert.match(await ct.textContent(), /学校联系方式/);
  assert.equal(await ct.getByRole('link', { name: '0532-8590 1234' }).getAttribute('href'), 'tel:053285901234');
  assert.match(await ct.textContent(), /微信tucai_photo/);
  assert.match(await ct.textContent(), /办公时间工作日 8:30–17:00/);
  // it fits the phone's width
  const box = await ct.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  await shot(page, 'notify-03-student-home');

  // 我的: the contact under 联系客服
  await page.goto(srv.url + '/#/mine');
  await view(page, 'mine');
  await page.locator('.tc-service .tc-contact').getByText('0532-8590 1234').waitFor();
  await shot(page, 'notify-04-student-mine');

  // the notification page offers SMS (the roster has a phone)
  for (const s of ['notice/read', 'tips/read']) assert.equal((await c.post('/api/v1/me/' + s)).status, 200);
  await page.goto(srv.url + '/#/notify');
  await view(page, 'notify');
  await page.getByLabel('短信通知').check();
  await page.getByLabel('邮箱（选填）').fill('later@example.edu.cn');
  await page.getByRole('button', { name: '下一步' }).click();
  // a new address: the code step; the student may confirm later
  await page.getByText('验证码已发送至 later@example.edu.cn').waitFor();
  await shot(page, 'notify-05a-student-email-code');
  await page.getByRole('button', { name: '稍后验证' }).click();
  await page.waitForFunction(() => !location.hash.includes('notify'));
  const j = (await c.get('/api/v1/me/journey')).data;
  assert.equal(j.notify.sms, true);
  assert.equal(j.notify.wechat_available, false);
  await page.goto(srv.url + '/#/notify');
  await view(page, 'notify');
  assert.equal(await page.getByLabel('短信通知').isChecked(), true);
  assert.equal(await page.getByLabel('微信通知').count(), 0, 'WeChat is not offered when the server has no template');
  await page.getByText('邮箱 later@example.edu.cn 尚未验证：验证后才会收到通知邮件。').waitFor();
  await shot(page, 'notify-05-student-notify');

  // English
  await page.goto(srv.url + '/#/home');
  await view(page, 'home');
  await page.evaluate(() => { localStorage.setItem('tc_lang', 'en'); });
  await page.reload();
  await view(page, 'home');
  const en = await page.locator('.tc-deadline').textContent();
  assert.match(en, /^Collection closes \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(China time\)3 days left$/);
  assert.match(await page.locator('.tc-record__journey .tc-contact').textContent(), /School contact/);
  await shot(page, 'notify-06-student-home-en');
  assert.deepEqual(problems, []);
});
