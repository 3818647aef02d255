// close(fd): remove the slot, then filp_close (->flush, fput; the last fput runs ->release).
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, openFds, taskAlive } from './util.js';
import { FD_BASE } from '../world.js';

export const close: Syscall<'close'> = {
  name: 'close',
  actor: 'task',
  explore: (w, t) => openFds(w, t).map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    return fileIdOf(w, t, fd) === undefined ? err('EBADF') : ok(0);
  },
  recipe(w, t, { fd }, r, { k }) {
    if (r.errno) return;
    const file = w.tasks[t]!.fds[fd - FD_BASE]!.file;
    w.tasks[t]!.fds[fd - FD_BASE] = null;
    k.filp_close(w, file, t, `close(${fd}) by T${t}`);
  },
  format: ({ fd }) => `close(${fd})`,
};
