// Platform admin pages: staff accounts.
import { t, addMessages, getLang, setLang, onLangChange, localError, KNOWN_STATES } from '/common/i18n.js';
import { api, qs } from '/common/api.js';
import { h, mount, errorRegion, showError, relabel, newId, fmtTime } from '/common/dom.js';
import {
  state, isPlatform, isReviewer, isSchoolStaff, route, go, home, field, input, button, submit, table, notice, stateLabel,
  panel, schools, schoolName, crumbs, announce, navItem, app,
} from './console.js';

// ---- staff accounts (platform admins) -------------------------------------------------------------------------

const ROLES = ['school_admin', 'reviewer', 'platform_admin'];

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
        { key: 'accounts.status', id: 'status', value: (s) => h('span', { i18n: s.must_change_password ? 'accounts.must_change' : 'accounts.active' }) },
      ], r.data.staff, { cls: 'c-accounts' }));
    };
    await load();
    const err = errorRegion();
    const msg = h('div');
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
    return h('div', { class: 'c-page' },
      h('h1', { i18n: 'accounts.title' }),
      h('section', { class: 'c-panel' }, box),
      panel('accounts.create', form, err, msg));
  },
});

navItem('accounts', 'nav.accounts', ['accounts'], isPlatform, 30);
