// One check of one design at given bounds: the checker's result turned into kernel-level verdicts
// with their traces. Shared by `check`, `matrix`, the benchmark and the tests.
import { check, checkAsync, ModelError } from '../checker/bfs.js';
import { checkParallel } from '../checker/parallel.js';
import type { Snapshot } from '../checker/checkpoint.js';
import type { CheckOptions, CheckResult, Coverage, Path, Progress, PropertyStatus, Stats, StopReason, WitnessStatus } from '../checker/model.js';
import type { Partition, PartitionOutcome } from '../checker/partition.js';
import type { Transition } from '../model/step.js';
import { resolve } from 'node:path';
import { UserError } from './errors.js';
import type { Bounds } from '../model/bounds.js';
import { DesignError, type Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { kernelModel, type KernelModel } from '../model/model.js';
import type { World } from '../model/world.js';
import type { Scenario } from '../model/scenario.js';
import { makeProperties } from '../properties/index.js';
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
  /** The user's design module (absolute path) when the design is not built in: each worker loads it. */
  readonly designFile?: string;
  /** A scenario: the tasks run these programs (model/scenario.ts). */
  readonly scenario?: Scenario;
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
  if (e instanceof ModelError && e.cause instanceof DesignError) {
    let trace: BuiltTrace | undefined;
    try {
      if (e.path) trace = buildTrace(model, e.path, design.name, bounds, 'design-threw', e.cause.message);
    } catch { /* the path itself throws when replayed: the one-line message will have to do */ }
    throw new UserError('E_DESIGN_THROWS', e.cause.message, trace ? { trace } : {});
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

/** The run options for `workers` threads: the design file too when the design is not built in. */
export function parallelRun(workers: number, designArg: unknown): Pick<RunOptions, 'workers' | 'designFile'> {
  if (workers <= 1) return {};
  return { workers, ...(typeof designArg === 'string' && builtinDesign(designArg) === undefined ? { designFile: resolve(designArg) } : {}) };
}

/** The search with opts.workers worker threads, each rebuilding the model through model/factory.ts. */
function runParallel(model: KernelModel, design: Design, bounds: Bounds, opts: RunOptions): Promise<CheckResult> {
  if (opts.resume !== undefined || opts.onCheckpoint !== undefined) {
    throw new UserError('E_WORKERS', '--workers cannot be combined with --checkpoint or --resume (a parallel search takes no checkpoints)');
  }
  if (opts.exact === true) throw new UserError('E_WORKERS', '--workers cannot be combined with --exact');
  const { properties: _, ...options } = searchOptions(model, bounds, opts);
  return checkParallel({
    module: new URL('../model/factory.ts', import.meta.url),
    params: { design: design.name, bounds, symmetry: opts.symmetry ?? true, ...(opts.designFile !== undefined ? { designFile: opts.designFile } : {}),
      ...(opts.scenario ? { programs: opts.scenario.programs } : {}) },
    workers: opts.workers!,
  }, options);
}

/** A model error in a worker arrives as a copy (a DesignError is then a plain Error): take the same step
 *  again here, where the design's own error is thrown, so that it is explained as in a single-thread run. */
function reproduce(e: unknown, model: KernelModel): unknown {
  if (!(e instanceof ModelError) || e.path === undefined) return e;
  try {
    let s = model.initial()[e.path.init]!;
    for (const k of e.path.steps) s = model.next(s, model.steps(s)[k]!);
    const acts = model.steps(s);
    if (e.action >= 0) model.next(s, acts[e.action]!);
  } catch (x) {
    return new ModelError(x, e.path, e.action);
  }
  return e;
}

function toReport(design: Design, bounds: Bounds, model: KernelModel, result: CheckResult, scenario?: Scenario): Report {
  const traced = (name: string, path: NonNullable<CheckResult['properties'][number]['path']> | undefined, message: string | undefined) => {
    if (!path) return {};
    const t = buildTrace(model, path, design.name, bounds, name, message ?? '');
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
  r.scenario ? r.scenario.expect[r.design.name] ?? {} : r.design.expected;

/** Properties whose verdict differs from what the design expects (bounded verdicts are not counted). */
export function surprises(r: Report): { name: string; expected: string; actual: string }[] {
  const out: { name: string; expected: string; actual: string }[] = [];
  for (const v of [...r.properties, ...r.witnesses]) {
    const exp = expectedOf(r)[v.name];
    if (exp === undefined || v.status === 'bounded') continue;
    if (exp !== expectationOf(v)) out.push({ name: v.name, expected: exp, actual: expectationOf(v) });
  }
  return out;
}
