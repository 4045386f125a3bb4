// One pipeline (issue 17 item 2): `tucai photo` makes, byte for byte, the
// standard photo the server makes for the same upload, spec and background.
// Two inputs: a good portrait, and the same portrait at 60 % of its
// exposure, which the pipeline corrects (tc_check_tone) before the
// background is replaced — the step the command line used to skip.  Each
// goes through the real server (upload, made, submitted, fetched by the
// reviewer as standard.jpg) and through the program; the bytes must match.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, Client, fileForm, enrolStudent, BIN, ROOT } from './lib.mjs';

const PORTRAITS = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : '';
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const GOOD = path.join(PORTRAITS, 'mugshot_S024-01_frontal_neutral.jpg');
const havePhotos = PORTRAITS && existsSync(GOOD) && existsSync(path.join(MODELS, 'face_landmark.tflite'));
const skip = havePhotos ? false : 'needs ../shared/testdata/portraits and the models (scripts/fetch-models)';

let srv, admin, reviewer, tmp;
let seq = 700;

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(tmpdir(), 'tucai-same-'));
  srv = await startServer({ env: { TUCAI_MODELS: MODELS } });
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  const rv = srv.demo.staff.find((x) => x.role === 'reviewer');
  reviewer = new Client(srv.url);
  await reviewer.staffLogin(rv.username, rv.password);
});
after(async () => {
  if (srv) await srv.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const sha = (buf) => createHash('sha256').update(buf).digest('hex');

// The server's standard photo of file: a student of a fresh batch uploads
// it, confirms it, and the reviewer fetches standard.jpg.
async function serverPhoto(file) {
  const n = seq++;
  let r = await admin.post(`/api/v1/schools/${srv.demo.school_id}/batches`,
    { json: { name: 'same ' + n, settings: { checks: { disabled: ['duplicate'] }, pay_when: 'school' } } });
  assert.equal(r.status, 201, r.text);
  const c = await enrolStudent(srv.url, admin, r.data.batch.id, n, { tag: 'SAME', name: '同片', no: 'S' });
  for (const step of ['notice/read', 'tips/read', 'tutorial/done']) await c.post('/api/v1/me/' + step);
  await c.post('/api/v1/me/notify', { json: { status: true, payment: true, email: '' } });
  r = await c.post('/api/v1/me/photos', { form: fileForm({ photo: { path: file, type: 'image/jpeg' }, source: 'camera' }) });
  assert.equal(r.status, 202, r.text);
  let p;
  for (let i = 0; i < 1200; i++) {
    p = (await c.get(`/api/v1/me/photos/${r.data.photo.id}`)).data;
    if (p.state !== 'processing') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(p.state, 'draft', JSON.stringify(p));
  r = await c.post('/api/v1/me/submission', { json: { photo_id: p.id } });
  assert.equal(r.status, 200, r.text);
  r = await reviewer.get('/api/v1/review/queue');
  const item = r.data.items.find((x) => x.photo.id === p.id);
  assert.ok(item, 'the photo is in the review queue');
  const res = await fetch(srv.url + item.photo.standard_url, { headers: { cookie: reviewer.cookieHeader() } });
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

function cliPhoto(file, out) {
  const r = spawnSync(BIN, ['photo', file, '-o', out, '--spec', 'chsi'],
    { encoding: 'utf8', cwd: ROOT, env: { ...process.env, TUCAI_MODELS: MODELS } });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

test('tucai photo and the server make the same bytes (a good portrait, and one the pipeline brightens)', { skip, timeout: 600000 }, async () => {
  const dim = path.join(tmp, 'dim-input.jpg');
  const v = spawnSync('vips', ['linear', GOOD, dim + '[Q=92]', '0.6', '0'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  for (const [name, file] of [['good', GOOD], ['dim', dim]]) {
    const server = await serverPhoto(file);
    const cli = cliPhoto(file, path.join(tmp, name + '.out.jpg'));
    assert.ok(server.length > 10000, `${name}: a photo from the server`);
    assert.equal(sha(cli), sha(server), `${name}: tucai photo (${cli.length} B) and the server (${server.length} B) differ`);
  }
  // the dim one was corrected: not the same photo as the good one's darkened
  const check = spawnSync(BIN, ['check', dim, '--json'], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, TUCAI_MODELS: MODELS } });
  const tone = JSON.parse(check.stdout).tone;
  assert.ok(tone.gain > 1.2, 'the dim portrait is brightened by the pipeline: gain ' + tone.gain);
});
