// The desk's case page (axis, unit staff, supervisor): the case, its
// tasks with their deadlines and the time left, the photos before and
// after, the timeline, and a button for every action the server offers
// the caller now — on the case, and on each task — whose form comes from
// the API's description of that action.
import { api, act } from './api.js';
import { h, ref, reactive, computed, El, mount, message, errorText, newKey, left } from './ui.js';
import { t, code, when, levelName, reasonText } from './i18n.js';
import { nameOf, loadNames, learn } from './names.js';
import { actionForm, actionTarget, initial, bodyOf } from './schema.js';
import { formFields } from './fields-el.js';

const { ElButton, ElDialog, ElForm, ElTag, ElCard, ElDescriptions, ElDescriptionsItem, ElTable, ElTableColumn, ElTimeline, ElTimelineItem,
  ElImage, ElAlert, ElEmpty, ElSpace } = El;

// context is what the forms choose from: the units and resources in the
// caller's place, and the case's tasks.
export async function formContext(c) {
  const [places, resources] = await Promise.all([
    api('/places').catch(() => ({ units: [] })),
    api('/resources').catch(() => ({ resources: [] })),
  ]);
  for (const r of resources.resources || []) learn(r.id, r.name);
  return {
    units: (places.units || []).map((u) => ({ id: u.id, name: nameOf(u.id) })),
    localities: (places.localities || []).map((l) => ({ id: l.id, name: nameOf(l.id) + ' · ' + code('level', l.level) })),
    resources: resources.resources || [],
    case: c,
    tasks: c ? c.tasks.filter((k) => !['resolved', 'withdrawn', 'returned', 'reassigned'].includes(k.state)) : [],
    unitName: nameOf,
    newRow: (f) => initial(f.fields),
  };
}

// ActionDialog is the form of one action; the Idempotency-Key lives as
// long as the form, so sending it again after an error takes the action
// once.
export const ActionDialog = {
  props: ['action', 'ids', 'ctx', 'title'],
  emits: ['done', 'close'],
  setup(props, { emit }) {
    const state = reactive({ form: null, model: null, busy: false, error: '' });
    // The key belongs to one body: sent again unchanged (a lost answer),
    // it takes the action once; changed after a refusal, it is another
    // request and gets another key.
    let key = newKey(), sent = '';
    actionForm(props.action, props.ids).then((form) => {
      // A task's own form names the task; remind and notice from a task row do too.
      const fields = form.fields.filter((f) => !(f.name === 'task_id' && props.ids.task));
      state.form = { ...form, fields };
      state.model = reactive(initial(fields));
    }, (e) => { state.error = errorText(e); });
    const submit = async () => {
      state.busy = true; state.error = '';
      try {
        const body = bodyOf(state.form.fields, state.model);
        if (props.ids.task && state.form.on === 'case') body.task_id = props.ids.task;
        const json = JSON.stringify(body);
        if (sent && sent !== json) key = newKey();
        sent = json;
        const c = await act(state.form.path, body, key);
        message(t('done', code('action', props.action)));
        emit('done', c);
      } catch (e) {
        state.error = errorText(e);
      } finally {
        state.busy = false;
      }
    };
    return () => h(ElDialog, { modelValue: true, title: props.title || code('action', props.action), width: 'min(640px, 96vw)',
      'onUpdate:modelValue': () => emit('close'), appendToBody: true, class: 'action-dialog', 'data-action': props.action }, {
      default: () => [
        state.error && h(ElAlert, { type: 'error', title: state.error, closable: false, showIcon: true, class: 'form-error' }),
        state.form && h(ElForm, { labelPosition: 'top', onSubmit: (e) => { e.preventDefault(); submit(); } },
          () => state.form.fields.length ? formFields(state.form.fields, state.model, props.ctx) : h('p', {}, t('confirmAction'))),
      ],
      footer: () => [
        h(ElButton, { onClick: () => emit('close') }, () => t('cancel')),
        h(ElButton, { type: 'primary', loading: state.busy, disabled: !state.form, class: 'submit', onClick: submit }, () => t('submit'))],
    });
  },
};

// gallery shows attachments: a photo by its thumbnail, opening the
// photo; anything else as a link.
export function gallery(urls, id) {
  if (!urls?.length) return h('span', { class: 'muted' }, t('none'));
  return h('div', { class: 'gallery', id }, urls.map((u) => {
    const own = u.startsWith('/api/v1/files/');
    return h(ElImage, { key: u, src: own ? u + '/thumbnail' : u, previewSrcList: [u], fit: 'cover', class: 'thumb', previewTeleported: true },
      { error: () => h('a', { href: u, target: '_blank', rel: 'noopener' }, t('file')) });
  }));
}

// details shows the kind's own part of a case: its scalars as a list,
// its lists (votes, sign-ups, hours, posts) as tables.
export function details(d) {
  const part = Object.entries(d || {}).find(([, v]) => v && typeof v === 'object');
  if (!part) return null;
  const [, body] = part;
  const scalars = Object.entries(body).filter(([, v]) => v !== null && typeof v !== 'object');
  const lists = Object.entries(body).filter(([, v]) => Array.isArray(v) && v.length && typeof v[0] === 'object');
  const plain = Object.entries(body).filter(([, v]) => Array.isArray(v) && v.length && typeof v[0] !== 'object');
  // Codes are named from /labels, units and resources by their names,
  // times as times.
  const coded = { state: 'booking_state', rule: 'vote_rule', duty: 'duty' };
  const show = (k, v) => (/_at$|^from$|^to$|deadline/.test(k) && typeof v === 'string' ? when(v)
    : typeof v === 'boolean' ? (v ? t('yes') : t('no'))
      : coded[k] ? code(coded[k], v)
        : /(^|_)(unit|resource)_id$/.test(k) ? nameOf(v) : String(v));
  // A list in a row (a whistle's units) or a map by ID (who reported)
  // names its members.
  const cell = (k, v) => (v === null || v === undefined ? ''
    : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? nameOf(x) : JSON.stringify(x))).join('、')
      : typeof v === 'object' ? Object.keys(v).map(nameOf).join('、') : show(k, v));
  return h('div', { id: 'case-details' }, [
    h(ElDescriptions, { column: 2, border: true, size: 'small' }, () => [
      ...scalars.map(([k, v]) => h(ElDescriptionsItem, { label: t('f_' + k) === 'f_' + k ? k : t('f_' + k) }, () => show(k, v))),
      ...plain.map(([k, v]) => h(ElDescriptionsItem, { label: t('f_' + k) === 'f_' + k ? k : t('f_' + k) }, () => v.join('、'))),
    ]),
    ...lists.map(([k, rows]) => h('div', { class: 'detail-list', 'data-list': k }, [
      h('h3', {}, t('f_' + k) === 'f_' + k ? k : t('f_' + k), ' ', h('span', { class: 'muted' }, String(rows.length))),
      h(ElTable, { data: rows, size: 'small', border: true }, () => Object.keys(rows[0]).map((col) => h(ElTableColumn, { label: t('f_' + col) === 'f_' + col ? col : t('f_' + col), minWidth: 90 },
        { default: ({ row }) => cell(col, row[col]) }))),
    ])),
  ]);
}

// deadline is a task's running deadline: its time, what is left, red
// when passed.
export function deadline(k) {
  const d = k.state === 'offered' ? k.accept_by : k.resolve_by;
  if (!d?.due) return h('span', { class: 'muted' }, '—');
  const late = k.overdue || new Date(d.due) < new Date();
  return h('span', { class: late ? 'late' : '' }, when(d.due), h('br'), h('small', { class: 'left' }, left(d.due)),
    d.provisional && h(ElTag, { size: 'small', type: 'warning', title: t('provisionalHelp') }, () => t('provisional')));
}

// reporter is the reporter's name and phone, masked (李**, 138****0000)
// for those the data is not for, with a button to reveal them for a
// reason, which the server keeps in the access audit.
function reporter(c, s, path) {
  const shown = s.revealed || c.reporter;
  const text = h('span', { id: 'reporter' }, [shown.name, shown.phone].filter(Boolean).join(' · '));
  if (!c.reporter.masked || s.revealed) return [text, s.revealed && h('span', { class: 'muted' }, ' ' + t('revealed'))];
  const ask = async () => {
    try {
      const { value } = await El.ElMessageBox.prompt(t('maskedHelp'), t('reveal'), {
        inputPlaceholder: t('revealReason'), inputPattern: /\S{2,}/, inputErrorMessage: t('revealReason'),
        customClass: 'reveal-box', confirmButtonClass: 'reveal-submit', inputType: 'text' });
      const r = await api(path + '/reveal', { method: 'POST', body: { reason: value } });
      s.revealed = r.reporter;
    } catch (e) { if (e !== 'cancel' && e !== 'close') message(errorText(e), 'error'); }
  };
  return [text, h('span', { class: 'muted', title: t('maskedHelp') }, ' ' + t('masked') + ' '), h(ElButton, { link: true, type: 'primary', id: 'reveal', onClick: ask }, () => t('reveal'))];
}

const alerting = new Set(['warning', 'overdue', 'escalated', 'whistle_missed', 'report_missing']);

const CasePage = {
  props: ['id', 'me'],
  setup(props) {
    const path = '/cases/' + encodeURIComponent(props.id);
    const s = reactive({ c: null, trail: [], ctx: null, dialog: null, error: '', revealed: null });
    const caseTargets = ref({});
    const load = async () => {
      try {
        const [c, trail] = await Promise.all([api(path), api(path + '/events')]);
        s.c = c; s.trail = trail.timeline;
        s.ctx = await formContext(c);
        const targets = {};
        for (const a of c.allowed_actions) targets[a] = await actionTarget(a);
        caseTargets.value = targets;
      } catch (e) { s.error = errorText(e); }
    };
    load();
    const open = (action, ids) => { s.dialog = { action, ids }; };
    const done = (c) => { s.dialog = null; if (c?.id) s.c = c; load(); };
    // The case's own buttons: case actions (a task's are on its row).
    const caseActions = computed(() => (s.c?.allowed_actions || []).filter((a) => caseTargets.value[a] === 'case'));
    const button = (a, ids, small) => h(ElButton, { key: a, size: small ? 'small' : 'default', type: primary.has(a) ? 'primary' : 'default',
      'data-act': a, onClick: () => open(a, ids) }, () => code('action', a));
    return () => {
      if (s.error) return h(ElAlert, { type: 'error', title: s.error, closable: false });
      const c = s.c;
      if (!c) return h('div', { class: 'empty' }, t('loading'));
      const after = c.tasks.flatMap((k) => k.attachments || []);
      return h('div', { class: 'desk-case' }, [
        h('h1', {}, [
          h(ElButton, { link: true, onClick: () => history.back() }, () => '‹ ' + t('back')),
          h('span', { id: 'case-title' }, c.title), ' ',
          h(ElTag, { id: 'case-state', type: c.state === 'closed' ? 'info' : 'primary' }, () => code('case_state', c.state)),
          c.overdue && h(ElTag, { type: 'danger' }, () => t('overdue')),
        ]),
        h('div', { class: 'row-actions', id: 'case-actions' }, caseActions.value.map((a) => button(a, { case: c.id }))),
        h('div', { class: 'grid' }, [
          h(ElCard, { header: t('caseDetail') + ' · ' + c.id }, () => [
            h(ElDescriptions, { column: 1, size: 'small' }, () => [
              [t('kind'), code('kind', c.kind)], [t('state'), code('case_state', c.state) + (c.resolution ? ' · ' + code('resolution', c.resolution) : '')],
              [t('priority'), code('priority', c.priority)],
              [t('locality'), c.locality.path.split('/').filter(Boolean).map(nameOf).join(' › ')],
              [t('openedAt'), when(c.opened_at)], [t('openedBy'), c.opened_by.user_id],
              [t('level'), 'L' + c.level + ' ' + levelName(c.level)], [t('returns'), String(c.returns)],
              c.location?.address && [t('address'), c.location.address],
              (c.location?.lat || c.location?.lng) && [t('point'), c.location.lat.toFixed(5) + ', ' + c.location.lng.toFixed(5)],
              (c.reporter?.name || c.reporter?.phone) && [t('reporter'), reporter(c, s, path)],
              c.duplicate_of && [t('duplicateOf'), h('a', { href: '#/case/' + c.duplicate_of }, c.duplicate_of)],
            ].filter(Boolean).map(([k, v]) => h(ElDescriptionsItem, { label: k }, () => v))),
            c.description && h('p', { class: 'note' }, c.description),
            details(c.details),
          ]),
          h(ElCard, { header: t('photos'), id: 'photos' }, () => h('div', { class: 'before-after' }, [
            h('div', {}, [h('h3', {}, t('before')), gallery(c.attachments, 'photos-before')]),
            h('div', {}, [h('h3', {}, t('after')), gallery(after, 'photos-after')]),
          ])),
        ]),
        h(ElCard, { header: t('tasks') }, () => c.tasks.length ? h(ElTable, { data: c.tasks, id: 'tasks-table', rowKey: 'id' }, () => [
          h(ElTableColumn, { label: t('unit'), minWidth: 150 }, { default: ({ row }) => [h('div', {}, nameOf(row.unit_id)), h('small', { class: 'muted' }, row.id)] }),
          h(ElTableColumn, { label: t('role'), width: 90 }, { default: ({ row }) => code('task_role', row.role) + (row.duty ? ' · ' + code('duty', row.duty) : '') }),
          h(ElTableColumn, { label: t('state'), width: 110 }, { default: ({ row }) => h('span', { 'data-task-state': row.state }, code('task_state', row.state)) }),
          h(ElTableColumn, { label: t('due'), minWidth: 150 }, { default: ({ row }) => deadline(row) }),
          h(ElTableColumn, { label: t('level'), width: 90 }, { default: ({ row }) => 'L' + row.level }),
          h(ElTableColumn, { label: t('f_result'), minWidth: 140 }, { default: ({ row }) => [row.result || '',
            row.extension && h('div', { class: 'ext' }, t('extensionAsked', row.extension.extra) + (row.extension.reason ? '：' + row.extension.reason : ''))] }),
          h(ElTableColumn, { label: t('actions'), minWidth: 220 }, { default: ({ row }) => h('div', { class: 'task-actions', 'data-task': row.id },
            // Offered once the forms' choices (units, resources) are here.
            s.ctx ? row.allowed_actions.map((a) => button(a, { case: c.id, task: row.id, extension: row.extension?.id }, true)) : []) }),
        ]) : h(ElEmpty, { description: t('noTasks'), imageSize: 60 })),
        h(ElCard, { header: t('timeline') }, () => h(ElTimeline, { id: 'timeline' }, () => s.trail.map((e) => h(ElTimelineItem, {
          key: e.seq, timestamp: when(e.at), type: alerting.has(e.type) ? 'danger' : 'primary', 'data-type': e.type }, () => [
          h('strong', {}, code('event', e.type)), ' ',
          h('span', { class: 'muted' }, e.actor.user_id ? e.actor.user_id + '（' + code('role', e.actor.role) + '）' : ''),
          ...(e.tasks || []).map((k) => h('span', { class: 'muted' }, ' · ' + nameOf(k.unit_id || '') + ' ' + k.task_id + (k.to_state ? ' → ' + code('task_state', k.to_state) : ''))),
          e.to_state && h('span', { class: 'muted' }, ' · ' + t('caseTitle') + ' → ' + code('case_state', e.to_state)),
          (e.note || e.reason) && h('div', { class: 'note' }, [reasonText(e), e.note].filter(Boolean).join(' · ')),
        ])))),
        s.dialog && h(ActionDialog, { action: s.dialog.action, ids: s.dialog.ids, ctx: s.ctx, onDone: done, onClose: () => { s.dialog = null; } }),
      ]);
    };
  },
};

// The actions a person usually means to take come first in colour.
const primary = new Set(['dispatch', 'verify', 'accept', 'resolve', 'follow-up', 'approve-extension', 'approve-booking', 'confirm-handback', 'vote', 'open-voting', 'confirm-hours']);

export async function deskCasePage(el, r, me) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, CasePage, { id: r.args[0], me });
}
