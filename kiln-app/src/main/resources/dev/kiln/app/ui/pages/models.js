// /models: every registered model with its description, latest version, aliases, tags and when it last changed.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { table, empty, badge } from '../components.js';
import { time, ago } from '../fmt.js';

export async function render(main, route) {
  route.title('Models');
  const models = await api.get('/api/models');
  mount(main,
    h('h1', null, 'Models'),
    models.length === 0
      ? empty('No models yet: train and register one with', './kiln quickstart')
      : h('section', { class: 'card' }, table({
        columns: [
          { key: 'name', label: 'Model', render: (m) => h('a', { href: path`/models/${m.name}`, class: 'model-name' }, m.name) },
          { key: 'description', label: 'Description', render: (m) => (m.description ? m.description : h('span', { class: 'muted' }, 'no description')) },
          { key: 'latest_version', label: 'Latest version', numeric: true, render: (m) => (m.latest_version ? `v${m.latest_version}` : '—') },
          { key: 'aliases', label: 'Aliases', render: aliasBadges },
          { key: 'tags', label: 'Tags', render: tagBadges },
          { key: 'updated_at', label: 'Updated', render: (m) => h('time', { datetime: m.updated_at, title: time(m.updated_at) }, ago(m.updated_at)) },
        ],
        rows: models,
        rowKey: (m) => m.name,
      })));
}

/** alias → vN badges, production first. */
export function aliasBadges(m) {
  const entries = Object.entries(m.aliases || {}).sort(([a], [b]) => (a === 'production' ? -1 : b === 'production' ? 1 : a.localeCompare(b)));
  return entries.length === 0 ? h('span', { class: 'muted' }, 'none')
    : entries.map(([a, v]) => badge(`${a} → v${v}`, a === 'production' ? 'ok' : 'muted'));
}

export function tagBadges(m) {
  const entries = Object.entries(m.tags || {});
  return entries.length === 0 ? h('span', { class: 'muted' }, 'none') : entries.map(([k, v]) => badge(`${k}=${v}`, 'info'));
}
