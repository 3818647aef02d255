// io_uring_register(fd, IORING_UNREGISTER_FILES): drop the registered files (the table's own
// references, or the ring_sock skbs that own them). ENXIO when nothing is registered.
import { err, intArg, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';

export const io_uring_unregister: Syscall<'io_uring_unregister'> = {
  name: 'io_uring_unregister',
  actor: 'task',
  explore: (w, t) => openFds(w, t)
    .filter((fd) => { const f = fileOf(w, t, fd)!; return f.kind === 'io_uring' && f.ring!.table !== null; })
    .map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'io_uring') return err('EOPNOTSUPP');
    return f.ring!.table === null ? err('ENXIO') : ok(0);
  },
  recipe(w, t, { fd }, r, { k }) {
    if (r.errno) return;
    k.unregisterFiles(w, fileIdOf(w, t, fd)!);
  },
  parseArgs(raw) { const fd = intArg(raw, 'fd'); return typeof fd === 'string' ? fd : { fd }; },
  format: ({ fd }) => `io_uring_register(${fd}, IORING_UNREGISTER_FILES)`,
};
