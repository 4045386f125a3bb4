#!/usr/bin/env node
// Regenerates the vision engine's reference fixtures with MediaPipe's own
// runtime: the @mediapipe JavaScript solutions of the pinned versions (the
// same model files as scripts/fetch-models), in Debian's chromium, headless
// and offline (everything is served from 127.0.0.1).
//
//   node tools/mediapipe-ref/run.mjs [IMAGE...]
//
// Default images: every portrait in $TC_TESTDATA/portraits or
// ../shared/testdata/portraits.  For each image and each variant (orig,
// rot90 = turned 90 degrees clockwise, dark = every channel halved, mirror =
// flipped left-right) it writes tests/fixtures/vision/NAME.VARIANT.json:
//   {"width","height","faces":[{"score","box":{xmin,ymin,width,height},
//    "keypoints":[[x,y]x6]}],"landmarks":[[x,y,z]x468],"mask_mean",
//    "mask":{"file","k","width","height"}}
// and NAME.VARIANT.mask.png: the 8-bit mask averaged over k x k blocks (k
// chosen so the long side is at most 128 px) to keep the fixtures small.
// The variants are computed on the decoded pixels by the same integer
// operations the C test applies, so both sides see identical pixels.
// The npm packages are cached in models/mediapipe-js (git-ignored).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/fixtures/vision');
const CACHE = path.join(ROOT, 'models/mediapipe-js');
const PKGS = {
  face_detection: '@mediapipe/face_detection@0.4.1657300184',
  face_mesh: '@mediapipe/face_mesh@0.4.1657299874',
  selfie_segmentation: '@mediapipe/selfie_segmentation@0.1.1675465747',
};
const VARIANTS = ['orig', 'rot90', 'dark', 'mirror'];
const MASK_MAX = 128;

function fetchPackages() {
  for (const [name, spec] of Object.entries(PKGS)) {
    const dir = path.join(CACHE, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) continue;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mpref-'));
    const tgz = execFileSync('npm', ['pack', '--silent', spec], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', tmp]);
    fs.mkdirSync(CACHE, { recursive: true });
    fs.renameSync(path.join(tmp, 'package'), dir);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---- a minimal 8-bit greyscale PNG writer ---------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function pngGrey(w, h, pixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0;
    Buffer.from(pixels.buffer, pixels.byteOffset + y * w, w).copy(raw, y * (w + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- the local server ------------------------------------------------------
function serve(images) {
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.data': 'application/octet-stream',
    '.tflite': 'application/octet-stream', '.binarypb': 'application/octet-stream' };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    let file = null;
    if (url === '/' || url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><meta charset="utf-8"><title>mediapipe-ref</title>');
    }
    let m = url.match(/^\/pkg\/([a-z_]+)\/([^/]+)$/);
    if (m && PKGS[m[1]]) file = path.join(CACHE, m[1], m[2]);
    m = url.match(/^\/img\/(\d+)$/);
    if (m && images[+m[1]]) file = images[+m[1]];
    if (!file || !fs.existsSync(file)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- in the page -----------------------------------------------------------
// Runs in chromium: decode, make the variant, run one solution, return plain data.
async function inPage({ url, variant, solution, maskMax }) {
  const img = new Image();
  img.src = url;
  await img.decode();
  const w = img.naturalWidth, h = img.naturalHeight;
  const c0 = document.createElement('canvas');
  c0.width = w; c0.height = h;
  const ctx0 = c0.getContext('2d', { willReadFrequently: true });
  ctx0.drawImage(img, 0, 0);
  const src = ctx0.getImageData(0, 0, w, h).data;
  const W = variant === 'rot90' ? h : w, H = variant === 'rot90' ? w : h;
  const dst = new ImageData(W, H);
  const d = dst.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx = x, sy = y;
      if (variant === 'rot90') { sx = y; sy = h - 1 - x; }      // turned clockwise
      else if (variant === 'mirror') { sx = w - 1 - x; }
      const si = (sy * w + sx) * 4, di = (y * W + x) * 4;
      for (let k = 0; k < 3; k++) d[di + k] = variant === 'dark' ? src[si + k] >> 1 : src[si + k];
      d[di + 3] = 255;
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = W; canvas.height = H;
  canvas.getContext('2d').putImageData(dst, 0, 0);

  const out = { width: W, height: H };
  const locate = (pkg) => ({ locateFile: (f) => `/pkg/${pkg}/${f}` });
  if (solution === 'face_detection') {
    const fd = new FaceDetection(locate('face_detection'));
    fd.setOptions({ model: 'short', selfieMode: false, useCpuInference: true });
    fd.onResults((r) => {
      out.faces = r.detections.map((det) => {
        const b = det.boundingBox;
        // The score is not in the typed interface: this (minified) build
        // keeps it in a list of {index, <score>} under a mangled name.
        let score = null;
        for (const v of Object.values(det)) {
          if (Array.isArray(v) && v.length && v[0] && typeof v[0].index === 'number') {
            for (const [k, x] of Object.entries(v[0])) if (k !== 'index' && typeof x === 'number') score = x;
          }
        }
        return { score, box: { xmin: b.xCenter - b.width / 2, ymin: b.yCenter - b.height / 2, width: b.width, height: b.height },
          keypoints: det.landmarks.map((p) => [p.x, p.y]) };
      });
    });
    await fd.initialize();
    await fd.send({ image: canvas });
    await fd.close();
  } else if (solution === 'face_mesh') {
    const fm = new FaceMesh(locate('face_mesh'));
    fm.setOptions({ maxNumFaces: 1, refineLandmarks: false, selfieMode: false, useCpuInference: true });
    fm.onResults((r) => {
      const l = r.multiFaceLandmarks && r.multiFaceLandmarks[0];
      out.landmarks = l ? l.map((p) => [p.x, p.y, p.z]) : [];
    });
    await fm.initialize();
    await fm.send({ image: canvas });
    await fm.close();
  } else {
    const ss = new SelfieSegmentation(locate('selfie_segmentation'));
    ss.setOptions({ modelSelection: 0, selfieMode: false, useCpuInference: true });
    ss.onResults((r) => {
      // The mask is a GPU image, valid only inside this callback.
      const mc = document.createElement('canvas');
      mc.width = W; mc.height = H;
      const mctx = mc.getContext('2d', { willReadFrequently: true });
      mctx.drawImage(r.segmentationMask, 0, 0, W, H);
      const md = mctx.getImageData(0, 0, W, H).data;
      let sum = 0;
      for (let i = 3; i < md.length; i += 4) sum += md[i];
      out.mask_mean = sum / (W * H) / 255;
      out.mask_native = [r.segmentationMask.width, r.segmentationMask.height];
      const k = Math.max(1, Math.ceil(Math.max(W, H) / maskMax));
      const sw = Math.floor(W / k), sh = Math.floor(H / k);
      const small = new Array(sw * sh);
      for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) {
        let s = 0;
        for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) s += md[((y * k + j) * W + x * k + i) * 4 + 3];
        small[y * sw + x] = Math.round(s / (k * k));
      }
      out.mask = { k, width: sw, height: sh, data: small };
    });
    await ss.initialize();
    await ss.send({ image: canvas });
    await ss.close();
  }
  return out;
}

function round(v, n) { return Math.round(v * 10 ** n) / 10 ** n; }

async function main() {
  let images = process.argv.slice(2);
  if (!images.length) {
    const dir = process.env.TC_TESTDATA ? path.join(process.env.TC_TESTDATA, 'portraits') : path.join(ROOT, '../shared/testdata/portraits');
    images = fs.readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => path.join(dir, f));
  }
  fetchPackages();
  fs.mkdirSync(OUT, { recursive: true });
  const server = await serve(images);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--use-gl=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const pages = {};
  for (const sol of ['face_detection', 'face_mesh', 'selfie_segmentation']) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${sol}] page error: ${e.message}`));
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort()); // offline: nothing leaves the machine
    await page.goto(`${base}/index.html`);
    await page.addScriptTag({ url: `/pkg/${sol}/${sol}.js` });
    pages[sol] = page;
  }
  try {
    for (let i = 0; i < images.length; i++) {
      const name = path.basename(images[i]).replace(/\.[^.]+$/, '');
      for (const variant of VARIANTS) {
        const args = { url: `/img/${i}`, variant, maskMax: MASK_MAX };
        const det = await pages.face_detection.evaluate(inPage, { ...args, solution: 'face_detection' });
        const mesh = await pages.face_mesh.evaluate(inPage, { ...args, solution: 'face_mesh' });
        const seg = await pages.selfie_segmentation.evaluate(inPage, { ...args, solution: 'selfie_segmentation' });
        const maskFile = `${name}.${variant}.mask.png`;
        fs.writeFileSync(path.join(OUT, maskFile), pngGrey(seg.mask.width, seg.mask.height, Uint8Array.from(seg.mask.data)));
        const fixture = {
          source: path.basename(images[i]), variant, width: det.width, height: det.height,
          faces: det.faces.map((f) => ({ score: f.score === null ? null : round(f.score, 5),
            box: Object.fromEntries(Object.entries(f.box).map(([k, v]) => [k, round(v, 5)])),
            keypoints: f.keypoints.map((p) => p.map((v) => round(v, 5))) })),
          landmarks: mesh.landmarks.map((p) => p.map((v) => round(v, 5))),
          mask_mean: round(seg.mask_mean, 5),
          mask: { file: maskFile, k: seg.mask.k, width: seg.mask.width, height: seg.mask.height },
        };
        fs.writeFileSync(path.join(OUT, `${name}.${variant}.json`), JSON.stringify(fixture) + '\n');
        console.log(`${name}.${variant}: ${fixture.faces.length} face(s), ${fixture.landmarks.length} landmarks, mask mean ${fixture.mask_mean} (native ${seg.mask_native})`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
