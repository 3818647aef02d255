// A run of the unix garbage collector, as the kernel actor "kernel". Explored whenever something the
// GC can see is in flight (unix_tot_inflight != 0), which is when any unix socket's release would
// trigger it. The run itself is model/gc/unix-gc-2007.ts.
import { noArgs, ok, type Syscall } from '../step.js';
import { totInflight, unixGc } from '../gc/unix-gc-2007.js';

export const unix_gc: Syscall<'unix_gc'> = {
  name: 'unix_gc',
  actor: 'kernel',
  explore: (w, _t, { k }) => (totInflight(w, k) > 0 ? [{}] : []),
  guard: () => ok(0),
  recipe(w, _t, _a, _r, { k }) { unixGc(w, k); },
  parseArgs: noArgs,
  format: () => 'unix_gc()',
};
