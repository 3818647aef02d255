// recvmsg(fd[, MSG_PEEK]) with room for the fds: takes the head skb of the socket's own queue.
// Without MSG_PEEK the skb is dequeued, its entries leave flight (unix_notinflight) and their
// references move into new fds at the lowest free numbers. With MSG_PEEK the skb stays and every
// file gets an extra reference for its new fd (scm_fp_dup), without touching `inflight`.
// Files that find no free fd are dropped (MSG_CTRUNC): fput, or no reference at all when peeking.
import { err, intArg, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, installFd, openFds, taskAlive } from './util.js';
import { FD_BASE, lowestFreeSlots } from '../world.js';

export const recvmsg: Syscall<'recvmsg'> = {
  name: 'recvmsg',
  actor: 'task',
  explore(w, t) {
    return openFds(w, t)
      .filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type !== 'ring_sock' && s.queue.length > 0; })
      .flatMap((fd) => [{ fd, peek: false }, { fd, peek: true }]);
  },
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const head = f.sock!.queue[0];
    // An empty stream socket whose peer was released reads EOF (unix_release_sock set its
    // sk_shutdown); a dgram socket, or a stream socket with a live peer, has nothing yet: EAGAIN
    // (MSG_DONTWAIT). Not modelled: the one-shot ECONNRESET when the peer was released with unread data.
    if (!head) return f.sock!.type === 'stream' && f.sock!.peer === null ? ok(0) : err('EAGAIN');
    const slots = lowestFreeSlots(w.tasks[t]!, head.fds.length);
    return ok(1, slots.map((s) => s + FD_BASE));
  },
  recipe(w, t, { fd, peek }, r, { k }) {
    if (r.errno) return;
    const why = `recvmsg(${fd}) by T${t}`;
    const sock = w.files[fileIdOf(w, t, fd)!]!.sock!;
    if (sock.queue.length === 0) return;   // EOF: nothing received
    const skb = peek ? sock.queue[0]! : sock.queue.shift()!;
    const installed = r.fds ?? [];
    skb.fds.forEach((file, i) => {
      if (!peek) k.unixNotinflight(w, file);   // unix_detach_fds
      const newFd = installed[i];
      if (newFd !== undefined) {
        if (peek) k.fget(w, file, why);         // unix_peek_fds: the extra reference
        installFd(w, t, newFd, file, false);
      } else if (!peek) {
        k.fput(w, file, why);                   // no room: the reference is dropped
      }
    });
  },
  parseArgs(raw) {
    const fd = intArg(raw, 'fd');
    if (typeof fd === 'string') return fd;
    const peek = raw['peek'] ?? false;
    return typeof peek === 'boolean' ? { fd, peek } : "argument 'peek' must be true or false";
  },
  format: ({ fd, peek }) => `recvmsg(${fd}${peek ? ', MSG_PEEK' : ''})`,
};
