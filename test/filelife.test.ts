// The filelife reference model (bench/filelife.ts) explores exactly the state space TLC and SPIN explore for
// the shared bench's FileLife.tla: the distinct counts of its README, B's transitions, and the buggy
// variant's 6-step counterexample. A literal, set-based transcription of the TLA+ actions cross-checks the
// successors of every state within a few steps. Config A at depth <= 8 (1,337,513 states) runs with the compact
// frontier (a few seconds, under 200 MB); `npm run bench -- filelife A` times it.
import test from 'ava';
import { check, replayPath } from '../checker/index.js';
import {
  CONFIGS, createFileLife, describeAction, GC, opOf, NONE, REG, RING, SOCK,
  type DecodedState, type FileLifeConfig, type FileLifeState,
} from '../bench/filelife.js';

const A = CONFIGS.A;
const B = CONFIGS.B;
const BUGGY = CONFIGS['A-buggy'];

const run = (cfg: FileLifeConfig, maxDepth: number) => {
  const m = createFileLife(cfg);
  return { m, r: check(m, { properties: m.properties, maxDepth }) };
};

// ---------------------------------------------------------------------------------------------------------
// The figures of the shared bench's README (TLC and full-vector SPIN agree on all of them).

const A_BY_DEPTH = [7, 55, 452, 3_398, 21_436, 107_005];

for (let d = 1; d <= A_BY_DEPTH.length; d++) {
  test(`A (P=2 F=5 D=3 Q=2 R=1, FIXED): ${A_BY_DEPTH[d - 1]!.toLocaleString('en-US')} distinct states at distance <= ${d}, as TLC and SPIN`, (t) => {
    const { r } = run(A, d);
    t.is(r.stats.distinct, A_BY_DEPTH[d - 1]!);
    t.is(r.stop, 'depth');
    t.is(r.stats.depth, d);
    t.is(r.properties[0]!.status, 'bounded');
  });
}

test('B (P=2 F=4 D=2 Q=2 R=1, FIXED), unbounded: 419,725 distinct states and 1,974,957 generated, as TLC', (t) => {
  const { r } = run(B, 0);
  t.is(r.stop, 'exhausted');
  t.is(r.stats.distinct, 419_725);
  // TLC's "states generated" = the initial state + every successor computed = the checker's `generated`
  // (SPIN's "transitions" gives the same number: stored + matched, the initial state being stored).
  t.is(r.stats.generated, 1_974_957);
  t.deepEqual(r.properties.map((p) => [p.name, p.status]), [['NoLeak', 'holds']]);
});

test('A at distance <= 8: 1,337,513 distinct states and 3,948,297 generated, as TLC (compact frontier)', (t) => {
  const m = createFileLife(A);
  const r = check(m, { properties: m.properties, maxDepth: 8, compact: true });
  t.is(r.stats.distinct, 1_337_513);
  t.is(r.stats.generated, 3_948_297);
  t.is(r.stop, 'depth');
  t.true(r.stats.peakFrontierBytes! > 0, 'the frontier was kept in the arena');
  t.true(r.stats.visitedBytesPerState! <= 16, `visited set ${r.stats.visitedBytesPerState} bytes per state`);
});

test('the compact frontier (states encoded in an arena) gives exactly what the object frontier gives', (t) => {
  for (const [cfg, depth] of [[B, 0], [BUGGY, BUGGY.MaxDepth], [A, 5]] as const) {
    const m = createFileLife(cfg);
    const objects = check(m, { properties: m.properties, maxDepth: depth });
    const compact = check(m, { properties: m.properties, maxDepth: depth, compact: true });
    t.is(compact.stats.distinct, objects.stats.distinct);
    t.is(compact.stats.generated, objects.stats.generated);
    t.is(compact.stop, objects.stop);
    t.deepEqual(compact.properties, objects.properties);
  }
});

test('A-buggy (FIXED = FALSE): NoLeak is violated after 6 steps, the counterexample of TLC and SPIN', (t) => {
  const { m, r } = run(BUGGY, BUGGY.MaxDepth);
  const noLeak = r.properties[0]!;
  t.is(noLeak.status, 'violated');
  t.is(r.stop, 'decided');
  // The search stops at the first violating state, after inserting it: with the action order of the spec's
  // Step (per task: open, io_uring_setup, socketpair, close, sendmsg, recvmsg, register, unregister; then gc)
  // this is TLC's count; SPIN stops before storing the violating state (38,586 stored, 71,695 transitions).
  t.is(r.stats.distinct, 38_587);
  t.is(r.stats.generated, 71_696);

  const { states, actions } = replayPath(m, noLeak.path!);
  // Arguments as in FileLife.tla (1-based task and slots): the ring is file 1 in slot 1, the socketpair is
  // files 2 and 3 in slots 2 and 3.
  t.deepEqual(actions.map(describeAction), [
    'io_uring_setup(1)', // ring 1 in fd slot 1
    'socketpair(1)', // sockets 2 and 3 in slots 2, 3
    'sendmsg(1,2,1)', // the ring fd goes through socket 2 into its peer 3's queue
    'register(1,1,3)', // the peer 3 is registered in the ring's table
    'close(1,1)', // close the ring fd
    'close(1,3)', // close the peer's fd
  ]);
  t.is(states.length, 7);
  for (let i = 0; i < 6; i++) t.is(m.noLeak(states[i]!), undefined, `state ${i} does not leak`);
  const last = m.view(states[6]!);
  t.deepEqual(last, {
    nfiles: 3,
    kind: [RING, SOCK, SOCK, NONE, NONE],
    peer: [0, 3, 2, 0, 0],
    refcnt: [1, 1, 1, 0, 0],
    fdt: [[0, 2, 0], [0, 0, 0]],
    q: [[], [], [1], [], []],
    reg: [[3], [0], [0], [0], [0]],
  });
  t.is(noLeak.message, m.noLeak(states[6]!));
  t.regex(noLeak.message!, /\{1,3\}/);
  // Buggy gc: the ring table's reference to 3 is a root, so 3 and the ring in its queue are not garbage.
  t.is(m.garbage(states[6]!), 0);
  // The fixed gc sees both as garbage, and collecting them releases everything but socket 2.
  const fixed = createFileLife({ ...BUGGY, FIXED: true });
  t.is(fixed.garbage(states[6]!), (1 << 1) | (1 << 3));
  t.is(fixed.noLeak(states[6]!), undefined);
  const acts = fixed.steps(states[6]!);
  const gc = acts.find((a) => opOf(a) === GC);
  t.not(gc, undefined);
  t.deepEqual(fixed.view(fixed.next(states[6]!, gc!)).refcnt, [0, 1, 0, 0, 0]);
});

// ---------------------------------------------------------------------------------------------------------
// A literal transcription of FileLife.tla's actions over plain arrays and sets (slow, independent of the byte
// layout and of the incremental cascade), compared successor by successor with the model.

function literalSuccessors(c: FileLifeConfig, s: DecodedState): DecodedState[] {
  const files = Array.from({ length: c.F }, (_, i) => i + 1);
  const live = (f: number): boolean => s.refcnt[f - 1]! > 0;
  const liveSet = files.filter(live);
  const freeSlots = (p: number): number[] => s.fdt[p]!.flatMap((x, d) => (x === 0 ? [d] : []));
  const clone = (): DecodedState => structuredClone(s);
  const held = (qv: number[][], regv: number[][], S: Set<number>, f: number): number => {
    let n = 0;
    for (const x of S) n += qv[x - 1]!.filter((y) => y === f).length + regv[x - 1]!.filter((y) => y === f).length;
    return n;
  };
  const release = (t: DecodedState, base: number[], forced: Set<number>): void => {
    let S = new Set(forced);
    for (;;) {
      const S2 = new Set(S);
      for (const f of liveSet) if (!S.has(f) && base[f - 1] === held(t.q, t.reg, S, f)) S2.add(f);
      if (S2.size === S.size) break;
      S = S2;
    }
    const refcnt = files.map((f) => (S.has(f) ? 0 : base[f - 1]! - held(t.q, t.reg, S, f)));
    for (const f of S) {
      t.q[f - 1] = [];
      t.reg[f - 1] = t.reg[f - 1]!.map(() => 0);
    }
    t.refcnt = refcnt;
  };
  const reach = (roots: Set<number>, withRing: boolean): Set<number> => {
    const S = new Set(roots);
    for (let changed = true; changed;) {
      changed = false;
      for (const x of [...S]) {
        for (const y of [...s.q[x - 1]!, ...(withRing ? s.reg[x - 1]!.filter((z) => z !== 0) : [])]) {
          if (!S.has(y)) { S.add(y); changed = true; }
        }
      }
    }
    return S;
  };
  const out: DecodedState[] = [];
  for (let p = 0; p < c.P; p++) {
    for (const k of [REG, RING]) {
      if (s.nfiles < c.F && freeSlots(p).length > 0) {
        const t = clone();
        const f = ++t.nfiles;
        t.kind[f - 1] = k;
        t.refcnt[f - 1] = 1;
        t.fdt[p]![Math.min(...freeSlots(p))] = f;
        out.push(t);
      }
    }
    if (s.nfiles + 2 <= c.F && freeSlots(p).length >= 2) {
      const t = clone();
      const a = s.nfiles + 1;
      const b = s.nfiles + 2;
      t.nfiles = b;
      t.kind[a - 1] = SOCK; t.kind[b - 1] = SOCK;
      t.peer[a - 1] = b; t.peer[b - 1] = a;
      t.refcnt[a - 1] = 1; t.refcnt[b - 1] = 1;
      const [d1, d2] = freeSlots(p);
      t.fdt[p]![d1!] = a; t.fdt[p]![d2!] = b;
      out.push(t);
    }
    for (let d = 0; d < c.D; d++) {
      const x = s.fdt[p]![d]!;
      if (x === 0) continue;
      const t = clone();
      t.fdt[p]![d] = 0;
      const base = [...s.refcnt];
      base[x - 1]!--;
      release(t, base, new Set());
      out.push(t);
    }
    for (let sd = 0; sd < c.D; sd++) {
      for (let xd = 0; xd < c.D; xd++) {
        const sf = s.fdt[p]![sd]!;
        const x = s.fdt[p]![xd]!;
        if (sf === 0 || s.kind[sf - 1] !== SOCK || x === 0) continue;
        const pe = s.peer[sf - 1]!;
        if (!live(pe) || s.q[pe - 1]!.length >= c.Q) continue;
        const t = clone();
        t.q[pe - 1]!.push(x);
        t.refcnt[x - 1]!++;
        out.push(t);
      }
    }
    for (let sd = 0; sd < c.D; sd++) {
      const sf = s.fdt[p]![sd]!;
      if (sf === 0 || s.kind[sf - 1] !== SOCK || s.q[sf - 1]!.length === 0 || freeSlots(p).length === 0) continue;
      const t = clone();
      const head = t.q[sf - 1]!.shift()!;
      t.fdt[p]![Math.min(...freeSlots(p))] = head;
      out.push(t);
    }
    for (let rd = 0; rd < c.D; rd++) {
      for (let xd = 0; xd < c.D; xd++) {
        const r = s.fdt[p]![rd]!;
        const x = s.fdt[p]![xd]!;
        if (r === 0 || s.kind[r - 1] !== RING || x === 0 || s.kind[x - 1] === RING || s.reg[r - 1]![c.R - 1] !== 0) continue;
        const t = clone();
        t.reg[r - 1]![t.reg[r - 1]!.indexOf(0)] = x;
        t.refcnt[x - 1]!++;
        out.push(t);
      }
    }
    for (let rd = 0; rd < c.D; rd++) {
      const r = s.fdt[p]![rd]!;
      if (r === 0 || s.kind[r - 1] !== RING || s.reg[r - 1]![0] === 0) continue;
      const t = clone();
      const base = files.map((f) => s.refcnt[f - 1]! - s.reg[r - 1]!.filter((y) => y === f).length);
      t.reg[r - 1] = t.reg[r - 1]!.map(() => 0);
      release(t, base, new Set());
      out.push(t);
    }
  }
  const fdHeld = new Set(s.fdt.flat().filter((x) => x !== 0));
  const ringHeld = new Set(s.reg.flat().filter((x) => x !== 0));
  const roots = c.FIXED ? fdHeld : new Set([...fdHeld, ...ringHeld]);
  const r = reach(roots, c.FIXED);
  const garbage = new Set(liveSet.filter((f) => !r.has(f)));
  if (garbage.size > 0) {
    const t = clone();
    release(t, [...s.refcnt], garbage);
    out.push(t);
  }
  return out;
}

/** Compares the successors of every state at distance < `depth` (and returns the states at distance <= depth). */
function crossCheck(c: FileLifeConfig, depth: number): { states: number; transitions: number; mismatches: string[] } {
  const m = createFileLife(c);
  const seen = new Set<string>();
  const k = (s: FileLifeState): string => s.join(',');
  let frontier = [...m.initial()];
  for (const s of frontier) seen.add(k(s));
  let transitions = 0;
  const mismatches: string[] = [];
  for (let d = 0; d < depth; d++) {
    const nxt: FileLifeState[] = [];
    for (const s of frontier) {
      const succ = m.steps(s).map((a) => m.next(s, a));
      transitions += succ.length;
      const got = succ.map((t) => JSON.stringify(m.view(t))).sort();
      const want = literalSuccessors(c, m.view(s)).map((t) => JSON.stringify(t)).sort();
      if (JSON.stringify(got) !== JSON.stringify(want) && mismatches.length < 3) {
        mismatches.push(`from ${JSON.stringify(m.view(s))}:\n  model   ${got.join('\n          ')}\n  literal ${want.join('\n          ')}`);
      }
      for (const t of succ) {
        if (!seen.has(k(t))) { seen.add(k(t)); nxt.push(t); }
      }
    }
    frontier = nxt;
  }
  return { states: seen.size, transitions, mismatches };
}

test('the successors of every state within 4 steps of A and A-buggy are those of the literal TLA+ actions', (t) => {
  for (const c of [A, BUGGY]) {
    const r = crossCheck(c, 5);
    t.deepEqual(r.mismatches, [], `FIXED=${c.FIXED}`);
    if (c.FIXED) t.is(r.states, 21_436); // distance <= 5: the successors of every state at distance <= 4
  }
});

test('the successors of every state within 6 steps of B with Q=1 R=2 (gc, unregister and cascades are common)', (t) => {
  const r = crossCheck({ ...B, Q: 1, R: 2 }, 7);
  t.deepEqual(r.mismatches, []);
  t.true(r.transitions > 10_000);
});

test('a release cascade: closing the last fd of a socket releases what its queue holds, transitively', (t) => {
  const m = createFileLife(A);
  let s = m.initial()[0]!;
  const take = (name: string): void => {
    const a = m.steps(s).find((x) => describeAction(x) === name);
    if (a === undefined) throw new Error(`${name} is not enabled in ${JSON.stringify(m.view(s))}`);
    s = m.next(s, a);
  };
  take('socketpair(1)'); // 1, 2
  take('open(1)'); // 3 in slot 3
  take('sendmsg(1,1,3)'); // 3 into q[2]
  take('close(1,3)'); // 3 is held by q[2] only
  take('sendmsg(1,2,1)'); // 1 into q[1] (a socket holding itself)
  t.deepEqual(m.view(s).refcnt, [2, 1, 1, 0, 0]);
  take('close(1,2)'); // 2 released: drops 3, which is released too
  let d = m.view(s);
  t.deepEqual(d.refcnt, [2, 0, 0, 0, 0]);
  t.deepEqual(d.q, [[1], [], [], [], []]);
  take('close(1,1)'); // 1 holds itself: not released, it is garbage for the gc
  d = m.view(s);
  t.deepEqual(d.refcnt, [1, 0, 0, 0, 0]);
  t.is(m.garbage(s), 1 << 1);
  const acts = m.steps(s).map(describeAction);
  t.deepEqual(acts, ['open(1)', 'io_uring_setup(1)', 'socketpair(1)', 'open(2)', 'io_uring_setup(2)', 'socketpair(2)', 'gc{1}']);
  take('gc{1}');
  d = m.view(s);
  t.deepEqual(d.refcnt, [0, 0, 0, 0, 0]);
  t.deepEqual(d.q, [[], [], [], [], []]);
  t.is(m.garbage(s), 0);
});
