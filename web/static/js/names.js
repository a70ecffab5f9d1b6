// Names of localities and units as the API has shown them. The overdue
// list carries IDs only; names come from the counts and scores answers,
// which carry them, and an ID shows as itself until its name is known.
import { api } from './api.js';

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
export function learnScores(s) {
  for (const x of s?.subjects || []) learn(x.id, x.name, x.type === 'locality' ? x.path : '');
}

export function learnCounts(c) {
  if (!c) return;
  learn(c.locality?.id, c.locality?.name, c.locality?.path);
  for (const ch of c.children || []) learn(ch.locality?.id, ch.locality?.name, ch.locality?.path);
}

let loading;
// loadNames asks the scores of the current month once, for the names of
// the units and localities in the caller's scope. It never fails: without
// it the IDs show.
export function loadNames() {
  if (!loading) {
    loading = api('/scores?period=' + thisMonth()).then(learnScores).catch(() => {});
  }
  return loading;
}

export function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  const y = parts.find((p) => p.type === 'year').value, m = parts.find((p) => p.type === 'month').value;
  return y + '-' + m;
}
