// The dashboard shell: sign-in, the navigation by role, and a hash router
// that draws one page at a time into <main>.
import { api, session, onUnauthorized } from './api.js';
import { h, fill, toast } from './dom.js';
import { t, lang, setLang, code } from './i18n.js';
import { disposeCharts } from './charts.js';
import { overduePage } from './overdue.js';
import { casePage } from './case.js';
import { drillPage } from './drill.js';
import { scoresPage, scorecardPage } from './scores.js';
import { inboxPage, queuePage, casesPage } from './lists.js';
import { forgetNames } from './names.js';

const main = document.getElementById('main');

// Pages by role, in the order the navigation shows them; the first is home.
const navByRole = {
  supervisor: [['overdue', 'navOverdue'], ['drill', 'navDrill'], ['scores', 'navScores']],
  axis: [['queue', 'navQueue'], ['overdue', 'navOverdue'], ['drill', 'navDrill'], ['scores', 'navScores']],
  unit_staff: [['inbox', 'navInbox']],
  grid_worker: [['cases', 'navCases']],
  admin: [],
};

const pages = {
  overdue: overduePage, case: casePage, drill: drillPage, scores: scoresPage, score: scorecardPage,
  inbox: inboxPage, queue: queuePage, cases: casesPage,
};

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
  header();
  const me = session.me();
  if (!session.token() || !me) {
    signIn();
    return;
  }
  const r = route();
  const home = (navByRole[me.user.role] || [])[0]?.[0];
  if (!r.name) {
    if (home) { location.replace('#/' + home); return; }
    fill(main, h('div', { class: 'card' }, t('adminHint')));
    return;
  }
  const page = pages[r.name];
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

function signIn() {
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true, placeholder: 'xxxx' });
  const msg = h('p', { class: 'error', id: 'signin-error' });
  const form = h('form', { class: 'card', id: 'signin', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const token = input.value.trim();
    try {
      const me = await api('/me', { token, signIn: true });
      forgetNames();
      session.set(token);
      session.setMe(me);
      go('#/');
    } catch (e) {
      msg.textContent = e.status === 401 ? t('badToken') : t('failed') + e.message;
    }
  } },
  h('h1', {}, t('signInTitle')),
  h('p', {}, t('signInHelp')),
  h('label', { for: 'token' }, t('token')), input,
  h('button', { type: 'submit', class: 'btn primary', id: 'signin-submit' }, t('signIn')), msg);
  fill(main, h('div', { class: 'signin' }, form));
  input.focus();
}

document.getElementById('lang').addEventListener('click', () => { setLang(lang === 'en' ? 'zh' : 'en'); forgetNames(); draw(); });
document.getElementById('signout').addEventListener('click', () => {
  forgetNames();
  session.clear();
  go('#/');
});
onUnauthorized(() => {
  if (!session.token()) return;
  session.clear();
  toast(t('signedOut'), true);
  draw();
});
window.addEventListener('hashchange', draw);
setLang(lang);
draw();
