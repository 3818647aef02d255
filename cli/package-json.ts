// Where the package is, whether this code runs from the TypeScript sources (tests, tsx) or compiled into
// dist/ (bin/inflight.mjs, the library): dist/ mirrors the source tree one level down, so `..` of a module
// is the checkout in the first case and dist/ in the second.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Running the sources (a `.ts` module, through tsx) rather than the compiled JavaScript in dist/? */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** The root of the running code: the checkout for the sources, dist/ for the compiled code. */
export const RUNTIME_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The package's root (where package.json, README.md and the sources are). */
export const PACKAGE_ROOT = FROM_SOURCE || existsSync(join(RUNTIME_ROOT, 'package.json')) ? RUNTIME_ROOT : join(RUNTIME_ROOT, '..');

export interface PackageJson { readonly name?: unknown; readonly version?: unknown; readonly exports?: unknown }
let pkg: PackageJson | undefined;
/** package.json, read once. */
export function packageJson(): PackageJson {
  pkg ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
  return pkg;
}
/** The package's version, as package.json says. */
export const packageVersion = (): string => String(packageJson().version);
