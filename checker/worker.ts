// One worker of the parallel search (checker/parallel.ts explains the algorithm). Started through
// worker-entry.mjs, which registers tsx first: on Node 20 the loader hooks of `--import=tsx` do not reach
// worker threads.
//
// Every worker reads and writes the same memory: one visited set (a lock-free open-addressing table of
// 64-bit fingerprints, claimed with compare-and-swap), one array of candidate records for the level being
// built, and the words of the states, each in the arena of the worker that wrote them. A successor is
// looked up where it is generated: nothing is handed from one worker to another. The frontier is cut into
// chunks of CHUNK states in rank order, and a worker takes the next chunk with one atomic add.
//
// A candidate record keeps the least key (rank of the parent, step index) seen for its state this level:
// whoever finds a smaller key takes the record's lock and replaces key, words and the state properties'
// verdict (with symmetry reduction two states with one key may differ; the sequential search keeps the
// one it found first, which is the one with the least key). The coordinator sorts the records by key
// after the level, which gives the sequential search's frontier order.
//
// The table grows into its twin buffer. The worker that sees it fill up asks for it (and the coordinator,
// before a level that will not fit); every worker stops between two table operations (before each state,
// or while waiting at the end of the level), and they move the entries together, each its share.
//
// All shared buffers are reserved at their largest size when the search starts: Linux maps their pages on
// first touch, so what is not used costs address space, not memory.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fingerprint, fp } from './hash.js';
import type { Model, ModelFactory, Property } from './model.js';

/** The step index takes the low 21 bits of a packed key (see `pack`). */
export const STEP_BITS = 21;
export const STEP_MUL = 2 ** STEP_BITS;

/** The key of a transition or of a state discovered by it: (rank of the source in its level, step index),
 *  packed into one exact double. The virtual root of level 0 has rank -1 and "steps" = indices of
 *  `initial()`. */
export const pack = (g: number, ai: number): number => (g + 1) * STEP_MUL + ai;
export const rankOf = (pk: number): number => Math.floor(pk / STEP_MUL) - 1;
export const stepOf = (pk: number): number => pk % STEP_MUL;

/** Frontier states per chunk (what a worker takes at a time). */
export const CHUNK = 64;

/** Shared control words (Int32Array over a SharedArrayBuffer). The words written in the hot loop (the
 *  cursor, the record count) have a cache line each, away from the flags that every state reads: a line
 *  written by one core and read by the other moves between them at every write. */
const LINE = 16;
export const CTL_ABORT = 0;
/** Growth of the visited set asked for. */
export const CTL_GROW = 1;
/** The table buffer in use (0/1) and the log2 of its slots. */
export const CTL_TABLE = 2;
export const CTL_TABLE_LOG = 3;
/** The coordinator's request: grow to at least 2^this slots (0: to twice the size). */
export const CTL_GROW_TO = 4;
/** CTL_USED + b: words of table buffer b ever used (what a growth into it must clear). */
export const CTL_USED = 5;
/** The next frontier index to hand out. */
export const CTL_CURSOR = LINE;
/** Record slots handed out this level, in blocks of BLOCK (a block's unused tail is marked R_W = -1). */
export const CTL_NCAND = 2 * LINE;
/** Workers done with the level, and the last one's word that all may go (see `expand`). */
export const CTL_END = 3 * LINE;
export const CTL_END_DONE = 3 * LINE + 1;
/** A barrier of all workers (see `meet`): arrivals, generation. */
export const CTL_MEET = 4 * LINE;
export const CTL_MEET_GEN = 4 * LINE + 1;
/** In a depth probe: the least frontier index with a successor out of the visited set (chunks after it
 *  are skipped). */
export const CTL_LIMIT = 5 * LINE;
export const CTL_WORDS = 6 * LINE;

/** Record slots a worker takes at a time (its own run of records: no line written by two cores). */
export const BLOCK = 256;
/** Float64 words between two workers' progress counters (one cache line). */
export const PROGRESS_STRIDE = 8;

/** Record fields: lock, key (g, ai), the worker whose arena holds the words, their address, and the
 *  state properties that fired on the state (a bitmask over property indices). The lock is 0 whenever
 *  nobody holds it (fresh memory is 0, and every holder releases it), so a new record leaves it alone. */
export const REC = 6;
export const R_LOCK = 0;
export const R_G = 1;
export const R_A = 2;
export const R_W = 3;
export const R_OFF = 4;
export const R_BAD = 5;

/** Frontier entries: the worker holding the words, their address, the state's rank in its level. */
export const FRONT = 3;

/** Largest sizes of the shared buffers (reserved, not used; see `Shared`). */
export const TABLE_MAX_LOG = 27;
export const REC_MAX = 2 ** 24;
export const ARENA_MAX = 2 ** 27;
export const TABLE_MIN_LOG = 12;

export interface Shared {
  readonly ctl: SharedArrayBuffer;
  /** Float64 per worker: transitions generated so far in this phase (progress only). */
  readonly progress: SharedArrayBuffer;
  /** The visited set and its twin: [value, hi, lo] per slot; value 0 free, -1 being written, else the
   *  state's claim number + 1. */
  readonly tables: readonly [SharedArrayBuffer, SharedArrayBuffer];
  /** Candidate records, two sets used in turn: phase `gen` writes set gen % 2. */
  readonly records: readonly [SharedArrayBuffer, SharedArrayBuffer];
  /** The frontier being expanded (FRONT words per state, in rank order, pruned states left out). */
  readonly front: SharedArrayBuffer;
  /** Per frontier index: its number of steps, -1 if it was not expanded. */
  readonly acts: SharedArrayBuffer;
  /** arenas[w][gen % 2]: the words that worker w wrote in phase gen. */
  readonly arenas: readonly (readonly [SharedArrayBuffer, SharedArrayBuffer])[];
}

export interface WorkerData {
  readonly me: number;
  readonly n: number;
  /** The factory module, as a file URL (href). */
  readonly module: string;
  readonly params: unknown;
  readonly shared: Shared;
}

/** A step property firing seen by one worker: its least one of the phase. */
export interface StepFire {
  readonly prop: number;
  readonly pk: number;
  readonly message: string;
  /** The frontier index of the transition's source, and the step index. */
  readonly k: number;
  readonly ai: number;
}

export type ToWorker =
  /** Expand the frontier (`size` states; root: the virtual root of level 0). Claims go to records and
   *  arenas `gen % 2` and are numbered from claimBase. */
  | { readonly t: 'expand'; readonly gen: number; readonly size: number; readonly root: boolean; readonly probe: boolean;
      readonly claimBase: number; readonly checks: readonly number[]; readonly stepChecks: readonly number[] }
  /** The messages of state properties on recorded states of phase gen: [slot, prop] pairs. */
  | { readonly t: 'describe'; readonly gen: number; readonly asks: readonly (readonly [number, number])[] };

export type FromWorker =
  | { readonly t: 'ready'; readonly props: readonly { name: string; kind: 'always' | 'sometimes'; on: 'state' | 'step' }[] }
  | { readonly t: 'done'; readonly generated: number; readonly fires: readonly StepFire[]; readonly unseen: number; readonly rootActs: number }
  | { readonly t: 'described'; readonly messages: readonly (string | undefined)[] }
  /** Stopped mid-phase: asked to, or (full) a shared buffer is full. */
  | { readonly t: 'aborted'; readonly full?: string }
  /** k: the frontier index of the state being expanded (-1: none), at: the step. */
  | { readonly t: 'error'; readonly error: unknown; readonly k: number; readonly at: number };

/** Where a fingerprint starts probing in a table with this mask. */
const home = (hi: number, lo: number, mask: number): number => (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;

class Aborted extends Error {}
/** A shared buffer is full: the search stops as if out of memory (the levels completed stand). */
class Full extends Error {}

async function main(): Promise<void> {
  const wd = workerData as WorkerData;
  const port = parentPort!;
  const { me, n, shared } = wd;
  const ctl = new Int32Array(shared.ctl);
  const progress = new Float64Array(shared.progress);
  const tables = [new Int32Array(shared.tables[0]), new Int32Array(shared.tables[1])] as const;
  const records = [new Int32Array(shared.records[0]), new Int32Array(shared.records[1])] as const;
  const front = new Int32Array(shared.front);
  const actsOf = new Int32Array(shared.acts);
  const arenas = shared.arenas.map((pair) => [new Int32Array(pair[0]), new Int32Array(pair[1])] as const);
  // The limits are the buffers' sizes (checkParallel may make them small, for tests).
  const tableMaxLog = Math.log2(shared.tables[0].byteLength / 12);
  const recMax = shared.records[0].byteLength / (4 * REC);
  const arenaMax = shared.arenas[0]![0].byteLength / 4;

  const factory = ((await import(wd.module)) as { createModel?: ModelFactory }).createModel;
  if (typeof factory !== 'function') throw new Error(`${wd.module} does not export a function createModel(params)`);
  const spec = await factory(wd.params);
  const model = spec.model as Model<unknown, unknown>;
  const props = spec.properties as readonly Property<unknown, unknown>[];
  if (n > 1 && (typeof model.encode !== 'function' || typeof model.decode !== 'function')) {
    throw new Error('this model cannot be searched with several workers: it has no encode/decode (see checker/model.ts)');
  }
  // A model without encode/decode (one worker only) gets a stand-in: its "words" are the index of the
  // object in a list, one list per arena.
  const objs: [unknown[], unknown[]] = [[], []];
  const oneWord = new Int32Array(1);
  let sel = 0; // the arena set written in this phase
  const encode: (s: unknown) => Int32Array = model.encode?.bind(model) as ((s: unknown) => Int32Array) | undefined
    ?? ((s) => { oneWord[0] = objs[sel]!.length; objs[sel]!.push(s); return oneWord; });
  const modelDecode = model.decode?.bind(model) as ((w: Int32Array) => unknown) | undefined;
  /** The state whose words worker w wrote at `off` of its arena set `set`. */
  const decodeAt = (w: number, set: number, off: number): unknown => {
    const a = arenas[w]![set]!;
    const words = a.subarray(off + 1, off + 1 + a[off]!);
    return modelDecode !== undefined ? modelDecode(words) : objs[set]![words[0]!];
  };

  // The table in use, refreshed after each growth.
  let t = tables[Atomics.load(ctl, CTL_TABLE)]!;
  let mask = 2 ** Atomics.load(ctl, CTL_TABLE_LOG) - 1;
  const refreshTable = (): void => {
    t = tables[Atomics.load(ctl, CTL_TABLE)]!;
    mask = 2 ** Atomics.load(ctl, CTL_TABLE_LOG) - 1;
  };

  // This phase's settings.
  let rec = records[0];
  let arena = arenas[me]![0]!;
  let at = 0; // next free word of my arena
  let claimBase = 0;
  let checks: readonly number[] = [];

  const aborted = (): boolean => Atomics.load(ctl, CTL_ABORT) !== 0;

  /** Waits until every worker has arrived; the last one runs `last` first. */
  const meet = (last?: () => void): void => {
    const gen = Atomics.load(ctl, CTL_MEET_GEN);
    if (Atomics.add(ctl, CTL_MEET, 1) === n - 1) {
      last?.();
      Atomics.store(ctl, CTL_MEET, 0);
      Atomics.add(ctl, CTL_MEET_GEN, 1);
      Atomics.notify(ctl, CTL_MEET_GEN);
    } else {
      while (Atomics.load(ctl, CTL_MEET_GEN) === gen) {
        if (aborted()) throw new Aborted();
        Atomics.wait(ctl, CTL_MEET_GEN, gen, 20);
      }
    }
  };

  /** Grows the visited set (to 2^CTL_GROW_TO slots if that is more, else to twice its size): every
   *  worker comes here between two table operations, and all of them clear the twin buffer and move the
   *  entries, each its share. */
  const growTogether = (): void => {
    meet();
    const fromSel = Atomics.load(ctl, CTL_TABLE);
    const log = Atomics.load(ctl, CTL_TABLE_LOG);
    const newLog = Math.max(log + 1, Atomics.load(ctl, CTL_GROW_TO));
    if (newLog > tableMaxLog) {
      Atomics.store(ctl, CTL_ABORT, 1);
      throw new Full(`the visited set cannot grow beyond 2^${tableMaxLog} slots`);
    }
    const from = tables[fromSel]!;
    const to = tables[1 - fromSel]!;
    const cap = 2 ** newLog;
    const m = cap - 1;
    // Only what this buffer held before needs clearing: beyond, its pages were never touched.
    const dirty = Math.min(cap * 3, Atomics.load(ctl, CTL_USED + 1 - fromSel));
    to.fill(0, Math.floor(dirty / 3 * me / n) * 3, Math.floor(dirty / 3 * (me + 1) / n) * 3);
    meet();
    const old = 2 ** log;
    for (let p = Math.floor(old * me / n) * 3, end = Math.floor(old * (me + 1) / n) * 3; p < end; p += 3) {
      const v = from[p]!;
      if (v === 0) continue;
      const hi = from[p + 1]!;
      const lo = from[p + 2]!;
      let i = home(hi, lo, m);
      while (Atomics.compareExchange(to, i * 3, 0, v) !== 0) i = (i + 1) & m;
      to[i * 3 + 1] = hi;
      to[i * 3 + 2] = lo;
    }
    meet(() => {
      Atomics.store(ctl, CTL_USED + 1 - fromSel, Math.max(cap * 3, Atomics.load(ctl, CTL_USED + 1 - fromSel)));
      Atomics.store(ctl, CTL_TABLE, 1 - fromSel);
      Atomics.store(ctl, CTL_TABLE_LOG, newLog);
      Atomics.store(ctl, CTL_GROW_TO, 0);
      Atomics.store(ctl, CTL_GROW, 0);
    });
    refreshTable();
  };

  /** Asks every worker to grow the table (they come at their next state or while waiting). */
  const askGrow = (): void => {
    Atomics.store(ctl, CTL_GROW, 1);
    Atomics.notify(ctl, CTL_END_DONE);
  };

  /** The bitmask of the properties in `checks` that fire on state s. */
  const verdictOf = (s: unknown): number => {
    let bad = 0;
    for (let c = 0; c < checks.length; c++) {
      const p = checks[c]!;
      if ((props[p]!.check as (s: unknown) => string | undefined)(s) !== undefined) bad |= 1 << p;
    }
    return bad;
  };

  /** Appends s's words to my arena; returns their address. */
  const put = (s: unknown): number => {
    const words = encode(s);
    const len = words.length;
    if (at + 1 + len > arenaMax) {
      Atomics.store(ctl, CTL_ABORT, 1);
      throw new Full(`a level's states do not fit in a worker's arena (${arenaMax} words)`);
    }
    const off = at;
    arena[off] = len;
    arena.set(words, off + 1);
    at = off + 1 + len;
    return off;
  };

  /** My run of record slots: the next one and the end. */
  let slotNext = 0;
  let slotEnd = 0;
  /** Takes the next BLOCK record slots (before a lookup, so that a growth finds no entry half written).
   *  Every slot handed out may become a table entry: growth is asked for at load 0.75 of those, and past
   *  0.9 nobody inserts before the table has grown. */
  const takeBlock = (): void => {
    const b = Atomics.add(ctl, CTL_NCAND, BLOCK);
    if (b + BLOCK > recMax) {
      Atomics.store(ctl, CTL_ABORT, 1);
      throw new Full(`more than ${recMax - BLOCK} new states in one level`);
    }
    slotNext = b;
    slotEnd = b + BLOCK;
    const granted = claimBase + slotEnd;
    if ((granted + (n - 1) * BLOCK) * 4 >= (mask + 1) * 3 && Atomics.load(ctl, CTL_GROW) === 0) askGrow();
    if (granted * 10 >= (mask + 1) * 9) growTogether();
  };

  /** A successor s with key (g, ai) and fingerprint (hi, lo): a new record if it was never seen; the
   *  record replaced if it is this level's and s has the smaller key; nothing if it is older. */
  const claim = (hi: number, lo: number, g: number, ai: number, s: unknown): void => {
    if (slotNext === slotEnd) takeBlock();
    for (let i = home(hi, lo, mask); ; i = (i + 1) & mask) {
      const p = i * 3;
      let v = Atomics.load(t, p);
      if (v === 0) {
        if (Atomics.compareExchange(t, p, 0, -1) === 0) {
          t[p + 1] = hi;
          t[p + 2] = lo;
          const slot = slotNext++;
          const r = slot * REC;
          rec[r + R_G] = g;
          rec[r + R_A] = ai;
          rec[r + R_W] = me;
          rec[r + R_OFF] = put(s);
          rec[r + R_BAD] = checks.length > 0 ? verdictOf(s) : 0;
          // Publishes the entry and the record (a seq-cst store after plain writes).
          Atomics.store(t, p, claimBase + slot + 1);
          return;
        }
        v = Atomics.load(t, p);
      }
      // Being written (a few words); if its writer failed, the search is being aborted.
      while (v === -1) {
        if (aborted()) throw new Aborted();
        v = Atomics.load(t, p);
      }
      if (t[p + 1] !== hi || t[p + 2] !== lo) continue;
      const slot = v - 1 - claimBase;
      if (slot < 0) return; // reached at an earlier level
      const r = slot * REC;
      // The key of a record only decreases: a smaller one read here is final.
      if (Atomics.load(rec, r + R_G) < g) return;
      while (Atomics.compareExchange(rec, r + R_LOCK, 0, 1) !== 0) { /* a replacement is a few writes */ }
      try {
        const g0 = rec[r + R_G]!;
        if (g < g0 || (g === g0 && ai < rec[r + R_A]!)) {
          rec[r + R_G] = g;
          rec[r + R_A] = ai;
          rec[r + R_W] = me;
          rec[r + R_OFF] = put(s);
          rec[r + R_BAD] = checks.length > 0 ? verdictOf(s) : 0;
        }
      } finally {
        Atomics.store(rec, r + R_LOCK, 0);
      }
      return;
    }
  };

  /** Is (hi, lo) in the visited set? (The depth probe: nobody inserts.) */
  const seen = (hi: number, lo: number): boolean => {
    for (let i = home(hi, lo, mask); ; i = (i + 1) & mask) {
      const p = i * 3;
      if (t[p] === 0) return false;
      if (t[p + 1] === hi && t[p + 2] === lo) return true;
    }
  };

  /** Where a model error happened: the frontier index being expanded (-1: none) and the step. */
  let errK = -1;
  let errAt = -1;

  const expand = (msg: Extract<ToWorker, { t: 'expand' }>): FromWorker => {
    const { gen, size, probe } = msg;
    sel = gen % 2;
    const readSel = 1 - sel;
    rec = records[sel]!;
    arena = arenas[me]![sel]!;
    at = 0;
    objs[sel] = [];
    claimBase = msg.claimBase;
    slotNext = slotEnd = 0;
    checks = msg.checks;
    const stepChecks = [...msg.stepChecks];
    const fires: StepFire[] = [];
    let generated = 0;
    let unseen = -1;
    let rootActs = 0;
    refreshTable();

    if (msg.root) {
      // Level 0: one worker takes the virtual root.
      if (Atomics.add(ctl, CTL_CURSOR, 1) === 0) {
        const inits = model.initial();
        if (inits.length >= STEP_MUL) throw new Error(`${inits.length} initial states: at most ${STEP_MUL - 1} are supported`);
        rootActs = inits.length;
        generated = inits.length;
        for (let i = 0; i < inits.length; i++) {
          if (Atomics.load(ctl, CTL_GROW) !== 0) growTogether();
          fingerprint(model.key(inits[i]));
          claim(fp[0]! | 0, fp[1]! | 0, -1, i, inits[i]);
        }
      }
    } else {
      for (;;) {
        if (aborted()) throw new Aborted();
        progress[me * PROGRESS_STRIDE] = generated;
        const from = Atomics.add(ctl, CTL_CURSOR, CHUNK);
        if (from >= size || (probe && from > Atomics.load(ctl, CTL_LIMIT))) break;
        const to = Math.min(size, from + CHUNK);
        for (let k = from; k < to; k++) {
          if (Atomics.load(ctl, CTL_GROW) !== 0) growTogether();
          const f = k * FRONT;
          const s = decodeAt(front[f]!, readSel, front[f + 1]!);
          const g = front[f + 2]!;
          errK = k;
          errAt = -1;
          const acts = model.steps(s);
          if (acts.length >= STEP_MUL) throw new Error(`a state has ${acts.length} steps: at most ${STEP_MUL - 1} are supported`);
          actsOf[k] = acts.length;
          let out = false;
          for (let ai = 0; ai < acts.length; ai++) {
            const a = acts[ai];
            errAt = ai;
            const nx = model.next(s, a);
            generated++;
            for (let c = 0; c < stepChecks.length; c++) {
              const p = stepChecks[c]!;
              const m = (props[p]!.check as (s: unknown, a: unknown, t: unknown) => string | undefined)(s, a, nx);
              if (m !== undefined) {
                // My chunks come in increasing order: my first firing is my least.
                fires.push({ prop: p, pk: pack(g, ai), message: m, k, ai });
                stepChecks.splice(c, 1);
                c--;
              }
            }
            fingerprint(model.key(nx));
            if (probe) {
              if (!seen(fp[0]! | 0, fp[1]! | 0)) {
                unseen = pack(g, ai);
                // Lower the limit: later chunks cannot hold the first transition out of the set.
                for (let l = Atomics.load(ctl, CTL_LIMIT); k < l; l = Atomics.load(ctl, CTL_LIMIT)) {
                  if (Atomics.compareExchange(ctl, CTL_LIMIT, l, k) === l) break;
                }
                out = true;
                break;
              }
            } else claim(fp[0]! | 0, fp[1]! | 0, g, ai, nx);
          }
          if (out) break;
        }
        if (unseen >= 0) break;
      }
    }
    errK = -1;
    errAt = -1;
    progress[me * PROGRESS_STRIDE] = generated;
    // The unused tail of my last block: no record.
    for (let slot = slotNext; slot < slotEnd; slot++) rec[slot * REC + R_W] = -1;
    // Wait for the others, growing the table with them if asked. The last to arrive lets everyone go,
    // but only once no growth is asked for: a worker that left could not take part in one.
    if (Atomics.add(ctl, CTL_END, 1) === n - 1) {
      while (Atomics.load(ctl, CTL_GROW) !== 0) growTogether();
      Atomics.store(ctl, CTL_END_DONE, 1);
      Atomics.notify(ctl, CTL_END_DONE);
    } else {
      while (Atomics.load(ctl, CTL_END_DONE) === 0) {
        if (Atomics.load(ctl, CTL_GROW) !== 0) { growTogether(); continue; }
        if (aborted()) throw new Aborted();
        Atomics.wait(ctl, CTL_END_DONE, 0, 20);
      }
    }
    return { t: 'done', generated, fires, unseen, rootActs };
  };

  const describe = (msg: Extract<ToWorker, { t: 'describe' }>): FromWorker => {
    const set = msg.gen % 2;
    const r = records[set]!;
    const messages = msg.asks.map(([slot, p]) => {
      const s = decodeAt(r[slot * REC + R_W]!, set, r[slot * REC + R_OFF]!);
      return (props[p]!.check as (s: unknown) => string | undefined)(s);
    });
    return { t: 'described', messages };
  };

  port.on('message', (msg: ToWorker) => {
    let reply: FromWorker;
    try {
      reply = msg.t === 'expand' ? expand(msg) : describe(msg);
    } catch (e) {
      if (e instanceof Aborted) reply = { t: 'aborted' };
      else if (e instanceof Full) {
        Atomics.notify(ctl, CTL_END_DONE);
        Atomics.notify(ctl, CTL_MEET_GEN);
        reply = { t: 'aborted', full: e.message };
      }
      else {
        // Let the others stop waiting for me.
        Atomics.store(ctl, CTL_ABORT, 1);
        Atomics.notify(ctl, CTL_END_DONE);
        Atomics.notify(ctl, CTL_MEET_GEN);
        reply = { t: 'error', error: e, k: errK, at: errAt };
      }
      errK = -1;
      errAt = -1;
    }
    if (reply.t === 'error') postError(reply.error, reply.k, reply.at);
    else port.postMessage(reply);
  });
  port.postMessage({ t: 'ready', props: props.map((p) => ({ name: p.name, kind: p.kind, on: p.on })) } satisfies FromWorker);
}

/** Posts an error; one that cannot be cloned goes as its message and stack. */
function postError(e: unknown, k: number, at: number): void {
  // Some errors (Node's own, with a `code`) arrive as a plain object without their message once cloned:
  // send those, and any that cannot be cloned, as a plain Error with the same name, message and stack.
  let error = e;
  let clonable = false;
  try { clonable = !(e instanceof Error) || structuredClone(e) instanceof Error; } catch { clonable = false; }
  if (!clonable) {
    const err = new Error(e instanceof Error ? e.message : String(e));
    if (e instanceof Error) {
      err.name = e.name;
      if (e.stack !== undefined) err.stack = e.stack;
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') (err as Error & { code?: string }).code = code;
    }
    error = err;
  }
  try {
    parentPort!.postMessage({ t: 'error', error, k, at } satisfies FromWorker);
  } catch {
    // Not cloneable at all (a thrown object holding functions, say): its text then.
    parentPort!.postMessage({ t: 'error', error: new Error(String(e)), k, at } satisfies FromWorker);
  }
}

// The coordinator imports this module for its constants and types: only a worker thread of the search
// runs it (not another worker thread whose code imports the coordinator, such as the CLI's sandbox).
const isSearchWorker = (d: unknown): boolean => typeof d === 'object' && d !== null && 'shared' in d && 'module' in d && 'me' in d;
if (!isMainThread && parentPort !== null && isSearchWorker(workerData)) {
  try {
    await main();
  } catch (e) {
    postError(e, -1, -1);
  }
}
