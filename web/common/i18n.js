// Shared i18n for the student app and the staff console.
//
// Chinese is the default: the students and school staff read Chinese, and
// English is offered for international students and reviewers.  The choice
// is remembered in localStorage (under one key, so choosing English in the
// student app also applies to the console on the same device).  Each page
// registers its own strings with addMessages(); t() falls back to Chinese,
// then to the key itself, so a missing translation is visible but harmless.

const KEY = 'tc_lang';
const LANGS = ['zh', 'en'];
const messages = { zh: {}, en: {} };
const listeners = new Set();

function stored() {
  // localStorage throws in some in-app browsers' private modes: never fatal.
  try { return localStorage.getItem(KEY); } catch { return null; }
}

let lang = LANGS.includes(stored()) ? stored() : 'zh';

export function getLang() { return lang; }

export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  lang = next;
  try { localStorage.setItem(KEY, next); } catch { /* not remembered, still switched */ }
  applyDocumentLang();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function addMessages(zh, en) {
  Object.assign(messages.zh, zh);
  Object.assign(messages.en, en);
}

// t('key', {n: 3}) replaces {n} in the text.
export function t(key, vars) {
  let s = messages[lang][key];
  if (s === undefined) s = messages.zh[key];
  if (s === undefined) s = key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
  return s;
}

// The server's errors carry both languages: {code, zh, en}.  Errors made in
// the page (network down, bad input caught early) use the same shape so one
// renderer shows every error in the chosen language, and switching the
// language re-renders an error already on screen.
export function errText(err) {
  if (!err) return '';
  if (typeof err === 'string') return err;
  return err[lang] || err.zh || err.en || err.code || '';
}

export function localError(code, key, vars) {
  const saved = lang;
  const both = {};
  for (const l of LANGS) { lang = l; both[l] = t(key, vars); }
  lang = saved;
  return { code, zh: both.zh, en: both.en };
}

// Fills every [data-i18n] element's text (with the JSON values of
// data-i18n-vars for texts like "共 {total} 人"), and [data-i18n-attr="attr:key,…"]
// attributes (placeholders, aria-labels) below root.
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n, el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : undefined);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

export function applyDocumentLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

// A student record's states, shared by the student app and the console.
// Later steps (drafts, submission, payment, review) move a record along
// these; a state not listed here is shown as its raw code.
export const KNOWN_STATES = ['not_started', 'verified', 'drafts', 'submitted', 'pending_payment', 'paid', 'approved', 'rejected',
  'final', 'reset', 'locked'];

addMessages({
  'state.not_started': '未开始',
  'state.verified': '已验证',
  'state.drafts': '草稿箱有照片',
  'state.submitted': '待审核',
  'state.paid': '已支付',
  'state.approved': '审核通过',
  'state.rejected': '审核未通过',
  'state.locked': '已锁定',
  'state.pending_payment': '待支付',
  'state.final': '已完成',
  'state.reset': '已重置',
  'common.lang_switch': 'English',
  'common.lang_switch_label': 'Switch to English',
  'common.network': '网络异常，请检查网络后重试',
  'common.server': '服务器暂时无法处理请求，请稍后重试',
  'common.loading': '加载中…',
  'common.error_prefix': '错误：',
}, {
  'state.not_started': 'Not started',
  'state.verified': 'Verified',
  'state.drafts': 'Photos in drafts',
  'state.submitted': 'Awaiting review',
  'state.paid': 'Paid',
  'state.approved': 'Approved',
  'state.rejected': 'Not approved',
  'state.locked': 'Locked',
  'state.pending_payment': 'Awaiting payment',
  'state.final': 'Done',
  'state.reset': 'Reset',
  'common.lang_switch': '中文',
  'common.lang_switch_label': '切换到中文',
  'common.network': 'Network problem: check your connection and try again',
  'common.server': 'The server could not handle the request: try again later',
  'common.loading': 'Loading…',
  'common.error_prefix': 'Error: ',
});

applyDocumentLang();
