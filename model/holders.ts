// Who holds a reference to which file. This is the one place that says what counts as a holder
// (domain.md, Modeling notes A): properties compare it with f_count, follow it for reachability, and
// renderers draw it.
import type { Design } from './design.js';
import { kernelOf } from './kernel.js';
import { FD_BASE, type FileId, type Skb, type World } from './world.js';
import { recvStage } from './syscalls/recvmsg.js';

export type Holder =
  /** An fd table slot of a live task. */
  | { readonly kind: 'fd'; readonly task: number; readonly fd: number }
  /** An entry of the SCM_RIGHTS list of an skb on a unix socket's receive queue. */
  | { readonly kind: 'skb'; readonly sock: FileId; readonly skb: number; readonly entry: number }
  /** An entry of a registration skb on a ring's ring_sock queue (`ring_sock` registration). */
  | { readonly kind: 'ring_sock_skb'; readonly ring: FileId; readonly skb: number; readonly entry: number }
  /** A registered-file table slot that owns its reference (`table` registration). */
  | { readonly kind: 'ring_table'; readonly ring: FileId; readonly slot: number }
  /** An entry of an skb on the GC's hitlist, between collection and purge. */
  | { readonly kind: 'gc_hitlist'; readonly skb: number; readonly entry: number }
  /** An entry of an OOB skb that only u->oob_skb still holds (unlinked from the queue, not freed). */
  | { readonly kind: 'oob_skb'; readonly sock: FileId; readonly entry: number }
  /** A reference a syscall in progress holds: MSG_PEEK's dup'ed list before it installs the fds, or the
   *  entries of the skb a datagram read dequeued and has not detached yet (still in flight: see
   *  forEachDequeued). */
  | { readonly kind: 'cookie'; readonly task: number; readonly entry: number }
  /** A request's counted reference (a request submitted on a plain fd, until it completes). */
  | { readonly kind: 'request'; readonly ring: FileId; readonly req: number };

/** Kinds of holder that are part of a file's own structure (its queue, its u->oob_skb, its ring_sock's
 *  queue, its registered-file table): the reference graph's edges. For these, walkHolders's first number
 *  (`a`) and the Holder's sock / ring field are that file. */
const ownedKind = (kind: Holder['kind']): boolean => kind === 'skb' || kind === 'oob_skb' || kind === 'ring_sock_skb' || kind === 'ring_table';

/** The file whose structure a holder belongs to (the reference graph's edge source), or undefined for
 *  a root (fd slot) or a kernel-transient holder. */
export function holderOwner(h: Holder): FileId | undefined {
  if (!ownedKind(h.kind)) return undefined;
  return h.kind === 'skb' || h.kind === 'oob_skb' ? h.sock : (h as { ring: FileId }).ring;
}

/** The one walk over every counted reference in w that lives in allocated memory: `cb(file, kind, a, b, c)`
 *  with the holder's fields as numbers, in `makeHolder`'s order — so that the hot checks (refcount-exact,
 *  reachability) count and follow holders without making an object per reference. */
type HolderKind = Holder['kind'];
function walkHolders(w: World, design: Design, cb: (file: FileId, kind: HolderKind, a: number, b: number, c: number) => void): void {
  const tasks = w.tasks;
  for (let t = 0; t < tasks.length; t++) {
    const task = tasks[t]!;
    if (!task.alive) continue;
    const fds = task.fds;
    for (let i = 0; i < fds.length; i++) { const slot = fds[i]!; if (slot) cb(slot.file, 'fd', t, i + FD_BASE, 0); }
    const p = task.pending;
    if (p?.kind === 'recvmsg') for (let e = 0; e < p.cookie.length; e++) cb(p.cookie[e]!, 'cookie', t, e, 0);
  }
  const files = w.files;
  for (let id = 0; id < files.length; id++) {
    const f = files[id]!;
    // A released file's structures are freed memory: whatever its queues or table still hold is a
    // reference nobody can ever drop, so it does not count as a holder (refcount-exact then sees it).
    if (f.released && !f.ring?.dying) continue;
    const sock = f.sock;
    if (sock !== null) {
      for (let s = 0; s < sock.queue.length; s++) { const fds = sock.queue[s]!.fds; for (let e = 0; e < fds.length; e++) cb(fds[e]!, 'skb', id, s, e); }
      const oob = sock.oobSkb;
      if (oob !== null) for (let e = 0; e < oob.fds.length; e++) cb(oob.fds[e]!, 'oob_skb', id, e, 0);
    }
    const r = f.ring;
    if (r === null) continue;
    for (let i = 0; i < r.requests.length; i++) { const q = r.requests[i]!; if (!q.fixed) cb(q.file, 'request', id, i, 0); }
    if (r.ringSock !== null) {
      const queue = r.ringSock.queue;
      for (let s = 0; s < queue.length; s++) { const fds = queue[s]!.fds; for (let e = 0; e < fds.length; e++) cb(fds[e]!, 'ring_sock_skb', id, s, e); }
    }
    if (r.table && !kernelOf(design).io_table_borrows(w, id)) {
      for (let i = 0; i < r.table.length; i++) { const x = r.table[i]!; if (x !== null) cb(x, 'ring_table', id, i, 0); }
    }
  }
  const hitlist = w.gc.hitlist;
  for (let s = 0; s < hitlist.length; s++) { const fds = hitlist[s]!.fds; for (let e = 0; e < fds.length; e++) cb(fds[e]!, 'gc_hitlist', s, e, 0); }
}

/** The Holder that `walkHolders` gave as numbers. */
function makeHolder(kind: HolderKind, a: number, b: number, c: number): Holder {
  switch (kind) {
    case 'fd': return { kind, task: a, fd: b };
    case 'cookie': return { kind, task: a, entry: b };
    case 'skb': return { kind, sock: a, skb: b, entry: c };
    case 'oob_skb': return { kind, sock: a, entry: b };
    case 'request': return { kind, ring: a, req: b };
    case 'ring_sock_skb': return { kind, ring: a, skb: b, entry: c };
    case 'ring_table': return { kind, ring: a, slot: b };
    case 'gc_hitlist': return { kind, skb: a, entry: b };
  }
}

/** Calls `cb(file, holder)` for every counted reference in w that lives in allocated memory. */
export function forEachHolder(w: World, design: Design, cb: (file: FileId, h: Holder) => void): void {
  walkHolders(w, design, (file, kind, a, b, c) => cb(file, makeHolder(kind, a, b, c)));
}

/** The same walk without the holders: `cb(file, root)` per counted reference, `root` as `isRoot` says. */
export function forEachHeldFile(w: World, design: Design, cb: (file: FileId, root: boolean) => void): void {
  walkHolders(w, design, (file, kind) => cb(file, isRootKind(kind)));
}

/** Pointers that do not own a reference but are dereferenced later: the registered-file table when
 *  an skb owns the registrations. A live ring's borrowed pointer to a released file is dangling. */
export function forEachBorrowed(w: World, design: Design, cb: (file: FileId, ring: FileId, slot: number) => void): void {
  const k = kernelOf(design);
  w.files.forEach((f, id) => {
    if (f.released || !f.ring?.table || !k.io_table_borrows(w, id)) return;
    f.ring.table.forEach((x, i) => { if (x !== null) cb(x, id, i); });
  });
}

/** The file pointer of every request that borrowed it from the registered table (IOSQE_FIXED_FILE: no
 *  reference in any kernel version), in every ring that still has requests — a released ring too, while
 *  its teardown waits for them (`dying`). The request dereferences it when it runs and completes, so a
 *  request pointing at a released file is a use-after-free waiting to happen (CVE-2022-2602). */
export function forEachRequestBorrow(w: World, cb: (file: FileId, ring: FileId, req: number) => void): void {
  w.files.forEach((f, id) => {
    f.ring?.requests.forEach((q, i) => { if (q.fixed) cb(q.file, id, i); });
  });
}

export function describeHolder(h: Holder): string {
  switch (h.kind) {
    case 'fd': return `T${h.task} fd ${h.fd}`;
    case 'skb': return `an skb on f${h.sock}'s receive queue`;
    case 'ring_sock_skb': return `the registration skb on f${h.ring}'s ring_sock`;
    case 'ring_table': return `f${h.ring}'s registered file table (slot ${h.slot})`;
    case 'gc_hitlist': return `an skb on the GC's hitlist`;
    case 'oob_skb': return `f${h.sock}'s u->oob_skb (an OOB skb no queue holds)`;
    case 'cookie': return `T${h.task}'s recvmsg in progress (MSG_PEEK's dup'ed references, or the skb it dequeued)`;
    case 'request': return `request ${h.req} of ring f${h.ring}`;
  }
}

/** The reference graph: for each file, the files that its structures hold or borrow (its receive
 *  queue's SCM entries, its ring's registrations). */
export function referenceEdges(w: World, design: Design): FileId[][] {
  const edges: FileId[][] = Array.from({ length: w.files.length }, () => []);
  // holderOwner without making the holder: for an owned kind `a` is the owner.
  walkHolders(w, design, (file, kind, a) => { if (ownedKind(kind)) edges[a]!.push(file); });
  forEachBorrowed(w, design, (file, ring) => edges[ring]!.push(file));
  // A listener holds the embryos on its accept queue (sock references, not file references: no holder,
  // an embryo has no struct file); accept() hands them to user space.
  w.files.forEach((f, id) => { if (!f.released) for (const e of f.sock?.acceptQueue ?? []) edges[id]!.push(e); });
  return edges;
}

/** Holders that are roots: user space can reach the file through them now or once a syscall or request
 *  in progress returns (an fd slot, MSG_PEEK's dup'ed references, a request's reference). */
const isRootKind = (kind: HolderKind): boolean => kind === 'fd' || kind === 'cookie' || kind === 'request';
export const isRoot = (h: Holder): boolean => isRootKind(h.kind);

/** The live files reachable from the roots, following the reference graph. */
export function reachable(w: World, design: Design): Uint8Array {
  const seen = new Uint8Array(w.files.length);
  const edges = referenceEdges(w, design);
  const stack: FileId[] = [];
  forEachHeldFile(w, design, (file, root) => {
    if (root && !seen[file]) { seen[file] = 1; stack.push(file); }
  });
  // A file a request is using through a fixed slot is in use (domain.md notes D, I5: "borrowed pointers of
  // live requests" are roots), though user space cannot get it back through the request.
  forEachRequestBorrow(w, (file) => { if (!seen[file] && !w.files[file]!.released) { seen[file] = 1; stack.push(file); } });
  // The embryo of a connect() in progress (before it is on its listener's accept queue): the call holds
  // it, and the client can send to it.
  w.tasks.forEach((task) => {
    const p = task.alive ? task.pending : null;
    if (p?.kind === 'connect' && !seen[p.embryo] && !w.files[p.embryo]!.released) { seen[p.embryo] = 1; stack.push(p.embryo); }
  });
  while (stack.length > 0) {
    const f = stack.pop()!;
    for (const g of edges[f]!) if (!seen[g]) { seen[g] = 1; stack.push(g); }
  }
  return seen;
}

/** Is every live file in some live task's fd table? Then each is a root of `reachable` (an fd slot is
 *  one), so nothing live is unreachable: a shortcut that allocates nothing, for the common state. */
export function everyLiveFileInFdTables(w: World): boolean {
  const files = w.files;
  let live = 0;
  for (let i = 0; i < files.length; i++) if (!files[i]!.released) live++;
  if (live === 0) return true;
  const held = new Uint8Array(files.length);
  let found = 0;
  for (const task of w.tasks) {
    if (!task.alive) continue;
    for (const slot of task.fds) {
      if (slot === null || held[slot.file] === 1) continue;
      held[slot.file] = 1;
      if (!files[slot.file]!.released && ++found === live) return true;
    }
  }
  return false;
}

/** Holders per file, for messages and pictures. */
export function holdersOf(w: World, design: Design): Holder[][] {
  const out: Holder[][] = w.files.map(() => []);
  forEachHolder(w, design, (file, h) => out[file]!.push(h));
  return out;
}

/** A pointer to a released file that the kernel can still dereference: what no-use-after-free reports
 *  (one definition, for the property and the pictures). `holder`: a counted reference in allocated memory;
 *  `request`: a request's borrowed fixed-file pointer; `slot`: a borrowed registered-table slot of a ring
 *  that is still reachable (a request can be submitted on it; a garbage ring's slots are never read). */
export type Dangling =
  | { readonly kind: 'holder'; readonly file: FileId; readonly holder: Holder }
  | { readonly kind: 'request'; readonly file: FileId; readonly ring: FileId; readonly req: number }
  | { readonly kind: 'slot'; readonly file: FileId; readonly ring: FileId; readonly slot: number };

/** Every dangling pointer in w, holders first, then requests, then table slots (the order in which
 *  no-use-after-free names the first). `cb` returns true to stop. */
export function forEachDangling(w: World, design: Design, cb: (d: Dangling) => boolean | void): void {
  let stop = false;
  walkHolders(w, design, (file, kind, a, b, c) => {
    if (!stop && w.files[file]!.released) stop = cb({ kind: 'holder', file, holder: makeHolder(kind, a, b, c) }) === true;
  });
  if (stop) return;
  forEachRequestBorrow(w, (file, ring, req) => {
    if (!stop && w.files[file]!.released) stop = cb({ kind: 'request', file, ring, req }) === true;
  });
  if (stop) return;
  let live: Uint8Array | undefined;
  forEachBorrowed(w, design, (file, ring, slot) => {
    if (stop || !w.files[file]!.released) return;
    live ??= reachable(w, design);
    if (live[ring]) stop = cb({ kind: 'slot', file, ring, slot }) === true;
  });
}

/** The skbs datagram reads have dequeued and not yet detached (recvmsg's `detach` stage): off every queue,
 *  in the reading task's hands, but their entries are still in flight (unix_inflight's counts, the graph's
 *  edges into `sock`) until the detach takes unix_gc_lock. */
export function forEachDequeued(w: World, cb: (task: number, sock: FileId, fds: readonly FileId[]) => void): void {
  w.tasks.forEach((task, t) => {
    const p = task.alive ? task.pending : null;
    if (p?.kind === 'recvmsg' && recvStage(w, p) === 'detach') cb(t, p.sock, p.cookie);
  });
}

/** A reader that holds a bare pointer to the head skb of socket `sock` across its copy (Skb.pinned): a
 *  task's stream recvmsg between its pick and its consume (or, with MSG_PEEK, its dup), or an io_uring recv
 *  a worker has picked. */
export type SkbReader =
  | { readonly kind: 'task'; readonly task: number; readonly sock: FileId }
  | { readonly kind: 'request'; readonly ring: FileId; readonly req: number; readonly sock: FileId };

export type PinnedSkb = { readonly at: 'queue' | 'hitlist'; readonly index: number; readonly skb: Skb } | { readonly at: 'freed' };

/** Where the skb a reader of `sock` holds is: the pinned skb on its queue, else the pinned one on the GC's
 *  hitlist, else freed (see forEachSkbReader). */
export function pinnedSkbOf(w: World, sock: FileId): PinnedSkb {
  const queue = w.files[sock]?.sock?.queue ?? [];
  const q = queue.findIndex((s) => s.pinned);
  if (q >= 0) return { at: 'queue', index: q, skb: queue[q]! };
  const h = w.gc.hitlist.findIndex((s) => s.pinned);
  return h >= 0 ? { at: 'hitlist', index: h, skb: w.gc.hitlist[h]! } : { at: 'freed' };
}

/** Every reader with its skb: on `sock`'s queue (`queued`, its index), unlinked onto the GC's hitlist and
 *  not yet freed (`hitlist`, its index), or `freed`. The model keeps no identity for an skb, only the
 *  pinned flag (recvmsg.ts and io_wq.ts look for the pinned skb on the reader's queue, and take its absence
 *  as the free the GC reported): a reader whose queue has no pinned skb reads the pinned skb of the hitlist
 *  if there is one, else a freed skb. Exact with one reader, which is what the scenarios have. */
export function forEachSkbReader(w: World, cb: (r: SkbReader, where: PinnedSkb) => void): void {
  const where = (sock: FileId): PinnedSkb => pinnedSkbOf(w, sock);
  w.tasks.forEach((task, t) => {
    const p = task.alive ? task.pending : null;
    if (p?.kind === 'recvmsg' && (recvStage(w, p) === 'consume' || recvStage(w, p) === 'copy')) cb({ kind: 'task', task: t, sock: p.sock }, where(p.sock));
  });
  w.files.forEach((f, ring) => f.ring?.requests.forEach((q, req) => {
    if (q.op === 'recv' && q.phase === 'picked') cb({ kind: 'request', ring, req, sock: q.file }, where(q.file));
  }));
}
