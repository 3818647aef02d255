// "Let the kernel finish what it has started": the GC run in progress completes, the io_uring requests that
// run (blocked, picked) complete, the rings whose teardown waited for them are torn down, then one more
// complete GC run, with nothing interleaving; again while that releases something. Queued requests of live
// rings are left alone (a recv may wait for data forever; what they hold is a root). The no-leak property
// asks whether a file would survive this (domain.md Modeling notes D, I7: GC completeness).
import type { Draft } from 'immer';
import { cloneWorld } from './apply.js';
import { gcFinishRun, gcRun } from './gc/index.js';
import type { Kernel } from './kernel.js';
import type { World } from './world.js';
import { finishRunningRequests } from './syscalls/io_wq.js';
import { finishRingExits } from './syscalls/io_ring_exit.js';

/** Settles a copy of w and returns it. */
export function settle(w: World, k: Kernel): World {
  const d = cloneWorld(w) as Draft<World>;
  for (let round = 0; round < 64; round++) {
    const live = liveCount(d);
    gcFinishRun(d, k);
    finishRunningRequests(d, k);
    finishRingExits(d, k);
    gcRun(d, k);
    if (liveCount(d) === live) break;
  }
  return d as World;
}

const liveCount = (w: World): number => w.files.reduce((n, f) => n + (f.released ? 0 : 1), 0);
