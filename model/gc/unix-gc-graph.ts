// The unix GC of 6.10 … 6.18 (Kuniyuki Iwashima's rewrite of net/unix/garbage.c), as the kernel actor's
// steps, as far as file lifetime needs it. What the kernel keeps between runs, and the model with it:
//   - a vertex per AF_UNIX socket in flight (gc.inflightList is unix_unvisited_vertices, in list order;
//     out_degree is the socket's `inflight`), and its out-edges in list order (gc.edges[v]: one per SCM
//     entry that carries v, named by the socket whose queue holds the skb);
//   - unix_graph_maybe_cyclic and unix_graph_grouped (v6.18 still has the two booleans; the tristate
//     unix_graph_state came with the Nov 2025 net-next series, 6b6f3c71fe56, which 6.18.y took as a
//     Stable-dep-of e5b31d988a41: the same states under other names, model/designs/linux-7.2.ts);
//   - while grouped, each vertex's SCC ring (scc_entry) and scc_index from the last Tarjan walk, and
//     unix_vertex_max_scc_index, which a new vertex's scc_index is taken from ("af_unix: Initialise
//     scc_index in unix_add_edge()", in 6.18) — gc.lastSccs and gc.maxSccIndex.
// A run (__unix_gc):
//   start  (one step): take unix_gc_lock; if the graph is not maybe-cyclic, unlock and end. Otherwise walk:
//          Tarjan's walk (unix_walk_scc / __unix_walk_scc) or, when grouped, the fast walk over the last
//          walk's SCCs (unix_walk_scc_fast). The walk is computed whole in this step: everything it reads
//          (vertices, edges, embryo → listener links) changes only under unix_gc_lock (sendmsg's
//          unix_add_edges, recvmsg's and the skb destructor's unix_del_edges, accept's unix_update_edges),
//          and the lock is held from here to the end of the last SCC. It yields gc.sccs: the SCCs in the
//          order the kernel finalises them, members in the order unix_scc_dead() visits them, with each
//          member's scc_index as the kernel computed it.
//   dead   (one step per vertex): unix_vertex_dead(v): every out-edge's successor (embryo → listener) is a
//          vertex with v's scc_index, and file_count(v) == out_degree. file_count is read now: close, dup,
//          fork and MSG_PEEK take no lock and interleave between two members (CVE-2026-23394's window).
//          With peekGuard 'seqcount' (e5b31d988a41) a MSG_PEEK of AF_UNIX fds between the SCC's
//          read_seqcount_begin (modelled at its first member's step, right before the first read: nothing
//          the kernel does lies between them) and its read_seqcount_retry makes the SCC alive for this run.
//          After an SCC's last member (or its first live one: the kernel reads no further), a dead SCC is
//          collected whole (unix_collect_skb: every skb of each member's queue, of a listener's embryos'
//          queues, onto the hitlist); a live one updates unix_vertex_max_scc_index (Tarjan walk) and
//          maybe_cyclic (unix_scc_cyclic). After the last SCC: Tarjan sets grouped; unlock.
//   purge  (one step per hitlist skb, unlocked): fpl->dead is set, so the destructor's unix_del_edges
//          unlinks the edges without updating the graph state; then fput of every carried file.
import type { Draft } from 'immer';
import type { Kernel, KernelFunctions } from '../kernel.js';
import type { FileId, Scc, Skb, World } from '../world.js';
import { collectSkb } from './unix-gc-2007.js';

type W = Draft<World>;

/** UNIX_VERTEX_INDEX_START: the first DFS index of a Tarjan walk. */
export const VERTEX_INDEX_START = 2;

const edgesOf = (w: World, v: FileId): readonly FileId[] => w.gc.edges[v] ?? [];
const hasVertex = (w: World, v: FileId): boolean => edgesOf(w, v).length > 0;

type Successor = (w: World, receiver: FileId) => FileId | null;
/** unix_edge_successor(): the vertex an edge into `receiver`'s queue leads to — the receiver's, or for an
 *  embryo (unix_sk(embryo)->listener set until accept) its listener's, which holds the embryo; null when
 *  that socket is not in flight. */
export function edgeSuccessor(w: World, receiver: FileId): FileId | null {
  const s = w.files[receiver]?.sock;
  const to = s && s.listener !== null ? s.listener : receiver;
  return hasVertex(w, to) ? to : null;
}

/** unix_update_graph(): an edge into (or out of) a socket that is itself in flight may close a cycle. */
function updateGraph(w: W, successor: FileId | null): void {
  if (successor === null) return;
  w.gc.maybeCyclic = true;
  ungroup(w);
}

/** unix_graph_grouped = false. The SCC rings, scc_index values and unix_vertex_max_scc_index are then
 *  dead state until the next Tarjan walk rewrites all of them: dropped, so that equal futures share a key. */
function ungroup(w: W): void {
  w.gc.grouped = false;
  w.gc.lastSccs = [];
  w.gc.maxSccIndex = 0;
}

/** Keeps the scc_index values small without changing what they decide. Only equality matters between
 *  them (unix_vertex_dead) and with the values new vertices will get (++unix_vertex_max_scc_index), so the
 *  values up to the max are renumbered 1..m in order and those above keep their distance to the max. */
function normaliseScc(w: W): void {
  const g = w.gc;
  const max = g.maxSccIndex;
  const low = [...new Set(g.lastSccs.flatMap((c) => c.sccIndex).filter((x) => x <= max))].sort((a, b) => a - b);
  const m = low.length;
  const map = (x: number): number => (x <= max ? low.indexOf(x) + 1 : m + (x - max));
  g.lastSccs = g.lastSccs.map((c) => ({ members: c.members.slice(), sccIndex: c.sccIndex.map(map) }));
  g.maxSccIndex = m;
}

/** unix_add_edges(fpl, receiver): the edges of one skb queued on `receiver`. kernel.ts has already counted
 *  the entries in flight (a new vertex went to the tail of the vertex list). */
function onAdd(w: W, fds: readonly FileId[], receiver: FileId, k: Kernel): void {
  const g = w.gc;
  for (const x of fds) {
    if (!k.unix_get_socket(w, x)) continue;
    while (g.edges.length <= x) g.edges.push([]);
    if (g.edges[x]!.length === 0 && g.grouped) k.unix_add_vertex(w, x);
    g.edges[x]!.push(receiver);
    updateGraph(w, k.unix_edge_successor(w, receiver));
  }
  if (g.grouped) normaliseScc(w);
}

/** A new vertex while grouped: a ring of its own and the next scc_index (INIT_LIST_HEAD(&vertex->scc_entry)). */
function addVertex(w: W, x: FileId): void {
  const g = w.gc;
  g.maxSccIndex++;
  g.lastSccs.push({ members: [x], sccIndex: [g.maxSccIndex] });
}

/** unix_del_edges(fpl): the edges of one skb that leaves flight (received, or destroyed unreceived).
 *  Unless the GC is purging it (fpl->dead), each edge first updates the graph state from its successor. The
 *  edge unlinked is the oldest one into `receiver`: queues are FIFO and edges are appended, so the head
 *  skb's edges come first among a vertex's edges into that queue. */
function onDel(w: W, fds: readonly FileId[], receiver: FileId | undefined, dead: boolean, k: Kernel): void {
  const g = w.gc;
  for (const x of fds) {
    if (!k.unix_get_socket(w, x)) continue;
    const edges = g.edges[x];
    if (!edges || edges.length === 0) throw new Error(`graph GC: f${x} leaves flight but has no vertex`);
    if (receiver === undefined) throw new Error(`graph GC: an skb carrying f${x} leaves flight without the socket it was queued on (unaccountSkb needs the receiver)`);
    if (!dead) updateGraph(w, k.unix_edge_successor(w, receiver));
    const i = edges.indexOf(receiver);
    if (i < 0) throw new Error(`graph GC: f${x} has no edge into f${receiver}'s queue`);
    edges.splice(i, 1);
    if (edges.length === 0) {
      // The vertex goes back to the fpl and is freed; it leaves its SCC ring.
      for (let j = 0; j < g.lastSccs.length; j++) {
        const c = g.lastSccs[j]!;
        const at = c.members.indexOf(x);
        if (at < 0) continue;
        if (c.members.length === 1) g.lastSccs.splice(j, 1);
        else g.lastSccs[j] = { members: c.members.filter((_, n) => n !== at), sccIndex: c.sccIndex.filter((_, n) => n !== at) };
        break;
      }
    }
  }
  if (g.grouped) normaliseScc(w);
}

/** unix_update_edges(embryo) on accept, when the embryo has AF_UNIX fds queued: the edges into its queue
 *  now lead to the embryo itself instead of its listener (the caller clears embryo->listener). */
function onAccept(w: W, embryo: FileId): void {
  const listener = w.files[embryo]!.sock!.listener;
  if (listener !== null) updateGraph(w, hasVertex(w, listener) ? listener : null);
}


/** unix_scc_cyclic(): more than one vertex, or one with an edge to itself (including an embryo's edge to
 *  its own listener). */
export function sccCyclic(w: World, members: readonly FileId[], successor: Successor = edgeSuccessor): boolean {
  if (members.length > 1) return true;
  const v = members[0]!;
  return edgesOf(w, v).some((r) => successor(w, r) === v);
}

/** __unix_walk_scc() from every vertex of the list in turn (unix_walk_scc): Tarjan's algorithm with the
 *  kernel's bookkeeping. A vertex's scc_index starts as its DFS index and takes the minimum of the
 *  successors' scc_index over tree edges (on backtracking) and over edges to vertices still on the stack;
 *  an SCC is finalised at a vertex whose index equals its scc_index. Members keep the scc_index they ended
 *  with, which is not the same for all members of an SCC: a member whose scc_index was lowered only through
 *  a vertex whose own scc_index had not yet dropped to the root's keeps a larger value. Returns the SCCs in
 *  finalisation order, members in push order (root first: the order unix_scc_dead() visits them). */
export function tarjanWalk(w: World, successor: Successor = edgeSuccessor): { sccs: Scc[]; visited: FileId[] } {
  const UNVISITED = -1, GROUPED = -2;
  const index = new Map<FileId, number>();
  const scc = new Map<FileId, number>();
  for (const v of w.gc.inflightList) index.set(v, UNVISITED);
  const unvisited = w.gc.inflightList.slice();
  const visited: FileId[] = [];
  const out: Scc[] = [];
  let lastIndex = VERTEX_INDEX_START;
  while (unvisited.length > 0) {
    const vertexStack: FileId[] = [];                       // bottom first
    const frames: { v: FileId; edge: number }[] = [];       // the edge stack, as DFS frames
    const push = (v: FileId): void => {
      vertexStack.push(v);
      index.set(v, lastIndex); scc.set(v, lastIndex); lastIndex++;
      frames.push({ v, edge: 0 });
    };
    push(unvisited[0]!);
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const edges = edgesOf(w, f.v);
      if (f.edge < edges.length) {
        const next = successor(w, edges[f.edge++]!);
        if (next === null) continue;
        const ni = index.get(next);
        if (ni === undefined) throw new Error(`graph GC: f${next} is in flight but not on the vertex list`);
        if (ni === UNVISITED) { f.edge--; push(next); continue; }   // resume this edge after backtracking
        if (ni !== GROUPED) scc.set(f.v, Math.min(scc.get(f.v)!, scc.get(next)!));
        continue;
      }
      // Every edge explored: is this vertex the root of an SCC?
      frames.pop();
      if (index.get(f.v) === scc.get(f.v)) {
        const at = vertexStack.lastIndexOf(f.v);
        const members = vertexStack.splice(at);
        for (const m of members) {
          index.set(m, GROUPED);
          unvisited.splice(unvisited.indexOf(m), 1);
          visited.push(m);
        }
        out.push({ members, sccIndex: members.map((m) => scc.get(m)!) });
      }
      const parent = frames[frames.length - 1];
      if (parent) {
        // Backtracking over the tree edge parent → f.v: min with the child's scc_index, then go on with the
        // parent's next edge.
        scc.set(parent.v, Math.min(scc.get(parent.v)!, scc.get(f.v)!));
        parent.edge++;
      }
    }
  }
  return { sccs: out, visited };
}

/** unix_walk_scc_fast(): the last Tarjan walk's SCCs, each from the first vertex of the list still
 *  unvisited, walking its ring backwards (list_for_each_entry_reverse from a head inserted after it). */
export function fastWalk(w: World): { sccs: Scc[]; visited: FileId[] } {
  const unvisited = w.gc.inflightList.slice();
  const visited: FileId[] = [];
  const out: Scc[] = [];
  while (unvisited.length > 0) {
    const v = unvisited[0]!;
    const ring = w.gc.lastSccs.find((c) => c.members.includes(v));
    if (!ring) throw new Error(`graph GC: f${v} is grouped but in no SCC ring`);
    const at = ring.members.indexOf(v);
    const members = [...ring.members.slice(at), ...ring.members.slice(0, at)];
    const sccIndex = [...ring.sccIndex.slice(at), ...ring.sccIndex.slice(0, at)];
    for (const m of members) { const i = unvisited.indexOf(m); if (i >= 0) unvisited.splice(i, 1); visited.push(m); }
    out.push({ members, sccIndex });
  }
  return { sccs: out, visited };
}

/** The scc_index this run gave v. */
function sccIndexNow(w: World, v: FileId): number | undefined {
  for (const c of w.gc.sccs) {
    const i = c.members.indexOf(v);
    if (i >= 0) return c.sccIndex[i];
  }
  return undefined;
}

/** unix_vertex_dead(v), reading file_count now. */
export function vertexDead(w: World, v: FileId, successor: Successor = edgeSuccessor): boolean {
  const mine = sccIndexNow(w, v);
  for (const r of edgesOf(w, v)) {
    const next = successor(w, r);
    if (next === null) return false;                    // received by a socket that is not in flight
    if (sccIndexNow(w, next) !== mine) return false;    // received by an in-flight socket of another SCC
  }
  return w.files[v]!.f_count === edgesOf(w, v).length;  // not close()d: file_count > out_degree
}

/** Start: lock; skip when not maybe-cyclic; walk. */
function graphStart(w: W, k: Kernel): void {
  const g = w.gc;
  g.collected = [];
  g.hitlist = [];
  g.hitFrom = [];
  if (!g.maybeCyclic) { graphFinish(w); return; }
  const walk = g.grouped ? k.unix_walk_scc_fast(w) : k.unix_walk_scc(w);
  g.maybeCyclic = false;
  if (!g.grouped) g.maxSccIndex = VERTEX_INDEX_START;
  g.sccs = walk.sccs as Draft<Scc>[];
  g.inflightList = walk.visited;   // list_replace_init(&unix_visited_vertices, &unix_unvisited_vertices)
  g.nextScc = 0;
  g.nextMember = 0;
  g.sccDead = true;
  g.peekSeen = false;
  g.phase = 'dead';
  if (g.sccs.length === 0) endWalk(w);   // maybe-cyclic, but every vertex has left since
}

/** unix_vertex_dead() of the next member; at the SCC's end, collect it or note it. */
function graphDeadOne(w: W, k: Kernel): void {
  const g = w.gc;
  const c = g.sccs[g.nextScc]!;
  if (g.nextMember === 0) { g.peekSeen = false; g.sccDead = true; }   // read_seqcount_begin
  const v = c.members[g.nextMember]!;
  g.sccDead = k.unix_vertex_dead(w, v);
  g.nextMember++;
  if (g.sccDead && g.nextMember < c.members.length) return;
  // The SCC is decided (the kernel reads no further member once one is alive).
  const dead = k.unix_scc_dead(w, c, g.sccDead);
  if (dead) k.unix_collect_skb(w, c.members);
  else {
    if (!g.grouped && g.maxSccIndex < c.sccIndex[0]!) g.maxSccIndex = c.sccIndex[0]!;   // Tarjan walk only
    if (!g.maybeCyclic) g.maybeCyclic = k.unix_scc_cyclic(w, c.members);
  }
  g.nextScc++;
  g.nextMember = 0;
  g.sccDead = true;
  g.peekSeen = false;
  if (g.nextScc < g.sccs.length) return;
  endWalk(w);
}

/** After the last SCC: a Tarjan walk leaves the graph grouped; unlock; the purge follows, if anything was
 *  collected. */
function endWalk(w: W): void {
  const g = w.gc;
  if (!g.grouped) {
    g.grouped = true;
    g.lastSccs = g.sccs.map((s) => ({ members: s.members.slice(), sccIndex: s.sccIndex.slice() }));
    normaliseScc(w);
  }
  g.sccs = [];
  g.nextScc = 0;
  // Unlock; the purge follows.
  if (g.hitlist.length === 0) graphFinish(w);
  else g.phase = 'purge';
}

/** unix_collect_skb(): every skb of each member's receive queue (for a listener, of each embryo's queue)
 *  goes onto the hitlist, in the order the kernel visits the members. */
function collectScc(w: W, k: Kernel, members: readonly FileId[]): void {
  const g = w.gc;
  for (const u of members) {
    const sock = w.files[u]!.sock!;
    const queues: FileId[] = sock.state === 'listening' ? sock.acceptQueue.slice() : [u];
    for (const q of queues) {
      const qs = w.files[q]!.sock!;
      const hit: Skb[] = [];
      const requeue: { skb: Skb; to: FileId }[] = [];
      while (qs.queue.length > 0) k.unix_gc_collect_skb(w, q, qs.queue.shift()!, hit, requeue);
      for (const skb of hit) { g.hitlist.push(skb as Draft<Skb>); g.hitFrom.push(q); }
      for (const { skb, to } of requeue) w.files[to]!.sock!.queue.push(skb as Draft<Skb>);
    }
    g.collected.push(u);
  }
}

/** One skb of the hitlist, fpl->dead: unix_del_edges without graph updates, then fput of every file. */
function graphPurgeOne(w: W, k: Kernel): void {
  const skb = w.gc.hitlist.shift()!;
  const from = w.gc.hitFrom.shift()!;
  k.unix_destruct_scm(w, skb, 'unix_gc purge', from, true);
  if (w.gc.hitlist.length === 0) graphFinish(w);
}

/** gc_in_progress = false. */
function graphFinish(w: W): void {
  const g = w.gc;
  g.phase = 'idle';
  g.collected = [];
  g.sccs = [];
  g.nextScc = 0;
  g.nextMember = 0;
  g.sccDead = true;
  g.peekSeen = false;
}

/** The kernel functions the graph GC replaces (those of the 2007 GC it does not have included). */
export const GRAPH_GC_FUNCTIONS = [
  'unix_gc', 'unix_gc_collect_skb', 'unix_gc_purge', 'unix_add_edges', 'unix_del_edges', 'unix_update_edges',
  'unix_add_vertex', 'unix_edge_successor', 'unix_walk_scc', 'unix_walk_scc_fast', 'unix_vertex_dead', 'unix_scc_dead',
  'unix_scc_cyclic', 'unix_collect_skb', 'unix_gc_select_candidate', 'scan_children', 'unix_gc_dec_inflight',
  'unix_gc_restore', 'unix_gc_collect',
] as const;

/** The graph GC's functions (model/kernel.ts documents each). */
export function graphGcFunctions(k: Kernel): Pick<KernelFunctions, (typeof GRAPH_GC_FUNCTIONS)[number]> {
  const not2007 = (): never => { throw new Error('a 2007 GC function called in a design that runs the graph GC'); };
  return {
    unix_gc(w) {
      switch (w.gc.phase) {
        case 'idle': graphStart(w, k); break;
        case 'dead': graphDeadOne(w, k); break;
        case 'purge': k.unix_gc_purge(w); break;
        default: throw new Error(`graph GC in phase ${w.gc.phase}`);
      }
    },
    unix_gc_collect_skb: collectSkb(k),
    unix_gc_purge: (w) => graphPurgeOne(w, k),
    unix_add_edges: (w, fds, receiver) => onAdd(w, fds, receiver, k),
    unix_del_edges(w, fds, receiver, dead) {
      if (fds.length === 0) return;
      k.lockGc(w);
      onDel(w, fds, receiver, dead, k);
    },
    unix_update_edges(w, embryo) {
      const e = w.files[embryo]!.sock!;
      if (e.listener !== null && e.queue.some((skb) => skb.fds.some((x) => k.unix_get_socket(w, x)))) {
        k.lockGc(w);
        onAccept(w, embryo);
      }
      e.listener = null;
    },
    unix_add_vertex: addVertex,
    unix_edge_successor: edgeSuccessor,
    unix_walk_scc: (w) => tarjanWalk(w, k.unix_edge_successor),
    unix_walk_scc_fast: fastWalk,
    unix_vertex_dead: (w, v) => vertexDead(w, v, k.unix_edge_successor),
    // (e5b31d988a41's read_seqcount_retry is linux-6.18's override.)
    unix_scc_dead: (_w, _scc, allDead) => allDead,
    unix_scc_cyclic: (w, members) => sccCyclic(w, members, k.unix_edge_successor),
    unix_collect_skb: (w, members) => collectScc(w, k, members),
    unix_gc_select_candidate: not2007, scan_children: not2007, unix_gc_dec_inflight: not2007, unix_gc_restore: not2007, unix_gc_collect: not2007,
  };
}
