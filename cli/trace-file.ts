// Reading a trace file for a command: one place for the ways it can fail, so that every command that
// takes a trace (replay, render, repro, kernel) accepts exactly the same files.
import { readFileSync } from 'node:fs';
import { formatStep } from '../model/apply.js';
import { MAX_BOUNDS } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { propertyByName, PROPERTIES } from '../properties/index.js';
import { USER_PROPERTY_NAME } from '../properties/user.js';
import type { Design } from '../model/design.js';
import type { ProgramStep } from '../model/step.js';
import { traceStepToStep } from '../traces/build.js';
import { parseTrace, type TraceFile, type TraceStep } from '../traces/format.js';
import { makesSteps } from '../traces/replay.js';
import { actorName } from '../traces/text.js';
import { oneLine, UserError } from './errors.js';

export { MAX_TRACE_STEPS } from '../traces/format.js';

/** What a trace that violates no property names as its property: a design that threw during a check, a
 *  trace written by hand for the kernel oracle. */
export const TRACE_LABELS: readonly string[] = ['design-threw', 'kernel-oracle', 'hand-written'];

export function readTraceFile(file: string): TraceFile {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UserError('E_TRACE_READ', `cannot read ${file}: ${oneLine((e as Error).message)}`);
  }
  const parsed = parseTrace(text);
  // The JSON path of the field the format's schema refuses, then the reason: `steps[2].args.fd: step 3: …`.
  if (!parsed.ok) throw new UserError('E_TRACE_INVALID', `${file}: ${parsed.path !== undefined ? `${parsed.path}: ` : ''}${parsed.error}`);
  const bad = traceProblem(parsed.value);
  if (bad !== undefined) throw new UserError('E_TRACE_INVALID', `${file}: ${bad}`);
  return parsed.value;
}

/** What the format's schema (traces/format.ts) leaves to the trace as a whole: its property, and that
 *  every step is within the trace's own bounds (--ops, --msg-fds: SCM_RIGHTS and IORING_REGISTER_FILES). */
export function traceProblem(t: TraceFile): string | undefined {
  // A name a property of the user's own may have is let through here; replay, which decides verdicts, holds
  // it to the properties it is given (traceProperty).
  if (propertyByName(t.property) === undefined && !TRACE_LABELS.includes(t.property) && !USER_PROPERTY_NAME.test(t.property)) {
    return `"property" names an unknown property ${JSON.stringify(t.property.slice(0, 60))} (known: ${PROPERTIES.map((p) => p.name).join(', ')}, ${TRACE_LABELS.join(', ')}, or a property of your own: 1-64 of A-Z a-z 0-9 _ -)`;
  }
  // A trace written by hand (for the kernel oracle) was not explored by the checker: its --ops say
  // nothing, and its fd counts are held to the model's ceiling only.
  const byHand = t.property === 'kernel-oracle' || t.property === 'hand-written';
  for (let i = 0; i < t.steps.length; i++) {
    const bad = stepOutOfBounds(t.steps[i]!, t.bounds, byHand);
    if (bad !== undefined) return `step ${i + 1}: ${bad}`;
  }
  return t.programs ? offProgram(t, t.programs) : undefined;
}

/** A trace with programs (a scenario-completes witness) makes each task's calls in its program's order. */
function offProgram(t: TraceFile, programs: readonly (readonly ProgramStep[])[]): string | undefined {
  if (programs.length > t.bounds.tasks) return `"programs" has ${programs.length} programs, the trace's bounds ${t.bounds.tasks} tasks`;
  const pc = programs.map(() => 0);
  for (let i = 0; i < t.steps.length; i++) {
    const s = t.steps[i]!;
    if (s.task === 'kernel' || s.syscall === 'resume') continue;
    const line = programs[s.task]?.[pc[s.task]!];
    if (!line || line.syscall !== s.syscall || JSON.stringify(line.args) !== JSON.stringify(s.args)) {
      return `step ${i + 1}: ${actorName(s.task)} ${formatStep(traceStepToStep(s))} is not the next call of its program in "programs"`;
    }
    pc[s.task]!++;
  }
  return undefined;
}

function stepOutOfBounds(s: TraceStep, b: TraceFile['bounds'], byHand: boolean): string | undefined {
  // `resume` continues a call a task started: the checker takes it whatever --ops says.
  if (!byHand && s.syscall !== 'resume' && !b.ops.includes(s.syscall)) return `${s.syscall} is not among the trace's ops (${b.ops.join(', ')})`;
  const args = s.args as { rights?: readonly unknown[]; files?: readonly unknown[] };
  const n = s.syscall === 'sendmsg' ? args.rights?.length : s.syscall === 'io_uring_register' ? args.files?.length : undefined;
  const most = byHand ? Math.max(b.msgFds, MAX_BOUNDS.msgFds) : b.msgFds;
  if (n !== undefined && n > most) return `${s.syscall} passes ${n} fds, beyond the trace's msgFds ${most}${byHand ? ' (the model\'s ceiling)' : ''}`;
  return undefined;
}

/** A trace that names a property of the user's own is replayed only with that property: the design's own
 *  or a --properties module's. */
export function traceProperty(file: string, t: TraceFile, design: Design): void {
  if (propertyByName(t.property) !== undefined || TRACE_LABELS.includes(t.property)) return;
  if (design.properties?.some((p) => p.name === t.property)) return;
  throw new UserError('E_TRACE_INVALID', `${file}: the trace violates '${t.property}', which is not a built-in property nor one of design ${design.name}'s: give the module that defines it (--properties FILE)`);
}

/** What to say when `design` cannot make step `at` (1-based) of the trace. When the trace's own design
 *  cannot make it either, the trace is wrong (`invalid`); otherwise it is this design that rules the step
 *  out (a fix that blocks it): an answer about the design, not an input error. One place, so that replay
 *  and repro tell the two apart alike. */
export function cannotMakeStep(file: string, trace: TraceFile, design: Design, at: number): { invalid: boolean; message: string } {
  const st = trace.steps[at - 1]!;
  const what = `step ${at}: ${actorName(st.task)} ${formatStep(traceStepToStep(st))}`;
  const own = design.name === trace.design ? design : builtinDesign(trace.design);
  if (own !== undefined && !makesSteps(trace, own, at)) {
    return { invalid: true, message: `${file}: ${what} cannot be made in design ${own.name} (no such task, or beyond the trace's bounds)` };
  }
  return { invalid: false, message: `design ${design.name} cannot make ${what} (${own ? `the trace's design ${own.name} can` : `the trace's design ${trace.design} is not built in, not checked`}): this run cannot happen under ${design.name}` };
}
