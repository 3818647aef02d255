// Running steps. The same guard and recipe serve two paths:
//  - `applyStep`: immer's `produce` on an immutable world (traces, replay, tests, user code);
//  - `applyMutable`: a plain deep copy that the recipe mutates directly (the checker's hot path,
//    ~10x cheaper than reading through immer's draft proxies).
// A test holds the two paths to identical results on random reachable worlds.
import { produce, type Draft } from 'immer';
import type { Bounds } from './bounds.js';
import { DesignError, type Design } from './design.js';
import { makeKernel } from './kernel.js';
import { malformation } from './validate.js';
import type { Ctx, Result, Step, Transition } from './step.js';
import { syscalls } from './syscalls/index.js';
import type { FdSlot, File, Skb, Task, UnixSock, World } from './world.js';
import type { Syscall } from './step.js';
import type { SyscallName } from './bounds.js';

export function makeCtx(design: Design, bounds: Bounds): Ctx {
  return { design, bounds, k: makeKernel(design) };
}

/** A design with hooks runs user code inside recipes: check that it left a well-formed world. */
function checkHooked(w: World, ctx: Ctx): void {
  if (ctx.design.hooks.flush === undefined && ctx.design.hooks.releaseRing === undefined) return;
  const bad = malformation(w);
  if (bad !== undefined) throw new DesignError(ctx.design.name, new Error(`left a malformed world: ${bad}`));
}

const sys = (name: SyscallName): Syscall<SyscallName> => syscalls[name] as unknown as Syscall<SyscallName>;
const taskOf = (s: Step): number => (s.task === 'kernel' ? -1 : s.task);

/** What the step returns in w, or undefined when the model cannot take it (wrong actor, dead task,
 *  a bound). */
export function guardStep(w: World, step: Step, ctx: Ctx): Result | undefined {
  const sc = sys(step.syscall);
  if ((sc.actor === 'kernel') !== (step.task === 'kernel')) return undefined;
  return sc.guard(w, taskOf(step), step.args, ctx);
}

/** The immutable path: the successor world and the result, or undefined when not possible. */
export function applyStep(w: World, step: Step, ctx: Ctx): { world: World; result: Result } | undefined {
  const result = guardStep(w, step, ctx);
  if (!result) return undefined;
  const world = blameStep(step, () => {
    const out = produce(w, (d: Draft<World>) => { sys(step.syscall).recipe(d, taskOf(step), step.args, result, ctx); });
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
    tasks[i] = { alive: t.alive, fds };
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
    gc: { inProgress: g.inProgress, candidates: g.candidates.slice(), notCycle: g.notCycle.slice(),
      maybeCycle: g.maybeCycle.slice(), hitlist: g.hitlist.map(cloneSkb) },
    reports: w.reports.slice(),
  };
}

const isInert = (f: File): boolean =>
  (f.sock === null || f.sock.queue.length === 0) && (f.ring === null || (f.ring.table === null && (f.ring.ringSock === null || f.ring.ringSock.queue.length === 0)));

const cloneSkb = (s: Skb): Skb => ({ fds: s.fds.slice() });
const cloneSock = (s: UnixSock): UnixSock => ({ type: s.type, peer: s.peer, queue: s.queue.map(cloneSkb), inflight: s.inflight });
function cloneFile(f: File): File {
  const r = f.ring;
  return {
    kind: f.kind, f_count: f.f_count, released: f.released,
    sock: f.sock === null ? null : cloneSock(f.sock),
    ring: r === null ? null : { table: r.table === null ? null : r.table.slice(), ringSock: r.ringSock === null ? null : cloneSock(r.ringSock), dead: r.dead },
  };
}

/** The checker's path: the same recipe on a mutable copy. */
export function applyMutable(w: World, tr: Transition, ctx: Ctx): World {
  const copy = cloneWorld(w) as Draft<World>;
  blameStep(tr.step, () => {
    sys(tr.step.syscall).recipe(copy, taskOf(tr.step), tr.step.args, tr.result, ctx);
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
  for (let t = 0; t < w.tasks.length; t++) {
    if (!w.tasks[t]!.alive) continue;
    for (const name of ops) {
      const sc = sys(name);
      if (sc.actor !== 'task') continue;
      for (const args of sc.explore(w, t, ctx)) {
        const result = sc.guard(w, t, args, ctx);
        if (result) out.push({ step: { task: t, syscall: name, args }, result });
      }
    }
  }
  for (const name of ops) {
    const sc = sys(name);
    if (sc.actor !== 'kernel') continue;
    for (const args of sc.explore(w, -1, ctx)) {
      const result = sc.guard(w, -1, args, ctx);
      if (result) out.push({ step: { task: 'kernel', syscall: name, args }, result });
    }
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

export function parseStepArgs(name: SyscallName, raw: Record<string, unknown>): Step['args'] | string {
  return sys(name).parseArgs(raw);
}

export const syscallActor = (name: SyscallName): 'task' | 'kernel' => sys(name).actor;
