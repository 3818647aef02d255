// io_uring_register(fd, IORING_UNREGISTER_FILES): drop the registered files (the table's own
// references, or the ring_sock skbs that own them). ENXIO when nothing is registered.
// While a request that borrowed a registered file exists (queued or running), the call waits: the step
// is not taken (5.1–5.12 quiesced the whole ring; later kernels wait in io_rsrc_ref_quiesce or defer the
// put to the last request's node reference — either way no registered file is put before the requests
// that could see it are done).
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';

export const io_uring_unregister: Syscall<'io_uring_unregister'> = {
  name: 'io_uring_unregister',
  actor: 'task',
  explore: (w, t) => openFds(w, t)
    .filter((fd) => { const f = fileOf(w, t, fd)!; return f.kind === 'io_uring' && f.ring!.table !== null && !f.ring!.requests.some((q) => q.fixed); })
    .map((fd) => ({ fd })),
  guard(w, t, { fd }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'io_uring') return err('EOPNOTSUPP');
    if (f.ring!.table === null) return err('ENXIO');
    return f.ring!.requests.some((q) => q.fixed) ? undefined : ok(0);
  },
  recipe(w, t, { fd }, r, { k }) {
    if (r.errno) return;
    k.io_sqe_files_unregister(w, fileIdOf(w, t, fd)!);
  },
  format: ({ fd }) => `io_uring_register(${fd}, IORING_UNREGISTER_FILES)`,
};
