// The same question gets the same answer: verdicts, counts and traces across runs, across processes,
// with and without interruption and resume.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCheck, type Report } from '../cli/run.js';
import { reportJson } from '../cli/render.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { builtinDesigns } from '../model/designs/index.js';
import { design } from './helpers/world.js';
import { cli } from './helpers/cli.js';

const run = promisify(execFile);
/** The report without what depends on the clock. */
const stable = (r: Report | object): unknown => {
  const j = JSON.parse(JSON.stringify('design' in r && typeof (r as Report).design === 'object' ? reportJson(r as Report) : r)) as Record<string, any>;
  delete j['stats']['seconds'];
  delete j['stats']['statesPerSecond'];
  // Memory figures depend on when the arenas grew (a resumed run starts with a rebuilt frontier).
  delete j['stats']['peakFrontierBytes'];
  return j;
};

test('every built-in design: two runs give identical reports (verdicts, counts, traces)', (t) => {
  const b = { ...DEFAULT_BOUNDS, tasks: 2, depth: 4 };
  for (const d of builtinDesigns) t.deepEqual(stable(runCheck(d, b)), stable(runCheck(d, b)), d.name);
});

test('two processes give identical JSON', async (t) => {
  const argv = ['bin/inflight.mjs', 'check', '--design', 'seed-2019', '--json'];
  const [a, b] = await Promise.all([run('node', argv).catch((e) => e), run('node', argv).catch((e) => e)]);
  t.is(a.code, 1);
  t.deepEqual(stable(JSON.parse(a.stdout)), stable(JSON.parse(b.stdout)));
});

test('a run interrupted and resumed ends exactly like an uninterrupted one (kernel model)', (t) => {
  const b = { ...DEFAULT_BOUNDS, tasks: 2, depth: 6 };
  for (const name of ['seed-2019', 'flush-teardown']) {
    const whole = runCheck(design(name), b);
    let polls = 0;
    let r = runCheck(design(name), b, { shouldStop: () => ++polls > 3 });
    let rounds = 0;
    while (r.stop === 'interrupted') {
      const snap = r.snapshot!();
      let p = 0;
      r = runCheck(design(name), b, { resume: snap, shouldStop: () => ++p > 5 });
      rounds++;
    }
    t.true(rounds >= 1, `${name}: resumed ${rounds} times`);
    t.deepEqual(stable(r), stable(whole), name);
  }
});

test('any number of workers: the same verdicts, counts and traces (a scenario with a GC race, and free exploration)', async (t) => {
  const runs: [string[], string][] = [
    [['check', '--design', 'linux-5.1', '--scenario', 'cve-2021-0920', '--json'], 'scenario'],
    [['check', '--design', 'seed-2019', '--json', '--depth', '6'], 'free'],
  ];
  for (const [argv, what] of runs) {
    const outs = [];
    for (const workers of ['1', '2', '3']) {
      const r = await cli([...argv, '--workers', workers]);
      t.true(r.code === 0 || r.code === 1, `${what} with ${workers} workers: status ${r.code} ${r.err}`);
      const j = JSON.parse(r.out) as { properties: unknown; witnesses: unknown; stats: { distinct: number; generated: number; depth: number }; stop: string };
      outs.push({ properties: j.properties, witnesses: j.witnesses, stop: j.stop, distinct: j.stats.distinct, generated: j.stats.generated, depth: j.stats.depth });
    }
    t.deepEqual(outs[1], outs[0], `${what}: 2 workers = 1`);
    t.deepEqual(outs[2], outs[0], `${what}: 3 workers = 1`);
    t.true(JSON.stringify(outs[0]!.properties).includes('"trace"'), `${what}: there is a counterexample trace to compare`);
  }
});
