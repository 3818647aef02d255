// 5.14-rc4, "af_unix: fix garbage collect vs MSG_PEEK" (cbcf01128d0a, Miklos Szeredi): unix_peek_fds takes
// and drops unix_gc_lock between the dup and the install, so a running GC finishes before a peeked
// candidate gets an fd. Fixes CVE-2021-0920. Since 5.1 it also has 5.5's IORING_REGISTER_FILES_UPDATE and
// sparse file sets (below); everything else as 5.1.
// The switch `peekGuard: 'gc-lock'` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, fdLookup, type Overrides } from '../design.js';
import { gcLocked } from '../world.js';

/** peekGuard: 'gc-lock' — unix_peek_fds: spin_lock(&unix_gc_lock); spin_unlock(&unix_gc_lock) after the
 *  dup: the peek waits for a GC that holds the lock (from its start to its purge) before installing. */
export const peekGcLock: Overrides = {
  unix_peek_fds_may_install: (_k, base) => (w, task) => !gcLocked(w.gc) && base(w, task),
};

/** 08a451739a9b "io_uring: allow sparse fixed file sets" (v5.5): io_sqe_files_register takes -1 as an
 *  empty slot instead of an fd (5.1 fget(-1): EBADF). An all-sparse set registers an empty table. */
export const sparseFileSets: Overrides = {
  io_sqe_files_register: (_k, base) => (w, task, ring, fds) => {
    const files = fds.filter((x) => x !== -1);
    if (files.length === fds.length) return base(w, task, ring, fds);
    if (files.length > 0) return base(w, task, ring, files);
    return w.files[ring]!.ring!.table !== null ? 'EBUSY' : undefined;
  },
};

/** c3a31e605620 "io_uring: add support for IORING_REGISTER_FILES_UPDATE" (v5.5): __io_sqe_files_update —
 *  nothing registered ENXIO; no entries or a range beyond the table EINVAL; then entry by entry the old file
 *  leaves its slot and the new fd is fget'd (-1 only clears): an fd not open or an io_uring file stops the
 *  loop with EBADF; the result is the entries done, or the first one's error. While a request of the ring
 *  borrows a file an entry would remove, the call waits (the model's form of the ring's quiesce, 5.5–5.12,
 *  and of the deferred put, 5.13+: model/syscalls/io_uring_update.ts). */
export const filesUpdate: Overrides = {
  io_sqe_files_update: () => (w, task, ringId, offset, fds) => {
    const ring = w.files[ringId]!.ring!;
    if (ring.table === null) return { ret: -1, errno: 'ENXIO' };
    if (fds.length === 0 || offset < 0 || offset + fds.length > ring.table.length) return { ret: -1, errno: 'EINVAL' };
    let done = 0;
    for (let j = 0; j < fds.length; j++) {
      const old = ring.table[offset + j]!;
      if (old !== null && ring.requests.some((q) => q.fixed && q.file === old)) return undefined;
      const x = fds[j]!;
      if (x !== -1) {
        const id = fdLookup(w, task, x)?.file;
        if (id === undefined || w.files[id]!.kind === 'io_uring') break;
      }
      done++;
    }
    return done > 0 ? { ret: done } : { ret: -1, errno: 'EBADF' };
  },
};

export default defineDesign({
  name: 'linux-5.14',
  summary: "5.14: 5.1 + 5.5's FILES_UPDATE and sparse file sets + the MSG_PEEK lock barrier (CVE-2021-0920 fixed)",
  base: 'linux-5.1',
  switches: { peekGuard: 'gc-lock' },
  overrides: { ...sparseFileSets, ...filesUpdate },
  // Verdicts at the default bounds: linux-5.1's.
  expected: {},
  source: 'cbcf01128d0a "af_unix: fix garbage collect vs MSG_PEEK" (v5.14-rc4); c3a31e605620 and 08a451739a9b (v5.5, pull for-5.5/io_uring-20191121): fs/io_uring.c',
});
