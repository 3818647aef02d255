// The command line: exit statuses, JSON output, errors as one line, user design files, trace files,
// progress. Mostly in-process through `main(argv, io)`; a few runs of the real bin prove the wiring.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../cli/main.js';
import { colourWanted } from '../cli/colour.js';
import { builtinDesigns } from '../model/designs/index.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { PROPERTIES, SCENARIO_PROPERTIES } from '../properties/index.js';
import { parseTrace, TRACE_FORMAT, type TraceFile } from '../traces/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'inflight-cli-test-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

/** The designs whose reports these tests read in full (one per kind of verdict); ALL_BUILTINS for lists. */
const BUILTINS = ['seed-2019', 'viro-2019', 'flush-teardown', 'linux-6.18'] as const;
const ALL_BUILTINS = ['seed-2019', 'viro-2019', 'flush-teardown', 'linux-5.1', 'linux-5.14', 'linux-6.1', 'linux-6.7', 'linux-6.10', 'linux-6.18', 'linux-6.18.54', 'linux-7.2'] as const;
const ALWAYS = PROPERTIES.filter((p) => p.kind === 'always').map((p) => p.name);
/** The property that cannot apply to a design's GC: graph-accounting on the 2007 GC, inflight-exact on the graph GC. */
const NA = (d: string): string => (d === 'linux-6.10' || d.startsWith('linux-6.18') || d.startsWith('linux-7.') ? 'inflight-exact' : 'graph-accounting');
const WITNESSES = PROPERTIES.filter((p) => p.kind === 'sometimes').map((p) => p.name);

// ------------------------------------------------------------------------------------------------
// Running main in-process

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly outWrites: readonly string[];
  readonly errWrites: readonly string[];
}

async function run(argv: readonly string[], opts: { tty?: boolean; colour?: boolean; interrupted?: () => boolean } = {}): Promise<Run> {
  const outWrites: string[] = [];
  const errWrites: string[] = [];
  const io: Io = {
    out: (s) => { outWrites.push(s); },
    err: (s) => { errWrites.push(s); },
    ...(opts.tty !== undefined ? { tty: opts.tty } : {}),
    ...(opts.colour !== undefined ? { colour: opts.colour } : {}),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
  };
  const code = await main(argv, io);
  return { code, out: outWrites.join('\n'), err: errWrites.join(''), outWrites, errWrites };
}

// Full checks cost about a second each: every argv is run once (tty false) and shared by the tests.
const cache = new Map<string, Promise<Run>>();
function runOnce(argv: readonly string[]): Promise<Run> {
  const key = JSON.stringify(argv);
  let p = cache.get(key);
  if (!p) { p = run(argv, { tty: false }); cache.set(key, p); }
  return p;
}

// The seed-2019 JSON run also writes its trace: one run serves the JSON and the trace-file tests.
const SEED_TRACE = join(TMP, 'seed-2019.trace.json');
const checkJsonArgv = (d: string): string[] =>
  d === 'seed-2019' ? ['check', '--design', d, '--json', '--trace-out', SEED_TRACE] : ['check', '--design', d, '--json'];

interface JsonVerdict { name: string; status: string; checkedDepth?: number; possiblyVacuous?: string[]; message?: string; trace?: TraceFile }
interface JsonWitness extends JsonVerdict { found: boolean }
interface CheckJson {
  design: string;
  summary: string;
  bounds: { tasks: number; files: number; fds: number; skbs: number; msgFds: number; depth: number; ops: string[] };
  stop: string;
  properties: JsonVerdict[];
  witnesses: JsonWitness[];
  stats: Record<string, number>;
  expected: Record<string, string>;
  surprises: unknown[];
}

async function checkJson(argv: readonly string[]): Promise<{ run: Run; json: CheckJson }> {
  const r = await runOnce(argv);
  return { run: r, json: JSON.parse(r.out) as CheckJson };
}
const builtinJson = (d: string) => checkJson(checkJsonArgv(d));
const verdict = (j: CheckJson, name: string): JsonVerdict => {
  const v = [...j.properties, ...j.witnesses].find((x) => x.name === name);
  if (!v) throw new Error(`no verdict for ${name} in ${j.design}`);
  return v;
};

/** exit 2, nothing on stdout, exactly one line on stderr: `inflight: <code>: ...`. */
function assertUserError(t: import('ava').ExecutionContext, r: Run, code: string, message?: RegExp): void {
  t.is(r.code, 2, r.err);
  t.is(r.out, '', 'nothing on stdout');
  t.is(r.errWrites.length, 1, `one write on stderr: ${JSON.stringify(r.errWrites)}`);
  const line = r.errWrites[0] ?? '';
  t.false(line.replace(/\n$/, '').includes('\n'), `one line: ${JSON.stringify(line)}`);
  t.true(line.startsWith(`inflight: ${code}: `), line);
  t.false(/^\s+at /m.test(line), 'no stack trace');
  if (message) t.regex(line, message);
}

// ------------------------------------------------------------------------------------------------
// Running the real bin (each spawn costs ~1.5 s: four of them)

interface Proc { code: number | null; stdout: string; stderr: string }
function spawnBin(args: readonly string[]): Promise<Proc> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/inflight.mjs', ...args], { cwd: ROOT, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') { reject(error); return; }   // could not run at all, or timed out
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

test('bin: check --design seed-2019 exits 1 and prints the verdicts and the 5-step leak', async (t) => {
  const p = await spawnBin(['check', '--design', 'seed-2019']);
  t.is(p.code, 1, p.stderr);
  t.is(p.stderr, '', 'stderr is not a terminal: no progress lines');
  t.regex(p.stdout, /^design seed-2019: /);
  t.regex(p.stdout, /^ {2}no-leak +VIOLATED \(5 steps\)$/m);
  t.regex(p.stdout, /^ {2}no-double-free +holds$/m);
  t.regex(p.stdout, /^ {2}gc-releases-ring-cycle +not found +\(witness\)$/m);
  t.regex(p.stdout, /^ +5 +T0 +exit\(0\) +.*= 0$/m);
  t.true(p.stdout.endsWith('\n'));
});

test('bin: an unknown design exits 2 with one line on stderr and no stack trace', async (t) => {
  const p = await spawnBin(['check', '--design', 'no-such-design']);
  t.is(p.code, 2);
  t.is(p.stdout, '');
  t.regex(p.stderr, /^inflight: E_DESIGN_UNKNOWN: unknown design 'no-such-design' \(built-in: seed-2019, viro-2019, flush-teardown, linux-5\.1, .*, linux-6\.18, linux-6\.18\.54, linux-7\.2; .*\)\n$/);
  t.is(p.stderr.split('\n').filter(Boolean).length, 1);
  t.false(/^\s+at /m.test(p.stderr));
});

test('bin: check --design FILE.ts loads a user design (my-patch: viro-2019 with ->flush teardown)', async (t) => {
  const p = await spawnBin(['check', '--design', 'test/fixtures/my-patch.ts']);
  t.is(p.code, 1, p.stderr);
  t.is(p.stderr, '');
  t.regex(p.stdout, /^design my-patch: viro-2019 with ->flush teardown$/m);
  t.regex(p.stdout, /^ {2}teardown-on-final-fput +VIOLATED \(3 steps\)$/m);
  t.regex(p.stdout, /^ {2}no-leak +holds$/m);
});

test('bin: a design that throws during the search exits 2, one line naming the syscall, no stack trace', async (t) => {
  const p = await spawnBin(['check', '--design', 'test/fixtures/flush-throws.ts']);
  t.is(p.code, 2);
  // stdout: the steps that reached the state where it threw (issue: "reported with the step and state").
  t.regex(p.stdout, /^the design threw on a step from the state reached by:\n +1 +T0 +\S/);
  t.is(p.stderr.split('\n').filter(Boolean).length, 1, p.stderr);
  t.regex(p.stderr, /^inflight: E_DESIGN_THROWS: design 'flush-throws' threw in T0 (close\(\d+\)|exit\(0\)|execve\(.*\)): flush exploded\n$/);
  t.false(/^\s+at /m.test(p.stderr));
});

test('a design that throws during the search: one line on stderr, the path to that state on stdout', async (t) => {
  const r = await run(['check', '--design', fixture('flush-throws.ts')], { tty: false });
  t.is(r.code, 2);
  t.is(r.errWrites.length, 1);
  t.regex(r.errWrites[0]!, /^inflight: E_DESIGN_THROWS: design 'flush-throws' threw in T0 (close\(\d+\)|exit\(0\)|execve\(.*\)): flush exploded$/);
  // The shortest way to a close: one step that made an fd (the throwing close itself is named on stderr).
  t.regex(r.out, /^the design threw on a step from the state reached by:\n +1 +T0 +(open|socketpair|io_uring_setup)\(/);
  t.false(/^ +2 /m.test(r.out), 'one step leads there');
});

test('a design whose hook leaves a malformed world is reported like one that throws', async (t) => {
  const r = await run(['check', '--design', fixture('corrupting-hook.ts')], { tty: false });
  t.is(r.code, 2);
  t.regex(r.errWrites[0]!, /^inflight: E_DESIGN_THROWS: design 'corrupting-hook' threw in T0 close\(3\): left a malformed world: f0 is live with f_count -6$/);
});

// ------------------------------------------------------------------------------------------------
// check: exit statuses and text

test('check: exit 0 for viro-2019 and linux-6.18, 1 for seed-2019 and flush-teardown', async (t) => {
  t.is((await runOnce(['check', '--design', 'viro-2019'])).code, 0);
  t.is((await runOnce(['check', '--design', 'flush-teardown'])).code, 1);
  // (seed-2019's text run is the bin test above; its --json run exits the same way.)
  for (const d of BUILTINS) t.is((await builtinJson(d)).run.code, d === 'viro-2019' || d === 'linux-6.18' ? 0 : 1, d);
});

test('check (text): verdict lines and the trace of each violation or witness', async (t) => {
  // A found witness is one line by default; --witnesses prints its trace.
  const short = await runOnce(['check', '--design', 'viro-2019']);
  t.regex(short.out, /^gc-releases-ring-cycle: unix_gc released f2:io_uring, which was on a reference cycle \(witness, 6 steps\)$/m);
  t.regex(short.out, /^witness traces: add --witnesses to print them, or --trace-out FILE --trace-of NAME to save one/m);
  t.notRegex(short.out, /^ +6 +kernel +unix_gc\(\) += 0$/m);
  const viro = await runOnce(['check', '--design', 'viro-2019', '--witnesses']);
  t.notRegex(viro.out, /^witness traces: add --witnesses/m);
  t.regex(viro.out, /^bounds: tasks 1, files 3, fds 3, skbs 1, msg-fds 1, reqs 1, gc atomic, depth unbounded, ops core$/m);
  t.regex(viro.out, /every reachable state explored/);
  for (const p of ALWAYS) t.regex(viro.out, new RegExp(p === NA('viro-2019') ? `^  ${p} +n/a \\(the design's unix GC is the 2007 one: it keeps no vertices or edges\\)$` : `^  ${p} +holds$`, 'm'));
  t.regex(viro.out, /^ {2}gc-releases-ring-cycle +found \(6 steps\) +\(witness\)$/m);
  t.regex(viro.out, /^gc-releases-ring-cycle: unix_gc released f2:io_uring, which was on a reference cycle$/m);
  t.regex(viro.out, /^ +6 +kernel +unix_gc\(\) += 0$/m);
  const flush = await runOnce(['check', '--design', 'flush-teardown']);
  t.regex(flush.out, /^ {2}teardown-on-final-fput +VIOLATED \(3 steps\)$/m);
  t.regex(flush.out, /f0:io_uring ring: torn down/);
});

test('check with tty false writes the report in one piece and nothing on stderr', async (t) => {
  for (const argv of [['check', '--design', 'viro-2019'], ['check', '--design', 'flush-teardown']]) {
    const r = await runOnce(argv);
    t.deepEqual(r.errWrites, [], argv.join(' '));
    t.is(r.outWrites.length, 1);
  }
});

// ------------------------------------------------------------------------------------------------
// check --json

for (const d of BUILTINS) {
  test(`check --json ${d}: the report's shape`, async (t) => {
    const { json } = await builtinJson(d);
    t.is(json.design, d);
    t.is(typeof json.summary, 'string');
    t.deepEqual(json.bounds, { ...DEFAULT_BOUNDS, ops: [...DEFAULT_BOUNDS.ops] });
    t.is(json.stop, 'exhausted');
    t.deepEqual(json.properties.map((p) => p.name), ALWAYS);
    t.deepEqual(json.witnesses.map((p) => p.name), WITNESSES);
    for (const p of json.properties) {
      t.true(p.name === NA(d) ? p.status === 'n/a' : ['holds', 'violated', 'bounded'].includes(p.status), `${p.name}: ${p.status}`);
      if (p.status === 'violated') {
        t.is(p.trace?.format, TRACE_FORMAT, p.name);
        t.is(p.trace?.design, d);
        t.is(p.trace?.property, p.name);
        t.is(p.trace?.violation, p.message);
        t.true((p.trace?.steps.length ?? 0) > 0);
        // The embedded trace is a valid trace file.
        t.true(parseTrace(JSON.stringify(p.trace)).ok, p.name);
      } else {
        t.is(p.trace, undefined, p.name);
      }
    }
    for (const w of json.witnesses) {
      t.is(typeof w.found, 'boolean');
      t.is(w.found, w.status === 'found');
      t.is(w.trace !== undefined, w.found);
    }
    for (const k of ['distinct', 'generated', 'depth', 'seconds', 'statesPerSecond', 'collisionProbability']) {
      t.is(typeof json.stats[k], 'number', k);
      t.true(Number.isFinite(json.stats[k]), k);
    }
    t.true(json.stats['distinct']! > 1000);
    t.true(json.stats['generated']! >= json.stats['distinct']!);
    t.true(json.stats['collisionProbability']! < 1e-6);
    t.deepEqual(json.surprises, []);
  });
}

test('check --json seed-2019: no-leak violated by a 5-step trace ending with exit; nothing else violated', async (t) => {
  const { json } = await builtinJson('seed-2019');
  const v = verdict(json, 'no-leak');
  t.is(v.status, 'violated');
  t.is(v.trace!.steps.length, 5);
  t.deepEqual(v.trace!.steps[4], { task: 0, syscall: 'exit', args: {}, result: { ret: 0 } });
  t.regex(v.message!, /^leaked: f1:unix\/dgram, f2:io_uring/);
  t.deepEqual(json.properties.filter((p) => p.status === 'violated').map((p) => p.name), ['no-leak']);
  t.false(verdict(json, 'gc-releases-ring-cycle').status === 'found');
});

test('check --json flush-teardown: teardown-on-final-fput violated in 3 steps (setup, dup, close)', async (t) => {
  const { json } = await builtinJson('flush-teardown');
  const v = verdict(json, 'teardown-on-final-fput');
  t.is(v.status, 'violated');
  t.deepEqual(v.trace!.steps.map((s) => s.syscall), ['io_uring_setup', 'dup', 'close']);
  t.deepEqual(json.properties.filter((p) => p.status === 'violated').map((p) => p.name), ['teardown-on-final-fput']);
});

test('check --json viro-2019: the witness gc-releases-ring-cycle is found, ending with the GC', async (t) => {
  const { json } = await builtinJson('viro-2019');
  const w = json.witnesses.find((x) => x.name === 'gc-releases-ring-cycle')!;
  t.true(w.found);
  t.is(w.status, 'found');
  t.is(w.trace!.steps.length, 6);
  t.deepEqual(w.trace!.steps[5], { task: 'kernel', syscall: 'unix_gc', args: { phase: 'run' }, result: { ret: 0 } });
  t.deepEqual(json.properties.filter((p) => p.status !== 'holds').map((p) => [p.name, p.status]), [['graph-accounting', 'n/a']]);
});

test('check --json --tasks 2 --depth 4: the bounds are echoed, nothing is violated, the depth stopped the search', async (t) => {
  const { run: r, json } = await checkJson(['check', '--design', 'viro-2019', '--json', '--tasks', '2', '--depth', '4']);
  t.is(r.code, 0);
  t.is(json.bounds.tasks, 2);
  t.is(json.bounds.depth, 4);
  t.is(json.bounds.files, DEFAULT_BOUNDS.files);
  t.is(json.stop, 'depth');
  t.is(json.stats['depth'], 4);
  for (const p of json.properties) t.true(p.name === NA('viro-2019') ? p.status === 'n/a' : p.status === 'bounded' || p.status === 'holds', `${p.name}: ${p.status}`);
  // The witness needs 6 steps: 4 are not enough, and the search did not end, so it is not "not-found".
  t.is(verdict(json, 'gc-releases-ring-cycle').status, 'bounded');
});

test('check --ops restricts the syscalls: without io_uring_register nothing can leak in seed-2019', async (t) => {
  const { run: r, json } = await checkJson(['check', '--design', 'seed-2019', '--json', '--ops', 'open,close,socketpair,sendmsg,recvmsg,io_uring_setup,exit']);
  t.is(r.code, 0);
  t.deepEqual(json.bounds.ops, ['open', 'close', 'exit', 'socketpair', 'sendmsg', 'recvmsg', 'io_uring_setup']);
  t.is(verdict(json, 'no-leak').status, 'holds');
});

test('check --no-symmetry: the same verdicts over at least as many states', async (t) => {
  const sym = await checkJson(['check', '--design', 'viro-2019', '--json', '--tasks', '2', '--depth', '4']);
  const raw = await checkJson(['check', '--design', 'viro-2019', '--json', '--tasks', '2', '--depth', '4', '--no-symmetry']);
  t.is(raw.run.code, 0);
  t.deepEqual(raw.json.properties.map((p) => p.status), sym.json.properties.map((p) => p.status));
  t.true(raw.json.stats['distinct']! > sym.json.stats['distinct']!, 'two tasks: symmetry merges states');
});

test('check --max-states 10: every undecided verdict is "bounded", and viro-2019 exits 0', async (t) => {
  const { run: r, json } = await checkJson(['check', '--design', 'viro-2019', '--json', '--max-states', '10']);
  t.is(r.code, 0);
  t.is(json.stop, 'states');
  t.true(json.stats['distinct']! <= 10);
  for (const v of [...json.properties, ...json.witnesses]) t.is(v.status, v.name === NA('viro-2019') ? 'n/a' : 'bounded', v.name);
  t.false(json.witnesses[0]!.found);
  const seed = await run(['check', '--design', 'seed-2019', '--max-states', '10'], { tty: false });
  t.is(seed.code, 0, 'no violation within 10 states');
  // seed-2019's initial state has 5 successors and 30 states lie 2 steps away (check --depth 1, --depth 2:
  // 6 and 36 distinct): the 10th state is found in level 2, so every state within 1 step was checked.
  t.regex(seed.out, /^ {2}no-leak +holds within 1 step$/m);
  t.regex(seed.out, /^ {2}gc-releases-cycle +not found within 1 step {2}\(witness\)$/m);
  t.regex(seed.out, /stopped at --max-states/);
  const more = await checkJson(['check', '--design', 'seed-2019', '--json', '--max-states', '37']);
  t.deepEqual([...more.json.properties, ...more.json.witnesses].map((v: { checkedDepth?: number }) => v.checkedDepth), Array(13).fill(2), 'the 37th state lies 3 steps away');
  t.deepEqual([...json.properties, ...json.witnesses].map((v: { checkedDepth?: number }) => v.checkedDepth), Array(13).fill(json.stats['depth']));
  // An exhausted search proves to its full depth, and says so in the same field.
  const full = await checkJson(['check', '--design', 'viro-2019', '--json']);
  t.is(full.json.stop, 'exhausted');
  t.true(full.json.properties.every((v: { checkedDepth?: number }) => v.checkedDepth === full.json.stats['depth']));
  const matrix = await run(['matrix', '--designs', 'seed-2019', '--max-states', '10'], { tty: false });
  t.regex(matrix.out, /^seed-2019 +holds\/≤1\? +holds\/≤1 +holds\/≤1\? /m, 'matrix cells: holds within 1 step; no cycle released within 1 step: no-leak possibly vacuous');
});

test('check interrupted before any violation exits 130 with every verdict bounded', async (t) => {
  const r = await run(['check', '--design', 'viro-2019', '--json'], { tty: false, interrupted: () => true });
  t.is(r.code, 130);
  const json = JSON.parse(r.out) as CheckJson;
  t.is(json.stop, 'interrupted');
  for (const v of [...json.properties, ...json.witnesses]) t.is(v.status, v.name === NA('viro-2019') ? 'n/a' : 'bounded', v.name);
});

// ------------------------------------------------------------------------------------------------
// Bad input: exit 2, one line, nothing on stdout

const BAD: { name: string; argv: string[]; code: string; message?: RegExp }[] = [
  { name: 'unknown design', argv: ['check', '--design', 'nope'], code: 'E_DESIGN_UNKNOWN', message: /unknown design 'nope'/ },
  { name: 'unknown command', argv: ['frobnicate'], code: 'E_USAGE', message: /unknown command 'frobnicate'/ },
  { name: 'check without --design', argv: ['check'], code: 'E_USAGE', message: /check needs --design/ },
  { name: '--tasks -1', argv: ['check', '--design', 'viro-2019', '--tasks', '-1'], code: 'E_USAGE', message: /--tasks/ },
  { name: '--tasks=-1', argv: ['check', '--design', 'viro-2019', '--tasks=-1'], code: 'E_BOUNDS', message: /--tasks expects a whole number, got '-1'/ },
  { name: '--tasks abc', argv: ['check', '--design', 'viro-2019', '--tasks', 'abc'], code: 'E_BOUNDS', message: /--tasks expects a whole number, got 'abc'/ },
  { name: '--tasks 0', argv: ['check', '--design', 'viro-2019', '--tasks', '0'], code: 'E_BOUNDS', message: /--tasks must be an integer >= 1 \(got 0\)/ },
  { name: '--tasks 1000000', argv: ['check', '--design', 'viro-2019', '--tasks', '1000000'], code: 'E_BOUNDS', message: /--tasks 1000000 is beyond what the model supports/ },
  { name: '--tasks with no value', argv: ['check', '--design', 'viro-2019', '--tasks'], code: 'E_USAGE' },
  { name: '--depth 1.5', argv: ['check', '--design', 'viro-2019', '--depth', '1.5'], code: 'E_BOUNDS', message: /--depth expects a whole number, got '1.5'/ },
  { name: '--files 33', argv: ['check', '--design', 'viro-2019', '--files', '33'], code: 'E_BOUNDS', message: /--files 33 is beyond/ },
  { name: '--msg-fds 0', argv: ['check', '--design', 'viro-2019', '--msg-fds', '0'], code: 'E_BOUNDS', message: /--msg-fds must be an integer >= 1/ },
  { name: '--ops foo', argv: ['check', '--design', 'viro-2019', '--ops', 'foo'], code: 'E_BOUNDS', message: /unknown syscall 'foo' in --ops/ },
  { name: '--ops ,', argv: ['check', '--design', 'viro-2019', '--ops', ','], code: 'E_BOUNDS', message: /--ops names no syscall/ },
  { name: '--max-states 0', argv: ['check', '--design', 'viro-2019', '--max-states', '0'], code: 'E_BOUNDS' },
  { name: '--timeout soon', argv: ['check', '--design', 'viro-2019', '--timeout', 'soon'], code: 'E_BOUNDS' },
  { name: 'unknown option', argv: ['check', '--design', 'viro-2019', '--frobnicate'], code: 'E_USAGE', message: /--frobnicate/ },
  { name: 'stray argument to check', argv: ['check', '--design', 'viro-2019', 'extra'], code: 'E_USAGE', message: /unexpected argument 'extra'/ },
  { name: 'design file that does not exist', argv: ['check', '--design', './test/fixtures/does-not-exist.ts'], code: 'E_DESIGN_UNKNOWN', message: /design file not found/ },
  { name: 'design file that throws on load', argv: ['check', '--design', fixture('throws-on-load.ts')], code: 'E_DESIGN_LOAD', message: /this module refuses to load/ },
  { name: 'design file exporting a number', argv: ['check', '--design', fixture('not-a-design.ts')], code: 'E_DESIGN_INVALID', message: /the design is not an object/ },
  { name: 'design file with a syntax error', argv: ['check', '--design', fixture('syntax-error.mjs')], code: 'E_DESIGN_LOAD', message: /cannot load design / },
  { name: 'design path that is a directory', argv: ['check', '--design', fixture('')], code: 'E_DESIGN_LOAD', message: /cannot load design / },
  { name: 'design file without a default export', argv: ['check', '--design', fixture('no-default.ts')], code: 'E_DESIGN_INVALID', message: /has no default export/ },
  { name: 'design file with an unknown switch', argv: ['check', '--design', fixture('unknown-switch.ts')], code: 'E_DESIGN_INVALID', message: /unknown switch 'lazyRelease'/ },
  { name: 'design file taking a built-in name', argv: ['check', '--design', fixture('builtin-name.ts')], code: 'E_DESIGN_INVALID', message: /the name 'seed-2019' is a built-in design's/ },
  { name: 'design expecting an unknown property', argv: ['check', '--design', fixture('expected-typo.ts')], code: 'E_DESIGN_INVALID', message: /expected names an unknown property 'no-lek'/ },
  { name: 'matrix of an unknown design', argv: ['matrix', '--designs', 'seed-2019,nope'], code: 'E_DESIGN_UNKNOWN', message: /'nope'/ },
  { name: 'matrix naming no design', argv: ['matrix', '--designs', ','], code: 'E_USAGE' },
  { name: 'explain of an unknown property', argv: ['explain', 'no-such-property'], code: 'E_PROPERTY_UNKNOWN', message: /unknown property 'no-such-property' \(known: no-leak, / },
  { name: 'explain of two properties', argv: ['explain', 'no-leak', 'refcount-exact'], code: 'E_USAGE' },
  { name: 'designs with an option it does not know', argv: ['designs', '--all'], code: 'E_USAGE' },
  { name: 'replay without a file', argv: ['replay'], code: 'E_USAGE' },
  { name: 'replay of a missing file', argv: ['replay', join(TMP, 'missing.json')], code: 'E_TRACE_READ', message: /cannot read / },
];
for (const b of BAD) {
  test(`bad input → exit 2, one line: ${b.name}`, async (t) => {
    assertUserError(t, await run(b.argv, { tty: false }), b.code, b.message);
  });
}

test('--help or -h after any command prints that command\'s help and exits 0; `inflight help CMD` prints the same', async (t) => {
  const help = await run(['help'], { tty: false });
  t.is(help.code, 0);
  t.regex(help.out, /^usage: inflight <command> \[options\]/);
  for (const argv of [['check', '--help'], ['check', '--design', 'viro-2019', '-h'], ['repro', '--help'], ['scenarios', '-h'], ['simulate', '--help']]) {
    const r = await run(argv, { tty: false });
    const same = await run(['help', argv[0]!], { tty: false });
    t.is(r.code, 0, argv.join(' '));
    t.is(r.out, same.out, argv.join(' '));
    t.regex(r.out, new RegExp(`^usage: inflight ${argv[0]} `), argv.join(' '));
    t.is(r.err, '', argv.join(' '));
  }
});

test('bad input: --trace-out into a directory that does not exist is E_OUTPUT', async (t) => {
  const r = await run(['check', '--design', 'seed-2019', '--depth', '5', '--trace-out', join(TMP, 'no', 'such', 'dir', 't.json')], { tty: false });
  assertUserError(t, r, 'E_OUTPUT', /cannot write /);
});

// Malformed trace files: replay says E_TRACE_INVALID and where.
const traceText = (): string => readFileSync(SEED_TRACE, 'utf8');
const editTrace = (f: (t: Record<string, any>) => void) => async (): Promise<string> => {
  await builtinJson('seed-2019');
  const o = JSON.parse(traceText()) as Record<string, any>;
  f(o);
  return JSON.stringify(o);
};
const MALFORMED: { name: string; text: () => Promise<string>; message: RegExp }[] = [
  { name: 'not JSON', text: async () => 'inflight-trace/1, honest', message: /: not JSON \(/ },
  { name: 'truncated JSON', text: async () => { await builtinJson('seed-2019'); return traceText().slice(0, 200); }, message: /: not JSON \(/ },
  { name: 'wrong format version', text: editTrace((o) => { o['format'] = 'inflight-trace/0'; }), message: /unsupported format 'inflight-trace\/0'/ },
  { name: 'unknown syscall', text: editTrace((o) => { o['steps'][2].syscall = 'splice'; }), message: /step 3: unknown syscall "splice"/ },
  { name: 'a step with a bad task', text: editTrace((o) => { o['steps'][1].task = 'T0'; }), message: /step 2: "task" must be a task number/ },
  { name: 'a non-integer fd', text: editTrace((o) => { o['steps'][2].args.fd = 3.25; }), message: /step 3: sendmsg: argument 'fd' must be an integer/ },
  { name: 'a missing result', text: editTrace((o) => { delete o['steps'][4].result; }), message: /step 5: "result" must be an object/ },
  // A trace of the format before sockets had addresses: its listen autobound and its connect named an fd.
  { name: 'an inflight-trace/1 trace that listens', text: editTrace((o) => { o['format'] = 'inflight-trace/1'; o['steps'][2] = { task: 0, syscall: 'listen', args: { fd: 3 }, result: { ret: 0 } }; }),
    message: /step 3 \(listen\) is a call of an inflight-trace\/1 trace, whose listen bound an automatic name .*record the trace again, or write bind and connect by address/ },
  { name: 'connect to an fd', text: editTrace((o) => { o['steps'][2] = { task: 0, syscall: 'connect', args: { fd: 3, to: 4 }, result: { ret: 0 } }; }),
    message: /step 3: argument 'to' .* is the old form of connect: connect names an address now/ },
];

test('an inflight-trace/1 trace without listen or connect replays as it did', async (t) => {
  const text = await editTrace((o) => { o['format'] = 'inflight-trace/1'; })();
  const file = join(TMP, 'old-format.json');
  writeFileSync(file, text);
  const r = await run(['replay', file], { tty: false });
  t.is(r.err, '');
  t.is(r.code, 1, 'the seed-2019 violation, replayed');
});
for (const m of MALFORMED) {
  test(`bad input → exit 2, one line: replay of a malformed trace (${m.name})`, async (t) => {
    const file = join(TMP, `malformed-${m.name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, await m.text());
    const r = await run(['replay', file], { tty: false });
    assertUserError(t, r, 'E_TRACE_INVALID', m.message);
    t.true(r.err.includes(file), 'names the file');
  });
}

test('no command at all: one E_USAGE line, exit 2; help: the usage on stdout, exit 0', async (t) => {
  const none = await run([], { tty: false });
  assertUserError(t, none, 'E_USAGE', /no command \(try: inflight help\)/);
  for (const h of ['help', '--help', '-h']) {
    const r = await run([h], { tty: false });
    t.is(r.code, 0);
    t.regex(r.out, /^usage: inflight <command>/);
    t.regex(r.out, /^ {2}check +check a design against every property/m);
    t.is(r.err, '');
  }
});

// ------------------------------------------------------------------------------------------------
// User design files

test('user design: my-patch (base viro-2019, flushTeardown) violates teardown-on-final-fput and nothing else', async (t) => {
  const { run: r, json } = await checkJson(['check', '--design', fixture('my-patch.ts'), '--json']);
  t.is(r.code, 1);
  t.is(json.design, 'my-patch');
  t.is(json.summary, 'viro-2019 with ->flush teardown');
  const v = verdict(json, 'teardown-on-final-fput');
  t.is(v.status, 'violated');
  t.is(v.trace!.steps.length, 3);
  t.is(v.trace!.design, 'my-patch');
  t.deepEqual(json.properties.filter((p) => p.status === 'violated').map((p) => p.name), ['teardown-on-final-fput']);
  t.deepEqual(json.expected, {});
  t.deepEqual(json.surprises, []);
});

test('user design: a ring release that forgets its registered files is caught by no-leak and refcount-exact', async (t) => {
  // leaky-release: viro-2019 whose ->release marks the ring dead without purging the ring_sock's
  // registration skb. A registered file then keeps a reference that lives in the released ring's
  // freed memory: as soon as the ring is released, f_count exceeds the holders that exist
  // (refcount-exact, 4 steps: open, setup, register, close the ring), and once no fd is left the file is
  // unreachable and not a socket the GC could see (no-leak, 4 steps: ... exit).
  const { run: r, json } = await checkJson(['check', '--design', fixture('leaky-release.ts'), '--json']);
  t.is(r.code, 1);
  const leak = verdict(json, 'no-leak');
  t.is(leak.status, 'violated');
  t.is(leak.trace!.steps.length, 4);
  t.deepEqual(leak.trace!.steps.map((s) => s.syscall).sort(), ['exit', 'io_uring_register', 'io_uring_setup', 'open']);
  t.regex(leak.message!, /leaked: f\d:regular/);
  const rc = verdict(json, 'refcount-exact');
  t.is(rc.status, 'violated');
  t.is(rc.trace!.steps.length, 4);
  t.is(rc.trace!.steps[3]!.syscall, 'close');
  t.regex(rc.message!, /f\d:regular has f_count 2 but 1 holder/);
  for (const p of ['no-double-free', 'no-use-after-free', 'teardown-on-final-fput']) t.is(verdict(json, p).status, 'holds', p);
});

// ------------------------------------------------------------------------------------------------
// Trace files: --trace-out and replay

test('--trace-out writes a trace file that parseTrace accepts, equal to the --json trace', async (t) => {
  const { json } = await builtinJson('seed-2019');
  const parsed = parseTrace(traceText());
  if (!parsed.ok) return t.fail(parsed.error);
  const fromJson = verdict(json, 'no-leak').trace!;
  t.deepEqual(parsed.value.steps, fromJson.steps);
  t.deepEqual(parsed.value, fromJson);
  t.is(parsed.value.property, 'no-leak');
});

test('--trace-out in text mode says on stderr what it wrote (or that it wrote nothing)', async (t) => {
  const file = join(TMP, 'flush.trace.json');
  const r = await run(['check', '--design', 'flush-teardown', '--depth', '3', '--trace-out', file], { tty: false });
  t.is(r.code, 1);
  t.deepEqual(r.errWrites, [`trace of teardown-on-final-fput written to ${file}`]);
  const p = parseTrace(readFileSync(file, 'utf8'));
  t.true(p.ok && p.value.steps.length === 3);
  const none = join(TMP, 'none.trace.json');
  const v = await run(['check', '--design', 'viro-2019', '--depth', '3', '--trace-out', none], { tty: false });
  t.is(v.code, 0);
  t.deepEqual(v.errWrites, [`no property is violated, so there is no violation's trace: ${none} not written`]);
  t.throws(() => readFileSync(none));
});

test('--trace-of NAME writes that verdict\'s trace (a witness of free exploration, which replays); without it, the first violated property', async (t) => {
  const file = join(TMP, 'witness.trace.json');
  const r = await run(['check', '--design', 'seed-2019', '--trace-out', file, '--trace-of', 'gc-releases-cycle'], { tty: false });
  t.is(r.code, 1);
  t.deepEqual(r.errWrites, [`trace of gc-releases-cycle (witness) written to ${file}`]);
  const p = parseTrace(readFileSync(file, 'utf8'));
  if (!p.ok) return t.fail(p.error);
  t.is(p.value.property, 'gc-releases-cycle');
  const rp = await run(['replay', file], { tty: false });
  t.is(rp.code, 0, rp.out);
  t.regex(rp.out, /^the trace's witness gc-releases-cycle is reached after step \d+ under seed-2019$/m);
  // The default is unchanged: the first violated property.
  const d = await run(['check', '--design', 'seed-2019', '--trace-out', file], { tty: false });
  t.deepEqual(d.errWrites, [`trace of no-leak written to ${file}`]);
  t.is(JSON.parse(readFileSync(file, 'utf8')).property, 'no-leak');
});

test('replay of the seed-2019 trace on its own design exits 1 and names the violation at step 5', async (t) => {
  await builtinJson('seed-2019');
  const r = await run(['replay', SEED_TRACE], { tty: false });
  t.is(r.code, 1);
  t.is(r.err, '');
  t.true(r.out.startsWith(`replaying ${SEED_TRACE} (5 steps, made with seed-2019 for no-leak) against design seed-2019`));
  t.regex(r.out, /^violated: no-leak after step 5: leaked: /m);
  t.false(/^ {2}step \d+:/m.test(r.out), 'no disagreement lines');
  const j = JSON.parse((await run(['replay', SEED_TRACE, '--json'], { tty: false })).out) as
    { design: string; steps: { step: number; agrees: boolean }[]; findings: { property: string; kind: string; step: number }[] };
  t.is(j.design, 'seed-2019');
  t.deepEqual(j.steps.map((s) => s.agrees), [true, true, true, true, true]);
  t.deepEqual(j.findings.map((f) => [f.property, f.kind, f.step]), [['no-leak', 'always', 5]]);
});

test('replay of the seed-2019 trace on viro-2019 exits 0: every step agrees, nothing violated, no witness without a GC step', async (t) => {
  await builtinJson('seed-2019');
  const r = await run(['replay', SEED_TRACE, '--design', 'viro-2019'], { tty: false });
  t.is(r.code, 0);
  t.regex(r.out, /against design viro-2019/);
  t.regex(r.out, /^no property is violated along this trace under viro-2019$/m);
  t.false(/^(violated|witness):/m.test(r.out));
  t.false(/^ {2}step \d+:/m.test(r.out));
  // The replayed steps are shown with viro-2019's effects (the ring's in-flight count).
  t.regex(r.out, /f2:io_uring inflight: 1/);
  const j = JSON.parse((await run(['replay', SEED_TRACE, '--design', 'viro-2019', '--json'], { tty: false })).out) as
    { steps: { agrees: boolean }[]; findings: unknown[]; impossibleAt?: number };
  t.true(j.steps.length === 5 && j.steps.every((s) => s.agrees));
  t.deepEqual(j.findings, []);
  t.is(j.impossibleAt, undefined);
});

test('replay of a trace whose recorded result was edited reports the disagreeing step', async (t) => {
  await builtinJson('seed-2019');
  const o = JSON.parse(traceText()) as TraceFile & { steps: { result: { ret: number } }[] };
  t.is(o.steps[1]!.result.ret, 5);
  o.steps[1]!.result = { ret: 7 };
  const file = join(TMP, 'edited.trace.json');
  writeFileSync(file, JSON.stringify(o));
  const r = await run(['replay', file], { tty: false });
  t.regex(r.out, /^ {2}step 2: T0 io_uring_setup\(8, &params\) returns 5 here; the trace recorded 7$/m);
  t.is(r.out.match(/^ {2}step \d+:/gm)?.length, 1, 'only step 2 disagrees');
  // The model's own result is what replay goes on with: the leak is still reached.
  t.regex(r.out, /^violated: no-leak after step 5/m);
  // A different result is information (what the design does instead), not an error: the status
  // says whether a property is violated along the replay, and the leak is still reached.
  t.is(r.code, 1);
  const j = JSON.parse((await run(['replay', file, '--json'], { tty: false })).out) as { steps: { agrees: boolean; recorded: unknown; actual: unknown }[] };
  t.deepEqual(j.steps.map((s) => s.agrees), [true, false, true, true, true]);
  t.deepEqual(j.steps[1]!.recorded, { ret: 7 });
  t.deepEqual(j.steps[1]!.actual, { ret: 5 });
});

test('replay of a trace with a step the model cannot make is an invalid trace (exit 2)', async (t) => {
  await builtinJson('seed-2019');
  const o = JSON.parse(traceText()) as Record<string, any>;
  o['steps'][2].task = 1;   // there is no task 1 (tasks 1)
  const file = join(TMP, 'impossible.trace.json');
  writeFileSync(file, JSON.stringify(o));
  for (const extra of [[], ['--json']]) {
    assertUserError(t, await run(['replay', file, ...extra], { tty: false }), 'E_TRACE_INVALID',
      /step 3: T1 sendmsg\(3, SCM_RIGHTS\[5\]\) cannot be made in design seed-2019 \(no such task, or beyond the trace's bounds\)/);
  }
});

test('replay of a trace made with a user design needs --design FILE.ts', async (t) => {
  await builtinJson('seed-2019');
  const o = JSON.parse(traceText()) as Record<string, unknown>;
  o['design'] = 'my-patch';
  const file = join(TMP, 'user.trace.json');
  writeFileSync(file, JSON.stringify(o));
  assertUserError(t, await run(['replay', file], { tty: false }), 'E_DESIGN_UNKNOWN', /made with design 'my-patch', which is not built in: give it with --design FILE\.ts/);
  const r = await run(['replay', file, '--design', fixture('my-patch.ts'), '--json'], { tty: false });
  t.true(r.code === 0 || r.code === 1, r.err);
  const j = JSON.parse(r.out) as { design: string; trace: { design: string } };
  t.is(j.design, 'my-patch');
  t.is(j.trace.design, 'my-patch');
});

// A hook that throws during a replay is the design's fault, reported as during a check.
test('replay with a design whose hook throws exits 2 with E_DESIGN_THROWS naming the step', async (t) => {
  await builtinJson('seed-2019');
  let r: Run;
  try {
    r = await run(['replay', SEED_TRACE, '--design', fixture('flush-throws.ts')], { tty: false });
  } catch (e) {
    t.fail(`main threw instead of reporting a user error: ${(e as Error).message}`);
    return;
  }
  assertUserError(t, r, 'E_DESIGN_THROWS', /design 'flush-throws' threw in T0 exit\(0\): flush exploded/);
});

// ------------------------------------------------------------------------------------------------
// Progress

test('progress: with tty true a long enough run draws progress lines mentioning "distinct" on stderr, then clears them', async (t) => {
  const r = await run(['check', '--design', 'viro-2019', '--tasks', '2', '--depth', '6'], { tty: true });
  t.is(r.code, 0);
  t.true(r.errWrites.length >= 2, JSON.stringify(r.errWrites));
  t.true(r.errWrites.every((s) => s.startsWith('\r\x1b[K')), 'every write redraws the same line');
  t.true(r.errWrites.some((s) => /viro-2019: [\d,]+ distinct, [\d,]+ generated, depth \d+/.test(s)));
  t.is(r.errWrites[r.errWrites.length - 1], '\r\x1b[K', 'the line is cleared before the report');
  t.false(r.err.includes('\n'));
  t.regex(r.out, /^design viro-2019: /);
  t.is(r.outWrites.length, 1);
});

test('progress: --json never draws progress, even on a tty', async (t) => {
  const r = await run(['check', '--design', 'viro-2019', '--json', '--depth', '3'], { tty: true });
  t.is(r.code, 0);
  t.deepEqual(r.errWrites, []);
  t.notThrows(() => JSON.parse(r.out));
});

// ------------------------------------------------------------------------------------------------
// designs, explain

test('designs --json lists the built-ins with their summaries, switches and expectations', async (t) => {
  const r = await run(['designs', '--json'], { tty: false });
  t.is(r.code, 0);
  t.is(r.err, '');
  const list = JSON.parse(r.out) as { name: string; summary: string; switches: Record<string, unknown>; expected: Record<string, string> }[];
  t.deepEqual(list.map((d) => d.name), [...ALL_BUILTINS]);
  for (const d of list) {
    t.true(typeof d.summary === 'string' && d.summary.length > 10, d.name);
    t.deepEqual(Object.keys(d.switches).sort(), ['flushTeardown', 'gc', 'oob', 'peekGuard', 'registration', 'ringFdInScm', 'scmIoUringRequeue', 'soPassRights']);
    t.deepEqual(Object.keys(d.expected).sort(), PROPERTIES.map((p) => p.name).sort());
  }
  t.is(list.find((d) => d.name === 'viro-2019')!.switches['registration'], 'ring_sock');
  t.is(list.find((d) => d.name === 'flush-teardown')!.switches['flushTeardown'], true);
  t.is(list.find((d) => d.name === 'linux-6.18')!.switches['soPassRights'], true);
  t.is(list.find((d) => d.name === 'linux-6.10')!.switches['soPassRights'], false);
  const text = await run(['designs'], { tty: false });
  t.is(text.code, 0);
  const lines = text.out.split('\n');
  t.is(lines.length, ALL_BUILTINS.length);
  list.forEach((d, i) => t.regex(lines[i]!, new RegExp(`^${d.name} +${d.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)));
});

test('explain no-leak prints its title and the paragraph, which mentions the GC', async (t) => {
  const r = await run(['explain', 'no-leak'], { tty: false });
  t.is(r.code, 0);
  t.is(r.err, '');
  t.regex(r.out, /^no-leak — every live file is reachable/);
  t.regex(r.out, /GC/);
  t.true(r.out.split('\n').every((l) => l.length <= 96), 'wrapped at 96 columns');
  const w = await run(['explain', 'gc-releases-ring-cycle'], { tty: false });
  t.regex(w.out, /\(a witness: it must be found\)/);
});

test('explain with no argument lists every property, witnesses marked', async (t) => {
  const r = await run(['explain'], { tty: false });
  t.is(r.code, 0);
  const lines = r.out.split('\n');
  const all = [...PROPERTIES, ...SCENARIO_PROPERTIES];
  t.is(lines.length, all.length);
  all.forEach((p, i) => {
    t.true(lines[i]!.startsWith(`${p.name} `), lines[i]);
    t.true(lines[i]!.includes(p.title));
    t.is(lines[i]!.includes('(witness)'), p.kind === 'sometimes', p.name);
  });
});

// ------------------------------------------------------------------------------------------------
// matrix

interface MatrixJson {
  bounds: Record<string, unknown>;
  designs: { design: string; stop: string; stats: Record<string, number>; surprises: unknown[]; verdicts: Record<string, { status: string; steps?: number; possiblyVacuous?: string[] }> }[];
}

/** The text matrix as design → property → { status, steps, surprising }. */
function parseMatrix(text: string): Map<string, Map<string, { status: string; steps?: number; surprising: boolean; vacuous?: true }>> {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.startsWith('design '));
  const header = lines[h]!.split(/ {2,}/);
  const out = new Map<string, Map<string, { status: string; steps?: number; surprising: boolean; vacuous?: true }>>();
  for (const line of lines.slice(h + 2)) {
    if (line.trim() === '') break;
    const cells = line.split(/ {2,}/);
    const row = new Map<string, { status: string; steps?: number; surprising: boolean; vacuous?: true }>();
    header.forEach((name, i) => {
      if (i === 0 || name === 'states' || name === 'seconds') return;
      const m = /^(VIOLATED|found)\/(\d+)(!?)$|^([a-z/-]+)(\??)(!?)$/.exec(cells[i]!);
      if (!m) throw new Error(`cell ${JSON.stringify(cells[i])} in ${line}`);
      row.set(name, m[1] ? { status: m[1] === 'VIOLATED' ? 'violated' : 'found', steps: Number(m[2]), surprising: m[3] === '!' }
        : { status: m[4]!, surprising: m[6] === '!', ...(m[5] === '?' ? { vacuous: true } : {}) });
    });
    out.set(cells[0]!, row);
  }
  return out;
}

test('matrix: exit 0 when every built-in verdict is the expected one; text, --json and check --json agree', async (t) => {
  // Four designs (one of each kind of verdict); the README's table (test/readme.test.ts) runs them all.
  const only = ['--designs', BUILTINS.join(',')];
  const [text, json] = await Promise.all([runOnce(['matrix', ...only]), runOnce(['matrix', '--json', ...only])]);
  t.is(text.code, 0, text.out);
  t.is(json.code, 0);
  t.deepEqual(text.errWrites, []);
  const table = parseMatrix(text.out);
  const m = JSON.parse(json.out) as MatrixJson;
  t.deepEqual(m.bounds, { ...DEFAULT_BOUNDS, ops: [...DEFAULT_BOUNDS.ops] });
  t.deepEqual(m.designs.map((d) => d.design), [...BUILTINS]);
  t.deepEqual([...table.keys()], [...BUILTINS]);
  for (const d of m.designs) {
    t.deepEqual(d.surprises, [], d.design);
    t.is(d.stop, 'exhausted');
    t.deepEqual(Object.keys(d.verdicts), PROPERTIES.map((p) => p.name));
    const row = table.get(d.design)!;
    const { json: check } = await builtinJson(d.design);
    for (const [name, v] of Object.entries(d.verdicts)) {
      const cell = row.get(name)!;
      t.is(cell.status, v.status, `${d.design} ${name}: text vs json`);
      t.is(cell.steps, v.steps, `${d.design} ${name}: steps`);
      t.false(cell.surprising);
      // At the default bounds no request runs (core ops): no-use-after-free's fixed-file witness is never found.
      t.is(cell.vacuous, name === 'no-use-after-free' ? true : undefined, `${d.design} ${name}: possibly vacuous`);
      t.deepEqual(v.possiblyVacuous, name === 'no-use-after-free' ? ['request-completes-on-fixed-file'] : undefined);
      t.deepEqual(verdict(check, name).possiblyVacuous, v.possiblyVacuous);
      const c = verdict(check, name);
      t.is(c.status, v.status, `${d.design} ${name}: matrix vs check`);
      t.is(c.trace?.steps.length, v.steps);
    }
    t.is(d.stats['distinct'], check.stats['distinct'], `${d.design}: same state count as check`);
  }
  t.deepEqual(Object.fromEntries([...table].map(([d, row]) => [d, row.get('no-leak')!.status])),
    { 'seed-2019': 'violated', 'viro-2019': 'holds', 'flush-teardown': 'holds', 'linux-6.18': 'holds' });
});

test('matrix: a design whose verdict is not the expected one makes the exit status 1 and is marked with !', async (t) => {
  const r = await run(['matrix', '--designs', fixture('wrong-expectation.ts')], { tty: false });
  t.is(r.code, 1);
  const row = parseMatrix(r.out).get('wrong-expectation')!;
  t.deepEqual(row.get('no-leak'), { status: 'holds', surprising: true });
  t.is(row.get('gc-releases-ring-cycle')!.surprising, false);
  t.is(row.get('refcount-exact')!.surprising, false, 'no expectation, no mark');
});

test('matrix --max-states 10: all bounded, and bounded verdicts are not surprises (exit 0)', async (t) => {
  const r = await run(['matrix', '--json', '--max-states', '10'], { tty: false });
  t.is(r.code, 0);
  const m = JSON.parse(r.out) as MatrixJson;
  for (const d of m.designs) {
    t.is(d.stop, 'states');
    t.true(Object.entries(d.verdicts).every(([name, v]) => v.status === (name === NA(d.design) ? 'n/a' : 'bounded')), d.design);
    t.deepEqual(d.surprises, []);
  }
});

test('n/a and possible vacuity: a property that cannot apply prints n/a; a holds whose witness was not found is flagged', async (t) => {
  const r = await runOnce(['check', '--design', 'linux-6.18']);
  t.regex(r.out, /^ {2}inflight-exact +n\/a \(the design's unix GC is the graph GC \(6\.10 on\): graph-accounting checks its counts\)$/m);
  t.regex(r.out, /^ {2}graph-accounting +holds$/m);
  // Core ops have no io_uring_enter: no request ever completes on a fixed file, so no-use-after-free's
  // fixed-file path was never exercised.
  t.regex(r.out, /^ {2}note: no-use-after-free may hold vacuously: its witness request-completes-on-fixed-file was not found/m);
  t.notRegex(r.out, /note: no-leak may hold vacuously/, 'gc-releases-cycle is found at the default bounds');
  // In liburing's iowq-cancel scenario a read completes on fixed file 0: nothing is flagged.
  const { json } = await checkJson(['check', '--design', 'linux-6.18', '--scenario', 'ring-leak', '--variant', 'iowq-cancel', '--json']);
  t.is(verdict(json, 'request-completes-on-fixed-file').status, 'found');
  t.deepEqual(json.properties.filter((p) => p.possiblyVacuous).map((p) => p.name), []);
  t.is(verdict(json, 'inflight-exact').status, 'n/a');
  // n/a never hides what fired: on the 2007 GC, inflight-exact applies and graph-accounting does not.
  const seed = await checkJson(['check', '--design', 'seed-2019', '--json']);
  t.is(verdict(seed.json, 'inflight-exact').status, 'holds');
  t.is(verdict(seed.json, 'graph-accounting').status, 'n/a');
  t.is(verdict(seed.json, 'no-leak').status, 'violated');
  t.deepEqual(verdict(seed.json, 'no-leak').possiblyVacuous, undefined, 'a violation is never vacuous');
});

test('--version: the package version, one line, exit 0', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  for (const flag of ['--version', '-V', 'version']) {
    const r = await runOnce([flag]);
    t.is(r.code, 0, flag);
    t.is(r.out, `inflight ${pkg.version} (package ${pkg.name}; ${builtinDesigns.length} built-in designs, newest ${builtinDesigns[builtinDesigns.length - 1]!.name}; node ${process.versions.node})`, flag);
  }
});

test('colour: on a terminal verdicts are coloured (VIOLATED red, holds green, found cyan, open and n/a yellow); NO_COLOR and pipes get plain text', async (t) => {
  const RED = '\u001b[31m\u001b[1m';
  const coloured = await run(['check', '--design', 'seed-2019'], { colour: true });
  t.regex(coloured.out, new RegExp(`^  no-leak +${RED.replace(/\[/g, '\\[')}VIOLATED \\(5 steps\\)\u001b\\[22m\u001b\\[39m$`, 'm'));
  t.regex(coloured.out, /^  no-double-free +\u001b\[32mholds\u001b\[39m$/m);
  t.regex(coloured.out, /^  gc-releases-cycle +\u001b\[36mfound \(4 steps\)\u001b\[39m  \(witness\)$/m);
  t.regex(coloured.out, /^  graph-accounting +\u001b\[33mn\/a \(/m);
  const plain = await runOnce(['check', '--design', 'seed-2019']);
  t.false(plain.out.includes('\u001b['), 'no escapes unless asked');
  // The matrix pads first, so that coloured columns stay aligned with the header.
  const m = await run(['matrix', '--designs', 'seed-2019', '--max-states', '10'], { colour: true });
  const strip = (x: string): string => x.replace(/\u001b\[\d+m/g, '');
  const plainMatrix = await run(['matrix', '--designs', 'seed-2019', '--max-states', '10'], { colour: false });
  const noSeconds = (x: string): string => x.replace(/ +\d+\.\d$/m, '');
  t.true(m.out.includes('\u001b[33mholds/≤1?\u001b[39m'));
  t.is(noSeconds(strip(m.out)), noSeconds(plainMatrix.out), 'the same table once the escapes are taken out');
  t.true(colourWanted({}, true));
  t.false(colourWanted({ NO_COLOR: '1' }, true));
  t.false(colourWanted({}, false));
  t.false(colourWanted({ TERM: 'dumb' }, true));
  t.true(colourWanted({ NO_COLOR: '' }, true), 'an empty NO_COLOR does not count (no-color.org)');
});

test('explain --json: every property as data (scenario-completes too); with --design, whether it applies', async (t) => {
  const all = await run(['explain', '--json']);
  t.is(all.code, 0);
  const list = JSON.parse(all.out) as { name: string; kind: string; title: string; explain: string; guards?: string[] | '*' }[];
  t.deepEqual(list.map((p) => p.name), [...PROPERTIES.map((p) => p.name), 'scenario-completes']);
  t.deepEqual(list.find((p) => p.name === 'request-completes-on-fixed-file')!.guards, ['no-use-after-free']);
  const one = JSON.parse((await run(['explain', 'inflight-exact', '--design', 'linux-6.18', '--json'])).out) as Record<string, unknown>;
  t.like(one, { name: 'inflight-exact', kind: 'always', design: 'linux-6.18', applies: false });
  t.regex(one['why'] as string, /graph GC/);
  const applies = JSON.parse((await run(['explain', 'inflight-exact', '--design', 'linux-5.1', '--json'])).out) as Record<string, unknown>;
  t.is(applies['applies'], true);
  t.is(applies['why'], undefined);
  const bad = await run(['explain', 'no-leek', '--json']);
  t.is(bad.code, 2);
  t.regex(bad.err, /^inflight: E_PROPERTY_UNKNOWN: unknown property 'no-leek'/);
});
