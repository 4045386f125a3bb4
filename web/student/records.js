// Several 学历 (issue 19 item 2): one person may hold several education
// records (本科 and 第二学士学位 …).  The session works on one of them at a
// time; 我的 lists them (GET /api/v1/me/records) with the current one
// marked and a switch for the others (POST /api/v1/me/records/:id/switch);
// the home page marks the current record when there is more than one.  A
// record the server would not let in now (its batch closed or cancelled,
// the record locked) says why, in the server's words, instead of a switch.

import { KNOWN_STATES } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, errorRegion, showError } from '/common/dom.js';
import { state, withBusy, toast, go, loadMe, loadJourneyQuietly, bilingual } from './core.js';
import { confirmDialog } from './ui.js';
import './records-text.js';

const several = () => !!(state.me && state.me.records && state.me.records.length > 1);
const isCurrent = (r) => !!(state.me && r.id === state.me.current_record);

// The current record first, the others as the server lists them (newest first).
export function currentFirst(records) {
  return [...records].sort((a, b) => Number(isCurrent(b)) - Number(isCurrent(a)));
}

// The home card's mark: "当前学历" on the current one when there are several.
export function currentMark(r) {
  if (!several() || !isCurrent(r)) return null;
  return h('span', { class: 'tc-record__current', i18n: 'records.current_home' });
}

// Ask, switch, then show the home page of the record now current.
async function switchTo(r, err) {
  if (!(await confirmDialog('records.switch_confirm', 'records.switch_ok'))) return;
  try {
    await withBusy('records.switching', () => api.post(`/api/v1/me/records/${r.id}/switch`));
  } catch (e) {
    showError(err, e);
    return;
  }
  state.journey = null;
  await loadMe();
  await loadJourneyQuietly();
  toast('records.switched');
  go('home');
}

// The home card's switch, for a record that is not the current one.
export function homeSwitch(r) {
  if (!several() || isCurrent(r)) return null;
  const err = errorRegion();
  return h('div', { class: 'tc-record__switch' }, err,
    h('button', { type: 'button', class: 'weui-btn weui-btn_mini weui-btn_default tc-switch', i18n: 'records.switch_home', onclick: () => switchTo(r, err) }));
}

// The record a message is about, as a small label, when there are several
// (the message centre lists every record's messages together).
export function messageRecord(studentId) {
  if (!several() || !studentId) return null;
  const r = state.me.records.find((x) => x.id === studentId);
  if (!r) return null;
  return h('span', { class: 'tc-msg__record', text: [r.level, r.programme || r.batch].filter(Boolean).join(' · ') });
}

function stateText(s) {
  return s && KNOWN_STATES.includes(s) ? h('span', { class: 'tc-mine-record__state', i18n: 'state.' + s }) : null;
}

function recordCell(r, err) {
  const meta = [r.school, r.level, r.programme, r.batch].filter(Boolean).join(' · ');
  let ft;
  if (r.current) ft = h('span', { class: 'tc-mine-record__current', i18n: 'records.current' });
  else if (r.switchable) ft = h('button', { type: 'button', class: 'weui-btn weui-btn_mini weui-btn_primary tc-switch', i18n: 'records.switch', onclick: () => switchTo(r, err) });
  else ft = null;
  return h('div', { class: 'weui-cell tc-mine-record' + (r.current ? ' is-current' : ''), dataset: { id: String(r.id) }, 'aria-current': r.current ? 'true' : null },
    h('div', { class: 'weui-cell__bd' },
      h('p', { class: 'tc-mine-record__name', text: `${r.name_masked} · ${r.student_no || ''}` }),
      h('p', { class: 'tc-mine-record__meta', text: meta }),
      stateText(r.state),
      r.blocked ? bilingual(h('p', { class: 'tc-mine-record__blocked', role: 'note' }), r.blocked) : null),
    h('div', { class: 'weui-cell__ft' }, ft));
}

// 我的学历 on 我的: the records with the current one marked and the switch.
// Without the list (an older server, a failure) the records of GET /api/v1/me.
export async function mineRecords() {
  let records;
  try {
    records = (await api.get('/api/v1/me/records')).data.records;
  } catch {
    records = ((state.me && state.me.records) || []).map((r) => ({ ...r, current: isCurrent(r), switchable: false }));
  }
  const err = errorRegion();
  return h('div', { class: 'tc-mine-records' },
    records.length > 1 ? h('p', { class: 'weui-cells__tips tc-records-hint', i18n: 'records.hint' }) : null,
    err,
    h('div', { class: 'weui-cells' }, currentFirst(records).map((r) => recordCell(r, err))));
}
