// io_uring_setup(): the "[io_uring]" anon-inode file, O_RDWR|O_CLOEXEC. Where the design accounts
// registered files in flight, the ring also gets its kernel-internal unix socket (ctx->ring_sock).
import type { Syscall } from '../step.js';
import { allocFile, canCreateFile, guardNewFile, installFd } from './util.js';

export const io_uring_setup: Syscall<'io_uring_setup'> = {
  name: 'io_uring_setup',
  actor: 'task',
  explore: (w, t, { bounds }) => (canCreateFile(w, t, bounds.files) ? [{}] : []),
  guard: (w, t, _a, { bounds }) => guardNewFile(w, t, bounds.files),
  recipe(w, t, _a, r, { k }) {
    if (r.errno) return;
    const id = allocFile(w, { kind: 'io_uring', f_count: 1, released: false, sock: null, ring: k.io_ring_ctx_alloc(w) });
    installFd(w, t, r.ret, id, true);
  },
  format: () => 'io_uring_setup(8, &params)',
};
