// Finding a design: a built-in name, or a path to a module whose default export is a DesignSpec.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeThrown, parseSwitchedName, resolveDesign, withSwitches, type Design } from '../model/design.js';
import { builtinDesign, builtinDesigns } from '../model/designs/index.js';
import { builtinNameClash, PROPERTIES, propertyByName } from '../properties/index.js';
import { oneLine, UserError } from './errors.js';
import { announce, asUserCodeAsync, bundleModule, importBundle, preloadExternals, snapshotExport, WHERE_LOADING, type Plain } from './usercode.js';

/** A design argument that names a file (and so user code), not a built-in design. */
export const looksLikePath = (s: string): boolean => /[\\/]/.test(s) || /\.(ts|mts|cts|js|mjs|cjs)$/.test(s);

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
  return loadDesignFile(nameOrPath);
}

/** The bundled code of each user design (what the workers of a parallel search load). */
const codeOf = new WeakMap<Design, string>();
export const designCode = (d: Design): string | undefined => codeOf.get(d);

async function loadDesignFile(arg: string): Promise<Design> {
  const file = resolve(arg);
  if (!existsSync(file)) throw new UserError('E_DESIGN_UNKNOWN', `design file not found: ${arg}`);
  if (!statSync(file).isFile()) throw new UserError('E_DESIGN_LOAD', `cannot load design ${arg}: not a file`);
  announce({ file: arg });
  const bundle = await bundleModule(file);
  if ('error' in bundle) throw new UserError('E_DESIGN_LOAD', `cannot load design ${arg}: ${bundle.error}`);
  const d = await designFromCode(bundle.code, arg);
  // A trace names its design; a user design that took a built-in name would be replayed as the built-in.
  if (builtinDesign(d.name)) throw new UserError('E_DESIGN_INVALID', `${arg}: the name '${d.name}' is a built-in design's; choose another`);
  codeOf.set(d, bundle.code);
  return d;
}

/** Runs a design module's bundle, copies its export and resolves it (`label` names it in messages). */
export async function designFromCode(code: string, label: string): Promise<Design> {
  let exported: { default: unknown; design: unknown };
  try {
    await preloadExternals(code);
    exported = await asUserCodeAsync(WHERE_LOADING, () => importBundle(code));
  } catch (e) {
    throw new UserError('E_DESIGN_LOAD', `cannot load design ${label}: ${oneLine(describeThrown(e))}`);
  }
  const spec = exported.default !== undefined ? exported.default : exported.design;
  if (spec === undefined) throw new UserError('E_DESIGN_INVALID', `${label} has no default export (export default defineDesign({...}))`);
  const snap = snapshotExport(spec, 'export default');
  if (typeof snap === 'string') throw new UserError('E_DESIGN_INVALID', `${label}: ${oneLine(snap)}`);
  const d = resolveDesign(snap.value, builtinDesign);
  if (typeof d === 'string') throw new UserError('E_DESIGN_INVALID', `${label}: ${oneLine(d)}`);
  announce({ file: label, design: d.name, functions: snap.functions, firstWhere: snap.firstWhere });
  // Every key of the export's own table (the copy keeps `__proto__` as a key).
  const clash = builtinNameClash(d.properties ?? []);
  if (clash !== undefined) throw new UserError('E_PROPERTIES_INVALID', `${label}: ${clash}`);
  for (const k of expectedKeys(snap.value)) {
    if (!propertyByName(k) && !d.properties?.some((p) => p.name === k)) throw new UserError('E_DESIGN_INVALID', `${label}: expected names an unknown property '${k}' (known: ${PROPERTIES.map((p) => p.name).join(', ')})`);
  }
  return d;
}

const expectedKeys = (v: Plain): string[] => {
  const e = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, Plain>)['expected'] : undefined;
  return typeof e === 'object' && e !== null ? Object.keys(e) : [];
};

/** The design a trace names, when no --design is given: a built-in, or a built-in with switches turned
 *  (a bad switch is said as such). Never a file: a trace must not make inflight run code. */
export function traceDesign(name: string): Promise<Design> {
  const sw = parseSwitchedName(name);
  if (builtinDesign(name) || (sw && builtinDesign(sw.base))) return loadDesign(name);
  return Promise.reject(new UserError('E_DESIGN_UNKNOWN', `the trace was made with design '${name}', which is not built in: give it with --design FILE.ts`));
}
