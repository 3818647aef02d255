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
  /** A syscall the kernel runs in several steps, between two of them (the task can do nothing else). */
  readonly pending: Pending | null;
  /** In a scenario: the index of the task's next program line (0 in free exploration). */
  readonly pc: number;
}

/** A syscall in progress. */
export type Pending =
  /** recvmsg between picking the head skb and returning. With MSG_PEEK the `cookie` holds the references
   *  that unix_peek_fds duplicated and that are not installed yet; a stream read (no peek) holds a bare
   *  pointer to the head skb (the skb's `pinned` flag) until it consumes it. */
  | { readonly kind: 'recvmsg'; readonly fd: number; readonly sock: FileId; readonly peek: boolean; readonly cookie: readonly FileId[] }
  /** connect() between its kernel sub-steps: the embryo exists; `stage` is the next one. */
  | { readonly kind: 'connect'; readonly fd: number; readonly sock: FileId; readonly listener: FileId; readonly embryo: FileId; readonly stage: 'peer' | 'queue' };

/** An sk_buff on a receive queue. Every message carries one byte of data; `fds` is its
 *  SCM_RIGHTS list (UNIXCB(skb).fp), each entry owning one reference to its file. */
export interface Skb {
  readonly fds: readonly FileId[];
  /** Sent with MSG_OOB: the receiver's u->oob_skb points at it and holds a second skb reference. */
  readonly oob: boolean;
  /** skb->scm_io_uring (6.1–6.7): a ring_sock registration skb, which the GC never purges. */
  readonly scmIoUring: boolean;
  /** A reader (a task's stream recvmsg, an io_uring recv) holds a bare pointer to this skb across its
   *  copy, guarded only by the socket's iolock: freeing it meanwhile is a use-after-free. */
  readonly pinned: boolean;
}

export type SockType = 'dgram' | 'stream' | 'ring_sock';
/** Where a socket is in its life: a socketpair end or accepted socket is `connected`; `embryo` is the
 *  server side of a connection not yet accepted (a sock with no struct file: f_count 0). */
export type SockState = 'unconnected' | 'connected' | 'listening' | 'embryo';

/** struct unix_sock, as far as file lifetime is concerned. */
export interface UnixSock {
  readonly type: SockType;
  readonly state: SockState;
  /** The other end; null once it was released (sends then fail). */
  readonly peer: FileId | null;
  /** An embryo's listener (unix_sk(embryo)->listener), until accept. */
  readonly listener: FileId | null;
  /** A listener's accept queue: embryos not yet accepted, in arrival order. */
  readonly acceptQueue: readonly FileId[];
  /** sk_receive_queue. */
  readonly queue: readonly Skb[];
  /** An OOB skb that only u->oob_skb still holds: a queue purge unlinked it but, without the Feb 2024 fix,
   *  did not drop that second reference, so its SCM entries stay in flight. */
  readonly oobSkb: Skb | null;
  /** unix_sock->inflight (old GC) = vertex out_degree (graph GC): how many SCM_RIGHTS entries on any
   *  queue refer to *this* socket's file. */
  readonly inflight: number;
  /** sk->sk_scm_rights (SO_PASSRIGHTS, 6.16: 77cbe1a6d873) when cleared: SCM_RIGHTS sent to this socket
   *  fail with EPERM. Absent means set, the default unix_create1() gives every socket; only a design with
   *  the option can clear it (model/designs/linux-6.18.ts). */
  readonly scmRights?: false;
}

/** An io_uring request that holds (or borrows) a file. */
export interface Req {
  /** `read`: uses the struct file (a read or write through it); `recv`: reads a unix stream socket's
   *  head skb (unix_stream_read_generic), holding a bare pointer to it across the copy. */
  readonly op: 'read' | 'recv';
  /** IOSQE_FIXED_FILE: the file was borrowed from the registered table (no reference, in every kernel
   *  version); otherwise the request holds a counted reference until it completes. */
  readonly fixed: boolean;
  readonly file: FileId;
  /** `queued`: submitted, not yet picked up; `blocked`: an io-wq worker runs it and waits (an inode lock,
   *  data), holding the file pointer; `picked` (recv): the worker holds a bare pointer to the head skb. */
  readonly phase: 'queued' | 'blocked' | 'picked';
  /** The submitting task. */
  readonly task: TaskId;
}

/** struct io_ring_ctx, as far as registered files are concerned. */
export interface Ring {
  /** The registered file table (ctx->user_files / file_table); null = nothing registered; a null slot is
   *  a sparse (-1) slot. Whether a slot owns a reference or borrows one depends on the design. */
  readonly table: readonly (FileId | null)[] | null;
  /** ctx->ring_sock in designs that account registered files in flight: its queue holds the skbs
   *  whose SCM lists own the registration references, and to the GC the ring file *is* this socket. */
  readonly ringSock: UnixSock | null;
  /** Requests not yet completed. */
  readonly requests: readonly Req[];
  /** ->release ran while requests were still running: io_ring_ctx_wait_and_kill waits for them; the
   *  teardown (`io_ring_exit` step) drops the registered files once none is left. */
  readonly dying: boolean;
  /** The ring was torn down (registered files dropped, ctx killed). Normally that happens after
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
  /** The file involved; -1 when the freed object is an skb. */
  readonly file: FileId;
  readonly what: string;
}

/** Where a GC run is. `idle` between runs; the 2007 GC goes select → scan → purge, the graph GC
 *  walk → dead → purge; `purge` runs without unix_gc_lock. */
export type GcPhase = 'idle' | 'select' | 'scan' | 'walk' | 'dead' | 'purge';

/** The unix GC's own state (both algorithms; each uses its part). */
export interface GcState {
  readonly phase: GcPhase;
  /** gc_inflight_list (2007) / unix_unvisited_vertices (graph), in list order: the sockets in flight. */
  readonly inflightList: readonly FileId[];
  /** 2007, `select`: sockets of gc_inflight_list not yet examined by candidate selection. */
  readonly toSelect: readonly FileId[];
  /** gc_candidates, in list order. */
  readonly candidates: readonly FileId[];
  /** Skbs unlinked for the purge. */
  readonly hitlist: readonly Skb[];
  /** The sockets whose skbs this run collected (GC safety is judged on them). */
  readonly collected: readonly FileId[];
  /** Graph GC: the strongly connected components found by the walk, in the order the walk finished
   *  them, each with its members' scc_index as the kernel computed it, and the position of the next
   *  vertex whose dead-ness is evaluated. */
  readonly sccs: readonly Scc[];
  readonly nextScc: number;
  readonly nextMember: number;
  /** Graph GC: the current SCC's members found dead so far are all of them (dead-ness so far). */
  readonly sccDead: boolean;
  /** Graph GC, 2026 fix: a MSG_PEEK of AF_UNIX fds happened while this SCC was being evaluated. */
  readonly peekSeen: boolean;
  /** Graph GC: unix_graph_maybe_cyclic / unix_graph_grouped, and the SCCs of the last full walk (the
   *  fast walk reuses them while the graph stays grouped). */
  readonly maybeCyclic: boolean;
  readonly grouped: boolean;
  /** While grouped: every vertex's SCC ring (scc_entry) in the order the fast walk evaluates it from its
   *  first member, with the scc_index each member keeps (normalised, see model/gc/unix-gc-graph.ts). */
  readonly lastSccs: readonly Scc[];
  /** Graph GC: unix_vertex_max_scc_index (normalised; 0 while not grouped, when nothing reads it). */
  readonly maxSccIndex: number;
  /** Graph GC: each vertex's out-edges (vertex->edges) in list order, each named by the socket whose
   *  queue holds the skb (edge->successor before the embryo → listener mapping); indexed by FileId,
   *  [] for a socket that has no vertex. Empty in designs with the 2007 GC. */
  readonly edges: readonly (readonly FileId[])[];
  /** Graph GC: the socket each hitlist skb was spliced from (parallel to `hitlist`), so that the purge
   *  unlinks the right edges. */
  readonly hitFrom: readonly FileId[];
}

/** A strongly connected component: its members and their scc_index values, member by member. */
export interface Scc { readonly members: readonly FileId[]; readonly sccIndex: readonly number[] }

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
    tasks: Array.from({ length: tasks }, (_, i) => ({ alive: i === 0, fds: emptyTable.slice(), pending: null, pc: 0 })),
    files: [],
    gc: idleGc(),
    reports: [],
  };
}

export const idleGc = (): GcState => ({
  phase: 'idle', inflightList: [], toSelect: [], candidates: [], hitlist: [], collected: [], sccs: [], nextScc: 0,
  nextMember: 0, sccDead: true, peekSeen: false, maybeCyclic: false, grouped: false, lastSccs: [], maxSccIndex: 0,
  edges: [], hitFrom: [],
});

/** unix_gc_lock is held by the GC: from the start of a run until the purge. */
export const gcLocked = (g: GcState): boolean => g.phase !== 'idle' && g.phase !== 'purge';

/** A fresh skb (mutable, so that a recipe can queue it on a draft). */
export const newSkb = (fds: readonly FileId[], oob = false): { fds: FileId[]; oob: boolean; scmIoUring: boolean; pinned: boolean } =>
  ({ fds: fds.slice(), oob, scmIoUring: false, pinned: false });
/** A fresh unix_sock. */
export const newSock = (type: SockType, state: SockState, peer: FileId | null) =>
  ({ type, state, peer, listener: null, acceptQueue: [] as FileId[], queue: [] as ReturnType<typeof newSkb>[], oobSkb: null, inflight: 0 });

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
  if (f.kind === 'unix') return `f${id}:unix/${f.sock?.type ?? '?'}${f.sock?.state === 'embryo' ? '(embryo)' : f.sock?.state === 'listening' ? '(listening)' : ''}`;
  return `f${id}:${f.kind}`;
}
