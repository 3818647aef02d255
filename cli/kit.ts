// What cli/main.ts lends to the commands that live in their own modules (render, report, check's
// --dot and --html), so that option parsing and bounds mean the same everywhere without an import cycle.
import type { Progress } from '../checker/model.js';
import type { Bounds } from '../model/bounds.js';
import type { RunOptions } from './run.js';

export type Values = Record<string, string | boolean | undefined>;
export type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  readonly tty?: boolean;
  readonly colour?: boolean;
  readonly interrupted?: () => boolean;
}

export interface CliKit {
  /** parseArgs, strict, with user errors as E_USAGE; at most `positionals` positionals. */
  parse(args: string[], options: OptionSpec, positionals: number): { values: Values; positionals: string[] };
  /** The bound options, as `check` and `matrix` take them. */
  readonly boundOptions: OptionSpec;
  boundsFrom(v: Values): Bounds;
  limitsFrom(v: Values): Pick<RunOptions, 'maxStates' | 'maxSeconds' | 'maxMemoryBytes' | 'exact'> & { symmetry: boolean };
  progressLine(io: Io, enabled: boolean, label: string): { onProgress?: (p: Progress) => void };
  clearLine(io: Io, enabled: boolean): void;
}
