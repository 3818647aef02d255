// connect(fd, addr) on a unix socket, to an abstract address. The listener is found by its name
// (unix_find_other → unix_find_abstract → unix_find_socket_byname, net/unix/af_unix.c, read at 6.18.y), so
// the caller needs no fd of it: a listener whose only reference is in flight is still connectable while
// its struct sock is hashed, i.e. until unix_release_sock() unhashes it; then the name is gone
// (ECONNREFUSED).
//
// Stream (unix_stream_connect): its kernel sub-steps are
//  1. `connect` itself: unix_create1() allocates the embryo — the server side of the connection, a sock
//     with no struct file yet (the model gives it a File entry with f_count 0, state `embryo`) — and
//     unix_find_other() looks the name up among stream sockets (none: ECONNREFUSED);
//  2. `peer` (under the listener's and then the client's unix_state_lock): a listener that died since the
//     lookup (SOCK_DEAD) sends the kernel back to the lookup (`restart`), which may find another socket
//     bound to the name since; then the checks (not listening: ECONNREFUSED; a full backlog: the caller
//     sleeps; client no longer unconnected: EISCONN / EINVAL), then unix_peer(embryo) = client,
//     embryo->listener = listener, the embryo shares the listener's address, the client is
//     TCP_ESTABLISHED with unix_peer(client) = embryo — from here on the client's sendmsg lands on the
//     embryo's queue;
//  3. `queue` (still under the listener's lock): the embryo's skb goes on the listener's receive queue,
//     which is the model's accept queue; connect returns 0.
// The task is `pending` between them (resume steps) only when another task is alive: with one task nothing
// but the GC can run in between, and the GC cannot see anything different there (the embryo's queue is
// empty until someone sends to it), so the three steps are then one, with step 2's answer.
// Errors, in the kernel's order: EBADF, ENOTSOCK; the name not found: ECONNREFUSED; then step 2's. A dgram
// socket (unix_dgram_connect) looks the name up among dgram sockets, where no stream socket's name is
// (the abstract hash folds the type in): nothing there is ECONNREFUSED; a dgram socket bound to it would
// make a one-way dgram association, which the model does not have (the call is not possible in the model).
// A full backlog (beyond the `skbs` bound: the accept queue is the listener's sk_receive_queue) blocks.
import type { Draft } from 'immer';
import { err, inProgress, ok, type Continuation, type Result, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';
import { findByName, liveFileCount, type FileId, type Pending, type World } from '../world.js';
import { addrName } from './bind.js';

type ConnectPending = Extract<Pending, { kind: 'connect' }>;

/** The checks made under the locks (step 2): undefined when the connection can be made. */
function refused(w: World, sock: FileId, listener: FileId): Result | undefined {
  if (w.files[listener]!.sock!.state !== 'listening') return err('ECONNREFUSED');
  const s = w.files[sock]!.sock!;
  if (s.state !== 'unconnected') return err(s.state === 'connected' ? 'EISCONN' : 'EINVAL');
  return undefined;
}

const backlogFull = (w: World, listener: FileId, skbs: number): boolean => w.files[listener]!.sock!.acceptQueue.length >= skbs;

/** Does the call run as three steps? Only when another task could act between them. */
const split = (w: World, t: number): boolean => w.tasks.some((task, i) => i !== t && task.alive);

/** Step 2's listener: the one step 1 found, or — when it died meanwhile — whatever the lookup finds now. */
const peerListener = (w: World, p: ConnectPending): FileId | undefined =>
  w.files[p.listener]!.released ? findByName(w, 'stream', p.addr) : p.listener;

/** Step 2's guard, for a stream client and the listener found. */
function peerStep(w: World, sock: FileId, listener: FileId | undefined, skbs: number): Result | undefined {
  if (listener === undefined) return err('ECONNREFUSED');
  const no = refused(w, sock, listener);
  if (no) return no;
  // A backlog that is full: the caller would sleep in unix_wait_for_peer.
  return backlogFull(w, listener, skbs) ? undefined : inProgress;
}

/** A failed step 2: unix_release_sock(newsk, 0) — the embryo never had anything. */
function freeEmbryo(w: Draft<World>, embryo: FileId): void {
  w.files[embryo]!.released = true;
}

export const connect: Syscall<'connect'> = {
  name: 'connect',
  actor: 'task',
  // Only the calls that connect: an unconnected stream socket to the name of a listener with room — any
  // listener, whether or not the task has an fd of it.
  explore(w, t, { bounds }) {
    if (liveFileCount(w) >= bounds.files) return [];
    const fds = openFds(w, t);
    const clients = fds.filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type === 'stream' && s.state === 'unconnected'; });
    if (clients.length === 0) return [];
    const names: number[] = [];
    for (const f of w.files) {
      const s = f.sock;
      if (!f.released && s !== null && s.type === 'stream' && s.state === 'listening' && s.addr !== null && s.addr >= 0 && s.acceptQueue.length < bounds.skbs) names.push(s.addr);
    }
    names.sort((a, b) => a - b);
    return clients.flatMap((fd) => names.map((addr) => ({ fd, addr })));
  },
  guard(w, t, { fd, addr }, { bounds }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    if (f.sock!.type !== 'stream') return findByName(w, 'dgram', addr) === undefined ? err('ECONNREFUSED') : undefined;
    const listener = findByName(w, 'stream', addr);
    if (listener === undefined) return err('ECONNREFUSED');
    if (split(w, t)) return liveFileCount(w) >= bounds.files ? undefined : inProgress;
    const r = peerStep(w, fileIdOf(w, t, fd)!, listener, bounds.skbs);
    if (r === undefined || r.errno) return r;
    return liveFileCount(w) >= bounds.files ? undefined : ok(0);
  },
  recipe(w, t, { fd, addr }, r, { k }) {
    if (r.errno) return;
    const sock = fileIdOf(w, t, fd)!;
    const listener = findByName(w, 'stream', addr)!;
    const embryo = k.unix_create1(w);
    if (r.pending) { w.tasks[t]!.pending = { kind: 'connect', fd, sock, listener, embryo, stage: 'peer', addr }; return; }
    k.unix_stream_connect_peer(w, sock, listener, embryo);
    k.unix_stream_connect_queue(w, listener, embryo);
  },
  format: ({ fd, addr }) => `connect(${fd}, ${addrName(addr)})`,
};

export const connectContinuation: Continuation<ConnectPending> = {
  stages: ['peer', 'queue'] satisfies ConnectPending['stage'][],
  call: (p) => `connect(${p.fd})`,
  stage: (p) => p.stage,
  guard(w, _t, p, { bounds }) {
    if (p.stage === 'queue') return ok(0);
    return peerStep(w, p.sock, peerListener(w, p), bounds.skbs);
  },
  recipe(w, t, p, r, { k }) {
    const task = w.tasks[t]!;
    if (r.errno) { freeEmbryo(w, p.embryo); task.pending = null; return; }
    if (p.stage === 'peer') {
      const listener = peerListener(w, p)!;
      k.unix_stream_connect_peer(w, p.sock, listener, p.embryo);
      task.pending = { ...p, listener, stage: 'queue' };
      return;
    }
    task.pending = null;
    k.unix_stream_connect_queue(w, p.listener, p.embryo);
  },
};
