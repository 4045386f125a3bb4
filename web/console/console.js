// The staff console: sign-in, the forced first password change, schools,
// batches (特征码 and QR poster), roster import with a dry-run preview, the
// student list, and staff accounts.  Hash routing like the student app;
// every view is a function returning a node, registered with route().
//
// Roles (server: tc_api.c api_begin): platform_admin sees every school and
// the accounts; school_admin sees only its own school (the server enforces
// it, the console just does not offer the rest); reviewers (and platform admins) review photos.

import { t, addMessages, getLang, setLang, onLangChange, localError, KNOWN_STATES } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, relabel, newId, fmtTime } from '/common/dom.js';

addMessages({
  'console.name': '图采管理后台',
  'console.nav': '主导航',
  'console.logout': '退出登录',
  'console.back_home': '返回首页',
  'nav.schools': '学校',
  'nav.accounts': '账号管理',
  'role.platform_admin': '平台管理员',
  'role.school_admin': '学校管理员',
  'role.reviewer': '审核员',

  'login.title': '管理员登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',

  'pw.title': '修改密码',
  'pw.reminder': '请第一次登录时及时更改密码，由于账户权限涉及到学生信息、个人隐私请妥善保管好账户、密码！',
  'pw.old': '原密码',
  'pw.new': '新密码',
  'pw.new2': '确认新密码',
  'pw.rule': '至少10位，且包含字母、数字或符号中的两类',
  'pw.mismatch': '两次输入的新密码不一致',
  'pw.submit': '修改密码',
  'pw.done': '密码已修改',

  'schools.title': '学校',
  'schools.name': '学校名称',
  'schools.create': '新建学校',
  'schools.create_submit': '创建',
  'schools.empty': '还没有学校',
  'schools.open': '查看批次',
  'schools.created': '已创建学校：{name}',

  'batches.title': '采集批次',
  'batches.name': '批次名称',
  'batches.code': '特征码',
  'batches.students': '学生数',
  'batches.window': '采集时间',
  'batches.qr': '批次二维码',
  'batches.qr_alt': '批次二维码，特征码 {code}',
  'batches.open': '管理',
  'batches.empty': '还没有采集批次',
  'batches.create': '新建批次',
  'batches.starts': '开始时间（选填）',
  'batches.ends': '结束时间（选填）',
  'batches.create_submit': '创建',
  'batches.created': '已创建批次：{name}，特征码 {code}',
  'batches.any_time': '不限',

  'batch.poster': '学生入口',
  'batch.poster_tip': '学生扫描此二维码，或在首页输入特征码、身份证后4位并上传采集码即可进入采集。',
  'batch.link': '入口链接',
  'batch.download_qr': '下载二维码',
  'batch.roster': '导入花名册',
  'batch.roster_tip': 'CSV 或 XLSX。表头必填：姓名、学号、身份证号、采集码；选填：层次、专业、院系、班级、手机号。同一学号再次导入会更新信息。',
  'batch.roster_file': '花名册文件',
  'batch.preview': '预览',
  'batch.import': '确认导入',
  'batch.preview_ok': '共 {rows} 行，检查通过，可以导入。',
  'batch.preview_rows': '前 {n} 行预览',
  'batch.imported': '导入完成：共 {rows} 行，新增 {inserted}，更新 {updated}。',
  'batch.no_file': '请选择花名册文件（CSV 或 XLSX）',
  'batch.errors': '错误明细（共 {n} 处）',
  'batch.warnings': '提示（共 {n} 处）',
  'batch.row': '行',
  'batch.field': '字段',
  'batch.message': '说明',
  'batch.students': '学生名单',
  'batch.search': '搜索姓名或学号',
  'batch.search_submit': '搜索',
  'batch.total': '共 {total} 人',
  'batch.prev': '上一页',
  'batch.next': '下一页',
  'batch.page': '第 {page} / {pages} 页',
  'batch.none': '没有找到学生',

  'col.name': '姓名',
  'col.student_no': '学号',
  'col.id': '身份证号',
  'col.level': '层次',
  'col.programme': '专业',
  'col.department': '院系',
  'col.class': '班级',
  'col.phone': '手机号',
  'col.state': '状态',
  'col.school': '学校',
  'col.chsi_code': '采集码',
  'col.id_number': '身份证号',

  'accounts.title': '账号管理',
  'accounts.username': '用户名',
  'accounts.role': '角色',
  'accounts.school': '所属学校',
  'accounts.password': '初始密码',
  'accounts.must_change': '首次登录须改密码',
  'accounts.active': '正常',
  'accounts.create': '新建账号',
  'accounts.create_submit': '创建',
  'accounts.created': '已创建账号 {username}，首次登录时须修改密码。',
  'accounts.status': '状态',
  'accounts.no_school': '—',

  'welcome.title': '欢迎',
  'welcome.reviewer': '审核员的照片审核功能将在后续版本提供。',
}, {
  'console.name': 'Photo collection console',
  'console.nav': 'Main navigation',
  'console.logout': 'Sign out',
  'console.back_home': 'Back to the start page',
  'nav.schools': 'Schools',
  'nav.accounts': 'Staff accounts',
  'role.platform_admin': 'Platform admin',
  'role.school_admin': 'School admin',
  'role.reviewer': 'Reviewer',

  'login.title': 'Staff sign-in',
  'login.username': 'User name',
  'login.password': 'Password',
  'login.submit': 'Sign in',

  'pw.title': 'Change your password',
  'pw.reminder': 'Change the password at your first sign-in. This account can see students\' information and private data: keep the account and its password safe!',
  'pw.old': 'Current password',
  'pw.new': 'New password',
  'pw.new2': 'Repeat new password',
  'pw.rule': 'At least 10 characters, mixing two of: letters, digits, symbols',
  'pw.mismatch': 'The two new passwords differ',
  'pw.submit': 'Change password',
  'pw.done': 'Password changed',

  'schools.title': 'Schools',
  'schools.name': 'School name',
  'schools.create': 'New school',
  'schools.create_submit': 'Create',
  'schools.empty': 'No schools yet',
  'schools.open': 'Batches',
  'schools.created': 'School created: {name}',

  'batches.title': 'Collection batches',
  'batches.name': 'Batch name',
  'batches.code': 'Batch code',
  'batches.students': 'Students',
  'batches.window': 'Collection window',
  'batches.qr': 'Batch QR code',
  'batches.qr_alt': 'Batch QR code, batch code {code}',
  'batches.open': 'Manage',
  'batches.empty': 'No collection batches yet',
  'batches.create': 'New batch',
  'batches.starts': 'Starts (optional)',
  'batches.ends': 'Ends (optional)',
  'batches.create_submit': 'Create',
  'batches.created': 'Batch created: {name}, batch code {code}',
  'batches.any_time': 'Any time',

  'batch.poster': 'Student entry',
  'batch.poster_tip': 'Students scan this QR code, or enter the batch code and the last 4 ID characters and upload their collection code on the home page.',
  'batch.link': 'Entry link',
  'batch.download_qr': 'Download the QR code',
  'batch.roster': 'Import the roster',
  'batch.roster_tip': 'CSV or XLSX. Required columns: 姓名 (name), 学号 (student no.), 身份证号 (ID number), 采集码 (collection code); optional: 层次, 专业, 院系, 班级, 手机号. Importing a student number again updates it.',
  'batch.roster_file': 'Roster file',
  'batch.preview': 'Preview',
  'batch.import': 'Import',
  'batch.preview_ok': '{rows} rows checked: ready to import.',
  'batch.preview_rows': 'The first {n} rows',
  'batch.imported': 'Imported {rows} rows: {inserted} new, {updated} updated.',
  'batch.no_file': 'Choose a roster file (CSV or XLSX)',
  'batch.errors': 'Errors ({n})',
  'batch.warnings': 'Warnings ({n})',
  'batch.row': 'Row',
  'batch.field': 'Field',
  'batch.message': 'Message',
  'batch.students': 'Students',
  'batch.search': 'Search by name or student no.',
  'batch.search_submit': 'Search',
  'batch.total': '{total} students',
  'batch.prev': 'Previous',
  'batch.next': 'Next',
  'batch.page': 'Page {page} of {pages}',
  'batch.none': 'No students found',

  'col.name': 'Name',
  'col.student_no': 'Student no.',
  'col.id': 'ID number',
  'col.level': 'Level',
  'col.programme': 'Programme',
  'col.department': 'Department',
  'col.class': 'Class',
  'col.phone': 'Mobile',
  'col.state': 'State',
  'col.school': 'School',
  'col.chsi_code': 'Collection code',
  'col.id_number': 'ID number',

  'accounts.title': 'Staff accounts',
  'accounts.username': 'User name',
  'accounts.role': 'Role',
  'accounts.school': 'School',
  'accounts.password': 'Initial password',
  'accounts.must_change': 'Must change password',
  'accounts.active': 'Active',
  'accounts.create': 'New account',
  'accounts.create_submit': 'Create',
  'accounts.created': 'Account {username} created; it must change its password at first sign-in.',
  'accounts.status': 'Status',
  'accounts.no_school': '—',

  'welcome.title': 'Welcome',
  'welcome.reviewer': 'Photo review for reviewers comes in a later version.',
});

// ---- state -----------------------------------------------------------------------------

const state = {
  staff: null,      // GET /api/v1/staff/me
  schools: null,    // cached GET /api/v1/schools (names for breadcrumbs and accounts)
};

const isPlatform = () => state.staff && state.staff.role === 'platform_admin';
const isReviewer = () => state.staff && ['platform_admin', 'reviewer'].includes(state.staff.role);
const isSchoolStaff = () => state.staff && ['platform_admin', 'school_admin'].includes(state.staff.role);

// ---- router ------------------------------------------------------------------------------

// need: 'guest' | 'password' (signed in, change pending) | 'school_staff' |
// 'platform' | 'reviewer' | 'staff'
const views = {};
function route(name, def) { views[name] = def; }

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { name: parts[0] || '', args: parts.slice(1).map(decodeURIComponent) };
}

function go(path, replace = false) {
  const hash = '#/' + path;
  if (replace) {
    history.replaceState(null, '', location.pathname + location.search + hash);
    render();
  } else if (location.hash === hash) render();
  else location.hash = hash;
}

function home() {
  if (!state.staff) return 'login';
  if (state.staff.must_change_password) return 'password';
  return isSchoolStaff() ? 'schools' : 'welcome';
}

const app = document.getElementById('app');
let seq = 0;
let first = true;

async function render() {
  const mySeq = ++seq;
  const { name, args } = parseHash();
  const view = views[name];
  const s = state.staff;
  if (!view) return go(home(), true);
  if (view.need === 'guest' && s) return go(home(), true);
  if (view.need !== 'guest' && !s) return go('login', true);
  if (s && s.must_change_password && view.need !== 'password' && view.need !== 'guest') return go('password', true);
  if (view.need === 'password' && !s.must_change_password) return go(home(), true);
  if (view.need === 'school_staff' && !isSchoolStaff()) return go(home(), true);
  if (view.need === 'platform' && !isPlatform()) return go(home(), true);
  if (view.need === 'reviewer' && !isReviewer()) return go(home(), true);
  if (name !== 'review') reviewKeys = null;
  renderChrome(name);
  app.setAttribute('aria-busy', 'true');
  let node;
  try {
    node = await view.render(...args);
  } catch (e) {
    if (e && e.status === 401) { state.staff = null; return go('login', true); }
    const err = errorRegion();
    showError(err, e);
    node = h('div', { class: 'c-page' }, err,
      h('p', null, h('a', { href: '#/' + home(), i18n: 'console.back_home' })));
  }
  if (mySeq !== seq) return;
  app.dataset.view = name;
  mount(app, node);
  app.setAttribute('aria-busy', 'false');
  document.title = `${t(view.title)} · ${t('console.name')}`;
  if (!first) {
    const h1 = app.querySelector('h1');
    if (h1) { h1.tabIndex = -1; h1.focus(); }
  }
  first = false;
}

// The header: navigation by role, who is signed in, sign out.
function renderChrome(current) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const logoutBtn = document.getElementById('logout');
  const s = state.staff;
  const ready = s && !s.must_change_password;
  nav.hidden = !ready;
  who.hidden = !s;
  logoutBtn.hidden = !s;
  if (s) {
    mount(who, h('span', { class: 'c-top__username', text: s.username }), ' ',
      h('span', { class: 'c-role', i18n: 'role.' + s.role }));
  }
  const items = [];
  if (ready && isSchoolStaff()) items.push(['schools', 'nav.schools', ['schools', 'school', 'batch']]);
  if (ready && isReviewer()) items.push(['review', 'nav.review', ['review']]);
  if (ready && isPlatform()) items.push(['accounts', 'nav.accounts', ['accounts']]);
  mount(nav, items.map(([path, key, names]) => h('a', {
    href: '#/' + path, class: 'c-top__link', 'aria-current': names.includes(current) ? 'page' : null, i18n: key,
  })));
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api.post('/api/v1/logout'); } catch { /* signed out locally anyway */ }
  state.staff = null;
  state.schools = null;
  go('login');
});

// ---- language ----------------------------------------------------------------------------------

const langBtn = document.getElementById('lang-switch');
function labelLangButton() {
  langBtn.textContent = t('common.lang_switch');
  langBtn.setAttribute('aria-label', t('common.lang_switch_label'));
  langBtn.lang = getLang() === 'zh' ? 'en' : 'zh-CN';
  document.getElementById('nav').setAttribute('aria-label', t('console.nav'));
}
langBtn.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
onLangChange(() => {
  labelLangButton();
  relabel(document.body);
  const { name } = parseHash();
  if (views[name]) document.title = `${t(views[name].title)} · ${t('console.name')}`;
});

// ---- building blocks ------------------------------------------------------------------------------

function field(labelKey, input, tipKey) {
  const id = input.id || (input.id = newId('f'));
  const tipId = tipKey ? newId('tip') : null;
  if (tipId) input.setAttribute('aria-describedby', tipId);
  return h('div', { class: 'c-field' },
    h('label', { for: id, class: 'c-field__label', i18n: labelKey }),
    input,
    tipKey ? h('p', { class: 'c-field__tip', id: tipId, i18n: tipKey }) : null);
}

const input = (attrs) => h('input', { class: 'c-input', ...attrs });

function button(key, attrs = {}) {
  return h('button', { type: 'button', class: 'c-btn c-btn_default', i18n: key, ...attrs });
}
function submit(key, attrs = {}) {
  return h('button', { type: 'submit', class: 'c-btn c-btn_primary', i18n: key, ...attrs });
}

// Tables: columns [{key (i18n), value(row) -> text|Node, cls}]; wrapped so
// wide tables scroll sideways on a phone instead of breaking the layout.
function table(columns, rows, { caption, empty, cls = '' } = {}) {
  if (!rows.length && empty) return h('p', { class: 'c-empty', i18n: empty });
  return h('div', { class: 'c-table-wrap', tabindex: '0', role: 'region', 'aria-label': caption ? t(caption.key, caption.vars) : null },
    h('table', { class: 'c-table ' + cls },
      caption ? h('caption', { i18n: caption.key, i18nVars: caption.vars }) : null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', i18n: c.key, class: c.cls })))),
      h('tbody', null, rows.map((r) => h('tr', null, columns.map((c) => {
        const v = c.value(r);
        return h('td', { class: c.cls, dataset: { col: c.id || c.key } }, v === '' || v === null || v === undefined ? '—' : v);
      }))))));
}

function notice(key, vars, kind = 'ok') {
  return h('p', { class: 'c-notice c-notice_' + kind, role: 'status', i18n: key, i18nVars: vars });
}

function stateLabel(s) {
  return KNOWN_STATES.includes(s) ? h('span', { class: 'c-state c-state_' + s, i18n: 'state.' + s }) : h('span', { text: s });
}

function panel(titleKey, ...children) {
  const id = newId('panel');
  return h('section', { class: 'c-panel', 'aria-labelledby': id },
    h('h2', { class: 'c-panel__title', id, i18n: titleKey }), children);
}

async function schools(force = false) {
  if (!state.schools || force) state.schools = (await api.get('/api/v1/schools')).data.schools;
  return state.schools;
}
const schoolName = (id) => ((state.schools || []).find((s) => s.id === id) || {}).name || `#${id}`;

function crumbs(items) {
  return h('nav', { class: 'c-crumbs', 'aria-label': 'breadcrumb' },
    h('ol', null, items.map(([href, text, key], i) => h('li', null,
      href && i < items.length - 1 ? h('a', { href, text, i18n: key }) : h('span', { 'aria-current': 'page', text, i18n: key })))));
}

// ---- login --------------------------------------------------------------------------------------------

route('login', {
  title: 'login.title', need: 'guest',
  render() {
    const err = errorRegion();
    const user = input({ name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
    const pw = input({ name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', { class: 'c-card c-login', novalidate: true },
      h('h1', { i18n: 'login.title' }),
      field('login.username', user), field('login.password', pw), err,
      h('div', { class: 'c-actions' }, submit('login.submit', { class: 'c-btn c-btn_primary c-btn_block' })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        const r = await api.post('/api/v1/staff/login', { username: user.value.trim(), password: pw.value });
        state.staff = r.data.staff;
        state.schools = null;
        go(home());
      } catch (e) {
        showError(err, e);
        pw.select();
      }
    });
    setTimeout(() => user.focus(), 0);
    return h('div', { class: 'c-center' }, form);
  },
});

// ---- the forced password change ------------------------------------------------------------------------

route('password', {
  title: 'pw.title', need: 'password',
  render() {
    const err = errorRegion();
    const old = input({ type: 'password', autocomplete: 'current-password', required: true });
    const nw = input({ type: 'password', autocomplete: 'new-password', required: true, minlength: '10' });
    const nw2 = input({ type: 'password', autocomplete: 'new-password', required: true, minlength: '10' });
    const form = h('form', { class: 'c-card c-login', novalidate: true },
      h('h1', { i18n: 'pw.title' }),
      h('p', { class: 'c-reminder', role: 'note', i18n: 'pw.reminder' }),
      field('pw.old', old), field('pw.new', nw, 'pw.rule'), field('pw.new2', nw2), err,
      h('div', { class: 'c-actions' }, submit('pw.submit', { class: 'c-btn c-btn_primary c-btn_block' })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      if (nw.value !== nw2.value) { showError(err, localError('password.mismatch', 'pw.mismatch')); nw2.focus(); return; }
      try {
        const r = await api.post('/api/v1/staff/password', { old_password: old.value, new_password: nw.value });
        state.staff = r.data.staff;
        announce(t('pw.done'));
        go(home());
      } catch (e) {
        showError(err, e);
      }
    });
    return h('div', { class: 'c-center' }, form);
  },
});

function announce(text) { document.getElementById('status').textContent = text; }

// ---- reviewer: nothing yet ------------------------------------------------------------------------------

route('welcome', {
  title: 'welcome.title', need: 'staff',
  render: () => h('div', { class: 'c-page' }, h('h1', { i18n: 'welcome.title' }), h('p', { class: 'c-empty', i18n: 'welcome.reviewer' }),
    isReviewer() ? h('p', null, h('a', { href: '#/review', class: 'c-btn c-btn_primary', i18n: 'welcome.go_review' })) : null),
});

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

// ---- schools --------------------------------------------------------------------------------------------

route('schools', {
  title: 'schools.title', need: 'school_staff',
  async render() {
    await schools(true);
    const listBox = h('div');
    const draw = () => mount(listBox, table([
      { key: 'schools.name', id: 'name', value: (s) => h('a', { href: `#/school/${s.id}`, text: s.name }) },
      { key: 'schools.open', id: 'open', value: (s) => h('a', { href: `#/school/${s.id}`, class: 'c-link', i18n: 'schools.open' }), cls: 'c-col-narrow' },
    ], state.schools, { empty: 'schools.empty', cls: 'c-schools' }));
    draw();
    let create = null;
    if (isPlatform()) {
      const err = errorRegion();
      const msg = h('div');
      const name = input({ name: 'name', required: true, maxlength: '200' });
      const form = h('form', { class: 'c-inline-form', novalidate: true }, field('schools.name', name),
        submit('schools.create_submit'));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        showError(err, null);
        try {
          const r = await api.post('/api/v1/schools', { name: name.value.trim() });
          await schools(true);
          draw();
          name.value = '';
          mount(msg, notice('schools.created', { name: r.data.school.name }));
        } catch (e) { showError(err, e); }
      });
      create = panel('schools.create', form, err, msg);
    }
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'schools.title' }),
      h('section', { class: 'c-panel' }, listBox),
      create);
  },
});

// ---- a school's batches ---------------------------------------------------------------------------------

function toEpoch(v) { return v ? Math.floor(new Date(v).getTime() / 1000) : 0; }
const codeText = (c) => String(c || '').toUpperCase();

route('school', {
  title: 'batches.title', need: 'school_staff',
  async render(id) {
    await schools();
    const sid = Number(id);
    const box = h('div');
    const load = async () => {
      const r = await api.get(`/api/v1/schools/${sid}/batches`);
      mount(box, table([
        { key: 'batches.name', id: 'name', value: (b) => h('a', { href: `#/batch/${b.id}`, text: b.name }) },
        { key: 'batches.code', id: 'code', value: (b) => h('code', { class: 'c-code', text: codeText(b.code) }) },
        { key: 'batches.students', id: 'students', value: (b) => String(b.students), cls: 'c-num' },
        { key: 'batches.window', id: 'window', value: (b) => windowText(b) },
        { key: 'batches.qr', id: 'qr', value: (b) => h('img', { class: 'c-qr-thumb', src: `/api/v1/batches/${b.id}/qr.png`, width: '72', height: '72', loading: 'lazy', alt: t('batches.qr_alt', { code: codeText(b.code) }) }) },
        { key: 'batches.open', id: 'open', value: (b) => h('a', { href: `#/batch/${b.id}`, class: 'c-btn c-btn_default c-btn_small', i18n: 'batches.open' }) },
      ], r.data.batches, { empty: 'batches.empty', cls: 'c-batches' }));
    };
    await load();
    const err = errorRegion();
    const msg = h('div');
    const name = input({ name: 'name', required: true, maxlength: '200' });
    const starts = input({ name: 'starts_at', type: 'datetime-local' });
    const ends = input({ name: 'ends_at', type: 'datetime-local' });
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('batches.name', name), field('batches.starts', starts), field('batches.ends', ends),
      submit('batches.create_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        const r = await api.post(`/api/v1/schools/${sid}/batches`, {
          name: name.value.trim(), starts_at: toEpoch(starts.value), ends_at: toEpoch(ends.value),
        });
        name.value = ''; starts.value = ''; ends.value = '';
        mount(msg, notice('batches.created', { name: r.data.batch.name, code: codeText(r.data.batch.code) }));
        await load();
      } catch (e) { showError(err, e); }
    });
    return h('div', { class: 'c-page' },
      crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [null, schoolName(sid)]]),
      h('h1', { text: schoolName(sid) }),
      h('section', { class: 'c-panel' }, h('h2', { class: 'c-panel__title', i18n: 'batches.title' }), box),
      panel('batches.create', form, err, msg));
  },
});

function windowText(b) {
  if (!b.starts_at && !b.ends_at) return h('span', { i18n: 'batches.any_time' });
  return `${fmtTime(b.starts_at) || '…'} – ${fmtTime(b.ends_at) || '…'}`;
}

// ---- a batch: poster, roster import, students ---------------------------------------------------------------

const FIELD_KEYS = {
  name: 'col.name', student_no: 'col.student_no', id_number: 'col.id_number', school: 'col.school', level: 'col.level',
  major: 'col.programme', programme: 'col.programme', department: 'col.department', class: 'col.class',
  class_name: 'col.class', phone: 'col.phone', chsi_code: 'col.chsi_code',
};

function issueTable(issues, titleKey, cls) {
  return table([
    { key: 'batch.row', id: 'row', value: (x) => String(x.row), cls: 'c-num' },
    { key: 'batch.field', id: 'field', value: (x) => (FIELD_KEYS[x.field] ? h('span', { i18n: FIELD_KEYS[x.field] }) : x.field) },
    { key: 'batch.message', id: 'message', value: (x) => h('span', { class: 'c-bilingual', dataset: { zh: x.zh, en: x.en }, text: getLang() === 'en' ? x.en : x.zh }) },
  ], issues, { caption: { key: titleKey, vars: { n: issues.length } }, cls });
}

// Server texts in both languages inside tables follow the switch.
onLangChange((l) => {
  for (const el of document.querySelectorAll('.c-bilingual')) el.textContent = l === 'en' ? el.dataset.en : el.dataset.zh;
});

function rosterPanel(batchId, onImported) {
  const err = errorRegion();
  const result = h('div', { class: 'c-roster-result', 'aria-live': 'polite' });
  const file = input({ type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const previewBtn = submit('batch.preview');
  const importBtn = button('batch.import', { class: 'c-btn c-btn_primary', hidden: true });
  const form = h('form', { class: 'c-inline-form', novalidate: true },
    field('batch.roster_file', file, 'batch.roster_tip'), previewBtn, importBtn);

  const send = async (dry) => {
    showError(err, null);
    const f = file.files[0];
    if (!f) { showError(err, localError('roster.no_file', 'batch.no_file')); file.focus(); return; }
    const fd = new FormData();
    fd.append('file', f, f.name);
    previewBtn.disabled = importBtn.disabled = true;
    try {
      const r = await api.postForm(`/api/v1/batches/${batchId}/roster${dry ? '?dry_run=1' : ''}`, fd);
      const d = r.data;
      const warnings = (d.report && d.report.warnings) || [];
      if (dry) {
        mount(result, notice('batch.preview_ok', { rows: d.rows }),
          table([
            { key: 'batch.row', id: 'row', value: (x) => String(x.row), cls: 'c-num' },
            { key: 'col.name', id: 'name', value: (x) => x.name },
            { key: 'col.student_no', id: 'student_no', value: (x) => x.student_no },
            { key: 'col.class', id: 'class', value: (x) => x.class_name },
          ], d.preview, { caption: { key: 'batch.preview_rows', vars: { n: d.preview.length } }, cls: 'c-preview' }),
          warnings.length ? issueTable(warnings, 'batch.warnings', 'c-warnings') : null);
        importBtn.hidden = false;
      } else {
        mount(result, notice('batch.imported', { rows: d.rows, inserted: d.inserted, updated: d.updated }), warnings.length ? issueTable(warnings, 'batch.warnings', 'c-warnings') : null);
        importBtn.hidden = true;
        file.value = '';
        await onImported();
      }
    } catch (e) {
      showError(err, e);
      importBtn.hidden = true;
      const rep = e.body && e.body.report;
      mount(result, rep && rep.errors && rep.errors.length ? issueTable(rep.errors, 'batch.errors', 'c-errors') : null);
    } finally {
      previewBtn.disabled = importBtn.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
  importBtn.addEventListener('click', () => send(false));
  // A new file must be previewed again before it can be imported.
  file.addEventListener('change', () => { importBtn.hidden = true; mount(result); showError(err, null); });
  return panel('batch.roster', form, err, result);
}

const PAGE = 50;

function studentsPanel(batchId) {
  const err = errorRegion();
  const q = input({ type: 'search', name: 'q', autocomplete: 'off' });
  const box = h('div', { class: 'c-students' });
  let offset = 0;
  let timer = 0;
  let latest = 0; // answers can arrive out of order: only the newest is shown
  const load = async () => {
    clearTimeout(timer);
    const mine = ++latest;
    showError(err, null);
    try {
      const r = await api.get(`/api/v1/batches/${batchId}/students` + qs({ q: q.value.trim(), limit: PAGE, offset }));
      if (mine !== latest) return;
      const { total, students } = r.data;
      const pages = Math.max(1, Math.ceil(total / PAGE));
      const page = Math.floor(offset / PAGE) + 1;
      mount(box,
        h('p', { class: 'c-total', role: 'status', i18n: 'batch.total', i18nVars: { total } }),
        table([
          { key: 'col.name', id: 'name', value: (s) => s.name },
          { key: 'col.student_no', id: 'student_no', value: (s) => s.student_no },
          { key: 'col.id', id: 'id', value: (s) => h('span', { class: 'c-mono', text: s.id_masked }) },
          { key: 'col.level', id: 'level', value: (s) => s.level },
          { key: 'col.programme', id: 'programme', value: (s) => s.programme },
          { key: 'col.class', id: 'class', value: (s) => s.class_name },
          { key: 'col.phone', id: 'phone', value: (s) => s.phone },
          { key: 'col.state', id: 'state', value: (s) => stateLabel(s.state) },
          { key: 'col.actions', id: 'actions', value: (s) => h('span', { class: 'c-row-actions' },
            button('student.unlock', { class: 'c-btn c-btn_default c-btn_small', onclick: () => unlock(s) }),
            button('student.reset', { class: 'c-btn c-btn_default c-btn_small', onclick: () => askReset(s) })) },
        ], students, { empty: 'batch.none', cls: 'c-student-table' }),
        pages > 1 ? h('div', { class: 'c-pager' },
          button('batch.prev', { disabled: page <= 1, onclick: () => { offset -= PAGE; load(); } }),
          h('span', { i18n: 'batch.page', i18nVars: { page, pages } }),
          button('batch.next', { disabled: page >= pages, onclick: () => { offset += PAGE; load(); } })) : null);
    } catch (e) { showError(err, e); }
  };
  // Unlock (clears both locks and the cool-off) and reset with a reason the
  // student is told; the server's refusals show in the panel's error region.
  const msg = h('div', { 'aria-live': 'polite' });
  const unlock = async (s) => {
    showError(err, null);
    mount(msg);
    try {
      await api.post(`/api/v1/students/${s.id}/unlock`);
      mount(msg, notice('student.unlocked', { name: s.name }));
      await load();
    } catch (e) { showError(err, e); }
  };
  const reason = h('textarea', { class: 'c-input', rows: '3', maxlength: '500' });
  const dlgErr = errorRegion();
  const dlgTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
  const dlgForm = h('form', { method: 'dialog', novalidate: true },
    dlgTitle, field('student.reset_reason', reason), dlgErr,
    h('div', { class: 'c-actions' }, submit('student.reset_submit'),
      button('student.cancel', { onclick: () => dlg.close() })));
  const dlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': dlgTitle.id }, dlgForm);
  let resetting = null;
  const askReset = (s) => {
    resetting = s;
    showError(dlgErr, null);
    reason.value = '';
    mount(dlgTitle, h('span', { i18n: 'student.reset_title', i18nVars: { name: s.name } }));
    dlg.showModal();
    reason.focus();
  };
  dlgForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(dlgErr, null);
    const s = resetting;
    try {
      // an empty reason goes to the server too: its refusal is the message
      await api.post(`/api/v1/students/${s.id}/reset`, { reason: reason.value.trim() });
      dlg.close();
      showError(err, null);
      mount(msg, notice('student.was_reset', { name: s.name }));
      await load();
    } catch (e) { showError(dlgErr, e); }
  });
  const form = h('form', { class: 'c-search', role: 'search', novalidate: true },
    field('batch.search', q), submit('batch.search_submit'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
  // Search as one types, once the typing pauses.
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { offset = 0; load(); }, 350); });
  return { node: panel('batch.students', form, err, msg, box, dlg), load };
}

route('batch', {
  title: 'batch.students', need: 'school_staff',
  async render(id) {
    const bid = Number(id);
    const b = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
    await schools();
    const link = `${location.origin}/?batch=${b.code}`;
    const students = studentsPanel(bid);
    await students.load();
    const qrSrc = `/api/v1/batches/${bid}/qr.png`;
    return h('div', { class: 'c-page' },
      crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [`#/school/${b.school_id}`, schoolName(b.school_id)], [null, b.name]]),
      h('h1', { text: b.name }),
      h('section', { class: 'c-panel c-poster', 'aria-labelledby': 'poster-title' },
        h('img', { class: 'c-qr', src: qrSrc, width: '160', height: '160', alt: t('batches.qr_alt', { code: codeText(b.code) }) }),
        h('div', { class: 'c-poster__text' },
          h('h2', { class: 'c-panel__title', id: 'poster-title', i18n: 'batch.poster' }),
          h('dl', { class: 'c-facts' },
            h('dt', { i18n: 'batches.code' }), h('dd', null, h('code', { class: 'c-code c-code_big', text: codeText(b.code) })),
            h('dt', { i18n: 'batches.students' }), h('dd', { class: 'c-batch-count', text: String(b.students) }),
            h('dt', { i18n: 'batches.window' }), h('dd', null, windowText(b)),
            h('dt', { i18n: 'batch.link' }), h('dd', null, h('a', { href: link, text: link, target: '_blank', rel: 'noopener' }))),
          h('p', { class: 'c-field__tip', i18n: 'batch.poster_tip' }),
          h('a', { href: qrSrc, download: `batch-${b.code}.png`, class: 'c-btn c-btn_default c-btn_small', i18n: 'batch.download_qr' }))),
      rosterPanel(bid, async () => {
        await students.load();
        const fresh = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
        const count = app.querySelector('.c-batch-count');
        if (count) count.textContent = String(fresh.students);
      }),
      students.node);
  },
});

// ---- staff accounts (platform admins) -------------------------------------------------------------------------

const ROLES = ['school_admin', 'reviewer', 'platform_admin'];

route('accounts', {
  title: 'accounts.title', need: 'platform',
  async render() {
    await schools(true);
    const box = h('div');
    const load = async () => {
      const r = await api.get('/api/v1/staff/accounts');
      mount(box, table([
        { key: 'accounts.username', id: 'username', value: (s) => s.username },
        { key: 'accounts.role', id: 'role', value: (s) => h('span', { i18n: 'role.' + s.role }) },
        { key: 'accounts.school', id: 'school', value: (s) => (s.school_id ? schoolName(s.school_id) : '') },
        { key: 'accounts.status', id: 'status', value: (s) => h('span', { i18n: s.must_change_password ? 'accounts.must_change' : 'accounts.active' }) },
      ], r.data.staff, { cls: 'c-accounts' }));
    };
    await load();
    const err = errorRegion();
    const msg = h('div');
    const username = input({ name: 'username', required: true, minlength: '3', maxlength: '64', autocomplete: 'off' });
    const role = h('select', { class: 'c-input', name: 'role' },
      ROLES.map((r) => h('option', { value: r, i18n: 'role.' + r })));
    const school = h('select', { class: 'c-input', name: 'school_id' },
      state.schools.map((s) => h('option', { value: String(s.id), text: s.name })));
    const pw = input({ name: 'password', type: 'text', required: true, minlength: '10', autocomplete: 'off', spellcheck: 'false' });
    const schoolField = field('accounts.school', school);
    const sync = () => { schoolField.hidden = role.value !== 'school_admin'; };
    role.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('accounts.username', username), field('accounts.role', role), schoolField,
      field('accounts.password', pw, 'pw.rule'), submit('accounts.create_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const body = { username: username.value.trim(), role: role.value, password: pw.value };
      if (role.value === 'school_admin') body.school_id = Number(school.value);
      try {
        const r = await api.post('/api/v1/staff/accounts', body);
        mount(msg, notice('accounts.created', { username: r.data.staff.username }));
        username.value = ''; pw.value = '';
        await load();
      } catch (e) { showError(err, e); }
    });
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'accounts.title' }),
      h('section', { class: 'c-panel' }, box),
      panel('accounts.create', form, err, msg));
  },
});

// ---- start --------------------------------------------------------------------------------------------------

async function start() {
  labelLangButton();
  try {
    state.staff = (await api.get('/api/v1/staff/me')).data.staff;
  } catch { state.staff = null; }
  window.addEventListener('hashchange', render);
  render();
}

start();
