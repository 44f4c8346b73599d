// /data/{name}/{version}: one stored dataset version: where it came from, its profile (a card per column: type,
// missing rate, histogram or top values, summary numbers) and the validation reports pipeline runs kept of it.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { table, empty, section, badge, errorBox, kv } from '../components.js';
import { num, pct, bytes, time, ago } from '../fmt.js';
import { barChart } from '../chart.js';
import { reportDetails, statusKind } from './validation-report.js';

const POLL_MS = 2000;

export async function render(main, route) {
  const { name, version } = route.params;
  route.title(`${name} · ${version.slice(0, 12)}`);
  let timer = null;
  let left = false;
  const load = async () => {
    const v = await api.get(path`/api/datasets/${name}/versions/${version}`);
    if (left || !route.current()) {
      return;
    }
    show(main, v);
    if (v.profile_status === 'computing') {
      timer = setTimeout(() => load().catch((e) => mount(main, h('h1', null, name), errorBox(e))), POLL_MS);
    }
  };
  await load();
  return () => {
    left = true;
    clearTimeout(timer);
  };
}

function show(main, v) {
  const profileCard = h('div', null);
  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: `/data?dataset=${encodeURIComponent(v.name)}` }, 'Data'), ' / ', v.name),
    h('h1', null, v.name, ' ', h('span', { class: 'mono muted' }, v.version.slice(0, 12))),
    section('Version', kv([
      ['SHA-256', h('span', { class: 'mono' }, v.version)],
      ['Source', h('span', { class: 'mono' }, v.source || '—')],
      ['Rows', v.profile ? num(v.profile.rows) : '—'],
      ['Columns', v.profile ? num(v.profile.columns.length) : '—'],
      ['Size', `${bytes(v.bytes)} in ${v.files.length} ${v.files.length === 1 ? 'file' : 'files'}`],
      ['Stored', h('time', { datetime: v.created_at }, `${time(v.created_at)} (${ago(v.created_at)})`)],
      ['By', v.created_by],
      ['Names', v.names.join(', ')],
    ])),
    profileCard,
    validations(v),
    pipelineRuns(v));
  if (v.profile_status === 'computing') {
    mount(profileCard, section('Profile', h('p', { class: 'loading', role: 'status' },
      `Profiling ${bytes(v.bytes)} of data: done once, then kept beside the version. This page updates by itself…`)));
  } else if (v.profile_status === 'failed') {
    mount(profileCard, section('Profile', h('p', null, 'This version could not be profiled:'), errorBox(v.profile_error)));
  } else {
    profile(profileCard, v.profile);
  }
}

function profile(el, p) {
  const cards = h('div', { class: 'grid three columns-grid' });
  mount(el,
    section(`Columns (${p.columns.length})`, table({
      columns: [
        { key: 'name', label: 'Column', render: (c) => jump(c, p.columns.indexOf(c)) },
        { key: 'type', label: 'Type', render: (c) => badge(c.type, 'muted') },
        { key: 'missing_rate', label: 'Missing', numeric: true, render: (c) => missingCell(c) },
        { key: 'distinct', label: 'Distinct', numeric: true, render: (c) => num(c.distinct) },
        { key: 'summary', label: 'Summary', render: (c) => oneLine(c) },
      ],
      rows: p.columns,
      rowKey: (c) => c.name,
    })),
    h('h2', { class: 'cards-title' }, 'Per column'),
    cards);
  p.columns.forEach((c, i) => column(cards, c, i, p.rows)); // in the page first, so each chart takes its card's width
}

/** A link to a column's card that scrolls there without a fragment navigation (which the router would take for a new page). */
function jump(c, i) {
  return h('a', { href: `#col-${i}`, onclick: (e) => {
    e.preventDefault();
    const card = document.getElementById(`col-${i}`);
    if (card) {
      card.scrollIntoView({ block: 'start' });
      card.focus({ preventScroll: true });
    }
  } }, c.name);
}

function missingBar(rate) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${Math.max(0, Math.min(1, rate || 0)) * 100}%`;
  return h('span', { class: `missing-bar${rate > 0 ? '' : ' none'}`, role: 'img', 'aria-label': `missing ${pct(rate)}` }, fill);
}

function missingCell(c) {
  return h('span', { class: 'missing-cell' }, missingBar(c.missing_rate), ' ', pct(c.missing_rate));
}

const isTime = (c) => c.type === 'datetime';

function value(c, x) {
  return isTime(c) ? time(x) : num(x);
}

function oneLine(c) {
  if (c.numeric) {
    return `${value(c, c.numeric.min)} … ${value(c, c.numeric.max)}${isTime(c) ? '' : `, mean ${num(c.numeric.mean)}`}`;
  }
  if (c.top && c.top.length > 0) {
    return `most often '${c.top[0].value}' (${pct(c.top[0].fraction)})`;
  }
  return '—';
}

/** A bin's edge, short enough for an axis. */
function edge(c, x) {
  if (isTime(c)) {
    return new Date(x).toISOString().slice(0, 10);
  }
  const a = Math.abs(x);
  return a >= 1000 || Number.isInteger(x) ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toString();
}

function column(cards, c, i, rows) {
  const chart = h('div', { class: 'column-chart' });
  const card = h('section', { class: 'card column-card', id: `col-${i}`, tabindex: '-1' },
    h('h3', null, h('span', { class: 'mono' }, c.name), ' ', badge(c.type, 'muted')),
    h('div', { class: 'missing-line' }, missingBar(c.missing_rate), ' ',
      `${pct(c.missing_rate)} missing (${num(c.missing)} of ${num(c.count + c.missing)} rows)`),
    chart,
    c.numeric ? numericSummary(c) : categorySummary(c));
  cards.appendChild(card);
  if (c.numeric && c.numeric.histogram) {
    const hist = c.numeric.histogram;
    const every = Math.ceil(hist.counts.length / 5); // about five ticks: each bin's range is in the legend on hover
    barChart(chart, {
      title: `Distribution of ${c.name}`,
      xLabel: `${c.name} (bin start)`,
      yLabel: 'rows',
      labels: hist.counts.map((_, k) => (hist.counts.length === 1 ? edge(c, hist.edges[0])
        : `${edge(c, hist.edges[k])} – ${edge(c, hist.edges[k + 1])}`)),
      tickLabels: hist.counts.map((_, k) => (k % every === 0 ? edge(c, hist.edges[k]) : '')),
      values: hist.counts,
    });
  } else if (c.top && c.top.length > 0) {
    const labels = c.top.map((t) => t.value);
    const values = c.top.map((t) => t.count);
    if (c.other_count > 0) {
      labels.push('(other)');
      values.push(c.other_count);
    }
    // Names as long as a bar is wide (about 300 px over the bars; rotated past 8 bars), whole in the legend and the table.
    const room = labels.length > 8 ? 12 : Math.max(3, Math.floor(300 / labels.length / 7.5));
    const tickLabels = labels.map((l) => (l.length > room ? `${l.slice(0, room - 1)}…` : l));
    barChart(chart, { title: `Most frequent values of ${c.name}`, xLabel: c.name, yLabel: 'rows', labels, values, tickLabels });
  } else {
    chart.appendChild(h('p', { class: 'muted' }, c.count === 0 ? 'Every value is missing.' : 'No distribution to draw.'));
  }
}

function numericSummary(c) {
  const n = c.numeric;
  const q = n.quantiles || {};
  const pairs = [['min', value(c, n.min)], ['25 %', value(c, q.p25)], ['median', value(c, q.p50)], ['75 %', value(c, q.p75)],
    ['max', value(c, n.max)]];
  if (!isTime(c)) {
    pairs.push(['mean', num(n.mean)], ['std. dev.', num(n.std)]);
  }
  pairs.push(['distinct', `${num(c.distinct)} values`], ['present', `${num(c.count)} rows`]);
  return h('dl', { class: 'kv summary' }, pairs.map(([k, v]) => [h('dt', null, k), h('dd', { class: 'num' }, v)]));
}

function categorySummary(c) {
  if (!c.top || c.top.length === 0) {
    return h('p', { class: 'muted' }, `${num(c.distinct)} distinct values`);
  }
  return h('div', null,
    table({
      columns: [
        { key: 'value', label: 'Value', render: (t) => h('span', { class: 'mono' }, t.value) },
        { key: 'count', label: 'Rows', numeric: true, render: (t) => num(t.count) },
        { key: 'fraction', label: 'Share', numeric: true, render: (t) => pct(t.fraction) },
      ],
      rows: c.top.slice(0, 8),
      rowKey: (t) => t.value,
    }),
    h('p', { class: 'muted' }, `${num(c.distinct)} distinct values`,
      c.top.length > 8 || c.other_count > 0 ? `; ${num(c.top.length > 8 ? c.count - c.top.slice(0, 8).reduce((s, t) => s + t.count, 0) : c.other_count)} rows hold other values` : ''));
}

function validations(v) {
  if (v.validations.length === 0) {
    return section('Validation reports', empty('No validation report for this version. A pipeline\'s validate stage keeps one '
      + 'when it checks new data against the version in production:', './kiln pipeline run'));
  }
  return section(`Validation reports (${v.validations.length})`, v.validations.map((r) => h('div', { class: 'validation' },
    h('h3', null, badge(r.report.status, statusKind(r.report.status)), ' ',
      h('a', { href: path`/pipelines/${r.pipeline}` }, r.pipeline), ' ',
      h('span', { class: 'muted' }, `run ${r.run_id.slice(0, 8)}, ${time(r.started_at)}`)),
    h('p', { class: 'muted' }, r.message),
    reportDetails(r.report))));
}

function pipelineRuns(v) {
  if (v.pipeline_runs.length === 0) {
    return null;
  }
  return section('Pipeline runs on this version', table({
    columns: [
      { key: 'pipeline', label: 'Pipeline', render: (r) => h('a', { href: path`/pipelines/${r.pipeline}` }, r.pipeline) },
      { key: 'status', label: 'Status', render: (r) => badge(r.status, r.status === 'succeeded' ? 'ok' : r.status === 'refused' ? 'warn' : r.status === 'running' ? 'info' : 'bad') },
      { key: 'started_at', label: 'Started', render: (r) => h('time', { datetime: r.started_at, title: time(r.started_at) }, ago(r.started_at)) },
      { key: 'outcome', label: 'Outcome' },
    ],
    rows: v.pipeline_runs,
    rowKey: (r) => r.run_id,
  }));
}

