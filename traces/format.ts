// The trace file: a counterexample (or witness) as kernel-level steps, versioned and validated.
import { SYSCALLS, checkBounds, DEFAULT_BOUNDS, MAX_BOUNDS, type Bounds, type SyscallName } from '../model/bounds.js';
import { parseStepArgs, syscallActor } from '../model/apply.js';
import type { Errno, ProgramStep, Result, Step } from '../model/step.js';

export const TRACE_FORMAT = 'inflight-trace/2';
/** The format before sockets had addresses: its `listen` autobound a name and its `connect` named the
 *  listener by an fd (`to`). Read as /2 when it has neither; else refused, saying why (a replay would be
 *  wrong: listen on an unbound socket is EINVAL now). */
export const OLD_TRACE_FORMAT = 'inflight-trace/1';

export interface TraceStep {
  /** A task number, or "kernel" for the kernel's own actors (the unix GC). */
  readonly task: number | 'kernel';
  readonly syscall: SyscallName;
  readonly args: Step['args'];
  readonly result: Result;
}

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly design: string;
  readonly bounds: Bounds;
  /** The property the trace violates (or witnesses), and its message at the last step. */
  readonly property: string;
  readonly violation: string;
  readonly steps: readonly TraceStep[];
  /** In the trace of a scenario's witness scenario-completes: the scenario's programs (programs[t] is task
   *  t's calls), so that a replay can check the witness again (a trace file names no scenario). */
  readonly programs?: readonly (readonly ProgramStep[])[];
}

const ERRNOS: readonly Errno[] = ['EBADF', 'EINVAL', 'EBUSY', 'ENXIO', 'EMFILE', 'EAGAIN', 'ENOTSOCK', 'EOPNOTSUPP', 'ECONNREFUSED', 'EPIPE', 'ENFILE', 'EPERM', 'ENOTCONN', 'EISCONN', 'ECANCELED', 'EADDRINUSE', 'ECONNRESET'];

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** Parses and validates a trace file's text. Every problem is one line naming where it is. */
export function parseTrace(text: string): Parsed<TraceFile> {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { return fail(`not JSON (${(e as Error).message})`); }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a trace object');
  const o = raw as Record<string, unknown>;
  if (o['format'] !== TRACE_FORMAT && o['format'] !== OLD_TRACE_FORMAT) {
    return fail(typeof o['format'] === 'string' ? `unsupported format '${o['format']}' (this inflight reads ${TRACE_FORMAT} and ${OLD_TRACE_FORMAT})` : `no "format": "${TRACE_FORMAT}" field`);
  }
  if (o['format'] === OLD_TRACE_FORMAT) {
    const old = oldSocketCall(o);
    if (old !== undefined) {
      return fail(`${old} of an ${OLD_TRACE_FORMAT} trace, whose listen bound an automatic name and whose connect named the listener by an fd; `
        + `sockets have addresses now (bind fd addr, listen fd, connect fd addr): record the trace again, or write bind and connect by address (${TRACE_FORMAT})`);
    }
  }
  if (typeof o['design'] !== 'string' || o['design'] === '') return fail('"design" must be a design name');
  if (typeof o['property'] !== 'string') return fail('"property" must be a string');
  if (typeof o['violation'] !== 'string') return fail('"violation" must be a string');
  const bounds = parseBounds(o['bounds']);
  if (!bounds.ok) return bounds;
  if (!Array.isArray(o['steps'])) return fail('"steps" must be a list');
  const steps: TraceStep[] = [];
  for (let i = 0; i < o['steps'].length; i++) {
    const s = parseStep(o['steps'][i]);
    if (!s.ok) return fail(`step ${i + 1}: ${s.error}`);
    steps.push(s.value);
  }
  const programs = o['programs'] === undefined ? undefined : parsePrograms(o['programs']);
  if (programs && !programs.ok) return programs;
  return { ok: true, value: { format: TRACE_FORMAT, design: o['design'], bounds: bounds.value, property: o['property'], violation: o['violation'], steps,
    ...(programs ? { programs: programs.value } : {}) } };
}

/** Where an old trace calls listen or connect ("step 4 (listen)", "programs: T0 line 2 (connect)"), if it does. */
function oldSocketCall(o: Record<string, unknown>): string | undefined {
  const isOld = (x: unknown): boolean => typeof x === 'object' && x !== null && ['listen', 'connect'].includes((x as Record<string, unknown>)['syscall'] as string);
  const steps = Array.isArray(o['steps']) ? o['steps'] as unknown[] : [];
  const i = steps.findIndex(isOld);
  if (i >= 0) return `step ${i + 1} (${String((steps[i] as Record<string, unknown>)['syscall'])}) is a call`;
  const programs = Array.isArray(o['programs']) ? o['programs'] as unknown[] : [];
  for (let t = 0; t < programs.length; t++) {
    const p = Array.isArray(programs[t]) ? programs[t] as unknown[] : [];
    const j = p.findIndex(isOld);
    if (j >= 0) return `programs: T${t} line ${j + 1} (${String((p[j] as Record<string, unknown>)['syscall'])}) is a call`;
  }
  return undefined;
}

const MAX_PROGRAMS = MAX_BOUNDS.tasks;
const MAX_PROGRAM_LINES = 10_000;

function parsePrograms(raw: unknown): Parsed<ProgramStep[][]> {
  if (!Array.isArray(raw) || raw.some((p) => !Array.isArray(p))) return fail('"programs" must be a list of lists of calls (one per task)');
  // As many lines as a trace may have steps (a scenario's programs are a few dozen): a file cannot make a
  // reader walk millions of them.
  if (raw.length > MAX_PROGRAMS || raw.reduce((n: number, p: unknown[]) => n + p.length, 0) > MAX_PROGRAM_LINES) {
    return fail(`"programs" has more than ${MAX_PROGRAMS} programs or ${MAX_PROGRAM_LINES} lines`);
  }
  const out: ProgramStep[][] = [];
  for (let t = 0; t < raw.length; t++) {
    const prog: ProgramStep[] = [];
    for (let i = 0; i < (raw[t] as unknown[]).length; i++) {
      const line = (raw[t] as unknown[])[i];
      const where = `programs: T${t} line ${i + 1}`;
      if (typeof line !== 'object' || line === null || Array.isArray(line)) return fail(`${where}: not an object`);
      const l = line as Record<string, unknown>;
      const name = l['syscall'];
      if (typeof name !== 'string' || !(SYSCALLS as readonly string[]).includes(name) || syscallActor(name as SyscallName) !== 'task' || name === 'resume') {
        return fail(`${where}: ${JSON.stringify(name)} is not a call a task's program makes`);
      }
      const rawArgs = l['args'] ?? {};
      if (typeof rawArgs !== 'object' || rawArgs === null || Array.isArray(rawArgs)) return fail(`${where}: "args" must be an object`);
      const args = parseStepArgs(name as SyscallName, rawArgs as Record<string, unknown>);
      if (typeof args === 'string') return fail(`${where}: ${name}: ${args}`);
      prog.push({ syscall: name as SyscallName, args });
    }
    out.push(prog);
  }
  return { ok: true, value: out };
}

function parseBounds(raw: unknown): Parsed<Bounds> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('"bounds" must be an object');
  const r = raw as Record<string, unknown>;
  const b: Record<string, unknown> = { ...DEFAULT_BOUNDS };
  for (const k of ['tasks', 'files', 'fds', 'skbs', 'msgFds', 'reqs', 'addrs', 'depth'] as const) {
    if (r[k] === undefined) continue;
    if (!Number.isInteger(r[k])) return fail(`bounds.${k} must be an integer`);
    b[k] = r[k];
  }
  if (r['gc'] !== undefined) b['gc'] = r['gc'];
  if (r['oob'] !== undefined) b['oob'] = r['oob'];
  if (r['ops'] !== undefined) {
    if (!Array.isArray(r['ops']) || r['ops'].some((x) => typeof x !== 'string')) return fail('bounds.ops must be a list of syscall names');
    b['ops'] = r['ops'];
  }
  const bad = checkBounds(b as unknown as Bounds);
  return bad ? fail(`bounds: ${bad}`) : { ok: true, value: b as unknown as Bounds };
}

function parseStep(raw: unknown): Parsed<TraceStep> {
  if (typeof raw !== 'object' || raw === null) return fail('not an object');
  const r = raw as Record<string, unknown>;
  const name = r['syscall'];
  if (typeof name !== 'string' || !(SYSCALLS as readonly string[]).includes(name)) return fail(`unknown syscall ${JSON.stringify(name)}`);
  const syscall = name as SyscallName;
  const task = r['task'];
  const actor = syscallActor(syscall);
  if (actor === 'kernel' ? task !== 'kernel' : !(Number.isInteger(task) && (task as number) >= 0)) {
    return fail(actor === 'kernel' ? `${syscall} is run by "kernel", not ${JSON.stringify(task)}` : `"task" must be a task number, not ${JSON.stringify(task)}`);
  }
  const rawArgs = r['args'] ?? {};
  if (typeof rawArgs !== 'object' || rawArgs === null || Array.isArray(rawArgs)) return fail('"args" must be an object');
  const args = parseStepArgs(syscall, rawArgs as Record<string, unknown>);
  if (typeof args === 'string') return fail(`${syscall}: ${args}`);
  const result = parseResult(r['result']);
  if (!result.ok) return result;
  return { ok: true, value: { task: task as number | 'kernel', syscall, args, result: result.value } };
}

function parseResult(raw: unknown): Parsed<Result> {
  if (typeof raw !== 'object' || raw === null) return fail('"result" must be an object');
  const r = raw as Record<string, unknown>;
  if (!Number.isInteger(r['ret'])) return fail('result.ret must be an integer');
  const out: { ret: number; errno?: Errno; fds?: number[]; pending?: true } = { ret: r['ret'] as number };
  if (r['errno'] !== undefined) {
    if (!ERRNOS.includes(r['errno'] as Errno)) return fail(`unknown errno ${JSON.stringify(r['errno'])}`);
    out.errno = r['errno'] as Errno;
  }
  if (r['fds'] !== undefined) {
    if (!Array.isArray(r['fds']) || r['fds'].some((x) => !Number.isInteger(x))) return fail('result.fds must be a list of fd numbers');
    out.fds = r['fds'] as number[];
  }
  // A call the kernel runs in sub-steps: its first step returns nothing yet (a `resume` step finishes it).
  if (r['pending'] !== undefined) {
    if (r['pending'] !== true) return fail('result.pending must be true when present');
    out.pending = true;
  }
  return { ok: true, value: out };
}

export function traceToJson(t: TraceFile): string {
  return JSON.stringify(t, null, 2) + '\n';
}
