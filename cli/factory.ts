// The model factory of a parallel search (checker/model.ts `ModelFactory`) for a user's design: each worker
// runs the design's bundled code (the text the main thread loaded and checked, cli/usercode.ts), copies
// and resolves it as cli/designs.ts does, and builds the model as model/factory.ts does for a built-in.
import type { ModelSpec } from '../checker/model.js';
import { modelSpecOf, type KernelModelParams } from '../model/factory.js';
import type { Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import { designFromCode } from './designs.js';

export interface UserModelParams extends KernelModelParams {
  /** The design module as one ES module (cli/usercode.ts `bundleModule`). */
  readonly designCode: string;
}

export async function createModel(params: UserModelParams): Promise<ModelSpec<World, Transition>> {
  const d = await designFromCode(params.designCode, params.design);
  if (d.name !== params.design) throw new Error(`the design's code now gives design '${d.name}', not '${params.design}'`);
  return modelSpecOf(d, params);
}
