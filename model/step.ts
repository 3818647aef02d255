// A step is one syscall of one task (or one run of a kernel actor such as the unix GC), with the
// result Linux would return. Each syscall is a guard (reads the world: can the call be made here,
// and what does it return?) plus a recipe (mutates a draft world). Guards never run recipes.
import type { Draft } from 'immer';
import type { Bounds, SyscallName } from './bounds.js';
import type { Design } from './design.js';
import type { Kernel } from './kernel.js';
import type { TaskId, World } from './world.js';

export const ERRNOS = [
  'EBADF', 'EINVAL', 'EBUSY', 'ENXIO', 'EMFILE', 'EAGAIN', 'ENOTSOCK', 'EOPNOTSUPP',
  'ECONNREFUSED', 'EPIPE', 'ENFILE', 'EPERM', 'ENOTCONN', 'EISCONN', 'ECANCELED', 'ENOPROTOOPT',
] as const;
export type Errno = (typeof ERRNOS)[number];

export type SockKind = 'dgram' | 'stream';

/** Arguments of each syscall, as they appear in traces: the types of model/args.ts's schemas. */
export type { ArgsOf } from './args.js';
import type { ArgsOf } from './args.js';

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

/** The rest of a syscall that the kernel runs in several steps: the task's `pending` says where it is.
 *  Each lives in its syscall's file; `resume` (model/syscalls/resume.ts) runs it. */
export interface Continuation<P> {
  /** Every sub-step `stage` can name (docs/atomicity.md has a row for each; test/atomicity.test.ts). */
  readonly stages: readonly string[];
  /** The call as the trace shows it, e.g. `recvmsg(5, MSG_PEEK)`. */
  call(p: P): string;
  /** The sub-step about to run, e.g. `install fds` (`w`: the world the task is in; the pending record
   *  together with it says where the call is). */
  stage(p: P, w: World): string;
  /** Its result (the syscall's return value when this is the last sub-step), or undefined when the task
   *  cannot go on now (it waits for a lock). */
  guard(w: World, task: TaskId, p: P, ctx: Ctx): Result | undefined;
  recipe(w: Draft<World>, task: TaskId, p: P, result: Result, ctx: Ctx): void;
}
