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
import { makeGuarded } from './guard.js';
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

/** The first of `defs` (a user's properties) that takes a built-in property's name, as a one-line reason. */
export function builtinNameClash(defs: readonly PropertyDef[]): string | undefined {
  const clash = defs.find((d) => propertyByName(d.name) !== undefined);
  return clash && `property '${clash.name}' (${clash.origin ?? 'yours'}) has the name of a built-in property; choose another`;
}

/** The built-in properties, then the design's own (a design module's `properties`, `--properties FILE`). */
export function makeProperties(ctx: Ctx): Property<World, Transition>[] {
  const own = ctx.design.properties ?? [];
  // The CLI refuses such a design when it loads it; a design built through the API is held to it here.
  const clash = builtinNameClash(own);
  if (clash !== undefined) throw new Error(clash);
  return [...[...PROPERTIES, ...(ctx.programs ? SCENARIO_PROPERTIES : [])].map((p) => p.make(ctx)),
    ...own.map((p) => makeGuarded(p, p.origin ?? `design '${ctx.design.name}'`, ctx))];
}
