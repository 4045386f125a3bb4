// The cluster (issue 18): run by scripts/run-tests under scripts/cluster,
// which starts PostgreSQL, Swift (S3), two serve nodes A and B, one photo
// worker and nginx (docs/nginx.conf.in) on loopback and gives their
// addresses in TC_* variables (scripts/cluster's header).
//  1. the journey through nginx: an upload landing on node A, read through
//     node B and through nginx;
//  2. 200 students upload at once through nginx while node B and the worker
//     are killed (-9); a new worker starts: every upload answered 2xx is in
//     the database and, byte for byte, in the object store; every photo
//     finishes; none is made twice; pg_amcheck and tucai fsck find nothing.
// Without the cluster's environment (run alone), it says why and skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, fileForm, fakeId, acceptConsent, ROOT } from '../http/lib.mjs';

const E = process.env;
const have = E.TC_CLUSTER_URL && E.TC_CLUSTER_DIR && E.TC_NODE_A_URL && E.TC_NODE_B_URL;
const PORTRAITS = E.TC_TESTDATA ? path.join(E.TC_TESTDATA, 'portraits') : '';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD);
const URL = E.TC_CLUSTER_URL;
const STUDENTS = 200, CONCURRENCY = 16, REAL = 20; // REAL of the photos are portraits, the rest small plain images
let T = null;       // this test's own folder (images, netrc, the new worker's data)
let admin = null;   // the platform admin's client, through nginx
let demo = null;
let worker2 = null; // the worker started after the kill

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
function sql(q) {
  return execFileSync('psql', ['-X', '-q', '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', E.TC_PG_URL, '-c', q], { encoding: 'utf8' }).trim();
}
// One object of the store, as the store has it (a signed S3 GET, not tucai)
function s3Get(key) {
  const out = path.join(T, 'obj');
  const code = execFileSync('curl', ['-sS', '-o', out, '-w', '%{http_code}', '--aws-sigv4', `aws:amz:${E.TC_S3_REGION}:s3`,
    '--netrc-file', path.join(T, 'netrc'), '-H', 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    `${E.TC_S3_ENDPOINT}/${E.TC_S3_BUCKET}/${key}`], { encoding: 'utf8' });
  return code === '200' ? readFileSync(out) : null;
}
// A JPEG with a comment segment (COM) after SOI: the same picture, other bytes
function tagged(jpeg, tag) {
  const t = Buffer.from(tag);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(t.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), seg, t, jpeg.subarray(2)]);
}
async function pool(n, items, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) { const k = i++; await fn(items[k], k); } }));
}
// Every photo log line "photo <id>: <state> in <ms> ms" of every process
function finishedLines() {
  const dirs = [path.join(E.TC_CLUSTER_DIR, 'logs'), T];
  const n = new Map();
  for (const d of dirs) {
    for (const f of readdirSync(d).filter((x) => x.endsWith('.log'))) {
      for (const m of readFileSync(path.join(d, f), 'utf8').matchAll(/photo (\d+): (\w+) in (\d+) ms/g))
        n.set(Number(m[1]), (n.get(Number(m[1])) || 0) + 1);
    }
  }
  return n;
}

before(async () => {
  if (!have) return;
  T = mkdtempSync(path.join(tmpdir(), 'tc-cluster-test-'));
  writeFileSync(path.join(T, 'netrc'), `machine 127.0.0.1 login ${E.TC_S3_ACCESS_KEY} password ${E.TC_S3_SECRET_KEY}\n`);
  demo = JSON.parse(readFileSync(path.join(E.TC_CLUSTER_DIR, 'a/demo/demo.json'), 'utf8'));
  admin = new Client(URL);
  await admin.staffLogin(demo.staff[0].username, demo.staff[0].password);
});

after(async () => {
  if (worker2 && worker2.exitCode === null) {
    const done = new Promise((r) => worker2.on('exit', r));
    worker2.kill('SIGTERM');
    await done;
  }
  if (T) rmSync(T, { recursive: true, force: true });
});

// A batch of its own with n students in one roster; the duplicate check off
// (the same face comes back on purpose)
async function batchOf(name, n, tag, birth) {
  let r = await admin.post('/api/v1/schools', { json: { name } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`,
    { json: { name: name + ' batch', settings: { checks: { disabled: ['duplicate'] } } } });
  assert.equal(r.status, 201, r.text);
  const batchId = r.data.batch.id;
  let csv = '姓名,学号,身份证号,层次,专业,班级,采集码\n';
  for (let i = 0; i < n; i++) csv += `学生${i},${tag}${i},${fakeId(i, birth)},本科,软件工程,1班,CHSI-${tag}-${i}\n`;
  r = await admin.post(`/api/v1/batches/${batchId}/roster`,
    { form: fileForm({ file: { bytes: Buffer.from(csv), name: 'r.csv', type: 'text/csv' } }) });
  assert.equal(r.status, 200, r.text);
  return batchId;
}

// Entry to the first photo's door, as the pages go: sign in, confirm, accept,
// read the notice and the tips, choose the messages, finish the tutorial.
async function ready(base, tag, i, birth) {
  const c = new Client(base);
  await c.csrf();
  let r = await c.post('/api/v1/entry/qr', { form: fileForm({ chsi_code: `CHSI-${tag}-${i}`, id_last4: fakeId(i, birth).slice(-4) }) });
  assert.equal(r.status, 200, 'entry: ' + r.text);
  r = await c.post('/api/v1/entry/confirm', { json: { phone: '13800138000' } });
  assert.equal(r.status, 200, 'confirm: ' + r.text);
  await acceptConsent(c);
  assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
  assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
  assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
  return c;
}

// The same signed-in student talking to another address
function via(c, base) {
  const d = new Client(base);
  d.jar = c.jar;
  return d;
}

test('the journey through nginx: uploaded on node A, read through node B and nginx', { timeout: 180000 }, async (t) => {
  if (!have) { t.skip('not under scripts/cluster (scripts/run-tests runs it there)'); return; }
  if (!havePhotos) { t.skip('needs ../shared/testdata/portraits'); return; }
  const batch = await batchOf('集群大学', 1, 'J', '20040101');
  assert.ok(batch > 0);
  const c = await ready(URL, 'J', 0, '20040101');
  // the live updates through nginx: the stream opens and says its retry
  const ac = new AbortController();
  const sse = await fetch(URL + '/api/v1/me/events', { headers: { cookie: c.cookieHeader() }, signal: ac.signal });
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type'), /text\/event-stream/);
  const reader = sse.body.getReader();
  let stream = '';
  const readSome = async (until, ms) => {
    const end = Date.now() + ms;
    while (!until.test(stream) && Date.now() < end) {
      const r = await Promise.race([reader.read(), sleep(end - Date.now()).then(() => null)]);
      if (!r || r.done) break;
      stream += Buffer.from(r.value).toString();
    }
    return until.test(stream);
  };
  assert.ok(await readSome(/retry: 3000/, 10000), 'the stream comes through nginx unbuffered: ' + stream);
  // the upload, to node A itself
  const a = via(c, E.TC_NODE_A_URL);
  const bytes = tagged(readFileSync(GOOD), 'journey');
  let r = await a.post('/api/v1/me/photos', { form: fileForm({ photo: { bytes, name: 'p.jpg', type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  const id = r.data.photo.id;
  // read through node B until it is made
  const b = via(c, E.TC_NODE_B_URL);
  let p;
  for (let i = 0; i < 1200; i++) {
    p = (await b.get(`/api/v1/me/photos/${id}`)).data;
    if (p.state !== 'processing') break;
    await sleep(100);
  }
  assert.equal(p.state, 'draft', JSON.stringify(p));
  const proofB = Buffer.from(await (await fetch(E.TC_NODE_B_URL + p.proof_url, { headers: { cookie: c.cookieHeader() } })).arrayBuffer());
  const resN = await fetch(URL + p.proof_url, { headers: { cookie: c.cookieHeader() } });
  assert.equal(resN.status, 200);
  const proofN = Buffer.from(await resN.arrayBuffer());
  assert.ok(proofB.length > 1000 && proofB[0] === 0xff && proofB[1] === 0xd8, 'a JPEG from node B');
  assert.ok(proofN.equals(proofB), 'the same bytes through nginx');
  // the upload is in the store under its hash, and the database names it
  assert.equal(sql(`SELECT upload_blob FROM photo WHERE id = ${id}`), sha256(bytes));
  const obj = s3Get(`cluster/${sha256(bytes)}`);
  assert.ok(obj && obj.equals(bytes), 'the upload, byte for byte, in the object store');
  // the live update of the finished photo reached the stream through nginx
  // (the worker's event goes to whichever node holds the stream)
  assert.ok(await readSome(/event: photo/, 10000), 'a photo event through nginx: ' + stream);
  ac.abort();
  // nginx sent requests to both nodes
  const log = readFileSync(E.TC_NGINX_LOG, 'utf8');
  const a0 = E.TC_NODE_A_URL.replace('http://', ''), b0 = E.TC_NODE_B_URL.replace('http://', '');
  assert.ok(log.includes('upstream=' + a0) && log.includes('upstream=' + b0), 'least_conn used both nodes');
  // the client address the nodes see (--trust-proxy) is the one nginx saw:
  // an X-Forwarded-For the client sends itself is not believed
  await fetch(URL + '/xff-probe-nginx', { headers: { 'x-forwarded-for': '203.0.113.9' } });
  await fetch(E.TC_NODE_A_URL + '/xff-probe-direct', { headers: { 'x-forwarded-for': '198.51.100.7' } });
  await sleep(200);
  const nodeLogs = ['a', 'b'].map((n) => readFileSync(path.join(E.TC_CLUSTER_DIR, 'logs', n + '.log'), 'utf8')).join('');
  assert.match(nodeLogs, /127\.0\.0\.1 GET \/xff-probe-nginx /, 'the node counts the address nginx saw');
  assert.ok(!/203\.0\.113\.9/.test(nodeLogs), 'not the one the client claimed');
  assert.match(nodeLogs, /198\.51\.100\.7 GET \/xff-probe-direct /, 'the nodes run with --trust-proxy');
});

test('200 uploads through nginx while a node and the worker are killed: nothing lost, nothing made twice', { timeout: 600000 }, async (t) => {
  if (!have) { t.skip('not under scripts/cluster (scripts/run-tests runs it there)'); return; }
  if (!havePhotos) { t.skip('needs ../shared/testdata/portraits'); return; }
  const t0 = Date.now();
  const batch = await batchOf('并发大学', STUDENTS, 'K', '20030101');
  // the students, ready to upload (through nginx, a few at a time)
  const students = new Array(STUDENTS);
  await pool(8, [...Array(STUDENTS).keys()], async (i) => { students[i] = await ready(URL, 'K', i, '20030101'); });
  t.diagnostic(`${STUDENTS} students ready in ${Date.now() - t0} ms`);
  // their photos, all different bytes: REAL portraits, the rest a small
  // plain picture (a photo the checks turn down quickly)
  const portrait = readFileSync(GOOD);
  execFileSync('vips', ['black', path.join(T, 'plain.jpg'), '240', '320', '--bands', '3']);
  const plain = readFileSync(path.join(T, 'plain.jpg'));
  const photos = students.map((_, i) => tagged(i % (STUDENTS / REAL) === 0 ? portrait : plain, `student ${i}`));

  const answers = new Array(STUDENTS);
  let done = 0, killedAt = -1;
  const killAfter = Math.floor(STUDENTS / 4);
  const t1 = Date.now();
  await pool(CONCURRENCY, [...Array(STUDENTS).keys()], async (i) => {
    try {
      const r = await students[i].post('/api/v1/me/photos',
        { form: fileForm({ photo: { bytes: photos[i], name: 'p.jpg', type: 'image/jpeg' }, source: 'camera' }) });
      answers[i] = { status: r.status, id: r.data?.photo?.id };
    } catch (err) {
      answers[i] = { status: 0, why: String(err) };
    }
    if (++done === killAfter) {
      // in the middle of the uploads: node B and the worker die at once
      killedAt = done;
      process.kill(Number(E.TC_NODE_B_PID), 'SIGKILL');
      process.kill(Number(E.TC_WORKER_PID), 'SIGKILL');
    }
  });
  const ok = answers.map((a, i) => ({ ...a, i })).filter((a) => a.status >= 200 && a.status < 300);
  const codes = {};
  for (const a of answers) codes[a.status] = (codes[a.status] || 0) + 1;
  t.diagnostic(`uploads in ${Date.now() - t1} ms, killed after ${killedAt}; answers ${JSON.stringify(codes)}`);
  assert.ok(killedAt > 0);
  assert.ok(ok.length >= STUDENTS / 2, 'node A took the uploads after B died: ' + JSON.stringify(codes));
  // every 2xx names a photo of that student, in the database and in the
  // object store byte for byte
  for (const a of ok) {
    assert.equal(a.status, 202);
    const row = sql(`SELECT p.upload_blob, p.bytes, s.student_no FROM photo p JOIN student s ON s.id = p.student_id WHERE p.id = ${a.id}`);
    const [blob, n, no] = row.split('|');
    assert.equal(no, `K${a.i}`, `photo ${a.id} is student ${a.i}'s`);
    assert.equal(blob, sha256(photos[a.i]), `photo ${a.id}: the database names the bytes sent`);
    assert.equal(Number(n), photos[a.i].length);
    const obj = s3Get(`cluster/${blob}`);
    assert.ok(obj && obj.equals(photos[a.i]), `photo ${a.id}: in the object store, byte for byte`);
  }
  // the worker again (a short claim timeout: what the dead one held is taken
  // again soon)
  const args = E.TC_WORKER_CMD.split(' ');
  const log = openSync(path.join(T, 'worker2.log'), 'a');
  worker2 = spawn(args[0], [...args.slice(1), '--data-dir', path.join(T, 'worker2'), '--photo-claim-timeout-s', '5'],
    { stdio: ['ignore', log, log] });
  closeSync(log);
  const inBatch = `FROM photo p JOIN student s ON s.id = p.student_id WHERE s.batch_id = ${batch}`;
  let left = -1;
  const t2 = Date.now();
  for (let k = 0; k < 3000; k++) {
    left = Number(sql(`SELECT count(*) ${inBatch} AND p.state = 'processing'`));
    if (left === 0) break;
    assert.equal(worker2.exitCode, null, 'the new worker runs: ' + readFileSync(path.join(T, 'worker2.log'), 'utf8').slice(-2000));
    await sleep(200);
  }
  t.diagnostic(`all photos finished ${Date.now() - t2} ms after the worker came back`);
  assert.equal(left, 0, 'every photo finished');
  // each photo made once: one log line each at most, and (the worker's
  // claims) taken again only if the dead worker held it
  const lines = finishedLines();
  const rows = sql(`SELECT p.id, p.state, p.claims ${inBatch}`).split('\n').map((l) => l.split('|'));
  assert.ok(rows.length >= ok.length);
  let twice = 0;
  for (const [id, state, claims] of rows) {
    assert.ok((lines.get(Number(id)) || 0) <= 1, `photo ${id} (${state}) finished ${lines.get(Number(id))} times`);
    assert.ok(Number(claims) >= 1 && Number(claims) <= 2, `photo ${id}: ${claims} claims`);
    if (Number(claims) === 2) twice++;
  }
  // only what the dead worker had in hand (its 2 threads) was taken again
  assert.ok(twice <= 2, `${twice} photos claimed twice`);
  t.diagnostic(`${twice} photos taken again after the worker died`);
  // no photo names a file the store lacks (also tucai fsck's, below): every blob of every photo of the batch, also those whose upload
  // was answered 502, is in the object store under its hash
  const blobs = sql(`SELECT p.upload_blob, p.original_blob, p.standard_blob, p.proof_blob, p.overlay_blob ${inBatch}`)
    .split('\n').flatMap((l) => l.split('|')).filter((b) => b);
  for (const b of new Set(blobs)) {
    const obj = s3Get(`cluster/${b}`);
    assert.ok(obj && sha256(obj) === b, `blob ${b}: in the object store, its bytes its name`);
  }
  t.diagnostic(`${new Set(blobs).size} blobs of ${rows.length} photos checked in the object store`);
  // PostgreSQL's own check of the database's tables and indexes
  const adminDb = E.TC_PG_ADMIN_URL.replace(/\/[^/]*$/, '/tucai');
  const bin = ['15', ...readdirSync('/usr/lib/postgresql')].map((v) => `/usr/lib/postgresql/${v}/bin/pg_amcheck`).find(existsSync);
  assert.ok(bin, 'pg_amcheck (postgresql-15) is installed');
  const amcheck = execFileSync(bin, ['--install-missing', '--heapallindexed', '--no-strict-names', adminDb], { encoding: 'utf8' });
  assert.equal(amcheck.trim(), '', 'pg_amcheck: ' + amcheck);
  // and tucai's own: the records' rules, every kept photo's files read back
  // from the object store and their hashes checked
  const fsck = execFileSync(args[0], ['fsck', '--config', path.join(E.TC_CLUSTER_DIR, 'tucai.conf'), '--data-dir', path.join(T, 'fsck'),
    '--verify-files'], { encoding: 'utf8' });
  assert.match(fsck, /files read and verified; 0 problems in the records, 0 files missing or wrong/, fsck);
  t.diagnostic(fsck.trim());
  t.diagnostic(`the whole test: ${Date.now() - t0} ms`);
});
