// /runs: every run, found with a filter expression, sorted by any column on the server, a page at a time; the user
// picks the params/metrics/tags columns; runs ticked here are compared on /compare. The whole view lives in the query
// string (experiment, filter, order, columns, page_size, page_token), so the address is a deep link.
import { h, mount, path } from '../dom.js';
import { api, ApiError } from '../api.js';
import { table, empty, errorBox, badge, loading } from '../components.js';
import { metric, num, time, ago } from '../fmt.js';
import { KINDS, keyText, parseKey, rankMetrics, splitKeys, valueOf } from './runkeys.js';

const PAGE_SIZES = [25, 50, 100, 200];
const EXAMPLE = "metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'";
const STATUS_KIND = { finished: 'ok', running: 'info', failed: 'bad', killed: 'warn' };
const FIXED_SORTS = { name: 'attributes.name', status: 'attributes.status', started: 'attributes.start_time' };

export async function render(main, route) {
  route.title('Runs');
  const q = route.query;
  const state = {
    experiment: q.get('experiment') || '',
    filter: q.get('filter') || '',
    order: q.get('order') || '',
    columns: q.has('columns') ? splitKeys(q.get('columns')).map(parseKey).filter(Boolean) : null,
    pageSize: PAGE_SIZES.includes(Number(q.get('page_size'))) ? Number(q.get('page_size')) : 50,
    pageToken: q.get('page_token') || '',
    trials: q.get('trials') === 'true',
  };
  const selected = new Set();
  let requestNo = 0;

  const [experiments, available] = await Promise.all([
    api.get('/api/experiments'),
    api.get('/api/runs/columns', { experiment: state.experiment }).catch(() => ({ params: [], metrics: [], tags: [] })),
  ]);
  const totalRuns = experiments.experiments.reduce((n, e) => n + e.runs, 0);
  if (totalRuns === 0) {
    mount(main, h('h1', null, 'Runs'), empty('No runs yet: train a first model and its runs show up here.', './kiln quickstart'));
    return undefined;
  }
  if (state.columns === null) {
    // Until the user picks: the headline metrics and the first params, so a new visitor sees numbers at once.
    state.columns = [...rankMetrics(available.metrics).slice(0, 5).map((name) => ({ kind: 'metrics', name })),
      ...available.params.slice(0, 2).map((name) => ({ kind: 'params', name }))];
  }

  // ---- controls (built once; the results below are redrawn on every change)
  const experimentSelect = h('select', { id: 'experiment', onchange: (e) => update({ experiment: e.target.value, pageToken: '' }, true) },
    h('option', { value: '' }, `All experiments (${num(totalRuns)} runs)`),
    experiments.experiments.map((e) => h('option', { value: e.name, selected: e.name === state.experiment }, `${e.name} (${num(e.runs)})`)));
  const filterInput = h('input', {
    id: 'filter', type: 'text', value: state.filter, placeholder: EXAMPLE, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'filter-error filter-help', class: 'filter-input',
  });
  const filterError = h('div', { id: 'filter-error', class: 'field-error', role: 'alert' });
  const filterForm = h('form', {
    class: 'filter-form', role: 'search',
    onsubmit: (e) => { e.preventDefault(); update({ filter: filterInput.value.trim(), pageToken: '' }); },
  },
  h('label', { for: 'filter' }, 'Filter'),
  h('div', { class: 'row filter-row' }, filterInput,
    h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    h('button', { type: 'button', onclick: () => { filterInput.value = ''; update({ filter: '', pageToken: '' }); } }, 'Clear')),
  filterError,
  h('details', { id: 'filter-help', class: 'filter-help' }, h('summary', null, 'Filter syntax'),
    h('p', null, 'Comparisons joined by ', h('code', null, 'and'), ', ', h('code', null, 'or'), ', ', h('code', null, 'not'),
      ' and parentheses. Keys: ', h('code', null, 'metrics.NAME'), ' (latest value), ', h('code', null, 'params.NAME'), ', ',
      h('code', null, 'tags.NAME'), ', ', h('code', null, 'attributes.status|name|run_id|experiment|start_time|end_time'),
      '; odd names in backquotes: ', h('code', null, 'metrics.`my-metric`'), '.'),
    h('p', null, 'Metrics and times: ', h('code', null, '= != < <= > >='), ' with numbers (', h('code', null, '1e-3'),
      '); times also as ', h('code', null, "'2026-01-31T12:00:00Z'"), '. Params, tags and other attributes: ',
      h('code', null, "= != like ilike in ('a', 'b') not in (…)"), ' with quoted strings; ', h('code', null, '%'),
      ' and ', h('code', null, '_'), ' are like\'s wildcards.'),
    h('p', null, 'Example: ', h('code', null, EXAMPLE))));

  const pickerBody = h('div', { class: 'picker-body' });
  const pickerSummary = h('summary', null);
  const picker = h('details', { class: 'column-picker' }, pickerSummary, pickerBody);
  const compareButton = h('button', { type: 'button', class: 'primary', id: 'compare', disabled: true, onclick: () => {
    route.navigate(`/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`);
  } }, 'Compare (0)');
  const clearSelection = h('button', { type: 'button', class: 'link', onclick: () => { selected.clear(); refreshSelection(); drawResults(lastPage); } },
    'clear selection');
  const results = h('div', { class: 'runs-results', 'aria-live': 'polite' }, loading('Finding runs'));

  mount(main,
    h('div', { class: 'row' }, h('h1', null, 'Runs'), h('span', { class: 'spacer' }),
      h('label', { for: 'experiment' }, 'Experiment'), experimentSelect),
    h('section', { class: 'card runs-controls' }, filterForm,
      h('div', { class: 'row' }, picker,
        h('label', { class: 'runs-trials' }, h('input', { type: 'checkbox', id: 'show-trials', checked: state.trials,
          onchange: (e) => update({ trials: e.target.checked, pageToken: '' }) }), ' Show search trials'),
        h('span', { class: 'spacer' }), clearSelection, compareButton)),
    results);

  drawPicker();
  let lastPage = null;
  await load();
  return undefined;

  // ---- state, URL, loading
  function orderParts() {
    const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(state.order.trim());
    return { key: m ? m[1] : '', dir: m && m[2] && m[2].toUpperCase() === 'ASC' ? 'asc' : 'desc' };
  }

  function update(changes, reloadColumns) {
    Object.assign(state, changes);
    route.setQuery({
      experiment: state.experiment,
      filter: state.filter,
      order: state.order,
      columns: state.columns.map((c) => keyText(c.kind, c.name)).join(','),
      page_size: state.pageSize === 50 ? '' : state.pageSize,
      page_token: state.pageToken,
      trials: state.trials ? 'true' : '',
    });
    if (reloadColumns) {
      api.get('/api/runs/columns', { experiment: state.experiment }).then((cols) => {
        Object.assign(available, cols);
        drawPicker();
      }).catch(() => {});
    }
    return load();
  }

  async function load() {
    const mine = ++requestNo;
    const sort = orderParts();
    const query = {
      experiment: state.experiment,
      filter: state.filter,
      order_by: sort.key ? `${sort.key} ${sort.dir.toUpperCase()}` : '',
      page_size: state.pageSize,
      page_token: state.pageToken,
      columns: state.columns.map((c) => keyText(c.kind, c.name)).join(','), // only what the table shows
      trials: state.trials ? 'true' : '',
    };
    try {
      const page = await api.get('/api/runs/search', query);
      if (mine !== requestNo || !route.current()) {
        return;
      }
      showFilterError(null);
      lastPage = page;
      drawResults(page);
    } catch (e) {
      if (mine !== requestNo || !route.current()) {
        return;
      }
      if (e instanceof ApiError && e.status === 400 && e.details && e.details.field === 'filter') {
        showFilterError(e);
      } else if (e instanceof ApiError && e.status === 400 && e.details && e.details.field === 'page_token') {
        update({ pageToken: '' });
      } else {
        mount(results, errorBox(e));
      }
    }
  }

  /** The server's complaint next to the box, with a caret under the position it names. */
  function showFilterError(err) {
    if (!err) {
      filterInput.classList.remove('invalid');
      filterInput.removeAttribute('aria-invalid');
      mount(filterError);
      return;
    }
    filterInput.classList.add('invalid');
    filterInput.setAttribute('aria-invalid', 'true');
    const pos = Number(err.details.position) || 1;
    const text = state.filter;
    mount(filterError, h('p', null, err.message),
      h('pre', { class: 'caret', 'aria-hidden': 'true' }, text, '\n', `${' '.repeat(Math.max(0, pos - 1))}^`));
    mount(results, h('p', { class: 'muted' }, 'Fix the filter to see runs.'));
    filterInput.focus();
    filterInput.setSelectionRange(Math.min(pos - 1, text.length), Math.min(pos - 1, text.length));
  }

  // ---- the column picker
  function drawPicker() {
    const chosen = new Set(state.columns.map((c) => keyText(c.kind, c.name)));
    pickerSummary.textContent = `Columns (${state.columns.length})`;
    const search = h('input', { type: 'search', placeholder: 'find a column', 'aria-label': 'find a column', class: 'picker-find',
      oninput: (e) => {
        const needle = e.target.value.toLowerCase();
        for (const label of pickerBody.querySelectorAll('label.pick')) {
          label.hidden = needle !== '' && !label.dataset.name.toLowerCase().includes(needle);
        }
      } });
    mount(pickerBody, search, h('div', { class: 'picker-groups' }, KINDS.map((kind) => {
      const names = available[kind] || [];
      return h('fieldset', null, h('legend', null, `${kind[0].toUpperCase()}${kind.slice(1)} (${names.length})`),
        names.length === 0 ? h('p', { class: 'muted' }, 'none') : names.map((name) => {
          const key = keyText(kind, name);
          return h('label', { class: 'pick', 'data-name': name },
            h('input', { type: 'checkbox', checked: chosen.has(key), 'data-key': key, onchange: (e) => toggleColumn(kind, name, e.target.checked) }),
            ' ', name);
        }));
    })));
  }

  function toggleColumn(kind, name, on) {
    const key = keyText(kind, name);
    const rest = state.columns.filter((c) => keyText(c.kind, c.name) !== key);
    pickerSummary.textContent = `Columns (${on ? rest.length + 1 : rest.length})`;
    update({ columns: on ? [...rest, { kind, name }] : rest });
  }

  // ---- results
  function refreshSelection() {
    compareButton.textContent = `Compare (${selected.size})`;
    compareButton.disabled = selected.size < 2;
    compareButton.title = selected.size < 2 ? 'tick two or more runs to compare them' : '';
    clearSelection.hidden = selected.size === 0;
  }

  function sortBy(key) {
    const sort = orderParts();
    const numeric = key.startsWith('metrics.') || key === 'attributes.start_time';
    const dir = sort.key === key ? (sort.dir === 'desc' ? 'ASC' : 'DESC') : (numeric ? 'DESC' : 'ASC');
    update({ order: `${key} ${dir}`, pageToken: '' });
  }

  function drawResults(page) {
    refreshSelection();
    if (!page) {
      return;
    }
    const sort = orderParts();
    const sortKey = sort.key || 'attributes.start_time';
    const columns = [
      { key: FIXED_SORTS.name, label: 'Run', sortable: true,
        render: (r) => h('a', { href: path`/runs/${r.id}`, class: 'run-name' }, r.name || r.id.slice(0, 8)) },
      state.experiment ? null : { key: 'attributes.experiment', label: 'Experiment', sortable: true, render: (r) => r.experiment },
      { key: FIXED_SORTS.status, label: 'Status', sortable: true, render: (r) => badge(r.status, STATUS_KIND[r.status] || 'muted') },
      { key: FIXED_SORTS.started, label: 'Started', sortable: true,
        render: (r) => h('time', { datetime: r.started_at, title: time(r.started_at) }, ago(r.started_at)) },
      ...state.columns.map((c) => ({
        key: keyText(c.kind, c.name),
        label: h('span', { class: 'col-label' }, h('span', { class: 'col-kind' }, c.kind === 'metrics' ? '' : `${c.kind.slice(0, -1)} `), c.name),
        title: keyText(c.kind, c.name),
        numeric: c.kind === 'metrics',
        sortable: true,
        render: (r) => {
          const v = valueOf(r, c.kind, c.name);
          return v === undefined ? null : (c.kind === 'metrics' ? metric(c.name, v) : String(v));
        },
      })),
    ].filter(Boolean);
    const from = page.total === 0 ? 0 : page.offset + 1;
    const to = page.offset + page.runs.length;
    const pager = h('nav', { class: 'row pager', 'aria-label': 'pages' },
      h('span', { class: 'count' }, page.total === 0 ? 'No runs' : `Runs ${num(from)}–${num(to)} of ${num(page.total)}`),
      h('span', { class: 'spacer' }),
      h('label', { for: 'page-size' }, 'Per page'),
      h('select', { id: 'page-size', onchange: (e) => update({ pageSize: Number(e.target.value), pageToken: '' }) },
        PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === state.pageSize }, String(n)))),
      h('button', { type: 'button', class: 'prev', disabled: page.prev_page_token === null,
        onclick: () => update({ pageToken: page.offset - state.pageSize <= 0 ? '' : page.prev_page_token }) }, '← Prev'),
      h('button', { type: 'button', class: 'next', disabled: page.next_page_token === null,
        onclick: () => update({ pageToken: page.next_page_token }) }, 'Next →'));
    const body = page.runs.length === 0
      ? empty(state.filter ? 'No runs match this filter.' : 'No runs in this experiment yet.', state.filter ? null : './kiln quickstart')
      : table({
        columns,
        rows: page.runs,
        rowKey: (r) => r.id,
        sort: { key: sortKey, dir: sort.key ? sort.dir : 'desc' },
        onSort: sortBy,
        selectable: true,
        selected,
        onSelect: (id, on) => {
          if (on) {
            selected.add(id);
          } else {
            selected.delete(id);
          }
          refreshSelection();
          const row = results.querySelector(`tr[data-key="${CSS.escape(id)}"]`);
          if (row) {
            row.classList.toggle('selected', on);
          }
        },
        rowClass: (r) => (selected.has(r.id) ? 'selected' : null),
      });
    mount(results, pager, body);
  }
}
