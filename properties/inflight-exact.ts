// I3: the 2007 GC's in-flight accounting (domain.md Modeling notes D).
import { kernelOf, type Kernel } from '../model/kernel.js';
import { fileName, type FileId, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';
import { forEachDequeued } from '../model/holders.js';

/** For each file the GC can see as a socket (an AF_UNIX socket, or with ring_sock registration a ring
 *  file), the number of SCM entries referring to it: receive queues of live sockets, ring_sock
 *  registration skbs, OOB skbs only u->oob_skb holds, and the GC's hitlist. */
function countEntries(w: World, k: Kernel): Map<FileId, number> {
  const n = new Map<FileId, number>();
  const add = (skbFds: readonly FileId[]): void => { for (const x of skbFds) if (k.unixGetSocket(w, x)) n.set(x, (n.get(x) ?? 0) + 1); };
  for (const f of w.files) {
    if (f.released && !f.ring?.dying) continue;
    if (f.sock) { for (const skb of f.sock.queue) add(skb.fds); if (f.sock.oobSkb) add(f.sock.oobSkb.fds); }
    if (f.ring?.ringSock) { for (const skb of f.ring.ringSock.queue) add(skb.fds); if (f.ring.ringSock.oobSkb) add(f.ring.ringSock.oobSkb.fds); }
  }
  for (const skb of w.gc.hitlist) add(skb.fds);
  forEachDequeued(w, (_t, _sock, fds) => add(fds));
  return n;
}

export function inflightViolation(w: World, k: Kernel): string | undefined {
  if (k.gcAlgorithm !== '2007') return undefined;
  // Inside a run's scan the kernel's dec/inc changes the counts, but the model's scan is one step
  // (subtract, restore, collect): between steps they are exact, in every phase.
  const n = countEntries(w, k);
  for (let id = 0; id < w.files.length; id++) {
    const f = w.files[id]!;
    if (f.released) continue;
    const s = k.unixGetSocket(w, id);
    if (!s) continue;
    const want = n.get(id) ?? 0;
    if (s.inflight !== want) return `${fileName(w, id)} has inflight ${s.inflight} but ${want} SCM_RIGHTS entr${want === 1 ? 'y' : 'ies'} refer to it`;
    if (s.inflight > f.f_count) return `${fileName(w, id)} has inflight ${s.inflight} above its f_count ${f.f_count}`;
    const listed = w.gc.inflightList.filter((x) => x === id).length;
    if (listed !== (s.inflight > 0 ? 1 : 0)) return `${fileName(w, id)} (inflight ${s.inflight}) is on gc_inflight_list ${listed} time${listed === 1 ? '' : 's'}`;
  }
  return undefined;
}

export const inflightExact: PropertyDef = {
  name: 'inflight-exact',
  kind: 'always',
  title: 'the 2007 GC\'s inflight counts equal the SCM_RIGHTS entries',
  explain:
    'In the GC of 2.6.23 … 6.9, unix_sock->inflight of every socket the GC can see (an AF_UNIX socket, and ' +
    'from 5.1 to 6.7 a ring file through its ring_sock) equals the number of SCM_RIGHTS entries referring to ' +
    'its file that sit in skbs: on receive queues, in a ring_sock\'s registration skbs, in an OOB skb only ' +
    'u->oob_skb still holds, on the GC\'s hitlist, and in an skb a datagram recvmsg has dequeued but not yet detached; it is never above f_count; and the socket is on ' +
    'gc_inflight_list exactly while it is non-zero. unix_inflight() and unix_notinflight() keep this under ' +
    'unix_gc_lock. A GC run changes the counts inside its scan (dec_inflight, then inc_inflight), but the ' +
    'model makes that scan one step, so between steps the counts are exact. Candidate selection compares ' +
    'file_count with inflight: a count too high hides garbage (a leak), too low makes a socket in use a ' +
    'candidate. Not applicable (n/a) to the graph GC (see graph-accounting).',
  inapplicable: (design) => (kernelOf(design).gcAlgorithm !== '2007' ? "the design's unix GC is the graph GC (6.10 on): graph-accounting checks its counts" : undefined),
  make: ({ k }) => ({
    name: 'inflight-exact', kind: 'always', on: 'state',
    check: (w: World) => inflightViolation(w, k),
  }),
};
