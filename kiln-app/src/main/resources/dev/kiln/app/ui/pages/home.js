// The start page: what happened lately, at a glance, with a way into each part.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { table, empty, section, badge, errorBox } from '../components.js';
import { time, ago } from '../fmt.js';

export async function render(main, route) {
  route.title('Kiln');
  const [runs, models, alerts, deployments, pipelines] = await Promise.all([
    api.get('/api/runs', { limit: 8 }),
    api.get('/api/models'),
    api.get('/api/alerts', { open: true, limit: 10 }),
    api.get('/api/deployments'),
    api.get('/api/pipelines'),
  ]);
  const stateKind = (s) => (s === 'live' ? 'ok' : s === 'lost' ? 'bad' : 'warn');
  const outcomeKind = (s) => (s === 'succeeded' ? 'ok' : s === 'running' ? 'info' : s === 'refused' ? 'warn' : 'bad');
  mount(main,
    h('h1', null, 'Kiln'),
    h('div', { class: 'grid two' },
      section('Latest runs', runs.length === 0
        ? empty('No runs yet. Train a first model:', './kiln quickstart')
        : table({
          columns: [
            { key: 'name', label: 'Run', render: (r) => h('a', { href: path`/runs/${r.id}` }, r.name || r.id) },
            { key: 'experiment', label: 'Experiment' },
            { key: 'status', label: 'Status', render: (r) => badge(r.status, r.status === 'finished' ? 'ok' : r.status === 'running' ? 'info' : 'bad') },
            { key: 'started_at', label: 'Started', render: (r) => h('time', { datetime: r.started_at, title: time(r.started_at) }, ago(r.started_at)) },
          ],
          rows: runs,
          rowKey: (r) => r.id,
        }), h('p', null, h('a', { href: '/runs' }, 'All runs →'))),
      section('Models', models.length === 0
        ? empty('No registered models yet:', './kiln quickstart')
        : table({
          columns: [
            { key: 'name', label: 'Model', render: (m) => h('a', { href: path`/models/${m.name}` }, m.name) },
            { key: 'latest_version', label: 'Latest', numeric: true },
            { key: 'aliases', label: 'Aliases', render: (m) => Object.entries(m.aliases || {}).map(([a, v]) => badge(`${a} → v${v}`, 'muted')) },
          ],
          rows: models,
          rowKey: (m) => m.name,
        }), h('p', null, h('a', { href: '/models' }, 'All models →')))),
    h('div', { class: 'grid two' },
      section('Serving now', deployments.deployments.length === 0
        ? empty('Nothing serving:', './kiln serve --model credit=credit')
        : table({
          columns: [
            { key: 'url', label: 'Server', render: (d) => h('a', { href: '/deployments' }, d.url) },
            { key: 'state', label: 'State', render: (d) => badge(d.state, stateKind(d.state)) },
            { key: 'models', label: 'Models', render: (d) => ((d.status && d.status.models) || []).map((m) => badge(`${m.name} v${m.version}`, 'muted')) },
            { key: 'heartbeat_at', label: 'Heartbeat', render: (d) => h('time', { datetime: d.heartbeat_at, title: time(d.heartbeat_at) }, ago(d.heartbeat_at)) },
          ],
          rows: deployments.deployments,
          rowKey: (d) => d.id,
        })),
      section('Pipelines', pipelines.pipelines.length === 0
        ? empty('No pipeline runs yet:', './kiln pipeline init --data data.csv --target class && ./kiln pipeline run')
        : table({
          columns: [
            { key: 'name', label: 'Pipeline', render: (p) => h('a', { href: path`/pipelines/${p.name}` }, p.name) },
            { key: 'runs', label: 'Runs', numeric: true },
            { key: 'outcome', label: 'Last run', render: (p) => badge(p.last_run.status, outcomeKind(p.last_run.status)) },
            { key: 'started_at', label: 'Started', render: (p) => h('time', { datetime: p.last_run.started_at, title: time(p.last_run.started_at) }, ago(p.last_run.started_at)) },
          ],
          rows: pipelines.pipelines,
          rowKey: (p) => p.name,
        }))),
    section('Open alerts', alerts.alerts.length === 0
      ? h('p', { class: 'muted' }, 'No open alerts.')
      : table({
        columns: [
          { key: 'severity', label: 'Severity', render: (a) => badge(a.severity, a.severity === 'critical' ? 'bad' : 'warn') },
          { key: 'model', label: 'Model', render: (a) => h('a', { href: path`/models/${a.model}/monitoring` }, a.model) },
          { key: 'rule', label: 'Rule' },
          { key: 'message', label: 'What' },
          { key: 'last_seen_at', label: 'Last seen', render: (a) => h('time', { datetime: a.last_seen_at, title: time(a.last_seen_at) }, ago(a.last_seen_at)) },
        ],
        rows: alerts.alerts,
        rowKey: (a) => String(a.id),
      })));
}
