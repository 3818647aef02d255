// The model factory of a parallel search (checker/model.ts `ModelFactory`) for user code (a design module,
// a --properties module): each worker runs the bundled code (the text the main thread loaded and checked, cli/usercode.ts), copies
// and resolves it as cli/designs.ts does, and builds the model as model/factory.ts does for a built-in.
import type { ModelSpec } from '../checker/model.js';
import { modelSpecOf, type KernelModelParams } from '../model/factory.js';
import type { Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { designFromCode } from './designs.js';
import { propertiesFromCode, withProperties } from './properties.js';

export interface UserModelParams extends KernelModelParams {
  /** The design module as one ES module (cli/usercode.ts `bundleModule`); a built-in design without it. */
  readonly designCode?: string;
  /** The `--properties` module, likewise. */
  readonly propertiesCode?: string;
}

export async function createModel(params: UserModelParams): Promise<ModelSpec<World, Transition>> {
  let d: Design | undefined;
  if (params.designCode !== undefined) {
    d = await designFromCode(params.designCode, params.design);
    if (d.name !== params.design) throw new Error(`the design's code now gives design '${d.name}', not '${params.design}'`);
  } else {
    d = builtinDesign(params.design);
    if (d === undefined) throw new Error(`unknown built-in design '${params.design}'`);
  }
  if (params.propertiesCode !== undefined) d = withProperties(d, await propertiesFromCode(params.propertiesCode, '--properties'));
  return modelSpecOf(d, params);
}
