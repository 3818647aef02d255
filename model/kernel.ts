// Kernel primitives shared by every syscall: fget/fput, ->release, ->flush, in-flight accounting.
// They mutate a draft world; each is the one place where its kernel function's semantics live.
import type { Draft } from 'immer';
import { callHook, type Design } from './design.js';
import { FD_BASE, gcLocked, type FileId, type Skb, type TaskId, type UnixSock, type World } from './world.js';

type W = Draft<World>;

export interface Kernel {
  readonly design: Design;
  /** unix_get_socket(): the unix_sock the GC sees behind a file, or null. With `ring_sock`
   *  registration a ring file answers with its ring_sock (io_uring_get_socket, 5.1–6.7). */
  unixGetSocket(w: World, file: FileId): UnixSock | null;
  unixGetSocketDraft(w: W, file: FileId): Draft<UnixSock> | null;
  /** Take a reference (get_file). Touching a released file is a use-after-free. */
  fget(w: W, file: FileId, why: string): void;
  /** Drop a reference; the last one runs ->release. Dropping one from a released file is a double fput. */
  fput(w: W, file: FileId, why: string): void;
  /** filp_close(): ->flush, then fput. Every close of an fd goes through here. */
  filpClose(w: W, file: FileId, why: string): void;
  /** unix_inflight()/unix_notinflight(): SCM accounting of one entry of an SCM_RIGHTS list (needs
   *  unix_gc_lock: see `lockGc`). A socket enters gc_inflight_list at the tail when its count leaves 0. */
  unixInflight(w: W, file: FileId): void;
  unixNotinflight(w: W, file: FileId): void;
  /** Everything that takes unix_gc_lock calls this first. While the GC holds the lock the caller would
   *  sleep: the step is not possible now (enabledSteps finds out by a dry run; see apply.ts). */
  lockGc(w: W): void;
  /** The accounting of an skb queued on `receiver`'s queue (unix_attach_fds + scm_stat_add /
   *  unix_add_edges), and its undoing when it leaves (unix_detach_fds / unix_del_edges). */
  accountSkb(w: W, fds: readonly FileId[], receiver: FileId): void;
  /** `receiver`: the socket whose queue held the skb (the graph GC unlinks that edge); `dead`: an skb the
   *  graph GC is purging (fpl->dead: the graph state is not updated). */
  unaccountSkb(w: W, fds: readonly FileId[], receiver?: FileId, dead?: boolean): void;
  /** The skb destructor (unix_destruct_scm): un-account and fput every carried file. Freeing an skb that
   *  a reader still points at is a use-after-free. */
  destructSkb(w: W, skb: Skb, why: string, receiver?: FileId, dead?: boolean): void;
  /** skb_queue_purge() at socket release: u->oob_skb's reference goes first (unix_release_sock), then
   *  every skb is dequeued and destroyed, one at a time. `receiver`: the socket's file. */
  purgeQueue(w: W, sock: Draft<UnixSock>, why: string, receiver?: FileId): void;
  /** accept() of `embryo` (unix_update_edges): clears embryo->listener; if the embryo has AF_UNIX fds
   *  queued, under unix_gc_lock, and then the graph GC marks the graph maybe-cyclic. */
  unixUpdateEdges(w: W, embryo: FileId): void;
  /** Drop the ring's registered files (__io_sqe_files_unregister). */
  unregisterFiles(w: W, ring: FileId): void;
}

/** Thrown by `lockGc` when unix_gc_lock is held by the GC: the step would sleep, so it is not taken. */
export class GcLockBusy extends Error {
  constructor() { super('unix_gc_lock is held by the GC'); }
}
/** One instance, thrown again and again: building an Error (its stack) per dry run cost a sixth of a search. */
const GC_LOCK_BUSY = new GcLockBusy();

/** The graph GC's maintenance on queueing (unix_add_edges' graph-state part), installed by
 *  model/gc/unix-gc-graph.ts for designs with `gc: 'graph'`. */
export type GraphOnAdd = (w: W, fds: readonly FileId[], receiver: FileId, k: Kernel) => void;
let graphHook: GraphOnAdd | undefined;
export const setGraphOnAdd = (f: GraphOnAdd): void => { graphHook = f; };
/** The graph GC's maintenance when an skb's entries leave flight (unix_del_edges), before the in-flight
 *  counts drop; and on accept (unix_update_edges' graph-state part). */
export type GraphOnDel = (w: W, fds: readonly FileId[], receiver: FileId | undefined, dead: boolean, k: Kernel) => void;
export type GraphOnAccept = (w: W, embryo: FileId, k: Kernel) => void;
let graphDelHook: GraphOnDel | undefined;
let graphAcceptHook: GraphOnAccept | undefined;
export const setGraphOnDel = (f: GraphOnDel): void => { graphDelHook = f; };
export const setGraphOnAccept = (f: GraphOnAccept): void => { graphAcceptHook = f; };

export function makeKernel(design: Design): Kernel {
  const graph = design.switches.gc === 'graph';
  const graphOnAdd = graph ? (w: W, fds: readonly FileId[], r: FileId, kk: Kernel) => graphHook?.(w, fds, r, kk) : undefined;
  const graphOnDel = graph ? (w: W, fds: readonly FileId[], r: FileId | undefined, dead: boolean, kk: Kernel) => graphDelHook?.(w, fds, r, dead, kk) : undefined;
  const k: Kernel = {
    design,
    unixGetSocket: (w, id) => unixSockOf(w, id, design),
    unixGetSocketDraft: (w, id) => unixSockOf(w, id, design),
    fget(w, id, why) {
      const f = w.files[id]!;
      if (f.released) {
        w.reports.push({ kind: 'use-after-free', file: id, what: `get_file on released f${id} (${why})` });
        return;
      }
      f.f_count++;
    },
    fput(w, id, why) {
      const f = w.files[id]!;
      if (f.released) {
        w.reports.push({ kind: 'double-fput', file: id, what: `fput on released f${id} (${why})` });
        return;
      }
      f.f_count--;
      if (f.f_count === 0) release(w, id);
    },
    filpClose(w, id, why) {
      const flush = design.hooks.flush;
      if (flush) callHook(design, () => flush(w, id, k));
      else if (design.switches.flushTeardown && w.files[id]!.kind === 'io_uring' && !w.files[id]!.released) {
        k.unregisterFiles(w, id);
        w.files[id]!.ring!.dead = true;
      }
      k.fput(w, id, why);
    },
    unixInflight(w, id) {
      k.lockGc(w);
      const s = k.unixGetSocketDraft(w, id);
      if (!s) return;
      if (s.inflight++ === 0) w.gc.inflightList.push(id);
    },
    unixNotinflight(w, id) {
      k.lockGc(w);
      const s = k.unixGetSocketDraft(w, id);
      if (!s) return;
      if (--s.inflight === 0) {
        const i = w.gc.inflightList.indexOf(id);
        if (i >= 0) w.gc.inflightList.splice(i, 1);
      }
    },
    lockGc(w) {
      if (gcLocked(w.gc)) throw GC_LOCK_BUSY;
    },
    accountSkb(w, fds, receiver) {
      for (const id of fds) k.unixInflight(w, id);
      graphOnAdd?.(w, fds, receiver, k);
    },
    unaccountSkb(w, fds, receiver, dead = false) {
      if (graphOnDel && fds.length > 0) { k.lockGc(w); graphOnDel(w, fds, receiver, dead, k); }
      for (const id of fds) k.unixNotinflight(w, id);
    },
    destructSkb(w, skb, why, receiver, dead = false) {
      if (skb.pinned) w.reports.push({ kind: 'use-after-free', file: -1, what: `an skb freed (${why}) while a reader still points at it (bare skb pointer across the copy)` });
      k.unaccountSkb(w, skb.fds, receiver, dead);
      for (const id of skb.fds) k.fput(w, id, why);
    },
    purgeQueue(w, sock, why, receiver) {
      if (sock.oobSkb) { const o = sock.oobSkb; sock.oobSkb = null; k.destructSkb(w, o, why, receiver); }
      while (sock.queue.length > 0) {
        const skb = sock.queue.shift()!;
        k.destructSkb(w, skb, why, receiver);
      }
    },
    unixUpdateEdges(w, embryo) {
      const e = w.files[embryo]!.sock!;
      if (graph && e.listener !== null && e.queue.some((skb) => skb.fds.some((x) => k.unixGetSocket(w, x)))) {
        k.lockGc(w);
        graphAcceptHook?.(w, embryo, k);
      }
      e.listener = null;
    },
    unregisterFiles(w, id) {
      const ring = w.files[id]!.ring!;
      if (design.switches.registration === 'ring_sock') {
        // The table only borrowed; the ring_sock skb owns the references.
        ring.table = null;
        k.purgeQueue(w, ring.ringSock!, `unregister f${id}`);
      } else {
        const table = ring.table ?? [];
        ring.table = null;
        for (const f of table) if (f !== null) k.fput(w, f, `unregister f${id}`);
      }
    },
  };

  /** ->release: runs exactly once, when f_count reaches zero. */
  function release(w: W, id: FileId): void {
    const f = w.files[id]!;
    f.released = true;
    if (f.kind === 'unix') {
      releaseSock(w, id);
    } else if (f.kind === 'io_uring') {
      const releaseRing = design.hooks.releaseRing;
      if (releaseRing) callHook(design, () => releaseRing(w, id, k));
      else {
        // io_ring_ctx_wait_and_kill: cancel what has not started (polls, queued io-wq work; a request on a
        // plain fd puts its reference), then wait for the requests that run (an io-wq worker blocked in a
        // read, a recv copying from an skb). With one still running the ring is `dying` and the teardown is
        // the `io_ring_exit` kernel step once none is left (io_ring_exit_work; 5.1 waited synchronously in
        // ->release: the model treats both as the same wait). Requests hold no ring reference here (the
        // kernel's ctx->refs are what this wait waits for). Then io_ring_ctx_free: drop the registered files,
        // free the ring_sock.
        const ring = f.ring!;
        for (let i = 0; i < ring.requests.length;) {
          const q = ring.requests[i]!;
          if (q.phase !== 'queued') { i++; continue; }
          ring.requests.splice(i, 1);
          if (!q.fixed) k.fput(w, q.file, `f${id}'s release cancels a request`);
        }
        if (ring.requests.length > 0) ring.dying = true;
        else {
          if (!ring.dead) k.unregisterFiles(w, id);
          ring.dead = true;
        }
      }
    }
  }
  /** unix_release_sock(): the peer loses its peer, the own receive queue is purged, a listener's
   *  embryos are released with it. (Then, if anything is in flight, it triggers the GC: in this model the
   *  GC may start whenever anything is in flight, which covers that trigger.) */
  function releaseSock(w: W, id: FileId): void {
    const sock = w.files[id]!.sock!;
    if (sock.peer !== null) {
      const peer = w.files[sock.peer]!;
      if (peer.sock && peer.sock.peer === id) peer.sock.peer = null;
      sock.peer = null;
    }
    k.purgeQueue(w, sock, `release of f${id}`, id);
    while (sock.acceptQueue.length > 0) {
      const e = sock.acceptQueue.shift()!;
      w.files[e]!.released = true;
      w.files[e]!.sock!.listener = null;
      releaseSock(w, e);
    }
  }
  return k;
}

/** unix_get_socket() over any world, plain or draft. */
function unixSockOf<S extends UnixSock>(w: { readonly files: readonly { readonly kind: string; readonly sock: S | null; readonly ring: { readonly ringSock: S | null } | null }[] }, id: FileId, design: Design): S | null {
  const f = w.files[id];
  if (!f) return null;
  if (f.kind === 'unix') return f.sock;
  if (f.kind === 'io_uring' && design.switches.registration === 'ring_sock') return f.ring?.ringSock ?? null;
  return null;
}

/** The file behind fd in task t, for recipes (the guard already checked it is open). */
export function fileAt(w: World, t: TaskId, fd: number): FileId {
  return w.tasks[t]!.fds[fd - FD_BASE]!.file;
}
