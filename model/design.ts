// A design is a named set of choices about file lifetime: how registration holds references,
// what ->flush does, what sendmsg accepts. Built-in designs live in model/designs/, one file each;
// a user's design is a .ts module whose default export is a DesignSpec.
import type { Draft } from 'immer';
import type { FileId, World } from './world.js';
import type { FunctionName, Kernel, KernelFunctions } from './kernel.js';
import { FUNCTION_NAMES } from './function-names.js';
import type { PropertyDef } from '../properties/property.js';
import { checkProperties } from '../properties/user.js';

// For a design module's overrides: the kernel's types and the world's helpers.
export type { FunctionName, Kernel, KernelFunctions } from './kernel.js';
export type { FileId, TaskId, World, File, UnixSock, Ring, Skb } from './world.js';
export { FD_BASE, fdLookup, fileName } from './world.js';
export { FUNCTION_NAMES };

export interface Switches {
  /** How a registered file is held by the ring:
   *  - `table`: the table slot owns a counted reference; the unix GC cannot see it (the 2019 patch);
   *  - `ring_sock`: an skb on the ring's own unix socket owns it, accounted in flight, and to the GC the
   *    ring file is that socket (Al Viro's proposal, what 5.1 merged). The table slot only borrows. */
  readonly registration: 'table' | 'ring_sock';
  /** ->flush tears the ring down (drops its registered files) on every close of a ring fd, not only
   *  on the final fput (the rejected alternative: fork + exit/exec of a child kills the parent's rings). */
  readonly flushTeardown: boolean;
  /** A ring fd in an SCM_RIGHTS message: `allow`ed, or refused with `EINVAL` (6.7-rc5, 705318a99a13). */
  readonly ringFdInScm: 'allow' | 'EINVAL';
  /** The unix GC: `2007` is the cycle collector of 2.6.23 … 6.9 (candidates, subtract/restore scans, hit
   *  skbs); `graph` is Kuniyuki Iwashima's 6.10 rewrite (vertices and edges, Tarjan SCCs, dead SCCs
   *  collected whole). */
  readonly gc: '2007' | 'graph';
  /** What keeps a MSG_PEEK from installing an fd under a running GC: `none` (before 5.14-rc4, and the
   *  graph GC of 6.10 … 6.18.22: CVE-2021-0920, CVE-2026-23394), `gc-lock` (cbcf01128d0a: unix_peek_fds
   *  takes and drops unix_gc_lock between the dup and the install), `seqcount` (e5b31d988a41: the peek bumps
   *  unix_peek_seq while a GC runs; the graph GC gives up an SCC whose evaluation saw one). */
  readonly peekGuard: 'none' | 'gc-lock' | 'seqcount';
  /** 6.1 (0091bfc81741, the CVE-2022-2602 fix): the GC uses ring_sock registration skbs (scm_io_uring) to
   *  find cycles but never purges them; it puts them back on the ring_sock queue. */
  readonly scmIoUringRequeue: boolean;
  /** MSG_OOB on stream sockets: `unsupported` (before 5.15: EOPNOTSUPP), `leaky` (5.15 … Feb 2024: the GC
   *  purge leaves an OOB skb alive through u->oob_skb's reference), `fixed` (aa82ac51d633: the GC drops
   *  u->oob_skb before purging). */
  readonly oob: 'unsupported' | 'leaky' | 'fixed';
  /** SO_PASSRIGHTS (6.16, 77cbe1a6d873 + 3f84d577b79d): setsockopt can clear a unix socket's
   *  sk_scm_rights, and SCM_RIGHTS sent to it then fail with EPERM; an embryo takes its listener's flag.
   *  `false`: the option is unknown (ENOPROTOOPT), as before 6.16 and in the stable kernels (6.1.y, 6.12.y). */
  readonly soPassRights: boolean;
}

/** Semantics a design may replace. Each hook is a recipe fragment over a draft world. */
export interface Hooks {
  /** ->flush of `file`, called by every close of an fd (close, exit, exec), before the fput. */
  flush?(w: Draft<World>, file: FileId, k: Kernel): void;
  /** ->release of an io_uring file: tear the ring down and drop what it holds. */
  releaseRing?(w: Draft<World>, file: FileId, k: Kernel): void;
}

/** An override of the kernel function N: a factory that gets the finished kernel `k` (every function as
 *  this design has it: call others through k) and `base` (N as the design's base has it), and returns
 *  the function that replaces N — of the same shape, calling `base` where the patch keeps the old code:
 *
 *    overrides: {
 *      io_sqe_files_register: (k, base) => (w, task, ring, fds) =>
 *        fds.some((fd) => fd !== -1 && fileAt(w, task, fd) is a unix socket) ? 'EINVAL' : base(w, task, ring, fds),
 *    }
 *
 *  The factory runs once per checker run (per kernel); the function it returns runs on every call. */
export type Override<N extends FunctionName> = (k: Kernel, base: KernelFunctions[N]) => KernelFunctions[N];
/** The overrides of a design, by kernel function name (model/kernel.ts, KernelFunctions, documents each). */
export type Overrides = { readonly [N in FunctionName]?: Override<N> };

/** One design's overrides in a design's chain (root base first). `trusted`: a built-in design's; a user's
 *  overrides are wrapped so that what they throw blames the design, and the world is checked after each
 *  step they ran in. */
export interface OverrideLayer {
  readonly design: string;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly trusted: boolean;
  /** A switch patch (model/designs/switch-patches.ts): the switch value that brings it, `name=value`. */
  readonly via?: string;
}

/** What a thrown value says, whatever it is: a design may throw a Proxy, an object whose `toString` or
 *  `message` throws, or a string of megabytes. Never throws; at most 300 characters. */
export function describeThrown(v: unknown): string {
  let text: string;
  try {
    if (v instanceof Error) {
      const m: unknown = v.message;
      text = typeof m === 'string' && m !== '' ? m : `an ${typeof v.name === 'string' ? v.name : 'Error'} with no message`;
    } else if (typeof v === 'string') {
      text = v;
    } else if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
      text = String(v);
    } else {
      const s: unknown = String(v);
      text = typeof s === 'string' ? s : `a value of type ${typeof v}`;
    }
  } catch {
    text = `a value that cannot be described (typeof ${typeof v})`;
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A design's own code (a hook) threw. `step` says where, once the step is known. */
export class DesignError extends Error {
  constructor(readonly design: string, readonly cause: unknown, readonly step?: string) {
    super(`design '${design}' threw${step ? ` in ${step}` : ''}: ${describeThrown(cause)}`);
  }
}

/** Runs a design hook; whatever it throws becomes a DesignError, so that the design is blamed, not us.
 *  Hooks are synchronous: a hook that returns a thenable (an `async` hook) is refused, and a promise's
 *  rejection is taken here so that it cannot end the process later as an unhandled rejection. */
export function callHook<R>(design: Design, fn: () => R): R {
  return callDesignCode(design.name, fn);
}

/** callHook by the design's name (a user design's overrides run through this: model/kernel.ts). */
export function callDesignCode<R>(design: string, fn: () => R, passThrough?: (e: unknown) => boolean): R {
  let r: R;
  try { r = fn(); } catch (e) {
    if (isDesignError(e)) throw e;
    let pass = false;
    try { pass = passThrough?.(e) ?? false; } catch { /* a Proxy's trap: not ours */ }
    throw pass ? e : new DesignError(design, e);
  }
  if (r !== null && (typeof r === 'object' || typeof r === 'function')) refuseThenable(design, r);
  return r;
}

/** `instanceof` asks a Proxy's getPrototypeOf trap, which a design's thrown value may make throw. */
function isDesignError(e: unknown): boolean {
  try { return e instanceof DesignError; } catch { return false; }
}

function refuseThenable(design: string, r: object): void {
  let then: unknown;
  try { then = (r as { then?: unknown }).then; } catch (e) { throw new DesignError(design, e); }
  if (typeof then !== 'function') return;
  // A real promise (not a Proxy of one: that throws here without running the design's code).
  try { Promise.prototype.then.call(r, undefined, () => undefined); } catch { /* not a native promise */ }
  throw new DesignError(design, new Error('hooks and overrides must be synchronous (this one returned a Promise or thenable: an async function?)'));
}

export type Expectation = 'holds' | 'violated' | 'found' | 'not-found';

export interface DesignSpec {
  readonly name: string;
  /** One line for `inflight designs`. */
  readonly summary: string;
  /** A built-in design this one derives from; switches and hooks not given are taken from it. */
  readonly base?: string;
  readonly switches?: Partial<Switches>;
  /** The first API: `flush` and `releaseRing` recipes (kept; each is an override of `flush` /
   *  `io_uring_release`). */
  readonly hooks?: Hooks;
  /** Kernel functions this design replaces or wraps (see Override). */
  readonly overrides?: Overrides;
  /** What the author expects of each property at the default bounds (property name → verdict). */
  readonly expected?: Readonly<Record<string, Expectation>>;
  /** Where the design comes from (a thread, a commit). */
  readonly source?: string;
  /** The kernel's name of struct file's reference count, as traces and pictures print it: `f_count` until
   *  6.12, `f_ref` from 6.13 (90ee6ed776c0 "fs: port files to file_ref"). Not given: the base's (f_count
   *  at the root). Only a name: the model's field is f_count whatever the version. */
  readonly refcount?: 'f_count' | 'f_ref';
  /** Properties of the design's own, checked after the built-in ones (made with `always`, `sometimes` or
   *  `defineProperty` from inflight/property); `expected` may name them. */
  readonly properties?: readonly PropertyDef[];
}

export interface Design {
  readonly name: string;
  readonly summary: string;
  readonly switches: Switches;
  readonly hooks: Hooks;
  /** The overrides of the whole chain, root base first, this design's own last. */
  readonly layers: readonly OverrideLayer[];
  readonly expected: Readonly<Record<string, Expectation>>;
  readonly source?: string;
  /** struct file's reference count as this kernel version names it (DesignSpec.refcount). */
  readonly refcount: 'f_count' | 'f_ref';
  /** Its own properties, with their origin (properties/guard.ts guards them when they are made). */
  readonly properties?: readonly PropertyDef[];
  /** The design this one derives from, if any. */
  readonly base?: string;
}

export const defaultSwitches: Switches = {
  registration: 'table', flushTeardown: false, ringFdInScm: 'allow', gc: '2007', peekGuard: 'none',
  scmIoUringRequeue: false, oob: 'unsupported', soPassRights: false,
};

/** Identity helper so that a design module gets type checking: `export default defineDesign({...})`. */
export const defineDesign = (spec: DesignSpec): DesignSpec => spec;

const SWITCH_VALUES: { [K in keyof Switches]: readonly Switches[K][] } = {
  registration: ['table', 'ring_sock'],
  flushTeardown: [true, false],
  ringFdInScm: ['allow', 'EINVAL'],
  gc: ['2007', 'graph'],
  peekGuard: ['none', 'gc-lock', 'seqcount'],
  scmIoUringRequeue: [true, false],
  oob: ['unsupported', 'leaky', 'fixed'],
  soPassRights: [true, false],
};

export const SWITCH_NAMES = Object.keys(SWITCH_VALUES) as (keyof Switches)[];
export const switchValues = (k: keyof Switches): readonly unknown[] => SWITCH_VALUES[k];
const EXPECTATIONS: readonly Expectation[] = ['holds', 'violated', 'found', 'not-found'];

/** Checks an untrusted value (a user's module export) and resolves it against `base`.
 *  Returns the design or a one-line reason. */
export function resolveDesign(spec: unknown, lookupBase: (name: string) => Design | undefined, opts: { readonly trusted?: boolean } = {}): Design | string {
  if (typeof spec !== 'object' || spec === null) return 'the design is not an object (export default defineDesign({...}))';
  const s = spec as Record<string, unknown>;
  if (typeof s['name'] !== 'string' || s['name'] === '') return 'the design has no name';
  if (typeof s['summary'] !== 'string') return `design '${s['name']}' has no summary`;
  let base: Design | undefined;
  if (s['base'] !== undefined) {
    if (typeof s['base'] !== 'string') return `design '${s['name']}': base must be a design name`;
    base = lookupBase(s['base']);
    if (!base) return `design '${s['name']}': unknown base design '${s['base']}'`;
  }
  const switches: Record<string, unknown> = { ...(base?.switches ?? defaultSwitches) };
  if (s['switches'] !== undefined) {
    if (typeof s['switches'] !== 'object' || s['switches'] === null) return `design '${s['name']}': switches must be an object`;
    for (const [k, v] of Object.entries(s['switches'] as Record<string, unknown>)) {
      const allowed = Object.hasOwn(SWITCH_VALUES, k) ? (SWITCH_VALUES as Record<string, readonly unknown[]>)[k] : undefined;
      if (!allowed) return `design '${s['name']}': unknown switch '${k}' (known: ${Object.keys(SWITCH_VALUES).join(', ')})`;
      if (!allowed.includes(v)) return `design '${s['name']}': switch ${k} must be one of ${allowed.map(String).join(', ')}`;
      switches[k] = v;
    }
  }
  const hooks: Record<string, unknown> = { ...(base?.hooks ?? {}) };
  if (s['hooks'] !== undefined) {
    if (typeof s['hooks'] !== 'object' || s['hooks'] === null) return `design '${s['name']}': hooks must be an object`;
    for (const [k, v] of Object.entries(s['hooks'] as Record<string, unknown>)) {
      if (k !== 'flush' && k !== 'releaseRing') return `design '${s['name']}': unknown hook '${k}' (known: flush, releaseRing)`;
      if (typeof v !== 'function') return `design '${s['name']}': hook ${k} must be a function`;
      hooks[k] = v;
    }
  }
  const own: Record<string, unknown> = {};
  if (s['overrides'] !== undefined) {
    if (typeof s['overrides'] !== 'object' || s['overrides'] === null) return `design '${s['name']}': overrides must be an object`;
    for (const [k, v] of Object.entries(s['overrides'] as Record<string, unknown>)) {
      if (!(FUNCTION_NAMES as readonly string[]).includes(k)) return `design '${s['name']}': unknown override '${k}' (known: ${FUNCTION_NAMES.join(', ')})`;
      if (typeof v !== 'function') return `design '${s['name']}': override ${k} must be a function (k, base) => replacement`;
      own[k] = v;
    }
  }
  const trusted = opts.trusted === true;
  const layers: OverrideLayer[] = [...(base?.layers ?? [])];
  const ownHooks = (s['hooks'] ?? {}) as Hooks;
  const hookLayer = hooksAsOverrides(s['name'], ownHooks);
  if (hookLayer) layers.push(hookLayer);
  if (Object.keys(own).length > 0) layers.push({ design: s['name'], overrides: own, trusted });
  const expected: Record<string, Expectation> = {};
  if (s['expected'] !== undefined) {
    if (typeof s['expected'] !== 'object' || s['expected'] === null) return `design '${s['name']}': expected must be an object`;
    for (const [k, v] of Object.entries(s['expected'] as Record<string, unknown>)) {
      if (!EXPECTATIONS.includes(v as Expectation)) return `design '${s['name']}': expected.${k} must be one of ${EXPECTATIONS.join(', ')}`;
      expected[k] = v as Expectation;
    }
  }
  const refcount = s['refcount'] ?? base?.refcount ?? 'f_count';
  if (refcount !== 'f_count' && refcount !== 'f_ref') return `design '${s['name']}': refcount must be 'f_count' or 'f_ref'`;
  let properties: PropertyDef[] | undefined;
  if (s['properties'] !== undefined) {
    const p = checkProperties(s['properties'], `design '${s['name']}'`);
    if (typeof p === 'string') return `design '${s['name']}': ${p}`;
    properties = p;
  }
  const design: Design = {
    name: s['name'],
    summary: s['summary'],
    switches: switches as unknown as Switches,
    hooks: hooks as Hooks,
    layers,
    expected,
    refcount,
    ...(typeof s['source'] === 'string' ? { source: s['source'] } : {}),
    ...(properties && properties.length > 0 ? { properties } : {}),
    ...(base ? { base: base.name } : {}),
  };
  return design;
}

/** The first API's hooks as overrides: `flush` replaces f_op->flush of every file, `releaseRing` the
 *  ring's ->release (io_uring_release). Each gets the kernel as its third argument, as before, and what
 *  it throws blames the design (callHook). */
function hooksAsOverrides(name: string, hooks: Hooks): OverrideLayer | undefined {
  const overrides: Record<string, unknown> = {};
  const { flush, releaseRing } = hooks;
  if (typeof flush === 'function') {
    overrides['flush'] = (k: Kernel) => (w: Draft<World>, file: FileId) => callHook(k.design, () => flush(w, file, k));
  }
  if (typeof releaseRing === 'function') {
    overrides['io_uring_release'] = (k: Kernel) => (w: Draft<World>, file: FileId) => callHook(k.design, () => releaseRing(w, file, k));
  }
  return Object.keys(overrides).length > 0 ? { design: name, overrides, trusted: true } : undefined;
}

/** The designs (layers) that override kernel function `name` in d, root base first; [] when d runs the
 *  model's own. */
export function overriddenBy(d: Design, name: string): string[] {
  return d.layers.filter((l) => name in l.overrides).map((l) => l.design);
}

/** `linux-5.14[peekGuard=none,oob=leaky]`: a design with some switches turned. The name says which, so a
 *  trace made with it can be replayed (model/designs/index.ts resolves such names). */
export function withSwitches(d: Design, overrides: Readonly<Record<string, string>>): Design | string {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return d;
  const switches: Record<string, unknown> = { ...d.switches };
  for (const k of keys) {
    // Own properties only: `constructor` or `__proto__` is an unknown switch, not Object.prototype's.
    const allowed = Object.hasOwn(SWITCH_VALUES, k) ? (SWITCH_VALUES as Record<string, readonly unknown[]>)[k] : undefined;
    if (!allowed) return `unknown switch '${k}' (known: ${SWITCH_NAMES.join(', ')})`;
    const v = allowed.find((x) => String(x) === overrides[k]);
    if (v === undefined) return `switch ${k} must be one of ${allowed.map(String).join(', ')} (got '${overrides[k]}')`;
    switches[k] = v;
  }
  const tag = keys.sort().map((k) => `${k}=${overrides[k]}`).join(',');
  return { ...d, name: `${d.name}[${tag}]`, summary: `${d.summary} — with ${tag}`, switches: switches as unknown as Switches, expected: {} };
}

/** Splits `name[k=v,k2=v2]` into the name and the switches; undefined when the text has no brackets. */
export function parseSwitchedName(name: string): { base: string; overrides: Record<string, string> } | undefined {
  const m = /^(.+)\[([^\]]*)\]$/.exec(name);
  if (!m) return undefined;
  // No prototype: `[__proto__=1]` is a switch named __proto__ (refused by withSwitches), not a lost write.
  const overrides: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of m[2]!.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) return undefined;
    overrides[k] = v;
  }
  return { base: m[1]!, overrides };
}
