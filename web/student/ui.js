// The student pages' building blocks: a page, buttons, a notice box, a
// confirmation dialog, a proof picture, 我的's cells, the school's contact,
// times written the seeds' way with a live countdown, and the e-mail box of
// the result and order pages.  Used by the journey's view files and money.js;
// imports only core.js and the common modules.

import { localError } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, newId } from '/common/dom.js';
import { withBusy, toast, onLeave, bilingual, onLangChangeWhileMounted } from './core.js';

// ---- times -------------------------------------------------------------------------------

const p2 = (n) => String(n).padStart(2, '0');
function chinaDate(sec) { return new Date(sec * 1000 + 8 * 3600 * 1000); }

// Seed 000 §13 writes the time as "XX 年 XX 月 XX 日 XX:XX:XX" (China time).
export function seedTime(sec) {
  const d = chinaDate(sec);
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const ymd = [d.getUTCFullYear(), p2(d.getUTCMonth() + 1), p2(d.getUTCDate())];
  return { zh: `${ymd[0]} 年 ${ymd[1]} 月 ${ymd[2]} 日 ${hms}`, en: `${ymd.join('-')} ${hms} (China time)` };
}

export function fmtLeft(sec) {
  sec = Math.max(0, Math.ceil(sec));
  const hh = Math.floor(sec / 3600), mm = Math.floor((sec % 3600) / 60), ss = sec % 60;
  return hh ? `${hh}:${p2(mm)}:${p2(ss)}` : `${p2(mm)}:${p2(ss)}`;
}

export const nowSec = () => Date.now() / 1000;

// Both languages of a local text, so bilingual() follows the switch; vars
// may depend on the language (a time written differently in each).
export function both(key, vars) {
  const v = (l) => (typeof vars === 'function' ? vars(l) : vars);
  return { zh: localError('', key, v('zh')).zh, en: localError('', key, v('en')).en };
}

// A live countdown: calls tick(secondsLeft) every second, then done();
// a language switch relabels at once while el is on screen.
export function countdown(until, tick, done, el) {
  let timer = 0, over = false;
  const step = () => {
    if (over) return;
    const left = until - nowSec();
    if (left <= 0) { over = true; clearInterval(timer); tick(0); done(); return; }
    tick(left);
  };
  timer = setInterval(step, 1000);
  onLeave(() => clearInterval(timer));
  if (el) onLangChangeWhileMounted(el, step);
  step();
  return () => clearInterval(timer);
}

// ---- pieces of a page ---------------------------------------------------------------------

export function page(cls, ...children) { return h('div', { class: 'tc-page ' + cls }, ...children); }
export function lead(key, vars) { return h('p', { class: 'tc-lead', i18n: key, i18nVars: vars }); }
export function btn(key, { primary = false, warn = false, onclick, disabled, cls = '', attrs = {} } = {}) {
  return h('button', {
    type: 'button', class: `weui-btn ${primary ? 'weui-btn_primary' : warn ? 'weui-btn_warn' : 'weui-btn_default'} ${cls}`,
    i18n: key, onclick, disabled, ...attrs,
  });
}
export function linkBtn(key, href, primary = false, vars) {
  return h('a', { href, class: `weui-btn ${primary ? 'weui-btn_primary' : 'weui-btn_default'}`, i18n: key, i18nVars: vars });
}
export function btnArea(...children) { return h('div', { class: 'weui-btn-area tc-btns' }, ...children); }

// A box with a refusal or lock text (role=status so it is read out).
export function noticeBox(text, kind = 'warn') {
  const p = h('p', { class: 'tc-box__text' });
  bilingual(p, text);
  return h('div', { class: `tc-box tc-box_${kind}`, role: kind === 'warn' ? 'alert' : 'status' },
    h('i', { class: kind === 'warn' ? 'weui-icon-warn' : 'weui-icon-info-circle', 'aria-hidden': 'true' }), p);
}

// A modal confirmation (weui dialog), keyboard and screen-reader usable.
export function confirmDialog(bodyKey, okKey = 'common.ok', { warn = false } = {}) {
  return new Promise((resolve) => {
    const titleId = newId('dlg');
    const prev = document.activeElement;
    const close = (v) => { wrap.remove(); document.removeEventListener('keydown', onKey); if (prev && prev.focus) prev.focus(); resolve(v); };
    const onKey = (e) => { if (e.key === 'Escape') close(false); };
    const ok = h('button', { type: 'button', class: `weui-dialog__btn ${warn ? 'tc-dialog__warn' : 'weui-dialog__btn_primary'}`, i18n: okKey, onclick: () => close(true) });
    const wrap = h('div', { class: 'tc-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      h('div', { class: 'weui-mask' }),
      h('div', { class: 'weui-dialog' },
        h('div', { class: 'weui-dialog__bd', id: titleId, i18n: bodyKey }),
        h('div', { class: 'weui-dialog__ft' },
          h('button', { type: 'button', class: 'weui-dialog__btn weui-dialog__btn_default', i18n: 'common.cancel', onclick: () => close(false) }),
          ok)));
    document.body.append(wrap);
    document.addEventListener('keydown', onKey);
    ok.focus();
  });
}

export function proofImg(url, altKey = 'photo.proof_alt', cls = 'tc-proof') {
  return h('img', { class: cls, src: url, i18nAttr: { alt: altKey }, decoding: 'async' });
}

export function cellLink(key, href, extra, vars) {
  return h('a', { class: 'weui-cell weui-cell_active weui-cell_access', href },
    h('div', { class: 'weui-cell__bd' }, h('span', { i18n: key, i18nVars: vars })),
    h('div', { class: 'weui-cell__ft' }, extra || null));
}

// The school's contact (a school setting): phone, WeChat, office hours.
export function contactBlock(j, cls = 'tc-contact') {
  const c = j && j.school && j.school.contact;
  if (!c || typeof c !== 'object' || !(c.phone || c.wechat || c.hours)) return null;
  const row = (key, value, href) => (value ? h('div', { class: 'tc-contact__row' },
    h('dt', { i18n: key }), h('dd', {}, href ? h('a', { href, text: value }) : h('span', { text: value }))) : null);
  return h('div', { class: cls },
    h('p', { class: 'tc-contact__title', i18n: 'home.contact' }),
    h('dl', {}, row('contact.phone', c.phone, 'tel:' + c.phone.replace(/[^0-9+]/g, '')), row('contact.wechat', c.wechat),
      row('contact.hours', c.hours)));
}

// ---- the e-mail box (the result page, an order) ----------------------------------------------------

// The photo goes only to an address the student proved is theirs (issue 14):
// a confirmed address shows with a Send button; otherwise, or to change it,
// a code is sent to the address typed and typed back here.
export function emailBox(n) {
  const box = h('section', { class: 'tc-form tc-email' });
  const cell = (id, key, input) => h('div', { class: 'weui-cells weui-cells_form' },
    h('div', { class: 'weui-cell weui-cell_active' },
      h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: id, i18n: key })),
      h('div', { class: 'weui-cell__bd' }, input)));
  const show = (...children) => { box.replaceChildren(h('h2', { class: 'tc-h2', i18n: 'result.email' }), ...children); };
  let confirmed = n.email_confirmed || '';
  let pending = n.email_pending || '';

  const sendView = () => {
    const err = errorRegion();
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint tc-email-to', i18n: 'result.email_to', i18nVars: { email: confirmed } }),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-send', i18n: 'result.email_send' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-change', i18n: 'result.email_change' })));
    form.querySelector('.tc-email-change').addEventListener('click', () => addressView());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/result/email', { email: confirmed }));
        toast('result.email_sent');
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  const addressView = () => {
    const err = errorRegion();
    const id = newId('remail');
    const email = h('input', { class: 'weui-input', type: 'email', id, autocomplete: 'email', inputmode: 'email', value: pending || n.email || '', i18nAttr: { placeholder: 'notify.email_ph' } });
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint', i18n: 'result.email_why' }),
      cell(id, 'result.email_label', email),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-code', i18n: 'result.email_code_send' })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const mail = email.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) { showError(err, localError('journey.bad_email', 'notify.email_bad')); email.focus(); return; }
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/email/code', { email: mail }));
        pending = mail;
        codeView();
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  const codeView = () => {
    const err = errorRegion();
    const id = newId('rcode');
    const code = h('input', { class: 'weui-input', type: 'text', id, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: '6', pattern: '[0-9]{6}' });
    const form = h('form', { novalidate: true },
      h('p', { class: 'tc-hint', i18n: 'result.email_code_sent', i18nVars: { email: pending } }),
      cell(id, 'result.email_code', code),
      err,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_default tc-email-confirm', i18n: 'result.email_confirm' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-change', i18n: 'result.email_change' })));
    form.querySelector('.tc-email-change').addEventListener('click', () => addressView());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const v = code.value.trim();
      if (!/^[0-9]{6}$/.test(v)) { showError(err, localError('journey.email_code_wrong', 'result.email_code_bad')); code.focus(); return; }
      try {
        const r = await withBusy('common.working', () => api.post('/api/v1/me/email/confirm', { code: v }));
        confirmed = r.data.email_confirmed;
        pending = '';
        toast('result.email_confirmed');
        sendView();
      } catch (e) { showError(err, e); }
    });
    show(form);
  };

  if (confirmed) sendView(); else if (pending) codeView(); else addressView();
  return box;
}
