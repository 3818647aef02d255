// `inflight merge PART.json ... [--json] [--design FILE.ts] [--full]`: the parts of one partitioned check
// (`check --partition I/N --json`) or of one swarm (`simulate --swarm I/N --json`) as one result, as a
// single run would give it. The parts are verified first (format, checksum, one search, each part once,
// the same inflight and the same model); every counterexample kept is replayed against the model and must
// violate its property at its last step.
import { confirmPath, DEFAULT_PER_PART, mergeParts, modelDigest, Sketch, comparePaths, type MergedResult, type PartResult, type Partition } from '../checker/partition.js';
import type { Path, Property, PropertyOutcome, StopReason, WitnessOutcome } from '../checker/model.js';
import type { Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import type { Design } from '../model/design.js';
import { kernelModel, type KernelModel } from '../model/model.js';
import type { Scenario } from '../model/scenario.js';
import type { Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import { makeProperties } from '../properties/index.js';
import { buildTrace } from '../traces/build.js';
import { renderSteps } from '../traces/text.js';
import { loadDesign } from './designs.js';
import { UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { Io } from './kit.js';
import {
  designIdentity, inflightVersion, readPart, seal, searchDifference, sha256,
  type CheckSearch, type ReadPart, type Search, type SimulateSearch,
} from './part-file.js';
import { fmtInt, renderReport, reportJson } from './render.js';
import type { Report, Verdict, WitnessVerdict } from './run.js';
import { loadScenario } from './scenarios.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const propsOf = (model: KernelModel): Property<World, Transition>[] => makeProperties(model.ctx);
const modelFor = (design: Design, bounds: Bounds, symmetry: boolean, scenario?: Scenario): KernelModel =>
  kernelModel(design, bounds, { symmetry, ...(scenario ? { programs: scenario.programs } : {}) });

/** The identity of a partitioned check, as each part records it. */
export function checkSearch(designArg: string, design: Design, bounds: Bounds, o: {
  symmetry: boolean; exact: boolean; scenarioArg?: string; scenario?: Scenario; maxStates?: number; maxSeconds?: number; partition: Partition;
}): CheckSearch {
  const model = modelFor(design, bounds, o.symmetry, o.scenario);
  return {
    kind: 'check', inflight: inflightVersion(), design: designIdentity(designArg, design), modelDigest: modelDigest(model, propsOf(model)),
    bounds, symmetry: o.symmetry, exact: o.exact,
    scenario: o.scenarioArg !== undefined ? { name: o.scenarioArg, variant: o.scenario?.variant ?? null } : null,
    maxStates: o.maxStates ?? null, maxSeconds: o.maxSeconds ?? null,
    splitDepth: o.partition.splitDepth ?? null, perPart: o.partition.perPart ?? DEFAULT_PER_PART, count: o.partition.count,
  };
}

const outcomeJson = (v: Verdict | WitnessVerdict) => ({ name: v.name, status: v.status,
  ...(v.path ? { path: v.path } : {}), ...(v.message !== undefined ? { message: v.message } : {}) });

/** `check --partition --json`: the usual result, sealed with what the merge needs. */
export function checkPartDocument(report: Report, usual: object, search: CheckSearch): object {
  const p = report.partition!;
  return seal(usual, { search, index: p.index, result: {
    stop: report.stop, stats: report.stats, coverage: report.coverage,
    properties: report.properties.map(outcomeJson), witnesses: report.witnesses.map(outcomeJson),
    partition: { splitLevel: p.splitLevel, frontier: p.frontier, owned: p.owned, shared: p.shared, sketch: p.sketch.toBase64() },
  } });
}

/** A one-line note for `check --partition` without --json. */
export function partNote(report: Report): string {
  const p = report.partition!;
  return `\npart ${p.index} of ${p.count}: ${p.splitLevel === null ? 'the search ended before the split level: this part made the whole search'
    : `split at level ${p.splitLevel}, ${fmtInt(p.owned)} of its ${fmtInt(p.frontier)} states are this part's`}; ` +
    'a violation here is one of the whole search, but "holds" speaks of this share only: write each part with --json and merge them';
}

export async function cmdMerge({ values, positionals }: Parsed, io: Io): Promise<number> {
  if (positionals.length === 0) throw new UserError('E_USAGE', 'merge needs the part files: inflight merge part-0.json part-1.json ...');
  const parts = checkedParts(positionals.map(readPart));
  const search = parts[0]!.search;
  const design = await designOf(search, typeof values['design'] === 'string' ? values['design'] : undefined);
  return search.kind === 'check'
    ? mergeCheck(parts, search, design, io, values['json'] === true, values['full'] === true)
    : mergeSwarm(parts, search, design, io, values['json'] === true, values['full'] === true);
}

/** One search, this inflight, each part once, none missing; sorted by index. */
function checkedParts(parts: ReadPart[]): ReadPart[] {
  const first = parts[0]!;
  for (const p of parts.slice(1)) {
    const diff = searchDifference(first.search, p.search);
    if (diff) throw new UserError('E_MERGE', `${p.file} is a part of another search than ${first.file} (${diff})`);
  }
  if (first.search.inflight !== inflightVersion()) {
    throw new UserError('E_MERGE', `the parts were made by inflight ${first.search.inflight}, this is inflight ${inflightVersion()}: merge with the same version`);
  }
  const n = first.search.count;
  const byIndex = new Map<number, ReadPart>();
  for (const p of parts) {
    if (!Number.isInteger(p.index) || p.index < 0 || p.index >= n) throw new UserError('E_MERGE', `${p.file}: part index ${p.index} is not from 0 to ${n - 1}`);
    const twin = byIndex.get(p.index);
    if (twin) throw new UserError('E_MERGE', `${twin.file} and ${p.file} are both part ${p.index} of ${n}: give each part once`);
    byIndex.set(p.index, p);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UserError('E_MERGE', `part${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${n} ${missing.length > 1 ? 'are' : 'is'} missing: a merge needs every part (a result without them would not cover the search)`);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

async function designOf(search: Search, override: string | undefined): Promise<Design> {
  const id = search.design;
  if (id.file === undefined) {
    const d = builtinDesign(id.name);
    if (!d) throw new UserError('E_MERGE', `the parts checked design '${id.name}', which this inflight does not have`);
    return d;
  }
  const file = override ?? id.file;
  let text: Buffer;
  try { text = readFileSync(resolve(file)); } catch {
    throw new UserError('E_MERGE', `the parts checked the design file ${id.file}, which is not here: give it with --design FILE.ts`);
  }
  if (sha256(text) !== id.sha256) throw new UserError('E_MERGE', `${file} is not the design file the parts checked (its SHA-256 differs)`);
  return loadDesign(file);
}

function modelOfSearch(search: Search, design: Design, scenario?: Scenario): KernelModel {
  const model = modelFor(design, search.bounds, search.kind === 'check' ? search.symmetry : true, scenario);
  if (modelDigest(model, propsOf(model)) !== search.modelDigest) {
    throw new UserError('E_MERGE', `the parts were made with another build of design ${design.name} or of the model (its digest differs): merge with the inflight that made them`);
  }
  return model;
}

const STOPS: readonly StopReason[] = ['exhausted', 'decided', 'depth', 'states', 'time', 'memory', 'interrupted'];

/** A part's result, checked for shape against the model's properties (a file can be crafted). */
function partResult(p: ReadPart, props: readonly Property<World, Transition>[]): PartResult {
  const r = p.result;
  const bad = (what: string): never => { throw new UserError('E_MERGE', `${p.file}: ${what}`); };
  const outcomes = (list: unknown, kind: 'always' | 'sometimes', hit: string, none: string): (PropertyOutcome | WitnessOutcome)[] => {
    const want = props.filter((q) => q.kind === kind);
    if (!Array.isArray(list) || list.length !== want.length) return bad(`its ${kind === 'always' ? 'properties' : 'witnesses'} are not this model's`);
    return list.map((o: Record<string, unknown>, i) => {
      if (o?.['name'] !== want[i]!.name || ![hit, none, 'bounded'].includes(o['status'] as string)) bad(`verdict ${i + 1} is not one of ${want[i]!.name}`);
      if (o['status'] === hit && !isPath(o['path'])) bad(`${String(o['name'])} is ${hit} without a path`);
      return o as unknown as PropertyOutcome;
    });
  };
  const stats = r['stats'] as Record<string, unknown> | undefined;
  if (!STOPS.includes(r['stop'] as StopReason) || typeof stats !== 'object' || stats === null ||
      !['distinct', 'generated', 'depth', 'seconds', 'queue', 'pruned'].every((k) => typeof stats[k] === 'number')) bad('its counts are incomplete');
  const sp = r['partition'] as Record<string, unknown> | undefined;
  const sketch = Sketch.fromBase64(sp?.['sketch']);
  if (!sp || !sketch || !['frontier', 'owned', 'shared'].every((k) => typeof sp[k] === 'number') || (sp['splitLevel'] !== null && typeof sp['splitLevel'] !== 'number')) bad('its split is incomplete');
  return {
    properties: outcomes(r['properties'], 'always', 'violated', 'holds') as PropertyOutcome[],
    witnesses: outcomes(r['witnesses'], 'sometimes', 'found', 'not-found') as WitnessOutcome[],
    stop: r['stop'] as StopReason, stats: stats as unknown as PartResult['stats'],
    ...(Array.isArray(r['coverage']) ? { coverage: r['coverage'] as NonNullable<PartResult['coverage']> } : {}),
    partition: { index: p.index, count: p.search.count, splitLevel: sp!['splitLevel'] as number | null, frontier: sp!['frontier'] as number,
      owned: sp!['owned'] as number, shared: sp!['shared'] as number, sketch: sketch! },
  };
}

const isPath = (x: unknown): x is Path => typeof x === 'object' && x !== null && Number.isInteger((x as Path).init) &&
  Array.isArray((x as Path).steps) && (x as Path).steps.every((k) => Number.isInteger(k));

/** A kept counterexample: replayed, it must fire its property at its last step. */
function confirmed(model: KernelModel, props: readonly Property<World, Transition>[], name: string, path: Path, parts: readonly ReadPart[]): void {
  const p = props.find((q) => q.name === name)!;
  if (!confirmPath(model, p, path)) {
    throw new UserError('E_MERGE', `the counterexample for ${name} in ${parts.map((x) => x.file).join(', ')} does not replay to ${name} on this model: the part was edited or made by another model`);
  }
}

async function mergeCheck(parts: ReadPart[], search: CheckSearch, design: Design, io: Io, json: boolean, full: boolean): Promise<number> {
  const scenario = search.scenario ? await loadScenario(search.scenario.name, search.scenario.variant ?? undefined) : undefined;
  const model = modelOfSearch(search, design, scenario);
  const props = propsOf(model);
  const merged = mergeParts(parts.map((p) => partResult(p, props)));
  const traced = (o: PropertyOutcome | WitnessOutcome) => {
    if (!o.path) return {};
    confirmed(model, props, o.name, o.path, parts);
    const t = buildTrace(model, o.path, design.name, search.bounds, o.name, o.message ?? '');
    return { trace: t.trace, worlds: t.worlds, path: o.path };
  };
  const report: Report = {
    design, bounds: search.bounds, stop: merged.stop, stats: merged.stats, coverage: merged.coverage ?? [], ...(scenario ? { scenario } : {}),
    properties: merged.properties.map((p) => ({ name: p.name, status: p.status, ...(p.message !== undefined ? { message: p.message } : {}), ...traced(p) })),
    witnesses: merged.witnesses.map((w) => ({ name: w.name, status: w.status, found: w.status === 'found', ...(w.message !== undefined ? { message: w.message } : {}), ...traced(w) })),
  };
  const summary = mergeSummary(parts, merged);
  if (json) io.out(JSON.stringify({ ...reportJson(report), merge: summary }, null, 2));
  else io.out(`${renderReport(report, { full })}\n\n${renderMergeSummary(summary)}`);
  return report.properties.some((p) => p.status === 'violated') ? 1 : report.stop === 'interrupted' ? 130 : 0;
}

interface MergeSummary {
  readonly parts: number;
  readonly splitLevel: number | null;
  readonly frontier: number;
  readonly shared: number;
  readonly statesInParts: number;
  readonly distinctEstimate: number;
  readonly redundancy: number;
  readonly secondsLongestPart: number;
  readonly cpuSeconds: number;
  /** Verdicts with a trace that may not be the shortest (a part stopped early, before its length). */
  readonly notSurelyShortest: readonly string[];
  readonly perPart: readonly { index: number; stop: StopReason; distinct: number; generated: number; seconds: number; owned: number }[];
}

function mergeSummary(parts: readonly ReadPart[], m: MergedResult): MergeSummary {
  return {
    parts: parts.length, splitLevel: m.redundancy.splitLevel, frontier: m.redundancy.frontier, shared: m.redundancy.shared,
    statesInParts: m.redundancy.sum, distinctEstimate: m.redundancy.union, redundancy: Number(m.redundancy.factor.toFixed(3)),
    secondsLongestPart: m.stats.seconds, cpuSeconds: m.stats.cpuSeconds,
    notSurelyShortest: Object.entries(m.shortest).filter(([, sure]) => !sure).map(([name]) => name),
    perPart: parts.map((p) => {
      const r = p.result as { stop: StopReason; stats: { distinct: number; generated: number; seconds: number }; partition: { owned: number } };
      return { index: p.index, stop: r.stop, distinct: r.stats.distinct, generated: r.stats.generated, seconds: r.stats.seconds, owned: r.partition.owned };
    }),
  };
}

function renderMergeSummary(s: MergeSummary): string {
  const out = [`merged from ${s.parts} part${s.parts === 1 ? '' : 's'}: ${s.splitLevel === null ? 'the search ended before the split level, so every part made the whole search'
    : `split at level ${s.splitLevel} (${fmtInt(s.frontier)} states there, each part expanding its share)`}`];
  for (const p of s.perPart) {
    out.push(`  part ${p.index}: ${fmtInt(p.distinct)} distinct, ${fmtInt(p.generated)} generated, ${p.seconds.toFixed(2)} s, ${p.stop}${s.splitLevel === null ? '' : `, ${fmtInt(p.owned)} split states owned`}`);
  }
  const time = `the longest part took ${s.secondsLongestPart.toFixed(2)} s, all parts ${s.cpuSeconds.toFixed(2)} s`;
  out.push(s.splitLevel === null
    ? `states: ${fmtInt(s.statesInParts)} over all parts, ${fmtInt(s.distinctEstimate)} distinct: redundancy ×${s.redundancy.toFixed(2)}; ${time}`
    : `states: ${fmtInt(s.statesInParts)} over all parts, ${fmtInt(s.shared)} of them before the split in each; about ${fmtInt(s.distinctEstimate)} distinct ` +
      `(the part below the split estimated: standard error 0.8%): redundancy ×${s.redundancy.toFixed(2)}; ${time}`);
  if (s.notSurelyShortest.length > 0) out.push(`note: a part stopped early, so these traces may not be the shortest: ${s.notSurelyShortest.join(', ')}`);
  return out.join('\n');
}

// --- swarms ----------------------------------------------------------------------------------------------

/** The identity of a swarm, as each part records it. */
export function simulateSearch(designArg: string, design: Design, bounds: Bounds, o: { depth: number; runs: number; seed: number; count: number }): SimulateSearch {
  const model = modelFor(design, bounds, true);
  return { kind: 'simulate', inflight: inflightVersion(), design: designIdentity(designArg, design), modelDigest: modelDigest(model, propsOf(model)),
    bounds, depth: o.depth, runs: o.runs, seed: o.seed, count: o.count };
}

export function simulatePartDocument(usual: object, search: SimulateSearch, index: number, result: object): object {
  return seal(usual, { search, index, result });
}

interface SwarmPart { seed: number; depth: number; runs: number; steps: number; longest: number; seconds: number;
  violation?: { property: string; message: string; path: Path; originalLength: number } }

function mergeSwarm(parts: ReadPart[], search: SimulateSearch, design: Design, io: Io, json: boolean, full: boolean): number {
  const model = modelOfSearch(search, design);
  const props = propsOf(model);
  const rs = parts.map((p) => {
    const r = p.result as unknown as SwarmPart;
    if (!['seed', 'depth', 'runs', 'steps', 'longest', 'seconds'].every((k) => typeof (r as unknown as Record<string, unknown>)[k] === 'number')) {
      throw new UserError('E_MERGE', `${p.file}: its figures are incomplete`);
    }
    if (r.violation !== undefined && (!isPath(r.violation.path) || !props.some((q) => q.name === r.violation!.property && q.kind === 'always'))) {
      throw new UserError('E_MERGE', `${p.file}: its violation is not one of this model's`);
    }
    return { part: p, r };
  });
  // The shortest counterexample over the parts (ties: the least path, then the lowest part).
  const found = rs.filter((x) => x.r.violation !== undefined)
    .sort((a, b) => comparePaths(a.r.violation!.path, b.r.violation!.path) || a.part.index - b.part.index);
  const best = found[0];
  let trace: ReturnType<typeof buildTrace> | undefined;
  if (best) {
    const v = best.r.violation!;
    confirmed(model, props, v.property, v.path, [best.part]);
    trace = buildTrace(model, v.path, design.name, search.bounds, v.property, v.message);
  }
  const sum = (f: (r: SwarmPart) => number): number => rs.reduce((n, x) => n + f(x.r), 0);
  const merged = {
    design: design.name, bounds: search.bounds, parts: parts.length, seed: search.seed, runs: sum((r) => r.runs), steps: sum((r) => r.steps),
    longest: Math.max(...rs.map((x) => x.r.longest)), seconds: Math.max(...rs.map((x) => x.r.seconds)), cpuSeconds: sum((r) => r.seconds),
    perPart: rs.map(({ part, r }) => ({ index: part.index, seed: r.seed, depth: r.depth, runs: r.runs, steps: r.steps, seconds: r.seconds,
      ...(r.violation ? { violation: { property: r.violation.property, steps: r.violation.path.steps.length } } : {}) })),
    ...(best && trace ? { violation: { property: best.r.violation!.property, message: best.r.violation!.message, part: best.part.index,
      seed: best.r.seed, trace: trace.trace } } : {}),
  };
  if (json) io.out(JSON.stringify(merged, null, 2));
  else {
    const lines = [`swarm of ${parts.length} part${parts.length === 1 ? '' : 's'} on design ${design.name}: ${fmtInt(merged.runs)} walks, ${fmtInt(merged.steps)} steps in all ` +
      `(longest ${merged.longest}); the longest part took ${merged.seconds.toFixed(2)} s, all parts ${merged.cpuSeconds.toFixed(2)} s`];
    for (const p of merged.perPart) lines.push(`  part ${p.index}: seed ${p.seed}, walks of at most ${p.depth} steps, ${fmtInt(p.runs)} walks${p.violation ? `, ${p.violation.property} in ${p.violation.steps} steps` : ''}`);
    if (!best || !trace) lines.push('', 'no property violated on any walk of any part');
    else {
      const v = best.r.violation!;
      lines.push('', `${v.property} violated (the shortest over the parts: part ${best.part.index}, seed ${best.r.seed}, ${v.path.steps.length} steps)`,
        `${v.property}: ${v.message}`, renderSteps(trace.trace.steps, trace.worlds, { full, counter: design.refcount }));
    }
    io.out(lines.join('\n'));
  }
  return best ? 1 : 0;
}
