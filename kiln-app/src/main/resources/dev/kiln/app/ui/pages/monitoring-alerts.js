// The alerts of the monitoring page: each with its evidence (rule, metric, value against threshold, window) and, for
// editors, a Resolve button that asks for a reason (POST /api/alerts/{id}/resolve). Everything shown as text.
import { h, mount, path } from '../dom.js';
import { api, can } from '../api.js';
import { badge, errorBox, kv } from '../components.js';
import { num, time, ago } from '../fmt.js';

/** Fills `box` with the alerts of model `name`. */
export function renderAlerts(box, name, alerts) {
  if (alerts.length === 0) {
    mount(box, h('p', { class: 'muted' }, 'No alerts for this model. kiln serve --monitor-rules FILE (or kiln monitor check) opens them when a rule fires.'));
    return;
  }
  const editor = can('editor');
  mount(box, h('div', { class: 'mon-alert-list' }, alerts.map((a) => alertCard(box, name, a, editor))));
}

function alertCard(box, name, a, editor) {
  const holder = h('div', { class: 'mon-resolve' });
  const open = a.status === 'open';
  if (open && editor) {
    holder.appendChild(h('button', { type: 'button', class: 'primary', onclick: () => resolveForm(holder, box, name, a) }, 'Resolve'));
  }
  const e = a.evidence || {};
  return h('article', { class: ['mon-alert', open ? 'open' : 'closed'], 'data-alert': String(a.id) },
    h('div', { class: 'row' },
      badge(a.severity, a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info'),
      badge(a.status, open ? 'bad' : 'ok'),
      h('strong', { class: 'mon-rule' }, a.rule),
      h('span', { class: 'muted' }, a.kind),
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted', title: time(a.last_seen_at) }, `last seen ${ago(a.last_seen_at)} · ${num(a.times_seen)}×`)),
    h('p', { class: 'mon-message' }, a.message),
    kv(headline(a, e)),
    h('details', null, h('summary', null, 'All evidence'), evidenceList(e)),
    open ? null : h('p', { class: 'muted mon-resolved' }, `Resolved ${time(a.resolved_at)}`,
      a.resolved_by ? [` by ${a.resolved_by}`, a.resolve_reason ? ': ' : '', a.resolve_reason ? h('q', null, a.resolve_reason) : null]
        : ' by the monitor (its rule cleared)'),
    holder);
}

/** Rule, metric, value against threshold, window: what the evidence of each kind of rule says. */
function headline(a, e) {
  const pairs = [['Rule', `${a.rule} (${a.kind})`]];
  let metric = e.metric || a.kind;
  let value = e.current ?? e.rate ?? e.p99_ms ?? e.psi ?? e.estimated;
  if (Array.isArray(e.features) && e.features.length > 0) {
    const worst = [...e.features].sort((x, y) => (y.psi ?? 0) - (x.psi ?? 0))[0];
    metric = `PSI of ${worst.name}`;
    value = worst.psi;
  }
  pairs.push(['Metric', metric]);
  const threshold = e.threshold ?? e.threshold_ms;
  if (typeof e.drop === 'number') {
    // A drop rule's threshold bounds the drop, not the metric: show both, each against what it is compared with.
    pairs.push(['Drop vs threshold', `${num(e.drop)} vs ${num(threshold)}`]);
    pairs.push([e.estimated !== undefined ? 'Estimated vs trained' : 'Now vs trained', `${num(value)} vs ${num(e.trained)}`]);
  } else {
    pairs.push(['Value vs threshold', `${num(value)} vs ${num(threshold)}`]);
  }
  if (e.window && (e.window.from || e.window.to)) {
    pairs.push(['Window', `${time(e.window.from)} to ${time(e.window.to)}`]);
  }
  pairs.push(['First seen', time(a.first_seen_at)]);
  if (a.version !== null && a.version !== undefined) {
    pairs.push(['Version', `v${a.version}`]);
  }
  return pairs;
}

function evidenceValue(v) {
  if (v === null || v === undefined) {
    return '—';
  }
  if (typeof v === 'number') {
    return num(v);
  }
  if (Array.isArray(v)) {
    return h('ul', { class: 'plain' }, v.map((x) => h('li', null, evidenceValue(x))));
  }
  if (typeof v === 'object') {
    return Object.entries(v).map(([k, x]) => `${k} ${typeof x === 'number' ? num(x) : JSON.stringify(x)}`).join(' · ');
  }
  return String(v);
}

function evidenceList(e) {
  return kv(Object.entries(e).map(([k, v]) => [k, evidenceValue(v)]));
}

function resolveForm(holder, box, name, a) {
  const input = h('input', { type: 'text', id: `reason-${a.id}`, name: 'reason', placeholder: 'why it is resolved', class: 'mon-reason' });
  const problem = h('div');
  const form = h('form', {
    class: 'row', onsubmit: async (ev) => {
      ev.preventDefault();
      const reason = input.value.trim();
      if (!reason) {
        input.classList.add('invalid');
        mount(problem, h('p', { class: 'field-error' }, 'Say why the alert is resolved.'));
        return;
      }
      try {
        await api.post(path`/api/alerts/${a.id}/resolve`, { reason });
        const fresh = await api.get(path`/api/models/${name}/alerts`, { limit: 50 });
        renderAlerts(box, name, fresh.alerts);
      } catch (err) {
        mount(problem, errorBox(err));
      }
    },
  },
  h('label', { for: `reason-${a.id}` }, 'Reason'), input,
  h('button', { type: 'submit', class: 'primary' }, 'Resolve alert'),
  h('button', { type: 'button', onclick: () => mount(holder, h('button', { type: 'button', class: 'primary', onclick: () => resolveForm(holder, box, name, a) }, 'Resolve')) }, 'Cancel'));
  mount(holder, form, problem);
  input.focus();
}
