// dup(fd): a second slot for the same file (one more reference); the new fd has no FD_CLOEXEC.
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, freeFds, installFd, openFds, taskAlive } from './util.js';

export const dup: Syscall<'dup'> = {
  name: 'dup',
  actor: 'task',
  explore: (w, t) => (freeFds(w, t, 1) ? openFds(w, t).map((fd) => ({ fd })) : []),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    if (fileIdOf(w, t, fd) === undefined) return err('EBADF');
    const fds = freeFds(w, t, 1);
    return fds ? ok(fds[0]) : err('EMFILE');
  },
  recipe(w, t, { fd }, r, { k }) {
    if (r.errno) return;
    const file = fileIdOf(w, t, fd)!;
    k.fget(w, file, `dup(${fd}) by T${t}`);
    installFd(w, t, r.ret, file, false);
  },
  format: ({ fd }) => `dup(${fd})`,
};
