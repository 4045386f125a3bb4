// What every console page shares: the signed-in staff member and the role
// tests, the router (hash routes, one view table, the header's links by
// role), the building blocks of a page (fields, buttons, tables, panels,
// breadcrumbs) and the screen-reader status line.  console.js (the entry:
// sign-in, password change, start) and the page modules (school, review,
// admin, orders) import it; it imports no page module.
//
// Roles (server: the api route table): platform_admin sees every school and
// the accounts; school_admin sees only its own school (the server enforces
// it, the console just does not offer the rest); reviewers (and platform
// admins) review photos.

import { t, KNOWN_STATES } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError, newId } from '/common/dom.js';

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

export function parseHash() {
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

export async function render() {
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


// The current view's title key (for the document title after a language switch).
export function currentTitle() {
  const view = views[parseHash().name];
  return view ? view.title : null;
}

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


// The status line screen readers announce (index.html #status).
export function announce(text) { document.getElementById('status').textContent = text; }
