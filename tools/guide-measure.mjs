#!/usr/bin/env node
// guide-measure: how well the camera's live guide (web/student/guide.js)
// foresees the server's verdict.  Run by hand (not in make test):
//
//   node tools/guide-measure.mjs [--cache DIR] [--list] PICTURE-DIR...
//   e.g. node tools/guide-measure.mjs --cache /tmp/guide-verdicts \
//          ../shared/testdata/portraits ../shared/testdata/real
//
// Each picture is judged twice: by the server (`tucai check --json`, the
// whole pipeline; cached in --cache as <dir>__<file>.json) and by the guide —
// MediaPipe's face detection in Debian's chromium on the picture drawn at the
// width the camera page analyses (320 px), measureFace and hintFor with the
// thresholds of GET /api/v1/me/guide (default settings, spec chsi).  Prints
// how many of the server's rejections for framing, pose and light got a hint
// first, how many passing photos got a false hint, and the fit of the
// detector's box to the server's face width (BOX_TO_FACE).  The pictures are
// never copied anywhere.
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, Client, enrolStudent, BIN, ROOT } from '../tests/http/lib.mjs';
import { launch } from '../tests/browser/helpers.mjs';
import { measureFace, hintFor, BOX_TO_FACE } from '../web/student/guide.js';

const argv = process.argv.slice(2);
let cache = null, list = false;
const dirs = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--cache') cache = argv[++i];
  else if (argv[i] === '--list') list = true;
  else dirs.push(argv[i]);
}
if (!dirs.length) { console.error('usage: guide-measure.mjs [--cache DIR] [--list] PICTURE-DIR...'); process.exit(2); }
const MODELS = process.env.TUCAI_MODELS || path.join(ROOT, 'models');
const ANALYSE_W = 320;

function pictures(dir) {
  const out = [];
  for (const n of readdirSync(dir).sort()) {
    const f = path.join(dir, n);
    if (statSync(f).isDirectory()) out.push(...pictures(f));
    else if (/\.(jpe?g|png)$/i.test(n)) out.push(f);
  }
  return out;
}

// The server's verdict, run once and kept in the cache.
function verdict(f) {
  const key = path.relative(path.resolve(ROOT, '..', 'shared', 'testdata'), path.resolve(f)).replace(/\//g, '__');
  const cf = cache ? path.join(cache, key.replace(/^(\.\.__)+/, '') + '.json') : null;
  if (cf && existsSync(cf) && statSync(cf).size > 0) return JSON.parse(readFileSync(cf, 'utf8'));
  let text;
  try {
    text = execFileSync(BIN, ['check', f, '--json', '--models', MODELS], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 }).toString();
  } catch (e) { text = e.stdout ? e.stdout.toString() : ''; }
  if (cf && text) { mkdirSync(cache, { recursive: true }); writeFileSync(cf, text); }
  return text ? JSON.parse(text) : null;
}

// what the guide can foresee, by the check that fails
const GROUPS = {
  framing: ['face_count', 'face_inside', 'geometry', 'framing', 'resolution'],
  pose: ['pose_roll', 'pose_yaw', 'pose_pitch'],
  light: ['light_dark', 'light_uneven', 'light_bright', 'light_hotspot'],
};
const GUIDED = Object.values(GROUPS).flat();
// the hints that answer each group
const KIND = { framing: ['no_face', 'one', 'closer', 'farther', 'centre'], pose: ['level'], light: ['light'] };

const srv = await startServer();
const browser = await launch();
try {
  const admin = new Client(srv.url);
  await admin.staffLogin(srv.demo.staff[0].username, srv.demo.staff[0].password);
  let r = await admin.post('/api/v1/schools', { json: { name: '取景提示测量' } });
  r = await admin.post(`/api/v1/schools/${r.data.school.id}/batches`, { json: { name: '测量', settings: { pay_when: 'school', spec: 'chsi' } } });
  const st = await enrolStudent(srv.url, admin, r.data.batch.id, 1, { tag: 'MEASURE' });
  const guide = (await st.get('/api/v1/me/guide')).data.guide;
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);
  if (process.env.GUIDE_DEBUG) page.on('console', (msg) => console.error('# page:', msg.text().slice(0, 200)));
  await page.goto(srv.url + '/guide/');
  await page.evaluate(() => new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/vendor/mediapipe/face_detection.js';
    s.onload = async () => {
      const fd = new window.FaceDetection({ locateFile: (f) => '/vendor/mediapipe/' + f });
      fd.setOptions({ model: 'short', minDetectionConfidence: 0.5 });
      fd.onResults((res) => { window.lastFaces = res.detections || []; });
      await fd.initialize();
      window.fd = fd;
      resolve();
    };
    s.onerror = reject;
    document.body.append(s);
  }));

  const rows = [];
  for (const f of dirs.flatMap(pictures)) {
    const v = verdict(f);
    if (!v || !v.checks) { console.error('# no verdict for', f); continue; }
    const mime = /\.png$/i.test(f) ? 'image/png' : 'image/jpeg';
    const url = `data:${mime};base64,` + readFileSync(f).toString('base64');
    // the picture at the analysed width, as the camera page draws a video frame
    const got = await page.evaluate(async ({ url, W }) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const w = Math.min(W, img.naturalWidth), h = Math.round(img.naturalHeight * w / img.naturalWidth);
      const c = document.createElement('canvas');
      c.width = w; c.height = h;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0, w, h);
      const bm = await createImageBitmap(c);
      window.lastFaces = null;
      await window.fd.send({ image: bm });
      const faces = (window.lastFaces || []).map((d) => ({ boundingBox: { ...d.boundingBox }, landmarks: d.landmarks.map((p) => ({ x: p.x, y: p.y })) }));
      return { faces, w, h, nw: img.naturalWidth, data: Array.from(ctx.getImageData(0, 0, w, h).data) };
    }, { url, W: ANALYSE_W });
    const img = { width: got.w, height: got.h, data: Uint8ClampedArray.from(got.data) };
    const m = got.faces.length ? measureFace(got.faces[0], img) : null;
    const hint = hintFor(got.faces, m, got.nw / got.w, guide);
    const failed = v.checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
    const res = v.checks.find((c) => c.name === 'resolution');
    rows.push({ f: path.relative(process.cwd(), f), hint, failed, passed: !!v.passed, m, scale: got.nw / got.w, res });
  }

  const fails = (row, names) => row.failed.some((n) => names.includes(n));
  const pct = (a, b) => (b ? `${a}/${b} (${Math.round((100 * a) / b)} %)` : '0/0');
  console.log(`# ${rows.length} pictures; spec chsi, default thresholds; BOX_TO_FACE ${BOX_TO_FACE}`);
  const rejected = rows.filter((x) => fails(x, GUIDED));
  console.log(`server rejections for framing, pose or light: ${rejected.length}; a hint first: ${pct(rejected.filter((x) => x.hint !== 'ok').length, rejected.length)}`);
  for (const [g, names] of Object.entries(GROUPS)) {
    for (const sub of [names, ...(names.length > 1 ? names.map((n) => [n]) : [])]) {
      const rj = rows.filter((x) => fails(x, sub));
      if (!rj.length) continue;
      console.log(`  ${sub.length > 1 ? g + ' (' + sub.join(', ') + ')' : '    ' + sub[0]}: any hint ${pct(rj.filter((x) => x.hint !== 'ok').length, rj.length)}, `
        + `a ${g} hint (${KIND[g].join('/')}) ${pct(rj.filter((x) => KIND[g].includes(x.hint)).length, rj.length)}`);
    }
  }
  const passed = rows.filter((x) => x.passed);
  console.log(`photos the server passes: ${passed.length}; a false hint: ${pct(passed.filter((x) => x.hint !== 'ok').length, passed.length)}`);
  const clean = rows.filter((x) => !fails(x, GUIDED));
  console.log(`photos with none of those checks failed: ${clean.length}; a false hint: ${pct(clean.filter((x) => x.hint !== 'ok').length, clean.length)}`);
  const hints = {};
  for (const x of rows) hints[x.hint] = (hints[x.hint] || 0) + 1;
  console.log('hints given:', JSON.stringify(hints));
  // the detector's box against the server's face width: resolution's value = face_w / target
  const target = (guide.spec.face_width[0] + guide.spec.face_width[1]) / 2;
  const ratios = rows.filter((x) => x.m && x.res && Number.isFinite(x.res.value) && x.res.value > 0)
    .map((x) => (x.res.value * target) / (x.m.box.w * x.scale)).sort((a, b) => a - b);
  if (ratios.length) console.log(`server face width / detector box width: median ${ratios[ratios.length >> 1].toFixed(3)}, quartiles ${ratios[ratios.length >> 2].toFixed(3)}..${ratios[(3 * ratios.length) >> 2].toFixed(3)} (n ${ratios.length})`);
  if (list) for (const x of rows) console.log(`${x.hint.padEnd(8)} ${x.passed ? 'pass' : 'FAIL'} ${x.f} ${x.failed.join(',')}`);
} finally {
  await browser.close();
  await srv.stop();
}
