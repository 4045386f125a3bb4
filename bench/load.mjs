// A load test (issue 18): many simulated students walk the journey against
// a running tucai (one node, or nginx in front of a cluster) for a bounded
// time, and the figures come out as one JSON line: requests/s, photos/s and
// p50/p99 per kind of request.  A benchmark, never a timed test: run it by
// scripts/load, which starts the server; record what it prints in
// docs/PERFORMANCE.md with the command.
//
//   node bench/load.mjs --url URL --admin USER:PASSWORD --students N --seconds T --photo FILE
//                       [--think-ms 3000] [--ramp 0.2] [--tag LOAD]
//
// Set-up (not measured): a school, a batch that the school pays for, with
// albums allowed and the duplicate check off (every student sends the same
// portrait), and a roster of N students imported in one file.  Then each
// student, starting at a random moment of the first `ramp` part of the run:
// enters with the 采集码 and the last four (entry), confirms (confirm),
// accepts the agreements and reads the notice and tips (steps), then polls
// the journey every think-ms (journey), uploads one photo at a random
// moment (upload), polls it until it is made and checked (photo), and
// confirms a passing draft (submit).  That is the national-peak mix the
// seeds describe: most requests are journey polls, one upload a student.
import { readFileSync } from 'node:fs';
import { Client, fileForm, fakeId } from '../tests/http/lib.mjs';

function args() {
  const a = { thinkMs: 3000, ramp: 0.2, tag: 'LOAD' };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) {
    const k = v[i].replace(/^--/, ''), x = v[i + 1];
    if (k === 'url') a.url = x;
    else if (k === 'admin') a.admin = x;
    else if (k === 'students') a.students = Number(x);
    else if (k === 'seconds') a.seconds = Number(x);
    else if (k === 'photo') a.photo = x;
    else if (k === 'think-ms') a.thinkMs = Number(x);
    else if (k === 'ramp') a.ramp = Number(x);
    else if (k === 'tag') a.tag = x;
    else throw new Error('unknown option --' + k);
  }
  for (const k of ['url', 'admin', 'students', 'seconds', 'photo'])
    if (a[k] === undefined || Number.isNaN(a[k])) throw new Error('missing --' + k);
  return a;
}

// An ID number per student: fakeId varies the last three digits; the birth
// date varies the rest, so 365 * 1000 students get distinct numbers.
function idFor(n) {
  const d = new Date(Date.UTC(2003, 0, 1) + Math.floor(n / 1000) * 86400000);
  const birth = d.toISOString().slice(0, 10).replace(/-/g, '');
  return fakeId(n % 1000, birth);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Stats {
  constructor() { this.kinds = new Map(); this.photos = 0; this.photoMs = []; this.errors = new Map(); }
  add(kind, ms, status) {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { ms: [], status: {} }));
    k.ms.push(ms);
    k.status[status] = (k.status[status] || 0) + 1;
  }
  summary(seconds) {
    const pct = (xs, p) => {
      if (!xs.length) return 0;
      const s = [...xs].sort((a, b) => a - b);
      return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
    };
    const out = { seconds, requests: 0, kinds: {} };
    for (const [kind, k] of this.kinds) {
      out.requests += k.ms.length;
      out.kinds[kind] = { n: k.ms.length, p50_ms: pct(k.ms, 0.5), p99_ms: pct(k.ms, 0.99), status: k.status };
    }
    out.requests_per_s = Math.round((out.requests / seconds) * 10) / 10;
    out.photos = this.photos;
    out.photos_per_s = Math.round((this.photos / seconds) * 100) / 100;
    out.photo_done_p50_ms = pct(this.photoMs, 0.5);
    out.photo_done_p99_ms = pct(this.photoMs, 0.99);
    out.errors = Object.fromEntries(this.errors);
    return out;
  }
}

async function timed(stats, kind, f) {
  const t = performance.now();
  let r;
  try {
    r = await f();
  } catch (err) {
    stats.add(kind, performance.now() - t, 'net');
    stats.errors.set(String(err.cause?.code || err.message).slice(0, 60),
      (stats.errors.get(String(err.cause?.code || err.message).slice(0, 60)) || 0) + 1);
    return null;
  }
  stats.add(kind, performance.now() - t, r.status);
  return r;
}

async function setUp(a) {
  const [user, pass] = a.admin.split(':');
  const admin = new Client(a.url);
  await admin.staffLogin(user, pass);
  let r = await admin.post('/api/v1/schools', { json: { name: `压力测试大学 ${a.tag} ${Date.now()}` } });
  if (r.status !== 201) throw new Error('school: ' + r.text);
  const school = r.data.school;
  r = await admin.post(`/api/v1/schools/${school.id}/batches`, {
    json: { name: 'load', settings: { pay_when: 'school', album_allowed: true, checks: { disabled: ['duplicate'] } } },
  });
  if (r.status !== 201) throw new Error('batch: ' + r.text);
  const batch = r.data.batch;
  let csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n';
  for (let n = 0; n < a.students; n++)
    csv += `学生${n},L${n},${idFor(n)},本科,软件工程,${1 + (n % 20)}班,CHSI-${a.tag}-${n}\n`;
  r = await admin.post(`/api/v1/batches/${batch.id}/roster`,
    { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  if (r.status !== 200) throw new Error('roster: ' + r.text.slice(0, 500));
  return { school, batch };
}

async function student(a, n, stats, photo, deadline) {
  await sleep(Math.random() * a.ramp * a.seconds * 1000);
  if (Date.now() >= deadline) return;
  const c = new Client(a.url);
  let r = await timed(stats, 'page', () => c.get('/api/v1/csrf'));
  r = await timed(stats, 'entry', () =>
    c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: `CHSI-${a.tag}-${n}`, id_last4: idFor(n).slice(-4) }) }));
  if (!r || r.status !== 200) return;
  r = await timed(stats, 'confirm', () => c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } }));
  if (!r || r.status !== 200) return;
  r = await timed(stats, 'journey', () => c.get('/api/v1/me/journey'));
  if (!r || r.status !== 200) return;
  const k = r.data.consent;
  await timed(stats, 'steps', () =>
    c.post('/api/v1/me/consent', { json: { terms_version: k.terms.version, privacy_version: k.privacy.version } }));
  await timed(stats, 'steps', () => c.post('/api/v1/me/notice/read'));
  await timed(stats, 'steps', () => c.post('/api/v1/me/tips/read'));
  await timed(stats, 'steps', () => c.post('/api/v1/me/notify', { json: { status: false, payment: false, email: '' } }));
  await timed(stats, 'steps', () => c.post('/api/v1/me/tutorial/done'));
  // the upload at a random moment of what is left
  const uploadAt = Date.now() + Math.random() * Math.max(0, deadline - Date.now()) * 0.7;
  let uploaded = false;
  while (Date.now() < deadline) {
    if (!uploaded && Date.now() >= uploadAt) {
      uploaded = true;
      const t0 = performance.now();
      r = await timed(stats, 'upload', () =>
        c.post('/api/v1/me/photos', { form: fileForm({ source: 'album', photo: { bytes: photo, name: 'p.jpg', type: 'image/jpeg' } }) }));
      if (r && r.status === 202) {
        const id = r.data.photo.id;
        let state = 'processing';
        while (state === 'processing' && Date.now() < deadline + 60000) {
          await sleep(500);
          r = await timed(stats, 'photo', () => c.get(`/api/v1/me/photos/${id}`));
          if (r && r.status === 200) state = r.data.state;
        }
        if (state !== 'processing') {
          stats.photos++;
          stats.photoMs.push(performance.now() - t0);
        }
        if (state === 'draft')
          await timed(stats, 'submit', () => c.post('/api/v1/me/submission', { json: { photo_id: id } }));
      }
      continue;
    }
    await sleep(a.thinkMs * (0.5 + Math.random()));
    if (Date.now() < deadline) await timed(stats, 'journey', () => c.get('/api/v1/me/journey'));
  }
}

const a = args();
const photo = readFileSync(a.photo);
await setUp(a);
const stats = new Stats();
const t0 = Date.now();
const deadline = t0 + a.seconds * 1000;
await Promise.all(Array.from({ length: a.students }, (_, n) => student(a, n, stats, photo, deadline)));
const seconds = (Date.now() - t0) / 1000;
console.log(JSON.stringify({ students: a.students, think_ms: a.thinkMs, ...stats.summary(seconds) }));
