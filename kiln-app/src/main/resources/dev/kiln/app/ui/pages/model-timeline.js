// The model page's alias timeline: one horizontal track per alias, a bar per stretch of time the alias pointed at a
// version (positioned with element.style from script: no inline styles in markup, CSP-safe), each move's who/when/why
// and its gate table; plus the list of moves, newest first, for keyboards, screen readers and phones.
import { h, mount } from '../dom.js';
import { table, badge, kv } from '../components.js';
import { time, num } from '../fmt.js';
import { PALETTE } from '../chart.js';

const SHOWN_MOVES = 15;

/**
 * Draws `timeline` (the summary's) into `el`; `marker` (a Date or null) draws the "what served at" line; `showAll` loads
 * every move when the summary sent only the newest.
 */
export function drawTimeline(el, timeline, marker, showAll) {
  const detail = h('div', { class: 'tl-detail', id: 'move-detail', 'aria-live': 'polite' });
  if (!timeline || timeline.aliases.length === 0) {
    mount(el, h('p', { class: 'muted' }, 'No alias has been set yet: a move below (or ', h('code', null, 'kiln models promote'), ') starts the timeline.'));
    return;
  }
  const start = Date.parse(timeline.start);
  const lastTo = Math.max(...timeline.aliases.flatMap((a) => a.intervals.map((i) => Date.parse(i.to || i.from))));
  const end = Math.max(Date.now(), lastTo, start + 1000);
  const pos = (t) => Math.min(100, Math.max(0, ((t - start) / (end - start)) * 100));
  const rows = timeline.aliases.map((a) => {
    const track = h('div', { class: 'tl-track' });
    for (const iv of a.intervals) {
      const from = Date.parse(iv.from);
      const to = iv.to ? Date.parse(iv.to) : end;
      const bar = h('button', {
        type: 'button', class: ['tl-bar', iv.gated ? 'gated' : null, iv.forced ? 'forced' : null, iv.to ? null : 'current'],
        'data-version': String(iv.version), 'data-event': String(iv.event_id),
        title: `${a.alias} → v${iv.version} from ${time(iv.from)}${iv.to ? ` to ${time(iv.to)}` : ' (now)'}, by ${iv.actor}${iv.reason ? `: ${iv.reason}` : ''}`,
        'aria-label': `${a.alias} version ${iv.version} from ${time(iv.from)}, by ${iv.actor}`,
        onclick: () => showMove(detail, iv),
      }, `v${iv.version}`);
      bar.style.left = `${pos(from)}%`;
      bar.style.width = `${Math.max(0.6, pos(to) - pos(from))}%`;
      bar.style.backgroundColor = PALETTE[(iv.version - 1) % PALETTE.length];
      track.appendChild(bar);
    }
    if (marker) {
      const line = h('div', { class: 'tl-marker', title: `what served at ${time(marker)}` });
      line.style.left = `${pos(marker.getTime())}%`;
      track.appendChild(line);
    }
    return h('div', { class: 'tl-row', 'data-alias': a.alias },
      h('div', { class: 'tl-label' }, h('strong', null, a.alias), ' ',
        a.current_version ? badge(`v${a.current_version}`, a.alias === 'production' ? 'ok' : 'muted') : badge('removed', 'warn')),
      track);
  });
  const axis = h('div', { class: 'tl-axis' }, h('span', null, time(start)), h('span', null, time((start + end) / 2)), h('span', null, 'now'));
  mount(el,
    h('div', { class: 'tl', role: 'group', 'aria-label': 'alias timeline' }, rows, h('div', { class: 'tl-row' }, h('div', { class: 'tl-label' }), axis)),
    timeline.truncated ? h('p', { class: 'row truncated' }, h('span', { class: 'muted' }, `Showing the newest ${num(timeline.shown)} of ${num(timeline.moves)} moves (and each alias's current one).`),
      showAll ? h('button', { type: 'button', onclick: showAll }, `Show all ${num(timeline.moves)} moves`) : null) : null,
    h('p', { class: 'muted legend-line' }, 'Each bar is a stretch of time an alias pointed at a version; outlined bars passed gates, striped ones were forced. Select a bar or a move for who, when, why and its gate table.'),
    detail,
    movesTable(timeline, detail));
}

function movesTable(timeline, detail) {
  const moves = timeline.aliases.flatMap((a) => a.intervals).sort((x, y) => y.event_id - x.event_id);
  const body = h('div');
  const draw = (all) => mount(body, table({
    caption: `Moves, newest first (${num(moves.length)})`,
    columns: [
      { key: 'from', label: 'When', render: (m) => h('time', { datetime: m.from }, time(m.from)) },
      { key: 'alias', label: 'Alias' },
      { key: 'version', label: 'Version', numeric: true, render: (m) => (m.previous_version ? `v${m.previous_version} → v${m.version}` : `v${m.version}`) },
      { key: 'actor', label: 'Who' },
      { key: 'reason', label: 'Why', render: (m) => m.reason || h('span', { class: 'muted' }, 'no reason given') },
      {
        key: 'gates', label: 'Gates', render: (m) => [
          m.gated ? h('button', { type: 'button', class: 'link gates', onclick: () => showMove(detail, m) }, `gate table (${m.checks.length})`)
            : h('span', { class: 'muted' }, 'not gated'),
          m.forced ? [' ', badge('forced', 'bad')] : null,
          m.rollback ? [' ', badge('rollback', 'warn')] : null,
        ],
      },
    ],
    rows: all ? moves : moves.slice(0, SHOWN_MOVES),
    rowKey: (m) => String(m.event_id),
  }), moves.length > SHOWN_MOVES && !all
    ? h('button', { type: 'button', onclick: () => draw(true) }, `Show all ${num(moves.length)} moves`) : null);
  draw(false);
  return body;
}

function showMove(detail, m) {
  mount(detail, h('div', { class: 'card move-detail' },
    h('h3', null, `${m.alias} → v${m.version}`),
    kv([
      ['from', time(m.from)],
      ['to', m.to ? time(m.to) : 'now (current)'],
      ['moved by', m.actor],
      ['why', m.reason || '—'],
      ['previous version', m.previous_version ? `v${m.previous_version}` : 'none (new alias)'],
      ['ended by', m.ended_by ? `${m.ended_by.type === 'alias_removed' ? 'removal' : 'next move'} by ${m.ended_by.actor}${m.ended_by.reason ? `: ${m.ended_by.reason}` : ''}` : '—'],
      ['head-to-head', m.head_to_head ? `against v${m.head_to_head.holder_version} on ${num(m.head_to_head.rows)} test rows` : '—'],
    ]),
    m.forced ? h('p', null, badge('forced', 'bad'), ` past failed gates: ${(m.failed_checks || []).join(', ')}`) : null,
    m.gated ? gateTable(m.checks) : h('p', { class: 'muted' }, 'Not a gated move: this alias is not protected.')));
  detail.scrollIntoView({ block: 'nearest' });
}

/** A gate table: each check with the candidate's value, the holder's, the requirement and whether it passed. */
export function gateTable(checks) {
  return table({
    caption: 'Gate table',
    columns: [
      { key: 'name', label: 'Check' },
      { key: 'value', label: 'Candidate', numeric: true, render: (c) => num(c.value) },
      { key: 'holder_value', label: 'Holder', numeric: true, render: (c) => num(c.holder_value) },
      { key: 'requirement', label: 'Requirement' },
      { key: 'passed', label: 'Result', render: (c) => (c.passed ? badge('passed', 'ok') : badge('failed', 'bad')) },
    ],
    rows: checks || [],
    rowKey: (c) => c.name,
    empty: 'no checks recorded',
  });
}
