// One worker of the parallel search (checker/parallel.ts explains the algorithm). Started through
// worker-entry.mjs, which registers tsx first: on Node 20 the loader hooks of `--import=tsx` do not reach
// worker threads.
//
// A worker owns the states whose fingerprint falls in its share (`ownerOf`): it keeps their fingerprints
// (its own visited set), their parent links and, level by level, the frontier of its own states. It
// expands its frontier in rank order and sends every successor to the successor's owner: to itself
// directly (encoded only if it is new), to a peer in batches of BATCH states, one transferred Int32Array per
// batch, over a MessagePort that the peer reads synchronously (`receiveMessageOnPort`) every POLL
// expansions and, once its own expansion is done, until every peer has said 'end'.
//
// Waiting states are words in two arenas (the frontier being expanded, the candidates of the next level),
// never objects: with objects, a worker spent a third of its time in the garbage collector. A candidate is
// a fixed record in one Int32Array, and the visited set tells in one probe whether a successor is new,
// from an older level, or a candidate of this level and from which sender (a sender's successors arrive
// in key order, so a second one from the same sender never wins and costs no further read).
//
// The coordinator (the main thread) drives the levels with messages: init, expand, commit, truncate,
// links. Between two of them the worker holds no promise: each phase runs synchronously.

import { isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { fingerprint, fp } from './hash.js';
import { Int32List } from './visited.js';
import type { Model, ModelFactory, Property } from './model.js';

/** States per batch sent to a peer (at least; the last batch of a level may be shorter). */
export const BATCH = 1024;
/** Poll the peers' ports and the abort flag every this many expansions. */
const POLL = 256;
/** The step index takes the low 21 bits of a packed key (see `pack`). */
export const STEP_BITS = 21;
export const STEP_MUL = 2 ** STEP_BITS;

/** The rank key of a transition or of a state discovered by it: (rank of the source in its level, step
 *  index), packed into one exact double. The virtual root of level 0 has rank -1 and "steps" = indices of
 *  `initial()`. */
export const pack = (g: number, ai: number): number => (g + 1) * STEP_MUL + ai;
export const rankOf = (pk: number): number => Math.floor(pk / STEP_MUL) - 1;
export const stepOf = (pk: number): number => pk % STEP_MUL;

/** Shared control words (Int32Array over a SharedArrayBuffer). */
export const CTL_ABORT = 0;
/** CTL_MAIL + w: bumped (and notified) after each post to worker w. */
export const CTL_MAIL = 1;

export interface WorkerData {
  readonly me: number;
  readonly n: number;
  /** The factory module, as a file URL (href). */
  readonly module: string;
  readonly params: unknown;
  /** ports[w]: the channel to peer w (undefined at ports[me]). */
  readonly ports: readonly (MessagePort | undefined)[];
  readonly ctl: SharedArrayBuffer;
  /** Float64 per worker: transitions generated so far (progress only). */
  readonly progress: SharedArrayBuffer;
  readonly prune: boolean;
}

/** A property firing seen by one worker: the least event of the phase in rank order. */
export interface Fire {
  readonly prop: number;
  readonly pk: number;
  /** 0: a step property on transition pk; 1: a state property on the state discovered by pk. */
  readonly phase: 0 | 1;
  readonly message: string;
  /** The worker's local index of the state (phase 1) or of the transition's source (phase 0). */
  readonly idx: number;
  /** phase 0: the step index; phase 1: -1. */
  readonly extra: number;
}

export type ToWorker =
  | { readonly t: 'init' }
  | { readonly t: 'expand'; readonly probe: boolean; readonly gLo: number; readonly gHi: number }
  | { readonly t: 'commit'; readonly fired: readonly number[]; readonly others?: readonly Float64Array[] }
  | { readonly t: 'truncate'; readonly pk: number; readonly phase: number }
  | { readonly t: 'links'; readonly idx: number };

export type FromWorker =
  | { readonly t: 'ready'; readonly props: readonly { name: string; kind: 'always' | 'sometimes'; on: 'state' | 'step' }[] }
  | { readonly t: 'merged'; readonly generated: number; readonly keys: Float64Array; readonly pruned: number; readonly fires: readonly Fire[]; readonly bytes: number }
  | { readonly t: 'probed'; readonly generated: number; readonly unseen: number; readonly fires: readonly Fire[] }
  | { readonly t: 'truncated'; readonly generated: number; readonly distinct: number; readonly pruned: number; readonly queue: number }
  | { readonly t: 'links'; readonly steps: readonly number[]; readonly next: number }
  | { readonly t: 'aborted' }
  | { readonly t: 'error'; readonly error: unknown; readonly idx: number; readonly at: number };

/** The visited set of a worker: 64-bit fingerprints with a uint32 value each, interleaved [hi, lo, value]
 *  in one Uint32Array (one cache line per probe), open addressing, linear probing, load <= 0.75. The value
 *  (see SENDERS in main) holds the state's local index and a sender, so that one probe per transition
 *  tells new / older level / this level's candidate and who sent it. */
class SeenTable {
  private t: Uint32Array;
  private mask: number;
  private count = 0;
  /** Where the last `probe` found its fingerprint (an index into t), for `setValue`. */
  private last = 0;
  constructor(cap = 1 << 12) {
    let c = 16;
    while (c < cap) c *= 2;
    this.t = new Uint32Array(c * 3);
    this.mask = c - 1;
  }
  get bytes(): number { return this.t.byteLength; }
  /** The value of (hi, lo); if absent, inserts it with value v (>= 0) and returns -1. ((0, 0) never occurs:
   *  `fingerprint` maps it to (0, 1).) */
  probe(hi: number, lo: number, v: number): number {
    const t = this.t;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const p = i * 3;
      const h = t[p]!;
      const l = t[p + 1]!;
      if ((h | l) === 0) {
        t[p] = hi;
        t[p + 1] = lo;
        t[p + 2] = v;
        if (++this.count * 4 >= (mask + 1) * 3) this.grow();
        return -1;
      }
      if (h === hi && l === lo) { this.last = p; return t[p + 2]!; }
      i = (i + 1) & mask;
    }
  }
  /** Sets the value of the fingerprint that the last `probe` found. */
  setValue(v: number): void { this.t[this.last + 2] = v; }
  has(hi: number, lo: number): boolean {
    const t = this.t;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const p = i * 3;
      const h = t[p]!;
      const l = t[p + 1]!;
      if ((h | l) === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & mask;
    }
  }
  private grow(): void {
    const o = this.t;
    const c = (this.mask + 1) * 2;
    if (c > 2 ** 29) throw new RangeError(`a worker's visited set cannot grow beyond 2^29 slots (${this.count} entries)`);
    const t = new Uint32Array(c * 3);
    const mask = c - 1;
    for (let j = 0; j < o.length; j += 3) {
      const h = o[j]!;
      const l = o[j + 1]!;
      if ((h | l) === 0) continue;
      let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      while ((t[i * 3]! | t[i * 3 + 1]!) !== 0) i = (i + 1) & mask;
      t[i * 3] = h;
      t[i * 3 + 1] = l;
      t[i * 3 + 2] = o[j + 2]!;
    }
    this.t = t;
    this.mask = mask;
  }
}

/** Words of states, each run preceded by its length, in chunks of CHUNK words that are kept for reuse from
 *  one level to the next: a run never spans two chunks (so a state's words are one subarray) and growing
 *  copies nothing. An address is chunk * CHUNK + the offset of the run's first word. */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
class Arena {
  private readonly chunks: Int32Array[] = [];
  private ci = -1;
  private at = CHUNK;
  reset(): void { this.ci = -1; this.at = CHUNK; }
  /** Appends src[from, from + len) and returns its address. */
  put(src: Int32Array, from: number, len: number): number {
    if (this.at + 1 + len > CHUNK) {
      if (len + 1 > CHUNK) throw new RangeError(`a state of ${len} words is too large (at most ${CHUNK - 1})`);
      if (++this.ci === this.chunks.length) {
        if (this.ci === 2 ** (31 - CHUNK_BITS)) throw new RangeError('a level does not fit in one worker\'s arena (8 GiB)');
        this.chunks.push(new Int32Array(CHUNK));
      }
      this.at = 0;
    }
    const c = this.chunks[this.ci]!;
    c[this.at] = len;
    const off = this.at + 1;
    for (let j = 0; j < len; j++) c[off + j] = src[from + j]!;
    this.at = off + len;
    return this.ci * CHUNK + off;
  }
  /** The words at address a (a view, valid until the arena is reset). */
  words(a: number): Int32Array {
    const c = this.chunks[a >>> CHUNK_BITS]!;
    const off = a & (CHUNK - 1);
    return c.subarray(off, off + c[off - 1]!);
  }
}

/** A growable Int32Array (`a` is its storage, `n` its length; read `a` directly in hot loops). */
class IntVec {
  a = new Int32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/** A candidate record (see `cand` in main): its words and their offsets. */
const CAND = 6;
const C_G = 0;
const C_A = 1;
const C_PARENT = 2;
const C_SENDER = 3;
const C_OFF = 4;
const C_BAD = 5;

/** The worker that owns fingerprint (hi, lo) among n: by the high bits of hi. */
export const ownerOf = (hi: number, n: number): number => Math.floor((hi >>> 0) * n / 4294967296);

async function main(): Promise<void> {
  const wd = workerData as WorkerData;
  const port = parentPort!;
  const { me, n, prune } = wd;
  const ctl = new Int32Array(wd.ctl);
  const progress = new Float64Array(wd.progress);
  const factory = ((await import(wd.module)) as { createModel?: ModelFactory }).createModel;
  if (typeof factory !== 'function') throw new Error(`${wd.module} does not export a function createModel(params)`);
  const spec = await factory(wd.params);
  const model = spec.model as Model<unknown, unknown>;
  const props = spec.properties as readonly Property<unknown, unknown>[];
  if (n > 1 && (typeof model.encode !== 'function' || typeof model.decode !== 'function')) {
    throw new Error('this model cannot be searched with several workers: it has no encode/decode (see checker/model.ts)');
  }
  const modelEncode = model.encode?.bind(model) as ((s: unknown) => Int32Array) | undefined;
  const modelDecode = model.decode?.bind(model) as ((w: Int32Array) => unknown) | undefined;
  const peers = wd.ports;

  const stateProps: number[] = [];
  const stepProps: number[] = [];
  props.forEach((p, i) => (p.on === 'state' ? stateProps : stepProps).push(i));
  const decided = props.map(() => false);

  const visited = new SeenTable();
  /** A state's value in `visited`: its local index (levelBase + slot while its level is being built) times
   *  SENDERS, plus the worker that sent its least candidate so far. */
  const SENDER_BITS = n <= 1 ? 0 : 32 - Math.clz32(n - 1);
  const SENDERS = 2 ** SENDER_BITS;
  let levelBase = 0;
  /** Per local state: parent's local index * n + parent's worker, or -(init + 1). */
  const parents = new Int32List();
  /** Per local state: the step index in steps(parent), -1 for an initial state. */
  const stepTaken = new Int32List();

  // States wait as words (each run of words preceded by its length), never as objects: no object per
  // waiting state, so the garbage collector has almost nothing to trace. A model without encode/decode
  // (one worker only) gets a stand-in: its "words" are the index of the object in a table, one table for
  // the level being expanded and one for the level being built.
  let objsFront: unknown[] = [];
  let objsNext: unknown[] = [];
  const oneWord = new Int32Array(1);
  const encode: (s: unknown) => Int32Array = modelEncode ?? ((s) => { oneWord[0] = objsNext.length; objsNext.push(s); return oneWord; });
  const decodeNext: (w: Int32Array) => unknown = modelDecode ?? ((w) => objsNext[w[0]!]);
  const decodeFront: (w: Int32Array) => unknown = modelDecode ?? ((w) => objsFront[w[0]!]);

  // Two arenas of words, swapped at each level: `front` holds the frontier being expanded (level L),
  // `next` the candidates of level L + 1 as they arrive (a state's words are copied once, when it takes a
  // slot; a replaced candidate leaves its words behind, unused).
  let front = new Arena();
  let next = new Arena();
  // The frontier, my states in rank order: where each one's words start in `front`, their local indices,
  // their global ranks, and their number of steps (-1: not expanded in this phase).
  let fOff = new IntVec();
  let fIdx = new IntVec();
  let fG = new IntVec();
  let fActs = new Int32Array(0);
  /** Level 0: the virtual root's "transitions" (worker 0 counts them). */
  let rootActs = 0;
  let inRoot = false;

  // The candidates of level L + 1 (received during the expansion of level L). Per candidate slot: the least
  // key so far (rank of the parent, step), the parent reference, the sender, where its words start in
  // `next`, and what the state properties said of it: 0 nothing, 1 something, -1 not checked yet (a
  // peer's successor: its sender has the object but not the verdict of the visited set, so the owner
  // decodes and checks it in `merge`; my own successors are checked while the object is at hand).
  let nCand = 0;
  /** CAND words per slot (one record, in one or two cache lines). */
  let cand = new Int32Array(CAND * 1024);
  /** Per sender: the slots it took, in arrival order, which is key order (a sender expands in rank order,
   *  so its first candidate for a slot is its least; a slot it lost stays listed, see candSender). */
  const wins: IntVec[] = Array.from({ length: n }, () => new IntVec());
  // The sorted new states of level L + 1, until the coordinator commits or truncates: their keys, whether
  // pruned, and the next frontier (the states not pruned) with each one's position among the new states.
  let newPk = new Float64Array(0);
  let newPruned = new Uint8Array(0);
  let nOff = new IntVec();
  let nIdx = new IntVec();
  let nPos = new IntVec();
  let minUnseen = -1;

  // Outgoing batches.
  const out: Int32Array[] = [];
  const outLen: number[] = [];
  const outCount: number[] = [];
  for (let w = 0; w < n; w++) { out.push(new Int32Array(w === me ? 0 : 4096)); outLen.push(0); outCount.push(0); }
  let ends = 0;
  let generated = 0;

  const resetLevel = (): void => {
    nCand = 0;
    next.reset();
    objsNext = [];
    checks = stateProps.filter((p) => !decided[p] || (prune && props[p]!.kind === 'always'));
    for (const wl of wins) wl.n = 0;
    minUnseen = -1;
    ends = 0;
    generated = 0;
  };

  /** The state properties to run on new states in this phase (see `merge`). */
  let checks: number[] = [];
  /** 1 if some property in `checks` fires on t, else 0. */
  const verdictOf = (t: unknown): number => {
    for (let c = 0; c < checks.length; c++) {
      if ((props[checks[c]!]!.check as (s: unknown) => string | undefined)(t) !== undefined) return 1;
    }
    return 0;
  };

  let probing = false;
  /** In a probe: a successor outside the visited set lowers minUnseen. */
  const probeUnseen = (hi: number, lo: number, g: number, ai: number): void => {
    if (!visited.has(hi, lo)) {
      const pk = pack(g, ai);
      if (minUnseen < 0 || pk < minUnseen) minUnseen = pk;
    }
  };

  /** The candidate slot that a successor with key (g, ai) takes: a fresh one if its fingerprint is new, the
   *  slot of this level's candidate if its key is smaller than that one's; -1 if it loses (visited at an
   *  earlier level, or a candidate with a smaller key). The caller fills in the rest of the slot. */
  const claim = (hi: number, lo: number, g: number, ai: number, sender: number): number => {
    const v = visited.probe(hi, lo, (levelBase + nCand) * SENDERS + sender);
    let slot: number;
    if (v < 0) {
      slot = nCand++;
      if ((levelBase + nCand) * SENDERS > 2 ** 32) throw new RangeError(`a worker cannot hold more than 2^32 / ${SENDERS} states`);
      if (slot * CAND === cand.length) {
        const bigger = new Int32Array(cand.length * 2);
        bigger.set(cand);
        cand = bigger;
      }
    } else {
      const ls = v >>> SENDER_BITS;
      if (ls < levelBase) return -1; // reached at an earlier level
      // A sender's successors come in key order: its later one never beats its earlier one.
      if ((v & (SENDERS - 1)) === sender) return -1;
      slot = ls - levelBase;
      const g0 = cand[slot * CAND + C_G]!;
      if (g > g0 || (g === g0 && ai >= cand[slot * CAND + C_A]!)) return -1;
      visited.setValue(v - (v & (SENDERS - 1)) + sender);
    }
    cand[slot * CAND + C_G] = g;
    cand[slot * CAND + C_A] = ai;
    return slot;
  };

  /** A state of my own (parentRef: see `parents`): encoded and checked only if it takes a slot. */
  const receiveOwn = (hi: number, lo: number, g: number, ai: number, parentRef: number, t: unknown): void => {
    if (probing) { probeUnseen(hi, lo, g, ai); return; }
    const slot = claim(hi, lo, g, ai, me);
    if (slot < 0) return;
    const words = encode(t);
    const r = slot * CAND;
    cand[r + C_OFF] = next.put(words, 0, words.length);
    cand[r + C_PARENT] = parentRef;
    cand[r + C_SENDER] = me;
    cand[r + C_BAD] = checks.length > 0 ? verdictOf(t) : 0;
    wins[me]!.push(slot);
  };

  const receiveBatch = (sender: number, b: Int32Array): void => {
    const wl = wins[sender]!;
    let i = 0;
    while (i < b.length) {
      const hi = b[i]! >>> 0;
      const lo = b[i + 1]! >>> 0;
      const g = b[i + 2]!;
      const ai = b[i + 3]!;
      const len = b[i + 5]!;
      if (probing) probeUnseen(hi, lo, g, ai);
      else {
        const slot = claim(hi, lo, g, ai, sender);
        if (slot >= 0) {
          const r = slot * CAND;
          cand[r + C_PARENT] = b[i + 4]! * n + sender;
          cand[r + C_SENDER] = sender;
          cand[r + C_OFF] = next.put(b, i + 6, len);
          cand[r + C_BAD] = checks.length > 0 ? -1 : 0;
          wl.push(slot);
        }
      }
      i += 6 + len;
    }
  };

  /** Reads every message waiting on the peers' ports. */
  const drain = (): void => {
    for (let w = 0; w < n; w++) {
      const p = peers[w];
      if (p === undefined) continue;
      for (let m = receiveMessageOnPort(p); m !== undefined; m = receiveMessageOnPort(p)) {
        const msg = m.message as Int32Array | 'end';
        if (msg === 'end') ends++;
        else receiveBatch(w, msg);
      }
    }
  };

  const flush = (w: number): void => {
    const buf = out[w]!;
    const data = buf.slice(0, outLen[w]!);
    peers[w]!.postMessage(data, [data.buffer]);
    outLen[w] = 0;
    outCount[w] = 0;
    Atomics.add(ctl, CTL_MAIL + w, 1);
    Atomics.notify(ctl, CTL_MAIL + w);
  };

  const sendEnd = (): void => {
    for (let w = 0; w < n; w++) {
      if (w === me) continue;
      if (outCount[w]! > 0) flush(w);
      peers[w]!.postMessage('end');
      Atomics.add(ctl, CTL_MAIL + w, 1);
      Atomics.notify(ctl, CTL_MAIL + w);
    }
  };

  /** Appends a successor for peer w (without its words in a probe). */
  const send = (w: number, hi: number, lo: number, g: number, ai: number, parentLocal: number, t: unknown): void => {
    const words = probing ? undefined : encode(t);
    const len = words === undefined ? 0 : words.length;
    let buf = out[w]!;
    const at = outLen[w]!;
    if (at + 6 + len > buf.length) {
      const bigger = new Int32Array(Math.max(buf.length * 2, at + 6 + len));
      bigger.set(buf.subarray(0, at));
      out[w] = buf = bigger;
    }
    buf[at] = hi; buf[at + 1] = lo; buf[at + 2] = g; buf[at + 3] = ai; buf[at + 4] = parentLocal; buf[at + 5] = len;
    for (let j = 0; j < len; j++) buf[at + 6 + j] = words![j]!;
    outLen[w] = at + 6 + len;
    if (++outCount[w]! >= BATCH) flush(w);
  };

  /** Waits until every peer has sent 'end' for this phase; false if the run was aborted. */
  const awaitEnds = (): boolean => {
    for (;;) {
      const v = Atomics.load(ctl, CTL_MAIL + me);
      drain();
      if (ends >= n - 1) return true;
      if (Atomics.load(ctl, CTL_ABORT) !== 0) return false;
      Atomics.wait(ctl, CTL_MAIL + me, v, 20);
    }
  };

  class Aborted extends Error {}
  /** Where a model error happened: the local index of the state being expanded (-1: none) and the step. */
  let errIdx = -1;
  let errAt = -1;

  /** Expands the frontier states with rank in [gLo, gHi). */
  const expand = (gLo: number, gHi: number): Fire[] => {
    const fires: Fire[] = [];
    const stepChecks = stepProps.filter((p) => !decided[p]);
    fActs.fill(-1);
    let poll = POLL;
    const nFront = fIdx.n;
    for (let k = 0; k < nFront; k++) {
      const g = fG.a[k]!;
      if (g < gLo) continue;
      if (g >= gHi) break;
      if (--poll <= 0) {
        poll = POLL;
        drain();
        progress[me] = generated;
        if (Atomics.load(ctl, CTL_ABORT) !== 0) throw new Aborted();
      }
      const s = decodeFront(front.words(fOff.a[k]!));
      const sIdx = fIdx.a[k]!;
      errIdx = sIdx;
      errAt = -1;
      const acts = model.steps(s);
      if (acts.length >= STEP_MUL) throw new Error(`a state has ${acts.length} steps: at most ${STEP_MUL - 1} are supported`);
      fActs[k] = acts.length;
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai];
        errAt = ai;
        const t = model.next(s, a);
        generated++;
        for (let c = 0; c < stepChecks.length; c++) {
          const p = stepChecks[c]!;
          const prop = props[p]!;
          const msg = (prop.check as (s: unknown, a: unknown, t: unknown) => string | undefined)(s, a, t);
          if (msg !== undefined) {
            // The first firing in this worker is its least event of the phase: no need to look further.
            fires.push({ prop: p, pk: pack(g, ai), phase: 0, message: msg, idx: sIdx, extra: ai });
            stepChecks.splice(c, 1);
            c--;
          }
        }
        fingerprint(model.key(t));
        const hi = fp[0]!;
        const lo = fp[1]!;
        const o = ownerOf(hi, n);
        if (o === me) receiveOwn(hi, lo, g, ai, sIdx * n + me, t);
        else send(o, hi, lo, g, ai, sIdx, t);
      }
    }
    errIdx = -1;
    errAt = -1;
    progress[me] = generated;
    sendEnd();
    if (!awaitEnds()) throw new Aborted();
    return fires;
  };

  /** The candidates of the level, sorted by key: merges the per-sender lists of winners. */
  const sortedWinners = (): Int32Array => {
    const lists: Int32Array[] = wins.map((wl, w) => {
      const out = new Int32Array(wl.n);
      let m = 0;
      for (let i = 0; i < wl.n; i++) { const slot = wl.a[i]!; if (cand[slot * CAND + C_SENDER] === w) out[m++] = slot; }
      return out.subarray(0, m);
    });
    const nonEmpty = lists.filter((l) => l.length > 0);
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? new Int32Array(0);
    const pos = lists.map(() => 0);
    const order = new Int32Array(nCand);
    const c = cand;
    for (let j = 0; j < nCand; j++) {
      let best = -1;
      let bg = 0;
      let ba = 0;
      for (let w = 0; w < lists.length; w++) {
        const l = lists[w]!;
        const p = pos[w]!;
        if (p < l.length) {
          const slot = l[p]!;
          const g = c[slot * CAND + C_G]!;
          const a = c[slot * CAND + C_A]!;
          if (best < 0 || g < bg || (g === bg && a < ba)) { best = w; bg = g; ba = a; }
        }
      }
      order[j] = lists[best]![pos[best]!]!;
      pos[best]!++;
    }
    return order;
  };

  /** The new states of the level, in key order: local indices, parent links, state properties, pruning,
   *  and the next frontier (where their words are in `next`). */
  const merge = (): { keys: Float64Array; pruned: number; fires: Fire[] } => {
    const order = sortedWinners();
    const fires: Fire[] = [];
    const firedHere = props.map((_, p) => decided[p]!);
    newPk = new Float64Array(order.length);
    newPruned = new Uint8Array(order.length);
    nOff.n = 0; nIdx.n = 0; nPos.n = 0;
    let pruned = 0;
    for (let j = 0; j < order.length; j++) {
      const r = order[j]! * CAND;
      const g = cand[r + C_G]!;
      const ai = cand[r + C_A]!;
      const pk = pack(g, ai);
      newPk[j] = pk;
      const idx = parents.length;
      const off = cand[r + C_OFF]!;
      parents.push(cand[r + C_PARENT]!);
      stepTaken.push(g < 0 ? -1 : ai);
      let bad = false;
      if (cand[r + C_BAD] !== 0) {
        // Not checked yet, or something fired: (re)check for the messages, in key order.
        errIdx = idx;
        const t = decodeNext(next.words(off));
        for (const p of checks) {
          const prop = props[p]!;
          const msg = (prop.check as (s: unknown) => string | undefined)(t);
          if (msg === undefined) continue;
          if (prop.kind === 'always') bad = true;
          if (!firedHere[p]) {
            firedHere[p] = true;
            fires.push({ prop: p, pk, phase: 1, message: msg, idx, extra: -1 });
          }
        }
      }
      if (prune && bad) { pruned++; newPruned[j] = 1; continue; }
      nOff.push(off);
      nIdx.push(idx);
      nPos.push(j);
    }
    errIdx = -1;
    levelBase += nCand;
    nCand = 0;
    return { keys: newPk.slice(), pruned, fires };
  };

  /** Transitions of the phase with key <= E (< E for phase -1). */
  const countGenerated = (pk: number, phase: number): number => {
    const lim = phase >= 0 ? pk : pk - 1;
    const upTo = (g: number, acts: number): number => Math.max(0, Math.min(acts, lim - pack(g, 0) + 1));
    if (inRoot) return me === 0 ? upTo(-1, rootActs) : 0;
    let c = 0;
    for (let k = 0; k < fIdx.n; k++) {
      const acts = fActs[k]!;
      if (acts >= 0) c += upTo(fG.a[k]!, acts);
    }
    return c;
  };

  const handle = (msg: ToWorker): FromWorker | undefined => {
    switch (msg.t) {
      case 'init': {
        resetLevel();
        inRoot = true;
        const inits = model.initial();
        rootActs = inits.length;
        if (inits.length >= STEP_MUL) throw new Error(`${inits.length} initial states: at most ${STEP_MUL - 1} are supported`);
        for (let i = 0; i < inits.length; i++) {
          const s = inits[i];
          fingerprint(model.key(s));
          const hi = fp[0]!;
          const lo = fp[1]!;
          // The virtual root: parent reference -(i + 1) (see `parents`).
          if (ownerOf(hi, n) === me) receiveOwn(hi, lo, -1, i, -(i + 1), s);
        }
        const m = merge();
        return { t: 'merged', generated: me === 0 ? inits.length : 0, ...m, bytes: bytes() };
      }
      case 'expand': {
        resetLevel();
        inRoot = false;
        probing = msg.probe;
        try {
          const fires = expand(msg.gLo, msg.gHi);
          if (probing) return { t: 'probed', generated, unseen: minUnseen, fires };
          const m = merge();
          return { t: 'merged', generated, ...m, fires: [...fires, ...m.fires], bytes: bytes() };
        } finally {
          probing = false;
        }
      }
      case 'commit': {
        for (const p of msg.fired) decided[p] = true;
        if (msg.others !== undefined) {
          // Global ranks of the new states: my position plus, per peer, how many of its keys are smaller.
          const rank = new Float64Array(newPk.length);
          for (let j = 0; j < rank.length; j++) rank[j] = j;
          for (const o of msg.others) {
            let i = 0;
            for (let j = 0; j < newPk.length; j++) {
              const pk = newPk[j]!;
              while (i < o.length && o[i]! < pk) i++;
              rank[j]! += i;
            }
          }
          // The new frontier takes the built vectors; the old ones are reused for the next level.
          [front, next] = [next, front];
          [fOff, nOff] = [nOff, fOff];
          [fIdx, nIdx] = [nIdx, fIdx];
          fG.n = 0;
          for (let k = 0; k < nPos.n; k++) fG.push(rank[nPos.a[k]!]!);
          fActs = new Int32Array(fIdx.n).fill(-1);
          objsFront = objsNext;
          newPk = new Float64Array(0);
          newPruned = new Uint8Array(0);
        }
        return undefined;
      }
      case 'truncate': {
        const { pk, phase } = msg;
        let distinct = 0;
        let pruned = 0;
        let queue = 0;
        for (let j = 0; j < newPk.length; j++) {
          const k = newPk[j]!;
          if (k < pk || (k === pk && phase === 1)) {
            distinct++;
            if (newPruned[j] === 1) pruned++; else queue++;
          }
        }
        // Frontier states not yet (fully) expanded at the stop: from the one being expanded on.
        if (!inRoot) {
          const g = rankOf(pk);
          for (let k = 0; k < fIdx.n; k++) if (fG.a[k]! >= g) queue++;
        }
        return { t: 'truncated', generated: countGenerated(pk, phase), distinct, pruned, queue };
      }
      case 'links': {
        const steps: number[] = [];
        let i = msg.idx;
        for (;;) {
          const p = parents.get(i);
          if (p < 0) return { t: 'links', steps, next: p };
          steps.push(stepTaken.get(i));
          if (p % n !== me) return { t: 'links', steps, next: p };
          i = Math.floor(p / n);
        }
      }
    }
  };

  const bytes = (): number => visited.bytes + parents.bytes + stepTaken.bytes;

  port.on('message', (msg: ToWorker) => {
    let reply: FromWorker | undefined;
    try {
      reply = handle(msg);
    } catch (e) {
      reply = e instanceof Aborted ? { t: 'aborted' } : { t: 'error', error: e, idx: errIdx, at: errAt };
      errIdx = -1;
      errAt = -1;
    }
    if (reply === undefined) return;
    if (reply.t === 'error') postError(reply.error, reply.idx, reply.at);
    else if (reply.t === 'merged') port.postMessage(reply, [reply.keys.buffer as ArrayBuffer]);
    else port.postMessage(reply);
  });
  port.postMessage({ t: 'ready', props: props.map((p) => ({ name: p.name, kind: p.kind, on: p.on })) } satisfies FromWorker);
}

/** Posts an error; one that cannot be cloned goes as its message and stack. */
function postError(e: unknown, idx: number, at: number): void {
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
    parentPort!.postMessage({ t: 'error', error, idx, at } satisfies FromWorker);
  } catch {
    // Not cloneable at all (a thrown object holding functions, say): its text then.
    parentPort!.postMessage({ t: 'error', error: new Error(String(e)), idx, at } satisfies FromWorker);
  }
}

// The coordinator imports this module for its constants and types: only a worker thread runs it.
if (!isMainThread && parentPort !== null) {
  try {
    await main();
  } catch (e) {
    postError(e, -1, -1);
  }
}
