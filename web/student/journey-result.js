// After the photo is submitted (seed 004 §2.4–§2.8, seed 001 §14, seed 003
// §8): waiting for review with withdraw, approved, rejected with the
// reviewer's reasons, and the result to download (样片, then 成片) or send
// by e-mail.

import { api } from '/common/api.js';
import { localError } from '/common/i18n.js';
import { h, errorRegion, showError } from '/common/dom.js';
import { withBusy, toast, go, bilingual, loadJourney, stepRoute, afterAction } from './core.js';
import { page, lead, btn, linkBtn, btnArea, confirmDialog, proofImg, emailBox, noticeBox } from './ui.js';

// ---- waiting for review, approved, rejected (seed 004 §2.4–§2.6) --------------------------------

const SUB_STATE = { submitted: 'status.submitted', paid: 'status.submitted', waiting: 'status.submitted', approved: 'status.approved', rejected: 'status.rejected', final: 'status.final' };

export async function statusView() {
  const j = await loadJourney();
  const sub = j.submission;
  if (!sub) { go(stepRoute(j), true); return null; }
  const err = errorRegion();
  const stKey = j.step === 'approved' ? 'status.approved' : j.step === 'rejected' ? 'status.rejected' : j.step === 'final' ? 'status.final'
    : SUB_STATE[sub.state] || 'status.submitted';
  // the 成片's own state (issue 19 item 6) once the photo is approved
  const fs = (j.step === 'approved' || j.step === 'final') && sub.final_state ? sub.final_state : null;
  const card = h('div', { class: 'tc-status-card' },
    sub.proof_url ? proofImg(sub.proof_url, 'photo.proof_alt', 'tc-status-card__img') : null,
    h('div', { class: 'tc-status-card__bd' },
      h('span', { class: 'tc-status-card__label', i18n: 'status.state' }),
      h('strong', { class: `tc-state tc-state_${j.step}`, dataset: { state: sub.state }, i18n: stKey }),
      fs ? h('span', { class: `tc-final-state tc-final-state_${fs}`, dataset: { finalState: fs }, i18n: 'proofing.' + fs }) : null));
  const parts = [card];
  if (j.step === 'rejected') {
    parts.push(lead('status.rejected_lead'));
    const reasons = (sub.reasons || []).map((r) => bilingual(h('li', { dataset: { code: r.code } }), r));
    if (reasons.length) parts.push(h('ul', { class: 'tc-reasons', role: 'list' }, reasons));
    if (sub.note) parts.push(h('p', { class: 'tc-lead tc-note', i18n: 'status.note', i18nVars: { note: sub.note } }));
    parts.push(err, btnArea(linkBtn('status.reshoot', '#/shoot', true),
      (j.drafts || []).length ? linkBtn('status.choose_draft', '#/drafts') : null));
  } else if (j.step === 'approved' || j.step === 'final') {
    // one state, one text: the badge and the lead come from the same step
    parts.push(lead(j.step === 'final' ? 'status.final_lead' : 'status.approved_lead'), err,
      btnArea(linkBtn('status.view_result', '#/result', true)));
  } else {
    parts.push(lead('status.waiting_lead'));
    const withdraw = sub.withdrawable ? btn('status.withdraw', { cls: 'tc-withdraw' }) : null;
    if (withdraw) {
      withdraw.addEventListener('click', async () => {
        showError(err, null);
        if (!await confirmDialog('status.withdraw_q', 'status.withdraw')) return;
        try {
          await withBusy('common.working', () => api.post('/api/v1/me/submission/withdraw'));
          toast('status.withdrawn');
          await afterAction();
        } catch (e) { showError(err, e); }
      });
    }
    parts.push(err, btnArea(withdraw));
  }
  return page('tc-status', ...parts);
}

// ---- the result (seed 001 §14, seed 003 §8, seed 004 §2.8) --------------------------------------

function isIOSorWeChat() {
  const ua = navigator.userAgent || '';
  return /iPhone|iPad|iPod|MicroMessenger/i.test(ua);
}

export async function resultView() {
  const j = await loadJourney();
  let res;
  try {
    res = (await api.get('/api/v1/me/result')).data;
  } catch (e) {
    if (e.code !== 'journey.no_result' && e.status !== 404) throw e;
    return page('tc-result', h('p', { class: 'tc-empty', i18n: 'result.none' }), btnArea(linkBtn('home.continue', '#/journey', true)));
  }
  const final = !!res.final;
  // The same address serves the 样片 and, later, the 成片 (and may be cached
  // for an hour): ask for the version this answer describes.
  const v = (url) => url + (url.includes('?') ? '&' : '?') + (final ? 'v=final' : 'v=proof');
  res.standard_url = v(res.standard_url);
  res.sheet_url = v(res.sheet_url);
  const figure = (url, key, cls) => h('figure', { class: 'tc-result-fig ' + cls },
    h('div', { class: 'tc-result-fig__frame' }, proofImg(url, key, 'tc-result-fig__img'),
      final ? null : h('span', { class: 'tc-proof-mark', 'aria-hidden': 'true', i18n: 'result.proof_mark' })),
    h('figcaption', { i18n: key }));
  const form = emailBox(j.notify || {});
  return page('tc-result',
    proofingBox(res),
    lead(final ? 'result.lead_final' : 'result.lead_proof'),
    h('div', { class: 'tc-result-figs' }, figure(res.standard_url, 'result.standard', 'is-standard'), figure(res.sheet_url, 'result.sheet', 'is-sheet')),
    btnArea(
      h('a', { href: res.standard_url, download: final ? 'standard.jpg' : 'standard-proof.jpg', class: 'weui-btn weui-btn_primary tc-dl-standard', i18n: final ? 'result.download_final' : 'result.download_standard' }),
      h('a', { href: res.sheet_url, download: final ? 'sheet.jpg' : 'sheet-proof.jpg', class: 'weui-btn weui-btn_default tc-dl-sheet', i18n: 'result.download_sheet' }),
      h('a', { href: res.standard_url, download: 'photo.jpg', class: 'weui-btn weui-btn_default tc-save', i18n: 'result.save' })),
    isIOSorWeChat() ? h('p', { class: 'tc-hint', i18n: 'result.longpress' }) : null,
    form);
}

// ---- 校对: the student checks the 成片 (issue 19 item 6) --------------------------------------------

const REASON_MAX = 200; // the server's bound (docs/SECURITY.md)
// The reason being written survives the page's live refresh (a message or
// payment event re-renders it): null while the form is closed.
let reasonDraft = null;

// The 成片's state and, while it waits for the student, the two answers:
// 确认无误, or 申请修改 with what should change.
function proofingBox(res) {
  const st = res.final_state || 'producing';
  const box = h('section', { class: `tc-proofing tc-proofing_${st}`, dataset: { finalState: st } },
    h('h2', { class: 'tc-h2' }, h('span', { i18n: 'proofing.title' }), ' ',
      h('strong', { class: `tc-final-state tc-final-state_${st}`, i18n: 'proofing.' + st })));
  if (st === 'producing') box.append(h('p', { class: 'tc-hint', i18n: 'proofing.producing_lead' }));
  if (st === 'confirmed') box.append(h('p', { class: 'tc-hint', i18n: 'proofing.confirmed_lead' }));
  if (st === 'correction') {
    box.append(h('p', { class: 'tc-hint', i18n: 'proofing.correction_lead' }));
    if (res.correction_reason) box.append(h('p', { class: 'tc-lead tc-note tc-correction-reason', i18n: 'proofing.your_reason', i18nVars: { reason: res.correction_reason } }));
  }
  if (st !== 'ready') { reasonDraft = null; return box; }
  const err = errorRegion();
  const ok = btn('proofing.confirm', { primary: true, cls: 'tc-proof-confirm' });
  const ask = btn('proofing.ask', { cls: 'tc-proof-ask' });
  const reasonId = 'tc-proof-reason';
  const area = h('textarea', { id: reasonId, class: 'weui-textarea tc-proof-reason', rows: 3, maxlength: REASON_MAX, required: true });
  const form = h('form', { class: 'tc-form tc-proof-form', novalidate: true, hidden: true },
    h('div', { class: 'weui-cells weui-cells_form' },
      h('div', { class: 'weui-cell' },
        h('div', { class: 'weui-cell__bd' },
          h('label', { class: 'weui-label tc-proof-reason__label', for: reasonId, i18n: 'proofing.reason_label' }),
          area,
          h('div', { class: 'weui-textarea-counter tc-hint', i18n: 'proofing.reason_max', i18nVars: { n: REASON_MAX } })))),
    btnArea(h('button', { type: 'submit', class: 'weui-btn weui-btn_warn tc-proof-send', i18n: 'proofing.send' })));
  box.append(h('p', { class: 'tc-hint', i18n: 'proofing.ready_lead' }), err, btnArea(ok, ask), form);
  ok.addEventListener('click', async () => {
    showError(err, null);
    if (!await confirmDialog('proofing.confirm_q', 'proofing.confirm')) return;
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/result/confirm'));
      toast('proofing.confirmed_toast');
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  if (reasonDraft !== null) { form.hidden = false; area.value = reasonDraft; }
  area.addEventListener('input', () => { reasonDraft = area.value; });
  ask.addEventListener('click', () => { form.hidden = false; reasonDraft = area.value; area.focus(); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const reason = area.value.trim();
    if (!reason) { showError(err, localError('final.reason_required', 'proofing.reason_required')); area.focus(); return; }
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/result/correction', { reason }));
      reasonDraft = null;
      toast('proofing.sent_toast');
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  return box;
}
