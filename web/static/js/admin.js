// The admin's pages (Element Plus): localities with their grid outlines
// (GeoJSON, shown on the map), units, users and their sign-in (passwords,
// lockouts, sessions, tokens), the indicator set, and the working-day
// calendar deadlines count on. The forms come from the API's description
// of each body, as the actions' do.
import { api } from './api.js';
import { h, reactive, El, mount, message, errorText } from './ui.js';
import { t, code, lang } from './i18n.js';
import { schemaFields, initial, bodyOf } from './schema.js';
import { formFields } from './fields-el.js';
import { GridMap, loadAreas } from './map.js';

const { ElTabs, ElTabPane, ElTable, ElTableColumn, ElButton, ElDialog, ElForm, ElAlert, ElSelect, ElOption, ElUpload, ElTag, ElMessageBox, ElInputNumber } = El;

// FormDialog is the add-or-update form of one admin body.
const FormDialog = {
  props: ['schema', 'title', 'path', 'method', 'value', 'ctx'],
  emits: ['done', 'close'],
  setup(props, { emit }) {
    const s = reactive({ fields: null, model: null, busy: false, error: '' });
    schemaFields(props.schema).then((fs) => {
      s.fields = fs;
      s.model = reactive({ ...initial(fs), ...(props.value || {}) });
    }, (e) => { s.error = errorText(e); });
    const submit = async () => {
      s.busy = true; s.error = '';
      try {
        const r = await api(props.path, { method: props.method || 'POST', body: bodyOf(s.fields, s.model) });
        emit('done', r);
      } catch (e) { s.error = errorText(e); } finally { s.busy = false; }
    };
    return () => h(ElDialog, { modelValue: true, title: props.title, width: 'min(560px, 96vw)', appendToBody: true, class: 'admin-dialog',
      'data-schema': props.schema, 'onUpdate:modelValue': () => emit('close') }, {
      default: () => [s.error && h(ElAlert, { type: 'error', title: s.error, closable: false, class: 'form-error' }),
        s.fields && h(ElForm, { labelPosition: 'top' }, () => formFields(s.fields, s.model, props.ctx))],
      footer: () => [h(ElButton, { onClick: () => emit('close') }, () => t('cancel')),
        h(ElButton, { type: 'primary', loading: s.busy, class: 'submit', onClick: submit }, () => t('submit'))],
    });
  },
};

const AdminPage = {
  setup() {
    const s = reactive({ tab: 'localities', localities: [], units: [], users: [], indicators: [], year: new Date().getFullYear(), calendar: null,
      areas: null, dialog: null, error: '', outlineFor: '', outlineError: '', token: null });
    const named = (l) => (lang === 'en' && l.name_en) || l.name;
    const ctx = () => ({
      units: s.units.map((u) => ({ id: u.id, name: named(u) })),
      localities: s.localities.map((l) => ({ id: l.id, name: named(l) + ' · ' + code('level', l.level) })),
      unitName: (id) => named(s.units.find((u) => u.id === id) || { name: id }), newRow: (f) => initial(f.fields),
    });
    const load = async () => {
      try {
        const [l, u, us, ind] = await Promise.all([api('/localities'), api('/units'), api('/users'), api('/indicators')]);
        s.localities = l.localities; s.units = u.units; s.users = us.users; s.indicators = ind.items;
        s.areas = await loadAreas(true);
      } catch (e) { s.error = errorText(e); }
    };
    const loadCalendar = async () => {
      try { s.calendar = await api('/calendar/' + s.year); } catch (e) { s.calendar = { error: errorText(e) }; }
    };
    load(); loadCalendar();
    const edit = (schema, path, title, value) => { s.dialog = { schema, path, title, value }; };
    const done = (r) => {
      s.dialog = null;
      if (r?.token?.token) s.token = r.token;
      message(t('saved'));
      load();
    };
    const sendOutline = async (file) => {
      s.outlineError = '';
      try {
        let body;
        try { body = JSON.parse(await file.text()); } catch { throw new Error(t('notGeoJSON')); }
        await api('/localities/' + encodeURIComponent(s.outlineFor) + '/area', { method: 'PUT', body });
        message(t('outlineSaved'));
        s.areas = await loadAreas(true);
      } catch (e) { s.outlineError = errorText(e); }
      return false;
    };
    const userAction = async (u, what) => {
      try {
        if (what === 'password') {
          const { value } = await ElMessageBox.prompt(t('oneTimePasswordHelp'), t('setPassword'), { inputType: 'password', inputPattern: /^.{10,}$/, inputErrorMessage: t('tenChars') });
          await api('/users/' + encodeURIComponent(u.id) + '/password', { method: 'PUT', body: { password: value } });
        } else if (what === 'unlock') {
          await api('/users/' + encodeURIComponent(u.id) + '/lockout', { method: 'DELETE' });
        } else if (what === 'sessions') {
          await api('/users/' + encodeURIComponent(u.id) + '/sessions', { method: 'DELETE' });
        } else if (what === 'token') {
          s.token = await api('/users/' + encodeURIComponent(u.id) + '/tokens', { method: 'POST', body: {} });
        }
        message(t('saved'));
      } catch (e) { if (e !== 'cancel' && e !== 'close') message(errorText(e), 'error'); }
    };
    const col = (label, fn, width) => h(ElTableColumn, { label, minWidth: width || 120 }, { default: ({ row }) => fn(row) });
    const locName = (id) => named(s.localities.find((l) => l.id === id) || { name: id || '' });
    return () => h('div', { class: 'admin' }, [
      h('h1', {}, t('adminTitle')),
      s.error && h(ElAlert, { type: 'error', title: s.error, closable: false }),
      s.token && h(ElAlert, { type: 'success', closable: true, onClose: () => { s.token = null; }, id: 'new-token',
        title: t('tokenOnce', s.token.user_id), description: s.token.token }),
      h(ElTabs, { modelValue: s.tab, 'onUpdate:modelValue': (v) => { s.tab = v; }, id: 'admin-tabs' }, () => [
        h(ElTabPane, { name: 'localities', label: t('tabLocalities') }, () => [
          h('div', { class: 'tools' }, h(ElButton, { type: 'primary', id: 'add-locality', onClick: () => edit('LocalityIn', '/localities', t('addLocality')) }, () => t('addLocality'))),
          h('div', { class: 'grid' }, [
            h(ElTable, { data: s.localities, id: 'localities-table', rowKey: 'id', height: 420 }, () => [
              col(t('f_name'), (l) => [named(l), h('div', { class: 'muted' }, l.id)], 160), col(t('f_level'), (l) => code('level', l.level), 90),
              col(t('f_parent_id'), (l) => locName(l.parent_id)),
              col(t('outline'), (l) => ((s.areas?.features || []).some((f) => f.properties.id === l.id) ? h(ElTag, { type: 'success', size: 'small' }, () => t('yes')) : '—'), 70),
              col(t('actions'), (l) => h(ElButton, { size: 'small', onClick: () => edit('LocalityIn', '/localities', t('edit'), { id: l.id, parent_id: l.parent_id || '', level: l.level, name: l.name, name_en: l.name_en || '' }) }, () => t('edit')), 90),
            ]),
            h('div', { class: 'outline' }, [
              h('h3', {}, t('outlineTitle')),
              h('p', { class: 'muted' }, t('outlineHelp')),
              h('div', { class: 'tools' }, [
                h(ElSelect, { modelValue: s.outlineFor, 'onUpdate:modelValue': (v) => { s.outlineFor = v; }, filterable: true, placeholder: t('chooseLocality'), id: 'outline-locality', class: 'outline-locality', style: 'width: 220px' },
                  () => s.localities.map((l) => h(ElOption, { key: l.id, value: l.id, label: named(l) }))),
                h(ElUpload, { accept: '.geojson,.json,application/geo+json,application/json', showFileList: false, disabled: !s.outlineFor, beforeUpload: sendOutline, id: 'outline-file' },
                  () => h(ElButton, { disabled: !s.outlineFor }, () => t('uploadGeoJSON'))),
              ]),
              s.outlineError && h(ElAlert, { type: 'error', title: s.outlineError, closable: false, id: 'outline-error' }),
              s.areas && h(GridMap, { areas: s.areas, highlight: s.outlineFor, height: '360px', key: JSON.stringify(s.areas).length }),
            ]),
          ]),
        ]),
        h(ElTabPane, { name: 'units', label: t('tabUnits') }, () => [
          h('div', { class: 'tools' }, h(ElButton, { type: 'primary', id: 'add-unit', onClick: () => edit('UnitIn', '/units', t('addUnit')) }, () => t('addUnit'))),
          h(ElTable, { data: s.units, id: 'units-table', rowKey: 'id' }, () => [
            col(t('f_name'), (u) => [named(u), h('div', { class: 'muted' }, u.id)], 200), col(t('f_type'), (u) => code('unit_type', u.type)),
            col(t('locality'), (u) => locName(u.locality_id)),
            col(t('actions'), (u) => h(ElButton, { size: 'small', onClick: () => edit('UnitIn', '/units', t('edit'), { id: u.id, name: u.name, name_en: u.name_en || '', type: u.type, locality_id: u.locality_id }) }, () => t('edit')), 90),
          ]),
        ]),
        h(ElTabPane, { name: 'users', label: t('tabUsers') }, () => [
          h('div', { class: 'tools' }, h(ElButton, { type: 'primary', id: 'add-user', onClick: () => edit('UserIn', '/users', t('addUser')) }, () => t('addUser'))),
          h(ElTable, { data: s.users, id: 'users-table', rowKey: 'id' }, () => [
            col(t('f_name'), (u) => [u.name, h('div', { class: 'muted' }, u.id)], 140), col(t('f_username'), (u) => u.username || '—'),
            col(t('f_role'), (u) => code('role', u.role)), col(t('locality'), (u) => (u.unit_id ? ctx().unitName(u.unit_id) : locName(u.locality_id)), 160),
            col(t('actions'), (u) => h('div', { class: 'row-actions', 'data-user': u.id }, [
              h(ElButton, { size: 'small', onClick: () => edit('UserIn', '/users', t('edit'), { id: u.id, name: u.name, role: u.role, locality_id: u.locality_id || '', unit_id: u.unit_id || '', username: u.username || '' }) }, () => t('edit')),
              h(ElButton, { size: 'small', 'data-do': 'password', onClick: () => userAction(u, 'password') }, () => t('setPassword')),
              h(ElButton, { size: 'small', 'data-do': 'unlock', onClick: () => userAction(u, 'unlock') }, () => t('unlock')),
              h(ElButton, { size: 'small', 'data-do': 'sessions', onClick: () => userAction(u, 'sessions') }, () => t('endSessions')),
              h(ElButton, { size: 'small', 'data-do': 'token', onClick: () => userAction(u, 'token') }, () => t('newToken')),
            ]), 420),
          ]),
        ]),
        h(ElTabPane, { name: 'indicators', label: t('tabIndicators') }, () => h(ElTable, { data: s.indicators, id: 'indicators-table' }, () => [
          col(t('f_id'), (x) => x.id, 160), col(t('f_name'), (x) => (lang === 'en' ? x.name_en : x.name_zh), 240), col(t('f_level'), (x) => code('level', x.level)),
          col(t('subject'), (x) => x.subject), col(t('maxPoints'), (x) => String(x.max)), col(t('measure'), (x) => x.measure + ' · ' + x.grade),
        ])),
        h(ElTabPane, { name: 'calendar', label: t('tabCalendar') }, () => [
          h('div', { class: 'tools' }, [h(ElInputNumber, { modelValue: s.year, min: 2000, max: 2100, id: 'calendar-year', 'onUpdate:modelValue': (v) => { s.year = v; loadCalendar(); } })]),
          s.calendar?.error ? h(ElAlert, { type: 'warning', title: s.calendar.error, closable: false })
            : s.calendar && [h('p', { id: 'calendar-source' }, [t('calendarSource'), s.calendar.source, ' ', s.calendar.provisional && h(ElTag, { type: 'warning' }, () => t('provisional'))]),
              h(ElTable, { data: s.calendar.days || [], id: 'calendar-table', height: 420 }, () => [
                col(t('f_date'), (d) => d.date), col(t('f_kind'), (d) => (d.kind === 'holiday' ? t('holiday') : t('makeUpDay'))),
                col(t('f_name'), (d) => (lang === 'en' && d.name_en) || d.name || ''),
              ])],
        ]),
      ]),
      s.dialog && h(FormDialog, { ...s.dialog, ctx: ctx(), onDone: done, onClose: () => { s.dialog = null; } }),
    ]);
  },
};

export async function adminPage(el) { mount(el, AdminPage); }
