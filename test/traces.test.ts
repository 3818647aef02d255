// Trace files (format, parse, replay) and the text a trace is shown as (facts, diffs, step lines).
import test from 'ava';
import { runCheck } from '../cli/run.js';
import { makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS, SYSCALLS, type Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import type { Step } from '../model/step.js';
import { builtinScenario } from '../scenarios/index.js';
import type { World } from '../model/world.js';
import { describeWorld, diffFacts, formatChange } from '../traces/describe.js';
import { parseTrace, traceToJson, TRACE_FORMAT, type TraceFile, type TraceStep } from '../traces/format.js';
import { replayTrace } from '../traces/replay.js';
import { renderSteps } from '../traces/text.js';
import { runSteps } from '../traces/build.js';
import { playSteps } from './helpers/world.js';

const design = (name: string): Design => {
  const d = builtinDesign(name);
  if (!d) throw new Error(`no built-in design ${name}`);
  return d;
};

// One exhaustive run of seed-2019 at the default bounds (~1 s), shared by the tests that need its trace.
let seedRun: ReturnType<typeof runCheck> | undefined;
const seedReport = () => (seedRun ??= runCheck(design('seed-2019'), DEFAULT_BOUNDS));
const seedLeak = (): TraceFile => {
  const v = seedReport().properties.find((p) => p.name === 'no-leak');
  if (!v?.trace) throw new Error('seed-2019 gave no no-leak trace');
  return v.trace;
};

const bounds = (b: Partial<Bounds> = {}): Bounds => ({ ...DEFAULT_BOUNDS, ...b });
const trace = (steps: TraceStep[], b: Partial<Bounds> = {}, extra: Partial<TraceFile> = {}): TraceFile =>
  ({ format: TRACE_FORMAT, design: 'viro-2019', bounds: bounds(b), property: 'gc-releases-ring-cycle', violation: '', steps, ...extra });

// Al Viro's scenario, written out by hand: a socketpair, a ring, the ring's fd sent into the socket
// that the ring then registers, every fd closed; then one run of the unix GC.
const VIRO_SCENARIO: TraceStep[] = [
  { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
  { task: 0, syscall: 'io_uring_setup', args: {}, result: { ret: 5 } },
  { task: 0, syscall: 'sendmsg', args: { fd: 3, rights: [5] }, result: { ret: 1 } },
  { task: 0, syscall: 'io_uring_register', args: { fd: 5, files: [4] }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 4 }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 5 }, result: { ret: 0 } },
  { task: 'kernel', syscall: 'unix_gc', args: {}, result: { ret: 0 } },
];

// ------------------------------------------------------------------------------------------------
// parseTrace

test('a generated trace survives traceToJson → parseTrace unchanged', (t) => {
  const tr = seedLeak();
  t.is(tr.format, TRACE_FORMAT);
  t.is(tr.design, 'seed-2019');
  t.is(tr.property, 'no-leak');
  t.is(tr.steps.length, 5);
  const text = traceToJson(tr);
  t.true(text.endsWith('\n'));
  const back = parseTrace(text);
  if (!back.ok) return t.fail(back.error);
  t.deepEqual(back.value, tr);
  // And a second round trip gives the same bytes.
  t.is(traceToJson(back.value), text);
});

test('a scenario trace with calls in sub-steps keeps `pending` through traceToJson → parseTrace', (t) => {
  // CVE-2021-0920 on linux-5.1: a MSG_PEEK recvmsg that the GC runs between (its first step is pending).
  const sc = builtinScenario('cve-2021-0920') as Scenario;
  const r = runCheck(builtinDesign('linux-5.1')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  const tr = r.properties.find((p) => p.trace)!.trace!;
  t.true(tr.steps.some((s) => s.result.pending === true), 'the trace has a step in progress');
  const back = parseTrace(traceToJson(tr));
  if (!back.ok) return t.fail(back.error);
  t.deepEqual(back.value, tr);
  const bad = parseTrace(traceToJson(tr).replace('"pending": true', '"pending": 1'));
  t.false(bad.ok);
  if (!bad.ok) t.regex(bad.error, /result\.pending must be true/);
});

test('parseTrace fills bounds it is not given from the defaults, and args default to {}', (t) => {
  const r = parseTrace(JSON.stringify({ format: TRACE_FORMAT, design: 'viro-2019', property: 'p', violation: '', bounds: { tasks: 2 },
    steps: [{ task: 0, syscall: 'open', result: { ret: 3 } }] }));
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(r.value.bounds, { ...DEFAULT_BOUNDS, tasks: 2 });
  t.deepEqual(r.value.steps[0], { task: 0, syscall: 'open', args: {}, result: { ret: 3 } });
});

// Each malformation, applied to a copy of a valid trace, and the message parseTrace must give.
type Json = Record<string, any>;
const VALID: Json = {
  format: TRACE_FORMAT, design: 'seed-2019', property: 'no-leak', violation: 'x', bounds: { ...DEFAULT_BOUNDS, ops: [...SYSCALLS] },
  steps: VIRO_SCENARIO.map((s) => ({ ...s })),
};
const MALFORMED: { name: string; edit: (t: Json) => unknown; error: RegExp }[] = [
  { name: 'wrong format version', edit: (t) => { t['format'] = 'inflight-trace/3'; return t; }, error: /^unsupported format 'inflight-trace\/3' \(this inflight reads inflight-trace\/2 and inflight-trace\/1\)$/ },
  { name: 'no format field', edit: (t) => { delete t['format']; return t; }, error: /^no "format": "inflight-trace\/2" field$/ },
  { name: 'a list, not an object', edit: (t) => [t], error: /^not a trace object$/ },
  { name: 'bounds as a list', edit: (t) => { t['bounds'] = []; return t; }, error: /^"bounds" must be an object$/ },
  { name: 'empty design name', edit: (t) => { t['design'] = ''; return t; }, error: /^"design" must be a design name$/ },
  { name: 'steps not a list', edit: (t) => { t['steps'] = {}; return t; }, error: /^"steps" must be a list$/ },
  { name: 'unknown syscall', edit: (t) => { t['steps'][1].syscall = 'mmap'; return t; }, error: /^step 2: unknown syscall "mmap"$/ },
  { name: 'negative task', edit: (t) => { t['steps'][2].task = -1; return t; }, error: /^step 3: "task" must be a task number, not -1$/ },
  { name: 'task as a string', edit: (t) => { t['steps'][0].task = 'T0'; return t; }, error: /^step 1: "task" must be a task number, not "T0"$/ },
  { name: 'fractional task', edit: (t) => { t['steps'][0].task = 0.5; return t; }, error: /^step 1: "task" must be a task number, not 0.5$/ },
  { name: 'a syscall run by "kernel"', edit: (t) => { t['steps'][0].task = 'kernel'; return t; }, error: /^step 1: "task" must be a task number, not "kernel"$/ },
  { name: 'kernel step with a task number', edit: (t) => { t['steps'][7].task = 0; return t; }, error: /^step 8: unix_gc is run by "kernel", not 0$/ },
  { name: 'non-integer fd', edit: (t) => { t['steps'][4].args = { fd: 3.5 }; return t; }, error: /^step 5: close: argument 'fd' must be an integer$/ },
  { name: 'fd as a string', edit: (t) => { t['steps'][2].args = { fd: '3', rights: [5] }; return t; }, error: /^step 3: sendmsg: argument 'fd' must be an integer$/ },
  { name: 'non-integer SCM_RIGHTS entry', edit: (t) => { t['steps'][2].args = { fd: 3, rights: [5.5] }; return t; }, error: /^step 3: sendmsg: argument 'rights' must be a list of integers$/ },
  { name: 'unknown socket type', edit: (t) => { t['steps'][0].args = { type: 'seqpacket' }; return t; }, error: /^step 1: socketpair: argument 'type' must be 'dgram' or 'stream'$/ },
  { name: 'argument to a syscall that takes none', edit: (t) => { t['steps'][1].args = { entries: 8 }; return t; }, error: /^step 2: io_uring_setup: unexpected argument 'entries'$/ },
  { name: 'args not an object', edit: (t) => { t['steps'][1].args = [1]; return t; }, error: /^step 2: "args" must be an object$/ },
  { name: 'step not an object', edit: (t) => { t['steps'][0] = null; return t; }, error: /^step 1: not an object$/ },
  { name: 'missing result', edit: (t) => { delete t['steps'][3].result; return t; }, error: /^step 4: "result" must be an object$/ },
  { name: 'non-integer ret', edit: (t) => { t['steps'][3].result = { ret: 0.5 }; return t; }, error: /^step 4: result\.ret must be an integer$/ },
  { name: 'unknown errno', edit: (t) => { t['steps'][0].result = { ret: -1, errno: 'EFOO' }; return t; }, error: /^step 1: unknown errno "EFOO"$/ },
  { name: 'bad result fds', edit: (t) => { t['steps'][0].result = { ret: 0, fds: [3, 'x'] }; return t; }, error: /^step 1: result\.fds must be a list of fd numbers$/ },
  { name: 'bounds missing', edit: (t) => { delete t['bounds']; return t; }, error: /^"bounds" must be an object$/ },
  { name: 'bounds beyond the model', edit: (t) => { t['bounds'].tasks = 99; return t; }, error: /^bounds: --tasks 99 is beyond what the model supports \(at most 6\)$/ },
  { name: 'bounds below the minimum', edit: (t) => { t['bounds'].files = 0; return t; }, error: /^bounds: --files must be an integer >= 1 \(got 0\)$/ },
  { name: 'fractional bound', edit: (t) => { t['bounds'].fds = 2.5; return t; }, error: /^bounds\.fds must be an integer$/ },
  { name: 'unknown syscall in bounds.ops', edit: (t) => { t['bounds'].ops = ['mmap']; return t; }, error: /^bounds: unknown syscall 'mmap' in --ops/ },
];

for (const m of MALFORMED) {
  test(`parseTrace rejects: ${m.name}`, (t) => {
    const r = parseTrace(JSON.stringify(m.edit(structuredClone(VALID))));
    if (r.ok) return t.fail('accepted');
    t.regex(r.error, m.error);
    t.false(r.error.includes('\n'), 'one line');
  });
}

test('parseTrace accepts the unedited base of the malformation table', (t) => {
  t.true(parseTrace(JSON.stringify(VALID)).ok);
});

test('parseTrace rejects text that is not JSON, or JSON cut short', (t) => {
  const a = parseTrace('this is not json');
  t.false(a.ok);
  if (!a.ok) t.regex(a.error, /^not JSON \(/);
  const full = traceToJson(seedLeak());
  const b = parseTrace(full.slice(0, Math.floor(full.length / 2)));
  t.false(b.ok);
  if (!b.ok) { t.regex(b.error, /^not JSON \(/); t.false(b.error.includes('\n')); }
  const c = parseTrace('');
  t.false(c.ok);
});

// ------------------------------------------------------------------------------------------------
// replayTrace

test('replay: the seed-2019 leak trace on seed-2019 reaches no-leak at step 5, every step agreeing', (t) => {
  const tr = seedLeak();
  const r = replayTrace(tr, design('seed-2019'));
  t.is(r.design, 'seed-2019');
  t.is(r.impossibleAt, undefined);
  t.is(r.worlds.length, 6);
  t.is(r.steps.length, 5);
  t.true(r.steps.every((s) => s.agrees && s.actual !== undefined));
  t.deepEqual(r.steps.map((s) => s.actual), tr.steps.map((s) => s.result));
  const always = r.findings.filter((f) => f.kind === 'always');
  t.deepEqual(always.map((f) => [f.property, f.step]), [['no-leak', 5]]);
  t.is(tr.steps[4]!.syscall, 'exit');
  t.is(always[0]!.message, tr.violation);
  t.false(r.findings.some((f) => f.property === 'gc-releases-ring-cycle'));
});

test('replay: the seed-2019 leak trace on viro-2019 violates nothing, and without a GC step the witness is not found', (t) => {
  const r = replayTrace(seedLeak(), design('viro-2019'));
  t.is(r.design, 'viro-2019');
  t.is(r.impossibleAt, undefined);
  t.true(r.steps.every((s) => s.agrees));
  t.deepEqual(r.findings.filter((f) => f.kind === 'always'), []);
  t.false(r.findings.some((f) => f.property === 'gc-releases-ring-cycle'));
  // The cycle is there at the end, garbage that one GC run would collect: both files are still alive.
  const last = r.worlds[5]!;
  t.deepEqual(last.files.map((f) => [f.kind, f.released]), [['unix', true], ['unix', false], ['io_uring', false]]);
});

test('replay: Al Viro\'s scenario plus unix_gc on viro-2019 gives the witness at the GC step and no violation', (t) => {
  const r = replayTrace(trace(VIRO_SCENARIO), design('viro-2019'));
  t.is(r.impossibleAt, undefined);
  t.true(r.steps.every((s) => s.agrees), JSON.stringify(r.steps));
  t.deepEqual(r.findings.filter((f) => f.kind === 'always'), []);
  const w = r.findings.find((f) => f.property === 'gc-releases-ring-cycle');
  t.truthy(w);
  t.is(w!.kind, 'sometimes');
  t.is(w!.step, VIRO_SCENARIO.length);
  t.regex(w!.message, /f2:io_uring/);
  // Every file is released at the end.
  t.true(r.worlds[VIRO_SCENARIO.length]!.files.every((f) => f.released));
});

test('replay: the same scenario on seed-2019 leaks once the last fd is closed, and its GC cannot help', (t) => {
  const r = replayTrace(trace(VIRO_SCENARIO, {}, { design: 'seed-2019' }), design('seed-2019'));
  t.true(r.steps.every((s) => s.agrees));
  t.deepEqual(r.findings.map((f) => [f.property, f.step]), [['no-leak', 7]]);
  const end = r.worlds[VIRO_SCENARIO.length]!;
  t.deepEqual(end.files.map((f) => f.released), [true, false, false]);
});

test('replay: a step by a task that does not exist stops the replay there (impossibleAt)', (t) => {
  const steps: TraceStep[] = [
    { task: 0, syscall: 'open', args: {}, result: { ret: 3 } },
    { task: 1, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } },
    { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } },
  ];
  for (const tasks of [1, 2]) {   // no slot 1 at all; a slot 1 that was never forked
    const r = replayTrace(trace(steps, { tasks }), design('viro-2019'));
    t.is(r.impossibleAt, 2, `tasks ${tasks}`);
    t.is(r.worlds.length, 2);
    t.is(r.steps.length, 2);
    t.true(r.steps[0]!.agrees);
    t.false(r.steps[1]!.agrees);
    t.is(r.steps[1]!.actual, undefined);
    t.deepEqual(r.steps[1]!.recorded, { ret: 0 });
  }
});

test('replay: a recorded result the design does not return is reported as a disagreement, and replay goes on', (t) => {
  const steps = VIRO_SCENARIO.map((s, i) => (i === 1 ? { ...s, result: { ret: 7 } } : s));
  const r = replayTrace(trace(steps), design('viro-2019'));
  t.is(r.impossibleAt, undefined);
  t.deepEqual(r.steps.map((s) => s.agrees), steps.map((_, i) => i !== 1));
  t.deepEqual(r.steps[1]!.actual, { ret: 5 });
  t.deepEqual(r.steps[1]!.recorded, { ret: 7 });
  t.truthy(r.findings.find((f) => f.property === 'gc-releases-ring-cycle'));
});

test('replay: an errno recorded for a call that succeeds disagrees; an errno that is right agrees', (t) => {
  const steps: TraceStep[] = [
    { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: -1, errno: 'EBADF' } },
    { task: 0, syscall: 'open', args: {}, result: { ret: -1, errno: 'EMFILE' } },
  ];
  const r = replayTrace(trace(steps), design('seed-2019'));
  t.deepEqual(r.steps.map((s) => s.agrees), [true, false]);
  t.deepEqual(r.steps[1]!.actual, { ret: 3 });
});

test('runSteps gives one world per step plus the initial one', (t) => {
  const ctx = makeCtx(design('viro-2019'), DEFAULT_BOUNDS);
  const r = runSteps(VIRO_SCENARIO, ctx);
  t.is(r.impossible, undefined);
  t.is(r.worlds.length, VIRO_SCENARIO.length + 1);
  t.deepEqual(r.results, VIRO_SCENARIO.map((s) => s.result));
});

// ------------------------------------------------------------------------------------------------
// describe / diff / text

const play = (d: string, steps: Step[]): World[] => playSteps(design(d), steps);

test('diff after socketpair: the two new fds (and the new files) appear as new facts', (t) => {
  const [w0, w1] = play('seed-2019', [{ task: 0, syscall: 'socketpair', args: { type: 'dgram' } }]);
  const changes = diffFacts(describeWorld(w0!), describeWorld(w1!));
  const text = changes.map(formatChange);
  t.true(text.includes('T0 fd 3: f0:unix/dgram'));
  t.true(text.includes('T0 fd 4: f1:unix/dgram'));
  t.deepEqual(changes.find((c) => c.fact === 'T0 fd 3'), { fact: 'T0 fd 3', after: 'f0:unix/dgram' });
  t.true(text.includes('f0:unix/dgram peer: f1:unix/dgram'));
  t.true(text.includes('f1:unix/dgram f_count: 1'));
  // Nothing that did not change is listed (T0 was running before and after).
  t.false(changes.some((c) => c.fact === 'T0'));
});

test('diff after a close that releases a file: "<file>: released", without the file\'s vanished sub-facts', (t) => {
  const worlds = play('seed-2019', [
    { task: 0, syscall: 'socketpair', args: { type: 'stream' } },
    { task: 0, syscall: 'close', args: { fd: 3 } },
  ]);
  const before = describeWorld(worlds[1]!);
  const after = describeWorld(worlds[2]!);
  t.is(after.get('f0:unix/stream'), 'released');
  t.false(after.has('f0:unix/stream f_count'));
  const changes = diffFacts(before, after);
  const text = changes.map(formatChange);
  t.true(text.includes('f0:unix/stream: released'));
  t.false(changes.some((c) => c.fact.startsWith('f0:unix/stream ')), text.join(' | '));
  // What belongs to others still shows: the fd slot and the peer's lost peer.
  t.true(text.includes('T0 fd 3: f0:unix/stream → gone'));
  t.true(text.includes('f1:unix/stream peer: f0:unix/stream → gone'));
  t.is(changes.length, 3, text.join(' | '));
});

test('diff after exit: the task is "exited" once, its fd slots are not listed one by one', (t) => {
  const worlds = play('seed-2019', [
    { task: 0, syscall: 'open', args: {} },
    { task: 0, syscall: 'exit', args: {} },
  ]);
  const text = diffFacts(describeWorld(worlds[1]!), describeWorld(worlds[2]!)).map(formatChange);
  t.deepEqual(text.sort(), ['T0: running → exited', 'f0:regular: released'].sort());
});

test('diff of a changed fact shows before → after', (t) => {
  const worlds = play('seed-2019', [{ task: 0, syscall: 'open', args: {} }, { task: 0, syscall: 'dup', args: { fd: 3 } }]);
  const text = diffFacts(describeWorld(worlds[1]!), describeWorld(worlds[2]!)).map(formatChange);
  t.deepEqual(text.sort(), ['T0 fd 4: f0:regular', 'f0:regular f_count: 1 → 2'].sort());
});

test('renderSteps: one numbered line per step with the actor, the call and the result, then the changes', (t) => {
  const tr = seedLeak();
  const worlds = seedReport().properties.find((p) => p.name === 'no-leak')!.worlds!;
  const text = renderSteps(tr.steps, worlds);
  const stepLines = text.split('\n').filter((l) => /^\s+\d+\s+(T\d|kernel)/.test(l));
  t.is(stepLines.length, 5);
  const expect = [
    ['socketpair(AF_UNIX, SOCK_DGRAM)', '= 0 [fds 3, 4]'],
    ['io_uring_setup(8, &params)', '= 5'],
    ['sendmsg(3, SCM_RIGHTS[5])', '= 1'],
    ['io_uring_register(5, IORING_REGISTER_FILES, [4])', '= 0'],
    ['exit(0)', '= 0'],
  ];
  // (The order of the first steps is the search's; the calls and results are those of the trace.)
  tr.steps.forEach((s, i) => {
    const line = stepLines[i]!;
    t.regex(line, new RegExp(`^\\s+${i + 1}\\s+T0\\s`));
    t.true(line.trimEnd().endsWith(`= ${s.result.fds ? `${s.result.ret} [fds ${s.result.fds.join(', ')}]` : s.result.ret}`), line);
  });
  for (const [call, res] of expect) t.true(stepLines.some((l) => l.includes(call!) && l.trimEnd().endsWith(res!)), `${call} ${res}`);
  t.true(text.includes('T0: running → exited'));
  t.true(text.includes('f2:io_uring registered: [f1:unix/dgram]'));
});

test('renderSteps: a kernel step and an errno result', (t) => {
  const steps: TraceStep[] = [
    { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: -1, errno: 'EBADF' } },
    ...VIRO_SCENARIO,
  ];
  const r = replayTrace(trace(steps), design('viro-2019'));
  t.true(r.steps.every((s) => s.agrees));
  const text = renderSteps(steps, r.worlds);
  const lines = text.split('\n');
  t.regex(lines[0]!, /^\s+1\s+T0\s+close\(3\)\s+= -1 EBADF$/);
  const gc = lines.find((l) => l.includes('unix_gc()'))!;
  t.regex(gc, /^\s+9\s+kernel\s+unix_gc\(\)\s+= 0$/);
  t.true(text.includes('f2:io_uring: released'));
  // --full prints the whole world after each step.
  const full = renderSteps(steps.slice(0, 2), r.worlds, { full: true });
  t.true(full.includes('T0: running'));
});

// ------------------------------------------------------------------------------------------------
// Columns per task when several tasks act

// T0 makes a socketpair and forks; the child T1 sets up a ring and sends it over the socket; T0
// closes an end, the GC runs, T1 exits.
const TWO_TASKS: TraceStep[] = [
  { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
  { task: 0, syscall: 'fork', args: {}, result: { ret: 1 } },
  { task: 1, syscall: 'io_uring_setup', args: {}, result: { ret: 5 } },
  { task: 1, syscall: 'sendmsg', args: { fd: 4, rights: [5] }, result: { ret: 1 } },
  { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } },
  { task: 'kernel', syscall: 'unix_gc', args: {}, result: { ret: 0 } },
  { task: 1, syscall: 'exit', args: {}, result: { ret: 0 } },
];

test('renderSteps with two tasks: one column per actor (T0 | T1 | kernel), the changes under each step in its column', (t) => {
  const r = replayTrace(trace(TWO_TASKS, { tasks: 2 }, { design: 'seed-2019' }), design('seed-2019'));
  t.true(r.steps.every((s) => s.agrees), JSON.stringify(r.steps));
  const lines = renderSteps(TWO_TASKS, r.worlds).split('\n');
  const header = lines[0]!;
  t.regex(header, /^\s+#\s+T0\s+\| T1\s+\| kernel$/);
  const colOf = (name: string): number => header.indexOf(name);
  const stepLine = (n: number): string => lines.find((l) => new RegExp(`^\\s+${n}  `).test(l))!;
  // Each step's call starts in its actor's column, and nothing else is on its line.
  const expect: [number, string, string][] = [
    [1, 'T0', 'socketpair(AF_UNIX, SOCK_DGRAM) = 0 [fds 3, 4]'], [2, 'T0', 'fork() = 1'],
    [3, 'T1', 'io_uring_setup(8, &params) = 5'], [4, 'T1', 'sendmsg(4, SCM_RIGHTS[5]) = 1'],
    [5, 'T0', 'close(3) = 0'], [6, 'kernel', 'unix_gc() = 0'], [7, 'T1', 'exit(0) = 0'],
  ];
  for (const [n, actor, call] of expect) {
    const line = stepLine(n);
    t.is(line.indexOf(call), colOf(actor), `step ${n}: ${JSON.stringify(line)}`);
    t.true(line.trimEnd().endsWith(call), line);
    t.is(line.slice(0, colOf(actor)).replace(/[\s|\d]/g, ''), '', `only blank columns left of step ${n}`);
  }
  // The changes of T1's sendmsg come under it, two columns in from T1's column.
  const i4 = lines.indexOf(stepLine(4));
  const change = lines[i4 + 1]!;
  t.is(change.indexOf('f0:unix/dgram queue: skb[f2:io_uring]'), colOf('T1') + 2, change);
  t.regex(change.slice(0, colOf('T1')), /\|\s*$/, 'the T0 column is kept blank with its separator');
  // The changes of T0's fork come under it in T0's column.
  const i2 = lines.indexOf(stepLine(2));
  t.is(lines[i2 + 1]!.indexOf('T1: running'), colOf('T0') + 2);
  // 7 step lines, one header; every other line is a change.
  t.is(lines.filter((l) => /^\s+\d+  /.test(l)).length, 7);
});

test('renderSteps: one task plus the kernel keeps the single-column layout', (t) => {
  const r = replayTrace(trace(VIRO_SCENARIO), design('viro-2019'));
  const text = renderSteps(VIRO_SCENARIO, r.worlds);
  t.false(text.includes(' | '));
  t.regex(text.split('\n')[0]!, /^\s+1\s+T0\s+socketpair/);
});
