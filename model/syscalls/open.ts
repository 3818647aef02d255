// open(path, O_RDWR): a regular file, installed at the lowest free fd.
import type { Syscall } from '../step.js';
import { allocFile, canCreateFile, guardNewFile, installFd } from './util.js';

export const open: Syscall<'open'> = {
  name: 'open',
  actor: 'task',
  explore: (w, t, { bounds }) => (canCreateFile(w, t, bounds.files) ? [{}] : []),
  guard: (w, t, _a, { bounds }) => guardNewFile(w, t, bounds.files),
  recipe(w, t, _a, r) {
    if (r.errno) return;
    const id = allocFile(w, { kind: 'regular', f_count: 1, released: false, sock: null, ring: null });
    installFd(w, t, r.ret, id, false);
  },
  format: () => 'open("file", O_RDWR)',
};
