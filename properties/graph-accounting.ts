// I4: the graph GC's accounting (domain.md Modeling notes D).
import type { Design } from '../model/design.js';
import { kernelOf } from '../model/kernel.js';
import { fileName, type FileId, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';
import { forEachDequeued } from '../model/holders.js';

/** The SCM_RIGHTS entries that carry each AF_UNIX socket, each named by the socket whose queue holds the
 *  skb: receive queues of live sockets, skbs only u->oob_skb still holds, and the GC's hitlist (named by
 *  where it was spliced from). */
export function scmEntriesBySocket(w: World, withHitlist = true): Map<FileId, FileId[]> {
  const out = new Map<FileId, FileId[]>();
  const add = (x: FileId, r: FileId): void => {
    if (w.files[x]?.kind !== 'unix') return;
    let l = out.get(x);
    if (!l) out.set(x, (l = []));
    l.push(r);
  };
  w.files.forEach((f, id) => {
    if (f.released || !f.sock) return;
    for (const skb of f.sock.queue) for (const x of skb.fds) add(x, id);
    if (f.sock.oobSkb) for (const x of f.sock.oobSkb.fds) add(x, id);
  });
  if (withHitlist) w.gc.hitlist.forEach((skb, i) => { for (const x of skb.fds) add(x, w.gc.hitFrom[i] ?? -1); });
  // A datagram read's dequeued skb keeps its edges until its detach (scm_stat_del → unix_del_edges).
  forEachDequeued(w, (_t, sock, fds) => { for (const x of fds) add(x, sock); });
  return out;
}

const sorted = (l: readonly FileId[]): string => [...l].sort((a, b) => a - b).join(',');

export function graphAccountingViolation(w: World, design: Design): string | undefined {
  if (kernelOf(design).gcAlgorithm !== 'graph') return undefined;
  const entries = scmEntriesBySocket(w);
  const seen = new Set<FileId>();
  for (const v of w.gc.inflightList) {
    if (seen.has(v)) return `${fileName(w, v)} is on unix_unvisited_vertices twice`;
    seen.add(v);
    if (!entries.has(v)) return `${fileName(w, v)} has a vertex but no SCM_RIGHTS entry carries it`;
  }
  for (const [x, receivers] of entries) {
    if (!seen.has(x)) return `${fileName(w, x)} is in flight (${receivers.length} entr${receivers.length === 1 ? 'y' : 'ies'}) but has no vertex on unix_unvisited_vertices`;
    const inflight = w.files[x]!.sock!.inflight;
    if (inflight !== receivers.length) return `${fileName(w, x)} has out_degree ${inflight} but ${receivers.length} SCM_RIGHTS entr${receivers.length === 1 ? 'y' : 'ies'} carry it`;
    const edges = w.gc.edges[x] ?? [];
    if (sorted(edges) !== sorted(receivers)) {
      return `${fileName(w, x)}'s edges lead into the queues of [${edges.map((r) => `f${r}`).join(', ')}] but its entries sit in [${receivers.map((r) => `f${r}`).join(', ')}]`;
    }
  }
  for (let x = 0; x < w.gc.edges.length; x++) {
    if ((w.gc.edges[x]?.length ?? 0) > 0 && !seen.has(x)) return `${fileName(w, x)} has edges but no vertex on the list`;
  }
  return undefined;
}

export const graphAccounting: PropertyDef = {
  name: 'graph-accounting',
  kind: 'always',
  title: 'the graph GC\'s vertices and edges match what is in flight',
  explain:
    'In the 6.10+ GC (net/unix/garbage.c), an AF_UNIX socket has a struct unix_vertex exactly while an ' +
    'SCM_RIGHTS entry carrying its file is in flight, and that vertex is on unix_unvisited_vertices once. Its ' +
    'out_degree equals the number of such entries (one struct unix_edge per entry, also for two copies in one ' +
    'message), counting skbs on receive queues, skbs the GC has spliced onto its hitlist and not yet purged, ' +
    'an OOB skb only u->oob_skb still holds, and an skb a datagram recvmsg has dequeued but not yet detached ' +
    '(its edges lead into the queue it came from); each edge leads into the queue that holds its skb. ' +
    'unix_add_edges (at queueing) and unix_del_edges (at receive and in the skb destructor, with fpl->dead ' +
    'during the GC\'s purge) keep this; a path that queues or frees an skb without them leaves a vertex ' +
    'behind or lets the GC judge a socket by edges it no longer has. Not applicable (n/a) to the 2007 GC.',
  inapplicable: (design) => (kernelOf(design).gcAlgorithm !== 'graph' ? "the design's unix GC is the 2007 one: it keeps no vertices or edges" : undefined),
  make: ({ design }) => ({
    name: 'graph-accounting', kind: 'always', on: 'state',
    check: (w: World) => graphAccountingViolation(w, design),
  }),
};
