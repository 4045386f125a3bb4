// The JSON API client shared by the student app and the console.
//
// Every state-changing request carries X-CSRF-Token equal to the tc_csrf
// cookie (the server's double-submit check).  The cookie is fetched once
// from GET /api/v1/csrf before the first write; if the server still answers
// auth.csrf (the cookie expired or a sign-in elsewhere replaced it) the
// token is fetched again and the request retried once, so a student who
// left the page open overnight is not stuck on "page expired".
//
// Resolves to {status, data} for every HTTP answer; errors are thrown as
// ApiError carrying the server's {code, zh, en} (and the whole body, e.g.
// the roster report), or a local network/server error in the same shape.

import { localError } from './i18n.js';

export class ApiError extends Error {
  constructor(status, error, body) {
    super(error.en || error.code);
    this.status = status;
    this.error = error; // {code, zh, en}
    this.body = body;
  }
  get code() { return this.error.code; }
}

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

let csrfFallback = ''; // when cookies are unreadable, the value /csrf returned

async function ensureCsrf(force) {
  if (!force && (cookie('tc_csrf') || csrfFallback)) return;
  const res = await fetch('/api/v1/csrf', { credentials: 'same-origin', cache: 'no-store' });
  const j = await res.json().catch(() => ({}));
  csrfFallback = j.csrf || '';
}

function csrfToken() { return cookie('tc_csrf') || csrfFallback; }

async function send(method, path, { json, form, blob } = {}, retried = false) {
  const headers = { Accept: 'application/json' };
  let body;
  if (method !== 'GET') {
    await ensureCsrf(false);
    headers['X-CSRF-Token'] = csrfToken();
  }
  if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form) body = form; // the browser writes the multipart boundary itself
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, localError('net.offline', 'common.network'), null);
  }
  // a file answer (blob): the bytes and the headers; errors are JSON as always
  if (blob && res.ok) return { status: res.status, blob: await res.blob(), headers: res.headers };
  const ct = res.headers.get('content-type') || '';
  let data = null;
  if (ct.includes('json')) data = await res.json().catch(() => null);
  if (res.ok) return { status: res.status, data };
  const error = data && data.error ? data.error : localError('http.' + res.status, 'common.server');
  if (!retried && error.code === 'auth.csrf') {
    await ensureCsrf(true);
    return send(method, path, { json, form, blob }, true);
  }
  throw new ApiError(res.status, error, data);
}

export const api = {
  get: (path) => send('GET', path),
  post: (path, json) => send('POST', path, { json: json === undefined ? {} : json }),
  put: (path, json) => send('PUT', path, { json: json === undefined ? {} : json }),
  postForm: (path, form) => send('POST', path, { form }),
  // a form whose answer is a file: resolves to {status, blob, headers}
  postFormFile: (path, form) => send('POST', path, { form, blob: true }),
  del: (path) => send('DELETE', path),
};

// Query strings without surprises: api.get('/x' + qs({q: 'a b'})).
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
