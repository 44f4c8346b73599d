// Building the page from data without ever parsing text as HTML: every string becomes a text node, so whatever a
// user wrote (run names, tags, reasons, column names) is shown as text. Nothing in the UI uses innerHTML.

const BOOLEAN_PROPS = new Set(['checked', 'disabled', 'selected', 'required', 'multiple', 'hidden', 'open', 'readOnly']);
// Links and sources: this server's own paths, fragments, queries, or plain http(s); never javascript: or data:.
const SAFE_URL = /^(\/(?![\/\\])|#|\?|https?:\/\/)/i;

/** An element: h('a', {href: '/runs', class: 'x', onclick: fn}, 'text', child, [more]). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      setProp(el, key, value);
    }
  }
  append(el, children);
  return el;
}

function setProp(el, key, value) {
  if (value === undefined || value === null || value === false) {
    return;
  }
  if (key === 'innerHTML' || key === 'outerHTML' || key === 'style' || key === 'srcdoc') {
    throw new Error(`h(): '${key}' is not allowed (CSP and escaping): use classes, or el.style from script`);
  }
  if (key === 'class') {
    el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
  } else if (key.startsWith('on') && typeof value === 'function') {
    el.addEventListener(key.slice(2), value);
  } else if (key === 'href' || key === 'src' || key === 'action') {
    const url = String(value);
    el.setAttribute(key, SAFE_URL.test(url) ? url : '#');
  } else if (key === 'value') {
    el.value = value;
  } else if (BOOLEAN_PROPS.has(key)) {
    el[key] = Boolean(value);
  } else if (key === 'text') {
    el.textContent = String(value);
  } else {
    el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened, null/false skipped. */
export function append(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
  return el;
}

/** Replaces el's children. */
export function mount(el, ...children) {
  clear(el);
  return append(el, ...children);
}

/** A path with every interpolated value URL-encoded: path`/models/${name}/monitoring`. */
export function path(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => {
    out += encodeURIComponent(String(v)) + strings[i + 1];
  });
  return out;
}
