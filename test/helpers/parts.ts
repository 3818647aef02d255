// The part files of a partitioned check, as `inflight check --partition I/N --json` writes them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli.js';

/** Runs the N parts of `args`, writes their part files into `dir`; returns the file names. */
export async function partFiles(dir: string, args: readonly string[], n: number, tag: string): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await cli(['check', ...args, '--partition', `${i}/${n}`, '--json']);
    if (r.code === 2) throw new Error(r.err);
    const f = join(dir, `${tag}-${n}-${i}.json`);
    writeFileSync(f, r.out);
    files.push(f);
  }
  return files;
}
