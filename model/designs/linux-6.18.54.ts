// 6.18.54: linux-6.18 + "af_unix: Unify scc_index when finalising SCC in __unix_walk_scc()" — upstream
// 4a4263dfeaba (netdev/net, merge 433cfc302561 "Merge branch 'af_unix-fix-inconsistent-scc_index'",
// 2026-09-15), in the 6.18.y stable queue as 4e5981ef96ff (linux-stable-rc linux-6.18.y push of
// 2026-09-23), for 6.18.54; its selftest is b645ccd41054 "selftest: af_unix: Add test case with mixed
// lowpoint in scm_rights.c" (scenarios/selftest-mixed_lowpoint.json). How we know: the commit ids and
// subjects from the netdev/net and linux-stable-rc post-receive mails; the selftest's graph from
// tools/testing/selftests/net/af_unix/scm_rights.c of torvalds/linux at 0b9828c7231e; __unix_walk_scc()
// before the fix from net/unix/garbage.c (gregkh/linux 20aa894d475b, and e5b31d988a41's diff, which moved
// the dead loop into unix_scc_dead()). The fix's own diff was not reachable from here: what it does is
// taken from its subject and the issue (14) that describes it: every member of a finalised SCC gets the
// root's scc_index before the SCC is judged.
//
// The bug (linux-6.10, linux-6.18): __unix_walk_scc() lowers scc_index to a successor's *current*
// scc_index (a lowlink), and uses that lowlink as the SCC's id in unix_vertex_dead()
// (`next_vertex->scc_index != vertex->scc_index` → not dead). A member whose back edge leads to a vertex
// that had not yet dropped to the root's value keeps a larger one, so the SCC is never found dead — not by
// this walk, nor by the fast walks after it, which reuse the values. The real 6.18.44 kernel of this machine
// leaks so (oracle/hand.ts KERNEL_LEAKS gc-scc-leak-min, and the selftest's mixed_lowpoint: 0→1, 1→2, 2→1,
// 1→0 gives scc_index 2, 2, 3); 6.18.54 should not (not run here: no such kernel on this machine).
import { defineDesign, type Overrides } from '../design.js';
import type { Scc } from '../world.js';

/** __unix_walk_scc() with 4a4263dfeaba: when an SCC is finalised (index == scc_index at its root), every
 *  member's scc_index becomes the root's before unix_scc_dead() / unix_vertex_dead() judge it. The model's
 *  walk (`unix_walk_scc`) returns the SCCs in finalisation order, root first; setting the values on its
 *  result is the same as setting them at each finalisation: a finalised SCC's members are off the stack
 *  (grouped), and the rest of the walk never reads a grouped vertex's scc_index. The fast walk
 *  (unix_walk_scc_fast) reuses these values while the graph stays grouped, so it is right too. */
export const unifySccIndex: Overrides = {
  unix_walk_scc: (_k, base) => (w) => {
    const r = base(w);
    const unify = (c: Scc): Scc => ({ members: c.members.slice(), sccIndex: c.members.map(() => c.sccIndex[0]!) });
    return { sccs: r.sccs.map(unify), visited: r.visited };
  },
};

export default defineDesign({
  name: 'linux-6.18.54',
  summary: '6.18.54: linux-6.18 + every member of an SCC gets the root\'s scc_index (4a4263dfeaba): the graph GC collects the SCCs 6.18 leaks',
  base: 'linux-6.18',
  overrides: unifySccIndex,
  // Verdicts at the default bounds: linux-6.18's, and the same states. The bug needs an SCC of three
  // sockets or more (in an SCC of two the second vertex can only drop to the root's index); with 3 files
  // and socketpair the only socket call there, at most two sockets are ever in flight. The scenario
  // selftest-mixed_lowpoint is where 6.18's no-leak is violated and this design's holds.
  expected: {},
  source: 'linux-6.18 + 4a4263dfeaba (6.18.y: 4e5981ef96ff, 6.18.54) "af_unix: Unify scc_index when finalising SCC in __unix_walk_scc()"; selftest b645ccd41054',
});
