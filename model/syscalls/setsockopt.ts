// setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &val, sizeof(int)) — the one socket option of the model.
// SO_PASSRIGHTS came in 6.16 (77cbe1a6d873 "af_unix: Introduce SO_PASSRIGHTS."): sk_setsockopt() sets
// sk->sk_scm_rights = valbool (under lock_sock), and a later sendmsg whose SCM_RIGHTS list is not empty fails
// with EPERM when the receiver's flag is clear (kernel.ts unix_check_scm_rights; linux-6.18.ts soPassRights).
// unix_create1() sets the flag on every new socket, an embryo takes its listener's at connect()
// (3f84d577b79d "af_unix: Inherit sk_flags at connect()": newsk->sk_scm_recv_flags =
// other->sk_scm_recv_flags), so an accepted socket has the listener's value of the moment it was connected.
//
// Errors, in the kernel's order (net/socket.c __sys_setsockopt, then net/core/sock.c sk_setsockopt): an fd
// not open EBADF; not a socket (a regular file, a ring) ENOTSOCK; then the option: before 6.16 it is unknown,
// sk_setsockopt's `default: ret = -ENOPROTOOPT` (kernel.ts sk_setsockopt). A unix stream socket goes through
// unix_setsockopt() (SOCK_CUSTOM_SOCKOPT, for SO_INQ), which hands every other option to sock_setsockopt():
// the same answer. optlen is sizeof(int), so the `optlen < sizeof(int)` EINVAL never arises.
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';

export const setsockopt: Syscall<'setsockopt'> = {
  name: 'setsockopt',
  actor: 'task',
  // Only the calls that change something: clearing a set flag, setting a cleared one, on a design that has
  // the option (elsewhere every call is ENOPROTOOPT and changes nothing).
  explore: (w, t, { k }) => openFds(w, t).flatMap((fd) => {
    const id = fileIdOf(w, t, fd)!;
    const s = w.files[id]!.sock;
    if (s === null || k.sk_setsockopt(w, id, 'SO_PASSRIGHTS') !== undefined) return [];
    return [{ fd, val: s.scmRights === false ? 1 as const : 0 as const }];
  }),
  guard(w, t, { fd }, { k }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const e = k.sk_setsockopt(w, fileIdOf(w, t, fd)!, 'SO_PASSRIGHTS');
    return e ? err(e) : ok(0);
  },
  recipe(w, t, { fd, val }, r) {
    if (r.errno) return;
    const sock = w.files[fileIdOf(w, t, fd)!]!.sock!;
    // sk->sk_scm_rights = valbool; the world keeps only a cleared flag (absent = set).
    if (val === 0) sock.scmRights = false;
    else delete sock.scmRights;
  },
  format: ({ fd, val }) => `setsockopt(${fd}, SOL_SOCKET, SO_PASSRIGHTS, ${val})`,
};
