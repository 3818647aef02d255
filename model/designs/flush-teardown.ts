// The alternative Al Viro rejected: keep counted registrations, but tear the ring down in ->flush,
// which runs on *every* close of a ring fd — including the implicit closes when a forked child exits
// or execs (a library calling system("/bin/date") would kill the parent's rings).
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'flush-teardown',
  summary: 'counted registrations, ring torn down on ->flush (every close of any copy of the fd)',
  base: 'seed-2019',
  switches: { flushTeardown: true },
  expected: {
    'no-leak': 'holds',
    'no-double-free': 'holds',
    'no-use-after-free': 'holds',
    'teardown-on-final-fput': 'violated',
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
  source: 'linux-block, Jan 2019: Al Viro on ->flush vs ->release',
});
