// inflight repro: the generated C compiles with gcc -Wall, runs on this kernel, and prints what the
// kernel did next to what the trace recorded. Skipped (with the reason) where gcc or io_uring is missing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../cli/main.js';
import { runCheck } from '../cli/run.js';
import { DEFAULT_BOUNDS, type Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import { TRACE_FORMAT, traceToJson, type TraceFile, type TraceStep } from '../traces/format.js';
import { replayTrace } from '../traces/replay.js';
import { handTrace, HAND_TRACES } from '../oracle/hand.js';
import { modelReleased, reproC } from '../traces/repro.js';
import { builtinScenario, builtinScenarios } from '../scenarios/index.js';
import { scenarioBounds } from '../model/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'inflight-repro-'));

// One probe: is there a gcc, and may this process make an io_uring?
const probe: { ok: true } | { ok: false; why: string } = (() => {
  if (spawnSync('gcc', ['--version']).status !== 0) return { ok: false, why: 'gcc is not installed' };
  const src = join(dir, 'probe.c');
  writeFileSync(src, '#include <unistd.h>\n#include <sys/syscall.h>\nint main(void) { unsigned p[30] = {0}; return syscall(425, 4, p) < 0; }\n');
  const cc = spawnSync('gcc', ['-O2', '-o', join(dir, 'probe'), src], { encoding: 'utf8' });
  if (cc.status !== 0) return { ok: false, why: `gcc cannot build a test program: ${cc.stderr}` };
  const run = spawnSync(join(dir, 'probe'), { timeout: 5000 });
  return run.status === 0 ? { ok: true } : { ok: false, why: 'io_uring_setup is not permitted here (EPERM/ENOSYS, e.g. a seccomp profile)' };
})();
const kernelTest = probe.ok ? test : test.skip;
if (!probe.ok) test('repro: the kernel tests are skipped', (t) => { t.log(`skipped: ${probe.why}`); t.pass(); });

/** Generates, compiles (gcc -O2 -Wall, no warnings) and runs the reproducer of a trace; returns its stdout. */
function buildAndRun(t: { is: (a: unknown, b: unknown, m?: string) => void; regex: (s: string, r: RegExp, m?: string) => void; log: (...a: unknown[]) => void }, name: string, trace: TraceFile): string {
  const design = builtinDesign(trace.design)!;
  const fates = modelReleased(trace, design);
  const src = join(dir, `${name}.c`);
  writeFileSync(src, reproC(trace, fates ? { modelReleased: fates } : {}));
  return compileAndRun(t, name, src);
}

/** Compiles src (gcc -O2 -Wall, no warnings) to DIR/name and runs it to the end; returns its stdout. */
function compileAndRun(t: { is: (a: unknown, b: unknown, m?: string) => void; regex: (s: string, r: RegExp, m?: string) => void; log: (...a: unknown[]) => void }, name: string, src: string): string {
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', join(dir, name), src], { encoding: 'utf8' });
  t.is(cc.status, 0, `gcc failed: ${cc.stderr}`);
  t.is(cc.stderr, '', 'gcc -Wall warns');
  const run = spawnSync(join(dir, name), { encoding: 'utf8', timeout: 20_000 });
  // The exit status is the verdict: 1 when a step's result differs from the trace's, else 0.
  t.is(run.status, /\nthe kernel's results DIFFER from the trace's\n/.test(run.stdout) ? 1 : 0, `the reproducer's exit status is not its verdict: ${run.stderr}`);
  t.regex(run.stdout, /\nthe kernel's results (agree with|DIFFER from) the trace's\n/);
  t.log(run.stdout);
  return run.stdout;
}

const stepLine = (out: string, n: number): string => out.split('\n').find((l) => l.startsWith(`step ${n} `)) ?? '';
const endLine = (out: string, f: string): string => out.split('\n').find((l) => l.startsWith(`  ${f} `)) ?? '';

const bounds = (b: Partial<Bounds>): Bounds => ({ ...DEFAULT_BOUNDS, ...b });
const trace = (design: string, b: Partial<Bounds>, steps: TraceStep[]): TraceFile =>
  ({ format: TRACE_FORMAT, design, bounds: bounds(b), property: 'hand-written', violation: 'none: a scenario for the oracle', steps });

// (b) A SCM cycle of two sockets: each is in the other's queue, no fd is left, only the GC can free them.
const CYCLE = trace('linux-6.18', { tasks: 1, files: 2, fds: 2 }, [
  { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
  { task: 0, syscall: 'sendmsg', args: { fd: 3, rights: [3] }, result: { ret: 1 } },
  { task: 0, syscall: 'sendmsg', args: { fd: 4, rights: [4] }, result: { ret: 1 } },
  { task: 0, syscall: 'close', args: { fd: 3 }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 4 }, result: { ret: 0 } },
  { task: 'kernel', syscall: 'unix_gc', args: {}, result: { ret: 0 } },
]);

// (c) Two tasks: the child sends the parent's file back to it; the parent peeks, then receives.
const TWO_TASKS = trace('linux-6.18', { tasks: 2, files: 3, fds: 5 }, [
  { task: 0, syscall: 'socketpair', args: { type: 'dgram' }, result: { ret: 0, fds: [3, 4] } },
  { task: 0, syscall: 'open', args: {}, result: { ret: 5 } },
  { task: 0, syscall: 'fork', args: {}, result: { ret: 1 } },
  { task: 1, syscall: 'sendmsg', args: { fd: 3, rights: [5] }, result: { ret: 1 } },
  { task: 1, syscall: 'exit', args: {}, result: { ret: 0 } },
  { task: 0, syscall: 'recvmsg', args: { fd: 4, peek: true }, result: { ret: 1, fds: [6] } },
  { task: 0, syscall: 'recvmsg', args: { fd: 4, peek: false }, result: { ret: 1, fds: [7] } },
  { task: 0, syscall: 'close', args: { fd: 5 }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 6 }, result: { ret: 0 } },
  { task: 0, syscall: 'close', args: { fd: 7 }, result: { ret: 0 } },
]);

test('the hand-written traces are what the linux-6.18 model does', (t) => {
  for (const tr of [CYCLE, TWO_TASKS]) {
    const r = replayTrace(tr, builtinDesign('linux-6.18')!);
    t.true(r.steps.every((s) => s.agrees), JSON.stringify(r.steps));
  }
});

test('the C has a header naming the design, the property and the violation, and a block per step', (t) => {
  const c = reproC(CYCLE);
  t.regex(c, /static const char trace_design\[\] = "linux-6\.18";/);
  t.regex(c, /static const char trace_property\[\] = "hand-written";/);
  t.regex(c, /static const char trace_violation\[\] = "none: a scenario for the oracle";/);
  for (let n = 1; n <= CYCLE.steps.length; n++) t.regex(c, new RegExp(`/\\* step ${n} \\*/ \\{ \\.text = `));
  t.regex(c, /IORING_REGISTER_FILES/);
  t.notRegex(c, /#include <liburing/);
});

kernelTest('(a) seed-2019 leak trace: today\'s kernel refuses to send the ring fd (EINVAL), and nothing leaks', (t) => {
  const v = runCheck(builtinDesign('seed-2019')!, DEFAULT_BOUNDS).properties.find((p) => p.name === 'no-leak');
  if (!v?.trace) { t.fail('seed-2019 gave no no-leak trace'); return; }
  const out = buildAndRun(t, 'seed', v.trace);
  const n = v.trace.steps.findIndex((s) => s.syscall === 'sendmsg' && s.args && (s.args as { rights: number[] }).rights.length > 0) + 1;
  t.regex(stepLine(out, n), /sendmsg.*: kernel -1 EINVAL; trace 1; DIFFERS$/);
  t.regex(out, /the kernel's results DIFFER from the trace's/);
  // The model of 2019 leaks the socket held by the ring; this kernel releases it (ring teardown).
  t.regex(endLine(out, 'f1'), /unix socket .*: released; model: live/);
});

kernelTest('(b) a SCM cycle of two sockets is released after the GC step', (t) => {
  const out = buildAndRun(t, 'cycle', CYCLE);
  for (let n = 1; n <= 5; n++) t.regex(stepLine(out, n), /; same$/);
  t.regex(out, /kicked the GC: it ran within/);
  t.regex(endLine(out, 'f0'), /unix socket .*: released; model: released/);
  t.regex(endLine(out, 'f1'), /unix socket .*: released; model: released/);
  t.regex(out, /agree with the trace's/);
});

kernelTest('(c) fork, sendmsg across tasks, MSG_PEEK, exit: results and received fd numbers match the trace', (t) => {
  const out = buildAndRun(t, 'two-tasks', TWO_TASKS);
  t.regex(stepLine(out, 3), /fork\(\): kernel 1 \(task 1, pid \d+\); trace 1; same$/);
  t.regex(stepLine(out, 4), /T1 sendmsg\(3, SCM_RIGHTS\[5\]\): kernel 1; trace 1; same$/);
  t.regex(stepLine(out, 6), /recvmsg\(4, MSG_PEEK\): kernel 1 \[fds 6\]; trace 1 \[fds 6\]; same$/);
  t.regex(stepLine(out, 7), /recvmsg\(4\): kernel 1 \[fds 7\]; trace 1 \[fds 7\]; same$/);
  for (let n = 1; n <= TWO_TASKS.steps.length; n++) t.regex(stepLine(out, n), /; same$/);
  // The canary (the opened file) goes with the last of its three fds.
  t.regex(endLine(out, 'f2'), /regular file .*: released; model: released/);
  t.regex(out, /agree with the trace's/);
});

test('inflight repro prints the C, writes --out, and rejects a malformed trace with E_TRACE_INVALID', async (t) => {
  const cap = (): Io & { o: string[]; e: string[] } => { const o: string[] = []; const e: string[] = []; return { o, e, out: (s) => o.push(s), err: (s) => e.push(s) }; };
  const file = join(dir, 'cycle.json');
  writeFileSync(file, traceToJson(CYCLE));
  let io = cap();
  t.is(await main(['repro', file], io), 0);
  t.regex(io.o.join('\n'), /^\/\*\n \* Reproducer generated by `inflight repro`/);
  t.regex(io.o.join('\n'), /int main\(void\)/);
  const outFile = join(dir, 'out.c');
  io = cap();
  t.is(await main(['repro', file, '--out', outFile], io), 0);
  t.regex(readFileSync(outFile, 'utf8'), /unix_gc_step\(\);/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...CYCLE, steps: [{ task: 0, syscall: 'frobnicate', args: {}, result: { ret: 0 } }] }));
  io = cap();
  t.is(await main(['repro', bad], io), 2);
  t.is(io.e.length, 1);
  t.regex(io.e[0]!, /^inflight: E_TRACE_INVALID: .*step 1: unknown syscall "frobnicate"$/);
});

// issue 4: a generated repro.c and `inflight kernel` run the same trace on the same kernel: their printed
// results must match step by step (return value, errno, installed fds) and in the files released at the end.
interface KernelJson { steps: { step: number; kernel?: { ret: number; errno?: string; fds?: number[] } }[]; fates: { id: number; name: string; observed: string }[] }

function reproResults(out: string): { steps: Map<number, { ret: number; errno?: string; fds?: number[] }>; files: Map<number, string> } {
  const steps = new Map<number, { ret: number; errno?: string; fds?: number[] }>();
  for (const m of out.matchAll(/^step (\d+) .*?: kernel (-1 ([A-Z]+)|(-?\d+)(?: \[fds ([\d, ]*)\])?);/gm)) {
    steps.set(Number(m[1]), m[3] !== undefined ? { ret: -1, errno: m[3] }
      : { ret: Number(m[4]), ...(m[5] !== undefined ? { fds: m[5].split(',').map((x) => Number(x.trim())) } : {}) });
  }
  const files = new Map<number, string>();
  for (const m of out.matchAll(/^ {2}f(\d+) .*made at step \d+: (released|live)/gm)) files.set(Number(m[1]), m[2]!);
  return { steps, files };
}

async function kernelJson(file: string): Promise<KernelJson> {
  let out = '';
  const io: Io = { out: (s) => { out += s; }, err: () => {}, tty: false };
  await main(['kernel', file, '--json'], io);
  return JSON.parse(out) as KernelJson;
}

for (const [name, make] of [
  ['the viro-2019 witness', () => runCheck(builtinDesign('viro-2019')!, DEFAULT_BOUNDS).witnesses.find((w) => w.trace)!.trace!],
  ['a linux-6.18 trace (a SCM cycle and the GC)', () => CYCLE],
] as const) {
  kernelTest(`repro.c and inflight kernel agree on ${name}`, async (t) => { await agreesWithKernel(t, name, make(), 2); });
}

/** Runs the trace's repro.c and `inflight kernel` on it: every step and every observed file's fate agree
 *  (at least minFiles files compared). */
async function agreesWithKernel(t: import('ava').ExecutionContext, name: string, tr: TraceFile, minFiles: number): Promise<void> {
  const base = `agree-${name.replace(/\W+/g, '-')}`;
  const file = join(dir, `${base}.json`);
  writeFileSync(file, traceToJson(tr));
  const repro = reproResults(buildAndRun(t, base, tr));
  const k = await kernelJson(file);
  t.is(repro.steps.size, tr.steps.length, 'repro.c printed every step');
  t.is(k.steps.length, tr.steps.length);
  for (const s of k.steps) {
    const mine = repro.steps.get(s.step);
    t.truthy(mine && s.kernel, `step ${s.step}`);
    t.is(mine!.ret, s.kernel!.ret, `step ${s.step}: ret`);
    t.is(mine!.errno, s.kernel!.errno, `step ${s.step}: errno`);
    if (mine!.fds) t.deepEqual(mine!.fds, s.kernel!.fds, `step ${s.step}: fds`);
  }
  let compared = 0;
  for (const f of k.fates) {
    const seen = repro.files.get(f.id);
    if (seen === undefined || (f.observed !== 'released' && f.observed !== 'live')) continue;   // rings: not observable by repro.c
    t.is(seen, f.observed, `${f.name} at the end`);
    compared++;
  }
  t.true(compared >= minFiles, `compared ${compared} files`);
}

// The steps the model gained after the first reproducer: listening sockets, MSG_OOB, FILES_UPDATE, the GC in
// phases and calls in sub-steps (resume). Hand traces whose results are linux-6.18's (handTrace).
const L618 = builtinDesign('linux-6.18')!;

// (d) socket + listen + connect + accept, then SCM_RIGHTS over the accepted connection: the client sends a
// regular file, the accepted socket receives it. f2 is connect's embryo, which accept (step 5) makes fd 5.
const LISTEN = handTrace(L618, [
  [0, 'socket', { type: 'stream' }], [0, 'listen', { fd: 3 }], [0, 'socket', { type: 'stream' }], [0, 'connect', { fd: 4, to: 3 }],
  [0, 'accept', { fd: 3 }], [0, 'open'], [0, 'sendmsg', { fd: 4, rights: [6] }], [0, 'close', { fd: 6 }],
  [0, 'recvmsg', { fd: 5, peek: false }], [0, 'accept', { fd: 3 }], [0, 'listen', { fd: 4 }], [0, 'close', { fd: 5 }], [0, 'close', { fd: 6 }],
], { tasks: 1, files: 4, fds: 6 }, 'hand-written');

// (e) MSG_OOB: a file rides on the OOB skb; a plain read unlinks and frees that skb on 6.18 (the file goes at
// step 5); OOB on a dgram socket is EOPNOTSUPP.
const OOB = handTrace(L618, [
  [0, 'socketpair', { type: 'stream' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [5], oob: true }], [0, 'close', { fd: 5 }],
  [0, 'recvmsg', { fd: 4, peek: false }], [0, 'sendmsg', { fd: 3, rights: [], oob: true }],
  [0, 'socketpair', { type: 'dgram' }], [0, 'sendmsg', { fd: 5, rights: [], oob: true }],
], { tasks: 1, oob: true }, 'hand-written');

// (f) IORING_REGISTER_FILES_UPDATE: fill a sparse table, clear a slot (its file goes at once), the errors.
const UPDATE = handTrace(L618, [
  [0, 'open'], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 5, files: [-1, -1] }],
  [0, 'io_uring_update', { fd: 5, offset: 0, files: [3, 4] }], [0, 'close', { fd: 3 }], [0, 'io_uring_update', { fd: 5, offset: 0, files: [-1] }],
  [0, 'io_uring_update', { fd: 5, offset: 1, files: [5] }], [0, 'io_uring_update', { fd: 5, offset: 2, files: [4] }],
  [0, 'io_uring_update', { fd: 5, offset: 0, files: [9] }], [0, 'close', { fd: 4 }],
], { tasks: 1 }, 'hand-written');

// (g) The GC in phases with a MSG_PEEK in sub-steps inside the run: a garbage cycle (with a file in it) is
// collected by the run of steps 11-19, while the peek of step 12 (a stream read: its pick, then the `copy`
// that dups at step 13, before the SCC's evaluation begins) returns at its last resume (step 15).
const GC_PHASED = handTrace(L618, [
  [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [3, 5] }], [0, 'sendmsg', { fd: 4, rights: [4] }],
  [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }],
  [0, 'socketpair', { type: 'stream' }], [0, 'sendmsg', { fd: 3, rights: [3] }], [0, 'close', { fd: 3 }],
  ['kernel', 'unix_gc', { phase: 'start' }], [0, 'recvmsg', { fd: 4, peek: true }],
  [0, 'resume', { call: 'recvmsg(4, MSG_PEEK)', stage: 'copy' }], ['kernel', 'unix_gc', { phase: 'dead' }],
  [0, 'resume', { call: 'recvmsg(4, MSG_PEEK)', stage: 'install fds' }],
  ['kernel', 'unix_gc', { phase: 'dead' }], ['kernel', 'unix_gc', { phase: 'dead' }], ['kernel', 'unix_gc', { phase: 'purge' }], ['kernel', 'unix_gc', { phase: 'purge' }],
], { tasks: 1, files: 8, gc: 'phased' }, 'hand-written');

// (h) connect in sub-steps (two tasks), with an accept between them: the model's accept finds the queue
// empty (EAGAIN); here connect() ran whole at step 5, so the kernel's accept takes the connection.
const CONNECT_SPLIT = handTrace(L618, [
  [0, 'socket', { type: 'stream' }], [0, 'listen', { fd: 3 }], [0, 'fork'], [1, 'socket', { type: 'stream' }], [1, 'connect', { fd: 4, to: 3 }],
  [1, 'resume', { call: 'connect(4)', stage: 'peer' }], [0, 'accept', { fd: 3 }], [1, 'resume', { call: 'connect(4)', stage: 'queue' }],
], { tasks: 2 }, 'hand-written');

const allSame = (t: { regex: (s: string, r: RegExp, m?: string) => void }, out: string, tr: TraceFile, except: number[] = []): void => {
  tr.steps.forEach((s, i) => { if (!s.result.pending && !except.includes(i + 1)) t.regex(stepLine(out, i + 1), /; same$/, `step ${i + 1}`); });
};

test('the new hand traces have the results the model gives and the C has no unknown step', (t) => {
  for (const tr of [LISTEN, OOB, UPDATE, GC_PHASED, CONNECT_SPLIT, PASSRIGHTS]) {
    t.true(replayTrace(tr, L618).steps.every((s) => s.agrees));
    const c = reproC(tr);
    t.notRegex(c, /not reproducible/);
    // Every K_ constant of the step table is in the enum.
    const kinds = new Set([...c.matchAll(/\bK_[A-Z_]+/g)].map((m) => m[0]));
    const decl = /enum kind \{([^}]*)\}/.exec(c)![1]!;
    for (const k of kinds) t.true(decl.includes(k), k);
  }
  // The files table lines up with the model's file ids: connect's embryo is f2, the opened file f3.
  const c = reproC(LISTEN, { modelReleased: modelReleased(LISTEN, L618)! });
  t.regex(c, /\{ "f2", O_EMBRYO, 4, 1,/);
  t.regex(c, /\{ "f3", O_CANARY, 6, 1,/);
  t.regex(c, /\/\* step 5 \*\/ \{ \.text = "T0 accept\(3\)", .*\.kind = K_ACCEPT, \.ret = 5, .*\.fd = 3, \.obj = \{ 2, -1 \} \},/);
});

test('the header says which interleavings the reproducer cannot force', (t) => {
  const gc = reproC(GC_PHASED);
  t.regex(gc, /cannot force/);
  t.regex(gc, /the GC run of steps 11-19 \(in phases\) runs whole at step 11,[\s\S]*?steps 12, 13, 15 inside the run/);
  t.regex(gc, /recvmsg of step 12 \(in sub-steps up to step 15\)[\s\S]*?step 14 between its sub-steps/);
  const split = reproC(CONNECT_SPLIT);
  t.regex(split, /connect of step 5 \(in sub-steps up to step 8\)[\s\S]*?step 7 between/);
  t.notRegex(reproC(LISTEN), /cannot force/);
});

// (i) io_uring_enter: a fixed-file read and a plain-fd read on two canaries; both block (nothing is ever
// written), then the canaries' fds and the ring fd are closed. The plain-fd request holds f1 past its close
// (the kernel's canary tells); ring teardown cancels both requests and drops the table.
const ENTER = handTrace(L618, [
  [0, 'open'], [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 5, files: [3] }],
  [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: true, target: 0 }], [0, 'io_uring_enter', { fd: 5, op: 'read', fixed: false, target: 4 }],
  ['kernel', 'io_wq', { ring: 2, req: 0, stage: 'block' }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }], [0, 'close', { fd: 5 }],
], { tasks: 1, reqs: 2 }, 'hand-written');

// (j) an SQE the kernel fails at once (an empty registered slot: the CQE's -EBADF, the model's step result),
// one on a fd that is not a ring (EOPNOTSUPP from the call itself), and a ring teardown step.
const ENTER_ERRORS = handTrace(L618, [
  [0, 'open'], [0, 'io_uring_setup'], [0, 'io_uring_register', { fd: 4, files: [-1] }],
  [0, 'io_uring_enter', { fd: 4, op: 'read', fixed: true, target: 0 }], [0, 'io_uring_enter', { fd: 3, op: 'read', fixed: false, target: 3 }],
  [0, 'close', { fd: 4 }],
], { tasks: 1, reqs: 2 }, 'hand-written');

test('io_uring_enter, io_wq and io_ring_exit are C now: one SQE through mmaps unmapped at once, kernel steps as no-ops', (t) => {
  const c = reproC(ENTER);
  // Step 5: fixed slot 0 of the ring at fd 5; step 6: fd 4 itself (op 0 = IORING_OP_READ).
  t.regex(c, /\/\* step 5 \*\/ \{ [^\n]*\.kind = K_IO_URING_ENTER, [^\n]*\.fd = 5, \.flag = 1, \.obj/);
  t.regex(c, /\/\* step 6 \*\/ \{ [^\n]*\.kind = K_IO_URING_ENTER, [^\n]*\.fd = 5, \.target = 4, \.obj/);
  t.regex(c, /ring_enter\(r, FD\(s->fd\), s->op \? IORING_OP_RECV : IORING_OP_READ, s->flag, s->flag \? s->target : FD\(s->target\), n\);/);
  // Every mmap of ring_enter has its munmap before the function returns.
  const fn = /HELPER void ring_enter\([\s\S]*?\n\}/.exec(c)![0];
  t.is([...fn.matchAll(/= mmap\(/g)].length, 3);
  t.is([...fn.matchAll(/munmap\(/g)].length, 3);
  t.true(fn.lastIndexOf('munmap(') > fn.indexOf('__NR_io_uring_enter'), 'unmapped after the call');
  t.regex(c, /does not count mmaps as references/);
  t.regex(c, /\/\* step 7 \*\/ \{ [^\n]*\.kind = K_IO_WQ,/);
  t.regex(c, /io-wq's step 7 are no-ops here/);
  t.regex(c, /the io_uring requests of steps 5, 6 start in the kernel when submitted/);
  // After the ring's close (step 10), its blocked request completes, then the teardown runs.
  const exit = handTrace(L618, [...ENTER.steps.map((s) => [s.task, s.syscall, s.args] as const),
    ['kernel', 'io_wq', { ring: 2, req: 0, stage: 'complete' }], ['kernel', 'io_ring_exit', { ring: 2 }]], { tasks: 1, reqs: 2 }, 'hand-written');
  t.regex(reproC(exit), /ring teardowns of step 12 \(io_ring_exit\) are no-ops here/);
});

test('no trace of a built-in scenario is refused, and each one\'s C compiles with gcc -Wall', (t) => {
  let traces = 0, enters = 0;
  for (const b of builtinScenarios()) {
    const sc = builtinScenario(b.name);
    if (!sc || typeof sc === 'string') { t.fail(`${b.name}: ${String(sc)}`); continue; }
    for (const dname of Object.keys(sc.expect)) {
      const design = builtinDesign(dname);
      if (!design) continue;
      const r = runCheck(design, scenarioBounds(sc, DEFAULT_BOUNDS, {}), { scenario: sc });
      for (const p of r.properties) {
        if (!p.trace) continue;
        const name = `scen-${b.name}-${dname}-${p.name}`.replace(/\W+/g, '-');
        let c = '';
        t.notThrows(() => { c = reproC(p.trace!); }, name);
        if (!c) continue;
        traces++;
        if (p.trace.steps.some((s) => s.syscall === 'io_uring_enter')) enters++;
        if (spawnSync('gcc', ['--version']).status !== 0) continue;
        const src = join(dir, `${name}.c`);
        writeFileSync(src, c);
        const cc = spawnSync('gcc', ['-O2', '-Wall', '-fsyntax-only', src], { encoding: 'utf8' });
        t.is(cc.status, 0, `${name}: ${cc.stderr}`);
        t.is(cc.stderr, '', `${name}: gcc -Wall warns`);
      }
    }
  }
  t.log(`${traces} traces, ${enters} with io_uring_enter`);
  t.true(traces > 0);
  t.true(enters > 0, 'some scenario trace submits an io_uring request');
});

// A resume that continues no call the trace started: the design cannot make it, so repro refuses it as
// replay does (E_TRACE_INVALID), before any C is generated.
test('inflight repro of a trace the design cannot make: one line E_TRACE_INVALID as replay says, exit 2, no C', async (t) => {
  const bad: TraceFile = { ...CONNECT_SPLIT, steps: [CONNECT_SPLIT.steps[0]!, { task: 0, syscall: 'resume', args: { call: 'connect(3)', stage: 'peer' } as TraceStep['args'], result: { ret: 0 } }] };
  const file = join(dir, 'orphan-resume.json');
  writeFileSync(file, traceToJson(bad));
  const o: string[] = [], e: string[] = [];
  t.is(await main(['repro', file], { out: (s) => o.push(s), err: (s) => e.push(s) }), 2);
  t.deepEqual(o, []);
  t.is(e.length, 1);
  t.regex(e[0]!, /^inflight: E_TRACE_INVALID: .*orphan-resume\.json: step 2: T0 .* cannot be made in design linux-6\.18 \(no such task, or beyond the trace's bounds\)$/);
  const r: string[] = [];
  t.is(await main(['replay', file], { out: () => {}, err: (s) => r.push(s) }), 2);
  t.regex(r[0]!, /^inflight: E_TRACE_INVALID: .*orphan-resume\.json: step 2/);
  t.notRegex(e[0]!, /\n|at .*\.ts:\d+/);
});

kernelTest('(d) socket, listen, connect, accept and SCM_RIGHTS over the accepted connection: every step as the trace', (t) => {
  const out = buildAndRun(t, 'listen', LISTEN);
  allSame(t, out, LISTEN);
  t.regex(stepLine(out, 5), /accept\(3\): kernel 5; trace 5; same$/);
  t.regex(stepLine(out, 9), /recvmsg\(5\): kernel 1 \[fds 6\]; trace 1 \[fds 6\]; same$/);
  t.regex(stepLine(out, 10), /accept\(3\): kernel -1 EAGAIN; trace -1 EAGAIN; same$/);
  t.regex(stepLine(out, 11), /listen\(4\): kernel -1 EINVAL; trace -1 EINVAL; same$/);
  t.regex(endLine(out, 'f2'), /unix socket \(connection\) +made at step 4: released; model: released/);
  t.regex(endLine(out, 'f3'), /regular file .*made at step 6: released; model: released/);
  t.regex(endLine(out, 'f0'), /unix socket .*: live; model: live/);
  t.regex(out, /agree with the trace's/);
});

kernelTest('(e) MSG_OOB: the results, and the file on the OOB skb released by the plain read (6.18)', (t) => {
  const out = buildAndRun(t, 'oob', OOB);
  allSame(t, out, OOB);
  t.regex(stepLine(out, 3), /MSG_OOB\): kernel 1; trace 1; same$/);
  t.regex(stepLine(out, 8), /kernel -1 EOPNOTSUPP; trace -1 EOPNOTSUPP; same$/);
  // The file goes at step 5 (manage_oob frees the skb), not before.
  const released = out.indexOf('released now: f2');
  t.true(released > out.indexOf('step 5 ') && released < out.indexOf('step 6 '), 'f2 released right after step 5');
  t.regex(out, /agree with the trace's/);
});

kernelTest('(f) IORING_REGISTER_FILES_UPDATE: counts, errors, and a cleared slot releasing its file at once', (t) => {
  const out = buildAndRun(t, 'update', UPDATE);
  allSame(t, out, UPDATE);
  t.regex(stepLine(out, 5), /FILES_UPDATE, \{offset 0, \[3, 4\]\}\): kernel 2; trace 2; same$/);
  const released = out.indexOf('released now: f0');
  t.true(released > out.indexOf('step 7 ') && released < out.indexOf('step 8 '), 'f0 released right after the slot was cleared');
  t.regex(stepLine(out, 9), /kernel -1 EINVAL; trace -1 EINVAL; same$/);
  t.regex(endLine(out, 'f1'), /released; model: released/);
  t.regex(out, /agree with the trace's/);
});

kernelTest('(g) a GC in phases and a MSG_PEEK resume: the run made whole at its start, the peek compared at its resume', (t) => {
  const out = buildAndRun(t, 'gc-phased', GC_PHASED);
  allSame(t, out, GC_PHASED);
  t.regex(out, /step 11 kernel unix_gc: start: kernel 0; trace 0; same\n {8}kicked the GC: it ran within/);
  t.regex(stepLine(out, 12), /recvmsg\(4, MSG_PEEK\): kernel 1 \[fds 3\]; trace \.\.\. \(in progress\); compared at step 15$/);
  t.regex(stepLine(out, 15), /install fds: kernel 1 \[fds 3\]; trace 1 \[fds 3\]; same$/);
  t.regex(out, /step 14 [^\n]*\n {8}\(a later phase of the GC run made whole at step 11: nothing to do\)/);
  for (const f of ['f0', 'f1', 'f2']) t.regex(endLine(out, f), /: released; model: released/);
  for (const f of ['f3', 'f4']) t.regex(endLine(out, f), /: live; model: live/);
  t.regex(out, /agree with the trace's/);
});

kernelTest('(h) connect in sub-steps: compared at its last resume; the accept in between is the race the C cannot force', (t) => {
  const out = buildAndRun(t, 'connect-split', CONNECT_SPLIT);
  t.regex(stepLine(out, 5), /connect\(4, sockname\(3\)\): kernel 0; trace \.\.\. \(in progress\); compared at step 8$/);
  t.regex(stepLine(out, 6), /connect\(4\): peer: kernel - \(the call ran whole at step 5\); trace \.\.\. \(in progress\); compared at step 8$/);
  t.regex(stepLine(out, 7), /accept\(3\): kernel 4; trace -1 EAGAIN; DIFFERS$/);
  t.regex(stepLine(out, 8), /connect\(4\): queue: kernel 0; trace 0; same$/);
  t.regex(out, /\nthe kernel's results DIFFER from the trace's\n/);
});

// (i) SO_PASSRIGHTS (6.16): EPERM for stream, MSG_OOB, dgram and an embryo of a listener that turned it off.
const PASSRIGHTS = handTrace(L618, HAND_TRACES['passrights']!, { tasks: 1 }, 'hand-written');

for (const [name, tr] of [['socket, listen, connect, accept', LISTEN], ['MSG_OOB', OOB], ['SO_PASSRIGHTS', PASSRIGHTS]] as const) {
  kernelTest(`repro.c and inflight kernel agree on ${name}`, async (t) => { await agreesWithKernel(t, name, tr, 3); });
}

// Through files, as a user does it: check writes the trace, repro reads it back (a call in sub-steps must
// keep its `pending` mark on the way), gcc builds it, and it runs on this kernel to the end.
kernelTest('check --trace-out then repro: the CVE-2021-0920 scenario trace (a GC in phases, a MSG_PEEK in three steps)', async (t) => {
  const cap = (): Io & { o: string[]; e: string[] } => { const o: string[] = []; const e: string[] = []; return { o, e, out: (s) => o.push(s), err: (s) => e.push(s) }; };
  const file = join(dir, 'cve-2021-0920.json');
  t.is(await main(['check', '--scenario', 'cve-2021-0920', '--design', 'linux-5.1', '--trace-out', file], cap()), 1);
  const src = join(dir, 'cve-2021-0920.c');
  const io = cap();
  t.is(await main(['repro', file, '--out', src], io), 0, io.e.join('\n'));
  t.regex(readFileSync(src, 'utf8'), /cannot force/);
  const out = compileAndRun(t, 'cve-2021-0920', src);
  t.regex(out, /compared at step 9/);   // the stream peek: its pick (6), `copy` (8), `install fds` (9)
  t.regex(out, /the kernel's results (agree with|DIFFER from) the trace's/);
});

// io_uring_enter on this kernel.
kernelTest('(i) a fixed-file read that blocks, a plain-fd read holding its file past close, then the ring closed: no hang, the canaries tell', (t) => {
  const out = buildAndRun(t, 'enter', ENTER);
  allSame(t, out, ENTER, [7]);
  t.regex(out, /step 5 T0 io_uring_enter\(5, IORING_OP_READ, fixed 0\): kernel 1; trace 1; same\n {8}io_uring_enter returned 1; no CQE yet: the request is pending in the kernel\n/);
  t.regex(out, /step 6 T0 io_uring_enter\(5, IORING_OP_READ, fd 4\): kernel 1; trace 1; same\n {8}io_uring_enter returned 1; no CQE yet/);
  t.regex(stepLine(out, 7), /io_wq\(f2 request 0\): block: kernel - \(.*\); trace 0; not compared$/);
  // The pending plain-fd request holds f1: closing its only fd (step 9) does not release it.
  const after9 = out.slice(out.indexOf('step 9 '), out.indexOf('step 10 '));
  t.notRegex(after9, /released now:.*f1/);
  t.notRegex(out.slice(0, out.indexOf('step 10 ')), /released now/);
  // Ring teardown (after step 10) cancels both requests and drops the table: both canaries go.
  t.regex(endLine(out, 'f0'), /regular file .*: released; model: /);
  t.regex(endLine(out, 'f1'), /regular file .*: released; model: /);
  t.regex(endLine(out, 'f2'), /io_uring ring .*not observable/);
});

kernelTest('(j) io_uring_enter errors: the CQE\'s EBADF of an empty slot, EOPNOTSUPP on a fd that is not a ring', (t) => {
  const out = buildAndRun(t, 'enter-errors', ENTER_ERRORS);
  allSame(t, out, ENTER_ERRORS);
  t.regex(out, /step 4 [^\n]*: kernel -1 EBADF; trace -1 EBADF; same\n {8}io_uring_enter returned 1; the SQE's CQE was posted at once: res -9 EBADF\n/);
  t.regex(stepLine(out, 5), /kernel -1 EOPNOTSUPP; trace -1 EOPNOTSUPP; same$/);
  t.regex(out, /agree with the trace's/);
});

kernelTest('check --trace-out then repro: the CVE-2022-2602 scenario trace (io_uring_enter, io_wq, a GC in phases) runs, its submission is "same"', async (t) => {
  const cap = (): Io & { o: string[]; e: string[] } => { const o: string[] = []; const e: string[] = []; return { o, e, out: (s) => o.push(s), err: (s) => e.push(s) }; };
  const file = join(dir, 'cve-2022-2602.json');
  t.is(await main(['check', '--scenario', 'cve-2022-2602', '--design', 'linux-5.1', '--trace-out', file], cap()), 1);
  const tr = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
  const enter = tr.steps.findIndex((s) => s.syscall === 'io_uring_enter') + 1;
  t.true(enter > 0, 'the trace submits a request');
  t.true(tr.steps.some((s) => s.syscall === 'io_wq'), 'the trace has an io-wq step');
  const src = join(dir, 'cve-2022-2602.c');
  const io = cap();
  t.is(await main(['repro', file, '--out', src], io), 0, io.e.join('\n'));
  t.regex(readFileSync(src, 'utf8'), /io-wq's step \d+ are no-ops here/);
  const run = { stdout: compileAndRun(t, 'cve-2022-2602', src) };
  t.regex(stepLine(run.stdout, enter), /io_uring_enter\(\d+, IORING_OP_READ, fixed \d+\): kernel 1; trace 1; same$/);
  t.regex(run.stdout, /\n {2}f\d+ +regular file \(canary pipe\) +made at step \d+: (released|live); model: /);
  t.regex(run.stdout, /the kernel's results (agree with|DIFFER from) the trace's/);
});
