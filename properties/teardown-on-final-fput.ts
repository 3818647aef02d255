import { describeHolder, holdersOf } from '../model/holders.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const teardownOnFinalFput: PropertyDef = {
  name: 'teardown-on-final-fput',
  kind: 'always',
  title: 'a ring is torn down only when its last reference goes (->release, not ->flush)',
  explain:
    'An io_uring ring drops its registered files and dies only in ->release, when the f_count of its file ' +
    'reaches zero. ->flush runs on every close() of any copy of the fd — including the implicit closes when a ' +
    'forked child exits or execs — so a design that tears the ring down there kills rings that other tasks ' +
    'still use (Al Viro, 2019: a library calling system("/bin/date") would kill the caller\'s rings).',
  make: ({ design }) => ({
    name: 'teardown-on-final-fput', kind: 'always', on: 'state',
    check(w: World) {
      const id = w.files.findIndex((f) => f.ring?.dead === true && !f.released);
      if (id < 0) return undefined;
      const hs = holdersOf(w, design)[id]!;
      return `${fileName(w, id)} was torn down while its f_count is ${w.files[id]!.f_count} (still held by ${hs.map(describeHolder).join(', ') || 'nothing'})`;
    },
  }),
};
