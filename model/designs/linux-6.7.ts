// 6.7-rc5, "io_uring/af_unix: disable sending io_uring over sockets" (705318a99a13): a ring fd in
// SCM_RIGHTS is refused with EINVAL, so no cycle can run through a ring; registered files are plain
// counted table slots that the GC does not see (io_file_need_scm() false; the SCM code went in 6.8).
// Fixes CVE-2023-6531 / CVE-2023-52654.
// The switch `ringFdInScm: 'EINVAL'` stands for the patch below (model/designs/switch-patches.ts).
import { defineDesign, fdLookup, type Overrides } from '../design.js';

/** ringFdInScm: 'EINVAL' — scm_fp_copy(): "don't allow io_uring files": fget_raw each fd in order, an fd
 *  not open EBADF, an io_uring file EINVAL. */
export const refuseRingFds: Overrides = {
  scm_fp_copy: (_k, base) => (w, task, fds) => {
    for (const fd of fds) {
      const slot = fdLookup(w, task, fd);
      if (!slot) return 'EBADF';
      if (w.files[slot.file]!.kind === 'io_uring') return 'EINVAL';
    }
    return base(w, task, fds);
  },
};

export default defineDesign({
  name: 'linux-6.7',
  summary: '6.7: ring fds refused in SCM_RIGHTS (EINVAL), registrations counted in the table',
  base: 'linux-6.1',
  switches: { ringFdInScm: 'EINVAL', registration: 'table' },
  // Verdicts at the default bounds: linux-6.1's (with --oob, still the MSG_OOB leak), except:
  expected: {
    'gc-releases-ring-cycle': 'not-found',
  },
  source: '705318a99a13 "io_uring/af_unix: disable sending io_uring over sockets" (v6.7-rc5); a4104821ad65 (6.8)',
});
