// A case with its tasks and its timeline (the audit trail), and the
// reminder and notice actions when the caller may take them.
import { api } from './api.js';
import { h, fill } from './dom.js';
import { t, code, levelName, when, reasonText } from './i18n.js';
import { nameOf, loadNames } from './names.js';
import { superviseForm } from './supervise.js';

const alerting = new Set(['warning', 'overdue', 'escalated', 'whistle_missed', 'report_missing']);
const supervising = new Set(['remind', 'notice', 'whistle']);

export async function casePage(el, r) {
  const id = r.args[0];
  const path = '/cases/' + encodeURIComponent(id);
  const [c, trail] = await Promise.all([api(path), api(path + '/events')]);
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const actions = h('div', { class: 'row-actions', id: 'case-actions' });
  const formBox = h('div');

  // One line per thing that happened: the server merges the case's and
  // the tasks' moves of one action (the answer's timeline).
  const drawTimeline = (lines) => fill(timeline, lines.map((e) => h('li', {
    class: alerting.has(e.type) ? 'alert' : supervising.has(e.type) ? 'supervise' : '', dataset: { type: e.type, seq: e.seq },
  },
  h('span', { class: 'when' }, when(e.at)),
  h('span', { class: 'what' }, code('event', e.type)),
  h('span', { class: 'muted' }, e.actor.user_id ? e.actor.user_id + ' (' + code('role', e.actor.role) + ')' : ''),
  ...(e.tasks || []).map((k) => h('span', { class: 'muted' }, ' · ', k.task_id, k.to_state ? ' → ' + code('task_state', k.to_state) : '')),
  e.to_state && h('span', { class: 'muted' }, ' · ', t('caseTitle'), ' → ', code('case_state', e.to_state)),
  (e.note || e.reason) && h('div', { class: 'note' }, [reasonText(e), e.note].filter(Boolean).join(' · ')))));

  const drawActions = (cs) => fill(actions, ['remind', 'notice'].filter((a) => cs.allowed_actions.includes(a)).map((a) =>
    h('button', { type: 'button', class: 'btn', dataset: { act: a }, onclick: () => fill(formBox, superviseForm(a, cs.id, '', async () => {
      formBox.replaceChildren();
      drawTimeline((await api(path + '/events')).timeline);
    }, () => formBox.replaceChildren())) }, t(a))));

  drawTimeline(trail.timeline);
  drawActions(c);
  const facts = [
    [t('kind'), code('kind', c.kind)], [t('state'), code('case_state', c.state)], [t('priority'), code('priority', c.priority)],
    [t('locality'), c.locality.path.split('/').filter(Boolean).map(nameOf).join(' › ')],
    [t('openedAt'), when(c.opened_at)], [t('openedBy'), c.opened_by.user_id],
    [t('level'), 'L' + c.level + ' ' + levelName(c.level)], [t('overdue'), c.overdue ? t('yes') : t('no')],
    [t('returns'), String(c.returns)],
    c.location?.address && [t('address'), c.location.address],
    (c.reporter?.name || c.reporter?.phone) && [t('reporter'), reporterFact(c, path)],
  ].filter(Boolean);
  fill(el,
    h('h1', {}, h('button', { type: 'button', class: 'link', onclick: () => history.back() }, '‹ ' + t('back')), h('span', { id: 'case-title' }, c.title),
      c.overdue && h('span', { class: 'badge l3' }, t('overdue')), h('span', { class: 'actions' }, actions)),
    formBox,
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('caseDetail'), ' ', h('span', { class: 'muted' }, c.id)),
        h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        c.description && h('p', { class: 'note' }, c.description)),
      h('div', { class: 'card' }, h('h2', {}, t('tasks')),
        h('table', {}, h('thead', {}, h('tr', {}, [t('task'), t('unit'), t('role'), t('state'), t('due'), t('level')].map((s) => h('th', {}, s)))),
          h('tbody', {}, c.tasks.map((k) => h('tr', {},
            h('td', {}, k.id), h('td', {}, nameOf(k.unit_id)), h('td', {}, code('task_role', k.role)),
            h('td', {}, code('task_state', k.state), k.overdue && h('span', { class: 'badge l3' }, t('overdue'))),
            h('td', {}, when((k.state === 'offered' ? k.accept_by : k.resolve_by)?.due),
              (k.state === 'offered' ? k.accept_by : k.resolve_by)?.provisional &&
                h('span', { class: 'badge provisional', title: t('provisionalHelp') }, t('provisional'))),
            h('td', {}, 'L' + k.level))))))),
    h('div', { class: 'card' }, h('h2', {}, t('timeline')), timeline));
}

// reporterFact is the reporter's name and phone, masked (李**, 138****0000)
// for those the data is not for, with a button to reveal them for a
// reason, which the server keeps in the access audit.
function reporterFact(c, path) {
  const shown = h('span', { id: 'reporter' }, [c.reporter.name, c.reporter.phone].filter(Boolean).join(' · '));
  if (!c.reporter.masked) return shown;
  const box = h('span');
  const label = h('span', { class: 'muted', title: t('maskedHelp') }, ' ', t('masked'));
  const ask = h('button', { type: 'button', class: 'link', id: 'reveal' }, t('reveal'));
  ask.onclick = () => {
    const reason = h('input', { type: 'text', id: 'reveal-reason', required: true, minlength: 2, placeholder: t('revealReason') });
    const msg = h('span', { class: 'error' });
    fill(box, h('form', { class: 'inline', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api(path + '/reveal', { method: 'POST', body: { reason: reason.value } });
        shown.textContent = [r.reporter.name, r.reporter.phone].filter(Boolean).join(' · ');
        label.remove();
        box.replaceChildren(h('span', { class: 'muted' }, ' ', t('revealed')));
      } catch (e) {
        msg.textContent = Object.values(e.fields || {}).join('; ') || e.message;
      }
    } }, reason, h('button', { type: 'submit', class: 'btn', id: 'reveal-submit' }, t('reveal')), msg));
    reason.focus();
  };
  box.append(' ', ask);
  return h('span', {}, shown, label, box);
}
