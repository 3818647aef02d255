// The unix garbage collector of 2.6.23 … 6.9 (net/unix/garbage.c, "[AF_UNIX]: Rewrite garbage
// collector, fixes race."), as steps of the kernel actor, so that syscalls interleave with a run:
//   select  (one step per socket on gc_inflight_list, under unix_gc_lock): candidate if file_count == inflight
//   scan    (one step, still under the lock): subtract, restore, collect hit skbs, [6.1: requeue the
//           ring_sock skbs], then unlock
//   purge   (one step per hit skb, unlocked): the skb destructor's notinflight + fput, which may release
//           garbage sockets (purging their queues); the last one finishes the run.
// Subtract, restore and collect form one step because nothing they read can change while the lock is
// held: the only lock-free operations (MSG_PEEK's dup, close, dup, fork) change file counts, which only
// candidate selection reads.
//
// The GC sees only what unix_get_socket() answers for a file: an AF_UNIX socket, and, in designs that
// account registrations in flight, a ring file (as its ring_sock).
import type { Draft } from 'immer';
import type { Kernel } from '../kernel.js';
import type { FileId, Skb, World } from '../world.js';

type W = Draft<World>;

/** unix_tot_inflight: in-flight entries that refer to sockets the GC can see. */
export function totInflight(w: World, k: Kernel): number {
  let n = 0;
  for (let id = 0; id < w.files.length; id++) {
    if (w.files[id]!.released) continue;
    const s = k.unixGetSocket(w, id);
    if (s) n += s.inflight;
  }
  return n;
}

/** Lock, gc_in_progress, and the list that candidate selection will walk. */
export function gcStart(w: W): void {
  w.gc.phase = 'select';
  w.gc.toSelect = w.gc.inflightList.slice();
  w.gc.candidates = [];
  w.gc.collected = [];
}

/** Candidate selection of one socket of gc_inflight_list: a candidate when every reference to its file
 *  is an in-flight one (file_count == inflight). The count is read now, without any lock that a
 *  concurrent MSG_PEEK or close would take: that is the window of CVE-2021-0920. */
export function gcSelectOne(w: W, k: Kernel): void {
  const id = w.gc.toSelect.shift()!;
  const f = w.files[id]!;
  const s = k.unixGetSocket(w, id);
  if (!f.released && s && s.inflight > 0 && f.f_count === s.inflight) w.gc.candidates.push(id);
  if (w.gc.toSelect.length === 0) w.gc.phase = 'scan';
}

/** The queues scan_children walks for u: its own, and for a listener those of the embryos on its accept
 *  queue. */
function queuesOf(w: W, k: Kernel, u: FileId): Draft<Skb>[][] {
  const sock = k.unixGetSocketDraft(w, u);
  if (!sock) return [];
  const out = [sock.queue];
  if (sock.state === 'listening') for (const e of sock.acceptQueue) out.push(w.files[e]!.sock!.queue);
  return out;
}
/** Whose queue each of queuesOf's queues is (an embryo's OOB skb is the embryo's u->oob_skb). */
function ownersOf(w: W, k: Kernel, u: FileId): FileId[] {
  const sock = k.unixGetSocketDraft(w, u);
  return sock?.state === 'listening' ? [u, ...sock.acceptQueue] : [u];
}

/** Subtract, restore, collect, (6.1) requeue, unlock. */
export function gcScan(w: W, k: Kernel): void {
  const candidates = w.gc.candidates.slice();   // gc_candidates
  const isCand = new Set(candidates);            // UNIX_GC_CANDIDATE (kept until step 5 for not-cycle ones)
  const maybe = new Set(candidates);             // UNIX_GC_MAYBE_CYCLE
  const sock = (id: FileId) => k.unixGetSocketDraft(w, id)!;
  const scanChildren = (u: FileId, func: (child: FileId) => void): void => {
    for (const q of queuesOf(w, k, u)) for (const skb of q) for (const f of skb.fds) if (isCand.has(f)) func(f);
  };
  // Step 3: subtract the references that candidates' queues hold to candidates.
  for (const u of candidates) scanChildren(u, (c) => { sock(c).inflight--; });
  // Step 4: whatever still has inflight > 0 is referenced from outside the candidate set: it and,
  // transitively, what its queue carries are not garbage (inc_inflight_move_tail re-examines children).
  const list = candidates;
  for (let cursor = 0; cursor < list.length;) {
    const u = list[cursor]!;
    if (sock(u).inflight > 0) {
      list.splice(cursor, 1);
      maybe.delete(u);
      scanChildren(u, (c) => {
        sock(c).inflight++;
        if (maybe.has(c)) {
          const j = list.indexOf(c);
          if (j >= 0) { list.splice(j, 1); if (j < cursor) cursor--; list.push(c); }
        }
      });
    } else cursor++;
  }
  // Step 6 (before 5, as the kernel does): restore the counts and unlink into the hitlist every skb on a
  // garbage socket's queue that carries a candidate (UNIX_GC_CANDIDATE is still set on the not-cycle ones).
  const hit: Skb[] = [];
  const requeue: { skb: Skb; to: FileId }[] = [];
  for (const u of list) {
    const owners = ownersOf(w, k, u);
    for (const [j, q] of queuesOf(w, k, u).entries()) {
      for (let i = 0; i < q.length;) {
        const skb = q[i]!;
        let wasHit = false;
        for (const f of skb.fds) if (isCand.has(f)) { wasHit = true; sock(f).inflight++; }
        if (!wasHit) { i++; continue; }
        q.splice(i, 1);
        collectSkb(w, k, owners[j]!, skb, hit, requeue);
      }
    }
  }
  // Step 7 (6.1 … 6.7): ring_sock skbs go back to the tail of their own queue: only the ring's release
  // may put registered files.
  for (const { skb, to } of requeue) sock(to).queue.push(skb as Draft<Skb>);
  w.gc.collected = list;
  w.gc.candidates = [];
  w.gc.hitlist = hit as Draft<Skb>[];
  // Step 8: unlock; the purge follows (or the run ends when nothing was hit).
  if (w.gc.hitlist.length === 0) gcFinish(w);
  else w.gc.phase = 'purge';
}

/** Where a collected skb goes: the hitlist; back to its ring_sock (6.1 requeue); or, for an OOB skb
 *  when the GC does not drop u->oob_skb first, nowhere: the purge's kfree_skb drops the queue's reference
 *  only, and the skb lives on through u->oob_skb with everything it carries (the MSG_OOB leak). */
export function collectSkb(w: W, k: Kernel, from: FileId, skb: Draft<Skb>, hit: Skb[], requeue: { skb: Skb; to: FileId }[]): void {
  const design = k.design.switches;
  if (skb.scmIoUring && design.scmIoUringRequeue) { requeue.push({ skb, to: from }); return; }
  if (skb.oob) {
    const owner = k.unixGetSocketDraft(w, from)!;
    if (design.oob === 'leaky') { owner.oobSkb = skb; return; }
  }
  hit.push(skb);
}

/** One skb of the hitlist: its destructor runs (unix_notinflight + fput of every carried file). */
export function gcPurgeOne(w: W, k: Kernel): void {
  const skb = w.gc.hitlist.shift()!;
  k.destructSkb(w, skb, 'unix_gc purge');
  if (w.gc.hitlist.length === 0) gcFinish(w);
}

/** Lock, the candidate list is empty again, clear gc_in_progress. */
export function gcFinish(w: W): void {
  w.gc.phase = 'idle';
  w.gc.toSelect = [];
  w.gc.candidates = [];
  w.gc.collected = [];
}

/** The next step of a run in progress (2007 algorithm). */
export function gcStep2007(w: W, k: Kernel): void {
  switch (w.gc.phase) {
    case 'idle': gcStart(w); if (w.gc.toSelect.length === 0) gcFinish(w); break;
    case 'select': gcSelectOne(w, k); break;
    case 'scan': gcScan(w, k); break;
    case 'purge': gcPurgeOne(w, k); break;
    default: throw new Error(`2007 GC in phase ${w.gc.phase}`);
  }
}
