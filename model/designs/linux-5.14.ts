// 5.14-rc4, "af_unix: fix garbage collect vs MSG_PEEK" (cbcf01128d0a, Miklos Szeredi): unix_peek_fds takes
// and drops unix_gc_lock between the dup and the install, so a running GC finishes before a peeked
// candidate gets an fd. Fixes CVE-2021-0920; everything else as 5.1.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-5.14',
  summary: '5.14: 5.1 + the MSG_PEEK lock barrier (CVE-2021-0920 fixed)',
  base: 'linux-5.1',
  switches: { peekGuard: 'gc-lock' },
  expected: {
    'no-leak': 'holds',
    'no-double-free': 'holds',
    'no-use-after-free': 'holds',
    'teardown-on-final-fput': 'holds',
    'refcount-exact': 'holds',
    'gc-safety': 'holds',
    'no-silent-purge': 'holds',
    'failure-atomicity': 'holds',
    'inflight-exact': 'holds',
    'graph-accounting': 'holds',
    'gc-releases-cycle': 'found',
    'gc-releases-ring-cycle': 'found',
    'request-completes-on-fixed-file': 'not-found',   // io_uring requests are outside the default ops (--ops all --reqs 1)
  },
  source: 'cbcf01128d0a "af_unix: fix garbage collect vs MSG_PEEK" (v5.14-rc4)',
});
