// One breadth-first search split into N independent parts, that never talk to each other (each may run on
// its own machine), and the merge of what they found.
//
// Every part explores levels 0 .. L-1 exactly as the whole search does, L being the split level. At level L
// a part keeps only the frontier states it owns (by their fingerprint) and goes on below them with its
// own visited set. Every state the whole search discovers at distance k > L has a shortest path through
// some level-L state; the part that owns that state discovers every state of the path at its true
// distance (a part's paths are real paths, so it can find nothing shorter, and nothing on the path is
// visited earlier). So the union of the parts covers the whole search, each state at its true depth.
//
// The merged counterexample is the single run's, step for step, not only as long: the whole search finds
// the lexicographically least (init, steps) among the shortest paths to a violation (BFS discovers a
// level's states in the lexicographic order of their first paths); the part that owns that path's
// level-L state finds the same path (its own tree paths to those states are the same least paths), and no
// part finds a shorter or a smaller one of the same length. The merge therefore takes, per property, the
// least (length, init, steps) over the parts.
//
// The price: a state reachable below several owned split states (interleavings of independent steps) is
// explored by each of those parts. The levels before the split are explored by every part. Each part
// keeps a HyperLogLog sketch of the states it discovered below the split, so that the merge can estimate
// the union and so the redundancy without the visited sets.
import { fingerprint, fp } from './hash.js';
import type {
  Coverage, Model, Path, Property, PropertyOutcome, Stats, StopReason, WitnessOutcome,
} from './model.js';
import { replayPath } from './replay.js';

/** A partitioned search: this run is part `index` (0-based) of `count`. */
export interface Partition {
  readonly index: number;
  readonly count: number;
  /** Split at this level (clamped to the depth bound). Undefined: at the first level whose frontier holds
   *  at least `perPart * count` states, or at the depth bound, whichever comes first. */
  readonly splitDepth?: number;
  /** For the automatic split level (default 32). */
  readonly perPart?: number;
}

/** What a part reports about its split, for the merge. */
export interface PartitionOutcome {
  readonly index: number;
  readonly count: number;
  /** The level whose frontier was split; null when the search ended before the split (every part then
   *  made the whole search). */
  readonly splitLevel: number | null;
  /** States in the frontier at the split level (the same in every part), and how many this part owns. */
  readonly frontier: number;
  readonly owned: number;
  /** Distinct states discovered up to the split: every part has exactly these. */
  readonly shared: number;
  /** A HyperLogLog sketch of the states discovered below the split. */
  readonly sketch: Sketch;
}

export const DEFAULT_PER_PART = 32;

/** The part that owns the state with fingerprint (hi, lo) (a remix, so that it is independent of the
 *  visited table's slot and of the sketch's register). */
export function ownerOf(hi: number, lo: number, count: number): number {
  let h = Math.imul(hi ^ 0x85ebca6b, 0xcc9e2d51) ^ lo;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) % count;
}

/** A parsed `I/N` (or an index from elsewhere): a message when out of range. */
export function checkPartition(index: number, count: number): string | undefined {
  if (!Number.isInteger(count) || count < 1 || count > 4096) return `the number of parts must be a whole number from 1 to 4096, got ${count}`;
  if (!Number.isInteger(index) || index < 0 || index >= count) return `the part index must be from 0 to ${count - 1}, got ${index}`;
  return undefined;
}

const SKETCH_BITS = 14;
const REGISTERS = 1 << SKETCH_BITS;

/** HyperLogLog (Flajolet et al. 2007) with 16,384 registers: about 0.8% standard error, small-range
 *  correction by linear counting; mergeable by taking the maximum of each register. */
export class Sketch {
  readonly registers: Uint8Array;
  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(REGISTERS);
  }

  add(hi: number, lo: number): void {
    let a = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ hi;
    a = Math.imul(a ^ (a >>> 16), 0xc2b2ae35);
    a ^= a >>> 13;
    let b = Math.imul(hi ^ 0x7f4a7c15, 0x27d4eb2f) + a;
    b = Math.imul(b ^ (b >>> 15), 0x165667b1);
    b ^= b >>> 16;
    const r = a >>> (32 - SKETCH_BITS);
    const rank = Math.clz32(b) + 1;
    if (rank > this.registers[r]!) this.registers[r] = rank;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < REGISTERS; i++) {
      const v = this.registers[i]!;
      sum += 2 ** -v;
      if (v === 0) zeros++;
    }
    const m = REGISTERS;
    const raw = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    return raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw;
  }

  static union(sketches: readonly Sketch[]): Sketch {
    const out = new Uint8Array(REGISTERS);
    for (const s of sketches) for (let i = 0; i < REGISTERS; i++) if (s.registers[i]! > out[i]!) out[i] = s.registers[i]!;
    return new Sketch(out);
  }

  toBase64(): string { return Buffer.from(this.registers).toString('base64'); }

  /** Undefined when `text` is not a sketch. */
  static fromBase64(text: unknown): Sketch | undefined {
    if (typeof text !== 'string') return undefined;
    const b = Buffer.from(text, 'base64');
    if (b.length !== REGISTERS || b.some((v) => v > 33)) return undefined;
    return new Sketch(new Uint8Array(b));
  }
}

/** A digest of the model as the parts and the merge see it: the property names, the initial states'
 *  keys and their successors' keys. Two builds of the model that differ here cannot be merged. */
export function modelDigest<S, A>(model: Model<S, A>, properties: readonly Property<S, A>[]): string {
  const words: number[] = [];
  const absorb = (k: ArrayLike<number>): void => {
    fingerprint(k);
    words.push(fp[0]!, fp[1]!);
  };
  for (const p of properties) absorb([...p.name].map((c) => c.charCodeAt(0)).concat(p.kind === 'always' ? 1 : 2, p.on === 'state' ? 1 : 2));
  for (const s of model.initial()) {
    absorb(model.key(s));
    for (const a of model.steps(s)) absorb(model.key(model.next(s, a)));
  }
  fingerprint(words);
  return fp[0]!.toString(16).padStart(8, '0') + fp[1]!.toString(16).padStart(8, '0');
}

/** What the merge needs of one part. */
export interface PartResult {
  readonly properties: readonly PropertyOutcome[];
  readonly witnesses: readonly WitnessOutcome[];
  readonly stop: StopReason;
  readonly stats: Stats;
  readonly coverage?: readonly Coverage[];
  readonly partition: PartitionOutcome;
}

export interface MergedStats extends Stats {
  /** Sum of the parts' seconds (the longest part's is `seconds`). */
  readonly cpuSeconds: number;
}

/** The redundancy of a partitioned search. */
export interface Redundancy {
  readonly parts: number;
  /** The sum of the parts' distinct states. */
  readonly sum: number;
  /** States discovered before the split (counted in every part). */
  readonly shared: number;
  /** Estimated distinct states of the union (the shared ones exactly, plus the sketches' union). */
  readonly union: number;
  /** sum / union: 1 = no state explored twice, `parts` = every part explored everything. */
  readonly factor: number;
  readonly splitLevel: number | null;
  readonly frontier: number;
}

export interface MergedResult {
  readonly properties: readonly PropertyOutcome[];
  readonly witnesses: readonly WitnessOutcome[];
  readonly stop: StopReason;
  readonly stats: MergedStats;
  readonly coverage?: readonly Coverage[];
  readonly redundancy: Redundancy;
  /** Per property and witness name with a path: whether it is sure to be the shortest (false when a
   *  part stopped early, before the level of that path). */
  readonly shortest: Readonly<Record<string, boolean>>;
}

/** Orders paths as the whole search would meet them: shorter first, then by initial state, then by steps. */
export function comparePaths(a: Path, b: Path): number {
  if (a.steps.length !== b.steps.length) return a.steps.length - b.steps.length;
  if (a.init !== b.init) return a.init - b.init;
  for (let i = 0; i < a.steps.length; i++) if (a.steps[i] !== b.steps[i]) return a.steps[i]! - b.steps[i]!;
  return 0;
}

const LIMIT_ORDER: readonly StopReason[] = ['interrupted', 'memory', 'time', 'states', 'depth'];
const complete = (s: StopReason): boolean => s === 'exhausted' || s === 'decided';

/** Merges the parts of one search (the caller has checked that they are parts 0 .. N-1 of the same
 *  search, each once). */
export function mergeParts(parts: readonly PartResult[]): MergedResult {
  if (parts.length === 0) throw new RangeError('mergeParts: no parts');
  const allExhausted = parts.every((p) => p.stop === 'exhausted');
  const shortest: Record<string, boolean> = {};
  const sure = (path: Path): boolean => parts.every((p) => complete(p.stop) || p.stats.depth >= path.steps.length);

  const pick = <T extends PropertyOutcome | WitnessOutcome>(i: number, list: (p: PartResult) => readonly T[], hit: T['status'], none: T['status']): T => {
    let best: T | undefined;
    for (const p of parts) {
      const o = list(p)[i]!;
      if (o.status === hit && (best === undefined || comparePaths(o.path!, best.path!) < 0)) best = o;
    }
    if (best !== undefined) {
      shortest[best.name] = sure(best.path!);
      return best;
    }
    const name = list(parts[0]!)[i]!.name;
    return { name, status: allExhausted ? none : 'bounded' } as T;
  };
  const properties = parts[0]!.properties.map((_, i) => pick(i, (p) => p.properties, 'violated', 'holds'));
  const witnesses = parts[0]!.witnesses.map((_, i) => pick(i, (p) => p.witnesses, 'found', 'not-found'));

  const decided = [...properties, ...witnesses].length > 0 && properties.every((p) => p.status === 'violated') && witnesses.every((w) => w.status === 'found');
  const stop: StopReason = allExhausted ? 'exhausted' : decided ? 'decided'
    : LIMIT_ORDER.find((r) => parts.some((p) => p.stop === r)) ?? 'decided';

  const sum = (f: (s: Stats) => number): number => parts.reduce((n, p) => n + f(p.stats), 0);
  const max = (f: (s: Stats) => number): number => Math.max(...parts.map((p) => f(p.stats)));
  const distinct = sum((s) => s.distinct);
  const seconds = max((s) => s.seconds);
  const stats: MergedStats = {
    distinct,
    generated: sum((s) => s.generated),
    // A level is complete in the union when every part that may still have states there completed it (an
    // exhausted part has them all). When all are exhausted: the deepest level of any part (a part may reach
    // a state by a longer path than its shortest, so this can exceed the single run's depth).
    depth: allExhausted ? max((s) => s.depth) : Math.min(...parts.filter((p) => p.stop !== 'exhausted').map((p) => p.stats.depth)),
    seconds,
    cpuSeconds: sum((s) => s.seconds),
    statesPerSecond: seconds > 0 ? distinct / seconds : 0,
    collisionProbability: sum((s) => s.collisionProbability),
    queue: sum((s) => s.queue),
    bytesPerState: max((s) => s.bytesPerState),
    visitedBytesPerState: max((s) => s.visitedBytesPerState ?? 0),
    peakFrontierBytes: max((s) => s.peakFrontierBytes ?? 0),
    pruned: sum((s) => s.pruned),
  };

  let coverage: Coverage[] | undefined;
  if (parts.every((p) => p.coverage !== undefined)) {
    const byLabel = new Map<string, [number, number]>();
    for (const p of parts) for (const c of p.coverage!) {
      const e = byLabel.get(c.label) ?? [0, 0];
      e[0] += c.generated;
      e[1] += c.distinct;
      byLabel.set(c.label, e);
    }
    coverage = [...byLabel].map(([label, [generated, d]]) => ({ label, generated, distinct: d }));
  }

  // A part that stopped before the split level (decided, or at a limit) holds only shared states.
  const splitters = parts.filter((p) => p.partition.splitLevel !== null);
  const first = (splitters[0] ?? parts[0]!).partition;
  const shared = splitters.length === 0 ? max((s) => s.distinct) : first.shared;
  const below = splitters.length === 0 ? 0 : Sketch.union(splitters.map((p) => p.partition.sketch)).estimate();
  const union = Math.round(shared + below);
  const redundancy: Redundancy = {
    parts: parts.length, sum: distinct, shared, union, factor: union > 0 ? distinct / union : 1,
    splitLevel: first.splitLevel, frontier: first.frontier,
  };
  return { properties, witnesses, stop, stats, ...(coverage ? { coverage } : {}), redundancy, shortest };
}

/** Replays `path` and evaluates `property` along it: true when it fires at the end and not before (the
 *  merge's check that a part's counterexample is one of this model's). */
export function confirmPath<S, A>(model: Model<S, A>, property: Property<S, A>, path: Path): boolean {
  let run: { states: S[]; actions: A[] };
  try { run = replayPath(model, path); } catch { return false; }
  const n = run.actions.length;
  for (let i = 0; i <= n; i++) {
    const msg = property.on === 'state' ? property.check(run.states[i]!)
      : i > 0 ? property.check(run.states[i - 1]!, run.actions[i - 1]!, run.states[i]!) : undefined;
    if (msg !== undefined) return i === n;
  }
  return false;
}
