// The run page, /runs/{id}: the run's own record (header, params, metrics with their series, tags) from
// GET /api/runs/{id}, then what kiln train reported about it (run-report.js) from GET /api/runs/{id}/report.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import * as fmt from '../fmt.js';
import { lineChart } from '../chart.js';
import { table, empty, errorBox, kv, section, loading, badge } from '../components.js';
import { reportSections, noReport } from './run-report.js';

export async function render(main, route) {
  const id = route.params.id;
  main.append(loading());
  let detail;
  try {
    detail = await api.get(`/api/runs/${encodeURIComponent(id)}`);
  } catch (err) {
    clear(main);
    main.append(h('h1', null, 'Run'), errorBox(err));
    return;
  }
  let report = null;
  let reportError = null;
  try {
    report = await api.get(`/api/runs/${encodeURIComponent(id)}/report`);
  } catch (err) {
    reportError = err;
  }
  const run = detail.run;
  route.title(`Run ${run.name || run.id}`);
  clear(main);
  main.append(
    header(run, report),
    paramsSection(run),
    metricsSection(run, route),
    tagsSection(run),
    ...(report ? reportSections(report, run) : [noReport(reportError)]),
    childrenSection(detail.children),
    artifactsSection(detail.artifacts),
  );
}

function header(run, report) {
  const started = run.started_at ? Date.parse(run.started_at) : null;
  const ended = run.ended_at ? Date.parse(run.ended_at) : null;
  const pairs = [
    ['Experiment', run.experiment],
    ['Started', run.started_at ? fmt.time(run.started_at) : '—'],
    ['Ended', run.ended_at ? fmt.time(run.ended_at) : run.status === 'running' ? 'still running' : '—'],
    ['Duration', started && ended ? fmt.seconds((ended - started) / 1000)
      : started && run.status === 'running' ? `${fmt.seconds((Date.now() - started) / 1000)} so far` : '—'],
    ['Run id', h('code', null, run.id)],
    ['Times in', fmt.zone()],
  ];
  if (run.parent_run_id) {
    pairs.push(['Parent run', h('a', { href: `/runs/${run.parent_run_id}`, class: 'run-parent' }, run.parent_run_id)]);
  }
  if (report && report.candidate) {
    pairs.push(['Candidate', `${report.candidate} — one algorithm of its parent's search; the report below is the search's`]);
  }
  return h('header', { class: 'run-header' },
    h('h1', null, run.name || run.id, ' ', badge(run.status, statusKind(run.status))),
    kv(pairs));
}

function statusKind(status) {
  return { finished: 'ok', running: 'info', failed: 'bad', killed: 'warn' }[status] || 'info';
}

function paramsSection(run) {
  const keys = Object.keys(run.params || {}).sort();
  if (!keys.length) {
    return section('Parameters', empty('No parameters logged for this run.'));
  }
  return section('Parameters', table({
    columns: [
      { key: 'key', label: 'Parameter' },
      { key: 'value', label: 'Value', render: (r) => h('span', { class: 'run-param-value' }, r.value) },
    ],
    rows: keys.map((k) => ({ key: k, value: String(run.params[k]) })),
    rowKey: (r) => r.key,
  }));
}

function tagsSection(run) {
  const keys = Object.keys(run.tags || {}).sort();
  if (!keys.length) {
    return section('Tags', empty('No tags on this run.'));
  }
  return section('Tags', table({
    columns: [{ key: 'key', label: 'Tag' }, { key: 'value', label: 'Value' }],
    rows: keys.map((k) => ({ key: k, value: String(run.tags[k]) })),
    rowKey: (r) => r.key,
  }));
}

/** The latest value of every metric, and the picked metric's series by step and by time (deep link: ?metric=). */
function metricsSection(run, route) {
  const metrics = run.metrics || {};
  const keys = Object.keys(metrics).sort();
  if (!keys.length) {
    return section('Metrics', empty('No metrics logged for this run.'));
  }
  const wanted = route.query.get('metric');
  const preferred = ['test_roc_auc', 'test_log_loss', 'test_rmse', 'loss'];
  const initial = keys.includes(wanted) ? wanted : preferred.find((k) => keys.includes(k)) || keys[0];
  const charts = h('div', { class: 'run-metric-charts' });
  const picker = h('select', {
    id: 'run-metric-picker', 'aria-label': 'Metric to chart',
    onchange: () => { route.setQuery({ metric: picker.value }); drawSeries(run.id, picker.value, charts); },
  }, keys.map((k) => h('option', { value: k, selected: k === initial }, k)));
  drawSeries(run.id, initial, charts);
  return section('Metrics',
    table({
      columns: [
        { key: 'key', label: 'Metric' },
        { key: 'value', label: 'Latest', numeric: true, render: (r) => fmt.metric(r.key, r.value) },
      ],
      rows: keys.map((k) => ({ key: k, value: metrics[k] })),
      rowKey: (r) => r.key,
    }),
    h('p', { class: 'run-metric-pick' }, h('label', { for: 'run-metric-picker' }, 'Chart the series of '), picker),
    charts);
}

async function drawSeries(runId, key, el) {
  clear(el);
  el.append(loading());
  let history;
  try {
    history = (await api.get(`/api/runs/${encodeURIComponent(runId)}/series`, { key })).history;
  } catch (err) {
    clear(el);
    el.append(errorBox(err));
    return;
  }
  clear(el);
  if (!history.length) {
    el.append(empty(`No points of ${key}.`));
    return;
  }
  const byStep = h('div', { class: 'run-chart' });
  const byTime = h('div', { class: 'run-chart' });
  el.append(byStep, byTime);
  const points = history.map((p) => ({ step: p.step, t: Date.parse(p.timestamp), v: p.value }));
  const steps = [...points].sort((a, b) => a.step - b.step);
  lineChart(byStep, {
    title: `${key} by step`, xLabel: 'step', yLabel: key,
    series: [{ label: key, x: steps.map((p) => p.step), y: steps.map((p) => p.v) }],
  });
  const times = [...points].filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  lineChart(byTime, {
    title: `${key} by time`, xLabel: 'time', yLabel: key, time: true,
    series: [{ label: key, x: times.map((p) => p.t), y: times.map((p) => p.v) }],
  });
  if (history.length === 1) {
    el.append(h('p', { class: 'muted' }, `One point (step ${history[0].step}): logged once, as kiln train logs its final metrics.`));
  }
}

function childrenSection(children) {
  if (!children || !children.length) {
    return section('Child runs', empty('This run has no child runs.'));
  }
  return section('Child runs', table({
    columns: [
      { key: 'name', label: 'Name', render: (r) => h('a', { href: `/runs/${r.id}` }, r.name || r.id) },
      { key: 'status', label: 'Status', render: (r) => badge(r.status, statusKind(r.status)) },
      { key: 'started_at', label: 'Started', render: (r) => fmt.time(r.started_at) },
    ],
    rows: children,
    rowKey: (r) => r.id,
  }));
}

function artifactsSection(artifacts) {
  if (!artifacts || !artifacts.length) {
    return section('Artifacts', empty('No artifacts stored with this run.'));
  }
  return section('Artifacts', table({
    columns: [
      { key: 'name', label: 'Name' },
      { key: 'kind', label: 'Kind' },
      { key: 'size_bytes', label: 'Size', numeric: true, render: (r) => fmt.bytes(r.size_bytes) },
      { key: 'sha256', label: 'SHA-256', render: (r) => h('code', { title: r.sha256 }, (r.sha256 || '').slice(0, 12)) },
    ],
    rows: artifacts,
    rowKey: (r) => r.name,
  }));
}
