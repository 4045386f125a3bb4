// What every page of the student app shares: the state, the router (hash
// routes, one view table), the busy indicator, the toast, hooks a view uses
// to clean up after itself (a camera stream, a timer) when the student moves
// on, the journey as the server last told it, the bottom tab bar with the
// unread badge, and the live updates.  app.js (entry, information check,
// home), journey.js (the steps after sign-in) and money.js register their
// views here.  This module imports no page module: pages import it.

import { t, getLang, onLangChange } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount } from '/common/dom.js';
import { icon } from './figures.js';

export const state = {
  me: null,        // GET /api/v1/me once signed in
  pending: null,   // the entry answer awaiting the information check
  batchCode: '',   // ?batch= from the batch QR poster
  journey: null,   // GET /api/v1/me/journey, refreshed after every action
};

// ---- busy indicator and toast ---------------------------------------------------------

export async function withBusy(key, fn) {
  const busyEl = document.getElementById('busy');
  document.getElementById('busy-text').textContent = t(key);
  busyEl.hidden = false;
  try { return await fn(); } finally { busyEl.hidden = true; }
}

let toastTimer = 0;
export function toast(key) {
  const toastEl = document.getElementById('toast');
  document.getElementById('toast-text').textContent = t(key);
  toastEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toastEl.hidden = true; }, 1800);
}

// ---- router -------------------------------------------------------------------------

// need: 'guest' (signed-out only), 'student' (signed in), 'pending' (an
// entry answer to confirm), or nothing.  tab: which bottom tab is lit.
const views = {};
export function route(name, def) { views[name] = def; }

export function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { name: parts[0] || '', args: parts.slice(1) };
}

export function go(path, replace = false) {
  const hash = '#/' + path;
  if (replace) {
    history.replaceState(null, '', location.pathname + location.search + hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

// Cleanups (stop the camera, clear timers) run when the next view is shown.
let renderSeq = 0;
const leaving = [];
export function onLeave(fn) { leaving.push({ seq: renderSeq, fn }); }
function runLeaving(before) {
  for (let i = leaving.length - 1; i >= 0; i--) {
    if (leaving[i].seq < before) {
      const { fn } = leaving.splice(i, 1)[0];
      try { fn(); } catch { /* a cleanup never blocks the next page */ }
    }
  }
}

let firstRender = true;

// quiet: a refresh of the same page (a live update), without moving the
// scroll position or the screen reader's focus.
export async function render({ quiet = false } = {}) {
  const app = document.getElementById('app');
  const seq = ++renderSeq;
  const { name, args } = parseHash();
  const view = views[name];
  if (!view) return go(state.me ? 'home' : (state.batchCode ? 'entry/code' : 'entry'), true);
  if (view.need === 'student' && !state.me) return go('entry', true);
  if (view.need === 'guest' && state.me) return go('home', true);
  if (view.need === 'pending' && !state.pending) return go('entry', true);
  if (!quiet) app.setAttribute('aria-busy', 'true');
  let node;
  try {
    node = await view.render(...args);
  } catch (e) {
    if (e && e.status === 401) { state.me = null; if (seq === renderSeq) go('entry', true); return; }
    throw e;
  }
  if (seq !== renderSeq) { runLeaving(renderSeq); return; } // a newer navigation won
  if (!node) return; // the view navigated elsewhere itself
  runLeaving(seq);
  const y = window.scrollY;
  app.dataset.view = name;
  mount(app, node);
  setTitle(typeof view.title === 'function' ? view.title(...args) : view.title);
  tabbarFor(view.tab || null);
  app.setAttribute('aria-busy', 'false');
  if (quiet) { window.scrollTo(0, y); return; }
  window.scrollTo(0, 0);
  // Move focus to the page title so screen readers announce the new step
  // (not on first load: the browser's own focus handling is right there).
  if (!firstRender) document.getElementById('page-title').focus();
  firstRender = false;
}

export function currentView() { return parseHash().name; }
export function isLive(name) { return views[name] && views[name].live; }

function setTitle(key) {
  const title = document.getElementById('page-title');
  title.dataset.i18n = key;
  title.textContent = t(key);
  document.title = `${t(key)} · ${t('app.name')}`;
}

// Texts that come from the server in both languages (not data-i18n keys)
// follow the switch while their element is on screen.
export function onLangChangeWhileMounted(el, fn) {
  const off = onLangChange(() => { if (!el.isConnected) off(); else fn(); });
}

// An element showing a server text {zh, en} in the chosen language.
export function bilingual(el, text) {
  const set = () => { el.textContent = text ? (text[getLang()] || text.zh || text.en || '') : ''; };
  set();
  onLangChangeWhileMounted(el, set);
  return el;
}

export async function loadMe() {
  try {
    state.me = (await api.get('/api/v1/me')).data;
  } catch (e) {
    if (e.status !== 401) throw e;
    state.me = null;
  }
  return state.me;
}

// Sections other areas add to 我的, after the records: async (journey) => Node|null.
export const mineSections = [];
// Set by app.js: signing out (我的 has the button too).
export const hooks = { logout: null };

// ---- the journey as the server last told it --------------------------------------------------

const STEP_ROUTE = {
  consent: 'consent', notice: 'notice', tips: 'tips', notify: 'notify', pay_first: 'pay', shoot: 'shoot', confirm: 'drafts',
  pay: 'pay', waiting: 'status', approved: 'status', rejected: 'status', final: 'result',
};

export async function loadJourney() {
  const j = (await api.get('/api/v1/me/journey')).data;
  state.journey = j;
  setBadge(j && j.unread);
  return j;
}

// For pages that work without the journey (home): null when the server
// has no journey for this record (or is older than the journey API).
export async function loadJourneyQuietly() {
  try { return await loadJourney(); } catch (e) {
    if (e.status === 401) throw e;
    state.journey = null;
    return null;
  }
}

export function stepRoute(j) { return STEP_ROUTE[j && j.step] || 'home'; }

// After every action: ask the server what comes next and go there.
export async function afterAction(replace = false) {
  const j = await loadJourney();
  go(stepRoute(j), replace);
}

// ---- bottom tab bar and unread badge ------------------------------------------------------------

let tabbar = null;
let badgeEl = null;
let badgeSr = null; // "（2 条未读）" after the tab's label, for screen readers
export function buildTabbar() {
  badgeEl = h('span', { class: 'weui-badge tc-badge', hidden: true, 'aria-hidden': 'true' });
  badgeSr = h('span', { class: 'tc-sr' });
  const item = (key, href, tab, extra) => h('a', { href, class: 'weui-tabbar__item tc-tab', dataset: { tab } },
    h('span', { class: `tc-tab__icon tc-tab__icon_${tab}`, 'aria-hidden': 'true' }, icon(tab)), extra || null,
    h('span', { class: 'weui-tabbar__label', i18n: key }), tab === 'messages' ? badgeSr : null);
  tabbar = h('nav', { class: 'weui-tabbar tc-tabbar', i18nAttr: { 'aria-label': 'tab.label' }, hidden: true },
    item('tab.home', '#/home', 'home'),
    item('tab.messages', '#/messages', 'messages', badgeEl),
    item('tab.mine', '#/mine', 'mine'));
  document.body.append(tabbar);
}

export function setBadge(n) {
  if (!badgeEl) return;
  n = Number(n) || 0;
  badgeEl.hidden = n <= 0;
  badgeEl.textContent = n > 99 ? '99+' : String(n);
  badgeEl.dataset.n = String(n);
  badgeSr.textContent = n > 0 ? `（${t('tab.unread', { n })}）` : '';
}

function tabbarFor(tab) {
  if (!tabbar) return;
  tabbar.hidden = !state.me || !tab;
  document.body.classList.toggle('tc-has-tabbar', !tabbar.hidden);
  for (const a of tabbar.querySelectorAll('.tc-tab')) {
    const on = a.dataset.tab === tab;
    a.classList.toggle('weui-bar__item_on', on);
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

// ---- live updates (Server-Sent Events) ----------------------------------------------------

let es = null;
let refreshTimer = 0;
export function startEvents() {
  if (es || typeof EventSource === 'undefined') return;
  es = new EventSource('/api/v1/me/events');
  for (const type of ['photo', 'submission', 'payment', 'message']) {
    es.addEventListener(type, (ev) => {
      let data = null;
      try { data = JSON.parse(ev.data); } catch { /* no body */ }
      window.dispatchEvent(new CustomEvent('tc:event', { detail: { type, data } }));
      if (type === 'message') loadJourneyQuietly().catch(() => {});
      // The current page shows what the server says now, without jumping.
      if (isLive(currentView())) {
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => render({ quiet: true }), 150);
      }
    });
  }
  es.onerror = () => {
    // The browser reconnects by itself; a closed stream (signed out) stops here.
    if (es && es.readyState === EventSource.CLOSED) { es = null; }
  };
}
export function stopEvents() {
  if (es) es.close();
  es = null;
  setBadge(0);
}
