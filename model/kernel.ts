// The kernel functions of the model, each named after the function where the kernel's code (and a patch)
// lives: fget/fput/filp_close/->flush/->release, scm_fp_copy, unix_attach_fds … unix_gc's passes,
// io_sqe_files_register … io_ring_ctx_free. Every syscall recipe and every GC step calls them through the
// Kernel object `k`, never directly, so that a design's override of one is seen by every caller (late
// binding: an override of `fput` changes what `filp_close` does).
//
// A design overrides a function by giving a factory `(k, base) => fn` (model/design.ts, Overrides): `k` is
// the finished kernel (with every override of the design applied), `base` the function as the design's
// base had it. makeKernel applies the layers in order: the model's functions below, then each design of
// the chain from the root to the design itself.
//
// Two kinds of function (the type says which):
//  - checks take a readonly World and return a value (an errno, a file, a yes/no). The syscall guards call
//    them to decide a call's result without running any recipe (the checker runs guards for every step
//    of every state; recipes only for the steps taken): scm_send, scm_fp_copy, io_sqe_files_register,
//    io_sqe_files_update, io_file_get_fixed, unix_get_socket, unix_gc_select_candidate, unix_vertex_dead …
//  - effects take a Draft<World> and change it; they run inside recipes, on immer's draft (traces,
//    replay) and on the checker's plain mutable copy (model/apply.ts) alike, so an override runs on both.
import type { Draft } from 'immer';
import { callDesignCode, DesignError, type Design } from './design.js';
import { FUNCTION_NAMES } from './function-names.js';
import type { Errno, Result } from './step.js';
import { FD_BASE, gcLocked, newSock, type FileId, type Ring, type Scc, type Skb, type TaskId, type UnixSock, type World } from './world.js';
import { gc2007Functions, totInflight } from './gc/unix-gc-2007.js';
import { switchPatches } from './designs/switch-patches.js';

type W = Draft<World>;

/** Every override point: the kernel functions a design may replace or wrap. */
export interface KernelFunctions {
  // ---- struct file lifetime ----------------------------------------------------------------------
  /** get_file(): take a reference. Touching a released file is a use-after-free (reported). */
  fget(w: W, file: FileId, why: string): void;
  /** fput(): drop a reference; the last one runs `release`. On a released file: a double fput. */
  fput(w: W, file: FileId, why: string): void;
  /** filp_close(): every close of an fd (close, exit, exec's close-on-exec) by `task`: `flush`, then fput. */
  filp_close(w: W, file: FileId, task: TaskId, why: string): void;
  /** f_op->flush of any file, on every close of an fd, by the closing task. Dispatches on the kind of
   *  file: io_uring files to `io_uring_flush`; regular files and sockets have none. */
  flush(w: W, file: FileId, task: TaskId): void;
  /** io_uring_fops.flush (5.5 … 5.11 had one). Base: nothing. flush-teardown (the alternative Al Viro
   *  rejected; switch flushTeardown) tears the ring down on every close. */
  io_uring_flush(w: W, ring: FileId, task: TaskId): void;
  /** __fput() → f_op->release, once, when f_count reaches 0: marks the file released and dispatches on
   *  its kind (unix sockets: `unix_release_sock`; io_uring files: `io_uring_release`). */
  release(w: W, file: FileId): void;
  /** unix_release_sock(): the peer loses its peer, the own receive queue is purged, a listener's embryos
   *  are released with it (the GC trigger is implicit: a run may start whenever anything is in flight). */
  unix_release_sock(w: W, sock: FileId): void;
  /** io_uring_release() → io_ring_ctx_wait_and_kill(): cancel what has not started, wait for what runs
   *  (the ring is then `dying`, and io_ring_exit_work finishes it), else `io_ring_ctx_free` now. */
  io_uring_release(w: W, ring: FileId): void;
  /** io_ring_ctx_free(): the teardown of a ring no request runs on any more: drop the registered files
   *  (`io_sqe_files_unregister`), the ring is dead. Also the io_ring_exit step and the settle of no-leak. */
  io_ring_ctx_free(w: W, ring: FileId): void;

  // ---- SCM_RIGHTS ----------------------------------------------------------------------------------
  /** scm_send() (check): the error sendmsg fails with because of its SCM_RIGHTS list (more than
   *  SCM_MAX_FD: EINVAL; then scm_fp_copy), or undefined. `fds` are the task's fd numbers. */
  scm_send(w: World, task: TaskId, fds: readonly number[]): Errno | undefined;
  /** scm_fp_copy() (check): what may be sent — per fd in order; base: an fd not open EBADF. linux-6.7
   *  (705318a99a13; switch ringFdInScm) refuses io_uring files with EINVAL. The references it takes (the scm
   *  cookie) are taken by sendmsg's recipe once the call succeeds. */
  scm_fp_copy(w: World, task: TaskId, fds: readonly number[]): Errno | undefined;
  /** unix_attach_fds(): the skb's own references (scm_fp_dup: one more per file) and its in-flight
   *  accounting (unix_inflight per file, then unix_add_edges), for an skb about to be queued on `receiver`. */
  unix_attach_fds(w: W, files: readonly FileId[], receiver: FileId, why: string): void;
  /** unix_detach_fds() / unix_destroy_fpl's accounting: the skb's entries leave flight (unix_del_edges,
   *  then unix_notinflight per file). `receiver`: the socket whose queue held it; `dead`: fpl->dead (the
   *  graph GC is purging it). The references move to the caller (installed as fds, or put). */
  unix_detach_fds(w: W, files: readonly FileId[], receiver?: FileId, dead?: boolean): void;
  /** unix_peek_fds(): MSG_PEEK's scm_fp_dup (one more reference per file, no change to inflight) by
   *  `task`. linux-6.18 (e5b31d988a41; peekGuard seqcount) adds: while a GC runs, a peek of AF_UNIX fds
   *  bumps unix_peek_seq (the model's gc.peekSeen). */
  unix_peek_fds(w: W, task: TaskId, files: readonly FileId[], why: string): void;
  /** unix_peek_fds()'s barrier before the fds are installed (check): may the peek go on now? Base: yes.
   *  linux-5.14 (cbcf01128d0a; peekGuard gc-lock) takes and drops unix_gc_lock, which the GC holds from
   *  its start to its purge. */
  unix_peek_fds_may_install(w: World, task: TaskId): boolean;
  /** unix_inflight(): one SCM entry of `file` enters flight (needs unix_gc_lock): the socket the GC sees
   *  behind it (`unix_get_socket`) gets inflight++, and joins gc_inflight_list at the tail when it leaves 0. */
  unix_inflight(w: W, file: FileId): void;
  /** unix_notinflight(): the reverse. */
  unix_notinflight(w: W, file: FileId): void;
  /** unix_destruct_scm(): an skb is freed: its entries leave flight (`unix_detach_fds`) and every carried
   *  file is put. Freeing an skb that a reader still points at is a use-after-free (reported). */
  unix_destruct_scm(w: W, skb: Skb, why: string, receiver?: FileId, dead?: boolean): void;
  /** skb_queue_purge() of a socket's queue at its release: u->oob_skb's reference first, then every skb,
   *  one at a time (`unix_destruct_scm`). `receiver`: the socket's file. */
  skb_queue_purge(w: W, sock: Draft<UnixSock>, why: string, receiver?: FileId): void;
  /** unix_get_socket() (check): the unix_sock the GC sees behind a file — an AF_UNIX socket's own (base);
   *  viro-2019 adds a ring's ring_sock (io_uring_get_socket, 5.1 … 6.7) — or null. What it answers is all
   *  the GC can see: candidates, vertices, edges and counts exist only for those files. */
  unix_get_socket(w: World, file: FileId): UnixSock | null;

  // ---- MSG_OOB (base: none, before 5.15; linux-6.1: 5.15's, leaky; linux-6.10: aa82ac51d633's) ----
  /** queue_oob() is possible on `sock` (check): MSG_OOB on a stream socket of a kernel that has it. */
  unix_oob_supported(w: World, sock: FileId): boolean;
  /** The queue index a read (`peek` or not) takes its skb from: past an OOB head skb where manage_oob
   *  skips it (a read without MSG_PEEK has unlinked it first: `manage_oob`). */
  unix_read_index(w: World, sock: FileId, peek: boolean): number;
  /** manage_oob() for a read without MSG_PEEK: an OOB skb at the head leaves the queue; u->oob_skb keeps
   *  it (`leaky`) or it is freed with its SCM entries (`fixed`). */
  manage_oob(w: W, sock: FileId, why: string): void;

  // ---- connect / accept ----------------------------------------------------------------------------
  /** unix_stream_connect, stage 1: unix_create1() — the embryo, a sock with no struct file. */
  unix_create1(w: W): FileId;
  /** unix_stream_connect, stage 2 (under the state locks): unix_peer(embryo) = client, embryo->listener,
   *  the client connected to the embryo. */
  unix_stream_connect_peer(w: W, client: FileId, listener: FileId, embryo: FileId): void;
  /** unix_stream_connect, stage 3: the embryo's skb on the listener's queue (the model's accept queue). */
  unix_stream_connect_queue(w: W, listener: FileId, embryo: FileId): void;
  /** unix_accept(): the first embryo leaves the accept queue (`unix_update_edges`) and gets its struct
   *  file (f_count 1: the new fd's reference, installed by accept). Returns the embryo. */
  unix_accept(w: W, listener: FileId): FileId;
  /** unix_update_edges(embryo) on accept: clears embryo->listener; the graph GC first marks the graph
   *  maybe-cyclic (under unix_gc_lock) when the embryo has AF_UNIX fds queued. */
  unix_update_edges(w: W, embryo: FileId): void;

  // ---- socket options (SO_PASSRIGHTS, 6.16) ------------------------------------------------------
  /** sk_setsockopt(sk, SOL_SOCKET, optname) on a unix socket (check): the error setsockopt fails with, or
   *  undefined (the recipe then sets the flag). Base (before 6.16): the option is unknown, the switch's
   *  `default: ret = -ENOPROTOOPT`. linux-6.18 (77cbe1a6d873) takes SO_PASSRIGHTS on an AF_UNIX socket. */
  sk_setsockopt(w: World, sock: FileId, optname: 'SO_PASSRIGHTS'): Errno | undefined;
  /** sendmsg's check of the receiver's sk_scm_rights (check), made under unix_state_lock(other) after the
   *  peer's death/shutdown checks (EPIPE, ECONNREFUSED) and before the queue-full wait: an error when an skb
   *  carrying `files` may not be queued on `receiver`. Base (before 6.16): none. linux-6.18 (77cbe1a6d873):
   *  `UNIXCB(skb).fp && !other->sk_scm_rights` gives EPERM (unix_dgram_sendmsg, unix_stream_sendmsg,
   *  queue_oob). */
  unix_check_scm_rights(w: World, receiver: FileId, files: readonly FileId[]): Errno | undefined;

  // ---- the unix GC, both algorithms ----------------------------------------------------------------
  /** One step of the unix GC (starting a run when idle): the algorithm the `gc` switch names. */
  unix_gc(w: W): void;
  /** The trigger (check): whether a release of an AF_UNIX socket now queues a GC run, gc_in_progress aside
   *  (the caller starts one only when the GC is idle). Any process's close of any unix socket on the machine
   *  calls it, so the model lets a run start whenever it answers yes. Base (2.6.23 … 6.18):
   *  unix_release_sock()'s `if (READ_ONCE(unix_tot_inflight)) unix_gc();` — something the GC sees is in
   *  flight. (sendmsg's wait_for_unix_gc() also triggers one, past 16000 sockets in flight: beyond the bounds.) */
  unix_schedule_gc(w: World): boolean;
  /** Where one skb the GC collects goes: the hitlist (base); linux-6.1 puts ring_sock skbs back on their
   *  queue (0091bfc81741, scmIoUringRequeue) and, with 5.15's MSG_OOB (oob leaky), leaves an OOB skb in
   *  u->oob_skb (the purge would drop only the queue's reference: the MSG_OOB leak). */
  unix_gc_collect_skb(w: W, from: FileId, skb: Draft<Skb>, hit: Skb[], requeue: { skb: Skb; to: FileId }[]): void;
  /** The purge: the destructor of the next hitlist skb (unlocked); the last one ends the run. */
  unix_gc_purge(w: W): void;
  // 2007 (2.6.23 … 6.9)
  /** Candidate selection of one socket of gc_inflight_list (check): every reference to its file is an
   *  in-flight one (file_count == inflight), read now, without a lock close or MSG_PEEK would take. */
  unix_gc_select_candidate(w: World, u: FileId): boolean;
  /** scan_children(u, func): func on every child of u the GC sees — each SCM entry on u's receive queue
   *  (a listener: on its embryos' queues) whose file is a candidate. */
  scan_children(w: W, u: FileId, isCandidate: (f: FileId) => boolean, func: (child: FileId) => void): void;
  /** The subtract scan: scan_children(dec_inflight) over every candidate. */
  unix_gc_dec_inflight(w: W, candidates: readonly FileId[]): void;
  /** The restore scan: a candidate with inflight > 0 is referenced from outside the candidate set: it and,
   *  transitively, its children are not garbage (inc_inflight_move_tail). Returns the garbage, in list order. */
  unix_gc_restore(w: W, candidates: readonly FileId[]): FileId[];
  /** Collection: restore the counts of the garbage's children and unlink, from the garbage's queues, every
   *  skb that carries a candidate (`unix_gc_collect_skb` each). Returns the hitlist. */
  unix_gc_collect(w: W, garbage: readonly FileId[], isCandidate: (f: FileId) => boolean): Skb[];
  // graph (6.10 …)
  /** unix_add_edges(fpl, receiver): the edges of one skb queued on `receiver` (after unix_inflight). */
  unix_add_edges(w: W, files: readonly FileId[], receiver: FileId): void;
  /** unix_del_edges(fpl): the edges of one skb leaving flight (before unix_notinflight). */
  unix_del_edges(w: W, files: readonly FileId[], receiver: FileId | undefined, dead: boolean): void;
  /** A new vertex while the graph is grouped: its own SCC ring and the next scc_index ("af_unix:
   *  Initialise scc_index in unix_add_edge()"). */
  unix_add_vertex(w: W, v: FileId): void;
  /** unix_edge_successor() (check): the vertex an edge into `receiver`'s queue leads to (an embryo's: its
   *  listener's), or null when that socket is not in flight. */
  unix_edge_successor(w: World, receiver: FileId): FileId | null;
  /** unix_walk_scc() (check): Tarjan's walk over every vertex: the SCCs in finalisation order, each
   *  member's scc_index, and the vertex list order after the walk. */
  unix_walk_scc(w: World): { sccs: Scc[]; visited: FileId[] };
  /** unix_walk_scc_fast() (check): the last Tarjan walk's SCCs, while the graph stays grouped. */
  unix_walk_scc_fast(w: World): { sccs: Scc[]; visited: FileId[] };
  /** unix_vertex_dead(v) (check), reading file_count now. */
  unix_vertex_dead(w: World, v: FileId): boolean;
  /** unix_scc_dead() (check): the verdict on an SCC whose members' unix_vertex_dead gave `allDead`.
   *  Base: `allDead`, unless a MSG_PEEK intervened (gc.peekSeen, set by unix_peek_fds: read_seqcount_retry). */
  unix_scc_dead(w: World, scc: Scc, allDead: boolean): boolean;
  /** unix_scc_cyclic() (check). */
  unix_scc_cyclic(w: World, members: readonly FileId[]): boolean;
  /** unix_collect_skb(): a dead SCC's members' whole queues (a listener: its embryos') onto the hitlist. */
  unix_collect_skb(w: W, members: readonly FileId[]): void;

  // ---- io_uring ------------------------------------------------------------------------------------
  /** io_uring_setup's ring (io_ring_ctx_alloc + io_uring_get_fd). viro-2019 (registration ring_sock)
   *  gives it its kernel unix socket, ctx->ring_sock (5.1 … 6.7). */
  io_ring_ctx_alloc(w: W): Ring;
  /** io_sqe_files_register() (check): the error IORING_REGISTER_FILES fails with, or undefined. `fds` as
   *  the task passed them (-1: a sparse slot from 5.5 on). Base (5.1): a table already registered EBUSY, no
   *  entries EINVAL, an fd not open (-1 included) or an io_uring file EBADF. The kernel's rollback of a failed call puts back every
   *  reference it took: the model's recipe then changes nothing. */
  io_sqe_files_register(w: World, task: TaskId, ring: FileId, fds: readonly number[]): Errno | undefined;
  /** io_sqe_files_scm(): after the table got its references (one per file), the SCM accounting of a ring
   *  that has a ring_sock (__io_sqe_files_scm: an scm_io_uring skb on the ring_sock owns the references,
   *  in flight; the table's are put: it only borrows). Base: that, when the ring has a ring_sock. */
  io_sqe_files_scm(w: W, ring: FileId, files: readonly FileId[], why: string): void;
  /** __io_sqe_files_update() (check): the result of IORING_REGISTER_FILES_UPDATE — the number of entries
   *  done, or the error of the first — or undefined while a request borrows a file an entry would remove
   *  (the call waits). From 5.5 (linux-5.14's filesUpdate): entry j stops the loop (EBADF) when its fd is
   *  not open or is an io_uring file. Base (5.1, no such opcode): EINVAL, nothing done. */
  io_sqe_files_update(w: World, task: TaskId, ring: FileId, offset: number, fds: readonly number[]): Result | undefined;
  /** io_sqe_file_register() (update adds `file`, whose reference the caller took): base, with a ring_sock,
   *  join the head registration skb (or make one) in flight and put the caller's reference. */
  io_sqe_file_register(w: W, ring: FileId, file: FileId, why: string): void;
  /** io_rsrc_file_put() (update removes `file` from a slot): put the slot's reference, or with a ring_sock
   *  take its entry out of the registration skb that holds it. */
  io_rsrc_file_put(w: W, ring: FileId, file: FileId, why: string): void;
  /** __io_sqe_files_unregister(): drop every registered file (the table's references, or the ring_sock's
   *  registration skbs that own them). */
  io_sqe_files_unregister(w: W, ring: FileId): void;
  /** Does the ring's table borrow its files (check)? True when SCM skbs own the registrations (a ring with
   *  a ring_sock); false when every slot owns its reference. Holders and pictures read it. */
  io_table_borrows(w: World, ring: FileId): boolean;
  /** io_file_get_fixed() (check): the file of the ring's registered slot, for a request with
   *  IOSQE_FIXED_FILE (borrowed: no reference), or undefined (the CQE says EBADF). */
  io_file_get_fixed(w: World, ring: FileId, slot: number): FileId | undefined;
}

export type FunctionName = keyof KernelFunctions;
// (FUNCTION_NAMES, the same names at run time: model/function-names.ts.)

export interface Kernel extends KernelFunctions {
  readonly design: Design;
  /** The GC algorithm the design runs (the `gc` switch, read where its patch is chosen). */
  readonly gcAlgorithm: '2007' | 'graph';
  /** Everything that takes unix_gc_lock calls this first. While the GC holds the lock the caller would
   *  sleep: the step is not possible now (enabledSteps finds out by a dry run; see apply.ts). */
  lockGc(w: W): void;
  // The names of the first API (hooks, tests), kept as aliases of the functions above.
  unixGetSocket(w: World, file: FileId): UnixSock | null;
  unixGetSocketDraft(w: W, file: FileId): Draft<UnixSock> | null;
  filpClose(w: W, file: FileId, why: string): void;
  unixInflight(w: W, file: FileId): void;
  unixNotinflight(w: W, file: FileId): void;
  accountSkb(w: W, fds: readonly FileId[], receiver: FileId): void;
  unaccountSkb(w: W, fds: readonly FileId[], receiver?: FileId, dead?: boolean): void;
  destructSkb(w: W, skb: Skb, why: string, receiver?: FileId, dead?: boolean): void;
  purgeQueue(w: W, sock: Draft<UnixSock>, why: string, receiver?: FileId): void;
  unixUpdateEdges(w: W, embryo: FileId): void;
  unregisterFiles(w: W, ring: FileId): void;
}

/** Thrown by `lockGc` when unix_gc_lock is held by the GC: the step would sleep, so it is not taken. */
export class GcLockBusy extends Error {
  constructor() { super('unix_gc_lock is held by the GC'); }
}
/** One instance, thrown again and again: building an Error (its stack) per dry run cost a sixth of a search. */
const GC_LOCK_BUSY = new GcLockBusy();

const SCM_MAX_FD = 253;

/** The file behind fd in task t, for recipes (the guard already checked it is open). */
export function fileAt(w: World, t: TaskId, fd: number): FileId {
  return w.tasks[t]!.fds[fd - FD_BASE]!.file;
}
const fileIdAt = (w: World, t: TaskId, fd: number): FileId | undefined => w.tasks[t]?.fds[fd - FD_BASE]?.file;

/** The model's own functions: the kernel as nothing of what differs between the designs has it (the
 *  2019 patch's counted registrations, the 2007 GC, no MSG_OOB, no MSG_PEEK barrier). What a version
 *  changed is in its design file (model/designs/), as overrides — selected by a switch value where the
 *  value is the natural form (model/designs/switch-patches.ts). */
function modelFunctions(k: Kernel): KernelFunctions {
  return {
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
      if (f.f_count === 0) k.release(w, id);
    },
    filp_close(w, id, task, why) {
      k.flush(w, id, task);
      k.fput(w, id, why);
    },
    flush(w, id, task) {
      if (w.files[id]!.kind === 'io_uring') k.io_uring_flush(w, id, task);
    },
    io_uring_flush() { /* io_uring_fops has no ->flush (as in 5.1, and from 5.12 on) */ },
    release(w, id) {
      const f = w.files[id]!;
      f.released = true;
      if (f.kind === 'unix') k.unix_release_sock(w, id);
      else if (f.kind === 'io_uring') k.io_uring_release(w, id);
    },
    unix_release_sock(w, id) {
      const sock = w.files[id]!.sock!;
      if (sock.peer !== null) {
        const peer = w.files[sock.peer]!;
        if (peer.sock && peer.sock.peer === id) peer.sock.peer = null;
        sock.peer = null;
      }
      k.skb_queue_purge(w, sock, `release of f${id}`, id);
      while (sock.acceptQueue.length > 0) {
        const e = sock.acceptQueue.shift()!;
        w.files[e]!.released = true;
        w.files[e]!.sock!.listener = null;
        k.unix_release_sock(w, e);
      }
    },
    io_uring_release(w, id) {
      // io_ring_ctx_wait_and_kill: cancel what has not started (polls, queued io-wq work; a request on a
      // plain fd puts its reference), then wait for the requests that run (an io-wq worker blocked in a
      // read, a recv copying from an skb). With one still running the ring is `dying` and the teardown is
      // the `io_ring_exit` kernel step once none is left (io_ring_exit_work; 5.1 waited synchronously in
      // ->release: the model treats both as the same wait). Requests hold no ring reference here (the
      // kernel's ctx->refs are what this wait waits for).
      const ring = w.files[id]!.ring!;
      for (let i = 0; i < ring.requests.length;) {
        const q = ring.requests[i]!;
        if (q.phase !== 'queued') { i++; continue; }
        ring.requests.splice(i, 1);
        if (!q.fixed) k.fput(w, q.file, `f${id}'s release cancels a request`);
      }
      if (ring.requests.length > 0) ring.dying = true;
      else k.io_ring_ctx_free(w, id);
    },
    io_ring_ctx_free(w, id) {
      const ring = w.files[id]!.ring!;
      if (ring.dying) ring.dying = false;
      if (!ring.dead) k.io_sqe_files_unregister(w, id);
      ring.dead = true;
    },

    scm_send(w, task, fds) {
      if (fds.length > SCM_MAX_FD) return 'EINVAL';
      return k.scm_fp_copy(w, task, fds);
    },
    scm_fp_copy(w, task, fds) {
      for (const fd of fds) if (fileIdAt(w, task, fd) === undefined) return 'EBADF';
      return undefined;
    },
    unix_attach_fds(w, files, receiver, why) {
      for (const f of files) k.fget(w, f, why);
      for (const f of files) k.unix_inflight(w, f);
      k.unix_add_edges(w, files, receiver);
    },
    unix_detach_fds(w, files, receiver, dead = false) {
      k.unix_del_edges(w, files, receiver, dead);
      for (const id of files) k.unix_notinflight(w, id);
    },
    unix_peek_fds(w, _task, files, why) {
      for (const file of files) k.fget(w, file, why);
    },
    unix_peek_fds_may_install() {
      return true;
    },
    unix_inflight(w, id) {
      k.lockGc(w);
      const s = k.unix_get_socket(w, id) as Draft<UnixSock> | null;
      if (!s) return;
      if (s.inflight++ === 0) w.gc.inflightList.push(id);
    },
    unix_notinflight(w, id) {
      k.lockGc(w);
      const s = k.unix_get_socket(w, id) as Draft<UnixSock> | null;
      if (!s) return;
      if (--s.inflight === 0) {
        const i = w.gc.inflightList.indexOf(id);
        if (i >= 0) w.gc.inflightList.splice(i, 1);
      }
    },
    unix_destruct_scm(w, skb, why, receiver, dead = false) {
      if (skb.pinned) w.reports.push({ kind: 'use-after-free', file: -1, what: `an skb freed (${why}) while a reader still points at it (bare skb pointer across the copy)` });
      k.unix_detach_fds(w, skb.fds, receiver, dead);
      for (const id of skb.fds) k.fput(w, id, why);
    },
    skb_queue_purge(w, sock, why, receiver) {
      if (sock.oobSkb) { const o = sock.oobSkb; sock.oobSkb = null; k.unix_destruct_scm(w, o, why, receiver); }
      while (sock.queue.length > 0) {
        const skb = sock.queue.shift()!;
        k.unix_destruct_scm(w, skb, why, receiver);
      }
    },
    unix_get_socket(w, id) {
      const f = w.files[id];
      if (!f) return null;
      return f.kind === 'unix' ? f.sock : null;
    },

    // No MSG_OOB (before 5.15): no OOB skb is ever queued.
    unix_oob_supported() { return false; },
    unix_read_index() { return 0; },
    manage_oob() { /* nothing to manage */ },

    unix_create1(w) {
      w.files.push({ kind: 'unix', f_count: 0, released: false, ring: null, sock: newSock('stream', 'embryo', null) } as Draft<World['files'][number]>);
      return w.files.length - 1;
    },
    unix_stream_connect_peer(w, client, listener, embryo) {
      const e = w.files[embryo]!.sock!;
      e.peer = client;
      e.listener = listener;
      const s = w.files[client]!.sock!;
      s.state = 'connected';
      s.peer = embryo;
    },
    unix_stream_connect_queue(w, listener, embryo) {
      w.files[listener]!.sock!.acceptQueue.push(embryo);
    },
    sk_setsockopt() { return 'ENOPROTOOPT'; },
    unix_check_scm_rights() { return undefined; },
    unix_accept(w, listener) {
      const embryo = w.files[listener]!.sock!.acceptQueue.shift()!;
      k.unix_update_edges(w, embryo);
      const e = w.files[embryo]!;
      e.sock!.state = 'connected';
      e.f_count = 1;
      return embryo;
    },
    // The GC's functions: the 2007 algorithm's (model/gc/unix-gc-2007.ts), installed by makeKernel; the
    // graph GC's (6.10) replace them (model/designs/linux-6.10.ts). Those of neither are these.
    unix_schedule_gc: (w) => totInflight(w, k) > 0,
    unix_update_edges: notInstalled, unix_gc: notInstalled, unix_gc_collect_skb: notInstalled, unix_gc_purge: notInstalled,
    unix_gc_select_candidate: notInstalled, scan_children: notInstalled, unix_gc_dec_inflight: notInstalled,
    unix_gc_restore: notInstalled, unix_gc_collect: notInstalled, unix_add_edges: notInstalled, unix_del_edges: notInstalled,
    unix_add_vertex: notInstalled, unix_edge_successor: notInstalled, unix_walk_scc: notInstalled,
    unix_walk_scc_fast: notInstalled, unix_vertex_dead: notInstalled, unix_scc_dead: notInstalled,
    unix_scc_cyclic: notInstalled, unix_collect_skb: notInstalled,

    io_ring_ctx_alloc() {
      return { table: null, ringSock: null, requests: [], dying: false, dead: false };
    },
    io_sqe_files_register(w, task, ringId, fds) {
      if (w.files[ringId]!.ring!.table !== null) return 'EBUSY';
      if (fds.length === 0) return 'EINVAL';
      // 5.1: every entry is fget'd; -1 is no file (EBADF). linux-5.14 has 5.5's sparse sets.
      for (const x of fds) {
        const id = fileIdAt(w, task, x);
        if (id === undefined || w.files[id]!.kind === 'io_uring') return 'EBADF';
      }
      return undefined;
    },
    io_sqe_files_scm() { /* the table's references are the registrations (the 2019 patch; 6.7 on) */ },
    // IORING_REGISTER_FILES_UPDATE came in 5.5 (c3a31e605620; linux-5.14 has it): before, the opcode is
    // __io_uring_register's default, EINVAL, after the dying-ring check (ENXIO) and with nothing changed.
    io_sqe_files_update() { return { ret: -1, errno: 'EINVAL' }; },
    io_sqe_file_register() { /* the slot keeps the caller's reference */ },
    io_rsrc_file_put(w, _ring, file, why) { k.fput(w, file, why); },
    io_sqe_files_unregister(w, id) {
      const ring = w.files[id]!.ring!;
      const table = ring.table ?? [];
      ring.table = null;
      for (const f of table) if (f !== null) k.fput(w, f, `unregister f${id}`);
    },
    io_table_borrows() { return false; },
    io_file_get_fixed(w, id, slot) {
      const table = w.files[id]?.ring?.table;
      if (!table || slot < 0 || slot >= table.length) return undefined;
      return table[slot] ?? undefined;
    },
  };
}

function notInstalled(): never {
  throw new Error('a GC function of an algorithm the design does not run');
}

// model/function-names.ts lists the same names for design.ts (which must not import this module).
{
  const names = Object.keys(modelFunctions({} as Kernel)).sort().join(' ');
  if (names !== [...FUNCTION_NAMES].sort().join(' ')) throw new Error(`model/function-names.ts is out of date: ${names}`);
}
export { FUNCTION_NAMES };

/** A user's function that throws is blamed on the design (DesignError); GcLockBusy is the model's own. */
function blamed<F>(design: string, f: F): F {
  const fn = f as unknown as (...a: unknown[]) => unknown;
  // As a hook is called: what it throws blames the design, and a Promise (an async override) is refused.
  return ((...a: unknown[]) => callDesignCode(design, () => fn(...a), (e) => e instanceof GcLockBusy)) as unknown as F;
}

export function makeKernel(design: Design): Kernel {
  const patches = switchPatches(design.switches);
  const gcAlgorithm = patches.gcAlgorithm;
  const k = {
    design,
    gcAlgorithm,
    lockGc(w: W) { if (gcLocked(w.gc)) throw GC_LOCK_BUSY; },
    unixGetSocket: (w: World, id: FileId) => k.unix_get_socket(w, id),
    unixGetSocketDraft: (w: W, id: FileId) => k.unix_get_socket(w as World, id) as Draft<UnixSock> | null,
    filpClose: (w: W, id: FileId, why: string) => k.filp_close(w, id, -1, why),
    unixInflight: (w: W, id: FileId) => k.unix_inflight(w, id),
    unixNotinflight: (w: W, id: FileId) => k.unix_notinflight(w, id),
    accountSkb: (w: W, fds: readonly FileId[], r: FileId) => { for (const id of fds) k.unix_inflight(w, id); k.unix_add_edges(w, fds, r); },
    unaccountSkb: (w: W, fds: readonly FileId[], r?: FileId, dead?: boolean) => k.unix_detach_fds(w, fds, r, dead),
    destructSkb: (w: W, skb: Skb, why: string, r?: FileId, dead?: boolean) => k.unix_destruct_scm(w, skb, why, r, dead),
    purgeQueue: (w: W, sock: Draft<UnixSock>, why: string, r?: FileId) => k.skb_queue_purge(w, sock, why, r),
    unixUpdateEdges: (w: W, e: FileId) => k.unix_update_edges(w, e),
    unregisterFiles: (w: W, id: FileId) => k.io_sqe_files_unregister(w, id),
  } as unknown as Kernel;
  const m = k as unknown as Record<string, unknown>;
  Object.assign(m, modelFunctions(k));
  Object.assign(m, gc2007Functions(k));
  for (const layer of [...patches.layers, ...design.layers]) {
    for (const [name, make] of Object.entries(layer.overrides)) {
      const f = (make as (k: Kernel, base: unknown) => unknown)(k, m[name]);
      if (typeof f !== 'function') throw new DesignError(layer.design, new Error(`the override of ${name} did not return a function`));
      m[name] = layer.trusted ? f : blamed(layer.design, f);
    }
  }
  return k;
}

/** The kernel of a design, made once (holders and pictures ask it what a ring's table owns). */
const kernels = new WeakMap<Design, Kernel>();
export function kernelOf(design: Design): Kernel {
  let k = kernels.get(design);
  if (!k) { k = makeKernel(design); kernels.set(design, k); }
  return k;
}

export type { Draft };
