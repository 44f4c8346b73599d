// Numbers, units and times as a person reads them: numbers right-aligned in tables (tabular figures, kiln.css),
// '—' for nothing, times in the viewer's own time zone with the zone named.

export const NONE = '—';

function isMissing(v) {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/** A number with up to `digits` decimals (fixed for small values, so columns line up). */
export function num(v, digits) {
  if (isMissing(v)) {
    return NONE;
  }
  const x = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(x)) {
    return Number.isNaN(x) ? String(v) : (x > 0 ? '∞' : '−∞');
  }
  if (Number.isInteger(x) && digits === undefined) {
    return x.toLocaleString('en-US');
  }
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e12)) {
    return x.toExponential(2);
  }
  const d = digits !== undefined ? digits : (a >= 1000 ? 1 : a >= 10 ? 2 : 4);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function pct(v, digits = 1) {
  return isMissing(v) ? NONE : `${num(v * 100, digits)} %`;
}

export function bytes(n) {
  if (isMissing(n)) {
    return NONE;
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let x = Number(n);
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return i === 0 ? `${x} B` : `${num(x, 1)} ${units[i]}`;
}

export function seconds(s) {
  if (isMissing(s)) {
    return NONE;
  }
  const x = Number(s);
  if (x < 1) {
    return `${num(x * 1000, 0)} ms`;
  }
  if (x < 120) {
    return `${num(x, 1)} s`;
  }
  if (x < 7200) {
    return `${num(x / 60, 1)} min`;
  }
  return `${num(x / 3600, 1)} h`;
}

export function ms(v) {
  return isMissing(v) ? NONE : `${num(Number(v), Number(v) < 10 ? 2 : 1)} ms`;
}

export function micros(v) {
  return isMissing(v) ? NONE : `${num(Number(v), Number(v) < 10 ? 2 : 1)} µs`;
}

/** A metric by its name's convention: seconds, microseconds, bytes, rates; else a plain number. */
export function metric(name, v) {
  const n = String(name || '');
  if (/seconds$/.test(n)) {
    return seconds(v);
  }
  if (/_us$/.test(n)) {
    return micros(v);
  }
  if (/_ms$/.test(n)) {
    return ms(v);
  }
  if (/bytes$/.test(n)) {
    return bytes(v);
  }
  return num(v);
}

const TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

function toDate(t) {
  return t instanceof Date ? t : new Date(typeof t === 'number' ? t : String(t));
}

/** A time in the viewer's zone, e.g. "6 Dec 2026, 08:14:03 UTC". */
export function time(t) {
  if (isMissing(t)) {
    return NONE;
  }
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? String(t) : TIME.format(d);
}

/** How long ago, e.g. "3 min ago". */
export function ago(t, now = Date.now()) {
  if (isMissing(t)) {
    return NONE;
  }
  const s = (now - toDate(t).getTime()) / 1000;
  if (Number.isNaN(s)) {
    return String(t);
  }
  if (s < 0) {
    return 'just now';
  }
  if (s < 60) {
    return `${Math.round(s)} s ago`;
  }
  if (s < 3600) {
    return `${Math.round(s / 60)} min ago`;
  }
  if (s < 86400 * 2) {
    return `${Math.round(s / 3600)} h ago`;
  }
  return `${Math.round(s / 86400)} days ago`;
}

/** The viewer's time zone, named (for headings: "times in Europe/Paris"). */
export function zone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}
