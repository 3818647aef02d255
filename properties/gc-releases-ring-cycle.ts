import { releasedOnCycle } from './gc-releases-cycle.js';
import type { World } from '../model/world.js';
import type { Transition } from '../model/step.js';
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
    check: (s: World, a: Transition, t: World) => releasedOnCycle(s, a, t, design, 'io_uring'),
  }),
};
