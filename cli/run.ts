// One check of one design at given bounds: the checker's result turned into kernel-level verdicts
// with their traces. Shared by `check`, `matrix`, the benchmark and the tests.
import { check } from '../checker/bfs.js';
import type { CheckResult, Coverage, Progress, PropertyStatus, Stats, StopReason, WitnessStatus } from '../checker/model.js';
import type { Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { kernelModel } from '../model/model.js';
import type { World } from '../model/world.js';
import { makeProperties } from '../properties/index.js';
import { buildTrace } from '../traces/build.js';
import type { TraceFile } from '../traces/format.js';

export interface RunOptions {
  readonly symmetry?: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly onProgress?: (p: Progress) => void;
  readonly shouldStop?: () => boolean;
}

export interface Verdict {
  readonly name: string;
  readonly status: PropertyStatus;
  readonly message?: string;
  readonly trace?: TraceFile;
  readonly worlds?: readonly World[];
}
export interface WitnessVerdict {
  readonly name: string;
  readonly status: WitnessStatus;
  readonly found: boolean;
  readonly message?: string;
  readonly trace?: TraceFile;
  readonly worlds?: readonly World[];
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
}

export function runCheck(design: Design, bounds: Bounds, opts: RunOptions = {}): Report {
  const model = kernelModel(design, bounds, { symmetry: opts.symmetry ?? true });
  const result: CheckResult = check(model, {
    properties: makeProperties(model.ctx),
    // A violating state ends its path: a broken kernel's later life is not explored (and a bug that makes
    // a count grow forever would otherwise make the space infinite).
    pruneViolating: true,
    ...(bounds.depth > 0 ? { maxDepth: bounds.depth } : {}),
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxSeconds !== undefined ? { maxSeconds: opts.maxSeconds } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
  });
  const traced = (name: string, path: NonNullable<CheckResult['properties'][number]['path']> | undefined, message: string | undefined) => {
    if (!path) return {};
    const t = buildTrace(model, path, design.name, bounds, name, message ?? '');
    return { trace: t.trace, worlds: t.worlds };
  };
  return {
    design, bounds, stop: result.stop, stats: result.stats, coverage: result.coverage ?? [],
    properties: result.properties.map((p) => ({ name: p.name, status: p.status,
      ...(p.message !== undefined ? { message: p.message } : {}), ...traced(p.name, p.path, p.message) })),
    witnesses: result.witnesses.map((p) => ({ name: p.name, status: p.status, found: p.status === 'found',
      ...(p.message !== undefined ? { message: p.message } : {}), ...traced(p.name, p.path, p.message) })),
  };
}

/** A verdict as the design's `expected` table spells it. */
export const expectationOf = (v: Verdict | WitnessVerdict): string =>
  v.status === 'found' ? 'found' : v.status === 'not-found' ? 'not-found' : v.status;

/** Properties whose verdict differs from what the design expects (bounded verdicts are not counted). */
export function surprises(r: Report): { name: string; expected: string; actual: string }[] {
  const out: { name: string; expected: string; actual: string }[] = [];
  for (const v of [...r.properties, ...r.witnesses]) {
    const exp = r.design.expected[v.name];
    if (exp === undefined || v.status === 'bounded') continue;
    if (exp !== expectationOf(v)) out.push({ name: v.name, expected: exp, actual: expectationOf(v) });
  }
  return out;
}
