// Al Viro's proposal, essentially what 5.1 merged (6b06314c47e1): the ring gets a kernel unix socket
// (ctx->ring_sock); registered files ride on an skb in its queue, accounted in flight, and to the GC the
// ring file is that socket. The GC then sees ring→file edges and collects cycles through rings.
// The switch `registration: 'ring_sock'` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, type Overrides } from '../design.js';
import { newSkb, newSock } from '../world.js';

/** registration: 'ring_sock' — io_uring_get_fd's ring_sock, io_uring_get_socket in unix_get_socket,
 *  __io_sqe_files_scm, io_sqe_file_register / io_rsrc_file_put (5.5's updates), and unregister by purging
 *  the ring_sock's queue. The table only borrows. */
export const ringSockRegistration: Overrides = {
  io_ring_ctx_alloc: (_k, base) => (w) => ({ ...base(w), ringSock: newSock('ring_sock', 'unconnected', null) }),
  // io_uring_get_socket(): to the GC, the ring file *is* its ring_sock.
  unix_get_socket: (_k, base) => (w, file) => {
    const f = w.files[file];
    return f?.kind === 'io_uring' ? f.ring?.ringSock ?? null : base(w, file);
  },
  // __io_sqe_files_scm: an scm_io_uring skb on the ring_sock takes a reference to each file, in flight;
  // then the table's references are put: the skb owns the registrations.
  io_sqe_files_scm: (k, base) => (w, ringId, files, why) => {
    const ring = w.files[ringId]!.ring!;
    if (!ring.ringSock || files.length === 0) { base(w, ringId, files, why); return; }
    for (const id of files) { k.fget(w, id, why); k.unix_inflight(w, id); }
    ring.ringSock.queue.unshift({ ...newSkb(files), scmIoUring: true });
    for (const id of files) k.fput(w, id, why);
  },
  // An update's new file joins the head registration skb (or makes one); the update's reference is put.
  io_sqe_file_register: (k, base) => (w, ringId, file, why) => {
    const ring = w.files[ringId]!.ring!;
    if (!ring.ringSock) { base(w, ringId, file, why); return; }
    const queue = ring.ringSock.queue;
    k.fget(w, file, why);
    k.unix_inflight(w, file);
    if (queue.length > 0) queue[0]!.fds.push(file);
    else queue.unshift({ ...newSkb([file]), scmIoUring: true });
    k.fput(w, file, why);
  },
  // A removed file's entry leaves the skb that holds it (unix_notinflight, compact, free an emptied skb).
  io_rsrc_file_put: (k, base) => (w, ringId, file, why) => {
    const ring = w.files[ringId]!.ring!;
    if (!ring.ringSock) { base(w, ringId, file, why); return; }
    const queue = ring.ringSock.queue;
    for (let s = 0; s < queue.length; s++) {
      const fds = queue[s]!.fds;
      const e = fds.indexOf(file);
      if (e < 0) continue;
      k.unix_notinflight(w, file);
      fds.splice(e, 1);
      if (fds.length === 0) queue.splice(s, 1);
      k.fput(w, file, why);
      return;
    }
    // Not found: no skb of the ring_sock carries it (the GC took it), nothing to put.
  },
  // Unregister: the table only borrowed; purging the ring_sock's skbs puts the registrations.
  io_sqe_files_unregister: (k, base) => (w, id) => {
    const ring = w.files[id]!.ring!;
    if (!ring.ringSock) { base(w, id); return; }
    ring.table = null;
    k.skb_queue_purge(w, ring.ringSock, `unregister f${id}`);
  },
  io_table_borrows: (_k, base) => (w, id) => w.files[id]?.ring?.ringSock != null || base(w, id),
};

export default defineDesign({
  name: 'viro-2019',
  summary: "Al Viro's proposal (merged in 5.1): registrations live in flight on the ring's own unix socket",
  base: 'seed-2019',
  switches: { registration: 'ring_sock' },
  // Verdicts at the default bounds: seed-2019's, except:
  expected: {
    'no-leak': 'holds',
    'gc-releases-ring-cycle': 'found',
  },
  source: 'linux-block, Jan–Feb 2019 (Al Viro); 5.1 "io_uring: add file set registration" 6b06314c47e1',
});
