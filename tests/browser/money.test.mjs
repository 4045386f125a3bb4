// Money in a real browser (issue 8): paying an order from the order page
// through the sandbox provider's page; a reprint (加洗) with a new address;
// platform staff marking it shipped in the console's print queue; the
// student seeing the tracking number, then receiving it.  Screenshots of
// every student page at 390x844 and every console page at 1440x900.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, TESTDATA, acceptConsent } from '../http/lib.mjs';
import { launch, newPage, shot, DESKTOP, PHONE } from './helpers.mjs';

const PORTRAITS = [TESTDATA && path.join(TESTDATA, 'portraits'), path.resolve(ROOT, '../shared/testdata/portraits')].find((p) => p && existsSync(p));
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = PORTRAITS && path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const SKIP = GOOD && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite')) ? false : 'needs the test portraits and the models';

let srv, browser, admin;
const open = [];
let seq = 0;

before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  browser = await launch();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const view = (page, name, timeout) => page.waitForSelector(`#app[data-view="${name}"][aria-busy="false"]`, { timeout });

async function student(settings) {
  seq += 1;
  let r = await admin.post('/api/v1/schools', { json: { name: `青岛测试学校${seq}` } });
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: `加洗批次 ${seq}`, settings: { checks: { disabled: ['duplicate'] }, ...settings } } });
  const batch = r.data.batch;
  const code = `CODE-MONEY-${seq}-${Date.now()}`;
  const csv = `姓名,学号,身份证号,层次,专业,班级,采集码\n吴小师,2026M${seq},${fakeId(900 + seq)},专科,学前教育,1班,${code}\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  assert.equal((await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: code, id_last4: fakeId(900 + seq).slice(-4) }) })).status, 200);
  assert.equal((await c.post('/api/v1/entry/confirm', { json: { phone: '13900139000' } })).status, 200);
  await acceptConsent(c);
  for (const step of ['notice/read', 'tips/read', 'tutorial/done']) assert.equal((await c.post('/api/v1/me/' + step)).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
  return c;
}

async function withCookies(c, opts) {
  const p = await newPage(browser, opts);
  open.push(p.context);
  const u = new URL(srv.url);
  await p.context.addCookies([...c.jar].map(([name, value]) => ({ name, value, domain: u.hostname, path: '/', httpOnly: name === 'tc_sid' })));
  return p;
}

test('paying an unpaid order from the order page through the sandbox', async () => {
  const c = await student({ pay_when: 'before_shoot', fee_fen: 2500 });
  const r = await c.post('/api/v1/me/pay');
  const no = r.data.order.out_trade_no;
  const { page, problems } = await withCookies(c, { viewport: PHONE });
  await page.goto(srv.url + '/#/mine');
  await view(page, 'mine');
  await shot(page, 'money-01-mine');
  await page.locator('.tc-order-tabs__item[data-tab="to_pay"]').click();
  await view(page, 'orders');
  assert.equal(await page.locator('.tc-order').count(), 1);
  await shot(page, 'money-02-orders-to-pay');
  await page.locator(`.tc-order[data-no="${no}"]`).click();
  await view(page, 'order');
  await shot(page, 'money-03-order-to-pay');
  await page.locator('.tc-order-pay').click();
  await page.waitForURL(/\/pay\/sandbox\//);
  await page.waitForFunction(() => !document.getElementById('pay').disabled);
  await page.locator('#pay').click();
  // the app's paid page waits for the callback, then moves on to shooting
  await page.waitForURL(/#\/shoot/, { timeout: 30000 });
  await view(page, 'shoot');
  const o = (await c.get('/api/v1/me/orders/' + no)).data.order;
  assert.equal(o.state, 'paid');
  await page.goto(srv.url + '/#/orders/done');
  await view(page, 'orders');
  assert.equal(await page.locator(`.tc-order[data-no="${no}"]`).count(), 1);
  await shot(page, 'money-04-orders-done');
  assert.deepEqual(problems, []);
});

test('a reprint with a new address; staff ship it; the student sees the tracking number', { skip: SKIP, timeout: 300000 }, async () => {
  const c = await student({ pay_when: 'school', album_allowed: true });
  let r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'album' }) });
  assert.equal(r.status, 202, r.text);
  let p;
  for (let i = 0; i < 1200; i++) {
    p = (await c.get('/api/v1/me/photos/' + r.data.photo.id)).data;
    if (p.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(p.state, 'draft');
  assert.equal((await c.post('/api/v1/me/submission', { json: { photo_id: p.id } })).status, 200);
  const q = (await admin.get('/api/v1/review/queue')).data.items.find((x) => x.photo.id === p.id);
  assert.equal((await admin.post(`/api/v1/review/submissions/${q.id}/approve`)).status, 200);

  const { page, problems } = await withCookies(c, { viewport: PHONE });
  // the address book: a wrong phone number is refused with its reason, then saved
  await page.goto(srv.url + '/#/addresses');
  await view(page, 'addresses');
  await shot(page, 'money-05-addresses-empty');
  await page.locator('.tc-address-add').click();
  await view(page, 'address');
  await page.locator('input[name=name]').fill('吴小师');
  await page.locator('input[name=phone]').fill('1234');
  await page.locator('input[name=region]').fill('山东省 青岛市 崂山区');
  await page.locator('input[name=detail]').fill('松岭路 238 号');
  await page.locator('.tc-address-save').click();
  await page.waitForSelector('#app .tc-error:not([hidden])[data-code="address.bad_phone"]');
  await shot(page, 'money-06-address-bad-phone');
  await page.locator('input[name=phone]').fill('13912345678');
  await page.locator('.tc-address-save').click();
  await view(page, 'addresses');
  assert.equal(await page.locator('.tc-address').count(), 1);
  await shot(page, 'money-07-addresses');

  // 加洗: layout 2, two sets
  await page.goto(srv.url + '/#/reprint');
  await view(page, 'reprint');
  // each layout with a small drawing of its sheet, from the server's sheet plan (issue 20 item 4)
  const plan = (await c.get('/api/v1/me/reprint')).data.layouts;
  assert.deepEqual(plan.map((l) => l.id), ['1', '2', '6inch', '5inch', 'a4']);
  for (const l of plan) {
    const fig = page.locator(`.tc-layout__fig[data-layout="${l.id}"] svg.tc-sheet-fig`);
    assert.equal(await fig.count(), 1, `layout ${l.id} has a drawing`);
    assert.ok(l.sheet && l.sheet.places.length > 0, `layout ${l.id} has a plan`);
    assert.equal(await fig.locator('.tc-sheet-fig__photo').count(), l.sheet.places.length, `layout ${l.id}: one drawn photo per place`);
    const box = await fig.boundingBox();
    assert.ok(Math.abs(box.width / box.height - l.sheet.w_mm / l.sheet.h_mm) < 0.05, `layout ${l.id}: the paper's proportions`);
    assert.ok(Math.max(box.width, box.height) <= 97 && Math.max(box.width, box.height) >= 95, `layout ${l.id}: a small drawing (${box.width}x${box.height} px)`);
  }
  assert.equal(plan[0].sheet.places.length, 12, '版式一: 1寸×8 + 2寸×4');
  assert.equal(plan[1].sheet.places.length, 8, '版式二: 2寸×8');
  // 版式一 has two sizes of photo, 版式二 one
  const sizes = (l) => new Set(l.sheet.places.map(([, , w, hh]) => `${Math.min(w, hh).toFixed(0)}x${Math.max(w, hh).toFixed(0)}`)).size;
  assert.equal(sizes(plan[0]), 2);
  assert.equal(sizes(plan[1]), 1);
  await page.waitForSelector('#toast[hidden]', { state: 'attached' }); // the address's 已保存 has gone
  await page.locator('.weui-cells_radio').nth(1).screenshot({ path: path.join(ROOT, 'tests/out/screenshots/money-08a-reprint-layouts.png') });
  await page.locator('label', { has: page.locator('input[name=layout][value="2"]') }).click();
  assert.equal(await page.locator('input[name=layout][value="2"]').isChecked(), true);
  await page.locator('input[name=quantity]').fill('2');
  await shot(page, 'money-08-reprint');
  await page.locator('.tc-reprint-submit').click();
  await page.waitForURL(/\/pay\/sandbox\/RP/);
  await page.waitForFunction(() => !document.getElementById('pay').disabled);
  await shot(page, 'money-09-sandbox-pay');
  await page.locator('#pay').click();
  await page.waitForURL(/#\/order\/RP/);
  await view(page, 'order');
  const no = decodeURIComponent(new URL(page.url()).hash.split('/').pop());
  await shot(page, 'money-10-reprint-paid');

  // platform staff: the print queue, shipped
  const staff = await withCookies(admin, { viewport: DESKTOP, mobile: false });
  await staff.page.goto(srv.url + '/console/#/print');
  await staff.page.waitForSelector('.c-ship-form');
  await shot(staff.page, 'console-money-01-print-queue');
  const row = staff.page.locator('tr', { has: staff.page.locator(`td:text-is("${no}")`) });
  assert.equal(await row.locator(`a[href$="/${no}/sheet.pdf"]`).count(), 1);
  await row.locator('input[name=carrier]').fill('顺丰速运');
  await row.locator('input[name=tracking]').fill('SF1234567890');
  await row.locator('button[type=submit]').click();
  await staff.page.waitForSelector('.c-notice');
  await staff.page.goto(srv.url + '/console/#/print/shipped');
  await staff.page.waitForSelector('.c-print-done');
  await shot(staff.page, 'console-money-02-print-shipped');
  await staff.page.goto(srv.url + '/console/#/recon');
  await staff.page.waitForSelector('.c-inline-form');
  await staff.page.locator('.c-inline-form button[type=submit]').click();
  await staff.page.waitForSelector('.c-recon');
  await shot(staff.page, 'console-money-03-recon');
  assert.deepEqual(staff.problems, []);

  // the student sees the tracking number, then confirms receipt
  await page.reload(); // the same address: load the order afresh
  await view(page, 'order');
  assert.equal(await page.locator('.tc-tracking__no').textContent(), 'SF1234567890');
  await shot(page, 'money-11-reprint-shipped');
  await page.locator('.tc-order-received').click();
  await page.waitForSelector('.tc-steps__item_on:nth-child(3)');
  await shot(page, 'money-12-reprint-done');
  assert.ok((await c.get('/api/v1/me/messages')).data.messages.some((m) => /SF1234567890/.test(m.body_zh)));
  // 英文
  await page.goto(srv.url + '/#/orders/all');
  await view(page, 'orders');
  await shot(page, 'money-13-orders-all');
  assert.deepEqual(problems, []);
});
