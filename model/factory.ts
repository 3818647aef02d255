// The kernel model as a model factory (checker/model.ts `ModelFactory`): each worker of a parallel search
// (`inflight check --workers N`) imports this module and calls `createModel` with the same params, and so
// rebuilds the same design, model and properties as the main thread.
//
// Built-in designs only: a user's design is code that cli/factory.ts loads first (model/ does not import
// cli/) and then hands to `modelSpecOf`. The properties come from properties/index.ts, as in a
// single-thread check.
import type { ModelSpec } from '../checker/model.js';
import { makeProperties } from '../properties/index.js';
import { propertiesOfModule } from '../properties/user.js';
import type { Bounds } from './bounds.js';
import type { Design } from './design.js';
import { builtinDesign } from './designs/index.js';
import { kernelModel } from './model.js';
import type { ProgramStep, Transition } from './step.js';
import type { World } from './world.js';

export interface KernelModelParams {
  /** The design's name (a built-in name, or the name the user's file gives it). */
  readonly design: string;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  /** A scenario's programs (plain data), when the run checks a scenario. */
  readonly programs?: readonly (readonly ProgramStep[])[];
}

/** The model and properties of `design` at the params' bounds. */
export function modelSpecOf(design: Design, params: KernelModelParams): ModelSpec<World, Transition> {
  const model = kernelModel(design, params.bounds, { symmetry: params.symmetry, ...(params.programs ? { programs: params.programs } : {}) });
  return { model, properties: makeProperties(model.ctx) };
}

export function createModel(params: KernelModelParams): Promise<ModelSpec<World, Transition>> {
  const d = builtinDesign(params.design);
  if (d === undefined) return Promise.reject(new Error(`unknown built-in design '${params.design}'`));
  return Promise.resolve(modelSpecOf(d, params));
}
