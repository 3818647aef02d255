// inflight matrix: several designs, every property: the verdict table (text that fits the terminal,
// transposed, Markdown or JSON).
import { checkBounds, DEFAULT_BOUNDS, type Bounds } from '../../model/bounds.js';
import { builtinDesigns } from '../../model/designs/index.js';
import { scenarioBounds } from '../../model/scenario.js';
import { PROPERTIES, SCENARIO_PROPERTIES } from '../../properties/index.js';
import { paintVerdict } from '../colour.js';
import type { Command } from '../command.js';
import { anyBounded, BOUND_OPTIONS, boundsFrom, clearLine, designsOfFlag, EXIT, givenBounds, limitsFrom, opt, progressLine, scenarioFrom } from '../common.js';
import { UserError } from '../errors.js';
import type { Io, Values } from '../kit.js';
import { propertiesOfFlag, withProperties } from '../properties.js';
import { fmtInt, formatBounds, matrixCellText } from '../render.js';
import { matrixJson } from '../json-results.js';
import { runCheckAsync, surprises, type Report } from '../run.js';
import { abbreviations, fitTable, legend, tableWidth, widthOf, wrapWords } from '../table.js';

/** --transpose and --width, as matrix and scenarios --matrix take them. */
export const LAYOUT = {
  transpose: { type: 'boolean', help: 'properties as rows, designs as columns', group: 'layout' },
  width: { type: 'string', arg: 'N', help: "fit the table into N columns: abbreviated names with a legend, then the columns\nfolded into blocks (default: the terminal's width; not a terminal: no limit; 0: no limit)", group: 'layout' },
} as const;

export const matrix: Command = {
  name: 'matrix',
  summary: 'check several designs (default: all built-in) and print the verdict table',
  usage: ['inflight matrix [--designs a,b,...] [--scenario NAME|FILE [--variant V]] [bounds] [--json | --markdown] [options]'],
  description: [
    'Exit 0 when every verdict is the one its design expects (a trailing ! marks one that is not: exit 1).',
  ],
  options: {
    designs: { type: 'string', arg: 'a,b,...', help: 'the designs, built-in names or your modules (default: every built-in design)' },
    scenario: opt.scenario(),
    variant: opt.variant(),
    json: opt.json('the verdicts of every design as JSON'),
    markdown: { type: 'boolean', help: 'the table as Markdown (the README\'s table is this)' },
    properties: opt.properties(),
    strict: opt.strict(),
    ...LAYOUT,
    ...BOUND_OPTIONS,
  },
  examples: [
    'inflight matrix',
    'inflight matrix --designs seed-2019,viro-2019 --tasks 2 --depth 8',
    'inflight matrix --transpose --width 100',
    'inflight matrix --scenario cve-2022-2602 --markdown',
  ],
  run: ({ values }, io) => runMatrix(values, io),
};

async function runMatrix(values: Values, io: Io): Promise<number> {
  const scenario = await scenarioFrom(values);
  const bounds = scenario ? scenarioBounds(scenario, DEFAULT_BOUNDS, givenBounds(values)) : boundsFrom(values);
  if (scenario) { const bad = checkBounds(bounds); if (bad) throw new UserError('E_BOUNDS', bad); }
  const limits = limitsFrom(values);
  const width = widthOf(values['width'], io.columns);
  const extra = await propertiesOfFlag(values['properties']);
  const designs = ((await designsOfFlag(values['designs'])) ?? builtinDesigns).map((d) => withProperties(d, extra));
  const json = values['json'] === true;
  const live = io.tty === true && !json;
  const reports: Report[] = [];
  for (const d of designs) {
    reports.push(await runCheckAsync(d, bounds, { ...limits, ...progressLine(io, live, d.name), ...(io.interrupted ? { shouldStop: io.interrupted } : {}),
      ...(scenario ? { scenario } : {}) }));
    clearLine(io, live);
    if (io.interrupted?.()) break;
  }
  if (json) {
    io.out(JSON.stringify(matrixJson(bounds, scenario, reports), null, 2));
  } else if (values['markdown'] === true) {
    io.out(renderMatrixMarkdown(reports, bounds, values['transpose'] === true));
  } else {
    io.out(renderMatrix(reports, bounds, { colour: io.colour === true, transpose: values['transpose'] === true, ...(width !== undefined ? { width } : {}) }));
  }
  // A matrix compares designs, some of which are meant to fail: its status says whether every verdict
  // is the one its design expects.
  return reports.some((r) => surprises(r).length > 0) ? EXIT.violated : reports.some((r) => r.stop === 'interrupted') ? EXIT.interrupted
    : values['strict'] === true && reports.some(anyBounded) ? EXIT.bounded : EXIT.ok;
}

const matrixCell = (r: Report, name: string): string => {
  const v = [...r.properties, ...r.witnesses].find((x) => x.name === name);
  if (!v) return '-';
  const text = matrixCellText(r, v);
  const surprising = surprises(r).some((x) => x.name === name);
  return surprising ? `${text}!` : text;
};

/** The columns: the built-in properties, then the designs' own (a design's, --properties), each once. */
const matrixProps = (reports: Report[]): string[] =>
  [...new Set([...PROPERTIES, ...(reports.some((r) => r.scenario) ? SCENARIO_PROPERTIES : []), ...reports.flatMap((r) => r.design.properties ?? [])].map((p) => p.name))];

/** The matrix as a Markdown table (the README's table of designs is this command's output). */
function renderMatrixMarkdown(reports: Report[], bounds: Bounds, transpose: boolean): string {
  const props = matrixProps(reports);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const table = transpose
    ? [row(['property', ...reports.map((r) => `\`${r.design.name}\``)]), row(['---', ...reports.map(() => '---')]),
      ...props.map((p) => row([`\`${p}\``, ...reports.map((r) => matrixCell(r, p))])), row(['states', ...reports.map((r) => fmtInt(r.stats.distinct))])]
    : [row(['design', ...props, 'states']), row(['---', ...props.map(() => '---'), '---:']),
      ...reports.map((r) => row([`\`${r.design.name}\``, ...props.map((p) => matrixCell(r, p)), fmtInt(r.stats.distinct)]))];
  return [`Bounds: ${formatBounds(bounds)}${reports[0]?.scenario ? `; scenario ${reports[0].scenario.name}` : ''}.`, '', ...table].join('\n');
}

const NOTES = ['VIOLATED/n and found/n: the shortest trace has n steps; a trailing ! marks a verdict the design does not expect;',
  'holds/≤N and not-found/≤N: a limit stopped the search first; nothing violated (no witness) within N steps, every state to that depth checked;',
  'n/a: the property cannot apply to the design; a trailing ? marks a holds whose witness was not found (possibly vacuous).'];

/** The matrix as text: designs as rows (transposed: as columns). Wider than `width`: the property names
 *  abbreviated with a legend, then the columns folded into blocks; the notes wrapped. */
export function renderMatrix(reports: Report[], bounds: Bounds, o: { colour?: boolean; transpose?: boolean; width?: number } = {}): string {
  const props = matrixProps(reports);
  const build = (name: (p: string) => string): string[][] => o.transpose
    ? [['property', ...reports.map((r) => r.design.name)], ...props.map((p) => [name(p), ...reports.map((r) => matrixCell(r, p))]),
      ['states', ...reports.map((r) => fmtInt(r.stats.distinct))], ['seconds', ...reports.map((r) => r.stats.seconds.toFixed(1))]]
    : [['design', ...props.map(name), 'states', 'seconds'],
      ...reports.map((r) => [r.design.name, ...props.map((p) => matrixCell(r, p)), fmtInt(r.stats.distinct), r.stats.seconds.toFixed(1)])];
  let table = build((p) => p);
  const narrow = o.width !== undefined && tableWidth(table) > o.width;
  const abbr = narrow ? abbreviations(props) : undefined;
  if (abbr) table = build((p) => abbr.get(p)!);
  // The verdict cells, coloured after padding (escapes do not count in the width).
  const verdict = (row: number, col: number): boolean => (o.transpose ? col > 0 && row <= props.length : col > 0 && col <= props.length);
  const paint = (padded: string, row: number, col: number): string => (verdict(row, col) ? paintVerdict(padded, o.colour === true) : padded);
  const out = [...wrapWords(`bounds: ${formatBounds(bounds)}`, o.width), '', ...fitTable(table, o.width, paint)];
  if (abbr) out.push('', ...legend(abbr, o.width));
  out.push('', ...(narrow ? NOTES.flatMap((n) => wrapWords(n, o.width)) : NOTES));
  return out.join('\n');
}
