import { reachable } from '../model/holders.js';
import type { Transition } from '../model/step.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

/** The files whose queues a GC step just collected (the step that unlinked their skbs): what it added to
 *  the run's `collected` list (the graph GC collects one dead SCC at a time, so a run may add several times). */
export function justCollected(s: World, a: Transition, t: World): number[] {
  if (a.step.syscall !== 'unix_gc' || t.gc.collected.length === 0) return [];
  const before = s.gc.phase === 'idle' ? [] : s.gc.collected;
  return t.gc.collected.filter((id) => !before.includes(id));
}

export const gcSafety: PropertyDef = {
  name: 'gc-safety',
  kind: 'always',
  title: 'the unix GC collects only sockets that nothing outside the garbage can reach',
  explain:
    'When a GC run decides that a set of sockets is garbage and unlinks the skbs on their queues, none of ' +
    'those sockets is reachable from a root: an fd slot, a syscall in progress that holds a reference (MSG_PEEK\'s ' +
    'dup\'ed list), a request\'s reference, or a ring that user space can still submit on. The 2007 GC reads ' +
    'file counts once per socket, without a lock that MSG_PEEK takes, so a peek between two candidates\' ' +
    'checks can hand one of them back to user space while the GC still deems it garbage: CVE-2021-0920 ' +
    '(fixed in 5.14 by a lock barrier in unix_peek_fds) and, in the 6.10 graph GC that dropped the barrier, ' +
    'CVE-2026-23394 (fixed by giving up an SCC a peek intervened in). Checked on the step that collects; ' +
    'a whole run in one step (bounds gc atomic) cannot race, so only phased runs can violate it.',
  make: ({ design }) => ({
    name: 'gc-safety', kind: 'always', on: 'step',
    check(s: World, a: Transition, t: World) {
      const collected = justCollected(s, a, t);
      if (collected.length === 0) return undefined;
      const live = reachable(s, design);
      const bad = collected.filter((id) => live[id]);
      if (bad.length === 0) return undefined;
      return `unix_gc collected the queue${bad.length > 1 ? 's' : ''} of ${bad.map((id) => fileName(s, id)).join(', ')}, ` +
        `still reachable from user space (through an fd or a syscall in progress)`;
    },
  }),
};
