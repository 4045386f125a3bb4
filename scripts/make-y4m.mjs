#!/usr/bin/env node
// make-y4m: turn a still portrait into a short YUV4MPEG2 (4:2:0) clip for
// Chromium's fake camera (--use-file-for-fake-video-capture=FILE.y4m), so
// the browser tests can "shoot" a real face through getUserMedia.
//
//   scripts/make-y4m.mjs IN.(jpg|png|…) OUT.y4m [WIDTH HEIGHT [FRAMES]]
//
// Default 480x640 (portrait, like a phone held upright), 10 frames.  The
// picture is framed the way a helper holds the phone: scaled to about 84%
// of the width, standing on the bottom edge, with its own edges extended
// to fill the rest (so the head is not pressed against the frame).
// Decoding: the `vips` command (Debian package libvips-tools) when present,
// else Debian's chromium through playwright-core (both are on the test
// machine; nothing is downloaded).  Exits 2 with a plain message when the
// input is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function makeY4m(input, output, width = 480, height = 640, frames = 10) {
  if (!existsSync(input)) {
    const err = new Error(`make-y4m: no such picture: ${input}`);
    err.code = 'ENOENT';
    throw err;
  }
  const rgb = hasVips() ? decodeWithVips(input, width, height) : await decodeWithChromium(input, width, height);
  writeFileSync(output, toY4m(rgb, width, height, frames));
  return output;
}

function hasVips() {
  try { execFileSync('vips', ['--version'], { stdio: 'pipe' }); return true; } catch { return false; }
}

export function hasVipsCli() { return hasVips(); }

// The same framing as a JPEG (what the page will capture), for tests that
// first check a portrait passes the server's checks.  Needs vips.
export function makeFrameJpeg(input, output, width = 480, height = 640) {
  const dir = mkdtempSync(path.join(tmpdir(), 'y4m-'));
  try {
    execFileSync('vips', ['copy', frameWithVips(input, width, height, dir), output + '[Q=92]'], { stdio: 'pipe' });
    return output;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function frameWithVips(input, width, height, dir) {
  const small = path.join(dir, 'small.v'), framed = path.join(dir, 'framed.v');
  execFileSync('vips', ['thumbnail', input, small, String(Math.round(width * 0.84)), '--height', String(Math.round(height * 0.78))], { stdio: 'pipe' });
  const dim = (f) => Number(execFileSync('vipsheader', ['-f', f, small], { stdio: 'pipe' }).toString().trim());
  const w = dim('width'), h = dim('height');
  execFileSync('vips', ['embed', small, framed, String(Math.round((width - w) / 2)), String(height - h), String(width), String(height),
    '--extend', 'copy'], { stdio: 'pipe' });
  return framed;
}

function decodeWithVips(input, width, height) {
  const dir = mkdtempSync(path.join(tmpdir(), 'y4m-'));
  try {
    const ppm = path.join(dir, 'frame.ppm');
    // 3 bands, 8 bits: drop alpha (PNG portraits) before PPM
    execFileSync('vips', ['extract_band', frameWithVips(input, width, height, dir), ppm, '0', '--n', '3'], { stdio: 'pipe' });
    return readPpm(readFileSync(ppm), width, height);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readPpm(buf, width, height) {
  let pos = 0;
  const token = () => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] === 0x23) { while (pos < buf.length && buf[pos] !== 0x0a) pos++; continue; } // comment
      break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    return buf.toString('latin1', start, pos);
  };
  const magic = token(), w = Number(token()), hgt = Number(token()), max = Number(token());
  pos++; // the single whitespace before the samples
  if (magic !== 'P6' || max !== 255) throw new Error(`make-y4m: unexpected PPM (${magic}, max ${max})`);
  if (w !== width || hgt !== height) throw new Error(`make-y4m: PPM is ${w}x${hgt}, wanted ${width}x${height}`);
  return buf.subarray(pos, pos + w * hgt * 3);
}

// Without vips: let the browser decode it (canvas), cover-and-crop the same way.
async function decodeWithChromium(input, width, height) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const ext = path.extname(input).slice(1).toLowerCase();
    const type = ext === 'jpg' ? 'jpeg' : ext;
    const url = `data:image/${type};base64,${readFileSync(input).toString('base64')}`;
    const data = await page.evaluate(async ({ url, width, height }) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = width; c.height = height;
      const g = c.getContext('2d');
      // the same framing as with vips; the edges are filled with the corner colour
      const s = Math.min(width * 0.84 / img.naturalWidth, height * 0.78 / img.naturalHeight);
      const w = Math.round(img.naturalWidth * s), h = Math.round(img.naturalHeight * s);
      g.drawImage(img, 0, 0, 1, 1, 0, 0, width, height);
      g.drawImage(img, Math.round((width - w) / 2), height - h, w, h);
      const px = g.getImageData(0, 0, width, height).data;
      const out = new Array(width * height * 3);
      for (let i = 0, j = 0; i < px.length; i += 4) { out[j++] = px[i]; out[j++] = px[i + 1]; out[j++] = px[i + 2]; }
      return out;
    }, { url, width, height });
    return Buffer.from(data);
  } finally {
    await browser.close();
  }
}

// BT.601 studio range, 4:2:0 with each chroma sample the mean of 2x2 pixels.
export function toY4m(rgb, width, height, frames) {
  const Y = Buffer.alloc(width * height);
  const cw = width >> 1, ch = height >> 1;
  const U = Buffer.alloc(cw * ch), V = Buffer.alloc(cw * ch);
  const clamp = (x) => (x < 0 ? 0 : x > 255 ? 255 : Math.round(x));
  for (let i = 0; i < width * height; i++) {
    const r = rgb[i * 3], g = rgb[i * 3 + 1], b = rgb[i * 3 + 2];
    Y[i] = clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const k = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[k]; g += rgb[k + 1]; b += rgb[k + 2];
      }
      r /= 4; g /= 4; b /= 4;
      U[y * cw + x] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      V[y * cw + x] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'latin1');
  const frameHdr = Buffer.from('FRAME\n', 'latin1');
  const parts = [header];
  for (let f = 0; f < frames; f++) parts.push(frameHdr, Y, U, V);
  return Buffer.concat(parts);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('make-y4m.mjs')) {
  const [input, output, w, hgt, n] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: scripts/make-y4m.mjs IN.jpg OUT.y4m [WIDTH HEIGHT [FRAMES]]');
    process.exit(64);
  }
  makeY4m(input, output, Number(w) || 480, Number(hgt) || 640, Number(n) || 10)
    .then((out) => console.log(out))
    .catch((e) => { console.error(e.message); process.exit(e.code === 'ENOENT' ? 2 : 1); });
}
