// The desk's working lists: the unit's inbox (its tasks, soonest
// deadline first, with the time left) and the cases the unit is part of;
// the axis's desk (cases by the step they wait at). A row opens the case.
import { api, query } from './api.js';
import { h, reactive, onBeforeUnmount, El, mount, errorText, left, loading } from './ui.js';
import { t, code, when } from './i18n.js';
import { nameOf, loadNames } from './names.js';
import { ActionDialog, formContext } from './desk.js';
import { OpenDialog } from './open-desk.js';

const { ElTable, ElTableColumn, ElTabs, ElTabPane, ElButton, ElTag, ElAlert, ElInput, ElSwitch } = El;

const caseLink = (id, title) => h('a', { href: '#/case/' + encodeURIComponent(id), class: 'case-link' }, title);

// The tasks a unit has to act on; a task's running deadline is to accept
// while it is offered, to resolve after.
const openTasks = ['offered', 'accepted', 'in_progress', 'on_hold'];
const dueOf = (k) => (k.state === 'offered' ? k.accept_by : k.resolve_by) || '';
const lateNow = (k, now) => k.overdue || (dueOf(k) && new Date(dueOf(k)) < now);

const InboxPage = {
  setup() {
    const s = reactive({ tasks: [], error: '', busy: true, overdue: false, dialog: null, ctx: null, now: Date.now() });
    const load = async () => {
      s.busy = true;
      try {
        const pages = await Promise.all(openTasks.map((state) => api('/tasks' + query({ state, limit: 200, overdue: s.overdue ? 'true' : '' }))));
        s.tasks = pages.flatMap((p) => p.tasks).sort((a, b) => dueOf(a).localeCompare(dueOf(b)));
        s.error = '';
      } catch (e) { s.error = errorText(e); }
      s.busy = false; s.now = Date.now();
    };
    load();
    formContext(null).then((c) => { s.ctx = c; });
    // The time left moves on while the page is open.
    const timer = setInterval(() => { s.now = Date.now(); }, 30000);
    onBeforeUnmount(() => clearInterval(timer));
    return () => h('div', { class: 'desk-list' }, [
      h('h1', {}, [t('inboxTitle'), h('span', { class: 'count' }, String(s.tasks.length)),
        h('span', { class: 'tools' }, [h(ElSwitch, { modelValue: s.overdue, activeText: t('overdueOnly'), id: 'inbox-overdue',
          'onUpdate:modelValue': (v) => { s.overdue = v; load(); } }),
        h(ElButton, { onClick: load, id: 'inbox-refresh' }, () => t('refresh'))])]),
      s.error && h(ElAlert, { type: 'error', title: s.error, closable: false }),
      loading(h(ElTable, { data: s.tasks, id: 'inbox-table', rowKey: 'id', emptyText: t('empty'),
        rowClassName: ({ row }) => (lateNow(row, s.now) ? 'late-row' : '') }, () => [
        h(ElTableColumn, { label: t('timeLeft'), width: 150 }, { default: ({ row }) => h('span', { class: lateNow(row, s.now) ? 'late' : '', 'data-left': row.id },
          left(dueOf(row), s.now)) }),
        h(ElTableColumn, { label: t('due'), width: 170 }, { default: ({ row }) => [when(dueOf(row)),
          row.provisional && h(ElTag, { size: 'small', type: 'warning', title: t('provisionalHelp') }, () => t('provisional'))] }),
        h(ElTableColumn, { label: t('caseTitle'), minWidth: 220 }, { default: ({ row }) => [caseLink(row.case_id, row.case_title), h('div', { class: 'muted' }, row.id)] }),
        h(ElTableColumn, { label: t('kind'), width: 130 }, { default: ({ row }) => code('kind', row.case_kind) }),
        h(ElTableColumn, { label: t('role'), width: 80 }, { default: ({ row }) => code('task_role', row.role) }),
        h(ElTableColumn, { label: t('state'), width: 100 }, { default: ({ row }) => code('task_state', row.state) }),
        h(ElTableColumn, { label: t('level'), width: 70 }, { default: ({ row }) => 'L' + row.level }),
        h(ElTableColumn, { label: t('actions'), width: 170 }, { default: ({ row }) => [
          row.state === 'offered' && h(ElButton, { size: 'small', type: 'primary', 'data-act': 'accept', 'data-task': row.id,
            onClick: () => { s.dialog = { action: 'accept', ids: { case: row.case_id, task: row.id } }; } }, () => code('action', 'accept')),
          h(ElButton, { size: 'small', onClick: () => { location.hash = '#/case/' + encodeURIComponent(row.case_id); } }, () => t('open'))] }),
      ]), s.busy),
      s.dialog && h(ActionDialog, { action: s.dialog.action, ids: s.dialog.ids, ctx: s.ctx || {}, onDone: () => { s.dialog = null; load(); },
        onClose: () => { s.dialog = null; } }),
    ]);
  },
};

// CaseDesk lists cases by the step they wait at, one tab each.
const CaseDesk = {
  props: ['tabs', 'title', 'kinds'],
  setup(props) {
    const s = reactive({ tab: props.tabs[0].key, cases: [], error: '', busy: true, q: '', opening: false });
    const load = async () => {
      s.busy = true;
      const tab = props.tabs.find((x) => x.key === s.tab);
      try {
        const pages = await Promise.all(tab.states.map((state) => api('/cases' + query({ state, limit: 200, q: s.q, ...(tab.params || {}) }))));
        s.cases = pages.flatMap((p) => p.cases).sort((a, b) => a.opened_at.localeCompare(b.opened_at));
        s.error = '';
      } catch (e) { s.error = errorText(e); }
      s.busy = false;
    };
    load();
    return () => h('div', { class: 'desk-list' }, [
      h('h1', {}, [t(props.title), h('span', { class: 'count', id: 'desk-count' }, String(s.cases.length)),
        h('span', { class: 'tools' }, [
          h(ElInput, { modelValue: s.q, 'onUpdate:modelValue': (v) => { s.q = v; }, placeholder: t('search'), clearable: true, style: 'width: 200px',
            onKeyup: (e) => e.key === 'Enter' && load(), onClear: load }),
          h(ElButton, { onClick: load }, () => t('refresh')),
          props.kinds && h(ElButton, { type: 'primary', id: 'open-case', onClick: () => { s.opening = true; } }, () => t('openCase'))])]),
      s.opening && h(OpenDialog, { kinds: props.kinds, onClose: () => { s.opening = false; },
        onDone: (c) => { s.opening = false; location.hash = '#/case/' + encodeURIComponent(c.id); } }),
      h(ElTabs, { modelValue: s.tab, 'onUpdate:modelValue': (v) => { s.tab = v; load(); }, id: 'desk-tabs' },
        () => props.tabs.map((x) => h(ElTabPane, { name: x.key, label: t(x.label) }))),
      s.error && h(ElAlert, { type: 'error', title: s.error, closable: false }),
      loading(h(ElTable, { data: s.cases, id: 'cases-table', rowKey: 'id', emptyText: t('empty'),
        rowClassName: ({ row }) => (row.overdue ? 'late-row' : '') }, () => [
        h(ElTableColumn, { label: t('openedAt'), width: 170 }, { default: ({ row }) => when(row.opened_at) }),
        h(ElTableColumn, { label: t('caseTitle'), minWidth: 240 }, { default: ({ row }) => [caseLink(row.id, row.title), h('div', { class: 'muted' }, row.id)] }),
        h(ElTableColumn, { label: t('kind'), width: 130 }, { default: ({ row }) => code('kind', row.kind) }),
        h(ElTableColumn, { label: t('priority'), width: 80 }, { default: ({ row }) => code('priority', row.priority) }),
        h(ElTableColumn, { label: t('state'), width: 100 }, { default: ({ row }) => code('case_state', row.state) }),
        h(ElTableColumn, { label: t('locality'), width: 140 }, { default: ({ row }) => nameOf(row.locality_id) }),
        h(ElTableColumn, { label: t('level'), width: 90 }, { default: ({ row }) => [row.overdue && h(ElTag, { type: 'danger', size: 'small' }, () => t('overdue')), ' L' + row.level] }),
      ]), s.busy),
    ]);
  },
};

export async function inboxDeskPage(el) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, InboxPage);
}

const open = ['triage', 'dispatching', 'in_progress', 'verifying', 'follow_up'];

// axisDeskPage is the axis's desk: what waits for triage and dispatch,
// verification, the follow-up, and what the units are working on.
export async function axisDeskPage(el) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, CaseDesk, { title: 'queueTitle', kinds: 'all', tabs: [
    { key: 'triage', label: 'tabTriage', states: ['triage', 'dispatching'] },
    { key: 'verify', label: 'tabVerify', states: ['verifying'] },
    { key: 'follow', label: 'tabFollowUp', states: ['follow_up'] },
    { key: 'work', label: 'tabInProgress', states: ['in_progress'] },
    { key: 'late', label: 'tabOverdue', states: open, params: { overdue: 'true' } },
    { key: 'closed', label: 'tabClosed', states: ['closed', 'cancelled'] },
  ] });
}

// unitCasesPage is every open case the unit is part of: its tasks', and
// the bookings of its resources, the consultations and whistles it is in.
export async function unitCasesPage(el) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, CaseDesk, { title: 'unitCasesTitle', kinds: ['member_management'], tabs: [
    { key: 'open', label: 'tabOpen', states: open },
    { key: 'closed', label: 'tabClosed', states: ['closed', 'cancelled'] },
  ] });
}
