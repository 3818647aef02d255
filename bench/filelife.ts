// `filelife`: the reference model that TLC, SPIN and Quint also run (the shared bench's FileLife.tla is the
// precise definition; filelife.qnt and gen_pml.py's Promela are the same model). Written here as a `Model`
// of the generic checker so that the same state space can be explored and timed side by side.
//
// State: every variable of FileLife.tla (nfiles, kind, peer, refcnt, fdt, q, reg) as one byte each, packed
// four to an int32 word into a flat Int32Array of fixed layout; the key is the array itself, so distinct
// states are distinct full variable tuples, as in TLC (no symmetry, no abstraction). Byte layout, file ids
// f in 1..F, tasks p in 0..P-1, slots d in 0..D-1:
//   0                      nfiles
//   f                      kind[f]            (NONE 0, REG 1, SOCK 2, RING 3)
//   F + f                  peer[f]            (0 unless a socket)
//   2F + f                 refcnt[f]
//   3F + 1 + p*D + d       fdt[p][d]          (0 = empty)
//   Q0 + (f-1)*Q + i       q[f][i]            FIFO, 0-terminated: Len(q[f]) = number of leading non-zeros
//   RG0 + (f-1)*R + j      reg[f][j]          prefix-filled, 0 = empty
// A config of A's size takes 37 bytes = 10 words (40 bytes): small enough for V8 to keep the array on its
// heap (typed arrays of at most 64 bytes have no separate backing store).
//
// An action is one number: op | p << 4 | first slot << 12 | second slot << 20, or for gc GC + 16 * the
// garbage set (a bitmask over file ids), which `steps` has computed anyway to decide whether gc is enabled.
// The release cascade is computed once, in `next`, per transition.

import { always, type Model, type Property } from '../checker/index.js';

export interface FileLifeConfig {
  /** tasks */
  readonly P: number;
  /** file ids 1..F, allocated in order, never reused */
  readonly F: number;
  /** fd slots per task */
  readonly D: number;
  /** messages per socket queue */
  readonly Q: number;
  /** slots per ring table */
  readonly R: number;
  /** does the gc follow ring-table edges? */
  readonly FIXED: boolean;
  /** exactly the states at distance <= MaxDepth from the initial state; 0 = unbounded. Not part of the model:
   *  pass it to `check` as `maxDepth` (TLC's TLCGet("level") <= MaxDepth guard means the same thing). */
  readonly MaxDepth: number;
}

/** The configurations of the shared bench's README (and its .cfg files). */
export const CONFIGS = {
  /** fixed.cfg: P=2 F=5 D=3 Q=2 R=1, depth <= 8 */
  A: { P: 2, F: 5, D: 3, Q: 2, R: 1, FIXED: true, MaxDepth: 8 },
  /** fixed_b.cfg: P=2 F=4 D=2 Q=2 R=1, unbounded */
  B: { P: 2, F: 4, D: 2, Q: 2, R: 1, FIXED: true, MaxDepth: 0 },
  /** buggy.cfg: config A with FIXED = FALSE */
  'A-buggy': { P: 2, F: 5, D: 3, Q: 2, R: 1, FIXED: false, MaxDepth: 8 },
} as const satisfies Record<string, FileLifeConfig>;

export type ConfigName = keyof typeof CONFIGS;

export const NONE = 0;
export const REG = 1;
export const SOCK = 2;
export const RING = 3;

export const OPEN = 0;
export const IO_URING_SETUP = 1;
export const SOCKETPAIR = 2;
export const CLOSE = 3;
export const SENDMSG = 4;
export const RECVMSG = 5;
export const REGISTER = 6;
export const UNREGISTER = 7;
export const GC = 8;

/** Syscall names, indexed by op. */
export const OP_NAMES = [
  'open', 'io_uring_setup', 'socketpair', 'close', 'sendmsg', 'recvmsg', 'register', 'unregister', 'gc',
] as const;

export type FileLifeState = Int32Array;
export type FileLifeAction = number;

/** The op of an action (OPEN .. GC). */
export const opOf = (a: FileLifeAction): number => a % 16;
/** The syscall name of an action: the label for per-kind coverage. */
export const labelOf = (a: FileLifeAction): string => OP_NAMES[a % 16]!;

/** An action in FileLife.tla's terms, with its 1-based task and slot arguments, e.g. `sendmsg(1,2,1)` is
 *  SendMsg(1, 2, 1); gc lists the garbage set it releases: `gc{1,3}`. */
export function describeAction(a: FileLifeAction): string {
  const op = a % 16;
  if (op === GC) return `gc{${fileList(Math.floor(a / 16))}}`;
  const p = ((a >>> 4) & 0xff) + 1;
  const d1 = ((a >>> 12) & 0xff) + 1;
  const d2 = ((a >>> 20) & 0xff) + 1;
  const name = OP_NAMES[op]!;
  switch (op) {
    case OPEN: case IO_URING_SETUP: case SOCKETPAIR: return `${name}(${p})`;
    case CLOSE: case RECVMSG: case UNREGISTER: return `${name}(${p},${d1})`;
    default: return `${name}(${p},${d1},${d2})`;
  }
}

function fileList(mask: number): string {
  const ids: number[] = [];
  for (let f = 1; f < 31; f++) if (mask & (1 << f)) ids.push(f);
  return ids.join(',');
}

/** A readable copy of a state, indexed as in FileLife.tla but 0-based (kind[0] is file 1's kind, fdt[0][0]
 *  is task 1's slot 1); queues are given with their length (no trailing zeros). */
export interface DecodedState {
  nfiles: number;
  kind: number[];
  peer: number[];
  refcnt: number[];
  fdt: number[][];
  q: number[][];
  reg: number[][];
}

export interface FileLifeModel extends Model<FileLifeState, FileLifeAction> {
  readonly config: FileLifeConfig;
  /** NoLeak as an `always` state property. */
  readonly properties: readonly Property<FileLifeState, FileLifeAction>[];
  /** The NoLeak check alone: undefined when it holds, else the message. */
  noLeak(s: FileLifeState): string | undefined;
  /** The gc's garbage set of `s`, as a bitmask over file ids (bit f = file f). */
  garbage(s: FileLifeState): number;
  /** The state as readable arrays (tests, debugging). */
  view(s: FileLifeState): DecodedState;
  /** The codec of the parallel search (checker/model.ts): the state is already 32-bit words. */
  encode(s: FileLifeState): Int32Array;
  decode(words: Int32Array): FileLifeState;
  /** Bytes of state data per state (before padding to whole words) and words of the key. */
  readonly stateBytes: number;
  readonly stateWords: number;
}

/** The model for `cfg`. With `labels`, actions carry their syscall name as label (per-syscall coverage in
 *  `check`'s result, at some cost per transition). */
export function createFileLife(cfg: FileLifeConfig, opts: { labels?: boolean } = {}): FileLifeModel {
  const { P, F, D, Q, R } = cfg;
  const FIXED = cfg.FIXED;
  for (const [k, v] of Object.entries({ P, F, D, Q, R })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`filelife: ${k} must be a positive integer, got ${v}`);
  }
  if (F > 30) throw new RangeError(`filelife: F = ${F}: at most 30 files (sets of files are int32 bitmasks)`);
  if (P > 255 || D > 255) throw new RangeError('filelife: P and D must be at most 255 (action encoding)');
  // The largest refcount: every fd slot, queue slot and ring slot referring to the same file.
  if (P * D + F * (Q + R) > 255) {
    throw new RangeError(`filelife: P*D + F*(Q+R) = ${P * D + F * (Q + R)} > 255: refcounts would not fit a byte`);
  }

  // Byte offsets (file ids are 1-based, so the per-file bases are one below the first entry).
  const NF = 0;
  const K0 = 0;
  const PE0 = F;
  const RF0 = 2 * F;
  const FD0 = 3 * F + 1;
  const Q0 = FD0 + P * D;
  const RG0 = Q0 + F * Q;
  const NB = RG0 + F * R;
  const W = (NB + 3) >> 2;

  // Scratch: `cur` holds the state being read (steps, properties), `work` the successor being built.
  const cur32 = new Int32Array(W);
  const cur = new Uint8Array(cur32.buffer);
  const work32 = new Int32Array(W);
  const work = new Uint8Array(work32.buffer);
  const cnt = new Int32Array(F + 1);
  const qmask = new Int32Array(F + 1);
  const rmask = new Int32Array(F + 1);

  /** The set of live files of the state in `u` (refcnt > 0). */
  const liveOf = (u: Uint8Array): number => {
    let m = 0;
    for (let f = 1; f <= F; f++) if (u[RF0 + f]! > 0) m |= 1 << f;
    return m;
  };

  /** Fills qmask/rmask (files in each queue / ring table, bit 0 cleared) and returns FdHeld. */
  let ringHeld = 0;
  const edges = (u: Uint8Array): number => {
    let fd = 0;
    for (let i = FD0; i < Q0; i++) fd |= 1 << u[i]!;
    let rh = 0;
    for (let f = 1; f <= F; f++) {
      let m = 0;
      const qb = Q0 + (f - 1) * Q;
      for (let i = 0; i < Q; i++) m |= 1 << u[qb + i]!;
      qmask[f] = m & ~1;
      let r = 0;
      const rb = RG0 + (f - 1) * R;
      for (let j = 0; j < R; j++) r |= 1 << u[rb + j]!;
      r &= ~1;
      rmask[f] = r;
      rh |= r;
    }
    ringHeld = rh;
    return fd & ~1;
  };

  /** Reach(S, withRing) over the edges last computed by `edges`. */
  const reach = (roots: number, withRing: boolean): number => {
    let s = roots;
    for (;;) {
      let s2 = s;
      for (let f = 1; f <= F; f++) {
        if (s & (1 << f)) s2 |= withRing ? qmask[f]! | rmask[f]! : qmask[f]!;
      }
      if (s2 === s) return s;
      s = s2;
    }
  };

  /** Garbage of the state in `u` (also leaves its edges in qmask/rmask). */
  const garbageOf = (u: Uint8Array): number => {
    const fd = edges(u);
    return liveOf(u) & ~reach(FIXED ? fd : fd | ringHeld, FIXED);
  };

  /** Release(base, qv, regv, forced), in place: `work` holds base (its refcnt bytes), qv and regv; `live` is
   *  LiveSet of the state before the step. Dying is computed round by round exactly as in the spec: a live
   *  file outside S joins when base[f] = Held(qv, regv, S, f), with all files of a round tested against the
   *  same S; cnt[f] tracks base[f] - Held(qv, regv, S, f). */
  const release = (live: number, forced: number): void => {
    const u = work;
    for (let f = 1; f <= F; f++) cnt[f] = u[RF0 + f]!;
    let S = forced;
    let fresh = forced;
    for (;;) {
      // cnt -= references held by the files that just joined S
      for (let f = 1; f <= F; f++) {
        if ((fresh & (1 << f)) === 0) continue;
        const qb = Q0 + (f - 1) * Q;
        for (let i = 0; i < Q; i++) { const t = u[qb + i]!; if (t !== 0) cnt[t]!--; }
        const rb = RG0 + (f - 1) * R;
        for (let j = 0; j < R; j++) { const t = u[rb + j]!; if (t !== 0) cnt[t]!--; }
      }
      fresh = 0;
      const cand = live & ~S;
      for (let f = 1; f <= F; f++) if ((cand & (1 << f)) !== 0 && cnt[f] === 0) fresh |= 1 << f;
      if (fresh === 0) break;
      S |= fresh;
    }
    if (S === 0) return; // nothing released: refcnt = base, q = qv, reg = regv
    for (let f = 1; f <= F; f++) {
      if ((S & (1 << f)) !== 0) {
        u[RF0 + f] = 0;
        u.fill(0, Q0 + (f - 1) * Q, Q0 + f * Q);
        u.fill(0, RG0 + (f - 1) * R, RG0 + f * R);
      } else {
        const c = cnt[f]!;
        if (c < 0) throw new Error(`filelife: refcount of file ${f} would become ${c} (the model lost count)`);
        u[RF0 + f] = c;
      }
    }
  };

  /** Lowest free slot of task p in `u`, or -1. */
  const lowestFree = (u: Uint8Array, p: number): number => {
    const b = FD0 + p * D;
    for (let d = 0; d < D; d++) if (u[b + d] === 0) return d;
    return -1;
  };

  /** NoLeak: every live file is reachable from an fd table (through queues and ring tables) or garbage. */
  const noLeak = (s: FileLifeState): string | undefined => {
    cur32.set(s);
    const u = cur;
    const L = liveOf(u);
    const fh = edges(u);
    const rch = reach(fh, true);
    const g = L & ~reach(FIXED ? fh : fh | ringHeld, FIXED);
    const leaked = L & ~rch & ~g;
    if (leaked === 0) return undefined;
    return `file(s) {${fileList(leaked)}} are live, unreachable from every fd table, and not garbage to the gc`;
  };

  const init = new Int32Array(W);

  return {
    config: cfg,
    stateBytes: NB,
    stateWords: W,
    properties: [always<FileLifeState>('NoLeak', noLeak)],
    noLeak,
    ...(opts.labels === true ? { label: labelOf } : {}),

    initial: () => [init],

    key: (s) => s,

    steps(s: FileLifeState): FileLifeAction[] {
      for (let i = 0; i < W; i++) cur32[i] = s[i]!;
      const u = cur;
      const acts: number[] = [];
      const nf = u[NF]!;
      for (let p = 0; p < P; p++) {
        const fb = FD0 + p * D;
        let nfree = 0;
        for (let d = 0; d < D; d++) if (u[fb + d] === 0) nfree++;
        const P4 = p << 4;
        // Open(p), IoUringSetup(p)
        if (nf < F && nfree > 0) {
          acts.push(OPEN | P4);
          acts.push(IO_URING_SETUP | P4);
        }
        // SocketPair(p)
        if (nf + 2 <= F && nfree >= 2) acts.push(SOCKETPAIR | P4);
        // Close(p, d)
        for (let d = 0; d < D; d++) if (u[fb + d] !== 0) acts.push(CLOSE | P4 | (d << 12));
        // SendMsg(p, sd, xd)
        for (let sd = 0; sd < D; sd++) {
          const sf = u[fb + sd]!;
          if (sf === 0 || u[K0 + sf] !== SOCK) continue;
          const pe = u[PE0 + sf]!;
          if (pe === 0 || u[RF0 + pe] === 0) continue; // Live(peer[s])
          if (u[Q0 + (pe - 1) * Q + Q - 1] !== 0) continue; // Len(q[peer[s]]) < Q
          for (let xd = 0; xd < D; xd++) if (u[fb + xd] !== 0) acts.push(SENDMSG | P4 | (sd << 12) | (xd << 20));
        }
        // RecvMsg(p, sd)
        if (nfree > 0) {
          for (let sd = 0; sd < D; sd++) {
            const sf = u[fb + sd]!;
            if (sf !== 0 && u[K0 + sf] === SOCK && u[Q0 + (sf - 1) * Q] !== 0) acts.push(RECVMSG | P4 | (sd << 12));
          }
        }
        // Register(p, rd, xd)
        for (let rd = 0; rd < D; rd++) {
          const r = u[fb + rd]!;
          if (r === 0 || u[K0 + r] !== RING || u[RG0 + (r - 1) * R + R - 1] !== 0) continue;
          for (let xd = 0; xd < D; xd++) {
            const x = u[fb + xd]!;
            if (x !== 0 && u[K0 + x] !== RING) acts.push(REGISTER | P4 | (rd << 12) | (xd << 20));
          }
        }
        // Unregister(p, rd)
        for (let rd = 0; rd < D; rd++) {
          const r = u[fb + rd]!;
          if (r !== 0 && u[K0 + r] === RING && u[RG0 + (r - 1) * R] !== 0) acts.push(UNREGISTER | P4 | (rd << 12));
        }
      }
      // Gc: enabled when Garbage # {}
      const g = garbageOf(u);
      if (g !== 0) acts.push(GC + g * 16);
      return acts;
    },

    next(s: FileLifeState, a: FileLifeAction): FileLifeState {
      for (let i = 0; i < W; i++) work32[i] = s[i]!;
      const u = work;
      const op = a % 16;
      const p = (a >>> 4) & 0xff;
      const fb = FD0 + p * D;
      switch (op) {
        case OPEN:
        case IO_URING_SETUP: {
          const f = u[NF]! + 1;
          u[NF] = f;
          u[K0 + f] = op === OPEN ? REG : RING;
          u[RF0 + f] = 1;
          u[fb + lowestFree(u, p)] = f;
          break;
        }
        case SOCKETPAIR: {
          const fa = u[NF]! + 1;
          const fbb = fa + 1;
          u[NF] = fbb;
          u[K0 + fa] = SOCK;
          u[K0 + fbb] = SOCK;
          u[PE0 + fa] = fbb;
          u[PE0 + fbb] = fa;
          u[RF0 + fa] = 1;
          u[RF0 + fbb] = 1;
          u[fb + lowestFree(u, p)] = fa;
          u[fb + lowestFree(u, p)] = fbb; // the lowest free slot other than d1
          break;
        }
        case CLOSE: {
          const d = (a >>> 12) & 0xff;
          const x = u[fb + d]!;
          const live = liveOf(u);
          u[fb + d] = 0;
          u[RF0 + x] = u[RF0 + x]! - 1;
          release(live, 0);
          break;
        }
        case SENDMSG: {
          const sf = u[fb + ((a >>> 12) & 0xff)]!;
          const x = u[fb + ((a >>> 20) & 0xff)]!;
          const qb = Q0 + (u[PE0 + sf]! - 1) * Q;
          let len = 0;
          while (u[qb + len] !== 0) len++;
          u[qb + len] = x;
          u[RF0 + x] = u[RF0 + x]! + 1;
          break;
        }
        case RECVMSG: {
          const sf = u[fb + ((a >>> 12) & 0xff)]!;
          const qb = Q0 + (sf - 1) * Q;
          const head = u[qb]!;
          u.copyWithin(qb, qb + 1, qb + Q);
          u[qb + Q - 1] = 0;
          u[fb + lowestFree(u, p)] = head;
          break;
        }
        case REGISTER: {
          const r = u[fb + ((a >>> 12) & 0xff)]!;
          const x = u[fb + ((a >>> 20) & 0xff)]!;
          const rb = RG0 + (r - 1) * R;
          let j = 0;
          while (u[rb + j] !== 0) j++;
          u[rb + j] = x;
          u[RF0 + x] = u[RF0 + x]! + 1;
          break;
        }
        case UNREGISTER: {
          const r = u[fb + ((a >>> 12) & 0xff)]!;
          const live = liveOf(u);
          const rb = RG0 + (r - 1) * R;
          for (let j = 0; j < R; j++) {
            const t = u[rb + j]!;
            if (t !== 0) {
              u[RF0 + t] = u[RF0 + t]! - 1;
              u[rb + j] = 0;
            }
          }
          release(live, 0);
          break;
        }
        case GC: {
          release(liveOf(u), Math.floor(a / 16));
          break;
        }
        default:
          throw new Error(`filelife: unknown action ${a}`);
      }
      return new Int32Array(work32);
    },

    garbage(s: FileLifeState): number {
      cur32.set(s);
      return garbageOf(cur);
    },

    encode: (s) => s,
    // A copy: `words` is a view into a batch buffer (and a state of <= 64 bytes stays on V8's heap).
    decode: (words) => new Int32Array(words),

    view(s: FileLifeState): DecodedState {
      const b = new Uint8Array(Int32Array.from(s).buffer); // a copy: leaves `s` as it is
      const files = (base: number): number[] => Array.from({ length: F }, (_, i) => b[base + i + 1]!);
      const rows = (base: number, n: number, w: number, trim: boolean): number[][] =>
        Array.from({ length: n }, (_, i) => {
          const row = Array.from(b.subarray(base + i * w, base + (i + 1) * w));
          return trim ? row.filter((x) => x !== 0) : row;
        });
      return {
        nfiles: b[NF]!,
        kind: files(K0),
        peer: files(PE0),
        refcnt: files(RF0),
        fdt: rows(FD0, P, D, false),
        q: rows(Q0, F, Q, true),
        reg: rows(RG0, F, R, false),
      };
    },
  };
}
