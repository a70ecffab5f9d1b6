// Opening a case at the desk: the axis opens any kind (a consultation
// with its participants, rule and quorum; an activity with its capacity),
// unit staff their own registration as a Party member. The form is the
// API's CaseIn, with the part of the chosen kind only.
import { act } from './api.js';
import { h, reactive, computed, El, message, errorText, newKey } from './ui.js';
import { t, code, codesOf } from './i18n.js';
import { schemaFields, initial, bodyOf } from './schema.js';
import { formFields } from './fields-el.js';
import { formContext } from './desk.js';

const { ElDialog, ElForm, ElFormItem, ElSelect, ElOption, ElButton, ElAlert } = El;

// The kind's own part of the body: details.<key>.
export const detailsKey = {
  regional_coordination: 'regional', resource_sharing: 'booking', joint_consultation: 'consultation', joint_activity: 'activity',
  member_management: 'member', service_linkage: 'service', problem_solving: 'problem',
};

export const OpenDialog = {
  props: ['kinds'],
  emits: ['done', 'close'],
  setup(props, { emit }) {
    const kinds = props.kinds === 'all' ? codesOf('kind') : props.kinds;
    const s = reactive({ kind: kinds[0], fields: null, details: null, model: null, ctx: {}, busy: false, error: '' });
    let key = newKey(), sent = '';
    Promise.all([schemaFields('CaseIn'), formContext(null)]).then(([fs, ctx]) => {
      s.details = fs.find((f) => f.name === 'details');
      s.fields = fs.filter((f) => !['kind', 'details', 'attachments', 'location'].includes(f.name));
      s.model = reactive({ ...initial(s.fields), details: {} });
      s.ctx = ctx;
    }, (e) => { s.error = errorText(e); });
    const kindFields = computed(() => s.details?.fields.find((f) => f.name === detailsKey[s.kind])?.fields || []);
    const submit = async () => {
      s.busy = true; s.error = '';
      try {
        const body = { kind: s.kind, ...bodyOf(s.fields, s.model) };
        const k = detailsKey[s.kind];
        body.details = { [k]: bodyOf(kindFields.value, s.model.details[k] || {}) };
        const json = JSON.stringify(body);
        if (sent && sent !== json) key = newKey();
        sent = json;
        const c = await act('/cases', body, key);
        message(t('reported'));
        emit('done', c);
      } catch (e) { s.error = errorText(e); } finally { s.busy = false; }
    };
    return () => h(ElDialog, { modelValue: true, title: t('openCase'), width: 'min(680px, 96vw)', appendToBody: true, class: 'action-dialog', 'data-action': 'open',
      'onUpdate:modelValue': () => emit('close') }, {
      default: () => [
        s.error && h(ElAlert, { type: 'error', title: s.error, closable: false, class: 'form-error' }),
        s.fields && h(ElForm, { labelPosition: 'top' }, () => {
          const k = detailsKey[s.kind];
          if (!s.model.details[k]) s.model.details[k] = initial(kindFields.value);
          return [
            h(ElFormItem, { label: t('kind'), required: true, 'data-field': 'kind' }, () => h(ElSelect, { modelValue: s.kind, 'onUpdate:modelValue': (v) => { s.kind = v; } },
              () => kinds.map((x) => h(ElOption, { key: x, value: x, label: code('kind', x) })))),
            ...formFields(s.fields, s.model, s.ctx),
            ...formFields(kindFields.value, s.model.details[k], s.ctx).map((n) => n),
          ];
        }),
      ],
      footer: () => [h(ElButton, { onClick: () => emit('close') }, () => t('cancel')),
        h(ElButton, { type: 'primary', loading: s.busy, class: 'submit', onClick: submit }, () => t('submit'))],
    });
  },
};
