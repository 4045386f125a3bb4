// The journey's first steps (seed 000 §1–§7): the school's notice, read to
// the end; the shooting tips, ticked as read; the notification choice, with
// an e-mail address confirmed by a code.

import { t, localError } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, newId } from '/common/dom.js';
import { withBusy, toast, go, onLeave, loadJourney, afterAction } from './core.js';
import { page, lead, btn, btnArea } from './ui.js';
import { portrait, EXAMPLES } from './figures.js';

// ---- the school's notice --------------------------------------------------------------------

// The notice is the school's HTML: only plain text markup is kept (no
// scripts, styles, event handlers or remote content), links open outside.
const ALLOWED = new Set(['P', 'BR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'STRONG', 'B', 'EM', 'I', 'U',
  'A', 'SPAN', 'DIV', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'BLOCKQUOTE', 'HR', 'SMALL', 'SUB', 'SUP', 'IMG']);
function sanitize(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    if (!ALLOWED.has(node.tagName)) {
      if (['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'TEMPLATE'].includes(node.tagName)) return null;
      const frag = document.createDocumentFragment();
      for (const c of node.childNodes) { const x = copy(c); if (x) frag.append(x); }
      return frag;
    }
    const el = document.createElement(node.tagName.toLowerCase());
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') || '';
      if (/^(https?:|mailto:|tel:)/i.test(href)) { el.href = href; el.target = '_blank'; el.rel = 'noopener noreferrer'; }
    }
    if (node.tagName === 'IMG') {
      const src = node.getAttribute('src') || '';
      if (!/^(\/|data:image\/)/.test(src)) return null; // same site only (the CSP blocks the rest anyway)
      el.src = src; el.alt = node.getAttribute('alt') || '';
    }
    if (['TD', 'TH'].includes(node.tagName)) for (const a of ['colspan', 'rowspan']) if (node.hasAttribute(a)) el.setAttribute(a, node.getAttribute(a));
    for (const c of node.childNodes) { const x = copy(c); if (x) el.append(x); }
    return el;
  };
  const frag = document.createDocumentFragment();
  for (const c of doc.body.childNodes) { const x = copy(c); if (x) frag.append(x); }
  return frag;
}

// Seed 004: what the photo is for, where the student reads the notice and the tips.
function serious() {
  return h('p', { class: 'tc-serious', role: 'note', i18n: 'tips.serious' });
}

export async function noticeView() {
  const j = await loadJourney();
  const err = errorRegion();
  const next = btn('common.next', { primary: true, disabled: true, cls: 'tc-next' });
  const hint = h('p', { class: 'tc-hint', i18n: 'notice.scroll_hint', 'aria-live': 'polite' });
  const html = j.school && j.school.notice_html;
  const end = h('div', { class: 'tc-notice__end', 'aria-hidden': 'true' });
  const titleId = newId('notice');
  const body = h('div', { class: 'tc-notice__body' }, html ? sanitize(html) : h('p', { i18n: 'notice.empty' }), end);
  const box = h('section', { class: 'tc-notice', tabindex: '0', role: 'region', 'aria-labelledby': titleId },
    h('h2', { class: 'tc-notice__title', id: titleId, text: (j.school && j.school.name) || '' }), body);
  const enable = () => { next.disabled = false; hint.hidden = true; };
  // "下一步" becomes usable once the end of the notice has been on screen.
  const io = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) { enable(); io.disconnect(); } },
    { root: box, threshold: 0 });
  io.observe(end);
  onLeave(() => io.disconnect());
  if (j.progress && j.progress.notice_read) enable();
  next.addEventListener('click', async () => {
    showError(err, null);
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/notice/read'));
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  return page('tc-notice-page', lead('notice.lead'), serious(), box, hint, err, btnArea(next));
}

// ---- the shooting tips --------------------------------------------------------------------

function bgName(bg) {
  const b = String(bg || 'blue').toLowerCase();
  if (b.includes('blue')) return 'bg.blue';
  if (b.includes('white')) return 'bg.white';
  if (b.includes('red')) return 'bg.red';
  return 'bg.other';
}

function tipsContent(j) {
  const set = (j && j.settings) || {};
  const examples = h('ul', { class: 'tc-examples' }, EXAMPLES.map(([variant, ok, key]) => h('li', { class: 'tc-example' + (ok ? ' is-ok' : ' is-bad') },
    portrait(variant, ok),
    h('span', { class: 'tc-example__verdict', i18n: ok ? 'tips.example_ok' : 'tips.example_bad' }),
    h('span', { class: 'tc-example__text', i18n: key }))));
  // the 美颜 rule says what the server does (the school's retouch_lock, seed 001 §5)
  const r5 = set.retouch_lock === 'timed' ? 'tips.r5_timed' : 'tips.r5';
  const rules = ['tips.r1', 'tips.r2', 'tips.r3', 'tips.r4', r5, 'tips.r6',
    set.glasses === 'forbidden' ? 'tips.r7_forbidden' : 'tips.r7', 'tips.r8', 'tips.r9', 'tips.r10'];
  const bgVars = { bg: t(bgName(set.background)) };
  const vars = {
    'tips.r1': bgVars,
    [r5]: { n: set.liveness_lock_after || 3, m: set.lock_after_fails || 5, h: set.lock_hours ?? 24 },
  };
  return [
    h('h2', { class: 'tc-h2', i18n: 'tips.examples' }),
    h('div', { class: 'tc-figure-main' }, portrait('good', true, 'tc-fig tc-fig_big')),
    examples,
    h('h2', { class: 'tc-h2', i18n: 'tips.rules' }),
    h('ol', { class: 'tc-rules' }, rules.map((k) => h('li', { i18n: k, i18nVars: vars[k] }))),
    h('h2', { class: 'tc-h2', i18n: 'tips.how' }),
    h('ol', { class: 'tc-rules' }, ['tips.h1', 'tips.h2', 'tips.h3', 'tips.h4', 'tips.h5'].map((k) => h('li', { i18n: k }))),
  ];
}

export async function tipsView() {
  const j = await loadJourney();
  const err = errorRegion();
  const tickId = newId('tick');
  const tick = h('input', { type: 'checkbox', class: 'weui-check', id: tickId, name: 'tips_read', checked: !!(j.progress && j.progress.tips_read) });
  const start = btn('tips.start', { primary: true, disabled: !tick.checked, cls: 'tc-next' });
  tick.addEventListener('change', () => { start.disabled = !tick.checked; });
  start.addEventListener('click', async () => {
    showError(err, null);
    if (!tick.checked) { showError(err, localError('tips.unticked', 'tips.must_tick')); return; }
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/tips/read'));
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  return page('tc-tips', lead('tips.lead'), serious(), ...tipsContent(j),
    h('div', { class: 'weui-cells weui-cells_checkbox tc-tick' },
      h('label', { class: 'weui-cell weui-cell_active weui-check__label', for: tickId },
        h('div', { class: 'weui-cell__hd' }, tick, h('i', { class: 'weui-icon-checked', 'aria-hidden': 'true' })),
        h('div', { class: 'weui-cell__bd' }, h('span', { i18n: 'tips.read' })))),
    err, btnArea(start));
}

// ---- notification choice (seed 000 §7) ------------------------------------------------------

function switchCell(id, key, checked, tipKey) {
  const input = h('input', { class: 'weui-switch', type: 'checkbox', id, checked, 'aria-describedby': tipKey ? id + '-tip' : null });
  return [h('div', { class: 'weui-cell weui-cell_active weui-cell_switch' },
    h('div', { class: 'weui-cell__bd' }, h('label', { for: id, i18n: key }),
      tipKey ? h('div', { class: 'tc-cell-tip', id: id + '-tip', i18n: tipKey }) : null),
    h('div', { class: 'weui-cell__ft' }, input)), input];
}

export async function notifyView() {
  const j = await loadJourney();
  const n = j.notify || {};
  const chosen = j.progress && j.progress.notify_chosen;
  const err = errorRegion();
  const schoolPays = j.settings && j.settings.pay_when === 'school';
  const [statusCell, status] = switchCell(newId('ns'), 'notify.status', chosen ? !!n.status : true, 'notify.status_tip');
  const [payCell, payment] = switchCell(newId('np'), 'notify.payment', chosen ? !!n.payment : true);
  // SMS to the roster phone; WeChat inside WeChat, when the server offers it
  const [smsCell, sms] = switchCell(newId('nsms'), 'notify.sms', !!n.sms, 'notify.sms_tip');
  const wxOffered = n.wechat_available && /MicroMessenger/i.test(navigator.userAgent || '');
  const wxBack = sessionStorage.getItem('tc-notify-wechat') === '1';
  sessionStorage.removeItem('tc-notify-wechat');
  const [wxCell, wechat] = switchCell(newId('nwx'), 'notify.wechat', !!n.wechat || wxBack, 'notify.wechat_tip');
  const emailId = newId('email');
  const email = h('input', { class: 'weui-input', id: emailId, type: 'email', name: 'email', autocomplete: 'email', inputmode: 'email', value: n.email || '', i18nAttr: { placeholder: 'notify.email_ph' } });
  const form = h('form', { class: 'tc-form', novalidate: true },
    h('div', { class: 'weui-cells' }, statusCell, schoolPays ? null : payCell, n.has_phone ? smsCell : null, wxOffered ? wxCell : null),
    h('div', { class: 'weui-cells weui-cells_form' },
      h('div', { class: 'weui-cell weui-cell_active' },
        h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: emailId, i18n: 'notify.email' })),
        h('div', { class: 'weui-cell__bd' }, email))),
    n.email_confirmed
      ? h('p', { class: 'weui-cells__tips tc-email-confirmed', i18n: 'notify.email_confirmed', i18nVars: { email: n.email_confirmed } }) : null,
    n.email && n.email !== n.email_confirmed
      ? h('p', { class: 'weui-cells__tips tc-email-unconfirmed', i18n: 'notify.email_unconfirmed', i18nVars: { email: n.email } }) : null,
    h('p', { class: 'weui-cells__tips', i18n: 'notify.inapp' }),
    err,
    btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_primary tc-next', i18n: 'common.next' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const mail = email.value.trim();
    if (mail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) { showError(err, localError('journey.bad_email', 'notify.email_bad')); email.focus(); return; }
    try {
      const body = { status: status.checked, payment: schoolPays ? false : payment.checked, email: mail };
      if (n.has_phone) body.sms = sms.checked;
      if (wxOffered) body.wechat = wechat.checked;
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/notify', body));
      } catch (e) {
        // WeChat gives the openid through its web authorisation: go there and come back
        if (e.code !== 'journey.wechat_unauthorised') throw e;
        const r = await api.post('/api/v1/wechat/oauth/start', { return: '/#/notify' });
        sessionStorage.setItem('tc-notify-wechat', '1');
        window.location.href = r.data.url;
        return;
      }
      // a new address: the code goes there now, and the student types it here
      // (notification e-mails go to a confirmed address only)
      if (mail && mail !== n.email_confirmed) {
        await withBusy('common.working', () => api.post('/api/v1/me/email/code', { email: mail }));
        codeStep(mail);
        return;
      }
      await done();
    } catch (e) { showError(err, e); }
  });
  const done = async () => { if (chosen) { toast('notify.saved'); await loadJourney(); go('mine'); } else await afterAction(); };
  const codeStep = (mail) => {
    const cerr = errorRegion();
    const id = newId('ncode');
    const code = h('input', { class: 'weui-input', type: 'text', id, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: '6', pattern: '[0-9]{6}' });
    const cform = h('form', { class: 'tc-form tc-notify-code', novalidate: true },
      h('p', { class: 'weui-cells__tips', i18n: 'notify.email_code_sent', i18nVars: { email: mail } }),
      h('div', { class: 'weui-cells weui-cells_form' },
        h('div', { class: 'weui-cell weui-cell_active' },
          h('div', { class: 'weui-cell__hd' }, h('label', { class: 'weui-label', for: id, i18n: 'notify.email_code' })),
          h('div', { class: 'weui-cell__bd' }, code))),
      cerr,
      btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_primary tc-email-confirm', i18n: 'notify.email_confirm' }),
        h('button', { type: 'button', class: 'weui-btn weui-btn_default tc-email-later', i18n: 'notify.email_later' })));
    cform.querySelector('.tc-email-later').addEventListener('click', () => { done().catch((e) => showError(cerr, e)); });
    cform.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(cerr, null);
      const v = code.value.trim();
      if (!/^[0-9]{6}$/.test(v)) { showError(cerr, localError('journey.email_code_wrong', 'result.email_code_bad')); code.focus(); return; }
      try {
        await withBusy('common.working', () => api.post('/api/v1/me/email/confirm', { code: v }));
        toast('result.email_confirmed');
        await done();
      } catch (e) { showError(cerr, e); }
    });
    form.replaceWith(cform);
    code.focus();
  };
  return page('tc-notify', lead('notify.lead'), form);
}
