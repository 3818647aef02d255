import { fc, testProp } from '@fast-check/ava';
import { always, check, replayPath, type Model } from '../checker/index.js';

// Random small directed graphs: node 0 is initial, actions are edge targets (duplicates and self-loops allowed).

const graphArb = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
      target: fc.nat(n - 1),
      maxDepth: fc.integer({ min: 0, max: 12 }),
    }),
  );

function graphModel(n: number, edges: readonly (readonly [number, number])[]): Model<number, number> {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) adj[a]!.push(b);
  return { initial: () => [0], steps: (s) => adj[s]!, next: (_s, a) => a, key: (s) => [s] };
}

/** BFS distances from node 0 (-1 = unreachable). */
function distances(n: number, edges: readonly (readonly [number, number])[]): number[] {
  const m = graphModel(n, edges);
  const dist = new Array<number>(n).fill(-1);
  dist[0] = 0;
  let frontier = [0];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const s of frontier) {
      for (const t of m.steps(s)) {
        if (dist[t] === -1) {
          dist[t] = dist[s]! + 1;
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return dist;
}

testProp(
  'random graphs: visited set, counts and shortest counterexamples match a naive BFS',
  [graphArb],
  (t, { n, edges, target }) => {
    const m = graphModel(n, edges);
    const dist = distances(n, edges);
    const reachable = dist.filter((d) => d >= 0).length;
    const generated = 1 + dist.reduce((acc, d, v) => acc + (d >= 0 ? m.steps(v).length : 0), 0);

    const full = check(m, { properties: [], keepVisited: true });
    t.is(full.stop, 'exhausted');
    t.is(full.visited!.size, reachable);
    t.is(full.stats.distinct, reachable);
    t.is(full.stats.generated, generated);
    t.is(full.stats.depth, Math.max(...dist));
    for (let v = 0; v < n; v++) t.is(full.visited!.has([v]), dist[v]! >= 0, `node ${v}`);

    const r = check(m, { properties: [always<number>('avoid', (s) => (s === target ? 'hit' : undefined))] });
    const p = r.properties[0]!;
    if (dist[target]! >= 0) {
      t.is(p.status, 'violated');
      t.is(p.message, 'hit');
      t.is(p.path!.steps.length, dist[target]!);
      t.is(replayPath(m, p.path!).states.at(-1), target);
    } else {
      t.is(p.status, 'holds');
      t.is(r.stop, 'exhausted');
    }
  },
  { numRuns: 200 },
);

testProp(
  'random graphs: maxDepth keeps exactly the nodes within the bound',
  [graphArb],
  (t, { n, edges, target, maxDepth }) => {
    const m = graphModel(n, edges);
    const dist = distances(n, edges);
    const k = maxDepth === 0 ? Infinity : maxDepth; // 0 = no bound
    const within = dist.filter((d) => d >= 0 && d <= k).length;
    const beyond = dist.some((d) => d > k);

    const r = check(m, {
      properties: [always<number>('avoid', (s) => (s === target ? 'hit' : undefined))],
      maxDepth,
      keepVisited: true,
    });
    const p = r.properties[0]!;
    const d = dist[target]!;
    if (d >= 0 && d <= k) {
      t.is(p.status, 'violated');
      t.is(p.path!.steps.length, d);
      return;
    }
    t.is(r.stats.distinct, within);
    for (let v = 0; v < n; v++) t.is(r.visited!.has([v]), dist[v]! >= 0 && dist[v]! <= k, `node ${v}`);
    t.is(r.stop, beyond ? 'depth' : 'exhausted');
    t.is(p.status, beyond ? 'bounded' : 'holds');
    t.is(r.stats.depth, beyond ? k : Math.max(...dist));
  },
  { numRuns: 200 },
);
