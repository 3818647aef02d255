// 6.7-rc5, "io_uring/af_unix: disable sending io_uring over sockets" (705318a99a13): a ring fd in
// SCM_RIGHTS is refused with EINVAL, so no cycle can run through a ring; registered files are plain
// counted table slots that the GC does not see (io_file_need_scm() false; the SCM code went in 6.8).
// Fixes CVE-2023-6531 / CVE-2023-52654.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-6.7',
  summary: '6.7: ring fds refused in SCM_RIGHTS (EINVAL), registrations counted in the table',
  base: 'linux-6.1',
  switches: { ringFdInScm: 'EINVAL', registration: 'table' },
  expected: {
    'no-leak': 'holds',   // at the default bounds; with --oob: violated in 3 steps (the MSG_OOB leak, domain.md §4.6, scenario oob-leak)
    'no-double-free': 'holds',
    'no-use-after-free': 'holds',
    'teardown-on-final-fput': 'holds',
    'refcount-exact': 'holds',
    'gc-safety': 'holds',
    'no-silent-purge': 'holds',
    'failure-atomicity': 'holds',
    'inflight-exact': 'holds',
    'graph-accounting': 'holds',
    'gc-releases-cycle': 'found',
    'gc-releases-ring-cycle': 'not-found',
    'request-completes-on-fixed-file': 'not-found',   // io_uring requests are outside the default ops (--ops all --reqs 1)
  },
  source: '705318a99a13 "io_uring/af_unix: disable sending io_uring over sockets" (v6.7-rc5); a4104821ad65 (6.8)',
});
