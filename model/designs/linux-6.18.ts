// Today's Linux (this machine runs 6.18.44): 6.10's graph GC with "af_unix: Give up GC if MSG_PEEK
// intervened" (e5b31d988a41, in 6.18.23+: CVE-2026-23394 fixed): a peek while the GC evaluates an SCC makes
// that SCC alive for this run. Registered files are counted table slots the GC never sees, ring fds are
// refused in SCM_RIGHTS. The oracle (`inflight kernel`) holds this design to the running kernel; it found
// that the 6.18 graph GC does not always collect what the 2007 algorithm collects (oracle/hand.ts
// gc-scc-leak). That leak is the kernel's scc_index bug, which upstream fixed in 4a4263dfeaba (6.18.54:
// linux-6.18.54, model/designs/linux-6.18.54.ts); this design keeps it, as 6.18.44 has it.
// The switch `peekGuard: 'seqcount'` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, type Overrides } from '../design.js';

/** peekGuard: 'seqcount' — unix_peek_fpl(): a peek of AF_UNIX fds while a GC runs bumps unix_peek_seq
 *  (the model's gc.peekSeen); __unix_gc's read_seqcount_retry makes an SCC whose evaluation saw one alive
 *  for this run. */
export const peekSeqcount: Overrides = {
  unix_peek_fds: (k, base) => (w, task, files, why) => {
    base(w, task, files, why);
    if (w.gc.phase !== 'idle' && files.some((x) => k.unix_get_socket(w, x))) w.gc.peekSeen = true;
  },
  unix_scc_dead: (_k, base) => (w, scc, allDead) => base(w, scc, allDead) && !w.gc.peekSeen,
};

export default defineDesign({
  name: 'linux-6.18',
  summary: "today's Linux (6.18.44): graph GC that gives up an SCC a MSG_PEEK intervened in; counted registrations; ring fds refused in SCM_RIGHTS",
  base: 'linux-6.10',
  switches: { peekGuard: 'seqcount' },
  // Verdicts at the default bounds: linux-6.10's.
  expected: {},
  source: 'torvalds/linux v6.18 + e5b31d988a41: io_uring/rsrc.c, io_uring/register.c, net/core/scm.c (scm_fp_copy), net/unix/garbage.c',
});
