// The blob store in an S3-compatible object store (issue 18): the server run
// with --blob-store s3://bucket/prefix against OpenStack Swift's s3api
// (tests/services/swift starts it on loopback and removes it after; it
// checks AWS Signature V4 for real).  Wrong keys stop the server at start
// with a clear error and without the secret; a photo goes up, through the
// pipeline and back down with nothing in the data folder's blobs.
// Without the Swift packages (scripts/setup installs them) the tests say
// they are skipped and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, Client, fileForm, enrolStudent, ROOT } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const havePhotos = PORTRAITS && existsSync(PORTRAITS) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');

let swift = null;
let s3 = null;      // TC_S3_* from the service
let noS3 = '';      // why there is none

before(async () => {
  swift = spawn(path.join(ROOT, 'tests/services/swift'), ['--bucket', 'tucai-http'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  swift.stderr.on('data', (d) => { err += d; });
  const r = await new Promise((resolve) => {
    const t = setTimeout(() => resolve({ why: 'Swift did not start in 60 s:\n' + err }), 60000);
    swift.stdout.on('data', (d) => {
      out += d;
      if (/^ready$/m.test(out)) { clearTimeout(t); resolve({ ok: true }); }
    });
    swift.on('exit', (code) => { clearTimeout(t); resolve({ code, why: err.trim() }); });
  });
  if (r.ok) {
    s3 = Object.fromEntries(out.split('\n').filter((l) => l.startsWith('TC_S3_')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  } else if (r.code === 77) {
    noS3 = r.why || 'the Swift packages are missing (scripts/setup installs them)';
    swift = null;
  } else {
    throw new Error('tests/services/swift failed: ' + r.why);
  }
});

after(async () => {
  if (swift && swift.exitCode === null) {
    const done = new Promise((r) => swift.on('exit', r));
    swift.stdin.end();
    swift.kill('SIGTERM');
    await done;
  }
});

function s3Args(bucketPath) {
  return ['--blob-store', `s3://${s3.TC_S3_BUCKET}${bucketPath}`, '--s3-endpoint', s3.TC_S3_ENDPOINT,
    '--s3-region', s3.TC_S3_REGION, '--s3-access-key', s3.TC_S3_ACCESS_KEY];
}

test('wrong secret key: the server refuses to start, says why, never prints the secret', { timeout: 60000 }, async (t) => {
  if (!s3) { t.skip(noS3); return; }
  const secret = 'Wrong-Secret-4f9a2c';
  await assert.rejects(
    startServer({ demo: false, extraArgs: s3Args('/refused'), env: { TUCAI_S3_SECRET_KEY: secret } }),
    (e) => {
      assert.match(e.message, /server exited 1/);
      assert.match(e.message, /blob\.s3_denied/);
      assert.match(e.message, /--s3-secret-key/);
      assert.ok(!e.message.includes(secret), 'the secret is never printed');
      return true;
    });
  // no such bucket: said as plainly
  await assert.rejects(
    startServer({ demo: false, extraArgs: ['--blob-store', 's3://no-bucket-here', '--s3-endpoint', s3.TC_S3_ENDPOINT,
      '--s3-access-key', s3.TC_S3_ACCESS_KEY], env: { TUCAI_S3_SECRET_KEY: s3.TC_S3_SECRET_KEY } }),
    /blob\.s3_no_bucket/);
});

test('a photo up and down through the object store', { timeout: 300000 }, async (t) => {
  if (!s3) { t.skip(noS3); return; }
  if (!havePhotos) { t.skip('needs ../shared/testdata/portraits and the models (scripts/fetch-models)'); return; }
  // the secret from the environment, as a deployment gives it
  const srv = await startServer({ extraArgs: s3Args('/journey'), env: { TUCAI_MODELS: MODELS, TUCAI_S3_SECRET_KEY: s3.TC_S3_SECRET_KEY } });
  try {
    assert.match(srv.log(), /blob store: s3 bucket tucai-http/);
    const admin = new Client(srv.url);
    await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
    let r = await admin.post('/api/v1/schools', { json: { name: '对象存储大学' } });
    assert.equal(r.status, 201, r.text);
    r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`,
      { json: { name: 's3 batch', settings: { checks: { disabled: ['duplicate'] } } } });
    assert.equal(r.status, 201, r.text);
    const c = await enrolStudent(srv.url, admin, r.data.batch.id, 901, { tag: 'S3', name: '存储', no: 'S' });
    assert.equal((await c.post('/api/v1/me/notice/read')).status, 200);
    assert.equal((await c.post('/api/v1/me/tips/read')).status, 200);
    assert.equal((await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } })).status, 200);
    assert.equal((await c.post('/api/v1/me/tutorial/done')).status, 200);
    r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: GOOD, type: 'image/jpeg' }, source: 'camera' }) });
    assert.equal(r.status, 202, r.text);
    let p;
    for (let i = 0; i < 600; i++) {
      p = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
      if (p.state !== 'processing') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(p.state, 'draft', JSON.stringify(p.failed));
    const img = await fetch(srv.url + p.proof_url, { headers: { cookie: c.cookieHeader() } });
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await img.arrayBuffer());
    assert.ok(bytes.length > 1000 && bytes[0] === 0xff && bytes[1] === 0xd8, 'a JPEG');
    assert.equal(Number(img.headers.get('content-length')), bytes.length);
    // nothing went to the data folder: the object store holds the files
    const local = path.join(srv.dataDir, 'blobs');
    assert.ok(!existsSync(local) || readdirSync(local).length === 0, 'no local blob files');
    // confirmed, approved: the school's photo archive streams it from the store
    r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
    assert.equal(r.status, 200, r.text);
    if (r.data.next === 'pay') {
      r = await c.post('/api/v1/me/pay');
      assert.equal((await c.post(`/api/v1/pay/sandbox/${r.data.order.out_trade_no}/pay`)).status, 200);
    }
    r = await admin.get('/api/v1/review/queue');
    const item = r.data.items.find((x) => x.photo.id === p.id);
    assert.ok(item, 'the photo is in the queue: ' + r.text);
    r = await admin.post(`/api/v1/review/submissions/${item.id}/approve`);
    assert.equal(r.status, 200, r.text);
    // the student's result (the 样片 until final) and the staff's standard photo
    const proof = Buffer.from(await (await fetch(srv.url + '/api/v1/me/result/standard.jpg', { headers: { cookie: c.cookieHeader() } })).arrayBuffer());
    assert.ok(proof.length > 1000 && proof[0] === 0xff && proof[1] === 0xd8, 'the result is a JPEG');
    const sr = await fetch(srv.url + item.photo.standard_url, { headers: { cookie: admin.cookieHeader() } });
    assert.equal(sr.status, 200);
    const std = Buffer.from(await sr.arrayBuffer());
    const zr = await fetch(`${srv.url}/api/v1/batches/${c.batchId}/photos.zip`, { headers: { cookie: admin.cookieHeader() } });
    assert.equal(zr.status, 200);
    const zip = Buffer.from(await zr.arrayBuffer());
    assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a ZIP');
    assert.ok(zip.indexOf(std) > 0, 'the archive holds the result photo, byte for byte');
    // another student cannot fetch it
    const other = await enrolStudent(srv.url, admin, c.batchId, 902, { tag: 'S3', name: '存储', no: 'S' });
    assert.equal((await fetch(srv.url + p.proof_url, { headers: { cookie: other.cookieHeader() } })).status, 404);
  } finally {
    const res = await srv.stop();
    assert.ok(!res.log.includes(s3.TC_S3_SECRET_KEY + '\n') && !/secret[-_ ]key[=: ]+\S/i.test(res.log), 'no secret in the log');
  }
});
