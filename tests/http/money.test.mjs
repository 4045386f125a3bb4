// Money over HTTP (issue 8): the photo fee paid through WeChat Pay v3 against
// the local stand-in (tests/pay/wxpay-standin.mjs) — signed callbacks to the
// server's notify URL, a bad signature refused, a duplicate harmless, a
// forged amount refused — refunds when a batch is cancelled, the daily
// reconciliation; then, on the sandbox provider, orders by state, the
// address book, reprints (加洗) through the print queue to done; and the
// outbox surviving a restart with undelivered e-mails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, enrolStudent, ROOT, BIN } from './lib.mjs';
import { standin, freePort, wxpayArgs } from '../pay/standin.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

const poll = async (what, fn) => {
  for (let i = 0; i < 300; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('gave up waiting for ' + what);
};

// China's date today, as the reconciliation counts days.
const chinaDay = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

let seq = 800;
// A school, a batch with these settings and one verified student in it.
async function newStudent(srv, admin, settings, { email = '' } = {}) {
  let r = await admin.post('/api/v1/schools', { json: { name: '付费测试学校' + seq } });
  assert.equal(r.status, 201, r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: 'money ' + seq, settings: { checks: { disabled: ['duplicate'] }, ...settings } } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const c = await enrolStudent(srv.url, admin, batch.id, seq++, { tag: 'MONEY', name: '付费', no: 'M', major: '会计' });
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email } })).status, 200);
  c.batch = batch;
  return c;
}

// ---- WeChat Pay v3 against the stand-in ----------------------------------------------------------------

test('WeChat Pay: create, the stand-in pays and calls back signed, bad signatures refused, refund on cancel, reconciliation', { timeout: 120000 }, async () => {
  const wx = await standin('tests/pay/wxpay-standin.mjs');
  const port = await freePort();
  const w = wx.info;
  const srv = await startServer({ extraArgs: wxpayArgs(w, port) });
  const ctl = (p, body) => fetch(`http://127.0.0.1:${w.port}${p}`, { method: body ? 'POST' : 'GET', body: body && JSON.stringify(body) }).then((r) => r.json());
  try {
    const admin = new Client(srv.url);
    await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
    const c = await newStudent(srv, admin, { pay_when: 'before_shoot', fee_fen: 1500 });
    assert.equal((await c.get('/api/v1/me/journey')).data.step, 'pay_first');

    // the sandbox is off when a real provider is configured
    let r = await c.post('/api/v1/me/pay');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.order.provider, 'wechat');
    assert.equal(r.data.launch.kind, 'redirect');
    assert.match(r.data.launch.url, /^https:\/\/wx\.tenpay\.com\//, 'H5: WeChat\'s cashier page');
    const no = r.data.order.out_trade_no;
    r = await c.post(`/api/v1/pay/sandbox/${no}/pay`);
    assert.equal(r.status, 404);
    assert.equal(r.data.error.code, 'pay.sandbox_off');

    // JSAPI inside WeChat: the openid comes from WeChat's web authorisation
    // (tests/http/wechat_oauth.test.mjs has the details), never from the body.
    // Another student: a student has one open photo-fee order at a time, and
    // changing the way of paying replaces it (money_security.test.mjs)
    const cj = await newStudent(srv, admin, { pay_when: 'before_shoot', fee_fen: 1500 });
    r = await cj.post('/api/v1/me/pay', { json: { method: 'jsapi', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.data.error.code, 'wechat.openid_required');
    const inWeChat = { headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.49' } };
    r = await cj.post('/api/v1/wechat/oauth/start', { json: { return: '/#/pay' }, ...inWeChat });
    assert.equal(r.status, 200, r.text);
    const auth = new URL(r.data.url);
    const { code } = await ctl('/__ctl/oauth_code', { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    r = await cj.get(new URL(auth.searchParams.get('redirect_uri')).pathname + '?' +
      new URLSearchParams({ code, state: auth.searchParams.get('state') }), inWeChat);
    assert.equal(r.status, 302, r.text);
    r = await cj.post('/api/v1/me/pay', { json: { method: 'jsapi' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.launch.kind, 'jsapi');
    assert.match(r.data.launch.params.package, /^prepay_id=wx/);
    assert.equal(r.data.launch.params.signType, 'RSA');
    const jsapiNo = r.data.order.out_trade_no;

    // forged callbacks: a bad signature, a stale one, a resource under another key
    for (const [bad, code] of [[{ bad_sign: true }, 'pay.bad_signature'], [{ stale: true }, 'pay.stale'], [{ wrong_key: true }, 'pay.decrypt']]) {
      const cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true, ...bad });
      assert.equal(cb.status, 401, JSON.stringify(bad) + ' ' + cb.answer);
      assert.equal(JSON.parse(cb.answer).error.code, code);
    }
    // a forged amount is refused
    let cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true, amount: 1 });
    assert.equal(cb.status, 400, cb.answer);
    assert.equal(JSON.parse(cb.answer).error.code, 'pay.amount_mismatch');
    assert.equal((await c.get('/api/v1/me/journey')).data.progress.paid, false);

    // the real callback: paid once; the journey moves on
    cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true });
    assert.equal(cb.status, 204, cb.answer);
    let j = await c.get('/api/v1/me/journey');
    assert.equal(j.data.progress.paid, true);
    assert.equal(j.data.step, 'shoot');
    // WeChat repeats a callback until it is acknowledged: harmless
    cb = await ctl('/__ctl/callback', { out_trade_no: no, notify: true });
    assert.equal(cb.status, 204, cb.answer);
    let orders = (await c.get('/api/v1/me/orders')).data.orders;
    assert.equal(orders.filter((o) => o.state === 'paid').length, 1);
    const msgs = (await c.get('/api/v1/me/messages')).data.messages.filter((m) => m.kind === 'payment');
    assert.equal(msgs.length, 1, 'one payment message');
    // the other order is still unpaid: its student closes it
    r = await cj.post(`/api/v1/me/orders/${jsapiNo}/close`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.order.state, 'closed');
    r = await c.post(`/api/v1/me/orders/${no}/close`);
    assert.equal(r.data.error.code, 'order.not_closable');

    // a second student: the stand-in pays by itself and calls the notify URL
    await ctl('/__ctl/mode', { auto_pay: true });
    const c2 = await newStudent(srv, admin, { pay_when: 'before_shoot', fee_fen: 1500 });
    r = await c2.post('/api/v1/me/pay');
    const no2 = r.data.order.out_trade_no;
    await poll('the automatic callback', async () => (await c2.get('/api/v1/me/journey')).data.progress.paid);
    const sent = await ctl('/__ctl/callbacks');
    assert.deepEqual(sent.map((x) => [x.out_trade_no, x.status]), [[no2, 204]]);
    await ctl('/__ctl/mode', { auto_pay: false });

    // the batch of the first student is cancelled: the fee goes back
    r = await c.post('/api/v1/batches/' + c.batch.id + '/cancel');
    assert.ok([401, 403].includes(r.status), 'students cannot cancel batches');
    r = await admin.post(`/api/v1/batches/${c.batch.id}/cancel`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.already, false);
    assert.deepEqual(r.data.refunds.map((x) => [x.out_trade_no, x.state]), [[no, 'SUCCESS']]);
    orders = (await c.get('/api/v1/me/orders')).data.orders;
    assert.equal(orders.find((o) => o.out_trade_no === no).state, 'refunded');
    r = await admin.post(`/api/v1/batches/${c.batch.id}/cancel`);
    assert.equal(r.data.already, true);
    assert.deepEqual(r.data.refunds, [], 'nothing refunded twice');
    // WeChat's refund callback afterwards changes nothing
    cb = await ctl('/__ctl/callback', { out_trade_no: no, kind: 'refund', notify: true });
    assert.equal(cb.status, 204, cb.answer);
    assert.ok((await c.get('/api/v1/me/messages')).data.messages.some((m) => /退款/.test(m.title_zh)));
    // the other student's order was not touched
    assert.equal((await c2.get('/api/v1/me/orders')).data.orders[0].state, 'paid');

    // reconciliation of today: the orders agree with the provider ...
    r = await admin.post('/api/v1/recon/run', { json: { day: chinaDay() } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.report.provider, 'wechat');
    assert.equal(r.data.report.checked, 3);
    assert.equal(r.data.report.paid, 2);
    assert.equal(r.data.report.refunded, 1);
    assert.deepEqual(r.data.report.mismatches, []);
    // ... until the provider takes money whose callback never reaches us
    // (for the closed order: the payer was already paying when it closed)
    await ctl('/__ctl/callback', { out_trade_no: jsapiNo, paid_while_closing: true });
    r = await admin.post('/api/v1/recon/run', { json: { day: chinaDay() } });
    assert.deepEqual(r.data.report.mismatches.map((m) => [m.out_trade_no, m.problem]), [[jsapiNo, 'paid_not_recorded']]);
    r = await admin.post('/api/v1/recon/run', { json: { day: 'yesterday' } });
    assert.equal(r.data.error.code, 'recon.bad_day');
    r = await admin.get('/api/v1/recon/reports');
    assert.ok(r.data.reports.some((x) => x.day === chinaDay() && x.provider === 'wechat'));
  } finally {
    await srv.stop();
    wx.stop();
  }
});

// ---- the sandbox: orders, addresses, reprints --------------------------------------------------------

let srv, admin;
before(async () => {
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
after(async () => { if (srv) await srv.stop(); });

test('the address book: add, edit, default, delete; phone and region validated', async () => {
  const c = await newStudent(srv, admin, { pay_when: 'school' });
  const good = { name: '王小明', phone: '13912345678', region: '山东省 青岛市 崂山区', detail: '松岭路 238 号' };
  for (const [bad, code] of [[{ phone: '12345678901' }, 'address.bad_phone'], [{ phone: '1391234567' }, 'address.bad_phone'],
    [{ region: '山东省' }, 'address.bad_region'], [{ name: '' }, 'address.bad_name'], [{ detail: '' }, 'address.bad_detail']]) {
    const r = await c.post('/api/v1/me/addresses', { json: { ...good, ...bad } });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.data.error.code, code);
    assert.ok(r.data.error.zh && r.data.error.en);
  }
  let r = await c.post('/api/v1/me/addresses', { json: good });
  assert.equal(r.status, 201, r.text);
  const first = r.data.id;
  assert.equal(r.data.addresses[0].is_default, true, 'the first address is the default');
  r = await c.post('/api/v1/me/addresses', { json: { ...good, name: '李四', region: '北京市/海淀区' } });
  const second = r.data.id;
  assert.equal(r.data.addresses.find((a) => a.id === second).is_default, false);
  r = await c.post(`/api/v1/me/addresses/${second}/default`);
  assert.deepEqual(r.data.addresses.filter((a) => a.is_default).map((a) => a.id), [second]);
  r = await c.post(`/api/v1/me/addresses/${first}`, { json: { ...good, detail: '香港东路 23 号' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.addresses.find((a) => a.id === first).detail, '香港东路 23 号');
  // another person's address is not found
  const other = await newStudent(srv, admin, { pay_when: 'school' });
  r = await other.post(`/api/v1/me/addresses/${first}`, { json: good });
  assert.equal(r.status, 404);
  assert.equal((await other.req('DELETE', `/api/v1/me/addresses/${first}`)).status, 404);
  r = await c.req('DELETE', `/api/v1/me/addresses/${second}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.data.addresses.map((a) => [a.id, a.is_default]), [[first, true]], 'the default moves on');
});

test('orders by state; a reprint through the print queue: paid, PDF, shipped, done', { skip: noPhotos, timeout: 300000 }, async () => {
  const reviewer = admin;
  const c = await newStudent(srv, admin, { pay_when: 'after_confirm', fee_fen: 2000, album_allowed: true });
  await c.post('/api/v1/me/tutorial/done');
  let r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  const pid = r.data.photo.id;
  const p = await poll('the photo', async () => { const x = await c.get(`/api/v1/me/photos/${pid}`); return x.data.state !== 'processing' && x.data; });
  assert.equal(p.state, 'draft');
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.data.next, 'pay');
  // reprints need an approved photo
  r = await c.get('/api/v1/me/reprint');
  assert.deepEqual(r.data.photos, []);
  r = await c.post('/api/v1/me/pay');
  const feeNo = r.data.order.out_trade_no;
  assert.equal((await c.get('/api/v1/me/orders?state=to_pay')).data.orders.length, 1);
  r = await c.post(`/api/v1/pay/sandbox/${feeNo}/pay`);
  assert.equal(r.status, 200, r.text);
  r = await c.get('/api/v1/me/orders?state=bogus');
  assert.equal(r.data.error.code, 'order.bad_filter');
  r = await reviewer.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.equal((await reviewer.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  // a completed photo order offers the photo
  r = await c.get(`/api/v1/me/orders/${feeNo}`);
  assert.equal(r.data.order.tab, 'done');
  assert.equal(r.data.order.lines[0].amount_fen, 2000);
  assert.equal(r.data.order.result.standard_url, '/api/v1/me/result/standard.jpg');
  assert.equal((await c.get('/api/v1/me/orders?state=done')).data.orders.length, 1);

  // the reprint
  r = await c.post('/api/v1/me/addresses', { json: { name: '付费', phone: '13912345678', region: '山东省 青岛市 崂山区', detail: '松岭路 238 号' } });
  const addr = r.data.id;
  r = await c.get('/api/v1/me/reprint');
  assert.equal(r.data.photos.length, 1);
  assert.deepEqual(r.data.layouts.map((l) => l.id), ['1', '2', '6inch', '5inch', 'a4']);
  const unit = r.data.layouts[0].unit_fen;
  r = await c.post('/api/v1/me/reprints', { json: { student_id: r.data.photos[0].student_id, layout: '9', quantity: 1, address_id: addr } });
  assert.equal(r.data.error.code, 'reprint.bad_layout');
  r = await c.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 0, address_id: addr } });
  assert.equal(r.data.error.code, 'reprint.bad_quantity');
  r = await c.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 2, address_id: 999999 } });
  assert.equal(r.data.error.code, 'reprint.no_address');
  r = await c.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 2, address_id: addr } });
  assert.equal(r.status, 201, r.text);
  const rp = r.data.order;
  assert.equal(rp.amount_fen, 2 * unit);
  assert.equal(rp.detail.address.phone, '13912345678');
  assert.match(r.data.launch.url, /^\/pay\/sandbox\/RP/);
  r = await c.post(`/api/v1/pay/sandbox/${rp.out_trade_no}/pay`);
  assert.equal(r.data.return_url, `/#/order/${rp.out_trade_no}`);
  assert.equal((await c.get('/api/v1/me/orders?state=to_ship')).data.orders[0].out_trade_no, rp.out_trade_no);

  // platform staff: the queue, the PDF, shipped
  assert.ok([401, 403].includes((await c.get('/api/v1/print/orders')).status), 'students see no print queue');
  r = await admin.get('/api/v1/print/orders?ship_state=to_ship');
  assert.ok(r.data.orders.some((o) => o.out_trade_no === rp.out_trade_no));
  const pdf = await fetch(`${srv.url}/api/v1/print/orders/${rp.out_trade_no}/sheet.pdf`, { headers: { cookie: admin.cookieHeader() } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  r = await admin.post(`/api/v1/print/orders/${rp.out_trade_no}/ship`, { json: { carrier: '顺丰速运', tracking: 'x' } });
  assert.equal(r.data.error.code, 'order.bad_tracking');
  r = await admin.post(`/api/v1/print/orders/${rp.out_trade_no}/ship`, { json: { carrier: '顺丰速运', tracking: 'SF1234567890' } });
  assert.equal(r.status, 200, r.text);
  r = await admin.post(`/api/v1/print/orders/${rp.out_trade_no}/ship`, { json: { carrier: '顺丰速运', tracking: 'SF1234567890' } });
  assert.equal(r.data.error.code, 'order.not_to_ship', 'shipped once');
  r = await c.get(`/api/v1/me/orders/${rp.out_trade_no}`);
  assert.equal(r.data.order.tab, 'shipped');
  assert.equal(r.data.order.tracking, 'SF1234567890');
  assert.ok((await c.get('/api/v1/me/messages')).data.messages.some((m) => /SF1234567890/.test(m.body_zh)));
  r = await c.post(`/api/v1/me/orders/${rp.out_trade_no}/received`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.order.tab, 'done');
  assert.equal((await c.get('/api/v1/me/orders?state=done')).data.orders.length, 2);
});

// ---- the outbox survives a restart ------------------------------------------------------------------------------

test('undelivered e-mails survive a restart and go out when the mail server is back', { timeout: 120000 }, async () => {
  const smtp = await standin('tests/notify/smtp-standin.mjs');
  const ctl = (p, body) => fetch(`http://127.0.0.1:${smtp.info.ctl_port}${p}`, { method: body ? 'POST' : 'GET', body: body && JSON.stringify(body) }).then((r) => r.json());
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tucai-outbox-'));
  const run = async () => {
    const proc = spawn(BIN, ['serve', '--data-dir', dataDir, '--port', '0', '--web-dir', path.join(ROOT, 'web'), '--demo',
      '--smtp-url', `smtp://127.0.0.1:${smtp.info.smtp_port}`, '--smtp-from', 'photos@example.edu.cn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const url = await poll('the server', async () => (log.match(/serving on (http:\/\/[^\s]+)/) || [])[1]);
    return { url, proc, log: () => log, stop: () => new Promise((r) => { proc.on('exit', r); proc.kill('SIGTERM'); }) };
  };
  try {
    const a = await run();
    const s = { url: a.url, demo: JSON.parse((await import('node:fs')).readFileSync(path.join(dataDir, 'demo', 'demo.json'), 'utf8')) };
    const adm = new Client(a.url);
    await adm.staffLogin(s.demo.staff[0].username, s.demo.staff[0].password);
    // a payment notice by e-mail (the student chose it, and confirmed the
    // address: status e-mails go to a confirmed address only)
    const c = await newStudent(s, adm, { pay_when: 'before_shoot', fee_fen: 900 }, { email: 'stu@example.edu.cn' });
    let r = await c.post('/api/v1/me/email/code', { json: { email: 'stu@example.edu.cn' } });
    assert.equal(r.status, 202, r.text);
    const codeMail = await poll('the code', async () => (await ctl('/messages'))[0]);
    r = await c.post('/api/v1/me/email/confirm', { json: { code: codeMail.text.match(/\b(\d{6})\b/)[1] } });
    assert.equal(r.status, 200, r.text);
    await ctl('/refuse', { on: true }); // the mail server is down
    r = await c.post('/api/v1/me/pay');
    assert.equal((await c.post(`/api/v1/pay/sandbox/${r.data.order.out_trade_no}/pay`)).status, 200);
    await poll('a failed attempt', async () => /outbox: message \d+ \(email\) will retry/.test(a.log()));
    await a.stop();
    assert.equal((await ctl('/messages')).length, 1, 'nothing delivered yet but the code');
    await ctl('/refuse', { on: false }); // the mail server is back
    const b = await run();
    try {
      const got = await poll('the e-mail', async () => { const m = await ctl('/messages'); return m.length > 1 && m.slice(1); });
      assert.equal(got.length, 1);
      assert.deepEqual(got[0].to, ['stu@example.edu.cn']);
      assert.match(got[0].subject, /支付成功/);
    } finally { await b.stop(); }
  } finally {
    smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
