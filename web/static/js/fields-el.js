// The desk's form fields (Element Plus), drawn from the field lists of
// schema.js: one component for every action's form and the admin's.
import { h, El } from './ui.js';
import { upload } from './api.js';
import { t, code, codesOf } from './i18n.js';
import { fieldLabel, choicesOf } from './schema.js';
import { errorText, message } from './ui.js';

const { ElFormItem, ElInput, ElSelect, ElOption, ElRadioGroup, ElRadio, ElInputNumber, ElDatePicker, ElUpload, ElButton } = El;

const idOf = (path) => 'f-' + path.replace(/[^a-z0-9]+/gi, '-');

// options are an enum's values, named from /labels when the document
// says which family names them.
function options(f) {
  const values = f.enum || (f.labels ? codesOf(f.labels) : []);
  return values.map((v) => h(ElOption, { key: v, value: v, label: f.labels ? code(f.labels, v) : v }));
}

// field draws one field bound to model[f.name]; ctx holds what selects
// choose from: units, tasks, resources.
function field(f, model, ctx, path) {
  const v = model[f.name];
  const set = (x) => { model[f.name] = x; };
  const id = idOf(path);
  switch (f.widget) {
    case 'select':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, clearable: !f.required, placeholder: t('choose') }, () => options(f));
    case 'pick': {
      // What the case holds (a consultation's options, its sign-ups);
      // typed when it holds nothing to choose from.
      const picks = choicesOf(ctx.case, f.choices);
      if (!picks.length) break;
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, placeholder: t('choose') },
        () => picks.map(([value, label]) => h(ElOption, { key: value, value, label })));
    }
    case 'bool':
      return h(ElRadioGroup, { id, modelValue: v, 'onUpdate:modelValue': set }, () => [
        h(ElRadio, { value: true, 'data-value': 'true' }, () => t('yes')), h(ElRadio, { value: false, 'data-value': 'false' }, () => t('no'))]);
    case 'number':
      return h(ElInputNumber, { id, modelValue: v, 'onUpdate:modelValue': set, min: 0, step: 0.5 });
    case 'unit': case 'units':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, filterable: true, multiple: f.widget === 'units', clearable: true, placeholder: t('chooseUnit') },
        () => (ctx.units || []).map((u) => h(ElOption, { key: u.id, value: u.id, label: u.name })));
    case 'locality':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, filterable: true, clearable: true, placeholder: t('chooseLocality') },
        () => (ctx.localities || []).map((l) => h(ElOption, { key: l.id, value: l.id, label: l.name })));
    case 'task':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, clearable: true, placeholder: t('wholeCase') },
        () => (ctx.tasks || []).map((k) => h(ElOption, { key: k.id, value: k.id, label: ctx.unitName(k.unit_id) + ' · ' + k.id })));
    case 'resource':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, filterable: true, placeholder: t('choose') },
        () => (ctx.resources || []).map((r) => h(ElOption, { key: r.id, value: r.id, label: r.name + ' · ' + ctx.unitName(r.unit_id) })));
    case 'tags':
      return h(ElSelect, { id, modelValue: v, 'onUpdate:modelValue': set, multiple: true, filterable: true, allowCreate: true,
        defaultFirstOption: true, placeholder: t('typeEnter') }, () => (ctx.choices?.[f.name] || []).map((x) => h(ElOption, { key: x.value, value: x.value, label: x.label })));
    case 'datetime':
      return h(ElDatePicker, { id, modelValue: v, 'onUpdate:modelValue': set, type: 'datetime', valueFormat: 'YYYY-MM-DDTHH:mm:ssZ' });
    case 'date':
      return h(ElDatePicker, { id, modelValue: v, 'onUpdate:modelValue': set, type: 'date', valueFormat: 'YYYY-MM-DD' });
    case 'password':
      return h(ElInput, { id, modelValue: v, 'onUpdate:modelValue': set, type: 'password', showPassword: true, autocomplete: 'new-password', maxlength: 200 });
    case 'textarea':
      return h(ElInput, { id, modelValue: v, 'onUpdate:modelValue': set, type: 'textarea', rows: 3, maxlength: 4000, showWordLimit: true });
    case 'files':
      return filesField(id, v, set, ctx.maxFiles || 10);
    case 'object':
      return h('div', { class: 'sub', id }, f.fields.map((g) => item(g, v, ctx, path + '.' + g.name)));
    case 'rows':
      return h('div', { class: 'rows', id }, [
        ...v.map((row, i) => h('div', { class: 'row', key: i }, [
          ...f.fields.map((g) => item(g, row, ctx, path + '[' + i + '].' + g.name)),
          v.length > 1 && h(ElButton, { link: true, type: 'danger', onClick: () => v.splice(i, 1) }, () => t('remove'))])),
        h(ElButton, { id: id + '-add', onClick: () => v.push(ctx.newRow(f)) }, () => t('addRow'))]);
  }
  return h(ElInput, { id, modelValue: v, 'onUpdate:modelValue': set, maxlength: 200 });
}

// filesField sends each chosen file at once and keeps its record; the
// form names the urls.
function filesField(id, list, set, max) {
  return h(ElUpload, {
    id, listType: 'picture-card', accept: 'image/jpeg,image/png,image/webp,application/pdf', multiple: true, limit: max,
    fileList: list.map((x) => ({ name: x.name, url: x.thumbnail_url || x.url, uid: x.uid, status: 'success' })),
    httpRequest: async ({ file }) => {
      try {
        const r = await upload(file);
        set([...list, { ...r, name: file.name, uid: file.uid }]);
      } catch (e) {
        message(errorText(e), 'error');
        throw e;
      }
    },
    onRemove: (file) => set(list.filter((x) => x.uid !== file.uid)),
    onExceed: () => message(t('tooManyFiles', max), 'warning'),
  }, { default: () => '+' });
}

export function item(f, model, ctx, path = f.name) {
  return h(ElFormItem, { label: fieldLabel(f), required: f.required, key: path, 'data-field': path, title: f.doc },
    () => field(f, model, ctx, path));
}

// formFields draws a list of fields bound to model.
export function formFields(fields, model, ctx) {
  return fields.map((f) => item(f, model, ctx));
}
