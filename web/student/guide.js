// The camera's live guide (issue 19 item 8): while the student frames the
// shot, a face detector (MediaPipe's, from npm, the model the server runs
// first) looks at a few frames a second and one short hint is shown over
// the viewfinder, judged by the server's own thresholds (GET
// /api/v1/me/guide).  Hints advise; the shutter stays usable and the server
// judges.  The detector runs in a frame of its own (/guide/, its own policy,
// docs/SECURITY.md); where WebAssembly, WebGL or the package is missing the
// guide gives up silently and the camera works as before.
//
// measureFace and hintFor are pure (no DOM): tools/guide-measure.mjs runs
// them on still portraits to compare with the server's verdicts.

// The detector's box is wider than the face mesh's cheek-to-cheek width
// that the server measures (check resolution): face_w = box width * this.
// Fitted on the portraits and real photos (tools/guide-measure.mjs, docs/QUALITY.md).
export const BOX_TO_FACE = 0.96;

const lin = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
const srgb = (l) => 255 * (l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055);

// What the hints need from one detection on one frame.  det: MediaPipe's
// {boundingBox:{xCenter,yCenter,width,height}, landmarks:[{x,y}...]} in
// 0..1 coordinates; img: the frame's ImageData (any size).
export function measureFace(det, img) {
  const W = img.width, H = img.height, px = img.data;
  const b = det.boundingBox, k = det.landmarks || [];
  const box = { x: (b.xCenter - b.width / 2) * W, y: (b.yCenter - b.height / 2) * H, w: b.width * W, h: b.height * H };
  const eyeR = k[0] || { x: b.xCenter - b.width / 4, y: b.yCenter - b.height / 6 };
  const eyeL = k[1] || { x: b.xCenter + b.width / 4, y: b.yCenter - b.height / 6 };
  const nose = k[2] || { x: b.xCenter, y: b.yCenter };
  const mouth = k[3] || { x: b.xCenter, y: b.yCenter + b.height / 4 };
  const ex = [eyeR.x * W, eyeL.x * W], ey = [eyeR.y * H, eyeL.y * H];
  // the eye line's angle, as the server's pose_roll (image coordinates)
  let roll = Math.atan2(ey[1] - ey[0], ex[1] - ex[0]) * 180 / Math.PI;
  if (roll > 90) roll -= 180; else if (roll < -90) roll += 180;
  // light on the face: the inner part of the box (skin, no background),
  // and its two halves left and right of the nose between the eyes and
  // the mouth, as the server's light_uneven
  const x0 = Math.max(0, Math.round(box.x + box.w * 0.18)), x1 = Math.min(W, Math.round(box.x + box.w * 0.82));
  const y0 = Math.max(0, Math.round(box.y + box.h * 0.1)), y1 = Math.min(H, Math.round(box.y + box.h * 0.95));
  const hy0 = Math.min(ey[0], ey[1]), hy1 = mouth.y * H, axis = nose.x * W;
  let sum = 0, n = 0; const half = [0, 0], nh = [0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const o = (y * W + x) * 4;
      const l = 0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2];
      sum += l; n++;
      if (y >= hy0 && y <= hy1) { const s = x < axis ? 0 : 1; half[s] += l; nh[s]++; }
    }
  // the picture's 99th percentile of luma (the server's tone correction stops there)
  const hist = new Uint32Array(256);
  let m = 0;
  const step = Math.max(1, Math.floor((W * H) / 40000));
  for (let i = 0; i < W * H; i += step, m++) { const o = i * 4; hist[Math.round(0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2])]++; }
  let p99 = 255;
  for (let v = 0, acc = 0; v < 256; v++) { acc += hist[v]; if (acc >= 0.99 * m) { p99 = v; break; } }
  const hm = [nh[0] ? half[0] / nh[0] : NaN, nh[1] ? half[1] / nh[1] : NaN];
  return {
    W, H, box, roll,
    cx: box.x + box.w / 2, eyeY: (ey[0] + ey[1]) / 2,
    luma: n ? sum / n : NaN,
    uneven: nh[0] > 20 && nh[1] > 20 ? Math.min(hm[0], hm[1]) / Math.max(hm[0], hm[1], 1e-6) : NaN,
    p99,
  };
}

// The face's luma after the server's exposure correction (check_tone), or
// -1 when the face needs more than the correction may give.
function corrected(m, tone) {
  const needFace = lin(tone.target_face) / Math.max(lin(m.luma), 1e-4);
  const needTop = lin(tone.target_top) / Math.max(lin(m.p99), 1e-4);
  const need = Math.min(needFace, needTop);
  if (need < tone.min_correction) return m.luma;
  if (need > tone.max_gain) return -1;
  return srgb(Math.min(1, lin(m.luma) * need));
}

const mid = (r) => (r[0] != null && r[1] != null ? (r[0] + r[1]) / 2 : r[0] != null ? r[0] : r[1]);

// One hint for one frame: 'no_face', 'one' (more than one face), 'closer',
// 'farther', 'centre', 'level', 'light' or 'ok'.  faces: the detections, most confident first; m: measureFace
// of the first; scale: capture pixels per analysed pixel (the server sees the
// full-size picture); g: GET /api/v1/me/guide's object.
export function hintFor(faces, m, scale, g) {
  if (!faces || !faces.length || !m) return 'no_face';
  const on = (name) => !g.enabled || g.enabled[name] !== false;
  if (faces.length > 1 && on('face_count')) return 'one';
  const sp = g.spec;
  const faceW = m.box.w * BOX_TO_FACE * scale;
  const target = mid(sp.face_width) || sp.width * 0.5;
  if (on('resolution') && faceW / target < g.resolution_min) return 'closer';
  if (on('framing')) {
    // the smallest crop of the spec around this face (its largest face
    // width, its lowest eye line), placed as the server may (off centre by
    // at most max_centre_off): the part of it past the sides or the bottom
    const fwHi = sp.face_width[1] != null ? sp.face_width[1] : target;
    const eyeHi = sp.eye_line[1] != null ? sp.eye_line[1] : mid(sp.eye_line) || sp.height * 0.4;
    const s = fwHi / faceW; // output px per capture px
    const W = m.W * scale, H = m.H * scale, cx = m.cx * scale, eyeY = m.eyeY * scale;
    const cw = sp.width / s, ch = sp.height / s, off = (sp.max_centre_off || 0) / s;
    const bottom = eyeY + (sp.height - eyeHi) / s, top = bottom - ch;
    const outside = (left) => {
      const inW = Math.max(0, Math.min(left + cw, W) - Math.max(left, 0));
      const inH = Math.max(0, Math.min(bottom, H) - top);
      return 1 - (inW * inH) / (cw * ch);
    };
    let best = Infinity;
    for (let d = -off; d <= off + 1e-9; d += Math.max(off / 8, 1e-3)) best = Math.min(best, outside(cx - cw / 2 + d));
    if (best > g.framing_outside_max) {
      const centred = outside((W - cw) / 2);
      return centred <= g.framing_outside_max ? 'centre' : 'farther';
    }
  }
  if (on('pose_roll') && Math.abs(m.roll) > g.pose_roll_max) return 'level';
  if (on('light_dark') && Number.isFinite(m.luma) && corrected(m, g.tone) < g.light_dark_min) return 'light';
  if (on('light_uneven') && Number.isFinite(m.uneven) && m.uneven < g.light_uneven_min) return 'light';
  return 'ok';
}

// ---- in the page ------------------------------------------------------------------------

const EVERY_MS = 330;      // about three frames a second
const READY_MS = 30000;    // the detector's first load (about 6 MB) before giving up
const ANALYSE_W = 320;     // frames are analysed at this width

// Start the guide over a playing video.  show(key, glasses) is called with
// each new hint; key undefined: the detector is ready, no hint yet; null: no
// hints at all (the guide gave up, the camera works as before).  glasses:
// the school forbids glasses (a standing reminder).  Returns stop().
export function startGuide(video, guide, show) {
  let stopped = false, frame = null, busy = false, last = 0, raf = 0, pending = null, shown = null, seen = null;
  const give = () => { if (!stopped) { stop(); show(null, false); } };
  const stop = () => {
    stopped = true;
    cancelAnimationFrame(raf);
    window.removeEventListener('message', onMsg);
    if (frame) frame.remove();
    frame = null;
  };
  if (typeof WebAssembly !== 'object' || typeof createImageBitmap !== 'function' || !guide) { show(null, false); return () => {}; }
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  frame = document.createElement('iframe');
  frame.src = '/guide/';
  frame.hidden = true;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  const timer = setTimeout(give, READY_MS);
  let ready = false;
  function onMsg(ev) {
    if (!frame || ev.source !== frame.contentWindow || ev.origin !== location.origin) return;
    const d = ev.data || {};
    if (d.failed) { clearTimeout(timer); give(); return; }
    if (d.ready) { clearTimeout(timer); ready = true; show(undefined, !!guide.glasses_forbidden); raf = requestAnimationFrame(tick); return; }
    if (d.faces && pending) {
      busy = false;
      const { img, scale } = pending;
      pending = null;
      const key = hintFor(d.faces, d.faces.length ? measureFace(d.faces[0], img) : null, scale, guide);
      // a hint changes once two frames agree, so it does not flicker
      if (key !== shown && key === seen) { shown = key; show(key, !!guide.glasses_forbidden); }
      seen = key;
    }
  }
  async function tick(now) {
    if (stopped) return;
    raf = requestAnimationFrame(tick);
    if (busy && now - last > 3000) { busy = false; pending = null; } // a frame the detector dropped
    if (!ready || busy || now - last < EVERY_MS || document.visibilityState !== 'visible' || video.hidden) return;
    const vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) return;
    last = now;
    busy = true;
    const w = Math.min(ANALYSE_W, vw), h = Math.round((vh * w) / vw);
    canvas.width = w; canvas.height = h;
    ctx.drawImage(video, 0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    try {
      const bitmap = await createImageBitmap(canvas);
      if (stopped || !frame) { bitmap.close(); return; }
      pending = { img, scale: vw / w };
      frame.contentWindow.postMessage({ bitmap }, location.origin, [bitmap]);
    } catch { busy = false; }
  }
  window.addEventListener('message', onMsg);
  document.body.append(frame);
  return stop;
}
