// `inflight simulate`: seeded random walks beyond the BFS bounds, with the counterexample shrunk and then
// re-run on the immutable path (replay-checked) before it is printed.
import { simulate, swarmPart, type SimulationResult } from '../checker/simulate.js';
import { simulatePartDocument, simulateSearch } from './merge.js';
import { parsePartition } from './part-file.js';
import type { Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { kernelModel } from '../model/model.js';
import { makeProperties } from '../properties/index.js';
import { buildTrace, type BuiltTrace } from '../traces/build.js';
import { replayTrace } from '../traces/replay.js';
import { writeFileSync } from 'node:fs';
import { traceToJson } from '../traces/format.js';
import { renderSteps } from '../traces/text.js';
import { loadDesign } from './designs.js';
import { oneLine, UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { CliKit, Io, Values } from './kit.js';
import { fmtInt, formatBounds } from './render.js';

export interface SimulationReport {
  readonly design: Design;
  readonly bounds: Bounds;
  readonly result: SimulationResult;
  /** The shrunk counterexample as a trace, checked by replay to violate the same property at its end. */
  readonly trace?: BuiltTrace;
}

export function runSimulation(design: Design, bounds: Bounds, opts: { depth: number; runs: number; seed: number; shortcutStates?: number; order?: number }): SimulationReport {
  const model = kernelModel(design, bounds);
  const result = simulate(model, { properties: makeProperties(model.ctx), ...opts });
  const v = result.violation;
  if (!v) return { design, bounds, result };
  const trace = buildTrace(model, v.path, design.name, bounds, v.property, v.message);
  const again = replayTrace(trace.trace, design, { keepWorlds: false }).findings.find((f) => f.property === v.property);
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

/** `inflight simulate --design D [bounds] [--depth N] [--runs N] [--seed S] [--json] [--trace-out F] [--full]` */
export async function cmdSimulate({ values }: Parsed, io: Io, kit: CliKit): Promise<number> {
  if (typeof values['design'] !== 'string') throw new UserError('E_USAGE', 'simulate needs --design NAME or --design ./file.ts');
  // --depth is the length of a walk here (the bounds' depth limits BFS, not walks).
  const depth = num(values, 'depth') ?? 60;
  const bounds = kit.boundsFrom({ ...values, depth: undefined });
  const runs = num(values, 'runs') ?? 10000;
  if (depth < 1 || depth > 10000) throw new UserError('E_BOUNDS', '--depth for simulate must be between 1 and 10000');
  if (runs < 1 || runs > 10_000_000) throw new UserError('E_BOUNDS', '--runs must be between 1 and 10000000');
  const seedRaw = values['seed'];
  const swarm = parsePartition('swarm', values['swarm']);
  let seed: number;
  // The parts of a swarm must share their base seed: 0 unless given.
  if (seedRaw === undefined) seed = swarm ? 0 : Math.floor(Math.random() * 2 ** 31);
  else if (typeof seedRaw === 'string' && /^-?\d+$/.test(seedRaw) && Math.abs(Number(seedRaw)) < 2 ** 31) seed = Number(seedRaw);
  else throw new UserError('E_BOUNDS', `--seed expects an integer (|seed| < 2^31), got '${String(seedRaw)}'`);
  const design = await loadDesign(values['design']);
  const own = swarm ? swarmPart(seed, depth, swarm.index) : { seed, depth, order: 0 };
  const r = runSimulation(design, bounds, { depth: own.depth, runs, seed: own.seed, order: own.order });
  const v = r.result.violation;
  const out = values['trace-out'];
  if (typeof out === 'string' && r.trace) {
    try { writeFileSync(out, traceToJson(r.trace.trace)); } catch (e) {
      throw new UserError('E_OUTPUT', `cannot write ${out}: ${oneLine((e as Error).message)}`);
    }
  }
  if (values['json'] === true) {
    const usual = simulationJson(r);
    io.out(JSON.stringify(swarm ? simulatePartDocument(usual, simulateSearch(values['design'], design, bounds, { depth, runs, seed, count: swarm.count }), swarm.index, {
      seed: own.seed, depth: own.depth, runs: r.result.runs, steps: r.result.steps, longest: r.result.longest, seconds: r.result.seconds,
      ...(v ? { violation: { property: v.property, message: v.message, path: v.path, originalLength: v.originalLength } } : {}),
    }) : usual, null, 2));
  } else {
    const res = r.result;
    const lines = [
      `simulate design ${design.name}${swarm ? ` (swarm part ${swarm.index} of ${swarm.count})` : ''}: seed ${own.seed}, ${fmtInt(res.runs)} walk${res.runs === 1 ? '' : 's'} of at most ${own.depth} steps, ` +
      `${fmtInt(res.steps)} steps in all (longest ${res.longest}), ${res.seconds.toFixed(2)} s`,
      `bounds: ${formatBounds(bounds)}`,
    ];
    if (!v || !r.trace) lines.push('', 'no property violated on any walk');
    else {
      lines.push('', `${v.property} violated on walk ${fmtInt(res.runs)}; shrunk from ${v.originalLength} to ${r.trace.trace.steps.length} steps; reproduce with ${swarm ? `--swarm ${swarm.index}/${swarm.count} --seed ${seed}` : `--seed ${seed}`}`,
        `${v.property}: ${v.message}`, renderSteps(r.trace.trace.steps, r.trace.worlds, { full: values['full'] === true, counter: design.refcount }));
    }
    io.out(lines.join('\n'));
  }
  return v ? 1 : 0;
}

function num(v: Values, flag: string): number | undefined {
  const raw = v[flag];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UserError('E_BOUNDS', `--${flag} expects a whole number, got '${String(raw)}'`);
  return Number(raw);
}
