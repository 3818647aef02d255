// Helpers for model tests: run a script of steps on the immutable path.
import { applyStep, makeCtx } from '../../model/apply.js';
import { DEFAULT_BOUNDS, type Bounds } from '../../model/bounds.js';
import { builtinDesign } from '../../model/designs/index.js';
import type { Design } from '../../model/design.js';
import type { Ctx, Result, Step } from '../../model/step.js';
import { initialWorld, type World } from '../../model/world.js';

export const design = (name: string): Design => {
  const d = builtinDesign(name);
  if (!d) throw new Error(`no design ${name}`);
  return d;
};

export function ctxFor(name: string | Design, bounds: Partial<Bounds> = {}): Ctx {
  return makeCtx(typeof name === 'string' ? design(name) : name, { ...DEFAULT_BOUNDS, tasks: 2, files: 6, fds: 6, skbs: 4, msgFds: 3, ...bounds });
}

/** A tiny script language: "T0 socketpair dgram", "T0 sendmsg 3 5", "T0 close 3", "gc" (a whole run),
 *  "gc start" / "gc select" / "gc scan" / "gc purge" (one phase), "T0 enter 5 read fixed 1" /
 *  "T0 enter 5 read 6" (io_uring_enter on a fixed slot / a plain fd), "T0 update 5 0 4 -1"
 *  (IORING_REGISTER_FILES_UPDATE at offset 0), "io_wq 5 0 block" (ring file, request, stage),
 *  "io_ring_exit 5". */
export function parseLine(line: string): Step {
  const [who, name, ...rest] = line.trim().split(/\s+/);
  if (who === 'gc') return { task: 'kernel', syscall: 'unix_gc', args: name ? { phase: name } : {} };
  if (who === 'io_wq') return { task: 'kernel', syscall: 'io_wq', args: { ring: Number(name), req: Number(rest[0]), stage: rest[1]! } };
  if (who === 'io_ring_exit') return { task: 'kernel', syscall: 'io_ring_exit', args: { ring: Number(name) } };
  const task = Number(who!.slice(1));
  const n = rest.map(Number);
  switch (name) {
    case 'open': case 'fork': case 'exit': case 'exec': case 'io_uring_setup':
      return { task, syscall: name, args: {} } as Step;
    case 'close': case 'dup': case 'io_uring_unregister':
      return { task, syscall: name, args: { fd: n[0]! } } as Step;
    case 'socketpair': return { task, syscall: 'socketpair', args: { type: rest[0] as 'dgram' | 'stream' } };
    case 'sendmsg': {
      // "T0 sendmsg 4 3 3 oob": MSG_OOB
      const oob = rest[rest.length - 1] === 'oob';
      const nums = (oob ? rest.slice(0, -1) : rest).map(Number);
      return { task, syscall: 'sendmsg', args: oob ? { fd: nums[0]!, rights: nums.slice(1), oob } : { fd: nums[0]!, rights: nums.slice(1) } };
    }
    // Sockets: "T0 socket stream", "T0 listen 3", "T0 connect 4 3" (fd, to), "T0 accept 3", and
    // "T0 resume connect(4) peer" (the next sub-step of the call in progress).
    case 'socket': return { task, syscall: 'socket', args: { type: rest[0] as 'dgram' | 'stream' } };
    case 'listen': case 'accept': return { task, syscall: name, args: { fd: n[0]! } } as Step;
    case 'connect': return { task, syscall: 'connect', args: { fd: n[0]!, to: n[1]! } };
    case 'resume': return { task, syscall: 'resume', args: { call: rest[0]!, stage: rest.slice(1).join(' ') } };
    case 'recvmsg': return { task, syscall: 'recvmsg', args: { fd: n[0]!, peek: rest[1] === 'peek' } };
    case 'peek': return { task, syscall: 'recvmsg', args: { fd: n[0]!, peek: true } };
    case 'io_uring_register': return { task, syscall: 'io_uring_register', args: { fd: n[0]!, files: n.slice(1) } };
    case 'enter': {
      const fixed = rest[2] === 'fixed';
      return { task, syscall: 'io_uring_enter', args: { fd: n[0]!, op: rest[1] as 'read' | 'recv', fixed, target: fixed ? n[3]! : n[2]! } };
    }
    case 'update': return { task, syscall: 'io_uring_update', args: { fd: n[0]!, offset: n[1]!, files: n.slice(2) } };
    // "T0 setsockopt 3 0": SO_PASSRIGHTS off on fd 3
    case 'setsockopt': return { task, syscall: 'setsockopt', args: { fd: n[0]!, val: n[1] === 0 ? 0 : 1 } };
    default: throw new Error(`bad script line ${line}`);
  }
}

export interface Run { world: World; results: Result[]; worlds: World[] }

/** Runs the lines in order from the initial world; throws if a step is impossible in the model. */
export function run(ctx: Ctx, lines: readonly string[], from?: World): Run {
  let world = from ?? initialWorld(ctx.bounds.tasks, ctx.bounds.fds);
  const results: Result[] = [];
  const worlds = [world];
  for (const line of lines) {
    const r = applyStep(world, parseLine(line), ctx);
    if (!r) throw new Error(`impossible step: ${line}`);
    world = r.world;
    results.push(r.result);
    worlds.push(world);
  }
  return { world, results, worlds };
}

/** The worlds along `steps` from the initial world at the default bounds (step objects, not script lines). */
export function playSteps(d: Design, steps: readonly Step[]): World[] {
  const ctx = makeCtx(d, DEFAULT_BOUNDS);
  const worlds = [initialWorld(DEFAULT_BOUNDS.tasks, DEFAULT_BOUNDS.fds)];
  for (const s of steps) {
    const r = applyStep(worlds[worlds.length - 1]!, s, ctx);
    if (!r) throw new Error(`step not possible: ${JSON.stringify(s)}`);
    worlds.push(r.world);
  }
  return worlds;
}
