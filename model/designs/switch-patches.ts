// The switches as patches: a switch value where a value is the natural form of the choice (which GC,
// how registrations are held, which MSG_PEEK barrier …) stands for the overrides of the design that
// introduced it, whose file has their code. This is the one place each switch is read; makeKernel applies
// the patches on the model's own functions, in this order, before the overrides of the design's chain.
import type { OverrideLayer, Switches } from '../design.js';
import { flushTeardown } from './flush-teardown.js';
import { peekGcLock } from './linux-5.14.js';
import { oobLeaky, scmIoUringRequeue } from './linux-6.1.js';
import { refuseRingFds } from './linux-6.7.js';
import { graphGc, oobFixed } from './linux-6.10.js';
import { peekSeqcount, soPassRights } from './linux-6.18.js';
import { ringSockRegistration } from './viro-2019.js';

const layer = (design: string, via: string, overrides: object): OverrideLayer => ({ design, via, overrides: overrides as Record<string, unknown>, trusted: true });

export function switchPatches(sw: Switches): { readonly layers: readonly OverrideLayer[]; readonly gcAlgorithm: '2007' | 'graph' } {
  const layers: OverrideLayer[] = [];
  if (sw.gc === 'graph') layers.push(layer('linux-6.10', 'gc=graph', graphGc));
  if (sw.registration === 'ring_sock') layers.push(layer('viro-2019', 'registration=ring_sock', ringSockRegistration));
  if (sw.flushTeardown) layers.push(layer('flush-teardown', 'flushTeardown=true', flushTeardown));
  if (sw.ringFdInScm === 'EINVAL') layers.push(layer('linux-6.7', 'ringFdInScm=EINVAL', refuseRingFds));
  if (sw.peekGuard === 'gc-lock') layers.push(layer('linux-5.14', 'peekGuard=gc-lock', peekGcLock));
  if (sw.peekGuard === 'seqcount') layers.push(layer('linux-6.18', 'peekGuard=seqcount', peekSeqcount));
  if (sw.scmIoUringRequeue) layers.push(layer('linux-6.1', 'scmIoUringRequeue=true', scmIoUringRequeue));
  if (sw.oob === 'leaky') layers.push(layer('linux-6.1', 'oob=leaky', oobLeaky));
  if (sw.oob === 'fixed') layers.push(layer('linux-6.10', 'oob=fixed', oobFixed));
  if (sw.soPassRights) layers.push(layer('linux-6.18', 'soPassRights=true', soPassRights));
  return { layers, gcAlgorithm: sw.gc === 'graph' ? 'graph' : '2007' };
}
