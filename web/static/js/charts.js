// Charts with Apache ECharts (vendored, loaded as a classic script that
// defines window.echarts). Charts are disposed when the page changes.

const live = new Set();
export const palette = ['#c8161d', '#1f5fbf', '#e08a00', '#2f9e62', '#7b4fc9', '#00889e', '#8c6d31', '#d45087'];

// chart draws option into el and returns the ECharts instance.
export function chart(el, option) {
  const c = window.echarts.init(el, null, { renderer: 'canvas' });
  c.setOption({ color: palette, animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
  live.add(c);
  return c;
}

export function disposeCharts() {
  for (const c of live) c.dispose();
  live.clear();
}

window.addEventListener('resize', () => { for (const c of live) c.resize(); });

// bars is a simple bar chart of named values.
// opts: horizontal bars; max of the value axis; counts (whole numbers only).
export function bars(el, names, series, opts = {}) {
  const value = { type: 'value', max: opts.max, minInterval: opts.counts ? 1 : undefined };
  return chart(el, {
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? value : { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
    yAxis: opts.horizontal ? { type: 'category', data: names, inverse: true } : value,
    series: series.map((s) => ({ type: 'bar', barMaxWidth: 36, ...s })),
  });
}
