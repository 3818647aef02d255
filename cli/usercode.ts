// A user's module (a design file): bundled, imported, and its export copied into plain data once.
//
// Why a bundle. Importing the file as it is leaves its meaning to whatever package.json lies near it and to
// tsx's guesses: a `.ts` file with `export default` in a directory with no package.json (or a CommonJS one)
// fails in Node 20.19+ with "Cannot require() ES Module … in a cycle", a `.js` file with ESM syntax under
// `"type": "commonjs"` does not load at all, and `inflight/design` cannot be found where there is no
// node_modules. esbuild (the compiler tsx itself runs) reads the file and what it imports as the syntax
// says — ESM or CommonJS, TypeScript or JavaScript — and writes one ES module; the package's own modules
// (`inflight/design`, or a relative path into this checkout) stay outside the bundle and resolve to the
// running checkout, so that a design shares `defineDesign` and the model with the checker that runs it. The
// bundle's text is also what the workers of a parallel search load: they run exactly the code that was
// checked here, even if the file changes meanwhile.
//
// Why a snapshot. The export is the user's object: it may be a Proxy, have getters that throw or loop, or
// change between two reads. `snapshotExport` reads it once, into null-prototype objects and arrays (so a
// key `__proto__` stays a key), and wraps every function it finds so that the sandbox's watchdog
// (cli/sandbox.ts) knows when user code is running and which.
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getEnvironmentData, isMainThread, workerData } from 'node:worker_threads';
import { describeThrown } from '../model/design.js';
import { FROM_SOURCE, PACKAGE_ROOT, packageJson, RUNTIME_ROOT } from './package-json.js';

/** The running code's root (the checkout, or dist/ when compiled) and the package's (package.json). */
const CHECKOUT = RUNTIME_ROOT;
const OWN_DIRS = ['model', 'checker', 'properties', 'traces', 'cli', 'scenarios'];
/** The package's own code: imports that land here are not bundled (one copy of the model, shared). */
const PACKAGE_DIRS = OWN_DIRS.map((d) => join(CHECKOUT, d) + sep);
/** Compiled (dist/): the sources' directories too, whose modules are taken as their compiled twins — a
 *  design in the checkout that imports `../model/design.ts` gets the model the checker runs. */
const SOURCE_DIRS = FROM_SOURCE ? [] : OWN_DIRS.map((d) => join(PACKAGE_ROOT, d) + sep);

const PKG = packageJson();
/** The package's name as package.json says (a design imports `<name>/design`). */
export const PACKAGE_NAME = typeof PKG.name === 'string' ? PKG.name : 'inflight';
/** The name the docs and examples use, `inflight/design`: an alias of the package's own (the npm name
 *  `inflight` belongs to another package, so the package is published under another one). */
const ALIAS = 'inflight';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An export's target for this runtime: the TypeScript source (condition `source`) when running the
 *  sources, the compiled JavaScript (`import`/`default`) otherwise. */
function exportFile(target: unknown): unknown {
  if (typeof target === 'string' || typeof target !== 'object' || target === null) return target;
  const t = target as Record<string, unknown>;
  return (FROM_SOURCE ? t['source'] : undefined) ?? t['import'] ?? t['default'];
}

/** `<name>` or `<name>/sub` (or `inflight/sub`) → the package's file for it, from package.json
 *  `exports`; or a reason. */
function packageTarget(spec: string): string | { error: string } {
  const name = spec === PACKAGE_NAME || spec.startsWith(`${PACKAGE_NAME}/`) ? PACKAGE_NAME : ALIAS;
  const sub = spec === name ? '.' : `.${spec.slice(name.length)}`;
  const exp = PKG.exports;
  const map = typeof exp === 'object' && exp !== null ? (exp as Record<string, unknown>) : {};
  const file = exportFile(Object.hasOwn(map, sub) ? map[sub] : undefined);
  if (typeof file !== 'string') {
    return { error: `the package ${name} has no export '${sub}' (it exports ${Object.keys(map).filter((k) => k !== './package.json').map((k) => `${name}${k.slice(1)}`).join(', ')})` };
  }
  return join(PACKAGE_ROOT, file);
}

/** A source file of the package's, as the module that runs: itself, or (compiled) its twin in dist/. */
function runningTwin(path: string): string | undefined {
  if (PACKAGE_DIRS.some((d) => path.startsWith(d))) return path;
  const src = SOURCE_DIRS.find((d) => path.startsWith(d));
  if (src === undefined) return undefined;
  const twin = join(CHECKOUT, path.slice(PACKAGE_ROOT.length)).replace(/\.(m|c)?ts$/, '.$1js');
  return existsSync(twin) ? twin : undefined;
}

/** Keeps the package's own modules out of the bundle, as absolute file URLs of the running code. */
const packagePlugin: Plugin = {
  name: 'inflight-package',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${escapeRe(PACKAGE_NAME)}|${escapeRe(ALIAS)})(/.*)?$`) }, (a) => {
      const t = packageTarget(a.path);
      return typeof t === 'string' ? { path: pathToFileURL(t).href, external: true } : { errors: [{ text: t.error }] };
    });
    b.onResolve({ filter: /^(\.|\/)/ }, async (a) => {
      if (a.pluginData === 'inner') return undefined;
      const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: 'inner' });
      if (r.errors.length > 0 || r.external) return r;
      const own = runningTwin(r.path);
      return own !== undefined ? { path: pathToFileURL(own).href, external: true } : r;
    });
  },
};

/** The module at `file` (absolute) as one ES module's text, or a one-line reason why it cannot be read.
 *  The first line of the text lists the checkout's modules it imports (see `importBundle`). */
export async function bundleModule(file: string): Promise<{ code: string } | { error: string }> {
  const url = pathToFileURL(file).href;
  // The entry re-exports the two names a design module may use, as plain values: the bundle's namespace
  // then has no `then` of the user's (an exported `then` would make `import()` call it).
  const entry = `import * as m from ${JSON.stringify(file)};\nexport const exported = { default: m.default, design: m.design, properties: m.properties };\n`;
  try {
    const r = await build({
      stdin: { contents: entry, resolveDir: dirname(file), sourcefile: '<inflight entry>', loader: 'js' },
      bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent',
      // CommonJS code in the bundle may `require` what stays outside it (node: modules).
      banner: { js: `import { createRequire as __inflightRequire } from 'node:module'; const require = __inflightRequire(${JSON.stringify(url)});` },
      define: { 'import.meta.url': JSON.stringify(url), 'import.meta.filename': JSON.stringify(file), 'import.meta.dirname': JSON.stringify(dirname(file)) },
      plugins: [packagePlugin], metafile: true,
    });
    const ours = Object.values(r.metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && i.path.startsWith('file:')).map((i) => i.path);
    return { code: `${EXTERNALS}${JSON.stringify([...new Set(ours)])}\n${r.outputFiles[0]!.text}` };
  } catch (e) {
    return { error: buildError(e, file) };
  }
}

/** esbuild's first error as `file:line:col: text`, with a hint for the package that cannot be found. */
function buildError(e: unknown, file: string): string {
  const errors = (e as { errors?: { text?: unknown; location?: { file?: unknown; line?: unknown; column?: unknown } | null }[] }).errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  if (!first) return describeThrown(e);
  const loc = first.location;
  const where = loc && typeof loc.file === 'string' && loc.file !== '<inflight entry>' ? `${loc.file}:${String(loc.line)}:${String(loc.column)}: ` : '';
  const text = typeof first.text === 'string' ? first.text : describeThrown(first.text);
  return `${where}${text}${Array.isArray(errors) && errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`.replace(`"${file}"`, 'the file');
}

const EXTERNALS = '// inflight externals: ';

/** Loads the checkout's modules that a bundle imports: our code, which a cold worker thread may take a
 *  second or more to compile, is not the design's time (the watchdog counts only the design's own). */
export async function preloadExternals(code: string): Promise<void> {
  const first = code.slice(0, code.indexOf('\n'));
  if (!first.startsWith(EXTERNALS)) return;
  for (const url of JSON.parse(first.slice(EXTERNALS.length)) as string[]) await import(url);
}

/** Runs a bundle made by `bundleModule` and gives what it exports (default, design). */
export async function importBundle(code: string): Promise<{ default: unknown; design: unknown; properties: unknown }> {
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { exported: { default: unknown; design: unknown; properties: unknown } };
  return mod.exported;
}

// ---------------------------------------------------------------------------------------------------
// The watchdog's view of user code (cli/sandbox.ts reads it from the main thread). Words of a shared
// Int32Array: the stop request (SIGINT/SIGTERM) that the sandbox sets, then one slot per thread (the sandbox
// thread is slot 0, worker `me` of a parallel search slot 1 + me) with how many calls into user code are
// running there, how many began (a call stuck in a loop leaves both unchanged), and what runs (1 loading,
// 2 reading the export, 3 + i the i-th function of the export). Slots, so that a worker that a search ended
// in the middle of a call (its count left up) is cleared by `releaseWorkerSlots`, not taken for a hang.

export const W_STOP = 0;
export const SLOT_BASE = 1;
export const SLOT_WORDS = 3;
export const S_ACTIVE = 0;
export const S_ENTRIES = 1;
export const S_WHERE = 2;
/** The sandbox thread and up to 64 workers. */
export const SLOTS = 65;
export const W_WORDS = SLOT_BASE + SLOTS * SLOT_WORDS;
export const WHERE_LOADING = 1;
export const WHERE_READING = 2;
export const WHERE_FIRST_FUNCTION = 3;
export const slotWord = (slot: number, field: number): number => SLOT_BASE + slot * SLOT_WORDS + field;

/** The environment-data key of the shared words: the sandbox worker sets it, and the workers of a
 *  parallel search that it starts inherit it. */
export const WATCH_KEY = 'inflight:watch';
let watch: Int32Array | undefined | null = null;
let mySlot = 0;
export function watchWords(): Int32Array | undefined {
  if (watch === null) {
    const sab = isMainThread ? undefined : getEnvironmentData(WATCH_KEY);
    watch = sab instanceof SharedArrayBuffer ? new Int32Array(sab) : undefined;
    const me = (workerData as { me?: unknown } | null)?.me;
    mySlot = typeof me === 'number' && Number.isInteger(me) && me >= 0 && me < SLOTS - 1 ? 1 + me : 0;
  }
  return watch;
}

/** After a parallel search (its workers are gone): their slots say nothing any more. */
export function releaseWorkerSlots(): void {
  const w = watchWords();
  if (w === undefined) return;
  for (let s = 1; s < SLOTS; s++) Atomics.store(w, slotWord(s, S_ACTIVE), 0);
}

const enter = (w: Int32Array, where: number): void => {
  Atomics.add(w, slotWord(mySlot, S_ACTIVE), 1);
  Atomics.add(w, slotWord(mySlot, S_ENTRIES), 1);
  Atomics.store(w, slotWord(mySlot, S_WHERE), where);
};
const leave = (w: Int32Array): void => { Atomics.sub(w, slotWord(mySlot, S_ACTIVE), 1); };

/** Runs `fn` (user code) marked as running, for the watchdog. */
export function asUserCode<R>(where: number, fn: () => R): R {
  const w = watchWords();
  if (w === undefined) return fn();
  enter(w, where);
  try { return fn(); } finally { leave(w); }
}

/** The same for an async step (loading a module: its top level may await). */
export async function asUserCodeAsync<R>(where: number, fn: () => Promise<R>): Promise<R> {
  const w = watchWords();
  if (w === undefined) return fn();
  enter(w, where);
  try { return await fn(); } finally { leave(w); }
}

// ---------------------------------------------------------------------------------------------------

/** Plain data: what a design's export becomes. Objects have no prototype. */
export type Plain = undefined | null | boolean | number | string | bigint | symbol | ((...args: never[]) => unknown) | readonly Plain[] | { readonly [k: string]: Plain };

export interface Snapshot {
  readonly value: Plain;
  /** The functions found, by path (`export default.hooks.flush`): the i-th is marked `firstWhere + i`. */
  readonly functions: readonly string[];
  readonly firstWhere: number;
}

/** Functions of every export copied in this thread so far: each has a `where` number of its own. */
let functionsSeen = 0;

const MAX_DEPTH = 16;
const MAX_NODES = 100_000;

/** Copies an untrusted value into plain data, reading each property once (getters run here, inside a
 *  try), refusing cycles and absurd sizes; functions are kept, wrapped for the watchdog. Returns the
 *  copy or a one-line reason naming the path that failed. */
export function snapshotExport(value: unknown, root: string): Snapshot | string {
  const functions: string[] = [];
  const firstWhere = WHERE_FIRST_FUNCTION + functionsSeen;
  const onPath = new Set<object>();
  let nodes = 0;
  const fail = (message: string): never => { throw new SnapshotFailure(message); };

  const copy = (v: unknown, path: string, depth: number): Plain => {
    if (++nodes > MAX_NODES) fail(`${root} holds more than ${MAX_NODES} values`);
    if (typeof v === 'function') {
      functions.push(path);
      return watched(v as (...args: unknown[]) => unknown, firstWhere + functions.length - 1);
    }
    if (typeof v !== 'object' || v === null) return v as Plain;
    if (depth >= MAX_DEPTH) fail(`${path} is nested more than ${MAX_DEPTH} deep`);
    if (onPath.has(v)) fail(`${path} refers to itself`);
    onPath.add(v);
    try {
      let isArray: boolean;
      let keys: string[];
      try { isArray = Array.isArray(v); keys = Object.keys(v); } catch (e) { return fail(`${path} cannot be read (a Proxy?): ${describeThrown(e)}`); }
      if (isArray) {
        const out: Plain[] = [];
        for (const k of keys) {
          if (!/^(0|[1-9]\d*)$/.test(k)) continue;
          out[Number(k)] = copy(read(v, k, path), `${path}[${k}]`, depth + 1);
        }
        return out;
      }
      const out = Object.create(null) as Record<string, Plain>;
      for (const k of keys) {
        Object.defineProperty(out, k, { value: copy(read(v, k, path), `${path}.${k}`, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      onPath.delete(v);
    }
  };
  const read = (o: object, k: string, path: string): unknown => {
    try { return (o as Record<string, unknown>)[k]; } catch (e) { return fail(`reading ${path}.${k} threw: ${describeThrown(e)}`); }
  };
  try {
    const out = asUserCode(WHERE_READING, () => copy(value, root, 0));
    functionsSeen += functions.length;
    return { value: out, functions, firstWhere };
  } catch (e) {
    if (e instanceof SnapshotFailure) return e.message;
    throw e;
  }
}

class SnapshotFailure extends Error {}

/** `fn`, marked as user code while it runs. */
function watched(fn: (...args: unknown[]) => unknown, where: number): (...args: unknown[]) => unknown {
  // A function it returns is the design's code too (an override's factory returns the override that
  // runs on every call): watched as the same place.
  return function (this: unknown, ...args: unknown[]): unknown {
    const r = asUserCode(where, () => Reflect.apply(fn, this, args));
    return typeof r === 'function' ? watched(r as (...args: unknown[]) => unknown, where) : r;
  };
}

/** What the sandbox's watchdog is told about the user code it watches (to name it if it hangs). */
export interface Announcement {
  readonly file: string;
  readonly design?: string;
  /** The design's functions (paths in its export) and the `where` number of the first. */
  readonly functions?: readonly string[];
  readonly firstWhere?: number;
}
let announcer: ((a: Announcement) => void) | undefined;
/** The sandbox worker listens; elsewhere nobody does. */
export function setAnnouncer(fn: (a: Announcement) => void): void { announcer = fn; }
export function announce(a: Announcement): void { announcer?.(a); }
