// From a checker path (step indices) to a kernel-level trace: replay the indices through the model,
// then re-run every step on the immutable path (immer) so that the trace's worlds are produced by the
// same recipes the way tests and users run them. The two paths must agree; if they do not, that is a
// bug in the model, and we say so rather than print a trace that does not replay.
import { replayPath } from '../checker/replay.js';
import type { Path } from '../checker/model.js';
import { applyStep, formatStep } from '../model/apply.js';
import type { Bounds } from '../model/bounds.js';
import type { KernelModel } from '../model/model.js';
import type { Ctx, Step } from '../model/step.js';
import { initialWorld, type World } from '../model/world.js';
import { TRACE_FORMAT, type TraceFile, type TraceStep } from './format.js';

/** properties/scenario-completes.ts's name (not imported: the properties import the model, not traces). */
const SCENARIO_WITNESS = 'scenario-completes';

export interface BuiltTrace {
  readonly trace: TraceFile;
  /** worlds[0] is the initial world, worlds[i] the world after step i. */
  readonly worlds: readonly World[];
}

export function buildTrace(model: KernelModel, path: Path, design: string, bounds: Bounds, property: string, violation: string): BuiltTrace {
  const { actions } = replayPath(model, path);
  const steps: TraceStep[] = [];
  const worlds: World[] = [initialWorld(bounds.tasks, bounds.fds)];
  for (const tr of actions) {
    const done = applyStep(worlds[worlds.length - 1]!, tr.step, model.ctx);
    if (!done || JSON.stringify(done.result) !== JSON.stringify(tr.result)) {
      throw new Error(`model bug: ${formatStep(tr.step)} gives a different result on the immutable path`);
    }
    worlds.push(done.world);
    steps.push(toTraceStep(tr.step, done.result));
  }
  // The witness that a scenario's programs run to their end carries them: a replay checks it against them.
  const programs = property === SCENARIO_WITNESS && model.ctx.programs ? { programs: model.ctx.programs.map((p) => p.map((l) => ({ syscall: l.syscall, args: l.args }))) } : {};
  return { trace: { format: TRACE_FORMAT, design, bounds, property, violation, steps, ...programs }, worlds };
}

export const toTraceStep = (step: Step, result: TraceStep['result']): TraceStep =>
  ({ task: step.task, syscall: step.syscall, args: step.args, result });

export const traceStepToStep = (s: TraceStep): Step => ({ task: s.task, syscall: s.syscall, args: s.args } as Step);

/** Runs the steps of a trace from the initial world; stops early if a step is impossible. */
export function runSteps(steps: readonly TraceStep[], ctx: Ctx): { worlds: World[]; results: TraceStep['result'][]; impossible?: number } {
  const worlds: World[] = [initialWorld(ctx.bounds.tasks, ctx.bounds.fds)];
  const results: TraceStep['result'][] = [];
  for (let i = 0; i < steps.length; i++) {
    const done = applyStep(worlds[i]!, traceStepToStep(steps[i]!), ctx);
    if (!done) return { worlds, results, impossible: i };
    worlds.push(done.world);
    results.push(done.result);
  }
  return { worlds, results };
}
