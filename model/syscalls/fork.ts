// fork(): the child gets a copy of the fd table; every copied slot is a new reference (dup_fd).
// Returns the child's task number.
import { ok, type Syscall } from '../step.js';
import { taskAlive } from './util.js';
import type { World } from '../world.js';

const freeTask = (w: World): number => w.tasks.findIndex((x) => !x.alive);

export const fork: Syscall<'fork'> = {
  name: 'fork',
  actor: 'task',
  explore: (w) => (freeTask(w) >= 0 ? [{}] : []),
  guard(w, t) {
    if (!taskAlive(w, t)) return undefined;
    const child = freeTask(w);
    return child < 0 ? undefined : ok(child);
  },
  recipe(w, t, _a, r, { k }) {
    const child = w.tasks[r.ret]!;
    const parent = w.tasks[t]!;
    child.alive = true;
    child.pc = 0;
    child.pending = null;
    parent.fds.forEach((slot, i) => {
      if (slot) k.fget(w, slot.file, `fork by T${t}`);
      child.fds[i] = slot ? { file: slot.file, cloexec: slot.cloexec } : null;
    });
  },
  format: () => 'fork()',
};
