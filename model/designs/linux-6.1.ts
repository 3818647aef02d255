// 6.1, "io_uring/af_unix: defer registered files gc to io_uring release" (0091bfc81741, Pavel Begunkov):
// ring_sock skbs are marked scm_io_uring; the GC still uses them to find cycles but puts them back
// instead of purging them, so only the ring's own release (which waits for its requests) puts registered
// files. Fixes CVE-2022-2602. MSG_OOB exists since 5.15, and its GC leak is not fixed until Feb 2024.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-6.1',
  summary: '6.1: 5.14 + the GC never purges ring_sock skbs (CVE-2022-2602 fixed); MSG_OOB (5.15) leaks through the GC',
  base: 'linux-5.14',
  switches: { scmIoUringRequeue: true, oob: 'leaky' },
  // Verdicts at the default bounds: linux-5.14's. With --oob, no-leak is violated in 3 steps (the MSG_OOB
  // leak, domain.md §4.6, scenario oob-leak); CVE-2023-6531 needs requests and a phased GC (scenario).
  expected: {},
  source: '0091bfc81741 "io_uring/af_unix: defer registered files gc to io_uring release" (6.1 merge window)',
});
