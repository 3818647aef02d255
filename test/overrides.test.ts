// Every override point changes what the model does: a table of (kernel function → a small design that
// overrides it → the property whose verdict changes, at which bounds, from what on the base to what on the
// design, with the shortest trace's length). Lengths marked "by hand" are derived in the comment beside
// them; the others are checked against a built-in design that differs from the base in the same way.
// Points whose effect no property at small bounds sees are held to a syscall result or a world field by a
// script of steps (second table). Every point of FUNCTION_NAMES must appear in one of the tables.
import test from 'ava';
import { runCheck, type Report } from '../cli/run.js';
import { loadScenario } from '../cli/scenarios.js';
import { DEFAULT_BOUNDS, type Bounds, type SyscallName } from '../model/bounds.js';
import { FUNCTION_NAMES, type DesignSpec, type Overrides } from '../model/design.js';
import { scenarioBounds } from '../model/scenario.js';
import { FD_BASE } from '../model/world.js';
import { gcFinish } from '../model/gc/unix-gc-2007.js';
import { OVERRIDE_DESIGNS, userDesign } from './helpers/override-designs.js';
import { ctxFor, design, run } from './helpers/world.js';

const bounds = (b: Partial<Bounds>): Bounds => ({ ...DEFAULT_BOUNDS, ...b });
const ops = (...o: SyscallName[]): SyscallName[] => o;
// Small bounds (one task, the default sizes), each with only the calls its rows need, so that every check
// takes a fraction of a second; the shortest traces derived by hand use only these calls.
/** SCM_RIGHTS and the GC: cycles built and abandoned. */
const GC = bounds({ ops: ops('socketpair', 'sendmsg', 'exit', 'unix_gc') });
/** SCM_RIGHTS and closes. */
const CLOSE = bounds({ ops: ops('socketpair', 'sendmsg', 'close') });
/** SCM_RIGHTS and receives. */
const RECV = bounds({ ops: ops('socketpair', 'sendmsg', 'recvmsg', 'resume') });
/** Rings and registrations. */
const RING = bounds({ ops: ops('open', 'close', 'io_uring_setup', 'io_uring_register', 'io_uring_unregister', 'io_ring_exit') });
/** Al Viro's cycle and nothing else: a ring, a socketpair, registration, SCM_RIGHTS, exit, the GC. */
const AL = bounds({ ops: ops('socketpair', 'sendmsg', 'exit', 'io_uring_setup', 'io_uring_register', 'unix_gc') });
/** Listening sockets. */
const LISTEN = bounds({ ops: ops('socket', 'listen', 'connect', 'accept', 'close', 'resume'), files: 4, fds: 3 });

const spec = (name: string, base: string, overrides: Overrides): DesignSpec => ({ name, summary: `${base} overriding ${Object.keys(overrides).join(', ')}`, base, overrides });

interface Row {
  readonly point: string;
  readonly design: DesignSpec | string;                  // a spec, or a name of test/helpers/override-designs.ts
  readonly property: string;
  readonly bounds: Bounds;
  readonly base: string;                                 // the base's verdict (status[/length])
  readonly expect: string;                               // the design's verdict (status[/length])
}

const ROWS: readonly Row[] = [
  // ---- file lifetime ----
  // by hand: Al Viro's cycle needs setup, socketpair, register, send the ring fd, exit (5); a ring fd's close
  // that also unregisters breaks it at the exit (and at every other close of the ring fd).
  { point: 'filp_close', design: 'close-unregisters', property: 'no-leak', bounds: AL, base: 'violated/5', expect: 'holds' },
  // by hand: a teardown while referenced needs the ring (1), a second reference (dup: 1), a close (1).
  { point: 'flush', design: spec('flush-rings', 'seed-2019', { flush: (k, base) => (w, file, task) => {
    if (w.files[file]!.kind === 'io_uring' && !w.files[file]!.released) { k.io_sqe_files_unregister(w, file); w.files[file]!.ring!.dead = true; }
    base(w, file, task);
  } }), property: 'teardown-on-final-fput', bounds: bounds({ ops: ops('io_uring_setup', 'dup', 'close') }), base: 'holds', expect: 'violated/3' },
  { point: 'io_uring_flush', design: 'flush-by-task', property: 'teardown-on-final-fput', bounds: bounds({ ops: ops('io_uring_setup', 'dup', 'close') }), base: 'holds', expect: 'violated/3' },
  // by hand: open (1), close (1): the last fput keeps the file's count at 1 with no holder.
  { point: 'fput', design: spec('fput-keeps-last', 'seed-2019', { fput: (_k, base) => (w, f, why) => {
    if (w.files[f]!.kind !== 'regular' || w.files[f]!.f_count > 1) base(w, f, why);
  } }), property: 'refcount-exact', bounds: bounds({ ops: ops('open', 'close', 'dup') }), base: 'holds', expect: 'violated/2' },
  // by hand: open (1), dup (1): the doubled get_file leaves f_count 3 for two fds.
  { point: 'fget', design: spec('fget-twice', 'seed-2019', { fget: (_k, base) => (w, f, why) => { base(w, f, why); base(w, f, why); } }),
    property: 'refcount-exact', bounds: bounds({ ops: ops('open', 'close', 'dup') }), base: 'holds', expect: 'violated/2' },
  // by hand: the release that skips unix_release_sock must drop a queue that holds something: socketpair,
  // sendmsg(a, [a]) (b's queue carries a), close(b) = 3; a's skb reference is then held by freed memory.
  { point: 'release', design: spec('release-skips-sockets', 'seed-2019', { release: (_k, base) => (w, f) => {
    if (w.files[f]!.kind === 'unix') w.files[f]!.released = true; else base(w, f);
  } }), property: 'refcount-exact', bounds: CLOSE, base: 'holds', expect: 'violated/3' },
  { point: 'unix_release_sock', design: 'release-keeps-queue', property: 'refcount-exact', bounds: CLOSE, base: 'holds', expect: 'violated/3' },
  // by hand (test/designs.test.ts's planted bug): setup, open, register, close the ring = 4.
  { point: 'io_uring_release', design: 'release-forgets', property: 'refcount-exact', bounds: RING, base: 'holds', expect: 'violated/4' },
  { point: 'io_ring_ctx_free', design: spec('free-forgets', 'seed-2019', { io_ring_ctx_free: () => (w, id) => { w.files[id]!.ring!.dead = true; } }),
    property: 'refcount-exact', bounds: RING, base: 'holds', expect: 'violated/4' },

  // ---- SCM_RIGHTS ----
  // Without SCM_RIGHTS no skb can hold the ring: Al Viro's cycle cannot form.
  { point: 'scm_send', design: spec('no-scm-rights', 'seed-2019', { scm_send: (_k, base) => (w, t, fds) => (fds.length > 0 ? 'EINVAL' : base(w, t, fds)) }),
    property: 'no-leak', bounds: AL, base: 'violated/5', expect: 'holds' },
  { point: 'scm_fp_copy', design: 'scm-refuses-rings', property: 'no-leak', bounds: AL, base: 'violated/5', expect: 'holds' },
  // by hand: socketpair, sendmsg(a, [a]): the skb's entry owns no reference: f_count 1 for an fd and an skb.
  { point: 'unix_attach_fds', design: spec('attach-no-dup', 'seed-2019', { unix_attach_fds: (k) => (w, files, receiver) => {
    for (const f of files) k.unix_inflight(w, f);
    k.unix_add_edges(w, files, receiver);
  } }), property: 'refcount-exact', bounds: RECV, base: 'holds', expect: 'violated/2' },
  // by hand: socketpair, sendmsg(a, [a]), recvmsg(b): the entry left flight, inflight stays 1.
  { point: 'unix_detach_fds', design: spec('detach-keeps-inflight', 'linux-5.14', { unix_detach_fds: (k) => (w, files, r, dead) => { k.unix_del_edges(w, files, r, dead ?? false); } }),
    property: 'inflight-exact', bounds: RECV, base: 'holds', expect: 'violated/3' },
  // by hand: socketpair, sendmsg(a, [a]), recvmsg(b, MSG_PEEK): an fd installed without a reference.
  { point: 'unix_peek_fds', design: spec('peek-no-dup', 'seed-2019', { unix_peek_fds: () => () => { /* no scm_fp_dup */ } }),
    property: 'refcount-exact', bounds: RECV, base: 'holds', expect: 'violated/3' },
  // by hand: socketpair, sendmsg(a, [a]): inflight 2 for one entry.
  { point: 'unix_inflight', design: spec('inflight-twice', 'linux-5.14', { unix_inflight: (_k, base) => (w, f) => { base(w, f); base(w, f); } }),
    property: 'inflight-exact', bounds: RECV, base: 'holds', expect: 'violated/2' },
  { point: 'unix_notinflight', design: spec('notinflight-forgets', 'linux-5.14', { unix_notinflight: (k) => (w) => { k.lockGc(w); } }),
    property: 'inflight-exact', bounds: RECV, base: 'holds', expect: 'violated/3' },
  // by hand: socketpair, sendmsg(a, [a]), close(b): b's purge frees the skb without putting a.
  { point: 'unix_destruct_scm', design: spec('destruct-no-fput', 'seed-2019', { unix_destruct_scm: (k) => (w, skb, _why, r, dead) => { k.unix_detach_fds(w, skb.fds, r, dead); } }),
    property: 'refcount-exact', bounds: CLOSE, base: 'holds', expect: 'violated/3' },
  { point: 'skb_queue_purge', design: spec('purge-nothing', 'seed-2019', { skb_queue_purge: () => () => { /* the queue stays on freed memory */ } }),
    property: 'refcount-exact', bounds: CLOSE, base: 'holds', expect: 'violated/3' },
  // by hand: as Al Viro's cycle on seed-2019: the GC no longer sees the ring, so the cycle leaks (5).
  { point: 'unix_get_socket', design: 'gc-blind-to-rings', property: 'no-leak', bounds: AL, base: 'holds', expect: 'violated/5' },
  // by hand: socketpair(stream), sendmsg(b, [a], MSG_OOB), exit: a's own OOB skb keeps a (the MSG_OOB leak, 3).
  // Without MSG_OOB the leak cannot be built.
  { point: 'unix_oob_supported', design: spec('no-oob', 'linux-6.1', { unix_oob_supported: () => () => false }),
    property: 'no-leak', bounds: bounds({ ...GC, oob: true }), base: 'violated/3', expect: 'holds' },

  // ---- connect / accept ----
  // by hand: socket, listen, socket, connect: the embryo is on no accept queue: unreachable, never freed (4).
  { point: 'unix_stream_connect_queue', design: spec('embryo-lost', 'seed-2019', { unix_stream_connect_queue: () => () => { /* not queued */ } }),
    property: 'no-leak', bounds: LISTEN, base: 'holds', expect: 'violated/4' },
  // by hand: socket, listen, socket, connect, accept: the accepted file gets f_count 2 for one fd (5).
  { point: 'unix_accept', design: spec('accept-two-refs', 'seed-2019', { unix_accept: (_k, base) => (w, l) => { const e = base(w, l); w.files[e]!.f_count = 2; return e; } }),
    property: 'refcount-exact', bounds: LISTEN, base: 'holds', expect: 'violated/5' },
  // by hand: socket, listen, socket, connect (4): unix_create1 allocating a second embryo that nothing
  // holds and nothing frees.
  { point: 'unix_create1', design: spec('embryo-twice', 'seed-2019', { unix_create1: (_k, base) => (w) => { const e = base(w); base(w); return e; } }),
    property: 'no-leak', bounds: LISTEN, base: 'holds', expect: 'violated/4' },

  // ---- the 2007 GC (linux-5.14) ----
  // by hand: the smallest garbage cycle is a socket whose own queue carries it: socketpair, sendmsg(b, [a]),
  // exit (3). Each override below keeps the GC from collecting it.
  { point: 'unix_gc', design: spec('no-gc', 'linux-5.14', { unix_gc: () => () => { /* never runs */ } }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_gc_select_candidate', design: 'gc2007-no-candidates', property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'scan_children', design: spec('no-children', 'linux-5.14', { scan_children: () => () => { /* sees no child */ } }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_gc_dec_inflight', design: spec('no-subtract', 'linux-5.14', { unix_gc_dec_inflight: () => () => { /* nothing subtracted */ } }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_gc_restore', design: spec('all-alive', 'linux-5.14', { unix_gc_restore: () => () => [] }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_gc_collect', design: spec('collect-nothing', 'linux-5.14', { unix_gc_collect: () => () => [] }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_gc_collect_skb', design: spec('requeue-all', 'linux-5.14', { unix_gc_collect_skb: () => (_w, from, skb, _hit, requeue) => { requeue.push({ skb, to: from }); } }),
    property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  // A purge that drops the skb without its destructor: the GC's run leaves a with f_count 1 and no holder,
  // so the self-loop leaks already at the exit (3; the states past a violation are not explored).
  { point: 'unix_gc_purge', design: spec('purge-drops', 'linux-5.14', { unix_gc_purge: () => (w) => { w.gc.hitlist.shift(); if (w.gc.hitlist.length === 0) gcFinish(w); } }),
    property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  // The 5.14 barrier taken out again: CVE-2021-0920's scenario finds what it finds on linux-5.1.
  { point: 'unix_peek_fds_may_install', design: spec('no-peek-barrier', 'linux-5.14', { unix_peek_fds_may_install: () => () => true }),
    property: 'scenario:cve-2021-0920', bounds: AL, base: 'holds', expect: 'as:linux-5.1' },

  // ---- the graph GC (linux-6.18) ----
  // by hand: socketpair, sendmsg(b, [a]): a carried, no vertex (2).
  { point: 'unix_add_edges', design: spec('no-edges', 'linux-6.18', { unix_add_edges: () => () => { /* no edge */ } }), property: 'graph-accounting', bounds: RECV, base: 'holds', expect: 'violated/2' },
  // by hand: socketpair, sendmsg(b, [a]), recvmsg(a): a no longer in flight, still a vertex (3).
  { point: 'unix_del_edges', design: spec('edges-stay', 'linux-6.18', { unix_del_edges: (k) => (w) => { k.lockGc(w); } }), property: 'graph-accounting', bounds: RECV, base: 'holds', expect: 'violated/3' },
  { point: 'unix_edge_successor', design: spec('no-successor', 'linux-6.18', { unix_edge_successor: () => () => null }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_walk_scc', design: spec('no-sccs', 'linux-6.18', { unix_walk_scc: () => (w) => ({ sccs: [], visited: w.gc.inflightList.slice() }) }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  // by hand: the fast walk runs only after a Tarjan walk left the graph grouped: socketpair, sendmsg(b, [a])
  // (a still has its fd), a GC run (alive, grouped, maybe-cyclic), exit (4).
  { point: 'unix_walk_scc_fast', design: spec('no-fast-sccs', 'linux-6.18', { unix_walk_scc_fast: () => (w) => ({ sccs: [], visited: w.gc.inflightList.slice() }) }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/4' },
  { point: 'unix_vertex_dead', design: 'graph-never-dead', property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  { point: 'unix_scc_dead', design: spec('scc-never-dead', 'linux-6.18', { unix_scc_dead: () => () => false }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },
  // by hand: as for the fast walk: the run that finds the self-loop alive must also find it not cyclic, so
  // that the next run skips (4).
  { point: 'unix_scc_cyclic', design: spec('never-cyclic', 'linux-6.18', { unix_scc_cyclic: () => () => false }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/4' },
  // by hand: the GC releases the smallest cycle after socketpair, sendmsg(b, [a]), exit, a GC run (4); a
  // trigger that never fires leaves the kernel actor no run to start (no-leak's hypothetical run does not
  // ask the trigger, so it is the witness that changes).
  { point: 'unix_schedule_gc', design: spec('never-scheduled', 'linux-6.18', { unix_schedule_gc: () => () => false }), property: 'gc-releases-cycle', bounds: GC, base: 'found/4', expect: 'not-found' },
  { point: 'unix_collect_skb', design: spec('collect-no-queue', 'linux-6.18', { unix_collect_skb: () => () => { /* nothing collected */ } }), property: 'no-leak', bounds: GC, base: 'holds', expect: 'violated/3' },

  // ---- io_uring ----
  // Without its ring_sock, viro-2019's registrations are counted table slots: Al Viro's leak is back (5).
  { point: 'io_ring_ctx_alloc', design: spec('no-ring-sock', 'viro-2019', { io_ring_ctx_alloc: (_k, base) => (w) => ({ ...base(w), ringSock: null }) }),
    property: 'no-leak', bounds: AL, base: 'holds', expect: 'violated/5' },
  { point: 'io_sqe_files_register', design: 'register-refuses-unix', property: 'no-leak', bounds: AL, base: 'violated/5', expect: 'holds' },
  // by hand: setup, open, register: the table borrows (ring_sock), but no skb took the reference (3).
  { point: 'io_sqe_files_scm', design: spec('scm-forgotten', 'viro-2019', { io_sqe_files_scm: () => () => { /* the table keeps its reference */ } }),
    property: 'refcount-exact', bounds: RING, base: 'holds', expect: 'violated/3' },
  // by hand: setup, open, register, unregister (4): the table is gone, its reference not put.
  { point: 'io_sqe_files_unregister', design: spec('unregister-forgets', 'seed-2019', { io_sqe_files_unregister: () => (w, id) => { w.files[id]!.ring!.table = null; } }),
    property: 'refcount-exact', bounds: RING, base: 'holds', expect: 'violated/4' },
  // by hand: setup, open, register (3): the table's counted references are taken for borrowed ones.
  { point: 'io_table_borrows', design: spec('table-borrows', 'seed-2019', { io_table_borrows: () => () => true }),
    property: 'refcount-exact', bounds: RING, base: 'holds', expect: 'violated/3' },
];

const verdictOf = (r: Report, property: string): string => {
  const v = [...r.properties, ...r.witnesses].find((x) => x.name === property)!;
  return v.trace && v.status !== 'holds' ? `${v.status}/${v.trace.steps.length}` : v.status;
};

/** The base designs' runs, made once per base and bounds. */
const baseRuns = new Map<string, Report>();
function baseRun(name: string, b: Bounds, scenario?: Awaited<ReturnType<typeof loadScenario>>): Report {
  const key = `${name} ${JSON.stringify(b)} ${scenario?.name ?? ''}`;
  let r = baseRuns.get(key);
  if (!r) { r = runCheck(design(name), b, scenario ? { scenario } : {}); baseRuns.set(key, r); }
  return r;
}

async function check(d: DesignSpec | string, row: Row): Promise<{ verdict: string; base: string }> {
  const des = typeof d === 'string' ? OVERRIDE_DESIGNS[d]! : userDesign(d);
  if (row.property.startsWith('scenario:')) {
    const sc = await loadScenario(row.property.slice('scenario:'.length));
    const b = scenarioBounds(sc, DEFAULT_BOUNDS, {});
    const summary = (r: Report): string => [...r.properties].filter((v) => v.status !== 'holds').map((v) => `${v.name}:${verdictOf(r, v.name)}`).join(' ') || 'holds';
    return { verdict: summary(runCheck(des, b, { scenario: sc })), base: summary(baseRun(des.base!, b, sc)) };
  }
  return { verdict: verdictOf(runCheck(des, row.bounds), row.property), base: verdictOf(baseRun(des.base!, row.bounds), row.property) };
}

for (const row of ROWS) {
  const name = typeof row.design === 'string' ? row.design : row.design.name;
  test(`${row.point}: ${name} turns ${row.property} from ${row.base} into ${row.expect}`, async (t) => {
    const { verdict, base } = await check(row.design, row);
    let expect = row.expect;
    if (expect.startsWith('as:')) {
      const sc = await loadScenario(row.property.slice('scenario:'.length));
      const r = baseRun(expect.slice(3), scenarioBounds(sc, DEFAULT_BOUNDS, {}), sc);
      expect = [...r.properties].filter((v) => v.status !== 'holds').map((v) => `${v.name}:${verdictOf(r, v.name)}`).join(' ');
      t.not(expect, '', 'the design without the fix violates something');
    }
    t.is(base, row.base, 'the base');
    t.is(verdict, expect, 'the design');
  });
}

// Points whose effect shows in one syscall's result or one field: a script on the base and on the design.
interface ScriptRow {
  readonly point: string;
  readonly base: string;
  readonly overrides: Overrides;
  readonly bounds?: Partial<Bounds>;
  readonly script: readonly string[];
  /** What differs, read from the results and the final world of base and design. */
  readonly observe: (r: ReturnType<typeof run>) => unknown;
  readonly onBase: unknown;
  readonly onDesign: unknown;
}

const SCRIPTS: readonly ScriptRow[] = [
  // connect's peer stage: without it the client never gets a peer: its send fails ENOTCONN.
  { point: 'unix_stream_connect_peer', base: 'seed-2019', overrides: { unix_stream_connect_peer: () => () => { /* nothing set */ } },
    script: ['T0 socket stream', 'T0 listen 3', 'T0 socket stream', 'T0 connect 4 3', 'T0 sendmsg 4'],
    observe: (r) => r.results[4]!.errno ?? r.results[4]!.ret, onBase: 1, onDesign: 'ENOTCONN' },
  // accept's unix_update_edges: the embryo keeps its listener.
  { point: 'unix_update_edges', base: 'linux-6.18', overrides: { unix_update_edges: () => () => { /* listener kept */ } },
    script: ['T0 socket stream', 'T0 listen 3', 'T0 socket stream', 'T0 connect 4 3', 'T0 accept 3'],
    observe: (r) => r.world.files[r.results[4]!.ret === 5 ? r.world.tasks[0]!.fds[5 - FD_BASE]!.file : -1]?.sock?.listener ?? null, onBase: null, onDesign: 0 },
  // SO_PASSRIGHTS (6.16): a kernel before it that takes the option; one with it that ignores the flag in sendmsg.
  { point: 'sk_setsockopt', base: 'linux-6.10', overrides: { sk_setsockopt: () => () => undefined },
    script: ['T0 socketpair dgram', 'T0 setsockopt 3 0'], observe: (r) => r.results[1]!.errno ?? r.results[1]!.ret, onBase: 'ENOPROTOOPT', onDesign: 0 },
  { point: 'unix_check_scm_rights', base: 'linux-6.18', overrides: { unix_check_scm_rights: () => () => undefined },
    script: ['T0 socketpair dgram', 'T0 setsockopt 3 0', 'T0 sendmsg 4 4'], observe: (r) => r.results[2]!.errno ?? r.results[2]!.ret, onBase: 'EPERM', onDesign: 1 },
  // A peek at an OOB head skb (linux-6.10: skipped, nothing else queued: EAGAIN); an index 0 peeks at it.
  { point: 'unix_read_index', base: 'linux-6.10', overrides: { unix_read_index: () => () => 0 },
    script: ['T0 socketpair stream', 'T0 sendmsg 4 oob', 'T0 peek 3'],
    observe: (r) => r.results[2]!.errno ?? r.results[2]!.ret, onBase: 'EAGAIN', onDesign: 1 },
  // manage_oob of linux-6.1 keeps the unlinked OOB skb in u->oob_skb; freeing it instead empties it.
  { point: 'manage_oob', base: 'linux-6.1', overrides: { manage_oob: (k) => (w, id, why) => {
    const s = w.files[id]!.sock!;
    if (s.queue[0]?.oob === true) { const skb = s.queue.shift()!; skb.oob = false; k.unix_destruct_scm(w, skb, why, id); }
  } },
    script: ['T0 socketpair stream', 'T0 sendmsg 4 4 oob', 'T0 recvmsg 3'],
    observe: (r) => r.world.files[0]!.sock!.oobSkb !== null, onBase: true, onDesign: false },
  // A new vertex while grouped gets the next scc_index: with the override it gets none (no SCC ring).
  { point: 'unix_add_vertex', base: 'linux-6.18', overrides: { unix_add_vertex: () => () => { /* no ring */ } },
    script: ['T0 socketpair dgram', 'T0 sendmsg 4 3', 'gc', 'T0 socketpair dgram', 'T0 sendmsg 6 4'],
    observe: (r) => r.world.gc.lastSccs.length, onBase: 2, onDesign: 1 },
  // IORING_REGISTER_FILES_UPDATE refusing every file: EINVAL instead of one entry done.
  { point: 'io_sqe_files_update', base: 'linux-6.7', overrides: { io_sqe_files_update: () => () => ({ ret: -1, errno: 'EINVAL' }) },
    script: ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 -1', 'T0 update 3 0 4'],
    observe: (r) => r.results[3]!.errno ?? r.results[3]!.ret, onBase: 1, onDesign: 'EINVAL' },
  // An update's new file on linux-5.14 (ring_sock, 5.5's updates) joins the registration skb; without
  // io_sqe_file_register the ring_sock stays empty.
  { point: 'io_sqe_file_register', base: 'linux-5.14', overrides: { io_sqe_file_register: () => () => { /* no SCM accounting */ } },
    script: ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 -1', 'T0 update 3 0 4'],
    observe: (r) => r.world.files[0]!.ring!.ringSock!.queue.length, onBase: 1, onDesign: 0 },
  // A slot's removal puts the file (linux-6.7: the slot owns it): without io_rsrc_file_put the count stays.
  { point: 'io_rsrc_file_put', base: 'linux-6.7', overrides: { io_rsrc_file_put: () => () => { /* not put */ } },
    script: ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 4', 'T0 update 3 0 -1'],
    observe: (r) => r.world.files[1]!.f_count, onBase: 1, onDesign: 2 },
  // Fixed-file lookup: a request on slot 0 that finds nothing fails EBADF.
  { point: 'io_file_get_fixed', base: 'seed-2019', overrides: { io_file_get_fixed: () => () => undefined },
    script: ['T0 io_uring_setup', 'T0 open', 'T0 io_uring_register 3 4', 'T0 enter 3 read fixed 0'],
    observe: (r) => r.results[3]!.errno ?? r.results[3]!.ret, onBase: 1, onDesign: 'EBADF' },
];

for (const s of SCRIPTS) {
  test(`${s.point}: overriding it on ${s.base} changes the script's outcome`, (t) => {
    const d = userDesign({ name: `script-${s.point}`, summary: 'test', base: s.base, overrides: s.overrides });
    const b: Partial<Bounds> = { reqs: 2, ...s.bounds };
    t.deepEqual(s.observe(run(ctxFor(s.base, b), s.script)), s.onBase, 'the base');
    t.deepEqual(s.observe(run(ctxFor(d, b), s.script)), s.onDesign, 'the design');
  });
}

test('every override point has a test in one of the tables', (t) => {
  const covered = new Set([...ROWS.map((r) => r.point), ...SCRIPTS.map((s) => s.point)]);
  t.deepEqual(FUNCTION_NAMES.filter((n) => !covered.has(n)), []);
});

test('an override of filp_close / ->flush gets the closing task: T1\'s close does not tear the ring down, T0\'s does', (t) => {
  const ctx = ctxFor(OVERRIDE_DESIGNS['flush-by-task']!, { tasks: 2 });
  const r1 = run(ctx, ['T0 io_uring_setup', 'T0 fork', 'T1 close 3']);
  t.false(r1.world.files[0]!.ring!.dead);
  const r0 = run(ctx, ['T0 io_uring_setup', 'T0 fork', 'T0 close 3']);
  t.true(r0.world.files[0]!.ring!.dead);
});

test('an override is late bound: overriding fput changes what filp_close and the GC purge do', (t) => {
  let puts = 0;
  const d = userDesign({ name: 'count-puts', summary: 'test', base: 'linux-5.14', overrides: { fput: (_k, base) => (w, f, why) => { puts++; base(w, f, why); } } });
  run(ctxFor(d), ['T0 socketpair dgram', 'T0 sendmsg 4 3', 'T0 close 3', 'T0 close 4', 'gc']);
  // sendmsg's cookie (1), the two closes (2), the purge of the skb carrying f0 (1).
  t.is(puts, 4);
});

test('a user override that throws is blamed on the design, with the step', (t) => {
  const d = userDesign({ name: 'throwing', summary: 'test', base: 'seed-2019', overrides: { filp_close: () => () => { throw new Error('boom'); } } });
  const e = t.throws(() => runCheck(d, bounds({ ops: ops('open', 'close') })));
  t.regex(String(e?.message), /throwing/);
  t.regex(String(e?.message), /boom/);
});

test('resolveDesign refuses an unknown override name or a non-function', (t) => {
  t.throws(() => userDesign({ name: 'x', summary: 'x', base: 'seed-2019', overrides: { fputt: () => () => undefined } as unknown as Overrides }), { message: /unknown override 'fputt'/ });
  t.throws(() => userDesign({ name: 'x', summary: 'x', base: 'seed-2019', overrides: { fput: 3 } as unknown as Overrides }), { message: /override fput must be a function/ });
});
