import type { World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const scenarioCompletes: PropertyDef = {
  name: 'scenario-completes',
  kind: 'sometimes',
  title: 'witness (scenarios only): every task runs its program to the end, and the GC is idle',
  explain:
    'Some interleaving runs every task\'s program to its last line (each call returned, whatever its result) ' +
    'and leaves the unix GC idle. Finding it shows that the scenario is possible at all under the design and ' +
    'the bounds: a scenario whose programs can never finish (a bound too tight, a call that can never be made) ' +
    'would make every "holds" vacuous.',
  guards: '*',
  make: ({ programs }) => ({
    name: 'scenario-completes', kind: 'sometimes', on: 'state',
    check(w: World) {
      if (!programs || w.gc.phase !== 'idle') return undefined;
      for (let t = 0; t < programs.length; t++) {
        const task = w.tasks[t]!;
        if (task.pending !== null) return undefined;
        // A task that exited (or was never forked) has run as far as it ever will only if its program ended.
        if (task.pc < programs[t]!.length) return undefined;
      }
      return `every program ran to its end: ${programs.map((p, t) => `T${t} ${p.length} call${p.length === 1 ? '' : 's'}`).join(', ')}`;
    },
  }),
};
