// Replay checks the built-in properties on a world without the files that can no longer matter, so that
// a trace that opened and closed thousands of files is not checked over all of them at every step (ids are
// never reused: the model keeps every struct file a trace ever allocated). A file is left out when it is
// released, its ring (if any) is not waiting for requests, it holds nothing (no skb, table or request) and
// nothing kept names it — the files the canonical key leaves out too (model/key.ts: "released files that
// nothing points to … can no longer matter"), so the checker already treats a world and its compaction as
// one state: same steps, same verdicts. The files kept are renumbered in order; a property that fires on
// the compaction is checked again on the real world, for its message (which names files by id).
import type { FileId, File, Pending, Report, Scc, Skb, Task, UnixSock, World } from '../model/world.js';

// Scratch of markKept (no closures per call: it runs twice a step).
let kMark: Uint8Array = new Uint8Array(0);
let kN = 0;
const kStack: FileId[] = [];
function keep(id: FileId): void { if (id >= 0 && id < kN && kMark[id] === 0) { kMark[id] = 1; kStack.push(id); } }
function keepAll(ids: readonly FileId[]): void { for (let i = 0; i < ids.length; i++) keep(ids[i]!); }
function keepSock(s: UnixSock): void {
  if (s.peer !== null) keep(s.peer);
  if (s.listener !== null) keep(s.listener);
  keepAll(s.acceptQueue);
  for (const skb of s.queue) keepAll(skb.fds);
  if (s.oobSkb !== null) keepAll(s.oobSkb.fds);
}

/** Which ids of `w` to keep, into `mark` (1 = kept; its first w.files.length entries are overwritten).
 *  Ids from `from` on are kept whatever they are (the files a step allocated: a step property compares
 *  the worlds before and after it). */
export function markKept(w: World, mark: Uint8Array, from = Infinity): void {
  const files = w.files;
  kMark = mark; kN = files.length; kStack.length = 0;
  mark.fill(0, 0, kN);
  for (let id = 0; id < kN; id++) if (id >= from || !droppable(files[id]!)) keep(id);
  for (const t of w.tasks) {
    for (const s of t.fds) if (s !== null) keep(s.file);
    const p = t.pending;
    if (p !== null) {
      keep(p.sock);
      if (p.kind === 'recvmsg') keepAll(p.cookie); else { keep(p.listener); keep(p.embryo); }
    }
  }
  const g = w.gc;
  keepAll(g.inflightList); keepAll(g.toSelect); keepAll(g.candidates); keepAll(g.collected); keepAll(g.hitFrom);
  for (const skb of g.hitlist) keepAll(skb.fds);
  for (const c of g.sccs) keepAll(c.members);
  for (const c of g.lastSccs) keepAll(c.members);
  for (let id = 0; id < g.edges.length; id++) if (g.edges[id]!.length > 0) { keep(id); keepAll(g.edges[id]!); }
  for (const r of w.reports) keep(r.file);
  while (kStack.length > 0) {
    const f = files[kStack.pop()!]!;
    if (f.sock !== null) keepSock(f.sock);
    const r = f.ring;
    if (r !== null) {
      if (r.table !== null) for (const x of r.table) if (x !== null) keep(x);
      if (r.ringSock !== null) keepSock(r.ringSock);
      for (const q of r.requests) keep(q.file);
    }
  }
}

const droppable = (f: File): boolean =>
  f.released &&
  (f.sock === null || (f.sock.queue.length === 0 && f.sock.oobSkb === null && f.sock.acceptQueue.length === 0)) &&
  (f.ring === null || (!f.ring.dying && f.ring.table === null && f.ring.requests.length === 0 && (f.ring.ringSock === null || f.ring.ringSock.queue.length === 0)));

// Scratch of compactWorld: the renumbering in force.
let cRenum: Int32Array = new Int32Array(0);
let cN = 0;
function m(id: FileId): FileId { return id >= 0 && id < cN ? cRenum[id]! : id; }
function ms(ids: readonly FileId[]): FileId[] { const out = new Array<FileId>(ids.length); for (let i = 0; i < ids.length; i++) out[i] = m(ids[i]!); return out; }
function mSkb(s: Skb): Skb { return { ...s, fds: ms(s.fds) }; }
function mSock(s: UnixSock): UnixSock {
  return {
    ...s, peer: s.peer === null ? null : m(s.peer), listener: s.listener === null ? null : m(s.listener),
    acceptQueue: ms(s.acceptQueue), queue: s.queue.map(mSkb), oobSkb: s.oobSkb === null ? null : mSkb(s.oobSkb),
  };
}
function mPending(p: Pending): Pending {
  return p.kind === 'recvmsg' ? { ...p, sock: m(p.sock), cookie: ms(p.cookie) } : { ...p, sock: m(p.sock), listener: m(p.listener), embryo: m(p.embryo) };
}
function mTask(t: Task): Task {
  return { ...t, fds: t.fds.map((s) => (s === null ? null : { ...s, file: m(s.file) })), pending: t.pending === null ? null : mPending(t.pending) };
}
function mFile(f: File): File {
  const r = f.ring;
  return {
    ...f, sock: f.sock === null ? null : mSock(f.sock),
    ring: r === null ? null : {
      ...r, table: r.table === null ? null : r.table.map((x) => (x === null ? null : m(x))),
      ringSock: r.ringSock === null ? null : mSock(r.ringSock), requests: r.requests.map((q) => ({ ...q, file: m(q.file) })),
    },
  };
}
function mScc(c: Scc): Scc { return { members: ms(c.members), sccIndex: c.sccIndex.slice() }; }
function mReport(r: Report): Report { return r.file >= 0 ? { ...r, file: m(r.file) } : r; }

/** w without the files `mark` leaves out, the others renumbered in order (w itself when all are kept).
 *  `renum` is scratch of at least w.files.length entries. */
export function compactWorld(w: World, mark: Uint8Array, renum: Int32Array): World {
  const n = w.files.length;
  let k = 0;
  for (let id = 0; id < n; id++) renum[id] = mark[id] === 1 ? k++ : -1;
  if (k === n) return w;
  cRenum = renum; cN = n;
  const files: File[] = [];
  for (let id = 0; id < n; id++) if (mark[id] === 1) files.push(mFile(w.files[id]!));
  const g = w.gc;
  // edges is indexed by file id: a kept id's list moves to its new id; the array is as long as the kept ids
  // below its old length.
  const edges: FileId[][] = [];
  for (let id = 0; id < g.edges.length; id++) if (mark[id] === 1) edges.push(ms(g.edges[id]!));
  return {
    tasks: w.tasks.map(mTask), files,
    gc: {
      ...g, inflightList: ms(g.inflightList), toSelect: ms(g.toSelect), candidates: ms(g.candidates), hitlist: g.hitlist.map(mSkb),
      collected: ms(g.collected), sccs: g.sccs.map(mScc), lastSccs: g.lastSccs.map(mScc), edges, hitFrom: ms(g.hitFrom),
    },
    reports: w.reports.map(mReport),
  };
}
