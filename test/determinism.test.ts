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

const run = promisify(execFile);
/** The report without what depends on the clock. */
const stable = (r: Report | object): unknown => {
  const j = JSON.parse(JSON.stringify('design' in r && typeof (r as Report).design === 'object' ? reportJson(r as Report) : r)) as Record<string, any>;
  delete j['stats']['seconds'];
  delete j['stats']['statesPerSecond'];
  return j;
};

test('every built-in design: two runs give identical reports (verdicts, counts, traces)', (t) => {
  const b = { ...DEFAULT_BOUNDS, tasks: 2, depth: 5 };
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
