// School console forms (issue 7): batch settings and the school's defaults
// (each setting shows what it inherits — batch < school < built-in — and can
// be reset to inherit; the server's per-field errors sit next to their
// fields), the notice editor with a preview of what the server stored after
// sanitising, and one student added or edited.  The API is docs/API.md,
// "School console (issue 7)".
import { t, addMessages, getLang, onLangChange, localError } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError, newId, fmtTime } from '/common/dom.js';
import { route, input, button, submit, notice, panel, schools, schoolName, crumbs } from './core.js';

addMessages({
  'sf.batch_title': '批次设置', 'sf.school_title': '学校默认设置',
  'sf.school_tip': '本校各批次未单独设置的项目使用这里的值；这里也未设置的项目使用系统内置值。',
  'sf.batch_tip': '每一项可单独设置；未设置的项目继承学校默认设置，学校也未设置时使用系统内置值。',
  'sf.open': '批次设置', 'sf.basics': '基本信息', 'sf.payment': '收费', 'sf.shooting': '拍摄', 'sf.limits': '学生采集流程限制',
  'sf.name': '批次名称', 'sf.starts': '开始时间', 'sf.ends': '结束时间', 'sf.window_tip': '留空表示不限',
  'sf.fee_fen': '费用（元）', 'sf.fee_tip': '0 表示免费；最多两位小数',
  'sf.pay_when': '付款方式', 'sf.payer': '付款人', 'sf.payer_student': '学生付款', 'sf.payer_school': '学校统一付款',
  'sf.when': '付款时间', 'sf.when_before_shoot': '拍摄前付款', 'sf.when_after_confirm': '确认照片后付款',
  'sf.live_allowed': '允许现场拍摄', 'sf.album_allowed': '允许相册上传', 'sf.yes': '允许', 'sf.no': '不允许',
  'sf.spec': '照片规格', 'sf.background': '背景颜色', 'sf.glasses': '眼镜',
  'sf.spec_builtin': '内置规格', 'sf.spec_custom': '平台自定义规格', 'sf.spec_unknown': '{v}（没有这个规格，请另选）',
  'sf.glasses_clear_ok': '可戴无反光的眼镜', 'sf.glasses_forbidden': '不得戴眼镜',
  'sf.hair_behind_shoulders': '要求头发放在肩膀后（头发疑似垂在肩前的照片由审核老师确认）',
  'sf.hair_behind_yes': '头发须放在肩膀后', 'sf.hair_behind_no': '不检查头发位置',
  'sf.retouch_lock': '美颜照片', 'sf.retouch_lock_teacher': '计入活体锁定（须老师解锁）', 'sf.retouch_lock_timed': '计入失败次数（定时解锁）',
  'sf.cooloff_min': '两次拍摄的冷静期（分钟）', 'sf.lock_after_fails': '连续失败几次后锁定',
  'sf.lock_hours': '锁定时长（小时）', 'sf.liveness_lock_after': '活体检测失败几次后锁定（须老师解锁）',
  'sf.draft_capacity': '草稿数量上限', 'sf.draft_delete_after_h': '草稿删除延迟（小时）',
  'sf.own_batch': '本批次设置', 'sf.own_school': '本校设置',
  'sf.from_school': '继承学校默认：{v}', 'sf.from_default': '继承系统内置：{v}', 'sf.own_over': '（不设置时为 {v}）',
  'sf.inherit': '恢复继承', 'sf.inherit_label': '{name}：恢复继承', 'sf.save': '保存设置', 'sf.saved': '设置已保存',
  'sf.bad_fee': '请输入金额，如 12.50（最多两位小数）', 'sf.any_time': '不限',
  'sf.min': '{v} 分钟', 'sf.h': '{v} 小时', 'sf.times': '{v} 次', 'sf.n': '{v} 张', 'sf.yuan': '{v} 元', 'sf.days': '{v} 天',
  'sf.privacy': '个人信息保存', 'sf.retention_days': '批次结束多少天后删除原始照片、草稿和未通过的照片（0–365；标准照、成片和订单保留）',
  'sf.reminders': '截止提醒', 'sf.remind_days': '截止前几天自动提醒学生（截止前 1 天另有一次；0 表示只提醒那一次）',
  'ct.title': '学生联系方式', 'ct.tip': '学生在首页和“我的”页面看到这些联系方式，通知邮件中也会附上。',
  'ct.phone': '联系电话', 'ct.wechat': '微信号', 'ct.hours': '办公时间', 'ct.hours_ph': '如：工作日 8:30–17:00',
  'ct.save': '保存联系方式', 'ct.saved': '联系方式已保存',
  'nt.title': '学生须知（图采通知）', 'nt.editor': '通知内容', 'nt.toolbar': '格式',
  'nt.bold': '粗体', 'nt.italic': '斜体', 'nt.underline': '下划线', 'nt.heading': '标题', 'nt.paragraph': '正文',
  'nt.ul': '项目符号列表', 'nt.ol': '编号列表', 'nt.link_url': '链接地址', 'nt.link': '插入链接', 'nt.unlink': '取消链接',
  'nt.bad_url': '请填写以 http:// 或 https:// 开头的地址，并先选中要加链接的文字',
  'nt.save': '保存通知', 'nt.saved': '通知已保存；下方是服务器清理后学生看到的内容。',
  'nt.preview': '学生看到的通知（服务器保存的内容）', 'nt.empty': '（尚未填写通知）',
  'nt.tip': '仅保留段落、粗体、斜体、下划线、标题、列表和 http(s) 链接；其他格式、脚本和样式会被服务器去除。',
  'stu.add': '添加学生', 'stu.add_submit': '添加', 'stu.added': '已添加学生：{name}', 'stu.edit': '修改',
  'stu.edit_title': '修改学生信息：{name}', 'stu.edit_submit': '保存', 'stu.saved': '已保存：{name}',
  'stu.keep_tip': '留空则保持不变', 'stu.filter': '筛选', 'stu.f_all': '全部', 'stu.f_unfinished': '未完成',
  'stu.f_locked': '已锁定', 'stu.search_tip': '可输入姓名、学号或班级的一部分', 'stu.locked': '已锁定', 'stu.paid': '已支付',
  'stu.edit_label': '修改 {name}',
  'stu.chsi_optional': '可留空：学生用特征码、姓名和身份证后4位进入后自行绑定',
  'col.chsi': '采集码', 'stu.chsi_roster': '名单导入', 'stu.chsi_student': '学生已绑定', 'stu.chsi_none': '未绑定',
  'stu.chsi_clear': '清除采集码', 'stu.chsi_clear_label': '清除 {name} 的采集码',
  'stu.chsi_clear_ask': '确定清除 {name} 的图像采集码吗？清除后学生须重新扫码绑定。',
  'stu.chsi_cleared': '已清除采集码：{name}，请通知学生重新绑定',
}, {
  'sf.batch_title': 'Batch settings', 'sf.school_title': 'School defaults',
  'sf.school_tip': 'Batches use these values unless they set their own; what is not set here uses the built-in value.',
  'sf.batch_tip': 'Each item can be set for this batch; unset items inherit the school\'s default, else the built-in value.',
  'sf.open': 'Batch settings', 'sf.basics': 'Basics', 'sf.payment': 'Fee', 'sf.shooting': 'Shooting', 'sf.limits': 'Student journey limits',
  'sf.name': 'Batch name', 'sf.starts': 'Starts', 'sf.ends': 'Ends', 'sf.window_tip': 'Empty: no limit',
  'sf.fee_fen': 'Fee (yuan)', 'sf.fee_tip': '0 is free; at most two decimals',
  'sf.pay_when': 'Payment', 'sf.payer': 'Who pays', 'sf.payer_student': 'The student', 'sf.payer_school': 'The school',
  'sf.when': 'When', 'sf.when_before_shoot': 'Before shooting', 'sf.when_after_confirm': 'After confirming the photo',
  'sf.live_allowed': 'Live shooting allowed', 'sf.album_allowed': 'Album upload allowed', 'sf.yes': 'Allowed', 'sf.no': 'Not allowed',
  'sf.spec': 'Photo spec', 'sf.background': 'Background', 'sf.glasses': 'Glasses',
  'sf.spec_builtin': 'Built-in specs', 'sf.spec_custom': 'Custom specs (platform)', 'sf.spec_unknown': '{v} (no such spec: choose another)',
  'sf.glasses_clear_ok': 'Glasses without glare allowed', 'sf.glasses_forbidden': 'No glasses',
  'sf.hair_behind_shoulders': 'Hair must be behind the shoulders (photos with hair seemingly in front go to the reviewer)',
  'sf.hair_behind_yes': 'Hair behind the shoulders', 'sf.hair_behind_no': 'Hair position not checked',
  'sf.retouch_lock': 'Retouched photos', 'sf.retouch_lock_teacher': 'Count towards the teacher lock', 'sf.retouch_lock_timed': 'Count as failed photos (timed lock)',
  'sf.cooloff_min': 'Cool-off between shots (minutes)', 'sf.lock_after_fails': 'Failures before a lock',
  'sf.lock_hours': 'Lock length (hours)', 'sf.liveness_lock_after': 'Liveness failures before the teacher lock',
  'sf.draft_capacity': 'Draft capacity', 'sf.draft_delete_after_h': 'Draft deletion delay (hours)',
  'sf.own_batch': 'Set for this batch', 'sf.own_school': 'Set for this school',
  'sf.from_school': 'Inherits the school default: {v}', 'sf.from_default': 'Inherits the built-in value: {v}', 'sf.own_over': '(unset: {v})',
  'sf.inherit': 'Inherit', 'sf.inherit_label': '{name}: inherit', 'sf.save': 'Save settings', 'sf.saved': 'Settings saved',
  'sf.bad_fee': 'Enter an amount such as 12.50 (at most two decimals)', 'sf.any_time': 'Any time',
  'sf.min': '{v} min', 'sf.h': '{v} h', 'sf.times': '{v} times', 'sf.n': '{v}', 'sf.yuan': '¥{v}', 'sf.days': '{v} days',
  'sf.privacy': 'Personal data', 'sf.retention_days': 'Days after the batch closes until originals, drafts and failed photos are deleted (0-365; standard and final photos and orders are kept)',
  'sf.reminders': 'Deadline reminders', 'sf.remind_days': 'Remind students this many days before the close (plus one reminder a day before; 0: that one only)',
  'ct.title': 'Contact for students', 'ct.tip': 'Students see this contact on their home and “Me” pages; notification e-mails carry it too.',
  'ct.phone': 'Phone', 'ct.wechat': 'WeChat ID', 'ct.hours': 'Office hours', 'ct.hours_ph': 'e.g. weekdays 8:30–17:00',
  'ct.save': 'Save the contact', 'ct.saved': 'Contact saved',
  'nt.title': 'Notice to students', 'nt.editor': 'Notice text', 'nt.toolbar': 'Formatting',
  'nt.bold': 'Bold', 'nt.italic': 'Italic', 'nt.underline': 'Underline', 'nt.heading': 'Heading', 'nt.paragraph': 'Paragraph',
  'nt.ul': 'Bulleted list', 'nt.ol': 'Numbered list', 'nt.link_url': 'Link address', 'nt.link': 'Add link', 'nt.unlink': 'Remove link',
  'nt.bad_url': 'Give an address starting with http:// or https://, and select the text to link first',
  'nt.save': 'Save the notice', 'nt.saved': 'Notice saved; below is what students see after the server cleaned it.',
  'nt.preview': 'What students see (as the server stored it)', 'nt.empty': '(no notice yet)',
  'nt.tip': 'Only paragraphs, bold, italic, underline, headings, lists and http(s) links are kept; other formatting, scripts and styles are removed by the server.',
  'stu.add': 'Add a student', 'stu.add_submit': 'Add', 'stu.added': 'Student added: {name}', 'stu.edit': 'Edit',
  'stu.edit_title': 'Edit student: {name}', 'stu.edit_submit': 'Save', 'stu.saved': 'Saved: {name}',
  'stu.keep_tip': 'Leave empty to keep it', 'stu.filter': 'Filter', 'stu.f_all': 'All', 'stu.f_unfinished': 'Not finished',
  'stu.f_locked': 'Locked', 'stu.search_tip': 'Part of a name, student no. or class', 'stu.locked': 'Locked', 'stu.paid': 'Paid',
  'stu.edit_label': 'Edit {name}',
  'stu.chsi_optional': 'May be left empty: the student enters with the batch code, name and last 4 ID characters, then binds it',
  'col.chsi': 'CHSI code', 'stu.chsi_roster': 'From the roster', 'stu.chsi_student': 'Bound by the student', 'stu.chsi_none': 'Not bound',
  'stu.chsi_clear': 'Clear code', 'stu.chsi_clear_label': 'Clear the CHSI code of {name}',
  'stu.chsi_clear_ask': 'Clear the CHSI code of {name}? The student must scan and bind it again.',
  'stu.chsi_cleared': 'CHSI code cleared: {name}. Ask the student to bind it again.',
});

// ---- fields with their own error ---------------------------------------------------------------------------

// A labelled control with a tip and an error line of its own (aria-invalid
// and aria-describedby point at it while it shows).
export function errField(labelKey, control, tipKey) {
  const id = control.id || (control.id = newId('f'));
  const tip = tipKey ? h('p', { class: 'c-field__tip', id: newId('tip'), i18n: tipKey }) : null;
  const err = h('p', { class: 'c-field__error', id: newId('err'), hidden: true });
  const describe = () => control.setAttribute('aria-describedby', [tip && tip.id, !err.hidden && err.id].filter(Boolean).join(' '));
  describe();
  const node = h('div', { class: 'c-field' }, h('label', { for: id, class: 'c-field__label', i18n: labelKey }), control, tip, err);
  return { node, control, setError(e) { setErr(err, e); control.toggleAttribute('aria-invalid', !!e); if (e) control.setAttribute('aria-invalid', 'true'); describe(); } };
}

// Shows {code, zh, en} (server per-field error) in one element, following the language switch.
function setErr(el, e) {
  el._fe = e || null;
  el.hidden = !e;
  el.textContent = e ? errLine(e) : '';
  if (e && e.code) el.dataset.code = e.code; else delete el.dataset.code;
}
const errLine = (e) => (e.key ? t(e.key) : getLang() === 'en' ? e.en : e.zh);
onLangChange(() => {
  for (const el of document.querySelectorAll('.c-field__error')) if (el._fe) el.textContent = errLine(el._fe);
});
const local = (key) => ({ code: 'form.' + key.replace(/^\w+\./, ''), key });

// ---- settings ---------------------------------------------------------------------------------------------

const INTS = {
  cooloff_min: [0, 1440, 'sf.min'], lock_after_fails: [1, 1000, 'sf.times'], lock_hours: [0, 720, 'sf.h'],
  liveness_lock_after: [1, 1000, 'sf.times'], draft_capacity: [1, 20, 'sf.n'], draft_delete_after_h: [0, 720, 'sf.h'],
  remind_days: [0, 30, 'sf.days'], retention_days: [0, 365, 'sf.days'],
};
const GROUPS = [
  ['sf.payment', ['fee_fen', 'pay_when']],
  ['sf.shooting', ['live_allowed', 'album_allowed', 'spec', 'background', 'glasses', 'hair_behind_shoulders']],
  ['sf.limits', ['cooloff_min', 'lock_after_fails', 'lock_hours', 'liveness_lock_after', 'retouch_lock', 'draft_capacity', 'draft_delete_after_h']],
  ['sf.reminders', ['remind_days']],
  ['sf.privacy', ['retention_days']],
];
const MANAGED = GROUPS.flatMap((g) => g[1]).concat(['glasses_forbidden']);

// The specs a school may choose: built-in, then the platform's custom ones
// (asked for each form, so a spec the platform added or deleted meanwhile
// shows; the server refuses any other name, spec.unknown).
async function specList() {
  try {
    const d = (await api.get('/api/v1/admin/specs')).data;
    return [...(d.builtin || []), ...(d.custom || []).map((x) => ({ ...x, custom: true }))];
  } catch { return []; }
}
const specLabel = (x) => {
  const mm = x.width_mm && x.height_mm ? ` ${Math.round(x.width_mm)}×${Math.round(x.height_mm)} mm` : '';
  return (x.zh && x.zh !== x.name ? `${x.zh}（${x.name}）` : x.name) + mm;
};

// glasses may be stored as glasses_forbidden (a boolean) by older clients
function norm(o) {
  const s = { ...(o || {}) };
  if (s.glasses === undefined && typeof s.glasses_forbidden === 'boolean') s.glasses = s.glasses_forbidden ? 'forbidden' : 'clear_ok';
  delete s.glasses_forbidden;
  return s;
}

function fmtValue(key, v, specs) {
  if (v === undefined || v === null) return '—';
  if (key === 'fee_fen') return t('sf.yuan', { v: (v / 100).toFixed(2) });
  if (key === 'pay_when') return v === 'school' ? t('sf.payer_school') : `${t('sf.payer_student')}，${t('sf.when_' + v)}`;
  if (key === 'live_allowed' || key === 'album_allowed') return t(v ? 'sf.yes' : 'sf.no');
  if (key === 'glasses') return t('sf.glasses_' + v);
  if (key === 'hair_behind_shoulders') return t(v ? 'sf.hair_behind_yes' : 'sf.hair_behind_no');
  if (key === 'retouch_lock') return t('sf.retouch_lock_' + v);
  if (key === 'spec') { const s = specs.find((x) => x.name === v); return s && s.zh ? `${s.zh}（${v}）` : v; }
  if (key === 'background') {
    for (const s of specs) { const b = (s.backgrounds || []).find((x) => x.name === v); if (b) return getLang() === 'en' ? v : b.zh; }
    return v;
  }
  if (INTS[key]) return t(INTS[key][2], { v });
  return String(v);
}

// One setting: its control(s), where its value comes from, a reset button
// and an error line.  parent(key) -> {v, from: 'school'|'default'}.
function settingRow(key, { own, parent, ownKey, specs, onSpec }) {
  const label = 'sf.' + key;
  const src = h('p', { class: 'c-set__src', id: newId('src') });
  const err = h('p', { class: 'c-field__error', id: newId('err'), hidden: true });
  const reset = button('sf.inherit', { class: 'c-btn c-btn_default c-btn_small c-set__reset' });
  let isOwn = own[key] !== undefined;
  let controls = [];
  let get, put;
  const id = newId('s');
  const sel = (opts) => h('select', { class: 'c-input', id: newId('s') }, opts.map(([v, k]) => h('option', { value: v, i18n: k })));
  let body;
  if (key === 'pay_when') {
    const payer = sel([['student', 'sf.payer_student'], ['school', 'sf.payer_school']]);
    const when = sel([['before_shoot', 'sf.when_before_shoot'], ['after_confirm', 'sf.when_after_confirm']]);
    controls = [payer, when];
    get = () => (payer.value === 'school' ? 'school' : when.value);
    put = (v) => { payer.value = v === 'school' ? 'school' : 'student'; if (v !== 'school') when.value = v; when.disabled = v === 'school'; };
    payer.addEventListener('change', () => { when.disabled = payer.value === 'school'; });
    body = h('div', { class: 'c-set__pair' },
      h('label', { for: payer.id, class: 'c-field__label', i18n: 'sf.payer' }), payer,
      h('label', { for: when.id, class: 'c-field__label', i18n: 'sf.when' }), when);
  } else if (key === 'live_allowed' || key === 'album_allowed' || key === 'hair_behind_shoulders') {
    const cb = h('input', { type: 'checkbox', id, class: 'c-check' });
    controls = [cb];
    get = () => cb.checked;
    put = (v) => { cb.checked = !!v; };
    body = h('label', { class: 'c-set__check', for: id }, cb, h('span', { i18n: label }));
  } else if (key === 'retouch_lock') {
    const s = sel([['teacher', 'sf.retouch_lock_teacher'], ['timed', 'sf.retouch_lock_timed']]);
    controls = [s];
    get = () => s.value; put = (v) => { s.value = v; };
  } else if (key === 'glasses') {
    const s = sel([['clear_ok', 'sf.glasses_clear_ok'], ['forbidden', 'sf.glasses_forbidden']]);
    controls = [s];
    get = () => s.value; put = (v) => { s.value = v; };
  } else if ((key === 'spec' || key === 'background') && specs.length) {
    const s = h('select', { class: 'c-input', id: newId('s') });
    controls = [s];
    const fill = (opts, keep) => {
      mount(s, opts.map(([v, text]) => h('option', { value: v, text })));
      if (keep !== undefined && !opts.some(([v]) => v === keep)) s.append(h('option', { value: keep, text: keep }));
    };
    if (key === 'spec') {
      const groups = [['sf.spec_builtin', specs.filter((x) => !x.custom)], ['sf.spec_custom', specs.filter((x) => x.custom)]];
      mount(s, groups.filter(([, l]) => l.length).map(([k, l]) => h('optgroup', { i18nAttr: { label: k } },
        l.map((x) => h('option', { value: x.name, text: specLabel(x) })))));
    }
    get = () => s.value;
    // a stored name the list does not have (e.g. saved before names were
    // checked) stays visible, marked, rather than silently becoming another
    put = (v) => {
      if (![...s.options].some((o) => o.value === v)) {
        s.append(h('option', key === 'spec' ? { value: v, i18n: 'sf.spec_unknown', i18nVars: { v } } : { value: v, text: v }));
      }
      s.value = v;
    };
    if (key === 'background') {
      s._fill = (specName) => {
        const spec = specs.find((x) => x.name === specName) || specs[0];
        const cur = s.value;
        fill((spec.backgrounds || []).map((b) => [b.name, getLang() === 'en' ? b.name : `${b.zh}（${b.name}）`]), cur || undefined);
        if (cur) s.value = cur;
      };
      onSpec(s);
    }
  } else if (key === 'fee_fen') {
    const i = input({ inputmode: 'decimal', autocomplete: 'off' });
    controls = [i];
    get = () => {
      const v = i.value.trim();
      if (v === '') return undefined;
      if (!/^\d{1,9}(\.\d{1,2})?$/.test(v)) return { bad: 'sf.bad_fee' };
      return Math.round(Number(v) * 100);
    };
    put = (v) => { i.value = v === undefined ? '' : (v / 100).toFixed(2); };
  } else if (INTS[key]) {
    const [lo, hi] = INTS[key];
    const i = input({ type: 'number', min: String(lo), max: String(hi), step: '1', inputmode: 'numeric' });
    controls = [i];
    get = () => { const v = i.value.trim(); if (v === '') return undefined; return /^-?\d+$/.test(v) ? Number(v) : v; };
    put = (v) => { i.value = v === undefined ? '' : String(v); };
  } else {
    const i = input({ autocomplete: 'off', maxlength: '31' });
    controls = [i];
    get = () => i.value.trim() || undefined; put = (v) => { i.value = v || ''; };
  }
  for (const c of controls) c.setAttribute('aria-describedby', src.id);
  if (!body) { controls[0].id = id; body = h('div', null, h('label', { for: id, class: 'c-field__label', i18n: label }), controls[0]); }
  const row = h('div', { class: 'c-set', dataset: { key } }, key === 'pay_when' ? h('fieldset', { class: 'c-set__group' }, h('legend', { class: 'c-field__label', i18n: label }), body) : body,
    h('div', { class: 'c-set__meta' }, src, reset), err);
  reset.setAttribute('aria-label', t('sf.inherit_label', { name: t(label) }));
  const show = () => {
    const p = parent(key);
    const pv = fmtValue(key, p.v, specs);
    row.classList.toggle('c-set_own', isOwn);
    row.dataset.source = isOwn ? 'own' : p.from;
    src.textContent = isOwn ? `${t(ownKey)} ${t('sf.own_over', { v: pv })}` : t(p.from === 'school' ? 'sf.from_school' : 'sf.from_default', { v: pv });
    reset.hidden = !isOwn;
  };
  const change = () => { isOwn = true; show(); setError(null); };
  for (const c of controls) { c.addEventListener('input', change); c.addEventListener('change', change); }
  reset.addEventListener('click', () => { isOwn = false; put(parent(key).v); show(); setError(null); controls[0].dispatchEvent(new Event('sf-reset')); controls[0].focus(); });
  const setError = (e) => {
    setErr(err, e);
    for (const c of controls) {
      if (e) c.setAttribute('aria-invalid', 'true'); else c.removeAttribute('aria-invalid');
      c.setAttribute('aria-describedby', e ? `${src.id} ${err.id}` : src.id);
    }
  };
  put(isOwn ? own[key] : parent(key).v);
  show();
  onLangChange(() => { if (row.isConnected) { show(); reset.setAttribute('aria-label', t('sf.inherit_label', { name: t(label) })); } });
  return {
    key, node: row, setError, controls,
    value: () => (isOwn ? get() : undefined),
    focus: () => controls[0].focus(),
  };
}

// The shared body of both forms: the groups of settings rows.  own: the
// level's own keys; above: the level above ({} for the school); defaults.
async function settingsRows({ own, above, defaults, level }) {
  const specs = await specList();
  own = norm(own); above = norm(above); defaults = norm(defaults);
  const parent = (k) => (above[k] !== undefined ? { v: above[k], from: 'school' } : { v: defaults[k], from: 'default' });
  let bgSelect = null;
  const rows = {};
  const onSpec = (s) => { bgSelect = s; };
  for (const [, keys] of GROUPS) for (const k of keys) rows[k] = settingRow(k, { own, parent, ownKey: level === 'batch' ? 'sf.own_batch' : 'sf.own_school', specs, onSpec });
  // the background choices follow the chosen spec
  if (bgSelect && rows.spec.controls[0].tagName === 'SELECT') {
    const specSel = rows.spec.controls[0];
    const refill = () => bgSelect._fill(specSel.value);
    const bgVal = bgSelect.value;
    refill();
    if (bgVal) bgSelect.value = bgVal;
    specSel.addEventListener('change', refill);
    specSel.addEventListener('sf-reset', refill);
    bgSelect.value = own.background !== undefined ? own.background : parent('background').v;
  }
  const node = GROUPS.map(([title, keys]) => h('fieldset', { class: 'c-set-group' },
    h('legend', { class: 'c-set-group__title', i18n: title }), keys.map((k) => rows[k].node)));
  // What is sent: the level's own values; keys this form does not manage (checks) are kept.
  const collect = () => {
    const out = {};
    for (const [k, v] of Object.entries(own)) if (!MANAGED.includes(k)) out[k] = v;
    let bad = false;
    for (const r of Object.values(rows)) {
      const v = r.value();
      if (v && typeof v === 'object' && v.bad) { r.setError(local(v.bad)); bad = true; continue; }
      if (v !== undefined) out[r.key] = v;
    }
    return bad ? null : out;
  };
  return { node, rows, collect };
}

// Server errors [{field, code, zh, en}] to their fields; the rest to `rest`.
function placeErrors(errors, fields, rest) {
  let first = null;
  const left = [];
  for (const e of errors || []) {
    const f = fields[e.field === 'glasses_forbidden' ? 'glasses' : e.field];
    if (f) { f.setError(e); first = first || f; } else left.push(e);
  }
  if (left.length) mount(rest, h('ul', { class: 'c-field-errors' }, left.map((e) => h('li', { text: `${e.field}: ${getLang() === 'en' ? e.en : e.zh}` }))));
  if (first) (first.focus ? first.focus() : first.control.focus());
}

function toLocal(sec) {
  if (!sec) return '';
  const d = new Date(sec * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
const fromLocal = (v) => (v ? Math.floor(new Date(v).getTime() / 1000) : null);

// ---- the batch settings page -----------------------------------------------------------------------------

route('batch-settings', {
  title: 'sf.batch_title', need: 'school_staff',
  async render(id) {
    const bid = Number(id);
    await schools();
    const root = h('div', { class: 'c-page' });
    const draw = async (savedMsg) => {
      const d = (await api.get(`/api/v1/batches/${bid}/settings`)).data;
      const b = d.batch;
      const err = errorRegion();
      const rest = h('div');
      const msg = h('div', { 'aria-live': 'polite' });
      const name = errField('sf.name', input({ name: 'name', maxlength: '200', value: b.name }));
      const starts = errField('sf.starts', input({ name: 'starts_at', type: 'datetime-local', value: toLocal(b.starts_at) }), 'sf.window_tip');
      const ends = errField('sf.ends', input({ name: 'ends_at', type: 'datetime-local', value: toLocal(b.ends_at) }), 'sf.window_tip');
      const set = await settingsRows({ own: b.settings, above: d.school, defaults: d.defaults, level: 'batch' });
      const fields = { ...set.rows, name, starts_at: starts, ends_at: ends };
      const form = h('form', { class: 'c-settings-form', novalidate: true },
        h('fieldset', { class: 'c-set-group' }, h('legend', { class: 'c-set-group__title', i18n: 'sf.basics' }),
          h('div', { class: 'c-inline-form' }, name.node, starts.node, ends.node)),
        set.node, err, rest,
        h('div', { class: 'c-actions c-sticky-actions' }, submit('sf.save')), msg);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        showError(err, null); mount(rest); mount(msg);
        for (const f of Object.values(fields)) f.setError(null);
        const settings = set.collect();
        if (!settings) { showError(err, localError('batch.invalid', 'sf.bad_fee')); return; }
        try {
          await api.put(`/api/v1/batches/${bid}`, {
            name: name.control.value.trim(), starts_at: fromLocal(starts.control.value), ends_at: fromLocal(ends.control.value), settings,
          });
          await draw(true);
        } catch (e) {
          showError(err, e);
          placeErrors(e.body && e.body.errors, fields, rest);
        }
      });
      mount(root,
        crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [`#/school/${b.school_id}`, schoolName(b.school_id)], [`#/batch/${bid}`, b.name], [null, t('sf.batch_title'), 'sf.batch_title']]),
        h('h1', { i18n: 'sf.batch_title' }),
        h('section', { class: 'c-panel', 'aria-label': b.name },
          h('p', { class: 'c-field__tip', i18n: 'sf.batch_tip' }),
          savedMsg ? notice('sf.saved') : null, form));
      if (savedMsg) root.querySelector('.c-notice').focus?.();
    };
    await draw(false);
    return root;
  },
});

// ---- the school's defaults ------------------------------------------------------------------------------

export async function schoolSettingsPanel(sid) {
  const box = h('div');
  const draw = async (saved) => {
    const d = (await api.get(`/api/v1/schools/${sid}/settings`)).data;
    const err = errorRegion();
    const rest = h('div');
    const set = await settingsRows({ own: d.settings, above: {}, defaults: d.defaults, level: 'school' });
    const form = h('form', { class: 'c-settings-form', novalidate: true }, set.node, err, rest,
      h('div', { class: 'c-actions' }, submit('sf.save')), saved ? notice('sf.saved') : null);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null); mount(rest);
      for (const f of Object.values(set.rows)) f.setError(null);
      const settings = set.collect();
      if (!settings) return;
      try {
        await api.put(`/api/v1/schools/${sid}/settings`, { settings });
        await draw(true);
      } catch (e) {
        showError(err, e);
        placeErrors(e.body && e.body.errors, set.rows, rest);
      }
    });
    mount(box, h('p', { class: 'c-field__tip', i18n: 'sf.school_tip' }), form);
  };
  await draw(false);
  const p = panel('sf.school_title', box);
  p.classList.add('c-school-settings');
  return p;
}

// ---- the school's contact for students (issue 19) ----------------------------------------------------------

export async function contactPanel(sid) {
  const box = h('div');
  const draw = async (saved) => {
    const c = (await api.get(`/api/v1/schools/${sid}/contact`)).data.contact || {};
    const err = errorRegion();
    const phone = errField('ct.phone', input({ name: 'phone', type: 'tel', maxlength: '60', autocomplete: 'off', value: c.phone || '' }));
    const wechat = errField('ct.wechat', input({ name: 'wechat', maxlength: '60', autocomplete: 'off', value: c.wechat || '' }));
    const hours = errField('ct.hours', input({ name: 'hours', maxlength: '100', autocomplete: 'off', value: c.hours || '', i18nAttr: { placeholder: 'ct.hours_ph' } }));
    const form = h('form', { class: 'c-settings-form c-contact-form', novalidate: true },
      h('div', { class: 'c-inline-form' }, phone.node, wechat.node, hours.node), err,
      h('div', { class: 'c-actions' }, submit('ct.save')), saved ? notice('ct.saved') : null);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        await api.put(`/api/v1/schools/${sid}/contact`, { phone: phone.control.value.trim(), wechat: wechat.control.value.trim(), hours: hours.control.value.trim() });
        await draw(true);
      } catch (e) { showError(err, e); }
    });
    mount(box, h('p', { class: 'c-field__tip', i18n: 'ct.tip' }), form);
  };
  await draw(false);
  const p = panel('ct.title', box);
  p.classList.add('c-school-contact');
  return p;
}

// ---- the notice editor ------------------------------------------------------------------------------------

const KEEP = new Set(['P', 'BR', 'B', 'STRONG', 'I', 'EM', 'U', 'UL', 'OL', 'LI', 'H3', 'H4', 'A']);
// The server's HTML, rebuilt node by node with the same allowlist (defence
// in depth: the page never parses markup it did not check).
export function safeFragment(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  const out = document.createDocumentFragment();
  const walk = (from, to) => {
    for (const n of from.childNodes) {
      if (n.nodeType === 3) { to.append(document.createTextNode(n.data)); continue; }
      if (n.nodeType !== 1) continue;
      if (['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT'].includes(n.tagName)) continue;
      if (!KEEP.has(n.tagName)) { walk(n, to); continue; }
      const el = document.createElement(n.tagName.toLowerCase());
      if (n.tagName === 'A') {
        const href = n.getAttribute('href') || '';
        if (/^https?:\/\//i.test(href)) { el.setAttribute('href', href); el.setAttribute('rel', 'noopener'); el.setAttribute('target', '_blank'); }
      }
      walk(n, el);
      to.append(el);
    }
  };
  walk(doc.body, out);
  return out;
}

// Pasted markup is parsed inertly and loses what could run in this page
// (scripts, frames, on* handlers); the rest is left to the server's allowlist.
function pasteClean(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.body.querySelectorAll('script, style, iframe, frame, object, embed, template, link, meta, base, form')) el.remove();
  for (const el of doc.body.querySelectorAll('*')) {
    for (const a of [...el.attributes]) if (/^on/i.test(a.name) || /^\s*javascript:/i.test(a.value)) el.removeAttribute(a.name);
  }
  return doc.body.innerHTML;
}

export async function noticePanel(sid) {
  const stored = (await api.get(`/api/v1/schools/${sid}/notice`)).data.html || '';
  const err = errorRegion();
  const msg = h('div', { 'aria-live': 'polite' });
  const labelId = newId('nt');
  const tipId = newId('tip');
  const editor = h('div', {
    class: 'c-editor', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
    'aria-labelledby': labelId, 'aria-describedby': tipId, spellcheck: 'false',
  });
  editor.append(safeFragment(stored));
  // A paste of formatted text goes in without what could run here
  // (pasteClean); the server keeps only its allowlist, and the preview
  // shows what it stored.
  editor.addEventListener('paste', (ev) => {
    const dt = ev.clipboardData;
    const html = dt && dt.getData('text/html');
    if (!html) return;
    ev.preventDefault();
    document.execCommand('insertHTML', false, pasteClean(html));
  });
  const preview = h('div', { class: 'c-notice-preview c-rich', 'aria-labelledby': '' });
  const showStored = (html) => {
    if (html) mount(preview, safeFragment(html)); else mount(preview, h('p', { class: 'c-empty', i18n: 'nt.empty' }));
    preview.dataset.html = html;
  };
  showStored(stored);
  // keep the selection while a toolbar control has the focus
  let range = null;
  document.addEventListener('selectionchange', () => {
    const s = document.getSelection();
    if (s.rangeCount && editor.contains(s.getRangeAt(0).commonAncestorContainer)) range = s.getRangeAt(0).cloneRange();
  });
  const restore = () => {
    editor.focus();
    if (range) { const s = document.getSelection(); s.removeAllRanges(); s.addRange(range); }
  };
  const cmd = (name, arg) => {
    restore();
    try { document.execCommand('defaultParagraphSeparator', false, 'p'); } catch { /* older engines */ }
    document.execCommand(name, false, arg);
    editor.focus();
  };
  const tool = (key, text, fn, cls = '') => {
    const b = text
      ? h('button', { type: 'button', class: 'c-btn c-btn_default c-btn_small c-tool ' + cls, text, title: t(key), 'aria-label': t(key), dataset: { i18nAttr: `title:${key},aria-label:${key}` } })
      : h('button', { type: 'button', class: 'c-btn c-btn_default c-btn_small c-tool ' + cls, i18n: key });
    b.addEventListener('mousedown', (ev) => ev.preventDefault()); // the editor keeps its selection
    b.addEventListener('click', fn);
    return b;
  };
  const url = input({ type: 'url', placeholder: 'https://', autocomplete: 'off', class: 'c-input c-input_small' });
  const urlErr = h('p', { class: 'c-field__error', hidden: true });
  const toolbar = h('div', { class: 'c-toolbar', role: 'toolbar', 'aria-label': t('nt.toolbar'), 'aria-controls': editor.id || (editor.id = newId('ed')) },
    tool('nt.bold', 'B', () => cmd('bold'), 'c-tool_b'), tool('nt.italic', 'I', () => cmd('italic'), 'c-tool_i'),
    tool('nt.underline', 'U', () => cmd('underline'), 'c-tool_u'), tool('nt.heading', 'H', () => cmd('formatBlock', 'h3')),
    tool('nt.paragraph', '¶', () => cmd('formatBlock', 'p')), tool('nt.ul', '• ≡', () => cmd('insertUnorderedList')),
    tool('nt.ol', '1. ≡', () => cmd('insertOrderedList')),
    h('span', { class: 'c-toolbar__link' },
      h('label', { for: url.id || (url.id = newId('url')), class: 'c-sr', i18n: 'nt.link_url' }), url,
      tool('nt.link', null, () => {
        const v = url.value.trim();
        const sel = range && !range.collapsed;
        if (!/^https?:\/\/\S+$/i.test(v) || !sel) { setErr(urlErr, local('nt.bad_url')); url.focus(); return; }
        setErr(urlErr, null);
        cmd('createLink', v);
        url.value = '';
      }),
      tool('nt.unlink', null, () => cmd('unlink'))));
  const save = submit('nt.save');
  const form = h('form', { class: 'c-notice-form', novalidate: true },
    h('p', { class: 'c-field__label', id: labelId, i18n: 'nt.editor' }), toolbar, urlErr, editor,
    h('p', { class: 'c-field__tip', id: tipId, i18n: 'nt.tip' }), err, h('div', { class: 'c-actions' }, save), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null); mount(msg);
    save.disabled = true;
    try {
      const r = await api.put(`/api/v1/schools/${sid}/notice`, { html: editor.innerHTML });
      showStored(r.data.html || '');
      // the editor now holds what was stored, so a second save changes nothing
      mount(editor, safeFragment(r.data.html || ''));
      mount(msg, notice('nt.saved'));
    } catch (e) { showError(err, e); } finally { save.disabled = false; }
  });
  const previewTitle = newId('pv');
  preview.setAttribute('aria-labelledby', previewTitle);
  preview.setAttribute('role', 'region');
  const p = panel('nt.title', form,
    h('h3', { class: 'c-panel__subtitle', id: previewTitle, i18n: 'nt.preview' }), preview);
  p.classList.add('c-notice-panel');
  return p;
}

// ---- one student: add and edit ------------------------------------------------------------------------------

const STU_FIELDS = [
  ['name', 'col.name'], ['student_no', 'col.student_no'], ['id_number', 'col.id_number'], ['chsi_code', 'col.chsi_code'],
  ['level', 'col.level'], ['programme', 'col.programme'], ['department', 'col.department'], ['class_name', 'col.class'], ['phone', 'col.phone'],
];
const TAKEN = { 'student.no_taken': 'student_no', 'student.id_taken': 'id_number', 'student.chsi_taken': 'chsi_code', 'chsi.bad_code': 'chsi_code' };

// A form for one student.  With `student` it edits (the ID number and
// 采集码 are kept unless given); without, it adds one to the batch.
function studentForm(bid, student, onDone) {
  const err = errorRegion();
  const rest = h('div');
  const fields = {};
  for (const [k, label] of STU_FIELDS) {
    const keep = student && (k === 'id_number' || k === 'chsi_code');
    const attrs = { name: k, autocomplete: 'off', maxlength: '200' };
    if (k === 'phone') Object.assign(attrs, { inputmode: 'tel' });
    if (k === 'id_number') Object.assign(attrs, { maxlength: '18', class: 'c-input c-mono' });
    if (student && !keep && student[k] !== undefined) attrs.value = student[k] || '';
    fields[k] = errField(label, input(attrs), keep ? 'stu.keep_tip' : k === 'chsi_code' ? 'stu.chsi_optional' : null);
  }
  const form = h('form', { class: 'c-student-form', novalidate: true },
    h('div', { class: 'c-form-grid' }, Object.values(fields).map((f) => f.node)), err, rest,
    h('div', { class: 'c-actions' }, submit(student ? 'stu.edit_submit' : 'stu.add_submit'),
      student ? button('student.cancel', { onclick: () => onDone(null) }) : null));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null); mount(rest);
    for (const f of Object.values(fields)) f.setError(null);
    const body = {};
    for (const [k] of STU_FIELDS) {
      const v = fields[k].control.value.trim();
      if (student) { if ((k === 'id_number' || k === 'chsi_code') && !v) continue; if (v === (student[k] || '')) continue; }
      body[k] = v;
    }
    try {
      const r = student ? await api.put(`/api/v1/students/${student.id}`, body) : await api.post(`/api/v1/batches/${bid}/students`, body);
      if (!student) for (const f of Object.values(fields)) f.control.value = '';
      onDone(r.data.student);
    } catch (e) {
      showError(err, e);
      const errs = (e.body && e.body.errors) || [];
      if (!errs.length && TAKEN[e.code]) errs.push({ field: TAKEN[e.code], code: e.code, zh: e.error.zh, en: e.error.en });
      placeErrors(errs, fields, rest);
    }
  });
  return { form, fields };
}

// The add panel and an edit dialog; onChange(kind, student) after a save.
export function studentEditor(bid, onChange) {
  const msg = h('div', { 'aria-live': 'polite' });
  const add = studentForm(bid, null, async (s) => { mount(msg, notice('stu.added', { name: s.name })); await onChange('add', s); });
  const details = h('details', { class: 'c-add-student' }, h('summary', { class: 'c-btn c-btn_default c-btn_small', i18n: 'stu.add' }), add.form);
  const addNode = h('div', { class: 'c-add-student-wrap' }, details, msg);
  const title = h('h2', { class: 'c-panel__title', id: newId('dlg') });
  const body = h('div');
  const dlg = h('dialog', { class: 'c-dialog c-dialog_wide', 'aria-labelledby': title.id }, title, body);
  const edit = (s) => {
    mount(title, h('span', { i18n: 'stu.edit_title', i18nVars: { name: s.name } }));
    const f = studentForm(bid, s, async (saved) => {
      dlg.close();
      if (saved) { mount(msg, notice('stu.saved', { name: saved.name })); await onChange('edit', saved); }
    });
    mount(body, f.form);
    dlg.showModal();
    f.fields.name.control.focus();
  };
  return { addNode, dlg, edit, open: () => { details.open = true; add.fields.name.control.focus(); } };
}

export { fmtTime };
