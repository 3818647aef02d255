// inflight repro TRACE.json [--out FILE]: the trace as a standalone C reproducer (see traces/repro.ts).
import { readFileSync } from 'node:fs';
import { builtinDesign } from '../model/designs/index.js';
import { parseTrace } from '../traces/format.js';
import { modelReleased, reproC } from '../traces/repro.js';
import { oneLine, UserError } from './errors.js';
import type { CliKit, Io } from './kit.js';
import { writeText } from './pictures.js';

export function cmdRepro(args: string[], io: Io, kit: CliKit): number {
  const { values, positionals } = kit.parse(args, { out: { type: 'string' } }, 1);
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'repro needs a trace file: inflight repro trace.json > repro.c');
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UserError('E_TRACE_READ', `cannot read ${file}: ${oneLine((e as Error).message)}`);
  }
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new UserError('E_TRACE_INVALID', `${file}: ${parsed.error}`);
  const trace = parsed.value;
  // The model's fate of each file is printed next to the kernel's when the trace's design is built in.
  const design = builtinDesign(trace.design);
  const fates = design ? modelReleased(trace, design) : undefined;
  let c: string;
  try { c = reproC(trace, fates ? { modelReleased: fates } : {}); } catch (e) {
    throw new UserError('E_TRACE_INVALID', `${file}: ${oneLine((e as Error).message)}`);
  }
  const out = values['out'];
  if (typeof out === 'string') {
    writeText(out, c);
    io.err(`reproducer written to ${out}: build it with gcc -O2 -o repro ${out}`);
  } else {
    io.out(c.replace(/\n$/, ''));
  }
  return 0;
}
