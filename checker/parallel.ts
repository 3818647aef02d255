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

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

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

  // Every shared buffer at its largest size: pages are mapped on first touch (worker.ts).
  const tableLog = Math.max(TABLE_MIN_LOG, Math.min(TABLE_MAX_LOG, spec.limits?.tableLog ?? TABLE_MAX_LOG));
  const recMax = Math.max(BLOCK, Math.min(REC_MAX, spec.limits?.statesPerLevel ?? REC_MAX));
  const arenaWords = Math.max(1024, Math.min(ARENA_MAX, spec.limits?.arenaWords ?? ARENA_MAX));
  const shared: Shared = {
    ctl: new SharedArrayBuffer(4 * CTL_WORDS),
    progress: new SharedArrayBuffer(8 * PROGRESS_STRIDE * n),
    tables: [new SharedArrayBuffer(12 * 2 ** tableLog), new SharedArrayBuffer(12 * 2 ** tableLog)],
    records: [new SharedArrayBuffer(4 * REC * recMax), new SharedArrayBuffer(4 * REC * recMax)],
    front: new SharedArrayBuffer(4 * FRONT * recMax),
    acts: new SharedArrayBuffer(4 * recMax),
    arenas: Array.from({ length: n }, () => [new SharedArrayBuffer(4 * arenaWords), new SharedArrayBuffer(4 * arenaWords)] as const),
  };
  const ctl = new Int32Array(shared.ctl);
  ctl[CTL_TABLE_LOG] = TABLE_MIN_LOG;
  ctl[CTL_USED] = 3 * 2 ** TABLE_MIN_LOG;
  const progress = new Float64Array(shared.progress);
  const records = [new Int32Array(shared.records[0]), new Int32Array(shared.records[1])] as const;
  const front = new Int32Array(shared.front);
  const actsOf = new Int32Array(shared.acts);

  const workers: Worker[] = [];
  // Replies per worker, in order; a waiter per worker.
  const inbox: FromWorker[][] = [];
  const waiters: (((m: FromWorker) => void) | undefined)[] = [];
  let failure: unknown;
  let failed: (() => void) | undefined;
  const wake = (): void => {
    Atomics.notify(ctl, CTL_END_DONE);
    Atomics.notify(ctl, CTL_MEET_GEN);
  };
  const fail = (e: unknown): void => {
    if (failure === undefined) failure = e;
    Atomics.store(ctl, CTL_ABORT, 1);
    wake();
    failed?.();
  };
  for (let w = 0; w < n; w++) {
    const data: WorkerData = { me: w, n, module: mod, params: spec.params, shared };
    const worker = new Worker(ENTRY, { workerData: data });
    inbox.push([]);
    waiters.push(undefined);
    worker.on('message', (m: FromWorker) => {
      const wait = waiters[w];
      if (wait !== undefined) { waiters[w] = undefined; wait(m); } else inbox[w]!.push(m);
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => { if (code !== 0) fail(new Error(`worker ${w} exited with code ${code}`)); });
    workers.push(worker);
  }

  const receive = (w: number): Promise<FromWorker> => {
    const m = inbox[w]!.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => { waiters[w] = resolve; });
  };
  /** The next reply of every worker (rejects if a worker failed). */
  const all = async (): Promise<FromWorker[]> => {
    const failedP = new Promise<never>((_, reject) => {
      failed = () => reject(failure);
      if (failure !== undefined) reject(failure);
    });
    try {
      return await Promise.race([Promise.all(workers.map((_, w) => receive(w))), failedP]);
    } finally {
      failed = undefined;
      failedP.catch(() => undefined);
    }
  };
  const broadcast = (m: ToWorker): void => { for (const w of workers) w.postMessage(m); };

  // Parent links per level, per state in rank order: the parent's rank in the previous level and the step
  // index (the initial state's index at level 0).
  const levelLinks: Int32Array[] = [];
  /** levelStart[L]: the global index of level L's first state. */
  const levelStart: number[] = [];

  /** The path to the state with global index idx (plus a last step, >= 0). */
  const pathTo = (idx: number, extra: number): Path => {
    const rev: number[] = extra >= 0 ? [extra] : [];
    let level = levelStart.length - 1;
    while (levelStart[level]! > idx) level--;
    for (;;) {
      const links = levelLinks[level]!;
      const j = idx - levelStart[level]!;
      if (level === 0) return { init: links[2 * j + 1]!, steps: rev.reverse() };
      rev.push(links[2 * j + 1]!);
      idx = levelStart[--level]! + links[2 * j]!;
    }
  };

  /** The replies of a phase; a model error becomes a ModelError with its path (frontier: the global index
   *  of each frontier index's state, in the phase that failed). */
  const expect = <T extends FromWorker['t']>(replies: FromWorker[], t: T, frontierIdx?: (k: number) => number): Extract<FromWorker, { t: T }>[] => {
    for (const r of replies) {
      if (r.t === 'error') {
        Atomics.store(ctl, CTL_ABORT, 1);
        wake();
        const path = r.k >= 0 && frontierIdx !== undefined ? pathTo(frontierIdx(r.k), -1) : undefined;
        throw new ModelError(r.error, path, r.at);
      }
    }
    const bad = replies.find((r) => r.t !== t);
    if (bad !== undefined) throw new Error(`parallel search: expected '${t}' replies, got '${bad.t}'`);
    return replies as Extract<FromWorker, { t: T }>[];
  };

  let interval: NodeJS.Timeout | undefined;
  try {
    const ready = expect(await all(), 'ready');
    const props = ready[0]!.props;
    for (const r of ready) {
      if (JSON.stringify(r.props) !== JSON.stringify(props)) throw new Error('the workers built different properties: the factory must be deterministic');
    }
    if (props.length > MAX_PROPS) throw new Error(`the parallel search checks at most ${MAX_PROPS} properties, the model has ${props.length}`);

    const t0 = performance.now();
    const hasProps = props.length > 0;
    const prune = options.pruneViolating === true;
    const fired: (Fired | undefined)[] = props.map(() => undefined);
    let undecided = props.length;
    const stateProps = props.flatMap((p, i) => (p.on === 'state' ? [i] : []));
    const stepProps = props.flatMap((p, i) => (p.on === 'step' ? [i] : []));
    let alwaysMask = 0;
    props.forEach((p, i) => { if (p.kind === 'always') alwaysMask |= 1 << i; });
    const maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
    const maxStates = options.maxStates ?? Infinity;
    const deadline = options.maxSeconds !== undefined ? t0 + options.maxSeconds * 1000 : Infinity;
    const maxMemory = options.maxMemoryBytes ?? Infinity;

    let distinct = 0;
    let generated = 0;
    let pruned = 0;
    let depth = 0;
    let level = 0;
    let queue = 0;
    let stop: StopReason | undefined;
    /** The frontier being expanded: its size (pruned states left out) and, per frontier index, the
     *  state's rank in its level (`frontRank`, also in `front`). */
    let frontier = 0;
    let frontRank = new Int32Array(0);
    /** All new states of the level last built (pruned ones included): the ranks of the frontier. */
    let levelStates = 0;
    let prevLevelStates = 0;
    /** Record slots handed out in the phases so far: the claim numbers of the visited set start there. */
    let claimed = 0;
    /** The phase: 0 builds level 0 from the virtual root, gen builds level gen. */
    let gen = 0;

    // Interruptions: polled every 50 ms while the workers run; they stop the workers mid-phase.
    let interruption: StopReason | undefined;
    const pollStop = (): void => {
      if (interruption !== undefined) return;
      if (performance.now() >= deadline) interruption = 'time';
      else if (maxMemory !== Infinity && process.memoryUsage.rss() >= maxMemory) interruption = 'memory';
      else if (options.shouldStop?.() === true) interruption = 'interrupted';
      if (interruption !== undefined) {
        Atomics.store(ctl, CTL_ABORT, 1);
        wake();
      }
    };
    const progressMs = (options.progressEvery ?? 0.5) * 1000;
    let nextProgress = t0 + progressMs;
    interval = setInterval(() => {
      pollStop();
      const now = performance.now();
      if (options.onProgress !== undefined && now >= nextProgress) {
        nextProgress = now + progressMs;
        let g = generated;
        for (let w = 0; w < n; w++) g += progress[w * PROGRESS_STRIDE]!;
        options.onProgress({ distinct, generated: g, depth: level, queue: frontier, seconds: (now - t0) / 1000,
          levelDone: Math.min(frontier, Atomics.load(ctl, CTL_CURSOR)), levelSize: frontier });
      }
    }, 50);

    /** Runs phase `gen` over the frontier; undefined if it was interrupted. */
    const phase = async (root: boolean, probe: boolean): Promise<Extract<FromWorker, { t: 'done' }>[] | undefined> => {
      // (The root phase is not polled: an interrupted search has level 0 at least.)
      if (!root) pollStop();
      if (interruption !== undefined) return undefined;
      progress.fill(0);
      ctl[CTL_CURSOR] = 0;
      ctl[CTL_NCAND] = 0;
      ctl[CTL_END] = 0;
      ctl[CTL_END_DONE] = 0;
      ctl[CTL_LIMIT] = 0x7fffffff;
      if (!root) actsOf.fill(-1, 0, frontier);
      if (!probe && !root) {
        // Room for the next level before it starts (growing mid-level stops every worker): as many new
        // states per frontier state as the last level had (levels grow by less and less: this errs large).
        const expected = Math.ceil(frontier * Math.max(1, levelStates / Math.max(1, prevLevelStates)));
        let log = ctl[CTL_TABLE_LOG]!;
        while ((distinct + expected) * 4 >= 2 ** log * 3 && log < tableLog) log++;
        if (log > ctl[CTL_TABLE_LOG]!) { ctl[CTL_GROW_TO] = log; ctl[CTL_GROW] = 1; }
      }
      const checks = stateProps.filter((p) => fired[p] === undefined || (prune && props[p]!.kind === 'always'));
      const stepChecks = stepProps.filter((p) => fired[p] === undefined);
      broadcast({ t: 'expand', gen, size: root ? 1 : frontier, root, probe, claimBase: claimed, checks, stepChecks });
      const replies = await all();
      const base = levelStart[levelStart.length - 1] ?? 0;
      const ranks = frontRank;
      const at = (k: number): number => base + ranks[k]!;
      if (replies.some((r) => r.t === 'error')) expect(replies, 'done', root ? undefined : at);
      if (replies.some((r) => r.t === 'aborted')) {
        // A full shared buffer stops the search as out of memory would.
        if (interruption === undefined && replies.some((r) => r.t === 'aborted' && r.full !== undefined)) interruption = 'memory';
        return undefined;
      }
      return expect(replies, 'done');
    };

    /** The least step property firing per open property in these replies. */
    const leastStepFires = (rs: readonly { fires: readonly StepFire[] }[]): Map<number, Fired> => {
      const base = levelStart[levelStart.length - 1]!;
      const best = new Map<number, Fired>();
      for (const r of rs) {
        for (const f of r.fires) {
          if (fired[f.prop] !== undefined) continue;
          const b = best.get(f.prop);
          if (b === undefined || f.pk < b.pk) best.set(f.prop, { pk: f.pk, phase: 0, message: f.message, idx: base + frontRank[f.k]!, extra: f.ai });
        }
      }
      return best;
    };

    /** Decides the stop event of a phase, if any; records the firings up to it. Returns the event. */
    const decide = (best: Map<number, Fired>, states: Event | undefined, unseen: Event | undefined): { e: Event; why: StopReason } | undefined => {
      let dec: Event | undefined;
      if (hasProps && best.size === undecided) {
        for (const f of best.values()) if (dec === undefined || before(dec, f)) dec = f;
      }
      let stopAt: { e: Event; why: StopReason } | undefined;
      if (dec !== undefined) stopAt = { e: dec, why: 'decided' };
      // At one event, the sequential search checks 'decided' before the state limit.
      if (states !== undefined && (stopAt === undefined || before(states, stopAt.e))) stopAt = { e: states, why: 'states' };
      if (unseen !== undefined && (stopAt === undefined || before(unseen, stopAt.e))) stopAt = { e: unseen, why: 'depth' };
      for (const [p, f] of best) {
        if (stopAt !== undefined && before(stopAt.e, f)) continue;
        fired[p] = f;
        undecided--;
      }
      return stopAt;
    };

    /** Transitions of the phase up to event e (those before it, and e itself if phase >= 0). */
    const generatedUpTo = (e: Event, rootActs: number): number => {
      const g = rankOf(e.pk);
      const last = stepOf(e.pk) + (e.phase >= 0 ? 1 : 0);
      if (g < 0) return Math.min(rootActs, last);
      let c = 0;
      for (let k = 0; k < frontier; k++) {
        const r = frontRank[k]!;
        if (r > g) break;
        const acts = actsOf[k]!;
        if (acts < 0) continue;
        c += r < g ? acts : Math.min(acts, last);
      }
      return c;
    };

    /** Stops the search at event e of this phase: counts what the sequential search had counted. */
    const truncate = (e: Event, why: StopReason, rootActs: number, nNew = 0, keyAt?: (j: number) => number, prunedAt?: Uint8Array): void => {
      generated += generatedUpTo(e, rootActs);
      if (keyAt !== undefined) {
        for (let j = 0; j < nNew; j++) {
          const k = keyAt(j);
          if (!(k < e.pk || (k === e.pk && e.phase === 1))) break;
          distinct++;
          if (prunedAt![j] === 1) pruned++; else queue++;
        }
      }
      // Frontier states not yet (fully) expanded at the stop: from the one being expanded on.
      const g = rankOf(e.pk);
      if (g >= 0) for (let k = 0; k < frontier; k++) if (frontRank[k]! >= g) queue++;
      stop = why;
    };

    /** After a phase that built a level: sort, decide, and stop or make the level the next frontier.
     *  Returns true if the search stops. */
    const afterLevel = async (rs: Extract<FromWorker, { t: 'done' }>[]): Promise<boolean> => {
      const rootActs = rs.reduce((x, r) => x + r.rootActs, 0);
      const rec = records[gen % 2]!;
      // The slots handed out (in blocks: a block's unused tail has R_W = -1) and the records in them.
      const nSlots = ctl[CTL_NCAND]!;
      claimed += nSlots;
      let nCand = 0;
      // Counting sort of the slots by the parent's rank (g + 1: the root is -1), then by step index within
      // a parent (a parent's new successors are few: insertion sort). Slots come nearly in rank order
      // (chunks are handed out in order), so these passes read and write almost sequentially.
      const starts = new Int32Array(levelStates + 2);
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
      // One pass in rank order: the parent links (kept even if the search stops in this level: a path may
      // end there), pruning, the least state of each open state property, and the next frontier (in the
      // shared buffer; it becomes the frontier only if the search goes on).
      const links = new Int32Array(2 * nCand);
      const keyAt = (j: number): number => pack(links[2 * j]!, links[2 * j + 1]!);
      const prunedAt = new Uint8Array(nCand);
      const nextRank = new Int32Array(nCand);
      let nextSize = 0;
      const best = leastStepFires(rs);
      const asks: [number, number][] = [];
      const askRank: number[] = [];
      let open = 0;
      for (const p of stateProps) if (fired[p] === undefined) open |= 1 << p;
      for (let j = 0; j < nCand; j++) {
        const s = order[j]!;
        const r = s * REC;
        links[2 * j] = rec[r + R_G]!;
        links[2 * j + 1] = rec[r + R_A]!;
        const bad = rec[r + R_BAD]!;
        if (bad !== 0) {
          if ((bad & open) !== 0) {
            for (let p = 0; p < props.length; p++) {
              if ((bad & open & (1 << p)) === 0) continue;
              open &= ~(1 << p);
              asks.push([s, p]);
              askRank.push(j);
            }
          }
          if (prune && (bad & alwaysMask) !== 0) { prunedAt[j] = 1; continue; }
        }
        const f = nextSize * FRONT;
        front[f] = rec[r + R_W]!;
        front[f + 1] = rec[r + R_OFF]!;
        front[f + 2] = j;
        nextRank[nextSize++] = j;
      }
      // Their messages: worker 0 runs the properties again on the least firing state of each.
      if (asks.length > 0) {
        workers[0]!.postMessage({ t: 'describe', gen, asks } satisfies ToWorker);
        const d = expect([await receive(0)], 'described')[0]!;
        asks.forEach(([, p], i) => {
          const message = d.messages[i];
          if (message === undefined) throw new Error(`property '${props[p]!.name}' fired on a state, then held on it: properties must be deterministic`);
          best.set(p, { pk: keyAt(askRank[i]!), phase: 1, message, idx: distinct + askRank[i]!, extra: -1 });
        });
      }
      levelStart.push(distinct);
      levelLinks.push(links);
      const states = distinct + nCand >= maxStates ? { pk: keyAt(maxStates - distinct - 1), phase: 1 } : undefined;
      const s = decide(best, states, undefined);
      if (s !== undefined) {
        truncate(s.e, s.why, rootActs, nCand, keyAt, prunedAt);
        return true;
      }
      for (const r of rs) generated += r.generated;
      distinct += nCand;
      prevLevelStates = levelStates;
      levelStates = nCand;
      pruned += nCand - nextSize;
      frontRank = nextRank;
      frontier = nextSize;
      gen++;
      return false;
    };

    /** An interruption inside the phase of level `level` (expanding or probing it): the counts of a search
     *  bounded at this depth, which probes this level (bfs.ts) — so that the counts reported are a complete
     *  run's at that depth, not the levels completed minus the probe. The probe runs here, on this thread,
     *  from the shared frontier and visited set; states that the interrupted phase added count as unseen
     *  (their claim numbers are from this phase on). It usually stops within the first states. */
    const probeAfterInterruption = async (): Promise<void> => {
      const why = interruption!;
      const made = await (await import(mod) as { createModel: ModelFactory }).createModel(spec.params);
      const model = made.model as Model<unknown, unknown>;
      const decode = model.decode?.bind(model);
      if (decode === undefined) { stop = why; queue = frontier; return; }
      const table = new Int32Array(shared.tables[ctl[CTL_TABLE]!]!);
      const mask = 2 ** ctl[CTL_TABLE_LOG]! - 1;
      const seenBefore = (hi: number, lo: number): boolean => {
        for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
          const v = table[i * 3]!;
          if (v === 0) return false;
          if (table[i * 3 + 1] === hi && table[i * 3 + 2] === lo) return v > 0 && v - 1 < claimed;
        }
      };
      const base = levelStart[levelStart.length - 1]!;
      const sel = 1 - (gen % 2);
      const open = stepProps.filter((p) => fired[p] === undefined);
      const checks = made.properties as readonly Property<unknown, unknown>[];
      for (let k = 0; k < frontier; k++) {
        // A turn for the event loop now and then: a second SIGINT must still end the process at once.
        if ((k & 255) === 255) await new Promise<void>((resolve) => setImmediate(resolve));
        const rank = frontRank[k]!;
        let ai = -1;
        try {
          const arena = new Int32Array(shared.arenas[front[k * FRONT]!]![sel]!);
          const off = front[k * FRONT + 1]!;
          const s = decode(arena.subarray(off + 1, off + 1 + arena[off]!));
          const acts = model.steps(s);
          for (ai = 0; ai < acts.length; ai++) {
            const nx = model.next(s, acts[ai]);
            fingerprint(model.key(nx));
            if (!seenBefore(fp[0]! | 0, fp[1]! | 0)) { stop = why; queue = frontier - k; return; }
            generated++;
            for (let c = 0; c < open.length; c++) {
              const p = open[c]!;
              const m = (checks[p]!.check as (s: unknown, a: unknown, t: unknown) => string | undefined)(s, acts[ai], nx);
              if (m === undefined) continue;
              fired[p] = { pk: pack(rank, ai), phase: 0, message: m, idx: base + rank, extra: ai };
              undecided--;
              open.splice(c--, 1);
              if (undecided === 0) { stop = 'decided'; queue = frontier - k; return; }
            }
          }
        } catch (e) {
          throw new ModelError(e, pathTo(base + rank, -1), ai);
        }
      }
      // Nothing beyond this level: the search is complete.
      stop = 'exhausted';
    };

    search: {
      // Level 0: the initial states (a virtual root whose "steps" are the indices of initial()).
      const r0 = await phase(true, false);
      if (r0 === undefined) { stop = interruption; break search; }
      if (await afterLevel(r0)) break search;
      for (;;) {
        if (frontier === 0) { stop = 'exhausted'; break search; }
        depth = level;
        if (level >= maxDepth) {
          // The probe: successors are only looked up.
          const rs = await phase(false, true);
          if (rs === undefined) { await probeAfterInterruption(); break search; }
          let unseen: Event | undefined;
          for (const r of rs) if (r.unseen >= 0 && (unseen === undefined || r.unseen < unseen.pk)) unseen = { pk: r.unseen, phase: -1 };
          const s = decide(leastStepFires(rs), undefined, unseen);
          if (s !== undefined) { truncate(s.e, s.why, 0); break search; }
          for (const r of rs) generated += r.generated;
          stop = 'exhausted';
          break search;
        }
        const rs = await phase(false, false);
        if (rs === undefined) { await probeAfterInterruption(); break search; }
        if (await afterLevel(rs)) break search;
        level++;
      }
    }
    clearInterval(interval);
    interval = undefined;

    const seconds = (performance.now() - t0) / 1000;
    const exhausted = stop === 'exhausted';
    if (exhausted) queue = 0;
    options.onProgress?.({ distinct, generated, depth, queue, seconds });
    const properties: PropertyOutcome[] = [];
    const witnesses: WitnessOutcome[] = [];
    for (let p = 0; p < props.length; p++) {
      const f = fired[p];
      const pr = props[p]!;
      const path = f === undefined ? undefined : pathTo(f.idx, f.extra);
      if (pr.kind === 'always') {
        properties.push(f !== undefined ? { name: pr.name, status: 'violated', path: path!, message: f.message }
          : { name: pr.name, status: exhausted ? 'holds' : 'bounded' });
      } else {
        witnesses.push(f !== undefined ? { name: pr.name, status: 'found', path: path!, message: f.message }
          : { name: pr.name, status: exhausted ? 'not-found' : 'bounded' });
      }
    }
    const tableBytes = 12 * 2 ** ctl[CTL_TABLE_LOG]!;
    const bytes = tableBytes + levelLinks.reduce((x, l) => x + l.byteLength, 0);
    return {
      properties, witnesses, stop: stop!,
      stats: {
        distinct, generated, depth, seconds,
        statesPerSecond: seconds > 0 ? distinct / seconds : 0,
        collisionProbability: (distinct * (generated - distinct)) / 2 ** 64,
        queue,
        bytesPerState: distinct > 0 ? bytes / distinct : 0,
        visitedBytesPerState: distinct > 0 ? tableBytes / distinct : 0,
        pruned,
      },
    };
  } catch (e) {
    throw failure !== undefined && !(e instanceof ModelError) ? failure : e;
  } finally {
    if (interval !== undefined) clearInterval(interval);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// For tests and tools: the key helpers, so that a key can be read back.
export { pack, rankOf, stepOf };
