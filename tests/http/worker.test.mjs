// The photo jobs in the database (issue 18 item 3): serve nodes that make no
// photos (--photo-workers 0) and `tucai worker` on the same database.  An
// upload on one node waits in the database until a worker claims it; the
// worker makes it and the student's live stream on another node hears of it
// (PostgreSQL's NOTIFY); a worker killed with a photo in hand leaves it to
// the next worker, which makes it once; `tucai fsck` finds the records and
// files sound afterwards and names a file that went missing.  Runs on SQLite (one machine, the
// worker polls) and on PostgreSQL in `make test`'s second pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, startWorker, Client, fileForm, enrolStudent, dbSql, databaseArgs, execFileSync, ROOT, BIN, tempDir } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const noPhotos = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const onPg = !!(process.env.TC_PG_URL && process.env.TC_PG_ADMIN_URL);
const env = { TUCAI_MODELS: MODELS };

let a, b, admin, batch;
const workers = [];
let seq = 900;

before(async () => {
  if (!havePhotos) return;
  a = await startServer({ env, extraArgs: ['--photo-workers', '0'] });
  // node B: another serve process on the same data directory and database
  b = await startServer({ env, demo: false, dataDir: a.dataDir, extraArgs: ['--photo-workers', '0'] });
  admin = new Client(a.url);
  await admin.staffLogin(a.demo.staff[0].username, a.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '集群测试大学' } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`,
    { json: { name: 'worker', settings: { checks: { disabled: ['duplicate'] } } } });
  assert.equal(r.status, 201, r.text);
  batch = r.data.batch;
});
after(async () => {
  for (const w of workers) await w.kill();
  if (b) await b.stop({ keep: true });
  if (a) await a.stop();
});

async function student() {
  const c = await enrolStudent(a.url, admin, batch.id, seq++, { tag: 'WORKER', name: '工作', no: 'W' });
  for (const step of ['/api/v1/me/notice/read', '/api/v1/me/tips/read', '/api/v1/me/tutorial/done'])
    assert.equal((await c.post(step)).status, 200);
  return c;
}

async function upload(c, file) {
  const r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: file, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  return r.data.photo.id;
}

async function made(c, id, seconds = 120) {
  for (let i = 0; i < seconds * 10; i++) {
    const r = await c.get(`/api/v1/me/photos/${id}`);
    assert.equal(r.status, 200, r.text);
    if (r.data.state !== 'processing') return r.data;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`photo ${id} still processing after ${seconds} s`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const row = (id) => dbSql(a.dataDir, `SELECT state, claims, claimed_by FROM photo WHERE id = ${id}`).split('|');

test('an upload waits in the database until a worker takes it; the student hears of it on another node', { skip: noPhotos, timeout: 300000 }, async () => {
  const c = await student();
  // the student's live stream on node B (sessions are in the database)
  const onB = new Client(b.url);
  onB.jar = c.jar;
  const ctl = new AbortController();
  const res = await fetch(b.url + '/api/v1/me/events', { headers: { cookie: onB.cookieHeader() }, signal: ctl.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body.getReader();

  const id = await upload(c, GOOD);
  await sleep(3000);
  // no worker yet: nobody made it, nobody holds it
  assert.deepEqual(row(id), ['processing', '0', '']);
  const w = await startWorker(a.dataDir, { env, extraArgs: ['--photo-workers', '1'] });
  workers.push(w);
  const p = await made(c, id);
  assert.ok(['draft', 'failed'].includes(p.state), JSON.stringify(p));
  const [state, claims, by] = row(id);
  assert.equal(state, p.state);
  assert.equal(claims, '1');
  assert.match(by, new RegExp(`:${w.proc.pid}:0$`), 'the worker that made it is named on the photo');
  assert.match(w.log(), new RegExp(`photo ${id}: (draft|failed) in \\d+ ms`));
  assert.doesNotMatch(a.log() + b.log(), new RegExp(`photo ${id}: `), 'the serve nodes made no photo');

  // the worker's event reached node B's stream (between processes:
  // PostgreSQL's NOTIFY; SQLite keeps events inside one process)
  if (onPg) {
    let text = '';
    const deadline = Date.now() + 30000;
    while (!new RegExp(`event: photo\\ndata: \\{[^\\n]*"id":${id}[^\\n]*"state":"(draft|failed)"`).test(text) && Date.now() < deadline) {
      const { value, done } = await Promise.race([reader.read(), sleep(1000).then(() => ({ value: null }))]);
      if (done) break;
      if (value) text += Buffer.from(value).toString();
    }
    assert.match(text, new RegExp(`"id":${id}`), 'the photo event arrived on node B: ' + text);
  } else {
    console.log('# SQLite: live events between processes need PostgreSQL (checked on the PostgreSQL pass)');
  }
  ctl.abort();
});

test('a worker killed with a photo in hand: the next worker makes it, once', { skip: noPhotos, timeout: 300000 }, async () => {
  // a big photo (about 12 MP) so that it is still in hand when the worker dies
  const big = path.join(tempDir('tucai-worker-'), 'big.jpg');
  execFileSync('vips', ['resize', GOOD, big + '[Q=90]', '8']);
  let id = 0, victim = null;
  for (let attempt = 0; attempt < 4 && !victim; attempt++) {
    const w = await startWorker(a.dataDir, { env, extraArgs: ['--photo-workers', '1'] });
    // the worker of the first test is stopped: this one alone takes photos
    for (const o of workers.splice(0)) await o.stop();
    workers.push(w);
    const c = await student();
    id = await upload(c, big);
    for (let i = 0; i < 400; i++) {
      const [state, claims] = row(id);
      if (state !== 'processing') break;
      if (claims === '1') {
        await w.kill('SIGKILL');
        victim = { w, c };
        break;
      }
      await sleep(10);
    }
    if (!victim) await made(c, id); // it was too quick: try again
  }
  assert.ok(victim, 'caught a worker with a photo in hand');
  assert.equal(row(id)[0], 'processing', 'killed before it stored anything');
  // the next worker on this machine sees the dead one's claim and takes
  // the photo at once (another machine's worker: after the claim timeout)
  const w2 = await startWorker(a.dataDir, { env, extraArgs: ['--photo-workers', '1', '--photo-claim-timeout-s', '600'] });
  workers.push(w2);
  const p = await made(victim.c, id);
  assert.ok(['draft', 'failed'].includes(p.state), JSON.stringify(p));
  const [state, claims, by] = row(id);
  assert.equal(state, p.state);
  assert.equal(claims, '2', 'taken twice: by the dead worker and by the next');
  assert.match(by, new RegExp(`:${w2.proc.pid}:0$`));
  // made once: one result line, by the second worker
  assert.doesNotMatch(victim.w.log(), new RegExp(`photo ${id}: `));
  assert.equal((w2.log().match(new RegExp(`photo ${id}: (draft|failed) in`, 'g')) || []).length, 1);
});

test('tucai worker refuses to run without photo workers or models', async () => {
  const dir = path.join(tmpdir(), `tucai-worker-none-${process.pid}`);
  await assert.rejects(startWorker(dir, { extraArgs: ['--photo-workers', '0', '--models-dir', '/nonexistent'] }), /worker exited 1/);
  await assert.rejects(startWorker(dir, { env, extraArgs: ['--photo-workers', 'many'] }),
    /--photo-workers must be auto or a whole number from 0 to 16 \(not many\)/);
  rmSync(dir, { recursive: true, force: true });
});

test('tucai fsck: the records and the files are sound after the kill; a lost file is named', { skip: noPhotos, timeout: 120000 }, async () => {
  const fsck = (...args) => {
    try {
      return { code: 0, out: execFileSync(BIN, ['fsck', '--data-dir', a.dataDir, ...databaseArgs(a.dataDir), ...args], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (err) {
      return { code: err.status, out: String(err.stdout) + String(err.stderr) };
    }
  };
  let r = fsck('--verify-files');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /: [1-9]\d* photos, [1-9]\d* files read and verified; 0 problems in the records, 0 files missing or wrong/);
  // a made photo's standard photo lost from the blob store (local files)
  const [id, blob] = dbSql(a.dataDir, "SELECT id, standard_blob FROM photo WHERE standard_blob <> '' ORDER BY id LIMIT 1").split('|');
  const file = path.join(a.dataDir, 'blobs', blob.slice(0, 2), blob.slice(2, 4), blob);
  assert.ok(existsSync(file), file);
  const kept = readFileSync(file);
  writeFileSync(file, Buffer.concat([kept, Buffer.from('x')]));
  r = fsck('--verify-files');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`problem: photo ${id} \\(\\w+\\): standard_blob ${blob} `));
  unlinkSync(file);
  r = fsck();
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`problem: photo ${id} \\(\\w+\\): standard_blob ${blob} not in the blob store`));
  writeFileSync(file, kept);
  assert.equal(fsck('--verify-files').code, 0);
  // the URL's password never printed (PostgreSQL)
  if (onPg) assert.doesNotMatch(r.out, new RegExp(new URL(process.env.TC_PG_URL).password));
});
