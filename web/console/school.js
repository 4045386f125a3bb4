// School staff pages: schools, a school's batches, a batch (poster, roster import, students).
import { t, addMessages, getLang, setLang, onLangChange, localError, KNOWN_STATES } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, relabel, newId, fmtTime } from '/common/dom.js';
import {
  state, isPlatform, isReviewer, isSchoolStaff, route, go, home, field, input, button, submit, table, notice, stateLabel,
  panel, schools, schoolName, crumbs, announce, navItem, app,
} from './console.js';
import { schoolSettingsPanel, contactPanel, noticePanel, studentEditor } from './school-forms.js';

// ---- schools --------------------------------------------------------------------------------------------

route('schools', {
  title: 'schools.title', need: 'school_staff',
  async render() {
    await schools(true);
    const listBox = h('div');
    const draw = () => mount(listBox, table([
      { key: 'schools.name', id: 'name', value: (s) => h('a', { href: `#/school/${s.id}`, text: s.name }) },
      { key: 'schools.open', id: 'open', value: (s) => h('a', { href: `#/school/${s.id}`, class: 'c-link', i18n: 'schools.open' }), cls: 'c-col-narrow' },
    ], state.schools, { empty: 'schools.empty', cls: 'c-schools' }));
    draw();
    let create = null;
    if (isPlatform()) {
      const err = errorRegion();
      const msg = h('div');
      const name = input({ name: 'name', required: true, maxlength: '200' });
      const form = h('form', { class: 'c-inline-form', novalidate: true }, field('schools.name', name),
        submit('schools.create_submit'));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        showError(err, null);
        try {
          const r = await api.post('/api/v1/schools', { name: name.value.trim() });
          await schools(true);
          draw();
          name.value = '';
          mount(msg, notice('schools.created', { name: r.data.school.name }));
        } catch (e) { showError(err, e); }
      });
      create = panel('schools.create', form, err, msg);
    }
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'schools.title' }),
      h('section', { class: 'c-panel' }, listBox),
      create);
  },
});

// ---- a school's batches ---------------------------------------------------------------------------------

function toEpoch(v) { return v ? Math.floor(new Date(v).getTime() / 1000) : 0; }
const codeText = (c) => String(c || '').toUpperCase();

route('school', {
  title: 'batches.title', need: 'school_staff',
  async render(id) {
    await schools();
    const sid = Number(id);
    const box = h('div');
    const load = async () => {
      const r = await api.get(`/api/v1/schools/${sid}/batches`);
      mount(box, table([
        { key: 'batches.name', id: 'name', value: (b) => h('a', { href: `#/batch/${b.id}`, text: b.name }) },
        { key: 'batches.code', id: 'code', value: (b) => h('code', { class: 'c-code', text: codeText(b.code) }) },
        { key: 'batches.students', id: 'students', value: (b) => String(b.students), cls: 'c-num' },
        { key: 'batches.window', id: 'window', value: (b) => windowText(b) },
        { key: 'batches.qr', id: 'qr', value: (b) => h('img', { class: 'c-qr-thumb', src: `/api/v1/batches/${b.id}/qr.png`, width: '72', height: '72', loading: 'lazy', alt: t('batches.qr_alt', { code: codeText(b.code) }) }) },
        { key: 'batches.open', id: 'open', value: (b) => h('a', { href: `#/batch/${b.id}`, class: 'c-btn c-btn_default c-btn_small', i18n: 'batches.open' }) },
      ], r.data.batches, { empty: 'batches.empty', cls: 'c-batches' }));
    };
    await load();
    const err = errorRegion();
    const msg = h('div');
    const name = input({ name: 'name', required: true, maxlength: '200' });
    const starts = input({ name: 'starts_at', type: 'datetime-local' });
    const ends = input({ name: 'ends_at', type: 'datetime-local' });
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('batches.name', name), field('batches.starts', starts), field('batches.ends', ends),
      submit('batches.create_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        const r = await api.post(`/api/v1/schools/${sid}/batches`, {
          name: name.value.trim(), starts_at: toEpoch(starts.value), ends_at: toEpoch(ends.value),
        });
        name.value = ''; starts.value = ''; ends.value = '';
        mount(msg, notice('batches.created', { name: r.data.batch.name, code: codeText(r.data.batch.code) }));
        await load();
      } catch (e) { showError(err, e); }
    });
    return h('div', { class: 'c-page' },
      crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [null, schoolName(sid)]]),
      h('h1', { text: schoolName(sid) }),
      h('section', { class: 'c-panel' }, h('h2', { class: 'c-panel__title', i18n: 'batches.title' }), box),
      panel('batches.create', form, err, msg),
      await schoolSettingsPanel(sid),
      await contactPanel(sid),
      await noticePanel(sid));
  },
});

function windowText(b) {
  if (!b.starts_at && !b.ends_at) return h('span', { i18n: 'batches.any_time' });
  return `${fmtTime(b.starts_at) || '…'} – ${fmtTime(b.ends_at) || '…'}`;
}

// ---- a batch: poster, roster import, students ---------------------------------------------------------------

const FIELD_KEYS = {
  name: 'col.name', student_no: 'col.student_no', id_number: 'col.id_number', school: 'col.school', level: 'col.level',
  major: 'col.programme', programme: 'col.programme', department: 'col.department', class: 'col.class',
  class_name: 'col.class', phone: 'col.phone', chsi_code: 'col.chsi_code',
};

function issueTable(issues, titleKey, cls) {
  return table([
    { key: 'batch.row', id: 'row', value: (x) => String(x.row), cls: 'c-num' },
    { key: 'batch.field', id: 'field', value: (x) => (FIELD_KEYS[x.field] ? h('span', { i18n: FIELD_KEYS[x.field] }) : x.field) },
    { key: 'batch.message', id: 'message', value: (x) => h('span', { class: 'c-bilingual', dataset: { zh: x.zh, en: x.en }, text: getLang() === 'en' ? x.en : x.zh }) },
  ], issues, { caption: { key: titleKey, vars: { n: issues.length } }, cls });
}

// Server texts in both languages inside tables follow the switch.
onLangChange((l) => {
  for (const el of document.querySelectorAll('.c-bilingual')) el.textContent = l === 'en' ? el.dataset.en : el.dataset.zh;
});

function rosterPanel(batchId, onImported) {
  const err = errorRegion();
  const result = h('div', { class: 'c-roster-result', 'aria-live': 'polite' });
  const file = input({ type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const previewBtn = submit('batch.preview');
  const importBtn = button('batch.import', { class: 'c-btn c-btn_primary', hidden: true });
  const form = h('form', { class: 'c-inline-form', novalidate: true },
    field('batch.roster_file', file, 'batch.roster_tip'), previewBtn, importBtn);

  const send = async (dry) => {
    showError(err, null);
    const f = file.files[0];
    if (!f) { showError(err, localError('roster.no_file', 'batch.no_file')); file.focus(); return; }
    const fd = new FormData();
    fd.append('file', f, f.name);
    previewBtn.disabled = importBtn.disabled = true;
    try {
      const r = await api.postForm(`/api/v1/batches/${batchId}/roster${dry ? '?dry_run=1' : ''}`, fd);
      const d = r.data;
      const warnings = (d.report && d.report.warnings) || [];
      if (dry) {
        mount(result, notice('batch.preview_ok', { rows: d.rows }),
          table([
            { key: 'batch.row', id: 'row', value: (x) => String(x.row), cls: 'c-num' },
            { key: 'col.name', id: 'name', value: (x) => x.name },
            { key: 'col.student_no', id: 'student_no', value: (x) => x.student_no },
            { key: 'col.class', id: 'class', value: (x) => x.class_name },
          ], d.preview, { caption: { key: 'batch.preview_rows', vars: { n: d.preview.length } }, cls: 'c-preview' }),
          warnings.length ? issueTable(warnings, 'batch.warnings', 'c-warnings') : null);
        importBtn.hidden = false;
      } else {
        mount(result, notice('batch.imported', { rows: d.rows, inserted: d.inserted, updated: d.updated }), warnings.length ? issueTable(warnings, 'batch.warnings', 'c-warnings') : null);
        importBtn.hidden = true;
        file.value = '';
        await onImported();
      }
    } catch (e) {
      showError(err, e);
      importBtn.hidden = true;
      const rep = e.body && e.body.report;
      mount(result, rep && rep.errors && rep.errors.length ? issueTable(rep.errors, 'batch.errors', 'c-errors') : null);
    } finally {
      previewBtn.disabled = importBtn.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
  importBtn.addEventListener('click', () => send(false));
  // A new file must be previewed again before it can be imported.
  file.addEventListener('change', () => { importBtn.hidden = true; mount(result); showError(err, null); });
  return panel('batch.roster', form, err, result);
}

const PAGE = 50;

function studentsPanel(batchId, onChanged) {
  const err = errorRegion();
  const q = input({ type: 'search', name: 'q', autocomplete: 'off' });
  const filter = h('select', { class: 'c-input', name: 'filter' },
    ['all', 'unfinished', 'locked'].map((f) => h('option', { value: f, i18n: 'stu.f_' + f })));
  const box = h('div', { class: 'c-students' });
  let offset = 0;
  let timer = 0;
  let latest = 0; // answers can arrive out of order: only the newest is shown
  const editor = studentEditor(batchId, async () => { await load(); if (onChanged) await onChanged(); });
  const load = async () => {
    clearTimeout(timer);
    const mine = ++latest;
    showError(err, null);
    try {
      const r = await api.get(`/api/v1/batches/${batchId}/roster` + qs({ q: q.value.trim(), filter: filter.value === 'all' ? '' : filter.value, limit: PAGE, offset }));
      if (mine !== latest) return;
      const { total, students } = r.data;
      const pages = Math.max(1, Math.ceil(total / PAGE));
      const page = Math.floor(offset / PAGE) + 1;
      mount(box,
        h('p', { class: 'c-total', role: 'status', i18n: 'batch.total', i18nVars: { total } }),
        table([
          { key: 'col.name', id: 'name', value: (s) => s.name },
          { key: 'col.student_no', id: 'student_no', value: (s) => s.student_no },
          { key: 'col.id', id: 'id', value: (s) => h('span', { class: 'c-mono', text: s.id_masked }) },
          { key: 'col.level', id: 'level', value: (s) => s.level },
          { key: 'col.programme', id: 'programme', value: (s) => s.programme },
          { key: 'col.class', id: 'class', value: (s) => s.class_name },
          { key: 'col.phone', id: 'phone', value: (s) => s.phone },
          { key: 'col.state', id: 'state', value: (s) => h('span', { class: 'c-state-cell' }, stateLabel(s.state),
            s.locked ? h('span', { class: 'c-state c-state_locked', i18n: 'stu.locked' }) : null,
            s.paid ? h('span', { class: 'c-state c-state_paid', i18n: 'stu.paid' }) : null) },
          { key: 'col.actions', id: 'actions', value: (s) => h('span', { class: 'c-row-actions' },
            button('stu.edit', { class: 'c-btn c-btn_default c-btn_small', 'aria-label': t('stu.edit_label', { name: s.name }), onclick: () => editor.edit(s) }),
            button('student.unlock', { class: 'c-btn c-btn_default c-btn_small', onclick: () => unlock(s) }),
            button('student.reset', { class: 'c-btn c-btn_default c-btn_small', onclick: () => askReset(s) })) },
        ], students, { empty: 'batch.none', cls: 'c-student-table' }),
        pages > 1 ? h('div', { class: 'c-pager' },
          button('batch.prev', { disabled: page <= 1, onclick: () => { offset -= PAGE; load(); } }),
          h('span', { i18n: 'batch.page', i18nVars: { page, pages } }),
          button('batch.next', { disabled: page >= pages, onclick: () => { offset += PAGE; load(); } })) : null);
    } catch (e) { showError(err, e); }
  };
  // Unlock (clears both locks and the cool-off) and reset with a reason the
  // student is told; the server's refusals show in the panel's error region.
  const msg = h('div', { 'aria-live': 'polite' });
  const unlock = async (s) => {
    showError(err, null);
    mount(msg);
    try {
      await api.post(`/api/v1/students/${s.id}/unlock`);
      mount(msg, notice('student.unlocked', { name: s.name }));
      await load();
    } catch (e) { showError(err, e); }
  };
  const reason = h('textarea', { class: 'c-input', rows: '3', maxlength: '500' });
  const dlgErr = errorRegion();
  const dlgTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
  const dlgForm = h('form', { method: 'dialog', novalidate: true },
    dlgTitle, field('student.reset_reason', reason), dlgErr,
    h('div', { class: 'c-actions' }, submit('student.reset_submit'),
      button('student.cancel', { onclick: () => dlg.close() })));
  const dlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': dlgTitle.id }, dlgForm);
  let resetting = null;
  const askReset = (s) => {
    resetting = s;
    showError(dlgErr, null);
    reason.value = '';
    mount(dlgTitle, h('span', { i18n: 'student.reset_title', i18nVars: { name: s.name } }));
    dlg.showModal();
    reason.focus();
  };
  dlgForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(dlgErr, null);
    const s = resetting;
    try {
      // an empty reason goes to the server too: its refusal is the message
      await api.post(`/api/v1/students/${s.id}/reset`, { reason: reason.value.trim() });
      dlg.close();
      showError(err, null);
      mount(msg, notice('student.was_reset', { name: s.name }));
      await load();
    } catch (e) { showError(dlgErr, e); }
  });
  const form = h('form', { class: 'c-search c-search_roster', role: 'search', novalidate: true },
    field('batch.search', q, 'stu.search_tip'), field('stu.filter', filter), submit('batch.search_submit'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
  filter.addEventListener('change', () => { offset = 0; load(); });
  // Search as one types, once the typing pauses.
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { offset = 0; load(); }, 350); });
  return { node: panel('batch.students', form, err, msg, box, editor.addNode, dlg, editor.dlg), load };
}

// ---- progress, downloads and reminders (issue 7) ---------------------------------------------------------

addMessages({
  'progress.title': '采集进度', 'progress.class': '班级', 'progress.all': '合计', 'progress.no_class': '（未分班）',
  'progress.not_started': '未开始', 'progress.verified': '已验证', 'progress.drafts': '草稿', 'progress.pending_payment': '待支付',
  'progress.submitted': '已提交', 'progress.approved': '已通过', 'progress.rejected': '未通过', 'progress.final': '已制作',
  'progress.reset': '已重置', 'progress.paid': '已支付', 'progress.locked': '已锁定', 'progress.unfinished': '未完成',
  'progress.xlsx': '导出进度（XLSX）', 'progress.roster_xlsx': '导出名单（XLSX）', 'progress.zip_no': '导出照片（学号.jpg）',
  'progress.zip_id': '导出照片（身份证号.jpg）', 'progress.poster': '打印海报（PDF）', 'progress.remind': '提醒未完成的学生',
  'progress.reminded': '已提醒 {sent} 人；今天已提醒过 {recent} 人；未验证 {unverified} 人。',
}, {
  'progress.title': 'Progress', 'progress.class': 'Class', 'progress.all': 'All', 'progress.no_class': '(no class)',
  'progress.not_started': 'Not started', 'progress.verified': 'Verified', 'progress.drafts': 'Drafts', 'progress.pending_payment': 'To pay',
  'progress.submitted': 'Submitted', 'progress.approved': 'Approved', 'progress.rejected': 'Rejected', 'progress.final': 'Final',
  'progress.reset': 'Reset', 'progress.paid': 'Paid', 'progress.locked': 'Locked', 'progress.unfinished': 'Not finished',
  'progress.xlsx': 'Progress (XLSX)', 'progress.roster_xlsx': 'Roster (XLSX)', 'progress.zip_no': 'Photos (student no.)',
  'progress.zip_id': 'Photos (ID number)', 'progress.poster': 'Poster (PDF)', 'progress.remind': 'Remind students who have not finished',
  'progress.reminded': 'Reminded {sent}; {recent} were reminded today already; {unverified} never signed in.',
});

const COUNT_KEYS = ['not_started', 'verified', 'drafts', 'pending_payment', 'submitted', 'approved', 'rejected', 'final', 'reset', 'paid', 'locked', 'unfinished'];

async function progressPanel(bid) {
  const box = h('div', { class: 'c-progress' });
  const err = errorRegion();
  const msg = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const d = (await api.get(`/api/v1/batches/${bid}/progress`)).data;
    const rows = [...d.classes.map((c) => ({ label: c.class_name || t('progress.no_class'), c: c.counts })), { label: t('progress.all'), c: d.totals, all: true }];
    mount(box, table([
      { key: 'progress.class', id: 'class', value: (r) => r.label },
      { key: 'batches.students', id: 'total', value: (r) => String(r.c.total), cls: 'c-num' },
      ...COUNT_KEYS.map((k) => ({ key: 'progress.' + k, id: k, value: (r) => String(r.c[k] || 0), cls: 'c-num' })),
    ], rows, { cls: 'c-progress-table' }));
  };
  await load();
  const link = (href, key) => h('a', { href, class: 'c-btn c-btn_default c-btn_small', i18n: key, download: '' });
  const remind = button('progress.remind', { class: 'c-btn c-btn_primary c-btn_small' });
  remind.addEventListener('click', async () => {
    showError(err, null);
    try {
      const r = (await api.post(`/api/v1/batches/${bid}/remind`)).data;
      mount(msg, notice('progress.reminded', { sent: r.sent, recent: r.skipped_recent, unverified: r.skipped_unverified }));
      await load();
    } catch (e) { showError(err, e); }
  });
  return panel('progress.title', box,
    h('div', { class: 'c-actions c-downloads' },
      link(`/api/v1/batches/${bid}/progress.xlsx`, 'progress.xlsx'), link(`/api/v1/batches/${bid}/roster.xlsx`, 'progress.roster_xlsx'),
      link(`/api/v1/batches/${bid}/photos.zip?name=student_no`, 'progress.zip_no'), link(`/api/v1/batches/${bid}/photos.zip?name=id_number`, 'progress.zip_id'),
      link(`/api/v1/batches/${bid}/poster.pdf`, 'progress.poster'), remind),
    err, msg);
}

route('batch', {
  title: 'batch.students', need: 'school_staff',
  async render(id) {
    const bid = Number(id);
    const b = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
    await schools();
    const link = `${location.origin}/?batch=${b.code}`;
    const refreshCount = async () => {
      const fresh = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
      const count = app.querySelector('.c-batch-count');
      if (count) count.textContent = String(fresh.students);
    };
    const students = studentsPanel(bid, refreshCount);
    await students.load();
    const qrSrc = `/api/v1/batches/${bid}/qr.png`;
    return h('div', { class: 'c-page' },
      crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [`#/school/${b.school_id}`, schoolName(b.school_id)], [null, b.name]]),
      h('h1', { text: b.name }),
      h('section', { class: 'c-panel c-poster', 'aria-labelledby': 'poster-title' },
        h('img', { class: 'c-qr', src: qrSrc, width: '160', height: '160', alt: t('batches.qr_alt', { code: codeText(b.code) }) }),
        h('div', { class: 'c-poster__text' },
          h('h2', { class: 'c-panel__title', id: 'poster-title', i18n: 'batch.poster' }),
          h('dl', { class: 'c-facts' },
            h('dt', { i18n: 'batches.code' }), h('dd', null, h('code', { class: 'c-code c-code_big', text: codeText(b.code) })),
            h('dt', { i18n: 'batches.students' }), h('dd', { class: 'c-batch-count', text: String(b.students) }),
            h('dt', { i18n: 'batches.window' }), h('dd', null, windowText(b)),
            h('dt', { i18n: 'batch.link' }), h('dd', null, h('a', { href: link, text: link, target: '_blank', rel: 'noopener' }))),
          h('p', { class: 'c-field__tip', i18n: 'batch.poster_tip' }),
          h('div', { class: 'c-row-actions' },
            h('a', { href: qrSrc, download: `batch-${b.code}.png`, class: 'c-btn c-btn_default c-btn_small', i18n: 'batch.download_qr' }),
            h('a', { href: `#/batch-settings/${bid}`, class: 'c-btn c-btn_primary c-btn_small c-settings-link', i18n: 'sf.open' })))),
      await progressPanel(bid),
      rosterPanel(bid, async () => {
        await students.load();
        await refreshCount();
      }),
      students.node);
  },
});

navItem('schools', 'nav.schools', ['schools', 'school', 'batch', 'batch-settings'], isSchoolStaff, 10);
