// Small designs that override one kernel function each, written as a user would (not trusted: their
// overrides are wrapped and the world is checked after each step). Shared by test/fastpath.test.ts (the
// fast path must equal produce on them) and test/overrides.test.ts (each changes a verdict).
import { resolveDesign, type Design, type DesignSpec } from '../../model/design.js';
import { builtinDesign } from '../../model/designs/index.js';
import { fileAt } from '../../model/kernel.js';

export const userDesign = (spec: DesignSpec): Design => {
  const d = resolveDesign(spec, builtinDesign);
  if (typeof d === 'string') throw new Error(d);
  return d;
};

/** name → design, one per override point exercised. */
export const OVERRIDE_DESIGNS: Readonly<Record<string, Design>> = {
  // ->flush that depends on the closing task: the flush-teardown design, but only T0's closes tear down.
  'flush-by-task': userDesign({
    name: 'flush-by-task', summary: 'flush-teardown whose ->flush tears down only on the first task\'s closes', base: 'seed-2019',
    overrides: {
      io_uring_flush: (k) => (w, ring, task) => {
        if (task !== 0 || w.files[ring]!.released) return;
        k.io_sqe_files_unregister(w, ring);
        w.files[ring]!.ring!.dead = true;
      },
    },
  }),
  // filp_close wrapped: every close of an io_uring fd also drops its registrations (a teardown on close).
  'close-unregisters': userDesign({
    name: 'close-unregisters', summary: 'seed-2019 whose filp_close unregisters a ring\'s files on every close', base: 'seed-2019',
    overrides: {
      filp_close: (k, base) => (w, file, task, why) => {
        const ring = w.files[file]!.ring;
        if (ring && ring.table !== null && !w.files[file]!.released) k.io_sqe_files_unregister(w, file);
        base(w, file, task, why);
      },
    },
  }),
  // IORING_REGISTER_FILES refuses AF_UNIX sockets: Al Viro's cycle cannot be built.
  'register-refuses-unix': userDesign({
    name: 'register-refuses-unix', summary: 'seed-2019 whose registration refuses AF_UNIX sockets', base: 'seed-2019',
    overrides: {
      io_sqe_files_register: (_k, base) => (w, task, ring, fds) =>
        fds.some((fd) => fd !== -1 && w.tasks[task]!.fds[fd - 3] !== null && w.files[fileAt(w, task, fd)]!.kind === 'unix')
          ? 'EINVAL' : base(w, task, ring, fds),
    },
  }),
  // sendmsg refuses io_uring files (scm_fp_copy), as 6.7-rc5 does, written as an override.
  'scm-refuses-rings': userDesign({
    name: 'scm-refuses-rings', summary: 'seed-2019 whose scm_fp_copy refuses ring files', base: 'seed-2019',
    overrides: {
      scm_fp_copy: (_k, base) => (w, task, fds) => {
        for (const fd of fds) {
          const slot = w.tasks[task]!.fds[fd - 3];
          if (!slot) return 'EBADF';
          if (w.files[slot.file]!.kind === 'io_uring') return 'EINVAL';
        }
        return base(w, task, fds);
      },
    },
  }),
  // The GC does not see rings (unix_get_socket answers null for them): viro-2019's ring cycle leaks.
  'gc-blind-to-rings': userDesign({
    name: 'gc-blind-to-rings', summary: 'viro-2019 whose unix_get_socket does not see ring_socks', base: 'viro-2019',
    overrides: {
      unix_get_socket: (_k, base) => (w, file) => (w.files[file]?.kind === 'io_uring' ? null : base(w, file)),
    },
  }),
  // 2007 candidate selection that never selects: no cycle is ever collected.
  'gc2007-no-candidates': userDesign({
    name: 'gc2007-no-candidates', summary: 'linux-5.14 whose GC selects no candidate', base: 'linux-5.14',
    overrides: { unix_gc_select_candidate: () => () => false },
  }),
  // Graph GC: no vertex is ever dead.
  'graph-never-dead': userDesign({
    name: 'graph-never-dead', summary: 'linux-6.18 whose unix_vertex_dead is always false', base: 'linux-6.18',
    overrides: { unix_vertex_dead: () => () => false },
  }),
  // A ring release that forgets its registered files (the old releaseRing hook, as an override).
  'release-forgets': userDesign({
    name: 'release-forgets', summary: 'viro-2019 whose io_uring_release forgets its registrations', base: 'viro-2019',
    overrides: { io_uring_release: () => (w, ring) => { w.files[ring]!.ring!.dead = true; } },
  }),
  // unix_release_sock that forgets to purge the receive queue: what it carried is never put.
  'release-keeps-queue': userDesign({
    name: 'release-keeps-queue', summary: 'seed-2019 whose unix_release_sock does not purge the queue', base: 'seed-2019',
    overrides: {
      unix_release_sock: () => (w, sock) => {
        const s = w.files[sock]!.sock!;
        if (s.peer !== null && w.files[s.peer]!.sock!.peer === sock) w.files[s.peer]!.sock!.peer = null;
        s.peer = null;
      },
    },
  }),
};
