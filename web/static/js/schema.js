// The forms of the actions, from the API's own description of them: the
// OpenAPI document says each action's body (its fields, which are
// required, the values an enum allows and which family of /labels names
// them), so a page draws the form of any action the server offers, and
// an action added to the server has its form here without a change.
import { api } from './api.js';
import { t } from './i18n.js';

let doc;
// loadDoc fetches the document once.
export async function loadDoc() {
  if (!doc) doc = api('/openapi.json').catch((e) => { doc = undefined; throw e; });
  return doc;
}

// Operation IDs are case.<action>, task.<action> and extension.approve /
// extension.reject; opsByAction finds an action's route in the document.
const extensionAction = { approve: 'approve-extension', reject: 'reject-extension' };

function opsByAction(d) {
  if (d._byAction) return d._byAction;
  const out = {};
  for (const [path, item] of Object.entries(d.paths)) {
    const op = item.post;
    const m = /^(case|task|extension)\.(.+)$/.exec(op?.operationId || '');
    if (!m) continue;
    const name = m[1] === 'extension' ? extensionAction[m[2]] || m[2] : m[2];
    out[name] = { path, on: m[1], op };
  }
  d._byAction = out;
  return out;
}

function resolve(d, s) {
  while (s && (s.$ref || s.allOf)) {
    const desc = s.description;
    s = s.$ref ? d.components.schemas[s.$ref.split('/').pop()] : s.allOf[0];
    if (desc && s && !s.description) s = { ...s, description: desc };
  }
  return s || {};
}

// Fields a page fills itself, or that need no one to type them.
const implicit = new Set(['expected_revision']);
// The order fields show in: these first, the rest as the document lists
// them, the free note last.
const first = ['title', 'description', 'priority', 'category', 'locality_id', 'grid_id', 'reporter', 'assignments', 'pass', 'satisfied', 'resolution', 'duplicate_of', 'reason', 'result', 'extra', 'unit_id', 'role', 'required', 'duty', 'units',
  'option', 'participant', 'post', 'hours', 'task_id', 'no_follow_up'];
const last = ['attachments', 'note'];

function rank(name) {
  const i = first.indexOf(name);
  if (i >= 0) return i;
  const j = last.indexOf(name);
  return j >= 0 ? 1000 + j : 500;
}

// widget is how a field is drawn, from its schema and its name.
function widget(name, s, d) {
  if (s.enum) return 'select';
  switch (s.type) {
    case 'boolean': return 'bool';
    case 'integer': case 'number': return 'number';
    case 'object': return 'object';
    case 'array': {
      const it = resolve(d, s.items);
      if (it.type === 'object') return 'rows';
      if (name === 'attachments') return 'files';
      if (name === 'units') return 'units';
      return 'tags';
    }
  }
  if (name === 'password') return 'password';
  if (name === 'note' || name === 'result' || name === 'description' || name === 'question') return 'textarea';
  if (name === 'unit_id' || name === 'home_unit_id' || name === 'owner_unit_id') return 'unit';
  if (name === 'task_id') return 'task';
  if (name === 'parent_id' || name === 'locality_id' || name === 'grid_id') return 'locality';
  if (name === 'resource_id') return 'resource';
  if (/RFC 3339/.test(s.description || '') || s.format === 'date-time') return 'datetime';
  if (/YYYY-MM-DD/.test(s.description || '')) return 'date';
  return 'text';
}

// fieldsOf lists the fields of an object schema as the forms draw them.
export function fieldsOf(d, schema) {
  const s = resolve(d, schema);
  const required = new Set(s.required || []);
  return Object.entries(s.properties || {}).filter(([name]) => !implicit.has(name)).map(([name, ps]) => {
    const p = resolve(d, ps);
    // A field with x-choices takes one of the values the case holds there.
    const f = { name, required: required.has(name), doc: p.description || '', widget: p['x-choices'] ? 'pick' : widget(name, p, d),
      enum: p.enum, labels: p['x-labels'], choices: p['x-choices'] };
    if (f.widget === 'object') f.fields = fieldsOf(d, p);
    if (f.widget === 'rows') f.fields = fieldsOf(d, p.items);
    return f;
  }).sort((a, b) => rank(a.name) - rank(b.name));
}

// actionForm is what a page needs to take an action: the route (with the
// id of the case, task or extension filled in) and its fields.
export async function actionForm(name, ids) {
  const d = await loadDoc();
  const r = opsByAction(d)[name];
  if (!r) throw new Error('no route for action ' + name);
  const id = r.on === 'task' ? ids.task : r.on === 'extension' ? ids.extension : ids.case;
  const body = r.op.requestBody?.content?.['application/json']?.schema;
  return { on: r.on, path: r.path.replace('/api/v1', '').replace('{id}', encodeURIComponent(id)), fields: body ? fieldsOf(d, body) : [] };
}

// choicesOf is what a case holds where a field's x-choices points (a
// path into its details), as [value, label] pairs: a list of strings
// offers each; a list of records offers each by its id, leaving out what
// is already settled (hours confirmed, a participant checked in).
export function choicesOf(c, path) {
  let x = c?.details;
  for (const k of (path || '').split('.')) x = x?.[k];
  if (!Array.isArray(x)) return [];
  return x.filter((o) => typeof o !== 'object' || !(o.confirmed || o.checked_in_at)).map((o) => (typeof o === 'object'
    ? [o.id, [o.name, o.date, o.hours ? o.hours + ' h' : '', o.id].filter(Boolean).join(' · ')] : [o, o]));
}

// actionTarget says what an action names: case, task or extension.
export async function actionTarget(name) {
  const d = await loadDoc();
  return opsByAction(d)[name]?.on;
}

// schemaFields lists the fields of a named schema (CaseIn, …).
export async function schemaFields(name) {
  const d = await loadDoc();
  return fieldsOf(d, { $ref: '#/components/schemas/' + name });
}

// initial is an empty value for each field.
export function initial(fields) {
  const v = {};
  for (const f of fields) {
    switch (f.widget) {
      case 'bool': v[f.name] = f.required ? null : false; break;
      case 'number': v[f.name] = null; break;
      case 'object': v[f.name] = initial(f.fields); break;
      case 'rows': v[f.name] = [initial(f.fields)]; break;
      case 'files': case 'units': case 'tags': v[f.name] = []; break;
      default: v[f.name] = '';
    }
  }
  return v;
}

// bodyOf is the JSON body of a form's values: empty fields left out, an
// object with nothing in it left out, times as RFC 3339.
export function bodyOf(fields, v) {
  const out = {};
  for (const f of fields) {
    let x = v[f.name];
    switch (f.widget) {
      case 'object': x = bodyOf(f.fields, x || {}); if (!Object.keys(x).length) x = undefined; break;
      case 'rows': x = (x || []).map((r) => bodyOf(f.fields, r)).filter((r) => Object.keys(r).length); if (!x.length) x = undefined; break;
      case 'files': x = (x || []).map((a) => (typeof a === 'string' ? a : a.url)).filter(Boolean); if (!x.length) x = undefined; break;
      case 'units': case 'tags': if (!x || !x.length) x = undefined; break;
      case 'bool': if (x === null || (x === false && !f.required)) x = undefined; break;
      case 'number': if (x === null || x === '' || x === undefined) x = undefined; else x = Number(x); break;
      case 'datetime': x = x ? new Date(x).toISOString() : undefined; break;
      default: if (x === '' || x === null) x = undefined;
    }
    if (x !== undefined) out[f.name] = x;
  }
  return out;
}

// fieldLabel names a field in the chosen language.
export function fieldLabel(f) {
  const w = t('f_' + f.name);
  return w === 'f_' + f.name ? f.name : w;
}
