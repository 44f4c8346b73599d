// The UI's one way to the server: JSON over /api with the session cookie, and the session's CSRF token on every
// request that changes something. Errors come back as ApiError with Kiln's error code and message.

const ROLES = ['viewer', 'editor', 'admin'];
let current = { signed_in: false, auth: 'unknown' };

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

function withQuery(path, query) {
  if (!query) {
    return path;
  }
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? path + (path.includes('?') ? '&' : '?') + s : path;
}

async function request(method, path, body, query) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (current.csrf) {
      headers['X-Kiln-CSRF'] = current.csrf;
    }
  }
  let res;
  try {
    res = await fetch(withQuery(path, query), {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the Kiln server did not answer (${e.message}); is kiln server still running?`, {});
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error && typeof data.error === 'object' ? data.error : null;
    throw new ApiError(res.status, err ? err.code : `http_${res.status}`, err ? err.message : (text || res.statusText),
      err ? err.details : {});
  }
  return data;
}

export const api = {
  get: (path, query) => request('GET', path, undefined, query),
  post: (path, body) => request('POST', path, body === undefined ? {} : body),
  put: (path, body) => request('PUT', path, body === undefined ? {} : body),
  del: (path) => request('DELETE', path),
};

/** Who is signed in: {signed_in, auth: 'none'|'tokens', name, role, csrf}. */
export function session() {
  return current;
}

/** Whether the signed-in role includes `role` (viewer < editor < admin). */
export function can(role) {
  return Boolean(current.signed_in) && ROLES.indexOf(current.role) >= ROLES.indexOf(role);
}

/** Reads the session; an open server (no tokens) gets one at once, to carry the CSRF token. */
export async function loadSession() {
  current = await request('GET', '/api/session');
  if (!current.signed_in && current.auth === 'none') {
    current = await request('POST', '/api/session', {});
  }
  return current;
}

export async function signIn(token) {
  current = await request('POST', '/api/session', { token });
  return current;
}

export async function signOut() {
  current = await request('DELETE', '/api/session');
  return current;
}
