// School staff pages: schools, a school's batches, a batch (poster, roster import, students).
import { t, addMessages, getLang, onLangChange, localError } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, newId, fmtTime } from '/common/dom.js';
import {
  state, isPlatform, isSchoolStaff, route, go, field, input, button, submit, table, notice, stateLabel, panel,
  schools, schoolName, crumbs, navItem, app,
} from './core.js';
import { schoolSettingsPanel, contactPanel, noticePanel, studentEditor } from './school-forms.js';

// ---- schools --------------------------------------------------------------------------------------------

route('schools', {
  title: 'schools.title', need: 'school_staff',
  async render() {
    await schools(true);
    // A school admin of one school has nothing to choose: straight to its
    // batches (the breadcrumb's 学校 link comes back here and goes on too).
    if (!isPlatform() && state.schools.length === 1) {
      go(`school/${state.schools[0].id}`, true);
      return h('div');
    }
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

addMessages({
  'erase.button': '删除个人信息', 'erase.label': '删除 {name} 的个人信息',
  'erase.title': '删除 {name}（{no}）的个人信息',
  'erase.goes': '将删除：该学生的全部照片（含原始照片和成片）、草稿、审核记录、同意记录、消息、手机号和邮箱等联系方式与通知设置；名单中的姓名、学号、身份证号和采集码将被清除。此操作不能撤销。',
  'erase.kept': '将保留：订单和付款记录（订单号、金额、时间），这是法律要求保存的。操作会记入审计日志。',
  'erase.type': '请输入学号 {no} 以确认。',
  'erase.confirm': '学号', 'erase.confirm_tip': '输入的学号与该学生一致后才能删除',
  'erase.submit': '永久删除', 'erase.done_state': '个人信息已删除',
  'erase.done': '已删除 {name}（{no}）的个人信息；依法保留订单 {orders} 笔。',
  'roster.good_n': '只导入无误的 {n} 行', 'roster.good': '只导入无误的行',
  'roster.good_tip': '默认全部无误才导入。也可以先导入无误的行，把有错误的行下载成 CSV，改正后再导入这个文件。',
  'roster.rejects': '下载有错误的行（CSV）',
  'roster.rejects_done': '已下载 {n} 行有错误的学生：在表格中改正后，重新导入这个文件即可（“错误原因”列会被忽略）。',
  'roster.imported_good': '已导入无误的 {ok} 行（新增 {inserted}，更新 {updated}）；{skipped} 行有错误，未导入。',
  'roster.skipped': '未导入的行（共 {n} 处错误）',
  'roster.export_full': '导出名单（含完整身份证号）', 'roster.template': '下载名单模板（XLSX，含示例行）',
  'roster.export_full_tip': '含完整身份证号的名单可修改后重新导入；每次导出都会记录在操作日志中。默认导出的名单身份证号已遮盖。',
}, {
  'erase.button': 'Erase personal data', 'erase.label': 'Erase the personal data of {name}',
  'erase.title': 'Erase the personal data of {name} ({no})',
  'erase.goes': 'Erased: every photo of the student (originals and final photos), drafts, review records, consent records, messages, phone, e-mail and notification choices; the roster\'s name, student number, ID number and CHSI code are cleared. This cannot be undone.',
  'erase.kept': 'Kept: orders and payment records (order numbers, amounts, times), as the law requires. The erasure is written to the audit log.',
  'erase.type': 'Type the student number {no} to confirm.',
  'erase.confirm': 'Student number', 'erase.confirm_tip': 'The erasure is possible once the number typed matches the student\'s',
  'erase.submit': 'Erase for good', 'erase.done_state': 'Personal data erased',
  'erase.done': 'Erased the personal data of {name} ({no}); {orders} order(s) kept as the law requires.',
  'roster.good_n': 'Import only the {n} rows without errors', 'roster.good': 'Import only the rows without errors',
  'roster.good_tip': 'By default nothing is imported unless every row is right. You can also import the rows without errors, download the others as CSV, correct them and import that file.',
  'roster.rejects': 'Download the rows with errors (CSV)',
  'roster.rejects_done': 'Downloaded {n} rows with errors: correct them in the spreadsheet and import that file (the error column is ignored).',
  'roster.imported_good': 'Imported the {ok} rows without errors ({inserted} new, {updated} updated); {skipped} rows with errors were not imported.',
  'roster.skipped': 'Rows not imported ({n} errors)',
  'roster.export_full': 'Roster with full ID numbers (XLSX)', 'roster.template': 'Download the roster template (XLSX, with an example row)',
  'roster.export_full_tip': 'The roster with full ID numbers can be corrected and imported again; every such export is recorded in the audit log. The default roster masks ID numbers.',
});

// Saves a downloaded blob under its name (the <a download> a browser honours).
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function rosterPanel(batchId, onImported) {
  const err = errorRegion();
  const result = h('div', { class: 'c-roster-result', 'aria-live': 'polite' });
  const file = input({ type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const previewBtn = submit('batch.preview');
  const importBtn = button('batch.import', { class: 'c-btn c-btn_primary', hidden: true });
  const form = h('form', { class: 'c-inline-form', novalidate: true },
    field('batch.roster_file', file, 'batch.roster_tip'), previewBtn, importBtn);
  // the template: the columns the import reads, with an example row
  const tplLink = h('a', {
    href: '/api/v1/roster/template.xlsx', class: 'c-link', download: '', i18n: 'roster.template', dataset: { act: 'roster-template' },
    onclick: (ev) => { ev.currentTarget.href = `/api/v1/roster/template.xlsx?lang=${getLang()}`; },
  });
  const formData = () => {
    const fd = new FormData();
    fd.append('file', file.files[0], file.files[0].name);
    return fd;
  };
  // The rows an import would refuse, as a CSV to fix (the server keeps
  // nothing: the same file goes up again).
  const rejects = async (btn) => {
    showError(err, null);
    btn.disabled = true;
    try {
      const r = await api.postFormFile(`/api/v1/batches/${batchId}/roster/rejects?lang=${getLang()}`, formData());
      const n = Number(r.headers.get('X-Bad-Rows') || 0);
      const base = file.files[0].name.replace(/\.(csv|xlsx)$/i, '');
      saveBlob(r.blob, `${base}-${getLang() === 'en' ? 'to-fix' : '待修改'}.csv`);
      btn.after(notice('roster.rejects_done', { n }));
    } catch (e) { showError(err, e); } finally { btn.disabled = false; }
  };
  const rejectsBtn = () => {
    const b = button('roster.rejects', { class: 'c-btn c-btn_default', dataset: { act: 'rejects' } });
    b.addEventListener('click', () => rejects(b));
    return b;
  };

  const send = async (mode) => {
    showError(err, null);
    const f = file.files[0];
    if (!f) { showError(err, localError('roster.no_file', 'batch.no_file')); file.focus(); return; }
    const dry = mode === 'dry';
    previewBtn.disabled = importBtn.disabled = true;
    try {
      const q = dry ? '?dry_run=1' : mode === 'good' ? '?mode=good' : '';
      const r = await api.postForm(`/api/v1/batches/${batchId}/roster${q}`, formData());
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
      } else if (d.good_only) {
        const errors = (d.report && d.report.errors) || [];
        mount(result, notice('roster.imported_good', { ok: d.inserted + d.updated, inserted: d.inserted, updated: d.updated, skipped: d.skipped }, d.skipped ? 'warn' : 'ok'),
          d.skipped ? h('div', { class: 'c-actions' }, rejectsBtn()) : null,
          errors.length ? issueTable(errors, 'roster.skipped', 'c-errors') : null,
          warnings.length ? issueTable(warnings, 'batch.warnings', 'c-warnings') : null);
        importBtn.hidden = true;
        await onImported();
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
      const errs = rep && rep.errors && rep.errors.length ? rep.errors : null;
      // some rows are right: offer to import them and to download the rest
      const good = rep && rep.rows > rep.bad_rows ? rep.rows - rep.bad_rows : 0;
      let offer = null;
      // the database's refusals stop at the first row: their count is not known yet
      const conflict = ['roster.chsi_taken', 'roster.conflict', 'roster.bad_code'].includes(e.code);
      if (errs && (e.code === 'roster.invalid' || conflict)) {
        const goodBtn = !good ? null : conflict
          ? button('roster.good', { class: 'c-btn c-btn_primary', dataset: { act: 'import-good' } })
          : button('roster.good_n', { class: 'c-btn c-btn_primary', i18nVars: { n: good }, dataset: { act: 'import-good' } });
        if (goodBtn) goodBtn.addEventListener('click', () => send('good'));
        offer = h('div', { class: 'c-roster-offer' },
          h('p', { class: 'c-field__tip', i18n: 'roster.good_tip' }),
          h('div', { class: 'c-actions' }, goodBtn, rejectsBtn()));
      }
      mount(result, offer, errs ? issueTable(errs, 'batch.errors', 'c-errors') : null);
    } finally {
      previewBtn.disabled = importBtn.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send('dry'); });
  importBtn.addEventListener('click', () => send('all'));
  // A new file must be previewed again before it can be imported.
  file.addEventListener('change', () => { importBtn.hidden = true; mount(result); showError(err, null); });
  return panel('batch.roster', h('p', { class: 'c-field__tip c-roster-template' }, tplLink), form, err, result);
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
  const eraser = eraseDialog(async (s, r) => {
    showError(err, null);
    mount(msg, notice('erase.done', { name: s.name, no: s.student_no, orders: r.kept.orders }));
    await load();
    if (onChanged) await onChanged();
  });
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
          { key: 'col.chsi', id: 'chsi', value: (s) => h('span', { class: 'c-chsi c-chsi_' + s.chsi_from, i18n: 'stu.chsi_' + (s.chsi_from || 'none') }) },
          { key: 'col.actions', id: 'actions', value: (s) => s.erased_at ? h('span', { class: 'c-state c-state_erased', i18n: 'erase.done_state' }) : h('span', { class: 'c-row-actions' },
            button('stu.edit', { class: 'c-btn c-btn_default c-btn_small', 'aria-label': t('stu.edit_label', { name: s.name }), onclick: () => editor.edit(s) }),
            button('student.unlock', { class: 'c-btn c-btn_default c-btn_small', onclick: () => unlock(s) }),
            button('student.reset', { class: 'c-btn c-btn_default c-btn_small', onclick: () => askReset(s) }),
            s.chsi_from && s.chsi_from !== 'none'
              ? button('stu.chsi_clear', { class: 'c-btn c-btn_default c-btn_small', 'aria-label': t('stu.chsi_clear_label', { name: s.name }), onclick: () => clearChsi(s) })
              : null,
            button('erase.button', { class: 'c-btn c-btn_warn c-btn_small c-erase', 'aria-label': t('erase.label', { name: s.name }), onclick: () => eraser.ask(s) })) },
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
      if (onChanged) await onChanged();
    } catch (e) { showError(err, e); }
  };
  // A wrongly bound 采集码 is cleared (audited on the server); the student
  // binds the right one at the next visit.
  const clearChsi = async (s) => {
    showError(err, null);
    mount(msg);
    if (!window.confirm(t('stu.chsi_clear_ask', { name: s.name }))) return;
    try {
      await api.del(`/api/v1/students/${s.id}/chsi`);
      mount(msg, notice('stu.chsi_cleared', { name: s.name }));
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
      if (onChanged) await onChanged();
    } catch (e) { showError(dlgErr, e); }
  });
  const form = h('form', { class: 'c-search c-search_roster', role: 'search', novalidate: true },
    field('batch.search', q, 'stu.search_tip'), field('stu.filter', filter), submit('batch.search_submit'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
  filter.addEventListener('change', () => { offset = 0; load(); });
  // Search as one types, once the typing pauses.
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { offset = 0; load(); }, 350); });
  return { node: panel('batch.students', form, err, msg, box, editor.addNode, dlg, editor.dlg, eraser.dlg), load };
}

// Erasing one student's personal data on request (issue 19 item 5): the
// school admin types the student number to confirm; what goes and what is
// kept (orders, as the law requires) is said before and after.
function eraseDialog(onDone) {
  const typed = input({ name: 'confirm', autocomplete: 'off', spellcheck: false });
  const err = errorRegion();
  const title = h('h2', { class: 'c-panel__title', id: newId('erase') });
  const what = h('div', { class: 'c-erase__what' });
  const go = submit('erase.submit', { class: 'c-btn c-btn_warn', disabled: true });
  const form = h('form', { method: 'dialog', novalidate: true }, title, what, field('erase.confirm', typed, 'erase.confirm_tip'), err,
    h('div', { class: 'c-actions' }, go, button('student.cancel', { onclick: () => dlg.close() })));
  const dlg = h('dialog', { class: 'c-dialog c-erase-dialog', 'aria-labelledby': title.id }, form);
  let who = null;
  typed.addEventListener('input', () => { go.disabled = typed.value.trim() !== who.student_no; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(err, null);
    try {
      const r = await api.post(`/api/v1/students/${who.id}/erase`, { confirm: typed.value.trim() });
      dlg.close();
      await onDone(who, r.data);
    } catch (e) { showError(err, e); }
  });
  const ask = (s) => {
    who = s;
    showError(err, null);
    typed.value = '';
    go.disabled = true;
    mount(title, h('span', { i18n: 'erase.title', i18nVars: { name: s.name, no: s.student_no } }));
    mount(what, h('p', { i18n: 'erase.goes' }), h('p', { i18n: 'erase.kept' }),
      h('p', { class: 'c-erase__no', i18n: 'erase.type', i18nVars: { no: s.student_no } }));
    dlg.showModal();
    typed.focus();
  };
  return { dlg, ask };
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

// The progress table, reloaded after every change on the batch page (an
// import, a student added or edited, an unlock or reset, reminders).
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
  // the exports speak the console's language (asked for when clicked)
  const link = (href, key, attrs = {}) => h('a', {
    href, class: 'c-btn c-btn_default c-btn_small', i18n: key, download: '', ...attrs,
    onclick: (ev) => { const u = new URL(href, location.href); u.searchParams.set('lang', getLang()); ev.currentTarget.href = u.pathname + u.search; },
  });
  const fullIds = state.staff && state.staff.role === 'school_admin'
    ? h('p', { class: 'c-field__tip c-export-full' },
      link(`/api/v1/batches/${bid}/roster.xlsx?ids=full`, 'roster.export_full', { dataset: { act: 'export-full' } }), ' ',
      h('span', { i18n: 'roster.export_full_tip' }))
    : null;
  const remind = button('progress.remind', { class: 'c-btn c-btn_primary c-btn_small' });
  remind.addEventListener('click', async () => {
    showError(err, null);
    try {
      const r = (await api.post(`/api/v1/batches/${bid}/remind`)).data;
      mount(msg, notice('progress.reminded', { sent: r.sent, recent: r.skipped_recent, unverified: r.skipped_unverified }));
      await load();
    } catch (e) { showError(err, e); }
  });
  const node = panel('progress.title', box,
    h('div', { class: 'c-actions c-downloads' },
      link(`/api/v1/batches/${bid}/progress.xlsx`, 'progress.xlsx'), link(`/api/v1/batches/${bid}/roster.xlsx`, 'progress.roster_xlsx'),
      link(`/api/v1/batches/${bid}/photos.zip?name=student_no`, 'progress.zip_no'), link(`/api/v1/batches/${bid}/photos.zip?name=id_number`, 'progress.zip_id'),
      link(`/api/v1/batches/${bid}/poster.pdf`, 'progress.poster'),
      h('a', { href: `#/export/${bid}`, class: 'c-btn c-btn_primary c-btn_small', i18n: 'export.open', dataset: { act: 'export-page' } }), remind),
    fullIds, err, msg);
  return { node, load };
}

route('batch', {
  title: 'batch.students', need: 'school_staff',
  async render(id) {
    const bid = Number(id);
    const b = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
    await schools();
    const link = `${location.origin}/?batch=${b.code}`;
    let progress = null;
    const refreshCount = async () => {
      const fresh = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
      const count = app.querySelector('.c-batch-count');
      if (count) count.textContent = String(fresh.students);
      if (progress) await progress.load();
    };
    const students = studentsPanel(bid, refreshCount);
    await students.load();
    const qrSrc = `/api/v1/batches/${bid}/qr.png`;
    progress = await progressPanel(bid);
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
      progress.node,
      rosterPanel(bid, async () => {
        await students.load();
        await refreshCount();
      }),
      students.node);
  },
});

navItem('schools', 'nav.schools', ['schools', 'school', 'batch', 'batch-settings'], isSchoolStaff, 10);
