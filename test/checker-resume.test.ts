// The search's trust features: parent links around pruned states, interruption and resume, exact mode,
// memory limit, and the asynchronous driver. Generic models only.
import test from 'ava';
import {
  always, check, checkAsync, decodeSnapshot, encodeSnapshot, replayPath, sometimesStep,
  type CheckResult, type Model, type Snapshot,
} from '../checker/index.js';

// A small "kernel-like" model: n counters each 0..k, an action bumps one counter or resets it.
type S = readonly number[];
const counters = (n: number, k: number): Model<S, number> => ({
  initial: () => [Array(n).fill(0)],
  steps: (s) => { const out: number[] = []; s.forEach((v, i) => { if (v < k) out.push(i); out.push(n + i); }); return out; },
  next: (s, a) => s.map((v, i) => (a < n ? (i === a ? v + 1 : v) : i === a - n ? 0 : v)),
  key: (s) => s,
});
const sumIs = (target: number) => always<S>(`sum-not-${target}`, (s) => (s.reduce((x, y) => x + y, 0) === target ? `sum ${target}` : undefined));
const sameness = (r: CheckResult) => ({
  stop: r.stop, distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth, pruned: r.stats.pruned,
  verdicts: [...r.properties, ...r.witnesses].map((p) => [p.name, p.status, p.path, p.message]),
});

test('parent links stay right when violating states are left out of the frontier', (t) => {
  // 0 -a-> 1 (violates and is pruned), 0 -b-> 2; 1 -> 4; 2 -> 3 (the target). A wrong parent for 3 would
  // replay through 1 and end in 4.
  const m: Model<number, number> = {
    initial: () => [0],
    steps: (s) => (s === 0 ? [1, 2] : s === 1 ? [4] : s === 2 ? [3] : []),
    next: (_s, a) => a,
    key: (s) => [s],
  };
  const r = check(m, { properties: [always<number>('not-1', (s) => (s === 1 ? 'one' : undefined)), always<number>('not-3', (s) => (s === 3 ? 'three' : undefined))], pruneViolating: true });
  const p = r.properties[1]!;
  t.is(p.status, 'violated');
  t.deepEqual(replayPath(m, p.path!).states, [0, 2, 3]);
  t.is(r.stats.distinct, 4, '0, 1, 2, 3: the pruned 1 is never expanded, so 4 is never reached');
});

test('interrupt, snapshot, resume: the same counts, verdicts and shortest paths as one uninterrupted run', (t) => {
  const m = counters(3, 4);
  const props = [sumIs(9), sumIs(99), sometimesStep<S, number>('reset-of-4', (s, a, u) => (a >= 3 && s[a - 3] === 4 && u[a - 3] === 0 ? 'reset a full counter' : undefined))];
  const whole = check(m, { properties: props });
  t.is(whole.stop, 'exhausted');
  // Stop after a few polls, resume from the snapshot (through the file format), repeatedly.
  let polls = 0;
  let r = check(m, { properties: props, pollEvery: 7, shouldStop: () => ++polls > 2 });
  t.is(r.stop, 'interrupted');
  let rounds = 0;
  while (r.stop === 'interrupted') {
    const bytes = encodeSnapshot(r.snapshot!(), { model: 'counters(3,4)' });
    const back = decodeSnapshot(bytes);
    if (typeof back === 'string') return t.fail(back);
    t.deepEqual(back.meta, { model: 'counters(3,4)' });
    let p = 0;
    r = check(m, { properties: props, pollEvery: 7, resume: back.snapshot, shouldStop: () => ++p > 1 });
    rounds++;
  }
  t.true(rounds > 1, `resumed ${rounds} times`);
  t.deepEqual(sameness(r), sameness(whole));
});

test('resume also works from a periodic checkpoint and inside the depth probe', (t) => {
  const m = counters(3, 3);
  const props = [sumIs(7)];
  const whole = check(m, { properties: props, maxDepth: 6 });
  const shots: Snapshot[] = [];
  check(m, { properties: props, maxDepth: 6, pollEvery: 5, checkpointEvery: 0, onCheckpoint: (s) => shots.push(s) });
  t.true(shots.length > 2);
  for (const s of [shots[1]!, shots[shots.length - 1]!]) t.deepEqual(sameness(check(m, { properties: props, maxDepth: 6, resume: s })), sameness(whole));
});

test('decodeSnapshot refuses damaged files with a reason', (t) => {
  const m = counters(2, 2);
  const r = check(m, { properties: [], shouldStop: () => true });
  const bytes = encodeSnapshot(r.snapshot!(), null);
  t.regex(decodeSnapshot(bytes.subarray(0, bytes.length - 3)) as string, /truncated/);
  t.regex(decodeSnapshot(Buffer.from('hello\n')) as string, /not an inflight checkpoint/);
  t.regex(decodeSnapshot(Buffer.from('no newline')) as string, /not an inflight checkpoint/);
});

test('exact mode agrees with fingerprints: counts, verdicts, paths', (t) => {
  const m = counters(3, 3);
  const props = [sumIs(8)];
  const a = check(m, { properties: props });
  const b = check(m, { properties: props, exact: true, keepVisited: true });
  t.deepEqual(sameness(b), sameness(a));
  t.is(b.stats.collisionProbability, 0);
  t.true(b.visited!.has([3, 3, 2]));
  t.false(b.visited!.has([4, 0, 0]));
});

test('a memory limit stops the search as memory, bounded, with a resumable snapshot', (t) => {
  const r = check(counters(3, 5), { properties: [sumIs(99)], maxMemoryBytes: 1 });
  t.is(r.stop, 'memory');
  t.is(r.properties[0]!.status, 'bounded');
  t.truthy(r.snapshot);
});

test('checkAsync gives the event loop turns: a timer can interrupt it', async (t) => {
  const m = counters(4, 6);  // 7^4 = 2401 states, 8 actions each at most; each step made slow below
  let stop = false;
  setTimeout(() => { stop = true; }, 0);
  const slow: Model<S, number> = { ...m, next: (s, a) => { const until = performance.now() + 0.02; while (performance.now() < until); return m.next(s, a); } };
  const r = await checkAsync(slow, { properties: [], pollEvery: 16, shouldStop: () => stop });
  t.is(r.stop, 'interrupted');
  t.true(r.stats.distinct < 2401);
  const whole = await checkAsync(m, { properties: [] });
  t.deepEqual(sameness(whole), sameness(check(m, { properties: [] })));
});
