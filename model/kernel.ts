// Kernel primitives shared by every syscall: fget/fput, ->release, ->flush, in-flight accounting.
// They mutate a draft world; each is the one place where its kernel function's semantics live.
import type { Draft } from 'immer';
import { callHook, type Design } from './design.js';
import { FD_BASE, type FileId, type Skb, type TaskId, type UnixSock, type World } from './world.js';

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
  /** unix_inflight()/unix_notinflight(): SCM accounting of one entry of an SCM_RIGHTS list. */
  unixInflight(w: W, file: FileId): void;
  unixNotinflight(w: W, file: FileId): void;
  /** The skb destructor (unix_destruct_scm): un-account and fput every carried file. */
  destructSkb(w: W, skb: Skb, why: string): void;
  /** skb_queue_purge(): dequeue and destroy every skb, one at a time. */
  purgeQueue(w: W, sock: Draft<UnixSock>, why: string): void;
  /** Drop the ring's registered files (__io_sqe_files_unregister). */
  unregisterFiles(w: W, ring: FileId): void;
}

export function makeKernel(design: Design): Kernel {
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
      const s = k.unixGetSocketDraft(w, id);
      if (s) s.inflight++;
    },
    unixNotinflight(w, id) {
      const s = k.unixGetSocketDraft(w, id);
      if (s) s.inflight--;
    },
    destructSkb(w, skb, why) {
      for (const id of skb.fds) k.unixNotinflight(w, id);
      for (const id of skb.fds) k.fput(w, id, why);
    },
    purgeQueue(w, sock, why) {
      while (sock.queue.length > 0) {
        const skb = sock.queue.shift()!;
        k.destructSkb(w, skb, why);
      }
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
        for (const f of table) k.fput(w, f, `unregister f${id}`);
      }
    },
  };

  /** ->release: runs exactly once, when f_count reaches zero. */
  function release(w: W, id: FileId): void {
    const f = w.files[id]!;
    f.released = true;
    if (f.kind === 'unix') {
      // unix_release_sock(): the peer loses its peer, the own receive queue is purged.
      const sock = f.sock!;
      if (sock.peer !== null) {
        const peer = w.files[sock.peer]!;
        if (peer.sock && peer.sock.peer === id) peer.sock.peer = null;
        sock.peer = null;
      }
      k.purgeQueue(w, sock, `release of f${id}`);
    } else if (f.kind === 'io_uring') {
      const releaseRing = design.hooks.releaseRing;
      if (releaseRing) callHook(design, () => releaseRing(w, id, k));
      else {
        // io_ring_ctx_wait_and_kill → io_ring_ctx_free: drop the registered files, free the ring_sock.
        if (!f.ring!.dead) k.unregisterFiles(w, id);
        f.ring!.dead = true;
      }
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
