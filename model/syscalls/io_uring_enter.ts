// io_uring_enter: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const io_uring_enter: Syscall<'io_uring_enter'> = {
  name: 'io_uring_enter',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'io_uring_enter is not implemented yet',
  format: () => 'io_uring_enter',
};
