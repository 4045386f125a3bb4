// The reviewer's page (reviewers and platform admins): see the comment below.
import { t, addMessages, getLang, localError } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError, fmtTime } from '/common/dom.js';
import { isReviewer, route, field, button, table, notice, stateLabel, announce, navItem, app } from './core.js';

// ---- review (reviewers and platform admins) ----------------------------------------------------------------
//
// GET /api/v1/review/queue claims up to 10 submitted photos (oldest first;
// the claim expires after 10 minutes).  One photo at a time: the original,
// the standard photo and the checks' overlay side by side, the automatic
// checks' scores (failed red, unknown yellow), and Approve / Reject with
// reasons from the catalogue.  Keys: A approve, R reject, J/K next/previous.

// ---- the checks' overlay ----------------------------------------------------------------------------------
//
// Photos keep the overlay as drawing data (GET overlay_data_url: the JSON of
// tc_check_overlay_json, src/check/tc_check.h), made with the photo instead
// of a PNG nobody may open; it is painted here over the upright original as
// the server paints its PNG for `tucai check --overlay`: the original through
// the tone curve the checks judged and dimmed to 3/4, the person mask's
// outline (magenta), the face mesh's points (cyan) and each check's frame in
// its verdict's colour, failed on top — pixel for pixel the same
// (tests/unit/test_check_overlay.c paints the data the same way in C).
// Photos made by older versions have the PNG itself (overlay_url; their
// overlay.json answers 404).
const OVERLAY_MAX_SIDE = 8192;

// A canvas with the overlay of d painted over image (loaded, any size: it is
// drawn at the data's w x h, the work copy's size the original has).
export function paintOverlay(image, d) {
  const w = d && d.w, h = d && d.h;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w > OVERLAY_MAX_SIDE || h > OVERLAY_MAX_SIDE) {
    throw new Error('overlay: bad size');
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(image, 0, 0, w, h);
  const im = ctx.getImageData(0, 0, w, h);
  const px = im.data; // RGBA
  const [num, den] = Array.isArray(d.dim) && d.dim[1] > 0 ? d.dim : [3, 4];
  const tone = Array.isArray(d.tone) && d.tone.length === 3 ? d.tone : null;
  for (let o = 0; o < px.length; o += 4) {
    for (let c = 0; c < 3; c++) {
      const v = tone ? tone[c][px[o + c]] : px[o + c];
      px[o + c] = Math.floor((v * num) / den);
    }
    px[o + 3] = 255;
  }
  const pal = d.palette || {};
  const put = (x, y, c) => {
    if (x < 0 || y < 0 || x >= w || y >= h || !c) return;
    const o = (y * w + x) * 4;
    px[o] = c[0]; px[o + 1] = c[1]; px[o + 2] = c[2];
  };
  for (const row of d.outline || []) { // [y, x, n, x, n, ...]
    for (let k = 1; k + 1 < row.length; k += 2) for (let x = row[k]; x < row[k] + row[k + 1]; x++) put(x, row[0], pal.outline);
  }
  const pts = d.points || [];
  for (let k = 0; k + 1 < pts.length; k += 2) put(pts[k], pts[k + 1], pal.point);
  const thick = d.thick || 1;
  for (const b of d.boxes || []) {
    const [x0, y0, x1, y1] = b.box;
    const c = pal[b.verdict];
    for (let t = 0; t < thick; t++) {
      for (let x = x0; x <= x1; x++) { put(x, y0 + t, c); put(x, y1 - t, c); }
      for (let y = y0; y <= y1; y++) { put(x0 + t, y, c); put(x1 - t, y, c); }
    }
  }
  ctx.putImageData(im, 0, 0);
  return canvas;
}

// The overlay's picture for a queue item's photo p, once per item: a blob:
// URL of the painted data, or the stored PNG (older photos, or when the data
// cannot be had or painted).
function overlaySrc(p) {
  if (!p.overlay_job) {
    p.overlay_job = (async () => {
      try {
        if (!p.overlay_data_url) return p.overlay_url;
        const d = (await api.get(p.overlay_data_url)).data;
        const image = new Image();
        image.src = p.original_url;
        await image.decode();
        const canvas = paintOverlay(image, d);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
        return blob ? URL.createObjectURL(blob) : p.overlay_url;
      } catch {
        return p.overlay_url;
      }
    })().then((src) => { p.overlay_src = src; return src; });
  }
  return p.overlay_job;
}

// A reloaded queue: the painted pictures of the old one are let go.
function forgetOverlays(list) {
  for (const it of list || []) {
    const src = it.photo && it.photo.overlay_src;
    if (src && src.startsWith('blob:')) URL.revokeObjectURL(src);
  }
}

// The reasons come from the catalogue (GET /api/v1/review/reasons, edited
// by platform admins on the reasons page); each becomes an i18n key
// reason.<code> so the language switch relabels them.
async function loadReasons() {
  const list = (await api.get('/api/v1/review/reasons')).data.reasons;
  addMessages(Object.fromEntries(list.map((r) => ['reason.' + r.code, r.zh])),
    Object.fromEntries(list.map((r) => ['reason.' + r.code, r.en])));
  return list.map((r) => r.code);
}

addMessages({
  'nav.review': '照片审核',
  'welcome.go_review': '进入照片审核',
  'review.title': '照片审核',
  'review.queue': '待审核（已领取 {n} 张）',
  'review.empty': '暂时没有待审核的照片',
  'review.reload': '领取下一批',
  'review.original': '原图',
  'review.standard': '标准照',
  'review.overlay': '检测标注',
  'review.checks': '自动检测',
  'review.check': '检测项',
  'review.verdict': '结论',
  'review.score': '得分',
  'review.verdict.pass': '通过',
  'review.verdict.fail': '不合格',
  'review.verdict.unknown': '无法判断',
  'review.no_checks': '没有自动检测结果',
  'review.approve': '通过（A）',
  'review.reject': '驳回（R）',
  'review.prev': '上一张（K）',
  'review.next': '下一张（J）',
  'review.final': '制作完成',
  'review.reasons': '驳回原因（可多选，学生会看到）',
  'review.note': '补充说明（选填）',
  'review.keys': '快捷键：A 通过，R 驳回，J 下一张，K 上一张',
  'review.position': '第 {i} / {n} 张',
  'review.submitted_at': '提交于 {at}',
  'review.done_approved': '已通过：{name}',
  'review.done_rejected': '已驳回：{name}',
  'review.done_final': '已制作完成：{name}',
  'review.pick_reason': '请选择驳回原因或填写说明',
  'review.pick': '选择 {name}',
  'review.select_all': '全选',
  'review.bulk_approve_n': '批量通过（{n}）',
  'review.bulk_done': '已批量通过 {n} 张',
  'nav.production': '成片制作',
  'prod.title': '成片制作',
  'prod.lead': '审核通过的照片在此制作成片：逐个采用自动标准照或上传修图（须符合规格的像素尺寸和文件大小），也可批量采用自动照片。成片制作后学生核对：确认无误，或说明原因申请修改；申请修改的照片回到此列表并显示学生的说明。',
  'prod.batch': '批次',
  'prod.all_batches': '全部批次',
  'prod.total': '待制作 {total} 张',
  'prod.pick': '选择 {name}',
  'prod.make_selected': '制作所选（{n}）',
  'prod.make_batch': '本批次全部制作',
  'prod.done': '已制作 {n} 张成片',
  'prod.empty': '没有待制作的照片',
  'prod.decided': '通过时间',
  'prod.photo': '照片',
  'prod.photo_of': '{name} 的照片',
  'prod.state': '状态',
  'prod.state_new': '待制作',
  'prod.state_correction': '学生申请修改：',
  'prod.actions': '成片',
  'prod.accept': '采用自动照片',
  'prod.upload': '上传修图',
  'prod.upload_for': '{name} 的修图文件（JPEG，符合规格尺寸与大小）',
  'prod.choose_file': '请先选择修图文件',
  'prod.accepted': '已采用自动照片：{name}，已请学生核对',
  'prod.uploaded': '已上传修图：{name}，已请学生核对',
  'col.batch': '批次',
  'welcome.queue': '待审核照片',
  'welcome.mine': '我今天的审核',
  'welcome.approved': '待制作成片',
  'welcome.go_production': '进入成片制作',
  'welcome.staff': '您已登录。请从上方导航选择功能。',
  'col.actions': '操作',
  'student.unlock': '解锁',
  'student.reset': '重置',
  'student.reset_title': '重置 {name} 的照片',
  'student.reset_reason': '重置原因（学生会看到）',
  'student.reset_submit': '确认重置',
  'student.cancel': '取消',
  'student.unlocked': '已解锁：{name}',
  'student.was_reset': '已重置：{name}',
}, {
  'nav.review': 'Photo review',
  'welcome.go_review': 'Open photo review',
  'review.title': 'Photo review',
  'review.queue': 'To review ({n} claimed)',
  'review.empty': 'No photos are waiting for review',
  'review.reload': 'Claim the next photos',
  'review.original': 'Original',
  'review.standard': 'Standard photo',
  'review.overlay': 'Check overlay',
  'review.checks': 'Automatic checks',
  'review.check': 'Check',
  'review.verdict': 'Verdict',
  'review.score': 'Score',
  'review.verdict.pass': 'Pass',
  'review.verdict.fail': 'Failed',
  'review.verdict.unknown': 'Unknown',
  'review.no_checks': 'No automatic check results',
  'review.approve': 'Approve (A)',
  'review.reject': 'Reject (R)',
  'review.prev': 'Previous (K)',
  'review.next': 'Next (J)',
  'review.final': 'Make final',
  'review.reasons': 'Reasons (choose any; the student sees them)',
  'review.note': 'Note (optional)',
  'review.keys': 'Keys: A approve, R reject, J next, K previous',
  'review.position': '{i} of {n}',
  'review.submitted_at': 'Submitted {at}',
  'review.done_approved': 'Approved: {name}',
  'review.done_rejected': 'Rejected: {name}',
  'review.done_final': 'Made final: {name}',
  'review.pick_reason': 'Choose a reason or write a note',
  'review.pick': 'Select {name}',
  'review.select_all': 'Select all',
  'review.bulk_approve_n': 'Approve selected ({n})',
  'review.bulk_done': 'Approved {n} photos',
  'nav.production': 'Production',
  'prod.title': 'Production of final photos',
  'prod.lead': 'Approved photos are made final here: one by one, accept the automatic standard photo or upload a retouched one (it must have the spec\'s pixel size and file size), or accept the automatic photos in bulk. The student then checks the final photo: confirms it, or asks for a correction with a reason; those come back to this list with the student\'s words.',
  'prod.batch': 'Batch',
  'prod.all_batches': 'All batches',
  'prod.total': '{total} waiting',
  'prod.pick': 'Select {name}',
  'prod.make_selected': 'Make selected final ({n})',
  'prod.make_batch': 'Make the whole batch final',
  'prod.done': 'Made {n} final photos',
  'prod.empty': 'No approved photos are waiting',
  'prod.decided': 'Approved at',
  'prod.photo': 'Photo',
  'prod.photo_of': 'Photo of {name}',
  'prod.state': 'State',
  'prod.state_new': 'To make',
  'prod.state_correction': 'Correction asked:',
  'prod.actions': 'Final photo',
  'prod.accept': 'Accept the automatic photo',
  'prod.upload': 'Upload retouched',
  'prod.upload_for': 'Retouched file for {name} (JPEG, the spec\'s size and file size)',
  'prod.choose_file': 'Choose the retouched file first',
  'prod.accepted': 'Automatic photo accepted for {name}; the student is asked to check it',
  'prod.uploaded': 'Retouched photo uploaded for {name}; the student is asked to check it',
  'col.batch': 'Batch',
  'welcome.queue': 'Photos to review',
  'welcome.mine': 'My decisions today',
  'welcome.approved': 'Waiting for production',
  'welcome.go_production': 'Open production',
  'welcome.staff': 'You are signed in. Choose a page above.',
  'col.actions': 'Actions',
  'student.unlock': 'Unlock',
  'student.reset': 'Reset',
  'student.reset_title': 'Reset the photo of {name}',
  'student.reset_reason': 'Reason (the student sees it)',
  'student.reset_submit': 'Reset',
  'student.cancel': 'Cancel',
  'student.unlocked': 'Unlocked: {name}',
  'student.was_reset': 'Reset: {name}',
});

// The review page's keys; set while the page is shown.
let reviewKeys = null;
document.addEventListener('keydown', (ev) => {
  if (!reviewKeys || app.dataset.view !== 'review' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = ev.target && ev.target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT' || (tag === 'INPUT' && ev.target.type !== 'checkbox')) return;
  const fn = reviewKeys[ev.key.toLowerCase()];
  if (fn) { ev.preventDefault(); fn(); }
});

const bilingual = (o) => h('span', { class: 'c-bilingual', dataset: { zh: o.zh || '', en: o.en || '' }, text: getLang() === 'en' ? o.en : o.zh });

// What each automatic check looks at (src/check/tc_check.h, in its order),
// in the reviewer's words: the report itself carries only the check's code
// and, for a failed one, what the student should do.
export const CHECK_NAMES = {
  face_count: ['人脸数量', 'Number of faces'],
  face_inside: ['头部完整在画面内', 'Whole head in the frame'],
  geometry: ['头部大小与位置', 'Head size and position'],
  pose_yaw: ['头部左右转动', 'Head turned left/right'],
  pose_pitch: ['头部抬起或低下', 'Head raised/lowered'],
  pose_roll: ['头部倾斜', 'Head tilt'],
  eyes_open: ['眼睛睁开', 'Eyes open'],
  gaze: ['眼睛平视镜头', 'Looking at the camera'],
  mouth_closed: ['嘴唇闭合', 'Mouth closed'],
  expression: ['表情自然', 'Neutral expression'],
  light_dark: ['面部亮度（过暗）', 'Face brightness (too dark)'],
  light_bright: ['面部亮度（过亮）', 'Face brightness (too bright)'],
  light_uneven: ['面部光线均匀（阴阳脸）', 'Even light on the face'],
  light_hotspot: ['面部高光、光斑', 'Hot spots on the face'],
  red_eye: ['红眼', 'Red eye'],
  blur: ['清晰度（模糊）', 'Sharpness (blur)'],
  resolution: ['分辨率', 'Resolution'],
  glasses: ['佩戴眼镜', 'Glasses'],
  glasses_tinted: ['有色眼镜或眼睛被遮挡', 'Tinted glasses or an eye covered'],
  glasses_glare: ['眼镜反光', 'Glare on glasses'],
  hair_brows: ['头发遮挡眉毛或眼睛', 'Hair over brows or eyes'],
  ears_visible: ['露出双耳', 'Ears visible'],
  headwear: ['帽子或头饰', 'Hats or headwear'],
  jewelry: ['耳环、项链等饰品', 'Earrings, necklaces'],
  clothing_colour: ['衣服颜色与背景区分', 'Clothing against the background'],
  recapture: ['翻拍（屏幕或打印件）', 'Re-photographed (screen or print)'],
  retouch: ['美颜或修图', 'Beauty filter or editing'],
  duplicate: ['同版照片', 'Same as an earlier photo'],
  framing: ['裁切范围（至胸部）', 'Crop down to the chest'],
  compression: ['压缩或放大损伤', 'Compression or enlargement damage'],
  shoulders: ['左右肩膀平衡', 'Shoulders level'],
  clothing_pattern: ['衣服图案、条纹', 'Patterned or striped clothes'],
  makeup: ['浓妆或美瞳', 'Heavy make-up or coloured lenses'],
  hair_shoulders: ['头发放在肩膀后', 'Hair behind the shoulders'],
  body_framing: ['半身或全身照', 'Half or full-length picture'],
};
const checkKey = (c) => String(c.name || c.code || '').replace(/^check\./, '');
addMessages(Object.fromEntries(Object.entries(CHECK_NAMES).map(([k, v]) => ['check.' + k, v[0]])),
  Object.fromEntries(Object.entries(CHECK_NAMES).map(([k, v]) => ['check.' + k, v[1]])));
addMessages({ 'review.advice': '说明', 'review.check_other': '其他检测项' }, { 'review.advice': 'Advice', 'review.check_other': 'Other check' });

function checksTable(report) {
  const checks = (report && report.checks) || [];
  if (!checks.length) return h('p', { class: 'c-empty', i18n: 'review.no_checks' });
  // failed first, then unknown, then passed; each group in the catalogue's order
  const rank = { fail: 0, unknown: 1, pass: 2 };
  const rows = checks.map((c, i) => ({ ...c, i })).sort((a, b) => (rank[a.verdict] ?? 1) - (rank[b.verdict] ?? 1) || a.i - b.i);
  return h('div', { class: 'c-table-wrap', tabindex: '0', role: 'region', 'aria-label': t('review.checks') },
    h('table', { class: 'c-table c-checks' },
      h('thead', null, h('tr', null, ['review.check', 'review.verdict', 'review.score', 'review.advice'].map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', null, rows.map((c) => h('tr', { class: 'c-check c-check_' + c.verdict, dataset: { code: checkKey(c), verdict: c.verdict } },
        h('td', { class: 'c-check__name', i18n: CHECK_NAMES[checkKey(c)] ? 'check.' + checkKey(c) : 'review.check_other' }),
        h('td', null, h('span', { class: 'c-verdict c-verdict_' + c.verdict, i18n: 'review.verdict.' + (rank[c.verdict] === undefined ? 'unknown' : c.verdict) })),
        // -1: could not be measured (unknown or switched off)
        h('td', { class: 'c-num' }, typeof c.score === 'number' && c.score >= 0 ? String(c.score) : '—'),
        h('td', { class: 'c-check__advice' }, c.verdict !== 'pass' && (c.zh || c.en) ? bilingual(c) : ''))))));
}

route('review', {
  title: 'review.title', need: 'reviewer',
  async render() {
    const [REASONS, first] = await Promise.all([loadReasons(), api.get('/api/v1/review/queue')]);
    let items = first.data.items;
    let cur = 0;
    const picked = new Set(); // ids ticked for bulk approve
    const err = errorRegion();
    const msg = h('div', { 'aria-live': 'polite' });
    const listBox = h('ol', { class: 'c-queue' });
    const detail = h('div', { class: 'c-review__detail' });
    const heading = h('h2', { class: 'c-panel__title' });
    const note = h('textarea', { class: 'c-input c-note', rows: '2', maxlength: '500' });
    const reasonBoxes = REASONS.map((code) => h('input', { type: 'checkbox', name: 'reason', value: code }));
    const reasons = h('fieldset', { class: 'c-reasons' },
      h('legend', { i18n: 'review.reasons' }),
      h('div', { class: 'c-reasons__grid' }, reasonBoxes.map((box) =>
        h('label', { class: 'c-reason' }, box, h('span', { i18n: 'reason.' + box.value })))),
      field('review.note', note));
    const approveBtn = button('review.approve', { class: 'c-btn c-btn_primary', dataset: { act: 'approve' } });
    const rejectBtn = button('review.reject', { class: 'c-btn c-btn_warn', dataset: { act: 'reject' } });
    const finalBtn = button('review.final', { dataset: { act: 'final' } });
    const prevBtn = button('review.prev');
    const nextBtn = button('review.next');
    const actions = h('div', { class: 'c-review__actions' }, approveBtn, rejectBtn, finalBtn, prevBtn, nextBtn,
      h('span', { class: 'c-field__tip', i18n: 'review.keys' }));
    const name = (it) => (it.student ? `${it.student.name_masked || ''} ${it.student.student_no || ''}`.trim() : `#${it.id}`);

    // bulk approve: a checkbox per photo still to review, "select all", and
    // one button that approves the ticked ones (each still audit-logged)
    const bulkBtn = button('review.bulk_approve_n', { i18nVars: { n: 0 }, class: 'c-btn c-btn_primary c-btn_small', dataset: { act: 'bulk-approve' } });
    const allBtn = button('review.select_all', { class: 'c-btn c-btn_default c-btn_small' });
    const syncBulk = () => {
      for (const id of [...picked]) if (!items.some((x) => x.id === id && x.state === 'submitted')) picked.delete(id);
      bulkBtn.disabled = !picked.size;
      bulkBtn.dataset.i18nVars = JSON.stringify({ n: picked.size });
      bulkBtn.textContent = t('review.bulk_approve_n', { n: picked.size });
    };
    const drawList = () => {
      syncBulk();
      mount(listBox, items.map((it, i) => h('li', { class: 'c-queue__row' },
        it.state === 'submitted' ? h('input', {
          type: 'checkbox', class: 'c-queue__pick', checked: picked.has(it.id), 'aria-label': t('review.pick', { name: name(it) }),
          dataset: { id: String(it.id) },
          onchange: (ev) => { if (ev.target.checked) picked.add(it.id); else picked.delete(it.id); syncBulk(); },
        }) : h('span', { class: 'c-queue__pick-gap' }),
        h('button', {
          type: 'button', class: 'c-queue__item' + (i === cur ? ' c-queue__item_on' : ''), 'aria-current': i === cur ? 'true' : null,
          dataset: { id: String(it.id) }, onclick: () => show(i),
        }, h('span', { class: 'c-queue__name', text: name(it) }), ' ', stateLabel(it.state)))));
    };
    allBtn.addEventListener('click', () => {
      for (const it of items) if (it.state === 'submitted') picked.add(it.id);
      drawList();
    });
    bulkBtn.addEventListener('click', async () => {
      if (!picked.size) return;
      showError(err, null);
      bulkBtn.disabled = true;
      try {
        const r = await api.post('/api/v1/review/approve', { ids: [...picked] });
        const failed = r.data.results.filter((x) => !x.ok);
        for (const x of r.data.results) {
          const it = items.find((y) => y.id === x.id);
          if (it && x.ok) it.state = x.state;
        }
        picked.clear();
        mount(msg, notice('review.bulk_done', { n: r.data.approved }));
        announce(t('review.bulk_done', { n: r.data.approved }));
        if (failed.length) showError(err, { status: 409, error: failed[0].error });
        show(cur);
      } catch (e) { showError(err, e); syncBulk(); }
    });
    const show = (i) => {
      showError(err, null);
      if (!items.length) {
        mount(detail, h('p', { class: 'c-empty', i18n: 'review.empty' }));
        mount(heading);
        actions.hidden = reasons.hidden = true;
        drawList();
        return;
      }
      cur = Math.max(0, Math.min(items.length - 1, i));
      const it = items[cur];
      const p = it.photo || {};
      const st = it.student || {};
      for (const b of reasonBoxes) b.checked = false;
      note.value = '';
      const open = it.state === 'submitted';
      approveBtn.disabled = rejectBtn.disabled = !open;
      finalBtn.hidden = it.state !== 'approved';
      prevBtn.disabled = cur === 0;
      nextBtn.disabled = cur === items.length - 1;
      actions.hidden = reasons.hidden = false;
      reasons.disabled = !open;
      mount(heading, h('span', { text: name(it) }), ' ', stateLabel(it.state));
      const img = (src, key, cls) => h('figure', { class: 'c-shot ' + cls },
        h('img', { src, alt: t(key) + ' · ' + name(it), loading: 'eager' }), h('figcaption', { i18n: key }));
      // the overlay is painted here from its drawing data (a moment later)
      const overlay = img(p.overlay_src, 'review.overlay', 'c-shot_overlay');
      if (!p.overlay_src) {
        const el = overlay.querySelector('img');
        overlaySrc(p).then((src) => { if (src) el.src = src; });
      }
      mount(detail,
        h('p', { class: 'c-field__tip' },
          h('span', { i18n: 'review.position', i18nVars: { i: cur + 1, n: items.length } }), ' · ',
          [st.school, st.batch, st.class_name].filter(Boolean).join(' · '), ' · ',
          h('span', { i18n: 'review.submitted_at', i18nVars: { at: fmtTime(it.submitted_at) } })),
        h('div', { class: 'c-shots' },
          img(p.original_url, 'review.original', 'c-shot_original'),
          img(p.standard_url, 'review.standard', 'c-shot_standard'),
          overlay),
        h('h3', { class: 'c-subtitle', i18n: 'review.checks' }),
        checksTable(p.checks));
      drawList();
    };
    const after = (it, state, key) => {
      it.state = state;
      mount(msg, notice(key, { name: name(it) }));
      announce(t(key, { name: name(it) }));
      const next = items.findIndex((x, k) => k > cur && x.state === 'submitted');
      show(next >= 0 ? next : cur);
    };
    const decide = async (kind) => {
      const it = items[cur];
      if (!it || (kind !== 'final' && it.state !== 'submitted') || (kind === 'final' && it.state !== 'approved')) return;
      showError(err, null);
      let body;
      if (kind === 'reject') {
        body = { reasons: reasonBoxes.filter((b) => b.checked).map((b) => b.value), note: note.value.trim() };
        if (!body.reasons.length && !body.note) {
          showError(err, localError('review.reason_required', 'review.pick_reason'));
          reasonBoxes[0].focus();
          return;
        }
      }
      approveBtn.disabled = rejectBtn.disabled = finalBtn.disabled = true;
      try {
        const r = await api.post(`/api/v1/review/submissions/${it.id}/${kind}`, body);
        const s = r.data && r.data.submission && r.data.submission.state;
        after(it, s || (kind === 'reject' ? 'rejected' : 'approved'), 'review.done_' + (kind === 'final' ? 'final' : kind === 'reject' ? 'rejected' : 'approved'));
      } catch (e) {
        showError(err, e);
        approveBtn.disabled = rejectBtn.disabled = items[cur].state !== 'submitted';
      } finally { finalBtn.disabled = false; }
    };
    approveBtn.addEventListener('click', () => decide('approve'));
    rejectBtn.addEventListener('click', () => decide('reject'));
    finalBtn.addEventListener('click', () => decide('final'));
    prevBtn.addEventListener('click', () => show(cur - 1));
    nextBtn.addEventListener('click', () => show(cur + 1));
    const reload = button('review.reload', { class: 'c-btn c-btn_default c-btn_small' });
    reload.addEventListener('click', async () => {
      showError(err, null);
      try {
        const fresh = (await api.get('/api/v1/review/queue')).data.items;
        forgetOverlays(items);
        items = fresh;
        picked.clear();
        mount(msg);
        mount(queueTitle, h('span', { i18n: 'review.queue', i18nVars: { n: items.length } }));
        show(0);
      } catch (e) { showError(err, e); }
    });
    reviewKeys = { a: () => decide('approve'), r: () => decide('reject'), j: () => show(cur + 1), k: () => show(cur - 1) };
    const queueTitle = h('h2', { class: 'c-panel__title' }, h('span', { i18n: 'review.queue', i18nVars: { n: items.length } }));
    show(0);
    return h('div', { class: 'c-page c-review' },
      h('h1', { i18n: 'review.title' }),
      h('div', { class: 'c-review__layout' },
        h('aside', { class: 'c-panel c-review__list' }, queueTitle, listBox,
          h('div', { class: 'c-queue__bulk' }, allBtn, bulkBtn), reload),
        h('section', { class: 'c-panel c-review__main', 'aria-live': 'off' }, heading, err, msg, detail, reasons, actions)));
  },
});

navItem('review', 'nav.review', ['review'], isReviewer, 20);

// ---- production: approved photos become final, singly or in batches ----------------------------------------

route('production', {
  title: 'prod.title', need: 'reviewer',
  async render(batchArg) {
    const err = errorRegion();
    const msg = h('div', { 'aria-live': 'polite' });
    const box = h('div');
    const picked = new Set();
    const batchSel = h('select', { class: 'c-input', name: 'batch_id' }, h('option', { value: '', i18n: 'prod.all_batches' }));
    const known = new Map(); // batch id -> "school · batch"
    const makeSel = button('prod.make_selected', { class: 'c-btn c-btn_primary', i18nVars: { n: 0 }, dataset: { act: 'final-selected' } });
    const makeBatch = button('prod.make_batch', { dataset: { act: 'final-batch' } });
    const sync = () => {
      makeSel.disabled = !picked.size;
      makeSel.dataset.i18nVars = JSON.stringify({ n: picked.size });
      makeSel.textContent = t('prod.make_selected', { n: picked.size });
      makeBatch.hidden = !batchSel.value;
    };
    const load = async () => {
      const q = batchSel.value ? `?batch_id=${encodeURIComponent(batchSel.value)}&limit=200` : '?limit=200';
      const r = await api.get('/api/v1/review/production' + q);
      for (const it of r.data.items) known.set(String(it.batch_id), `${it.school} · ${it.batch}`);
      const cur = batchSel.value;
      mount(batchSel, h('option', { value: '', i18n: 'prod.all_batches' }),
        [...known].map(([id, label]) => h('option', { value: id, text: label })));
      batchSel.value = cur;
      picked.clear();
      const who = (it) => `${it.name} ${it.student_no}`;
      mount(box,
        h('p', { class: 'c-field__tip', i18n: 'prod.total', i18nVars: { total: r.data.total } }),
        table([
          { key: 'review.select_all', id: 'pick', value: (it) => h('input', {
            type: 'checkbox', class: 'c-prod__pick', 'aria-label': t('prod.pick', { name: who(it) }), dataset: { id: String(it.id) },
            onchange: (ev) => { if (ev.target.checked) picked.add(it.id); else picked.delete(it.id); sync(); },
          }) },
          { key: 'col.name', id: 'name', value: (it) => it.name },
          { key: 'col.student_no', id: 'student_no', value: (it) => it.student_no },
          { key: 'col.school', id: 'school', value: (it) => it.school },
          { key: 'col.batch', id: 'batch', value: (it) => it.batch },
          { key: 'col.class', id: 'class', value: (it) => it.class_name },
          { key: 'prod.decided', id: 'decided', value: (it) => fmtTime(it.decided_at) },
          { key: 'prod.photo', id: 'photo', value: (it) => h('img', { class: 'c-prod__img', src: it.standard_url, alt: t('prod.photo_of', { name: who(it) }), loading: 'lazy' }) },
          { key: 'prod.state', id: 'state', value: (it) => it.final_state === 'correction'
            ? h('div', { class: 'c-prod__correction' }, h('strong', { i18n: 'prod.state_correction' }),
              h('p', { class: 'c-prod__reason', text: it.correction_reason }))
            : h('span', { i18n: 'prod.state_new' }) },
          { key: 'prod.actions', id: 'actions', value: (it) => rowActions(it, who(it)) },
        ], r.data.items, { empty: 'prod.empty', cls: 'c-prod' }));
      sync();
    };
    // one student: accept the automatic standard photo, or upload a retouched
    // JPEG (the server checks it as a finished photo of the spec)
    const rowActions = (it, name) => {
      const accept = button('prod.accept', { class: 'c-btn c-btn_default c-prod__accept', dataset: { id: String(it.id) } });
      const file = h('input', { type: 'file', accept: 'image/jpeg,.jpg,.jpeg', class: 'c-prod__file', 'aria-label': t('prod.upload_for', { name }) });
      const upload = button('prod.upload', { class: 'c-btn c-btn_default c-prod__upload', dataset: { id: String(it.id) } });
      const one = async (fn, doneKey) => {
        showError(err, null);
        accept.disabled = upload.disabled = true;
        try {
          await fn();
          mount(msg, notice(doneKey, { name }));
          announce(t(doneKey, { name }));
          await load();
        } catch (e) { showError(err, e); } finally { accept.disabled = upload.disabled = false; }
      };
      accept.addEventListener('click', () => one(() => api.post(`/api/v1/review/submissions/${it.id}/final`), 'prod.accepted'));
      upload.addEventListener('click', () => {
        if (!file.files.length) { showError(err, localError('final.no_file', 'prod.choose_file')); file.focus(); return; }
        const fd = new FormData();
        fd.append('photo', file.files[0]);
        one(() => api.postForm(`/api/v1/review/submissions/${it.id}/final/upload`, fd), 'prod.uploaded');
      });
      return h('div', { class: 'c-prod__acts' }, accept, file, upload);
    };
    const run = async (body) => {
      showError(err, null);
      makeSel.disabled = makeBatch.disabled = true;
      try {
        const r = await api.post('/api/v1/review/final', body);
        mount(msg, notice('prod.done', { n: r.data.final }));
        announce(t('prod.done', { n: r.data.final }));
        const failed = r.data.results.filter((x) => !x.ok);
        if (failed.length) showError(err, { status: 409, error: failed[0].error });
        await load();
      } catch (e) { showError(err, e); } finally { makeBatch.disabled = false; sync(); }
    };
    makeSel.addEventListener('click', () => picked.size && run({ ids: [...picked] }));
    makeBatch.addEventListener('click', () => batchSel.value && run({ batch_id: Number(batchSel.value) }));
    batchSel.addEventListener('change', () => { mount(msg); load().catch((e) => showError(err, e)); });
    if (batchArg) { known.set(String(batchArg), '#' + batchArg); batchSel.append(h('option', { value: String(batchArg), text: '#' + batchArg })); batchSel.value = String(batchArg); }
    await load();
    return h('div', { class: 'c-page c-production' },
      h('h1', { i18n: 'prod.title' }),
      h('p', { class: 'c-field__tip', i18n: 'prod.lead' }),
      h('section', { class: 'c-panel' },
        h('div', { class: 'c-search' }, field('prod.batch', batchSel), h('div', { class: 'c-actions' }, makeSel, makeBatch)),
        err, msg, box));
  },
});

navItem('production', 'nav.production', ['production'], isReviewer, 21);

// ---- the start page for staff whose home is not the schools list (reviewers) -------------------------------

route('welcome', {
  title: 'welcome.title', need: 'staff',
  async render() {
    if (!isReviewer()) {
      return h('div', { class: 'c-page' }, h('h1', { i18n: 'welcome.title' }), h('p', { class: 'c-empty', i18n: 'welcome.staff' }));
    }
    const s = (await api.get('/api/v1/review/stats')).data;
    const stat = (key, n, id) => h('div', { class: 'c-stat', dataset: { stat: id } },
      h('div', { class: 'c-stat__n', text: String(n) }), h('div', { class: 'c-stat__label', i18n: key }));
    return h('div', { class: 'c-page c-welcome' },
      h('h1', { i18n: 'welcome.title' }),
      h('div', { class: 'c-stats' },
        stat('welcome.queue', s.queue, 'queue'), stat('welcome.mine', s.mine_today, 'mine'), stat('welcome.approved', s.approved, 'approved')),
      h('p', { class: 'c-actions' },
        h('a', { href: '#/review', class: 'c-btn c-btn_primary', i18n: 'welcome.go_review' }), ' ',
        h('a', { href: '#/production', class: 'c-btn c-btn_default', i18n: 'welcome.go_production' })));
  },
});
