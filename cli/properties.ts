// `--properties FILE.ts`: a module of the user's own properties (properties/user.ts says what it exports),
// added to the design under check. Each worker of a parallel search runs the same bundled code
// (cli/factory.ts).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeThrown, type Design } from '../model/design.js';
import { builtinNameClash } from '../properties/index.js';
import type { PropertyDef } from '../properties/property.js';
import { propertiesOfModule } from '../properties/user.js';
import { oneLine, UserError } from './errors.js';
import { announce, asUserCodeAsync, bundleModule, importBundle, preloadExternals, snapshotExport, WHERE_LOADING } from './usercode.js';

/** The properties of the module at `path` (as the user gave it: it names them in messages), and its
 *  code: bundled and run as a design module is (cli/usercode.ts), so that it loads from anywhere, runs
 *  where the sandbox can stop it, and the workers of a parallel search run the very same code. */
export async function loadProperties(path: string): Promise<{ defs: PropertyDef[]; code: string }> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError('E_PROPERTIES_LOAD', `properties file not found: ${path}`);
  if (!statSync(file).isFile()) throw new UserError('E_PROPERTIES_LOAD', `cannot load properties ${path}: not a file`);
  announce({ file: path });
  const bundle = await bundleModule(file);
  if ('error' in bundle) throw new UserError('E_PROPERTIES_LOAD', `cannot load properties ${path}: ${oneLine(bundle.error)}`);
  return { defs: await propertiesFromCode(bundle.code, path), code: bundle.code };
}

/** Runs a properties module's bundle and checks what it exports (`label` names it in messages). */
export async function propertiesFromCode(code: string, label: string): Promise<PropertyDef[]> {
  let mod: Record<string, unknown>;
  try {
    await preloadExternals(code);
    mod = (await asUserCodeAsync(WHERE_LOADING, () => importBundle(code))) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new UserError('E_PROPERTIES_LOAD', `cannot load properties ${label}: ${oneLine(describeThrown(e))}`);
  }
  const exported = Object.create(null) as Record<string, unknown>;
  for (const k of ['default', 'properties']) {
    if (mod[k] === undefined) continue;
    const snap = snapshotExport(mod[k], `export ${k}`);
    if (typeof snap === 'string') throw new UserError('E_PROPERTIES_INVALID', `${label}: ${oneLine(snap)}`);
    exported[k] = snap.value;
  }
  const defs = propertiesOfModule(exported, label);
  if (typeof defs === 'string') throw new UserError('E_PROPERTIES_INVALID', `${label}: ${defs}`);
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
  return (await loadProperties(flag)).defs;
}

/** `--properties FILE` if given: the design with the file's properties, and the module's code for the workers. */
export async function designWithPropertiesFlag(design: Design, flag: unknown): Promise<{ design: Design; propertiesCode?: string }> {
  if (flag === undefined) return { design };
  if (typeof flag !== 'string' || flag === '') throw new UserError('E_USAGE', '--properties needs a file: --properties ./my-properties.ts');
  const { defs, code } = await loadProperties(flag);
  return defs.length > 0 ? { design: withProperties(design, defs), propertiesCode: code } : { design };
}
