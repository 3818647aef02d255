// listen(fd, backlog): unix_listen (net/unix/af_unix.c; the same checks in every version the model has):
//  - sys_listen: EBADF, ENOTSOCK;
//  - dgram: EOPNOTSUPP (sock_no_listen);
//  - unbound (no u->addr): EINVAL ("No listens on an unbound socket");
//  - not TCP_CLOSE or TCP_LISTEN (a socketpair end, an accepted or connected socket): EINVAL;
//  - else 0: the socket is `listening` (again: 0); its accept queue (the listener's sk_receive_queue in
//    the kernel) starts empty. It is reached by its name (bind.ts, connect.ts).
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';

export const listen: Syscall<'listen'> = {
  name: 'listen',
  actor: 'task',
  // Only the call that changes something: a bound, unconnected stream socket becoming a listener.
  explore: (w, t) => openFds(w, t)
    .filter((fd) => { const s = fileOf(w, t, fd)!.sock; return s !== null && s.type === 'stream' && s.state === 'unconnected' && s.addr !== null; })
    .map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const s = f.sock!;
    if (s.type !== 'stream') return err('EOPNOTSUPP');
    if (s.addr === null) return err('EINVAL');
    return s.state === 'unconnected' || s.state === 'listening' ? ok(0) : err('EINVAL');
  },
  recipe(w, t, { fd }, r) {
    if (r.errno) return;
    w.files[fileIdOf(w, t, fd)!]!.sock!.state = 'listening';
  },
  format: ({ fd }) => `listen(${fd})`,
};
