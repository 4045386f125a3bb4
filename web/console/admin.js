// Platform admin pages: staff accounts and schools (disable/enable, reset
// password, role and school, rename), the rejection reason catalogue,
// specs (custom ones added, edited, deleted), and the audit log.  Every change is audit-logged by the server.
import { t, addMessages, getLang, onLangChange, KNOWN_STATES } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError, newId, fmtTime } from '/common/dom.js';
import {
  state, isPlatform, route, field, input, button, submit, table, notice, panel, schools, schoolName, navItem,
} from './core.js';
import { AUDIT_ACTIONS, AUDIT_FIELDS, AUDIT_VALUES, AUDIT_BATCH_CODE_TARGET, auditDiff } from './words.js';

// ---- staff accounts (platform admins) -------------------------------------------------------------------------

const ROLES = ['school_admin', 'reviewer', 'platform_admin'];

// A dialog is in the document only while open, so that its fields never
// share labels with the page's own forms.
function showDialog(dlg) {
  document.body.append(dlg);
  dlg.addEventListener('close', () => dlg.remove(), { once: true });
  dlg.showModal();
}


route('accounts', {
  title: 'accounts.title', need: 'platform',
  async render() {
    await schools(true);
    const box = h('div');
    const load = async () => {
      const r = await api.get('/api/v1/staff/accounts');
      mount(box, table([
        { key: 'accounts.username', id: 'username', value: (s) => s.username },
        { key: 'accounts.role', id: 'role', value: (s) => h('span', { i18n: 'role.' + s.role }) },
        { key: 'accounts.school', id: 'school', value: (s) => (s.school_id ? schoolName(s.school_id) : '') },
        { key: 'accounts.status', id: 'status', value: (s) => h('span', { i18n: s.disabled ? 'accounts.disabled' : s.must_change_password ? 'accounts.must_change' : 'accounts.active' }) },
        { key: 'col.actions', id: 'actions', value: (s) => (s.id === state.staff.id ? '' : h('span', { class: 'c-row-actions' },
          button(s.disabled ? 'accounts.enable' : 'accounts.disable', { class: 'c-btn c-btn_default c-btn_small', onclick: () => toggle(s) }),
          button('accounts.reset_pw', { class: 'c-btn c-btn_default c-btn_small', onclick: () => ask(s, 'password') }),
          button('accounts.edit', { class: 'c-btn c-btn_default c-btn_small', onclick: () => ask(s, 'edit') }))) },
      ], r.data.staff, { cls: 'c-accounts' }));
    };
    const toggle = async (s) => {
      showError(err, null);
      try {
        await api.post(`/api/v1/admin/staff/${s.id}`, { disabled: !s.disabled });
        mount(msg, notice(s.disabled ? 'accounts.enabled' : 'accounts.disabled_done', { username: s.username }));
        await load();
      } catch (e) { showError(err, e); }
    };
    // one dialog for "reset password" and "change role / school"
    const dlgErr = errorRegion();
    const dlgTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
    const dlgPw = input({ name: 'new_password', type: 'text', minlength: '10', autocomplete: 'off', spellcheck: 'false' });
    const dlgRole = h('select', { class: 'c-input', name: 'role' }, ROLES.map((r) => h('option', { value: r, i18n: 'role.' + r })));
    const dlgSchool = h('select', { class: 'c-input', name: 'school_id' }, state.schools.map((x) => h('option', { value: String(x.id), text: x.name })));
    const pwField = field('accounts.new_password', dlgPw, 'pw.rule');
    const roleField = field('accounts.role', dlgRole);
    const schoolField2 = field('accounts.school', dlgSchool);
    dlgRole.addEventListener('change', () => { schoolField2.hidden = dlgRole.value !== 'school_admin'; });
    const dlgForm = h('form', { method: 'dialog', novalidate: true }, dlgTitle, pwField, roleField, schoolField2, dlgErr,
      h('div', { class: 'c-actions' }, submit('accounts.save'), button('student.cancel', { onclick: () => dlg.close() })));
    const dlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': dlgTitle.id }, dlgForm);
    let editing = null;
    const ask = (s, what) => {
      editing = { s, what };
      showError(dlgErr, null);
      mount(dlgTitle, h('span', { i18n: what === 'password' ? 'accounts.reset_title' : 'accounts.edit_title', i18nVars: { username: s.username } }));
      pwField.hidden = what !== 'password';
      roleField.hidden = what !== 'edit';
      dlgPw.value = '';
      dlgRole.value = s.role;
      if (s.school_id) dlgSchool.value = String(s.school_id);
      schoolField2.hidden = what !== 'edit' || s.role !== 'school_admin';
      showDialog(dlg);
      (what === 'password' ? dlgPw : dlgRole).focus();
    };
    dlgForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(dlgErr, null);
      const { s, what } = editing;
      try {
        if (what === 'password') {
          await api.post(`/api/v1/admin/staff/${s.id}/password`, { password: dlgPw.value });
          mount(msg, notice('accounts.pw_reset', { username: s.username }));
        } else {
          const body = { role: dlgRole.value };
          if (dlgRole.value === 'school_admin') body.school_id = Number(dlgSchool.value);
          await api.post(`/api/v1/admin/staff/${s.id}`, body);
          mount(msg, notice('accounts.saved', { username: s.username }));
        }
        dlg.close();
        await load();
      } catch (e) { showError(dlgErr, e); }
    });
    const err = errorRegion();
    const msg = h('div', { 'aria-live': 'polite' });
    await load();
    const username = input({ name: 'username', required: true, minlength: '3', maxlength: '64', autocomplete: 'off' });
    const role = h('select', { class: 'c-input', name: 'role' },
      ROLES.map((r) => h('option', { value: r, i18n: 'role.' + r })));
    const school = h('select', { class: 'c-input', name: 'school_id' },
      state.schools.map((s) => h('option', { value: String(s.id), text: s.name })));
    const pw = input({ name: 'password', type: 'text', required: true, minlength: '10', autocomplete: 'off', spellcheck: 'false' });
    const schoolField = field('accounts.school', school);
    const sync = () => { schoolField.hidden = role.value !== 'school_admin'; };
    role.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('accounts.username', username), field('accounts.role', role), schoolField,
      field('accounts.password', pw, 'pw.rule'), submit('accounts.create_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      const body = { username: username.value.trim(), role: role.value, password: pw.value };
      if (role.value === 'school_admin') body.school_id = Number(school.value);
      try {
        const r = await api.post('/api/v1/staff/accounts', body);
        mount(msg, notice('accounts.created', { username: r.data.staff.username }));
        username.value = ''; pw.value = '';
        await load();
      } catch (e) { showError(err, e); }
    });
    // schools: rename (the school admin's school list shows the new name)
    const schoolBox = h('div');
    const drawSchools = () => mount(schoolBox, table([
      { key: 'col.school', id: 'name', value: (x) => x.name },
      { key: 'col.actions', id: 'actions', value: (x) => button('schools.rename', { class: 'c-btn c-btn_default c-btn_small', onclick: () => rename(x) }) },
    ], state.schools, { empty: 'schools.empty', cls: 'c-school-names' }));
    const rnErr = errorRegion();
    const rnTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
    const rnName = input({ name: 'school_name', maxlength: '200' });
    const rnForm = h('form', { method: 'dialog', novalidate: true }, rnTitle, field('schools.name', rnName), rnErr,
      h('div', { class: 'c-actions' }, submit('accounts.save'), button('student.cancel', { onclick: () => rnDlg.close() })));
    const rnDlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': rnTitle.id }, rnForm);
    let renaming = null;
    const rename = (x) => {
      renaming = x;
      showError(rnErr, null);
      mount(rnTitle, h('span', { i18n: 'schools.rename_title', i18nVars: { name: x.name } }));
      rnName.value = x.name;
      showDialog(rnDlg);
      rnName.select();
    };
    rnForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(rnErr, null);
      try {
        await api.post(`/api/v1/admin/schools/${renaming.id}`, { name: rnName.value.trim() });
        rnDlg.close();
        mount(msg, notice('schools.renamed', { name: rnName.value.trim() }));
        await schools(true);
        drawSchools();
        await load();
      } catch (e) { showError(rnErr, e); }
    });
    drawSchools();
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'accounts.title' }),
      h('section', { class: 'c-panel' }, msg, err, box),
      panel('accounts.create', form),
      panel('schools.title', schoolBox));
  },
});

navItem('accounts', 'nav.accounts', ['accounts'], isPlatform, 30);

addMessages({
  'accounts.disabled': '已禁用',
  'accounts.disable': '禁用',
  'accounts.enable': '启用',
  'accounts.disabled_done': '已禁用账号 {username}',
  'accounts.enabled': '已启用账号 {username}',
  'accounts.reset_pw': '重置密码',
  'accounts.reset_title': '重置 {username} 的密码',
  'accounts.new_password': '新的初始密码（下次登录须修改）',
  'accounts.pw_reset': '已重置 {username} 的密码，下次登录时须修改。',
  'accounts.edit': '修改角色',
  'accounts.edit_title': '修改 {username} 的角色和学校',
  'accounts.save': '保存',
  'accounts.saved': '已保存 {username}',
  'schools.rename': '改名',
  'schools.rename_title': '修改学校名称：{name}',
  'schools.renamed': '学校已改名为 {name}',
  'col.actions': '操作',
  'nav.reasons': '驳回原因',
  'reasons.title': '驳回原因目录',
  'reasons.lead': '审核员驳回照片时从此目录中选择原因，学生会看到原因的说明。停用的原因不再提供，已驳回的照片保留当时的说明。',
  'reasons.code': '代码',
  'reasons.zh': '中文说明',
  'reasons.en': '英文说明',
  'reasons.sort': '排序',
  'reasons.active': '状态',
  'reasons.on': '启用',
  'reasons.off': '已停用',
  'reasons.add': '新增原因',
  'reasons.add_submit': '新增',
  'reasons.added': '已新增原因 {code}',
  'reasons.edit': '编辑',
  'reasons.edit_title': '编辑原因 {code}',
  'reasons.deactivate': '停用',
  'reasons.activate': '启用',
  'reasons.saved': '已保存原因 {code}',
  'nav.specs': '照片规格',
  'specs.title': '照片规格',
  'specs.builtin': '内置规格',
  'specs.custom': '自定义规格',
  'specs.name': '名称',
  'specs.zh': '中文名',
  'specs.px': '像素',
  'specs.mm': '尺寸（毫米）',
  'specs.dpi': '分辨率（dpi）',
  'specs.kb': '文件大小（KB）',
  'specs.add': '新增自定义规格',
  'specs.add_tip': '名称用于批次设置（小写字母、数字、下划线）。尺寸可按像素或毫米填写；毫米按分辨率换算为像素。',
  'specs.width': '宽',
  'specs.height': '高',
  'specs.unit': '单位',
  'specs.add_submit': '新增',
  'specs.added': '已新增规格 {name}（{w}×{h} 像素）',
  'specs.none': '还没有自定义规格',
  'specs.edit': '编辑',
  'specs.edit_title': '编辑规格 {name}',
  'specs.edit_tip': '修改只影响此后拍摄的照片；已拍摄的照片保留原来的像素。',
  'specs.name_fixed': '名称不能修改：批次设置按名称选用规格。',
  'specs.saved': '已保存规格 {name}（{w}×{h} 像素）',
  'specs.delete': '删除',
  'specs.delete_title': '删除规格 {name}？',
  'specs.delete_tip': '已拍摄的照片不受影响。仍有学校默认设置或批次设置选用此规格时不能删除，请先改用其他规格。',
  'specs.delete_submit': '删除',
  'specs.deleted': '已删除规格 {name}',
  'nav.audit': '操作日志',
  'audit.title': '操作日志',
  'audit.staff': '账号',
  'audit.action': '操作',
  'audit.target': '对象',
  'audit.from': '开始日期',
  'audit.to': '结束日期',
  'audit.q': '包含文字',
  'audit.search': '查询',
  'audit.at': '时间',
  'audit.before': '修改前',
  'audit.after': '修改后',
  'audit.ip': 'IP',
  'audit.total': '共 {total} 条',
  'audit.none': '没有符合条件的记录',
}, {
  'accounts.disabled': 'Disabled',
  'accounts.disable': 'Disable',
  'accounts.enable': 'Enable',
  'accounts.disabled_done': 'Account {username} disabled',
  'accounts.enabled': 'Account {username} enabled',
  'accounts.reset_pw': 'Reset password',
  'accounts.reset_title': 'Reset the password of {username}',
  'accounts.new_password': 'New initial password (to be changed at next sign-in)',
  'accounts.pw_reset': 'Password of {username} reset; it must be changed at the next sign-in.',
  'accounts.edit': 'Change role',
  'accounts.edit_title': 'Role and school of {username}',
  'accounts.save': 'Save',
  'accounts.saved': 'Saved {username}',
  'schools.rename': 'Rename',
  'schools.rename_title': 'Rename the school {name}',
  'schools.renamed': 'School renamed to {name}',
  'col.actions': 'Actions',
  'nav.reasons': 'Reasons',
  'reasons.title': 'Rejection reasons',
  'reasons.lead': 'Reviewers choose from this catalogue when they reject a photo; the student sees the wording. A deactivated reason is no longer offered; rejected photos keep the wording they were given.',
  'reasons.code': 'Code',
  'reasons.zh': 'Chinese wording',
  'reasons.en': 'English wording',
  'reasons.sort': 'Order',
  'reasons.active': 'Status',
  'reasons.on': 'Active',
  'reasons.off': 'Deactivated',
  'reasons.add': 'New reason',
  'reasons.add_submit': 'Add',
  'reasons.added': 'Reason {code} added',
  'reasons.edit': 'Edit',
  'reasons.edit_title': 'Edit reason {code}',
  'reasons.deactivate': 'Deactivate',
  'reasons.activate': 'Activate',
  'reasons.saved': 'Reason {code} saved',
  'nav.specs': 'Photo specs',
  'specs.title': 'Photo specs',
  'specs.builtin': 'Built-in specs',
  'specs.custom': 'Custom specs',
  'specs.name': 'Name',
  'specs.zh': 'Chinese name',
  'specs.px': 'Pixels',
  'specs.mm': 'Size (mm)',
  'specs.dpi': 'DPI',
  'specs.kb': 'File size (KB)',
  'specs.add': 'New custom spec',
  'specs.add_tip': 'The name is what batch settings use (lower-case letters, digits, _). Give the size in pixels or in millimetres (converted at the DPI).',
  'specs.width': 'Width',
  'specs.height': 'Height',
  'specs.unit': 'Unit',
  'specs.add_submit': 'Add',
  'specs.added': 'Spec {name} added ({w}×{h} px)',
  'specs.none': 'No custom specs yet',
  'specs.edit': 'Edit',
  'specs.edit_title': 'Edit spec {name}',
  'specs.edit_tip': 'A change affects only photos made from now on; photos already made keep their pixels.',
  'specs.name_fixed': 'The name cannot change: batch settings choose specs by name.',
  'specs.saved': 'Spec {name} saved ({w}×{h} px)',
  'specs.delete': 'Delete',
  'specs.delete_title': 'Delete spec {name}?',
  'specs.delete_tip': 'Photos already made are not affected. A spec that a school default or a batch setting still chooses cannot be deleted: choose another spec there first.',
  'specs.delete_submit': 'Delete',
  'specs.deleted': 'Spec {name} deleted',
  'nav.audit': 'Audit log',
  'audit.title': 'Audit log',
  'audit.staff': 'Account',
  'audit.action': 'Action',
  'audit.target': 'Target',
  'audit.from': 'From',
  'audit.to': 'To',
  'audit.q': 'Containing',
  'audit.search': 'Search',
  'audit.at': 'Time',
  'audit.before': 'Before',
  'audit.after': 'After',
  'audit.ip': 'IP',
  'audit.total': '{total} entries',
  'audit.none': 'No matching entries',
});

// ---- the reason catalogue ----------------------------------------------------------------------------------

route('reasons', {
  title: 'reasons.title', need: 'platform',
  async render() {
    const err = errorRegion();
    const msg = h('div', { 'aria-live': 'polite' });
    const box = h('div');
    const load = async () => {
      const r = await api.get('/api/v1/admin/reasons');
      mount(box, table([
        { key: 'reasons.code', id: 'code', value: (x) => h('code', { text: x.code }) },
        { key: 'reasons.zh', id: 'zh', value: (x) => x.zh },
        { key: 'reasons.en', id: 'en', value: (x) => x.en },
        { key: 'reasons.sort', id: 'sort', value: (x) => String(x.sort), cls: 'c-num' },
        { key: 'reasons.active', id: 'active', value: (x) => h('span', { i18n: x.active ? 'reasons.on' : 'reasons.off' }) },
        { key: 'col.actions', id: 'actions', value: (x) => h('span', { class: 'c-row-actions' },
          button('reasons.edit', { class: 'c-btn c-btn_default c-btn_small', onclick: () => edit(x) }),
          button(x.active ? 'reasons.deactivate' : 'reasons.activate', { class: 'c-btn c-btn_default c-btn_small', onclick: () => save(x, { active: !x.active }) })) },
      ], r.data.reasons, { cls: 'c-reason-table' }));
    };
    const save = async (x, body) => {
      showError(err, null);
      try {
        await api.post(`/api/v1/admin/reasons/${encodeURIComponent(x.code)}`, body);
        // the table first, then the notice: the notice says the row shows it
        await load();
        mount(msg, notice('reasons.saved', { code: x.code }));
        return true;
      } catch (e) { showError(dlg.open ? dlgErr : err, e); return false; }
    };
    const dlgErr = errorRegion();
    const dlgTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
    const ezh = input({ name: 'zh', maxlength: '200' });
    const een = input({ name: 'en', maxlength: '300' });
    const esort = input({ name: 'sort', type: 'number', min: '0' });
    const dlgForm = h('form', { method: 'dialog', novalidate: true }, dlgTitle, field('reasons.zh', ezh), field('reasons.en', een),
      field('reasons.sort', esort), dlgErr,
      h('div', { class: 'c-actions' }, submit('accounts.save'), button('student.cancel', { onclick: () => dlg.close() })));
    const dlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': dlgTitle.id }, dlgForm);
    let editing = null;
    const edit = (x) => {
      editing = x;
      showError(dlgErr, null);
      mount(dlgTitle, h('span', { i18n: 'reasons.edit_title', i18nVars: { code: x.code } }));
      ezh.value = x.zh; een.value = x.en; esort.value = String(x.sort);
      showDialog(dlg);
      ezh.focus();
    };
    dlgForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(dlgErr, null);
      if (await save(editing, { zh: ezh.value.trim(), en: een.value.trim(), sort: Number(esort.value) })) dlg.close();
    });
    const code = input({ name: 'code', maxlength: '31', autocomplete: 'off', spellcheck: 'false' });
    const zh = input({ name: 'zh', maxlength: '200' });
    const en = input({ name: 'en', maxlength: '300' });
    const sort = input({ name: 'sort', type: 'number', min: '0', value: '1000' });
    const addErr = errorRegion();
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('reasons.code', code), field('reasons.zh', zh), field('reasons.en', en), field('reasons.sort', sort), submit('reasons.add_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(addErr, null);
      try {
        const added = code.value.trim();
        await api.post('/api/v1/admin/reasons', { code: added, zh: zh.value.trim(), en: en.value.trim(), sort: Number(sort.value || 0) });
        code.value = zh.value = en.value = '';
        await load();
        mount(msg, notice('reasons.added', { code: added }));
      } catch (e) { showError(addErr, e); }
    });
    await load();
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'reasons.title' }),
      h('p', { class: 'c-field__tip', i18n: 'reasons.lead' }),
      h('section', { class: 'c-panel' }, msg, err, box),
      panel('reasons.add', form, addErr));
  },
});

// ---- specs ------------------------------------------------------------------------------------------------------

route('specs', {
  title: 'specs.title', need: 'platform',
  async render() {
    const msg = h('div', { 'aria-live': 'polite' });
    const builtinBox = h('div');
    const customBox = h('div');
    const cols = [
      { key: 'specs.name', id: 'name', value: (x) => h('code', { text: x.name }) },
      { key: 'specs.zh', id: 'zh', value: (x) => x.zh },
      { key: 'specs.px', id: 'px', value: (x) => `${x.width} × ${x.height}` },
      { key: 'specs.mm', id: 'mm', value: (x) => `${x.width_mm.toFixed(1)} × ${x.height_mm.toFixed(1)}` },
      { key: 'specs.dpi', id: 'dpi', value: (x) => String(Math.round(x.dpi)) },
      { key: 'specs.kb', id: 'kb', value: (x) => (Array.isArray(x.kb) && (x.kb[0] || x.kb[1]) ? `${x.kb[0] ?? ''}–${x.kb[1] ?? ''}` : '') },
    ];
    // built-in specs are part of the program: only custom rows get actions
    const actions = { key: 'col.actions', id: 'actions', value: (x) => h('span', { class: 'c-row-actions' },
      button('specs.edit', { class: 'c-btn c-btn_default c-btn_small', onclick: () => edit(x) }),
      button('specs.delete', { class: 'c-btn c-btn_default c-btn_small', onclick: () => askDelete(x) })) };
    const load = async () => {
      const r = await api.get('/api/v1/admin/specs');
      mount(builtinBox, table(cols, r.data.builtin, { cls: 'c-spec-table c-spec-table_builtin' }));
      mount(customBox, table([...cols, actions], r.data.custom, { cls: 'c-spec-table c-spec-table_custom', empty: 'specs.none' }));
    };

    // The size fields, built twice: for the add form and the edit dialog
    // (the dialog is in the document only while open, so labels never clash).
    const sizeFields = () => {
      const f = {
        zh: input({ name: 'zh', maxlength: '60' }),
        w: input({ name: 'width', type: 'number', min: '1', step: 'any' }),
        hh: input({ name: 'height', type: 'number', min: '1', step: 'any' }),
        unit: h('select', { class: 'c-input', name: 'unit' }, h('option', { value: 'mm', text: 'mm' }), h('option', { value: 'px', text: 'px' })),
        dpi: input({ name: 'dpi', type: 'number', min: '72', max: '1200', value: '300' }),
      };
      f.fields = () => [field('specs.zh', f.zh), field('specs.width', f.w), field('specs.height', f.hh), field('specs.unit', f.unit), field('specs.dpi', f.dpi)];
      f.body = () => ({ zh: f.zh.value.trim(), width: Number(f.w.value), height: Number(f.hh.value), unit: f.unit.value, dpi: Number(f.dpi.value) });
      // A stored spec as the admin typed it: millimetres when they give back
      // the same pixels (the server rounds mm * dpi / 25.4 as Math.round
      // does), else pixels, which are always exact.
      f.fill = (x) => {
        const mm = (v) => Number(v.toFixed(1));
        const back = (v) => Math.round(mm(v) * x.dpi / 25.4);
        const inMm = back(x.width_mm) === x.width && back(x.height_mm) === x.height;
        f.zh.value = x.zh;
        f.unit.value = inMm ? 'mm' : 'px';
        f.w.value = String(inMm ? mm(x.width_mm) : x.width);
        f.hh.value = String(inMm ? mm(x.height_mm) : x.height);
        f.dpi.value = String(x.dpi);
      };
      return f;
    };

    // add
    const err = errorRegion();
    const name = input({ name: 'name', maxlength: '31', autocomplete: 'off', spellcheck: 'false' });
    const add = sizeFields();
    const form = h('form', { class: 'c-inline-form', novalidate: true },
      field('specs.name', name), add.fields(), submit('specs.add_submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(err, null);
      try {
        const r = await api.post('/api/v1/admin/specs', { name: name.value.trim(), ...add.body() });
        mount(msg, notice('specs.added', { name: r.data.spec.name, w: r.data.spec.width, h: r.data.spec.height }));
        name.value = add.zh.value = add.w.value = add.hh.value = '';
        await load();
      } catch (e) { showError(err, e); }
    });

    // edit: the same fields, filled in; the name is shown but fixed
    const edErr = errorRegion();
    const edTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
    const edName = input({ name: 'name', readonly: true, spellcheck: 'false' });
    const ed = sizeFields();
    const edForm = h('form', { method: 'dialog', novalidate: true }, edTitle,
      h('p', { class: 'c-field__tip', i18n: 'specs.edit_tip' }),
      field('specs.name', edName, 'specs.name_fixed'), ed.fields(), edErr,
      h('div', { class: 'c-actions' }, submit('accounts.save'), button('student.cancel', { onclick: () => edDlg.close() })));
    const edDlg = h('dialog', { class: 'c-dialog', 'aria-labelledby': edTitle.id }, edForm);
    let editing = null;
    const edit = (x) => {
      editing = x;
      showError(edErr, null);
      mount(edTitle, h('span', { i18n: 'specs.edit_title', i18nVars: { name: x.name } }));
      edName.value = x.name;
      ed.fill(x);
      showDialog(edDlg);
      ed.zh.focus();
    };
    edForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(edErr, null);
      try {
        const r = await api.put(`/api/v1/admin/specs/${encodeURIComponent(editing.name)}`, ed.body());
        edDlg.close();
        mount(msg, notice('specs.saved', { name: r.data.spec.name, w: r.data.spec.width, h: r.data.spec.height }));
        await load();
      } catch (e) { showError(edErr, e); }
    });

    // delete: asks first; while a school or batch chooses the spec the
    // server refuses (spec.in_use) and its message, naming where, shows here
    const delErr = errorRegion();
    const delTitle = h('h2', { class: 'c-panel__title', id: newId('dlg') });
    const delForm = h('form', { method: 'dialog', novalidate: true }, delTitle,
      h('p', { i18n: 'specs.delete_tip' }), delErr,
      h('div', { class: 'c-actions' }, submit('specs.delete_submit', { class: 'c-btn c-btn_warn' }),
        button('student.cancel', { onclick: () => delDlg.close() })));
    const delDlg = h('dialog', { class: 'c-dialog', role: 'alertdialog', 'aria-labelledby': delTitle.id }, delForm);
    let deleting = null;
    const askDelete = (x) => {
      deleting = x;
      showError(delErr, null);
      mount(delTitle, h('span', { i18n: 'specs.delete_title', i18nVars: { name: x.name } }));
      showDialog(delDlg);
      delForm.querySelector('button[type="button"]').focus(); // "cancel" first: deleting is the deliberate choice
    };
    delForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(delErr, null);
      try {
        await api.del(`/api/v1/admin/specs/${encodeURIComponent(deleting.name)}`);
        delDlg.close();
        mount(msg, notice('specs.deleted', { name: deleting.name }));
        await load();
      } catch (e) { showError(delErr, e); }
    });

    await load();
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'specs.title' }),
      panel('specs.custom', msg, customBox),
      panel('specs.add', h('p', { class: 'c-field__tip', i18n: 'specs.add_tip' }), form, err),
      panel('specs.builtin', builtinBox));
  },
});

// ---- the audit log --------------------------------------------------------------------------------------------------

// Actions, fields and values in the console's language (words.js); the
// before/after texts become "field: old → new" lines for what changed.
const L = () => (getLang() === 'en' ? 1 : 0);
addMessages(
  Object.fromEntries(Object.entries(AUDIT_ACTIONS).map(([k, v]) => ['audit.a.' + k, v[0]])),
  Object.fromEntries(Object.entries(AUDIT_ACTIONS).map(([k, v]) => ['audit.a.' + k, v[1]])));
addMessages(
  Object.fromEntries(Object.entries(AUDIT_FIELDS).map(([k, v]) => ['audit.f.' + k, v[0]])),
  Object.fromEntries(Object.entries(AUDIT_FIELDS).map(([k, v]) => ['audit.f.' + k, v[1]])));
addMessages({
  'audit.change': '修改内容', 'audit.all_actions': '全部操作', 'audit.colon': '：', 'audit.a_other': '其他操作', 'audit.yes': '是', 'audit.no': '否', 'audit.empty': '（空）',
  'audit.t.batch_code': '批次 {code}', 'audit.t.student': '学生 #{id}', 'audit.t.submission': '照片提交 #{id}', 'audit.t.batch': '批次 #{id}', 'audit.t.school': '学校 #{id}',
  'audit.t.staff': '账号 {id}', 'audit.t.order': '订单 #{id}', 'audit.t.reason': '驳回原因 {id}', 'audit.t.spec': '照片规格 {id}',
}, {
  'audit.change': 'Change', 'audit.all_actions': 'All actions', 'audit.colon': ': ', 'audit.a_other': 'Other action', 'audit.yes': 'yes', 'audit.no': 'no', 'audit.empty': '(empty)',
  'audit.t.batch_code': 'Batch {code}', 'audit.t.student': 'Student #{id}', 'audit.t.submission': 'Submission #{id}', 'audit.t.batch': 'Batch #{id}', 'audit.t.school': 'School #{id}',
  'audit.t.staff': 'Account {id}', 'audit.t.order': 'Order #{id}', 'audit.t.reason': 'Reason {id}', 'audit.t.spec': 'Spec {id}',
});

// Values (times, amounts, lists) are written in the language of the moment:
// the shown page of the log is drawn again when the language changes.
let auditRedraw = null;
onLangChange(() => { if (auditRedraw) auditRedraw(); });

const actionWords = (a) => h('span', { class: 'c-audit__action', dataset: { action: a }, title: a },
  AUDIT_ACTIONS[a] ? h('span', { i18n: 'audit.a.' + a }) : h('span', { i18n: 'audit.a_other' }));
const targetWords = (tgt, action) => {
  if (AUDIT_BATCH_CODE_TARGET.includes(action) && /^[a-z0-9]{6}$/.test(tgt || '')) return h('span', { i18n: 'audit.t.batch_code', i18nVars: { code: tgt.toUpperCase() } });
  const m = /^(student|submission|batch|school|staff|order|reason|spec):(.+)$/.exec(tgt || '');
  return m ? h('span', { i18n: 'audit.t.' + m[1], i18nVars: { id: m[2] } }) : (tgt || '');
};
function fieldWords(path) {
  const last = path.split('.').pop();
  for (const k of ['audit.f.' + path, 'audit.f.' + last, 'sf.' + last, 'col.' + last]) if (t(k) !== k) return h('span', { i18n: k });
  return h('span', { text: last });
}
function valueWords(field, v) {
  const last = field.split('.').pop();
  if (v === undefined) return h('span', { class: 'c-audit__none', text: '—' });
  if (v === null || v === '') return h('span', { i18n: 'audit.empty' });
  if (typeof v === 'boolean') return h('span', { i18n: v ? 'audit.yes' : 'audit.no' });
  if (last === 'state' && KNOWN_STATES.includes(v)) return h('span', { i18n: 'state.' + v });
  if (AUDIT_VALUES[last] && AUDIT_VALUES[last][v]) return h('span', { class: 'c-bilingual', dataset: { zh: AUDIT_VALUES[last][v][0], en: AUDIT_VALUES[last][v][1] }, text: AUDIT_VALUES[last][v][L()] });
  if (typeof v === 'number' && /(_at|_until)$/.test(last)) return v ? fmtTime(v) : '—';
  if (last === 'school_id' && !v) return '—';
  if (typeof v === 'number' && last === 'fee_fen') return t('sf.yuan', { v: (v / 100).toFixed(2) });
  if (typeof v === 'string' && v.startsWith('[')) {
    try {
      const list = JSON.parse(v);
      if (Array.isArray(list)) {
        return h('span', { class: 'c-bilingual', dataset: { zh: list.map((x) => x.zh || x.code || String(x)).join('、'), en: list.map((x) => x.en || x.code || String(x)).join(', ') },
          text: list.map((x) => (L() ? x.en : x.zh) || x.code || String(x)).join(L() ? ', ' : '、') });
      }
    } catch { /* plain text */ }
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  const s = typeof v === 'string' ? v.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : String(v);
  return s.length > 120 ? s.slice(0, 119) + '…' : s;
}
function changeList(x) {
  const d = auditDiff(x.before, x.after);
  if (!d.length) return '';
  return h('ul', { class: 'c-diff' }, d.map((c) => h('li', { class: 'c-diff__row', dataset: { field: c.field } },
    h('span', { class: 'c-diff__field' }, fieldWords(c.field)), h('span', { i18n: 'audit.colon' }),
    // an entry with a before shows old → new for every field (— where a field is new or gone)
    x.before ? [h('del', { class: 'c-diff__old' }, valueWords(c.field, c.before)), ' → '] : null,
    h('ins', { class: 'c-diff__new' }, valueWords(c.field, c.after)))));
}

// A date input (China time) as seconds since the epoch; '' -> ''.
const dayStart = (v, plus = 0) => (v ? String(Math.floor(Date.parse(v + 'T00:00:00+08:00') / 1000) + plus) : '');

route('audit', {
  title: 'audit.title', need: 'platform',
  async render() {
    const PAGE = 50;
    let offset = 0;
    const err = errorRegion();
    const box = h('div');
    const staffIn = input({ name: 'staff', maxlength: '64', autocomplete: 'off' });
    const action = h('select', { class: 'c-input', name: 'action' }, h('option', { value: '', i18n: 'audit.all_actions' }),
      Object.keys(AUDIT_ACTIONS).map((a) => h('option', { value: a, i18n: 'audit.a.' + a })));
    const target = input({ name: 'target', maxlength: '128', autocomplete: 'off' });
    const from = input({ name: 'from', type: 'date' });
    const to = input({ name: 'to', type: 'date' });
    const q = input({ name: 'q', maxlength: '200', autocomplete: 'off' });
    const load = async () => {
      showError(err, null);
      const params = { staff: staffIn.value.trim(), action: action.value.trim(), target: target.value.trim(), q: q.value.trim(),
        from: dayStart(from.value), to: dayStart(to.value, 86400), limit: String(PAGE), offset: String(offset) };
      const qs = Object.entries(params).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      try {
        const r = await api.get('/api/v1/admin/audit?' + qs);
        const pages = Math.max(1, Math.ceil(r.data.total / PAGE));
        const page = Math.floor(offset / PAGE) + 1;
        mount(box,
          h('p', { class: 'c-field__tip', i18n: 'audit.total', i18nVars: { total: r.data.total } }),
          table([
            { key: 'audit.at', id: 'at', value: (x) => fmtTime(x.at) },
            { key: 'audit.staff', id: 'staff', value: (x) => x.username },
            { key: 'audit.action', id: 'action', value: (x) => actionWords(x.action) },
            { key: 'audit.target', id: 'target', value: (x) => targetWords(x.target, x.action) },
            { key: 'audit.change', id: 'change', value: (x) => changeList(x) },
            { key: 'audit.ip', id: 'ip', value: (x) => x.ip },
          ], r.data.items, { empty: 'audit.none', cls: 'c-audit' }),
          pages > 1 ? h('div', { class: 'c-pager' },
            button('batch.prev', { disabled: page <= 1, onclick: () => { offset -= PAGE; load(); } }),
            h('span', { i18n: 'batch.page', i18nVars: { page, pages } }),
            button('batch.next', { disabled: page >= pages, onclick: () => { offset += PAGE; load(); } })) : null);
      } catch (e) { showError(err, e); }
    };
    const form = h('form', { class: 'c-inline-form c-audit-form', role: 'search', novalidate: true },
      field('audit.staff', staffIn), field('audit.action', action), field('audit.target', target),
      field('audit.from', from), field('audit.to', to), field('audit.q', q), submit('audit.search'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
    await load();
    auditRedraw = () => { if (box.isConnected) load(); else auditRedraw = null; };
    return h('div', { class: 'c-page' }, h('h1', { i18n: 'audit.title' }), h('section', { class: 'c-panel' }, form, err, box));
  },
});

navItem('reasons', 'nav.reasons', ['reasons'], isPlatform, 31);
navItem('specs', 'nav.specs', ['specs'], isPlatform, 32);
navItem('audit', 'nav.audit', ['audit'], isPlatform, 33);
