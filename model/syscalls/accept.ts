// accept(fd) (non-blocking, as the model's calls are): __sys_accept4_file reserves the lowest free fd and
// allocates the new struct file first (EMFILE), then unix_accept: EOPNOTSUPP on a dgram socket, EINVAL
// when not listening, EAGAIN when the accept queue is empty; else the first embryo is dequeued, leaves its
// listener (unix_update_edges: the graph GC's hook, kernel.ts), and is grafted onto the new file: the
// model gives the embryo's entry its struct file (f_count 1, the new fd's reference) and makes it a
// `connected` socket. Its peer is the client, or nothing when the client was released meanwhile.
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, freeFds, installFd, openFds, taskAlive } from './util.js';

export const accept: Syscall<'accept'> = {
  name: 'accept',
  actor: 'task',
  explore: (w, t) => freeFds(w, t, 1) === undefined ? [] : openFds(w, t)
    .filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.state === 'listening' && s.acceptQueue.length > 0; })
    .map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    const fds = freeFds(w, t, 1);
    if (!fds) return err('EMFILE');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const s = f.sock!;
    if (s.type !== 'stream') return err('EOPNOTSUPP');
    if (s.state !== 'listening') return err('EINVAL');
    if (s.acceptQueue.length === 0) return err('EAGAIN');
    return ok(fds[0]);
  },
  recipe(w, t, { fd }, r, { k }) {
    if (r.errno) return;
    const embryo = k.unix_accept(w, fileIdOf(w, t, fd)!);
    installFd(w, t, r.ret, embryo, false);
  },
  format: ({ fd }) => `accept(${fd})`,
};
