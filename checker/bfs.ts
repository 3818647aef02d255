// Level-by-level breadth-first search over a `Model`.
//
// Only the current and the next frontier are kept as state objects; every discovered state is otherwise
// represented by its 64-bit fingerprint (in a `FingerprintSet`) and a parent link (parent index, index of
// the step in `steps(parent)`), so a counterexample is a `Path` that `replayPath` turns back into states.
//
// State numbering: states get consecutive indices in discovery order, and the frontiers are expanded in
// that same order, so the index of the state being expanded is simply the number of states expanded
// before it. Because the search goes level by level in a deterministic order, the first time a property
// fires is on a shortest path (for a step property: a shortest path to the source, plus the step).

import { fingerprint, fp } from './hash.js';
import { FingerprintSet, Int32List } from './visited.js';
import type {
  CheckOptions, CheckResult, Model, Path, PropertyOutcome, StopReason, VisitedSet, WitnessOutcome,
} from './model.js';

interface Fired {
  readonly path: Path;
  readonly message: string;
}

/** Poll the clock / `shouldStop` every this many expansions. */
const POLL_EVERY = 1024;

/** Breadth-first search of `model`, checking `options.properties`.
 *
 *  - Initial states are deduplicated by fingerprint; every entry of `initial()` counts as generated.
 *  - State properties run once on each new state, step properties on every generated transition, until the
 *    property fires (then it is decided and never evaluated again). The first firing is on a shortest path.
 *  - Stops: 'decided' (every property decided; never with no properties), 'exhausted', 'states' (as soon as
 *    `maxStates` distinct states are discovered, so `distinct <= maxStates`), 'time' and 'interrupted'
 *    (polled every 1024 expansions, the first time before the first expansion), 'depth'.
 *  - `maxDepth` D: states at distance <= D are discovered and checked; those at distance D are not
 *    expanded but probed: the first successor outside the visited set gives 'depth'. A probed transition
 *    into a visited state belongs to the explored space: it counts as generated and step properties run on
 *    it, so a probe that finds nothing new ends as 'exhausted' with the same counts and verdicts as an
 *    unbounded search. */
export function check<S, A>(model: Model<S, A>, options: CheckOptions<S, A>): CheckResult {
  const t0 = performance.now();
  const props = options.properties;
  const fired: (Fired | undefined)[] = props.map(() => undefined);
  const hasProps = props.length > 0;
  let undecided = props.length;

  // Undecided properties, split by kind of check; a property is removed from these lists when it fires.
  const stateChecks: ((s: S) => string | undefined)[] = [];
  const stateIds: number[] = [];
  const stepChecks: ((s: S, a: A, t: S) => string | undefined)[] = [];
  const stepIds: number[] = [];
  const stateIsAlways: boolean[] = [];
  /** With `pruneViolating`: the always-state checks that already fired, still run to decide pruning. */
  const firedAlways: ((s: S) => string | undefined)[] = [];
  const prune = options.pruneViolating === true;
  let pruned = 0;
  props.forEach((p, i) => {
    if (p.on === 'state') {
      stateChecks.push(p.check);
      stateIds.push(i);
      stateIsAlways.push(p.kind === 'always');
    } else {
      stepChecks.push(p.check);
      stepIds.push(i);
    }
  });

  const maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
  const maxStates = options.maxStates ?? Infinity;
  const deadline = options.maxSeconds !== undefined ? t0 + options.maxSeconds * 1000 : Infinity;
  const onProgress = options.onProgress;
  const progressMs = (options.progressEvery ?? 0.5) * 1000;
  const shouldStop = options.shouldStop;
  const needClock = deadline !== Infinity || onProgress !== undefined;
  let nextProgress = t0 + progressMs;

  // Coverage per action label (only when the model labels actions): [generated, distinct] per label.
  const labelOf = model.label?.bind(model);
  const coverage = new Map<string, [number, number]>();
  const cover = (a: A, isNew: boolean): void => {
    const l = labelOf!(a);
    let c = coverage.get(l);
    if (c === undefined) { c = [0, 0]; coverage.set(l, c); }
    c[0]++;
    if (isNew) c[1]++;
  };

  const visited = new FingerprintSet();
  /** For state i: the parent's index, or -(init + 1) for an initial state (init indexes `initial()`). */
  const parents = new Int32List();
  /** For state i: the index of the step in `steps(parent)` (-1 for an initial state). */
  const stepTaken = new Int32List();

  let distinct = 0;
  let generated = 0;
  /** Index of the state being expanded = number of states fully expanded. */
  let sIdx = 0;
  /** Depth of the current frontier `cur`. */
  let level = 0;
  /** The deepest level whose states were all discovered. */
  let depth = 0;
  let stop: StopReason | undefined;
  let queueAtStop = -1; // -1: distinct - sIdx

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

  const report = (queue: number, now: number): void => {
    onProgress?.({ distinct, generated, depth: level, queue, seconds: (now - t0) / 1000 });
  };

  /** Called every POLL_EVERY expansions; sets `stop` on a time limit or an interruption. */
  const poll = (queue: number): void => {
    if (needClock) {
      const now = performance.now();
      if (now >= deadline) stop = 'time';
      if (onProgress !== undefined && now >= nextProgress) {
        report(queue, now);
        nextProgress = now + progressMs;
      }
    }
    if (stop === undefined && shouldStop !== undefined && shouldStop()) stop = 'interrupted';
  };

  // Level 0: the initial states.
  let cur: S[] = [];
  let nxt: S[] = [];
  const inits = model.initial();
  for (let i = 0; i < inits.length; i++) {
    const s = inits[i] as S;
    generated++;
    fingerprint(model.key(s));
    if (!visited.insert(fp[0]!, fp[1]!)) continue;
    const idx = distinct++;
    parents.push(-(i + 1));
    stepTaken.push(-1);
    if (stateChecks.length + firedAlways.length === 0 || checkState(s, idx)) cur.push(s);
    if (hasProps && undecided === 0) {
      stop = 'decided';
      break;
    }
    if (distinct >= maxStates) {
      stop = 'states';
      break;
    }
  }

  let pollIn = 0; // expansions until the next poll
  search: while (stop === undefined) {
    if (cur.length === 0) {
      stop = 'exhausted';
      break;
    }
    depth = level;

    if (level >= maxDepth) {
      // Probe the frontier at the depth bound: do its transitions lead anywhere new?
      for (let li = 0; li < cur.length; li++) {
        if (--pollIn < 0) {
          pollIn = POLL_EVERY - 1;
          poll(distinct - sIdx);
          if (stop !== undefined) break search;
        }
        const s = cur[li] as S;
        const acts = model.steps(s);
        for (let ai = 0, n = acts.length; ai < n; ai++) {
          const a = acts[ai] as A;
          const t = model.next(s, a);
          fingerprint(model.key(t));
          if (!visited.has(fp[0]!, fp[1]!)) {
            stop = 'depth';
            break search;
          }
          // A transition inside the explored region: it is part of the state space, count and check it.
          generated++;
          if (labelOf !== undefined) cover(a, false);
          if (stepChecks.length > 0) {
            checkStep(s, a, t, sIdx, ai);
            if (undecided === 0) {
              stop = 'decided';
              break search;
            }
          }
        }
        sIdx++;
      }
      // Nothing beyond the bound: the state space really is exhausted.
      stop = 'exhausted';
      break;
    }

    for (let li = 0; li < cur.length; li++) {
      if (--pollIn < 0) {
        pollIn = POLL_EVERY - 1;
        poll(distinct - sIdx);
        if (stop !== undefined) break search;
      }
      const s = cur[li] as S;
      const acts = model.steps(s);
      for (let ai = 0, n = acts.length; ai < n; ai++) {
        const a = acts[ai] as A;
        const t = model.next(s, a);
        generated++;
        if (stepChecks.length > 0) {
          checkStep(s, a, t, sIdx, ai);
          if (undecided === 0) {
            stop = 'decided';
            break search;
          }
        }
        fingerprint(model.key(t));
        const isNew = visited.insert(fp[0]!, fp[1]!);
        if (labelOf !== undefined) cover(a, isNew);
        if (isNew) {
          const idx = distinct++;
          parents.push(sIdx);
          stepTaken.push(ai);
          if (stateChecks.length + firedAlways.length === 0 || checkState(t, idx)) nxt.push(t);
          if (hasProps && undecided === 0) {
            stop = 'decided';
            break search;
          }
          if (distinct >= maxStates) {
            stop = 'states';
            break search;
          }
        }
      }
      sIdx++;
    }

    const done = cur;
    cur = nxt;
    nxt = done;
    nxt.length = 0;
    level++;
  }
  if (stop === 'exhausted') queueAtStop = 0;

  const end = performance.now();
  const seconds = (end - t0) / 1000;
  const queue = queueAtStop >= 0 ? queueAtStop : distinct - sIdx;
  if (onProgress !== undefined) onProgress({ distinct, generated, depth, queue, seconds });

  const exhausted = stop === 'exhausted';
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

  const result: CheckResult = {
    properties,
    witnesses,
    stop,
    ...(labelOf !== undefined ? { coverage: [...coverage].map(([label, [g, d]]) => ({ label, generated: g, distinct: d })) } : {}),
    stats: {
      distinct,
      generated,
      depth,
      seconds,
      statesPerSecond: seconds > 0 ? distinct / seconds : 0,
      collisionProbability: (distinct * (generated - distinct)) / 2 ** 64,
      queue,
      bytesPerState: distinct > 0 ? (visited.bytes + parents.bytes + stepTaken.bytes) / distinct : 0,
      pruned,
    },
  };
  if (options.keepVisited === true) {
    const kept: VisitedSet = {
      has(key: ArrayLike<number>): boolean {
        fingerprint(key);
        return visited.has(fp[0]!, fp[1]!);
      },
      size: visited.size,
    };
    return { ...result, visited: kept };
  }
  return result;
}
