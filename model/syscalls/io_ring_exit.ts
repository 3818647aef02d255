// io_ring_exit: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const io_ring_exit: Syscall<'io_ring_exit'> = {
  name: 'io_ring_exit',
  actor: 'kernel',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'io_ring_exit is not implemented yet',
  format: () => 'io_ring_exit',
};
