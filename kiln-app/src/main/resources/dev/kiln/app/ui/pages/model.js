// /models/{name}: a model as a reviewer and a risk officer read it: versions (paged) with aliases, tags, key metrics and
// source runs; the alias timeline with each move's who/when/why and gate table; what served at a given time; the model
// card and lineage of a version; and, for editors, moving an alias with a reason through the gates.
import { h, mount, path } from '../dom.js';
import { api, can, ApiError } from '../api.js';
import { table, empty, section, badge, errorBox, loading } from '../components.js';
import { time, ago, num, metric, zone } from '../fmt.js';
import { drawTimeline, gateTable } from './model-timeline.js';
import { renderCard, renderLineage } from './model-card.js';
import { tagBadges } from './models.js';

const PAGE_SIZE = 20;
const PREFERRED_METRICS = ['roc_auc', 'accuracy', 'f1', 'log_loss', 'r2', 'rmse', 'mae'];

export async function render(main, route) {
  const name = route.params.name;
  route.title(name);
  const base = path`/api/models/${name}`;
  let summary;
  try {
    summary = await api.get(`${base}/summary`, { versions: PAGE_SIZE });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      mount(main, h('h1', null, name), empty(`No model named ${name}.`), h('p', null, h('a', { href: '/models' }, 'All models')));
      return;
    }
    throw e;
  }
  const atParam = route.query.get('at');
  const state = { summary, tokens: [], marker: atParam && !Number.isNaN(Date.parse(atParam)) ? new Date(atParam) : null };

  const header = h('div');
  const versionsEl = h('div');
  const timelineEl = h('div');
  const servedEl = h('div', { 'aria-live': 'polite' });
  const cardEl = h('div', { id: 'model-card' });
  const lineageEl = h('div', { id: 'lineage' });

  const drawHeader = () => mount(header,
    h('p', { class: 'crumbs' }, h('a', { href: '/models' }, 'Models'), ' / '),
    h('div', { class: 'row' }, h('h1', null, summary.name), h('span', { class: 'spacer' }),
      h('a', { class: 'button', href: path`/models/${name}/monitoring` }, 'Monitoring →')),
    h('p', { class: 'model-description' }, state.summary.description || h('span', { class: 'muted' }, 'No description.')),
    h('div', { class: 'row' }, h('span', { class: 'muted' }, 'Tags:'), tagBadges(state.summary)),
    h('p', { class: 'muted' }, `${num(state.summary.version_count)} versions · created ${time(state.summary.created_at)}`));

  const keyMetrics = () => {
    const names = new Set(state.summary.versions.flatMap((v) => Object.keys(v.metrics || {})));
    const preferred = PREFERRED_METRICS.filter((m) => names.has(m));
    return (preferred.length ? preferred : [...names].sort()).slice(0, 3);
  };

  const drawVersions = (page) => {
    const metrics = keyMetrics();
    mount(versionsEl,
      table({
        columns: [
          { key: 'version', label: 'Version', numeric: true, render: (v) => `v${v.version}` },
          { key: 'aliases', label: 'Aliases', render: (v) => (v.aliases.length ? v.aliases.map((a) => badge(a, a === 'production' ? 'ok' : 'muted')) : '') },
          ...metrics.map((m) => ({ key: m, label: m, numeric: true, render: (v) => metric(m, (v.metrics || {})[m]) })),
          { key: 'algorithm', label: 'Algorithm' },
          { key: 'description', label: 'Description', render: (v) => v.description || '' },
          { key: 'source_run_id', label: 'Source run', render: (v) => (v.source_run_id ? h('a', { href: path`/runs/${v.source_run_id}`, class: 'mono' }, v.source_run_id.slice(0, 8)) : h('span', { class: 'muted' }, 'none')) },
          { key: 'created_at', label: 'Registered', render: (v) => h('time', { datetime: v.created_at, title: time(v.created_at) }, `${ago(v.created_at)} by ${v.created_by}`) },
          { key: 'card', label: 'Card', render: (v) => h('button', { type: 'button', class: 'link', 'data-version': String(v.version), onclick: () => showVersion(v.version, true) }, 'card') },
        ],
        rows: page.versions,
        rowKey: (v) => String(v.version),
        empty: 'No versions yet.',
      }),
      h('div', { class: 'row pager' },
        h('button', { type: 'button', disabled: state.tokens.length === 0, onclick: () => loadPage(null, true) }, '← Newer'),
        h('span', { class: 'muted' }, `${num(page.versions.length ? page.versions[page.versions.length - 1].version : 0)}–${num(page.versions.length ? page.versions[0].version : 0)} of ${num(state.summary.version_count)}`),
        h('button', { type: 'button', disabled: !page.next_page_token, onclick: () => loadPage(page.next_page_token, false) }, 'Older →')));
  };

  const loadPage = async (token, back) => {
    mount(versionsEl, loading('Loading versions'));
    try {
      let pageToken = token;
      if (back) {
        state.tokens.pop();
        pageToken = state.tokens.length ? state.tokens[state.tokens.length - 1] : null;
      } else if (token) {
        state.tokens.push(token);
      }
      const page = await api.get(`${base}/versions`, { page_size: PAGE_SIZE, page_token: pageToken });
      route.setQuery({ page: pageToken });
      drawVersions(page);
    } catch (e) {
      mount(versionsEl, errorBox(e));
    }
  };

  const showVersion = async (version, scroll) => {
    route.setQuery({ version });
    mount(cardEl, loading('Loading the model card'));
    mount(lineageEl, loading('Loading the lineage'));
    try {
      const [card, lineage, deployments] = await Promise.all([api.get(path`/api/models/${name}/versions/${version}/card`),
        api.get(path`/api/lineage/${`${name}:${version}`}`), api.get('/api/deployments')]);
      renderCard(cardEl, card);
      renderLineage(lineageEl, lineage, deployments.deployments);
      if (scroll) {
        cardEl.scrollIntoView({ block: 'start' });
      }
    } catch (e) {
      mount(cardEl, errorBox(e));
      mount(lineageEl);
    }
  };

  const showAllMoves = async () => {
    mount(timelineEl, loading('Loading every move'));
    try {
      state.summary.timeline = await api.get(`${base}/timeline`);
      drawTimeline(timelineEl, state.summary.timeline, state.marker, showAllMoves);
    } catch (e) {
      mount(timelineEl, errorBox(e));
    }
  };

  const servedInput = h('input', { type: 'datetime-local', id: 'served-at', name: 'at', step: '1', required: true });
  if (state.marker) {
    const d = state.marker;
    servedInput.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }
  const askServed = async () => {
    const local = new Date(servedInput.value);
    if (Number.isNaN(local.getTime())) {
      mount(servedEl, h('p', { class: 'field-error' }, 'Pick a date and a time.'));
      return;
    }
    const at = local.toISOString();
    route.setQuery({ at });
    state.marker = local;
    drawTimeline(timelineEl, state.summary.timeline, state.marker, showAllMoves);
    try {
      const answer = await api.get(`${base}/aliases`, { at });
      const entries = Object.entries(answer.aliases);
      mount(servedEl, entries.length === 0 ? h('p', { class: 'served-none' }, `No alias pointed at any version at ${time(answer.at)}.`)
        : h('ul', { class: 'served' }, entries.map(([alias, iv]) => h('li', { 'data-alias': alias },
          h('strong', null, alias), ` served v${iv.version}`,
          h('span', { class: 'muted' }, ` (since ${time(iv.from)}, moved by ${iv.actor}${iv.reason ? `: ${iv.reason}` : ''})`)))));
    } catch (e) {
      mount(servedEl, errorBox(e));
    }
  };
  const servedForm = h('form', { class: 'row served-form', onsubmit: (e) => { e.preventDefault(); askServed(); } },
    h('label', { for: 'served-at' }, `What served at (your time, ${zone()})`), servedInput,
    h('button', { type: 'submit' }, 'Show'));

  const refresh = async () => {
    state.summary = await api.get(`${base}/summary`, { versions: PAGE_SIZE });
    drawHeader();
    drawTimeline(timelineEl, state.summary.timeline, state.marker, showAllMoves);
    state.tokens = [];
    drawVersions(state.summary);
  };

  drawHeader();
  const deepPage = route.query.get('page');
  if (deepPage) {
    // A deep link to an older page: versions are numbered without gaps, so the tokens of the newer pages are known
    // (each PAGE_SIZE above the next); "Newer" then walks back one page at a time, as if the user had paged here.
    const latest = Number(summary.version_count);
    const token = Number(deepPage);
    state.tokens = [];
    if (Number.isInteger(token) && token > 0) {
      for (let t = token + PAGE_SIZE; t <= latest; t += PAGE_SIZE) {
        state.tokens.unshift(String(t));
      }
    }
    loadPage(deepPage, false);
  } else {
    drawVersions(summary);
  }
  drawTimeline(timelineEl, summary.timeline, state.marker, showAllMoves);
  mount(main,
    header,
    section('Alias timeline', timelineEl, servedForm, servedEl),
    can('editor') ? section('Move alias', moveForm(name, summary, refresh)) : null,
    section('Versions', versionsEl),
    section('Lineage', lineageEl),
    section('Model card', cardEl));
  const chosen = Number(route.query.get('version')) || summary.aliases.production || summary.latest_version;
  if (chosen) {
    showVersion(chosen, false);
  } else {
    mount(cardEl, h('p', { class: 'muted' }, 'No versions yet.'));
  }
  if (state.marker) {
    askServed();
  }
}

/** Alias, version and a reason (required): PUT through the gates; a refusal shows its gate table. */
function moveForm(name, summary, refresh) {
  const aliases = Object.keys(summary.aliases || {});
  const out = h('div', { 'aria-live': 'polite', class: 'move-result' });
  const alias = h('input', { id: 'move-alias', name: 'alias', required: true, list: 'move-aliases', placeholder: 'staging', autocomplete: 'off' });
  const version = h('input', { id: 'move-version', name: 'version', type: 'number', min: '1', required: true, value: summary.latest_version || '' });
  const reason = h('input', { id: 'move-reason', name: 'reason', required: true, placeholder: 'why (recorded in the history)' });
  const force = can('admin') ? h('input', { id: 'move-force', name: 'force', type: 'checkbox' }) : null;
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Move alias');
  const form = h('form', {
    class: 'move-form',
    onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        mount(out, h('p', { class: 'field-error' }, 'A reason is required: it is recorded with the move.'));
        return;
      }
      submit.disabled = true;
      mount(out, loading('Checking the gates'));
      try {
        const body = { version: Number(version.value), reason: reason.value.trim() };
        if (force && force.checked) {
          body.force = true;
        }
        const r = await api.put(path`/api/models/${name}/aliases/${alias.value.trim()}`, body);
        await refresh();
        mount(out, h('p', { class: 'move-ok' }, badge('moved', 'ok'), ` ${r.alias}: ${r.from ? `v${r.from} → ` : ''}v${r.to}${r.forced ? ' (forced past failed gates)' : ''}`),
          r.checks.length ? gateTable(r.checks) : null);
        reason.value = '';
      } catch (err) {
        mount(out, errorBox(err), err instanceof ApiError && err.details && Array.isArray(err.details.checks) ? gateTable(err.details.checks) : null);
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('datalist', { id: 'move-aliases' }, [...new Set([...aliases, 'staging', 'production'])].map((a) => h('option', { value: a }))),
  h('div', { class: 'row' },
    h('div', { class: 'field' }, h('label', { for: 'move-alias' }, 'Alias'), alias),
    h('div', { class: 'field' }, h('label', { for: 'move-version' }, 'Version'), version),
    h('div', { class: 'field grow' }, h('label', { for: 'move-reason' }, 'Reason'), reason)),
  force ? h('div', { class: 'row' }, force, h('label', { for: 'move-force' }, 'Force past failed gates (admin; the reason is recorded)')) : null,
  h('p', { class: 'muted' }, 'Protected aliases (production, and those the protected_aliases tag names) go through the gates and need an admin.'),
  submit);
  return h('div', null, form, out);
}
