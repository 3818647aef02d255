// io_uring_enter(fd, to_submit 1): one SQE, `op` on `target`.
//   fixed (IOSQE_FIXED_FILE): target is a slot of the registered table; the request borrows the slot's file
//     pointer and takes no reference, in every kernel version (io_req_set_file / io_file_get_fixed).
//   otherwise target is an fd of the task: the request takes a counted reference (fget) that it drops when
//     it completes (holders.ts: a `request` holder).
// `read` uses the struct file; `recv` reads a unix stream socket (unix_stream_read_generic, see io_wq.ts).
// The request is queued; the kernel actor `io_wq` runs it (io_wq.ts), the ring's release cancels it while
// it is still queued (kernel.ts).
//
// Results. The call returns 1 (one SQE consumed). When the SQE fails at once — an empty (-1) or missing
// slot, a closed fd (-EBADF), recv on a file that is not a socket (-ENOTSOCK) or on a stream socket that is
// not connected (-EINVAL) — the kernel still returns 1 and posts a CQE with that res; the model has no CQ,
// so it shows the CQE's res as the step's result (-1 EBADF …) and queues nothing.
// A ring fd that is not a ring: EOPNOTSUPP; a ring a ->flush design tore down: ENXIO. Beyond bounds.reqs
// requests on one ring the call is not taken; recv on a datagram socket is not modelled (not taken).
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';
import type { File, FileId, World } from '../world.js';
import type { Kernel } from '../kernel.js';

type Op = 'read' | 'recv';

/** The file the SQE names, or undefined (-EBADF in the CQE): a fixed slot's (io_file_get_fixed), or the
 *  task's fd's. */
function targetFile(w: World, t: number, ring: FileId, fixed: boolean, target: number, k: Kernel): number | undefined {
  return fixed ? k.io_file_get_fixed(w, ring, target) : fileIdOf(w, t, target);
}

const recvable = (f: File): boolean => f.sock !== null && f.sock.type === 'stream' && f.sock.state === 'connected';

export const io_uring_enter: Syscall<'io_uring_enter'> = {
  name: 'io_uring_enter',
  actor: 'task',
  explore(w, t, { bounds }) {
    const out: { fd: number; op: Op; fixed: boolean; target: number }[] = [];
    const fds = openFds(w, t);
    for (const fd of fds) {
      const ring = fileOf(w, t, fd)!.ring;
      if (!ring || ring.dead || ring.requests.length >= bounds.reqs) continue;
      // Fixed files: a read on every registered slot, a recv on every registered connected stream socket.
      ring.table?.forEach((id, slot) => {
        if (id === null) return;
        out.push({ fd, op: 'read', fixed: true, target: slot });
        if (recvable(w.files[id]!)) out.push({ fd, op: 'recv', fixed: true, target: slot });
      });
      // Plain fds: a read on a ring fd (this ring's own or another's) — a request holding a ring is how
      // ring↔ring and self references form. A plain-fd request on any other file is a counted reference
      // that ends by itself, like an fd closed later: not explored (the guard and traces take any fd).
      for (const target of fds) if (fileOf(w, t, target)!.kind === 'io_uring') out.push({ fd, op: 'read', fixed: false, target });
    }
    return out;
  },
  guard(w, t, { fd, op, fixed, target }, { bounds, k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'io_uring') return err('EOPNOTSUPP');
    if (f.ring!.dead) return err('ENXIO');
    if (f.ring!.requests.length >= bounds.reqs) return undefined;
    const id = targetFile(w, t, fileIdOf(w, t, fd)!, fixed, target, k);
    if (id === undefined) return err('EBADF');
    if (op === 'recv') {
      const s = w.files[id]!.sock;
      if (!s) return err('ENOTSOCK');
      if (s.type !== 'stream') return undefined;
      if (s.state !== 'connected') return err('EINVAL');
    }
    return ok(1);
  },
  recipe(w, t, { fd, op, fixed, target }, r, { k }) {
    if (r.errno) return;
    const ringId = fileIdOf(w, t, fd)!;
    const ring = w.files[ringId]!.ring!;
    const file = targetFile(w, t, ringId, fixed, target, k)!;
    if (!fixed) k.fget(w, file, `io_uring_enter(${fd}) by T${t}`);
    ring.requests.push({ op, fixed, file, phase: 'queued', task: t });
  },
  format: ({ fd, op, fixed, target }) =>
    `io_uring_enter(${fd}, IORING_OP_${op.toUpperCase()}, ${fixed ? `fixed ${target}` : `fd ${target}`})`,
};
