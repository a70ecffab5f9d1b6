// Drill-down through the locality tree (county › street › community):
// counts of cases by state and kind, and the same for each child.
import { api, query } from './api.js';
import { h, fill } from './dom.js';
import { t, code } from './i18n.js';
import { bars } from './charts.js';
import { learnCounts, nameOf } from './names.js';

export async function drillPage(el, r) {
  const id = r.args[0] || '';
  const c = await api('/counts' + query({ locality: id }));
  learnCounts(c);
  const loc = c.locality;
  const path = loc.path.split('/').filter(Boolean);
  const crumbs = h('div', { class: 'crumbs' }, path.map((p, i) => i === path.length - 1
    ? h('strong', {}, nameOf(p))
    : [h('a', { href: '#/drill/' + encodeURIComponent(p) }, nameOf(p)), h('span', {}, '›')]));
  const stateEl = h('div', { class: 'chart', id: 'chart-state' });
  const kindEl = h('div', { class: 'chart', id: 'chart-kind' });
  const childEl = h('div', { class: 'chart', id: 'chart-children' });
  const children = c.children || [];
  const states = Object.keys(c.by_state || {});
  const kinds = Object.keys(c.by_kind || {});

  fill(el,
    h('h1', {}, t('drillTitle'), h('span', { class: 'count' }, loc.name, ' · ', code('level', loc.level))),
    crumbs,
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'v', id: 'count-cases' }, String(c.cases)), h('div', { class: 'k' }, t('cases'))),
      h('div', { class: 'stat bad' }, h('div', { class: 'v', id: 'count-overdue' }, String(c.overdue)), h('div', { class: 'k' }, t('overdueN')))),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('byState')), stateEl),
      h('div', { class: 'card' }, h('h2', {}, t('byKind')), kindEl)),
    children.length > 0 && h('div', { class: 'card' }, h('h2', {}, t('children')), childEl,
      h('table', { id: 'children-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('name')), h('th', { class: 'num' }, t('cases')), h('th', { class: 'num' }, t('overdueN')),
          ...states.map((s) => h('th', { class: 'num' }, code('case_state', s))))),
        h('tbody', {}, children.map((ch) => h('tr', {},
          h('td', {}, h('a', { href: '#/drill/' + encodeURIComponent(ch.locality.id) }, ch.locality.name),
            ' ', h('span', { class: 'muted' }, code('level', ch.locality.level))),
          h('td', { class: 'num' }, String(ch.cases)),
          h('td', { class: 'num late' }, String(ch.overdue)),
          ...states.map((s) => h('td', { class: 'num' }, String(ch.by_state?.[s] || 0)))))))));

  el.addEventListener('shown', () => {
    bars(stateEl, states.map((s) => code('case_state', s)), [{ name: t('cases'), data: states.map((s) => c.by_state[s]) }], { counts: true });
    bars(kindEl, kinds.map((k) => code('kind', k)), [{ name: t('cases'), data: kinds.map((k) => c.by_kind[k]), itemStyle: { color: '#1f5fbf' } }], { counts: true });
    if (children.length) {
      bars(childEl, children.map((ch) => ch.locality.name), [
        { name: t('cases'), data: children.map((ch) => ch.cases), itemStyle: { color: '#1f5fbf' } },
        { name: t('overdueN'), data: children.map((ch) => ch.overdue), itemStyle: { color: '#c8161d' } },
      ], { counts: true });
    }
  });
}
