// The shape of a command (cli/commands/<name>.ts): its name, summary, usage, options and examples, and
// what it runs. The dispatcher (cli/main.ts) parses argv with the command's own options, so that the
// parser and the help are made from one table and cannot drift (test/cli-help.test.ts holds them
// together: every option parsed is in the help, every example parses).
import { parseArgs } from 'node:util';
import { oneLine, UserError } from './errors.js';
import type { Io, Values } from './kit.js';

export interface OptionDef {
  readonly type: 'string' | 'boolean';
  /** The value's name in the help (`N`, `FILE`); a string option without one shows `VALUE`. */
  readonly arg?: string;
  /** What it does, for the help: one or a few short lines ('\n' between them). */
  readonly help: string;
  /** The heading it is listed under (default `options`): `bounds`, `limits` … */
  readonly group?: string;
}
export type Options = Readonly<Record<string, OptionDef>>;

export interface Parsed {
  readonly values: Values;
  readonly positionals: readonly string[];
}

export interface Command {
  readonly name: string;
  /** One line for `inflight --help`. */
  readonly summary: string;
  /** The synopsis lines after `usage: ` (the first names the command). */
  readonly usage: readonly string[];
  /** A few lines saying more than the summary (optional). */
  readonly description?: readonly string[];
  readonly options: Options;
  /** At most this many positional arguments (default 0). */
  readonly positionals?: number;
  /** Whole command lines, each starting `inflight <name>`. */
  readonly examples: readonly string[];
  run(p: Parsed, io: Io): Promise<number>;
}

/** parseArgs, strict, with its errors as one E_USAGE line; at most `positionals` positionals. */
export function parseOptions(args: readonly string[], options: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>, positionals: number): { values: Values; positionals: string[] } {
  // Only what parseArgs knows of an option (the help's fields stay here).
  const spec = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError('E_USAGE', oneLine((e as Error).message).replace(/\. To specify a positional.*$/, ''));
  }
  if (parsed.positionals.length > positionals) throw new UserError('E_USAGE', `unexpected argument '${parsed.positionals[positionals]}'`);
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

export const parseFor = (c: Command, args: readonly string[]): Parsed => parseOptions(args, c.options, c.positionals ?? 0);

/** `--name ARG` as the help shows it. */
export const optionSynopsis = (name: string, o: OptionDef): string => `--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;

/** `inflight <command> --help`: usage, what it does, its options by group (with descriptions), examples. */
export function commandHelp(c: Command): string {
  const out: string[] = [`usage: ${c.usage[0]}`, ...c.usage.slice(1).map((u) => `       ${u}`), '', c.summary];
  if (c.description?.length) out.push(...c.description);
  const groups = new Map<string, [string, OptionDef][]>();
  for (const [name, o] of Object.entries(c.options)) {
    const g = o.group ?? 'options';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push([name, o]);
  }
  const width = Math.min(28, Math.max(...Object.entries(c.options).map(([n, o]) => optionSynopsis(n, o).length)));
  for (const [g, list] of groups) {
    out.push('', `${g}:`);
    for (const [name, o] of list) {
      const syn = optionSynopsis(name, o);
      const lines = o.help.split('\n');
      if (syn.length > width) out.push(`  ${syn}`, ...lines.map((l) => `  ${' '.repeat(width)}  ${l}`));
      else out.push(`  ${syn.padEnd(width)}  ${lines[0]}`, ...lines.slice(1).map((l) => `  ${' '.repeat(width)}  ${l}`));
    }
  }
  out.push('', 'examples:', ...c.examples.map((e) => `  ${e}`));
  return out.join('\n');
}

/** The option names a command's help lists (read back from its text, for the drift test). */
export function optionsInHelp(help: string): string[] {
  const out: string[] = [];
  let inOptions = false;
  for (const line of help.split('\n')) {
    if (/^[a-z][a-z ]*:$/.test(line)) inOptions = line !== 'examples:';
    else if (inOptions) { const m = /^ {2}--([a-z][a-z0-9-]*)/.exec(line); if (m) out.push(m[1]!); }
  }
  return out;
}
