// connect: being written (issue 3). Until then it is never enabled.
import type { Continuation, Syscall } from '../step.js';
import type { Pending } from '../world.js';

export const connect: Syscall<'connect'> = {
  name: 'connect',
  actor: 'task',
  explore: () => [],
  guard: () => undefined,
  recipe() { /* not yet */ },
  parseArgs: () => 'connect is not implemented yet',
  format: () => 'connect',
};

export const connectContinuation: Continuation<Extract<Pending, { kind: 'connect' }>> = {
  call: (p) => `connect(${p.fd})`,
  stage: (p) => p.stage,
  guard: () => undefined,
  recipe() { /* not yet */ },
};
