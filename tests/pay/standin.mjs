// Driving the Node stand-ins (tests/pay/wxpay-standin.mjs, tests/notify/smtp-standin.mjs)
// from the HTTP tests: start one, a free port for the server, the server's
// WeChat Pay flags for the stand-in.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../http/lib.mjs';

// A stand-in prints one JSON line (its ports, keys ...) and exits when its
// stdin closes, so a test that spawned it cannot leave it behind.
export async function standin(script) {
  const proc = spawn(process.execPath, [path.join(ROOT, script)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(JSON.parse(buf.slice(0, i)));
    });
    proc.on('exit', (c) => reject(new Error(script + ' exited ' + c)));
  });
  return { info, stop: () => proc.stdin.end() };
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// The serve flags that point the wechat provider at the WeChat Pay stand-in
// (w: its info line), with the notify URL on the server's own port.
export function wxpayArgs(w, port) {
  return ['--port', String(port), '--pay-provider', 'wechat', '--wxpay-mchid', w.mchid,
    '--wxpay-appid', w.appid, '--wxpay-serial', w.serial, '--wxpay-key-file', w.merchant_key,
    '--wxpay-platform-cert', w.platform_pub, '--wxpay-apiv3-key', w.apiv3_key,
    '--wxpay-base-url', `http://127.0.0.1:${w.port}`, '--wxpay-notify-url', `http://127.0.0.1:${port}/api/v1/pay/notify/wechat`,
    '--wxpay-oa-secret', w.oa_secret, '--wxpay-oa-base-url', `http://127.0.0.1:${w.port}`];
}
