// The 6.10 … 6.18 graph GC (model/gc/unix-gc-graph.ts): SCCs and scc_index values worked out by hand from
// net/unix/garbage.c, the selftest shapes of tools/testing/selftests/net/af_unix/scm_rights.c, the 6.18
// scc_index leak the oracle found, CVE-2026-23394's interleaving, and the I3/I4 accounting properties.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyStep } from '../model/apply.js';
import type { Ctx, Step } from '../model/step.js';
import type { World } from '../model/world.js';
import { graphAccounting, graphAccountingViolation } from '../properties/graph-accounting.js';
import { inflightViolation } from '../properties/inflight-exact.js';
import { gcSafety } from '../properties/gc-safety.js';
import { handTrace, KERNEL_LEAKS } from '../oracle/hand.js';
import { traceToJson } from '../traces/format.js';
import { ctxFor, design, run } from './helpers/world.js';
import { cli } from './helpers/cli.js';

const wide = { tasks: 1, files: 12, fds: 12, skbs: 4, msgFds: 2 };
const gcPhase = (phase: string): Step => ({ task: 'kernel', syscall: 'unix_gc', args: { phase } } as Step);

function step(ctx: Ctx, w: World, s: Step): World {
  const r = applyStep(w, s, ctx);
  if (!r) throw new Error(`impossible step ${JSON.stringify(s)}`);
  return r.world;
}

/** The SCCs the walk of a run started on w finds (members as file ids, and their scc_index). */
function walk(ctx: Ctx, w: World): { world: World; sccs: { members: number[]; sccIndex: number[] }[] } {
  const world = step(ctx, w, gcPhase('start'));
  return { world, sccs: world.gc.sccs.map((c) => ({ members: [...c.members], sccIndex: [...c.sccIndex] })) };
}

/** The rest of the run, nothing interleaving. */
function finish(ctx: Ctx, w: World): World {
  let x = w;
  for (let i = 0; x.gc.phase !== 'idle'; i++) {
    if (i > 1000) throw new Error('the run does not end');
    x = step(ctx, x, gcPhase(x.gc.phase));
  }
  return x;
}

const live = (w: World): number[] => w.files.flatMap((f, i) => (f.released ? [] : [i]));

// The selftest: socketpairs i = 0 … n-1 at fds 3+2i (fd[2i], the receiver) and 4+2i (fd[2i+1], the
// sender); send_fd(x, r) sends two copies of fd[2x] on fd[2r+1], so they land on fd[2r]'s queue.
const pairs = (n: number, type: 'dgram' | 'stream'): string[] => Array.from({ length: n }, () => `T0 socketpair ${type}`);
const sendFd = (x: number, r: number): string => `T0 sendmsg ${4 + 2 * r} ${3 + 2 * x} ${3 + 2 * x}`;
const closeAll = (n: number): string[] => Array.from({ length: 2 * n }, (_, i) => `T0 close ${3 + i}`);

const SHAPES: Record<string, { n: number; sends: [number, number][] }> = {
  self_ref: { n: 2, sends: [[0, 0], [1, 1]] },
  triangle: { n: 6, sends: [[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3]] },
  cross_edge: { n: 8, sends: [[0, 1], [1, 2], [2, 0], [1, 3], [3, 2], [4, 5], [5, 6], [6, 4], [5, 7], [7, 6]] },
  backtrack_from_scc: { n: 10, sends: [[0, 1], [0, 4], [1, 2], [2, 3], [3, 1], [5, 6], [5, 9], [6, 7], [7, 8], [8, 6]] },
};
const shape = (name: string, type: 'dgram' | 'stream'): string[] => {
  const s = SHAPES[name]!;
  return [...pairs(s.n, type), ...s.sends.map(([x, r]) => sendFd(x, r))];
};

// Socket i of the selftest is file 2i (the receiving end of pair i).
const S = (i: number): number => 2 * i;

test('self loop: one SCC, scc_index 2 (UNIX_VERTEX_INDEX_START)', (t) => {
  const ctx = ctxFor('linux-6.10', wide);
  const r = run(ctx, ['T0 socketpair dgram', 'T0 sendmsg 4 3', 'T0 close 3']);
  t.true(r.world.gc.maybeCyclic);
  t.false(r.world.gc.grouped);
  t.deepEqual(walk(ctx, r.world).sccs, [{ members: [0], sccIndex: [2] }]);
});

test('2-cycle: the back edge gives the second vertex the root\'s scc_index', (t) => {
  const ctx = ctxFor('linux-6.10', wide);
  // A (f0) into C's queue, C (f2) into A's queue.
  const r = run(ctx, ['T0 socketpair dgram', 'T0 socketpair dgram', 'T0 sendmsg 6 3', 'T0 sendmsg 4 5']);
  t.deepEqual(r.world.gc.inflightList, [0, 2]);
  t.deepEqual(walk(ctx, r.world).sccs, [{ members: [0, 2], sccIndex: [2, 2] }]);
});

test('triangle (stream, two copies per message): one SCC, all scc_index 2', (t) => {
  const ctx = ctxFor('linux-6.10', wide);
  const r = run(ctx, [...pairs(3, 'stream'), sendFd(0, 1), sendFd(1, 2), sendFd(2, 0)]);
  t.deepEqual(r.world.gc.edges[S(0)], [S(1), S(1)]);
  t.deepEqual(walk(ctx, r.world).sccs, [{ members: [S(0), S(1), S(2)], sccIndex: [2, 2, 2] }]);
});

test('cross_edge (stream): the edge 1→3→2 meets 2 on the stack; one SCC of four with scc_index 2', (t) => {
  const ctx = ctxFor('linux-6.10', wide);
  const s = SHAPES['cross_edge']!;
  const r = run(ctx, [...pairs(4, 'stream'), ...s.sends.slice(0, 5).map(([x, y]) => sendFd(x, y))]);
  t.deepEqual(r.world.gc.edges[S(1)], [S(2), S(2), S(3), S(3)]);
  t.deepEqual(walk(ctx, r.world).sccs, [{ members: [S(0), S(1), S(2), S(3)], sccIndex: [2, 2, 2, 2] }]);
});

test('backtrack_from_scc (stream): {1,2,3} is finished first (scc_index 3), then 0 alone (2); 4 has no vertex', (t) => {
  const ctx = ctxFor('linux-6.10', wide);
  const s = SHAPES['backtrack_from_scc']!;
  const r = run(ctx, [...pairs(5, 'stream'), ...s.sends.slice(0, 5).map(([x, y]) => sendFd(x, y))]);
  t.deepEqual(r.world.gc.inflightList, [S(0), S(1), S(2), S(3)]);
  t.deepEqual(walk(ctx, r.world).sccs, [
    { members: [S(1), S(2), S(3)], sccIndex: [3, 3, 3] },
    { members: [S(0)], sccIndex: [2] },
  ]);
});

for (const d of ['linux-6.10', 'linux-6.18', 'linux-5.14']) {
  for (const type of ['dgram', 'stream'] as const) {
    for (const name of Object.keys(SHAPES)) {
      test(`${d}: selftest ${name} (${type}) is fully released after closing every fd and one GC run`, (t) => {
        const ctx = ctxFor(d, { ...wide, files: 2 * SHAPES[name]!.n, fds: 2 * SHAPES[name]!.n });
        const r = run(ctx, [...shape(name, type), ...closeAll(SHAPES[name]!.n)]);
        t.true(live(r.world).length > 0, 'garbage before the run');
        const after = run(ctx, ['gc'], r.world).world;
        t.deepEqual(live(after), []);
        t.deepEqual(after.gc.inflightList, []);
        t.is(graphAccountingViolation(after, ctx.design), undefined);
        t.is(inflightViolation(after, ctx.k), undefined);
      });
    }
  }
}

test('the phased run of backtrack_from_scc: {1,2,3} is dead and collected; 0 is not dead (its edges lead into another SCC) and goes with the purge', (t) => {
  const ctx = ctxFor('linux-6.10', { ...wide, files: 20, fds: 20, gc: 'phased' });
  const r = run(ctx, [...shape('backtrack_from_scc', 'dgram'), ...closeAll(10)]);
  let w = walk(ctx, r.world).world;
  t.is(w.gc.sccs.length, 4);   // {1,2,3}, {0}, {6,7,8}, {5}
  for (let i = 0; i < 3; i++) w = step(ctx, w, gcPhase('dead'));
  t.deepEqual(w.gc.collected, [S(1), S(2), S(3)]);
  w = step(ctx, w, gcPhase('dead'));
  t.deepEqual(w.gc.collected, [S(1), S(2), S(3)]);
  w = finish(ctx, w);
  t.deepEqual(live(w), []);
});

test('gc-scc-leak-min: the walk gives D the scc_index of C (3), not the root A\'s (2), so unix_vertex_dead(D) fails and the SCC stays, also on every later (fast) walk', (t) => {
  for (const d of ['linux-6.10', 'linux-6.18']) {
    const ctx = ctxFor(d, { ...wide, gc: 'phased' });
    const r = run(ctx, [
      'T0 socketpair dgram', 'T0 socketpair dgram',     // A=f0 (fd 3) B=f1 (4), C=f2 (5) D=f3 (6)
      'T0 sendmsg 6 3',                                 // C's queue: [A]      edge A→C
      'T0 sendmsg 5 5',                                 // D's queue: [C]      edge C→D
      'T0 sendmsg 6 6',                                 // C's queue: [A] [D]  edge D→C
      'T0 sendmsg 4 5',                                 // A's queue: [C]      edge C→A
      'T0 close 3', 'T0 close 4', 'T0 close 5', 'T0 close 6',
    ]);
    t.deepEqual(r.world.gc.edges.slice(0, 4), [[2], [], [3, 0], [2]]);
    const { world, sccs } = walk(ctx, r.world);
    t.deepEqual(sccs, [{ members: [0, 2, 3], sccIndex: [2, 2, 3] }], d);
    const after = finish(ctx, world);
    t.deepEqual(live(after), [0, 2, 3], `${d}: A, C and D stay, B goes`);
    t.true(after.gc.grouped);
    t.true(after.gc.maybeCyclic);
    // The next run is the fast walk over the same SCC with the same scc_index values: still not dead.
    const again = run(ctx, ['gc', 'gc'], after).world;
    t.deepEqual(live(again), [0, 2, 3]);
    // The 2007 GC collects it.
    const old = run(ctxFor('linux-5.14', wide), [
      'T0 socketpair dgram', 'T0 socketpair dgram', 'T0 sendmsg 6 3', 'T0 sendmsg 5 5', 'T0 sendmsg 6 6', 'T0 sendmsg 4 5',
      'T0 close 3', 'T0 close 4', 'T0 close 5', 'T0 close 6', 'gc',
    ]).world;
    t.deepEqual(live(old), []);
  }
});

test('gc-scc-leak-min reordered (C into D\'s queue first, so the walk starts at C) is collected', (t) => {
  const ctx = ctxFor('linux-6.18', wide);
  const r = run(ctx, [
    'T0 socketpair dgram', 'T0 socketpair dgram',
    'T0 sendmsg 5 5', 'T0 sendmsg 6 3', 'T0 sendmsg 6 6', 'T0 sendmsg 4 5',
    'T0 close 3', 'T0 close 4', 'T0 close 5', 'T0 close 6', 'gc',
  ]);
  t.deepEqual(live(r.world), []);
});

test('the oracle\'s gc-scc-leak and gc-scc-leak-min: linux-6.18 leaves exactly the sockets the 6.18 kernel leaves', (t) => {
  const d = design('linux-6.18');
  const cases: [string, number[]][] = [['gc-scc-leak', [0, 1, 2, 3]], ['gc-scc-leak-min', [0, 2, 3]]];
  for (const [name, stay] of cases) {
    const tr = handTrace(d, KERNEL_LEAKS[name]!);
    const steps = tr.steps.map((s) => ({ task: s.task, syscall: s.syscall, args: s.args }) as Step);
    const ctx = ctxFor(d, tr.bounds);
    let w = run(ctx, []).world;
    for (const s of steps) w = step(ctx, w, s);
    t.deepEqual(live(w), stay, name);
  }
});

// mixed_lowpoint (b645ccd41054, the selftest of 4a4263dfeaba): 0→1, 1→2, 2→1, 1→0 and the same on 3, 4, 5.
// By hand, from __unix_walk_scc(): the vertex list is [0, 1, 2, 3, 4, 5] (first sent first). DFS from 0:
// 0 gets index 2, 1 gets 3, 2 gets 4. 1's edges in order: 1→2 (×2), 1→0 (×2). Descending 1→2, 2's edge
// 2→1 meets 1 on the stack with scc_index 3: 2 takes 3. Back on 1: min(3, 3); 1→2 again: 3; 1→0 meets 0
// on the stack: 1 takes 2. 0 is the root (index 2 == scc_index 2): the SCC [0, 1, 2] with 2, 2, 3.
// The second SCC from 3 (index 5): 5, 5, 6. unix_vertex_dead(2) sees its successor 1 with 2 ≠ 3.
const MIXED: [number, number][] = [[0, 1], [1, 2], [2, 1], [1, 0], [3, 4], [4, 5], [5, 4], [4, 3]];

test('mixed_lowpoint: linux-6.18 gives 2, 2, 3 and 5, 5, 6 and leaks all six sockets (also on the fast walks after); linux-6.18.54 gives 2, 2, 2 and 5, 5, 5 and collects them', (t) => {
  for (const type of ['dgram', 'stream'] as const) {
    for (const [d, scc, stay] of [
      ['linux-6.10', [[2, 2, 3], [5, 5, 6]], [S(0), S(1), S(2), S(3), S(4), S(5)]],
      ['linux-6.18', [[2, 2, 3], [5, 5, 6]], [S(0), S(1), S(2), S(3), S(4), S(5)]],
      ['linux-6.18.54', [[2, 2, 2], [5, 5, 5]], []],
    ] as const) {
      const ctx = ctxFor(d, { ...wide, gc: 'phased' });
      const r = run(ctx, [...pairs(6, type), ...MIXED.map(([x, y]) => sendFd(x, y)), ...closeAll(6)]);
      t.deepEqual(r.world.gc.inflightList, [S(0), S(1), S(2), S(3), S(4), S(5)]);
      t.deepEqual(r.world.gc.edges[S(1)], [S(2), S(2), S(0), S(0)]);
      const { world, sccs } = walk(ctx, r.world);
      t.deepEqual(sccs, [
        { members: [S(0), S(1), S(2)], sccIndex: [...scc[0]] },
        { members: [S(3), S(4), S(5)], sccIndex: [...scc[1]] },
      ], `${d} ${type}`);
      const after = finish(ctx, world);
      t.deepEqual(live(after), [...stay], `${d} ${type}`);
      t.deepEqual(live(run(ctx, ['gc', 'gc'], after).world), [...stay], `${d} ${type}: the fast walks after`);
    }
  }
  // The 2007 GC has no scc_index.
  const old = run(ctxFor('linux-5.14', wide), [...pairs(6, 'dgram'), ...MIXED.map(([x, y]) => sendFd(x, y)), ...closeAll(6), 'gc']).world;
  t.deepEqual(live(old), []);
});

test('mixed_lowpoint on linux-6.18 with a GC run between the third and the fourth send: that walk leaves the vertex list [1, 2, 0], the next starts at 1 and gives all three 2; collected', (t) => {
  const ctx = ctxFor('linux-6.18', { ...wide, gc: 'phased' });
  let w = run(ctx, [...pairs(3, 'dgram'), ...MIXED.slice(0, 3).map(([x, y]) => sendFd(x, y))]).world;
  // By hand: from 0 (index 2): 1 (3), 2 (4); 2→1 on the stack: 2 takes 3; 1 is a root: [1, 2] with 3, 3,
  // finalised first, then [0]; neither dead (every fd is open).
  const first = walk(ctx, w);
  t.deepEqual(first.sccs, [{ members: [S(1), S(2)], sccIndex: [3, 3] }, { members: [S(0)], sccIndex: [2] }]);
  w = finish(ctx, first.world);
  t.deepEqual(w.gc.inflightList, [S(1), S(2), S(0)]);
  w = run(ctx, [sendFd(1, 0), ...closeAll(3)], w).world;
  // From 1 (index 2): 2 (3), 2→1: 2; back on 1, 1→0: 0 (4), 0→1: 2. One SCC, all 2: dead.
  const second = walk(ctx, w);
  t.deepEqual(second.sccs, [{ members: [S(1), S(2), S(0)], sccIndex: [2, 2, 2] }]);
  t.deepEqual(live(finish(ctx, second.world)), []);
});

test('linux-6.18.54 collects the oracle\'s gc-scc-leak and gc-scc-leak-min, which the 6.18 kernel leaks', (t) => {
  const d = design('linux-6.18.54');
  for (const name of ['gc-scc-leak', 'gc-scc-leak-min']) {
    const tr = handTrace(d, KERNEL_LEAKS[name]!);
    const ctx = ctxFor(d, tr.bounds);
    let w = run(ctx, []).world;
    for (const s of tr.steps) w = step(ctx, w, { task: s.task, syscall: s.syscall, args: s.args } as Step);
    t.deepEqual(live(w), [], name);
  }
  // gc-scc-leak-min's walk, unified: D gets A's 2.
  const ctx = ctxFor(d, { ...wide, gc: 'phased' });
  const r = run(ctx, ['T0 socketpair dgram', 'T0 socketpair dgram', 'T0 sendmsg 6 3', 'T0 sendmsg 5 5', 'T0 sendmsg 6 6', 'T0 sendmsg 4 5',
    'T0 close 3', 'T0 close 4', 'T0 close 5', 'T0 close 6']);
  t.deepEqual(walk(ctx, r.world).sccs, [{ members: [0, 2, 3], sccIndex: [2, 2, 2] }]);
});

// Runs the traces on the machine's kernel: it leaks their sockets until reboot, so only when asked.
test.serial('inflight kernel agrees with linux-6.18 on gc-scc-leak and gc-scc-leak-min (INFLIGHT_ORACLE_LEAKS=1)', async (t) => {
  if (process.env['INFLIGHT_ORACLE_LEAKS'] !== '1') { t.log('skipped: set INFLIGHT_ORACLE_LEAKS=1 to run it (it leaks 7 sockets in the kernel)'); t.pass(); return; }
  const dir = mkdtempSync(join(tmpdir(), 'inflight-gc-graph-'));
  for (const name of ['gc-scc-leak', 'gc-scc-leak-min']) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, traceToJson(handTrace(design('linux-6.18'), KERNEL_LEAKS[name]!)));
    const r = await cli(['kernel', file, '--json']);
    if (r.code === 2 && /E_KERNEL|unsupported/.test(r.out)) { t.log(r.out); t.pass(); return; }
    t.is(r.code, 0, r.out);
    const j = JSON.parse(r.out) as { verdict: string };
    t.is(j.verdict, 'agree', name);
  }
});

/** CVE-2026-23394 (domain.md §4.7): SCC {A, B}; A closed; B's fd in A's queue, A's in B's; the user holds B.
 *  G: dead(A) → T: recvmsg(B, MSG_PEEK) (A gets an fd) → T: close(B) → G: dead(B). */
function cve202623394(d: string): { collectedStep: { s: World; t: World; step: Step }; end: World; ctx: Ctx } {
  const ctx = ctxFor(d, { ...wide, gc: 'phased' });
  const r = run(ctx, [
    'T0 socketpair dgram', 'T0 socketpair dgram',   // A=f0 (3) A'=f1 (4), B=f2 (5) B'=f3 (6)
    'T0 sendmsg 6 3',                               // B's queue carries A (edge A→B): A is the first vertex
    'T0 sendmsg 4 5',                               // A's queue carries B (edge B→A)
    'T0 close 3',                                   // A: only its copy in B's queue
  ]);
  let w = walk(ctx, r.world).world;
  if (JSON.stringify(w.gc.sccs) !== JSON.stringify([{ members: [0, 2], sccIndex: [2, 2] }])) throw new Error(JSON.stringify(w.gc.sccs));
  w = step(ctx, w, gcPhase('dead'));                                                   // dead(A): true
  w = step(ctx, w, { task: 0, syscall: 'recvmsg', args: { fd: 5, peek: true } });       // dup: A's count 1 → 2
  w = step(ctx, w, { task: 0, syscall: 'resume', args: { call: 'recvmsg(5, MSG_PEEK)', stage: 'install fds' } } as Step);   // A: fd 3
  w = step(ctx, w, { task: 0, syscall: 'close', args: { fd: 5 } });                    // B's count 2 → 1
  const s = w;
  const last = gcPhase('dead');
  w = step(ctx, w, last);                                                               // dead(B)
  const collectedStep = { s, t: w, step: last };
  return { collectedStep, end: finish(ctx, w), ctx };
}

test('CVE-2026-23394 on linux-6.10: the SCC is found dead although A is reachable through the peeked fd; gc-safety is violated', (t) => {
  const { collectedStep, end, ctx } = cve202623394('linux-6.10');
  t.deepEqual(collectedStep.t.gc.collected, [0, 2]);
  const prop = gcSafety.make(ctx);
  const verdict = (prop as unknown as { check(s: World, a: unknown, t: World): string | undefined })
    .check(collectedStep.s, { step: collectedStep.step, result: { ret: 0 } }, collectedStep.t);
  t.regex(verdict ?? '', /f0:unix\/dgram/);
  // A is still open (fd 3), but its queue was purged.
  t.false(end.files[0]!.released);
  t.is(end.tasks[0]!.fds[0]?.file, 0);
  t.deepEqual(end.files[0]!.sock!.queue, []);
});

test('CVE-2026-23394 on linux-6.18: the peek during the SCC\'s evaluation makes it alive for this run; gc-safety holds', (t) => {
  const { collectedStep, end, ctx } = cve202623394('linux-6.18');
  t.deepEqual(collectedStep.t.gc.collected, []);
  const prop = gcSafety.make(ctx);
  const verdict = (prop as unknown as { check(s: World, a: unknown, t: World): string | undefined })
    .check(collectedStep.s, { step: collectedStep.step, result: { ret: 0 } }, collectedStep.t);
  t.is(verdict, undefined);
  t.is(end.files[0]!.sock!.queue.length, 1);   // B is still in A's queue
  // The SCC is deferred, not lost: once the user closes A's new fd, the next run collects both.
  const later = run(ctx, ['T0 close 3', 'gc'], end).world;
  t.true(later.files[0]!.released && later.files[2]!.released);
});

test('graph-accounting (I4) and inflight-exact (I3) hold along a run with receives, peeks and a phased GC', (t) => {
  for (const d of ['linux-6.10', 'linux-6.18', 'linux-5.14']) {
    const ctx = ctxFor(d, { ...wide, gc: 'phased' });
    const r = run(ctx, [
      'T0 socketpair stream', 'T0 socketpair dgram', 'T0 sendmsg 4 5 5', 'T0 sendmsg 6 3', 'T0 sendmsg 4 3 6',
      'T0 peek 3', 'T0 recvmsg 3', 'T0 close 5', 'T0 close 7', 'T0 close 8',
    ]);
    const check = graphAccounting.make(ctx) as unknown as { check(w: World): string | undefined };
    let w = r.world;
    for (const x of r.worlds) { t.is(check.check(x), undefined, d); t.is(inflightViolation(x, ctx.k), undefined, d); }
    w = step(ctx, w, gcPhase('start'));
    for (let i = 0; w.gc.phase !== 'idle' && i < 100; i++) {
      t.is(check.check(w), undefined, d);
      t.is(inflightViolation(w, ctx.k), undefined, d);
      w = step(ctx, w, gcPhase(w.gc.phase));
    }
    t.is(check.check(w), undefined, d);
  }
});
