// Level-by-level breadth-first search over a `Model`.
//
// Only the current and the next frontier are kept as state objects; every discovered state is otherwise
// represented by its 64-bit fingerprint (in a `FingerprintSet`) and a parent link (parent index, index of
// the step in `steps(parent)`), so a counterexample is a `Path` that `replayPath` turns back into states.
//
// State numbering: states get consecutive indices in discovery order; each frontier keeps the indices of
// its states next to them (a state that violates a property may be left out of the frontier, so a
// position in the frontier is not an index). Because the search goes level by level in a deterministic
// order, the first time a property fires is on a shortest path (for a step property: a shortest path to
// the source, plus the step).
//
// The search is a generator that yields at every poll point (every 1024 expansions): `check` runs it to
// the end at once, `checkAsync` gives the event loop a turn at each yield, so that a signal handler can
// ask the search to stop. A snapshot taken at a poll point holds everything needed to go on later
// (`resume`): the visited set, the parent links, the verdicts so far and the frontier indices; the
// frontier's states are rebuilt from the parent links (checkpoint.ts checks the snapshot on the way).

import { fingerprint, fp } from './hash.js';
import { FingerprintSet, Int32List } from './visited.js';
import { CompactFrontier, ObjectFrontier, type Frontier } from './frontier.js';
import type {
  CheckOptions, CheckResult, Coverage, Model, Path, PropertyOutcome, StopReason, VisitedSet, WitnessOutcome,
} from './model.js';
import { CheckpointError, snapshotProblemsWithModel, type Snapshot } from './checkpoint.js';
import { DEFAULT_PER_PART, ownerOf, Sketch, type PartitionOutcome } from './partition.js';

/** The model threw while the search expanded a state: `path` leads to that state (undefined while the
 *  initial states were made), `action` is the index of the action being taken (-1: while listing them). */
export class ModelError extends Error {
  constructor(readonly cause: unknown, readonly path: Path | undefined, readonly action: number) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

interface Fired {
  readonly path: Path;
  readonly message: string;
}

/** Poll the clock, memory, `shouldStop` and checkpoints every this many expansions (by default). */
const POLL_EVERY = 1024;

/** Breadth-first search of `model`, checking `options.properties`.
 *
 *  - Initial states are deduplicated by fingerprint; every entry of `initial()` counts as generated.
 *  - State properties run once on each new state, step properties on every generated transition, until the
 *    property fires (then it is decided and never evaluated again). The first firing is on a shortest path.
 *  - Stops: 'decided' (every property decided; never with no properties), 'exhausted', 'states' (as soon as
 *    `maxStates` distinct states are discovered, so `distinct <= maxStates`), 'time', 'memory' and
 *    'interrupted' (polled every 1024 expansions, the first time before the first expansion), 'depth'.
 *  - `maxDepth` D: states at distance <= D are discovered and checked; those at distance D are not
 *    expanded but probed: the first successor outside the visited set gives 'depth'. A probed transition
 *    into a visited state belongs to the explored space: it counts as generated and step properties run on
 *    it, so a probe that finds nothing new ends as 'exhausted' with the same counts and verdicts as an
 *    unbounded search.
 *  - `partition`: at the split level only the owned frontier states go on (checker/partition.ts); the
 *    verdicts then speak of this part's share, and `mergeParts` makes the whole search's of the parts'. */
export function check<S, A>(model: Model<S, A>, options: CheckOptions<S, A>): CheckResult {
  const run = search(model, options);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/** The same search, giving the event loop a turn at every poll point (so that SIGINT can stop it). */
export async function checkAsync<S, A>(model: Model<S, A>, options: CheckOptions<S, A>): Promise<CheckResult> {
  const run = search(model, options);
  let last = performance.now();
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    const now = performance.now();
    if (now - last > 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

function* search<S, A>(model: Model<S, A>, options: CheckOptions<S, A>): Generator<void, CheckResult, void> {
  // Made here, not at the call: a bad option or checkpoint throws at the first `next()`, as it always did.
  return yield* new Search(model, options).run();
}

/** The properties, split by kind of check: the undecided ones, and (with `pruneViolating`) the decided
 *  `always` state ones, still run to decide pruning. A property leaves its list when it fires. */
class Checks<S, A> {
  readonly fired: (Fired | undefined)[];
  undecided: number;
  readonly stateChecks: ((s: S) => string | undefined)[] = [];
  readonly stateIds: number[] = [];
  readonly stateIsAlways: boolean[] = [];
  readonly stepChecks: ((s: S, a: A, t: S) => string | undefined)[] = [];
  readonly stepIds: number[] = [];
  readonly firedAlways: ((s: S) => string | undefined)[] = [];

  constructor(readonly props: CheckOptions<S, A>['properties'], resume: Snapshot | undefined) {
    this.fired = props.map((_, i) => resume?.properties[i] ?? undefined);
    this.undecided = this.fired.filter((f) => f === undefined).length;
    props.forEach((p, i) => {
      if (this.fired[i] !== undefined) {
        if (p.on === 'state' && p.kind === 'always') this.firedAlways.push(p.check);
      } else if (p.on === 'state') {
        this.stateChecks.push(p.check);
        this.stateIds.push(i);
        this.stateIsAlways.push(p.kind === 'always');
      } else {
        this.stepChecks.push(p.check);
        this.stepIds.push(i);
      }
    });
  }
}

/** One breadth-first search, as named phases: `seed` (level 0) or `restore` (a checkpoint's frontier), then
 *  per level `expandLevel` (or `probeLevel` at the depth bound) and `nextLevel`; on each new state
 *  `discover` and `checkState`, on each transition `checkStep`; `pollDue` / `poll` every `pollEvery`
 *  expansions (limits, `progress`, checkpoints); `finish` makes the result. Only the two frontiers hold
 *  states; the rest is words (module comment). */
class Search<S, A> {
  private readonly t0 = performance.now();
  private readonly checks: Checks<S, A>;
  private readonly hasProps: boolean;
  private readonly prune: boolean;
  private readonly resume: Snapshot | undefined;
  private readonly maxDepth: number;
  private readonly maxStates: number;
  private readonly deadline: number;
  private readonly maxMemory: number;
  private readonly pollEvery: number;
  private readonly progressMs: number;
  private readonly checkpointMs: number;
  private readonly needClock: boolean;
  private nextProgress: number;
  private nextCheckpoint: number;
  /** On resume: the frontier's states, re-derived while the checkpoint is checked against the model
   *  (as words when the model has a codec, so that a large frontier does not sit in memory as objects). */
  private readonly rebuilt = new Map<number, S | Int32Array>();

  // Coverage per action label (only when the model labels actions): [generated, distinct] per label.
  private readonly labelOf: ((a: A) => string) | undefined;
  private readonly coverage: Map<string, [number, number]>;

  // The visited set: fingerprints; in exact mode the whole keys (for small runs: no collisions at all).
  private readonly visited: FingerprintSet;
  private readonly exactKeys: Set<string> | undefined;
  /** For state i: the parent's index, or -(init + 1) for an initial state (init indexes `initial()`). */
  private readonly parents: Int32List;
  /** For state i: the index of the step in `steps(parent)` (-1 for an initial state). */
  private readonly stepTaken: Int32List;

  private distinct: number;
  private generated: number;
  private pruned: number;
  /** Depth of the current frontier `cur`. */
  private level: number;
  /** The deepest level whose states were all discovered. */
  private depth: number;
  private stop: StopReason | undefined;

  // The frontiers: states with their indices. `li` is the position in `cur` of the next state to expand.
  private cur: Frontier<S>;
  private nxt: Frontier<S>;
  private li = 0;
  /** Actions of cur[li] already taken: from a snapshot of a search stopped inside an expansion. */
  private skip: number;
  private peakFrontierBytes = 0;

  // A partitioned search (checker/partition.ts): at the split level, keep only the owned frontier states.
  private readonly part: CheckOptions<S, A>['partition'];
  private readonly splitAt: number;
  private readonly splitSize: number;
  private split: Omit<PartitionOutcome, 'sketch'> | undefined;
  /** The states discovered below the split (undefined before it, and in an unpartitioned search). */
  private below: Sketch | undefined;

  /** A snapshot cannot be taken between two initial states (resume starts after them). */
  private initialsDone = true;
  /** Expansions until the next poll. */
  private pollIn = 0;
  /** While expanding: the index of the action being taken (-1: computing the actions). */
  private at = -1;

  constructor(private readonly model: Model<S, A>, private readonly options: CheckOptions<S, A>) {
    const resume = this.resume = options.resume as Snapshot | undefined;
    this.checks = new Checks(options.properties, resume);
    this.hasProps = options.properties.length > 0;
    this.prune = options.pruneViolating === true;
    this.maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
    if (resume) this.checkSnapshot(resume);
    this.maxStates = options.maxStates ?? Infinity;
    this.deadline = options.maxSeconds !== undefined ? this.t0 + options.maxSeconds * 1000 : Infinity;
    this.maxMemory = options.maxMemoryBytes ?? Infinity;
    this.pollEvery = Math.max(1, options.pollEvery ?? POLL_EVERY);
    this.progressMs = (options.progressEvery ?? 0.5) * 1000;
    this.checkpointMs = (options.checkpointEvery ?? Infinity) * 1000;
    this.needClock = this.deadline !== Infinity || options.onProgress !== undefined || options.onCheckpoint !== undefined;
    this.nextProgress = this.t0 + this.progressMs;
    this.nextCheckpoint = this.t0 + this.checkpointMs;

    this.labelOf = model.label?.bind(model);
    this.coverage = new Map(resume?.coverage.map((c) => [c.label, [c.generated, c.distinct]]));
    this.visited = resume && options.exact !== true ? FingerprintSet.restore(resume.visited, resume.distinct) : new FingerprintSet();
    this.exactKeys = options.exact === true ? new Set<string>(resume?.exactKeys ?? []) : undefined;
    this.parents = resume ? Int32List.from(resume.parents) : new Int32List();
    this.stepTaken = resume ? Int32List.from(resume.stepTaken) : new Int32List();
    this.distinct = resume?.distinct ?? 0;
    this.generated = resume?.generated ?? 0;
    this.pruned = resume?.pruned ?? 0;
    this.level = resume?.level ?? 0;
    this.depth = resume?.depth ?? 0;
    this.skip = resume?.skip ?? 0;

    if (options.compact === true && (model.encode === undefined || model.decode === undefined)) {
      throw new RangeError('CheckOptions.compact needs a model with encode and decode');
    }
    this.cur = this.newFrontier();
    this.nxt = this.newFrontier();

    const part = this.part = options.partition;
    if (part !== undefined && (resume !== undefined || options.onCheckpoint !== undefined)) throw new RangeError('CheckOptions.partition cannot go with resume or onCheckpoint');
    this.splitAt = part === undefined ? Infinity : Math.min(part.splitDepth ?? Infinity, this.maxDepth);
    this.splitSize = part === undefined || part.splitDepth !== undefined ? Infinity : (part.perPart ?? DEFAULT_PER_PART) * part.count;
  }

  /** The search: its phases in order, a model error turned into a ModelError that says where. */
  *run(): Generator<void, CheckResult, void> {
    try {
      yield* this.explore();
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      // The model (or a property) threw: say where, so that the caller can show the path to that state.
      const idx = this.li < this.cur.length ? this.cur.index(this.li) : undefined;
      throw new ModelError(e, idx === undefined ? undefined : this.pathTo(idx, -1), this.at);
    }
    return this.finish();
  }

  /** Level 0 (or a checkpoint's frontier), then level after level until `stop` is set. */
  private *explore(): Generator<void, void, void> {
    if (this.resume) this.restore(this.resume);
    else this.seed();
    while (this.stop === undefined) {
      if (this.cur.length - this.li === 0 && this.nxt.length === 0) { this.stop = 'exhausted'; return; }
      this.depth = this.level;
      if (this.split === undefined && (this.level >= this.splitAt || this.cur.length - this.li >= this.splitSize)) this.splitFrontier();
      if (this.level >= this.maxDepth) { yield* this.probeLevel(); return; }
      yield* this.expandLevel();
      if (this.stop === undefined) this.nextLevel();
    }
  }

  /** Checks a checkpoint against the model and re-derives its frontier's states (into `rebuilt`). */
  private checkSnapshot(resume: Snapshot): void {
    const model = this.model;
    if (resume.level > this.maxDepth) throw new CheckpointError(`level ${resume.level} beyond the depth bound ${this.maxDepth}`);
    const enc = model.encode?.bind(model);
    const bad = snapshotProblemsWithModel(model, this.options.properties, resume, { exact: this.options.exact === true, prune: this.prune },
      (i, st) => { this.rebuilt.set(i, enc && model.decode ? enc(st).slice() : st); });
    if (bad !== undefined) throw new CheckpointError(bad);
  }

  /** The checkpoint's frontiers, from the states re-derived by `checkSnapshot`. */
  private restore(resume: Snapshot): void {
    for (const i of resume.cur) this.cur.push(this.rebuild(i), i);
    for (const i of resume.nxt) this.nxt.push(this.rebuild(i), i);
    this.rebuilt.clear();
    if (this.skip > 0 && (resume.level >= this.maxDepth || this.skip > this.model.steps(this.cur.state(0)).length)) {
      throw new CheckpointError(`state ${resume.cur[0]}: ${this.skip} actions taken`);
    }
  }

  /** The state with index idx of the checkpoint's frontier (resume only). */
  private rebuild(idx: number): S {
    const st = this.rebuilt.get(idx)!;
    return st instanceof Int32Array && this.model.decode ? this.model.decode(st) as S : st as S;
  }

  /** Level 0: the initial states, deduplicated; every entry of `initial()` counts as generated. */
  private seed(): void {
    const inits = this.model.initial();
    const c = this.checks;
    this.initialsDone = false;
    for (let i = 0; i < inits.length; i++) {
      const s = inits[i] as S;
      this.generated++;
      if (!this.insert(s)) continue;
      const idx = this.distinct++;
      this.parents.push(-(i + 1));
      this.stepTaken.push(-1);
      if (!this.needStateCheck() || this.checkState(s, idx)) this.cur.push(s, idx);
      if (this.hasProps && c.undecided === 0) { this.stop = 'decided'; return; }
      if (this.distinct >= this.maxStates) { this.stop = 'states'; this.initialsDone = i === inits.length - 1; return; }
    }
    this.initialsDone = true;
  }

  /** Expands the rest of the current frontier into `nxt`, polling between states; returns at a stop. */
  private *expandLevel(): Generator<void, void, void> {
    const cur = this.cur;
    for (; this.li < cur.length; this.li++) {
      if (this.pollDue()) {
        if (this.stop !== undefined) return;
        yield;
      }
      this.expandState(cur.state(this.li), cur.index(this.li));
      if (this.stop !== undefined) return;
    }
  }

  /** Takes the steps of `s` (state `sIdx`), from `skip` on: counts and checks each transition and
   *  discovers the new successors. Sets `stop` (and, at the state bound, `skip`) if the search stops. */
  private expandState(s: S, sIdx: number): void {
    const model = this.model;
    const c = this.checks;
    const labelOf = this.labelOf;
    this.at = -1;
    const acts = model.steps(s);
    const from = this.skip;
    this.skip = 0;
    for (let ai = from, n = acts.length; ai < n; ai++) {
      const a = acts[ai] as A;
      this.at = ai;
      const t = model.next(s, a);
      this.generated++;
      if (c.stepChecks.length > 0) {
        this.checkStep(s, a, t, sIdx, ai);
        if (c.undecided === 0) { this.stop = 'decided'; return; }
      }
      const isNew = this.insert(t);
      if (labelOf !== undefined) this.cover(a, isNew);
      if (isNew && this.discover(t, sIdx, ai)) return;
    }
  }

  /** A new state `t`, reached from state `sIdx` by its step `ai`: numbered, linked to its parent, checked,
   *  queued (unless pruned). Returns true if the search stops here. */
  private discover(t: S, sIdx: number, ai: number): boolean {
    const idx = this.distinct++;
    if (this.below !== undefined) this.sketchAdd(t);
    this.parents.push(sIdx);
    this.stepTaken.push(ai);
    if (!this.needStateCheck() || this.checkState(t, idx)) this.nxt.push(t, idx);
    if (this.hasProps && this.checks.undecided === 0) { this.stop = 'decided'; return true; }
    // Stopped inside the expansion: a snapshot goes on with the next action.
    if (this.distinct >= this.maxStates) { this.stop = 'states'; this.skip = ai + 1; return true; }
    return false;
  }

  /** The frontier at the depth bound: are its transitions all into the visited set? A transition inside
   *  the explored region is part of the state space: it is counted and checked. */
  private *probeLevel(): Generator<void, void, void> {
    const model = this.model;
    const c = this.checks;
    const cur = this.cur;
    for (; this.li < cur.length; this.li++) {
      if (this.pollDue()) {
        if (this.stop !== undefined) return;
        yield;
      }
      const s = cur.state(this.li);
      this.at = -1;
      const acts = model.steps(s);
      for (let ai = 0, n = acts.length; ai < n; ai++) {
        const a = acts[ai] as A;
        this.at = ai;
        const t = model.next(s, a);
        if (!this.seen(t)) { this.stop = 'depth'; return; }
        this.generated++;
        if (this.labelOf !== undefined) this.cover(a, false);
        if (c.stepChecks.length > 0) {
          this.checkStep(s, a, t, cur.index(this.li), ai);
          if (c.undecided === 0) { this.stop = 'decided'; return; }
        }
      }
    }
    // Nothing beyond the bound: the state space really is exhausted.
    this.stop = 'exhausted';
  }

  /** The level is done: the next frontier becomes the current one. */
  private nextLevel(): void {
    this.peakFrontierBytes = Math.max(this.peakFrontierBytes, this.cur.bytes + this.nxt.bytes);
    this.cur = this.nxt;
    this.nxt = this.newFrontier();
    this.li = 0;
    this.level++;
  }

  private newFrontier(): Frontier<S> {
    const m = this.model;
    return this.options.compact === true ? new CompactFrontier<S>(m.encode!.bind(m), m.decode!.bind(m)) : new ObjectFrontier<S>();
  }

  /** Inserts the key of `s`; true when new. */
  private insert(s: S): boolean {
    const k = this.model.key(s);
    if (this.exactKeys) {
      const text = keyText(k);
      if (this.exactKeys.has(text)) return false;
      this.exactKeys.add(text);
      return true;
    }
    fingerprint(k);
    return this.visited.insert(fp[0]!, fp[1]!);
  }

  private seen(s: S): boolean {
    const k = this.model.key(s);
    if (this.exactKeys) return this.exactKeys.has(keyText(k));
    fingerprint(k);
    return this.visited.has(fp[0]!, fp[1]!);
  }

  private cover(a: A, isNew: boolean): void {
    const l = this.labelOf!(a);
    let c = this.coverage.get(l);
    if (c === undefined) { c = [0, 0]; this.coverage.set(l, c); }
    c[0]++;
    if (isNew) c[1]++;
  }

  private needStateCheck(): boolean {
    return this.checks.stateChecks.length + this.checks.firedAlways.length > 0;
  }

  /** Runs the undecided state properties on the new state `t` (index `idx`); with `pruneViolating`, also
   *  the decided `always` ones. Returns whether `t` is to be expanded. */
  private checkState(t: S, idx: number): boolean {
    const c = this.checks;
    let bad = false;
    for (let k = 0; k < c.stateChecks.length; k++) {
      const msg = c.stateChecks[k]!(t);
      if (msg !== undefined) {
        if (c.stateIsAlways[k]) { bad = true; c.firedAlways.push(c.stateChecks[k]!); }
        this.fire(c.stateIds[k]!, idx, -1, msg);
        c.stateChecks.splice(k, 1);
        c.stateIds.splice(k, 1);
        c.stateIsAlways.splice(k, 1);
        k--;
      }
    }
    if (!this.prune) return true;
    for (let k = 0; !bad && k < c.firedAlways.length; k++) if (c.firedAlways[k]!(t) !== undefined) bad = true;
    if (bad) this.pruned++;
    return !bad;
  }

  /** Runs the undecided step properties on (s, a, t), `s` being state `idx` and `a` its step `ai`. */
  private checkStep(s: S, a: A, t: S, idx: number, ai: number): void {
    const c = this.checks;
    for (let k = 0; k < c.stepChecks.length; k++) {
      const msg = c.stepChecks[k]!(s, a, t);
      if (msg !== undefined) {
        this.fire(c.stepIds[k]!, idx, ai, msg);
        c.stepChecks.splice(k, 1);
        c.stepIds.splice(k, 1);
        k--;
      }
    }
  }

  /** Records the violation (or witness) of property `prop`: its path ends at state `idx` (plus step
   *  `extraStep` for a step property). */
  private fire(prop: number, idx: number, extraStep: number, message: string): void {
    this.checks.fired[prop] = { path: this.pathTo(idx, extraStep), message };
    this.checks.undecided--;
  }

  private pathTo(idx: number, extraStep: number): Path {
    const steps: number[] = [];
    if (extraStep >= 0) steps.push(extraStep);
    let i = idx;
    let p = this.parents.get(i);
    while (p >= 0) {
      steps.push(this.stepTaken.get(i));
      i = p;
      p = this.parents.get(i);
    }
    steps.reverse();
    return { init: -p - 1, steps };
  }

  /** The split level of a partitioned search: keep only the frontier states this part owns. */
  private splitFrontier(): void {
    const part = this.part!;
    const owned = this.newFrontier();
    for (let i = this.li; i < this.cur.length; i++) {
      const s = this.cur.state(i);
      fingerprint(this.model.key(s));
      if (ownerOf(fp[0]!, fp[1]!, part.count) === part.index) owned.push(s, this.cur.index(i));
    }
    this.split = { index: part.index, count: part.count, splitLevel: this.level, frontier: this.cur.length - this.li, owned: owned.length, shared: this.distinct };
    this.below = new Sketch();
    this.cur = owned;
    this.li = 0;
  }

  private sketchAdd(s: S): void {
    if (this.exactKeys) fingerprint(this.model.key(s));
    this.below!.add(fp[0]!, fp[1]!);
  }

  private queueSize(): number {
    return this.cur.length - this.li + this.nxt.length;
  }

  /** Counts down to the next poll; when it is due, polls and returns true (the caller then yields). */
  private pollDue(): boolean {
    if (--this.pollIn >= 0) return false;
    this.pollIn = this.pollEvery - 1;
    this.poll();
    return true;
  }

  /** Sets `stop` on a limit or an interruption, reports progress, takes checkpoints. */
  private poll(): void {
    if (this.needClock) {
      const now = performance.now();
      if (now >= this.deadline) this.stop = 'time';
      if (this.options.onProgress !== undefined && now >= this.nextProgress) {
        this.progress(now, false);
        this.nextProgress = now + this.progressMs;
      }
      if (this.options.onCheckpoint !== undefined && now >= this.nextCheckpoint) {
        this.options.onCheckpoint(this.snapshot());
        this.nextCheckpoint = performance.now() + this.checkpointMs;
      }
    }
    if (this.stop === undefined && this.maxMemory !== Infinity && process.memoryUsage.rss() >= this.maxMemory) this.stop = 'memory';
    if (this.stop === undefined && this.options.shouldStop !== undefined && this.options.shouldStop()) this.stop = 'interrupted';
  }

  /** The Progress of the search now (`final`: the last one, once the search has stopped). */
  private progress(now: number, final: boolean): void {
    const queue = final && this.stop === 'exhausted' ? 0 : this.queueSize();
    this.options.onProgress?.({ distinct: this.distinct, generated: this.generated, depth: final ? this.depth : this.level, queue, seconds: (now - this.t0) / 1000,
      // During the search only: how far the level being expanded is, and what it found for the next.
      ...(final ? {} : { levelDone: this.li, levelSize: this.cur.length, nextLevel: this.nxt.length }) });
  }

  private snapshot(): Snapshot {
    return {
      version: 1,
      distinct: this.distinct, generated: this.generated, pruned: this.pruned, level: this.level, depth: this.depth,
      visited: this.visited.snapshot().table,
      parents: this.parents.toArray(),
      stepTaken: this.stepTaken.toArray(),
      cur: indicesFrom(this.cur, this.li),
      nxt: indicesFrom(this.nxt, 0),
      skip: this.skip,
      properties: this.checks.fired.map((f) => f ?? null),
      coverage: this.coverageList(),
      ...(this.exactKeys ? { exactKeys: [...this.exactKeys] } : {}),
    };
  }

  private coverageList(): Coverage[] {
    return [...this.coverage].map(([label, [g, d]]) => ({ label, generated: g, distinct: d }));
  }

  /** The result: verdicts, statistics, and what a caller may keep (snapshot, visited set, partition). */
  private finish(): CheckResult {
    const end = performance.now();
    const seconds = (end - this.t0) / 1000;
    const stop = this.stop!;
    const exhausted = stop === 'exhausted';
    // States discovered but not expanded (a state partly expanded when the search stopped counts too).
    const queue = exhausted ? 0 : this.queueSize();
    this.progress(end, true);
    const { distinct, generated, visited, exactKeys } = this;
    const result: CheckResult = {
      ...this.outcomes(exhausted),
      stop,
      ...(this.labelOf !== undefined ? { coverage: this.coverageList() } : {}),
      stats: {
        distinct,
        generated,
        depth: this.depth,
        seconds,
        statesPerSecond: seconds > 0 ? distinct / seconds : 0,
        collisionProbability: exactKeys ? 0 : (distinct * (generated - distinct)) / 2 ** 64,
        queue,
        bytesPerState: distinct > 0 ? (visited.bytes + this.parents.bytes + this.stepTaken.bytes) / distinct : 0,
        visitedBytesPerState: distinct > 0 ? visited.bytes / distinct : 0,
        peakFrontierBytes: Math.max(this.peakFrontierBytes, this.cur.bytes + this.nxt.bytes),
        pruned: this.pruned,
      },
      // Stops taken at a poll point leave the search between two expansions: it can go on from here.
      // So do those at maxStates after the initial states (inside an expansion: `skip` says where).
      ...(stop === 'interrupted' || stop === 'time' || stop === 'memory' || (stop === 'states' && this.initialsDone) ? { snapshot: () => this.snapshot() } : {}),
    };
    if (this.options.keepVisited === true) {
      const kept: VisitedSet = {
        has(key: ArrayLike<number>): boolean {
          if (exactKeys) return exactKeys.has(keyText(key));
          fingerprint(key);
          return visited.has(fp[0]!, fp[1]!);
        },
        size: exactKeys ? exactKeys.size : visited.size,
      };
      return { ...result, visited: kept, ...this.partitionOf() };
    }
    return this.part === undefined ? result : { ...result, ...this.partitionOf() };
  }

  /** Each property's verdict: fired (violated / found), or holds / not-found / bounded. */
  private outcomes(exhausted: boolean): { properties: PropertyOutcome[]; witnesses: WitnessOutcome[] } {
    const properties: PropertyOutcome[] = [];
    const witnesses: WitnessOutcome[] = [];
    this.checks.props.forEach((p, i) => {
      const f = this.checks.fired[i];
      if (p.kind === 'always') {
        properties.push(f !== undefined
          ? { name: p.name, status: 'violated', path: f.path, message: f.message }
          : { name: p.name, status: exhausted ? 'holds' : 'bounded' });
      } else {
        witnesses.push(f !== undefined
          ? { name: p.name, status: 'found', path: f.path, message: f.message }
          : { name: p.name, status: exhausted ? 'not-found' : 'bounded' });
      }
    });
    return { properties, witnesses };
  }

  private partitionOf(): Pick<CheckResult, 'partition'> {
    const part = this.part;
    return part === undefined ? {} : {
      partition: { ...(this.split ?? { index: part.index, count: part.count, splitLevel: null, frontier: 0, owned: 0, shared: this.distinct }), sketch: this.below ?? new Sketch() },
    };
  }
}

const keyText = (k: ArrayLike<number>): string => Array.prototype.join.call(k, ',');

function indicesFrom<S>(f: Frontier<S>, from: number): Int32Array {
  const out = new Int32Array(f.length - from);
  for (let i = from; i < f.length; i++) out[i - from] = f.index(i);
  return out;
}
