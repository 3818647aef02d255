// Properties of the user's own: the helpers a module writes them with (`always`, `sometimes`,
// `defineProperty`) and the validation of what a module exports (properties/guard.ts holds them to their
// contract while they run). Only types are imported, so that model/design.ts can validate a design's
// `properties` field without importing the built-in properties (and the model through them).
import type { Property } from '../checker/model.js';
import type { Ctx, Transition } from '../model/step.js';
import type { World } from '../model/world.js';
import type { PropertyDef } from './property.js';

/** A state property's check: a string when it fires (the violation, or the witness), else undefined. */
export type StateCheck = (w: World, ctx: Ctx) => string | undefined;
/** A step property's check, on every transition s —tr→ t the search generates. */
export type StepCheck = (s: World, tr: Transition, t: World, ctx: Ctx) => string | undefined;

interface Words {
  /** Letters, digits, '-' and '_' (it names files: `check --dot DIR` writes DIR/<name>-step-<n>.dot). */
  readonly name: string;
  /** One line. */
  readonly title: string;
  /** The paragraph `inflight explain NAME` prints. */
  readonly explain: string;
}

/** What `always` and `sometimes` take: on states (the default) or on steps. */
export type PropertySpec =
  | (Words & { readonly on?: 'state'; readonly check: StateCheck })
  | (Words & { readonly on: 'step'; readonly check: StepCheck });

function fromSpec(kind: 'always' | 'sometimes', spec: PropertySpec): PropertyDef {
  return {
    name: spec.name, kind, title: spec.title, explain: spec.explain,
    make(ctx: Ctx): Property<World, Transition> {
      if (spec.on === 'step') {
        const check = spec.check;
        return { name: spec.name, kind, on: 'step', check: (s, tr, t) => check(s, tr, t, ctx) };
      }
      const check = spec.check;
      return { name: spec.name, kind, on: 'state', check: (w) => check(w, ctx) };
    },
  };
}

/** A property that must hold in every state (or on every step): its check returns the violation. */
export const always = (spec: PropertySpec): PropertyDef => fromSpec('always', spec);
/** A witness: some reachable state (or step) must make its check return a string. */
export const sometimes = (spec: PropertySpec): PropertyDef => fromSpec('sometimes', spec);
/** The built-in properties' own form (properties/*.ts): `make(ctx)` returns the checker's property. */
export const defineProperty = (def: PropertyDef): PropertyDef => def;

/** A user's property threw (or broke the contract of a check): the message names the property and where
 *  it comes from, so that it is blamed, not inflight. */
export class PropertyError extends Error {
  constructor(readonly property: string, readonly origin: string, readonly cause: unknown) {
    super(`property '${property}' (${origin}) threw: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** What a property of the user's own may be called (names become file names under --dot). */
export const USER_PROPERTY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const NAME = USER_PROPERTY_NAME;

/** Why `v` is not a property definition, or undefined when it is one. */
export function propertyDefProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return 'a property must be an object made with always({...}), sometimes({...}) or defineProperty({...})';
  const p = v as Record<string, unknown>;
  if (typeof p['name'] !== 'string' || !NAME.test(p['name'])) {
    return `a property's name must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit (got ${JSON.stringify(p['name']) ?? String(p['name'])})`;
  }
  const name = p['name'];
  if (p['kind'] !== 'always' && p['kind'] !== 'sometimes') return `property '${name}': kind must be 'always' or 'sometimes'`;
  if (typeof p['title'] !== 'string' || p['title'].trim() === '' || /\n/.test(p['title'])) return `property '${name}': title must be one non-empty line`;
  if (typeof p['explain'] !== 'string' || p['explain'].trim() === '') return `property '${name}': explain must be a non-empty paragraph`;
  if (typeof p['make'] !== 'function') return `property '${name}': make must be a function (ctx) => checker property`;
  return undefined;
}

/** Checks a list of untrusted property definitions; returns them with their origin, or a reason. */
export function checkProperties(list: unknown, origin: string): PropertyDef[] | string {
  if (!Array.isArray(list)) return 'properties must be a list of properties made with always({...}), sometimes({...}) or defineProperty({...})';
  const out: PropertyDef[] = [];
  const seen = new Set<string>();
  for (const v of list) {
    const bad = propertyDefProblem(v);
    if (bad !== undefined) return bad;
    const def = v as PropertyDef;
    if (seen.has(def.name)) return `two properties are named '${def.name}'`;
    seen.add(def.name);
    out.push(withOrigin(def, origin));
  }
  return out;
}

/** The properties a module exports: its default export (one property or a list), else `properties`. */
export function propertiesOfModule(mod: Record<string, unknown>, origin: string): PropertyDef[] | string {
  const exported = mod['default'] ?? mod['properties'];
  if (exported === undefined) return 'it exports no properties (export default [always({...}), ...])';
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) return 'it exports an empty list of properties';
  return checkProperties(list, origin);
}

/** `def` with its origin: what it throws is blamed on that (properties/guard.ts guards it when it is made). */
function withOrigin(def: PropertyDef, origin: string): PropertyDef {
  return { name: def.name, kind: def.kind, title: def.title, explain: def.explain, origin, make: (ctx: Ctx) => def.make(ctx) };
}
