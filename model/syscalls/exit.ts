// exit(): close_files() closes every fd in ascending order (each a filp_close: ->flush, fput).
import { ok, type Syscall } from '../step.js';
import { taskAlive } from './util.js';

export const exit: Syscall<'exit'> = {
  name: 'exit',
  actor: 'task',
  explore: () => [{}],
  guard: (w, t) => (taskAlive(w, t) ? ok(0) : undefined),
  recipe(w, t, _a, _r, { k }) {
    const task = w.tasks[t]!;
    task.fds.forEach((slot, i) => {
      if (!slot) return;
      task.fds[i] = null;
      k.filp_close(w, slot.file, t, `exit of T${t}`);
    });
    task.alive = false;
  },
  format: () => 'exit(0)',
};
