// A tiny SMTP server for tests: enough of RFC 5321 for libcurl (EHLO/HELO,
// MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), no TLS, no AUTH.  It keeps the
// messages it accepts and decodes them just enough for assertions.
//
// Prints one JSON line on stdout: {"smtp_port","ctl_port"}.  Control API
// (HTTP on 127.0.0.1:ctl_port):
//   GET  /messages            [{from, to:[...], data, subject, text, attachments:[{filename,type,base64}]}]
//   POST /refuse {"on":bool}  answer MAIL FROM with 421 (a channel that is down)
//   POST /webhook             record a POST (a webhook receiver); GET /webhooks lists them with headers
// It exits when its stdin closes.
import net from 'node:net';
import http from 'node:http';

const messages = [];
const webhooks = [];
let refuse = false;

// RFC 2047 B-words (the only kind we write) back to text.
function decodeWords(s) {
  return s.replace(/\r\n[ \t]/g, '').replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

function parseHeaders(block) {
  const h = {};
  for (const line of block.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return h;
}

function decodePart(head, body) {
  const h = parseHeaders(head);
  const enc = (h['content-transfer-encoding'] || '').toLowerCase();
  const raw = enc === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.from(body, 'utf8');
  return { h, raw };
}

function parse(data) {
  const sep = data.indexOf('\r\n\r\n');
  const head = data.slice(0, sep), body = data.slice(sep + 4);
  const rawSubject = (/\r\nSubject: ((?:.|\r\n[ \t])*)/.exec('\r\n' + head) || [])[1] || '';
  const h = parseHeaders(head);
  const out = { subject: decodeWords(rawSubject), text: '', attachments: [], headers: h };
  const m = /boundary="([^"]+)"/.exec(h['content-type'] || '');
  const parts = [];
  if (m) {
    for (const chunk of body.split('--' + m[1]).slice(1)) {
      if (chunk.startsWith('--')) break;
      const c = chunk.replace(/^\r\n/, '');
      const k = c.indexOf('\r\n\r\n');
      parts.push(decodePart(c.slice(0, k), c.slice(k + 4)));
    }
  } else {
    parts.push(decodePart(head, body));
  }
  for (const p of parts) {
    const type = (p.h['content-type'] || 'text/plain').split(';')[0].trim();
    if (type === 'text/plain' && !/attachment/.test(p.h['content-disposition'] || '')) out.text = p.raw.toString('utf8');
    else {
      const fn = /filename="([^"]*)"/.exec(p.h['content-disposition'] || '');
      out.attachments.push({ filename: fn ? decodeWords(fn[1]) : '', type, base64: p.raw.toString('base64') });
    }
  }
  return out;
}

const smtp = net.createServer((sock) => {
  let buf = '';
  let inData = false;
  let data = [];
  let env = { from: '', to: [] };
  const say = (s) => sock.write(s + '\r\n');
  say('220 standin ESMTP ready');
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          const text = Buffer.from(data.join('\r\n') + '\r\n', 'latin1').toString('utf8');
          messages.push({ from: env.from, to: env.to, data: text, ...parse(text) });
          env = { from: '', to: [] };
          data = [];
          say('250 2.0.0 queued');
        } else data.push(line.startsWith('..') ? line.slice(1) : line);
        continue;
      }
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO') { sock.write('250-standin\r\n250-8BITMIME\r\n250 SIZE 20000000\r\n'); }
      else if (cmd === 'HELO') say('250 standin');
      else if (cmd === 'MAIL') {
        if (refuse) say('421 4.3.2 service not available, try later');
        else { env.from = (/<([^>]*)>/.exec(line) || [])[1] || ''; say('250 2.1.0 ok'); }
      } else if (cmd === 'RCPT') { env.to.push((/<([^>]*)>/.exec(line) || [])[1] || ''); say('250 2.1.5 ok'); }
      else if (cmd === 'DATA') { inData = true; say('354 end with <CRLF>.<CRLF>'); }
      else if (cmd === 'RSET') { env = { from: '', to: [] }; say('250 ok'); }
      else if (cmd === 'NOOP') say('250 ok');
      else if (cmd === 'QUIT') { say('221 bye'); sock.end(); }
      else say('502 5.5.2 command not recognised');
    }
  });
  sock.on('error', () => {});
});

const ctl = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const json = (st, o) => { res.writeHead(st, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (req.method === 'GET' && req.url === '/messages') return json(200, messages);
    if (req.method === 'GET' && req.url === '/webhooks') return json(200, webhooks);
    if (req.method === 'POST' && req.url === '/refuse') { refuse = !!JSON.parse(body || '{}').on; return json(200, { refuse }); }
    if (req.method === 'POST' && req.url === '/webhook') { webhooks.push({ headers: req.headers, body }); return json(200, { ok: true }); }
    json(404, { error: 'no such control' });
  });
});

smtp.listen(0, '127.0.0.1', () => {
  ctl.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ smtp_port: smtp.address().port, ctl_port: ctl.address().port }) + '\n');
  });
});
const quit = () => process.exit(0);
process.stdin.on('end', quit);
process.stdin.on('error', quit);
process.stdin.resume();
process.on('SIGTERM', quit);
