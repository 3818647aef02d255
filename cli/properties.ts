// `--properties FILE.ts`: a module of the user's own properties (properties/user.ts says what it exports),
// added to the design under check. The same file is loaded again in each worker of a parallel search
// (model/factory.ts), so only what can be said in one line is checked here, once.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Design } from '../model/design.js';
import { builtinNameClash } from '../properties/index.js';
import type { PropertyDef } from '../properties/property.js';
import { propertiesOfModule } from '../properties/user.js';
import { oneLine, UserError } from './errors.js';

/** The properties of the module at `path` (as the user gave it: it names them in messages). */
export async function loadProperties(path: string): Promise<PropertyDef[]> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError('E_PROPERTIES_LOAD', `properties file not found: ${path}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError('E_PROPERTIES_LOAD', `cannot load properties ${path}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const defs = propertiesOfModule(mod, path);
  if (typeof defs === 'string') throw new UserError('E_PROPERTIES_INVALID', `${path}: ${defs}`);
  const clash = builtinNameClash(defs);
  if (clash !== undefined) throw new UserError('E_PROPERTIES_INVALID', clash);
  return defs;
}

/** The design with `defs` checked after its own properties; no two may share a name. */
export function withProperties(design: Design, defs: readonly PropertyDef[]): Design {
  if (defs.length === 0) return design;
  const own = design.properties ?? [];
  const twice = defs.find((d) => own.some((o) => o.name === d.name));
  if (twice !== undefined) {
    throw new UserError('E_PROPERTIES_INVALID', `property '${twice.name}' (${twice.origin ?? 'yours'}) is also a property of design '${design.name}'; choose another name`);
  }
  return { ...design, properties: [...own, ...defs] };
}

/** The properties of `--properties FILE`, if given (none otherwise). */
export async function propertiesOfFlag(flag: unknown): Promise<PropertyDef[]> {
  if (flag === undefined) return [];
  if (typeof flag !== 'string' || flag === '') throw new UserError('E_USAGE', '--properties needs a file: --properties ./my-properties.ts');
  return loadProperties(flag);
}

/** `--properties FILE` if given: the design with the file's properties, and the file for the workers. */
export async function designWithPropertiesFlag(design: Design, flag: unknown): Promise<{ design: Design; propertiesFile?: string }> {
  const defs = await propertiesOfFlag(flag);
  return typeof flag === 'string' && defs.length > 0 ? { design: withProperties(design, defs), propertiesFile: resolve(flag) } : { design };
}
