// Text for humans: verdict tables and traces.
import type { Bounds } from '../model/bounds.js';
import { CORE_OPS, SYSCALLS } from '../model/bounds.js';
import { renderSteps } from '../traces/text.js';
import { paintVerdict } from './colour.js';
import { expectedOf, inapplicableWhy, surprises, vacuityOf, type Report, type Verdict, type WitnessVerdict } from './run.js';
import type { CheckJson } from './json-results.js';

export const fmtInt = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`): string => `${fmtInt(n)} ${n === 1 ? one : many}`;

export function formatBounds(b: Bounds): string {
  const same = (a: readonly string[], c: readonly string[]): boolean => a.length === c.length && a.every((x) => c.includes(x));
  const ops = same(b.ops, SYSCALLS) ? 'all' : same(b.ops, CORE_OPS) ? 'core' : b.ops.join(',');
  return `tasks ${b.tasks}, files ${b.files}, fds ${b.fds}, skbs ${b.skbs}, msg-fds ${b.msgFds}, reqs ${b.reqs}, gc ${b.gc},${b.oob ? ' oob,' : ''} depth ${b.depth || 'unbounded'}, ops ${ops}`;
}

const STOP_TEXT: Record<Report['stop'], string> = {
  exhausted: 'every reachable state explored',
  decided: 'stopped once every property had its verdict',
  depth: 'stopped at the depth bound (deeper states exist)',
  states: 'stopped at --max-states',
  time: 'stopped at --timeout',
  memory: 'stopped at --max-memory',
  interrupted: 'interrupted',
};

/** What a limited search proved of a verdict it left open: nothing violated (or no witness) within the
 *  depth to which every state was checked (Stats.depth: the deepest level all of whose states were
 *  discovered, and every transition into it checked). `cell`: the short form of matrices. */
export function boundedText(v: Verdict | WitnessVerdict, checkedDepth: number, cell = false): string {
  const witness = 'found' in v;
  if (cell) return `${witness ? 'not-found' : 'holds'}/≤${checkedDepth}`;
  return `${witness ? 'not found' : 'holds'} within ${plural(checkedDepth, 'step')}`;
}

function verdictCell(v: Verdict | WitnessVerdict, checkedDepth: number): string {
  const n = v.trace ? ` (${v.trace.steps.length} step${v.trace.steps.length === 1 ? '' : 's'})` : '';
  switch (v.status) {
    case 'violated': return `VIOLATED${n}`;
    case 'found': return `found${n}`;
    case 'not-found': return 'not found';
    case 'bounded': return boundedText(v, checkedDepth);
    default: return v.status;
  }
}

/** `witnesses`: print witnesses' traces in full too (by default a found witness is one line: its length and
 *  how to get its trace); a violation's trace is always printed. */
export function renderReport(r: Report, opts: { full?: boolean; witnesses?: boolean; colour?: boolean } = {}): string {
  const s = r.stats;
  const out: string[] = [];
  out.push(`design ${r.design.name}: ${r.design.summary}`);
  if (r.scenario) out.push(`scenario ${r.scenario.name}${r.scenario.variant ? ` (variant ${r.scenario.variant})` : ''}: ${r.scenario.summary}`);
  // In a scenario the tasks make their programs' calls, not the ops.
  out.push(`bounds: ${r.scenario ? formatBounds(r.bounds).replace(/, ops [^,]*$/, ", ops: the scenario's programs") : formatBounds(r.bounds)}`);
  out.push(`${plural(s.distinct, 'distinct state')}, ${fmtInt(s.generated)} generated, depth ${s.depth}, ` +
    `${s.seconds.toFixed(2)} s (${fmtInt(Math.round(s.statesPerSecond))} states/s); ${STOP_TEXT[r.stop]}` +
    (s.queue ? `, ${plural(s.queue, 'state')} left on the queue` : ''));
  out.push(`fingerprint collision probability ${s.collisionProbability.toExponential(1)}`);
  if (s.pruned > 0) out.push(`${plural(s.pruned, 'state violates', 'states violate')} a property and ${s.pruned === 1 ? 'was' : 'were'} not expanded: the other verdicts speak of the paths that avoid every violation`);
  out.push('');
  const width = Math.max(...[...r.properties, ...r.witnesses].map((v) => v.name.length));
  const cell = (v: Verdict | WitnessVerdict): string => { const why = inapplicableWhy(r, v); return why !== undefined ? `n/a (${why})` : verdictCell(v, s.depth); };
  const on = opts.colour === true;
  for (const v of r.properties) out.push(`  ${v.name.padEnd(width)}  ${paintVerdict(cell(v), on)}`);
  for (const v of r.witnesses) out.push(`  ${v.name.padEnd(width)}  ${paintVerdict(cell(v), on)}  (witness)`);
  const odd = surprises(r);
  const vacuous = r.properties.map((v) => ({ v, by: vacuityOf(r, v) })).filter((x) => x.by.length > 0);
  if (odd.length || vacuous.length) out.push('');
  for (const x of odd) out.push(`  note: ${r.scenario ? `scenario ${r.scenario.name} expects of design ${r.design.name}` : `design ${r.design.name} expects`} ${x.name} to be ${x.expected}, it is ${x.actual}`);
  for (const { v, by } of vacuous) out.push(`  note: ${v.name} may hold vacuously: its witness${by.length > 1 ? 'es' : ''} ${by.join(', ')} ${by.length > 1 ? 'were' : 'was'} not found (inflight explain ${by[0]})`);
  if (r.coverage.length) {
    out.push('');
    out.push('coverage (transitions that reached a new state : transitions generated, per syscall):');
    const cells = r.coverage.map((c) => `${c.label} ${fmtInt(c.distinct)}:${fmtInt(c.generated)}`);
    for (let i = 0; i < cells.length; i += 4) out.push(`  ${cells.slice(i, i + 4).join('   ')}`);
  }
  const found = r.witnesses.filter((v) => v.trace && v.worlds);
  for (const v of [...r.properties, ...(opts.witnesses === true ? found : [])]) {
    if (!v.trace || !v.worlds) continue;
    out.push('');
    out.push(`${v.name}: ${v.message ?? ''}`);
    out.push(renderSteps(v.trace.steps, v.worlds, { ...opts, counter: r.design.refcount }));
  }
  if (opts.witnesses !== true && found.length > 0) {
    out.push('');
    for (const v of found) out.push(`${v.name}: ${v.message ?? ''} (witness, ${plural(v.trace!.steps.length, 'step')})`);
    out.push(`witness traces: add --witnesses to print them, or --trace-out FILE --trace-of NAME to save one (for replay, repro, kernel)`);
  }
  return out.join('\n');
}

/** A verdict's status for JSON: the checker's, or `n/a` with the reason. */
export function statusJson(r: Report, v: Verdict | WitnessVerdict): { status: string; why?: string } {
  const why = inapplicableWhy(r, v);
  return why !== undefined ? { status: 'n/a', why } : { status: v.status };
}

/** `possiblyVacuous` for JSON: the witnesses guarding a property that were not found (a witness guards none). */
export function vacuousJson(r: Report, v: Verdict | WitnessVerdict): { possiblyVacuous?: string[] } {
  const by = 'found' in v ? [] : vacuityOf(r, v);
  return by.length > 0 ? { possiblyVacuous: by } : {};
}

/** A matrix cell: VIOLATED/n, found/n, holds, holds/≤N …; `n/a`; a trailing `?` when a witness that guards
 *  the property was not found (possibly vacuous). */
export function matrixCellText(r: Report, v: Verdict | WitnessVerdict): string {
  if (inapplicableWhy(r, v) !== undefined) return 'n/a';
  const text = v.status === 'violated' ? `VIOLATED/${v.trace?.steps.length}` : v.status === 'found' ? `found/${v.trace?.steps.length}`
    : v.status === 'bounded' ? boundedText(v, r.stats.depth, true) : v.status;
  return !('found' in v) && vacuityOf(r, v).length > 0 ? `${text}?` : text;
}

export function reportJson(r: Report): CheckJson {
  return {
    design: r.design.name,
    summary: r.design.summary,
    bounds: r.bounds,
    stop: r.stop,
    // checkedDepth: every state within that many steps was checked (for an exhausted search, the full depth).
    // status n/a (with `why`): the property cannot apply to the design; possiblyVacuous: the witnesses that
    // guard a property that holds and were not found.
    properties: r.properties.map((v) => ({ name: v.name, ...statusJson(r, v), checkedDepth: r.stats.depth, ...vacuousJson(r, v),
      ...(v.message !== undefined ? { message: v.message } : {}), ...(v.trace ? { trace: v.trace } : {}) })),
    witnesses: r.witnesses.map((v) => ({ name: v.name, found: v.found, ...statusJson(r, v), checkedDepth: r.stats.depth,
      ...(v.message !== undefined ? { message: v.message } : {}), ...(v.trace ? { trace: v.trace } : {}) })),
    stats: r.stats,
    coverage: r.coverage,
    ...(r.scenario ? { scenario: r.scenario.name, ...(r.scenario.variant ? { variant: r.scenario.variant } : {}) } : {}),
    expected: expectedOf(r),
    surprises: surprises(r),
  };
}
