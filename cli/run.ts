// One check of one design at given bounds: the checker's result turned into kernel-level verdicts
// with their traces. Shared by `check`, `matrix`, the benchmark and the tests.
import { check, checkAsync, ModelError } from '../checker/bfs.js';
import { checkParallel } from '../checker/parallel.js';
import { CheckpointError, type Snapshot } from '../checker/checkpoint.js';
import type { CheckOptions, CheckResult, Coverage, Path, Progress, PropertyStatus, Stats, StopReason, WitnessStatus } from '../checker/model.js';
import type { Partition, PartitionOutcome } from '../checker/partition.js';
import type { Transition } from '../model/step.js';
import { UserError } from './errors.js';
import { MAX_BOUNDS, SYSCALLS, type Bounds } from '../model/bounds.js';
import { DesignError, type Design } from '../model/design.js';
import { designCode } from './designs.js';
import { releaseWorkerSlots } from './usercode.js';
import { kernelModel, type KernelModel } from '../model/model.js';
import type { World } from '../model/world.js';
import type { Scenario } from '../model/scenario.js';
import { makeProperties, propertyByName, type PropertyDef } from '../properties/index.js';
import { PropertyError } from '../properties/user.js';
import { buildTrace, type BuiltTrace } from '../traces/build.js';
import type { TraceFile } from '../traces/format.js';

export interface RunOptions {
  readonly symmetry?: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryBytes?: number;
  readonly exact?: boolean;
  readonly onProgress?: (p: Progress) => void;
  readonly shouldStop?: () => boolean;
  readonly checkpointEvery?: number;
  readonly onCheckpoint?: (s: Snapshot) => void;
  readonly resume?: Snapshot;
  /** Worker threads (default 1: the single-thread search). Above 1, the parallel search (checker/parallel.ts):
   *  the same verdicts, traces and counts; no checkpoints, no --exact, no coverage. */
  readonly workers?: number;
  /** The user's design module, bundled (cli/usercode.ts), when the design is not built in: each worker runs it. */
  readonly designCode?: string;
  /** A scenario: the tasks run these programs (model/scenario.ts). */
  readonly scenario?: Scenario;
  /** The `--properties` module's bundled code, whose properties the design carries: each worker runs it too. */
  readonly propertiesCode?: string;
  /** Make one part of a partitioned search (checker/partition.ts; single-thread only). */
  readonly partition?: Partition;
}

export interface Verdict {
  readonly name: string;
  readonly status: PropertyStatus;
  readonly message?: string;
  readonly trace?: TraceFile;
  readonly worlds?: readonly World[];
  /** The checker's path of the trace (step indices), for merging the parts of a partitioned search. */
  readonly path?: Path;
}
export interface WitnessVerdict {
  readonly name: string;
  readonly status: WitnessStatus;
  readonly found: boolean;
  readonly message?: string;
  readonly trace?: TraceFile;
  readonly worlds?: readonly World[];
  readonly path?: Path;
}

export interface Report {
  readonly design: Design;
  readonly bounds: Bounds;
  readonly properties: readonly Verdict[];
  readonly witnesses: readonly WitnessVerdict[];
  readonly stats: Stats;
  readonly stop: StopReason;
  /** Per syscall: transitions generated and how many reached a new state. */
  readonly coverage: readonly Coverage[];
  /** For a search stopped between two expansions (interrupted, time, memory): where to resume from. */
  readonly snapshot?: () => Snapshot;
  /** The scenario checked, if any: its `expect` for this design replaces the design's own table. */
  readonly scenario?: Scenario;
  /** For one part of a partitioned search: its split, for the merge. */
  readonly partition?: PartitionOutcome;
}

function searchOptions(model: KernelModel, bounds: Bounds, opts: RunOptions): CheckOptions<World, Transition> {
  return {
    properties: makeProperties(model.ctx),
    // A violating state ends its path: a broken kernel's later life is not explored (and a bug that makes
    // a count grow forever would otherwise make the space infinite).
    pruneViolating: true,
    // The frontier's worlds as words in one arena (model/codec.ts): a few hundred bytes per waiting state
    // instead of kilobytes of objects, and less garbage to collect.
    compact: true,
    ...(bounds.depth > 0 ? { maxDepth: bounds.depth } : {}),
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxSeconds !== undefined ? { maxSeconds: opts.maxSeconds } : {}),
    ...(opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {}),
    ...(opts.exact ? { exact: true } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    ...(opts.onCheckpoint ? { onCheckpoint: opts.onCheckpoint, checkpointEvery: opts.checkpointEvery ?? 60 } : {}),
    ...(opts.resume ? { resume: opts.resume } : {}),
    ...(opts.partition ? { partition: opts.partition } : {}),
  };
}

/** A design that threw while the search expanded a state: one line, and the steps to that state. */
function explainFailure(e: unknown, model: KernelModel, design: Design, bounds: Bounds): never {
  if (e instanceof CheckpointError) throw new UserError('E_CHECKPOINT', `inconsistent checkpoint for ${design.name} at these bounds (${e.message}): start the run again`);
  if (e instanceof ModelError && e.cause instanceof DesignError) {
    let trace: BuiltTrace | undefined;
    try {
      if (e.path) trace = buildTrace(model, e.path, design.name, bounds, 'design-threw', e.cause.message);
    } catch { /* the path itself throws when replayed: the one-line message will have to do */ }
    throw new UserError('E_DESIGN_THROWS', e.cause.message, trace ? { trace } : {});
  }
  if (e instanceof ModelError && e.cause instanceof PropertyError) {
    // The trace leads to the state (or ends with the step) the property was checked on.
    let trace: BuiltTrace | undefined;
    try {
      if (e.path) trace = buildTrace(model, e.action >= 0 ? { init: e.path.init, steps: [...e.path.steps, e.action] } : e.path, design.name, bounds, e.cause.property, e.cause.message);
    } catch { /* the one-line message will have to do */ }
    throw new UserError('E_PROPERTY_THROWS', e.cause.message, trace ? { trace } : {});
  }
  throw e instanceof ModelError ? e.cause : e;   // our own bug: keep the original error and its stack
}

const modelFor = (design: Design, bounds: Bounds, opts: RunOptions): KernelModel =>
  kernelModel(design, bounds, { symmetry: opts.symmetry ?? true, ...(opts.scenario ? { programs: opts.scenario.programs } : {}) });

export function runCheck(design: Design, bounds: Bounds, opts: RunOptions = {}): Report {
  const model = modelFor(design, bounds, opts);
  let result: CheckResult;
  try { result = check(model, searchOptions(model, bounds, opts)); } catch (e) { explainFailure(e, model, design, bounds); }
  return toReport(design, bounds, model, result, opts.scenario);
}

/** The same, giving the event loop turns, so that SIGINT and SIGTERM can stop the search. */
export async function runCheckAsync(design: Design, bounds: Bounds, opts: RunOptions = {}): Promise<Report> {
  const model = modelFor(design, bounds, opts);
  let result: CheckResult;
  if ((opts.workers ?? 1) > 1) {
    try { result = await runParallel(model, design, bounds, opts); } catch (e) { explainFailure(reproduce(e, model), model, design, bounds); }
    return toReport(design, bounds, model, result, opts.scenario);
  }
  try { result = await checkAsync(model, searchOptions(model, bounds, opts)); } catch (e) { explainFailure(e, model, design, bounds); }
  return toReport(design, bounds, model, result, opts.scenario);
}

/** `--workers N`: a whole number from 1 to 64; above 1 it cannot go with checkpoints. */
export function parseWorkers(raw: unknown, withCheckpoint: boolean): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64) {
    throw new UserError('E_WORKERS', `--workers expects a whole number from 1 to 64, got '${String(raw)}'`);
  }
  const n = Number(raw);
  if (n > 1 && withCheckpoint) throw new UserError('E_WORKERS', '--workers cannot be combined with --checkpoint or --resume (a parallel search takes no checkpoints)');
  return n;
}

/** The workers load the factory module in the form this code runs in: sources (tsx) or dist/'s JavaScript. */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The run options for `workers` threads: the design's code too when the design is not built in. */
export function parallelRun(workers: number, design: Design): Pick<RunOptions, 'workers' | 'designCode'> {
  if (workers <= 1) return {};
  const code = designCode(design);
  return { workers, ...(code !== undefined ? { designCode: code } : {}) };
}

/** The search with opts.workers worker threads, each rebuilding the model through model/factory.ts. */
function runParallel(model: KernelModel, design: Design, bounds: Bounds, opts: RunOptions): Promise<CheckResult> {
  if (opts.resume !== undefined || opts.onCheckpoint !== undefined) {
    throw new UserError('E_WORKERS', '--workers cannot be combined with --checkpoint or --resume (a parallel search takes no checkpoints)');
  }
  if (opts.exact === true) throw new UserError('E_WORKERS', '--workers cannot be combined with --exact');
  const { properties, ...options } = searchOptions(model, bounds, opts);
  if (properties.length > MAX_PARALLEL_PROPERTIES) {
    throw new UserError('E_WORKERS', `--workers checks at most ${MAX_PARALLEL_PROPERTIES} properties, this run has ${properties.length} (the built-in ones and ${design.properties?.length ?? 0} of yours)`);
  }
  // The workers are gone when it settles: what they were running is no longer the sandbox's to watch.
  // User code (a design module, a --properties module) goes to the workers as the code the main thread ran.
  const userCode = opts.designCode !== undefined || opts.propertiesCode !== undefined;
  return checkParallel({
    module: userCode ? new URL(`./factory${EXT}`, import.meta.url) : new URL(`../model/factory${EXT}`, import.meta.url),
    params: { design: design.name, bounds, symmetry: opts.symmetry ?? true, ...(opts.designCode !== undefined ? { designCode: opts.designCode } : {}),
      ...(opts.scenario ? { programs: opts.scenario.programs } : {}), ...(opts.propertiesCode !== undefined ? { propertiesCode: opts.propertiesCode } : {}) },
    workers: opts.workers!,
  }, options).finally(releaseWorkerSlots);
}

/** The parallel search keeps a record's verdicts as the bits of one 32-bit word (checker/parallel.ts). */
const MAX_PARALLEL_PROPERTIES = 31;

/** A model error in a worker arrives as a copy (a DesignError or a PropertyError is then a plain Error):
 *  take the same step again here, and check the properties on it, where the design's or the property's own
 *  error is thrown, so that it is explained as in a single-thread run. */
function reproduce(e: unknown, model: KernelModel): unknown {
  if (!(e instanceof ModelError)) return e;
  const props = makeProperties(model.ctx);
  const checkState = (w: World): void => { for (const p of props) if (p.on === 'state') p.check(w); };
  try {
    if (e.path === undefined) { for (const w of model.initial()) checkState(w); return e; }
    let s = model.initial()[e.path.init]!;
    for (const k of e.path.steps) s = model.next(s, model.steps(s)[k]!);
    const acts = model.steps(s);
    if (e.action >= 0) {
      const a = acts[e.action]!;
      const t = model.next(s, a);
      for (const p of props) if (p.on === 'step') p.check(s, a, t);
      checkState(t);
    }
  } catch (x) {
    return new ModelError(x, e.path, e.action);
  }
  return e;
}

/** The bounds a trace of this run records. A scenario's programs call what they call, whatever --ops and
 *  --msg-fds say: the trace's bounds name those calls and their fd counts too, so that it reads as within
 *  its own bounds (cli/trace-file.ts). */
export function traceBounds(bounds: Bounds, scenario?: Scenario): Bounds {
  if (!scenario) return bounds;
  const lines = scenario.programs.flat();
  const used = new Set<string>([...bounds.ops, ...lines.map((l) => l.syscall)]);
  const counts = lines.map((l) => { const a = l.args as { rights?: readonly unknown[]; files?: readonly unknown[] }; return l.syscall === 'sendmsg' ? a.rights?.length ?? 0 : l.syscall === 'io_uring_register' ? a.files?.length ?? 0 : 0; });
  return { ...bounds, ops: SYSCALLS.filter((s) => used.has(s)), msgFds: Math.min(MAX_BOUNDS.msgFds, Math.max(bounds.msgFds, ...counts)) };
}

function toReport(design: Design, bounds: Bounds, model: KernelModel, result: CheckResult, scenario?: Scenario): Report {
  const recorded = traceBounds(bounds, scenario);
  const traced = (name: string, path: NonNullable<CheckResult['properties'][number]['path']> | undefined, message: string | undefined) => {
    if (!path) return {};
    const t = buildTrace(model, path, design.name, recorded, name, message ?? '');
    return { trace: t.trace, worlds: t.worlds, path };
  };
  return {
    design, bounds, stop: result.stop, stats: result.stats, coverage: result.coverage ?? [], ...(scenario ? { scenario } : {}),
    ...(result.snapshot ? { snapshot: result.snapshot } : {}),
    ...(result.partition ? { partition: result.partition } : {}),
    properties: result.properties.map((p) => ({ name: p.name, status: p.status,
      ...(p.message !== undefined ? { message: p.message } : {}), ...traced(p.name, p.path, p.message) })),
    witnesses: result.witnesses.map((p) => ({ name: p.name, status: p.status, found: p.status === 'found',
      ...(p.message !== undefined ? { message: p.message } : {}), ...traced(p.name, p.path, p.message) })),
  };
}

/** A verdict as the design's `expected` table spells it. */
export const expectationOf = (v: Verdict | WitnessVerdict): string =>
  v.status === 'found' ? 'found' : v.status === 'not-found' ? 'not-found' : v.status;

/** What the verdicts should be: the scenario's expectations for this design, or the design's own table
 *  (which speaks of free exploration at the default bounds). */
export const expectedOf = (r: Report): Readonly<Record<string, string>> =>
  r.scenario ? (Object.hasOwn(r.scenario.expect, r.design.name) ? r.scenario.expect[r.design.name]! : {}) : r.design.expected;

const defOf = (r: Report, name: string): PropertyDef | undefined =>
  propertyByName(name) ?? r.design.properties?.find((p) => p.name === name);

/** Why a verdict's property cannot apply to the report's design (printed `n/a`), or undefined. A violation
 *  or a found witness always applies: only an empty verdict can be n/a. */
export function inapplicableWhy(r: Report, v: Verdict | WitnessVerdict): string | undefined {
  if (v.status === 'violated' || v.status === 'found') return undefined;
  return defOf(r, v.name)?.inapplicable?.(r.design);
}

/** The witnesses that guard a property that holds (or holds within a bound) and were not found: its
 *  `holds` may then be vacuous (the bounds never let the case it is about happen). In a scenario the
 *  programs are fixed and only scenario-completes (guards '*') speaks for them; in free exploration the
 *  other witnesses do. */
export function vacuityOf(r: Report, v: Verdict): string[] {
  if (v.status === 'violated' || inapplicableWhy(r, v) !== undefined) return [];
  return r.witnesses.filter((w) => {
    if (w.status === 'found' || inapplicableWhy(r, w) !== undefined) return false;
    const g = defOf(r, w.name)?.guards;
    return r.scenario ? g === '*' : g !== '*' && (g?.includes(v.name) ?? false);
  }).map((w) => w.name);
}

/** Properties whose verdict differs from what the design expects (bounded and n/a verdicts are not counted). */
export function surprises(r: Report): { name: string; expected: string; actual: string }[] {
  const out: { name: string; expected: string; actual: string }[] = [];
  for (const v of [...r.properties, ...r.witnesses]) {
    const exp = expectedOf(r)[v.name];
    if (exp === undefined || v.status === 'bounded' || inapplicableWhy(r, v) !== undefined) continue;
    if (exp !== expectationOf(v)) out.push({ name: v.name, expected: exp, actual: expectationOf(v) });
  }
  return out;
}
