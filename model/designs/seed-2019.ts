// The registration patch as posted in January 2019: ctx->user_files[] holds plain counted references,
// and nothing tells the unix GC about them. Al Viro's reply showed the cycle it cannot break:
// register a unix socket in the ring, send the ring's fd into that socket's queue, close everything
// (domain.md §3.1, §4.1). Shortest leak with exit explored: 5 steps.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'seed-2019',
  summary: 'the 2019 patch as posted: registered files are counted references the unix GC cannot see',
  switches: { registration: 'table', flushTeardown: false, ringFdInScm: 'allow' },
  expected: {
    'no-leak': 'violated',
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
    'gc-releases-ring-cycle': 'not-found',
    'request-completes-on-fixed-file': 'not-found',   // io_uring requests are outside the default ops (--ops all --reqs 1)
  },
  source: 'linux-block, Jan 2019: "[PATCH] io_uring: add file set registration" and Al Viro\'s replies',
});
