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
//  - Listening sockets as oracle/executor.c has them (the model has no addresses): `listen FD` = bind to an
//    autobound abstract name + listen(SOMAXCONN) (a plain listen() for anything but a stream socket);
//    `connect FD TO` connects to getsockname(TO); accept is non-blocking (O_NONBLOCK around the call).
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
import { formatStep, makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { FD_BASE, type World } from '../model/world.js';
import { formatResult } from '../model/step.js';
import { runSteps, traceStepToStep } from './build.js';
import type { TraceFile, TraceStep } from './format.js';

export interface ReproOptions {
  /** The model's fate of each file at the end of the trace (by file id), printed next to the kernel's. */
  readonly modelReleased?: readonly boolean[];
  /** The design to run the trace through where the reproducer needs the model (which connection an
   *  accept takes); default: the trace's design when it is built in. */
  readonly design?: Design;
}

/** A trace the reproducer cannot make honestly; the message is one sentence naming the step. */
export class ReproUnsupported extends Error {}

/** Why a step cannot be reproduced, or undefined when it can. */
function refusal(s: TraceStep, n: number): string | undefined {
  switch (s.syscall) {
    case 'resume': {
      const call = (s.args as { call: string }).call;
      return /^(connect|recvmsg)\(/.test(call) ? undefined : `step ${n} (resume of ${call}) cannot be reproduced: the reproducer only knows the sub-steps of connect and recvmsg`;
    }
    default:
      return SUPPORTED.has(s.syscall) ? undefined : `step ${n} (${s.syscall}) cannot be reproduced: the generator does not know this syscall`;
  }
}

/** The syscalls the generated C makes (each has a K_ constant in C_PRELUDE). */
const SUPPORTED: ReadonlySet<string> = new Set(['open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'sendmsg', 'recvmsg',
  'io_uring_setup', 'io_uring_register', 'io_uring_unregister', 'unix_gc', 'socket', 'listen', 'connect', 'accept', 'io_uring_update', 'resume',
  'io_uring_enter', 'io_wq', 'io_ring_exit']);

/** The model's fate of each file (by id) at the end of the trace under `design`, or undefined when the
 *  design cannot make the trace's steps. */
export function modelReleased(trace: TraceFile, design: Design): boolean[] | undefined {
  const run = runSteps(trace.steps, makeCtx(design, trace.bounds));
  if (run.impossible !== undefined) return undefined;
  return run.worlds[run.worlds.length - 1]!.files.map((f) => f.released);
}

type ObjKind = 'canary' | 'unix' | 'ring' | 'embryo';

/** A C string literal (ASCII only; anything else becomes '?'). */
function cstr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '%') out += '%%';
    else if (ch === '\u2013' || ch === '\u2014') out += '-';
    else if (ch === '\u2026') out += '...';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '?';
  }
  return out + '"';
}
/** Text safe inside a C block comment. */
const ccomment = (s: string): string => s.replace(/[\u2013\u2014]/g, '-').replace(/\u2026/g, '...').replace(/\*\//g, '* /').replace(/[^\x20-\x7e\n]/g, '?');

const wrapComment = (text: string, width = 96): string[] => {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + w.length > width) { lines.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
};

export function reproC(trace: TraceFile, opts: ReproOptions = {}): string {
  const steps = trace.steps;
  steps.forEach((s, i) => { const why = refusal(s, i + 1); if (why) throw new ReproUnsupported(why); });
  const maxTask = Math.max(0, ...steps.map((s) => (s.task === 'kernel' ? 0 : s.task)), ...steps.filter((s) => s.syscall === 'fork').map((s) => s.result.ret));
  const ntasks = Math.max(trace.bounds.tasks, maxTask + 1);
  const maxFd = Math.max(FD_BASE + trace.bounds.fds, ...steps.flatMap((s) => [
    ...('fd' in s.args ? [s.args.fd] : []), ...('to' in s.args ? [s.args.to] : []), ...('rights' in s.args ? s.args.rights : []),
    ...('files' in s.args ? s.args.files : []), ...(s.result.fds ?? []), s.result.ret,
  ]) .map((x) => x + 1));
  if (maxFd > 512) throw new Error(`fd ${maxFd - 1} is beyond what the reproducer maps (512)`);

  // Calls in sub-steps: the call is made whole at its first step (`from`); the trace's result is at the
  // first later resume of the same task that is not pending (`until`).
  const from = new Map<number, number>();    // resume step index -> index of the call's first step
  const until = new Map<number, number>();   // first step index -> index of the step where the call returns
  steps.forEach((s, i) => {
    if (s.syscall === 'resume') {
      if (!from.has(i)) throw new ReproUnsupported(`step ${i + 1} (resume) continues no call of task ${String(s.task)} that the trace started`);
      return;
    }
    if (!s.result.pending) return;
    for (let j = i + 1; j < steps.length; j++) {
      const r = steps[j]!;
      if (r.task !== s.task) continue;
      if (r.syscall !== 'resume') break;
      from.set(j, i);
      if (!r.result.pending) { until.set(i, j); break; }
    }
  });
  // The final result of a call (what the C compares and maps fds with).
  const finalResult = (i: number) => steps[until.get(i) ?? i]!.result;

  // GC runs in phases: the run starts at `start` (made whole there) and takes the later phases up to the
  // next start or run. `gcFrom`: a later phase's index -> the run's first index.
  const gcFrom = new Map<number, number>();
  const gcRuns: { first: number; last: number }[] = [];
  steps.forEach((s, i) => {
    if (s.syscall !== 'unix_gc') return;
    const phase = (s.args as { phase?: string }).phase ?? 'run';
    if (phase === 'run' || phase === 'start') { gcRuns.push({ first: i, last: i }); return; }
    const run = gcRuns[gcRuns.length - 1];
    if (!run) throw new ReproUnsupported(`step ${i + 1} (unix_gc: ${phase}) continues no GC run that the trace started`);
    run.last = i;
    gcFrom.set(i, run.first);
  });

  // The model's worlds, where the reproducer needs them: which embryo each accept takes.
  let worlds: readonly World[] | undefined;
  const design = opts.design ?? builtinDesign(trace.design);
  if (design) {
    const run = runSteps(steps, makeCtx(design, trace.bounds));
    if (run.impossible === undefined) worlds = run.worlds;
  }
  const acceptedObj = (i: number): number => {
    const s = steps[i]!;
    const id = worlds && typeof s.task === 'number' ? worlds[i + 1]!.tasks[s.task]?.fds[s.result.ret - FD_BASE]?.file : undefined;
    if (id === undefined) throw new ReproUnsupported(`step ${i + 1} (accept) cannot be reproduced: which connection it accepts comes from the model, and design ${trace.design} ${design ? 'cannot make the trace\'s steps' : 'is not built in'}`);
    return id;
  };

  // Objects in creation order: their index is the model's file id (f0, f1, ...).
  const objects: { kind: ObjKind; step: number }[] = [];
  const blocks: string[] = [];
  const stepTable: string[] = [];
  steps.forEach((s, i) => {
    const n = i + 1;
    const text = `${s.task === 'kernel' ? 'kernel' : `T${s.task}`} ${formatStep(traceStepToStep(s))}`;
    const created: number[] = [];
    const add = (kind: ObjKind): number => { objects.push({ kind, step: n }); created.push(objects.length - 1); return objects.length - 1; };
    const ok = s.result.errno === undefined;
    if (ok && s.syscall === 'open') add('canary');
    if (ok && s.syscall === 'socket') add('unix');
    if (ok && s.syscall === 'socketpair') { add('unix'); add('unix'); }
    if (ok && s.syscall === 'io_uring_setup') add('ring');
    if (ok && s.syscall === 'connect') add('embryo');   // unix_create1() at connect's first sub-step, as the model has it
    if (ok && s.syscall === 'accept') created.push(acceptedObj(i));
    const fin = finalResult(i);
    const body = stepBody(s, created, fin, { n, gcFrom: gcFrom.has(i) ? gcFrom.get(i)! + 1 : 0, from: from.has(i) ? from.get(i)! + 1 : 0 });
    const recorded = s.result.pending && until.has(i) ? `${formatResult(s.result)} (the call returns ${formatResult(fin)} at step ${until.get(i)! + 1})` : formatResult(s.result);
    blocks.push(`  /* step ${n}: ${ccomment(text)}\n   *   the trace recorded: ${ccomment(recorded)} */\n  case ${n}: {\n${body.map((l) => `    ${l}`).join('\n')}\n    break;\n  }`);
    const fds = s.result.fds ?? [];
    // from: a resume's first step, a later GC phase's run start; until: where a pending call returns.
    const fromN = from.has(i) ? from.get(i)! + 1 : gcFrom.has(i) ? gcFrom.get(i)! + 1 : 0;
    const gcRun = s.syscall === 'unix_gc' && !gcFrom.has(i) ? 1 : 0;
    const callStart = from.get(i) ?? i;
    const untilN = s.result.pending && until.has(callStart) ? until.get(callStart)! + 1 : 0;
    stepTable.push(`  { ${cstr(text)}, ${s.task === 'kernel' ? -1 : s.task}, K_${s.syscall.toUpperCase()}, ${s.result.ret}, ${cstr(s.result.errno ?? '')}, ${fds.length}, { ${fds.length ? fds.join(', ') : '0'} }, ${s.result.pending ? 1 : 0}, ${fromN}, ${untilN}, ${gcRun} },`);
  });
  if (worlds && objects.length !== worlds[worlds.length - 1]!.files.length) {
    throw new Error(`internal: the reproducer made ${objects.length} objects where the model has ${worlds[worlds.length - 1]!.files.length} files`);
  }

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
  for (const [first] of [...steps.entries()].filter(([i, s]) => s.result.pending && !until.has(i))) {
    notForced.push(`- ${steps[first]!.syscall} of step ${stepName(first)} is still in progress when the trace ends; here it is made whole at step ${stepName(first)}.`);
  }
  // io_uring: the kernel runs requests and ring teardown itself; the trace's placement of them is not forced.
  const at = (name: string): number[] => [...steps.keys()].filter((i) => steps[i]!.syscall === name && steps[i]!.result.errno === undefined);
  const enters = at('io_uring_enter'), wq = at('io_wq'), exits = at('io_ring_exit');
  if (enters.length) notForced.push(`- the io_uring requests of ${stepList(enters)} start in the kernel when submitted (a read or recv with nothing to read arms a poll and stays pending, holding its file, until data comes, the ring's teardown or its task's exit cancels it); the trace's queued-but-not-started request is not kept.`);
  if (wq.length) notForced.push(`- io-wq's ${stepList(wq)} are no-ops here: the kernel runs a request when it can (a read on a canary has nothing to read and never completes), so where the trace puts these stages among the other steps is not forced.`);
  if (exits.length) notForced.push(`- the ring teardowns of ${stepList(exits)} (io_ring_exit) are no-ops here: the kernel tears a ring down in a workqueue some 20-80 ms after its last close (and cancels its pending requests first), so the steps the trace puts before a teardown may run after it, or before it here where the trace has them after.`);

  const header = [
    `Reproducer generated by \`inflight repro\` from an inflight-trace/1 file.`,
    ``,
    `design:    ${trace.design}`,
    `property:  ${trace.property}`,
    ...wrapComment(`violation: ${trace.violation}`).map((l, i) => (i === 0 ? l : `           ${l}`)),
    ``,
    `It makes the trace's ${steps.length} steps on the running kernel, one process per model task`,
    `(the trace's fork really forks), strictly in the trace's order, and prints what the kernel did`,
    `next to what the trace recorded, then which of the trace's files the kernel released.`,
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
  const objTable = objects.map((o, i) => `  { ${cstr(`f${i}`)}, O_${o.kind.toUpperCase()}, ${o.step}, ${opts.modelReleased ? (opts.modelReleased[i] ? 1 : 0) : -1}, -1, 0, 0 },`);

  return [
    `/*\n${header.map((l) => ` * ${ccomment(l)}`.trimEnd()).join('\n')}\n */`,
    C_PRELUDE,
    `#define DESIGN ${cstr(trace.design)}`,
    `#define NTASKS ${ntasks}`,
    `#define NSTEPS ${steps.length}`,
    `#define NOBJS ${objects.length}`,
    `#define MAXFD ${maxFd}`,
    ``,
    `/* What the trace recorded for each step. */`,
    `static const struct trace_step trace_steps[NSTEPS + 1] = {`,
    `  { "", 0, 0, 0, "", 0, { 0 }, 0, 0, 0, 0 },`,
    ...stepTable,
    `};`,
    ``,
    `/* The trace's files, in creation order (the model's file ids f0, f1, ...), and the model's fate at the end`,
    ` * (1 released, 0 not, -1 unknown). */`,
    `static struct object objs[NOBJS + 1] = {`,
    ...objTable,
    `  { "", 0, 0, -1, -1, 0, 0 },`,
    `};`,
    ``,
    C_RUNTIME,
    `/* The trace's steps, as the worker of the step's task makes them. */`,
    `static void run_step(int n, struct reply *r) {`,
    `  switch (n) {`,
    blocks.join('\n'),
    `  }`,
    `}`,
    ``,
    C_MAIN,
  ].join('\n');
}

function stepBody(s: TraceStep, created: number[], fin: TraceStep['result'], at: { n: number; gcFrom: number; from: number }): string[] {
  const fds = s.result.fds ?? [];
  switch (s.syscall) {
    case 'open': {
      const a = [`/* open("file", O_RDWR), observed as a canary: a pipe reopened O_RDWR takes one fd. */`,
        `int fd = make_canary(r);`];
      if (created.length) a.push(`r->obj[0] = ${created[0]};`);
      a.push(`set_ret_fd(r, fd, ${s.result.ret});`);
      return a;
    }
    case 'close': {
      const { fd } = s.args as { fd: number };
      return [`int k = FD(${fd});`, `int rc = close(k);`, `set_ret(r, rc);`, `if (rc == 0) { ring_forget(k); unmap_fd(${fd}); }`];
    }
    case 'dup': {
      const { fd } = s.args as { fd: number };
      return [`int fd = dup(FD(${fd}));`, `if (fd >= 0) ring_copy(fd, FD(${fd}));`, `set_ret_fd(r, fd, ${s.result.ret});`];
    }
    case 'fork':
      return [`/* fork(): the child is the worker of task ${s.result.ret}; it inherits this fd table. */`, `do_fork(r, ${s.result.ret});`];
    case 'exit':
      return [`/* exit(): the kernel closes every fd; the coordinator waits on the pidfd. */`, `_exit(0);`];
    case 'exec':
      return [`/* execve(): a real exec would replace this worker; the model's exec only closes the FD_CLOEXEC`,
        ` * fds (do_close_on_exec), so the worker does exactly that. */`, `close_cloexec_fds();`, `set_ret(r, 0);`];
    case 'socketpair': {
      const { type } = s.args as { type: string };
      const a = [`int sv[2];`, `int rc = socketpair(AF_UNIX, ${type === 'stream' ? 'SOCK_STREAM' : 'SOCK_DGRAM'}, 0, sv);`, `set_ret(r, rc);`,
        `if (rc == 0) {`,
        `  map_fd(${fds[0] ?? -1}, sv[0]); map_fd(${fds[1] ?? -1}, sv[1]);`,
        `  r->nfds = 2; r->fds[0] = sv[0]; r->fds[1] = sv[1];`,
        `  r->ino[0] = inode_of(sv[0]); r->ino[1] = inode_of(sv[1]);`];
      if (created.length === 2) a.push(`  r->obj[0] = ${created[0]}; r->obj[1] = ${created[1]};`);
      a.push(`}`);
      return a;
    }
    case 'sendmsg': {
      const { fd, rights, oob } = s.args as { fd: number; rights: number[]; oob?: boolean };
      return [`/* one data byte${oob ? ', MSG_OOB (the byte is the receiver\'s out-of-band skb)' : ''}; SCM_RIGHTS carries ${rights.length ? `the files of fds ${rights.join(', ')}` : 'nothing'} */`,
        `int rights[] = { ${rights.length ? rights.map((x) => `FD(${x})`).join(', ') : '-1'} };`,
        `set_ret(r, send_fds_flags(FD(${fd}), rights, ${rights.length}, ${oob ? 'MSG_OOB' : '0'}));`];
    }
    case 'recvmsg': {
      const { fd, peek } = s.args as { fd: number; peek: boolean };
      const ffds = fin.fds ?? [];
      return [`/* ${peek ? 'MSG_PEEK: the message stays queued, each carried file gets a new fd' : 'the received files are installed at the lowest free fds, in order'} */`,
        ...(s.result.pending ? [`/* the trace makes this call in sub-steps (resume); here it is one recvmsg() */`] : []),
        `int trace_fds[] = { ${ffds.length ? ffds.join(', ') : '-1'} };`,
        `recv_fds(r, FD(${fd}), ${peek ? 1 : 0}, trace_fds, ${ffds.length});`];
    }
    case 'socket': {
      const { type } = s.args as { type: string };
      return [`int fd = socket(AF_UNIX, ${type === 'stream' ? 'SOCK_STREAM' : 'SOCK_DGRAM'}, 0);`,
        `if (fd >= 0) r->ino[0] = inode_of(fd);`, ...(created.length ? [`r->obj[0] = ${created[0]};`] : []), `set_ret_fd(r, fd, ${s.result.ret});`];
    }
    case 'listen': {
      const { fd } = s.args as { fd: number };
      return [`/* the model has no addresses: bind to an autobound abstract name, then listen(SOMAXCONN) */`,
        `set_ret(r, do_listen(FD(${fd})));`];
    }
    case 'connect': {
      const { fd, to } = s.args as { fd: number; to: number };
      const a = [`/* connect to the name of fd ${to} (getsockname); an unnamed fd ${to} is an address nobody has */`];
      if (s.result.pending) a.push(`/* the trace makes this call in sub-steps (resume); here it is one connect() */`);
      a.push(`set_ret(r, do_connect(FD(${fd}), FD(${to})));`);
      if (created.length) a.push(`r->obj[0] = ${created[0]};   /* the embryo: the server side, no inode until accepted */`);
      return a;
    }
    case 'accept': {
      const { fd } = s.args as { fd: number };
      const a = [`/* non-blocking, as the model's calls are */`, `int fd = do_accept(FD(${fd}));`, `if (fd >= 0) r->ino[0] = inode_of(fd);`];
      if (created.length) a.push(`r->obj[0] = ${created[0]};   /* the model's embryo that this accept takes */`);
      a.push(`set_ret_fd(r, fd, ${s.result.ret});`);
      return a;
    }
    case 'io_uring_update': {
      const { fd, offset, files } = s.args as { fd: number; offset: number; files: number[] };
      return [`/* IORING_REGISTER_FILES_UPDATE: slot ${offset} on get these files (-1 clears a slot) */`,
        `int files[] = { ${files.length ? files.map((x) => (x === -1 ? '-1' : `FD(${x})`)).join(', ') : '-1'} };`,
        `set_ret(r, files_update(FD(${fd}), ${offset}, files, ${files.length}));`];
    }
    case 'resume':
      return [`/* a no-op: the call ran whole at step ${at.from} (its result is compared where the trace's call returns) */`];
    case 'io_uring_setup':
      return [`int fd = ring_setup();`, ...(created.length ? [`r->obj[0] = ${created[0]};`] : []), `set_ret_fd(r, fd, ${s.result.ret});`];
    case 'io_uring_register': {
      const { fd, files } = s.args as { fd: number; files: number[] };
      return [`/* IORING_REGISTER_FILES: the ring takes a reference to each file */`,
        `int files[] = { ${files.length ? files.map((x) => `FD(${x})`).join(', ') : '-1'} };`,
        `set_ret(r, (int)syscall(__NR_io_uring_register, FD(${fd}), IORING_REGISTER_FILES, files, ${files.length}));`];
    }
    case 'io_uring_unregister': {
      const { fd } = s.args as { fd: number };
      return [`set_ret(r, (int)syscall(__NR_io_uring_register, FD(${fd}), IORING_UNREGISTER_FILES, NULL, 0));`];
    }
    case 'io_uring_enter': {
      const { fd, op, fixed, target } = s.args as { fd: number; op: string; fixed: boolean; target: number };
      return [`/* io_uring_enter(fd ${fd}, to_submit 1): one SQE, IORING_OP_${op.toUpperCase()} on ${fixed ? `registered slot ${target} (IOSQE_FIXED_FILE)` : `fd ${target}`},`,
        ` * user_data ${at.n}. The SQ ring, the SQEs and the CQ ring are mmapped for this call only and unmapped`,
        ` * as soon as it returns: the model has no mmaps, and a mapping holds the ring file (close would not`,
        ` * release it). Compared: the call's return, or, when the kernel failed the SQE at once (a CQE with`,
        ` * res < 0 already posted), that error, as the model shows the CQE's error as the step's result. */`,
        `ring_enter(r, FD(${fd}), ${op === 'recv' ? 'IORING_OP_RECV' : 'IORING_OP_READ'}, ${fixed ? 1 : 0}, ${fixed ? target : `FD(${target})`}, ${at.n});`];
    }
    case 'io_wq':
      return [`/* a no-op: io-wq (and io_uring's poll) run a request when the kernel runs it, not at a step */`];
    case 'io_ring_exit':
      return [`/* a no-op: ring teardown runs in the kernel's workqueue after the ring's last close, not at a step */`];
    case 'unix_gc':
      return at.gcFrom
        ? [`/* a later phase of the GC run that ran whole at step ${at.gcFrom}: a no-op */`]
        : [`/* run by the coordinator (see unix_gc_step)${(s.args as { phase?: string }).phase === 'start' ? ': the whole run, here at its first phase' : ''} */`];
    default:
      // refusal() lets no other syscall through.
      throw new ReproUnsupported(`${s.syscall} cannot be reproduced`);
  }
}

const C_PRELUDE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Raw io_uring: no liburing, and the uapi headers may be older than the kernel. */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef IORING_REGISTER_FILES
#define IORING_REGISTER_FILES 2
#endif
#ifndef IORING_UNREGISTER_FILES
#define IORING_UNREGISTER_FILES 3
#endif
#ifndef IORING_REGISTER_FILES_UPDATE
#define IORING_REGISTER_FILES_UPDATE 6
#endif
/* The uapi's mmap offsets, opcodes and SQE flag (values fixed since 5.1 / 5.6). */
#define RING_OFF_SQ_RING 0ULL
#define RING_OFF_CQ_RING 0x8000000ULL
#define RING_OFF_SQES 0x10000000ULL
#define IORING_OP_READ 22
#define IORING_OP_RECV 27
#define IOSQE_FIXED_FILE 1
/* struct io_uring_params (120 bytes) with its SQ/CQ offsets, an SQE (64 bytes), a CQE (16 bytes). */
struct ring_params {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  struct { uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; uint64_t user_addr; } sq_off;
  struct { uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; uint64_t user_addr; } cq_off;
};
struct ring_sqe {
  uint8_t opcode, flags; uint16_t ioprio; int32_t fd; uint64_t off, addr; uint32_t len, op_flags;
  uint64_t user_data; uint16_t buf_index, personality; int32_t splice_fd_in; uint64_t addr3, pad2;
};
struct ring_cqe { uint64_t user_data; int32_t res; uint32_t flags; };

/* Executor fds stay far above the model's: control pipes at 600.., pidfds at 650.., canary read ends at 700... */
#define CTL_BASE 600
#define PIDFD_BASE 650
#define CANARY_BASE 700
#define SCM_MAX_FD 253
/* Helpers a given trace may not need. */
#define HELPER static __attribute__((unused))

enum kind { K_OPEN, K_CLOSE, K_DUP, K_FORK, K_EXIT, K_EXEC, K_SOCKETPAIR, K_SENDMSG, K_RECVMSG,
            K_IO_URING_SETUP, K_IO_URING_REGISTER, K_IO_URING_UNREGISTER, K_UNIX_GC,
            K_SOCKET, K_LISTEN, K_CONNECT, K_ACCEPT, K_IO_URING_UPDATE, K_RESUME,
            K_IO_URING_ENTER, K_IO_WQ, K_IO_RING_EXIT };
/* O_EMBRYO: the server side of a connection (connect's unix_create1), no inode until accepted. */
enum objkind { O_CANARY, O_UNIX, O_RING, O_EMBRYO };

/* pending: the trace recorded the call as still in progress (it returns at step \`until\`);
 * from: for a resume, the step where the call was made whole; for a later GC phase, the run's first step;
 * gc_run: a unix_gc step where the coordinator runs the GC (a whole run, or a phased run's start). */
struct trace_step { const char *text; int task; int kind; int ret; const char *err; int nfds; int fds[8];
                    int pending; int from; int until; int gc_run; };
struct object {
  const char *name; int kind; int step; int model_released;
  int canary_rd;         /* coordinator's copy of a canary's read end */
  unsigned long ino;     /* a unix socket's inode */
  int released;
};
/* A worker's answer for one step (one write on a pipe: well below PIPE_BUF). */
struct reply {
  int ret, err, nfds, ctrunc;
  int fds[16];
  int obj[2];            /* objects created by the step */
  unsigned long ino[2];  /* their inodes (unix sockets) */
  int canary_rd;         /* the worker's read end of a new canary */
  int child_pid;         /* fork: the child's pid */
  int enter_ret;         /* io_uring_enter: what the call returned (ret is the result compared) */
  int has_cqe, cqe_res;  /* io_uring_enter: the SQE's CQE, when it was posted before the call returned */
};
`;

const C_RUNTIME = String.raw`
static const struct { int e; const char *name; } errnames[] = {
  { EBADF, "EBADF" }, { EINVAL, "EINVAL" }, { EBUSY, "EBUSY" }, { ENXIO, "ENXIO" }, { EMFILE, "EMFILE" },
  { EAGAIN, "EAGAIN" }, { ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNREFUSED, "ECONNREFUSED" },
  { EPIPE, "EPIPE" }, { ENFILE, "ENFILE" }, { EPERM, "EPERM" }, { ENOSYS, "ENOSYS" }, { ENOMEM, "ENOMEM" },
  { EFAULT, "EFAULT" }, { ETOOMANYREFS, "ETOOMANYREFS" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" },
};
static const char *errname(int e) {
  static char buf[16];
  for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++) if (errnames[i].e == e) return errnames[i].name;
  snprintf(buf, sizeof buf, "E%d", e);
  return buf;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static void sleep_ms(int ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&ts, NULL); }
static void die(const char *what) { fprintf(stderr, "repro: %s: %s\n", what, strerror(errno)); exit(2); }

/* Moves fd to the lowest free fd >= at and closes the original. */
static int move_high(int fd, int at) {
  int h = fcntl(fd, F_DUPFD, at);
  if (h < 0) die("F_DUPFD");
  close(fd);
  return h;
}

/* ---------------------------------------------------------------------------------------------- */
/* Worker side: the model's fd numbers, translated to the kernel's (inherited over fork).          */

static int fdmap[MAXFD];     /* model fd -> kernel fd, -1 = not mapped */
static int my_task = -1;

/* The kernel fd for the trace's fd m: mapped, or m itself (so a closed fd gives the kernel's EBADF). */
HELPER int FD(int m) { return (m >= 0 && m < MAXFD && fdmap[m] >= 0) ? fdmap[m] : m; }
HELPER void map_fd(int m, int k) { if (m >= 0 && m < MAXFD) fdmap[m] = k; }
HELPER void unmap_fd(int m) { if (m >= 0 && m < MAXFD) fdmap[m] = -1; }

HELPER void set_ret(struct reply *r, int rc) { r->ret = rc; r->err = rc < 0 ? errno : 0; }
/* A call that returns a new fd: the trace's fd number (if it recorded success) now names it. */
HELPER void set_ret_fd(struct reply *r, int fd, int trace_fd) {
  set_ret(r, fd);
  if (fd >= 0 && trace_fd >= 0) map_fd(trace_fd, fd);
}

HELPER unsigned long inode_of(int fd) { struct stat st; return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0; }

/* open(): a canary. pipe2 takes two fds; the read end moves high, and the pipe is reopened O_RDWR
 * (blocking) through /proc/self/fd at the lowest free fd, so the "file" takes exactly one fd, the one
 * open() would have returned, and is readable like the model's O_RDWR file: an io_uring read on it has
 * nothing to read and stays pending. It counts as a writer, so the read end sees EOF once it is gone.
 * Without /proc the write end itself is the file (a read on it then fails with EBADF). */
HELPER int make_canary(struct reply *r) {
  int p[2];
  if (pipe2(p, O_NONBLOCK) < 0) return -1;
  r->canary_rd = move_high(p[0], CANARY_BASE);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
  int w = open(path, O_RDWR);
  if (w < 0) w = fcntl(p[1], F_DUPFD, 0);
  close(p[1]);
  return w;
}

HELPER int send_fds_flags(int sock, const int *fds, int n, int flags) {
  char byte = 'x';
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } u;
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1;
  if (n > 0) {
    memset(&u, 0, sizeof u);
    m.msg_control = u.buf; m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
  }
  /* MSG_NOSIGNAL: EPIPE without a fatal SIGPIPE; MSG_DONTWAIT: EAGAIN instead of blocking. */
  return (int)sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL | flags);
}
HELPER int send_fds(int sock, const int *fds, int n) { return send_fds_flags(sock, fds, n, 0); }

/* listen as the model has it (no addresses): a stream socket is bound to an autobound abstract name
 * (bind with only sun_family), then listen(SOMAXCONN); anything else gets a plain listen() (a dgram
 * socket stays unbound: EOPNOTSUPP). */
HELPER int do_listen(int fd) {
  int type = 0;
  socklen_t tl = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM) {
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) < 0) return -1;
  }
  return listen(fd, SOMAXCONN);
}

/* connect(fd) to the name of \`to\` (getsockname); when \`to\` has none (not a socket, never listened), an
 * abstract name nobody has: ECONNREFUSED, as the model says. */
HELPER int do_connect(int fd, int to) {
  struct sockaddr_un sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  if (getsockname(to, (struct sockaddr *)&sa, &len) < 0 || len <= sizeof(sa_family_t)) {
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "inflight-repro-nobody-%d", (int)getpid());
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  }
  return connect(fd, (struct sockaddr *)&sa, len);
}

/* accept, non-blocking: O_NONBLOCK on the listener's file around the call (EAGAIN on an empty queue). */
HELPER int do_accept(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  int r = accept4(fd, NULL, NULL, 0);
  int e = errno;
  if (fl >= 0) fcntl(fd, F_SETFL, fl);
  errno = e;
  return r;
}

/* IORING_REGISTER_FILES_UPDATE (struct io_uring_files_update: offset, resv, fds pointer). */
HELPER int files_update(int ring, unsigned offset, int *files, int n) {
  struct { uint32_t offset, resv; uint64_t fds; } __attribute__((aligned(8))) up = { offset, 0, (uint64_t)(uintptr_t)files };
  return (int)syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, &up, n);
}

/* recvmsg with room for SCM_MAX_FD fds (too small a buffer makes the kernel close the surplus). */
HELPER void recv_fds(struct reply *r, int sock, int peek, const int *trace_fds, int ntrace) {
  char byte;
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } u;
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = u.buf; m.msg_controllen = sizeof u.buf;
  int rc = (int)recvmsg(sock, &m, MSG_DONTWAIT | (peek ? MSG_PEEK : 0));
  set_ret(r, rc);
  if (rc < 0) return;
  r->ctrunc = (m.msg_flags & MSG_CTRUNC) != 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int got[SCM_MAX_FD];
    memcpy(got, CMSG_DATA(c), sizeof(int) * n);
    for (int i = 0; i < n; i++) {
      if (r->nfds < (int)(sizeof r->fds / sizeof r->fds[0])) r->fds[r->nfds] = got[i];
      if (r->nfds < ntrace) map_fd(trace_fds[r->nfds], got[i]);
      r->nfds++;
    }
  }
}

/* Each ring's io_uring_params (its mmap layout), by kernel fd: kept at setup, copied by dup, forgotten at
 * close; forked workers inherit the table. A ring fd this table does not know (received in a message) takes
 * the layout of the start-up probe ring: every ring here is made with the same entries and flags. */
static struct ring_params ring_of[CTL_BASE], ring_template;
static int ring_known[CTL_BASE], have_template;

HELPER int ring_setup(void) {
  struct ring_params p;
  memset(&p, 0, sizeof p);                 /* all zero = default flags */
  int fd = (int)syscall(__NR_io_uring_setup, 8, &p);
  if (fd >= 0 && fd < CTL_BASE) { ring_of[fd] = p; ring_known[fd] = 1; }
  if (fd >= 0 && !have_template) { ring_template = p; have_template = 1; }
  return fd;
}
HELPER void ring_forget(int fd) { if (fd >= 0 && fd < CTL_BASE) ring_known[fd] = 0; }
HELPER void ring_copy(int to, int from) {
  if (to < 0 || to >= CTL_BASE) return;
  ring_known[to] = from >= 0 && from < CTL_BASE && ring_known[from];
  if (ring_known[to]) ring_of[to] = ring_of[from];
}

/* io_uring_enter with one SQE, through mmaps that live only for this call. r->ret/err: the call's result,
 * or the CQE's error when the SQE failed at once (res < 0 posted before the call returned). */
static char ring_bufs[NSTEPS + 1][16];       /* a read/recv buffer per step (a pending request keeps it) */
HELPER void ring_enter(struct reply *r, int ring, int op, int fixed, int target, int n) {
  const struct ring_params *p = ring >= 0 && ring < CTL_BASE && ring_known[ring] ? &ring_of[ring] : have_template ? &ring_template : NULL;
  void *sq = MAP_FAILED, *sqes = MAP_FAILED, *cq = MAP_FAILED;
  size_t sq_len = 0, sqes_len = 0, cq_len = 0;
  if (p) {
    sq_len = p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    sqes_len = p->sq_entries * sizeof(struct ring_sqe);
    cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct ring_cqe);
    sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQ_RING);
    sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQES);
    cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_CQ_RING);
  }
  int mapped = sq != MAP_FAILED && sqes != MAP_FAILED && cq != MAP_FAILED;
  uint32_t chead = 0;
  if (mapped) {
    uint32_t *tail = (uint32_t *)((char *)sq + p->sq_off.tail);
    uint32_t mask = *(uint32_t *)((char *)sq + p->sq_off.ring_mask);
    uint32_t t = *tail, idx = t & mask;    /* this process is the only producer now */
    struct ring_sqe *e = (struct ring_sqe *)sqes + idx;
    memset(e, 0, sizeof *e);
    e->opcode = (uint8_t)op;
    e->flags = fixed ? IOSQE_FIXED_FILE : 0;
    e->fd = target;
    e->addr = (uint64_t)(uintptr_t)ring_bufs[n];
    e->len = sizeof ring_bufs[n];
    e->user_data = (uint64_t)n;
    ((uint32_t *)((char *)sq + p->sq_off.array))[idx] = idx;
    chead = *(uint32_t *)((char *)cq + p->cq_off.head);
    __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
  }
  /* Not mapped (not a ring, a closed fd): the call is made all the same, and its error is the kernel's. */
  int rc = (int)syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0);
  int e = errno;
  r->enter_ret = rc;
  if (mapped && rc >= 0) {
    uint32_t ctail = __atomic_load_n((uint32_t *)((char *)cq + p->cq_off.tail), __ATOMIC_ACQUIRE);
    uint32_t cmask = *(uint32_t *)((char *)cq + p->cq_off.ring_mask);
    struct ring_cqe *cqes = (struct ring_cqe *)((char *)cq + p->cq_off.cqes);
    for (uint32_t h = chead; h != ctail; h++) {
      if (cqes[h & cmask].user_data == (uint64_t)n) { r->has_cqe = 1; r->cqe_res = cqes[h & cmask].res; }
    }
  }
  /* Unmapped at once: no mapping may hold the ring past the trace's close. */
  if (sq != MAP_FAILED) munmap(sq, sq_len);
  if (sqes != MAP_FAILED) munmap(sqes, sqes_len);
  if (cq != MAP_FAILED) munmap(cq, cq_len);
  if (rc < 0) { r->ret = -1; r->err = e; }
  else if (r->has_cqe && r->cqe_res < 0) { r->ret = -1; r->err = -r->cqe_res; }
  else { r->ret = rc; r->err = 0; }
}

HELPER void close_cloexec_fds(void) {
  for (int fd = 3; fd < CTL_BASE; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC) && close(fd) == 0) ring_forget(fd);
  }
}

/* Control plane: cmd[t] carries step numbers to task t's worker, reply carries answers back. */
static int cmd_rd[NTASKS], cmd_wr[NTASKS], reply_rd, reply_wr;

static void run_step(int n, struct reply *r);
static void worker_loop(int task);

HELPER void do_fork(struct reply *r, int child_task) {
  pid_t pid = fork();
  if (pid == 0) worker_loop(child_task);   /* never returns */
  set_ret(r, pid < 0 ? -1 : child_task);
  r->child_pid = pid;
}

static void worker_loop(int task) {
  my_task = task;
  for (;;) {
    int n;
    if (read(cmd_rd[task], &n, sizeof n) != sizeof n) _exit(3);
    if (n < 0) _exit(0);                   /* the run is over */
    struct reply r;
    memset(&r, 0, sizeof r);
    r.obj[0] = r.obj[1] = -1; r.canary_rd = -1; r.child_pid = -1;
    run_step(n, &r);
    if (write(reply_wr, &r, sizeof r) != sizeof r) _exit(3);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* Coordinator side: observers.                                                                    */

static int pidfd[NTASKS];
static int pidfd_next = PIDFD_BASE;

static int take_pidfd(int pid) {
  int fd = (int)syscall(__NR_pidfd_open, pid, 0);
  if (fd < 0) die("pidfd_open");
  fd = move_high(fd, pidfd_next);
  pidfd_next = fd + 1;
  return fd;
}

/* Is the inode listed in /proc/net/unix (a live unix socket)? Reading it does not trigger the GC. */
static int unix_inode_live(unsigned long ino) {
  FILE *f = fopen("/proc/net/unix", "r");
  if (!f) return -1;
  char line[512];
  int found = 0;
  if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }   /* header */
  while (!found && fgets(line, sizeof line, f)) {
    unsigned long inode;
    if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &inode) == 1 && inode == ino) found = 1;
  }
  fclose(f);
  return found;
}

/* Canary: EOF (read returns 0) once no write end is left; EAGAIN while one is. */
static int canary_released(int rd) {
  char c;
  ssize_t n = read(rd, &c, 1);
  return n == 0;
}

static int created[NOBJS + 1];   /* has the object been made here (its step ran and succeeded)? */
/* A call the trace makes in sub-steps: the kernel's reply of the whole call, kept for the step where the
 * trace's call returns. */
static struct reply made[NTASKS];
static int have_made[NTASKS];

/* Polls every object; prints the ones that are released now and were not before. */
static int observe(int print) {
  int changed = 0;
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    if (o->released || !created[i]) continue;
    int rel = 0;
    if (o->kind == O_CANARY && o->canary_rd >= 0) rel = canary_released(o->canary_rd);
    else if ((o->kind == O_UNIX || o->kind == O_EMBRYO) && o->ino) rel = unix_inode_live(o->ino) == 0;
    if (rel) {
      if (print && !changed) printf("        released now:");
      if (print) printf(" %s", o->name);
      o->released = 1;
      changed = 1;
    }
  }
  if (print && changed) printf("\n");
  return changed;
}

/* Waits until nothing changes for quiet_ms, at most max_ms. Asynchronous releases need this: ring
 * teardown runs in a workqueue about 20-80 ms after the ring's last close, and a file whose last
 * reference goes from a kernel worker is put by delayed_fput one jiffy later. */
static void settle(int quiet_ms, int max_ms) {
  double start = now_ms(), last = start;
  while (now_ms() - start < max_ms) {
    if (observe(0)) last = now_ms();
    if (now_ms() - last >= quiet_ms) break;
    sleep_ms(2);
  }
}

/* unix_gc: the kernel runs the unix GC only when something triggers it; on 6.18 the trigger is the
 * final release of any AF_UNIX socket while any unix socket is in flight, and the GC itself then runs
 * in a workqueue (no user API runs it or waits for it). So: build a sentinel cycle (two sockets, each in
 * the other's queue, no fd left) that only a GC run can release, kick the GC with socket(AF_UNIX) +
 * close, and poll until the sentinel is gone (it goes in the same run as the trace's garbage), at most
 * 300 ms, then a short quiet window for the delayed_fput of what the GC purged. */
static void unix_gc_step(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) die("sentinel socketpair");
  unsigned long ia = inode_of(sv[0]), ib = inode_of(sv[1]);
  if (send_fds(sv[0], &sv[0], 1) < 0 || send_fds(sv[1], &sv[1], 1) < 0) die("sentinel sendmsg");
  close(sv[0]); close(sv[1]);                 /* in flight: not a release, not a trigger */
  double t0 = now_ms();
  int kick = socket(AF_UNIX, SOCK_DGRAM, 0);  /* the kick: its release runs unix_gc() */
  if (kick >= 0) close(kick);
  int done = 0;
  while (now_ms() - t0 < 300) {
    observe(0);
    if (unix_inode_live(ia) == 0 && unix_inode_live(ib) == 0) { done = 1; break; }
    sleep_ms(2);
  }
  double ms = now_ms() - t0;
  settle(30, 100);
  if (done) printf("        kicked the GC: it ran within %.1f ms\n", ms);
  else printf("        kicked the GC: no run seen within 300 ms\n");
}
`;

const C_MAIN = String.raw`
static void print_result(int ret, int err, int nfds, const int *fds) {
  if (ret < 0) { printf("-1 %s", errname(err)); return; }
  printf("%d", ret);
  if (nfds > 0) {
    printf(" [fds");
    for (int i = 0; i < nfds; i++) printf("%s %d", i ? "," : "", fds[i]);
    printf("]");
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_IGN);                  /* workers are reaped by the kernel; exits are seen on pidfds */
  for (int i = 0; i < MAXFD; i++) fdmap[i] = -1;
  for (int i = 0; i < NOBJS; i++) objs[i].canary_rd = -1;

  struct utsname u;
  uname(&u);
  int probe = ring_setup();
  int ring_ok = probe >= 0, probe_err = errno;
  if (probe >= 0) { close(probe); ring_forget(probe); }
  printf("kernel %s %s; io_uring %s\n", u.sysname, u.release, ring_ok ? "usable" : errname(probe_err));
  if (!ring_ok) printf("(io_uring is not usable here: its steps will fail with %s)\n", errname(probe_err));
  printf("trace: %d steps of design %s\n\n", NSTEPS, DESIGN);

  int ctl = CTL_BASE;
  for (int t = 0; t < NTASKS; t++) {
    int p[2];
    if (pipe(p) < 0) die("pipe");
    cmd_rd[t] = move_high(p[0], ctl); cmd_wr[t] = move_high(p[1], ctl);
    ctl = cmd_wr[t] + 1;
    pidfd[t] = -1;
  }
  int p[2];
  if (pipe(p) < 0) die("pipe");
  reply_rd = move_high(p[0], ctl); reply_wr = move_high(p[1], ctl);

  pid_t w0 = fork();
  if (w0 < 0) die("fork");
  if (w0 == 0) worker_loop(0);
  pidfd[0] = take_pidfd(w0);
  int pids[NTASKS];
  for (int t = 0; t < NTASKS; t++) pids[t] = -1;
  pids[0] = w0;

  int differ = 0;
  for (int n = 1; n <= NSTEPS; n++) {
    const struct trace_step *s = &trace_steps[n];
    struct reply r;
    memset(&r, 0, sizeof r);
    r.obj[0] = r.obj[1] = -1; r.canary_rd = -1;
    if (s->kind == K_IO_WQ || s->kind == K_IO_RING_EXIT) {
      /* The kernel's own work (io-wq / poll, ring teardown): nothing to make, nothing to compare. */
      printf("step %d %s: kernel - (%s); trace ", n, s->text, s->kind == K_IO_WQ
             ? "io_uring runs its requests when the kernel runs them" : "ring teardown runs in a workqueue after the last close");
      if (s->err[0]) printf("-1 %s", s->err); else print_result(s->ret, 0, s->nfds, s->fds);
      printf("; not compared\n");
      observe(1);
      continue;
    } else if (s->kind == K_UNIX_GC) {
      r.ret = 0;
    } else if (s->kind == K_RESUME) {
      /* No syscall: the call ran whole at step s->from. Where the trace's call returns, its result is that one. */
      if (!s->pending && have_made[s->task]) {
        r = made[s->task];
        r.obj[0] = r.obj[1] = -1; r.canary_rd = -1; r.child_pid = -1;
        have_made[s->task] = 0;
      } else r.ret = 0;
    } else if (pids[s->task] < 0) {
      printf("step %d %s: no process for task %d (the trace's own steps never made it)\n", n, s->text, s->task);
      differ = 1;
      continue;
    } else {
      if (write(cmd_wr[s->task], &n, sizeof n) != sizeof n) die("write cmd");
      if (s->kind == K_EXIT) {
        /* The worker exits without answering; its files are closed before its pidfd turns readable. */
        struct pollfd pf = { pidfd[s->task], POLLIN, 0 };
        if (poll(&pf, 1, 2000) != 1) printf("        (task %d did not exit within 2 s)\n", s->task);
        close(pidfd[s->task]); pidfd[s->task] = -1; pids[s->task] = -1;
        r.ret = 0;
      } else if (read(reply_rd, &r, sizeof r) != sizeof r) die("read reply");
    }

    /* One line per step: what the kernel did, what the trace recorded, and whether they agree. */
    if (s->pending) {
      /* The trace's call is still in progress after this step; here it is one syscall, made whole at its
       * first step, so its result is compared where the trace's call returns. */
      printf("step %d %s: kernel ", n, s->text);
      if (s->kind == K_RESUME) printf("- (the call ran whole at step %d)", s->from);
      else print_result(r.ret, r.err, r.nfds, r.fds);
      printf("; trace ... (in progress); ");
      if (s->until) printf("compared at step %d\n", s->until);
      else printf("the trace ends before the call returns\n");
      if (s->kind != K_RESUME) { made[s->task] = r; have_made[s->task] = 1; }
    } else {
    printf("step %d %s: kernel ", n, s->text);
    if (s->kind == K_FORK && r.ret >= 0) printf("%d (task %d, pid %d)", r.ret, r.ret, r.child_pid);
    else print_result(r.ret, r.err, r.nfds, r.fds);
    printf("; trace ");
    if (s->err[0]) printf("-1 %s", s->err); else print_result(s->ret, 0, s->nfds, s->fds);
    int returns_fd = s->kind == K_OPEN || s->kind == K_DUP || s->kind == K_IO_URING_SETUP || s->kind == K_SOCKET || s->kind == K_ACCEPT;
    int agree, renumbered = 0;
    if (s->err[0]) agree = r.ret < 0 && strcmp(errname(r.err), s->err) == 0;
    else if (r.ret < 0) agree = 0;
    else if (returns_fd) { agree = 1; renumbered = r.ret != s->ret; }
    else {
      agree = r.ret == s->ret && r.nfds == s->nfds;
      for (int i = 0; i < s->nfds && i < r.nfds; i++) if (r.fds[i] != s->fds[i]) renumbered = 1;
    }
    printf("; %s\n", !agree ? "DIFFERS" : renumbered ? "same, other fd numbers" : "same");
    if (!agree) differ = 1;
    if (renumbered) {
      printf("        fd numbers: the trace's");
      if (returns_fd) printf(" %d is %d here", s->ret, r.ret);
      else for (int i = 0; i < s->nfds && i < r.nfds; i++) printf(" %d is %d here;", s->fds[i], r.fds[i]);
      printf(" (later steps use the kernel's)\n");
    }
    if (s->kind == K_RESUME) printf("        (the kernel's result of the call made whole at step %d)\n", s->from);
    if (s->kind == K_IO_URING_ENTER) {
      printf("        io_uring_enter returned ");
      print_result(r.enter_ret, r.err, 0, NULL);
      if (r.has_cqe) printf("; the SQE's CQE was posted at once: res %d%s%s\n", r.cqe_res, r.cqe_res < 0 ? " " : "", r.cqe_res < 0 ? errname(-r.cqe_res) : "");
      else if (r.enter_ret >= 0) printf("; no CQE yet: the request is pending in the kernel\n");
      else printf("\n");
    }
    }
    if (r.ctrunc && s->kind != K_RESUME) printf("        MSG_CTRUNC: the kernel dropped fds that did not fit\n");

    /* Learn about new objects and processes. */
    if (s->kind == K_FORK && r.ret >= 0 && r.ret < NTASKS) { pids[r.ret] = r.child_pid; pidfd[r.ret] = take_pidfd(r.child_pid); }
    for (int i = 0; i < 2; i++) {
      int o = r.obj[i];
      if (o < 0 || o >= NOBJS || (r.ret < 0)) continue;
      created[o] = 1;
      if (objs[o].kind == O_UNIX || (objs[o].kind == O_EMBRYO && r.ino[i])) objs[o].ino = r.ino[i];
    }
    if (r.canary_rd >= 0 && r.obj[0] >= 0 && r.ret >= 0) {
      /* The coordinator takes its own copy of the canary's read end (the worker's may go with it). */
      int fd = (int)syscall(__NR_pidfd_getfd, pidfd[s->task], r.canary_rd, 0);
      if (fd < 0) die("pidfd_getfd");
      objs[r.obj[0]].canary_rd = move_high(fd, CANARY_BASE);
    }
    if (s->kind == K_UNIX_GC && s->gc_run) unix_gc_step();
    else if (s->kind == K_UNIX_GC) printf("        (a later phase of the GC run made whole at step %d: nothing to do)\n", s->from);
    observe(1);
  }

  /* The end: let asynchronous releases (ring teardown, delayed_fput) finish, at most 500 ms. */
  settle(100, 500);
  printf("\nfiles at the end (kernel; model):\n");
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    const char *what = o->kind == O_CANARY ? "regular file (canary pipe)" : o->kind == O_UNIX ? "unix socket"
      : o->kind == O_EMBRYO ? "unix socket (connection)" : "io_uring ring";
    const char *kstate = !created[i] ? "never made here"
      : o->kind == O_RING ? "not observable (seen through the files it holds)"
      : o->kind == O_EMBRYO && !o->ino ? "not observable (never accepted: no inode)"
      : o->released ? "released" : "live";
    const char *mstate = o->model_released < 0 ? "?" : o->model_released ? "released" : "live";
    printf("  %s  %-27s made at step %d: %s; model: %s\n", o->name, what, o->step, kstate, mstate);
  }
  printf("\n%s\n", differ ? "the kernel's results DIFFER from the trace's" : "the kernel's results agree with the trace's");

  /* Stop the workers that are still alive. */
  for (int t = 0; t < NTASKS; t++) if (pids[t] > 0) { int stop = -1; if (write(cmd_wr[t], &stop, sizeof stop) < 0) {} }
  return 0;
}
`;
