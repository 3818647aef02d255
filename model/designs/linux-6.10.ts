// 6.10: Kuniyuki Iwashima's GC rewrite — vertices and edges kept on send/recv, Tarjan's SCCs, an SCC is
// dead when every member's references are its in-flight edges; dead SCCs' queues are collected whole.
// The rewrite removed 5.14's MSG_PEEK lock dance (118f457da9ed), which brought CVE-2021-0920's race back
// (CVE-2026-23394). The MSG_OOB GC fix (aa82ac51d633, Feb 2024) is in.
// The switches `gc: 'graph'` and `oob: 'fixed'` stand for the patches below
// (model/designs/switch-patches.ts).
import { defineDesign, type Overrides } from '../design.js';
import { GRAPH_GC_FUNCTIONS, graphGcFunctions } from '../gc/unix-gc-graph.js';

/** gc: 'graph' — the rewrite of net/unix/garbage.c: unix_add_edges / unix_del_edges / unix_update_edges
 *  keep vertices and edges, and the GC is __unix_gc over them (Tarjan's walk, the fast walk over grouped
 *  SCCs, unix_vertex_dead, unix_collect_skb). The code is model/gc/unix-gc-graph.ts; this installs it in
 *  place of the 2007 GC. */
export const graphGc: Overrides = Object.fromEntries(
  GRAPH_GC_FUNCTIONS.map((name) => [name, (k: Parameters<typeof graphGcFunctions>[0]) => graphGcFunctions(k)[name]]),
) as Overrides;

/** oob: 'fixed' — MSG_OOB as of aa82ac51d633 ("af_unix: Drop oob_skb ref before purging queue in GC.",
 *  Feb 2024) and v6.18's manage_oob: the GC purges an OOB skb like any other (the base); a read without
 *  MSG_PEEK frees an OOB head skb with its fds (kfree_skb: put, not installed); a peek skips it. */
export const oobFixed: Overrides = {
  unix_oob_supported: () => (w, sock) => w.files[sock]?.sock?.type === 'stream',
  unix_read_index: () => (w, sock) => (w.files[sock]!.sock!.queue[0]?.oob === true ? 1 : 0),
  manage_oob: (k) => (w, id, why) => {
    const sock = w.files[id]!.sock!;
    if (sock.queue[0]?.oob !== true) return;
    const skb = sock.queue.shift()!;
    skb.oob = false;
    k.unix_destruct_scm(w, skb, why, id);
  },
};

export default defineDesign({
  name: 'linux-6.10',
  summary: '6.10: 6.7 + the graph GC (Tarjan SCCs), MSG_PEEK barrier removed, MSG_OOB GC fix',
  base: 'linux-6.7',
  switches: { gc: 'graph', peekGuard: 'none', oob: 'fixed' },
  // Verdicts at the default bounds: linux-6.7's.
  expected: {},
  source: 'net/unix/garbage.c of v6.10 ("af_unix: Detect Strongly Connected Components." 3484f063172d, "af_unix: Assign a unique index to SCC." bfdb01283ee8); 118f457da9ed; aa82ac51d633',
});
