// Abuse over HTTP (issue 14, items 7 and 18), against the real server on
// loopback with raw sockets, so that a request can be held half-sent:
//   * an upload route (photos, roster, entry) answers its 401/403 as soon as
//     the headers are in, without waiting for (or reading) a 20 MB body, and
//     30 such bodies held open do not grow the server's memory;
//   * body bytes in flight are budgeted per client address (429) and in
//     total (503), with zh + en errors, and given back when a request ends;
//   * with --trust-proxy, hundreds of connections from the proxy's one
//     address are all served, while one forwarded client that holds too many
//     requests at once is refused with 429.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startServer } from './lib.mjs';

const MB = 1024 * 1024;
const UPLOAD = 20 * MB;   // what the client declares: within the default 20 MB upload limit
const CSRF = 'a'.repeat(32); // a double-submit pair (cookie == header) with no session behind it

let plain;  // tucai serve, direct (no proxy)
let proxied; // tucai serve --trust-proxy
const open = new Set();

before(async () => {
  [plain, proxied] = await Promise.all([startServer(), startServer({ extraArgs: ['--trust-proxy'] })]);
});
after(async () => {
  for (const s of open) s.destroy();
  await Promise.all([plain?.stop(), proxied?.stop()]);
});

// Parse one HTTP response from buf, or null while incomplete.
function parse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(head[0].split(' ')[1]);
  const headers = {};
  for (const l of head.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? -1);
  if (len >= 0 && buf.length < end + 4 + len) return null;
  const text = buf.subarray(end + 4, len >= 0 ? end + 4 + len : buf.length).toString('utf8');
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status, headers, text, json };
}

// Open a connection and send the request line, headers and `body` (which
// may be only the start of what Content-Length announces).  answer resolves
// with the parsed response, {status: 0, closed|error} when the connection
// ends without one.
function send(srv, { method = 'POST', path, headers = {}, body = '', connect = true }) {
  const u = new URL(srv.url);
  const sock = net.connect(Number(u.port), u.hostname);
  open.add(sock);
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  const connected = new Promise((r) => sock.once('connect', r));
  const go = () => { sock.write(head); if (body.length) sock.write(body); };
  if (connect) connected.then(go);
  const answer = new Promise((resolve) => {
    let buf = Buffer.alloc(0), done = false;
    const finish = (r) => { if (!done) { done = true; resolve(r); } };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); const r = parse(buf); if (r) finish(r); });
    sock.on('error', (e) => finish(parse(buf) || { status: 0, error: e.code }));
    sock.on('close', () => finish(parse(buf) || { status: 0, closed: true }));
  });
  return { sock, answer, connected, go };
}

const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(() => r({ timeout: true }), ms))]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function uploadHeaders(extra = {}) {
  return { 'Content-Type': 'multipart/form-data; boundary=xyz', 'Content-Length': String(UPLOAD), ...extra };
}
const withCsrf = (extra = {}) => ({ Cookie: `tc_csrf=${CSRF}`, 'X-CSRF-Token': CSRF, ...extra });

function assertError(r, status, code) {
  assert.ok(!r.timeout, `no answer while the body was still due (expected ${status} ${code})`);
  assert.equal(r.status, status, JSON.stringify(r));
  assert.equal(r.json?.error?.code, code, r.text);
  assert.ok(r.json.error.zh && /[\u4e00-\u9fff]/.test(r.json.error.zh), 'a Chinese message');
  assert.ok(r.json.error.en && r.json.error.en.length > 10, 'an English message');
}

function rssKb(proc) {
  const m = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(m[1]);
}

test('upload routes refuse a missing session or CSRF token before reading the body', { timeout: 60000 }, async () => {
  const cases = [
    // no CSRF at all: the double-submit check of every write
    { path: '/api/v1/me/photos', headers: uploadHeaders(), status: 403, code: 'auth.csrf' },
    { path: '/api/v1/entry/qr', headers: uploadHeaders(), status: 403, code: 'auth.csrf' },
    { path: '/api/v1/entry/code', headers: uploadHeaders({ Cookie: `tc_csrf=${CSRF}`, 'X-CSRF-Token': 'b'.repeat(32) }), status: 403, code: 'auth.csrf' },
    // a well-formed double submit but no session: the role the route needs
    { path: '/api/v1/me/photos', headers: uploadHeaders(withCsrf()), status: 401, code: 'auth.student_required' },
    { path: '/api/v1/batches/1/roster', headers: uploadHeaders(withCsrf()), status: 401, code: 'auth.staff_required' },
    // a made-up session token is no session
    { path: '/api/v1/me/photos', headers: uploadHeaders(withCsrf({ Cookie: `tc_csrf=${CSRF}; tc_sid=${'Z'.repeat(43)}` })), status: 401, code: 'auth.student_required' },
  ];
  for (const c of cases) {
    // 1 KiB of the announced 20 MB: the answer must not wait for the rest
    const { sock, answer } = send(plain, { path: c.path, headers: c.headers, body: Buffer.alloc(1024, 0x41) });
    const r = await within(answer, 5000);
    sock.destroy();
    assertError(r, c.status, c.code);
  }
});

test('30 held anonymous 20 MB uploads do not grow the server memory', { timeout: 90000 }, async (t) => {
  const before = rssKb(plain.proc);
  const N = 30, SEND = 8 * MB, CHUNK = 256 * 1024;
  const chunk = Buffer.alloc(CHUNK, 0x42);
  const conns = [];
  for (let i = 0; i < N; i++) {
    const c = send(plain, { path: '/api/v1/me/photos', headers: uploadHeaders(withCsrf()) });
    // the headers first (send writes them), then up to 8 MB of the body as
    // fast as the server takes it; stop when it closes
    c.pushed = c.connected.then(() => within(c.answer, 500)).then(async () => {
      for (let sent = 0; sent < SEND && !c.sock.destroyed && c.sock.writable;) {
        const ok = c.sock.write(chunk);
        sent += CHUNK;
        if (!ok) {
          const drained = await within(new Promise((r) => { c.sock.once('drain', r); c.sock.once('close', r); }), 3000);
          if (drained?.timeout) break; // the server stopped reading: held
        }
      }
    });
    conns.push(c);
  }
  const answers = await Promise.all(conns.map((c) => within(c.answer, 15000)));
  await Promise.all(conns.map((c) => within(c.pushed, 15000)));
  await sleep(300);
  const grown = (rssKb(plain.proc) - before) / 1024;
  t.diagnostic(`server RSS ${(before / 1024).toFixed(1)} MB before, grown by ${grown.toFixed(1)} MB`);
  for (const c of conns) c.sock.destroy();
  // today's main read every body into memory: 30 x 8 MB = 240 MB
  assert.ok(grown < 48, `server RSS grew by ${grown.toFixed(1)} MB while anonymous bodies were held`);
  for (const r of answers) assertError(r, 401, 'auth.student_required');
});

// A held upload on the entry route (legitimately anonymous: CSRF double
// submit only) from one forwarded address: the server waits for its body.
function holdEntry(srv, ip, len = UPLOAD) {
  return send(srv, {
    path: '/api/v1/entry/qr',
    headers: { ...withCsrf(), 'X-Forwarded-For': ip, 'Content-Type': 'multipart/form-data; boundary=xyz', 'Content-Length': String(len) },
    body: Buffer.alloc(512, 0x43),
  });
}

// Hold `n` uploads from ip and check that none is answered (they wait for their bodies).
async function holdMany(srv, ip, n) {
  const held = Array.from({ length: n }, () => holdEntry(srv, ip));
  const early = await Promise.all(held.map((h) => within(h.answer, 600)));
  early.forEach((r, i) => assert.ok(r.timeout, `held upload ${i} from ${ip} was answered: ${JSON.stringify(r)}`));
  return held;
}

test('body bytes in flight are budgeted per client address (429) and in total (503)', { timeout: 90000 }, async () => {
  // per address: 64 MiB by default, i.e. three 20 MB uploads at once
  const three = await holdMany(proxied, '198.51.100.1', 3);
  const fourth = holdEntry(proxied, '198.51.100.1');
  const r4 = await within(fourth.answer, 5000);
  assertError(r4, 429, 'http.too_many_uploads');
  assert.ok(Number(r4.headers['retry-after']) > 0, 'Retry-After');
  // another address is not affected: a small complete request reaches the handler
  const other = send(proxied, {
    path: '/api/v1/entry/qr', headers: { ...withCsrf(), 'X-Forwarded-For': '198.51.100.2', 'Content-Type': 'text/plain', 'Content-Length': '5' }, body: 'hello',
  });
  const ro = await within(other.answer, 5000);
  assert.ok(!ro.timeout && ro.status >= 400 && ro.status < 500 && ro.status !== 429, JSON.stringify(ro));
  // what a request held is given back when it ends (here: the client leaves)
  three[0].sock.destroy();
  let again;
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    again = holdEntry(proxied, '198.51.100.1');
    const r = await within(again.answer, 400);
    if (r.timeout) break; // accepted: waiting for its body
    again.sock.destroy();
    again = null;
  }
  assert.ok(again, 'the budget of a finished upload was not given back');
  for (const h of [...three, again]) h.sock.destroy();
  await sleep(1000); // the server sees them go and gives their budget back

  // in total: 256 MiB by default, i.e. twelve 20 MB uploads from twelve addresses
  const many = [];
  for (let i = 0; i < 12; i++) many.push(...await holdMany(proxied, `198.51.100.${10 + i}`, 1));
  const last = holdEntry(proxied, '198.51.100.99');
  assertError(await within(last.answer, 5000), 503, 'http.busy');
  for (const h of many) h.sock.destroy();
});

test('--trust-proxy: 300 connections from the proxy address are all served', { timeout: 90000 }, async () => {
  const N = 300;
  const conns = Array.from({ length: N }, (_, i) => send(proxied, {
    method: 'GET', path: '/healthz', headers: { 'X-Forwarded-For': `10.1.${i >> 8}.${i & 255}` }, connect: false,
  }));
  // every connection open at once before any request is sent
  await Promise.all(conns.map((c) => within(c.connected, 10000)));
  await sleep(300);
  conns.forEach((c) => c.go());
  const answers = await Promise.all(conns.map((c) => within(c.answer, 20000)));
  const bad = answers.filter((r) => r.status !== 200);
  for (const c of conns) c.sock.destroy();
  assert.equal(bad.length, 0, `${bad.length} of ${N} not served, e.g. ${JSON.stringify(bad[0])}`);
});

test('--trust-proxy: one forwarded client holding too many requests gets 429, others are served', { timeout: 90000 }, async () => {
  // 64 requests in flight (default), each waiting for the rest of its body
  const held = Array.from({ length: 64 }, () => send(proxied, {
    path: '/api/v1/logout', headers: { 'X-Forwarded-For': '203.0.113.9', 'Content-Type': 'application/json', 'Content-Length': '100' }, body: '{',
  }));
  const early = await Promise.all(held.map((h) => within(h.answer, 1000)));
  assert.equal(early.filter((r) => !r.timeout).length, 0, `held requests answered: ${JSON.stringify(early.find((r) => !r.timeout))}`);
  const more = send(proxied, { method: 'GET', path: '/healthz', headers: { 'X-Forwarded-For': '203.0.113.9' } });
  const r = await within(more.answer, 5000);
  assertError(r, 429, 'http.too_many_requests');
  const other = send(proxied, { method: 'GET', path: '/healthz', headers: { 'X-Forwarded-For': '203.0.113.10' } });
  const ro = await within(other.answer, 5000);
  assert.equal(ro.status, 200, JSON.stringify(ro));
  for (const h of held) h.sock.destroy();
  // and given back when they end
  let ok = false;
  for (let i = 0; i < 20 && !ok; i++) {
    await sleep(100);
    const again = send(proxied, { method: 'GET', path: '/healthz', headers: { 'X-Forwarded-For': '203.0.113.9' } });
    ok = (await within(again.answer, 2000)).status === 200;
    again.sock.destroy();
  }
  assert.ok(ok, 'the forwarded client stayed refused after its requests ended');
});

test('both servers stop cleanly afterwards (no sanitizer report, exit 0)', { timeout: 60000 }, async () => {
  for (const s of open) s.destroy();
  await sleep(200);
  const res = await Promise.all([plain.stop(), proxied.stop()]);
  plain = proxied = null;
  for (const r of res) {
    assert.equal(r.code, 0, r.log.slice(-3000));
    assert.ok(!/Sanitizer|runtime error/.test(r.log), r.log.slice(-3000));
  }
});
