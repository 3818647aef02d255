// The trace file: a counterexample (or witness) as kernel-level steps, versioned and validated.
import * as v from 'valibot';
import { ARG_SCHEMAS } from '../model/args.js';
import { SYSCALLS, checkBounds, DEFAULT_BOUNDS, MAX_BOUNDS, type Bounds, type SyscallName } from '../model/bounds.js';
import { syscallActor } from '../model/apply.js';
import { check, int, jsonPath, keyed, obj, show, type Parsed } from '../model/schema-kit.js';
import { ERRNOS, type Result } from '../model/step.js';

export type { Parsed } from '../model/schema-kit.js';
const fail = (error: string, path?: string): { ok: false; error: string; path?: string } => (path === undefined ? { ok: false, error } : { ok: false, error, path });

export const TRACE_FORMAT = 'inflight-trace/1';

/** The longest trace read: the longest walk `simulate` makes (its --depth is at most 10,000). */
export const MAX_TRACE_STEPS = 10_000;
const MAX_PROGRAMS = MAX_BOUNDS.tasks;
const MAX_PROGRAM_LINES = 10_000;

// The trace format, once: the parser below and the published JSON Schema (schemas/trace.schema.json,
// `inflight schema trace`) are this schema. Each field's message is the one-line reason a reader gets;
// parseTrace puts the JSON path of the field before it (and, inside a step, the step's number as replay
// counts them, from 1).

const ResultSchema = obj({
  ret: int('result.ret must be an integer'),
  errno: v.exactOptional(v.picklist(ERRNOS, (iss) => `unknown errno ${show(iss.input)}`)),
  fds: v.exactOptional(v.pipe(v.array(int('result.fds must be a list of fd numbers'), 'result.fds must be a list of fd numbers'), v.readonly())),
  // A call the kernel runs in sub-steps: its first step returns nothing yet (a `resume` step finishes it).
  pending: v.exactOptional(v.literal(true, 'result.pending must be true when present')),
}, '"result" must be an object');
// The result type the model uses (model/step.ts) is what this schema reads.
ResultSchema satisfies v.GenericSchema<unknown, Result>;

const taskNumber = v.pipe(v.number((iss) => `"task" must be a task number, not ${show(iss.input)}`),
  v.integer((iss) => `"task" must be a task number, not ${show(iss.input)}`), v.minValue(0, (iss) => `"task" must be a task number, not ${show(iss.input)}`),
  v.description('the task that makes the call (0 is the first; fork creates the others in order)'));

/** One step per syscall: a task's calls name the task, the kernel's own actors (the GC, io-wq, ring exit) "kernel". */
const stepOf = <N extends SyscallName>(name: N) => obj({
  task: syscallActor(name) === 'kernel'
    ? v.literal('kernel', (iss) => `${name} is run by "kernel", not ${show(iss.input)}`)
    : taskNumber,
  syscall: v.literal(name),
  args: v.optional(ARG_SCHEMAS[name], {}),
  result: ResultSchema,
}, 'not an object');

const StepSchema = keyed(v.variant('syscall', SYSCALLS.map(stepOf) as unknown as [ReturnType<typeof stepOf<SyscallName>>],
  (iss) => (iss.path ? `unknown syscall ${show(iss.input)}` : 'not an object')));

const TASK_CALLS = SYSCALLS.filter((n) => syscallActor(n) === 'task' && n !== 'resume');
const lineOf = <N extends SyscallName>(name: N) => obj({ syscall: v.literal(name), args: v.optional(ARG_SCHEMAS[name], {}) }, 'not an object');
const ProgramLineSchema = keyed(v.variant('syscall', TASK_CALLS.map(lineOf) as unknown as [ReturnType<typeof lineOf<SyscallName>>],
  (iss) => (iss.path ? `${show(iss.input)} is not a call a task's program makes` : 'not an object')));
const PROGRAMS_SHAPE = '"programs" must be a list of lists of calls (one per task)';
const PROGRAMS_SIZE = `"programs" has more than ${MAX_PROGRAMS} programs or ${MAX_PROGRAM_LINES} lines`;
const lineCount = (p: readonly (readonly unknown[])[]): number => p.reduce((n, x) => n + x.length, 0);

const boundMessage = (k: keyof Bounds) => (iss: v.BaseIssue<unknown>): string =>
  (typeof iss.input === 'number' && Number.isInteger(iss.input) ? inBounds({ [k]: iss.input }) : undefined) ?? `bounds.${k} must be an integer`;
/** checkBounds's reason for one field (one source for the ranges and their words). */
const inBounds = (b: Record<string, unknown>): string | undefined => {
  const bad = checkBounds({ ...DEFAULT_BOUNDS, ...b } as Bounds);
  return bad === undefined ? undefined : `bounds: ${bad}`;
};
const bound = (k: 'tasks' | 'files' | 'fds' | 'skbs' | 'msgFds' | 'reqs' | 'depth', what: string) => {
  const m = boundMessage(k);
  return v.optional(v.pipe(v.number(m), v.integer(m), v.minValue(k === 'depth' || k === 'reqs' ? 0 : 1, m), v.maxValue(MAX_BOUNDS[k], m), v.description(what)), DEFAULT_BOUNDS[k]);
};
const OPS = 'bounds.ops must be a list of syscall names';

/** The bounds of the search that found the trace: a field left out is the default (model/bounds.ts). */
export const BoundsSchema = obj({
  tasks: bound('tasks', 'task slots (processes)'),
  files: bound('files', 'struct files alive at once'),
  fds: bound('fds', 'fd table size per task'),
  skbs: bound('skbs', 'skbs per receive queue'),
  msgFds: bound('msgFds', 'fds per SCM_RIGHTS message, and per IORING_REGISTER_FILES call'),
  reqs: bound('reqs', 'io_uring requests in flight per ring'),
  oob: v.optional(v.boolean((iss) => inBounds({ oob: iss.input }) ?? OPS), DEFAULT_BOUNDS.oob),
  depth: bound('depth', 'steps from the initial state; 0 = no limit'),
  gc: v.optional(v.picklist(['phased', 'atomic'], (iss) => inBounds({ gc: iss.input }) ?? OPS), DEFAULT_BOUNDS.gc),
  ops: v.optional(v.pipe(v.array(v.picklist(SYSCALLS, (iss) => (typeof iss.input === 'string' ? inBounds({ ops: [iss.input] }) : undefined) ?? OPS), OPS),
    v.minLength(1, 'bounds: --ops names no syscall'), v.readonly()), DEFAULT_BOUNDS.ops),
}, '"bounds" must be an object');
BoundsSchema satisfies v.GenericSchema<unknown, Bounds>;

export const TraceSchema = v.pipe(obj({
  format: v.literal(TRACE_FORMAT, (iss) => (typeof iss.input === 'string' ? `unsupported format '${iss.input.slice(0, 60)}' (this inflight reads ${TRACE_FORMAT})` : `no "format": "${TRACE_FORMAT}" field`)),
  design: v.pipe(v.string('"design" must be a design name'), v.minLength(1, '"design" must be a design name'), v.description('the design the trace was found in (a built-in name, or the name a design module gives itself)')),
  bounds: BoundsSchema,
  property: v.pipe(v.string('"property" must be a string'), v.description('the property the trace violates (or witnesses), or design-threw, kernel-oracle, hand-written')),
  violation: v.pipe(v.string('"violation" must be a string'), v.description("the property's message at the last step")),
  steps: v.pipe(v.array(StepSchema, '"steps" must be a list'), v.maxLength(MAX_TRACE_STEPS, (iss) => stepsTooMany((iss.input as unknown[]).length)), v.readonly()),
  programs: v.exactOptional(v.pipe(
    v.array(v.pipe(v.array(ProgramLineSchema, PROGRAMS_SHAPE), v.maxLength(MAX_PROGRAM_LINES, PROGRAMS_SIZE), v.readonly()), PROGRAMS_SHAPE),
    v.maxLength(MAX_PROGRAMS, PROGRAMS_SIZE), v.check((p) => lineCount(p) <= MAX_PROGRAM_LINES, PROGRAMS_SIZE), v.readonly(),
    v.description("in the trace of a scenario's witness scenario-completes: the scenario's programs (programs[t] is task t's calls), so that a replay can check the witness again"))),
}, 'not a trace object'), v.title('inflight trace'), v.description('A counterexample (or witness) as kernel-level steps, as `inflight check --trace-out` writes it and replay, render, repro and kernel read it.'));

export type TraceFile = Readonly<v.InferOutput<typeof TraceSchema>>;
export type TraceStep = Readonly<v.InferOutput<typeof StepSchema>>;

const stepsTooMany = (n: number): string => `${n} steps: a trace has at most ${MAX_TRACE_STEPS.toLocaleString('en-US')} (the longest walk simulate makes)`;

/** Where an issue is, in words a reader of replay's output knows: `step 3: sendmsg: `, `programs: T0 line 1: `. */
function place(raw: Record<string, unknown>, path: readonly (string | number)[]): string {
  const [top, i, field] = path;
  if (top === 'steps' && typeof i === 'number') {
    const s = (raw['steps'] as unknown[])[i] as Record<string, unknown>;
    return `step ${i + 1}: ${field === 'args' && path.length > 3 ? `${String(s['syscall'])}: ` : ''}`;
  }
  if (top === 'programs' && typeof i === 'number' && typeof field === 'number') {
    const l = ((raw['programs'] as unknown[])[i] as unknown[])[field] as Record<string, unknown>;
    return `programs: T${i} line ${field + 1}: ${path[3] === 'args' && path.length > 4 ? `${String(l['syscall'])}: ` : ''}`;
  }
  return '';
}

/** Parses and validates a trace file's text by its schema. A problem is one line naming where it is (the
 *  step, the program line) and `path`, the JSON path of the field (`steps[2].args.fd`). */
export function parseTrace(text: string): Parsed<TraceFile> {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { return fail(`not JSON (${(e as Error).message})`); }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a trace object');
  const o = raw as Record<string, unknown>;
  // What a hostile file could make long to check is measured before it is checked: a trace of a million
  // steps is refused by its length, not after a million steps are read.
  if (o['format'] === TRACE_FORMAT) {
    if (Array.isArray(o['steps']) && o['steps'].length > MAX_TRACE_STEPS) return fail(stepsTooMany(o['steps'].length), 'steps');
    const p = o['programs'];
    if (Array.isArray(p) && p.every(Array.isArray) && (p.length > MAX_PROGRAMS || lineCount(p) > MAX_PROGRAM_LINES)) return fail(PROGRAMS_SIZE, 'programs');
  }
  const r = check(TraceSchema, raw);
  if (r.ok) return { ok: true, value: r.value };
  return fail(`${place(o, r.path)}${r.message}`, r.path.length ? jsonPath(r.path) : undefined);
}

export function traceToJson(t: TraceFile): string {
  return JSON.stringify(t, null, 2) + '\n';
}
