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
import type { Kernel, KernelFunctions } from '../kernel.js';
import type { FileId, Skb, UnixSock, World } from '../world.js';

type W = Draft<World>;

/** unix_tot_inflight: in-flight entries that refer to sockets the GC can see. */
export function totInflight(w: World, k: Kernel): number {
  let n = 0;
  for (let id = 0; id < w.files.length; id++) {
    if (w.files[id]!.released) continue;
    const s = k.unix_get_socket(w, id);
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

/** The queues scan_children walks for u: its own, and for a listener those of the embryos on its accept
 *  queue, each with whose queue it is (an embryo's OOB skb is the embryo's u->oob_skb). */
function queuesOf(w: W, k: Kernel, u: FileId): { owner: FileId; queue: Draft<Skb>[] }[] {
  const sock = k.unix_get_socket(w as World, u) as Draft<UnixSock> | null;
  if (!sock) return [];
  const out = [{ owner: u, queue: sock.queue }];
  if (sock.state === 'listening') for (const e of sock.acceptQueue) out.push({ owner: e, queue: w.files[e]!.sock!.queue });
  return out;
}

/** Lock, the candidate list is empty again, clear gc_in_progress. */
export function gcFinish(w: W): void {
  w.gc.phase = 'idle';
  w.gc.toSelect = [];
  w.gc.candidates = [];
  w.gc.collected = [];
}

/** The 2007 GC's functions (model/kernel.ts documents each). */
export function gc2007Functions(k: Kernel): Pick<KernelFunctions,
  'unix_gc' | 'unix_gc_collect_skb' | 'unix_gc_purge' | 'unix_gc_select_candidate' | 'scan_children' | 'unix_gc_dec_inflight' |
  'unix_gc_restore' | 'unix_gc_collect' | 'unix_add_edges' | 'unix_del_edges' | 'unix_update_edges'> {
  const sock = (w: W, id: FileId) => k.unix_get_socket(w as World, id) as Draft<UnixSock>;
  return {
    unix_gc(w) {
      switch (w.gc.phase) {
        case 'idle': gcStart(w); if (w.gc.toSelect.length === 0) gcFinish(w); break;
        case 'select': {
          const id = w.gc.toSelect.shift()!;
          if (k.unix_gc_select_candidate(w as World, id)) w.gc.candidates.push(id);
          if (w.gc.toSelect.length === 0) w.gc.phase = 'scan';
          break;
        }
        case 'scan': {
          // Subtract, restore, collect, (6.1) requeue, unlock.
          const candidates = w.gc.candidates.slice();   // gc_candidates
          const isCand = new Set(candidates);            // UNIX_GC_CANDIDATE (kept until step 5 for not-cycle ones)
          const has = (f: FileId): boolean => isCand.has(f);
          k.unix_gc_dec_inflight(w, candidates);
          const garbage = k.unix_gc_restore(w, candidates);
          const hit = k.unix_gc_collect(w, garbage, has);
          w.gc.collected = garbage;
          w.gc.candidates = [];
          w.gc.hitlist = hit as Draft<Skb>[];
          // Step 8: unlock; the purge follows (or the run ends when nothing was hit).
          if (w.gc.hitlist.length === 0) gcFinish(w);
          else w.gc.phase = 'purge';
          break;
        }
        case 'purge': k.unix_gc_purge(w); break;
        default: throw new Error(`2007 GC in phase ${w.gc.phase}`);
      }
    },
    unix_gc_select_candidate(w, id) {
      const f = w.files[id]!;
      const s = k.unix_get_socket(w, id);
      return !f.released && s !== null && s.inflight > 0 && f.f_count === s.inflight;
    },
    scan_children(w, u, isCand, func) {
      for (const { queue } of queuesOf(w, k, u)) for (const skb of queue) for (const f of skb.fds) if (isCand(f)) func(f);
    },
    unix_gc_dec_inflight(w, candidates) {
      // Step 3: subtract the references that candidates' queues hold to candidates.
      const isCand = new Set(candidates);
      const has = (f: FileId): boolean => isCand.has(f);
      for (const u of candidates) k.scan_children(w, u, has, (c) => { sock(w, c).inflight--; });
    },
    unix_gc_restore(w, candidates) {
      // Step 4: whatever still has inflight > 0 is referenced from outside the candidate set: it and,
      // transitively, what its queue carries are not garbage (inc_inflight_move_tail re-examines children).
      const isCand = new Set(candidates);
      const has = (f: FileId): boolean => isCand.has(f);
      const maybe = new Set(candidates);             // UNIX_GC_MAYBE_CYCLE
      const list = candidates.slice();
      for (let cursor = 0; cursor < list.length;) {
        const u = list[cursor]!;
        if (sock(w, u).inflight > 0) {
          list.splice(cursor, 1);
          maybe.delete(u);
          k.scan_children(w, u, has, (c) => {
            sock(w, c).inflight++;
            if (maybe.has(c)) {
              const j = list.indexOf(c);
              if (j >= 0) { list.splice(j, 1); if (j < cursor) cursor--; list.push(c); }
            }
          });
        } else cursor++;
      }
      return list;
    },
    unix_gc_collect(w, garbage, isCand) {
      // Step 6 (before 5, as the kernel does): restore the counts and unlink into the hitlist every skb on a
      // garbage socket's queue that carries a candidate (UNIX_GC_CANDIDATE is still set on the not-cycle ones).
      const hit: Skb[] = [];
      const requeue: { skb: Skb; to: FileId }[] = [];
      for (const u of garbage) {
        for (const { owner, queue: q } of queuesOf(w, k, u)) {
          for (let i = 0; i < q.length;) {
            const skb = q[i]!;
            let wasHit = false;
            for (const f of skb.fds) if (isCand(f)) { wasHit = true; sock(w, f).inflight++; }
            if (!wasHit) { i++; continue; }
            q.splice(i, 1);
            k.unix_gc_collect_skb(w, owner, skb, hit, requeue);
          }
        }
      }
      // Step 7 (6.1 … 6.7): ring_sock skbs go back to the tail of their own queue: only the ring's release
      // may put registered files.
      for (const { skb, to } of requeue) sock(w, to).queue.push(skb as Draft<Skb>);
      return hit;
    },
    unix_gc_collect_skb: collectSkb(k),
    unix_gc_purge(w) {
      // One skb of the hitlist: its destructor runs (unix_notinflight + fput of every carried file).
      const skb = w.gc.hitlist.shift()!;
      k.unix_destruct_scm(w, skb, 'unix_gc purge');
      if (w.gc.hitlist.length === 0) gcFinish(w);
    },
    unix_add_edges() { /* no graph */ },
    unix_del_edges() { /* no graph */ },
    unix_update_edges(w, embryo) { w.files[embryo]!.sock!.listener = null; },
  };
}

/** Where a collected skb goes: the hitlist (shared by both algorithms; 6.1's requeue of ring_sock skbs
 *  and MSG_OOB's u->oob_skb are their designs' overrides of unix_gc_collect_skb). */
export function collectSkb(_k: Kernel): KernelFunctions['unix_gc_collect_skb'] {
  return (_w, _from, skb, hit) => { hit.push(skb); };
}
