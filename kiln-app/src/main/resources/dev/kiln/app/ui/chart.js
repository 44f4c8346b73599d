// Charts on uPlot 1.6.30 (vendored from its WebJar, MIT): every chart has axes with labels and a legend.
// uPlot writes labels with textContent, so series names from users stay text.
import { h } from './dom.js';

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];

function uPlotClass() {
  if (!window.uPlot) {
    throw new Error('the chart library (uPlot) did not load');
  }
  return window.uPlot;
}

function frame(el, title) {
  const wrap = h('figure', { class: 'chart' });
  el.appendChild(wrap);
  return wrap;
}

function widthOf(wrap) {
  return Math.max(240, Math.floor(wrap.clientWidth || wrap.parentElement.clientWidth || 600));
}

function draw(wrap, opts, data) {
  const U = uPlotClass();
  const plot = new U({ ...opts, width: widthOf(wrap) }, data, wrap);
  if (window.ResizeObserver) {
    const ro = new ResizeObserver(() => {
      if (!document.body.contains(wrap)) {
        ro.disconnect();
        return;
      }
      const w = widthOf(wrap);
      if (Math.abs(w - plot.width) > 4) {
        plot.setSize({ width: w, height: opts.height });
      }
    });
    ro.observe(wrap);
  }
  return plot;
}

/** Lines: series [{label, x: [...], y: [...]}] on one x axis (numbers, or epoch milliseconds when time). */
export function lineChart(el, { title, xLabel, yLabel, time = false, series, height = 260 }) {
  const wrap = frame(el, title);
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const ys = series.map((s) => {
    const at = new Map(s.x.map((x, i) => [x, s.y[i]]));
    return xs.map((x) => (at.has(x) && at.get(x) !== null && Number.isFinite(at.get(x)) ? at.get(x) : null));
  });
  // One point: uPlot would stretch the axis over years around it; show an hour (or a unit) either side instead.
  const one = xs.length === 1 ? (time ? xs[0] / 1000 : xs[0]) : null;
  const half = time ? 3600 : Math.max(1, Math.abs(one || 0) * 0.1);
  const opts = {
    title, height,
    scales: { x: one === null ? { time } : { time, range: [one - half, one + half] } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{ label: xLabel }, ...series.map((s, i) => ({
      label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true,
      points: { show: xs.length <= 60 },
    }))],
  };
  return draw(wrap, opts, [time ? xs.map((x) => x / 1000) : xs, ...ys]);
}

/** Points: [{x, y, label}], one series per distinct `group` if given. */
export function scatterChart(el, { title, xLabel, yLabel, points, height = 280 }) {
  const wrap = frame(el, title);
  const sorted = [...points].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
  const opts = {
    title, height,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{ label: xLabel }, { label: yLabel, stroke: PALETTE[0], fill: PALETTE[0], paths: () => null, points: { show: true, size: 9 } }],
  };
  return draw(wrap, opts, [sorted.map((p) => p.x), sorted.map((p) => p.y)]);
}

/**
 * Bars over categories (a histogram's bins, top values, importances). tickLabels (optional, same length as labels) are
 * what the axis writes under each bar ('' for none: thinning a histogram's 20 bins, shortening long category names);
 * the legend always shows the full label.
 */
export function barChart(el, { title, xLabel, yLabel, labels, values, height = 220, color = PALETTE[0], tickLabels }) {
  const wrap = frame(el, title);
  const U = uPlotClass();
  const xs = labels.map((_, i) => i);
  const rotate = (tickLabels || labels).filter((t) => t !== '').length > 8;
  // Rotated names are cut to 14 characters (the legend and the tooltip keep the whole name) and get the room they need,
  // so they never run into the axis title.
  const ticks = (tickLabels || labels).map((t) => {
    const text = t === undefined || t === null ? '' : String(t);
    return rotate && text.length > 14 ? `${text.slice(0, 13)}…` : text;
  });
  const longest = Math.max(1, ...ticks.map((t) => t.length));
  const opts = {
    title, height: rotate ? height + Math.round(longest * 4.5) : height,
    scales: {
      x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] },
      // Bars start at zero: a bar's length is its value.
      y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
    },
    axes: [
      { label: xLabel, splits: () => xs, values: (u, splits) => splits.map((i) => (ticks[i] === undefined ? '' : ticks[i])),
        rotate: rotate ? -45 : 0, size: rotate ? 24 + Math.round(longest * 5.2) : 50 },
      { label: yLabel },
    ],
    series: [
      { label: xLabel, value: (u, i) => (i === null || labels[i] === undefined ? '—' : String(labels[i])) },
      { label: yLabel, stroke: color, fill: `${color}99`, paths: U.paths.bars({ size: [0.8, 60] }), points: { show: false } },
    ],
  };
  return draw(wrap, opts, [xs, values.map((v) => (Number.isFinite(v) ? v : null))]);
}

/** Colour of v in [0, max]: white to orange to red. */
export function heatColour(v, max) {
  if (v === null || v === undefined || !Number.isFinite(v)) {
    return '#f1f5f9';
  }
  const t = Math.max(0, Math.min(1, max > 0 ? v / max : 0));
  const r = 255;
  const g = Math.round(255 - t * 190);
  const b = Math.round(255 - t * 235);
  return `rgb(${r}, ${g}, ${b})`;
}

/** A heat map as a table: rows x cols, each cell coloured by value(r, c), with a legend of the scale. */
export function heatmap(el, { title, rows, cols, value, format = (v) => (v === null || v === undefined ? '—' : String(v)), max, rowLabel = '', colLabel = (c) => String(c) }) {
  const values = rows.map((r) => cols.map((c) => value(r, c)));
  const top = max !== undefined ? max : Math.max(0, ...values.flat().filter((v) => Number.isFinite(v)));
  const table = h('table', { class: 'heat' },
    title ? h('caption', null, title) : null,
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, rowLabel), cols.map((c) => h('th', { scope: 'col' }, colLabel(c))))),
    h('tbody', null, rows.map((r, i) => h('tr', null, h('th', { scope: 'row' }, String(r)), cols.map((c, j) => {
      const v = values[i][j];
      const td = h('td', { class: 'num', title: `${r} · ${colLabel(c)}: ${format(v)}` }, format(v));
      td.style.backgroundColor = heatColour(v, top);
      return td;
    })))));
  const bar = h('span', { class: 'heat-scale' });
  bar.style.background = `linear-gradient(to right, ${heatColour(0, 1)}, ${heatColour(0.5, 1)}, ${heatColour(1, 1)})`;
  const wrap = h('figure', { class: 'heatmap' }, h('div', { class: 'table-wrap' }, table),
    h('figcaption', { class: 'legend' }, format(0), ' ', bar, ' ', format(top)));
  el.appendChild(wrap);
  return wrap;
}
