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
  CheckOptions, CheckResult, Model, Path, PropertyOutcome, StopReason, VisitedSet, WitnessOutcome,
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
  const t0 = performance.now();
  const props = options.properties;
  const resume = options.resume as Snapshot | undefined;
  const fired: (Fired | undefined)[] = props.map((_, i) => resume?.properties[i] ?? undefined);
  const hasProps = props.length > 0;
  let undecided = fired.filter((f) => f === undefined).length;

  // Undecided properties, split by kind of check; a property is removed from these lists when it fires.
  const stateChecks: ((s: S) => string | undefined)[] = [];
  const stateIds: number[] = [];
  const stepChecks: ((s: S, a: A, t: S) => string | undefined)[] = [];
  const stepIds: number[] = [];
  const stateIsAlways: boolean[] = [];
  /** With `pruneViolating`: the always-state checks that already fired, still run to decide pruning. */
  const firedAlways: ((s: S) => string | undefined)[] = [];
  const prune = options.pruneViolating === true;
  props.forEach((p, i) => {
    if (fired[i] !== undefined) {
      if (p.on === 'state' && p.kind === 'always') firedAlways.push(p.check);
    } else if (p.on === 'state') {
      stateChecks.push(p.check);
      stateIds.push(i);
      stateIsAlways.push(p.kind === 'always');
    } else {
      stepChecks.push(p.check);
      stepIds.push(i);
    }
  });

  const maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
  /** On resume: the frontier's states, re-derived while the checkpoint is checked against the model
   *  (as words when the model has a codec, so that a large frontier does not sit in memory as objects). */
  const rebuilt = new Map<number, S | Int32Array>();
  if (resume) {
    if (resume.level > maxDepth) throw new CheckpointError(`level ${resume.level} beyond the depth bound ${maxDepth}`);
    const enc = model.encode?.bind(model);
    const bad = snapshotProblemsWithModel(model, props, resume, { exact: options.exact === true, prune: options.pruneViolating === true },
      (i, st) => { rebuilt.set(i, enc && model.decode ? enc(st).slice() : st); });
    if (bad !== undefined) throw new CheckpointError(bad);
  }
  const maxStates = options.maxStates ?? Infinity;
  const deadline = options.maxSeconds !== undefined ? t0 + options.maxSeconds * 1000 : Infinity;
  const maxMemory = options.maxMemoryBytes ?? Infinity;
  const pollEvery = Math.max(1, options.pollEvery ?? POLL_EVERY);
  const onProgress = options.onProgress;
  const progressMs = (options.progressEvery ?? 0.5) * 1000;
  const shouldStop = options.shouldStop;
  const onCheckpoint = options.onCheckpoint;
  const checkpointMs = (options.checkpointEvery ?? Infinity) * 1000;
  const needClock = deadline !== Infinity || onProgress !== undefined || onCheckpoint !== undefined;
  let nextProgress = t0 + progressMs;
  let nextCheckpoint = t0 + checkpointMs;

  // Coverage per action label (only when the model labels actions): [generated, distinct] per label.
  const labelOf = model.label?.bind(model);
  const coverage = new Map<string, [number, number]>(resume?.coverage.map((c) => [c.label, [c.generated, c.distinct]]));
  const cover = (a: A, isNew: boolean): void => {
    const l = labelOf!(a);
    let c = coverage.get(l);
    if (c === undefined) { c = [0, 0]; coverage.set(l, c); }
    c[0]++;
    if (isNew) c[1]++;
  };

  // The visited set: fingerprints; in exact mode the whole keys (for small runs: no collisions at all).
  const visited = resume && options.exact !== true ? FingerprintSet.restore(resume.visited, resume.distinct) : new FingerprintSet();
  const exactKeys = options.exact === true ? new Set<string>(resume?.exactKeys ?? []) : undefined;
  const keyText = (k: ArrayLike<number>): string => Array.prototype.join.call(k, ',');
  /** Inserts the key of `s`; true when new. */
  const insert = (s: S): boolean => {
    const k = model.key(s);
    if (exactKeys) {
      const text = keyText(k);
      if (exactKeys.has(text)) return false;
      exactKeys.add(text);
      return true;
    }
    fingerprint(k);
    return visited.insert(fp[0]!, fp[1]!);
  };
  const seen = (s: S): boolean => {
    const k = model.key(s);
    if (exactKeys) return exactKeys.has(keyText(k));
    fingerprint(k);
    return visited.has(fp[0]!, fp[1]!);
  };
  /** For state i: the parent's index, or -(init + 1) for an initial state (init indexes `initial()`). */
  const parents = resume ? Int32List.from(resume.parents) : new Int32List();
  /** For state i: the index of the step in `steps(parent)` (-1 for an initial state). */
  const stepTaken = resume ? Int32List.from(resume.stepTaken) : new Int32List();

  let distinct = resume?.distinct ?? 0;
  let generated = resume?.generated ?? 0;
  let pruned = resume?.pruned ?? 0;
  /** Depth of the current frontier `cur`. */
  let level = resume?.level ?? 0;
  /** The deepest level whose states were all discovered. */
  let depth = resume?.depth ?? 0;
  let stop: StopReason | undefined;

  const pathTo = (idx: number, extraStep: number): Path => {
    const steps: number[] = [];
    if (extraStep >= 0) steps.push(extraStep);
    let i = idx;
    let p = parents.get(i);
    while (p >= 0) {
      steps.push(stepTaken.get(i));
      i = p;
      p = parents.get(i);
    }
    steps.reverse();
    return { init: -p - 1, steps };
  };

  /** The state with index idx of the checkpoint's frontier (resume only). */
  const rebuild = (idx: number): S => {
    const st = rebuilt.get(idx)!;
    return st instanceof Int32Array && model.decode ? model.decode(st) as S : st as S;
  };

  /** Runs the undecided state properties on the new state `t` (index `idx`); with `pruneViolating`, also
   *  the decided `always` ones. Returns whether `t` is to be expanded. */
  const checkState = (t: S, idx: number): boolean => {
    let bad = false;
    for (let k = 0; k < stateChecks.length; k++) {
      const msg = stateChecks[k]!(t);
      if (msg !== undefined) {
        fired[stateIds[k]!] = { path: pathTo(idx, -1), message: msg };
        if (stateIsAlways[k]) { bad = true; firedAlways.push(stateChecks[k]!); }
        stateChecks.splice(k, 1);
        stateIds.splice(k, 1);
        stateIsAlways.splice(k, 1);
        undecided--;
        k--;
      }
    }
    if (!prune) return true;
    for (let k = 0; !bad && k < firedAlways.length; k++) if (firedAlways[k]!(t) !== undefined) bad = true;
    if (bad) pruned++;
    return !bad;
  };
  const needStateCheck = (): boolean => stateChecks.length + firedAlways.length > 0;

  /** Runs the undecided step properties on (s, a, t), `s` being state `idx` and `a` its step `ai`. */
  const checkStep = (s: S, a: A, t: S, idx: number, ai: number): void => {
    for (let k = 0; k < stepChecks.length; k++) {
      const msg = stepChecks[k]!(s, a, t);
      if (msg !== undefined) {
        fired[stepIds[k]!] = { path: pathTo(idx, ai), message: msg };
        stepChecks.splice(k, 1);
        stepIds.splice(k, 1);
        undecided--;
        k--;
      }
    }
  };

  // The frontiers: states with their indices. `li` is the position in `cur` of the next state to expand.
  if (options.compact === true && (model.encode === undefined || model.decode === undefined)) {
    throw new RangeError('CheckOptions.compact needs a model with encode and decode');
  }
  const newFrontier = (): Frontier<S> => (options.compact === true
    ? new CompactFrontier<S>(model.encode!.bind(model), model.decode!.bind(model)) : new ObjectFrontier<S>());
  let cur = newFrontier();
  let nxt = newFrontier();
  let li = 0;
  /** Actions of cur[li] already taken: from a snapshot of a search stopped inside an expansion. */
  let skip = resume?.skip ?? 0;
  let peakFrontierBytes = 0;

  // A partitioned search (checker/partition.ts): at the split level, keep only the owned frontier states.
  const part = options.partition;
  if (part !== undefined && (resume !== undefined || onCheckpoint !== undefined)) throw new RangeError('CheckOptions.partition cannot go with resume or onCheckpoint');
  const splitAt = part === undefined ? Infinity : Math.min(part.splitDepth ?? Infinity, maxDepth);
  const splitSize = part === undefined || part.splitDepth !== undefined ? Infinity : (part.perPart ?? DEFAULT_PER_PART) * part.count;
  let split: Omit<PartitionOutcome, 'sketch'> | undefined;
  /** The states discovered below the split (undefined before it, and in an unpartitioned search). */
  let below: Sketch | undefined;
  const sketchAdd = (s: S): void => {
    if (exactKeys) fingerprint(model.key(s));
    below!.add(fp[0]!, fp[1]!);
  };
  const splitFrontier = (): void => {
    const owned = newFrontier();
    for (let i = li; i < cur.length; i++) {
      const s = cur.state(i);
      fingerprint(model.key(s));
      if (ownerOf(fp[0]!, fp[1]!, part!.count) === part!.index) owned.push(s, cur.index(i));
    }
    split = { index: part!.index, count: part!.count, splitLevel: level, frontier: cur.length - li, owned: owned.length, shared: distinct };
    below = new Sketch();
    cur = owned;
    li = 0;
  };

  const queueSize = (): number => cur.length - li + nxt.length;
  const indicesFrom = (f: Frontier<S>, from: number): Int32Array => {
    const out = new Int32Array(f.length - from);
    for (let i = from; i < f.length; i++) out[i - from] = f.index(i);
    return out;
  };

  const snapshot = (): Snapshot => ({
    version: 1,
    distinct, generated, pruned, level, depth,
    visited: visited.snapshot().table,
    parents: parents.toArray(),
    stepTaken: stepTaken.toArray(),
    cur: indicesFrom(cur, li),
    nxt: indicesFrom(nxt, 0),
    skip,
    properties: fired.map((f) => f ?? null),
    coverage: [...coverage].map(([label, [g, d]]) => ({ label, generated: g, distinct: d })),
    ...(exactKeys ? { exactKeys: [...exactKeys] } : {}),
  });

  const report = (now: number): void => {
    onProgress?.({ distinct, generated, depth: level, queue: queueSize(), seconds: (now - t0) / 1000, levelDone: li, levelSize: cur.length, nextLevel: nxt.length });
  };

  /** Called every POLL_EVERY expansions; sets `stop` on a limit or an interruption, takes checkpoints. */
  const poll = (): void => {
    if (needClock) {
      const now = performance.now();
      if (now >= deadline) stop = 'time';
      if (onProgress !== undefined && now >= nextProgress) {
        report(now);
        nextProgress = now + progressMs;
      }
      if (onCheckpoint !== undefined && now >= nextCheckpoint) {
        onCheckpoint(snapshot());
        nextCheckpoint = performance.now() + checkpointMs;
      }
    }
    if (stop === undefined && maxMemory !== Infinity && process.memoryUsage.rss() >= maxMemory) stop = 'memory';
    if (stop === undefined && shouldStop !== undefined && shouldStop()) stop = 'interrupted';
  };

  /** A snapshot cannot be taken between two initial states (resume starts after them). */
  let initialsDone = true;
  let pollIn = 0; // expansions until the next poll
  /** While expanding: the index of the action being taken (-1: computing the actions). */
  let at = -1;
  try {
    search: {
      if (resume) {
        for (const i of resume.cur) cur.push(rebuild(i), i);
        for (const i of resume.nxt) nxt.push(rebuild(i), i);
        rebuilt.clear();
        if (skip > 0 && (resume.level >= maxDepth || skip > model.steps(cur.state(0)).length)) throw new CheckpointError(`state ${resume.cur[0]}: ${skip} actions taken`);
      } else {
        // Level 0: the initial states.
        const inits = model.initial();
        initialsDone = false;
        for (let i = 0; i < inits.length; i++) {
          const s = inits[i] as S;
          generated++;
          if (!insert(s)) continue;
          const idx = distinct++;
          parents.push(-(i + 1));
          stepTaken.push(-1);
          if (!needStateCheck() || checkState(s, idx)) cur.push(s, idx);
          if (hasProps && undecided === 0) { stop = 'decided'; break search; }
          if (distinct >= maxStates) { stop = 'states'; initialsDone = i === inits.length - 1; break search; }
        }
        initialsDone = true;
      }

      for (;;) {
        if (cur.length - li === 0 && nxt.length === 0) { stop = 'exhausted'; break search; }
        depth = level;
        if (split === undefined && (level >= splitAt || cur.length - li >= splitSize)) splitFrontier();

        if (level >= maxDepth) {
          // Probe the frontier at the depth bound: do its transitions lead anywhere new?
          for (; li < cur.length; li++) {
            if (--pollIn < 0) {
              pollIn = pollEvery - 1;
              poll();
              if (stop !== undefined) break search;
              yield;
            }
            const s = cur.state(li);
            at = -1;
            const acts = model.steps(s);
            for (let ai = 0, n = acts.length; ai < n; ai++) {
              const a = acts[ai] as A;
              at = ai;
              const t = model.next(s, a);
              if (!seen(t)) { stop = 'depth'; break search; }
              // A transition inside the explored region: it is part of the state space, count and check it.
              generated++;
              if (labelOf !== undefined) cover(a, false);
              if (stepChecks.length > 0) {
                checkStep(s, a, t, cur.index(li), ai);
                if (undecided === 0) { stop = 'decided'; break search; }
              }
            }
          }
          // Nothing beyond the bound: the state space really is exhausted.
          stop = 'exhausted';
          break search;
        }

        for (; li < cur.length; li++) {
          if (--pollIn < 0) {
            pollIn = pollEvery - 1;
            poll();
            if (stop !== undefined) break search;
            yield;
          }
          const s = cur.state(li);
          const sIdx = cur.index(li);
          at = -1;
          const acts = model.steps(s);
          const from = skip;
          skip = 0;
          for (let ai = from, n = acts.length; ai < n; ai++) {
            const a = acts[ai] as A;
            at = ai;
            const t = model.next(s, a);
            generated++;
            if (stepChecks.length > 0) {
              checkStep(s, a, t, sIdx, ai);
              if (undecided === 0) { stop = 'decided'; break search; }
            }
            const isNew = insert(t);
            if (labelOf !== undefined) cover(a, isNew);
            if (isNew) {
              const idx = distinct++;
              if (below !== undefined) sketchAdd(t);
              parents.push(sIdx);
              stepTaken.push(ai);
              if (!needStateCheck() || checkState(t, idx)) nxt.push(t, idx);
              if (hasProps && undecided === 0) { stop = 'decided'; break search; }
              // Stopped inside the expansion: a snapshot goes on with the next action.
              if (distinct >= maxStates) { stop = 'states'; skip = ai + 1; break search; }
            }
          }
        }

        // The level is done: the next frontier becomes the current one.
        peakFrontierBytes = Math.max(peakFrontierBytes, cur.bytes + nxt.bytes);
        cur = nxt;
        nxt = newFrontier();
        li = 0;
        level++;
      }
    }
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    // The model (or a property) threw: say where, so that the caller can show the path to that state.
    const idx = li < cur.length ? cur.index(li) : undefined;
    throw new ModelError(e, idx === undefined ? undefined : pathTo(idx, -1), at);
  }

  const end = performance.now();
  const seconds = (end - t0) / 1000;
  const exhausted = stop === 'exhausted';
  // States discovered but not expanded (a state partly expanded when the search stopped counts too).
  const queue = exhausted ? 0 : queueSize();
  if (onProgress !== undefined) onProgress({ distinct, generated, depth, queue, seconds });

  const properties: PropertyOutcome[] = [];
  const witnesses: WitnessOutcome[] = [];
  props.forEach((p, i) => {
    const f = fired[i];
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

  const partitionOf = (): Pick<CheckResult, 'partition'> => (part === undefined ? {} : {
    partition: { ...(split ?? { index: part.index, count: part.count, splitLevel: null, frontier: 0, owned: 0, shared: distinct }), sketch: below ?? new Sketch() },
  });
  const result: CheckResult = {
    properties,
    witnesses,
    stop: stop!,
    ...(labelOf !== undefined ? { coverage: [...coverage].map(([label, [g, d]]) => ({ label, generated: g, distinct: d })) } : {}),
    stats: {
      distinct,
      generated,
      depth,
      seconds,
      statesPerSecond: seconds > 0 ? distinct / seconds : 0,
      collisionProbability: exactKeys ? 0 : (distinct * (generated - distinct)) / 2 ** 64,
      queue,
      bytesPerState: distinct > 0 ? (visited.bytes + parents.bytes + stepTaken.bytes) / distinct : 0,
      visitedBytesPerState: distinct > 0 ? visited.bytes / distinct : 0,
      peakFrontierBytes: Math.max(peakFrontierBytes, cur.bytes + nxt.bytes),
      pruned,
    },
    // Stops taken at a poll point leave the search between two expansions: it can go on from here.
    // So do those at maxStates after the initial states (inside an expansion: `skip` says where).
    ...(stop === 'interrupted' || stop === 'time' || stop === 'memory' || (stop === 'states' && initialsDone) ? { snapshot } : {}),
  };
  if (options.keepVisited === true) {
    const kept: VisitedSet = {
      has(key: ArrayLike<number>): boolean {
        if (exactKeys) return exactKeys.has(keyText(key));
        fingerprint(key);
        return visited.has(fp[0]!, fp[1]!);
      },
      size: exactKeys ? exactKeys.size : visited.size,
    };
    return { ...result, visited: kept, ...partitionOf() };
  }
  return part === undefined ? result : { ...result, ...partitionOf() };
}
