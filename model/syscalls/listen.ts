// listen(fd) as the model has it: bind(fd, {AF_UNIX}, sizeof(sa_family_t)) — autobind to an abstract
// address — then listen(fd, backlog) (unix_listen). The address itself is not modelled: connect names a
// listener by an fd of the same task (see connect.ts).
//  - dgram: EOPNOTSUPP (sock_no_listen; the executor does not bind a dgram socket first, so no address
//    appears that the model would not know of);
//  - stream, unconnected or already listening: 0, the socket is `listening` (its accept queue, the
//    listener's sk_receive_queue in the kernel, starts empty);
//  - stream, connected (a socketpair end, an accepted or connected socket): EINVAL (sk_state is
//    TCP_ESTABLISHED); the autobind before it succeeds, but an address on a socket that is not listening
//    makes no difference to anything the model does (connect to it is ECONNREFUSED either way).
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';

export const listen: Syscall<'listen'> = {
  name: 'listen',
  actor: 'task',
  // Only the call that changes something: an unconnected stream socket becoming a listener.
  explore: (w, t) => openFds(w, t)
    .filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type === 'stream' && s.state === 'unconnected'; })
    .map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const s = f.sock!;
    if (s.type !== 'stream') return err('EOPNOTSUPP');
    return s.state === 'unconnected' || s.state === 'listening' ? ok(0) : err('EINVAL');
  },
  recipe(w, t, { fd }, r) {
    if (r.errno) return;
    w.files[fileIdOf(w, t, fd)!]!.sock!.state = 'listening';
  },
  format: ({ fd }) => `listen(${fd})`,
};
