// Every property, in the order verdicts are printed.
import type { Property } from '../checker/model.js';
import type { Ctx, Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import { gcReleasesRingCycle } from './gc-releases-ring-cycle.js';
import { gcReleasesCycle } from './gc-releases-cycle.js';
import { gcSafety } from './gc-safety.js';
import { noSilentPurge } from './no-silent-purge.js';
import { failureAtomicity } from './failure-atomicity.js';
import { noDoubleFree } from './no-double-free.js';
import { noLeak } from './no-leak.js';
import { noUseAfterFree } from './no-use-after-free.js';
import type { PropertyDef } from './property.js';
import { refcountExact } from './refcount-exact.js';
import { teardownOnFinalFput } from './teardown-on-final-fput.js';
import { scenarioCompletes } from './scenario-completes.js';
import { graphAccounting } from './graph-accounting.js'; import { inflightExact } from './inflight-exact.js';
import { requestCompletesOnFixedFile } from './request-completes-on-fixed-file.js';

export type { PropertyDef } from './property.js';

export const PROPERTIES: readonly PropertyDef[] = [
  noLeak, noDoubleFree, noUseAfterFree, teardownOnFinalFput, refcountExact, gcSafety, inflightExact, graphAccounting, noSilentPurge, failureAtomicity,
  gcReleasesCycle, gcReleasesRingCycle, requestCompletesOnFixedFile,
];

/** Checked only when a scenario fixes the tasks' programs. */
export const SCENARIO_PROPERTIES: readonly PropertyDef[] = [scenarioCompletes];

export const propertyByName = (name: string): PropertyDef | undefined =>
  PROPERTIES.find((p) => p.name === name) ?? SCENARIO_PROPERTIES.find((p) => p.name === name);

export function makeProperties(ctx: Ctx): Property<World, Transition>[] {
  return [...PROPERTIES, ...(ctx.programs ? SCENARIO_PROPERTIES : [])].map((p) => p.make(ctx));
}
