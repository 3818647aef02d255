// The 2019 debate answered another way (docs/patch-designs.md): keep counted registrations (seed-2019), and
// teach the 2007 unix GC to see rings and their registered tables. unix_get_socket() sees a ring through a
// unix_sock of its own that only the GC uses; a socket registered in a ring's table counts that slot as an
// internal reference; scan_children() walks a ring's table as it walks a queue. Al Viro's cycle (ring ->
// registered socket -> skb carrying the ring's fd) is then garbage, and the GC collects it.
//   npx inflight check --design examples/gc-sees-ring-tables.ts
import type { Draft } from 'immer';
import { defineDesign, type FileId, type World } from 'inflight/design';

/** The files in u's registered table (none if u is not a live ring). */
const table = (w: World, u: FileId) => (w.files[u]!.released ? [] : w.files[u]!.ring?.table ?? []).filter((x) => x !== null);
/** How many slots of live rings' tables hold u: references the GC now knows to be internal. */
const slots = (w: World, u: FileId) => w.files.reduce((n, _f, r) => n + table(w, r).filter((x) => x === u).length, 0);
/** The unix_sock the GC counts u's in-flight references in (a ring's own, with this patch). */
const gcSock = (w: Draft<World>, u: FileId) => w.files[u]!.sock ?? w.files[u]!.ring!.ringSock!;

export default defineDesign({
  name: 'gc-sees-ring-tables',
  summary: 'counted registrations; the 2007 GC sees rings (unix_get_socket) and walks their tables (scan_children)',
  base: 'seed-2019',
  overrides: {
    io_ring_ctx_alloc: (_k, base) => (w) => ({ ...base(w),
      ringSock: { type: 'ring_sock', state: 'unconnected', peer: null, listener: null, acceptQueue: [], queue: [], oobSkb: null, inflight: 0, addr: null, reset: false } }),
    unix_get_socket: (_k, base) => (w, f) => (w.files[f]?.kind === 'io_uring' ? w.files[f]!.ring!.ringSock : base(w, f)),
    // A run examines the sockets registered in rings too (gc_inflight_list has only those in flight).
    unix_gc: (_k, base) => (w) => {
      const starting = w.gc.phase === 'idle';
      base(w);
      const more = w.files.map((_f, u) => u).filter((u) => starting && w.files[u]!.kind === 'unix' && slots(w, u) > 0 && !w.gc.toSelect.includes(u));
      if (more.length > 0) { w.gc.toSelect.push(...more); w.gc.phase = 'select'; }
    },
    // A candidate: every reference to its file is in flight or in a table slot.
    unix_gc_select_candidate: (_k, base) => (w, u) =>
      w.files[u]!.kind !== 'unix' || slots(w, u) === 0 ? base(w, u) : !w.files[u]!.released && w.files[u]!.f_count === w.files[u]!.sock!.inflight + slots(w, u),
    scan_children: (_k, base) => (w, u, isCand, func) => {
      base(w, u, isCand, func);
      for (const c of table(w, u)) if (isCand(c)) func(c);
    },
    // The scan counts a candidate's slots in its inflight; collection restores the counts, then takes them out.
    unix_gc_dec_inflight: (_k, base) => (w, cands) => {
      for (const u of cands) gcSock(w, u).inflight += slots(w, u);
      base(w, cands);
    },
    unix_gc_collect: (_k, base) => (w, garbage, isCand) => {
      const hit = base(w, garbage, isCand);
      for (const u of garbage) for (const c of table(w, u)) if (isCand(c)) gcSock(w, c).inflight++;
      for (const u of w.gc.candidates) gcSock(w, u).inflight -= slots(w, u);
      return hit;
    },
  },
  expected: { 'no-leak': 'holds', 'gc-releases-ring-cycle': 'found' },
});
