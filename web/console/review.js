// The reviewer's page (reviewers and platform admins): see the comment below.
import { t, addMessages, getLang, setLang, onLangChange, localError, KNOWN_STATES } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, relabel, newId, fmtTime } from '/common/dom.js';
import {
  state, isPlatform, isReviewer, isSchoolStaff, route, go, home, field, input, button, submit, table, notice, stateLabel,
  panel, schools, schoolName, crumbs, announce, navItem, app,
} from './console.js';

// ---- review (reviewers and platform admins) ----------------------------------------------------------------
//
// GET /api/v1/review/queue claims up to 10 submitted photos (oldest first;
// the claim expires after 10 minutes).  One photo at a time: the original,
// the standard photo and the checks' overlay side by side, the automatic
// checks' scores (failed red, unknown yellow), and Approve / Reject with
// reasons from the catalogue.  Keys: A approve, R reject, J/K next/previous.

// The reasons the server accepts (src/api/tc_api_journey.c reason_text):
// the checks' codes plus a few only a person sees.
const REASONS = ['face_count', 'face_inside', 'geometry', 'pose_yaw', 'pose_pitch', 'pose_roll', 'eyes_open', 'gaze',
  'mouth_closed', 'expression', 'light_dark', 'light_bright', 'light_uneven', 'light_hotspot', 'red_eye', 'blur',
  'resolution', 'glasses', 'glasses_tinted', 'glasses_glare', 'hair_brows', 'ears_visible', 'headwear', 'jewelry',
  'clothing_colour', 'recapture', 'retouch', 'duplicate', 'not_the_student', 'composited', 'other'];
const REASON_ZH = ['照片中应只有本人一张人脸', '头部未完整在画面内', '头部大小或位置不符合要求', '头部左右转动', '头部抬起或低下',
  '头部倾斜', '眼睛未自然睁开', '眼睛未平视镜头', '嘴唇未自然闭合', '表情不自然', '光线过暗', '光线过亮', '面部光线不均匀（阴阳脸）',
  '面部有高光、光斑', '有红眼', '照片模糊', '照片分辨率不足', '不得佩戴眼镜', '不得佩戴有色眼镜', '眼镜反光', '头发遮挡眉毛或眼睛',
  '耳朵未露出', '不得佩戴帽子或头饰', '不得佩戴耳环、项链等饰品', '不得穿与背景相近颜色（蓝色）的衣服', '翻拍照片', '美颜或修图', '同版照片',
  '照片与本人不符', '照片经过软件合成', '其他原因'];
const REASON_EN = ['Only your own face may be in the photo', 'The head is not wholly in the frame', 'Head size or position is off',
  'Head turned', 'Head raised or lowered', 'Head tilted', 'Eyes not open', 'Not looking at the camera', 'Mouth not closed',
  'Expression not neutral', 'Too dark', 'Too bright', 'Uneven light on the face', 'Hot spots on the face', 'Red eye', 'Blurred',
  'Too few pixels', 'No glasses allowed', 'Tinted glasses', 'Glare on the glasses', 'Hair over the eyebrows or eyes',
  'Ears not visible', 'No hats or headwear', 'No earrings or necklaces', 'Top too close to the background colour (no blue)',
  'Re-photographed picture', 'Retouched (beauty filter)', 'Same photo as an earlier one', 'The photo does not show the student',
  'The photo was composited by software', 'Other reason'];
addMessages(Object.fromEntries(REASONS.map((c, i) => ['reason.' + c, REASON_ZH[i]])),
  Object.fromEntries(REASONS.map((c, i) => ['reason.' + c, REASON_EN[i]])));

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

function checksTable(report) {
  const checks = (report && report.checks) || [];
  if (!checks.length) return h('p', { class: 'c-empty', i18n: 'review.no_checks' });
  // failed first, then unknown, then passed; each group in the catalogue's order
  const rank = { fail: 0, unknown: 1, pass: 2 };
  const rows = checks.map((c, i) => ({ ...c, i })).sort((a, b) => (rank[a.verdict] ?? 1) - (rank[b.verdict] ?? 1) || a.i - b.i);
  return h('div', { class: 'c-table-wrap', tabindex: '0', role: 'region', 'aria-label': t('review.checks') },
    h('table', { class: 'c-table c-checks' },
      h('thead', null, h('tr', null, ['review.check', 'review.verdict', 'review.score'].map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', null, rows.map((c) => h('tr', { class: 'c-check c-check_' + c.verdict, dataset: { code: c.name || c.code, verdict: c.verdict } },
        h('td', null, bilingual(c)),
        h('td', null, h('span', { class: 'c-verdict c-verdict_' + c.verdict, i18n: 'review.verdict.' + (rank[c.verdict] === undefined ? 'unknown' : c.verdict) })),
        h('td', { class: 'c-num' }, String(c.score === undefined ? '' : c.score)))))));
}

route('review', {
  title: 'review.title', need: 'reviewer',
  async render() {
    let items = (await api.get('/api/v1/review/queue')).data.items;
    let cur = 0;
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

    const drawList = () => {
      mount(listBox, items.map((it, i) => h('li', null, h('button', {
        type: 'button', class: 'c-queue__item' + (i === cur ? ' c-queue__item_on' : ''), 'aria-current': i === cur ? 'true' : null,
        dataset: { id: String(it.id) }, onclick: () => show(i),
      }, h('span', { class: 'c-queue__name', text: name(it) }), ' ', stateLabel(it.state)))));
    };
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
      mount(detail,
        h('p', { class: 'c-field__tip' },
          h('span', { i18n: 'review.position', i18nVars: { i: cur + 1, n: items.length } }), ' · ',
          [st.school, st.batch, st.class_name].filter(Boolean).join(' · '), ' · ',
          h('span', { i18n: 'review.submitted_at', i18nVars: { at: fmtTime(it.submitted_at) } })),
        h('div', { class: 'c-shots' },
          img(p.original_url, 'review.original', 'c-shot_original'),
          img(p.standard_url, 'review.standard', 'c-shot_standard'),
          img(p.overlay_url, 'review.overlay', 'c-shot_overlay')),
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
        items = (await api.get('/api/v1/review/queue')).data.items;
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
        h('aside', { class: 'c-panel c-review__list' }, queueTitle, listBox, reload),
        h('section', { class: 'c-panel c-review__main', 'aria-live': 'off' }, heading, err, msg, detail, reasons, actions)));
  },
});

navItem('review', 'nav.review', ['review'], isReviewer, 20);
