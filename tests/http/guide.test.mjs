// The camera's live guide over HTTP (issue 19 item 8): GET /api/v1/me/guide
// serves the thresholds the camera page advises by — the server's own
// (tc_check_limit of the school's check configuration, the batch's spec) —
// and the detector's frame and package are served under their own paths,
// the frame with its own policy and framed only by our pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, enrolStudent } from './lib.mjs';

let srv, admin, seq = 0;

before(async () => {
  srv = await startServer();
  admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
});
after(async () => { if (srv) await srv.stop(); });

async function studentWith(settings) {
  seq += 1;
  let r = await admin.post('/api/v1/schools', { json: { name: `取景提示学校${seq}` } });
  assert.equal(r.status, 201, r.text);
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: `批次${seq}`, settings } });
  assert.equal(r.status, 201, r.text);
  return enrolStudent(srv.url, admin, r.data.batch.id, 900 + seq, { tag: 'GUIDE' });
}

const close = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a}, expected ${b}`);

test('GET /api/v1/me/guide: the default thresholds, as the checks ramp them, and the batch\'s spec', async () => {
  const c = await studentWith({ pay_when: 'school', spec: 'chsi' });
  const r = await c.get('/api/v1/me/guide');
  assert.equal(r.status, 200, r.text);
  const g = r.data.guide;
  // the pass/fail boundary of each check's tuning (src/check/tc_check.c: bad, good, threshold 50)
  close(g.pose_roll_max, 9.5, 'pose_roll: 14 -> 5 degrees, 50');
  close(g.pose_yaw_max, 17.5, 'pose_yaw: 25 -> 10 degrees, 50');
  close(g.light_dark_min, 45, 'light_dark: luma 25 -> 65, 50');
  close(g.light_uneven_min, 0.625, 'light_uneven: 0.45 -> 0.80, 50');
  close(g.resolution_min, 0.6, 'resolution: 0.35 -> 0.85, 50');
  close(g.framing_outside_max, 0.01, 'framing: 0.02 -> 0, 50');
  assert.equal(g.glasses_forbidden, false);
  assert.deepEqual(Object.keys(g.tone).sort(), ['max_gain', 'min_correction', 'target_face', 'target_top']);
  close(g.tone.max_gain, 4, 'the exposure correction\'s largest gain');
  assert.equal(g.enabled.pose_roll, true);
  const spec = (await c.get('/api/v1/me/spec')).data.spec;
  assert.deepEqual(g.spec, { width: spec.width, height: spec.height, eye_line: spec.eye_line, face_width: spec.face_width, max_centre_off: spec.max_centre_off });
});

test('GET /api/v1/me/guide follows the school\'s glasses rule, thresholds, disabled checks and spec', async () => {
  const c = await studentWith({ pay_when: 'school', spec: 'idcard', glasses: 'forbidden',
    checks: { thresholds: { pose_roll: 80, light_dark: 25 }, disabled: ['light_uneven'] } });
  const r = await c.get('/api/v1/me/guide');
  assert.equal(r.status, 200, r.text);
  const g = r.data.guide;
  assert.equal(g.glasses_forbidden, true);
  close(g.pose_roll_max, 14 + (5 - 14) * 0.8, 'a stricter roll threshold');
  close(g.light_dark_min, 25 + (65 - 25) * 0.25, 'a more lenient light_dark');
  assert.equal(g.enabled.light_uneven, false);
  assert.equal(g.enabled.light_dark, true);
  const spec = (await c.get('/api/v1/me/spec')).data.spec;
  assert.equal(spec.name, 'idcard');
  assert.equal(g.spec.width, spec.width);
  assert.deepEqual(g.spec.face_width, spec.face_width);
});

test('GET /api/v1/me/guide needs a student\'s session', async () => {
  const anon = new Client(srv.url);
  assert.equal((await anon.get('/api/v1/me/guide')).status, 401);
  assert.equal((await admin.get('/api/v1/me/guide')).status, 401, 'a staff session is no student\'s');
});

test('the detector\'s frame has its own policy (WebAssembly and eval) and is framed only by our pages; every other page keeps the strict one', async () => {
  const frame = await fetch(srv.url + '/guide/');
  assert.equal(frame.status, 200);
  const csp = frame.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.equal(frame.headers.get('x-frame-options'), 'SAMEORIGIN');
  const js = await fetch(srv.url + '/guide/frame.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-security-policy'), /wasm-unsafe-eval/);
  // the camera page and the page's own scripts: the server's policy, never framed
  for (const p of ['/', '/guide.js', '/journey-shoot.js']) {
    const r = await fetch(srv.url + p);
    assert.equal(r.status, 200, p);
    const pc = r.headers.get('content-security-policy');
    assert.doesNotMatch(pc, /unsafe-eval/, p);
    assert.match(pc, /frame-ancestors 'none'/, p);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', p);
  }
  // a missing file under /guide/ is no file with the frame's policy
  const miss = await fetch(srv.url + '/guide/nothing.js');
  assert.equal(miss.status, 404);
  assert.doesNotMatch(miss.headers.get('content-security-policy') || '', /unsafe-eval/);
  // the npm package, as installed by scripts/setup
  const mp = await fetch(srv.url + '/vendor/mediapipe/face_detection.js');
  assert.equal(mp.status, 200);
  const wasm = await fetch(srv.url + '/vendor/mediapipe/face_detection_solution_simd_wasm_bin.wasm', { method: 'HEAD' });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
});
