// `inflight simulate`: seeded random walks beyond the BFS bounds, with the counterexample shrunk and then
// re-run on the immutable path (replay-checked) before it is printed.
import { simulate, type SimulationResult } from '../checker/simulate.js';
import type { Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { kernelModel } from '../model/model.js';
import { makeProperties } from '../properties/index.js';
import { buildTrace, type BuiltTrace } from '../traces/build.js';
import { replayTrace } from '../traces/replay.js';

export interface SimulationReport {
  readonly design: Design;
  readonly bounds: Bounds;
  readonly result: SimulationResult;
  /** The shrunk counterexample as a trace, checked by replay to violate the same property at its end. */
  readonly trace?: BuiltTrace;
}

export function runSimulation(design: Design, bounds: Bounds, opts: { depth: number; runs: number; seed: number; shortcutStates?: number }): SimulationReport {
  const model = kernelModel(design, bounds);
  const result = simulate(model, { properties: makeProperties(model.ctx), ...opts });
  const v = result.violation;
  if (!v) return { design, bounds, result };
  const trace = buildTrace(model, v.path, design.name, bounds, v.property, v.message);
  const again = replayTrace(trace.trace, design).findings.find((f) => f.property === v.property);
  if (!again || again.step !== trace.trace.steps.length) {
    throw new Error(`simulate: the shrunk trace does not replay to ${v.property} (model bug)`);
  }
  return { design, bounds, result, trace };
}

export function simulationJson(r: SimulationReport): object {
  const v = r.result.violation;
  return {
    design: r.design.name, bounds: r.bounds, seed: r.result.seed, runs: r.result.runs, steps: r.result.steps, longest: r.result.longest,
    seconds: r.result.seconds,
    ...(v && r.trace ? { violation: { property: v.property, message: v.message, originalLength: v.originalLength, trace: r.trace.trace } } : {}),
  };
}
