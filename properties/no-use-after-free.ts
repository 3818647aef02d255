import { describeHolder, forEachDangling } from '../model/holders.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const noUseAfterFree: PropertyDef = {
  name: 'no-use-after-free',
  kind: 'always',
  title: 'nothing holds, borrows or touches a released file',
  explain:
    'No holder (an fd slot, an SCM_RIGHTS entry on a queue, a registered-file slot) and no borrowed pointer ' +
    '(a ring table slot whose reference an skb owns) points at a struct file after its ->release, and no ' +
    'operation takes a reference to one; no io_uring request that borrowed a fixed file (no reference, in ' +
    'every kernel version) still points at it once it is released; no skb is freed while a reader (a stream ' +
    'recvmsg, an io_uring recv) holds a bare pointer to it. A dangling pointer is reported as soon as it exists, before ' +
    'anything dereferences it: CVE-2022-2602 was a fixed-file pointer left behind when the unix GC put ' +
    'the file that a ring\'s request still used.',
  make: ({ design }) => ({
    name: 'no-use-after-free', kind: 'always', on: 'state',
    check(w: World) {
      const r = w.reports.find((x) => x.kind === 'use-after-free');
      if (r) return `use after free: ${r.what}`;
      // The first dangling pointer (model/holders.ts): a holder, a request that borrowed a fixed file (no
      // reference: it dereferences the file when it runs and completes, CVE-2022-2602, reported as soon as
      // the file goes; the io_wq step that touches it reports it again), a borrowed table slot of a ring that
      // is still reachable (a garbage ring's slots are never read: 5.1's __io_sqe_files_unregister purges the
      // ring_sock queue, it does not touch them).
      let msg: string | undefined;
      forEachDangling(w, design, (d) => {
        const name = fileName(w, d.file);
        msg = d.kind === 'holder' ? `${describeHolder(d.holder)} still points at released ${name}`
          : d.kind === 'request' ? `request ${d.req} of ring f${d.ring} (fixed file) still points at released ${name}`
          : `f${d.ring}'s registered slot ${d.slot} borrows released ${name}, and the ring is still reachable (a request can use the slot)`;
        return true;
      });
      return msg ? `dangling pointer: ${msg}` : undefined;
    },
  }),
};
