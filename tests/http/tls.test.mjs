// HTTPS served directly (phones open the camera only on HTTPS pages), with a
// self-signed certificate made for the test; cookies are marked Secure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import path from 'node:path';
import { startServer, execFileSync, tempDir } from './lib.mjs';

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

test('serves HTTPS with the given certificate, HSTS and Secure cookies', async () => {
  const dir = tempDir('tucai-tls-');
  const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
    '-days', '1', '-keyout', key, '-out', cert], { stdio: 'pipe' });
  const srv = await startServer({ demo: false, extraArgs: ['--tls-cert', cert, '--tls-key', key] });
  try {
    assert.match(srv.url, /^https:\/\//);
    const r = await get(srv.url + '/healthz');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).status, 'ok');
    assert.match(r.headers['strict-transport-security'] || '', /max-age=/);
    const c = await get(srv.url + '/api/v1/csrf');
    assert.match(String(c.headers['set-cookie']), /Secure/);
    // plain HTTP on the TLS port is not served
    await assert.rejects(fetch(srv.url.replace('https:', 'http:') + '/healthz'));
  } finally {
    await srv.stop();
  }
});

test('a certificate without its key is a clear start-up error', async () => {
  await assert.rejects(startServer({ demo: false, extraArgs: ['--tls-cert', '/nonexistent.pem'] }), /tls-key/);
});
