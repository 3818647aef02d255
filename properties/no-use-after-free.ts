import { forEachBorrowed, forEachHolder, forEachRequestBorrow, describeHolder, reachable } from '../model/holders.js';
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
      let msg: string | undefined;
      forEachHolder(w, design, (file, h) => {
        if (!msg && w.files[file]!.released) msg = `${describeHolder(h)} still points at released ${fileName(w, file)}`;
      });
      // A request that borrowed a fixed file (no reference) dereferences it when it runs and completes: a
      // live request pointing at a released file is the use-after-free of CVE-2022-2602, reported as soon
      // as the file goes (the io_wq step that touches it reports it again).
      if (!msg) forEachRequestBorrow(w, (file, ring, req) => {
        if (!msg && w.files[file]!.released) msg = `request ${req} of ring f${ring} (fixed file) still points at released ${fileName(w, file)}`;
      });
      // A borrowed table slot is dangerous once something can dereference it: a request can be submitted
      // on the ring (it is reachable). The slot of a garbage ring that the GC is tearing down is never read
      // (5.1's __io_sqe_files_unregister purges the ring_sock queue, it does not touch the slots); requests
      // that already borrowed a file are checked on their own pointers.
      let live: Uint8Array | undefined;
      if (!msg) forEachBorrowed(w, design, (file, ring, slot) => {
        if (msg || !w.files[file]!.released) return;
        live ??= reachable(w, design);
        if (live[ring]) msg = `f${ring}'s registered slot ${slot} borrows released ${fileName(w, file)}, and the ring is still reachable (a request can use the slot)`;
      });
      return msg ? `dangling pointer: ${msg}` : undefined;
    },
  }),
};
