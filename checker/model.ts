import type { Snapshot } from './checkpoint.js';
import type { Partition, PartitionOutcome } from './partition.js';

// The contract between a model and the search engine. Nothing here knows about kernels:
// the same engine checks a water-jug puzzle, Peterson's mutex or a unix GC design.

/** A transition system. `steps` must be deterministic: the same state gives the same list in the
 *  same order, because counterexamples are stored as indices into that list and rebuilt by replay. */
export interface Model<S, A> {
  initial(): readonly S[];
  /** The enabled actions of `s`, in a deterministic order. */
  steps(s: S): readonly A[];
  /** The successor of `s` under `a` (`a` is one of `steps(s)`). Must not mutate `s`. */
  next(s: S, a: A): S;
  /** A canonical encoding: equal keys mean equivalent states. Symmetry reduction is the model's
   *  business (renumber interchangeable things inside `key`). */
  key(s: S): ArrayLike<number>;
  /** Optional: a short label per action kind (e.g. the syscall), for per-kind coverage statistics. */
  label?(a: A): string;
  /** Optional: what identifies an action across states (e.g. task + syscall + arguments), so that the
   *  simulator can delete a step from a counterexample and keep the steps after it as they were. */
  actionKey?(a: A): string;
  /** Optional, needed only to search with several workers (checker/parallel.ts), where states cross
   *  threads: `s` as 32-bit words (the array may be reused by the next call: the engine copies it at once).
   *  `decode(encode(s))` must be a state that behaves exactly as `s` does (same key, same `steps` in the
   *  same order, same successors, same property verdicts); it need not be the same object. `decode` gets a
   *  view into a batch buffer that it must not keep (copy what it needs). A model without the pair runs
   *  with one worker only. */
  encode?(s: S): Int32Array;
  decode?(words: Int32Array): S;
}

/** What a model factory module returns: the model and the properties to check on it. */
export interface ModelSpec<S, A> {
  readonly model: Model<S, A>;
  readonly properties: readonly Property<S, A>[];
}

/** A parallel search cannot send a model to a worker thread: each worker imports a factory module and
 *  calls its exported `createModel(params)` with the same JSON-serialisable `params`. The factory must be
 *  deterministic: every call with the same params gives the same model. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModelFactory<P = any> = (params: P) => ModelSpec<any, any> | Promise<ModelSpec<any, any>>;

/** A named check. `check` returns a string when the property "fires":
 *  - `always`: the string is the violation message (undefined = the state/step is fine);
 *  - `sometimes`: the string describes the witness (undefined = not a witness).
 *  `on: 'state'` checks every distinct state once when it is discovered (initial states too);
 *  `on: 'step'` checks every generated transition (s, a, s'), also those into visited states. */
export type Property<S, A> =
  | { readonly name: string; readonly kind: 'always' | 'sometimes'; readonly on: 'state';
      readonly check: (s: S) => string | undefined }
  | { readonly name: string; readonly kind: 'always' | 'sometimes'; readonly on: 'step';
      readonly check: (s: S, a: A, t: S) => string | undefined };

// The state helpers return the `on: 'state'` member only: it is assignable to `Property<S, A>` for every A
// (a `Property<S, never>` is not, because its step member's `check` would take `a: never`).
export const always = <S>(name: string, check: (s: S) => string | undefined): Extract<Property<S, never>, { on: 'state' }> =>
  ({ name, kind: 'always', on: 'state', check });
export const sometimes = <S>(name: string, check: (s: S) => string | undefined): Extract<Property<S, never>, { on: 'state' }> =>
  ({ name, kind: 'sometimes', on: 'state', check });
export const alwaysStep = <S, A>(name: string, check: (s: S, a: A, t: S) => string | undefined): Property<S, A> =>
  ({ name, kind: 'always', on: 'step', check });
export const sometimesStep = <S, A>(name: string, check: (s: S, a: A, t: S) => string | undefined): Property<S, A> =>
  ({ name, kind: 'sometimes', on: 'step', check });

/** Limits of one search. Reaching any of them makes undecided properties `bounded`, never `holds`. */
export interface Limits {
  /** Explore states at distance <= maxDepth from an initial state; 0 or undefined = no limit. */
  readonly maxDepth?: number;
  /** Stop after this many distinct states; undefined = no limit. */
  readonly maxStates?: number;
  /** Stop after this many seconds of wall time; undefined = no limit. */
  readonly maxSeconds?: number;
}

export interface Progress {
  readonly distinct: number;
  readonly generated: number;
  /** The depth of the level being expanded. */
  readonly depth: number;
  /** States discovered but not yet expanded. */
  readonly queue: number;
  readonly seconds: number;
  /** During the search (not in the report at its end): states of the level being expanded that are done,
   *  the level's size, and the new states found so far for the next level (when the search counts them). */
  readonly levelDone?: number;
  readonly levelSize?: number;
  readonly nextLevel?: number;
}

export interface CheckOptions<S, A> extends Limits {
  readonly properties: readonly Property<S, A>[];
  /** Called about every `progressEvery` seconds (default 0.5) and once at the end. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressEvery?: number;
  /** Poll limits, `shouldStop`, checkpoints and (in `checkAsync`) the event loop every this many
   *  expansions (default 1024). */
  readonly pollEvery?: number;
  /** Polled between expansions; returning true stops the search as `interrupted`. */
  readonly shouldStop?: () => boolean;
  /** Do not expand a state that violates an `always` state property (every such property is then
   *  evaluated on every new state, decided or not). What a broken system does after the breakage is not
   *  explored: this keeps the search finite when a bug makes a counter grow without bound. The other
   *  verdicts then speak of the paths that avoid every violation; `stats.pruned` counts such states. */
  readonly pruneViolating?: boolean;
  /** Store whole keys instead of 64-bit fingerprints: no collision is possible (for small runs: a JS Set,
   *  at most 2^24 states, far more memory per state). */
  readonly exact?: boolean;
  /** Stop as 'memory' when the process's resident set reaches this many bytes (polled). */
  readonly maxMemoryBytes?: number;
  /** Call `onCheckpoint` with a snapshot about every `checkpointEvery` seconds. */
  readonly checkpointEvery?: number;
  readonly onCheckpoint?: (s: Snapshot) => void;
  /** Go on from a snapshot (same model, same properties, same options): the run ends exactly as an
   *  uninterrupted one would, apart from time. */
  readonly resume?: Snapshot;
  /** Keep the visited set in the result, for tests that ask "was this state reached?". */
  readonly keepVisited?: boolean;
  /** Keep the states waiting in the BFS frontier encoded (Model.encode) in one flat arena instead of as
   *  objects, decoding each when it is expanded: less memory per waiting state for some decode time.
   *  Needs encode and decode; default false. */
  readonly compact?: boolean;
  /** Make only part `index` of `count` of the search (checker/partition.ts): the parts together cover
   *  every state of the whole search. Not with `resume` or `onCheckpoint`. */
  readonly partition?: Partition;
}

/** A path from an initial state: `init` indexes `initial()`, `steps[i]` indexes `steps(s_i)`. */
export interface Path {
  readonly init: number;
  readonly steps: readonly number[];
}

export type PropertyStatus = 'holds' | 'violated' | 'bounded';
export type WitnessStatus = 'found' | 'not-found' | 'bounded';

export interface PropertyOutcome {
  readonly name: string;
  readonly status: PropertyStatus;
  /** For `violated`: the shortest path to the violating state (or to the source of the violating step,
   *  followed by the violating step) and the property's message. */
  readonly path?: Path;
  readonly message?: string;
}

export interface WitnessOutcome {
  readonly name: string;
  readonly status: WitnessStatus;
  readonly path?: Path;
  readonly message?: string;
}

export type StopReason =
  | 'exhausted'    // every reachable state (within maxDepth if there were no deeper states) was explored
  | 'decided'      // every property got its verdict before the state space was exhausted
  | 'depth' | 'states' | 'time' | 'memory' | 'interrupted';

export interface Stats {
  readonly distinct: number;
  readonly generated: number;
  /** The deepest level whose states were all discovered. */
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** distinct * (generated - distinct) / 2^64: the chance that two distinct states shared a fingerprint. */
  readonly collisionProbability: number;
  /** Discovered states left unexpanded when the search stopped. */
  readonly queue: number;
  /** Bytes used by the visited set and parent links, divided by distinct states. */
  readonly bytesPerState: number;
  /** Bytes of the visited set alone (the fingerprint table), divided by distinct states. */
  readonly visitedBytesPerState?: number;
  /** The largest frontier held at once (in compact mode, its bytes; else 0). */
  readonly peakFrontierBytes?: number;
  /** States not expanded because they violate a property (`pruneViolating`). */
  readonly pruned: number;
}

/** Per action label: transitions generated, and how many of them led to a new state (TLC's -coverage). */
export interface Coverage {
  readonly label: string;
  readonly generated: number;
  readonly distinct: number;
}

export interface VisitedSet {
  has(key: ArrayLike<number>): boolean;
  readonly size: number;
}

export interface CheckResult {
  readonly properties: readonly PropertyOutcome[];
  readonly witnesses: readonly WitnessOutcome[];
  readonly stats: Stats;
  readonly stop: StopReason;
  /** Present when the model labels its actions; in order of first appearance. */
  readonly coverage?: readonly Coverage[];
  /** Present when the search stopped between two expansions (interrupted, time, memory): a snapshot
   *  from which `resume` goes on. */
  readonly snapshot?: () => Snapshot;
  /** Present only with `keepVisited`. */
  readonly visited?: VisitedSet;
  /** Present only with `partition`: what the merge needs besides the verdicts and counts. */
  readonly partition?: PartitionOutcome;
}
