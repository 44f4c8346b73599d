// /compare?runs=ID,ID,...: runs side by side (attributes, params, metrics, tags), the rows whose values differ
// highlighted, an "only differences" switch, and a scatter of a chosen metric against a chosen parameter across the
// runs. The switch and the two choices live in the query string (only_diff, metric, param): a deep link.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { empty, badge, section } from '../components.js';
import { scatterChart, barChart } from '../chart.js';
import { metric, time, seconds } from '../fmt.js';
import { quote, rankMetrics, valueOf } from './runkeys.js';

const MAX_RUNS = 100;
const STATUS_KIND = { finished: 'ok', running: 'info', failed: 'bad', killed: 'warn' };

export async function render(main, route) {
  route.title('Compare runs');
  const ids = [...new Set((route.query.get('runs') || '').split(',').map((s) => s.trim()).filter(Boolean))].slice(0, MAX_RUNS);
  if (ids.length === 0) {
    mount(main, h('h1', null, 'Compare runs'),
      empty('No runs chosen. Tick two or more runs on the runs page and press Compare.'), h('p', null, h('a', { href: '/runs' }, '← Runs')));
    return;
  }
  const found = await api.get('/api/runs/search', {
    filter: `attributes.run_id in (${ids.map(quote).join(', ')})`, page_size: MAX_RUNS,
  });
  const byId = new Map(found.runs.map((r) => [r.id, r]));
  const runs = ids.map((id) => byId.get(id)).filter(Boolean);
  const missing = ids.filter((id) => !byId.has(id));

  const state = {
    onlyDiff: route.query.get('only_diff') === '1',
    metric: route.query.get('metric') || '',
    param: route.query.get('param') || '',
  };
  const keys = {
    params: union(runs, 'params'),
    metrics: union(runs, 'metrics'),
    tags: union(runs, 'tags'),
  };
  if (!keys.metrics.includes(state.metric)) {
    state.metric = firstVarying(runs, rankMetrics(keys.metrics), 'metrics') || rankMetrics(keys.metrics)[0] || '';
  }
  if (!keys.params.includes(state.param)) {
    state.param = firstVarying(runs, keys.params, 'params') || keys.params[0] || '';
  }

  const onlyDiff = h('input', { type: 'checkbox', id: 'only-diff', checked: state.onlyDiff, onchange: (e) => {
    state.onlyDiff = e.target.checked;
    route.setQuery({ only_diff: state.onlyDiff ? '1' : '' });
    drawTable();
  } });
  const tableArea = h('div', { class: 'compare-table' });
  const chartArea = h('div', { class: 'compare-chart' });
  const metricSelect = h('select', { id: 'scatter-metric', onchange: (e) => { state.metric = e.target.value; route.setQuery({ metric: state.metric }); drawChart(); } },
    keys.metrics.map((k) => h('option', { value: k, selected: k === state.metric }, k)));
  const paramSelect = h('select', { id: 'scatter-param', onchange: (e) => { state.param = e.target.value; route.setQuery({ param: state.param }); drawChart(); } },
    keys.params.map((k) => h('option', { value: k, selected: k === state.param }, k)));

  mount(main,
    h('p', null, h('a', { href: '/runs' }, '← Runs')),
    h('h1', null, `Compare ${runs.length} run${runs.length === 1 ? '' : 's'}`),
    missing.length ? h('div', { class: 'error', role: 'alert' }, `No run with id ${missing.join(', ')}.`) : null,
    runs.length === 0 ? empty('None of these runs exist (any more).') : [
      h('div', { class: 'row' }, h('label', { class: 'switch', for: 'only-diff' }, onlyDiff, ' Only differences'),
        h('span', { class: 'spacer' }), h('span', { class: 'muted legend-diff' }, h('span', { class: 'swatch diff' }), ' values differ')),
      tableArea,
      section('Metric against parameter',
        keys.metrics.length === 0 || keys.params.length === 0
          ? h('p', { class: 'muted' }, 'These runs need a metric and a parameter for this chart.')
          : [h('div', { class: 'row' }, h('label', { for: 'scatter-metric' }, 'Metric'), metricSelect,
            h('label', { for: 'scatter-param' }, 'against parameter'), paramSelect), chartArea]),
    ]);
  if (runs.length > 0) {
    drawTable();
    drawChart();
  }

  function drawTable() {
    const head = h('tr', null, h('th', { scope: 'col' }, 'Key'), runs.map((r) => h('th', { scope: 'col', class: 'run-col' },
      h('a', { href: path`/runs/${r.id}` }, r.name || r.id.slice(0, 8)))));
    const rows = [];
    const group = (title, entries) => {
      const shown = entries.filter((e) => !state.onlyDiff || e.differs);
      if (shown.length === 0) {
        return;
      }
      rows.push(h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: String(runs.length + 1) }, title, ' ',
        h('span', { class: 'muted' }, `(${shown.length}${state.onlyDiff ? ` of ${entries.length}` : ''})`))));
      for (const e of shown) {
        rows.push(h('tr', { class: e.differs ? 'diff' : null, 'data-key': e.key },
          h('th', { scope: 'row', class: 'key' }, e.key), e.cells.map((c) => h('td', { class: e.numeric ? 'num' : null }, c))));
      }
    };
    group('Run', [
      entry('experiment', runs.map((r) => r.experiment)),
      entry('status', runs.map((r) => r.status), (v) => badge(v, STATUS_KIND[v] || 'muted')),
      entry('started', runs.map((r) => r.started_at), (v) => time(v)),
      entry('duration', runs.map((r) => (r.ended_at ? (Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000 : undefined)),
        (v) => seconds(v), true),
    ]);
    group('Parameters', keys.params.map((k) => entry(k, runs.map((r) => valueOf(r, 'params', k)))));
    group('Metrics', keys.metrics.map((k) => entry(k, runs.map((r) => valueOf(r, 'metrics', k)), (v) => metric(k, v), true)));
    group('Tags', keys.tags.map((k) => entry(k, runs.map((r) => valueOf(r, 'tags', k)))));
    mount(tableArea, rows.length === 0
      ? empty('These runs do not differ in anything shown here.')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'compare' }, h('thead', null, head), h('tbody', null, rows))));
  }

  function drawChart() {
    if (!state.metric || !state.param) {
      return;
    }
    const raw = runs.map((r) => valueOf(r, 'params', state.param));
    const numeric = raw.every((v) => v === undefined || (v !== '' && Number.isFinite(Number(v))));
    const pairs = runs.map((r, i) => ({ run: r, x: raw[i], y: Number(valueOf(r, 'metrics', state.metric)) }))
      .filter((p) => p.x !== undefined && Number.isFinite(p.y));
    mount(chartArea);
    if (pairs.length === 0) {
      mount(chartArea, h('p', { class: 'muted' }, `No run here has both ${state.param} and ${state.metric}.`));
      return;
    }
    if (numeric) {
      scatterChart(chartArea, { title: `${state.metric} by ${state.param}`, xLabel: state.param, yLabel: state.metric,
        points: pairs.map((p) => ({ x: Number(p.x), y: p.y, label: p.run.name || p.run.id })) });
    } else {
      // A parameter that is not a number (an algorithm, a loss): one bar per value, the mean of the metric over its runs.
      const categories = [...new Set(pairs.map((p) => p.x))].sort();
      const mean = (c) => {
        const ys = pairs.filter((p) => p.x === c).map((p) => p.y);
        return ys.reduce((a, b) => a + b, 0) / ys.length;
      };
      barChart(chartArea, { title: `${state.metric} by ${state.param} (mean over its runs)`, xLabel: state.param, yLabel: state.metric,
        labels: categories.map((c) => `${c} (${pairs.filter((p) => p.x === c).length})`), values: categories.map(mean) });
    }
    chartArea.appendChild(h('p', { class: 'muted' }, `${pairs.length} of ${runs.length} runs have both values.`));
  }
}

/** Every key of `kind` any of the runs has, sorted. */
function union(runs, kind) {
  const all = new Set();
  for (const r of runs) {
    Object.keys(r[kind] || {}).forEach((k) => all.add(k));
  }
  return [...all].sort();
}

/** The first key that at least two runs have with different values: the interesting default for the chart. */
function firstVarying(runs, keys, kind) {
  return keys.find((k) => {
    const present = runs.map((r) => valueOf(r, kind, k)).filter((v) => v !== undefined);
    return present.length >= 2 && new Set(present.map(String)).size > 1;
  });
}

/** One row: its cells, and whether the runs' values differ (a missing value differs from any value). */
function entry(key, values, show = (v) => String(v), numeric = false) {
  const seen = new Set(values.map((v) => (v === undefined || v === null ? '\u0000missing' : String(v))));
  return { key, numeric, differs: seen.size > 1, cells: values.map((v) => (v === undefined || v === null ? '—' : show(v))) };
}
