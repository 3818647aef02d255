import { referenceEdges } from '../model/holders.js';
import { onCycle } from './gc-releases-cycle.js';
import { fileName, type World } from '../model/world.js';
import type { Transition } from '../model/step.js';
import type { Design } from '../model/design.js';
import type { PropertyDef } from './property.js';

export const gcReleasesRingCycle: PropertyDef = {
  name: 'gc-releases-ring-cycle',
  kind: 'sometimes',
  title: 'witness: the unix GC releases a reference cycle that runs through a ring',
  explain:
    'Some run of the unix GC releases an io_uring file that sat on a cycle of references (ring → registered ' +
    'socket → skb carrying the ring\'s fd → ring). Finding it shows that the bounds are wide enough for Al ' +
    'Viro\'s scenario to happen at all and that the design\'s GC can see through rings; a design whose GC is ' +
    'blind to rings never produces it, so a "holds" for no-leak there would only mean the cycle never formed.',
  make: ({ design }) => ({
    name: 'gc-releases-ring-cycle', kind: 'sometimes', on: 'step',
    check(s: World, a: Transition, t: World) {
      if (a.step.syscall !== 'unix_gc') return undefined;
      for (let id = 0; id < s.files.length; id++) {
        const f = s.files[id]!;
        if (f.kind !== 'io_uring' || f.released || !t.files[id]!.released) continue;
        // A phased run found the cycle when it collected (the purge step that releases the ring no longer
        // sees the edges the hitlist took); a whole run in one step is judged on the state before it.
        if (s.gc.collected.includes(id) || onCycle(s, referenceEdges(s, design), id)) return `unix_gc released ${fileName(s, id)}, which was on a reference cycle`;
      }
      return undefined;
    },
  }),
};
