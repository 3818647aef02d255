// io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, {offset, files}) — __io_sqe_files_update (5.5+:
// linux-5.14's filesUpdate; before 5.5 the opcode is unknown, EINVAL, and nothing changes). Entry j replaces slot offset+j, in order: the old file leaves the slot
// first, then the new fd is fget'd; -1 only clears the slot. A closed fd or a ring fd fails that entry with
// EBADF and stops the loop — after its slot was already cleared, as the kernel does. Returns the number of
// entries done, or the error when the first entry failed (so a failed call may have dropped one old file:
// faithful to the kernel, and the failure-atomicity property notices it).
// Errors before the loop: EBADF/EOPNOTSUPP (fd), ENXIO (nothing registered, or a torn-down ring), EINVAL
// (no entries, or the range beyond the table).
//
// How a registration is held, per design:
//   `ring_sock` (5.5–6.6): adding a file joins the head skb of the ring_sock queue (get_file +
//     unix_inflight, io_sqe_file_register), or makes a new scm_io_uring skb when the queue is empty; then
//     the update's own fget is put. Removing one takes its first entry out of the skb that holds it
//     (io_rsrc_file_put: unix_notinflight, compact, free an emptied skb) and puts it.
//   `table` (6.7+): the slot owns the update's reference; removing puts it.
// Requests pin resource nodes: a removed file is put only when no request that could see it runs any
// more. The simplest faithful model: while a request of this ring borrows the file an entry would remove,
// the call waits (the step is not taken; 5.1–5.12 quiesced the ring the same way). From 5.13 the kernel
// returns at once and defers the put to the node's last request: the put comes after the request's end in
// both, the model just does not let the caller run ahead meanwhile.
import { err, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';
import type { FileId, Ring } from '../world.js';


/** Does a request of the ring borrow `file` (through any slot)? Then its removal waits. */
export const borrowedByRequest = (ring: Ring, file: FileId): boolean => ring.requests.some((q) => q.fixed && q.file === file);

export const io_uring_update: Syscall<'io_uring_update'> = {
  name: 'io_uring_update',
  actor: 'task',
  explore(w, t) {
    const out: { fd: number; offset: number; files: number[] }[] = [];
    const fds = openFds(w, t);
    for (const fd of fds) {
      const ring = fileOf(w, t, fd)!.ring;
      if (!ring || ring.dead || ring.table === null) continue;
      ring.table.forEach((cur, offset) => {
        if (cur !== null) out.push({ fd, offset, files: [-1] });
        for (const x of fds) {
          const id = fileIdOf(w, t, x)!;
          if (id !== cur && w.files[id]!.kind !== 'io_uring') out.push({ fd, offset, files: [x] });
        }
      });
    }
    return out;
  },
  guard(w, t, { fd, offset, files }, { k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'io_uring') return err('EOPNOTSUPP');
    if (f.ring!.dead) return err('ENXIO');
    return k.io_sqe_files_update(w, t, fileIdOf(w, t, fd)!, offset, files);
  },
  recipe(w, t, { fd, offset, files }, r, { k }) {
    const why = `io_uring_update(${fd}) by T${t}`;
    const ringId = fileIdOf(w, t, fd);
    const ring = ringId === undefined ? undefined : w.files[ringId]!.ring;
    if (!ring || ring.dead || ring.table === null || files.length === 0 || offset < 0 || offset + files.length > ring.table.length) return;
    // Only an entry's own failure (EBADF) comes after the loop began; any other error is checked before it.
    if (r.errno !== undefined && r.errno !== 'EBADF') return;
    // Entries before `done` succeed; entry `done` (if any) is the one that failed: its slot was cleared
    // first, its fd (if open) was fget'd and put back.
    const done = r.errno ? 0 : r.ret;
    const table = ring.table;
    for (let j = 0; j < files.length; j++) {
      const slot = offset + j;
      const old = table[slot]!;
      if (old !== null) { table[slot] = null; k.io_rsrc_file_put(w, ringId!, old, why); }
      const x = files[j]!;
      if (j >= done) {
        const id = x === -1 ? undefined : fileIdOf(w, t, x);
        if (id !== undefined) { k.fget(w, id, why); k.fput(w, id, why); }
        break;
      }
      if (x === -1) continue;
      const id = fileIdOf(w, t, x)!;
      k.fget(w, id, why);
      table[slot] = id;
      k.io_sqe_file_register(w, ringId!, id, why);
    }
  },
  format: ({ fd, offset, files }) => `io_uring_register(${fd}, IORING_REGISTER_FILES_UPDATE, {offset ${offset}, [${files.join(', ')}]})`,
};
