// The photo export of a batch (issue 19 item 7): file names by a template
// (presets, or the school's own with placeholders; the server checks it and
// previews the first names and the collisions), the archive split into parts
// of a chosen size or number of photos, each part a ZIP of its own, and the
// 采集码 list as a workbook.  Everything is decided by the server's plan
// (/photos/plan); this page only asks and shows.
import { t, addMessages } from '/common/i18n.js';
import { api } from '/common/api.js';
import { h, mount, errorRegion, showError } from '/common/dom.js';
import { state, route, field, input, table, notice, panel, schools, schoolName, crumbs } from './core.js';

addMessages({
  'export.title': '导出照片', 'export.open': '导出照片…',
  'export.naming': '文件命名', 'export.preset': '常用命名',
  'export.p_no': '学号.jpg', 'export.p_id': '身份证号.jpg', 'export.p_class_no': '班级/学号.jpg',
  'export.p_chsi': '学信网上传（身份证号.jpg）', 'export.p_major': '专业/班级/学号_姓名.jpg', 'export.p_custom': '自定义',
  'export.template': '命名模板',
  'export.template_tip': '可用字段：{身份证号} {学号} {姓名} {班级} {专业} {院系} {层次}；用 / 分文件夹，例如 {班级}/{学号}。未以 .jpg 结尾时自动加上。字段为空时写作“无班级”等；文件名不允许的字符换成 _。',
  'export.insert': '插入字段',
  'export.preview': '文件名预览（前 {n} 个，共 {total} 张照片）', 'export.no_photos': '还没有审核通过的照片。',
  'export.col_no': '学号', 'export.col_name': '姓名', 'export.col_file': '文件名',
  'export.collisions': '{n} 个文件名重复，已在后面加 _2、_3 区分：',
  'export.split': '分包', 'export.split_none': '不分包', 'export.split_mb': '每包不超过（MB）', 'export.split_photos': '每包不超过（张）',
  'export.split_how': '分包方式', 'export.split_size': '每包上限',
  'export.split_tip': '每个包都是完整的 ZIP，可分别下载、解压；每个包内含本包学生的 manifest.csv、采集码.csv 和 采集码.xlsx。超过 65534 个文件或 4 GB 的包自动使用 ZIP64 格式。',
  'export.parts': '下载（共 {n} 个包）', 'export.part': '包', 'export.photos': '照片数', 'export.size': '大小',
  'export.range': '学号范围', 'export.download': '下载', 'export.part_n': '第 {k} 包，共 {n} 包',
  'export.codes': '采集码名单', 'export.codes_tip': '学号、姓名、班级、身份证号、采集码和照片文件名（按上面的命名），用于学信网上传核对。采集码仅本校学校管理员可见。',
  'export.confirmed_only': '只导出学生已核对确认的成片',
  'export.no_confirmed': '还没有学生确认的成片。',
  'export.unconfirmed': '其中 {n} 名学生尚未确认成片（成片未制作、待核对或修改中）；manifest.csv 的“成片核对”一栏逐一标明。',
  'export.codes_xlsx': '下载采集码名单（XLSX）', 'export.full_ids': '含完整身份证号（仅学校管理员；会记录在操作日志中）',
}, {
  'export.title': 'Export photos', 'export.open': 'Export photos…',
  'export.naming': 'File names', 'export.preset': 'Presets',
  'export.p_no': 'StudentNo.jpg', 'export.p_id': 'IDNumber.jpg', 'export.p_class_no': 'Class/StudentNo.jpg',
  'export.p_chsi': 'CHSI upload (IDNumber.jpg)', 'export.p_major': 'Programme/Class/No_Name.jpg', 'export.p_custom': 'Custom',
  'export.template': 'Naming template',
  'export.template_tip': 'Fields: {身份证号} {学号} {姓名} {班级} {专业} {院系} {层次} (or id_number, student_no, name, class, programme, department, level); / makes folders, e.g. {班级}/{学号}. .jpg is added when missing. An empty field reads 无班级 etc.; characters file names may not carry become _.',
  'export.insert': 'Insert a field',
  'export.preview': 'Preview (first {n} of {total} photos)', 'export.no_photos': 'No approved photos yet.',
  'export.col_no': 'Student no.', 'export.col_name': 'Name', 'export.col_file': 'File name',
  'export.collisions': '{n} names were taken already and got _2, _3:',
  'export.split': 'Parts', 'export.split_none': 'One archive', 'export.split_mb': 'At most (MB) a part', 'export.split_photos': 'At most (photos) a part',
  'export.split_how': 'Split', 'export.split_size': 'Limit',
  'export.split_tip': 'Every part is a complete ZIP to download and open on its own, with manifest.csv, 采集码.csv and 采集码.xlsx of its students. Parts over 65534 files or 4 GB are written as ZIP64.',
  'export.parts': 'Download ({n} parts)', 'export.part': 'Part', 'export.photos': 'Photos', 'export.size': 'Size',
  'export.range': 'Student numbers', 'export.download': 'Download', 'export.part_n': 'Part {k} of {n}',
  'export.codes': 'CHSI code list', 'export.codes_tip': 'Student number, name, class, ID number, CHSI code and photo file name (named as above), to check the CHSI upload. The codes are shown only to the school\'s own admin.',
  'export.confirmed_only': 'Only final photos the students have checked and confirmed',
  'export.no_confirmed': 'No student has confirmed a final photo yet.',
  'export.unconfirmed': '{n} of these students have not confirmed their final photo yet (not made, waiting for their check, or being corrected); the 成片核对 column of manifest.csv marks each.',
  'export.codes_xlsx': 'Download the code list (XLSX)', 'export.full_ids': 'Full ID numbers (school admin only; recorded in the audit log)',
});

const PRESETS = [
  ['p_no', '{学号}'], ['p_id', '{身份证号}'], ['p_class_no', '{班级}/{学号}'], ['p_chsi', '{身份证号}'], ['p_major', '{专业}/{班级}/{学号}_{姓名}'],
];
const FIELDS = ['身份证号', '学号', '姓名', '班级', '专业', '院系', '层次'];

const fmtBytes = (b) => (b >= 1 << 30 ? (b / (1 << 30)).toFixed(2) + ' GB' : b >= 1 << 20 ? (b / (1 << 20)).toFixed(1) + ' MB' : Math.max(1, Math.round(b / 1024)) + ' KB');

route('export', {
  title: 'export.title', need: 'school_staff',
  async render(id) {
    const bid = Number(id);
    const b = (await api.get(`/api/v1/batches/${bid}`)).data.batch;
    await schools();
    const err = errorRegion();
    const tpl = input({ name: 'template', value: '{学号}', maxlength: '200', spellcheck: 'false', autocomplete: 'off', class: 'c-input c-mono' });
    // presets: one radio group; typing a template of one's own is "custom"
    const group = 'export-preset';
    const radios = [...PRESETS, ['p_custom', null]].map(([key, v], i) => {
      const r = h('input', { type: 'radio', name: group, value: v || '', checked: i === 0, dataset: { preset: key } });
      r.addEventListener('change', () => { if (v) { tpl.value = v; refresh(); } else tpl.focus(); });
      return h('label', { class: 'c-choice' }, r, h('span', { i18n: 'export.' + key }));
    });
    const syncPreset = () => {
      const match = [...document.getElementsByName(group)].find((r) => r.value && r.value === tpl.value.trim());
      for (const r of document.getElementsByName(group)) r.checked = match ? r === match : !r.value;
    };
    const chips = h('div', { class: 'c-chips', role: 'group', 'aria-label': t('export.insert') },
      FIELDS.map((f) => {
        const c = h('button', { type: 'button', class: 'c-chip', text: `{${f}}` });
        c.addEventListener('click', () => {
          const s = tpl.selectionStart ?? tpl.value.length, e = tpl.selectionEnd ?? s;
          tpl.value = tpl.value.slice(0, s) + `{${f}}` + tpl.value.slice(e);
          tpl.focus();
          tpl.setSelectionRange(s + f.length + 2, s + f.length + 2);
          syncPreset();
          refresh();
        });
        return c;
      }));
    const preview = h('div', { class: 'c-export-preview', 'aria-live': 'polite' });

    // parts
    const how = h('select', { class: 'c-input', name: 'split' },
      h('option', { value: '', i18n: 'export.split_none' }), h('option', { value: 'part_mb', i18n: 'export.split_mb' }),
      h('option', { value: 'part_photos', i18n: 'export.split_photos' }));
    const size = input({ type: 'number', name: 'size', min: '1', max: '65536', value: '500', disabled: true });
    how.addEventListener('change', () => {
      size.disabled = !how.value;
      if (how.value === 'part_photos' && Number(size.value) > 65534) size.value = '1000';
      refresh();
    });
    size.addEventListener('input', () => refresh());
    const parts = h('div', { class: 'c-export-parts', 'aria-live': 'polite' });

    // the code list
    const admin = state.staff && state.staff.role === 'school_admin';
    const fullIds = h('input', { type: 'checkbox', name: 'full_ids' });
    const codesLink = h('a', { class: 'c-btn c-btn_primary', download: '', i18n: 'export.codes_xlsx', dataset: { act: 'codes' } });

    // the students' 校对 (issue 19 item 6): every approved photo by default
    const confirmedOnly = h('input', { type: 'checkbox', name: 'confirmed_only' });
    const unconfirmed = h('div', { 'aria-live': 'polite' });
    const query = () => {
      const q = new URLSearchParams({ template: tpl.value.trim() });
      if (confirmedOnly.checked) q.set('confirmed', '1');
      if (how.value && size.value) q.set(how.value, size.value);
      if (admin && fullIds.checked) q.set('ids', 'full');
      return q;
    };
    let timer = null, seq = 0;
    async function load() {
      const mine = ++seq;
      const q = query();
      const codesQ = new URLSearchParams({ template: q.get('template') });
      if (q.get('ids')) codesQ.set('ids', 'full');
      try {
        const d = (await api.get(`/api/v1/batches/${bid}/photos/plan?${q}`)).data;
        if (mine !== seq) return;
        codesLink.href = `/api/v1/batches/${bid}/codes.xlsx?${codesQ}`;
        codesLink.removeAttribute('aria-disabled');
        showError(err, null);
        tpl.removeAttribute('aria-invalid');
        mount(unconfirmed, d.unconfirmed && !confirmedOnly.checked
          ? h('p', { class: 'c-notice c-notice_warn c-export-unconfirmed', role: 'status', i18n: 'export.unconfirmed', i18nVars: { n: d.unconfirmed } }) : null);
        mount(preview,
          d.photos ? table([
            { key: 'export.col_no', id: 'no', value: (x) => x.student_no },
            { key: 'export.col_name', id: 'name', value: (x) => x.name },
            { key: 'export.col_file', id: 'file', value: (x) => h('code', { text: x.file }) },
          ], d.preview, { caption: { key: 'export.preview', vars: { n: d.preview.length, total: d.photos } }, cls: 'c-export-names' })
            : h('p', { class: 'c-empty', i18n: confirmedOnly.checked ? 'export.no_confirmed' : 'export.no_photos' }),
          d.collisions_total ? h('div', { class: 'c-notice c-notice_warn c-export-collisions', role: 'status' },
            h('span', { i18n: 'export.collisions', i18nVars: { n: d.collisions_total } }), ' ',
            d.collisions.map((x, i) => [i ? '、' : '', h('code', { text: x.file })])) : null);
        const n = d.parts.length;
        mount(parts, table([
          { key: 'export.part', id: 'part', value: (p) => h('span', { i18n: 'export.part_n', i18nVars: { k: p.part, n } }) },
          { key: 'export.photos', id: 'photos', value: (p) => String(p.photos), cls: 'c-num' },
          { key: 'export.size', id: 'size', value: (p) => fmtBytes(p.bytes), cls: 'c-num' },
          { key: 'export.range', id: 'range', value: (p) => (p.photos ? `${p.first_student_no} – ${p.last_student_no}` : '') },
          { key: 'export.download', id: 'download', value: (p) => h('a', { href: p.url, class: 'c-btn c-btn_primary c-btn_small', download: '', i18n: 'export.download', dataset: { act: 'part', part: String(p.part) } }) },
        ], d.parts, { caption: { key: 'export.parts', vars: { n } }, cls: 'c-export-part-list' }));
      } catch (e) {
        if (mine !== seq) return;
        showError(err, e);
        tpl.setAttribute('aria-invalid', 'true');
        codesLink.removeAttribute('href'); // no list by a template the server refused
        codesLink.setAttribute('aria-disabled', 'true');
        mount(preview);
        mount(parts);
      }
    }
    function refresh() { clearTimeout(timer); timer = setTimeout(load, 250); }
    tpl.addEventListener('input', () => { syncPreset(); refresh(); });
    fullIds.addEventListener('change', () => refresh());
    confirmedOnly.addEventListener('change', () => refresh());
    await load();

    return h('div', { class: 'c-page c-export' },
      crumbs([['#/schools', t('nav.schools'), 'nav.schools'], [`#/school/${b.school_id}`, schoolName(b.school_id)], [`#/batch/${bid}`, b.name], [null, t('export.title'), 'export.title']]),
      h('h1', { i18n: 'export.title' }),
      panel('export.naming',
        h('fieldset', { class: 'c-choices' }, h('legend', { class: 'c-field__label', i18n: 'export.preset' }), radios),
        field('export.template', tpl, 'export.template_tip'), chips,
        h('label', { class: 'c-choice' }, confirmedOnly, h('span', { i18n: 'export.confirmed_only' })), unconfirmed, err, preview),
      panel('export.split',
        h('div', { class: 'c-inline-form' }, field('export.split_how', how), field('export.split_size', size)),
        h('p', { class: 'c-field__tip', i18n: 'export.split_tip' }), parts),
      panel('export.codes', h('p', { class: 'c-field__tip', i18n: 'export.codes_tip' }),
        admin ? h('label', { class: 'c-choice' }, fullIds, h('span', { i18n: 'export.full_ids' })) : null,
        h('div', { class: 'c-actions' }, codesLink)));
  },
});
