// What the helpers of commands (render, report, check's --dot and --html …) are lent by cli/common.ts, so
// that option parsing and bounds mean the same everywhere.
import type { Progress } from '../checker/model.js';
import type { Bounds } from '../model/bounds.js';
import type { RunOptions } from './run.js';

export type Values = Record<string, string | boolean | undefined>;
export type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Is stderr a terminal (progress lines are drawn only then)? */
  readonly tty?: boolean;
  /** Colour verdicts in text output (stdout a terminal, NO_COLOR unset: cli/colour.ts). */
  readonly colour?: boolean;
  /** The terminal's width when stdout is one: tables wider than this are narrowed (cli/table.ts). */
  readonly columns?: number;
  /** Polled during a run; true = stop as interrupted. */
  readonly interrupted?: () => boolean;
}

export interface CliKit {
  /** The bound options, as `check` and `matrix` take them. */
  readonly boundOptions: OptionSpec;
  boundsFrom(v: Values): Bounds;
  limitsFrom(v: Values): Pick<RunOptions, 'maxStates' | 'maxSeconds' | 'maxMemoryBytes' | 'exact'> & { symmetry: boolean };
  progressLine(io: Io, enabled: boolean, label: string): { onProgress?: (p: Progress) => void };
  clearLine(io: Io, enabled: boolean): void;
}
