// /pipelines: every pipeline with its latest runs; /pipelines/{pipeline}: one pipeline's runs (?limit=N). Each run: what
// triggered it, each stage as a chip (ran, skipped, refused, failed, not run) with its reason on hover and in text, the
// stages' durations as a small bar, and the outcome.
import { h, mount, path } from '../dom.js';
import { api } from '../api.js';
import { empty, section, badge } from '../components.js';
import { num, seconds, time, ago } from '../fmt.js';
import { reportSummary } from './validation-report.js';

export const START = './kiln pipeline init --data data.csv --target class && ./kiln pipeline run';
const RUNS_PER_PIPELINE = 5;
const STAGE_KIND = { ran: 'ran', skipped: 'skipped', refused: 'refused', failed: 'failed', not_run: 'not-run' };

export function statusKind(status) {
  return status === 'succeeded' ? 'ok' : status === 'refused' ? 'warn' : status === 'running' ? 'info' : 'bad';
}

export async function render(main, route) {
  const one = route.params.pipeline;
  if (one) {
    return renderOne(main, route, one);
  }
  route.title('Pipelines');
  const { pipelines } = await api.get('/api/pipelines');
  if (pipelines.length === 0) {
    mount(main, h('h1', null, 'Pipelines'), empty('No pipeline runs yet. Write a kiln.yaml for your data and run it:', START));
    return;
  }
  const recent = await Promise.all(pipelines.map((p) => api.get(path`/api/pipelines/${p.name}/runs`, { limit: RUNS_PER_PIPELINE })));
  mount(main,
    h('h1', null, 'Pipelines'),
    h('p', { class: 'muted' }, `${pipelines.length} ${pipelines.length === 1 ? 'pipeline' : 'pipelines'}, the most recently run first. `
      + 'A stage is skipped when its inputs are unchanged since a run that finished it.'),
    pipelines.map((p, i) => section(p.name,
      h('p', { class: 'row' }, h('a', { href: path`/pipelines/${p.name}` }, `All ${num(p.runs)} runs of ${p.name} →`),
        h('span', { class: 'muted' }, `last run ${ago(p.last_run.started_at)}: `), badge(p.last_run.status, statusKind(p.last_run.status))),
      runList(recent[i].runs, p.name))));
}

async function renderOne(main, route, name) {
  route.title(`Pipeline ${name}`);
  const limit = Number(route.query.get('limit')) || 50;
  const { runs } = await api.get(path`/api/pipelines/${name}/runs`, { limit });
  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: '/pipelines' }, 'Pipelines'), ' / ', name),
    h('h1', null, `Pipeline ${name}`),
    h('p', { class: 'row' }, h('span', { class: 'muted' }, `The latest ${runs.length} runs, newest first.`),
      h('a', { href: path`/data?dataset=${name}` }, `Its dataset versions →`),
      runs.length >= limit ? h('a', { href: `${path`/pipelines/${name}`}?limit=${limit * 4}` }, 'Show more runs') : null),
    runList(runs, name));
}

function runList(runs, pipeline) {
  const longest = Math.max(0.001, ...runs.map((r) => totalSeconds(r)));
  return h('ol', { class: 'pipeline-runs' }, runs.map((r, i) => run(r, pipeline, longest, i === 0)));
}

function totalSeconds(r) {
  return r.seconds !== null && r.seconds !== undefined ? r.seconds : r.stages.reduce((s, st) => s + (st.seconds || 0), 0);
}

function run(r, pipeline, longest, first) {
  const validate = r.stages.find((s) => s.stage === 'validate' && s.report);
  return h('li', { class: 'pipeline-run card', 'data-run': r.id },
    h('div', { class: 'run-head row' },
      badge(r.status, statusKind(r.status)),
      h('time', { datetime: r.started_at, title: time(r.started_at) }, time(r.started_at)),
      h('span', { class: 'trigger' }, badge(r.trigger.kind, 'muted'), ' ', r.trigger.reason || ''),
      h('span', { class: 'spacer' }),
      h('span', { class: 'num', title: 'run duration' }, seconds(totalSeconds(r)))),
    h('div', { class: 'stage-chips', role: 'list', 'aria-label': 'stages' }, r.stages.map((s) => chip(s))),
    durations(r, longest),
    h('p', { class: 'outcome' }, h('strong', null, 'Outcome: '), r.outcome || (r.status === 'running' ? 'still running' : '—')),
    h('details', { class: 'reasons', open: first },
      h('summary', null, 'Why each stage ran or was skipped'),
      h('ul', null, r.stages.map((s) => h('li', null,
        h('strong', null, s.stage), ` ${label(s.status)} — `, s.reason || s.message,
        s.seconds ? h('span', { class: 'muted' }, ` (${seconds(s.seconds)})`) : null)))),
    validate ? h('p', { class: 'validation-line' }, h('strong', null, 'Validation: '), reportSummary(validate.report), ' · ',
      r.dataset_sha256 ? h('a', { href: path`/data/${pipeline}/${r.dataset_sha256}` }, 'the report with the dataset →') : null) : null,
    r.dataset_sha256 ? h('p', { class: 'muted dataset-line' }, 'Data: ',
      h('a', { href: path`/data/${pipeline}/${r.dataset_sha256}`, class: 'mono' }, `${pipeline} ${r.dataset_sha256.slice(0, 12)}`)) : null);
}

function label(status) {
  return status === 'not_run' ? 'not run' : status;
}

function chip(s) {
  const reason = s.reason || s.message || '';
  return h('span', { class: `chip ${STAGE_KIND[s.status] || 'not-run'}`, role: 'listitem', title: `${s.stage} ${label(s.status)}: ${reason}`,
    tabindex: '0', 'aria-label': `${s.stage} ${label(s.status)}: ${reason}` },
  h('span', { class: 'chip-stage' }, s.stage), ' ', h('span', { class: 'chip-status' }, label(s.status)));
}

/** The stages' durations as one bar, each stage a segment as long as its share of the longest run shown. */
function durations(r, longest) {
  const bar = h('span', { class: 'duration-bar', role: 'img',
    'aria-label': r.stages.map((s) => `${s.stage} ${seconds(s.seconds || 0)}`).join(', ') });
  for (const s of r.stages) {
    if (!s.seconds) {
      continue;
    }
    const seg = h('span', { class: `seg ${STAGE_KIND[s.status] || 'not-run'}`, title: `${s.stage}: ${seconds(s.seconds)}` });
    seg.style.width = `${(100 * s.seconds) / longest}%`;
    bar.appendChild(seg);
  }
  return h('div', { class: 'durations' }, bar, h('span', { class: 'muted duration-text' },
    r.stages.filter((s) => s.seconds >= 0.05).map((s) => `${s.stage} ${seconds(s.seconds)}`).join(' · ') || 'every stage under 50 ms'));
}
