// WeChat web authorisation (公众号网页授权, snsapi_base) for JSAPI payment,
// against the local stand-in (tests/pay/wxpay-standin.mjs), which answers
// /sns/oauth2/access_token as WeChat does.  The test plays WeChat's authorize
// page: it reads redirect_uri and state from the URL the server hands out and
// follows redirect_uri with a code the stand-in issued.
//
// Asserted: outside WeChat nothing changes (H5); inside WeChat the pay
// endpoints say wechat.openid_required until the session is authorised and
// make no order meanwhile; the authorize URL; a wrong state, another
// session's state and a reused state are refused (403); WeChat's errcodes
// 40029 and 40163 and a dropped connection are clear errors; after the
// callback the JSAPI order reaches the stand-in with the openid WeChat gave;
// an openid in the body is not trusted; neither the AppSecret nor the
// access_token shows in the server's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, fileForm, fakeId, acceptConsent } from './lib.mjs';
import { standin } from '../pay/standin.mjs';

const UA_WECHAT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN';

// A student's phone inside WeChat: the same client, WeChat's User-Agent.
class WeChatClient extends Client {
  req(method, p, o = {}) { return super.req(method, p, { ...o, headers: { 'user-agent': UA_WECHAT, ...(o.headers || {}) } }); }
}

let wx, srv, admin, ctl;

before(async () => {
  wx = await standin('tests/pay/wxpay-standin.mjs');
  const w = wx.info;
  const base = `http://127.0.0.1:${w.port}`;
  srv = await startServer({ extraArgs: ['--pay-provider', 'wechat', '--wxpay-mchid', w.mchid, '--wxpay-appid', w.appid,
    '--wxpay-serial', w.serial, '--wxpay-key-file', w.merchant_key, '--wxpay-platform-cert', w.platform_pub,
    '--wxpay-apiv3-key', w.apiv3_key, '--wxpay-base-url', base, '--wxpay-notify-url', 'https://example.invalid/notify',
    '--wxpay-oa-secret', w.oa_secret, '--wxpay-oa-base-url', base] });
  ctl = (p, body) => fetch(base + p, { method: body ? 'POST' : 'GET', body: body && JSON.stringify(body) }).then((r) => r.json());
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});

after(async () => {
  if (srv) await srv.stop();
  if (wx) wx.stop();
});

let seq = 900;
// A verified student of a batch that charges before shooting, on client cls.
async function newStudent(cls = WeChatClient) {
  const n = seq++;
  let r = await admin.post('/api/v1/schools', { json: { name: '授权测试学校' + n } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: 'oauth ' + n, settings: { pay_when: 'before_shoot', fee_fen: 1200 } } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const chsi = 'CHSI-OAUTH-' + n;
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + `授权${n},W${n},${fakeId(n)},本科,会计,1班,${chsi}\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new cls(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(n).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: false, payment: false } })).status, 200);
  assert.equal((await c.get('/api/v1/me/journey')).data.step, 'pay_first');
  return c;
}

// Start the authorisation; the authorize URL's parts.
async function start(c, ret = '/#/pay') {
  const r = await c.post('/api/v1/wechat/oauth/start', { json: { return: ret } });
  assert.equal(r.status, 200, r.text);
  const u = new URL(r.data.url);
  return { url: r.data.url, u, state: u.searchParams.get('state'), redirect: u.searchParams.get('redirect_uri') };
}

// WeChat's redirect back, with a code: the path of redirect_uri on our server.
function back(c, a, code, headers) {
  const u = new URL(a.redirect);
  const q = new URLSearchParams({ ...(code !== null ? { code } : {}), state: a.state });
  return c.get(u.pathname + '?' + q, { headers });
}

const issue = async (openid) => (await ctl('/__ctl/oauth_code', { openid })).code;

test('outside WeChat nothing changes: H5, and no authorisation is offered', async () => {
  const c = await newStudent(Client);
  const r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.launch.kind, 'redirect');
  assert.match(r.data.launch.url, /^https:\/\/wx\.tenpay\.com\//);
  const s = await c.post('/api/v1/wechat/oauth/start', { json: { return: '/#/pay' } });
  assert.equal(s.status, 409);
  assert.equal(s.data.error.code, 'wechat.not_in_wechat');
  assert.ok(s.data.error.zh && s.data.error.en);
});

test('inside WeChat: openid required, authorise, JSAPI with the openid WeChat gave, body openid not trusted', async () => {
  const c = await newStudent();
  const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

  // no openid yet: a stable code, and no order left behind
  let r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'wechat.openid_required');
  assert.ok(r.data.error.zh && r.data.error.en);
  // a body openid does not stand in for WeChat's word
  r = await c.post('/api/v1/me/pay', { json: { method: 'jsapi', openid: OPENID } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.data.error.code, 'wechat.openid_required');
  assert.deepEqual((await c.get('/api/v1/me/orders')).data.orders, []);

  // the return path must be a path of this site
  for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil', 'pay']) {
    r = await c.post('/api/v1/wechat/oauth/start', { json: { return: bad } });
    assert.equal(r.status, 400, bad + ' ' + r.text);
    assert.equal(r.data.error.code, 'wechat.bad_return');
  }

  const a = await start(c, '/#/pay');
  assert.equal(a.u.origin + a.u.pathname, 'https://open.weixin.qq.com/connect/oauth2/authorize');
  assert.equal(a.u.searchParams.get('appid'), wx.info.appid);
  assert.equal(a.u.searchParams.get('response_type'), 'code');
  assert.equal(a.u.searchParams.get('scope'), 'snsapi_base');
  assert.equal(a.u.hash, '#wechat_redirect');
  assert.match(a.state, /^[0-9a-f]{64}$/, 'unguessable, and only characters WeChat passes through');
  assert.equal(a.redirect, srv.url + '/api/v1/wechat/oauth/callback');
  assert.match(a.url, /redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fapi%2Fv1%2Fwechat%2Foauth%2Fcallback&/, 'redirect_uri percent-encoded');
  const a2 = await start(c, '/#/pay');
  assert.notEqual(a2.state, a.state, 'a fresh state each time');

  // a wrong state, and another session's state, are refused
  const code = await issue(OPENID);
  r = await back(c, { ...a2, state: 'f'.repeat(64) }, code);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_state');
  r = await back(c, { ...a2, state: 'not-hex!' }, code);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_state');
  const other = await newStudent();
  const ao = await start(other, '/#/pay');
  r = await back(c, ao, code);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_state', "another student's state is not this session's");
  // the first state was replaced by the second one
  r = await back(c, a, code);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_state');
  // a browser gets a page (with the code) rather than JSON
  r = await back(c, { ...a2, state: 'e'.repeat(64) }, code, { accept: 'text/html,application/xhtml+xml' });
  assert.equal(r.status, 403);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /data-code="wechat\.bad_state"/);
  assert.match(r.text, /href="\/"/);

  // the real redirect: the code is traded, the openid kept, back to the app
  r = await back(c, a2, code);
  assert.equal(r.status, 302, r.text);
  assert.equal(r.headers.get('location'), '/#/pay');
  const log = await ctl('/__ctl/oauth_log');
  assert.deepEqual(log.at(-1), { appid: wx.info.appid, secret_ok: true, code, grant_type: 'authorization_code' });
  // the state is single use
  r = await back(c, a2, code);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_state');

  // JSAPI: the order reaches WeChat Pay with WeChat's openid
  r = await c.post('/api/v1/me/pay');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.launch.kind, 'jsapi');
  assert.match(r.data.launch.params.package, /^prepay_id=wx/);
  assert.equal(r.data.launch.params.appId, wx.info.appid);
  const no = r.data.order.out_trade_no;
  let seen = (await ctl('/__ctl/orders')).find((o) => o.out_trade_no === no);
  assert.deepEqual(seen, { out_trade_no: no, trade_type: 'JSAPI', openid: OPENID });

  // paying the order again: another openid in the body is refused, the same one is fine
  r = await c.post(`/api/v1/me/orders/${no}/pay`, { json: { method: 'jsapi', openid: 'oSomebodyElse000000000000000' } });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.data.error.code, 'pay.openid_mismatch');
  r = await c.post(`/api/v1/me/orders/${no}/pay`, { json: { method: 'jsapi', openid: OPENID } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.launch.kind, 'jsapi');
  // H5 may still be asked for explicitly (e.g. a browser that only claims to be WeChat)
  r = await c.post(`/api/v1/me/orders/${no}/pay`, { json: { method: 'h5' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.data.launch.kind, 'redirect');
  seen = (await ctl('/__ctl/orders')).find((o) => o.out_trade_no === no);
  assert.equal(seen.trade_type, 'MWEB');

  // the other student's session still has no openid
  r = await other.post('/api/v1/me/pay');
  assert.equal(r.data.error.code, 'wechat.openid_required');

  // nothing secret in the log
  const text = srv.log();
  assert.ok(!text.includes(wx.info.oa_secret), 'the AppSecret is never logged');
  assert.ok(!/ACCESS[0-9a-f]{20}|REFRESH[0-9a-f]{20}/.test(text), 'the access_token is never logged');
});

test("WeChat's errcodes and a network failure are clear errors, and the state is used up", async () => {
  const c = await newStudent();
  // 40029: a code WeChat never issued (or one that expired)
  let a = await start(c);
  let r = await back(c, a, 'NOTACODE0123456789');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'wechat.code_invalid');
  assert.match(r.data.error.en, /40029/);
  r = await back(c, a, 'NOTACODE0123456789');
  assert.equal(r.data.error.code, 'wechat.bad_state', 'a failed callback used its state');

  // 40163: a code used once already
  const used = await issue('oUsedCode00000000000000000000');
  a = await start(c);
  assert.equal((await back(c, a, used)).status, 302);
  a = await start(c);
  r = await back(c, a, used);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'wechat.code_used');
  assert.match(r.data.error.zh, /40163/);

  // a code that is not a code never reaches WeChat
  a = await start(c);
  const before = (await ctl('/__ctl/oauth_log')).length;
  r = await back(c, a, 'a&secret=x');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'wechat.bad_code');
  assert.equal((await ctl('/__ctl/oauth_log')).length, before);
  // no code at all (WeChat refused)
  a = await start(c);
  r = await back(c, a, null);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.data.error.code, 'wechat.no_code');

  // the stand-in drops the connection: a network failure, 503
  await ctl('/__ctl/oauth_mode', { down: true });
  try {
    a = await start(c);
    r = await back(c, a, await issue('oDown000000000000000000000000'));
    assert.equal(r.status, 503, r.text);
    assert.equal(r.data.error.code, 'wechat.unreachable');
  } finally {
    await ctl('/__ctl/oauth_mode', { down: false });
  }
  // and afterwards it works
  a = await start(c);
  r = await back(c, a, await issue('oAfter00000000000000000000000'));
  assert.equal(r.status, 302, r.text);
});
