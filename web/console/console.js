// The staff console: sign-in, the forced first password change, schools,
// batches (特征码 and QR poster), roster import with a dry-run preview, the
// student list, and staff accounts.  Hash routing like the student app;
// every view is a function returning a node, registered with route().
//
// This file is the entry: the header's sign-out and language buttons, the
// sign-in and password views, and the start.  The router, the role tests
// and the building blocks are in core.js, which the page modules import;
// the pages are imported here (never the other way), and register their
// routes and header links when they load.

import { t, getLang, setLang, onLangChange, localError } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, relabel } from '/common/dom.js';
import { state, route, go, home, render, currentTitle, field, input, submit, announce } from './core.js';
import './console-text.js';
import './school.js';
import './export.js';
import './review.js';
import './admin.js';
import './orders.js';

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
  const title = currentTitle();
  if (title) document.title = `${t(title)} · ${t('console.name')}`;
});

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

// The 'welcome' route (the reviewers' start page) is in review.js.

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
