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
// How the workers reproduce it. States are partitioned by fingerprint (`ownerOf`: the high bits of the
// fingerprint's upper word); each worker keeps the fingerprints of its states (its own visited set),
// their parent links (parent's local index and worker, step index) and its part of the frontier, each
// state with its global rank g in its level. The search is level-synchronous: for level L, every worker
// expands its frontier states in rank order and sends each successor, with its key (g, ai) and its
// parent, to the successor's owner, in batches of >= 1024 states (transferred buffers; see worker.ts).
// An owner keeps, per new fingerprint, the candidate with the least key (the concrete state too: with
// symmetry reduction two states with one key may differ, and the sequential search keeps the first
// one); a fingerprint visited at an earlier level is dropped. When every worker has every batch (the
// barrier: each peer's 'end' marker), each owner sorts its new states by key (a merge of the per-sender
// streams, each already in key order), numbers them, runs the state properties in that order and reports
// its sorted keys, its least firing event per property, its counts. The coordinator (this file, the main
// thread) then knows every event that matters: the least firing event per property is the minimum over
// the workers, the stop event E (decided, states or depth) follows from those and from the k-th key of the
// merged key lists. If there is a stop, each worker counts its transitions and new states up to E
// (`truncate`), which gives exactly the sequential counts. If not, the coordinator sends each worker the
// other workers' key lists; a state's global rank in level L + 1 is its position in its own list plus,
// per peer, the number of smaller keys there (a two-pointer merge per worker). Counterexample paths are
// rebuilt by following parent links from worker to worker (`links`).
//
// The depth probe (the level at maxDepth, whose successors are only looked up) would cost a whole level
// if done at once, while the sequential search usually stops at its first transition out of the visited
// set: it is done in chunks of ranks (1024, then doubling), each chunk a small level-synchronous round.
//
// Not supported in parallel (refused with an error): `exact`, `resume`, `onCheckpoint`, `keepVisited`. An
// interruption (shouldStop, maxSeconds, maxMemoryBytes) lands between two levels or stops the workers
// mid-level; the result then gives the counts of the levels completed (their verdicts stand; the others
// are 'bounded'), and has no snapshot. Per-label coverage is not collected.

import { Worker } from 'node:worker_threads';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelError } from './bfs.js';
import type { CheckOptions, CheckResult, Path, PropertyOutcome, StopReason, WitnessOutcome } from './model.js';
import { CTL_ABORT, CTL_MAIL, pack, rankOf, stepOf, type Fire, type FromWorker, type ToWorker, type WorkerData } from './worker.js';

export interface ParallelSpec {
  /** The factory module: an absolute file path or a URL. It exports `createModel(params)` (ModelFactory). */
  readonly module: string | URL;
  /** Given to `createModel` in every worker: must survive structured cloning (JSON-like data). */
  readonly params?: unknown;
  /** Number of worker threads (>= 1). */
  readonly workers: number;
}

export type ParallelOptions = Omit<CheckOptions<unknown, unknown>,
  'properties' | 'resume' | 'onCheckpoint' | 'checkpointEvery' | 'keepVisited' | 'pollEvery'>;

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface Event { readonly pk: number; readonly phase: number }
const before = (a: Event, b: Event): boolean => a.pk < b.pk || (a.pk === b.pk && a.phase < b.phase);

interface Fired extends Event {
  readonly worker: number;
  readonly fire: Fire;
}

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

  const ctlBuf = new SharedArrayBuffer(4 * (CTL_MAIL + n));
  const ctl = new Int32Array(ctlBuf);
  const progressBuf = new SharedArrayBuffer(8 * n);
  const progress = new Float64Array(progressBuf);

  // One MessageChannel per pair of workers.
  const ports: (import('node:worker_threads').MessagePort | undefined)[][] = Array.from({ length: n }, () => Array<undefined>(n).fill(undefined));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const { port1, port2 } = new MessageChannel() as unknown as { port1: import('node:worker_threads').MessagePort; port2: import('node:worker_threads').MessagePort };
      ports[a]![b] = port1;
      ports[b]![a] = port2;
    }
  }

  const workers: Worker[] = [];
  // Replies per worker, in order; a waiter per worker.
  const inbox: FromWorker[][] = [];
  const waiters: (((m: FromWorker) => void) | undefined)[] = [];
  let failure: unknown;
  let failed: (() => void) | undefined;
  const fail = (e: unknown): void => {
    if (failure === undefined) failure = e;
    Atomics.store(ctl, CTL_ABORT, 1);
    for (let w = 0; w < n; w++) Atomics.notify(ctl, CTL_MAIL + w);
    failed?.();
  };
  for (let w = 0; w < n; w++) {
    const data: WorkerData = { me: w, n, module: mod, params: spec.params, ports: ports[w]!, ctl: ctlBuf, progress: progressBuf,
      prune: options.pruneViolating === true };
    const transfer = ports[w]!.filter((p) => p !== undefined);
    const worker = new Worker(ENTRY, { workerData: data, transferList: transfer as unknown as import('node:worker_threads').TransferListItem[] });
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
  const send = (w: number, m: ToWorker, transfer: ArrayBuffer[] = []): void => workers[w]!.postMessage(m, transfer);
  const broadcast = (m: ToWorker): void => { for (let w = 0; w < n; w++) send(w, m); };

  /** The path to local state idx of worker w (plus a last step, >= 0). */
  const pathTo = async (w: number, idx: number, extra: number): Promise<Path> => {
    const rev: number[] = extra >= 0 ? [extra] : [];
    for (;;) {
      send(w, { t: 'links', idx });
      const r = await receive(w);
      if (r.t !== 'links') throw new Error(`worker ${w}: unexpected reply ${r.t}`);
      rev.push(...r.steps);
      if (r.next < 0) return { init: -r.next - 1, steps: rev.reverse() };
      w = r.next % n;
      idx = Math.floor(r.next / n);
    }
  };

  /** A worker's reply of the expected type; a model error becomes a ModelError with its path. */
  const expect = async <T extends FromWorker['t']>(replies: FromWorker[], t: T): Promise<Extract<FromWorker, { t: T }>[]> => {
    for (let w = 0; w < n; w++) {
      const r = replies[w]!;
      if (r.t === 'error') {
        Atomics.store(ctl, CTL_ABORT, 1);
        for (let x = 0; x < n; x++) Atomics.notify(ctl, CTL_MAIL + x);
        let path: Path | undefined;
        if (r.idx >= 0) {
          // Let the other workers give up their phase, then ask for the path.
          for (let x = 0; x < n; x++) if (x !== w) await receive(x);
          try { path = await pathTo(w, r.idx, -1); } catch { path = undefined; }
        }
        throw new ModelError(r.error, path, r.at);
      }
    }
    const bad = replies.find((r) => r.t !== t);
    if (bad !== undefined) throw new Error(`parallel search: expected '${t}' replies, got '${bad.t}'`);
    return replies as Extract<FromWorker, { t: T }>[];
  };

  let interval: NodeJS.Timeout | undefined;
  try {
    const ready = await expect(await all(), 'ready');
    const props = ready[0]!.props;
    for (const r of ready) {
      if (JSON.stringify(r.props) !== JSON.stringify(props)) throw new Error('the workers built different properties: the factory must be deterministic');
    }

    const t0 = performance.now();
    const hasProps = props.length > 0;
    const fired: (Fired | undefined)[] = props.map(() => undefined);
    let undecided = props.length;
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
    let bytes = 0;
    let stop: StopReason | undefined;
    /** States in the frontier about to be expanded (level `level`), and all new states of that level. */
    let frontier = 0;
    let levelStates = 0;

    // Interruptions: polled every 50 ms while the workers run; they stop the workers mid-phase.
    let interruption: StopReason | undefined;
    const pollStop = (): void => {
      if (interruption !== undefined) return;
      if (performance.now() >= deadline) interruption = 'time';
      else if (maxMemory !== Infinity && process.memoryUsage.rss() >= maxMemory) interruption = 'memory';
      else if (options.shouldStop?.() === true) interruption = 'interrupted';
      if (interruption !== undefined) {
        Atomics.store(ctl, CTL_ABORT, 1);
        for (let w = 0; w < n; w++) Atomics.notify(ctl, CTL_MAIL + w);
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
        for (let w = 0; w < n; w++) g += progress[w]!;
        options.onProgress({ distinct, generated: g, depth: level, queue: frontier, seconds: (now - t0) / 1000 });
      }
    }, 50);

    /** Runs a phase; undefined if it was interrupted. */
    const phase = async <T extends 'merged' | 'probed'>(m: ToWorker, t: T): Promise<Extract<FromWorker, { t: T }>[] | undefined> => {
      pollStop();
      if (interruption !== undefined) return undefined;
      progress.fill(0);
      broadcast(m);
      const replies = await all();
      if (replies.some((r) => r.t === 'aborted')) {
        await expect(replies.filter((r) => r.t !== 'aborted').length === 0 ? replies.map(() => ({ t: 'aborted' }) as FromWorker) : replies, 'aborted').catch((e) => { if (e instanceof ModelError) throw e; });
        return undefined;
      }
      return expect(replies, t);
    };

    /** The least firing event per open property in these replies. */
    const leastFires = (replies: readonly { fires: readonly Fire[] }[]): Map<number, Fired> => {
      const best = new Map<number, Fired>();
      replies.forEach((r, w) => {
        for (const f of r.fires) {
          if (fired[f.prop] !== undefined) continue;
          const b = best.get(f.prop);
          if (b === undefined || before(f, b)) best.set(f.prop, { pk: f.pk, phase: f.phase, worker: w, fire: f });
        }
      });
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

    const truncate = async (e: Event): Promise<void> => {
      broadcast({ t: 'truncate', pk: e.pk, phase: e.phase });
      const rs = await expect(await all(), 'truncated');
      for (const r of rs) { generated += r.generated; distinct += r.distinct; pruned += r.pruned; queue += r.queue; }
    };

    /** The k-th smallest key (0-based) over sorted lists. */
    const kth = (lists: readonly Float64Array[], k: number): number => {
      const pos = lists.map(() => 0);
      for (let i = 0; ; i++) {
        let best = -1;
        for (let w = 0; w < lists.length; w++) {
          if (pos[w]! < lists[w]!.length && (best < 0 || lists[w]![pos[w]!]! < lists[best]![pos[best]!]!)) best = w;
        }
        if (i === k) return lists[best]![pos[best]!]!;
        pos[best]!++;
      }
    };

    /** After a level's merge: stop or commit (and hand out the key lists for the ranks). */
    const afterMerge = async (rs: Extract<FromWorker, { t: 'merged' }>[]): Promise<boolean> => {
      const total = rs.reduce((x, r) => x + r.keys.length, 0);
      const states = distinct + total >= maxStates ? { pk: kth(rs.map((r) => r.keys), maxStates - distinct - 1), phase: 1 } : undefined;
      const s = decide(leastFires(rs), states, undefined);
      bytes = rs.reduce((x, r) => x + r.bytes, 0);
      if (s !== undefined) {
        await truncate(s.e);
        stop = s.why;
        return true;
      }
      for (const r of rs) { generated += r.generated; pruned += r.pruned; }
      distinct += total;
      levelStates = total;
      frontier = total - rs.reduce((x, r) => x + r.pruned, 0);
      const firedNow = [...fired.keys()].filter((p) => fired[p] !== undefined);
      for (let w = 0; w < n; w++) {
        const others = rs.filter((_, x) => x !== w).map((r) => r.keys);
        send(w, { t: 'commit', fired: firedNow, others });
      }
      return false;
    };

    search: {
      // Level 0: the initial states (a virtual root whose "steps" are the indices of initial()).
      broadcast({ t: 'init' });
      if (await afterMerge(await expect(await all(), 'merged'))) break search;
      for (;;) {
        if (frontier === 0) { stop = 'exhausted'; break search; }
        depth = level;
        if (level >= maxDepth) {
          // The probe, in chunks of ranks.
          let chunk = 1024;
          for (let gLo = 0; gLo < levelStates; gLo += chunk, chunk *= 2) {
            const rs = await phase({ t: 'expand', probe: true, gLo, gHi: Math.min(levelStates, gLo + chunk) }, 'probed');
            if (rs === undefined) { stop = interruption; queue = frontier; break search; }
            let unseen: Event | undefined;
            for (const r of rs) if (r.unseen >= 0 && (unseen === undefined || r.unseen < unseen.pk)) unseen = { pk: r.unseen, phase: -1 };
            const s = decide(leastFires(rs), undefined, unseen);
            if (s !== undefined) { await truncate(s.e); stop = s.why; break search; }
            for (const r of rs) generated += r.generated;
            const firedNow = [...fired.keys()].filter((p) => fired[p] !== undefined);
            broadcast({ t: 'commit', fired: firedNow });
          }
          stop = 'exhausted';
          break search;
        }
        const rs = await phase({ t: 'expand', probe: false, gLo: 0, gHi: Infinity }, 'merged');
        if (rs === undefined) { stop = interruption; queue = frontier; break search; }
        if (await afterMerge(rs)) break search;
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
      const path = f === undefined ? undefined : await pathTo(f.worker, f.fire.idx, f.fire.extra);
      if (pr.kind === 'always') {
        properties.push(f !== undefined ? { name: pr.name, status: 'violated', path: path!, message: f.fire.message }
          : { name: pr.name, status: exhausted ? 'holds' : 'bounded' });
      } else {
        witnesses.push(f !== undefined ? { name: pr.name, status: 'found', path: path!, message: f.fire.message }
          : { name: pr.name, status: exhausted ? 'not-found' : 'bounded' });
      }
    }
    return {
      properties, witnesses, stop: stop!,
      stats: {
        distinct, generated, depth, seconds,
        statesPerSecond: seconds > 0 ? distinct / seconds : 0,
        collisionProbability: (distinct * (generated - distinct)) / 2 ** 64,
        queue,
        bytesPerState: distinct > 0 ? bytes / distinct : 0,
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
