// Names of localities and units. Lists carry IDs only; names come from
// GET /places (and from the counts and scores answers, which carry them
// too), and an ID shows as itself until its name is known.
import { api } from './api.js';
import { lang } from './i18n.js';

const known = new Map();
const paths = new Map(); // locality ID → its path, /nanhu/jianshe/

export function learn(id, name, path) {
  if (id && name) known.set(id, name);
  if (id && path) paths.set(id, path);
}
export function nameOf(id) { return known.get(id) || id || ''; }

// ancestry is a locality's path as a list of IDs, root first; the ID
// alone while its path is unknown.
export function ancestry(id) {
  const p = paths.get(id);
  return p ? p.split('/').filter(Boolean) : [id];
}

// learnScores takes the names of every subject in a scores answer.
// A scores answer names subjects in Chinese only, so it does not replace
// a name already known (perhaps in English).
export function learnScores(s) {
  for (const x of s?.subjects || []) learn(x.id, known.has(x.id) ? '' : x.name, x.type === 'locality' ? x.path : '');
}

const localName = (l) => (lang === 'en' && l?.name_en) || l?.name;

export function learnCounts(c) {
  if (!c) return;
  learn(c.locality?.id, localName(c.locality), c.locality?.path);
  for (const ch of c.children || []) learn(ch.locality?.id, localName(ch.locality), ch.locality?.path);
}

// learnPlaces takes the names of a places answer, in English when that
// is the language chosen and the place has an English name.
export function learnPlaces(p) {
  for (const l of p?.localities || []) learn(l.id, localName(l), l.path);
  for (const u of p?.units || []) learn(u.id, localName(u), '');
}

let loading;
// loadNames asks once for the places in the caller's scope. It never
// fails: without it the IDs show.
export function loadNames() {
  if (!loading) {
    loading = api('/places').then(learnPlaces).catch(() => {});
  }
  return loading;
}

// forgetNames drops what was learnt: another user may see other places,
// and another language names them differently.
export function forgetNames() {
  known.clear();
  paths.clear();
  loading = undefined;
}

export function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  const y = parts.find((p) => p.type === 'year').value, m = parts.find((p) => p.type === 'month').value;
  return y + '-' + m;
}
