// /data: the stored datasets and the versions of one (?dataset=NAME); ?sha256=SHA selects the version with that content
// (the run page links here with a run's kiln.dataset_sha256).
import { h, mount, path } from '../dom.js';
import { api, ApiError } from '../api.js';
import { table, empty, section, badge, errorBox } from '../components.js';
import { bytes, time, ago } from '../fmt.js';

// kiln data ingest takes the name first, then the data (a file, glob, directory or jdbc: URL).
export const INGEST = './kiln data ingest credit data.csv';

function when(t) {
  return h('time', { datetime: t, title: time(t) }, ago(t));
}

function short(version) {
  return h('span', { class: 'mono nowrap', title: version }, version.slice(0, 12));
}

export async function render(main, route) {
  route.title('Data');
  const sha = (route.query.get('sha256') || '').trim().toLowerCase();
  const [list, found] = await Promise.all([
    api.get('/api/datasets'),
    sha ? api.get('/api/datasets', { sha256: sha }).catch((e) => e) : Promise.resolve(null),
  ]);
  const datasets = list.datasets;
  if (datasets.length === 0) {
    mount(main, h('h1', null, 'Data'), empty('No datasets yet. Store a version of your data:', INGEST));
    return;
  }
  const match = found && !(found instanceof Error) ? found.match : null;
  const chosen = match ? match.name : route.query.get('dataset') || datasets[0].name;

  const versionsCard = h('div', null);
  const showVersions = async (name) => {
    mount(versionsCard, section(`Versions of ${name}`, h('p', { class: 'loading' }, 'Loading…')));
    try {
      const v = await api.get(path`/api/datasets/${name}/versions`);
      mount(versionsCard, section(`Versions of ${name}`, table({
        columns: [
          { key: 'version', label: 'Version', render: (d) => h('a', { href: path`/data/${d.name}/${d.version}` }, short(d.version)) },
          { key: 'bytes', label: 'Size', numeric: true, render: (d) => bytes(d.bytes) },
          { key: 'files', label: 'Files', numeric: true, render: (d) => String(d.files.length) },
          { key: 'source', label: 'Source', render: (d) => h('span', { class: 'mono source' }, d.source || '—') },
          { key: 'created_at', label: 'Stored', render: (d) => when(d.created_at) },
          { key: 'created_by', label: 'By' },
        ],
        rows: v.versions,
        rowKey: (d) => d.version,
        rowClass: (d) => (d.version === sha ? 'selected' : null),
      })));
    } catch (e) {
      mount(versionsCard, errorBox(e));
    }
  };

  mount(main,
    h('h1', null, 'Data'),
    sha ? selection(sha, found) : null,
    section('Datasets', table({
      columns: [
        { key: 'name', label: 'Dataset', render: (d) => h('a', { href: `/data?dataset=${encodeURIComponent(d.name)}`, onclick: (e) => {
          e.preventDefault();
          route.setQuery({ dataset: d.name, sha256: null });
          showVersions(d.name);
        } }, d.name) },
        { key: 'versions', label: 'Versions', numeric: true },
        { key: 'latest', label: 'Latest', render: (d) => h('a', { href: path`/data/${d.name}/${d.latest.version}` }, short(d.latest.version)) },
        { key: 'bytes', label: 'Size', numeric: true, render: (d) => bytes(d.latest.bytes) },
        { key: 'source', label: 'Source', render: (d) => h('span', { class: 'mono source' }, d.latest.source || '—') },
        { key: 'created_at', label: 'Stored', render: (d) => when(d.latest.created_at) },
      ],
      rows: datasets,
      rowKey: (d) => d.name,
    })),
    versionsCard);
  await showVersions(chosen);
}

/** The version a ?sha256= link asked for, or why there is none. */
function selection(sha, found) {
  if (found instanceof ApiError && found.status === 404) {
    return h('div', { class: 'error', role: 'alert' }, 'No stored dataset has the content ', h('span', { class: 'mono' }, sha),
      '. Data a model was trained on is stored when it goes through ', h('code', null, './kiln data ingest'), ' or a pipeline.');
  }
  if (found instanceof Error) {
    return errorBox(found);
  }
  const m = found.match;
  return h('div', { class: 'card selection' },
    badge('selected', 'info'), ' ', h('strong', null, m.name), ' version ', h('span', { class: 'mono' }, m.version),
    found.names.length > 1 ? h('span', { class: 'muted' }, ` (also stored as ${found.names.filter((n) => n !== m.name).join(', ')})`) : null,
    ' · ', h('a', { href: path`/data/${m.name}/${m.version}` }, 'its profile →'));
}
