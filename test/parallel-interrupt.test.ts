// An interrupted parallel search reports the counts of a complete search at the depth it reached
// (issue 18, part 7): the same distinct, generated, pruned, queue and verdicts as `check` with that
// --depth, which probes the last level (checker/bfs.ts) — not the levels completed minus that probe.
import test from 'ava';
import { check } from '../checker/bfs.js';
import { checkParallel } from '../checker/parallel.js';
import { kernelModel } from '../model/model.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { makeProperties } from '../properties/index.js';
import { builtinDesign } from '../model/designs/index.js';

const FACTORY = new URL('../model/factory.ts', import.meta.url);
const counts = (r: { stop: string; stats: { distinct: number; generated: number; pruned: number; queue: number; depth: number }; properties: readonly { name: string; status: string; path?: unknown }[]; witnesses: readonly { name: string; status: string; path?: unknown }[] }) => ({
  distinct: r.stats.distinct, generated: r.stats.generated, pruned: r.stats.pruned, queue: r.stats.queue, depth: r.stats.depth,
  verdicts: [...r.properties, ...r.witnesses].map((p) => [p.name, p.status, p.path]),
});

test.serial('seed-2019, two tasks, two workers, interrupted: the counts and verdicts of check --depth at the depth reached', async (t) => {
  const bounds = { ...DEFAULT_BOUNDS, tasks: 2 };
  const design = builtinDesign('seed-2019')!;
  const model = kernelModel(design, bounds, { symmetry: true });
  const props = makeProperties(model.ctx);
  const seen = new Set<number>();
  // Stop once the levels completed hold this many states (progress reports every 20 ms): the interruption
  // lands in the phase after (at depth 4, whose probe generates 5 transitions before the first new state: the counts of the levels completed were 5 short).
  for (const enough of [300]) {
    let reached = 0;
    const r = await checkParallel({ module: FACTORY, params: { design: 'seed-2019', bounds, symmetry: true }, workers: 2 },
      { pruneViolating: true, compact: true, progressEvery: 0.02, onProgress: (p) => { reached = p.distinct; }, shouldStop: () => reached >= enough });
    t.is(r.stop, 'interrupted');
    const d = r.stats.depth;
    seen.add(d);
    const whole = check(model, { properties: props, pruneViolating: true, compact: true, maxDepth: d });
    t.is(whole.stop, 'depth');
    t.deepEqual(counts(r), counts(whole), `interrupted at depth ${d}`);
  }
  t.log(`interrupted at depths ${[...seen].join(', ')}`);
});
