// The model page's model card (GET .../versions/{v}/card, the data `kiln models card` prints as Markdown) and the
// version's lineage (dataset -> run -> version -> aliases).
import { h, mount, path } from '../dom.js';
import { table, kv, badge } from '../components.js';
import { time, num } from '../fmt.js';
import { barChart } from '../chart.js';

const SLICE_NAMES = { positive_rate: (p) => `actual '${p}'`, predicted_positive_rate: (p) => `predicted '${p}'` };

export function renderCard(el, c) {
  const positive = c.positive_class || 'positive';
  const drivers = h('div', { class: 'card-drivers' });
  mount(el,
    h('h3', null, `Model card: ${c.model} version ${c.version}`),
    kv([
      ['aliases', c.aliases.length ? c.aliases.map((a) => badge(a, a === 'production' ? 'ok' : 'muted')) : 'none'],
      ['algorithm', c.algorithm],
      ['task', c.task],
      ['target', h('code', null, c.target)],
      ['classes', c.classes ? c.classes.join(', ') : '—'],
      ['positive class', c.positive_class ? [h('code', null, c.positive_class), `, decision threshold ${num(c.decision_threshold, 3)}`] : '—'],
    ]),
    h('h4', null, 'Intended use'),
    h('p', { class: 'intended-use' }, c.intended_use),
    h('h4', null, 'Data'),
    kv([
      ['dataset', c.dataset.source ? h('code', null, c.dataset.source) : '—'],
      ['version (SHA-256)', h('code', { class: 'sha' }, c.dataset.sha256 || '—')],
      ['rows', c.dataset.rows === null ? '—' : `${num(c.dataset.rows)} (train ${num(c.dataset.train_rows)}, validation ${num(c.dataset.validation_rows)}, test ${num(c.dataset.test_rows)}; split ${c.dataset.split})`],
    ]),
    c.columns.length ? table({
      caption: 'Input columns (reference profile)',
      columns: [
        { key: 'name', label: 'Column' },
        { key: 'type', label: 'Type' },
        { key: 'missing', label: 'Missing', numeric: true, render: (x) => num(x.missing) },
        { key: 'distinct', label: 'Distinct', numeric: true, render: (x) => num(x.distinct) },
        { key: 'range', label: 'Range / top values', render: (x) => (x.numeric ? `${num(x.min, 2)} .. ${num(x.max, 2)}` : x.top_values.join(', ')) },
      ],
      rows: c.columns,
      rowKey: (x) => x.name,
    }) : null,
    h('h4', null, 'Metrics (test rows) against the baseline'),
    table({
      columns: [
        { key: 'name', label: 'Metric' },
        { key: 'value', label: 'Model', numeric: true, render: (m) => num(m.value, 4) },
        { key: 'baseline', label: 'Baseline', numeric: true, render: (m) => num(m.baseline, 4) },
      ],
      rows: c.metrics,
      rowKey: (m) => m.name,
      empty: 'no test metrics recorded',
    }),
    c.selection_metric ? h('p', { class: 'muted' }, `Chosen on validation ${c.selection_metric}; the test rows were used once, for this report.`) : null,
    c.slices.length ? [h('h4', null, 'Slices and fairness (test rows)'), c.slices.map((s) => slice(s, positive))] : null,
    c.drivers ? [h('h4', null, 'What drives the model'),
      h('p', { class: 'muted' }, `Mean absolute contribution to the ${String(c.drivers.space).replace('_', '-')} over ${num(c.drivers.rows)} validation rows.`),
      drivers] : null,
    h('h4', null, 'Parameters'),
    kv(Object.entries(c.parameters).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])),
    h('h4', null, 'Provenance'),
    kv([
      ['bundle SHA-256', h('code', { class: 'sha' }, c.provenance.bundle_sha256)],
      ['training run', c.provenance.run ? [h('a', { href: path`/runs/${c.provenance.run.id}` }, c.provenance.run.id),
        c.provenance.run.experiment ? ` (experiment ${c.provenance.run.experiment}, ${c.provenance.run.status}, started ${time(c.provenance.run.started_at)})` : ''] : '—'],
      ['seed', c.provenance.seed === null ? '—' : String(c.provenance.seed)],
      ['Kiln', `${c.provenance.kiln_version || '—'}${c.provenance.git_commit ? ` (commit ${c.provenance.git_commit})` : ''}`],
      ['created', c.provenance.created_at ? time(c.provenance.created_at) : '—'],
      ['registered', `by ${c.provenance.registered_by} at ${time(c.provenance.registered_at)}`],
    ]));
  if (c.drivers) {
    const top = c.drivers.columns.slice(0, 15);
    barChart(drivers, { title: 'Mean absolute contribution', xLabel: 'input column', yLabel: 'contribution', labels: top.map((d) => d.name), values: top.map((d) => d.value) });
  }
}

function slice(s, positive) {
  const groups = s.groups || [];
  const metrics = groups.length ? Object.keys(groups[0].metrics || {}) : [];
  const gaps = Object.entries(s.gaps || {});
  return h('div', { class: 'slice' },
    h('h5', null, 'By ', h('code', null, String(s.column)), ` (${s.grouping})`),
    table({
      columns: [
        { key: 'value', label: 'Group', render: (g) => String(g.value) },
        { key: 'rows', label: 'Rows', numeric: true, render: (g) => num(g.rows) },
        ...metrics.map((m) => ({ key: m, label: SLICE_NAMES[m] ? SLICE_NAMES[m](positive) : m, numeric: true, render: (g) => num(g.metrics[m], 3) })),
      ],
      rows: groups,
      rowKey: (g) => String(g.value),
    }),
    gaps.length ? h('p', null, 'Gaps [95% interval]: ', gaps.map(([k, v], i) => {
      const iv = (s.gapIntervals || {})[k];
      return `${i ? ', ' : ''}${k} ${num(v, 3)}${iv && iv.length === 2 ? ` [${num(iv[0], 3)}, ${num(iv[1], 3)}]` : ''}`;
    })) : null,
    (s.notes || []).map((n) => h('p', { class: 'muted' }, `Note: ${n}.`)));
}

/** dataset -> run -> version -> aliases, as a left-to-right chain (top to bottom on a phone). */
/** How a registered kiln serve serves this version of this model: main, canary, shadow or bandit arm; null when it does not. */
function servingRole(deployment, model, version) {
  const same = (x) => x !== null && x !== undefined && String(x) === String(version);
  for (const m of (deployment.status && deployment.status.models) || []) {
    if (m.name !== model) {
      continue;
    }
    if (same(m.version)) {
      return m.alias ? `follows ${m.alias}` : 'serves it';
    }
    if (m.canary && same(m.canary.version)) {
      return `canary ${num(m.canary.percent, 1)} %`;
    }
    if (m.shadow && same(m.shadow.version)) {
      return 'shadow';
    }
    if ((m.versions || []).some((v) => same(v.version))) {
      return 'bandit arm';
    }
  }
  return null;
}

export function renderLineage(el, l, deployments = []) {
  const step = (title, ...body) => h('li', { class: 'lineage-step' }, h('div', { class: 'lineage-title' }, title), ...body);
  mount(el, h('ol', { class: 'lineage' },
    step('Dataset', h('div', null, l.dataset.source ? h('code', null, l.dataset.source) : 'source not recorded'),
      h('div', { class: 'muted' }, h('code', { class: 'sha', title: l.dataset.sha256 || '' }, (l.dataset.sha256 || '—').slice(0, 12)),
        l.dataset.rows === null ? '' : ` · ${num(l.dataset.rows)} rows`)),
    step('Run', l.run ? [h('a', { href: path`/runs/${l.run.id}` }, l.run.experiment || l.run.id),
      h('div', { class: 'muted' }, `${l.run.status || ''} · ${time(l.run.started_at)}`)] : h('span', { class: 'muted' }, 'no source run recorded')),
    step('Version', h('strong', null, `v${l.version.version}`), h('div', { class: 'muted' }, `${l.version.algorithm || ''} · by ${l.version.created_by}`)),
    step('Aliases', l.aliases.length === 0 ? h('span', { class: 'muted' }, 'none') : l.aliases.map((a) => h('div', null,
      badge(a.alias, a.alias === 'production' ? 'ok' : 'muted'), a.since ? h('span', { class: 'muted' }, ` since ${time(a.since)} by ${a.by}`) : null))),
    step('Predictions', servedBy(l, deployments))));
}

/** The registered kiln serves that answer with this version now, where their predictions are logged, and the monitoring page. */
function servedBy(l, deployments) {
  const model = l.version.model;
  const serving = deployments.map((d) => [d, servingRole(d, model, l.version.version)]).filter(([, role]) => role !== null);
  const monitoring = h('div', null, h('a', { href: path`/models/${model}/monitoring` }, 'Monitoring →'));
  if (serving.length === 0) {
    return [h('span', { class: 'muted' }, 'no registered kiln serve answers with this version now'), monitoring];
  }
  return [serving.map(([d, role]) => h('div', null, h('a', { href: '/deployments' }, d.url), ' ',
    badge(d.state, d.state === 'live' ? 'ok' : d.state === 'lost' ? 'bad' : 'warn'), h('span', { class: 'muted' }, ` ${role}`),
    d.log_dir ? h('div', { class: 'muted' }, 'logged to ', h('code', null, d.log_dir)) : h('div', { class: 'muted' }, 'not logging predictions'))),
  monitoring];
}
