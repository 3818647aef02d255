// The bounds a user sets. They limit what the checker explores, not what the kernel does: a step
// beyond a bound is simply not taken (except where the bound is a kernel limit, like a full fd table).
export const SYSCALLS = [
  'open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'socket', 'listen', 'connect', 'accept',
  'sendmsg', 'recvmsg', 'io_uring_setup', 'io_uring_register', 'io_uring_update', 'io_uring_unregister',
  'io_uring_enter', 'resume', 'unix_gc', 'io_wq', 'io_ring_exit', 'setsockopt',
] as const;
export type SyscallName = (typeof SYSCALLS)[number];

export interface Bounds {
  /** Task slots (processes); the first task exists at the start, fork fills the others. */
  readonly tasks: number;
  /** struct files alive at once. */
  readonly files: number;
  /** fd table size per task (fds 3 .. 3+fds-1; a full table gives EMFILE). */
  readonly fds: number;
  /** skbs per receive queue (a full queue would block the sender: not explored). */
  readonly skbs: number;
  /** fds per SCM_RIGHTS message, and per IORING_REGISTER_FILES call. */
  readonly msgFds: number;
  /** io_uring requests in flight per ring (0: io_uring_enter is not explored). */
  readonly reqs: number;
  /** Explore MSG_OOB sends (stream sockets, designs that have MSG_OOB). They multiply the state space about
   *  tenfold, so free exploration leaves them out unless asked; a scenario's programs send them when they say. */
  readonly oob: boolean;
  /** Steps from the initial state; 0 = no limit (the space is finite under the other bounds). */
  readonly depth: number;
  /** `phased`: a GC run is a sequence of steps that syscalls interleave with (how races are found);
   *  `atomic`: one step (fewer states, no GC races). */
  readonly gc: 'phased' | 'atomic';
  /** The syscalls explored. */
  readonly ops: readonly SyscallName[];
}

/** What free exploration tries unless --ops says otherwise: fd tables, socketpairs with SCM_RIGHTS (and
 *  MSG_PEEK, MSG_OOB), rings with registered files, the GC. Listening sockets (socket, listen, connect,
 *  accept), FILES_UPDATE and io_uring requests multiply the state space several times over: scenarios use
 *  them, and `--ops all` (or a list) turns them on in free exploration. The kernel's own actors (resume,
 *  io_wq, io_ring_exit) are always in: they only continue what a task started. */
export const CORE_OPS: readonly SyscallName[] = [
  'open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'sendmsg', 'recvmsg',
  'io_uring_setup', 'io_uring_register', 'io_uring_unregister', 'resume', 'unix_gc', 'io_wq', 'io_ring_exit',
];

/** Small enough that every built-in design is checked exhaustively in seconds, wide enough for Al
 *  Viro's cycle (a ring and a socketpair: 3 files, 3 fds). Wider bounds grow fast: tasks 2 at
 *  otherwise these bounds is ~0.7 M states. */
export const DEFAULT_BOUNDS: Bounds = {
  tasks: 1, files: 3, fds: 3, skbs: 1, msgFds: 1, reqs: 1, oob: false, depth: 0, gc: 'atomic', ops: CORE_OPS,
};

/** Hard ceilings: beyond them a run cannot finish on this kind of machine, or the key overflows. */
export const MAX_BOUNDS = { tasks: 6, files: 32, fds: 32, skbs: 8, msgFds: 4, reqs: 4, depth: 1000 } as const;

/** Validates user-given bounds; returns a one-line reason when they are impossible. */
export function checkBounds(b: Bounds): string | undefined {
  for (const k of ['tasks', 'files', 'fds', 'skbs', 'msgFds', 'reqs', 'depth'] as const) {
    const v = b[k];
    const min = k === 'depth' || k === 'reqs' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) return `--${flagName(k)} must be an integer >= ${min} (got ${v})`;
    if (v > MAX_BOUNDS[k]) return `--${flagName(k)} ${v} is beyond what the model supports (at most ${MAX_BOUNDS[k]})`;
  }
  if (typeof b.oob !== 'boolean') return `bounds: oob must be true or false (got ${String(b.oob)})`;
  if (b.gc !== 'phased' && b.gc !== 'atomic') return `--gc must be phased or atomic (got ${String(b.gc)})`;
  if (b.ops.length === 0) return '--ops names no syscall';
  for (const op of b.ops) if (!(SYSCALLS as readonly string[]).includes(op)) return `unknown syscall '${op}' in --ops (known: ${SYSCALLS.join(', ')})`;
  return undefined;
}

export const flagName = (k: string): string => (k === 'msgFds' ? 'msg-fds' : k);
