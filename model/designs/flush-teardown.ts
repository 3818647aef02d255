// The alternative Al Viro rejected: keep counted registrations, but tear the ring down in ->flush,
// which runs on *every* close of a ring fd — including the implicit closes when a forked child exits
// or execs (a library calling system("/bin/date") would kill the parent's rings).
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'flush-teardown',
  summary: 'counted registrations, ring torn down on ->flush (every close of any copy of the fd)',
  base: 'seed-2019',
  switches: { flushTeardown: true },
  // Verdicts at the default bounds: seed-2019's, except:
  expected: {
    'no-leak': 'holds',
    'teardown-on-final-fput': 'violated',
  },
  source: 'linux-block, Jan 2019: Al Viro on ->flush vs ->release',
});
