// Memory limit parsing and checkpoint files for the CLI.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../checker/checkpoint.js';
import { oneLine, UserError } from './errors.js';

/** The default --max-memory: three quarters of the machine, so that a run stops cleanly as 'bounded'
 *  before the kernel's OOM killer ends it without a word. */
export const defaultMaxMemory = (): number => Math.floor(totalmem() * 0.75);

/** "512M", "4G", "1.5G", "1000000" (bytes) → bytes. */
export function parseSize(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(raw.trim());
  if (!m) throw new UserError('E_BOUNDS', `--${flag} expects a size such as 512M or 4G, got '${raw}'`);
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 64 * 2 ** 20) throw new UserError('E_BOUNDS', `--${flag} ${raw} is below 64M, too little to run at all`);
  return bytes;
}

/** What a checkpoint was made of; a resume with anything else would not end like the interrupted run. */
export interface CheckpointMeta {
  readonly design: string;
  readonly bounds: unknown;
  readonly symmetry: boolean;
  readonly exact: boolean;
  /** The scenario (name/variant) of a scenario run. */
  readonly scenario?: string;
  /** The names of the run's own properties (the design's and --properties'), when it has any. */
  readonly properties?: readonly string[];
}

/** Writes atomically (a partial file never replaces a good one). */
export function writeCheckpoint(file: string, s: Snapshot, meta: CheckpointMeta): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, encodeSnapshot(s, meta));
    renameSync(tmp, file);
  } catch (e) {
    throw new UserError('E_OUTPUT', `cannot write checkpoint ${file}: ${oneLine((e as Error).message)}`);
  }
}

export function readCheckpoint(file: string, expect: CheckpointMeta): Snapshot {
  let buf: Buffer;
  try { buf = readFileSync(file); } catch (e) {
    throw new UserError('E_CHECKPOINT', `cannot read checkpoint ${file}: ${oneLine((e as Error).message)}`);
  }
  const got = decodeSnapshot(buf);
  if (typeof got === 'string') throw new UserError('E_CHECKPOINT', `${file}: ${got}`);
  const meta = got.meta as Partial<CheckpointMeta> | null;
  const same = JSON.stringify(meta) === JSON.stringify(expect);
  if (!same) {
    const what = meta && typeof meta === 'object'
      ? `design ${String(meta.design)}, bounds ${JSON.stringify(meta.bounds)}, symmetry ${String(meta.symmetry)}, exact ${String(meta.exact)}`
      : 'unknown settings';
    throw new UserError('E_CHECKPOINT', `${file} was made with ${what}: resume with the same design and options`);
  }
  return got.snapshot;
}
