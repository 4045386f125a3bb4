// Shared helpers for the tests that drive the real server over HTTP.
// startServer() runs the (sanitizer-built) tucai binary on a free port with a
// fresh data directory and the demo data, and returns its URL and demo.json.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = process.env.TC_SRCDIR || path.resolve(new URL('../..', import.meta.url).pathname);
export const BIN = process.env.TUCAI_BIN || path.join(ROOT, 'build/test/tucai');
export const TESTDATA = process.env.TC_TESTDATA || '';

// A temporary folder for one test file's own files, removed when the test
// process exits (however its tests ended), so runs leave nothing in /tmp.
const temps = [];
process.on('exit', () => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });
export function tempDir(prefix) {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

// dataDir: start on an existing data directory (a restart); stop({ keep: true })
// leaves it in place for that.
// With TC_PG_URL and TC_PG_ADMIN_URL set (the test runs under
// tests/services/postgres), each server gets a fresh PostgreSQL database of
// that cluster instead of a SQLite file (issue 18), made here with psql and
// kept with the data directory for a restart.
let pgSeq = 0;
function pgDatabaseFor(dataDir) {
  const admin = process.env.TC_PG_ADMIN_URL, url = process.env.TC_PG_URL;
  if (!admin || !url) return null;
  const marker = path.join(dataDir, 'pg-database');
  let name;
  if (existsSync(marker)) name = readFileSync(marker, 'utf8').trim();
  else {
    name = `h${process.pid}_${pgSeq++}`;
    execFileSync('psql', ['-X', '-q', admin, '-c', `CREATE DATABASE ${name} OWNER tucai`], { stdio: 'pipe' });
    writeFileSync(marker, name);
  }
  return url.slice(0, url.lastIndexOf('/') + 1) + name;
}

// The database of the server that ran on dataDir, whichever engine: the URL
// of its PostgreSQL database, or null for SQLite (<dataDir>/tucai.db).
function pgUrlOf(dataDir) {
  const marker = path.join(dataDir, 'pg-database');
  const url = process.env.TC_PG_URL;
  if (!url || !existsSync(marker)) return null;
  return url.slice(0, url.lastIndexOf('/') + 1) + readFileSync(marker, 'utf8').trim();
}

// One SQL statement on that database, its rows as sqlite3's list mode prints
// them ("a|b" lines, booleans 1/0), trimmed: for tests that look behind the
// API or set up what an older version left.
export function dbSql(dataDir, q) {
  const pg = pgUrlOf(dataDir);
  if (!pg) return execFileSync('sqlite3', [path.join(dataDir, 'tucai.db'), q], { encoding: 'utf8' }).trim();
  const out = execFileSync('psql', ['-X', '-q', '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', pg, '-c', q], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => l.split('|').map((v) => (v === 't' ? '1' : v === 'f' ? '0' : v)).join('|')).join('\n');
}

// Everything the database holds as bytes: SQLite's file and its WAL, or a
// pg_dump of the PostgreSQL database (to show what is not in it in clear).
export function dbBytes(dataDir) {
  const pg = pgUrlOf(dataDir);
  if (pg) return execFileSync('pg_dump', ['--no-owner', pg]);
  const f = path.join(dataDir, 'tucai.db');
  const wal = existsSync(f + '-wal') ? readFileSync(f + '-wal') : Buffer.alloc(0);
  return Buffer.concat([readFileSync(f), wal]);
}

// A stopped server's data directory and (on PostgreSQL) its database gone.
function forget(dataDir) {
  const marker = path.join(dataDir, 'pg-database');
  if (process.env.TC_PG_ADMIN_URL && existsSync(marker)) {
    const name = readFileSync(marker, 'utf8').trim();
    try {
      execFileSync('psql', ['-X', '-q', process.env.TC_PG_ADMIN_URL, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
    } catch { /* the cluster is thrown away at the end anyway */ }
  }
  rmSync(dataDir, { recursive: true, force: true });
}

export async function startServer({ demo = true, extraArgs = [], env = {}, dataDir: given = null } = {}) {
  // a data directory made here is also removed when the test process exits,
  // whatever stopped (or did not stop) its last server: a restart test keeps
  // it between servers with stop({ keep: true })
  const dataDir = given || tempDir('tucai-test-');
  const pg = extraArgs.includes('--database') ? null : pgDatabaseFor(dataDir);
  const args = ['serve', '--data-dir', dataDir, '--port', '0', '--listen', '127.0.0.1',
    '--web-dir', path.join(ROOT, 'web'), '--vendor-dir', path.join(ROOT, 'node_modules'),
    '--threads', '4', ...(demo ? ['--demo'] : []), ...(pg ? ['--database', pg] : []), ...extraArgs];
  const proc = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  // TC_SERVER_LOG_DIR: every server's output kept in a file there when it
  // exits (to read why a server died under a test)
  if (process.env.TC_SERVER_LOG_DIR)
    proc.on('exit', () => writeFileSync(path.join(process.env.TC_SERVER_LOG_DIR, `server-${proc.pid}.log`), out + err));
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start:\n' + out + err)), 30000);
    const check = () => {
      const m = out.match(/serving on (https?:\/\/[^\s]+)/);
      if (m) { clearTimeout(t); resolve(m[1]); }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`server exited ${code}:\n${out}${err}`)); });
  });
  const demoFile = path.join(dataDir, 'demo', 'demo.json');
  const demoData = demo && existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
  return {
    url, dataDir, demo: demoData, proc,
    log: () => out + err,
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
        proc.kill('SIGTERM');
        const res = await done;
        if (!keep) forget(dataDir);
        return { ...res, log: out + err };
      }
      if (!keep) forget(dataDir);
      return { code: proc.exitCode, log: out + err };
    },
  };
}

// The database arguments of the server that ran on dataDir (its PostgreSQL
// database, or none: SQLite's <dataDir>/tucai.db is the default).
export function databaseArgs(dataDir) {
  const pg = pgUrlOf(dataDir);
  return pg ? ['--database', pg] : [];
}

// `tucai worker` on the data directory and database of a server started by
// startServer (issue 18: the photo workers without HTTP).  Resolves once it
// says it runs; kill() sends a signal (SIGKILL for a crash), stop() SIGTERM.
export async function startWorker(dataDir, { extraArgs = [], env = {} } = {}) {
  const args = ['worker', '--data-dir', dataDir, ...databaseArgs(dataDir), ...extraArgs];
  const proc = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  if (process.env.TC_SERVER_LOG_DIR)
    proc.on('exit', () => writeFileSync(path.join(process.env.TC_SERVER_LOG_DIR, `worker-${proc.pid}.log`), out));
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('worker did not start:\n' + out)), 30000);
    const check = () => { if (/ worker: \d+ photo worker/.test(out)) { clearTimeout(t); resolve(); } };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`worker exited ${code}:\n${out}`)); });
  });
  const exited = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
  return {
    proc, log: () => out,
    async kill(sig = 'SIGKILL') { if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig); return exited; },
    async stop() { return this.kill('SIGTERM'); },
  };
}

// A browser-like client: a cookie jar and the CSRF header on every write.
// headers: sent with every request (e.g. X-Forwarded-For behind --trust-proxy).
export class Client {
  constructor(base, headers = {}) { this.base = base; this.jar = new Map(); this.headers = headers; }
  cookieHeader() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [kv, ...attrs] = c.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i).trim(), v = kv.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=(0|-)/i.test(a.trim()));
      if (expired || v === '') this.jar.delete(k); else this.jar.set(k, v);
    }
  }
  async req(method, p, { json, form, body, headers = {}, csrf = true } = {}) {
    const h = { ...this.headers, ...headers };
    if (this.jar.size) h.cookie = this.cookieHeader();
    if (csrf && method !== 'GET' && this.jar.get('tc_csrf')) h['x-csrf-token'] = this.jar.get('tc_csrf');
    let b = body;
    if (json !== undefined) { b = JSON.stringify(json); h['content-type'] = 'application/json'; }
    if (form) { b = form; }
    const res = await fetch(this.base + p, { method, headers: h, body: b, redirect: 'manual' });
    this.take(res);
    const text = await res.text();
    let data = null;
    try { data = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, data, text };
  }
  get(p, o) { return this.req('GET', p, o); }
  post(p, o) { return this.req('POST', p, o); }
  async csrf() { return (await this.get('/api/v1/csrf')).data.csrf; }
  // Sign in as staff and get past the forced first password change.
  async staffLogin(username, password, newPassword = 'N3w-password-' + username) {
    await this.csrf();
    let r = await this.post('/api/v1/staff/login', { json: { username, password } });
    if (r.status !== 200) throw new Error('login failed: ' + r.text);
    if (r.data.staff.must_change_password) {
      r = await this.post('/api/v1/staff/password', { json: { old_password: password, new_password: newPassword } });
      if (r.status !== 200) throw new Error('password change failed: ' + r.text);
    }
    return r.data.staff;
  }
}

export function fileForm(fields) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v && v.path) fd.append(k, new Blob([readFileSync(v.path)], { type: v.type || 'application/octet-stream' }), path.basename(v.path));
    else if (v && v.bytes) fd.append(k, new Blob([v.bytes], { type: v.type || 'application/octet-stream' }), v.name || 'file');
    else fd.append(k, String(v));
  }
  return fd;
}

// A valid 18-digit resident ID (GB 11643 check digit), for rosters.
export function fakeId(seq, birth = '20040101') {
  const base = '320102' + birth + String(seq % 1000).padStart(3, '0');
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(base[i]) * w[i];
  const c = (12 - (s % 11)) % 11;
  return base + (c === 10 ? 'X' : String(c));
}

// One roster row (ID fakeId(n), code `CHSI-<tag>-<n>`, student number
// `<no><n>`) imported into a batch by a staff client, then signed in as entry
// (a) does — the code and the last 4 — and confirmed: the student's client,
// with .chsi, .studentId and .batchId set.
// consent: false leaves the agreements unaccepted (the journey's step is then "consent").
export async function enrolStudent(base, staff, batchId, n, { tag = 'T', name = '学生', no = 'T', major = '软件工程', phone = '13800138000', consent = true } = {}) {
  const chsi = `CHSI-${tag}-${n}`;
  const csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n' + `${name}${n},${no}${n},${fakeId(n)},本科,${major},1班,${chsi}\n`;
  let r = await staff.post(`/api/v1/batches/${batchId}/roster`,
    { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  if (r.status !== 200) throw new Error('roster import: ' + r.text);
  const c = new Client(base);
  await c.csrf();
  r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: chsi, id_last4: fakeId(n).slice(-4) }) });
  if (r.status !== 200) throw new Error('entry: ' + r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone } });
  if (r.status !== 200) throw new Error('confirm: ' + r.text);
  if (consent) await acceptConsent(c);
  c.chsi = chsi;
  c.studentId = (await c.get('/api/v1/me')).data.current_record;
  c.batchId = batchId;
  return c;
}

// The student accepts the current 服务协议 and 隐私政策 (issue 19 item 5: no
// photo before that), as the consent page does with the versions the
// journey names.
export async function acceptConsent(c) {
  const j = await c.get('/api/v1/me/journey');
  if (j.status !== 200) throw new Error('journey: ' + j.text);
  const k = j.data.consent;
  const r = await c.post('/api/v1/me/consent', { json: { terms_version: k.terms.version, privacy_version: k.privacy.version } });
  if (r.status !== 200) throw new Error('consent: ' + r.text);
}

// A real QR image made by the server's own libqrencode path (tucai qr encode).
export function qrPng(text, outPath) {
  execFileSync(BIN, ['qr', 'encode', text, outPath], { stdio: 'pipe' });
  return outPath;
}

// The pixel size in a JPEG's frame header (SOF0..SOF3), or null.
export function jpegSize(buf) {
  for (let i = 2; i + 9 < buf.length;) {
    if (buf[i] !== 0xff) return null;
    const m = buf[i + 1], len = buf.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xc3) return { width: buf.readUInt16BE(i + 7), height: buf.readUInt16BE(i + 5) };
    i += 2 + len;
  }
  return null;
}

export { execFileSync };
