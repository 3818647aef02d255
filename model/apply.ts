// Running steps. The same guard and recipe serve two paths:
//  - `applyStep`: immer's `produce` on an immutable world (traces, replay, tests, user code);
//  - `applyMutable`: a plain deep copy that the recipe mutates directly (the checker's hot path,
//    ~10x cheaper than reading through immer's draft proxies).
// A test holds the two paths to identical results on random reachable worlds.
import { ARG_SCHEMAS } from './args.js';
import { check } from './schema-kit.js';
import { produce, type Draft } from 'immer';
import type { Bounds } from './bounds.js';
import { DesignError, type Design } from './design.js';
import { GcLockBusy, makeKernel } from './kernel.js';
import { malformation } from './validate.js';
import type { Ctx, ProgramStep, Result, Step, Transition } from './step.js';
import { resume } from './syscalls/resume.js';
import { gcLocked } from './world.js';
import { syscalls } from './syscalls/index.js';
import type { FdSlot, File, Pending, Skb, Task, UnixSock, World } from './world.js';
import type { Syscall } from './step.js';
import type { SyscallName } from './bounds.js';

export function makeCtx(design: Design, bounds: Bounds, programs?: readonly (readonly ProgramStep[])[]): Ctx {
  const userCode = design.hooks.flush !== undefined || design.hooks.releaseRing !== undefined || design.layers.some((l) => !l.trusted);
  const ctx = { design, bounds, k: makeKernel(design), userCode };
  return programs ? { ...ctx, programs } : ctx;
}

/** A design with hooks or overrides of its own runs user code inside recipes: check that it left a
 *  well-formed world. */
function checkHooked(w: World, ctx: Ctx): void {
  if (!ctx.userCode) return;
  const bad = malformation(w);
  if (bad !== undefined) throw new DesignError(ctx.design.name, new Error(`left a malformed world: ${bad}`));
}

const sys = (name: SyscallName): Syscall<SyscallName> => syscalls[name] as unknown as Syscall<SyscallName>;
const taskOf = (s: Step): number => (s.task === 'kernel' ? -1 : s.task);

/** What the step returns in w, or undefined when the model cannot take it (wrong actor, dead task,
 *  a bound, a task in the middle of another call, a scenario's program that says otherwise, a lock the
 *  GC holds). */
export function guardStep(w: World, step: Step, ctx: Ctx): Result | undefined {
  const sc = sys(step.syscall);
  if ((sc.actor === 'kernel') !== (step.task === 'kernel')) return undefined;
  if (step.task !== 'kernel') {
    const task = w.tasks[step.task];
    if (!task) return undefined;
    if ((task.pending !== null) !== (step.syscall === 'resume')) return undefined;
    if (ctx.programs && step.syscall !== 'resume') {
      const line = ctx.programs[step.task]?.[task.pc];
      if (!line || line.syscall !== step.syscall || JSON.stringify(line.args) !== JSON.stringify(step.args)) return undefined;
    }
  }
  const result = sc.guard(w, taskOf(step), step.args, ctx);
  if (result && waitsForGcLock(w, step, result, ctx)) return undefined;
  return result;
}

/** Would the step take unix_gc_lock while the GC holds it? Then the task would sleep: the step is not
 *  possible in w. Found by a dry run of the recipe on a copy (only while the GC holds the lock). */
function waitsForGcLock(w: World, step: Step, result: Result, ctx: Ctx): boolean {
  if (step.task === 'kernel' || !gcLocked(w.gc)) return false;
  try {
    runRecipe(cloneWorld(w) as Draft<World>, step, result, ctx);
    return false;
  } catch (e) {
    if (e instanceof GcLockBusy) return true;
    throw e;
  }
}

/** The recipe of a step, and the scenario bookkeeping: starting a call moves the task's program on. */
function runRecipe(d: Draft<World>, step: Step, result: Result, ctx: Ctx): void {
  sys(step.syscall).recipe(d, taskOf(step), step.args, result, ctx);
  if (ctx.programs && step.task !== 'kernel' && step.syscall !== 'resume') d.tasks[step.task]!.pc++;
}

/** The immutable path: the successor world and the result, or undefined when not possible. */
export function applyStep(w: World, step: Step, ctx: Ctx): { world: World; result: Result } | undefined {
  const result = guardStep(w, step, ctx);
  if (!result) return undefined;
  const world = blameStep(step, () => {
    const out = produce(w, (d: Draft<World>) => { runRecipe(d, step, result, ctx); });
    checkHooked(out, ctx);
    return out;
  });
  return { world, result };
}

/** A deep copy of a world for the recipes to mutate. Written out per type because a generic copy
 *  was a third of the checker's time. A released file that holds nothing is shared, frozen: correct
 *  recipes never write to it, and a design hook that does fails loudly instead of corrupting other
 *  states. */
export function cloneWorld(w: World): World {
  const tasks = new Array<Task>(w.tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const t = w.tasks[i]!;
    const fds = new Array<FdSlot | null>(t.fds.length);
    for (let j = 0; j < fds.length; j++) { const s = t.fds[j]!; fds[j] = s === null ? null : { file: s.file, cloexec: s.cloexec }; }
    tasks[i] = { alive: t.alive, fds, pending: t.pending === null ? null : clonePending(t.pending), pc: t.pc };
  }
  const files = new Array<File>(w.files.length);
  for (let i = 0; i < files.length; i++) {
    const f = w.files[i]!;
    if (f.released && isInert(f)) { files[i] = Object.isFrozen(f) ? f : Object.freeze(cloneFile(f)); continue; }
    files[i] = cloneFile(f);
  }
  const g = w.gc;
  return {
    tasks,
    files,
    gc: {
      phase: g.phase, inflightList: g.inflightList.slice(), toSelect: g.toSelect.slice(), candidates: g.candidates.slice(),
      hitlist: g.hitlist.map(cloneSkb), collected: g.collected.slice(),
      sccs: g.sccs.map((c) => ({ members: c.members.slice(), sccIndex: c.sccIndex.slice() })),
      nextScc: g.nextScc, nextMember: g.nextMember, sccDead: g.sccDead, peekSeen: g.peekSeen,
      maybeCyclic: g.maybeCyclic, grouped: g.grouped,
      lastSccs: g.lastSccs.map((c) => ({ members: c.members.slice(), sccIndex: c.sccIndex.slice() })),
      maxSccIndex: g.maxSccIndex, edges: g.edges.map((e) => e.slice()), hitFrom: g.hitFrom.slice(),
    },
    reports: w.reports.slice(),
  };
}

const clonePending = (p: Pending): Pending => (p.kind === 'recvmsg' ? { ...p, cookie: p.cookie.slice() } : { ...p });

/** A file that holds nothing (no skb, table or request, no teardown waiting): once released, nothing it
 *  does can matter again — cloneWorld shares such a record, replay's compaction drops it (traces/compact.ts). */
export const isInert = (f: File): boolean =>
  (f.sock === null || (f.sock.queue.length === 0 && f.sock.oobSkb === null && f.sock.acceptQueue.length === 0)) &&
  (f.ring === null || (!f.ring.dying && f.ring.table === null && f.ring.requests.length === 0 && (f.ring.ringSock === null || f.ring.ringSock.queue.length === 0)));

const cloneSkb = (s: Skb): Skb => ({ fds: s.fds.slice(), oob: s.oob, scmIoUring: s.scmIoUring, pinned: s.pinned });
const cloneSock = (s: UnixSock): UnixSock => ({
  type: s.type, state: s.state, peer: s.peer, listener: s.listener, acceptQueue: s.acceptQueue.slice(),
  queue: s.queue.map(cloneSkb), oobSkb: s.oobSkb === null ? null : cloneSkb(s.oobSkb), inflight: s.inflight,
  ...(s.scmRights === false ? { scmRights: false } : {}),
});
function cloneFile(f: File): File {
  const r = f.ring;
  return {
    kind: f.kind, f_count: f.f_count, released: f.released,
    sock: f.sock === null ? null : cloneSock(f.sock),
    ring: r === null ? null : {
      table: r.table === null ? null : r.table.slice(), ringSock: r.ringSock === null ? null : cloneSock(r.ringSock),
      requests: r.requests.map((q) => ({ ...q })), dying: r.dying, dead: r.dead,
    },
  };
}

/** The checker's path: the same recipe on a mutable copy. */
export function applyMutable(w: World, tr: Transition, ctx: Ctx): World {
  const copy = cloneWorld(w) as Draft<World>;
  blameStep(tr.step, () => {
    runRecipe(copy, tr.step, tr.result, ctx);
    checkHooked(copy as World, ctx);
  });
  return copy as World;
}

/** Every step the checker explores from w, with its result, in a fixed order: tasks by number, then
 *  syscalls in the order of `bounds.ops`, then arguments as each syscall lists them; the kernel's
 *  actors last. */
export function enabledSteps(w: World, ctx: Ctx): Transition[] {
  const out: Transition[] = [];
  const ops = ctx.bounds.ops;
  const push = (step: Step, result: Result | undefined): void => {
    if (result && !waitsForGcLock(w, step, result, ctx)) out.push({ step, result });
  };
  for (let t = 0; t < w.tasks.length; t++) {
    const task = w.tasks[t]!;
    if (!task.alive) continue;
    if (task.pending !== null) {
      for (const args of resume.explore(w, t, ctx)) push({ task: t, syscall: 'resume', args }, resume.guard(w, t, args, ctx));
      continue;
    }
    if (ctx.programs) {
      // A scenario: the task's next program line, whatever its result.
      const line = ctx.programs[t]?.[task.pc];
      if (line) push({ task: t, syscall: line.syscall, args: line.args } as Step, sys(line.syscall).guard(w, t, line.args, ctx));
      continue;
    }
    for (const name of ops) {
      const sc = sys(name);
      if (sc.actor !== 'task' || name === 'resume') continue;
      for (const args of sc.explore(w, t, ctx)) push({ task: t, syscall: name, args }, sc.guard(w, t, args, ctx));
    }
  }
  for (const name of ops) {
    const sc = sys(name);
    if (sc.actor !== 'kernel') continue;
    for (const args of sc.explore(w, -1, ctx)) push({ task: 'kernel', syscall: name, args }, sc.guard(w, -1, args, ctx));
  }
  return out;
}

/** A design hook that throws is reported with the step it threw in. */
function blameStep<R>(step: Step, fn: () => R): R {
  try { return fn(); } catch (e) {
    if (e instanceof DesignError && e.step === undefined) {
      throw new DesignError(e.design, e.cause, `${step.task === 'kernel' ? 'kernel' : `T${step.task}`} ${formatStep(step)}`);
    }
    throw e;
  }
}

export function formatStep(step: Step): string {
  return sys(step.syscall).format(step.args);
}

/** A syscall's arguments read from a file (a trace, a scenario's program line), by its schema
 *  (model/args.ts): the arguments, or a one-line reason. */
export function parseStepArgs(name: SyscallName, raw: unknown): Step['args'] | string {
  const r = check(ARG_SCHEMAS[name], raw);
  return r.ok ? r.value : r.message;
}

export const syscallActor = (name: SyscallName): 'task' | 'kernel' => sys(name).actor;
