// ->flush tears the ring down only when the closing process closes its last fd of the ring: a narrower
// version of the teardown Al Viro rejected (flush-teardown does it on every close). The override gets the
// closing task, which the first API's flush hook did not. The check shows that his objection stands: a
// ring whose fd sits in flight (one task), or whose fd a forked child holds (--tasks 2), is torn down
// while others still hold it.
//   npx inflight check --design examples/flush-last-fd.ts              # teardown-on-final-fput: 4 steps
//   npx inflight check --design examples/flush-last-fd.ts --tasks 2    # 3 steps: fork, the child exits
import { defineDesign } from 'inflight/design';

export default defineDesign({
  name: 'flush-last-fd',
  summary: "counted registrations; ->flush tears the ring down when the closing process holds no other fd of it",
  base: 'seed-2019',
  overrides: {
    io_uring_flush: (k) => (w, ring, task) => {
      const t = w.tasks[task];
      if (!t || w.files[ring]!.released || t.fds.some((slot) => slot?.file === ring)) return;
      k.io_sqe_files_unregister(w, ring);
      w.files[ring]!.ring!.dead = true;
    },
  },
  expected: { 'no-leak': 'holds', 'teardown-on-final-fput': 'violated' },
});
