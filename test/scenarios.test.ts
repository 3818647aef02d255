// Scenarios: the file format (every malformed input is one line naming the problem), the built-in
// scenarios against the verdicts they expect of each design, the CLI around them, and designs with a
// switch turned from the command line.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck, surprises } from '../cli/run.js';
import { DEFAULT_BOUNDS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { parseProgramLine, resolveScenario, scenarioBounds, type Scenario } from '../model/scenario.js';
import { builtinScenario, builtinScenarios } from '../scenarios/index.js';
import { replayTrace } from '../traces/replay.js';
import { cli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-scenario-test-'));
test.after.always(() => rmSync(TMP, { recursive: true, force: true }));

const scenario = (name: string, variant?: string): Scenario => {
  const s = builtinScenario(name, variant);
  if (typeof s !== 'object') throw new Error(`no scenario ${name}: ${String(s)}`);
  return s;
};

test('program lines: key=value words become the arguments of the trace format', (t) => {
  t.deepEqual(parseProgramLine('sendmsg fd=4 rights=[3,3]'), { syscall: 'sendmsg', args: { fd: 4, rights: [3, 3] } });
  t.deepEqual(parseProgramLine('recvmsg fd=5 peek=true'), { syscall: 'recvmsg', args: { fd: 5, peek: true } });
  t.deepEqual(parseProgramLine('socketpair type=stream'), { syscall: 'socketpair', args: { type: 'stream' } });
  t.deepEqual(parseProgramLine('io_uring_register fd=3 files=[4,-1]'), { syscall: 'io_uring_register', args: { fd: 3, files: [4, -1] } });
  t.deepEqual(parseProgramLine('  fork  '), { syscall: 'fork', args: {} });
  t.is(parseProgramLine('sendmsg fd=x'), "argument 'fd' must be an integer");
  t.is(parseProgramLine('sendmsg fd=4 rights=[3,'), "cannot read the value of rights ('[3,')");
  t.is(parseProgramLine('frobnicate'), "unknown syscall 'frobnicate'");
  t.is(parseProgramLine('unix_gc'), 'unix_gc is not something a task\'s program calls');
  t.is(parseProgramLine('resume call=x stage=y'), 'resume is not something a task\'s program calls');
  t.is(parseProgramLine('close 3'), "'3' is not key=value");
  t.is(parseProgramLine('close'), "argument 'fd' must be an integer");
});

test('malformed scenarios: one line naming the problem', (t) => {
  const base = { name: 'x', summary: 's', programs: { T0: ['open'] } };
  const cases: [unknown, string][] = [
    [[], 'a scenario must be an object'],
    [{ ...base, name: '' }, 'the scenario needs a "name" (letters, digits, . _ -)'],
    [{ ...base, format: 'inflight-scenario/9' }, "unsupported scenario format 'inflight-scenario/9' (this inflight reads inflight-scenario/1)"],
    [{ ...base, summary: 3 }, "scenario 'x': needs a \"summary\""],
    [{ ...base, programs: {} }, "scenario 'x': \"programs\" is empty"],
    [{ ...base, programs: { T1: ['open'] } }, "scenario 'x': \"programs\" must name T0 … T0 (missing T0)"],
    [{ ...base, programs: { T0: ['open'], T1: ['open'] } }, "scenario 'x': 2 programs but 0 forks: T1 … come from forks"],
    [{ ...base, programs: { T0: ['open', 'bogus'] } }, "scenario 'x': T0 line 2: unknown syscall 'bogus'"],
    [{ ...base, bounds: { tasks: 3 } }, "scenario 'x': unknown bound 'tasks' (known: files, fds, skbs, msgFds, reqs, depth, gc)"],
    [{ ...base, bounds: { gc: 'sometimes' } }, 'scenario \'x\': bounds.gc is "sometimes"'],
    [{ ...base, expect: { 'linux-6.18': { 'no-leak': 'fine' } } }, "scenario 'x': expect.linux-6.18.no-leak must be one of holds, violated, found, not-found"],
    [{ ...base, variants: {} }, "scenario 'x': \"variants\" is empty"],
  ];
  for (const [raw, msg] of cases) t.is(resolveScenario(raw), msg, JSON.stringify(raw));
  t.is(resolveScenario({ ...base, variants: { a: {} } }, 'b'), "scenario 'x': no variant 'b' (variants: a)");
  t.is(resolveScenario(base, 'a'), "scenario 'x': has no variants (asked for 'a')");
});

test('variants replace programs and expectations; the first is the default', (t) => {
  const spec = { name: 'v', summary: 'top', programs: { T0: ['open'] },
    variants: { one: { programs: { T0: ['open', 'open'] } }, two: { summary: 'second', expect: { 'seed-2019': { 'no-leak': 'holds' } } } } };
  const one = resolveScenario(spec);
  const two = resolveScenario(spec, 'two');
  if (typeof one === 'string' || typeof two === 'string') return t.fail(String(one) + String(two));
  t.is(one.variant, 'one');
  t.is(one.programs[0]!.length, 2);
  t.is(two.summary, 'second');
  t.is(two.programs[0]!.length, 1);
  t.deepEqual(two.expect, { 'seed-2019': { 'no-leak': 'holds' } });
  t.deepEqual(two.variants, ['one', 'two']);
});

test('scenario bounds: defaults, then the scenario, then the flags given; tasks = programs', (t) => {
  const sc = scenario('cve-2021-0920');
  const b = scenarioBounds(sc, DEFAULT_BOUNDS, { depth: 7 });
  t.like(b, { tasks: 1, files: 2, fds: 2, skbs: 1, msgFds: 1, reqs: 0, gc: 'phased', depth: 7 });
});

// Every built-in scenario, every design it names: the verdicts it expects.
for (const b of builtinScenarios()) {
  const first = resolveScenario(b.spec);
  if (typeof first === 'string') { test(`built-in scenario ${b.name} resolves`, (t) => t.fail(first)); continue; }
  for (const variant of first.variants.length ? first.variants : [undefined]) {
    const sc = scenario(b.name, variant);
    for (const designName of Object.keys(sc.expect)) {
      test(`scenario ${b.name}${variant ? `/${variant}` : ''} on ${designName}: the expected verdicts`, (t) => {
        const design = builtinDesign(designName);
        if (!design) return t.fail(`scenario ${b.name} names unknown design ${designName}`);
        const r = runCheck(design, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
        t.is(r.stop, 'exhausted', 'scenarios are small enough to explore completely');
        t.deepEqual(surprises(r), []);
        t.true(Object.keys(sc.expect[designName]!).length > 0);
      });
    }
  }
}

test('cve-2021-0920: the shortest counterexample on linux-5.1 is the race, and its trace replays outside the scenario', (t) => {
  const sc = scenario('cve-2021-0920');
  const r = runCheck(builtinDesign('linux-5.1')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
  const v = r.properties.find((p) => p.name === 'gc-safety')!;
  t.is(v.status, 'violated');
  const steps = v.trace!.steps.map((s) => `${s.task === 'kernel' ? 'K' : `T${s.task}`} ${s.syscall}${s.syscall === 'unix_gc' ? ` ${(s.args as { phase: string }).phase}` : ''}`);
  // Derived by hand: the first candidate check (A) before the peek hands A back, the second (B) after B's
  // last fd is closed, then the scan collects both. The stream peek is three steps (its pick, the `copy`
  // that ends in the dup, `install fds`: docs/atomicity.md); its pick reads no count, so it may come before
  // the first check as well as after — the checker, trying tasks first, puts it before.
  t.deepEqual(steps, [
    'T0 socketpair', 'T0 sendmsg', 'T0 close', 'T0 sendmsg', 'K unix_gc start', 'T0 recvmsg',
    'K unix_gc select', 'T0 resume', 'T0 resume', 'T0 close', 'K unix_gc select', 'K unix_gc scan',
  ]);
  t.regex(v.message!, /unix_gc collected the queues of f0:unix\/stream, f1:unix\/stream|still reachable/);
  const replay = replayTrace(v.trace!, builtinDesign('linux-5.1')!);
  t.is(replay.impossibleAt, undefined);
  t.true(replay.findings.some((f) => f.property === 'gc-safety'));
  const fixed = replayTrace(v.trace!, builtinDesign('linux-5.14')!);
  t.not(fixed.impossibleAt, undefined, "on 5.14 the peek cannot install its fd while the GC holds unix_gc_lock");
});

test('a design with a switch turned: linux-5.14[peekGuard=none] has the bug back', async (t) => {
  const d = builtinDesign('linux-5.14[peekGuard=none]');
  t.truthy(d);
  t.is(d!.switches.peekGuard, 'none');
  t.is(d!.switches.gc, '2007');
  t.is(builtinDesign('linux-5.14[peekGuard=nope]'), undefined);
  const r = await cli(['check', '--design', 'linux-5.14[peekGuard=none]', '--scenario', 'cve-2021-0920', '--json']);
  t.is(r.code, 1);
  const j = JSON.parse(r.out) as { design: string; scenario: string; properties: { name: string; status: string }[] };
  t.is(j.design, 'linux-5.14[peekGuard=none]');
  t.is(j.scenario, 'cve-2021-0920');
  t.is(j.properties.find((p) => p.name === 'gc-safety')!.status, 'violated');
  const bad = await cli(['check', '--design', 'linux-5.14[peekGuard=nope]']);
  t.is(bad.code, 2);
  t.is(bad.err.trim(), "inflight: E_DESIGN_UNKNOWN: linux-5.14[peekGuard=nope]: switch peekGuard must be one of none, gc-lock, seqcount (got 'nope')");
});

test('CLI: scenarios lists the built-ins; bad scenario input is one line and exit 2', async (t) => {
  const list = await cli(['scenarios']);
  t.is(list.code, 0);
  for (const b of builtinScenarios()) t.regex(list.out, new RegExp(`^${b.name.replace(/[.]/g, '\\.')} `, 'm'));
  const json = JSON.parse((await cli(['scenarios', '--json'])).out) as { name: string }[];
  t.deepEqual(json.map((s) => s.name), builtinScenarios().map((b) => b.name));
  const bad = join(TMP, 'bad.json');
  writeFileSync(bad, JSON.stringify({ name: 'bad', summary: 's', programs: { T0: ['sendmsg fd=three'] } }));
  const trunc = join(TMP, 'trunc.json');
  writeFileSync(trunc, '{"name": "t", "summ');
  const cases: [string[], RegExp][] = [
    [['check', '--design', 'linux-5.1', '--scenario', 'no-such-thing'], /^inflight: E_SCENARIO: no scenario 'no-such-thing': not built in/],
    [['check', '--design', 'linux-5.1', '--scenario', bad], /E_SCENARIO: .*bad\.json: scenario 'bad': T0 line 1: argument 'fd' must be an integer$/],
    [['check', '--design', 'linux-5.1', '--scenario', trunc], /E_SCENARIO: .*trunc\.json is not JSON/],
    [['check', '--design', 'linux-5.1', '--scenario', 'cve-2021-0920', '--variant', 'x'], /E_SCENARIO: scenario 'cve-2021-0920': has no variants/],
    [['check', '--design', 'linux-5.1', '--variant', 'x'], /E_USAGE: --variant goes with --scenario/],
    [['check', '--design', 'linux-5.1', '--scenario', 'cve-2021-0920', '--tasks', '2'], /E_BOUNDS: --tasks cannot go with --scenario/],
    [['check', '--design', 'linux-5.1', '--scenario', 'cve-2021-0920', '--ops', 'open'], /E_BOUNDS: --ops cannot go with --scenario/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.err.trim(), re, argv.join(' '));
    t.is(r.err.trim().split('\n').length, 1);
    t.is(r.out, '');
  }
});

test('CLI: a scenario of the user\'s own, as JSON; matrix --scenario marks and counts surprises', async (t) => {
  const mine = join(TMP, 'mine.json');
  writeFileSync(mine, JSON.stringify({ name: 'mine', summary: 'a self-looped socket, closed', bounds: { files: 2, fds: 2 },
    programs: { T0: ['socketpair type=dgram', 'sendmsg fd=3 rights=[3]', 'close fd=3', 'close fd=4'] },
    expect: { 'linux-5.1': { 'no-leak': 'holds', 'scenario-completes': 'found' }, 'seed-2019': { 'no-leak': 'violated' } } }));
  const r = await cli(['matrix', '--designs', 'linux-5.1,seed-2019', '--scenario', mine]);
  t.is(r.code, 1, 'seed-2019 does not leak here, against the expectation: a surprise');
  t.regex(r.out, /^seed-2019 +holds! /m);
  t.regex(r.out, /^linux-5\.1 +holds /m);
  const ok = await cli(['check', '--design', 'linux-5.1', '--scenario', mine]);
  t.is(ok.code, 0);
  t.regex(ok.out, /scenario mine: a self-looped socket, closed/);
  t.regex(ok.out, /scenario-completes +found \(4 steps\)/);
});

test("viro-2019's scenario: from 6.7 on the ring fd's sendmsg is refused with EINVAL, so the cycle never forms", (t) => {
  const sc = scenario('viro-2019');
  for (const name of ['linux-6.7', 'linux-6.10', 'linux-6.18']) {
    const r = runCheck(builtinDesign(name)!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
    const done = r.witnesses.find((w) => w.name === 'scenario-completes')!;
    t.is(done.status, 'found', name);
    const send = done.trace!.steps.find((s) => s.syscall === 'sendmsg')!;
    t.deepEqual(send.result, { ret: -1, errno: 'EINVAL' }, name);
    t.is(r.witnesses.find((w) => w.name === 'gc-releases-ring-cycle')!.status, 'not-found', name);
  }
  for (const name of ['linux-5.1', 'linux-5.14', 'linux-6.1']) {
    const r = runCheck(builtinDesign(name)!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
    const send = r.witnesses.find((w) => w.name === 'scenario-completes')!.trace!.steps.find((s) => s.syscall === 'sendmsg')!;
    t.deepEqual(send.result, { ret: 1 }, name);
    t.is(r.witnesses.find((w) => w.name === 'gc-releases-ring-cycle')!.status, 'found', `${name}: the GC collects the cycle`);
    t.is(r.properties.find((p) => p.name === 'no-leak')!.status, 'holds', name);
  }
});

test('CLI: a scenario as a TypeScript module (default export, defineScenario from inflight/scenario)', async (t) => {
  const r = await cli(['check', '--design', 'linux-5.1', '--scenario', 'test/fixtures/my-race.ts', '--json']);
  t.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { scenario: string; witnesses: { name: string; status: string }[]; surprises: unknown[] };
  t.is(j.scenario, 'my-race');
  t.is(j.witnesses.find((w) => w.name === 'scenario-completes')!.status, 'found');
  t.deepEqual(j.surprises, []);
  const bad = join(TMP, 'no-default.ts');
  writeFileSync(bad, 'export const x = 1;\n');
  const r2 = await cli(['check', '--design', 'linux-5.1', '--scenario', bad]);
  t.is(r2.code, 2);
  t.regex(r2.err, /E_SCENARIO: .*no-default\.ts has no default export/);
});

// selftest-mixed_lowpoint, worked out by hand (test/gc-graph.test.ts has the walks). no-leak: the fewest steps
// to leave sockets 0, 1, 2 unreachable are the program up to `close fd=7` (socket 2's last fd; no peer
// holds a socket), and with no GC run before it the walk gives 2, 2, 3: socketpairs 6 + sends 8 + closes 5
// = 19 (listeners: socket, listen, socket, connect per pair, one step each with one task: 24 + 8 + 5 = 37).
// scenario-completes on 6.18: every complete run must avoid that, so a GC run must reorder each SCC's
// vertices before its last send (a run before the third send does nothing: the graph is not maybe-cyclic
// until a socket in flight receives one); in [send 3, send 4) the run is start + dead(1) + dead(0) (SCCs
// [1, 2] and [0]), in [send 7, send 8) start + dead(1) + dead(4) + dead(3): 26 program steps + 7 = 33.
// On 6.18.54 no GC run is needed: 26.
test('selftest-mixed_lowpoint: the shortest leak is 19 steps (37 with listeners) on linux-6.10 and linux-6.18, none on linux-6.18.54; a complete run on 6.18 needs two GC runs at the places derived by hand', (t) => {
  const label = (s: { task: unknown; syscall: string; args: unknown }): string =>
    s.task === 'kernel' ? `K ${(s.args as { phase?: string }).phase ?? ''}` : s.syscall;
  for (const [variant, leakLen, programLen] of [['dgram', 19, 26], ['stream', 19, 26], ['stream-oob', 19, 26], ['stream-listener', 37, 44], ['stream-listener-oob', 37, 44]] as const) {
    const sc = scenario('selftest-mixed_lowpoint', variant);
    t.is(sc.programs[0]!.length, programLen, variant);
    for (const d of ['linux-6.10', 'linux-6.18']) {
      const r = runCheck(builtinDesign(d)!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
      const leak = r.properties.find((p) => p.name === 'no-leak')!;
      t.is(leak.status, 'violated', `${d} ${variant}`);
      t.is(leak.trace!.steps.length, leakLen, `${d} ${variant}`);
      t.false(leak.trace!.steps.some((s) => s.task === 'kernel'), `${d} ${variant}: no GC step on the way`);
      t.deepEqual(leak.trace!.steps[leakLen - 1]!.args, { fd: 7 }, `${d} ${variant}: ends with close fd=7`);
      t.regex(leak.message!, /leaked: f0:unix\/stream|leaked: f0:unix\/dgram/);
      const done = r.witnesses.find((w) => w.name === 'scenario-completes')!;
      t.is(done.trace!.steps.length, programLen + 7, `${d} ${variant}`);
      const first = leakLen - 13;   // steps before the sends
      const labels = done.trace!.steps.map(label);
      t.deepEqual(labels.slice(first, first + 3 + 3 + 1 + 3 + 4 + 1), [
        'sendmsg', 'sendmsg', 'sendmsg', 'K start', 'K dead', 'K dead', 'sendmsg',
        'sendmsg', 'sendmsg', 'sendmsg', 'K start', 'K dead', 'K dead', 'K dead', 'sendmsg',
      ], `${d} ${variant}`);
    }
    const fixed = runCheck(builtinDesign('linux-6.18.54')!, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
    t.is(fixed.properties.find((p) => p.name === 'no-leak')!.status, 'holds', variant);
    t.is(fixed.witnesses.find((w) => w.name === 'scenario-completes')!.trace!.steps.length, programLen, variant);
  }
});
