// Text tables that fit a terminal (matrix, scenarios --matrix): columns padded and joined by two spaces;
// when a table is wider than the width asked for, its long names are abbreviated (a legend says what
// they stand for) and, if it is still too wide, its columns are folded into blocks one under the other,
// each repeating the first column. A few dozen lines: a table library would not remove more code.
import { UserError } from './errors.js';

/** paint(cell padded to its width, row (0 = the header), column): colour for a cell; escapes do not count in the widths. */
export type Paint = (padded: string, row: number, col: number) => string;

const GAP = '  ';

/** The table's lines: header, rule, rows. `cols`: which columns (default all), the first always included. */
function lines(table: readonly (readonly string[])[], cols: readonly number[], paint?: Paint): string[] {
  const widths = cols.map((c) => Math.max(...table.map((r) => r[c]!.length)));
  const line = (r: readonly string[], ri: number): string =>
    cols.map((c, k) => { const p = r[c]!.padEnd(widths[k]!); return paint && ri > 0 ? paint(p, ri, c) : p; }).join(GAP).trimEnd();
  return [line(table[0]!, 0), widths.map((w) => '-'.repeat(w)).join(GAP), ...table.slice(1).map((r, i) => line(r, i + 1))];
}

/** The widest line of the table laid out whole. */
export function tableWidth(table: readonly (readonly string[])[]): number {
  const n = table[0]!.length;
  let w = 0;
  for (let c = 0; c < n; c++) w += Math.max(...table.map((r) => r[c]!.length)) + (c > 0 ? GAP.length : 0);
  return w;
}

/** The table as lines no wider than `width` where it can be: blocks of columns, each with column 0 first,
 *  separated by an empty line. A single column wider than the width is left as it is. */
export function fitTable(table: readonly (readonly string[])[], width: number | undefined, paint?: Paint): string[] {
  const n = table[0]!.length;
  const all = [...Array(n).keys()];
  if (width === undefined || tableWidth(table) <= width) return lines(table, all, paint);
  const colWidth = (c: number): number => Math.max(...table.map((r) => r[c]!.length));
  const out: string[] = [];
  let block: number[] = [0];
  let used = colWidth(0);
  for (let c = 1; c < n; c++) {
    const w = GAP.length + colWidth(c);
    if (block.length > 1 && used + w > width) {
      out.push(...lines(table, block, paint), '');
      block = [0];
      used = colWidth(0);
    }
    block.push(c);
    used += w;
  }
  out.push(...lines(table, block, paint));
  return out;
}

/** Short names for long ones: the initials of their dash-separated words (no-use-after-free → nuaf), made
 *  unique by a number (the second nl is nl2). */
export function abbreviations(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    if (out.has(name)) continue;
    const base = name.split(/[-_.\s]+/).filter(Boolean).map((w) => w[0]!.toLowerCase()).join('') || name.slice(0, 2);
    let short = base;
    for (let k = 2; taken.has(short) || (names.includes(short) && short !== name); k++) short = `${base}${k}`;
    taken.add(short);
    out.set(name, short);
  }
  return out;
}

/** The legend of the abbreviations, wrapped to the width between its entries (`nuaf = no-use-after-free`). */
export function legend(abbr: ReadonlyMap<string, string>, width: number | undefined): string[] {
  const items = [...abbr].map(([name, short], i, all) => `${short} = ${name}${i < all.length - 1 ? ',' : ''}`);
  const out: string[] = [];
  let cur = 'legend:';
  for (const item of items) {
    if (width !== undefined && cur.length + 1 + item.length > width && cur !== 'legend:') { out.push(cur); cur = `  ${item}`; } else cur = `${cur} ${item}`;
  }
  out.push(cur);
  return out;
}

/** Text wrapped at spaces to the width (undefined: one line). */
export function wrapWords(text: string, width: number | undefined): string[] {
  if (width === undefined || text.length <= width) return [text];
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) { out.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

/** --width N (matrix, scenarios --matrix): the width to fit; 0 = no limit; absent: the terminal's (io.columns). */
export function widthOf(flag: unknown, columns: number | undefined): number | undefined {
  if (flag === undefined) return columns !== undefined && columns > 0 ? columns : undefined;
  if (typeof flag !== 'string' || !/^\d+$/.test(flag)) throw new UserError('E_USAGE', `--width expects a whole number of columns, got '${String(flag).slice(0, 40)}'`);
  const n = Number(flag);
  if (n > 0 && n < 20) throw new UserError('E_USAGE', '--width must be at least 20 (0: no limit)');
  return n === 0 ? undefined : n;
}
