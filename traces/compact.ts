// Replay checks the built-in properties on a world without the files that can no longer matter, so that
// a trace that opened and closed thousands of files is not checked over all of them at every step (ids are
// never reused: the model keeps every struct file a trace ever allocated). A file is left out when it is
// released, its ring (if any) is not waiting for requests, it holds nothing (no skb, table or request) and
// nothing kept names it — the files the canonical key leaves out too (model/key.ts: "released files that
// nothing points to … can no longer matter"), so the checker already treats a world and its compaction as
// one state: same steps, same verdicts. The files kept are renumbered in order; a property that fires on
// the compaction is checked again on the real world, for its message (which names files by id).
import { isInert } from '../model/apply.js';
import type { FileId, File, Pending, Scc, Skb, Task, UnixSock, World } from '../model/world.js';

/** Which files to keep of one world, or of the two worlds of a step (one renumbering for both: a step
 *  property compares them id by id), and the compaction of those worlds. Work in the files kept, plus one
 *  pass over the ids that asks whether each record can be dropped. */
export class Compactor {
  private stamp = new Int32Array(64);
  private renum = new Int32Array(64);
  private gen = 0;
  private n = 0;
  private readonly stack: FileId[] = [];
  /** The ids kept, ascending (after `mark`). */
  readonly kept: FileId[] = [];

  /** Marks the files `after` keeps and those `before` keeps (if given), and every id from `from` on (the
   *  files a step allocated). */
  mark(after: World, before?: World, from = Infinity): void {
    // (A world's files only grow; a design that dropped some is compacted over the longer list.)
    const n = Math.max(after.files.length, before?.files.length ?? 0);
    if (this.stamp.length < n) { this.stamp = new Int32Array(n * 2); this.renum = new Int32Array(n * 2); this.gen = 0; }
    this.n = n;
    this.gen++;
    this.kept.length = 0;
    this.stack.length = 0;
    for (let id = 0; id < n; id++) {
      const a = after.files[id];
      const b = before?.files[id];
      if (id >= from || a === undefined || !droppable(a) || (b !== undefined && b !== a && !droppable(b))) this.keep(id);
    }
    this.roots(after);
    if (before !== undefined) this.roots(before);
    while (this.stack.length > 0) {
      const id = this.stack.pop()!;
      const a = after.files[id];
      if (a !== undefined) this.follow(a);
      const b = before?.files[id];
      if (b !== undefined && b !== a) this.follow(b);
    }
    this.kept.sort((x, y) => x - y);
    for (let i = 0; i < this.kept.length; i++) this.renum[this.kept[i]!] = i;
  }

  /** w without the files not kept, the others renumbered in order (w itself when it keeps all). */
  compact(w: World): World {
    const n = w.files.length;
    let k = 0;
    while (k < this.kept.length && this.kept[k]! < n) k++;
    if (k === n) return w;
    const files: File[] = new Array<File>(k);
    for (let i = 0; i < k; i++) files[i] = this.mFile(w.files[this.kept[i]!]!);
    const g = w.gc;
    // edges is indexed by file id: a kept id's list moves to its new id; the array is as long as the kept
    // ids below its old length.
    const edges: FileId[][] = [];
    for (let i = 0; i < k && this.kept[i]! < g.edges.length; i++) edges.push(this.ms(g.edges[this.kept[i]!]!));
    return {
      tasks: w.tasks.map((t) => this.mTask(t)), files,
      gc: {
        ...g, inflightList: this.ms(g.inflightList), toSelect: this.ms(g.toSelect), candidates: this.ms(g.candidates),
        hitlist: g.hitlist.map((x) => this.mSkb(x)), collected: this.ms(g.collected), sccs: g.sccs.map((c) => this.mScc(c)),
        lastSccs: g.lastSccs.map((c) => this.mScc(c)), edges, hitFrom: this.ms(g.hitFrom),
      },
      reports: w.reports.map((r) => (r.file >= 0 ? { ...r, file: this.m(r.file) } : r)),
    };
  }

  /** The new id of a kept file (-1 for one left out; an id outside the world's is left as it is). */
  m(id: FileId): FileId { return id >= 0 && id < this.n ? (this.stamp[id] === this.gen ? this.renum[id]! : -1) : id; }

  private keep(id: FileId): void {
    if (id >= 0 && id < this.n && this.stamp[id] !== this.gen) { this.stamp[id] = this.gen; this.kept.push(id); this.stack.push(id); }
  }
  private keepAll(ids: readonly FileId[]): void { for (let i = 0; i < ids.length; i++) this.keep(ids[i]!); }
  private keepSock(s: UnixSock): void {
    if (s.peer !== null) this.keep(s.peer);
    if (s.listener !== null) this.keep(s.listener);
    this.keepAll(s.acceptQueue);
    for (const skb of s.queue) this.keepAll(skb.fds);
    if (s.oobSkb !== null) this.keepAll(s.oobSkb.fds);
  }
  /** What the tasks, the GC and KASAN's reports name. */
  private roots(w: World): void {
    for (const t of w.tasks) {
      for (const s of t.fds) if (s !== null) this.keep(s.file);
      const p = t.pending;
      if (p !== null) {
        this.keep(p.sock);
        if (p.kind === 'recvmsg') this.keepAll(p.cookie); else { this.keep(p.listener); this.keep(p.embryo); }
      }
    }
    const g = w.gc;
    this.keepAll(g.inflightList); this.keepAll(g.toSelect); this.keepAll(g.candidates); this.keepAll(g.collected); this.keepAll(g.hitFrom);
    for (const skb of g.hitlist) this.keepAll(skb.fds);
    for (const c of g.sccs) this.keepAll(c.members);
    for (const c of g.lastSccs) this.keepAll(c.members);
    for (let id = 0; id < g.edges.length; id++) if (g.edges[id]!.length > 0) { this.keep(id); this.keepAll(g.edges[id]!); }
    for (const r of w.reports) this.keep(r.file);
  }
  /** What a kept file's record names. */
  private follow(f: File): void {
    if (f.sock !== null) this.keepSock(f.sock);
    const r = f.ring;
    if (r !== null) {
      if (r.table !== null) for (const x of r.table) if (x !== null) this.keep(x);
      if (r.ringSock !== null) this.keepSock(r.ringSock);
      for (const q of r.requests) this.keep(q.file);
    }
  }

  private ms(ids: readonly FileId[]): FileId[] { const out = new Array<FileId>(ids.length); for (let i = 0; i < ids.length; i++) out[i] = this.m(ids[i]!); return out; }
  private mSkb(s: Skb): Skb { return { ...s, fds: this.ms(s.fds) }; }
  private mSock(s: UnixSock): UnixSock {
    return {
      ...s, peer: s.peer === null ? null : this.m(s.peer), listener: s.listener === null ? null : this.m(s.listener),
      acceptQueue: this.ms(s.acceptQueue), queue: s.queue.map((x) => this.mSkb(x)), oobSkb: s.oobSkb === null ? null : this.mSkb(s.oobSkb),
    };
  }
  private mPending(p: Pending): Pending {
    return p.kind === 'recvmsg' ? { ...p, sock: this.m(p.sock), cookie: this.ms(p.cookie) }
      : { ...p, sock: this.m(p.sock), listener: this.m(p.listener), embryo: this.m(p.embryo) };
  }
  private mTask(t: Task): Task {
    return { ...t, fds: t.fds.map((s) => (s === null ? null : { ...s, file: this.m(s.file) })), pending: t.pending === null ? null : this.mPending(t.pending) };
  }
  private mFile(f: File): File {
    const r = f.ring;
    return {
      ...f, sock: f.sock === null ? null : this.mSock(f.sock),
      ring: r === null ? null : {
        ...r, table: r.table === null ? null : r.table.map((x) => (x === null ? null : this.m(x))),
        ringSock: r.ringSock === null ? null : this.mSock(r.ringSock), requests: r.requests.map((q) => ({ ...q, file: this.m(q.file) })),
      },
    };
  }
  private mScc(c: Scc): Scc { return { members: this.ms(c.members), sccIndex: c.sccIndex.slice() }; }
}

const droppable = (f: File): boolean => f.released && isInert(f);

