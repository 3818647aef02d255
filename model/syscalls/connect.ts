// connect(fd, to) on a unix socket. The model has no addresses: `to` is an fd of the same task, and the
// call connects to the address that socket was autobound to by `listen` (the executor passes exactly that:
// getsockname(to)). A `to` that is not open, not a unix socket or not listening stands for an address no
// listening socket has.
//
// Stream (unix_stream_connect, net/unix/af_unix.c): its kernel sub-steps are
//  1. `connect` itself: unix_create1() allocates the embryo — the server side of the connection, a sock
//     with no struct file yet (the model gives it a File entry with f_count 0, state `embryo`);
//  2. `peer` (under the listener's and then the client's unix_state_lock): the checks (listener gone or
//     not listening: ECONNREFUSED; client no longer unconnected: EISCONN / EINVAL), then
//     unix_peer(embryo) = client, embryo->listener = listener, the client is TCP_ESTABLISHED with
//     unix_peer(client) = embryo — from here on the client's sendmsg lands on the embryo's queue;
//  3. `queue` (still under the listener's lock): the embryo's skb goes on the listener's receive queue,
//     which is the model's accept queue; connect returns 0.
// The task is `pending` between them (resume steps) only when another task is alive: with one task nothing
// but the GC can run in between, and the GC cannot see anything different there (the embryo's queue is
// empty until someone sends to it), so the three steps are then one.
// Errors, in the kernel's order: EBADF, ENOTSOCK; a dgram socket (unix_dgram_connect) looks the address
// up among dgram sockets, where a stream listener's name is not (the abstract hash includes the type):
// ECONNREFUSED; `to` not a listening socket: ECONNREFUSED; the client listening: EINVAL, connected:
// EISCONN. A full backlog would block the caller: beyond the `skbs` bound (the accept queue is the
// listener's sk_receive_queue), not possible in the model.
import type { Draft } from 'immer';
import { err, inProgress, ok, type Continuation, type Result, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';
import { liveFileCount, type FileId, type Pending, type World } from '../world.js';

type ConnectPending = Extract<Pending, { kind: 'connect' }>;

/** The listening stream socket behind fd `to` of task t, if it is one. */
function listenerAt(w: World, t: number, to: number): FileId | undefined {
  const id = fileIdOf(w, t, to);
  if (id === undefined) return undefined;
  const s = w.files[id]!.sock;
  return s && s.type === 'stream' && s.state === 'listening' ? id : undefined;
}

/** The checks made under the locks (step 2): undefined when the connection can be made. */
function refused(w: World, sock: FileId, listener: FileId): Result | undefined {
  const l = w.files[listener]!;
  if (l.released || l.sock!.state !== 'listening') return err('ECONNREFUSED');
  const s = w.files[sock]!.sock!;
  if (s.state !== 'unconnected') return err(s.state === 'connected' ? 'EISCONN' : 'EINVAL');
  return undefined;
}

const backlogFull = (w: World, listener: FileId, skbs: number): boolean => w.files[listener]!.sock!.acceptQueue.length >= skbs;

/** Does the call run as three steps? Only when another task could act between them. */
const split = (w: World, t: number): boolean => w.tasks.some((task, i) => i !== t && task.alive);

/** A failed step 2: unix_release_sock(newsk, 0) — the embryo never had anything. */
function freeEmbryo(w: Draft<World>, embryo: FileId): void {
  w.files[embryo]!.released = true;
}

export const connect: Syscall<'connect'> = {
  name: 'connect',
  actor: 'task',
  // Only the calls that connect: an unconnected stream socket to a listener with room.
  explore(w, t, { bounds }) {
    if (liveFileCount(w) >= bounds.files) return [];
    const fds = openFds(w, t);
    const clients = fds.filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type === 'stream' && s.state === 'unconnected'; });
    const listeners = fds.filter((fd) => { const l = listenerAt(w, t, fd); return l !== undefined && !backlogFull(w, l, bounds.skbs); });
    return clients.flatMap((fd) => listeners.map((to) => ({ fd, to })));
  },
  guard(w, t, { fd, to }, { bounds }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    if (f.sock!.type !== 'stream') return err('ECONNREFUSED');
    const listener = listenerAt(w, t, to);
    if (listener === undefined) return err('ECONNREFUSED');
    if (backlogFull(w, listener, bounds.skbs)) return undefined;
    const no = refused(w, fileIdOf(w, t, fd)!, listener);
    if (no) return no;
    if (liveFileCount(w) >= bounds.files) return undefined;
    return split(w, t) ? inProgress : ok(0);
  },
  recipe(w, t, { fd, to }, r, { k }) {
    if (r.errno) return;
    const sock = fileIdOf(w, t, fd)!;
    const listener = listenerAt(w, t, to)!;
    const embryo = k.unix_create1(w);
    if (r.pending) { w.tasks[t]!.pending = { kind: 'connect', fd, sock, listener, embryo, stage: 'peer' }; return; }
    k.unix_stream_connect_peer(w, sock, listener, embryo);
    k.unix_stream_connect_queue(w, listener, embryo);
  },
  format: ({ fd, to }) => `connect(${fd}, sockname(${to}))`,
};

export const connectContinuation: Continuation<ConnectPending> = {
  stages: ['peer', 'queue'] satisfies ConnectPending['stage'][],
  call: (p) => `connect(${p.fd})`,
  stage: (p) => p.stage,
  guard(w, _t, p, { bounds }) {
    if (p.stage === 'queue') return ok(0);
    const no = refused(w, p.sock, p.listener);
    if (no) return no;
    // A backlog that filled up meanwhile: the caller would sleep in unix_wait_for_peer.
    if (backlogFull(w, p.listener, bounds.skbs)) return undefined;
    return inProgress;
  },
  recipe(w, t, p, r, { k }) {
    const task = w.tasks[t]!;
    if (r.errno) { freeEmbryo(w, p.embryo); task.pending = null; return; }
    if (p.stage === 'peer') {
      k.unix_stream_connect_peer(w, p.sock, p.listener, p.embryo);
      task.pending = { ...p, stage: 'queue' };
      return;
    }
    task.pending = null;
    k.unix_stream_connect_queue(w, p.listener, p.embryo);
  },
};
