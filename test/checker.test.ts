import test from 'ava';
import {
  always, alwaysStep, check, fingerprint, fingerprintPair, fp, FingerprintSet, Int32List, replayPath,
  sometimes, sometimesStep, type Model, type Progress,
} from '../checker/index.js';

// ---------------------------------------------------------------------------------------------------------
// A naive reference search (JS Set of string keys), to derive expected counts independently of the engine.

interface Naive {
  distinct: number;
  /** transitions out of reachable states, plus the initial states */
  generated: number;
  /** key -> BFS distance */
  dist: Map<string, number>;
  maxDist: number;
}

function naiveBfs<S, A>(m: Model<S, A>): Naive {
  const dist = new Map<string, number>();
  const k = (s: S): string => Array.from(m.key(s)).join(',');
  let generated = 0;
  let frontier: S[] = [];
  for (const s of m.initial()) {
    generated++;
    if (!dist.has(k(s))) {
      dist.set(k(s), 0);
      frontier.push(s);
    }
  }
  let d = 0;
  let maxDist = 0;
  while (frontier.length > 0) {
    const next: S[] = [];
    for (const s of frontier) {
      for (const a of m.steps(s)) {
        generated++;
        const t = m.next(s, a);
        if (!dist.has(k(t))) {
          dist.set(k(t), d + 1);
          maxDist = d + 1;
          next.push(t);
        }
      }
    }
    frontier = next;
    d++;
  }
  return { distinct: dist.size, generated, dist, maxDist };
}

// ---------------------------------------------------------------------------------------------------------
// Die hard: jugs of 3 and 5 gallons.

interface Jugs { readonly small: number; readonly big: number }
type JugAction = 'fill-small' | 'fill-big' | 'empty-small' | 'empty-big' | 'small-to-big' | 'big-to-small';

const jugs: Model<Jugs, JugAction> = {
  initial: () => [{ small: 0, big: 0 }],
  steps: (s) => {
    const acts: JugAction[] = [];
    if (s.small < 3) acts.push('fill-small');
    if (s.big < 5) acts.push('fill-big');
    if (s.small > 0) acts.push('empty-small');
    if (s.big > 0) acts.push('empty-big');
    if (s.small > 0 && s.big < 5) acts.push('small-to-big');
    if (s.big > 0 && s.small < 3) acts.push('big-to-small');
    return acts;
  },
  next: (s, a) => {
    switch (a) {
      case 'fill-small': return { small: 3, big: s.big };
      case 'fill-big': return { small: s.small, big: 5 };
      case 'empty-small': return { small: 0, big: s.big };
      case 'empty-big': return { small: s.small, big: 0 };
      case 'small-to-big': {
        const m = Math.min(s.small, 5 - s.big);
        return { small: s.small - m, big: s.big + m };
      }
      case 'big-to-small': {
        const m = Math.min(s.big, 3 - s.small);
        return { small: s.small + m, big: s.big - m };
      }
    }
  },
  key: (s) => [s.small, s.big],
};

test('die hard: 4 gallons in a shortest path of 6 steps', (t) => {
  const r = check(jugs, { properties: [always<Jugs>('not-4', (s) => (s.big === 4 ? 'four' : undefined))] });
  const p = r.properties[0]!;
  t.is(p.name, 'not-4');
  t.is(p.status, 'violated');
  t.is(p.message, 'four');
  t.is(p.path!.init, 0);
  // fill-big, big-to-small, empty-small, big-to-small, fill-big, big-to-small
  t.is(p.path!.steps.length, 6);
  const { states, actions } = replayPath(jugs, p.path!);
  t.is(states.length, 7);
  t.is(actions.length, 6);
  t.is(states[6]!.big, 4);
  t.true(states.slice(0, 6).every((s) => s.big !== 4));
  t.is(r.stop, 'decided');
  t.deepEqual(r.witnesses, []);
});

test('die hard: exhaustive search matches a naive BFS (16 states)', (t) => {
  const naive = naiveBfs(jugs);
  // states with a jug empty or full: small in {0,3} x big 0..5 (12), plus big in {0,5} x small in {1,2} (4)
  t.is(naive.distinct, 16);
  const r = check(jugs, {
    properties: [
      always<Jugs>('in-range', (s) => (s.small >= 0 && s.small <= 3 && s.big >= 0 && s.big <= 5 ? undefined : 'out')),
      sometimes<Jugs>('four', (s) => (s.big === 4 ? 'big has 4' : undefined)),
    ],
    keepVisited: true,
  });
  t.is(r.stop, 'exhausted');
  t.is(r.stats.distinct, naive.distinct);
  t.is(r.stats.generated, naive.generated);
  t.is(r.stats.depth, naive.maxDist);
  t.is(r.stats.queue, 0);
  t.is(r.properties[0]!.status, 'holds');
  t.is(r.witnesses[0]!.status, 'found');
  t.is(r.witnesses[0]!.path!.steps.length, 6);
  t.is(r.visited!.size, 16);
  for (const key of naive.dist.keys()) t.true(r.visited!.has(key.split(',').map(Number)));
  t.false(r.visited!.has([1, 1]));
  t.true(r.stats.generated >= r.stats.distinct);
  t.true(r.stats.bytesPerState > 0);
  t.true(r.stats.collisionProbability > 0 && r.stats.collisionProbability < 1e-15);
});

// ---------------------------------------------------------------------------------------------------------
// A counter grid: x, y in 0..N, actions inc x / inc y.

interface XY { readonly x: number; readonly y: number }
type Inc = 'x' | 'y';
const grid = (n: number): Model<XY, Inc> => ({
  initial: () => [{ x: 0, y: 0 }],
  steps: (s) => (s.x < n ? (s.y < n ? ['x', 'y'] : ['x']) : s.y < n ? ['y'] : []),
  next: (s, a) => (a === 'x' ? { x: s.x + 1, y: s.y } : { x: s.x, y: s.y + 1 }),
  key: (s) => [s.x, s.y],
});
const inRange = (n: number) => always<XY>('in-range', (s) => (s.x <= n && s.y <= n ? undefined : `(${s.x},${s.y})`));

test('grid: exhaustive counts', (t) => {
  const N = 20;
  const r = check(grid(N), { properties: [inRange(N)] });
  t.is(r.stop, 'exhausted');
  t.is(r.properties[0]!.status, 'holds');
  t.is(r.stats.distinct, (N + 1) ** 2);
  t.is(r.stats.depth, 2 * N);
  // 1 initial state + every state has one transition per coordinate below N: 2 * N * (N + 1)
  t.is(r.stats.generated, 1 + 2 * N * (N + 1));
  t.is(r.stats.queue, 0);
  t.true(r.stats.seconds >= 0);
});

test('grid: maxDepth below the diameter is bounded', (t) => {
  const N = 10;
  for (const k of [1, 3, 10, 15, 2 * N - 1]) {
    const r = check(grid(N), { properties: [inRange(N), sometimes<XY>('corner', (s) => (s.x === N && s.y === N ? 'c' : undefined))], maxDepth: k });
    let within = 0;
    let out = 0; // transitions out of states at depth < k
    let frontier = 0;
    for (let x = 0; x <= N; x++) {
      for (let y = 0; y <= N; y++) {
        if (x + y <= k) within++;
        if (x + y < k) out += (x < N ? 1 : 0) + (y < N ? 1 : 0);
        if (x + y === k) frontier++;
      }
    }
    t.is(r.stop, 'depth', `k=${k}`);
    t.is(r.stats.distinct, within, `k=${k}`);
    t.is(r.stats.generated, 1 + out, `k=${k}`);
    t.is(r.stats.depth, k);
    t.is(r.stats.queue, frontier);
    t.is(r.properties[0]!.status, 'bounded');
    t.is(r.witnesses[0]!.status, 'bounded');
  }
});

test('grid: maxDepth equal to the diameter is exhaustive', (t) => {
  const N = 10;
  const full = check(grid(N), { properties: [inRange(N)] });
  const r = check(grid(N), { properties: [inRange(N)], maxDepth: 2 * N });
  t.is(r.stop, 'exhausted');
  t.is(r.properties[0]!.status, 'holds');
  t.is(r.stats.distinct, (N + 1) ** 2);
  t.is(r.stats.generated, full.stats.generated);
  t.is(r.stats.depth, 2 * N);
  t.is(r.stats.queue, 0);
  const beyond = check(grid(N), { properties: [inRange(N)], maxDepth: 2 * N + 5 });
  t.is(beyond.stop, 'exhausted');
  t.is(beyond.stats.depth, 2 * N);
});

test('maxDepth with a cycle at the bound: the probe sees only old states', (t) => {
  // a ring 0 -> 1 -> 2 -> 0 plus 0 -> 2: max distance 1 from 0 is node 1 and 2, all edges from depth 1 go back
  const ring: Model<number, number> = {
    initial: () => [0],
    steps: (s) => (s === 0 ? [1, 2] : s === 1 ? [2] : [0]),
    next: (_s, a) => a,
    key: (s) => [s],
  };
  const r = check(ring, { properties: [alwaysStep<number, number>('no-2-to-0', (s, _a, u) => (s === 2 && u === 0 ? 'back' : undefined))], maxDepth: 1 });
  // the step 2 -> 0 leaves a depth-1 state: the probe checks it
  t.is(r.properties[0]!.status, 'violated');
  t.deepEqual(r.properties[0]!.path, { init: 0, steps: [1, 0] });
  const r2 = check(ring, { properties: [always<number>('small', (s) => (s < 3 ? undefined : 'big'))], maxDepth: 1 });
  t.is(r2.stop, 'exhausted');
  t.is(r2.properties[0]!.status, 'holds');
  t.is(r2.stats.generated, 1 + 4);
});

// ---------------------------------------------------------------------------------------------------------
// Mutual exclusion.

/** pc: 0 idle, 1 flag set, 2 turn set (waiting), 3 critical. */
interface Pet { readonly pc: readonly [number, number]; readonly flag: readonly [boolean, boolean]; readonly turn: number }
const set2 = <T>(xs: readonly [T, T], i: number, v: T): [T, T] => (i === 0 ? [v, xs[1]] : [xs[0], v]);

const peterson: Model<Pet, number> = {
  initial: () => [{ pc: [0, 0], flag: [false, false], turn: 0 }],
  // action = process id; a process waiting at pc 2 is enabled only when it may enter
  steps: (s) => [0, 1].filter((i) => s.pc[i] !== 2 || !s.flag[1 - i] || s.turn === i),
  next: (s, i) => {
    switch (s.pc[i]) {
      case 0: return { ...s, pc: set2(s.pc, i, 1), flag: set2(s.flag, i, true) };
      case 1: return { ...s, pc: set2(s.pc, i, 2), turn: 1 - i };
      case 2: return { ...s, pc: set2(s.pc, i, 3) };
      default: return { ...s, pc: set2(s.pc, i, 0), flag: set2(s.flag, i, false) };
    }
  },
  key: (s) => [s.pc[0], s.pc[1], s.flag[0] ? 1 : 0, s.flag[1] ? 1 : 0, s.turn],
};
const mutex = always<Pet>('mutex', (s) => (s.pc[0] === 3 && s.pc[1] === 3 ? 'both critical' : undefined));
const p0crit = sometimes<Pet>('p0-critical', (s) => (s.pc[0] === 3 ? 'p0 in critical section' : undefined));

test("peterson: mutual exclusion holds, p0 reaches its critical section", (t) => {
  const naive = naiveBfs(peterson);
  const r = check(peterson, { properties: [mutex, p0crit] });
  t.is(r.stop, 'exhausted');
  t.is(r.properties[0]!.status, 'holds');
  t.is(r.witnesses[0]!.status, 'found');
  // p0: set flag, set turn, enter: 3 steps
  t.is(r.witnesses[0]!.path!.steps.length, 3);
  t.is(replayPath(peterson, r.witnesses[0]!.path!).states[3]!.pc[0], 3);
  t.is(r.stats.distinct, naive.distinct);
  t.is(r.stats.generated, naive.generated);
});

/** Broken: check the other's flag, then set your own (pc 0 check, 1 set flag, 2 critical). */
interface Naive2 { readonly pc: readonly [number, number]; readonly flag: readonly [boolean, boolean] }
const checkThenSet: Model<Naive2, number> = {
  initial: () => [{ pc: [0, 0], flag: [false, false] }],
  steps: (s) => [0, 1].filter((i) => s.pc[i] !== 0 || !s.flag[1 - i]),
  next: (s, i) => {
    switch (s.pc[i]) {
      case 0: return { ...s, pc: set2(s.pc, i, 1) };
      case 1: return { pc: set2(s.pc, i, 2), flag: set2(s.flag, i, true) };
      default: return { pc: set2(s.pc, i, 0), flag: set2(s.flag, i, false) };
    }
  },
  key: (s) => [s.pc[0], s.pc[1], s.flag[0] ? 1 : 0, s.flag[1] ? 1 : 0],
};

test('check-then-set mutex is broken, shortest violation in 4 steps', (t) => {
  const r = check(checkThenSet, {
    properties: [always<Naive2>('mutex', (s) => (s.pc[0] === 2 && s.pc[1] === 2 ? 'both critical' : undefined))],
  });
  // Each process needs 2 steps (check, set flag) to be critical, so >= 4 steps; 4 suffice: both check while
  // both flags are down, then both set their flag and enter.
  const p = r.properties[0]!;
  t.is(p.status, 'violated');
  t.is(p.path!.steps.length, 4);
  const { states } = replayPath(checkThenSet, p.path!);
  t.deepEqual(states[4]!.pc, [2, 2]);
  t.is(r.stop, 'decided');
});

// ---------------------------------------------------------------------------------------------------------
// Step properties.

/** n in 0..10, actions +1, +2 (when they stay <= 10). */
const hops: Model<number, number> = {
  initial: () => [0],
  steps: (n) => [1, 2].filter((d) => n + d <= 10),
  next: (n, d) => n + d,
  key: (n) => [n],
};

test('step property: forbidden +2 from an odd state', (t) => {
  const r = check(hops, {
    properties: [
      alwaysStep<number, number>('no-odd-double', (s, a) => (s % 2 === 1 && a === 2 ? `+2 from ${s}` : undefined)),
      sometimesStep<number, number>('reach-10-by-2', (_s, a, u) => (a === 2 && u === 10 ? 'hop to 10' : undefined)),
      always<number>('never-fires', (n) => (n > 10 ? 'too big' : undefined)),
    ],
  });
  const p = r.properties[0]!;
  t.is(p.status, 'violated');
  t.is(p.message, '+2 from 1');
  // 0 -(+1: index 0)-> 1 -(+2: index 1)-> 3
  t.deepEqual(p.path, { init: 0, steps: [0, 1] });
  const { states, actions } = replayPath(hops, p.path!);
  t.deepEqual(states, [0, 1, 3]);
  t.is(actions.at(-1), 2);
  const w = r.witnesses[0]!;
  t.is(w.status, 'found');
  // shortest path to a +2 step into 10: 0,2,4,6,8 then +2: 5 steps
  t.is(w.path!.steps.length, 5);
  t.is(replayPath(hops, w.path!).states.at(-1), 10);
  t.is(r.properties[1]!.status, 'holds');
  t.is(r.stop, 'exhausted');
  t.is(r.stats.distinct, 11);
});

// ---------------------------------------------------------------------------------------------------------
// Limits, interruption, verdicts.

test('maxStates stops with bounded verdicts', (t) => {
  const r = check(grid(50), {
    properties: [inRange(50), sometimes<XY>('never', () => undefined)],
    maxStates: 100,
  });
  t.is(r.stop, 'states');
  t.is(r.stats.distinct, 100);
  t.true(r.stats.queue > 0);
  t.is(r.properties[0]!.status, 'bounded');
  t.is(r.witnesses[0]!.status, 'bounded');
});

test('shouldStop interrupts; maxSeconds 0 stops on time', (t) => {
  let polls = 0;
  const r = check(grid(50), { properties: [inRange(50)], shouldStop: () => ++polls > 2 });
  t.is(r.stop, 'interrupted');
  t.is(r.properties[0]!.status, 'bounded');
  t.true(r.stats.distinct > 1 && r.stats.distinct < 51 * 51);
  t.true(r.stats.queue > 0);
  t.is(polls, 3);
  const immediate = check(grid(50), { properties: [], shouldStop: () => true });
  t.is(immediate.stop, 'interrupted');
  t.is(immediate.stats.distinct, 1);
  t.is(immediate.stats.queue, 1);
  const timed = check(grid(50), { properties: [inRange(50)], maxSeconds: 0 });
  t.is(timed.stop, 'time');
  t.is(timed.properties[0]!.status, 'bounded');
});

test('sometimes never true: not-found when exhausted', (t) => {
  const r = check(grid(5), { properties: [sometimes<XY>('x-is-7', (s) => (s.x === 7 ? 'seven' : undefined))] });
  t.is(r.stop, 'exhausted');
  t.deepEqual(r.witnesses, [{ name: 'x-is-7', status: 'not-found' }]);
  t.deepEqual(r.properties, []);
});

test('decided: stops as soon as every property has its verdict; no properties never decides', (t) => {
  const r = check(grid(200), { properties: [sometimes<XY>('x-is-3', (s) => (s.x === 3 ? 'x=3' : undefined))] });
  t.is(r.stop, 'decided');
  t.is(r.witnesses[0]!.status, 'found');
  t.deepEqual(r.witnesses[0]!.path, { init: 0, steps: [0, 0, 0] });
  t.true(r.stats.distinct < 20);
  const none = check(grid(10), { properties: [] });
  t.is(none.stop, 'exhausted');
  t.is(none.stats.distinct, 121);
});

test('initial states: deduplicated, counted as generated, checked', (t) => {
  const m: Model<number, number> = {
    initial: () => [5, 3, 5, 7],
    steps: (n) => (n > 0 ? [1] : []),
    next: (n) => n - 1,
    key: (n) => [n],
  };
  const r = check(m, { properties: [always<number>('not-7', (n) => (n === 7 ? 'seven' : undefined)), sometimes<number>('zero', (n) => (n === 0 ? 'zero' : undefined))] });
  t.deepEqual(r.properties[0]!.path, { init: 3, steps: [] });
  // 0 is 3 steps from the initial state 3 (index 1 of initial())
  t.deepEqual(r.witnesses[0]!.path, { init: 1, steps: [0, 0, 0] });
  t.is(r.stop, 'decided');
  const all = check(m, { properties: [] });
  t.is(all.stats.distinct, 8); // 0..7
  t.is(all.stats.generated, 4 + 7); // 4 initial + one step from each of 1..7
  t.is(all.stats.depth, 3); // 0 is 3 steps from 3
});

test('progress is reported during the search and once at the end', (t) => {
  const seen: Progress[] = [];
  const r = check(grid(300), { properties: [], onProgress: (p) => seen.push(p), progressEvery: 0 });
  t.true(seen.length >= 2);
  const last = seen.at(-1)!;
  t.is(last.distinct, r.stats.distinct);
  t.is(last.generated, r.stats.generated);
  t.is(last.queue, 0);
  for (let i = 1; i < seen.length; i++) t.true(seen[i]!.distinct >= seen[i - 1]!.distinct);
});

test('replayPath rejects out-of-range indices', (t) => {
  t.throws(() => replayPath(hops, { init: 0, steps: [0, 5] }), { message: /step 2 of 2 .*index 5.*not deterministic/ });
  t.throws(() => replayPath(hops, { init: 1, steps: [] }), { message: /initial state index 1 is out of range/ });
  t.deepEqual(replayPath(hops, { init: 0, steps: [] }), { states: [0], actions: [] });
});

// ---------------------------------------------------------------------------------------------------------
// Hash and tables.

test('fingerprint: no collision among 200k distinct small vectors, never (0,0)', (t) => {
  const seen = new Set<string>();
  let count = 0;
  const add = (v: number[]): void => {
    fingerprint(v);
    const hi = fp[0]!;
    const lo = fp[1]!;
    if (hi === 0 && lo === 0) t.fail('(0,0)');
    seen.add(`${hi}:${lo}`);
    count++;
  };
  add([]);
  for (let a = 0; a < 50_000; a++) add([a]);
  for (let a = 0; a < 300; a++) for (let b = 0; b < 300; b++) add([a, b]);
  for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) for (let c = 0; c < 40; c++) add([a, b, c]);
  for (let i = 0; i < 10_000; i++) add([0, 0, 0, 0, i]);
  for (let i = 0; i < 10_000; i++) add([i, 0, 0, 0, 0, 0, 0, 0]);
  for (let n = 9; n < 73; n++) add(new Array<number>(n).fill(0)); // lengths distinguish zero vectors
  t.true(count > 200_000);
  t.is(seen.size, count);
  // same words in another array type give the same fingerprint; signed and unsigned views agree
  t.deepEqual(fingerprintPair(Int32Array.of(1, -1, 7)), fingerprintPair([1, -1, 7]));
  t.deepEqual(fingerprintPair(Uint32Array.of(1, 0xffffffff, 7)), fingerprintPair([1, -1, 7]));
  t.notDeepEqual(fingerprintPair([1, 2]), fingerprintPair([2, 1]));
});

test('fingerprint: each 32-bit half collides like a random function, the 64 bits never', (t) => {
  // 25^4 = 390,625 vectors of length 4 with small words. A random 32-bit function gives about
  // n^2 / 2^33 = 17.8 colliding pairs (Poisson); a hash with only 32 bits of internal state would also
  // collide in 64 bits.
  const his = new Uint32Array(25 ** 4);
  const los = new Uint32Array(25 ** 4);
  const v = [0, 0, 0, 0];
  let i = 0;
  for (let a = 0; a < 25; a++) for (let b = 0; b < 25; b++) for (let c = 0; c < 25; c++) for (let d = 0; d < 25; d++) {
    v[0] = a; v[1] = b; v[2] = c; v[3] = d;
    fingerprint(v);
    his[i] = fp[0]!;
    los[i] = fp[1]!;
    i++;
  }
  const pairs = (xs: Uint32Array): number => {
    const sorted = xs.slice().sort();
    let n = 0;
    for (let j = 1; j < sorted.length; j++) if (sorted[j] === sorted[j - 1]) n++;
    return n;
  };
  const hiPairs = pairs(his);
  const loPairs = pairs(los);
  t.true(hiPairs >= 3 && hiPairs <= 45, `hi collisions ${hiPairs}`);
  t.true(loPairs >= 3 && loPairs <= 45, `lo collisions ${loPairs}`);
  const both = new FingerprintSet(1 << 20);
  let dup = 0;
  for (let j = 0; j < his.length; j++) if (!both.insert(his[j]!, los[j]!)) dup++;
  t.is(dup, 0);
});

test('FingerprintSet: insert/has agree with a Set through growth', (t) => {
  const s = new FingerprintSet(16);
  const ref = new Set<string>();
  let state = 12345;
  const rnd = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  for (let i = 0; i < 50_000; i++) {
    // small value range so that repeats happen, and 0/0 edge cases
    const hi = i % 7 === 0 ? 0 : rnd() % 5000;
    const lo = i % 11 === 0 ? 0 : rnd() % 5000;
    const k = `${hi}:${(hi | lo) === 0 ? 1 : lo}`;
    t.is(s.insert(hi, lo), !ref.has(k));
    ref.add(k);
  }
  t.is(s.size, ref.size);
  for (const k of ref) {
    const [hi, lo] = k.split(':').map(Number) as [number, number];
    if (!s.has(hi, lo)) t.fail(k);
  }
  t.false(s.has(6000, 6000));
  t.true(s.size / s.capacity <= 0.75);
  t.is(s.bytes, s.capacity * 8);
  t.true(s.insert(0xffffffff, 0x80000000));
  t.true(s.has(-1, -0x80000000)); // int32 views of the same bits
});

test('Int32List: push/get across chunk boundaries', (t) => {
  const l = new Int32List(4);
  const n = (1 << 18) * 2 + 1000;
  for (let i = 0; i < n; i++) l.push(i ^ 0x5555);
  t.is(l.length, n);
  let ok = true;
  for (let i = 0; i < n; i++) if (l.get(i) !== (i ^ 0x5555)) ok = false;
  t.true(ok);
  t.is(l.bytes, 3 * (1 << 18) * 4);
  l.set(5, -7);
  t.is(l.get(5), -7);
});

test('pruneViolating: a violating state is not expanded, which keeps an unbounded counter finite', (t) => {
  // x counts up forever; the invariant x < 3 breaks at x = 3. Without pruning the space is infinite.
  const counter: Model<number, 'inc'> = { initial: () => [0], steps: () => ['inc'], next: (x) => x + 1, key: (x) => [x] };
  const below3 = always<number>('below-3', (x) => (x >= 3 ? `x=${x}` : undefined));
  const below5 = always<number>('below-5', (x) => (x >= 5 ? `x=${x}` : undefined));
  const r = check(counter, { properties: [below3, below5], pruneViolating: true });
  t.is(r.stop, 'exhausted');
  t.is(r.stats.distinct, 4);   // 0, 1, 2, 3 (not expanded)
  t.is(r.stats.pruned, 1);
  t.is(r.properties[0]!.status, 'violated');
  t.deepEqual(r.properties[0]!.path, { init: 0, steps: [0, 0, 0] });
  // below-5 can only break after below-3 did: on the paths that avoid every violation it holds.
  t.is(r.properties[1]!.status, 'holds');
  const unpruned = check(counter, { properties: [below3, below5], maxStates: 50 });
  t.is(unpruned.stop, 'decided');
  t.is(unpruned.properties[1]!.status, 'violated');
  t.is(unpruned.stats.pruned, 0);
});

test('coverage: per action label, transitions generated and those that found a new state', (t) => {
  // Grid 0..2 x 0..2 with labelled actions: 'x' and 'y' each generated 6 times (from the 6 states where
  // the coordinate is < 2), each reaching a new state 6 times minus those reached first by the other.
  const g = grid(2);
  const labelled: Model<XY, Inc> = { ...g, label: (a) => a };
  const r = check(labelled, { properties: [] });
  const cov = Object.fromEntries(r.coverage!.map((c) => [c.label, [c.distinct, c.generated]]));
  t.deepEqual(cov['x']![1], 6);
  t.deepEqual(cov['y']![1], 6);
  t.is(cov['x']![0]! + cov['y']![0]!, 9 - 1, 'every state but the initial one was first reached by exactly one transition');
  t.is(check(g, { properties: [] }).coverage, undefined);
});
