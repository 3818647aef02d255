import type { Transition } from '../model/step.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const requestCompletesOnFixedFile: PropertyDef = {
  name: 'request-completes-on-fixed-file',
  kind: 'sometimes',
  title: 'witness: an io_uring request on a fixed (registered) file completes',
  explain:
    'Some io-wq step completes a request that was submitted with IOSQE_FIXED_FILE, i.e. that used a ' +
    'registered file through the borrowed table pointer. Finding it shows that the bounds let requests be ' +
    'submitted, run and finish on registered files at all, so that a "holds" of no-use-after-free covers ' +
    'the fixed-file path where CVE-2022-2602 and CVE-2023-6531 lived (use --reqs 1 or more).',
  guards: ['no-use-after-free'],
  make: () => ({
    name: 'request-completes-on-fixed-file', kind: 'sometimes', on: 'step',
    check(s: World, a: Transition) {
      if (a.step.syscall !== 'io_wq') return undefined;
      const { ring, req, stage } = a.step.args as { ring: number; req: number; stage: string };
      if (stage !== 'complete') return undefined;
      const q = s.files[ring]?.ring?.requests[req];
      if (!q?.fixed) return undefined;
      return `request ${req} of ${fileName(s, ring)} (${q.op}, fixed file ${fileName(s, q.file)}) completed`;
    },
  }),
};
