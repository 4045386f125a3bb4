// Every status reaches the student who opted in (issue 19, seed 000 §7):
// check result, lock, unlock, review result, reset, 成片 ready, reprint
// shipped — in the message centre and by each channel the student chose:
// e-mail (to the confirmed address only; tests/notify/smtp-standin.mjs),
// SMS through the gateway adapter (the stand-in's webhook recorder) and
// WeChat subscribe messages (subscribeMessage.send with an access_token,
// against tests/pay/wxpay-standin.mjs, which checks the token, the openid
// its authorisation gave, the template and the field lengths).
//
// Asserted for each status: the zh text arrives on each channel of the
// student who chose it, addressed to that student's own address, phone and
// openid, naming that student and no other; a student who chose nothing gets
// the message centre only; WeChat cannot be chosen without the openid WeChat
// gave; neither the AppSecret nor the access_token shows in the log.
// Photos go through the real pipeline: needs ../shared/testdata and the models.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, ROOT, TESTDATA, acceptConsent } from './lib.mjs';
import { standin } from '../pay/standin.mjs';

const PORTRAITS = TESTDATA ? path.join(TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const TWO = path.join(PORTRAITS, 'two_people.jpg');
const havePhotos = PORTRAITS && [GOOD, TWO].every((f) => existsSync(f)) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'skipped: needs ../shared/testdata/portraits (TC_TESTDATA) and the models';

const UA_WECHAT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN';
class WeChatClient extends Client {
  req(method, p, o = {}) { return super.req(method, p, { ...o, headers: { 'user-agent': UA_WECHAT, ...(o.headers || {}) } }); }
}

const TEMPLATE = 'TPL-photo-status-1';
let wx, smtp, srv, admin, wxctl, mailctl, school;

before(async () => {
  wx = await standin('tests/pay/wxpay-standin.mjs');
  smtp = await standin('tests/notify/smtp-standin.mjs');
  const w = wx.info;
  const base = `http://127.0.0.1:${w.port}`;
  const ctlBase = `http://127.0.0.1:${smtp.info.ctl_port}`;
  srv = await startServer({ env: { TUCAI_MODELS: MODELS }, extraArgs: ['--pay-provider', 'wechat', '--wxpay-mchid', w.mchid,
    '--wxpay-appid', w.appid, '--wxpay-serial', w.serial, '--wxpay-key-file', w.merchant_key, '--wxpay-platform-cert', w.platform_pub,
    '--wxpay-apiv3-key', w.apiv3_key, '--wxpay-base-url', base, '--wxpay-notify-url', 'https://example.invalid/notify',
    '--wxpay-oa-secret', w.oa_secret, '--wxpay-oa-base-url', base,
    '--wx-subscribe-template', TEMPLATE, '--wx-subscribe-page', 'pages/index/index',
    '--smtp-url', `smtp://127.0.0.1:${smtp.info.smtp_port}`, '--smtp-from', 'photos@example.edu.cn',
    '--sms-webhook-url', `${ctlBase}/webhook`] });
  wxctl = (p, body) => fetch(base + p, { method: body ? 'POST' : 'GET', body: body && JSON.stringify(body) }).then((r) => r.json());
  mailctl = (p) => fetch(ctlBase + p).then((r) => r.json());
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '通知测试大学' } });
  assert.equal(r.status, 201, r.text);
  school = r.data.school;
  // one failed photo is a timed lock of an hour; no cool-off; the same photo
  // serves twice (the duplicate check is not what is tested here)
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/settings`, { json: { settings: {
    cooloff_min: 0, lock_after_fails: 1, lock_hours: 1, pay_when: 'school', checks: { disabled: ['duplicate'] } } } });
  assert.equal(r.status, 200, r.text);
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '0532-8590 1234', wechat: 'tucai_photo', hours: '工作日 8:30–17:00' } });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  if (srv) { const r = await srv.stop(); if (process.env.TC_DEBUG_LOG) console.log(r.log.slice(-5000)); }
  if (wx) wx.stop();
  if (smtp) smtp.stop();
});

const poll = async (what, fn, ms = 30000) => {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
};

let seq = 300;
// A signed-in student of a new batch of the school, inside WeChat.
async function newStudent(name, phone) {
  const n = seq++;
  let r = await admin.post(`/api/v1/schools/${school.id}/batches`, { json: { name: '通知 ' + n } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const chsi = 'CHSI-NOTIFY-' + n;
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + `${name},N${n},${fakeId(n)},本科,会计,1班,${chsi}\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new WeChatClient(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(n).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  c.studentId = (await c.get('/api/v1/me')).data.current_record;
  c.name = name;
  c.phone = phone;
  for (const p of ['notice/read', 'tips/read']) assert.equal((await c.post('/api/v1/me/' + p)).status, 200);
  return c;
}

// WeChat's web authorisation, played as wechat_oauth.test.mjs does.
async function authorise(c, openid) {
  let r = await c.post('/api/v1/wechat/oauth/start', { json: { return: '/#/notify' } });
  assert.equal(r.status, 200, r.text);
  const u = new URL(r.data.url);
  const redirect = new URL(u.searchParams.get('redirect_uri'));
  const code = (await wxctl('/__ctl/oauth_code', { openid })).code;
  r = await c.get(redirect.pathname + '?' + new URLSearchParams({ code, state: u.searchParams.get('state') }));
  assert.ok([200, 302, 303].includes(r.status), r.text);
}

// The confirmed-address flow: the code comes by e-mail.
async function confirmEmail(c, email) {
  let r = await c.post('/api/v1/me/email/code', { json: { email } });
  assert.equal(r.status, 202, r.text);
  const mail = await poll('the code e-mail', async () => (await mailctl('/messages')).find((m) => m.to.includes(email)));
  const code = (mail.text.match(/\b(\d{6})\b/) || [])[1];
  r = await c.post('/api/v1/me/email/confirm', { json: { code } });
  assert.equal(r.status, 200, r.text);
}

const upload = async (c, file) => {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: file, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  return poll('the photo', async () => { const p = await c.get(`/api/v1/me/photos/${r.data.photo.id}`); return p.data.state !== 'processing' && p.data; }, 120000);
};

// What reached each channel for a student, by title.
const sms = async () => (await mailctl('/webhooks')).map((w) => JSON.parse(w.body)).filter((b) => b.channel === 'sms');
const wechat = () => wxctl('/__ctl/subscribe_log');
const mails = async (to) => (await mailctl('/messages')).filter((m) => m.to.includes(to) && !/验证码/.test(m.subject));

test('each status reaches the message centre, e-mail, SMS and WeChat of the student who chose them; the other gets the message centre only', { skip: noPhotos, timeout: 600000 }, async () => {
  const OPENID = 'oNOTIFY_' + Date.now().toString(36);
  const EMAIL = 'zhang@example.edu.cn';
  const a = await newStudent('张通知', '13911112222');
  const b = await newStudent('李旁观', '13733334444');

  // WeChat needs the openid WeChat gave this session
  let r = await a.post('/api/v1/me/notify', { json: { status: true, payment: true, sms: true, wechat: true } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'journey.wechat_unauthorised');
  assert.match(r.data.error.zh, /微信/);
  await authorise(a, OPENID);
  await confirmEmail(a, EMAIL);
  r = await a.post('/api/v1/me/notify', { json: { status: true, payment: true, sms: true, wechat: true, openid: 'oSOMEONE_ELSE' } });
  assert.equal(r.status, 200, r.text);
  let j = (await a.get('/api/v1/me/journey')).data;
  assert.deepEqual([j.notify.sms, j.notify.wechat, j.notify.email_confirmed, j.notify.wechat_available], [true, true, EMAIL, true]);
  assert.deepEqual(j.school.contact, { phone: '0532-8590 1234', wechat: 'tucai_photo', hours: '工作日 8:30–17:00' });
  // b chooses nothing outside the app
  r = await b.post('/api/v1/me/notify', { json: { status: false, payment: false, email: '' } });
  assert.equal(r.status, 200, r.text);
  for (const c of [a, b]) assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);

  // check result (failed) and the timed lock it starts; then the unlock
  const f1 = await upload(a, TWO);
  assert.equal(f1.state, 'failed');
  assert.equal((await admin.post(`/api/v1/students/${a.studentId}/unlock`)).status, 200);
  // check result (passed), review: rejected
  const p1 = await upload(a, GOOD);
  assert.equal(p1.state, 'draft', JSON.stringify(p1.failed));
  assert.equal((await upload(b, GOOD)).state, 'draft');
  assert.equal((await a.post('/api/v1/me/submission', { json: { photo_id: p1.id } })).status, 200);
  r = await admin.get('/api/v1/review/queue');
  let item = r.data.items.find((x) => x.photo.id === p1.id);
  r = await admin.post(`/api/v1/review/submissions/${item.id}/reject`, { json: { reasons: ['light_dark'], note: '请在白天重拍' } });
  assert.equal(r.status, 200, r.text);
  // again: approved, 成片
  const p2 = await upload(a, GOOD);
  assert.equal(p2.state, 'draft');
  assert.equal((await a.post('/api/v1/me/submission', { json: { photo_id: p2.id } })).status, 200);
  r = await admin.get('/api/v1/review/queue');
  item = r.data.items.find((x) => x.photo.id === p2.id);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/approve`)).status, 200);
  assert.equal((await admin.post(`/api/v1/review/submissions/${item.id}/final`)).status, 200);
  // a reprint: paid (a payment result), shipped
  r = await a.post('/api/v1/me/addresses', { json: { name: '张通知', phone: '13911112222', region: '山东省 青岛市 崂山区', detail: '松岭路 238 号' } });
  assert.equal(r.status, 201, r.text);
  r = await a.post('/api/v1/me/reprints', { json: { layout: '1', quantity: 1, address_id: r.data.id } });
  assert.equal(r.status, 201, r.text);
  const rp = r.data.order.out_trade_no;
  r = await wxctl('/__ctl/callback', { out_trade_no: rp, kind: 'payment', url: `${srv.url}/api/v1/pay/notify/wechat` });
  assert.equal(r.status, 204, JSON.stringify(r).slice(0, 200));
  r = await admin.post(`/api/v1/print/orders/${rp}/ship`, { json: { carrier: '顺丰速运', tracking: 'SF5550001111' } });
  assert.equal(r.status, 200, r.text);
  // the school resets the photo
  r = await admin.post(`/api/v1/students/${a.studentId}/reset`, { json: { reason: '背景不符合要求，请重新拍摄' } });
  assert.equal(r.status, 200, r.text);

  const STATUSES = [
    ['photo_failed', '照片检测未通过'], ['locked', '拍摄已暂时锁定'], ['unlocked', '账号已解锁'], ['photo_passed', '照片检测通过'],
    ['rejected', '照片审核未通过'], ['approved', '照片审核通过'], ['final', '成片已制作完成'], ['shipped', '加洗照片已发货'],
    ['reset', '照片已被学校重置'],
  ];
  // the message centre
  const centre = (await a.get('/api/v1/me/messages')).data.messages;
  for (const [kind, title] of STATUSES) assert.ok(centre.some((m) => m.kind === kind && m.title_zh === title), `${kind} in the message centre: ${JSON.stringify(centre.map((m) => m.kind))}`);

  // e-mail: to the confirmed address, in Chinese, naming the student
  const got = await poll('every e-mail', async () => { const m = await mails(EMAIL); return STATUSES.every(([, t]) => m.some((x) => x.subject.startsWith(t))) && m; });
  for (const [, title] of STATUSES) {
    const m = got.filter((x) => x.subject.startsWith(title));
    assert.equal(m.length, title === '照片检测通过' ? 2 : 1, title);
    assert.deepEqual(m[0].to, [EMAIL]);
    assert.match(m[0].subject, /通知测试大学/);
    assert.match(m[0].text, /^张通知同学：/);
    assert.match(m[0].text, /联系方式：电话 0532-8590 1234 · 微信 tucai_photo · 工作日 8:30–17:00/);
    assert.doesNotMatch(m[0].text, /李旁观/);
  }
  assert.match(got.find((x) => x.subject.startsWith('照片审核未通过')).text, /光线过暗|请在白天重拍/);
  assert.match(got.find((x) => x.subject.startsWith('加洗照片已发货')).text, /SF5550001111/);
  assert.match(got.find((x) => x.subject.startsWith('照片已被学校重置')).text, /背景不符合要求/);
  assert.match(got.find((x) => x.subject.startsWith('拍摄已暂时锁定')).text, /锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

  // SMS: through the gateway adapter, to the student's own phone, signed like every webhook
  const texts = await poll('every SMS', async () => { const s = await sms(); return STATUSES.every(([, t]) => s.some((x) => x.body.includes(t))) && s; });
  for (const [kind, title] of STATUSES) {
    const s = texts.filter((x) => x.subject === kind);
    assert.ok(s.length >= 1, kind);
    for (const x of s) {
      assert.equal(x.recipient, '13911112222', kind);
      assert.ok(x.body.startsWith(`【通知测试大学】${title}：`), x.body);
    }
  }
  const hook = (await mailctl('/webhooks')).find((w) => JSON.parse(w.body).channel === 'sms');
  assert.match(hook.headers['x-tucai-signature'], /^sha256=[0-9a-f]{64}$/);

  // WeChat: subscribeMessage.send to the openid WeChat gave (not the one the body named), the template's fields
  const sent = await poll('every WeChat message', async () => { const s = await wechat(); return STATUSES.every(([, t]) => s.some((x) => x.data.thing1.value === t)) && s; });
  for (const x of sent) {
    assert.equal(x.touser, OPENID);
    assert.equal(x.template_id, TEMPLATE);
    assert.equal(x.page, 'pages/index/index');
    assert.equal(x.lang, 'zh_CN');
    assert.ok([...x.data.thing2.value].length <= 20, x.data.thing2.value);
    assert.match(x.data.time3.value, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  }
  assert.ok(sent.some((x) => x.data.thing1.value === '加洗照片已发货' && x.data.thing2.value.endsWith('…')), 'a long text is cut to 20 characters with an ellipsis');
  assert.ok((await wxctl('/__ctl/token_log')).every((t) => t.secret_ok));
  assert.ok((await wxctl('/__ctl/token_log')).length <= 2, 'the access_token is cached, not asked for each message');

  // b: the message centre has the check result; no e-mail, SMS or WeChat message
  const bc = (await b.get('/api/v1/me/messages')).data.messages;
  assert.ok(bc.some((m) => m.kind === 'photo_passed'));
  assert.ok((await sms()).every((x) => x.recipient !== '13733334444' && !x.body.includes('李旁观')));
  assert.equal((await mailctl('/messages')).filter((m) => /李旁观/.test(m.text)).length, 0);

  // the secrets stay out of the log
  const log = srv.log();
  assert.ok(!log.includes(wx.info.oa_secret), 'the AppSecret is not logged');
  assert.doesNotMatch(log, /TOKEN[0-9a-f]{48}/, 'no access_token in the log');
});

test('an expired access_token is replaced once and the message still goes', { skip: noPhotos, timeout: 120000 }, async () => {
  const c = await newStudent('王令牌', '13955556666');
  await authorise(c, 'oTOKEN_TEST');
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: false, wechat: true } })).status, 200);
  await wxctl('/__ctl/subscribe_mode', { revoke_tokens: true });
  const before = (await wxctl('/__ctl/token_log')).length;
  assert.equal((await admin.post(`/api/v1/students/${c.studentId}/unlock`)).status, 200);
  const m = await poll('the unlock message', async () => (await wechat()).find((x) => x.touser === 'oTOKEN_TEST'));
  assert.equal(m.data.thing1.value, '账号已解锁');
  assert.equal((await wxctl('/__ctl/token_log')).length, before + 1);
});

test('school contact: school staff only, checked, audited', async () => {
  let r = await admin.get(`/api/v1/schools/${school.id}/contact`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.contact.wechat, 'tucai_photo');
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '<script>', wechat: '', hours: '' } });
  assert.equal(r.status, 400);
  assert.equal(r.data.error.code, 'school.bad_contact');
  assert.match(r.data.error.zh, /联系电话/);
  assert.match(r.data.error.en, /phone/);
  r = await admin.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '1'.repeat(61), wechat: '', hours: '' } });
  assert.equal(r.status, 400);
  const s = new Client(srv.url);
  await s.csrf();
  r = await s.req('PUT', `/api/v1/schools/${school.id}/contact`, { json: { phone: '1', wechat: '', hours: '' } });
  assert.ok([401, 403].includes(r.status), r.text);
  r = await admin.get('/api/v1/admin/audit');
  assert.equal(r.status, 200, r.text);
  assert.ok(JSON.stringify(r.data).includes('school.contact'));
});
