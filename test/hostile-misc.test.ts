// Issue 18, part 7: trace files beyond their own bounds, a step a design rules out, the replay step cap,
// scenario expectations naming unknown properties, render's --out/--format mismatch, and --strict.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinScenarios, expectProblem } from '../scenarios/index.js';
import { resolveScenario } from '../model/scenario.js';
import { traceToJson, type TraceFile, TRACE_FORMAT } from '../traces/format.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { cli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-misc-'));
test.after.always(() => { rmSync(TMP, { recursive: true, force: true }); });
let nf = 0;
const file = (text: string, ext = 'json'): string => { const f = join(TMP, `f-${nf++}.${ext}`); writeFileSync(f, text); return f; };
const ONE = (code: string) => new RegExp(`^inflight: ${code}: [^\\n]+$`);

// A hand-made trace: T0 makes a socketpair and sends fd 3 over fd 4 (one right), at msgFds 1.
const base: TraceFile = {
  format: TRACE_FORMAT, design: 'seed-2019', property: 'no-leak', violation: '', bounds: DEFAULT_BOUNDS,
  steps: [
    { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
    { task: 0, syscall: 'sendmsg', args: { fd: 4, rights: [3] }, result: { ret: 1 } },
  ],
} as TraceFile;
const variant = (f: (t: any) => void): string => { const t = JSON.parse(traceToJson(base)); f(t); return file(JSON.stringify(t)); };

test('a well-formed hand-made trace replays (the baseline of the refusals below)', async (t) => {
  const r = await cli(['replay', variant(() => {})]);
  t.is(r.code, 0, r.err);
});

test('trace files: beyond msgFds, outside ops, an unknown property: E_TRACE_INVALID, for every command that reads traces', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['two rights at msgFds 1', variant((x) => { x.steps[1].args.rights = [3, 3]; }), /step 2: sendmsg passes 2 fds, beyond the trace's msgFds 1/],
    ['300 rights', variant((x) => { x.steps[1].args.rights = Array(300).fill(3); }), /passes 300 fds/],
    ['a syscall not in ops', variant((x) => { x.bounds.ops = ['open', 'close']; }), /step 1: socketpair is not among the trace's ops/],
    ['an unknown property', variant((x) => { x.property = 'no-leek'; }), /unknown property "no-leek"|the trace violates 'no-leek', which is not a built-in property/],
    ['a property with a trigraph', variant((x) => { x.property = 'x??/'; }), /unknown property/],
    ['programs of 10,001 lines', variant((x) => { x.programs = [Array(10_001).fill({ syscall: 'open', args: {} })]; }), /"programs" has more than 6 programs or 10000 lines/],
    ['programs for 7 tasks', variant((x) => { x.programs = Array(7).fill([]); }), /"programs" has more than 6 programs/],
    ['a program line the kernel makes', variant((x) => { x.programs = [[{ syscall: 'unix_gc', args: {} }]]; }), /programs: T0 line 1: "unix_gc" is not a call a task's program makes/],
  ];
  for (const [what, f, why] of cases) {
    for (const cmd of [['replay', f], ['render', f], ['repro', f]]) {
      const r = await cli(cmd);
      t.is(r.code, 2, `${cmd[0]}: ${what}`);
      t.regex(r.err, ONE('E_TRACE_INVALID'), `${cmd[0]}: ${what}`);
      t.regex(r.err, why, `${cmd[0]}: ${what}`);
    }
  }
  // The labels inflight writes for traces that violate nothing are accepted.
  for (const label of ['design-threw', 'kernel-oracle', 'hand-written']) t.is((await cli(['replay', variant((x) => { x.property = label; })])).code, 0, label);
  // A resume needs no place in ops: it continues a call already made.
  t.is((await cli(['replay', variant((x) => { x.bounds.ops = x.bounds.ops.filter((o: string) => o !== 'resume'); })])).code, 0);
});

test('a trace longer than 10,000 steps is refused before it is run', async (t) => {
  const steps = [{ task: 0, syscall: 'open', args: {}, result: { ret: 3 } }];
  for (let i = 0; i < 5000; i++) steps.push({ task: 0, syscall: 'dup', args: { fd: 3 } as never, result: { ret: 4 } }, { task: 0, syscall: 'close', args: { fd: 4 } as never, result: { ret: 0 } });
  const r = await cli(['replay', variant((x) => { x.steps = steps; })]);
  t.is(r.code, 2);
  t.regex(r.err, /10001 steps: a trace has at most 10,000/);
});

test("a scenario's trace records the calls its programs make: it replays and renders within its own bounds", async (t) => {
  const out = join(TMP, 'cve-2023-6531.json');
  const c = await cli(['check', '--design', 'linux-6.1', '--scenario', 'cve-2023-6531', '--trace-out', out]);
  t.is(c.code, 1, c.err);
  const trace = JSON.parse(readFileSync(out, 'utf8')) as TraceFile;
  t.true(trace.steps.some((s) => s.syscall === 'io_uring_enter'));
  t.true(trace.bounds.ops.includes('io_uring_enter'), 'the program calls io_uring_enter, which free exploration leaves out');
  t.is((await cli(['replay', out])).code, 1);
  t.is((await cli(['render', out, '--step', '3'])).code, 0);
});

test('replay: a step the design rules out is an answer (exit 1), a step no design makes is an invalid trace (exit 2)', async (t) => {
  const out = join(TMP, 'cve-2021-0920.json');
  t.is((await cli(['check', '--design', 'linux-5.1', '--scenario', 'cve-2021-0920', '--trace-out', out])).code, 1);
  // linux-5.14's MSG_PEEK takes the GC lock: the peek's install cannot run while the GC holds it (step 9:
  // the stream peek's pick is step 6, its `copy` — the dup — step 8).
  const r = await cli(['replay', out, '--design', 'linux-5.14']);
  t.is(r.code, 1, r.err);
  t.is(r.err, '');
  t.regex(r.out, /^design linux-5\.14 cannot make step 9: T0 .*recvmsg.*install fds \(the trace's design linux-5\.1 can\)/);
  const j = await cli(['replay', out, '--design', 'linux-5.14', '--json']);
  t.is(j.code, 1);
  t.is((JSON.parse(j.out) as { cannotMake: { step: number } }).cannotMake.step, 9);
  // The same trace with a step of a task that does not exist: impossible in its own design too.
  const bad = JSON.parse(readFileSync(out, 'utf8')) as { steps: { task: number | string }[] };
  bad.steps[2]!.task = 5;
  const f = file(JSON.stringify(bad));
  for (const d of [[], ['--design', 'linux-5.14'], ['--design', 'linux-5.1']]) {
    const x = await cli(['replay', f, ...d]);
    t.is(x.code, 2, d.join(' '));
    t.regex(x.err, ONE('E_TRACE_INVALID'));
  }
});

test('scenario expect naming an unknown property: E_SCENARIO; every built-in scenario names known ones', async (t) => {
  const sc = JSON.parse(readFileSync(new URL('../scenarios/viro-2019.json', import.meta.url), 'utf8')) as { expect: Record<string, Record<string, string>> };
  sc.expect['viro-2019'] = { ...sc.expect['viro-2019'], 'no-leek': 'holds' };
  const r = await cli(['check', '--design', 'viro-2019', '--scenario', file(JSON.stringify(sc))]);
  t.is(r.code, 2);
  t.regex(r.err, ONE('E_SCENARIO'));
  t.regex(r.err, /expect\.viro-2019 names an unknown property 'no-leek'/);
  for (const b of builtinScenarios()) {
    const s = resolveScenario(b.spec);
    if (typeof s === 'string') return t.fail(s);
    t.is(expectProblem(s), undefined, b.name);
  }
});

test('render: an --out name that says another format than --format is refused, nothing written', async (t) => {
  const trace = variant(() => {});
  for (const [name, format] of [['x.svg', 'dot'], ['x.SVG', 'dot'], ['x.dot', 'svg'], ['x.gv', 'svg']] as const) {
    const out = join(TMP, `${nf++}-${name}`);
    const r = await cli(['render', trace, '--out', out, '--format', format]);
    t.is(r.code, 2, name);
    t.regex(r.err, ONE('E_USAGE'));
    t.false(existsSync(out), `${name} not written`);
  }
  const svg = join(TMP, 'ok.svg');
  t.is((await cli(['render', trace, '--out', svg])).code, 0);
  t.regex(readFileSync(svg, 'utf8'), /<svg/);
  const dot = join(TMP, 'ok.dot');
  t.is((await cli(['render', trace, '--out', dot, '--format', 'dot'])).code, 0);
  t.regex(readFileSync(dot, 'utf8'), /^digraph/);
});

test('--strict: exit 3 when a verdict is bounded; a complete run, a violation and an interruption keep their status', async (t) => {
  t.is((await cli(['check', '--design', 'viro-2019', '--depth', '2'])).code, 0, 'bounded passes without --strict');
  t.is((await cli(['check', '--design', 'viro-2019', '--depth', '2', '--strict'])).code, 3);
  t.is((await cli(['check', '--design', 'viro-2019', '--max-states', '50', '--strict'])).code, 3);
  t.is((await cli(['check', '--design', 'viro-2019', '--strict'])).code, 0, 'a complete run: every verdict decided');
  t.is((await cli(['check', '--design', 'seed-2019', '--max-states', '3000', '--strict'])).code, 1, 'a violation found before the limit: 1');
  t.is((await cli(['matrix', '--designs', 'viro-2019,seed-2019', '--depth', '2', '--strict'])).code, 3);
  t.is((await cli(['matrix', '--designs', 'viro-2019,seed-2019', '--depth', '2'])).code, 0);
});
