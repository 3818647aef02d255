// Today's Linux (this machine runs 6.18.44): 6.10's graph GC with "af_unix: Give up GC if MSG_PEEK
// intervened" (e5b31d988a41, in 6.18.23+: CVE-2026-23394 fixed): a peek while the GC evaluates an SCC makes
// that SCC alive for this run. Registered files are counted table slots the GC never sees, ring fds are
// refused in SCM_RIGHTS. The oracle (`inflight kernel`) holds this design to the running kernel; it found
// that the 6.18 graph GC does not always collect what the 2007 algorithm collects (oracle/hand.ts
// gc-scc-leak).
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-6.18',
  summary: "today's Linux (6.18.44): graph GC that gives up an SCC a MSG_PEEK intervened in; counted registrations; ring fds refused in SCM_RIGHTS",
  base: 'linux-6.10',
  switches: { peekGuard: 'seqcount' },
  // Verdicts at the default bounds: linux-6.10's.
  expected: {},
  source: 'torvalds/linux v6.18 + e5b31d988a41: io_uring/rsrc.c, io_uring/register.c, net/core/scm.c (scm_fp_copy), net/unix/garbage.c',
});
