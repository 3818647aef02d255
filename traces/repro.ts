// A trace as a standalone C reproducer (`inflight repro`): one process per model task, the trace's
// syscalls made for real in the trace's order, and for each step what the kernel did next to what the
// trace recorded; at the end, which of the trace's files the kernel released.
//
// Design of the generated program (after ../shared/oracle.md §4):
//  - A coordinator forks the worker of task 0; a trace's `fork` really forks the parent's worker, so the
//    child inherits the fd table. Steps run one at a time: the coordinator writes a step number on the
//    task's command pipe and waits for the reply on the reply pipe. All control pipes live at fds >= 600
//    (never unix sockets: releasing one is a GC trigger).
//  - `open` is a canary: a pipe reopened O_RDWR through /proc/self/fd takes exactly one fd (the model's
//    regular file, readable and a writer) and its read end is parked at fd >= 700; the coordinator takes its
//    own copy with pidfd_getfd and sees EOF once the file's last reference is gone. Unix sockets are observed by inode in /proc/net/unix.
//  - Workers keep a table model fd -> kernel fd (inherited over fork), so the trace's fd numbers are
//    used as the model meant them even where the kernel hands out others; differences are reported.
//  - `unix_gc` is the coordinator's: a garbage sentinel cycle, a kick (socket(AF_UNIX) + close) and a
//    bounded wait for the sentinel to go. A GC the trace runs in phases (start ... purge) runs whole at its
//    first phase step; the later phases are no-ops (no user API runs a GC phase by phase).
//  - Listening sockets as oracle/executor.c has them: `bind FD N` / `connect FD N` use the model's abstract
//    address N (sun_path "\0inflight-repro-<pid>-N", unique to the run); listen(SOMAXCONN); accept is
//    non-blocking (O_NONBLOCK around the call).
//    A successful connect makes an object, the embryo (the model's file id for the server side), which has
//    no inode until accept names it; the model tells which embryo an accept takes.
//  - A syscall the trace runs in sub-steps (`resume`: connect's peer/queue, a MSG_PEEK recvmsg's install)
//    is made whole at its first step; its result is compared at the step where the trace's call returns.
//  - `io_uring_enter` = one SQE submitted through the ring's mmaps, which are unmapped as soon as the call
//    returns (the model has no mmaps; a mapping pins the ring file, so none may outlive the step). The result
//    compared is the model's: the call's return, or the CQE's error when the kernel failed the SQE at once.
//    Canaries are opened O_RDWR (a reopen of the pipe through /proc/self/fd), so a read request on one has
//    nothing to read and stays pending, holding the file, as the model's blocked read does.
//  - `io_wq` and `io_ring_exit` are the kernel's own work (io-wq / poll, ring teardown): no-op steps, not
//    compared; the header lists the interleavings this leaves unforced.
//  - Refused (ReproUnsupported): a resume of a call other than connect/recvmsg, unknown syscalls (see `refusal`).
//  - The trace is made as the design makes it (the caller has checked that it can: `inflight repro` reads
//    a trace exactly as `replay` and `render` do): which task a fork makes, which fd numbers name what and
//    the results compared come from the design's run; what the trace file recorded, where it differs, is
//    printed next to it as text. A trace's fd outside the model's table is given to the kernel as an fd no
//    process has open (the model answers EBADF), never as one of the program's own fds.
//
// The C is in traces/repro/*.c: prelude.c (headers, the io_uring ABI; shared with --minimal), head.c (types), then the tables this file generates, then body.c (the
// program). The generated part is data only: integers checked here, and strings as octal escapes
// (see cstr), so that no compiler mode (trigraphs, line splices, printf formats) reads them as code.
import { readFileSync } from 'node:fs';
import { formatStep, makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { FD_BASE, type World } from '../model/world.js';
import { formatResult, type Result } from '../model/step.js';
import { traceStepToStep, walkSteps } from './build.js';
import { TRACE_FORMAT, type TraceFile, type TraceStep } from './format.js';

export interface ReproOptions {
  /** The model's fate of each file at the end of the trace (by file id), printed next to the kernel's;
   *  default: the design's. */
  readonly modelReleased?: readonly boolean[];
  /** The design the trace is made with (default: the trace's design when it is built in). */
  readonly design?: Design;
}

/** A trace the reproducer cannot make honestly; the message is one sentence naming the step. */
export class ReproUnsupported extends Error {}

/** The fixed parts of the program, read from beside this module (whatever the cwd). */
export const cSource = (name: string): string => readFileSync(new URL(`./repro/${name}`, import.meta.url), 'utf8');

/** Why a step cannot be reproduced, or undefined when it can. */
export function refusal(s: TraceStep, n: number): string | undefined {
  switch (s.syscall) {
    case 'resume': {
      const call = (s.args as { call: string }).call;
      return /^(connect|recvmsg)\(/.test(call) ? undefined : `step ${n} (resume of a call other than connect and recvmsg) cannot be reproduced: the reproducer only knows the sub-steps of connect and recvmsg`;
    }
    default:
      return SUPPORTED.has(s.syscall) ? undefined : `step ${n} (${s.syscall}) cannot be reproduced: the generator does not know this syscall`;
  }
}

/** The syscalls the generated C makes (each has a K_ constant in repro/head.c). */
const SUPPORTED: ReadonlySet<string> = new Set(['open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'sendmsg', 'recvmsg',
  'io_uring_setup', 'io_uring_register', 'io_uring_unregister', 'unix_gc', 'socket', 'bind', 'listen', 'connect', 'accept', 'io_uring_update', 'resume',
  'io_uring_enter', 'io_wq', 'io_ring_exit', 'setsockopt']);

/** The model's fate of each file (by id) at the end of the trace under `design`, or undefined when the
 *  design cannot make the trace's steps. */
export function modelReleased(trace: TraceFile, design: Design): boolean[] | undefined {
  let last: World | undefined;
  const run = walkSteps(trace.steps, makeCtx(design, trace.bounds), (_i, _before, after) => { last = after; });
  if (run.impossible !== undefined) return undefined;
  return last!.files.map((f) => f.released);
}

type ObjKind = 'canary' | 'unix' | 'ring' | 'embryo';

/** Bytes that stand for themselves inside a C string literal in every mode: no `?` (trigraphs), no `\`
 *  (escapes, line splices), no `"`, no `%` (should a literal ever reach a printf format). */
const PLAIN = /^[A-Za-z0-9 ,.:;()[\]{}=+\-_<>/*#!&|^~'@$]$/;

/** A C string literal of s: its UTF-8 bytes, each one that is not PLAIN as a three-digit octal escape
 *  (three digits, so that a following digit is never read as part of it). */
export function cstr(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && PLAIN.test(ch) ? ch : '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** An integer the generator checked, for the C source (an int: -2^31 .. 2^31-1). */
export function cint(x: number): string {
  if (!Number.isSafeInteger(x) || x < -0x80000000 || x > 0x7fffffff) throw new Error(`internal: ${String(x)} is not a C int`);
  return String(x);
}

/** Text safe inside a C block comment (generator text only: no string of the trace goes into a comment). */
export const ccomment = (s: string): string => s.replace(/[\u2013\u2014]/g, '-').replace(/\u2026/g, '...').replace(/[^A-Za-z0-9 ,.:;()[\]{}=+\-_<>#!&|^~'@$`/*]/g, ' ').replace(/\*\//g, '* /');

const wrapComment = (text: string, width = 96): string[] => {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + w.length > width) { lines.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
};

export const sameResult = (a: Result, b: Result): boolean =>
  a.ret === b.ret && a.errno === b.errno && (a.pending ?? false) === (b.pending ?? false) && JSON.stringify(a.fds ?? []) === JSON.stringify(b.fds ?? []);

/** Everything the C needs of a trace that the design can make. */
interface Made {
  readonly steps: readonly TraceStep[];
  /** The design's result of each step. */
  readonly results: readonly Result[];
  /** The file an accept step (by index) installed at the fd it returned. */
  readonly accepted: ReadonlyMap<number, number | undefined>;
  /** The world after the last step. */
  readonly last: World;
  readonly design: Design;
}

function makeWithDesign(trace: TraceFile, opts: ReproOptions): Made {
  const design = opts.design ?? builtinDesign(trace.design);
  if (!design) throw new Error(`the trace was made with design '${trace.design}', which is not built in: give it with --design FILE.ts`);
  // No world is kept (a long trace's fill memory): what the C needs of them is read as the steps are made.
  const accepted = new Map<number, number | undefined>();
  let last: World | undefined;
  const run = walkSteps(trace.steps, makeCtx(design, trace.bounds), (i, _before, after, result) => {
    last = after;
    const s = trace.steps[i];
    if (s?.syscall === 'accept' && typeof s.task === 'number') accepted.set(i, after.tasks[s.task]?.fds[result!.ret - FD_BASE]?.file);
  });
  if (run.impossible !== undefined) throw new Error(`step ${run.impossible + 1} cannot be made in design ${design.name} (no such task, or beyond the trace's bounds)`);
  return { steps: trace.steps, results: run.results, accepted, last: last!, design };
}

/** What a reproducer makes and compares (`repro --json`), step by step and file by file. */
export interface ReproPlan {
  readonly steps: readonly {
    readonly step: number; readonly task: number | 'kernel'; readonly call: string;
    /** What the program does at this step: the syscall, or nothing (and why). */
    readonly makes: string;
    /** The design's result, which the kernel's is compared with. */
    readonly expect: string;
    /** Where the kernel's result is compared: this step, a later one (a call in sub-steps), or not at all. */
    readonly compared: number | null;
    /** The trace file's own result, where the design's differs. */
    readonly recorded?: string;
  }[];
  /** The trace's files in creation order (f0, f1 …): what they are, where made, the model's fate at the end. */
  readonly files: readonly { readonly name: string; readonly kind: string; readonly madeAt: number; readonly modelReleased: boolean | null }[];
}

export function reproC(trace: TraceFile, opts: ReproOptions = {}): string {
  return reproProgram(trace, opts).c;
}

/** The reproducer's C and what it makes and compares. */
export function reproProgram(trace: TraceFile, opts: ReproOptions = {}): { c: string; plan: ReproPlan } {
  const steps = trace.steps;
  steps.forEach((s, i) => { const why = refusal(s, i + 1); if (why) throw new ReproUnsupported(why); });
  const made = makeWithDesign(trace, opts);
  const { results } = made;
  const maxFd = FD_BASE + trace.bounds.fds;

  // Calls in sub-steps: the call is made whole at its first step (`from`); the design's result is at the
  // first later resume of the same task that is not pending (`until`).
  const from = new Map<number, number>();    // resume step index -> index of the call's first step
  const until = new Map<number, number>();   // first step index -> index of the step where the call returns
  steps.forEach((s, i) => {
    if (s.syscall === 'resume') {
      if (!from.has(i)) throw new ReproUnsupported(`step ${i + 1} (resume) continues no call of task ${String(s.task)} that the trace started`);
      return;
    }
    if (!results[i]!.pending) return;
    for (let j = i + 1; j < steps.length; j++) {
      const r = steps[j]!;
      if (r.task !== s.task) continue;
      if (r.syscall !== 'resume') break;
      from.set(j, i);
      if (!results[j]!.pending) { until.set(i, j); break; }
    }
  });
  const finalResult = (i: number): Result => results[until.get(i) ?? i]!;

  // GC runs in phases: the run starts at `start` (made whole there) and takes the later phases up to the
  // next start or run. `gcFrom`: a later phase's index -> the run's first index.
  const gcFrom = new Map<number, number>();
  const gcRuns: { first: number; last: number }[] = [];
  steps.forEach((s, i) => {
    if (s.syscall !== 'unix_gc') return;
    const phase = (s.args as { phase?: string }).phase ?? 'run';
    if (phase === 'run' || phase === 'start') { gcRuns.push({ first: i, last: i }); return; }
    const run = gcRuns[gcRuns.length - 1];
    if (!run) throw new ReproUnsupported(`step ${i + 1} (a later phase of unix_gc) continues no GC run that the trace started`);
    run.last = i;
    gcFrom.set(i, run.first);
  });

  const acceptedObj = (i: number): number => {
    const s = steps[i]!;
    const id = typeof s.task === 'number' ? made.accepted.get(i) : undefined;
    if (id === undefined) throw new ReproUnsupported(`step ${i + 1} (accept) cannot be reproduced: design ${made.design.name} does not say which connection it accepts`);
    return id;
  };

  // Objects in creation order: their index is the model's file id (f0, f1, ...).
  const objects: { kind: ObjKind; step: number }[] = [];
  const planSteps: ReproPlan['steps'][number][] = [];
  const arrays: string[] = [];
  const table: string[] = [];
  const intArray = (name: string, xs: readonly string[]): string => {
    if (xs.length === 0) return 'NULL';
    arrays.push(`static const int ${name}[] = { ${xs.join(', ')} };`);
    return name;
  };
  steps.forEach((s, i) => {
    const n = i + 1;
    const res = results[i]!;
    const created: number[] = [];
    const add = (kind: ObjKind): void => { objects.push({ kind, step: n }); created.push(objects.length - 1); };
    const ok = res.errno === undefined;
    if (ok && s.syscall === 'open') add('canary');
    if (ok && s.syscall === 'socket') add('unix');
    if (ok && s.syscall === 'socketpair') { add('unix'); add('unix'); }
    if (ok && s.syscall === 'io_uring_setup') add('ring');
    if (ok && s.syscall === 'connect') add('embryo');   // unix_create1() at connect's first sub-step, as the model has it
    if (ok && s.syscall === 'accept') created.push(acceptedObj(i));
    const a = stepArgs(s, finalResult(i), maxFd);
    // from: a resume's first step, a later GC phase's run start; until: where a pending call returns.
    const fromN = from.has(i) ? from.get(i)! + 1 : gcFrom.has(i) ? gcFrom.get(i)! + 1 : 0;
    const gcRun = s.syscall === 'unix_gc' && !gcFrom.has(i) ? 1 : 0;
    const callStart = from.get(i) ?? i;
    const untilN = res.pending && until.has(callStart) ? until.get(callStart)! + 1 : 0;
    const text = `${s.task === 'kernel' ? 'kernel' : `T${s.task}`} ${formatStep(traceStepToStep(s))}`;
    const recorded = sameResult(s.result, res) ? 'NULL' : cstr(formatResult(s.result));
    const fds = intArray(`s${n}_fds`, (res.fds ?? []).map(cint));
    const list = intArray(`s${n}_list`, a.list);
    // Designated initializers: only what the step has (the rest is 0 / NULL).
    const fields: [string, string | number][] = [['text', cstr(text)], ['recorded', recorded], ['task', s.task === 'kernel' ? -1 : cint(s.task)],
      ['kind', `K_${s.syscall.toUpperCase()}`], ['ret', cint(res.ret)], ['err', cstr(res.errno ?? '')], ['nfds', cint((res.fds ?? []).length)], ['fds', fds],
      ['pending', res.pending ? 1 : 0], ['from', cint(fromN)], ['until', cint(untilN)], ['gc_run', gcRun],
      ['fd', a.fd], ['addr', a.addr], ['flag', a.flag], ['op', a.op], ['target', a.target], ['offset', a.offset], ['nlist', cint(a.list.length)], ['list', list]];
    const kernelsOwn = s.syscall === 'io_wq' || s.syscall === 'io_ring_exit';
    planSteps.push({ step: n, task: s.task, call: text,
      makes: kernelsOwn ? "nothing: the kernel's own work" : s.syscall === 'resume' ? `nothing: the call ran whole at step ${fromN}`
        : s.syscall === 'unix_gc' && !gcRun ? `nothing: the GC run made whole at step ${fromN}` : s.syscall === 'unix_gc' ? 'a whole unix GC run' : 'the syscall',
      expect: formatResult(res), compared: kernelsOwn ? null : res.pending ? (untilN > 0 ? untilN : null) : n,
      ...(recorded === 'NULL' ? {} : { recorded: formatResult(s.result) }) });
    const shown = fields.filter(([k, v]) => ['text', 'task', 'kind', 'ret', 'err'].includes(k) || (v !== 0 && v !== '0' && v !== 'NULL'));
    table.push(`  /* step ${n} */ { ${shown.map(([k, v]) => `.${k} = ${v}`).join(', ')}, .obj = { ${cint(created[0] ?? -1)}, ${cint(created[1] ?? -1)} } },`);
  });
  const files = made.last.files;
  if (objects.length !== files.length) {
    throw new Error(`internal: the reproducer made ${objects.length} objects where the model has ${files.length} files`);
  }
  const fates = opts.modelReleased ?? files.map((f) => f.released);
  const objTable = objects.map((o, i) => `  { ${cstr(`f${i}`)}, O_${o.kind.toUpperCase()}, ${cint(o.step)}, ${fates[i] === undefined ? -1 : fates[i] ? 1 : 0}, -1, 0, 0 },`);

  const header = headerLines(trace, results, until, gcRuns);
  const plan: ReproPlan = { steps: planSteps, files: objects.map((o, i) => ({ name: `f${i}`, kind: o.kind, madeAt: o.step, modelReleased: fates[i] ?? null })) };
  const c = [
    `/*\n${header.map((l) => ` * ${ccomment(l)}`.trimEnd()).join('\n')}\n */`,
    cSource('prelude.c'),
    cSource('head.c'),
    `/* ---------------------------------------------------------------------------------------------- */`,
    `/* Part 2 of 3, generated: the trace's sizes and tables. */`,
    `#define NTASKS ${cint(trace.bounds.tasks)}`,
    `#define NSTEPS ${cint(steps.length)}`,
    `#define NOBJS ${cint(objects.length)}`,
    `#define MAXFD ${cint(maxFd)}`,
    ``,
    `static const char trace_design[] = ${cstr(trace.design)};`,
    `static const char trace_property[] = ${cstr(trace.property)};`,
    `static const char trace_violation[] = ${cstr(trace.violation)};`,
    `static const char model_design[] = ${cstr(made.design.name)};`,
    ``,
    ...arrays,
    ``,
    `/* Each step: what to make, and the design's result to compare with (see struct trace_step). */`,
    `static const struct trace_step trace_steps[NSTEPS + 1] = {`,
    `  { .text = "", .err = "", .obj = { -1, -1 } },`,
    ...table,
    `};`,
    ``,
    `/* The trace's files, in creation order (the model's file ids f0, f1, ...), and the model's fate at the end`,
    ` * (1 released, 0 not, -1 unknown). */`,
    `static struct object objs[NOBJS + 1] = {`,
    ...objTable,
    `  { "", 0, 0, -1, -1, 0, 0 },`,
    `};`,
    ``,
    cSource('body.c'),
  ].join('\n');
  return { c, plan };
}

/** A step's arguments as C integers: fds confined to the model's table, indices to the kernel's 32 bits. */
interface CArgs { fd: string; addr: string; flag: 0 | 1; op: 0 | 1; target: string; offset: string; list: string[] }

/** The trace's fd m for the C: -1, a number of the model's fd table, or FD_OUTSIDE. */
export const fdArg = (m: number, maxFd: number): string => (m === -1 || (Number.isSafeInteger(m) && m >= FD_BASE && m < maxFd) ? cint(m) : 'FD_OUTSIDE');
/** A slot or offset (unsigned 32 bits in the kernel): as is when it fits an int, else FAR_INDEX. */
export const indexArg = (x: number): string => (Number.isSafeInteger(x) && x >= 0 && x <= 0x7fffffff ? cint(x) : 'FAR_INDEX');

function stepArgs(s: TraceStep, fin: Result, maxFd: number): CArgs {
  const a = s.args as { fd?: number; addr?: number; rights?: number[]; files?: number[]; type?: string; peek?: boolean; oob?: boolean;
    op?: string; fixed?: boolean; target?: number; offset?: number; val?: number };
  const fd = (m: number | undefined): string => (m === undefined ? '0' : fdArg(m, maxFd));
  const out: CArgs = { fd: fd(a.fd), addr: cint(a.addr ?? 0), flag: 0, op: 0, target: '0', offset: '0', list: [] };
  switch (s.syscall) {
    case 'socket': case 'socketpair': out.flag = a.type === 'stream' ? 1 : 0; break;
    case 'sendmsg': out.flag = a.oob ? 1 : 0; out.list = a.rights!.map((m) => fdArg(m, maxFd)); break;
    case 'setsockopt': out.flag = a.val === 1 ? 1 : 0; break;
    case 'recvmsg': out.flag = a.peek ? 1 : 0; out.list = (fin.fds ?? []).map(cint); break;
    case 'io_uring_register': out.list = a.files!.map((m) => fdArg(m, maxFd)); break;
    case 'io_uring_update': out.offset = indexArg(a.offset!); out.list = a.files!.map((m) => fdArg(m, maxFd)); break;
    case 'io_uring_enter':
      out.flag = a.fixed ? 1 : 0; out.op = a.op === 'recv' ? 1 : 0;
      out.target = a.fixed ? indexArg(a.target!) : fdArg(a.target!, maxFd);
      break;
    default: break;
  }
  return out;
}

/** The program's header comment: what it does, and the trace's interleavings it cannot force. Generator
 *  text and numbers only: the trace's strings are in the tables (trace_design, ...), not here. */
function headerLines(trace: TraceFile, results: readonly Result[], until: ReadonlyMap<number, number>, gcRuns: readonly { first: number; last: number }[]): string[] {
  const steps = trace.steps;
  // What the reproducer cannot force: the trace's interleavings of other steps into a GC run or a call
  // in sub-steps (the kernel schedules its GC itself; a C program's connect/recvmsg is one syscall).
  const stepName = (i: number): string => `${i + 1}`;
  const stepList = (is: number[]): string => `${is.length === 1 ? 'step' : 'steps'} ${is.map(stepName).join(', ')}`;
  const between = (a: number, b: number, skip: (j: number) => boolean): number[] => {
    const out: number[] = [];
    for (let j = a + 1; j < b; j++) if (!skip(j)) out.push(j);
    return out;
  };
  const notForced: string[] = [];
  for (const run of gcRuns) {
    if (run.first === run.last) continue;
    const inside = between(run.first, run.last, (j) => steps[j]!.syscall === 'unix_gc');
    notForced.push(inside.length
      ? `- the GC run of steps ${stepName(run.first)}-${stepName(run.last)} (in phases) runs whole at step ${stepName(run.first)}, when the kernel schedules it after a kick; the trace's ${stepList(inside)} inside the run are made after it, so that race is not forced.`
      : `- the GC run of steps ${stepName(run.first)}-${stepName(run.last)} (in phases) runs whole at step ${stepName(run.first)}; no other step comes between its phases, so nothing is lost.`);
  }
  for (const [first, last] of until) {
    const s = steps[first]!;
    const inside = between(first, last, (j) => steps[j]!.task === s.task);
    if (inside.length) notForced.push(`- ${s.syscall} of step ${stepName(first)} (in sub-steps up to step ${stepName(last)}) is one syscall here, made whole at step ${stepName(first)}; the trace's ${stepList(inside)} between its sub-steps come after it, so that interleaving is not forced.`);
  }
  for (const first of [...steps.keys()].filter((i) => results[i]!.pending && !until.has(i))) {
    notForced.push(`- ${steps[first]!.syscall} of step ${stepName(first)} is still in progress when the trace ends; here it is made whole at step ${stepName(first)}.`);
  }
  // io_uring: the kernel runs requests and ring teardown itself; the trace's placement of them is not forced.
  const at = (name: string): number[] => [...steps.keys()].filter((i) => steps[i]!.syscall === name && results[i]!.errno === undefined);
  const enters = at('io_uring_enter'), wq = at('io_wq'), exits = at('io_ring_exit');
  if (enters.length) notForced.push(`- the io_uring requests of ${stepList(enters)} start in the kernel when submitted (a read or recv with nothing to read arms a poll and stays pending, holding its file, until data comes, the ring's teardown or its task's exit cancels it); the trace's queued-but-not-started request is not kept.`);
  if (wq.length) notForced.push(`- io-wq's ${stepList(wq)} are no-ops here: the kernel runs a request when it can (a read on a canary has nothing to read and never completes), so where the trace puts these stages among the other steps is not forced.`);
  if (exits.length) notForced.push(`- the ring teardowns of ${stepList(exits)} (io_ring_exit) are no-ops here: the kernel tears a ring down in a workqueue some 20-80 ms after its last close (and cancels its pending requests first), so the steps the trace puts before a teardown may run after it, or before it here where the trace has them after.`);

  const header = [
    `Reproducer generated by \`inflight repro\` from an ${TRACE_FORMAT} file.`,
    ``,
    `The trace's design, property and violation are the strings trace_design, trace_property and`,
    `trace_violation below (octal escapes); the program prints them first.`,
    ``,
    `It makes the trace's ${steps.length} steps on the running kernel, one process per model task`,
    `(the trace's fork really forks), strictly in the trace's order, and prints what the kernel did`,
    `next to what the design gives (the trace file's own record where it differs), then which of the`, `trace's files the kernel released.`,
    `Regular files are canary pipes (the write end is the file; EOF on the read end = released);`,
    `unix sockets are looked up by inode in /proc/net/unix; rings are seen only through what they hold`,
    `(their registered files, the files their pending requests hold: a canary held by a request stays live).`,
    ...(steps.some((s) => s.syscall === 'io_uring_enter') ? [
      `io_uring_enter maps the ring's SQ ring, SQEs and CQ ring for the call only and unmaps them as soon as`,
      `it returns: the model does not count mmaps as references, and a mapping would keep the ring file`,
      `alive past the trace's close.`] : []),
    ``,
    ...(notForced.length ? [
      `Interleavings of the trace that this program cannot force (the kernel schedules its unix GC,`,
      `io-wq and ring teardown itself, and a syscall is one call here):`,
      ...notForced.flatMap((l) => wrapComment(l).map((x, i) => (i === 0 ? x : `  ${x}`))),
      ``,
    ] : []),
    `Build and run:  gcc -O2 -Wall -o repro repro.c && ./repro`,
  ];
  return header;
}
