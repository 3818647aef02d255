// Today's Linux (this machine runs 6.18.44): 6.10's graph GC with "af_unix: Give up GC if MSG_PEEK
// intervened" (e5b31d988a41, in 6.18.23+: CVE-2026-23394 fixed): a peek while the GC evaluates an SCC makes
// that SCC alive for this run. Registered files are counted table slots the GC never sees, ring fds are
// refused in SCM_RIGHTS. The oracle (`inflight kernel`) holds this design to the running kernel; it found
// that the 6.18 graph GC does not always collect what the 2007 algorithm collects (oracle/hand.ts
// gc-scc-leak). That leak is the kernel's scc_index bug, which upstream fixed in 4a4263dfeaba (6.18.54:
// linux-6.18.54, model/designs/linux-6.18.54.ts); this design keeps it, as 6.18.44 has it.
// The switch `peekGuard: 'seqcount'` stands for the patch below (model/designs/switch-patches.ts).
// Since 6.16 it also has SO_PASSRIGHTS (switch `soPassRights: true`, the patch soPassRights below), which
// 6.18.54 and 7.2 inherit; the stable kernels with the rest of these switches (6.1.192, 6.12.118) do not have
// it: they are `linux-6.18[soPassRights=false]` (oracle/vm/vm.ts).
import { defineDesign, type Overrides } from '../design.js';

/** peekGuard: 'seqcount' — unix_peek_fpl(): a peek of AF_UNIX fds while a GC runs bumps unix_peek_seq
 *  (the model's gc.peekSeen); __unix_gc's read_seqcount_retry makes an SCC whose evaluation saw one alive
 *  for this run. */
export const peekSeqcount: Overrides = {
  unix_peek_fds: (k, base) => (w, task, files, why) => {
    base(w, task, files, why);
    if (w.gc.phase !== 'idle' && files.some((x) => k.unix_get_socket(w, x))) w.gc.peekSeen = true;
  },
  unix_scc_dead: (_k, base) => (w, scc, allDead) => base(w, scc, allDead) && !w.gc.peekSeen,
};

/** soPassRights: true — SO_PASSRIGHTS, 6.16: the merge 819aad967d4a "Merge branch 'so_passrights'" — 77cbe1a6d873 "af_unix:
 *  Introduce SO_PASSRIGHTS." and 3f84d577b79d "af_unix: Inherit sk_flags at connect()". Read in
 *  net/unix/af_unix.c and net/core/sock.c of 6.18.y (github 6952350/linux-6.18.y 27d8ad92b7d8) and in the
 *  series as posted (netdev, 20250510015652.9931-9-kuniyu@amazon.com):
 *  - sk_setsockopt(): `case SO_PASSRIGHTS: if (sk_is_unix(sk)) sk->sk_scm_rights = valbool; else ret =
 *    -EOPNOTSUPP;` (every socket of the model is AF_UNIX);
 *  - unix_dgram_sendmsg(): after unix_may_send (EPERM), SOCK_DEAD (ECONNREFUSED) and RCV_SHUTDOWN (EPIPE),
 *    before the receive-queue-full wait: `if (UNIXCB(skb).fp && !other->sk_scm_rights) { err = -EPERM; goto
 *    out_unlock; }`; unix_stream_sendmsg() and queue_oob() (MSG_OOB) the same after SOCK_DEAD/RCV_SHUTDOWN
 *    (EPIPE). UNIXCB(skb).fp is set only when the message carries at least one fd; the failed skb is freed
 *    with its fpl before scm_stat_add() (unix_add_edges), so nothing was ever in flight;
 *  - unix_stream_connect(): the embryo takes the listener's flags, `newsk->sk_scm_recv_flags =
 *    other->sk_scm_recv_flags` (the model's connect stage `peer`, under both state locks). */
export const soPassRights: Overrides = {
  sk_setsockopt: (_k, base) => (w, sock, optname) => (optname === 'SO_PASSRIGHTS' && w.files[sock]?.kind === 'unix' ? undefined : base(w, sock, optname)),
  unix_check_scm_rights: (_k, base) => (w, receiver, files) =>
    files.length > 0 && w.files[receiver]?.sock?.scmRights === false ? 'EPERM' : base(w, receiver, files),
  unix_stream_connect_peer: (_k, base) => (w, client, listener, embryo) => {
    base(w, client, listener, embryo);
    if (w.files[listener]!.sock!.scmRights === false) w.files[embryo]!.sock!.scmRights = false;
  },
};

export default defineDesign({
  name: 'linux-6.18',
  summary: "today's Linux (6.18.44): graph GC that gives up an SCC a MSG_PEEK intervened in; counted registrations; ring fds refused in SCM_RIGHTS",
  base: 'linux-6.10',
  switches: { peekGuard: 'seqcount', soPassRights: true },
  // struct file's count is f_ref since 6.13 (90ee6ed776c0 "fs: port files to file_ref"): traces say so.
  refcount: 'f_ref',
  // Verdicts at the default bounds: linux-6.10's.
  expected: {},
  source: 'torvalds/linux v6.18 + e5b31d988a41: io_uring/rsrc.c, io_uring/register.c, net/core/scm.c (scm_fp_copy), net/unix/garbage.c; SO_PASSRIGHTS 77cbe1a6d873 + 3f84d577b79d (6.16): net/unix/af_unix.c, net/core/sock.c',
});
