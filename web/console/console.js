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
  'batch.poster_tip': '学生扫描此二维码，或在首页输入特征码、身份证后4位，并上传采集码或填写姓名即可进入采集（名单中没有采集码的学生进入后绑定）。',
  'batch.link': '入口链接',
  'batch.download_qr': '下载二维码',
  'batch.roster': '导入花名册',
  'batch.roster_tip': 'CSV 或 XLSX。表头必填：姓名、学号、身份证号；选填：采集码、层次、专业、院系、班级、手机号。没有采集码的学生用特征码、姓名和身份证后4位进入，再自行绑定采集码。同一学号再次导入会更新信息，采集码留空时保留原来的。',
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
  'batch.poster_tip': 'Students scan this QR code, or enter the batch code and the last 4 ID characters with their collection code or their name on the home page (students the roster has no code for bind it after entering).',
  'batch.link': 'Entry link',
  'batch.download_qr': 'Download the QR code',
  'batch.roster': 'Import the roster',
  'batch.roster_tip': 'CSV or XLSX. Required columns: 姓名 (name), 学号 (student no.), 身份证号 (ID number); optional: 采集码 (collection code), 层次, 专业, 院系, 班级, 手机号. Students without a code enter with the batch code, their name and the last 4 ID characters, then bind their code. Importing a student number again updates it; an empty collection code keeps the stored one.',
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
});

// ---- state -----------------------------------------------------------------------------

export const state = {
  staff: null,      // GET /api/v1/staff/me
  schools: null,    // cached GET /api/v1/schools (names for breadcrumbs and accounts)
};

export const isPlatform = () => state.staff && state.staff.role === 'platform_admin';
export const isReviewer = () => state.staff && ['platform_admin', 'reviewer'].includes(state.staff.role);
export const isSchoolStaff = () => state.staff && ['platform_admin', 'school_admin'].includes(state.staff.role);

// ---- router ------------------------------------------------------------------------------

// need: 'guest' | 'password' (signed in, change pending) | 'school_staff' |
// 'platform' | 'reviewer' | 'staff'
const views = {};
export function route(name, def) { views[name] = def; }

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { name: parts[0] || '', args: parts.slice(1).map(decodeURIComponent) };
}

export function go(path, replace = false) {
  const hash = '#/' + path;
  if (replace) {
    history.replaceState(null, '', location.pathname + location.search + hash);
    render();
  } else if (location.hash === hash) render();
  else location.hash = hash;
}

export function home() {
  if (!state.staff) return 'login';
  if (state.staff.must_change_password) return 'password';
  return isSchoolStaff() ? 'schools' : 'welcome';
}

export const app = document.getElementById('app');
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

// The header's links, in order, each shown when visible() holds; page
// modules add theirs with navItem().
const navItems = [];
export function navItem(path, key, views, visible, order = 50) {
  navItems.push({ path, key, views, visible, order });
  navItems.sort((a, b) => a.order - b.order);
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
  const items = ready ? navItems.filter((n) => n.visible()).map((n) => [n.path, n.key, n.views]) : [];
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

export function field(labelKey, input, tipKey) {
  const id = input.id || (input.id = newId('f'));
  const tipId = tipKey ? newId('tip') : null;
  if (tipId) input.setAttribute('aria-describedby', tipId);
  return h('div', { class: 'c-field' },
    h('label', { for: id, class: 'c-field__label', i18n: labelKey }),
    input,
    tipKey ? h('p', { class: 'c-field__tip', id: tipId, i18n: tipKey }) : null);
}

export const input = (attrs) => h('input', { class: 'c-input', ...attrs });

export function button(key, attrs = {}) {
  return h('button', { type: 'button', class: 'c-btn c-btn_default', i18n: key, ...attrs });
}
export function submit(key, attrs = {}) {
  return h('button', { type: 'submit', class: 'c-btn c-btn_primary', i18n: key, ...attrs });
}

// Tables: columns [{key (i18n), value(row) -> text|Node, cls}]; wrapped so
// wide tables scroll sideways on a phone instead of breaking the layout.
export function table(columns, rows, { caption, empty, cls = '' } = {}) {
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

export function notice(key, vars, kind = 'ok') {
  return h('p', { class: 'c-notice c-notice_' + kind, role: 'status', i18n: key, i18nVars: vars });
}

export function stateLabel(s) {
  return KNOWN_STATES.includes(s) ? h('span', { class: 'c-state c-state_' + s, i18n: 'state.' + s }) : h('span', { text: s });
}

export function panel(titleKey, ...children) {
  const id = newId('panel');
  return h('section', { class: 'c-panel', 'aria-labelledby': id },
    h('h2', { class: 'c-panel__title', id, i18n: titleKey }), children);
}

export async function schools(force = false) {
  if (!state.schools || force) state.schools = (await api.get('/api/v1/schools')).data.schools;
  return state.schools;
}
export const schoolName = (id) => ((state.schools || []).find((s) => s.id === id) || {}).name || `#${id}`;

export function crumbs(items) {
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

export function announce(text) { document.getElementById('status').textContent = text; }

// The 'welcome' route (the reviewers' start page) is in review.js.

// ---- start --------------------------------------------------------------------------------------------------

// Page modules register their routes and header links when imported; they
// import this module's helpers, so they are loaded after it has run.
const PAGES = ['./school.js', './review.js', './admin.js', './orders.js'];

async function start() {
  labelLangButton();
  await Promise.all(PAGES.map((p) => import(p)));
  try {
    state.staff = (await api.get('/api/v1/staff/me')).data.staff;
  } catch { state.staff = null; }
  window.addEventListener('hashchange', render);
  render();
}

start();
