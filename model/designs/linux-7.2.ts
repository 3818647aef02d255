// 7.2: linux-6.18.54 (the graph GC with e5b31d988a41's MSG_PEEK seqcount and 4a4263dfeaba's scc_index fix,
// which 7.2.y carries: issue 14) + Kuniyuki Iwashima's GC series of Nov 2025 (net-next, merge cbf4d314acef
// "Merge branch 'af_unix-gc-cleanup-and-optimisation'", in 6.19) + d82ba05263c6 (net, May 2026, in 7.1).
// How we know: no kernel tree could be fetched here (torvalds/linux and gregkh/linux are larger than a
// fetch may bring), so nothing below was read from a 7.x tree. What was read: the series' patches as posted
// to netdev ([PATCH v1 net-next 1/7 … 7/7], message ids 20251115020935.2643121-{2..8}-kuniyu@google.com),
// the commit ids from the net-next merge list, 6.18-stable review mails of 58b47c713711, 6b6f3c71fe56 and
// d82ba05263c6 (the last with its diff against the 7.x unix_gc()/unix_schedule_gc() and against 6.18.y's
// __unix_gc()). The series' code is thus that of the patches, applied in order; the name 7.2 comes from the
// issue's statement that 7.2.y has 4a4263dfeaba. Later 7.x changes to these paths are not known here.
//
// Per commit, what the model sees:
//  58b47c713711 "af_unix: Count cyclic SCC." — unix_graph_cyclic_sccs: the Tarjan walk counts live cyclic
//    SCCs, the fast walk subtracts the dead ones instead of asking unix_scc_cyclic() again. Not observable:
//    while grouped, no SCC can become cyclic or stop being so without unix_update_graph() (an edge added or
//    removed whose successor is in flight, or accept's unix_update_edges), which ungroups; so the count is
//    non-zero exactly when the model's recomputed maybeCyclic is true. (Also in 6.18.y already, as a
//    Stable-dep-of e5b31d988a41, so in the base's kernel too.)
//  6b6f3c71fe56 "af_unix: Simplify GC state." — maybe_cyclic and grouped become one tristate
//    (NOT_CYCLIC, MAYBE_CYCLIC, CYCLIC). Not observable: a renaming. NOT_CYCLIC ⇔ !gc.maybeCyclic,
//    MAYBE_CYCLIC ⇔ maybeCyclic && !grouped, CYCLIC ⇔ maybeCyclic && grouped; the one pair it merges,
//    (false, false) with (false, true), differs only in state that the next walk — always a Tarjan walk,
//    since only unix_update_graph() leaves NOT_CYCLIC — rewrites. (Also in 6.18.y, as above.)
//  da8fc7a39be8 "af_unix: Don't trigger GC from close() if unnecessary." — unix_release_sock() no longer
//    calls unix_gc() when unix_tot_inflight != 0, but unix_schedule_gc(), which queues a run only when
//    unix_graph_state != NOT_CYCLIC and gc_in_progress is false. MODELLED: override unix_schedule_gc below.
//  384900542dc8 "af_unix: Don't call wait_for_unix_gc() on every sendmsg()." — the sendmsg-side trigger
//    moves to unix_prepare_fpl() (only when AF_UNIX fds are passed). Not observable: that trigger runs the
//    GC only for a user with UNIX_INFLIGHT_SANE_USER (SCM_MAX_FD * 8) fds in flight, and (before e29c7a4c)
//    past 16000 sockets in flight: far beyond any bounds.
//  e29c7a4cec86 "af_unix: Refine wait_for_unix_gc()." — the sendmsg-side trigger asks unix_graph_state
//    instead of unix_tot_inflight, and waits (flush_work) only when the last run left a cyclic SCC. Not
//    observable, as above: it needs a user with 2024 fds in flight; the model has no such sender, and no
//    step that waits for a run.
//  ab8b23150abc "af_unix: Remove unix_tot_inflight." — the counter is gone. Not observable by itself: its
//    last reader went with da8fc7a39be8 and e29c7a4cec86; the model's totInflight stays the base's trigger.
//  24fa77dad25c "af_unix: Consolidate unix_schedule_gc() and wait_for_unix_gc()." — one unix_schedule_gc
//    (user), NULL from close(). Not observable beyond da8fc7a39be8: close()'s path is the same condition.
//  d82ba05263c6 "af_unix: Set gc_in_progress to true in unix_gc()." — gc_in_progress is set by the work
//    function itself, so that a run queued again while one ran does not run with it false (which made
//    unix_peek_fpl() skip its seqcount bump: e5b31d988a41's guard). Not observable: the model has no work
//    queue; its trigger and its run's start are one step, and its gc_in_progress (gc.phase !== 'idle', read
//    by linux-6.18's unix_peek_fds) is true for exactly the run — what the kernel has with d82ba05263c6.
//    (So the designs before it are as lenient as this one here: they cannot show the race it fixes.)
import { defineDesign, type Overrides } from '../design.js';

/** unix_schedule_gc(NULL) from unix_release_sock() (da8fc7a39be8, 24fa77dad25c): a run is queued when
 *  unix_graph_state != UNIX_GRAPH_NOT_CYCLIC — the model's gc.maybeCyclic — whatever is in flight; the
 *  caller (gcMayStart) adds `!gc_in_progress`. Against the base this removes the runs that started with
 *  something in flight but the graph known acyclic (they skipped at once: no state changes, only a GC step
 *  that did nothing), and adds runs after everything left flight while the graph was still maybe-cyclic
 *  (a walk over no vertices, leaving the graph NOT_CYCLIC and grouped: a state of its own). */
export const scheduleGcWhenCyclic: Overrides = {
  unix_schedule_gc: () => (w) => w.gc.maybeCyclic,
};

export default defineDesign({
  name: 'linux-7.2',
  summary: '7.2: linux-6.18.54 + the Nov 2025 GC series: close() triggers the GC only while the graph may be cyclic (da8fc7a39be8); d82ba05263c6',
  base: 'linux-6.18.54',
  overrides: scheduleGcWhenCyclic,
  // Verdicts at the default bounds: linux-6.18.54's (a trigger only restricts runs that did nothing, and
  // adds runs over an empty graph). The state count differs: see test/designs.test.ts.
  expected: {},
  source: 'linux-6.18.54 + net-next cbf4d314acef (58b47c713711, 6b6f3c71fe56, da8fc7a39be8, 384900542dc8, e29c7a4cec86, ab8b23150abc, 24fa77dad25c) + d82ba05263c6, as posted to netdev / stable (no 7.x tree read)',
});
