// The phone's form fields (Vant), drawn from the field lists of
// schema.js, as fields-el.js draws them on the desk.
import { h, Vant } from './ui.js';
import { upload } from './api.js';
import { t, code, codesOf } from './i18n.js';
import { fieldLabel, choicesOf } from './schema.js';
import { errorText } from './ui.js';

const { Field, RadioGroup, Radio, Uploader, Checkbox, CheckboxGroup, Button, Stepper, showToast } = Vant;

const idOf = (path) => 'm-' + path.replace(/[^a-z0-9]+/gi, '-');

function choices(f, ctx) {
  if (f.widget === 'unit' || f.widget === 'units') return (ctx.units || []).map((u) => [u.id, u.name]);
  if (f.widget === 'task') return (ctx.tasks || []).map((k) => [k.id, ctx.unitName(k.unit_id)]);
  if (f.widget === 'resource') return (ctx.resources || []).map((r) => [r.id, r.name]);
  if (f.widget === 'pick') return choicesOf(ctx.case, f.choices);
  const values = f.enum || (f.labels ? codesOf(f.labels) : []);
  return values.map((v) => [v, f.labels ? code(f.labels, v) : v]);
}

// photos sends each chosen photo at once (Vant's after-read) and keeps its
// record; the form names the urls.
export function photos(id, list, set, max) {
  return h(Uploader, {
    id, modelValue: list.map((x) => ({ url: x.thumbnail_url || x.url, isImage: true, status: 'done', record: x })),
    maxCount: max, multiple: true, accept: 'image/*', previewSize: 72,
    afterRead: async (items) => {
      const files = Array.isArray(items) ? items : [items];
      let next = [...list];
      for (const it of files) {
        try {
          next = [...next, await upload(it.file)];
        } catch (e) {
          showToast(errorText(e));
        }
      }
      set(next);
    },
    onDelete: (item) => set(list.filter((x) => x !== item.record)),
    onOversize: () => showToast(t('tooLarge')),
  });
}

function control(f, model, ctx, path) {
  const v = model[f.name];
  const set = (x) => { model[f.name] = x; };
  const id = idOf(path);
  switch (f.widget) {
    case 'pick':
      if (!choices(f, ctx).length) return null; // nothing held: typed
      // falls through
    case 'select': case 'unit': case 'task': case 'resource':
      return h(RadioGroup, { id, modelValue: v, 'onUpdate:modelValue': set, direction: 'horizontal' },
        () => choices(f, ctx).map(([value, label]) => h(Radio, { name: value, key: value, 'data-value': value }, () => label)));
    case 'units':
      return h(CheckboxGroup, { id, modelValue: v, 'onUpdate:modelValue': set, direction: 'horizontal' },
        () => choices(f, ctx).map(([value, label]) => h(Checkbox, { name: value, key: value, shape: 'square' }, () => label)));
    case 'bool':
      return h(RadioGroup, { id, modelValue: v, 'onUpdate:modelValue': set, direction: 'horizontal' }, () => [
        h(Radio, { name: true, 'data-value': 'true' }, () => t('yes')), h(Radio, { name: false, 'data-value': 'false' }, () => t('no'))]);
    case 'files':
      return photos(id, v, set, ctx.maxFiles || 9);
  }
  return null;
}

// item is one field as a Vant cell: a text field, or a field whose input
// is a group of choices.
export function item(f, model, ctx, path = f.name) {
  const label = fieldLabel(f);
  const v = model[f.name];
  const set = (x) => { model[f.name] = x; };
  const id = idOf(path);
  if (f.widget === 'object') return h('div', { class: 'm-sub', key: path }, [h('div', { class: 'm-sub-title' }, label), ...f.fields.map((g) => item(g, v, ctx, path + '.' + g.name))]);
  if (f.widget === 'rows') {
    return h('div', { class: 'm-sub', key: path }, [h('div', { class: 'm-sub-title' }, label),
      ...v.map((row, i) => h('div', { key: i }, f.fields.map((g) => item(g, row, ctx, path + '[' + i + '].' + g.name)))),
      h(Button, { size: 'small', onClick: () => v.push(ctx.newRow(f)) }, () => t('addRow'))]);
  }
  const c = control(f, model, ctx, path);
  // A Vant field hands its attributes to its input; a field whose input is
  // a group of choices has none, so a wrapper names the field.
  if (c) return h('div', { key: path, 'data-field': path }, h(Field, { label, required: f.required }, { input: () => c }));
  if (f.widget === 'number') return h(Field, { label, id, required: f.required, key: path, type: 'number', modelValue: v ?? '', 'onUpdate:modelValue': (x) => set(x === '' ? null : Number(x)), 'data-field': path });
  const type = { textarea: 'textarea', datetime: 'datetime-local', date: 'date' }[f.widget] || 'text';
  if (f.widget === 'tags') {
    return h(Field, { label, id, required: f.required, key: path, modelValue: (v || []).join('，'), placeholder: t('commaSeparated'),
      'onUpdate:modelValue': (x) => set(x.split(/[,，、\n]+/).map((y) => y.trim()).filter(Boolean)), 'data-field': path });
  }
  if (f.widget === 'datetime') {
    // The phone's own picker; the value is local time, sent as RFC 3339.
    return h(Field, { label, id, required: f.required, key: path, type, modelValue: v ? toLocalInput(v) : '',
      'onUpdate:modelValue': (x) => set(x ? new Date(x).toISOString() : ''), 'data-field': path });
  }
  return h(Field, { label, id, required: f.required, key: path, type, rows: type === 'textarea' ? 3 : undefined, autosize: type === 'textarea',
    modelValue: v, 'onUpdate:modelValue': set, placeholder: f.doc && f.doc.length < 40 ? f.doc : '', maxlength: type === 'textarea' ? 4000 : 200, 'data-field': path });
}

function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

export function formFields(fields, model, ctx) {
  return fields.map((f) => item(f, model, ctx));
}
