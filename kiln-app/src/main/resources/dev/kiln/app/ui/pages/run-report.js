// The run page's sections from GET /api/runs/{id}/report: what kiln train found (leaderboard, data, confusion
// matrix, curves, slices, what drives the model) and where it went (dataset version, model versions). A section
// without data says why, with the reason the API gives in report.absent.
import { h, clear } from '../dom.js';
import * as fmt from '../fmt.js';
import { lineChart, barChart, heatmap } from '../chart.js';
import { table, empty, section, kv, badge } from '../components.js';

/** The section shown instead of the report when the run has none. */
export function noReport(err) {
  if (err && err.status === 404) {
    return section('Training report', empty('No training report: this run was not made by kiln train (a run logged '
      + 'by hand or through the API shows its parameters, metrics and tags only).', './kiln train --data data.csv --target y'));
  }
  return section('Training report', empty(`The training report could not be read: ${err ? err.message : 'unknown error'}`));
}

export function reportSections(report, run) {
  return [
    summary(report),
    lineage(report),
    leaderboard(report, run),
    search(report),
    calibration(report),
    confusion(report),
    curves(report),
    slices(report),
    drivers(report),
    business(report),
    profile(report),
  ];
}

function why(report, key, fallback) {
  return empty((report.absent && report.absent[key]) || fallback);
}

function summary(r) {
  const pairs = [
    ['Task', r.task || '—'],
    ['Target', r.target || '—'],
    ['Chosen', r.chosen || '—'],
    ['Chosen by', r.selection_metric ? `${r.selection_metric} on ${r.validation ? 'out-of-fold rows' : 'validation rows'}` : '—'],
    ['Split', r.split || '—'],
    ['Rows', r.validation
      ? `${fmt.num(r.rows, 0)} (training ${fmt.num(r.split_rows.train, 0)}, test ${fmt.num(r.split_rows.test, 0)})`
      : `${fmt.num(r.rows, 0)} (train ${fmt.num(r.split_rows.train, 0)}, validation ${fmt.num(r.split_rows.validation, 0)}, `
      + `test ${fmt.num(r.split_rows.test, 0)})`],
  ];
  if (r.validation) {
    pairs.push(['Validation', `${r.validation.description} (${fmt.num(r.validation.rows_validated, 0)} rows scored out of fold)`]);
  }
  if (r.positive_class) {
    pairs.splice(2, 0, ['Positive class', r.positive_class]);
  }
  const notes = (r.notes || []).length ? h('ul', { class: 'run-notes' }, ...r.notes.map((n) => h('li', null, n))) : null;
  return section('Training summary', kv(pairs), notes || '');
}

function lineage(r) {
  const d = r.dataset || {};
  const data = d.sha256
    ? h('p', null, 'Trained on ', h('a', { href: d.link, class: 'run-dataset-link' },
      d.stored ? `${d.stored.name} @ ${d.sha256.slice(0, 12)}` : `dataset ${d.sha256.slice(0, 12)}`),
    d.stored ? ` (stored ${fmt.time(d.stored.created_at)}, ${fmt.bytes(d.stored.total_bytes)})`
      : ' (a file never put in the dataset store)', d.source ? h('span', { class: 'muted' }, ` from ${d.source}`) : '')
    : empty('The run does not record its dataset version.');
  const versions = (r.model_versions || []).length
    ? h('ul', { class: 'run-model-versions' }, ...r.model_versions.map((v) => h('li', {},
      h('a', { href: v.link }, `${v.model} version ${v.version}`),
      ` — ${v.algorithm || ''}, registered ${fmt.time(v.created_at)}${v.created_by ? ` by ${v.created_by}` : ''}`)))
    : empty('No model version was registered from this run (kiln train --register NAME registers the chosen model).');
  return section('Dataset and model versions', data, h('h3', null, 'Model versions made from this run'), versions);
}

function leaderboard(r, run) {
  const rows = r.leaderboard || [];
  if (!rows.length) {
    return section('Leaderboard', empty('The report lists no candidates.'));
  }
  const metric = r.selection_metric;
  const testKeys = [...new Set(rows.flatMap((c) => Object.keys(c.test_metrics || {})))];
  const shown = [metric, ...testKeys.filter((k) => k !== metric)].filter(Boolean).slice(0, 4);
  return section('Leaderboard',
    h('p', { class: 'muted' }, `Chosen on validation ${metric}; every candidate measured once on the test rows.`),
    table({
      columns: [
        { key: 'algorithm', label: 'Candidate', render: (c) => h('span', {},
          c.run_id && c.run_id !== run.id ? h('a', { href: `/runs/${c.run_id}` }, c.algorithm) : c.algorithm,
          c.chosen ? h('span', null, ' ', badge('chosen', 'ok')) : '') },
        { key: 'valid', label: `validation ${metric}`, numeric: true, render: (c) => fmt.metric(metric, (c.validation_metrics || {})[metric]) },
        ...shown.map((k) => ({ key: `test_${k}`, label: `test ${k}`, numeric: true, render: (c) => fmt.metric(k, (c.test_metrics || {})[k]) })),
        { key: 'train_seconds', label: 'Train time', numeric: true, render: (c) => fmt.seconds(c.train_seconds) },
        { key: 'latency', label: 'Latency p50 / p99', numeric: true,
          render: (c) => `${fmt.num(c.latency_p50_us, 1)} / ${fmt.num(c.latency_p99_us, 1)} µs` },
        { key: 'bundle_bytes', label: 'Size', numeric: true, render: (c) => fmt.bytes(c.bundle_bytes) },
        { key: 'front', label: 'Pareto front', render: (c) => (c.pareto_front ? badge('front', 'ok') : '') },
        { key: 'violations', label: 'Breaks', render: (c) => (c.violations || []).join('; ') },
      ],
      rows,
      rowKey: (c) => c.algorithm,
    }),
    h('p', { class: 'muted' }, 'Pareto front: no other candidate is at least as good on validation metric, p99 latency '
      + 'and size and better on one. Breaks: the constraints a candidate does not meet.'));
}

function search(r) {
  const searches = (r.search || []).filter((s) => s.trials > 1 || Object.keys(s.refit_config || {}).length);
  if (!searches.length) {
    return section('Hyperparameter search', why(r, 'validation', 'No candidate was searched.'));
  }
  const chart = h('div', { class: 'run-chart run-search' });
  const metric = searches[0].metric;
  lineChart(chart, {
    title: `Trials: mean ${metric} over the folds each was scored on`, xLabel: 'trial', yLabel: metric,
    series: searches.map((s) => {
      const done = s.points.filter((p) => p.score !== null && p.score !== undefined);
      return { label: s.algorithm, x: done.map((p, i) => i + 1), y: done.map((p) => p.score) };
    }),
  });
  return section('Hyperparameter search',
    h('p', { class: 'muted' }, 'Successive halving within each candidate\'s share of the budget; each trial is a child run '
      + 'of its candidate\'s run, the best configuration refitted on every training row.'),
    table({
      columns: [
        { key: 'algorithm', label: 'Candidate' },
        { key: 'configurations', label: 'Configurations', numeric: true, render: (s) => fmt.num(s.configurations, 0) },
        { key: 'trials', label: 'Trials', numeric: true, render: (s) => fmt.num(s.trials, 0) },
        { key: 'seconds', label: 'Time / budget', numeric: true,
          render: (s) => (s.budget_seconds === null || s.budget_seconds === undefined
            ? `${fmt.seconds(s.seconds)} (no time budget)` : `${fmt.seconds(s.seconds)} / ${fmt.seconds(s.budget_seconds)}`) },
        { key: 'best', label: `Best ${metric}`, numeric: true, render: (s) => fmt.metric(s.metric, s.best_score) },
        { key: 'config', label: 'Refitted with', render: (s) => Object.entries(s.refit_config || {})
          .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt.num(v, 4) : v}`).join(', ') },
        { key: 'notes', label: 'Notes', render: (s) => (s.notes || []).join('; ') },
      ],
      rows: searches,
      rowKey: (s) => s.algorithm,
    }),
    chart);
}

function calibration(r) {
  const c = r.calibration;
  if (!c) {
    return section('Probability calibration', why(r, 'calibration', 'Not calibrated.'));
  }
  const chart = h('div', { class: 'run-chart run-calibration-before-after' });
  const curve = (bins) => (bins || []).filter((b) => b.count > 0);
  const before = curve(c.curve_before);
  const after = curve(c.curve_after);
  lineChart(chart, {
    title: `Reliability on out-of-fold rows (${c.curve_of === 'top_class' ? 'top-class probability' : 'P(positive)'})`,
    xLabel: 'mean predicted probability', yLabel: 'observed frequency',
    series: [
      { label: `before (ECE ${fmt.num(c.ece_before, 3)})`, x: before.map((b) => b.mean_predicted), y: before.map((b) => b.observed) },
      { label: `after ${c.method} (ECE ${fmt.num(c.ece_after, 3)})`, x: after.map((b) => b.mean_predicted), y: after.map((b) => b.observed) },
      { label: 'perfectly calibrated', x: [0, 1], y: [0, 1] },
    ],
  });
  return section('Probability calibration',
    kv([
      ['Method', c.applied ? c.method : 'none: the raw probabilities were best'],
      ['Rows', fmt.num(c.rows, 0)],
      ['Log loss (cross-validated)', `raw ${fmt.num(c.cv_log_loss_raw, 4)}, isotonic ${fmt.num(c.cv_log_loss_isotonic, 4)}, `
        + `Platt ${fmt.num(c.cv_log_loss_platt, 4)}`],
      ['Expected calibration error', `${fmt.num(c.ece_before, 4)} before, ${fmt.num(c.ece_after, 4)} after`],
    ]),
    chart,
    (c.notes || []).length ? h('ul', { class: 'run-notes' }, ...c.notes.map((n) => h('li', null, n))) : '');
}

function confusion(r) {
  const cm = r.confusion_matrix;
  if (!cm) {
    return section('Confusion matrix', why(r, 'confusion_matrix', 'No confusion matrix.'));
  }
  const el = h('div', { class: 'run-confusion' });
  const at = (label) => cm.labels.indexOf(label);
  heatmap(el, {
    title: `${r.chosen} on the test rows: rows are the actual class, columns the predicted one`,
    rows: cm.labels,
    cols: cm.labels,
    rowLabel: 'actual \\ predicted',
    value: (actual, predicted) => cm.counts[at(actual)][at(predicted)],
    format: (v) => fmt.num(v, 0),
    max: Math.max(...cm.counts.flat()),
  });
  return section('Confusion matrix', el);
}

function curves(r) {
  const c = r.curves;
  if (!c) {
    return section('ROC and precision-recall', why(r, 'curves', 'No curves.'));
  }
  const roc = h('div', { class: 'run-chart run-roc' });
  const pr = h('div', { class: 'run-chart run-pr' });
  const cal = h('div', { class: 'run-chart run-calibration' });
  lineChart(roc, {
    title: 'ROC curve (test rows)', xLabel: 'false positive rate', yLabel: 'true positive rate',
    series: [
      { label: `${r.chosen} (AUC ${fmt.num(c.roc.auc, 3)})`, x: distinct(c.roc.fpr), y: c.roc.tpr },
      { label: 'chance (AUC 0.5)', x: [0, 1], y: [0, 1] },
    ],
  });
  const base = c.positives / c.rows;
  lineChart(pr, {
    title: 'Precision-recall curve (test rows)', xLabel: 'recall', yLabel: 'precision',
    series: [
      { label: `${r.chosen} (AP ${fmt.num(c.pr.average_precision, 3)})`, x: distinct(c.pr.recall), y: c.pr.precision },
      { label: `no skill (${fmt.num(base, 3)})`, x: [0, 1], y: [base, base] },
    ],
  });
  const bins = c.calibration || [];
  lineChart(cal, {
    title: 'Calibration (test rows)', xLabel: 'mean predicted probability', yLabel: 'observed positive rate',
    series: [
      { label: r.chosen, x: bins.map((b) => b.mean_predicted), y: bins.map((b) => b.observed_rate) },
      { label: 'perfectly calibrated', x: [0, 1], y: [0, 1] },
    ],
  });
  const calTable = table({
    columns: [
      { key: 'bin', label: 'Predicted', render: (b) => `${fmt.num(b.lower, 1)}–${fmt.num(b.upper, 1)}` },
      { key: 'rows', label: 'Rows', numeric: true, render: (b) => fmt.num(b.rows, 0) },
      { key: 'mean_predicted', label: 'Mean predicted', numeric: true, render: (b) => fmt.num(b.mean_predicted, 3) },
      { key: 'observed_rate', label: 'Observed (95% interval)', numeric: true,
        render: (b) => `${fmt.num(b.observed_rate, 3)} ${interval(b.observed_interval)}` },
    ],
    rows: bins,
    rowKey: (b) => String(b.lower),
  });
  return section('ROC and precision-recall',
    h('p', { class: 'muted' }, `${r.chosen} on ${fmt.num(c.rows, 0)} test rows, ${fmt.num(c.positives, 0)} positive `
      + `(${r.positive_class || 'positive class'}).`),
    h('div', { class: 'run-chart-row' }, roc, pr),
    h('h3', null, 'Calibration'), cal, calTable);
}

/**
 * The x values made distinct by a hair, in order: a curve's vertical steps share an x, and the chart keeps one y per x,
 * which would cut the corners of the staircase.
 */
function distinct(xs) {
  let last = -Infinity;
  return xs.map((x) => {
    const v = x <= last ? last + 1e-9 : x;
    last = v;
    return v;
  });
}

function interval(iv) {
  if (!iv || iv.length !== 2 || iv[0] == null || iv[1] == null) {
    return '';
  }
  return `[${fmt.num(iv[0], 3)}, ${fmt.num(iv[1], 3)}]`;
}

function withInterval(value, iv) {
  return h('span', null, fmt.num(value, 3), iv ? h('span', { class: 'muted run-interval' }, ` ${interval(iv)}`) : '');
}

function slices(r) {
  if (!r.slices) {
    return section('Slices and fairness gaps', why(r, 'slices', 'No slices.'));
  }
  const parts = [h('p', { class: 'muted' }, 'The chosen model on the test rows of each group, with 95% intervals: '
    + 'Wilson for a group\'s rates, bootstrap for the gaps. A wide interval means the group is too small to say much.')];
  for (const s of r.slices) {
    const metricKeys = [...new Set(s.groups.flatMap((g) => Object.keys(g.metrics || {})))];
    parts.push(h('h3', null, `${s.column}`, h('span', { class: 'muted' }, ` (${s.grouping || 'groups'})`)));
    parts.push(table({
      columns: [
        { key: 'value', label: s.column },
        { key: 'rows', label: 'Rows', numeric: true, render: (g) => fmt.num(g.rows, 0) },
        ...metricKeys.map((k) => ({ key: k, label: k, numeric: true,
          render: (g) => withInterval(g.metrics[k], (g.intervals || {})[k]) })),
      ],
      rows: s.groups,
      rowKey: (g) => g.value,
    }));
    const gaps = Object.keys(s.gaps || {});
    if (gaps.length) {
      parts.push(table({
        columns: [
          { key: 'gap', label: 'Fairness gap' },
          { key: 'value', label: 'Value (95% interval)', numeric: true,
            render: (g) => withInterval(g.value, (s.gap_intervals || {})[g.gap]) },
        ],
        rows: gaps.map((g) => ({ gap: g, value: s.gaps[g] })),
        rowKey: (g) => g.gap,
      }));
    } else {
      parts.push(empty('No gaps: fewer than two groups of 10 or more rows, or not a binary task.'));
    }
    const notes = [...(s.notes || [])];
    if (s.groups.length && s.groups.every((g) => !g.intervals || !Object.keys(g.intervals).length) && metricKeys.includes('accuracy')) {
      notes.push('This report was written before Kiln recorded the groups\' intervals: train again to see them.');
    }
    if (notes.length) {
      parts.push(h('ul', { class: 'run-notes' }, ...notes.map((n) => h('li', null, n))));
    }
  }
  return section('Slices and fairness gaps', ...parts);
}

function drivers(r) {
  const fi = r.feature_importance;
  if (!fi || !fi.columns.length) {
    return section('What drives the model', why(r, 'feature_importance', 'No feature importance.'));
  }
  const top = fi.columns.slice(0, 15);
  const el = h('div', { class: 'run-chart run-importance' });
  barChart(el, {
    title: `Mean |contribution| per input column (${fi.space || 'margin'} space, ${fmt.num(fi.rows, 0)} validation rows)`,
    xLabel: 'input column', yLabel: 'mean |contribution|',
    labels: top.map((c) => c.column),
    values: top.map((c) => c.importance),
  });
  return section('What drives the model', el,
    fi.columns.length > top.length ? h('p', { class: 'muted' }, `The ${top.length} largest of ${fi.columns.length} columns.`) : '');
}

function business(r) {
  const b = r.business;
  if (!b) {
    return section('Business cost', why(r, 'business', 'No cost view.'));
  }
  return section('Business cost', kv([
    ['Costs', `false positive ${fmt.num(b.false_positive_cost)}, false negative ${fmt.num(b.false_negative_cost)}`],
    ['Decision threshold', fmt.num(b.threshold, 3)],
    ['Expected cost per 1,000 test rows', fmt.num(b.cost_per_1000, 1)],
    ['… at threshold 0.5', fmt.num(b.cost_per_1000_at_half, 1)],
    ['Baseline (threshold ' + fmt.num(b.baseline_threshold, 3) + ')', fmt.num(b.baseline_cost_per_1000, 1)],
  ]));
}

function profile(r) {
  const p = r.profile;
  if (!p) {
    return section('Data profile', why(r, 'profile', 'No data profile.'));
  }
  const chart = h('div', { class: 'run-chart run-profile-chart' });
  const names = p.columns.map((c) => c.name);
  const picker = h('select', { id: 'run-profile-picker', 'aria-label': 'Column to chart',
    onchange: () => drawColumn(p.columns[picker.selectedIndex], chart) },
  ...names.map((n, i) => h('option', { value: String(i) }, n)));
  drawColumn(p.columns[0], chart);
  return section('Data profile',
    h('p', { class: 'muted' }, `${fmt.num(p.rows, 0)} rows, ${p.columns.length} columns, all rows of the data (before the split).`),
    table({
      columns: [
        { key: 'name', label: 'Column' },
        { key: 'type', label: 'Type' },
        { key: 'missing_rate', label: 'Missing', numeric: true, render: (c) => fmt.pct(c.missing_rate) },
        { key: 'distinct', label: 'Distinct', numeric: true, render: (c) => fmt.num(c.distinct, 0) },
        { key: 'summary', label: 'Range / top value', render: (c) => c.histogram || c.min != null
          ? `${fmt.num(c.min)} … ${fmt.num(c.max)} (mean ${fmt.num(c.mean)})`
          : (c.top_categories[0] ? `${c.top_categories[0].value} (${fmt.pct(c.top_categories[0].fraction)})` : '—') },
      ],
      rows: p.columns,
      rowKey: (c) => c.name,
    }),
    h('p', { class: 'run-metric-pick' }, h('label', { for: 'run-profile-picker' }, 'Chart the distribution of '), picker),
    chart);
}

function drawColumn(c, el) {
  clear(el);
  if (!c) {
    return;
  }
  if (c.histogram && c.histogram.counts.length) {
    const e = c.histogram.edges;
    barChart(el, {
      title: `${c.name}: histogram (${c.type})`, xLabel: c.name, yLabel: 'rows',
      labels: c.histogram.counts.map((_, i) => `${fmt.num(e[i])}–${fmt.num(e[i + 1])}`),
      values: c.histogram.counts,
    });
  } else if (c.top_categories.length) {
    barChart(el, {
      title: `${c.name}: most frequent values (${c.type})`, xLabel: c.name, yLabel: 'rows',
      labels: c.top_categories.map((t) => t.value),
      values: c.top_categories.map((t) => t.count),
    });
  } else {
    el.append(empty(`${c.name} has no histogram or values to show (${fmt.pct(c.missing_rate)} missing).`));
  }
}
