// The student app: one page, hash routing (#/entry, #/confirm, #/home …) so
// a step never reloads the page (in-app browsers keep the back button and
// the chosen file), and a table of views so later steps (notice, shooting,
// drafts, payment) are one route() call each.
//
// Flow (seeds 000/002/003/004): entry by the 采集码 QR alone, or by the
// batch 特征码 + last 4 ID characters + the 采集码 -> information check with
// the phone number -> home with the education records; 添加学历 runs the
// entry again while signed in and the server answers step "added".  A roster
// without codes (issue 19): 特征码 + last 4 + the name, then the 采集码 is bound
// (#/chsi) right after the information check, or at the latest at 确认上传.

import { t, getLang, setLang, onLangChange, localError, KNOWN_STATES } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, relabel, newId } from '/common/dom.js';
import {
  state, withBusy, toast, route, go, render, loadMe, onLangChangeWhileMounted, loadJourneyQuietly, startEvents, stopEvents, hooks,
} from './core.js';
import { installJourney } from './journey.js';
import { homeJourneyCard } from './journey-mine.js';
import { installMoney } from './money.js';
import { currentFirst, currentMark, homeSwitch } from './records.js';
import './app-text.js';

// The information check survives a reload (the entry session lasts 30
// minutes on the server); sessionStorage is per tab and cleared on close.
const PENDING_KEY = 'tc_pending';
function savePending(p) {
  state.pending = p;
  try {
    if (p) sessionStorage.setItem(PENDING_KEY, JSON.stringify(p)); else sessionStorage.removeItem(PENDING_KEY);
  } catch { /* storage unavailable: the in-memory copy still works */ }
}
function loadPending() {
  try { return JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null'); } catch { return null; }
}

// ---- language switch ---------------------------------------------------------------------

const langBtn = document.getElementById('lang-switch');
function labelLangButton() {
  langBtn.textContent = t('common.lang_switch');
  langBtn.setAttribute('aria-label', t('common.lang_switch_label'));
  langBtn.lang = getLang() === 'zh' ? 'en' : 'zh-CN';
}
langBtn.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
onLangChange(() => {
  labelLangButton();
  relabel(document.body); // in place: typed values and chosen files stay
  const title = document.getElementById('page-title');
  document.title = `${title.textContent} · ${t('app.name')}`;
});

// ---- shared pieces --------------------------------------------------------------------------

function cell(labelKey, control, forId) {
  return h('div', { class: 'weui-cell weui-cell_active' },
    h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: forId, i18n: labelKey })),
    h('div', { class: 'weui-cell__bd' }, control));
}

function helpBlock() {
  return h('details', { class: 'tc-help' },
    h('summary', { class: 'tc-help__link', i18n: 'entry.help_link' }),
    h('div', { class: 'tc-help__body' },
      ['entry.help_1', 'entry.help_2', 'entry.help_3'].map((k) => h('p', { i18n: k })),
      h('p', { class: 'tc-help__note', i18n: 'entry.help_4' })));
}

// A file picker shown as a button: the input stays in the page (visually
// hidden, still focusable and labelled) so keyboards, screen readers and
// test drivers all reach it.  No `capture` attribute: the 采集码 is usually
// a screenshot in the album, and capture would force the camera.
function filePicker({ id, labelKey, className, onChange, describedBy }) {
  const input = h('input', {
    type: 'file', accept: 'image/*', id, name: 'qr', class: 'tc-file-input', 'aria-describedby': describedBy,
  });
  const label = h('label', { for: id, class: className }, h('span', { i18n: labelKey }));
  input.addEventListener('change', () => onChange(input));
  return { input, label };
}

async function afterEntry(data, from) {
  if (data.step === 'added') {
    await loadMe();
    toast('home.added');
    go('home');
    return;
  }
  // step "confirm": the information check comes next
  savePending({ student: data.student, warning_zh: data.warning_zh, warning_en: data.warning_en, from });
  go('confirm');
}

// ---- views: entry (a) and (b), and 添加学历 -----------------------------------------------

function entryView(tab, adding) {
  const base = adding ? 'add' : 'entry';
  const err = errorRegion();
  const tabs = h('nav', { class: 'tc-tabs', 'aria-label': t('entry.tabs'), i18nAttr: { 'aria-label': 'entry.tabs' } },
    [['qr', 'entry.tab_qr'], ['code', 'entry.tab_code']].map(([k, key]) => h('a', {
      href: `#/${base}/${k}`, class: 'tc-tabs__item' + (tab === k ? ' is-current' : ''),
      'aria-current': tab === k ? 'page' : null, i18n: key,
    })));
  // The error sits where the eye is: under the QR button, or between the
  // form fields and its submit button.
  const pane = tab === 'qr' ? qrPane(err) : codePane(err);
  return h('div', { class: 'tc-page tc-entry' },
    h('div', { class: 'tc-hero' },
      h('div', { class: 'tc-hero__icon', 'aria-hidden': 'true' }),
      h('p', { class: 'tc-hero__lead', i18n: adding ? 'entry.add_lead' : 'entry.lead' })),
    tabs, pane, helpBlock(),
    adding ? h('div', { class: 'weui-btn-area' },
      h('a', { href: '#/home', class: 'weui-btn weui-btn_default', i18n: 'entry.back_home' })) : null);
}

// The last 4 as typed, with the full-width forms of Chinese keyboards
// turned into the ASCII the hint asks for (accepted rather than failed).
function normLast4(v) {
  return v.trim()
    .replace(/[（]/g, '(').replace(/[）]/g, ')')
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[ｘＸ]/g, 'X');
}

function last4Input(l4Id, tipId) {
  return h('input', {
    class: 'weui-input', id: l4Id, name: 'id_last4', maxlength: '8', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', required: true, 'aria-describedby': tipId, i18nAttr: { placeholder: 'entry.last4_ph' },
  });
}

// (a) the 采集码: choosing the picture sends it; once the server has
// recognised it, the last 4 of the ID number are asked (seed 003) and the
// same picture goes again with them.
function qrPane(err) {
  const tipId = newId('qr-tip'), l4Id = newId('l4'), l4Tip = newId('l4-tip');
  let file = null;
  const l4 = last4Input(l4Id, l4Tip);
  const step2 = h('form', { class: 'tc-form', novalidate: true, hidden: true },
    h('p', { class: 'weui-cells__tips tc-center tc-qr-found', role: 'status', i18n: 'entry.qr_found' }),
    h('div', { class: 'weui-cells weui-cells_form' }, cell('entry.last4', l4, l4Id)),
    h('p', { class: 'weui-cells__tips', id: l4Tip, i18n: 'entry.last4_tip' }),
    h('div', { class: 'weui-btn-area' },
      h('button', { type: 'submit', class: 'weui-btn weui-btn_primary', i18n: 'entry.submit' })));
  const send = async (last4) => {
    const fd = new FormData();
    fd.append('qr', file, file.name || 'qr.png');
    if (last4) fd.append('id_last4', last4);
    return withBusy(last4 ? 'entry.verifying' : 'entry.recognizing', () => api.postForm('/api/v1/entry/qr', fd));
  };
  const picker = filePicker({
    id: newId('qr'), labelKey: 'entry.qr_button', className: 'weui-btn weui-btn_primary tc-file-btn',
    describedBy: tipId,
    onChange: async (input) => {
      const chosen = input.files[0];
      if (!chosen) return;
      showError(err, null);
      file = chosen;
      try {
        const res = await send(null);
        if (res.data.step === 'last4') {
          step2.hidden = false;
          picker.label.className = 'weui-btn weui-btn_default tc-file-btn';
          picker.label.querySelector('span').dataset.i18n = 'entry.qr_again';
          picker.label.querySelector('span').textContent = t('entry.qr_again');
          l4.focus();
        } else await afterEntry(res.data, 'qr');
      } catch (e) {
        step2.hidden = true;
        picker.label.className = 'weui-btn weui-btn_primary tc-file-btn';
        showError(err, e);
      } finally {
        input.value = ''; // the same screenshot can be chosen again after an error
      }
    },
  });
  step2.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const last4 = normLast4(l4.value);
    if (!last4) { showError(err, localError('entry.last4_missing', 'entry.err_last4')); l4.focus(); return; }
    try {
      await afterEntry((await send(last4)).data, 'qr');
    } catch (e) {
      showError(err, e);
    }
  });
  return h('section', { class: 'tc-pane' },
    h('div', { class: 'tc-qr-box' }, picker.input, picker.label),
    h('p', { class: 'weui-cells__tips tc-center', id: tipId, i18n: 'entry.qr_tip' }),
    step2,
    err);
}

// (b) 特征码 + last 4 + 采集码 (seed 004's 集中采集).
function codePane(err) {
  const fcId = newId('fc'), l4Id = newId('l4'), l4Tip = newId('l4-tip'), qrId = newId('qr'), chosenId = newId('chosen');
  const fc = h('input', {
    class: 'weui-input tc-code', id: fcId, name: 'feature_code', maxlength: '6', autocomplete: 'off',
    autocapitalize: 'characters', spellcheck: 'false', required: true, value: state.batchCode.toUpperCase(),
    i18nAttr: { placeholder: 'entry.feature_code_ph' },
  });
  const l4 = last4Input(l4Id, l4Tip);
  const nameId = newId('name');
  const nm = h('input', {
    class: 'weui-input', id: nameId, name: 'name', maxlength: '40', autocomplete: 'name',
    i18nAttr: { placeholder: 'entry.name_ph' },
  });
  const chosen = h('span', { class: 'tc-chosen', id: chosenId, i18n: 'entry.code_none' });
  const thumb = h('img', { class: 'tc-thumb', alt: '', hidden: true });
  let file = null;
  const picker = filePicker({
    id: qrId, labelKey: 'entry.code_choose', className: 'weui-btn weui-btn_default weui-btn_mini tc-file-btn-mini',
    describedBy: chosenId,
    onChange: (input) => {
      file = input.files[0] || null;
      if (thumb.src) URL.revokeObjectURL(thumb.src);
      if (file) {
        thumb.src = URL.createObjectURL(file);
        thumb.hidden = false;
        chosen.dataset.i18n = 'entry.code_chosen';
        chosen.dataset.i18nVars = JSON.stringify({ name: file.name });
        chosen.textContent = t('entry.code_chosen', { name: file.name });
      }
    },
  });
  const form = h('form', { class: 'tc-form', novalidate: true },
    h('div', { class: 'weui-cells weui-cells_form' },
      cell('entry.feature_code', fc, fcId),
      cell('entry.name', nm, nameId),
      cell('entry.last4', l4, l4Id),
      h('div', { class: 'weui-cell tc-cell-file' },
        h('div', { class: 'weui-cell__hd' }, h('span', { class: 'weui-label', id: qrId + '-l', i18n: 'entry.code_image' })),
        h('div', { class: 'weui-cell__bd tc-file-row' }, picker.input, picker.label, chosen),
        h('div', { class: 'weui-cell__ft' }, thumb))),
    h('p', { class: 'weui-cells__tips', id: l4Tip, i18n: 'entry.last4_tip' }),
    h('p', { class: 'weui-cells__tips tc-code-optional', i18n: 'entry.code_optional' }),
    err,
    h('div', { class: 'weui-btn-area' },
      h('button', { type: 'submit', class: 'weui-btn weui-btn_primary', i18n: 'entry.submit' })));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const code = fc.value.trim();
    // Full-width brackets and digits come from Chinese keyboards even though
    // the hint asks for the English one: accept them rather than fail.
    const last4 = normLast4(l4.value);
    if (!/^[A-Za-z0-9]{6}$/.test(code)) { showError(err, localError('entry.bad_feature_code', 'entry.err_feature_code')); fc.focus(); return; }
    if (!last4) { showError(err, localError('entry.last4_missing', 'entry.err_last4')); l4.focus(); return; }
    // the 采集码 picture, or (a roster without codes) the name: the code is bound after entry
    const name = nm.value.trim();
    if (!file && !name) { showError(err, localError('entry.code_missing', 'entry.err_name_or_code')); nm.focus(); return; }
    const fd = new FormData();
    fd.append('feature_code', code);
    fd.append('id_last4', last4);
    if (file) fd.append('qr', file, file.name || 'qr.png'); else fd.append('name', name);
    try {
      const res = await withBusy('entry.verifying', () => api.postForm('/api/v1/entry/code', fd));
      await afterEntry(res.data, 'code');
    } catch (e) {
      showError(err, e);
    }
  });
  return h('section', { class: 'tc-pane' }, form);
}

route('entry', { title: 'nav.entry', need: 'guest', render: (tab) => entryView(tab === 'code' ? 'code' : 'qr', false) });
route('add', { title: 'nav.add', need: 'student', render: (tab) => entryView(tab === 'qr' ? 'qr' : 'code', true) });

// ---- view: information check (信息核对) --------------------------------------------------

function confirmView() {
  const p = state.pending;
  const st = p.student;
  const err = errorRegion();
  const rows = [
    ['confirm.name', st.name || st.name_masked, 'name'],
    ['confirm.student_no', st.student_no, 'student_no'],
    ['confirm.school', st.school, 'school'],
    ['confirm.batch', st.batch, 'batch'],
    ['confirm.level', st.level, 'level'],
    ['confirm.programme', st.programme, 'programme'],
  ].filter(([, v]) => v);
  const phoneId = newId('phone');
  const phone = h('input', {
    class: 'weui-input', id: phoneId, name: 'phone', type: 'tel', inputmode: 'numeric', maxlength: '11',
    autocomplete: 'tel-national', required: true, value: st.phone || '', i18nAttr: { placeholder: 'confirm.phone_ph' },
  });
  const warning = h('p', { class: 'tc-warning', role: 'note' });
  const setWarning = () => { warning.textContent = getLang() === 'en' ? p.warning_en : p.warning_zh; };
  setWarning();
  onLangChangeWhileMounted(warning, setWarning);

  const form = h('form', { class: 'tc-form', novalidate: true },
    h('div', { class: 'weui-cells__title', i18n: 'confirm.lead' }),
    h('dl', { class: 'weui-cells tc-facts' },
      rows.map(([key, value, field]) => h('div', { class: 'weui-cell', dataset: { field } },
        h('dt', { class: 'weui-cell__hd weui-label', i18n: key }),
        h('dd', { class: 'weui-cell__bd', text: value })))),
    h('div', { class: 'weui-cells weui-cells_form' }, cell('confirm.phone', phone, phoneId)),
    warning,
    err,
    h('div', { class: 'tc-btn-row' },
      h('button', { type: 'button', class: 'weui-btn weui-btn_default', i18n: 'confirm.back', onclick: () => { savePending(null); go('entry/' + (p.from || 'qr')); } }),
      h('button', { type: 'submit', class: 'weui-btn weui-btn_primary', i18n: 'confirm.enter' })));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const value = phone.value.replace(/\s+/g, '');
    if (!/^1\d{10}$/.test(value)) { showError(err, localError('phone.invalid', 'confirm.err_phone')); phone.focus(); return; }
    try {
      const res = await withBusy('confirm.saving', () => api.post('/api/v1/entry/confirm', { phone: value }));
      savePending(null);
      await loadMe();
      startEvents();
      toast('home.welcome');
      // a record without its 采集码 binds it now (it may be put off until 确认上传)
      go(res.data.student && res.data.student.chsi_bound === false ? 'chsi' : 'home');
    } catch (e) {
      showError(err, e);
    }
  });
  return h('div', { class: 'tc-page tc-confirm' }, form);
}

route('confirm', { title: 'nav.confirm', need: 'pending', render: confirmView });

// ---- view: bind the 采集码 (issue 19) ------------------------------------------------------
// A roster without codes: the student entered by name and binds the code to
// the current record, by picture (the same decoding as entry) or typed.
// next: the route to go to afterwards ("submit/ID" when 确认上传 asked).

function chsiView(...next) {
  const back = next.length ? next.join('/') : 'home';
  const err = errorRegion();
  const tipId = newId('chsi-tip'), codeId = newId('chsi-code');
  const done = async (res) => {
    await loadMe();
    toast('chsi.bound');
    go(back);
    return res;
  };
  const send = async (fd) => {
    showError(err, null);
    try {
      await done(await withBusy('chsi.binding', () => api.postForm('/api/v1/me/chsi', fd)));
    } catch (e) { showError(err, e); }
  };
  const picker = filePicker({
    id: newId('chsi-qr'), labelKey: 'chsi.scan', className: 'weui-btn weui-btn_primary tc-file-btn', describedBy: tipId,
    onChange: async (input) => {
      const f = input.files[0];
      if (!f) return;
      const fd = new FormData();
      fd.append('qr', f, f.name || 'qr.png');
      await send(fd);
      input.value = '';
    },
  });
  const text = h('input', {
    class: 'weui-input', id: codeId, name: 'chsi_code', maxlength: '256', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', i18nAttr: { placeholder: 'chsi.code_ph' },
  });
  const form = h('form', { class: 'tc-form tc-chsi-text', novalidate: true },
    h('div', { class: 'weui-cells__title', i18n: 'chsi.or_type' }),
    h('div', { class: 'weui-cells weui-cells_form' }, cell('chsi.code', text, codeId)),
    h('div', { class: 'weui-btn-area' },
      h('button', { type: 'submit', class: 'weui-btn weui-btn_default', i18n: 'chsi.bind' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) { showError(err, localError('entry.code_missing', 'chsi.err_text')); text.focus(); return; }
    const fd = new FormData();
    fd.append('chsi_code', text.value.trim());
    await send(fd);
  });
  return h('div', { class: 'tc-page tc-chsi' },
    h('div', { class: 'tc-hero' },
      h('div', { class: 'tc-hero__icon', 'aria-hidden': 'true' }),
      h('p', { class: 'tc-hero__lead', i18n: back.startsWith('submit') ? 'chsi.before_submit' : 'chsi.lead' })),
    h('section', { class: 'tc-pane' },
      h('div', { class: 'tc-qr-box' }, picker.input, picker.label),
      h('p', { class: 'weui-cells__tips tc-center', id: tipId, i18n: 'entry.qr_tip' })),
    err,
    form,
    h('p', { class: 'weui-cells__tips tc-chsi-once', i18n: 'chsi.once' }),
    helpBlock(),
    h('div', { class: 'weui-btn-area' },
      h('a', { href: '#/' + (back.startsWith('submit') ? back : 'home'), class: 'weui-btn weui-btn_default tc-chsi-later', i18n: 'chsi.later' })));
}

route('chsi', { title: 'chsi.title', need: 'student', render: chsiView });

// ---- view: home (我的学历) -----------------------------------------------------------------

function stateBadge(s) {
  const known = KNOWN_STATES.includes(s);
  return h('span', { class: `tc-state tc-state_${known ? s : 'other'}`, dataset: { state: s }, i18n: known ? 'state.' + s : null, text: known ? null : s });
}

// What a record offers next: the current record carries the journey's
// next step (journey-mine.js), the others only their facts.
const recordActions = [
  (r) => (state.me && r.id === state.me.current_record && r.chsi_bound === false ? h('div', { class: 'tc-chsi-missing', role: 'note' },
    h('p', { i18n: 'home.chsi_missing' }),
    h('a', { href: '#/chsi', class: 'weui-btn weui-btn_mini weui-btn_primary tc-chsi-bind', i18n: 'home.chsi_bind' })) : null),
  (r) => (state.me && r.id === state.me.current_record ? homeJourneyCard() : null),
];
// several 学历: the others can be switched to from here too (records.js)
recordActions.push(homeSwitch);

function recordCard(r) {
  const titleId = newId('rec');
  const line = (key, value) => (value ? h('div', { class: 'tc-record__row' },
    h('dt', { i18n: key }), h('dd', { text: value })) : null);
  return h('article', { class: 'tc-record', 'aria-labelledby': titleId, dataset: { id: String(r.id) } },
    h('div', { class: 'tc-record__hd' },
      h('h3', { class: 'tc-record__name', id: titleId, text: r.name_masked }, currentMark(r)),
      stateBadge(r.state)),
    h('dl', { class: 'tc-record__bd' },
      line('home.student_no', r.student_no),
      line('home.school', r.school),
      line('home.level', r.level),
      line('home.batch', r.batch)),
    recordActions.map((fn) => fn(r)).filter(Boolean));
}

async function homeView() {
  const err = errorRegion();
  try {
    await loadMe();
    if (state.me) await loadJourneyQuietly();
  } catch (e) {
    showError(err, e);
  }
  if (!state.me && !err._err) {
    go('entry', true);
    return h('div');
  }
  const records = state.me ? state.me.records : [];
  const list = records.length
    ? h('div', { class: 'tc-records' }, currentFirst(records).map(recordCard))
    : h('p', { class: 'tc-empty', i18n: 'home.empty' });
  return h('div', { class: 'tc-page tc-home' },
    h('h2', { class: 'weui-cells__title tc-h2', i18n: 'home.records' }),
    err,
    list,
    h('div', { class: 'weui-btn-area' },
      h('a', { href: '#/add/code', class: 'weui-btn ' + (state.journey ? 'weui-btn_default' : 'weui-btn_primary') + ' tc-add', i18n: 'home.add' }),
      h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-logout', i18n: 'home.logout', onclick: logout })));
}

async function logout() {
  try { await api.post('/api/v1/logout'); } catch { /* signed out locally anyway */ }
  state.me = null;
  state.journey = null;
  stopEvents();
  savePending(null);
  go('entry');
}

hooks.logout = logout;

route('home', { title: 'nav.home', need: 'student', tab: 'home', live: true, render: homeView });

// ---- start ------------------------------------------------------------------------------------

async function start() {
  labelLangButton();
  const params = new URLSearchParams(location.search);
  const batch = (params.get('batch') || '').trim();
  if (/^[A-Za-z0-9]{6}$/.test(batch)) state.batchCode = batch;
  state.pending = loadPending();
  try { await loadMe(); } catch { /* offline: the entry page shows errors on use */ }
  installJourney();
  installMoney();
  if (state.me) startEvents();
  window.addEventListener('hashchange', () => render());
  // A signed-in student scanning a batch poster wants to add that record.
  if (state.batchCode && !location.hash) return go(state.me ? 'add/code' : 'entry/code', true);
  render();
}

start();
