// inflight repro TRACE.json [--minimal] [--design NAME|FILE.ts] [--properties FILE.ts] [--out FILE]: the trace as a standalone C
// reproducer (see traces/repro.ts; --minimal: a flat program of raw syscalls for a one-task trace, traces/repro-minimal.ts).
// The trace is read and checked exactly as `replay` and `render` read it (the
// design can make every step within the trace's bounds), with the same error codes.
import { ReproUnsupported, reproProgram, type ReproPlan } from '../traces/repro.js';
import { reproMinimalC } from '../traces/repro-minimal.js';
import { oneLine, UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { Io } from './kit.js';
import { loadTrace, writeText } from './pictures.js';

export async function cmdRepro({ values, positionals }: Parsed, io: Io): Promise<number> {
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'repro needs a trace file: inflight repro trace.json > repro.c');
  // Read as replay reads it: the trace's property held to the design's and --properties' properties; a step
  // that only this design rules out (replay's answer, exit 1) has no reproducer: E_REPRO_UNSUPPORTED.
  const { trace, design } = await loadTrace(file, typeof values['design'] === 'string' ? values['design'] : undefined,
    { properties: values['properties'], checkProperty: true, cannotMake: 'E_REPRO_UNSUPPORTED' });
  let c: string;
  // The minimal form has no plan of its own to show: it makes one raw syscall per step and compares only
  // the results (no observers, no files' fates).
  const minimal = values['minimal'] === true;
  let plan: ReproPlan | undefined;
  try {
    if (minimal) c = reproMinimalC(trace, { design });
    else ({ c, plan } = reproProgram(trace, { design }));
  } catch (e) {
    // A step with no honest C reproduction is refused with its reason; anything else is a trace problem.
    if (e instanceof ReproUnsupported) throw new UserError('E_REPRO_UNSUPPORTED', `${file}: ${oneLine(e.message)}`);
    throw new UserError('E_TRACE_INVALID', `${file}: ${oneLine((e as Error).message)}`);
  }
  const out = values['out'];
  if (values['json'] === true) {
    // The program (where it was written, or its text), what each step makes and where its result is compared.
    if (typeof out === 'string') writeText(out, c);
    io.out(JSON.stringify({ trace: file, design: design.name, traceDesign: trace.design, property: trace.property,
      form: minimal ? 'minimal' : 'full', ...(typeof out === 'string' ? { out } : { program: c }),
      ...(plan ? { steps: plan.steps, files: plan.files } : {}),
      checks: plan
        ? [`each step's result (return value, errno, fds) against design ${design.name}'s, at the step where the call returns`,
          "which of the trace's files the kernel released by the end, against the model's fate"]
        : [`each step's result (return value, errno, fds) against design ${design.name}'s, right after its syscall (a call in sub-steps: with the result where the trace's call returns)`] }, null, 2));
    return 0;
  }
  if (typeof out === 'string') {
    writeText(out, c);
    io.err(`reproducer written to ${out}: build it with gcc -O2 -o repro ${out}`);
  } else {
    io.out(c.replace(/\n$/, ''));
  }
  return 0;
}
