// 5.14-rc4, "af_unix: fix garbage collect vs MSG_PEEK" (cbcf01128d0a, Miklos Szeredi): unix_peek_fds takes
// and drops unix_gc_lock between the dup and the install, so a running GC finishes before a peeked
// candidate gets an fd. Fixes CVE-2021-0920; everything else as 5.1.
// The switch `peekGuard: 'gc-lock'` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, type Overrides } from '../design.js';
import { gcLocked } from '../world.js';

/** peekGuard: 'gc-lock' — unix_peek_fds: spin_lock(&unix_gc_lock); spin_unlock(&unix_gc_lock) after the
 *  dup: the peek waits for a GC that holds the lock (from its start to its purge) before installing. */
export const peekGcLock: Overrides = {
  unix_peek_fds_may_install: (_k, base) => (w, task) => !gcLocked(w.gc) && base(w, task),
};

export default defineDesign({
  name: 'linux-5.14',
  summary: '5.14: 5.1 + the MSG_PEEK lock barrier (CVE-2021-0920 fixed)',
  base: 'linux-5.1',
  switches: { peekGuard: 'gc-lock' },
  // Verdicts at the default bounds: linux-5.1's.
  expected: {},
  source: 'cbcf01128d0a "af_unix: fix garbage collect vs MSG_PEEK" (v5.14-rc4)',
});
