// The unix GC as the kernel actor "kernel": each step is one phase of a run (model/gc/), or a whole run
// with bounds gc atomic. A run may start whenever the GC is idle and its trigger holds (see gcMayStart).
import type { Syscall } from '../step.js';
import { ok } from '../step.js';
import { gcMayStart, gcNextPhase, gcRun, gcStep } from '../gc/index.js';

export const unix_gc: Syscall<'unix_gc'> = {
  name: 'unix_gc',
  actor: 'kernel',
  explore(w, _t, { k, bounds }) {
    if (w.gc.phase === 'idle') return gcMayStart(w, k) ? [{ phase: bounds.gc === 'atomic' ? 'run' : 'start' }] : [];
    return [{ phase: gcNextPhase(w) }];
  },
  guard(w, _t, args) {
    const phase = args.phase ?? 'run';
    // Explored only when something is in flight; a replayed trace may run the GC with nothing to do.
    if (phase === 'run' || phase === 'start') return w.gc.phase === 'idle' ? ok(0) : undefined;
    return phase === gcNextPhase(w) ? ok(0) : undefined;
  },
  recipe(w, _t, args, _r, { k }) {
    if ((args.phase ?? 'run') === 'run') gcRun(w, k);
    else gcStep(w, k);
  },
  format: ({ phase }) => (phase === undefined || phase === 'run' ? 'unix_gc()' : `unix_gc: ${phase}`),
};
