// A validation report (kiln data validate's, kept by the pipeline's validate stage): status, row counts, and every
// column with issues, with examples. Shared by the dataset version page and the pipelines page.
import { h } from '../dom.js';
import { badge, table } from '../components.js';
import { num, pct } from '../fmt.js';

export function statusKind(status) {
  return status === 'pass' ? 'ok' : status === 'warn' ? 'warn' : status === 'fail' ? 'bad' : 'muted';
}

/** One line: "warn · 995 clean, 5 with warnings, 0 failing of 1,000 rows". */
export function reportSummary(report) {
  const s = report.summary || {};
  return h('span', { class: 'report-summary' }, badge(report.status, statusKind(report.status)), ' ',
    `${num(s.rows_clean)} clean, ${num(s.rows_with_warnings)} with warnings, ${num(s.rows_failing)} failing of ${num(report.rows)} rows`);
}

/** The report in full: missing and extra columns, then the columns with issues (all columns when none has one). */
export function reportDetails(report) {
  const columns = report.columns || [];
  const withIssues = columns.filter((c) => c.status !== 'pass' || !c.present);
  const examples = (i) => (i.examples || []).map((e) => `row ${e.row}: ${e.value === null ? '(missing)' : `'${e.value}'`}`).join(', ');
  return h('div', { class: 'report' },
    h('p', null, reportSummary(report)),
    report.missing_columns && report.missing_columns.length > 0
      ? h('p', null, h('strong', null, 'Missing columns: '), report.missing_columns.join(', ')) : null,
    report.extra_columns && report.extra_columns.length > 0
      ? h('p', { class: 'muted' }, 'Not read by the model: ', report.extra_columns.join(', ')) : null,
    withIssues.length === 0
      ? h('p', { class: 'muted' }, `All ${columns.length} columns the model reads pass.`)
      : table({
        caption: `Columns with issues (${withIssues.length} of ${columns.length})`,
        columns: [
          { key: 'name', label: 'Column', render: (c) => h('span', { class: 'mono' }, c.name) },
          { key: 'status', label: 'Status', render: (c) => badge(c.present ? c.status : 'missing', statusKind(c.present ? c.status : 'fail')) },
          { key: 'missing_rate', label: 'Missing', numeric: true, render: (c) => pct(c.missing_rate) },
          { key: 'training_missing_rate', label: 'In training', numeric: true, render: (c) => pct(c.training_missing_rate) },
          { key: 'issues', label: 'Issues', render: (c) => (c.issues || []).map((i) => h('div', null,
            h('strong', null, i.kind.replace(/_/g, ' ')), `: ${i.message}`,
            i.examples && i.examples.length > 0 ? h('div', { class: 'muted' }, `e.g. ${examples(i)}`) : null)) },
        ],
        rows: withIssues,
        rowKey: (c) => c.name,
      }));
}
