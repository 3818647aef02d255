// One worker of the parallel search (checker/parallel.ts explains the algorithm). Started through
// worker-entry.mjs, which registers tsx first: on Node 20 the loader hooks of `--import=tsx` do not reach
// worker threads.
//
// A worker owns the states whose fingerprint falls in its share (`ownerOf`): it keeps their fingerprints
// (its own visited set), their parent links and, level by level, the frontier of its own states. It
// expands its frontier in rank order and sends every successor to the successor's owner: to itself
// directly (the state object is kept, no encoding), to a peer in batches of BATCH states, one transferred
// Int32Array per batch, over a MessagePort that the peer reads synchronously (`receiveMessageOnPort`) every
// POLL expansions and, once its own expansion is done, until every peer has said 'end'.
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

/** The visited set of a worker: 64-bit fingerprints (open addressing over [hi, lo] pairs, linear
 *  probing, load <= 0.75) with an int32 value each: the candidate slot + the level's base for a state of
 *  the level being built, so that one probe per transition tells new / older level / this level's slot. */
class SeenTable {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;
  constructor(cap = 1 << 12) {
    let c = 16;
    while (c < cap) c *= 2;
    this.keys = new Uint32Array(c * 2);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }
  get bytes(): number { return this.keys.byteLength + this.vals.byteLength; }
  /** The value of (hi, lo); if absent, inserts it with value v and returns -1. ((0, 0) never occurs:
   *  `fingerprint` maps it to (0, 1).) */
  probe(hi: number, lo: number, v: number): number {
    const k = this.keys;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = k[i << 1]!;
      const l = k[(i << 1) + 1]!;
      if ((h | l) === 0) break;
      if (h === hi && l === lo) return this.vals[i]!;
      i = (i + 1) & mask;
    }
    k[i << 1] = hi;
    k[(i << 1) + 1] = lo;
    this.vals[i] = v;
    if (++this.count * 4 >= (mask + 1) * 3) this.grow();
    return -1;
  }
  has(hi: number, lo: number): boolean {
    const k = this.keys;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = k[i << 1]!;
      const l = k[(i << 1) + 1]!;
      if ((h | l) === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & mask;
    }
  }
  private grow(): void {
    const ok = this.keys;
    const ov = this.vals;
    const c = (this.mask + 1) * 2;
    if (c > 2 ** 30) throw new RangeError(`a worker's visited set cannot grow beyond 2^30 slots (${this.count} entries)`);
    const keys = new Uint32Array(c * 2);
    const vals = new Int32Array(c);
    const mask = c - 1;
    for (let j = 0; j < ov.length; j++) {
      const h = ok[j << 1]!;
      const l = ok[(j << 1) + 1]!;
      if ((h | l) === 0) continue;
      let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      while ((keys[i << 1]! | keys[(i << 1) + 1]!) !== 0) i = (i + 1) & mask;
      keys[i << 1] = h;
      keys[(i << 1) + 1] = l;
      vals[i] = ov[j]!;
    }
    this.keys = keys;
    this.vals = vals;
    this.mask = mask;
  }
}

/** A growable Int32Array. */
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
  reset(): void {
    this.n = 0;
    if (this.a.length > 1 << 16) this.a = new Int32Array(1024);
  }
}

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
  const encode = model.encode?.bind(model);
  const decode = model.decode?.bind(model);
  const peers = wd.ports;

  const stateProps: number[] = [];
  const stepProps: number[] = [];
  props.forEach((p, i) => (p.on === 'state' ? stateProps : stepProps).push(i));
  const decided = props.map(() => false);

  const visited = new SeenTable();
  /** Candidate slots of the level being built are stored in `visited` as levelBase + slot. */
  let levelBase = 0;
  /** Per local state: parent's local index * n + parent's worker, or -(init + 1). */
  const parents = new Int32List();
  /** Per local state: the step index in steps(parent), -1 for an initial state. */
  const stepTaken = new Int32List();

  // The frontier being expanded (level L): states, local indices, global ranks, actions per state
  // (-1 = not expanded in the current phase).
  let front: unknown[] = [];
  let frontIdx: number[] = [];
  let frontG: number[] = [];
  let frontActs = new Int32Array(0);
  /** Level 0: the virtual root's "transitions" (worker 0 counts them). */
  let rootActs = 0;
  let inRoot = false;

  // The candidates of level L + 1 (received during the expansion of level L).
  // Per candidate slot: the least key so far (rank of the parent, step), the parent reference, the sender,
  // the state object or the batch Int32Array holding its words, and the offset of those words (-1: object).
  let nCand = 0;
  const candG = new IntVec();
  const candA = new IntVec();
  const candParent = new IntVec();
  const candSender = new IntVec();
  const candOff = new IntVec();
  let candState: unknown[] = [];
  /** Per sender: the slots it took, in arrival order, which is key order (a sender expands in rank order,
   *  so its first candidate for a slot is its least; a slot it lost stays listed, see candSender). */
  let wins: IntVec[] = [];
  // The sorted new states of level L + 1, until the coordinator commits or truncates.
  let newPk = new Float64Array(0);
  let newPruned = new Uint8Array(0);
  let nextFront: unknown[] = [];
  let nextIdx: number[] = [];
  let nextPos: number[] = [];
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
    candG.reset(); candA.reset(); candParent.reset(); candSender.reset(); candOff.reset();
    candState = [];
    wins = Array.from({ length: n }, () => new IntVec());
    minUnseen = -1;
    ends = 0;
    generated = 0;
  };

  /** A successor (fingerprint hi, lo; key (g, ai); parent reference) from `sender`; `state` is the
   *  object (off = -1) or the batch holding its words at `off`. */
  let probing = false;
  const receive = (sender: number, hi: number, lo: number, g: number, ai: number, parentRef: number, state: unknown, off: number): void => {
    if (probing) {
      if (!visited.has(hi, lo)) {
        const pk = pack(g, ai);
        if (minUnseen < 0 || pk < minUnseen) minUnseen = pk;
      }
      return;
    }
    let slot = visited.probe(hi, lo, levelBase + nCand);
    if (slot < 0) {
      slot = nCand++;
      candG.push(g); candA.push(ai); candParent.push(parentRef); candSender.push(sender); candOff.push(off);
      candState.push(state);
    } else {
      if (slot < levelBase) return; // reached at an earlier level
      slot -= levelBase;
      const g0 = candG.a[slot]!;
      if (g > g0 || (g === g0 && ai >= candA.a[slot]!)) return;
      candG.a[slot] = g; candA.a[slot] = ai; candParent.a[slot] = parentRef; candSender.a[slot] = sender; candOff.a[slot] = off;
      candState[slot] = state;
    }
    wins[sender]!.push(slot);
  };

  const receiveBatch = (sender: number, b: Int32Array): void => {
    let i = 0;
    while (i < b.length) {
      const hi = b[i]! >>> 0;
      const lo = b[i + 1]! >>> 0;
      const g = b[i + 2]!;
      const ai = b[i + 3]!;
      const parent = b[i + 4]!;
      const len = b[i + 5]!;
      receive(sender, hi, lo, g, ai, parent * n + sender, b, i + 6);
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

  /** Appends a successor for peer w. */
  const send = (w: number, hi: number, lo: number, g: number, ai: number, parentLocal: number, t: unknown): void => {
    const words = probing ? undefined : encode!(t);
    const len = words === undefined ? 0 : words.length;
    let buf = out[w]!;
    let at = outLen[w]!;
    if (at + 6 + len > buf.length) {
      const bigger = new Int32Array(Math.max(buf.length * 2, at + 6 + len));
      bigger.set(buf.subarray(0, at));
      out[w] = buf = bigger;
    }
    buf[at] = hi; buf[at + 1] = lo; buf[at + 2] = g; buf[at + 3] = ai; buf[at + 4] = parentLocal; buf[at + 5] = len;
    if (words !== undefined) buf.set(words, at + 6);
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
    frontActs.fill(-1);
    let poll = POLL;
    for (let k = 0; k < front.length; k++) {
      const g = frontG[k]!;
      if (g < gLo) continue;
      if (g >= gHi) break;
      if (--poll <= 0) {
        poll = POLL;
        drain();
        progress[me] = generated;
        if (Atomics.load(ctl, CTL_ABORT) !== 0) throw new Aborted();
      }
      const s = front[k];
      const sIdx = frontIdx[k]!;
      errIdx = sIdx;
      errAt = -1;
      const acts = model.steps(s);
      if (acts.length >= STEP_MUL) throw new Error(`a state has ${acts.length} steps: at most ${STEP_MUL - 1} are supported`);
      frontActs[k] = acts.length;
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
        if (o === me) receive(me, hi, lo, g, ai, sIdx * n + me, t, -1);
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
      for (let i = 0; i < wl.n; i++) { const slot = wl.a[i]!; if (candSender.a[slot] === w) out[m++] = slot; }
      return out.subarray(0, m);
    });
    const nonEmpty = lists.filter((l) => l.length > 0);
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? new Int32Array(0);
    const pos = lists.map(() => 0);
    const order = new Int32Array(nCand);
    const G = candG.a;
    const A = candA.a;
    for (let j = 0; j < nCand; j++) {
      let best = -1;
      let bg = 0;
      let ba = 0;
      for (let w = 0; w < lists.length; w++) {
        const l = lists[w]!;
        const p = pos[w]!;
        if (p < l.length) {
          const slot = l[p]!;
          const g = G[slot]!;
          const a = A[slot]!;
          if (best < 0 || g < bg || (g === bg && a < ba)) { best = w; bg = g; ba = a; }
        }
      }
      order[j] = lists[best]![pos[best]!]!;
      pos[best]!++;
    }
    return order;
  };

  /** The new states of the level, in key order: local indices, parent links, state properties, pruning. */
  const merge = (): { keys: Float64Array; pruned: number; fires: Fire[] } => {
    const order = sortedWinners();
    const fires: Fire[] = [];
    const checks = stateProps.filter((p) => !decided[p] || (prune && props[p]!.kind === 'always'));
    const firedHere = props.map((_, p) => decided[p]!);
    newPk = new Float64Array(order.length);
    newPruned = new Uint8Array(order.length);
    nextFront = []; nextIdx = []; nextPos = [];
    let pruned = 0;
    for (let j = 0; j < order.length; j++) {
      const slot = order[j]!;
      const g = candG.a[slot]!;
      const ai = candA.a[slot]!;
      const pk = pack(g, ai);
      newPk[j] = pk;
      const idx = parents.length;
      const off = candOff.a[slot]!;
      let t = candState[slot];
      if (off >= 0) { const b = t as Int32Array; t = decode!(b.subarray(off, off + b[off - 1]!)); }
      parents.push(candParent.a[slot]!);
      stepTaken.push(g < 0 ? -1 : ai);
      errIdx = idx;
      let bad = false;
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
      if (prune && bad) { pruned++; newPruned[j] = 1; continue; }
      nextFront.push(t); nextIdx.push(idx); nextPos.push(j);
    }
    errIdx = -1;
    // The candidates are no longer needed (the batches they point into can go).
    levelBase += nCand;
    if (levelBase > 2 ** 31 - 2 ** 24) throw new RangeError('a worker cannot hold more than about 2^31 states');
    nCand = 0;
    candState = [];
    wins = [];
    return { keys: newPk.slice(), pruned, fires };
  };

  /** Transitions of the phase with key <= E (< E for phase -1). */
  const countGenerated = (pk: number, phase: number): number => {
    const lim = phase >= 0 ? pk : pk - 1;
    const upTo = (g: number, acts: number): number => Math.max(0, Math.min(acts, lim - pack(g, 0) + 1));
    if (inRoot) return me === 0 ? upTo(-1, rootActs) : 0;
    let c = 0;
    for (let k = 0; k < front.length; k++) {
      const acts = frontActs[k]!;
      if (acts >= 0) c += upTo(frontG[k]!, acts);
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
          if (ownerOf(hi, n) === me) receive(me, hi, lo, -1, i, -(i + 1), s, -1);
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
          const g = new Float64Array(newPk.length);
          for (let j = 0; j < g.length; j++) g[j] = j;
          for (const o of msg.others) {
            let i = 0;
            for (let j = 0; j < newPk.length; j++) {
              const pk = newPk[j]!;
              while (i < o.length && o[i]! < pk) i++;
              g[j]! += i;
            }
          }
          front = nextFront;
          frontIdx = nextIdx;
          frontG = nextPos.map((j) => g[j]!);
          frontActs = new Int32Array(front.length).fill(-1);
          nextFront = []; nextIdx = []; nextPos = [];
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
          for (let k = 0; k < front.length; k++) if (frontG[k]! >= g) queue++;
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
  try {
    parentPort!.postMessage({ t: 'error', error: e, idx, at } satisfies FromWorker);
  } catch {
    const err = new Error(e instanceof Error ? e.message : String(e));
    if (e instanceof Error) { err.name = e.name; if (e.stack !== undefined) err.stack = e.stack; }
    parentPort!.postMessage({ t: 'error', error: err, idx, at } satisfies FromWorker);
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
