// The built-in scenarios: every .json file in this folder (one litmus test each), listed by
// `inflight scenarios`. See README.md here for the format.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveScenario, type Scenario } from '../model/scenario.js';

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
  return b ? resolveScenario(b.spec, variant) : undefined;
}
