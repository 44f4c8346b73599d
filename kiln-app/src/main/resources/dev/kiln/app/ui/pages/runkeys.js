// Run keys as the filter grammar writes them (metrics.auc, params.`max depth`): the same spelling the server prints
// (RunKey.toString), so a column, a sort key and a filter name the same thing. Shared by /runs and /compare.

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.]*$/;
export const KINDS = ['params', 'metrics', 'tags'];

/** "metrics.auc", or "metrics.`my-metric`" for names the grammar cannot read bare. */
export function keyText(kind, name) {
  return `${kind}.${PLAIN.test(name) ? name : `\`${name.replace(/`/g, '``')}\``}`;
}

/** Reads one key back: {kind, name}, or null when it is not one. */
export function parseKey(text) {
  const m = /^(params|metrics|tags|attributes)\.(.*)$/s.exec(text.trim());
  if (!m) {
    return null;
  }
  let name = m[2];
  if (name.startsWith('`')) {
    if (!name.endsWith('`') || name.length < 3) {
      return null;
    }
    name = name.slice(1, -1).replace(/``/g, '`');
  }
  return name ? { kind: m[1], name } : null;
}

/** Splits "a,b,metrics.`x,y`" at the commas outside backquotes. */
export function splitKeys(text) {
  const out = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || (text[i] === ',' && !quoted)) {
      const part = text.slice(start, i).trim();
      if (part) {
        out.push(part);
      }
      start = i + 1;
    } else if (text[i] === '`') {
      quoted = !quoted;
    }
  }
  return out;
}

/** A filter string literal: single quotes, with backslashes and quotes escaped. */
export function quote(s) {
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The value of a key in a run of the API's shape. */
export function valueOf(run, kind, name) {
  const m = run[kind === 'metrics' ? 'metrics' : kind] || {};
  return Object.prototype.hasOwnProperty.call(m, name) ? m[name] : undefined;
}

// Metrics a person looks at first, best first: a model's quality on held-out data before sizes, timings and slices.
const FIRST_METRICS = [/roc_auc$/, /(^|_)auc$/, /accuracy$/, /(^|_)f1$/, /rmse$/, /(^|_)r2$/, /log_loss$/, /(^|_)mae$/, /loss$/,
  /precision$/, /recall$/];

/** The metric names ordered for a default view: known quality metrics first (test_ before valid_), then the rest by name. */
export function rankMetrics(names) {
  const score = (n) => {
    const i = FIRST_METRICS.findIndex((re) => re.test(n));
    const split = /^test_/.test(n) ? 0 : /^valid/.test(n) ? 1 : 2;
    return (i < 0 ? FIRST_METRICS.length : i) * 3 + split + (n.includes('.') ? 100 : 0);
  };
  return [...names].sort((a, b) => score(a) - score(b) || (a < b ? -1 : a > b ? 1 : 0));
}
