// What serves right now: every `kiln serve` registered in the store, with what each model serves (version, alias,
// canary, shadow, bandit shares) and its traffic over the last heartbeat interval. Refreshed every few seconds while
// the page is open; the router calls the function render returns when the user leaves, which stops the refresh.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { badge, empty, errorBox, kv } from '../components.js';
import { num, pct, ms, time, seconds, NONE } from '../fmt.js';

export const REFRESH_MS = 3000;
const ARM_CLASSES = 6;

export async function render(main, route) {
  route.title('Deployments');
  const status = h('p', { class: 'muted deploy-updated', role: 'status', 'aria-live': 'polite' });
  const problem = h('div');
  const list = h('div', { class: 'deployments' });
  mount(main,
    h('div', { class: 'row' }, h('h1', null, 'Deployments'), h('span', { class: 'spacer' }), status),
    h('p', { class: 'muted' }, 'Every running ', h('code', null, 'kiln serve'), ' registered in this store, with its traffic over '
      + 'its last heartbeat interval. A server silent for 3 heartbeats shows as lost.'),
    problem, list);

  let timer = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
  };
  const refresh = async () => {
    // The router calls stop() on navigation; the check also covers a page replaced without it.
    if (stopped || !document.body.contains(main)) {
      stop();
      return;
    }
    if (!document.hidden) {
      try {
        const data = await api.get('/api/deployments');
        if (stopped) {
          return;
        }
        mount(problem);
        show(list, status, data);
      } catch (e) {
        if (stopped) {
          return;
        }
        mount(problem, errorBox(e));
        status.textContent = `not updated since ${new Date().toLocaleTimeString()}; retrying`;
      }
    }
    timer = setTimeout(refresh, REFRESH_MS);
  };
  const first = await api.get('/api/deployments');
  show(list, status, first);
  timer = setTimeout(refresh, REFRESH_MS);
  return stop;
}

function show(list, status, data) {
  const all = data.deployments || [];
  status.textContent = `${data.live} live · ${data.lost} lost · updated ${new Date().toLocaleTimeString()}`;
  if (all.length === 0) {
    mount(list, empty('Nothing serving:', './kiln serve --model credit=credit'));
    return;
  }
  mount(list, all.map(card));
}

function card(d) {
  const st = d.status || {};
  const lost = d.state !== 'live';
  const draining = st.state === 'draining';
  return h('section', { class: ['card', 'deployment', lost ? 'lost' : null], 'data-id': d.id, 'aria-label': `deployment ${d.url}` },
    h('div', { class: 'row deploy-head' },
      h('h2', null, h('code', null, d.url)),
      lost ? badge('lost', 'bad') : draining ? badge('draining', 'warn') : badge('live', 'ok'),
      h('span', { class: 'muted' }, `${d.host} · pid ${d.pid}`)),
    lost ? h('p', { class: 'deploy-lost' }, `No heartbeat for ${seconds(d.age_seconds)} (it beats every ${seconds(d.heartbeat_seconds)}): `
      + 'the process died or cannot reach the store.') : null,
    kv([
      ['Up since', [h('time', { datetime: d.started_at }, time(d.started_at)), h('span', { class: 'muted' }, ` · up ${seconds(uptime(d))}`)]],
      ['Last heartbeat', h('span', { class: 'deploy-beat', title: time(d.heartbeat_at) },
        `${seconds(d.age_seconds)} ago (every ${seconds(d.heartbeat_seconds)})`)],
      ['Kiln', d.kiln_version],
      ['Prediction log', d.log_dir ? h('code', null, d.log_dir) : 'off'],
    ]),
    models(st));
}

/** Seconds since the server started, by the store's clock: its last heartbeat's time after the start, plus the age. */
function uptime(d) {
  return (Date.parse(d.heartbeat_at) - Date.parse(d.started_at)) / 1000 + d.age_seconds;
}

function models(st) {
  const rows = st.models || [];
  if (rows.length === 0) {
    return h('p', { class: 'muted' }, 'No model loaded.');
  }
  const interval = st.interval_seconds ? ` over the last ${seconds(st.interval_seconds)}` : '';
  const cols = [
    ['Model', null], ['Serves', null], ['Canary', null], ['Shadow', null], ['Bandit', null],
    ['Requests', 'num'], ['Errors', 'num'], ['p50', 'num'], ['p99', 'num'],
  ];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'deploy-models' },
    h('caption', null, `Models${interval}`),
    h('thead', null, h('tr', null, cols.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)))),
    h('tbody', null, rows.map((m) => h('tr', { 'data-model': m.name },
      cell('Model', registered(m) ? h('a', { href: path`/models/${registered(m)}`, title: `${registered(m)} in the registry` }, m.name) : m.name),
      cell('Serves', serves(m)),
      cell('Canary', canary(m.canary)),
      cell('Shadow', m.shadow ? version(m.shadow.version) : NONE),
      cell('Bandit', bandit(m.bandit)),
      cell('Requests', m.request_rate === null || m.request_rate === undefined ? NONE : `${num(m.request_rate, 1)} req/s`, 'num rate',
        m.requests_total !== undefined ? `${num(m.requests_total)} requests since the server started` : null),
      cell('Errors', errors(m), 'num'),
      cell('p50', ms(m.p50_ms), 'num'),
      cell('p99', ms(m.p99_ms), 'num p99'))))));
}

function cell(label, content, cls, title) {
  return h('td', { class: cls, 'data-label': label, title }, h('span', { class: 'v' }, content));
}

const PINNED = /^[A-Za-z0-9._-]+:[0-9]+$/;

/** The registry model a served name comes from (NAME, NAME@ALIAS, NAME:VERSION), or null for a bundle directory. */
function registered(m) {
  return m.ref && (m.alias || PINNED.test(m.ref)) ? m.ref.split(/[@:]/)[0] : null;
}

/** A version as people say it: v3 for a registry version, the bundle's content hash as code otherwise. */
function label(v) {
  return /^[0-9]+$/.test(String(v)) ? `v${v}` : String(v);
}

function version(v) {
  if (v === null || v === undefined || v === '') {
    return NONE;
  }
  return /^[0-9]+$/.test(String(v)) ? label(v) : h('code', { title: String(v) }, String(v));
}

function serves(m) {
  const follows = m.alias ? h('span', { class: 'muted' }, ` follows ${registered(m)}@${m.alias}`)
    : m.ref ? h('span', { class: 'muted', title: m.ref }, PINNED.test(m.ref) ? ' pinned' : ' bundle') : null;
  return [version(m.version), follows, m.last_error ? h('div', { class: 'deploy-error' }, m.last_error) : null];
}

function canary(c) {
  if (!c) {
    return NONE;
  }
  const r = c.rollout;
  return [version(c.version), ` · ${num(c.percent, 1)} %`,
    r ? h('div', null, badge(`rollout ${r.state}, step ${r.step + 1}/${(r.steps || []).length}`,
      r.state === 'running' ? 'info' : r.state === 'complete' ? 'ok' : 'warn')) : null];
}

function bandit(arms) {
  if (!arms || arms.length === 0) {
    return NONE;
  }
  const bar = h('div', { class: 'deploy-stack', role: 'img',
    'aria-label': arms.map((a) => `${label(a.version)} ${pct(a.share, 0)}`).join(', ') });
  arms.forEach((a, i) => {
    const seg = h('span', { class: `arm arm-${i % ARM_CLASSES}`, title: `${label(a.version)}: ${pct(a.share, 1)} of requests now`
      + (a.traffic_share === null || a.traffic_share === undefined ? '' : `, ${pct(a.traffic_share, 1)} last interval`)
      + `; mean reward ${num(a.mean_reward, 3)} over ${num(a.rewards)} rewards` });
    seg.style.width = `${Math.max(0, Math.min(100, a.share * 100))}%`;
    bar.appendChild(seg);
  });
  return [bar, h('div', { class: 'deploy-arms' }, arms.map((a, i) => h('span', { class: 'arm-key' },
    h('span', { class: `swatch arm-${i % ARM_CLASSES}` }), `${label(a.version)} ${pct(a.share, 0)}`)))];
}

function errors(m) {
  if (m.error_rate === null || m.error_rate === undefined) {
    return NONE;
  }
  const text = pct(m.error_rate, 2);
  return m.error_rate > 0.01 ? badge(text, 'bad') : text;
}
