// The model's predictions for a trace, and their comparison with what the kernel did.
// Fates: `live` (reachable from a live task's fd table), `released`, or `garbage` (not released,
// not reachable: waiting for a GC trigger, which anything on the machine may cause, so either
// observation agrees). Ring files are not observed by the executor; their contents are.
import { applyStep, makeCtx } from '../model/apply.js';
import type { Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { reachable } from '../model/holders.js';
import type { Result, Step } from '../model/step.js';
import { FD_BASE, fileName, type World } from '../model/world.js';
import { runSteps, traceStepToStep } from '../traces/build.js';
import type { TraceStep } from '../traces/format.js';
import type { EnterOp, Header, KernelRun, KernelStep, Script, ScriptStep } from './executor.js';
import { nextStage } from '../model/syscalls/io_wq.js';

export type Fate = 'live' | 'released' | 'garbage';

export function fatesOf(w: World, design: Design): Fate[] {
  const reach = reachable(w, design);
  return w.files.map((f, id) => (f.released ? 'released' : reach[id] ? 'live' : 'garbage'));
}

export interface Prediction {
  readonly script: Script;
  readonly steps: readonly Step[];
  readonly results: readonly Result[];
  readonly worlds: readonly World[];
  readonly fates: readonly Fate[][];
  /** Per step, for an explicit unix_gc: the files the kernel's GC cascade releases beyond the model's
   *  one pass (empty otherwise). The kernel's GC frees sockets whose final release (unix_release_sock:
   *  `if (READ_ONCE(unix_tot_inflight)) unix_gc()`) schedules the GC again, before the step's observation
   *  is over; the model runs one pass per unix_gc step. So the cascade is the model's unix_gc repeated while
   *  the last pass released a unix socket. */
  readonly cascade: readonly (readonly number[])[];
  /** A step the executor cannot make faithfully (the trace must not be run): its index and why. */
  readonly notMade?: { readonly index: number; readonly why: string };
}

/** An io_uring_update whose range ends exactly one past the ring's registered table: the executor keeps
 *  a private teardown canary in that slot (oracle/executor.c), so the kernel's range check
 *  (offset + nr > nr_user_files: EINVAL) would pass there. Such a step is not made. */
export function touchesTeardownCanary(s: { task: unknown; syscall: string; args: unknown }, before: World): boolean {
  if (s.syscall !== 'io_uring_update' || typeof s.task !== 'number') return false;
  const { fd, offset, files } = s.args as { fd: number; offset: number; files: number[] };
  const ring = before.files[before.tasks[s.task]?.fds[fd - FD_BASE]?.file ?? -1]?.ring;
  return !!ring && !ring.dead && ring.table !== null && ring.table.length > 0 && offset + files.length === ring.table.length + 1;
}

/** The file an io_uring_enter step's SQE names in the world before it (a fixed slot's, or the task's fd's). */
function enterTarget(s: { task: unknown; args: unknown }, before: World): number | undefined {
  const { fd, fixed, target } = s.args as { fd: number; fixed: boolean; target: number };
  if (typeof s.task !== 'number') return undefined;
  if (!fixed) return before.tasks[s.task]?.fds[target - FD_BASE]?.file;
  const ring = before.files[before.tasks[s.task]?.fds[fd - FD_BASE]?.file ?? -1]?.ring;
  return ring?.table?.[target] ?? undefined;
}

/** The SQE the model's request maps to (oracle/executor.c worker_ring_enter): `recv` is IORING_OP_RECV; a
 *  read on a ring is a POLL_ADD for an event the ring never reports (the model's request holds the ring
 *  and never completes by itself); any other read is IORING_OP_READ (of a canary pipe opened O_RDWR: no
 *  data, pending). */
export function enterOp(s: { task: unknown; args: unknown }, before: World): EnterOp {
  if ((s.args as { op: string }).op === 'recv') return 'recv';
  const id = enterTarget(s, before);
  return id !== undefined && before.files[id]?.kind === 'io_uring' ? 'poll' : 'read';
}

/** Why the executor cannot make step i of an io_uring trace faithfully, or undefined. The kernel runs a
 *  request itself: a read of the canary pipe or a poll of a ring arms a poll and waits (the model's
 *  `queued`), a recv completes as soon as its socket has data or EOF. So the model's io-wq stages must be
 *  where the kernel takes them: `block` never (no io-wq worker blocks in these reads), a recv's `pick` and
 *  `complete` at once (no other step while one of them is enabled). Not made either: a read of a unix
 *  socket (the kernel's read would consume an skb, the model's reads no data), a fixed slot one past the
 *  table (the executor's teardown canary), a GC in phases (the kernel's GC cannot be stepped), and an
 *  exit or exec with requests of the task in flight: the kernel cancels them there (do_exit's
 *  io_uring_files_cancel: the requests on a ring file, REQ_F_INFLIGHT; begin_new_exec's
 *  io_uring_task_cancel: all), which the model does not (README, kernel: io_uring). */
function ioNotMade(steps: readonly TraceStep[], worlds: readonly World[]): { index: number; why: string } | undefined {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!, before = worlds[i]!;
    const phase = s.syscall === 'unix_gc' ? (s.args as { phase?: string }).phase : undefined;
    if (phase !== undefined && phase !== 'run') return { index: i, why: 'a GC in phases: the kernel\'s GC runs whole when it is kicked' };
    if (s.syscall === 'io_wq') {
      if ((s.args as { stage: string }).stage === 'block') return { index: i, why: 'no io-wq worker blocks in the kernel\'s read of a pipe or poll of a ring: it arms a poll and waits' };
      continue;
    }
    // A recv the kernel would have completed by now: its stage is enabled, and this step is not it.
    const eager = before.files.some((f, ring) => f.ring?.requests.some((q, r) => q.op === 'recv' && nextStage(before, ring, r) !== undefined));
    if (eager) return { index: i, why: 'a recv with data (or at EOF) waits here, where the kernel completes it at once' };
    if (s.syscall === 'io_uring_enter') {
      const { fixed, target } = s.args as { fixed: boolean; target: number };
      const id = enterTarget(s, before);
      if ((s.args as { op: string }).op === 'read' && id !== undefined && before.files[id]?.sock) return { index: i, why: 'a read of a unix socket: the kernel\'s read consumes an skb, the model\'s reads no data (use recv)' };
      const ring = before.files[before.tasks[s.task as number]?.fds[(s.args as { fd: number }).fd - FD_BASE]?.file ?? -1]?.ring;
      if (fixed && ring?.table && ring.table.length > 0 && target === ring.table.length) return { index: i, why: 'its slot is one past the ring\'s table, where the executor keeps its teardown canary' };
    }
    if ((s.syscall === 'exit' || s.syscall === 'exec') && typeof s.task === 'number') {
      const t = s.task;
      const cancels = before.files.some((f) => f.ring?.requests.some((q) => q.task === t && (s.syscall === 'exec' || before.files[q.file]?.kind === 'io_uring')));
      if (cancels) return { index: i, why: `the kernel cancels the task's io_uring requests at ${s.syscall === 'exit' ? 'exit (io_uring_files_cancel: those on a ring)' : 'exec (io_uring_task_cancel)'}, the model does not` };
    }
  }
  return undefined;
}

/** Runs the steps through the model of `design`; a string when a step is impossible there. */
export function predict(name: string, steps: readonly TraceStep[], bounds: Bounds, design: Design): Prediction | string {
  const ctx = makeCtx(design, bounds);
  const run = runSteps(steps, ctx);
  if (run.impossible !== undefined) return `step ${run.impossible + 1} cannot be made in design ${design.name} (no such task, or beyond the trace's bounds)`;
  const fates = run.worlds.map((w) => fatesOf(w, design));
  const cascade = steps.map((s, i) => (s.syscall === 'unix_gc' ? gcCascade(run.worlds[i]!, run.worlds[i + 1]!, ctx) : []));
  const scriptSteps: ScriptStep[] = steps.map((s, i) => {
    const step = traceStepToStep(s);
    const r = run.results[i]!;
    let predictedFds: number[] = [];
    if (!r.errno) {
      if (s.syscall === 'open' || s.syscall === 'dup' || s.syscall === 'io_uring_setup' || s.syscall === 'socket' || s.syscall === 'accept') predictedFds = [r.ret];
      else if (s.syscall === 'fork') predictedFds = [r.ret];
      else if (r.fds) predictedFds = [...r.fds];
    }
    const before = run.worlds[i]!, after = run.worlds[i + 1]!;
    const awaitReleased: number[] = [];
    after.files.forEach((f, id) => {
      const was = before.files[id];
      if (f.kind === 'io_uring') {
        // The ring drops its registrations here (last close, or unregister): asynchronous teardown.
        if (was && !was.released && was.ring?.table && (f.released || f.ring?.table === null)) awaitReleased.push(id);
      } else if (f.released && !was?.released) awaitReleased.push(id);
    });
    // The GC's cascade is part of the kernel's GC step: wait for it too.
    for (const id of cascade[i]!) if (after.files[id]!.kind !== 'io_uring') awaitReleased.push(id);
    let ringObj: number | undefined;
    if ((s.syscall === 'io_uring_register' || s.syscall === 'io_uring_unregister' || s.syscall === 'io_uring_update') && typeof s.task === 'number') {
      ringObj = before.tasks[s.task]?.fds[(s.args as { fd: number }).fd - FD_BASE]?.file;
    }
    // An update that clears a slot (done, or the failing entry's) drops a registered file.
    let flush = false;
    if (s.syscall === 'io_uring_update' && ringObj !== undefined) {
      const { offset, files } = s.args as { offset: number; files: number[] };
      const table = before.files[ringObj]?.ring?.table;
      if (table && files.length > 0 && offset >= 0 && offset + files.length <= table.length) flush = table.slice(offset, offset + files.length).some((x) => x !== null);
    }
    const acceptedObj = s.syscall === 'accept' && !r.errno && typeof s.task === 'number' ? after.tasks[s.task]?.fds[r.ret - FD_BASE]?.file : undefined;
    const op = s.syscall === 'io_uring_enter' ? { enterOp: enterOp(s, before) } : {};
    return { step, predictedFds, awaitReleased, ...(ringObj !== undefined ? { ringObj } : {}), ...(acceptedObj !== undefined ? { acceptedObj } : {}), ...(flush ? { flush } : {}), ...op };
  });
  const canary = steps.findIndex((s, i) => touchesTeardownCanary(s, run.worlds[i]!));
  const io = ioNotMade(steps, run.worlds);
  const notMade = canary >= 0 && (io === undefined || canary < io.index)
    ? { index: canary, why: "its update reaches one slot past the ring's table: the executor's teardown canary sits there, so the kernel would take it where the model says EINVAL" }
    : io;
  const last = fates[fates.length - 1]!;
  const script: Script = {
    name, tasks: bounds.tasks, fds: bounds.fds, steps: scriptSteps,
    fates: last.map((f) => (f === 'live' ? 'l' : f === 'released' ? 'r' : 'g')),
  };
  return { script, steps: steps.map(traceStepToStep), results: run.results, worlds: run.worlds, fates, cascade, ...(notMade ? { notMade } : {}) };
}

/** The files further unix_gc passes release after `w0` (the world right after a pass from `before`), for
 *  as long as a pass releases a unix socket (each such release schedules another GC in the kernel). */
function gcCascade(before: World, w0: World, ctx: ReturnType<typeof makeCtx>): number[] {
  const out: number[] = [];
  let w = w0;
  let released = w0.files.map((f) => f.released);
  // Only when the explicit pass released a unix socket does the kernel run again.
  let again = w0.files.some((f, id) => f.released && f.kind === 'unix' && !before.files[id]?.released);
  for (let n = 0; again && n < 16; n++) {
    const r = applyStep(w, { task: 'kernel', syscall: 'unix_gc', args: {} } as Step, ctx);
    if (!r) break;
    const now = r.world.files.map((f) => f.released);
    const fresh = now.map((x, id) => (x && !released[id] ? id : -1)).filter((id) => id >= 0);
    out.push(...fresh);
    again = fresh.some((id) => r.world.files[id]!.kind === 'unix');
    w = r.world; released = now;
  }
  return out;
}

export interface StepVerdict {
  readonly index: number;
  readonly model: Result;
  readonly kernel: KernelStep;
  readonly status: 'agree' | 'disagree' | 'unsupported';
  /** Why not, one line per difference. */
  readonly why: readonly string[];
}
export interface FateVerdict {
  readonly id: number;
  readonly name: string;
  readonly predicted: Fate;
  readonly observed: string;
  readonly agrees: boolean;
}
export interface Comparison {
  readonly steps: readonly StepVerdict[];
  readonly fates: readonly FateVerdict[];
  readonly unsupported: boolean;
  readonly agrees: boolean;
  readonly disagreements: number;
}

const sameList = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function fmtKernel(k: KernelStep): string {
  if (k.unsupported) return 'unsupported';
  if (k.error) return `error: ${k.error}`;
  if (k.errno) return `-1 ${k.errno}`;
  if (k.fds && k.fds.length > 0 && !(k.fds.length === 1 && k.fds[0] === k.ret)) return `${k.ret} [fds ${k.fds.join(', ')}]`;
  return `${k.ret}`;
}

/** `exactGarbage` (a VM, where nothing but the trace triggers the GC): at an explicit GC step the kernel
 *  must collect exactly what the model's GC collects; an object the model keeps as garbage that the
 *  kernel's GC released there is a disagreement. Elsewhere garbage stays either-way: the kernel also runs
 *  the GC when a unix socket is released while fds are in flight (unix_release_sock), the model only at
 *  its explicit step. */
export function compare(p: Prediction, run: KernelRun, header: Header, opts: { exactGarbage?: boolean } = {}): Comparison {
  const steps: StepVerdict[] = [];
  const released = new Set<number>();
  const kinds = new Map<number, string>();
  const lastWorld = p.worlds[p.worlds.length - 1]!;
  lastWorld.files.forEach((f, id) => kinds.set(id, f.kind));
  let unsupported = header.io_uring !== 'ok' && p.steps.some((s) => s.syscall.startsWith('io_uring'));
  // Objects the executor cannot see (an embryo never accepted: a sock without an inode).
  const unobserved = new Set(run.objects.filter((o) => o.kind === 'unix' && o.state === 'unobserved').map((o) => o.id));
  for (let i = 0; i < p.steps.length; i++) {
    const model = p.results[i]!;
    const k = run.steps[i] ?? { error: 'no result' };
    const why: string[] = [];
    if (k.unsupported) { unsupported = true; steps.push({ index: i, model, kernel: k, status: 'unsupported', why: ['io_uring is not usable here'] }); continue; }
    if (k.error) why.push(k.error);
    else if (p.steps[i]!.syscall === 'io_wq' || p.steps[i]!.syscall === 'io_ring_exit') {
      // The kernel's own work: no call to compare (its CQE is not read); the fates below are.
    } else {
      if ((model.errno ?? undefined) !== (k.errno ?? undefined)) why.push(`errno ${model.errno ?? 'none'} predicted, kernel ${k.errno ?? 'none'}`);
      else if (model.ret !== k.ret) why.push(`return ${model.ret} predicted, kernel ${k.ret}`);
      const predFds = p.script.steps[i]!.predictedFds;
      const oneFd = ['open', 'dup', 'io_uring_setup', 'socket', 'accept'].includes(p.steps[i]!.syscall);
      const hasFds = model.fds !== undefined || (k.fds !== undefined && !oneFd);
      if (hasFds && !model.errno && !sameList(model.fds, k.fds)) why.push(`fds [${(model.fds ?? []).join(', ')}] predicted, kernel installed [${(k.fds ?? []).join(', ')}]`);
      else if (!model.errno && predFds.length > 0 && k.fds && p.steps[i]!.syscall !== 'fork' && !sameList(predFds, k.fds)) why.push(`fd numbers [${predFds.join(', ')}] predicted, kernel [${k.fds.join(', ')}]`);
    }
    for (const id of k.rel ?? []) released.add(id);
    // Fates right after the step (the executor waited for the predicted releases).
    const fates = p.fates[i + 1]!;
    if (opts.exactGarbage && p.steps[i]!.syscall === 'unix_gc') {
      // The kernel's GC and its cascade release exactly what the model's pass and its cascade release.
      const cascade = new Set(p.cascade[i] ?? []);
      for (const id of k.rel ?? []) {
        if (fates[id] === 'garbage' && !cascade.has(id) && kinds.get(id) !== 'io_uring' && !unobserved.has(id)) why.push(`${fileName(p.worlds[i + 1]!, id)} kept by the model's GC and its cascade (garbage), released by the kernel's`);
      }
      for (const id of cascade) {
        if (!released.has(id) && kinds.get(id) !== 'io_uring' && !unobserved.has(id)) why.push(`${fileName(p.worlds[i + 1]!, id)} released by the model's GC cascade, still live in the kernel`);
      }
    }
    // A step followed by io-wq stages is one unit for the kernel (it completes a recv at once, inline or
    // by task_work): its fates are checked after the last of them.
    const unitGoesOn = p.steps[i + 1]?.syscall === 'io_wq';
    fates.forEach((f, id) => {
      if (unitGoesOn || kinds.get(id) === 'io_uring' || unobserved.has(id)) return;
      if (f === 'released' && !released.has(id)) why.push(`${fileName(p.worlds[i + 1]!, id)} predicted released, still live in the kernel`);
      if (f === 'live' && released.has(id)) why.push(`${fileName(p.worlds[i + 1]!, id)} predicted live (reachable), released by the kernel`);
    });
    steps.push({ index: i, model, kernel: k, status: why.length ? 'disagree' : 'agree', why });
  }
  const fates: FateVerdict[] = [];
  const final = p.fates[p.fates.length - 1]!;
  final.forEach((predicted, id) => {
    const obj = run.objects.find((o) => o.id === id);
    const observed = obj?.state ?? 'missing';
    const agrees = observed === 'unobserved' || (predicted === 'garbage' ? observed === 'live' || observed === 'released' : observed === predicted);
    fates.push({ id, name: fileName(lastWorld, id), predicted, observed, agrees });
  });
  const disagreements = unsupported ? 0 : steps.filter((s) => s.status === 'disagree').length + fates.filter((f) => !f.agrees).length;
  return { steps, fates, unsupported, agrees: !unsupported && disagreements === 0, disagreements };
}
