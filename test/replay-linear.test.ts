// Replay in time linear in the trace (issue 18, part 7): what replay says about a trace is what it said when
// it built every world with immer, described each world whole and checked every property on it. The
// reference below is that code, kept here; it is held to the replay on every trace of every built-in
// scenario on every built-in design, on seeded random walks that open, send, register and release many
// files, and (through the CLI) on a hand-made trace that opens and closes 300 files. No timing: the
// speed is in `npm run bench -- --replay`.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck } from '../cli/run.js';
import { withProperties } from '../cli/properties.js';
import { applyStep, enabledSteps, makeCtx } from '../model/apply.js';
import { CORE_OPS, DEFAULT_BOUNDS, SYSCALLS, type Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { builtinDesign, builtinDesigns } from '../model/designs/index.js';
import { scenarioBounds, type Scenario } from '../model/scenario.js';
import { initialWorld, type World } from '../model/world.js';
import { makeProperties, type PropertyDef } from '../properties/index.js';
import { builtinScenario, builtinScenarios } from '../scenarios/index.js';
import { runSteps, toTraceStep } from '../traces/build.js';
import { Compactor } from '../traces/compact.js';
import { describeWorld, diffFacts, formatChange } from '../traces/describe.js';
import { TRACE_FORMAT, traceToJson, type TraceFile, type TraceStep } from '../traces/format.js';
import { replayTrace, tracePrograms, type Finding } from '../traces/replay.js';
import { renderStepLines, renderSteps } from '../traces/text.js';
import { traceToDots } from '../traces/dot.js';
import { cli } from './helpers/cli.js';
import { OVERRIDE_DESIGNS, userDesign } from './helpers/override-designs.js';

const TMP = mkdtempSync(join(tmpdir(), 'inflight-replay-linear-'));
test.after.always(() => { rmSync(TMP, { recursive: true, force: true }); });

/** The replay as it was: every world kept (immer), every property on every world, each world described whole. */
function reference(trace: TraceFile, design: Design) {
  // A scenario-completes trace is replayed under the programs it carries (check --trace-of), both ways.
  const ctx = makeCtx(design, trace.bounds, tracePrograms(trace));
  const run = runSteps(trace.steps, ctx);
  const findings: Finding[] = [];
  for (const p of makeProperties(ctx)) {
    for (let i = 0; i < run.worlds.length; i++) {
      let msg: string | undefined;
      if (p.on === 'state') msg = p.check(run.worlds[i]!);
      else if (i > 0) {
        const s = trace.steps[i - 1]!;
        msg = p.check(run.worlds[i - 1]!, { step: { task: s.task, syscall: s.syscall, args: s.args } as never, result: run.results[i - 1]! }, run.worlds[i]!);
      }
      if (msg !== undefined) { findings.push({ property: p.name, kind: p.kind, step: i, message: msg }); break; }
    }
  }
  // The count as the design's kernel names it (f_ref from 6.13).
  const rc = design.refcount;
  const changes = run.results.map((_, i) => diffFacts(describeWorld(run.worlds[i]!, rc), describeWorld(run.worlds[i + 1]!, rc)).map(formatChange));
  const full = run.results.map((_, i) => [...describeWorld(run.worlds[i + 1]!, rc)].map(([k, v]) => `${k}: ${v}`));
  return { run, findings, changes, full };
}

/** JSON with keys in order (the two paths build objects with their fields in different orders). */
const canonical = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

let compared = 0;
/** Holds replayTrace to the reference on one trace: findings, results, text (changes and whole worlds), worlds. */
function same(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, trace: TraceFile, design: Design, what: string): void {
  const ref = reference(trace, design);
  const r = replayTrace(trace, design, { details: 'changes' });
  t.deepEqual(r.findings, ref.findings, `${what}: findings`);
  t.deepEqual(r.steps.map((s) => s.actual), [...ref.run.results, ...(ref.run.impossible !== undefined ? [undefined] : [])], `${what}: results`);
  t.is(r.impossibleAt, ref.run.impossible === undefined ? undefined : ref.run.impossible + 1, `${what}: impossible`);
  t.deepEqual(r.details, ref.changes, `${what}: what each step changed`);
  t.deepEqual(replayTrace(trace, design, { details: 'full', keepWorlds: false }).details, ref.full, `${what}: whole worlds`);
  // The text of worlds built with immer (check, simulate and merge print those) is diffed the same way.
  const made = trace.steps.slice(0, ref.run.results.length).map((s, i) => ({ ...s, result: ref.run.results[i]! }));
  t.is(renderSteps(made, ref.run.worlds, { counter: design.refcount }), renderStepLines(made, (i) => ref.changes[i]!), `${what}: text of immer's worlds`);
  // The worlds of the checker's path (render draws them) are the immutable path's.
  t.is(canonical(r.worlds), canonical(ref.run.worlds), `${what}: worlds`);
  compared++;
}

test.serial('every trace of every built-in scenario on every built-in design replays as before', (t) => {
  let traces = 0;
  for (const b of builtinScenarios()) {
    const sc = builtinScenario(b.name) as Scenario;
    for (const d of builtinDesigns) {
      const r = runCheck(d, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
      for (const v of [...r.properties, ...r.witnesses]) {
        if (!v.trace) continue;
        // Replayed on its own design, and on the others (a fix may rule a step out, or change a verdict).
        for (const other of builtinDesigns) same(t, v.trace, other, `${b.name} on ${d.name} (${v.name}) replayed on ${other.name}`);
        traces++;
      }
    }
  }
  t.true(traces > 100, `${traces} traces`);
});

// A seeded walk (xorshift) over the steps the model enables, wide bounds: many files opened and released,
// sockets listening and accepted (names change), rings, the phased GC.
/** Set by `walk` when it stopped because the design's code threw (a design that puts a file twice). */
let walkThrew = false;

function walk(design: Design, bounds: Bounds, seed: number, length: number): TraceFile {
  walkThrew = false;
  const ctx = makeCtx(design, bounds);
  let w: World = initialWorld(bounds.tasks, bounds.fds);
  let x = seed >>> 0 || 1;
  const rnd = (n: number): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const steps: TraceStep[] = [];
  for (let i = 0; i < length; i++) {
    // The last task does not exit (the walk would end there).
    const alive = w.tasks.filter((x) => x.alive).length;
    let en: ReturnType<typeof enabledSteps>;
    // (A design that puts a file twice can make the model's dry run of a step write to a released file.)
    try { en = enabledSteps(w, ctx).filter((e) => e.step.syscall !== 'exit' || alive > 1); } catch { walkThrew = true; break; }
    if (en.length === 0) break;
    // Closing is favoured so that files come and go.
    const closes = en.filter((e) => e.step.syscall === 'close');
    const tr = closes.length > 0 && rnd(3) === 0 ? closes[rnd(closes.length)]! : en[rnd(en.length)]!;
    const done = applyStep(w, tr.step, ctx)!;
    w = done.world;
    steps.push(toTraceStep(tr.step, done.result));
  }
  return { format: TRACE_FORMAT, design: design.name, bounds, property: 'hand-written', violation: '', steps };
}

test.serial('seeded random walks of 300 steps over wide bounds replay as before, on every built-in design', (t) => {
  const wide: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, files: 5, fds: 4, skbs: 2, msgFds: 2, reqs: 1, oob: true, gc: 'phased', ops: SYSCALLS };
  const core: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, files: 4, fds: 4, msgFds: 2, gc: 'phased', ops: CORE_OPS };
  let released = 0;
  let shortest = Infinity;
  for (const d of builtinDesigns) {
    for (const [bounds, seed] of [[wide, 1], [wide, 2], [core, 3]] as const) {
      const tr = walk(d, bounds, seed * 7919 + d.name.length, 300);
      same(t, tr, d, `walk ${seed} on ${d.name}`);
      shortest = Math.min(shortest, tr.steps.length);
      released = Math.max(released, reference(tr, d).run.worlds.at(-1)!.files.filter((f) => f.released).length);
    }
  }
  // Designs of a user's own (hooks run on the whole world), among them one that puts a file twice on close:
  // fds and skbs then name released files (dangling pointers, KASAN reports), which the compaction keeps.
  const doubleFput = userDesign({
    name: 'close-puts-twice', summary: 'seed-2019 whose filp_close puts the file twice', base: 'seed-2019',
    overrides: { filp_close: (k, base) => (w, file, task, why) => { base(w, file, task, why); if (!w.files[file]!.released) k.fput(w, file, why); } },
  });
  let dangling = 0;
  for (const d of [doubleFput, ...Object.values(OVERRIDE_DESIGNS)]) {
    for (const seed of [4, 5]) {
      const tr = walk(d, seed === 4 ? wide : core, seed * 104729 + d.name.length, 300);
      same(t, tr, d, `walk ${seed} on ${d.name}`);
      // Where the double put made the design's own code throw, the walk ends there (how soon depends on the
      // path the seed takes): not a short walk of the model's.
      if (!(walkThrew && d === doubleFput)) shortest = Math.min(shortest, tr.steps.length);
      if (d === doubleFput) dangling += reference(tr, d).findings.filter((f) => f.property === 'no-double-free' || f.property === 'no-use-after-free').length;
    }
  }
  t.true(dangling > 0, 'the double fput is found along the walks');
  t.true(released >= 30, `the walks release many files (at most ${released} in one)`);
  t.true(shortest >= 100, `every walk has at least 100 steps (${shortest})`);
  t.log(`${compared} replays compared; walks of ${shortest}+ steps, up to ${released} files released in one`);
});

test('the compaction leaves out released files that nothing names, and keeps those something still points at', (t) => {
  const d = builtinDesign('seed-2019')!;
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ops: SYSCALLS };
  const ctx = makeCtx(d, bounds);
  let w = initialWorld(1, 3);
  const step = (syscall: string, args: object): void => { w = applyStep(w, { task: 0, syscall, args } as never, ctx)!.world; };
  for (let i = 0; i < 5; i++) { step('open', {}); step('close', { fd: 3 }); }
  step('socketpair', { type: 'dgram' });     // f5, f6 at fds 3, 4
  step('sendmsg', { fd: 4, rights: [3] });  // f5 in flight on f5's own queue… sent from 4 to its peer 5
  step('close', { fd: 3 });
  const c = new Compactor();
  c.mark(w);
  t.deepEqual(c.kept, [5, 6], 'the five closed regular files go; the socketpair stays');
  const cw = c.compact(w);
  t.is(cw.files.length, 2);
  t.is(cw.tasks[0]!.fds[1]!.file, 1, 'fd 4 (f6) is renumbered to 1');
  t.deepEqual(cw.files[0]!.sock!.queue[0]!.fds, [0], 'the skb on f5 carries f5, renumbered to 0');
  t.is(cw.files[1]!.sock!.peer, 0);
  // A released file an fd still names (a dangling pointer) is kept: here the world before the close of fd 3
  // and after it, one renumbering for both, which keeps a file the step allocated whatever it is.
  const before = w;
  step('open', {});                          // f7 at fd 3
  step('close', { fd: 3 });                  // released
  c.mark(w, before, before.files.length);
  t.deepEqual(c.kept, [5, 6, 7], 'a file the step allocated is kept, released or not');
  t.is(c.compact(before).files.length, 2);
  c.mark(w);
  t.deepEqual(c.kept, [5, 6]);
  // A dangling fd (a file released while an fd still names it, as a double fput leaves it) keeps its file.
  const dangling: World = { ...w, tasks: [{ ...w.tasks[0]!, fds: [{ file: 2, cloexec: false }, null, null] }] };
  c.mark(dangling);
  t.deepEqual(c.kept, [2, 5, 6]);
  t.is(c.compact(dangling).tasks[0]!.fds[0]!.file, 0);
  // Everything kept: the world itself.
  c.mark(before, before, 0);
  t.is(c.compact(before), before);
});

test('a step that writes to a released file through a dangling fd replays as it did (the immutable path takes it)', (t) => {
  const d = userDesign({
    name: 'close-puts-twice', summary: 'seed-2019 whose filp_close puts the file twice', base: 'seed-2019',
    overrides: { filp_close: (k, base) => (w, file, task, why) => { base(w, file, task, why); if (!w.files[file]!.released) k.fput(w, file, why); } },
  });
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ops: SYSCALLS };
  // f0 is released by the close of fd 4 while fd 3 still names it; listen(3) then writes to it.
  const steps = made(d, bounds, [['socket', { type: 'stream' }], ['dup', { fd: 3 }], ['close', { fd: 4 }], ['open', {}], ['listen', { fd: 3 }]]);
  const tr: TraceFile = { format: TRACE_FORMAT, design: d.name, bounds, property: 'hand-written', violation: '', steps };
  same(t, tr, d, 'listen on a dangling fd');
  t.true(reference(tr, d).findings.some((f) => f.property === 'no-double-free' || f.property === 'no-use-after-free'));
});

test("a property of the user's own is checked on the whole world, not on the compaction", (t) => {
  // Fires once the world has had ten files: the compaction of an open/close trace never has more than one.
  const tenFiles: PropertyDef = {
    name: 'ten-files', kind: 'always', title: 'x', explain: 'x', origin: 'test',
    make: () => ({ name: 'ten-files', kind: 'always', on: 'state', check: (w: World) => (w.files.length >= 10 ? `${w.files.length} files` : undefined) }),
  };
  const d = withProperties(builtinDesign('seed-2019')!, [tenFiles]);
  const steps: TraceStep[] = [];
  for (let i = 0; i < 20; i++) steps.push({ task: 0, syscall: 'open', args: {}, result: { ret: 3 } }, { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } });
  const tr: TraceFile = { format: TRACE_FORMAT, design: 'seed-2019', bounds: DEFAULT_BOUNDS, property: 'hand-written', violation: '', steps };
  const f = replayTrace(tr, d, { keepWorlds: false }).findings.find((x) => x.property === 'ten-files');
  t.deepEqual(f, { property: 'ten-files', kind: 'always', step: 19, message: '10 files' });
  same(t, tr, d, 'ten-files');
});

/** Steps of task 0 with the results the design gives them. */
function made(design: Design, bounds: Bounds, calls: readonly (readonly [string, object])[]): TraceStep[] {
  const ctx = makeCtx(design, bounds);
  let w = initialWorld(bounds.tasks, bounds.fds);
  return calls.map(([syscall, args]) => {
    const step = { task: 0, syscall, args } as never;
    const done = applyStep(w, step, ctx);
    if (!done) throw new Error(`cannot make ${syscall}`);
    w = done.world;
    return toTraceStep(step, done.result);
  });
}

test('replay on the command line: a trace that opens and closes 300 files (and one with a leak at its end) prints what it printed', async (t) => {
  const seed = builtinDesign('seed-2019')!;
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ops: SYSCALLS };
  const openClose: [string, object][] = [];
  for (let i = 0; i < 300; i++) openClose.push(['open', {}], ['close', { fd: 3 }]);
  // Al Viro's cycle on seed-2019: a ring registers a socket whose queue holds the ring's fd, after 300
  // released files; the leak names the ring and the socket by their real ids (f300, f301).
  const cycle: [string, object][] = [...openClose,
    ['io_uring_setup', {}], ['socketpair', { type: 'dgram' }], ['io_uring_register', { fd: 3, files: [4] }],
    ['sendmsg', { fd: 5, rights: [3] }], ['close', { fd: 3 }], ['close', { fd: 4 }], ['close', { fd: 5 }]];
  for (const [name, calls] of [['open-close', openClose], ['leak', cycle]] as const) {
    const tr: TraceFile = { format: TRACE_FORMAT, design: 'seed-2019', bounds, property: 'hand-written', violation: '', steps: made(seed, bounds, calls) };
    const file = join(TMP, `${name}.json`);
    writeFileSync(file, traceToJson(tr));
    const ref = reference(tr, seed);
    const r = await cli(['replay', file]);
    t.true(r.out.includes(renderStepLines(tr.steps, (i) => ref.changes[i]!) + '\n'), `${name}: the steps' text`);
    const violated = ref.findings.filter((f) => f.kind === 'always');
    t.is(r.code, violated.length > 0 ? 1 : 0);
    for (const f of ref.findings) t.true(r.out.includes(`after step ${f.step}: ${f.message}`), `${name}: ${f.property}`);
    if (name === 'leak') t.true(violated.some((f) => f.property === 'no-leak' && /f300:io_uring, f301:unix\/dgram/.test(f.message)), `the leak is found, named by its real ids: ${r.out.slice(-400)}`);
    // render draws world k as traceToDots drew it from every world of the trace.
    const dots = traceToDots(tr.steps, ref.run.worlds, { design: seed, violation: '' });
    for (const k of [0, 1, 300, tr.steps.length]) {
      const d = await cli(['render', file, '--step', String(k)]);
      t.is(d.out.trimEnd(), dots[k]!.trimEnd(), `${name}: render --step ${k}`);
    }
    const full = await cli(['replay', file, '--full']);
    t.true(full.out.includes(renderStepLines(tr.steps, (i) => ref.full[i]!) + '\n'), `${name}: --full`);
  }
});
