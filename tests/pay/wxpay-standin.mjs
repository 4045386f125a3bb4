// A local stand-in for WeChat Pay API v3, for tests only.
//
// At start-up it makes a merchant key pair and a platform key pair in a
// temporary folder and prints one JSON line on stdout:
//   {"port","dir","mchid","appid","serial","merchant_key","platform_pub","apiv3_key","oa_secret"}
// then serves, on 127.0.0.1:<port>:
//   POST /v3/pay/transactions/jsapi | /h5       create an order (prepay_id | h5_url)
//   GET  /v3/pay/transactions/out-trade-no/:no  query (?mchid=)
//   POST /v3/pay/transactions/out-trade-no/:no/close  close an unpaid order ({"mchid"}; 204;
//        400 ORDERPAID when it is paid, 404 ORDER_NOT_EXIST)
//   POST /v3/refund/domestic/refunds            refund a paid order (the same out_refund_no again: the same refund)
// Every /v3 request must carry a valid WECHATPAY2-SHA256-RSA2048 Authorization
// (401 SIGN_ERROR otherwise); every answer is signed with the platform key.
// Test controls (unsigned, not part of WeChat's API):
//   POST /__ctl/mode      {"bad_sign":bool,"stale":bool,"auto_pay":bool,"refund_down":bool,"close_down":bool}  how later answers are
//        signed; auto_pay: every order created is paid at once and its callback
//        POSTed to the order's notify_url (as WeChat does after the payer pays);
//        refund_down / close_down: refunds / closes answer 500 SYSTEM_ERROR (WeChat busy)
//   POST /__ctl/callback  {"out_trade_no","kind":"payment"|"refund","url"?,"notify"?,"bad_sign"?,"stale"?,
//        "wrong_key"?,"amount"?}
//        marks the order paid (payment) and builds the signed, AES-256-GCM
//        encrypted callback; POSTs it to url (or, with notify:true, to the
//        order's notify_url) when given, and answers
//        {"headers":{...},"body":"...","status"?,"answer"?} either way.
//        amount: claim another total than the order's (a forged amount).
//        A CLOSED order is refused (409 ORDER_CLOSED) unless "paid_while_closing":true:
//        the payer was already on WeChat's cashier page when the merchant closed
//        it, and the payment went through (the race closing cannot rule out).
//   GET  /__ctl/callbacks  the auto_pay callbacks sent: [{out_trade_no,status}]
//   GET  /__ctl/orders     the orders created: [{out_trade_no,trade_type,openid}]
//   GET  /__ctl/states     where they are: [{out_trade_no,state,closes,refunds:[{out_refund_no,refund}]}]
// WeChat web authorisation of the Official Account (公众号网页授权, snsapi_base):
//   GET  /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
//        {access_token,expires_in,refresh_token,openid,scope} for a code it
//        issued; HTTP 200 {errcode,errmsg} otherwise, as WeChat answers:
//        40029 invalid code, 40163 code been used, 40125 invalid appsecret,
//        40013 invalid appid
//   POST /__ctl/oauth_code {"openid"}  issue a code for that user, as WeChat's
//        authorize page does before redirecting (the test plays the redirect)
//   POST /__ctl/oauth_mode {"down":bool}  down: drop every later exchange's
//        connection without an answer (a network failure)
//   GET  /__ctl/oauth_log   the exchanges received: [{appid,secret_ok,code,grant_type}]
// WeChat subscribe messages (subscribeMessage.send) of the same app:
//   GET  /cgi-bin/token?grant_type=client_credential&appid&secret  {access_token,expires_in:7200};
//        {errcode:40013|40125|40002} for a wrong appid / secret / grant_type
//   POST /cgi-bin/message/subscribe/send?access_token  checks the token (40001
//        when not one it gave or revoked), touser (40003 when not an openid its
//        authorisation gave), template_id, and the data fields (thing* at most
//        20 characters, time* "YYYY-MM-DD HH:MM": 47003 otherwise), then
//        records the message; {errcode:0,errmsg:"ok"}
//   POST /__ctl/subscribe_mode {"revoke_tokens":bool}  revoke every token given so far (as
//        when another server asks for a new one)
//   GET  /__ctl/subscribe_log  [{touser,template_id,page,data,lang}] the messages accepted, and
//        GET /__ctl/token_log [{appid,secret_ok}] the token requests
// It exits when its stdin closes, so a test that spawned it cannot leave it behind.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-standin-'));
const gen = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = gen();
const platform = gen();
const MCHID = '1900000109';
const APPID = 'wxd678efh567hg6787';
const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const PLATFORM_SERIAL = 'PUB_KEY_ID_0114232134912410000000000000';
const APIV3 = crypto.randomBytes(16).toString('hex'); // 32 characters
const OA_SECRET = crypto.randomBytes(16).toString('hex'); // the Official Account's AppSecret
const files = {
  merchant_key: path.join(dir, 'apiclient_key.pem'),
  platform_pub: path.join(dir, 'wechatpay_pub.pem'),
};
fs.writeFileSync(files.merchant_key, merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
fs.writeFileSync(files.platform_pub, platform.publicKey.export({ type: 'spki', format: 'pem' }));

const orders = new Map(); // out_trade_no -> {amount, state, transaction_id, openid, trade_type, success_time, refunds}
let mode = { bad_sign: false, stale: false, auto_pay: false };
const sent = []; // auto_pay callbacks: {out_trade_no, status}
const now = () => Math.floor(Date.now() / 1000);
const nonce = () => crypto.randomBytes(16).toString('hex').toUpperCase();
const rfc3339 = (t) => new Date((t + 8 * 3600) * 1000).toISOString().replace(/\.\d+Z$/, '+08:00');

function platformSign(ts, n, body, bad) {
  const s = crypto.sign('sha256', Buffer.from(`${ts}\n${n}\n${body}\n`), platform.privateKey).toString('base64');
  if (!bad) return s;
  const b = Buffer.from(s, 'base64');
  b[10] ^= 1; // one bit off: well-formed, wrong
  return b.toString('base64');
}

function signedHeaders(body, opt = {}) {
  const ts = String(now() - (opt.stale ? 600 : 0));
  const n = nonce();
  return {
    'Wechatpay-Timestamp': ts,
    'Wechatpay-Nonce': n,
    'Wechatpay-Signature': platformSign(ts, n, body, opt.bad_sign),
    'Wechatpay-Serial': PLATFORM_SERIAL,
  };
}

function send(res, status, obj, opt = mode) {
  const body = obj === null ? '' : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Request-ID': nonce(), ...signedHeaders(body, opt) });
  res.end(body);
}

// Checks the merchant's signature exactly as WeChat Pay documents it.
function checkAuth(req, body) {
  const h = req.headers.authorization || '';
  const m = /^WECHATPAY2-SHA256-RSA2048 (.*)$/.exec(h);
  if (!m) return 'no WECHATPAY2-SHA256-RSA2048 Authorization';
  const f = {};
  for (const part of m[1].split(',')) {
    const k = /^\s*(\w+)="([^"]*)"\s*$/.exec(part);
    if (k) f[k[1]] = k[2];
  }
  if (f.mchid !== MCHID) return 'wrong mchid';
  if (f.serial_no !== SERIAL) return 'wrong serial_no';
  if (!f.nonce_str || !f.signature || !/^\d+$/.test(f.timestamp || '')) return 'missing fields';
  if (Math.abs(now() - Number(f.timestamp)) > 300) return 'stale timestamp';
  const msg = `${req.method}\n${req.url}\n${f.timestamp}\n${f.nonce_str}\n${body}\n`;
  const ok = crypto.verify('sha256', Buffer.from(msg), merchant.publicKey, Buffer.from(f.signature, 'base64'));
  return ok ? null : 'signature does not verify';
}

function transaction(no, o) {
  const t = {
    appid: APPID, mchid: MCHID, out_trade_no: no, trade_type: o.trade_type, trade_state: o.state,
    trade_state_desc: o.state, amount: { total: o.amount, currency: 'CNY' },
  };
  if (o.state === 'SUCCESS' || o.state === 'REFUND') {
    Object.assign(t, { transaction_id: o.transaction_id, bank_type: 'OTHERS', success_time: rfc3339(o.success_time) });
    t.amount.payer_total = o.amount;
    t.amount.payer_currency = 'CNY';
    if (o.openid) t.payer = { openid: o.openid };
  }
  return t;
}

function encrypt(plain, key) {
  const n = crypto.randomBytes(6).toString('hex'); // 12 characters, as WeChat sends
  const ad = 'transaction';
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(n));
  c.setAAD(Buffer.from(ad));
  const ct = Buffer.concat([c.update(Buffer.from(plain)), c.final(), c.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: ad, nonce: n };
}

async function callback(req) {
  const no = req.out_trade_no;
  const o = orders.get(no);
  if (!o) return [404, { code: 'ORDER_NOT_EXIST', message: 'no such order' }];
  let original, type, summary;
  if ((req.kind || 'payment') === 'payment') {
    if (o.state === 'CLOSED' && !req.paid_while_closing) return [409, { code: 'ORDER_CLOSED', message: 'order closed' }];
    if (o.state === 'NOTPAY' || o.state === 'CLOSED') {
      o.state = 'SUCCESS';
      o.transaction_id = '4200000' + String(Date.now()).slice(-10) + crypto.randomInt(100000, 999999);
      o.success_time = now();
    }
    original = transaction(no, o);
    if (req.amount) original.amount = { ...original.amount, total: req.amount, payer_total: req.amount };
    type = 'TRANSACTION.SUCCESS';
    summary = '支付成功';
  } else {
    const r = o.refunds[o.refunds.length - 1];
    if (!r) return [409, { code: 'NO_REFUND', message: 'no refund yet' }];
    original = {
      mchid: MCHID, out_trade_no: no, transaction_id: o.transaction_id, out_refund_no: r.out_refund_no,
      refund_id: r.refund_id, refund_status: 'SUCCESS', success_time: rfc3339(now()),
      amount: { total: o.amount, refund: r.refund, payer_total: o.amount, payer_refund: r.refund },
    };
    type = 'REFUND.SUCCESS';
    summary = '退款成功';
  }
  const key = req.wrong_key ? crypto.randomBytes(16).toString('hex') : APIV3;
  const body = JSON.stringify({
    id: crypto.randomUUID(), create_time: rfc3339(now()), resource_type: 'encrypt-resource', event_type: type,
    summary, resource: { original_type: type.startsWith('REFUND') ? 'refund' : 'transaction', ...encrypt(JSON.stringify(original), key) },
  });
  const headers = { 'Content-Type': 'application/json', ...signedHeaders(body, req) };
  const out = { headers, body };
  const target = req.url || (req.notify ? o.notify_url : null);
  if (target) {
    const r = await fetch(target, { method: 'POST', headers, body }).catch((e) => ({ status: 0, text: async () => String(e) }));
    out.status = r.status;
    out.answer = await r.text();
  }
  return [200, out];
}

// WeChat web authorisation: codes are single use, as WeChat's are.
const codes = new Map(); // code -> {openid, used}
const oauthLog = [];
let oauthDown = false;

function oauth(req, res, u) {
  if (oauthDown) return req.socket.destroy();
  const q = Object.fromEntries(u.searchParams);
  oauthLog.push({ appid: q.appid, secret_ok: q.secret === OA_SECRET, code: q.code, grant_type: q.grant_type });
  const answer = (obj) => { res.writeHead(200, { 'Content-Type': 'application/json; encoding=utf-8' }); res.end(JSON.stringify(obj)); };
  if (q.appid !== APPID) return answer({ errcode: 40013, errmsg: 'invalid appid' });
  if (q.secret !== OA_SECRET) return answer({ errcode: 40125, errmsg: 'invalid appsecret' });
  if (q.grant_type !== 'authorization_code') return answer({ errcode: 40002, errmsg: 'invalid grant_type' });
  const c = codes.get(q.code);
  if (!c) return answer({ errcode: 40029, errmsg: 'invalid code' });
  if (c.used) return answer({ errcode: 40163, errmsg: 'code been used' });
  c.used = true;
  openids.add(c.openid);
  return answer({ access_token: 'ACCESS' + crypto.randomBytes(24).toString('hex'), expires_in: 7200,
    refresh_token: 'REFRESH' + crypto.randomBytes(24).toString('hex'), openid: c.openid, scope: 'snsapi_base' });
}

// subscribe messages: tokens given, messages accepted
const tokens = new Set();
const tokenLog = [];
const subscribeLog = [];
const openids = new Set(); // the openids the authorisation gave out

function wxToken(res, u) {
  const q = Object.fromEntries(u.searchParams);
  tokenLog.push({ appid: q.appid, secret_ok: q.secret === OA_SECRET });
  const answer = (obj) => { res.writeHead(200, { 'Content-Type': 'application/json; encoding=utf-8' }); res.end(JSON.stringify(obj)); };
  if (q.grant_type !== 'client_credential') return answer({ errcode: 40002, errmsg: 'invalid grant_type' });
  if (q.appid !== APPID) return answer({ errcode: 40013, errmsg: 'invalid appid' });
  if (q.secret !== OA_SECRET) return answer({ errcode: 40125, errmsg: 'invalid appsecret' });
  const t = 'TOKEN' + crypto.randomBytes(24).toString('hex');
  tokens.add(t);
  return answer({ access_token: t, expires_in: 7200 });
}

function wxSubscribe(res, u, body) {
  const answer = (obj) => { res.writeHead(200, { 'Content-Type': 'application/json; encoding=utf-8' }); res.end(JSON.stringify(obj)); };
  if (!tokens.has(u.searchParams.get('access_token'))) return answer({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
  let m;
  try { m = JSON.parse(body); } catch { return answer({ errcode: 47001, errmsg: 'data format error' }); }
  if (!openids.has(m.touser)) return answer({ errcode: 40003, errmsg: 'invalid openid' });
  if (!m.template_id) return answer({ errcode: 40037, errmsg: 'invalid template_id' });
  for (const [k, v] of Object.entries(m.data || {})) {
    const val = v && v.value;
    if (typeof val !== 'string') return answer({ errcode: 47003, errmsg: `argument invalid! data.${k}.value empty` });
    if (/^thing/.test(k) && [...val].length > 20) return answer({ errcode: 47003, errmsg: `argument invalid! data.${k}.value too long` });
    if (/^time/.test(k) && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(val)) return answer({ errcode: 47003, errmsg: `argument invalid! data.${k}.value invalid` });
  }
  subscribeLog.push({ touser: m.touser, template_id: m.template_id, page: m.page || null, data: m.data, lang: m.lang || null });
  return answer({ errcode: 0, errmsg: 'ok', msgid: subscribeLog.length });
}

async function route(req, res, body) {
  const u = new URL(req.url, 'http://x');
  if (req.method === 'GET' && u.pathname === '/cgi-bin/token') return wxToken(res, u);
  if (req.method === 'POST' && u.pathname === '/cgi-bin/message/subscribe/send') return wxSubscribe(res, u, body);
  if (req.method === 'POST' && u.pathname === '/__ctl/subscribe_mode') {
    if (JSON.parse(body || '{}').revoke_tokens) tokens.clear();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end('{}');
  }
  if (req.method === 'GET' && (u.pathname === '/__ctl/subscribe_log' || u.pathname === '/__ctl/token_log')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(u.pathname === '/__ctl/token_log' ? tokenLog : subscribeLog));
  }
  if (req.method === 'GET' && u.pathname === '/sns/oauth2/access_token') return oauth(req, res, u);
  if (req.method === 'POST' && u.pathname === '/__ctl/oauth_code') {
    const code = crypto.randomBytes(16).toString('hex');
    codes.set(code, { openid: JSON.parse(body || '{}').openid, used: false });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ code }));
  }
  if (req.method === 'POST' && u.pathname === '/__ctl/oauth_mode') {
    oauthDown = !!JSON.parse(body || '{}').down;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ down: oauthDown }));
  }
  if (req.method === 'GET' && u.pathname === '/__ctl/oauth_log') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(oauthLog));
  }
  if (req.method === 'GET' && u.pathname === '/__ctl/orders') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify([...orders].map(([no, o]) => ({ out_trade_no: no, trade_type: o.trade_type, openid: o.openid || null }))));
  }
  if (req.method === 'GET' && u.pathname === '/__ctl/states') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify([...orders].map(([no, o]) => ({ out_trade_no: no, state: o.state, closes: o.closes || 0,
      refunds: o.refunds.map((r) => ({ out_refund_no: r.out_refund_no, refund: r.refund })) }))));
  }
  if (req.method === 'POST' && u.pathname === '/__ctl/mode') {
    mode = { bad_sign: false, stale: false, auto_pay: false, ...JSON.parse(body || '{}') };
    return send(res, 200, mode, {});
  }
  if (req.method === 'POST' && u.pathname === '/__ctl/callback') {
    const [st, out] = await callback(JSON.parse(body || '{}'));
    res.writeHead(st, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(out));
  }
  if (req.method === 'GET' && u.pathname === '/__ctl/callbacks') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(sent));
  }
  if (!u.pathname.startsWith('/v3/')) return send(res, 404, { code: 'NOT_FOUND', message: 'no such API' });
  const bad = checkAuth(req, body);
  if (bad) return send(res, 401, { code: 'SIGN_ERROR', message: bad });
  let j = {};
  if (body) {
    try { j = JSON.parse(body); } catch { return send(res, 400, { code: 'PARAM_ERROR', message: 'bad JSON' }); }
  }
  const create = /^\/v3\/pay\/transactions\/(jsapi|h5)$/.exec(u.pathname);
  if (req.method === 'POST' && create) {
    const kind = create[1];
    if (j.mchid !== MCHID || j.appid !== APPID || !j.out_trade_no || !j.description || !j.notify_url ||
        !j.amount || !(j.amount.total > 0))
      return send(res, 400, { code: 'PARAM_ERROR', message: 'missing fields' });
    if (kind === 'jsapi' && !(j.payer && j.payer.openid)) return send(res, 400, { code: 'PARAM_ERROR', message: 'payer.openid' });
    if (kind === 'h5' && !(j.scene_info && j.scene_info.payer_client_ip && j.scene_info.h5_info))
      return send(res, 400, { code: 'PARAM_ERROR', message: 'scene_info' });
    const old = orders.get(j.out_trade_no);
    if (old && old.state === 'CLOSED') return send(res, 400, { code: 'ORDER_CLOSED', message: 'order closed' });
    if (old && old.state !== 'NOTPAY') return send(res, 400, { code: 'ORDERPAID', message: 'order paid' });
    orders.set(j.out_trade_no, { amount: j.amount.total, state: 'NOTPAY', trade_type: kind === 'jsapi' ? 'JSAPI' : 'MWEB',
      openid: j.payer && j.payer.openid, refunds: [], notify_url: j.notify_url });
    if (mode.auto_pay) {
      // the payer pays a moment after the order exists; WeChat then calls back
      setTimeout(() => {
        callback({ out_trade_no: j.out_trade_no, notify: true })
          .then(([, out]) => sent.push({ out_trade_no: j.out_trade_no, status: out.status, answer: out.answer }))
          .catch((e) => sent.push({ out_trade_no: j.out_trade_no, status: 0, answer: String(e) }));
      }, 50);
    }
    const prepay = 'wx' + crypto.randomBytes(14).toString('hex');
    return kind === 'jsapi' ? send(res, 200, { prepay_id: prepay })
      : send(res, 200, { h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepay}&package=1` });
  }
  const cl = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(u.pathname);
  if (req.method === 'POST' && cl) {
    if (mode.close_down) return send(res, 500, { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' });
    if (j.mchid !== MCHID) return send(res, 400, { code: 'PARAM_ERROR', message: 'mchid' });
    const o = orders.get(cl[1]);
    if (!o) return send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    if (o.state === 'SUCCESS' || o.state === 'REFUND') return send(res, 400, { code: 'ORDERPAID', message: '订单已支付' });
    o.state = 'CLOSED';
    o.closes = (o.closes || 0) + 1;
    return send(res, 204, null);
  }
  const q = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(u.pathname);
  if (req.method === 'GET' && q) {
    if (u.searchParams.get('mchid') !== MCHID) return send(res, 400, { code: 'PARAM_ERROR', message: 'mchid' });
    const o = orders.get(q[1]);
    if (!o) return send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    return send(res, 200, transaction(q[1], o));
  }
  if (req.method === 'POST' && u.pathname === '/v3/refund/domestic/refunds') {
    if (mode.refund_down) return send(res, 500, { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' });
    const o = orders.get(j.out_trade_no);
    if (!o) return send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    if (o.state !== 'SUCCESS' && o.state !== 'REFUND') return send(res, 403, { code: 'NOT_ENOUGH', message: 'not paid' });
    // the same out_refund_no again is the same refund (WeChat answers it again, pays back once)
    const same = o.refunds.find((r) => r.out_refund_no === j.out_refund_no);
    if (same) {
      return send(res, 200, {
        refund_id: same.refund_id, out_refund_no: same.out_refund_no, transaction_id: o.transaction_id,
        out_trade_no: j.out_trade_no, channel: 'ORIGINAL', user_received_account: '支付用户零钱',
        create_time: rfc3339(now()), status: 'SUCCESS',
        amount: { total: o.amount, refund: same.refund, payer_total: o.amount, payer_refund: same.refund, currency: 'CNY' },
      });
    }
    const done = o.refunds.reduce((a, r) => a + r.refund, 0);
    if (!j.out_refund_no || !j.amount || j.amount.total !== o.amount || !(j.amount.refund > 0) ||
        done + j.amount.refund > o.amount)
      return send(res, 400, { code: 'PARAM_ERROR', message: 'refund amount' });
    const r = { out_refund_no: j.out_refund_no, refund_id: '5030' + crypto.randomInt(1e9, 9e9), refund: j.amount.refund };
    o.refunds.push(r);
    o.state = 'REFUND';
    return send(res, 200, {
      refund_id: r.refund_id, out_refund_no: r.out_refund_no, transaction_id: o.transaction_id,
      out_trade_no: j.out_trade_no, channel: 'ORIGINAL', user_received_account: '支付用户零钱',
      create_time: rfc3339(now()), status: 'SUCCESS',
      amount: { total: o.amount, refund: r.refund, payer_total: o.amount, payer_refund: r.refund, currency: 'CNY' },
    });
  }
  return send(res, 404, { code: 'NOT_FOUND', message: 'no such API' });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => { size += c.length; if (size <= 1 << 20) chunks.push(c); });
  req.on('end', () => {
    route(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'SYSTEM_ERROR', message: String(e) }));
    });
  });
});

function quit() {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
server.listen(0, '127.0.0.1', () => {
  const info = { port: server.address().port, dir, mchid: MCHID, appid: APPID, serial: SERIAL, apiv3_key: APIV3, oa_secret: OA_SECRET, ...files };
  process.stdout.write(JSON.stringify(info) + '\n');
});
process.stdin.on('end', quit);
process.stdin.on('error', quit);
process.stdin.resume();
process.on('SIGTERM', quit);
