// Al Viro's proposal, essentially what 5.1 merged (6b06314c47e1): the ring gets a kernel unix socket
// (ctx->ring_sock); registered files ride on an skb in its queue, accounted in flight, and to the GC the
// ring file is that socket. The GC then sees ring→file edges and collects cycles through rings.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'viro-2019',
  summary: "Al Viro's proposal (merged in 5.1): registrations live in flight on the ring's own unix socket",
  switches: { registration: 'ring_sock', flushTeardown: false, ringFdInScm: 'allow' },
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
  source: 'linux-block, Jan–Feb 2019 (Al Viro); 5.1 "io_uring: add file set registration" 6b06314c47e1',
});
