// The built-in designs, in the order `inflight designs` lists them.
import { parseSwitchedName, resolveDesign, withSwitches, type Design, type DesignSpec } from '../design.js';
import seed2019 from './seed-2019.js';
import viro2019 from './viro-2019.js';
import flushTeardown from './flush-teardown.js';
import linux51 from './linux-5.1.js';
import linux514 from './linux-5.14.js';
import linux61 from './linux-6.1.js';
import linux67 from './linux-6.7.js';
import linux610 from './linux-6.10.js';
import linux618 from './linux-6.18.js';
import linux61854 from './linux-6.18.54.js';
import linux72 from './linux-7.2.js';

const SPECS: readonly DesignSpec[] = [seed2019, viro2019, flushTeardown, linux51, linux514, linux61, linux67, linux610, linux618, linux61854, linux72];

const registry = new Map<string, Design>();
// A built-in design is a small diff on the one it derives from: its switches and its expected verdicts
// (those it does not state are its base's).
for (const spec of SPECS) {
  const d = resolveDesign(spec, (n) => registry.get(n), { trusted: true });
  if (typeof d === 'string') throw new Error(`built-in design: ${d}`);
  const base = spec.base === undefined ? undefined : registry.get(spec.base);
  registry.set(d.name, base ? { ...d, expected: { ...base.expected, ...d.expected } } : d);
}

export const builtinDesigns: readonly Design[] = [...registry.values()];
/** A built-in design by name; `name[switch=value,…]` is the built-in with those switches turned. */
export function builtinDesign(name: string): Design | undefined {
  const d = registry.get(name);
  if (d) return d;
  const sw = parseSwitchedName(name);
  const base = sw && registry.get(sw.base);
  if (!sw || !base) return undefined;
  const derived = withSwitches(base, sw.overrides);
  return typeof derived === 'string' ? undefined : derived;
}
