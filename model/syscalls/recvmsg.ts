// recvmsg(fd[, MSG_PEEK]) with room for the fds: takes the head skb of the socket's own queue.
// Without MSG_PEEK the skb is dequeued, its entries leave flight (unix_detach_fds: unix_notinflight,
// under unix_gc_lock) and their references move into new fds at the lowest free numbers. With MSG_PEEK
// the skb stays and every file gets an extra reference (unix_peek_fds → scm_fp_dup), without touching
// `inflight`, and then the fds are installed. Files that find no free fd are dropped (MSG_CTRUNC): fput.
//
// Sub-steps when a GC run is in progress (a run that starts later sees the references already taken and
// the skb off its queue, so nothing is lost by making the call one step then; docs/atomicity.md):
//  - MSG_PEEK on a datagram socket: dup, then `install fds`. Between them the design's peek guard acts:
//    `gc-lock` (5.14) waits for unix_gc_lock before installing; `seqcount` (2026) tells the graph GC a peek
//    happened. With `none`, a peeked candidate gets an fd while the GC thinks it is garbage (CVE-2021-0920).
//  - a stream read (unix_stream_read_generic) picks the head skb under unix_state_lock, then copies from
//    it holding only the socket's iolock: a bare pointer (the skb's `pinned` flag). Without MSG_PEEK it
//    then `consume`s the skb (unix_detach_fds under unix_gc_lock, then skb_unlink); with MSG_PEEK the
//    `copy` stage ends in unix_peek_fds(), which reads UNIXCB(skb).fp through that pointer (after the
//    consume_skb of its own skb_get), then `install fds`. If the GC frees the skb in between, the
//    consume or the dup is a use-after-free.
//  - a datagram read without MSG_PEEK of an skb that carries fds: __skb_try_recv_datagram unlinks the skb
//    under the queue lock (`recvmsg` itself), and only later unix_detach_fds / scm_stat_del's
//    unix_del_edges take it out of flight under unix_gc_lock (`detach`, which then installs the fds): the
//    dequeue does not wait for a GC that holds unix_gc_lock, the detach does. The dequeued skb's entries
//    stay in flight in the task's hands meanwhile (the pending call's `cookie`).
// A datagram reader holds u->iolock from its dequeue (or peek) to its return: another reader of the same
// socket waits (unix_dgram_recvmsg).
//
// An OOB skb at the head of a stream queue (the receiver's u->oob_skb; sendmsg.ts): a read without MSG_OOB
// never returns the OOB byte (manage_oob, not SO_OOBINLINE). Without MSG_PEEK it unlinks that skb first and
// reads on from the next one (none: EAGAIN, or 0 once the peer is gone — the OOB skb is unlinked all the
// same). What becomes of the unlinked skb depends on the kernel:
//  - `leaky` designs (5.15 … early 2024, 314001f0bf92's manage_oob): only the queue's reference is dropped;
//    u->oob_skb keeps the skb, and with it its SCM entries, in flight (`oobSkb`), until a MSG_OOB read
//    (not modelled), the next OOB skb, or the socket's release frees it;
//  - `fixed` designs (v6.18's manage_oob, since "af_unix: Clear stale u->oob_skb." of Apr 2024): the skb
//    is freed (kfree_skb): its fds are put, not installed.
// With MSG_PEEK, `fixed` kernels skip the OOB skb (skb_peek_next) and peek at the next one; the 5.15 code
// peeked at the OOB skb like at any other (`leaky`). The model's peek follows the design's `oob` switch;
// the 6.8/6.9 kernels in between (GC fixed, reads still leaving u->oob_skb set) are not modelled apart.
import type { Draft } from 'immer';
import { err, inProgress, ok, type Continuation, type Result, type Syscall } from '../step.js';
import { fileIdOf, fileOf, installFd, openFds, taskAlive } from './util.js';
import { FD_BASE, lowestFreeSlots, type FileId, type Pending, type Skb, type World } from '../world.js';
import type { Kernel } from '../kernel.js';

type RecvPending = Extract<Pending, { kind: 'recvmsg' }>;

/** Does this call run in sub-steps? Only while a GC run is in progress, and for a datagram read without
 *  MSG_PEEK only when the skb carries fds (otherwise nothing of it waits for unix_gc_lock). */
const split = (w: World, peek: boolean, type: string, head: Skb): boolean =>
  w.gc.phase !== 'idle' && (peek || type === 'stream' || head.fds.length > 0);

/** The sub-step a recvmsg in progress is at. The pending record says it without a stage field of its own:
 *  a stream peek that has not dup'ed yet holds nothing (`copy`), one that has holds the dup'ed references
 *  (`install fds`; a stream peek whose skb carried no fd returns at once); a datagram read without
 *  MSG_PEEK holds the dequeued skb's entries (`detach`). */
export const RECV_STAGES = ['copy', 'install fds', 'consume', 'detach'] as const;
export function recvStage(w: World, p: RecvPending): (typeof RECV_STAGES)[number] {
  const stream = w.files[p.sock]!.sock!.type === 'stream';
  if (p.peek) return stream && p.cookie.length === 0 ? 'copy' : 'install fds';
  return stream ? 'consume' : 'detach';
}

/** u->iolock of a datagram socket, held by another task's recvmsg in progress on it. */
const dgramIolockHeld = (w: World, t: number, sock: number): boolean =>
  w.files[sock]!.sock!.type !== 'stream' &&
  w.tasks.some((task, i) => i !== t && task.alive && task.pending?.kind === 'recvmsg' && task.pending.sock === sock);

/** The result of installing `n` fds in task t: the lowest free numbers (fewer when the table is full). */
const installResult = (w: World, t: number, n: number): Result =>
  ok(1, lowestFreeSlots(w.tasks[t]!, n).map((s) => s + FD_BASE));

/** Install the references `files` owns into the fds of `r`; those that found no fd are put. */
function install(w: Draft<World>, t: number, files: readonly FileId[], r: Result, k: Kernel, why: string): void {
  const fds = r.fds ?? [];
  files.forEach((file, i) => {
    const fd = fds[i];
    if (fd !== undefined) installFd(w, t, fd, file, false);
    else k.fput(w, file, why);
  });
}

export const recvmsg: Syscall<'recvmsg'> = {
  name: 'recvmsg',
  actor: 'task',
  explore(w, t) {
    return openFds(w, t)
      .filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type !== 'ring_sock' && s.state !== 'listening' && s.queue.length > 0; })
      .flatMap((fd) => [{ fd, peek: false }, { fd, peek: true }]);
  },
  guard(w, t, { fd, peek }, { k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const sock = f.sock!;
    if (sock.state === 'listening' || sock.state === 'unconnected') return err(sock.type === 'stream' ? 'EINVAL' : 'EAGAIN');
    const head = sock.queue[k.unix_read_index(w, fileIdOf(w, t, fd)!, peek)];
    // An empty stream socket whose peer was released reads EOF (unix_release_sock set its
    // sk_shutdown); a dgram socket, or a stream socket with a live peer, has nothing yet: EAGAIN
    // (MSG_DONTWAIT). Not modelled: the one-shot ECONNRESET when the peer was released with unread data.
    // A stream read holds u->iolock from its pick to its consume: another reader (a task's split read, an
    // io_uring recv that pinned the head skb) makes this one wait.
    if (sock.type === 'stream' && sock.queue.some((s) => s.pinned)) return undefined;
    if (dgramIolockHeld(w, t, fileIdOf(w, t, fd)!)) return undefined;
    if (!head) return sock.type === 'stream' && sock.peer === null ? ok(0) : err('EAGAIN');
    if (split(w, peek, sock.type, head)) return inProgress;
    return installResult(w, t, head.fds.length);
  },
  recipe(w, t, { fd, peek }, r, { k }) {
    if (r.errno && r.errno !== 'EAGAIN') return;
    const why = `recvmsg(${fd}) by T${t}`;
    const id = fileIdOf(w, t, fd)!;
    const sock = w.files[id]!.sock!;
    if (!peek) k.manage_oob(w, id, why);
    if (r.errno) return;
    const at = k.unix_read_index(w, id, peek);
    if (sock.queue.length <= at) return;   // EOF: nothing received
    const head = sock.queue[at]!;
    if (r.pending) {
      if (sock.type === 'stream') {
        // The pick: a bare pointer to the skb, for the copy (and a peek's dup) that follows.
        head.pinned = true;
        w.tasks[t]!.pending = { kind: 'recvmsg', fd, sock: id, peek, cookie: [] };
      } else if (peek) {
        k.unix_peek_fds(w, t, head.fds, why);
        w.tasks[t]!.pending = { kind: 'recvmsg', fd, sock: id, peek, cookie: head.fds.slice() };
      } else {
        // The dequeue: the skb leaves the queue; its entries stay in flight until the detach.
        const [skb] = sock.queue.splice(at, 1);
        w.tasks[t]!.pending = { kind: 'recvmsg', fd, sock: id, peek, cookie: skb!.fds.slice() };
      }
      return;
    }
    if (peek) {
      k.unix_peek_fds(w, t, head.fds, why);
      install(w, t, head.fds, r, k, why);
      return;
    }
    const skb = sock.queue.shift()!;
    k.unix_detach_fds(w, skb.fds, id);
    install(w, t, skb.fds, r, k, why);
  },
  format: ({ fd, peek }) => `recvmsg(${fd}${peek ? ', MSG_PEEK' : ''})`,
};

/** The skb a stream reader pinned, if it is still on the queue (the GC may have unlinked and freed it). */
const pinnedSkb = (w: World, p: RecvPending): Skb | undefined => w.files[p.sock]!.sock!.queue.find((s) => s.pinned);

export const recvmsgContinuation: Continuation<RecvPending> = {
  stages: RECV_STAGES,
  call: (p) => `recvmsg(${p.fd}${p.peek ? ', MSG_PEEK' : ''})`,
  stage: (p, w) => recvStage(w, p),
  guard(w, t, p, { k }) {
    switch (recvStage(w, p)) {
      case 'install fds':
        // 5.14's barrier (spin_lock(&unix_gc_lock); spin_unlock(&unix_gc_lock)) before installing, if any.
        if (!k.unix_peek_fds_may_install(w, t)) return undefined;
        return installResult(w, t, p.cookie.length);
      case 'copy': {
        // The dup through the pointer; the fds are installed by the next stage (after the barrier).
        const skb = pinnedSkb(w, p);
        return skb && skb.fds.length > 0 ? inProgress : ok(1);
      }
      case 'detach':
        // unix_detach_fds takes unix_gc_lock: while the GC holds it, the dry run finds the step blocked.
        return installResult(w, t, p.cookie.length);
      case 'consume': {
        const skb = pinnedSkb(w, p);
        return skb ? installResult(w, t, skb.fds.length) : ok(1);
      }
    }
  },
  recipe(w, t, p, r, { k }) {
    const why = `recvmsg(${p.fd}) by T${t}`;
    const stage = recvStage(w as World, p);
    w.tasks[t]!.pending = null;
    if (stage === 'install fds') { install(w, t, p.cookie, r, k, why); return; }
    if (stage === 'detach') { k.unix_detach_fds(w, p.cookie, p.sock); install(w, t, p.cookie, r, k, why); return; }
    const queue = w.files[p.sock]!.sock!.queue;
    const i = queue.findIndex((s) => s.pinned);
    if (i < 0) return;   // the skb was freed under the reader: reported as a use-after-free when it was
    if (stage === 'copy') {
      const skb = queue[i]!;
      skb.pinned = false;
      k.unix_peek_fds(w, t, skb.fds, why);
      if (r.pending) w.tasks[t]!.pending = { ...p, cookie: skb.fds.slice() };
      return;
    }
    const [skb] = queue.splice(i, 1);
    skb!.pinned = false;
    k.unix_detach_fds(w, skb!.fds, p.sock);
    install(w, t, skb!.fds, r, k, why);
  },
};
