// accept: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const accept: Syscall<'accept'> = {
  name: 'accept',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'accept is not implemented yet',
  format: () => 'accept',
};
