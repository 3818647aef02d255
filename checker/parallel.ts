// Breadth-first search with several worker threads, giving the same result as `check` (checker/bfs.ts):
// the same verdicts, the same counterexample and witness paths (the same step indices), the same distinct,
// generated, pruned and depth figures, for any number of workers.
//
// Why the sequential result is a function of the state graph alone. `check` expands each level in
// frontier order and gives a state its first discovery as parent; by induction, the frontier order of
// level L + 1 is the lexicographic order of the keys (rank of the parent in level L, step index), each
// state taking its least key over all its parents in level L, and so a state's recorded path is the
// lexicographically least sequence of step indices among its shortest paths (`init` first). Everything
// `check` reports is the first "event" of some kind in that order: the transition (g, ai) is generated
// at event (g, ai); step properties run on it then ("phase 0"), and if it leads to a new state, that
// state is counted and its state properties run just after ("phase 1"). So a property's verdict is its
// least firing event; 'decided' stops at the greatest of the least events of the properties still open,
// 'states' at the event that discovers the maxStates-th state, and the depth probe at the first
// transition (in that order) out of the visited set (before counting it: "phase -1"). Pruning with
// `pruneViolating` depends only on the state (it violates some `always` state property or not), never on
// the order. Several properties are independent: each reports its own least event.
//
// How the workers reproduce it (worker.ts has the details). The search is level-synchronous. The workers
// share one visited set and take the frontier of level L in chunks of ranks; each successor is looked up
// by the worker that generated it, and a new one gets a candidate record holding its least key so far,
// its words and the state properties that fired on it. When every worker is done with the level, this
// thread (the coordinator) sorts the records by key (a counting sort on the parent's rank): that is the
// sequential frontier order of level L + 1. It then knows every event that matters: the least firing
// event per property (the least rank whose record names it; the workers report their least step
// property firings), the stop event E (decided, states or depth), and, with the number of steps of each
// frontier state, the sequential counts up to E. Parent links (parent's rank, step index) are kept here,
// per state in rank order, so counterexample paths need no worker.
//
// Two workers once exchanged successors with their owners (states partitioned by fingerprint) and merged
// the levels by rank; the hand-off and the merge doubled the CPU time per state, and two workers were no
// faster than one on filelife (the note on issue 5 has the figures). Looking successors up in one shared
// table costs a compare-and-swap per new state instead.
//
// The depth probe (the level at maxDepth, whose successors are only looked up) stops handing out chunks
// past the first frontier state with a successor out of the visited set.
//
// A model error (an exception from the model or a property) is reported as `check` reports it, with the
// path to the state whose expansion threw and the step; if several expansions of one level throw, the
// first worker to fail names its own, which need not be the first in `check`'s order.
//
// Not supported in parallel (refused with an error): `exact`, `resume`, `onCheckpoint`, `keepVisited`. An
// interruption (shouldStop, maxSeconds, maxMemoryBytes) lands between two levels or stops the workers
// mid-level; the result then gives the counts of a complete search bounded at the depth reached, as
// `check` with that maxDepth counts them: the levels completed plus the depth probe of the last one, run
// on the coordinator thread (their verdicts stand; the others are 'bounded'), and has no snapshot.
// Per-label coverage is not collected.

import { Worker } from 'node:worker_threads';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelError } from './bfs.js';
import { fingerprint, fp } from './hash.js';
import type { CheckOptions, CheckResult, Model, ModelFactory, Path, Property, PropertyOutcome, StopReason, WitnessOutcome } from './model.js';
import {
  ARENA_MAX, CTL_ABORT, CTL_CURSOR, CTL_TABLE, CTL_END, CTL_END_DONE, CTL_GROW, CTL_GROW_TO, CTL_LIMIT, CTL_MEET_GEN, CTL_NCAND, CTL_TABLE_LOG, CTL_USED,
  BLOCK, CTL_WORDS, FRONT, PROGRESS_STRIDE, REC, REC_MAX, R_A, R_BAD, R_G, R_OFF, R_W, TABLE_MAX_LOG, TABLE_MIN_LOG,
  pack, rankOf, stepOf, type FromWorker, type Shared, type StepFire, type ToWorker, type WorkerData,
} from './worker.js';

export interface ParallelSpec {
  /** The factory module: an absolute file path or a URL. It exports `createModel(params)` (ModelFactory). */
  readonly module: string | URL;
  /** Given to `createModel` in every worker: must survive structured cloning (JSON-like data). */
  readonly params?: unknown;
  /** Number of worker threads (>= 1). */
  readonly workers: number;
  /** Smaller shared buffers than the largest (for tests of a full buffer): log2 of the visited set's
   *  slots, new states per level, words per worker's arena. */
  readonly limits?: { readonly tableLog?: number; readonly statesPerLevel?: number; readonly arenaWords?: number };
}

export type ParallelOptions = Omit<CheckOptions<unknown, unknown>,
  'properties' | 'resume' | 'onCheckpoint' | 'checkpointEvery' | 'keepVisited' | 'pollEvery'>;

// From the sources (tests, under tsx) the worker registers tsx first (worker-entry.mjs); compiled (dist/),
// the worker is plain JavaScript and starts as it is.
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('./worker-entry.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);

interface Event { readonly pk: number; readonly phase: number }
const before = (a: Event, b: Event): boolean => a.pk < b.pk || (a.pk === b.pk && a.phase < b.phase);

/** A property's least firing: its event, message, and where its path ends (a state's global index, plus
 *  a last step >= 0 for a step property). */
interface Fired extends Event {
  readonly message: string;
  readonly idx: number;
  readonly extra: number;
}

/** Properties are bits of a record's verdict (worker.ts): at most 31. */
const MAX_PROPS = 31;

/** Searches the model made by `spec.module`'s `createModel(spec.params)` with `spec.workers` threads. */
export async function checkParallel(spec: ParallelSpec, options: ParallelOptions = {}): Promise<CheckResult> {
  const n = spec.workers;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`workers must be an integer from 1 to 64, got ${n}`);
  if (options.exact === true) throw new Error('exact mode is not supported with workers');
  const mod = spec.module instanceof URL ? spec.module.href
    : isAbsolute(spec.module) ? pathToFileURL(spec.module).href
    : /^[a-z][a-z0-9+.-]*:/i.test(spec.module) ? spec.module
    : undefined;
  if (mod === undefined) throw new Error(`the model factory module must be an absolute path or a URL, got '${String(spec.module)}'`);
  const search = new ParallelSearch(spec, mod, options);
  try {
    await search.ready();
    return await search.run();
  } catch (e) {
    throw search.crew.failure !== undefined && !(e instanceof ModelError) ? search.crew.failure : e;
  } finally {
    search.stopTicking();
    await search.crew.terminate();
  }
}

/** The worker threads and their replies, in order per worker; a failed worker aborts every phase. */
class Crew {
  readonly workers: Worker[] = [];
  /** Replies per worker not yet received; a waiter per worker. */
  private readonly inbox: FromWorker[][] = [];
  private readonly waiters: (((m: FromWorker) => void) | undefined)[] = [];
  failure: unknown;
  private failed: (() => void) | undefined;

  constructor(private readonly ctl: Int32Array, n: number, mod: string, params: unknown, shared: Shared) {
    for (let w = 0; w < n; w++) {
      const data: WorkerData = { me: w, n, module: mod, params, shared };
      const worker = new Worker(ENTRY, { workerData: data });
      this.inbox.push([]);
      this.waiters.push(undefined);
      worker.on('message', (m: FromWorker) => {
        const wait = this.waiters[w];
        if (wait !== undefined) { this.waiters[w] = undefined; wait(m); } else this.inbox[w]!.push(m);
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`worker ${w} exited with code ${code}`)); });
      this.workers.push(worker);
    }
  }

  /** Wakes the workers blocked on a control word (to see CTL_ABORT). */
  wake(): void {
    Atomics.notify(this.ctl, CTL_END_DONE);
    Atomics.notify(this.ctl, CTL_MEET_GEN);
  }

  /** Stops every worker mid-phase. */
  abort(): void {
    Atomics.store(this.ctl, CTL_ABORT, 1);
    this.wake();
  }

  private fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e;
    this.abort();
    this.failed?.();
  }

  receive(w: number): Promise<FromWorker> {
    const m = this.inbox[w]!.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => { this.waiters[w] = resolve; });
  }

  /** The next reply of every worker (rejects if a worker failed). */
  async all(): Promise<FromWorker[]> {
    const failedP = new Promise<never>((_, reject) => {
      this.failed = () => reject(this.failure);
      if (this.failure !== undefined) reject(this.failure);
    });
    try {
      return await Promise.race([Promise.all(this.workers.map((_, w) => this.receive(w))), failedP]);
    } finally {
      this.failed = undefined;
      failedP.catch(() => undefined);
    }
  }

  broadcast(m: ToWorker): void { for (const w of this.workers) w.postMessage(m); }

  async terminate(): Promise<void> { await Promise.all(this.workers.map((w) => w.terminate())); }
}

type Done = Extract<FromWorker, { t: 'done' }>;
type PropInfo = Extract<FromWorker, { t: 'ready' }>['props'][number];

/** A level's candidate records in the sequential frontier order, and what one pass over them gives. */
interface Level {
  readonly nCand: number;
  /** Per state in rank order: the parent's rank and the step index. */
  readonly links: Int32Array;
  /** 1 for a state left out of the frontier by pruning. */
  readonly prunedAt: Uint8Array;
  /** The ranks of the states that go on (the next frontier's `frontRank`), nextSize of them. */
  readonly nextRank: Int32Array;
  readonly nextSize: number;
  /** The least state of each open state property: [slot, property] and its rank. */
  readonly asks: [number, number][];
  readonly askRank: number[];
}

/** One parallel search, as named phases on the coordinator thread: `ready` (the workers' properties), then
 *  `explore`: per level `phase` (the workers expand the frontier) and `afterLevel` (`sortSlots`,
 *  `scanLevel`, `describe`, `decide`, then `truncate` at a stop or the level becomes the frontier); the depth
 *  `probe`; after an interruption `probeAfterInterruption`; `tick` every 50 ms (interruptions, `progress`);
 *  `finish` makes the result. */
class ParallelSearch {
  readonly crew: Crew;
  private readonly n: number;
  private readonly shared: Shared;
  private readonly ctl: Int32Array;
  private readonly workerProgress: Float64Array;
  private readonly records: readonly [Int32Array, Int32Array];
  private readonly front: Int32Array;
  private readonly actsOf: Int32Array;
  private readonly tableLog: number;

  // Parent links per level, per state in rank order: the parent's rank in the previous level and the step
  // index (the initial state's index at level 0).
  private readonly levelLinks: Int32Array[] = [];
  /** levelStart[L]: the global index of level L's first state. */
  private readonly levelStart: number[] = [];

  // Set by `ready`, from the workers' properties.
  private t0 = 0;
  private props: readonly PropInfo[] = [];
  private fired: (Fired | undefined)[] = [];
  private undecided = 0;
  private stateProps: number[] = [];
  private stepProps: number[] = [];
  private alwaysMask = 0;
  private readonly prune: boolean;
  private readonly maxDepth: number;
  private readonly maxStates: number;
  private deadline = Infinity;
  private readonly maxMemory: number;
  private readonly progressMs: number;
  private nextProgress = 0;
  private interval: NodeJS.Timeout | undefined;

  private distinct = 0;
  private generated = 0;
  private pruned = 0;
  private depth = 0;
  private level = 0;
  private queue = 0;
  private stop: StopReason | undefined;
  /** The frontier being expanded: its size (pruned states left out) and, per frontier index, the
   *  state's rank in its level (`frontRank`, also in `front`). */
  private frontier = 0;
  private frontRank: Int32Array = new Int32Array(0);
  /** All new states of the level last built (pruned ones included): the ranks of the frontier. */
  private levelStates = 0;
  private prevLevelStates = 0;
  /** Record slots handed out in the phases so far: the claim numbers of the visited set start there. */
  private claimed = 0;
  /** The phase: 0 builds level 0 from the virtual root, gen builds level gen. */
  private gen = 0;
  /** An interruption (time, memory, shouldStop, a full buffer): polled every 50 ms, it stops the workers. */
  private interruption: StopReason | undefined;

  constructor(private readonly spec: ParallelSpec, private readonly mod: string, private readonly options: ParallelOptions) {
    const n = this.n = spec.workers;
    // Every shared buffer at its largest size: pages are mapped on first touch (worker.ts).
    const tableLog = this.tableLog = Math.max(TABLE_MIN_LOG, Math.min(TABLE_MAX_LOG, spec.limits?.tableLog ?? TABLE_MAX_LOG));
    const recMax = Math.max(BLOCK, Math.min(REC_MAX, spec.limits?.statesPerLevel ?? REC_MAX));
    const arenaWords = Math.max(1024, Math.min(ARENA_MAX, spec.limits?.arenaWords ?? ARENA_MAX));
    const shared: Shared = this.shared = {
      ctl: new SharedArrayBuffer(4 * CTL_WORDS),
      progress: new SharedArrayBuffer(8 * PROGRESS_STRIDE * n),
      tables: [new SharedArrayBuffer(12 * 2 ** tableLog), new SharedArrayBuffer(12 * 2 ** tableLog)],
      records: [new SharedArrayBuffer(4 * REC * recMax), new SharedArrayBuffer(4 * REC * recMax)],
      front: new SharedArrayBuffer(4 * FRONT * recMax),
      acts: new SharedArrayBuffer(4 * recMax),
      arenas: Array.from({ length: n }, () => [new SharedArrayBuffer(4 * arenaWords), new SharedArrayBuffer(4 * arenaWords)] as const),
    };
    const ctl = this.ctl = new Int32Array(shared.ctl);
    ctl[CTL_TABLE_LOG] = TABLE_MIN_LOG;
    ctl[CTL_USED] = 3 * 2 ** TABLE_MIN_LOG;
    this.workerProgress = new Float64Array(shared.progress);
    this.records = [new Int32Array(shared.records[0]), new Int32Array(shared.records[1])];
    this.front = new Int32Array(shared.front);
    this.actsOf = new Int32Array(shared.acts);
    this.prune = options.pruneViolating === true;
    this.maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
    this.maxStates = options.maxStates ?? Infinity;
    this.maxMemory = options.maxMemoryBytes ?? Infinity;
    this.progressMs = (options.progressEvery ?? 0.5) * 1000;
    this.crew = new Crew(ctl, n, mod, spec.params, shared);
  }

  /** Waits for every worker's model; they must all have the same properties. Starts the clock. */
  async ready(): Promise<void> {
    const ready = this.expect(await this.crew.all(), 'ready');
    const props = ready[0]!.props;
    for (const r of ready) {
      if (JSON.stringify(r.props) !== JSON.stringify(props)) throw new Error('the workers built different properties: the factory must be deterministic');
    }
    if (props.length > MAX_PROPS) throw new Error(`the parallel search checks at most ${MAX_PROPS} properties, the model has ${props.length}`);
    this.t0 = performance.now();
    this.props = props;
    this.fired = props.map(() => undefined);
    this.undecided = props.length;
    this.stateProps = props.flatMap((p, i) => (p.on === 'state' ? [i] : []));
    this.stepProps = props.flatMap((p, i) => (p.on === 'step' ? [i] : []));
    props.forEach((p, i) => { if (p.kind === 'always') this.alwaysMask |= 1 << i; });
    this.deadline = this.options.maxSeconds !== undefined ? this.t0 + this.options.maxSeconds * 1000 : Infinity;
    this.nextProgress = this.t0 + this.progressMs;
  }

  async run(): Promise<CheckResult> {
    this.interval = setInterval(() => this.tick(), 50);
    await this.explore();
    this.stopTicking();
    return this.finish();
  }

  stopTicking(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Level 0, then level after level, then the depth probe; sets `stop`. */
  private async explore(): Promise<void> {
    // Level 0: the initial states (a virtual root whose "steps" are the indices of initial()).
    const r0 = await this.phase(true, false);
    if (r0 === undefined) { this.stop = this.interruption; return; }
    if (await this.afterLevel(r0)) return;
    for (;;) {
      if (this.frontier === 0) { this.stop = 'exhausted'; return; }
      this.depth = this.level;
      if (this.level >= this.maxDepth) { await this.probe(); return; }
      const rs = await this.phase(false, false);
      if (rs === undefined) { await this.probeAfterInterruption(); return; }
      if (await this.afterLevel(rs)) return;
      this.level++;
    }
  }

  /** Every 50 ms while the workers run: interruptions, and progress when it is due. */
  private tick(): void {
    this.pollStop();
    const now = performance.now();
    if (this.options.onProgress !== undefined && now >= this.nextProgress) {
      this.nextProgress = now + this.progressMs;
      this.progress(now, false);
    }
  }

  /** The Progress of the search now (`final`: the last one, once the search has stopped); while a phase
   *  runs, the transitions the workers generated in it so far count too. */
  private progress(now: number, final: boolean): void {
    let g = this.generated;
    if (!final) for (let w = 0; w < this.n; w++) g += this.workerProgress[w * PROGRESS_STRIDE]!;
    this.options.onProgress?.({ distinct: this.distinct, generated: g, depth: final ? this.depth : this.level,
      queue: final ? this.queue : this.frontier, seconds: (now - this.t0) / 1000,
      // During the search only: the level's states claimed by the workers so far (the cursor), of its size.
      ...(final ? {} : { levelDone: Math.min(this.frontier, Atomics.load(this.ctl, CTL_CURSOR)), levelSize: this.frontier }) });
  }

  /** Sets `interruption` on a limit or shouldStop, and stops the workers mid-phase. */
  private pollStop(): void {
    if (this.interruption !== undefined) return;
    if (performance.now() >= this.deadline) this.interruption = 'time';
    else if (this.maxMemory !== Infinity && process.memoryUsage.rss() >= this.maxMemory) this.interruption = 'memory';
    else if (this.options.shouldStop?.() === true) this.interruption = 'interrupted';
    if (this.interruption !== undefined) this.crew.abort();
  }

  /** The replies of a phase; a model error becomes a ModelError with its path (frontier: the global index
   *  of each frontier index's state, in the phase that failed). */
  private expect<T extends FromWorker['t']>(replies: FromWorker[], t: T, frontierIdx?: (k: number) => number): Extract<FromWorker, { t: T }>[] {
    for (const r of replies) {
      if (r.t === 'error') {
        this.crew.abort();
        const path = r.k >= 0 && frontierIdx !== undefined ? this.pathTo(frontierIdx(r.k), -1) : undefined;
        throw new ModelError(r.error, path, r.at);
      }
    }
    const bad = replies.find((r) => r.t !== t);
    if (bad !== undefined) throw new Error(`parallel search: expected '${t}' replies, got '${bad.t}'`);
    return replies as Extract<FromWorker, { t: T }>[];
  }

  /** The path to the state with global index idx (plus a last step, >= 0). */
  private pathTo(idx: number, extra: number): Path {
    const rev: number[] = extra >= 0 ? [extra] : [];
    let level = this.levelStart.length - 1;
    while (this.levelStart[level]! > idx) level--;
    for (;;) {
      const links = this.levelLinks[level]!;
      const j = idx - this.levelStart[level]!;
      if (level === 0) return { init: links[2 * j + 1]!, steps: rev.reverse() };
      rev.push(links[2 * j + 1]!);
      idx = this.levelStart[--level]! + links[2 * j]!;
    }
  }

  /** Runs phase `gen` over the frontier; undefined if it was interrupted. */
  private async phase(root: boolean, probe: boolean): Promise<Done[] | undefined> {
    // (The root phase is not polled: an interrupted search has level 0 at least.)
    if (!root) this.pollStop();
    if (this.interruption !== undefined) return undefined;
    const ctl = this.ctl;
    this.workerProgress.fill(0);
    ctl[CTL_CURSOR] = 0;
    ctl[CTL_NCAND] = 0;
    ctl[CTL_END] = 0;
    ctl[CTL_END_DONE] = 0;
    ctl[CTL_LIMIT] = 0x7fffffff;
    if (!root) this.actsOf.fill(-1, 0, this.frontier);
    if (!probe && !root) this.growTable();
    const checks = this.stateProps.filter((p) => this.fired[p] === undefined || (this.prune && this.props[p]!.kind === 'always'));
    const stepChecks = this.stepProps.filter((p) => this.fired[p] === undefined);
    this.crew.broadcast({ t: 'expand', gen: this.gen, size: root ? 1 : this.frontier, root, probe, claimBase: this.claimed, checks, stepChecks });
    const replies = await this.crew.all();
    const base = this.levelStart[this.levelStart.length - 1] ?? 0;
    const ranks = this.frontRank;
    const at = (k: number): number => base + ranks[k]!;
    if (replies.some((r) => r.t === 'error')) this.expect(replies, 'done', root ? undefined : at);
    if (replies.some((r) => r.t === 'aborted')) {
      // A full shared buffer stops the search as out of memory would.
      if (this.interruption === undefined && replies.some((r) => r.t === 'aborted' && r.full !== undefined)) this.interruption = 'memory';
      return undefined;
    }
    return this.expect(replies, 'done');
  }

  /** Room for the next level before it starts (growing mid-level stops every worker): as many new states
   *  per frontier state as the last level had (levels grow by less and less: this errs large). */
  private growTable(): void {
    const ctl = this.ctl;
    const expected = Math.ceil(this.frontier * Math.max(1, this.levelStates / Math.max(1, this.prevLevelStates)));
    let log = ctl[CTL_TABLE_LOG]!;
    while ((this.distinct + expected) * 4 >= 2 ** log * 3 && log < this.tableLog) log++;
    if (log > ctl[CTL_TABLE_LOG]!) { ctl[CTL_GROW_TO] = log; ctl[CTL_GROW] = 1; }
  }

  /** The depth probe: successors are only looked up; the first one out of the visited set stops it. */
  private async probe(): Promise<void> {
    const rs = await this.phase(false, true);
    if (rs === undefined) { await this.probeAfterInterruption(); return; }
    let unseen: Event | undefined;
    for (const r of rs) if (r.unseen >= 0 && (unseen === undefined || r.unseen < unseen.pk)) unseen = { pk: r.unseen, phase: -1 };
    const s = this.decide(this.leastStepFires(rs), undefined, unseen);
    if (s !== undefined) { this.truncate(s.e, s.why, 0); return; }
    for (const r of rs) this.generated += r.generated;
    this.stop = 'exhausted';
  }

  /** The least step property firing per open property in these replies. */
  private leastStepFires(rs: readonly { fires: readonly StepFire[] }[]): Map<number, Fired> {
    const base = this.levelStart[this.levelStart.length - 1]!;
    const best = new Map<number, Fired>();
    for (const r of rs) {
      for (const f of r.fires) {
        if (this.fired[f.prop] !== undefined) continue;
        const b = best.get(f.prop);
        if (b === undefined || f.pk < b.pk) best.set(f.prop, { pk: f.pk, phase: 0, message: f.message, idx: base + this.frontRank[f.k]!, extra: f.ai });
      }
    }
    return best;
  }

  /** Decides the stop event of a phase, if any; records the firings up to it. Returns the event. */
  private decide(best: Map<number, Fired>, states: Event | undefined, unseen: Event | undefined): { e: Event; why: StopReason } | undefined {
    let dec: Event | undefined;
    if (this.props.length > 0 && best.size === this.undecided) {
      for (const f of best.values()) if (dec === undefined || before(dec, f)) dec = f;
    }
    let stopAt: { e: Event; why: StopReason } | undefined;
    if (dec !== undefined) stopAt = { e: dec, why: 'decided' };
    // At one event, the sequential search checks 'decided' before the state limit.
    if (states !== undefined && (stopAt === undefined || before(states, stopAt.e))) stopAt = { e: states, why: 'states' };
    if (unseen !== undefined && (stopAt === undefined || before(unseen, stopAt.e))) stopAt = { e: unseen, why: 'depth' };
    for (const [p, f] of best) {
      if (stopAt !== undefined && before(stopAt.e, f)) continue;
      this.fired[p] = f;
      this.undecided--;
    }
    return stopAt;
  }

  /** Transitions of the phase up to event e (those before it, and e itself if phase >= 0). */
  private generatedUpTo(e: Event, rootActs: number): number {
    const g = rankOf(e.pk);
    const last = stepOf(e.pk) + (e.phase >= 0 ? 1 : 0);
    if (g < 0) return Math.min(rootActs, last);
    let c = 0;
    for (let k = 0; k < this.frontier; k++) {
      const r = this.frontRank[k]!;
      if (r > g) break;
      const acts = this.actsOf[k]!;
      if (acts < 0) continue;
      c += r < g ? acts : Math.min(acts, last);
    }
    return c;
  }

  /** Stops the search at event e of this phase: counts what the sequential search had counted. */
  private truncate(e: Event, why: StopReason, rootActs: number, lv?: Level): void {
    this.generated += this.generatedUpTo(e, rootActs);
    if (lv !== undefined) {
      for (let j = 0; j < lv.nCand; j++) {
        const k = pack(lv.links[2 * j]!, lv.links[2 * j + 1]!);
        if (!(k < e.pk || (k === e.pk && e.phase === 1))) break;
        this.distinct++;
        if (lv.prunedAt[j] === 1) this.pruned++; else this.queue++;
      }
    }
    // Frontier states not yet (fully) expanded at the stop: from the one being expanded on.
    const g = rankOf(e.pk);
    if (g >= 0) for (let k = 0; k < this.frontier; k++) if (this.frontRank[k]! >= g) this.queue++;
    this.stop = why;
  }

  /** After a phase that built a level: sort, decide, and stop or make the level the next frontier.
   *  Returns true if the search stops. */
  private async afterLevel(rs: Done[]): Promise<boolean> {
    const rootActs = rs.reduce((x, r) => x + r.rootActs, 0);
    const rec = this.records[this.gen % 2]!;
    // The slots handed out (in blocks: a block's unused tail has R_W = -1) and the records in them.
    const nSlots = this.ctl[CTL_NCAND]!;
    this.claimed += nSlots;
    const lv = this.scanLevel(rec, this.sortSlots(rec, nSlots));
    const keyAt = (j: number): number => pack(lv.links[2 * j]!, lv.links[2 * j + 1]!);
    const best = this.leastStepFires(rs);
    if (lv.asks.length > 0) await this.describe(lv, best, keyAt);
    this.levelStart.push(this.distinct);
    this.levelLinks.push(lv.links);
    const states = this.distinct + lv.nCand >= this.maxStates ? { pk: keyAt(this.maxStates - this.distinct - 1), phase: 1 } : undefined;
    const s = this.decide(best, states, undefined);
    if (s !== undefined) {
      this.truncate(s.e, s.why, rootActs, lv);
      return true;
    }
    for (const r of rs) this.generated += r.generated;
    this.distinct += lv.nCand;
    this.prevLevelStates = this.levelStates;
    this.levelStates = lv.nCand;
    this.pruned += lv.nCand - lv.nextSize;
    this.frontRank = lv.nextRank;
    this.frontier = lv.nextSize;
    this.gen++;
    return false;
  }

  /** The record slots in the sequential frontier order: a counting sort by the parent's rank (g + 1: the
   *  root is -1), then by step index within a parent (a parent's new successors are few: insertion sort).
   *  Slots come nearly in rank order (chunks are handed out in order), so these passes read and write
   *  almost sequentially. */
  private sortSlots(rec: Int32Array, nSlots: number): Int32Array {
    let nCand = 0;
    const starts = new Int32Array(this.levelStates + 2);
    for (let r = 0; r < nSlots * REC; r += REC) {
      if (rec[r + R_W] === -1) continue;
      starts[rec[r + R_G]! + 2]!++;
      nCand++;
    }
    for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
    const order = new Int32Array(nCand);
    for (let s = 0, r = 0; s < nSlots; s++, r += REC) if (rec[r + R_W] !== -1) order[starts[rec[r + R_G]! + 1]!++] = s;
    for (let j = 1, gPrev = rec[order[0]! * REC + R_G]!; j < nCand; j++) {
      const s = order[j]!;
      const g = rec[s * REC + R_G]!;
      if (g !== gPrev) { gPrev = g; continue; }
      const a = rec[s * REC + R_A]!;
      let i = j - 1;
      while (i >= 0 && rec[order[i]! * REC + R_G]! === g && rec[order[i]! * REC + R_A]! > a) { order[i + 1] = order[i]!; i--; }
      order[i + 1] = s;
    }
    return order;
  }

  /** One pass in rank order: the parent links (kept even if the search stops in this level: a path may
   *  end there), pruning, the least state of each open state property, and the next frontier (in the
   *  shared buffer; it becomes the frontier only if the search goes on). */
  private scanLevel(rec: Int32Array, order: Int32Array): Level {
    const nCand = order.length;
    const front = this.front;
    const links = new Int32Array(2 * nCand);
    const prunedAt = new Uint8Array(nCand);
    const nextRank = new Int32Array(nCand);
    let nextSize = 0;
    const asks: [number, number][] = [];
    const askRank: number[] = [];
    let open = 0;
    for (const p of this.stateProps) if (this.fired[p] === undefined) open |= 1 << p;
    for (let j = 0; j < nCand; j++) {
      const s = order[j]!;
      const r = s * REC;
      links[2 * j] = rec[r + R_G]!;
      links[2 * j + 1] = rec[r + R_A]!;
      const bad = rec[r + R_BAD]!;
      if (bad !== 0) {
        if ((bad & open) !== 0) {
          for (let p = 0; p < this.props.length; p++) {
            if ((bad & open & (1 << p)) === 0) continue;
            open &= ~(1 << p);
            asks.push([s, p]);
            askRank.push(j);
          }
        }
        if (this.prune && (bad & this.alwaysMask) !== 0) { prunedAt[j] = 1; continue; }
      }
      const f = nextSize * FRONT;
      front[f] = rec[r + R_W]!;
      front[f + 1] = rec[r + R_OFF]!;
      front[f + 2] = j;
      nextRank[nextSize++] = j;
    }
    return { nCand, links, prunedAt, nextRank, nextSize, asks, askRank };
  }

  /** The messages of the state properties that fired in this level: worker 0 runs the properties again on
   *  the least firing state of each; they join `best` as phase-1 events. */
  private async describe(lv: Level, best: Map<number, Fired>, keyAt: (j: number) => number): Promise<void> {
    this.crew.workers[0]!.postMessage({ t: 'describe', gen: this.gen, asks: lv.asks } satisfies ToWorker);
    const d = this.expect([await this.crew.receive(0)], 'described')[0]!;
    lv.asks.forEach(([, p], i) => {
      const message = d.messages[i];
      if (message === undefined) throw new Error(`property '${this.props[p]!.name}' fired on a state, then held on it: properties must be deterministic`);
      best.set(p, { pk: keyAt(lv.askRank[i]!), phase: 1, message, idx: this.distinct + lv.askRank[i]!, extra: -1 });
    });
  }

  /** An interruption inside the phase of level `level` (expanding or probing it): the counts of a search
   *  bounded at this depth, which probes this level (bfs.ts) — so that the counts reported are a complete
   *  run's at that depth, not the levels completed minus the probe. The probe runs here, on this thread,
   *  from the shared frontier and visited set; states that the interrupted phase added count as unseen
   *  (their claim numbers are from this phase on). It usually stops within the first states. */
  private async probeAfterInterruption(): Promise<void> {
    const why = this.interruption!;
    const made = await (await import(this.mod) as { createModel: ModelFactory }).createModel(this.spec.params);
    const model = made.model as Model<unknown, unknown>;
    const decode = model.decode?.bind(model);
    if (decode === undefined) { this.stop = why; this.queue = this.frontier; return; }
    const seenBefore = this.seenBeforePhase();
    const base = this.levelStart[this.levelStart.length - 1]!;
    const sel = 1 - (this.gen % 2);
    const open = this.stepProps.filter((p) => this.fired[p] === undefined);
    const checks = made.properties as readonly Property<unknown, unknown>[];
    const frontier = this.frontier;
    for (let k = 0; k < frontier; k++) {
      // A turn for the event loop now and then: a second SIGINT must still end the process at once.
      if ((k & 255) === 255) await new Promise<void>((resolve) => setImmediate(resolve));
      const rank = this.frontRank[k]!;
      let ai = -1;
      try {
        const arena = new Int32Array(this.shared.arenas[this.front[k * FRONT]!]![sel]!);
        const off = this.front[k * FRONT + 1]!;
        const s = decode(arena.subarray(off + 1, off + 1 + arena[off]!));
        const acts = model.steps(s);
        for (ai = 0; ai < acts.length; ai++) {
          const nx = model.next(s, acts[ai]);
          fingerprint(model.key(nx));
          if (!seenBefore(fp[0]! | 0, fp[1]! | 0)) { this.stop = why; this.queue = frontier - k; return; }
          this.generated++;
          for (let c = 0; c < open.length; c++) {
            const p = open[c]!;
            const m = (checks[p]!.check as (s: unknown, a: unknown, t: unknown) => string | undefined)(s, acts[ai], nx);
            if (m === undefined) continue;
            this.fired[p] = { pk: pack(rank, ai), phase: 0, message: m, idx: base + rank, extra: ai };
            this.undecided--;
            open.splice(c--, 1);
            if (this.undecided === 0) { this.stop = 'decided'; this.queue = frontier - k; return; }
          }
        }
      } catch (e) {
        throw new ModelError(e, this.pathTo(base + rank, -1), ai);
      }
    }
    // Nothing beyond this level: the search is complete.
    this.stop = 'exhausted';
  }

  /** Lookup in the shared visited set as it was before the interrupted phase (claim numbers below
   *  `claimed`). */
  private seenBeforePhase(): (hi: number, lo: number) => boolean {
    const table = new Int32Array(this.shared.tables[this.ctl[CTL_TABLE]!]!);
    const mask = 2 ** this.ctl[CTL_TABLE_LOG]! - 1;
    const claimed = this.claimed;
    return (hi, lo) => {
      for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
        const v = table[i * 3]!;
        if (v === 0) return false;
        if (table[i * 3 + 1] === hi && table[i * 3 + 2] === lo) return v > 0 && v - 1 < claimed;
      }
    };
  }

  /** The result: verdicts with their paths, and the statistics. */
  private finish(): CheckResult {
    const seconds = (performance.now() - this.t0) / 1000;
    const exhausted = this.stop === 'exhausted';
    if (exhausted) this.queue = 0;
    this.progress(this.t0 + seconds * 1000, true);
    const properties: PropertyOutcome[] = [];
    const witnesses: WitnessOutcome[] = [];
    for (let p = 0; p < this.props.length; p++) {
      const f = this.fired[p];
      const pr = this.props[p]!;
      const path = f === undefined ? undefined : this.pathTo(f.idx, f.extra);
      if (pr.kind === 'always') {
        properties.push(f !== undefined ? { name: pr.name, status: 'violated', path: path!, message: f.message }
          : { name: pr.name, status: exhausted ? 'holds' : 'bounded' });
      } else {
        witnesses.push(f !== undefined ? { name: pr.name, status: 'found', path: path!, message: f.message }
          : { name: pr.name, status: exhausted ? 'not-found' : 'bounded' });
      }
    }
    const { distinct, generated } = this;
    const tableBytes = 12 * 2 ** this.ctl[CTL_TABLE_LOG]!;
    const bytes = tableBytes + this.levelLinks.reduce((x, l) => x + l.byteLength, 0);
    return {
      properties, witnesses, stop: this.stop!,
      stats: {
        distinct, generated, depth: this.depth, seconds,
        statesPerSecond: seconds > 0 ? distinct / seconds : 0,
        collisionProbability: (distinct * (generated - distinct)) / 2 ** 64,
        queue: this.queue,
        bytesPerState: distinct > 0 ? bytes / distinct : 0,
        visitedBytesPerState: distinct > 0 ? tableBytes / distinct : 0,
        pruned: this.pruned,
      },
    };
  }
}

// For tests and tools: the key helpers, so that a key can be read back.
export { pack, rankOf, stepOf };
