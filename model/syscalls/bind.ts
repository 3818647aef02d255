// bind(fd, addr) to an abstract address (sun_path[0] == 0), as unix_bind → unix_bind_abstract do it
// (net/unix/af_unix.c, read at 6.18.y; the order of the checks is the same in 5.1's unix_bind):
//  - sys_bind: EBADF (no such fd), ENOTSOCK (not a socket);
//  - under u->bindlock: u->addr already set → EINVAL (bound before, or an accepted socket, which shares its
//    listener's address since unix_stream_connect);
//  - under the hash table's lock: the name taken in the socket type's namespace (unix_abstract_hash folds
//    sk_type in, so a stream and a dgram socket may hold the same name) → EADDRINUSE;
//  - else the socket is hashed under the name (until unix_release_sock) — whatever its state: a socketpair
//    end or a connected socket may be bound too (connect to it is then ECONNREFUSED: not listening).
// An address is a name from a small set (bounds.addrs for exploration; a trace may use the model's
// ceiling, model/args.ts). The autobind form (addr_len == sizeof(sa_family_t)) is not modelled: nobody could name the
// address it picks without getsockname.
import { err, ok, type Syscall } from '../step.js';
import { fileIdOf, fileOf, openFds, taskAlive } from './util.js';
import { findByName, type World } from '../world.js';

/** The lowest name of 0 .. n-1 that no live socket of the type holds. Names are interchangeable (the kernel
 *  only compares them), so binding any other free name leads to the same states up to renaming. */
function lowestFree(w: World, type: 'stream' | 'dgram', n: number): number | undefined {
  for (let a = 0; a < n; a++) if (findByName(w, type, a) === undefined) return a;
  return undefined;
}

export const bind: Syscall<'bind'> = {
  name: 'bind',
  actor: 'task',
  // Only what can matter: an unbound, unconnected stream socket (one that may listen) gets the lowest free
  // name. Binding anything else only names a socket that nobody can connect to.
  explore(w, t, { bounds }) {
    const out: { fd: number; addr: number }[] = [];
    const addr = lowestFree(w, 'stream', bounds.addrs);
    if (addr === undefined) return out;
    for (const fd of openFds(w, t)) {
      const s = fileOf(w, t, fd)!.sock;
      if (s !== null && s.type === 'stream' && s.state === 'unconnected' && s.addr === null) out.push({ fd, addr });
    }
    return out;
  },
  guard(w, t, { fd, addr }) {
    if (!taskAlive(w, t)) return undefined;
    const f = fileOf(w, t, fd);
    if (!f) return err('EBADF');
    if (f.kind !== 'unix') return err('ENOTSOCK');
    const s = f.sock!;
    if (s.addr !== null) return err('EINVAL');
    if (findByName(w, s.type === 'dgram' ? 'dgram' : 'stream', addr) !== undefined) return err('EADDRINUSE');
    return ok(0);
  },
  recipe(w, t, { fd, addr }, r) {
    if (r.errno) return;
    w.files[fileIdOf(w, t, fd)!]!.sock!.addr = addr;
  },
  format: ({ fd, addr }) => `bind(${fd}, ${addrName(addr)})`,
};

/** How traces show an address: the abstract name the executor binds, "\0inflight-<n>" → @inflight-<n>. */
export const addrName = (a: number): string => `@${a}`;
