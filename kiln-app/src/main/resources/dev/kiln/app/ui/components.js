// Pieces every page uses: tables, empty states, errors, key-value lists, sections, badges.
import { h } from './dom.js';

/**
 * A table. columns: [{key, label, numeric, render(row) -> node|string, sortable, title}]; sort: {key, dir: 'asc'|'desc'};
 * onSort(key); selectable + selected (Set of row keys) + onSelect(key, on); rowKey(row); empty: text when no rows.
 */
export function table({ columns, rows, sort, onSort, selectable, selected, onSelect, rowKey, empty: emptyText, caption, rowClass }) {
  if ((!rows || rows.length === 0) && emptyText) {
    return empty(emptyText);
  }
  const head = h('tr', null,
    selectable ? h('th', { class: 'sel', scope: 'col' }, h('span', { class: 'visually-hidden' }, 'select')) : null,
    columns.map((c) => {
      const active = sort && sort.key === c.key;
      const arrow = active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
      const label = c.sortable && onSort
        ? h('button', { type: 'button', class: 'sort', onclick: () => onSort(c.key) }, c.label, arrow)
        : c.label;
      return h('th', {
        scope: 'col', class: c.numeric ? 'num' : null, title: c.title,
        'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : null,
      }, label);
    }));
  const body = rows.map((row, i) => {
    const key = rowKey ? rowKey(row) : String(i);
    return h('tr', { 'data-key': key, class: rowClass ? rowClass(row) : null },
      selectable ? h('td', { class: 'sel' }, h('input', {
        type: 'checkbox', checked: selected && selected.has(key), 'aria-label': `select ${key}`,
        onchange: (e) => onSelect && onSelect(key, e.target.checked),
      })) : null,
      columns.map((c) => {
        const v = c.render ? c.render(row) : row[c.key];
        return h('td', { class: c.numeric ? 'num' : null }, v === undefined || v === null ? '—' : v);
      }));
  });
  return h('div', { class: 'table-wrap' }, h('table', null, caption ? h('caption', null, caption) : null,
    h('thead', null, head), h('tbody', null, body)));
}

/** What to do when there is nothing to show: a sentence and, optionally, the command that makes something. */
export function empty(message, command) {
  return h('div', { class: 'empty' }, h('p', null, message), command ? h('pre', { class: 'cmd' }, h('code', null, command)) : null);
}

/** An error as the server said it: code and message; a sign-in link when the session is missing. */
export function errorBox(err) {
  const status = err && err.status;
  return h('div', { class: 'error', role: 'alert' },
    h('strong', null, err && err.code ? err.code : 'error'), ': ', err && err.message ? err.message : String(err),
    status === 401 ? [' ', h('a', { href: `/login?next=${encodeURIComponent(location.pathname + location.search)}` }, 'Sign in')] : null);
}

/** Key-value pairs as a definition list: an object or [[key, value], ...]. */
export function kv(pairs) {
  const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs || {});
  if (entries.length === 0) {
    return h('p', { class: 'muted' }, 'none');
  }
  return h('dl', { class: 'kv' }, entries.map(([k, v]) => [h('dt', null, k), h('dd', null, v === null || v === undefined ? '—' : v)]));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

export function loading(what = 'Loading') {
  return h('p', { class: 'loading', role: 'status' }, `${what}…`);
}

/** A small label: kind is ok | warn | bad | info | muted. */
export function badge(text, kind = 'info') {
  return h('span', { class: `badge ${kind}` }, text);
}
