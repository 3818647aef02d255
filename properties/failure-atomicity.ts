import type { Transition } from '../model/step.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const failureAtomicity: PropertyDef = {
  name: 'failure-atomicity',
  kind: 'always',
  title: 'a syscall that fails leaves no reference behind',
  explain:
    'A syscall that returns an error raises no file\'s reference count and allocates nothing: whatever it ' +
    'took before it failed (io_uring_register\'s fget of each fd before it meets a ring fd, sendmsg\'s ' +
    'scm_fp_copy) it puts back. liburing\'s test_partial_register_fail registers [pipe r, pipe w, -1, ring, -1] ' +
    'and then expects EOF on the pipe once the write end is closed: a reference left behind by the failed ' +
    'registration would hang it.',
  make: () => ({
    name: 'failure-atomicity', kind: 'always', on: 'step',
    check(s: World, a: Transition, t: World) {
      if (!a.result.errno) return undefined;
      if (t.files.length !== s.files.length) return `${a.step.syscall} failed with ${a.result.errno} but allocated a file`;
      for (let id = 0; id < s.files.length; id++) {
        const before = s.files[id]!;
        const after = t.files[id]!;
        // What a failed call may drop is not a reference left behind: a stream read that fails with EAGAIN
        // after manage_oob freed an OOB skb, a connect() that frees its own embryo when its later step fails.
        if (after.f_count > before.f_count || (before.released && !after.released)) {
          return `${a.step.syscall} failed with ${a.result.errno} but changed ${fileName(s, id)}: f_count ${before.f_count} → ${after.f_count}`;
        }
      }
      return undefined;
    },
  }),
};
