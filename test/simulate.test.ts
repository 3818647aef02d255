// Random simulation: seeded walks find the seed-2019 leak and shrink it; seeds reproduce; a correct
// design survives; every shrunk trace replays to its violation.
import test from 'ava';
import { runSimulation } from '../cli/simulate.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { design } from './helpers/world.js';

const wide = { ...DEFAULT_BOUNDS, tasks: 2, files: 4, fds: 4, skbs: 2 };

test('seed-2019: pinned seeds find the leak and shrinking alone (no BFS shortcut) brings it to at most 7 steps', (t) => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const r = runSimulation(design('seed-2019'), DEFAULT_BOUNDS, { depth: 60, runs: 10000, seed, shortcutStates: 0 });
    const v = r.result.violation;
    t.truthy(v, `seed ${seed}`);
    t.is(v!.property, 'no-leak');
    t.true(r.trace!.trace.steps.length <= 7, `seed ${seed}: ${r.trace!.trace.steps.length} steps`);
    t.true(r.trace!.trace.steps.length >= 5, 'never shorter than the shortest (5, by BFS)');
    t.true(v!.originalLength >= r.trace!.trace.steps.length);
  }
});

test('seed-2019: a random seed finds the leak too (the seed is logged to reproduce a failure)', (t) => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  t.log(`seed ${seed}`);
  const r = runSimulation(design('seed-2019'), DEFAULT_BOUNDS, { depth: 60, runs: 10000, seed });
  t.is(r.result.violation?.property, 'no-leak', `seed ${seed}`);
  t.true(r.trace!.trace.steps.length <= 7, `seed ${seed}: ${r.trace!.trace.steps.length} steps`);
  // With the final BFS shortcut (at these small bounds it always fits its budget) the trace is shortest.
  t.is(r.trace!.trace.steps.length, 5);
});

test('at wide bounds the shortcut still shortens what shrinking left', (t) => {
  const bare = runSimulation(design('seed-2019'), wide, { depth: 60, runs: 10000, seed: 3, shortcutStates: 0 });
  const cut = runSimulation(design('seed-2019'), wide, { depth: 60, runs: 10000, seed: 3 });
  t.true(cut.trace!.trace.steps.length <= bare.trace!.trace.steps.length);
  t.is(cut.trace!.trace.steps.length, 5);
});

test('the same seed gives the same walks, violation and shrunk trace', (t) => {
  const a = runSimulation(design('seed-2019'), wide, { depth: 40, runs: 2000, seed: 77 });
  const b = runSimulation(design('seed-2019'), wide, { depth: 40, runs: 2000, seed: 77 });
  t.deepEqual(a.result.violation, b.result.violation);
  t.is(a.result.runs, b.result.runs);
  t.is(a.result.steps, b.result.steps);
  t.deepEqual(a.trace!.trace, b.trace!.trace);
});

test('viro-2019 survives random walks far beyond the BFS bounds', (t) => {
  const r = runSimulation(design('viro-2019'), wide, { depth: 60, runs: 300, seed: 5 });
  t.is(r.result.violation, undefined);
  t.is(r.result.runs, 300);
  // Walks end early when every task has exited; some still go far past the BFS depths (14–23 here).
  t.true(r.result.longest >= 40, `the longest walk has ${r.result.longest} steps`);
});

test('flush-teardown: the walk finds the teardown of a ring still referenced', (t) => {
  const r = runSimulation(design('flush-teardown'), wide, { depth: 30, runs: 2000, seed: 9 });
  t.is(r.result.violation?.property, 'teardown-on-final-fput');
  t.true(r.trace!.trace.steps.length <= 4, `${r.trace!.trace.steps.length} steps`);
});
