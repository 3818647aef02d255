// sendmsg(fd, one byte + SCM_RIGHTS[rights][, MSG_OOB]): scm_fp_copy takes a reference per fd (the
// cookie), unix_attach_fds duplicates the list into the skb (a second reference each) and accounts every
// entry in flight (unix_inflight / unix_add_edges), the skb is queued on the peer's receive queue, and the
// cookie's references are dropped. Net: each carried file gains one reference, owned by the skb.
//
// The peer of a stream client whose connect() got past its `peer` step is the embryo (connect.ts): the
// message lands on the embryo's queue, accepted or not (domain.md §1.2).
//
// MSG_OOB (stream only, 5.15+, queue_oob): the one byte — with the SCM list, since no in-band skb goes
// first — is one skb queued with `oob` set, and the receiver's u->oob_skb points at it: 5.15 … 6.10 took
// a second skb reference for it (skb_get), which is what the Feb 2024 GC fix has to drop; later kernels
// keep the pointer only. A new OOB skb takes the mark from the previous one (5.15 … 6.10: consume_skb of
// the old u->oob_skb, i.e. its extra reference; the old skb stays queued as ordinary data): the old one
// becomes a normal skb, and an old OOB skb that only u->oob_skb still held (`oobSkb`: the GC or a read
// unlinked it, see collectSkb and recvmsg.ts) is freed with what it carries. EOPNOTSUPP on a dgram
// socket, and on every socket where the design has no MSG_OOB (before 5.15); scm_send's errors come first.
//
// Errors, in the kernel's order: EBADF, ENOTSOCK; scm_send: an SCM_RIGHTS fd not open EBADF, a ring fd
// EINVAL (6.7-rc5+), more than SCM_MAX_FD EINVAL; MSG_OOB EOPNOTSUPP; no peer: ENOTCONN on a socket that
// never had one (unconnected, listening), EPIPE (stream) / ECONNREFUSED (dgram) once the peer is gone; a
// receiver that cleared SO_PASSRIGHTS EPERM when the list is not empty (6.16+: kernel.ts
// unix_check_scm_rights; the skb and the cookie are freed, nothing enters flight); a full queue EAGAIN.
import { err, ok, type Syscall } from '../step.js';
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


export const sendmsg: Syscall<'sendmsg'> = {
  name: 'sendmsg',
  actor: 'task',
  explore(w, t, { bounds, k }) {
    const from = senders(w, t, bounds.skbs);
    if (from.length === 0) return [];
    const sets = multisets(openFds(w, t), bounds.msgFds);
    return from.flatMap((fd) => {
      const plain = sets.map((rights) => ({ fd, rights }));
      if (!bounds.oob || !k.unix_oob_supported(w, fileIdOf(w, t, fd)!)) return plain;
      return [...plain, ...sets.map((rights) => ({ fd, rights, oob: true }))];
    });
  },
  guard(w, t, { fd, rights, oob }, { bounds, k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    // scm_send() runs first: every fd must be open; ring files are refused from 6.7-rc5 on.
    const scm = k.scm_send(w, t, rights);
    if (scm) return err(scm);
    const sock = f.sock!;
    if (oob && !k.unix_oob_supported(w, fileIdOf(w, t, fd)!)) return err('EOPNOTSUPP');
    if (sock.peer === null) {
      if (sock.state === 'unconnected' || sock.state === 'listening') return err('ENOTCONN');
      return err(sock.type === 'stream' ? 'EPIPE' : 'ECONNREFUSED');
    }
    // SO_PASSRIGHTS (6.16): under unix_state_lock(other), after its SOCK_DEAD / RCV_SHUTDOWN checks.
    const refused = rights.length > 0 ? k.unix_check_scm_rights(w, sock.peer, rights.map((x) => fileIdOf(w, t, x)!)) : undefined;
    if (refused) return err(refused);
    if (w.files[sock.peer]!.sock!.queue.length >= bounds.skbs) return err('EAGAIN');
    return ok(1);
  },
  recipe(w, t, { fd, rights, oob }, r, { k }) {
    if (r.errno) return;
    const why = `sendmsg(${fd}) by T${t}`;
    const files = rights.map((x) => fileIdOf(w, t, x)!);
    for (const f of files) k.fget(w, f, why);                              // scm_fp_copy
    const peer = w.files[fileIdOf(w, t, fd)!]!.sock!.peer!;
    k.unix_attach_fds(w, files, peer, why);                                // scm_fp_dup, unix_inflight, unix_add_edges
    const receiver = w.files[peer]!.sock!;
    if (oob) {
      // queue_oob: the previous u->oob_skb loses the mark.
      for (const s of receiver.queue) s.oob = false;
      if (receiver.oobSkb) { const old = receiver.oobSkb; receiver.oobSkb = null; k.unix_destruct_scm(w, old, why, peer); }
    }
    receiver.queue.push(newSkb(files, oob === true));
    for (const f of files) k.fput(w, f, why);                              // scm_destroy of the cookie
  },
  format: ({ fd, rights, oob }) =>
    `sendmsg(${fd}${rights.length ? `, SCM_RIGHTS[${rights.join(', ')}]` : ''}${oob ? ', MSG_OOB' : ''})`,
};
