// io_uring_update: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const io_uring_update: Syscall<'io_uring_update'> = {
  name: 'io_uring_update',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'io_uring_update is not implemented yet',
  format: () => 'io_uring_update',
};
