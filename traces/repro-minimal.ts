// `inflight repro --minimal`: a one-task trace as a flat C program, the way a syzkaller reproducer reads:
// main makes one raw syscall() per step, in the trace's order, with literal fd numbers (the model numbers
// fds as the kernel does, lowest free first, and this program opens none of its own below them), and
// checks each result against the design's; it prints only the steps that differ and exits 1 if any does.
// No observers (canaries, /proc/net/unix): which files the kernel released is the full form's business.
//
// Kept from the full form (traces/repro.ts, same choices, same reasons): the model's address n is the
// abstract name "\0inflight-repro-<pid>-<n>" for bind and connect; accept is non-blocking (O_NONBLOCK
// around the call); io_uring_enter submits one SQE through mmaps unmapped as soon as the call returns, and
// the result compared is the call's or the CQE's error posted at once; a call the trace makes in sub-steps
// (resume) is one syscall, made and compared at its first step with the result where the trace's call
// returns; a GC run (in phases or not) is a kick at its first step; io_wq and io_ring_exit are the
// kernel's own work, no code. A regular file is a FIFO opened O_RDWR (readable with nothing to read, as
// the full form's canary pipe is), one struct file per open.
//
// Refused (ReproUnsupported, E_REPRO_UNSUPPORTED): a trace with more than one task (a fork, a step of
// another task), a GC after the task's exit (no process is left to kick it), and what the full form
// refuses.
//
// As in the full form, the C is in a .c file (traces/repro/prelude.c, shared with the full form, then minimal.c: the helpers), and the generated part
// is main from the fixed templates below: numbers the generator checked (cint), names of the C's
// constants, and strings only as octal-escaped literals in the step_text/step_recorded tables (cstr); no
// string of the trace goes into a comment or into code.
import { formatStep, makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import { formatResult, type Result } from '../model/step.js';
import { FD_BASE, type World } from '../model/world.js';
import { traceStepToStep, walkSteps } from './build.js';
import type { TraceFile, TraceStep } from './format.js';
import { cint, cSource, cstr, fdArg, indexArg, refusal, ReproUnsupported, sameResult, type ReproOptions } from './repro.js';

/** Why a trace has no flat one-task program, or undefined when it has. */
function minimalRefusal(steps: readonly TraceStep[]): string | undefined {
  let exited = -1;
  for (const [i, s] of steps.entries()) {
    const n = i + 1;
    if (s.syscall === 'fork') return `--minimal makes one-task traces only: step ${n} (fork) makes a second task; the full form (without --minimal) runs one process per task`;
    if (s.task !== 0 && s.task !== 'kernel') return `--minimal makes one-task traces only: step ${n} is a step of task ${String(s.task)}; the full form (without --minimal) runs one process per task`;
    if (s.syscall === 'exit') exited = n;
    else if (exited > 0 && s.syscall === 'unix_gc') return `--minimal cannot make step ${n} (unix_gc): it comes after the task's exit at step ${exited}, and the flat program ends there; the full form (without --minimal) kicks the GC from its coordinator`;
  }
  return undefined;
}

const fdName = (m: number, maxFd: number): string => fdArg(m, maxFd).replace('FD_OUTSIDE', 'FAR_FD');
const intList = (xs: readonly string[]): string => (xs.length ? `(int[]){ ${xs.join(', ')} }` : 'NULL');

export function reproMinimalC(trace: TraceFile, opts: ReproOptions = {}): string {
  const steps = trace.steps;
  steps.forEach((s, i) => { const why = refusal(s, i + 1); if (why) throw new ReproUnsupported(why); });
  const why = minimalRefusal(steps);
  if (why) throw new ReproUnsupported(why);
  const design: Design | undefined = opts.design ?? builtinDesign(trace.design);
  if (!design) throw new Error(`the trace was made with design '${trace.design}', which is not built in: give it with --design FILE.ts`);
  const maxFd = FD_BASE + trace.bounds.fds;

  // What the templates need of the model's worlds: the file at an fd before the step (a ring's params, a
  // listener's type, the FD_CLOEXEC fds of an exec), and the ring each setup made.
  const befores: World[] = [];
  const ringOf = new Map<number, number>();   // file id -> index of its io_uring_setup in ring_p[]
  const setupK = new Map<number, number>();   // io_uring_setup's step index -> its ring_p[] index
  const run = walkSteps(steps, makeCtx(design, trace.bounds), (i, before, after, result) => {
    if (i < 0) return;
    befores[i] = before;
    if (steps[i]!.syscall === 'io_uring_setup' && result!.errno === undefined) {
      const id = after.tasks[0]?.fds[result!.ret - FD_BASE]?.file;
      setupK.set(i, setupK.size);
      if (id !== undefined) ringOf.set(id, setupK.size - 1);
    }
  });
  if (run.impossible !== undefined) throw new Error(`step ${run.impossible + 1} cannot be made in design ${design.name} (no such task, or beyond the trace's bounds)`);
  const results = run.results;
  const fileAt = (i: number, fd: number): { id: number; w: World } | undefined => {
    const w = befores[i]!;
    const id = Number.isSafeInteger(fd) && fd >= FD_BASE ? w.tasks[0]?.fds[fd - FD_BASE]?.file : undefined;
    return id === undefined ? undefined : { id, w };
  };

  // A call in sub-steps: made and compared at its first step, with the result of the step where it returns.
  const returnsAt = new Map<number, number>();   // first step index -> index of the step where the call returns
  const callOf = new Map<number, number>();      // resume index -> the call's first step index
  steps.forEach((s, i) => {
    if (s.syscall === 'resume' || !results[i]!.pending) return;
    for (let j = i + 1; j < steps.length; j++) {
      const r = steps[j]!;
      if (r.task !== s.task) continue;
      if (r.syscall !== 'resume') break;
      callOf.set(j, i);
      if (!results[j]!.pending) { returnsAt.set(i, j); break; }
    }
  });
  let gcStart = -1;

  const body: string[] = [];
  const texts: string[] = [];
  const recorded: string[] = [];
  steps.forEach((s, i) => {
    const n = i + 1;
    const N = cint(n);
    const res0 = results[i]!;
    texts.push(cstr(`${s.task === 'kernel' ? 'kernel' : `T${s.task}`} ${formatStep(traceStepToStep(s))}`));
    const differsFromFile = !sameResult(s.result, res0);
    recorded.push(differsFromFile ? cstr(formatResult(s.result)) : 'NULL');
    const pending = res0.pending === true;
    const fin: Result | undefined = pending ? (returnsAt.has(i) ? results[returnsAt.get(i)!]! : undefined) : res0;
    const a = s.args as { fd?: number; addr?: number; rights?: number[]; files?: number[]; type?: string; peek?: boolean; oob?: boolean;
      op?: string; fixed?: boolean; target?: number; offset?: number; phase?: string; val?: number };
    const fd = a.fd === undefined ? '0' : fdName(a.fd, maxFd);
    const line = (...xs: string[]): void => { body.push(...xs.map((x) => `  ${x}`)); };
    const ret = (r: Result): string => `${cint(r.ret)}, ${cstr(r.errno ?? '')}`;
    // The check after the call: the design's result (where the trace's call returns); none when the trace
    // ends before the call returns.
    const check = (fn: (r: Result) => string): void => {
      if (fin) line(fn(fin));
      else {
        line(`(void)res;   /* the trace ends before this call returns: nothing to compare */`);
        if (differsFromFile) line(`recorded_differs(${N});`);
      }
      if (pending && fin) body[body.length - 1] += `   /* the trace's call returns at step ${cint(returnsAt.get(i)! + 1)} */`;
    };
    const expect = (): void => check((r) => `expect(${N}, res, ${ret(r)});`);
    const noCode = (why: string): void => { line(`/* ${why} */`); if (differsFromFile) line(`recorded_differs(${N});`); };
    body.push(`  /* step ${N} */`);
    switch (s.syscall) {
      case 'open': line('res = syscall(__NR_openat, AT_FDCWD, fifo, O_RDWR);'); expect(); break;
      case 'close': line(`res = syscall(__NR_close, ${fd});`); expect(); break;
      case 'dup': line(`res = syscall(__NR_dup, ${fd});`); expect(); break;
      // SOL_SOCKET, SO_PASSRIGHTS (83, 6.16: older kernels answer ENOPROTOOPT), an int.
      case 'setsockopt': line(`res = syscall(__NR_setsockopt, ${fd}, SOL_SOCKET, 83, &(int){ ${a.val === 1 ? 1 : 0} }, sizeof(int));`); expect(); break;
      case 'exec': {
        // The model's execve only closes the FD_CLOEXEC fds (do_close_on_exec): that, without the exec.
        const w = befores[i]!;
        const cloexec = (w.tasks[0]?.fds ?? []).flatMap((slot, j) => (slot?.cloexec ? [j + FD_BASE] : []));
        line(`/* execve: the model's closes the FD_CLOEXEC fds${cloexec.length ? '' : ' (none here)'}, which is all this program does of it */`);
        for (const m of cloexec) line(`syscall(__NR_close, ${cint(m)});`);
        line('res = 0;');
        expect();
        break;
      }
      case 'exit':
        line('/* exit: the process ends, and with it the task\'s files */');
        line(`return finish(NSTEPS);`);
        break;
      case 'socket': line(`res = syscall(__NR_socket, AF_UNIX, ${a.type === 'stream' ? 'SOCK_STREAM' : 'SOCK_DGRAM'}, 0);`); expect(); break;
      case 'socketpair':
        line(`res = syscall(__NR_socketpair, AF_UNIX, ${a.type === 'stream' ? 'SOCK_STREAM' : 'SOCK_DGRAM'}, 0, pair);`);
        check((r) => `expect_fds(${N}, res, ${ret(r)}, ${cint((r.fds ?? []).length)}, ${intList((r.fds ?? []).map(cint))}, 2, pair);`);
        break;
      case 'sendmsg': {
        const list = (a.rights ?? []).map((m) => fdName(m, maxFd));
        line(`res = syscall(__NR_sendmsg, ${fd}, rights_msg(${cint(list.length)}, ${intList(list)}), MSG_DONTWAIT | MSG_NOSIGNAL${a.oob ? ' | MSG_OOB' : ''});`);
        expect();
        break;
      }
      case 'recvmsg':
        line(`res = syscall(__NR_recvmsg, ${fd}, recv_msg(), MSG_DONTWAIT${a.peek ? ' | MSG_PEEK' : ''});`);
        check((r) => `expect_fds(${N}, res, ${ret(r)}, ${cint((r.fds ?? []).length)}, ${intList((r.fds ?? []).map(cint))}, received(), got_fds);`);
        break;
      case 'bind':
        line(`addr = abstract_name(${cint(a.addr ?? 0)}, &len);`);
        line(`res = syscall(__NR_bind, ${fd}, addr, len);`);
        expect();
        break;
      case 'listen':
        line(`res = syscall(__NR_listen, ${fd}, SOMAXCONN);`);
        expect();
        break;
      case 'connect':
        line(`addr = abstract_name(${cint(a.addr ?? 0)}, &len);`);
        line(`res = syscall(__NR_connect, ${fd}, addr, len);`);
        expect();
        break;
      case 'accept':
        line(`syscall(__NR_fcntl, ${fd}, F_SETFL, O_NONBLOCK);   /* the model's accept does not block */`);
        line(`res = syscall(__NR_accept4, ${fd}, NULL, NULL, 0);`);
        expect();
        line(`syscall(__NR_fcntl, ${fd}, F_SETFL, 0);`);
        break;
      case 'io_uring_setup': {
        // A setup the design fails gets the spare last entry.
        line(`res = syscall(__NR_io_uring_setup, 8, &ring_p[${cint(setupK.get(i) ?? setupK.size)}]);`);
        expect();
        break;
      }
      case 'io_uring_register': {
        const list = (a.files ?? []).map((m) => fdName(m, maxFd));
        line(`res = syscall(__NR_io_uring_register, ${fd}, IORING_REGISTER_FILES, ${intList(list)}, ${cint(list.length)});`);
        expect();
        break;
      }
      case 'io_uring_unregister': line(`res = syscall(__NR_io_uring_register, ${fd}, IORING_UNREGISTER_FILES, NULL, 0);`); expect(); break;
      case 'io_uring_update': {
        const list = (a.files ?? []).map((m) => fdName(m, maxFd));
        line(`res = syscall(__NR_io_uring_register, ${fd}, IORING_REGISTER_FILES_UPDATE, files_update(${indexArg(a.offset!)}, ${intList(list)}), ${cint(list.length)});`);
        expect();
        break;
      }
      case 'io_uring_enter': {
        const at = fileAt(i, a.fd!);
        const k = at ? ringOf.get(at.id) : undefined;
        line(`sqe = sqe_get(${fd}, ${k === undefined ? 'NULL' : `&ring_p[${cint(k)}]`});`);
        line(`sqe->opcode = ${a.op === 'recv' ? 'IORING_OP_RECV' : 'IORING_OP_READ'}; sqe->flags = ${a.fixed ? 'IOSQE_FIXED_FILE' : '0'}; sqe->fd = ${a.fixed ? indexArg(a.target!) : fdName(a.target!, maxFd)};`);
        line(`sqe->addr = (uintptr_t)ring_buf(${N}); sqe->len = 16; sqe->user_data = ${N};`);
        line('sqe_submit();');
        line(`res = syscall(__NR_io_uring_enter, ${fd}, 1, 0, 0, NULL, 0);`);
        check((r) => `expect_enter(${N}, res, ${ret(r)});`);
        break;
      }
      case 'unix_gc': {
        const phase = a.phase ?? 'run';
        if (phase === 'run' || phase === 'start') {
          gcStart = n;
          line('res = syscall(__NR_socket, AF_UNIX, SOCK_DGRAM, 0);   /* the GC\'s kick: this socket\'s release runs it */');
          line('if (res >= 0) syscall(__NR_close, res);');
          line('wait_ms(100);   /* the GC runs in a workqueue: no user API waits for it */');
          if (differsFromFile) line(`recorded_differs(${N});`);
        } else noCode(`a later phase of the GC run kicked at step ${cint(gcStart)}: nothing to do`);
        break;
      }
      case 'resume': noCode(`a sub-step of the call made at step ${cint(callOf.get(i)! + 1)}: nothing to do`); break;
      case 'io_wq': noCode('io-wq runs the request when the kernel runs it: nothing to do'); break;
      case 'io_ring_exit': noCode('the ring\'s teardown runs in a workqueue after its last close: nothing to do'); break;
      default: throw new ReproUnsupported(`step ${n} (${s.syscall}) cannot be reproduced: the generator does not know this syscall`);
    }
  });

  const header = [
    `Reproducer generated by \`inflight repro --minimal\` from an inflight-trace/1 file: the trace's`,
    `${steps.length} steps, one raw syscall each in main, in the trace's order; each result is checked against`,
    `the design's (step_text has each step as the design prints it). It prints the steps whose result differs`,
    `and exits 1 if one does, 0 if all agree. Regular files are a FIFO opened O_RDWR (made under /tmp,`,
    `removed at the end); fd numbers are the model's, which are the kernel's while results agree.`,
    ``,
    `Build and run:  gcc -O2 -Wall -o repro repro.c && ./repro`,
  ];
  return [
    `/*\n${header.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */`,
    cSource('prelude.c'),
    cSource('minimal.c'),
    `/* ---------------------------------------------------------------------------------------------- */`,
    `/* Part 2 of 2, generated: the trace's strings, then main, one syscall per step. */`,
    `#define NSTEPS ${cint(steps.length)}`,
    `const char trace_design[] = ${cstr(trace.design)};`,
    `const char *const step_text[NSTEPS + 1] = { "", ${texts.join(', ')} };`,
    `const char *const step_recorded[NSTEPS + 1] = { NULL, ${recorded.join(', ')} };`,
    ``,
    `int main(void)`,
    `{`,
    `  long res = 0;`,
    `  int pair[2] = { -1, -1 };`,
    `  socklen_t len = 0;`,
    `  struct sockaddr *addr = NULL;`,
    `  struct ring_sqe *sqe = NULL;`,
    `  static struct ring_params ring_p[${cint(setupK.size + 1)}];`,
    `  (void)res; (void)pair; (void)len; (void)addr; (void)sqe; (void)ring_p;`,
    ``,
    `  start(NSTEPS);`,
    ...body,
    `  return finish(NSTEPS);`,
    `}`,
    ``,
  ].join('\n');
}
