// "Let the kernel finish what it has started": the GC run in progress completes, then one more complete
// run, with nothing interleaving. The no-leak property asks whether a file would survive this (domain.md
// Modeling notes D, I7: GC completeness).
import type { Draft } from 'immer';
import { cloneWorld } from './apply.js';
import { gcFinishRun, gcRun } from './gc/index.js';
import type { Kernel } from './kernel.js';
import type { World } from './world.js';

/** Settles a copy of w and returns it. */
export function settle(w: World, k: Kernel): World {
  const d = cloneWorld(w) as Draft<World>;
  for (let round = 0; round < 64; round++) {
    const live = liveCount(d);
    gcFinishRun(d, k);
    gcRun(d, k);
    if (liveCount(d) === live) break;
  }
  return d as World;
}

const liveCount = (w: World): number => w.files.reduce((n, f) => n + (f.released ? 0 : 1), 0);
