// The unix garbage collector of 2.6.23 … 6.9 (net/unix/garbage.c, "[AF_UNIX]: Rewrite garbage
// collector, fixes race."). Written as its phases, each over the draft world and the GC state kept in
// it, so that a run can later be split into interleavable steps; today `unixGc` runs them in one step.
//
// The GC sees only what unix_get_socket() answers for a file: an AF_UNIX socket, and, in designs
// that account registrations in flight, a ring file (as its ring_sock).
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

/** Steps 1–2: lock, gc_in_progress, and candidate selection: every socket on gc_inflight_list
 *  (inflight > 0) all of whose references are in-flight ones (file_count == inflight). */
export function gcSelectCandidates(w: W, k: Kernel): void {
  w.gc.inProgress = true;
  for (let id = 0; id < w.files.length; id++) {
    const f = w.files[id]!;
    if (f.released) continue;
    const s = k.unixGetSocket(w, id);
    if (!s || s.inflight === 0) continue;
    if (f.f_count === s.inflight) { w.gc.candidates.push(id); w.gc.maybeCycle.push(id); }
  }
}

/** scan_children → scan_inflight: for every skb on u's queue, call `func` for each carried file that is
 *  a candidate; with `hit`, unlink every skb that carried at least one candidate. */
function scanChildren(w: W, k: Kernel, u: FileId, func: (child: FileId) => void, hit?: Skb[]): void {
  const sock = k.unixGetSocketDraft(w, u);
  if (!sock) return;
  const keep: Skb[] = [];
  for (const skb of sock.queue) {
    let wasHit = false;
    for (const f of skb.fds) {
      // UNIX_GC_CANDIDATE: on gc_candidates, or moved to not_cycle_list and not yet cleared (step 5).
      if (w.gc.candidates.includes(f) || w.gc.notCycle.includes(f)) { wasHit = true; func(f); }
    }
    if (wasHit && hit) hit.push(skb); else keep.push(skb);
  }
  if (hit) sock.queue = keep as Draft<Skb>[];
}

/** Step 3: subtract the references that candidates' queues hold to candidates. */
export function gcSubtract(w: W, k: Kernel): void {
  for (const u of w.gc.candidates) scanChildren(w, k, u, (c) => { k.unixGetSocketDraft(w, c)!.inflight--; });
}

/** Step 4: whatever still has inflight > 0 is referenced from outside the candidate set: it and,
 *  transitively, everything its queue carries are not garbage. */
export function gcRestore(w: W, k: Kernel): void {
  const list = w.gc.candidates;
  const maybe = w.gc.maybeCycle;
  let cursor = 0;
  while (cursor < list.length) {
    const u = list[cursor]!;
    if (k.unixGetSocketDraft(w, u)!.inflight > 0) {
      list.splice(cursor, 1);
      w.gc.notCycle.push(u);
      maybe.splice(maybe.indexOf(u), 1);
      scanChildren(w, k, u, (c) => {
        k.unixGetSocketDraft(w, c)!.inflight++;
        // inc_inflight_move_tail: a child that may still be in a cycle is (re)examined.
        if (maybe.includes(c)) {
          const j = list.indexOf(c);
          list.splice(j, 1);
          if (j < cursor) cursor--;
          list.push(c);
        }
      });
    } else {
      cursor++;
    }
  }
}

/** Steps 6 and 5 (in the kernel's order): what remains is garbage: restore its counts and unlink every
 *  hit skb into the hitlist; then the not-cycle sockets lose their candidate flag. */
export function gcCollect(w: W, k: Kernel): void {
  const hit: Skb[] = [];
  for (const u of w.gc.candidates) scanChildren(w, k, u, (c) => { k.unixGetSocketDraft(w, c)!.inflight++; }, hit);
  w.gc.hitlist = hit as Draft<Skb>[];
  w.gc.notCycle = [];
}

/** Steps 8–9: unlock, purge the hitlist (the skb destructors fput the carried files, releasing
 *  garbage sockets, which purge their own queues), finish. */
export function gcPurge(w: W, k: Kernel): void {
  while (w.gc.hitlist.length > 0) {
    const skb = w.gc.hitlist.shift()!;
    k.destructSkb(w, skb, 'unix_gc purge');
  }
  w.gc.candidates = [];
  w.gc.maybeCycle = [];
  w.gc.inProgress = false;
}

/** One complete GC run. */
export function unixGc(w: W, k: Kernel): void {
  if (w.gc.inProgress) return;
  gcSelectCandidates(w, k);
  gcSubtract(w, k);
  gcRestore(w, k);
  gcCollect(w, k);
  gcPurge(w, k);
}
