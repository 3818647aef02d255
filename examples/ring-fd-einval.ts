// An example design module: the 2019 patch plus the 6.7-rc5 rule that a ring fd cannot be sent over
// SCM_RIGHTS. Run: npx inflight check --design examples/ring-fd-einval.ts
import { defineDesign } from 'inflight/design';

export default defineDesign({
  name: 'ring-fd-einval',
  summary: 'counted registrations, but the ring refuses to be sent over SCM_RIGHTS',
  base: 'seed-2019',
  switches: { ringFdInScm: 'EINVAL' },
  expected: { 'no-leak': 'holds' },
});
