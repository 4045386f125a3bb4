// The agreements (issue 19 item 5): after the information check and before
// the notice, the student reads the 服务协议 and the 隐私政策 in full (the
// versions the server names, texts in web/student/legal/) and accepts both,
// with the separate consent PIPL asks for face photos.  The server records
// the acceptance and refuses every photo upload until the current versions
// are accepted (journey.consent_required); a new version asks again.

import { t, getLang, onLangChange } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError, newId } from '/common/dom.js';
import { withBusy, onLeave, loadJourney, afterAction } from './core.js';
import { page, lead, btn, btnArea } from './ui.js';

// A text file as paragraphs: the first line is the title; blank lines part
// paragraphs; {school}, {retention_days} and {contact} are this school's.
function render(text, vars) {
  const fill = (s) => s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  const parts = String(text || '').replace(/\r/g, '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const [title, ...rest] = parts;
  return { title: fill(title || ''), body: rest.map((p) => h('p', { text: fill(p) })) };
}

async function fetchText(url) {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(url + ': ' + r.status);
  return r.text();
}

function contactText(c) {
  const parts = [c && c.phone, c && c.wechat && `${t('consent.wechat')} ${c.wechat}`, c && c.hours].filter(Boolean);
  return parts.length ? parts.join('，') : t('consent.contact_none');
}

function tickCell(id, key) {
  const input = h('input', { type: 'checkbox', class: 'weui-check', id });
  return [h('label', { class: 'weui-cell weui-cell_active weui-check__label', for: id },
    h('div', { class: 'weui-cell__hd' }, input, h('i', { class: 'weui-icon-checked', 'aria-hidden': 'true' })),
    h('div', { class: 'weui-cell__bd' }, h('span', { i18n: key }))), input];
}

export async function consentView() {
  const j = await loadJourney();
  const c = j.consent || {};
  const err = errorRegion();
  const vars = () => ({
    school: (j.school && j.school.name) || t('consent.school_none'),
    retention_days: (j.settings && j.settings.retention_days) ?? 30,
    contact: contactText(j.school && j.school.contact),
  });
  // both languages fetched once; the one shown follows the language switch
  const texts = {};
  const docs = [['terms', c.terms], ['privacy', c.privacy]];
  await Promise.all(docs.flatMap(([k, d]) => ['zh', 'en'].map(async (l) => {
    texts[`${k}.${l}`] = d && d[`${l}_url`] ? await fetchText(d[`${l}_url`]) : '';
  })));
  const boxes = docs.map(([k]) => {
    const id = newId('legal');
    const body = h('div', { class: 'tc-legal__body' });
    // the heading is the text's own first line (its name and version)
    const head = h('h2', { class: 'tc-h2 tc-legal__title', id, i18n: `consent.${k}` });
    const box = h('section', { class: `tc-legal tc-legal_${k}`, tabindex: '0', role: 'region', 'aria-labelledby': id }, head, body);
    box.fill = () => {
      const r = render(texts[`${k}.${getLang()}`] || texts[`${k}.zh`], vars());
      if (r.title) { delete head.dataset.i18n; head.textContent = r.title; }
      body.replaceChildren(...r.body);
    };
    box.fill();
    return box;
  });
  const off = onLangChange(() => boxes.forEach((b) => b.fill()));
  onLeave(off);
  const versions = h('p', { class: 'weui-cells__tips', i18n: 'consent.versions', i18nVars: { t: c.terms && c.terms.version, p: c.privacy && c.privacy.version } });
  // already accepted (opened from 我的): the texts to read again, no button
  if (c.accepted) return page('tc-consent', ...boxes, h('p', { class: 'tc-lead tc-consent-done', i18n: 'consent.accepted_note' }), versions);
  const [agreeCell, agree] = tickCell(newId('agree'), 'consent.agree');
  const [faceCell, face] = tickCell(newId('face'), 'consent.face');
  const go = btn('consent.accept', { primary: true, disabled: true, cls: 'tc-next tc-consent-accept' });
  const sync = () => { go.disabled = !(agree.checked && face.checked); };
  agree.addEventListener('change', sync);
  face.addEventListener('change', sync);
  go.addEventListener('click', async () => {
    showError(err, null);
    try {
      await withBusy('common.working', () => api.post('/api/v1/me/consent',
        { terms_version: c.terms.version, privacy_version: c.privacy.version }));
      await afterAction();
    } catch (e) { showError(err, e); }
  });
  // a student who accepted an older version is told why they are asked again
  const again = (c.accepted_terms || c.accepted_privacy) && !c.accepted;
  return page('tc-consent', lead(again ? 'consent.lead_again' : 'consent.lead'), ...boxes,
    h('div', { class: 'weui-cells weui-cells_checkbox tc-tick' }, agreeCell, faceCell),
    versions, err, btnArea(go));
}
