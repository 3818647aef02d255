// Hand-written traces for the oracle: steps without results; the results are the design's.
import { makeCtx } from '../model/apply.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import type { Step } from '../model/step.js';
import { runSteps } from '../traces/build.js';
import { TRACE_FORMAT, type TraceFile, type TraceStep } from '../traces/format.js';

export type HandStep = readonly [task: number | 'kernel', syscall: Step['syscall'], args?: Record<string, unknown>];

/** A trace of `steps` with the results `design` gives them (throws when a step is impossible). */
export function handTrace(design: Design, steps: readonly HandStep[], bounds: Partial<Bounds> = {}, property = 'kernel-oracle'): TraceFile {
  const b: Bounds = { ...DEFAULT_BOUNDS, tasks: 3, files: 8, fds: 8, skbs: 4, msgFds: 4, ...bounds };
  const raw: TraceStep[] = steps.map(([task, syscall, args]) => ({ task, syscall, args: (args ?? {}) as TraceStep['args'], result: { ret: 0 } }));
  const run = runSteps(raw, makeCtx(design, b));
  if (run.impossible !== undefined) throw new Error(`hand trace: step ${run.impossible + 1} is impossible in ${design.name}`);
  return {
    format: TRACE_FORMAT, design: design.name, bounds: b, property, violation: '',
    steps: raw.map((s, i) => ({ ...s, result: run.results[i]! })),
  };
}

/** The hand-written traces of the oracle's tests (issue 4), by name. */
export const HAND_TRACES: Record<string, readonly HandStep[]> = {
  // Al Viro's 2019 scenario on today's kernel: the ring registers both socket ends, then the ring
  // fd is sent over the socket: refused with EINVAL, so no cycle through the ring.
  'viro-scenario': [
    [0, 'socketpair', { type: 'dgram' }], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 5, files: [3, 4] }],
    [0, 'sendmsg', { fd: 3, rights: [5] }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }],
  ],
  // A task connects by name to a listener it has no fd of and whose only reference is in flight (T0 sent it
  // over a socketpair and closed it); T1's send lands on the embryo. The pair's closes purge the skb: the
  // listener is released, its embryo with it, and the name is gone (ECONNREFUSED); T1's peer is gone (EPIPE).
  'connect-in-flight-listener': [
    [0, 'fork'], [0, 'socket', { type: 'stream' }], [0, 'bind', { fd: 3, addr: 0 }], [0, 'listen', { fd: 3 }],
    [0, 'socketpair', { type: 'stream' }], [0, 'sendmsg', { fd: 4, rights: [3] }], [0, 'close', { fd: 3 }],
    [1, 'socket', { type: 'stream' }], [1, 'connect', { fd: 3, addr: 0 }], [1, 'resume', { call: 'connect(3)', stage: 'peer' }],
    [1, 'resume', { call: 'connect(3)', stage: 'queue' }], [1, 'sendmsg', { fd: 3, rights: [] }],
    [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }], [1, 'socket', { type: 'stream' }], [1, 'connect', { fd: 4, addr: 0 }],
    [1, 'sendmsg', { fd: 3, rights: [] }],
  ],
  // fork + exit with a ring: the child inherits the ring (and the canary registered in it).
  'fork-exit-ring': [
    [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 4, files: [3] }], [0, 'fork'],
    [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [1, 'close', { fd: 3 }], [1, 'exit'],
  ],
  // MSG_PEEK installs an extra reference: closing the peeked copy keeps the file alive.
  'msg-peek': [
    [0, 'socketpair', { type: 'stream' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [5] }],
    [0, 'recvmsg', { fd: 4, peek: true }], [0, 'close', { fd: 6 }], [0, 'close', { fd: 5 }],
    [0, 'recvmsg', { fd: 4, peek: false }], [0, 'close', { fd: 5 }],
  ],
  // A ring pins a self-looped socket: closing everything leaves it garbage until a GC trigger.
  'ring-pins-self-loop': [
    [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 4, rights: [3, 5] }],
    [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 6, files: [3] }],
    [0, 'close', { fd: 5 }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 6 }], [0, 'exit'], ['kernel', 'unix_gc'],
  ],
  // A SCM cycle of two sockets with a canary in it: garbage after the closes, released by the GC.
  'scm-cycle-gc': [
    [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [3, 5] }],
    [0, 'sendmsg', { fd: 4, rights: [4] }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }],
    ['kernel', 'unix_gc'],
  ],
  // SO_PASSRIGHTS (6.16; model/syscalls/setsockopt.ts): a receiver that turned it off refuses SCM_RIGHTS with
  // EPERM (stream, MSG_OOB, dgram; plain data passes), an embryo takes its listener's setting at connect and
  // keeps it after accept; ENOTSOCK on a regular file, EBADF on a closed fd. On 6.1.y and 6.12.y every
  // setsockopt is ENOPROTOOPT and the sends go through. Nothing refused is in flight: the canary (fd 5) is
  // released when its fd and fd 6's queue are gone.
  'passrights': [
    [0, 'socketpair', { type: 'stream' }], [0, 'open'], [0, 'setsockopt', { fd: 3, val: 0 }],
    [0, 'sendmsg', { fd: 4, rights: [5] }], [0, 'sendmsg', { fd: 4, rights: [5], oob: true }], [0, 'sendmsg', { fd: 4, rights: [] }],
    [0, 'setsockopt', { fd: 5, val: 0 }], [0, 'setsockopt', { fd: 9, val: 0 }],
    [0, 'socketpair', { type: 'dgram' }], [0, 'setsockopt', { fd: 6, val: 0 }], [0, 'sendmsg', { fd: 7, rights: [5] }],
    [0, 'setsockopt', { fd: 6, val: 1 }], [0, 'sendmsg', { fd: 7, rights: [5] }],
    [0, 'socket', { type: 'stream' }], [0, 'bind', { fd: 8, addr: 0 }], [0, 'listen', { fd: 8 }], [0, 'setsockopt', { fd: 8, val: 0 }],
    [0, 'socket', { type: 'stream' }], [0, 'connect', { fd: 9, addr: 0 }], [0, 'sendmsg', { fd: 9, rights: [5] }], [0, 'accept', { fd: 8 }], [0, 'sendmsg', { fd: 9, rights: [5] }],
    [0, 'close', { fd: 5 }], [0, 'close', { fd: 6 }], [0, 'close', { fd: 7 }],
  ],
  // The registration errors: a ring fd (EBADF), a second registration (EBUSY), unregister, exec.
  // IORING_REGISTER_FILES_UPDATE: clearing a slot puts its file (6.1 a second later, from a worker), a
  // failing entry stops the loop after its slot was cleared, a ring fd is EBADF, a range past the table
  // EINVAL.
  'update-slots': [
    [0, 'open'], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 5, files: [3, 4] }], [0, 'close', { fd: 3 }],
    [0, 'io_uring_update', { fd: 5, offset: 0, files: [-1] }], [0, 'io_uring_update', { fd: 5, offset: 0, files: [4, 9] }],
    [0, 'close', { fd: 4 }], [0, 'io_uring_update', { fd: 5, offset: 0, files: [5] }],
    [0, 'io_uring_update', { fd: 5, offset: 3, files: [-1] }], [0, 'close', { fd: 5 }],
  ],
  // A ring fd is never a fixed file (io_sqe_files_register / __io_sqe_files_update: `if (io_is_uring_fops(file))
  // { fput(file); ... -EBADF }`): the ring itself, another ring among other files (the whole registration
  // fails, nothing kept), and FILES_UPDATE to either (EBADF after the entry's slot was cleared: the canary in
  // slot 0 is put there, the socket in slot 1 keeps its fd).
  'register-ring-fds': [
    [0, 'io_uring_setup'], [0, 'io_uring_setup'], [0, 'socketpair', { type: 'dgram' }], [0, 'open'],
    [0, 'io_uring_register', { fd: 3, files: [3] }], [0, 'io_uring_register', { fd: 3, files: [5, 4] }],
    [0, 'io_uring_register', { fd: 3, files: [7, 5] }], [0, 'close', { fd: 7 }],
    [0, 'io_uring_update', { fd: 3, offset: 0, files: [4] }], [0, 'io_uring_update', { fd: 3, offset: 1, files: [3] }],
    [0, 'close', { fd: 5 }], [0, 'close', { fd: 6 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 3 }],
  ],
  'register-errors': [
    [0, 'io_uring_setup'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 3, files: [4] }],
    [0, 'open'], [0, 'io_uring_register', { fd: 3, files: [5] }], [0, 'io_uring_register', { fd: 3, files: [5] }],
    [0, 'io_uring_unregister', { fd: 3 }], [0, 'io_uring_unregister', { fd: 3 }], [0, 'dup', { fd: 3 }], [0, 'exec'],
    [0, 'close', { fd: 5 }],
  ],
  // Errors of sendmsg and recvmsg: closed peers, empty queues, closed fds.
  'socket-errors': [
    [0, 'socketpair', { type: 'dgram' }], [0, 'socketpair', { type: 'stream' }], [0, 'close', { fd: 4 }],
    [0, 'sendmsg', { fd: 3, rights: [] }], [0, 'close', { fd: 6 }], [0, 'sendmsg', { fd: 5, rights: [] }],
    [0, 'recvmsg', { fd: 3, peek: false }], [0, 'sendmsg', { fd: 3, rights: [9] }], [0, 'close', { fd: 9 }],
    [0, 'open'], [0, 'recvmsg', { fd: 4, peek: false }],
  ],
  // An empty stream socket whose peer is gone reads EOF (0), after the data that was queued; a dgram
  // socket reads EAGAIN.
  'stream-eof': [
    [0, 'socketpair', { type: 'stream' }], [0, 'sendmsg', { fd: 4, rights: [] }], [0, 'close', { fd: 4 }],
    [0, 'recvmsg', { fd: 3, peek: false }], [0, 'recvmsg', { fd: 3, peek: false }], [0, 'sendmsg', { fd: 3, rights: [] }],
    [0, 'socketpair', { type: 'dgram' }], [0, 'close', { fd: 5 }], [0, 'recvmsg', { fd: 4, peek: false }],
  ],
  // io_uring requests (issue 14, part 4). A fixed recv of a stream socket whose queue carries a file
  // completes at once (the kernel's inline issue; the model's io-wq pick and complete follow it) and puts
  // the file (no control buffer); a plain-fd recv with nothing queued waits, holding its socket past the
  // fd's close, until data comes (then it completes too); the ring's close drops the table's socket.
  'enter-recv': [
    [0, 'socketpair', { type: 'stream' }], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 6, files: [4] }],
    [0, 'sendmsg', { fd: 3, rights: [5] }], [0, 'close', { fd: 5 }],
    [0, 'io_uring_enter', { fd: 6, op: 'recv', fixed: true, target: 0 }], ['kernel', 'io_wq', { ring: 3, req: 0, stage: 'pick' }], ['kernel', 'io_wq', { ring: 3, req: 0, stage: 'complete' }],
    [0, 'io_uring_enter', { fd: 6, op: 'recv', fixed: false, target: 4 }], [0, 'io_uring_unregister', { fd: 6 }], [0, 'close', { fd: 4 }],
    [0, 'sendmsg', { fd: 3, rights: [] }], ['kernel', 'io_wq', { ring: 3, req: 0, stage: 'pick' }], ['kernel', 'io_wq', { ring: 3, req: 0, stage: 'complete' }],
    [0, 'close', { fd: 6 }], [0, 'close', { fd: 3 }],
  ],
  // Reads that wait: a plain-fd read (a reference: the file outlives its fd's close, until the ring's
  // close cancels the request), a fixed read (the table's slot, no reference of its own); ring C's request
  // on ring B (a poll here) keeps B, and B's table, after B's close; C's close cancels it, which releases
  // B, whose teardown cancels B's read and drops its table's file.
  'enter-read-poll': [
    [0, 'open'], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 6, files: [3] }],
    [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: false, target: 4 }], [0, 'close', { fd: 4 }],
    [0, 'io_uring_enter', { fd: 6, op: 'read', fixed: true, target: 0 }], [0, 'close', { fd: 3 }], [0, 'io_uring_setup'],
    [0, 'io_uring_enter', { fd: 3, op: 'read', fixed: false, target: 6 }], [0, 'close', { fd: 6 }], [0, 'close', { fd: 5 }], [0, 'close', { fd: 3 }],
  ],
  // io_uring_enter's errors: the CQE's ENOTSOCK (recv of a file), EINVAL (recv of an unconnected stream
  // socket), EBADF (a missing slot, a closed fd); the call's EOPNOTSUPP (not a ring) and EBADF (no fd).
  'enter-errors': [
    [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 4, files: [3] }], [0, 'socket', { type: 'stream' }],
    [0, 'io_uring_enter', { fd: 4, op: 'recv', fixed: true, target: 0 }], [0, 'io_uring_enter', { fd: 4, op: 'recv', fixed: false, target: 5 }],
    [0, 'io_uring_enter', { fd: 4, op: 'read', fixed: true, target: 2 }], [0, 'io_uring_enter', { fd: 4, op: 'read', fixed: false, target: 6 }],
    [0, 'io_uring_enter', { fd: 3, op: 'read', fixed: false, target: 3 }], [0, 'io_uring_enter', { fd: 6, op: 'read', fixed: false, target: 3 }],
    [0, 'close', { fd: 4 }],
  ],
  // sk_err: a stream socket whose peer was released with unread data in its own queue gets ECONNRESET once
  // from recvmsg, then EOF (0). Once a known gap of the model (the model said 0, 0).
  'stream-econnreset': [
    [0, 'socketpair', { type: 'stream' }], [0, 'sendmsg', { fd: 3, rights: [] }], [0, 'close', { fd: 4 }],
    [0, 'recvmsg', { fd: 3, peek: false }], [0, 'recvmsg', { fd: 3, peek: false }],
  ],
};

/** Garbage that the 6.18 graph GC never collects, and that linux-6.18 (the graph GC as the kernel computes
 *  scc_index) predicts it leaves (README, the graph GC). First found as a disagreement with the 2007-style
 *  GC the model had then. Running them leaks their sockets on the machine until reboot.
 *  `gc-scc-leak`: four sockets, five messages, one strongly connected component of garbage (a permanent
 *  leak: removing any one message makes it collect). */
export const KERNEL_LEAKS: Record<string, readonly HandStep[]> = {
  'gc-scc-leak': [
    [0, 'socketpair', { type: 'dgram' }],       // A=3 B=4
    [0, 'sendmsg', { fd: 4, rights: [3, 3] }],  // A's queue: [A, A]
    [0, 'socketpair', { type: 'dgram' }],       // C=5 D=6
    [0, 'sendmsg', { fd: 5, rights: [5, 5] }],  // D's queue: [C, C]
    [0, 'sendmsg', { fd: 6, rights: [3, 5] }],  // C's queue: [A, C]
    [0, 'sendmsg', { fd: 4, rights: [4, 5] }],  // A's queue: [B, C]
    [0, 'sendmsg', { fd: 6, rights: [6] }],     // C's queue: [D]
    [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }], [0, 'close', { fd: 6 }],
    ['kernel', 'unix_gc'],
  ],
  // The same bug, minimal, built from the explanation (README): A becomes the first vertex, so
  // Tarjan's walk starts there; D's scc_index keeps C's index (from the back edge D→C) while the SCC
  // {A, C, D} gets A's. Sending C→D's queue first instead (walk starts at C) is collected.
  'gc-scc-leak-min': [
    [0, 'socketpair', { type: 'dgram' }], [0, 'socketpair', { type: 'dgram' }],   // A=3 B=4, C=5 D=6
    [0, 'sendmsg', { fd: 6, rights: [3] }],   // C's queue: [A]
    [0, 'sendmsg', { fd: 5, rights: [5] }],   // D's queue: [C]
    [0, 'sendmsg', { fd: 6, rights: [6] }],   // C's queue: [A], [D]
    [0, 'sendmsg', { fd: 4, rights: [5] }],   // A's queue: [C]
    [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }], [0, 'close', { fd: 6 }],
    ['kernel', 'unix_gc'],
  ],
};
