// Today's Linux (this machine runs 6.18), as far as this model reaches: registered files are plain
// counted table slots that the unix GC never sees (6.8, "io_uring/unix: drop usage of io_uring socket"),
// and a ring fd in SCM_RIGHTS is refused with EINVAL (6.7-rc5, 705318a99a13), so no cycle can run through
// a ring. Not yet modelled here (the kernel-fidelity issue): the 6.10 graph GC — which the oracle showed
// does NOT always collect what the 2.6.23 algorithm used here collects (oracle/hand.ts gc-scc-leak: an SCC
// whose members got different scc_index values is never found dead) —, GC phases racing with syscalls,
// io_uring requests.
// The oracle (`inflight kernel`) holds this design to the running kernel.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-6.18',
  summary: "today's Linux as far as the model reaches: counted registrations, ring fds refused in SCM_RIGHTS",
  base: 'seed-2019',
  switches: { registration: 'table', flushTeardown: false, ringFdInScm: 'EINVAL' },
  expected: {
    'no-leak': 'holds',
    'no-double-free': 'holds',
    'no-use-after-free': 'holds',
    'teardown-on-final-fput': 'holds',
    'refcount-exact': 'holds',
    'gc-releases-ring-cycle': 'not-found',
  },
  source: 'torvalds/linux v6.18: io_uring/rsrc.c, io_uring/register.c, net/core/scm.c (scm_fp_copy), net/unix/garbage.c',
});
