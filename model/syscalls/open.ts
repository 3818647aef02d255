// open(path, O_RDWR): a regular file, installed at the lowest free fd.
import { liveFileCount } from '../world.js';
import { err, noArgs, ok, type Syscall } from '../step.js';
import { allocFile, freeFds, installFd, taskAlive } from './util.js';

export const open: Syscall<'open'> = {
  name: 'open',
  actor: 'task',
  explore: (w, t, { bounds }) => (liveFileCount(w) < bounds.files && freeFds(w, t, 1) ? [{}] : []),
  guard(w, t, _a, { bounds }) {
    if (!taskAlive(w, t) || liveFileCount(w) >= bounds.files) return undefined;
    const fds = freeFds(w, t, 1);
    return fds ? ok(fds[0]) : err('EMFILE');
  },
  recipe(w, t, _a, r) {
    if (r.errno) return;
    const id = allocFile(w, { kind: 'regular', f_count: 1, released: false, sock: null, ring: null });
    installFd(w, t, r.ret, id, false);
  },
  parseArgs: noArgs,
  format: () => 'open("file", O_RDWR)',
};
