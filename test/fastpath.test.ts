// One semantics, two ways to run it: the checker's plain-copy path must give exactly what immer's
// `produce` gives, and every state a random walk reaches must be in the exhaustive search's visited set.
import { fc, testProp } from '@fast-check/ava';
import test from 'ava';
import { check } from '../checker/bfs.js';
import { applyMutable, applyStep, enabledSteps } from '../model/apply.js';
import { DEFAULT_BOUNDS, SYSCALLS, type Bounds } from '../model/bounds.js';
import { decodeWorld, encodeWorld } from '../model/codec.js';
import { builtinDesigns } from '../model/designs/index.js';
import { canonicalKey } from '../model/key.js';
import { malformation } from '../model/validate.js';
import { kernelModel } from '../model/model.js';
import { initialWorld, type World } from '../model/world.js';
import { ctxFor } from './helpers/world.js';
import { OVERRIDE_DESIGNS } from './helpers/override-designs.js';

// The built-in designs, and designs with overrides of their own (user code on both paths).
const names = [...builtinDesigns.map((d) => d.name), ...Object.keys(OVERRIDE_DESIGNS)];
const designOf = (name: string) => OVERRIDE_DESIGNS[name] ?? name;
const wide: Partial<Bounds> = { tasks: 3, files: 5, fds: 4, skbs: 2, msgFds: 2 };

testProp('the plain-copy path and immer give identical successors and results', [
  fc.constantFrom(...names), fc.array(fc.nat(), { minLength: 1, maxLength: 25 }),
], (t, name, choices) => {
  const ctx = ctxFor(designOf(name), wide);
  let w: World = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  for (const c of choices) {
    const trs = enabledSteps(w, ctx);
    if (trs.length === 0) break;
    const tr = trs[c % trs.length]!;
    const fast = applyMutable(w, tr, ctx);
    const slow = applyStep(w, tr.step, ctx);
    t.truthy(slow);
    t.deepEqual(slow!.result, tr.result);
    t.deepEqual(fast, slow!.world);
    t.deepEqual(Array.from(canonicalKey(fast)), Array.from(canonicalKey(slow!.world)));
    if (typeof designOf(name) === 'string') t.is(malformation(fast), undefined, 'the built-in recipes keep the world well formed');
    w = slow!.world;
  }
}, { numRuns: 400 });

test('the plain-copy path never writes into the world it was given', (t) => {
  const ctx = ctxFor('viro-2019', wide);
  let w: World = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  // A fixed walk that touches every syscall; immer freezes its results, so a write would throw.
  const picks = [0, 3, 5, 1, 7, 2, 9, 4, 4, 6, 8, 1, 3, 2, 5, 0, 11, 2, 7];
  for (const p of picks) {
    const trs = enabledSteps(w, ctx);
    if (trs.length === 0) break;
    const tr = trs[p % trs.length]!;
    t.notThrows(() => applyMutable(w, tr, ctx));
    w = applyStep(w, tr.step, ctx)!.world;
  }
});

for (const d of builtinDesigns) {
  const bounds: Bounds = { ...DEFAULT_BOUNDS };
  const model = kernelModel(d, bounds);
  const full = check(model, { properties: [], keepVisited: true });
  testProp(`${d.name}: random walks stay inside the exhaustive state space (${full.stats.distinct} states)`, [
    fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  ], (t, choices) => {
    t.is(full.stop, 'exhausted');
    let w = model.initial()[0]!;
    t.true(full.visited!.has(model.key(w)));
    for (const c of choices) {
      const trs = model.steps(w);
      if (trs.length === 0) break;
      w = model.next(w, trs[c % trs.length]!);
      t.true(full.visited!.has(model.key(w)), 'a reachable state missing from the visited set');
    }
  }, { numRuns: 150 });
}

test('the key ignores file ids and task order but not structure', (t) => {
  const ctx = ctxFor('seed-2019');
  // Same shape reached in two orders: files get different ids, keys must agree.
  const a = [{ task: 0, syscall: 'open', args: {} }, { task: 0, syscall: 'open', args: {} }, { task: 0, syscall: 'close', args: { fd: 3 } }, { task: 0, syscall: 'open', args: {} }] as const;
  const b = [{ task: 0, syscall: 'open', args: {} }, { task: 0, syscall: 'open', args: {} }] as const;
  const runSteps = (steps: readonly { task: number; syscall: string; args: object }[]) => {
    let w: World = initialWorld(2, ctx.bounds.fds);
    for (const s of steps) w = applyStep(w, s as never, ctx)!.world;
    return w;
  };
  const wa = runSteps(a);
  const wb = runSteps(b);
  t.notDeepEqual(wa.files.length, wb.files.length);
  t.deepEqual(Array.from(canonicalKey(wa)), Array.from(canonicalKey(wb)));
  // Task symmetry: T0 with a file and T1 empty equals T0 empty and T1 with a file.
  const fork = runSteps([{ task: 0, syscall: 'fork', args: {} }]);
  const x = applyStep(fork, { task: 0, syscall: 'open', args: {} }, ctx)!.world;
  const y = applyStep(fork, { task: 1, syscall: 'open', args: {} }, ctx)!.world;
  t.deepEqual(Array.from(canonicalKey(x)), Array.from(canonicalKey(y)));
  t.notDeepEqual(Array.from(canonicalKey(x, false)), Array.from(canonicalKey(y, false)));
  // Structure matters: a dup'ed file is not two files.
  const dup = runSteps([{ task: 0, syscall: 'open', args: {} }, { task: 0, syscall: 'dup', args: { fd: 3 } }]);
  t.notDeepEqual(Array.from(canonicalKey(dup)), Array.from(canonicalKey(wb)));
});

test('malformation names the first defect of a broken world', (t) => {
  const ctx = ctxFor('seed-2019');
  const w = applyStep(applyStep(initialWorld(2, ctx.bounds.fds), { task: 0, syscall: 'open', args: {} }, ctx)!.world,
    { task: 0, syscall: 'socketpair', args: { type: 'dgram' } }, ctx)!.world;
  t.is(malformation(w), undefined);
  const broken = (edit: (x: any) => void): string | undefined => { const c = structuredClone(w) as any; edit(c); return malformation(c); };
  t.is(broken((c) => { c.files[0].f_count = 0; }), 'f0 is live with f_count 0');
  t.is(broken((c) => { c.files[1].f_count = 'x'; }), 'f1.f_count is x');
  t.is(broken((c) => { c.tasks[0].fds[0].file = 9; }), "T0's fd slot 3 is malformed");
  t.is(broken((c) => { c.files[1].sock.queue.push({ fds: [7] }); }), "f1's receive queue is malformed");
  t.is(broken((c) => { c.files[2].sock.inflight = -1; }), "f2's inflight is -1");
  t.is(broken((c) => { c.files[0].kind = 'pipe'; }), 'f0 has kind pipe');
});

// The checker's fast path: a frontier state is kept as words (model/codec.ts), decoded into a fresh mutable
// world, the step's recipe runs on it directly, and the successor is encoded again. It must give exactly the
// words that immer's `produce` gives for the same step.
testProp('fast path: decode → recipe on the mutable world → encode equals encode(produce), on random reachable worlds', [
  fc.constantFrom(...names), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.boolean(),
], (t, name, choices, phased) => {
  const ctx = ctxFor(designOf(name), { ...wide, gc: phased ? 'phased' : 'atomic', ops: SYSCALLS, oob: true });
  let w: World = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  for (const c of choices) {
    const trs = enabledSteps(w, ctx);
    if (trs.length === 0) break;
    const tr = trs[c % trs.length]!;
    const words = encodeWorld(w).slice();
    const decoded = decodeWorld(words);
    t.deepEqual(decoded, w, 'decode(encode(w)) is w');
    const fast = encodeWorld(applyMutable(decoded, tr, ctx)).slice();
    const slow = applyStep(w, tr.step, ctx);
    t.truthy(slow);
    t.deepEqual(Array.from(fast), Array.from(encodeWorld(slow!.world)));
    w = slow!.world;
  }
}, { numRuns: 300 });

// Task symmetry with up to four live tasks (the key sorts them by signature, then tries the orders of the
// tasks whose signatures tie): renaming the task slots of a reachable world never changes its key.
testProp('the key of a reachable world with up to 4 tasks does not depend on which slot each task has', [
  fc.constantFrom(...names), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.nat(),
], (t, name, choices, which) => {
  const ctx = ctxFor(designOf(name), { ...wide, tasks: 4, gc: 'phased', ops: SYSCALLS });
  let w: World = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  for (const c of choices) {
    const trs = enabledSteps(w, ctx);
    if (trs.length === 0) break;
    w = applyStep(w, trs[c % trs.length]!.step, ctx)!.world;
  }
  const perms = [[1, 0, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [0, 3, 1, 2], [1, 2, 3, 0]];
  const perm = perms[which % perms.length]!;
  const tasks = w.tasks.map(() => w.tasks[0]!);
  w.tasks.forEach((task, i) => { tasks[perm[i]!] = task; });
  const renamed: World = {
    ...w,
    tasks,
    files: w.files.map((f) => (f.ring === null ? f
      : { ...f, ring: { ...f.ring, requests: f.ring.requests.map((q) => ({ ...q, task: perm[q.task]! })) } })),
  };
  t.deepEqual(Array.from(canonicalKey(renamed)), Array.from(canonicalKey(w)));
}, { numRuns: 300 });
