// Linux 5.1 as merged (6b06314c47e1 "io_uring: add file set registration"): Al Viro's ring_sock — the
// registration skb on the ring's own unix socket owns the references, accounted in flight, so the 2007
// GC sees ring → file edges and collects cycles through rings. Until 5.14-rc4 a MSG_PEEK could install a
// GC candidate in an fd while the GC ran (CVE-2021-0920), and until 6.1 the GC could purge the
// registration skb under a request that borrowed a fixed file from it (CVE-2022-2602).
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-5.1',
  summary: '5.1: registrations in flight on ring_sock, 2007 GC, no MSG_PEEK barrier',
  base: 'viro-2019',
  switches: { registration: 'ring_sock', ringFdInScm: 'allow', gc: '2007', peekGuard: 'none', scmIoUringRequeue: false, oob: 'unsupported' },
  // Verdicts at the default bounds: viro-2019's.
  expected: {},
  source: 'torvalds/linux v5.1: fs/io_uring.c (io_sqe_files_scm), net/unix/garbage.c, net/unix/af_unix.c (unix_peek_fds)',
});
