// The JSON API client. The browser signs in with a user name and
// password; the session lives in an HttpOnly cookie the page never sees,
// and every write carries the session's CSRF token, which the page keeps
// with who is signed in (sessionStorage, for the tab's lifetime only).

import { lang } from './i18n.js';

const ME = 'qilian.me';

export const session = {
  clear: () => sessionStorage.removeItem(ME),
  me: () => { try { return JSON.parse(sessionStorage.getItem(ME)); } catch { return null; } },
  setMe: (m) => sessionStorage.setItem(ME, JSON.stringify(m)),
  csrf: () => session.me()?.csrf_token || '',
};

// ApiError is a refusal in the API's one error shape.
export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || ('HTTP ' + status));
    this.status = status; this.code = code; this.fields = fields || {};
  }
}

// onUnauthorized is called when the session ends (idle, signed out
// elsewhere, revoked by an admin).
let unauthorized = () => {};
export function onUnauthorized(f) { unauthorized = f; }

async function send(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const form = opts.body instanceof FormData;
  if (opts.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf()) headers['X-CSRF-Token'] = session.csrf();
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, cache: 'no-store', credentials: 'same-origin',
      body: opts.body === undefined || form ? opts.body : JSON.stringify(opts.body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
    if (res.status === 401 && !opts.signIn) unauthorized();
    // People read the Chinese message of the code; the English one says
    // exactly what went wrong.
    const message = lang === 'zh' && err.message_zh ? err.message_zh + '（' + err.message + '）' : err.message;
    throw new ApiError(res.status, err.code, message, err.fields);
  }
  return res;
}

// api calls a JSON route and returns the decoded body (null for 204).
export async function api(path, opts = {}) {
  const res = await send(path, opts);
  if (res.status === 204) return null;
  return res.json();
}

// upload sends a file (a photo or a PDF) and answers its record: the url
// to name among attachments, and a thumbnail's for a photo.
export function upload(file) {
  const body = new FormData();
  body.append('file', file);
  return api('/files', { method: 'POST', body });
}

// act takes an action with an Idempotency-Key, which the caller keeps
// while the same form is sent again (a retry after a lost answer takes
// the action once).
export function act(path, body, key) {
  return api(path, { method: 'POST', body, headers: key ? { 'Idempotency-Key': key } : {} });
}

// signIn starts a session and returns who signed in, with the CSRF token
// and whether the password must be changed first.
export function signIn(username, password) {
  return api('/sessions', { method: 'POST', body: { username, password }, signIn: true });
}

// whoami asks the server who the cookie belongs to, after a reload; a 401
// means nobody is signed in, which is not an error here.
export function whoami() { return api('/me', { signIn: true }); }

// ssoInfo says whether single sign-on is offered, and the button's text.
export function ssoInfo() { return api('/sso', { signIn: true }); }

// ssoLogin is where the single sign-on button leads: the server sends the
// browser on to the provider, which sends it back to the dashboard.
export const ssoLogin = '/api/v1/sso/login';

// signOut ends the session on the server, which clears the cookie.
export function signOut() { return api('/sessions', { method: 'DELETE', signIn: true }); }

// download fetches a file route with the token and saves it.
export async function download(path, fallbackName) {
  const res = await send(path);
  const blob = await res.blob();
  let name = fallbackName;
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(cd);
  if (m) name = decodeURIComponent(m[1] || m[2]);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url; a.download = name; a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

// query renders an object as a query string, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}
