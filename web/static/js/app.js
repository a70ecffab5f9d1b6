// The dashboard shell: sign-in, the navigation by role, and a hash router
// that draws one page at a time into <main>.
import { api, session, onUnauthorized, signIn as startSession, signOut, whoami, ssoInfo, ssoLogin } from './api.js';
import { h, fill, toast } from './dom.js';
import { t, lang, setLang, code, loadLabels } from './i18n.js';
import { disposeCharts } from './charts.js';
import { overduePage } from './overdue.js';
import { deskCasePage } from './desk.js';
import { inboxDeskPage, axisDeskPage, unitCasesPage } from './desk-lists.js';
import { reportPage, myCasesPage, mobileCasePage } from './mobile.js';
import { adminPage } from './admin.js';
import { unmountAll } from './ui.js';
import { forgetAreas } from './map.js';
import { drillPage } from './drill.js';
import { scoresPage, scorecardPage } from './scores.js';
import { forgetNames } from './names.js';

const main = document.getElementById('main');

// Pages by role, in the order the navigation shows them; the first is home.
const navByRole = {
  supervisor: [['overdue', 'navOverdue'], ['drill', 'navDrill'], ['scores', 'navScores']],
  axis: [['queue', 'navQueue'], ['overdue', 'navOverdue'], ['drill', 'navDrill'], ['scores', 'navScores']],
  unit_staff: [['inbox', 'navInbox'], ['unitcases', 'navUnitCases']],
  grid_worker: [['report', 'navReport'], ['cases', 'navCases']],
  admin: [['admin', 'navAdmin']],
};

const pages = {
  overdue: overduePage, case: deskCasePage, drill: drillPage, scores: scoresPage, score: scorecardPage,
  inbox: inboxDeskPage, queue: axisDeskPage, unitcases: unitCasesPage, admin: adminPage,
};

// The grid worker works on a phone: the same routes, drawn for it.
const phonePages = { report: reportPage, cases: myCasesPage, case: mobileCasePage };

// route splits "#/score/unit/u-power?period=2026-11" into its parts.
function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [p, q] = raw.split('?');
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1), params: new URLSearchParams(q || '') };
}

let drawing = 0;
async function draw() {
  const n = ++drawing;
  disposeCharts();
  unmountAll();
  header();
  const me = session.me();
  if (!me) {
    signIn();
    return;
  }
  if (me.must_change_password) {
    changePassword(me);
    return;
  }
  const r = route();
  const home = (navByRole[me.user.role] || [])[0]?.[0];
  if (!r.name || r.name === 'signin') {
    if (home) { location.replace('#/' + home); return; }
    fill(main, h('div', { class: 'card' }, t('adminHint')));
    return;
  }
  const phone = me.user.role === 'grid_worker';
  document.body.classList.toggle('phone', phone);
  const page = (phone && phonePages[r.name]) || pages[r.name];
  if (!page) { fill(main, h('div', { class: 'card empty' }, t('notFound'))); return; }
  fill(main, h('div', { class: 'empty' }, t('loading')));
  try {
    const el = h('div', { id: 'page-' + r.name });
    await page(el, r, me);
    if (n !== drawing) return; // another page was asked for meanwhile
    fill(main, el);
    el.dispatchEvent(new Event('shown'));
  } catch (e) {
    if (n === drawing) fill(main, h('div', { class: 'card error' }, t('failed') + (e.message || e)));
  }
}

// go shows the page of hash: drawn once, by the hashchange when the hash
// changes, directly when it does not.
function go(hash) {
  if (location.hash === hash) draw();
  else location.hash = hash;
}

function header() {
  document.body.classList.toggle('phone', session.me()?.user?.role === 'grid_worker');
  const me = session.me();
  document.getElementById('brand-sub').textContent = t('brand');
  document.title = t('signInTitle');
  const langBtn = document.getElementById('lang');
  langBtn.textContent = t('switchLang');
  const out = document.getElementById('signout');
  out.textContent = t('signOut');
  out.hidden = !me;
  const who = document.getElementById('who');
  who.textContent = me ? me.user.name + ' · ' + code('role', me.user.role) : '';
  const cur = route().name;
  fill(document.getElementById('nav'), ...(me ? navByRole[me.user.role] || [] : []).map(([p, key]) =>
    h('a', { href: '#/' + p, class: cur === p || (cur === 'score' && p === 'scores') ? 'on' : '' }, t(key))));
}

// ssoRefused are the reasons single sign-on sends the browser back to
// #/signin?sso=…, by the words that say them.
const ssoRefused = { unknown: 'ssoUnknown', locked: 'tooMany', failed: 'ssoFailed', unavailable: 'ssoUnavailable' };

// signIn is the first screen: a user name and a password, and below them
// single sign-on when the server offers it.
function signIn() {
  const user = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const msg = h('p', { class: 'error', id: 'signin-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'signin-submit' }, t('signIn'));
  const form = h('form', { class: 'card', id: 'signin', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    submit.disabled = true;
    try {
      const s = await startSession(user.value.trim(), pass.value);
      forgetNames();
      forgetAreas();
      session.setMe(s);
      go('#/');
    } catch (e) {
      pass.value = '';
      msg.textContent = e.status === 401 ? t('badPassword') : e.status === 429 ? t('tooMany') : t('failed') + e.message;
    } finally {
      submit.disabled = false;
    }
  } },
  h('h1', {}, t('signInTitle')),
  h('p', {}, t('signInHelp')),
  h('label', { for: 'username' }, t('username')), user,
  h('label', { for: 'password' }, t('password')), pass,
  submit, msg);
  const sso = h('div', { class: 'sso', id: 'sso', hidden: true });
  const why = ssoRefused[route().params.get('sso')];
  if (why) msg.textContent = t(why);
  fill(main, h('div', { class: 'signin' }, form, sso));
  user.focus();
  // The form does not wait for this: without an answer there is no button.
  ssoInfo().then((s) => {
    if (!s || !s.enabled || !sso.isConnected) return;
    fill(sso, h('p', {}, t('ssoOr')), h('a', { href: ssoLogin, class: 'btn', id: 'sso-button' }, s.label || t('ssoButton')));
    sso.hidden = false;
  }, () => {});
}

// changePassword is all a user sees after an admin set their password:
// the one-time password, then a new one, twice.
function changePassword(me) {
  const cur = h('input', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true, minlength: 10 });
  const again = h('input', { type: 'password', id: 'new-password-again', autocomplete: 'new-password', required: true });
  const msg = h('p', { class: 'error', id: 'password-error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'change-password', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    if (next.value !== again.value) { msg.textContent = t('passwordsDiffer'); return; }
    try {
      await api('/me/password', { method: 'POST', body: { current_password: cur.value, new_password: next.value } });
      session.setMe({ ...me, must_change_password: false });
      toast(t('passwordChanged'));
      go('#/');
    } catch (e) {
      msg.textContent = Object.values(e.fields || {}).join('; ') || t('failed') + e.message;
    }
  } },
  h('h1', {}, t('changePasswordTitle')),
  h('p', {}, t('changePasswordHelp')),
  h('label', { for: 'current-password' }, t('currentPassword')), cur,
  h('label', { for: 'new-password' }, t('newPassword')), next,
  h('label', { for: 'new-password-again' }, t('newPasswordAgain')), again,
  h('button', { type: 'submit', class: 'btn primary', id: 'password-submit' }, t('changePassword')), msg);
  fill(main, h('div', { class: 'signin' }, form));
  cur.focus();
}

document.getElementById('lang').addEventListener('click', () => { setLang(lang === 'en' ? 'zh' : 'en'); forgetNames(); draw(); });
document.getElementById('signout').addEventListener('click', async () => {
  try { await signOut(); } catch { /* the session may have ended already */ }
  forgetNames();
  forgetAreas();
  session.clear();
  go('#/');
});
onUnauthorized(() => {
  if (!session.me()) return;
  session.clear();
  toast(t('signedOut'), true);
  draw();
});
window.addEventListener('hashchange', draw);
setLang(lang);
// A reload or a new tab keeps the cookie: ask who it belongs to first, and
// the names of the codes beside it (without them, codes show as sent).
Promise.all([
  loadLabels().catch((err) => console.warn(err)),
  whoami().then((me) => session.setMe(me), () => session.clear()),
]).finally(draw);
