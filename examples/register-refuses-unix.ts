// IORING_REGISTER_FILES (and FILES_UPDATE) refuse AF_UNIX sockets: with no socket in a ring's table, no
// cycle through a table can form (Al Viro's needs the ring to hold a socket whose queue holds the ring),
// so counted registrations (seed-2019) no longer leak. The design carries a witness of its own that the
// refusal is exercised. docs/patch-designs.md walks through it.
//   npx inflight check --design examples/register-refuses-unix.ts
import { defineDesign, fdLookup, type TaskId, type World } from 'inflight/design';
import { sometimes } from 'inflight/property';

const isSocket = (w: World, task: TaskId, fd: number): boolean => {
  const slot = fd === -1 ? undefined : fdLookup(w, task, fd);
  return slot !== undefined && w.files[slot.file]!.kind === 'unix';
};

export default defineDesign({
  name: 'register-refuses-unix',
  summary: 'counted registrations, but IORING_REGISTER_FILES and FILES_UPDATE refuse AF_UNIX sockets (EINVAL)',
  base: 'seed-2019',
  overrides: {
    // The base's checks first (EBUSY, EINVAL, EBADF), then: no socket.
    io_sqe_files_register: (_k, base) => (w, task, ring, fds) =>
      base(w, task, ring, fds) ?? (fds.some((fd) => isSocket(w, task, fd)) ? 'EINVAL' : undefined),
    // An update stops at its first socket entry, as it stops at a bad fd: the entries before it are done.
    // (seed-2019, a 2019 kernel, has no FILES_UPDATE — it came in 5.5 — so its base answers EINVAL to
    // every update; this matters once the patch sits on a kernel that has it: base 'linux-6.7', say.)
    io_sqe_files_update: (_k, base) => (w, task, ring, offset, fds) => {
      const j = fds.findIndex((fd) => isSocket(w, task, fd));
      if (j < 0) return base(w, task, ring, offset, fds);
      return j === 0 ? { ret: -1, errno: 'EINVAL' } : base(w, task, ring, offset, fds.slice(0, j));
    },
  },
  properties: [
    sometimes({
      name: 'socket-registration-refused',
      title: 'witness: IORING_REGISTER_FILES with an AF_UNIX socket fails with EINVAL',
      explain: 'Some io_uring_register(IORING_REGISTER_FILES) passes an AF_UNIX socket and gets EINVAL: the ' +
        'bounds let a task try, so that no-leak holding means the refusal works, not that nobody registered a socket.',
      on: 'step',
      check: (s, tr) => (tr.step.syscall === 'io_uring_register' && tr.result.errno === 'EINVAL' && tr.step.task !== 'kernel' &&
        (tr.step.args as { files: number[] }).files.some((fd) => isSocket(s, tr.step.task as TaskId, fd))
        ? `T${tr.step.task} io_uring_register(IORING_REGISTER_FILES, [${(tr.step.args as { files: number[] }).files.join(', ')}]) returned EINVAL` : undefined),
    }),
  ],
  expected: { 'no-leak': 'holds', 'socket-registration-refused': 'found' },
});
