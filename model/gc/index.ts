// The unix GC as the model runs it: whichever algorithm the design has (k.unix_gc: the `gc` switch), one step at a time
// (bounds gc phased) or a whole run per step (gc atomic). Also the hypothetical "let the GC finish and run
// once more" that the no-leak property asks about.
import type { Draft } from 'immer';
import type { Kernel } from '../kernel.js';
import type { World } from '../world.js';
import { totInflight } from './unix-gc-2007.js';

type W = Draft<World>;

export { totInflight };

/** Whether a new run may start: the GC is idle and its trigger (k.unix_schedule_gc) answers yes — by
 *  default, something it can see is in flight. In the kernel any process's release of any unix socket
 *  calls the trigger (its condition is global state), so a run may start at any moment it holds; releases
 *  within the model are such triggers. */
export const gcMayStart = (w: World, k: Kernel): boolean => w.gc.phase === 'idle' && k.unix_schedule_gc(w);

/** The next step of the GC (starting a run when idle). */
export function gcStep(w: W, k: Kernel): void {
  k.unix_gc(w);
}

/** Finish the run in progress, if any. */
export function gcFinishRun(w: W, k: Kernel): void {
  for (let guard = 0; w.gc.phase !== 'idle'; guard++) {
    if (guard > 100000) throw new Error('the unix GC does not terminate');
    gcStep(w, k);
  }
}

/** One complete run from idle (nothing else interleaving). */
export function gcRun(w: W, k: Kernel): void {
  if (w.gc.phase !== 'idle') return;
  gcStep(w, k);
  gcFinishRun(w, k);
}

/** Every step of the unix_gc actor, per algorithm: `run` is a whole run (bounds gc atomic), the others the
 *  phases of a phased run (the gc.phase a step starts from, `start` from idle). The graph GC's walk is
 *  part of `start` (GcPhase 'walk' is never a phase between steps). docs/atomicity.md has a row for each. */
export const GC_STEPS: { readonly [A in '2007' | 'graph']: readonly string[] } = {
  '2007': ['run', 'start', 'select', 'scan', 'purge'],
  graph: ['run', 'start', 'dead', 'purge'],
};

/** The name of the GC's next step in w (for traces): what `gcStep` will do. */
export function gcNextPhase(w: World): string {
  return w.gc.phase === 'idle' ? 'start' : w.gc.phase;
}
