// What every page of the student app shares: the state, the router (hash
// routes, one view table), the busy indicator, the toast, and hooks a view
// uses to clean up after itself (a camera stream, a timer) when the student
// moves on.  app.js (entry, information check, home) and journey.js (the
// steps after sign-in) both register their views here.

import { t, getLang, onLangChange } from '/common/i18n.js';
import { api } from '/common/api.js';
import { mount } from '/common/dom.js';

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
let tabbarHook = () => {};
export function setTabbarHook(fn) { tabbarHook = fn; }

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
  tabbarHook(view.tab || null);
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
