// `tucai serve` starting and stopping (issue 20, items 13 and 14): SIGTERM
// ends open event streams (Server-Sent Events) at once instead of waiting
// out the grace period; the default log has no `debug` lines (libmicrohttpd's
// own reports among them) unless --log-level debug; run outside the checkout,
// a missing --web-dir / --vendor-dir / --models-dir is named with the flag to
// set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer, Client, fileForm, fakeId, BIN, ROOT, acceptConsent } from './lib.mjs';

// A student signed in through the real entry, in a new batch of the demo school.
async function student(srv) {
  const admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '关停测试大学' } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: '关停' } });
  assert.equal(r.status, 201, r.text);
  const batch = r.data.batch;
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + `关停,G1,${fakeId(901)},本科,软件工程,1班,CHSI-STOP-1\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`, { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  const c = new Client(srv.url);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: 'CHSI-STOP-1', id_last4: fakeId(901).slice(-4) }) });
  assert.equal(r.status, 200, r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 200, r.text);
  await acceptConsent(c);
  return c;
}

test('SIGTERM with an event stream open: the stream is closed and the process exits at once, cleanly', { timeout: 120000 }, async () => {
  const srv = await startServer();
  const c = await student(srv);
  const ctl = new AbortController();
  const res = await fetch(srv.url + '/api/v1/me/events', { headers: { cookie: c.cookieHeader() }, signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body.getReader();
  const first = await reader.read(); // "retry: 3000": the stream is live
  assert.match(Buffer.from(first.value).toString(), /retry:/);
  // a second stream, idle for a while, so both sit suspended in the server
  const res2 = await fetch(srv.url + '/api/v1/me/events', { headers: { cookie: c.cookieHeader() }, signal: ctl.signal });
  const reader2 = res2.body.getReader();
  await reader2.read();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  const stopped = srv.stop();
  // the client sees its stream end (not hang until the server is gone)
  const ended = (async () => { try { for (;;) { const { done } = await reader.read(); if (done) return true; } } catch { return true; } })();
  const { code, sig, log } = await stopped;
  const took = Date.now() - t0;
  assert.ok(await ended);
  ctl.abort();
  assert.equal(sig, null, log.slice(-3000));
  assert.equal(code, 0, log.slice(-3000));
  assert.ok(took < 3000, `took ${took} ms to stop:\n${log.slice(-2000)}`);
  assert.doesNotMatch(log, /Sanitizer|runtime error:/, log.slice(-3000));
  assert.match(log, /http stopped/);
});

test('the default log has no debug lines, libmicrohttpd reports included; --log-level debug shows them', { timeout: 120000 }, async () => {
  // an HTTP/1.1 request without Host: libmicrohttpd answers 400 itself and
  // reports it through our logger
  const poke = (url) => new Promise((resolve) => {
    const u = new URL(url);
    const s = net.connect(Number(u.port), u.hostname, () => s.write('GET / HTTP/1.1\r\n\r\n'));
    s.on('data', () => s.end());
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
  let srv = await startServer({ demo: false });
  await poke(srv.url);
  await new Promise((r) => setTimeout(r, 300));
  let { code, log } = await srv.stop();
  assert.equal(code, 0, log);
  assert.doesNotMatch(log, /Z debug /, log);
  assert.match(log, /Z info /);

  srv = await startServer({ demo: false, extraArgs: ['--log-level', 'debug'] });
  await poke(srv.url);
  await new Promise((r) => setTimeout(r, 300));
  ({ code, log } = await srv.stop());
  assert.equal(code, 0, log);
  assert.match(log, /Z debug mhd: /, log);

  // warn: info lines go too; a bad level is refused by name
  srv = await startServer({ demo: false, extraArgs: ['--log-level', 'warn'] });
  ({ code, log } = await srv.stop());
  assert.doesNotMatch(log, /Z (debug|info) /, log);
  const bad = await run(['serve', '--data-dir', path.join(tmpdir(), 'never'), '--log-level', 'loud'], ROOT);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /--log-level/);
  assert.match(bad.err, /config\.bad_value|config\.log_level/);
});

// Run tucai to its end, without any TUCAI_* setting from the environment;
// resolve with { code, out, err }.
function run(args, cwd, ms = 20000) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TUCAI_')));
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => p.kill('SIGTERM'), ms);
    p.on('exit', (code) => { clearTimeout(t); resolve({ code, out, err }); });
  });
}

test('run outside the checkout: a missing --web-dir, --vendor-dir or --models-dir is named, with the flag to set', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tucai-elsewhere-'));
  try {
    const data = path.join(dir, 'data');
    // nothing given: the first missing folder stops the start, named with its flag (zh + en, stable code)
    let r = await run(['serve', '--data-dir', data, '--port', '0'], dir);
    assert.notEqual(r.code, 0, r.out + r.err);
    assert.match(r.err, /config\.web_dir_missing/, r.err);
    assert.match(r.err, /--web-dir/);
    assert.match(r.err, /网页/);
    // the pages given, the npm packages not
    r = await run(['serve', '--data-dir', data, '--port', '0', '--web-dir', path.join(ROOT, 'web')], dir);
    assert.notEqual(r.code, 0, r.out + r.err);
    assert.match(r.err, /config\.vendor_dir_missing/, r.err);
    assert.match(r.err, /--vendor-dir/);
    // both given, the models not: the server runs without photos, and the warning names --models-dir
    r = await run(['serve', '--data-dir', data, '--port', '0', '--web-dir', path.join(ROOT, 'web'),
      '--vendor-dir', path.join(ROOT, 'node_modules')], dir, 4000);
    assert.match(r.out, /serving on/, r.out + r.err);
    assert.match(r.err, /photos are disabled.*--models-dir.*\[config\.models_dir_missing\]/, r.err);
    // tucai photo (needs the models) fails with the same code
    r = await run(['photo', path.join(ROOT, 'web', 'missing.jpg'), '-o', path.join(dir, 'x.jpg')], dir);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /TUCAI_MODELS/, r.err);
    assert.match(r.err, /vision\.model_missing/, r.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
