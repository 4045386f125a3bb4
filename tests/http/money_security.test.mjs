// Money that must not go astray (issue 14, items 14–16), over HTTP:
//  14. paying twice makes one open order per fee, launched again, never two
//      payable orders;
//  15. a cancelled batch takes no payment: pay, pay again, the sandbox page
//      and reprints are refused with batch.cancelled (zh + en);
//  16. closing an order closes it at WeChat Pay (the stand-in's close API),
//      and a payment that still arrives for a closed order is recorded,
//      refunded once however often the callback comes, shown to staff in
//      the reconciliation and audited.
// (Item 17, durable commits, is asked of the store's own connections in
// tests/unit/test_store_money.c: synchronous is per connection.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, enrolStudent, ROOT } from './lib.mjs';
import { standin, freePort, wxpayArgs } from '../pay/standin.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

const poll = async (what, fn) => {
  for (let i = 0; i < 600; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('gave up waiting for ' + what);
};
const chinaDay = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

let seq = 1400;
// A school, a batch with these settings and one verified student in it.
async function newStudent(srv, admin, settings) {
  let r = await admin.post('/api/v1/schools', { json: { name: '资金安全学校' + seq } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: 'money-sec ' + seq, settings: { checks: { disabled: ['duplicate'] }, ...settings } } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'MSEC', name: '安全', no: 'S', major: '会计' });
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  c.batch = batch;
  return c;
}

// The refusal a cancelled batch gives: a stable code, clear Chinese and English.
function assertCancelled(r, what) {
  assert.equal(r.status, 409, what + ': ' + r.text);
  assert.equal(r.data.error.code, 'batch.cancelled', what);
  assert.match(r.data.error.zh, /取消/, what);
  assert.match(r.data.error.zh, /学校图采工作部门/, what + ': whom to ask, in the seeds\' words');
  assert.match(r.data.error.en, /cancelled/, what);
}

// ---- the sandbox provider ----------------------------------------------------------------------------------------

let srv, admin;
before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
// a sanitizer report (a leak at exit included) fails the file
const noSanitizerReport = (res) => assert.doesNotMatch(res.log, /Sanitizer|runtime error:/, res.log.slice(-4000));
after(async () => { if (srv) noSanitizerReport(await srv.stop()); });

test('14: paying twice gives one open order, launched again; only it can be paid', async () => {
  const c = await newStudent(srv, admin, { pay_when: 'before_shoot', fee_fen: 1500 });
  const first = await c.post('/api/v1/me/pay');
  assert.equal(first.status, 200, first.text);
  const no = first.data.order.out_trade_no;
  const again = await c.post('/api/v1/me/pay');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.data.order.out_trade_no, no, 'the open order is reused');
  // at once, too: one transaction checks and makes the order
  const many = await Promise.all([1, 2, 3, 4].map(() => c.post('/api/v1/me/pay')));
  for (const r of many) {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.order.out_trade_no, no);
  }
  let orders = (await c.get('/api/v1/me/orders')).data.orders;
  assert.deepEqual(orders.map((o) => [o.out_trade_no, o.state]), [[no, 'created']], 'one open order per fee');
  let r = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
  assert.equal(r.status, 200, r.text);
  orders = (await c.get('/api/v1/me/orders')).data.orders;
  assert.deepEqual(orders.map((o) => [o.out_trade_no, o.state]), [[no, 'paid']], 'nothing else is left to pay');
  r = await c.post('/api/v1/me/pay');
  assert.equal(r.data.error.code, 'journey.already_paid');
});

test('15: a cancelled batch takes no payment: pay, pay again and the sandbox page refuse it', async () => {
  const c = await newStudent(srv, admin, { pay_when: 'before_shoot', fee_fen: 1500 });
  let r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 200, r.text);
  const no = r.data.order.out_trade_no;
  r = await admin.post(`/api/v1/batches/${c.batch.id}/cancel`);
  assert.equal(r.status, 200, r.text);
  assertCancelled(await c.post('/api/v1/me/pay'), 'pay');
  assertCancelled(await c.post(`/api/v1/me/orders/${no}/pay`), 'pay again');
  assertCancelled(await c.post(`/api/v1/pay/sandbox/${no}/pay`), 'the sandbox page');
  const orders = (await c.get('/api/v1/me/orders')).data.orders;
  assert.deepEqual(orders.map((o) => [o.out_trade_no, o.state]), [[no, 'closed']], 'the open order was closed by the cancel');
  assert.equal((await c.get('/api/v1/me/journey')).data.progress.paid, false);
});

test('15: a cancelled batch takes no reprint orders, and an open one cannot be paid', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await newStudent(srv, admin, { pay_when: 'school', album_allowed: true });
  await c.post('/api/v1/me/tutorial/done');
  let r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  const pid = r.data.photo.id;
  const p = await poll('the photo', async () => { const x = await c.get(`/api/v1/me/photos/${pid}`); return x.data.state !== 'processing' && x.data; });
  assert.equal(p.state, 'draft', JSON.stringify(p.failed));
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 200, r.text);
  r = await admin.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  r = await c.post('/api/v1/me/addresses', { json: { name: '安全', phone: '13912345678', region: '山东省 青岛市 崂山区', detail: '松岭路 238 号' } });
  const addr = r.data.id;
  r = await c.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 1, address_id: addr } });
  assert.equal(r.status, 201, r.text);
  const rp = r.data.order.out_trade_no;
  r = await admin.post(`/api/v1/batches/${c.batch.id}/cancel`);
  assert.equal(r.status, 200, r.text);
  assertCancelled(await c.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 1, address_id: addr } }), 'a reprint');
  assertCancelled(await c.post(`/api/v1/me/orders/${rp}/pay`), 'paying the open reprint');
  assertCancelled(await c.post(`/api/v1/pay/sandbox/${rp}/pay`), 'the sandbox page of the reprint');
  const orders = (await c.get('/api/v1/me/orders')).data.orders;
  assert.deepEqual(orders.map((o) => [o.out_trade_no, o.state]), [[rp, 'closed']]);
});

// ---- WeChat Pay v3 against the stand-in -------------------------------------------------------------------------

async function withWxpay(fn) {
  const wx = await standin('tests/pay/wxpay-standin.mjs');
  const port = await freePort();
  const s = await startServer({ extraArgs: wxpayArgs(wx.info, port) });
  const ctl = (p, body) => fetch(`http://127.0.0.1:${wx.info.port}${p}`, { method: body ? 'POST' : 'GET', body: body && JSON.stringify(body) }).then((r) => r.json());
  const notify = `${s.url}/api/v1/pay/notify/wechat`;
  try {
    const adm = new Client(s.url);
    await adm.staffLogin(s.demo.staff[0].username, s.demo.staff[0].password);
    await fn({ srv: s, admin: adm, ctl, notify });
  } finally {
    const res = await s.stop();
    wx.stop();
    noSanitizerReport(res);
  }
}

const stateAt = async (ctl, no) => (await ctl('/__ctl/states')).find((o) => o.out_trade_no === no);
// WeChat sends the same notification again until it is acknowledged: the
// very same signed body, re-POSTed.
const resend = async (notify, cb) => {
  const r = await fetch(notify, { method: 'POST', headers: cb.headers, body: cb.body });
  return { status: r.status, answer: await r.text() };
};

test('14 + 16: with WeChat Pay, paying again reuses the order; a changed fee closes it at WeChat Pay and replaces it', { timeout: 120000 }, async () => {
  await withWxpay(async ({ srv: s, admin: adm, ctl }) => {
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    let r = await c.post('/api/v1/me/pay', { json: { method: 'h5' } });
    assert.equal(r.status, 200, r.text);
    const no = r.data.order.out_trade_no;
    r = await c.post('/api/v1/me/pay', { json: { method: 'h5' } });
    assert.equal(r.data.order.out_trade_no, no, 'the same order, launched again');
    assert.equal((await ctl('/__ctl/orders')).length, 1, 'WeChat Pay heard of one order');
    // the fee changed: the open order cannot be launched again as it is
    r = await adm.req('PUT', `/api/v1/batches/${c.batch.id}`, { json: { settings: { pay_when: 'before_shoot', fee_fen: 1800, checks: { disabled: ['duplicate'] } } } });
    assert.equal(r.status, 200, r.text);
    r = await c.post('/api/v1/me/pay', { json: { method: 'h5' } });
    assert.equal(r.status, 200, r.text);
    const no2 = r.data.order.out_trade_no;
    assert.notEqual(no2, no, 'the fee changed: a new order');
    assert.equal(r.data.order.amount_fen, 1800);
    assert.equal((await stateAt(ctl, no)).state, 'CLOSED', 'the replaced order was closed at WeChat Pay');
    const orders = (await c.get('/api/v1/me/orders')).data.orders;
    assert.deepEqual(orders.map((o) => [o.out_trade_no, o.state]), [[no2, 'created'], [no, 'closed']], 'still one open order');
  });
});

test('16: closing closes at WeChat Pay; a payment that still comes is recorded, refunded once, shown to staff, audited', { timeout: 120000 }, async () => {
  await withWxpay(async ({ srv: s, admin: adm, ctl, notify }) => {
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    let r = await c.post('/api/v1/me/pay');
    assert.equal(r.status, 200, r.text);
    const no = r.data.order.out_trade_no;
    r = await c.post(`/api/v1/me/orders/${no}/close`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.order.state, 'closed');
    const at = await stateAt(ctl, no);
    assert.equal(at.state, 'CLOSED', 'closed at WeChat Pay too');
    assert.equal(at.closes, 1);

    // the payer was already on the cashier page: WeChat took the money anyway
    const cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true, paid_while_closing: true });
    assert.equal(cb.status, 204, cb.answer);
    let o = (await c.get(`/api/v1/me/orders/${no}`)).data.order;
    assert.equal(o.state, 'refunded', 'recorded against the closed order and refunded');
    assert.ok(o.late_paid_at > 0, 'the late payment is on the order');
    assert.ok(o.paid_at > 0);
    assert.equal((await c.get('/api/v1/me/journey')).data.progress.paid, false, 'a closed order pays nothing');
    // WeChat sends the same notification again: nothing more happens
    for (let i = 0; i < 3; i++) {
      const again = await resend(notify, cb);
      assert.equal(again.status, 204, again.answer);
    }
    assert.deepEqual((await stateAt(ctl, no)).refunds, [{ out_refund_no: 'RF' + no, refund: 1500 }], 'refunded once');
    // the student is told; staff see it in the reconciliation and the audit log
    const msgs = (await c.get('/api/v1/me/messages')).data.messages.filter((m) => /已关闭订单收到付款/.test(m.title_zh));
    assert.equal(msgs.length, 1, 'told once');
    r = await adm.post('/api/v1/recon/run', { json: { day: chinaDay() } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.data.report.late_payments.map((x) => [x.out_trade_no, x.state, x.amount_fen]), [[no, 'refunded', 1500]]);
    assert.deepEqual(r.data.report.mismatches, [], 'we and WeChat Pay agree: paid and refunded');
    r = await adm.get('/api/v1/admin/audit?action=pay.late_payment');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.items.length, 1, 'audited once');
    assert.match(r.data.items[0].after, new RegExp(no));
    o = (await c.get(`/api/v1/me/orders/${no}`)).data.order;
    assert.equal(o.state, 'refunded');
  });
});

test('16: when the refund cannot start the callback is refused, so WeChat sends it again; recorded once, refunded once', { timeout: 120000 }, async () => {
  await withWxpay(async ({ srv: s, admin: adm, ctl, notify }) => {
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    let r = await c.post('/api/v1/me/pay');
    const no = r.data.order.out_trade_no;
    assert.equal((await c.post(`/api/v1/me/orders/${no}/close`)).status, 200);
    await ctl('/__ctl/mode', { refund_down: true });
    const cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true, paid_while_closing: true });
    assert.ok(cb.status >= 500, 'not acknowledged while the money cannot go back: ' + cb.status + ' ' + cb.answer);
    let o = (await c.get(`/api/v1/me/orders/${no}`)).data.order;
    assert.equal(o.state, 'refunding', 'recorded all the same');
    assert.ok(o.late_paid_at > 0);
    r = await adm.post('/api/v1/recon/run', { json: { day: chinaDay() } });
    assert.deepEqual(r.data.report.late_payments.map((x) => [x.out_trade_no, x.state]), [[no, 'refunding']], 'staff see the money not yet back');
    let again = await resend(notify, cb);
    assert.ok(again.status >= 500, again.answer);
    await ctl('/__ctl/mode', {});
    again = await resend(notify, cb);
    assert.equal(again.status, 204, again.answer);
    again = await resend(notify, cb);
    assert.equal(again.status, 204, again.answer);
    o = (await c.get(`/api/v1/me/orders/${no}`)).data.order;
    assert.equal(o.state, 'refunded');
    assert.deepEqual((await stateAt(ctl, no)).refunds, [{ out_refund_no: 'RF' + no, refund: 1500 }], 'refunded once');
    r = await adm.get('/api/v1/admin/audit?action=pay.late_payment');
    assert.equal(r.data.items.length, 1, 'recorded and audited once');

    // WeChat gives up repeating after a day: the reconciliation tries the refund again
    const c2 = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1200 });
    r = await c2.post('/api/v1/me/pay');
    const no2 = r.data.order.out_trade_no;
    assert.equal((await c2.post(`/api/v1/me/orders/${no2}/close`)).status, 200);
    await ctl('/__ctl/mode', { refund_down: true });
    const cb2 = await ctl('/__ctl/callback', { out_trade_no: no2, notify: true, paid_while_closing: true });
    assert.ok(cb2.status >= 500, cb2.answer);
    await ctl('/__ctl/mode', {});
    r = await adm.post('/api/v1/recon/run', { json: { day: chinaDay() } });
    assert.deepEqual(r.data.report.late_payments.map((x) => [x.out_trade_no, x.state]), [[no, 'refunded'], [no2, 'refunded']]);
    assert.deepEqual((await stateAt(ctl, no2)).refunds, [{ out_refund_no: 'RF' + no2, refund: 1200 }]);
    assert.equal((await resend(notify, cb2)).status, 204, 'and the callback is then acknowledged');
    assert.deepEqual((await stateAt(ctl, no2)).refunds, [{ out_refund_no: 'RF' + no2, refund: 1200 }], 'refunded once');
  });
});

test('16: closing an order the payer has paid is refused and the payment applied', { timeout: 120000 }, async () => {
  await withWxpay(async ({ srv: s, admin: adm, ctl }) => {
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    let r = await c.post('/api/v1/me/pay');
    const no = r.data.order.out_trade_no;
    await ctl('/__ctl/callback', { out_trade_no: no }); // paid; the callback has not reached us yet
    r = await c.post(`/api/v1/me/orders/${no}/close`);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.data.error.code, 'order.not_closable');
    const o = (await c.get(`/api/v1/me/orders/${no}`)).data.order;
    assert.equal(o.state, 'paid', 'what WeChat Pay took is applied');
    assert.equal((await c.get('/api/v1/me/journey')).data.progress.paid, true);
  });
});

test('15: with WeChat Pay, cancelling a batch closes its open orders at WeChat Pay', { timeout: 120000 }, async () => {
  await withWxpay(async ({ srv: s, admin: adm, ctl }) => {
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    let r = await c.post('/api/v1/me/pay');
    const no = r.data.order.out_trade_no;
    r = await adm.post(`/api/v1/batches/${c.batch.id}/cancel`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await stateAt(ctl, no)).state, 'CLOSED', 'nothing more can be paid for it');
    assertCancelled(await c.post('/api/v1/me/pay'), 'pay');
    assertCancelled(await c.post(`/api/v1/me/orders/${no}/pay`), 'pay again');

    // WeChat Pay cannot close it during the cancel: the cancel says so, and a
    // payment that then comes for it goes straight back
    const c2 = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 1500 });
    r = await c2.post('/api/v1/me/pay');
    const no2 = r.data.order.out_trade_no;
    await ctl('/__ctl/mode', { close_down: true });
    r = await adm.post(`/api/v1/batches/${c2.batch.id}/cancel`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.data.failed.map((x) => x.out_trade_no), [no2]);
    assert.deepEqual(r.data.closed, []);
    await ctl('/__ctl/mode', {});
    const cb = await ctl('/__ctl/callback', { out_trade_no: no2, notify: true });
    assert.equal(cb.status, 204, cb.answer);
    assert.equal((await c2.get(`/api/v1/me/orders/${no2}`)).data.order.state, 'refunded', 'the money went back');
    assert.deepEqual((await stateAt(ctl, no2)).refunds, [{ out_refund_no: 'RF' + no2, refund: 1500 }]);
    // repeating the cancel now has nothing left to close or refund
    r = await adm.post(`/api/v1/batches/${c2.batch.id}/cancel`);
    assert.deepEqual([r.data.closed, r.data.refunds, r.data.failed], [[], [], []]);
  });
});
