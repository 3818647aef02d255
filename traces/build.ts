// From a checker path (step indices) to a kernel-level trace: replay the indices through the model,
// then re-run every step on the immutable path (immer) so that the trace's worlds are produced by the
// same recipes the way tests and users run them. The two paths must agree; if they do not, that is a
// bug in the model, and we say so rather than print a trace that does not replay.
import { replayPath } from '../checker/replay.js';
import type { Path } from '../checker/model.js';
import { applyMutable, applyStep, formatStep, guardStep } from '../model/apply.js';
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

/** Runs the steps of a trace from the initial world, keeping no world: `visit(i, before, after, result)`
 *  sees step i + 1 as it is made (`visit(-1, w0, w0)` first, for the initial world). Stops at the first
 *  step the model cannot make. The steps run on the checker's path (a copy the recipe mutates, released
 *  files that hold nothing shared: applyMutable), which a test holds to the immutable one; building each
 *  world with immer costs time in the number of files the world has ever had. */
export function walkSteps(steps: readonly TraceStep[], ctx: Ctx, visit: (i: number, before: World, after: World, result?: TraceStep['result']) => void): { results: TraceStep['result'][]; impossible?: number } {
  let w = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  visit(-1, w, w);
  const results: TraceStep['result'][] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = traceStepToStep(steps[i]!);
    const result = guardStep(w, step, ctx);
    if (!result) return { results, impossible: i };
    const next = mutableStep(w, step, result, ctx);
    // applyMutable shares a released file that holds nothing between the worlds, frozen, but only its top
    // level: a step that wrote into its socket (through a dangling fd a double fput left) would change
    // the world before it too. Frozen through, such a write throws, and the step is made under immer.
    for (let id = 0; id < next.files.length; id++) { const f = next.files[id]!; if (f !== w.files[id] && Object.isFrozen(f)) deepFreeze(f); }
    results.push(result);
    visit(i, w, next, result);
    w = next;
  }
  return { results };
}

/** applyMutable, or the immutable path where it throws: a step that writes to a released file (through a
 *  dangling fd a double fput left) fails on the checker's path, where released files that hold nothing are
 *  shared frozen; under immer it is made, as replay made it before. A step that throws on both throws as
 *  it did. */
function mutableStep(w: World, step: Step, result: TraceStep['result'], ctx: Ctx): World {
  try { return applyMutable(w, { step, result }, ctx); } catch (e) {
    const done = applyStep(w, step, ctx);
    if (!done) throw e;
    return done.world;
  }
}

function deepFreeze(x: unknown): void {
  if (x === null || typeof x !== 'object') return;
  for (const v of Object.values(x)) deepFreeze(v);
  Object.freeze(x);
}
