// The working lists of the other roles: the unit's inbox, the axis's
// dispatch queue, the grid worker's cases. Each row opens the case.
import { api, query } from './api.js';
import { h, fill } from './dom.js';
import { t, code, levelName, when } from './i18n.js';
import { nameOf, loadNames } from './names.js';

const caseLink = (id, title) => h('a', { href: '#/case/' + encodeURIComponent(id) }, title);
const levelBadge = (n, overdue) => h('span', { class: 'badge l' + Math.min(n, 4) }, overdue ? t('overdue') + ' · ' : '', 'L' + n + ' ' + levelName(n));

function table(id, heads, rows, width) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: width || heads.length, class: 'empty' }, t('empty')))));
}

export async function inboxPage(el) {
  const { tasks } = await api('/tasks?limit=200');
  fill(el, h('h1', {}, t('inboxTitle'), h('span', { class: 'count' }, String(tasks.length))),
    table('inbox-table', [t('due'), t('caseTitle'), t('kind'), t('role'), t('state'), t('level')], tasks.map((k) => h('tr', { dataset: { task: k.id } },
      h('td', { class: k.overdue ? 'late' : '' }, when(k.due_at),
        k.provisional && h('span', { class: 'badge provisional', title: t('provisionalHelp') }, t('provisional'))),
      h('td', {}, caseLink(k.case_id, k.case_title), h('div', { class: 'muted' }, k.id)),
      h('td', {}, code('kind', k.case_kind)), h('td', {}, code('task_role', k.role)),
      h('td', {}, code('task_state', k.state)), h('td', {}, levelBadge(k.level, k.overdue))))));
}

async function caseTable(el, title, states) {
  const pages = await Promise.all(states.map((state) => api('/cases' + query({ state, limit: 200 }))));
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  const cases = pages.flatMap((p) => p.cases).sort((a, b) => a.opened_at.localeCompare(b.opened_at));
  fill(el, h('h1', {}, t(title), h('span', { class: 'count' }, String(cases.length))),
    table('cases-table', [t('openedAt'), t('caseTitle'), t('kind'), t('priority'), t('state'), t('locality'), t('level')], cases.map((c) => h('tr', {},
      h('td', {}, when(c.opened_at)), h('td', {}, caseLink(c.id, c.title), h('div', { class: 'muted' }, c.id)),
      h('td', {}, code('kind', c.kind)), h('td', {}, code('priority', c.priority)), h('td', {}, code('case_state', c.state)),
      h('td', {}, nameOf(c.locality_id)), h('td', {}, levelBadge(c.level, c.overdue))))));
}

// queuePage is the axis's dispatch queue: cases waiting to be triaged or
// dispatched, oldest first.
export function queuePage(el) { return caseTable(el, 'queueTitle', ['triage', 'dispatching']); }

// casesPage is the grid worker's cases that are still open.
export function casesPage(el) {
  return caseTable(el, 'casesTitle', ['triage', 'dispatching', 'in_progress', 'verifying', 'follow_up']);
}
