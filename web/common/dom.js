// A tiny element builder.  Pages are built with h() instead of innerHTML so
// that names, school names and roster text from the server can never be
// parsed as markup (a student called "<img onerror=…>" stays text).
//
// h('h1', {i18n: 'key', i18nVars: {n: 3}}) marks translatable text (data-i18n) so a language
// switch can relabel a page in place (applyI18n) without re-rendering it and
// losing what the user typed or the file they chose.

import { t, errText, applyI18n } from './i18n.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'i18n') {
        el.dataset.i18n = v;
        if (attrs.i18nVars) el.dataset.i18nVars = JSON.stringify(attrs.i18nVars);
        el.textContent = t(v, attrs.i18nVars);
      } else if (k === 'i18nVars') continue;
      else if (k === 'i18nAttr') {
        el.dataset.i18nAttr = Object.entries(v).map(([a, key]) => `${a}:${key}`).join(',');
        for (const [a, key] of Object.entries(v)) el.setAttribute(a, t(key));
      }
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k in el && typeof v !== 'string' && k !== 'list') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces what a container shows.
export function mount(container, ...children) {
  // (not replaceChildren: older in-app webviews lack it)
  while (container.firstChild) container.removeChild(container.firstChild);
  append(container, children);
}

let uid = 0;
export function newId(prefix = 'tc') { uid += 1; return `${prefix}-${uid}`; }

// An error region: role=alert is an assertive live region, and it stays in
// the DOM (only emptied) so screen readers announce each new message.
export function errorRegion(extraClass = '') {
  return h('div', { class: 'tc-error ' + extraClass, role: 'alert', 'aria-live': 'assertive', hidden: true });
}

// Shows an error ({code, zh, en}, an ApiError, or a string), or clears the
// region with null.  The error object is kept so relabel() can show it in
// the other language after a switch.
export function showError(region, err) {
  const e = err && err.error ? err.error : err;
  region._err = e || null;
  region.textContent = e ? errText(e) : '';
  region.hidden = !e;
  if (e && e.code) region.dataset.code = e.code; else delete region.dataset.code;
}

// After a language switch: static texts, and errors already on screen.
export function relabel(root) {
  applyI18n(root);
  for (const el of root.querySelectorAll('.tc-error')) if (el._err) el.textContent = errText(el._err);
}

// Formats seconds since the epoch as China time, as the server's messages do.
export function fmtTime(sec) {
  if (!sec) return '';
  const d = new Date(sec * 1000 + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
