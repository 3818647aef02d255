import { forEachHolder } from '../model/holders.js';
import type { Transition } from '../model/step.js';
import { fileName, type World } from '../model/world.js';
import { justCollected } from './gc-safety.js';
import type { PropertyDef } from './property.js';

export const noSilentPurge: PropertyDef = {
  name: 'no-silent-purge',
  kind: 'always',
  title: 'the GC never takes messages from the queue of a socket a task holds an fd to',
  explain:
    'The unix GC never unlinks skbs from the receive queue of a socket that some task has open in its fd ' +
    'table: those messages (and the fds they carry) would vanish under a reader that can see the socket — ' +
    'silent data loss, observable without KASAN, and the first half of CVE-2021-0920 and CVE-2026-23394. ' +
    'Narrower than gc-safety, which also counts references held by syscalls in progress and requests.',
  make: ({ design }) => ({
    name: 'no-silent-purge', kind: 'always', on: 'step',
    check(s: World, a: Transition, t: World) {
      const collected = justCollected(s, a, t);
      if (collected.length === 0) return undefined;
      const open = new Set<number>();
      forEachHolder(t, design, (file, h) => { if (h.kind === 'fd') open.add(file); });
      const bad = collected.filter((id) => open.has(id));
      return bad.length ? `unix_gc emptied the queue of ${bad.map((id) => fileName(t, id)).join(', ')}, which a task has open` : undefined;
    },
  }),
};
