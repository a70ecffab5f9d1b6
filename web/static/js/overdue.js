// The overdue board: late tasks inside the caller's subtree, most late
// first, with filters and the reminder and notice actions.
import { api, download } from './api.js';
import { h, fill, toast } from './dom.js';
import { t, code, codesOf, levelName, duration, when } from './i18n.js';
import { nameOf, loadNames, ancestry } from './names.js';
import { superviseForm } from './supervise.js';

export async function overduePage(el, r, me) {
  const data = await api('/overdue?limit=200');
  const items = data.overdue || [];
  const done = new Map(); // task ID → actions sent from this page
  const f = { kind: r.params.get('kind') || '', level: r.params.get('level') || '0', locality: '', unit: '', q: '' };

  const body = h('tbody');
  const shown = h('span', { class: 'count' });
  const select = (name, options) => h('select', { name, onchange: (e) => { f[name] = e.target.value; rows(); } },
    options.map(([v, label]) => h('option', { value: v, selected: f[name] === v }, label)));
  const uniq = (key) => [...new Set(items.map((o) => o[key]))].sort();

  const filters = () => h('div', { class: 'filters', id: 'overdue-filters' },
    h('label', {}, t('kind'), select('kind', [['', t('all')], ...codesOf('kind').map((k) => [k, code('kind', k)])])),
    h('label', {}, t('minLevel'), select('level', [0, 1, 2, 3, 4].map((n) => [String(n), 'L' + n + ' ' + levelName(n)]))),
    h('label', {}, t('locality'), select('locality', [['', t('all')], ...localities()])),
    h('label', {}, t('unit'), select('unit', [['', t('all')], ...uniq('unit_id').map((id) => [id, nameOf(id)])])),
    h('input', { type: 'search', placeholder: t('search'), value: f.q, oninput: (e) => { f.q = e.target.value.trim(); rows(); } }));
  const filterBox = h('div', {}, filters());

  // localities offers every place the late tasks lie in, and the places
  // above them (street, community), as an indented tree.
  function localities() {
    const seen = new Map(); // path key → [id, depth]
    for (const id of uniq('locality_id')) {
      const chain = ancestry(id);
      chain.forEach((a, i) => seen.set(chain.slice(0, i + 1).join('/'), [a, i]));
    }
    return [...seen.keys()].sort().map((k) => { const [id, depth] = seen.get(k); return [id, '\u3000'.repeat(depth) + nameOf(id)]; });
  }
  const within = (o) => !f.locality || ancestry(o.locality_id).includes(f.locality);

  function rows() {
    const list = items.filter((o) => (!f.kind || o.case_kind === f.kind) && o.level >= +f.level &&
      within(o) && (!f.unit || o.unit_id === f.unit) &&
      (!f.q || o.case_title.includes(f.q) || o.case_id.includes(f.q)));
    shown.textContent = t('overdueCount', items.length) + (items.length >= 200 ? ' · ' + t('mostLate200') : '') +
      (list.length !== items.length ? ' · ' + t('shownCount', list.length) : '');
    if (!list.length) {
      fill(body, h('tr', {}, h('td', { colspan: 8, class: 'empty' }, t('empty'))));
      return;
    }
    fill(body, list.map((o) => row(o)));
  }

  function row(o) {
    const tr = h('tr', { dataset: { case: o.case_id, task: o.task_id } });
    const sent = done.get(o.task_id) || [];
    const open = (action) => {
      tr.nextElementSibling?.classList.contains('form') && tr.nextElementSibling.remove();
      const formRow = h('tr', { class: 'form' }, h('td', { colspan: 8 }, superviseForm(action, o.case_id, o.task_id, () => {
        done.set(o.task_id, [...(done.get(o.task_id) || []), action]);
        formRow.remove();
        tr.replaceWith(row(o));
      }, () => formRow.remove())));
      tr.after(formRow);
    };
    fill(tr,
      h('td', { class: 'late' }, duration(o.lateness_seconds)),
      h('td', {}, h('a', { href: '#/case/' + encodeURIComponent(o.case_id), class: 'case-link' }, o.case_title),
        h('div', { class: 'muted' }, o.case_id, ' · ', o.task_id)),
      h('td', {}, code('kind', o.case_kind)),
      h('td', { class: 'unit', dataset: { id: o.unit_id } }, nameOf(o.unit_id)),
      h('td', { class: 'locality', dataset: { id: o.locality_id } }, nameOf(o.locality_id)),
      h('td', {}, h('span', { class: 'badge l' + Math.min(o.level, 4) }, 'L' + o.level + ' ' + levelName(o.level))),
      h('td', {}, when(o.due_at)),
      h('td', {}, h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn small', dataset: { act: 'remind' }, onclick: () => open('remind') }, t('remind')),
        me.user.role === 'supervisor' && h('button', { type: 'button', class: 'btn small', dataset: { act: 'notice' }, onclick: () => open('notice') }, t('notice'))),
      sent.map((a) => h('span', { class: 'badge ok' }, t(a === 'remind' ? 'reminded' : 'noticed')))));
    return tr;
  }

  rows();
  fill(el,
    h('h1', {}, t('overdueTitle'), shown, h('span', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => dispatchEvent(new HashChangeEvent('hashchange')) }, t('refresh')),
      h('button', { type: 'button', class: 'btn', id: 'export-overdue', onclick: async () => {
        try { toast(t('exported') + await download('/overdue.csv', 'overdue.csv')); } catch (e) { toast(e.message, true); }
      } }, t('exportCSV')))),
    filterBox,
    h('table', { id: 'overdue-table' },
      h('thead', {}, h('tr', {}, [t('lateness'), t('caseTitle'), t('kind'), t('unit'), t('locality'), t('level'), t('due'), t('actions')].map((s) => h('th', {}, s)))),
      body));

  // Names arrive after the first drawing; put them in place without
  // redrawing, so an open form stays as it is.
  loadNames().then(() => {
    fill(filterBox, filters());
    for (const td of body.querySelectorAll('td.unit, td.locality')) td.textContent = nameOf(td.dataset.id);
  });
}
