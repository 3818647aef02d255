// A user's property runs behind a guard on the checker's path (properties/index.ts `makeProperties` puts it
// there): `make` must give a checker property of the same name and kind, a check must return a string or
// undefined, and whatever the user's code throws becomes a PropertyError that names the property and its
// module. A check reads worlds through read-only views: a write throws, and is blamed, instead of silently
// changing what the search explores.
import type { Property } from '../checker/model.js';
import type { Ctx, Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import type { PropertyDef } from './property.js';
import { PropertyError } from './user.js';

/** The checker property of a user's `def` for `ctx`, guarded. */
export function makeGuarded(def: PropertyDef, origin: string, ctx: Ctx): Property<World, Transition> {
  const { name, kind } = def;
  const blame = (e: unknown): PropertyError => (e instanceof PropertyError ? e : new PropertyError(name, origin, e));
  let p: unknown;
  try { p = def.make(userCtx(ctx)); } catch (e) { throw blame(e); }
  const bad = checkerPropertyProblem(p, def);
  if (bad !== undefined) throw blame(new Error(bad));
  const answer = (r: unknown): string | undefined => {
    if (r === undefined || typeof r === 'string') return r;
    throw blame(new Error(`a check must return a string (the property fires) or undefined (it does not), not ${r === null ? 'null' : typeof r}`));
  };
  const q = p as Property<World, Transition>;
  if (q.on === 'state') {
    const check = q.check.bind(q);
    return { name, kind, on: 'state', check: (w) => { try { return answer(onViews(() => check(view(w)))); } catch (e) { throw blame(e); } } };
  }
  const check = q.check.bind(q);
  return { name, kind, on: 'step', check: (s, a, t) => { try { return answer(onViews(() => check(view(s), a, view(t)))); } catch (e) { throw blame(e); } } };
}

function checkerPropertyProblem(p: unknown, def: PropertyDef): string | undefined {
  if (typeof p !== 'object' || p === null) return 'make(ctx) must return { name, kind, on, check }';
  const q = p as Record<string, unknown>;
  if (q['name'] !== def.name) return `make(ctx) returned a property named ${JSON.stringify(q['name'])}, not '${def.name}'`;
  if (q['kind'] !== def.kind) return `make(ctx) returned kind ${JSON.stringify(q['kind'])}, not '${def.kind}'`;
  if (q['on'] !== 'state' && q['on'] !== 'step') return "make(ctx) must return on: 'state' or on: 'step'";
  if (typeof q['check'] !== 'function') return 'make(ctx) must return a check function';
  return undefined;
}

/** What a user's property sees of the context: a frozen copy (design, bounds, kernel, programs), so that it
 *  cannot change what the model runs on. Made once per run. */
function userCtx(ctx: Ctx): Ctx {
  return frozenCopy(ctx, new Map()) as Ctx;
}

/** A deep copy of plain objects and arrays, frozen; functions and anything else are kept as they are. */
function frozenCopy(v: unknown, done: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
  const had = done.get(v);
  if (had !== undefined) return had;
  const out: Record<string | number, unknown> = Array.isArray(v) ? [] as unknown as Record<number, unknown> : {};
  done.set(v, out);
  for (const [k, x] of Object.entries(v)) out[k] = frozenCopy(x, done);
  return Object.freeze(out);
}

// Read-only views: a view reads as its world does (the same values, arrays and, within one check, the same
// identities), and any write through it throws. Nothing is copied or frozen, so the checker's worlds and the
// model's code on them stay as they are; a check pays only for what it reads. One check runs at a time:
// `targets[i]` has the view `views[i]` for i < `seen`, the objects it has read (a map or a WeakMap made
// here cost more in garbage collection than all the rest: the arrays are reused).
const VIEWS_MAX = 256;
const targets: object[] = [];
const views: object[] = [];
let seen = 0;
const refused = (what: string): never => { throw new TypeError(`a check must not change the world (it tried to ${what})`); };
const handler: ProxyHandler<object> = {
  get(target, key) {
    const v: unknown = Reflect.get(target, key);
    if (typeof v !== 'object' || v === null) return v;
    // A proxy must give a frozen object's own values as they are (the model shares released files that hold
    // nothing, frozen on the outside): freeze what they hold instead, which nobody writes.
    if (Object.isFrozen(target)) { if (!Object.isFrozen(v)) freezeDeep(v); return v; }
    return view(v);
  },
  set: (_t, key) => refused(`set '${String(key)}'`),
  defineProperty: (_t, key) => refused(`define '${String(key)}'`),
  deleteProperty: (_t, key) => refused(`delete '${String(key)}'`),
  setPrototypeOf: () => refused('set a prototype'),
  preventExtensions: () => refused('freeze it'),
};

function view<T extends object>(o: T): T {
  for (let i = 0; i < seen; i++) if (targets[i] === o) return views[i] as T;
  const v = new Proxy(o, handler);
  if (seen < VIEWS_MAX) { targets[seen] = o; views[seen] = v; seen++; }
  return v as T;
}

/** Runs a check on views of its worlds. */
function onViews<R>(fn: () => R): R {
  seen = 0;
  return fn();
}

/** Freezes v and everything it holds. */
function freezeDeep(v: object): void {
  const xs: unknown[] = Array.isArray(v) ? v : Object.values(v);
  for (const x of xs) if (typeof x === 'object' && x !== null) freezeDeep(x);
  Object.freeze(v);
}
