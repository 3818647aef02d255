// io_wq: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const io_wq: Syscall<'io_wq'> = {
  name: 'io_wq',
  actor: 'kernel',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'io_wq is not implemented yet',
  format: () => 'io_wq',
};
