// The partitioned search (checker/partition.ts, the hook in checker/bfs.ts) against the whole search:
// hand-counted parts on a grid; on random graphs, for 1 to 5 parts and every split level, the merged
// verdicts and counterexample paths are the single run's and the union of the parts' visited sets is the
// single run's; the HyperLogLog sketch's estimates; the model digest.
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { always, alwaysStep, check, fingerprint, fp, sometimes, type CheckResult, type Model, type Property } from '../checker/index.js';
import { comparePaths, confirmPath, mergeParts, modelDigest, ownerOf, Sketch, type PartResult } from '../checker/partition.js';

type Cell = readonly [number, number];

/** The 4 x 4 grid of test/fixtures/parallel-grid.ts: steps [x+1 if x < 3, y+1 if y < 3]. */
const grid: Model<Cell, number> = {
  initial: () => [[0, 0]],
  steps: ([x, y]) => [...(x < 3 ? [0] : []), ...(y < 3 ? [1] : [])],
  next: ([x, y], a) => (a === 0 ? [x + 1, y] : [x, y + 1]),
  key: ([x, y]) => [x, y],
};

const ownerOfKey = (k: number[], n: number): number => { fingerprint(k); return ownerOf(fp[0]!, fp[1]!, n); };

const parts = <S, A>(model: Model<S, A>, properties: readonly Property<S, A>[], n: number, extra: { splitDepth?: number; perPart?: number; maxDepth?: number; pruneViolating?: boolean; exact?: boolean } = {}): CheckResult[] =>
  Array.from({ length: n }, (_, index) => check(model, { properties, keepVisited: true, ...extra,
    partition: { index, count: n, ...(extra.splitDepth !== undefined ? { splitDepth: extra.splitDepth } : {}), ...(extra.perPart !== undefined ? { perPart: extra.perPart } : {}) } }));

const asParts = (rs: CheckResult[]): PartResult[] => rs.map((r) => ({ ...r, partition: r.partition! }));

test('grid split at level 1 in two parts: each part holds the shared levels and the region below its owned states (hand-counted)', (t) => {
  const rs = parts(grid, [], 2, { splitDepth: 1 });
  const ownerX = ownerOfKey([1, 0], 2);
  const ownerY = ownerOfKey([0, 1], 2);
  // Shared: (0,0), (1,0), (0,1). Below (1,0): the 11 other states with x >= 1; below (0,1): the 11 other with y >= 1.
  const expected = [0, 1].map((i) => 3 + (ownerX === i ? 11 : 0) + (ownerY === i ? 11 : 0));
  t.deepEqual(rs.map((r) => r.stats.distinct), expected);
  for (const [i, r] of rs.entries()) {
    t.is(r.partition!.splitLevel, 1);
    t.is(r.partition!.frontier, 2);
    t.is(r.partition!.shared, 3);
    t.is(r.partition!.owned, (ownerX === i ? 1 : 0) + (ownerY === i ? 1 : 0));
    t.is(r.stop, 'exhausted');
    t.is(r.visited!.has([3, 0]), ownerX === i);
    t.is(r.visited!.has([0, 3]), ownerY === i);
  }
  const m = mergeParts(asParts(rs));
  t.is(m.stats.distinct, expected[0]! + expected[1]!);
  t.is(m.redundancy.shared, 3);
  t.is(m.redundancy.union, 16, 'the sketch counts the states below the split exactly at this size');
  t.is(m.stop, 'exhausted');
});

test('grid, 1 to 5 parts, every split level: the merged paths are the single run\'s least paths, not only as long', (t) => {
  const props: Property<Cell, number>[] = [
    // Violated by (2, 1), (1, 2) and (0, 3) at depth 3; the least path is [0, 0, 1].
    always<Cell>('no-diagonal-3', ([x, y]) => (x + y === 3 && x !== 3 ? 'diagonal' : undefined)),
    // Fires first on (1, 1) -> (2, 1), (1, 1) being reached by [0, 1] and by [1, 0]: the least is [0, 1, 0].
    alwaysStep<Cell, number>('no-x-after-both', ([x, y], a) => (x >= 1 && y >= 1 && a === 0 ? 'x after both' : undefined)),
    sometimes<Cell>('corner', ([x, y]) => (x === 3 && y === 3 ? 'corner' : undefined)),
  ];
  const single = check(grid, { properties: props });
  t.deepEqual(single.properties.map((p) => p.path), [{ init: 0, steps: [0, 0, 1] }, { init: 0, steps: [0, 1, 0] }]);
  let split = 0;
  for (let count = 1; count <= 5; count++) {
    for (let splitDepth = 0; splitDepth <= 4; splitDepth++) {
      const rs = parts(grid, props, count, { splitDepth });
      // Some part finds another path of the same length: the merge must choose the least.
      if (rs.some((r) => r.properties.some((p, i) => JSON.stringify(p.path) !== JSON.stringify(single.properties[i]!.path)))) split++;
      const m = mergeParts(asParts(rs));
      t.deepEqual(m.properties, single.properties, `${count} parts, split at ${splitDepth}`);
      t.deepEqual(m.witnesses, single.witnesses, `${count} parts, split at ${splitDepth}`);
    }
  }
  t.true(split > 3, 'the parts found different paths often enough for the choice to matter');
});

test('a split level beyond the search: no split, every part makes the whole search', (t) => {
  const rs = parts(grid, [], 3, { splitDepth: 50 });
  for (const r of rs) { t.is(r.partition!.splitLevel, null); t.is(r.stats.distinct, 16); }
  const m = mergeParts(asParts(rs));
  t.is(m.redundancy.union, 16);
  t.is(m.redundancy.factor, 3);
});

test('automatic split: the first level with perPart * count frontier states, the same in every part', (t) => {
  // Level sizes of the grid: 1, 2, 3, 4, 3, 2, 1. perPart 1, 3 parts: level 2.
  const rs = parts(grid, [], 3, { perPart: 1 });
  t.deepEqual(rs.map((r) => r.partition!.splitLevel), [2, 2, 2]);
  t.deepEqual(rs.map((r) => r.partition!.frontier), [3, 3, 3]);
  t.is(rs.reduce((n, r) => n + r.partition!.owned, 0), 3);
  // With a depth bound below that level: split at the bound.
  const bounded = parts(grid, [], 3, { perPart: 1, maxDepth: 1 });
  t.deepEqual(bounded.map((r) => r.partition!.splitLevel), [1, 1, 1]);
});

// Random graphs: node 0 is initial, actions are edge targets (as in test/checker-random.test.ts).
const graphArb = fc.integer({ min: 1, max: 40 }).chain((n) => fc.record({
  n: fc.constant(n),
  edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 4 * n }),
  bad: fc.uniqueArray(fc.nat(n - 1), { maxLength: 4 }),
  badStep: fc.tuple(fc.nat(n - 1), fc.nat(n - 1)),
  goal: fc.nat(n - 1),
  maxDepth: fc.integer({ min: 0, max: 8 }),
  count: fc.integer({ min: 1, max: 5 }),
  splitDepth: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  prune: fc.boolean(),
}));

function graphModel(n: number, edges: readonly (readonly [number, number])[]): Model<number, number> {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) adj[a]!.push(b);
  return { initial: () => [0], steps: (s) => adj[s]!, next: (_s, a) => a, key: (s) => [s] };
}

testProp('random graphs, 1 to 5 parts: the merged verdicts and paths are the single run\'s; the union of the parts is its visited set', [graphArb],
  (t, { n, edges, bad, badStep, goal, maxDepth, count, splitDepth, prune }) => {
    const m = graphModel(n, edges);
    const props: Property<number, number>[] = [
      ...bad.map((b, i) => always<number>(`avoid-${i}`, (s) => (s === b ? `at ${b}` : undefined))),
      alwaysStep<number, number>('no-edge', (s, a) => (s === badStep[0] && a === badStep[1] ? 'edge' : undefined)),
      sometimes<number>('goal', (s) => (s === goal ? 'goal' : undefined)),
    ];
    const opts = { maxDepth, pruneViolating: prune, exact: true };
    const single = check(m, { properties: props, keepVisited: true, ...opts });
    const rs = parts(m, props, count, { ...opts, ...(splitDepth !== undefined ? { splitDepth } : { perPart: 1 }) });
    const merged = mergeParts(asParts(rs));
    const boundedByProbe = maxDepth > 0 && merged.stop === 'depth';
    [...single.properties, ...single.witnesses].forEach((v, i) => {
      const w = [...merged.properties, ...merged.witnesses][i]!;
      if (v.status === 'violated' || v.status === 'found') {
        t.deepEqual(w, v, `${v.name}: the single run's path`);
        t.true(merged.shortest[v.name]);
      } else if (v.status === 'bounded') {
        t.is(w.status, 'bounded', v.name);
      } else {
        // A part's probe at the depth bound may meet a state another part discovered: bounded, never wrong.
        t.true(w.status === v.status || (boundedByProbe && w.status === 'bounded'), `${v.name}: ${w.status} vs ${v.status}`);
      }
    });
    // Coverage: without properties to stop early, every state of the whole search is in some part.
    const full = check(m, { properties: [], keepVisited: true, maxDepth, exact: true });
    const fullParts = parts(m, [], count, { maxDepth, exact: true, ...(splitDepth !== undefined ? { splitDepth } : { perPart: 1 }) });
    for (let v = 0; v < n; v++) {
      t.is(fullParts.some((r) => r.visited!.has([v])), full.visited!.has([v]), `node ${v}`);
    }
    const mf = mergeParts(asParts(fullParts));
    t.true(mf.stats.distinct >= full.stats.distinct);
    // A bounded union: the deepest complete level. An exhausted one: the deepest level of a part, which
    // may reach a state by a longer path than its shortest.
    if (mf.stop === 'exhausted') t.true(mf.stats.depth >= full.stats.depth); else t.is(mf.stats.depth, full.stats.depth, 'the deepest complete level');
    t.is(mf.stop, full.stop === 'exhausted' && mf.stop === 'depth' ? 'depth' : full.stop);
    t.is(mf.redundancy.union, full.stats.distinct, 'small sets: the sketch is exact');
  }, { numRuns: 300 });

test('the sketch: within 3% on 200,000 fingerprints (standard error 0.8%), unions of overlapping sets, base64 round trip', (t) => {
  const a = new Sketch();
  const b = new Sketch();
  for (let i = 0; i < 200_000; i++) {
    fingerprint([i, 7]);
    if (i < 150_000) a.add(fp[0]!, fp[1]!);
    if (i >= 50_000) b.add(fp[0]!, fp[1]!);
  }
  t.true(Math.abs(a.estimate() / 150_000 - 1) < 0.03, `${a.estimate()}`);
  t.true(Math.abs(Sketch.union([a, b]).estimate() / 200_000 - 1) < 0.03);
  t.deepEqual(Sketch.fromBase64(a.toBase64())!.registers, a.registers);
  t.is(Sketch.fromBase64('AAAA'), undefined);
  t.is(new Sketch().estimate(), 0);
});

test('ownership spreads a frontier evenly; paths order by length, then init, then steps', (t) => {
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 10_000; i++) { fingerprint([i]); counts[ownerOf(fp[0]!, fp[1]!, 5)]!++; }
  for (const c of counts) t.true(c > 1800 && c < 2200, `${counts}`);
  t.true(comparePaths({ init: 1, steps: [0] }, { init: 0, steps: [0, 0] }) < 0);
  t.true(comparePaths({ init: 0, steps: [1, 0] }, { init: 0, steps: [0, 1] }) > 0);
  t.is(comparePaths({ init: 0, steps: [1] }, { init: 0, steps: [1] }), 0);
});

test('confirmPath: the property fires at the end of the path, not before; a foreign path is refused', (t) => {
  const corner = sometimes<Cell>('corner', ([x, y]) => (x === 1 && y === 1 ? 'here' : undefined));
  t.true(confirmPath(grid, corner, { init: 0, steps: [0, 1] }));
  t.false(confirmPath(grid, corner, { init: 0, steps: [0] }));
  t.false(confirmPath(grid, corner, { init: 0, steps: [0, 1, 1] }), 'fires before the end');
  t.false(confirmPath(grid, corner, { init: 0, steps: [5] }), 'no such step');
  t.false(confirmPath(grid, corner, { init: 2, steps: [] }), 'no such initial state');
});

test('modelDigest: the same model gives the same digest; another model or other properties another', (t) => {
  const p = [always<Cell>('p', () => undefined)];
  t.is(modelDigest(grid, p), modelDigest(grid, p));
  t.not(modelDigest(grid, p), modelDigest(grid, [always<Cell>('q', () => undefined)]));
  t.not(modelDigest(grid, p), modelDigest({ ...grid, initial: (): readonly Cell[] => [[1, 0]] }, p));
});
