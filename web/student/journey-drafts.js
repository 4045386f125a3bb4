// The draft box and what follows it (seed 000 §14–§16, seed 004 §2.3): the
// drafts with their delete hold, confirming one photo, paying the fee and
// waiting for the provider's answer.

import { t } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, fmtTime, newId } from '/common/dom.js';
import { withBusy, toast, go, render, onLeave, loadJourney, stepRoute, afterAction } from './core.js';
import { page, lead, btn, linkBtn, btnArea, noticeBox, confirmDialog, proofImg, seedTime, nowSec, both } from './ui.js';
import { payRequest, launch } from './money.js';

// ---- the draft box (seed 000 §14–§15) -----------------------------------------------------------

export async function draftsView() {
  const j = await loadJourney();
  const set = j.settings || {};
  const cap = set.draft_capacity || 3;
  const hours = set.draft_delete_after_h || 24;
  const drafts = j.drafts || [];
  const err = errorRegion();
  const full = drafts.length >= cap;
  const reviewing = j.submission && ['submitted', 'approved', 'final', 'paid'].includes(j.submission.state) && j.step !== 'pay';
  const list = drafts.length ? h('ul', { class: 'tc-drafts' }, drafts.map((d, i) => {
    const itemErr = errorRegion('tc-error_small');
    const early = d.deletable_at && d.deletable_at > nowSec();
    const whenId = newId('draft-when');
    // during the hold (seed 000 §14) the button is off, and says when it opens
    const del = h('button', { type: 'button', class: 'weui-btn weui-btn_default weui-btn_mini tc-delete', i18n: 'drafts.delete',
      disabled: early || null, 'aria-describedby': early ? whenId : null });
    if (early) {
      const timer = setTimeout(() => render({ quiet: true }), Math.min((d.deletable_at - nowSec()) * 1000 + 500, 2 ** 31 - 1));
      onLeave(() => clearTimeout(timer));
    }
    del.addEventListener('click', async () => {
      showError(itemErr, null);
      if (!await confirmDialog('drafts.delete_q', 'drafts.delete', { warn: true })) return;
      try {
        await withBusy('common.working', () => api.del(`/api/v1/me/photos/${d.id}`));
        toast('drafts.deleted');
        await loadJourney();
        render({ quiet: true });
      } catch (e) {
        if (e.code === 'journey.delete_too_early') {
          const err2 = (e.body && e.body.error) || {};
          const at = err2.deletable_at || (e.body && e.body.deletable_at) || d.deletable_at;
          const tm = seedTime(at);
          showError(itemErr, { code: e.code, ...both('drafts.too_early', (l) => ({ hours, time: tm[l] })) });
        } else showError(itemErr, e);
      }
    });
    const titleId = newId('draft');
    return h('li', { class: 'tc-draft', dataset: { id: String(d.id) }, 'aria-labelledby': titleId },
      proofImg(d.proof_url, 'photo.proof_alt', 'tc-draft__img'),
      h('div', { class: 'tc-draft__bd' },
        h('h3', { class: 'tc-draft__title', id: titleId, i18n: 'drafts.photo_n', i18nVars: { n: i + 1 } }),
        h('p', { class: 'tc-draft__meta', i18n: 'drafts.saved_at', i18nVars: { time: fmtTime(d.created_at) } }),
        early ? h('p', { class: 'tc-draft__meta tc-draft__when', id: whenId, i18n: 'drafts.deletable_at', i18nVars: { time: fmtTime(d.deletable_at) } }) : null,
        h('div', { class: 'tc-draft__btns' },
          reviewing ? null : h('a', { href: `#/submit/${d.id}`, class: 'weui-btn weui-btn_primary weui-btn_mini tc-use', i18n: 'drafts.use' }),
          del),
        itemErr));
  })) : h('p', { class: 'tc-empty', i18n: 'drafts.empty' });
  return page('tc-drafts-page', lead('drafts.lead', { cap, hours }),
    (j.shoot || {}).drafts_full ? noticeBox(j.shoot.drafts_full, 'info') : null, // the server's words (seed 000 §14)
    reviewing ? noticeBox(both('drafts.under_review'), 'info') : null,
    list, err,
    btnArea(full || reviewing ? null : linkBtn('drafts.shoot_more', '#/shoot', !drafts.length)));
}

// ---- confirm upload of one draft (seed 000 §15–§16) ----------------------------------------------

export async function submitView(id) {
  const j = await loadJourney();
  const d = (j.drafts || []).find((x) => String(x.id) === String(id));
  if (!d) { go('drafts', true); return null; }
  const err = errorRegion();
  const payAfter = j.settings && j.settings.pay_when === 'after_confirm' && !(j.progress && j.progress.paid);
  const schoolPays = j.settings && j.settings.pay_when === 'school';
  const ok = btn('submit.confirm', { primary: true, cls: 'tc-next' });
  ok.addEventListener('click', async () => {
    showError(err, null);
    ok.disabled = true;
    try {
      const res = await withBusy('common.working', () => api.post('/api/v1/me/submission', { photo_id: d.id }));
      toast('submit.done');
      if (res.data && res.data.next === 'pay') { await loadJourney(); go('pay'); } else await afterAction();
    } catch (e) {
      ok.disabled = false;
      // the record has no 采集码 yet: bind it, then come back here (issue 19)
      if (e.code === 'journey.chsi_unbound') { go('chsi/submit/' + d.id); return; }
      showError(err, e);
    }
  });
  // the price before the student commits (the batch's fee, as the pay page will ask it)
  const fen = (j.settings && j.settings.fee_fen) || 0;
  const price = payAfter && fen > 0 ? h('p', { class: 'tc-submit-fee' }, h('span', { i18n: 'submit.fee' }),
    h('strong', { class: 'tc-submit-fee__value', text: '¥' + (fen / 100).toFixed(2) })) : null;
  return page('tc-submit', proofImg(d.proof_url, 'photo.proof_alt', 'tc-proof tc-proof_big'),
    lead('submit.lead'), price, payAfter ? lead('submit.after_pay') : schoolPays ? lead('submit.after_school') : null,
    err, h('div', { class: 'tc-btn-row' }, linkBtn('submit.back', '#/drafts'), ok));
}

// ---- payment -----------------------------------------------------------------------------------

export async function payView() {
  const j = await loadJourney();
  if (j.step !== 'pay' && j.step !== 'pay_first') { go(stepRoute(j), true); return null; }
  const err = errorRegion();
  const yuan = ((j.settings && j.settings.fee_fen) || 0) / 100;
  const pay = btn('pay.button', { primary: true, cls: 'tc-pay' });
  pay.addEventListener('click', async () => {
    showError(err, null);
    pay.disabled = true;
    try {
      // money.js: inside WeChat, WeChat's authorisation first, then JSAPI
      const res = await withBusy('pay.launching', () => payRequest('/api/v1/me/pay', undefined, 'paid'));
      if (launch(res.data && res.data.launch, 'paid')) { pay.disabled = false; return; }
      await afterAction();
    } catch (e) {
      pay.disabled = false;
      if (e.code === 'journey.already_paid' || e.code === 'journey.nothing_to_pay') { await afterAction(true); return; }
      showError(err, e);
    }
  });
  return page('tc-pay-page',
    h('div', { class: 'tc-amount' }, h('span', { class: 'tc-amount__label', i18n: 'pay.amount' }),
      h('strong', { class: 'tc-amount__value', text: '¥' + yuan.toFixed(2) })),
    lead('pay.lead'), lead('pay.includes'), lead('pay.retake_free'), err, btnArea(pay));
}

// The pay page returns to /#/paid; the provider's callback may land a
// moment later, so the journey is asked a few times.
export async function paidView() {
  const err = errorRegion();
  const msg = h('p', { class: 'tc-lead', role: 'status', i18n: 'pay.wait' });
  const again = btn('pay.refresh', { primary: true, attrs: { hidden: true } });
  const node = page('tc-paid', h('div', { class: 'tc-result-box' }, h('span', { class: 'weui-primary-loading', 'aria-hidden': 'true' }, h('span', { class: 'weui-primary-loading__dot' })), msg), err, btnArea(again));
  let stopped = false;
  onLeave(() => { stopped = true; });
  const check = async () => {
    for (let i = 0; i < 15 && !stopped; i++) {
      try {
        const j = await loadJourney();
        if (j.progress && j.progress.paid) { toast('pay.ok'); go(stepRoute(j), true); return; }
      } catch (e) { showError(err, e); }
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (stopped) return;
    msg.dataset.i18n = 'pay.pending';
    msg.textContent = t('pay.pending');
    again.hidden = false;
  };
  again.addEventListener('click', () => { again.hidden = true; msg.textContent = t('pay.wait'); check(); });
  setTimeout(check, 0);
  return node;
}
