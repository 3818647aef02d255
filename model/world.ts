// The kernel world: plain readonly data, changed only by syscall recipes (under immer's `produce`,
// or on a mutable clone in the checker's hot path — the same recipe either way).

/** The model's fd numbers start at 3: 0, 1 and 2 are the task's stdio, which the model leaves out. */
export const FD_BASE = 3;

export type FileId = number;
export type TaskId = number;

/** What the file is. `io_uring` is the anon-inode file "[io_uring]" that io_uring_setup returns. */
export type FileKind = 'regular' | 'unix' | 'io_uring';

export interface FdSlot {
  readonly file: FileId;
  /** FD_CLOEXEC: closed by exec. io_uring_setup sets it (O_CLOEXEC), dup clears it. */
  readonly cloexec: boolean;
}

export interface Task {
  readonly alive: boolean;
  /** The fd table: slot i is fd FD_BASE + i; null = free. Its length is the fd bound. */
  readonly fds: readonly (FdSlot | null)[];
}

/** An sk_buff on a receive queue. Every message carries one byte of data; `fds` is its
 *  SCM_RIGHTS list (UNIXCB(skb).fp), each entry owning one reference to its file. */
export interface Skb {
  readonly fds: readonly FileId[];
}

export type SockType = 'dgram' | 'stream' | 'ring_sock';

/** struct unix_sock, as far as file lifetime is concerned. */
export interface UnixSock {
  readonly type: SockType;
  /** The other end of a socketpair; null once it was released (sends then fail). */
  readonly peer: FileId | null;
  /** sk_receive_queue. */
  readonly queue: readonly Skb[];
  /** unix_sock->inflight: how many SCM_RIGHTS entries on any queue refer to *this* socket's file. */
  readonly inflight: number;
}

/** struct io_ring_ctx, as far as registered files are concerned. */
export interface Ring {
  /** The registered file table (ctx->user_files); null = nothing registered. Whether a slot owns a
   *  reference or borrows one depends on the design (`registration` switch). */
  readonly table: readonly FileId[] | null;
  /** ctx->ring_sock in designs that account registered files in flight: its queue holds the skb
   *  whose SCM list owns the registration references, and to the GC the ring file *is* this socket. */
  readonly ringSock: UnixSock | null;
  /** The ring was torn down (registered files dropped, ctx killed). Normally that happens in
   *  ->release, when the file's last reference goes; a design may do it elsewhere (->flush). */
  readonly dead: boolean;
}

export interface File {
  readonly kind: FileKind;
  /** The reference count, changed by fget/fput exactly where the kernel changes it. */
  readonly f_count: number;
  /** ->release ran (f_count reached zero). The entry stays so that dangling pointers can be named. */
  readonly released: boolean;
  readonly sock: UnixSock | null;
  readonly ring: Ring | null;
}

/** What KASAN (or a BUG_ON) would report. Recipes append; properties read. */
export type ReportKind = 'double-fput' | 'use-after-free';
export interface Report {
  readonly kind: ReportKind;
  readonly file: FileId;
  readonly what: string;
}

/** The unix GC's own state. In this model a GC run is one step, so at rest the lists are empty;
 *  they are part of the world so that a run can be split into phases without a redesign. */
export interface GcState {
  readonly inProgress: boolean;
  /** gc_candidates, in list order. */
  readonly candidates: readonly FileId[];
  /** not_cycle_list: candidates found reachable from outside; they keep UNIX_GC_CANDIDATE until the
   *  hit skbs are collected. */
  readonly notCycle: readonly FileId[];
  /** Candidates still flagged UNIX_GC_MAYBE_CYCLE. */
  readonly maybeCycle: readonly FileId[];
  /** Skbs unlinked for the purge. */
  readonly hitlist: readonly Skb[];
}

export interface World {
  /** Task slots; a dead slot can be reused by fork. Slot 0 is the first task. */
  readonly tasks: readonly Task[];
  /** Every struct file ever allocated, indexed by FileId (ids are never reused). */
  readonly files: readonly File[];
  readonly gc: GcState;
  readonly reports: readonly Report[];
}

export function initialWorld(tasks: number, fds: number): World {
  const emptyTable = Array.from({ length: fds }, () => null);
  return {
    tasks: Array.from({ length: tasks }, (_, i) => ({ alive: i === 0, fds: emptyTable.slice() })),
    files: [],
    gc: { inProgress: false, candidates: [], notCycle: [], maybeCycle: [], hitlist: [] },
    reports: [],
  };
}

export const fdNumber = (slot: number): number => slot + FD_BASE;
export const fdSlot = (fd: number): number => fd - FD_BASE;

/** The slot of fd in task t, or undefined when fd is not open there. */
export function fdLookup(w: World, t: TaskId, fd: number): FdSlot | undefined {
  const task = w.tasks[t];
  if (!task || !task.alive) return undefined;
  const slot = task.fds[fd - FD_BASE];
  return slot ?? undefined;
}

/** The lowest free fd slots of task t (at most `n`), as slot indices. */
export function lowestFreeSlots(task: Task, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < task.fds.length && out.length < n; i++) if (task.fds[i] === null) out.push(i);
  return out;
}

export const liveFileCount = (w: World): number => {
  let n = 0;
  for (const f of w.files) if (!f.released) n++;
  return n;
};

/** A file's name in traces and messages: f<id>:<kind>, e.g. f2:unix/dgram, f0:io_uring. */
export function fileName(w: World, id: FileId): string {
  const f = w.files[id];
  if (!f) return `f${id}:?`;
  if (f.kind === 'unix') return `f${id}:unix/${f.sock?.type ?? '?'}`;
  return `f${id}:${f.kind}`;
}
