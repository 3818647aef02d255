// The alternative Al Viro rejected: keep counted registrations, but tear the ring down in ->flush,
// which runs on *every* close of a ring fd — including the implicit closes when a forked child exits
// or execs (a library calling system("/bin/date") would kill the parent's rings).
// The switch `flushTeardown: true` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, type Overrides } from '../design.js';

/** flushTeardown — io_uring_flush(): every close of any copy of a ring fd drops the ring's registered
 *  files and kills the ring. */
export const flushTeardown: Overrides = {
  io_uring_flush: (k) => (w, ring) => {
    if (w.files[ring]!.released) return;
    k.io_sqe_files_unregister(w, ring);
    w.files[ring]!.ring!.dead = true;
  },
};

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
