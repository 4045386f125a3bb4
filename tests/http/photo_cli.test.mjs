// tucai photo end to end (decode -> vision -> compose -> encode), measured
// again on the output with tucai vision, as issue 4's acceptance asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, TESTDATA, tempDir } from './lib.mjs';

const models = path.join(ROOT, 'models', 'face_detection_short_range.tflite');
const run = (...args) => spawnSync(BIN, args, { encoding: 'utf8', cwd: ROOT });

for (const name of ['woman_plain_grey_bg.jpg', 'mugshot_S024-01_frontal_neutral.jpg', 'live_selfie_exif_rotated.jpg']) {
  test(`chsi photo from ${name} meets the spec, measured again on the output`, (t) => {
    const src = path.join(TESTDATA, 'portraits', name);
    if (!TESTDATA || !existsSync(src)) { t.skip('../shared/testdata/portraits is absent'); return; }
    if (!existsSync(models)) { t.skip('models/ absent: run scripts/fetch-models'); return; }
    const out = path.join(tempDir('tucai-photo-'), 'out.jpg');
    let r = run('photo', src, '-o', out, '--spec', 'chsi', '--json');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.in_spec, true, r.stdout);
    assert.equal(rep.width, 480);
    assert.equal(rep.height, 640);
    assert.equal(rep.dpi, 300);
    const kb = statSync(out).size / 1024;
    assert.ok(kb >= 20 && kb <= 200, `file ${kb} KB`);
    assert.ok(rep.background_delta_e_max <= 3);
    r = run('vision', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.equal(v.faces.length, 1, 'one face on the output');
    const lm = v.landmarks.map(([x, y]) => [x * 480, y * 640]);
    const eyeY = (lm[33][1] + lm[133][1] + lm[362][1] + lm[263][1]) / 4;
    const faceW = Math.abs(lm[454][0] - lm[234][0]);
    assert.ok(eyeY >= 200 && eyeY <= 300, `eye line ${eyeY.toFixed(1)} px`);
    assert.ok(faceW >= 180 && faceW <= 300, `face width ${faceW.toFixed(1)} px`);
    const cx = (lm[454][0] + lm[234][0]) / 2;
    assert.ok(Math.abs(cx - 240) <= 24, `face centre ${cx.toFixed(1)} px`);
  });
}

test('a text file named .jpg is refused with a clear code', () => {
  const dir = tempDir('tucai-photo-');
  const f = path.join(dir, 'fake.jpg');
  spawnSync('sh', ['-c', `echo 'not an image' > ${f}`]);
  const r = run('photo', f, '-o', path.join(dir, 'o.jpg'), '--spec', 'chsi');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /photo\.unsupported_format/);
});

test('two people in the photo: refused with photo.faces (zh + en), or the largest face with --largest-face', (t) => {
  const src = path.join(TESTDATA || '', 'portraits', 'two_people.jpg');
  if (!TESTDATA || !existsSync(src)) { t.skip('../shared/testdata/portraits is absent'); return; }
  if (!existsSync(models)) { t.skip('models/ absent: run scripts/fetch-models'); return; }
  const dir = tempDir('tucai-photo-');
  let r = run('photo', src, '-o', path.join(dir, 'o.jpg'), '--spec', 'chsi');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /photo\.faces/);
  assert.match(r.stderr, /2 个人/);
  assert.match(r.stderr, /2 people/);
  assert.equal(existsSync(path.join(dir, 'o.jpg')), false);
  r = run('photo', src, '-o', path.join(dir, 'o.jpg'), '--spec', 'chsi', '--largest-face', '--no-strict', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(statSync(path.join(dir, 'o.jpg')).size > 0);
});
