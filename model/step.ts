// A step is one syscall of one task (or one run of a kernel actor such as the unix GC), with the
// result Linux would return. Each syscall is a guard (reads the world: can the call be made here,
// and what does it return?) plus a recipe (mutates a draft world). Guards never run recipes.
import type { Draft } from 'immer';
import type { Bounds, SyscallName } from './bounds.js';
import type { Design } from './design.js';
import type { Kernel } from './kernel.js';
import type { TaskId, World } from './world.js';

export type Errno =
  | 'EBADF' | 'EINVAL' | 'EBUSY' | 'ENXIO' | 'EMFILE' | 'EAGAIN' | 'ENOTSOCK' | 'EOPNOTSUPP'
  | 'ECONNREFUSED' | 'EPIPE' | 'ENFILE' | 'EPERM' | 'ENOTCONN' | 'EISCONN' | 'ECANCELED' | 'EADDRINUSE' | 'ECONNRESET';

export type SockKind = 'dgram' | 'stream';

/** Arguments of each syscall, as they appear in traces. fds are the task's fd numbers. */
export interface ArgsOf {
  open: Record<string, never>;
  close: { fd: number };
  dup: { fd: number };
  fork: Record<string, never>;
  exit: Record<string, never>;
  exec: Record<string, never>;
  socketpair: { type: SockKind };
  /** socket(AF_UNIX, type). */
  socket: { type: SockKind };
  /** bind(fd, abstract address `addr`: sun_path "\0inflight-<addr>"). */
  bind: { fd: number; addr: number };
  /** listen(fd, backlog). */
  listen: { fd: number };
  /** connect(fd, abstract address `addr`). */
  connect: { fd: number; addr: number };
  accept: { fd: number };
  /** sendmsg(fd, msg with one byte and SCM_RIGHTS carrying `rights`[, MSG_OOB]). */
  sendmsg: { fd: number; rights: number[]; oob?: boolean };
  recvmsg: { fd: number; peek: boolean };
  io_uring_setup: Record<string, never>;
  /** io_uring_register(fd, IORING_REGISTER_FILES, files, n). */
  io_uring_register: { fd: number; files: number[] };
  /** io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, {offset, files}); -1 clears a slot. */
  io_uring_update: { fd: number; offset: number; files: number[] };
  /** io_uring_register(fd, IORING_UNREGISTER_FILES). */
  io_uring_unregister: { fd: number };
  /** io_uring_enter(fd, to_submit 1): one SQE `op` on a fixed slot (IOSQE_FIXED_FILE) or a plain fd. */
  io_uring_enter: { fd: number; op: 'read' | 'recv'; fixed: boolean; target: number };
  /** The next sub-step of the task's syscall in progress; `call` and `stage` say which (they are
   *  checked against the world on replay). */
  resume: { call: string; stage: string };
  /** One step of the unix GC: `start`, `select`, `scan` (2007) / `walk`, `dead` (graph), `purge`; `run`
   *  is a whole run in one step (bounds gc atomic). */
  unix_gc: { phase: string };
  /** An io-wq worker advances request `req` of the ring file `ring`. */
  io_wq: { ring: number; req: number; stage: string };
  /** io_ring_exit_work: the teardown of a released ring once no request runs. */
  io_ring_exit: { ring: number };
}

export type Actor = TaskId | 'kernel';

export interface Step<N extends SyscallName = SyscallName> {
  readonly task: Actor;
  readonly syscall: N;
  readonly args: ArgsOf[N];
}

/** What the call returned: ret (-1 with errno on failure) and the fds it installed, if any. */
export interface Result {
  readonly ret: number;
  readonly errno?: Errno;
  readonly fds?: readonly number[];
  /** The call has not returned yet: a `resume` step of the same task continues it. */
  readonly pending?: true;
}

export const ok = (ret = 0, fds?: readonly number[]): Result => (fds ? { ret, fds } : { ret });
export const err = (errno: Errno): Result => ({ ret: -1, errno });

/** A step with its result, as the checker sees it (the result is computed once, by the guard). */
export interface Transition {
  readonly step: Step;
  readonly result: Result;
}

export interface Ctx {
  readonly design: Design;
  readonly bounds: Bounds;
  readonly k: Kernel;
  /** The design runs user code (hooks, overrides of a design that is not built in): the world is checked
   *  after each step (model/apply.ts). */
  readonly userCode?: boolean;
  /** In a scenario, each task's program: task t may only make programs[t][pc], in order. */
  readonly programs?: readonly (readonly ProgramStep[])[];
}

/** One line of a scenario's program: a syscall with its arguments. */
export interface ProgramStep {
  readonly syscall: SyscallName;
  readonly args: Step['args'];
}

export interface Syscall<N extends SyscallName> {
  readonly name: N;
  readonly actor: 'task' | 'kernel';
  /** The argument lists worth exploring for `task` in `w` (the checker's branching). Calls whose only
   *  outcome is an uninteresting error (EBADF on a closed fd, EAGAIN on an empty queue) are left out;
   *  a trace may still contain them, and the guard answers them. */
  explore(w: World, task: TaskId, ctx: Ctx): ArgsOf[N][];
  /** The result of the call in `w`, or undefined when the model cannot make it (a dead task, a bound). */
  guard(w: World, task: TaskId, args: ArgsOf[N], ctx: Ctx): Result | undefined;
  /** The effect of the call; `result` is what the guard returned. */
  recipe(w: Draft<World>, task: TaskId, args: ArgsOf[N], result: Result, ctx: Ctx): void;
  /** Validates arguments read from a trace file; returns them or a reason. */
  parseArgs(raw: Record<string, unknown>): ArgsOf[N] | string;
  /** `sendmsg(4, SCM_RIGHTS[3])` */
  format(args: ArgsOf[N]): string;
}

export const inProgress: Result = { ret: 0, pending: true };

export function formatResult(r: Result): string {
  if (r.pending) return '…';
  if (r.errno) return `-1 ${r.errno}`;
  if (r.fds && r.fds.length > 0) return `${r.ret} [fds ${r.fds.join(', ')}]`;
  return `${r.ret}`;
}

// Small validators for parseArgs.
export function intArg(raw: Record<string, unknown>, name: string): number | string {
  const v = raw[name];
  return Number.isInteger(v) ? (v as number) : `argument '${name}' must be an integer`;
}
export function intListArg(raw: Record<string, unknown>, name: string): number[] | string {
  const v = raw[name];
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) return `argument '${name}' must be a list of integers`;
  return v as number[];
}
export function noArgs(raw: Record<string, unknown>): Record<string, never> | string {
  const keys = Object.keys(raw);
  return keys.length === 0 ? {} : `unexpected argument '${keys[0]}'`;
}

/** The rest of a syscall that the kernel runs in several steps: the task's `pending` says where it is.
 *  Each lives in its syscall's file; `resume` (model/syscalls/resume.ts) runs it. */
export interface Continuation<P> {
  /** The call as the trace shows it, e.g. `recvmsg(5, MSG_PEEK)`. */
  call(p: P): string;
  /** The sub-step about to run, e.g. `install fds`. */
  stage(p: P): string;
  /** Its result (the syscall's return value when this is the last sub-step), or undefined when the task
   *  cannot go on now (it waits for a lock). */
  guard(w: World, task: TaskId, p: P, ctx: Ctx): Result | undefined;
  recipe(w: Draft<World>, task: TaskId, p: P, result: Result, ctx: Ctx): void;
}
