// socket: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const socket: Syscall<'socket'> = {
  name: 'socket',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'socket is not implemented yet',
  format: () => 'socket',
};
