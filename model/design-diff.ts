// What one design changes against another (`inflight designs --diff A B`): the switches whose values
// differ, the kernel functions whose overrides differ (who overrides each, in either design: the switch
// patches and the overrides of the design chains, in the order makeKernel applies them), and the expected
// verdicts that differ.
import { SWITCH_NAMES, type Design, type OverrideLayer } from './design.js';
import { switchPatches } from './designs/switch-patches.js';
import { FUNCTION_NAMES } from './function-names.js';

export interface DesignDiff {
  readonly from: string;
  readonly to: string;
  readonly switches: readonly { readonly name: string; readonly from: unknown; readonly to: unknown }[];
  /** Per kernel function, who overrides it in `from` and in `to` (each `design` or `design (switch=value)`,
   *  applied in that order; [] = the model's own). */
  readonly functions: readonly { readonly name: string; readonly from: readonly string[]; readonly to: readonly string[] }[];
  readonly expected: readonly { readonly property: string; readonly from: string | undefined; readonly to: string | undefined }[];
}

/** Every layer makeKernel applies for d, in order. */
export function effectiveLayers(d: Design): readonly OverrideLayer[] {
  return [...switchPatches(d.switches).layers, ...d.layers];
}

const label = (l: OverrideLayer): string => (l.via ? `${l.design} (${l.via})` : l.design);

/** Who overrides kernel function `name` in d, in the order applied. */
export function overridesOf(d: Design, name: string): string[] {
  return effectiveLayers(d).filter((l) => name in l.overrides).map(label);
}

export function diffDesigns(a: Design, b: Design): DesignDiff {
  const switches = SWITCH_NAMES.filter((n) => a.switches[n] !== b.switches[n]).map((n) => ({ name: n, from: a.switches[n], to: b.switches[n] }));
  const functions = [];
  for (const name of FUNCTION_NAMES) {
    const from = overridesOf(a, name);
    const to = overridesOf(b, name);
    if (from.join('\n') !== to.join('\n')) functions.push({ name, from, to });
  }
  const props = [...new Set([...Object.keys(a.expected), ...Object.keys(b.expected)])].sort();
  const expected = props.filter((p) => a.expected[p] !== b.expected[p]).map((p) => ({ property: p, from: a.expected[p], to: b.expected[p] }));
  return { from: a.name, to: b.name, switches, functions, expected };
}

/** The diff as text, for the CLI. */
export function formatDiff(d: DesignDiff): string {
  const chain = (xs: readonly string[]): string => (xs.length === 0 ? 'the model' : xs.join(' + '));
  const out = [`${d.to} against ${d.from}:`];
  if (d.switches.length + d.functions.length + d.expected.length === 0) return `${out[0]} no difference`;
  if (d.switches.length > 0) {
    out.push('  switches:');
    for (const s of d.switches) out.push(`    ${s.name}: ${String(s.from)} -> ${String(s.to)}`);
  }
  if (d.functions.length > 0) {
    out.push('  kernel functions (who overrides each):');
    const w = Math.max(...d.functions.map((f) => f.name.length));
    for (const f of d.functions) out.push(`    ${f.name.padEnd(w)}  ${chain(f.from)} -> ${chain(f.to)}`);
  }
  if (d.expected.length > 0) {
    out.push('  expected verdicts:');
    for (const e of d.expected) out.push(`    ${e.property}: ${e.from ?? '-'} -> ${e.to ?? '-'}`);
  }
  return out.join('\n');
}
