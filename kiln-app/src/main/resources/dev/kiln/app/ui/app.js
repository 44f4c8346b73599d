// The router: every page is a module in pages/ with `export async function render(main, route)`; the server answers
// every page path with index.html, so a deep link opens the same page a colleague saw. Internal links navigate
// without a reload; the back button works. A render may return a function, called when the user leaves the page.
import { h, clear, mount } from './dom.js';
import { ApiError, loadSession, session, signOut } from './api.js';
import { errorBox, loading } from './components.js';

// [path pattern (named groups become route.params), page module in pages/]. One line per page.
const PAGES = [
  [/^\/$/, 'home'],
  [/^\/login$/, 'login'],
  [/^\/models$/, 'models'],
  [/^\/models\/(?<name>[^/]+)$/, 'model'],
  [/^\/runs\/(?<id>[0-9a-f-]{36})$/, 'run'],
  [/^\/data$/, 'data'],
  [/^\/data\/(?<name>[^/]+)\/(?<version>[^/]+)$/, 'dataset'],
  [/^\/pipelines$/, 'pipelines'],
  [/^\/pipelines\/(?<pipeline>[^/]+)$/, 'pipelines'],
  [/^\/deployments$/, 'deployments'],
  [/^\/models\/(?<name>[^/]+)\/monitoring$/, 'monitoring'],
  [/^\/runs$/, 'runs'],
  [/^\/compare$/, 'compare'],
];

let leave = null;
let generation = 0;

function match(pathname) {
  for (const [re, name] of PAGES) {
    const m = re.exec(pathname);
    if (m) {
      const params = {};
      for (const [k, v] of Object.entries(m.groups || {})) {
        params[k] = decodeURIComponent(v);
      }
      return { name, params };
    }
  }
  return null;
}

function markNav(pathname) {
  for (const a of document.querySelectorAll('#nav a')) {
    const here = pathname === a.getAttribute('href') || pathname.startsWith(`${a.getAttribute('href')}/`)
      || (a.getAttribute('href') === '/runs' && pathname.startsWith('/compare'));
    if (here) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
}

function renderWho() {
  const who = document.getElementById('who');
  const s = session();
  if (!who) {
    return;
  }
  if (s.signed_in && s.auth === 'tokens') {
    mount(who, h('span', { class: 'muted' }, `${s.name} · ${s.role}`), ' ',
      h('button', { type: 'button', class: 'link', onclick: async () => { await signOut(); navigate('/login'); } }, 'Sign out'));
  } else if (s.signed_in) {
    mount(who, h('span', { class: 'muted', title: 'no API tokens configured: this server listens on loopback only' }, 'local · admin'));
  } else {
    mount(who, h('a', { href: '/login' }, 'Sign in'));
  }
}

export async function render() {
  const mine = ++generation;
  if (leave) {
    try {
      leave();
    } catch (e) {
      // a page's clean-up failing must not stop the next page
    }
    leave = null;
  }
  const main = document.getElementById('main');
  const page = h('div', { class: 'page' });
  mount(main, page);
  const pathname = location.pathname;
  markNav(pathname);
  const found = match(pathname);
  if (!found) {
    document.title = 'Not found · Kiln';
    mount(page, h('h1', null, 'Not found'), h('p', null, 'There is no page at ', h('code', null, pathname), '. ',
      h('a', { href: '/' }, 'Go to the start page'), '.'));
    return;
  }
  if (session().auth === 'tokens' && !session().signed_in && found.name !== 'login') {
    navigate(`/login?next=${encodeURIComponent(pathname + location.search)}`, { replace: true });
    return;
  }
  const route = {
    path: pathname,
    params: found.params,
    query: new URLSearchParams(location.search),
    navigate,
    setQuery,
    title: (text) => { document.title = `${text} · Kiln`; },
    current: () => mine === generation,
  };
  page.appendChild(loading());
  try {
    const module = await import(`./pages/${found.name}.js`);
    if (mine !== generation) {
      return;
    }
    clear(page);
    const cleanup = await module.render(page, route);
    if (typeof cleanup === 'function') {
      if (mine === generation) {
        leave = cleanup;
      } else {
        cleanup();
      }
    }
  } catch (e) {
    if (mine !== generation) {
      return;
    }
    if (e instanceof ApiError && e.status === 401) {
      navigate(`/login?next=${encodeURIComponent(pathname + location.search)}`, { replace: true });
      return;
    }
    console.error(e);
    mount(page, h('h1', null, 'Something went wrong'), errorBox(e));
  }
}

/** Goes to an internal URL (pushes history unless replace). */
export function navigate(url, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', url);
  } else {
    history.pushState(null, '', url);
  }
  window.scrollTo(0, 0);
  render();
}

/** Replaces the current query string (a page's filters, sort, page) without re-rendering: the URL stays a deep link. */
export function setQuery(values) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
      q.delete(k);
    } else {
      q.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
  }
  const s = q.toString();
  history.replaceState(null, '', location.pathname + (s ? `?${s}` : ''));
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return;
  }
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) {
    return;
  }
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/') || href.startsWith('/ui/')) {
    return;
  }
  e.preventDefault();
  navigate(href);
});

window.addEventListener('popstate', () => render());

async function start() {
  try {
    await loadSession();
  } catch (e) {
    mount(document.getElementById('main'), h('div', { class: 'page' }, h('h1', null, 'Kiln'), errorBox(e)));
    return;
  }
  renderWho();
  document.addEventListener('kiln:session', renderWho);
  await render();
}

start();
