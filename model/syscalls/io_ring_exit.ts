// io_ring_exit: the teardown of a ring whose ->release had to wait for running requests (io_ring_exit_work;
// in 5.1 io_ring_ctx_wait_and_kill waited synchronously inside ->release — the model treats both as the
// same wait: the ring is `dying` until its last request completes, then this kernel step runs
// io_ring_ctx_free: the registered files are dropped (the table's references, or the ring_sock skbs that
// own them) and the ring is dead.
import type { Draft } from 'immer';
import type { Kernel } from '../kernel.js';
import { ok, type Syscall } from '../step.js';
import type { FileId, World } from '../world.js';
import { waitsForGcLock } from './io_wq.js';

/** A released ring that waits for no request any more. */
const ready = (w: World, id: FileId): boolean => {
  const f = w.files[id];
  return f?.ring?.dying === true && f.ring.requests.length === 0;
};

export function ringExit(w: Draft<World>, k: Kernel, id: FileId): void {
  k.io_ring_ctx_free(w, id);
}

/** Runs every teardown that is ready (what the kernel will finish on its own). */
export function finishRingExits(w: Draft<World>, k: Kernel): void {
  for (let id = 0; id < w.files.length; id++) if (ready(w as World, id)) ringExit(w, k, id);
}

export const io_ring_exit: Syscall<'io_ring_exit'> = {
  name: 'io_ring_exit',
  actor: 'kernel',
  explore(w) {
    const out: { ring: number }[] = [];
    for (let id = 0; id < w.files.length; id++) if (ready(w, id)) out.push({ ring: id });
    return out;
  },
  guard(w, _t, { ring }, { k }) {
    if (!ready(w, ring)) return undefined;
    if (waitsForGcLock(w, (d) => ringExit(d, k, ring))) return undefined;
    return ok(0);
  },
  recipe(w, _t, { ring }, _r, { k }) {
    ringExit(w, k, ring);
  },
  format: ({ ring }) => `io_ring_exit_work(f${ring})`,
};
