// The tabs around the journey: the home card of the current record (its
// deadline, next step and the school's contact), 我的 (records, other areas'
// sections, settings, FAQ, service, sign out) and the message centre.

import { t } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, fmtTime } from '/common/dom.js';
import { state, bilingual, loadMe, loadJourneyQuietly, mineSections, hooks, setBadge } from './core.js';
import { page, btn, btnArea, cellLink, contactBlock } from './ui.js';
import { mineRecords, messageRecord } from './records.js';

// ---- home: the current record's next step -------------------------------------------------

// The batch's closing time: the date, and how long is left.
function deadline(j) {
  const ends = j.settings && j.settings.ends_at;
  if (!ends) return null;
  const now = j.now || Math.floor(Date.now() / 1000);
  const left = ends - now;
  const days = Math.ceil(left / 86400);
  const done = j.step === 'approved' || j.step === 'final';
  const tag = left <= 0 ? h('span', { class: 'tc-deadline__left is-past', i18n: 'home.deadline_past' })
    : done ? null
      : left <= 86400 ? h('span', { class: 'tc-deadline__left is-soon', i18n: 'home.deadline_today' })
        : h('span', { class: 'tc-deadline__left' + (days <= 3 ? ' is-soon' : ''), i18n: 'home.deadline_left', i18nVars: { n: days } });
  return h('p', { class: 'tc-deadline' }, h('span', { i18n: 'home.deadline', i18nVars: { time: fmtTime(ends) } }), tag);
}

export function homeJourneyCard() {
  const j = state.journey;
  if (!j) return null;
  // nothing done yet: the agreements never accepted, or the notice unread after them
  const fresh = (j.step === 'consent' && !(j.consent && (j.consent.accepted_terms || j.consent.accepted_privacy)))
    || (j.step === 'notice' && !(j.progress && j.progress.notice_read));
  const fs = (j.step === 'approved' || j.step === 'final') && j.submission && j.submission.final_state;
  return h('div', { class: 'tc-record__journey' },
    deadline(j),
    h('p', { class: 'tc-record__step', dataset: { step: j.step }, i18n: 'home.next', i18nVars: { step: t('step.' + j.step) } }),
    // the 成片's 校对 (issue 19 item 6): 成片制作中 / 请核对成片 / 已确认 / 修改中
    fs ? h('p', { class: `tc-record__final tc-final-state_${fs}`, dataset: { finalState: fs }, i18n: 'proofing.home', i18nVars: { state: t('proofing.' + fs) } }) : null,
    j.step === 'final'
      ? h('a', { href: '#/result', class: 'weui-btn weui-btn_primary tc-start', i18n: 'home.view_result' })
      : h('a', { href: '#/journey', class: 'weui-btn weui-btn_primary tc-start', i18n: fresh ? 'home.start' : 'home.continue' }),
    contactBlock(j));
}

// ---- 我的, messages, FAQ ---------------------------------------------------------------------

const FAQ_N = 10;
function faqList() {
  return h('div', { class: 'tc-faq' }, Array.from({ length: FAQ_N }, (_, i) => h('details', { class: 'tc-faq__item' },
    h('summary', { i18n: `faq.q${i + 1}` }), h('p', { i18n: `faq.a${i + 1}` }))));
}

export async function mineView() {
  await loadMe();
  const j = await loadJourneyQuietly();
  const records = (state.me && state.me.records) || [];
  const school = (j && j.school && j.school.name) || (records[0] && records[0].school) || '';
  // 我的学历: the current record marked, the others switched to (records.js)
  const recs = await mineRecords();
  // other areas' sections (money.js: orders), each failing quietly
  const extra = await Promise.all(mineSections.map((f) => f(j).catch(() => null)));
  const unread = (j && j.unread) || 0;
  const contact = contactBlock(j, 'tc-contact tc-contact_mine');
  return page('tc-mine',
    h('h2', { class: 'weui-cells__title', i18n: 'mine.records' }), recs,
    extra,
    h('div', { class: 'weui-cells' },
      cellLink('mine.messages', '#/messages', unread ? h('span', { class: 'weui-badge', text: String(unread), 'aria-label': t('tab.unread', { n: unread }) }) : null),
      j ? cellLink('mine.notify', '#/notify') : null,
      j ? cellLink('mine.drafts', '#/drafts') : null,
      cellLink('mine.tips', '#/tips'),
      j ? cellLink('mine.consent', '#/consent') : null,
      cellLink('mine.add', '#/add/code')),
    h('h2', { class: 'weui-cells__title', id: 'faq', i18n: 'mine.faq' }), faqList(),
    h('h2', { class: 'weui-cells__title', i18n: 'mine.service' }),
    h('div', { class: 'tc-service' }, h('p', { i18n: 'mine.service_text', i18nVars: { school } }),
      contact),
    btnArea(btn('mine.logout', { cls: 'tc-logout', onclick: () => hooks.logout && hooks.logout() })));
}

export async function messagesView() {
  const data = (await api.get('/api/v1/me/messages')).data || { messages: [] };
  setBadge(data.unread);
  const msgs = data.messages || [];
  if (!msgs.length) return page('tc-messages', h('p', { class: 'tc-empty', i18n: 'msg.empty' }));
  return page('tc-messages', h('ul', { class: 'tc-msgs' }, msgs.map((m) => {
    const title = bilingual(h('span', { class: 'tc-msg__title' }), { zh: m.title_zh, en: m.title_en || m.title_zh });
    const body = bilingual(h('p', { class: 'tc-msg__body' }), { zh: m.body_zh, en: m.body_en || m.body_zh });
    const dot = m.read ? null : h('span', { class: 'tc-msg__dot', i18n: 'msg.unread' });
    const rec = messageRecord(m.student_id);
    const det = h('details', { class: 'tc-msg' + (m.read ? '' : ' is-unread'), dataset: { id: String(m.id), kind: m.kind || '' } },
      h('summary', rec ? { class: 'has-record' } : {}, dot, title, rec, h('time', { class: 'tc-msg__time', text: fmtTime(m.at) })), body);
    det.addEventListener('toggle', async () => {
      if (!det.open || m.read) return;
      m.read = true;
      det.classList.remove('is-unread');
      if (dot) dot.remove();
      try { await api.post(`/api/v1/me/messages/${m.id}/read`); await loadJourneyQuietly(); } catch { /* stays unread on the server */ }
    });
    return h('li', {}, det);
  })));
}
