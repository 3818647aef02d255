// inflight scenarios: the built-in litmus tests; --matrix: every one on every design.
import { DEFAULT_BOUNDS } from '../../model/bounds.js';
import { builtinDesigns } from '../../model/designs/index.js';
import type { Design } from '../../model/design.js';
import { resolveScenario, scenarioBounds, type Scenario } from '../../model/scenario.js';
import type { PropertyDef } from '../../properties/property.js';
import { builtinScenarios } from '../../scenarios/index.js';
import type { Command } from '../command.js';
import { designsOfFlag, EXIT, opt } from '../common.js';
import { UserError } from '../errors.js';
import type { Io, Values } from '../kit.js';
import { propertiesOfFlag, withProperties } from '../properties.js';
import { runCheckAsync, surprises } from '../run.js';
import { abbreviations, fitTable, legend, tableWidth, widthOf } from '../table.js';
import { LAYOUT } from './matrix.js';

export const scenarios: Command = {
  name: 'scenarios',
  summary: 'list the built-in scenarios (litmus tests: historic bugs, kernel selftests); --matrix: run them',
  usage: ['inflight scenarios [--json]', 'inflight scenarios --matrix [--markdown] [--designs a,./mine.ts,...] [--properties FILE.ts] [--transpose] [--width N]'],
  description: [
    'With --matrix: every built-in scenario on every built-in design (or those --designs names, your',
    'modules too); a cell names the properties it violates (— none), ! a verdict the scenario does not',
    'expect of that design (exit 1), (impossible) programs that cannot run to their end.',
  ],
  options: {
    json: opt.json('the scenarios as JSON (name, summary, variants, tasks, expectations)'),
    matrix: { type: 'boolean', help: 'run every scenario on every design and print the table' },
    markdown: { type: 'boolean', help: 'the table as Markdown (implies --matrix)' },
    designs: { type: 'string', arg: 'a,b,...', help: 'with --matrix: the designs (default every built-in one; ./mine.ts too)' },
    properties: opt.properties('with --matrix: properties of your own, checked too'),
    transpose: { ...LAYOUT.transpose, help: 'with --matrix: designs as rows, scenarios as columns' },
    width: LAYOUT.width,
  },
  examples: [
    'inflight scenarios',
    'inflight scenarios --matrix',
    'inflight scenarios --matrix --designs linux-5.1,./mine.ts --width 100',
  ],
  run: ({ values }, io) => runScenarios(values, io),
};

async function runScenarios(values: Values, io: Io): Promise<number> {
  const list = builtinScenarios().map((b) => {
    const sc = resolveScenario(b.spec);
    if (typeof sc === 'string') throw new Error(`built-in scenario ${b.name}: ${sc}`);
    return sc;
  });
  if (values['matrix'] === true || values['markdown'] === true) {
    const width = widthOf(values['width'], io.columns);
    // --designs a,./mine.ts: the columns (default every built-in design); a module runs in the sandbox.
    return scenarioMatrix(list, io, { markdown: values['markdown'] === true, transpose: values['transpose'] === true, ...(width !== undefined ? { width } : {}) },
      await propertiesOfFlag(values['properties']), await designsOfFlag(values['designs']));
  }
  for (const flag of ['properties', 'designs', 'transpose', 'width']) {
    if (values[flag] !== undefined) throw new UserError('E_USAGE', `--${flag} goes with scenarios --matrix`);
  }
  if (values['json'] === true) {
    io.out(JSON.stringify(list.map((s) => ({ name: s.name, summary: s.summary, ...(s.source ? { source: s.source } : {}),
      variants: s.variants, tasks: s.programs.length, expect: s.expect })), null, 2));
  } else {
    const w = Math.max(...list.map((s) => s.name.length));
    io.out(list.map((s) => `${s.name.padEnd(w)}  ${s.summary}${s.variants.length ? ` [variants: ${s.variants.join(', ')}]` : ''}`).join('\n'));
  }
  return EXIT.ok;
}

/** One cell of `scenarios --matrix`: the violated properties, `(impossible)`, `!`. */
interface Cell { readonly bad: readonly string[]; readonly impossible: boolean; readonly surprising: boolean }

/** `scenarios --matrix`: every built-in scenario (its default variant) on every built-in design; a cell
 *  names the violated properties (— when none), `!` marks a verdict the scenario does not expect of that
 *  design, and `(impossible)` a scenario that violates nothing and whose programs cannot run to their end. */
async function scenarioMatrix(list: readonly Scenario[], io: Io, o: { markdown: boolean; transpose: boolean; width?: number }, extra: readonly PropertyDef[] = [], given: readonly Design[] = builtinDesigns): Promise<number> {
  const cells: Cell[][] = [];
  let odd = false;
  for (const sc of list) {
    const row: Cell[] = [];
    for (const d of given.map((b) => withProperties(b, extra))) {
      const r = await runCheckAsync(d, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc, ...(io.interrupted ? { shouldStop: io.interrupted } : {}) });
      if (r.stop === 'interrupted') return EXIT.interrupted;
      const bad = r.properties.filter((p) => p.status === 'violated').map((p) => p.name);
      const completes = r.witnesses.find((w) => w.name === 'scenario-completes')?.status === 'found';
      const surprising = surprises(r).length > 0;
      odd ||= surprising;
      // A violation ends its path (it is not explored further), so only a scenario that violates nothing
      // and never completes is impossible under the design.
      row.push({ bad, impossible: !completes && bad.length === 0, surprising });
    }
    cells.push(row);
  }
  const names = list.map((sc) => (sc.variant ? `${sc.name} (${sc.variant})` : sc.name));
  const text = (c: Cell, short: (p: string) => string = (p) => p): string =>
    `${c.bad.length ? c.bad.map(short).join(', ') : '—'}${c.impossible ? ' (impossible)' : ''}${c.surprising ? ' !' : ''}`;
  const build = (short?: (p: string) => string): string[][] => o.transpose
    ? [['design', ...names], ...given.map((d, j) => [d.name, ...cells.map((row) => text(row[j]!, short))])]
    : [['scenario', ...given.map((d) => d.name)], ...cells.map((row, i) => [names[i]!, ...row.map((c) => text(c, short))])];
  let table = build();
  if (o.markdown) {
    const line = (cs: string[]) => `| ${cs.join(' | ')} |`;
    const first = (c: string, i: number): string => (i === 0 ? `\`${c}\`` : c);
    io.out([line(table[0]!), line(table[0]!.map(() => '---')), ...table.slice(1).map((r) => line(r.map(first)))].join('\n'));
    return odd ? EXIT.violated : EXIT.ok;
  }
  const out: string[] = [];
  let abbr: Map<string, string> | undefined;
  if (o.width !== undefined && tableWidth(table) > o.width) {
    abbr = abbreviations([...new Set(cells.flat().flatMap((c) => c.bad))]);
    table = build((p) => abbr!.get(p)!);
  }
  out.push(...fitTable(table, o.width));
  if (abbr && abbr.size > 0) out.push('', ...legend(abbr, o.width));
  io.out(out.join('\n'));
  return odd ? EXIT.violated : EXIT.ok;
}
