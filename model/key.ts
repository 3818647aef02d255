// The canonical key of a world: a vector of integers such that equal keys mean worlds that behave
// the same up to renaming. File ids are never part of it: files are labelled in order of first
// appearance (fd tables in task order, then what those files hold, breadth first), so two worlds that
// differ only in which id a file got share a key. Task symmetry: the live tasks are interchangeable,
// so the key is the least encoding over every order of them (up to 4 live tasks; beyond that the
// task order is kept, which is sound but reduces less). Released files that nothing points to are
// left out: they can no longer matter.
import type { File, UnixSock, World } from './world.js';

const KIND = { regular: 1, unix: 2, io_uring: 3 } as const;
const SOCK = { dgram: 1, stream: 2, ring_sock: 3 } as const;
const REPORT = { 'double-fput': 1, 'use-after-free': 2 } as const;

// Module-level scratch (the key is computed millions of times; no closures, no per-call arrays).
let labels = new Int32Array(64);
let order = new Int32Array(64);
let nOrder = 0;
let buf = new Int32Array(1024);
let len = 0;

function lab(id: number): number {
  let l = labels[id]!;
  if (l < 0) { l = nOrder; labels[id] = l; order[nOrder++] = id; }
  return l;
}
function put(x: number): void {
  if (len === buf.length) { const b = new Int32Array(buf.length * 2); b.set(buf); buf = b; }
  buf[len++] = x;
}

function encode(w: World, perm: readonly number[]): void {
  const files = w.files;
  if (labels.length < files.length) { labels = new Int32Array(files.length * 2); order = new Int32Array(files.length * 2); }
  labels.fill(-1, 0, files.length);
  nOrder = 0;
  len = 0;
  put(perm.length);
  for (const t of perm) {
    const fds = w.tasks[t]!.fds;
    for (let i = 0; i < fds.length; i++) { const slot = fds[i]!; put(slot ? (lab(slot.file) + 1) * 2 + (slot.cloexec ? 1 : 0) : 0); }
  }
  // The GC's transient lists (empty at rest) and what KASAN reported so far.
  const gc = w.gc;
  put(gc.inProgress ? 1 : 0); put(gc.candidates.length); put(gc.notCycle.length); put(gc.maybeCycle.length); put(gc.hitlist.length);
  for (const id of gc.candidates) put(lab(id));
  for (const id of gc.notCycle) put(lab(id));
  for (const id of gc.maybeCycle) put(lab(id));
  for (const skb of gc.hitlist) { put(skb.fds.length); for (const id of skb.fds) put(lab(id)); }
  let reports = 0;
  for (const r of w.reports) reports = reports * 3 + REPORT[r.kind];
  put(w.reports.length); put(reports | 0);
  let scan = 0;
  for (let i = 0; ; i++) {
    if (i === nOrder) {
      // Live files that nothing labelled reaches (garbage held only by garbage): label in id order.
      while (scan < files.length && (labels[scan]! >= 0 || files[scan]!.released)) scan++;
      if (scan === files.length) break;
      lab(scan);
    }
    const f: File = files[order[i]!]!;
    put(KIND[f.kind] | (f.released ? 8 : 0)); put(f.f_count);
    if (f.sock !== null) encodeSock(f.sock);
    const r = f.ring;
    if (r !== null) {
      put(r.dead ? 1 : 0); put(r.table === null ? -1 : r.table.length);
      if (r.table !== null) for (const id of r.table) put(lab(id));
      if (r.ringSock !== null) encodeSock(r.ringSock);
    }
  }
}

function encodeSock(s: UnixSock): void {
  put(SOCK[s.type]); put(s.peer === null ? -1 : lab(s.peer)); put(s.inflight); put(s.queue.length);
  for (const skb of s.queue) { put(skb.fds.length); for (const id of skb.fds) put(lab(id)); }
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
export function canonicalKey(w: World, symmetry = true): Int32Array {
  live.length = 0;
  for (let t = 0; t < w.tasks.length; t++) if (w.tasks[t]!.alive) live.push(t);
  if (!symmetry) {
    permuted.length = 0;
    for (let t = 0; t < w.tasks.length; t++) permuted.push(t);
    encode(w, permuted);
    for (const t of w.tasks) put(t.alive ? 1 : 0);
    return buf.subarray(0, len);
  }
  encode(w, live);
  if (live.length < 2 || live.length > MAX_PERMUTED_TASKS) return buf.subarray(0, len);
  if (best.length < buf.length) best = new Int32Array(buf.length);
  best.set(buf.subarray(0, len));
  let bestLen = len;
  const ps = perms(live.length);
  for (let p = 1; p < ps.length; p++) {   // ps[0] is the identity
    const perm = ps[p]!;
    permuted.length = 0;
    for (const i of perm) permuted.push(live[i]!);
    encode(w, permuted);
    if (less(buf, len, best, bestLen)) {
      if (best.length < buf.length) best = new Int32Array(buf.length);
      best.set(buf.subarray(0, len));
      bestLen = len;
    }
  }
  return best.subarray(0, bestLen);
}

function less(a: Int32Array, al: number, b: Int32Array, bl: number): boolean {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return al < bl;
}
