// The parallel search (checker/parallel.ts) against the single-thread one (checker/bfs.ts): the same
// verdicts, the same counterexample paths (step indices), the same distinct / generated / depth / stop /
// queue / pruned figures, for 1, 2 and 3 workers; hand-counted figures on a small grid; filelife B and
// A-buggy against TLC's figures; the kernel model through model/factory.ts; `inflight check --workers`.
// No timing is asserted.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { check, ModelError } from '../checker/bfs.js';
import type { CheckOptions, CheckResult } from '../checker/model.js';
import { checkParallel, type ParallelOptions } from '../checker/parallel.js';
import { CONFIGS, createFileLife } from '../bench/filelife.js';
import { main, type Io } from '../cli/main.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { runCheck } from '../cli/run.js';
import { createModel as grid, type GridParams } from './fixtures/parallel-grid.js';

import { createModel as fan } from './fixtures/parallel-fan.js';
const FAN = fileURLToPath(new URL('./fixtures/parallel-fan.ts', import.meta.url));
const GRID = fileURLToPath(new URL('./fixtures/parallel-grid.ts', import.meta.url));
const FILELIFE = new URL('../bench/filelife-factory.ts', import.meta.url);
const KERNEL = new URL('../model/factory.ts', import.meta.url);

/** What must not depend on the number of workers (everything but time and memory). */
function essence(r: CheckResult): unknown {
  const { distinct, generated, depth, queue, pruned } = r.stats;
  return { stop: r.stop, properties: r.properties, witnesses: r.witnesses, distinct, generated, depth, queue, pruned };
}

/** The grid searched by check and by checkParallel with 1, 2 and 3 workers: all equal; returns check's. */
async function sameOnGrid(t: import('ava').ExecutionContext, params: GridParams, opts: ParallelOptions = {}, counts = [1, 2, 3]): Promise<CheckResult> {
  const spec = grid(params);
  const seq = check(spec.model, { ...(opts as Omit<CheckOptions<unknown, unknown>, 'properties'>), properties: spec.properties });
  for (const workers of counts) {
    const par = await checkParallel({ module: GRID, params, workers }, opts);
    t.deepEqual(essence(par), essence(seq), `${workers} worker(s), ${JSON.stringify(params)} ${JSON.stringify(opts)}`);
  }
  return seq;
}

test('grid: 16 states, 25 generated, depth 6, for 1, 2 and 3 workers', async (t) => {
  const r = await sameOnGrid(t, {});
  t.is(r.stop, 'exhausted');
  t.like(r.stats, { distinct: 16, generated: 25, depth: 6, queue: 0 });
});

test('grid: the lex-least counterexample among several violating states of one depth', async (t) => {
  const r = await sameOnGrid(t, { properties: ['no-diagonal-3', 'no-y-at-x2', 'corner', 'x-small'] });
  t.is(r.stop, 'exhausted');
  t.deepEqual(r.properties.map((p) => [p.name, p.status, p.path]), [
    ['no-diagonal-3', 'violated', { init: 0, steps: [0, 0, 1] }],
    ['no-y-at-x2', 'violated', { init: 0, steps: [0, 0, 1] }],
    ['x-small', 'holds', undefined],
  ]);
  t.deepEqual(r.witnesses.map((p) => [p.name, p.status, p.path]), [['corner', 'found', { init: 0, steps: [0, 0, 0, 0, 0, 0] }]]);
});

test('grid: decided mid-level stops at the same transition (counts and queue)', async (t) => {
  const r = await sameOnGrid(t, { properties: ['no-diagonal-3', 'no-y-at-x2'] });
  t.is(r.stop, 'decided');
  t.true(r.stats.distinct < 16);
});

test('grid: symmetry keeps the concrete state of the first discovery; duplicate initial states', async (t) => {
  const sym = await sameOnGrid(t, { symmetric: true, properties: ['corner', 'no-diagonal-3'] });
  t.is(sym.stats.distinct, 10);
  const inits = await sameOnGrid(t, { inits: [[0, 0], [1, 0], [0, 0], [3, 3]], properties: ['corner'] });
  // The corner is the 4th initial state: the only property is decided there, before any expansion.
  t.like(inits, { stop: 'decided', stats: { generated: 4, distinct: 3 } });
  t.deepEqual(inits.witnesses[0]!.path, { init: 3, steps: [] });
  const dup = await sameOnGrid(t, { inits: [[0, 1], [1, 0], [0, 1]] });
  t.like(dup.stats, { generated: 3 + 22, distinct: 15 }); // every cell but (0, 0), and its 2 transitions
});

test('grid: every maxStates and maxDepth bound, with and without pruning', async (t) => {
  // (Each run starts its workers anew: two workers only, a few bounds each.)
  for (const maxStates of [1, 4, 9, 16, 17]) await sameOnGrid(t, { properties: ['no-diagonal-3', 'corner'] }, { maxStates }, [2]);
  for (const maxDepth of [1, 3, 5, 6, 7]) await sameOnGrid(t, { properties: ['no-y-at-x2', 'corner'] }, { maxDepth }, [2]);
  const pruned = await sameOnGrid(t, { properties: ['y-small', 'corner'] }, { pruneViolating: true });
  t.is(pruned.stats.pruned, 4);
  t.is(pruned.witnesses[0]!.status, 'not-found');
});

test('a later chunk that reaches a state first gives it up to the least key: the path and concrete state are check\'s', async (t) => {
  const spec = fan({});
  const seq = check(spec.model, { properties: spec.properties });
  t.deepEqual(seq.witnesses.map((w) => [w.name, w.status, w.path]), [
    ['target', 'found', { init: 0, steps: [0, 0] }],
    ['u-from-0', 'found', { init: 0, steps: [0, 0, 0] }],
  ]);
  t.like(seq.stats, { distinct: 1 + 200 + 1 + 1 });
  for (const workers of [2, 3]) {
    const par = await checkParallel({ module: FAN, params: {}, workers });
    t.deepEqual(essence(par), essence(seq), `${workers} workers`);
  }
});

test('the visited set grows mid-level, with workers that wait at the end of the level taking part', async (t) => {
  // The root's 5,000 successors overflow the first table (2^12 slots) while one worker expands it.
  const spec = fan({ n: 5000, delayMs: 0 });
  const seq = check(spec.model, { properties: spec.properties });
  t.like(seq.stats, { distinct: 1 + 5000 + 1 + 1 });
  const par = await checkParallel({ module: FAN, params: { n: 5000, delayMs: 0 }, workers: 2 });
  t.deepEqual(essence(par), essence(seq));
  t.true(par.stats.visitedBytesPerState! * par.stats.distinct >= 12 * 2 ** 13, 'the table grew');
});

test('12 workers: growth asked for just before the level ends does not strand the workers that wait', async (t) => {
  // With 12 workers the first block of record slots already asks the first table (2^12 slots) to grow,
  // at the root: the asker, then the others, reach the end of the level with the request pending. (The
  // last to arrive once let everyone go while the others had gone to grow the table: they waited for it
  // forever.)
  t.timeout(60_000);
  const seq = await sameOnGrid(t, { properties: ['corner'] }, {}, [12]);
  t.is(seq.stats.distinct, 16);
});

test('a full shared buffer stops the search as out of memory: the levels completed, as check counts them', async (t) => {
  // filelife A, distinct states within depth d (TLC's and SPIN's figures).
  const within = [1, 7, 55, 452, 3398, 21436, 107005, 417761, 1337513];
  for (const limits of [{ statesPerLevel: 4096 }, { tableLog: 14 }, { arenaWords: 40_000 }]) {
    const r = await checkParallel({ module: FILELIFE, params: { config: 'A' }, workers: 2, limits }, { maxDepth: 8 });
    t.is(r.stop, 'memory', JSON.stringify(limits));
    t.true(r.properties.every((p) => p.status === 'bounded'));
    const d = r.stats.depth;
    t.true(d >= 2 && d < 6, `${JSON.stringify(limits)}: depth ${d}`);
    t.is(r.stats.distinct, within[d]!, `${JSON.stringify(limits)}: every state within depth ${d}, no more`);
  }
});

test('a model error in a worker: the same ModelError as check (message, path to the state, step), for 1 to 3 workers', async (t) => {
  for (const params of [{ throwInNext: [2, 1] }, { throwInProperty: [1, 2], properties: ['throws'] }] as GridParams[]) {
    const spec = grid(params);
    const seq = t.throws(() => check(spec.model, { properties: spec.properties }), { instanceOf: ModelError });
    t.truthy(seq.path);
    for (const workers of [1, 2, 3]) {
      const par = await t.throwsAsync(checkParallel({ module: GRID, params, workers }), { instanceOf: ModelError });
      t.deepEqual([par.message, par.path, par.action], [seq.message, seq.path, seq.action], `${workers} worker(s), ${JSON.stringify(params)}`);
    }
  }
});

test('a model without encode/decode runs with one worker only, and says why', async (t) => {
  const one = await checkParallel({ module: GRID, params: { noCodec: true }, workers: 1 });
  t.is(one.stats.distinct, 16);
  await t.throwsAsync(checkParallel({ module: GRID, params: { noCodec: true }, workers: 2 }), { message: /no encode\/decode/ });
  await t.throwsAsync(checkParallel({ module: fileURLToPath(new URL('./fixtures/not-a-design.ts', import.meta.url)), workers: 2 }),
    { message: /createModel/ });
  await t.throwsAsync(checkParallel({ module: 'relative/path.ts', workers: 2 }), { message: /absolute path or a URL/ });
  // Node's own errors (with a code) lose their message in a plain structured clone: it must survive.
  await t.throwsAsync(checkParallel({ module: 'file:///nonexistent/factory.ts', workers: 2 }), { message: /Cannot find module '\/nonexistent\/factory.ts'/ });
  await t.throwsAsync(checkParallel({ module: GRID, workers: 0 }), { instanceOf: RangeError });
});

test.serial('filelife B with 2 workers: TLC\'s 419,725 distinct / 1,974,957 generated, as with one', async (t) => {
  const m = createFileLife(CONFIGS.B);
  const seq = check(m, { properties: m.properties });
  const par = await checkParallel({ module: FILELIFE, params: { config: 'B' }, workers: 2 }, {});
  t.deepEqual(essence(par), essence(seq));
  t.like(par.stats, { distinct: 419_725, generated: 1_974_957 });
  t.is(par.properties[0]!.status, 'holds');
});

test.serial('filelife A-buggy with 2 workers: the same 6-step counterexample and counts', async (t) => {
  const m = createFileLife(CONFIGS['A-buggy']);
  const seq = check(m, { properties: m.properties, maxDepth: 8 });
  const par = await checkParallel({ module: FILELIFE, params: { config: 'A-buggy' }, workers: 2 }, { maxDepth: 8 });
  t.deepEqual(essence(par), essence(seq));
  t.is(par.properties[0]!.path!.steps.length, 6);
  // A at depth <= 5: the shared bench's 21,436.
  const a5 = await checkParallel({ module: FILELIFE, params: { config: { ...CONFIGS.A, MaxDepth: 5 } }, workers: 2 }, { maxDepth: 5 });
  t.is(a5.stats.distinct, 21_436);
});

test.serial('kernel model through model/factory.ts: 1 and 2 workers agree with check', async (t) => {
  const design = builtinDesign('seed-2019')!;
  const seq = runCheck(design, DEFAULT_BOUNDS);
  const params = { design: 'seed-2019', bounds: DEFAULT_BOUNDS, symmetry: true };
  const opts = { pruneViolating: true, ...(DEFAULT_BOUNDS.depth > 0 ? { maxDepth: DEFAULT_BOUNDS.depth } : {}) };
  const one = await checkParallel({ module: KERNEL, params, workers: 1 }, opts);
  const two = await checkParallel({ module: KERNEL, params, workers: 2 }, opts);
  t.deepEqual(essence(two), essence(one));
  t.like(two.stats, { distinct: seq.stats.distinct, generated: seq.stats.generated, depth: seq.stats.depth });
  t.is(two.stop, seq.stop);
  const noLeak = (r: CheckResult) => r.properties.find((p) => p.name === 'no-leak');
  const seqNoLeak = seq.properties.find((p) => p.name === 'no-leak')!;
  t.is(noLeak(two)!.status, seqNoLeak.status);
  t.deepEqual(noLeak(two)!.path?.steps.length, seqNoLeak.trace?.steps.length);
});

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => { out.push(s); }, err: (s) => { err.push(s); }, tty: false };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('') };
}

test.serial('inflight check --workers 2 prints what check prints; --workers 0 is refused', async (t) => {
  const one = await cli(['check', '--design', 'seed-2019', '--json']);
  const two = await cli(['check', '--design', 'seed-2019', '--json', '--workers', '2']);
  t.is(two.code, one.code);
  const strip = (s: string): unknown => {
    const j = JSON.parse(s) as Record<string, unknown> & { stats: Record<string, unknown> };
    for (const k of ['seconds', 'statesPerSecond', 'bytesPerState', 'visitedBytesPerState', 'peakFrontierBytes', 'transitionsPerSecond']) delete j.stats[k];
    delete j['coverage'];
    return j;
  };
  t.deepEqual(strip(two.out), strip(one.out));
  for (const bad of ['0', '1.5', 'two', '65']) {
    const r = await cli(['check', '--design', 'seed-2019', '--workers', bad]);
    t.is(r.code, 2);
    t.regex(r.err, /^inflight: E_WORKERS: --workers expects a whole number from 1 to 64/);
  }
  const r = await cli(['check', '--design', 'seed-2019', '--workers', '2', '--checkpoint', '/nonexistent/x']);
  t.is(r.code, 2);
  t.regex(r.err, /E_WORKERS: --workers cannot be combined with --checkpoint/);
});

test.serial('interrupted (shouldStop, maxSeconds): the levels completed, as check counts them; the rest bounded', async (t) => {
  // filelife A, distinct states within depth d (TLC's and SPIN's figures, test/filelife.test.ts).
  const within = [1, 7, 55, 452, 3398, 21436, 107005, 417761, 1337513];
  const depths: number[] = [];
  for (const after of [1, 3, 6]) {
    let polls = 0;
    const r = await checkParallel({ module: FILELIFE, params: { config: 'A' }, workers: 2 }, { maxDepth: 8, shouldStop: () => ++polls > after });
    t.is(r.stop, 'interrupted');
    t.true(r.properties.every((p) => p.status === 'bounded'));
    const d = r.stats.depth;
    t.true(d >= 1 && d < 8, `depth ${d}`);
    t.is(r.stats.distinct, within[d]!, `after ${after} polls: every state within depth ${d}, no more`);
    t.is(r.stats.queue, within[d]! - within[d - 1]!, 'the last completed level waits on the queue');
    depths.push(d);
  }
  t.true(depths[0]! <= depths[1]! && depths[1]! <= depths[2]!, `later interruptions stop no earlier: ${depths.join(', ')}`);
  const timed = await checkParallel({ module: FILELIFE, params: { config: 'A' }, workers: 2 }, { maxDepth: 8, maxSeconds: 0.3 });
  t.is(timed.stop, 'time');
  t.is(timed.stats.distinct, within[timed.stats.depth]!);
});
