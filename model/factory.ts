// The kernel model as a model factory (checker/model.ts `ModelFactory`): each worker of a parallel search
// (`inflight check --workers N`) imports this module and calls `createModel` with the same params, and so
// rebuilds the same design, model and properties as the main thread.
//
// A user's design file is loaded as `cli/designs.ts` `loadDesign` loads it (default export, else `design`,
// resolved against the built-in designs); the main thread has already validated it with `loadDesign`, so
// only the loading is repeated here (model/ does not import cli/). The properties come from
// properties/index.ts, as in a single-thread check, with the design's own and those of `--properties FILE`
// (loaded here again, as cli/properties.ts loads them).
import { pathToFileURL } from 'node:url';
import type { ModelSpec } from '../checker/model.js';
import { makeProperties } from '../properties/index.js';
import { propertiesOfModule } from '../properties/user.js';
import type { Bounds } from './bounds.js';
import { resolveDesign, type Design } from './design.js';
import { builtinDesign } from './designs/index.js';
import { kernelModel } from './model.js';
import type { ProgramStep, Transition } from './step.js';
import type { World } from './world.js';

export interface KernelModelParams {
  /** The design's name (a built-in name, or the name the user's file gives it). */
  readonly design: string;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  /** The user's design module, as an absolute path; absent for a built-in design. */
  readonly designFile?: string;
  /** A scenario's programs (plain data), when the run checks a scenario. */
  readonly programs?: readonly (readonly ProgramStep[])[];
  /** `--properties FILE`: the module of the user's own properties, as an absolute path. */
  readonly propertiesFile?: string;
}

async function designOf(p: KernelModelParams): Promise<Design> {
  if (p.designFile === undefined) {
    const d = builtinDesign(p.design);
    if (d === undefined) throw new Error(`unknown built-in design '${p.design}'`);
    return d;
  }
  const mod = (await import(pathToFileURL(p.designFile).href)) as Record<string, unknown>;
  const d = resolveDesign(mod['default'] ?? mod['design'], builtinDesign);
  if (typeof d === 'string') throw new Error(`${p.designFile}: ${d}`);
  if (d.name !== p.design) throw new Error(`${p.designFile} now gives design '${d.name}', not '${p.design}'`);
  return d;
}

/** The design with the properties of `--properties FILE` after its own (the main thread checked the names). */
async function withPropertiesFile(d: Design, file: string | undefined): Promise<Design> {
  if (file === undefined) return d;
  const defs = propertiesOfModule((await import(pathToFileURL(file).href)) as Record<string, unknown>, file);
  if (typeof defs === 'string') throw new Error(`${file}: ${defs}`);
  return { ...d, properties: [...(d.properties ?? []), ...defs] };
}

export async function createModel(params: KernelModelParams): Promise<ModelSpec<World, Transition>> {
  const model = kernelModel(await withPropertiesFile(await designOf(params), params.propertiesFile), params.bounds, { symmetry: params.symmetry, ...(params.programs ? { programs: params.programs } : {}) });
  return { model, properties: makeProperties(model.ctx) };
}
