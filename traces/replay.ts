// Re-running a saved trace against a design: does each step still return what the trace recorded,
// and which properties does the run violate (after a fix: does it still reach the violation?).
import { makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import type { ProgramStep, Result } from '../model/step.js';
import type { World } from '../model/world.js';
import { makeProperties, SCENARIO_PROPERTIES } from '../properties/index.js';
import { runSteps } from './build.js';
import type { TraceFile } from './format.js';

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
  readonly worlds: readonly World[];
  /** The first step (1-based) the model could not make (a dead task, a bound): replay stopped there. */
  readonly impossibleAt?: number;
  /** The first time each property fired along the replay. */
  readonly findings: readonly Finding[];
}

const same = (a: Result, b: Result): boolean =>
  a.ret === b.ret && a.errno === b.errno && JSON.stringify(a.fds ?? []) === JSON.stringify(b.fds ?? []);

/** The programs a replay runs the trace's tasks under: a scenario-completes trace's own (check writes
 *  them), so that the witness is checked again; other traces are replayed as free exploration. */
export function tracePrograms(trace: TraceFile): readonly (readonly ProgramStep[])[] | undefined {
  return SCENARIO_PROPERTIES.some((p) => p.name === trace.property) ? trace.programs : undefined;
}

export function replayTrace(trace: TraceFile, design: Design): ReplayOutcome {
  const ctx = makeCtx(design, trace.bounds, tracePrograms(trace));
  const run = runSteps(trace.steps, ctx);
  const steps: ReplayedStep[] = trace.steps.slice(0, run.results.length).map((s, i) =>
    ({ recorded: s.result, actual: run.results[i]!, agrees: same(s.result, run.results[i]!) }));
  if (run.impossible !== undefined) steps.push({ recorded: trace.steps[run.impossible]!.result, agrees: false });
  const findings: Finding[] = [];
  for (const p of makeProperties(ctx)) {
    for (let i = 0; i < run.worlds.length; i++) {
      let msg: string | undefined;
      if (p.on === 'state') msg = p.check(run.worlds[i]!);
      else if (i > 0) {
        const s = trace.steps[i - 1]!;
        msg = p.check(run.worlds[i - 1]!, { step: { task: s.task, syscall: s.syscall, args: s.args } as never, result: run.results[i - 1]! }, run.worlds[i]!);
      }
      if (msg !== undefined) { findings.push({ property: p.name, kind: p.kind, step: i, message: msg }); break; }
    }
  }
  return {
    design: design.name, steps, worlds: run.worlds, findings,
    ...(run.impossible !== undefined ? { impossibleAt: run.impossible + 1 } : {}),
  };
}

/** Can `design` make the first `n` steps of the trace (whatever they return)? */
export function makesSteps(trace: TraceFile, design: Design, n: number): boolean {
  return runSteps(trace.steps.slice(0, n), makeCtx(design, trace.bounds)).impossible === undefined;
}
