// inflight repro TRACE.json [--out FILE]: the trace as a standalone C reproducer (see traces/repro.ts).
import { builtinDesign } from '../model/designs/index.js';
import { modelReleased, ReproUnsupported, reproC } from '../traces/repro.js';
import { oneLine, UserError } from './errors.js';
import type { CliKit, Io } from './kit.js';
import { writeText } from './pictures.js';
import { readTraceFile } from './trace-file.js';

export function cmdRepro(args: string[], io: Io, kit: CliKit): number {
  const { values, positionals } = kit.parse(args, { out: { type: 'string' } }, 1);
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'repro needs a trace file: inflight repro trace.json > repro.c');
  const trace = readTraceFile(file);
  // The model's fate of each file is printed next to the kernel's when the trace's design is built in.
  const design = builtinDesign(trace.design);
  const fates = design ? modelReleased(trace, design) : undefined;
  let c: string;
  try { c = reproC(trace, { ...(fates ? { modelReleased: fates } : {}), ...(design ? { design } : {}) }); } catch (e) {
    // A step with no honest C reproduction is refused with its reason; anything else is a trace problem.
    if (e instanceof ReproUnsupported) throw new UserError('E_REPRO_UNSUPPORTED', `${file}: ${oneLine(e.message)}`);
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
