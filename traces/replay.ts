// Re-running a saved trace against a design: does each step still return what the trace recorded,
// and which properties does the run violate (after a fix: does it still reach the violation?).
import { makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import type { ProgramStep, Result } from '../model/step.js';
import type { World } from '../model/world.js';
import { makeProperties, SCENARIO_PROPERTIES } from '../properties/index.js';
import { runSteps, walkSteps } from './build.js';
import { Compactor } from './compact.js';
import type { TraceFile } from './format.js';
import { stepDetails } from './text.js';

export interface ReplayedStep {
  readonly recorded: Result;
  /** What the design returns; undefined when the model could not make the call at all. */
  readonly actual?: Result;
  readonly agrees: boolean;
}

export interface Finding {
  readonly property: string;
  readonly kind: 'always' | 'sometimes';
  /** The step after which it fired (0 = in the initial world). */
  readonly step: number;
  readonly message: string;
}

export interface ReplayOutcome {
  readonly design: string;
  readonly steps: readonly ReplayedStep[];
  /** Every world (worlds[0] the initial one), unless the replay was asked to keep none. */
  readonly worlds: readonly World[];
  /** How many steps the design made (all of them unless `impossibleAt`). */
  readonly made: number;
  /** With `details`: each step's lines of text (traces/text.ts stepDetails), step by step. */
  readonly details?: readonly (readonly string[])[];
  /** The first step (1-based) the model could not make (a dead task, a bound): replay stopped there. */
  readonly impossibleAt?: number;
  /** The first time each property fired along the replay. */
  readonly findings: readonly Finding[];
}

export interface ReplayOptions {
  /** Keep every world in the outcome (the default); a trace of 10,000 steps that opened thousands of files
   *  holds hundreds of MB of them. */
  readonly keepWorlds?: boolean;
  /** Compute the text of each step as the replay goes: what it changed, or the whole world after it. */
  readonly details?: 'changes' | 'full';
}

const same = (a: Result, b: Result): boolean =>
  a.ret === b.ret && a.errno === b.errno && JSON.stringify(a.fds ?? []) === JSON.stringify(b.fds ?? []);

/** The programs a replay runs the trace's tasks under: a scenario-completes trace's own (check writes
 *  them), so that the witness is checked again; other traces are replayed as free exploration. */
export function tracePrograms(trace: TraceFile): readonly (readonly ProgramStep[])[] | undefined {
  return SCENARIO_PROPERTIES.some((p) => p.name === trace.property) ? trace.programs : undefined;
}

export function replayTrace(trace: TraceFile, design: Design, opts: ReplayOptions = {}): ReplayOutcome {
  const ctx = makeCtx(design, trace.bounds, tracePrograms(trace));
  const props = makeProperties(ctx);
  // makeProperties lists the built-in properties first, then the design's own. The built-in ones are checked
  // on the compaction of each world (traces/compact.ts); the user's, which may read anything, on the world.
  const builtins = props.length - (design.properties?.length ?? 0);
  const fired: (Finding | undefined)[] = props.map(() => undefined);
  let open = props.length;
  const worlds: World[] = [];
  const details: string[][] = [];
  const compactor = new Compactor();
  const fire = (i: number, step: number, message: string): void => {
    const p = props[i]!;
    fired[i] = { property: p.name, kind: p.kind, step, message };
    open--;
  };
  const run = walkSteps(trace.steps, ctx, (i, before, after, result) => {
    if (opts.keepWorlds !== false) worlds.push(after);
    if (i >= 0 && opts.details) details.push(stepDetails(before, after, opts.details === 'full', design.refcount));
    if (open === 0) return;
    // One renumbering for both worlds of a step (a step property compares them id by id): what either keeps,
    // and every file the step allocated.
    if (i >= 0) compactor.mark(after, before, before.files.length); else compactor.mark(after);
    const cAfter = compactor.compact(after);
    const cBefore = i >= 0 ? compactor.compact(before) : undefined;
    const s = i >= 0 ? trace.steps[i]! : undefined;
    const tr = s && { step: { task: s.task, syscall: s.syscall, args: s.args } as never, result: result! };
    // The kernel's io-wq and ring teardown steps name their ring by file id: renumbered for the compaction.
    const ring = s && (s.syscall === 'io_wq' || s.syscall === 'io_ring_exit') ? (s.args as { ring: number }).ring : undefined;
    const cTr = tr && (ring === undefined ? tr : { ...tr, step: { task: s!.task, syscall: s!.syscall, args: { ...s!.args, ring: compactor.m(ring) } } as never });
    for (let j = 0; j < props.length; j++) {
      if (fired[j] !== undefined) continue;
      const p = props[j]!;
      if (p.on === 'state') {
        if (j >= builtins) { const m = p.check(after); if (m !== undefined) fire(j, i + 1, m); continue; }
        if (p.check(cAfter) !== undefined) fire(j, i + 1, p.check(after) ?? p.check(cAfter)!);
      } else if (tr !== undefined) {
        if (j >= builtins) { const m = p.check(before, tr, after); if (m !== undefined) fire(j, i + 1, m); continue; }
        if (p.check(cBefore!, cTr!, cAfter) !== undefined) fire(j, i + 1, p.check(before, tr, after) ?? p.check(cBefore!, cTr!, cAfter)!);
      }
    }
  });
  const steps: ReplayedStep[] = trace.steps.slice(0, run.results.length).map((s, i) =>
    ({ recorded: s.result, actual: run.results[i]!, agrees: same(s.result, run.results[i]!) }));
  if (run.impossible !== undefined) steps.push({ recorded: trace.steps[run.impossible]!.result, agrees: false });
  return {
    design: design.name, steps, worlds, made: run.results.length, findings: fired.filter((f) => f !== undefined),
    ...(opts.details ? { details } : {}),
    ...(run.impossible !== undefined ? { impossibleAt: run.impossible + 1 } : {}),
  };
}

/** Can `design` make the first `n` steps of the trace (whatever they return)? */
export function makesSteps(trace: TraceFile, design: Design, n: number): boolean {
  return runSteps(trace.steps.slice(0, n), makeCtx(design, trace.bounds)).impossible === undefined;
}
