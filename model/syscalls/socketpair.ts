// socketpair(AF_UNIX, type): two connected sockets at the two lowest free fds.
import { liveFileCount, newSock } from '../world.js';
import { err, ok, type Syscall } from '../step.js';
import { allocFile, freeFds, installFd, taskAlive } from './util.js';

export const socketpair: Syscall<'socketpair'> = {
  name: 'socketpair',
  actor: 'task',
  explore: (w, t, { bounds }) =>
    liveFileCount(w) + 2 <= bounds.files && freeFds(w, t, 2) ? [{ type: 'dgram' }, { type: 'stream' }] : [],
  guard(w, t, _a, { bounds }) {
    if (!taskAlive(w, t) || liveFileCount(w) + 2 > bounds.files) return undefined;
    const fds = freeFds(w, t, 2);
    return fds ? ok(0, fds) : err('EMFILE');
  },
  recipe(w, t, { type }, r) {
    if (r.errno) return;
    const a = w.files.length;
    const b = a + 1;
    allocFile(w, { kind: 'unix', f_count: 1, released: false, ring: null, sock: newSock(type, 'connected', b) });
    allocFile(w, { kind: 'unix', f_count: 1, released: false, ring: null, sock: newSock(type, 'connected', a) });
    installFd(w, t, r.fds![0]!, a, false);
    installFd(w, t, r.fds![1]!, b, false);
  },
  format: ({ type }) => `socketpair(AF_UNIX, SOCK_${type.toUpperCase()})`,
};
