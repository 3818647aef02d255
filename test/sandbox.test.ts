// User code that never returns, throws what cannot be described, or lies: a design module runs in the CLI's
// sandbox thread (cli/sandbox.ts), and whatever it does ends in one line and a non-zero status, never a
// hang, a stack trace or a silently wrong verdict. Loops are stopped by real SIGINT and SIGTERM (the bin)
// and by --timeout, in the module's top level, in a getter of its export and in a hook, with and without
// --workers.
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const hostile = (name: string): string => `test/fixtures/hostile/${name}`;

interface Run { readonly code: number; readonly out: string; readonly err: string }

async function run(argv: readonly string[], interrupted?: () => boolean): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => { out += s + '\n'; }, err: (s) => { err += s + '\n'; }, tty: false, ...(interrupted ? { interrupted } : {}) };
  const code = await main(argv, io);
  return { code, out, err };
}

/** The bin with `args`; once the design says `looping` on stderr, `signal` is sent (none: wait). */
function spawnLooping(args: readonly string[], signal?: NodeJS.Signals): Promise<{ code: number | null; err: string; out: string }> {
  const child = spawn('node', ['bin/inflight.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  let sent = false;
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => {
    err += d;
    if (signal !== undefined && !sent && err.includes('looping')) { sent = true; child.kill(signal); }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, err, out })));
}

/** The status is 2 and the last line on stderr is the one E_DESIGN_STUCK line, matching `what`. */
function assertStuck(t: import('ava').ExecutionContext, r: { code: number | null; err: string; out: string }, what: RegExp): void {
  t.is(r.code, 2, r.err);
  const lines = r.err.trimEnd().split('\n');
  t.regex(lines.at(-1)!, /^inflight: E_DESIGN_STUCK: [^\n]+$/);
  t.regex(lines.at(-1)!, what);
  t.notRegex(r.err, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  t.is(r.out, '', 'no result is printed for a design that never returned');
}

const LOAD = /the module test\/fixtures\/hostile\/loop-load\.ts did not return from loading \(its top level\)/;
const FLUSH = /design 'loop-flush' \(test\/fixtures\/hostile\/loop-flush\.ts\) did not return from hooks\.flush/;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a loop in the module's top level is stopped by ${signal}`, async (t) => {
    const r = await spawnLooping(['check', '--design', hostile('loop-load.ts')], signal);
    assertStuck(t, r, LOAD);
    t.regex(r.err, /stopped on SIGINT\/SIGTERM/);
  });
  for (const workers of ['1', '2']) {
    test(`a loop in a hook is stopped by ${signal} (--workers ${workers})`, async (t) => {
      const r = await spawnLooping(['check', '--design', hostile('loop-flush.ts'), '--workers', workers], signal);
      assertStuck(t, r, FLUSH);
    });
  }
}

test('a loop in the module\'s top level is stopped by SIGINT with --workers 2 too', async (t) => {
  assertStuck(t, await spawnLooping(['check', '--design', hostile('loop-load.ts'), '--workers', '2'], 'SIGINT'), LOAD);
});

// --timeout needs no signal: in-process, through main() (which starts the sandbox as the bin does).
test('--timeout stops a loop in the top level, in a getter of the export, and in a hook (1 and 2 workers, simulate, matrix)', async (t) => {
  const cases: [string[], RegExp][] = [
    [['check', '--design', hostile('loop-load.ts'), '--timeout', '1'], LOAD],
    [['check', '--design', hostile('loop-getter.ts'), '--timeout', '1'], /the module \S+loop-getter\.ts did not return while its export was read \(a getter or a Proxy\)/],
    [['check', '--design', hostile('loop-flush.ts'), '--timeout', '1'], FLUSH],
    [['check', '--design', hostile('loop-flush.ts'), '--timeout', '1', '--workers', '2'], FLUSH],
    [['check', '--design', hostile('loop-override.ts'), '--timeout', '1'], /design 'loop-override' \(\S+loop-override\.ts\) did not return from overrides\.scm_fp_copy/],
    [['check', '--design', hostile('loop-override.ts'), '--timeout', '1', '--workers', '2'], /design 'loop-override' \(\S+loop-override\.ts\) did not return from overrides\.scm_fp_copy/],
    [['simulate', '--design', hostile('loop-flush.ts'), '--timeout', '1', '--seed', '1'], FLUSH],
    // The hook is named by the design it belongs to, not by the last design loaded.
    [['matrix', '--designs', `${hostile('loop-flush.ts')},test/fixtures/slow-user.ts`, '--timeout', '1'], FLUSH],
  ];
  for (const [argv, what] of cases) {
    const r = await run(argv);
    assertStuck(t, { ...r, err: r.err.replace(/^looping\n/gm, '') }, what);
    t.regex(r.err, /stopped at --timeout 1/);
  }
});

test('a loop in a module given to matrix --designs or to --scenario is stopped too', async (t) => {
  for (const argv of [['matrix', '--designs', `viro-2019,${hostile('loop-load.ts')}`], ['check', '--design', 'viro-2019', '--scenario', hostile('loop-load.ts')]]) {
    const t0 = Date.now();
    const r = await run(argv, () => Date.now() - t0 > 300);
    assertStuck(t, { ...r, err: r.err.replace(/^looping\n/gm, '') }, /the module test\/fixtures\/hostile\/loop-load\.ts did not return from loading/);
  }
});

// ------------------------------------------------------------------------------------------------
// Modules that throw, lie or refuse to be read: one line each, status 2 (or a normal run).

const HOSTILE: { file: string; code: number; err?: RegExp }[] = [
  { file: 'async-hook.ts', code: 2, err: /^inflight: E_DESIGN_THROWS: design 'async-hook' threw in T0 (close\(\d+\)|exit\(0\)|execve\(.*\)): hooks and overrides must be synchronous \(this one returned a Promise or thenable: an async function\?\)$/ },
  { file: 'thenable-hook.ts', code: 2, err: /^inflight: E_DESIGN_THROWS: design 'thenable-hook' threw in T0 \S+: hooks and overrides must be synchronous/ },
  { file: 'async-override.ts', code: 2, err: /^inflight: E_DESIGN_THROWS: design 'async-override' threw( in T0 \S+)?: hooks and overrides must be synchronous/ },
  { file: 'throws-untostringable.ts', code: 2, err: /^inflight: E_DESIGN_THROWS: design 'throws-untostringable' threw in T0 \S+: a value that cannot be described \(typeof object\)$/ },
  { file: 'load-throws-untostringable.ts', code: 2, err: /^inflight: E_DESIGN_LOAD: cannot load design \S+load-throws-untostringable\.ts: / },
  { file: 'proxy-export.ts', code: 2, err: /^inflight: E_DESIGN_INVALID: \S+proxy-export\.ts: export default cannot be read \(a Proxy\?\): no keys for you$/ },
  { file: 'getter-throws.ts', code: 2, err: /^inflight: E_DESIGN_INVALID: \S+getter-throws\.ts: reading export default\.switches threw: switches are secret$/ },
  { file: 'self-cycle.ts', code: 2, err: /^inflight: E_DESIGN_INVALID: \S+self-cycle\.ts: export default\.switches refers to itself$/ },
  { file: 'never-settles.ts', code: 2, err: /^inflight: E_DESIGN_LOAD: the module \S+never-settles\.ts ended the run without a result while loading \(exit code \d+: process\.exit in the design, or a top-level await that never settles\)$/ },
  { file: 'exits.ts', code: 2, err: /^inflight: E_DESIGN_LOAD: the module \S+exits\.ts ended the run without a result while loading \(exit code 7: / },
  // These load and check: the export's `then` is not called, the changing getter is read once (its first,
  // valid answer: flushTeardown, which violates teardown-on-final-fput), a CommonJS module works.
  { file: 'then-export.ts', code: 1 },
  { file: 'changing-export.ts', code: 1 },
  { file: 'cjs-design.js', code: 1 },
  // A stray rejected promise at the top level does not end the run: the design is checked (with a warning
  // if Node notices the rejection before the run ends).
  { file: 'late-rejection.ts', code: 0, err: /^(inflight: warning: the design left a rejected promise unhandled: nobody handles me)?$/ },
];

for (const h of HOSTILE) {
  test(`hostile module ${h.file}: exit ${h.code}${h.err ? ', one line' : ''}`, async (t) => {
    const r = await run(['check', '--design', hostile(h.file), '--depth', '4']);
    t.is(r.code, h.code, r.err);
    t.notRegex(r.err, /\n\s+at .*:\d+:\d+/, 'no stack trace');
    if (h.err) {
      t.true(r.err.trimEnd().split('\n').length <= 1, r.err);
      t.regex(r.err.trimEnd(), h.err);
    }
    if (h.code !== 2) t.regex(r.out, h.code === 1 ? /teardown-on-final-fput +VIOLATED/ : /no-leak +holds within \d+ steps?$/m);
  });
}

test('a design run in the sandbox gives the same report as the built-in with the same switches', async (t) => {
  // my-patch.ts is viro-2019 with flushTeardown: the same state space as `viro-2019[flushTeardown=true]`.
  const user = await run(['check', '--design', 'test/fixtures/my-patch.ts', '--json']);
  const builtin = await run(['check', '--design', 'viro-2019[flushTeardown=true]', '--json']);
  t.is(user.code, 1);
  t.is(user.code, builtin.code);
  const strip = (s: string): Record<string, any> => {
    const j = JSON.parse(s) as Record<string, any>;
    delete j['stats']['seconds'];
    delete j['stats']['statesPerSecond'];
    delete j['stats']['peakFrontierBytes'];
    for (const p of [...j['properties'], ...j['witnesses']]) if (p.trace) p.trace.design = '-';
    delete j['design'];
    delete j['summary'];
    return j;
  };
  t.deepEqual(strip(user.out), strip(builtin.out));
});

test('a user design interrupted (in-process, as by SIGINT) prints its partial result and exits 130', async (t) => {
  let polls = 0;
  const r = await run(['check', '--design', 'test/fixtures/slow-user.ts', '--tasks', '2', '--json'], () => ++polls > 40);
  t.is(r.code, 130, r.err);
  const j = JSON.parse(r.out) as { stop: string; stats: { distinct: number } };
  t.is(j.stop, 'interrupted');
  t.true(j.stats.distinct > 0);
});
