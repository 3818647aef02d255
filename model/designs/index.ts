// The built-in designs, in the order `inflight designs` lists them.
import { resolveDesign, type Design, type DesignSpec } from '../design.js';
import seed2019 from './seed-2019.js';
import viro2019 from './viro-2019.js';
import flushTeardown from './flush-teardown.js';
import linux618 from './linux-6.18.js';

const SPECS: readonly DesignSpec[] = [seed2019, viro2019, flushTeardown, linux618];

const registry = new Map<string, Design>();
for (const spec of SPECS) {
  const d = resolveDesign(spec, (n) => registry.get(n));
  if (typeof d === 'string') throw new Error(`built-in design: ${d}`);
  registry.set(d.name, d);
}

export const builtinDesigns: readonly Design[] = [...registry.values()];
export const builtinDesign = (name: string): Design | undefined => registry.get(name);
