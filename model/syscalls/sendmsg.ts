// sendmsg(fd, one byte + SCM_RIGHTS[rights]): scm_fp_copy takes a reference per fd (the cookie),
// unix_attach_fds duplicates the list into the skb (a second reference each) and accounts every
// entry in flight (unix_inflight), the skb is queued on the peer's receive queue, and the cookie's
// references are dropped. Net: each carried file gains one reference, owned by the skb.
import { err, intArg, intListArg, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, multisets, openFds, taskAlive } from './util.js';
import { newSkb, type World } from '../world.js';

/** The fds of task t that are unix sockets whose peer can take one more skb. */
function senders(w: World, t: number, skbs: number): number[] {
  return openFds(w, t).filter((fd) => {
    const s = fileOf(w, t, fd)!.sock;
    if (!s || s.type === 'ring_sock' || s.peer === null) return false;
    return w.files[s.peer]!.sock!.queue.length < skbs;
  });
}

const SCM_MAX_FD = 253;

export const sendmsg: Syscall<'sendmsg'> = {
  name: 'sendmsg',
  actor: 'task',
  explore(w, t, { bounds }) {
    const from = senders(w, t, bounds.skbs);
    if (from.length === 0) return [];
    const sets = multisets(openFds(w, t), bounds.msgFds);
    return from.flatMap((fd) => sets.map((rights) => ({ fd, rights })));
  },
  guard(w, t, { fd, rights }, { bounds, design }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    // scm_send() runs first: every fd must be open; ring files are refused from 6.7-rc5 on.
    if (rights.length > SCM_MAX_FD) return err('EINVAL');
    for (const r of rights) {
      const rf = fileOf(w, t, r);
      if (!rf) return err('EBADF');
      if (rf.kind === 'io_uring' && design.switches.ringFdInScm === 'EINVAL') return err('EINVAL');
    }
    const sock = f.sock!;
    if (sock.peer === null) return err(sock.type === 'stream' ? 'EPIPE' : 'ECONNREFUSED');
    if (w.files[sock.peer]!.sock!.queue.length >= bounds.skbs) return err('EAGAIN');
    return ok(1);
  },
  recipe(w, t, { fd, rights }, r, { k }) {
    if (r.errno) return;
    const why = `sendmsg(${fd}) by T${t}`;
    const files = rights.map((x) => fileIdOf(w, t, x)!);
    for (const f of files) k.fget(w, f, why);                              // scm_fp_copy
    for (const f of files) k.fget(w, f, why);                              // unix_attach_fds
    const peer = w.files[fileIdOf(w, t, fd)!]!.sock!.peer!;
    k.accountSkb(w, files, peer);                                          // unix_inflight / unix_add_edges
    w.files[peer]!.sock!.queue.push(newSkb(files));
    for (const f of files) k.fput(w, f, why);                              // scm_destroy of the cookie
  },
  parseArgs(raw) {
    const fd = intArg(raw, 'fd');
    if (typeof fd === 'string') return fd;
    const rights = intListArg(raw, 'rights');
    return typeof rights === 'string' ? rights : { fd, rights };
  },
  format: ({ fd, rights }) => (rights.length ? `sendmsg(${fd}, SCM_RIGHTS[${rights.join(', ')}])` : `sendmsg(${fd})`),
};
