// The canonical key of a world: a vector of integers such that equal keys mean worlds that behave
// the same up to renaming. File ids are never part of it: files are labelled in order of first
// appearance (fd tables in task order, then what those files hold, breadth first), so two worlds that
// differ only in which id a file got share a key. Task symmetry: the live tasks are interchangeable,
// so the key is the least encoding over every order of them (up to 4 live tasks; beyond that the
// task order is kept, which is sound but reduces less). Released files that nothing points to are
// left out: they can no longer matter.
import type { File, Skb, UnixSock, World } from './world.js';

const KIND = { regular: 1, unix: 2, io_uring: 3 } as const;
const SOCK = { dgram: 1, stream: 2, ring_sock: 3 } as const;
const STATE = { unconnected: 0, connected: 1, listening: 2, embryo: 3 } as const;
const PHASE = { idle: 0, select: 1, scan: 2, walk: 3, dead: 4, purge: 5 } as const;
const REQ_PHASE = { queued: 0, blocked: 1, picked: 2 } as const;
const REPORT = { 'double-fput': 1, 'use-after-free': 2 } as const;

// Module-level scratch (the key is computed millions of times; no closures, no per-call arrays).
let labels = new Int32Array(64);
let order = new Int32Array(64);
let nOrder = 0;
let buf = new Int32Array(1024);
let len = 0;
/** A task's position in the order being encoded (requests name their submitter by it). */
const taskRank = new Int32Array(64);

function lab(id: number): number {
  let l = labels[id]!;
  if (l < 0) { l = nOrder; labels[id] = l; order[nOrder++] = id; }
  return l;
}
function put(x: number): void {
  if (len === buf.length) { const b = new Int32Array(buf.length * 2); b.set(buf); buf = b; }
  buf[len++] = x;
}

let listOrder = true;

function encode(w: World, perm: readonly number[]): void {
  const files = w.files;
  if (labels.length < files.length) { labels = new Int32Array(files.length * 2); order = new Int32Array(files.length * 2); }
  labels.fill(-1, 0, files.length);
  nOrder = 0;
  len = 0;
  put(perm.length);
  taskRank.fill(-1);
  for (let i = 0; i < perm.length; i++) taskRank[perm[i]!] = i;
  for (const t of perm) {
    const fds = w.tasks[t]!.fds;
    for (let i = 0; i < fds.length; i++) { const slot = fds[i]!; put(slot ? (lab(slot.file) + 1) * 2 + (slot.cloexec ? 1 : 0) : 0); }
    const task = w.tasks[t]!;
    put(task.pc);
    const p = task.pending;
    if (p === null) put(0);
    else if (p.kind === 'recvmsg') { put(1); put(p.fd); put(lab(p.sock)); put(p.peek ? 1 : 0); putIds(p.cookie); }
    else { put(p.stage === 'peer' ? 2 : 3); put(p.fd); put(lab(p.sock)); put(lab(p.listener)); put(lab(p.embryo)); }
  }
  // The GC's state (its lists are empty between runs, except the in-flight list and the graph cache) and
  // what KASAN reported so far.
  const gc = w.gc;
  put(PHASE[gc.phase]);
  // The in-flight list's order decides which socket a phased 2007 run examines first and where the graph
  // GC's walk starts; a whole 2007 run in one step does not depend on it (its set is the sockets with
  // inflight > 0), so then it is left out.
  if (listOrder) putIds(gc.inflightList); else put(-1);
  putIds(gc.toSelect); putIds(gc.candidates); putIds(gc.collected);
  put(gc.hitlist.length);
  for (const skb of gc.hitlist) putSkb(skb);
  put(gc.sccs.length);
  for (const c of gc.sccs) { putIds(c.members); for (const x of c.sccIndex) put(x); }
  put(gc.nextScc); put(gc.nextMember);
  put((gc.sccDead ? 1 : 0) | (gc.peekSeen ? 2 : 0) | (gc.maybeCyclic ? 4 : 0) | (gc.grouped ? 8 : 0));
  // Graph GC: the vertices' edge lists (in the vertex list's order), where hitlist skbs came from, and
  // the SCC rings of the last walk with their scc_index values, which only matter up to equality among
  // themselves and with the values new vertices will get (maxSccIndex + 1, + 2, …).
  for (const id of gc.inflightList) putIds(gc.edges[id] ?? []);
  putIds(gc.hitFrom);
  put(gc.lastSccs.length);
  for (const c of gc.lastSccs) { putIds(c.members); for (const x of c.sccIndex) put(x - gc.maxSccIndex); }
  let reports = 0;
  for (const r of w.reports) reports = reports * 3 + REPORT[r.kind];
  put(w.reports.length); put(reports | 0);
  let scan = 0;
  for (let i = 0; ; i++) {
    if (i === nOrder) {
      // Live files that nothing labelled reaches (garbage held only by garbage): label in id order. A
      // released ring whose teardown waits for its requests (`dying`) still matters: its requests run and
      // its table and ring_sock still hold files.
      while (scan < files.length && (labels[scan]! >= 0 || (files[scan]!.released && files[scan]!.ring?.dying !== true))) scan++;
      if (scan === files.length) break;
      lab(scan);
    }
    const f: File = files[order[i]!]!;
    put(KIND[f.kind] | (f.released ? 8 : 0)); put(f.f_count);
    if (f.sock !== null) encodeSock(f.sock);
    const r = f.ring;
    if (r !== null) {
      put((r.dead ? 1 : 0) | (r.dying ? 2 : 0)); put(r.table === null ? -1 : r.table.length);
      if (r.table !== null) for (const id of r.table) put(id === null ? -1 : lab(id));
      if (r.ringSock !== null) encodeSock(r.ringSock);
      put(r.requests.length);
      for (const q of r.requests) { put((q.op === 'recv' ? 1 : 0) | (q.fixed ? 2 : 0) | (REQ_PHASE[q.phase] << 2)); put(lab(q.file)); put(taskRank[q.task]!); }
    }
  }
}

function encodeSock(s: UnixSock): void {
  put(SOCK[s.type] | (STATE[s.state] << 2) | (s.scmRights === false ? 16 : 0)); put(s.peer === null ? -1 : lab(s.peer)); put(s.listener === null ? -1 : lab(s.listener));
  put(s.inflight); putIds(s.acceptQueue);
  put(s.queue.length);
  for (const skb of s.queue) putSkb(skb);
  if (s.oobSkb === null) put(-1); else putSkb(s.oobSkb);
}

function putSkb(skb: Skb): void {
  put((skb.oob ? 1 : 0) | (skb.scmIoUring ? 2 : 0) | (skb.pinned ? 4 : 0));
  putIds(skb.fds);
}

function putIds(ids: readonly number[]): void {
  put(ids.length);
  for (const id of ids) put(lab(id));
}

const PERMS: number[][][] = [[[]], [[0]]];
function perms(n: number): number[][] {
  while (PERMS.length <= n) {
    const m = PERMS.length;
    const out: number[][] = [];
    for (const p of PERMS[m - 1]!) for (let pos = 0; pos <= p.length; pos++) out.push([...p.slice(0, pos), m - 1, ...p.slice(pos)]);
    out.sort((a, b) => { for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!; return 0; });
    PERMS.push(out);   // sorted, so the identity comes first
  }
  return PERMS[n]!;
}

const MAX_PERMUTED_TASKS = 4;

let best = new Int32Array(1024);
const live: number[] = [];
const permuted: number[] = [];

/** The canonical key of w. The returned array is reused by the next call: hash or copy it first. */
export function canonicalKey(w: World, symmetry = true, inflightOrder = true): Int32Array {
  listOrder = inflightOrder;
  live.length = 0;
  for (let t = 0; t < w.tasks.length; t++) if (w.tasks[t]!.alive) live.push(t);
  if (!symmetry) {
    permuted.length = 0;
    for (let t = 0; t < w.tasks.length; t++) permuted.push(t);
    encode(w, permuted);
    for (const t of w.tasks) put(t.alive ? 1 : 0);
    return buf.subarray(0, len);
  }
  if (live.length < 2 || live.length > MAX_PERMUTED_TASKS) { encode(w, live); return buf.subarray(0, len); }
  // Order the tasks by a signature that does not depend on any naming (what kind of file each fd slot
  // holds, the program counter, the call in progress); only tasks with equal signatures can still be
  // told apart by the encoding, so only their orders are tried. Canonical, and usually one encoding.
  // A stable insertion sort of live and its signatures together (at most MAX_PERMUTED_TASKS of them).
  const m = live.length;
  const need = 2 + w.tasks[0]!.fds.length;
  sigLen = need;
  if (sigs[0]!.length < need) for (let i = 0; i < sigs.length; i++) sigs[i] = new Int32Array(need);
  for (let i = 0; i < m; i++) signature(w, live[i]!, sigs[i]!);
  for (let i = 1; i < m; i++) {
    for (let j = i; j > 0 && cmpSig(sigs[j - 1]!, sigs[j]!) > 0; j--) {
      const t = live[j]!; live[j] = live[j - 1]!; live[j - 1] = t;
      const g = sigs[j]!; sigs[j] = sigs[j - 1]!; sigs[j - 1] = g;
    }
  }
  encode(w, live);
  // The encoding is kept in `best` only once another order is to be tried (usually none is).
  let bestLen = -1;
  const ps = perms(m);
  next: for (let p = 1; p < ps.length; p++) {   // ps[0] is the identity
    const perm = ps[p]!;
    for (let i = 0; i < perm.length; i++) if (cmpSig(sigs[perm[i]!]!, sigs[i]!) !== 0) continue next;
    if (bestLen < 0) {
      if (best.length < buf.length) best = new Int32Array(buf.length);
      best.set(buf.subarray(0, len));
      bestLen = len;
    }
    permuted.length = 0;
    for (const i of perm) permuted.push(live[i]!);
    encode(w, permuted);
    if (less(buf, len, best, bestLen)) {
      if (best.length < buf.length) best = new Int32Array(buf.length);
      best.set(buf.subarray(0, len));
      bestLen = len;
    }
  }
  return bestLen < 0 ? buf.subarray(0, len) : best.subarray(0, bestLen);
}

const KIND_SIG = (w: World, id: number): number => {
  const f = w.files[id]!;
  return f.kind === 'unix' ? 4 + SOCK[f.sock!.type] * 4 + STATE[f.sock!.state] + (f.sock!.scmRights === false ? 16 : 0) : KIND[f.kind];
};

/** What a task looks like without naming any file: per fd slot the kind of file and FD_CLOEXEC, its pc,
 *  the kind of call in progress; written into `out` (its first sigLen words). */
function signature(w: World, t: number, out: Int32Array): void {
  const task = w.tasks[t]!;
  out[0] = task.pc;
  out[1] = task.pending === null ? 0 : task.pending.kind === 'recvmsg' ? 1 + (task.pending.peek ? 1 : 0) : 3;
  const fds = task.fds;
  for (let i = 0; i < fds.length; i++) { const s = fds[i]!; out[2 + i] = s === null ? 0 : KIND_SIG(w, s.file) * 2 + (s.cloexec ? 1 : 0); }
}
/** The length of the signatures being compared (every task has the same fd table size). */
let sigLen = 0;
/** Signature buffers, one per position in `live`. */
const sigs: Int32Array[] = Array.from({ length: MAX_PERMUTED_TASKS }, () => new Int32Array(8));

function cmpSig(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < sigLen; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function less(a: Int32Array, al: number, b: Int32Array, bl: number): boolean {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return al < bl;
}
