// The built-in scenarios: every .json file in this folder (one litmus test each), listed by
// `inflight scenarios`. See README.md here for the format.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveScenario, type Scenario } from '../model/scenario.js';
import { PROPERTIES, propertyByName, SCENARIO_PROPERTIES } from '../properties/index.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));

export interface BuiltinScenario {
  readonly name: string;
  readonly file: string;
  /** The parsed file (variants unresolved). */
  readonly spec: unknown;
}

let cache: BuiltinScenario[] | undefined;

export function builtinScenarios(): readonly BuiltinScenario[] {
  if (cache) return cache;
  cache = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const file = DIR + f;
    const spec: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const name = (spec as { name?: unknown }).name;
    if (typeof name !== 'string' || `${name}.json` !== f) throw new Error(`built-in scenario ${f}: its name must be its file name`);
    return { name, file, spec };
  });
  return cache;
}

/** A built-in scenario by name (and variant), or a one-line reason. */
export function builtinScenario(name: string, variant?: string): Scenario | string | undefined {
  const b = builtinScenarios().find((s) => s.name === name);
  if (!b) return undefined;
  const sc = resolveScenario(b.spec, variant);
  return typeof sc === 'string' ? sc : expectProblem(sc) ?? sc;
}

/** An `expect` entry naming a property that does not exist would never be compared with anything: a
 *  typo that silently turns a check off. The reason, or undefined. */
export function expectProblem(sc: Scenario): string | undefined {
  for (const [design, props] of Object.entries(sc.expect)) {
    for (const p of Object.keys(props)) {
      if (propertyByName(p) === undefined) {
        return `expect.${design} names an unknown property '${p}' (known: ${[...PROPERTIES, ...SCENARIO_PROPERTIES].map((x) => x.name).join(', ')})`;
      }
    }
  }
  return undefined;
}
