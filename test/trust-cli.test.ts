// The CLI under pressure: interruption by a real signal, checkpoint and resume, limits, simulate.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../cli/main.js';
import { parseTrace } from '../traces/format.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-trust-'));

async function run(argv: string[], interrupted?: () => boolean): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => { out += s; }, err: (s) => { err += s + '\n'; }, tty: false, ...(interrupted ? { interrupted } : {}) };
  const code = await main(argv, io);
  return { code, out, err };
}
const stable = (text: string): unknown => {
  const j = JSON.parse(text) as Record<string, any>;
  delete j['stats']['seconds'];
  delete j['stats']['statesPerSecond'];
  // Memory figures depend on when the arenas grew (a resumed run starts with a rebuilt frontier).
  delete j['stats']['peakFrontierBytes'];
  return j;
};

/** Starts `inflight ARGS --json`, sends SIGINT after `ms` (counted from the first `searching` on stderr if
 *  `marker`), and checks the partial result it prints. */
async function interruptedRun(t: import('ava').ExecutionContext, args: readonly string[], ms: number, marker = false): Promise<void> {
  const child = spawn('node', ['bin/inflight.mjs', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let searching: () => void = () => undefined;
  const started = new Promise<void>((r) => { searching = r; });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; if (err.includes('searching')) searching(); });
  if (marker) await started;
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  t.is(code, 130, err);
  t.regex(err, /SIGINT: stopping/);
  const j = JSON.parse(out) as { stop: string; properties: { name: string; status: string; checkedDepth: number }[]; stats: { distinct: number; depth: number; queue: number } };
  t.is(j.stop, 'interrupted');
  // Every verdict is open, but the property that cannot apply to the design's GC says n/a.
  const na = args.includes('linux-6.18') ? 'inflight-exact' : 'graph-accounting';
  t.deepEqual(j.properties.filter((p) => p.status !== 'bounded').map((p) => [p.name, p.status]), [[na, 'n/a']]);
  t.true(j.properties.every((p) => p.checkedDepth === j.stats.depth));
  t.true(j.stats.distinct > 0 && j.stats.queue > 0 && j.stats.depth > 0);
}

// Let each start searching (tsx start-up is ~1.5 s, more with worker threads; each search takes a minute
// or more), then interrupt.
test('SIGINT: the partial result (bounded, counts, depth), status 130', async (t) => {
  await interruptedRun(t, ['check', '--design', 'viro-2019', '--tasks', '2'], 4000);
});

test('SIGINT with --workers 2: the workers stop too, and the partial result is printed, status 130', async (t) => {
  await interruptedRun(t, ['check', '--design', 'linux-6.18', '--tasks', '2', '--depth', '9', '--workers', '2'], 7000);
});

// A design given as a file runs in the sandbox thread (cli/sandbox.ts): the signal reaches its search the same.
test('SIGINT on a user design (run in the sandbox): the partial result, status 130', async (t) => {
  await interruptedRun(t, ['check', '--design', 'test/fixtures/slow-user.ts', '--tasks', '2'], 2000, true);
});

test('SIGINT on a user design with --workers 2 (workers started from the sandbox): the partial result, status 130', async (t) => {
  await interruptedRun(t, ['check', '--design', 'test/fixtures/slow-user.ts', '--tasks', '2', '--depth', '9', '--workers', '2'], 2000, true);
});

test('--checkpoint and --resume of a user design: exactly the uninterrupted result', async (t) => {
  const file = join(TMP, 'user.ckpt');
  const args = ['check', '--design', 'test/fixtures/slow-user.ts', '--tasks', '2', '--depth', '7', '--json'];
  // Stopped by time (the sandbox polls a signal every 50 ms, so a count of polls says nothing of how far
  // the search got); the search to depth 7 takes several seconds.
  const first = await run([...args, '--checkpoint', file, '--timeout', '1']);
  t.is((JSON.parse(first.out) as { stop: string }).stop, 'time');
  t.true(existsSync(file));
  const resumed = await run([...args, '--resume', file]);
  const whole = await run(args);
  t.is(resumed.code, whole.code);
  t.deepEqual(stable(resumed.out), stable(whole.out));
});

test('--checkpoint on interruption, then --resume: exactly the uninterrupted result', async (t) => {
  const file = join(TMP, 'seed.ckpt');
  const args = ['check', '--design', 'seed-2019', '--tasks', '2', '--depth', '7', '--json'];
  let polls = 0;
  const first = await run([...args, '--checkpoint', file], () => ++polls > 10);
  t.is(first.code, 1, 'the leak (5 steps) was found before the interruption');
  t.is((JSON.parse(first.out) as { stop: string }).stop, 'interrupted');
  t.true(existsSync(file));
  const resumed = await run([...args, '--resume', file]);
  const whole = await run(args);
  t.is(resumed.code, whole.code);
  t.deepEqual(stable(resumed.out), stable(whole.out));
});

test('--resume refuses a checkpoint made with other settings, or a damaged one (E_CHECKPOINT)', async (t) => {
  const file = join(TMP, 'viro.ckpt');
  let polls = 0;
  await run(['check', '--design', 'viro-2019', '--tasks', '2', '--depth', '6', '--checkpoint', file], () => ++polls > 2);
  for (const other of [['--design', 'seed-2019', '--tasks', '2', '--depth', '6'], ['--design', 'viro-2019', '--tasks', '2', '--depth', '7'],
    ['--design', 'viro-2019', '--tasks', '2', '--depth', '6', '--no-symmetry']]) {
    const r = await run(['check', ...other, '--resume', file]);
    t.is(r.code, 2);
    t.regex(r.err, /^inflight: E_CHECKPOINT: .*was made with design viro-2019/);
  }
  writeFileSync(join(TMP, 'cut.ckpt'), readFileSync(file).subarray(0, 300));
  const cut = await run(['check', '--design', 'viro-2019', '--tasks', '2', '--depth', '6', '--resume', join(TMP, 'cut.ckpt')]);
  t.regex(cut.err, /^inflight: E_CHECKPOINT: .*(damaged|truncated)/);
  const missing = await run(['check', '--design', 'viro-2019', '--resume', join(TMP, 'nope.ckpt')]);
  t.regex(missing.err, /^inflight: E_CHECKPOINT: cannot read checkpoint/);
});

test('limits: --max-memory too small or malformed is E_BOUNDS; a limit reached is bounded with the queue', async (t) => {
  t.regex((await run(['check', '--design', 'viro-2019', '--max-memory', 'lots'])).err, /^inflight: E_BOUNDS: --max-memory expects a size/);
  t.regex((await run(['check', '--design', 'viro-2019', '--max-memory', '1M'])).err, /^inflight: E_BOUNDS: --max-memory 1M is below 64M/);
  t.regex((await run(['check', '--design', 'viro-2019', '--checkpoint-every', '5'])).err, /^inflight: E_USAGE: --checkpoint-every goes with --checkpoint/);
  const r = await run(['check', '--design', 'viro-2019', '--tasks', '2', '--max-states', '5000']);
  t.is(r.code, 0);
  t.regex(r.out, /stopped at --max-states, [\d,]+ states left on the queue/);
  t.regex(r.out, /no-leak +holds within \d+ steps?$/m);
  const exact = await run(['check', '--design', 'seed-2019', '--exact', '--json']);
  const fp = await run(['check', '--design', 'seed-2019', '--json']);
  const e = stable(exact.out) as Record<string, any>;
  const f = stable(fp.out) as Record<string, any>;
  t.is(e['stats']['collisionProbability'], 0);
  delete e['stats']; delete f['stats'];
  t.deepEqual(e, f, '--exact agrees with the fingerprint mode');
});

test('simulate: finds the seed-2019 leak with a pinned seed, prints the seed, writes a trace that replays', async (t) => {
  const file = join(TMP, 'sim.json');
  const r = await run(['simulate', '--design', 'seed-2019', '--seed', '42', '--runs', '2000', '--trace-out', file]);
  t.is(r.code, 1);
  t.regex(r.out, /seed 42/);
  t.regex(r.out, /no-leak violated on walk [\d,]+; shrunk from \d+ to \d+ steps; reproduce with --seed 42/);
  const trace = parseTrace(readFileSync(file, 'utf8'));
  if (!trace.ok) return t.fail(trace.error);
  t.true(trace.value.steps.length <= 7);
  t.is((await run(['replay', file])).code, 1);
  const again = await run(['simulate', '--design', 'seed-2019', '--seed', '42', '--runs', '2000', '--json']);
  const j = JSON.parse(again.out) as { seed: number; violation: { trace: unknown } };
  t.is(j.seed, 42);
  t.deepEqual(j.violation.trace, trace.value, 'the same seed gives the same trace');
});

test('simulate: a correct design exits 0; bad arguments are E_BOUNDS / E_USAGE', async (t) => {
  const ok = await run(['simulate', '--design', 'viro-2019', '--seed', '1', '--runs', '200', '--depth', '40']);
  t.is(ok.code, 0);
  t.regex(ok.out, /no property violated on any walk/);
  t.regex((await run(['simulate', '--design', 'viro-2019', '--seed', 'x'])).err, /^inflight: E_BOUNDS: --seed expects an integer/);
  t.regex((await run(['simulate', '--design', 'viro-2019', '--runs', '0'])).err, /^inflight: E_BOUNDS: --runs must be between/);
  t.regex((await run(['simulate'])).err, /^inflight: E_USAGE: simulate needs --design/);
});
