// listen: being written (issue 3). Until then it is never enabled.
import type { Syscall } from '../step.js';

export const listen: Syscall<'listen'> = {
  name: 'listen',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'listen is not implemented yet',
  format: () => 'listen',
};
