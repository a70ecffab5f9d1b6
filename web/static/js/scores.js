// Scores of units and localities: the list for a period, and one
// subject's scorecard with points by indicator, the three rates and their
// trend over the last periods, as charts.
import { api, download, query } from './api.js';
import { h, fill, toast } from './dom.js';
import { t, lang, code, pct, when } from './i18n.js';
import { bars, chart } from './charts.js';
import { learnScores, thisMonth } from './names.js';

const rateKeys = [['response', 'rateResponse'], ['resolution', 'rateResolution'], ['satisfaction', 'rateSatisfaction']];
const pts = (p) => (p ? fmt(p.points) + ' / ' + fmt(p.max) : '—');
const fmt = (n) => (Math.round((n || 0) * 100) / 100).toString();
const rateValue = (r) => (r && r.value !== null && r.value !== undefined ? Math.round(r.value * 1000) / 10 : null);

function exportScores(period) {
  return async () => {
    try { toast(t('exported') + await download('/scores.csv' + query({ period }), 'scores-' + period + '.csv')); } catch (e) { toast(e.message, true); }
  };
}

export async function scoresPage(el, r) {
  const period = r.params.get('period') || thisMonth();
  const type = r.params.get('type') || 'locality';
  const s = await api('/scores' + query({ period, type }));
  learnScores(s);
  const subjects = [...(s.subjects || [])].sort((a, b) => b.total.points - a.total.points);
  const periodIn = h('input', { name: 'period', value: period, size: 10, title: t('periodHelp'), placeholder: t('periodHelp') });
  const typeIn = h('select', { name: 'type' }, [['locality', 'typeLocality'], ['unit', 'typeUnit']].map(([v, k]) => h('option', { value: v, selected: v === type }, t(k))));
  const overview = h('div', { class: 'chart', id: 'chart-totals', style: 'height:' + Math.max(240, subjects.length * 28 + 60) + 'px' });

  fill(el,
    h('h1', {}, t('scoresTitle'), h('span', { class: 'count' }, s.period),
      h('span', { class: 'actions' }, h('button', { type: 'button', class: 'btn', id: 'export-scores', onclick: exportScores(s.period) }, t('exportCSV')))),
    h('form', { class: 'filters', onsubmit: (ev) => { ev.preventDefault(); location.hash = '#/scores' + query({ period: periodIn.value.trim(), type: typeIn.value }); } },
      h('label', {}, t('period'), periodIn), h('label', {}, t('subjectType'), typeIn), h('button', { type: 'submit', class: 'btn' }, t('load'))),
    subjects.length ? h('div', { class: 'card' }, overview) : null,
    h('table', { id: 'scores-table' },
      h('thead', {}, h('tr', {}, [t('name'), t('total'), t('standardGrade'), t('demonstrationGrade'), ...rateKeys.map(([, k]) => t(k))].map((x) => h('th', {}, x)))),
      h('tbody', {}, subjects.length ? subjects.map((x) => h('tr', { dataset: { subject: x.id } },
        h('td', {}, h('a', { href: '#/score/' + encodeURIComponent(x.type) + '/' + encodeURIComponent(x.id) + query({ period: s.period }) }, x.name),
          ' ', h('span', { class: 'muted' }, code('level', x.level) || '')),
        h('td', {}, pts(x.total)), h('td', {}, pts(x.standard)), h('td', {}, pts(x.demonstration)),
        rateKeys.map(([k]) => h('td', {}, pct(x.rates?.[k]))))) : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, t('empty'))))));

  el.addEventListener('shown', () => {
    if (!subjects.length) return;
    bars(overview, subjects.map((x) => x.name), [
      { name: t('total'), data: subjects.map((x) => x.total.points), label: { show: true, position: 'right' } },
    ], { horizontal: true });
  });
}

export async function scorecardPage(el, r) {
  const [type, id] = r.args;
  const period = r.params.get('period') || thisMonth();
  const [s, trend] = await Promise.all([
    api('/scores' + query({ period, type, id })),
    api('/scores/trend' + query({ type, id, period, count: 6 })).catch(() => ({ items: [] })),
  ]);
  learnScores(s);
  const x = (s.subjects || [])[0];
  if (!x) { fill(el, h('div', { class: 'card empty' }, t('empty'))); return; }
  const inds = x.indicators || [];
  const indName = (i) => (lang === 'en' ? i.name_en || i.name_zh : i.name_zh || i.name_en) || i.id;
  const indEl = h('div', { class: 'chart', id: 'chart-indicators', style: 'height:' + Math.max(260, inds.length * 30 + 60) + 'px' });
  const ratesEl = h('div', { class: 'chart', id: 'chart-rates' });
  const trendEl = h('div', { class: 'chart', id: 'chart-trend' });
  const items = trend.items || [];

  fill(el,
    h('h1', {}, h('a', { href: '#/scores' + query({ period: s.period, type }) }, '‹ ' + t('scoresTitle')),
      h('span', { id: 'scorecard-name' }, x.name), h('span', { class: 'count' }, t('scorecard'), ' · ', s.period),
      h('span', { class: 'actions' }, h('button', { type: 'button', class: 'btn', id: 'export-scores', onclick: exportScores(s.period) }, t('exportCSV')))),
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'v', id: 'score-total' }, fmt(x.total.points)), h('div', { class: 'k' }, t('total'), ' / ', fmt(x.total.max))),
      h('div', { class: 'stat' }, h('div', { class: 'v' }, fmt(x.standard.points)), h('div', { class: 'k' }, t('standardGrade'), ' / ', fmt(x.standard.max))),
      h('div', { class: 'stat' }, h('div', { class: 'v' }, fmt(x.demonstration.points)), h('div', { class: 'k' }, t('demonstrationGrade'), ' / ', fmt(x.demonstration.max))),
      rateKeys.map(([k, key]) => h('div', { class: 'stat' }, h('div', { class: 'v' }, pct(x.rates?.[k])), h('div', { class: 'k' }, t(key),
        x.rates?.[k] ? ' (' + x.rates[k].hits + '/' + x.rates[k].total + ')' : '')))),
    h('div', { class: 'card' }, h('h2', {}, t('byIndicator')), indEl),
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('h2', {}, t('rates')), ratesEl),
      h('div', { class: 'card' }, h('h2', {}, t('trend')), trendEl)),
    h('div', { class: 'card' }, h('h2', {}, t('indicator')),
      h('table', { id: 'indicator-table' },
        h('thead', {}, h('tr', {}, h('th', {}, t('indicator')), h('th', {}, t('grade')),
          [t('raw'), t('points'), t('max'), t('lines')].map((c) => h('th', { class: 'num' }, c)))),
        h('tbody', {}, inds.map((i) => indicatorRow(i, indName))))));

  el.addEventListener('shown', () => {
    bars(indEl, inds.map(indName), [
      { name: t('points'), data: inds.map((i) => i.points), label: { show: true, position: 'right' } },
      { name: t('max'), data: inds.map((i) => i.max), itemStyle: { color: '#dee0e3' }, barGap: '-100%', z: 1 },
    ], { horizontal: true });
    bars(ratesEl, rateKeys.map(([, k]) => t(k)), [{
      name: '%', data: rateKeys.map(([k]) => rateValue(x.rates?.[k])), label: { show: true, position: 'top', formatter: '{c}%' },
    }], { max: 100 });
    chart(trendEl, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: items.map((p) => p.period) },
      yAxis: [{ type: 'value', name: t('points') }, { type: 'value', name: '%', max: 100 }],
      series: [
        { name: t('total'), type: 'line', data: items.map((p) => p.total.points), symbolSize: 8 },
        ...rateKeys.map(([k, key]) => ({ name: t(key), type: 'line', yAxisIndex: 1, data: items.map((p) => rateValue(p.rates?.[k])), connectNulls: true })),
      ],
    });
  });
}

// indicatorRow is an indicator's line of the table; its count of lines
// opens the lines behind the points, each with its case.
function indicatorRow(i, indName) {
  const lines = i.lines || [];
  const detail = h('tr', { class: 'lines', hidden: true }, h('td', { colspan: 6 },
    h('table', {}, h('thead', {}, h('tr', {}, [t('at'), t('source'), t('kind'), t('caseTitle'), t('quantity'), t('points')].map((c) => h('th', {}, c)))),
      h('tbody', {}, lines.map((l) => h('tr', {},
        h('td', {}, when(l.at)), h('td', {}, code('line_source', l.source)), h('td', {}, code('points_kind', l.kind)),
        h('td', {}, l.case_id ? h('a', { href: '#/case/' + encodeURIComponent(l.case_id) }, l.case_id) : l.ref || ''),
        h('td', { class: 'num' }, l.quantity ? fmt(l.quantity) : ''), h('td', { class: 'num' }, fmt(l.points))))))));
  const row = h('tr', { dataset: { indicator: i.id } },
    h('td', {}, indName(i), ' ', h('span', { class: 'muted' }, i.id)),
    h('td', {}, t(i.grade === 'demonstration' ? 'demonstrationGrade' : 'standardGrade')),
    h('td', { class: 'num' }, fmt(i.raw)), h('td', { class: 'num' }, fmt(i.points)), h('td', { class: 'num' }, fmt(i.max)),
    h('td', { class: 'num' }, lines.length
      ? h('button', { type: 'button', class: 'link', onclick: () => { detail.hidden = !detail.hidden; } }, String(lines.length) + ' ▾')
      : '0'));
  return [row, detail];
}
