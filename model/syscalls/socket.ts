// socket(AF_UNIX, type, 0): one unconnected unix socket (no address, no peer) at the lowest free fd.
import { newSock } from '../world.js';
import { type Syscall } from '../step.js';
import { allocFile, canCreateFile, guardNewFile, installFd } from './util.js';

export const socket: Syscall<'socket'> = {
  name: 'socket',
  actor: 'task',
  // Only stream: an unconnected dgram socket can neither send nor receive in the model (no bind/sendto), so
  // it behaves as an unconnected stream socket does, which listen and connect can also use.
  explore: (w, t, { bounds }) => (canCreateFile(w, t, bounds.files) ? [{ type: 'stream' }] : []),
  guard: (w, t, _a, { bounds }) => guardNewFile(w, t, bounds.files),
  recipe(w, t, { type }, r) {
    if (r.errno) return;
    const id = allocFile(w, { kind: 'unix', f_count: 1, released: false, ring: null, sock: newSock(type, 'unconnected', null) });
    installFd(w, t, r.ret, id, false);
  },
  format: ({ type }) => `socket(AF_UNIX, SOCK_${type.toUpperCase()}, 0)`,
};
