// /models/{name}/monitoring: the on-call engineer's page. Is the served model drifting (PSI and KS per feature per
// window against its training profile, drift of its output), how does it do on the labels that arrived (per version),
// how many requests, and which alerts are open (with their evidence; editors resolve them with a reason).
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { table, empty, section, badge } from '../components.js';
import { lineChart, heatmap } from '../chart.js';
import { num, time, zone } from '../fmt.js';
import { renderAlerts } from './monitoring-alerts.js';

const WINDOWS = ['hour', 'day', 'week'];
const STATS = {
  psi: { label: 'PSI', key: 'psi', scaleMax: 0.5, threshold: (t) => t.psi, help: (t) => `PSI ≥ ${t.psi} is a large shift` },
  ks: { label: 'KS statistic', key: 'ks_statistic', scaleMax: 0.5, threshold: (t) => t.ks_statistic,
    help: (t) => `KS D ≥ ${t.ks_statistic} is a large shift (numeric features only)` },
};
const NO_LOG = 'start kiln serve --log-dir DIR and kiln server --log-dir DIR';

const COLUMN_TIME = {
  hour: new Intl.DateTimeFormat(undefined, { day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  day: new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }),
  week: new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }),
};

/** A window's start, short enough for a heat map column: "20, 13:00" (day of month, time) by hour, "Nov 20" by day or week. */
function columnLabel(width, iso) {
  const label = COLUMN_TIME[width].format(new Date(iso));
  return width === 'week' ? `wk ${label}` : label;
}

export async function render(main, route) {
  const name = route.params.name;
  route.title(`${name} · monitoring`);
  const win = WINDOWS.includes(route.query.get('window')) ? route.query.get('window') : 'day';
  const stat = STATS[route.query.get('stat')] ? route.query.get('stat') : 'psi';
  const from = route.query.get('from') || undefined;
  const to = route.query.get('to') || undefined;
  const [data, alerts] = await Promise.all([
    api.get(path`/api/models/${name}/monitoring`, { window: win, from, to }),
    api.get(path`/api/models/${name}/alerts`, { limit: 50 }),
  ]);
  const go = (changes) => {
    const q = new URLSearchParams(route.query);
    for (const [k, v] of Object.entries(changes)) {
      q.set(k, v);
    }
    route.navigate(`${route.path}?${q}`);
  };
  const alertsBox = h('div', { class: 'mon-alerts' });
  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: '/models' }, 'Models'), ' / ', h('a', { href: path`/models/${name}` }, name), ' / monitoring'),
    h('h1', null, `Monitoring · ${name}`),
    controls(data, win, go),
    notes(data),
    summary(data),
    driftSection(data, stat, go),
    h('div', { class: 'grid two' }, predictionSection(data), requestsSection(data)),
    performanceSection(data),
    section('Alerts', alertsBox));
  renderAlerts(alertsBox, name, alerts.alerts);
}

function controls(data, win, go) {
  const picker = h('div', { class: 'seg', role: 'group', 'aria-label': 'window' },
    WINDOWS.map((w) => h('button', {
      type: 'button', 'aria-pressed': String(w === win), class: w === win ? 'on' : null, 'data-window': w,
      onclick: () => go({ window: w }),
    }, `per ${w}`)));
  return h('div', { class: 'row mon-controls' }, picker,
    h('span', { class: 'muted' }, `${time(data.from)} to ${time(data.to)} · times in ${zone()}`));
}

function notes(data) {
  if (data.log_dirs.length === 0) {
    return empty(`No prediction log for ${data.model}: ${NO_LOG}.`, `kiln serve --model ${data.model}=${data.model}@production --log-dir DIR\nkiln server --log-dir DIR`);
  }
  const list = data.notes.filter(Boolean);
  return list.length === 0 ? null : h('div', { class: 'mon-notes', role: 'note' }, list.map((n) => h('p', { class: 'muted' }, n)));
}

function summary(data) {
  const last = data.windows[data.windows.length - 1];
  if (!last) {
    return null;
  }
  const drifted = last.features.filter((f) => f.drift).map((f) => f.name);
  return h('div', { class: 'mon-summary' },
    tile('Latest window', time(last.start)),
    tile('Requests', num(last.requests)),
    tile('Served by', Object.entries(last.versions).map(([v, n]) => `v${v} ${num(n)}`).join(' · ')),
    tile('Features drifted', `${drifted.length} of ${last.features.length}`, drifted.length > 0 ? 'bad' : 'ok'),
    tile('Output PSI', last.prediction ? num(last.prediction.psi, 3) : '—', last.prediction && last.prediction.drift ? 'bad' : 'ok'),
    tile('Rows read', `${num(data.rows)} in ${num(data.elapsed_ms)} ms`));
}

function tile(label, value, kind) {
  return h('div', { class: ['tile', kind] }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value num' }, value));
}

function driftSection(data, stat, go) {
  const s = STATS[stat];
  const switcher = h('div', { class: 'seg', role: 'group', 'aria-label': 'statistic' },
    Object.entries(STATS).map(([k, v]) => h('button', {
      type: 'button', 'aria-pressed': String(k === stat), class: k === stat ? 'on' : null, 'data-stat': k,
      onclick: () => go({ stat: k }),
    }, v.label)));
  if (data.windows.length === 0 || data.features.length === 0) {
    return section('Drift per feature', switcher, empty(data.log_dirs.length === 0
      ? `Nothing to compare yet: ${NO_LOG}.`
      : 'No predictions in these windows: pick a longer window or send traffic to kiln serve.'));
  }
  const byWindow = data.windows.map((w) => new Map(w.features.map((f) => [f.name, f])));
  const cols = data.windows.map((_, i) => i);
  const box = h('div', { class: 'mon-heat' });
  const figure = heatmap(box, {
    title: `${s.label} per feature and window (rows: features; columns: windows)`,
    rows: data.features,
    cols,
    rowLabel: 'feature',
    colLabel: (i) => columnLabel(data.window, data.windows[i].start),
    value: (feature, i) => {
      const f = byWindow[i].get(feature);
      return f && Number.isFinite(f[s.key]) ? f[s.key] : null;
    },
    format: (v) => (v === null || v === undefined ? '—' : num(v, 2)),
    max: s.scaleMax,
  });
  // The latest windows are what the on-call engineer came for: a wide map opens scrolled to its right end.
  requestAnimationFrame(() => {
    const wrap = figure.querySelector('.table-wrap');
    if (wrap) {
      wrap.scrollLeft = wrap.scrollWidth;
    }
  });
  // Mark the cells whose feature drifted (significant and large), so colour is not the only signal.
  figure.querySelectorAll('tbody tr').forEach((tr, r) => {
    tr.querySelectorAll('td').forEach((td, c) => {
      const f = byWindow[c].get(data.features[r]);
      if (f && f.drift) {
        td.classList.add('drift');
        td.title = `${td.title} · drifted: ${f.reasons.join('; ')}`;
      }
    });
  });
  const t = data.thresholds;
  const legend = h('p', { class: 'muted mon-legend' },
    `Colour from 0 to ${s.scaleMax} and above. ${s.help(t)}. `,
    h('span', { class: 'drift-mark' }, '●'),
    ` marks a feature that drifted: significant (KS p < ${t.ks_p_value}, chi-square p < ${t.chi_square_p_value}) and large `
      + `(KS D ≥ ${t.ks_statistic} or PSI ≥ ${t.psi}). Each window is compared with the training profile of the version that `
      + 'answered most of its requests.');
  return section('Drift per feature', switcher, box, legend, windowDetail(data));
}

/** The statistics of every feature in one window, the latest first; a select picks another window. */
function windowDetail(data) {
  const holder = h('div');
  const pick = h('select', {
    id: 'mon-window', 'aria-label': 'window shown in the table',
    onchange: (e) => show(Number(e.target.value)),
  }, data.windows.map((w, i) => h('option', { value: String(i) }, `${columnLabel(data.window, w.start)} (${num(w.requests)} requests)`)));
  const show = (i) => {
    const w = data.windows[i];
    const rows = [...w.features];
    if (w.prediction) {
      rows.push({ ...w.prediction, name: '(model output)' });
    }
    const caption = `Window from ${time(w.start)}: compared with version ${w.reference_version}'s training profile`;
    mount(holder, h('p', { class: 'mon-caption' }, caption), table({
      columns: [
        { key: 'name', label: 'Feature' },
        { key: 'type', label: 'Type' },
        { key: 'psi', label: 'PSI', numeric: true, render: (f) => num(f.psi, 3) },
        { key: 'ks_statistic', label: 'KS D', numeric: true, render: (f) => num(f.ks_statistic, 3) },
        { key: 'ks_p_value', label: 'KS p', numeric: true, render: (f) => num(f.ks_p_value) },
        { key: 'chi_square_p_value', label: 'χ² p', numeric: true, render: (f) => num(f.chi_square_p_value) },
        { key: 'drift', label: 'Drift', render: (f) => (f.drift ? badge('drift', 'bad') : badge('no', 'ok')) },
        { key: 'reasons', label: 'Why', render: (f) => f.reasons.join('; ') || '' },
      ],
      rows,
      rowKey: (f) => f.name,
    }));
  };
  pick.value = String(data.windows.length - 1);
  show(data.windows.length - 1);
  return h('div', { class: 'mon-detail' }, h('label', { for: 'mon-window' }, 'Window '), pick, holder);
}

function starts(data) {
  return data.windows.map((w) => Date.parse(w.start));
}

function predictionSection(data) {
  const box = h('div', { class: 'mon-prediction' });
  const points = data.windows.filter((w) => w.prediction && Number.isFinite(w.prediction.psi));
  if (points.length === 0) {
    return section('Prediction drift', empty(data.log_dirs.length === 0 ? `No predictions yet: ${NO_LOG}.` : 'No predictions in these windows.'));
  }
  const x = points.map((w) => Date.parse(w.start));
  lineChart(box, {
    title: 'PSI of the model output against its training profile', xLabel: 'window start', yLabel: 'PSI', time: true,
    series: [
      { label: 'output PSI', x, y: points.map((w) => w.prediction.psi) },
      { label: `large (${data.thresholds.psi})`, x, y: x.map(() => data.thresholds.psi) },
    ],
  });
  return section('Prediction drift', box);
}

function requestsSection(data) {
  const box = h('div', { class: 'mon-requests' });
  if (data.windows.length === 0) {
    return section('Requests', empty(data.log_dirs.length === 0 ? `No requests logged: ${NO_LOG}.` : 'No requests in these windows.'));
  }
  const x = starts(data);
  const versions = [...new Set(data.windows.flatMap((w) => Object.keys(w.versions)))];
  const series = [{ label: 'all versions', x, y: data.windows.map((w) => w.requests) }];
  if (versions.length > 1) {
    versions.forEach((v) => series.push({ label: `v${v}`, x, y: data.windows.map((w) => w.versions[v] ?? 0) }));
  }
  lineChart(box, { title: `Requests per ${data.window}`, xLabel: 'window start', yLabel: 'requests', time: true, series });
  return section('Requests', box);
}

function performanceSection(data) {
  const metrics = data.task === 'regression' ? ['rmse', 'mae'] : ['accuracy', 'roc_auc'];
  const labelled = data.performance.filter((p) => p.labelled > 0);
  if (labelled.length === 0) {
    return section('Metrics on delayed labels', empty(data.log_dirs.length === 0 ? `No prediction log: ${NO_LOG}.`
      : 'No labels arrived for these windows. Send them to kiln serve as they become known:',
    data.log_dirs.length === 0 ? null : `POST /v1/models/${data.model}:feedback  {"request_id": "...", "label": ...}`));
  }
  const dirs = new Set(labelled.map((p) => p.log_dir));
  const seriesKey = (p) => (dirs.size > 1 ? `v${p.version} (${p.log_dir})` : `v${p.version}`);
  const keys = [...new Set(labelled.map(seriesKey))];
  const grid = h('div', { class: 'grid two' });
  for (const m of metrics) {
    const box = h('div');
    grid.appendChild(box);
    const series = keys.map((k) => {
      const mine = labelled.filter((p) => seriesKey(p) === k && Number.isFinite(p.metrics[m]));
      return { label: k, x: mine.map((p) => Date.parse(p.start)), y: mine.map((p) => p.metrics[m]) };
    }).filter((s) => s.x.length > 0);
    if (series.length === 0) {
      box.appendChild(empty(`No ${m} in these windows.`));
    } else {
      lineChart(box, { title: `${m} per version on the labels that arrived`, xLabel: 'window start', yLabel: m, time: true, series });
    }
  }
  const total = labelled.reduce((a, p) => a + p.labelled, 0);
  return section('Metrics on delayed labels', grid,
    h('p', { class: 'muted' }, `${num(total)} labelled predictions in ${labelled.length} version-windows; one line per version.`));
}
