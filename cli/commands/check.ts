// inflight check: one design against every property (free exploration, or a scenario's interleavings).
import { writeFileSync } from 'node:fs';
import { checkBounds, DEFAULT_BOUNDS } from '../../model/bounds.js';
import { scenarioBounds, type Scenario } from '../../model/scenario.js';
import { PROPERTIES, SCENARIO_PROPERTIES } from '../../properties/index.js';
import type { PropertyDef } from '../../properties/property.js';
import { traceToJson } from '../../traces/format.js';
import type { Command } from '../command.js';
import { BOUND_OPTIONS, boundsFrom, clearLine, exitFor, givenBounds, limitsFrom, opt, progressLine, scenarioFrom, wholeNumber } from '../common.js';
import { loadDesign } from '../designs.js';
import { oneLine, UserError } from '../errors.js';
import type { Io, Values } from '../kit.js';
import { checkPartDocument, checkSearch, partNote } from '../merge.js';
import { parsePartition } from '../part-file.js';
import { CheckpointWriter, designIdentity, readCheckpoint, type CheckpointMeta } from '../persist.js';
import { designWithPropertiesFlag } from '../properties.js';
import { renderReport, reportJson } from '../render.js';
import { writeCheckOutputs } from '../report.js';
import { inapplicableWhy, parallelRun, parseWorkers, runCheckAsync, type Report, type Verdict, type WitnessVerdict } from '../run.js';

export const check: Command = {
  name: 'check',
  summary: 'check a design against every property: free exploration, or every interleaving of a scenario',
  usage: ['inflight check --design NAME|FILE.ts [--scenario NAME|FILE [--variant V]] [bounds] [options]'],
  description: [
    'Prints each verdict (VIOLATED with the shortest trace, holds, holds within N steps when a limit',
    'stopped the search, n/a, witnesses found or not). Exit 0: nothing violated, 1: a property violated.',
  ],
  options: {
    design: opt.design(),
    scenario: opt.scenario(),
    variant: opt.variant(),
    json: opt.json('the result as JSON (verdicts with checkedDepth, traces, stats, coverage)'),
    'trace-out': { type: 'string', arg: 'FILE', help: "write the first violated property's trace to FILE (for replay, render, repro, kernel)" },
    'trace-of': { type: 'string', arg: 'NAME', help: "with --trace-out: that property's or witness's trace instead (e.g. scenario-completes)" },
    full: opt.full(),
    witnesses: { type: 'boolean', help: "print found witnesses' traces too (by default a witness is one line)" },
    dot: { type: 'string', arg: 'DIR', help: 'the reference graph of each step of each trace as DIR/<property>-step-<n>.dot' },
    html: { type: 'string', arg: 'DIR', help: 'the viewer site for this design (DIR/index.html)' },
    properties: opt.properties(),
    strict: opt.strict(),
    ...BOUND_OPTIONS,
    checkpoint: { type: 'string', arg: 'FILE', help: 'save the search every 60 s (and when interrupted)', group: 'long runs' },
    'checkpoint-every': { type: 'string', arg: 'SECONDS', help: 'with --checkpoint: how often', group: 'long runs' },
    resume: { type: 'string', arg: 'FILE', help: 'go on from a checkpoint (same design and options): ends exactly as an uninterrupted run', group: 'long runs' },
    workers: { type: 'string', arg: 'N', help: 'search with N worker threads (default 1): the same verdicts, traces and counts', group: 'long runs' },
    partition: { type: 'string', arg: 'I/N', help: 'make part I (0..N-1) of a search split N ways (N alone: I from JOB_COMPLETION_INDEX);\nwith --json the result is a part file for merge', group: 'long runs' },
    'split-depth': { type: 'string', arg: 'D', help: 'with --partition: split at this level', group: 'long runs' },
  },
  examples: [
    'inflight check --design seed-2019',
    'inflight check --design viro-2019 --tasks 2 --depth 8 --json',
    'inflight check --design linux-5.1 --scenario cve-2022-2602 --trace-out uaf.json',
    'inflight check --design ./mine.ts --properties ./props.ts --html site',
    'inflight check --design seed-2019 --tasks 2 --checkpoint run.ckpt',
  ],
  run: ({ values }, io) => runCheckCommand(values, io),
};

async function runCheckCommand(values: Values, io: Io): Promise<number> {
  if (typeof values['design'] !== 'string') throw new UserError('E_USAGE', 'check needs --design NAME (see: inflight designs) or --design ./file.ts');
  const part = partitionFrom(values);
  const scenario = await scenarioFrom(values);
  const bounds = scenario ? scenarioBounds(scenario, DEFAULT_BOUNDS, givenBounds(values)) : boundsFrom(values);
  if (scenario) { const bad = checkBounds(bounds); if (bad) throw new UserError('E_BOUNDS', bad); }
  const limits = limitsFrom(values);
  const { design, propertiesCode } = await designWithPropertiesFlag(await loadDesign(values['design']), values['properties']);
  const traceOf = traceOfFlag(values, design, scenario);
  const json = values['json'] === true;
  const live = io.tty === true && !json;
  // Checkpoints record the run's settings; a resume with other ones is refused.
  const meta: CheckpointMeta = { design: design.name, designId: designIdentity(values['design'], design, propertiesCode), bounds, symmetry: limits.symmetry, exact: limits.exact === true,
    ...(design.properties?.length ? { properties: design.properties.map((p) => p.name) } : {}),
    ...(scenario ? { scenario: `${scenario.name}${scenario.variant ? `/${scenario.variant}` : ''}` } : {}) };
  const checkpoint = typeof values['checkpoint'] === 'string' ? values['checkpoint'] : undefined;
  const every = wholeNumber(values, 'checkpoint-every');
  if (every !== undefined && checkpoint === undefined) throw new UserError('E_USAGE', '--checkpoint-every goes with --checkpoint FILE');
  if (every === 0) throw new UserError('E_BOUNDS', '--checkpoint-every must be at least 1 second');
  const workers = parseWorkers(values['workers'], checkpoint !== undefined || values['resume'] !== undefined);
  const resume = typeof values['resume'] === 'string' ? readCheckpoint(values['resume'], meta) : undefined;
  // Refuses a path that is not a regular file or a new one before the search starts.
  const saver = checkpoint !== undefined ? new CheckpointWriter(checkpoint, meta) : undefined;
  const stopNow = (): boolean => saver?.stopped() === true || io.interrupted?.() === true;
  const report = await runCheckAsync(design, bounds, { ...limits, ...progressLine(io, live, design.name),
    ...(io.interrupted || saver ? { shouldStop: stopNow } : {}),
    ...(saver ? { onCheckpoint: saver.write, checkpointEvery: every ?? 60 } : {}),
    ...(resume ? { resume } : {}), ...parallelRun(workers, design), ...(scenario ? { scenario } : {}),
    ...(propertiesCode !== undefined ? { propertiesCode } : {}), ...(part ? { partition: part } : {}) });
  clearLine(io, live);
  if (saver && !saver.failure && report.snapshot && saver.write(report.snapshot())) {
    // Interrupted (or at a limit): the search can go on from exactly here.
    if (!json) io.err(`checkpoint written to ${checkpoint}: go on with --resume ${checkpoint}`);
  }
  const noTrace = writeTraceOut(report, values['trace-out'], traceOf, io, json);
  await writeCheckOutputs(report, values, io, json);
  const usual = reportJson(report);
  const doc = part ? checkPartDocument(report, usual, checkSearch(values['design'], design, bounds, { ...limits, exact: limits.exact === true, partition: part,
    ...(scenario ? { scenario, scenarioArg: values['scenario'] as string } : {}) })) : usual;
  io.out(json ? JSON.stringify(doc, null, 2) : renderReport(report, { full: values['full'] === true, witnesses: values['witnesses'] === true, colour: io.colour === true }) + (part ? partNote(report) : ''));
  // --trace-of NAME whose verdict has no trace: the result above, then why nothing was written.
  if (noTrace !== undefined) throw new UserError('E_NO_TRACE', noTrace);
  // A checkpoint that could not be written (a full disk): the partial result above, then the error.
  if (saver?.failure) throw new UserError('E_OUTPUT', `${saver.failure.message}; the search stopped there (the result above is partial)`);
  return exitFor(report, values['strict'] === true);
}

/** --trace-of NAME: a property or witness this run checks (checked before the search, which may be long). */
function traceOfFlag(v: Values, design: { readonly name: string; readonly properties?: readonly PropertyDef[] }, scenario: Scenario | undefined): string | undefined {
  const name = v['trace-of'];
  if (name === undefined) return undefined;
  if (typeof v['trace-out'] !== 'string') throw new UserError('E_USAGE', '--trace-of NAME goes with --trace-out FILE (the file the trace is written to)');
  if (typeof name !== 'string' || name === '') throw new UserError('E_USAGE', '--trace-of needs a property or witness name');
  if (!scenario && SCENARIO_PROPERTIES.some((p) => p.name === name)) {
    throw new UserError('E_USAGE', `--trace-of ${name}: that witness is checked only with --scenario (a scenario's programs run to their end)`);
  }
  const known = [...PROPERTIES, ...(scenario ? SCENARIO_PROPERTIES : []), ...(design.properties ?? [])].map((p) => p.name);
  if (!known.includes(name)) throw new UserError('E_USAGE', `--trace-of: unknown property or witness '${name.slice(0, 64)}' (known: ${known.join(', ')})`);
  return name;
}

/** Why a verdict has no trace, in words: a trace shows a violation or a witness found. */
function untraced(r: Report, v: Verdict | WitnessVerdict): string {
  const na = inapplicableWhy(r, v);
  if (na !== undefined) return `does not apply to design ${r.design.name} (${na})`;
  const witness = 'found' in v;
  if (v.status === 'bounded') return witness ? `was not found within ${r.stats.depth} steps (a limit stopped the search)` : `holds within ${r.stats.depth} steps (a limit stopped the search)`;
  return witness ? 'was not found' : 'holds';
}

/** check --trace-out FILE [--trace-of NAME]: writes the trace of NAME's verdict, by default of the first
 *  violated property. Returns the message for a NAME whose verdict has no trace (nothing written). */
function writeTraceOut(report: Report, out: unknown, traceOf: string | undefined, io: Io, json: boolean): string | undefined {
  if (typeof out !== 'string') return undefined;
  const all: readonly (Verdict | WitnessVerdict)[] = [...report.properties, ...report.witnesses];
  const chosen = traceOf !== undefined ? all.find((v) => v.name === traceOf) : report.properties.find((p) => p.trace);
  if (chosen?.trace) {
    try { writeFileSync(out, traceToJson(chosen.trace)); } catch (e) {
      throw new UserError('E_OUTPUT', `cannot write ${out}: ${oneLine((e as Error).message)}`);
    }
    if (!json) io.err(`trace of ${chosen.name}${'found' in chosen ? ' (witness)' : ''} written to ${out}`);
    return undefined;
  }
  if (traceOf !== undefined) return `--trace-of ${traceOf}: ${chosen ? `${traceOf} ${untraced(report, chosen)}` : 'not checked in this run'}, so it has no trace: ${out} not written`;
  const found = report.witnesses.filter((w) => w.trace).map((w) => w.name);
  if (!json) io.err(`no property is violated, so there is no violation's trace: ${out} not written` +
    (found.length ? ` (a witness's trace: --trace-of ${found.join(' | ')})` : ''));
  return undefined;
}

/** --partition I/N [--split-depth D]: single-thread, without checkpoints (a part is one short CLI run). */
function partitionFrom(v: Values): { index: number; count: number; splitDepth?: number } | undefined {
  const p = parsePartition('partition', v['partition']);
  const split = wholeNumber(v, 'split-depth');
  if (!p) {
    if (split !== undefined) throw new UserError('E_USAGE', '--split-depth goes with --partition');
    return undefined;
  }
  for (const flag of ['workers', 'checkpoint', 'resume']) {
    if (v[flag] !== undefined) throw new UserError('E_PARTITION', `--partition cannot be combined with --${flag}: a part is one single-thread run`);
  }
  // merge rebuilds the model from the parts' design alone, so it could not check a user property's trace.
  if (v['properties'] !== undefined) throw new UserError('E_PARTITION', '--partition cannot be combined with --properties yet: merge rebuilds the model without them (put the properties in the design module instead)');
  return { ...p, ...(split !== undefined ? { splitDepth: split } : {}) };
}

