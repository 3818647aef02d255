// execve(): do_close_on_exec() closes every FD_CLOEXEC fd (each a filp_close: ->flush, fput).
// Explored only when the task has such an fd (otherwise it changes nothing the model sees).
import { ok, type Syscall } from '../step.js';
import { taskAlive } from './util.js';

export const exec: Syscall<'exec'> = {
  name: 'exec',
  actor: 'task',
  explore: (w, t) => (w.tasks[t]!.fds.some((s) => s?.cloexec) ? [{}] : []),
  guard: (w, t) => (taskAlive(w, t) ? ok(0) : undefined),
  recipe(w, t, _a, _r, { k }) {
    const task = w.tasks[t]!;
    task.fds.forEach((slot, i) => {
      if (!slot || !slot.cloexec) return;
      task.fds[i] = null;
      k.filp_close(w, slot.file, t, `exec by T${t}`);
    });
  },
  format: () => 'execve("/bin/true")',
};
