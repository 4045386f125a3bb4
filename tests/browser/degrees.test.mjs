// Several 学历 (issue 19 item 2) in a real browser (phone viewport, 390x844):
// the demo person with two records (本科 and 第二学士学位) signs in, the home
// page marks the current record, 我的 lists both with the current one marked
// and a switch for the other; after the switch the home page and the
// journey are the other record's.  Chinese, no English word, no raw code;
// then the same list in English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../http/lib.mjs';
import { launch, newPage, shot, PHONE } from './helpers.mjs';

let srv, demo, browser;
const open = [];

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

const view = (page, name) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`);
const settle = (page) => page.waitForSelector('#toast[hidden]', { state: 'attached', timeout: 5000 });

// What the student reads: no raw code, and no English word other than the
// demo's own names (its school and batches carry "Demo University", "demo").
async function chineseOnly(page) {
  let text = await page.locator('#app').innerText();
  for (const s of [demo.school, demo.batch.name, demo.degrees.batch.name]) text = text.split(s).join('');
  assert.doesNotMatch(text, /\b(entry|records|chsi|journey|auth)\.[a-z_]+\b/, text);
  assert.doesNotMatch(text, /[A-Za-z]{2,}/, text);
}

test('two records: the current one is marked on home and 我的, and the switch takes the other one', async () => {
  const st = demo.students[demo.degrees.student];
  const { page, context, problems } = await newPage(browser, { viewport: PHONE });
  open.push(context);
  await page.goto(srv.url + '/');
  await view(page, 'entry');
  await page.locator('#app input[type=file]').setInputFiles(st.qr_png);
  await page.getByText('已识别采集码', { exact: false }).waitFor();
  await page.getByLabel('身份证后4位').fill(st.id_last4);
  await page.getByRole('button', { name: '下一步' }).click();
  await view(page, 'confirm');
  await page.getByLabel('手机号').fill('13800138002');
  await page.getByRole('button', { name: '确认进入' }).click();
  await view(page, 'home');

  // home: both records, the current (本科) first and marked, a switch on the other
  const cards = page.locator('.tc-record');
  assert.equal(await cards.count(), 2);
  assert.match(await cards.nth(0).textContent(), new RegExp(st.student_no));
  assert.equal(await cards.nth(0).locator('.tc-record__current').textContent(), '当前学历');
  assert.equal(await cards.nth(1).locator('.tc-record__current').count(), 0);
  assert.match(await cards.nth(1).textContent(), new RegExp(demo.degrees.student_no));
  assert.match(await cards.nth(1).textContent(), /第二学士学位/);
  await cards.nth(1).getByRole('button', { name: '切换到这条学历' }).waitFor();
  await chineseOnly(page);
  await settle(page);
  await shot(page, 'degrees-01-home-two-records');

  // 我的: the list, current marked, a switch on the other
  await page.locator('.tc-tabbar').getByText('我的').click();
  await view(page, 'mine');
  const rows = page.locator('.tc-mine-record');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.nth(0).getAttribute('aria-current'), 'true');
  assert.equal(await rows.nth(0).locator('.tc-mine-record__current').textContent(), '当前');
  assert.match(await rows.nth(1).textContent(), /第二学士学位 · 金融学/);
  await page.getByText('您有多条学历，每条学历分别完成拍照、缴费和查看结果。').waitFor();
  await chineseOnly(page);
  await shot(page, 'degrees-02-mine-records');

  // the switch asks first
  await rows.nth(1).getByRole('button', { name: '切换' }).click();
  const dlg = page.locator('.tc-dialog');
  await dlg.getByText('切换后，拍照、草稿、缴费和结果都按这条学历办理', { exact: false }).waitFor();
  await shot(page, 'degrees-03-switch-confirm');
  await dlg.getByRole('button', { name: '切换' }).click();
  await view(page, 'home');
  await page.getByText('已切换学历').waitFor();
  await settle(page);
  assert.match(await cards.nth(0).textContent(), new RegExp(demo.degrees.student_no), 'the 第二学士学位 record is current now');
  assert.equal(await cards.nth(0).locator('.tc-record__current').textContent(), '当前学历');
  await cards.nth(0).locator('.tc-record__journey').waitFor();
  await cards.nth(1).getByRole('button', { name: '切换到这条学历' }).waitFor();
  await chineseOnly(page);
  await shot(page, 'degrees-04-home-switched');
  const j = await page.evaluate(async () => (await (await fetch('/api/v1/me/journey')).json()));
  assert.equal(j.student.student_no, demo.degrees.student_no, 'the journey is the other record\'s');

  // back from the home page's own switch
  await cards.nth(1).getByRole('button', { name: '切换到这条学历' }).click();
  await page.locator('.tc-dialog').getByRole('button', { name: '切换' }).click();
  await page.getByText('已切换学历').waitFor();
  await view(page, 'home');
  assert.match(await cards.nth(0).textContent(), new RegExp(st.student_no));
  await settle(page);

  // the message centre lists both records' messages, each labelled with its
  // record: a reminder from each batch (both records are verified now)
  const staff = new Client(srv.url);
  await staff.staffLogin(demo.staff[0].username, demo.staff[0].password);
  for (const b of [demo.batch.id, demo.degrees.batch.id]) {
    const r = await staff.post(`/api/v1/batches/${b}/remind`);
    assert.equal(r.status, 200, r.text);
  }
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: /^消息/ }).click();
  await view(page, 'messages');
  const labels = page.locator('.tc-msg .tc-msg__record');
  await labels.first().waitFor();
  const texts = await labels.allTextContents();
  assert.equal(texts.length, 2, texts.join(' / '));
  assert.ok(texts.some((t) => /第二学士学位/.test(t)) && texts.some((t) => /本科/.test(t)), texts.join(' / '));
  await chineseOnly(page);
  await shot(page, 'degrees-06-messages');

  // English
  await page.locator('.tc-tabbar').getByText('我的').click();
  await view(page, 'mine');
  await page.locator('#lang-switch').click();
  await page.getByText('You have several education records', { exact: false }).waitFor();
  await page.locator('.tc-mine-record').nth(0).getByText('Current').waitFor();
  await page.locator('.tc-mine-record').nth(1).getByRole('button', { name: 'Switch' }).waitFor();
  await shot(page, 'degrees-05-mine-records-en');
  await page.locator('#lang-switch').click();
  assert.deepEqual(problems, []);
});
