// Finding a design: a built-in name, or a path to a module whose default export is a DesignSpec.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSwitchedName, resolveDesign, withSwitches, type Design } from '../model/design.js';
import { builtinDesign, builtinDesigns } from '../model/designs/index.js';
import { builtinNameClash, PROPERTIES, propertyByName } from '../properties/index.js';
import { oneLine, UserError } from './errors.js';

const looksLikePath = (s: string): boolean => /[\\/]/.test(s) || /\.(ts|mts|js|mjs)$/.test(s);

export async function loadDesign(nameOrPath: string): Promise<Design> {
  const builtin = builtinDesign(nameOrPath);
  if (builtin) return builtin;
  // `linux-5.14[peekGuard=none]`: a built-in with some switches turned.
  const sw = parseSwitchedName(nameOrPath);
  if (sw && builtinDesign(sw.base)) {
    const d = withSwitches(builtinDesign(sw.base)!, sw.overrides);
    throw new UserError('E_DESIGN_UNKNOWN', typeof d === 'string' ? `${nameOrPath}: ${d}` : `cannot read the switches of '${nameOrPath}'`);
  }
  if (!looksLikePath(nameOrPath)) {
    throw new UserError('E_DESIGN_UNKNOWN', `unknown design '${nameOrPath}' (built-in: ${builtinDesigns.map((d) => d.name).join(', ')}; or give a path to a .ts module)`);
  }
  const file = resolve(nameOrPath);
  if (!existsSync(file)) throw new UserError('E_DESIGN_UNKNOWN', `design file not found: ${nameOrPath}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError('E_DESIGN_LOAD', `cannot load design ${nameOrPath}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const spec = mod['default'] ?? mod['design'];
  if (spec === undefined) throw new UserError('E_DESIGN_INVALID', `${nameOrPath} has no default export (export default defineDesign({...}))`);
  const d = resolveDesign(spec, builtinDesign);
  if (typeof d === 'string') throw new UserError('E_DESIGN_INVALID', `${nameOrPath}: ${d}`);
  // A trace names its design; a user design that took a built-in name would be replayed as the built-in.
  if (builtinDesign(d.name)) throw new UserError('E_DESIGN_INVALID', `${nameOrPath}: the name '${d.name}' is a built-in design's; choose another`);
  const clash = builtinNameClash(d.properties ?? []);
  if (clash !== undefined) throw new UserError('E_PROPERTIES_INVALID', `${nameOrPath}: ${clash}`);
  for (const k of Object.keys(d.expected)) {
    if (!propertyByName(k) && !d.properties?.some((p) => p.name === k)) throw new UserError('E_DESIGN_INVALID', `${nameOrPath}: expected names an unknown property '${k}' (known: ${PROPERTIES.map((p) => p.name).join(', ')})`);
  }
  return d;
}
