// The two supervision actions, reminder (催办) and notice (通报), as an
// inline form: the note is optional for a reminder and is the text of a
// notice.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { t } from './i18n.js';

// superviseForm returns a form that posts action ("remind" or "notice")
// about caseId (and taskId, when given) and calls done(case) after.
export function superviseForm(action, caseId, taskId, done, cancel) {
  const note = h('textarea', { name: 'note', maxlength: 2000, placeholder: t('notePlaceholder') });
  const err = h('span', { class: 'error' });
  const submit = h('button', { type: 'submit', class: 'btn primary small', dataset: { send: action } }, t('send'));
  const form = h('form', { class: 'supervise', dataset: { action }, onsubmit: async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const text = note.value.trim();
    if (action === 'notice' && !text) { err.textContent = t('noteRequired'); return; }
    const body = {};
    if (text) body.note = text;
    if (taskId) body.task_id = taskId;
    submit.disabled = true;
    try {
      const c = await api('/cases/' + encodeURIComponent(caseId) + '/' + action, { method: 'POST', body });
      toast(t(action === 'remind' ? 'reminded' : 'noticed'));
      done(c);
    } catch (e) {
      err.textContent = e.message;
      submit.disabled = false;
    }
  } },
  h('div', { class: 'muted' }, t(action), taskId ? ' · ' + taskId : ' · ' + t('whole')),
  note,
  h('div', { class: 'row-actions' }, submit,
    h('button', { type: 'button', class: 'btn small', onclick: () => cancel && cancel() }, t('cancel')), err));
  setTimeout(() => note.focus(), 0);
  return form;
}
