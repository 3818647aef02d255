// issue 18, part 5: `inflight kernel` and its executor talk a protocol that no trace can break or forge.
// The script carries no text of the trace (a trace is named by its index) and only checked numbers; the
// executor refuses, with one JSON "fatal" line, anything that is not exactly the format (an fd outside the
// trace's table such as its own command pipe at 600, 1e21, a word a call does not take, a long line); all
// it prints are JSON objects with escaped strings. `inflight kernel` refuses out-of-table fds itself, one
// coded line, before the executor runs. Serial: the executor's runs share the machine's unix GC.
import { fc } from '@fast-check/ava';
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { builtinDesign } from '../model/designs/index.js';
import { predict } from '../oracle/compare.js';
import { executorBinary, fdsOutsideTable, gccAvailable, runOnKernel, scriptText } from '../oracle/executor.js';
import { handTrace } from '../oracle/hand.js';
import type { Step } from '../model/step.js';
import { traceToJson, type TraceFile, type TraceStep } from '../traces/format.js';

const dir = mkdtempSync(join(tmpdir(), 'inflight-protocol-'));
const L618 = builtinDesign('linux-6.18')!;
const skip = gccAvailable() ? undefined : 'gcc is not available: the executor cannot be built';
const skipped = (t: ExecutionContext): boolean => { if (skip) { t.log(`skipped: ${skip}`); t.pass(); return true; } return false; };

/** Runs the executor on a raw script; its output lines, each parsed (a line that is not JSON fails). */
function executor(t: ExecutionContext, script: string): { lines: Record<string, unknown>[]; status: number | null } {
  const r = spawnSync(executorBinary(), [], { input: script, encoding: 'utf8', timeout: 20_000 });
  const lines = r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    try { return JSON.parse(l) as Record<string, unknown>; } catch { t.fail(`not JSON: ${l}`); return {}; }
  });
  return { lines, status: r.status };
}

const SOCKETS = handTrace(L618, [
  [0, 'socketpair', { type: 'dgram' }], [0, 'open'], [0, 'sendmsg', { fd: 3, rights: [5] }], [0, 'close', { fd: 5 }],
  [0, 'recvmsg', { fd: 4, peek: false }], [0, 'close', { fd: 5 }], [0, 'close', { fd: 3 }], [0, 'close', { fd: 4 }],
], { tasks: 1, files: 3, fds: 3 }, 'hand-written');

async function kernel(file: string, extra: string[] = []): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(['kernel', file, ...extra], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err };
}

test.serial('a trace path with quotes, or one that spells a forged reply, is only a name: the run agrees', async (t) => {
  if (skipped(t)) return;
  for (const name of ['a"b.json', 'x","fatal":"forged.json', 'x"}\n{"header":true,"kernel":"0.0".json', 'back\\slash %s.json']) {
    const file = join(dir, name);
    writeFileSync(file, traceToJson(SOCKETS));
    const r = await kernel(file, ['--json']);
    t.is(r.code, 0, `${name}: ${r.err.join('\n')}`);
    t.deepEqual(r.err, []);
    const j = JSON.parse(r.out) as { verdict: string; kernel: string };
    t.is(j.verdict, 'agree', name);
    t.notRegex(j.kernel, /^0\.0$/);
  }
  // Through the library: a script's name is the caller's, whatever it holds.
  const p = predict('x","fatal":"forged', SOCKETS.steps, SOCKETS.bounds, L618);
  if (typeof p === 'string') { t.fail(p); return; }
  const run = runOnKernel([p.script]);
  t.is(run.runs[0]!.name, 'x","fatal":"forged');
  t.notRegex(scriptText([p.script]), /forged|"/);
});

const withStep = (tr: TraceFile, s: TraceStep): TraceFile => ({ ...tr, steps: [...tr.steps.slice(0, 2), s, ...tr.steps.slice(2)] });

test.serial('inflight kernel refuses fds outside the trace\'s table (600, 1e21, -1, 0, 2 past the end) in any argument, one line, before the executor', async (t) => {
  const cases: [string, TraceStep][] = [
    ['close(600)', { task: 0, syscall: 'close', args: { fd: 600 }, result: { ret: -1, errno: 'EBADF' } }],
    ['close(1e21)', { task: 0, syscall: 'close', args: { fd: 1e21 }, result: { ret: -1, errno: 'EBADF' } }],
    ['close(-1)', { task: 0, syscall: 'close', args: { fd: -1 }, result: { ret: -1, errno: 'EBADF' } }],
    ['dup(0)', { task: 0, syscall: 'dup', args: { fd: 0 }, result: { ret: -1, errno: 'EBADF' } }],
    ['close(8)', { task: 0, syscall: 'close', args: { fd: 8 }, result: { ret: -1, errno: 'EBADF' } }],
    ['sendmsg rights [650]', { task: 0, syscall: 'sendmsg', args: { fd: 3, rights: [650] }, result: { ret: -1, errno: 'EBADF' } }],
    ['sendmsg rights [1e21]', { task: 0, syscall: 'sendmsg', args: { fd: 3, rights: [1e21] }, result: { ret: -1, errno: 'EBADF' } }],
  ];
  for (const [what, s] of cases) {
    const file = join(dir, `${what.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, traceToJson(withStep(SOCKETS, s)));
    const r = await kernel(file);
    t.is(r.code, 2, what);
    t.is(r.out, '', what);
    t.is(r.err.length, 1, what);
    t.regex(r.err[0]!, /^inflight: E_KERNEL_UNSUPPORTED: .*: step 3 \(.*\) cannot be made by the kernel oracle: fd \S+ is outside the trace's fd table \(3\.\.5, and 6 just past it\)$/, what);
    // replay accepts the same trace (the model answers EBADF): the refusal is the oracle's, not a trace error.
    t.is(await main(['replay', file], { out: () => {}, err: () => {} }), 0, `replay ${what}`);
  }
  // The fd just past the table is the kernel's EBADF too (the worker's RLIMIT_NOFILE is the table).
  t.is(fdsOutsideTable({ task: 0, syscall: 'close', args: { fd: 6 } } as Step, 3), undefined);
  t.regex(fdsOutsideTable({ task: 0, syscall: 'sendmsg', args: { fd: 3, rights: Array(300).fill(3) } } as Step, 3)!, /300 fds, more than the executor sends/);
});

test.serial('the executor refuses a script that is not exactly its format: one JSON fatal line, exit 3, before the step is made', (t) => {
  if (skipped(t)) return;
  const cases: [string, RegExp][] = [
    ['trace 0 1 3\n0 open -> 3\n0 close 600\nend 0=l\n', /^step 2: an fd outside the trace's fd table$/],
    ['trace 0 1 3\n0 close 599\nend\n', /an fd outside/],
    ['trace 0 1 3\n0 close 1e21\nend\n', /an fd outside/],
    ['trace 0 1 3\n0 close 0x3\nend\n', /an fd outside/],
    ['trace 0 1 3\n0 close 2\nend\n', /an fd outside/],
    ['trace 0 1 3\n0 sendmsg 3 700\nend\n', /an fd outside/],
    ['trace 0 1 3\n0 socketpair "x\nend\n', /a word the call does not take/],
    ['trace 0 1 3\n0 frobnicate 3\nend\n', /an unknown call/],
    ['trace 0 1 3\n7 open\nend\n', /not a task of the trace/],
    ['trace 0 1 3\n0 close 3 4\nend\n', /the wrong number of arguments/],
    ['trace 0 1 3\n0 open -> 3 ! 1e3\nend\n', /an awaited object is not an object number/],
    ['trace 0 1 3\n0 accept 3 @9999\nend\n', /not an object number/],
    ['trace 0 1 3\nkernel exit\nend\n', /a kernel step is a bare unix_gc, io_wq or io_ring_exit/],
    ['trace 0 1 3\nend 0=x\n', /an end line is not/],
    ['trace a"b 1 3\nend\n', /a trace line is not/],
    ['trace 0 1 99999\nend\n', /a trace line is not/],
    ['trace 0 1 3\n0 sendmsg 3' + ' 3'.repeat(5000) + '\nend\n', /longer than the executor reads|too many/],
  ];
  for (const [script, why] of cases) {
    const r = executor(t, script);
    t.is(r.status, 3, script.slice(0, 60));
    const last = r.lines[r.lines.length - 1]!;
    t.is(typeof last['fatal'], 'string', script.slice(0, 60));
    t.regex(String(last['fatal']), why, script.slice(0, 60));
    // No reply came from a step after the refused one.
    t.false(r.lines.some((l) => l['done'] === true));
  }
  // The good form of the first script runs to the end.
  const ok = executor(t, 'trace 0 1 3\n0 open -> 3\n0 close 3 ! 0\n0 close 6\nend 0=r\n');
  t.is(ok.status, 0);
  t.deepEqual(ok.lines.filter((l) => typeof l['i'] === 'number').map((l) => [l['ret'], l['errno']]), [[3, undefined], [0, undefined], [-1, 'EBADF']]);
  t.true(ok.lines.some((l) => l['done'] === true));
});

// The worker's own check, below the coordinator's: a worker started alone on a control plane the test
// holds (fds 600 and 603, as after an exec) refuses to touch the executor's fds and still closes its own.
test.serial('a worker refuses to close the executor\'s control fds (599 and up) and answers for a table fd', async (t) => {
  if (skipped(t)) return;
  const stdio = Array.from({ length: 604 }, (_, i) => (i === 600 || i === 603 ? 'pipe' : 'ignore')) as ('pipe' | 'ignore')[];
  const child = spawn(executorBinary(), ['--worker', '0', 'exec'], { stdio });
  const pipes = child.stdio as unknown as (NodeJS.ReadableStream & NodeJS.WritableStream)[];
  const replies: string[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  pipes[603]!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    replies.push(...parts);
    wake?.();
  });
  const next = async (): Promise<string> => {
    while (replies.length === 0) await new Promise<void>((r) => { wake = r; setTimeout(r, 2000); });
    return replies.shift()!;
  };
  const ask = async (cmd: string): Promise<string> => { pipes[600]!.write(`${cmd}\n`); return next(); };
  try {
    t.is(await next(), '0 0', 'the worker announces itself after an exec');
    for (const fd of [599, 600, 603, 650, 700, 2 ** 31 - 1]) t.is(await ask(`close ${fd}`), 'refused', `close ${fd}`);
    t.is(await ask('sendmsg 3 600'), 'refused');
    t.is(await ask('close 5'), `-1 ${9}`, 'close of a free table fd is the kernel\'s EBADF (9)');
  } finally { child.kill('SIGKILL'); }
});

// The fuzzer: script lines drawn from a vocabulary of good and hostile words. Whatever the script, every
// line the executor prints is a JSON object, and it ends with done (exit 0) or one fatal (exit 3).
const word = fc.oneof(fc.constantFrom('0', '1', '3', '4', '5', '6', '7', '600', '599', '650', '700', '-1', '1e21', '0x3', '+3', '03', '2147483648', '-2147483649',
  'open', 'close', 'dup', 'fork', 'exit', 'exec', 'socketpair', 'sendmsg', 'recvmsg', 'socket', 'listen', 'connect', 'accept', 'resume',
  'io_uring_setup', 'io_uring_register', 'io_uring_unregister', 'kernel', 'unix_gc', 'dgram', 'stream', 'oob', 'peek', 'nopeek', 'tc',
  '->', '!', '~', '@0', '@1', '@-1', '"', '","fatal":"x', '\\', '%s%n', '{', '}'), fc.string({ maxLength: 4 }));
const line = fc.oneof(
  fc.tuple(fc.constantFrom('0', '1', 'kernel'), fc.constantFrom('open', 'close', 'dup', 'socketpair', 'sendmsg', 'recvmsg', 'socket', 'listen', 'connect', 'accept', 'unix_gc', 'fork', 'exit'), fc.array(word, { maxLength: 5 }))
    .map(([t, op, rest]) => [t, op, ...rest].join(' ')),
  fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' ')),
);
let scripts = 0;
const outcomes = new Map<string, number>();
test.serial('fuzzing the executor\'s script: only JSON objects come back, and the run ends in done or one fatal', async (t) => {
  if (skipped(t)) return;
  await fc.assert(fc.asyncProperty(fc.constantFrom('1', '2'), fc.constantFrom('3', '4'), fc.array(line, { maxLength: 6 }), async (tasks, fds, lines) => {
    const script = `trace 0 ${tasks} ${fds}\n${lines.join('\n')}\nend\n`;
    const r = spawnSync(executorBinary(), [], { input: script, encoding: 'utf8', timeout: 20_000 });
    scripts++;
    const out = r.stdout.split('\n').filter((l) => l !== '');
    for (const l of out) {
      let o: unknown;
      try { o = JSON.parse(l); } catch { throw new Error(`not JSON: ${l} for ${JSON.stringify(script)}`); }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`not an object: ${l}`);
    }
    const last = JSON.parse(out[out.length - 1] ?? '{}') as Record<string, unknown>;
    const end = last['done'] === true ? 'done' : typeof last['fatal'] === 'string' ? 'fatal' : 'other';
    outcomes.set(end, (outcomes.get(end) ?? 0) + 1);
    if (!(end === 'done' && r.status === 0) && !(end === 'fatal' && r.status === 3)) throw new Error(`ends with ${out[out.length - 1]} (exit ${r.status}) for ${JSON.stringify(script)}`);
    if (out.filter((l) => l.includes('"fatal"')).length > 1) throw new Error('more than one fatal line');
  }), { numRuns: 60, seed: 18005 });
  t.log(`executor scripts: ${scripts}, ends ${JSON.stringify(Object.fromEntries(outcomes))}`);
  t.true((outcomes.get('done') ?? 0) > 0 && (outcomes.get('fatal') ?? 0) > 0, 'both ends are reached');
});

// The fuzzer of `inflight kernel`: the socket trace with hostile values put into its steps. Never an
// exception, only 0/1/2, a status 2 is one coded line; whatever runs, runs with fds of the table only.
const hostile = fc.constantFrom(600, 599, 650, 700, 1e21, -1e21, -1, 0, 1, 2, 3, 4, 5, 6, 7, 2 ** 31, 1.5);
let kernelRuns = 0;
const kernelCodes = new Map<string, number>();
test.serial('fuzzing inflight kernel with hostile fd numbers and names: 0/1/2, one coded line, never a stack trace', async (t) => {
  if (skipped(t)) return;
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.constantFrom('fd', 'rights', 'to'), hostile), { minLength: 1, maxLength: 3 }), fc.constantFrom('t', 'a"b', '","fatal":"x'), async (edits, name) => {
    const steps = SOCKETS.steps.map((s) => ({ ...s, args: { ...s.args } as Record<string, unknown> }));
    for (const [at, key, v] of edits) {
      const s = steps[at % steps.length]!;
      if (key === 'rights' && Array.isArray(s.args['rights'])) s.args['rights'] = [v];
      else if (key in s.args) s.args[key] = v;
    }
    const file = join(dir, `${name}-${kernelRuns++}.json`);
    writeFileSync(file, JSON.stringify({ ...SOCKETS, steps }));
    let r;
    try { r = await kernel(file); } catch (e) { throw new Error(`kernel threw: ${(e as Error).stack}`); }
    const code = r.code === 2 ? /^inflight: (E_[A-Z_]+):/.exec(r.err[0] ?? '')?.[1] ?? 'bad' : String(r.code);
    kernelCodes.set(code, (kernelCodes.get(code) ?? 0) + 1);
    if (![0, 1, 2].includes(r.code)) throw new Error(`status ${r.code}`);
    if (r.code === 2 && (r.err.length !== 1 || !/^inflight: E_(TRACE_INVALID|KERNEL_UNSUPPORTED): [^\n]*$/.test(r.err[0]!))) throw new Error(`not one coded line: ${JSON.stringify(r.err)}`);
    if (r.err.some((l) => /\n\s+at .*:\d+:\d+/.test(l))) throw new Error('a stack trace');
  }), { numRuns: 40, seed: 18050 });
  t.log(`kernel runs: ${kernelRuns}, statuses ${JSON.stringify(Object.fromEntries(kernelCodes))}`);
  t.true((kernelCodes.get('E_KERNEL_UNSUPPORTED') ?? 0) > 0, 'some hostile fds are refused');
  t.true((kernelCodes.get('0') ?? 0) + (kernelCodes.get('1') ?? 0) > 0, 'some traces run');
});
