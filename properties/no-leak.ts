import { settle } from '../model/settle.js';
import { describeHolder, everyLiveFileInFdTables, holdersOf, reachable } from '../model/holders.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const noLeak: PropertyDef = {
  name: 'no-leak',
  kind: 'always',
  title: 'every live file is reachable, or the unix GC would release it',
  explain:
    'In every state, each struct file that has not been released is either reachable from some task\'s ' +
    'fd table (following the SCM_RIGHTS lists on receive queues and the rings\' registered files), or is ' +
    'garbage that one complete run of the design\'s unix GC, started from this state, would release. A file ' +
    'that is unreachable and survives the GC is leaked for good: nothing can ever drop its last reference. ' +
    'This is Al Viro\'s 2019 objection to counted registrations: a ring that holds a unix socket whose queue ' +
    'holds the ring\'s own fd forms a cycle the GC cannot see.',
  make: ({ design, k }) => ({
    name: 'no-leak', kind: 'always', on: 'state',
    check(w: World) {
      if (everyLiveFileInFdTables(w)) return undefined;
      const seen = reachable(w, design);
      const lost: number[] = [];
      w.files.forEach((f, id) => { if (!f.released && !seen[id]) lost.push(id); });
      if (lost.length === 0) return undefined;
      // Would a complete GC run from here release them?
      const after = settle(w, k);
      const leaked = lost.filter((id) => !after.files[id]!.released);
      if (leaked.length === 0) return undefined;
      const holders = holdersOf(w, design);
      const why = leaked.map((id) => {
        const hs = holders[id]!;
        return `${fileName(w, id)} (f_count ${w.files[id]!.f_count}) held by ${hs.length ? hs.map(describeHolder).join(' and ') : 'nothing'}`;
      });
      return `leaked: ${leaked.map((id) => fileName(w, id)).join(', ')} — unreachable from every fd table, and a complete unix GC run releases none of them: ${why.join('; ')}`;
    },
  }),
};
