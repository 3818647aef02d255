// The conformance suite (issue 4, part 4): traces drawn from the model of linux-6.18 itself —
// every distinct state's first path in a breadth-first exploration at small bounds (a deterministic
// pick among them), plus seeded random walks at larger depth — to be replayed on the kernel.
import { applyMutable, enabledSteps, guardStep, makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { canonicalKey } from '../model/key.js';
import type { Step, Transition } from '../model/step.js';
import { initialWorld, type World } from '../model/world.js';
import { toTraceStep } from '../traces/build.js';
import type { TraceStep } from '../traces/format.js';
import { touchesTeardownCanary } from './compare.js';

export interface SuiteTrace { readonly name: string; readonly bounds: Bounds; readonly steps: readonly TraceStep[] }

/** What oracle/executor.c can run; a whole GC run per step (the kernel's GC cannot be stepped). */
export const ORACLE_OPS: Bounds['ops'] = [
  'open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'sendmsg', 'recvmsg', 'io_uring_setup',
  'io_uring_register', 'io_uring_update', 'io_uring_unregister', 'unix_gc', 'setsockopt',
];
/** The ring walks' calls: the oracle's, with io_uring_enter and the kernel's io-wq stages (which the walk
 *  takes where the kernel does: ringSchedule). No exit or exec: the kernel cancels a task's requests
 *  there and the model does not (oracle/compare.ts ioNotMade). */
export const RING_OPS: Bounds['ops'] = [
  'open', 'close', 'dup', 'fork', 'socket', 'socketpair', 'sendmsg', 'recvmsg', 'io_uring_setup', 'io_uring_register', 'io_uring_update',
  'io_uring_unregister', 'unix_gc', 'io_uring_enter', 'io_wq', 'io_ring_exit',
];
/** Bounds of the ring walks: two requests per ring, room for two rings and their files. */
export const RING_BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, files: 6, fds: 6, skbs: 2, msgFds: 2, reqs: 2, depth: 0, gc: 'atomic', ops: RING_OPS };
/** Bounds of the breadth-first part (depth 4: about 10^4 states, a second). */
export const SUITE_BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 2, files: 3, fds: 3, skbs: 2, msgFds: 2, depth: 0, gc: 'atomic', ops: ORACLE_OPS };
/** Bounds of the random walks: wider tables, more files. */
export const WALK_BOUNDS: Bounds = { ...DEFAULT_BOUNDS, tasks: 3, files: 5, fds: 5, skbs: 2, msgFds: 2, depth: 0, gc: 'atomic', ops: ORACLE_OPS };

const keyOf = (w: World): string => Buffer.from(canonicalKey(w, false).buffer).toString('base64');
const toSteps = (path: readonly Transition[]): TraceStep[] => path.map((tr) => toTraceStep(tr.step, tr.result));

/** Breadth-first to `depth`; the first path to each distinct state, in discovery order. */
export function explorePaths(design: Design, bounds: Bounds, depth: number, maxStates = 200_000): Transition[][] {
  const ctx = makeCtx(design, bounds);
  const seen = new Set<string>();
  const w0 = initialWorld(bounds.tasks, bounds.fds);
  seen.add(keyOf(w0));
  let frontier: { w: World; path: Transition[] }[] = [{ w: w0, path: [] }];
  const out: Transition[][] = [];
  for (let d = 0; d < depth && frontier.length > 0 && seen.size < maxStates; d++) {
    const next: typeof frontier = [];
    for (const { w, path } of frontier) {
      for (const tr of enabledSteps(w, ctx)) {
        const w2 = applyMutable(w, tr, ctx);
        const k = keyOf(w2);
        if (seen.has(k) || seen.size >= maxStates) continue;
        seen.add(k);
        const p = [...path, tr];
        out.push(p);
        next.push({ w: w2, path: p });
      }
    }
    frontier = next;
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so the walks are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomWalk(design: Design, bounds: Bounds, seed: number, length: number): Transition[] {
  const ctx = makeCtx(design, bounds);
  const next = rng(seed);
  let w = initialWorld(bounds.tasks, bounds.fds);
  const path: Transition[] = [];
  for (let i = 0; i < length; i++) {
    const steps = enabledSteps(w, ctx);
    if (steps.length === 0) break;
    const tr = steps[Math.floor(next() * steps.length)]!;
    w = applyMutable(w, tr, ctx);
    path.push(tr);
  }
  return path;
}

/** The kernel's schedule of io_uring work after a step: every stage a recv can take now (its socket has
 *  data, or EOF), taken at once, as the kernel completes a recv inline or by task_work; a read of a canary
 *  pipe or a poll of a ring waits (queued) until the ring's release cancels it; a teardown that waits for no
 *  request any more runs. */
function ringSchedule(w: World, ctx: ReturnType<typeof makeCtx>, path: Transition[]): World {
  for (let n = 0; n < 32; n++) {
    const tr = enabledSteps(w, ctx).find((x) => x.step.task === 'kernel'
      && ((x.step.syscall === 'io_wq' && w.files[(x.step.args as { ring: number }).ring]?.ring?.requests[(x.step.args as { req: number }).req]?.op === 'recv')
        || x.step.syscall === 'io_ring_exit'));
    if (!tr) return w;
    w = applyMutable(w, tr, ctx);
    path.push(tr);
  }
  return w;
}

/** A seeded walk with io_uring requests: the checker's choices (fixed reads and recvs, reads of ring fds)
 *  plus plain-fd reads of regular files and recvs of connected stream sockets, which it leaves out; the
 *  kernel's own stages only as the kernel takes them (ringSchedule); no read of a socket (the kernel's
 *  would consume data, oracle/compare.ts ioNotMade) and no fixed slot on the executor's teardown canary. */
export function ringWalk(design: Design, bounds: Bounds, seed: number, length: number): Transition[] {
  const ctx = makeCtx(design, bounds);
  const next = rng(seed);
  let w = initialWorld(bounds.tasks, bounds.fds);
  const path: Transition[] = [];
  for (let i = 0; i < length; i++) {
    const plain: Transition[] = [];
    w.tasks.forEach((task, t) => {
      if (!task.alive) return;
      task.fds.forEach((ring, ri) => {
        if (!ring || w.files[ring.file]?.kind !== 'io_uring') return;
        task.fds.forEach((slot, si) => {
          const f = slot ? w.files[slot.file] : undefined;
          if (!f) return;
          const op = f.kind === 'regular' ? 'read' : f.sock?.type === 'stream' && f.sock.state === 'connected' ? 'recv' : undefined;
          if (!op) return;
          const step = { task: t, syscall: 'io_uring_enter', args: { fd: ri + 3, op, fixed: false, target: si + 3 } } as Step;
          const result = guardStep(w, step, ctx);
          if (result) plain.push({ step, result });
        });
      });
    });
    // And a call with arbitrary arguments now and then, for the error paths (an empty or missing slot:
    // the CQE's EBADF; ENOTSOCK, EINVAL for a recv of a file or an unconnected socket; EOPNOTSUPP, EBADF).
    const alive = w.tasks.map((x, t) => (x.alive ? t : -1)).filter((t) => t >= 0);
    if (alive.length > 0 && next() < 0.3) {
      const fixed = next() < 0.5;
      const fd = (): number => 3 + Math.floor(next() * (bounds.fds + 1));
      const step = { task: alive[Math.floor(next() * alive.length)]!, syscall: 'io_uring_enter',
        args: { fd: fd(), op: next() < 0.5 ? 'read' : 'recv', fixed, target: fixed ? Math.floor(next() * 3) : fd() } } as Step;
      const result = guardStep(w, step, ctx);
      if (result) plain.push({ step, result });
    }
    const steps = [...enabledSteps(w, ctx), ...plain].filter((tr) => {
      const s = tr.step;
      if (s.task === 'kernel' && s.syscall !== 'unix_gc') return false;   // the schedule takes them
      if (s.syscall !== 'io_uring_enter') return !touchesTeardownCanary(s, w);
      const a = s.args as { fd: number; op: string; fixed: boolean; target: number };
      const ring = w.files[w.tasks[s.task as number]!.fds[a.fd - 3]?.file ?? -1]?.ring;
      if (a.fixed && ring?.table && ring.table.length > 0 && a.target === ring.table.length) return false;   // the teardown canary's slot
      const file = a.fixed ? ring?.table?.[a.target] : w.tasks[s.task as number]!.fds[a.target - 3]?.file;
      return !(a.op === 'read' && file != null && w.files[file]!.sock);
    });
    if (steps.length === 0) break;
    // Requests are the point: an io_uring call is three times as likely as the others.
    const weighted = steps.flatMap((tr) => (tr.step.syscall.startsWith('io_uring') ? [tr, tr, tr] : [tr]));
    const tr = weighted[Math.floor(next() * weighted.length)]!;
    w = applyMutable(w, tr, ctx);
    path.push(tr);
    w = ringSchedule(w, ctx, path);
  }
  return path;
}

/** The suite: `explored` paths picked evenly (deterministically) among every state's first path
 *  within `depth`, then `walks` random walks of `walkLength` steps (seeds 1..walks). */
export function conformanceSuite(design: Design, opts: { depth?: number; explored?: number; walks?: number; walkLength?: number; errorWalks?: number; ringWalks?: number; bounds?: Bounds } = {}): SuiteTrace[] {
  const bounds = opts.bounds ?? SUITE_BOUNDS;
  const depth = opts.depth ?? 4;
  const explored = opts.explored ?? 400;
  const walks = opts.walks ?? 100;
  const walkLength = opts.walkLength ?? 16;
  const paths = explorePaths(design, bounds, depth);
  const out: SuiteTrace[] = [];
  const picks = Math.min(explored, paths.length);
  for (let i = 0; i < picks; i++) {
    const idx = Math.floor((i * paths.length) / picks);
    out.push({ name: `bfs-${idx}`, bounds, steps: toSteps(paths[idx]!) });
  }
  // Distinct traces only: a walk equal to an earlier trace is skipped (the seed moves on).
  const seen = new Set(out.map((x) => JSON.stringify(x.steps)));
  for (let s = 1, n = 0; n < walks && s < walks * 10; s++) {
    const steps = toSteps(randomWalk(design, WALK_BOUNDS, s, walkLength));
    const k = JSON.stringify(steps);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ name: `walk-${s}`, bounds: WALK_BOUNDS, steps });
    n++;
  }
  const errorWalks = opts.errorWalks ?? 100;
  for (let s = 1, n = 0; n < errorWalks && s < errorWalks * 10; s++) {
    const steps = toSteps(errorWalk(design, WALK_BOUNDS, s, walkLength + 4));
    const k = JSON.stringify(steps);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ name: `errors-${s}`, bounds: WALK_BOUNDS, steps });
    n++;
  }
  // io_uring requests (issue 14, part 4): walks that submit them, the kernel's schedule of their stages.
  const ringWalks = opts.ringWalks ?? 60;
  for (let s = 1, n = 0; n < ringWalks && s < ringWalks * 10; s++) {
    const steps = toSteps(ringWalk(design, RING_BOUNDS, s, walkLength));
    const k = JSON.stringify(steps);
    if (seen.has(k) || !steps.some((x) => x.syscall === 'io_uring_enter')) continue;
    seen.add(k);
    out.push({ name: `rings-${s}`, bounds: RING_BOUNDS, steps });
    n++;
  }
  return out;
}

/** A walk that also makes the calls the checker does not explore: any syscall with random arguments
 *  (fds from 3 to one past the table, including closed ones and wrong kinds; the model leaves out
 *  stdio, 0 to 2), so that the error paths
 *  (EBADF, ENOTSOCK, EOPNOTSUPP, ENXIO, EMFILE, EPIPE, ECONNREFUSED, EAGAIN on an empty queue ...) are
 *  compared too. Steps the model cannot make (beyond a bound) are skipped. Sends whose result is EAGAIN
 *  (a full queue at the skbs bound: the kernel's queues are longer) are not taken. */
export function errorWalk(design: Design, bounds: Bounds, seed: number, length: number): Transition[] {
  const ctx = makeCtx(design, bounds);
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const fd = (): number => 3 + Math.floor(next() * (bounds.fds + 1));
  const fds = (): number[] => Array.from({ length: Math.floor(next() * (bounds.msgFds + 1)) }, fd);
  let w = initialWorld(bounds.tasks, bounds.fds);
  const path: Transition[] = [];
  for (let tries = 0; path.length < length && tries < length * 20; tries++) {
    const name = pick(bounds.ops);
    const alive = w.tasks.map((t, i) => (t.alive ? i : -1)).filter((i) => i >= 0);
    if (alive.length === 0) break;
    const task = name === 'unix_gc' ? 'kernel' as const : pick(alive);
    let args: Record<string, unknown> = {};
    switch (name) {
      case 'close': case 'dup': case 'io_uring_unregister': args = { fd: fd() }; break;
      case 'socketpair': args = { type: pick(['dgram', 'stream']) }; break;
      case 'sendmsg': args = { fd: fd(), rights: fds() }; break;
      case 'recvmsg': args = { fd: fd(), peek: next() < 0.3 }; break;
      case 'io_uring_register': args = { fd: fd(), files: fds() }; break;
      // Offsets up to two past a small table (EINVAL), entries fds or -1 (clear the slot).
      case 'setsockopt': args = { fd: fd(), val: next() < 0.7 ? 0 : 1 }; break;
      case 'io_uring_update': args = { fd: fd(), offset: Math.floor(next() * (bounds.msgFds + 2)), files: Array.from({ length: 1 + Math.floor(next() * bounds.msgFds) }, () => (next() < 0.25 ? -1 : fd())) }; break;
      default: args = {};
    }
    const step = { task, syscall: name, args } as Step;
    if (touchesTeardownCanary(step, w)) continue;   // the executor does not make it (oracle/compare.ts)
    const result = guardStep(w, step, ctx);
    if (!result) continue;
    if (name === 'sendmsg' && result.errno === 'EAGAIN') continue;
    if (name === 'exit' && next() < 0.7) continue;   // keep walks long
    if ((name === 'unix_gc' || name === 'exec') && next() < 0.8) continue;   // always possible: keep them rarer
    const tr = { step, result };
    w = applyMutable(w, tr, ctx);
    path.push(tr);
  }
  return path;
}
