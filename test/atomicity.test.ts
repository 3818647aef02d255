// docs/atomicity.md against the model: every step and sub-step the model has is a row of its table (and
// no row names one it does not have), every step a random exploration meets has its row; and the splits
// the table made, each with the hand-derived interleaving that only the split allows.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { applyStep, enabledSteps, syscallActor } from '../model/apply.js';
import { SYSCALLS } from '../model/bounds.js';
import { FUNCTION_NAMES } from '../model/function-names.js';
import { GC_STEPS } from '../model/gc/index.js';
import { RESUME_STAGES } from '../model/syscalls/resume.js';
import { WQ_STAGES } from '../model/syscalls/io_wq.js';
import type { Ctx, Step, Transition } from '../model/step.js';
import { initialWorld, type World } from '../model/world.js';
import { ctxFor, parseLine } from './helpers/world.js';

const DOC = readFileSync(new URL('../docs/atomicity.md', import.meta.url), 'utf8');

interface Row { id: string; qualifier: string; cells: string[] }

/** The rows of the markdown table that follows `heading`: the first cell's first `code` is the id, what
 *  follows it in parentheses a qualifier. */
function tableAfter(heading: string): Row[] {
  const at = DOC.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/atomicity.md has no ${heading}`);
  const lines = DOC.slice(at).split('\n').slice(1);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    const m = /^`([^`]+)`\s*(?:\(([^)]*)\))?/.exec(cells[0]!);
    if (!m) throw new Error(`a row without a step in backquotes: ${line.slice(0, 80)}`);
    rows.push({ id: m[1]!, qualifier: m[2] ?? '', cells });
  }
  return rows;
}

const STEPS = tableAfter('## The steps');
const PATHS = tableAfter('## Paths inside the steps');

/** Every step and stage the model has, named as the table names them. */
function modelSteps(): { id: string; algorithm?: '2007' | 'graph' }[] {
  const out: { id: string; algorithm?: '2007' | 'graph' }[] = [];
  for (const name of SYSCALLS) {
    if (name === 'resume') for (const [kind, stages] of Object.entries(RESUME_STAGES)) for (const s of stages) out.push({ id: `resume: ${kind} ${s}` });
    else if (name === 'unix_gc') for (const a of ['2007', 'graph'] as const) for (const s of GC_STEPS[a]) out.push({ id: `unix_gc: ${s}`, algorithm: a });
    else if (name === 'io_wq') for (const s of WQ_STAGES) out.push({ id: `io_wq: ${s}` });
    else out.push({ id: name });
  }
  return out;
}

/** The table's name for a step the checker takes in w. */
function stepId(w: World, s: Step): string {
  if (s.syscall === 'resume') return `resume: ${w.tasks[s.task as number]!.pending!.kind} ${(s.args as { stage: string }).stage}`;
  if (s.syscall === 'unix_gc') return `unix_gc: ${(s.args as { phase: string }).phase}`;
  if (s.syscall === 'io_wq') return `io_wq: ${(s.args as { stage: string }).stage}`;
  return s.syscall;
}

test('the table has a row for every step and sub-step of the model, and names none it does not have', (t) => {
  const want = modelSteps();
  const ids = new Set(want.map((x) => x.id));
  for (const r of STEPS) t.true(ids.has(r.id), `row \`${r.id}\` names no step of the model`);
  for (const x of want) {
    // A GC step is a row of its own per algorithm, or one row for both (no qualifier naming the other).
    const rows = STEPS.filter((r) => r.id === x.id && (!x.algorithm || !/^(2007|graph)$/.test(r.qualifier) || r.qualifier === x.algorithm));
    t.true(rows.length > 0, `no row for \`${x.id}\`${x.algorithm ? ` (${x.algorithm})` : ''}`);
  }
  // The kernel actors are the syscalls the table calls by their own names or by their stages.
  t.deepEqual(SYSCALLS.filter((s) => syscallActor(s) === 'kernel').sort(), ['io_ring_exit', 'io_wq', 'unix_gc']);
  for (const r of STEPS) {
    t.is(r.cells.length, 7, `row \`${r.id}\` has ${r.cells.length} cells`);
    t.true(r.cells.every((c) => c.length > 0), `row \`${r.id}\` has an empty cell`);
    t.regex(r.cells[6]!, /^(atomic|split|split needed|reduction)( \([a-z ]+\))?:/, `row \`${r.id}\`: the verdict says atomic, split, split needed or reduction`);
  }
  // The paths are kernel functions of the model (model/kernel.ts), or the no-leak settle.
  const fns = new Set<string>([...FUNCTION_NAMES, 'settle']);
  for (const r of PATHS) t.true(fns.has(r.id), `path \`${r.id}\` is no function of model/kernel.ts`);
});

test('every step a random exploration of three designs takes (phased GC, two tasks, every op) has its row', (t) => {
  const ids = new Set(STEPS.map((r) => r.id));
  const seen = new Set<string>();
  let seed = 20261203;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (const d of ['linux-5.1', 'linux-6.1', 'linux-6.18']) {
    const ctx = ctxFor(d, { tasks: 2, files: 4, fds: 4, skbs: 2, msgFds: 2, reqs: 1, oob: true, gc: 'phased', ops: SYSCALLS });
    for (let walk = 0; walk < 60; walk++) {
      let w = initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
      for (let i = 0; i < 40; i++) {
        const en: Transition[] = enabledSteps(w, ctx);
        if (en.length === 0) break;
        for (const tr of en) seen.add(stepId(w, tr.step));
        const tr = en[rnd(en.length)]!;
        w = applyStep(w, tr.step, ctx)!.world;
      }
    }
  }
  for (const id of seen) t.true(ids.has(id), `the checker takes \`${id}\`, which the table has no row for`);
  t.true(seen.size >= 20, `only ${seen.size} kinds of step met`);
});

// ---- the splits -------------------------------------------------------------------------------------

/** Runs `lines` (script lines or steps) from the initial world; each must be possible. */
function play(ctx: Ctx, lines: readonly (string | Step)[], from?: World): World {
  let w = from ?? initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  for (const line of lines) {
    const s = typeof line === 'string' ? parseLine(line) : line;
    const r = applyStep(w, s, ctx);
    if (!r) throw new Error(`impossible step: ${typeof line === 'string' ? line : JSON.stringify(line)}`);
    w = r.world;
  }
  return w;
}
const resume = (task: number, call: string, stage: string): Step => ({ task, syscall: 'resume', args: { call, stage } } as Step);
const enabled = (ctx: Ctx, w: World, s: Step): boolean => applyStep(w, s, ctx) !== undefined;

// CVE-2026-23394's shape with datagram sockets: A=f0 (fd 3) A'=f1 (4), B=f2 (5) B'=f3 (6); B's queue carries
// A, A's queue carries B; A closed. G judges A dead, then T0 peeks B (A comes back as fd 3) and closes B.
const CVE_2026_23394 = [
  'T0 socketpair dgram', 'T0 socketpair dgram', 'T0 sendmsg 6 3', 'T0 sendmsg 4 5', 'T0 close 3',
  'gc start', 'gc dead', 'T0 peek 5', resume(0, 'recvmsg(5, MSG_PEEK)', 'install fds'), 'T0 close 5',
];

test('split: a datagram read dequeues while the graph GC holds unix_gc_lock; its detach waits — the reader gets back a socket whose queue the GC purged (linux-6.10)', (t) => {
  const ctx = ctxFor('linux-6.10', { tasks: 1, files: 6, fds: 6, gc: 'phased' });
  let w = play(ctx, CVE_2026_23394);
  t.is(w.gc.phase, 'dead');
  // The dequeue: possible while the GC holds the lock (before the split the whole recvmsg waited).
  const rcv = applyStep(w, parseLine('T0 recvmsg 3'), ctx)!;
  t.truthy(rcv);
  t.true(rcv.result.pending);
  w = rcv.world;
  t.deepEqual(w.files[0]!.sock!.queue, [], "A's queue is empty: the skb carrying B is in T0's hands");
  t.deepEqual(w.tasks[0]!.pending, { kind: 'recvmsg', fd: 3, sock: 0, peek: false, cookie: [2] });
  t.is(w.files[2]!.sock!.inflight, 1, "B's entry is still in flight (its edge into A too)");
  const detach = resume(0, 'recvmsg(3)', 'detach');
  t.false(enabled(ctx, w, detach), 'the detach takes unix_gc_lock: it waits');
  w = play(ctx, ['gc dead'], w);                         // dead(B): B's count is its one entry — the SCC is dead
  t.is(w.gc.phase, 'purge');
  t.deepEqual([...w.gc.collected].sort(), [0, 2]);
  w = play(ctx, ['gc purge'], w);
  t.is(w.gc.phase, 'idle');
  const done = applyStep(w, detach, ctx)!;
  t.deepEqual(done.result, { ret: 1, fds: [5] });
  w = done.world;
  t.false(w.files[2]!.released, 'B lives on, as fd 5 of T0 …');
  t.deepEqual(w.files[2]!.sock!.queue, [], "… with the queue the GC purged (it carried A's skb)");
  t.is(w.tasks[0]!.fds[5 - 3]!.file, 2);
});

test('split, unchanged verdict: on linux-6.18 the same dequeue happens, but the peek made the SCC alive — nothing is purged', (t) => {
  const ctx = ctxFor('linux-6.18', { tasks: 1, files: 6, fds: 6, gc: 'phased' });
  let w = play(ctx, [...CVE_2026_23394, 'T0 recvmsg 3', 'gc dead']);
  t.is(w.gc.phase, 'idle', 'the SCC the peek intervened in is alive for this run: no purge');
  w = play(ctx, [resume(0, 'recvmsg(3)', 'detach')], w);
  t.false(w.files[2]!.released);
  t.is(w.files[2]!.sock!.queue.length, 1, "B's queue (carrying A) is intact");
});

// CVE-2021-0920's scenario (scenarios/cve-2021-0920.json) with the last read a MSG_PEEK: A=f0 (3), B=f1 (4).
const CVE_2021_0920_PEEK = [
  'T0 socketpair stream', 'T0 sendmsg 3 3', 'T0 close 3', 'T0 sendmsg 4 4', 'gc start', 'gc select',
  'T0 peek 4', resume(0, 'recvmsg(4, MSG_PEEK)', 'copy'), resume(0, 'recvmsg(4, MSG_PEEK)', 'install fds'),
  'T0 close 4', 'gc select',
];

test('split: a stream MSG_PEEK pins the skb from its pick to its dup — the GC frees it in between: a use-after-free (linux-5.1)', (t) => {
  const ctx = ctxFor('linux-5.1', { tasks: 1, files: 4, fds: 4, gc: 'phased' });
  let w = play(ctx, CVE_2021_0920_PEEK);
  t.is(w.gc.phase, 'scan');
  w = play(ctx, ['T0 peek 3'], w);                       // the pick on A (fd 3, handed back by the first peek)
  t.true(w.files[0]!.sock!.queue[0]!.pinned);
  t.deepEqual(w.tasks[0]!.pending, { kind: 'recvmsg', fd: 3, sock: 0, peek: true, cookie: [] }, 'nothing dup\'ed yet: the `copy` stage');
  t.deepEqual(w.reports, []);
  w = play(ctx, ['gc scan', 'gc purge', 'gc purge'], w);
  t.is(w.gc.phase, 'idle');
  t.is(w.reports.length, 1);
  t.is(w.reports[0]!.kind, 'use-after-free');
  t.regex(w.reports[0]!.what, /while a reader still points at it/);
  const last = applyStep(w, resume(0, 'recvmsg(3, MSG_PEEK)', 'copy'), ctx)!;
  t.deepEqual(last.result, { ret: 1 }, 'the dup finds the skb gone: no fds');
  t.is(last.world.tasks[0]!.pending, null);
});

test('split, unchanged verdict: on linux-5.14 the first peek cannot install A while the GC holds unix_gc_lock', (t) => {
  const ctx = ctxFor('linux-5.14', { tasks: 1, files: 4, fds: 4, gc: 'phased' });
  const w = play(ctx, CVE_2021_0920_PEEK.slice(0, 8));
  t.false(enabled(ctx, w, resume(0, 'recvmsg(4, MSG_PEEK)', 'install fds')));
});

test('a datagram reader in progress holds u->iolock: another task\'s recvmsg on that socket waits (linux-5.14)', (t) => {
  const ctx = ctxFor('linux-5.14', { tasks: 2, files: 4, fds: 4, gc: 'phased' });
  let w = play(ctx, ['T0 socketpair dgram', 'T0 sendmsg 3 3', 'T0 sendmsg 3 3', 'T0 fork', 'gc start']);
  t.is(w.gc.phase, 'select');
  t.true(enabled(ctx, w, parseLine('T1 recvmsg 4')), 'T1 could read now');
  w = play(ctx, ['T0 recvmsg 4'], w);                    // the dequeue, during the GC's candidate selection
  t.is(w.files[1]!.sock!.queue.length, 1);
  t.false(enabled(ctx, w, parseLine('T1 recvmsg 4')), 'T1 waits for T0\'s iolock');
  t.false(enabled(ctx, w, resume(0, 'recvmsg(4)', 'detach')), 'T0\'s detach waits for unix_gc_lock');
  w = play(ctx, ['gc select', 'gc scan', resume(0, 'recvmsg(4)', 'detach'), 'T1 recvmsg 4'], w);
  t.is(w.files[1]!.sock!.queue.length, 0);
  t.is(w.files[0]!.sock!.inflight, 0);
});
