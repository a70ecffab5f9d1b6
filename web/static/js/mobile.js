// The grid worker's pages, for a phone (Vant): report a case of any kind
// with its own fields, the place (the phone's position, a tap on the map
// of the grid outlines, or the worker's own grid), photos and the
// resident; the cases of the worker's place; a case, with the actions the
// server offers the worker (the resident's answer at the follow-up, 回访).
import { api, act } from './api.js';
import { h, reactive, computed, watch, Vant, mount, errorText, newKey, left, onBeforeUnmount } from './ui.js';
import { t, code, codesOf, when } from './i18n.js';
import { nameOf, loadNames } from './names.js';
import { schemaFields, actionForm, initial, bodyOf } from './schema.js';
import { formFields, item, photos } from './fields-vant.js';
import { GridMap, loadAreas, gridAt } from './map.js';
import { formContext } from './desk.js';
import { detailsKey } from './open-desk.js';

const { Form, CellGroup, Cell, Field, Button, RadioGroup, Radio, Tabbar, TabbarItem, Tag, Tabs, Tab, Empty, Steps, Step,
  ActionSheet, Popup, NoticeBar, Image: VanImage, showToast, showSuccessToast, showFailToast, Dialog } = Vant;


const DRAFT = 'qilian.draft';

// A report not yet taken by the server waits here with its
// Idempotency-Key: sent again (a retry, the phone back online, the page
// opened again), it opens the case once.
const drafts = {
  load: () => { try { return JSON.parse(localStorage.getItem(DRAFT)); } catch { return null; } },
  save: (d) => localStorage.setItem(DRAFT, JSON.stringify(d)),
  clear: () => localStorage.removeItem(DRAFT),
};

function tabbar(active) {
  return h(Tabbar, { modelValue: active, fixed: true, placeholder: true, id: 'm-tabbar', 'onUpdate:modelValue': (v) => { location.hash = '#/' + v; } }, () => [
    h(TabbarItem, { name: 'report', icon: 'add-o', 'data-tab': 'report' }, () => t('navReport')),
    h(TabbarItem, { name: 'cases', icon: 'orders-o', 'data-tab': 'cases' }, () => t('navCases')),
  ]);
}

const ReportPage = {
  props: ['me'],
  setup(props) {
    const saved = drafts.load();
    const s = reactive({
      v: saved?.form || {
        kind: 'problem_solving', title: '', description: '', priority: 'normal', grid_id: '', point: null, address: '',
        name: '', phone: '', photos: [], details: {},
      },
      key: saved?.key || newKey(), sent: saved?.sent || '', pending: !!saved, busy: false, error: '', areas: null, detailFields: [], ctx: {}, dups: null,
      locating: false,
    });
    const grids = computed(() => (s.areas?.features || []).filter((f) => f.properties.level === 'grid'));
    loadAreas().then((fc) => {
      s.areas = fc;
      // The worker's own grid when the worker has one only (or is placed in a grid).
      if (!s.v.grid_id) {
        const own = grids.value.find((f) => f.properties.id === props.me.user.locality_id);
        if (own) s.v.grid_id = own.properties.id;
        else if (grids.value.length === 1) s.v.grid_id = grids.value[0].properties.id;
      }
    });
    schemaFields('DetailsIn').then((fs) => { s.detailFields = fs; });
    formContext(null).then((c) => { s.ctx = { ...c, maxFiles: 9 }; });
    const kindFields = computed(() => {
      const f = s.detailFields.find((x) => x.name === detailsKey[s.v.kind]);
      return f?.fields?.length ? f.fields : [];
    });
    watch(() => s.v.kind, () => {
      const key = detailsKey[s.v.kind];
      if (key && !s.v.details[key]) s.v.details[key] = initial(kindFields.value);
    }, { immediate: true });
    watch(kindFields, () => {
      const key = detailsKey[s.v.kind];
      if (key && kindFields.value.length && !Object.keys(s.v.details[key] || {}).length) s.v.details[key] = initial(kindFields.value);
    });
    // A point picks its grid.
    watch(() => s.v.point, (p) => {
      if (!p || !s.areas) return;
      const g = gridAt(s.areas, p);
      if (g) s.v.grid_id = g.properties.id;
      else showToast(t('outsideGrids'));
    });
    const locate = () => {
      if (!navigator.geolocation) { showFailToast(t('noGeolocation')); return; }
      s.locating = true;
      navigator.geolocation.getCurrentPosition((pos) => {
        s.locating = false;
        s.v.point = { lat: +pos.coords.latitude.toFixed(6), lng: +pos.coords.longitude.toFixed(6) };
      }, (err) => { s.locating = false; showFailToast(t('geolocationFailed') + (err.message ? '：' + err.message : '')); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    };
    const body = () => {
      const v = s.v;
      const b = { kind: v.kind, title: v.title.trim(), description: v.description.trim() || undefined, priority: v.priority };
      // A grid chosen (or found by the point); else the worker's own place.
      if (v.grid_id) b.grid_id = v.grid_id;
      else b.locality_id = props.me.user.locality_id;
      if (v.point || v.address) b.location = { lat: v.point?.lat || 0, lng: v.point?.lng || 0, address: v.address || undefined };
      if (v.name || v.phone) b.reporter = { name: v.name || undefined, phone: v.phone || undefined };
      if (v.photos.length) b.attachments = v.photos.map((p) => p.url);
      const key = detailsKey[v.kind];
      if (key) b.details = { [key]: bodyOf(kindFields.value, v.details[key] || {}) };
      return b;
    };
    const send = async () => {
      s.busy = true; s.error = '';
      // The key belongs to one report: changed after a failed send, it is
      // another report and gets another key. Kept before sending, so a page
      // closed or a phone gone offline keeps it.
      const b = body();
      const json = JSON.stringify(b);
      if (s.sent && s.sent !== json) s.key = newKey();
      s.sent = json;
      drafts.save({ key: s.key, body: b, sent: json, form: s.v });
      s.pending = true;
      try {
        const c = await act('/cases', b, s.key);
        drafts.clear();
        s.pending = false;
        s.key = newKey(); s.sent = '';
        showSuccessToast(t('reported'));
        if (c.possible_duplicates?.length) s.dups = c;
        else location.hash = '#/case/' + encodeURIComponent(c.id);
      } catch (e) {
        if (e.status === 0) s.error = t('offlineKept');
        else { s.error = errorText(e); if (e.status >= 400 && e.status < 500 && e.status !== 409) { drafts.clear(); s.pending = false; s.key = newKey(); s.sent = ''; } }
      } finally { s.busy = false; }
    };
    // Back online: a kept report goes again, under its key.
    const online = () => { if (s.pending && !s.busy) send(); };
    window.addEventListener('online', online);
    onBeforeUnmount(() => window.removeEventListener('online', online));
    const discard = () => { drafts.clear(); s.pending = false; s.key = newKey(); s.sent = ''; s.error = ''; };
    return () => {
      const v = s.v;
      const key = detailsKey[v.kind];
      return h('div', { class: 'm-page', id: 'report' }, [
        h('h1', { class: 'm-title' }, t('reportTitle')),
        s.pending && h(NoticeBar, { id: 'pending', wrapable: true, text: s.error || t('pendingReport'), mode: 'closeable', onClose: discard }),
        s.error && !s.pending && h(NoticeBar, { id: 'report-error', wrapable: true, color: '#ad0000', background: '#fff1f0', text: s.error }),
        h(Form, { onSubmit: send, id: 'report-form' }, () => [
          h(CellGroup, { inset: true, title: t('caseBasics') }, () => [
            h(Field, { label: t('kind'), 'data-field': 'kind' }, { input: () => h(RadioGroup, { modelValue: v.kind, 'onUpdate:modelValue': (x) => { v.kind = x; }, id: 'm-kind', direction: 'horizontal' },
              () => codesOf('kind').filter((k) => detailsKey[k] && k !== 'member_management').map((k) => h(Radio, { name: k, key: k, 'data-value': k, class: 'm-kind' }, () => code('kind', k)))) }),
            h(Field, { label: t('f_title'), id: 'm-title', required: true, modelValue: v.title, 'onUpdate:modelValue': (x) => { v.title = x; }, maxlength: 200,
              rules: [{ required: true, message: t('titleRequired') }], placeholder: t('titleHint') }),
            h(Field, { label: t('f_description'), id: 'm-description', type: 'textarea', autosize: true, rows: 3, maxlength: 4000, modelValue: v.description,
              'onUpdate:modelValue': (x) => { v.description = x; } }),
            h(Field, { label: t('priority') }, { input: () => h(RadioGroup, { modelValue: v.priority, direction: 'horizontal', 'onUpdate:modelValue': (x) => { v.priority = x; }, id: 'm-priority' },
              () => codesOf('priority').map((p) => h(Radio, { name: p, key: p }, () => code('priority', p)))) }),
          ]),
          key && kindFields.value.length ? h(CellGroup, { inset: true, title: code('kind', v.kind), id: 'm-details' }, () => formFields(kindFields.value, v.details[key] || (v.details[key] = initial(kindFields.value)), s.ctx)) : null,
          h(CellGroup, { inset: true, title: t('place') }, () => [
            h(Field, { label: t('grid'), 'data-field': 'grid_id' }, { input: () => grids.value.length
              ? h(RadioGroup, { modelValue: v.grid_id, 'onUpdate:modelValue': (x) => { v.grid_id = x; }, id: 'm-grid', direction: 'horizontal' },
                () => grids.value.map((g) => h(Radio, { name: g.properties.id, key: g.properties.id, 'data-value': g.properties.id }, () => g.properties.name)))
              : h('span', { class: 'muted' }, t('noGrids')) }),
            h('div', { class: 'm-map' }, [
              s.areas && h(GridMap, { areas: s.areas, point: v.point, pick: true, highlight: v.grid_id, height: '220px', 'onUpdate:point': (p) => { v.point = p; } }),
              h('div', { class: 'm-map-tools' }, [
                h(Button, { size: 'small', icon: 'aim', loading: s.locating, id: 'm-locate', nativeType: 'button', onClick: locate }, () => t('myPosition')),
                h('span', { id: 'm-point', class: 'muted' }, v.point ? v.point.lat.toFixed(5) + ', ' + v.point.lng.toFixed(5) : t('tapMap')),
              ]),
            ]),
            h(Field, { label: t('address'), id: 'm-address', modelValue: v.address, 'onUpdate:modelValue': (x) => { v.address = x; }, maxlength: 200 }),
          ]),
          h(CellGroup, { inset: true, title: t('photos') }, () => h('div', { class: 'm-photos', 'data-field': 'attachments' },
            photos('m-photos', v.photos, (x) => { v.photos = x; }, 9))),
          h(CellGroup, { inset: true, title: t('reporter') }, () => [
            h(Field, { label: t('f_name'), id: 'm-reporter-name', modelValue: v.name, 'onUpdate:modelValue': (x) => { v.name = x; }, maxlength: 100 }),
            h(Field, { label: t('f_phone'), id: 'm-reporter-phone', type: 'tel', modelValue: v.phone, 'onUpdate:modelValue': (x) => { v.phone = x; }, maxlength: 32 }),
          ]),
          h('div', { class: 'm-submit' }, h(Button, { round: true, block: true, type: 'primary', nativeType: 'submit', loading: s.busy, id: 'm-submit' },
            () => (s.pending ? t('sendAgain') : t('submitReport')))),
        ]),
        s.dups && h(Popup, { show: true, round: true, position: 'bottom', id: 'm-dups', 'onUpdate:show': () => { location.hash = '#/case/' + s.dups.id; } }, () => [
          h('h3', { class: 'm-title' }, t('possibleDuplicates')),
          h(CellGroup, {}, () => s.dups.possible_duplicates.map((d) => h(Cell, { key: d.id, title: d.title, label: Math.round(d.distance_m) + ' m · ' + when(d.opened_at),
            value: code('case_state', d.state), isLink: true, to: undefined, onClick: () => { location.hash = '#/case/' + d.id; } }))),
          h('div', { class: 'm-submit' }, h(Button, { block: true, type: 'primary', onClick: () => { location.hash = '#/case/' + s.dups.id; } }, () => t('seeMine'))),
        ]),
        tabbar('report'),
      ]);
    };
  },
};

const open = ['triage', 'dispatching', 'in_progress', 'verifying', 'follow_up'];

const CasesPage = {
  setup() {
    const s = reactive({ tab: 'open', cases: [], busy: true, error: '' });
    const load = async () => {
      s.busy = true;
      try {
        const states = s.tab === 'open' ? open : ['closed', 'cancelled'];
        const pages = await Promise.all(states.map((state) => api('/cases?limit=100&state=' + state)));
        s.cases = pages.flatMap((p) => p.cases).sort((a, b) => b.opened_at.localeCompare(a.opened_at));
        s.error = '';
      } catch (e) { s.error = errorText(e); }
      s.busy = false;
    };
    load();
    return () => h('div', { class: 'm-page', id: 'm-cases' }, [
      h(Tabs, { active: s.tab, 'onUpdate:active': (x) => { s.tab = x; load(); } }, () => [
        h(Tab, { name: 'open', title: t('tabOpen') }), h(Tab, { name: 'closed', title: t('tabClosed') })]),
      s.error && h(NoticeBar, { text: s.error, wrapable: true }),
      !s.busy && !s.cases.length && h(Empty, { description: t('empty') }),
      h(CellGroup, { inset: true }, () => s.cases.map((c) => h(Cell, { key: c.id, isLink: true, class: 'm-case', 'data-case': c.id,
        onClick: () => { location.hash = '#/case/' + encodeURIComponent(c.id); } }, {
        title: () => [h('span', {}, c.title), ' ', c.overdue && h(Tag, { type: 'danger' }, () => t('overdue'))],
        label: () => code('kind', c.kind) + ' · ' + when(c.opened_at),
        value: () => [h(Tag, { type: c.state === 'closed' ? 'default' : 'primary', plain: true }, () => code('case_state', c.state)),
          c.due_at && h('div', { class: c.overdue ? 'late' : 'muted' }, left(c.due_at))],
      }))),
      tabbar('cases'),
    ]);
  },
};

const CasePage = {
  props: ['id'],
  setup(props) {
    const path = '/cases/' + encodeURIComponent(props.id);
    const s = reactive({ c: null, trail: [], error: '', sheet: false, form: null, model: null, action: '', busy: false, key: '', ctx: {} });
    const load = async () => {
      try {
        const [c, trail] = await Promise.all([api(path), api(path + '/events')]);
        s.c = c; s.trail = trail.timeline;
      } catch (e) { s.error = errorText(e); }
    };
    load();
    formContext(null).then((c) => { s.ctx = c; });
    const start = async (a) => {
      s.sheet = false;
      try {
        const form = await actionForm(a, { case: s.c.id });
        s.form = form; s.model = reactive(initial(form.fields)); s.action = a; s.key = newKey();
        s.ctx = { ...s.ctx, tasks: s.c.tasks, case: s.c };
      } catch (e) { showFailToast(errorText(e)); }
    };
    const submit = async () => {
      s.busy = true;
      try {
        s.c = await act(s.form.path, bodyOf(s.form.fields, s.model), s.key);
        showSuccessToast(t('done', code('action', s.action)));
        s.form = null;
        load();
      } catch (e) { showFailToast({ message: errorText(e), wordBreak: 'break-all' }); }
      finally { s.busy = false; }
    };
    return () => {
      const c = s.c;
      if (s.error) return h(NoticeBar, { text: s.error, wrapable: true });
      if (!c) return h('div', { class: 'empty' }, t('loading'));
      const after = c.tasks.flatMap((k) => k.attachments || []);
      return h('div', { class: 'm-page', id: 'm-case' }, [
        h('h1', { class: 'm-title' }, [h('span', { id: 'case-title' }, c.title), ' ', h(Tag, { type: 'primary', id: 'case-state' }, () => code('case_state', c.state))]),
        h(CellGroup, { inset: true }, () => [
          h(Cell, { title: t('kind'), value: code('kind', c.kind) }),
          h(Cell, { title: t('locality'), value: nameOf(c.grid_id || c.locality.id) }),
          h(Cell, { title: t('openedAt'), value: when(c.opened_at) }),
          c.location?.address && h(Cell, { title: t('address'), value: c.location.address }),
          (c.reporter?.name || c.reporter?.phone) && h(Cell, { title: t('reporter'), value: [c.reporter.name, c.reporter.phone].filter(Boolean).join(' · ') }),
          c.description && h(Cell, { title: t('f_description'), label: c.description }),
        ]),
        c.allowed_actions.length ? h('div', { class: 'm-actions', id: 'case-actions' }, c.allowed_actions.map((a) =>
          h(Button, { key: a, type: 'primary', plain: a !== 'follow-up', round: true, size: 'small', 'data-act': a, onClick: () => start(a) }, () => code('action', a)))) : null,
        h(CellGroup, { inset: true, title: t('tasks') }, () => c.tasks.length ? c.tasks.map((k) => h(Cell, { key: k.id, title: nameOf(k.unit_id),
          label: code('task_role', k.role) + (k.result ? ' · ' + k.result : ''), value: code('task_state', k.state) }, {
          value: () => [h('div', {}, code('task_state', k.state)), (k.resolve_by || k.accept_by)?.due && !['resolved', 'completed', 'withdrawn'].includes(k.state) &&
            h('div', { class: k.overdue ? 'late' : 'muted' }, left((k.state === 'offered' ? k.accept_by : k.resolve_by)?.due))],
        })) : h(Cell, { title: t('noTasks') })),
        (c.attachments.length || after.length) ? h(CellGroup, { inset: true, title: t('photos') }, () => h('div', { class: 'm-gallery' }, [
          ...c.attachments.map((u) => h(VanImage, { key: u, src: u.startsWith('/api/') ? u + '/thumbnail' : u, width: 72, height: 72, fit: 'cover' })),
          ...after.map((u) => h(VanImage, { key: 'a' + u, src: u.startsWith('/api/') ? u + '/thumbnail' : u, width: 72, height: 72, fit: 'cover', class: 'after' })),
        ])) : null,
        h(CellGroup, { inset: true, title: t('timeline') }, () => h(Steps, { direction: 'vertical', active: s.trail.length - 1, id: 'timeline' }, () => s.trail.slice().reverse().map((e) =>
          h(Step, { key: e.seq, 'data-type': e.type }, () => [h('div', {}, code('event', e.type)), h('small', { class: 'muted' }, when(e.at)), e.note && h('div', { class: 'note' }, e.note)])))),
        s.form && h(Popup, { show: true, round: true, position: 'bottom', closeable: true, id: 'm-action', 'data-action': s.action,
          'onUpdate:show': () => { s.form = null; } }, () => [
          h('h3', { class: 'm-title' }, code('action', s.action)),
          h(Form, { onSubmit: submit }, () => [
            h(CellGroup, {}, () => s.form.fields.length ? formFields(s.form.fields, s.model, s.ctx) : h(Cell, { title: t('confirmAction') })),
            h('div', { class: 'm-submit' }, h(Button, { block: true, round: true, type: 'primary', nativeType: 'submit', loading: s.busy, class: 'submit' }, () => t('submit'))),
          ]),
        ]),
        tabbar('cases'),
      ]);
    };
  },
};

export async function reportPage(el, r, me) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, ReportPage, { me });
}
export async function myCasesPage(el) { mount(el, CasesPage); }
export async function mobileCasePage(el, r) {
  await Promise.race([loadNames(), new Promise((ok) => setTimeout(ok, 1500))]);
  mount(el, CasePage, { id: r.args[0] });
}
