// The JSON API client: every call carries the signed-in user's bearer
// token, kept in sessionStorage for the tab's lifetime only.

const KEY = 'qilian.token';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => { sessionStorage.removeItem(KEY); sessionStorage.removeItem('qilian.me'); },
  me: () => { try { return JSON.parse(sessionStorage.getItem('qilian.me')); } catch { return null; } },
  setMe: (m) => sessionStorage.setItem('qilian.me', JSON.stringify(m)),
};

// ApiError is a refusal in the API's one error shape.
export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || ('HTTP ' + status));
    this.status = status; this.code = code; this.fields = fields || {};
  }
}

// onUnauthorized is called when the token stops working.
let unauthorized = () => {};
export function onUnauthorized(f) { unauthorized = f; }

async function send(path, opts = {}, token = session.token()) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method: opts.method || 'GET', headers, cache: 'no-store',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
    if (res.status === 401 && !opts.signIn) unauthorized();
    throw new ApiError(res.status, err.code, err.message, err.fields);
  }
  return res;
}

// api calls a JSON route and returns the decoded body (null for 204).
export async function api(path, opts = {}) {
  const res = await send(path, opts, opts.token || session.token());
  if (res.status === 204) return null;
  return res.json();
}

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
