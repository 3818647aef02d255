import { referenceEdges } from '../model/holders.js';
import type { Design } from '../model/design.js';
import type { Transition } from '../model/step.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

/** Is file `id` on a cycle of the reference graph in w? */
export function onCycle(w: World, edges: readonly (readonly number[])[], id: number): boolean {
  const seen = new Uint8Array(w.files.length);
  const stack = [...edges[id]!];
  while (stack.length) {
    const f = stack.pop()!;
    if (f === id) return true;
    if (seen[f]) continue;
    seen[f] = 1;
    stack.push(...edges[f]!);
  }
  return false;
}

export const gcReleasesCycle: PropertyDef = {
  name: 'gc-releases-cycle',
  kind: 'sometimes',
  title: 'witness: the unix GC releases a unix socket that sat on a reference cycle',
  explain:
    'Some run of the unix GC releases an AF_UNIX socket that was on a cycle of in-flight references (a socket ' +
    'whose queue carries, directly or through others, its own fd). Finding it shows that the bounds let a cycle ' +
    'form and that the design\'s GC breaks it — without it, a "holds" for no-leak could only mean that no cycle ' +
    'ever formed. For rings, gc-releases-ring-cycle is the same witness.',
  guards: ['no-leak', 'gc-safety'],
  make: ({ design }) => ({
    name: 'gc-releases-cycle', kind: 'sometimes', on: 'step',
    check: (s: World, a: Transition, t: World) => releasedOnCycle(s, a, t, design, 'unix'),
  }),
};

/** A GC step that releases a live file of `kind` that sat on a reference cycle: a phased run found the
 *  cycle when it collected (the purge step that releases the file no longer sees the edges the hitlist
 *  took); a whole run in one step is judged on the state before it. */
export function releasedOnCycle(s: World, a: Transition, t: World, design: Design, kind: 'unix' | 'io_uring'): string | undefined {
  if (a.step.syscall !== 'unix_gc') return undefined;
  let edges: number[][] | undefined;
  for (let id = 0; id < s.files.length; id++) {
    const f = s.files[id]!;
    if (f.kind !== kind || f.released || !t.files[id]!.released) continue;
    edges ??= referenceEdges(s, design);
    if (s.gc.collected.includes(id) || onCycle(s, edges, id)) return `unix_gc released ${fileName(s, id)}, which was on a reference cycle`;
  }
  return undefined;
}
