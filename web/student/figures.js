// Drawings for the shooting tips, the tutorial and the viewfinder: inline
// SVG built with the DOM (no markup strings, no third-party media), so
// they scale to any phone, follow the CSP, and are labelled for screen
// readers by the text beside them (the drawings themselves are
// aria-hidden).
//
// portrait(variant) draws a head-and-shoulders figure like the ID photo
// examples of seed 001 §一; the variants show what goes wrong: top light,
// a shadow over half the face, tinted or reflecting glasses, hair over the
// brows and ears, a blue top, earrings and a necklace, a turned head.

const NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

function svg(viewBox, cls, ...children) {
  return s('svg', { viewBox, class: cls, 'aria-hidden': 'true', focusable: 'false' }, ...children);
}

const SKIN = '#f3c9a8', SKIN_DARK = '#c99576', HAIR = '#2b2522', LINE = '#5a4636';

// A head-and-shoulders figure in a 120 x 150 box.
function figure({ shirt = '#ffffff', shirtLine = '#c9c9c9', hair = 'tied', glasses = null, turned = false,
  jewelry = false, shadow = false, toplight = false, bg = '#bfe3ff' } = {}) {
  const dx = turned ? 9 : 0; // features shift when the head is turned
  const g = [];
  g.push(s('rect', { x: 0, y: 0, width: 120, height: 150, fill: bg }));
  // shoulders and top
  g.push(s('path', { d: 'M6 150 C8 118 26 108 60 106 C94 108 112 118 114 150 Z', fill: shirt, stroke: shirtLine, 'stroke-width': 1.5 }));
  if (shirt === '#ffffff') g.push(s('path', { d: 'M48 107 L60 124 L72 107', fill: 'none', stroke: shirtLine, 'stroke-width': 1.5 }));
  // neck
  g.push(s('path', { d: 'M51 88 L51 108 Q60 114 69 108 L69 88 Z', fill: SKIN_DARK }));
  // ears
  if (!turned) g.push(s('ellipse', { cx: 35, cy: 64, rx: 5, ry: 8, fill: SKIN }));
  g.push(s('ellipse', { cx: 85 + (turned ? -2 : 0), cy: 64, rx: 5, ry: 8, fill: SKIN, opacity: turned ? 0 : 1 }));
  if (turned) g.push(s('ellipse', { cx: 40, cy: 64, rx: 6, ry: 9, fill: SKIN }));
  // head
  g.push(s('ellipse', { cx: 60 + dx / 3, cy: 62, rx: 25, ry: 31, fill: SKIN }));
  // hair
  if (hair === 'tied') {
    g.push(s('path', { d: 'M35 58 C33 34 46 28 60 28 C76 28 88 36 85 58 C80 44 70 39 60 39 C48 39 39 45 35 58 Z', fill: HAIR }));
  } else if (hair === 'down') { // over the brows and the ears
    g.push(s('path', { d: 'M30 82 C24 40 40 27 60 27 C82 27 96 42 90 82 L84 82 C86 66 84 58 80 56 C70 58 52 58 40 56 C36 58 34 66 36 82 Z', fill: HAIR }));
  }
  // brows, eyes, nose, mouth
  const ex = 60 + dx;
  g.push(s('path', { d: `M${ex - 15} 54 Q${ex - 10} 51 ${ex - 5} 54 M${ex + 5} 54 Q${ex + 10} 51 ${ex + 15} 54`, stroke: LINE, 'stroke-width': 2, fill: 'none', 'stroke-linecap': 'round' }));
  g.push(s('circle', { cx: ex - 10, cy: 61, r: 2.4, fill: LINE }));
  g.push(s('circle', { cx: ex + 10, cy: 61, r: 2.4, fill: LINE }));
  g.push(s('path', { d: `M${ex} 64 Q${ex + 2} 71 ${ex - 2} 73`, stroke: SKIN_DARK, 'stroke-width': 1.5, fill: 'none' }));
  g.push(s('path', { d: `M${ex - 7} 80 Q${ex} 83 ${ex + 7} 80`, stroke: '#b86a5c', 'stroke-width': 2, fill: 'none', 'stroke-linecap': 'round' }));
  if (glasses) {
    const fill = glasses === 'tinted' ? 'rgba(40,40,40,.75)' : 'rgba(255,255,255,.15)';
    g.push(s('rect', { x: ex - 18, y: 55, width: 15, height: 12, rx: 4, fill, stroke: '#333', 'stroke-width': 1.6 }));
    g.push(s('rect', { x: ex + 3, y: 55, width: 15, height: 12, rx: 4, fill, stroke: '#333', 'stroke-width': 1.6 }));
    g.push(s('path', { d: `M${ex - 3} 60 L${ex + 3} 60`, stroke: '#333', 'stroke-width': 1.6 }));
    if (glasses === 'glare') {
      g.push(s('path', { d: `M${ex - 16} 64 L${ex - 7} 56 M${ex + 5} 64 L${ex + 14} 56`, stroke: '#fff', 'stroke-width': 2.5, 'stroke-linecap': 'round' }));
    }
  }
  if (jewelry) {
    g.push(s('circle', { cx: 35, cy: 75, r: 2.6, fill: '#f5b700' }));
    g.push(s('circle', { cx: 85, cy: 75, r: 2.6, fill: '#f5b700' }));
    g.push(s('path', { d: 'M48 108 Q60 126 72 108', stroke: '#f5b700', 'stroke-width': 2, fill: 'none' }));
  }
  if (shadow) g.push(s('path', { d: 'M60 31 C75 31 85 45 85 62 C85 80 75 93 60 93 Z', fill: 'rgba(30,20,10,.45)' }));
  if (toplight) {
    g.push(s('ellipse', { cx: 60, cy: 40, rx: 17, ry: 8, fill: 'rgba(255,255,235,.85)' }));
    g.push(s('path', { d: 'M36 72 C44 94 76 94 84 72 C80 92 40 92 36 72 Z', fill: 'rgba(30,20,10,.35)' }));
  }
  return g;
}

function mark(ok) {
  return s('g', {},
    s('circle', { cx: 104, cy: 16, r: 12, fill: ok ? '#07c160' : '#fa5151' }),
    ok ? s('path', { d: 'M98 16 L102.5 20.5 L110 12', stroke: '#fff', 'stroke-width': 3, fill: 'none', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' })
      : s('path', { d: 'M99 11 L109 21 M109 11 L99 21', stroke: '#fff', 'stroke-width': 3, 'stroke-linecap': 'round' }));
}

// The examples on the tips page: [variant, ok, text key].
export const EXAMPLES = [
  ['good', true, 'tips.ex_good'],
  ['toplight', false, 'tips.ex_toplight'],
  ['shadow', false, 'tips.ex_shadow'],
  ['glasses_clear', true, 'tips.ex_glasses_clear'],
  ['glasses_tinted', false, 'tips.ex_glasses_tinted'],
  ['hair_down', false, 'tips.ex_hair'],
  ['blue_top', false, 'tips.ex_blue'],
  ['jewelry', false, 'tips.ex_jewelry'],
  ['turned', false, 'tips.ex_turned'],
];

const VARIANTS = {
  good: {},
  toplight: { toplight: true, bg: '#d9d9d9' },
  shadow: { shadow: true },
  glasses_clear: { glasses: 'clear' },
  glasses_tinted: { glasses: 'tinted' },
  glasses_glare: { glasses: 'glare' },
  hair_down: { hair: 'down' },
  blue_top: { shirt: '#2f6fd6', shirtLine: '#1f4fa6' },
  jewelry: { jewelry: true },
  turned: { turned: true },
};

export function portrait(variant = 'good', ok = null, cls = 'tc-fig') {
  return svg('0 0 120 150', cls, figure(VARIANTS[variant] || {}), ok === null ? null : mark(ok));
}

// The viewfinder's guide, sized and placed from the batch's photo spec
// (GET /api/v1/me/spec): the SVG's user space is the spec's own pixels
// (e.g. 学信网 480x640), fitted into the viewfinder whatever its aspect
// (preserveAspectRatio meet, centred), so a face that fills the oval is
// framed as the finished photo wants it: the top of the hair at the middle
// of the spec's hair_top window, the eyes at the middle of eye_line, the
// cheeks as wide as the middle of face_width.  A window open on one side
// (身份证: eye line only "at most 234 px down") takes the usual proportion
// (eyes 0.7 face widths below the hair top, as in 学信网's windows) within
// its bound.  The chin is as far below the eyes as the hair top is above
// them (the eyes sit about half-way down the head).  Outside the spec's
// frame the picture is dimmed: it is cut off.
const num = (v) => typeof v === 'number' && Number.isFinite(v);
const pick = (r, usual) => {
  const [lo, hi] = Array.isArray(r) ? r : [];
  if (num(lo) && num(hi)) return (lo + hi) / 2;
  if (num(lo)) return Math.max(lo, usual);
  if (num(hi)) return Math.min(hi, usual);
  return usual;
};
export function guideGeometry(spec) {
  const W = (spec && spec.width) || 480, H = (spec && spec.height) || 640;
  const hair = pick(spec && spec.hair_top, H * 0.125);
  const face = pick(spec && spec.face_width, W * 0.5);
  const eye = pick(spec && spec.eye_line, hair + face * 0.7);
  const chin = Math.min(H, eye + (eye - hair));
  return { W, H, cx: W / 2, hair, eye, face, chin };
}
export function outline(spec) {
  const g = guideGeometry(spec);
  const { W, H, cx, hair, eye, face, chin } = g;
  const rx = face / 2, ry = (chin - hair) / 2;
  const neck = face * 0.24, shoulder = Math.min(W / 2, face * 1.05);
  const sTop = chin + (chin - hair) * 0.14;
  const dash = { fill: 'none', stroke: '#fff', 'stroke-width': W / 110, 'stroke-dasharray': `${W / 40} ${W / 60}`, 'stroke-linecap': 'round' };
  const corner = W / 12;
  const el = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'tc-outline', 'aria-hidden': 'true', focusable: 'false',
    'data-spec': (spec && spec.name) || '' },
    s('path', { class: 'tc-outline__outside', 'fill-rule': 'evenodd', fill: 'rgba(0,0,0,.45)',
      d: `M${-W} ${-H} H${2 * W} V${2 * H} H${-W} Z M0 0 V${H} H${W} V0 Z` }),
    s('ellipse', { class: 'tc-outline__face', cx, cy: (hair + chin) / 2, rx, ry, ...dash }),
    s('path', { class: 'tc-outline__eyes', d: `M${cx - rx * 0.8} ${eye} H${cx + rx * 0.8}`, stroke: '#07c160', 'stroke-width': W / 160,
      'stroke-dasharray': `${W / 80} ${W / 80}` }),
    s('path', { class: 'tc-outline__shoulders', ...dash,
      d: `M${cx - neck} ${chin - ry * 0.12} V${sTop} C${cx - shoulder * 0.55} ${sTop + (H - sTop) * 0.08} ${cx - shoulder * 0.9} ${sTop + (H - sTop) * 0.25} ${cx - shoulder} ${H} `
        + `M${cx + neck} ${chin - ry * 0.12} V${sTop} C${cx + shoulder * 0.55} ${sTop + (H - sTop) * 0.08} ${cx + shoulder * 0.9} ${sTop + (H - sTop) * 0.25} ${cx + shoulder} ${H}` }),
    s('path', { d: `M${corner * 0.3} ${corner * 1.3} V${corner * 0.3} H${corner * 1.3} M${W - corner * 1.3} ${corner * 0.3} H${W - corner * 0.3} V${corner * 1.3} `
      + `M${W - corner * 0.3} ${H - corner * 1.3} V${H - corner * 0.3} H${W - corner * 1.3} M${corner * 1.3} ${H - corner * 0.3} H${corner * 0.3} V${H - corner * 1.3}`,
    stroke: '#07c160', 'stroke-width': W / 60, fill: 'none' }));
  return el;
}

// ---- the tutorial (seed 000 §8): five short animated scenes ------------------------------
// Each returns an SVG; the motion is CSS (app.css, .tc-anim-*), the timing
// and "watched to the end" are kept by journey.js.

function phone(x, y, cls) {
  return s('g', { class: cls },
    s('rect', { x, y, width: 34, height: 62, rx: 6, fill: '#333' }),
    s('rect', { x: x + 3, y: y + 6, width: 28, height: 48, rx: 2, fill: '#9fd3ff' }),
    s('circle', { cx: x + 17, cy: y + 58, r: 2, fill: '#777' }));
}

export const SCENES = [
  // 1. someone else holds the phone, rear camera towards you
  () => svg('0 0 320 180', 'tc-scene',
    s('rect', { width: 320, height: 180, fill: '#eef6ff' }),
    s('g', { transform: 'translate(190 20) scale(.95)' }, figure({})),
    s('g', { class: 'tc-anim-bob' },
      s('rect', { x: 40, y: 55, width: 36, height: 66, rx: 7, fill: '#333' }),
      s('circle', { class: 'tc-anim-blink', cx: 66, cy: 66, r: 5, fill: '#07c160' }),
      s('path', { d: 'M76 88 L170 88', stroke: '#07c160', 'stroke-width': 3, 'stroke-dasharray': '8 6', class: 'tc-anim-dash' }),
      s('path', { d: 'M162 80 L172 88 L162 96', stroke: '#07c160', 'stroke-width': 3, fill: 'none' }))),
  // 2. face a window: soft, even daylight
  () => svg('0 0 320 180', 'tc-scene',
    s('rect', { width: 320, height: 180, fill: '#f7f7f2' }),
    s('rect', { x: 20, y: 20, width: 70, height: 110, fill: '#cfe9ff', stroke: '#8a8a8a', 'stroke-width': 4 }),
    s('path', { d: 'M55 20 V130 M20 75 H90', stroke: '#8a8a8a', 'stroke-width': 3 }),
    s('g', { class: 'tc-anim-rays' },
      s('path', { d: 'M95 45 L170 60 M95 75 L170 80 M95 105 L170 100', stroke: '#f5c400', 'stroke-width': 4, 'stroke-linecap': 'round' })),
    s('g', { transform: 'translate(180 20) scale(.95)' }, figure({ bg: '#f7f7f2' }))),
  // 3. a plain wall behind, about one metre away
  () => svg('0 0 320 180', 'tc-scene',
    s('rect', { width: 320, height: 180, fill: '#ffffff' }),
    s('rect', { x: 240, y: 0, width: 80, height: 180, fill: '#ececec' }),
    s('g', { class: 'tc-anim-step' }, s('g', { transform: 'translate(150 20) scale(.95)' }, figure({ bg: 'none' }))),
    s('path', { d: 'M160 165 H236 M160 158 V172 M236 158 V172', stroke: '#576b95', 'stroke-width': 2.5 }),
    s('text', { x: 198, y: 158, 'text-anchor': 'middle', 'font-size': 14, fill: '#576b95' }, '1 m')),
  // 4. head and shoulders inside the frame, looking straight ahead
  () => svg('0 0 320 180', 'tc-scene',
    s('rect', { width: 320, height: 180, fill: '#222' }),
    s('g', { class: 'tc-anim-fit' }, s('g', { transform: 'translate(100 15) scale(1)' }, figure({ bg: '#555' }))),
    s('rect', { x: 100, y: 15, width: 120, height: 150, fill: 'none', stroke: '#07c160', 'stroke-width': 3, 'stroke-dasharray': '10 6' })),
  // 5. press the shutter, check the preview, tap 确定
  () => svg('0 0 320 180', 'tc-scene',
    s('rect', { width: 320, height: 180, fill: '#eef6ff' }),
    phone(70, 40, ''),
    s('circle', { class: 'tc-anim-press', cx: 87, cy: 150, r: 14, fill: '#fff', stroke: '#07c160', 'stroke-width': 4 }),
    s('g', { class: 'tc-anim-preview' },
      s('g', { transform: 'translate(180 30) scale(.7)' }, figure({})),
      s('circle', { cx: 255, cy: 135, r: 13, fill: '#07c160' }),
      s('path', { d: 'M248 135 L253 140 L262 130', stroke: '#fff', 'stroke-width': 3, fill: 'none' }))),
];

// A small flat icon for lists (a camera, a picture, a bell …).
export function icon(name) {
  const paths = {
    camera: 'M4 8 H8 L10 5 H14 L16 8 H20 V19 H4 Z M12 10 A3.5 3.5 0 1 0 12.01 10',
    album: 'M4 5 H20 V19 H4 Z M6 17 L10 12 L13 15 L15 13 L18 17 Z M15 9 A1.5 1.5 0 1 0 15.01 9',
    // the bottom tab bar: a house, a speech bubble with two lines, a person
    home: 'M3.5 11 L12 4 L20.5 11 M6 9.5 V20 H10 V14.5 H14 V20 H18 V9.5',
    messages: 'M4 5.5 H20 V16.5 H11 L6.5 20 V16.5 H4 Z M8 9.5 H16 M8 12.5 H13.5',
    mine: 'M12 4 A4 4 0 1 1 11.99 4 M4.5 20.5 C5 15.5 8 13.5 12 13.5 C16 13.5 19 15.5 19.5 20.5 Z',
  };
  return svg('0 0 24 24', 'tc-icon', s('path', { d: paths[name] || '', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
}

// A small drawing of a print sheet (加洗 layouts): the paper and each photo
// where the server's sheet plan puts it (GET /api/v1/me/reprint, "sheet":
// mm), each photo with a head-and-shoulders mark so the sizes read at once.
export function sheetDrawing(sheet) {
  if (!sheet || !(sheet.w_mm > 0) || !(sheet.h_mm > 0) || !Array.isArray(sheet.places)) return null;
  const { w_mm: W, h_mm: H } = sheet;
  const el = svg(`0 0 ${W} ${H}`, 'tc-sheet-fig',
    s('rect', { class: 'tc-sheet-fig__paper', x: 0, y: 0, width: W, height: H, fill: '#fff', stroke: '#b2b2b2', 'stroke-width': W / 120 }),
    sheet.places.map(([x, y, w, hh]) => {
      const r = Math.min(w, hh) * 0.22;
      const up = hh >= w; // the head towards the photo's top (a photo may be turned on the sheet)
      const cx = x + w / 2, cy = y + hh / 2;
      const head = up ? s('circle', { cx, cy: y + hh * 0.38, r, fill: SKIN }) : s('circle', { cx: x + w * 0.62, cy, r, fill: SKIN });
      const body = up
        ? s('path', { d: `M${x + w * 0.15} ${y + hh} C${x + w * 0.2} ${y + hh * 0.7} ${x + w * 0.8} ${y + hh * 0.7} ${x + w * 0.85} ${y + hh} Z`, fill: '#fff' })
        : s('path', { d: `M${x} ${y + hh * 0.15} C${x + w * 0.3} ${y + hh * 0.2} ${x + w * 0.3} ${y + hh * 0.8} ${x} ${y + hh * 0.85} Z`, fill: '#fff' });
      return s('g', { class: 'tc-sheet-fig__photo' },
        s('rect', { x, y, width: w, height: hh, fill: '#64c5ff' }), head, body);
    }));
  // the longer side 96 px, the paper's own proportions
  const k = 96 / Math.max(W, H);
  el.setAttribute('width', (W * k).toFixed(1));
  el.setAttribute('height', (H * k).toFixed(1));
  el.setAttribute('data-places', String(sheet.places.length));
  return el;
}
