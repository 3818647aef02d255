// io_uring_register(fd, IORING_REGISTER_FILES, files, n) — io_sqe_files_register():
// fget every fd into the table; -1 leaves a sparse (empty) slot from 5.5 on (linux-5.14's sparseFileSets;
// 5.1–5.4, and the 2019 designs, fail -1 with EBADF). A ring fd (or a closed one) fails the whole call with
// EBADF after putting back every reference taken so far (test_partial_register_fail: [r, w, -1, ring, -1]
// leaves nothing behind). With `ring_sock` registration the table's references are then handed to an skb on
// the ring's own unix socket (__io_sqe_files_scm: get_file + unix_inflight per file, queue the skb, fput the
// table's reference): the table only borrows. An all-sparse table gets no skb.
// Not modelled: 5.1–5.12 quiesced the ring (waited for every request) around registration.
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, multisets, openFds, taskAlive } from './util.js';
import type { World } from '../world.js';

const ringFds = (w: World, t: number): number[] => openFds(w, t).filter((fd) => fileOf(w, t, fd)!.kind === 'io_uring');

export const io_uring_register: Syscall<'io_uring_register'> = {
  name: 'io_uring_register',
  actor: 'task',
  explore(w, t, { bounds }) {
    const rings = ringFds(w, t).filter((fd) => { const r = fileOf(w, t, fd)!.ring!; return !r.dead && r.table === null; });
    if (rings.length === 0) return [];
    const sets = multisets(openFds(w, t), bounds.msgFds);
    return rings.flatMap((fd) => sets.map((files) => ({ fd, files })));
  },
  guard(w, t, { fd, files }, { k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'io_uring') return err('EOPNOTSUPP');
    if (f.ring!.dead) return err('ENXIO');
    const e = k.io_sqe_files_register(w, t, fileIdOf(w, t, fd)!, files);
    return e ? err(e) : ok(0);
  },
  recipe(w, t, { fd, files }, r, { k }) {
    // A failed call: the kernel's rollback put back every reference it had taken (net: nothing).
    if (r.errno) return;
    const why = `io_uring_register(${fd}) by T${t}`;
    const ringId = fileIdOf(w, t, fd)!;
    const table = files.map((x) => (x === -1 ? null : fileIdOf(w, t, x)!));
    const set = table.filter((id): id is number => id !== null);
    for (const id of set) k.fget(w, id, why);
    w.files[ringId]!.ring!.table = table;
    k.io_sqe_files_scm(w, ringId, set, why);
  },
  format: ({ fd, files }) => `io_uring_register(${fd}, IORING_REGISTER_FILES, [${files.join(', ')}])`,
};
